#!/usr/bin/env python3
"""CPU decode today: one query row per (batch, head) over a long KV cache,
reported as K+V read bandwidth next to the machine's copy bandwidth, one
process, side by side (the baseline of issue 16's CPU target, >= 80 % of the
copy bandwidth at 2 threads):

  copy     torch's copy of a 256 MiB f32 tensor (read + write bytes / time)
  torch    F.scaled_dot_product_attention(q, k, v, enable_gqa=True)
  attn192  attn's flash kernel as committed (192 rows per task)
  attn32   the same, 32 rows per task (attn-kernelgen --rows-per-task=32)
  attn16   the same, 16 rows per task (--rows-per-task=16)
  attn4    the decode kernel (--rows-per-task=4: the head dim in lanes)
  packed   each kernel on the g = 4 query heads of a KV head as the rows of
           one head (a view by strides, what attn.sdpa does at N_q = 1 with
           GQA on the CPU): K and V read once per KV head

N_q = 1, B = 1, H_q = 32, H_kv = 8, d = 128, f32, K and V in [B, N, H, d]
memory (--kv-layout bnhd) or a KV cache's [B, H, N, d] (bhnd); no
mask (a bottom-right causal mask allows every key to the last row). Median of
`--rounds` calls; every attn result checked in float64 (to 1e-5, or 4x
torch's own f32 error where that is larger: a row averages N_kv values). The flash kernel
gives each query head a task of at least 32 rows (31 of them empty) and
re-reads the KV head for each of its 4 query heads unless packed.

  python3 bench/cpu_decode_bench.py --out decode.json [--n 8192,32768]
      [--kv-layout bnhd,bhnd]
"""
import json
import os
import subprocess

import torch
import torch.nn.functional as F

from cpu_common import ROOT, attn, kernel_call, machine_info, median_ms, parse_args

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "out", "decode")
HQ, HKV, D = 32, 8, 128


def compile_kernels():
    exe = os.path.join(ROOT, "build", "bin", "attn-kernelgen")
    for rows in (192, 32, 16, 4):
        subprocess.run([exe, "--quiet", f"--rows-per-task={rows}", "--name", f"decode{rows}",
                        "--spec", f"name=decode{rows},d={D}", "-o", OUT], check=True)
    return {rows: attn.load(os.path.join(OUT, f"decode{rows}.json"))[f"decode{rows}"]
            for rows in (192, 32, 16, 4)}


def copy_gbs(rounds):
    src = torch.randn(64 << 20)
    dst = torch.empty_like(src)
    ms = median_ms(lambda: dst.copy_(src), rounds)
    return 2 * src.numel() * 4 / ms / 1e6


def main():
    opts = parse_args("cpu_decode.json", "8192,32768", extra=[
        ("--kv-layout", dict(default="bnhd,bhnd", help="K, V memory: bnhd and/or bhnd"))])
    kernels = compile_kernels()
    torch.manual_seed(0)
    info = machine_info()
    rows = []
    names = [f"attn{r}" for r in kernels] + [f"packed{r}" for r in kernels]
    print("| threads | N_kv | K, V memory | copy GB/s | torch GB/s | "
          + " | ".join(names) + " | rel err |")
    print("|---" * (len(names) + 6) + "|")
    for threads in (int(t) for t in opts.threads.split(",")):
        torch.set_num_threads(threads)
        attn.set_num_threads(threads)
        copy = copy_gbs(opts.rounds)
        for n in (int(x) for x in opts.n.split(",")):
            for layout in opts.kv_layout.split(","):
                rows.append(measure(kernels, threads, n, layout, copy, opts.rounds))
    with open(opts.out, "w") as f:
        json.dump({"info": info, "rows": rows}, f, indent=1)


def measure(kernels, threads, n, layout, copy, rounds):
    """One row of the table: every kernel, alone and packed, on one N_kv."""
    q = torch.randn(1, 1, HQ, D).transpose(1, 2)
    if layout == "bnhd":
        k, v = (torch.randn(1, n, HKV, D).transpose(1, 2) for _ in range(2))
    else:
        k, v = (torch.randn(1, HKV, n, D) for _ in range(2))
    kv_bytes = 2 * n * HKV * D * 4
    ref = F.scaled_dot_product_attention(q.double(), k.double(), v.double(),
                                         enable_gqa=True)
    row = {"threads": threads, "n_kv": n, "kv_layout": layout, "copy_gbs": copy}
    torch_o = F.scaled_dot_product_attention(q, k, v, enable_gqa=True)
    torch_err = float((torch_o.double() - ref).norm() / ref.norm())
    t = median_ms(lambda: F.scaled_dot_product_attention(q, k, v, enable_gqa=True), rounds)
    row["torch_gbs"] = kv_bytes / t / 1e6
    errs = []
    # Packed GQA by strides: the g query heads of a KV head as the g rows of
    # one head (N_q = 1), so each task reads its K and V once.
    g = HQ // HKV
    for name, query in (("attn", q), ("packed", q[:, :, 0, :].unflatten(1, (HKV, g)))):
        for r, kern in kernels.items():
            o, call = kernel_call(kern, query, k, v)
            call()
            errs.append(float((o.reshape(1, HQ, 1, D).double() - ref).norm() / ref.norm()))
            row[f"{name}{r}_gbs"] = kv_bytes / median_ms(call, rounds) / 1e6
    row["rel_err"], row["torch_rel_err"] = max(errs), torch_err
    cells = [f"{row[f'{name}{r}_gbs']:.2f}" for name in ("attn", "packed") for r in kernels]
    print(f"| {threads} | {n} | {layout} | {copy:.1f} | {row['torch_gbs']:.1f} | "
          + " | ".join(cells) + f" | {max(errs):.1e} (torch {torch_err:.1e}) |", flush=True)
    # One output row averages N_kv values: f32 rounding grows with N for
    # everyone; hold attn to torch's f32 error, or 1e-5.
    if not max(errs) < max(1e-5, 4 * torch_err):
        raise SystemExit(f"attn's result is off ({max(errs):.3e}, torch {torch_err:.3e})")
    return row


if __name__ == "__main__":
    main()
