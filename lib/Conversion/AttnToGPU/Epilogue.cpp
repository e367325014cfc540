//===- Epilogue.cpp - the GPU flash kernel's output -----------------------===//

#include "Epilogue.h"
#include "TmaPipeline.h"
#include "Wgmma.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"

#include <cmath>

using namespace mlir;
using namespace mlir::attn::gpu_kernel;

namespace {

/// The epilogue of one thread: its rows' 1 / l and the O fragments as
/// bf16/f16 pairs, and the ways to store them.
class Epilogue {
public:
  Epilogue(KernelBuilder &kb, const EpilogueInputs &in) : kb(kb), in(in) {}
  void emit();

private:
  KernelBuilder &kb;
  const EpilogueInputs &in;
  Value pairCol;                   // the thread's first column in a tile
  SmallVector<Value> inv, rowsOut; // per thread row: 1 / l, the query row

  /// 1 / l of each thread row (0 for a row with no allowed key); the LSE.
  void finishRows();
  /// The thread's O pair of row r, value tile n.
  Value pair(int64_t r, int64_t n);
  /// True when O's base and row strides allow 16-byte stores. `zero`, if
  /// given, is added to the base (kb.opaque: computed in place).
  Value rowsAligned16(Value zero = Value());
  /// The fragment pairs straight to global memory (4-byte stores).
  void storeDirect();
  /// Through the warp's own rows of the Q tile, then 16-byte stores.
  void storeThroughWarpRows();
  /// Through the warpgroup's swizzled boxes, then TMA stores.
  void storeByTma(const TmaOutput &out);
  /// `fast` when O's rows are 16-byte aligned, else storeDirect.
  void ifAligned(function_ref<void()> fast, Value zero = Value());
};

void Epilogue::finishRows() {
  OpBuilder &b = kb.b;
  Location loc = kb.loc;
  const int64_t threadRows = in.threadRows;
  for (int64_t r = 0; r < threadRows; ++r) {
    Value l = kb.quadReduce(in.state[1 + threadRows + r],
                            [&](Value x, Value y) { return kb.fadd(x, y); });
    Value empty =
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, l, in.zero);
    inv.push_back(kb.select(empty, in.zero,
                            arith::DivFOp::create(b, loc, kb.f32(1.0), l)));
    rowsOut.push_back(kb.add(in.qs, in.rowOf(r)));
    if (!in.lse)
      continue;
    Value writer = arith::AndIOp::create(
        b, loc, kb.lt(rowsOut[r], in.numQ),
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, in.ln.t,
                              in.c0));
    kb.ifThen(writer, [&] {
      Value x = kb.fadd(kb.fmul(in.state[1 + r], kb.f32(kb.spec.scale)),
                        kb.fmul(kb.log2(l), kb.f32(M_LN2)));
      memref::StoreOp::create(b, loc, x, in.lse,
                              ValueRange{in.batch, in.head, rowsOut[r]});
    });
  }
}

Value Epilogue::pair(int64_t r, int64_t n) {
  int64_t i =
      1 + 2 * in.threadRows + 4 * ((r / 2) * in.valueTiles + n) + 2 * (r % 2);
  return kb.pack(kb.fmul(in.state[i], inv[r]),
                 kb.fmul(in.state[i + 1], inv[r]));
}

Value Epilogue::rowsAligned16(Value zero) {
  OpBuilder &b = kb.b;
  Location loc = kb.loc;
  auto meta = memref::ExtractStridedMetadataOp::create(b, loc, in.o);
  Value base = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, in.o);
  if (zero)
    base = kb.add(base, zero);
  Value misaligned =
      kb.rem(kb.add(base, kb.mul(meta.getOffset(), kb.idx(2))), 16);
  for (int64_t i = 0; i < 3; ++i)
    misaligned = arith::OrIOp::create(b, loc, misaligned,
                                      kb.rem(meta.getStrides()[i], 8));
  return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, misaligned,
                               in.c0);
}

void Epilogue::storeDirect() {
  // The runtime checks O's 4-byte alignment.
  for (int64_t r = 0; r < in.threadRows; ++r)
    kb.ifThen(kb.lt(rowsOut[r], in.numQ), [&] {
      for (int64_t n = 0; n < in.valueTiles; ++n)
        vector::StoreOp::create(kb.b, kb.loc, pair(r, n), in.o,
                                ValueRange{in.batch, in.head, rowsOut[r],
                                           kb.add(kb.idx(8 * n), pairCol)},
                                /*nontemporal=*/false, llvm::MaybeAlign(4));
    });
}

void Epilogue::ifAligned(function_ref<void()> fast, Value zero) {
  scf::IfOp::create(
      kb.b, kb.loc, rowsAligned16(zero),
      [&](OpBuilder &, Location) {
        fast();
        scf::YieldOp::create(kb.b, kb.loc);
      },
      [&](OpBuilder &, Location) {
        storeDirect();
        scf::YieldOp::create(kb.b, kb.loc);
      });
}

void Epilogue::storeThroughWarpRows() {
  // The warp's own rows of the Q tile (no other warp reads them): fragments
  // in, whole 16-byte row chunks out, coalesced. Measured on an H200 at
  // N = 1K: d = 128 1.15×, d = 64 1.08× the 2-byte stores of the pairs.
  OpBuilder &b = kb.b;
  Location loc = kb.loc;
  for (int64_t r = 0; r < in.threadRows; ++r)
    for (int64_t n = 0; n < in.valueTiles; ++n)
      vector::StoreOp::create(
          b, loc, pair(r, n), in.qSmem,
          ValueRange{in.rowOf(r), kb.add(kb.idx(8 * n), pairCol)});
  NVVM::SyncWarpOp::create(
      b, loc, arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(-1)));
  const int64_t chunksPerRow = kb.spec.dv / 8;
  ifAligned([&] {
    for (int64_t i = 0; i * 32 < in.rowsPerWarp * chunksPerRow; ++i) {
      Value chunk = kb.add(in.lane, kb.idx(32 * i));
      Value rr = kb.add(in.warpRow, kb.div(chunk, chunksPerRow));
      Value cc = kb.mul(kb.rem(chunk, chunksPerRow), kb.idx(8));
      Value row = kb.add(in.qs, rr);
      kb.ifThen(kb.lt(row, in.numQ), [&] {
        Value x =
            vector::LoadOp::create(b, loc, VectorType::get({8}, kb.spec.elem),
                                   in.qSmem, ValueRange{rr, cc});
        vector::StoreOp::create(b, loc, x, in.o,
                                ValueRange{in.batch, in.head, row, cc},
                                /*nontemporal=*/false, llvm::MaybeAlign(16));
      });
    }
  });
}

void Epilogue::storeByTma(const TmaOutput &out) {
  OpBuilder &b = kb.b;
  Location loc = kb.loc;
  const TmaPipeline &tma = out.tma;
  auto groupBarrier = [&] {
    NVVM::BarrierOp::create(
        b, loc, Type(), out.barrierId,
        arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(128)),
        NVVM::BarrierReductionAttr(), Value());
  };
  Value zero = out.zero;
  ifAligned(
      [&] {
        // The buffer is free once the last stores have read it and every warp
        // of the group is past its last wgmma (it may be the Q tile).
        kb.ifThen(out.storer, [&] { tma.waitStoresRead(); });
        groupBarrier();
        // Row R of a box is 128 bytes at R·128; its 16-byte unit u sits at
        // u XOR (R mod 8) (the 128-byte swizzle of a 1024-byte aligned box).
        Value offset = out.offset;
        for (int64_t r = 0; r < in.threadRows; ++r) {
          Value row = kb.rem(kb.add(in.rowOf(r), zero), 64);
          Value rowBytes = kb.add(offset, kb.mul(row, kb.idx(kSwizzleBytes)));
          Value phase = kb.rem(row, 8);
          for (int64_t n = 0; n < in.valueTiles; ++n) {
            Value unit = arith::XOrIOp::create(b, loc, kb.idx(n % 8), phase);
            Value bytes = kb.add(
                kb.add(rowBytes, kb.idx((n / 8) * out.chunkBytes)),
                kb.add(kb.mul(unit, kb.idx(16)), kb.mul(pairCol, kb.idx(2))));
            LLVM::StoreOp::create(b, loc, pair(r, n), tma.pointer(bytes));
          }
        }
        tma.fenceForStores();
        groupBarrier();
        kb.ifThen(out.storer, [&] {
          for (int64_t c = 0; c < kb.spec.dv / kSwizzleCols; ++c)
            tma.store(out.map, kb.add(offset, kb.idx(c * out.chunkBytes)),
                      kb.idx(c * kSwizzleCols), kb.add(in.qs, out.groupRow),
                      in.head, in.batch);
          tma.commitStores();
        });
      },
      zero);
}

void Epilogue::emit() {
  finishRows();
  // Built here, after the rows' sums, as before the epilogue was split up:
  // built first, it moved the sm_80 d = 128 causal kernel (255 registers)
  // into 92 bytes of spills.
  pairCol = kb.mul(in.ln.t, kb.idx(2));
  if (in.tmaOutput)
    storeByTma(*in.tmaOutput);
  else if (kb.spec.dv > kb.spec.d || !in.qSmem)
    storeDirect();
  else
    storeThroughWarpRows();
}

} // namespace

void mlir::attn::gpu_kernel::emitEpilogue(KernelBuilder &kb,
                                          const EpilogueInputs &in) {
  Epilogue(kb, in).emit();
}
