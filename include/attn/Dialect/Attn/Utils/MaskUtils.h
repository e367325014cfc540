//===- MaskUtils.h - building and analysing attn masks ----------*- C++ -*-===//
//
// What lowerings share about masks: the IR of the `allowed` predicate at one
// score element, and the key range a block of queries can see.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_DIALECT_ATTN_UTILS_MASKUTILS_H
#define ATTN_DIALECT_ATTN_UTILS_MASKUTILS_H

#include "attn/Dialect/Attn/IR/AttnAttrs.h"
#include "mlir/IR/Builders.h"

#include <optional>

namespace mlir::attn {

/// Index values locating one score element (all `index` typed).
struct MaskSite {
  Value batch, head;
  Value query, key; // absolute row and column of the score matrix
  Value shift;      // N_kv − N_q: query i sits at key position i + shift
};

/// Builds `mask`'s predicate at `site` and selects `x` where it allows the
/// element, `fill` elsewhere. `tables` are the mask's run-time tables in
/// operand order.
Value buildMaskSelect(OpBuilder &b, Location loc, MaskAttrInterface mask,
                      const MaskSite &site, ValueRange tables, Value x,
                      Value fill);

/// `scoreMod` applied to the f32 score `x` at `site`; `headsQ` is H_q.
Value buildScoreModAt(OpBuilder &b, Location loc,
                      ScoreModAttrInterface scoreMod, const MaskSite &site,
                      Value headsQ, Value x);

/// The keys of split `split` of `splits` of `numK` keys (attn.sdpa's
/// kv_split): [⌊N·s/P⌋, ⌊N·(s+1)/P⌋).
std::pair<Value, Value> buildSplitKeys(OpBuilder &b, Location loc, Value numK,
                                       int64_t split, int64_t splits);


/// The keys a block of query rows [qs, qs + rows) can see under `mask`:
/// every allowed key lies in [lo, hi), and, for exact bands, every row of the
/// block sees all of [fullLo, fullHi] (null otherwise). `shift` = N_kv − N_q.
/// A null `mask` gives [0, numK) with no masking needed.
struct KeyRange {
  Value lo, hi;
  Value fullLo, fullHi;
};
KeyRange buildKeyRange(OpBuilder &b, Location loc, MaskAttrInterface mask,
                       Value qs, Value rows, Value shift, Value numK);

} // namespace mlir::attn

#endif // ATTN_DIALECT_ATTN_UTILS_MASKUTILS_H
