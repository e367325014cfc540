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

class TmaPipeline;

/// sm_90a: a consumer warpgroup's 64 rows of O written to shared memory as
/// the boxes of O's tensor map (64 rows × 64 columns, 128-byte swizzle),
/// then stored by one thread with TMA — when O's rows are 16-byte aligned
/// (the runtime encodes O's map only then; else the 4-byte stores).
struct TmaOutput {
  const TmaPipeline &tma;
  Value map;          // O's tensor map, boxes of 64 rows
  Value offset;       // bytes from the pipeline's base: chunk 0's 64 rows
  int64_t chunkBytes; // between 64-column chunks
  Value groupRow;     // the warpgroup's first row within the CTA's tile
  Value barrierId;    // i32: the warpgroup's named barrier (128 threads)
  Value storer;       // i1: the thread that issues and waits for the stores
  Value zero;         // index 0 through kb.opaque: what the epilogue's
                      // addresses start from, so that none is hoisted
};

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
  const TmaOutput *tmaOutput = nullptr; // sm_90a's staged stores, if any
};

/// Emits the epilogue at kb's insertion point.
void emitEpilogue(KernelBuilder &kb, const EpilogueInputs &in);

} // namespace mlir::attn::gpu_kernel

#endif // ATTN_LIB_CONVERSION_ATTNTOGPU_EPILOGUE_H
