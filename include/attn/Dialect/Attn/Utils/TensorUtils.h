//===- TensorUtils.h - tensor helpers shared by attn rewrites ---*- C++ -*-===//

#ifndef ATTN_DIALECT_ATTN_UTILS_TENSORUTILS_H
#define ATTN_DIALECT_ATTN_UTILS_TENSORUTILS_H

#include "mlir/IR/PatternMatch.h"

namespace mlir::attn {

/// Replaces `op` by `values`, each cast (tensor.cast) to the op's result type
/// where the two differ in which dims are static. Rewrites build their
/// results with sizes taken from the operands, and an op may declare its
/// results more static (a batch known only from K) or less static (an
/// accumulator of static width typed tensor<?x?xf32>) than that. The
/// values must be defined before `op`.
void replaceOpWithCasts(RewriterBase &rewriter, Operation *op,
                        ValueRange values);

} // namespace mlir::attn

#endif // ATTN_DIALECT_ATTN_UTILS_TENSORUTILS_H
