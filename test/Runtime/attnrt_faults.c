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
  attnrt_cpu_kernel kernel = {"fake", D, D, 1, 32, (void *)&fakeKernel, meta,
                              0,      {0}, {0},   {0},  0};
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
                        {HQ * N, N, 1}, NULL, 0};
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

/* A kernel whose mask reads a block layout (4 x 8 blocks) and document
 * offsets: it records the tables' descriptors as the runtime passes them. */
struct Descriptor4 {
  const int32_t *allocated, *aligned;
  int64_t offset, sizes[4], strides[4];
};
static struct Descriptor4 seenTables[2];
static void fakeTableKernel(void *q, void *k, void *v, void *o, void *lse,
                            void *t0, void *t1, int64_t begin, int64_t end) {
  fakeKernel(q, k, v, o, lse, begin, end);
  seenTables[0] = *(struct Descriptor4 *)t0;
  seenTables[1] = *(struct Descriptor4 *)t1;
}
static const int64_t tableMeta[ATTNRT_META_SIZE] = {
    ATTNRT_META_MAGIC_VALUE, ATTNRT_META_VERSION_VALUE, ATTNRT_DTYPE_F32, D, D,
    1, 32, 0, 0, 0, 0, 0, ATTNRT_OP_SDPA, 0, 0, 0, 2};
static attnrt_cpu_kernel table_kernel(void) {
  attnrt_cpu_kernel kernel = {"sparse", D, D, 1, 32,
                              (void *)&fakeTableKernel, tableMeta, 2,
                              {ATTNRT_TABLE_BLOCK_LAYOUT,
                               ATTNRT_TABLE_DOCUMENT_OFFSETS},
                              {4, 0}, {8, 0}, 0};
  return kernel;
}
/* [3, 2] blocks of N = 10 rows and keys, or [B, HQ, 3, 2]; offsets [4] or
 * [B, 4]. */
static int32_t layout[B * HQ * 3 * 2] = {1, 0, 1, 1, 0, 1};
static int32_t offsets[B * 4] = {0, 3, 3, 10, 0, 5, 9, 9};
static attnrt_table tables[2];
static attnrt_sdpa_args good_tables(void) {
  attnrt_sdpa_args a = good();
  attnrt_table shared[2] = {{layout, 2, {3, 2}, {2, 1}},
                            {offsets, 1, {4}, {1}}};
  memcpy(tables, shared, sizeof(tables));
  a.tables = tables;
  a.num_tables = 2;
  return a;
}

static void row(const char *name, const attnrt_cpu_kernel *kernel,
                const attnrt_sdpa_args *a) {
  poison();
  attnrt_status status = attnrt_sdpa_cpu(kernel, a);
  printf("%s: %d %s | outputs %s\n", name, (int)status,
         status == ATTNRT_OK ? "ok" : attnrt_last_error(),
         untouched() ? "untouched" : "written");
}

static void printSeenTables(void) {
  for (int t = 0; t < 2; ++t) {
    const struct Descriptor4 *d = &seenTables[t];
    printf("  table %d sizes %lld %lld %lld %lld strides %lld %lld %lld %lld\n",
           t, (long long)d->sizes[0], (long long)d->sizes[1],
           (long long)d->sizes[2], (long long)d->sizes[3],
           (long long)d->strides[0], (long long)d->strides[1],
           (long long)d->strides[2], (long long)d->strides[3]);
  }
}

/* Mask tables: each bad one is named; the kernels read every table as
 * [B, H_q, rows, cols] with stride 0 over what it shares. */
static void tableRows(void) {
  attnrt_cpu_kernel kern = table_kernel();
  attnrt_sdpa_args a = good_tables();
  row("tables shared", &kern, &a);
  printSeenTables();
  tables[0] = (attnrt_table){layout, 4, {B, HQ, 3, 2}, {HQ * 6, 6, 2, 1}};
  tables[1] = (attnrt_table){offsets, 2, {B, 4}, {4, 1}};
  row("tables per batch", &kern, &a);
  printSeenTables();
  a = good_tables();
  a.num_tables = 1; row("tables count", &kern, &a); a = good_tables();
  a.tables = NULL; row("tables null", &kern, &a); a = good_tables();
  tables[0].data = NULL; row("table data null", &kern, &a); a = good_tables();
  tables[1].data = (const int32_t *)((const char *)offsets + 2);
  row("table misaligned", &kern, &a); a = good_tables();
  tables[0].sizes[1] = 3; row("layout size", &kern, &a); a = good_tables();
  tables[0].rank = 3; row("layout rank", &kern, &a); a = good_tables();
  tables[0].strides[0] = -2; row("layout stride", &kern, &a); a = good_tables();
  tables[1].sizes[0] = 0; row("offsets empty", &kern, &a); a = good_tables();
  tables[1] = (attnrt_table){offsets, 2, {3, 4}, {4, 1}};
  row("offsets batch", &kern, &a); a = good_tables();
  tables[1].data = offsets + 1; row("offsets start", &kern, &a); a = good_tables();
  offsets[2] = 2; row("offsets decrease", &kern, &a); offsets[2] = 3;
  offsets[3] = 11; row("offsets past seq_kv", &kern, &a); offsets[3] = 10;
  kern.table_kinds[1] = 7; row("table kind", &kern, &a); kern = table_kernel();
  kern.table_block_q[0] = 0; row("layout block", &kern, &a); kern = table_kernel();
  kern.num_tables = 1; row("num_tables mismatch", &kern, &a);
  kern = table_kernel();
  kern.num_tables = 5; row("num_tables too many", &kern, &a);

  /* Key lengths (a KV cache's fill): [B], 0 <= L_b <= seq_kv. */
  static int32_t lengths[B] = {10, 0};
  kern = table_kernel();
  kern.table_kinds[1] = ATTNRT_TABLE_KEY_LENGTHS;
  a = good_tables();
  tables[1] = (attnrt_table){lengths, 1, {B}, {1}};
  row("lengths", &kern, &a);
  printSeenTables();
  lengths[1] = 11; row("lengths past seq_kv", &kern, &a);
  lengths[1] = -1; row("lengths negative", &kern, &a); lengths[1] = 0;
  tables[1].sizes[0] = B + 1; row("lengths size", &kern, &a);
  tables[1] = (attnrt_table){lengths, 2, {B, 1}, {1, 1}};
  row("lengths rank", &kern, &a);
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
  kern.pack_gqa = 1; row("pack_gqa mismatch", &kern, &a); kern = good_kernel();

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
  tableRows();

  /* Threads. */
  printf("threads 0: %d\n", (int)attnrt_set_num_threads(0));
  printf("threads 5000: %d %s\n", (int)attnrt_set_num_threads(5000),
         attnrt_last_error());
  printf("threads 3: %d\n", (int)attnrt_set_num_threads(3));
  printf("threads now %d\n", attnrt_get_num_threads());
  return 0;
}
