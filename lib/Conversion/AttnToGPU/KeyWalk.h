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

/// Where a CTA of the flash grid sits: grid.x counts query blocks of
/// `tileQ` rows (heavy — late, for causal masks — blocks first), grid.y
/// batch·head. q and k are the kernel's [B, H, N, d] memrefs.
struct CtaPlace {
  Value numQ, numK;         // N_q, N_kv
  Value batch, head, headKV; // headKV: the K/V head of `head` (GQA)
  Value qs, rows;           // the block's first query row; rows in it
  Value shift;              // N_kv − N_q
};
CtaPlace locateCta(KernelBuilder &kb, Value q, Value k, int64_t tileQ);

/// One tile of a persistent CTA's walk: its place and the state it carries
/// to the next; returns that state.
using TileBodyFn =
    function_ref<SmallVector<Value>(const CtaPlace &, ValueRange state)>;

/// Runs `body` on the tiles a persistent CTA owns among the ⌈N_q / tileQ⌉ ·
/// B · H_q query blocks. A head's blocks are numbered as locateCta places
/// them in a full grid (heavy — late, for causal masks — first); units of
/// them go to the grid's n CTAs round-robin (units id, id + n, ... for its
/// linear id), head by head, so that CTAs running together share a head's K
/// and V in L2. A unit is one block, or, when there are at least two blocks
/// a CTA, the pair B − 1 − j, j: with a causal mask every pair costs the
/// same, where single blocks dealt round-robin give some CTAs twice the
/// work of others whenever n is not a multiple of the head's block count.
/// Returns the final state.
SmallVector<Value> forEachTile(KernelBuilder &kb, Value q, Value k,
                               int64_t tileQ, ValueRange init,
                               TileBodyFn body);

/// The band of `spec`'s mask (exact bands only: the conversion checks), with
/// a side that reaches past any key dropped: the kernels' in-tile tests
/// compare in i32 (the runtime keeps N below 2^31 − 256).
MaskBand getKernelBand(const KernelSpec &spec);

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
