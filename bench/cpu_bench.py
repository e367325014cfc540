#!/usr/bin/env python3
"""CPU attention benchmark, one process, side by side:

  attn   the committed generated kernels (kernels-generated/cpu) through attnrt
  naive  the naive reference lowering (materialises N x N), small N only
  torch  torch.nn.functional.scaled_dot_product_attention on the CPU

at the same thread count (1 and 2), fp32, inputs in torch's [B, N, H, d]
layout (attn reads them in place through strides). GFLOP/s = 4*B*H*N^2*d /
time (half for causal). Every attn result is checked against torch in the
same run. Prints a markdown table and writes JSON (and a PNG plot of time vs N
when matplotlib is there).

  python3 bench/cpu_bench.py --out results.json [--quick]

Needs bench/out from bench/build-cpu-bench.sh and torch (the benchmark only;
torch is no build dependency of attn).
"""
import argparse
import ctypes
import json
import os
import subprocess
import sys
import time

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "out")


class MemRef4(ctypes.Structure):
    _fields_ = [("allocated", ctypes.c_void_p), ("aligned", ctypes.c_void_p),
                ("offset", ctypes.c_int64), ("sizes", ctypes.c_int64 * 4),
                ("strides", ctypes.c_int64 * 4)]


# The runtime and the kernels through the attn package (python/attn): its
# runtime is bench/out's libattnrt.so unless ATTN_RUNTIME_DIR says otherwise.
os.environ.setdefault("ATTN_RUNTIME_DIR", OUT)
sys.path.insert(0, os.path.join(HERE, "..", "python"))
import attn  # noqa: E402
from cpu_common import machine_info  # noqa: E402

# ATTN_KERNEL_DIR: a directory with attn_cpu_kernels.{so,json} to measure
# instead of the committed kernels (for tuning variants).
VARIANT = os.environ.get("ATTN_KERNEL_DIR")
KERNELS = attn.load(os.path.join(VARIANT, "attn_cpu_kernels.json") if VARIANT
                    else os.path.join(HERE, "..", "kernels-generated", "cpu",
                                      "attn_cpu_kernels.json"))
MANIFEST = KERNELS.manifest
naive_lib = ctypes.CDLL(os.path.join(OUT, "libnaive.so"))


def attn_call(q, k, v, causal):
    """Returns a function running the generated kernel on torch tensors in
    [B, N, H, d] memory (q, k, v as given; o allocated the same way); the
    runtime's argument struct is built once, outside the timed calls."""
    d = q.shape[-1]
    kern = KERNELS[f"sdpa_d{d}_causal" if causal else f"sdpa_d{d}"]
    qh, kh, vh = (t.transpose(1, 2) for t in (q, k, v))   # [B, H, N, d] views
    o, lse = kern.empty_outputs(qh)
    kern.check_tensors(qh, kh, vh, o, lse if kern.has_lse else None)
    args = kern.make_args(qh, kh, vh, o, lse if kern.has_lse else None)
    keep = (q, k, v, o, lse)  # the raw pointers in `args` must stay valid

    def run():
        assert keep
        status, message = kern.call(args)
        if status != 0:
            raise RuntimeError(message)
        return o.transpose(1, 2)
    return run


def naive_call(q, k, v, causal):
    """The reference lowering on contiguous [B, H, N, d] copies."""
    qh, kh, vh = (t.transpose(1, 2).contiguous() for t in (q, k, v))
    o = torch.empty_like(qh)
    fn = naive_lib["_mlir_ciface_naive_causal" if causal else "_mlir_ciface_naive"]

    def desc(t):
        m = MemRef4()
        m.allocated = m.aligned = t.data_ptr()
        m.offset = 0
        m.sizes[:] = t.shape
        m.strides[:] = t.stride()
        return m
    keep = (qh, kh, vh, o)  # the raw pointers in `descs` must stay valid
    descs = [desc(t) for t in keep]

    def run():
        assert keep
        fn(*[ctypes.byref(x) for x in descs])
        return o.transpose(1, 2)
    return run


def torch_call(q, k, v, causal):
    qh, kh, vh = (t.transpose(1, 2) for t in (q, k, v))
    gqa = qh.shape[1] != kh.shape[1]

    def run():
        return torch.nn.functional.scaled_dot_product_attention(
            qh, kh, vh, is_causal=causal, enable_gqa=gqa).transpose(1, 2)
    return run


def fma_peak(threads):
    """Best of 3 runs of the FMA probe (the machine's clocks vary)."""
    return max(float(subprocess.run([os.path.join(OUT, "fma_peak"), str(threads)],
                                    capture_output=True, text=True,
                                    check=True).stdout.strip())
               for _ in range(3))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="cpu_bench.json")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--plot", default="")
    ap.add_argument("--no-naive", action="store_true")
    ap.add_argument("--only-n", type=int, default=0)
    ap.add_argument("--threads", default="1,2")
    opts = ap.parse_args()

    torch.manual_seed(0)
    info = machine_info()
    info["fma_peak_gflops"] = {t: fma_peak(t) for t in (1, 2)}
    print(json.dumps(info, indent=1), flush=True)
    rows = []
    configs = []
    for threads in [int(t) for t in opts.threads.split(",")]:
        for N, H in ((1024, 8), (4096, 8), (16384, 2)):
            for d in (64, 128):
                for causal in (False, True):
                    configs.append((threads, N, H, d, causal))
    if opts.quick:
        configs = [c for c in configs if c[1] <= 4096]
    if opts.only_n:
        configs = [c for c in configs if c[1] == opts.only_n]
    for threads, N, H, d, causal in configs:
        torch.set_num_threads(threads)
        attn.set_num_threads(threads)
        B = 1
        q = torch.randn(B, N, H, d)
        k = torch.randn(B, N, H, d)
        v = torch.randn(B, N, H, d)
        flops = 4 * B * H * N * N * d / (2 if causal else 1)
        reps = 5 if N <= 4096 else 2
        impls = {"attn": attn_call(q, k, v, causal),
                 "torch": torch_call(q, k, v, causal)}
        if (not opts.no_naive and threads == 1 and N <= 4096
                and not (N == 4096 and d == 128)):
            impls["naive"] = naive_call(q, k, v, causal)
        ref = impls["torch"]().double()
        row = {"threads": threads, "B": B, "H": H, "N": N, "d": d,
               "causal": causal}
        for name, fn in impls.items():
            out = fn()  # also the warm-up
            err = ((out.double() - ref).norm() / ref.norm()).item()
            if name != "torch" and not err <= 1e-4:
                raise SystemExit(f"{name} disagrees with torch: {err:.2e} at {row}")
            if name != "torch":
                row[name + "_err_vs_torch"] = err
        # Interleave the timed runs of attn and torch (best of `reps` each)
        # so that clock drift on a shared machine hits both alike; the slow
        # naive path was run once above and is timed once.
        best = {name: float("inf") for name in impls}
        for rep in range(reps):
            for name, fn in impls.items():
                if name == "naive" and rep > 0:
                    continue
                t0 = time.perf_counter()
                fn()
                best[name] = min(best[name], time.perf_counter() - t0)
        for name, t in best.items():
            row[name + "_ms"] = 1e3 * t
            row[name + "_gflops"] = flops / t / 1e9
        row["attn_vs_torch"] = row["torch_ms"] / row["attn_ms"]
        row["attn_pct_peak"] = 100 * row["attn_gflops"] / info["fma_peak_gflops"][threads]
        rows.append(row)
        print(json.dumps(row), flush=True)

    print("\n| threads | B×H | N | d | causal | attn GFLOP/s | torch GFLOP/s | "
          "attn/torch | attn % of FMA peak | naive GFLOP/s |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        naive = f"{r['naive_gflops']:.2f}" if "naive_gflops" in r else "–"
        print(f"| {r['threads']} | {r['B']}×{r['H']} | {r['N']} | {r['d']} | "
              f"{'yes' if r['causal'] else 'no'} | {r['attn_gflops']:.1f} | "
              f"{r['torch_gflops']:.1f} | {r['attn_vs_torch']:.2f}× | "
              f"{r['attn_pct_peak']:.0f}% | {naive} |")
    json.dump({"info": info, "rows": rows}, open(opts.out, "w"), indent=1)

    if opts.plot:
        try:
            import matplotlib
            matplotlib.use("Agg")
            import matplotlib.pyplot as plt
        except ImportError:
            return
        # The quadratic wall: time vs N, d = 64, 1 thread, non-causal, per head.
        sel = [r for r in rows if r["threads"] == 1 and r["d"] == 64 and not r["causal"]]
        fig, ax = plt.subplots(figsize=(6, 4))
        for name, style in (("naive", "o-"), ("torch", "s-"), ("attn", "^-")):
            pts = [(r["N"], r[name + "_ms"] / r["H"]) for r in sel if name + "_ms" in r]
            if pts:
                ax.loglog(*zip(*pts), style, label=name)
        ax.set_xlabel("sequence length N")
        ax.set_ylabel("ms per head (1 thread, d = 64, fp32)")
        ax.set_title("CPU attention: " + info["cpu"][:40])
        ax.grid(True, which="both", alpha=0.3)
        ax.legend()
        fig.tight_layout()
        fig.savefig(opts.plot, dpi=120)


if __name__ == "__main__":
    main()
