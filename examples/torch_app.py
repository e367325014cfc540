#!/usr/bin/env python3
"""attn from PyTorch: load (or compile) kernels, call them like torch's SDPA,
compare with torch.nn.functional.scaled_dot_product_attention.

  pip install ./python                       # once: the package and its runtime
  python3 examples/torch_app.py              # CPU: kernels of build/kernels-host
  python3 examples/torch_app.py --compile    # CPU: attn.compile a kernel first
  python3 examples/torch_app.py --device cuda  # GPU: kernels-generated/nvidia

Prints each step and PASS when attn agrees with torch (float64 reference:
1e-5 for f32 on the CPU, 1e-2 for bf16 on the GPU).
"""
import argparse
import os
import sys
import time

import torch
import torch.nn.functional as F

import attn

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MANIFESTS = {"cpu": [os.path.join(ROOT, "build", "kernels-host", "attn_cpu_kernels.json"),
                     os.path.join(ROOT, "kernels-generated", "cpu", "attn_cpu_kernels.json")],
             "cuda": [os.path.join(ROOT, "kernels-generated", "nvidia", "attn_gpu_kernels.json")]}


def timed(fn, reps=5):
    fn()
    best = float("inf")
    for _ in range(reps):
        if torch.cuda.is_available():
            torch.cuda.synchronize()
        t0 = time.perf_counter()
        fn()
        if torch.cuda.is_available():
            torch.cuda.synchronize()
        best = min(best, time.perf_counter() - t0)
    return best


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    ap.add_argument("--manifest", help="attn-kernelgen's .json (default: see above)")
    ap.add_argument("--compile", action="store_true",
                    help="compile the kernel with attn.compile (needs attn-kernelgen)")
    opts = ap.parse_args()
    dev = opts.device
    dtype = torch.float32 if dev == "cpu" else torch.bfloat16

    # 1. kernels: compiled here (cached), or loaded from a manifest
    if opts.compile:
        lib = attn.compile("name=app_causal_d64,d=64,mask=causal",
                           target="cpu" if dev == "cpu" else "nvidia")
        print(f"1. attn.compile: {lib} (cache hit: {lib.cache_hit})")
    else:
        path = opts.manifest or next((p for p in MANIFESTS[dev] if os.path.exists(p)), None)
        if not path:
            sys.exit(f"no manifest for {dev}: build attn (scripts/setup.sh) or pass --manifest")
        lib = attn.load(path)
        print(f"1. attn.load: {len(lib)} kernels from {path}")

    # 2. attention in torch's [B, N, H, d] layout, GQA 8 query heads over 2
    torch.manual_seed(0)
    B, N, Hq, Hkv, d = 2, 1000, 8, 2, 64
    q = torch.randn(B, N, Hq, d, device=dev, dtype=dtype)
    k = torch.randn(B, N, Hkv, d, device=dev, dtype=dtype)
    v = torch.randn(B, N, Hkv, d, device=dev, dtype=dtype)
    qh, kh, vh = (t.transpose(1, 2) for t in (q, k, v))   # [B, H, N, d] views, no copy
    kern = attn.select_kernel(qh, kh, vh, is_causal=True)
    print(f"2. attn.sdpa picks {kern!r}")
    with torch.inference_mode():
        o = attn.sdpa(qh, kh, vh, is_causal=True, enable_gqa=True)
        want = F.scaled_dot_product_attention(qh.double(), kh.double(), vh.double(),
                                              is_causal=True, enable_gqa=True)
        ours = timed(lambda: attn.sdpa(qh, kh, vh, is_causal=True, enable_gqa=True))
        theirs = timed(lambda: F.scaled_dot_product_attention(qh, kh, vh, is_causal=True,
                                                              enable_gqa=True))
        compiled = torch.compile(lambda a, b, c: attn.sdpa(a, b, c, is_causal=True,
                                                           enable_gqa=True), fullgraph=True)
        o_compiled = compiled(qh, kh, vh)
    err = ((o.double() - want).norm() / want.norm()).item()
    err_c = ((o_compiled.double() - want).norm() / want.norm()).item()
    tol = 1e-5 if dtype == torch.float32 else 1e-2
    print(f"3. vs float64: rel err {err:.2e} (eager), {err_c:.2e} (torch.compile), tol {tol:g}")
    print(f"4. time: attn {ours * 1e3:.2f} ms, torch SDPA {theirs * 1e3:.2f} ms "
          f"({dev}, {str(dtype)[6:]}, B={B} N={N} H={Hq}/{Hkv} d={d}, causal)")
    ok = err <= tol and err_c <= tol
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
