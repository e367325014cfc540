//===- MaskTables.h - checking a call's run-time mask tables ------*- C++
//-*-===//
//
// A kernel whose mask reads run-time tables (a block-sparse layout, document
// offsets, key lengths) names what each table holds (attnrt_table_kind); a
// call passes them as attnrt_tables. Before anything runs, every table is
// checked against its kind — rank, sizes, strides and, for offsets and
// lengths, every entry —
// and brought to the one form the kernels read: [B, H_q, rows, cols] with
// stride 0 over what the caller's table shares.
//
// Internal to the runtime, like Validate.h.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_LIB_RUNTIME_MASKTABLES_H
#define ATTN_LIB_RUNTIME_MASKTABLES_H

#include "Validate.h"

#include <cstdint>

namespace attnrt::detail {

/// One table as the kernels read it.
struct TableView {
  const int32_t *data = nullptr;
  int64_t sizes[4] = {};
  int64_t strides[4] = {};
};

/// What a kernel says of its tables (the fields of attnrt_cpu_kernel).
struct TableKinds {
  const char *kernel;
  int count;
  const int *kinds;
  const int64_t *blockQ, *blockK;
};

inline const char *tableKindName(int kind) {
  return kind == ATTNRT_TABLE_BLOCK_LAYOUT       ? "block_layout"
         : kind == ATTNRT_TABLE_DOCUMENT_OFFSETS ? "document_offsets"
         : kind == ATTNRT_TABLE_KEY_LENGTHS      ? "key_lengths"
                                                 : "unknown";
}

/// The kernel's own description: a count it can hold and known kinds.
inline attnrt_status checkTableKinds(const TableKinds &k) {
  if (k.count < 0 || k.count > ATTNRT_MAX_TABLES)
    return fail(ATTNRT_ERROR_BAD_ARGUMENT,
                "kernel %s: num_tables must be 0 to %d, got %d", k.kernel,
                ATTNRT_MAX_TABLES, k.count);
  for (int i = 0; i < k.count; ++i) {
    if (k.kinds[i] == ATTNRT_TABLE_DOCUMENT_OFFSETS ||
        k.kinds[i] == ATTNRT_TABLE_KEY_LENGTHS)
      continue;
    if (k.kinds[i] != ATTNRT_TABLE_BLOCK_LAYOUT)
      return fail(ATTNRT_ERROR_BAD_ARGUMENT,
                  "kernel %s: table_kinds[%d] = %d is no attnrt_table_kind",
                  k.kernel, i, k.kinds[i]);
    if (k.blockQ[i] < 1 || k.blockK[i] < 1)
      return fail(ATTNRT_ERROR_BAD_ARGUMENT,
                  "kernel %s: table %d (block_layout) needs table_block_q and "
                  "table_block_k >= 1, got %lld and %lld",
                  k.kernel, i, static_cast<long long>(k.blockQ[i]),
                  static_cast<long long>(k.blockK[i]));
  }
  return ATTNRT_OK;
}

/// Table `i`'s rank and sizes: `trailing` after none, [batch], or (block
/// layouts) [batch, heads_q] (key lengths: `trailing` alone, [batch]);
/// fills `view` from them.
inline attnrt_status checkTableShape(int i, int kind, const attnrt_table &t,
                                     const int64_t (&trailing)[2],
                                     int trailingRank, int64_t batch,
                                     int64_t headsQ, TableView &view) {
  const char *name = tableKindName(kind);
  int maxLeading = kind == ATTNRT_TABLE_BLOCK_LAYOUT  ? 2
                   : kind == ATTNRT_TABLE_KEY_LENGTHS ? 0
                                                      : 1;
  int leading = static_cast<int>(t.rank) - trailingRank;
  if (leading != 0 && leading != maxLeading) {
    if (maxLeading == 0)
      return fail(ATTNRT_ERROR_BAD_TABLE,
                  "tables[%d] (%s): rank must be %d, got %lld", i, name,
                  trailingRank, static_cast<long long>(t.rank));
    return fail(ATTNRT_ERROR_BAD_TABLE,
                "tables[%d] (%s): rank must be %d or %d, got %lld", i, name,
                trailingRank, trailingRank + maxLeading,
                static_cast<long long>(t.rank));
  }
  const int64_t lead[2] = {batch, headsQ};
  for (int d = 0; d < t.rank; ++d) {
    int64_t want = d < leading ? lead[d] : trailing[d - leading];
    if (want >= 0 && t.sizes[d] != want)
      return fail(ATTNRT_ERROR_BAD_TABLE,
                  "tables[%d] (%s): size %d must be %lld, got %lld", i, name, d,
                  static_cast<long long>(want),
                  static_cast<long long>(t.sizes[d]));
    if (t.sizes[d] < 1 || t.strides[d] < 0)
      return fail(ATTNRT_ERROR_BAD_TABLE,
                  "tables[%d] (%s): size %d must be >= 1 and its stride >= 0, "
                  "got %lld and %lld",
                  i, name, d, static_cast<long long>(t.sizes[d]),
                  static_cast<long long>(t.strides[d]));
  }
  if (!t.data)
    return fail(ATTNRT_ERROR_NULL_POINTER, "tables[%d] (%s): data is null", i,
                name);
  if (reinterpret_cast<uintptr_t>(t.data) % alignof(int32_t) != 0)
    return fail(ATTNRT_ERROR_ALIGNMENT,
                "tables[%d] (%s): data must be 4-byte aligned (int32), got %p",
                i, name, static_cast<const void *>(t.data));
  // [B, H_q, rows, cols]: leading dims the table lacks get stride 0, and so
  // does the row dim of offsets (one row).
  view.data = t.data;
  view.sizes[0] = batch;
  view.sizes[1] = headsQ;
  view.sizes[2] = trailingRank == 2 ? t.sizes[leading] : 1;
  view.sizes[3] = t.sizes[t.rank - 1];
  for (int d = 0; d < leading; ++d)
    view.strides[d] = t.strides[d];
  if (trailingRank == 2)
    view.strides[2] = t.strides[leading];
  view.strides[3] = t.strides[t.rank - 1];
  return ATTNRT_OK;
}

/// Offsets 0 = o_0 <= o_1 <= ... <= o_D <= seq_kv in every row.
inline attnrt_status checkOffsets(int i, const TableView &v, int64_t seqKv) {
  for (int64_t b = 0; b < v.sizes[0]; ++b) {
    const int32_t *row = v.data + b * v.strides[0];
    int64_t previous = 0;
    for (int64_t k = 0; k < v.sizes[3]; ++k) {
      int64_t o = row[k * v.strides[3]];
      bool bad = k == 0 ? o != 0 : (o < previous || o > seqKv);
      if (bad)
        return fail(ATTNRT_ERROR_BAD_TABLE,
                    "tables[%d] (document_offsets): batch %lld, offset %lld "
                    "is %lld; expected 0 = o_0 <= o_1 <= ... <= o_D <= "
                    "seq_kv (%lld)",
                    i, static_cast<long long>(b), static_cast<long long>(k),
                    static_cast<long long>(o), static_cast<long long>(seqKv));
      previous = o;
    }
  }
  return ATTNRT_OK;
}

/// 0 <= L_b <= seq_kv for every batch.
inline attnrt_status checkLengths(int i, const TableView &v, int64_t seqKv) {
  for (int64_t b = 0; b < v.sizes[3]; ++b) {
    int64_t length = v.data[b * v.strides[3]];
    if (length < 0 || length > seqKv)
      return fail(ATTNRT_ERROR_BAD_TABLE,
                  "tables[%d] (key_lengths): batch %lld has %lld keys; "
                  "expected 0 <= L_b <= seq_kv (%lld)",
                  i, static_cast<long long>(b), static_cast<long long>(length),
                  static_cast<long long>(seqKv));
  }
  return ATTNRT_OK;
}

/// A call's tables against the kernel's kinds; fills `views`.
inline attnrt_status checkTables(const TableKinds &k,
                                 const attnrt_table *tables, int64_t numTables,
                                 int64_t batch, int64_t headsQ, int64_t seqQ,
                                 int64_t seqKv,
                                 TableView (&views)[ATTNRT_MAX_TABLES]) {
  if (numTables != k.count)
    return fail(ATTNRT_ERROR_BAD_TABLE,
                "kernel %s reads %d mask tables, the call passes %lld",
                k.kernel, k.count, static_cast<long long>(numTables));
  if (k.count > 0 && !tables)
    return fail(ATTNRT_ERROR_NULL_POINTER,
                "kernel %s reads %d mask tables: tables must not be null",
                k.kernel, k.count);
  for (int i = 0; i < k.count; ++i) {
    const attnrt_table &t = tables[i];
    bool layout = k.kinds[i] == ATTNRT_TABLE_BLOCK_LAYOUT;
    bool lengths = k.kinds[i] == ATTNRT_TABLE_KEY_LENGTHS;
    // Offsets: any count of documents (-1: not checked); lengths: one a
    // batch.
    int64_t trailing[2] = {lengths ? batch : -1, -1};
    if (layout) {
      trailing[0] = (seqQ + k.blockQ[i] - 1) / k.blockQ[i];
      trailing[1] = (seqKv + k.blockK[i] - 1) / k.blockK[i];
    }
    if (t.rank < 1 || t.rank > 4)
      return fail(ATTNRT_ERROR_BAD_TABLE,
                  "tables[%d] (%s): rank must be 1 to 4, got %lld", i,
                  tableKindName(k.kinds[i]), static_cast<long long>(t.rank));
    if (attnrt_status s =
            checkTableShape(i, k.kinds[i], t, trailing, layout ? 2 : 1, batch,
                            headsQ, views[i]))
      return s;
    if (attnrt_status s = lengths   ? checkLengths(i, views[i], seqKv)
                          : !layout ? checkOffsets(i, views[i], seqKv)
                                    : ATTNRT_OK)
      return s;
  }
  return ATTNRT_OK;
}

} // namespace attnrt::detail

#endif // ATTN_LIB_RUNTIME_MASKTABLES_H
