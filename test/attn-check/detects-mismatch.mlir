// attn-check must fail when the compiled function does not compute what the
// file says: here the library holds a causal kernel, the file claims a window.

// RUN: split-file %s %t
// RUN: attn-opt %t/kernel.mlir --attn-reference-to-llvm | mlir-translate --mlir-to-llvmir -o %t.ll
// RUN: %compile-shared %t.ll -o %t.so
// RUN: attn-check %t/kernel.mlir --lib %t.so --shapes 1x2x33x16,1x2x33x16,1x2x33x16 | FileCheck %s --check-prefix=SAME
// RUN: not attn-check %t/claim.mlir --lib %t.so --shapes 1x2x33x16,1x2x33x16,1x2x33x16 | FileCheck %s --check-prefix=DIFF
// RUN: not attn-check %t/claim.mlir --lib %t.so 2>&1 | FileCheck %s --check-prefix=NOSHAPE

// SAME: PASS @f result #0 [1x2x33x16]
// DIFF: FAIL @f result #0 [1x2x33x16]
// NOSHAPE: argument #0 tensor<?x?x?x?xf32> is dynamic; pass --shapes

//--- kernel.mlir
func.func @f(%q: tensor<?x?x?x?xf32>, %k: tensor<?x?x?x?xf32>, %v: tensor<?x?x?x?xf32>) -> tensor<?x?x?x?xf32> attributes {llvm.emit_c_interface} {
  %o = attn.sdpa %q, %k, %v mask(#attn.causal) : tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32> -> tensor<?x?x?x?xf32>
  return %o : tensor<?x?x?x?xf32>
}

//--- claim.mlir
func.func @f(%q: tensor<?x?x?x?xf32>, %k: tensor<?x?x?x?xf32>, %v: tensor<?x?x?x?xf32>) -> tensor<?x?x?x?xf32> attributes {llvm.emit_c_interface} {
  %o = attn.sdpa %q, %k, %v mask(#attn.window<left = 4, right = 0>) : tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32> -> tensor<?x?x?x?xf32>
  return %o : tensor<?x?x?x?xf32>
}
