#!/usr/bin/env python3
"""attn.linear on the GPU: attn's generated kernels (kernels-generated/nvidia,
the manifest's linear_* kernels) checked against float64 and timed against
flash-linear-attention (fla) and softmax attention, in one process.

  python3 bench/linear_gpu.py --check [--quick]  # the numerics matrix
  python3 bench/linear_gpu.py --bench [--out f.json] [--plot f.png]

--check: every linear kernel of the manifest on fresh random inputs (never
zeros; identity features on |x|, which keeps denominators positive) against
attn.linear_reference in float64: N in {1, 63, 100, 1000, 4097, 16384}, N_q !=
N_kv, GQA, [B, H, N, d] and [B, N, H, d] memory, inputs x3; norm-wise
||out - ref|| / ||ref|| <= 1e-2 (bf16/f16), NaN never passes. Then argument
errors: a short workspace, lse given, N_q > N_kv causal. Exits 1 on a failure.

--bench: bf16, d = 64 and 128, H * d = 2048, B * N = 16384 (and B = 1 at N =
64K), causal elu+1 and non-causal elu+1. Contenders, each on the same
[B, N, H, d] tensors:
  ours        the generated kernel (φ applied inside), through libattnrt_cuda
  base        the same kernel of --baseline's manifest (an A/B in one run)
  attn-sdpa   attn's own exact flash kernel of the manifest (sdpa_d{d}_bf16
              [_causal]): the crossover of O(N) against O(N²)
  eager       torch eager elu+1 linear attention, non-causal, in bf16 (φ, then
              φKᵀV and φQ·S as einsums)
  fla         fla.ops.linear_attn.chunk_linear_attn(normalize=True) on inputs
              already through φ (its op has no feature map: φ's time is not
              counted), causal only (fla's linear_attn is causal)
  fla+phi     the same with elu+1 applied by torch first
  sdpa        torch SDPA (flash backend, causal as ours), exact softmax
              attention: where linear attention's O(N) overtakes O(N²)
Time: CUDA events around --iters calls, median of --rounds rounds in a
random order. Before timing, ours is compared with float64 (N <= 4K) or fla
(both must agree within 2e-2; otherwise the row says "wrong").
"""
import argparse
import json
import os
import random
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gpu_common  # noqa: E402

attn = gpu_common.attn
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RTOL = 1e-2


def rel_err(out, ref):
    out, ref = out.double(), ref.double()
    if not torch.isfinite(out).all():
        return float("inf")
    return ((out - ref).norm() / ref.norm()).item()


def make(B, H, N, d, layout, gen, dtype, positive=False, scale=1.0):
    """[B, H, N, d] view of `layout` memory, random (|x| when positive)."""
    shape = (B, N, H, d) if layout == "bnhd" else (B, H, N, d)
    x = torch.randn(shape, generator=gen, device="cuda", dtype=torch.float32) * scale
    if positive:
        x = x.abs() + 0.05
    x = x.to(dtype)
    return x.transpose(1, 2) if layout == "bnhd" else x


def linear_kernels(rt):
    return [k for k in rt.kernels.values() if k.linear]


def check(rt, quick=False):
    gen = torch.Generator(device="cuda").manual_seed(1)
    failures, count = 0, 0
    cases = [  # B, Hq, Hkv, Nq, Nkv, layout, scale
        (1, 2, 2, 1, 1, "bhnd", 1.0), (2, 4, 2, 63, 63, "bnhd", 1.0),
        (2, 4, 2, 100, 100, "bhnd", 3.0), (1, 2, 1, 1000, 1000, "bnhd", 1.0),
        (1, 3, 3, 4097, 4097, "bhnd", 1.0), (1, 2, 2, 16384, 16384, "bnhd", 1.0),
        (1, 2, 2, 50, 300, "bhnd", 1.0), (1, 2, 2, 777, 1000, "bnhd", 1.0),
    ]
    if quick:   # (under compute-sanitizer)
        cases = [c for c in cases if c[4] <= 1000]
    for kern in linear_kernels(rt):
        causal = kern.mask.kind == "causal"
        positive = kern.feature_map == "identity"
        for B, Hq, Hkv, Nq, Nkv, layout, scale in cases:
            if not causal and (B, Hq, Nq) == (1, 2, 16384):
                Nq = 5000   # non-causal N_q != N_kv at length
            q = make(B, Hq, Nq, kern.head_dim, layout, gen, kern.dtype, positive, scale)
            k = make(B, Hkv, Nkv, kern.head_dim, layout, gen, kern.dtype, positive, scale)
            v = make(B, Hkv, Nkv, kern.value_dim, layout, gen, kern.dtype, False, scale)
            o = kern(q, k, v)
            ref = attn.linear_reference(q, k, v, feature_map=kern.feature_map,
                                        causal=causal, eps=kern.eps)
            err = rel_err(o, ref)
            ok = err <= RTOL
            count += 1
            failures += not ok
            print(f"{'ok  ' if ok else 'FAIL'} {kern.name} B={B} Hq={Hq} Hkv={Hkv} "
                  f"Nq={Nq} Nkv={Nkv} {layout} x{scale}: rel err {err:.2e}", flush=True)
            del ref
    # Argument errors: each must come back as the runtime's status, no launch.
    kern = next(k for k in linear_kernels(rt) if k.mask.kind == "causal")
    q = make(1, 2, 200, kern.head_dim, "bhnd", gen, kern.dtype)
    o = torch.empty_like(q)
    args = kern.make_args(q, q, q, o)
    status, need, _ = kern.workspace_bytes(args)
    short = torch.empty(max(need - 16, 0), dtype=torch.uint8, device="cuda")
    expect = [
        ("short workspace", kern.call(args, workspace=short), gpu_common.ATTNRT_ERROR_BAD_ARGUMENT),
        ("lse given", kern.call(kern.make_args(q, q, q, o, torch.empty(1, 2, 200, device="cuda"))),
         gpu_common.ATTNRT_ERROR_BAD_ARGUMENT),
        ("N_q > N_kv causal", kern.call(kern.make_args(q, q[:, :, :100], q[:, :, :100], o)),
         gpu_common.ATTNRT_ERROR_BAD_SIZE),
    ]
    # o inside the workspace.
    ws = torch.empty(need, dtype=torch.uint8, device="cuda")
    o_in = ws[:o.numel() * o.element_size()].view(kern.dtype).view(o.shape)
    expect.append(("o inside the workspace", kern.call(kern.make_args(q, q, q, o_in), workspace=ws),
                   gpu_common.ATTNRT_ERROR_OVERLAP))
    for what, (status, message), want in expect:
        ok = status == want
        count += 1
        failures += not ok
        print(f"{'ok  ' if ok else 'FAIL'} error case {what}: status {status} ({message})")
    torch.cuda.synchronize()
    print(f"{count - failures} passed, {failures} failed")
    return failures == 0


def time_batch(fn, iters):
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    start.record()
    for _ in range(iters):
        fn()
    end.record()
    torch.cuda.synchronize()
    return start.elapsed_time(end) / iters


def bench(rt, opts):
    from torch.nn.attention import SDPBackend, sdpa_kernel
    try:
        from fla.ops.linear_attn import chunk_linear_attn
    except Exception as e:   # noqa: BLE001
        chunk_linear_attn = None
        print(f"fla unavailable: {e}")
    gen = torch.Generator(device="cuda").manual_seed(opts.seed)
    rows = []
    kernels = {k.name: k for k in linear_kernels(rt)}
    base = ({k.name: k for k in linear_kernels(gpu_common.Runtime(opts.baseline))}
            if opts.baseline else {})
    elu1 = lambda x: torch.nn.functional.elu(x) + 1  # noqa: E731
    for d in opts.dims:
        for causal in (True, False):
            name = f"linear_d{d}_bf16" + ("_causal" if causal else "")
            if name not in kernels:
                continue
            kern = kernels[name]
            for N in opts.ns:
                H = 2048 // d
                B = max(1, 16384 // N)
                q, k, v = (make(B, H, N, d, "bnhd", gen, torch.bfloat16) for _ in range(3))
                o = torch.empty_like(q)
                args = kern.make_args(q, k, v, o)
                _, nbytes, _ = kern.workspace_bytes(args)
                ws = torch.empty(nbytes, dtype=torch.uint8, device="cuda")
                fns = {"ours": lambda: kern.call(args, workspace=ws)}
                if name in base:
                    bk = base[name]
                    bo = torch.empty_like(q)   # alive while bargs points to it
                    bargs = bk.make_args(q, k, v, bo)
                    bws = torch.empty(bk.workspace_bytes(bargs)[1], dtype=torch.uint8,
                                      device="cuda")
                    fns["base"] = lambda: bk.call(bargs, workspace=bws)
                exact = rt.kernels.get(f"sdpa_d{d}_bf16" + ("_causal" if causal else ""))
                if exact is not None:
                    eo = torch.empty_like(q)
                    lse = torch.empty(B, H, N, device="cuda") if exact.has_lse else None
                    eargs = exact.make_args(q, k, v, eo, lse)
                    fns["attn-sdpa"] = lambda: exact.call(eargs)
                if not causal:
                    def eager():   # in bf16, as a model would run it
                        fq, fk = elu1(q), elu1(k)
                        s = torch.einsum("bhnf,bhne->bhfe", fk, v)
                        z = fk.sum(2, dtype=torch.float32).to(q.dtype)
                        num = torch.einsum("bhnf,bhfe->bhne", fq, s)
                        return num / (torch.einsum("bhnf,bhf->bhn", fq, z)[..., None] + 1e-6)
                    fns["eager"] = eager
                # fla: [B, T, H, K] tensors, φ already applied.
                qt, kt, vt = (x.transpose(1, 2) for x in (q, k, v))
                fq, fk = elu1(qt.float()).bfloat16(), elu1(kt.float()).bfloat16()
                if chunk_linear_attn is not None and causal:
                    fns["fla"] = lambda: chunk_linear_attn(fq, fk, vt, scale=1.0, normalize=True)
                    fns["fla+phi"] = lambda: chunk_linear_attn(elu1(qt), elu1(kt), vt, scale=1.0,
                                                               normalize=True)

                def sdpa():
                    with sdpa_kernel([SDPBackend.FLASH_ATTENTION]):
                        return torch.nn.functional.scaled_dot_product_attention(
                            q, k, v, is_causal=causal)
                fns["sdpa"] = sdpa
                # Correctness before timing.
                status, message = fns["ours"]()
                torch.cuda.synchronize()
                row = {"d": d, "causal": causal, "N": N, "B": B, "H": H, "workspace": nbytes}
                if status:
                    row["error"] = message
                    rows.append(row)
                    print(row)
                    continue
                if N <= 4096:
                    ref = attn.linear_reference(q[:1], k[:1], v[:1], causal=causal,
                                                feature_map=kern.feature_map, eps=kern.eps)
                    row["err_ref"] = rel_err(o[:1], ref)
                    del ref
                if "fla" in fns:
                    fo = fns["fla"]()[0]
                    row["err_fla"] = rel_err(o.transpose(1, 2), fo)
                wrong = max(row.get("err_ref", 0), row.get("err_fla", 0)) > 2e-2
                row["wrong"] = wrong
                times = {c: [] for c in fns}
                for fn in fns.values():
                    time_batch(fn, 3)
                for _ in range(opts.rounds):
                    order = list(fns)
                    random.shuffle(order)
                    for c in order:
                        times[c].append(time_batch(fns[c], opts.iters))
                for c in fns:
                    row[c + "_ms"] = statistics.median(times[c])
                for c in fns:
                    if c != "ours":
                        row["ours_vs_" + c] = row[c + "_ms"] / row["ours_ms"]
                # Bytes of q, k, v, o at one pass: the memory floor.
                row["ours_GBps"] = 4 * B * H * N * d * 2 / row["ours_ms"] / 1e6
                rows.append(row)
                print(json.dumps(row), flush=True)
                if opts.out:
                    with open(opts.out, "w") as f:
                        json.dump({"device": torch.cuda.get_device_name(),
                                   "torch": torch.__version__, "date": time.strftime(
                                       "%Y-%m-%d %H:%M UTC", time.gmtime()),
                                   "command": " ".join(sys.argv), "rows": rows}, f, indent=1)
    print(f"\nDevice: {torch.cuda.get_device_name()}, torch {torch.__version__}")
    print("| d | causal | N | B×H | ours ms | base ms | fla ms | fla+φ ms | eager ms | attn-sdpa ms "
          "| torch sdpa ms | ours/base | ours/fla | ours/eager | ours/attn-sdpa | ours GB/s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        if "ours_ms" not in r:
            continue
        f = lambda key: f"{r[key]:.3f}" if key in r else "—"  # noqa: E731
        x = lambda key: f"{r[key]:.2f}×" if key in r else "—"  # noqa: E731
        print(f"| {r['d']} | {'yes' if r['causal'] else 'no'} | {r['N']} | {r['B']}×{r['H']} | "
              f"{f('ours_ms')}{' (wrong)' if r['wrong'] else ''} | {f('base_ms')} | {f('fla_ms')} | "
              f"{f('fla+phi_ms')} | {f('eager_ms')} | {f('attn-sdpa_ms')} | {f('sdpa_ms')} | "
              f"{x('ours_vs_base')} | {x('ours_vs_fla')} | {x('ours_vs_eager')} | "
              f"{x('ours_vs_attn-sdpa')} | {r['ours_GBps']:.0f} |")
    if opts.plot:
        plot(rows, opts.plot)
    return not any(r.get("wrong") or "error" in r for r in rows)


def plot(rows, path):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return
    panels = sorted({(r["d"], r["causal"]) for r in rows if "ours_ms" in r})
    fig, axes = plt.subplots(1, len(panels), figsize=(5 * len(panels), 4), squeeze=False)
    for ax, (d, causal) in zip(axes[0], panels):
        sel = [r for r in rows if r["d"] == d and r["causal"] == causal and "ours_ms" in r]
        for c in ("ours", "fla", "fla+phi", "eager", "attn-sdpa", "sdpa"):
            pts = [(r["N"], r[c + "_ms"] / r["B"]) for r in sel if c + "_ms" in r]
            if pts:
                ax.plot(*zip(*pts), marker="o", label=c)
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel("N")
        ax.set_ylabel("ms per sequence")
        ax.set_title(f"d={d} {'causal' if causal else 'non-causal'}")
        ax.legend()
    fig.tight_layout()
    fig.savefig(path)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--manifest", default=os.path.join(
        ROOT, "kernels-generated", "nvidia", "attn_gpu_kernels.json"))
    p.add_argument("--check", action="store_true")
    p.add_argument("--bench", action="store_true")
    p.add_argument("--quick", action="store_true", help="--check: N <= 1000 only")
    p.add_argument("--dims", type=lambda s: [int(x) for x in s.split(",")], default=[64, 128])
    p.add_argument("--ns", type=lambda s: [int(x) for x in s.split(",")],
                   default=[1024, 4096, 16384, 65536])
    p.add_argument("--iters", type=int, default=20)
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--baseline", help="a second manifest whose linear kernels run as 'base'")
    p.add_argument("--out")
    p.add_argument("--plot")
    opts = p.parse_args()
    random.seed(opts.seed)
    rt = gpu_common.Runtime(opts.manifest)
    ok = True
    if opts.check:
        ok &= check(rt, opts.quick)
    if opts.bench:
        ok &= bench(rt, opts)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
