//===- AsyncCopy.cpp - the cp.async tile pipeline -------------------------===//

#include "AsyncCopy.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"

using namespace mlir;
using namespace mlir::attn::gpu_kernel;

void AsyncCopyPipeline::copyTile(Value src, Value h, Value first, Value limit,
                                 int64_t tileRows, int64_t cols, Value smem,
                                 ValueRange prefix,
                                 SmallVectorImpl<Value> &tokens,
                                 bool rowsMayBeNegative) const {
  OpBuilder &b = kb.b;
  Location loc = kb.loc;
  const int64_t chunksPerRow = cols / 8, chunks = tileRows * chunksPerRow;
  Value last = limit ? kb.sub(limit, c1) : Value();
  // When whole rows fit a pass of the threads, chunk i of a thread is its
  // first chunk moved down by a constant number of rows: its addresses
  // fold into immediates instead of each taking loop-invariant registers.
  const bool rowsPerPass = threads % chunksPerRow == 0;
  Value firstRow = kb.div(tid, chunksPerRow);
  Value firstCol = kb.mul(kb.rem(tid, chunksPerRow), kb.idx(8));
  if (!limit && rowsPerPass && !rowsMayBeNegative) {
    // Every row in range: the thread's chunks as a view from its first
    // one, so that chunk i is a constant row i·R of it.
    const int64_t pass = threads / chunksPerRow;
    auto view = memref::SubViewOp::create(
        b, loc, src,
        ArrayRef<OpFoldResult>{batch, h, kb.add(first, firstRow), firstCol},
        ArrayRef<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(1),
                               b.getIndexAttr(tileRows - pass + 1),
                               b.getIndexAttr(8)},
        ArrayRef<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(1),
                               b.getIndexAttr(1), b.getIndexAttr(1)});
    for (int64_t i = 0; i * threads < chunks; ++i) {
      SmallVector<Value> dst(prefix);
      dst.append({kb.add(firstRow, kb.idx(i * pass)), firstCol});
      tokens.push_back(nvgpu::DeviceAsyncCopyOp::create(
          b, loc, nvgpu::DeviceAsyncTokenType::get(b.getContext()), smem, dst,
          view, ValueRange{c0, c0, kb.idx(i * pass), c0}, b.getIndexAttr(8),
          Value(), b.getUnitAttr()));
    }
    return;
  }
  for (int64_t i = 0; i * threads < chunks; ++i) {
    Value c = kb.add(tid, kb.idx(i * threads));
    Value r = rowsPerPass ? kb.add(firstRow, kb.idx(i * threads / chunksPerRow))
                          : kb.div(c, chunksPerRow);
    Value col =
        rowsPerPass ? firstCol : kb.mul(kb.rem(c, chunksPerRow), kb.idx(8));
    Value row = kb.add(first, r);
    Value inRange = limit ? kb.lt(row, limit) : Value();
    Value address = limit ? kb.min(row, last) : row;
    if (limit && rowsMayBeNegative) {
      Value nonNegative =
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, row, c0);
      inRange = arith::AndIOp::create(b, loc, inRange, nonNegative);
      address = arith::MaxSIOp::create(b, loc, address, c0);
    }
    Value elems = limit ? kb.select(inRange, kb.idx(8), c0) : Value();
    SmallVector<Value> dst(prefix);
    dst.append({r, col});
    tokens.push_back(nvgpu::DeviceAsyncCopyOp::create(
        b, loc, nvgpu::DeviceAsyncTokenType::get(b.getContext()), smem, dst,
        src, ValueRange{batch, h, address, col}, b.getIndexAttr(8), elems,
        b.getUnitAttr()));
  }
}

Value AsyncCopyPipeline::commit(ValueRange tokens) const {
  return nvgpu::DeviceAsyncCreateGroupOp::create(
      kb.b, kb.loc, nvgpu::DeviceAsyncTokenType::get(kb.b.getContext()),
      tokens);
}

void AsyncCopyPipeline::waitAllBut(Value group, int32_t pending) const {
  nvgpu::DeviceAsyncWaitOp::create(kb.b, kb.loc, group,
                                   kb.b.getI32IntegerAttr(pending));
  gpu::BarrierOp::create(kb.b, kb.loc);
}
