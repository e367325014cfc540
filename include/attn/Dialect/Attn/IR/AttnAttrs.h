//===- AttnAttrs.h - attn masks and enums -----------------------*- C++ -*-===//

#ifndef ATTN_DIALECT_ATTN_IR_ATTNATTRS_H
#define ATTN_DIALECT_ATTN_IR_ATTNATTRS_H

#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectImplementation.h"

#include "attn/Dialect/Attn/IR/MaskTypes.h"
#include "mlir/IR/Builders.h"

#include "attn/Dialect/Attn/IR/AttnEnums.h.inc"
#include "attn/Dialect/Attn/IR/AttnInterfaces.h.inc"

#define GET_ATTRDEF_CLASSES
#include "attn/Dialect/Attn/IR/AttnAttrs.h.inc"

namespace mlir::attn {

/// The run-time tables `mask` reads, in operand order (leaves of unions and
/// intersections flattened left to right).
SmallVector<MaskTableSpec> getMaskTableSpecs(MaskAttrInterface mask);

/// Verifies `tables` against what `mask` reads (their count, ranks and, in
/// the per-batch form, a leading dim of `batch` where both are static);
/// the labels name the constraints of the messages (e.g. "mask_c2").
LogicalResult verifyMaskTables(function_ref<InFlightDiagnostic()> emitError,
                               MaskAttrInterface mask, TypeRange tables,
                               StringRef countLabel, StringRef typeLabel,
                               int64_t batch);

/// The largest block classifyBlockByElements evaluates (128 × 128 scores).
constexpr int64_t kMaxElementwiseBlock = int64_t(1) << 14;

/// What `mask` allows of `block`, by evaluating every element (tables
/// unread: only for masks with none); Partial, without looking, for blocks
/// of more than kMaxElementwiseBlock scores. The classifier of masks whose
/// blocks a formula cannot classify (dilated windows, unions and
/// intersections whose members leave a block open).
BlockClass classifyBlockByElements(MaskAttrInterface mask,
                                   const MaskBlock &block);

} // namespace mlir::attn

#endif // ATTN_DIALECT_ATTN_IR_ATTNATTRS_H
