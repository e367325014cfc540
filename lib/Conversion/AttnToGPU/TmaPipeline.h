//===- TmaPipeline.h - TMA tile loads completing on mbarriers ---*- C++ -*-===//
//
// sm_90's tile pipeline: the bulk tensor copy engine (TMA) loads boxes of a
// [B, H, N, cols] tensor, described by a tensor map the runtime encodes
// (64 columns × rows, 128-byte swizzle, zero fill past each end), into
// shared memory, each load completing a transaction count on an mbarrier;
// and stores such boxes back (rows past each end are not written), in bulk
// groups that the storing thread waits on.
// Barriers and tiles live in the kernel's dynamic shared memory, addressed
// by byte offset from its base. The cp.async pipeline (AsyncCopy.h) is
// sm_80's counterpart.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_LIB_CONVERSION_ATTNTOGPU_TMAPIPELINE_H
#define ATTN_LIB_CONVERSION_ATTNTOGPU_TMAPIPELINE_H

#include "KernelBuilder.h"

namespace mlir::attn::gpu_kernel {

class TmaPipeline {
public:
  /// `base`: the dynamic shared memory (a ptr in address space 3).
  TmaPipeline(KernelBuilder &kb, Value base) : kb(kb), base(base) {}

  /// The shared memory at `offset` bytes (index) from the base.
  Value pointer(Value offset) const;
  /// Its shared-window address, as i64 (what matrix descriptors take).
  Value address(Value offset) const;

  /// Barrier operations; `bar` is a pointer from `pointer`.
  void init(Value bar, int32_t arrivals) const;
  void arriveExpecting(Value bar, int64_t bytes) const;
  void arrive(Value bar) const;
  /// Waits until the barrier's phase of parity `parity` (index, 0 or 1) has
  /// completed.
  void wait(Value bar, Value parity) const;

  /// Loads a `rows` × 64-column box of `tensorMap` at (column `col`, row
  /// `row`, head `head`, batch `batch`) into shared memory at `offset`,
  /// completing on `bar`.
  void load(Value tensorMap, Value offset, Value bar, Value col, Value row,
            Value head, Value batch) const;
  /// Loads `rows` rows of every column of the tensor (`cols` a multiple of
  /// 64) as cols/64 boxes, chunk c at offset + c·rows·128, and expects their
  /// bytes on `bar` (arriving once).
  void loadTile(Value tensorMap, Value offset, Value bar, int64_t rows,
                int64_t cols, Value row, Value head, Value batch) const;

  /// Stores the box of `tensorMap` at (column `col`, row `row`, head
  /// `head`, batch `batch`) from shared memory at `offset`. The shared
  /// memory's writers fence it first (fenceForStores) and meet the storing
  /// thread at a barrier.
  void store(Value tensorMap, Value offset, Value col, Value row, Value head,
             Value batch) const;
  /// Orders this thread's shared-memory writes before later TMA reads of
  /// them (fence.proxy.async.shared::cta).
  void fenceForStores() const;
  /// Closes the stores issued since the last commit into one bulk group.
  void commitStores() const;
  /// Waits until the storing thread's bulk groups have read their shared
  /// memory (which may then be written again).
  void waitStoresRead() const;

private:
  KernelBuilder &kb;
  Value base;
};

} // namespace mlir::attn::gpu_kernel

#endif // ATTN_LIB_CONVERSION_ATTNTOGPU_TMAPIPELINE_H
