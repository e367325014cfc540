//===- KernelBuilder.h - vector<16xf32> builders of the CPU kernels -*- C++
//-*-===//
//
// The builders the CPU kernels (attn.sdpa's flash kernel, attn.linear's
// chunked kernel) emit their bodies with: constants, loads and stores,
// broadcast-FMA register blocks, counted loops, a polynomial exp2.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_LIB_CONVERSION_ATTNTOCPU_KERNELBUILDER_H
#define ATTN_LIB_CONVERSION_ATTNTOCPU_KERNELBUILDER_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

namespace mlir::attn::cpu_kernel {

constexpr int64_t kLanes = 16; // f32 lanes of one AVX-512 register

/// n rounded up to whole lane-vectors.
inline int64_t roundUpToLanes(int64_t n) {
  return (n + kLanes - 1) / kLanes * kLanes;
}

/// Builders for the kernel body.
struct KernelBuilder {
  OpBuilder &b;
  Location loc;

  VectorType vecType() { return VectorType::get({kLanes}, b.getF32Type()); }
  Value idx(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value f32(double v) {
    return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v));
  }
  Value splat(double v) {
    return arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(vecType(), b.getF32FloatAttr(v)));
  }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value sub(Value x, Value y) { return arith::SubIOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return arith::MulIOp::create(b, loc, x, y); }
  Value min(Value x, Value y) { return arith::MinSIOp::create(b, loc, x, y); }
  Value dim(Value m, int64_t i) { return memref::DimOp::create(b, loc, m, i); }

  Value load(Value m, ValueRange idx) {
    return memref::LoadOp::create(b, loc, m, idx);
  }
  void store(Value v, Value m, ValueRange idx) {
    memref::StoreOp::create(b, loc, v, m, idx);
  }
  Value vload(Value m, ValueRange idx) {
    return vector::LoadOp::create(b, loc, vecType(), m, idx);
  }
  void vstore(Value v, Value m, ValueRange idx) {
    vector::StoreOp::create(b, loc, v, m, idx);
  }
  Value bcast(Value scalar) {
    return vector::BroadcastOp::create(b, loc, vecType(), scalar);
  }
  Value fma(Value a, Value x, Value acc) {
    return vector::FMAOp::create(b, loc, a, x, acc);
  }

  /// The lanes of lane-vector x of a row of `width` elements that hold
  /// elements (all but those of the tail).
  Value tailMask(int64_t width, int64_t x) {
    SmallVector<bool> lanes;
    for (int64_t i = 0; i < kLanes; ++i)
      lanes.push_back(x * kLanes + i < width);
    return arith::ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(VectorType::get({kLanes}, b.getI1Type()),
                               ArrayRef<bool>(lanes)));
  }
  /// Lane-vector x of row (batch, head, row) of src [B, H, N, width]: the
  /// lanes past `width` read as 0 (a masked load at the tail).
  Value rowVector(Value src, Value batch, Value head, Value row, int64_t x,
                  int64_t width) {
    SmallVector<Value> at = {batch, head, row, idx(x * kLanes)};
    if ((x + 1) * kLanes <= width)
      return vload(src, at);
    return vector::MaskedLoadOp::create(b, loc, vecType(), src, at,
                                        tailMask(width, x), splat(0.0));
  }
  /// Stores lane-vector x of row (batch, head, row) of dst [B, H, N, width],
  /// leaving the elements past `width` alone (a masked store at the tail).
  void storeRowVector(Value val, Value dst, Value batch, Value head, Value row,
                      int64_t x, int64_t width) {
    SmallVector<Value> at = {batch, head, row, idx(x * kLanes)};
    if ((x + 1) * kLanes <= width)
      vstore(val, dst, at);
    else
      vector::MaskedStoreOp::create(b, loc, dst, at, tailMask(width, x), val);
  }

  /// 2^x per lane for x ≤ 0 (scores are kept in log2 units), exactly 0 for
  /// x ≤ −127 and −∞, NaN for NaN (a NaN score: NaN in, NaN out). 2^x =
  /// 2^n · p(f) with n = ⌊x⌋, f = x − n and p a degree-5 fit of 2^f on
  /// [0, 1) (relative error 1.7e-7 in f32); 2^n is built in the exponent
  /// bits, and n = −127 gives the bits of +0.0. The exponent comes from
  /// maxnumf's clamp, which turns NaN into −127 (no NaN is converted to an
  /// integer); f from select(x < −127, −127, x), one vmaxps that keeps a NaN.
  /// About half the operations of math.exp's expansion.
  Value exp2(Value x) {
    static constexpr float coeffs[] = {
        0.9999999403953552f,  0.6931529641151428f,  0.24015453457832336f,
        0.05582360550761223f, 0.00899258442223072f, 0.0018762329127639532f};
    Value lo = splat(-127.0);
    Value n =
        math::FloorOp::create(b, loc, arith::MaxNumFOp::create(b, loc, x, lo));
    Value below =
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, x, lo);
    x = arith::SelectOp::create(b, loc, below, lo, x);
    Value f = arith::SubFOp::create(b, loc, x, n);
    Value p = splat(coeffs[5]);
    for (int i = 4; i >= 0; --i)
      p = fma(p, f, splat(coeffs[i]));
    auto i32 = VectorType::get({kLanes}, b.getI32Type());
    Value bits = arith::ShLIOp::create(
        b, loc,
        arith::AddIOp::create(
            b, loc, arith::FPToSIOp::create(b, loc, i32, n),
            arith::ConstantOp::create(
                b, loc, DenseElementsAttr::get(i32, b.getI32IntegerAttr(127)))),
        arith::ConstantOp::create(
            b, loc, DenseElementsAttr::get(i32, b.getI32IntegerAttr(23))));
    Value scale = arith::BitcastOp::create(b, loc, vecType(), bits);
    return arith::MulFOp::create(b, loc, p, scale);
  }

  /// The online softmax's rescale 2^(m − m') of state kept at row max m
  /// when the max becomes m' (m' ≥ m; `subtract` is m', or 0 in a row that
  /// has seen no key): exactly 1 where the max did not move. exp2's fit is
  /// 0.99999994 at 0, and a row whose max settles early would otherwise
  /// scale everything summed so far by it on every tile: over the 512 tiles
  /// of 32K keys, early keys weigh 3e-5 less than late ones.
  Value rescale(Value m, Value newMax, Value subtract) {
    Value same =
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, m, newMax);
    return arith::SelectOp::create(
        b, loc, same, splat(1.0),
        exp2(arith::SubFOp::create(b, loc, m, subtract)));
  }

  /// A counted loop with vector iter_args; `body` returns the next values.
  SmallVector<Value>
  loop(Value lo, Value hi, Value step, ValueRange init,
       function_ref<SmallVector<Value>(Value, ValueRange)> body) {
    auto forOp = scf::ForOp::create(
        b, loc, lo, hi, step, init,
        [&](OpBuilder &, Location, Value iv, ValueRange iter) {
          scf::YieldOp::create(b, loc, body(iv, iter));
        });
    return SmallVector<Value>(forOp.getResults());
  }
  /// The register block of both products: over iv in [0, extent), for
  /// `scalars` broadcast values s_i(iv) and `vecs` lane-vectors v_x(iv),
  /// acc[vecs·i + x] += s_i(iv) · v_x(iv). Returns the accumulators.
  SmallVector<Value>
  broadcastFmaBlock(Value extent, int64_t scalars, int64_t vecs,
                    ValueRange init, function_ref<Value(Value, int64_t)> scalar,
                    function_ref<Value(Value, int64_t)> vector) {
    return loop(idx(0), extent, idx(1), init,
                [&](Value iv, ValueRange acc) -> SmallVector<Value> {
                  SmallVector<Value> vs;
                  for (int64_t x = 0; x < vecs; ++x)
                    vs.push_back(vector(iv, x));
                  SmallVector<Value> next;
                  for (int64_t i = 0; i < scalars; ++i) {
                    Value s = bcast(scalar(iv, i));
                    for (int64_t x = 0; x < vecs; ++x)
                      next.push_back(fma(s, vs[x], acc[vecs * i + x]));
                  }
                  return next;
                });
  }

  void loop(Value lo, Value hi, Value step, function_ref<void(Value)> body) {
    scf::ForOp::create(b, loc, lo, hi, step, ValueRange{},
                       [&](OpBuilder &, Location, Value iv, ValueRange) {
                         body(iv);
                         scf::YieldOp::create(b, loc);
                       });
  }
};

} // namespace mlir::attn::cpu_kernel

#endif // ATTN_LIB_CONVERSION_ATTNTOCPU_KERNELBUILDER_H
