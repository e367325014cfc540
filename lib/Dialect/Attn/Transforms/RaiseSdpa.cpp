//===- RaiseSdpa.cpp - fuse the softmax-attention graph into attn.sdpa ----===//

#include "attn/Dialect/Attn/Transforms/Passes.h"
#include "attn/Dialect/Attn/Transforms/Transforms.h"
#include "attn/Dialect/Attn/Utils/TensorUtils.h"

#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNRAISESDPA
#include "attn/Dialect/Attn/Transforms/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

FailureOr<SdpaOp> mlir::attn::raiseToSdpa(RewriterBase &rewriter,
                                          ApplyOp apply) {
  auto softmax = getSingleUseProducer<SoftmaxOp>(apply.getProbs());
  if (!softmax)
    return rewriter.notifyMatchFailure(apply, "probs are not a single-use softmax");

  Value scoresValue = softmax.getInput();
  auto mask = getSingleUseProducer<MaskOp>(scoresValue);
  if (mask) {
    if (mask.getFill() != MaskFill::NegInf)
      return rewriter.notifyMatchFailure(mask, "mask does not fill with -inf");
    scoresValue = mask.getInput();
  } else if (scoresValue.getDefiningOp<MaskOp>()) {
    return rewriter.notifyMatchFailure(apply, "masked scores have other users");
  }

  auto scores = getSingleUseProducer<ScoresOp>(scoresValue);
  if (!scores)
    return rewriter.notifyMatchFailure(apply, "no single-use attn.scores");

  // attn.sdpa needs one element type for Q, K, V and the output; a graph
  // may keep f32 scores of bf16 inputs and apply them to f32 values.
  Type elementType = apply.getResult().getType().getElementType();
  for (Value v : {scores.getQuery(), apply.getValue()})
    if (cast<RankedTensorType>(v.getType()).getElementType() != elementType)
      return rewriter.notifyMatchFailure(apply, "element types differ");

  rewriter.setInsertionPoint(apply);
  auto sdpa = SdpaOp::create(
      rewriter, apply.getLoc(), apply.getResult().getType(), /*lse=*/Type(),
      scores.getQuery(), scores.getKey(), apply.getValue(),
      scores.getScaleAttr(), mask ? mask.getMask() : MaskAttrInterface(),
      /*score_mod=*/ScoreModAttrInterface(), /*kv_split=*/nullptr,
      mask ? ValueRange(mask.getTables()) : ValueRange());
  rewriter.replaceOp(apply, sdpa.getOutput());
  rewriter.eraseOp(softmax);
  if (mask)
    rewriter.eraseOp(mask);
  rewriter.eraseOp(scores);
  return sdpa;
}

namespace {
struct RaiseSdpaPattern : OpRewritePattern<ApplyOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ApplyOp apply,
                                PatternRewriter &rewriter) const override {
    return raiseToSdpa(rewriter, apply);
  }
};

struct AttnRaiseSdpa : attn::impl::AttnRaiseSdpaBase<AttnRaiseSdpa> {
  using Base::Base;
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateRaiseSdpaPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace

void mlir::attn::populateRaiseSdpaPatterns(RewritePatternSet &patterns) {
  patterns.add<RaiseSdpaPattern>(patterns.getContext());
}
