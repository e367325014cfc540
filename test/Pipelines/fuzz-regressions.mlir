// Inputs on which attn-fuzz (scripts/fuzz.sh) found a crash, reduced, each
// lowered through the pipeline it crashed in and run against float64.

// 2026-12-02, attn-flash-to-llvm: a function returning one tensor twice
// crashed inside upstream's buffer-results-to-out-params{hoist-static-allocs}
// (a use after free when two results are one allocation); attn-distinct-
// results now copies the second.
// RUN: attn-opt %s --attn-flash-to-llvm="tile-q=16 tile-kv=8" | mlir-translate --mlir-to-llvmir -o %t.flash.ll
// RUN: %compile-shared %t.flash.ll -o %t.flash.so
// RUN: attn-check %s --lib %t.flash.so --func twice --shapes 2x4x37x16,2x2x53x16,2x2x53x8
// RUN: attn-opt %s --attn-reference-to-llvm | mlir-translate --mlir-to-llvmir -o %t.ll
// RUN: %compile-shared %t.ll -o %t.so
// RUN: attn-check %s --lib %t.so --func twice --shapes 2x4x37x16,2x2x53x16,2x2x53x8
func.func @twice(%q: tensor<?x?x?x16xf32>, %k: tensor<?x?x?x16xf32>, %v: tensor<?x?x?x8xf32>) -> (tensor<?x?x?x8xf32>, tensor<?x?x?xf32>, tensor<?x?x?x8xf32>) attributes {llvm.emit_c_interface} {
  %o, %lse = attn.sdpa %q, %k, %v mask(#attn.causal) : tensor<?x?x?x16xf32>, tensor<?x?x?x16xf32>, tensor<?x?x?x8xf32> -> tensor<?x?x?x8xf32>, tensor<?x?x?xf32>
  return %o, %lse, %o : tensor<?x?x?x8xf32>, tensor<?x?x?xf32>, tensor<?x?x?x8xf32>
}
