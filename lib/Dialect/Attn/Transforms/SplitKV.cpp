//===- SplitKV.cpp - attn.sdpa as a merge of partial attentions -----------===//
//
// Split-KV (flash-decoding) and ring attention rest on one identity: the
// softmax over all keys is the LSE-weighted combination of softmaxes over
// disjoint parts of them,
//
//   O = Σₛ exp(LSEₛ − LSE) · Oₛ,   LSE = log Σₛ exp(LSEₛ).
//
// This pass writes it down at the tensor level: each part is an attn.sdpa
// with a kv_split (it attends its share of the keys, masks still seeing
// global positions), and attn.merge combines them.
//
//===----------------------------------------------------------------------===//

#include "attn/Dialect/Attn/Transforms/Passes.h"
#include "attn/Dialect/Attn/Transforms/Transforms.h"

#include "mlir/IR/PatternMatch.h"

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNSPLITKV
#include "attn/Dialect/Attn/Transforms/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

FailureOr<MergeOp> mlir::attn::splitSdpaKV(RewriterBase &rewriter, SdpaOp op,
                                           int64_t splits) {
  if (splits < 1 || splits > kMaxKVSplits)
    return rewriter.notifyMatchFailure(op, "splits out of range");
  if (op.getKvSplitAttr())
    return rewriter.notifyMatchFailure(op, "already a kv_split part");
  Location loc = op.getLoc();
  auto qType = cast<RankedTensorType>(op.getQuery().getType());
  auto lseType = RankedTensorType::get(qType.getShape().take_front(3),
                                       rewriter.getF32Type());
  rewriter.setInsertionPoint(op);
  SmallVector<Value> outputs, lses;
  for (int64_t s = 0; s < splits; ++s) {
    auto part = SdpaOp::create(
        rewriter, loc, op.getOutput().getType(), lseType, op.getQuery(),
        op.getKey(), op.getValue(), op.getScaleAttr(), op.getMaskAttr(),
        op.getScoreModAttr(), rewriter.getDenseI64ArrayAttr({s, splits}),
        op.getTables());
    outputs.push_back(part.getOutput());
    lses.push_back(part.getLse());
  }
  Type lseResult = op.getLse() ? op.getLse().getType() : Type(lseType);
  auto merge = MergeOp::create(rewriter, loc, op.getOutput().getType(),
                               lseResult, outputs, lses);
  if (op.getLse())
    rewriter.replaceOp(op, merge.getResults());
  else
    rewriter.replaceOp(op, merge.getOutput());
  return merge;
}

namespace {
struct AttnSplitKV : attn::impl::AttnSplitKVBase<AttnSplitKV> {
  using Base::Base;

  static std::string rangeError(int64_t splits) {
    return "attn-split-kv: splits=" + std::to_string(splits) +
           ": expected 1 to " + std::to_string(kMaxKVSplits);
  }

  /// The option, checked where it is parsed.
  LogicalResult initializeOptions(
      StringRef options,
      function_ref<LogicalResult(const Twine &)> errorHandler) override {
    if (failed(Pass::initializeOptions(options, errorHandler)))
      return failure();
    if (splits < 1 || splits > kMaxKVSplits)
      return errorHandler(rangeError(splits));
    return success();
  }

  void runOnOperation() override {
    // Created from C++, the option was not parsed: check it here.
    if (splits < 1 || splits > kMaxKVSplits) {
      getOperation()->emitError(rangeError(splits));
      return signalPassFailure();
    }
    if (splits == 1)
      return;
    SmallVector<SdpaOp> ops;
    getOperation()->walk([&](SdpaOp op) {
      if (!op.getKvSplitAttr())
        ops.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (SdpaOp op : ops)
      (void)splitSdpaKV(rewriter, op, splits);
  }
};
} // namespace
