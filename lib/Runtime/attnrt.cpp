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
#include "MaskTables.h"
#include "Validate.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdarg>
#include <cstdio>
#include <functional>
#include <new>
#include <string>
#include <thread>
#include <utility>
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
  explicit Descriptor(const View &v) : Descriptor(v.data, v.sizes, v.strides) {}
  /// A contiguous buffer of `shape`.
  Descriptor(const void *data, const int64_t (&shape)[R])
      : Descriptor(data, shape, contiguousStrides(shape).data()) {}
  Descriptor(const void *data, const int64_t *shape, const int64_t *stride)
      : allocated(data), aligned(data), offset(0) {
    for (int i = 0; i < R; ++i) {
      sizes[i] = shape[i];
      strides[i] = stride[i];
    }
  }
  static std::array<int64_t, R> contiguousStrides(const int64_t (&shape)[R]) {
    std::array<int64_t, R> s;
    s[R - 1] = 1;
    for (int i = R - 2; i >= 0; --i)
      s[i] = s[i + 1] * shape[i + 1];
    return s;
  }
};

/// Calls a CPU sdpa kernel: its memref arguments (q, k, v, o[, lse], the
/// mask tables), all pointers to descriptors, then [begin, end).
template <size_t... I>
void callSdpaEntry(void *entry, void *const *args, int64_t begin, int64_t end,
                   std::index_sequence<I...>) {
  using Entry =
      void (*)(decltype((void)I, (void *)nullptr)..., int64_t, int64_t);
  reinterpret_cast<Entry>(entry)(args[I]..., begin, end);
}
void callSdpaEntry(void *entry, void *const *args, int count, int64_t begin,
                   int64_t end) {
  switch (count) {
#define ATTN_CALL_WITH(N)                                                      \
  case N:                                                                      \
    return callSdpaEntry(entry, args, begin, end,                              \
                         std::make_index_sequence<N>());
    ATTN_CALL_WITH(4)
    ATTN_CALL_WITH(5)
    ATTN_CALL_WITH(6)
    ATTN_CALL_WITH(7)
    ATTN_CALL_WITH(8)
    ATTN_CALL_WITH(9)
#undef ATTN_CALL_WITH
  }
}
static_assert(5 + ATTNRT_MAX_TABLES == 9, "callSdpaEntry's largest case");

/// A CPU kernel struct (attnrt_cpu_kernel, attnrt_linear_kernel) is complete
/// and agrees with the kernel's metadata: its dims and its rows (`rowsName`,
/// the field `rows`) are >= 1, and the metadata holds f32, those values and
/// whatever `fillRest` adds to the expected entries.
template <typename KernelT, typename FillRest>
attnrt_status checkCPUKernelStruct(const KernelT *kernel,
                                   int64_t KernelT::*rows, const char *rowsName,
                                   FillRest fillRest) {
  if (!kernel || !kernel->entry)
    return fail(ATTNRT_ERROR_NULL_POINTER, "kernel is null");
  if (!kernel->name)
    return fail(ATTNRT_ERROR_NULL_POINTER, "kernel name is null");
  if (kernel->head_dim < 1 || kernel->value_dim < 1 || kernel->*rows < 1)
    return fail(ATTNRT_ERROR_BAD_ARGUMENT,
                "kernel %s: head_dim, value_dim and %s must be >= 1, got "
                "%lld, %lld and %lld",
                kernel->name, rowsName,
                static_cast<long long>(kernel->head_dim),
                static_cast<long long>(kernel->value_dim),
                static_cast<long long>(kernel->*rows));
  int64_t expected[ATTNRT_META_SIZE] = {};
  expected[ATTNRT_META_DTYPE] = ATTNRT_DTYPE_F32;
  expected[ATTNRT_META_HEAD_DIM] = kernel->head_dim;
  expected[ATTNRT_META_VALUE_DIM] = kernel->value_dim;
  expected[ATTNRT_META_ROWS] = kernel->*rows;
  fillRest(expected);
  return checkKernelMeta(kernel->name, "__attn_meta_", kernel->meta,
                         expected);
}

TableKinds tableKinds(const attnrt_cpu_kernel &kernel) {
  return {kernel.name, kernel.num_tables, kernel.table_kinds,
          kernel.table_block_q, kernel.table_block_k};
}

attnrt_status checkKernel(const attnrt_cpu_kernel *kernel) {
  if (attnrt_status s = checkCPUKernelStruct(
          kernel, &attnrt_cpu_kernel::rows_per_task, "rows_per_task",
          [&](int64_t *expected) {
            expected[ATTNRT_META_HAS_LSE] = kernel->has_lse != 0;
            expected[ATTNRT_META_TABLES] = kernel->num_tables;
            expected[ATTNRT_META_PACK_GQA] = kernel->pack_gqa != 0;
          }))
    return s;
  return checkTableKinds(tableKinds(*kernel));
}

/// Every check of attnrt_sdpa_check; fills `views` and `tables` when they
/// pass and says whether the call is `empty` (nothing to compute).
attnrt_status check(const attnrt_cpu_kernel *kernel, const attnrt_sdpa_args *a,
                    SdpaViews &views, TableView (&tables)[ATTNRT_MAX_TABLES],
                    bool &empty) {
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
  if (attnrt_status s = checkSdpaOverlaps(views, shape.hasLse))
    return s;
  return checkTables(tableKinds(*kernel), a->tables, a->num_tables, a->batch,
                     a->heads_q, a->seq_q, a->seq_kv, tables);
}

/// Runs fn(begin, end) over tasks [0, tasks) on up to attnrt_get_num_threads()
/// threads, which take one task at a time from a shared counter (uneven
/// tasks balance themselves); returns once every task is done.
void parallelFor(int64_t tasks,
                 const std::function<void(int64_t, int64_t)> &fn) {
  int threads =
      static_cast<int>(std::min<int64_t>(attnrt_get_num_threads(), tasks));
  if (threads <= 1) {
    if (tasks > 0)
      fn(0, tasks);
    return;
  }
  std::atomic<int64_t> next{0};
  auto worker = [&] {
    for (int64_t t = next++; t < tasks; t = next++)
      fn(t, t + 1);
  };
  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i)
    pool.emplace_back(worker);
  worker();
  for (std::thread &t : pool)
    t.join();
}

attnrt_status checkLinearKernel(const attnrt_linear_kernel *kernel) {
  return checkCPUKernelStruct(
      kernel, &attnrt_linear_kernel::chunk, "chunk", [&](int64_t *expected) {
        expected[ATTNRT_META_OP] = ATTNRT_OP_LINEAR;
        expected[ATTNRT_META_CAUSAL] = kernel->causal != 0;
        expected[ATTNRT_META_FEATURE_MAP] = kernel->feature_map;
        expected[ATTNRT_META_FEATURES] = kernel->features;
      });
}

/// Every check of attnrt_linear_check (attnrt_sdpa_check's, with no LSE, and
/// N_q <= N_kv when causal).
attnrt_status checkLinear(const attnrt_linear_kernel *kernel,
                          const attnrt_sdpa_args *a, SdpaViews &views,
                          bool &empty) {
  if (attnrt_status s = checkLinearKernel(kernel))
    return s;
  if (!a)
    return fail(ATTNRT_ERROR_NULL_POINTER, "args is null");
  if (attnrt_status s = checkLinearNoLse(kernel->name, a))
    return s;
  KernelShape shape{kernel->name, kernel->head_dim, kernel->value_dim,
                    /*hasLse=*/false, sizeof(float)};
  if (attnrt_status s = checkSdpaShape(shape, *a, views, empty))
    return s;
  if (empty)
    return ATTNRT_OK;
  if (attnrt_status s = checkLinearCausal(kernel->name, kernel->causal, *a))
    return s;
  for (const View *view : views.used(false))
    if (attnrt_status s = checkBaseAlignment(*view, sizeof(float), "f32"))
      return s;
  return checkSdpaOverlaps(views, false);
}

/// Runs a checked linear-attention call: the kernel's phases (see
/// convertLinearFunctionToCPUKernel) over a workspace of one state per
/// (batch, KV head, block of `blockRows` keys) and, for FAVOR+, the largest
/// key exponent of each such block (phase 0 finds them, also the last
/// block's when causal; phase 1 brings the states to one shift).
attnrt_status runLinear(const attnrt_linear_kernel &kernel,
                        const attnrt_sdpa_args &a, const SdpaViews &views) {
  using Entry = void (*)(void *, void *, void *, void *, void *, void *, void *,
                         int64_t, int64_t, int64_t, int64_t);
  auto entry = reinterpret_cast<Entry>(kernel.entry);
  const int64_t chunk = kernel.chunk, threads = attnrt_get_num_threads();
  const int64_t rows = kernel.causal ? a.seq_kv : a.seq_q;
  // Blocks a head: enough that every thread gets two tasks of phase 2.
  const int64_t bhq = a.batch * a.heads_q, bhkv = a.batch * a.heads_kv;
  int64_t blocks = std::max<int64_t>(1, (2 * threads + bhq - 1) / bhq);
  int64_t blockRows = (rows + blocks - 1) / blocks;
  blockRows = std::max(chunk, (blockRows + chunk - 1) / chunk * chunk);
  // The workspace holds every key block's state (all but the last when
  // causal: block i starts from the sum of blocks < i), then each block's
  // largest key exponent. Widths are the kernel's, rounded up to 16 lanes.
  const int64_t keyBlocks = (a.seq_kv + blockRows - 1) / blockRows;
  const int64_t wsBlocks = kernel.causal ? keyBlocks - 1 : keyBlocks;
  const int64_t fp = (kernel.features + 15) / 16 * 16;
  const int64_t dvp = (kernel.value_dim + 15) / 16 * 16;
  const int64_t stateFloats =
      bhkv * std::max<int64_t>(wsBlocks, 1) * fp * (dvp + 1);
  std::vector<float> workspace;
  try {
    workspace.resize(static_cast<size_t>(stateFloats + bhkv * keyBlocks));
  } catch (const std::bad_alloc &) {
    return fail(ATTNRT_ERROR_BAD_ARGUMENT,
                "kernel %s: cannot allocate the %lld-float workspace",
                kernel.name,
                static_cast<long long>(stateFloats + bhkv * keyBlocks));
  }
  const float *zData =
      workspace.data() + bhkv * std::max<int64_t>(wsBlocks, 1) * fp * dvp;
  Descriptor<4> q(views.q), k(views.k), v(views.v), o(views.o);
  Descriptor<4> s(workspace.data(), {bhkv, wsBlocks, fp, dvp});
  Descriptor<3> z(zData, {bhkv, wsBlocks, fp});
  Descriptor<2> m(workspace.data() + stateFloats, {bhkv, keyBlocks});
  auto phase = [&](int64_t which, int64_t tasks) {
    parallelFor(tasks, [&](int64_t begin, int64_t end) {
      entry(&q, &k, &v, &o, &s, &z, &m, which, blockRows, begin, end);
    });
  };
  if (kernel.feature_map == ATTNRT_FEATURE_FAVOR_PLUS) {
    phase(0, bhkv * keyBlocks);
    if (wsBlocks > 0)
      phase(1, bhkv);
  } else if (wsBlocks > 0) {
    phase(0, bhkv * wsBlocks);
    if (wsBlocks > 1)
      phase(1, bhkv);
  }
  phase(2, bhq * ((rows + blockRows - 1) / blockRows));
  return ATTNRT_OK;
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
  TableView tables[ATTNRT_MAX_TABLES];
  bool empty;
  return check(kernel, a, views, tables, empty);
}

attnrt_status attnrt_sdpa_cpu(const attnrt_cpu_kernel *kernel,
                              const attnrt_sdpa_args *a) {
  SdpaViews views;
  TableView tableViews[ATTNRT_MAX_TABLES];
  bool empty;
  if (attnrt_status s = check(kernel, a, views, tableViews, empty))
    return s;
  if (empty)
    return ATTNRT_OK;
  Descriptor<4> q(views.q), k(views.k), v(views.v), o(views.o);
  Descriptor<3> lse(views.lse);
  std::vector<Descriptor<4>> tables;
  for (int i = 0; i < kernel->num_tables; ++i)
    tables.emplace_back(tableViews[i].data, tableViews[i].sizes,
                        tableViews[i].strides);
  void *args[5 + ATTNRT_MAX_TABLES] = {&q, &k, &v, &o};
  int count = 4;
  if (kernel->has_lse)
    args[count++] = &lse;
  for (Descriptor<4> &table : tables)
    args[count++] = &table;
  int64_t rows = kernel->rows_per_task; // >= 1: the metadata agreed
  int64_t heads = kernel->pack_gqa ? a->heads_kv : a->heads_q;
  int64_t headRows =
      kernel->pack_gqa ? a->heads_q / a->heads_kv * a->seq_q : a->seq_q;
  int64_t tasks = a->batch * heads * ((headRows + rows - 1) / rows);
  parallelFor(tasks, [&](int64_t begin, int64_t end) {
    callSdpaEntry(kernel->entry, args, count, begin, end);
  });
  return ATTNRT_OK;
}

attnrt_status attnrt_linear_check(const attnrt_linear_kernel *kernel,
                                  const attnrt_sdpa_args *a) {
  SdpaViews views;
  bool empty;
  return checkLinear(kernel, a, views, empty);
}

attnrt_status attnrt_linear_cpu(const attnrt_linear_kernel *kernel,
                                const attnrt_sdpa_args *a) {
  SdpaViews views;
  bool empty;
  if (attnrt_status s = checkLinear(kernel, a, views, empty))
    return s;
  if (empty)
    return ATTNRT_OK;
  return runLinear(*kernel, *a, views);
}

} // extern "C"
