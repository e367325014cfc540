//===- KernelBuilder.h - builders of the GPU flash kernel -------*- C++ -*-===//
//
// What convert-attn-to-gpu's kernel parts share: the kernel's spec, scalar
// and warp-level builders (mma.sync m16n8k16 and ldmatrix fragments), and a
// thread's place in its warp. Private to lib/Conversion/AttnToGPU.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_LIB_CONVERSION_ATTNTOGPU_KERNELBUILDER_H
#define ATTN_LIB_CONVERSION_ATTNTOGPU_KERNELBUILDER_H

#include "attn/Dialect/Attn/IR/AttnOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

namespace mlir::attn::gpu_kernel {

/// What the kernel computes, read off the attn.sdpa it replaces.
struct KernelSpec {
  int64_t d, dv;
  double scale;
  MaskAttrInterface mask;
  bool hasLse;
  Type elem; // bf16 or f16
};

/// The memref a kernel takes for a [B, H, N, d] tensor (rank 4: contiguous
/// head dim) or the [B, H, N] LSE (rank 3): dynamic sizes, strides, offset.
inline MemRefType getKernelMemRefType(MLIRContext *ctx, int64_t rank,
                                      Type elem) {
  SmallVector<int64_t> shape(rank, ShapedType::kDynamic);
  SmallVector<int64_t> strides(rank, ShapedType::kDynamic);
  if (rank == 4)
    strides.back() = 1;
  return MemRefType::get(
      shape, elem, StridedLayoutAttr::get(ctx, ShapedType::kDynamic, strides));
}

/// The type of the module's dynamic shared memory array `elem`[0].
inline MemRefType getDynamicSharedMemoryType(MLIRContext *ctx, Type elem) {
  return MemRefType::get(
      {0}, elem, nullptr,
      gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Workgroup));
}

/// Declares `name`, the module's dynamic shared memory as `elem`[0] aligned
/// to `alignment`, unless it is there: an external, public array, so that
/// LLVM neither drops nor shrinks it (every extern shared array of PTX
/// starts at the dynamic shared memory).
inline void declareDynamicSharedMemory(gpu::GPUModuleOp module,
                                       StringRef name, Type elem,
                                       int64_t alignment) {
  if (module.lookupSymbol(name))
    return;
  OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
  memref::GlobalOp::create(
      b, module.getLoc(), name, b.getStringAttr("public"),
      getDynamicSharedMemoryType(module.getContext(), elem), Attribute(),
      /*constant=*/false, b.getI64IntegerAttr(alignment));
}

/// The row-major `shape` view at element `offset` of `base`, the dynamic
/// shared memory array of getDynamicSharedMemoryType.
inline Value sharedView(OpBuilder &b, Location loc, Value base, int64_t offset,
                        ArrayRef<int64_t> shape) {
  auto baseType = cast<MemRefType>(base.getType());
  SmallVector<int64_t> strides(shape.size(), 1);
  for (int64_t i = shape.size() - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  auto type =
      MemRefType::get(shape, baseType.getElementType(),
                      StridedLayoutAttr::get(b.getContext(), offset, strides),
                      baseType.getMemorySpace());
  SmallVector<OpFoldResult> sizes, strideFolds;
  for (auto [size, stride] : llvm::zip(shape, strides)) {
    sizes.push_back(b.getIndexAttr(size));
    strideFolds.push_back(b.getIndexAttr(stride));
  }
  return memref::ReinterpretCastOp::create(
      b, loc, type, base, b.getIndexAttr(offset), sizes, strideFolds);
}

/// Builders for the kernel body: scalar arithmetic, warp-level fragments.
struct KernelBuilder {
  OpBuilder &b;
  Location loc;
  const KernelSpec &spec;

  Type f32() { return b.getF32Type(); }
  Value idx(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value f32(double v) {
    return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v));
  }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value sub(Value x, Value y) { return arith::SubIOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return arith::MulIOp::create(b, loc, x, y); }
  Value div(Value x, int64_t c) {
    return arith::DivUIOp::create(b, loc, x, idx(c));
  }
  Value rem(Value x, int64_t c) {
    return arith::RemUIOp::create(b, loc, x, idx(c));
  }
  Value min(Value x, Value y) { return arith::MinSIOp::create(b, loc, x, y); }
  Value lt(Value x, Value y) {
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, x, y);
  }
  Value fadd(Value x, Value y) { return arith::AddFOp::create(b, loc, x, y); }
  Value fmul(Value x, Value y) { return arith::MulFOp::create(b, loc, x, y); }
  /// x·y + z in one fma.rn (llvm.intr.fma: the NVPTX backend contracts no
  /// separate multiply and add, and math.fma would be a libdevice call).
  Value fma(Value x, Value y, Value z) {
    return LLVM::FMAOp::create(b, loc, x, y, z);
  }
  Value fmax(Value x, Value y) {
    return arith::MaxNumFOp::create(b, loc, x, y);
  }
  Value select(Value c, Value x, Value y) {
    return arith::SelectOp::create(b, loc, c, x, y);
  }
  Value intrinsic(StringRef name, Value x) {
    return LLVM::CallIntrinsicOp::create(b, loc, f32(), b.getStringAttr(name),
                                         ValueRange{x})
        .getResult(0);
  }
  /// 2^x with the hardware approximation (ex2.approx: 2 ulp, 2^−∞ = +0).
  Value exp2(Value x) { return intrinsic("llvm.nvvm.ex2.approx.ftz.f", x); }
  Value log2(Value x) { return intrinsic("llvm.nvvm.lg2.approx.ftz.f", x); }
  /// x combined with the values of the lanes 1 and 2 apart (a quad: the four
  /// threads holding one row of an mma fragment).
  Value quadReduce(Value x, function_ref<Value(Value, Value)> combine) {
    for (int32_t offset : {1, 2}) {
      Value other =
          gpu::ShuffleOp::create(b, loc, x, offset, 32, gpu::ShuffleMode::XOR)
              .getShuffleResult();
      x = combine(x, other);
    }
    return x;
  }

  /// Two f32 values as one packed bf16/f16 operand register.
  Value pack(Value x, Value y) {
    Value pair = vector::FromElementsOp::create(
        b, loc, VectorType::get({2}, f32()), ValueRange{x, y});
    return arith::TruncFOp::create(b, loc, VectorType::get({2}, spec.elem),
                                   pair);
  }

  /// `x` through an empty inline-asm move that LLVM must keep in place.
  Value opaque(Value x) {
    Value wide = arith::IndexCastOp::create(b, loc, b.getI64Type(), x);
    Value moved =
        LLVM::InlineAsmOp::create(
            b, loc, b.getI64Type(), ValueRange{wide}, "mov.b64 $0, $1;", "=l,l",
            /*has_side_effects=*/true, /*is_align_stack=*/false,
            LLVM::tailcallkind::TailCallKind::None, LLVM::AsmDialectAttr(),
            ArrayAttr())
            .getResult(0);
    return arith::IndexCastOp::create(b, loc, b.getIndexType(), moved);
  }

  void ifThen(Value cond, function_ref<void()> body) {
    scf::IfOp::create(b, loc, cond, [&](OpBuilder &, Location) {
      body();
      scf::YieldOp::create(b, loc);
    });
  }
};

/// The thread's coordinates inside its warp and the mma fragment layout.
struct Lane {
  Value warp, g, t; // warp index; fragment row (lane / 4), column pair
  // ldmatrix.x4: lanes 8m..8m+7 address the rows of matrix m; this lane
  // addresses row r8 of matrix 2·m1 + m0.
  Value r8, m0, m1; // lane % 8, (lane / 8) % 2, lane / 16
};

} // namespace mlir::attn::gpu_kernel

#endif // ATTN_LIB_CONVERSION_ATTNTOGPU_KERNELBUILDER_H
