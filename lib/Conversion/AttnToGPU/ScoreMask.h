//===- ScoreMask.h - a mask on scores in the mma fragment layout -*- C++
//-*-===//
//
// The band of a causal or window mask and the N_kv edge, applied to the
// scores a thread holds after S = Q·Kᵀ on m16n8k16 tiles: each test is one
// i32 compare of a lane value with a constant. Used only on the key tiles
// that cross the band's edge or N_kv (the flash loop runs the others
// unmasked).
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_LIB_CONVERSION_ATTNTOGPU_SCOREMASK_H
#define ATTN_LIB_CONVERSION_ATTNTOGPU_SCOREMASK_H

#include "KernelBuilder.h"

#include "attn/Dialect/Attn/Utils/MaskUtils.h"

namespace mlir::attn::gpu_kernel {

/// `s`, the thread's scores [m-tile][key n-tile][element] of the keys from
/// ks + row0 (keyTiles n-tiles of 8), with −∞ where a key is at or past
/// `numK` or outside `band` for its query. The thread's query rows start at
/// tile row warpRow + ln.g of the CTA's first query qs; query i sits at key
/// position i + shift (shift = N_kv − N_q).
SmallVector<Value> maskScores(KernelBuilder &kb, ArrayRef<Value> s, Value ks,
                              int64_t row0, const Lane &ln, Value numK,
                              Value qs, Value shift, Value warpRow,
                              const MaskBand &band, int64_t keyTiles,
                              Value negInf);

} // namespace mlir::attn::gpu_kernel

#endif // ATTN_LIB_CONVERSION_ATTNTOGPU_SCOREMASK_H
