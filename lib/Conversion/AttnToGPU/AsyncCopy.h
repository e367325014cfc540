//===- AsyncCopy.h - the cp.async tile pipeline -----------------*- C++ -*-===//
//
// Tiles of a [B, H, N, cols] memref into shared memory by 16-byte cp.async
// (sm_80's asynchronous copies: nvgpu.device_async_copy), committed as
// groups and waited for by count. The flash loop asks it for the Q tile and
// each K/V stage; sm_90a's TMA + mbarrier pipeline will stand beside it.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_LIB_CONVERSION_ATTNTOGPU_ASYNCCOPY_H
#define ATTN_LIB_CONVERSION_ATTNTOGPU_ASYNCCOPY_H

#include "KernelBuilder.h"

namespace mlir::attn::gpu_kernel {

class AsyncCopyPipeline {
public:
  /// `threads` threads of the CTA (this one is `tid`) copy together, rows of
  /// batch `batch`; c0 and c1 are the kernel's index constants 0 and 1.
  AsyncCopyPipeline(KernelBuilder &kb, Value tid, int64_t threads, Value batch,
                    Value c0, Value c1)
      : kb(kb), tid(tid), threads(threads), batch(batch), c0(c0), c1(c1) {}

  /// Copies `tileRows` rows of src[batch, h, first + r, :] into
  /// smem[prefix..., r, :], each thread a fixed set of 16-byte chunks (the
  /// caller checks that they divide evenly); rows at or past `limit` are
  /// zero-filled (their address is clamped to the last row). A null `limit`
  /// says that every row is in range: no clamp, no zero-fill. With
  /// `rowsMayBeNegative` (and a limit), rows below 0 are zero-filled too.
  /// Appends the copies' tokens to `tokens`.
  void copyTile(Value src, Value h, Value first, Value limit, int64_t tileRows,
                int64_t cols, Value smem, ValueRange prefix,
                SmallVectorImpl<Value> &tokens,
                bool rowsMayBeNegative = false) const;

  /// The copies of `tokens` as one group.
  Value commit(ValueRange tokens) const;

  /// Waits until at most `pending` groups are in flight, then a CTA barrier.
  /// (nvgpu.device_async_wait names a group but waits by count.)
  void waitAllBut(Value group, int32_t pending) const;

private:
  KernelBuilder &kb;
  Value tid;
  int64_t threads;
  Value batch, c0, c1;
};

} // namespace mlir::attn::gpu_kernel

#endif // ATTN_LIB_CONVERSION_ATTNTOGPU_ASYNCCOPY_H
