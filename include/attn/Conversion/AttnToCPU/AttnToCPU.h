//===- AttnToCPU.h - attn.sdpa as a vectorised CPU kernel -------*- C++ -*-===//

#ifndef ATTN_CONVERSION_ATTNTOCPU_ATTNTOCPU_H
#define ATTN_CONVERSION_ATTNTOCPU_ATTNTOCPU_H

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace mlir::attn {

/// Query rows per task by default: two register-block groups of 96 that share
/// each packed V tile (the pass, its pipeline and attn-kernelgen all use it).
constexpr int64_t kDefaultRowsPerTask = 192;

/// Rewrites `func` — (q, k, v) tensors whose body is one attn.sdpa of them,
/// returned as is — into the CPU kernel ABI:
///
///   func @f(q, k, v, o[, lse]: strided memrefs, begin, end: index)
///
/// computing tasks [begin, end) of B · H_q · ⌈N_q / rowsPerTask⌉ (batch,
/// head, query block) with vector<16xf32> code; rowsPerTask is 32, 48, 64,
/// 80, 96 or 192. Emits a diagnostic and fails on what it does not support
/// (non-f32, dynamic head dim, masks other than causal/window bands, d_v not a
/// multiple of 8).
LogicalResult convertSdpaFunctionToCPUKernel(func::FuncOp func,
                                             int64_t tileKV,
                                             int64_t rowsPerTask);

} // namespace mlir::attn

#endif // ATTN_CONVERSION_ATTNTOCPU_ATTNTOCPU_H
