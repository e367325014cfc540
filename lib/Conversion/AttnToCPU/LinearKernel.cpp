//===- LinearKernel.cpp - attn.linear as a chunked CPU kernel -------------===//
//
// Rewrites a function whose body is one `attn.linear` of its arguments into a
// CPU kernel of the reassociated, O(N) form. attnrt calls it in three phases,
// each over tasks [begin, end) it spreads on its threads, with a workspace
// W = (S, z) of one d_f × d_v state and d_f normaliser per key block of L
// rows (L = `block-rows`, a multiple of the chunk C, chosen per call):
//
//   phase 0, task (b, h_kv, block):  W[blk] = (φK_blkᵀ V_blk, φK_blkᵀ 1)
//   phase 1, task (b, h_kv):         W[blk] += W[blk − 1]    (prefix sums)
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

using namespace mlir;
using namespace mlir::attn;
using namespace mlir::attn::cpu_kernel;

namespace {

constexpr int64_t kRowBlock = 4; // rows of a register block
constexpr int64_t kColVecs = 4;  // lane-vectors of a register block

int64_t roundUpToLanes(int64_t n) { return (n + kLanes - 1) / kLanes * kLanes; }

/// What the kernel computes, read off the attn.linear it replaces.
struct LinearSpec {
  FeatureMapKind map;
  int64_t d, dv; // head dims of q/k and v
  bool causal;
  double eps;
  int64_t fp() const { return roundUpToLanes(d); } // padded feature width
  int64_t dvp() const { return roundUpToLanes(dv); }
};

/// Emits the body of a linear-attention kernel.
struct LinearEmitter {
  LinearEmitter(KernelBuilder kb, LinearSpec spec) : kb(kb), spec(spec) {}

  KernelBuilder kb;
  LinearSpec spec;
  const int64_t chunk = kLinearChunk;
  // Arguments.
  Value q, k, v, o, wsS, wsZ, phase, blockRows, begin, end;
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
  /// The lanes of a row of `width` elements that vector `x` covers.
  Value tailMask(int64_t width, int64_t x) {
    SmallVector<bool> lanes;
    for (int64_t i = 0; i < kLanes; ++i)
      lanes.push_back(x * kLanes + i < width);
    return arith::ConstantOp::create(
        b(), loc(),
        DenseElementsAttr::get(VectorType::get({kLanes}, b().getI1Type()),
                               ArrayRef<bool>(lanes)));
  }

  void build(func::FuncOp func);
  Value phi(Value x);
  void packRows(Value src, Value batch, Value head, Value firstRow, Value lo,
                Value hi, Value dst, int64_t width, bool applyPhi);
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

/// dst[r] = φ(src[batch, head, firstRow + r]) (or the row as is) for r in
/// [lo, hi), zero for the other rows of the chunk and past `width` columns.
void LinearEmitter::packRows(Value src, Value batch, Value head, Value firstRow,
                             Value lo, Value hi, Value dst, int64_t width,
                             bool applyPhi) {
  int64_t vecs = roundUpToLanes(width) / kLanes;
  kb.loop(kb.idx(0), kb.idx(chunk), kb.idx(1), [&](Value r) {
    Value valid =
        arith::AndIOp::create(b(), loc(), cmp(arith::CmpIPredicate::sge, r, lo),
                              cmp(arith::CmpIPredicate::slt, r, hi));
    scf::IfOp::create(
        b(), loc(), valid,
        [&](OpBuilder &, Location) {
          Value row = kb.add(firstRow, r);
          for (int64_t x = 0; x < vecs; ++x) {
            SmallVector<Value> at = {batch, head, row, kb.idx(x * kLanes)};
            bool full = (x + 1) * kLanes <= width;
            Value val = full ? kb.vload(src, at)
                             : vector::MaskedLoadOp::create(
                                   b(), loc(), kb.vecType(), src, at,
                                   tailMask(width, x), kb.splat(0.0))
                                   .getResult();
            if (applyPhi)
              val = phi(val);
            if (!full) // φ(0) may not be 0: clear the padding again
              val = arith::SelectOp::create(b(), loc(), tailMask(width, x), val,
                                            kb.splat(0.0));
            kb.vstore(val, dst, {r, kb.idx(x * kLanes)});
          }
          scf::YieldOp::create(b(), loc());
        },
        [&](OpBuilder &, Location) {
          for (int64_t x = 0; x < vecs; ++x)
            kb.vstore(kb.splat(0.0), dst, {r, kb.idx(x * kLanes)});
          scf::YieldOp::create(b(), loc());
        });
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

/// S += φKᵀ V and z += φKᵀ 1 over the packed chunk.
void LinearEmitter::updateState() {
  Value c0 = kb.idx(0), c1 = kb.idx(1), rows = kb.idx(chunk);
  kb.loop(c0, kb.idx(spec.fp()), kb.idx(kRowBlock), [&](Value kBlock) {
    for (int64_t e0 = 0; e0 < spec.dvp(); e0 += kColVecs * kLanes) {
      int64_t vecs = std::min(kColVecs, (spec.dvp() - e0) / kLanes);
      SmallVector<Value> init;
      for (int64_t i = 0; i < kRowBlock; ++i)
        for (int64_t x = 0; x < vecs; ++x)
          init.push_back(kb.vload(
              state, {kb.add(kBlock, kb.idx(i)), kb.idx(e0 + x * kLanes)}));
      SmallVector<Value> acc = kb.broadcastFmaBlock(
          rows, kRowBlock, vecs, init,
          [&](Value j, int64_t i) {
            return kb.load(fk, {j, kb.add(kBlock, kb.idx(i))});
          },
          [&](Value j, int64_t x) {
            return kb.vload(vp, {j, kb.idx(e0 + x * kLanes)});
          });
      for (int64_t i = 0; i < kRowBlock; ++i)
        for (int64_t x = 0; x < vecs; ++x)
          kb.vstore(acc[vecs * i + x], state,
                    {kb.add(kBlock, kb.idx(i)), kb.idx(e0 + x * kLanes)});
    }
  });
  SmallVector<Value> z;
  for (int64_t x = 0; x < spec.fp() / kLanes; ++x)
    z.push_back(kb.vload(norm, {kb.idx(x * kLanes)}));
  z = kb.loop(c0, rows, c1, z, [&](Value j, ValueRange sum) {
    SmallVector<Value> next;
    for (auto [x, s] : llvm::enumerate(sum))
      next.push_back(
          fadd(s, kb.vload(fk, {j, kb.idx(static_cast<int64_t>(x) * kLanes)})));
    return next;
  });
  for (auto [x, s] : llvm::enumerate(z))
    kb.vstore(s, norm, {kb.idx(static_cast<int64_t>(x) * kLanes)});
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
          for (int64_t x = 0; x < vecs; ++x) {
            SmallVector<Value> to = {batch, head, row, col(x)};
            Value out = fmul(acc[vecs * i + x], scale);
            if ((e0 / kLanes + x + 1) * kLanes <= spec.dv)
              kb.vstore(out, o, to);
            else
              vector::MaskedStoreOp::create(
                  b(), loc(), o, to, tailMask(spec.dv, e0 / kLanes + x), out);
          }
        });
      }
    }
  });
}

/// Phase 0: the state of one key block.
void LinearEmitter::phaseBlockSums(Value task) {
  Value blocks = kb.dim(wsS, 1);
  Value bh = div(task, blocks), blk = rem(task, blocks);
  Value batch = div(bh, headsKV), hk = rem(bh, headsKV);
  Value first = kb.mul(blk, blockRows);
  Value last = kb.min(kb.add(first, blockRows), numK);
  clearState();
  kb.loop(first, last, kb.idx(chunk), [&](Value c0) {
    Value count = kb.min(kb.idx(chunk), kb.sub(numK, c0));
    packRows(k, batch, hk, c0, kb.idx(0), count, fk, spec.d, true);
    packRows(v, batch, hk, c0, kb.idx(0), count, vp, spec.dv, false);
    updateState();
  });
  copyState(bh, blk, /*toWorkspace=*/true);
}

/// Phase 1: inclusive prefix sums over the blocks of one (batch, KV head).
void LinearEmitter::phasePrefix(Value bh) {
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
      packRows(q, batch, h, r0, c0, count, fq, spec.d, true);
      computeOutputs(batch, h, r0, c0, count);
    });
    return;
  }
  // Causal: nothing to do in a block before the first query's position.
  ifThen(cmp(arith::CmpIPredicate::sgt, last, shift), [&] {
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
      packRows(k, batch, hk, p0, c0, count, fk, spec.d, true);
      packRows(v, batch, hk, p0, c0, count, vp, spec.dv, false);
      ifThen(cmp(arith::CmpIPredicate::slt, lo, count), [&] {
        packRows(q, batch, h, firstQuery, lo, count, fq, spec.d, true);
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
  phase = entry.getArgument(6);
  blockRows = entry.getArgument(7);
  begin = entry.getArgument(8);
  end = entry.getArgument(9);

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

int64_t mlir::attn::getLinearKernelScratchBytes(int64_t d, int64_t dv) {
  int64_t fp = roundUpToLanes(d), dvp = roundUpToLanes(dv);
  int64_t c = kLinearChunk;
  int64_t floats = 3 * c * fp + c * dvp + c * c + fp * dvp + fp;
  return 4 * floats + 7 * 64;
}

LogicalResult mlir::attn::convertLinearFunctionToCPUKernel(func::FuncOp func) {
  auto fail = [&](const Twine &why) {
    return func.emitError() << "convert-attn-to-cpu: " << why;
  };
  Block &body = func.getBody().front();
  auto linear = body.empty() ? LinearOp() : dyn_cast<LinearOp>(body.front());
  auto ret = linear ? dyn_cast<func::ReturnOp>(linear->getNextNode())
                    : func::ReturnOp();
  if (linear && linear.getFeatureMap() == FeatureMapKind::FavorPlus)
    return fail("the CPU linear-attention kernel has no favor_plus feature "
                "map yet; lower it with attn-flash-to-llvm instead");
  if (!linear || !ret || ret.getOperands() != linear->getResults() ||
      func.getNumArguments() != 3 || linear.getQuery() != body.getArgument(0) ||
      linear.getKey() != body.getArgument(1) ||
      linear.getValue() != body.getArgument(2))
    return fail("expects a function (q, k, v) whose body is one attn.linear "
                "of its arguments, returned as is (the form attn-kernelgen "
                "writes)");
  auto qType = cast<RankedTensorType>(linear.getQuery().getType());
  auto vType = cast<RankedTensorType>(linear.getValue().getType());
  if (!qType.getElementType().isF32())
    return fail("the CPU kernel supports f32 only");
  if (qType.isDynamicDim(3) || vType.isDynamicDim(3))
    return fail("the head dims d and d_v must be static");
  LinearSpec spec{linear.getFeatureMap(), qType.getDimSize(3),
                  vType.getDimSize(3), static_cast<bool>(linear.getCausal()),
                  linear.getEps().convertToDouble()};
  if (spec.d < 1 || spec.d > kMaxKernelHeadDim || spec.dv < 1 ||
      spec.dv > kMaxKernelHeadDim)
    return fail("d and d_v must be 1 to " + Twine(kMaxKernelHeadDim) +
                ", got d = " + Twine(spec.d) + ", d_v = " + Twine(spec.dv));

  // q, k, v, o: strided memrefs with a contiguous head dim; the workspace
  // (S [B·H_kv, blocks, fp, dvp], z [B·H_kv, blocks, fp]) is attnrt's,
  // contiguous; then phase, block-rows, begin, end.
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
      index,
      index,
      index,
      index};
  func.getBody().getBlocks().clear();
  func.setFunctionType(FunctionType::get(ctx, inputs, {}));
  func.addEntryBlock();
  {
    OpBuilder b(func);
    KernelMetadata meta{qType.getElementType(), spec.d, spec.dv,
                        /*hasLse=*/false, kLinearChunk};
    meta.op = ATTNRT_OP_LINEAR;
    meta.causal = spec.causal;
    createKernelMetadata(b, func.getLoc(),
                         ("__attn_meta_" + func.getSymName()).str(), meta);
  }
  func->setAttr("llvm.emit_c_interface", UnitAttr::get(ctx));
  OpBuilder b = OpBuilder::atBlockBegin(&func.getBody().front());
  LinearEmitter(KernelBuilder{b, func.getLoc()}, spec).build(func);
  return success();
}
