// RUN: attn-opt %s --attn-flash-to-llvm="tile-q=32 tile-kv=32" | FileCheck %s
// RUN: attn-opt %s --attn-flash-to-llvm | mlir-translate --mlir-to-llvmir | FileCheck %s --check-prefix=LLVMIR

// The flash form reaches the LLVM dialect with no runtime calls beyond
// malloc/free: copies are loops, exp is a polynomial.

// CHECK-NOT: attn.
// CHECK-NOT: scf.
// CHECK-NOT: linalg.
// CHECK-LABEL: llvm.func @_mlir_ciface_flash(
// LLVMIR-NOT: call {{.*}} @memrefCopy
// LLVMIR-NOT: call {{.*}} @expf
// LLVMIR-NOT: call {{.*}} @logf
// LLVMIR: define void @_mlir_ciface_flash(
func.func @flash(%q: tensor<?x?x?x?xf32>, %k: tensor<?x?x?x?xf32>, %v: tensor<?x?x?x?xf32>) -> (tensor<?x?x?x?xf32>, tensor<?x?x?xf32>) attributes {llvm.emit_c_interface} {
  %o, %lse = attn.sdpa %q, %k, %v mask(#attn.causal) : tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32> -> tensor<?x?x?x?xf32>, tensor<?x?x?xf32>
  return %o, %lse : tensor<?x?x?x?xf32>, tensor<?x?x?xf32>
}
