//===- Epilogue.h - the GPU flash kernel's output -----------------*- C++
//-*-===//
//
// After the flash loop: O / l per row (0 for a row with no allowed key), the
// LSE (m·scale + ln l), and O from mma accumulator fragments to global
// memory — through the warp's own rows of the Q tile and 16-byte coalesced
// stores when O's rows are 16-byte aligned and d_v <= d, else 4-byte stores
// of the fragment pairs. sm_90a's shared-memory + TMA store will stand
// beside it.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_LIB_CONVERSION_ATTNTOGPU_EPILOGUE_H
#define ATTN_LIB_CONVERSION_ATTNTOGPU_EPILOGUE_H

#include "KernelBuilder.h"

namespace mlir::attn::gpu_kernel {

/// What the epilogue reads: the outputs, where the CTA and the thread sit,
/// and the flash loop's final state.
struct EpilogueInputs {
  Value o, lse, qSmem; // lse: null when the kernel has none; qSmem: null
                       // for the 4-byte fragment stores
  Value batch, head, qs, numQ; // the CTA's batch, head, first query row; N_q
  Value lane, warpRow;         // lane in the warp; the warp's first tile row
  const Lane &ln;
  /// The loop's state: the stage, m and l of each thread row, then the O
  /// fragments [m-tile][value tile][element].
  ValueRange state;
  int64_t threadRows, valueTiles, rowsPerWarp;
  function_ref<Value(int64_t)> rowOf; // the tile row of thread row r
  Value c0, zero;                     // index 0 and f32 0
};

/// Emits the epilogue at kb's insertion point.
void emitEpilogue(KernelBuilder &kb, const EpilogueInputs &in);

} // namespace mlir::attn::gpu_kernel

#endif // ATTN_LIB_CONVERSION_ATTNTOGPU_EPILOGUE_H
