//===- MaskUtils.cpp - building and analysing attn masks ------------------===//

#include "attn/Dialect/Attn/Utils/MaskUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

using namespace mlir;
using namespace mlir::attn;

Value mlir::attn::buildMaskSelect(OpBuilder &b, Location loc,
                                  MaskAttrInterface mask, const MaskSite &site,
                                  ValueRange tables, Value x, Value fill) {
  MaskPoint point{site.batch, site.head, site.query, site.key,
                  arith::AddIOp::create(b, loc, site.query, site.shift)};
  SmallVector<Value> tableList(tables);
  ArrayRef<Value> remaining = tableList;
  Value allowed = mask.buildAllowed(b, loc, point, remaining);
  return arith::SelectOp::create(b, loc, allowed, x, fill);
}

Value mlir::attn::buildScoreModAt(OpBuilder &b, Location loc,
                                  ScoreModAttrInterface scoreMod,
                                  const MaskSite &site, Value headsQ, Value x) {
  MaskPoint point{site.batch, site.head, site.query, site.key,
                  arith::AddIOp::create(b, loc, site.query, site.shift)};
  return scoreMod.buildScore(b, loc, x, point, headsQ, /*unit=*/1.0);
}

std::pair<Value, Value> mlir::attn::buildSplitKeys(OpBuilder &b, Location loc,
                                                   Value numK, int64_t split,
                                                   int64_t splits) {
  auto bound = [&](int64_t s) -> Value {
    Value scaled = arith::MulIOp::create(
        b, loc, numK, arith::ConstantIndexOp::create(b, loc, s));
    return arith::DivUIOp::create(
        b, loc, scaled, arith::ConstantIndexOp::create(b, loc, splits));
  };
  return {bound(split), bound(split + 1)};
}

KeyRange mlir::attn::buildKeyRange(OpBuilder &b, Location loc,
                                   MaskAttrInterface mask, Value qs,
                                   Value rows, Value shift, Value numK) {
  auto idx = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  auto add = [&](Value x, Value y) -> Value {
    return arith::AddIOp::create(b, loc, x, y);
  };
  auto sub = [&](Value x, Value y) -> Value {
    return arith::SubIOp::create(b, loc, x, y);
  };
  KeyRange range{idx(0), numK, Value(), Value()};
  if (!mask)
    return range;
  MaskBand band = mask.getBand();
  Value firstPos = add(qs, shift);                 // p of the first row
  Value lastPos = add(firstPos, sub(rows, idx(1))); // p of the last row
  if (band.left)
    range.lo = arith::MaxSIOp::create(b, loc, idx(0),
                                      sub(firstPos, idx(*band.left)));
  if (band.right)
    range.hi = arith::MinSIOp::create(b, loc, numK,
                                      add(lastPos, idx(*band.right + 1)));
  // An empty range (all rows masked) must not run backwards.
  range.hi = arith::MaxSIOp::create(b, loc, range.hi, range.lo);
  if (band.exact) {
    range.fullLo = band.left ? sub(lastPos, idx(*band.left)) : idx(0);
    range.fullHi = band.right ? add(firstPos, idx(*band.right)) : numK;
  }
  return range;
}
