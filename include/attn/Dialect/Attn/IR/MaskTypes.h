//===- MaskTypes.h - what MaskAttrInterface's methods take -------*- C++
//-*-===//
//
// The values a mask's methods (AttnInterfaces.td) work on: a score element as
// IR values or host integers, a block of scores, the band a mask bounds its
// keys by, and the mask's run-time tables as host code holds them.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_DIALECT_ATTN_IR_MASKTYPES_H
#define ATTN_DIALECT_ATTN_IR_MASKTYPES_H

#include "mlir/IR/Attributes.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/ArrayRef.h"

#include <cstdint>
#include <optional>

namespace mlir::attn {

/// One score element as `index` values: batch, query head, row i, key j, and
/// the row's key position p = i + N_kv − N_q (masks are bottom-right
/// aligned).
struct MaskPoint {
  Value batch, head, query, key, queryPos;
};

/// One score element on the host, as MaskPoint.
struct MaskElement {
  int64_t batch, head, query, key, queryPos;
};

/// A block of scores: query positions [posLo, posHi) and keys [keyLo, keyHi),
/// both non-empty (positions are rows + N_kv − N_q, so they may be < 0).
/// `elementBudget`: element evaluations that classifying by elements may
/// still spend, shared by the blocks of one count (null: no limit); it
/// becomes −1 once a block asks for more than is left, and such blocks are
/// Partial from then on.
struct MaskBlock {
  int64_t posLo, posHi, keyLo, keyHi;
  int64_t *elementBudget = nullptr;
};

/// A block of scores known at run time, as `index` values: query positions
/// [posLo, posHi) and keys [keyLo, keyHi), both non-empty; `shift` = N_kv −
/// N_q (row i sits at position i + shift). `batch` and `head` locate the
/// block where the caller walks one (null otherwise: masks that need them,
/// those reading per-batch tables, then say "unknown").
struct MaskBlockValues {
  Value posLo, posHi, keyLo, keyHi, shift;
  Value batch, head;
};

/// What a mask allows of a block: nothing, everything, or some of it (or an
/// unknown part, for masks that read run-time tables).
enum class BlockClass { Empty, Full, Partial };

/// The band of key positions relative to a query position p that a mask can
/// allow: keys j with p − left ≤ j ≤ p + right. A side is unbounded when
/// std::nullopt. `exact` is true when the mask allows *every* key of the
/// band (causal, window), so that blocks inside it need no masking.
struct MaskBand {
  std::optional<int64_t> left, right;
  bool exact = false;
};

/// Requirements a mask places on one of its run-time tables.
struct MaskTableSpec {
  /// The mask that reads the table (a leaf, never a union/intersection).
  Attribute mask;
  /// The ranks the table may have: the shared form and the per-batch form.
  int64_t sharedRank;
  int64_t batchedRank;
};

/// A mask's run-time tables as host code (the float64 reference) holds them:
/// table `t`'s entry at `trailing` for (batch, head), from its shared form or
/// its per-batch ([B, ...]) or per-(batch, head) ([B, H, ...]) form; and the
/// size of its last dimension.
class MaskTables {
public:
  virtual ~MaskTables() = default;
  virtual int64_t read(unsigned t, int64_t batch, int64_t head,
                       llvm::ArrayRef<int64_t> trailing) const = 0;
  virtual int64_t lastDim(unsigned t) const = 0;
};

} // namespace mlir::attn

#endif // ATTN_DIALECT_ATTN_IR_MASKTYPES_H
