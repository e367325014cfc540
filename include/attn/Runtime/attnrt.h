/*===- attnrt.h - the attn runtime: run generated kernels -------*- C -*-===*\
 *
 * A C API that applications link to run kernels that attn-kernelgen
 * generated. Every entry point validates its arguments and returns a status;
 * attnrt_last_error() then says what was wrong. It never writes outside O
 * and LSE.
 *
 *   #include "causal_d64.h"          // generated: declares attn_causal_d64
 *   attnrt_sdpa_args a = {...};     // pointers, sizes, element strides
 *   if (attn_causal_d64(&a) != ATTNRT_OK) puts(attnrt_last_error());
 *
\*===----------------------------------------------------------------------===*/

#ifndef ATTN_RUNTIME_ATTNRT_H
#define ATTN_RUNTIME_ATTNRT_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum attnrt_status {
  ATTNRT_OK = 0,
  ATTNRT_ERROR_NULL_POINTER = 1,   /* a required pointer is null */
  ATTNRT_ERROR_BAD_SIZE = 2,       /* a size is < 1 or heads don't divide */
  ATTNRT_ERROR_BAD_STRIDE = 3,     /* a stride is < 1, or d is not contiguous */
  ATTNRT_ERROR_OVERLAP = 4,        /* O or LSE overlaps itself or an input */
  ATTNRT_ERROR_KERNEL_MISMATCH = 5,/* the arguments don't fit the kernel */
  ATTNRT_ERROR_BAD_ARGUMENT = 6,   /* anything else (e.g. thread count) */
  ATTNRT_ERROR_CUDA = 7,           /* a CUDA driver call failed */
  ATTNRT_ERROR_ALIGNMENT = 8,      /* a GPU pointer or stride is misaligned */
} attnrt_status;

/* The element type of a kernel's q, k, v and o (lse is always f32). */
typedef enum attnrt_dtype {
  ATTNRT_DTYPE_BF16 = 1,
  ATTNRT_DTYPE_F16 = 2,
  ATTNRT_DTYPE_F32 = 3,
} attnrt_dtype;

/* What a generated kernel was compiled for, published by its own code as
 * ATTNRT_META_SIZE int64 values: the public constant __attn_meta_<name>
 * beside a CPU kernel, the global attn_meta_<name> inside a GPU image. The
 * runtime checks a kernel struct against it before a call. */
enum {
  ATTNRT_META_MAGIC,      /* ATTNRT_META_MAGIC_VALUE */
  ATTNRT_META_VERSION,    /* ATTNRT_META_VERSION_VALUE */
  ATTNRT_META_DTYPE,      /* an attnrt_dtype */
  ATTNRT_META_HEAD_DIM,
  ATTNRT_META_VALUE_DIM,
  ATTNRT_META_HAS_LSE,
  ATTNRT_META_ROWS,       /* rows_per_task (CPU) or tile_q (GPU) */
  ATTNRT_META_THREADS,    /* GPU: threads per CTA; CPU: 0 */
  ATTNRT_META_SMEM_BYTES, /* GPU: dynamic shared memory; CPU: 0 */
  ATTNRT_META_SIZE
};
#define ATTNRT_META_MAGIC_VALUE 0x6174746e6d657461LL /* "attnmeta" */
#define ATTNRT_META_VERSION_VALUE 1

/* Arguments of one attention call. Tensors are [B, H, N, d] in index
 * order; their memory order is given by element strides (not bytes), so
 * PyTorch's [B, N, H, d] is q_strides = {N*H*d, d, H*d, 1}. The last stride
 * (of d) must be 1. lse may be null when the kernel has no LSE output. */
typedef struct attnrt_sdpa_args {
  const float *q, *k, *v;
  float *o;
  float *lse;
  int64_t batch, heads_q, heads_kv, seq_q, seq_kv;
  int64_t q_strides[4], k_strides[4], v_strides[4], o_strides[4];
  int64_t lse_strides[3];
} attnrt_sdpa_args;

/* A generated CPU kernel, as its header describes it. */
typedef struct attnrt_cpu_kernel {
  const char *name;
  int64_t head_dim, value_dim;
  int has_lse;
  int64_t rows_per_task;  /* query rows of one task */
  void *entry;            /* _mlir_ciface_<name> */
  const int64_t *meta;    /* __attn_meta_<name> (ATTNRT_META_SIZE values) */
} attnrt_cpu_kernel;

/* Runs `kernel` on `args` with the runtime's threads. */
attnrt_status attnrt_sdpa_cpu(const attnrt_cpu_kernel *kernel,
                              const attnrt_sdpa_args *args);

/* Validates `args` for `kernel` without running anything. */
attnrt_status attnrt_sdpa_check(const attnrt_cpu_kernel *kernel,
                                const attnrt_sdpa_args *args);

/* Threads used by attnrt_sdpa_cpu (default: hardware concurrency). */
attnrt_status attnrt_set_num_threads(int threads);
int attnrt_get_num_threads(void);

/* The message of this thread's last failed call ("" if none). */
const char *attnrt_last_error(void);

#ifdef __cplusplus
}
#endif

#endif /* ATTN_RUNTIME_ATTNRT_H */
