#!/usr/bin/env python3
"""A/B of two CPU kernel sets (attn-kernelgen manifests) through the attn
package, one process: the median of 7 calls of sdpa_d64_causal, _window and
sdpa_d64 on one thread, each set timed twice, interleaved, at N = 2K and 4K
(B = 1, H = 4, [B, H, N, d] inputs). bench/cpu_ab.c does the same from C for
the d = 64 / 128 kernels without the window.

  git show REV:kernels-generated/cpu/attn_cpu_kernels.{json,so} > OLD/...
  .venv/bin/python bench/variants/cpu_kernels_ab.py OLD/attn_cpu_kernels.json \\
      kernels-generated/cpu/attn_cpu_kernels.json
"""
import os
import statistics
import sys
import time

import torch

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
os.environ.setdefault("ATTN_RUNTIME_DIR", os.path.join(ROOT, "build", "lib"))
sys.path.insert(0, os.path.join(ROOT, "python"))
import attn  # noqa: E402

old, new = attn.load(sys.argv[1]), attn.load(sys.argv[2])
attn.set_num_threads(1)
torch.manual_seed(0)
for n in (2048, 4096):
    q, k, v = (torch.randn(1, n, 4, 64).transpose(1, 2) for _ in range(3))
    for name in ("sdpa_d64_causal", "sdpa_d64_window", "sdpa_d64"):
        ms = {}
        for tag, lib in (("old", old), ("new", new), ("old2", old), ("new2", new)):
            kern = lib[name]
            o, lse = kern.empty_outputs(q)
            args = kern.make_args(q, k, v, o, lse if kern.has_lse else None)
            kern.call(args)
            times = []
            for _ in range(7):
                t = time.perf_counter()
                kern.call(args)
                times.append(time.perf_counter() - t)
            ms[tag] = round(statistics.median(times) * 1e3, 2)
        print(n, name, ms)
