// RUN: attn-opt %s --split-input-file --attn-select-gpu-schedule --verify-diagnostics

// A wgmma schedule needs sm_90a (the sm_90a kernel tests hold the head-dim
// case).
func.func @wgmma_on_sm80(%q: tensor<?x?x?x64xbf16>, %k: tensor<?x?x?x64xbf16>, %v: tensor<?x?x?x64xbf16>) -> tensor<?x?x?x64xbf16> {
  // expected-error @+1 {{attn-select-gpu-schedule: a wgmma schedule needs chip=sm_90a, got chip=sm_80}}
  %o = attn.sdpa %q, %k, %v {attn.schedule = #attn.gpu_schedule<mma = wgmma, copy = tma, tile_q = 128, tile_kv = 128, kv_step = 128, warps = 12, producer_warps = 4, stages = 2>} : tensor<?x?x?x64xbf16>, tensor<?x?x?x64xbf16>, tensor<?x?x?x64xbf16> -> tensor<?x?x?x64xbf16>
  return %o : tensor<?x?x?x64xbf16>
}
