//===- ScoreMask.cpp - a mask on scores in the mma fragment layout --------===//

#include "ScoreMask.h"

using namespace mlir;
using namespace mlir::attn::gpu_kernel;

SmallVector<Value> mlir::attn::gpu_kernel::maskScores(
    KernelBuilder &kb, ArrayRef<Value> s, Value ks, int64_t row0,
    const Lane &ln, Value numK, Value qs, Value shift, Value warpRow,
    const MaskBand &band, int64_t keyTiles, Value negInf) {
  OpBuilder &b = kb.b;
  Location loc = kb.loc;
  // Element i of the thread sits at key keyBase + dk(i) and query
  // position posBase + dq(i), with constant dk, dq: each test is one
  // compare of a lane value with a constant (in i32).
  Type i32 = b.getI32Type();
  auto toI32 = [&](Value x) -> Value {
    return arith::IndexCastOp::create(b, loc, i32, x);
  };
  auto cmp = [&](arith::CmpIPredicate pred, Value x, int64_t c) {
    return arith::CmpIOp::create(
        b, loc, pred, x,
        arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(c)));
  };
  Value keyBase = kb.add(kb.add(ks, kb.idx(row0)), kb.mul(ln.t, kb.idx(2)));
  Value keysLeft = toI32(kb.sub(numK, keyBase));
  Value diffBase =
      toI32(kb.sub(keyBase, kb.add(kb.add(qs, shift), kb.add(warpRow, ln.g))));
  SmallVector<Value> out;
  for (int64_t i = 0, e = s.size(); i < e; ++i) {
    int64_t mt = i / (4 * keyTiles), n = (i / 4) % keyTiles;
    int64_t dk = 8 * n + i % 2, dq = 16 * mt + 8 * ((i % 4) / 2);
    Value ok = cmp(arith::CmpIPredicate::sgt, keysLeft, dk);
    if (band.right)
      ok = arith::AndIOp::create(
          b, loc, ok,
          cmp(arith::CmpIPredicate::sle, diffBase, *band.right - (dk - dq)));
    if (band.left)
      ok = arith::AndIOp::create(
          b, loc, ok,
          cmp(arith::CmpIPredicate::sge, diffBase, -*band.left - (dk - dq)));
    out.push_back(kb.select(ok, s[i], negInf));
  }
  return out;
}
