//===- Epilogue.cpp - the GPU flash kernel's output -----------------------===//

#include "Epilogue.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"

#include <cmath>

using namespace mlir;
using namespace mlir::attn::gpu_kernel;

void mlir::attn::gpu_kernel::emitEpilogue(KernelBuilder &kb,
                                          const EpilogueInputs &in) {
  OpBuilder &b = kb.b;
  Location loc = kb.loc;
  const KernelSpec &spec = kb.spec;
  const int64_t d = spec.d, dv = spec.dv;
  const int64_t threadRows = in.threadRows, valueTiles = in.valueTiles;
  const int64_t accBegin = 1 + 2 * threadRows;
  ValueRange state = in.state;
  Value o = in.o, lse = in.lse, qSmem = in.qSmem, batch = in.batch,
        head = in.head, qs = in.qs, numQ = in.numQ, lane = in.lane,
        warpRow = in.warpRow, c0 = in.c0, zero = in.zero;
  const Lane &ln = in.ln;
  auto rowOf = in.rowOf;
  SmallVector<Value> inv, rowsOut;
  for (int64_t r = 0; r < threadRows; ++r) {
    Value l = kb.quadReduce(state[1 + threadRows + r],
                            [&](Value x, Value y) { return kb.fadd(x, y); });
    Value empty =
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, l, zero);
    inv.push_back(
        kb.select(empty, zero, arith::DivFOp::create(b, loc, kb.f32(1.0), l)));
    rowsOut.push_back(kb.add(qs, rowOf(r)));
    if (lse)
      kb.ifThen(arith::AndIOp::create(
                    b, loc, kb.lt(rowsOut[r], numQ),
                    arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                          ln.t, c0)),
                [&] {
                  Value x = kb.fadd(kb.fmul(state[1 + r], kb.f32(spec.scale)),
                                    kb.fmul(kb.log2(l), kb.f32(M_LN2)));
                  memref::StoreOp::create(b, loc, x, lse,
                                          ValueRange{batch, head, rowsOut[r]});
                });
  }
  // The thread's O pair of row r, value tile n, as bf16/f16.
  auto oPair = [&](int64_t r, int64_t n) {
    int64_t i = accBegin + 4 * ((r / 2) * valueTiles + n) + 2 * (r % 2);
    return kb.pack(kb.fmul(state[i], inv[r]), kb.fmul(state[i + 1], inv[r]));
  };
  Value pairCol = kb.mul(ln.t, kb.idx(2));
  // Fragment layout straight to global memory: 4-byte stores (the runtime
  // checks the alignment).
  auto storeDirect = [&] {
    for (int64_t r = 0; r < threadRows; ++r)
      kb.ifThen(kb.lt(rowsOut[r], numQ), [&] {
        for (int64_t n = 0; n < valueTiles; ++n)
          vector::StoreOp::create(b, loc, oPair(r, n), o,
                                  ValueRange{batch, head, rowsOut[r],
                                             kb.add(kb.idx(8 * n), pairCol)},
                                  /*nontemporal=*/false, llvm::MaybeAlign(4));
      });
  };
  if (dv > d || !qSmem) {
    storeDirect();
  } else {
    // Through the warp's own rows of the Q tile (no other warp reads them):
    // fragments in, then whole 16-byte row chunks out, coalesced, when O's
    // rows are 16-byte aligned (else the 4-byte stores). Measured on an
    // H200 at N = 1K: d = 128 1.15×, d = 64 1.08× the former 2-byte stores
    // of the fragment pairs.
    for (int64_t r = 0; r < threadRows; ++r)
      for (int64_t n = 0; n < valueTiles; ++n)
        vector::StoreOp::create(
            b, loc, oPair(r, n), qSmem,
            ValueRange{rowOf(r), kb.add(kb.idx(8 * n), pairCol)});
    NVVM::SyncWarpOp::create(
        b, loc, arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(-1)));
    auto meta = memref::ExtractStridedMetadataOp::create(b, loc, o);
    Value base = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, o);
    Value misaligned =
        kb.rem(kb.add(base, kb.mul(meta.getOffset(), kb.idx(2))), 16);
    for (int64_t i = 0; i < 3; ++i)
      misaligned = arith::OrIOp::create(b, loc, misaligned,
                                        kb.rem(meta.getStrides()[i], 8));
    Value aligned =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, misaligned, c0);
    const int64_t chunksPerRow = dv / 8, rowsPerWarp = in.rowsPerWarp;
    scf::IfOp::create(
        b, loc, aligned,
        [&](OpBuilder &, Location) {
          for (int64_t i = 0; i * 32 < rowsPerWarp * chunksPerRow; ++i) {
            Value chunk = kb.add(lane, kb.idx(32 * i));
            Value rr = kb.add(warpRow, kb.div(chunk, chunksPerRow));
            Value cc = kb.mul(kb.rem(chunk, chunksPerRow), kb.idx(8));
            Value row = kb.add(qs, rr);
            kb.ifThen(kb.lt(row, numQ), [&] {
              Value x = vector::LoadOp::create(b, loc,
                                               VectorType::get({8}, spec.elem),
                                               qSmem, ValueRange{rr, cc});
              vector::StoreOp::create(
                  b, loc, x, o, ValueRange{batch, head, row, cc},
                  /*nontemporal=*/false, llvm::MaybeAlign(16));
            });
          }
          scf::YieldOp::create(b, loc);
        },
        [&](OpBuilder &, Location) {
          storeDirect();
          scf::YieldOp::create(b, loc);
        });
  }
}
