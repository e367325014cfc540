// A kernel named like a committed attn kernel but not made by attn-kernelgen
// (no attn_meta_ global): compiled by scripts/gpu-box.sh for another chip
// (an image the GPU cannot load) and for the GPU's own (an image attnrt must
// refuse for want of metadata). Used by test/Runtime/attnrt_cuda_faults.c.
extern "C" __global__ void sdpa_d64_bf16_causal(void) {}
