/* Every argument check of attnrt_cuda, one bad call each; prints
 * "<case>: <status> <message>" for FileCheck
 * (test/Runtime/attnrt-cuda-args.test). The pointers are fake but aligned
 * "device" addresses: every call here fails its checks before any CUDA call
 * but the last, which needs no GPU to fail cleanly. */
#include "attn/Runtime/attnrt_cuda.h"

#include <stdio.h>

enum { B = 2, HQ = 4, HKV = 2, N = 10, D = 64 };

/* Never loaded: validation fails first, or (last case) CUDA does. */
static const char image[] = "// not PTX\n";

static attnrt_gpu_kernel kernel(void) {
  attnrt_gpu_kernel kern = {"sdpa_test", image, sizeof(image),
                            ATTNRT_DTYPE_BF16, D, D, 1, 64, 128, 64 * 1024,
                            64, 0, 0};
  return kern;
}

static char *at(uintptr_t address) { return (char *)address; }

static attnrt_sdpa_gpu_args good(void) {
  attnrt_sdpa_gpu_args a = {at(0x10000000), at(0x20000000), at(0x30000000),
                            at(0x40000000), (float *)at(0x50000000),
                            B, HQ, HKV, N, N,
                            {HQ * N * D, N * D, D, 1},
                            {HKV * N * D, N * D, D, 1},
                            {HKV * N * D, N * D, D, 1},
                            {HQ * N * D, N * D, D, 1},
                            {HQ * N, N, 1}};
  return a;
}

static void report(const char *name, attnrt_status status) {
  printf("%s: %d %s\n", name, (int)status,
         status == ATTNRT_OK ? "ok" : attnrt_last_error());
}

/* attnrt_linear_cuda: the struct, the call's arguments, the workspace. */
static void linear(void) {
  attnrt_linear_gpu_kernel lin = {"linear_test",
                                  image,
                                  sizeof(image),
                                  ATTNRT_DTYPE_BF16,
                                  D,
                                  D,
                                  1,
                                  ATTNRT_FEATURE_ELU_PLUS_ONE,
                                  D,
                                  64,
                                  D,
                                  128,
                                  53504,
                                  53760};
  attnrt_sdpa_gpu_args a = good();
  a.lse = NULL;
  size_t bytes = 0;
  report("linear workspace",
         attnrt_linear_cuda_workspace(&lin, &a, &bytes));
  printf("linear workspace bytes: %zu\n", bytes);
  report("linear good", attnrt_linear_cuda_check(&lin, &a));
  report("linear null bytes", attnrt_linear_cuda_workspace(&lin, &a, NULL));
  a.lse = (float *)at(0x50000000);
  report("linear lse", attnrt_linear_cuda_check(&lin, &a));
  a = good(); a.lse = NULL; a.seq_kv = N - 1;
  a.k_strides[1] = a.v_strides[1] = (N - 1) * D;
  report("linear causal seq_q > seq_kv", attnrt_linear_cuda_check(&lin, &a));
  a = good(); a.lse = NULL;
  lin.feature_map = ATTNRT_FEATURE_FAVOR_PLUS;
  report("linear favor_plus", attnrt_linear_cuda_check(&lin, &a));
  lin.feature_map = ATTNRT_FEATURE_RELU; lin.features = 32;
  report("linear features", attnrt_linear_cuda_check(&lin, &a));
  lin.features = D; lin.causal = 2;
  report("linear causal 2", attnrt_linear_cuda_check(&lin, &a));
  lin.causal = 1; lin.sums_smem_bytes = -1;
  report("linear sums smem", attnrt_linear_cuda_check(&lin, &a));
  lin.sums_smem_bytes = 53760;
  report("linear short workspace",
         attnrt_linear_cuda(&lin, &a, at(0x60000000), bytes - 4, NULL));
  report("linear null workspace", attnrt_linear_cuda(&lin, &a, NULL, bytes, NULL));
  report("linear workspace alignment",
         attnrt_linear_cuda(&lin, &a, at(0x60000004), bytes, NULL));
  report("linear workspace overlaps o",
         attnrt_linear_cuda(&lin, &a, at(0x40000000), bytes, NULL));
  report("linear launch", attnrt_linear_cuda(&lin, &a, at(0x60000000), bytes, NULL));
}

int main(void) {
  attnrt_gpu_kernel kern = kernel();
  attnrt_sdpa_gpu_args a = good();
  report("good", attnrt_sdpa_cuda_check(&kern, &a));
  kern.has_lse = 0; a.lse = NULL;
  report("no lse", attnrt_sdpa_cuda_check(&kern, &a));

  /* The kernel descriptor. attnrt_sdpa_cuda validates before any CUDA call:
   * these would otherwise fail in cuInit where there is no driver. */
  a = good();
  report("null kernel", attnrt_sdpa_cuda(NULL, &a, NULL));
  kern = kernel(); kern.name = NULL;
  report("null name", attnrt_sdpa_cuda(&kern, &a, NULL));
  kern = kernel(); kern.image = NULL;
  report("null image", attnrt_sdpa_cuda(&kern, &a, NULL));
  kern = kernel(); kern.image_size = 0;
  report("empty image", attnrt_sdpa_cuda_check(&kern, &a));
  kern = kernel(); kern.dtype = (attnrt_dtype)3;
  report("dtype", attnrt_sdpa_cuda_check(&kern, &a));
  kern = kernel(); kern.value_dim = 0;
  report("value_dim", attnrt_sdpa_cuda_check(&kern, &a));
  kern = kernel(); kern.tile_q = 0;
  report("tile_q", attnrt_sdpa_cuda_check(&kern, &a));
  kern = kernel(); kern.threads = 48;
  report("threads 48", attnrt_sdpa_cuda(&kern, &a, NULL));
  kern = kernel(); kern.threads = 2048;
  report("threads 2048", attnrt_sdpa_cuda_check(&kern, &a));
  kern = kernel(); kern.smem_bytes = -1;
  report("smem", attnrt_sdpa_cuda_check(&kern, &a));
  kern = kernel(); kern.tensor_maps = -1;
  report("tensor_maps", attnrt_sdpa_cuda_check(&kern, &a));
  kern = kernel(); kern.persistent = 2;
  report("persistent", attnrt_sdpa_cuda_check(&kern, &a));
  kern = kernel(); kern.tensor_maps = 1; kern.tile_kv = 0;
  report("tma tile_kv 0", attnrt_sdpa_cuda_check(&kern, &a));
  kern = kernel(); kern.tensor_maps = 1; kern.tile_q = 512;
  report("tma tile_q 512", attnrt_sdpa_cuda_check(&kern, &a));
  kern = kernel(); kern.tensor_maps = 1; kern.head_dim = 96;
  report("tma head_dim 96", attnrt_sdpa_cuda_check(&kern, &a));
  kern = kernel(); kern.tensor_maps = 1;
  a = good(); a.k_strides[0] = (int64_t)1 << 40;
  report("tma stride 2^40", attnrt_sdpa_cuda_check(&kern, &a));
  a = good(); a.o_strides[1] = (int64_t)1 << 40;  /* O has a tensor map too */
  report("tma o stride 2^40", attnrt_sdpa_cuda_check(&kern, &a));
  a = good();

  /* The arguments. */
  kern = kernel();
  report("null args", attnrt_sdpa_cuda(&kern, NULL, NULL));
  a = good(); a.v = NULL;
  report("null v", attnrt_sdpa_cuda(&kern, &a, NULL));
  a = good(); a.lse = NULL;
  report("null lse", attnrt_sdpa_cuda(&kern, &a, NULL));
  a = good(); a.seq_kv = 0;
  report("zero seq_kv", attnrt_sdpa_cuda_check(&kern, &a));
  /* Nothing to compute: no CUDA call, so it succeeds without a driver. */
  a = good(); a.seq_q = 0;
  report("zero seq_q", attnrt_sdpa_cuda(&kern, &a, NULL));
  a = good(); a.heads_kv = 3;
  report("heads", attnrt_sdpa_cuda_check(&kern, &a));
  a = good(); a.batch = 16384;
  report("grid y", attnrt_sdpa_cuda(&kern, &a, NULL));
  a = good(); a.batch = 1; a.heads_q = a.heads_kv = 1;
  a.seq_kv = (int64_t)1 << 31;
  a.k_strides[0] = a.v_strides[0] = a.seq_kv * D;
  report("long keys", attnrt_sdpa_cuda_check(&kern, &a));
  kern = kernel();
  a = good(); a.k_strides[1] = 0;
  report("zero stride", attnrt_sdpa_cuda_check(&kern, &a));
  a = good(); a.q_strides[3] = 2;
  report("head dim stride", attnrt_sdpa_cuda_check(&kern, &a));

  /* Alignment. */
  a = good(); a.q = at(0x10000008);
  report("q base", attnrt_sdpa_cuda(&kern, &a, NULL));
  a = good(); a.k_strides[2] = D + 4;
  report("k stride", attnrt_sdpa_cuda_check(&kern, &a));
  a = good(); a.v_strides[0] = HKV * N * D + 1;
  report("v stride", attnrt_sdpa_cuda_check(&kern, &a));
  a = good(); a.o = at(0x40000002);
  report("o base", attnrt_sdpa_cuda_check(&kern, &a));
  a = good(); a.o_strides[2] = D + 1;
  report("o stride", attnrt_sdpa_cuda_check(&kern, &a));
  a = good(); a.o = at(0x40000004);
  a.o_strides[0] = HQ * N * (D + 2); a.o_strides[1] = N * (D + 2);
  a.o_strides[2] = D + 2;
  report("o aligned enough", attnrt_sdpa_cuda_check(&kern, &a));
  a = good(); a.lse = (float *)at(0x50000002);
  report("lse base", attnrt_sdpa_cuda_check(&kern, &a));

  /* Overlaps, in bytes of bf16 elements. */
  a = good(); a.o_strides[2] = 32;
  report("o overlaps itself", attnrt_sdpa_cuda_check(&kern, &a));
  a = good(); a.o = at(0x10000000 + B * HQ * N * D * 2 - 4);
  report("o overlaps q", attnrt_sdpa_cuda(&kern, &a, NULL));
  a = good(); a.o = at(0x10000000 + B * HQ * N * D * 2);
  report("o after q", attnrt_sdpa_cuda_check(&kern, &a));
  a = good(); a.lse = (float *)at(0x40000000 + B * HQ * N * D * 2 - 4);
  report("lse overlaps o", attnrt_sdpa_cuda_check(&kern, &a));
  a = good(); a.lse_strides[1] = 5;
  report("lse overlaps itself", attnrt_sdpa_cuda_check(&kern, &a));

  /* Valid, but the pointers are not device memory and there may be no
   * driver at all: either way a status and a message, not a crash. */
  a = good();
  report("launch", attnrt_sdpa_cuda(&kern, &a, NULL));
  linear();
  return 0;
}
