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
//   (causal: both over every block but the last, which nothing reads)
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
// A CTA is 4 warps (128 threads) and takes dt value columns of d_v
// (getLinearGPUValueTile: 64 of d_v = 128, so that a d = 128 CTA's state
// fits twice an SM). Chunks of Q, K, V come to shared memory by cp.async
// (rows past N zero-filled), each phase streaming them into a ring as many
// stages ahead as a quarter of an SM's shared memory holds (at d = 128: K
// and V one ahead in `_sums`, Q one in non-causal `_outputs`; the causal
// outputs, which keep an f32 state, one stage and two CTAs an SM; each
// entry point is launched with its own shared memory), and φ is applied
// there in place (K rows past N_kv set to 0: elu+1 maps 0 to 1). `_sums`
// keeps its block's S and z in registers (each warp its m-tiles'
// fragments, stored to W once); the causal `_outputs` keep S twice in
// shared memory: in f32, the sum, and rounded to bf16/f16, the B operand
// of φQ·S (the non-causal ones only the rounded copy). Products are
// m16n8k16 mma.sync with f32 accumulators (MmaSync.h):
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
};

/// What a phase keeps in the dynamic shared memory: a ring of `stages`
/// chunks of what it streams (Q; K and V's dt value columns), rows of cols +
/// kPad elements, then the state rounded to the input type (S [d][dt]), then
/// f32: S [d][dt] (the causal outputs, which move the state) and z [d]
/// (the outputs). The prefix keeps nothing there.
struct SharedLayout {
  int64_t d, dt;
  bool streamsQ, streamsKV, sumsKeys;
  int64_t stages = 1;
  int64_t qElems() const { return streamsQ ? kChunk * (d + kPad) : 0; }
  int64_t kElems() const { return streamsKV ? kChunk * (d + kPad) : 0; }
  int64_t vElems() const { return streamsKV ? kChunk * (dt + kPad) : 0; }
  int64_t stageElems() const { return qElems() + kElems() + vElems(); }
  int64_t roundedElems() const { return streamsQ ? d * (dt + kPad) : 0; }
  int64_t halfBytes() const {
    return (2 * (stages * stageElems() + roundedElems()) + 15) / 16 * 16;
  }
  int64_t sumFloats() const { return sumsKeys ? d * dt : 0; }
  int64_t zFloats() const { return streamsQ ? d : 0; }
  int64_t bytes() const { return halfBytes() + 4 * (sumFloats() + zFloats()); }
};

/// The kernels' phases: `_sums`, `_prefix` (no shared memory of its own)
/// and `_outputs`.
enum class Phase { Sums, Prefix, Outputs };

/// Shared memory a CTA of `_sums` or `_outputs` may take: four of them an
/// sm_90 SM (228 KB, 1 KB of it reserved per CTA), where their registers
/// allow (an sm_80 SM, 164 KB, holds two or three).
constexpr int64_t kSharedPerCta = (228 - 4) / 4 * 1024;

/// The layout of `phase`: as many stages (up to 4) as kSharedPerCta holds,
/// so that the phases that stream one or two tensors keep chunks in
/// flight while they compute; at least one (the causal outputs at d = 128:
/// their f32 state alone is 32 KB, two CTAs an SM). The prefix has none.
SharedLayout getSharedLayout(const LinearSpec &spec, Phase phase) {
  bool outputs = phase == Phase::Outputs;
  SharedLayout layout{spec.d(), spec.dt(), outputs, !outputs || spec.causal,
                      outputs && spec.causal};
  if (phase == Phase::Prefix)
    return SharedLayout{spec.d(), spec.dt(), false, false, false, 0};
  while (layout.stages < 4) {
    SharedLayout deeper = layout;
    ++deeper.stages;
    if (deeper.bytes() > kSharedPerCta)
      break;
    layout = deeper;
  }
  return layout;
}

/// Emits the three kernels' bodies. Holds the shared-memory views and the
/// thread's place; each `build*` fills one gpu.func.
class LinearEmitter {
public:
  LinearEmitter(OpBuilder &b, Location loc, const LinearSpec &spec,
                const SharedLayout &layout, gpu::GPUFuncOp func)
      : b(b), loc(loc), spec(spec),
        layout(layout), kb{b, loc, spec.kernel}, atom{kb} {
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
  /// The float of W for float e of the CTA's S [d][dt].
  Value sumIndex(Value base, Value e);
  /// The float of W of z[f].
  Value normIndex(Value base, Value f) {
    return kb.add(base, kb.add(kb.idx(spec.d() * spec.dv()), f));
  }
  /// Index of W's first float of the state of (b·h_kv, blk).
  Value stateAt(Value bhkv, Value blk) {
    return kb.mul(kb.add(kb.mul(bhkv, keyBlocks), blk),
                  kb.idx(spec.stateFloats()));
  }
  void forEachThreadElement(int64_t count, function_ref<void(Value)> body);
  void loadState(Value from);
  void zeroState();
  /// A chunk of rows of `src` into the ring `tiles` for streamChunks.
  struct ChunkCopy {
    Value src, head, first, limit;
    int64_t cols;
    Value tiles;
    bool rowsMayBeNegative = false;
  };
  /// What a chunk's body carries to the next (registers across chunks).
  using ChunkBody =
      function_ref<SmallVector<Value>(Value first, ValueRange carried)>;
  SmallVector<Value>
  streamChunks(Value batch, Value lo, Value hi,
               function_ref<SmallVector<ChunkCopy>(Value first)> chunksAt,
               ChunkBody body, ValueRange init = {});
  /// Stage `stage` of a ring of chunk tiles.
  Value stageOf(Value ring, Value stage) {
    auto type = cast<MemRefType>(ring.getType());
    SmallVector<OpFoldResult> offsets = {stage, b.getIndexAttr(0),
                                         b.getIndexAttr(0)};
    SmallVector<OpFoldResult> sizes = {b.getIndexAttr(1),
                                       b.getIndexAttr(type.getDimSize(1)),
                                       b.getIndexAttr(type.getDimSize(2))};
    SmallVector<OpFoldResult> ones(3, b.getIndexAttr(1));
    auto result = memref::SubViewOp::inferRankReducedResultType(
        {type.getDimSize(1), type.getDimSize(2)}, type, offsets, sizes, ones);
    return memref::SubViewOp::create(b, loc, cast<MemRefType>(result), ring,
                                     offsets, sizes, ones);
  }
  void applyFeatureMap(Value tile, int64_t cols, Value validRows);
  void accumulateState();
  /// The m-tiles of S's d rows a warp sums in buildSums.
  int64_t warpMTiles() const { return (spec.d() / 16 + kWarps - 1) / kWarps; }
  std::pair<Value, Value> warpMTile(int64_t i);
  SmallVector<Value> sumChunk(ValueRange sums);
  void storeSums(ArrayRef<Value> sums, Value to);
  void computeOutputs(Value batch, Value head, Value firstRow);
  /// A warp's part of a chunk's outputs: O and the scores as mma fragments
  /// [tile][4], the denominators of rows g and g + 8 (thread-partial).
  struct ChunkOutputs {
    Value warpRow, pairCol; // the warp's first row; the thread's column pair
    SmallVector<Value> acc, scores, den;
    MutableArrayRef<Value> tile(SmallVector<Value> &x, int64_t n) const {
      return MutableArrayRef<Value>(x).slice(4 * n, 4);
    }
  };
  void queryProducts(ChunkOutputs &out);
  void addDiagonal(ChunkOutputs &out);
  SmallVector<Value> columnPairFragments(Value src, int64_t firstRow,
                                         int64_t p);
  void addTimesRows(ArrayRef<Value> a, Value src, int64_t firstRow,
                    ChunkOutputs &out);
  void storeOutputs(const ChunkOutputs &out, Value batch, Value head,
                    Value firstRow);
  Value unpack(Value reg, int64_t i);

  OpBuilder &b;
  Location loc;
  const LinearSpec &spec;
  const SharedLayout &layout;
  KernelBuilder kb;
  MmaSyncAtom atom;
  Lane ln;
  Value q, k, v, o, w, keyRows, taskRows;
  Value c0, c1, zero, tid, m0x8, m1x8;
  Value numQ, numK, headsQ, headsKV, keyBlocks;
  Value blockIndex, vc, firstTile; // blockIdx.x as (block, value columns)
  Value vCols, oCols;              // v's and o's columns [vc, vc + dt)
  Value qRing, kRing, vRing;       // [stages][64][cols + kPad]
  Value qS, kS, vS;                // this chunk's stage of each ring
  Value sS, state, zS;             // S rounded [d][dt + kPad]; f32 S, z
};

void LinearEmitter::makeSharedViews() {
  MLIRContext *ctx = b.getContext();
  Type elem = spec.kernel.elem;
  std::string halfName = elem.isBF16() ? "attn_smem_bf16" : "attn_smem_f16";
  Value half = memref::GetGlobalOp::create(
      b, loc, getDynamicSharedMemoryType(ctx, elem), halfName);
  Value floats = memref::GetGlobalOp::create(
      b, loc, getDynamicSharedMemoryType(ctx, b.getF32Type()), "attn_smem_f32");
  const int64_t d = spec.d(), dt = spec.dt(), stages = layout.stages;
  int64_t at = 0;
  auto ring = [&](int64_t elems, int64_t cols) {
    Value view =
        elems ? sharedView(b, loc, half, at, {stages, kChunk, cols}) : Value();
    at += stages * elems;
    return view;
  };
  qRing = ring(layout.qElems(), d + kPad);
  kRing = ring(layout.kElems(), d + kPad);
  vRing = ring(layout.vElems(), dt + kPad);
  if (layout.roundedElems())
    sS = sharedView(b, loc, half, at, {d, dt + kPad});
  const int64_t floatsAt = layout.halfBytes() / 4;
  if (layout.sumFloats())
    state = sharedView(b, loc, floats, floatsAt, {d * dt});
  if (layout.zFloats())
    zS = sharedView(b, loc, floats, floatsAt + layout.sumFloats(), {d});
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

Value LinearEmitter::sumIndex(Value base, Value e) {
  const int64_t dt = spec.dt();
  return kb.add(base, kb.add(kb.mul(kb.div(e, dt), kb.idx(spec.dv())),
                             kb.add(vc, kb.rem(e, dt))));
}

/// The CTA's state from W at `from`: z, S rounded (for φQ·S) and, when the
/// phase sums keys, S in f32. Ends with a barrier.
void LinearEmitter::loadState(Value from) {
  const int64_t dt = spec.dt();
  forEachThreadElement(spec.d(), [&](Value f) {
    memref::StoreOp::create(
        b, loc, memref::LoadOp::create(b, loc, w, normIndex(from, f)), zS, f);
  });
  forEachThreadElement(spec.d() * dt, [&](Value e) {
    Value x = memref::LoadOp::create(b, loc, w, sumIndex(from, e));
    if (state)
      memref::StoreOp::create(b, loc, x, state, e);
    Value h = arith::TruncFOp::create(b, loc, spec.kernel.elem, x);
    memref::StoreOp::create(b, loc, h, sS,
                            ValueRange{kb.div(e, dt), kb.rem(e, dt)});
  });
  gpu::BarrierOp::create(b, loc);
}

/// A zero state (the rounded S only where the phase keeps one). Ends with
/// a barrier.
void LinearEmitter::zeroState() {
  const int64_t dt = spec.dt();
  forEachThreadElement(
      spec.d(), [&](Value f) { memref::StoreOp::create(b, loc, zero, zS, f); });
  forEachThreadElement(spec.d() * dt, [&](Value e) {
    memref::StoreOp::create(b, loc, zero, state, e);
  });
  if (sS) {
    Value h = arith::TruncFOp::create(b, loc, spec.kernel.elem, zero);
    forEachThreadElement(spec.d() * dt, [&](Value e) {
      memref::StoreOp::create(b, loc, h, sS,
                              ValueRange{kb.div(e, dt), kb.rem(e, dt)});
    });
  }
  gpu::BarrierOp::create(b, loc);
}

/// body(first, carried) for the chunks [lo, hi) step 64, each chunk's tiles
/// (chunksAt(first): rows past `limit`, and below 0 if asked, zero-filled)
/// loaded by cp.async into the next stage of their rings `stages − 1`
/// chunks ahead; qS, kS and vS name the chunk's stage during its body. The
/// body returns what the next chunk carries (`init` for the first); the
/// last chunk's is the result. The body may end without a barrier: the
/// wait that starts each iteration has one before any copy overwrites a
/// stage.
SmallVector<Value> LinearEmitter::streamChunks(
    Value batch, Value lo, Value hi,
    function_ref<SmallVector<ChunkCopy>(Value first)> chunksAt, ChunkBody body,
    ValueRange init) {
  const int64_t stages = layout.stages;
  AsyncCopyPipeline copies(kb, tid, kThreads, batch, c0, c1);
  auto tokenType = nvgpu::DeviceAsyncTokenType::get(b.getContext());
  // The group of chunk `first` into `stage`. Past hi, a group of one
  // zero-filled 16-byte copy per thread (each its own) into that stage,
  // which no later chunk reads before the stage comes round again, so that
  // every iteration commits one group and the wait counts stay fixed. (An empty
  // group would do, but nvgpu.device_async_create_group without operands does
  // not print back to IR that parses.)
  auto issue = [&](Value first, Value stage) -> Value {
    auto group = scf::IfOp::create(b, loc, TypeRange{tokenType},
                                   kb.lt(first, hi), /*withElse=*/true);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(group.thenBlock());
    SmallVector<ChunkCopy> chunks = chunksAt(first);
    SmallVector<Value> tokens;
    for (const ChunkCopy &c : chunks)
      copies.copyTile(c.src, c.head, c.first, c.limit, kChunk, c.cols, c.tiles,
                      {stage}, tokens, c.rowsMayBeNegative);
    scf::YieldOp::create(b, loc, copies.commit(tokens));
    b.setInsertionPointToStart(group.elseBlock());
    const int64_t perRow = chunks[0].cols / 8; // 16-byte chunks of a row
    Value none = nvgpu::DeviceAsyncCopyOp::create(
        b, loc, tokenType, chunks[0].tiles,
        ValueRange{stage, kb.div(tid, perRow),
                   kb.mul(kb.rem(tid, perRow), kb.idx(8))},
        chunks[0].src, ValueRange{batch, c0, c0, c0}, b.getIndexAttr(8), c0,
        b.getUnitAttr());
    scf::YieldOp::create(b, loc, copies.commit({none}));
    return group.getResult(0);
  };
  auto setStage = [&](Value stage) {
    qS = qRing ? stageOf(qRing, stage) : Value();
    kS = kRing ? stageOf(kRing, stage) : Value();
    vS = vRing ? stageOf(vRing, stage) : Value();
  };
  Value step = kb.idx(kChunk);
  if (stages == 1) {
    auto loop = scf::ForOp::create(
        b, loc, lo, hi, step, init,
        [&](OpBuilder &, Location, Value first, ValueRange carried) {
          gpu::BarrierOp::create(b, loc); // stage 0 is free
          copies.waitAllBut(issue(first, c0), 0);
          setStage(c0);
          scf::YieldOp::create(b, loc, body(first, carried));
        });
    return SmallVector<Value>(loop.getResults());
  }
  Value last;
  for (int64_t s = 0; s + 1 < stages; ++s)
    last = issue(kb.add(lo, kb.idx(s * kChunk)), kb.idx(s));
  SmallVector<Value> start = {c0, last}; // the stage, the newest group
  llvm::append_range(start, init);
  auto loop = scf::ForOp::create(
      b, loc, lo, hi, step, start,
      [&](OpBuilder &, Location, Value first, ValueRange carried) {
        Value stage = carried[0];
        copies.waitAllBut(carried[1], static_cast<int32_t>(stages - 2));
        Value group = issue(kb.add(first, kb.idx((stages - 1) * kChunk)),
                            kb.rem(kb.add(stage, kb.idx(stages - 1)), stages));
        setStage(stage);
        SmallVector<Value> next = {kb.rem(kb.add(stage, c1), stages), group};
        llvm::append_range(next, body(first, carried.drop_front(2)));
        scf::YieldOp::create(b, loc, next);
      });
  return SmallVector<Value>(loop.getResults().drop_front(2));
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

/// The causal outputs' state moves by the chunk: S += φK_cᵀ V_c in f32 in
/// shared memory (each warp the m-tiles w, w + 4, ... of S's d rows, 64
/// columns at a time) and its bf16/f16 copy, z += φK_cᵀ 1 as one more
/// n-tile of the same product, its B operand all ones.
void LinearEmitter::accumulateState() {
  const int64_t d = spec.d(), dv = spec.dt();
  auto pair = VectorType::get({2}, kb.f32());
  Value pairCol = kb.mul(ln.t, kb.idx(2));
  Value ones = atom.operand(kb.pack(kb.f32(1.0), kb.f32(1.0)));
  for (int64_t mt0 = 0; mt0 < d / 16; mt0 += kWarps) {
    Value mt = kb.add(ln.warp, kb.idx(mt0));
    kb.ifThen(kb.lt(mt, kb.idx(d / 16)), [&] {
      Value row0 = kb.mul(mt, kb.idx(16));
      // z of features row0 + g and row0 + g + 8: registers 0 and 2 of the
      // ones tile (every column of it is the same sum).
      Value zRow[2] = {kb.add(row0, ln.g),
                       kb.add(row0, kb.add(ln.g, kb.idx(8)))};
      SmallVector<Value> zTile;
      for (int64_t r = 0; r < 4; ++r)
        zTile.push_back(memref::LoadOp::create(b, loc, zS, zRow[r / 2]));
      auto stateIndex = [&](int64_t n, int64_t half) {
        Value row = kb.add(row0, kb.add(ln.g, kb.idx(8 * half)));
        return kb.add(kb.mul(row, kb.idx(dv)), kb.add(kb.idx(8 * n), pairCol));
      };
      // n-tiles of S a step: 8 (64 columns), 4 where the warp has two
      // m-tiles (d > 64: groups of 8 spilled 8 bytes in _sums at d = 128).
      const int64_t group = d > 64 ? 4 : 8;
      for (int64_t n0 = 0; n0 < dv / 8; n0 += group) {
        const int64_t tiles = std::min<int64_t>(group, dv / 8 - n0);
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
          if (n0 == 0)
            atom.mma(aFrag, {ones, ones}, zTile);
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
            vector::StoreOp::create(b, loc, kb.pack(x, y), sS,
                                    ValueRange{kb.div(at, dv), kb.rem(at, dv)});
          }
      }
      kb.ifThen(kb.lt(ln.t, c1), [&] {
        for (int64_t half = 0; half < 2; ++half)
          memref::StoreOp::create(b, loc, zTile[2 * half], zS, zRow[half]);
      });
    });
  }
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
  ChunkOutputs out{
      kb.mul(ln.warp, kb.idx(16)), kb.mul(ln.t, kb.idx(2)), {}, {}, {}};
  queryProducts(out);
  if (spec.causal)
    addDiagonal(out);
  storeOutputs(out, batch, head, firstRow);
}

/// The products of the warp's φQ fragments: φQ·S into O, φQ·z into the
/// denominators and, causal, φQ·φK_cᵀ into the scores.
void LinearEmitter::queryProducts(ChunkOutputs &out) {
  const int64_t d = spec.d(), valueTiles = spec.dt() / 8;
  const int64_t keyTiles = kChunk / 8;
  out.acc.assign(4 * valueTiles, zero);
  if (spec.causal)
    out.scores.assign(4 * keyTiles, zero);
  out.den.assign(2, zero);
  for (int64_t kk = 0; kk < d / 16; ++kk) {
    SmallVector<Value> qFrag =
        atom.ldmatrix(qS,
                      {kb.add(out.warpRow, kb.add(ln.r8, m0x8)),
                       kb.add(m1x8, kb.idx(16 * kk))},
                      4, /*transpose=*/false);
    // φQ·z on the fragment: registers 0, 1 are rows g, g + 8 at columns
    // 16kk + 2t, 2t + 1; registers 2, 3 the same 8 columns on.
    for (int64_t r = 0; r < 4; ++r) {
      Value col = kb.add(out.pairCol, kb.idx(16 * kk + 8 * (r / 2)));
      Value z = vector::LoadOp::create(b, loc, VectorType::get({2}, kb.f32()),
                                       zS, col);
      for (int64_t e = 0; e < 2; ++e)
        out.den[r % 2] =
            kb.fma(unpack(qFrag[r], e), vector::ExtractOp::create(b, loc, z, e),
                   out.den[r % 2]);
    }
    addTimesRows(qFrag, sS, 16 * kk, out);
    if (!spec.causal)
      continue;
    for (int64_t p = 0; p < keyTiles / 2; ++p) {
      SmallVector<Value> kFrag =
          atom.ldmatrix(kS,
                        {kb.add(kb.add(ln.r8, m1x8), kb.idx(16 * p)),
                         kb.add(m0x8, kb.idx(16 * kk))},
                        4, /*transpose=*/false);
      atom.mma(qFrag, {kFrag[0], kFrag[1]}, out.tile(out.scores, 2 * p));
      atom.mma(qFrag, {kFrag[2], kFrag[3]}, out.tile(out.scores, 2 * p + 1));
    }
  }
}

/// B fragments of n-tiles 2p and 2p + 1 of rows [firstRow, firstRow + 16)
/// of `src` ([rows][cols + kPad]: S rounded, or a chunk of V), by
/// ldmatrix.trans: registers 0, 1 are n-tile 2p's, 2, 3 n-tile 2p + 1's.
SmallVector<Value>
LinearEmitter::columnPairFragments(Value src, int64_t firstRow, int64_t p) {
  return atom.ldmatrix(src,
                       {kb.add(kb.add(ln.r8, m0x8), kb.idx(firstRow)),
                        kb.add(m1x8, kb.idx(16 * p))},
                       4, /*transpose=*/true);
}

/// O += A · src[firstRow, firstRow + 16) over the CTA's dt value columns:
/// `a` an A fragment (16 rows × 16), src [rows][dt + kPad] (S rounded, or a
/// chunk of V) read as B fragments by ldmatrix.trans, two n-tiles at a time.
void LinearEmitter::addTimesRows(ArrayRef<Value> a, Value src, int64_t firstRow,
                                 ChunkOutputs &out) {
  for (int64_t p = 0; p < spec.dt() / 16; ++p) {
    SmallVector<Value> bFrag = columnPairFragments(src, firstRow, p);
    atom.mma(a, {bFrag[0], bFrag[1]}, out.tile(out.acc, 2 * p));
    atom.mma(a, {bFrag[2], bFrag[3]}, out.tile(out.acc, 2 * p + 1));
  }
}

/// The chunk's own keys: A = tril(φQ φKᵀ) (key j of the chunk is seen by
/// row r iff j ≤ r), its row sums into the denominators, O += A·V with A
/// packed to operand fragments 16 keys at a time.
void LinearEmitter::addDiagonal(ChunkOutputs &out) {
  const int64_t keyTiles = kChunk / 8;
  SmallVector<Value> &scores = out.scores;
  for (int64_t n = 0; n < keyTiles; ++n)
    for (int64_t e = 0; e < 4; ++e) {
      Value row = kb.add(out.warpRow, kb.add(ln.g, kb.idx(8 * (e / 2))));
      Value key = kb.add(out.pairCol, kb.idx(8 * n + e % 2));
      Value seen =
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ule, key, row);
      Value &x = scores[4 * n + e];
      x = kb.select(seen, x, zero);
      out.den[e / 2] = kb.fadd(out.den[e / 2], x);
    }
  for (int64_t j = 0; j < keyTiles / 2; ++j) {
    SmallVector<Value> aFrag;
    for (int64_t n : {2 * j, 2 * j + 1})
      for (int64_t half = 0; half < 2; ++half)
        aFrag.push_back(atom.operand(
            kb.pack(scores[4 * n + 2 * half], scores[4 * n + 2 * half + 1])));
    addTimesRows(aFrag, vS, 16 * j, out);
  }
}

/// 1 / (den + eps) per row (the quad's four threads hold parts of it), then
/// 4-byte stores of the scaled pairs of rows in [0, N_q).
void LinearEmitter::storeOutputs(const ChunkOutputs &out, Value batch,
                                 Value head, Value firstRow) {
  const int64_t valueTiles = spec.dt() / 8;
  for (int64_t half = 0; half < 2; ++half) {
    Value sum = kb.quadReduce(out.den[half],
                              [&](Value x, Value y) { return kb.fadd(x, y); });
    Value row =
        kb.add(firstRow, kb.add(out.warpRow, kb.add(ln.g, kb.idx(8 * half))));
    Value inv = arith::DivFOp::create(b, loc, kb.f32(1.0),
                                      kb.fadd(sum, kb.f32(spec.eps)));
    Value inRange = arith::AndIOp::create(
        b, loc, kb.lt(row, numQ),
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, row, c0));
    kb.ifThen(inRange, [&] {
      for (int64_t n = 0; n < valueTiles; ++n)
        vector::StoreOp::create(
            b, loc,
            kb.pack(kb.fmul(out.acc[4 * n + 2 * half], inv),
                    kb.fmul(out.acc[4 * n + 2 * half + 1], inv)),
            oCols,
            ValueRange{batch, head, row, kb.add(kb.idx(8 * n), out.pairCol)},
            /*nontemporal=*/false, llvm::MaybeAlign(4));
    });
  }
}

/// The block's state in registers: each warp's m-tiles of S's d rows
/// (warpMTiles() of them, rows 16·(w + 4i); a warp past d/16 repeats the
/// last and stores nothing), per m-tile its dt/8 n-tiles of S and then the
/// ones tile of z, 4 f32 each.
void LinearEmitter::buildSums() {
  Value blk = blockIndex;
  Value bhkv = gpu::BlockIdOp::create(b, loc, gpu::Dimension::y);
  Value batch = arith::DivUIOp::create(b, loc, bhkv, headsKV);
  Value head = arith::RemUIOp::create(b, loc, bhkv, headsKV);
  Value lo = kb.mul(blk, keyRows);
  Value hi = kb.min(kb.add(lo, keyRows), numK);
  SmallVector<Value> zeros(warpMTiles() * (spec.dt() / 8 + 1) * 4, zero);
  SmallVector<Value> sums = streamChunks(
      batch, lo, hi,
      [&](Value first) -> SmallVector<ChunkCopy> {
        return {{k, head, first, numK, spec.d(), kRing},
                {vCols, head, first, numK, spec.dt(), vRing}};
      },
      [&](Value first, ValueRange carried) {
        applyFeatureMap(kS, spec.d(), kb.sub(numK, first));
        gpu::BarrierOp::create(b, loc);
        return sumChunk(carried);
      },
      zeros);
  storeSums(sums, stateAt(bhkv, blk));
}

/// Row 16·mt of S of the warp's m-tile i, and whether the warp owns it.
std::pair<Value, Value> LinearEmitter::warpMTile(int64_t i) {
  const int64_t mTiles = spec.d() / 16;
  Value mt = kb.add(ln.warp, kb.idx(kWarps * i));
  return {kb.mul(kb.min(mt, kb.idx(mTiles - 1)), kb.idx(16)),
          kb.lt(mt, kb.idx(mTiles))};
}

/// `sums` (buildSums' registers) plus this chunk's φK_cᵀ [V_c | 1]: per
/// 16 keys, the warp's φKᵀ fragments, then each V fragment pair against
/// all of them.
SmallVector<Value> LinearEmitter::sumChunk(ValueRange sums) {
  const int64_t nTiles = spec.dt() / 8, perTile = (nTiles + 1) * 4;
  SmallVector<Value> acc(sums);
  Value ones = atom.operand(kb.pack(kb.f32(1.0), kb.f32(1.0)));
  auto tile = [&](int64_t i, int64_t n) {
    return MutableArrayRef<Value>(acc).slice(i * perTile + 4 * n, 4);
  };
  for (int64_t kk = 0; kk < kChunk / 16; ++kk) {
    SmallVector<SmallVector<Value>> aFrags;
    for (int64_t i = 0; i < warpMTiles(); ++i) {
      // A = φKᵀ (features × keys): K's (key, feature) 8 × 8 blocks
      // transposed.
      aFrags.push_back(
          atom.ldmatrix(kS,
                        {kb.add(kb.add(ln.r8, m1x8), kb.idx(16 * kk)),
                         kb.add(warpMTile(i).first, m0x8)},
                        4, /*transpose=*/true));
      atom.mma(aFrags.back(), {ones, ones}, tile(i, nTiles));
    }
    for (int64_t p = 0; p < nTiles / 2; ++p) {
      SmallVector<Value> vFrag = columnPairFragments(vS, 16 * kk, p);
      for (int64_t i = 0; i < warpMTiles(); ++i) {
        atom.mma(aFrags[i], {vFrag[0], vFrag[1]}, tile(i, 2 * p));
        atom.mma(aFrags[i], {vFrag[2], vFrag[3]}, tile(i, 2 * p + 1));
      }
    }
  }
  return acc;
}

/// buildSums' registers into W at `to`: S's fragments of the warp's m-tiles,
/// z (the same in every value tile's CTA) by the first value tile's.
void LinearEmitter::storeSums(ArrayRef<Value> sums, Value to) {
  const int64_t nTiles = spec.dt() / 8, perTile = (nTiles + 1) * 4;
  Value pairCol = kb.mul(ln.t, kb.idx(2));
  for (int64_t i = 0; i < warpMTiles(); ++i) {
    Value row0, owned;
    std::tie(row0, owned) = warpMTile(i);
    ArrayRef<Value> acc = sums.slice(i * perTile, perTile);
    kb.ifThen(owned, [&] {
      for (int64_t half = 0; half < 2; ++half) {
        Value row = kb.add(row0, kb.add(ln.g, kb.idx(8 * half)));
        Value rowAt = kb.add(to, kb.add(kb.mul(row, kb.idx(spec.dv())), vc));
        for (int64_t n = 0; n < nTiles; ++n)
          for (int64_t e = 0; e < 2; ++e)
            memref::StoreOp::create(
                b, loc, acc[4 * n + 2 * half + e], w,
                kb.add(rowAt, kb.add(pairCol, kb.idx(8 * n + e))));
        kb.ifThen(arith::AndIOp::create(b, loc, firstTile, kb.lt(ln.t, c1)),
                  [&] {
                    memref::StoreOp::create(b, loc, acc[4 * nTiles + 2 * half],
                                            w, normIndex(to, row));
                  });
      }
    });
  }
}

/// W[blk] += W[blk − 1] over the blocks a later phase reads (causal: all but
/// the last, whose state nothing reads), a float of the states per thread.
/// The loads of kPrefixAhead blocks go out together before their sums, so
/// that a thread waits on memory once per group rather than once a block
/// (its loads and stores are one address each, which LLVM cannot reorder).
void LinearEmitter::buildPrefix() {
  constexpr int64_t kPrefixAhead = 8;
  Value slice = gpu::BlockIdOp::create(b, loc, gpu::Dimension::x);
  Value bhkv = gpu::BlockIdOp::create(b, loc, gpu::Dimension::y);
  Value e = kb.add(kb.mul(slice, kb.idx(kThreads)), tid);
  Value blocks = spec.causal ? kb.sub(keyBlocks, c1) : keyBlocks;
  Value lastBlock = kb.sub(blocks, c1);
  kb.ifThen(kb.lt(e, kb.idx(spec.stateFloats())), [&] {
    scf::ForOp::create(
        b, loc, c0, blocks, kb.idx(kPrefixAhead), ValueRange{zero},
        [&](OpBuilder &, Location, Value first, ValueRange carried) {
          SmallVector<Value> blks, at, x;
          for (int64_t i = 0; i < kPrefixAhead; ++i) {
            blks.push_back(kb.add(first, kb.idx(i)));
            at.push_back(kb.add(stateAt(bhkv, kb.min(blks[i], lastBlock)), e));
            x.push_back(memref::LoadOp::create(b, loc, w, at[i]));
          }
          Value sum = carried[0];
          for (int64_t i = 0; i < kPrefixAhead; ++i) {
            sum = kb.fadd(sum, x[i]);
            Value total = sum;
            kb.ifThen(kb.lt(blks[i], blocks), [&] {
              memref::StoreOp::create(b, loc, total, w, at[i]);
            });
          }
          scf::YieldOp::create(b, loc, sum);
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
    streamChunks(
        batch, lo, hi,
        [&](Value first) -> SmallVector<ChunkCopy> {
          return {{q, head, first, numQ, spec.d(), qRing}};
        },
        [&](Value first, ValueRange) {
          applyFeatureMap(qS, spec.d(), Value());
          gpu::BarrierOp::create(b, loc);
          computeOutputs(batch, head, first);
          return SmallVector<Value>();
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
  streamChunks(
      batch, lo, hi,
      [&](Value first) -> SmallVector<ChunkCopy> {
        return {{q, head, kb.sub(first, shift), numQ, spec.d(), qRing,
                 /*rowsMayBeNegative=*/true},
                {k, headKV, first, numK, spec.d(), kRing},
                {vCols, headKV, first, numK, spec.dt(), vRing}};
      },
      [&](Value first, ValueRange) {
        applyFeatureMap(qS, spec.d(), Value());
        applyFeatureMap(kS, spec.d(), kb.sub(numK, first));
        gpu::BarrierOp::create(b, loc);
        computeOutputs(batch, head, kb.sub(first, shift));
        // The state of the block's next chunk (none after its last), once
        // every warp has read this one's.
        Value more = kb.lt(kb.add(first, kb.idx(kChunk)), hi);
        kb.ifThen(more, [&] {
          gpu::BarrierOp::create(b, loc);
          accumulateState();
        });
        return SmallVector<Value>();
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
  declareDynamicSharedMemory(
      module, elem.isBF16() ? "attn_smem_bf16" : "attn_smem_f16", elem, 128);
  declareDynamicSharedMemory(module, "attn_smem_f32", Float32Type::get(ctx),
                             128);
  OpBuilder mb = OpBuilder::atBlockEnd(module.getBody());
  Location loc = func.getLoc();
  KernelMetadata meta{elem,   spec->d(), spec->dv(), /*hasLse=*/false,
                      kChunk, kThreads,  0,          spec->dt()};
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
  const Phase phases[] = {Phase::Sums, Phase::Prefix, Phase::Outputs};
  for (auto [suffix, build, phase] :
       llvm::zip_equal(kLinearGPUEntries, builds, phases)) {
    std::string name = (func.getSymName() + StringRef(suffix)).str();
    SharedLayout layout = getSharedLayout(*spec, phase);
    meta.smemBytes = layout.bytes();
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
    LinearEmitter emitter(b, loc, *spec, layout, kernel);
    (emitter.*build)();
    gpu::ReturnOp::create(b, loc);
  }
  func.erase();
  return success();
}
