//===- Pipelines.h - attn pass pipelines ------------------------*- C++ -*-===//

#ifndef ATTN_PIPELINES_PIPELINES_H
#define ATTN_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

namespace mlir::attn {

/// Options of `attn-reference-to-llvm`.
struct ReferenceToLLVMOptions
    : public PassPipelineOptions<ReferenceToLLVMOptions> {};

/// attn (any level) → naive linalg → bufferized loops → LLVM dialect, for the
/// CPU. Public functions take their results as trailing out-parameters
/// (memrefs); add `llvm.emit_c_interface` to a function for a C-callable
/// `_mlir_ciface_` wrapper.
void buildReferenceToLLVMPipeline(OpPassManager &pm,
                                  const ReferenceToLLVMOptions &options);

/// Registers every attn pipeline with the global registry.
void registerAttnPipelines();

} // namespace mlir::attn

#endif // ATTN_PIPELINES_PIPELINES_H
