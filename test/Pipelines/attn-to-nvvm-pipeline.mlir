// attn.sdpa to a gpu.binary of PTX, for both chips: tensor-core mma.sync on
// ldmatrix fragments, cp.async copies, ex2.approx, one extern shared array.
// RUN: attn-opt %s --attn-to-nvvm-pipeline="chip=sm_80" | FileCheck %s --check-prefixes=CHECK,SM80
// RUN: attn-opt %s --attn-to-nvvm-pipeline="chip=sm_90a tile-q=64 warps=4 tile-kv=32" | FileCheck %s --check-prefixes=CHECK,SM90

// CHECK: gpu.binary @attn_kernels
// SM80-SAME: chip = "sm_80"
// SM90-SAME: chip = "sm_90a"
// CHECK-SAME: .target sm_
// CHECK-SAME: .extern .shared .align 128 .b8 attn_smem_bf16[];
// CHECK-SAME: .visible .global .align 8 .b8 attn_meta_causal_d64[72]
// CHECK-SAME: .visible .entry causal_d64(
// CHECK-SAME: .maxntid 128, 1, 1
// CHECK-SAME: cp.async.cg.shared.global
// CHECK-SAME: cp.async.wait_group \091;
// CHECK-SAME: ldmatrix.sync.aligned.m8n8.x4.shared.b16
// CHECK-SAME: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// CHECK-SAME: ex2.approx.ftz.f32
// CHECK-SAME: ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16
func.func @causal_d64(%q: tensor<?x?x?x64xbf16>, %k: tensor<?x?x?x64xbf16>, %v: tensor<?x?x?x64xbf16>) -> (tensor<?x?x?x64xbf16>, tensor<?x?x?xf32>) {
  %o, %lse = attn.sdpa %q, %k, %v mask(#attn.causal) {lse} : tensor<?x?x?x64xbf16>, tensor<?x?x?x64xbf16>, tensor<?x?x?x64xbf16> -> tensor<?x?x?x64xbf16>, tensor<?x?x?xf32>
  return %o, %lse : tensor<?x?x?x64xbf16>, tensor<?x?x?xf32>
}
