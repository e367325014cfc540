/* An application that links a generated CPU kernel (kernels-generated/cpu)
 * and the attnrt runtime, runs causal GQA attention on tensors in PyTorch's
 * [B, N, H, d] layout, and checks every output against a float64 reference.
 * It also shows how a bad call is reported. Exit status 0 on success.
 *
 *   attn-example-cpu          softmax attention (attn_sdpa_d64_causal)
 *   attn-example-cpu linear   causal linear attention, elu + 1 features
 *                             (attn_linear_elu_d64_causal: O(N)) */
#include "attn_cpu_kernels.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { B = 2, HQ = 8, HKV = 2, N = 777, D = 64 };

static uint64_t state;
static float uniform(void) { /* xorshift64*, in [-1, 1) */
  state ^= state >> 12;
  state ^= state << 25;
  state ^= state >> 27;
  return (float)((state * 2685821657736338717ull) >> 40) / (float)(1 << 23) - 1.0f;
}

/* Element (b, h, n, c) of a [B, N, H, D] tensor with H heads. */
static size_t at(int b, int n, int h, int c, int heads) {
  return (((size_t)b * N + n) * heads + h) * D + c;
}

/* Causal linear attention on the same inputs, against float64 written as
 * the quadratic form: o_i = Σ_{j<=i} φ(q_i)·φ(k_j) v_j / (Σ_{j<=i}
 * φ(q_i)·φ(k_j) + eps). Then a bad call (more queries than keys). */
static double phi(double x) { return x > 0 ? x + 1 : exp(x); }

static int linearMode(attnrt_sdpa_args args, const float *q, const float *k,
                      const float *v, const float *o) {
  args.lse = NULL; /* linear attention has none */
  attnrt_set_num_threads(2);
  if (attn_linear_elu_d64_causal(&args) != ATTNRT_OK) {
    printf("FAIL: %s\n", attnrt_last_error());
    return 1;
  }
  double err2 = 0, ref2 = 0, *num = malloc(sizeof(double) * D);
  double *fq = malloc(sizeof(double) * D);
  double *fk = malloc(sizeof(double) * B * N * HKV * D);
  for (size_t i = 0; i < (size_t)B * N * HKV * D; ++i) fk[i] = phi(k[i]);
  for (int b = 0; b < B; ++b)
    for (int h = 0; h < HQ; ++h)
      for (int i = 0; i < N; ++i) {
        int hk = h / (HQ / HKV);
        double den = 1e-6f; /* the op's eps, as f32 */
        for (int c = 0; c < D; ++c) num[c] = 0, fq[c] = phi(q[at(b, i, h, c, HQ)]);
        for (int j = 0; j <= i; ++j) {
          double a = 0;
          for (int c = 0; c < D; ++c)
            a += fq[c] * fk[at(b, j, hk, c, HKV)];
          den += a;
          for (int c = 0; c < D; ++c) num[c] += a * v[at(b, j, hk, c, HKV)];
        }
        for (int c = 0; c < D; ++c) {
          double ref = num[c] / den, got = o[at(b, i, h, c, HQ)];
          if (isnan(got)) { printf("FAIL: NaN in the output\n"); return 1; }
          err2 += (got - ref) * (got - ref);
          ref2 += ref * ref;
        }
      }
  free(num), free(fq), free(fk);
  double rel = sqrt(err2 / ref2);
  printf("%s: causal linear attention (elu + 1), B=%d H_q=%d H_kv=%d N=%d "
         "d=%d, [B,N,H,d] layout, relative error %.2e vs float64\n",
         rel <= 1e-5 ? "PASS" : "FAIL", B, HQ, HKV, N, D, rel);
  args.seq_q = N + 1; /* a causal query would see keys that are not there */
  attnrt_status status = attn_linear_elu_d64_causal(&args);
  printf("bad call: status %d: %s\n", (int)status, attnrt_last_error());
  return rel <= 1e-5 && status == ATTNRT_ERROR_BAD_SIZE ? 0 : 1;
}

int main(int argc, char **argv) {
  int linear = argc > 1 && strcmp(argv[1], "linear") == 0;
  if (argc > 1 && !linear) {
    printf("usage: %s [linear]\n", argv[0]);
    return 2;
  }
  state = (uint64_t)time(NULL) * 0x9E3779B97F4A7C15ull | 1;
  printf("seed %llu\n", (unsigned long long)state);
  float *q = malloc(sizeof(float) * B * N * HQ * D);
  float *k = malloc(sizeof(float) * B * N * HKV * D);
  float *v = malloc(sizeof(float) * B * N * HKV * D);
  float *o = malloc(sizeof(float) * B * N * HQ * D);
  float *lse = malloc(sizeof(float) * B * HQ * N);
  for (size_t i = 0; i < (size_t)B * N * HQ * D; ++i) q[i] = uniform();
  for (size_t i = 0; i < (size_t)B * N * HKV * D; ++i) k[i] = uniform();
  for (size_t i = 0; i < (size_t)B * N * HKV * D; ++i) v[i] = uniform();

  attnrt_sdpa_args args = {
      q, k, v, o, lse, B, HQ, HKV, N, N,
      {(int64_t)N * HQ * D, D, HQ * D, 1},   /* q: [B, N, H, d] */
      {(int64_t)N * HKV * D, D, HKV * D, 1}, /* k */
      {(int64_t)N * HKV * D, D, HKV * D, 1}, /* v */
      {(int64_t)N * HQ * D, D, HQ * D, 1},   /* o */
      {(int64_t)HQ * N, N, 1},               /* lse: [B, H, N] */
      NULL, 0};                              /* no mask tables */
  if (linear) {
    int failed = linearMode(args, q, k, v, o);
    free(q), free(k), free(v), free(o), free(lse);
    return failed;
  }
  attnrt_set_num_threads(2);
  clock_t start = clock();
  if (attn_sdpa_d64_causal(&args) != ATTNRT_OK) {
    printf("FAIL: %s\n", attnrt_last_error());
    return 1;
  }
  printf("kernel: %.3f s of CPU time\n", (double)(clock() - start) / CLOCKS_PER_SEC);

  /* float64 reference, every row. */
  double err2 = 0, ref2 = 0, scale = 1.0 / sqrt((double)D);
  double *s = malloc(sizeof(double) * N);
  for (int b = 0; b < B; ++b)
    for (int h = 0; h < HQ; ++h)
      for (int i = 0; i < N; ++i) {
        int hk = h / (HQ / HKV);
        double m = -INFINITY, sum = 0;
        for (int j = 0; j <= i; ++j) {
          double dot = 0;
          for (int c = 0; c < D; ++c)
            dot += (double)q[at(b, i, h, c, HQ)] * k[at(b, j, hk, c, HKV)];
          s[j] = dot * scale;
          if (s[j] > m) m = s[j];
        }
        for (int j = 0; j <= i; ++j) sum += (s[j] = exp(s[j] - m));
        for (int c = 0; c < D; ++c) {
          double ref = 0;
          for (int j = 0; j <= i; ++j) ref += s[j] * v[at(b, j, hk, c, HKV)];
          ref /= sum;
          double got = o[at(b, i, h, c, HQ)];
          if (isnan(got)) { printf("FAIL: NaN in the output\n"); return 1; }
          err2 += (got - ref) * (got - ref);
          ref2 += ref * ref;
        }
        double lseRef = m + log(sum), lseGot = lse[((size_t)b * HQ + h) * N + i];
        if (!(fabs(lseGot - lseRef) <= 1e-4 * fabs(lseRef) + 1e-5)) {
          printf("FAIL: lse[%d,%d,%d] = %f, expected %f\n", b, h, i, lseGot, lseRef);
          return 1;
        }
      }
  double rel = sqrt(err2 / ref2);
  printf("%s: causal GQA attention, B=%d H_q=%d H_kv=%d N=%d d=%d, [B,N,H,d] "
         "layout, relative error %.2e vs float64\n",
         rel <= 1e-5 ? "PASS" : "FAIL", B, HQ, HKV, N, D, rel);

  /* A bad call: 8 query heads cannot share 3 key/value heads. */
  args.heads_kv = 3;
  attnrt_status status = attn_sdpa_d64_causal(&args);
  printf("bad call: status %d: %s\n", (int)status, attnrt_last_error());
  free(s);
  free(q);
  free(k);
  free(v);
  free(o);
  free(lse);
  return rel <= 1e-5 && status == ATTNRT_ERROR_BAD_SIZE ? 0 : 1;
}
