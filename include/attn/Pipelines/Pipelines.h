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

/// Options of `attn-flash-to-llvm`.
struct FlashToLLVMOptions : public PassPipelineOptions<FlashToLLVMOptions> {
  PassOptions::Option<int64_t> tileQ{*this, "tile-q",
                                     llvm::cl::desc("Query rows per block"),
                                     llvm::cl::init(64)};
  PassOptions::Option<int64_t> tileKV{*this, "tile-kv",
                                      llvm::cl::desc("Keys per block"),
                                      llvm::cl::init(64)};
};

/// attn.sdpa → portable flash form (attn-tile-flash) → linalg on tiles →
/// loops → LLVM dialect. O(N) memory, every mask and element type; scalar
/// loops, one thread. Functions keep the tensor calling convention of
/// `attn-reference-to-llvm`.
void buildFlashToLLVMPipeline(OpPassManager &pm,
                              const FlashToLLVMOptions &options);

/// Options of `attn-to-cpu-pipeline`.
struct CPUPipelineOptions : public PassPipelineOptions<CPUPipelineOptions> {
  PassOptions::Option<int64_t> tileKV{
      *this, "tile-kv", llvm::cl::desc("Keys per step (a multiple of 8)"),
      llvm::cl::init(64)};
  PassOptions::Option<int64_t> rowsPerTask{
      *this, "rows-per-task",
      llvm::cl::desc("Query rows per task: 32, 48, 64, 80 or 96"),
      llvm::cl::init(96)};
};

/// attn.sdpa functions → vectorised CPU flash kernels (convert-attn-to-cpu,
/// task-range ABI for attnrt) → LLVM dialect.
void buildCPUPipeline(OpPassManager &pm, const CPUPipelineOptions &options);

/// Registers every attn pipeline with the global registry.
void registerAttnPipelines();

} // namespace mlir::attn

#endif // ATTN_PIPELINES_PIPELINES_H
