/* This CPU's f32 FMA ceiling: 24 independent AVX-512 FMA chains per thread,
 * GFLOP/s = 2 * 16 lanes * FMAs / s. Usage: fma_peak [threads]. */
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

enum { ITERS = 400000000 / 24 };
static volatile float sink;

static void *run(void *arg) {
  (void)arg;
  __m512 a[24], x = _mm512_set1_ps(1.0000001f), y = _mm512_set1_ps(0.9999999f);
  for (int i = 0; i < 24; ++i) a[i] = _mm512_set1_ps((float)i);
  for (long n = 0; n < ITERS; ++n)
    for (int i = 0; i < 24; ++i) a[i] = _mm512_fmadd_ps(a[i], x, y);
  __m512 s = a[0];
  for (int i = 1; i < 24; ++i) s = _mm512_add_ps(s, a[i]);
  sink = _mm512_reduce_add_ps(s);
  return NULL;
}

int main(int argc, char **argv) {
  int threads = argc > 1 ? atoi(argv[1]) : 1;
  pthread_t t[256];
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (int i = 0; i < threads; ++i) pthread_create(&t[i], NULL, run, NULL);
  for (int i = 0; i < threads; ++i) pthread_join(t[i], NULL);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double s = (t1.tv_sec - t0.tv_sec) + 1e-9 * (t1.tv_nsec - t0.tv_nsec);
  printf("%.1f\n", 2.0 * 16 * 24 * (double)ITERS * threads / s / 1e9);
  return 0;
}
