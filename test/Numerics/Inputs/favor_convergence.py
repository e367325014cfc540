"""FAVOR+ converges: attn-approximate-softmax's error against exact softmax
attention falls as the feature count grows, and a seed fixes the features.

Usage: favor_convergence.py <input.mlir> <attn-opt> <mlir-translate> <clang>
<attn-check> <work dir>. For m in {16, 128, 1024} it compiles the input's
functions with seeds 1-4, runs attn-check (fresh inputs, scaled by 0.5 so the
logits have standard deviation 1/4) and averages the norm-wise error over
seeds and functions. The estimator's error falls like 1/sqrt(m): each step
of 8x should divide it by about 2.8. The test asks for 1.33x per step (a
margin no run of this size misses), and for the mean at m = 1024 below 0.15
(measured: 0.43 / 0.25 / 0.13 / 0.076 at m = 16 / 64 / 256 / 1024).
"""
import os
import re
import subprocess
import sys

src, opt, translate, clang, check, work = sys.argv[1:7]
os.makedirs(work, exist_ok=True)
FUNCS = ["sdpa", "causal"]
SHAPES = "1x4x200x16,1x4x200x16,1x4x200x16"


def lowered(m, seed, *more):
    pipeline = f"--attn-approximate-softmax=num-features={m} seed={seed}"
    return subprocess.run([opt, src, pipeline, "--attn-reassociate-linear", *more],
                          check=True, capture_output=True, text=True).stdout


def compile_lib(m, seed):
    base = os.path.join(work, f"favor_{m}_{seed}")
    subprocess.run([translate, "--mlir-to-llvmir", "-o", base + ".ll"],
                   input=lowered(m, seed, "--attn-reference-to-llvm"), check=True, text=True)
    subprocess.run([clang, "-shared", "-fPIC", "-O2", "-Wno-override-module",
                    base + ".ll", "-o", base + ".so"], check=True)
    return base + ".so"


def error(lib, func):
    out = subprocess.run([check, src, "--lib", lib, "--func", func, "--shapes", SHAPES,
                          "--input-scale", "0.5", "--tol", "100"],
                         check=True, capture_output=True, text=True).stdout
    return float(re.search(r"rel_err=(\S+)", out).group(1))


# A seed fixes the features: the same seed gives the same IR, another seed
# other features.
assert lowered(64, 7) == lowered(64, 7), "seed 7 gave two different projections"
assert lowered(64, 7) != lowered(64, 8), "seeds 7 and 8 gave the same projection"
print("PASS same seed, same features")

means = {}
for m in (16, 128, 1024):
    errs = [error(compile_lib(m, seed), f) for seed in (1, 2, 3, 4) for f in FUNCS]
    means[m] = sum(errs) / len(errs)
    print(f"m={m} mean rel_err={means[m]:.4f} over {len(errs)} runs")
ok = (means[128] < means[16] / 1.33 and means[1024] < means[128] / 1.33
      and means[1024] < 0.15)
print("PASS" if ok else "FAIL", "error falls as the feature count grows")
sys.exit(0 if ok else 1)
