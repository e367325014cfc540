#!/usr/bin/env python3
"""CPU flash kernels with a score mod vs what a torch user writes for it, and
vs the same kernel without the mod, one process, side by side:

  alibi    causal + ALiBi (max_bias 8): torch SDPA with the bias as a float
           [H, N, N] attn_mask (causal folded in as -inf), as HF's BLOOM does
  softcap  tanh soft-capping at 50, no mask: torch eager (scores, tanh,
           softmax, P·V), as HF's Gemma 2 does (SDPA has no soft-capping)

f32, B = 1, H = 4, d = 64, [B, N, H, d] memory, 1 and 2 threads; median of
`--rounds` calls after a warm-up; every attn result checked in float64.
Kernels from attn-kernelgen (this build) into bench/out/score_mod.

  python3 bench/cpu_score_mod_bench.py --out score_mod.json [--n 2048,4096]
"""
import json
import math
import os
import subprocess

import torch
import torch.nn.functional as F

from cpu_common import ROOT, attn, kernel_call, machine_info, median_ms, parse_args

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "out", "score_mod")
SPECS = ["name=alibi_causal,d=64,mask=causal,score_mod=alibi",
         "name=causal,d=64,mask=causal",
         "name=softcap,d=64,score_mod=softcap:50",
         "name=plain,d=64"]
subprocess.run([os.path.join(ROOT, "build", "bin", "attn-kernelgen"), "--quiet", "--name",
                "score_mod", "-o", OUT] + [a for s in SPECS for a in ("--spec", s)],
               check=True)
KERNELS = attn.load(os.path.join(OUT, "score_mod.json"))
H, D, CAP = 4, 64, 50.0


def alibi_bias(n, dtype):
    """ALiBi plus the causal mask as one additive [H, N, N] bias."""
    slopes = 2.0 ** (-8.0 * (torch.arange(H, dtype=torch.float64) + 1) / H)
    pos = torch.arange(n)
    dist = (pos[:, None] - pos[None, :]).double()
    bias = -slopes[:, None, None] * dist.abs()
    return bias.masked_fill(dist < 0, float("-inf")).to(dtype)


def softcap_eager(q, k, v):
    s = (q @ k.transpose(-1, -2)) / math.sqrt(q.shape[-1])
    return torch.softmax(CAP * torch.tanh(s / CAP), dim=-1) @ v


def main():
    opts = parse_args("cpu_score_mod.json", "2048,4096")
    torch.manual_seed(0)
    info = machine_info()
    rows = []
    print("| threads | N | score mod | attn ms | attn without the mod ms | torch ms | "
          "speed-up vs torch | rel err |")
    print("|---|---|---|---|---|---|---|---|")
    for threads in (int(t) for t in opts.threads.split(",")):
        torch.set_num_threads(threads)
        attn.set_num_threads(threads)
        for n in (int(x) for x in opts.n.split(",")):
            q, k, v = (torch.randn(1, n, H, D) for _ in range(3))
            qh, kh, vh = (t.transpose(1, 2) for t in (q, k, v))
            bias = alibi_bias(n, torch.float32)
            cases = {
                "alibi": ("alibi_causal", "causal",
                          lambda: F.scaled_dot_product_attention(qh, kh, vh, attn_mask=bias),
                          lambda: F.scaled_dot_product_attention(
                              qh.double(), kh.double(), vh.double(),
                              attn_mask=alibi_bias(n, torch.float64))),
                "softcap": ("softcap", "plain", lambda: softcap_eager(qh, kh, vh),
                            lambda: softcap_eager(qh.double(), kh.double(), vh.double())),
            }
            for mod, (name, base, torch_fn, ref_fn) in cases.items():
                o, ours = kernel_call(KERNELS[name], qh, kh, vh)
                _, without = kernel_call(KERNELS[base], qh, kh, vh)
                ours()
                ref = ref_fn()
                err = float((o.double() - ref).norm() / ref.norm())
                t_attn = median_ms(ours, opts.rounds)
                t_base = median_ms(without, opts.rounds)
                t_torch = median_ms(torch_fn, opts.rounds)
                rows.append({"threads": threads, "n": n, "score_mod": mod, "attn_ms": t_attn,
                             "attn_without_mod_ms": t_base, "torch_ms": t_torch,
                             "rel_err": err})
                print(f"| {threads} | {n} | {mod} | {t_attn:.2f} | {t_base:.2f} | "
                      f"{t_torch:.2f} | {t_torch / t_attn:.2f}x | {err:.1e} |", flush=True)
                if not err < 1e-5:
                    raise SystemExit(f"{mod}: attn's result is off ({err:.3e})")
    with open(opts.out, "w") as f:
        json.dump({"info": info, "rows": rows}, f, indent=1)


if __name__ == "__main__":
    main()
