//===- Wgmma.h - sm_90a's warpgroup MMA atom ---------------------*- C++ -*-===//
//
// The tensor-core atom of the sm_90a kernels: wgmma.mma_async m64nNk16 with
// f32 accumulators, issued by a warpgroup (4 warps, 128 threads). B always
// comes from shared memory through a matrix descriptor; A from shared memory
// (nvvm.wgmma.mma_async) or from registers. The register-A form has no
// upstream op (llvm-project issue #133733): it is emitted as inline PTX here,
// the one such instruction of the sm_90a kernels (`pinRegisters` adds empty
// inline-asm statements, no instruction).
//
// Accumulator layout (PTX ISA, "Register Fragments for wgmma .m64nNk16"):
// warp w of the warpgroup holds rows 16w..16w+15; a thread holds rows
// lane/4 and lane/4 + 8, columns 2·(lane%4) and the next of each 8-column
// block, as 4·(N/8) f32 ordered [block][row half][column] — mma.sync's
// m16n8 layout, N/8 times over. The register A operand of k16 is mma.sync's
// m16n8k16 A fragment (4 registers of two bf16/f16).
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_LIB_CONVERSION_ATTNTOGPU_WGMMA_H
#define ATTN_LIB_CONVERSION_ATTNTOGPU_WGMMA_H

#include "KernelBuilder.h"

namespace mlir::attn::gpu_kernel {

/// Bytes of one row of a 128-byte-swizzled shared-memory tile: 64 bf16/f16
/// columns. Tiles with more columns are stored as column chunks of this
/// width, each `rows · kSwizzleBytes` bytes.
constexpr int64_t kSwizzleBytes = 128;
constexpr int64_t kSwizzleCols = 64;

struct WgmmaAtom {
  KernelBuilder &kb;

  /// The matrix descriptor of a 128-byte-swizzled tile at shared address
  /// `address` (i64, 1024-byte aligned rows groups): `leadingBytes` and
  /// `strideBytes` are the descriptor's leading and stride byte offsets.
  Value descriptor(Value address, int64_t leadingBytes, int64_t strideBytes);
  /// `desc` moved by `bytes` (a multiple of 16) in shared memory.
  Value advance(Value desc, int64_t bytes);

  /// acc = A·B (+ acc unless `accumulate` is false), A an m64 × k16 tile
  /// and B a k16 × n tile, both K-major in shared memory. `acc` holds n/2
  /// values.
  void mmaShared(Value descA, Value descB, int64_t n, bool accumulate,
                 MutableArrayRef<Value> acc);
  /// acc += A·B with A in registers (4 packed operand registers) and B a
  /// k16 × n tile in shared memory, N-major (transposed) when
  /// `transposeB`. Inline PTX.
  void mmaRegisterA(ArrayRef<Value> a, Value descB, int64_t n, bool transposeB,
                    MutableArrayRef<Value> acc);

  void fence();
  void commit();
  void wait(int64_t pending);

  /// Routes `values` through an empty inline-asm statement with side effects
  /// so that LLVM computes them before this point and does not move their
  /// definitions past the next wgmma.fence (it may sink pure arithmetic
  /// past the fence's intrinsic; ptxas then serialises the wgmma).
  void pinRegisters(MutableArrayRef<Value> values);

  /// Two f32 values as one packed bf16/f16 register (i32), the register-A
  /// operand type.
  Value packOperand(Value x, Value y);
};

} // namespace mlir::attn::gpu_kernel

#endif // ATTN_LIB_CONVERSION_ATTNTOGPU_WGMMA_H
