// RUN: attn-opt %s --split-input-file --attn-select-gpu-schedule=chip=sm_90a --convert-attn-to-gpu --verify-diagnostics | FileCheck %s
// The output parses again.
// RUN: attn-opt %s --split-input-file --attn-select-gpu-schedule=chip=sm_90a --convert-attn-to-gpu --verify-diagnostics | attn-opt --split-input-file > /dev/null

// The sm_90a kernel: an llvm.func taking the memref descriptor fields and
// then four 128-byte tensor maps (q, k, v, o) as 64-byte aligned grid
// constants; its
// schedule and launch geometry on it; a producer warpgroup that gives up
// registers and issues TMA loads onto mbarriers, consumers that take them
// and run wgmma, then write O into the Q tile as O's TMA boxes and store it
// by TMA when O's rows are 16-byte aligned (else 4-byte fragment stores).
// (One tile a CTA, from the schedule the op carries: the default for causal
// d = 128 is persistent, @persistent below.)
// CHECK: memref.global "public" @attn_smem_tma : memref<0xi8, #gpu.address_space<workgroup>> {alignment = 1024 : i64}
// What it computes, then tile-kv 128 and tensor maps (1) at the end.
// CHECK: memref.global "public" constant @attn_meta_causal : memref<18xi64, #gpu.address_space<global>> = dense<[7022365736608035937, 9, 1, 128, 128, 1, 128, 384, 163912, 128, 1, 0, 0, 0, 0, 0, 0, 0]>
// CHECK: llvm.func @causal(%arg{{[0-9]+}}: !llvm.ptr, %arg{{[0-9]+}}: !llvm.ptr, %arg{{[0-9]+}}: i64,
// CHECK-SAME: %arg{{[0-9]+}}: !llvm.ptr {llvm.align = 64 : i64, llvm.byval = !llvm.array<128 x i8>, nvvm.grid_constant},
// CHECK-SAME: %arg{{[0-9]+}}: !llvm.ptr {llvm.align = 64 : i64, llvm.byval = !llvm.array<128 x i8>, nvvm.grid_constant},
// CHECK-SAME: %arg{{[0-9]+}}: !llvm.ptr {llvm.align = 64 : i64, llvm.byval = !llvm.array<128 x i8>, nvvm.grid_constant},
// CHECK-SAME: %[[MAPO:arg[0-9]+]]: !llvm.ptr {llvm.align = 64 : i64, llvm.byval = !llvm.array<128 x i8>, nvvm.grid_constant})
// CHECK-SAME: attn.schedule = #attn.gpu_schedule<mma = wgmma, copy = tma, tile_q = 128, tile_kv = 128, kv_step = 128, warps = 12, producer_warps = 4, stages = 2>
// CHECK-SAME: attn.smem_bytes = 163912 : i64
// CHECK-SAME: nvvm.kernel, nvvm.maxntid = array<i32: 384, 1, 1>, nvvm.minctasm = 1 : i32
// CHECK: builtin.unrealized_conversion_cast %{{.+}} : !llvm.struct<(ptr, ptr, i64, array<4 x i64>, array<4 x i64>)> to memref<?x?x?x?xbf16, strided<[?, ?, ?, 1], offset: ?>>
// Nine barriers: Q full; K full, V full, K empty, V empty of two stages.
// CHECK-COUNT-9: nvvm.mbarrier.init
// CHECK: nvvm.fence.mbarrier.init
// CHECK: gpu.barrier
// CHECK: nvvm.setmaxregister  decrease 24
// CHECK: nvvm.mbarrier.arrive.expect_tx %{{.+}}, %c32768_i32
// CHECK: nvvm.cp.async.bulk.tensor.shared.cluster.global
// CHECK: nvvm.mbarrier.try_wait.parity
// CHECK: nvvm.setmaxregister  increase 240
// CHECK: nvvm.wgmma.fence.aligned
// CHECK: nvvm.wgmma.mma_async {{.+}} <m = 64, n = 128, k = 16>, D[<f32>, <zero>], A[<bf16>, <one>, <row>], B[<bf16>, <one>, <col>]
// CHECK: nvvm.wgmma.commit.group.sync.aligned
// CHECK: nvvm.wgmma.wait.group.sync.aligned 0
// The loop: Q·Kᵀ, then P·V of the tile before (register A, inline PTX).
// CHECK: scf.for
// CHECK: nvvm.wgmma.mma_async
// CHECK: nvvm.wgmma.commit.group.sync.aligned
// CHECK: llvm.inline_asm has_side_effects {{.+}}wgmma.mma_async.sync.aligned.m64n128k16.f32.bf16.bf16
// CHECK: nvvm.wgmma.commit.group.sync.aligned
// CHECK: nvvm.wgmma.wait.group.sync.aligned 1
// CHECK: nvvm.mbarrier.arrive
// CHECK: nvvm.wgmma.wait.group.sync.aligned 0
// CHECK: nvvm.mbarrier.arrive
// The epilogue: the storing thread waits for its last stores to have read
// the buffer, the warpgroup meets at its named barrier, writes the swizzled
// boxes, fences them for the async proxy, meets again; one thread stores.
// CHECK: scf.if
// CHECK: nvvm.cp.async.bulk.wait_group 0 {read}
// CHECK: nvvm.barrier id = %{{.+}} number_of_threads = %c128_i32
// CHECK: llvm.store %{{.+}} : vector<2xbf16>, !llvm.ptr<3>
// CHECK: nvvm.fence.proxy {kind = #nvvm.proxy_kind<async.shared>, space = #nvvm.shared_space<cta>}
// CHECK: nvvm.barrier id = %{{.+}} number_of_threads = %c128_i32
// CHECK-COUNT-2: nvvm.cp.async.bulk.tensor.global.shared.cta %[[MAPO]], %{{.+}}, box[
// CHECK: nvvm.cp.async.bulk.commit.group
// CHECK: } else {
// CHECK: vector.store %{{.+}} : memref<?x?x?x?xbf16, strided<[?, ?, ?, 1], offset: ?>>, vector<2xbf16>
// CHECK: nvvm.cp.async.bulk.wait_group 0 {read}
// CHECK: llvm.return
func.func @causal(%q: tensor<?x?x?x128xbf16>, %k: tensor<?x?x?x128xbf16>, %v: tensor<?x?x?x128xbf16>) -> (tensor<?x?x?x128xbf16>, tensor<?x?x?xf32>) {
  %o, %lse = attn.sdpa %q, %k, %v mask(#attn.causal) {lse, attn.schedule = #attn.gpu_schedule<mma = wgmma, copy = tma, tile_q = 128, tile_kv = 128, kv_step = 128, warps = 12, producer_warps = 4, stages = 2>} : tensor<?x?x?x128xbf16>, tensor<?x?x?x128xbf16>, tensor<?x?x?x128xbf16> -> tensor<?x?x?x128xbf16>, tensor<?x?x?xf32>
  return %o, %lse : tensor<?x?x?x128xbf16>, tensor<?x?x?xf32>
}

// -----

// A head dim that is no multiple of 64 keeps the mma.sync kernel.
// CHECK-LABEL: gpu.func @d96(
// CHECK-SAME: attn.schedule = #attn.gpu_schedule<mma = mma_sync
func.func @d96(%q: tensor<?x?x?x96xf16>, %k: tensor<?x?x?x96xf16>, %v: tensor<?x?x?x96xf16>) -> tensor<?x?x?x96xf16> {
  %o = attn.sdpa %q, %k, %v : tensor<?x?x?x96xf16>, tensor<?x?x?x96xf16>, tensor<?x?x?x96xf16> -> tensor<?x?x?x96xf16>
  return %o : tensor<?x?x?x96xf16>
}

// -----

func.func @wgmma_d96(%q: tensor<?x?x?x96xf16>, %k: tensor<?x?x?x96xf16>, %v: tensor<?x?x?x96xf16>) -> tensor<?x?x?x96xf16> {
  // expected-error @+1 {{attn-select-gpu-schedule: a wgmma schedule needs d and d_v that are multiples of 64 up to 256, got d = 96, d_v = 96}}
  %o = attn.sdpa %q, %k, %v {attn.schedule = #attn.gpu_schedule<mma = wgmma, copy = tma, tile_q = 128, tile_kv = 128, kv_step = 128, warps = 12, producer_warps = 4, stages = 2>} : tensor<?x?x?x96xf16>, tensor<?x?x?x96xf16>, tensor<?x?x?x96xf16> -> tensor<?x?x?x96xf16>
  return %o : tensor<?x?x?x96xf16>
}

// -----

// Three consumer warpgroups (192 rows) from the schedule an attn.sdpa
// carries: 512 threads, and 160 registers a consumer thread.
// CHECK-LABEL: llvm.func @rows192(
// CHECK-SAME: tile_q = 192, tile_kv = 128
// CHECK-SAME: nvvm.maxntid = array<i32: 512, 1, 1>
// CHECK: nvvm.setmaxregister  increase 160
func.func @rows192(%q: tensor<?x?x?x64xbf16>, %k: tensor<?x?x?x64xbf16>, %v: tensor<?x?x?x64xbf16>) -> tensor<?x?x?x64xbf16> {
  %o = attn.sdpa %q, %k, %v {attn.schedule = #attn.gpu_schedule<mma = wgmma, copy = tma, tile_q = 192, tile_kv = 128, kv_step = 128, warps = 16, producer_warps = 4, stages = 2>} : tensor<?x?x?x64xbf16>, tensor<?x?x?x64xbf16>, tensor<?x?x?x64xbf16> -> tensor<?x?x?x64xbf16>
  return %o : tensor<?x?x?x64xbf16>
}

// -----

// Persistent: the metadata says so (last value), O staged in a region of its
// own (the next Q loads meanwhile), a tenth barrier (Q empty),
// 40 registers for the producer, whose thread walks the grid's tiles (units
// dealt round-robin, a unit one or two query blocks) and waits for the
// consumers to release Q before loading the next one; the consumers walk
// the same tiles and release Q once the tile's last Q·Kᵀ is done.
// CHECK: memref.global "public" constant @attn_meta_persistent : memref<18xi64, #gpu.address_space<global>> = dense<[7022365736608035937, 9, 1, 128, 128, 0, 128, 384, 196688, 128, 1, 1, 0, 0, 0, 0, 0, 0]>
// CHECK-LABEL: llvm.func @persistent(
// CHECK-SAME: persistent = true
// CHECK-SAME: attn.smem_bytes = 196688 : i64
// CHECK-COUNT-10: nvvm.mbarrier.init
// CHECK: nvvm.setmaxregister  decrease 40
// CHECK: %[[GX:.+]] = gpu.grid_dim  x
// CHECK: scf.for %{{.+}} = %{{.+}} to %{{.+}} step %{{.+}} iter_args
// CHECK: scf.for %{{.+}} = %{{.+}} to %{{.+}} step %{{.+}} iter_args
// CHECK: nvvm.mbarrier.try_wait.parity
// CHECK: nvvm.cp.async.bulk.tensor.shared.cluster.global
// CHECK: nvvm.setmaxregister  increase 232
// CHECK: gpu.grid_dim  x
// CHECK: scf.for %{{.+}} = %{{.+}} to %{{.+}} step %{{.+}} iter_args
// CHECK: nvvm.wgmma.mma_async
// CHECK: nvvm.mbarrier.arrive
func.func @persistent(%q: tensor<?x?x?x128xbf16>, %k: tensor<?x?x?x128xbf16>, %v: tensor<?x?x?x128xbf16>) -> tensor<?x?x?x128xbf16> {
  %o = attn.sdpa %q, %k, %v {attn.schedule = #attn.gpu_schedule<mma = wgmma, copy = tma, tile_q = 128, tile_kv = 128, kv_step = 128, warps = 12, producer_warps = 4, stages = 2, persistent = true>} : tensor<?x?x?x128xbf16>, tensor<?x?x?x128xbf16>, tensor<?x?x?x128xbf16> -> tensor<?x?x?x128xbf16>
  return %o : tensor<?x?x?x128xbf16>
}
