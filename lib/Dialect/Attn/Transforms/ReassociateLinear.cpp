//===- ReassociateLinear.cpp - attn.linear as φ(Q)(φ(K)ᵀV) ----------------===//
//
// Kernelized attention computed in the order that makes it linear in N:
//
//   scf.forall (b, h):                                -- independent heads
//     S = 0 (f × d_v), z = 0 (f)
//     scf.for ks in [0, N_kv) step C:                 -- chunks of keys
//       φK_n = feature_map(K[b, h_kv, ks : ks + C])
//       causal: the queries whose last visible key is in the chunk,
//         O_n = linear_chunk(φQ_n, S, z, keys(φK_n, V_n), diagonal)
//       S, z = linear_update(φK_n, V_n, S, z)
//     non-causal, after the loop: O = linear_chunk(φQ, S, z), C rows at a time
//
// No N×N matrix exists; a chunk's C×C products are the largest temporaries.
//
//===----------------------------------------------------------------------===//

#include "attn/Dialect/Attn/Transforms/Passes.h"
#include "attn/Dialect/Attn/Transforms/Transforms.h"
#include "attn/Dialect/Attn/Utils/TensorUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <limits>

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNREASSOCIATELINEAR
#include "attn/Dialect/Attn/Transforms/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

//===----------------------------------------------------------------------===//
// Raising the graph
//===----------------------------------------------------------------------===//

FailureOr<LinearOp> mlir::attn::raiseToLinear(RewriterBase &rewriter,
                                              ApplyOp apply) {
  auto normalize = getSingleUseProducer<NormalizeOp>(apply.getProbs());
  if (!normalize)
    return rewriter.notifyMatchFailure(apply, "probs are not a normalize");
  Value scoresValue = normalize.getInput();
  auto mask = getSingleUseProducer<MaskOp>(scoresValue);
  if (mask) {
    if (!isa<CausalMaskAttr>(mask.getMask()) || mask.getFill() != MaskFill::Zero)
      return rewriter.notifyMatchFailure(mask, "not a causal mask filling zero");
    scoresValue = mask.getInput();
  }
  auto scores = getSingleUseProducer<ScoresOp>(scoresValue);
  if (!scores)
    return rewriter.notifyMatchFailure(apply, "no single-use attn.scores");
  std::optional<APFloat> scale = scores.getScale();
  if (!scale || !scale->isExactlyValue(1.0))
    return rewriter.notifyMatchFailure(scores, "scale is not exactly 1");
  auto mapQ = getSingleUseProducer<FeatureMapOp>(scores.getQuery());
  auto mapK = getSingleUseProducer<FeatureMapOp>(scores.getKey());
  if (!mapQ || !mapK || mapQ.getKind() != mapK.getKind() ||
      mapQ.getProjection() != mapK.getProjection())
    return rewriter.notifyMatchFailure(
        scores, "Q and K are not single-use feature maps of one kind");
  Type elementType = elementTypeOf(apply.getResult());
  for (Value v : {mapQ.getInput(), mapK.getInput(), apply.getValue()})
    if (elementTypeOf(v) != elementType)
      return rewriter.notifyMatchFailure(apply, "element types differ");

  rewriter.setInsertionPoint(apply);
  auto linear = LinearOp::create(
      rewriter, apply.getLoc(), apply.getResult().getType(),
      mapQ.getKindAttr(), mapQ.getInput(), mapK.getInput(), apply.getValue(),
      mapQ.getProjection(), mask ? rewriter.getUnitAttr() : UnitAttr(),
      normalize.getEpsAttr());
  rewriter.replaceOp(apply, linear.getOutput());
  rewriter.eraseOp(normalize);
  if (mask)
    rewriter.eraseOp(mask);
  rewriter.eraseOp(scores);
  rewriter.eraseOp(mapQ);
  rewriter.eraseOp(mapK);
  return linear;
}

//===----------------------------------------------------------------------===//
// The chunked form
//===----------------------------------------------------------------------===//

LogicalResult mlir::attn::verifyLinearChunkSize(
    int64_t chunkSize, function_ref<LogicalResult(const Twine &)> error) {
  if (chunkSize < 1 || chunkSize > kMaxLinearChunk)
    return error("chunk-size=" + Twine(chunkSize) + ": expected 1 to " +
                 Twine(kMaxLinearChunk));
  return success();
}

namespace {
/// What the body of one (batch, query head) shares: its tiles come from
/// here, mapped and flattened to [rows, e].
struct HeadChunks {
  TileBuilder &t;
  LinearOp op;
  Value batch, head, headKV;
  int64_t features; // f: d, or m for FAVOR+ (dynamic where unknown)

  /// FAVOR+: the keys' shift, their head's largest exponent (null for the
  /// other maps).
  Value keyShift;

  bool favor() { return op.getFeatureMap() == FeatureMapKind::FavorPlus; }
  Value tile(Value x, Value xHead, Value row, Value rows) {
    return t.slice4(x, batch, xHead, row, rows);
  }
  /// The largest FAVOR+ exponent of each row of a [1, 1, rows, d] tile.
  Value rowMax(Value tile) {
    auto type = RankedTensorType::get({1, 1, ShapedType::kDynamic},
                                      t.b.getF32Type());
    return FavorMaxOp::create(t.b, t.loc, type, tile, op.getProjection());
  }
  /// φ of a [1, 1, rows, d] tile, its FAVOR+ exponents shifted by `shift`
  /// ([1, 1, rows]): [rows, f].
  Value mapped(Value tile, Value shift) {
    auto type = RankedTensorType::get({1, 1, ShapedType::kDynamic, features},
                                      elementTypeOf(tile));
    Value phi = FeatureMapOp::create(t.b, t.loc, type, op.getFeatureMapAttr(),
                                     tile, op.getProjection(), shift);
    return t.collapse2(phi);
  }
  Value keys(Value ks, Value rows) {
    Value k = tile(op.getKey(), headKV, ks, rows);
    Value shift;
    if (favor())
      shift = t.filled({t.b.getIndexAttr(1), t.b.getIndexAttr(1), rows},
                       keyShift);
    return mapped(k, shift);
  }
  Value queries(Value qs, Value rows) {
    Value q = tile(op.getQuery(), head, qs, rows);
    return mapped(q, favor() ? rowMax(q) : Value());
  }
  /// FAVOR+: the largest exponent over all keys of the head.
  Value largestKeyExponent(Value chunk) {
    Value numK = t.dim(op.getKey(), 2);
    auto loop = scf::ForOp::create(
        t.b, t.loc, t.idx(0), numK, chunk,
        ValueRange{t.f32(-std::numeric_limits<double>::infinity())},
        [&](OpBuilder &, Location, Value ks, ValueRange iter) {
          Value rows = t.min(chunk, t.sub(numK, ks));
          Value m = rowMax(tile(op.getKey(), headKV, ks, rows));
          scf::YieldOp::create(t.b, t.loc, t.maximum(iter[0], t.reduceMax(m)));
        });
    return loop.getResult(0);
  }
  Value values(Value ks, Value rows) {
    return t.collapse2(tile(op.getValue(), headKV, ks, rows));
  }
  /// `o` with `tile` ([rows, d_v]) written at row `row`.
  Value insertRows(Value tile, Value o, Value row, Value rows) {
    OpFoldResult cols = tensor::getMixedSize(t.b, t.loc, o, 1);
    return tensor::InsertSliceOp::create(
        t.b, t.loc, tile, o, ArrayRef<OpFoldResult>{row, t.b.getIndexAttr(0)},
        ArrayRef<OpFoldResult>{rows, cols},
        ArrayRef<OpFoldResult>{t.b.getIndexAttr(1), t.b.getIndexAttr(1)});
  }
  Value chunk(Value phiQ, Value s, Value z, Value phiK, Value v, Value diag) {
    auto type = RankedTensorType::get({ShapedType::kDynamic,
                                       cast<RankedTensorType>(s.getType())
                                           .getDimSize(1)},
                                      elementTypeOf(op.getOutput()));
    return LinearChunkOp::create(t.b, t.loc, type, phiQ, s, z, phiK, v, diag,
                                 op.getEpsAttr());
  }
};
} // namespace

/// The feature count f of `op`'s map: d, or m of the FAVOR+ projection.
static OpFoldResult featureCount(TileBuilder &t, LinearOp op) {
  if (Value p = op.getProjection())
    return tensor::getMixedSize(t.b, t.loc, p, 1);
  return tensor::getMixedSize(t.b, t.loc, op.getQuery(), 3);
}

/// The body of one (batch, query head): its [N_q, d_v] output.
static Value buildHead(HeadChunks &h, int64_t chunkSize) {
  TileBuilder &t = h.t;
  LinearOp op = h.op;
  Value numQ = t.dim(op.getQuery(), 2), numK = t.dim(op.getKey(), 2);
  Value c0 = t.idx(0), chunk = t.idx(chunkSize);
  // Static where the types are: the state's tiles keep known extents.
  auto size = [&](Value x, int64_t i) {
    return tensor::getMixedSize(t.b, t.loc, x, i);
  };
  OpFoldResult dv = size(op.getValue(), 3), f = featureCount(t, op);
  Type outType = elementTypeOf(op.getOutput());
  Value out0 = t.filled(
      {numQ, dv},
      arith::ConstantOp::create(t.b, t.loc, t.b.getFloatAttr(outType, 0.0)));
  Value s0 = t.filled({f, dv}, t.f32(0.0)), z0 = t.filled({f}, t.f32(0.0));
  Value shift = t.sub(numK, numQ);
  bool causal = op.getCausal();
  if (h.favor())
    h.keyShift = h.largestKeyExponent(chunk);

  auto keyLoop = scf::ForOp::create(
      t.b, t.loc, c0, numK, chunk, ValueRange{s0, z0, out0},
      [&](OpBuilder &, Location, Value ks, ValueRange iter) {
        Value rows = t.min(chunk, t.sub(numK, ks));
        Value phiK = h.keys(ks, rows), v = h.values(ks, rows);
        Value out = iter[2];
        if (causal) {
          // The queries whose last visible key ks + j lies in the chunk:
          // i + shift ∈ [ks, ks + rows).
          Value q0 = t.clamp(t.sub(ks, shift), c0, numQ);
          Value q1 = t.clamp(t.sub(t.add(ks, rows), shift), c0, numQ);
          Value qRows = t.sub(q1, q0);
          Value diag = t.sub(t.add(q0, shift), ks);
          Value o = h.chunk(h.queries(q0, qRows), iter[0], iter[1], phiK, v,
                            diag);
          out = h.insertRows(o, out, q0, qRows);
        }
        auto update = LinearUpdateOp::create(t.b, t.loc, iter[0].getType(),
                                             iter[1].getType(), phiK, v,
                                             iter[0], iter[1]);
        scf::YieldOp::create(
            t.b, t.loc,
            ValueRange{update.getNewState(), update.getNewNorm(), out});
      });
  if (causal)
    return keyLoop.getResult(2);
  Value s = keyLoop.getResult(0), z = keyLoop.getResult(1);
  auto queryLoop = scf::ForOp::create(
      t.b, t.loc, c0, numQ, chunk, ValueRange{out0},
      [&](OpBuilder &, Location, Value qs, ValueRange iter) {
        Value rows = t.min(chunk, t.sub(numQ, qs));
        Value o = h.chunk(h.queries(qs, rows), s, z, Value(), Value(), Value());
        scf::YieldOp::create(t.b, t.loc, h.insertRows(o, iter[0], qs, rows));
      });
  return queryLoop.getResult(0);
}

FailureOr<scf::ForallOp> mlir::attn::reassociateLinear(RewriterBase &rewriter,
                                                       LinearOp op,
                                                       int64_t chunkSize) {
  if (failed(verifyLinearChunkSize(chunkSize, [&](const Twine &why) {
        return rewriter.notifyMatchFailure(op, why);
      })))
    return failure();
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  TileBuilder t{rewriter, loc};
  Value q = op.getQuery(), k = op.getKey(), v = op.getValue();
  auto mixed = [&](Value x, int64_t i) {
    return tensor::getMixedSize(rewriter, loc, x, i);
  };
  Value dest = tensor::EmptyOp::create(
      rewriter, loc,
      ArrayRef<OpFoldResult>{mixed(q, 0), mixed(q, 1), mixed(q, 2), mixed(v, 3)},
      elementTypeOf(op.getOutput()));
  Value group = arith::DivUIOp::create(rewriter, loc, t.dim(q, 1), t.dim(k, 1));
  auto forall = scf::ForallOp::create(
      rewriter, loc, ArrayRef<OpFoldResult>{mixed(q, 0), mixed(q, 1)},
      ValueRange{dest}, /*mapping=*/std::nullopt);
  Block *body = forall.getBody();
  rewriter.setInsertionPointToStart(body);
  Value b = body->getArgument(0), h = body->getArgument(1);
  HeadChunks chunks{
      t,
      op,
      b,
      h,
      arith::DivUIOp::create(rewriter, loc, h, group),
      getConstantIntValue(featureCount(t, op)).value_or(ShapedType::kDynamic),
      /*keyShift=*/Value()};
  Value head = buildHead(chunks, chunkSize);
  OpFoldResult rows = mixed(q, 2), cols = mixed(v, 3);
  // As static as the sizes the insertion names.
  auto headType = RankedTensorType::get(
      {cast<RankedTensorType>(q.getType()).getDimSize(2),
       cast<RankedTensorType>(v.getType()).getDimSize(3)},
      elementTypeOf(op.getOutput()));
  if (head.getType() != headType)
    head = tensor::CastOp::create(rewriter, loc, headType, head);

  rewriter.setInsertionPointToEnd(forall.getTerminator().getBody());
  tensor::ParallelInsertSliceOp::create(
      rewriter, loc, head, forall.getRegionIterArgs()[0],
      ArrayRef<OpFoldResult>{b, h, rewriter.getIndexAttr(0),
                             rewriter.getIndexAttr(0)},
      ArrayRef<OpFoldResult>{rewriter.getIndexAttr(1), rewriter.getIndexAttr(1),
                             rows, cols},
      SmallVector<OpFoldResult>(4, rewriter.getIndexAttr(1)));
  replaceOpWithCasts(rewriter, op, forall.getResults());
  return forall;
}

//===----------------------------------------------------------------------===//
// The pass
//===----------------------------------------------------------------------===//

namespace {
struct RaiseLinearPattern : OpRewritePattern<ApplyOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ApplyOp apply,
                                PatternRewriter &rewriter) const override {
    return raiseToLinear(rewriter, apply);
  }
};

struct AttnReassociateLinear
    : attn::impl::AttnReassociateLinearBase<AttnReassociateLinear> {
  using Base::Base;

  LogicalResult initializeOptions(
      StringRef options,
      function_ref<LogicalResult(const Twine &)> errorHandler) override {
    if (failed(Pass::initializeOptions(options, errorHandler)))
      return failure();
    return verifyLinearChunkSize(chunkSize, [&](const Twine &why) {
      return errorHandler("attn-reassociate-linear: " + why);
    });
  }

  void runOnOperation() override {
    if (failed(verifyLinearChunkSize(chunkSize, [&](const Twine &why) {
          return getOperation()->emitError("attn-reassociate-linear: " + why);
        })))
      return signalPassFailure();
    RewritePatternSet patterns(&getContext());
    patterns.add<RaiseLinearPattern>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
    SmallVector<LinearOp> ops;
    getOperation()->walk([&](LinearOp op) { ops.push_back(op); });
    IRRewriter rewriter(&getContext());
    for (LinearOp op : ops)
      if (failed(reassociateLinear(rewriter, op, chunkSize)))
        return signalPassFailure();
  }
};
} // namespace
