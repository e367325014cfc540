//===- Reference.h - float64 reference semantics of attn --------*- C++ -*-===//
//
// A float64 evaluator of the attn dialect, written straight from the op
// definitions (loops over rows, no tiling, no MLIR lowering). It is the oracle
// the compiled kernels are checked against: `attn-check` runs a kernel built
// from an MLIR function and compares it with `evaluate` on the same function.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_REFERENCE_REFERENCE_H
#define ATTN_REFERENCE_REFERENCE_H

#include "attn/Dialect/Attn/IR/AttnAttrs.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <vector>

namespace mlir::attn::reference {

/// A dense row-major tensor of doubles (integer tables are stored as doubles
/// too; their values are small).
struct Tensor {
  SmallVector<int64_t> shape;
  std::vector<double> data;

  Tensor() = default;
  explicit Tensor(ArrayRef<int64_t> shape, double fill = 0.0);
  int64_t size() const { return static_cast<int64_t>(data.size()); }
  /// Element at a full index.
  double &at(ArrayRef<int64_t> index);
  double at(ArrayRef<int64_t> index) const;
};

/// Whether `mask` allows query `i` to see key `j` (batch `b`, query head
/// `h`) in an `nq × nk` score matrix (MaskAttrInterface::isAllowed);
/// `tables` are the mask's run-time tables in operand order.
bool isAllowed(MaskAttrInterface mask, int64_t b, int64_t h, int64_t i,
               int64_t j, int64_t nq, int64_t nk,
               ArrayRef<const Tensor *> tables);

/// What an attn.sdpa computes besides its tensors.
struct SdpaParams {
  double scale;
  MaskAttrInterface mask;          // null: none
  ArrayRef<const Tensor *> tables; // the mask's, in operand order
  ScoreModAttrInterface scoreMod;  // null: none; before the mask
  int64_t split = 0, splits = 1;   // attend split `split` of `splits` keys
};

/// Exact attention in float64: O and (if `lse` is non-null) the row LSE.
Tensor sdpa(const Tensor &q, const Tensor &k, const Tensor &v,
            const SdpaParams &params, Tensor *lse = nullptr);

/// attn.merge: the parts' (O, LSE) combined by their LSEs; the merged LSE
/// into `lse`.
Tensor merge(ArrayRef<const Tensor *> outputs, ArrayRef<const Tensor *> lses,
             Tensor &lse);

/// φ(x) for each row of a [B, H, N, d] tensor; FAVOR+'s exponents drop
/// `shift` ([B, H, N]) where one is given.
Tensor featureMap(FeatureMapKind kind, const Tensor &x,
                  const Tensor *projection, const Tensor *shift = nullptr);

/// The largest FAVOR+ exponent of each row (attn.favor_max): [B, H, N].
Tensor favorMax(const Tensor &x, const Tensor &projection);

/// Kernelized attention by its quadratic definition (FAVOR+ max-stabilised
/// as attn.linear defines it), in float64.
Tensor linear(FeatureMapKind kind, const Tensor &q, const Tensor &k,
              const Tensor &v, const Tensor *projection, bool causal,
              double eps);

/// Evaluates `func` (attn ops, arith.constant, func.return) on `args`.
/// Emits a diagnostic and fails on an op it does not know.
FailureOr<SmallVector<Tensor>> evaluate(func::FuncOp func,
                                        ArrayRef<Tensor> args);

} // namespace mlir::attn::reference

#endif // ATTN_REFERENCE_REFERENCE_H
