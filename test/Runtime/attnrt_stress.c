/* attnrt under load, with the committed CPU kernels (kernels-generated/cpu):
 *
 *   attnrt-stress-test threads T CALLS   T threads at once, each making
 *       CALLS calls that alternate valid calls (whose output must be
 *       bit-identical to the thread's first, which is checked against
 *       float64) with invalid ones of a kind of its own (whose message must
 *       be its own: attnrt_last_error() is per thread);
 *   attnrt-stress-test soak CALLS        CALLS calls from one thread, one in
 *       ten invalid; the resident set after the first 1000 and after the
 *       last must differ by less than 1 MiB (no leak per call; under
 *       AddressSanitizer LeakSanitizer checks instead).
 *
 * Every call runs on attnrt's own 2 threads. Prints one line per check and
 * "PASS" or "FAIL: ..." last (test/Runtime/attnrt-stress.test). */
#include "attn_cpu_kernels.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { B = 1, HQ = 4, HKV = 2, N = 37, D = 32 };
enum { QN = B * HQ * N * D, KVN = B * HKV * N * D, LN = B * HQ * N };

typedef struct {
  float q[QN], k[KVN], v[KVN], o[QN], lse[LN], o0[QN], lse0[LN];
} Problem;

static uint64_t next(uint64_t *state) {
  *state ^= *state << 13, *state ^= *state >> 7, *state ^= *state << 17;
  return *state;
}
static float uniform(uint64_t *state) {
  return (float)((next(state) >> 11) * 0x1.0p-53 * 2.0 - 1.0);
}

static attnrt_sdpa_args args_of(Problem *p) {
  attnrt_sdpa_args a = {p->q, p->k, p->v, p->o, p->lse, B, HQ, HKV, N, N,
                        {HQ * N * D, N * D, D, 1},
                        {HKV * N * D, N * D, D, 1},
                        {HKV * N * D, N * D, D, 1},
                        {HQ * N * D, N * D, D, 1},
                        {HQ * N, N, 1}, NULL, 0};
  return a;
}

static void fill(Problem *p, uint64_t seed) {
  uint64_t s = seed * 0x9E3779B97F4A7C15ull | 1;
  for (int i = 0; i < QN; ++i) p->q[i] = uniform(&s);
  for (int i = 0; i < KVN; ++i) p->k[i] = uniform(&s), p->v[i] = uniform(&s);
}

/* ‖o − ref‖ / ‖ref‖ of causal attention in float64; NaN if o has one. */
static double relative_error(const Problem *p) {
  double err2 = 0, ref2 = 0, s[N];
  for (int h = 0; h < HQ; ++h)
    for (int i = 0; i < N; ++i) {
      const float *qi = p->q + (h * N + i) * D;
      const int hk = h / (HQ / HKV);
      double m = -INFINITY, sum = 0;
      for (int j = 0; j <= i; ++j) {
        double dot = 0;
        for (int c = 0; c < D; ++c) dot += (double)qi[c] * p->k[(hk * N + j) * D + c];
        s[j] = dot / sqrt((double)D);
        if (s[j] > m) m = s[j];
      }
      for (int j = 0; j <= i; ++j) sum += (s[j] = exp(s[j] - m));
      for (int c = 0; c < D; ++c) {
        double ref = 0;
        for (int j = 0; j <= i; ++j) ref += s[j] * p->v[(hk * N + j) * D + c];
        ref /= sum;
        double got = p->o[(h * N + i) * D + c];
        if (isnan(got)) return NAN;
        err2 += (got - ref) * (got - ref), ref2 += ref * ref;
      }
      double lse = m + log(sum);
      err2 += (p->lse[h * N + i] - lse) * (p->lse[h * N + i] - lse);
      ref2 += lse * lse;
    }
  return sqrt(err2 / ref2);
}

/* An invalid call of kind `kind` and the message it must leave. */
static const char *invalid_call(Problem *p, int kind) {
  attnrt_sdpa_args a = args_of(p);
  switch (kind % 4) {
  case 0: a.heads_kv = 3; break;
  case 1: a.v = NULL; break;
  case 2: a.seq_kv = 0; break;
  default: a.o = (float *)((char *)p->o + 2); break;
  }
  static const char *const expected[] = {
      "heads_q (4) must be a multiple of heads_kv (3)",
      "q, k, v and o must not be null", "seq_kv is 0",
      "o must be 4-byte aligned"};
  if (attn_sdpa_d32_causal(&a) == ATTNRT_OK)
    return "an invalid call succeeded";
  return strstr(attnrt_last_error(), expected[kind % 4]) ? NULL
                                                        : attnrt_last_error();
}

typedef struct {
  int id, calls;
  Problem p;
  char failure[256];
} Worker;

static void *work(void *arg) {
  Worker *w = arg;
  fill(&w->p, 1000 + w->id);
  attnrt_sdpa_args a = args_of(&w->p);
  for (int call = 0; call < w->calls && !w->failure[0]; ++call) {
    if (call % 2) {
      const char *wrong = invalid_call(&w->p, w->id);
      if (wrong)
        snprintf(w->failure, sizeof(w->failure),
                 "thread %d call %d: wrong error: %s", w->id, call, wrong);
      continue;
    }
    if (attn_sdpa_d32_causal(&a) != ATTNRT_OK) {
      snprintf(w->failure, sizeof(w->failure), "thread %d call %d: %s", w->id,
               call, attnrt_last_error());
    } else if (call == 0) {
      memcpy(w->p.o0, w->p.o, sizeof(w->p.o));
      memcpy(w->p.lse0, w->p.lse, sizeof(w->p.lse));
      double rel = relative_error(&w->p);
      if (!(rel <= 1e-5))
        snprintf(w->failure, sizeof(w->failure),
                 "thread %d: relative error %g vs float64", w->id, rel);
    } else if (memcmp(w->p.o, w->p.o0, sizeof(w->p.o)) ||
               memcmp(w->p.lse, w->p.lse0, sizeof(w->p.lse))) {
      snprintf(w->failure, sizeof(w->failure),
               "thread %d call %d: output differs from its first", w->id, call);
    }
  }
  return NULL;
}

static int threads(int count, int calls) {
  Worker *workers = calloc(count, sizeof(Worker));
  pthread_t *ids = calloc(count, sizeof(pthread_t));
  for (int t = 0; t < count; ++t) {
    workers[t].id = t, workers[t].calls = calls;
    pthread_create(&ids[t], NULL, work, &workers[t]);
  }
  int failed = 0;
  for (int t = 0; t < count; ++t) {
    pthread_join(ids[t], NULL);
    if (workers[t].failure[0]) {
      printf("FAIL: %s\n", workers[t].failure);
      failed = 1;
    }
  }
  if (!failed)
    printf("%d threads x %d calls: outputs identical and correct, each thread "
           "saw its own errors\nPASS\n", count, calls);
  free(workers);
  free(ids);
  return failed;
}

/* AddressSanitizer keeps freed memory and the records of finished threads:
 * the resident set says nothing there, LeakSanitizer checks at exit. */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) && !defined(UNDER_ASAN)
#define UNDER_ASAN 1
#endif
#ifndef UNDER_ASAN
#define UNDER_ASAN 0
#endif

/* Resident set in KiB (/proc/self/statm). */
static long rss_kib(void) {
  long pages = 0, resident = 0;
  FILE *f = fopen("/proc/self/statm", "r");
  if (!f || fscanf(f, "%ld %ld", &pages, &resident) != 2)
    resident = -1;
  if (f)
    fclose(f);
  return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static int soak(int calls) {
  static Problem p;
  fill(&p, 7);
  attnrt_sdpa_args a = args_of(&p);
  long warm = 0;
  for (int call = 0; call < calls; ++call) {
    if (call % 10 == 9) {
      const char *wrong = invalid_call(&p, call / 10);
      if (wrong) {
        printf("FAIL: call %d: wrong error: %s\n", call, wrong);
        return 1;
      }
    } else if (attn_sdpa_d32_causal(&a) != ATTNRT_OK) {
      printf("FAIL: call %d: %s\n", call, attnrt_last_error());
      return 1;
    }
    if (call == 999)
      warm = rss_kib();
  }
  double rel = relative_error(&p);
  long growth = rss_kib() - warm;
  printf("%d calls (1 in 10 invalid): resident set grew %ld KiB after the "
         "first 1000%s; last output relative error %.2e\n", calls, growth,
         UNDER_ASAN ? " (not bounded under AddressSanitizer)" : "", rel);
  if (!(rel <= 1e-5) || (growth > 1024 && !UNDER_ASAN)) {
    printf("FAIL: %s\n", rel <= 1e-5 ? "the resident set grows" : "wrong output");
    return 1;
  }
  printf("PASS\n");
  return 0;
}

int main(int argc, char **argv) {
  attnrt_set_num_threads(2);
  if (argc == 4 && !strcmp(argv[1], "threads"))
    return threads(atoi(argv[2]), atoi(argv[3]));
  if (argc == 3 && !strcmp(argv[1], "soak"))
    return soak(atoi(argv[2]));
  fprintf(stderr, "usage: %s threads T CALLS | soak CALLS\n", argv[0]);
  return 2;
}
