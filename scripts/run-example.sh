#!/usr/bin/env bash
# The main job on the built-in example (examples/causal_gqa.mlir): raise the
# attention graph to attn.sdpa, lower it through the reference pipeline to
# LLVM IR, compile it to a shared library, run it on fresh random inputs and
# check it against the float64 reference. Expects scripts/setup.sh to have run.
#
#   scripts/run-example.sh [file.mlir]
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${ATTN_BUILD_DIR:-$root/build}"
input="${1:-$root/examples/causal_gqa.mlir}"
llvm=/usr/lib/llvm-22/bin
out="$build/example"
mkdir -p "$out"
name="$(basename "$input" .mlir)"

echo "== 1. attn-raise-sdpa: the graph becomes one fused op"
"$build/bin/attn-opt" "$input" --attn-raise-sdpa -o "$out/$name.fused.mlir"
grep -E "attn\." "$out/$name.fused.mlir" | sed 's/^ */   /'

echo "== 2. attn-reference-to-llvm, mlir-translate, clang -shared"
"$build/bin/attn-opt" "$out/$name.fused.mlir" --attn-reference-to-llvm -o "$out/$name.llvm.mlir"
"$llvm/mlir-translate" --mlir-to-llvmir "$out/$name.llvm.mlir" -o "$out/$name.ll"
"$llvm/clang" -shared -fPIC -O2 -Wno-override-module "$out/$name.ll" -o "$out/$name.so"
echo "   $out/$name.so ($(wc -l < "$out/$name.ll") lines of LLVM IR)"

echo "== 3. run on fresh random inputs, compare with float64 (attn-check)"
"$build/bin/attn-check" "$input" --lib "$out/$name.so" | sed 's/^/   /'
