//===- AttnOps.cpp - attn operations --------------------------------------===//
//
// Verifiers. Every check is labelled with the numbered constraint of the op's
// description (e.g. `[sdpa_c3]`) and has a negative test in
// test/Dialect/Attn/invalid.mlir.
//
//===----------------------------------------------------------------------===//

#include "attn/Dialect/Attn/IR/AttnOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/TypeUtilities.h"

#include <cmath>

using namespace mlir;
using namespace mlir::attn;

//===----------------------------------------------------------------------===//
// Shape helpers
//===----------------------------------------------------------------------===//

/// A dimension as text, `?` when dynamic.
static std::string Dim(int64_t value) {
  return ShapedType::isDynamic(value) ? "?" : std::to_string(value);
}

/// True when both extents are known and differ.
static bool conflict(int64_t a, int64_t b) {
  return ShapedType::isStatic(a) && ShapedType::isStatic(b) && a != b;
}

/// True when both extents are known and `a` is not a multiple of `b`.
static bool notMultiple(int64_t a, int64_t b) {
  return ShapedType::isStatic(a) && ShapedType::isStatic(b) &&
         (b == 0 || a % b != 0);
}

static LogicalResult verifyRank(Operation *op, StringRef label, StringRef name,
                                Value value, int64_t rank) {
  auto type = cast<RankedTensorType>(value.getType());
  if (type.getRank() != rank)
    return op->emitOpError() << "[" << label << "] " << name << " must have rank "
                             << rank << ", got " << type;
  return success();
}

static LogicalResult verifyScale(Operation *op, StringRef label,
                                 std::optional<APFloat> scale) {
  if (!scale)
    return success();
  double value = scale->convertToDouble();
  if (!std::isfinite(value) || value <= 0.0)
    return op->emitOpError() << "[" << label
                             << "] scale must be finite and positive, got "
                             << value;
  return success();
}

static LogicalResult verifySameElementType(Operation *op, StringRef label,
                                           ArrayRef<std::pair<StringRef, Value>> values) {
  Type expected = getElementTypeOrSelf(values.front().second.getType());
  for (auto [name, value] : values.drop_front()) {
    Type actual = getElementTypeOrSelf(value.getType());
    if (actual != expected)
      return op->emitOpError()
             << "[" << label << "] element types must match: " << name
             << " has " << actual << ", " << values.front().first << " has "
             << expected;
  }
  return success();
}

static LogicalResult verifyShape(Operation *op, StringRef label, StringRef name,
                                 Value value, ArrayRef<int64_t> expected) {
  auto type = cast<RankedTensorType>(value.getType());
  bool mismatch = type.getRank() != static_cast<int64_t>(expected.size());
  for (auto [actual, want] : llvm::zip(type.getShape(), expected))
    mismatch |= conflict(actual, want);
  if (!mismatch)
    return success();
  InFlightDiagnostic diag = op->emitOpError()
                            << "[" << label << "] " << name << " must be [";
  llvm::interleave(
      expected, [&](int64_t dim) { diag << Dim(dim); },
      [&] { diag << ", "; });
  return diag << "], got " << type;
}

static ArrayRef<int64_t> shapeOf(Value value) {
  return cast<RankedTensorType>(value.getType()).getShape();
}

/// Checks shared by attn.sdpa and attn.linear (their constraints c1-c7).
static LogicalResult verifyAttention(Operation *op, StringRef prefix, Value q,
                                     Value k, Value v, Value out) {
  auto label = [&](int n) { return (prefix + "_c" + Twine(n)).str(); };
  for (auto [name, value] : {std::pair<StringRef, Value>{"query", q},
                             {"key", k},
                             {"value", v}})
    if (failed(verifyRank(op, label(1), name, value, 4)))
      return failure();
  ArrayRef<int64_t> qs = shapeOf(q), ks = shapeOf(k), vs = shapeOf(v);
  if (conflict(qs[0], ks[0]) || conflict(qs[0], vs[0]))
    return op->emitOpError() << "[" << label(2) << "] batch sizes of query ("
                             << Dim(qs[0]) << "), key (" << Dim(ks[0])
                             << ") and value (" << Dim(vs[0])
                             << ") must match";
  if (conflict(qs[3], ks[3]))
    return op->emitOpError() << "[" << label(3) << "] head dim of query ("
                             << Dim(qs[3]) << ") must equal head dim of key ("
                             << Dim(ks[3]) << ")";
  if (conflict(ks[1], vs[1]) || conflict(ks[2], vs[2]))
    return op->emitOpError()
           << "[" << label(4)
           << "] key and value must have the same heads and length, got "
           << k.getType() << " and " << v.getType();
  if (notMultiple(qs[1], ks[1]))
    return op->emitOpError() << "[" << label(5) << "] query heads ("
                             << Dim(qs[1])
                             << ") must be a multiple of key/value heads ("
                             << Dim(ks[1]) << ")";
  if (failed(verifyShape(op, label(6), "output", out,
                         {qs[0], qs[1], qs[2], vs[3]})))
    return failure();
  return verifySameElementType(
      op, label(7), {{"query", q}, {"key", k}, {"value", v}, {"output", out}});
}

//===----------------------------------------------------------------------===//
// Graph ops
//===----------------------------------------------------------------------===//

LogicalResult ScoresOp::verify() {
  Operation *op = getOperation();
  if (failed(verifyRank(op, "scores_c1", "query", getQuery(), 4)) ||
      failed(verifyRank(op, "scores_c1", "key", getKey(), 4)))
    return failure();
  ArrayRef<int64_t> qs = shapeOf(getQuery()), ks = shapeOf(getKey());
  if (conflict(qs[0], ks[0]))
    return emitOpError() << "[scores_c2] batch sizes of query (" << Dim(qs[0])
                         << ") and key (" << Dim(ks[0]) << ") must match";
  if (conflict(qs[3], ks[3]))
    return emitOpError() << "[scores_c3] head dim of query (" << Dim(qs[3])
                         << ") must equal head dim of key (" << Dim(ks[3])
                         << ")";
  if (notMultiple(qs[1], ks[1]))
    return emitOpError() << "[scores_c4] query heads (" << Dim(qs[1])
                         << ") must be a multiple of key heads (" << Dim(ks[1])
                         << ")";
  if (failed(verifyShape(op, "scores_c5", "result", getResult(),
                         {qs[0], qs[1], qs[2], ks[2]})))
    return failure();
  if (failed(verifySameElementType(op, "scores_c6",
                                   {{"query", getQuery()}, {"key", getKey()}})))
    return failure();
  Type resultType = getResult().getType().getElementType();
  if (resultType != getQuery().getType().getElementType() &&
      !resultType.isF32())
    return emitOpError() << "[scores_c6] result element type must be that of "
                            "the operands or f32, got "
                         << resultType;
  return verifyScale(op, "scores_c7", getScale());
}

LogicalResult MaskOp::verify() {
  if (failed(verifyRank(getOperation(), "mask_c1", "input", getInput(), 4)))
    return failure();
  return verifyMaskTables([&] { return emitOpError(); }, getMask(),
                          getTables().getTypes(), "mask_c2", "mask_c3",
                          shapeOf(getInput())[0]);
}

LogicalResult SoftmaxOp::verify() {
  return verifyRank(getOperation(), "softmax_c1", "input", getInput(), 4);
}

LogicalResult ApplyOp::verify() {
  Operation *op = getOperation();
  if (failed(verifyRank(op, "apply_c1", "probs", getProbs(), 4)) ||
      failed(verifyRank(op, "apply_c1", "value", getValue(), 4)))
    return failure();
  ArrayRef<int64_t> ps = shapeOf(getProbs()), vs = shapeOf(getValue());
  if (conflict(ps[0], vs[0]))
    return emitOpError() << "[apply_c2] batch sizes of probs (" << Dim(ps[0])
                         << ") and value (" << Dim(vs[0]) << ") must match";
  if (conflict(ps[3], vs[2]))
    return emitOpError() << "[apply_c3] key dimension of probs (" << Dim(ps[3])
                         << ") must equal the length of value (" << Dim(vs[2])
                         << ")";
  if (notMultiple(ps[1], vs[1]))
    return emitOpError() << "[apply_c4] query heads (" << Dim(ps[1])
                         << ") must be a multiple of value heads ("
                         << Dim(vs[1]) << ")";
  if (failed(verifyShape(op, "apply_c5", "result", getResult(),
                         {ps[0], ps[1], ps[2], vs[3]})))
    return failure();
  return verifySameElementType(op, "apply_c6",
                               {{"probs", getProbs()},
                                {"value", getValue()},
                                {"result", getResult()}});
}

/// Checks that `projection` is present exactly for FAVOR+, with rank 2 and a
/// first extent equal to the head dim `d`.
static LogicalResult verifyProjection(Operation *op, StringRef label,
                                      FeatureMapKind kind, Value projection,
                                      int64_t headDim) {
  bool wantsProjection = kind == FeatureMapKind::FavorPlus;
  if (wantsProjection && !projection)
    return op->emitOpError() << "[" << label
                             << "] favor_plus needs a projection operand [d, m]";
  if (!wantsProjection && projection)
    return op->emitOpError() << "[" << label << "] " << stringifyEnum(kind)
                             << " takes no projection operand";
  if (!projection)
    return success();
  ArrayRef<int64_t> ps = shapeOf(projection);
  if (ps.size() != 2 || conflict(ps[0], headDim))
    return op->emitOpError() << "[" << label << "] projection must be [d = "
                             << Dim(headDim) << ", m], got "
                             << projection.getType();
  return success();
}

LogicalResult FeatureMapOp::verify() {
  Operation *op = getOperation();
  if (failed(verifyRank(op, "feature_map_c1", "input", getInput(), 4)))
    return failure();
  ArrayRef<int64_t> xs = shapeOf(getInput());
  if (failed(verifyProjection(op, "feature_map_c2", getKind(), getProjection(),
                              xs[3])))
    return failure();
  int64_t features =
      getProjection() ? shapeOf(getProjection())[1] : xs[3];
  if (failed(verifyShape(op, "feature_map_c3", "result", getResult(),
                         {xs[0], xs[1], xs[2], features})))
    return failure();
  SmallVector<std::pair<StringRef, Value>> values = {{"input", getInput()},
                                                     {"result", getResult()}};
  if (getProjection())
    values.push_back({"projection", getProjection()});
  if (failed(verifySameElementType(op, "feature_map_c3", values)))
    return failure();
  if (!getShift())
    return success();
  if (getKind() != FeatureMapKind::FavorPlus)
    return emitOpError() << "[feature_map_c4] a shift only with favor_plus";
  return verifyShape(op, "feature_map_c4", "shift", getShift(),
                     {xs[0], xs[1], xs[2]});
}

LogicalResult FavorMaxOp::verify() {
  Operation *op = getOperation();
  if (failed(verifyRank(op, "favor_max_c1", "input", getInput(), 4)))
    return failure();
  ArrayRef<int64_t> xs = shapeOf(getInput());
  if (failed(verifyProjection(op, "favor_max_c1", FeatureMapKind::FavorPlus,
                              getProjection(), xs[3])))
    return failure();
  return verifyShape(op, "favor_max_c2", "result", getResult(),
                     {xs[0], xs[1], xs[2]});
}

LogicalResult NormalizeOp::verify() {
  if (failed(verifyRank(getOperation(), "normalize_c1", "input", getInput(), 4)))
    return failure();
  if (!(getEps().convertToDouble() >= 0.0))
    return emitOpError() << "[normalize_c2] eps must be >= 0, got "
                         << getEps().convertToDouble();
  return success();
}

//===----------------------------------------------------------------------===//
// Fused ops
//===----------------------------------------------------------------------===//

LogicalResult SdpaOp::verify() {
  Operation *op = getOperation();
  if (failed(verifyAttention(op, "sdpa", getQuery(), getKey(), getValue(),
                             getOutput())))
    return failure();
  if (Value lse = getLse()) {
    ArrayRef<int64_t> qs = shapeOf(getQuery());
    if (failed(verifyShape(op, "sdpa_c8", "lse", lse, {qs[0], qs[1], qs[2]})))
      return failure();
  }
  if (failed(verifyScale(op, "sdpa_c9", getScale())))
    return failure();
  if (std::optional<ArrayRef<int64_t>> split = getKvSplit())
    if (split->size() != 2 || (*split)[1] < 1 || (*split)[0] < 0 ||
        (*split)[0] >= (*split)[1])
      return emitOpError() << "[sdpa_c11] kv_split must be [s, P] with P >= 1 "
                              "and 0 <= s < P, got "
                           << getKvSplitAttr();
  return verifyMaskTables([&] { return emitOpError(); }, getMaskAttr(),
                          getTables().getTypes(), "sdpa_c10", "sdpa_c10",
                          shapeOf(getQuery())[0]);
}

LogicalResult MergeOp::verify() {
  Operation *op = getOperation();
  if (getOutputs().empty() || getOutputs().size() != getLses().size())
    return emitOpError() << "[merge_c1] needs at least one part and one LSE "
                            "per output, got "
                         << getOutputs().size() << " outputs and "
                         << getLses().size() << " LSEs";
  Value first = getOutputs().front();
  if (failed(verifyRank(op, "merge_c2", "output", first, 4)))
    return failure();
  ArrayRef<int64_t> os = shapeOf(first);
  Type elem = cast<RankedTensorType>(first.getType()).getElementType();
  for (Value part : getOutputs()) {
    if (failed(verifyShape(op, "merge_c2", "each output", part, os)))
      return failure();
    if (cast<RankedTensorType>(part.getType()).getElementType() != elem)
      return emitOpError() << "[merge_c2] the outputs must have one element "
                              "type, got "
                           << elem << " and " << part.getType();
  }
  for (Value lse : getLses())
    if (failed(verifyShape(op, "merge_c3", "each lse", lse,
                           {os[0], os[1], os[2]})))
      return failure();
  if (failed(verifyShape(op, "merge_c4", "the output", getOutput(), os)) ||
      failed(verifyShape(op, "merge_c4", "the lse", getLse(),
                         {os[0], os[1], os[2]})))
    return failure();
  if (cast<RankedTensorType>(getOutput().getType()).getElementType() != elem)
    return emitOpError() << "[merge_c4] the output must have the parts' "
                            "element type "
                         << elem;
  return success();
}

LogicalResult LinearOp::verify() {
  Operation *op = getOperation();
  if (failed(verifyAttention(op, "linear", getQuery(), getKey(), getValue(),
                             getOutput())))
    return failure();
  if (failed(verifyProjection(op, "linear_c8", getFeatureMap(),
                              getProjection(), shapeOf(getQuery())[3])))
    return failure();
  if (!(getEps().convertToDouble() >= 0.0))
    return emitOpError() << "[linear_c9] eps must be >= 0, got "
                         << getEps().convertToDouble();
  return success();
}

LogicalResult ProjectSequenceOp::verify() {
  Operation *op = getOperation();
  if (failed(verifyRank(op, "project_sequence_c1", "input", getInput(), 4)) ||
      failed(verifyRank(op, "project_sequence_c1", "projection",
                        getProjection(), 2)))
    return failure();
  ArrayRef<int64_t> xs = shapeOf(getInput()), es = shapeOf(getProjection());
  if (conflict(es[1], xs[2]))
    return emitOpError() << "[project_sequence_c2] the projection has "
                         << Dim(es[1]) << " columns but the input has N = "
                         << Dim(xs[2]);
  auto resultType = cast<RankedTensorType>(getResult().getType());
  ArrayRef<int64_t> rs = resultType.getShape();
  if (rs.size() != 4 || conflict(rs[0], xs[0]) || conflict(rs[1], xs[1]) ||
      conflict(rs[2], es[0]) || conflict(rs[3], xs[3]) ||
      resultType.getElementType() !=
          cast<RankedTensorType>(getInput().getType()).getElementType())
    return emitOpError() << "[project_sequence_c3] the result must be ["
                         << Dim(xs[0]) << ", " << Dim(xs[1]) << ", "
                         << Dim(es[0]) << ", " << Dim(xs[3])
                         << "] of the input's element type, got " << resultType;
  return success();
}

LogicalResult GatherPagesOp::verify() {
  Operation *op = getOperation();
  if (failed(verifyRank(op, "gather_pages_c1", "pages", getPages(), 4)) ||
      failed(verifyRank(op, "gather_pages_c1", "table", getTable(), 2)))
    return failure();
  ArrayRef<int64_t> ps = shapeOf(getPages()), ts = shapeOf(getTable());
  if (ShapedType::isDynamic(ps[2]) || ps[2] < 1)
    return emitOpError() << "[gather_pages_c2] the page size (dim 2 of "
                            "pages) must be static and >= 1, got "
                         << Dim(ps[2]);
  int64_t keys =
      ShapedType::isDynamic(ts[1]) ? ShapedType::kDynamic : ts[1] * ps[2];
  auto resultType = cast<RankedTensorType>(getResult().getType());
  ArrayRef<int64_t> rs = resultType.getShape();
  if (rs.size() != 4 || conflict(rs[0], ts[0]) || conflict(rs[1], ps[1]) ||
      conflict(rs[2], keys) || conflict(rs[3], ps[3]) ||
      resultType.getElementType() !=
          cast<RankedTensorType>(getPages().getType()).getElementType())
    return emitOpError() << "[gather_pages_c3] the result must be ["
                         << Dim(ts[0]) << ", " << Dim(ps[1]) << ", "
                         << Dim(keys) << ", " << Dim(ps[3])
                         << "] of the pages' element type, got " << resultType;
  return success();
}

//===----------------------------------------------------------------------===//
// Tiled ops
//===----------------------------------------------------------------------===//

LogicalResult OnlineSoftmaxOp::verify() {
  Operation *op = getOperation();
  if (failed(verifyRank(op, "online_softmax_c1", "scores", getScores(), 2)) ||
      failed(verifyRank(op, "online_softmax_c1", "value", getValue(), 2)) ||
      failed(verifyRank(op, "online_softmax_c1", "acc", getAcc(), 2)) ||
      failed(verifyRank(op, "online_softmax_c1", "max", getMax(), 1)) ||
      failed(verifyRank(op, "online_softmax_c1", "sum", getSum(), 1)))
    return failure();
  ArrayRef<int64_t> ss = shapeOf(getScores()), vs = shapeOf(getValue()),
                    as = shapeOf(getAcc());
  int64_t tq = ss[0];
  if (conflict(tq, as[0]) || conflict(tq, shapeOf(getMax())[0]) ||
      conflict(tq, shapeOf(getSum())[0]))
    return emitOpError() << "[online_softmax_c3] scores, acc, max and sum "
                            "must have the same number of rows";
  if (conflict(ss[1], vs[0]))
    return emitOpError() << "[online_softmax_c3] scores have " << Dim(ss[1])
                         << " columns but value has " << Dim(vs[0]) << " rows";
  if (conflict(vs[1], as[1]))
    return emitOpError() << "[online_softmax_c3] value has " << Dim(vs[1])
                         << " columns but acc has " << Dim(as[1]);
  return success();
}

/// Reports `what` under `label` when two known extents of one tile
/// dimension differ.
static LogicalResult verifyExtent(Operation *op, StringRef label,
                                  StringRef what, int64_t a, int64_t b) {
  if (!conflict(a, b))
    return success();
  return op->emitOpError() << "[" << label << "] " << what << ": " << Dim(a)
                           << " vs " << Dim(b);
}

LogicalResult LinearUpdateOp::verify() {
  Operation *op = getOperation();
  StringRef c1 = "linear_update_c1", c3 = "linear_update_c3";
  if (failed(verifyRank(op, c1, "phi_key", getPhiKey(), 2)) ||
      failed(verifyRank(op, c1, "value", getValue(), 2)) ||
      failed(verifyRank(op, c1, "state", getState(), 2)) ||
      failed(verifyRank(op, c1, "norm", getNorm(), 1)))
    return failure();
  ArrayRef<int64_t> ks = shapeOf(getPhiKey()), vs = shapeOf(getValue()),
                    ss = shapeOf(getState());
  if (failed(verifyExtent(op, c3, "rows of phi_key and value", ks[0], vs[0])) ||
      failed(verifyExtent(op, c3, "features of phi_key and state", ks[1],
                          ss[0])) ||
      failed(verifyExtent(op, c3, "features of phi_key and norm", ks[1],
                          shapeOf(getNorm())[0])) ||
      failed(verifyExtent(op, c3, "columns of value and state", vs[1], ss[1])))
    return failure();
  return success();
}

LogicalResult LinearChunkOp::verify() {
  Operation *op = getOperation();
  StringRef c1 = "linear_chunk_c1", c4 = "linear_chunk_c4";
  if (failed(verifyRank(op, c1, "phi_query", getPhiQuery(), 2)) ||
      failed(verifyRank(op, c1, "state", getState(), 2)) ||
      failed(verifyRank(op, c1, "norm", getNorm(), 1)))
    return failure();
  if (static_cast<bool>(getPhiKey()) != static_cast<bool>(getValue()))
    return emitOpError() << "[linear_chunk_c3] phi_key and value come together";
  if (getDiagonal() && !getPhiKey())
    return emitOpError() << "[linear_chunk_c3] a diagonal needs keys";
  ArrayRef<int64_t> qs = shapeOf(getPhiQuery()), ss = shapeOf(getState());
  if (failed(verifyExtent(op, c4, "features of phi_query and state", qs[1],
                          ss[0])) ||
      failed(verifyExtent(op, c4, "features of phi_query and norm", qs[1],
                          shapeOf(getNorm())[0])))
    return failure();
  if (getPhiKey()) {
    if (failed(verifyRank(op, c1, "phi_key", getPhiKey(), 2)) ||
        failed(verifyRank(op, c1, "value", getValue(), 2)))
      return failure();
    ArrayRef<int64_t> ks = shapeOf(getPhiKey()), vs = shapeOf(getValue());
    if (failed(verifyExtent(op, c4, "features of phi_query and phi_key", qs[1],
                            ks[1])) ||
        failed(verifyExtent(op, c4, "rows of phi_key and value", ks[0],
                            vs[0])) ||
        failed(verifyExtent(op, c4, "columns of value and state", vs[1],
                            ss[1])))
      return failure();
  }
  ArrayRef<int64_t> os = shapeOf(getOutput());
  if (os.size() != 2 || conflict(os[0], qs[0]) || conflict(os[1], ss[1]))
    return emitOpError() << "[linear_chunk_c5] the result must be [" << Dim(qs[0])
                         << ", " << Dim(ss[1]) << "], got " << getOutput().getType();
  if (!(getEps().convertToDouble() >= 0.0))
    return emitOpError() << "[linear_chunk_c6] eps must be >= 0, got "
                         << getEps().convertToDouble();
  return success();
}

#define GET_OP_CLASSES
#include "attn/Dialect/Attn/IR/AttnOps.cpp.inc"
