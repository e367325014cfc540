//===- LinearKernel.cpp - attn.linear as a chunked CPU kernel -------------===//
//
// Rewrites a function whose body is one `attn.linear` of its arguments into a
// CPU kernel of the reassociated, O(N) form. attnrt calls it in phases, each
// over tasks [begin, end) it spreads on its threads, with a workspace
// W = (S, z) of one d_f × d_v state and d_f normaliser per key block of L
// rows (L = `block-rows`, a multiple of the chunk C, chosen per call):
//
//   phase 0, task (b, h_kv, block):  W[blk] = (φK_blkᵀ V_blk, φK_blkᵀ 1)
//                                    FAVOR+: keys shifted by the block's own
//                                    largest exponent, kept in M[blk]
//   phase 1, task (b, h_kv):         W[blk] += W[blk − 1]    (prefix sums;
//                                    FAVOR+: W[blk] first rescaled to the
//                                    head's shift, max(M[·]))
//   phase 2, task (b, h_q, block):   the outputs of L rows, in chunks of C:
//     non-causal  (S, z) = W[last];  O = φQ S / (φQ z + eps)
//     causal      (S, z) = W[blk − 1] (0 for the first block), then per chunk
//                 A = tril(φQ_c φK_cᵀ)
//                 O_c = (φQ_c S + A V_c) / (φQ_c z + A 1 + eps)
//                 S += φK_cᵀ V_c;  z += φK_cᵀ 1
//
// Causal rows are counted in key positions: query i sits at i + N_kv − N_q
// (attnrt requires N_q ≤ N_kv). With one block a head, phases 0 and 1 have
// nothing to do for causal attention; attnrt skips them.
//
// FAVOR+ (φ(x)_f = m^(−1/2)·exp(ω_fᵀx̂ − ‖x̂‖²/2 − shift), x̂ = x·d^(−1/4)) is
// attn.linear's max-stabilised form: a query row is shifted by its own
// largest exponent, every key of a (batch, KV head) by the largest over all
// of them, max(M[·]). Keys are mapped once for the sums: phase 0 shifts a
// block's keys by the largest exponent seen so far in the block, rescaling
// its running sums by exp(old − new) when that moves (as an online softmax
// does), and phase 1 takes each block to the head's shift. For causal
// attention phase 0 also has a task for the last key block, whose state no
// row reads: it only finds that block's M. The projection ω [d, m] is a
// constant of the function; the kernel keeps it as a global, zero-padded to
// [d, m rounded up to 16].
//
// Every product is a broadcast-FMA register block of 4 rows × up to 4
// vector<16xf32> (the CPU flash kernel's builders); rows of φQ, φK, V are
// packed into zero-padded scratch (φ applied there, widths rounded up to 16
// lanes, masked loads for the tail).
//
//===----------------------------------------------------------------------===//

#include "KernelBuilder.h"
#include "attn/Conversion/AttnToCPU/AttnToCPU.h"
#include "attn/Dialect/Attn/IR/AttnOps.h"
#include "attn/Dialect/Attn/Utils/KernelUtils.h"
#include "attn/Runtime/attnrt.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace mlir::attn;
using namespace mlir::attn::cpu_kernel;

static_assert(
    static_cast<int>(FeatureMapKind::FavorPlus) == ATTNRT_FEATURE_FAVOR_PLUS &&
        static_cast<int>(FeatureMapKind::Relu) == ATTNRT_FEATURE_RELU &&
        static_cast<int>(FeatureMapKind::EluPlusOne) ==
            ATTNRT_FEATURE_ELU_PLUS_ONE &&
        static_cast<int>(FeatureMapKind::Identity) == ATTNRT_FEATURE_IDENTITY,
    "attnrt_feature_map holds FeatureMapKind's values");

namespace {

constexpr int64_t kRowBlock = 4; // rows of a register block
constexpr int64_t kColVecs = 4;  // lane-vectors of a register block

/// What the kernel computes, read off the attn.linear it replaces.
struct LinearSpec {
  FeatureMapKind map;
  int64_t d, dv; // head dims of q/k and v
  bool causal;
  double eps;
  int64_t features;             // φ's width: d, or FAVOR+'s m
  DenseElementsAttr projection; // FAVOR+: ω [d, m] as f32; null otherwise
  bool favor() const { return map == FeatureMapKind::FavorPlus; }
  int64_t fp() const { return roundUpToLanes(features); } // padded width
  int64_t dvp() const { return roundUpToLanes(dv); }
};

/// FAVOR+'s ω as the kernel keeps it: [d][fp], zero past m.
MemRefType omegaType(const LinearSpec &spec) {
  return MemRefType::get({spec.d, spec.fp()},
                         Float32Type::get(spec.projection.getContext()));
}
std::string omegaSymbol(func::FuncOp func) {
  return ("__attn_omega_" + func.getSymName()).str();
}

/// A task's block of keys: (batch·KV head) bh = (batch, hk), rows [first,
/// last).
struct KeyBlock {
  Value bh, batch, hk, first, last;
};

/// Emits the body of a linear-attention kernel.
struct LinearEmitter {
  LinearEmitter(KernelBuilder kb, LinearSpec spec) : kb(kb), spec(spec) {}

  KernelBuilder kb;
  LinearSpec spec;
  const int64_t chunk = kLinearChunk;
  // Arguments.
  Value q, k, v, o, wsS, wsZ, wsM, phase, blockRows, begin, end;
  // FAVOR+: ω [d][fp], a global; the chunk's rows x̂ [C][dp].
  Value omega, xs;
  // Scratch: φQ, φK [C][fp]; φKᵀ [fp][C]; V [C][dvp]; A [C][C]; S [fp][dvp];
  // z [fp].
  Value fq, fk, fkT, vp, scores, state, norm;
  // Sizes read off the arguments.
  Value numQ, numK, headsQ, headsKV, group, shift;

  OpBuilder &b() { return kb.b; }
  Location loc() { return kb.loc; }
  Value cmp(arith::CmpIPredicate p, Value x, Value y) {
    return arith::CmpIOp::create(b(), loc(), p, x, y);
  }
  Value max(Value x, Value y) {
    return arith::MaxSIOp::create(b(), loc(), x, y);
  }
  Value ceilDiv(Value x, Value y) {
    return arith::CeilDivUIOp::create(b(), loc(), x, y);
  }
  Value div(Value x, Value y) {
    return arith::DivUIOp::create(b(), loc(), x, y);
  }
  Value rem(Value x, Value y) {
    return arith::RemUIOp::create(b(), loc(), x, y);
  }
  Value fadd(Value x, Value y) {
    return arith::AddFOp::create(b(), loc(), x, y);
  }
  Value fmul(Value x, Value y) {
    return arith::MulFOp::create(b(), loc(), x, y);
  }
  void ifThen(Value cond, function_ref<void()> body) {
    scf::IfOp::create(b(), loc(), cond, [&](OpBuilder &, Location) {
      body();
      scf::YieldOp::create(b(), loc());
    });
  }
  void build(func::FuncOp func);
  Value phi(Value x);
  void favorProducts(Value src, Value batch, Value head, Value firstRow,
                     Value lo, Value hi, Value dst);
  SmallVector<Value> favorExponents(Value products, Value r);
  Value headShift(Value bh);
  Value chunkKeyMax(Value count);
  Value blockKeyMax(const KeyBlock &kbk);
  void favorFeatures(Value lo, Value hi, Value dst, Value keyShift);
  void scaleState(Value factor);
  Value shiftFactor(Value from, Value to);
  void favorBlockSums(const KeyBlock &kbk, Value blk);
  void rescaleBlocks(Value bh);
  void packRows(Value lo, Value hi, Value dst, int64_t vecs,
                function_ref<SmallVector<Value>(Value)> rowOf);
  void packInputRows(Value src, Value batch, Value head, Value firstRow,
                     Value lo, Value hi, Value dst, int64_t width);
  void packFeatureRows(Value src, Value batch, Value head, Value firstRow,
                       Value lo, Value hi, Value dst, Value keyShift);
  void transposeKeys();
  void clearState();
  void copyState(Value bh, Value blk, bool toWorkspace);
  void updateState();
  void computeScores();
  void computeOutputs(Value batch, Value head, Value firstRow, Value lo,
                      Value hi);
  void phaseBlockSums(Value task);
  void phasePrefix(Value task);
  void phaseOutputs(Value task);
  KeyBlock keyBlock(Value task, Value blocks);
};

/// φ of one vector of a row (identity, elu + 1 or relu; NaN stays NaN).
Value LinearEmitter::phi(Value x) {
  switch (spec.map) {
  case FeatureMapKind::EluPlusOne: {
    Value pos = arith::CmpFOp::create(b(), loc(), arith::CmpFPredicate::OGT, x,
                                      kb.splat(0.0));
    Value negative = arith::MinNumFOp::create(b(), loc(), x, kb.splat(0.0));
    Value ex = kb.exp2(fmul(negative, kb.splat(M_LOG2E)));
    return arith::SelectOp::create(b(), loc(), pos, fadd(x, kb.splat(1.0)), ex);
  }
  case FeatureMapKind::Relu:
    return arith::MaximumFOp::create(b(), loc(), x, kb.splat(0.0));
  default:
    return x;
  }
}

/// dst[r] = x̂_r ω for chunk rows r of src (x̂ = x·d^(−1/4), rows [lo, hi)
/// of the chunk at firstRow, zero for the others): x̂ packed into xs, then
/// one register-blocked product over d.
void LinearEmitter::favorProducts(Value src, Value batch, Value head,
                                  Value firstRow, Value lo, Value hi,
                                  Value dst) {
  int64_t xVecs = roundUpToLanes(spec.d) / kLanes;
  Value xScale = kb.splat(std::pow(static_cast<double>(spec.d), -0.25));
  packRows(lo, hi, xs, xVecs, [&](Value r) {
    SmallVector<Value> row;
    for (int64_t x = 0; x < xVecs; ++x)
      row.push_back(
          fmul(kb.rowVector(src, batch, head, kb.add(firstRow, r), x, spec.d),
               xScale));
    return row;
  });
  kb.loop(kb.idx(0), kb.idx(chunk), kb.idx(kRowBlock), [&](Value iBlock) {
    for (int64_t f0 = 0; f0 < spec.fp(); f0 += kColVecs * kLanes) {
      int64_t vecs = std::min(kColVecs, (spec.fp() - f0) / kLanes);
      SmallVector<Value> acc = kb.broadcastFmaBlock(
          kb.idx(spec.d), kRowBlock, vecs,
          SmallVector<Value>(kRowBlock * vecs, kb.splat(0.0)),
          [&](Value c, int64_t i) {
            return kb.load(xs, {kb.add(iBlock, kb.idx(i)), c});
          },
          [&](Value c, int64_t x) {
            return kb.vload(omega, {c, kb.idx(f0 + x * kLanes)});
          });
      for (int64_t i = 0; i < kRowBlock; ++i)
        for (int64_t x = 0; x < vecs; ++x)
          kb.vstore(acc[vecs * i + x], dst,
                    {kb.add(iBlock, kb.idx(i)), kb.idx(f0 + x * kLanes)});
    }
  });
}

/// FAVOR+'s exponents ω_fᵀx̂ − ‖x̂‖²/2 of chunk row r, from favorProducts'
/// `products`: fp / 16 vectors whose lanes past the feature count are −∞.
SmallVector<Value> LinearEmitter::favorExponents(Value products, Value r) {
  Value squares = kb.splat(0.0);
  for (int64_t x = 0; x < roundUpToLanes(spec.d) / kLanes; ++x) {
    Value val = kb.vload(xs, {r, kb.idx(x * kLanes)});
    squares = kb.fma(val, val, squares);
  }
  Value halfNorm =
      kb.bcast(fmul(vector::ReductionOp::create(
                        b(), loc(), vector::CombiningKind::ADD, squares),
                    kb.f32(0.5)));
  SmallVector<Value> e;
  for (int64_t x = 0; x < spec.fp() / kLanes; ++x) {
    Value v = arith::SubFOp::create(
        b(), loc(), kb.vload(products, {r, kb.idx(x * kLanes)}), halfNorm);
    if ((x + 1) * kLanes > spec.features)
      v = arith::SelectOp::create(b(), loc(), kb.tailMask(spec.features, x), v,
                                  kb.splat(-INFINITY));
    e.push_back(v);
  }
  return e;
}

/// The shift of the keys of (batch·KV head) `bh`: the largest of its key
/// blocks' exponents (phase 0's M).
Value LinearEmitter::headShift(Value bh) {
  Value init = kb.f32(-INFINITY);
  return kb.loop(kb.idx(0), kb.dim(wsM, 1), kb.idx(1), {init},
                 [&](Value blk, ValueRange best) -> SmallVector<Value> {
                   return {arith::MaximumFOp::create(b(), loc(), best[0],
                                                     kb.load(wsM, {bh, blk}))};
                 })[0];
}

/// The largest of FAVOR+'s exponents over rows [0, count) of the chunk whose
/// products favorProducts left in fk.
Value LinearEmitter::chunkKeyMax(Value count) {
  Value best = kb.loop(kb.idx(0), count, kb.idx(1), {kb.splat(-INFINITY)},
                       [&](Value r, ValueRange m) -> SmallVector<Value> {
                         Value next = m[0];
                         for (Value e : favorExponents(fk, r))
                           next =
                               arith::MaximumFOp::create(b(), loc(), next, e);
                         return {next};
                       })[0];
  return vector::ReductionOp::create(b(), loc(),
                                     vector::CombiningKind::MAXIMUMF, best);
}

/// The largest key exponent of a key block.
Value LinearEmitter::blockKeyMax(const KeyBlock &kbk) {
  Value c0 = kb.idx(0);
  return kb.loop(kbk.first, kbk.last, kb.idx(chunk), {kb.f32(-INFINITY)},
                 [&](Value r0, ValueRange acc) -> SmallVector<Value> {
                   Value count = kb.min(kb.idx(chunk), kb.sub(numK, r0));
                   favorProducts(k, kbk.batch, kbk.hk, r0, c0, count, fk);
                   return {arith::MaximumFOp::create(b(), loc(), acc[0],
                                                     chunkKeyMax(count))};
                 })[0];
}

/// exp(from − to) as a vector, exactly 1 where from = to (the polynomial
/// exp2 gives 1 − 6e-8 at 0, which repeated rescales would accumulate).
Value LinearEmitter::shiftFactor(Value from, Value to) {
  Value t = fmul(kb.bcast(arith::SubFOp::create(b(), loc(), from, to)),
                 kb.splat(M_LOG2E));
  Value same =
      arith::CmpFOp::create(b(), loc(), arith::CmpFPredicate::OEQ, from, to);
  return arith::SelectOp::create(b(), loc(), same, kb.splat(1.0), kb.exp2(t));
}

/// (S, z) of the scratch state times `factor` (a vector).
void LinearEmitter::scaleState(Value factor) {
  kb.loop(kb.idx(0), kb.idx(spec.fp()), kb.idx(1), [&](Value c) {
    for (int64_t x = 0; x < spec.dvp() / kLanes; ++x) {
      SmallVector<Value> at = {c, kb.idx(x * kLanes)};
      kb.vstore(fmul(kb.vload(state, at), factor), state, at);
    }
  });
  for (int64_t x = 0; x < spec.fp() / kLanes; ++x) {
    SmallVector<Value> at = {kb.idx(x * kLanes)};
    kb.vstore(fmul(kb.vload(norm, at), factor), norm, at);
  }
}

/// dst[r] = rowOf(r) (`vecs` vectors) for chunk rows r in [lo, hi), zero for
/// the other rows of the chunk.
void LinearEmitter::packRows(Value lo, Value hi, Value dst, int64_t vecs,
                             function_ref<SmallVector<Value>(Value)> rowOf) {
  kb.loop(kb.idx(0), kb.idx(chunk), kb.idx(1), [&](Value r) {
    Value valid =
        arith::AndIOp::create(b(), loc(), cmp(arith::CmpIPredicate::sge, r, lo),
                              cmp(arith::CmpIPredicate::slt, r, hi));
    auto store = [&](ArrayRef<Value> row) {
      for (auto [x, val] : llvm::enumerate(row))
        kb.vstore(val, dst, {r, kb.idx(int64_t(x) * kLanes)});
      scf::YieldOp::create(b(), loc());
    };
    scf::IfOp::create(
        b(), loc(), valid, [&](OpBuilder &, Location) { store(rowOf(r)); },
        [&](OpBuilder &, Location) {
          store(SmallVector<Value>(vecs, kb.splat(0.0)));
        });
  });
}

/// The rows of src ([B, H, N, width], V) as they are, zero past `width`.
void LinearEmitter::packInputRows(Value src, Value batch, Value head,
                                  Value firstRow, Value lo, Value hi, Value dst,
                                  int64_t width) {
  int64_t vecs = roundUpToLanes(width) / kLanes;
  packRows(lo, hi, dst, vecs, [&](Value r) {
    SmallVector<Value> row;
    for (int64_t x = 0; x < vecs; ++x)
      row.push_back(
          kb.rowVector(src, batch, head, kb.add(firstRow, r), x, width));
    return row;
  });
}

/// φ of the rows of src (Q or K), zero past φ's width. FAVOR+ shifts a row by
/// `keyShift`, or by its own largest exponent when that is null (queries).
void LinearEmitter::packFeatureRows(Value src, Value batch, Value head,
                                    Value firstRow, Value lo, Value hi,
                                    Value dst, Value keyShift) {
  if (spec.favor()) { // x̂ω into dst, then φ in place
    favorProducts(src, batch, head, firstRow, lo, hi, dst);
    favorFeatures(lo, hi, dst, keyShift);
    return;
  }
  int64_t vecs = spec.fp() / kLanes;
  packRows(lo, hi, dst, vecs, [&](Value r) {
    SmallVector<Value> out;
    Value row = kb.add(firstRow, r);
    for (int64_t x = 0; x < vecs; ++x) {
      Value val = phi(kb.rowVector(src, batch, head, row, x, spec.d));
      if ((x + 1) * kLanes > spec.d) // φ(0) may not be 0: clear the padding
        val = arith::SelectOp::create(b(), loc(), kb.tailMask(spec.d, x), val,
                                      kb.splat(0.0));
      out.push_back(val);
    }
    return out;
  });
}

/// FAVOR+'s φ in place of favorProducts' rows [lo, hi) of dst (zero for the
/// chunk's other rows): a row shifted by `keyShift`, or by its own largest
/// exponent when that is null (queries).
void LinearEmitter::favorFeatures(Value lo, Value hi, Value dst,
                                  Value keyShift) {
  packRows(lo, hi, dst, spec.fp() / kLanes, [&](Value r) {
    SmallVector<Value> out;
    SmallVector<Value> e = favorExponents(dst, r);
    Value shift = keyShift;
    if (!shift) {
      Value best = e[0];
      for (Value x : ArrayRef(e).drop_front())
        best = arith::MaximumFOp::create(b(), loc(), best, x);
      shift = vector::ReductionOp::create(
          b(), loc(), vector::CombiningKind::MAXIMUMF, best);
    }
    // m^(−1/2)·exp(e − shift); the padding's −∞ gives exactly 0.
    Value scale = kb.splat(1.0 / std::sqrt(static_cast<double>(spec.features)));
    for (Value x : e) {
      Value t = fmul(arith::SubFOp::create(b(), loc(), x, kb.bcast(shift)),
                     kb.splat(M_LOG2E));
      out.push_back(fmul(kb.exp2(t), scale));
    }
    return out;
  });
}

/// φKᵀ [fp][C] from φK [C][fp]: the right operand of φQ φKᵀ.
void LinearEmitter::transposeKeys() {
  kb.loop(kb.idx(0), kb.idx(chunk), kb.idx(1), [&](Value j) {
    kb.loop(kb.idx(0), kb.idx(spec.fp()), kb.idx(1), [&](Value c) {
      kb.store(kb.load(fk, {j, c}), fkT, {c, j});
    });
  });
}

void LinearEmitter::clearState() {
  kb.loop(kb.idx(0), kb.idx(spec.fp()), kb.idx(1), [&](Value c) {
    for (int64_t x = 0; x < spec.dvp() / kLanes; ++x)
      kb.vstore(kb.splat(0.0), state, {c, kb.idx(x * kLanes)});
  });
  for (int64_t x = 0; x < spec.fp() / kLanes; ++x)
    kb.vstore(kb.splat(0.0), norm, {kb.idx(x * kLanes)});
}

/// (S, z) to or from the workspace's block `blk` of (batch·head) `bh`.
void LinearEmitter::copyState(Value bh, Value blk, bool toWorkspace) {
  auto move = [&](Value from, ValueRange fromAt, Value to, ValueRange toAt) {
    kb.vstore(kb.vload(from, fromAt), to, toAt);
  };
  kb.loop(kb.idx(0), kb.idx(spec.fp()), kb.idx(1), [&](Value c) {
    for (int64_t x = 0; x < spec.dvp() / kLanes; ++x) {
      Value col = kb.idx(x * kLanes);
      if (toWorkspace)
        move(state, {c, col}, wsS, {bh, blk, c, col});
      else
        move(wsS, {bh, blk, c, col}, state, {c, col});
    }
  });
  for (int64_t x = 0; x < spec.fp() / kLanes; ++x) {
    Value col = kb.idx(x * kLanes);
    if (toWorkspace)
      move(norm, {col}, wsZ, {bh, blk, col});
    else
      move(wsZ, {bh, blk, col}, norm, {col});
  }
}

/// S += φKᵀ V and z += φKᵀ 1 over the packed chunk. The chunk's sums start
/// from zero and join the state once: the state's rounding error then grows
/// with the number of chunks, not of keys.
void LinearEmitter::updateState() {
  Value c0 = kb.idx(0), c1 = kb.idx(1), rows = kb.idx(chunk);
  kb.loop(c0, kb.idx(spec.fp()), kb.idx(kRowBlock), [&](Value kBlock) {
    for (int64_t e0 = 0; e0 < spec.dvp(); e0 += kColVecs * kLanes) {
      int64_t vecs = std::min(kColVecs, (spec.dvp() - e0) / kLanes);
      SmallVector<Value> acc = kb.broadcastFmaBlock(
          rows, kRowBlock, vecs,
          SmallVector<Value>(kRowBlock * vecs, kb.splat(0.0)),
          [&](Value j, int64_t i) {
            return kb.load(fk, {j, kb.add(kBlock, kb.idx(i))});
          },
          [&](Value j, int64_t x) {
            return kb.vload(vp, {j, kb.idx(e0 + x * kLanes)});
          });
      for (int64_t i = 0; i < kRowBlock; ++i)
        for (int64_t x = 0; x < vecs; ++x) {
          SmallVector<Value> at = {kb.add(kBlock, kb.idx(i)),
                                   kb.idx(e0 + x * kLanes)};
          kb.vstore(fadd(kb.vload(state, at), acc[vecs * i + x]), state, at);
        }
    }
  });
  SmallVector<Value> z(spec.fp() / kLanes, kb.splat(0.0));
  z = kb.loop(c0, rows, c1, z, [&](Value j, ValueRange sum) {
    SmallVector<Value> next;
    for (auto [x, s] : llvm::enumerate(sum))
      next.push_back(
          fadd(s, kb.vload(fk, {j, kb.idx(static_cast<int64_t>(x) * kLanes)})));
    return next;
  });
  for (auto [x, s] : llvm::enumerate(z)) {
    Value at = kb.idx(static_cast<int64_t>(x) * kLanes);
    kb.vstore(fadd(kb.vload(norm, {at}), s), norm, {at});
  }
}

/// A = tril(φQ φKᵀ) over the chunk: row i keeps keys j ≤ i.
void LinearEmitter::computeScores() {
  Value c0 = kb.idx(0);
  SmallVector<Value> lane;
  for (int64_t x = 0; x < chunk / kLanes; ++x) {
    SmallVector<int64_t> cols;
    for (int64_t i = 0; i < kLanes; ++i)
      cols.push_back(x * kLanes + i);
    lane.push_back(arith::ConstantOp::create(
        b(), loc(),
        DenseElementsAttr::get(VectorType::get({kLanes}, b().getIndexType()),
                               ArrayRef<int64_t>(cols))));
  }
  kb.loop(c0, kb.idx(chunk), kb.idx(kRowBlock), [&](Value iBlock) {
    for (int64_t j0 = 0; j0 < chunk; j0 += kColVecs * kLanes) {
      int64_t vecs = std::min(kColVecs, (chunk - j0) / kLanes);
      SmallVector<Value> acc = kb.broadcastFmaBlock(
          kb.idx(spec.fp()), kRowBlock, vecs,
          SmallVector<Value>(kRowBlock * vecs, kb.splat(0.0)),
          [&](Value c, int64_t i) {
            return kb.load(fq, {kb.add(iBlock, kb.idx(i)), c});
          },
          [&](Value c, int64_t x) {
            return kb.vload(fkT, {c, kb.idx(j0 + x * kLanes)});
          });
      for (int64_t i = 0; i < kRowBlock; ++i) {
        Value row = kb.add(iBlock, kb.idx(i));
        Value rowSplat = vector::BroadcastOp::create(
            b(), loc(), VectorType::get({kLanes}, b().getIndexType()), row);
        for (int64_t x = 0; x < vecs; ++x) {
          Value keep =
              arith::CmpIOp::create(b(), loc(), arith::CmpIPredicate::ule,
                                    lane[j0 / kLanes + x], rowSplat);
          kb.vstore(arith::SelectOp::create(b(), loc(), keep, acc[vecs * i + x],
                                            kb.splat(0.0)),
                    scores, {row, kb.idx(j0 + x * kLanes)});
        }
      }
    }
  });
}

/// O[firstRow + r] for chunk rows r in [lo, hi): (φQ S [+ A V]) /
/// (φQ z [+ A 1] + eps).
void LinearEmitter::computeOutputs(Value batch, Value head, Value firstRow,
                                   Value lo, Value hi) {
  Value c0 = kb.idx(0);
  int64_t fVecs = spec.fp() / kLanes;
  kb.loop(c0, kb.idx(chunk), kb.idx(kRowBlock), [&](Value iBlock) {
    // 1 / denominator of each row.
    SmallVector<Value> inv;
    for (int64_t i = 0; i < kRowBlock; ++i) {
      Value row = kb.add(iBlock, kb.idx(i));
      Value dot = kb.splat(0.0);
      for (int64_t x = 0; x < fVecs; ++x)
        dot = kb.fma(kb.vload(fq, {row, kb.idx(x * kLanes)}),
                     kb.vload(norm, {kb.idx(x * kLanes)}), dot);
      if (spec.causal)
        for (int64_t x = 0; x < chunk / kLanes; ++x)
          dot = fadd(dot, kb.vload(scores, {row, kb.idx(x * kLanes)}));
      Value den = fadd(vector::ReductionOp::create(
                           b(), loc(), vector::CombiningKind::ADD, dot),
                       kb.f32(spec.eps));
      inv.push_back(arith::DivFOp::create(b(), loc(), kb.f32(1.0), den));
    }
    // Keys of the chunk that rows of this block see: j < iBlock + 4.
    Value seen = kb.min(kb.add(iBlock, kb.idx(kRowBlock)), kb.idx(chunk));
    for (int64_t e0 = 0; e0 < spec.dvp(); e0 += kColVecs * kLanes) {
      int64_t vecs = std::min(kColVecs, (spec.dvp() - e0) / kLanes);
      auto col = [&](int64_t x) { return kb.idx(e0 + x * kLanes); };
      SmallVector<Value> acc = kb.broadcastFmaBlock(
          kb.idx(spec.fp()), kRowBlock, vecs,
          SmallVector<Value>(kRowBlock * vecs, kb.splat(0.0)),
          [&](Value c, int64_t i) {
            return kb.load(fq, {kb.add(iBlock, kb.idx(i)), c});
          },
          [&](Value c, int64_t x) {
            return kb.vload(state, {c, col(x)});
          });
      if (spec.causal)
        acc = kb.broadcastFmaBlock(
            seen, kRowBlock, vecs, acc,
            [&](Value j, int64_t i) {
              return kb.load(scores, {kb.add(iBlock, kb.idx(i)), j});
            },
            [&](Value j, int64_t x) {
              return kb.vload(vp, {j, col(x)});
            });
      for (int64_t i = 0; i < kRowBlock; ++i) {
        Value r = kb.add(iBlock, kb.idx(i));
        Value valid = arith::AndIOp::create(
            b(), loc(), cmp(arith::CmpIPredicate::sge, r, lo),
            cmp(arith::CmpIPredicate::slt, r, hi));
        ifThen(valid, [&] {
          Value scale = kb.bcast(inv[i]);
          Value row = kb.add(firstRow, r);
          for (int64_t x = 0; x < vecs; ++x)
            kb.storeRowVector(fmul(acc[vecs * i + x], scale), o, batch, head,
                              row, e0 / kLanes + x, spec.dv);
        });
      }
    }
  });
}

/// Task `task` of `blocks` key blocks a (batch, KV head).
KeyBlock LinearEmitter::keyBlock(Value task, Value blocks) {
  Value bh = div(task, blocks), blk = rem(task, blocks);
  Value first = kb.mul(blk, blockRows);
  return {bh, div(bh, headsKV), rem(bh, headsKV), first,
          kb.min(kb.add(first, blockRows), numK)};
}

/// FAVOR+'s phase 0 on a block with a state: the keys mapped once, shifted
/// by the largest exponent so far, the running sums rescaled when it moves;
/// the state and that shift (M[blk]) to the workspace.
void LinearEmitter::favorBlockSums(const KeyBlock &kbk, Value blk) {
  Value c0 = kb.idx(0);
  clearState();
  Value shiftNow =
      kb.loop(kbk.first, kbk.last, kb.idx(chunk), {kb.f32(-INFINITY)},
              [&](Value r0, ValueRange acc) -> SmallVector<Value> {
                Value count = kb.min(kb.idx(chunk), kb.sub(numK, r0));
                favorProducts(k, kbk.batch, kbk.hk, r0, c0, count, fk);
                Value next = arith::MaximumFOp::create(b(), loc(), acc[0],
                                                       chunkKeyMax(count));
                ifThen(arith::CmpFOp::create(
                           b(), loc(), arith::CmpFPredicate::OGT, next, acc[0]),
                       [&] { scaleState(shiftFactor(acc[0], next)); });
                favorFeatures(c0, count, fk, next);
                packInputRows(v, kbk.batch, kbk.hk, r0, c0, count, vp, spec.dv);
                updateState();
                return {next};
              })[0];
  copyState(kbk.bh, blk, /*toWorkspace=*/true);
  kb.store(shiftNow, wsM, {kbk.bh, blk});
}

/// Phase 0: the state of one key block (FAVOR+: also its largest exponent;
/// causal's last block only that).
void LinearEmitter::phaseBlockSums(Value task) {
  if (spec.favor()) {
    Value blocks = kb.dim(wsM, 1), blk = rem(task, blocks);
    KeyBlock kbk = keyBlock(task, blocks);
    scf::IfOp::create(
        b(), loc(), cmp(arith::CmpIPredicate::slt, blk, kb.dim(wsS, 1)),
        [&](OpBuilder &, Location) {
          favorBlockSums(kbk, blk);
          scf::YieldOp::create(b(), loc());
        },
        [&](OpBuilder &, Location) {
          kb.store(blockKeyMax(kbk), wsM, {kbk.bh, blk});
          scf::YieldOp::create(b(), loc());
        });
    return;
  }
  Value blocks = kb.dim(wsS, 1);
  KeyBlock kbk = keyBlock(task, blocks);
  clearState();
  kb.loop(kbk.first, kbk.last, kb.idx(chunk), [&](Value c0) {
    Value count = kb.min(kb.idx(chunk), kb.sub(numK, c0));
    packFeatureRows(k, kbk.batch, kbk.hk, c0, kb.idx(0), count, fk, Value());
    packInputRows(v, kbk.batch, kbk.hk, c0, kb.idx(0), count, vp, spec.dv);
    updateState();
  });
  copyState(kbk.bh, rem(task, blocks), /*toWorkspace=*/true);
}

/// FAVOR+: every block's state of (batch·KV head) `bh` from its own shift
/// M[blk] to the head's, max(M[·]).
void LinearEmitter::rescaleBlocks(Value bh) {
  Value head = headShift(bh);
  kb.loop(kb.idx(0), kb.dim(wsS, 1), kb.idx(1), [&](Value blk) {
    Value factor = shiftFactor(kb.load(wsM, {bh, blk}), head);
    kb.loop(kb.idx(0), kb.idx(spec.fp()), kb.idx(1), [&](Value c) {
      for (int64_t x = 0; x < spec.dvp() / kLanes; ++x) {
        SmallVector<Value> at = {bh, blk, c, kb.idx(x * kLanes)};
        kb.vstore(fmul(kb.vload(wsS, at), factor), wsS, at);
      }
    });
    for (int64_t x = 0; x < spec.fp() / kLanes; ++x) {
      SmallVector<Value> at = {bh, blk, kb.idx(x * kLanes)};
      kb.vstore(fmul(kb.vload(wsZ, at), factor), wsZ, at);
    }
  });
}

/// Phase 1: inclusive prefix sums over the blocks of one (batch, KV head),
/// FAVOR+'s first brought to one shift.
void LinearEmitter::phasePrefix(Value bh) {
  if (spec.favor())
    rescaleBlocks(bh);
  Value blocks = kb.dim(wsS, 1);
  kb.loop(kb.idx(1), blocks, kb.idx(1), [&](Value blk) {
    Value prev = kb.sub(blk, kb.idx(1));
    kb.loop(kb.idx(0), kb.idx(spec.fp()), kb.idx(1), [&](Value c) {
      for (int64_t x = 0; x < spec.dvp() / kLanes; ++x) {
        Value col = kb.idx(x * kLanes);
        kb.vstore(fadd(kb.vload(wsS, {bh, blk, c, col}),
                       kb.vload(wsS, {bh, prev, c, col})),
                  wsS, {bh, blk, c, col});
      }
    });
    for (int64_t x = 0; x < spec.fp() / kLanes; ++x) {
      Value col = kb.idx(x * kLanes);
      kb.vstore(
          fadd(kb.vload(wsZ, {bh, blk, col}), kb.vload(wsZ, {bh, prev, col})),
          wsZ, {bh, blk, col});
    }
  });
}

/// Phase 2: the outputs of one block of rows (positions, when causal).
void LinearEmitter::phaseOutputs(Value task) {
  Value rowsTotal = spec.causal ? numK : numQ;
  Value blocks = ceilDiv(rowsTotal, blockRows);
  Value bhq = div(task, blocks), blk = rem(task, blocks);
  Value batch = div(bhq, headsQ), h = rem(bhq, headsQ);
  Value hk = div(h, group);
  Value bhkv = kb.add(kb.mul(batch, headsKV), hk);
  Value first = kb.mul(blk, blockRows);
  Value last = kb.min(kb.add(first, blockRows), rowsTotal);
  Value c0 = kb.idx(0), cChunk = kb.idx(chunk);
  if (!spec.causal) {
    copyState(bhkv, kb.sub(kb.dim(wsS, 1), kb.idx(1)), /*toWorkspace=*/false);
    kb.loop(first, last, cChunk, [&](Value r0) {
      Value count = kb.min(cChunk, kb.sub(numQ, r0));
      packFeatureRows(q, batch, h, r0, c0, count, fq, Value());
      computeOutputs(batch, h, r0, c0, count);
    });
    return;
  }
  // Causal: nothing to do in a block before the first query's position.
  ifThen(cmp(arith::CmpIPredicate::sgt, last, shift), [&] {
    Value keyShift = spec.favor() ? headShift(bhkv) : Value();
    scf::IfOp::create(
        b(), loc(), cmp(arith::CmpIPredicate::eq, blk, c0),
        [&](OpBuilder &, Location) {
          clearState();
          scf::YieldOp::create(b(), loc());
        },
        [&](OpBuilder &, Location) {
          copyState(bhkv, kb.sub(blk, kb.idx(1)), /*toWorkspace=*/false);
          scf::YieldOp::create(b(), loc());
        });
    kb.loop(first, last, cChunk, [&](Value p0) {
      Value count = kb.min(cChunk, kb.sub(numK, p0));
      // Chunk row r is query p0 + r − shift: rows [lo, count) are queries.
      Value lo = kb.min(max(kb.sub(shift, p0), c0), count);
      Value firstQuery = kb.sub(p0, shift);
      packFeatureRows(k, batch, hk, p0, c0, count, fk, keyShift);
      packInputRows(v, batch, hk, p0, c0, count, vp, spec.dv);
      ifThen(cmp(arith::CmpIPredicate::slt, lo, count), [&] {
        packFeatureRows(q, batch, h, firstQuery, lo, count, fq, Value());
        transposeKeys();
        computeScores();
        computeOutputs(batch, h, firstQuery, lo, count);
      });
      updateState();
    });
  });
}

void LinearEmitter::build(func::FuncOp func) {
  Block &entry = func.getBody().front();
  q = entry.getArgument(0);
  k = entry.getArgument(1);
  v = entry.getArgument(2);
  o = entry.getArgument(3);
  wsS = entry.getArgument(4);
  wsZ = entry.getArgument(5);
  wsM = entry.getArgument(6);
  phase = entry.getArgument(7);
  blockRows = entry.getArgument(8);
  begin = entry.getArgument(9);
  end = entry.getArgument(10);

  auto scratch = [&](ArrayRef<int64_t> shape) {
    return memref::AllocaOp::create(b(), loc(),
                                    MemRefType::get(shape, b().getF32Type()),
                                    b().getI64IntegerAttr(64));
  };
  int64_t fp = spec.fp(), dvp = spec.dvp();
  fq = scratch({chunk, fp});
  fk = scratch({chunk, fp});
  fkT = scratch({fp, chunk});
  vp = scratch({chunk, dvp});
  scores = scratch({chunk, chunk});
  state = scratch({fp, dvp});
  norm = scratch({fp});
  if (spec.favor()) {
    omega = memref::GetGlobalOp::create(b(), loc(), omegaType(spec),
                                        omegaSymbol(func))
                .getResult();
    xs = scratch({chunk, roundUpToLanes(spec.d)});
  }
  numQ = kb.dim(q, 2);
  numK = kb.dim(k, 2);
  headsQ = kb.dim(q, 1);
  headsKV = kb.dim(k, 1);
  group = div(headsQ, headsKV);
  shift = kb.sub(numK, numQ);

  Value c1 = kb.idx(1);
  auto onPhase = [&](int64_t which, function_ref<void(Value)> body) {
    ifThen(cmp(arith::CmpIPredicate::eq, phase, kb.idx(which)),
           [&] { kb.loop(begin, end, c1, body); });
  };
  onPhase(0, [&](Value t) { phaseBlockSums(t); });
  onPhase(1, [&](Value t) { phasePrefix(t); });
  onPhase(2, [&](Value t) { phaseOutputs(t); });
  func::ReturnOp::create(b(), loc());
}

} // namespace

/// FAVOR+'s projection of `linear` as f32 [d, m] when it is a constant of
/// the function; null otherwise.
static DenseElementsAttr constantProjection(LinearOp linear) {
  DenseElementsAttr value;
  if (!linear.getProjection() ||
      !matchPattern(linear.getProjection(), m_Constant(&value)))
    return {};
  return value.mapValues(
      Float32Type::get(linear.getContext()), [](const APFloat &x) {
        APFloat f = x;
        bool lost;
        f.convert(APFloat::IEEEsingle(), APFloat::rmNearestTiesToEven, &lost);
        return f.bitcastToAPInt();
      });
}

/// The global holding ω [d][fp], zero past m, before `func`.
static void createOmegaGlobal(func::FuncOp func, const LinearSpec &spec) {
  std::vector<float> padded(spec.d * spec.fp(), 0.0f);
  auto values = spec.projection.getValues<float>();
  for (int64_t c = 0; c < spec.d; ++c)
    for (int64_t f = 0; f < spec.features; ++f)
      padded[c * spec.fp() + f] = values[c * spec.features + f];
  OpBuilder b(func);
  MemRefType type = omegaType(spec);
  memref::GlobalOp::create(
      b, func.getLoc(), omegaSymbol(func), b.getStringAttr("public"), type,
      DenseElementsAttr::get(
          RankedTensorType::get(type.getShape(), type.getElementType()),
          ArrayRef<float>(padded)),
      /*constant=*/true, b.getI64IntegerAttr(64));
}

int64_t mlir::attn::getLinearKernelScratchBytes(int64_t d, int64_t features,
                                                int64_t dv, bool favor) {
  int64_t fp = roundUpToLanes(features), dvp = roundUpToLanes(dv);
  int64_t c = kLinearChunk;
  int64_t floats = 3 * c * fp + c * dvp + c * c + fp * dvp + fp;
  if (favor) // x̂ rows
    floats += c * roundUpToLanes(d);
  return 4 * floats + 8 * 64;
}

LogicalResult mlir::attn::convertLinearFunctionToCPUKernel(func::FuncOp func) {
  auto fail = [&](const Twine &why) {
    return func.emitError() << "convert-attn-to-cpu: " << why;
  };
  // The body: [FAVOR+'s projection as a constant,] attn.linear, return.
  Block &body = func.getBody().front();
  Operation *first = body.empty() ? nullptr : &body.front();
  auto projection = dyn_cast_or_null<arith::ConstantOp>(first);
  auto linear =
      dyn_cast_or_null<LinearOp>(projection ? first->getNextNode() : first);
  auto ret = linear ? dyn_cast<func::ReturnOp>(linear->getNextNode())
                    : func::ReturnOp();
  if (!linear || !ret || ret.getOperands() != linear->getResults() ||
      func.getNumArguments() != 3 || linear.getQuery() != body.getArgument(0) ||
      linear.getKey() != body.getArgument(1) ||
      linear.getValue() != body.getArgument(2) ||
      (projection && linear.getProjection() != projection.getResult()))
    return fail("expects a function (q, k, v) whose body is one attn.linear "
                "of its arguments (and, for favor_plus, of a constant "
                "projection), returned as is (the form attn-kernelgen "
                "writes)");
  auto qType = cast<RankedTensorType>(linear.getQuery().getType());
  auto vType = cast<RankedTensorType>(linear.getValue().getType());
  if (!qType.getElementType().isF32())
    return fail("the CPU kernel supports f32 only");
  if (qType.isDynamicDim(3) || vType.isDynamicDim(3))
    return fail("the head dims d and d_v must be static");
  LinearSpec spec{linear.getFeatureMap(),
                  qType.getDimSize(3),
                  vType.getDimSize(3),
                  static_cast<bool>(linear.getCausal()),
                  linear.getEps().convertToDouble(),
                  qType.getDimSize(3),
                  {}};
  if (spec.d < 1 || spec.d > kMaxKernelHeadDim || spec.dv < 1 ||
      spec.dv > kMaxKernelHeadDim)
    return fail("d and d_v must be 1 to " + Twine(kMaxKernelHeadDim) +
                ", got d = " + Twine(spec.d) + ", d_v = " + Twine(spec.dv));
  if (spec.favor()) {
    spec.projection = constantProjection(linear);
    if (!spec.projection)
      return fail("favor_plus needs its projection as a constant of the "
                  "function (attn-kernelgen's features= and seed= make one)");
    spec.features = spec.projection.getType().getDimSize(1);
    if (spec.features > kMaxKernelHeadDim)
      return fail("the kernel keeps at most " + Twine(kMaxKernelHeadDim) +
                  " FAVOR+ features a row, got " + Twine(spec.features));
  }

  // q, k, v, o: strided memrefs with a contiguous head dim; the workspace
  // (S [B·H_kv, blocks, fp, dvp], z [B·H_kv, blocks, fp], M [B·H_kv, key
  // blocks]) is attnrt's, contiguous; then phase, block-rows, begin, end.
  MLIRContext *ctx = func.getContext();
  auto f32 = Float32Type::get(ctx);
  SmallVector<int64_t> dyn4(4, ShapedType::kDynamic),
      strides(4, ShapedType::kDynamic);
  strides.back() = 1;
  auto strided = MemRefType::get(
      dyn4, f32, StridedLayoutAttr::get(ctx, ShapedType::kDynamic, strides));
  IndexType index = IndexType::get(ctx);
  SmallVector<Type> inputs = {
      strided,
      strided,
      strided,
      strided,
      MemRefType::get(dyn4, f32),
      MemRefType::get(
          {ShapedType::kDynamic, ShapedType::kDynamic, ShapedType::kDynamic},
          f32),
      MemRefType::get({ShapedType::kDynamic, ShapedType::kDynamic}, f32),
      index,
      index,
      index,
      index};
  func.getBody().getBlocks().clear();
  func.setFunctionType(FunctionType::get(ctx, inputs, {}));
  func.addEntryBlock();
  if (spec.favor())
    createOmegaGlobal(func, spec);
  {
    OpBuilder b(func);
    KernelMetadata meta{qType.getElementType(), spec.d, spec.dv,
                        /*hasLse=*/false, kLinearChunk};
    meta.op = ATTNRT_OP_LINEAR;
    meta.causal = spec.causal;
    meta.featureMap = static_cast<int64_t>(spec.map);
    meta.features = spec.features;
    createKernelMetadata(b, func.getLoc(),
                         ("__attn_meta_" + func.getSymName()).str(), meta);
  }
  func->setAttr("llvm.emit_c_interface", UnitAttr::get(ctx));
  OpBuilder b = OpBuilder::atBlockBegin(&func.getBody().front());
  LinearEmitter(KernelBuilder{b, func.getLoc()}, spec).build(func);
  return success();
}
