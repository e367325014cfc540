//===- TensorUtils.h - tensor helpers shared by attn rewrites ---*- C++ -*-===//

#ifndef ATTN_DIALECT_ATTN_UTILS_TENSORUTILS_H
#define ATTN_DIALECT_ATTN_UTILS_TENSORUTILS_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/PatternMatch.h"

#include <cstdint>

namespace mlir::attn {

/// Replaces `op` by `values`, each cast (tensor.cast) to the op's result type
/// where the two differ in which dims are static. Rewrites build their
/// results with sizes taken from the operands, and an op may declare its
/// results more static (a batch known only from K) or less static (an
/// accumulator of static width typed tensor<?x?xf32>) than that. The
/// values must be defined before `op`.
void replaceOpWithCasts(RewriterBase &rewriter, Operation *op,
                        ValueRange values);

/// The element type of a ranked tensor value.
inline Type elementTypeOf(Value tensor) {
  return cast<RankedTensorType>(tensor.getType()).getElementType();
}

/// The op of type OpTy defining `value`, if `value` has no other user (a
/// graph rewrite that fuses it away computes nothing twice).
template <typename OpTy>
OpTy getSingleUseProducer(Value value) {
  auto producer = value.getDefiningOp<OpTy>();
  if (!producer || !value.hasOneUse())
    return nullptr;
  return producer;
}

/// Index arithmetic and the tile slicing of the tiling rewrites
/// (attn-tile-flash, attn-reassociate-linear) on [B, H, N, e] tensors.
struct TileBuilder {
  RewriterBase &b;
  Location loc;

  Value idx(int64_t v);
  Value add(Value x, Value y);
  Value sub(Value x, Value y);
  Value mul(Value x, Value y);
  Value min(Value x, Value y);
  /// x clamped to [lo, hi].
  Value clamp(Value x, Value lo, Value hi);
  Value dim(Value t, int64_t i);
  Value f32(double v);
  Value maximum(Value x, Value y);
  /// The largest element of a float tensor of any rank, as a scalar.
  Value reduceMax(Value t);
  /// A tensor of `sizes` filled with `value`.
  Value filled(ArrayRef<OpFoldResult> sizes, Value value);
  /// A rank-4 slice [1, 1, rows, all of dim 3] at (batch, head, row).
  Value slice4(Value t, Value batch, Value head, Value row, Value rows);
  /// Drops the two leading unit dims of a [1, 1, r, c] tensor.
  Value collapse2(Value t);
};

} // namespace mlir::attn

#endif // ATTN_DIALECT_ATTN_UTILS_TENSORUTILS_H
