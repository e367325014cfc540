#!/usr/bin/env bash
# Builds what bench/cpu_bench.py loads into bench/out/ (ignored by git): the
# committed kernels as a shared library, libattnrt, the naive reference
# lowering, and the FMA-peak probe. Run after scripts/setup.sh.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${ATTN_BUILD_DIR:-$root/build}"
llvm=/usr/lib/llvm-22/bin
out="$root/bench/out"
mkdir -p "$out"
"$llvm/clang" -shared "$root/kernels-generated/cpu/attn_cpu_kernels.o" -o "$out/libattn_cpu_kernels.so"
cp "$build/lib/libattnrt.so" "$out/"
"$build/bin/attn-opt" "$root/bench/naive.mlir" --attn-reference-to-llvm \
  | "$llvm/mlir-translate" --mlir-to-llvmir -o "$out/naive.ll"
"$llvm/clang" -shared -fPIC -O3 -march=x86-64-v4 -Wno-override-module "$out/naive.ll" -o "$out/libnaive.so"
"$llvm/clang" -O2 -march=x86-64-v4 -pthread "$root/bench/fma_peak.c" -o "$out/fma_peak"
echo "bench/out: $(ls "$out" | tr '\n' ' ')"
