/* attnrt_cuda under load, on a real GPU, with the committed kernels:
 *
 *   attnrt-cuda-stress streams T CALLS   T host threads at once, each with a
 *       stream of its own, each launching CALLS times while making an
 *       invalid call of a kind of its own after every launch (its message
 *       must be its own); every thread's output must then be bit-identical
 *       to one launch on the default stream made before (the kernel is
 *       deterministic);
 *   attnrt-cuda-stress soak CALLS        CALLS calls from one thread on one
 *       stream, one in ten invalid; device memory in use (cuMemGetInfo) and
 *       the resident set after the first 1000 and after the last must differ
 *       by less than 2 MiB and 4 MiB (no leak per call).
 *
 * Prints what it measured and "PASS" or "FAIL: ..." (scripts/gpu-box.sh). */
#include "attn_gpu_kernels.h"
#include "cuda_testing.h"

#include <pthread.h>
#include <string.h>
#include <unistd.h>

enum { B = 1, HQ = 4, HKV = 2, N = 333, D = 64 };
enum { QN = B * HQ * N * D, KVN = B * HKV * N * D, LN = B * HQ * N };

static CUcontext context;
static CUdeviceptr dq, dk, dv;

static attnrt_sdpa_gpu_args args_of(CUdeviceptr o, CUdeviceptr lse) {
  attnrt_sdpa_gpu_args a = {(void *)dq, (void *)dk, (void *)dv, (void *)o,
                            (float *)lse, B, HQ, HKV, N, N,
                            {HQ * N * D, N * D, D, 1},
                            {HKV * N * D, N * D, D, 1},
                            {HKV * N * D, N * D, D, 1},
                            {HQ * N * D, N * D, D, 1},
                            {HQ * N, N, 1}};
  return a;
}

/* An invalid call of kind `kind`; NULL if it failed with its own message. */
static const char *invalid_call(attnrt_sdpa_gpu_args a, int kind, CUstream s) {
  static const char *const expected[] = {
      "heads_q (4) must be a multiple of heads_kv (3)",
      "q, k, v and o must not be null", "seq_kv is 0",
      "q must be 16-byte aligned", "lse must not be null"};
  switch (kind % 5) {
  case 0: a.heads_kv = 3; break;
  case 1: a.v = NULL; break;
  case 2: a.seq_kv = 0; break;
  case 3: a.q = (const char *)a.q + 8; break;
  default: a.lse = NULL; break;
  }
  if (attn_sdpa_d64_bf16_causal(&a, s) == ATTNRT_OK)
    return "an invalid call succeeded";
  return strstr(attnrt_last_error(), expected[kind % 5]) ? NULL
                                                        : attnrt_last_error();
}

static uint16_t refO[QN];
static uint32_t refLse[LN];

/* refO and refLse: one launch on the default stream. */
static int reference_launch(void) {
  CUdeviceptr o, lse;
  check(cuMemAlloc(&o, 2 * QN), "alloc o");
  check(cuMemAlloc(&lse, 4 * LN), "alloc lse");
  attnrt_sdpa_gpu_args a = args_of(o, lse);
  if (attn_sdpa_d64_bf16_causal(&a, NULL) != ATTNRT_OK) {
    printf("FAIL: %s\n", attnrt_last_error());
    return 1;
  }
  check(cuCtxSynchronize(), "sync");
  check(cuMemcpyDtoH(refO, o, sizeof(refO)), "read o");
  check(cuMemcpyDtoH(refLse, lse, sizeof(refLse)), "read lse");
  cuMemFree(o);
  cuMemFree(lse);
  return 0;
}

typedef struct {
  int id, calls;
  char failure[256];
} Worker;

static void *work(void *arg) {
  Worker *w = arg;
  cuCtxSetCurrent(context);
  CUstream stream;
  CUdeviceptr o, lse;
  check(cuStreamCreate(&stream, CU_STREAM_NON_BLOCKING), "stream");
  check(cuMemAlloc(&o, 2 * QN), "alloc o");
  check(cuMemAlloc(&lse, 4 * LN), "alloc lse");
  attnrt_sdpa_gpu_args a = args_of(o, lse);
  for (int call = 0; call < w->calls && !w->failure[0]; ++call) {
    if (attn_sdpa_d64_bf16_causal(&a, stream) != ATTNRT_OK) {
      snprintf(w->failure, sizeof(w->failure), "thread %d launch %d: %s",
               w->id, call, attnrt_last_error());
      break;
    }
    const char *wrong = invalid_call(a, w->id, stream);
    if (wrong)
      snprintf(w->failure, sizeof(w->failure),
               "thread %d call %d: wrong error: %s", w->id, call, wrong);
  }
  static __thread uint16_t out[QN];
  static __thread uint32_t outLse[LN];
  check(cuStreamSynchronize(stream), "stream sync");
  check(cuMemcpyDtoH(out, o, sizeof(out)), "read o");
  check(cuMemcpyDtoH(outLse, lse, sizeof(outLse)), "read lse");
  if (!w->failure[0] && (memcmp(out, refO, sizeof(out)) ||
                         memcmp(outLse, refLse, sizeof(outLse))))
    snprintf(w->failure, sizeof(w->failure),
             "thread %d: output differs from the default stream's", w->id);
  cuMemFree(o);
  cuMemFree(lse);
  cuStreamDestroy(stream);
  return NULL;
}

static int streams(int count, int calls) {
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
    printf("%d threads on %d streams x %d launches (each followed by an "
           "invalid call): outputs bit-identical, each thread saw its own "
           "errors\nPASS\n", count, count, calls);
  return failed;
}

static long rss_kib(void) {
  long pages = 0, resident = -1;
  FILE *f = fopen("/proc/self/statm", "r");
  if (f && fscanf(f, "%ld %ld", &pages, &resident) != 2)
    resident = -1;
  if (f)
    fclose(f);
  return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static long device_used_kib(void) {
  size_t free = 0, total = 0;
  check(cuMemGetInfo(&free, &total), "cuMemGetInfo");
  return (long)((total - free) / 1024);
}

static int soak(int calls) {
  CUdeviceptr o, lse;
  CUstream stream;
  check(cuStreamCreate(&stream, CU_STREAM_NON_BLOCKING), "stream");
  check(cuMemAlloc(&o, 2 * QN), "alloc o");
  check(cuMemAlloc(&lse, 4 * LN), "alloc lse");
  attnrt_sdpa_gpu_args a = args_of(o, lse);
  long rss0 = 0, dev0 = 0;
  for (int call = 0; call < calls; ++call) {
    if (call % 10 == 9) {
      const char *wrong = invalid_call(a, call / 10, stream);
      if (wrong) {
        printf("FAIL: call %d: wrong error: %s\n", call, wrong);
        return 1;
      }
    } else if (attn_sdpa_d64_bf16_causal(&a, stream) != ATTNRT_OK) {
      printf("FAIL: call %d: %s\n", call, attnrt_last_error());
      return 1;
    }
    if (call % 1000 == 999)
      check(cuStreamSynchronize(stream), "stream sync");
    if (call == 999)
      rss0 = rss_kib(), dev0 = device_used_kib();
  }
  check(cuStreamSynchronize(stream), "stream sync");
  static uint16_t out[QN];
  check(cuMemcpyDtoH(out, o, sizeof(out)), "read o");
  int same = !memcmp(out, refO, sizeof(out));
  long rss = rss_kib() - rss0, dev = device_used_kib() - dev0;
  printf("%d calls (1 in 10 invalid) on one stream: after the first 1000, "
         "resident set %+ld KiB, device memory in use %+ld KiB; last output "
         "%s the first launch's\n", calls, rss, dev,
         same ? "bit-identical to" : "DIFFERENT from");
  if (!same || rss > 4096 || dev > 2048 || dev < -2048) {
    printf("FAIL: %s\n", same ? "memory grows" : "wrong output");
    return 1;
  }
  printf("PASS\n");
  return 0;
}

int main(int argc, char **argv) {
  int devices = 0;
  context = open_device(&devices);
  if (!context) {
    printf("SKIP: no usable CUDA device\n");
    return 0;
  }
  dq = upload_bf16(QN, 0), dk = upload_bf16(KVN, 3), dv = upload_bf16(KVN, 11);
  if (reference_launch())
    return 1;
  if (argc == 4 && !strcmp(argv[1], "streams"))
    return streams(atoi(argv[2]), atoi(argv[3]));
  if (argc == 3 && !strcmp(argv[1], "soak"))
    return soak(atoi(argv[2]));
  fprintf(stderr, "usage: %s streams T CALLS | soak CALLS\n", argv[0]);
  return 2;
}
