//===- Validate.h - argument checks shared by the attnrt entry points -----===//
//
// The checks that attnrt_sdpa_check (CPU, f32) and attnrt_sdpa_cuda_check
// (GPU, bf16/f16) have in common: required pointers, sizes, strides, and
// outputs overlapping themselves or another tensor. Each check records its
// message with fail() and returns a status, ATTNRT_OK if the check passed.
//
// Internal to the runtime: not installed, not part of the C API. fail() lives
// in libattnrt.so beside attnrt_last_error() and is the one C++ symbol that
// libattnrt_cuda.so imports from it; everything else here is inline.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_LIB_RUNTIME_VALIDATE_H
#define ATTN_LIB_RUNTIME_VALIDATE_H

#include "attn/Runtime/attnrt.h"

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <vector>

namespace attnrt::detail {

/// Records a printf-style message as this thread's last error (what
/// attnrt_last_error() returns) and returns `status`.
__attribute__((visibility("default"), format(printf, 2, 3))) attnrt_status
fail(attnrt_status status, const char *format, ...);

/// A strided tensor view: sizes, element strides and element size in bytes.
struct View {
  const char *name;
  const void *data;
  int rank;
  int64_t sizes[4];
  const int64_t *strides;
  int64_t elementSize;
};

/// [first, last] byte addresses a view touches (it is non-empty).
inline void byteRange(const View &v, uintptr_t &first, uintptr_t &last) {
  int64_t span = 0;
  for (int i = 0; i < v.rank; ++i)
    span += (v.sizes[i] - 1) * v.strides[i];
  first = reinterpret_cast<uintptr_t>(v.data);
  last =
      first + static_cast<uintptr_t>(span) * v.elementSize + v.elementSize - 1;
}

/// The view's element count, B · H · N · d, and its bytes fit in int64.
inline attnrt_status checkElementCount(const View &v) {
  int64_t count = v.elementSize;
  for (int i = 0; i < v.rank; ++i)
    if (__builtin_mul_overflow(count, v.sizes[i], &count))
      return fail(ATTNRT_ERROR_BAD_SIZE,
                  "%s has more bytes than int64 counts (its sizes multiply "
                  "past 2^63)",
                  v.name);
  return ATTNRT_OK;
}

/// `v` starts on a multiple of `bytes`.
inline attnrt_status checkBaseAlignment(const View &v, int64_t bytes,
                                        const char *why) {
  if (reinterpret_cast<uintptr_t>(v.data) % bytes != 0)
    return fail(ATTNRT_ERROR_ALIGNMENT,
                "%s must be %lld-byte aligned (%s), got %p", v.name,
                static_cast<long long>(bytes), why, v.data);
  return ATTNRT_OK;
}

/// Strides are >= 1, the head dim (last of a 4-D view) is contiguous, and the
/// view's byte span fits in the address space.
inline attnrt_status checkStrides(const View &v) {
  for (int i = 0; i < v.rank; ++i)
    if (v.strides[i] < 1)
      return fail(ATTNRT_ERROR_BAD_STRIDE,
                  "%s stride %d is %lld; strides must be >= 1", v.name, i,
                  static_cast<long long>(v.strides[i]));
  if (v.rank == 4 && v.strides[3] != 1)
    return fail(ATTNRT_ERROR_BAD_STRIDE,
                "%s: the head dim must be contiguous (stride 1), got %lld",
                v.name, static_cast<long long>(v.strides[3]));
  // Guard the address arithmetic against overflow.
  long double span = 0;
  for (int i = 0; i < v.rank; ++i)
    span += static_cast<long double>(v.sizes[i] - 1) * v.strides[i];
  if (span > static_cast<long double>(INT64_MAX / 8))
    return fail(ATTNRT_ERROR_BAD_STRIDE,
                "%s spans more memory than addressable", v.name);
  return ATTNRT_OK;
}

/// Distinct indices of an output must reach distinct elements: sorted by
/// stride, each stride must step over the whole extent of the smaller ones.
inline attnrt_status checkNoSelfOverlap(const View &v) {
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

/// The byte ranges of `out` and `other` are disjoint.
inline attnrt_status checkDisjoint(const View &out, const View &other) {
  uintptr_t a0, a1, b0, b1;
  byteRange(out, a0, a1);
  byteRange(other, b0, b1);
  if (a0 <= b1 && b0 <= a1)
    return fail(ATTNRT_ERROR_OVERLAP, "%s overlaps %s in memory", out.name,
                other.name);
  return ATTNRT_OK;
}

/// The views of one attention call: q, k, v, o as [B, H, N, d], lse as
/// [B, H_q, N_q].
struct SdpaViews {
  View q, k, v, o, lse;

  /// q, k, v, o, and lse when the kernel writes one (no allocation: the
  /// checks run on every call).
  struct Used {
    const View *views[5];
    int count;
    const View *const *begin() const { return views; }
    const View *const *end() const { return views + count; }
  };
  Used used(bool hasLse) const { return {{&q, &k, &v, &o, &lse}, hasLse ? 5 : 4}; }
};

/// What the shared checks need to know about the kernel.
struct KernelShape {
  const char *name;
  int64_t headDim, valueDim;
  bool hasLse;
  int64_t elementSize; // of q, k, v and o; lse is always f32
};

/// The kernel struct's fields agree with what the kernel's code was compiled
/// for, `meta` (the ATTNRT_META_SIZE values the kernel publishes as
/// `<prefix><name>`; null: none). `expected` holds the struct's values at the
/// ATTNRT_META_* indices from ATTNRT_META_DTYPE on.
inline attnrt_status
checkKernelMeta(const char *name, const char *prefix, const int64_t *meta,
                const int64_t (&expected)[ATTNRT_META_SIZE]) {
  if (!meta)
    return fail(ATTNRT_ERROR_KERNEL_MISMATCH,
                "kernel %s: no %s%s beside its code: not a kernel this "
                "runtime can check (regenerate it with attn-kernelgen)",
                name, prefix, name);
  if (meta[ATTNRT_META_MAGIC] != ATTNRT_META_MAGIC_VALUE)
    return fail(ATTNRT_ERROR_KERNEL_MISMATCH,
                "kernel %s: %s%s is not attn metadata (no magic number)", name,
                prefix, name);
  if (meta[ATTNRT_META_VERSION] != ATTNRT_META_VERSION_VALUE)
    return fail(ATTNRT_ERROR_KERNEL_MISMATCH,
                "kernel %s: its metadata is of version %lld, this runtime "
                "reads %d: regenerate it with attn-kernelgen",
                name, static_cast<long long>(meta[ATTNRT_META_VERSION]),
                ATTNRT_META_VERSION_VALUE);
  auto opName = [](int64_t op) {
    return op == ATTNRT_OP_SDPA     ? "attn.sdpa"
           : op == ATTNRT_OP_LINEAR ? "attn.linear"
                                    : "an unknown op";
  };
  if (meta[ATTNRT_META_OP] != expected[ATTNRT_META_OP])
    return fail(ATTNRT_ERROR_KERNEL_MISMATCH,
                "kernel %s: its code computes %s, this entry point runs %s "
                "kernels",
                name, opName(meta[ATTNRT_META_OP]),
                opName(expected[ATTNRT_META_OP]));
  static const char *const fields[] = {
      "",     "",        "dtype",       "head_dim", "value_dim",   "has_lse",
      "rows", "threads", "smem_bytes",  "tile_kv",  "tensor_maps", "persistent",
      "op",   "causal",  "feature_map", "features", "num_tables",  "pack_gqa"};
  static_assert(std::size(fields) == ATTNRT_META_SIZE,
                "a name for every metadata entry");
  for (int i = ATTNRT_META_DTYPE; i < ATTNRT_META_SIZE; ++i)
    if (meta[i] != expected[i])
      return fail(ATTNRT_ERROR_KERNEL_MISMATCH,
                  "kernel %s: the struct says %s = %lld, its code was "
                  "compiled for %lld",
                  name, fields[i], static_cast<long long>(expected[i]),
                  static_cast<long long>(meta[i]));
  return ATTNRT_OK;
}

/// The first checks every entry point makes once its kernel and `a` are known
/// to be non-null: sizes, pointers, element counts and strides, in that order;
/// then it fills `views`. A call with B, H_q or N_q = 0 has nothing to compute:
/// it passes with `empty` set and neither pointers nor strides are looked at.
/// `Args` is attnrt_sdpa_args or attnrt_sdpa_gpu_args (the same fields).
template <typename Args>
inline attnrt_status checkSdpaShape(const KernelShape &kernel, const Args &a,
                                    SdpaViews &views, bool &empty) {
  const int64_t sizes[] = {a.batch, a.heads_q, a.heads_kv, a.seq_q, a.seq_kv};
  const char *names[] = {"batch", "heads_q", "heads_kv", "seq_q", "seq_kv"};
  for (int i = 0; i < 5; ++i)
    if (sizes[i] < 0)
      return fail(ATTNRT_ERROR_BAD_SIZE, "%s must be >= 0, got %lld", names[i],
                  static_cast<long long>(sizes[i]));
  if (a.heads_kv < 1)
    return fail(ATTNRT_ERROR_BAD_SIZE, "heads_kv must be >= 1, got %lld",
                static_cast<long long>(a.heads_kv));
  if (a.heads_q % a.heads_kv != 0)
    return fail(ATTNRT_ERROR_BAD_SIZE,
                "heads_q (%lld) must be a multiple of heads_kv (%lld)",
                static_cast<long long>(a.heads_q),
                static_cast<long long>(a.heads_kv));
  empty = a.batch == 0 || a.heads_q == 0 || a.seq_q == 0;
  if (empty)
    return ATTNRT_OK;
  if (a.seq_kv < 1)
    return fail(ATTNRT_ERROR_BAD_SIZE,
                "seq_kv is 0: the queries have no key to attend to (the "
                "softmax of nothing is undefined; mask the keys instead)");
  if (!a.q || !a.k || !a.v || !a.o)
    return fail(ATTNRT_ERROR_NULL_POINTER, "q, k, v and o must not be null");
  if (kernel.hasLse && !a.lse)
    return fail(ATTNRT_ERROR_NULL_POINTER,
                "kernel %s writes an LSE: lse must not be null", kernel.name);

  int64_t b = a.batch, hq = a.heads_q, hkv = a.heads_kv, nq = a.seq_q,
          nkv = a.seq_kv;
  int64_t d = kernel.headDim, dv = kernel.valueDim, size = kernel.elementSize;
  views.q = {"q", a.q, 4, {b, hq, nq, d}, a.q_strides, size};
  views.k = {"k", a.k, 4, {b, hkv, nkv, d}, a.k_strides, size};
  views.v = {"v", a.v, 4, {b, hkv, nkv, dv}, a.v_strides, size};
  views.o = {"o", a.o, 4, {b, hq, nq, dv}, a.o_strides, size};
  views.lse = {"lse", a.lse, 3, {b, hq, nq, 1}, a.lse_strides, sizeof(float)};

  for (const View *view : views.used(kernel.hasLse))
    if (attnrt_status s = checkElementCount(*view))
      return s;
  for (const View *view : views.used(kernel.hasLse))
    if (attnrt_status s = checkStrides(*view))
      return s;
  return ATTNRT_OK;
}

/// What every linear-attention call asks beyond attn.sdpa's: no LSE (`lse`
/// null), checked before the shape; and, causal, seq_q <= seq_kv, checked
/// after it (`a` non-null then). `Args` as checkSdpaShape's.
template <typename Args>
inline attnrt_status checkLinearNoLse(const char *name, const Args *a) {
  if (a && a->lse)
    return fail(ATTNRT_ERROR_BAD_ARGUMENT,
                "kernel %s: linear attention has no LSE output; lse must be "
                "null",
                name);
  return ATTNRT_OK;
}
template <typename Args>
inline attnrt_status checkLinearCausal(const char *name, bool causal,
                                       const Args &a) {
  if (causal && a.seq_q > a.seq_kv)
    return fail(ATTNRT_ERROR_BAD_SIZE,
                "kernel %s: causal linear attention needs seq_q <= seq_kv "
                "(query i sees keys j <= i + seq_kv - seq_q), got %lld > %lld",
                name, static_cast<long long>(a.seq_q),
                static_cast<long long>(a.seq_kv));
  return ATTNRT_OK;
}

/// The last checks: O (and LSE if the kernel writes it) overlaps neither
/// itself nor any other tensor of the call.
inline attnrt_status checkSdpaOverlaps(const SdpaViews &views, bool hasLse) {
  const View &q = views.q, &k = views.k, &v = views.v, &o = views.o,
             &lse = views.lse;
  if (attnrt_status s = checkNoSelfOverlap(o))
    return s;
  for (const View *in : {&q, &k, &v})
    if (attnrt_status s = checkDisjoint(o, *in))
      return s;
  if (hasLse) {
    if (attnrt_status s = checkNoSelfOverlap(lse))
      return s;
    for (const View *other : {&q, &k, &v, &o})
      if (attnrt_status s = checkDisjoint(lse, *other))
        return s;
  }
  return ATTNRT_OK;
}

} // namespace attnrt::detail

#endif // ATTN_LIB_RUNTIME_VALIDATE_H
