#!/usr/bin/env python3
"""CPU decode with a few query rows under a causal mask (speculative
decoding), GQA, one process, side by side, as K+V read bandwidth:

  packed   the committed decode kernel packed by KV head
           (sdpa_d128_causal_decode: rows of the 4 query heads of a KV head,
           (head, query) pairs, 4 to a task; K and V read once per KV head
           per task)
  per-head the same decode kernel unpacked (attn.compile, rows=4): a task
           per query head, each re-reading its KV head
  flash    the committed causal flash kernel (192 rows per task)
  torch    F.scaled_dot_product_attention with the bottom-right causal
           mask as a boolean [N_q, N_kv] tensor, enable_gqa=True

B = 1, H_q = 32, H_kv = 8, d = 128, f32, [B, H, N, d] memory (a KV cache);
median of --rounds calls; every attn result checked in float64.

  python3 bench/cpu_spec_decode_bench.py --out spec.json [--n 8192,32768] [--nq 1,4,8]
"""
import json
import os

import torch
import torch.nn.functional as F

from cpu_common import ROOT, attn, machine_info, median_ms, parse_args

HQ, HKV, D = 32, 8, 128


def main():
    opts = parse_args("cpu_spec_decode.json", "8192,32768", extra=[
        ("--nq", {"default": "1,4,8"})])
    committed = attn.load(os.path.join(ROOT, "build", "kernels-host", "attn_cpu_kernels.json"))
    compiled = attn.compile(["name=per_head,d=128,mask=causal,rows=4,lse",
                             "name=packed32,d=128,mask=causal,rows=32,pack_gqa,lse"],
                            target="cpu",
                            kernelgen=os.path.join(ROOT, "build", "bin", "attn-kernelgen"))
    kernels = {"packed": committed["sdpa_d128_causal_decode"], "packed32": compiled["packed32"],
               "per-head": compiled["per_head"], "flash": committed["sdpa_d128_causal"]}
    info = machine_info()
    rows = []
    print("| threads | N_kv | N_q | packed GB/s | packed32 GB/s | per-head GB/s | flash GB/s "
          "| torch GB/s | best packed / per-head | best packed / torch |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    torch.manual_seed(0)
    for threads in (int(t) for t in opts.threads.split(",")):
        attn.set_num_threads(threads)
        torch.set_num_threads(threads)
        for n in (int(x) for x in opts.n.split(",")):
            k, v = torch.randn(1, HKV, n, D), torch.randn(1, HKV, n, D)
            kv_bytes = 2 * k.numel() * 4
            for nq in (int(x) for x in opts.nq.split(",")):
                q = torch.randn(1, HQ, nq, D)
                pos = torch.arange(nq)[:, None] + n - nq
                mask = torch.arange(n)[None, :] <= pos
                ref = F.scaled_dot_product_attention(q.double(), k.double(), v.double(),
                                                     attn_mask=mask, enable_gqa=True)
                gbs = {}
                for name, kern in kernels.items():
                    o, lse = kern.empty_outputs(q)
                    run = lambda: kern.run(q, k, v, o, lse if kern.has_lse else None,  # noqa: E731
                                           checked=True)
                    run()
                    err = float((o.double() - ref).norm() / ref.norm())
                    if not err < 1e-5:
                        raise SystemExit(f"{name}: attn's result is off ({err:.3e})")
                    gbs[name] = kv_bytes / median_ms(run, opts.rounds) / 1e6
                gbs["torch"] = kv_bytes / median_ms(
                    lambda: F.scaled_dot_product_attention(q, k, v, attn_mask=mask,
                                                           enable_gqa=True), opts.rounds) / 1e6
                row = {"threads": threads, "n_kv": n, "n_q": nq, **{f"{k_}_gbs": g
                                                                     for k_, g in gbs.items()}}
                rows.append(row)
                best = max(gbs["packed"], gbs["packed32"])
                print(f"| {threads} | {n} | {nq} | {gbs['packed']:.1f} | {gbs['packed32']:.1f} | "
                      f"{gbs['per-head']:.1f} | {gbs['flash']:.1f} | {gbs['torch']:.1f} | "
                      f"{best / gbs['per-head']:.2f}x | {best / gbs['torch']:.2f}x |", flush=True)
    with open(opts.out, "w") as f:
        json.dump({"info": info, "rows": rows}, f, indent=1)


if __name__ == "__main__":
    main()
