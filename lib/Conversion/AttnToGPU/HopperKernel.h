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

/// The shape of a Hopper kernel: `consumers` warpgroups of 64 query rows
/// beside one producer warpgroup, K/V tiles of `tileKV` keys in a ring of
/// `stages`, and the registers setmaxnreg gives each role.
struct HopperSchedule {
  int64_t consumers, tileKV, stages;
  int32_t producerRegisters, consumerRegisters;
  int64_t tileQ() const { return 64 * consumers; }
  int64_t threads() const { return 128 * (consumers + 1); }
};

/// The schedule for head dims d, d_v, or none when the kernel does not
/// take them (they must be multiples of 64 up to 256: whole 128-byte
/// swizzled rows).
std::optional<HopperSchedule> getHopperSchedule(int64_t d, int64_t dv);

/// Writes the kernel of `func` (matched by the caller into `spec`) into
/// `module` as an `llvm.func` with the `nvvm.kernel` attribute: its
/// parameters are the memref descriptors of q, k, v, o (and lse), expanded
/// field by field as a gpu.func's are, then the tensor maps of q, k and v
/// (128-byte, 64-byte aligned `__grid_constant__` parameters, which a
/// gpu.func cannot declare). Fails if the tiles exceed shared memory.
LogicalResult buildHopperKernel(func::FuncOp func, gpu::GPUModuleOp module,
                                const KernelSpec &spec,
                                const HopperSchedule &schedule);

} // namespace mlir::attn::gpu_kernel

#endif // ATTN_LIB_CONVERSION_ATTNTOGPU_HOPPERKERNEL_H
