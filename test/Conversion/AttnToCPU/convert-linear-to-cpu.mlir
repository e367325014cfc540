// RUN: attn-opt %s --split-input-file --convert-attn-to-cpu --verify-diagnostics | FileCheck %s

// The linear-attention kernel ABI: q, k, v, o as strided memrefs, the
// workspace (S, z, M) attnrt allocates, the phase, rows per block and a task
// range. Metadata: version 5, f32, d, d_v, no LSE, the chunk as rows, op
// linear (1), causal, feature map elu_plus_one (1), 60 features.
// CHECK: memref.global "public" constant @__attn_meta_causal : memref<18xi64> = dense<[7022365736608035937, 9, 3, 60, 24, 0, 64, 0, 0, 0, 0, 0, 1, 1, 1, 60, 0, 0]>
// CHECK-LABEL: func.func @causal(
// CHECK-SAME: %[[Q:.+]]: memref<?x?x?x?xf32, strided<[?, ?, ?, 1], offset: ?>>,
// CHECK-SAME: %[[S:.+]]: memref<?x?x?x?xf32>, %[[Z:.+]]: memref<?x?x?xf32>, %[[M:.+]]: memref<?x?xf32>, %[[PHASE:.+]]: index, %[[ROWS:.+]]: index, %[[BEGIN:.+]]: index, %[[END:.+]]: index)
// CHECK-SAME: attributes {llvm.emit_c_interface}
// Scratch: the chunk's φQ / φK rows padded to 64 features, φKᵀ, V padded to
// 32 columns, the 64 × 64 diagonal block, the state.
// CHECK-DAG: memref.alloca() {alignment = 64 : i64} : memref<64x64xf32>
// CHECK-DAG: memref.alloca() {alignment = 64 : i64} : memref<64x32xf32>
// CHECK-DAG: memref.alloca() {alignment = 64 : i64} : memref<64xf32>
// The tail of a row loads masked; φ = elu + 1 through the polynomial exp2.
// CHECK: vector.maskedload
// CHECK: math.floor
// CHECK: vector.fma
// The outputs' last columns store masked.
// CHECK: vector.maskedstore
// CHECK-NOT: attn.
func.func @causal(%q: tensor<?x?x?x60xf32>, %k: tensor<?x?x?x60xf32>, %v: tensor<?x?x?x24xf32>) -> tensor<?x?x?x24xf32> {
  %o = attn.linear elu_plus_one %q, %k, %v causal : tensor<?x?x?x60xf32>, tensor<?x?x?x60xf32>, tensor<?x?x?x24xf32> -> tensor<?x?x?x24xf32>
  return %o : tensor<?x?x?x24xf32>
}

// -----

// FAVOR+: the projection, a constant of the function, becomes a global
// padded to 16-lane rows (3 features → 16); metadata: feature map favor_plus
// (3), 3 features. Phase 0 shifts a block's keys by the largest exponent so
// far, rescaling its sums when that moves.
// CHECK: memref.global "public" constant @__attn_omega_favor : memref<2x16xf32> = dense<{{\[}}[1.000000e+00, 2.000000e+00, 3.000000e+00, 0.000000e+00,
// CHECK: memref.global "public" constant @__attn_meta_favor : memref<18xi64> = dense<[7022365736608035937, 9, 3, 2, 16, 0, 64, 0, 0, 0, 0, 0, 1, 0, 3, 3, 0, 0]>
// CHECK-LABEL: func.func @favor(
// CHECK: memref.get_global @__attn_omega_favor : memref<2x16xf32>
// CHECK: vector.reduction <maximumf>
func.func @favor(%q: tensor<?x?x?x2xf32>, %k: tensor<?x?x?x2xf32>, %v: tensor<?x?x?x16xf32>) -> tensor<?x?x?x16xf32> {
  %w = arith.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %o = attn.linear favor_plus %q, %k, %v projection(%w : tensor<2x3xf32>) : tensor<?x?x?x2xf32>, tensor<?x?x?x2xf32>, tensor<?x?x?x16xf32> -> tensor<?x?x?x16xf32>
  return %o : tensor<?x?x?x16xf32>
}

// -----

// expected-error @+1 {{convert-attn-to-cpu: expects a function (q, k, v) whose body is one attn.linear of its arguments (and, for favor_plus, of a constant projection), returned as is (the form attn-kernelgen writes)}}
func.func @favor_argument(%q: tensor<1x1x8x16xf32>, %k: tensor<1x1x8x16xf32>, %v: tensor<1x1x8x16xf32>, %w: tensor<16x32xf32>) -> tensor<1x1x8x16xf32> {
  %o = attn.linear favor_plus %q, %k, %v projection(%w : tensor<16x32xf32>) : tensor<1x1x8x16xf32>, tensor<1x1x8x16xf32>, tensor<1x1x8x16xf32> -> tensor<1x1x8x16xf32>
  return %o : tensor<1x1x8x16xf32>
}

// -----

// expected-error @+1 {{convert-attn-to-cpu: the kernel keeps at most 256 FAVOR+ features a row, got 300}}
func.func @favor_wide(%q: tensor<?x?x?x2xf32>, %k: tensor<?x?x?x2xf32>, %v: tensor<?x?x?x16xf32>) -> tensor<?x?x?x16xf32> {
  %w = arith.constant dense<1.0> : tensor<2x300xf32>
  %o = attn.linear favor_plus %q, %k, %v projection(%w : tensor<2x300xf32>) : tensor<?x?x?x2xf32>, tensor<?x?x?x2xf32>, tensor<?x?x?x16xf32> -> tensor<?x?x?x16xf32>
  return %o : tensor<?x?x?x16xf32>
}

// -----

// expected-error @+1 {{convert-attn-to-cpu: the CPU kernel supports f32 only}}
func.func @bf16(%q: tensor<?x?x?x64xbf16>, %k: tensor<?x?x?x64xbf16>, %v: tensor<?x?x?x64xbf16>) -> tensor<?x?x?x64xbf16> {
  %o = attn.linear relu %q, %k, %v : tensor<?x?x?x64xbf16>, tensor<?x?x?x64xbf16>, tensor<?x?x?x64xbf16> -> tensor<?x?x?x64xbf16>
  return %o : tensor<?x?x?x64xbf16>
}

// -----

// expected-error @+1 {{convert-attn-to-cpu: the head dims d and d_v must be static}}
func.func @dynamic(%q: tensor<?x?x?x?xf32>, %k: tensor<?x?x?x?xf32>, %v: tensor<?x?x?x?xf32>) -> tensor<?x?x?x?xf32> {
  %o = attn.linear relu %q, %k, %v : tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32> -> tensor<?x?x?x?xf32>
  return %o : tensor<?x?x?x?xf32>
}

// -----

// expected-error @+1 {{convert-attn-to-cpu: expects a function (q, k, v) whose body is one attn.linear of its arguments}}
func.func @not_args(%q: tensor<?x?x?x64xf32>, %k: tensor<?x?x?x64xf32>) -> tensor<?x?x?x64xf32> {
  %o = attn.linear relu %q, %k, %k : tensor<?x?x?x64xf32>, tensor<?x?x?x64xf32>, tensor<?x?x?x64xf32> -> tensor<?x?x?x64xf32>
  return %o : tensor<?x?x?x64xf32>
}
