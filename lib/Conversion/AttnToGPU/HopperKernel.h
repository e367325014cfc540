//===- HopperKernel.h - attn.sdpa as a wgmma + TMA kernel -------*- C++ -*-===//
//
// The sm_90a flash kernel: warp-specialised, one producer warpgroup issuing
// TMA loads of Q and a ring of K/V stages (mbarriers), consumer warpgroups of
// 64 query rows each running S = Q·Kᵀ and O += P·V on wgmma with P kept in
// registers. Private to lib/Conversion/AttnToGPU.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_LIB_CONVERSION_ATTNTOGPU_HOPPERKERNEL_H
#define ATTN_LIB_CONVERSION_ATTNTOGPU_HOPPERKERNEL_H

#include "KernelBuilder.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <optional>

namespace mlir::attn::gpu_kernel {

/// Whether the kernel takes head dims d, d_v: multiples of 64 up to 256
/// (whole 128-byte swizzled rows).
bool isHopperHeadDim(int64_t d, int64_t dv);

/// The wgmma schedule for head dims d, d_v (isHopperHeadDim), with a causal
/// mask or not.
GPUScheduleAttr getHopperSchedule(MLIRContext *ctx, int64_t d, int64_t dv,
                                  bool causal);

/// Writes the kernel of `func` (matched by the caller into `spec`) into
/// `module` as an `llvm.func` with the `nvvm.kernel` attribute: its
/// parameters are the memref descriptors of q, k, v, o (and lse), expanded
/// field by field as a gpu.func's are, then the tensor maps of q, k and v
/// (128-byte, 64-byte aligned `__grid_constant__` parameters, which a
/// gpu.func cannot declare). Fails if the tiles exceed shared memory.
LogicalResult buildHopperKernel(func::FuncOp func, gpu::GPUModuleOp module,
                                const KernelSpec &spec,
                                GPUScheduleAttr schedule);

} // namespace mlir::attn::gpu_kernel

#endif // ATTN_LIB_CONVERSION_ATTNTOGPU_HOPPERKERNEL_H
