/* The GPU mode of the example application: it links a generated GPU kernel
 * (kernels-generated/nvidia, sm_90a cubins) and attnrt_cuda, runs causal GQA
 * attention in bf16 on tensors in PyTorch's [B, N, H, d] layout in device
 * memory, and checks every output row against a float64 reference computed
 * from the same bf16 inputs. It also shows how a bad call is reported.
 * Exit status 0 on success, also when there is no GPU to run on (it says
 * SKIP and why).
 *
 * Modes:
 * - attn-example-gpu: causal GQA softmax attention, sdpa_d64_bf16_causal.
 * - attn-example-gpu linear: causal linear attention with elu + 1
 *   features, linear_d64_bf16_causal (O(N), over a workspace). */
#include "attn_gpu_kernels.h"

#include <cuda.h>
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

/* bf16 <-> float, rounding to nearest even. */
static uint16_t to_bf16(float x) {
  uint32_t bits;
  memcpy(&bits, &x, 4);
  bits += 0x7FFF + ((bits >> 16) & 1);
  return (uint16_t)(bits >> 16);
}
static float from_bf16(uint16_t h) {
  uint32_t bits = (uint32_t)h << 16;
  float x;
  memcpy(&x, &bits, 4);
  return x;
}

/* Element (b, h, n, c) of a [B, N, H, D] tensor with H heads. */
static size_t at(int b, int n, int h, int c, int heads) {
  return (((size_t)b * N + n) * heads + h) * D + c;
}

/* A device copy of `count` host elements of `bytes` each. */
static CUdeviceptr upload(const void *host, size_t count, size_t bytes) {
  CUdeviceptr dev = 0;
  if (cuMemAlloc(&dev, count * bytes) != CUDA_SUCCESS ||
      (host && cuMemcpyHtoD(dev, host, count * bytes) != CUDA_SUCCESS)) {
    printf("FAIL: cannot allocate or copy %zu bytes on the GPU\n", count * bytes);
    exit(1);
  }
  return dev;
}

/* Causal linear attention on the same inputs (elu + 1 features), against
 * the float64 recurrence S += φ(k)vᵀ, z += φ(k) over the same bf16 inputs.
 * Returns 0 on PASS. */
static double elu1(double x) { return x > 0 ? x + 1 : exp(x); }
static int linearMode(attnrt_sdpa_gpu_args args, const uint16_t *q,
                      const uint16_t *k, const uint16_t *v, uint16_t *o,
                      CUdeviceptr dout) {
  args.lse = NULL; /* linear attention has none */
  size_t bytes = 0;
  CUdeviceptr work = 0;
  attnrt_status status = attn_linear_d64_bf16_causal_workspace(&args, &bytes);
  if (status == ATTNRT_OK && bytes)
    work = upload(NULL, bytes, 1);
  if (status == ATTNRT_OK)
    status = attn_linear_d64_bf16_causal(&args, (void *)work, bytes, NULL);
  if (status != ATTNRT_OK || cuCtxSynchronize() != CUDA_SUCCESS ||
      cuMemcpyDtoH(o, dout, 2 * (size_t)B * N * HQ * D) != CUDA_SUCCESS) {
    printf("FAIL: %s\n", status ? attnrt_last_error() : "the kernel failed");
    return 1;
  }
  double err2 = 0, ref2 = 0, *S = malloc(sizeof(double) * D * D),
         *z = malloc(sizeof(double) * D);
  for (int b = 0; b < B; ++b)
    for (int h = 0; h < HQ; ++h) {
      int hk = h / (HQ / HKV);
      memset(S, 0, sizeof(double) * D * D);
      memset(z, 0, sizeof(double) * D);
      for (int i = 0; i < N; ++i) {
        for (int f = 0; f < D; ++f) {
          double fk = elu1(from_bf16(k[at(b, i, hk, f, HKV)]));
          z[f] += fk;
          for (int c = 0; c < D; ++c)
            S[f * D + c] += fk * from_bf16(v[at(b, i, hk, c, HKV)]);
        }
        double den = 1e-6;
        for (int f = 0; f < D; ++f)
          den += elu1(from_bf16(q[at(b, i, h, f, HQ)])) * z[f];
        for (int c = 0; c < D; ++c) {
          double ref = 0;
          for (int f = 0; f < D; ++f)
            ref += elu1(from_bf16(q[at(b, i, h, f, HQ)])) * S[f * D + c];
          ref /= den;
          double got = from_bf16(o[at(b, i, h, c, HQ)]);
          err2 += (got - ref) * (got - ref);
          ref2 += ref * ref;
        }
      }
    }
  double rel = sqrt(err2 / ref2);
  printf("%s: causal linear attention (elu + 1) on the GPU, bf16, B=%d H_q=%d "
         "H_kv=%d N=%d d=%d, %zu bytes of workspace, relative error %.2e vs "
         "float64\n",
         rel <= 1e-2 ? "PASS" : "FAIL", B, HQ, HKV, N, D, bytes, rel);
  if (work)
    cuMemFree(work);
  free(S);
  free(z);
  return !(rel <= 1e-2);
}

int main(int argc, char **argv) {
  int linear = argc > 1 && strcmp(argv[1], "linear") == 0;
  if (argc > 1 && !linear) {
    printf("usage: %s [linear]\n", argv[0]);
    return 2;
  }
  CUresult rc = cuInit(0);
  int devices = 0;
  if (rc == CUDA_SUCCESS)
    rc = cuDeviceGetCount(&devices);
  if (rc != CUDA_SUCCESS || devices == 0) {
    const char *name = NULL;
    if (cuGetErrorName(rc, &name) != CUDA_SUCCESS)
      name = "unknown error";
    printf("SKIP: no usable CUDA device (%s)\n", rc ? name : "0 devices");
    return 0;
  }
  CUdevice device;
  CUcontext context;
  cuDeviceGet(&device, 0);
  cuDevicePrimaryCtxRetain(&context, device);
  cuCtxSetCurrent(context);

  state = (uint64_t)time(NULL) * 0x9E3779B97F4A7C15ull | 1;
  printf("seed %llu\n", (unsigned long long)state);
  size_t nq = (size_t)B * N * HQ * D, nkv = (size_t)B * N * HKV * D;
  uint16_t *q = malloc(2 * nq), *k = malloc(2 * nkv), *v = malloc(2 * nkv);
  uint16_t *o = malloc(2 * nq);
  float *lse = malloc(sizeof(float) * B * HQ * N);
  for (size_t i = 0; i < nq; ++i) q[i] = to_bf16(uniform());
  for (size_t i = 0; i < nkv; ++i) k[i] = to_bf16(uniform());
  for (size_t i = 0; i < nkv; ++i) v[i] = to_bf16(uniform());
  CUdeviceptr dq = upload(q, nq, 2), dk = upload(k, nkv, 2), dv = upload(v, nkv, 2);
  CUdeviceptr do_ = upload(NULL, nq, 2), dlse = upload(NULL, (size_t)B * HQ * N, 4);

  attnrt_sdpa_gpu_args args = {
      (const void *)dq, (const void *)dk, (const void *)dv, (void *)do_,
      (float *)dlse, B, HQ, HKV, N, N,
      {(int64_t)N * HQ * D, D, HQ * D, 1},   /* q: [B, N, H, d] */
      {(int64_t)N * HKV * D, D, HKV * D, 1}, /* k */
      {(int64_t)N * HKV * D, D, HKV * D, 1}, /* v */
      {(int64_t)N * HQ * D, D, HQ * D, 1},   /* o */
      {(int64_t)HQ * N, N, 1}};              /* lse: [B, H, N] */
  if (linear)
    return linearMode(args, q, k, v, o, do_);
  /* The first call loads the module; time the second. */
  CUevent start, stop;
  cuEventCreate(&start, CU_EVENT_DEFAULT);
  cuEventCreate(&stop, CU_EVENT_DEFAULT);
  attnrt_status status = attn_sdpa_d64_bf16_causal(&args, NULL);
  cuEventRecord(start, NULL);
  if (status == ATTNRT_OK)
    status = attn_sdpa_d64_bf16_causal(&args, NULL);
  cuEventRecord(stop, NULL);
  if (status != ATTNRT_OK) {
    printf("FAIL: %s\n", attnrt_last_error());
    return 1;
  }
  if (cuCtxSynchronize() != CUDA_SUCCESS ||
      cuMemcpyDtoH(o, do_, 2 * nq) != CUDA_SUCCESS ||
      cuMemcpyDtoH(lse, dlse, sizeof(float) * B * HQ * N) != CUDA_SUCCESS) {
    printf("FAIL: the kernel or the copy back failed\n");
    return 1;
  }
  float ms = 0;
  cuEventElapsedTime(&ms, start, stop);
  printf("kernel: %.3f ms on the GPU\n", ms);

  /* float64 reference of the same bf16 inputs, every row. */
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
            dot += (double)from_bf16(q[at(b, i, h, c, HQ)]) *
                   from_bf16(k[at(b, j, hk, c, HKV)]);
          s[j] = dot * scale;
          if (s[j] > m) m = s[j];
        }
        for (int j = 0; j <= i; ++j) sum += (s[j] = exp(s[j] - m));
        for (int c = 0; c < D; ++c) {
          double ref = 0;
          for (int j = 0; j <= i; ++j)
            ref += s[j] * from_bf16(v[at(b, j, hk, c, HKV)]);
          ref /= sum;
          double got = from_bf16(o[at(b, i, h, c, HQ)]);
          if (isnan(got)) { printf("FAIL: NaN in the output\n"); return 1; }
          err2 += (got - ref) * (got - ref);
          ref2 += ref * ref;
        }
        double lseRef = m + log(sum), lseGot = lse[((size_t)b * HQ + h) * N + i];
        if (!(fabs(lseGot - lseRef) <= 1e-3 * fabs(lseRef) + 1e-4)) {
          printf("FAIL: lse[%d,%d,%d] = %f, expected %f\n", b, h, i, lseGot, lseRef);
          return 1;
        }
      }
  double rel = sqrt(err2 / ref2);
  printf("%s: causal GQA attention on the GPU, bf16, B=%d H_q=%d H_kv=%d N=%d "
         "d=%d, [B,N,H,d] layout, relative error %.2e vs float64\n",
         rel <= 1e-2 ? "PASS" : "FAIL", B, HQ, HKV, N, D, rel);

  /* A bad call: a host pointer where device memory is needed. */
  args.q = q;
  status = attn_sdpa_d64_bf16_causal(&args, NULL);
  printf("bad call: status %d: %s\n", (int)status, attnrt_last_error());
  cuMemFree(dq);
  cuMemFree(dk);
  cuMemFree(dv);
  cuMemFree(do_);
  cuMemFree(dlse);
  cuEventDestroy(start);
  cuEventDestroy(stop);
  free(s);
  free(q);
  free(k);
  free(v);
  free(o);
  free(lse);
  cuDevicePrimaryCtxRelease(device);
  return rel <= 1e-2 && status == ATTNRT_ERROR_BAD_ARGUMENT ? 0 : 1;
}
