#!/usr/bin/env python3
"""CPU flash kernels with run-time mask tables vs our own dense kernel, one
process, side by side:

  block_sparse  #attn.block_sparse<128, 128> with a random layout of the
                given densities (attn.block_layout; --rows: the sparse
                kernel's rows per task, 64 so that a task's rows sit in one
                block row)
  documents     #attn.document with D equal documents (attn.document_offsets)

Ideal speed-up = 1 / (fraction of score elements the mask keeps); the table
reports the measured speed-up and its share of the ideal. f32, B = 1, H = 4,
d = 64, [B, N, H, d] memory; the dense and the masked kernel alternate, and
each time is the median of --rounds calls after a warm-up (this machine's
timings drift by tens of percent between runs a minute apart); every result
checked against torch's SDPA in float64 with the dense mask.

  python3 bench/cpu_sparse_bench.py --out sparse.json [--n 4096,8192]
"""
import json
import math
import os
import statistics
import time

import torch
import torch.nn.functional as F

from cpu_common import ROOT, attn, machine_info, parse_args


def specs(rows):
    return [
        "name=dense_d64,d=64",
        f"name=bs128_d64,d=64,rows={rows},mask=#attn.block_sparse<block_q = 128, block_k = 128>",
        "name=docs_d64,d=64,mask=#attn.document",
    ]


def alternating_ms(a, b, rounds):
    """Medians (ms) of `rounds` calls of a and of b, taken in turn."""
    a(), b()
    ta, tb = [], []
    for _ in range(rounds):
        for fn, times in ((a, ta), (b, tb)):
            t = time.perf_counter()
            fn()
            times.append((time.perf_counter() - t) * 1e3)
    return statistics.median(ta), statistics.median(tb)


def check(o, qh, kh, vh, mask):
    ref = F.scaled_dot_product_attention(qh.double(), kh.double(), vh.double(),
                                         attn_mask=mask).nan_to_num(0.0)
    err = float((o.double() - ref).norm() / ref.norm())
    if not err < 1e-5:
        raise SystemExit(f"attn's result is off ({err:.3e})")
    return err


def main():
    opts = parse_args("cpu_sparse.json", "4096,8192", extra=[
        ("--densities", {"default": "0.1,0.25,0.5"}),
        ("--docs", {"default": "4,16"}),
        ("--rows", {"type": int, "default": 64})])
    torch.manual_seed(0)
    lib = attn.compile(specs(opts.rows), target="cpu",
                       kernelgen=os.path.join(ROOT, "build", "bin", "attn-kernelgen"))
    info = machine_info()
    rows = []
    print("| threads | N | mask | kept | attn ms | dense ms | speed-up | of ideal | rel err |")
    print("|---|---|---|---|---|---|---|---|---|")
    for threads in (int(t) for t in opts.threads.split(",")):
        attn.set_num_threads(threads)
        torch.set_num_threads(threads)
        for n in (int(x) for x in opts.n.split(",")):
            q, k, v = (torch.randn(1, n, 4, 64) for _ in range(3))
            qh, kh, vh = (t.transpose(1, 2) for t in (q, k, v))
            o = torch.empty_like(qh)
            dense = lambda: lib["dense_d64"](qh, kh, vh, o=o)  # noqa: E731
            cases = []
            blocks = math.ceil(n / 128)
            for density in (float(x) for x in opts.densities.split(",")):
                layout = attn.block_layout(n, n, 128, 128, torch.rand(blocks, blocks) < density)
                cases.append((f"block_sparse {density}", "bs128_d64", layout))
            for docs in (int(x) for x in opts.docs.split(",")):
                cases.append((f"{docs} documents", "docs_d64",
                              attn.document_offsets([n // docs] * docs)))
            for name, kernel, table in cases:
                pos = torch.arange(n)
                if kernel == "bs128_d64":
                    mask = table[pos[:, None] // 128, pos[None, :] // 128] != 0
                else:
                    doc = pos // (n // int(name.split()[0]))
                    mask = doc[:, None] == doc[None, :]
                kept = float(mask.float().mean())
                run = lambda: lib[kernel](qh, kh, vh, o=o, tables=[table])  # noqa: E731
                run()
                err = check(o, qh, kh, vh, mask)
                t, t_dense = alternating_ms(run, dense, opts.rounds)
                speedup = t_dense / t
                rows.append({"threads": threads, "n": n, "mask": name, "kept": kept,
                             "attn_ms": t, "dense_ms": t_dense, "speedup": speedup,
                             "of_ideal": speedup * kept, "rel_err": err})
                print(f"| {threads} | {n} | {name} | {kept:.3f} | {t:.2f} | {t_dense:.2f} | "
                      f"{speedup:.2f}x | {speedup * kept:.2f} | {err:.1e} |", flush=True)
    with open(opts.out, "w") as f:
        json.dump({"info": info, "specs": specs(opts.rows), "rows": rows}, f, indent=1)


if __name__ == "__main__":
    main()
