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
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/PatternMatch.h"

#include <vector>

namespace mlir::attn {

/// Replaces the graph `scores → [mask] → softmax → apply` ending at `apply`
/// by one attn.sdpa. Fails, changing nothing, when an intermediate value has
/// another user, the mask fills with zero, or Q, V and the output differ in
/// element type.
FailureOr<SdpaOp> raiseToSdpa(RewriterBase &rewriter, ApplyOp apply);

/// How many blocks of a score matrix a mask leaves empty, full or partial;
/// `exact` is false when the element budget ran out (some blocks counted as
/// partial may be empty or full).
struct BlockCounts {
  int64_t empty = 0, full = 0, partial = 0;
  bool exact = true;
};

/// Classifies every `blockQ × blockK` block of the `numQ × numK` scores under
/// `mask` (query i at key position i + numK − numQ; the last blocks ragged),
/// spending at most `elementBudget` element evaluations on blocks a formula
/// cannot classify. All sizes >= 1.
BlockCounts countMaskBlocks(MaskAttrInterface mask, int64_t numQ, int64_t numK,
                            int64_t blockQ, int64_t blockK,
                            int64_t elementBudget);

/// Tile sizes of the flash form.
struct FlashTileSizes {
  int64_t tileQ = 64;
  int64_t tileKV = 64;
};

/// The largest tile side of the flash form: a tile of scores is
/// materialised, so this bounds it to 2^32 elements.
constexpr int64_t kMaxFlashTile = 65536;

/// Checks `sizes`, reporting the first violation through `error` as
/// "<option>=<value>: expected <what is accepted>".
LogicalResult
verifyFlashTileSizes(const FlashTileSizes &sizes,
                     function_ref<LogicalResult(const Twine &)> error);

/// Rewrites `op` into an scf.forall over (batch, head, query block) whose
/// body runs the online softmax over KV blocks (see `attn-tile-flash`).
/// Fails, changing nothing, on tile sizes verifyFlashTileSizes rejects.
FailureOr<scf::ForallOp> tileSdpaFlash(RewriterBase &rewriter, SdpaOp op,
                                       const FlashTileSizes &sizes);

/// Replaces the graph `feature_map(Q), feature_map(K) → scores → [causal
/// mask, zero fill] → normalize → apply` ending at `apply` by one
/// attn.linear. Fails, changing nothing, where attn-reassociate-linear's
/// conditions do not hold.
FailureOr<LinearOp> raiseToLinear(RewriterBase &rewriter, ApplyOp apply);

/// The largest chunk of attn-reassociate-linear (a chunk's φQ·φKᵀ is
/// materialised).
constexpr int64_t kMaxLinearChunk = 65536;

/// Checks a chunk size, reporting "chunk-size=<value>: expected 1 to
/// <kMaxLinearChunk>" through `error`.
LogicalResult verifyLinearChunkSize(
    int64_t chunkSize, function_ref<LogicalResult(const Twine &)> error);

/// Rewrites `op` into its O(N) chunked form (see attn-reassociate-linear).
/// Fails, changing nothing, on a chunk size verifyLinearChunkSize rejects.
FailureOr<scf::ForallOp> reassociateLinear(RewriterBase &rewriter,
                                           LinearOp op, int64_t chunkSize);

/// Performer's positive orthogonal random features for head dim `d`: the
/// [d, m] projection ω (row-major, ω[c·m + r] is component c of feature
/// r), a function of `seed` alone.
std::vector<float> orthogonalRandomFeatures(int64_t d, int64_t m,
                                            uint64_t seed);

/// The most parts attn-split-kv splits an attn.sdpa into.
constexpr int64_t kMaxKVSplits = 1024;

/// Replaces the whole attn.sdpa `op` by `splits` kv_split parts (each with
/// an LSE) and the attn.merge of them; returns the merge. Fails, changing
/// nothing, for splits outside [1, kMaxKVSplits] or an op that already is a
/// part.
FailureOr<MergeOp> splitSdpaKV(RewriterBase &rewriter, SdpaOp op,
                               int64_t splits);

/// Replaces `op` by attn.linear favor_plus with `numFeatures` orthogonal
/// random features from `seed` (see attn-approximate-softmax). Fails,
/// changing nothing, with the reason in a remark on `op`, where the
/// approximation does not apply.
FailureOr<LinearOp> approximateSoftmax(RewriterBase &rewriter, SdpaOp op,
                                       int64_t numFeatures, uint64_t seed);

/// Adds the pattern form of raiseToSdpa to `patterns`.
void populateRaiseSdpaPatterns(RewritePatternSet &patterns);

} // namespace mlir::attn

#endif // ATTN_DIALECT_ATTN_TRANSFORMS_TRANSFORMS_H
