//===- AttnToCPU.cpp - attn.sdpa as a vectorised CPU flash kernel ---------===//
//
// Rewrites a function whose body is one `attn.sdpa` of its arguments into a
// CPU kernel on strided memrefs. The kernel runs the flash schedule of
// attn-tile-flash with query rows in vector lanes:
//
//   for task t in [begin, end):                 (b, h, block of R query rows)
//     Qᵀ = scale·log2(e) · Q[b, h, rows, :]ᵀ     [d][R], zero past N_q
//     Oᵀ = 0 [d_v][R];  m = −∞, l = 0           (R/16 vector<16xf32> each)
//     for keys ks in [lo, hi) step tile-kv:      (lo, hi from the mask band)
//       pack the tile's V rows; prefetch the next tile's K, V into L2
//       Sᵀ[j] = Σ_c K[j, c] · Qᵀ[c]             register blocks of keys
//       Sᵀ = score_mod(Sᵀ)                       if the op has one
//       mask Sᵀ only if the mask does not allow the whole block, or at the
//       ragged tail
//       m' = max(m, max_j Sᵀ[j]); α = 2^(m − m'); Pᵀ[j] = 2^(Sᵀ[j] − m')
//       l = α l + Σ_j Pᵀ[j];  Oᵀ[e] = α Oᵀ[e] + Σ_j V[j, e] · Pᵀ[j]
//     O[b, h, rows, :] = (Oᵀ / l)ᵀ;  LSE = m·ln 2 + log l
//
// With rows in lanes, every softmax reduction runs across registers, never
// within one; both products are broadcast-FMA loops with up to 24
// accumulators (R = rows-per-task). R = 192 by default: two groups of 96
// rows that share each packed V tile and K rows just read, each group
// skipping the tiles its own rows cannot see.
// Tasks are independent: the caller (attnrt's thread pool) hands out ranges.
// FlashEmitter builds it, one method per step above.
//
//===----------------------------------------------------------------------===//

#include "attn/Conversion/AttnToCPU/AttnToCPU.h"
#include "DecodeKernel.h"
#include "SdpaKernel.h"
#include "attn/Conversion/Passes.h"
#include "attn/Dialect/Attn/IR/AttnOps.h"
#include "attn/Dialect/Attn/Utils/KernelUtils.h"
#include "attn/Dialect/Attn/Utils/MaskUtils.h"
#include "attn/Runtime/attnrt.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <cmath>
#include <limits>

namespace mlir::attn {
#define GEN_PASS_DEF_CONVERTATTNTOCPU
#include "attn/Conversion/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;
using namespace mlir::attn::cpu_kernel;

namespace {

/// The register blocking of a kernel: `vecs` lane-vectors of query rows
/// times `block` keys (scores) or value columns (P·V) per register block:
/// vecs · block accumulators. A task holds `groups` such row groups, which
/// share each packed V tile (rows per task = 16 · vecs · groups).
struct Blocking {
  int64_t vecs, block, groups = 1;
  int64_t rows() const { return vecs * groups * kLanes; }
};

/// The blocking for `rowsPerTask` (16, 32, 48, 64, 80, 96 or 192), or
/// std::nullopt.
std::optional<Blocking> blockingFor(int64_t rowsPerTask) {
  switch (rowsPerTask) {
  case 16: // decode: few rows, each task a whole KV head
    return Blocking{1, 8};
  case 32:
    return Blocking{2, 8};
  case 48:
    return Blocking{3, 8};
  case 64:
    return Blocking{4, 4};
  case 80:
    return Blocking{5, 4};
  case 96:
    return Blocking{6, 4};
  case 192:
    return Blocking{6, 4, 2};
  default:
    return std::nullopt;
  }
}

/// One task (TaskIndex), the key range of all its rows and of each row
/// group, and each group's rows (at least 1, so that a group past the last
/// row is a valid block).
struct Task : TaskIndex {
  KeyRange range;
  SmallVector<KeyRange> groupRanges;
  SmallVector<Value> groupRows;
};

/// Emits the kernel body into a function already holding the new signature:
/// a loop over tasks [begin, end), each the flash schedule of the file
/// comment. Values that every task shares (sizes, scratch, lane indices)
/// are built once, before the loop.
class FlashEmitter : SdpaEmitterBase {
public:
  FlashEmitter(func::FuncOp func, const KernelSpec &spec, int64_t tileKV,
               Blocking blocking)
      : SdpaEmitterBase(func, spec, blocking.rows()), tileKV(tileKV),
        vecs(blocking.vecs), block(blocking.block), groups(blocking.groups),
        totalVecs(vecs * groups), rowsPerGroup(vecs * kLanes) {}

  void emit() {
    buildSharedValues();
    emitTaskLoop([&](Value task) { emitTask(task); });
  }

private:
  void buildSharedValues();
  void emitTask(Value task);
  void loadScaledQuery(const Task &t);
  void computeKeyRanges(Task &t);
  SmallVector<Value> keyStep(const Task &t, Value ks, ValueRange allState);
  std::pair<Value, Value> groupRuns(const Task &t, int64_t g, Value ks);
  void packValues(const Task &t, Value ks);
  SmallVector<Value> groupStep(const Task &t, int64_t g, Value ks,
                               ValueRange state, Value full);
  void computeScores(const Task &t, int64_t g, Value ks);
  void applyScoreMod(const Task &t, int64_t g, Value ks);
  void maskScores(const Task &t, int64_t g, Value ks, Value count, Value full);
  SmallVector<Value> softmaxStep(int64_t g, ValueRange state);
  void epilogue(const Task &t, ValueRange stats);

  /// 16 score elements in lanes: the task's rows qs + `lanes`
  /// (vector<16xindex>) against key `key`.
  MaskPoint lanePoint(const Task &t, Value lanes, Value key) {
    auto type = VectorType::get({kLanes}, b.getIndexType());
    auto splat = [&](Value x) -> Value {
      return vector::BroadcastOp::create(b, loc, type, x);
    };
    RowSite site = siteOfRow(splat(t.h), kb.add(splat(t.qs), lanes),
                             /*clamp=*/false, splat);
    return {splat(t.batch), site.head, site.query, splat(key),
            kb.add(site.query, splat(shift))};
  }

  Value i1True() { return arith::ConstantIntOp::create(b, loc, 1, 1); }
  Value notOf(Value x) { return arith::XOrIOp::create(b, loc, x, i1True()); }
  /// The `vecs` entries of `all` (one per lane-vector) of row group `g`.
  ArrayRef<Value> ofGroup(ArrayRef<Value> all, int64_t g) const {
    return all.slice(g * vecs, vecs);
  }

  const int64_t tileKV, vecs, block, groups, totalVecs, rowsPerGroup;
  // Shared by every task (buildSharedValues).
  Value lastKey, tile;
  Value qT, oT, sT, vPack, rowStats; // scratch
  // Per lane-vector x: its column in a [*, rows] scratch row, and the row
  // index of each lane (i64 for the band compares, index for the mask).
  SmallVector<Value> col, laneRows, laneIndices;
};

void FlashEmitter::buildSharedValues() {
  Type f32 = b.getF32Type();
  for (int64_t x = 0; x < totalVecs; ++x)
    col.push_back(kb.idx(x * kLanes));
  lastKey = kb.sub(numK, c1);

  // Scratch, reused by every task of this call.
  auto scratch = [&](int64_t rows, int64_t cols) -> Value {
    return memref::AllocaOp::create(b, loc, MemRefType::get({rows, cols}, f32),
                                    b.getI64IntegerAttr(64));
  };
  const int64_t d = spec.headDim, dv = spec.valueDim;
  qT = scratch(d, rowsPerTaskCount);
  oT = scratch(dv, rowsPerTaskCount);
  sT = scratch(tileKV, rowsPerTaskCount);
  // The V rows of a tile, packed contiguously: P·V reads a few columns of
  // every row of the tile at once, and rows N·H·d apart in torch's layout
  // would all fall into the same few L1 sets. (Q·Kᵀ streams K rows a few
  // at a time and reads them in place.)
  vPack = scratch(tileKV, dv);
  rowStats = scratch(2, rowsPerTaskCount); // row 0: 1/l, row 1: LSE

  for (int64_t x = 0; x < totalVecs; ++x) {
    SmallVector<int64_t> lanes;
    for (int64_t i = 0; i < kLanes; ++i)
      lanes.push_back(x * kLanes + i);
    laneRows.push_back(arith::ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(VectorType::get({kLanes}, b.getI64Type()),
                               ArrayRef<int64_t>(lanes))));
    laneIndices.push_back(arith::ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(VectorType::get({kLanes}, b.getIndexType()),
                               ArrayRef<int64_t>(lanes))));
  }
}

void FlashEmitter::emitTask(Value task) {
  Task t{taskIndex(task), {}, {}, {}};
  loadScaledQuery(t);
  kb.loop(c0, kb.idx(spec.valueDim), c1, [&](Value e) {
    for (int64_t x = 0; x < totalVecs; ++x)
      kb.vstore(kb.splat(0.0), oT, {e, col[x]});
  });
  computeKeyRanges(t);
  tile = kb.idx(tileKV);
  // Loop state, per group: the row max m, then the row sum l, one vector
  // per lane-vector.
  SmallVector<Value> init;
  for (int64_t g = 0; g < groups; ++g) {
    init.append(vecs, kb.splat(-INFINITY));
    init.append(vecs, kb.splat(0.0));
  }
  SmallVector<Value> stats = kb.loop(
      t.range.lo, t.range.hi, tile, init,
      [&](Value ks, ValueRange allState) { return keyStep(t, ks, allState); });
  epilogue(t, stats);
}

/// Qᵀ = scale · log2(e) · Q[rows]ᵀ, zero past the last row: scores, m and
/// the softmax work in log2 units (exp2 is the cheaper expansion).
void FlashEmitter::loadScaledQuery(const Task &t) {
  Value scale = kb.f32(spec.scale * M_LOG2E);
  kb.loop(c0, kb.idx(spec.headDim), c1, [&](Value c) {
    kb.loop(c0, rowsPerTask, c1, [&](Value r) {
      Value valid =
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, r, t.rows);
      auto pick = scf::IfOp::create(
          b, loc, valid,
          [&](OpBuilder &, Location) {
            RowSite site = rowSite(t, r);
            Value x = kb.load(q, {t.batch, site.head, site.query, c});
            scf::YieldOp::create(
                b, loc, ValueRange{arith::MulFOp::create(b, loc, x, scale)});
          },
          [&](OpBuilder &, Location) {
            scf::YieldOp::create(b, loc, ValueRange{kb.f32(0.0)});
          });
      kb.store(pick.getResult(0), qT, {c, r});
    });
  });
}

/// The key range of the whole task bounds the key loop. With several
/// groups, each group of rowsPerGroup rows skips the tiles its own range
/// misses and masks against its own band; its rows may be ≤ 0 in the last
/// task (then it skips every tile).
void FlashEmitter::computeKeyRanges(Task &t) {
  auto [firstQuery, queries] = queryRowsOf(t);
  t.range = keyRange(t, firstQuery, queries);
  for (int64_t g = 0; g < groups; ++g) {
    Value first = kb.idx(g * rowsPerGroup);
    t.groupRows.push_back(arith::MaxSIOp::create(
        b, loc, c1, kb.min(kb.sub(t.rows, first), kb.idx(rowsPerGroup))));
    if (groups == 1) {
      t.groupRanges.push_back(t.range);
      continue;
    }
    auto [groupFirst, groupQueries] =
        queryRowsOf(kb.add(t.qs, first), t.groupRows[g]);
    t.groupRanges.push_back(keyRange(t, groupFirst, groupQueries));
  }
}

/// One tile of keys [ks, ks + tile) for every group.
SmallVector<Value> FlashEmitter::keyStep(const Task &t, Value ks,
                                         ValueRange allState) {
  // A mask beyond a band may empty the tile for every group: then nothing
  // of it is packed or prefetched. (Band masks pack first, then classify.)
  const bool mayEmptyTile = spec.mask && !spec.band.exact;
  SmallVector<std::pair<Value, Value>> classes;
  if (mayEmptyTile) {
    for (int64_t g = 0; g < groups; ++g)
      classes.push_back(groupRuns(t, g, ks));
    Value any = classes.front().first;
    for (auto [run, full] : ArrayRef(classes).drop_front())
      any = arith::OrIOp::create(b, loc, any, run);
    scf::IfOp::create(b, loc, any, [&](OpBuilder &, Location) {
      packValues(t, ks);
      scf::YieldOp::create(b, loc);
    });
  } else {
    packValues(t, ks);
  }
  SmallVector<Value> nextState;
  for (int64_t g = 0; g < groups; ++g) {
    ValueRange state = allState.slice(2 * vecs * g, 2 * vecs);
    std::pair<Value, Value> cls =
        mayEmptyTile ? classes[g] : groupRuns(t, g, ks);
    Value run = cls.first, full = cls.second; // captured below
    if (!spec.mask && groups == 1) {
      llvm::append_range(nextState, groupStep(t, g, ks, state, full));
      continue;
    }
    auto step = scf::IfOp::create(
        b, loc, run,
        [&](OpBuilder &, Location) {
          scf::YieldOp::create(b, loc, groupStep(t, g, ks, state, full));
        },
        [&](OpBuilder &, Location) { scf::YieldOp::create(b, loc, state); });
    llvm::append_range(nextState, step.getResults());
  }
  return nextState;
}

/// Whether group g runs the tile at ks, and whether the mask allows all of
/// it: it skips the tile when it has no rows, its range misses the tile (the
/// diagonal of a causal task's first rows), or the mask allows nothing of
/// the block.
std::pair<Value, Value> FlashEmitter::groupRuns(const Task &t, int64_t g,
                                                Value ks) {
  Value run = i1True();
  if (groups > 1) {
    run = arith::AndIOp::create(
        b, loc,
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, ks,
                              t.groupRanges[g].hi),
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt,
                              kb.add(ks, tile), t.groupRanges[g].lo));
    run = arith::AndIOp::create(
        b, loc, run,
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt, t.rows,
                              kb.idx(g * rowsPerGroup)));
  }
  if (!spec.mask)
    return {run, run};
  auto [firstQuery, queries] =
      queryRowsOf(kb.add(t.qs, kb.idx(g * rowsPerGroup)), t.groupRows[g]);
  Value posLo = kb.add(firstQuery, shift);
  Value keyHi = kb.min(kb.add(ks, tile), numK);
  auto [empty, allAllowed] =
      blockClass(t, posLo, kb.add(posLo, queries), ks, keyHi);
  return {arith::AndIOp::create(b, loc, run, notOf(empty)), allAllowed};
}

/// Packs the tile's V rows (the last valid row repeats past the ragged end;
/// those keys are masked), and prefetches the K and V rows of the next tile
/// into L2: every task streams all of K and V, which a long sequence keeps
/// in no cache.
void FlashEmitter::packValues(const Task &t, Value ks) {
  const int64_t d = spec.headDim, dv = spec.valueDim;
  kb.loop(c0, tile, c1, [&](Value jj) {
    Value j = kb.min(kb.add(ks, jj), lastKey);
    Value ahead = kb.min(kb.add(j, tile), lastKey);
    for (auto [src, cols] : {std::pair(k, d), std::pair(v, dv)})
      for (int64_t c = 0; c < cols; c += kLanes)
        memref::PrefetchOp::create(b, loc, src,
                                   ValueRange{t.batch, t.hk, ahead, kb.idx(c)},
                                   /*isWrite=*/false, /*localityHint=*/2,
                                   /*isDataCache=*/true);
    for (int64_t c = 0; c + kLanes <= dv; c += kLanes)
      kb.vstore(kb.vload(v, {t.batch, t.hk, j, kb.idx(c)}), vPack,
                {jj, kb.idx(c)});
    for (int64_t c = dv - dv % kLanes; c < dv; ++c)
      kb.store(kb.load(v, {t.batch, t.hk, j, kb.idx(c)}), vPack,
               {jj, kb.idx(c)});
  });
}

/// One online-softmax step of group g on the tile at ks; `full`: the mask
/// allows the whole block.
SmallVector<Value> FlashEmitter::groupStep(const Task &t, int64_t g, Value ks,
                                           ValueRange state, Value full) {
  Value count = kb.min(tile, kb.sub(t.groupRanges[g].hi, ks));
  computeScores(t, g, ks);
  if (spec.scoreMod)
    applyScoreMod(t, g, ks);
  maskScores(t, g, ks, count, full);
  return softmaxStep(g, state);
}

/// Sᵀ[j] = Σ_c K[j, c] · Qᵀ[c]: `block` keys by `vecs` lane-vectors.
void FlashEmitter::computeScores(const Task &t, int64_t g, Value ks) {
  ArrayRef<Value> gcol = ofGroup(col, g);
  kb.loop(c0, tile, kb.idx(block), [&](Value jb) {
    // Key rows past the ragged end read the last one (masked later).
    SmallVector<Value> keyRows, keys;
    for (int64_t i = 0; i < block; ++i) {
      keyRows.push_back(kb.add(jb, kb.idx(i)));
      keys.push_back(kb.min(kb.add(ks, keyRows.back()), lastKey));
    }
    SmallVector<Value> zeros(vecs * block, kb.splat(0.0));
    SmallVector<Value> acc = kb.broadcastFmaBlock(
        kb.idx(spec.headDim), block, vecs, zeros,
        [&](Value c, int64_t i) {
          return kb.load(k, {t.batch, t.hk, keys[i], c});
        },
        [&](Value c, int64_t x) {
          return kb.vload(qT, {c, gcol[x]});
        });
    for (int64_t i = 0; i < block; ++i)
      for (int64_t x = 0; x < vecs; ++x)
        kb.vstore(acc[vecs * i + x], sT, {keyRows[i], gcol[x]});
  });
}

/// The score mod, on every score of the tile (in log2 units).
void FlashEmitter::applyScoreMod(const Task &t, int64_t g, Value ks) {
  ArrayRef<Value> gcol = ofGroup(col, g), glane = ofGroup(laneIndices, g);
  kb.loop(c0, tile, c1, [&](Value jj) {
    for (int64_t x = 0; x < vecs; ++x) {
      MaskPoint point = lanePoint(t, glane[x], kb.add(ks, jj));
      Value sv = kb.vload(sT, {jj, gcol[x]});
      kb.vstore(spec.scoreMod.buildScore(b, loc, sv, point, headsQ, M_LOG2E),
                sT, {jj, gcol[x]});
    }
  });
}

/// Masks the tile's scores: keys past the ragged end (or the group's range)
/// always; the mask only where it does not allow the whole block.
void FlashEmitter::maskScores(const Task &t, int64_t g, Value ks, Value count,
                              Value full) {
  ArrayRef<Value> gcol = ofGroup(col, g), glane = ofGroup(laneRows, g),
                  glaneIndex = ofGroup(laneIndices, g);
  Value needsMask =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, count, tile);
  if (spec.mask)
    needsMask = arith::OrIOp::create(b, loc, needsMask, notOf(full));
  scf::IfOp::create(b, loc, needsMask, [&](OpBuilder &, Location) {
    kb.loop(c0, tile, c1, [&](Value jj) {
      Value j = kb.add(ks, jj);
      Value keyValid =
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, jj, count);
      // Row r sees key j iff j − right ≤ qs + r + shift ≤ j + left.
      Value rel = kb.sub(kb.sub(j, t.qs), shift);
      auto i64Splat = [&](Value x) -> Value {
        return vector::BroadcastOp::create(
            b, loc, VectorType::get({kLanes}, b.getI64Type()),
            arith::IndexCastOp::create(b, loc, b.getI64Type(), x));
      };
      for (int64_t x = 0; x < vecs; ++x) {
        Value allowed = vector::BroadcastOp::create(
            b, loc, VectorType::get({kLanes}, b.getI1Type()), keyValid);
        auto clip = [&](arith::CmpIPredicate pred, Value edge) {
          allowed = arith::AndIOp::create(
              b, loc, allowed,
              arith::CmpIOp::create(b, loc, pred, glane[x], i64Splat(edge)));
        };
        // Packed rows are not positions qs + r: they ask the predicate.
        const bool clipBand = spec.band.exact && !spec.packGqa;
        if (clipBand && spec.band.right)
          clip(arith::CmpIPredicate::sge,
               kb.sub(rel, kb.idx(*spec.band.right)));
        if (clipBand && spec.band.left)
          clip(arith::CmpIPredicate::sle, kb.add(rel, kb.idx(*spec.band.left)));
        if (spec.mask && !clipBand)
          allowed = arith::AndIOp::create(
              b, loc, allowed,
              SdpaEmitterBase::allowed(lanePoint(t, glaneIndex[x], j)));
        Value sv = kb.vload(sT, {jj, gcol[x]});
        kb.vstore(
            arith::SelectOp::create(b, loc, allowed, sv, kb.splat(-INFINITY)),
            sT, {jj, gcol[x]});
      }
    });
    scf::YieldOp::create(b, loc);
  });
}

/// The online softmax on the masked tile, lane-wise, then Oᵀ[e] = α Oᵀ[e] +
/// Σ_j V[j, e] Pᵀ[j]; returns the group's next (m, l).
SmallVector<Value> FlashEmitter::softmaxStep(int64_t g, ValueRange state) {
  ArrayRef<Value> gcol = ofGroup(col, g);
  // maxnumf is one vmaxps (maximumf adds NaN-propagating blends to every
  // lane).
  SmallVector<Value> newMax =
      kb.loop(c0, tile, c1, state.take_front(vecs),
              [&](Value jj, ValueRange m) -> SmallVector<Value> {
                SmallVector<Value> next;
                for (int64_t x = 0; x < vecs; ++x)
                  next.push_back(arith::MaxNumFOp::create(
                      b, loc, m[x], kb.vload(sT, {jj, gcol[x]})));
                return next;
              });
  // The max to subtract: 0 in a row that has seen no allowed key yet
  // (m = −∞), so that −∞ − m is −∞ (2^x = 0), not NaN; a NaN score (which
  // maxnumf leaves out of m) still gives a NaN p.
  SmallVector<Value> subtract, alpha;
  for (int64_t x = 0; x < vecs; ++x) {
    Value unseen = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ,
                                         newMax[x], kb.splat(-INFINITY));
    subtract.push_back(
        arith::SelectOp::create(b, loc, unseen, kb.splat(0.0), newMax[x]));
    alpha.push_back(kb.rescale(state[x], newMax[x], subtract[x]));
  }
  SmallVector<Value> sums =
      kb.loop(c0, tile, c1, SmallVector<Value>(vecs, kb.splat(0.0)),
              [&](Value jj, ValueRange sum) -> SmallVector<Value> {
                SmallVector<Value> next;
                for (int64_t x = 0; x < vecs; ++x) {
                  Value p = kb.exp2(arith::SubFOp::create(
                      b, loc, kb.vload(sT, {jj, gcol[x]}), subtract[x]));
                  kb.vstore(p, sT, {jj, gcol[x]});
                  next.push_back(arith::AddFOp::create(b, loc, sum[x], p));
                }
                return next;
              });

  // Oᵀ[e] = α Oᵀ[e] + Σ_j V[j, e] Pᵀ[j], `block` value columns at a time.
  // The tile's sum starts from 0 and joins Oᵀ once: rounding then grows
  // with the tile and the number of tiles, not with every key of a long
  // row (a decode row averages tens of thousands of values).
  kb.loop(c0, kb.idx(spec.valueDim), kb.idx(block), [&](Value eb) {
    SmallVector<Value> cols;
    for (int64_t i = 0; i < block; ++i)
      cols.push_back(kb.add(eb, kb.idx(i)));
    SmallVector<Value> zeros(vecs * block, kb.splat(0.0));
    SmallVector<Value> acc = kb.broadcastFmaBlock(
        tile, block, vecs, zeros,
        [&](Value jj, int64_t i) { return kb.load(vPack, {jj, cols[i]}); },
        [&](Value jj, int64_t x) { return kb.vload(sT, {jj, gcol[x]}); });
    for (int64_t i = 0; i < block; ++i)
      for (int64_t x = 0; x < vecs; ++x)
        kb.vstore(kb.fma(alpha[x], kb.vload(oT, {cols[i], gcol[x]}),
                         acc[vecs * i + x]),
                  oT, {cols[i], gcol[x]});
  });

  SmallVector<Value> next(newMax);
  for (int64_t x = 0; x < vecs; ++x)
    next.push_back(arith::AddFOp::create(
        b, loc, arith::MulFOp::create(b, loc, alpha[x], state[vecs + x]),
        sums[x]));
  return next;
}

/// 1/l (0 for an empty row) and LSE = m·ln 2 + log l per lane (m is in log2
/// units; −∞ for an empty row), then O and LSE of the task's rows.
void FlashEmitter::epilogue(const Task &t, ValueRange stats) {
  for (int64_t x = 0; x < totalVecs; ++x) {
    int64_t g = x / vecs, first = 2 * vecs * g + x % vecs;
    Value m = stats[first], l = stats[first + vecs];
    Value empty = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, l,
                                        kb.splat(0.0));
    Value inv = arith::SelectOp::create(
        b, loc, empty, kb.splat(0.0),
        arith::DivFOp::create(b, loc, kb.splat(1.0), l));
    kb.vstore(inv, rowStats, {c0, col[x]});
    if (lse)
      kb.vstore(arith::AddFOp::create(
                    b, loc, arith::MulFOp::create(b, loc, m, kb.splat(M_LN2)),
                    math::LogOp::create(b, loc, l)),
                rowStats, {c1, col[x]});
  }
  kb.loop(c0, t.rows, c1, [&](Value r) {
    Value inv = kb.load(rowStats, {c0, r});
    RowSite site = rowSite(t, r);
    kb.loop(c0, kb.idx(spec.valueDim), c1, [&](Value e) {
      Value x = arith::MulFOp::create(b, loc, kb.load(oT, {e, r}), inv);
      kb.store(x, o, {t.batch, site.head, site.query, e});
    });
    if (lse)
      kb.store(kb.load(rowStats, {c1, r}), lse,
               {t.batch, site.head, site.query});
  });
}

} // namespace

int64_t mlir::attn::getCPUKernelScratchBytes(int64_t d, int64_t dv,
                                             int64_t tileKV,
                                             int64_t rowsPerTask) {
  if (isDecodeRows(rowsPerTask))
    return getDecodeScratchBytes(d, dv, tileKV, rowsPerTask);
  // The five buffers of buildKernelBody's `scratch`, each 64-byte aligned.
  int64_t floats = (d + dv + tileKV + 2) * rowsPerTask + tileKV * dv;
  return 4 * floats + 5 * 64;
}

int64_t mlir::attn::getFunctionRowsPerTask(Operation *func, int64_t fallback) {
  auto rows = func->getAttrOfType<IntegerAttr>(kRowsPerTaskAttrName);
  return rows ? rows.getInt() : fallback;
}

LogicalResult
mlir::attn::verifyCPUTiling(int64_t tileKV, int64_t rowsPerTask,
                            function_ref<LogicalResult(const Twine &)> error) {
  if (isDecodeRows(rowsPerTask)) {
    if (tileKV < kLanes || tileKV % kLanes != 0 || tileKV > kMaxCPUTileKV)
      return error("tile-kv=" + Twine(tileKV) +
                   ": expected a multiple of 16 (the key vectors of the "
                   "decode kernel, rows-per-task=" +
                   Twine(rowsPerTask) + ") up to " + Twine(kMaxCPUTileKV));
    return success();
  }
  std::optional<Blocking> blocking = blockingFor(rowsPerTask);
  if (!blocking)
    return error("rows-per-task=" + Twine(rowsPerTask) +
                 ": expected 1, 2, 4 or 8 (the decode kernel), or 16, 32, "
                 "48, 64, 80, 96 or 192");
  if (tileKV < blocking->block || tileKV % blocking->block != 0 ||
      tileKV > kMaxCPUTileKV)
    return error("tile-kv=" + Twine(tileKV) + ": expected a multiple of " +
                 Twine(blocking->block) + " (the register block of " +
                 "rows-per-task=" + Twine(rowsPerTask) + ") up to " +
                 Twine(kMaxCPUTileKV));
  return success();
}

LogicalResult mlir::attn::convertSdpaFunctionToCPUKernel(func::FuncOp func,
                                                         int64_t tileKV,
                                                         int64_t rowsPerTask) {
  auto fail = [&](const Twine &why) {
    return func.emitError() << "convert-attn-to-cpu: " << why;
  };
  if (failed(verifyCPUTiling(
          tileKV, rowsPerTask,
          [&](const Twine &why) -> LogicalResult { return fail(why); })))
    return failure();
  const bool decode = isDecodeRows(rowsPerTask);
  FailureOr<SdpaOp> matched = matchKernelFunction(func, "convert-attn-to-cpu");
  if (failed(matched))
    return failure();
  SdpaOp sdpa = *matched;
  auto qType = cast<RankedTensorType>(sdpa.getQuery().getType());
  auto vType = cast<RankedTensorType>(sdpa.getValue().getType());
  if (!qType.getElementType().isF32())
    return func.emitError() << "convert-attn-to-cpu: the CPU kernel supports "
                               "f32 only, got "
                            << qType.getElementType();
  if (qType.isDynamicDim(3) || vType.isDynamicDim(3))
    return fail("the head dims d and d_v must be static");
  int64_t d = qType.getDimSize(3), dv = vType.getDimSize(3);
  if (d < 1 || d > kMaxKernelHeadDim || dv > kMaxKernelHeadDim)
    return fail("d and d_v must be 1 to " + Twine(kMaxKernelHeadDim) +
                ", got d = " + Twine(d) + ", d_v = " + Twine(dv));
  int64_t vBlock = decode ? 1 : blockingFor(rowsPerTask)->block;
  if (dv < 1 || dv % vBlock != 0)
    return fail("d_v must be a multiple of " + Twine(vBlock) + ", got " +
                Twine(dv));
  int64_t scratch = getCPUKernelScratchBytes(d, dv, tileKV, rowsPerTask);
  if (scratch > kMaxCPUScratchBytes)
    return fail("the kernel would keep " + Twine(scratch) +
                " bytes of scratch on the stack, more than " +
                Twine(kMaxCPUScratchBytes) +
                ": use a smaller tile-kv or rows-per-task");
  KernelSpec spec{d,
                  dv,
                  sdpa.getScale() ? sdpa.getScale()->convertToDouble()
                                  : 1.0 / std::sqrt(static_cast<double>(d)),
                  sdpa.getMaskAttr(),
                  {},
                  static_cast<bool>(sdpa.getLse()),
                  sdpa.getScoreModAttr()};
  spec.packGqa = func->hasAttr(kPackGqaAttrName);
  if (sdpa.getKvSplitAttr())
    return fail("the CPU kernel computes whole attn.sdpa ops, not kv_split "
                "parts (attn-flash-to-llvm does)");
  if (spec.mask) {
    spec.band = spec.mask.getBand();
    spec.numTables = spec.mask.getNumTables();
    if (spec.numTables > ATTNRT_MAX_TABLES)
      return fail(Twine(spec.mask.getNumTables()) +
                  " run-time mask tables: the runtime passes at most " +
                  Twine(ATTNRT_MAX_TABLES));
  }

  // New signature: q, k, v, o[, lse] as strided memrefs, then [begin, end).
  MLIRContext *ctx = func.getContext();
  // The head dim of Q, K, V, O is contiguous (attnrt checks it): its stride
  // is a static 1, so rows load as vectors.
  auto strided = [&](int64_t rank) {
    SmallVector<int64_t> shape(rank, ShapedType::kDynamic);
    SmallVector<int64_t> strides(rank, ShapedType::kDynamic);
    if (rank == 4)
      strides.back() = 1;
    auto layout = StridedLayoutAttr::get(ctx, ShapedType::kDynamic, strides);
    return MemRefType::get(shape, Float32Type::get(ctx), layout);
  };
  SmallVector<Type> inputs = {strided(4), strided(4), strided(4), strided(4)};
  if (spec.hasLse)
    inputs.push_back(strided(3));
  // Mask tables: [B, H_q, rows, cols] of i32, strides as attnrt gives them
  // (0 over what a table shares).
  for (int64_t i = 0; i < spec.numTables; ++i)
    inputs.push_back(MemRefType::get(
        SmallVector<int64_t>(4, ShapedType::kDynamic),
        IntegerType::get(ctx, 32),
        StridedLayoutAttr::get(ctx, ShapedType::kDynamic,
                               SmallVector<int64_t>(4, ShapedType::kDynamic))));
  IndexType index = IndexType::get(ctx);
  inputs.push_back(index);
  inputs.push_back(index);
  func.getBody().getBlocks().clear();
  func.setFunctionType(FunctionType::get(ctx, inputs, {}));
  func.addEntryBlock();
  // Publish what the kernel computes next to it, for attnrt to check the
  // kernel struct against: `int64_t __attn_meta_<name>[ATTNRT_META_SIZE]`.
  {
    OpBuilder b(func);
    KernelMetadata meta{qType.getElementType(), d, dv, spec.hasLse,
                        rowsPerTask};
    meta.tables = spec.numTables;
    meta.packGqa = spec.packGqa;
    createKernelMetadata(b, func.getLoc(),
                         ("__attn_meta_" + func.getSymName()).str(), meta);
  }
  func->setAttr("llvm.emit_c_interface", UnitAttr::get(ctx));
  if (decode)
    emitDecodeKernel(func, spec, rowsPerTask, tileKV);
  else
    FlashEmitter(func, spec, tileKV, *blockingFor(rowsPerTask)).emit();
  return success();
}

namespace {
struct ConvertAttnToCPU : attn::impl::ConvertAttnToCPUBase<ConvertAttnToCPU> {
  using Base::Base;

  /// The options, checked where they are parsed.
  LogicalResult initializeOptions(
      StringRef options,
      function_ref<LogicalResult(const Twine &)> errorHandler) override {
    if (failed(Pass::initializeOptions(options, errorHandler)))
      return failure();
    return verifyCPUTiling(tileKV, rowsPerTask, [&](const Twine &why) {
      return errorHandler("convert-attn-to-cpu: " + why);
    });
  }

  void runOnOperation() override {
    SmallVector<func::FuncOp> sdpaFuncs, linearFuncs;
    getOperation()->walk([&](func::FuncOp f) {
      if (f.getBody().empty())
        return;
      Block &body = f.getBody().front();
      if (!body.getOps<SdpaOp>().empty())
        sdpaFuncs.push_back(f);
      else if (!body.getOps<LinearOp>().empty())
        linearFuncs.push_back(f);
    });
    for (func::FuncOp f : sdpaFuncs)
      if (failed(convertSdpaFunctionToCPUKernel(
              f, tileKV, getFunctionRowsPerTask(f, rowsPerTask))))
        return signalPassFailure();
    for (func::FuncOp f : linearFuncs)
      if (failed(convertLinearFunctionToCPUKernel(f)))
        return signalPassFailure();
  }
};
} // namespace
