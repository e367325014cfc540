//===- Wgmma.cpp - sm_90a's warpgroup MMA atom ----------------------------===//

#include "Wgmma.h"

#include "llvm/Support/FormatVariadic.h"

using namespace mlir;
using namespace mlir::attn::gpu_kernel;

/// The descriptor's bit fields (PTX ISA, "Matrix Descriptor Format"): start
/// address >> 4 in bits 0–13, leading byte offset >> 4 in 16–29, stride
/// byte offset >> 4 in 32–45, the swizzle mode in 62–63 (1: 128 bytes).
Value WgmmaAtom::descriptor(Value address, int64_t leadingBytes,
                            int64_t strideBytes) {
  OpBuilder &b = kb.b;
  Location loc = kb.loc;
  auto constant = [&](int64_t v) {
    return arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(v));
  };
  Value start = arith::ShRUIOp::create(
      b, loc, arith::AndIOp::create(b, loc, address, constant(0x3FFFF)),
      constant(4));
  int64_t fields = ((leadingBytes >> 4) & 0x3FFF) << 16 |
                   ((strideBytes >> 4) & 0x3FFF) << 32 | int64_t(1) << 62;
  return arith::OrIOp::create(b, loc, start, constant(fields));
}

Value WgmmaAtom::advance(Value desc, int64_t bytes) {
  if (bytes == 0)
    return desc;
  return arith::AddIOp::create(
      kb.b, kb.loc, desc,
      arith::ConstantOp::create(kb.b, kb.loc, kb.b.getI64IntegerAttr(bytes >> 4)));
}

/// The literal struct of `n` f32 values, how LLVM holds an accumulator.
static Type accumulatorType(MLIRContext *ctx, int64_t n) {
  return LLVM::LLVMStructType::getLiteral(
      ctx, SmallVector<Type>(n, Float32Type::get(ctx)));
}

static Value packStruct(KernelBuilder &kb, ArrayRef<Value> values) {
  Type type = accumulatorType(kb.b.getContext(), values.size());
  Value s = LLVM::PoisonOp::create(kb.b, kb.loc, type);
  for (auto [i, v] : llvm::enumerate(values))
    s = LLVM::InsertValueOp::create(kb.b, kb.loc, s, v, i);
  return s;
}

static void unpackStruct(KernelBuilder &kb, Value s,
                         MutableArrayRef<Value> values) {
  for (int64_t i = 0, e = values.size(); i < e; ++i)
    values[i] = LLVM::ExtractValueOp::create(kb.b, kb.loc, s, i);
}

void WgmmaAtom::mmaShared(Value descA, Value descB, int64_t n, bool accumulate,
                          MutableArrayRef<Value> acc) {
  MLIRContext *ctx = kb.b.getContext();
  auto elem = kb.spec.elem.isBF16() ? NVVM::WGMMATypes::bf16
                                    : NVVM::WGMMATypes::f16;
  Value in = packStruct(kb, acc);
  Value out = NVVM::WgmmaMmaAsyncOp::create(
      kb.b, kb.loc, in.getType(), in, descA, descB,
      NVVM::MMAShapeAttr::get(ctx, 64, n, 16),
      NVVM::WGMMATypesAttr::get(ctx, elem),
      NVVM::WGMMATypesAttr::get(ctx, elem),
      NVVM::WGMMATypesAttr::get(ctx, NVVM::WGMMATypes::f32),
      NVVM::WGMMAScaleOutAttr::get(ctx, accumulate ? NVVM::WGMMAScaleOut::one
                                                   : NVVM::WGMMAScaleOut::zero),
      NVVM::WGMMAScaleInAttr::get(ctx, NVVM::WGMMAScaleIn::one),
      NVVM::WGMMAScaleInAttr::get(ctx, NVVM::WGMMAScaleIn::one),
      NVVM::MMALayoutAttr::get(ctx, NVVM::MMALayout::row),
      NVVM::MMALayoutAttr::get(ctx, NVVM::MMALayout::col),
      NVVM::MMAIntOverflowAttr());
  unpackStruct(kb, out, acc);
}

void WgmmaAtom::mmaRegisterA(ArrayRef<Value> a, Value descB, int64_t n,
                             bool transposeB, MutableArrayRef<Value> acc) {
  // wgmma.mma_async.sync.aligned.m64nNk16.f32.<t>.<t> d, a, b-desc,
  //   scale-d, imm-scale-a, imm-scale-b, imm-trans-b
  // with d tied in and out ($0.. the outputs, then their tied inputs).
  const int64_t regs = n / 2;
  std::string d, constraints;
  for (int64_t i = 0; i < regs; ++i) {
    d += (i ? ", $" : "$") + std::to_string(i);
    constraints += "=f,";
  }
  for (int64_t i = 0; i < regs; ++i)
    constraints += std::to_string(i) + ",";
  constraints += "r,r,r,r,l";
  int64_t aBase = 2 * regs;
  std::string type = kb.spec.elem.isBF16() ? "bf16" : "f16";
  std::string text = llvm::formatv(
      "{{ .reg .pred p; setp.ne.b32 p, 1, 0; "
      "wgmma.mma_async.sync.aligned.m64n{0}k16.f32.{1}.{1} {{{2}}, "
      "{{${3}, ${4}, ${5}, ${6}}, ${7}, p, 1, 1, {8}; }",
      n, type, d, aBase, aBase + 1, aBase + 2, aBase + 3, aBase + 4,
      transposeB ? 1 : 0);
  SmallVector<Value> operands(acc.begin(), acc.end());
  operands.append(a.begin(), a.end());
  operands.push_back(descB);
  Type result = accumulatorType(kb.b.getContext(), regs);
  Value out =
      LLVM::InlineAsmOp::create(
          kb.b, kb.loc, result, operands, text, constraints,
          /*has_side_effects=*/true, /*is_align_stack=*/false,
          LLVM::tailcallkind::TailCallKind::None, LLVM::AsmDialectAttr(),
          ArrayAttr())
          .getResult(0);
  unpackStruct(kb, out, acc);
}

void WgmmaAtom::fence() { NVVM::WgmmaFenceAlignedOp::create(kb.b, kb.loc); }

void WgmmaAtom::commit() {
  NVVM::WgmmaGroupSyncAlignedOp::create(kb.b, kb.loc);
}

void WgmmaAtom::wait(int64_t pending) {
  NVVM::WgmmaWaitGroupSyncOp::create(kb.b, kb.loc,
                                     kb.b.getI64IntegerAttr(pending));
}

void WgmmaAtom::pinRegisters(MutableArrayRef<Value> values) {
  // One statement per 32 values keeps the constraint strings short.
  for (int64_t begin = 0, e = values.size(); begin < e; begin += 32) {
    MutableArrayRef<Value> part =
        values.slice(begin, std::min<int64_t>(32, e - begin));
    SmallVector<Type> types;
    std::string constraints;
    for (auto [i, v] : llvm::enumerate(part)) {
      types.push_back(v.getType());
      constraints += std::string(i ? "," : "") +
                     (v.getType().isF32() ? "=f" : "=r");
    }
    for (int64_t i = 0, n = part.size(); i < n; ++i)
      constraints += "," + std::to_string(i);
    Type result = part.size() == 1
                      ? types.front()
                      : LLVM::LLVMStructType::getLiteral(kb.b.getContext(),
                                                         types);
    Value out = LLVM::InlineAsmOp::create(
                    kb.b, kb.loc, result, SmallVector<Value>(part), "",
                    constraints, /*has_side_effects=*/true,
                    /*is_align_stack=*/false,
                    LLVM::tailcallkind::TailCallKind::None,
                    LLVM::AsmDialectAttr(), ArrayAttr())
                    .getResult(0);
    if (part.size() == 1) {
      part[0] = out;
      continue;
    }
    for (int64_t i = 0, n = part.size(); i < n; ++i)
      part[i] = LLVM::ExtractValueOp::create(kb.b, kb.loc, out, i);
  }
}

Value WgmmaAtom::packOperand(Value x, Value y) {
  return LLVM::BitcastOp::create(kb.b, kb.loc, kb.b.getI32Type(),
                                 kb.pack(x, y));
}
