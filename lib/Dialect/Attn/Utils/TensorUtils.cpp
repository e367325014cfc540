//===- TensorUtils.cpp - tensor helpers shared by attn rewrites -----------===//

#include "attn/Dialect/Attn/Utils/TensorUtils.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

void mlir::attn::replaceOpWithCasts(RewriterBase &rewriter, Operation *op,
                                    ValueRange values) {
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(op);
  SmallVector<Value> results;
  for (auto [value, type] : llvm::zip_equal(values, op->getResultTypes()))
    results.push_back(
        value.getType() == type
            ? value
            : tensor::CastOp::create(rewriter, op->getLoc(), type, value)
                  .getResult());
  rewriter.replaceOp(op, results);
}
