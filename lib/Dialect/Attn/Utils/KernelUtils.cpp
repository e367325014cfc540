//===- KernelUtils.cpp - the function form kernel lowerings take ----------===//

#include "attn/Dialect/Attn/Utils/KernelUtils.h"

using namespace mlir;
using namespace mlir::attn;

FailureOr<SdpaOp> mlir::attn::matchKernelFunction(func::FuncOp func,
                                                  StringRef pass) {
  Block &body = func.getBody().front();
  auto sdpa = body.empty() ? SdpaOp() : dyn_cast<SdpaOp>(body.front());
  auto ret =
      sdpa ? dyn_cast<func::ReturnOp>(sdpa->getNextNode()) : func::ReturnOp();
  if (!sdpa || !ret || ret.getOperands() != sdpa->getResults() ||
      func.getNumArguments() != 3 || sdpa.getQuery() != body.getArgument(0) ||
      sdpa.getKey() != body.getArgument(1) ||
      sdpa.getValue() != body.getArgument(2))
    return func.emitError()
           << pass
           << ": expects a function (q, k, v) whose body is one attn.sdpa of "
              "its arguments, returned as is (the form attn-kernelgen writes)";
  return sdpa;
}
