//===- DecodeKernel.cpp - attn.sdpa for a few query rows on the CPU
//--------===//
//
// The CPU kernel for rows-per-task R in {1, 2, 4, 8}: decode, where a task
// holds query rows of one head — or, packed (kPackGqaAttrName), rows of the
// query heads that share a KV head, (head, query) pairs — and reads a long
// KV cache once. The flash kernel puts rows in lanes,
// which leaves 12 of 16 lanes empty for four rows; here the head dim is in
// lanes and keys go T = tile-kv at a time:
//
//   for task t in [begin, end):                 (b, h, rows [qs, qs + R))
//     Q̂ = scale·log2(e) · Q[b, h, rows, :]     [R][d], zero past N_q
//     o = 0 [R][d_v];  m = −∞, l = 0 per row
//     for keys ks in [lo, hi) step T:            (lo, hi from the mask band)
//       s[r][j] = Σ_x Q̂[r, x]·K[ks + j, x]      one reduction per row and key;
//                                                 the tile after next
//                                                 prefetched
//       per row: score_mod(s) if the op has one; lanes past hi or not
//       allowed by the mask → −∞;
//       m' = max(m, max_j s); α = 2^(m − m'); p = 2^(s − m'); l = α l + Σ_j p
//       o[r] = α o[r] + Σ_j p[r][j]·V[ks + j]    register blocks of R rows ×
//                                                 16·(16/R) value columns
//     O[rows] = o / l;  LSE = m·ln 2 + log l     (0 and −∞ where l = 0)
//
// Per key and row that is d/16 FMAs and a reduction for the score and d_v/16
// FMAs for the value: the work of the rows there are, not of 16 lanes.
//
//===----------------------------------------------------------------------===//

#include "DecodeKernel.h"

#include "attn/Dialect/Attn/Utils/MaskUtils.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <cmath>

using namespace mlir;
using namespace mlir::attn;
using namespace mlir::attn::cpu_kernel;

namespace {

/// Emits the decode kernel's body into a function already holding the CPU
/// kernel signature (q, k, v, o[, lse], begin, end).
class DecodeEmitter : SdpaEmitterBase {
public:
  DecodeEmitter(func::FuncOp func, const KernelSpec &spec, int64_t rows,
                int64_t tile)
      : SdpaEmitterBase(func, spec, rows), rows(rows), tile(tile) {}

  void emit() {
    buildScratch();
    emitTaskLoop([&](Value task) { emitTask(task); });
  }

private:
  void buildScratch();
  void emitTask(Value task);
  void loadScaledQuery(const TaskIndex &t);
  SmallVector<Value> keyStep(const TaskIndex &t, Value ks, Value hi,
                             ValueRange state);
  void computeScores(const TaskIndex &t, Value ks, Value hi);
  SmallVector<Value> softmaxRow(const TaskIndex &t, int64_t r, Value ks,
                                Value hi, Value m, Value l);
  void accumulateValues(const TaskIndex &t, Value ks, Value keys,
                        ArrayRef<Value> alpha);
  void epilogue(const TaskIndex &t, ValueRange state);

  Value reduce(vector::CombiningKind kind, Value x) {
    return vector::ReductionOp::create(b, loc, kind, x);
  }
  Value cmpf(arith::CmpFPredicate p, Value x, Value y) {
    return arith::CmpFOp::create(b, loc, p, x, y);
  }

  const int64_t rows, tile; // R, T
  Value qHat, acc, scores;  // scratch: Q̂ [R][dp], o [R][dvp], s/p [R][T]
  SmallVector<Value> keyLanes; // ks-relative key of each lane, per vector
};

void DecodeEmitter::buildScratch() {
  auto scratch = [&](int64_t r, int64_t cols) -> Value {
    return memref::AllocaOp::create(
        b, loc, MemRefType::get({r, cols}, b.getF32Type()),
        b.getI64IntegerAttr(64));
  };
  qHat = scratch(rows, roundUpToLanes(spec.headDim));
  acc = scratch(rows, roundUpToLanes(spec.valueDim));
  scores = scratch(rows, tile);
  for (int64_t x = 0; x < tile / kLanes; ++x) {
    SmallVector<int64_t> lanes;
    for (int64_t i = 0; i < kLanes; ++i)
      lanes.push_back(x * kLanes + i);
    keyLanes.push_back(arith::ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(VectorType::get({kLanes}, b.getIndexType()),
                               ArrayRef<int64_t>(lanes))));
  }
}

void DecodeEmitter::emitTask(Value task) {
  TaskIndex t = taskIndex(task);
  loadScaledQuery(t);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t x = 0; x < roundUpToLanes(spec.valueDim) / kLanes; ++x)
      kb.vstore(kb.splat(0.0), acc, {kb.idx(r), kb.idx(x * kLanes)});
  auto [firstQuery, queries] = queryRowsOf(t);
  KeyRange range = keyRange(t, firstQuery, queries);
  // Per row: m, then l, each a splat vector.
  SmallVector<Value> init;
  for (int64_t r = 0; r < rows; ++r)
    init.append({kb.splat(-INFINITY), kb.splat(0.0)});
  SmallVector<Value> state =
      kb.loop(range.lo, range.hi, kb.idx(tile), init,
              [&](Value ks, ValueRange s) {
                return keyStep(t, ks, range.hi, s);
              });
  epilogue(t, state);
}

/// Q̂[r] = scale · log2(e) · Q[b, h, qs + r] (scores in log2 units), zero for
/// rows past N_q.
void DecodeEmitter::loadScaledQuery(const TaskIndex &t) {
  Value scale = kb.splat(spec.scale * M_LOG2E);
  for (int64_t r = 0; r < rows; ++r) {
    Value valid = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt,
                                        kb.idx(r), t.rows);
    RowSite site = rowSite(t, r, /*clamp=*/true); // loaded, then zeroed
    for (int64_t x = 0; x < roundUpToLanes(spec.headDim) / kLanes; ++x) {
      Value val = arith::MulFOp::create(
          b, loc,
          kb.rowVector(q, t.batch, site.head, site.query, x, spec.headDim),
          scale);
      val = arith::SelectOp::create(b, loc, valid, val, kb.splat(0.0));
      kb.vstore(val, qHat, {kb.idx(r), kb.idx(x * kLanes)});
    }
  }
}

/// One tile of keys [ks, min(ks + T, hi)): scores, the softmax of each row,
/// then o += P·V. Returns the rows' next (m, l).
SmallVector<Value> DecodeEmitter::keyStep(const TaskIndex &t, Value ks,
                                          Value hi, ValueRange state) {
  computeScores(t, ks, hi);
  SmallVector<Value> next, alpha;
  for (int64_t r = 0; r < rows; ++r) {
    SmallVector<Value> row =
        softmaxRow(t, r, ks, hi, state[2 * r], state[2 * r + 1]);
    next.append({row[0], row[1]});
    alpha.push_back(row[2]);
  }
  accumulateValues(t, ks, kb.min(kb.idx(tile), kb.sub(hi, ks)), alpha);
  return next;
}

/// s[r][j] = Q̂[r]·K[ks + j] for the tile's keys (clamped to hi − 1, so that
/// every load is in bounds; softmaxRow drops them), prefetching the K and V
/// rows two tiles ahead.
void DecodeEmitter::computeScores(const TaskIndex &t, Value ks, Value hi) {
  int64_t dVecs = roundUpToLanes(spec.headDim) / kLanes;
  Value last = kb.sub(hi, c1);
  kb.loop(c0, kb.idx(tile), c1, [&](Value j) {
    Value key = kb.min(kb.add(ks, j), last);
    Value ahead = kb.min(kb.add(key, kb.idx(2 * tile)), kb.sub(numK, c1));
    for (auto [src, cols] : {std::pair(k, spec.headDim),
                             std::pair(v, spec.valueDim)})
      for (int64_t c = 0; c < cols; c += kLanes)
        memref::PrefetchOp::create(b, loc, src,
                                   ValueRange{t.batch, t.hk, ahead, kb.idx(c)},
                                   /*isWrite=*/false, /*localityHint=*/2,
                                   /*isDataCache=*/true);
    SmallVector<Value> keyRow;
    for (int64_t x = 0; x < dVecs; ++x)
      keyRow.push_back(kb.rowVector(k, t.batch, t.hk, key, x, spec.headDim));
    for (int64_t r = 0; r < rows; ++r) {
      // Two chains of FMAs, joined before the reduction.
      Value sum[2] = {kb.splat(0.0), kb.splat(0.0)};
      for (int64_t x = 0; x < dVecs; ++x)
        sum[x % 2] = kb.fma(kb.vload(qHat, {kb.idx(r), kb.idx(x * kLanes)}),
                            keyRow[x], sum[x % 2]);
      Value dot = reduce(vector::CombiningKind::ADD,
                         arith::AddFOp::create(b, loc, sum[0], sum[1]));
      kb.store(dot, scores, {kb.idx(r), j});
    }
  });
}

/// Row r's online softmax over the tile: masks the lanes past hi and those
/// the mask does not allow, turns s into p in place. Returns (m', l', α).
SmallVector<Value> DecodeEmitter::softmaxRow(const TaskIndex &t, int64_t r,
                                             Value ks, Value hi, Value m,
                                             Value l) {
  Value rowIdx = kb.idx(r);
  RowSite site = rowSite(t, r);
  auto type = VectorType::get({kLanes}, b.getIndexType());
  auto splatIdx = [&](Value x) -> Value {
    return vector::BroadcastOp::create(b, loc, type, x);
  };
  SmallVector<Value> s;
  Value tileMax = kb.splat(-INFINITY);
  for (auto [x, lanes] : llvm::enumerate(keyLanes)) {
    Value col = kb.idx(static_cast<int64_t>(x) * kLanes);
    Value keys = arith::AddIOp::create(b, loc, splatIdx(ks), lanes);
    Value keep = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, keys,
                                       splatIdx(hi));
    MaskPoint point{splatIdx(t.batch), splatIdx(site.head),
                    splatIdx(site.query), keys,
                    splatIdx(kb.add(site.query, shift))};
    Value score = kb.vload(scores, {rowIdx, col});
    if (spec.scoreMod) // on the scaled scores (log2 units), before the mask
      score = spec.scoreMod.buildScore(b, loc, score, point, headsQ, M_LOG2E);
    if (spec.mask)
      keep = arith::AndIOp::create(b, loc, keep, allowed(point));
    Value val =
        arith::SelectOp::create(b, loc, keep, score, kb.splat(-INFINITY));
    s.push_back(val);
    tileMax = arith::MaxNumFOp::create(b, loc, tileMax, val);
  }
  // As the flash kernel: maxnumf leaves a NaN score out of m but not out
  // of p; a row with no allowed key yet subtracts 0 (−∞ − 0 = −∞, p = 0).
  Value newMax = arith::MaxNumFOp::create(
      b, loc, m, kb.bcast(reduce(vector::CombiningKind::MAXNUMF, tileMax)));
  Value unseen = cmpf(arith::CmpFPredicate::OEQ, newMax, kb.splat(-INFINITY));
  Value subtract =
      arith::SelectOp::create(b, loc, unseen, kb.splat(0.0), newMax);
  Value alpha = kb.rescale(m, newMax, subtract);
  Value sum = kb.splat(0.0);
  for (auto [x, val] : llvm::enumerate(s)) {
    Value p = kb.exp2(arith::SubFOp::create(b, loc, val, subtract));
    kb.vstore(p, scores, {rowIdx, kb.idx(static_cast<int64_t>(x) * kLanes)});
    sum = arith::AddFOp::create(b, loc, sum, p);
  }
  Value newL = kb.fma(alpha, l, kb.bcast(reduce(vector::CombiningKind::ADD,
                                                sum)));
  return {newMax, newL, alpha};
}

/// o[r] = α_r o[r] + Σ_{j < keys} p[r][j]·V[ks + j]: register blocks of all
/// R rows × up to 16 / R lane-vectors of value columns.
void DecodeEmitter::accumulateValues(const TaskIndex &t, Value ks, Value keys,
                                     ArrayRef<Value> alpha) {
  const int64_t dvp = roundUpToLanes(spec.valueDim);
  const int64_t blockVecs = std::max<int64_t>(1, 16 / rows);
  for (int64_t e0 = 0; e0 < dvp; e0 += blockVecs * kLanes) {
    int64_t vecs = std::min(blockVecs, (dvp - e0) / kLanes);
    auto col = [&](int64_t x) { return e0 / kLanes + x; };
    SmallVector<Value> sums = kb.broadcastFmaBlock(
        keys, rows, vecs, SmallVector<Value>(rows * vecs, kb.splat(0.0)),
        [&](Value j, int64_t r) {
          return kb.load(scores, {kb.idx(r), j});
        },
        [&](Value j, int64_t x) {
          return kb.rowVector(v, t.batch, t.hk, kb.add(ks, j), col(x),
                              spec.valueDim);
        });
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t x = 0; x < vecs; ++x) {
        SmallVector<Value> at = {kb.idx(r), kb.idx(col(x) * kLanes)};
        kb.vstore(kb.fma(alpha[r], kb.vload(acc, at), sums[vecs * r + x]),
                  acc, at);
      }
  }
}

/// O[qs + r] = o[r] / l and LSE = m·ln 2 + log l for the task's rows; a row
/// that saw no key (l = 0) gets 0 and −∞.
void DecodeEmitter::epilogue(const TaskIndex &t, ValueRange state) {
  for (int64_t r = 0; r < rows; ++r) {
    Value valid = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt,
                                        kb.idx(r), t.rows);
    scf::IfOp::create(b, loc, valid, [&](OpBuilder &, Location) {
      Value m = state[2 * r], l = state[2 * r + 1];
      Value empty = cmpf(arith::CmpFPredicate::OEQ, l, kb.splat(0.0));
      Value inv = arith::SelectOp::create(
          b, loc, empty, kb.splat(0.0),
          arith::DivFOp::create(b, loc, kb.splat(1.0), l));
      RowSite site = rowSite(t, r);
      for (int64_t x = 0; x < roundUpToLanes(spec.valueDim) / kLanes; ++x) {
        Value out = arith::MulFOp::create(
            b, loc, kb.vload(acc, {kb.idx(r), kb.idx(x * kLanes)}), inv);
        kb.storeRowVector(out, o, t.batch, site.head, site.query, x,
                          spec.valueDim);
      }
      if (lse) {
        Value logSum = arith::AddFOp::create(
            b, loc, arith::MulFOp::create(b, loc, m, kb.splat(M_LN2)),
            math::LogOp::create(b, loc, l));
        Value value = arith::SelectOp::create(b, loc, empty,
                                              kb.splat(-INFINITY), logSum);
        kb.store(vector::ExtractOp::create(b, loc, value, 0), lse,
                 {t.batch, site.head, site.query});
      }
      scf::YieldOp::create(b, loc);
    });
  }
}

} // namespace

bool mlir::attn::cpu_kernel::isDecodeRows(int64_t rowsPerTask) {
  return rowsPerTask == 1 || rowsPerTask == 2 || rowsPerTask == 4 ||
         rowsPerTask == 8;
}

int64_t mlir::attn::cpu_kernel::getDecodeScratchBytes(int64_t d, int64_t dv,
                                                      int64_t tileKV,
                                                      int64_t rows) {
  int64_t floats =
      rows * (roundUpToLanes(d) + roundUpToLanes(dv) + tileKV);
  return 4 * floats + 3 * 64;
}

void mlir::attn::cpu_kernel::emitDecodeKernel(func::FuncOp func,
                                              const KernelSpec &spec,
                                              int64_t rows, int64_t tileKV) {
  DecodeEmitter(func, spec, rows, tileKV).emit();
}
