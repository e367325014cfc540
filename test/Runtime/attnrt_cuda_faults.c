/* attnrt's fault table on the CUDA entry point, on a real GPU, with the
 * committed kernels (kernels-generated/nvidia): one bad call per row, each
 * printed as "<row>: <status> <message> | outputs <untouched|written>" and
 * checked here against the status it must give. Before every call O and
 * LSE are poisoned with NaN bit patterns no kernel writes for finite
 * inputs; after it the context is synchronised and the poison must still be
 * there (and for the valid rows, must not be).
 *
 *   attnrt-cuda-faults WRONG_CHIP.cubin NO_META.cubin
 *
 * WRONG_CHIP.cubin is a cubin for a chip that is not this GPU (sm_80 on a
 * Hopper), NO_META.cubin one for this GPU holding a kernel named like ours
 * but no attn metadata (scripts/gpu-box.sh makes both with nvcc from
 * test/Runtime/Inputs/not_attn.cu). "context on another device" needs two
 * GPUs and says SKIP on one. Prints "faults: N rows, M wrong" last; exit 1
 * if any row is wrong. */
#include "attn_gpu_kernels.h"
#include "cuda_testing.h"

#include <string.h>

enum { B = 1, HQ = 4, HKV = 2, N = 100, D = 64, DMAX = 128 };
enum { QN = B * HQ * N * DMAX, KVN = B * HKV * N * DMAX, LN = B * HQ * N };

static CUdeviceptr dq, dk, dv, dout, dlse;
static int rows, wrong;

static void *read_file(const char *path, size_t *size) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    printf("FAIL: cannot read %s\n", path);
    exit(1);
  }
  fseek(f, 0, SEEK_END);
  *size = (size_t)ftell(f);
  fseek(f, 0, SEEK_SET);
  void *data = malloc(*size);
  if (fread(data, 1, *size, f) != *size)
    exit(1);
  fclose(f);
  return data;
}

/* bf16 NaN 0x7fa5 in O, f32 NaN 0x7fa5a5a5 in LSE. */
static void poison(void) {
  check(cuCtxSynchronize(), "sync before poisoning");
  check(cuMemsetD16(dout, 0x7fa5, QN), "poison o");
  check(cuMemsetD32(dlse, 0x7fa5a5a5, LN), "poison lse");
}

static int untouched(void) {
  static uint16_t o[QN];
  static uint32_t lse[LN];
  check(cuMemcpyDtoH(o, dout, sizeof(o)), "read o");
  check(cuMemcpyDtoH(lse, dlse, sizeof(lse)), "read lse");
  for (int i = 0; i < QN; ++i)
    if (o[i] != 0x7fa5)
      return 0;
  for (int i = 0; i < LN; ++i)
    if (lse[i] != 0x7fa5a5a5u)
      return 0;
  return 1;
}

static attnrt_sdpa_gpu_args good(int d) {
  attnrt_sdpa_gpu_args a = {(void *)dq, (void *)dk, (void *)dv, (void *)dout,
                            (float *)dlse, B, HQ, HKV, N, N,
                            {HQ * N * d, N * d, d, 1},
                            {HKV * N * d, N * d, d, 1},
                            {HKV * N * d, N * d, d, 1},
                            {HQ * N * d, N * d, d, 1},
                            {HQ * N, N, 1}};
  return a;
}

/* One row: the call must give `want` (and write the outputs iff it is OK);
 * `text`, if given, must be part of the message. */
static void row(const char *name, const attnrt_gpu_kernel *kernel,
                const attnrt_sdpa_gpu_args *a, attnrt_status want,
                const char *text) {
  poison();
  attnrt_status status = attnrt_sdpa_cuda(kernel, a, NULL);
  const char *message = status == ATTNRT_OK ? "ok" : attnrt_last_error();
  char copy[512];
  snprintf(copy, sizeof(copy), "%s", message);
  check(cuCtxSynchronize(), "sync after the call");
  int kept = untouched();
  int ok = status == want && kept == (want != ATTNRT_OK || a->seq_q == 0) &&
           (!text || strstr(copy, text));
  printf("%s %s: %d %s | outputs %s\n", ok ? "PASS" : "FAIL", name,
         (int)status, copy, kept ? "untouched" : "written");
  ++rows;
  wrong += !ok;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s WRONG_CHIP.cubin NO_META.cubin\n", argv[0]);
    return 2;
  }
  int devices = 0;
  CUcontext context = open_device(&devices);
  if (!context) {
    printf("FAIL: no usable CUDA device\n");
    return 1;
  }
  /* Inputs with room for d = 128 everywhere. */
  dq = upload_bf16(QN, 0), dk = upload_bf16(KVN, 0), dv = upload_bf16(KVN, 7);
  check(cuMemAlloc(&dout, 2 * QN), "alloc o");
  check(cuMemAlloc(&dlse, 4 * LN), "alloc lse");

  attnrt_gpu_kernel kern = attn_sdpa_d64_bf16_causal_kernel();
  attnrt_sdpa_gpu_args a = good(D);
  row("good", &kern, &a, ATTNRT_OK, NULL);

  /* Memory the kernel cannot use. */
  void *heap = calloc(QN, 2);
  a.q = heap;
  row("host pointer (malloc)", &kern, &a, ATTNRT_ERROR_BAD_ARGUMENT,
      "q is not a device pointer (CUDA does not know");
  a = good(D);
  void *pinned = NULL;
  check(cuMemAllocHost(&pinned, 2 * QN), "alloc host");
  a.k = pinned;
  row("pinned host pointer", &kern, &a, ATTNRT_ERROR_BAD_ARGUMENT,
      "is host memory");
  a = good(D);
  CUdeviceptr managed;
  check(cuMemAllocManaged(&managed, 2 * QN, CU_MEM_ATTACH_GLOBAL), "managed");
  check(cuMemcpyDtoD(managed, dq, 2 * QN), "copy managed");
  a.q = (void *)managed;
  row("managed memory", &kern, &a, ATTNRT_OK, NULL);
  a = good(D);
  if (devices > 1) {
    CUdevice other;
    CUcontext otherContext;
    check(cuDeviceGet(&other, 1), "device 1");
    check(cuDevicePrimaryCtxRetain(&otherContext, other), "retain 1");
    check(cuCtxSetCurrent(otherContext), "set current 1");
    attnrt_status status = attnrt_sdpa_cuda(&kern, &a, NULL);
    char message[512];
    snprintf(message, sizeof(message), "%s", attnrt_last_error());
    check(cuCtxSynchronize(), "sync on device 1");
    check(cuCtxSetCurrent(context), "back to device 0");
    int ok = status == ATTNRT_ERROR_BAD_ARGUMENT &&
             strstr(message, "is memory of device 0, but the current context "
                             "is on device 1") && untouched();
    printf("%s context on another device: %d %s | outputs %s\n",
           ok ? "PASS" : "FAIL", (int)status, message,
           untouched() ? "untouched" : "written");
    ++rows;
    wrong += !ok;
    cuDevicePrimaryCtxRelease(other);
  } else {
    printf("SKIP context on another device: this machine has one GPU\n");
  }

  /* Images that do not load, and structs that do not match their image. */
  attnrt_gpu_kernel bad = kern;
  bad.image = read_file(argv[1], &bad.image_size);
  row("image for another chip", &bad, &a, ATTNRT_ERROR_CUDA,
      "cuModuleLoadDataEx failed: CUDA_ERROR_NO_BINARY_FOR_GPU");
  bad = kern;
  static unsigned char garbage[4096];
  memset(garbage, 0x5a, sizeof(garbage));
  bad.image = garbage, bad.image_size = sizeof(garbage);
  row("image of no known kind, no NUL", &bad, &a, ATTNRT_ERROR_BAD_ARGUMENT,
      "as PTX it must end in a NUL byte");
  garbage[sizeof(garbage) - 1] = 0;
  row("corrupt image", &bad, &a, ATTNRT_ERROR_CUDA,
      "cuModuleLoadDataEx failed: ");
  bad = kern;
  bad.image = read_file(argv[2], &bad.image_size);
  row("image without attn metadata", &bad, &a, ATTNRT_ERROR_KERNEL_MISMATCH,
      "no attn_meta_sdpa_d64_bf16_causal beside its code");
  bad = kern, bad.name = "sdpa_nope";
  row("name not in the image", &bad, &a, ATTNRT_ERROR_CUDA,
      "cuModuleGetFunction failed: CUDA_ERROR_NOT_FOUND");
  bad = kern, bad.head_dim = bad.value_dim = DMAX;
  attnrt_sdpa_gpu_args wide = good(DMAX);
  row("head_dim not the image's", &bad, &wide, ATTNRT_ERROR_KERNEL_MISMATCH,
      "the struct says head_dim = 128, its code was compiled for 64");
  bad = kern, bad.dtype = ATTNRT_DTYPE_F16;
  row("dtype not the image's", &bad, &a, ATTNRT_ERROR_KERNEL_MISMATCH,
      "the struct says dtype = 2, its code was compiled for 1");
  bad = kern, bad.has_lse = 0;
  row("has_lse not the image's", &bad, &a, ATTNRT_ERROR_KERNEL_MISMATCH,
      "the struct says has_lse = 0, its code was compiled for 1");
  /* The image's own values (the committed schedule may change them). */
  char want[160];
  bad = kern, bad.tile_q = 64;
  snprintf(want, sizeof(want),
           "the struct says rows = 64, its code was compiled for %lld",
           (long long)kern.tile_q);
  row("tile_q not the image's", &bad, &a, ATTNRT_ERROR_KERNEL_MISMATCH, want);
  bad = kern, bad.threads = 256;
  snprintf(want, sizeof(want),
           "the struct says threads = 256, its code was compiled for %lld",
           (long long)kern.threads);
  row("threads not the image's", &bad, &a, ATTNRT_ERROR_KERNEL_MISMATCH, want);
  bad = kern, bad.smem_bytes -= 1024;
  snprintf(want, sizeof(want),
           "the struct says smem_bytes = %lld, its code was compiled for %lld",
           (long long)kern.smem_bytes - 1024, (long long)kern.smem_bytes);
  row("smem_bytes not the image's", &bad, &a, ATTNRT_ERROR_KERNEL_MISMATCH,
      want);
  bad = kern, bad.tile_kv = 64;
  row("tile_kv not the image's", &bad, &a, ATTNRT_ERROR_KERNEL_MISMATCH,
      "the struct says tile_kv = 64, its code was compiled for 128");
  bad = kern, bad.tensor_maps = 0;
  row("tensor_maps not the image's", &bad, &a, ATTNRT_ERROR_KERNEL_MISMATCH,
      "the struct says tensor_maps = 0, its code was compiled for 1");
  bad = kern, bad.persistent = 1;
  row("persistent not the image's", &bad, &a, ATTNRT_ERROR_KERNEL_MISMATCH,
      "the struct says persistent = 1, its code was compiled for 0");
  bad = kern, bad.tensor_maps = 2;
  row("tensor_maps neither 0 nor 1", &bad, &a, ATTNRT_ERROR_BAD_ARGUMENT,
      "tensor_maps must be 0 or 1, got 2");
  bad = kern, bad.tile_kv = 512;
  row("TMA box of 512 rows", &bad, &a, ATTNRT_ERROR_BAD_ARGUMENT,
      "tile_q and tile_kv must be 1 to 256 (TMA box rows)");

  /* Arguments (validated before any CUDA call), on real memory. */
  a = good(D), a.lse = NULL;
  row("null lse", &kern, &a, ATTNRT_ERROR_NULL_POINTER, "lse must not be null");
  a = good(D), a.q = (const char *)a.q + 2;
  row("misaligned q", &kern, &a, ATTNRT_ERROR_ALIGNMENT, "16-byte aligned");
  a = good(D), a.o = (void *)dq;
  row("o is q", &kern, &a, ATTNRT_ERROR_OVERLAP, "o overlaps q in memory");
  a = good(D), a.heads_kv = 3;
  row("H_q % H_kv != 0", &kern, &a, ATTNRT_ERROR_BAD_SIZE,
      "must be a multiple of heads_kv");
  a = good(D), a.seq_kv = 0;
  row("N_kv = 0", &kern, &a, ATTNRT_ERROR_BAD_SIZE, "seq_kv is 0");
  a = good(D), a.seq_q = 0;
  row("N_q = 0 (nothing to compute)", &kern, &a, ATTNRT_OK, NULL);
  a = good(D), a.batch = (int64_t)1 << 50;
  row("B * H * N * d past int64", &kern, &a, ATTNRT_ERROR_BAD_SIZE,
      "q has more bytes than int64 counts");

  /* After all of it the context still works. */
  a = good(D);
  row("valid call after the faults", &kern, &a, ATTNRT_OK, NULL);
  printf("faults: %d rows, %d wrong\n", rows, wrong);
  return wrong ? 1 : 0;
}
