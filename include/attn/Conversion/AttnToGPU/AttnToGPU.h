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

/// The schedule attn-select-gpu-schedule chooses for a kernel of head dims
/// d, d_v on `chip`: with `wgmma` on sm_90a and d, d_v multiples of 64 up to
/// 256, the warp-specialised wgmma + TMA kernel (getHopperSchedule); else
/// the mma.sync tiling measured fastest on an H100 (bf16): 128 query rows
/// (32 per warp) and steps of 64 keys up to d = 128 (at d = 128 ptxas
/// spills a few dozen bytes, and it is still faster than steps of 32 keys
/// that spill none); 64 rows (16 per warp) and 32 keys beyond, where the
/// accumulators alone take 128 registers. `causal`: the op's mask is
/// #attn.causal (the wgmma kernel at d = 128 is then persistent).
GPUScheduleAttr getDefaultGPUSchedule(MLIRContext *ctx, StringRef chip,
                                      bool wgmma, int64_t d, int64_t dv,
                                      bool causal);

/// The #attn.gpu_schedule `op` carries as `attn.schedule` (null when it
/// carries none), or a diagnostic through `emitError` when that attribute is
/// something else.
FailureOr<GPUScheduleAttr>
getCarriedSchedule(Operation *op, function_ref<InFlightDiagnostic()> emitError);

/// Checks what a verified `schedule` needs of the chip and head dims: wgmma
/// runs on sm_90a only (an empty `chip`: not checked) and takes d, d_v that
/// are multiples of 64 up to 256. Reports through `emitError`. (What
/// depends on both, such as shared memory, is checked when the kernel is
/// built.)
LogicalResult
verifyScheduleFits(GPUScheduleAttr schedule, StringRef chip, int64_t d,
                   int64_t dv, function_ref<InFlightDiagnostic()> emitError);

/// Rewrites `func` — (q, k, v) bf16/f16 tensors whose body is one attn.sdpa
/// of them, returned as is — into a kernel of `module` (and erases `func`),
/// built to the #attn.gpu_schedule the attn.sdpa carries as `attn.schedule`
/// (without one: getDefaultGPUSchedule's for sm_80), which the kernel
/// carries on.
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
                                             gpu::GPUModuleOp module);

/// The GPU linear-attention kernels' chunk (rows between state moves) and
/// threads per CTA.
constexpr int64_t kLinearGPUChunk = 64;
constexpr int64_t kLinearGPUThreads = 128;
/// The value columns a CTA of a GPU linear-attention kernel takes: d_v in
/// ⌈d_v / 64⌉ equal tiles when they are multiples of 16 (d_v = 128: two
/// CTAs of 64, each with half the state in shared memory), else all of d_v.
inline int64_t getLinearGPUValueTile(int64_t dv) {
  int64_t tiles = (dv + 63) / 64;
  return dv % tiles == 0 && dv / tiles % 16 == 0 ? dv / tiles : dv;
}
/// The entry points of a GPU linear-attention kernel, in launch order.
constexpr const char *kLinearGPUEntries[] = {"_sums", "_prefix", "_outputs"};

/// Rewrites `func` — (q, k, v) bf16/f16 tensors whose body is one attn.linear
/// of them (identity, elu_plus_one or relu; d, d_v multiples of 16 up to
/// 128), returned as is — into three mma.sync kernels of `module` (and
/// erases `func`), the phases of the reassociated O(N) form that attnrt
/// launches in turn (lib/Conversion/AttnToGPU/LinearKernel.cpp):
///
///   gpu.func @f_sums, @f_prefix, @f_outputs(
///       q, k, v, o: memref<?x?x?x?xT, strided<[?, ?, ?, 1], offset: ?>>,
///       workspace: memref<?xf32>, key_rows: index, task_rows: index) kernel
///
/// each of 128 threads with the dynamic shared memory of its
/// `attn.smem_bytes`, and the metadata of each (attn_meta_f_sums, ...).
/// Emits a diagnostic and fails on what it does not support.
LogicalResult convertLinearFunctionToGPUKernel(func::FuncOp func,
                                               gpu::GPUModuleOp module);

} // namespace mlir::attn

#endif // ATTN_CONVERSION_ATTNTOGPU_ATTNTOGPU_H
