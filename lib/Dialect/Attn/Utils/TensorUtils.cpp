//===- TensorUtils.cpp - tensor helpers shared by attn rewrites -----------===//

#include "attn/Dialect/Attn/Utils/TensorUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <limits>

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

using mlir::attn::TileBuilder;

Value TileBuilder::idx(int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}
Value TileBuilder::add(Value x, Value y) {
  return arith::AddIOp::create(b, loc, x, y);
}
Value TileBuilder::sub(Value x, Value y) {
  return arith::SubIOp::create(b, loc, x, y);
}
Value TileBuilder::mul(Value x, Value y) {
  return arith::MulIOp::create(b, loc, x, y);
}
Value TileBuilder::min(Value x, Value y) {
  return arith::MinSIOp::create(b, loc, x, y);
}
Value TileBuilder::clamp(Value x, Value lo, Value hi) {
  return min(arith::MaxSIOp::create(b, loc, x, lo), hi);
}
Value TileBuilder::dim(Value t, int64_t i) {
  return tensor::DimOp::create(b, loc, t, i);
}
Value TileBuilder::f32(double v) {
  return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v));
}

Value TileBuilder::filled(ArrayRef<OpFoldResult> sizes, Value value) {
  Value init = tensor::EmptyOp::create(b, loc, sizes, value.getType());
  return linalg::FillOp::create(b, loc, ValueRange{value}, ValueRange{init})
      .getResult(0);
}

Value TileBuilder::slice4(Value t, Value batch, Value head, Value row,
                          Value rows) {
  SmallVector<OpFoldResult> offsets = {batch, head, row, b.getIndexAttr(0)};
  SmallVector<OpFoldResult> sizes = {b.getIndexAttr(1), b.getIndexAttr(1), rows,
                                     tensor::getMixedSize(b, loc, t, 3)};
  SmallVector<OpFoldResult> strides(4, b.getIndexAttr(1));
  return tensor::ExtractSliceOp::create(b, loc, t, offsets, sizes, strides);
}

Value TileBuilder::collapse2(Value t) {
  SmallVector<ReassociationIndices> groups = {{0, 1, 2}, {3}};
  return tensor::CollapseShapeOp::create(b, loc, t, groups);
}

Value TileBuilder::maximum(Value x, Value y) {
  return arith::MaximumFOp::create(b, loc, x, y);
}

Value TileBuilder::reduceMax(Value t) {
  auto type = cast<RankedTensorType>(t.getType());
  Value init = filled({}, f32(-std::numeric_limits<double>::infinity()));
  SmallVector<AffineMap> maps = {
      b.getMultiDimIdentityMap(type.getRank()),
      AffineMap::get(type.getRank(), 0, {}, b.getContext())};
  SmallVector<utils::IteratorType> iterators(type.getRank(),
                                             utils::IteratorType::reduction);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{init.getType()}, ValueRange{t}, ValueRange{init}, maps,
      iterators, [](OpBuilder &nb, Location nl, ValueRange args) {
        linalg::YieldOp::create(
            nb, nl, ValueRange{arith::MaximumFOp::create(nb, nl, args[1], args[0])});
      });
  return tensor::ExtractOp::create(b, loc, generic.getResult(0), ValueRange{});
}
