//===- KernelUtils.h - the function form kernel lowerings take --*- C++ -*-===//

#ifndef ATTN_DIALECT_ATTN_UTILS_KERNELUTILS_H
#define ATTN_DIALECT_ATTN_UTILS_KERNELUTILS_H

#include "attn/Dialect/Attn/IR/AttnOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace mlir::attn {

/// The largest head dim (d or d_v) of any kernel target: the GPU kernels'
/// register and shared-memory budget, and the CPU kernels' scratch, which
/// lives on the calling thread's stack. attn-kernelgen rejects larger ones
/// up front.
constexpr int64_t kMaxKernelHeadDim = 256;

/// What a generated kernel publishes about itself, for the runtime to check
/// a kernel struct against (attnrt.h's ATTNRT_META_* layout).
struct KernelMetadata {
  Type elementType; // of q, k, v and o
  int64_t headDim, valueDim;
  bool hasLse;
  int64_t rows;          // rows per task (CPU) or per CTA (GPU)
  int64_t threads = 0;   // GPU: threads per CTA
  int64_t smemBytes = 0; // GPU: dynamic shared memory
  int64_t tileKV = 0;    // GPU: keys per K/V tile (the TMA box rows)
  bool tensorMaps = false; // GPU: takes TMA tensor maps of q, k, v
  bool persistent = false; // GPU: launched on as many CTAs as fit at once
  int64_t op = 0;          // an attnrt_op: ATTNRT_OP_SDPA or _LINEAR
  bool causal = false;     // attnrt_op linear: causal
  int64_t featureMap = 0;  // attnrt_op linear: an attnrt_feature_map
  int64_t features = 0;    // attnrt_op linear: φ's width
  int64_t tables = 0;      // sdpa (CPU): the mask's run-time tables
  bool packGqa = false;    // sdpa (CPU decode): rows packed by KV head
};

/// Creates, at `b`'s insertion point, the public constant `symbol` holding
/// `meta` as ATTNRT_META_SIZE i64 values in `memorySpace`.
void createKernelMetadata(OpBuilder &b, Location loc, StringRef symbol,
                          const KernelMetadata &meta,
                          Attribute memorySpace = {});

/// One run-time table of a kernel's mask as attnrt describes it: an
/// attnrt_table_kind and, for block layouts, the block's rows and keys.
struct KernelTable {
  int kind;
  int64_t blockQ = 0, blockK = 0;
};

/// The tables `mask` reads, in operand order (none for a null mask).
SmallVector<KernelTable> getKernelTables(MaskAttrInterface mask);

/// The attn.sdpa of a kernel function — (q, k, v, tables...) whose body is
/// one attn.sdpa of its arguments (the tables those its mask reads, in
/// order), returned as is (the form attn-kernelgen writes) — or, for any
/// other function, a "<pass>: expects a function ..." error on it.
FailureOr<SdpaOp> matchKernelFunction(func::FuncOp func, StringRef pass);

} // namespace mlir::attn

#endif // ATTN_DIALECT_ATTN_UTILS_KERNELUTILS_H
