#!/usr/bin/env python3
"""GPU attention benchmark, one process, side by side:

  ours    attn's generated kernels (kernels-generated/nvidia, the manifest's
          sdpa_d{64,128,256}_bf16[_causal]) through libattnrt_cuda
  flash   torch SDPA restricted to SDPBackend.FLASH_ATTENTION
  cudnn   torch SDPA restricted to SDPBackend.CUDNN_ATTENTION
  flex    FlexAttention (torch.compile'd; causal through a block mask)

bf16, B * N = 16384 tokens, H * d = 2048 (H = H_kv), N in {1024, 4096,
16384}, d in {64, 128, 256} (--dims), causal and not, inputs in torch's [B, N, H, d] memory
(--layout bhnd for contiguous [B, H, N, d]), read in place by everyone.
Before timing, every contender's output is compared with flash's (norm-wise
relative error); ours must be within 1e-2 or its row says "wrong" and the
script exits 1, so a fast wrong kernel is never reported. A contender that
fails or disagrees is reported as "n/a" / "wrong" with the reason in the JSON.

Timing: CUDA events around --iters back-to-back calls (one batch); after a
warm-up batch each, --rounds rounds each time one batch of every contender
in a fresh random order (seeded by --seed), and the median batch of each is
reported, so clock and thermal drift hit all alike. (A rotating order keeps
the same contender before each one in every round; on an H200, ours at
d = 128, N = 16K measured 5-7% slower when cuDNN's batches always came right
before it than with FlexAttention's in between or in batches of 50 calls.)
TFLOP/s = 4 * B * H * N^2 * d / time, half for causal. ours/flash = ours
TFLOP/s / flash TFLOP/s (> 1: ours is faster).

  python3 bench/gpu_bench.py
      [--manifest kernels-generated/nvidia/attn_gpu_kernels.json]
      [--out gpu_bench.json] [--plot gpu_bench.png] [--quick]

Prints a markdown table (with device, torch, date and command); --out writes
JSON (after every configuration, so a cut-off run keeps what it measured),
--plot a PNG of TFLOP/s vs N (one panel per d and causal) if matplotlib is
importable.
"""
import argparse
import contextlib
import hashlib
import json
import os
import random
import statistics
import subprocess
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gpu_common  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONTENDERS = ["ours", "flash", "cudnn", "flex"]   # + "base" with --baseline
RTOL = 1e-2
TOKENS = 16384      # B * N
WIDTH = 2048        # H * d


def configs(opts):
    """(N, B, H, d, causal) in table order."""
    ns = (1024, 4096) if opts.quick else (1024, 4096, 16384)
    out = []
    for d in opts.dims:
        for causal in (False, True):
            for n in ns:
                if opts.only_n and n != opts.only_n:
                    continue
                if opts.only_d and d != opts.only_d:
                    continue
                out.append((n, TOKENS // n, WIDTH // d, d, causal))
    return out


def make_inputs(B, H, N, d, layout, gen):
    """q, k, v: bf16 [B, H, N, d] views of `layout` memory."""
    def one():
        if layout == "bnhd":
            return torch.randn(B, N, H, d, generator=gen, device="cuda",
                               dtype=torch.bfloat16).transpose(1, 2)
        return torch.randn(B, H, N, d, generator=gen, device="cuda", dtype=torch.bfloat16)
    return one(), one(), one()


# --- contenders: each is (context factory, function returning O) ------------

def ours_fn(rt, kern, q, k, v):
    o, lse = rt.alloc_outputs(kern, q, k)
    args = rt.make_args(kern, q, k, v, o, lse)   # built once, reused
    stream = torch.cuda.current_stream()
    keep = (q, k, v, o, lse)                     # what args points into

    def fn():
        assert keep
        status, message = rt.call(kern, args, stream)
        if status:
            raise gpu_common.AttnrtError(status, message)
        return o
    return contextlib.nullcontext, fn


def sdpa_fn(backend, q, k, v, causal, scale):
    from torch.nn.attention import sdpa_kernel

    def fn():
        return F.scaled_dot_product_attention(q, k, v, is_causal=causal, scale=scale)
    return (lambda: sdpa_kernel([backend])), fn


_flex = None


def flex_fn(q, k, v, causal, scale):
    global _flex
    from torch.nn.attention.flex_attention import create_block_mask, flex_attention
    if _flex is None:
        # One compiled function, recompiled per shape: raise dynamo's limit
        # (8 by default) so that no shape falls back to the eager path (which
        # materialises N x N and would be timed as if it were flex), and make
        # hitting it an error rather than a silent fallback.
        import torch._dynamo
        for name, value in (("recompile_limit", 64), ("cache_size_limit", 64),
                            ("fail_on_recompile_limit_hit", True)):
            with contextlib.suppress(Exception):
                setattr(torch._dynamo.config, name, value)
        _flex = torch.compile(flex_attention, dynamic=False)
    N = q.shape[2]
    block_mask = None
    if causal:
        def causal_mod(b, h, q_idx, kv_idx):
            return q_idx >= kv_idx
        block_mask = create_block_mask(causal_mod, B=None, H=None, Q_LEN=N, KV_LEN=N,
                                       device="cuda")

    def fn():
        return _flex(q, k, v, block_mask=block_mask, scale=scale)
    return contextlib.nullcontext, fn


def contenders(rt, kern, q, k, v, causal, scale, opts):
    """name -> (ctx, fn), or name -> "n/a: why" where it can't even be set up."""
    from torch.nn.attention import SDPBackend
    out = {}
    out["ours"] = (ours_fn(rt, kern, q, k, v) if kern is not None
                   else "n/a: no such kernel in the manifest")
    if opts.base_rt is not None:
        base = opts.base_rt.kernels.get(kern.name if kern is not None else "")
        out["base"] = (ours_fn(opts.base_rt, base, q, k, v) if base is not None
                       else "n/a: no such kernel in the baseline manifest")
    out["flash"] = sdpa_fn(SDPBackend.FLASH_ATTENTION, q, k, v, causal, scale)
    out["cudnn"] = (sdpa_fn(SDPBackend.CUDNN_ATTENTION, q, k, v, causal, scale)
                    if hasattr(SDPBackend, "CUDNN_ATTENTION")
                    else "n/a: this torch has no CUDNN_ATTENTION")
    if opts.no_flex:
        out["flex"] = "n/a: --no-flex"
    else:
        try:
            out["flex"] = flex_fn(q, k, v, causal, scale)
        except Exception as e:
            out["flex"] = f"n/a: {short(e)}"
    return out


def short(e):
    text = f"{type(e).__name__}: {e}".strip().splitlines()
    return text[0][:160] if text else type(e).__name__


def rel_err(x, ref):
    x, ref = x.float(), ref.float()
    return ((x - ref).norm() / ref.norm()).item()


def time_batch(ctx, fn, iters):
    """Milliseconds per call: CUDA events around `iters` back-to-back calls."""
    start = torch.cuda.Event(enable_timing=True)
    end = torch.cuda.Event(enable_timing=True)
    with ctx():
        start.record()
        for _ in range(iters):
            fn()
        end.record()
    end.synchronize()
    return start.elapsed_time(end) / iters


# --- one configuration ------------------------------------------------------

def bench_config(rt, N, B, H, d, causal, opts, gen):
    name = f"sdpa_d{d}_bf16" + ("_causal" if causal else "")
    kern = rt.kernels.get(name)
    scale = kern.scale if kern is not None else d ** -0.5
    q, k, v = make_inputs(B, H, N, d, opts.layout, gen)
    flops = 4 * B * H * N * N * d / (2 if causal else 1)
    row = {"N": N, "B": B, "H": H, "d": d, "causal": causal, "kernel": name,
           "flops": flops, "contenders": {}}
    fns = contenders(rt, kern, q, k, v, causal, scale, opts)

    # Correctness first (also the first warm-up; compiles flex): each output
    # against flash's, or against cuDNN's if flash can't run.
    outs = {}
    for c, f in fns.items():
        if isinstance(f, str):
            row["contenders"][c] = {"status": f}
            continue
        try:
            with f[0]():
                outs[c] = f[1]().clone()
            torch.cuda.synchronize()
        except Exception as e:
            row["contenders"][c] = {"status": f"n/a: {short(e)}"}
            with contextlib.suppress(Exception):
                torch.cuda.synchronize()
    ref_name = next((c for c in ("flash", "cudnn") if c in outs), None)
    row["reference"] = ref_name
    for c, out in outs.items():
        info = row["contenders"].setdefault(c, {})
        if ref_name is None:
            info["status"] = "ok (unchecked: no flash or cuDNN output)" if c != "ours" \
                else "wrong: nothing to check against"
            continue
        err = rel_err(out, outs[ref_name])
        info["err_vs_ref"] = err
        info["status"] = "ok" if err <= RTOL else f"wrong: rel err {err:.2e} vs {ref_name}"
    del outs

    timed = [c for c in CONTENDERS
             if row["contenders"].get(c, {}).get("status", "").startswith("ok")]
    for c in timed:            # warm-up batch
        time_batch(*fns[c], opts.iters)
    times = {c: [] for c in timed}
    shuffle = random.Random(opts.seed)
    for _ in range(opts.rounds):
        order = shuffle.sample(timed, len(timed))
        for c in order:
            times[c].append(time_batch(*fns[c], opts.iters))
    for c in timed:
        ms = statistics.median(times[c])
        row["contenders"][c].update({"ms": ms, "tflops": flops / (ms * 1e-3) / 1e12,
                                     "rounds_ms": times[c]})
    for other in ("flash", "cudnn", "flex", "base"):
        a, b = row["contenders"].get("ours", {}), row["contenders"].get(other, {})
        if "tflops" in a and "tflops" in b:
            row[f"ours_vs_{other}"] = a["tflops"] / b["tflops"]
    del fns, q, k, v
    torch.cuda.empty_cache()
    return row


# --- output -------------------------------------------------------------------

def cell(row, c):
    info = row["contenders"].get(c, {})
    if "tflops" in info:
        return f"{info['tflops']:.1f}"
    return "wrong" if info.get("status", "").startswith("wrong") else "n/a"


def table(rows):
    others = [c for c in CONTENDERS if c != "ours"]
    names = {"flash": "flash", "cudnn": "cuDNN", "flex": "flex", "base": "base"}
    lines = ["| d | causal | N | B×H | " + " | ".join(names.get(c, c) for c in CONTENDERS)
             + " | " + " | ".join(f"ours/{names[o]}" for o in others)
             + " | ours ms | ours err vs flash |",
             "|---" * (4 + len(CONTENDERS) + len(others) + 2) + "|"]
    for r in rows:
        ours = r["contenders"].get("ours", {})
        ratios = [f"{r[f'ours_vs_{o}']:.2f}×" if f"ours_vs_{o}" in r else "–"
                  for o in others]
        ms = f"{ours['ms']:.3f}" if "ms" in ours else "–"
        err = f"{ours['err_vs_ref']:.1e}" if "err_vs_ref" in ours else "–"
        cells = ([str(r["d"]), "yes" if r["causal"] else "no", str(r["N"]),
                  f"{r['B']}×{r['H']}"] + [cell(r, c) for c in CONTENDERS] +
                 ratios + [ms, err])
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def plot(rows, info, path):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print(f"# no matplotlib: not writing {path}")
        return
    dims = sorted({r["d"] for r in rows})
    panels = [(d, causal) for d in dims for causal in (False, True)]
    fig, axes = plt.subplots(len(dims), 2, figsize=(10, 3.5 * len(dims)), sharex=True,
                             squeeze=False)
    # one marker and colour per contender in every panel
    styles = {"ours": ("o-", "C3"), "flash": ("s-", "C0"), "cudnn": ("^-", "C2"),
              "flex": ("d-", "C1"), "base": ("x--", "C7")}
    ns = sorted({r["N"] for r in rows})
    for ax, (d, causal) in zip(axes.flat, panels):
        sel = [r for r in rows if r["d"] == d and r["causal"] == causal]
        for c in CONTENDERS:
            pts = [(r["N"], r["contenders"][c]["tflops"]) for r in sel
                   if "tflops" in r["contenders"].get(c, {})]
            if pts:
                ax.plot(*zip(*pts), styles[c][0], color=styles[c][1], label=c)
        ax.set_xscale("log", base=2)
        ax.set_xticks(ns, [str(n) for n in ns])
        ax.set_title(f"d = {d}, {'causal' if causal else 'no mask'}")
        ax.set_xlabel(f"N (B·N = {TOKENS}, H·d = {WIDTH})")
        ax.set_ylabel("TFLOP/s (bf16)")
        ax.set_ylim(bottom=0)
        ax.grid(True, alpha=0.3)
        if ax.lines:
            ax.legend()
    fig.suptitle(f"attention forward on {info['device']} (torch {info['torch']})")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    print(f"# plot: {path}")


def matmul_ceiling():
    """TFLOP/s of a bf16 8192^3 torch.matmul on random data: the rate the
    tensor cores reach here, the ceiling to read the rows against."""
    n = 8192
    a = torch.randn(n, n, device="cuda", dtype=torch.bfloat16)
    b = torch.randn(n, n, device="cuda", dtype=torch.bfloat16)
    for _ in range(3):
        a @ b
    ms = statistics.median(time_batch(contextlib.nullcontext, lambda: a @ b, 10)
                           for _ in range(5))
    return 2 * n ** 3 / (ms * 1e-3) / 1e12


def git_commit():
    try:
        return subprocess.run(["git", "-C", ROOT, "describe", "--always", "--dirty"],
                              capture_output=True, text=True, check=True).stdout.strip()
    except Exception:
        return "unknown"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--manifest", default=os.path.join(
        ROOT, "kernels-generated", "nvidia", "attn_gpu_kernels.json"))
    ap.add_argument("--out", default="", help="JSON results")
    ap.add_argument("--plot", default="", help="PNG: TFLOP/s vs N")
    ap.add_argument("--quick", action="store_true", help="N in {1024, 4096}, 5 rounds")
    ap.add_argument("--rounds", type=int, default=7, help="timed rounds (>= 5)")
    ap.add_argument("--iters", type=int, default=20, help="calls per timed batch")
    ap.add_argument("--layout", choices=("bnhd", "bhnd"), default="bnhd",
                    help="memory of q, k, v: torch's [B, N, H, d] or contiguous [B, H, N, d]")
    ap.add_argument("--only-n", type=int, default=0)
    ap.add_argument("--only-d", type=int, default=0)
    ap.add_argument("--no-flex", action="store_true", help="skip FlexAttention")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--dims", default="64,128,256", help="head dims (kernels sdpa_d<d>_bf16[_causal])")
    ap.add_argument("--baseline", default="",
                    help="a second manifest with kernels of the same names, timed as 'base' "
                         "(an A/B of two kernel sets in one run)")
    opts = ap.parse_args()
    opts.dims = [int(x) for x in opts.dims.split(",") if x]
    opts.base_rt = gpu_common.Runtime(opts.baseline) if opts.baseline else None
    if opts.base_rt is not None:
        CONTENDERS.insert(1, "base")
    if opts.quick:
        opts.rounds = min(opts.rounds, 5)
    if opts.rounds < 5:
        print(f"# note: --rounds {opts.rounds} < 5: medians are noisy")

    rt = gpu_common.Runtime(opts.manifest)
    image = open(rt.image_path, "rb").read()
    props = torch.cuda.get_device_properties(0)
    info = {
        "date": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
        "device": torch.cuda.get_device_name(),
        "compute_capability": f"{props.major}.{props.minor}",
        "torch": torch.__version__, "cuda": torch.version.cuda,
        "cudnn": torch.backends.cudnn.version(),
        "command": " ".join([os.path.basename(sys.executable)] + sys.argv),
        "commit": git_commit(),
        "manifest": opts.manifest, "target": rt.manifest.get("target"),
        "kernelgen_command": rt.manifest.get("command"),
        "image": os.path.basename(rt.image_path),
        "image_sha256": hashlib.sha256(image).hexdigest(),
        "kernels": {k.name: {f: k.info.get(f) for f in
                             ("tiles", "threads", "smem_bytes", "registers", "spills")}
                    for k in rt.kernels.values()},
        "rounds": opts.rounds, "iters": opts.iters, "layout": opts.layout,
    }
    print(f"# GPU attention benchmark: {info['device']} (sm {info['compute_capability']}), "
          f"torch {info['torch']} (CUDA {info['cuda']}, cuDNN {info['cudnn']}), {info['date']}")
    print(f"# command: `{info['command']}` (commit {info['commit']})")
    print(f"# ours: {opts.manifest}, {info['target']}, {info['image']} "
          f"sha256 {info['image_sha256'][:12]}")
    info["matmul_tflops"] = matmul_ceiling()
    print(f"# ceiling: bf16 matmul 8192^3 {info['matmul_tflops']:.0f} TFLOP/s (torch, this run)")
    print(f"# timing: median of {opts.rounds} rounds (random order) x {opts.iters} calls "
          f"(CUDA events); bf16, {opts.layout} memory, B*N = {TOKENS}, H*d = {WIDTH}", flush=True)

    gen = torch.Generator(device="cuda").manual_seed(opts.seed)
    rows = []
    failed = False
    for N, B, H, d, causal in configs(opts):
        row = bench_config(rt, N, B, H, d, causal, opts, gen)
        rows.append(row)
        ours = row["contenders"].get("ours", {})
        if not ours.get("status", "").startswith("ok"):
            failed = True
        progress = [f"{c}={row['contenders'][c]['tflops']:.1f}"
                    if "tflops" in row["contenders"].get(c, {}) else
                    f"{c}=[{row['contenders'].get(c, {}).get('status', '?')}]"
                    for c in CONTENDERS]
        print(f"# N={N} B×H={B}×{H} d={d} causal={causal}: TFLOP/s "
              + " ".join(progress), flush=True)
        if opts.out:
            with open(opts.out, "w") as f:
                json.dump({"info": info, "rows": rows}, f, indent=1)

    print()
    print(f"GPU attention forward, {info['device']}, torch {info['torch']}, {info['date']}; "
          f"`{info['command']}`")
    print()
    print("TFLOP/s (4·B·H·N²·d / time, half for causal); ours/x = ours TFLOP/s ÷ x's "
          "(> 1: ours faster)")
    print()
    print(table(rows))
    if opts.plot:
        plot(rows, info, opts.plot)
    if failed:
        print("\nFAILED: ours did not run or disagreed with the reference in some rows")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
