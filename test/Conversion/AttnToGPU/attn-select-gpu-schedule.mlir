// RUN: attn-opt %s --split-input-file --attn-select-gpu-schedule --verify-diagnostics | FileCheck %s --check-prefix=SM80
// RUN: attn-opt %s --split-input-file --attn-select-gpu-schedule=chip=sm_90a --verify-diagnostics | FileCheck %s --check-prefix=SM90
// RUN: attn-opt %s --split-input-file --attn-select-gpu-schedule="chip=sm_90a wgmma=false" --verify-diagnostics | FileCheck %s --check-prefix=SM80
// RUN: attn-opt %s --split-input-file --attn-select-gpu-schedule="schedule='#attn.gpu_schedule<mma = mma_sync, copy = cp_async, tile_q = 128, tile_kv = 64, kv_step = 64, warps = 4, producer_warps = 0, stages = 1>'" --verify-diagnostics | FileCheck %s --check-prefix=GIVEN
// A one-stage schedule for every kernel, built.
// RUN: attn-opt %s --split-input-file --attn-select-gpu-schedule="schedule='#attn.gpu_schedule<mma = mma_sync, copy = cp_async, tile_q = 128, tile_kv = 64, kv_step = 64, warps = 4, producer_warps = 0, stages = 1>'" --convert-attn-to-gpu --verify-diagnostics | FileCheck %s --check-prefix=ONE
// The output parses again.
// RUN: attn-opt %s --split-input-file --attn-select-gpu-schedule=chip=sm_90a --verify-diagnostics | attn-opt --split-input-file > /dev/null

// Each attn.sdpa gets the schedule of its chip and head dims: on sm_80
// (and on sm_90a with wgmma=false) mma.sync, 128 query rows and 64 keys up
// to d = 128, 64 rows and 32 keys beyond; on sm_90a the warp-specialised
// wgmma kernel for head dims that are multiples of 64 (192 query rows at
// d = 64, 64 keys at d_v = 256), mma.sync for the others. The schedule option replaces the
// choice for every op that carries no schedule.
// SM80-LABEL: func.func @d64
// SM80: attn.schedule = #attn.gpu_schedule<mma = mma_sync, copy = cp_async, tile_q = 128, tile_kv = 64, kv_step = 64, warps = 4, producer_warps = 0, stages = 2>
// SM90-LABEL: func.func @d64
// SM90: attn.schedule = #attn.gpu_schedule<mma = wgmma, copy = tma, tile_q = 192, tile_kv = 128, kv_step = 128, warps = 16, producer_warps = 4, stages = 2>
// GIVEN-LABEL: func.func @d64
// GIVEN: attn.schedule = #attn.gpu_schedule<mma = mma_sync, copy = cp_async, tile_q = 128, tile_kv = 64, kv_step = 64, warps = 4, producer_warps = 0, stages = 1>
func.func @d64(%q: tensor<?x?x?x64xbf16>, %k: tensor<?x?x?x64xbf16>, %v: tensor<?x?x?x64xbf16>) -> tensor<?x?x?x64xbf16> {
  %o = attn.sdpa %q, %k, %v : tensor<?x?x?x64xbf16>, tensor<?x?x?x64xbf16>, tensor<?x?x?x64xbf16> -> tensor<?x?x?x64xbf16>
  return %o : tensor<?x?x?x64xbf16>
}

// -----

// SM80-LABEL: func.func @d256
// SM80: attn.schedule = #attn.gpu_schedule<mma = mma_sync, copy = cp_async, tile_q = 64, tile_kv = 32, kv_step = 32, warps = 4, producer_warps = 0, stages = 2>
// SM90-LABEL: func.func @d256
// SM90: attn.schedule = #attn.gpu_schedule<mma = wgmma, copy = tma, tile_q = 128, tile_kv = 64, kv_step = 64, warps = 12, producer_warps = 4, stages = 2>
func.func @d256(%q: tensor<?x?x?x256xbf16>, %k: tensor<?x?x?x256xbf16>, %v: tensor<?x?x?x256xbf16>) -> tensor<?x?x?x256xbf16> {
  %o = attn.sdpa %q, %k, %v : tensor<?x?x?x256xbf16>, tensor<?x?x?x256xbf16>, tensor<?x?x?x256xbf16> -> tensor<?x?x?x256xbf16>
  return %o : tensor<?x?x?x256xbf16>
}

// -----

// SM90-LABEL: func.func @d96
// SM90: attn.schedule = #attn.gpu_schedule<mma = mma_sync, copy = cp_async, tile_q = 128, tile_kv = 64
func.func @d96(%q: tensor<?x?x?x96xf16>, %k: tensor<?x?x?x96xf16>, %v: tensor<?x?x?x96xf16>) -> tensor<?x?x?x96xf16> {
  %o = attn.sdpa %q, %k, %v : tensor<?x?x?x96xf16>, tensor<?x?x?x96xf16>, tensor<?x?x?x96xf16> -> tensor<?x?x?x96xf16>
  return %o : tensor<?x?x?x96xf16>
}

// -----

// A schedule an op carries stays, whatever the options say.
// SM80-LABEL: func.func @carried
// SM80: tile_q = 64, tile_kv = 32, kv_step = 32, warps = 2, producer_warps = 0, stages = 1>
// GIVEN-LABEL: func.func @carried
// GIVEN: tile_q = 64, tile_kv = 32, kv_step = 32, warps = 2, producer_warps = 0, stages = 1>
func.func @carried(%q: tensor<?x?x?x64xbf16>, %k: tensor<?x?x?x64xbf16>, %v: tensor<?x?x?x64xbf16>) -> tensor<?x?x?x64xbf16> {
  %o = attn.sdpa %q, %k, %v {attn.schedule = #attn.gpu_schedule<mma = mma_sync, copy = cp_async, tile_q = 64, tile_kv = 32, kv_step = 32, warps = 2, producer_warps = 0, stages = 1>} : tensor<?x?x?x64xbf16>, tensor<?x?x?x64xbf16>, tensor<?x?x?x64xbf16> -> tensor<?x?x?x64xbf16>
  return %o : tensor<?x?x?x64xbf16>
}

// -----

// One K/V stage: half the K/V shared memory; V is copied after the wait for
// K, the next K after the wait for V, and the step ends without a barrier.
// ONE-LABEL: gpu.func @causal(
// ONE-SAME: producer_warps = 0, stages = 1>, attn.smem_bytes = 36864 : i64
// ONE: scf.for
// ONE: nvgpu.device_async_wait %{{.+}} {numGroups = 0 : i32}
// ONE-NEXT: gpu.barrier
// ONE: nvgpu.device_async_copy %arg2
// ONE: nvvm.mma.sync
// ONE: nvgpu.device_async_wait %{{.+}} {numGroups = 0 : i32}
// ONE-NEXT: gpu.barrier
// ONE: nvgpu.device_async_copy %arg1
// ONE: nvgpu.ldmatrix {{.+}} {numTiles = 4 : i32, transpose = true}
// ONE-NOT: gpu.barrier
// ONE: scf.yield
func.func @causal(%q: tensor<?x?x?x64xbf16>, %k: tensor<?x?x?x64xbf16>, %v: tensor<?x?x?x64xbf16>) -> (tensor<?x?x?x64xbf16>, tensor<?x?x?xf32>) {
  %o, %lse = attn.sdpa %q, %k, %v mask(#attn.causal) {lse} : tensor<?x?x?x64xbf16>, tensor<?x?x?x64xbf16>, tensor<?x?x?x64xbf16> -> tensor<?x?x?x64xbf16>, tensor<?x?x?xf32>
  return %o, %lse : tensor<?x?x?x64xbf16>, tensor<?x?x?xf32>
}

// -----

func.func @dynamic_d(%q: tensor<?x?x?x?xbf16>, %k: tensor<?x?x?x?xbf16>, %v: tensor<?x?x?x?xbf16>) -> tensor<?x?x?x?xbf16> {
  // expected-error @+1 {{attn-select-gpu-schedule: the head dims d and d_v must be static}}
  %o = attn.sdpa %q, %k, %v : tensor<?x?x?x?xbf16>, tensor<?x?x?x?xbf16>, tensor<?x?x?x?xbf16> -> tensor<?x?x?x?xbf16>
  return %o : tensor<?x?x?x?xbf16>
}

// -----

func.func @not_a_schedule(%q: tensor<?x?x?x64xbf16>, %k: tensor<?x?x?x64xbf16>, %v: tensor<?x?x?x64xbf16>) -> tensor<?x?x?x64xbf16> {
  // expected-error @+1 {{attn-select-gpu-schedule: attn.schedule must be an #attn.gpu_schedule}}
  %o = attn.sdpa %q, %k, %v {attn.schedule = 4 : i64} : tensor<?x?x?x64xbf16>, tensor<?x?x?x64xbf16>, tensor<?x?x?x64xbf16> -> tensor<?x?x?x64xbf16>
  return %o : tensor<?x?x?x64xbf16>
}
