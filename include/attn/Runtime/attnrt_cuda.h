/*===- attnrt_cuda.h - the attn runtime: run GPU kernels ---------*- C -*-===*\
 *
 * The CUDA half of attnrt (libattnrt_cuda, which links libattnrt and the
 * CUDA driver): launches the kernels that attn-kernelgen --target nvidia
 * generated. Like the CPU entry points, each call validates every argument
 * before it touches CUDA and returns an attnrt_status; attnrt_last_error()
 * then says what was wrong.
 *
 *   #include "attn_gpu_kernels.h"     // generated: declares attn_causal_d64
 *   attnrt_sdpa_gpu_args a = {...};   // device pointers, sizes, strides
 *   if (attn_causal_d64(&a, stream) != ATTNRT_OK) puts(attnrt_last_error());
 *
 * The launch runs in the calling thread's current CUDA context; a thread
 * without one gets device 0's primary context (the one the CUDA runtime and
 * PyTorch use) made current. Each kernel image is loaded once per context
 * and cached by its address, so an image must stay alive and unchanged for
 * as long as the process runs (generated images are static arrays).
 *
\*===----------------------------------------------------------------------===*/

#ifndef ATTN_RUNTIME_ATTNRT_CUDA_H
#define ATTN_RUNTIME_ATTNRT_CUDA_H

#include "attn/Runtime/attnrt.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The structs, attnrt_gpu_kernel and attnrt_sdpa_gpu_args, are attnrt.h's
 * (attnrt_abi.def). A kernel runs on a grid of (ceil(seq_q / tile_q),
 * batch * heads_q) blocks of `threads` threads. Besides what
 * attnrt_sdpa_check asks of the arguments, the kernel needs:
 *   - q, k and v 16-byte aligned, their strides (but d's) multiples of 8;
 *   - o 4-byte aligned, its strides (but d's) multiples of 2;
 *   - lse 4-byte aligned;
 *   - batch * heads_q <= 65535 (the grid's y dimension). */

/* Validates and launches `kernel` on `stream` (a CUstream; null = default
 * stream). q, k, v, o and lse must be device (or managed) memory of the
 * current context's device (checked at each pointer's first byte; that the
 * views fit their allocations is the caller's to know). The kernel struct is
 * checked against the metadata inside its image (attn_meta_<name>) when the
 * image is first loaded in a context. Asynchronous like any launch: errors
 * of the kernel itself surface at the next sync. A failed driver call
 * returns ATTNRT_ERROR_CUDA, naming the call and the error. A call with B,
 * H_q or N_q = 0 returns ATTNRT_OK after the argument checks, making no CUDA
 * call (so it neither loads nor checks the image). */
attnrt_status attnrt_sdpa_cuda(const attnrt_gpu_kernel *kernel,
                               const attnrt_sdpa_gpu_args *args, void *stream);

/* Validates only; makes no CUDA call (so it can tell neither device memory
 * from host memory nor a struct from its image's metadata: attnrt_sdpa_cuda
 * does). */
attnrt_status attnrt_sdpa_cuda_check(const attnrt_gpu_kernel *kernel,
                                     const attnrt_sdpa_gpu_args *args);

/* Linear attention (attn.linear) on the GPU: O_i = Σ_j φ(q_i)ᵀφ(k_j) v_j /
 * (Σ_j φ(q_i)ᵀφ(k_j) + eps) over all keys, or, causal, keys j ≤ i + seq_kv −
 * seq_q (then seq_q ≤ seq_kv); lse must be null. The kernel's three entry
 * points run in turn on `stream` over `workspace`: device memory of at least
 * the bytes attnrt_linear_cuda_workspace gives for the same kernel and
 * sizes, 16-byte aligned, overlapping no tensor of the call, which the call
 * overwrites (it may be null when that size is 0). The arguments must meet
 * what attnrt_sdpa_cuda asks of them. */
attnrt_status attnrt_linear_cuda(const attnrt_linear_gpu_kernel *kernel,
                                 const attnrt_sdpa_gpu_args *args,
                                 void *workspace, size_t workspace_bytes,
                                 void *stream);

/* The workspace bytes attnrt_linear_cuda needs for `args` (one f32 state of
 * features × value_dim + features per batch, KV head and block of keys);
 * validates `args` as attnrt_linear_cuda_check does. */
attnrt_status
attnrt_linear_cuda_workspace(const attnrt_linear_gpu_kernel *kernel,
                             const attnrt_sdpa_gpu_args *args, size_t *bytes);

/* Validates only, as attnrt_sdpa_cuda_check. */
attnrt_status attnrt_linear_cuda_check(const attnrt_linear_gpu_kernel *kernel,
                                       const attnrt_sdpa_gpu_args *args);

#ifdef __cplusplus
}
#endif

#endif /* ATTN_RUNTIME_ATTNRT_CUDA_H */
