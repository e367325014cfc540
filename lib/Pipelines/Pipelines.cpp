//===- Pipelines.cpp - attn pass pipelines --------------------------------===//

#include "attn/Pipelines/Pipelines.h"
#include "attn/Conversion/AttnToGPU/AttnToGPU.h"
#include "attn/Conversion/Passes.h"
#include "attn/Dialect/Attn/Transforms/Passes.h"
#include "attn/Dialect/Attn/Transforms/Transforms.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/Pipelines/Passes.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/CommandLine.h"

using namespace mlir;
using namespace mlir::attn;

/// scf loops, memrefs, vectors, math and arith → LLVM dialect, with no
/// runtime calls: polynomial math, integer bf16 conversions.
static void buildLoopsToLLVM(OpPassManager &pm) {
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createAttnExpandMath());
  // bf16 conversions as integer arithmetic: no compiler-rt calls
  // (__truncsfbf2) in the generated code.
  arith::ArithExpandOpsPassOptions expand;
  expand.includeBf16 = true;
  pm.addPass(arith::createArithExpandOpsPass(expand));
  pm.addPass(createConvertVectorToLLVMPass());
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createUBToLLVMConversionPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
}

/// linalg on tensors (what convert-attn-to-linalg leaves) → LLVM dialect:
/// bufferize, loops, polynomial math, LLVM.
static void buildLinalgToLLVM(OpPassManager &pm) {
  pm.addPass(createCanonicalizerPass());

  // Tensors → buffers. Results of public functions become out-parameters so
  // that callers own every buffer (each its own: see attn-distinct-results).
  pm.addPass(createAttnDistinctResults());
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.allowReturnAllocsFromLoops = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  bufferization::BufferResultsToOutParamsPassOptions outParams;
  outParams.hoistStaticAllocs = true;
  outParams.modifyPublicFunctions = true;
  pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
  bufferization::BufferDeallocationPipelineOptions dealloc;
  bufferization::buildBufferDeallocationPipeline(pm, dealloc);

  // Loops → LLVM. scf.forall (the tiles of attn-tile-flash) runs
  // sequentially for now.
  pm.addPass(createForallToForLoopPass());
  pm.addPass(createAttnLowerCopies());
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  buildLoopsToLLVM(pm);
}

void mlir::attn::buildReferenceToLLVMPipeline(
    OpPassManager &pm, const ReferenceToLLVMOptions &) {
  pm.addPass(createConvertAttnToLinalg());
  buildLinalgToLLVM(pm);
}

void mlir::attn::buildFlashToLLVMPipeline(OpPassManager &pm,
                                          const FlashToLLVMOptions &options) {
  AttnTileFlashOptions tile;
  tile.tileQ = options.tileQ;
  tile.tileKV = options.tileKV;
  pm.addPass(createAttnTileFlash(tile));
  pm.addPass(createAttnReassociateLinear());
  pm.addPass(createConvertAttnToLinalg());
  buildLinalgToLLVM(pm);
}

void mlir::attn::buildCPUPipeline(OpPassManager &pm,
                                  const CPUPipelineOptions &options) {
  ConvertAttnToCPUOptions cpu;
  cpu.tileKV = options.tileKV;
  cpu.rowsPerTask = options.rowsPerTask;
  pm.addPass(createConvertAttnToCPU(cpu));
  pm.addPass(createCanonicalizerPass());
  buildLoopsToLLVM(pm);
}

/// 32-bit shared-memory pointers in the NVPTX backend (`-nvptx-short-ptr`):
/// an ldmatrix or cp.async address then takes one register instead of two,
/// which is what keeps the d = 128 kernels within 255 registers. The
/// backend reads it only as a command-line option.
static void useShortSharedPointers() {
  auto &options = llvm::cl::getRegisteredOptions();
  auto it = options.find("nvptx-short-ptr");
  if (it != options.end() && it->second->getNumOccurrences() == 0)
    it->second->addOccurrence(0, "nvptx-short-ptr", "true");
}

void mlir::attn::buildGPUKernelsToBinaryPipeline(
    OpPassManager &pm, const GPUPipelineOptions &options) {
  useShortSharedPointers();
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  gpu::GPUToNVVMPipelineOptions nvvm;
  nvvm.cubinChip = options.chip;
  nvvm.cubinFeatures = "+ptx80";
  nvvm.cubinFormat = options.format;
  nvvm.optLevel = 3;
  gpu::buildLowerToNVVMPassPipeline(pm, nvvm);
}

void mlir::attn::buildGPUKernelsPipeline(OpPassManager &pm,
                                         const GPUPipelineOptions &options) {
  AttnSelectGPUScheduleOptions select;
  select.chip = options.chip;
  select.wgmma = options.wgmma;
  select.schedule = options.schedule;
  pm.addPass(createAttnSelectGPUSchedule(select));
  pm.addPass(createConvertAttnToGPU());
}

void mlir::attn::buildGPUPipeline(OpPassManager &pm,
                                  const GPUPipelineOptions &options) {
  buildGPUKernelsPipeline(pm, options);
  buildGPUKernelsToBinaryPipeline(pm, options);
}

//===----------------------------------------------------------------------===//
// Options
//===----------------------------------------------------------------------===//

LogicalResult FlashToLLVMOptions::verify(OptionErrorFn error) const {
  return verifyFlashTileSizes({tileQ, tileKV}, error);
}

LogicalResult CPUPipelineOptions::verify(OptionErrorFn error) const {
  return verifyCPUTiling(tileKV, rowsPerTask, error);
}

/// "a, b or c" of `values`.
static std::string alternatives(ArrayRef<llvm::StringLiteral> values) {
  std::string text;
  for (auto [i, value] : llvm::enumerate(values))
    text += (i == 0                   ? ""
             : i + 1 == values.size() ? " or "
                                      : ", ") +
            value.str();
  return text;
}

LogicalResult GPUPipelineOptions::verify(OptionErrorFn error) const {
  if (!llvm::is_contained(kGPUChips, chip.getValue()))
    return error("chip='" + chip + "': expected " + alternatives(kGPUChips));
  if (!llvm::is_contained(kGPUFormats, format.getValue()))
    return error("format='" + format + "': expected " +
                 alternatives(kGPUFormats) + " (PTX, cubin, both)");
  return success();
}

/// Registers the pipeline `arg` built by `build` from `Options`, whose
/// `verify` runs where the options are parsed: a bad option is an error
/// naming it before any IR is touched.
template <typename Options>
static void registerVerifiedPipeline(StringRef arg, StringRef description,
                                     void (*build)(OpPassManager &,
                                                   const Options &)) {
  std::string name = arg.str();
  registerPassPipeline(
      arg, description,
      [build, name](OpPassManager &pm, StringRef text,
                    function_ref<LogicalResult(const Twine &)> errorHandler) {
        Options options;
        if (failed(options.parseFromString(text)))
          return failure();
        if (failed(options.verify([&](const Twine &why) {
              return errorHandler(name + ": " + why);
            })))
          return failure();
        build(pm, options);
        return success();
      },
      [](function_ref<void(const mlir::detail::PassOptions &)> optHandler) {
        optHandler(Options());
      });
}

void mlir::attn::registerAttnPipelines() {
  registerVerifiedPipeline<GPUPipelineOptions>(
      "attn-to-nvvm-pipeline",
      "Lower attn.sdpa functions to tensor-core GPU flash kernels "
      "(convert-attn-to-gpu) and on to a gpu.binary of PTX or cubin for "
      "NVIDIA sm_80 / sm_90a, for attnrt to launch",
      buildGPUPipeline);
  registerVerifiedPipeline<FlashToLLVMOptions>(
      "attn-flash-to-llvm",
      "Lower attn through the portable flash form (attn-tile-flash and "
      "attn-reassociate-linear, then the naive lowering of the tiles) to the "
      "LLVM dialect: O(N) memory, any mask and element type; scalar loops, "
      "one thread",
      buildFlashToLLVMPipeline);
  registerVerifiedPipeline<CPUPipelineOptions>(
      "attn-to-cpu-pipeline",
      "Lower attn.sdpa functions to vectorised CPU flash kernels "
      "(convert-attn-to-cpu) in the LLVM dialect, for attnrt to run",
      buildCPUPipeline);
  registerVerifiedPipeline<ReferenceToLLVMOptions>(
      "attn-reference-to-llvm",
      "Lower attn through the naive (materialising) linalg reference to the "
      "LLVM dialect for the CPU",
      buildReferenceToLLVMPipeline);
}
