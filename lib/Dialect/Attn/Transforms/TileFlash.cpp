//===- TileFlash.cpp - attn.sdpa as an online softmax over KV blocks ------===//
//
// FlashAttention's loop structure on tensors:
//
//   scf.forall (b, h, query block qs):              -- independent tiles
//     Q_t = Q[b, h, qs : qs + tq, :]
//     acc = 0, m = −∞, l = 0
//     scf.for ks in [lo, hi) step tile-kv:          -- lo, hi from the mask
//                                                    (and the op's kv_split)
//       S_t = scale · Q_t K_tᵀ                      -- attn.scores on the tile
//       S_t = score_mod(S_t)                        -- if the op has one
//       S_t = mask(S_t)   only where the block is not inside the mask's band
//       acc, m, l = attn.online_softmax S_t, V_t into (acc, m, l)
//     O[b, h, qs : qs + tq, :] = acc / l;  LSE = m + log l
//
// Only tq × tile-kv scores exist at a time: memory is O(N), not O(N²).
//
//===----------------------------------------------------------------------===//

#include "attn/Dialect/Attn/Transforms/Passes.h"
#include "attn/Dialect/Attn/Transforms/Transforms.h"
#include "attn/Dialect/Attn/Utils/MaskUtils.h"
#include "attn/Dialect/Attn/Utils/TensorUtils.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/Matchers.h"

#include <cmath>
#include <limits>

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNTILEFLASH
#include "attn/Dialect/Attn/Transforms/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

using utils::IteratorType;

/// `fn` applied to each element of the f32 score tile S_t, whose rows are
/// queries qs + r and columns keys ks + c.
static Value mapTile(
    TileBuilder &t, Value scores, Value batch, Value head, Value qs, Value ks,
    Value shift,
    function_ref<Value(OpBuilder &, Location, const MaskSite &, Value)> fn) {
  AffineMap id = t.b.getMultiDimIdentityMap(2);
  auto generic = linalg::GenericOp::create(
      t.b, t.loc, TypeRange{scores.getType()}, ValueRange{},
      ValueRange{scores}, ArrayRef<AffineMap>{id},
      ArrayRef<IteratorType>{IteratorType::parallel, IteratorType::parallel},
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        MaskSite site{batch, head,
                      arith::AddIOp::create(nb, nl, qs,
                                            linalg::IndexOp::create(nb, nl, 0)),
                      arith::AddIOp::create(nb, nl, ks,
                                            linalg::IndexOp::create(nb, nl, 1)),
                      shift};
        linalg::YieldOp::create(nb, nl, fn(nb, nl, site, args[0]));
      });
  return generic.getResult(0);
}

LogicalResult mlir::attn::verifyFlashTileSizes(
    const FlashTileSizes &sizes,
    function_ref<LogicalResult(const Twine &)> error) {
  for (auto [name, value] :
       {std::pair("tile-q", sizes.tileQ), std::pair("tile-kv", sizes.tileKV)})
    if (value < 1 || value > kMaxFlashTile)
      return error(Twine(name) + "=" + Twine(value) + ": expected 1 to " +
                   Twine(kMaxFlashTile));
  return success();
}

FailureOr<scf::ForallOp> mlir::attn::tileSdpaFlash(RewriterBase &rewriter,
                                                   SdpaOp op,
                                                   const FlashTileSizes &sizes) {
  if (failed(verifyFlashTileSizes(sizes, [&](const Twine &why) {
        return rewriter.notifyMatchFailure(op, why);
      })))
    return failure();
  MaskAttrInterface mask = op.getMaskAttr();

  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  TileBuilder t{rewriter, loc};
  Value q = op.getQuery(), k = op.getKey(), v = op.getValue();
  auto outType = cast<RankedTensorType>(op.getOutput().getType());
  Type elementType = outType.getElementType();

  Value batch = t.dim(q, 0), headsQ = t.dim(q, 1), numQ = t.dim(q, 2);
  Value headsKV = t.dim(k, 1), numK = t.dim(k, 2);
  Value group = arith::DivUIOp::create(rewriter, loc, headsQ, headsKV);
  Value shift = t.sub(numK, numQ);
  Value tileQ = t.idx(sizes.tileQ), tileKV = t.idx(sizes.tileKV);
  Value numQBlocks = arith::CeilDivUIOp::create(rewriter, loc, numQ, tileQ);

  // Destinations of the forall: the output and, if asked for, the LSE.
  SmallVector<Value> dests;
  auto mixed = [&](Value x, int64_t i) {
    return tensor::getMixedSize(rewriter, loc, x, i);
  };
  dests.push_back(tensor::EmptyOp::create(
      rewriter, loc,
      ArrayRef<OpFoldResult>{mixed(q, 0), mixed(q, 1), mixed(q, 2), mixed(v, 3)},
      elementType));
  if (op.getLse())
    dests.push_back(tensor::EmptyOp::create(
        rewriter, loc,
        ArrayRef<OpFoldResult>{mixed(q, 0), mixed(q, 1), mixed(q, 2)},
        rewriter.getF32Type()));

  FloatAttr scale = op.getScaleAttr();
  if (!scale) {
    // The default 1/√d is materialised as an attribute when d is static;
    // attn.scores computes it at run time otherwise.
    auto qType = cast<RankedTensorType>(q.getType());
    if (!qType.isDynamicDim(3))
      scale = rewriter.getF32FloatAttr(
          1.0 / std::sqrt(static_cast<double>(qType.getDimSize(3))));
  }

  auto forall = scf::ForallOp::create(
      rewriter, loc,
      ArrayRef<OpFoldResult>{batch, headsQ, numQBlocks}, dests,
      /*mapping=*/std::nullopt);
  Block *body = forall.getBody();
  rewriter.setInsertionPointToStart(body);
  Value b = body->getArgument(0), h = body->getArgument(1);
  Value qs = t.mul(body->getArgument(2), tileQ);
  Value tq = t.min(tileQ, t.sub(numQ, qs));
  Value hk = arith::DivUIOp::create(rewriter, loc, h, group);

  Value qTile = t.slice4(q, b, h, qs, tq);
  Value vDim = t.dim(v, 3);
  Value acc0 = t.filled({tq, vDim}, t.f32(0.0));
  Value max0 = t.filled({tq}, t.f32(-std::numeric_limits<double>::infinity()));
  Value sum0 = t.filled({tq}, t.f32(0.0));

  KeyRange range = buildKeyRange(rewriter, loc, mask, qs, tq, shift, numK);
  if (std::optional<ArrayRef<int64_t>> split = op.getKvSplit()) {
    auto [lo, hi] =
        buildSplitKeys(rewriter, loc, numK, (*split)[0], (*split)[1]);
    range.lo = arith::MaxSIOp::create(rewriter, loc, range.lo, lo);
    range.hi = arith::MinSIOp::create(rewriter, loc, range.hi, hi);
  }
  auto loop = scf::ForOp::create(
      rewriter, loc, range.lo, range.hi, tileKV,
      ValueRange{acc0, max0, sum0},
      [&](OpBuilder &, Location, Value ks, ValueRange iter) {
        Value tk = t.min(tileKV, t.sub(range.hi, ks));
        // One online-softmax step on keys [ks, ks + tk); `full`: the mask
        // allows the whole block (null: it may not).
        auto stepOn = [&](Value full) -> SmallVector<Value> {
          Value kTile = t.slice4(k, b, hk, ks, tk);
          Value vTile = t.collapse2(t.slice4(v, b, hk, ks, tk));
          // Scores in f32 whatever the input type: the online softmax runs
          // in f32.
          auto scoresType = RankedTensorType::get(
              {1, 1, ShapedType::kDynamic, ShapedType::kDynamic},
              rewriter.getF32Type());
          Value s = t.collapse2(ScoresOp::create(rewriter, loc, scoresType,
                                                 qTile, kTile, scale));
          if (ScoreModAttrInterface scoreMod = op.getScoreModAttr())
            s = mapTile(
                t, s, b, h, qs, ks, shift,
                [&](OpBuilder &nb, Location nl, const MaskSite &site, Value x) {
                  return buildScoreModAt(nb, nl, scoreMod, site, headsQ, x);
                });
          auto maskIt = [&]() {
            Value negInf = t.f32(-std::numeric_limits<double>::infinity());
            return mapTile(
                t, s, b, h, qs, ks, shift,
                [&](OpBuilder &nb, Location nl, const MaskSite &site, Value x) {
                  return buildMaskSelect(nb, nl, mask, site, op.getTables(), x,
                                         negInf);
                });
          };
          if (mask && matchPattern(full, m_Zero())) {
            s = maskIt(); // never full: every block
          } else if (mask) {
            auto branch = scf::IfOp::create(
                rewriter, loc, full,
                [&](OpBuilder &, Location) {
                  scf::YieldOp::create(rewriter, loc, s);
                },
                [&](OpBuilder &, Location) {
                  scf::YieldOp::create(rewriter, loc, maskIt());
                });
            s = branch.getResult(0);
          }
          auto step = OnlineSoftmaxOp::create(
              rewriter, loc, iter[0].getType(), iter[1].getType(),
              iter[2].getType(), s, vTile, iter[0], iter[1], iter[2]);
          return SmallVector<Value>(step.getResults());
        };
        if (!mask) {
          scf::YieldOp::create(rewriter, loc, stepOn(Value()));
          return;
        }
        // The mask's class of the block: skip it when the mask allows none
        // of it, mask it only when it does not allow all of it.
        Value posLo = t.add(qs, shift);
        SmallVector<Value> tableList(op.getTables());
        ArrayRef<Value> tables = tableList;
        std::pair<Value, Value> blockClass = mask.buildBlockClass(
            rewriter, loc,
            {posLo, t.add(posLo, tq), ks, t.add(ks, tk), shift, b, h}, tables);
        Value empty = blockClass.first, full = blockClass.second;
        if (matchPattern(empty, m_Zero())) {
          scf::YieldOp::create(rewriter, loc, stepOn(full));
          return;
        }
        auto branch = scf::IfOp::create(
            rewriter, loc, empty,
            [&](OpBuilder &, Location) {
              scf::YieldOp::create(rewriter, loc, iter);
            },
            [&](OpBuilder &, Location) {
              scf::YieldOp::create(rewriter, loc, stepOn(full));
            });
        scf::YieldOp::create(rewriter, loc, branch.getResults());
      });
  Value acc = loop.getResult(0), max = loop.getResult(1),
        sum = loop.getResult(2);

  // Epilogue: O = acc / l (0 where l = 0), LSE = m + log l.
  AffineMap tile = AffineMap::getMultiDimIdentityMap(2, rewriter.getContext());
  AffineMap rows = AffineMap::get(2, 0, rewriter.getAffineDimExpr(0),
                                  rewriter.getContext());
  Value outInit =
      tensor::EmptyOp::create(rewriter, loc, ArrayRef<OpFoldResult>{tq, vDim},
                              elementType);
  Value outTile =
      linalg::GenericOp::create(
          rewriter, loc, TypeRange{outInit.getType()}, ValueRange{acc, sum},
          ValueRange{outInit}, ArrayRef<AffineMap>{tile, rows, tile},
          ArrayRef<IteratorType>{IteratorType::parallel, IteratorType::parallel},
          [&](OpBuilder &nb, Location nl, ValueRange args) {
            Value zero = arith::ConstantOp::create(nb, nl, nb.getF32FloatAttr(0));
            Value empty = arith::CmpFOp::create(
                nb, nl, arith::CmpFPredicate::OEQ, args[1], zero);
            Value ratio = arith::DivFOp::create(nb, nl, args[0], args[1]);
            Value o = arith::SelectOp::create(nb, nl, empty, zero, ratio);
            if (!elementType.isF32())
              o = arith::TruncFOp::create(nb, nl, elementType, o);
            linalg::YieldOp::create(nb, nl, o);
          })
          .getResult(0);

  rewriter.setInsertionPointToEnd(forall.getTerminator().getBody());
  SmallVector<OpFoldResult> one4(4, rewriter.getIndexAttr(1));
  tensor::ParallelInsertSliceOp::create(
      rewriter, loc, outTile, forall.getRegionIterArgs()[0],
      ArrayRef<OpFoldResult>{b, h, qs, rewriter.getIndexAttr(0)},
      ArrayRef<OpFoldResult>{rewriter.getIndexAttr(1), rewriter.getIndexAttr(1),
                             tq, vDim},
      one4);
  if (op.getLse()) {
    rewriter.setInsertionPoint(forall.getTerminator());
    AffineMap id1 = AffineMap::getMultiDimIdentityMap(1, rewriter.getContext());
    Value lseInit = tensor::EmptyOp::create(
        rewriter, loc, ArrayRef<OpFoldResult>{tq}, rewriter.getF32Type());
    Value lseTile =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{lseInit.getType()}, ValueRange{max, sum},
            ValueRange{lseInit}, ArrayRef<AffineMap>{id1, id1, id1},
            ArrayRef<IteratorType>{IteratorType::parallel},
            [&](OpBuilder &nb, Location nl, ValueRange args) {
              Value logSum = math::LogOp::create(nb, nl, args[1]);
              linalg::YieldOp::create(
                  nb, nl, ValueRange{arith::AddFOp::create(nb, nl, args[0], logSum)});
            })
            .getResult(0);
    rewriter.setInsertionPointToEnd(forall.getTerminator().getBody());
    SmallVector<OpFoldResult> one3(3, rewriter.getIndexAttr(1));
    tensor::ParallelInsertSliceOp::create(
        rewriter, loc, lseTile, forall.getRegionIterArgs()[1],
        ArrayRef<OpFoldResult>{b, h, qs},
        ArrayRef<OpFoldResult>{rewriter.getIndexAttr(1),
                               rewriter.getIndexAttr(1), tq},
        one3);
  }

  replaceOpWithCasts(rewriter, op, forall.getResults());
  return forall;
}

namespace {
struct AttnTileFlash : attn::impl::AttnTileFlashBase<AttnTileFlash> {
  using Base::Base;

  /// The options, checked where they are parsed.
  LogicalResult initializeOptions(
      StringRef options,
      function_ref<LogicalResult(const Twine &)> errorHandler) override {
    if (failed(Pass::initializeOptions(options, errorHandler)))
      return failure();
    return verifyFlashTileSizes({tileQ, tileKV}, [&](const Twine &why) {
      return errorHandler("attn-tile-flash: " + why);
    });
  }

  void runOnOperation() override {
    FlashTileSizes sizes{tileQ, tileKV};
    // Created from C++, the options were not parsed: check them here.
    if (failed(verifyFlashTileSizes(sizes, [&](const Twine &why) {
          return getOperation()->emitError("attn-tile-flash: " + why);
        })))
      return signalPassFailure();
    SmallVector<SdpaOp> ops;
    getOperation()->walk([&](SdpaOp op) { ops.push_back(op); });
    IRRewriter rewriter(&getContext());
    for (SdpaOp op : ops)
      if (failed(tileSdpaFlash(rewriter, op, sizes)))
        return signalPassFailure();
  }
};
} // namespace
