//===- DecodeKernel.h - attn.sdpa for a few query rows on the CPU -*- C++ -*-===//
//
// The decode kernel (DecodeKernel.cpp): rows-per-task 1, 2, 4 or 8, the head
// dim in lanes. convert-attn-to-cpu picks it for those row counts.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_LIB_CONVERSION_ATTNTOCPU_DECODEKERNEL_H
#define ATTN_LIB_CONVERSION_ATTNTOCPU_DECODEKERNEL_H

#include "SdpaKernel.h"

namespace mlir::attn::cpu_kernel {

/// Whether rows-per-task `rows` takes the decode kernel (1, 2, 4 or 8).
bool isDecodeRows(int64_t rows);

/// Bytes of stack scratch of the decode kernel: Q̂, o and one tile of scores
/// per row.
int64_t getDecodeScratchBytes(int64_t d, int64_t dv, int64_t tileKV,
                              int64_t rows);

/// Emits the decode kernel's body into `func`, which already has the CPU
/// kernel signature (q, k, v, o[, lse], begin, end): tasks of `rows` query
/// rows, keys `tileKV` (a multiple of 16) at a time.
void emitDecodeKernel(func::FuncOp func, const KernelSpec &spec, int64_t rows,
                      int64_t tileKV);

} // namespace mlir::attn::cpu_kernel

#endif // ATTN_LIB_CONVERSION_ATTNTOCPU_DECODEKERNEL_H
