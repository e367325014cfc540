/* attnrt's fault table on the CPU entry point: one bad call per row, each
 * printed as "<row>: <status> <message> | <outputs>" for FileCheck
 * (attnrt-faults.test). Before every call O and LSE are poisoned with a bit
 * pattern no kernel writes; "outputs untouched" means the pattern survived
 * and the kernel was not entered. The kernel here only records that it ran
 * and overwrites O and LSE, so a bad call that reached it would show. */
#include "attn/Runtime/attnrt.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

enum { B = 2, HQ = 4, HKV = 2, N = 10, D = 64 };
#define POISON 0x7fa5a5a5u /* a NaN with a payload */

static int entered;

static void fakeKernel(void *q, void *k, void *v, void *o, void *lse,
                       int64_t begin, int64_t end) {
  (void)q, (void)k, (void)v, (void)begin, (void)end;
  ++entered;
  /* The descriptors' aligned pointers: write the first element of each. */
  **(float **)((char *)o + sizeof(void *)) = 0.0f;
  **(float **)((char *)lse + sizeof(void *)) = 0.0f;
}

static const int64_t meta[ATTNRT_META_SIZE] = {
    ATTNRT_META_MAGIC_VALUE, ATTNRT_META_VERSION_VALUE, ATTNRT_DTYPE_F32, D, D,
    1, 32, 0, 0, 0, 0};
static const int64_t oldMeta[ATTNRT_META_SIZE] = {
    ATTNRT_META_MAGIC_VALUE, 0, ATTNRT_DTYPE_F32, D, D, 1, 32, 0, 0, 0, 0};

/* A linear-attention kernel: it records its phases' calls and writes O. */
static int phases[4];
static void fakeLinear(void *q, void *k, void *v, void *o, void *state,
                       void *norm, void *keyMax, int64_t phase,
                       int64_t blockRows, int64_t begin, int64_t end) {
  (void)q, (void)k, (void)v, (void)state, (void)norm, (void)keyMax;
  (void)blockRows;
  ++entered;
  phases[phase] += (int)(end - begin);
  **(float **)((char *)o + sizeof(void *)) = 0.0f;
}
static const int64_t linearMeta[ATTNRT_META_SIZE] = {
    ATTNRT_META_MAGIC_VALUE, ATTNRT_META_VERSION_VALUE, ATTNRT_DTYPE_F32, D, D,
    0, 64, 0, 0, 0, 0, 0, ATTNRT_OP_LINEAR, 1, ATTNRT_FEATURE_ELU_PLUS_ONE, D};
/* FAVOR+ with 48 features, causal with one key block a head: phase 0 only
 * finds each head's key shift (no state to sum), then phase 2. */
static const int64_t favorMeta[ATTNRT_META_SIZE] = {
    ATTNRT_META_MAGIC_VALUE, ATTNRT_META_VERSION_VALUE, ATTNRT_DTYPE_F32, D, D,
    0, 64, 0, 0, 0, 0, 0, ATTNRT_OP_LINEAR, 1, ATTNRT_FEATURE_FAVOR_PLUS, 48};

static attnrt_linear_kernel good_linear(void) {
  attnrt_linear_kernel kernel = {"lin", D, D, 1, ATTNRT_FEATURE_ELU_PLUS_ONE,
                                 D, 64, (void *)&fakeLinear, linearMeta};
  return kernel;
}

static attnrt_cpu_kernel good_kernel(void) {
  attnrt_cpu_kernel kernel = {"fake", D, D, 1, 32, (void *)&fakeKernel, meta};
  return kernel;
}

/* The inputs, and the outputs in one buffer so that O and LSE can be made to
 * overlap; 64-byte aligned. */
static float q[B * HQ * N * D] __attribute__((aligned(64)));
static float k[B * HKV * N * D] __attribute__((aligned(64)));
static float v[B * HKV * N * D] __attribute__((aligned(64)));
static float out[B * HQ * N * D + B * HQ * N + 64] __attribute__((aligned(64)));
static float *const o = out;
static float *const lse = out + B * HQ * N * D;

static attnrt_sdpa_args good(void) {
  attnrt_sdpa_args a = {q, k, v, o, lse, B, HQ, HKV, N, N,
                        {HQ * N * D, N * D, D, 1},
                        {HKV * N * D, N * D, D, 1},
                        {HKV * N * D, N * D, D, 1},
                        {HQ * N * D, N * D, D, 1},
                        {HQ * N, N, 1}};
  return a;
}

static void poison(void) {
  uint32_t p = POISON;
  for (size_t i = 0; i < sizeof(out) / sizeof(out[0]); ++i)
    memcpy(&out[i], &p, sizeof(p));
  entered = 0;
}

static int untouched(void) {
  for (size_t i = 0; i < sizeof(out) / sizeof(out[0]); ++i) {
    uint32_t x;
    memcpy(&x, &out[i], sizeof(x));
    if (x != POISON)
      return 0;
  }
  return !entered;
}

static void linearRow(const char *name, const attnrt_linear_kernel *kernel,
                      const attnrt_sdpa_args *a) {
  poison();
  phases[0] = phases[1] = phases[2] = phases[3] = 0;
  attnrt_status status = attnrt_linear_cpu(kernel, a);
  printf("linear %s: %d %s | outputs %s | phase tasks %d %d %d %d\n", name,
         (int)status, status == ATTNRT_OK ? "ok" : attnrt_last_error(),
         untouched() ? "untouched" : "written", phases[0], phases[1],
         phases[2], phases[3]);
}

/* The linear entry point: its own checks on top of attnrt_sdpa_check's. */
static void linearRows(void) {
  attnrt_linear_kernel kern = good_linear();
  attnrt_sdpa_args a = good();
  a.lse = NULL;
  attnrt_set_num_threads(1);
  linearRow("good", &kern, &a);
  attnrt_set_num_threads(16);
  linearRow("good, 16 threads", &kern, &a);
  attnrt_set_num_threads(1);
  linearRow("null kernel", NULL, &a);
  a.lse = lse; linearRow("lse given", &kern, &a); a.lse = NULL;
  a.seq_q = N + 1; a.q_strides[0] = HQ * (N + 1) * D; a.q_strides[1] = (N + 1) * D;
  linearRow("causal seq_q > seq_kv", &kern, &a);
  kern.causal = 0; linearRow("non-causal seq_q > seq_kv: causal mismatch", &kern, &a);
  kern = good_linear(); a = good(); a.lse = NULL;
  kern.chunk = 32; linearRow("chunk mismatch", &kern, &a); kern = good_linear();
  kern.chunk = 0; linearRow("chunk zero", &kern, &a); kern = good_linear();
  kern.meta = meta; linearRow("an sdpa kernel's metadata", &kern, &a);
  kern = good_linear();
  kern.features = 32; linearRow("features mismatch", &kern, &a);
  kern.feature_map = ATTNRT_FEATURE_RELU; kern.features = D;
  linearRow("feature map mismatch", &kern, &a);
  kern.feature_map = ATTNRT_FEATURE_FAVOR_PLUS; kern.features = 48;
  kern.meta = favorMeta; linearRow("favor_plus", &kern, &a);
  kern = good_linear();
  a.o = (float *)k; linearRow("o is k", &kern, &a); a = good(); a.lse = NULL;
  a.seq_q = 0; linearRow("zero seq_q", &kern, &a);
}

static void row(const char *name, const attnrt_cpu_kernel *kernel,
                const attnrt_sdpa_args *a) {
  poison();
  attnrt_status status = attnrt_sdpa_cpu(kernel, a);
  printf("%s: %d %s | outputs %s\n", name, (int)status,
         status == ATTNRT_OK ? "ok" : attnrt_last_error(),
         untouched() ? "untouched" : "written");
}

int main(void) {
  attnrt_cpu_kernel kern = good_kernel();
  attnrt_sdpa_args a = good();
  attnrt_set_num_threads(1);
  row("good", &kern, &a);

  /* Null pointers. */
  row("null kernel", NULL, &a);
  row("null args", &kern, NULL);
  kern.entry = NULL; row("null entry", &kern, &a); kern = good_kernel();
  kern.name = NULL; row("null name", &kern, &a); kern = good_kernel();
  a.q = NULL; row("null q", &kern, &a); a = good();
  a.k = NULL; row("null k", &kern, &a); a = good();
  a.v = NULL; row("null v", &kern, &a); a = good();
  a.o = NULL; row("null o", &kern, &a); a = good();
  a.lse = NULL; row("null lse", &kern, &a); a = good();

  /* The struct against the kernel's own metadata. */
  kern.meta = NULL; row("no metadata", &kern, &a); kern = good_kernel();
  kern.meta = oldMeta; row("old metadata", &kern, &a); kern = good_kernel();
  kern.meta = (const int64_t *)q; row("not metadata", &kern, &a); kern = good_kernel();
  kern.head_dim = 128; row("head_dim mismatch", &kern, &a); kern = good_kernel();
  kern.has_lse = 0; row("has_lse mismatch", &kern, &a); kern = good_kernel();
  kern.rows_per_task = 192; row("rows mismatch", &kern, &a); kern = good_kernel();
  kern.rows_per_task = 0; row("rows zero", &kern, &a); kern = good_kernel();

  /* Sizes: negative, zero, not dividing, overflowing int64. */
  a.batch = -3; row("negative batch", &kern, &a); a = good();
  a.seq_q = -1; row("negative seq_q", &kern, &a); a = good();
  a.heads_kv = 0; row("zero heads_kv", &kern, &a); a = good();
  a.heads_kv = 3; row("heads", &kern, &a); a = good();
  a.seq_kv = 0; row("zero seq_kv", &kern, &a); a = good();
  a.batch = (int64_t)1 << 40; a.heads_q = (int64_t)1 << 22;
  a.heads_kv = a.heads_q;
  row("huge sizes", &kern, &a); a = good();
  /* Empty calls compute nothing and succeed, pointers unread. */
  a.seq_q = 0; row("zero seq_q", &kern, &a); a = good();
  a.batch = 0; a.q = a.k = a.v = NULL; a.o = a.lse = NULL;
  row("zero batch, null pointers", &kern, &a); a = good();

  /* Strides. */
  a.k_strides[1] = 0; row("zero stride", &kern, &a); a = good();
  a.v_strides[0] = -640; row("negative stride", &kern, &a); a = good();
  a.q_strides[3] = 2; row("head dim stride", &kern, &a); a = good();
  a.o_strides[0] = (int64_t)1 << 62; row("huge stride", &kern, &a); a = good();
  a.o_strides[2] = 32; row("o rows overlap", &kern, &a); a = good();
  a.o_strides[1] = D; row("o heads overlap", &kern, &a); a = good();
  a.lse_strides[2] = 0; row("lse stride", &kern, &a); a = good();
  a.lse_strides[1] = 5; row("lse overlaps itself", &kern, &a); a = good();

  /* Alignment. */
  a.q = (const float *)((const char *)q + 2); row("q misaligned", &kern, &a); a = good();
  a.o = (float *)((char *)o + 1); row("o misaligned", &kern, &a); a = good();
  a.lse = (float *)((char *)lse + 3); row("lse misaligned", &kern, &a); a = good();

  /* Outputs overlapping inputs or each other. */
  a.o = (float *)q; row("o is q", &kern, &a); a = good();
  a.o = (float *)v + 100; row("o overlaps an input", &kern, &a); a = good();
  a.lse = o + 5; row("lse overlaps o", &kern, &a); a = good();
  a.lse = (float *)k; row("lse is k", &kern, &a); a = good();

  linearRows();

  /* Threads. */
  printf("threads 0: %d\n", (int)attnrt_set_num_threads(0));
  printf("threads 5000: %d %s\n", (int)attnrt_set_num_threads(5000),
         attnrt_last_error());
  printf("threads 3: %d\n", (int)attnrt_set_num_threads(3));
  printf("threads now %d\n", attnrt_get_num_threads());
  return 0;
}
