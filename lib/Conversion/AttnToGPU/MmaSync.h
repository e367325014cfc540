//===- MmaSync.h - sm_80's mma.sync m16n8k16 atom ---------------*- C++ -*-===//
//
// The tensor-core atom of the sm_80 kernels: m16n8k16 mma.sync with f32
// accumulators (nvvm.mma.sync), its A and B fragments loaded from shared
// memory by ldmatrix (nvgpu.ldmatrix), and the operand registers they take.
// Fragment layout (PTX ISA, "Matrix Fragments for mma.m16n8k16"): a thread
// holds rows lane/4 and lane/4 + 8 of a tile, columns 2·(lane%4) and the
// next. sm_90a's wgmma atom will stand beside it.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_LIB_CONVERSION_ATTNTOGPU_MMASYNC_H
#define ATTN_LIB_CONVERSION_ATTNTOGPU_MMASYNC_H

#include "KernelBuilder.h"

namespace mlir::attn::gpu_kernel {

struct MmaSyncAtom {
  KernelBuilder &kb;

  /// A 2-element register of the mma operand type: vector<2xf16> for f16,
  /// the i32 bit pattern for bf16 (what nvvm.mma.sync takes).
  Value operand(Value pair) {
    if (kb.spec.elem.isF16())
      return pair;
    return LLVM::BitcastOp::create(kb.b, kb.loc, kb.b.getI32Type(), pair);
  }
  /// ldmatrix of `tiles` 8×8 matrices of `smem` at [prefix..., row, col];
  /// one operand register per matrix.
  SmallVector<Value> ldmatrix(Value smem, ValueRange at, int64_t tiles,
                              bool transpose) {
    auto type = VectorType::get({tiles, 2}, kb.spec.elem);
    Value m = nvgpu::LdMatrixOp::create(kb.b, kb.loc, type, smem, at,
                                        kb.b.getBoolAttr(transpose),
                                        kb.b.getI32IntegerAttr(tiles));
    SmallVector<Value> regs;
    for (int64_t i = 0; i < tiles; ++i)
      regs.push_back(operand(vector::ExtractOp::create(kb.b, kb.loc, m, i)));
    return regs;
  }
  /// c += a·b on one m16n8k16 tile: a 4, b 2 and c 4 registers.
  void mma(ArrayRef<Value> a, ArrayRef<Value> bFrag, MutableArrayRef<Value> c) {
    Type f32Type = kb.f32();
    auto result = LLVM::LLVMStructType::getLiteral(
        kb.b.getContext(), {f32Type, f32Type, f32Type, f32Type});
    std::optional<std::array<NVVM::MMATypes, 2>> types;
    if (kb.spec.elem.isBF16())
      types = {{NVVM::MMATypes::bf16, NVVM::MMATypes::bf16}};
    Value d = NVVM::MmaOp::create(
        kb.b, kb.loc, result, a, bFrag, c, ArrayRef<int64_t>{16, 8, 16},
        std::nullopt, std::nullopt, types,
        std::array<NVVM::MMALayout, 2>{NVVM::MMALayout::row,
                                       NVVM::MMALayout::col});
    for (int64_t i = 0; i < 4; ++i)
      c[i] = LLVM::ExtractValueOp::create(kb.b, kb.loc, d, i);
  }
};

} // namespace mlir::attn::gpu_kernel

#endif // ATTN_LIB_CONVERSION_ATTNTOGPU_MMASYNC_H
