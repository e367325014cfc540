// attn.sdpa to a gpu.binary of PTX, for both chips. mma.sync (sm_80, and
// sm_90a with wgmma=false): tensor-core mma.sync on ldmatrix fragments,
// cp.async copies, ex2.approx, one extern shared array. sm_90a: the
// warp-specialised kernel — tensor maps as 64-byte aligned 128-byte
// parameters, mbarriers, setmaxnreg for each role, wgmma (shared × shared for
// Q·Kᵀ, register A for P·V), TMA loads.
// RUN: attn-opt %s --attn-to-nvvm-pipeline="chip=sm_80" | FileCheck %s --check-prefixes=CHECK,SYNC,SM80
// RUN: attn-opt %s --attn-to-nvvm-pipeline="chip=sm_90a schedule='#attn.gpu_schedule<mma = mma_sync, copy = cp_async, tile_q = 64, tile_kv = 32, kv_step = 32, warps = 4, producer_warps = 0, stages = 2>'" | FileCheck %s --check-prefixes=CHECK,SYNC,SM90
// RUN: attn-opt %s --attn-to-nvvm-pipeline="chip=sm_90a" | FileCheck %s --check-prefixes=CHECK,WGMMA

// CHECK: gpu.binary @attn_kernels
// SM80-SAME: chip = "sm_80"
// SM90-SAME: chip = "sm_90a"
// WGMMA-SAME: chip = "sm_90a"
// CHECK-SAME: .target sm_
// SYNC-SAME: .extern .shared .align 128 .b8 attn_smem_bf16[];
// SYNC-SAME: .visible .global .align 8 .b8 attn_meta_causal_d64[144]
// SYNC-SAME: .visible .entry causal_d64(
// SYNC-SAME: .maxntid 128, 1, 1
// SYNC-SAME: cp.async.cg.shared.global
// SYNC-SAME: cp.async.wait_group \091;
// SYNC-SAME: ldmatrix.sync.aligned.m8n8.x4.shared.b16
// SYNC-SAME: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// SYNC-SAME: ex2.approx.ftz.f32
// SYNC-SAME: ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16
// WGMMA-SAME: .extern .shared .align 1024 .b8 attn_smem_tma[];
// WGMMA-SAME: .visible .global .align 8 .b8 attn_meta_causal_d64[144]
// WGMMA-SAME: .visible .entry causal_d64(
// WGMMA-SAME: .param .align 64 .b8 causal_d64_param_53[128],
// WGMMA-SAME: .param .align 64 .b8 causal_d64_param_54[128],
// WGMMA-SAME: .param .align 64 .b8 causal_d64_param_55[128]
// WGMMA-SAME: .maxntid 512, 1, 1
// WGMMA-SAME: .minnctapersm 1
// WGMMA-SAME: mbarrier.init.shared.b64
// WGMMA-SAME: fence.mbarrier_init.release.cluster;
// WGMMA-SAME: bar.sync
// WGMMA-SAME: setmaxnreg.inc.sync.aligned.u32 \09160;
// WGMMA-SAME: mbarrier.try_wait.parity.shared.b64
// WGMMA-SAME: wgmma.fence.sync.aligned;
// WGMMA-SAME: wgmma.mma_async.sync.aligned.m64n128k16.f32.bf16.bf16
// WGMMA-SAME: wgmma.commit_group.sync.aligned;
// WGMMA-SAME: wgmma.wait_group.sync.aligned \090;
// WGMMA-SAME: ex2.approx.ftz.f32
// The loop: Q·Kᵀ of this tile and P·V of the last issued together, the
// softmax between the two waits.
// WGMMA-SAME: wgmma.fence.sync.aligned;
// WGMMA-SAME: wgmma.mma_async.sync.aligned.m64n128k16.f32.bf16.bf16
// WGMMA-SAME: wgmma.commit_group.sync.aligned;
// WGMMA-SAME: wgmma.mma_async.sync.aligned.m64n64k16.f32.bf16.bf16 {{[^;]*}}, p, 1, 1, 1;
// WGMMA-SAME: wgmma.commit_group.sync.aligned;
// WGMMA-SAME: wgmma.wait_group.sync.aligned \091;
// WGMMA-SAME: mbarrier.arrive.shared.b64
// WGMMA-SAME: ex2.approx.ftz.f32
// WGMMA-SAME: wgmma.wait_group.sync.aligned \090;
// WGMMA-SAME: mbarrier.arrive.shared.b64
// WGMMA-SAME: setmaxnreg.dec.sync.aligned.u32 \0924;
// WGMMA-SAME: mbarrier.arrive.expect_tx.shared.b64
// WGMMA-SAME: cp.async.bulk.tensor.4d.shared::cluster.global.tile.mbarrier::complete_tx::bytes
func.func @causal_d64(%q: tensor<?x?x?x64xbf16>, %k: tensor<?x?x?x64xbf16>, %v: tensor<?x?x?x64xbf16>) -> (tensor<?x?x?x64xbf16>, tensor<?x?x?xf32>) {
  %o, %lse = attn.sdpa %q, %k, %v mask(#attn.causal) {lse} : tensor<?x?x?x64xbf16>, tensor<?x?x?x64xbf16>, tensor<?x?x?x64xbf16> -> tensor<?x?x?x64xbf16>, tensor<?x?x?xf32>
  return %o, %lse : tensor<?x?x?x64xbf16>, tensor<?x?x?xf32>
}
