//===- attnrt.cpp - the attn runtime --------------------------------------===//
//
// Validation of every argument (the checks shared with attnrt_cuda are in
// Validate.h), memref descriptors for the generated kernels and a small thread
// pool: each call starts its threads, which take tasks (batch, head, 32-row
// query block) from a shared counter one at a time, so causal work (uneven
// per task) balances itself. No MLIR or LLVM dependency.
//
//===----------------------------------------------------------------------===//

#include "attn/Runtime/attnrt.h"
#include "Validate.h"

#include <algorithm>
#include <atomic>
#include <cstdarg>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

using namespace attnrt::detail;

namespace {

thread_local std::string lastError;
std::atomic<int> numThreads{0};

/// A memref descriptor of rank R as the generated code expects it.
template <int R>
struct Descriptor {
  const void *allocated;
  const void *aligned;
  int64_t offset;
  int64_t sizes[R];
  int64_t strides[R];
  explicit Descriptor(const View &v) : allocated(v.data), aligned(v.data), offset(0) {
    for (int i = 0; i < R; ++i) {
      sizes[i] = v.sizes[i];
      strides[i] = v.strides[i];
    }
  }
};

using EntryWithLse = void (*)(void *, void *, void *, void *, void *, int64_t,
                              int64_t);
using EntryNoLse = void (*)(void *, void *, void *, void *, int64_t, int64_t);

/// The kernel struct is complete and agrees with the kernel's metadata.
attnrt_status checkKernel(const attnrt_cpu_kernel *kernel) {
  if (!kernel || !kernel->entry)
    return fail(ATTNRT_ERROR_NULL_POINTER, "kernel is null");
  if (!kernel->name)
    return fail(ATTNRT_ERROR_NULL_POINTER, "kernel name is null");
  if (kernel->head_dim < 1 || kernel->value_dim < 1 ||
      kernel->rows_per_task < 1)
    return fail(ATTNRT_ERROR_BAD_ARGUMENT,
                "kernel %s: head_dim, value_dim and rows_per_task must be >= "
                "1, got %lld, %lld and %lld",
                kernel->name, static_cast<long long>(kernel->head_dim),
                static_cast<long long>(kernel->value_dim),
                static_cast<long long>(kernel->rows_per_task));
  int64_t expected[ATTNRT_META_SIZE] = {};
  expected[ATTNRT_META_DTYPE] = ATTNRT_DTYPE_F32;
  expected[ATTNRT_META_HEAD_DIM] = kernel->head_dim;
  expected[ATTNRT_META_VALUE_DIM] = kernel->value_dim;
  expected[ATTNRT_META_HAS_LSE] = kernel->has_lse != 0;
  expected[ATTNRT_META_ROWS] = kernel->rows_per_task;
  return checkKernelMeta(kernel->name, "__attn_meta_", kernel->meta,
                         expected);
}

/// Every check of attnrt_sdpa_check; fills `views` when they pass and says
/// whether the call is `empty` (nothing to compute).
attnrt_status check(const attnrt_cpu_kernel *kernel, const attnrt_sdpa_args *a,
                    SdpaViews &views, bool &empty) {
  if (attnrt_status s = checkKernel(kernel))
    return s;
  if (!a)
    return fail(ATTNRT_ERROR_NULL_POINTER, "args is null");
  KernelShape shape{kernel->name, kernel->head_dim, kernel->value_dim,
                    kernel->has_lse != 0, sizeof(float)};
  if (attnrt_status s = checkSdpaShape(shape, *a, views, empty))
    return s;
  if (empty)
    return ATTNRT_OK;
  for (const View *view : views.used(shape.hasLse))
    if (attnrt_status s = checkBaseAlignment(*view, sizeof(float), "f32"))
      return s;
  return checkSdpaOverlaps(views, shape.hasLse);
}

} // namespace

attnrt_status attnrt::detail::fail(attnrt_status status, const char *format,
                                   ...) {
  char buffer[512];
  va_list args;
  va_start(args, format);
  std::vsnprintf(buffer, sizeof(buffer), format, args);
  va_end(args);
  lastError = buffer;
  return status;
}

extern "C" {

const char *attnrt_last_error(void) { return lastError.c_str(); }

attnrt_status attnrt_set_num_threads(int threads) {
  if (threads < 1 || threads > 4096)
    return fail(ATTNRT_ERROR_BAD_ARGUMENT, "thread count must be in [1, 4096], got %d",
                threads);
  numThreads = threads;
  return ATTNRT_OK;
}

int attnrt_get_num_threads(void) {
  int n = numThreads.load();
  if (n > 0)
    return n;
  unsigned hw = std::thread::hardware_concurrency();
  return hw ? static_cast<int>(hw) : 1;
}

attnrt_status attnrt_sdpa_check(const attnrt_cpu_kernel *kernel,
                                const attnrt_sdpa_args *a) {
  SdpaViews views;
  bool empty;
  return check(kernel, a, views, empty);
}

attnrt_status attnrt_sdpa_cpu(const attnrt_cpu_kernel *kernel,
                              const attnrt_sdpa_args *a) {
  SdpaViews views;
  bool empty;
  if (attnrt_status s = check(kernel, a, views, empty))
    return s;
  if (empty)
    return ATTNRT_OK;
  Descriptor<4> q(views.q), k(views.k), v(views.v), o(views.o);
  Descriptor<3> lse(views.lse);
  int64_t rows = kernel->rows_per_task; // >= 1: the metadata agreed
  int64_t tasks = a->batch * a->heads_q * ((a->seq_q + rows - 1) / rows);

  auto run = [&](int64_t begin, int64_t end) {
    if (kernel->has_lse)
      reinterpret_cast<EntryWithLse>(kernel->entry)(&q, &k, &v, &o, &lse, begin, end);
    else
      reinterpret_cast<EntryNoLse>(kernel->entry)(&q, &k, &v, &o, begin, end);
  };
  int threads = static_cast<int>(
      std::min<int64_t>(attnrt_get_num_threads(), tasks));
  if (threads <= 1) {
    run(0, tasks);
    return ATTNRT_OK;
  }
  std::atomic<int64_t> next{0};
  auto worker = [&] {
    for (int64_t t = next++; t < tasks; t = next++)
      run(t, t + 1);
  };
  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i)
    pool.emplace_back(worker);
  worker();
  for (std::thread &t : pool)
    t.join();
  return ATTNRT_OK;
}

} // extern "C"
