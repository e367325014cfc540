//===- SdpaKernel.h - what the CPU attn.sdpa kernels share ------*- C++ -*-===//
//
// The two bodies of convert-attn-to-cpu's attn.sdpa kernel — the flash
// kernel (rows in lanes, AttnToCPU.cpp) and the decode kernel (the head dim
// in lanes, DecodeKernel.cpp) — take one signature, (q, k, v, o[, lse],
// tables..., begin, end), and one task space, B · H_q · ⌈N_q / R⌉. This is that
// part, written once.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_LIB_CONVERSION_ATTNTOCPU_SDPAKERNEL_H
#define ATTN_LIB_CONVERSION_ATTNTOCPU_SDPAKERNEL_H

#include "KernelBuilder.h"

#include "attn/Dialect/Attn/IR/AttnAttrs.h"
#include "attn/Dialect/Attn/Utils/MaskUtils.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

namespace mlir::attn::cpu_kernel {

/// What a CPU sdpa kernel computes, read off the attn.sdpa it replaces.
struct KernelSpec {
  int64_t headDim, valueDim;
  double scale;
  MaskAttrInterface mask;
  MaskBand band;
  bool hasLse;
  ScoreModAttrInterface scoreMod;
  int64_t numTables = 0; // the mask's run-time tables
  bool packGqa = false;  // rows packed by KV head (kPackGqaAttrName)
};

/// One task: batch, query head (and its KV head), and rows [qs, qs + rows)
/// (rows ≤ R: the last block of a head may hold fewer). Packed by KV head,
/// h is the group's first query head and rows count packed rows.
struct TaskIndex {
  Value batch, h, hk, qs, rows;
};

/// Where row r of a task reads Q and writes O: query head and row.
struct RowSite {
  Value head, query;
};

/// The base of both sdpa emitters: the builder at the start of a function
/// that already has the kernel signature, its arguments, the sizes read off
/// them and the task map for `rowsPerTaskCount` (R) rows per task.
struct SdpaEmitterBase {
  SdpaEmitterBase(func::FuncOp func, const KernelSpec &spec,
                  int64_t rowsPerTaskCount)
      : b(OpBuilder::atBlockBegin(&func.getBody().front())),
        loc(func.getLoc()), kb{b, loc}, spec(spec),
        rowsPerTaskCount(rowsPerTaskCount) {
    Block &entry = func.getBody().front();
    q = entry.getArgument(0);
    k = entry.getArgument(1);
    v = entry.getArgument(2);
    o = entry.getArgument(3);
    lse = spec.hasLse ? entry.getArgument(4) : Value();
    for (int64_t i = 0; i < spec.numTables; ++i)
      tables.push_back(entry.getArgument((spec.hasLse ? 5 : 4) + i));
    begin = entry.getArgument(entry.getNumArguments() - 2);
    end = entry.getArgument(entry.getNumArguments() - 1);
    c0 = kb.idx(0);
    c1 = kb.idx(1);
    numQ = kb.dim(q, 2);
    headsQ = kb.dim(q, 1);
    headsKV = kb.dim(k, 1);
    numK = kb.dim(k, 2);
    group = arith::DivUIOp::create(b, loc, headsQ, headsKV);
    shift = kb.sub(numK, numQ);
    rowsPerTask = kb.idx(rowsPerTaskCount);
    numRows = spec.packGqa ? kb.mul(group, numQ) : numQ;
    numQBlocks = arith::CeilDivUIOp::create(b, loc, numRows, rowsPerTask);
  }

  /// Where task `task` sits: tasks walk (batch, head, block of rows), heads
  /// being KV heads when packed.
  TaskIndex taskIndex(Value task) {
    TaskIndex t;
    Value heads = spec.packGqa ? headsKV : headsQ;
    Value qb = arith::RemUIOp::create(b, loc, task, numQBlocks);
    Value bh = arith::DivUIOp::create(b, loc, task, numQBlocks);
    Value head = arith::RemUIOp::create(b, loc, bh, heads);
    t.batch = arith::DivUIOp::create(b, loc, bh, heads);
    t.h = spec.packGqa ? kb.mul(head, group) : head;
    t.hk = spec.packGqa ? head : arith::DivUIOp::create(b, loc, t.h, group);
    t.qs = kb.mul(qb, rowsPerTask);
    t.rows = kb.min(rowsPerTask, kb.sub(numRows, t.qs));
    return t;
  }

  /// Row `row` of the rows whose first head is `h`, as (head, query):
  /// `row` an index or lanes of them, `like` broadcasting an index to its
  /// shape. Rows past the last repeat that one where `clamp` says so, and
  /// always when packed (so that every row names a head there is): packed
  /// row r is query r mod N_q of head h + r div N_q.
  RowSite siteOfRow(Value h, Value row, bool clamp,
                    function_ref<Value(Value)> like) {
    if (clamp || spec.packGqa)
      row = kb.min(row, like(kb.sub(numRows, c1)));
    if (!spec.packGqa)
      return {h, row};
    return {kb.add(h, arith::DivUIOp::create(b, loc, row, like(numQ))),
            arith::RemUIOp::create(b, loc, row, like(numQ))};
  }
  /// Row r (an index value) of task t.
  RowSite rowSite(const TaskIndex &t, Value r, bool clamp = false) {
    return siteOfRow(t.h, kb.add(t.qs, r), clamp, [](Value x) { return x; });
  }
  RowSite rowSite(const TaskIndex &t, int64_t r, bool clamp = false) {
    return rowSite(t, kb.idx(r), clamp);
  }

  /// The query rows [first, first + count) whose keys bound the key loop of
  /// a task's rows [qs, qs + rows): those rows, or, packed, the queries they
  /// hold (all N_q of them when they wrap from one head to the next).
  std::pair<Value, Value> queryRowsOf(Value qs, Value rows) {
    if (!spec.packGqa)
      return {qs, rows};
    Value first = arith::RemUIOp::create(b, loc, qs, numQ);
    Value wraps = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt,
                                        kb.add(first, rows), numQ);
    return {arith::SelectOp::create(b, loc, wraps, c0, first),
            arith::SelectOp::create(b, loc, wraps, numQ, rows)};
  }
  std::pair<Value, Value> queryRowsOf(const TaskIndex &t) {
    return queryRowsOf(t.qs, t.rows);
  }

  /// Positions [posLo, posHi) cut to the rows < N_q the tables describe
  /// (at least the last row: a block past them is never run).
  std::pair<Value, Value> insideTables(Value posLo, Value posHi) {
    posHi = kb.min(posHi, kb.add(numQ, shift));
    return {kb.min(posLo, kb.sub(posHi, c1)), posHi};
  }

  /// The mask's class of the block of positions [posLo, posHi) × keys
  /// [keyLo, keyHi) of task `t` (keyHi ≤ N_kv): (empty, full), i1 values.
  /// Tables are read only at rows < N_q (a block past them, of a group
  /// without rows, is never run).
  std::pair<Value, Value> blockClass(const TaskIndex &t, Value posLo,
                                     Value posHi, Value keyLo, Value keyHi) {
    if (!tables.empty())
      std::tie(posLo, posHi) = insideTables(posLo, posHi);
    ArrayRef<Value> remaining = tables;
    return spec.mask.buildBlockClass(
        b, loc, {posLo, posHi, keyLo, keyHi, shift, t.batch, t.h}, remaining);
  }

  /// The key range of task `t`'s queries [first, first + count): the
  /// mask's band (buildKeyRange), narrowed to the keys its run-time tables
  /// leave those rows (a document mask: their documents' keys).
  KeyRange keyRange(const TaskIndex &t, Value first, Value count) {
    KeyRange range =
        buildKeyRange(b, loc, spec.mask, first, count, shift, numK);
    if (tables.empty())
      return range;
    Value posLo = kb.add(first, shift);
    Value posHi;
    std::tie(posLo, posHi) = insideTables(posLo, kb.add(posLo, count));
    ArrayRef<Value> remaining = tables;
    auto [lo, hi] = spec.mask.buildKeyBounds(
        b, loc, {posLo, posHi, Value(), Value(), shift, t.batch, t.h},
        remaining);
    if (!lo)
      return range;
    range.lo = arith::MaxSIOp::create(b, loc, range.lo, lo);
    range.hi = arith::MaxSIOp::create(b, loc, kb.min(range.hi, hi), range.lo);
    return range;
  }

  /// The mask's predicate at `point` (index scalars or lanes of them). With
  /// tables, rows and keys past the ends (whose scores are dropped anyway)
  /// ask about the last row and key, inside the tables.
  Value allowed(MaskPoint point) {
    if (!tables.empty()) {
      auto clamp = [&](Value x, Value size) -> Value {
        Value last = kb.sub(size, c1);
        if (auto vec = dyn_cast<VectorType>(x.getType()))
          last = vector::BroadcastOp::create(b, loc, vec, last);
        return arith::MinUIOp::create(b, loc, x, last);
      };
      point.query = clamp(point.query, numQ);
      point.key = clamp(point.key, numK);
    }
    ArrayRef<Value> remaining = tables;
    return spec.mask.buildAllowed(b, loc, point, remaining);
  }

  /// The loop over tasks [begin, end), each `body`, then the return.
  void emitTaskLoop(function_ref<void(Value)> body) {
    kb.loop(begin, end, c1, body);
    func::ReturnOp::create(b, loc);
  }

  OpBuilder b;
  Location loc;
  KernelBuilder kb;
  const KernelSpec &spec;
  const int64_t rowsPerTaskCount;
  // Arguments: the mask's tables are [B, H_q, rows, cols] i32 memrefs.
  Value q, k, v, o, lse, begin, end;
  SmallVector<Value> tables;
  // Sizes and constants, built once before the task loop.
  // numRows: N_q, or H_q / H_kv · N_q packed.
  Value c0, c1, numQ, headsQ, headsKV, numK, group, shift, rowsPerTask, numRows,
      numQBlocks;
};

} // namespace mlir::attn::cpu_kernel

#endif // ATTN_LIB_CONVERSION_ATTNTOCPU_SDPAKERNEL_H
