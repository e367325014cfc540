//===- DistinctResults.cpp - one buffer per returned tensor ---------------===//
//
// A function that returns one tensor value twice gets a copy for the second
// and later occurrences, so that each result bufferizes to a buffer of its
// own. MLIR 22's buffer-results-to-out-params{hoist-static-allocs} crashes
// (use after free) when two results are one allocation; found by attn-fuzz.
//
//===----------------------------------------------------------------------===//

#include "attn/Conversion/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/ADT/SmallPtrSet.h"

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNDISTINCTRESULTS
#include "attn/Conversion/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;

/// Replaces every repeated tensor operand of `ret` by a copy of it.
static void copyRepeatedResults(OpBuilder &b, func::ReturnOp ret) {
  llvm::SmallPtrSet<Value, 4> seen;
  b.setInsertionPoint(ret);
  for (OpOperand &operand : ret->getOpOperands()) {
    Value value = operand.get();
    auto type = dyn_cast<RankedTensorType>(value.getType());
    if (!type || seen.insert(value).second)
      continue;
    Location loc = ret.getLoc();
    Value init = tensor::EmptyOp::create(
        b, loc, tensor::getMixedSizes(b, loc, value), type.getElementType());
    Value copy = linalg::CopyOp::create(b, loc, value, init).getResult(0);
    if (copy.getType() != type)
      copy = tensor::CastOp::create(b, loc, type, copy);
    operand.set(copy);
  }
}

namespace {
struct AttnDistinctResults
    : attn::impl::AttnDistinctResultsBase<AttnDistinctResults> {
  using Base::Base;
  void runOnOperation() override {
    OpBuilder b(&getContext());
    getOperation()->walk(
        [&](func::ReturnOp ret) { copyRepeatedResults(b, ret); });
  }
};
} // namespace
