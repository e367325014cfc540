//===- OnlineSoftmax.h - the flash loop's softmax on fragments --*- C++ -*-===//
//
// One online-softmax step on the scores a thread holds in the m16n8
// accumulator layout that mma.sync and wgmma share: `mTiles` tiles of 16
// rows, the thread holding rows lane/4 and lane/4 + 8 of each (thread row
// r = 2·tile + half) and, per 8-key block, two adjacent keys. Scores are
// ordered [tile][key block][half][key], accumulators of O likewise with
// value blocks. Row reductions are thread-local plus two quad shuffles.
//
// With c = scale · log2 e folded in: m' = max(m, rowmax S) when some row of
// the warp rose by more than kRescaleLog2 / c (lazy rescaling: P stays below
// 2^kRescaleLog2 otherwise), α = 2^((m − m')·c), P = 2^(S·c − m'·c),
// l = α·l + rowsum P, O = α·O.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_LIB_CONVERSION_ATTNTOGPU_ONLINESOFTMAX_H
#define ATTN_LIB_CONVERSION_ATTNTOGPU_ONLINESOFTMAX_H

#include "KernelBuilder.h"

namespace mlir::attn::gpu_kernel {

/// O and l are rescaled once a row's max rose by more than this (log2 units).
constexpr double kRescaleLog2 = 8.0;

class OnlineSoftmax {
public:
  /// Scores of `keyBlocks` 8-key blocks per tile; `m` the running max of
  /// each thread row (−∞ before any key). Decides the new max.
  OnlineSoftmax(KernelBuilder &kb, ArrayRef<Value> s, ArrayRef<Value> m,
                int64_t mTiles, int64_t keyBlocks, Value cScale);

  /// The thread row of score (or accumulator with `blocks` blocks) i.
  static int64_t rowOf(int64_t i, int64_t blocks) {
    return 2 * (i / (4 * blocks)) + (i % 4) / 2;
  }

  /// The new running max of each thread row.
  ArrayRef<Value> newMax() const { return rowMax; }
  /// i1, the same in the whole warp: the max moved, so O and l take α.
  Value grew() const { return grow; }
  /// O = α·O when the max moved (one warp-uniform branch); `acc` holds
  /// `valueBlocks` 8-column blocks per tile.
  void rescale(MutableArrayRef<Value> acc, int64_t valueBlocks);
  /// P of keys 16j.. (blocks 2j and 2j + 1) of tile `mt`, added to the row
  /// sums, as the four packed operand pairs of an m16 × k16 A fragment
  /// (f32 values; the caller packs them).
  std::array<std::pair<Value, Value>, 4> exponentiate(int64_t mt, int64_t j);
  /// l = α·l + rowsum P, for each thread row (thread-partial sums).
  SmallVector<Value> newSums(ArrayRef<Value> l);

private:
  KernelBuilder &kb;
  SmallVector<Value> s;
  int64_t keyBlocks;
  Value cScale;
  SmallVector<Value> rowMax, alpha, mScaled, sum;
  Value grow;
};

} // namespace mlir::attn::gpu_kernel

#endif // ATTN_LIB_CONVERSION_ATTNTOGPU_ONLINESOFTMAX_H
