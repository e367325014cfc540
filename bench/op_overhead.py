#!/usr/bin/env python3
"""What a call through the attn package costs beyond the kernel: per-call
wall time (mean of many back-to-back calls, synchronised once at the end) on
a tiny problem, where launch costs dominate, for

  raw      Kernel.call on prebuilt runtime arguments (the C runtime alone)
  kernel   lib[name](q, k, v): the torch op attn::run, outputs allocated
  sdpa     attn.sdpa(q, k, v): kernel selection + the op attn::sdpa
  graph    attn.sdpa captured in a CUDA graph, one replay per call (cuda)
  torch    torch.nn.functional.scaled_dot_product_attention

  python3 bench/op_overhead.py [--device cuda|cpu] [--manifest M]
"""
import argparse
import os
import time

import torch
import torch.nn.functional as F

import attn

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def per_call(fn, sync, n):
    for _ in range(20):
        fn()
    sync()
    t0 = time.perf_counter()
    for _ in range(n):
        fn()
    sync()
    return (time.perf_counter() - t0) / n * 1e6


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--manifest")
    ap.add_argument("--calls", type=int, default=2000)
    opts = ap.parse_args()
    dev = opts.device
    manifest = opts.manifest or os.path.join(
        ROOT, "kernels-generated", "nvidia" if dev == "cuda" else "cpu",
        "attn_gpu_kernels.json" if dev == "cuda" else "attn_cpu_kernels.json")
    lib = attn.load(manifest)
    name, dtype = (("sdpa_d64_bf16", torch.bfloat16) if dev == "cuda"
                   else ("sdpa_d64", torch.float32))
    kern = lib[name]
    sync = torch.cuda.synchronize if dev == "cuda" else (lambda: None)
    q, k, v = (torch.randn(1, 8, 128, 64, device=dev, dtype=dtype) for _ in range(3))
    rows = {}
    with torch.inference_mode():
        o, lse = kern.empty_outputs(q)
        args = kern.make_args(q, k, v, o, None)
        rows["raw"] = per_call(lambda: kern.call(args), sync, opts.calls)
        rows["kernel"] = per_call(lambda: kern(q, k, v), sync, opts.calls)
        rows["sdpa"] = per_call(lambda: attn.sdpa(q, k, v), sync, opts.calls)
        if dev == "cuda":
            s = torch.cuda.Stream()
            s.wait_stream(torch.cuda.current_stream())
            with torch.cuda.stream(s):
                attn.sdpa(q, k, v)
            torch.cuda.current_stream().wait_stream(s)
            g = torch.cuda.CUDAGraph()
            with torch.cuda.graph(g):
                attn.sdpa(q, k, v)
            rows["graph"] = per_call(g.replay, sync, opts.calls)
        rows["torch"] = per_call(lambda: F.scaled_dot_product_attention(q, k, v), sync,
                                 opts.calls)
    dname = torch.cuda.get_device_name() if dev == "cuda" else "cpu"
    print(f"# per-call wall time, µs ({dname}, torch {torch.__version__}, "
          f"{name}, B=1 H=8 N=128 d=64, mean of {opts.calls})")
    print("| " + " | ".join(rows) + " |")
    print("|" + "---|" * len(rows))
    print("| " + " | ".join(f"{t:.1f}" for t in rows.values()) + " |")


if __name__ == "__main__":
    main()
