//===- HopperKernel.cpp - attn.sdpa as a wgmma + TMA kernel ---------------===//
//
// The sm_90a flash kernel (FlashAttention-3's decomposition):
//
//   CTA of 1 + C warpgroups, for each of its tiles (query block qb,
//   batch·head bh): one with a full grid, several when persistent
//   all:       thread 0 initialises the mbarriers; one CTA barrier
//   producer:  setmaxnreg.dec; thread 0 alone, for each tile:
//                wait q_empty; Q tile by TMA (q_full)
//                for each key tile j (the mask band's, in order), stage
//                s = j mod S of the ring (which runs on across tiles):
//                wait k_empty[s], K tile → k_full[s];
//                wait v_empty[s], V tile → v_full[s]
//   consumer c (64 query rows): setmaxnreg.inc; for each tile: wait q_full
//                tile 0: S_0 = Q·K_0ᵀ, release K_0, softmax → P_0
//                for each later tile j:
//                  wait k_full, v_full; issue S_j = Q·K_jᵀ (shared ×
//                  shared wgmma), then O += P_{j−1}·V_{j−1} (register-A
//                  wgmma, V N-major); wait for S_j; release K_j
//                  mask S_j only on tiles leaving the band or passing N_kv;
//                  online softmax (OnlineSoftmax.h) → P_j while P·V runs
//                  wait for P·V; rescale O; release V_{j−1}
//                release Q (q_empty): the next tile's Q loads during
//                O += P_last·V_last; O / l, LSE; O into shared memory as
//                O's TMA boxes, stored by one thread (Epilogue.h)
//
// Tiles are TMA boxes of 64 columns (128-byte rows, 128-byte swizzle): a
// tile of `cols` columns is cols/64 chunks of rows × 128 bytes, the layout
// wgmma's swizzled descriptors read (Wgmma.h). TMA zero-fills rows past N_q
// and N_kv, so the last tiles need no clamped addresses.
//
//===----------------------------------------------------------------------===//

#include "HopperKernel.h"

#include "Epilogue.h"
#include "KeyWalk.h"
#include "OnlineSoftmax.h"
#include "ScoreMask.h"
#include "TmaPipeline.h"
#include "Wgmma.h"

#include "attn/Conversion/AttnToGPU/AttnToGPU.h"
#include "attn/Dialect/Attn/Utils/KernelUtils.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"

#include <cmath>

using namespace mlir;
using namespace mlir::attn;
using namespace mlir::attn::gpu_kernel;

bool mlir::attn::gpu_kernel::isHopperHeadDim(int64_t d, int64_t dv) {
  for (int64_t x : {d, dv})
    if (x < kSwizzleCols || x % kSwizzleCols != 0 || x > 256)
      return false;
  return true;
}

GPUScheduleAttr mlir::attn::gpu_kernel::getHopperSchedule(MLIRContext *ctx,
                                                          int64_t d, int64_t dv,
                                                          bool causal) {
  // Two consumer warpgroups (128 query rows), three at d = d_v = 64 (192
  // rows: 1.17-1.23x two on an H100, docs/BENCHMARKS.md). Keys per tile: 128
  // while S (64 registers) and O (d_v / 2) fit beside each other; 64 at
  // d_v = 256.
  int64_t tileKV = std::max(d, dv) <= 128 ? 128 : 64;
  int64_t tileQ = std::max(d, dv) <= 64 ? 192 : 128;
  // Causal at d = 128: persistent, so that a CTA's next query block loads
  // during this one's epilogue (1.00-1.25x the one-tile kernel on an H100;
  // 0.96-0.97x without a mask at N >= 4K, and 192 rows or d = 256 spill).
  bool persistent = causal && std::max(d, dv) == 128;
  return GPUScheduleAttr::get(ctx, GPUMma::Wgmma, GPUCopy::Tma, tileQ, tileKV,
                              tileKV, tileQ / 16 + 4, 4, 2, persistent);
}

namespace {

/// What the kernel reads off its schedule: `consumers` warpgroups of 64
/// query rows beside the producer warpgroup, K/V tiles of `tileKV` keys in a
/// ring of `stages`, and the registers setmaxnreg gives each role: 24 to
/// the producer (40 when persistent: its tile loop spills in 24), the rest of
/// the SM's 64K split among the consumers (at most 240, a multiple of 8).
struct HopperSchedule {
  int64_t consumers, tileKV, stages;
  bool persistent;
  int32_t producerRegisters, consumerRegisters;
  explicit HopperSchedule(GPUScheduleAttr s)
      : consumers(s.getTileQ() / 64), tileKV(s.getTileKv()),
        stages(s.getStages()), persistent(s.getPersistent()),
        producerRegisters(persistent ? 40 : 24),
        consumerRegisters(std::min<int32_t>(
            240, (launchRegisters() * (consumers + 1) - producerRegisters) /
                     consumers / 8 * 8)) {}
  /// What every thread has at launch (64K over the CTA, a multiple of 8):
  /// setmaxnreg only moves registers inside this pool, and an increase
  /// that the decreases have not freed waits forever.
  int32_t launchRegisters() const {
    return 65536 / static_cast<int32_t>(threads()) / 8 * 8;
  }
  int64_t tileQ() const { return 64 * consumers; }
  int64_t threads() const { return 128 * (consumers + 1); }
};

/// Where the epilogue stages O for its TMA stores: over the Q tile (a CTA
/// of one tile, d_v <= d: no Q·Kᵀ reads it any more), in a region of its
/// own (persistent: the next tile's Q loads meanwhile), or nowhere (the
/// 4-byte fragment stores) when neither fits.
enum class OutputStaging { OverQ, Own, None };

/// Byte offsets of the dynamic shared memory: the Q tile, the K stages, the
/// V stages, O's own region if any, then the mbarriers q_full, k_full[S],
/// v_full[S], k_empty[S], v_empty[S] and, persistent, q_empty. Every tile
/// is a multiple of 1024 bytes: each starts where the swizzle repeats.
struct HopperLayout {
  int64_t tileQ, tileKV, d, dv, stages;
  bool persistent;
  OutputStaging output = OutputStaging::None;
  int64_t qBytes() const { return tileQ * d * 2; }
  int64_t kStageBytes() const { return tileKV * d * 2; }
  int64_t vStageBytes() const { return tileKV * dv * 2; }
  int64_t kOffset() const { return qBytes(); }
  int64_t vOffset() const { return kOffset() + stages * kStageBytes(); }
  int64_t ownOutputOffset() const { return vOffset() + stages * vStageBytes(); }
  int64_t outputOffset() const {
    return output == OutputStaging::Own ? ownOutputOffset() : 0;
  }
  int64_t qFull() const {
    return ownOutputOffset() +
           (output == OutputStaging::Own ? tileQ * dv * 2 : 0);
  }
  int64_t kFull() const { return qFull() + 8; }
  int64_t vFull() const { return kFull() + 8 * stages; }
  int64_t kEmpty() const { return vFull() + 8 * stages; }
  int64_t vEmpty() const { return kEmpty() + 8 * stages; }
  int64_t qEmpty() const { return vEmpty() + 8 * stages; }
  int64_t bytes() const { return qEmpty() + (persistent ? 8 : 0); }
  /// Over Q when it may, else its own region when that fits 227 KiB.
  void chooseOutputStaging() {
    output = !persistent && dv <= d ? OutputStaging::OverQ : OutputStaging::Own;
    if (bytes() > kMaxSharedBytes)
      output = OutputStaging::None;
  }
  static constexpr int64_t kMaxSharedBytes = 227 * 1024;
};

/// The kernel's arguments, rebuilt from its parameters.
struct HopperArgs {
  Value q, k, v, o, lse;
  Value mapQ, mapK, mapV, mapO;
};

/// What the producer and the consumers share.
struct HopperContext {
  KernelBuilder &kb;
  const HopperSchedule &schedule;
  const HopperLayout &layout;
  const HopperArgs &args;
  TmaPipeline &tma;
  Value tid;
  MaskBand band;
  /// Not persistent: the CTA's one tile, placed before the roles split.
  std::optional<CtaPlace> onlyTile;

  /// The barrier at `offset` + 8·stage.
  Value barrier(int64_t offset, Value stage) const {
    return tma.pointer(kb.add(kb.idx(offset), kb.mul(stage, kb.idx(8))));
  }
  Value barrier(int64_t offset) const { return barrier(offset, kb.idx(0)); }
  /// The keys the query block at `cta` visits.
  KeyRange keyRange(const CtaPlace &cta) const {
    return buildKeyRange(kb.b, kb.loc, kb.spec.mask, cta.qs, cta.rows,
                         cta.shift, cta.numK);
  }
  /// Runs `body` on each of the CTA's tiles (forEachTile). Both roles carry
  /// the count of tiles done and the ring position: the K/V ring and the Q
  /// barriers run on across tiles.
  void forEachTile(TileBodyFn body) const {
    if (onlyTile) {
      body(*onlyTile, {kb.idx(0), kb.idx(0)});
      return;
    }
    gpu_kernel::forEachTile(kb, args.q, args.k, layout.tileQ,
                            {kb.idx(0), kb.idx(0)}, body);
  }
};

/// Thread 0 of the producer warpgroup: for each tile of the CTA, its Q
/// once the consumers are done with the last one, then every K/V tile of
/// its walk into the ring.
void emitProducer(const HopperContext &cx) {
  KernelBuilder &kb = cx.kb;
  const HopperLayout &l = cx.layout;
  const int64_t stages = cx.schedule.stages, tileKV = l.tileKV;
  Value c0 = kb.idx(0), c1 = kb.idx(1);
  // The n-th fill of a buffer waits for the consumers' n-th release of it
  // (phase n − 1); a fresh barrier passes parity 1 at once.
  auto fillParity = [&](Value n) { return kb.rem(kb.add(n, c1), 2); };
  cx.forEachTile([&](const CtaPlace &cta, ValueRange state) {
    Value count = state[0], ring = state[1];
    if (cx.schedule.persistent)
      cx.tma.wait(cx.barrier(l.qEmpty()), fillParity(count));
    cx.tma.loadTile(cx.args.mapQ, c0, cx.barrier(l.qFull()), l.tileQ, l.d,
                    cta.qs, cta.head, cta.batch);
    KeyRange range = cx.keyRange(cta);
    Value numTiles = countKeyTiles(kb, range, tileKV);
    scf::ForOp::create(
        kb.b, kb.loc, c0, numTiles, c1, ValueRange{},
        [&](OpBuilder &, Location, Value j, ValueRange) {
          Value ks = kb.add(range.lo, kb.mul(j, kb.idx(tileKV)));
          Value g = kb.add(ring, j);
          Value stage = kb.rem(g, stages), parity = fillParity(kb.div(g, stages));
          // K and V are released apart: K once Q·Kᵀ is done, V once P·V is.
          auto fill = [&](Value map, int64_t offset, int64_t stageBytes,
                          int64_t empty, int64_t full, int64_t cols) {
            cx.tma.wait(cx.barrier(empty, stage), parity);
            cx.tma.loadTile(
                map, kb.add(kb.idx(offset), kb.mul(stage, kb.idx(stageBytes))),
                cx.barrier(full, stage), tileKV, cols, ks, cta.headKV,
                cta.batch);
          };
          fill(cx.args.mapK, l.kOffset(), l.kStageBytes(), l.kEmpty(),
               l.kFull(), l.d);
          fill(cx.args.mapV, l.vOffset(), l.vStageBytes(), l.vEmpty(),
               l.vFull(), l.dv);
          scf::YieldOp::create(kb.b, kb.loc);
        });
    return SmallVector<Value>{kb.add(count, c1), kb.add(ring, numTiles)};
  });
}

/// A consumer warpgroup: for each tile of the CTA, the flash loop over its
/// 64 query rows, then the epilogue. The loop is software-pipelined by one key tile (FlashAttention-3's
/// intra-warpgroup overlap): step j issues S_j = Q·K_jᵀ and then
/// O += P_{j−1}·V_{j−1}, waits for S_j alone, and computes the softmax of S_j
/// while the tensor cores still run the second product; O is rescaled once
/// that product is done. The first tile's scores and the last tile's product
/// stand outside the loop.
class Consumer {
public:
  Consumer(const HopperContext &cx, Value consumer)
      : cx(cx), kb(cx.kb), l(cx.layout), atom{cx.kb}, consumer(consumer) {}
  void emit();

private:
  const HopperContext &cx;
  KernelBuilder &kb;
  const HopperLayout &l;
  WgmmaAtom atom;
  Value consumer, lane, warpRow, cScale, negInf, zero;
  Lane ln;
  Value qDesc;
  // The tile being built: its place and keys.
  CtaPlace cta;
  KeyRange range;

  int64_t stages() const { return cx.schedule.stages; }
  int64_t keyBlocks() const { return l.tileKV / 8; }
  int64_t valueBlocks() const { return kb.spec.dv / 8; }
  /// Packed P registers of one tile: 4 per 16 keys.
  int64_t pRegisters() const { return l.tileKV / 4; }
  Value stageOf(Value j) { return kb.rem(j, stages()); }
  Value parityOf(Value j) { return kb.rem(kb.div(j, stages()), 2); }

  /// Lane 0 of each warp arrives on the barrier at `offset` of `stage`.
  void release(int64_t offset, Value stage);
  /// Issues S = Q·Kᵀ on the K tile of `stage` (one commit group).
  SmallVector<Value> issueScores(Value stage);
  /// Issues O += P·V on the V tile of `stage` (one commit group).
  void issueValues(ArrayRef<Value> p, Value stage, MutableArrayRef<Value> acc);
  /// The softmax of the scores of keys from `ks`: updates m and l, returns
  /// P packed, and rescales `acc` when given.
  SmallVector<Value> softmax(SmallVector<Value> s, Value ks, bool masked,
                             MutableArrayRef<Value> m, MutableArrayRef<Value> sums,
                             MutableArrayRef<Value> acc);
  SmallVector<Value> step(Value ks, ValueRange state, bool masked);
  /// One tile; `state` is the count of tiles done and the ring position.
  SmallVector<Value> tile(ValueRange state);
  /// Where this warpgroup stages O for TMA stores (none: fragment stores).
  std::optional<TmaOutput> stagedOutput();
};

void Consumer::release(int64_t offset, Value stage) {
  Value first = arith::CmpIOp::create(kb.b, kb.loc, arith::CmpIPredicate::eq,
                                      lane, kb.idx(0));
  kb.ifThen(first, [&] { cx.tma.arrive(cx.barrier(offset, stage)); });
}

SmallVector<Value> Consumer::issueScores(Value stage) {
  // d/16 k-steps, 32 bytes apart in a chunk's 128-byte rows.
  Value kDesc = atom.descriptor(
      cx.tma.address(kb.add(kb.idx(l.kOffset()),
                            kb.mul(stage, kb.idx(l.kStageBytes())))),
      16, 1024);
  SmallVector<Value> s(4 * keyBlocks(), zero);
  for (int64_t kk = 0; kk < kb.spec.d / 16; ++kk) {
    int64_t chunk = kk / 4, within = 32 * (kk % 4);
    atom.mmaShared(atom.advance(qDesc, chunk * l.tileQ * kSwizzleBytes + within),
                   atom.advance(kDesc, chunk * l.tileKV * kSwizzleBytes + within),
                   l.tileKV, /*accumulate=*/kk > 0, s);
  }
  atom.commit();
  return s;
}

void Consumer::issueValues(ArrayRef<Value> p, Value stage,
                           MutableArrayRef<Value> acc) {
  // V is N-major for this product (rows of keys): 16 keys = 2048 bytes per
  // k-step; its 64-column chunks lie tileKV·128 bytes apart.
  Value vDesc = atom.descriptor(
      cx.tma.address(kb.add(kb.idx(l.vOffset()),
                            kb.mul(stage, kb.idx(l.vStageBytes())))),
      l.tileKV * kSwizzleBytes, 1024);
  for (int64_t jj = 0; jj < l.tileKV / 16; ++jj)
    atom.mmaRegisterA(p.slice(4 * jj, 4),
                      atom.advance(vDesc, jj * 16 * kSwizzleBytes), kb.spec.dv,
                      /*transposeB=*/true, acc);
  atom.commit();
}

SmallVector<Value> Consumer::softmax(SmallVector<Value> s, Value ks,
                                     bool masked, MutableArrayRef<Value> m,
                                     MutableArrayRef<Value> sums,
                                     MutableArrayRef<Value> acc) {
  if (masked)
    s = maskScores(kb, s, ks, 0, ln, cta.numK, cta.qs, cta.shift, warpRow,
                   cx.band, keyBlocks(), negInf);
  OnlineSoftmax sm(kb, s, m, /*mTiles=*/1, keyBlocks(), cScale);
  SmallVector<Value> p;
  for (int64_t jj = 0; jj < l.tileKV / 16; ++jj)
    for (auto [x, y] : sm.exponentiate(0, jj))
      p.push_back(atom.packOperand(x, y));
  if (!acc.empty()) {
    atom.wait(0); // the previous tile's P·V
    sm.rescale(acc, valueBlocks());
  }
  SmallVector<Value> newSums = sm.newSums(SmallVector<Value>(sums));
  llvm::copy(newSums, sums.begin());
  llvm::copy(sm.newMax(), m.begin());
  return p;
}

/// State: the ring position j of the key tile, m and l of the thread's two
/// rows, O, then P_{j−1} packed.
SmallVector<Value> Consumer::step(Value ks, ValueRange state, bool masked) {
  Value j = state[0];
  SmallVector<Value> m(state.slice(1, 2)), sums(state.slice(3, 2));
  SmallVector<Value> acc(state.slice(5, 4 * valueBlocks()));
  SmallVector<Value> pPrev(state.drop_front(5 + 4 * valueBlocks()));
  Value stage = stageOf(j), prev = kb.sub(j, kb.idx(1));
  Value prevStage = stageOf(prev);

  cx.tma.wait(cx.barrier(l.kFull(), stage), parityOf(j));
  cx.tma.wait(cx.barrier(l.vFull(), prevStage), parityOf(prev));
  atom.pinRegisters(pPrev);
  atom.pinRegisters(acc);
  atom.fence();
  SmallVector<Value> s = issueScores(stage);
  issueValues(pPrev, prevStage, acc);
  atom.wait(1); // S_j
  release(l.kEmpty(), stage);
  SmallVector<Value> p = softmax(s, ks, masked, m, sums, acc);
  release(l.vEmpty(), prevStage);

  SmallVector<Value> next = {kb.add(j, kb.idx(1))};
  next.append(m);
  next.append(sums);
  next.append(acc);
  next.append(p);
  return next;
}

void Consumer::emit() {
  Value c0 = kb.idx(0);
  lane = kb.rem(cx.tid, 32);
  Value warp = kb.rem(kb.div(cx.tid, 32), 4);
  ln = Lane{warp, kb.div(lane, 4), kb.rem(lane, 4), c0, c0, c0};
  // Rows of this warp within the CTA's query tile.
  warpRow = kb.add(kb.mul(consumer, kb.idx(64)), kb.mul(warp, kb.idx(16)));
  cScale = kb.f32(kb.spec.scale * M_LOG2E);
  negInf = kb.f32(-INFINITY);
  zero = kb.f32(0.0);
  cx.forEachTile([&](const CtaPlace &place, ValueRange state) {
    cta = place;
    range = cx.keyRange(place);
    return tile(state);
  });
  // The last stores read their shared memory before the CTA leaves.
  if (std::optional<TmaOutput> staged = stagedOutput())
    kb.ifThen(staged->storer, [&] { cx.tma.waitStoresRead(); });
}

std::optional<TmaOutput> Consumer::stagedOutput() {
  if (l.output == OutputStaging::None)
    return std::nullopt;
  OpBuilder &b = kb.b;
  Location loc = kb.loc;
  // Everything from a zero LLVM cannot see through, so that nothing of it
  // is hoisted out of a persistent kernel's tile loop: held through the
  // flash loop, the addresses spill.
  Value zero = kb.opaque(kb.idx(0));
  Value group = kb.add(consumer, zero);
  Value groupRow = kb.mul(group, kb.idx(64));
  // Named barrier 1 + c for warpgroup c (0 is the CTA's).
  Value barrierId = arith::IndexCastOp::create(b, loc, b.getI32Type(),
                                               kb.add(group, kb.idx(1)));
  Value storer =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                            kb.rem(kb.add(cx.tid, zero), 128), kb.idx(0));
  return TmaOutput{
      cx.tma,
      cx.args.mapO,
      kb.add(kb.idx(l.outputOffset()), kb.mul(groupRow, kb.idx(kSwizzleBytes))),
      l.tileQ * kSwizzleBytes,
      groupRow,
      barrierId,
      storer,
      zero};
}

SmallVector<Value> Consumer::tile(ValueRange state) {
  OpBuilder &b = kb.b;
  Location loc = kb.loc;
  Value c0 = kb.idx(0), c1 = kb.idx(1);
  Value count = state[0], ring = state[1];
  Value zeroI32 = arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(0));
  cx.tma.wait(cx.barrier(l.qFull()), kb.rem(count, 2));
  // Q (K-major, swizzled): the warpgroup's 64 rows start 64·128 bytes into
  // each chunk; 8-row groups are 1024 bytes apart.
  qDesc = atom.descriptor(
      cx.tma.address(kb.mul(consumer, kb.idx(64 * kSwizzleBytes))), 16, 1024);

  // The first tile (masked as a whole: it is one tile), if any.
  Value numTiles = countKeyTiles(kb, range, l.tileKV);
  Value any =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt, numTiles, c0);
  SmallVector<Value> first = {negInf, negInf, zero, zero};
  first.append(pRegisters(), zeroI32);
  auto head = scf::IfOp::create(
      b, loc, any,
      [&](OpBuilder &, Location) {
        Value stage = stageOf(ring);
        cx.tma.wait(cx.barrier(l.kFull(), stage), parityOf(ring));
        atom.fence();
        SmallVector<Value> s = issueScores(stage);
        atom.wait(0);
        release(l.kEmpty(), stage);
        SmallVector<Value> m = {negInf, negInf}, sums = {zero, zero};
        SmallVector<Value> p = softmax(s, range.lo, /*masked=*/true, m, sums,
                                       MutableArrayRef<Value>());
        SmallVector<Value> out(m);
        out.append(sums);
        out.append(p);
        scf::YieldOp::create(b, loc, out);
      },
      [&](OpBuilder &, Location) { scf::YieldOp::create(b, loc, first); });

  SmallVector<Value> init = {kb.add(ring, c1)};
  init.append(head.getResults().begin(), head.getResults().begin() + 4);
  init.append(4 * valueBlocks(), zero);
  init.append(head.getResults().begin() + 4, head.getResults().end());
  KeyRange rest = range;
  rest.lo = kb.add(range.lo, kb.idx(l.tileKV));
  SmallVector<Value> walked = walkKeyTiles(
      kb, rest, cx.band, cta.numK, l.tileKV, init,
      [&](Value ks, ValueRange st, bool masked) { return step(ks, st, masked); });
  // Every Q·Kᵀ of the tile is done: the producer may load the next Q.
  if (cx.schedule.persistent)
    release(l.qEmpty(), c0);

  // The last tile's P·V.
  SmallVector<Value> acc(ArrayRef<Value>(walked).slice(5, 4 * valueBlocks()));
  SmallVector<Value> pLast(
      ArrayRef<Value>(walked).drop_front(5 + 4 * valueBlocks()));
  auto tail = scf::IfOp::create(
      b, loc, any,
      [&](OpBuilder &, Location) {
        Value last = kb.sub(kb.add(ring, numTiles), c1);
        Value stage = stageOf(last);
        cx.tma.wait(cx.barrier(l.vFull(), stage), parityOf(last));
        SmallVector<Value> out(acc);
        atom.pinRegisters(pLast);
        atom.pinRegisters(out);
        atom.fence();
        issueValues(pLast, stage, out);
        atom.wait(0);
        release(l.vEmpty(), stage);
        scf::YieldOp::create(b, loc, out);
      },
      [&](OpBuilder &, Location) { scf::YieldOp::create(b, loc, acc); });
  SmallVector<Value> final(walked.begin(), walked.begin() + 5);
  final.append(tail.getResults().begin(), tail.getResults().end());

  auto rowOf = [&](int64_t r) {
    return kb.add(warpRow, kb.add(ln.g, kb.idx(8 * (r % 2))));
  };
  EpilogueInputs out{cx.args.o,
                     cx.args.lse,
                     Value(),
                     cta.batch,
                     cta.head,
                     cta.qs,
                     cta.numQ,
                     lane,
                     warpRow,
                     ln,
                     final,
                     /*threadRows=*/2,
                     valueBlocks(),
                     /*rowsPerWarp=*/16,
                     rowOf,
                     c0,
                     zero};
  std::optional<TmaOutput> staged = stagedOutput();
  if (staged)
    out.tmaOutput = &*staged;
  emitEpilogue(kb, out);
  return {kb.add(count, c1), kb.add(ring, numTiles)};
}

/// The CTA: where it sits, the barriers, then the two roles.
void buildHopperBody(KernelBuilder &kb, const HopperSchedule &schedule,
                     const HopperLayout &layout, const HopperArgs &args,
                     Value smemBase) {
  OpBuilder &b = kb.b;
  Location loc = kb.loc;
  const KernelSpec &spec = kb.spec;
  Value c0 = kb.idx(0), c1 = kb.idx(1);
  Value tid = gpu::ThreadIdOp::create(b, loc, gpu::Dimension::x);
  // Not persistent: the CTA's one tile and its keys, for both roles (their
  // own copies of the key range fold into this one).
  std::optional<CtaPlace> onlyTile;
  if (!schedule.persistent) {
    onlyTile = locateCta(kb, args.q, args.k, layout.tileQ);
    buildKeyRange(b, loc, spec.mask, onlyTile->qs, onlyTile->rows,
                  onlyTile->shift, onlyTile->numK);
  }
  TmaPipeline tma(kb, smemBase);
  HopperContext cx{kb,  schedule, layout, args,
                   tma, tid,      getKernelBand(spec), onlyTile};
  kb.ifThen(arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, tid, c0),
            [&] {
              tma.init(cx.barrier(layout.qFull()), 1);
              if (schedule.persistent)
                tma.init(cx.barrier(layout.qEmpty()), 4 * schedule.consumers);
              for (int64_t s = 0; s < schedule.stages; ++s) {
                Value stage = kb.idx(s);
                tma.init(cx.barrier(layout.kFull(), stage), 1);
                tma.init(cx.barrier(layout.vFull(), stage), 1);
                tma.init(cx.barrier(layout.kEmpty(), stage),
                         4 * schedule.consumers);
                tma.init(cx.barrier(layout.vEmpty(), stage),
                         4 * schedule.consumers);
              }
              NVVM::FenceMbarrierInitOp::create(b, loc);
            });
  gpu::BarrierOp::create(b, loc);

  Value wg = kb.div(tid, 128);
  auto setRegisters = [&](int32_t count, NVVM::SetMaxRegisterAction action) {
    NVVM::SetMaxRegisterOp::create(
        b, loc, b.getI32IntegerAttr(count),
        NVVM::SetMaxRegisterActionAttr::get(b.getContext(), action));
  };
  scf::IfOp::create(
      b, loc, arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, wg, c0),
      [&](OpBuilder &, Location) {
        setRegisters(schedule.producerRegisters,
                     NVVM::SetMaxRegisterAction::decrease);
        kb.ifThen(
            arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, tid, c0),
            [&] { emitProducer(cx); });
        scf::YieldOp::create(b, loc);
      },
      [&](OpBuilder &, Location) {
        setRegisters(schedule.consumerRegisters,
                     NVVM::SetMaxRegisterAction::increase);
        Consumer(cx, kb.sub(wg, c1)).emit();
        scf::YieldOp::create(b, loc);
      });
}

/// The memref a gpu.func parameter of `type` would be, from its descriptor
/// fields among `fn`'s parameters starting at `next` (advanced past them).
Value rebuildMemRef(OpBuilder &b, Location loc, LLVM::LLVMFuncOp fn,
                    unsigned &next, MemRefType type) {
  MLIRContext *ctx = b.getContext();
  int64_t rank = type.getRank();
  Type ptr = LLVM::LLVMPointerType::get(ctx), i64 = b.getI64Type();
  Type sizes = LLVM::LLVMArrayType::get(i64, rank);
  Type descType =
      LLVM::LLVMStructType::getLiteral(ctx, {ptr, ptr, i64, sizes, sizes});
  Value desc = LLVM::PoisonOp::create(b, loc, descType);
  auto insert = [&](ArrayRef<int64_t> position) {
    desc = LLVM::InsertValueOp::create(b, loc, desc, fn.getArgument(next++),
                                       position);
  };
  insert({0});
  insert({1});
  insert({2});
  for (int64_t i = 0; i < rank; ++i)
    insert({3, i});
  for (int64_t i = 0; i < rank; ++i)
    insert({4, i});
  return UnrealizedConversionCastOp::create(b, loc, type, desc).getResult(0);
}

} // namespace

LogicalResult mlir::attn::gpu_kernel::buildHopperKernel(
    func::FuncOp func, gpu::GPUModuleOp module, const KernelSpec &spec,
    GPUScheduleAttr scheduleAttr) {
  MLIRContext *ctx = func.getContext();
  HopperSchedule schedule(scheduleAttr);
  Location loc = func.getLoc();
  HopperLayout layout{schedule.tileQ(), schedule.tileKV, spec.d, spec.dv,
                      schedule.stages, schedule.persistent};
  layout.chooseOutputStaging();
  if (layout.bytes() > HopperLayout::kMaxSharedBytes)
    return func.emitError()
           << "convert-attn-to-gpu: the sm_90a kernel's tiles need "
           << layout.bytes() << " bytes of shared memory, more than 227 KiB";

  MemRefType tensor4 = getKernelMemRefType(ctx, 4, spec.elem);
  MemRefType lse3 = getKernelMemRefType(ctx, 3, Float32Type::get(ctx));

  // Parameters: each memref's descriptor fields, then the tensor maps of
  // q, k, v and o.
  Type ptr = LLVM::LLVMPointerType::get(ctx), i64 = IntegerType::get(ctx, 64);
  SmallVector<Type> params;
  auto addDescriptor = [&](int64_t rank) {
    params.append({ptr, ptr, i64});
    params.append(2 * rank, i64);
  };
  for (int i = 0; i < 4; ++i)
    addDescriptor(4);
  if (spec.hasLse)
    addDescriptor(3);
  unsigned firstMap = params.size();
  params.append(4, ptr);

  OpBuilder mb = OpBuilder::atBlockEnd(module.getBody());
  // 1024-byte aligned: the 128-byte swizzle repeats every 8 rows.
  std::string smemName = "attn_smem_tma";
  declareDynamicSharedMemory(module, smemName, mb.getI8Type(), 1024);
  createKernelMetadata(
      mb, loc, ("attn_meta_" + func.getSymName()).str(),
      {spec.elem, spec.d, spec.dv, spec.hasLse, layout.tileQ,
       schedule.threads(), layout.bytes(), layout.tileKV,
       /*tensorMaps=*/true, scheduleAttr.getPersistent()},
      gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Global));
  auto fn = LLVM::LLVMFuncOp::create(
      mb, loc, func.getSymName(),
      LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(ctx), params));
  fn->setAttr(NVVM::NVVMDialect::getKernelFuncAttrName(), UnitAttr::get(ctx));
  int32_t threads = schedule.threads();
  fn->setAttr(NVVM::NVVMDialect::getMaxntidAttrName(),
              mb.getDenseI32ArrayAttr({threads, 1, 1}));
  // One CTA per SM: with maxntid, what caps the registers at entry, so that
  // setmaxnreg can move them between the roles.
  fn->setAttr(NVVM::NVVMDialect::getMinctasmAttrName(),
              mb.getI32IntegerAttr(1));
  for (unsigned i = firstMap; i < firstMap + 4; ++i) {
    fn.setArgAttr(i, LLVM::LLVMDialect::getByValAttrName(),
                  TypeAttr::get(LLVM::LLVMArrayType::get(mb.getI8Type(), 128)));
    fn.setArgAttr(i, LLVM::LLVMDialect::getAlignAttrName(),
                  mb.getI64IntegerAttr(64));
    fn.setArgAttr(i, NVVM::NVVMDialect::getGridConstantAttrName(),
                  UnitAttr::get(ctx));
  }
  fn->setAttr(kScheduleAttrName, scheduleAttr);
  fn->setAttr("attn.smem_bytes", mb.getI64IntegerAttr(layout.bytes()));

  Block *entry = fn.addEntryBlock(mb);
  OpBuilder b = OpBuilder::atBlockEnd(entry);
  unsigned next = 0;
  HopperArgs args;
  args.q = rebuildMemRef(b, loc, fn, next, tensor4);
  args.k = rebuildMemRef(b, loc, fn, next, tensor4);
  args.v = rebuildMemRef(b, loc, fn, next, tensor4);
  args.o = rebuildMemRef(b, loc, fn, next, tensor4);
  if (spec.hasLse)
    args.lse = rebuildMemRef(b, loc, fn, next, lse3);
  args.mapQ = fn.getArgument(firstMap);
  args.mapK = fn.getArgument(firstMap + 1);
  args.mapV = fn.getArgument(firstMap + 2);
  args.mapO = fn.getArgument(firstMap + 3);

  Value global = memref::GetGlobalOp::create(
      b, loc, getDynamicSharedMemoryType(ctx, b.getI8Type()), smemName);
  Value baseIndex =
      memref::ExtractAlignedPointerAsIndexOp::create(b, loc, global);
  Value smemBase = LLVM::IntToPtrOp::create(
      b, loc, LLVM::LLVMPointerType::get(ctx, 3),
      arith::IndexCastOp::create(b, loc, b.getI64Type(), baseIndex)
          .getResult());
  KernelBuilder kb{b, loc, spec};
  buildHopperBody(kb, schedule, layout, args, smemBase);
  LLVM::ReturnOp::create(b, loc, ValueRange{});
  func.erase();
  return success();
}
