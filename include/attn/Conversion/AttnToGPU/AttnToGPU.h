//===- AttnToGPU.h - attn.sdpa as a tensor-core GPU kernel ------*- C++ -*-===//

#ifndef ATTN_CONVERSION_ATTNTOGPU_ATTNTOGPU_H
#define ATTN_CONVERSION_ATTNTOGPU_ATTNTOGPU_H

#include "attn/Dialect/Attn/IR/AttnAttrs.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"

namespace mlir::attn {

/// The chips the GPU kernels target: sm_80 (whose cubin runs on every sm_8x
/// GPU and whose PTX the driver compiles for later ones) and sm_90a, the one
/// with wgmma and TMA.
inline constexpr llvm::StringLiteral kGPUChips[] = {"sm_80", "sm_90a"};
inline bool chipHasWgmma(StringRef chip) { return chip == "sm_90a"; }

/// The attribute holding a kernel's #attn.gpu_schedule: on an attn.sdpa, the
/// schedule its kernel must have; on a kernel, the one it was built with.
inline constexpr llvm::StringLiteral kScheduleAttrName = "attn.schedule";

/// The CTA shape of a GPU kernel: `tileQ` query rows shared by `warps` warps
/// (16 or 32 rows each) and `tileKV` keys per copied K/V tile, processed in
/// online-softmax steps of `kvStep` keys (0: the head-dim default when tileKV
/// is 0 too, else the whole tile); `stages` K/V tiles in flight.
struct GPUTiling {
  int64_t tileQ = 128, tileKV = 64, warps = 4, kvStep = 0, stages = 2;
  int64_t rowsPerWarp() const { return tileQ / warps; }
  int64_t threads() const { return 32 * warps; }
};

/// The tiling measured fastest on an H100 for head dims d, d_v (bf16): 128
/// query rows (32 per warp) and steps of 64 keys up to d = 128 (at d = 128
/// ptxas spills a few dozen bytes, and it is still faster than steps of 32
/// keys that spill none); 64 rows (16 per warp) and 32 keys beyond, where
/// the accumulators alone take 128 registers.
GPUTiling getDefaultGPUTiling(int64_t d, int64_t dv);

/// Checks a tiling as the options give it (0 in tileQ, tileKV or kvStep: the
/// head dim's default), reporting the first violation through `error` as
/// "<option>=<value>: expected <what is accepted>". What depends on the head
/// dim (tiles splitting into copies evenly, shared memory) is checked when a
/// kernel is built.
LogicalResult verifyGPUTiling(const GPUTiling &tiling,
                              function_ref<LogicalResult(const Twine &)> error);

/// Rewrites `func` — (q, k, v) bf16/f16 tensors whose body is one attn.sdpa
/// of them, returned as is — into a kernel of `module` (and erases `func`),
/// built to a #attn.gpu_schedule that the kernel carries as its
/// `attn.schedule` attribute: the one the attn.sdpa carries there, else the
/// warp-specialised wgmma + TMA schedule when `wgmma` is set, `chip` is
/// sm_90a and d, d_v are multiples of 64 up to 256, else mma.sync shaped by
/// `tiling` (a zero tileQ, tileKV or kvStep: getDefaultGPUTiling's).
///
/// mma.sync: a `gpu.func` taking the memref descriptors
///
///   gpu.func @f(q, k, v, o: memref<?x?x?x?xT, strided<[?, ?, ?, 1]>>
///               [, lse: memref<?x?x?xf32, strided<[?, ?, ?]>>]) kernel
///
/// wgmma: an `llvm.func` with the `nvvm.kernel` attribute taking the same
/// descriptor fields, then the TMA tensor maps of q, k and v
/// (HopperKernel.h). Either runs on a grid of (⌈N_q / tile_q⌉, B · H_q)
/// CTAs of 32 · warps threads with the dynamic shared memory of its
/// `attn.smem_bytes` attribute. Emits a diagnostic and fails on what it does
/// not support.
LogicalResult convertSdpaFunctionToGPUKernel(func::FuncOp func,
                                             gpu::GPUModuleOp module,
                                             const GPUTiling &tiling,
                                             StringRef chip = "sm_80",
                                             bool wgmma = false);

} // namespace mlir::attn

#endif // ATTN_CONVERSION_ATTNTOGPU_ATTNTOGPU_H
