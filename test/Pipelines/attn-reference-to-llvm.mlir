// RUN: attn-opt %s --attn-reference-to-llvm | FileCheck %s
// RUN: attn-opt %s --attn-reference-to-llvm | mlir-translate --mlir-to-llvmir | FileCheck %s --check-prefix=LLVMIR

// Everything ends in the LLVM dialect: results become out-parameters, the C
// interface wrapper exists, exp is a polynomial (no libm call), bf16 is
// converted with integer arithmetic (no compiler-rt call).

// CHECK-NOT: attn.
// CHECK-NOT: linalg.
// CHECK-NOT: memref.
// CHECK-NOT: math.
// CHECK-LABEL: llvm.func @sdpa(
// CHECK-LABEL: llvm.func @_mlir_ciface_sdpa(
// CHECK-SAME: %{{.+}}: !llvm.ptr, %{{.+}}: !llvm.ptr, %{{.+}}: !llvm.ptr, %{{.+}}: !llvm.ptr, %{{.+}}: !llvm.ptr)
// LLVMIR-NOT: call {{.*}} @expf
// LLVMIR-NOT: call {{.*}} @__truncsfbf2
// LLVMIR: define void @_mlir_ciface_sdpa(ptr {{.*}}, ptr {{.*}}, ptr {{.*}}, ptr {{.*}}, ptr
func.func @sdpa(%q: tensor<?x?x?x?xbf16>, %k: tensor<?x?x?x?xbf16>, %v: tensor<?x?x?x?xbf16>) -> (tensor<?x?x?x?xbf16>, tensor<?x?x?xf32>) attributes {llvm.emit_c_interface} {
  %o, %lse = attn.sdpa %q, %k, %v mask(#attn.causal) : tensor<?x?x?x?xbf16>, tensor<?x?x?x?xbf16>, tensor<?x?x?x?xbf16> -> tensor<?x?x?x?xbf16>, tensor<?x?x?xf32>
  return %o, %lse : tensor<?x?x?x?xbf16>, tensor<?x?x?xf32>
}
