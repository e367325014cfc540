//===- KeyWalk.cpp - the flash loop's walk over key tiles -----------------===//

#include "KeyWalk.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"

using namespace mlir;
using namespace mlir::attn;
using namespace mlir::attn::gpu_kernel;

/// The place of query block `qb` of batch·head `bh`.
static CtaPlace placeBlock(KernelBuilder &kb, Value q, Value k, int64_t tileQ,
                           Value qb, Value bh) {
  OpBuilder &b = kb.b;
  Location loc = kb.loc;
  CtaPlace p;
  p.numQ = memref::DimOp::create(b, loc, q, 2);
  Value headsQ = memref::DimOp::create(b, loc, q, 1);
  Value headsKV = memref::DimOp::create(b, loc, k, 1);
  p.numK = memref::DimOp::create(b, loc, k, 2);
  p.head = arith::RemUIOp::create(b, loc, bh, headsQ);
  p.batch = arith::DivUIOp::create(b, loc, bh, headsQ);
  p.headKV = arith::DivUIOp::create(
      b, loc, p.head, arith::DivUIOp::create(b, loc, headsQ, headsKV));
  p.shift = kb.sub(p.numK, p.numQ);
  p.qs = kb.mul(qb, kb.idx(tileQ));
  p.rows = kb.min(kb.idx(tileQ), kb.sub(p.numQ, p.qs));
  return p;
}

CtaPlace mlir::attn::gpu_kernel::locateCta(KernelBuilder &kb, Value q,
                                           Value k, int64_t tileQ) {
  OpBuilder &b = kb.b;
  Location loc = kb.loc;
  Value qb = kb.sub(
      kb.sub(gpu::GridDimOp::create(b, loc, gpu::Dimension::x), kb.idx(1)),
      gpu::BlockIdOp::create(b, loc, gpu::Dimension::x));
  Value bh = gpu::BlockIdOp::create(b, loc, gpu::Dimension::y);
  return placeBlock(kb, q, k, tileQ, qb, bh);
}

SmallVector<Value> mlir::attn::gpu_kernel::forEachTile(KernelBuilder &kb,
                                                       Value q, Value k,
                                                       int64_t tileQ,
                                                       ValueRange init,
                                                       TileBodyFn body) {
  // In i32 (the runtime keeps every count below 2^31): the walk's values
  // live across the whole kernel in the producer's 40 registers, where a
  // 64-bit index takes two.
  OpBuilder &b = kb.b;
  Location loc = kb.loc;
  Type i32 = b.getI32Type();
  auto c = [&](int64_t v) -> Value {
    return arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(v));
  };
  auto narrow = [&](Value x) -> Value {
    return arith::IndexCastUIOp::create(b, loc, i32, x);
  };
  auto widen = [&](Value x) -> Value {
    return arith::IndexCastUIOp::create(b, loc, b.getIndexType(), x);
  };
  auto dim = [&](Value t, int64_t i) {
    return narrow(memref::DimOp::create(b, loc, t, i));
  };
  Value c1 = c(1), c2 = c(2);
  Value blocks = arith::CeilDivUIOp::create(b, loc, dim(q, 2), c(tileQ));
  Value heads = kb.mul(dim(q, 0), dim(q, 1));
  using gpu::Dimension;
  Value gridX = narrow(gpu::GridDimOp::create(b, loc, Dimension::x));
  Value id = kb.add(narrow(gpu::BlockIdOp::create(b, loc, Dimension::x)),
                    kb.mul(gridX, narrow(gpu::BlockIdOp::create(
                                      b, loc, Dimension::y))));
  Value ctas =
      kb.mul(gridX, narrow(gpu::GridDimOp::create(b, loc, Dimension::y)));
  // Paired when every CTA gets two tiles or more: unit j of a head is its
  // blocks B − 1 − j and j, whose causal work sums to the same for every j.
  Value paired = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::uge,
                                       kb.mul(blocks, heads), kb.mul(ctas, c2));
  Value perHead = arith::SelectOp::create(
      b, loc, paired, arith::CeilDivUIOp::create(b, loc, blocks, c2), blocks);
  auto units = scf::ForOp::create(
      b, loc, id, kb.mul(perHead, heads), ctas, init,
      [&](OpBuilder &, Location, Value unit, ValueRange state) {
        Value j = arith::RemUIOp::create(b, loc, unit, perHead);
        Value bh = widen(arith::DivUIOp::create(b, loc, unit, perHead));
        Value heavy = kb.sub(kb.sub(blocks, c1), j);
        Value count = arith::SelectOp::create(
            b, loc, paired, kb.min(c2, kb.sub(blocks, kb.mul(j, c2))), c1);
        auto tiles = scf::ForOp::create(
            b, loc, c(0), count, c1, state,
            [&](OpBuilder &, Location, Value half, ValueRange inner) {
              Value first = arith::CmpIOp::create(
                  b, loc, arith::CmpIPredicate::eq, half, c(0));
              Value qb = widen(arith::SelectOp::create(b, loc, first, heavy, j));
              CtaPlace place = placeBlock(kb, q, k, tileQ, qb, bh);
              scf::YieldOp::create(b, loc, body(place, inner));
            });
        scf::YieldOp::create(b, loc, tiles.getResults());
      });
  return SmallVector<Value>(units.getResults());
}

MaskBand mlir::attn::gpu_kernel::getKernelBand(const KernelSpec &spec) {
  MaskBand band = spec.mask ? spec.mask.getBand() : MaskBand{};
  for (std::optional<int64_t> *side : {&band.left, &band.right})
    if (*side && **side > (int64_t(1) << 30))
      side->reset();
  return band;
}

Value mlir::attn::gpu_kernel::countKeyTiles(KernelBuilder &kb,
                                            const KeyRange &range,
                                            int64_t tile) {
  return arith::CeilDivSIOp::create(kb.b, kb.loc, kb.sub(range.hi, range.lo),
                                    kb.idx(tile));
}

SmallVector<Value> mlir::attn::gpu_kernel::walkKeyTiles(
    KernelBuilder &kb, const KeyRange &range, const MaskBand &band, Value numK,
    int64_t tileSize, ValueRange init, KeyStepFn step) {
  OpBuilder &b = kb.b;
  Location loc = kb.loc;
  Value c0 = kb.idx(0), c1 = kb.idx(1), tile = kb.idx(tileSize);
  Value numTiles = countKeyTiles(kb, range, tileSize);
  auto clamp = [&](Value x, Value lo, Value hi) {
    return kb.min(arith::MaxSIOp::create(b, loc, x, lo), hi);
  };
  Value fullBegin = c0;
  if (band.left)
    fullBegin = clamp(arith::CeilDivSIOp::create(
                          b, loc, kb.sub(range.fullLo, range.lo), tile),
                      c0, numTiles);
  auto fullEndOf = [&](Value numK) {
    Value lastFull = kb.sub(numK, c1);
    if (range.fullHi)
      lastFull = kb.min(lastFull, range.fullHi);
    return clamp(arith::FloorDivSIOp::create(
                     b, loc, kb.sub(kb.add(lastFull, c1), range.lo), tile),
                 fullBegin, numTiles);
  };
  SmallVector<Value> state(init);
  auto runSteps = [&](Value from, Value to, bool masked) {
    auto loop = scf::ForOp::create(
        b, loc, kb.add(range.lo, kb.mul(from, tile)),
        kb.add(range.lo, kb.mul(to, tile)), tile, state,
        [&](OpBuilder &, Location, Value ks, ValueRange iter) {
          scf::YieldOp::create(b, loc, step(ks, iter, masked));
        });
    state.assign(loop.getResults().begin(), loop.getResults().end());
  };
  if (band.left)
    runSteps(c0, fullBegin, /*masked=*/true);
  runSteps(fullBegin, fullEndOf(numK), /*masked=*/false);
  // The same bound again, from a copy of N_kv that LLVM cannot merge with
  // the first: kept live across the loop instead, it is what ptxas spilled
  // at d = 128 in the mma.sync kernel (4 bytes).
  runSteps(fullEndOf(kb.opaque(numK)), numTiles, /*masked=*/true);
  return state;
}
