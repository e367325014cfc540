/* A/B of two builds of the committed CPU kernels, in one process:
 *
 *   clang -O2 -Iinclude bench/cpu_ab.c -Lbuild/lib -lattnrt -ldl \
 *       -Wl,-rpath,$PWD/build/lib -o /tmp/cpu_ab
 *   clang -shared OLD.o -o /tmp/old.so; clang -shared NEW.o -o /tmp/new.so
 *   /tmp/cpu_ab /tmp/old.so /tmp/new.so
 *
 * Calls sdpa_d64, sdpa_d64_causal, sdpa_d128 and sdpa_d128_causal of each
 * library through attnrt_sdpa_cpu on one thread (B = 1, H = 4, N = 4096,
 * [B, H, N, d]), alternating the two, and prints the best of 5 calls of each
 * in GFLOP/s (4·H·N²·d, half for causal). An object older than the kernel
 * metadata (no __attn_meta_<name>) gets one made from the struct. */
#include "attn/Runtime/attnrt.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s OLD.so NEW.so\n", argv[0]);
    return 2;
  }
  enum { N = 4096, H = 4 };
  const char *names[] = {"sdpa_d64", "sdpa_d64_causal", "sdpa_d128",
                         "sdpa_d128_causal"};
  const int dims[] = {64, 64, 128, 128}, lses[] = {0, 1, 0, 1};
  void *libs[2];
  for (int w = 0; w < 2; ++w)
    if (!(libs[w] = dlopen(argv[1 + w], RTLD_NOW | RTLD_LOCAL))) {
      fprintf(stderr, "%s\n", dlerror());
      return 2;
    }
  attnrt_set_num_threads(1);
  for (int c = 0; c < 4; ++c) {
    int d = dims[c];
    size_t n = (size_t)H * N * d;
    float *q = malloc(4 * n), *k = malloc(4 * n), *v = malloc(4 * n),
          *o = malloc(4 * n), *lse = malloc(4 * (size_t)H * N);
    for (size_t i = 0; i < n; ++i) {
      q[i] = rand() / (float)RAND_MAX - 0.5f;
      k[i] = rand() / (float)RAND_MAX - 0.5f;
      v[i] = rand() / (float)RAND_MAX - 0.5f;
    }
    double best[2] = {1e30, 1e30};
    for (int round = 0; round < 5; ++round)
      for (int w = 0; w < 2; ++w) {
        char entry[128], metaName[128];
        snprintf(entry, sizeof(entry), "_mlir_ciface_%s", names[c]);
        snprintf(metaName, sizeof(metaName), "__attn_meta_%s", names[c]);
        const int64_t *meta = dlsym(libs[w], metaName);
        static int64_t made[ATTNRT_META_SIZE];
        if (!meta) {
          int64_t m[ATTNRT_META_SIZE] = {ATTNRT_META_MAGIC_VALUE,
                                         ATTNRT_META_VERSION_VALUE,
                                         ATTNRT_DTYPE_F32, d, d, lses[c], 192};
          for (int i = 0; i < ATTNRT_META_SIZE; ++i)
            made[i] = m[i];
          meta = made;
        }
        attnrt_cpu_kernel kernel = {names[c], d, d, lses[c],
                                    meta[ATTNRT_META_ROWS],
                                    dlsym(libs[w], entry), meta};
        attnrt_sdpa_args a = {q, k, v, o, lse, 1, H, H, N, N,
                              {(int64_t)H * N * d, (int64_t)N * d, d, 1},
                              {(int64_t)H * N * d, (int64_t)N * d, d, 1},
                              {(int64_t)H * N * d, (int64_t)N * d, d, 1},
                              {(int64_t)H * N * d, (int64_t)N * d, d, 1},
                              {H * N, N, 1}};
        double t0 = now();
        if (attnrt_sdpa_cpu(&kernel, &a) != ATTNRT_OK) {
          printf("%s: %s\n", names[c], attnrt_last_error());
          return 1;
        }
        double t = now() - t0;
        if (t < best[w])
          best[w] = t;
      }
    double flops = 4.0 * H * (double)N * N * d / (lses[c] ? 2 : 1);
    printf("%-18s old %.1f GFLOP/s  new %.1f GFLOP/s  new/old %.3f\n",
           names[c], flops / best[0] / 1e9, flops / best[1] / 1e9,
           best[0] / best[1]);
    free(q), free(k), free(v), free(o), free(lse);
  }
  return 0;
}
