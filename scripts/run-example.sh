#!/usr/bin/env bash
# The main job on the built-in example (examples/causal_gqa.mlir, causal GQA
# attention written as a graph): raise it to attn.sdpa, compile it with
# attn-kernelgen into a CPU kernel, run it through attnrt on fresh random
# inputs, check it against float64, and do the same with the naive
# (materialising) reference lowering to show time and memory side by side.
# Expects scripts/setup.sh to have run.
#
#   scripts/run-example.sh [file.mlir]
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${ATTN_BUILD_DIR:-$root/build}"
input="${1:-$root/examples/causal_gqa.mlir}"
llvm=/usr/lib/llvm-22/bin
out="$build/example"
name="$(basename "$input" .mlir)"
rm -rf "$out" && mkdir -p "$out"

echo "== 1. attn-raise-sdpa: the graph becomes one fused op"
"$build/bin/attn-opt" "$input" --attn-raise-sdpa -o "$out/$name.mlir"
grep -E "attn\." "$out/$name.mlir" | sed 's/^ */   /'

echo "== 2. attn-kernelgen: a CPU kernel, its header and manifest"
# for this machine: x86-64-v4 where the CPU has AVX-512, else native (CMake's
# ATTN_HOST_CPU_MARCH)
march="$(sed -n 's/^ATTN_HOST_CPU_MARCH:STRING=//p' "$build/CMakeCache.txt")"
"$build/bin/attn-kernelgen" --quiet --cpu="${march:-native}" "$out/$name.mlir" -o "$out/kernel"
ls "$out/kernel" | sed 's/^/   /'

echo "== 3. the kernel through attnrt (2 threads) vs float64"
seed=$RANDOM$RANDOM
"$build/bin/attn-check" "$out/$name.mlir" --lib "$out/kernel/$name.so" \
  --abi cpu-kernel --num-threads 2 --seed "$seed" | tee "$out/flash.txt" | sed 's/^/   /'

echo "== 4. the naive lowering (materialises N x N, 1 thread) vs float64"
"$build/bin/attn-opt" "$out/$name.mlir" --attn-reference-to-llvm \
  | "$llvm/mlir-translate" --mlir-to-llvmir -o "$out/naive.ll"
"$llvm/clang" -shared -fPIC -O2 -Wno-override-module "$out/naive.ll" -o "$out/naive.so"
"$build/bin/attn-check" "$out/$name.mlir" --lib "$out/naive.so" --seed "$seed" \
  | tee "$out/naive.txt" | sed 's/^/   /'

field() { sed -n "s/^$2: .*$3 \([0-9.]*\) .*/\1/p" "$1" | head -1; }
printf "== flash kernel: %s s, %s MiB extra | naive: %s s, %s MiB extra\n" \
  "$(field "$out/flash.txt" time compiled)" "$(field "$out/flash.txt" memory extra)" \
  "$(field "$out/naive.txt" time compiled)" "$(field "$out/naive.txt" memory extra)"
grep -q FAIL "$out/flash.txt" "$out/naive.txt" && exit 1 || true
