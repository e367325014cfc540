//===- ScoreModAttrs.cpp - what each score modification means -------------===//
//
// ScoreModAttrInterface on every score-mod attribute: the modified score as
// IR (scalars, or lanes of elements) and on the host in float64. Lowerings,
// kernels and the reference ask these; a new score mod is one attribute here
// and in AttnAttrs.td.
//
//===----------------------------------------------------------------------===//

#include "attn/Dialect/Attn/IR/AttnAttrs.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <cmath>

using namespace mlir;
using namespace mlir::attn;

namespace {

/// f32 arithmetic in the shape of a score (f32 or a vector of it).
struct ScoreBuilder {
  OpBuilder &b;
  Location loc;
  Type type; // the score's type

  Value f32(double v) {
    if (auto vec = dyn_cast<VectorType>(type))
      return arith::ConstantOp::create(
          b, loc, DenseElementsAttr::get(vec, b.getF32FloatAttr(v)));
    return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v));
  }
  /// An `index` value (scalar, or shaped as the score) as f32 of the score's
  /// shape.
  Value toF32(Value x) {
    Type i64 = b.getI64Type(), f32 = b.getF32Type();
    if (auto vec = dyn_cast<VectorType>(x.getType())) {
      i64 = vec.clone(i64);
      f32 = vec.clone(f32);
    }
    Value asFloat = arith::SIToFPOp::create(
        b, loc, f32, arith::IndexCastOp::create(b, loc, i64, x));
    if (asFloat.getType() != type)
      asFloat = vector::BroadcastOp::create(b, loc, type, asFloat);
    return asFloat;
  }
  Value mul(Value x, Value y) { return arith::MulFOp::create(b, loc, x, y); }
  Value fma(Value x, Value y, Value z) {
    return math::FmaOp::create(b, loc, x, y, z);
  }
};

} // namespace

//===----------------------------------------------------------------------===//
// ALiBi
//===----------------------------------------------------------------------===//

Value AlibiAttr::buildScore(OpBuilder &b, Location loc, Value score,
                            const MaskPoint &point, Value headsQ,
                            double unit) const {
  ScoreBuilder sb{b, loc, score.getType()};
  // m_h = 2^(−max_bias · (h + 1) / H) = exp(c · (h + 1) / H).
  double c = -getMaxBias().convertToDouble() * M_LN2;
  Value h1 = arith::AddFOp::create(b, loc, sb.toF32(point.head), sb.f32(1.0));
  Value slope = math::ExpOp::create(
      b, loc,
      arith::DivFOp::create(b, loc, sb.mul(sb.f32(c), h1), sb.toF32(headsQ)));
  // s' = s − m_h · |p − j|, in the caller's units.
  Value distance = math::AbsFOp::create(
      b, loc,
      sb.toF32(arith::SubIOp::create(b, loc, point.queryPos, point.key)));
  return sb.fma(sb.mul(slope, sb.f32(-unit)), distance, score);
}

double AlibiAttr::evaluate(double score, const MaskElement &e,
                           int64_t headsQ) const {
  double slope =
      std::exp2(-getMaxBias().convertToDouble() *
                static_cast<double>(e.head + 1) / static_cast<double>(headsQ));
  return score - slope * std::fabs(static_cast<double>(e.queryPos - e.key));
}

//===----------------------------------------------------------------------===//
// Soft-capping
//===----------------------------------------------------------------------===//

Value SoftcapAttr::buildScore(OpBuilder &b, Location loc, Value score,
                              const MaskPoint &, Value, double unit) const {
  ScoreBuilder sb{b, loc, score.getType()};
  // With cap' = unit · cap: unit · cap · tanh(s / cap) = cap' · tanh(unit · s /
  // cap').
  double cap = unit * getCap().convertToDouble();
  Value t = math::TanhOp::create(b, loc, sb.mul(score, sb.f32(1.0 / cap)));
  return sb.mul(t, sb.f32(cap));
}

double SoftcapAttr::evaluate(double score, const MaskElement &, int64_t) const {
  double cap = getCap().convertToDouble();
  return cap * std::tanh(score / cap);
}
