//===- AttnToLinalg.cpp - naive lowering of attn to linalg ----------------===//
//
// The reference lowering: every attn op becomes linalg on tensors exactly as
// its description defines it. Intermediates are f32 tensors; each op truncates
// its result to its own element type at the end. Nothing here tries to be
// fast: this is what the fast lowerings are checked against.
//
//===----------------------------------------------------------------------===//

#include "attn/Conversion/AttnToLinalg/AttnToLinalg.h"
#include "attn/Conversion/Passes.h"
#include "attn/Dialect/Attn/IR/AttnOps.h"
#include "attn/Dialect/Attn/Utils/MaskUtils.h"
#include "attn/Dialect/Attn/Utils/TensorUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>
#include <limits>

namespace mlir::attn {
#define GEN_PASS_DEF_CONVERTATTNTOLINALG
#include "attn/Conversion/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

namespace {

using utils::IteratorType;
constexpr IteratorType kPar = IteratorType::parallel;
constexpr IteratorType kRed = IteratorType::reduction;

/// The body of a contraction: acc + a·b, in f32 (args: a, b, acc).
Value mulAdd(OpBuilder &nb, Location nl, ValueRange args);

/// A builder bundle with the helpers every lowering below needs.
struct Emitter {
  OpBuilder &b;
  Location loc;

  Type f32() { return b.getF32Type(); }
  Value f32Const(double v) {
    return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v));
  }
  Value indexConst(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value negInf() { return f32Const(-std::numeric_limits<double>::infinity()); }

  /// Extends a scalar float to f32 (no-op on f32).
  Value toF32(Value v) {
    if (v.getType().isF32())
      return v;
    return arith::ExtFOp::create(b, loc, f32(), v);
  }

  Value dim(Value tensor, int64_t index) {
    return tensor::DimOp::create(b, loc, tensor, index);
  }
  /// Dim `index` of `tensor` as an f32 value.
  Value dimAsF32(Value tensor, int64_t index) {
    Value i64 = arith::IndexCastOp::create(b, loc, b.getI64Type(),
                                           dim(tensor, index));
    return arith::SIToFPOp::create(b, loc, f32(), i64);
  }
  OpFoldResult mixedDim(Value tensor, int64_t index) {
    return tensor::getMixedSize(b, loc, tensor, index);
  }

  /// An uninitialised tensor of the given sizes.
  Value empty(ArrayRef<OpFoldResult> sizes, Type elementType) {
    return tensor::EmptyOp::create(b, loc, sizes, elementType);
  }
  /// A tensor of the given sizes filled with `value`.
  Value filled(ArrayRef<OpFoldResult> sizes, Value value) {
    Value init = empty(sizes, value.getType());
    return linalg::FillOp::create(b, loc, ValueRange{value}, ValueRange{init})
        .getResult(0);
  }

  /// Affine map over `numDims` loops selecting `dims`.
  AffineMap map(unsigned numDims, ArrayRef<unsigned> dims) {
    SmallVector<AffineExpr> exprs;
    for (unsigned d : dims)
      exprs.push_back(b.getAffineDimExpr(d));
    return AffineMap::get(numDims, 0, exprs, b.getContext());
  }

  /// A linalg.generic with one output; `body` gets the block arguments
  /// (inputs then the output) and returns the value to yield.
  Value generic(ValueRange inputs, Value init, ArrayRef<AffineMap> maps,
                ArrayRef<IteratorType> iterators,
                function_ref<Value(OpBuilder &, Location, ValueRange)> body) {
    auto op = linalg::GenericOp::create(
        b, loc, TypeRange{init.getType()}, inputs, ValueRange{init}, maps,
        iterators, [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
          Value result = body(nested, nestedLoc, args);
          linalg::YieldOp::create(nested, nestedLoc, result);
        });
    return op.getResult(0);
  }

  /// Elementwise map over a rank-4 tensor into a fresh tensor of
  /// `elementType`; `body` gets the element (extended to f32) and returns the
  /// new value in `elementType`.
  Value map4(Value input, Type elementType,
             function_ref<Value(OpBuilder &, Location, Value)> body) {
    SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, input);
    AffineMap id = b.getMultiDimIdentityMap(4);
    return generic(input, empty(sizes, elementType), {id, id},
                   {kPar, kPar, kPar, kPar},
                   [&](OpBuilder &nb, Location nl, ValueRange args) {
                     Emitter e{nb, nl};
                     return body(nb, nl, e.toF32(args[0]));
                   });
  }

  /// Converts an f32 tensor to `elementType` (no-op for f32).
  Value castTo(Value f32Tensor, Type elementType) {
    if (elementType.isF32())
      return f32Tensor;
    return map4(f32Tensor, elementType,
                [&](OpBuilder &nb, Location nl, Value x) -> Value {
                  return arith::TruncFOp::create(nb, nl, elementType, x);
                });
  }

  /// GQA: returns `kv` ([B, H_kv, N, e]) with its heads repeated to `heads`
  /// (query head h reads head h / (H_q / H_kv)). A no-op when the head counts
  /// are statically equal.
  Value broadcastHeads(Value kv, Value query) {
    auto kvType = cast<RankedTensorType>(kv.getType());
    auto qType = cast<RankedTensorType>(query.getType());
    if (!ShapedType::isDynamic(kvType.getDimSize(1)) && !ShapedType::isDynamic(qType.getDimSize(1)) &&
        kvType.getDimSize(1) == qType.getDimSize(1))
      return kv;
    Value group =
        arith::DivUIOp::create(b, loc, dim(query, 1), dim(kv, 1));
    SmallVector<OpFoldResult> sizes = {mixedDim(kv, 0), mixedDim(query, 1),
                                       mixedDim(kv, 2), mixedDim(kv, 3)};
    Value init = empty(sizes, kvType.getElementType());
    return generic({}, init, {b.getMultiDimIdentityMap(4)},
                   {kPar, kPar, kPar, kPar},
                   [&](OpBuilder &nb, Location nl, ValueRange) -> Value {
                     SmallVector<Value> idx;
                     for (unsigned d = 0; d < 4; ++d)
                       idx.push_back(linalg::IndexOp::create(nb, nl, d));
                     idx[1] = arith::DivUIOp::create(nb, nl, idx[1], group);
                     return tensor::ExtractOp::create(nb, nl, kv, idx);
                   });
  }

  /// S[b,h,i,j] = scale · Σ_c q[b,h,i,c] k[b,h/g,j,c], as f32. A null `scale`
  /// means 1.
  Value contractQK(Value q, Value k, Value scale) {
    Value kb = broadcastHeads(k, q);
    SmallVector<OpFoldResult> sizes = {mixedDim(q, 0), mixedDim(q, 1),
                                       mixedDim(q, 2), mixedDim(kb, 2)};
    Value acc = generic(
        {q, kb}, filled(sizes, f32Const(0.0)),
        {map(5, {0, 1, 2, 4}), map(5, {0, 1, 3, 4}), map(5, {0, 1, 2, 3})},
        {kPar, kPar, kPar, kPar, kRed},
        [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
          Emitter e{nb, nl};
          Value prod =
              arith::MulFOp::create(nb, nl, e.toF32(args[0]), e.toF32(args[1]));
          return arith::AddFOp::create(nb, nl, args[2], prod);
        });
    if (!scale)
      return acc;
    return map4(acc, f32(), [&](OpBuilder &nb, Location nl, Value x) -> Value {
      return arith::MulFOp::create(nb, nl, x, scale);
    });
  }

  /// O[b,h,i,e] = Σ_j p[b,h,i,j] v[b,h/g,j,e], as f32.
  Value contractPV(Value p, Value v) {
    Value vb = broadcastHeads(v, p);
    SmallVector<OpFoldResult> sizes = {mixedDim(p, 0), mixedDim(p, 1),
                                       mixedDim(p, 2), mixedDim(vb, 3)};
    return generic(
        {p, vb}, filled(sizes, f32Const(0.0)),
        {map(5, {0, 1, 2, 4}), map(5, {0, 1, 4, 3}), map(5, {0, 1, 2, 3})},
        {kPar, kPar, kPar, kPar, kRed}, mulAdd);
  }

  /// Reduces the last dim of a rank-4 tensor: `combine(acc, x)` from `init`.
  Value reduceRows(Value input, Value init,
                   function_ref<Value(OpBuilder &, Location, Value, Value)>
                       combine) {
    SmallVector<OpFoldResult> sizes = {mixedDim(input, 0), mixedDim(input, 1),
                                       mixedDim(input, 2)};
    return generic(input, filled(sizes, init),
                   {map(4, {0, 1, 2, 3}), map(4, {0, 1, 2})},
                   {kPar, kPar, kPar, kRed},
                   [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
                     Emitter e{nb, nl};
                     return combine(nb, nl, args[1], e.toF32(args[0]));
                   });
  }

  /// Elementwise over a rank-4 tensor `x` and a per-row rank-3 tensor `row`,
  /// into f32.
  Value withRow(Value x, Value row,
                function_ref<Value(OpBuilder &, Location, Value, Value)> body) {
    SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, x);
    return generic({x, row}, empty(sizes, f32()),
                   {map(4, {0, 1, 2, 3}), map(4, {0, 1, 2}),
                    map(4, {0, 1, 2, 3})},
                   {kPar, kPar, kPar, kPar},
                   [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
                     Emitter e{nb, nl};
                     return body(nb, nl, e.toF32(args[0]), args[1]);
                   });
  }

  Value rowMax(Value s) {
    return reduceRows(s, negInf(),
                      [](OpBuilder &nb, Location nl, Value acc, Value x) {
                        return arith::MaximumFOp::create(nb, nl, acc, x);
                      });
  }
  Value rowSum(Value s) {
    return reduceRows(s, f32Const(0.0),
                      [](OpBuilder &nb, Location nl, Value acc, Value x) {
                        return arith::AddFOp::create(nb, nl, acc, x);
                      });
  }

  /// exp(x − m), or `ifEmpty` when m = −∞ (a row that has seen no allowed
  /// entry, where exp(−∞ − (−∞)) would be NaN).
  Value guardedExp(Value x, Value m, double ifEmpty) {
    Value rowEmpty =
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, m, negInf());
    Value ex = math::ExpOp::create(b, loc, arith::SubFOp::create(b, loc, x, m));
    return arith::SelectOp::create(b, loc, rowEmpty, f32Const(ifEmpty), ex);
  }

  /// Softmax statistics of a score matrix: e = exp(s − max) (0 for a fully
  /// masked row), its row max and its row sum.
  struct Softmax {
    Value exps, max, sum;
  };
  Softmax softmaxStats(Value s) {
    Value max = rowMax(s);
    Value exps = withRow(
        s, max, [](OpBuilder &nb, Location nl, Value x, Value m) -> Value {
          return Emitter{nb, nl}.guardedExp(x, m, /*ifEmpty=*/0.0);
        });
    return {exps, max, rowSum(exps)};
  }

  /// x / (sum + eps), 0 where the denominator is 0.
  Value divideRows(Value x, Value sum, double eps) {
    return withRow(x, sum,
                   [eps](OpBuilder &nb, Location nl, Value v, Value s) -> Value {
                     Emitter e{nb, nl};
                     Value den = s;
                     if (eps != 0.0)
                       den = arith::AddFOp::create(nb, nl, s, e.f32Const(eps));
                     Value zero = arith::CmpFOp::create(
                         nb, nl, arith::CmpFPredicate::OEQ, den, e.f32Const(0.0));
                     Value q = arith::DivFOp::create(nb, nl, v, den);
                     return arith::SelectOp::create(nb, nl, zero,
                                                    e.f32Const(0.0), q);
                   });
  }

  /// The default softmax scale 1/√d of a query [B, H, N, d].
  Value scaleFor(Value query, std::optional<APFloat> scale) {
    if (scale)
      return f32Const(scale->convertToDouble());
    auto type = cast<RankedTensorType>(query.getType());
    if (!ShapedType::isDynamic(type.getDimSize(3)))
      return f32Const(1.0 / std::sqrt(static_cast<double>(type.getDimSize(3))));
    Value root = math::SqrtOp::create(b, loc, dimAsF32(query, 3));
    return arith::DivFOp::create(b, loc, f32Const(1.0), root);
  }
};

Value mulAdd(OpBuilder &nb, Location nl, ValueRange args) {
  Emitter e{nb, nl};
  Value prod = arith::MulFOp::create(nb, nl, e.toF32(args[0]), e.toF32(args[1]));
  return arith::AddFOp::create(nb, nl, args[2], prod);
}

//===----------------------------------------------------------------------===//
// Masks
//===----------------------------------------------------------------------===//

/// Applies `mask` to the f32 score matrix `s`: disallowed entries become
/// `fill`. Returns a null value for a mask kind this lowering does not know.
static Value applyMask(Emitter &e, Value s, MaskAttrInterface mask,
                       ValueRange tables, Value fill) {
  Value numQ = e.dim(s, 2), numK = e.dim(s, 3);
  Value shift = arith::SubIOp::create(e.b, e.loc, numK, numQ);
  bool known = true;
  Value result = e.map4(s, e.f32(), [&](OpBuilder &nb, Location nl,
                                        Value x) -> Value {
    MaskSite site{linalg::IndexOp::create(nb, nl, 0),
                  linalg::IndexOp::create(nb, nl, 1),
                  linalg::IndexOp::create(nb, nl, 2),
                  linalg::IndexOp::create(nb, nl, 3), shift};
    Value masked = buildMaskSelect(nb, nl, mask, site, tables, x, fill);
    known &= static_cast<bool>(masked);
    return masked ? masked : x;
  });
  return known ? result : Value();
}

/// `scoreMod` applied to each element of the f32 score matrix `s`.
static Value applyScoreMod(Emitter &e, Value s,
                           ScoreModAttrInterface scoreMod) {
  Value headsQ = e.dim(s, 1);
  Value shift = arith::SubIOp::create(e.b, e.loc, e.dim(s, 3), e.dim(s, 2));
  return e.map4(s, e.f32(), [&](OpBuilder &nb, Location nl, Value x) {
    MaskSite site{linalg::IndexOp::create(nb, nl, 0),
                  linalg::IndexOp::create(nb, nl, 1),
                  linalg::IndexOp::create(nb, nl, 2),
                  linalg::IndexOp::create(nb, nl, 3), shift};
    return buildScoreModAt(nb, nl, scoreMod, site, headsQ, x);
  });
}

/// Scores of keys outside split `split` of `splits` become −∞.
static Value keepSplitKeys(Emitter &e, Value s, int64_t split, int64_t splits) {
  std::pair<Value, Value> keys =
      buildSplitKeys(e.b, e.loc, e.dim(s, 3), split, splits);
  Value lo = keys.first, hi = keys.second;
  Value negInf = e.negInf();
  return e.map4(s, e.f32(), [&](OpBuilder &nb, Location nl, Value x) {
    Value j = linalg::IndexOp::create(nb, nl, 3);
    Value inside = arith::AndIOp::create(
        nb, nl, arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::uge, j, lo),
        arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::ult, j, hi));
    return arith::SelectOp::create(nb, nl, inside, x, negInf);
  });
}

/// The FAVOR+ exponents ω_rᵀx̂ − ‖x̂‖²/2, x̂ = x·d^(−1/4), as f32
/// [B, H, N, m].
static Value buildFavorExponents(Emitter &e, Value x, Value projection) {
  OpBuilder &b = e.b;
  Location loc = e.loc;
  Value xScale = // d^(−1/4) without a libm pow call
      math::RsqrtOp::create(b, loc, math::SqrtOp::create(b, loc, e.dimAsF32(x, 3)));
  Value xs = e.map4(x, e.f32(), [&](OpBuilder &nb, Location nl, Value v) -> Value {
    return arith::MulFOp::create(nb, nl, v, xScale);
  });
  Value halfNorm = e.reduceRows(
      xs, e.f32Const(0.0), [](OpBuilder &nb, Location nl, Value acc, Value v) {
        Emitter n{nb, nl};
        Value sq = arith::MulFOp::create(nb, nl, v, v);
        Value half = arith::MulFOp::create(nb, nl, sq, n.f32Const(0.5));
        return arith::AddFOp::create(nb, nl, acc, half);
      });
  SmallVector<OpFoldResult> sizes = {e.mixedDim(x, 0), e.mixedDim(x, 1),
                                     e.mixedDim(x, 2), e.mixedDim(projection, 1)};
  Value proj = e.generic(
      {xs, projection}, e.filled(sizes, e.f32Const(0.0)),
      {e.map(5, {0, 1, 2, 4}), e.map(5, {4, 3}), e.map(5, {0, 1, 2, 3})},
      {kPar, kPar, kPar, kPar, kRed}, mulAdd);
  return e.withRow(proj, halfNorm,
                   [&](OpBuilder &nb, Location nl, Value p, Value h) -> Value {
                     return arith::SubFOp::create(nb, nl, p, h);
                   });
}

/// φ(x) of attn.feature_map as f32 [B, H, N, d] (or [B, H, N, m] for FAVOR+,
/// whose exponents drop `shift` [B, H, N] where one is given).
static Value buildFeatureMap(Emitter &e, FeatureMapKind kind, Value x,
                             Value projection, Value shift = Value()) {
  switch (kind) {
  case FeatureMapKind::Identity:
    return e.map4(x, e.f32(), [](OpBuilder &, Location, Value v) { return v; });
  case FeatureMapKind::EluPlusOne:
    return e.map4(x, e.f32(), [](OpBuilder &nb, Location nl, Value v) -> Value {
      Emitter n{nb, nl};
      Value pos = arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OGT, v,
                                        n.f32Const(0.0));
      Value plusOne = arith::AddFOp::create(nb, nl, v, n.f32Const(1.0));
      Value ex = math::ExpOp::create(nb, nl, v);
      return arith::SelectOp::create(nb, nl, pos, plusOne, ex);
    });
  case FeatureMapKind::Relu:
    return e.map4(x, e.f32(), [](OpBuilder &nb, Location nl, Value v) -> Value {
      Emitter n{nb, nl};
      return arith::MaximumFOp::create(nb, nl, v, n.f32Const(0.0));
    });
  case FeatureMapKind::FavorPlus:
    break;
  }
  // FAVOR+: φ(x)_r = m^(−1/2)·exp(exponent_r − shift).
  Value outScale = math::RsqrtOp::create(e.b, e.loc, e.dimAsF32(projection, 1));
  Value exponents = buildFavorExponents(e, x, projection);
  if (!shift)
    shift = e.filled({e.mixedDim(x, 0), e.mixedDim(x, 1), e.mixedDim(x, 2)},
                     e.f32Const(0.0));
  return e.withRow(exponents, shift,
                   [&](OpBuilder &nb, Location nl, Value p, Value s) -> Value {
                     Value arg = arith::SubFOp::create(nb, nl, p, s);
                     Value ex = math::ExpOp::create(nb, nl, arg);
                     return arith::MulFOp::create(nb, nl, ex, outScale);
                   });
}

//===----------------------------------------------------------------------===//
// Patterns
//===----------------------------------------------------------------------===//

struct LowerScores : OpRewritePattern<ScoresOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ScoresOp op,
                                PatternRewriter &rewriter) const override {
    Emitter e{rewriter, op.getLoc()};
    Value scale = e.scaleFor(op.getQuery(), op.getScale());
    Value s = e.contractQK(op.getQuery(), op.getKey(), scale);
    replaceOpWithCasts(rewriter, op,
                       e.castTo(s, elementTypeOf(op.getResult())));
    return success();
  }
};

struct LowerMask : OpRewritePattern<MaskOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MaskOp op,
                                PatternRewriter &rewriter) const override {
    Emitter e{rewriter, op.getLoc()};
    Value fill = op.getFill() == MaskFill::NegInf ? e.negInf() : e.f32Const(0.0);
    Value masked = applyMask(e, op.getInput(), op.getMask(), op.getTables(), fill);
    if (!masked)
      return op.emitOpError() << "mask " << Attribute(op.getMask())
                              << " has no reference lowering";
    replaceOpWithCasts(rewriter, op,
                       e.castTo(masked, elementTypeOf(op.getResult())));
    return success();
  }
};

struct LowerSoftmax : OpRewritePattern<SoftmaxOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SoftmaxOp op,
                                PatternRewriter &rewriter) const override {
    Emitter e{rewriter, op.getLoc()};
    Emitter::Softmax sm = e.softmaxStats(op.getInput());
    Value p = e.divideRows(sm.exps, sm.sum, /*eps=*/0.0);
    replaceOpWithCasts(rewriter, op,
                       e.castTo(p, elementTypeOf(op.getResult())));
    return success();
  }
};

struct LowerApply : OpRewritePattern<ApplyOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ApplyOp op,
                                PatternRewriter &rewriter) const override {
    Emitter e{rewriter, op.getLoc()};
    Value o = e.contractPV(op.getProbs(), op.getValue());
    replaceOpWithCasts(rewriter, op,
                       e.castTo(o, elementTypeOf(op.getResult())));
    return success();
  }
};

struct LowerProjectSequence : OpRewritePattern<ProjectSequenceOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ProjectSequenceOp op,
                                PatternRewriter &rewriter) const override {
    // Y[b, h, r, c] = Σ_n E[r, n] X[b, h, n, c] over loops (b, h, r, c, n).
    Emitter e{rewriter, op.getLoc()};
    Value x = op.getInput(), proj = op.getProjection();
    SmallVector<OpFoldResult> sizes = {e.mixedDim(x, 0), e.mixedDim(x, 1),
                                       e.mixedDim(proj, 0), e.mixedDim(x, 3)};
    Value y = e.generic(
        {proj, x}, e.filled(sizes, e.f32Const(0.0)),
        {e.map(5, {2, 4}), e.map(5, {0, 1, 4, 3}), e.map(5, {0, 1, 2, 3})},
        {kPar, kPar, kPar, kPar, kRed}, mulAdd);
    replaceOpWithCasts(rewriter, op,
                       e.castTo(y, elementTypeOf(op.getResult())));
    return success();
  }
};

/// attn.gather_pages: one linalg.generic over the result whose body reads
/// the page number from the table and the element from that page.
struct LowerGatherPages : OpRewritePattern<GatherPagesOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GatherPagesOp op,
                                PatternRewriter &rewriter) const override {
    Emitter e{rewriter, op.getLoc()};
    Value pages = op.getPages(), table = op.getTable();
    const int64_t pageSize =
        cast<RankedTensorType>(pages.getType()).getDimSize(2);
    Value keys = arith::MulIOp::create(rewriter, op.getLoc(), e.dim(table, 1),
                                       e.indexConst(pageSize));
    SmallVector<OpFoldResult> sizes = {
        e.mixedDim(table, 0), e.mixedDim(pages, 1), keys, e.mixedDim(pages, 3)};
    Type elem = cast<RankedTensorType>(pages.getType()).getElementType();
    AffineMap id = rewriter.getMultiDimIdentityMap(4);
    Value gathered = e.generic(
        ValueRange{}, e.empty(sizes, elem), {id}, {kPar, kPar, kPar, kPar},
        [&](OpBuilder &nb, Location nl, ValueRange) -> Value {
          auto at = [&](int64_t d) {
            return linalg::IndexOp::create(nb, nl, d);
          };
          Value size = arith::ConstantIndexOp::create(nb, nl, pageSize);
          Value slot = arith::DivUIOp::create(nb, nl, at(2), size);
          Value entry =
              tensor::ExtractOp::create(nb, nl, table, ValueRange{at(0), slot});
          Value page =
              arith::IndexCastUIOp::create(nb, nl, nb.getIndexType(), entry);
          Value row = arith::RemUIOp::create(nb, nl, at(2), size);
          return tensor::ExtractOp::create(nb, nl, pages,
                                           ValueRange{page, at(1), row, at(3)});
        });
    replaceOpWithCasts(rewriter, op, gathered);
    return success();
  }
};

struct LowerFeatureMap : OpRewritePattern<FeatureMapOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(FeatureMapOp op,
                                PatternRewriter &rewriter) const override {
    Emitter e{rewriter, op.getLoc()};
    Value phi =
        buildFeatureMap(e, op.getKind(), op.getInput(), op.getProjection(),
                        op.getShift());
    replaceOpWithCasts(rewriter, op,
                       e.castTo(phi, elementTypeOf(op.getResult())));
    return success();
  }
};

struct LowerFavorMax : OpRewritePattern<FavorMaxOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(FavorMaxOp op,
                                PatternRewriter &rewriter) const override {
    Emitter e{rewriter, op.getLoc()};
    Value exponents =
        buildFavorExponents(e, op.getInput(), op.getProjection());
    replaceOpWithCasts(rewriter, op, e.rowMax(exponents));
    return success();
  }
};

struct LowerNormalize : OpRewritePattern<NormalizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(NormalizeOp op,
                                PatternRewriter &rewriter) const override {
    Emitter e{rewriter, op.getLoc()};
    Value sum = e.rowSum(op.getInput());
    Value r = e.divideRows(op.getInput(), sum, op.getEps().convertToDouble());
    replaceOpWithCasts(rewriter, op,
                       e.castTo(r, elementTypeOf(op.getResult())));
    return success();
  }
};

/// attn.merge: LSE = m + log Σᵢ exp(LSEᵢ − m) with m = maxᵢ LSEᵢ (0 when
/// every part is −∞, so the sum is 0 and the LSE −∞), then
/// O = Σᵢ exp(LSEᵢ − LSE) · Oᵢ (0 where the LSE is −∞).
struct LowerMerge : OpRewritePattern<MergeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MergeOp op,
                                PatternRewriter &rewriter) const override {
    Emitter e{rewriter, op.getLoc()};
    SmallVector<Value> lses(op.getLses()), outputs(op.getOutputs());
    const size_t parts = lses.size();
    Value first = outputs.front();
    SmallVector<OpFoldResult> rows = {
        e.mixedDim(first, 0), e.mixedDim(first, 1), e.mixedDim(first, 2)};
    AffineMap id3 = e.map(3, {0, 1, 2});
    Value lse = e.generic(
        lses, e.empty(rows, e.f32()), SmallVector<AffineMap>(parts + 1, id3),
        {kPar, kPar, kPar},
        [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
          Emitter n{nb, nl};
          Value m = n.negInf();
          for (size_t i = 0; i < parts; ++i)
            m = arith::MaxNumFOp::create(nb, nl, m, args[i]);
          Value none = arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OEQ,
                                             m, n.negInf());
          m = arith::SelectOp::create(nb, nl, none, n.f32Const(0.0), m);
          Value sum = n.f32Const(0.0);
          for (size_t i = 0; i < parts; ++i)
            sum = arith::AddFOp::create(
                nb, nl, sum,
                math::ExpOp::create(nb, nl,
                                    arith::SubFOp::create(nb, nl, args[i], m)));
          return arith::AddFOp::create(nb, nl, m,
                                       math::LogOp::create(nb, nl, sum));
        });
    SmallVector<Value> inputs(outputs);
    llvm::append_range(inputs, lses);
    inputs.push_back(lse);
    SmallVector<AffineMap> maps(parts, e.map(4, {0, 1, 2, 3}));
    maps.append(parts + 1, e.map(4, {0, 1, 2}));
    maps.push_back(e.map(4, {0, 1, 2, 3}));
    SmallVector<OpFoldResult> sizes(rows);
    sizes.push_back(e.mixedDim(first, 3));
    Type elementType = elementTypeOf(op.getOutput());
    Value out = e.generic(
        inputs, e.empty(sizes, elementType), maps, {kPar, kPar, kPar, kPar},
        [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
          Emitter n{nb, nl};
          Value total = args[2 * parts];
          Value none = arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OEQ,
                                             total, n.negInf());
          Value acc = n.f32Const(0.0);
          for (size_t i = 0; i < parts; ++i) {
            Value w = math::ExpOp::create(
                nb, nl, arith::SubFOp::create(nb, nl, args[parts + i], total));
            acc = math::FmaOp::create(nb, nl, w, n.toF32(args[i]), acc);
          }
          acc = arith::SelectOp::create(nb, nl, none, n.f32Const(0.0), acc);
          return elementType.isF32()
                     ? acc
                     : arith::TruncFOp::create(nb, nl, elementType, acc)
                           .getResult();
        });
    replaceOpWithCasts(rewriter, op, {out, lse});
    return success();
  }
};

struct LowerSdpa : OpRewritePattern<SdpaOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SdpaOp op,
                                PatternRewriter &rewriter) const override {
    Emitter e{rewriter, op.getLoc()};
    Value scale = e.scaleFor(op.getQuery(), op.getScale());
    Value s = e.contractQK(op.getQuery(), op.getKey(), scale);
    if (ScoreModAttrInterface scoreMod = op.getScoreModAttr())
      s = applyScoreMod(e, s, scoreMod);
    if (std::optional<ArrayRef<int64_t>> split = op.getKvSplit())
      s = keepSplitKeys(e, s, (*split)[0], (*split)[1]);
    if (MaskAttrInterface mask = op.getMaskAttr()) {
      s = applyMask(e, s, mask, op.getTables(), e.negInf());
      if (!s)
        return op.emitOpError() << "mask " << Attribute(mask)
                                << " has no reference lowering";
    }
    Emitter::Softmax sm = e.softmaxStats(s);
    Value p = e.divideRows(sm.exps, sm.sum, /*eps=*/0.0);
    Value o = e.contractPV(p, op.getValue());
    SmallVector<Value> results = {e.castTo(o, elementTypeOf(op.getOutput()))};
    if (op.getLse()) {
      // LSE = max + log(sum): −∞ for a fully masked row (sum = 0).
      SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(rewriter, op.getLoc(), sm.max);
      AffineMap id = rewriter.getMultiDimIdentityMap(3);
      Value lse = e.generic(
          {sm.max, sm.sum}, e.empty(sizes, e.f32()), {id, id, id},
          {kPar, kPar, kPar},
          [](OpBuilder &nb, Location nl, ValueRange args) -> Value {
            Value logSum = math::LogOp::create(nb, nl, args[1]);
            return arith::AddFOp::create(nb, nl, args[0], logSum);
          });
      results.push_back(lse);
    }
    replaceOpWithCasts(rewriter, op, results);
    return success();
  }
};

/// x ([B, H, N]) with every row replaced by its (batch, head)'s maximum.
static Value broadcastHeadMax(Emitter &e, Value x) {
  SmallVector<OpFoldResult> bh = {e.mixedDim(x, 0), e.mixedDim(x, 1)};
  Value headMax = e.generic(
      x, e.filled(bh, e.negInf()), {e.map(3, {0, 1, 2}), e.map(3, {0, 1})},
      {kPar, kPar, kRed},
      [](OpBuilder &nb, Location nl, ValueRange args) -> Value {
        return arith::MaximumFOp::create(nb, nl, args[1], args[0]);
      });
  return e.generic(headMax, e.empty(tensor::getMixedSizes(e.b, e.loc, x), e.f32()),
                   {e.map(3, {0, 1}), e.map(3, {0, 1, 2})}, {kPar, kPar, kPar},
                   [](OpBuilder &, Location, ValueRange args) { return args[0]; });
}

struct LowerLinear : OpRewritePattern<LinearOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(LinearOp op,
                                PatternRewriter &rewriter) const override {
    // The quadratic form of the definition: A = φ(Q)φ(K)ᵀ, [causal mask],
    // A / (row sums + eps), then A·V.
    Emitter e{rewriter, op.getLoc()};
    Value q = op.getQuery(), k = op.getKey(), w = op.getProjection();
    Value shiftQ, shiftK;
    if (op.getFeatureMap() == FeatureMapKind::FavorPlus) {
      // Max-stabilised: each query row by its own largest exponent, the
      // keys of a (batch, head) by their largest.
      shiftQ = e.rowMax(buildFavorExponents(e, q, w));
      shiftK = broadcastHeadMax(e, e.rowMax(buildFavorExponents(e, k, w)));
    }
    Value phiQ = buildFeatureMap(e, op.getFeatureMap(), q, w, shiftQ);
    Value phiK = buildFeatureMap(e, op.getFeatureMap(), k, w, shiftK);
    Value a = e.contractQK(phiQ, phiK, /*scale=*/Value());
    if (op.getCausal())
      a = applyMask(e, a, CausalMaskAttr::get(op.getContext()), {},
                    e.f32Const(0.0));
    Value n = e.divideRows(a, e.rowSum(a), op.getEps().convertToDouble());
    Value o = e.contractPV(n, op.getValue());
    replaceOpWithCasts(rewriter, op,
                       e.castTo(o, elementTypeOf(op.getOutput())));
    return success();
  }
};

struct LowerOnlineSoftmax : OpRewritePattern<OnlineSoftmaxOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(OnlineSoftmaxOp op,
                                PatternRewriter &rewriter) const override {
    Emitter e{rewriter, op.getLoc()};
    Value s = op.getScores(), v = op.getValue();
    AffineMap rows = e.map(2, {0}), tile = e.map(2, {0, 1});
    // m' = max(m, max_j S): a row reduction seeded with m.
    Value newMax = e.generic(
        s, op.getMax(), {tile, rows}, {kPar, kRed},
        [](OpBuilder &nb, Location nl, ValueRange args) -> Value {
          return arith::MaximumFOp::create(nb, nl, args[1], args[0]);
        });
    // α = exp(m − m'), 1 while the row has seen no allowed key (m' = −∞).
    AffineMap id1 = e.map(1, {0});
    Value alpha = e.generic(
        {op.getMax(), newMax}, e.empty({e.mixedDim(s, 0)}, e.f32()),
        {id1, id1, id1}, {kPar},
        [](OpBuilder &nb, Location nl, ValueRange args) -> Value {
          return Emitter{nb, nl}.guardedExp(args[0], args[1], /*ifEmpty=*/1.0);
        });
    // P = exp(S − m'), 0 while m' = −∞.
    Value p = e.generic(
        {s, newMax},
        e.empty({e.mixedDim(s, 0), e.mixedDim(s, 1)}, e.f32()),
        {tile, rows, tile}, {kPar, kPar},
        [](OpBuilder &nb, Location nl, ValueRange args) -> Value {
          return Emitter{nb, nl}.guardedExp(args[0], args[1], /*ifEmpty=*/0.0);
        });
    auto scaleRows = [&](Value x, AffineMap xMap, ArrayRef<IteratorType> iters,
                         ArrayRef<OpFoldResult> sizes) {
      return e.generic({x, alpha}, e.empty(sizes, e.f32()),
                       {xMap, e.map(xMap.getNumDims(), {0}), xMap}, iters,
                       [](OpBuilder &nb, Location nl, ValueRange args) -> Value {
                         return arith::MulFOp::create(nb, nl, args[0], args[1]);
                       });
    };
    // l' = α·l + Σ_j P.
    Value newSum = e.generic(
        p, scaleRows(op.getSum(), id1, {kPar}, {e.mixedDim(s, 0)}),
        {tile, rows}, {kPar, kRed},
        [](OpBuilder &nb, Location nl, ValueRange args) -> Value {
          return arith::AddFOp::create(nb, nl, args[1], args[0]);
        });
    // acc' = α·acc + P·V.
    Value accScaled = scaleRows(op.getAcc(), tile, {kPar, kPar},
                                {e.mixedDim(s, 0), e.mixedDim(v, 1)});
    Value newAcc = e.generic(
        {p, v}, accScaled, {e.map(3, {0, 2}), e.map(3, {2, 1}), e.map(3, {0, 1})},
        {kPar, kPar, kRed}, mulAdd);
    replaceOpWithCasts(rewriter, op, {newAcc, newMax, newSum});
    return success();
  }
};

/// acc + Σ a·b over the reduction loop of a 2-D contraction: `aMap`, `bMap`
/// and `accMap` index the three operands by the generic's loops.
static Value contract2(Emitter &e, Value a, Value b, Value acc,
                       ArrayRef<AffineMap> maps,
                       ArrayRef<IteratorType> iterators) {
  return e.generic({a, b}, acc, maps, iterators, mulAdd);
}

/// acc + the sums of `x` over loop 1 of (kept, summed): `xMap` indexes `x`
/// by those loops.
static Value addSums(Emitter &e, Value x, AffineMap xMap, Value acc) {
  return e.generic(x, acc, {xMap, e.map(2, {0})}, {kPar, kRed},
                   [](OpBuilder &nb, Location nl, ValueRange args) -> Value {
                     Emitter n{nb, nl};
                     return arith::AddFOp::create(nb, nl, args[1],
                                                  n.toF32(args[0]));
                   });
}

struct LowerLinearUpdate : OpRewritePattern<LinearUpdateOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(LinearUpdateOp op,
                                PatternRewriter &rewriter) const override {
    // S' = S + φKᵀV over loops (f, e, j); z' = z + Σ_j φK[j] over (f, j).
    Emitter e{rewriter, op.getLoc()};
    Value k = op.getPhiKey();
    Value state =
        contract2(e, k, op.getValue(), op.getState(),
                  {e.map(3, {2, 0}), e.map(3, {2, 1}), e.map(3, {0, 1})},
                  {kPar, kPar, kRed});
    Value norm = addSums(e, k, e.map(2, {1, 0}), op.getNorm());
    rewriter.replaceOp(op, {state, norm});
    return success();
  }
};

struct LowerLinearChunk : OpRewritePattern<LinearChunkOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(LinearChunkOp op,
                                PatternRewriter &rewriter) const override {
    Emitter e{rewriter, op.getLoc()};
    Value q = op.getPhiQuery(), state = op.getState();
    OpFoldResult rows = e.mixedDim(q, 0), cols = e.mixedDim(state, 1);
    AffineMap ic = e.map(3, {0, 2}), ce = e.map(3, {2, 1}), ie = e.map(3, {0, 1});
    // From the keys before the chunk: φQ·S and φQ·z.
    Value num = contract2(e, q, state, e.filled({rows, cols}, e.f32Const(0.0)),
                          {ic, ce, ie}, {kPar, kPar, kRed});
    Value den = contract2(e, q, op.getNorm(), e.filled({rows}, e.f32Const(0.0)),
                          {e.map(2, {0, 1}), e.map(2, {1}), e.map(2, {0})},
                          {kPar, kRed});
    if (Value k = op.getPhiKey()) {
      // From the chunk's own keys: A = φQ·φKᵀ (0 right of the diagonal).
      OpFoldResult keys = e.mixedDim(k, 0);
      Value a = contract2(e, q, k, e.filled({rows, keys}, e.f32Const(0.0)),
                          {ic, e.map(3, {1, 2}), ie}, {kPar, kPar, kRed});
      if (Value diagonal = op.getDiagonal())
        a = e.generic({}, a, {e.map(2, {0, 1})}, {kPar, kPar},
                      [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
                        Value i = linalg::IndexOp::create(nb, nl, 0);
                        Value j = linalg::IndexOp::create(nb, nl, 1);
                        Value allowed = arith::CmpIOp::create(
                            nb, nl, arith::CmpIPredicate::sle, j,
                            arith::AddIOp::create(nb, nl, i, diagonal));
                        return arith::SelectOp::create(
                            nb, nl, allowed, args[0],
                            Emitter{nb, nl}.f32Const(0.0));
                      });
      num = contract2(e, a, op.getValue(), num,
                      {e.map(3, {0, 2}), e.map(3, {2, 1}), ie},
                      {kPar, kPar, kRed});
      den = addSums(e, a, e.map(2, {0, 1}), den);
    }
    // O = num / (den + eps), 0 where that is 0.
    Type elementType = elementTypeOf(op.getOutput());
    double eps = op.getEps().convertToDouble();
    Value out = e.generic(
        {num, den}, e.empty({rows, cols}, elementType),
        {e.map(2, {0, 1}), e.map(2, {0}), e.map(2, {0, 1})}, {kPar, kPar},
        [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
          Emitter n{nb, nl};
          Value zero = n.f32Const(0.0);
          Value d = arith::AddFOp::create(nb, nl, args[1], n.f32Const(eps));
          Value none = arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OEQ,
                                             d, zero);
          Value o = arith::SelectOp::create(
              nb, nl, none, zero, arith::DivFOp::create(nb, nl, args[0], d));
          return elementType.isF32()
                     ? o
                     : arith::TruncFOp::create(nb, nl, elementType, o);
        });
    rewriter.replaceOp(op, out);
    return success();
  }
};

struct ConvertAttnToLinalg
    : attn::impl::ConvertAttnToLinalgBase<ConvertAttnToLinalg> {
  using Base::Base;
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    ConversionTarget target(*ctx);
    target.addIllegalDialect<AttnDialect>();
    target.addLegalDialect<arith::ArithDialect, linalg::LinalgDialect,
                           math::MathDialect, scf::SCFDialect,
                           tensor::TensorDialect>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    RewritePatternSet patterns(ctx);
    populateAttnToLinalgPatterns(patterns);
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

void mlir::attn::populateAttnToLinalgPatterns(RewritePatternSet &patterns) {
  patterns
      .add<LowerScores, LowerMask, LowerSoftmax, LowerApply, LowerFeatureMap,
           LowerNormalize, LowerSdpa, LowerMerge, LowerLinear,
           LowerOnlineSoftmax, LowerLinearUpdate, LowerLinearChunk,
           LowerProjectSequence, LowerFavorMax, LowerGatherPages>(
          patterns.getContext());
}
