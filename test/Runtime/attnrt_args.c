/* Every argument check of attnrt, one bad call each; prints
 * "<case>: <status> <message>" for FileCheck (test/Runtime/attnrt-args.test). */
#include "attn/Runtime/attnrt.h"

#include <stdio.h>
#include <string.h>

static void dummyEntry(void) {}

static attnrt_cpu_kernel kernel = {"dummy", 64, 64, 1, 32, (void *)&dummyEntry};
static float q[2 * 4 * 10 * 64], k[2 * 2 * 10 * 64], v[2 * 2 * 10 * 64],
    o[2 * 4 * 10 * 64], lse[2 * 4 * 10];

static attnrt_sdpa_args good(void) {
  attnrt_sdpa_args a = {q, k, v, o, lse, 2, 4, 2, 10, 10,
                        {4 * 10 * 64, 10 * 64, 64, 1},
                        {2 * 10 * 64, 10 * 64, 64, 1},
                        {2 * 10 * 64, 10 * 64, 64, 1},
                        {4 * 10 * 64, 10 * 64, 64, 1},
                        {4 * 10, 10, 1}};
  return a;
}

static void report(const char *name, attnrt_status status) {
  printf("%s: %d %s\n", name, (int)status,
         status == ATTNRT_OK ? "ok" : attnrt_last_error());
}

int main(void) {
  attnrt_sdpa_args a = good();
  report("good", attnrt_sdpa_check(&kernel, &a));
  report("null kernel", attnrt_sdpa_cpu(NULL, &a));
  report("null args", attnrt_sdpa_cpu(&kernel, NULL));
  a = good(); a.v = NULL;
  report("null v", attnrt_sdpa_cpu(&kernel, &a));
  a = good(); a.lse = NULL;
  report("null lse", attnrt_sdpa_cpu(&kernel, &a));
  a = good(); a.seq_kv = 0;
  report("zero seq_kv", attnrt_sdpa_cpu(&kernel, &a));
  a = good(); a.batch = -3;
  report("negative batch", attnrt_sdpa_cpu(&kernel, &a));
  a = good(); a.heads_kv = 3;
  report("heads", attnrt_sdpa_cpu(&kernel, &a));
  a = good(); a.k_strides[1] = 0;
  report("zero stride", attnrt_sdpa_cpu(&kernel, &a));
  a = good(); a.q_strides[3] = 2;
  report("head dim stride", attnrt_sdpa_cpu(&kernel, &a));
  a = good(); a.o_strides[2] = 32;
  report("o overlaps itself", attnrt_sdpa_cpu(&kernel, &a));
  a = good(); a.o = q;
  report("o overlaps q", attnrt_sdpa_cpu(&kernel, &a));
  a = good(); a.lse = o + 5;
  report("lse overlaps o", attnrt_sdpa_cpu(&kernel, &a));
  a = good(); a.lse_strides[2] = 0;
  report("lse stride", attnrt_sdpa_cpu(&kernel, &a));
  a = good(); a.o_strides[0] = (int64_t)1 << 62;
  report("huge stride", attnrt_sdpa_cpu(&kernel, &a));
  report("threads 0", attnrt_set_num_threads(0));
  report("threads 3", attnrt_set_num_threads(3));
  printf("threads now %d\n", attnrt_get_num_threads());
  return 0;
}
