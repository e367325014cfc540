//===- KeyWalk.h - the flash loop's walk over key tiles ---------*- C++ -*-===//
//
// The key tiles a CTA's query block visits, from the key range of its mask
// band (MaskUtils' buildKeyRange), as three loops: the tiles before the first
// one every row sees in full (only with a left band edge), those tiles
// (unmasked), and the rest (the diagonal of a right edge and the ragged end
// at N_kv). Tile i covers keys lo + i·tile ... Both GPU kernels walk it.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_LIB_CONVERSION_ATTNTOGPU_KEYWALK_H
#define ATTN_LIB_CONVERSION_ATTNTOGPU_KEYWALK_H

#include "KernelBuilder.h"

#include "attn/Dialect/Attn/Utils/MaskUtils.h"

namespace mlir::attn::gpu_kernel {

/// One step of the loop: the state after the tile of keys [ks, ks + tile);
/// `masked` steps must apply the band and the N_kv edge.
using KeyStepFn = function_ref<SmallVector<Value>(Value ks, ValueRange state,
                                                  bool masked)>;

/// The number of key tiles of `range`.
Value countKeyTiles(KernelBuilder &kb, const KeyRange &range, int64_t tile);

/// Runs `step` over every key tile of `range` in order, from `init`;
/// returns the final state.
SmallVector<Value> walkKeyTiles(KernelBuilder &kb, const KeyRange &range,
                                const MaskBand &band, Value numK, int64_t tile,
                                ValueRange init, KeyStepFn step);

} // namespace mlir::attn::gpu_kernel

#endif // ATTN_LIB_CONVERSION_ATTNTOGPU_KEYWALK_H
