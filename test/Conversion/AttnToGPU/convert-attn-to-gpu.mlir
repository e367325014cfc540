// RUN: attn-opt %s --split-input-file --convert-attn-to-gpu --verify-diagnostics | FileCheck %s
// The output parses again (attn-opt prints nothing it cannot read).
// RUN: attn-opt %s --split-input-file --convert-attn-to-gpu --verify-diagnostics | attn-opt --split-input-file > /dev/null

// The kernel ABI: strided memrefs in, O (and LSE) out, the launch geometry
// on the kernel. Q and double-buffered K/V tiles go to shared memory by
// cp.async groups; scores and P·V are mma.sync on ldmatrix fragments; the
// softmax is exp2 and quad shuffles. Causal: the unmasked tiles, then the
// masked diagonal.
// CHECK: module attributes {gpu.container_module}
// CHECK: gpu.module @attn_kernels
// CHECK: memref.global "public" @attn_smem_bf16 : memref<0xbf16, #gpu.address_space<workgroup>> {alignment = 128 : i64}
// What it computes, in the image for attnrt to check kernel structs against:
// magic, version, bf16 (1), d, d_v, LSE, tile-q, threads, shared memory.
// CHECK: memref.global "public" constant @attn_meta_causal : memref<18xi64, #gpu.address_space<global>> = dense<[7022365736608035937, 9, 1, 64, 64, 1, 128, 128, 55296, 64, 0, 0, 0, 0, 0, 0, 0, 0]>
// CHECK-LABEL: gpu.func @causal(
// CHECK-SAME: %{{.+}}: memref<?x?x?x?xbf16, strided<[?, ?, ?, 1], offset: ?>>,
// CHECK-SAME: %{{.+}}: memref<?x?x?xf32, strided<[?, ?, ?], offset: ?>>) kernel
// CHECK-SAME: attn.schedule = #attn.gpu_schedule<mma = mma_sync, copy = cp_async, tile_q = 128, tile_kv = 64, kv_step = 64, warps = 4, producer_warps = 0, stages = 2>, attn.smem_bytes = 55296 : i64, known_block_size = array<i32: 128, 1, 1>
// CHECK: memref.reinterpret_cast %{{.+}} to offset: [9216], sizes: [2, 64, 72], strides: [4608, 72, 1]
// CHECK: nvgpu.device_async_copy {{.+}}, 8, %{{.+}} {bypassL1}
// CHECK: nvgpu.device_async_create_group
// CHECK: nvgpu.device_async_wait %{{.+}} {numGroups = 1 : i32}
// CHECK-NEXT: gpu.barrier
// CHECK: nvgpu.ldmatrix {{.+}} {numTiles = 4 : i32, transpose = false} : memref<128x72xbf16
// A step waits for its tile and goes straight to Q·Kᵀ.
// CHECK: scf.for
// CHECK: nvgpu.device_async_wait %{{.+}} {numGroups = 0 : i32}
// CHECK-NEXT: gpu.barrier
// CHECK-NOT: nvgpu.device_async_copy
// CHECK: nvgpu.ldmatrix {{.+}} {numTiles = 4 : i32, transpose = false} : memref<2x64x72xbf16
// CHECK: nvvm.mma.sync A[{{.+}}] B[{{.+}}] C[{{.+}}] {layoutA = #nvvm.mma_layout<row>, layoutB = #nvvm.mma_layout<col>, multiplicandAPtxType = #nvvm.mma_type<bf16>, multiplicandBPtxType = #nvvm.mma_type<bf16>, shape = #nvvm.shape<m = 16, n = 8, k = 16>} : (i32, i32, f32) -> !llvm.struct<(f32, f32, f32, f32)>
// CHECK-NOT: arith.cmpi sle, %{{.+}}, %{{.+}} : i32
// CHECK: gpu.shuffle  xor
// Lazy rescaling: O is rescaled only when the warp votes that a max rose;
// at d = 64 the branch comes before P.
// CHECK: %[[GROW:.+]] = nvvm.vote.sync  any %{{.+}}, %{{.+}} -> i1
// CHECK: scf.if %[[GROW]] -> (f32,
// CHECK: arith.mulf
// CHECK: } else {
// The next tile's copies follow the rescale branch. One that ends by N_kv:
// from a view of the thread's rows, neither clamped nor zero-filled; else
// the clamped, zero-filling copies.
// CHECK: scf.if
// CHECK: memref.subview %arg1{{.+}} [1, 1, 49, 8] [1, 1, 1, 1]
// CHECK: nvgpu.device_async_copy %subview[{{.+}}], 8 {bypassL1}
// CHECK: } else {
// CHECK: nvgpu.device_async_copy %arg1[{{.+}}], 8, %{{.+}} {bypassL1}
// CHECK: llvm.call_intrinsic "llvm.nvvm.ex2.approx.ftz.f"
// CHECK: arith.truncf %{{.+}} : vector<2xf32> to vector<2xbf16>
// CHECK: nvgpu.ldmatrix {{.+}} {numTiles = 4 : i32, transpose = true}
// CHECK: scf.for
// CHECK: arith.cmpi sle, %{{.+}}, %{{.+}} : i32
// CHECK: llvm.call_intrinsic "llvm.nvvm.lg2.approx.ftz.f"
// CHECK: memref.store
// O goes through the warp's own rows of the Q tile, then out in 16-byte row
// chunks when O's rows are 16-byte aligned, else in 4-byte pairs.
// CHECK: vector.store %{{.+}} : memref<128x72xbf16, strided<[72, 1]>, #gpu.address_space<workgroup>>, vector<2xbf16>
// CHECK: nvvm.bar.warp.sync
// CHECK: memref.extract_strided_metadata %arg3
// CHECK: scf.if
// CHECK: vector.load %{{.+}} : memref<128x72xbf16, strided<[72, 1]>, #gpu.address_space<workgroup>>, vector<8xbf16>
// CHECK: vector.store %{{.+}} {alignment = 16 : i64} : memref<?x?x?x?xbf16, strided<[?, ?, ?, 1], offset: ?>>, vector<8xbf16>
// CHECK: } else {
// CHECK: vector.store %{{.+}} {alignment = 4 : i64} : memref<?x?x?x?xbf16, strided<[?, ?, ?, 1], offset: ?>>, vector<2xbf16>
// CHECK-NOT: attn.
func.func @causal(%q: tensor<?x?x?x64xbf16>, %k: tensor<?x?x?x64xbf16>, %v: tensor<?x?x?x64xbf16>) -> (tensor<?x?x?x64xbf16>, tensor<?x?x?xf32>) {
  %o, %lse = attn.sdpa %q, %k, %v mask(#attn.causal) {lse} : tensor<?x?x?x64xbf16>, tensor<?x?x?x64xbf16>, tensor<?x?x?x64xbf16> -> tensor<?x?x?x64xbf16>, tensor<?x?x?xf32>
  return %o, %lse : tensor<?x?x?x64xbf16>, tensor<?x?x?xf32>
}

// -----

// f16 keeps vector<2xf16> mma operands. A window has a left edge too: masked
// tiles, unmasked tiles, masked tiles. d = 128 re-reads Q from shared memory.
// CHECK: memref.global "public" @attn_smem_f16
// CHECK-LABEL: gpu.func @window(
// CHECK-SAME: attn.smem_bytes = 104448 : i64
// CHECK: scf.for
// CHECK: scf.for
// CHECK: nvvm.mma.sync {{.+}} : (vector<2xf16>, vector<2xf16>, f32) -> !llvm.struct<(f32, f32, f32, f32)>
// At d = 128 the rescale waits until P is packed (O and the f32 scores
// would not fit in registers together); the next tile's copies follow it,
// before P·V.
// CHECK: nvvm.vote.sync
// CHECK: arith.truncf %{{.+}} : vector<2xf32> to vector<2xf16>
// CHECK: scf.if %{{.+}} -> (f32,
// CHECK: nvgpu.device_async_copy %subview
// CHECK: nvgpu.ldmatrix {{.+}} {numTiles = 4 : i32, transpose = true}
// CHECK: scf.for
func.func @window(%q: tensor<?x?x?x128xf16>, %k: tensor<?x?x?x128xf16>, %v: tensor<?x?x?x128xf16>) -> tensor<?x?x?x128xf16> {
  %o = attn.sdpa %q, %k, %v mask(#attn.window<left = 255, right = 0>) : tensor<?x?x?x128xf16>, tensor<?x?x?x128xf16>, tensor<?x?x?x128xf16> -> tensor<?x?x?x128xf16>
  return %o : tensor<?x?x?x128xf16>
}

// -----

// expected-error @+1 {{convert-attn-to-gpu: the tensor-core kernel takes bf16 or f16 inputs, got 'f32'}}
func.func @f32(%q: tensor<?x?x?x64xf32>, %k: tensor<?x?x?x64xf32>, %v: tensor<?x?x?x64xf32>) -> tensor<?x?x?x64xf32> {
  %o = attn.sdpa %q, %k, %v : tensor<?x?x?x64xf32>, tensor<?x?x?x64xf32>, tensor<?x?x?x64xf32> -> tensor<?x?x?x64xf32>
  return %o : tensor<?x?x?x64xf32>
}

// -----

// expected-error @+1 {{convert-attn-to-gpu: the GPU kernel computes whole attn.sdpa ops, not kv_split parts (attn-tile-flash does)}}
func.func @part(%q: tensor<?x?x?x64xbf16>, %k: tensor<?x?x?x64xbf16>, %v: tensor<?x?x?x64xbf16>) -> (tensor<?x?x?x64xbf16>, tensor<?x?x?xf32>) {
  %o, %lse = attn.sdpa %q, %k, %v kv_split [0, 2] : tensor<?x?x?x64xbf16>, tensor<?x?x?x64xbf16>, tensor<?x?x?x64xbf16> -> tensor<?x?x?x64xbf16>, tensor<?x?x?xf32>
  return %o, %lse : tensor<?x?x?x64xbf16>, tensor<?x?x?xf32>
}

// -----

// expected-error @+1 {{convert-attn-to-gpu: the GPU kernel takes no score_mod yet (the CPU kernel and attn-tile-flash do); got #attn.softcap<cap = 5.000000e+01>}}
func.func @softcap(%q: tensor<?x?x?x64xbf16>, %k: tensor<?x?x?x64xbf16>, %v: tensor<?x?x?x64xbf16>) -> tensor<?x?x?x64xbf16> {
  %o = attn.sdpa %q, %k, %v score_mod(#attn.softcap<cap = 50.0>) : tensor<?x?x?x64xbf16>, tensor<?x?x?x64xbf16>, tensor<?x?x?x64xbf16> -> tensor<?x?x?x64xbf16>
  return %o : tensor<?x?x?x64xbf16>
}

// -----

// expected-error @+1 {{convert-attn-to-gpu: the GPU kernel supports no mask, causal and window masks (and their intersections); got #attn.dilated<left = 32, right = 0, dilation = 4>}}
func.func @dilated(%q: tensor<?x?x?x64xbf16>, %k: tensor<?x?x?x64xbf16>, %v: tensor<?x?x?x64xbf16>) -> tensor<?x?x?x64xbf16> {
  %o = attn.sdpa %q, %k, %v mask(#attn.dilated<left = 32, right = 0, dilation = 4>) : tensor<?x?x?x64xbf16>, tensor<?x?x?x64xbf16>, tensor<?x?x?x64xbf16> -> tensor<?x?x?x64xbf16>
  return %o : tensor<?x?x?x64xbf16>
}

// -----

// expected-error @+1 {{convert-attn-to-gpu: d and d_v must be multiples of 16 from 16 to 256, got d = 72, d_v = 72}}
func.func @d72(%q: tensor<?x?x?x72xbf16>, %k: tensor<?x?x?x72xbf16>, %v: tensor<?x?x?x72xbf16>) -> tensor<?x?x?x72xbf16> {
  %o = attn.sdpa %q, %k, %v : tensor<?x?x?x72xbf16>, tensor<?x?x?x72xbf16>, tensor<?x?x?x72xbf16> -> tensor<?x?x?x72xbf16>
  return %o : tensor<?x?x?x72xbf16>
}

// -----

// expected-error @+1 {{convert-attn-to-gpu: d and d_v must be multiples of 16 from 16 to 256, got d = 0, d_v = 0}}
func.func @d0(%q: tensor<?x?x?x0xbf16>, %k: tensor<?x?x?x0xbf16>, %v: tensor<?x?x?x0xbf16>) -> tensor<?x?x?x0xbf16> {
  %o = attn.sdpa %q, %k, %v : tensor<?x?x?x0xbf16>, tensor<?x?x?x0xbf16>, tensor<?x?x?x0xbf16> -> tensor<?x?x?x0xbf16>
  return %o : tensor<?x?x?x0xbf16>
}

// -----

// A window wider than any sequence the runtime accepts: its left side is
// dropped from the in-tile tests (no truncated i32 constant).
// CHECK-LABEL: gpu.func @wide(
// CHECK-NOT: arith.cmpi sge, %{{.+}}, %{{.+}} : i32
// CHECK: gpu.return
func.func @wide(%q: tensor<?x?x?x64xbf16>, %k: tensor<?x?x?x64xbf16>, %v: tensor<?x?x?x64xbf16>) -> tensor<?x?x?x64xbf16> {
  %o = attn.sdpa %q, %k, %v mask(#attn.window<left = 4294967296, right = 0>) : tensor<?x?x?x64xbf16>, tensor<?x?x?x64xbf16>, tensor<?x?x?x64xbf16> -> tensor<?x?x?x64xbf16>
  return %o : tensor<?x?x?x64xbf16>
}

// -----

// expected-error @+1 {{convert-attn-to-gpu: expects a function (q, k, v, tables...) whose body is one attn.sdpa of its arguments}}
func.func @graph(%q: tensor<?x?x?x64xbf16>, %k: tensor<?x?x?x64xbf16>, %v: tensor<?x?x?x64xbf16>) -> tensor<?x?x?x64xbf16> {
  %q2 = arith.addf %q, %q : tensor<?x?x?x64xbf16>
  %o = attn.sdpa %q2, %k, %v : tensor<?x?x?x64xbf16>, tensor<?x?x?x64xbf16>, tensor<?x?x?x64xbf16> -> tensor<?x?x?x64xbf16>
  return %o : tensor<?x?x?x64xbf16>
}

// -----

// A schedule the attn.sdpa carries is the one its kernel gets.
// CHECK-LABEL: gpu.func @given(
// CHECK-SAME: attn.schedule = #attn.gpu_schedule<mma = mma_sync, copy = cp_async, tile_q = 64, tile_kv = 32, kv_step = 32, warps = 2, producer_warps = 0, stages = 1>, attn.smem_bytes = 18432 : i64, known_block_size = array<i32: 64, 1, 1>
func.func @given(%q: tensor<?x?x?x64xbf16>, %k: tensor<?x?x?x64xbf16>, %v: tensor<?x?x?x64xbf16>) -> tensor<?x?x?x64xbf16> {
  %o = attn.sdpa %q, %k, %v {attn.schedule = #attn.gpu_schedule<mma = mma_sync, copy = cp_async, tile_q = 64, tile_kv = 32, kv_step = 32, warps = 2, producer_warps = 0, stages = 1>} : tensor<?x?x?x64xbf16>, tensor<?x?x?x64xbf16>, tensor<?x?x?x64xbf16> -> tensor<?x?x?x64xbf16>
  return %o : tensor<?x?x?x64xbf16>
}

// -----

// Without attn-select-gpu-schedule, an attn.sdpa that carries no schedule
// gets the one it would choose for sm_80.
// CHECK-LABEL: gpu.func @sm80_default(
// CHECK-SAME: attn.schedule = #attn.gpu_schedule<mma = mma_sync, copy = cp_async, tile_q = 64, tile_kv = 32, kv_step = 32, warps = 4, producer_warps = 0, stages = 2>
func.func @sm80_default(%q: tensor<?x?x?x256xbf16>, %k: tensor<?x?x?x256xbf16>, %v: tensor<?x?x?x256xbf16>) -> tensor<?x?x?x256xbf16> {
  %o = attn.sdpa %q, %k, %v : tensor<?x?x?x256xbf16>, tensor<?x?x?x256xbf16>, tensor<?x?x?x256xbf16> -> tensor<?x?x?x256xbf16>
  return %o : tensor<?x?x?x256xbf16>
}

// -----

// expected-error @+1 {{convert-attn-to-gpu: attn.schedule must be an #attn.gpu_schedule}}
func.func @not_a_schedule(%q: tensor<?x?x?x64xbf16>, %k: tensor<?x?x?x64xbf16>, %v: tensor<?x?x?x64xbf16>) -> tensor<?x?x?x64xbf16> {
  %o = attn.sdpa %q, %k, %v {attn.schedule = 4 : i64} : tensor<?x?x?x64xbf16>, tensor<?x?x?x64xbf16>, tensor<?x?x?x64xbf16> -> tensor<?x?x?x64xbf16>
  return %o : tensor<?x?x?x64xbf16>
}
