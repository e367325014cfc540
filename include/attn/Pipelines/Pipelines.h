//===- Pipelines.h - attn pass pipelines ------------------------*- C++ -*-===//

#ifndef ATTN_PIPELINES_PIPELINES_H
#define ATTN_PIPELINES_PIPELINES_H

#include "attn/Conversion/AttnToCPU/AttnToCPU.h"
#include "attn/Conversion/AttnToGPU/AttnToGPU.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

namespace mlir::attn {

/// How pipeline options report what is wrong with them (see each options
/// struct's `verify`): the pipeline's name is prefixed to the message.
using OptionErrorFn = function_ref<LogicalResult(const Twine &)>;

/// Options of `attn-reference-to-llvm`.
struct ReferenceToLLVMOptions
    : public PassPipelineOptions<ReferenceToLLVMOptions> {
  LogicalResult verify(OptionErrorFn) const { return success(); }
};

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
  /// The tile sizes are 1 to kMaxFlashTile.
  LogicalResult verify(OptionErrorFn error) const;
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
      llvm::cl::desc("Query rows per task: 32, 48, 64, 80, 96 or 192"),
      llvm::cl::init(kDefaultRowsPerTask)};
  /// verifyCPUTiling's checks.
  LogicalResult verify(OptionErrorFn error) const;
};

/// attn.sdpa functions → vectorised CPU flash kernels (convert-attn-to-cpu,
/// task-range ABI for attnrt) → LLVM dialect.
void buildCPUPipeline(OpPassManager &pm, const CPUPipelineOptions &options);

/// What a gpu.binary of the GPU pipeline may hold.
inline constexpr llvm::StringLiteral kGPUFormats[] = {"isa", "bin", "fatbin"};

/// Options of `attn-to-nvvm-pipeline`.
struct GPUPipelineOptions : public PassPipelineOptions<GPUPipelineOptions> {
  PassOptions::Option<std::string> chip{
      *this, "chip",
      llvm::cl::desc("The GPU: sm_80 (Ampere and later) or sm_90a (Hopper)"),
      llvm::cl::init("sm_80")};
  PassOptions::Option<std::string> format{
      *this, "format",
      llvm::cl::desc("What gpu.binary holds: isa (PTX), bin (cubin, runs "
                     "ptxas) or fatbin"),
      llvm::cl::init("isa")};
  PassOptions::Option<bool> wgmma{
      *this, "wgmma",
      llvm::cl::desc("On sm_90a, the warp-specialised wgmma + TMA kernel for "
                     "head dims that are multiples of 64; false: mma.sync"),
      llvm::cl::init(true)};
  PassOptions::Option<std::string> schedule{
      *this, "schedule",
      llvm::cl::desc("An #attn.gpu_schedule for every attn.sdpa that carries "
                     "none (empty: chosen by chip and head dims)"),
      llvm::cl::init("")};
  /// The chip is one of kGPUChips and the format one of kGPUFormats (the
  /// schedule is parsed and verified by attn-select-gpu-schedule).
  LogicalResult verify(OptionErrorFn error) const;
};

/// attn.sdpa functions → tensor-core flash kernels in a gpu.module
/// (convert-attn-to-gpu) → NVVM → gpu.binary, through upstream's
/// gpu-lower-to-nvvm-pipeline. Host code is the runtime's business (attnrt).
void buildGPUPipeline(OpPassManager &pm, const GPUPipelineOptions &options);

/// The first half of buildGPUPipeline: attn-select-gpu-schedule, then
/// convert-attn-to-gpu (the kernels carry their schedule and launch
/// geometry as attributes).
void buildGPUKernelsPipeline(OpPassManager &pm,
                             const GPUPipelineOptions &options);

/// The second half of buildGPUPipeline: gpu.module kernels (what
/// convert-attn-to-gpu writes) → NVVM → gpu.binary.
void buildGPUKernelsToBinaryPipeline(OpPassManager &pm,
                                     const GPUPipelineOptions &options);

/// Registers every attn pipeline with the global registry.
void registerAttnPipelines();

} // namespace mlir::attn

#endif // ATTN_PIPELINES_PIPELINES_H
