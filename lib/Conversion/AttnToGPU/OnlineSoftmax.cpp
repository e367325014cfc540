//===- OnlineSoftmax.cpp - the flash loop's softmax on fragments ----------===//

#include "OnlineSoftmax.h"

#include <cmath>

using namespace mlir;
using namespace mlir::attn::gpu_kernel;

OnlineSoftmax::OnlineSoftmax(KernelBuilder &kb, ArrayRef<Value> scores,
                             ArrayRef<Value> m, int64_t mTiles,
                             int64_t keyBlocks, Value cScale)
    : kb(kb), s(scores), keyBlocks(keyBlocks), cScale(cScale), rowMax(m) {
  OpBuilder &b = kb.b;
  Location loc = kb.loc;
  const int64_t threadRows = 2 * mTiles;
  Value negInf = kb.f32(-INFINITY), zero = kb.f32(0.0);
  for (int64_t i = 0, e = s.size(); i < e; ++i)
    rowMax[rowOf(i, keyBlocks)] = kb.fmax(rowMax[rowOf(i, keyBlocks)], s[i]);
  grow = arith::ConstantOp::create(b, loc, b.getBoolAttr(false));
  SmallVector<Value> mScaledOld;
  for (int64_t r = 0; r < threadRows; ++r) {
    rowMax[r] = kb.quadReduce(rowMax[r],
                              [&](Value x, Value y) { return kb.fmax(x, y); });
    mScaledOld.push_back(kb.fmul(m[r], cScale));
    // m = −∞ (no key seen yet) grows to any finite max; −∞ to −∞ is NaN,
    // which compares false.
    Value rise = arith::SubFOp::create(b, loc, kb.fmul(rowMax[r], cScale),
                                       mScaledOld[r]);
    grow = arith::OrIOp::create(
        b, loc, grow,
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, rise,
                              kb.f32(kRescaleLog2)));
  }
  grow = NVVM::VoteSyncOp::create(
      b, loc, b.getI1Type(),
      arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(-1)), grow,
      NVVM::VoteSyncKind::any);
  for (int64_t r = 0; r < threadRows; ++r) {
    rowMax[r] = kb.select(grow, rowMax[r], m[r]);
    // A row with no allowed key yet keeps m = −∞; 0 stands in for it so
    // that 2^(−∞ − m) is 0, not NaN.
    Value none = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ,
                                       rowMax[r], negInf);
    Value mc = kb.fmul(kb.select(none, zero, rowMax[r]), cScale);
    mScaled.push_back(arith::NegFOp::create(b, loc, mc));
    alpha.push_back(kb.exp2(arith::SubFOp::create(b, loc, mScaledOld[r], mc)));
  }
  sum.assign(threadRows, zero);
}

void OnlineSoftmax::rescale(MutableArrayRef<Value> acc, int64_t valueBlocks) {
  OpBuilder &b = kb.b;
  Location loc = kb.loc;
  auto branch = scf::IfOp::create(
      b, loc, grow,
      [&](OpBuilder &, Location) {
        SmallVector<Value> scaled;
        for (int64_t i = 0, e = acc.size(); i < e; ++i)
          scaled.push_back(kb.fmul(acc[i], alpha[rowOf(i, valueBlocks)]));
        scf::YieldOp::create(b, loc, scaled);
      },
      [&](OpBuilder &, Location) {
        scf::YieldOp::create(b, loc, SmallVector<Value>(acc));
      });
  for (auto [i, v] : llvm::enumerate(branch.getResults()))
    acc[i] = v;
}

std::array<std::pair<Value, Value>, 4>
OnlineSoftmax::exponentiate(int64_t mt, int64_t j) {
  SmallVector<Value, 8> p;
  for (int64_t n : {2 * j, 2 * j + 1})
    for (int64_t e = 0; e < 4; ++e) {
      int64_t i = 4 * (mt * keyBlocks + n) + e, r = rowOf(i, keyBlocks);
      Value x = kb.exp2(kb.fma(s[i], cScale, mScaled[r]));
      sum[r] = kb.fadd(sum[r], x);
      p.push_back(x);
    }
  return {{{p[0], p[1]}, {p[2], p[3]}, {p[4], p[5]}, {p[6], p[7]}}};
}

SmallVector<Value> OnlineSoftmax::newSums(ArrayRef<Value> l) {
  SmallVector<Value> out;
  for (int64_t r = 0, e = l.size(); r < e; ++r)
    out.push_back(kb.fma(l[r], alpha[r], sum[r]));
  return out;
}
