//===- KernelUtils.h - the function form kernel lowerings take --*- C++ -*-===//

#ifndef ATTN_DIALECT_ATTN_UTILS_KERNELUTILS_H
#define ATTN_DIALECT_ATTN_UTILS_KERNELUTILS_H

#include "attn/Dialect/Attn/IR/AttnOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace mlir::attn {

/// The largest head dim (d or d_v) of any kernel target: the GPU kernels'
/// register and shared-memory budget, and the CPU kernels' scratch, which
/// lives on the calling thread's stack. attn-kernelgen rejects larger ones
/// up front.
constexpr int64_t kMaxKernelHeadDim = 256;

/// The attn.sdpa of a kernel function — (q, k, v) whose body is one attn.sdpa
/// of its arguments, returned as is (the form attn-kernelgen writes) — or,
/// for any other function, a "<pass>: expects a function ..." error on it.
FailureOr<SdpaOp> matchKernelFunction(func::FuncOp func, StringRef pass);

} // namespace mlir::attn

#endif // ATTN_DIALECT_ATTN_UTILS_KERNELUTILS_H
