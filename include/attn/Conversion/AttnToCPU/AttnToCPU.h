//===- AttnToCPU.h - attn.sdpa as a vectorised CPU kernel -------*- C++ -*-===//

#ifndef ATTN_CONVERSION_ATTNTOCPU_ATTNTOCPU_H
#define ATTN_CONVERSION_ATTNTOCPU_ATTNTOCPU_H

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace mlir::attn {

/// Query rows per task by default: two register-block groups of 96 that share
/// each packed V tile (the pass, its pipeline and attn-kernelgen all use it).
constexpr int64_t kDefaultRowsPerTask = 192;

/// The function attribute that gives one kernel function its own rows per
/// task (an i64), over the pass's `rows-per-task` option: attn-kernelgen's
/// `--spec …,rows=R` sets it, e.g. a decode kernel beside 192-row ones.
constexpr llvm::StringLiteral kRowsPerTaskAttrName = "attn.cpu_rows_per_task";

/// The unit function attribute that packs a decode kernel's rows by KV head
/// (attn-kernelgen's `--spec …,pack_gqa`): a task holds rows of the H_q / H_kv
/// query heads that share a KV head — packed row r is query r mod N_q of
/// head r div N_q of the group — so K and V are read once per KV head and
/// the mask still sees each row's own position.
constexpr llvm::StringLiteral kPackGqaAttrName = "attn.cpu_pack_gqa";

/// The rows per task of `func`: its kRowsPerTaskAttrName, else `fallback`.
int64_t getFunctionRowsPerTask(Operation *func, int64_t fallback);

/// The most keys per step: the kernels keep their scratch (a step's scores
/// and packed V rows among it) on the calling thread's stack.
constexpr int64_t kMaxCPUTileKV = 512;

/// The most scratch a kernel may keep on the stack of the threads that run
/// it (the caller's and attnrt's own): 1 MiB.
constexpr int64_t kMaxCPUScratchBytes = int64_t(1) << 20;

/// Bytes of stack scratch of a kernel for head dims d, d_v: Qᵀ, Oᵀ and a
/// tile of scores (rows per task wide), the packed V tile, the row statistics.
int64_t getCPUKernelScratchBytes(int64_t d, int64_t dv, int64_t tileKV,
                                 int64_t rowsPerTask);

/// Checks the CPU kernel options, reporting the first violation through
/// `error` as "<option>=<value>: expected <what is accepted>".
LogicalResult verifyCPUTiling(int64_t tileKV, int64_t rowsPerTask,
                              function_ref<LogicalResult(const Twine &)> error);

/// Rewrites `func` — (q, k, v) tensors whose body is one attn.sdpa of them,
/// returned as is — into the CPU kernel ABI:
///
///   func @f(q, k, v, o[, lse]: strided memrefs, begin, end: index)
///
/// computing tasks [begin, end) of B · H_q · ⌈N_q / rowsPerTask⌉ (batch,
/// head, query block) with vector<16xf32> code; rowsPerTask is 32, 48, 64,
/// 80, 96 or 192. Emits a diagnostic and fails on what it does not support
/// (non-f32, dynamic head dim or one above kMaxKernelHeadDim, masks other
/// than causal/window bands, d_v not a multiple of the register block).
LogicalResult convertSdpaFunctionToCPUKernel(func::FuncOp func,
                                             int64_t tileKV,
                                             int64_t rowsPerTask);

/// Rows of a chunk of the linear-attention kernel: the diagonal block of
/// causal attention is C × C, the state moves on every C rows.
constexpr int64_t kLinearChunk = 64;

/// Bytes of stack scratch of a linear-attention kernel of head dims d, d_v
/// whose φ has `features` columns (d, or FAVOR+'s m): the packed chunk (φQ,
/// φK, φKᵀ, V, A; FAVOR+: x̂ too) and the state (S, z).
int64_t getLinearKernelScratchBytes(int64_t d, int64_t features, int64_t dv,
                                    bool favor);

/// Rewrites `func` — (q, k, v) tensors whose body is one attn.linear of them
/// (FAVOR+: and of a constant projection), returned as is — into the
/// linear-attention kernel ABI:
///
///   func @f(q, k, v, o: strided memrefs, S: memref<?x?x?x?xf32>,
///           z: memref<?x?x?xf32>, M: memref<?x?xf32>,
///           phase, block_rows, begin, end: index)
///
/// with (S, z, M) attnrt's workspace of one state per (batch, KV head, block
/// of block_rows keys) and, for FAVOR+, each key block's largest exponent.
/// Phase 0 sums each block's state (tasks B · H_kv · blocks; FAVOR+: B ·
/// H_kv · key blocks, finding M too, the last block's alone when causal),
/// phase 1 turns them into prefix sums (tasks B · H_kv; FAVOR+: after
/// bringing them to one shift), phase 2 writes the outputs (tasks B · H_q ·
/// ⌈rows / block_rows⌉, rows N_q, or N_kv positions when causal). The
/// file comment of LinearKernel.cpp has the algorithm. Emits a diagnostic
/// and fails on what it does not support (non-f32, dynamic head dims or ones
/// above kMaxKernelHeadDim, a FAVOR+ projection that is not a constant or
/// has more than kMaxKernelHeadDim features).
LogicalResult convertLinearFunctionToCPUKernel(func::FuncOp func);

} // namespace mlir::attn

#endif // ATTN_CONVERSION_ATTNTOCPU_ATTNTOCPU_H
