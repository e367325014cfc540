//===- attnrt.cpp - the attn runtime --------------------------------------===//
//
// Validation of every argument, memref descriptors for the generated kernels
// and a small thread pool: each call starts its threads, which take tasks
// (batch, head, 32-row query block) from a shared counter one at a time, so
// causal work (uneven per task) balances itself. No MLIR or LLVM dependency.
//
//===----------------------------------------------------------------------===//

#include "attn/Runtime/attnrt.h"

#include <algorithm>
#include <atomic>
#include <cstdarg>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

namespace {

thread_local std::string lastError;
std::atomic<int> numThreads{0};

attnrt_status fail(attnrt_status status, const char *format, ...) {
  char buffer[512];
  va_list args;
  va_start(args, format);
  std::vsnprintf(buffer, sizeof(buffer), format, args);
  va_end(args);
  lastError = buffer;
  return status;
}

/// A strided tensor view: sizes and element strides.
struct View {
  const char *name;
  const void *data;
  int rank;
  int64_t sizes[4];
  const int64_t *strides;
};

/// [first, last] byte addresses a view touches (it is non-empty).
void byteRange(const View &v, uintptr_t &first, uintptr_t &last) {
  int64_t span = 0;
  for (int i = 0; i < v.rank; ++i)
    span += (v.sizes[i] - 1) * v.strides[i];
  first = reinterpret_cast<uintptr_t>(v.data);
  last = first + static_cast<uintptr_t>(span) * sizeof(float) + sizeof(float) - 1;
}

attnrt_status checkStrides(const View &v) {
  for (int i = 0; i < v.rank; ++i)
    if (v.strides[i] < 1)
      return fail(ATTNRT_ERROR_BAD_STRIDE, "%s stride %d is %lld; strides must be >= 1",
                  v.name, i, static_cast<long long>(v.strides[i]));
  if (v.rank == 4 && v.strides[3] != 1)
    return fail(ATTNRT_ERROR_BAD_STRIDE,
                "%s: the head dim must be contiguous (stride 1), got %lld", v.name,
                static_cast<long long>(v.strides[3]));
  // Guard the address arithmetic against overflow.
  long double span = 0;
  for (int i = 0; i < v.rank; ++i)
    span += static_cast<long double>(v.sizes[i] - 1) * v.strides[i];
  if (span > static_cast<long double>(INT64_MAX / 8))
    return fail(ATTNRT_ERROR_BAD_STRIDE, "%s spans more memory than addressable",
                v.name);
  return ATTNRT_OK;
}

/// Distinct indices of an output must reach distinct elements: sorted by
/// stride, each stride must step over the whole extent of the smaller ones.
attnrt_status checkNoSelfOverlap(const View &v) {
  std::vector<int> dims;
  for (int i = 0; i < v.rank; ++i)
    if (v.sizes[i] > 1)
      dims.push_back(i);
  std::sort(dims.begin(), dims.end(),
            [&](int a, int b) { return v.strides[a] < v.strides[b]; });
  int64_t reach = 1; // elements spanned by the dims so far
  for (int i : dims) {
    if (v.strides[i] < reach)
      return fail(ATTNRT_ERROR_OVERLAP,
                  "%s strides overlap: dim %d (stride %lld) steps inside the "
                  "span of smaller strides (%lld elements)",
                  v.name, i, static_cast<long long>(v.strides[i]),
                  static_cast<long long>(reach));
    reach = v.strides[i] * v.sizes[i];
  }
  return ATTNRT_OK;
}

attnrt_status checkDisjoint(const View &out, const View &other) {
  uintptr_t a0, a1, b0, b1;
  byteRange(out, a0, a1);
  byteRange(other, b0, b1);
  if (a0 <= b1 && b0 <= a1)
    return fail(ATTNRT_ERROR_OVERLAP, "%s overlaps %s in memory", out.name,
                other.name);
  return ATTNRT_OK;
}

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

} // namespace

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
  if (!kernel || !kernel->entry)
    return fail(ATTNRT_ERROR_NULL_POINTER, "kernel is null");
  if (!a)
    return fail(ATTNRT_ERROR_NULL_POINTER, "args is null");
  if (!a->q || !a->k || !a->v || !a->o)
    return fail(ATTNRT_ERROR_NULL_POINTER, "q, k, v and o must not be null");
  if (kernel->has_lse && !a->lse)
    return fail(ATTNRT_ERROR_NULL_POINTER,
                "kernel %s writes an LSE: lse must not be null", kernel->name);
  const int64_t sizes[] = {a->batch, a->heads_q, a->heads_kv, a->seq_q, a->seq_kv};
  const char *names[] = {"batch", "heads_q", "heads_kv", "seq_q", "seq_kv"};
  for (int i = 0; i < 5; ++i)
    if (sizes[i] < 1)
      return fail(ATTNRT_ERROR_BAD_SIZE, "%s must be >= 1, got %lld", names[i],
                  static_cast<long long>(sizes[i]));
  if (a->heads_q % a->heads_kv != 0)
    return fail(ATTNRT_ERROR_BAD_SIZE,
                "heads_q (%lld) must be a multiple of heads_kv (%lld)",
                static_cast<long long>(a->heads_q),
                static_cast<long long>(a->heads_kv));
  int64_t d = kernel->head_dim, dv = kernel->value_dim;
  View q{"q", a->q, 4, {a->batch, a->heads_q, a->seq_q, d}, a->q_strides};
  View k{"k", a->k, 4, {a->batch, a->heads_kv, a->seq_kv, d}, a->k_strides};
  View v{"v", a->v, 4, {a->batch, a->heads_kv, a->seq_kv, dv}, a->v_strides};
  View o{"o", a->o, 4, {a->batch, a->heads_q, a->seq_q, dv}, a->o_strides};
  View lse{"lse", a->lse, 3, {a->batch, a->heads_q, a->seq_q, 1}, a->lse_strides};
  for (const View *view : {&q, &k, &v, &o})
    if (attnrt_status s = checkStrides(*view))
      return s;
  if (attnrt_status s = checkNoSelfOverlap(o))
    return s;
  for (const View *in : {&q, &k, &v})
    if (attnrt_status s = checkDisjoint(o, *in))
      return s;
  if (kernel->has_lse) {
    if (attnrt_status s = checkStrides(lse))
      return s;
    if (attnrt_status s = checkNoSelfOverlap(lse))
      return s;
    for (const View *other : {&q, &k, &v, &o})
      if (attnrt_status s = checkDisjoint(lse, *other))
        return s;
  }
  return ATTNRT_OK;
}

attnrt_status attnrt_sdpa_cpu(const attnrt_cpu_kernel *kernel,
                              const attnrt_sdpa_args *a) {
  if (attnrt_status s = attnrt_sdpa_check(kernel, a))
    return s;
  int64_t d = kernel->head_dim, dv = kernel->value_dim;
  Descriptor<4> q(View{"q", a->q, 4, {a->batch, a->heads_q, a->seq_q, d}, a->q_strides});
  Descriptor<4> k(View{"k", a->k, 4, {a->batch, a->heads_kv, a->seq_kv, d}, a->k_strides});
  Descriptor<4> v(View{"v", a->v, 4, {a->batch, a->heads_kv, a->seq_kv, dv}, a->v_strides});
  Descriptor<4> o(View{"o", a->o, 4, {a->batch, a->heads_q, a->seq_q, dv}, a->o_strides});
  Descriptor<3> lse(View{"lse", a->lse, 3, {a->batch, a->heads_q, a->seq_q, 1},
                         a->lse_strides});
  int64_t rows = kernel->rows_per_task > 0 ? kernel->rows_per_task : 32;
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
