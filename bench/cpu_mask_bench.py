#!/usr/bin/env python3
"""CPU flash kernels with masks beyond bands vs torch SDPA with the same mask
as a boolean [N, N] tensor (what a torch user writes for these patterns),
one process, side by side:

  longformer  window(256, 256) ∪ 16 global tokens
  strided     window(127, 0) ∪ every 128th key before (the Sparse
              Transformer's strided pattern)
  dilated     every 4th key of the last 1025

f32, B = 1, H = 4, d = 64, [B, N, H, d] memory, 1 and 2 threads; median of
`--rounds` calls after a warm-up; every attn result checked against torch in
float64. Kernels: bench/cpu_masks.mlir through attn-kernelgen (this build),
into bench/out/masks.

  python3 bench/cpu_mask_bench.py --out masks.json [--n 4096,8192]
"""
import json
import os
import subprocess

import torch
import torch.nn.functional as F

from cpu_common import ROOT, attn, kernel_call, machine_info, median_ms, parse_args

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "out", "masks")
subprocess.run([os.path.join(ROOT, "build", "bin", "attn-kernelgen"), "--quiet",
                os.path.join(HERE, "cpu_masks.mlir"), "--name", "masks", "-o", OUT],
               check=True)
KERNELS = attn.load(os.path.join(OUT, "masks.json"))

MASKS = {  # allowed(i, j) on query / key positions (N_q = N_kv)
    "longformer": lambda i, j: ((j - i).abs() <= 256) | (j < 16) | (i < 16),
    "strided": lambda i, j: ((i - j >= 0) & (i - j <= 127)) | ((i - j >= 0) & ((i - j) % 128 == 0)),
    "dilated": lambda i, j: (i - j >= 0) & (i - j <= 1024) & ((i - j) % 4 == 0),
}


def main():
    opts = parse_args("cpu_masks.json", "4096,8192")
    torch.manual_seed(0)
    info = machine_info()
    rows = []
    print("| threads | N | mask | density | attn ms | torch SDPA + bool mask ms | speed-up | rel err |")
    print("|---|---|---|---|---|---|---|---|")
    for threads in (int(t) for t in opts.threads.split(",")):
        torch.set_num_threads(threads)
        attn.set_num_threads(threads)
        for n in (int(x) for x in opts.n.split(",")):
            q, k, v = (torch.randn(1, n, 4, 64) for _ in range(3))
            qh, kh, vh = (t.transpose(1, 2) for t in (q, k, v))
            pos = torch.arange(n)
            for name, allowed in MASKS.items():
                mask = allowed(pos[:, None], pos[None, :])
                o, ours = kernel_call(KERNELS[f"{name}_d64"], qh, kh, vh)
                ours()
                ref = F.scaled_dot_product_attention(qh.double(), kh.double(), vh.double(),
                                                     attn_mask=mask)
                err = float((o.double() - ref).norm() / ref.norm())
                t_attn = median_ms(ours, opts.rounds)
                t_torch = median_ms(
                    lambda: F.scaled_dot_product_attention(qh, kh, vh, attn_mask=mask),
                    opts.rounds)
                density = float(mask.float().mean())
                rows.append({"threads": threads, "n": n, "mask": name, "density": density,
                             "attn_ms": t_attn, "torch_ms": t_torch, "rel_err": err})
                print(f"| {threads} | {n} | {name} | {density:.3f} | {t_attn:.2f} | "
                      f"{t_torch:.2f} | {t_torch / t_attn:.2f}x | {err:.1e} |", flush=True)
                if not err < 1e-5:
                    raise SystemExit(f"{name}: attn's result is off ({err:.3e})")
    with open(opts.out, "w") as f:
        json.dump({"info": info, "rows": rows}, f, indent=1)


if __name__ == "__main__":
    main()
