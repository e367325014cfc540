//===- MaskUtils.cpp - building and analysing attn masks ------------------===//

#include "attn/Dialect/Attn/Utils/MaskUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::attn;

namespace {
/// A MaskSite with the query's key position i' = query + shift derived.
struct Site {
  Value batch, head, query, key, queryPos;
};
} // namespace

/// The i1 predicate of `mask` at `site`; `tables` are consumed as read.
static Value buildAllowed(OpBuilder &b, Location loc, MaskAttrInterface mask,
                          const Site &site, ArrayRef<Value> &tables) {
  auto indexConst = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  auto cmp = [&](arith::CmpIPredicate pred, Value x, Value y) -> Value {
    return arith::CmpIOp::create(b, loc, pred, x, y);
  };
  auto add = [&](Value x, int64_t c) -> Value {
    return arith::AddIOp::create(b, loc, x, indexConst(c));
  };
  auto inWindow = [&](int64_t left, int64_t right) -> Value {
    Value lo = cmp(arith::CmpIPredicate::sge, site.key, add(site.queryPos, -left));
    Value hi = cmp(arith::CmpIPredicate::sle, site.key, add(site.queryPos, right));
    return arith::AndIOp::create(b, loc, lo, hi);
  };
  auto takeTable = [&]() -> Value {
    Value table = tables.front();
    tables = tables.drop_front();
    return table;
  };
  auto readTable = [&](Value table, ValueRange trailing) -> Value {
    auto type = cast<RankedTensorType>(table.getType());
    SmallVector<Value> idx;
    if (type.getRank() == static_cast<int64_t>(trailing.size()) + 2) {
      idx.push_back(site.batch);
      idx.push_back(site.head);
    } else if (type.getRank() == static_cast<int64_t>(trailing.size()) + 1) {
      idx.push_back(site.batch);
    }
    llvm::append_range(idx, trailing);
    return tensor::ExtractOp::create(b, loc, table, idx);
  };

  return TypeSwitch<Attribute, Value>(mask)
      .Case<CausalMaskAttr>([&](auto) {
        return cmp(arith::CmpIPredicate::sle, site.key, site.queryPos);
      })
      .Case<WindowMaskAttr>(
          [&](auto w) { return inWindow(w.getLeft(), w.getRight()); })
      .Case<DilatedMaskAttr>([&](auto w) -> Value {
        Value diff = arith::SubIOp::create(b, loc, site.queryPos, site.key);
        Value rem =
            arith::RemSIOp::create(b, loc, diff, indexConst(w.getDilation()));
        Value onStride = cmp(arith::CmpIPredicate::eq, rem, indexConst(0));
        return arith::AndIOp::create(b, loc, inWindow(w.getLeft(), w.getRight()),
                                     onStride);
      })
      .Case<GlobalMaskAttr>([&](auto g) -> Value {
        Value tokens = indexConst(g.getTokens());
        return arith::OrIOp::create(
            b, loc, cmp(arith::CmpIPredicate::slt, site.key, tokens),
            cmp(arith::CmpIPredicate::slt, site.queryPos, tokens));
      })
      .Case<BlockSparseMaskAttr>([&](auto bs) -> Value {
        Value table = takeTable();
        Value qb = arith::DivUIOp::create(b, loc, site.query,
                                          indexConst(bs.getBlockQ()));
        Value kb = arith::DivUIOp::create(b, loc, site.key,
                                          indexConst(bs.getBlockK()));
        // The per-batch form is [B, H_q, nq, nk]: indexed by batch and head.
        auto type = cast<RankedTensorType>(table.getType());
        SmallVector<Value> idx;
        if (type.getRank() == 4)
          idx = {site.batch, site.head, qb, kb};
        else
          idx = {qb, kb};
        Value entry = tensor::ExtractOp::create(b, loc, table, idx);
        Value zero = arith::ConstantOp::create(
            b, loc, b.getIntegerAttr(entry.getType(), 0));
        return cmp(arith::CmpIPredicate::ne, entry, zero);
      })
      .Case<DocumentMaskAttr>([&](auto) -> Value {
        Value table = takeTable();
        auto type = cast<RankedTensorType>(table.getType());
        Type intType = type.getElementType();
        Value numOffsets = tensor::DimOp::create(b, loc, table, type.getRank() - 1);
        // doc(p) = #{k ≥ 1 : o_k ≤ p}; positions ≥ o_D have doc(p) = D.
        auto docOf = [&](Value pos) -> Value {
          Value posInt = arith::IndexCastOp::create(b, loc, intType, pos);
          auto loop = scf::ForOp::create(
              b, loc, indexConst(1), numOffsets, indexConst(1),
              ValueRange{indexConst(0)},
              [&](OpBuilder &lb, Location ll, Value k, ValueRange iter) {
                Value offset = readTable(table, {k});
                Value passed = arith::CmpIOp::create(
                    lb, ll, arith::CmpIPredicate::sle, offset, posInt);
                Value inc = arith::SelectOp::create(
                    lb, ll, passed, arith::ConstantIndexOp::create(lb, ll, 1),
                    arith::ConstantIndexOp::create(lb, ll, 0));
                scf::YieldOp::create(
                    lb, ll, ValueRange{arith::AddIOp::create(lb, ll, iter[0], inc)});
              });
          return loop.getResult(0);
        };
        Value numDocs = arith::SubIOp::create(b, loc, numOffsets, indexConst(1));
        Value docQ = docOf(site.queryPos), docK = docOf(site.key);
        Value same = cmp(arith::CmpIPredicate::eq, docQ, docK);
        Value inDoc = cmp(arith::CmpIPredicate::slt, docK, numDocs);
        Value started = cmp(arith::CmpIPredicate::sge, site.queryPos,
                            indexConst(0));
        return arith::AndIOp::create(
            b, loc, arith::AndIOp::create(b, loc, same, inDoc), started);
      })
      .Case<UnionMaskAttr, IntersectMaskAttr>([&](auto combined) -> Value {
        bool isUnion = isa<UnionMaskAttr>(combined);
        Value result;
        for (Attribute member : combined.getMasks()) {
          Value allowed = buildAllowed(b, loc, cast<MaskAttrInterface>(member),
                                       site, tables);
          if (!result)
            result = allowed;
          else if (isUnion)
            result = arith::OrIOp::create(b, loc, result, allowed);
          else
            result = arith::AndIOp::create(b, loc, result, allowed);
        }
        return result;
      })
      .Default([&](Attribute) { return Value(); });
}

MaskBand mlir::attn::getMaskBand(MaskAttrInterface mask) {
  return TypeSwitch<Attribute, MaskBand>(mask)
      .Case([](CausalMaskAttr) { return MaskBand{std::nullopt, 0, true}; })
      .Case([](WindowMaskAttr w) {
        return MaskBand{w.getLeft(), w.getRight(), true};
      })
      .Case([](DilatedMaskAttr w) {
        return MaskBand{w.getLeft(), w.getRight(), false};
      })
      .Case([](IntersectMaskAttr x) {
        // The intersection of the members' bands; exact only when every
        // member is.
        MaskBand band{std::nullopt, std::nullopt, true};
        for (Attribute member : x.getMasks()) {
          MaskBand m = getMaskBand(cast<MaskAttrInterface>(member));
          auto tighter = [](std::optional<int64_t> a, std::optional<int64_t> b) {
            if (!a)
              return b;
            if (!b)
              return a;
            return std::optional<int64_t>(std::min(*a, *b));
          };
          band.left = tighter(band.left, m.left);
          band.right = tighter(band.right, m.right);
          band.exact &= m.exact;
        }
        return band;
      })
      .Default([](Attribute) { return MaskBand{}; });
}

Value mlir::attn::buildMaskSelect(OpBuilder &b, Location loc,
                                  MaskAttrInterface mask, const MaskSite &site,
                                  ValueRange tables, Value x, Value fill) {
  Site derived{site.batch, site.head, site.query, site.key,
               arith::AddIOp::create(b, loc, site.query, site.shift)};
  SmallVector<Value> tableList(tables);
  ArrayRef<Value> remaining = tableList;
  Value allowed = buildAllowed(b, loc, mask, derived, remaining);
  if (!allowed)
    return Value();
  return arith::SelectOp::create(b, loc, allowed, x, fill);
}

KeyRange mlir::attn::buildKeyRange(OpBuilder &b, Location loc,
                                   MaskAttrInterface mask, Value qs,
                                   Value rows, Value shift, Value numK) {
  auto idx = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  auto add = [&](Value x, Value y) -> Value {
    return arith::AddIOp::create(b, loc, x, y);
  };
  auto sub = [&](Value x, Value y) -> Value {
    return arith::SubIOp::create(b, loc, x, y);
  };
  KeyRange range{idx(0), numK, Value(), Value()};
  if (!mask)
    return range;
  MaskBand band = getMaskBand(mask);
  Value firstPos = add(qs, shift);                 // p of the first row
  Value lastPos = add(firstPos, sub(rows, idx(1))); // p of the last row
  if (band.left)
    range.lo = arith::MaxSIOp::create(b, loc, idx(0),
                                      sub(firstPos, idx(*band.left)));
  if (band.right)
    range.hi = arith::MinSIOp::create(b, loc, numK,
                                      add(lastPos, idx(*band.right + 1)));
  // An empty range (all rows masked) must not run backwards.
  range.hi = arith::MaxSIOp::create(b, loc, range.hi, range.lo);
  if (band.exact) {
    range.fullLo = band.left ? sub(lastPos, idx(*band.left)) : idx(0);
    range.fullHi = band.right ? add(firstPos, idx(*band.right)) : numK;
  }
  return range;
}

Value mlir::attn::buildBlockInsideBand(OpBuilder &b, Location loc,
                                       const KeyRange &range, Value ks,
                                       Value count) {
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  Value lastKey = arith::SubIOp::create(
      b, loc, arith::AddIOp::create(b, loc, ks, count), one);
  return arith::AndIOp::create(
      b, loc,
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, ks,
                            range.fullLo),
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sle, lastKey,
                            range.fullHi));
}
