// RUN: attn-opt %s --split-input-file --convert-attn-to-gpu --verify-diagnostics | FileCheck %s
// RUN: attn-opt %s --split-input-file --convert-attn-to-gpu --verify-diagnostics | attn-opt --split-input-file > /dev/null
// RUN: attn-opt %s --split-input-file --attn-to-nvvm-pipeline="chip=sm_90a" --verify-diagnostics | FileCheck %s --check-prefix=PTX

// attn.linear becomes three mma.sync kernels, the phases attnrt launches in
// turn: block sums of φKᵀV, their prefix sums, the outputs. Each carries its
// metadata (op 1 = attn.linear, causal, feature map 1 = elu+1, features).
// CHECK: gpu.module @attn_kernels
// CHECK: memref.global "public" @attn_smem_bf16 : memref<0xbf16, #gpu.address_space<workgroup>>
// CHECK: memref.global "public" @attn_smem_f32 : memref<0xf32, #gpu.address_space<workgroup>>
// CHECK: memref.global "public" constant @attn_meta_lin_sums : memref<18xi64, #gpu.address_space<global>> = dense<[7022365736608035937, 9, 1, 64, 64, 0, 64, 128, 55296, 64, 0, 0, 1, 1, 1, 64, 0, 0]>
// CHECK-LABEL: gpu.func @lin_sums(
// CHECK-SAME: memref<?x?x?x?xbf16, strided<[?, ?, ?, 1], offset: ?>>
// CHECK-SAME: %{{.+}}: memref<?xf32>, %{{.+}}: index, %{{.+}}: index) kernel
// CHECK-SAME: attn.smem_bytes = 55296 : i64, known_block_size = array<i32: 128, 1, 1>
// Sums: a three-stage ring of K and V chunks (rows padded by 8), what a
// quarter of an SM's shared memory holds; S and z are summed in registers
// (no f32 state in shared memory).
// CHECK: memref.reinterpret_cast %{{.+}} to offset: [0], sizes: [3, 64, 72], strides: [4608, 72, 1]
// CHECK: memref.reinterpret_cast %{{.+}} to offset: [13824], sizes: [3, 64, 72], strides: [4608, 72, 1]
// CHECK-NOT: sizes: [4096]
// CHECK-NOT: sizes: [64], strides: [1]
// A CTA's value columns [vc, vc + 64) of V (and O): grid.x counts (block,
// value tile) pairs.
// CHECK: memref.subview %{{.+}}[0, 0, 0, %{{.+}}] [%{{.+}}, %{{.+}}, %{{.+}}, 64] [1, 1, 1, 1]
// K and V by cp.async one chunk ahead, φ in place, then S += φKᵀV on
// ldmatrix.trans fragments.
// CHECK: nvgpu.device_async_copy
// CHECK: scf.for
// CHECK: nvgpu.device_async_wait %{{.+}} {numGroups = 1 : i32}
// CHECK: scf.if
// CHECK: nvgpu.ldmatrix %{{.+}} {numTiles = 4 : i32, transpose = true}
// CHECK: nvvm.mma.sync
// Each entry point has its own shared memory: the prefix none, the causal
// outputs one stage of Q, K, V beside the state.
// CHECK: memref.global "public" constant @attn_meta_lin_prefix : memref<18xi64, #gpu.address_space<global>> = dense<[7022365736608035937, 9, 1, 64, 64, 0, 64, 128, 0, 64,
// CHECK-LABEL: gpu.func @lin_prefix(
// CHECK-SAME: attn.smem_bytes = 0 : i64
// CHECK: memref.global "public" constant @attn_meta_lin_outputs : memref<18xi64, #gpu.address_space<global>> = dense<[7022365736608035937, 9, 1, 64, 64, 0, 64, 128, 53504, 64,
// CHECK-LABEL: gpu.func @lin_outputs(
// CHECK-SAME: attn.smem_bytes = 53504 : i64
// Causal: A = tril(φQ φKᵀ) on the chunk, then O += A·V; the state moves.
// CHECK: arith.cmpi ule
// CHECK: nvvm.mma.sync
// CHECK: arith.divf
// CHECK: vector.store %{{.+}} : memref<?x?x?x64xbf16, strided<[?, ?, ?, 1], offset: ?>>, vector<2xbf16>
// PTX: .visible .entry lin_sums(
// PTX-SAME: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// PTX-SAME: .visible .entry lin_prefix(
// PTX-SAME: .visible .entry lin_outputs(
// PTX-SAME: ex2.approx.ftz.f32
// PTX-SAME: ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16
func.func @lin(%q: tensor<?x?x?x64xbf16>, %k: tensor<?x?x?x64xbf16>, %v: tensor<?x?x?x64xbf16>) -> tensor<?x?x?x64xbf16> {
  %o = attn.linear elu_plus_one %q, %k, %v causal : tensor<?x?x?x64xbf16>, tensor<?x?x?x64xbf16>, tensor<?x?x?x64xbf16> -> tensor<?x?x?x64xbf16>
  return %o : tensor<?x?x?x64xbf16>
}

// -----

// Non-causal, f16, d = 128 with d_v = 32 (one value tile of 32 columns):
// outputs are φQ S / (φQ z + eps).
// CHECK: @attn_meta_nc_outputs : memref<18xi64, #gpu.address_space<global>> = dense<[7022365736608035937, 9, 2, 128, 32, 0, 64, 128, {{[0-9]+}}, 32, 0, 0, 1, 0, 2, 128, 0, 0]>
// CHECK-LABEL: gpu.func @nc_outputs(
// CHECK-NOT: arith.cmpi ule
// CHECK: gpu.return
func.func @nc(%q: tensor<?x?x?x128xf16>, %k: tensor<?x?x?x128xf16>, %v: tensor<?x?x?x32xf16>) -> tensor<?x?x?x32xf16> {
  %o = attn.linear relu %q, %k, %v : tensor<?x?x?x128xf16>, tensor<?x?x?x128xf16>, tensor<?x?x?x32xf16> -> tensor<?x?x?x32xf16>
  return %o : tensor<?x?x?x32xf16>
}

// -----

// d_v = 128: two CTAs of 64 value columns each (the metadata's tile-kv slot),
// each with its half of the state.
// CHECK: @attn_meta_wide_sums : memref<18xi64, #gpu.address_space<global>> = dense<[7022365736608035937, 9, 1, 64, 128, 0, 64, 128, 55296, 64, 0, 0, 1, 1, 1, 64, 0, 0]>
func.func @wide(%q: tensor<?x?x?x64xbf16>, %k: tensor<?x?x?x64xbf16>, %v: tensor<?x?x?x128xbf16>) -> tensor<?x?x?x128xbf16> {
  %o = attn.linear elu_plus_one %q, %k, %v causal : tensor<?x?x?x64xbf16>, tensor<?x?x?x64xbf16>, tensor<?x?x?x128xbf16> -> tensor<?x?x?x128xbf16>
  return %o : tensor<?x?x?x128xbf16>
}

// -----

// expected-error @+1 {{convert-attn-to-gpu: the GPU linear-attention kernel takes identity, elu_plus_one and relu feature maps; favor_plus runs on the CPU kernel (--target=cpu)}}
func.func @favor(%q: tensor<?x?x?x64xbf16>, %k: tensor<?x?x?x64xbf16>, %v: tensor<?x?x?x64xbf16>, %w: tensor<64x32xbf16>) -> tensor<?x?x?x64xbf16> {
  %o = attn.linear favor_plus %q, %k, %v projection(%w : tensor<64x32xbf16>) : tensor<?x?x?x64xbf16>, tensor<?x?x?x64xbf16>, tensor<?x?x?x64xbf16> -> tensor<?x?x?x64xbf16>
  return %o : tensor<?x?x?x64xbf16>
}

// -----

// expected-error @+1 {{convert-attn-to-gpu: the GPU linear-attention kernel takes bf16 or f16 inputs, got 'f32'}}
func.func @f32(%q: tensor<?x?x?x64xf32>, %k: tensor<?x?x?x64xf32>, %v: tensor<?x?x?x64xf32>) -> tensor<?x?x?x64xf32> {
  %o = attn.linear relu %q, %k, %v : tensor<?x?x?x64xf32>, tensor<?x?x?x64xf32>, tensor<?x?x?x64xf32> -> tensor<?x?x?x64xf32>
  return %o : tensor<?x?x?x64xf32>
}

// -----

// expected-error @+1 {{convert-attn-to-gpu: the GPU linear-attention kernel takes d and d_v that are multiples of 16 up to 128, got d = 40, d_v = 64}}
func.func @d40(%q: tensor<?x?x?x40xbf16>, %k: tensor<?x?x?x40xbf16>, %v: tensor<?x?x?x64xbf16>) -> tensor<?x?x?x64xbf16> {
  %o = attn.linear relu %q, %k, %v : tensor<?x?x?x40xbf16>, tensor<?x?x?x40xbf16>, tensor<?x?x?x64xbf16> -> tensor<?x?x?x64xbf16>
  return %o : tensor<?x?x?x64xbf16>
}

// -----

// expected-error @+1 {{convert-attn-to-gpu: expects a function (q, k, v) whose body is one attn.linear of its arguments, returned as is (the form attn-kernelgen writes)}}
func.func @twice(%q: tensor<?x?x?x64xbf16>, %k: tensor<?x?x?x64xbf16>, %v: tensor<?x?x?x64xbf16>) -> tensor<?x?x?x64xbf16> {
  %o = attn.linear relu %q, %k, %v : tensor<?x?x?x64xbf16>, tensor<?x?x?x64xbf16>, tensor<?x?x?x64xbf16> -> tensor<?x?x?x64xbf16>
  %p = attn.linear relu %o, %k, %v : tensor<?x?x?x64xbf16>, tensor<?x?x?x64xbf16>, tensor<?x?x?x64xbf16> -> tensor<?x?x?x64xbf16>
  return %p : tensor<?x?x?x64xbf16>
}
