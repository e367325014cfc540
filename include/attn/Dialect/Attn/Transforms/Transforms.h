//===- Transforms.h - attn rewrites as functions ----------------*- C++ -*-===//
//
// The rewrites behind the attn passes, exported so that other passes and
// tools can call them directly. Each returns failure and leaves the IR alone
// when it does not apply.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_DIALECT_ATTN_TRANSFORMS_TRANSFORMS_H
#define ATTN_DIALECT_ATTN_TRANSFORMS_TRANSFORMS_H

#include "attn/Dialect/Attn/IR/AttnOps.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::attn {

/// Replaces the graph `scores → [mask] → softmax → apply` ending at `apply`
/// by one attn.sdpa. Fails, changing nothing, when an intermediate value has
/// another user or the mask fills with zero.
FailureOr<SdpaOp> raiseToSdpa(RewriterBase &rewriter, ApplyOp apply);

/// Adds the pattern form of raiseToSdpa to `patterns`.
void populateRaiseSdpaPatterns(RewritePatternSet &patterns);

} // namespace mlir::attn

#endif // ATTN_DIALECT_ATTN_TRANSFORMS_TRANSFORMS_H
