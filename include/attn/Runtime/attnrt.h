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

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The ABI version of the structs below; a manifest's "runtime_abi". */
#define ATTNRT_ABI_VERSION 9

/* What every entry point returns (meanings: attnrt_abi.def). */
typedef enum attnrt_status {
#define ATTNRT_STATUS(name, value, meaning) name = value,
#include "attn/Runtime/attnrt_abi.def"
} attnrt_status;

/* The element type of a kernel's q, k, v and o (lse is always f32). */
typedef enum attnrt_dtype {
#define ATTNRT_DTYPE(name, value, spelling) name = value,
#include "attn/Runtime/attnrt_abi.def"
} attnrt_dtype;

/* φ of a linear-attention kernel. */
typedef enum attnrt_feature_map {
#define ATTNRT_FEATURE_MAP(name, value, spelling) name = value,
#include "attn/Runtime/attnrt_abi.def"
} attnrt_feature_map;

/* What a mask's run-time table holds (attnrt_abi.def says how it is laid
 * out). A CPU kernel reads at most ATTNRT_MAX_TABLES of them. */
typedef enum attnrt_table_kind {
#define ATTNRT_TABLE_KIND(name, value, spelling) name = value,
#include "attn/Runtime/attnrt_abi.def"
} attnrt_table_kind;
#define ATTNRT_MAX_TABLES 4

/* What a generated kernel was compiled for, published by its own code as
 * ATTNRT_META_SIZE int64 values: the public constant __attn_meta_<name>
 * beside a CPU kernel, the global attn_meta_<name> inside a GPU image. The
 * runtime checks a kernel struct against it before a call. */
enum {
  ATTNRT_META_MAGIC,   /* ATTNRT_META_MAGIC_VALUE */
  ATTNRT_META_VERSION, /* ATTNRT_META_VERSION_VALUE */
  ATTNRT_META_DTYPE,   /* an attnrt_dtype */
  ATTNRT_META_HEAD_DIM,
  ATTNRT_META_VALUE_DIM,
  ATTNRT_META_HAS_LSE,
  ATTNRT_META_ROWS,        /* rows_per_task (CPU) or tile_q (GPU) */
  ATTNRT_META_THREADS,     /* GPU: threads per CTA; CPU: 0 */
  ATTNRT_META_SMEM_BYTES,  /* GPU: dynamic shared memory; CPU: 0 */
  ATTNRT_META_TILE_KV,     /* GPU: keys per K/V tile; CPU: 0 */
  ATTNRT_META_TENSOR_MAPS, /* GPU: 1 if it takes TMA tensor maps; CPU: 0 */
  ATTNRT_META_PERSISTENT,  /* GPU: 1 if persistent (see attnrt_gpu_kernel) */
  ATTNRT_META_OP,          /* an attnrt_op: what the kernel computes */
  ATTNRT_META_CAUSAL,      /* linear: 1 if causal; sdpa: 0 (the header says) */
  ATTNRT_META_FEATURE_MAP, /* linear: an attnrt_feature_map; sdpa: 0 */
  ATTNRT_META_FEATURES,    /* linear: φ's width; sdpa: 0 */
  ATTNRT_META_TABLES,      /* sdpa: the mask's run-time tables (CPU) */
  ATTNRT_META_PACK_GQA,    /* sdpa (CPU): 1 if rows are packed by KV head */
  ATTNRT_META_SIZE
};
#define ATTNRT_META_MAGIC_VALUE 0x6174746e6d657461LL /* "attnmeta" */
/* 6: the FAVOR+ CPU kernels find the key shifts in phase 0 (no phase 3). */
/* 7: sm_90a kernels take O's tensor map after those of q, k and v. */
/* 8: ATTNRT_META_TABLES; CPU kernels take the mask's tables. */
/* 9: ATTNRT_META_PACK_GQA. */
#define ATTNRT_META_VERSION_VALUE 9

/* What a kernel computes (ATTNRT_META_OP): attn.sdpa, or attn.linear's
 * reassociated form (attnrt_linear_cpu and attnrt_linear_cuda run it). */
typedef enum attnrt_op { ATTNRT_OP_SDPA = 0, ATTNRT_OP_LINEAR = 1 } attnrt_op;

/* The structs of the interface, attnrt_abi.def lists their fields with
 * what each means:
 *   attnrt_table          one run-time mask table (int32 entries, strides)
 *   attnrt_sdpa_args      one CPU call: pointers, sizes, element strides of
 *                         [B, H, N, d] tensors (torch's [B, N, H, d] memory
 *                         is q_strides = {N*H*d, d, H*d, 1}; d's stride is 1)
 *   attnrt_cpu_kernel     a generated CPU kernel, as its header gives it
 *   attnrt_linear_kernel  a generated CPU linear-attention kernel
 *   attnrt_gpu_kernel     a generated GPU kernel (attnrt_cuda.h runs it)
 *   attnrt_linear_gpu_kernel  a generated GPU linear-attention kernel
 *   attnrt_sdpa_gpu_args  one GPU call, like attnrt_sdpa_args */
#define ATTNRT_STRUCT_BEGIN(s) typedef struct s {
#define ATTNRT_FIELD(s, type, name, kind) type name;
#define ATTNRT_ARRAY(s, type, name, count, kind) type name[count];
#define ATTNRT_STRUCT_END(s)                                                   \
  }                                                                            \
  s;
#include "attn/Runtime/attnrt_abi.def"

/* Runs `kernel` on `args` with the runtime's threads. */
attnrt_status attnrt_sdpa_cpu(const attnrt_cpu_kernel *kernel,
                              const attnrt_sdpa_args *args);

/* Validates `args` for `kernel` without running anything. */
attnrt_status attnrt_sdpa_check(const attnrt_cpu_kernel *kernel,
                                const attnrt_sdpa_args *args);

/* Runs linear-attention `kernel` on `args` (lse must be null) with the
 * runtime's threads: O_i = Σ_j φ(q_i)ᵀφ(k_j) v_j / (Σ_j φ(q_i)ᵀφ(k_j) + eps)
 * over all keys, or, causal, keys j ≤ i + seq_kv − seq_q (then seq_q ≤
 * seq_kv). It allocates a workspace of one features × d_v state per (batch,
 * KV head, block of keys) for the call. */
attnrt_status attnrt_linear_cpu(const attnrt_linear_kernel *kernel,
                                const attnrt_sdpa_args *args);

/* Validates `args` for linear-attention `kernel` without running it. */
attnrt_status attnrt_linear_check(const attnrt_linear_kernel *kernel,
                                  const attnrt_sdpa_args *args);

/* Threads used by attnrt_sdpa_cpu (default: hardware concurrency). */
attnrt_status attnrt_set_num_threads(int threads);
int attnrt_get_num_threads(void);

/* The message of this thread's last failed call ("" if none). */
const char *attnrt_last_error(void);

/* The name of `status` ("ATTNRT_ERROR_BAD_SIZE"; "" if it is none). */
const char *attnrt_status_name(int status);

/* The interface as JSON, for bindings that build their own mirrors of it
 * (the Python package): {"version": ATTNRT_ABI_VERSION, "status": {name:
 * value}, "dtype": {spelling: value}, "feature_map": {spelling: value},
 * "structs": {name: {"size", "align", "fields": [{"name", "kind", "count",
 * "offset"}]}}}. A static string. */
const char *attnrt_abi_json(void);

#ifdef __cplusplus
}
#endif

#endif /* ATTN_RUNTIME_ATTNRT_H */
