//===- AttnToLinalg.h - naive lowering of attn to linalg --------*- C++ -*-===//

#ifndef ATTN_CONVERSION_ATTNTOLINALG_ATTNTOLINALG_H
#define ATTN_CONVERSION_ATTNTOLINALG_ATTNTOLINALG_H

#include "mlir/IR/PatternMatch.h"

namespace mlir::attn {

/// Adds the patterns that lower every attn op to linalg on tensors (the
/// materialising reference lowering).
void populateAttnToLinalgPatterns(RewritePatternSet &patterns);

} // namespace mlir::attn

#endif // ATTN_CONVERSION_ATTNTOLINALG_ATTNTOLINALG_H
