//===- MaskAttrs.cpp - what each mask means -------------------------------===//
//
// MaskAttrInterface on every mask attribute: its predicate as IR and on the
// host, its band, and what it allows of a block of scores. Everything else
// (the lowerings' key ranges, the reference, attn-sparsify) asks these; a
// new mask kind is one attribute here and in AttnAttrs.td.
//
//===----------------------------------------------------------------------===//

#include "attn/Dialect/Attn/IR/AttnAttrs.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <algorithm>

using namespace mlir;
using namespace mlir::attn;

namespace {

/// The scalar `x` holds in every lane, if it is a broadcast of one.
Value uniformValue(Value x) {
  if (!isa<VectorType>(x.getType()))
    return x;
  auto splat = x.getDefiningOp<vector::BroadcastOp>();
  return splat && !isa<VectorType>(splat.getSource().getType())
             ? splat.getSource()
             : Value();
}

/// The small IR vocabulary of the predicates.
struct PredicateBuilder {
  OpBuilder &b;
  Location loc;
  /// `index`, or a vector of it when the predicate runs on lanes of
  /// elements (the CPU kernel's rows in lanes).
  Type type = b.getIndexType();

  Value idx(int64_t v) {
    if (auto vec = dyn_cast<VectorType>(type))
      return arith::ConstantOp::create(
          b, loc, DenseElementsAttr::get(vec, b.getIndexAttr(v)));
    return arith::ConstantIndexOp::create(b, loc, v);
  }
  Value i1(bool v) { return arith::ConstantIntOp::create(b, loc, v, 1); }
  Value cmp(arith::CmpIPredicate p, Value x, Value y) {
    return arith::CmpIOp::create(b, loc, p, x, y);
  }
  Value addConst(Value x, int64_t c) {
    return arith::AddIOp::create(b, loc, x, idx(c));
  }
  Value both(Value x, Value y) { return arith::AndIOp::create(b, loc, x, y); }
  Value either(Value x, Value y) { return arith::OrIOp::create(b, loc, x, y); }
  /// p − left ≤ j ≤ p + right.
  Value inWindow(const MaskPoint &at, int64_t left, int64_t right) {
    return both(
        cmp(arith::CmpIPredicate::sge, at.key, addConst(at.queryPos, -left)),
        cmp(arith::CmpIPredicate::sle, at.key, addConst(at.queryPos, right)));
  }
  /// `x` (an `index` or integer scalar) in the builder's shape.
  Value splat(Value x) {
    auto vec = dyn_cast<VectorType>(type);
    if (!vec)
      return x;
    return vector::BroadcastOp::create(
        b, loc, VectorType::get(vec.getShape(), x.getType()), x);
  }
  /// The constant `v` of integer type `t` in the builder's shape.
  Value intConst(Type t, int64_t v) {
    if (auto vec = dyn_cast<VectorType>(type))
      return arith::ConstantOp::create(
          b, loc,
          DenseElementsAttr::get(VectorType::get(vec.getShape(), t),
                                 b.getIntegerAttr(t, v)));
    return arith::ConstantOp::create(b, loc, b.getIntegerAttr(t, v));
  }
  /// `x` (`index`, in the builder's shape) as integer type `t`.
  Value castTo(Type t, Value x) {
    if (auto vec = dyn_cast<VectorType>(type))
      t = VectorType::get(vec.getShape(), t);
    return arith::IndexCastOp::create(b, loc, t, x);
  }
  /// Size `dim` of a table (tensor or memref).
  Value tableDim(Value table, int64_t dim) {
    if (isa<MemRefType>(table.getType()))
      return memref::DimOp::create(b, loc, table, dim);
    return tensor::DimOp::create(b, loc, table, dim);
  }
  /// Entry `trailing` of a table: a tensor in its shared, [B, ...] or
  /// [B, H, ...] form, or a kernel's memref [B, H, 1..., trailing]. Where
  /// indices are vectors (lanes of elements) it reads one entry per lane;
  /// the result is in the builder's shape.
  Value readTable(Value table, const MaskPoint &at, ValueRange trailing) {
    int64_t extra = cast<ShapedType>(table.getType()).getRank() -
                    static_cast<int64_t>(trailing.size());
    SmallVector<Value> index;
    if (extra >= 1)
      index.push_back(at.batch);
    if (extra >= 2)
      index.push_back(at.head);
    for (int64_t i = 2; i < extra; ++i)
      index.push_back(arith::ConstantIndexOp::create(b, loc, 0));
    llvm::append_range(index, trailing);
    // An index whose lanes all hold one value (a broadcast) is read once.
    VectorType lanes;
    for (Value &i : index) {
      if (Value scalar = uniformValue(i))
        i = scalar;
      if (auto vec = dyn_cast<VectorType>(i.getType()))
        lanes = vec;
    }
    if (!lanes)
      return splat(load(table, index));
    SmallVector<Value> entries;
    for (int64_t lane = 0; lane < lanes.getNumElements(); ++lane) {
      SmallVector<Value> laneIndex;
      for (Value i : index)
        laneIndex.push_back(isa<VectorType>(i.getType())
                                ? vector::ExtractOp::create(b, loc, i, lane)
                                : i);
      entries.push_back(load(table, laneIndex));
    }
    Type element = cast<ShapedType>(table.getType()).getElementType();
    return vector::FromElementsOp::create(
        b, loc, VectorType::get(lanes.getShape(), element), entries);
  }
  Value load(Value table, ValueRange index) {
    if (isa<MemRefType>(table.getType()))
      return memref::LoadOp::create(b, loc, table, index);
    return tensor::ExtractOp::create(b, loc, table, index);
  }
};

Value takeTable(ArrayRef<Value> &tables) {
  Value table = tables.front();
  tables = tables.drop_front();
  return table;
}

/// What a window [p − left, p + right] allows of `block`.
BlockClass classifyWindow(const MaskBlock &block, std::optional<int64_t> left,
                          std::optional<int64_t> right) {
  int64_t lastPos = block.posHi - 1, lastKey = block.keyHi - 1;
  bool beyondRight = right && block.keyLo > lastPos + *right;
  bool beforeLeft = left && lastKey < block.posLo - *left;
  if (beyondRight || beforeLeft)
    return BlockClass::Empty;
  bool rightInside = !right || lastKey <= block.posLo + *right;
  bool leftInside = !left || block.keyLo >= lastPos - *left;
  return rightInside && leftInside ? BlockClass::Full : BlockClass::Partial;
}

/// The union (`any`) or intersection of `masks`' classes of `block`;
/// element by element where the members' classes leave it open.
BlockClass classifyCombined(MaskAttrInterface self, ArrayAttr masks,
                            const MaskBlock &block, bool any) {
  bool allEmpty = true, allFull = true;
  for (Attribute member : masks) {
    BlockClass c = cast<MaskAttrInterface>(member).classifyBlock(block);
    if (any && c == BlockClass::Full)
      return BlockClass::Full;
    if (!any && c == BlockClass::Empty)
      return BlockClass::Empty;
    allEmpty &= c == BlockClass::Empty;
    allFull &= c == BlockClass::Full;
  }
  if (allEmpty)
    return BlockClass::Empty;
  if (allFull)
    return BlockClass::Full;
  if (self.getNumTables() != 0)
    return BlockClass::Partial;
  return classifyBlockByElements(self, block);
}

/// The members' predicates joined by `any` (or) or all (and).
Value buildCombined(ArrayAttr masks, OpBuilder &b, Location loc,
                    const MaskPoint &point, ArrayRef<Value> &tables, bool any) {
  PredicateBuilder pb{b, loc};
  Value result;
  for (Attribute member : masks) {
    Value allowed =
        cast<MaskAttrInterface>(member).buildAllowed(b, loc, point, tables);
    result = !result ? allowed
             : any   ? pb.either(result, allowed)
                     : pb.both(result, allowed);
  }
  return result;
}

bool isAllowedCombined(ArrayAttr masks, const MaskElement &e,
                       const MaskTables &tables, unsigned firstTable,
                       bool any) {
  for (Attribute member : masks) {
    auto mask = cast<MaskAttrInterface>(member);
    if (mask.isAllowed(e, tables, firstTable) == any)
      return any;
    firstTable += mask.getNumTables();
  }
  return !any;
}

/// classifyWindow as IR: (empty, full) of the block under the window.
std::pair<Value, Value> buildWindowClass(OpBuilder &b, Location loc,
                                         const MaskBlockValues &block,
                                         std::optional<int64_t> left,
                                         std::optional<int64_t> right) {
  PredicateBuilder pb{b, loc};
  Value posLo = block.posLo, keyLo = block.keyLo;
  Value posHi = block.posHi, keyHi = block.keyHi;
  using P = arith::CmpIPredicate;
  Value lastPos = pb.addConst(posHi, -1), lastKey = pb.addConst(keyHi, -1);
  Value empty = pb.i1(false), full = pb.i1(true);
  if (right) {
    empty =
        pb.either(empty, pb.cmp(P::sgt, keyLo, pb.addConst(lastPos, *right)));
    full = pb.both(full, pb.cmp(P::sle, lastKey, pb.addConst(posLo, *right)));
  }
  if (left) {
    empty =
        pb.either(empty, pb.cmp(P::slt, lastKey, pb.addConst(posLo, -*left)));
    full = pb.both(full, pb.cmp(P::sge, keyLo, pb.addConst(lastPos, -*left)));
  }
  return {empty, full};
}

/// The members' IR classes joined as a union (`any`) or intersection:
/// conservative (a union of partial members is partial). Members that read
/// tables take theirs from `tables` in turn.
std::pair<Value, Value> buildCombinedClass(ArrayAttr masks, OpBuilder &b,
                                           Location loc,
                                           const MaskBlockValues &block,
                                           ArrayRef<Value> &tables, bool any) {
  PredicateBuilder pb{b, loc};
  Value empty = pb.i1(any), full = pb.i1(!any);
  for (Attribute member : masks) {
    auto [e, f] =
        cast<MaskAttrInterface>(member).buildBlockClass(b, loc, block, tables);
    empty = any ? pb.both(empty, e) : pb.either(empty, e);
    full = any ? pb.either(full, f) : pb.both(full, f);
  }
  return {empty, full};
}

/// (false, false): "evaluate the predicate".
std::pair<Value, Value> unknownClass(OpBuilder &b, Location loc) {
  PredicateBuilder pb{b, loc};
  return {pb.i1(false), pb.i1(false)};
}

/// The table a mask classifies `block` from: the next of `tables`, or null
/// when there are none or the table is per batch and the block is not
/// (then the class is unknown).
Value tableForBlock(const MaskBlockValues &block, ArrayRef<Value> &tables,
                    int64_t sharedRank) {
  if (tables.empty())
    return Value();
  Value table = takeTable(tables);
  bool perBatch = cast<ShapedType>(table.getType()).getRank() > sharedRank;
  return perBatch && !block.batch ? Value() : table;
}

/// The document of position `pos` (a scalar): #{k ≥ 1 : o_k ≤ pos}.
Value buildDocumentOf(OpBuilder &b, Location loc, Value table,
                      const MaskPoint &at, Value pos) {
  PredicateBuilder pb{b, loc, pos.getType()};
  auto type = cast<ShapedType>(table.getType());
  Value numOffsets = pb.tableDim(table, type.getRank() - 1);
  Value posInt = pb.castTo(type.getElementType(), pos);
  auto loop = scf::ForOp::create(
      b, loc, arith::ConstantIndexOp::create(b, loc, 1), numOffsets,
      arith::ConstantIndexOp::create(b, loc, 1), ValueRange{pb.idx(0)},
      [&](OpBuilder &lb, Location ll, Value k, ValueRange iter) {
        PredicateBuilder inner{lb, ll, pos.getType()};
        Value offset = inner.readTable(table, at, {k});
        Value passed = inner.cmp(arith::CmpIPredicate::sle, offset, posInt);
        Value inc =
            arith::SelectOp::create(lb, ll, passed, inner.idx(1), inner.idx(0));
        scf::YieldOp::create(
            lb, ll, ValueRange{arith::AddIOp::create(lb, ll, iter[0], inc)});
      });
  return loop.getResult(0);
}

/// D, the number of documents of an offsets table (its last dim less one).
Value buildDocumentCount(OpBuilder &b, Location loc, Value table) {
  PredicateBuilder pb{b, loc};
  auto type = cast<ShapedType>(table.getType());
  return pb.addConst(pb.tableDim(table, type.getRank() - 1), -1);
}

/// o_min(doc, D): where document `doc` starts (o_D past the last document);
/// `count` is D, splat like `doc`.
Value readDocumentStart(OpBuilder &b, Location loc, Value table,
                        const MaskPoint &at, Value doc, Value count) {
  PredicateBuilder pb{b, loc, doc.getType()};
  return pb.readTable(table, at, {arith::MinUIOp::create(b, loc, doc, count)});
}

bool inWindow(const MaskElement &e, int64_t left, int64_t right) {
  return e.key >= e.queryPos - left && e.key <= e.queryPos + right;
}

} // namespace

BlockClass mlir::attn::classifyBlockByElements(MaskAttrInterface mask,
                                               const MaskBlock &block) {
  struct NoTables : MaskTables {
    int64_t read(unsigned, int64_t, int64_t, ArrayRef<int64_t>) const override {
      return 0;
    }
    int64_t lastDim(unsigned) const override { return 0; }
  } none;
  int64_t elements = (block.posHi - block.posLo) * (block.keyHi - block.keyLo);
  if (elements > kMaxElementwiseBlock)
    return BlockClass::Partial;
  if (int64_t *budget = block.elementBudget) {
    if (elements > *budget) {
      *budget = -1; // spent: every later block is refused too
      return BlockClass::Partial;
    }
    *budget -= elements;
  }
  bool some = false, all = true;
  for (int64_t p = block.posLo; p < block.posHi; ++p)
    for (int64_t j = block.keyLo; j < block.keyHi; ++j) {
      bool allowed = mask.isAllowed({0, 0, p, j, p}, none, 0);
      some |= allowed;
      all &= allowed;
    }
  return all    ? BlockClass::Full
         : some ? BlockClass::Partial
                : BlockClass::Empty;
}

//===----------------------------------------------------------------------===//
// causal: j ≤ p
//===----------------------------------------------------------------------===//

Value CausalMaskAttr::buildAllowed(OpBuilder &b, Location loc,
                                   const MaskPoint &point,
                                   ArrayRef<Value> &) const {
  return PredicateBuilder{b, loc, point.key.getType()}.cmp(
      arith::CmpIPredicate::sle, point.key, point.queryPos);
}
bool CausalMaskAttr::isAllowed(const MaskElement &e, const MaskTables &,
                               unsigned) const {
  return e.key <= e.queryPos;
}
MaskBand CausalMaskAttr::getBand() const { return {std::nullopt, 0, true}; }
BlockClass CausalMaskAttr::classifyBlock(const MaskBlock &block) const {
  return classifyWindow(block, std::nullopt, 0);
}

//===----------------------------------------------------------------------===//
// window: p − left ≤ j ≤ p + right
//===----------------------------------------------------------------------===//

Value WindowMaskAttr::buildAllowed(OpBuilder &b, Location loc,
                                   const MaskPoint &point,
                                   ArrayRef<Value> &) const {
  return PredicateBuilder{b, loc, point.key.getType()}.inWindow(
      point, getLeft(), getRight());
}
bool WindowMaskAttr::isAllowed(const MaskElement &e, const MaskTables &,
                               unsigned) const {
  return inWindow(e, getLeft(), getRight());
}
MaskBand WindowMaskAttr::getBand() const {
  return {getLeft(), getRight(), true};
}
BlockClass WindowMaskAttr::classifyBlock(const MaskBlock &block) const {
  return classifyWindow(block, getLeft(), getRight());
}

//===----------------------------------------------------------------------===//
// dilated: the window, and (p − j) mod dilation = 0
//===----------------------------------------------------------------------===//

Value DilatedMaskAttr::buildAllowed(OpBuilder &b, Location loc,
                                    const MaskPoint &point,
                                    ArrayRef<Value> &) const {
  PredicateBuilder pb{b, loc, point.key.getType()};
  Value diff = arith::SubIOp::create(b, loc, point.queryPos, point.key);
  Value rem = arith::RemSIOp::create(b, loc, diff, pb.idx(getDilation()));
  return pb.both(pb.inWindow(point, getLeft(), getRight()),
                 pb.cmp(arith::CmpIPredicate::eq, rem, pb.idx(0)));
}
bool DilatedMaskAttr::isAllowed(const MaskElement &e, const MaskTables &,
                                unsigned) const {
  return inWindow(e, getLeft(), getRight()) &&
         (e.queryPos - e.key) % getDilation() == 0;
}
MaskBand DilatedMaskAttr::getBand() const {
  return {getLeft(), getRight(), getDilation() == 1};
}
BlockClass DilatedMaskAttr::classifyBlock(const MaskBlock &block) const {
  BlockClass window = classifyWindow(block, getLeft(), getRight());
  if (window == BlockClass::Empty || getDilation() == 1)
    return window;
  return classifyBlockByElements(*this, block);
}

//===----------------------------------------------------------------------===//
// global: j < tokens or p < tokens
//===----------------------------------------------------------------------===//

Value GlobalMaskAttr::buildAllowed(OpBuilder &b, Location loc,
                                   const MaskPoint &point,
                                   ArrayRef<Value> &) const {
  PredicateBuilder pb{b, loc, point.key.getType()};
  Value tokens = pb.idx(getTokens());
  return pb.either(pb.cmp(arith::CmpIPredicate::slt, point.key, tokens),
                   pb.cmp(arith::CmpIPredicate::slt, point.queryPos, tokens));
}
bool GlobalMaskAttr::isAllowed(const MaskElement &e, const MaskTables &,
                               unsigned) const {
  return e.key < getTokens() || e.queryPos < getTokens();
}
BlockClass GlobalMaskAttr::classifyBlock(const MaskBlock &block) const {
  if (block.keyHi <= getTokens() || block.posHi <= getTokens())
    return BlockClass::Full;
  if (block.keyLo >= getTokens() && block.posLo >= getTokens())
    return BlockClass::Empty;
  return BlockClass::Partial;
}

//===----------------------------------------------------------------------===//
// block_sparse: layout[⌊i / block_q⌋, ⌊j / block_k⌋] ≠ 0
//===----------------------------------------------------------------------===//

Value BlockSparseMaskAttr::buildAllowed(OpBuilder &b, Location loc,
                                        const MaskPoint &point,
                                        ArrayRef<Value> &tables) const {
  PredicateBuilder pb{b, loc, point.key.getType()};
  Value table = takeTable(tables);
  Value qb = arith::DivUIOp::create(b, loc, point.query, pb.idx(getBlockQ()));
  Value kb = arith::DivUIOp::create(b, loc, point.key, pb.idx(getBlockK()));
  Value entry = pb.readTable(table, point, {qb, kb});
  Type element = cast<ShapedType>(table.getType()).getElementType();
  return pb.cmp(arith::CmpIPredicate::ne, entry, pb.intConst(element, 0));
}
bool BlockSparseMaskAttr::isAllowed(const MaskElement &e,
                                    const MaskTables &tables,
                                    unsigned firstTable) const {
  return tables.read(firstTable, e.batch, e.head,
                     {e.query / getBlockQ(), e.key / getBlockK()}) != 0;
}

//===----------------------------------------------------------------------===//
// document: p and j in the same document [o_k, o_{k+1})
//===----------------------------------------------------------------------===//

/// Key j's document d = doc(j), then p ∈ [o_d, o_{d+1}) — or, where the
/// query position is one value across lanes and the key is not (keys in
/// lanes), p's document and j in its range: one document lookup for the
/// lanes, and a range compare per lane.
Value DocumentMaskAttr::buildAllowed(OpBuilder &b, Location loc,
                                     const MaskPoint &point,
                                     ArrayRef<Value> &tables) const {
  PredicateBuilder pb{b, loc, point.key.getType()};
  Value table = takeTable(tables);
  auto type = cast<ShapedType>(table.getType());
  bool byQuery = uniformValue(point.queryPos) && !uniformValue(point.key);
  Value anchor = byQuery ? point.queryPos : point.key;
  Value other = byQuery ? point.key : point.queryPos;
  if (Value scalar = uniformValue(anchor))
    anchor = scalar;
  // doc(x) = #{k ≥ 1 : o_k ≤ x}; positions ≥ o_D have doc(x) = D.
  Value doc = buildDocumentOf(b, loc, table, point, anchor);
  PredicateBuilder at{b, loc, doc.getType()};
  Value last = at.splat(buildDocumentCount(b, loc, table));
  Value lo = readDocumentStart(b, loc, table, point, doc, last);
  Value hi = readDocumentStart(b, loc, table, point, at.addConst(doc, 1), last);
  Value inDoc = at.cmp(arith::CmpIPredicate::slt, doc, last);
  if (!isa<VectorType>(doc.getType())) { // one document for every lane
    lo = pb.splat(lo);
    hi = pb.splat(hi);
    inDoc = pb.splat(inDoc);
  }
  Value otherInt = pb.castTo(type.getElementType(), other);
  Value inRange = pb.both(pb.cmp(arith::CmpIPredicate::sge, otherInt, lo),
                          pb.cmp(arith::CmpIPredicate::slt, otherInt, hi));
  Value started = pb.cmp(arith::CmpIPredicate::sge, point.queryPos, pb.idx(0));
  return pb.both(pb.both(inRange, inDoc), started);
}
bool DocumentMaskAttr::isAllowed(const MaskElement &e, const MaskTables &tables,
                                 unsigned firstTable) const {
  int64_t count = tables.lastDim(firstTable);
  // The document holding position p: the k with o_k <= p < o_{k+1}.
  auto docOf = [&](int64_t p) -> int64_t {
    for (int64_t k = 0; k + 1 < count; ++k)
      if (p >= tables.read(firstTable, e.batch, e.head, {k}) &&
          p < tables.read(firstTable, e.batch, e.head, {k + 1}))
        return k;
    return -1;
  };
  int64_t docQ = docOf(e.queryPos);
  return docQ >= 0 && docQ == docOf(e.key);
}

//===----------------------------------------------------------------------===//
// key_lengths: j < L_b
//===----------------------------------------------------------------------===//

/// L_b of the table [B], an `index` in the shape of `at`'s batch (scalar or
/// lanes).
static Value readKeyLength(OpBuilder &b, Location loc, Value table,
                           const MaskPoint &at) {
  PredicateBuilder pb{b, loc, at.batch.getType()};
  Value length = pb.readTable(table, at, {at.batch});
  // Lengths are never negative: i8 entries up to 255.
  return arith::IndexCastUIOp::create(b, loc, at.batch.getType(), length);
}

Value KeyLengthsMaskAttr::buildAllowed(OpBuilder &b, Location loc,
                                       const MaskPoint &point,
                                       ArrayRef<Value> &tables) const {
  PredicateBuilder pb{b, loc, point.key.getType()};
  Value table = takeTable(tables);
  MaskPoint at = point;
  if (Value scalar = uniformValue(point.batch))
    at.batch = scalar;
  Value length = readKeyLength(b, loc, table, at);
  if (!isa<VectorType>(length.getType()))
    length = pb.splat(length);
  return pb.cmp(arith::CmpIPredicate::slt, point.key, length);
}
bool KeyLengthsMaskAttr::isAllowed(const MaskElement &e,
                                   const MaskTables &tables,
                                   unsigned firstTable) const {
  return e.key < tables.read(firstTable, e.batch, e.head, {e.batch});
}
/// Empty when the block's keys start at or past L_b, full when they end by
/// it.
std::pair<Value, Value>
KeyLengthsMaskAttr::buildBlockClass(OpBuilder &b, Location loc,
                                    const MaskBlockValues &block,
                                    ArrayRef<Value> &tables) const {
  Value table = tableForBlock(block, tables, /*sharedRank=*/1);
  if (!table || !block.batch)
    return unknownClass(b, loc);
  PredicateBuilder pb{b, loc};
  MaskPoint at{block.batch, block.head, Value(), Value(), Value()};
  Value length = readKeyLength(b, loc, table, at);
  return {pb.cmp(arith::CmpIPredicate::sge, block.keyLo, length),
          pb.cmp(arith::CmpIPredicate::sle, block.keyHi, length)};
}
/// Every row of batch b sees keys [0, L_b) at most.
std::pair<Value, Value>
KeyLengthsMaskAttr::buildKeyBounds(OpBuilder &b, Location loc,
                                   const MaskBlockValues &block,
                                   ArrayRef<Value> &tables) const {
  Value table = tableForBlock(block, tables, /*sharedRank=*/1);
  if (!table || !block.batch)
    return {};
  MaskPoint at{block.batch, block.head, Value(), Value(), Value()};
  return {PredicateBuilder{b, loc}.idx(0), readKeyLength(b, loc, table, at)};
}

//===----------------------------------------------------------------------===//
// union and intersect
//===----------------------------------------------------------------------===//

Value UnionMaskAttr::buildAllowed(OpBuilder &b, Location loc,
                                  const MaskPoint &point,
                                  ArrayRef<Value> &tables) const {
  return buildCombined(getMasks(), b, loc, point, tables, /*any=*/true);
}
bool UnionMaskAttr::isAllowed(const MaskElement &e, const MaskTables &tables,
                              unsigned firstTable) const {
  return isAllowedCombined(getMasks(), e, tables, firstTable, /*any=*/true);
}
BlockClass UnionMaskAttr::classifyBlock(const MaskBlock &block) const {
  return classifyCombined(*this, getMasks(), block, /*any=*/true);
}

Value IntersectMaskAttr::buildAllowed(OpBuilder &b, Location loc,
                                      const MaskPoint &point,
                                      ArrayRef<Value> &tables) const {
  return buildCombined(getMasks(), b, loc, point, tables, /*any=*/false);
}
bool IntersectMaskAttr::isAllowed(const MaskElement &e,
                                  const MaskTables &tables,
                                  unsigned firstTable) const {
  return isAllowedCombined(getMasks(), e, tables, firstTable, /*any=*/false);
}
MaskBand IntersectMaskAttr::getBand() const {
  // The intersection of the members' bands; exact only when every member is.
  MaskBand band{std::nullopt, std::nullopt, true};
  auto tighter = [](std::optional<int64_t> a, std::optional<int64_t> b) {
    if (!a)
      return b;
    if (!b)
      return a;
    return std::optional<int64_t>(std::min(*a, *b));
  };
  for (Attribute member : getMasks()) {
    MaskBand m = cast<MaskAttrInterface>(member).getBand();
    band.left = tighter(band.left, m.left);
    band.right = tighter(band.right, m.right);
    band.exact &= m.exact;
  }
  return band;
}
BlockClass IntersectMaskAttr::classifyBlock(const MaskBlock &block) const {
  return classifyCombined(*this, getMasks(), block, /*any=*/false);
}

//===----------------------------------------------------------------------===//
// Block classes as IR
//===----------------------------------------------------------------------===//

std::pair<Value, Value>
CausalMaskAttr::buildBlockClass(OpBuilder &b, Location loc,
                                const MaskBlockValues &block,
                                ArrayRef<Value> &) const {
  return buildWindowClass(b, loc, block, std::nullopt, 0);
}
std::pair<Value, Value>
WindowMaskAttr::buildBlockClass(OpBuilder &b, Location loc,
                                const MaskBlockValues &block,
                                ArrayRef<Value> &) const {
  return buildWindowClass(b, loc, block, getLeft(), getRight());
}
std::pair<Value, Value>
DilatedMaskAttr::buildBlockClass(OpBuilder &b, Location loc,
                                 const MaskBlockValues &block,
                                 ArrayRef<Value> &) const {
  auto [empty, full] = buildWindowClass(b, loc, block, getLeft(), getRight());
  // With a stride, a block of more than one element is never full.
  if (getDilation() != 1)
    full = PredicateBuilder{b, loc}.i1(false);
  return {empty, full};
}
std::pair<Value, Value>
GlobalMaskAttr::buildBlockClass(OpBuilder &b, Location loc,
                                const MaskBlockValues &block,
                                ArrayRef<Value> &) const {
  PredicateBuilder pb{b, loc};
  using P = arith::CmpIPredicate;
  Value tokens = pb.idx(getTokens());
  Value full = pb.either(pb.cmp(P::sle, block.keyHi, tokens),
                         pb.cmp(P::sle, block.posHi, tokens));
  Value empty = pb.both(pb.cmp(P::sge, block.keyLo, tokens),
                        pb.cmp(P::sge, block.posLo, tokens));
  return {empty, full};
}
/// From the layout entries the block overlaps: empty if all are 0, full if
/// none is.
std::pair<Value, Value>
BlockSparseMaskAttr::buildBlockClass(OpBuilder &b, Location loc,
                                     const MaskBlockValues &block,
                                     ArrayRef<Value> &tables) const {
  Value table = tableForBlock(block, tables, /*sharedRank=*/2);
  if (!table)
    return unknownClass(b, loc);
  PredicateBuilder pb{b, loc};
  auto div = [&](Value x, int64_t by) -> Value {
    return arith::DivUIOp::create(b, loc, x, pb.idx(by));
  };
  // Entries [qbLo, qbHi) × [kbLo, kbHi) of the rows i = p − shift.
  Value qbLo =
      div(arith::SubIOp::create(b, loc, block.posLo, block.shift), getBlockQ());
  Value qbHi =
      pb.addConst(div(arith::SubIOp::create(
                          b, loc, pb.addConst(block.posHi, -1), block.shift),
                      getBlockQ()),
                  1);
  Value kbLo = div(block.keyLo, getBlockK());
  Value kbHi = pb.addConst(div(pb.addConst(block.keyHi, -1), getBlockK()), 1);
  Type element = cast<ShapedType>(table.getType()).getElementType();
  MaskPoint at{block.batch, block.head, Value(), Value(), Value()};
  auto rows = scf::ForOp::create(
      b, loc, qbLo, qbHi, pb.idx(1), ValueRange{pb.i1(false), pb.i1(true)},
      [&](OpBuilder &rb, Location rl, Value qb, ValueRange rowIter) {
        auto cols = scf::ForOp::create(
            rb, rl, kbLo, kbHi, pb.idx(1), rowIter,
            [&](OpBuilder &cb, Location cl, Value kb, ValueRange iter) {
              PredicateBuilder in{cb, cl};
              Value set = in.cmp(arith::CmpIPredicate::ne,
                                 in.readTable(table, at, {qb, kb}),
                                 in.intConst(element, 0));
              scf::YieldOp::create(
                  cb, cl,
                  ValueRange{in.either(iter[0], set), in.both(iter[1], set)});
            });
        scf::YieldOp::create(rb, rl, cols.getResults());
      });
  return {arith::XOrIOp::create(b, loc, rows.getResult(0), pb.i1(true)),
          rows.getResult(1)};
}
/// From the documents of the block's first and last positions and keys:
/// empty if the rows' documents and the keys' do not meet, full if all
/// four are one document.
std::pair<Value, Value>
DocumentMaskAttr::buildBlockClass(OpBuilder &b, Location loc,
                                  const MaskBlockValues &block,
                                  ArrayRef<Value> &tables) const {
  Value table = tableForBlock(block, tables, /*sharedRank=*/1);
  if (!table)
    return unknownClass(b, loc);
  PredicateBuilder pb{b, loc};
  using P = arith::CmpIPredicate;
  MaskPoint at{block.batch, block.head, Value(), Value(), Value()};
  auto docOf = [&](Value pos) {
    return buildDocumentOf(b, loc, table, at, pos);
  };
  Value posFirst = docOf(block.posLo);
  Value posLast = docOf(pb.addConst(block.posHi, -1));
  Value keyFirst = docOf(block.keyLo);
  Value keyLast = docOf(pb.addConst(block.keyHi, -1));
  Value numDocs = buildDocumentCount(b, loc, table);
  Value empty = pb.either(pb.either(pb.cmp(P::slt, keyLast, posFirst),
                                    pb.cmp(P::sgt, keyFirst, posLast)),
                          pb.either(pb.cmp(P::sge, keyFirst, numDocs),
                                    pb.cmp(P::slt, block.posHi, pb.idx(1))));
  Value oneDoc = pb.both(pb.cmp(P::eq, posFirst, posLast),
                         pb.both(pb.cmp(P::eq, keyFirst, posFirst),
                                 pb.cmp(P::eq, keyLast, posFirst)));
  Value full = pb.both(pb.both(oneDoc, pb.cmp(P::slt, posFirst, numDocs)),
                       pb.cmp(P::sge, block.posLo, pb.idx(0)));
  return {empty, full};
}
/// Rows at positions [posLo, posHi) see keys of their documents only:
/// [o_doc(posLo), o_doc(posHi − 1) + 1) (o_D past the last document, whose
/// positions see nothing).
std::pair<Value, Value>
DocumentMaskAttr::buildKeyBounds(OpBuilder &b, Location loc,
                                 const MaskBlockValues &block,
                                 ArrayRef<Value> &tables) const {
  Value table = tableForBlock(block, tables, /*sharedRank=*/1);
  if (!table)
    return {};
  PredicateBuilder pb{b, loc};
  MaskPoint at{block.batch, block.head, Value(), Value(), Value()};
  Value numDocs = buildDocumentCount(b, loc, table);
  auto offset = [&](Value doc) {
    return pb.castTo(b.getIndexType(),
                     readDocumentStart(b, loc, table, at, doc, numDocs));
  };
  Value first = buildDocumentOf(b, loc, table, at, block.posLo);
  Value last = buildDocumentOf(b, loc, table, at, pb.addConst(block.posHi, -1));
  return {offset(first), offset(pb.addConst(last, 1))};
}
std::pair<Value, Value>
UnionMaskAttr::buildBlockClass(OpBuilder &b, Location loc,
                               const MaskBlockValues &block,
                               ArrayRef<Value> &tables) const {
  return buildCombinedClass(getMasks(), b, loc, block, tables, /*any=*/true);
}
std::pair<Value, Value>
IntersectMaskAttr::buildBlockClass(OpBuilder &b, Location loc,
                                   const MaskBlockValues &block,
                                   ArrayRef<Value> &tables) const {
  return buildCombinedClass(getMasks(), b, loc, block, tables, /*any=*/false);
}
/// The members' bounds, intersected.
std::pair<Value, Value>
IntersectMaskAttr::buildKeyBounds(OpBuilder &b, Location loc,
                                  const MaskBlockValues &block,
                                  ArrayRef<Value> &tables) const {
  Value lo, hi;
  for (Attribute member : getMasks()) {
    auto [l, h] =
        cast<MaskAttrInterface>(member).buildKeyBounds(b, loc, block, tables);
    if (!l)
      continue;
    lo = lo ? arith::MaxSIOp::create(b, loc, lo, l).getResult() : l;
    hi = hi ? arith::MinSIOp::create(b, loc, hi, h).getResult() : h;
  }
  return {lo, hi};
}
