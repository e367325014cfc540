//===- ApproximateSoftmax.cpp - attn.sdpa as FAVOR+ linear attention ------===//
//
// Performer (Choromanski et al., "Rethinking Attention with Performers"):
// exp(qᵀk/√d) = E_ω[φ(q)ᵀφ(k)] with φ(x)_r = m^(−1/2)·exp(ω_rᵀx̂ − ‖x̂‖²/2),
// x̂ = x·d^(−1/4), ω_r ~ N(0, I). Orthogonal ω_r (blocks of d orthogonal
// directions with Gaussian lengths) keep the estimator unbiased and lower
// its variance. Softmax attention becomes attn.linear favor_plus, which
// attn-reassociate-linear computes in O(N).
//
//===----------------------------------------------------------------------===//

#include "attn/Dialect/Attn/Transforms/Passes.h"
#include "attn/Dialect/Attn/Transforms/Transforms.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinAttributes.h"

#include <cmath>
#include <random>

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNAPPROXIMATESOFTMAX
#include "attn/Dialect/Attn/Transforms/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

/// The largest feature count the pass accepts (the projection is a constant
/// of d·m floats).
static constexpr int64_t kMaxFeatures = 65536;
/// Bounds on the constant: d·m floats, d³ work per block of d features.
static constexpr int64_t kMaxHeadDim = 1024;
static constexpr int64_t kMaxProjection = int64_t(1) << 24;

std::vector<float> mlir::attn::orthogonalRandomFeatures(int64_t d, int64_t m,
                                                        uint64_t seed) {
  // A standard normal from the bits of mt19937_64 by Box–Muller: the same
  // numbers with every C++ library (std::normal_distribution is not).
  std::mt19937_64 rng(seed);
  auto uniform = [&] { return (static_cast<double>(rng() >> 11) + 0.5) * 0x1p-53; };
  auto normal = [&] {
    return std::sqrt(-2.0 * std::log(uniform())) *
           std::cos(2.0 * M_PI * uniform());
  };
  std::vector<float> omega(d * m);
  std::vector<double> block(d * d);
  for (int64_t first = 0; first < m; first += d) {
    // d Gaussian rows made orthonormal by modified Gram–Schmidt.
    for (double &x : block)
      x = normal();
    for (int64_t r = 0; r < d; ++r) {
      double *row = &block[r * d];
      for (int64_t p = 0; p < r; ++p) {
        const double *prev = &block[p * d];
        double dot = 0.0;
        for (int64_t c = 0; c < d; ++c)
          dot += row[c] * prev[c];
        for (int64_t c = 0; c < d; ++c)
          row[c] -= dot * prev[c];
      }
      double norm = 0.0;
      for (int64_t c = 0; c < d; ++c)
        norm += row[c] * row[c];
      norm = std::sqrt(norm);
      for (int64_t c = 0; c < d; ++c)
        row[c] /= norm;
    }
    // Each direction gets the length of a d-dimensional Gaussian vector.
    for (int64_t r = 0; r < d && first + r < m; ++r) {
      double length = 0.0;
      for (int64_t c = 0; c < d; ++c) {
        double g = normal();
        length += g * g;
      }
      length = std::sqrt(length);
      for (int64_t c = 0; c < d; ++c)
        omega[c * m + first + r] = static_cast<float>(block[r * d + c] * length);
    }
  }
  return omega;
}

FailureOr<LinearOp> mlir::attn::approximateSoftmax(RewriterBase &rewriter,
                                                   SdpaOp op,
                                                   int64_t numFeatures,
                                                   uint64_t seed) {
  auto skip = [&](const Twine &why) {
    op.emitRemark("attn-approximate-softmax: left exact: ") << why;
    return failure();
  };
  if (op.getLse())
    return skip("the LSE has no linear-attention form");
  if (op.getKvSplitAttr())
    return skip("a kv_split part is not a whole softmax");
  if (op.getScoreModAttr())
    return skip("a score_mod has no linear-attention form");
  MaskAttrInterface mask = op.getMaskAttr();
  if (mask && !isa<CausalMaskAttr>(mask))
    return skip("only causal masks have a linear form");
  int64_t d = cast<RankedTensorType>(op.getQuery().getType()).getDimSize(3);
  if (ShapedType::isDynamic(d))
    return skip("the head dim is dynamic (the projection is a constant)");
  if (d < 1 || d > kMaxHeadDim || d * numFeatures > kMaxProjection)
    return skip("the projection would be " + Twine(d) + " x " +
                Twine(numFeatures) + ": expected 1 <= d <= " +
                Twine(kMaxHeadDim) + " and at most " + Twine(kMaxProjection) +
                " floats");
  if (std::optional<APFloat> scale = op.getScale()) {
    double want = 1.0 / std::sqrt(static_cast<double>(d));
    if (std::fabs(scale->convertToDouble() - want) > 1e-6 * want)
      return skip("FAVOR+ estimates exp(qᵀk/√d): the scale is not 1/√d");
  }
  // The projection has the inputs' element type (attn.feature_map's c3).
  std::vector<float> omega = orthogonalRandomFeatures(d, numFeatures, seed);
  auto elementType = cast<FloatType>(
      cast<RankedTensorType>(op.getQuery().getType()).getElementType());
  auto f32Omega = DenseElementsAttr::get(
      RankedTensorType::get({d, numFeatures}, rewriter.getF32Type()),
      ArrayRef<float>(omega));
  DenseElementsAttr omegaAttr = f32Omega.mapValues(
      elementType, [&](const APFloat &x) {
        APFloat rounded = x;
        bool lost;
        rounded.convert(elementType.getFloatSemantics(),
                        APFloat::rmNearestTiesToEven, &lost);
        return rounded.bitcastToAPInt();
      });
  rewriter.setInsertionPoint(op);
  Value projection =
      arith::ConstantOp::create(rewriter, op.getLoc(), omegaAttr.getType(),
                                omegaAttr);
  auto linear = LinearOp::create(
      rewriter, op.getLoc(), op.getOutput().getType(),
      FeatureMapKindAttr::get(op.getContext(), FeatureMapKind::FavorPlus),
      op.getQuery(), op.getKey(), op.getValue(), projection,
      mask ? rewriter.getUnitAttr() : UnitAttr(), rewriter.getF32FloatAttr(0.0));
  op.emitRemark() << "attn-approximate-softmax: approximated by FAVOR+ ("
                  << numFeatures << " features, seed " << seed
                  << "): the result is approximate";
  rewriter.replaceOp(op, linear.getOutput());
  return linear;
}

namespace {
struct AttnApproximateSoftmax
    : attn::impl::AttnApproximateSoftmaxBase<AttnApproximateSoftmax> {
  using Base::Base;

  LogicalResult checkFeatures(function_ref<LogicalResult(const Twine &)> error) {
    if (numFeatures < 1 || numFeatures > kMaxFeatures)
      return error("attn-approximate-softmax: num-features=" +
                   Twine(numFeatures) + ": expected 1 to " + Twine(kMaxFeatures));
    return success();
  }

  LogicalResult initializeOptions(
      StringRef options,
      function_ref<LogicalResult(const Twine &)> errorHandler) override {
    if (failed(Pass::initializeOptions(options, errorHandler)))
      return failure();
    return checkFeatures(errorHandler);
  }

  void runOnOperation() override {
    if (failed(checkFeatures([&](const Twine &why) {
          return getOperation()->emitError(why);
        })))
      return signalPassFailure();
    SmallVector<SdpaOp> ops;
    getOperation()->walk([&](SdpaOp op) { ops.push_back(op); });
    IRRewriter rewriter(&getContext());
    for (SdpaOp op : ops)
      (void)approximateSoftmax(rewriter, op, numFeatures, seed);
  }
};
} // namespace
