//===- Sparsify.cpp - fold masks into attn.sdpa, classify its blocks ------===//

#include "attn/Dialect/Attn/Transforms/Passes.h"
#include "attn/Dialect/Attn/Transforms/Transforms.h"

#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/Support/FormatVariadic.h"

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNSPARSIFY
#include "attn/Dialect/Attn/Transforms/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

BlockCounts mlir::attn::countMaskBlocks(MaskAttrInterface mask, int64_t numQ,
                                        int64_t numK, int64_t blockQ,
                                        int64_t blockK,
                                        int64_t elementBudget) {
  BlockCounts counts;
  int64_t shift = numK - numQ;
  int64_t budget = elementBudget;
  for (int64_t q0 = 0; q0 < numQ; q0 += blockQ)
    for (int64_t k0 = 0; k0 < numK; k0 += blockK) {
      MaskBlock block{q0 + shift, std::min(q0 + blockQ, numQ) + shift, k0,
                      std::min(k0 + blockK, numK), &budget};
      switch (mask.classifyBlock(block)) {
      case BlockClass::Empty:
        ++counts.empty;
        break;
      case BlockClass::Full:
        ++counts.full;
        break;
      case BlockClass::Partial:
        ++counts.partial;
        break;
      }
    }
  counts.exact = budget >= 0;
  return counts;
}

namespace {

/// The most blocks attn-sparsify counts, and the most element evaluations
/// it spends on blocks a formula cannot classify: the count is a
/// compile-time loop (well under a second at both limits).
constexpr int64_t kMaxCountedBlocks = int64_t(1) << 22;
constexpr int64_t kElementBudget = int64_t(1) << 26;

/// The remark of attn-sparsify on `op`, or nothing when its mask or sizes
/// are not known statically.
void remarkBlockCounts(SdpaOp op, int64_t blockQ, int64_t blockK) {
  MaskAttrInterface mask = op.getMaskAttr();
  auto qType = cast<RankedTensorType>(op.getQuery().getType());
  auto kType = cast<RankedTensorType>(op.getKey().getType());
  if (!mask || qType.isDynamicDim(2) || kType.isDynamicDim(2))
    return;
  int64_t numQ = qType.getDimSize(2), numK = kType.getDimSize(2);
  if (numQ == 0 || numK == 0)
    return;
  int64_t blocks = llvm::divideCeil(numQ, blockQ) * llvm::divideCeil(numK, blockK);
  if (blocks > kMaxCountedBlocks) {
    op.emitRemark() << "attn-sparsify: " << Attribute(mask) << " on " << numQ
                    << " × " << numK << " scores: " << blocks << " blocks of "
                    << blockQ << " × " << blockK << " are more than "
                    << kMaxCountedBlocks << " to count; use larger blocks";
    return;
  }
  BlockCounts c =
      countMaskBlocks(mask, numQ, numK, blockQ, blockK, kElementBudget);
  double skipped =
      100.0 * c.empty / static_cast<double>(c.empty + c.full + c.partial);
  InFlightDiagnostic remark = op.emitRemark();
  remark << "attn-sparsify: " << Attribute(mask) << " on " << numQ << " × "
         << numK << " scores in " << blockQ << " × " << blockK
         << " blocks: " << c.full << " full, " << c.partial << " partial, "
         << c.empty << " empty (" << llvm::formatv("{0:f1}", skipped)
         << "% of the blocks skipped)";
  if (mask.getNumTables() != 0)
    remark << "; its run-time tables classify the partial ones at run time";
  if (!c.exact)
    remark << "; counting stopped after " << kElementBudget
           << " element evaluations, so some partial blocks may be empty or "
              "full";
}

struct AttnSparsify : attn::impl::AttnSparsifyBase<AttnSparsify> {
  using Base::Base;

  LogicalResult initializeOptions(
      StringRef options,
      function_ref<LogicalResult(const Twine &)> errorHandler) override {
    if (failed(Pass::initializeOptions(options, errorHandler)))
      return failure();
    for (auto [name, value] : {std::pair("block-q", int64_t(blockQ)),
                               std::pair("block-k", int64_t(blockK))})
      if (value < 1)
        return errorHandler("attn-sparsify: " + Twine(name) + "=" +
                            Twine(value) + ": expected >= 1");
    return success();
  }

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateRaiseSdpaPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
    getOperation()->walk(
        [&](SdpaOp op) { remarkBlockCounts(op, blockQ, blockK); });
  }
};

} // namespace
