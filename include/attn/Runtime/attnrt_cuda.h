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

/* A generated GPU kernel, as its header describes it. Its parameters are the
 * memref descriptors of q, k, v, o (and lse if has_lse); it runs on a grid of
 * (ceil(seq_q / tile_q), batch * heads_q) blocks of `threads` threads. */
typedef struct attnrt_gpu_kernel {
  const char *name;        /* entry point in the image */
  const void *image;       /* cubin bytes, or NUL-terminated PTX text */
  size_t image_size;       /* bytes of image (for PTX: strlen + 1) */
  attnrt_dtype dtype;
  int64_t head_dim, value_dim;
  int has_lse;
  int64_t tile_q;          /* query rows per CTA */
  int threads;             /* threads per CTA: 32..1024, a multiple of 32 */
  int smem_bytes;          /* dynamic shared memory per CTA */
} attnrt_gpu_kernel;

/* Arguments of one GPU call: device pointers; sizes and element strides as in
 * attnrt_sdpa_args ([B, H, N, d] index order). lse may be null iff the kernel
 * has none. Besides what attnrt_sdpa_check asks, the kernel needs:
 *   - q, k and v 16-byte aligned, their strides (but d's) multiples of 8;
 *   - o 4-byte aligned, its strides (but d's) multiples of 2;
 *   - lse 4-byte aligned;
 *   - batch * heads_q <= 65535 (the grid's y dimension). */
typedef struct attnrt_sdpa_gpu_args {
  const void *q, *k, *v;
  void *o;
  float *lse;
  int64_t batch, heads_q, heads_kv, seq_q, seq_kv;
  int64_t q_strides[4], k_strides[4], v_strides[4], o_strides[4];
  int64_t lse_strides[3];
} attnrt_sdpa_gpu_args;

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

#ifdef __cplusplus
}
#endif

#endif /* ATTN_RUNTIME_ATTNRT_CUDA_H */
