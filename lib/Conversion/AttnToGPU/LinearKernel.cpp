//===- LinearKernel.cpp - attn.linear as mma.sync GPU kernels -------------===//
//
// Rewrites a function whose body is one `attn.linear` (identity, elu+1 or
// relu; bf16 or f16) into three kernels of the reassociated O(N) form, the
// phases of the CPU kernel (AttnToCPU/LinearKernel.cpp) on tensor cores.
// attnrt launches them in turn over a workspace W of one f32 state
// (S: d × d_v, then z: d) per (batch, KV head, block of L keys); L, a
// multiple of the chunk C = 64, is the runtime's choice per call:
//
//   <f>_sums     CTA (block, b·h_kv):  W[blk] = (φK_blkᵀ V_blk, φK_blkᵀ 1)
//   <f>_prefix   CTA (slice, b·h_kv):  W[blk] += W[blk − 1]   (each thread
//                                      one element, over the blocks)
//   <f>_outputs  CTA (block, b·h_q):   L rows in chunks of C
//     non-causal (S, z) = W[last];  O = φQ S / (φQ z + eps)
//     causal     (S, z) = W[blk − 1] (0 for the first), then per chunk c
//                A = tril(φQ_c φK_cᵀ)
//                O_c = (φQ_c S + A V_c) / (φQ_c z + A 1 + eps)
//                S += φK_cᵀ V_c;  z += φK_cᵀ 1
//
// Causal blocks and chunks are counted in key positions: query i sits at
// i + N_kv − N_q (attnrt requires N_q ≤ N_kv), so a chunk's queries and keys
// are the same positions and A's mask is tril of the chunk.
//
// A CTA is 4 warps (128 threads). Chunks of Q, K, V come to shared memory by
// cp.async (rows past N zero-filled) and φ is applied there in place (K rows
// past N_kv set to 0: elu+1 maps 0 to 1). S is kept twice in shared memory:
// in f32, the sum, and rounded to bf16/f16, the B operand of φQ·S. Products
// are m16n8k16 mma.sync with f32 accumulators (MmaSync.h):
//   φQ·S, φQ·φKᵀ   each warp 16 query rows; A fragments of φQ by ldmatrix
//   A·V            A re-packed from its accumulators, as flash packs P
//   φKᵀ·V          each warp 16-row slices of S's d rows; φKᵀ by
//                  ldmatrix.trans of K, V by ldmatrix.trans
// φQ·z and the row sums of A are f32 on the fragments a thread holds.
//
//===----------------------------------------------------------------------===//

#include "attn/Conversion/AttnToGPU/AttnToGPU.h"
#include "attn/Dialect/Attn/IR/AttnOps.h"
#include "attn/Dialect/Attn/Utils/KernelUtils.h"
#include "attn/Runtime/attnrt.h"

#include "AsyncCopy.h"
#include "KernelBuilder.h"
#include "MmaSync.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <cmath>

using namespace mlir;
using namespace mlir::attn;
using namespace mlir::attn::gpu_kernel;

namespace {

constexpr int64_t kChunk = kLinearGPUChunk;
constexpr int64_t kThreads = kLinearGPUThreads; // 4 warps
constexpr int64_t kWarps = kThreads / 32;
constexpr int64_t kPad = 8; // shared rows padded by 16 bytes (ldmatrix banks)
constexpr int64_t kMaxHeadDim = 128;

/// What the kernels compute, read off the attn.linear they replace.
struct LinearSpec {
  FeatureMapKind map;
  bool causal;
  double eps;
  KernelSpec kernel; // d, d_v, element type (no scale, mask, LSE)
  int64_t d() const { return kernel.d; }
  int64_t dv() const { return kernel.dv; }
  /// Value columns of a CTA (getLinearGPUValueTile).
  int64_t dt() const { return getLinearGPUValueTile(dv()); }
  /// Floats of one state in W: S [d][d_v], then z [d].
  int64_t stateFloats() const { return d() * dv() + d(); }
  /// Floats of a CTA's part of it: S [d][dt], then z [d].
  int64_t tileStateFloats() const { return d() * dt() + d(); }
};

/// The dynamic shared memory: chunks of Q, K and of V's dt value columns,
/// the rounded state S [d][dt] (rows of cols + kPad elements), then the f32
/// state S [d][dt], z [d].
struct LinearLayout {
  int64_t d, dv; // dv: the CTA's value columns
  int64_t qElems() const { return kChunk * (d + kPad); }
  int64_t vElems() const { return kChunk * (dv + kPad); }
  int64_t sElems() const { return d * (dv + kPad); }
  int64_t halfBytes() const {
    return (2 * (2 * qElems() + vElems() + sElems()) + 15) / 16 * 16;
  }
  int64_t bytes() const { return halfBytes() + 4 * (d * dv + d); }
};

/// Emits the three kernels' bodies. Holds the shared-memory views and the
/// thread's place; each `build*` fills one gpu.func.
class LinearEmitter {
public:
  LinearEmitter(OpBuilder &b, Location loc, const LinearSpec &spec,
                gpu::GPUFuncOp func)
      : b(b), loc(loc), spec(spec), kb{b, loc, spec.kernel}, atom{kb} {
    Block &entry = func.getBody().front();
    q = entry.getArgument(0);
    k = entry.getArgument(1);
    v = entry.getArgument(2);
    o = entry.getArgument(3);
    w = entry.getArgument(4);
    keyRows = entry.getArgument(5);
    taskRows = entry.getArgument(6);
    c0 = kb.idx(0);
    c1 = kb.idx(1);
    zero = kb.f32(0.0);
    tid = gpu::ThreadIdOp::create(b, loc, gpu::Dimension::x);
    Value lane = kb.rem(tid, 32);
    ln = Lane{kb.div(tid, 32),
              kb.div(lane, 4),
              kb.rem(lane, 4),
              kb.rem(lane, 8),
              kb.rem(kb.div(lane, 8), 2),
              kb.div(lane, 16)};
    m0x8 = kb.mul(ln.m0, kb.idx(8));
    m1x8 = kb.mul(ln.m1, kb.idx(8));
    numQ = memref::DimOp::create(b, loc, q, 2);
    numK = memref::DimOp::create(b, loc, k, 2);
    headsQ = memref::DimOp::create(b, loc, q, 1);
    headsKV = memref::DimOp::create(b, loc, k, 1);
    keyBlocks = arith::CeilDivUIOp::create(b, loc, numK, keyRows);
    makeSharedViews();
    // The CTA's value columns [vc, vc + dt): grid.x counts (block, value
    // tile) pairs, the value tile fastest.
    const int64_t valueTiles = spec.dv() / spec.dt();
    Value x = gpu::BlockIdOp::create(b, loc, gpu::Dimension::x);
    blockIndex = kb.div(x, valueTiles);
    vc = kb.mul(kb.rem(x, valueTiles), kb.idx(spec.dt()));
    firstTile = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, vc, c0);
    vCols = valueColumns(v);
    oCols = valueColumns(o);
  }

  void buildSums();
  void buildPrefix();
  void buildOutputs();

private:
  void makeSharedViews();
  /// Columns [vc, vc + dt) of a [B, H, N, d_v] memref.
  Value valueColumns(Value t) {
    SmallVector<OpFoldResult> offsets = {b.getIndexAttr(0), b.getIndexAttr(0),
                                         b.getIndexAttr(0), vc};
    SmallVector<OpFoldResult> sizes;
    for (int64_t i = 0; i < 3; ++i)
      sizes.push_back(Value(memref::DimOp::create(b, loc, t, i)));
    sizes.push_back(b.getIndexAttr(spec.dt()));
    SmallVector<OpFoldResult> ones(4, b.getIndexAttr(1));
    return memref::SubViewOp::create(b, loc, t, offsets, sizes, ones);
  }
  /// The float of W for float e of the CTA's state (S [d][dt], z [d]).
  Value stateIndex(Value base, Value e);
  /// Index of W's first float of the state of (b·h_kv, blk).
  Value stateAt(Value bhkv, Value blk) {
    return kb.mul(kb.add(kb.mul(bhkv, keyBlocks), blk),
                  kb.idx(spec.stateFloats()));
  }
  void forEachThreadElement(int64_t count, function_ref<void(Value)> body);
  void loadState(Value from);
  void zeroState();
  void storeState(Value to);
  /// A chunk of rows of `src` for copyChunks.
  struct ChunkCopy {
    Value src, head, first, limit;
    int64_t cols;
    Value tile;
    bool rowsMayBeNegative = false;
  };
  void copyChunks(Value batch, ArrayRef<ChunkCopy> chunks);
  void applyFeatureMap(Value tile, int64_t cols, Value validRows);
  void accumulateState(bool writeRounded);
  void computeOutputs(Value batch, Value head, Value firstRow);
  Value unpack(Value reg, int64_t i);

  OpBuilder &b;
  Location loc;
  const LinearSpec &spec;
  KernelBuilder kb;
  MmaSyncAtom atom;
  Lane ln;
  Value q, k, v, o, w, keyRows, taskRows;
  Value c0, c1, zero, tid, m0x8, m1x8;
  Value numQ, numK, headsQ, headsKV, keyBlocks;
  Value blockIndex, vc, firstTile; // blockIdx.x as (block, value columns)
  Value vCols, oCols;              // v's and o's columns [vc, vc + dt)
  Value qS, kS, vS, sS, state;     // state: f32 [d·dt + d]
};

void LinearEmitter::makeSharedViews() {
  MLIRContext *ctx = b.getContext();
  Type elem = spec.kernel.elem;
  std::string halfName = elem.isBF16() ? "attn_smem_bf16" : "attn_smem_f16";
  Value half = memref::GetGlobalOp::create(
      b, loc, getDynamicSharedMemoryType(ctx, elem), halfName);
  Value floats = memref::GetGlobalOp::create(
      b, loc, getDynamicSharedMemoryType(ctx, b.getF32Type()), "attn_smem_f32");
  LinearLayout layout{spec.d(), spec.dt()};
  const int64_t d = spec.d(), dv = spec.dt();
  qS = sharedView(b, loc, half, 0, {kChunk, d + kPad});
  kS = sharedView(b, loc, half, layout.qElems(), {kChunk, d + kPad});
  vS = sharedView(b, loc, half, 2 * layout.qElems(), {kChunk, dv + kPad});
  sS = sharedView(b, loc, half, 2 * layout.qElems() + layout.vElems(),
                  {d, dv + kPad});
  state = sharedView(b, loc, floats, layout.halfBytes() / 4,
                     {spec.tileStateFloats()});
}

/// body(e) for each e in [0, count) of this thread: e = tid + 128·i.
void LinearEmitter::forEachThreadElement(int64_t count,
                                         function_ref<void(Value)> body) {
  scf::ForOp::create(b, loc, tid, kb.idx(count), kb.idx(kThreads), ValueRange{},
                     [&](OpBuilder &, Location, Value e, ValueRange) {
                       body(e);
                       scf::YieldOp::create(b, loc);
                     });
}

Value LinearEmitter::stateIndex(Value base, Value e) {
  const int64_t d = spec.d(), dt = spec.dt();
  Value inS = kb.lt(e, kb.idx(d * dt));
  Value sAt = kb.add(kb.mul(kb.div(e, dt), kb.idx(spec.dv())),
                     kb.add(vc, kb.rem(e, dt)));
  Value zAt = kb.add(kb.idx(d * spec.dv() - d * dt), e);
  return kb.add(base, kb.select(inS, sAt, zAt));
}

void LinearEmitter::loadState(Value from) {
  forEachThreadElement(spec.tileStateFloats(), [&](Value e) {
    Value x = memref::LoadOp::create(b, loc, w, stateIndex(from, e));
    memref::StoreOp::create(b, loc, x, state, e);
  });
  gpu::BarrierOp::create(b, loc);
  const int64_t dt = spec.dt();
  forEachThreadElement(spec.d() * dt, [&](Value e) {
    Value x = memref::LoadOp::create(b, loc, state, e);
    Value h = arith::TruncFOp::create(b, loc, spec.kernel.elem, x);
    memref::StoreOp::create(b, loc, h, sS,
                            ValueRange{kb.div(e, dt), kb.rem(e, dt)});
  });
  gpu::BarrierOp::create(b, loc);
}

void LinearEmitter::zeroState() {
  forEachThreadElement(spec.tileStateFloats(), [&](Value e) {
    memref::StoreOp::create(b, loc, zero, state, e);
  });
  const int64_t dt = spec.dt();
  Value h = arith::TruncFOp::create(b, loc, spec.kernel.elem, zero);
  forEachThreadElement(spec.d() * dt, [&](Value e) {
    memref::StoreOp::create(b, loc, h, sS,
                            ValueRange{kb.div(e, dt), kb.rem(e, dt)});
  });
  gpu::BarrierOp::create(b, loc);
}

/// The CTA's state into W at `to`; z (the same in every value tile's CTA)
/// by the first value tile's.
void LinearEmitter::storeState(Value to) {
  Value count = kb.select(firstTile, kb.idx(spec.tileStateFloats()),
                          kb.idx(spec.d() * spec.dt()));
  scf::ForOp::create(b, loc, tid, count, kb.idx(kThreads), ValueRange{},
                     [&](OpBuilder &, Location, Value e, ValueRange) {
                       Value x = memref::LoadOp::create(b, loc, state, e);
                       memref::StoreOp::create(b, loc, x, w, stateIndex(to, e));
                       scf::YieldOp::create(b, loc);
                     });
}

/// Each chunk copy's rows [first, first + 64) of src[batch, head] into its
/// tile, rows at or past `limit` (and, if `rowsMayBeNegative`, below 0)
/// zero-filled, as one cp.async group; waits for it (and a barrier).
void LinearEmitter::copyChunks(Value batch, ArrayRef<ChunkCopy> chunks) {
  AsyncCopyPipeline copies(kb, tid, kThreads, batch, c0, c1);
  SmallVector<Value> tokens;
  for (const ChunkCopy &c : chunks)
    copies.copyTile(c.src, c.head, c.first, c.limit, kChunk, c.cols, c.tile, {},
                    tokens, c.rowsMayBeNegative);
  copies.waitAllBut(copies.commit(tokens), 0);
}

/// φ in place on the chunk `tile` of `cols` columns; rows at or past
/// `validRows` (when given) become 0. Identity and relu keep the zero-filled
/// rows 0 by themselves, and identity needs no pass at all.
void LinearEmitter::applyFeatureMap(Value tile, int64_t cols, Value validRows) {
  if (spec.map != FeatureMapKind::EluPlusOne)
    validRows = Value();
  if (spec.map == FeatureMapKind::Identity)
    return;
  Type elem = spec.kernel.elem;
  auto halfVec = VectorType::get({8}, elem);
  auto floatVec = VectorType::get({8}, kb.f32());
  const int64_t perRow = cols / 8;
  forEachThreadElement(kChunk * perRow, [&](Value c) {
    Value row = kb.div(c, perRow), col = kb.mul(kb.rem(c, perRow), kb.idx(8));
    Value x = arith::ExtFOp::create(
        b, loc, floatVec,
        Value(vector::LoadOp::create(b, loc, halfVec, tile,
                                     ValueRange{row, col})));
    Value keep = validRows ? kb.lt(row, validRows) : Value();
    Value y = vector::BroadcastOp::create(b, loc, floatVec, zero);
    for (int64_t i = 0; i < 8; ++i) {
      Value xi = vector::ExtractOp::create(b, loc, x, i);
      Value yi;
      if (spec.map == FeatureMapKind::Relu) {
        yi = kb.fmax(xi, zero);
      } else { // elu + 1: x + 1 for x > 0, eˣ otherwise
        Value positive =
            arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, xi, zero);
        yi = kb.select(positive, kb.fadd(xi, kb.f32(1.0)),
                       kb.exp2(kb.fmul(xi, kb.f32(M_LOG2E))));
      }
      if (keep)
        yi = kb.select(keep, yi, zero);
      y = vector::InsertOp::create(b, loc, yi, y, i);
    }
    vector::StoreOp::create(b, loc, arith::TruncFOp::create(b, loc, halfVec, y),
                            tile, ValueRange{row, col});
  });
}

/// S += φK_cᵀ V_c (each warp the m-tiles w, w + 4, ... of S's d rows, 64
/// columns at a time), z += φK_cᵀ 1; with `writeRounded`, S's bf16/f16
/// copy too. Ends with a barrier.
void LinearEmitter::accumulateState(bool writeRounded) {
  const int64_t d = spec.d(), dv = spec.dt();
  auto pair = VectorType::get({2}, kb.f32());
  Value pairCol = kb.mul(ln.t, kb.idx(2));
  for (int64_t mt0 = 0; mt0 < d / 16; mt0 += kWarps) {
    Value mt = kb.add(ln.warp, kb.idx(mt0));
    kb.ifThen(kb.lt(mt, kb.idx(d / 16)), [&] {
      Value row0 = kb.mul(mt, kb.idx(16));
      auto stateIndex = [&](int64_t n, int64_t half) {
        Value row = kb.add(row0, kb.add(ln.g, kb.idx(8 * half)));
        return kb.add(kb.mul(row, kb.idx(dv)), kb.add(kb.idx(8 * n), pairCol));
      };
      for (int64_t n0 = 0; n0 < dv / 8; n0 += 8) {
        const int64_t tiles = std::min<int64_t>(8, dv / 8 - n0);
        SmallVector<Value> acc;
        for (int64_t n = n0; n < n0 + tiles; ++n)
          for (int64_t half = 0; half < 2; ++half) {
            Value x = vector::LoadOp::create(b, loc, pair, state,
                                             stateIndex(n, half));
            for (int64_t e = 0; e < 2; ++e)
              acc.push_back(vector::ExtractOp::create(b, loc, x, e));
          }
        for (int64_t kk = 0; kk < kChunk / 16; ++kk) {
          // A = φKᵀ (features × rows): matrices (0,0), (8,0), (0,8), (8,8)
          // of (feature, row) are K's (row, feature) 8 × 8 blocks
          // transposed.
          SmallVector<Value> aFrag =
              atom.ldmatrix(kS,
                            {kb.add(kb.add(ln.r8, m1x8), kb.idx(16 * kk)),
                             kb.add(row0, m0x8)},
                            4, /*transpose=*/true);
          for (int64_t p = 0; p < tiles / 2; ++p) {
            SmallVector<Value> vFrag =
                atom.ldmatrix(vS,
                              {kb.add(kb.add(ln.r8, m0x8), kb.idx(16 * kk)),
                               kb.add(m1x8, kb.idx(8 * n0 + 16 * p))},
                              4, /*transpose=*/true);
            auto tile = [&](int64_t n) {
              return MutableArrayRef<Value>(acc).slice(4 * n, 4);
            };
            atom.mma(aFrag, {vFrag[0], vFrag[1]}, tile(2 * p));
            atom.mma(aFrag, {vFrag[2], vFrag[3]}, tile(2 * p + 1));
          }
        }
        for (int64_t n = 0; n < tiles; ++n)
          for (int64_t half = 0; half < 2; ++half) {
            Value x = acc[4 * n + 2 * half], y = acc[4 * n + 2 * half + 1];
            Value at = stateIndex(n0 + n, half);
            vector::StoreOp::create(
                b, loc,
                vector::FromElementsOp::create(b, loc, pair, ValueRange{x, y}),
                state, at);
            if (writeRounded)
              vector::StoreOp::create(
                  b, loc, kb.pack(x, y), sS,
                  ValueRange{kb.div(at, dv), kb.rem(at, dv)});
          }
      }
    });
  }
  // z += column sums of φK.
  kb.ifThen(kb.lt(tid, kb.idx(d)), [&] {
    Value at = kb.add(kb.idx(d * dv), tid);
    auto loop = scf::ForOp::create(
        b, loc, c0, kb.idx(kChunk), c1,
        ValueRange{memref::LoadOp::create(b, loc, state, at)},
        [&](OpBuilder &, Location, Value r, ValueRange sum) {
          Value x = arith::ExtFOp::create(
              b, loc, kb.f32(),
              Value(memref::LoadOp::create(b, loc, kS, ValueRange{r, tid})));
          scf::YieldOp::create(b, loc, kb.fadd(sum[0], x));
        });
    memref::StoreOp::create(b, loc, loop.getResult(0), state, at);
  });
  gpu::BarrierOp::create(b, loc);
}

/// Element i (0 or 1) of an A-fragment register, as f32.
Value LinearEmitter::unpack(Value reg, int64_t i) {
  Type elem = spec.kernel.elem;
  auto halves = VectorType::get({2}, elem);
  if (reg.getType() != halves)
    reg = LLVM::BitcastOp::create(b, loc, halves, reg);
  return arith::ExtFOp::create(
      b, loc, kb.f32(), Value(vector::ExtractOp::create(b, loc, reg, i)));
}

/// O of the chunk's rows firstRow + r (r < 64; only those in [0, N_q)):
/// each warp its 16 rows, (φQ S [+ A V]) / (φQ z [+ A 1] + eps). Reads the
/// chunk tiles, S rounded and z; writes only O.
void LinearEmitter::computeOutputs(Value batch, Value head, Value firstRow) {
  const int64_t d = spec.d(), dv = spec.dt(), valueTiles = dv / 8;
  const int64_t keyTiles = kChunk / 8;
  Value warpRow = kb.mul(ln.warp, kb.idx(16));
  SmallVector<Value> acc(4 * valueTiles, zero), scores;
  if (spec.causal)
    scores.assign(4 * keyTiles, zero);
  SmallVector<Value> den(2, zero); // rows g and g + 8, thread-partial
  auto tileOf = [](SmallVector<Value> &x, int64_t n) {
    return MutableArrayRef<Value>(x).slice(4 * n, 4);
  };
  auto pairCol = kb.mul(ln.t, kb.idx(2));
  for (int64_t kk = 0; kk < d / 16; ++kk) {
    SmallVector<Value> qFrag = atom.ldmatrix(
        qS,
        {kb.add(warpRow, kb.add(ln.r8, m0x8)), kb.add(m1x8, kb.idx(16 * kk))},
        4, /*transpose=*/false);
    // φQ·z on the fragment: registers 0, 1 are rows g, g + 8 at columns
    // 16kk + 2t, 2t + 1; registers 2, 3 the same 8 columns on.
    for (int64_t r = 0; r < 4; ++r) {
      Value col = kb.add(pairCol, kb.idx(16 * kk + 8 * (r / 2)));
      Value z = vector::LoadOp::create(b, loc, VectorType::get({2}, kb.f32()),
                                       state, kb.add(kb.idx(d * dv), col));
      for (int64_t e = 0; e < 2; ++e)
        den[r % 2] =
            kb.fma(unpack(qFrag[r], e), vector::ExtractOp::create(b, loc, z, e),
                   den[r % 2]);
    }
    for (int64_t p = 0; p < valueTiles / 2; ++p) {
      SmallVector<Value> sFrag =
          atom.ldmatrix(sS,
                        {kb.add(kb.add(ln.r8, m0x8), kb.idx(16 * kk)),
                         kb.add(m1x8, kb.idx(16 * p))},
                        4, /*transpose=*/true);
      atom.mma(qFrag, {sFrag[0], sFrag[1]}, tileOf(acc, 2 * p));
      atom.mma(qFrag, {sFrag[2], sFrag[3]}, tileOf(acc, 2 * p + 1));
    }
    if (!spec.causal)
      continue;
    for (int64_t p = 0; p < keyTiles / 2; ++p) {
      SmallVector<Value> kFrag =
          atom.ldmatrix(kS,
                        {kb.add(kb.add(ln.r8, m1x8), kb.idx(16 * p)),
                         kb.add(m0x8, kb.idx(16 * kk))},
                        4, /*transpose=*/false);
      atom.mma(qFrag, {kFrag[0], kFrag[1]}, tileOf(scores, 2 * p));
      atom.mma(qFrag, {kFrag[2], kFrag[3]}, tileOf(scores, 2 * p + 1));
    }
  }
  if (spec.causal) {
    // A = tril(φQ φKᵀ): key j of the chunk is seen by row r iff j ≤ r.
    for (int64_t n = 0; n < keyTiles; ++n)
      for (int64_t e = 0; e < 4; ++e) {
        Value row = kb.add(warpRow, kb.add(ln.g, kb.idx(8 * (e / 2))));
        Value key = kb.add(pairCol, kb.idx(8 * n + e % 2));
        Value seen =
            arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ule, key, row);
        Value &x = scores[4 * n + e];
        x = kb.select(seen, x, zero);
        den[e / 2] = kb.fadd(den[e / 2], x);
      }
    // O += A·V, A packed to operand fragments 16 keys at a time.
    for (int64_t j = 0; j < keyTiles / 2; ++j) {
      SmallVector<Value> aFrag;
      for (int64_t n : {2 * j, 2 * j + 1})
        for (int64_t half = 0; half < 2; ++half)
          aFrag.push_back(atom.operand(
              kb.pack(scores[4 * n + 2 * half], scores[4 * n + 2 * half + 1])));
      for (int64_t p = 0; p < valueTiles / 2; ++p) {
        SmallVector<Value> vFrag =
            atom.ldmatrix(vS,
                          {kb.add(kb.add(ln.r8, m0x8), kb.idx(16 * j)),
                           kb.add(m1x8, kb.idx(16 * p))},
                          4, /*transpose=*/true);
        atom.mma(aFrag, {vFrag[0], vFrag[1]}, tileOf(acc, 2 * p));
        atom.mma(aFrag, {vFrag[2], vFrag[3]}, tileOf(acc, 2 * p + 1));
      }
    }
  }
  // 1 / (den + eps) per row (the quad's four threads hold parts of it),
  // then 4-byte stores of the scaled pairs.
  for (int64_t half = 0; half < 2; ++half) {
    Value sum = kb.quadReduce(den[half],
                              [&](Value x, Value y) { return kb.fadd(x, y); });
    Value row =
        kb.add(firstRow, kb.add(warpRow, kb.add(ln.g, kb.idx(8 * half))));
    Value inv = arith::DivFOp::create(b, loc, kb.f32(1.0),
                                      kb.fadd(sum, kb.f32(spec.eps)));
    Value inRange = arith::AndIOp::create(
        b, loc, kb.lt(row, numQ),
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, row, c0));
    kb.ifThen(inRange, [&] {
      for (int64_t n = 0; n < valueTiles; ++n)
        vector::StoreOp::create(
            b, loc,
            kb.pack(kb.fmul(acc[4 * n + 2 * half], inv),
                    kb.fmul(acc[4 * n + 2 * half + 1], inv)),
            oCols, ValueRange{batch, head, row, kb.add(kb.idx(8 * n), pairCol)},
            /*nontemporal=*/false, llvm::MaybeAlign(4));
    });
  }
}

void LinearEmitter::buildSums() {
  Value blk = blockIndex;
  Value bhkv = gpu::BlockIdOp::create(b, loc, gpu::Dimension::y);
  Value batch = arith::DivUIOp::create(b, loc, bhkv, headsKV);
  Value head = arith::RemUIOp::create(b, loc, bhkv, headsKV);
  zeroState();
  Value lo = kb.mul(blk, keyRows);
  Value hi = kb.min(kb.add(lo, keyRows), numK);
  scf::ForOp::create(b, loc, lo, hi, kb.idx(kChunk), ValueRange{},
                     [&](OpBuilder &, Location, Value first, ValueRange) {
                       copyChunks(batch,
                                  {{k, head, first, numK, spec.d(), kS},
                                   {vCols, head, first, numK, spec.dt(), vS}});
                       applyFeatureMap(kS, spec.d(), kb.sub(numK, first));
                       gpu::BarrierOp::create(b, loc);
                       accumulateState(/*writeRounded=*/false);
                       scf::YieldOp::create(b, loc);
                     });
  storeState(stateAt(bhkv, blk));
}

void LinearEmitter::buildPrefix() {
  Value slice = gpu::BlockIdOp::create(b, loc, gpu::Dimension::x);
  Value bhkv = gpu::BlockIdOp::create(b, loc, gpu::Dimension::y);
  Value e = kb.add(kb.mul(slice, kb.idx(kThreads)), tid);
  kb.ifThen(kb.lt(e, kb.idx(spec.stateFloats())), [&] {
    scf::ForOp::create(b, loc, c0, keyBlocks, c1, ValueRange{zero},
                       [&](OpBuilder &, Location, Value blk, ValueRange sum) {
                         Value at = kb.add(stateAt(bhkv, blk), e);
                         Value x = kb.fadd(
                             sum[0], memref::LoadOp::create(b, loc, w, at));
                         memref::StoreOp::create(b, loc, x, w, at);
                         scf::YieldOp::create(b, loc, x);
                       });
  });
}

void LinearEmitter::buildOutputs() {
  Value blk = blockIndex;
  Value bh = gpu::BlockIdOp::create(b, loc, gpu::Dimension::y);
  Value batch = arith::DivUIOp::create(b, loc, bh, headsQ);
  Value head = arith::RemUIOp::create(b, loc, bh, headsQ);
  Value headKV = arith::DivUIOp::create(
      b, loc, head, arith::DivUIOp::create(b, loc, headsQ, headsKV));
  Value bhkv = kb.add(kb.mul(batch, headsKV), headKV);
  if (!spec.causal) {
    loadState(stateAt(bhkv, kb.sub(keyBlocks, c1)));
    Value lo = kb.mul(blk, taskRows);
    Value hi = kb.min(kb.add(lo, taskRows), numQ);
    scf::ForOp::create(
        b, loc, lo, hi, kb.idx(kChunk), ValueRange{},
        [&](OpBuilder &, Location, Value first, ValueRange) {
          copyChunks(batch, {{q, head, first, numQ, spec.d(), qS}});
          applyFeatureMap(qS, spec.d(), Value());
          gpu::BarrierOp::create(b, loc);
          computeOutputs(batch, head, first);
          gpu::BarrierOp::create(b, loc);
          scf::YieldOp::create(b, loc);
        });
    return;
  }
  // Causal: positions are keys'; query i sits at i + shift.
  Value isFirst =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, blk, c0);
  scf::IfOp::create(
      b, loc, isFirst,
      [&](OpBuilder &, Location) {
        zeroState();
        scf::YieldOp::create(b, loc);
      },
      [&](OpBuilder &, Location) {
        loadState(stateAt(bhkv, kb.sub(blk, c1)));
        scf::YieldOp::create(b, loc);
      });
  Value shift = kb.sub(numK, numQ);
  Value lo = kb.mul(blk, keyRows);
  Value hi = kb.min(kb.add(lo, keyRows), numK);
  scf::ForOp::create(
      b, loc, lo, hi, kb.idx(kChunk), ValueRange{},
      [&](OpBuilder &, Location, Value first, ValueRange) {
        Value firstQuery = kb.sub(first, shift);
        copyChunks(batch, {{q, head, firstQuery, numQ, spec.d(), qS,
                            /*rowsMayBeNegative=*/true},
                           {k, headKV, first, numK, spec.d(), kS},
                           {vCols, headKV, first, numK, spec.dt(), vS}});
        applyFeatureMap(qS, spec.d(), Value());
        applyFeatureMap(kS, spec.d(), kb.sub(numK, first));
        gpu::BarrierOp::create(b, loc);
        computeOutputs(batch, head, firstQuery);
        gpu::BarrierOp::create(b, loc);
        // The state of the block's next chunk (none after its last).
        Value more = kb.lt(kb.add(first, kb.idx(kChunk)), hi);
        kb.ifThen(more, [&] { accumulateState(/*writeRounded=*/true); });
        scf::YieldOp::create(b, loc);
      });
}

/// What the GPU kernels of `linear` compute, or a diagnostic on `func`.
FailureOr<LinearSpec> matchLinearSpec(func::FuncOp func) {
  auto fail = [&](const Twine &why) {
    return func.emitError() << "convert-attn-to-gpu: " << why;
  };
  Block &body = func.getBody().front();
  // FAVOR+ first: its kernel function (with the projection) is well formed.
  for (LinearOp op : body.getOps<LinearOp>())
    if (op.getFeatureMap() == FeatureMapKind::FavorPlus)
      return fail("the GPU linear-attention kernel takes identity, "
                  "elu_plus_one and relu feature maps; favor_plus runs on "
                  "the CPU kernel (--target=cpu)");
  auto linear = body.empty() ? LinearOp() : dyn_cast<LinearOp>(body.front());
  auto ret = linear ? dyn_cast<func::ReturnOp>(linear->getNextNode())
                    : func::ReturnOp();
  if (!linear || !ret || ret.getOperands() != linear->getResults() ||
      func.getNumArguments() != 3 || linear.getQuery() != body.getArgument(0) ||
      linear.getKey() != body.getArgument(1) ||
      linear.getValue() != body.getArgument(2))
    return fail("expects a function (q, k, v) whose body is one attn.linear "
                "of its arguments, returned as is (the form attn-kernelgen "
                "writes)");
  auto qType = cast<RankedTensorType>(linear.getQuery().getType());
  auto vType = cast<RankedTensorType>(linear.getValue().getType());
  Type elem = qType.getElementType();
  if (!elem.isBF16() && !elem.isF16())
    return fail("the GPU linear-attention kernel takes bf16 or f16 inputs, "
                "got ")
           << elem;
  if (qType.isDynamicDim(3) || vType.isDynamicDim(3))
    return fail("the head dims d and d_v must be static");
  int64_t d = qType.getDimSize(3), dv = vType.getDimSize(3);
  if (d % 16 || dv % 16 || d < 16 || dv < 16 || d > kMaxHeadDim ||
      dv > kMaxHeadDim)
    return fail("the GPU linear-attention kernel takes d and d_v that are "
                "multiples of 16 up to " +
                Twine(kMaxHeadDim) + ", got d = " + Twine(d) +
                ", d_v = " + Twine(dv));
  return LinearSpec{linear.getFeatureMap(),
                    static_cast<bool>(linear.getCausal()),
                    linear.getEps().convertToDouble(),
                    KernelSpec{d, dv, 0.0, MaskAttrInterface(), false, elem}};
}

} // namespace

LogicalResult
mlir::attn::convertLinearFunctionToGPUKernel(func::FuncOp func,
                                             gpu::GPUModuleOp module) {
  FailureOr<LinearSpec> spec = matchLinearSpec(func);
  if (failed(spec))
    return failure();
  MLIRContext *ctx = func.getContext();
  Type elem = spec->kernel.elem;
  LinearLayout layout{spec->d(), spec->dt()};
  declareDynamicSharedMemory(
      module, elem.isBF16() ? "attn_smem_bf16" : "attn_smem_f16", elem, 128);
  declareDynamicSharedMemory(module, "attn_smem_f32", Float32Type::get(ctx),
                             128);
  OpBuilder mb = OpBuilder::atBlockEnd(module.getBody());
  Location loc = func.getLoc();
  KernelMetadata meta{elem,   spec->d(), spec->dv(),     /*hasLse=*/false,
                      kChunk, kThreads,  layout.bytes(), spec->dt()};
  meta.op = ATTNRT_OP_LINEAR;
  meta.causal = spec->causal;
  meta.featureMap = static_cast<int64_t>(spec->map);
  meta.features = spec->d();

  Type tensor = getKernelMemRefType(ctx, 4, elem);
  Type index = IndexType::get(ctx);
  SmallVector<Type> inputs = {
      tensor,
      tensor,
      tensor,
      tensor,
      MemRefType::get({ShapedType::kDynamic}, Float32Type::get(ctx)),
      index,
      index};
  using Build = void (LinearEmitter::*)();
  const Build builds[] = {&LinearEmitter::buildSums,
                          &LinearEmitter::buildPrefix,
                          &LinearEmitter::buildOutputs};
  for (auto [suffix, build] : llvm::zip_equal(kLinearGPUEntries, builds)) {
    std::string name = (func.getSymName() + StringRef(suffix)).str();
    createKernelMetadata(
        mb, loc, "attn_meta_" + name, meta,
        gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Global));
    auto kernel = gpu::GPUFuncOp::create(mb, loc, name,
                                         FunctionType::get(ctx, inputs, {}));
    kernel->setAttr(gpu::GPUDialect::getKernelFuncAttrName(),
                    UnitAttr::get(ctx));
    kernel.setKnownBlockSizeAttr(
        mb.getDenseI32ArrayAttr({static_cast<int32_t>(kThreads), 1, 1}));
    kernel->setAttr("attn.smem_bytes", mb.getI64IntegerAttr(layout.bytes()));
    OpBuilder b = OpBuilder::atBlockBegin(&kernel.getBody().front());
    LinearEmitter emitter(b, loc, *spec, kernel);
    (emitter.*build)();
    gpu::ReturnOp::create(b, loc);
  }
  func.erase();
  return success();
}
