//===- AttnToGPU.cpp - attn.sdpa as a tensor-core GPU kernel
//---------------===//
//
// Rewrites a function whose body is one `attn.sdpa` of its arguments into a
// `gpu.func` that runs the flash schedule of attn-tile-flash on tensor cores
// (FlashAttention-2's decomposition, sm_80 and later):
//
//   CTA (query block qb, batch·head bh); each warp owns 16 or 32 query rows
//     Q tile → shared (cp.async); its mma A fragments stay in registers
//     when they take at most 32 (rows per warp · d ≤ 2048) and O at most
//     64, else are re-read from shared memory at each step
//     prefetch K, V tile 0 (cp.async, zero-filled past N_kv)
//     for keys ks in [lo, hi) step Bc:          (lo, hi from the mask band)
//       wait for this tile (one barrier: every warp is also done with the
//       other stage)
//       S = Q·Kᵀ            mma.sync m16n8k16, K fragments by ldmatrix
//       mask S only if the tile leaves the band or passes N_kv
//       m' = max(m, rowmax S) (quad shuffles) if some row of the warp rose
//       by more than 8/c, else m' = m: P ≤ 2^8 (lazy rescaling)
//       α = 2^((m − m')·c); P = 2^(S·c − m'·c); l = α·l + rowsum P
//       O = α·O only when m' moved (a warp-uniform branch), then prefetch
//       the next K, V tile into the other stage (double buffering)
//       O += P·V            P re-packed to bf16/f16 A fragments in registers,
//                           V fragments by ldmatrix.trans
//     O /= l (quad-reduced); LSE = m·scale + ln l
//     O → the warp's own rows of the Q tile → 16-byte coalesced stores
//     (4-byte fragment stores when O's rows are not 16-byte aligned)
//
// with c = scale·log2(e) folded into the exp2 argument. Each thread holds two
// query rows of its warp (lane/4 and lane/4 + 8), so row reductions are
// thread-local plus two shuffles. Shared-memory rows are padded by 16 bytes so
// that the 8 row addresses of an ldmatrix hit distinct banks.
//
// The parts live beside this file: KernelBuilder.h (the spec, scalar and
// mma.sync/ldmatrix builders, a lane's place), AsyncCopy.{h,cpp} (the
// cp.async tile pipeline), Epilogue.{h,cpp} (O / l, LSE, the stores). This
// file keeps the flash loop and the pass.
//
//===----------------------------------------------------------------------===//

#include "attn/Conversion/AttnToGPU/AttnToGPU.h"
#include "attn/Conversion/Passes.h"
#include "attn/Dialect/Attn/IR/AttnOps.h"
#include "attn/Dialect/Attn/Utils/KernelUtils.h"
#include "attn/Dialect/Attn/Utils/MaskUtils.h"

#include "AsyncCopy.h"
#include "Epilogue.h"
#include "HopperKernel.h"
#include "KernelBuilder.h"
#include "KeyWalk.h"
#include "MmaSync.h"
#include "OnlineSoftmax.h"
#include "ScoreMask.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <cmath>

namespace mlir::attn {
#define GEN_PASS_DEF_CONVERTATTNTOGPU
#include "attn/Conversion/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;
using namespace mlir::attn::gpu_kernel;

namespace {

/// Shared-memory rows are padded by this many elements (16 bytes).
constexpr int64_t kPad = 8;

/// The element offsets of the shared-memory regions: the Q tile, then two
/// stages of K, then two of V, each row `cols + kPad` elements.
struct SharedLayout {
  int64_t qRows, kvRows, d, dv, stages;
  int64_t qElems() const { return qRows * (d + kPad); }
  int64_t kElems() const { return stages * kvRows * (d + kPad); }
  int64_t vElems() const { return stages * kvRows * (dv + kPad); }
  int64_t bytes() const { return 2 * (qElems() + kElems() + vElems()); }
};

/// Emits the kernel body into `func` (already holding its signature).
void buildKernelBody(gpu::GPUFuncOp func, const KernelSpec &spec,
                     GPUScheduleAttr schedule, Value qSmem, Value kSmem,
                     Value vSmem) {
  OpBuilder b = OpBuilder::atBlockEnd(&func.getBody().front());
  Location loc = func.getLoc();
  KernelBuilder kb{b, loc, spec};
  MmaSyncAtom atom{kb};
  Block &entry = func.getBody().front();
  Value q = entry.getArgument(0), k = entry.getArgument(1),
        v = entry.getArgument(2), o = entry.getArgument(3);
  Value lse = spec.hasLse ? entry.getArgument(4) : Value();

  const int64_t d = spec.d, dv = spec.dv;
  const int64_t br = schedule.getTileQ(), bc = schedule.getTileKv();
  const int64_t threads = schedule.getThreads();
  const int64_t kvStep = schedule.getKvStep();
  const int64_t keyTiles = kvStep / 8, valueTiles = dv / 8;
  MaskBand band = getKernelBand(spec);
  Value c0 = kb.idx(0), c1 = kb.idx(1);

  // Where this CTA and thread sit.
  Value tid = gpu::ThreadIdOp::create(b, loc, gpu::Dimension::x);
  Value lane = kb.rem(tid, 32);
  Lane ln{kb.div(tid, 32),
          kb.div(lane, 4),
          kb.rem(lane, 4),
          kb.rem(lane, 8),
          kb.rem(kb.div(lane, 8), 2),
          kb.div(lane, 16)};
  CtaPlace cta = locateCta(kb, q, k, br);
  Value numQ = cta.numQ, numK = cta.numK, head = cta.head, batch = cta.batch,
        headKV = cta.headKV, shift = cta.shift, qs = cta.qs, rows = cta.rows;

  AsyncCopyPipeline copies(kb, tid, threads, batch, c0, c1);
  // One cp.async group of the K and/or V tile of keys [ks, ks + bc) into
  // `stage`. Issued for every step, also past the last tile (rows past N_kv
  // are zero-filled, others copied for nothing), so that the loop body
  // needs no branch on whether there is a next tile.
  auto copyKV = [&](Value ks, Value stage, bool withK, bool withV,
                    bool clamp = true) {
    SmallVector<Value> tokens;
    Value limit = clamp ? numK : Value();
    if (withK)
      copies.copyTile(k, headKV, ks, limit, bc, d, kSmem, stage, tokens);
    if (withV)
      copies.copyTile(v, headKV, ks, limit, bc, dv, vSmem, stage, tokens);
    return copies.commit(tokens);
  };
  const bool singleStage = schedule.getStages() == 1;

  KeyRange range = buildKeyRange(b, loc, spec.mask, qs, rows, shift, numK);
  SmallVector<Value> qTokens;
  copies.copyTile(q, head, qs, numQ, br, d, qSmem, {}, qTokens);
  // (nvgpu.device_async_wait names a group but waits by count: the single
  // stage's waits name this one.)
  Value qGroup = copies.commit(qTokens);
  if (singleStage)
    copies.waitAllBut(copyKV(range.lo, c0, /*withK=*/true, /*withV=*/false), 0);
  else
    copies.waitAllBut(copyKV(range.lo, c0, /*withK=*/true, /*withV=*/true), 1);

  // This warp's query rows: `mTiles` m16 tiles. Each thread holds rows
  // lane/4 and lane/4 + 8 of each, 2·mTiles rows in all; row r of the thread
  // is m-tile r/2, half r%2.
  const int64_t mTiles = schedule.getRowsPerWarp() / 16,
                threadRows = 2 * mTiles;
  Value warpRow = kb.mul(ln.warp, kb.idx(schedule.getRowsPerWarp()));
  auto rowOf = [&](int64_t r) {
    return kb.add(warpRow, kb.add(ln.g, kb.idx(16 * (r / 2) + 8 * (r % 2))));
  };
  // Q as A fragments (m-tile mt, columns 16kk..): loaded once into registers
  // when they take at most 32 of them and O at most 64 (d = 64 with d_v =
  // 128 spilled 204 bytes with Q in registers), else re-read from shared
  // memory at each use.
  const bool qInRegisters = mTiles * d <= 128 && mTiles * dv <= 128;
  // The row and column this lane addresses in each ldmatrix.x4, to which
  // every fragment adds a constant (so that addresses fold into immediates):
  // A fragments of Q (m16 × k16) and B fragments of V (ldmatrix.trans) take
  // matrices 0–3 as (rows, cols) + (0, 0), (8, 0), (0, 8), (8, 8); B
  // fragments of K take (0, 0), (0, 8), (8, 0), (8, 8).
  Value m0x8 = kb.mul(ln.m0, kb.idx(8)), m1x8 = kb.mul(ln.m1, kb.idx(8));
  Value qLaneRow = kb.add(warpRow, kb.add(ln.r8, m0x8));
  Value kLaneRow = kb.add(ln.r8, m1x8), vLaneRow = kb.add(ln.r8, m0x8);
  auto loadQ = [&](Value laneRow, int64_t mt, int64_t kk) {
    return atom.ldmatrix(
        qSmem,
        {kb.add(laneRow, kb.idx(16 * mt)), kb.add(m1x8, kb.idx(16 * kk))}, 4,
        /*transpose=*/false);
  };
  SmallVector<SmallVector<Value>> qRegs;
  if (qInRegisters)
    for (int64_t mt = 0; mt < mTiles; ++mt)
      for (int64_t kk = 0; kk < d / 16; ++kk)
        qRegs.push_back(loadQ(qLaneRow, mt, kk));

  // Loop state: stage, then per thread row m and l (thread-partial sums),
  // then the O fragments [mt][n][e].
  const double c = spec.scale * M_LOG2E;
  Value cScale = kb.f32(c);
  Value negInf = kb.f32(-INFINITY), zero = kb.f32(0.0);
  SmallVector<Value> init = {c0};
  init.append(threadRows, negInf);
  init.append(threadRows, zero);
  init.append(4 * mTiles * valueTiles, zero);
  const int64_t accBegin = 1 + 2 * threadRows;
  Value tile = kb.idx(bc);
  // One online-softmax step on keys [ks, ks + bc); `masked` steps apply the
  // band and the N_kv edge to S, the others skip that code entirely.
  auto step = [&](Value ks, ValueRange state,
                  bool masked) -> SmallVector<Value> {
    Value stage = state[0];
    SmallVector<Value> m(state.slice(1, threadRows));
    SmallVector<Value> l(state.slice(1 + threadRows, threadRows));
    SmallVector<Value> acc(state.drop_front(accBegin));

    Value next = kb.add(ks, tile);
    Value other = stage;
    if (singleStage) {
      // K(ks) was started by the previous step: once it is in, and every
      // warp is done with the last V, V(ks) streams in during S and the
      // softmax.
      copies.waitAllBut(qGroup, 0);
      copyKV(ks, c0, /*withK=*/false, /*withV=*/true);
    } else {
      // Wait for this tile. The same barrier tells that every warp is done
      // with the other stage (the previous step's), so the next tile can
      // stream into it during this step: one barrier per step.
      other = kb.sub(c1, stage);
      copies.waitAllBut(qGroup, 0);
    }
    // The next tile's copies, issued after the rescale branch of the first
    // sub-step (see below). A tile that ends by N_kv is copied without the
    // clamped addresses and zero-fill that the last one needs (which also
    // frees the registers of those addresses).
    auto copyNext = [&] {
      Value whole = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sle,
                                          kb.add(next, tile), numK);
      scf::IfOp::create(
          b, loc, whole,
          [&](OpBuilder &, Location) {
            copyKV(next, other, /*withK=*/true, /*withV=*/true,
                   /*clamp=*/false);
            scf::YieldOp::create(b, loc);
          },
          [&](OpBuilder &, Location) {
            copyKV(next, other, /*withK=*/true, /*withV=*/true);
            scf::YieldOp::create(b, loc);
          });
    };

    // The tile in sub-steps of kvStep keys (rows row0.. of the stage):
    // S of one sub-step is all the scores a thread holds at a time.
    for (int64_t row0 = 0; row0 < bc; row0 += kvStep) {
      // S = Q·Kᵀ, [mt][n][e]: each ldmatrix.x4 of K gives two n-tiles of
      // 8 keys, used by every m-tile.
      SmallVector<Value> s(4 * mTiles * keyTiles, zero);
      auto sTile = [&](int64_t mt, int64_t n) {
        return MutableArrayRef<Value>(s).slice(4 * (mt * keyTiles + n), 4);
      };
      // Re-read Q fragments address a lane row that LLVM cannot hoist out
      // of the loop: hoisted, each of the mTiles · d/16 addresses would
      // hold a register across the loop; here they fold into ldmatrix's
      // immediate offsets from one base.
      Value qLoopRow = qInRegisters ? Value() : kb.opaque(qLaneRow);
      for (int64_t kk = 0; kk < d / 16; ++kk) {
        SmallVector<SmallVector<Value>> qFrag;
        for (int64_t mt = 0; mt < mTiles; ++mt)
          qFrag.push_back(qInRegisters ? qRegs[mt * (d / 16) + kk]
                                       : loadQ(qLoopRow, mt, kk));
        auto loadK = [&](int64_t p) {
          return atom.ldmatrix(kSmem,
                               {stage, kb.add(kLaneRow, kb.idx(row0 + 16 * p)),
                                kb.add(m0x8, kb.idx(16 * kk))},
                               4, /*transpose=*/false);
        };
        for (int64_t p = 0; p < keyTiles / 2; ++p) {
          SmallVector<Value> kFrag = loadK(p);
          for (int64_t mt = 0; mt < mTiles; ++mt) {
            atom.mma(qFrag[mt], {kFrag[0], kFrag[1]}, sTile(mt, 2 * p));
            atom.mma(qFrag[mt], {kFrag[2], kFrag[3]}, sTile(mt, 2 * p + 1));
          }
        }
      }

      if (masked)
        s = maskScores(kb, s, ks, row0, ln, numK, qs, shift, warpRow, band,
                       keyTiles, negInf);
      // Online softmax per thread row (lazy rescaling: OnlineSoftmax.h).
      OnlineSoftmax softmax(kb, s, m, mTiles, keyTiles, cScale);
      auto rescaleO = [&] { softmax.rescale(acc, valueTiles); };
      // P = 2^(S·c − m·c) of keys 16j.. (n-tiles 2j and 2j + 1) as A
      // fragments of the next product, one per m-tile: packed right away, so
      // that the f32 scores die as they are used.
      auto softmaxSlice = [&](int64_t j) {
        SmallVector<SmallVector<Value>> frags;
        for (int64_t mt = 0; mt < mTiles; ++mt) {
          SmallVector<Value> frag;
          for (auto [x, y] : softmax.exponentiate(mt, j))
            frag.push_back(atom.operand(kb.pack(x, y)));
          frags.push_back(frag);
        }
        return frags;
      };
      // All of P first, then the products (interleaving them measured no
      // faster).
      SmallVector<SmallVector<SmallVector<Value>>> pSlices;
      // The rescale branch ends a block: before P when the f32 scores and O
      // fit beside each other in registers (P's exp2 then overlaps the
      // products), else once P is packed to half the scores' registers
      // (measured: d = 64 before, d = 128 after, with no spills).
      //
      // The next tile's copies follow the rescale branch, a block boundary
      // that is there anyway: Q·Kᵀ starts right after the barrier, the
      // copies' own branch splits no block of math, and they still have
      // P·V (at d = 64 also P) to land before the next step waits.
      // Measured on an H200 against copies at the start of the step (two
      // rounds, N = 1K–16K): d = 64 1.01–1.05×, d = 128 0.96–1.04×, and
      // d = 96 no longer spills.
      auto rescaleThenCopy = [&] {
        rescaleO();
        if (!singleStage && row0 == 0)
          copyNext();
      };
      const bool rescaleFirst = s.size() + acc.size() <= 128;
      if (rescaleFirst)
        rescaleThenCopy();
      for (int64_t j = 0; j < keyTiles / 2; ++j)
        pSlices.push_back(softmaxSlice(j));
      if (!rescaleFirst)
        rescaleThenCopy();
      if (singleStage) {
        // V(ks) is in and every warp is done with K(ks): the next K streams
        // in during P·V.
        copies.waitAllBut(qGroup, 0);
        copyKV(next, c0, /*withK=*/true, /*withV=*/false);
      }

      // O += P·V, slice by slice.
      for (int64_t j = 0; j < keyTiles / 2; ++j) {
        ArrayRef<SmallVector<Value>> pFrag = pSlices[j];
        Value row = kb.add(vLaneRow, kb.idx(row0 + 16 * j));
        auto loadV = [&](int64_t p) {
          return atom.ldmatrix(vSmem,
                               {stage, row, kb.add(m1x8, kb.idx(16 * p))}, 4,
                               /*transpose=*/true);
        };
        for (int64_t p = 0; p < valueTiles / 2; ++p) {
          SmallVector<Value> vFrag = loadV(p);
          for (int64_t mt = 0; mt < mTiles; ++mt) {
            auto accTile = [&](int64_t n) {
              return MutableArrayRef<Value>(acc).slice(
                  4 * (mt * valueTiles + n), 4);
            };
            ArrayRef<Value> a = pFrag[mt];
            atom.mma(a, {vFrag[0], vFrag[1]}, accTile(2 * p));
            atom.mma(a, {vFrag[2], vFrag[3]}, accTile(2 * p + 1));
          }
        }
      }
      l = softmax.newSums(l);
      m.assign(softmax.newMax().begin(), softmax.newMax().end());
    }
    SmallVector<Value> result = {other};
    result.append(m);
    result.append(l);
    result.append(acc);
    return result;
  };

  SmallVector<Value> state =
      walkKeyTiles(kb, range, band, numK, bc, init, step);

  emitEpilogue(kb, EpilogueInputs{o, lse, qSmem, batch, head, qs, numQ, lane,
                                  warpRow, ln, state, threadRows, valueTiles,
                                  schedule.getRowsPerWarp(), rowOf, c0, zero});
  gpu::ReturnOp::create(b, loc);
}

} // namespace

GPUScheduleAttr mlir::attn::getDefaultGPUSchedule(MLIRContext *ctx,
                                                  StringRef chip, bool wgmma,
                                                  int64_t d, int64_t dv,
                                                  bool causal) {
  if (wgmma && chipHasWgmma(chip) && isHopperHeadDim(d, dv))
    return getHopperSchedule(ctx, d, dv, causal);
  auto mmaSync = [&](int64_t tileQ, int64_t tileKV) {
    return GPUScheduleAttr::get(ctx, GPUMma::MmaSync, GPUCopy::CpAsync, tileQ,
                                tileKV, tileKV, /*warps=*/4,
                                /*producerWarps=*/0, /*stages=*/2,
                                /*persistent=*/false);
  };
  return std::max(d, dv) <= 128 ? mmaSync(128, 64) : mmaSync(64, 32);
}

FailureOr<GPUScheduleAttr> mlir::attn::getCarriedSchedule(
    Operation *op, function_ref<InFlightDiagnostic()> emitError) {
  Attribute carried = op->getAttr(kScheduleAttrName);
  if (carried && !isa<GPUScheduleAttr>(carried))
    return emitError() << kScheduleAttrName << " must be an #attn.gpu_schedule";
  return cast_or_null<GPUScheduleAttr>(carried);
}

LogicalResult mlir::attn::verifyScheduleFits(
    GPUScheduleAttr schedule, StringRef chip, int64_t d, int64_t dv,
    function_ref<InFlightDiagnostic()> emitError) {
  if (schedule.getMma() != GPUMma::Wgmma)
    return success();
  if (!chip.empty() && !chipHasWgmma(chip))
    return emitError() << "a wgmma schedule needs chip=sm_90a, got chip="
                       << chip;
  if (!isHopperHeadDim(d, dv))
    return emitError() << "a wgmma schedule needs d and d_v that are "
                          "multiples of 64 up to 256, got d = "
                       << d << ", d_v = " << dv;
  return success();
}

static LogicalResult buildMmaSyncKernel(func::FuncOp func,
                                        gpu::GPUModuleOp module,
                                        const KernelSpec &spec,
                                        GPUScheduleAttr schedule);

namespace {

/// What the kernel of `sdpa` computes, or a diagnostic on `func` for what
/// no GPU kernel takes.
FailureOr<KernelSpec> matchSpec(func::FuncOp func, SdpaOp sdpa) {
  auto fail = [&](const Twine &why) {
    return func.emitError() << "convert-attn-to-gpu: " << why;
  };
  auto qType = cast<RankedTensorType>(sdpa.getQuery().getType());
  auto vType = cast<RankedTensorType>(sdpa.getValue().getType());
  Type elem = qType.getElementType();
  if (!elem.isBF16() && !elem.isF16())
    return fail("the tensor-core kernel takes bf16 or f16 inputs, got ")
           << elem;
  if (cast<RankedTensorType>(sdpa.getOutput().getType()).getElementType() !=
      elem)
    return fail("the output must have the input element type");
  if (qType.isDynamicDim(3) || vType.isDynamicDim(3))
    return fail("the head dims d and d_v must be static");
  int64_t d = qType.getDimSize(3), dv = vType.getDimSize(3);
  if (d < 16 || dv < 16 || d % 16 != 0 || dv % 16 != 0 ||
      d > kMaxKernelHeadDim || dv > kMaxKernelHeadDim)
    return fail("d and d_v must be multiples of 16 from 16 to " +
                Twine(kMaxKernelHeadDim) + ", got d = " + Twine(d) +
                ", d_v = " + Twine(dv));
  KernelSpec spec{d,
                  dv,
                  sdpa.getScale() ? sdpa.getScale()->convertToDouble()
                                  : 1.0 / std::sqrt(static_cast<double>(d)),
                  sdpa.getMaskAttr(),
                  static_cast<bool>(sdpa.getLse()),
                  elem};
  if (spec.mask && !spec.mask.getBand().exact)
    return fail("the GPU kernel supports no mask, causal and window masks "
                "(and their intersections); got ")
           << Attribute(spec.mask);
  if (sdpa.getKvSplitAttr())
    return fail("the GPU kernel computes whole attn.sdpa ops, not kv_split "
                "parts (attn-tile-flash does)");
  if (sdpa.getScoreModAttr())
    return fail("the GPU kernel takes no score_mod yet (the CPU kernel and "
                "attn-tile-flash do); got ")
           << Attribute(sdpa.getScoreModAttr());
  return spec;
}

/// The schedule `sdpa` carries, else the default one for sm_80; a
/// diagnostic on `func` if it does not fit the head dims.
FailureOr<GPUScheduleAttr> getSchedule(func::FuncOp func, SdpaOp sdpa,
                                       const KernelSpec &spec) {
  auto error = [&] { return func.emitError() << "convert-attn-to-gpu: "; };
  FailureOr<GPUScheduleAttr> schedule = getCarriedSchedule(sdpa, error);
  if (failed(schedule))
    return failure();
  if (!*schedule)
    schedule = getDefaultGPUSchedule(func.getContext(), kGPUChips[0],
                                     /*wgmma=*/false, spec.d, spec.dv,
                                     /*causal=*/false);
  if (failed(verifyScheduleFits(*schedule, /*chip=*/"", spec.d, spec.dv,
                                error)))
    return failure();
  return schedule;
}

} // namespace

LogicalResult
mlir::attn::convertSdpaFunctionToGPUKernel(func::FuncOp func,
                                           gpu::GPUModuleOp module) {
  FailureOr<SdpaOp> sdpa = matchKernelFunction(func, "convert-attn-to-gpu");
  if (failed(sdpa))
    return failure();
  FailureOr<KernelSpec> spec = matchSpec(func, *sdpa);
  if (failed(spec))
    return failure();
  FailureOr<GPUScheduleAttr> schedule = getSchedule(func, *sdpa, *spec);
  if (failed(schedule))
    return failure();
  if (schedule->getMma() == GPUMma::Wgmma)
    return buildHopperKernel(func, module, *spec, *schedule);
  return buildMmaSyncKernel(func, module, *spec, *schedule);
}

/// The mma.sync kernel of `spec` shaped by `schedule` (FlashAttention-2's
/// decomposition, sm_80 and later).
static LogicalResult buildMmaSyncKernel(func::FuncOp func,
                                        gpu::GPUModuleOp module,
                                        const KernelSpec &spec,
                                        GPUScheduleAttr schedule) {
  auto fail = [&](const Twine &why) {
    return func.emitError() << "convert-attn-to-gpu: " << why;
  };
  const int64_t d = spec.d, dv = spec.dv;
  Type elem = spec.elem;
  const int64_t tileQ = schedule.getTileQ(), tileKV = schedule.getTileKv();
  const int64_t threads = schedule.getThreads(), stages = schedule.getStages();
  for (auto [rows, cols] :
       {std::pair(tileQ, d), std::pair(tileKV, d), std::pair(tileKV, dv)})
    if (rows * cols / 8 % threads != 0)
      return fail("a " + Twine(rows) + "x" + Twine(cols) +
                  " tile does not split into 16-byte copies evenly over " +
                  Twine(threads) + " threads; use larger tiles");
  SharedLayout smem{tileQ, tileKV, d, dv, stages};
  if (smem.bytes() > 227 * 1024)
    return fail("the tiles need " + Twine(smem.bytes()) +
                " bytes of shared memory, more than any GPU gives a CTA (227 "
                "KiB on H100; the runtime checks the device's own limit)");

  MLIRContext *ctx = func.getContext();
  SmallVector<Type> inputs(4, getKernelMemRefType(ctx, 4, elem));
  if (spec.hasLse)
    inputs.push_back(getKernelMemRefType(ctx, 3, Float32Type::get(ctx)));

  // The dynamic shared memory, one array per element type; each region is a
  // view at a static offset.
  std::string smemName = elem.isBF16() ? "attn_smem_bf16" : "attn_smem_f16";
  declareDynamicSharedMemory(module, smemName, elem, 128);
  OpBuilder mb = OpBuilder::atBlockEnd(module.getBody());
  Location loc = func.getLoc();
  createKernelMetadata(
      mb, loc, ("attn_meta_" + func.getSymName()).str(),
      {elem, d, dv, spec.hasLse, tileQ, threads, smem.bytes(), tileKV},
      gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Global));
  auto kernel = gpu::GPUFuncOp::create(mb, loc, func.getSymName(),
                                       FunctionType::get(ctx, inputs, {}));
  kernel->setAttr(gpu::GPUDialect::getKernelFuncAttrName(), UnitAttr::get(ctx));
  kernel.setKnownBlockSizeAttr(
      mb.getDenseI32ArrayAttr({static_cast<int32_t>(threads), 1, 1}));
  kernel->setAttr(kScheduleAttrName, schedule);
  kernel->setAttr("attn.smem_bytes", mb.getI64IntegerAttr(smem.bytes()));

  OpBuilder b = OpBuilder::atBlockBegin(&kernel.getBody().front());
  Value base = memref::GetGlobalOp::create(
      b, loc, getDynamicSharedMemoryType(ctx, elem), smemName);
  auto region = [&](int64_t offset, ArrayRef<int64_t> shape) {
    return sharedView(b, loc, base, offset, shape);
  };
  Value qSmem = region(0, {tileQ, d + kPad});
  Value kSmem = region(smem.qElems(), {stages, tileKV, d + kPad});
  Value vSmem =
      region(smem.qElems() + smem.kElems(), {stages, tileKV, dv + kPad});
  buildKernelBody(kernel, spec, schedule, qSmem, kSmem, vSmem);
  func.erase();
  return success();
}

namespace {
struct ConvertAttnToGPU : attn::impl::ConvertAttnToGPUBase<ConvertAttnToGPU> {
  using Base::Base;

  /// The options, checked where they are parsed.
  LogicalResult initializeOptions(
      StringRef options,
      function_ref<LogicalResult(const Twine &)> errorHandler) override {
    if (failed(Pass::initializeOptions(options, errorHandler)))
      return failure();
    if (moduleName.empty())
      return errorHandler(
          "convert-attn-to-gpu: module='': expected the name of a gpu.module");
    return success();
  }

  void runOnOperation() override {
    ModuleOp top = getOperation();
    SmallVector<func::FuncOp> funcs;
    top.walk([&](func::FuncOp f) {
      if (f.getBody().empty())
        return;
      Block &body = f.getBody().front();
      if (!body.getOps<SdpaOp>().empty() || !body.getOps<LinearOp>().empty())
        funcs.push_back(f);
    });
    if (funcs.empty())
      return;
    top->setAttr(gpu::GPUDialect::getContainerModuleAttrName(),
                 UnitAttr::get(&getContext()));
    auto module = top.lookupSymbol<gpu::GPUModuleOp>(moduleName);
    if (!module) {
      OpBuilder b = OpBuilder::atBlockEnd(top.getBody());
      module = gpu::GPUModuleOp::create(b, top.getLoc(), moduleName);
    }
    for (func::FuncOp f : funcs) {
      bool linear = !f.getBody().front().getOps<LinearOp>().empty();
      if (failed(linear ? convertLinearFunctionToGPUKernel(f, module)
                        : convertSdpaFunctionToGPUKernel(f, module)))
        return signalPassFailure();
    }
  }
};
} // namespace
