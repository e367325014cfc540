//===- AttnAttrs.cpp - attn masks and enums -------------------------------===//

#include "attn/Dialect/Attn/IR/AttnAttrs.h"
#include "attn/Dialect/Attn/IR/AttnDialect.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/TypeSwitch.h" // the generated attribute parsers use it

#include <cmath>

using namespace mlir;
using namespace mlir::attn;

#include "attn/Dialect/Attn/IR/AttnEnums.cpp.inc"
#include "attn/Dialect/Attn/IR/AttnInterfaces.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "attn/Dialect/Attn/IR/AttnAttrs.cpp.inc"

void AttnDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "attn/Dialect/Attn/IR/AttnAttrs.cpp.inc"
      >();
}

//===----------------------------------------------------------------------===//
// Verifiers
//===----------------------------------------------------------------------===//

static LogicalResult verifyWindowBounds(function_ref<InFlightDiagnostic()> emitError,
                                        StringRef name, int64_t left,
                                        int64_t right) {
  if (left < 0)
    return emitError() << "[" << name << "_c1] left must be >= 0, got " << left;
  if (right < 0)
    return emitError() << "[" << name << "_c2] right must be >= 0, got "
                       << right;
  return success();
}

LogicalResult WindowMaskAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                     int64_t left, int64_t right) {
  return verifyWindowBounds(emitError, "window", left, right);
}

LogicalResult
DilatedMaskAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                        int64_t left, int64_t right, int64_t dilation) {
  if (failed(verifyWindowBounds(emitError, "dilated", left, right)))
    return failure();
  if (dilation < 1)
    return emitError() << "[dilated_c3] dilation must be >= 1, got "
                       << dilation;
  return success();
}

LogicalResult GlobalMaskAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                     int64_t tokens) {
  if (tokens < 1)
    return emitError() << "[global_c1] tokens must be >= 1, got " << tokens;
  return success();
}

LogicalResult
BlockSparseMaskAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                            int64_t blockQ, int64_t blockK) {
  if (blockQ < 1)
    return emitError() << "[block_sparse_c1] block_q must be >= 1, got "
                       << blockQ;
  if (blockK < 1)
    return emitError() << "[block_sparse_c2] block_k must be >= 1, got "
                       << blockK;
  return success();
}

/// Score-mod parameters: finite and positive.
static LogicalResult
verifyPositive(function_ref<InFlightDiagnostic()> emitError, StringRef label,
               StringRef name, const APFloat &value) {
  double x = value.convertToDouble();
  if (!std::isfinite(x) || x <= 0.0)
    return emitError() << "[" << label << "] " << name
                       << " must be finite and positive, got " << x;
  return success();
}

LogicalResult AlibiAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                APFloat maxBias) {
  return verifyPositive(emitError, "alibi_c1", "max_bias", maxBias);
}

LogicalResult SoftcapAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                  APFloat cap) {
  return verifyPositive(emitError, "softcap_c1", "cap", cap);
}

static LogicalResult verifyMembers(function_ref<InFlightDiagnostic()> emitError,
                                   StringRef name, ArrayAttr masks) {
  if (masks.empty())
    return emitError() << "[" << name << "_c1] needs at least one member mask";
  for (Attribute member : masks)
    if (!isa<MaskAttrInterface>(member))
      return emitError() << "[" << name << "_c2] member " << member
                         << " is not an attention mask";
  return success();
}

LogicalResult UnionMaskAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                    ArrayAttr masks) {
  return verifyMembers(emitError, "union", masks);
}

LogicalResult
IntersectMaskAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                          ArrayAttr masks) {
  return verifyMembers(emitError, "intersect", masks);
}

//===----------------------------------------------------------------------===//
// Run-time tables
//===----------------------------------------------------------------------===//

static void appendMemberTableSpecs(ArrayAttr masks,
                                   SmallVectorImpl<MaskTableSpec> &specs) {
  for (Attribute member : masks)
    if (auto mask = dyn_cast<MaskAttrInterface>(member))
      mask.appendTableSpecs(specs);
}

void BlockSparseMaskAttr::appendTableSpecs(
    SmallVectorImpl<MaskTableSpec> &specs) const {
  specs.push_back({*this, /*sharedRank=*/2, /*batchedRank=*/4});
}
void DocumentMaskAttr::appendTableSpecs(
    SmallVectorImpl<MaskTableSpec> &specs) const {
  specs.push_back({*this, /*sharedRank=*/1, /*batchedRank=*/2});
}
void KeyLengthsMaskAttr::appendTableSpecs(
    SmallVectorImpl<MaskTableSpec> &specs) const {
  // [B], read at the batch: no shared form.
  specs.push_back({*this, /*sharedRank=*/1, /*batchedRank=*/1});
}
void UnionMaskAttr::appendTableSpecs(
    SmallVectorImpl<MaskTableSpec> &specs) const {
  appendMemberTableSpecs(getMasks(), specs);
}
void IntersectMaskAttr::appendTableSpecs(
    SmallVectorImpl<MaskTableSpec> &specs) const {
  appendMemberTableSpecs(getMasks(), specs);
}

SmallVector<MaskTableSpec> mlir::attn::getMaskTableSpecs(MaskAttrInterface mask) {
  SmallVector<MaskTableSpec> specs;
  mask.appendTableSpecs(specs);
  return specs;
}

LogicalResult
mlir::attn::verifyMaskTables(function_ref<InFlightDiagnostic()> emitError,
                             MaskAttrInterface mask, TypeRange tables,
                             StringRef countLabel, StringRef typeLabel,
                             int64_t batch) {
  unsigned expected = mask ? mask.getNumTables() : 0;
  if (tables.size() != expected)
    return emitError() << "[" << countLabel << "] the mask reads " << expected
                       << " run-time table(s) but " << tables.size()
                       << " were given";
  if (!mask)
    return success();
  for (auto [index, spec, type] :
       llvm::enumerate(getMaskTableSpecs(mask), tables)) {
    auto tensor = cast<RankedTensorType>(type);
    // The per-batch form leads with the batch (key lengths have no other).
    int64_t leading = tensor.getRank() > 0 ? tensor.getDimSize(0) : batch;
    if (tensor.getRank() == spec.batchedRank &&
        (tensor.getRank() > spec.sharedRank ||
         spec.sharedRank == spec.batchedRank) &&
        ShapedType::isStatic(leading) && ShapedType::isStatic(batch) &&
        leading != batch)
      return emitError() << "[" << typeLabel << "] table #" << index << " of "
                         << Attribute(spec.mask) << " is per batch: its dim 0 "
                         << "must be B = " << batch << ", got " << leading;
    if (tensor.getRank() == spec.sharedRank ||
        tensor.getRank() == spec.batchedRank)
      continue;
    InFlightDiagnostic diag = emitError()
                              << "[" << typeLabel << "] table #" << index
                              << " of " << Attribute(spec.mask)
                              << " must have rank " << spec.sharedRank;
    if (spec.batchedRank != spec.sharedRank)
      diag << " or " << spec.batchedRank;
    return diag << ", got " << tensor.getRank();
  }
  return success();
}

//===----------------------------------------------------------------------===//
// GPU schedules
//===----------------------------------------------------------------------===//

LogicalResult
GPUScheduleAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                        GPUMma mma, GPUCopy copy, int64_t tileQ, int64_t tileKV,
                        int64_t kvStep, int64_t warps, int64_t producerWarps,
                        int64_t stages, bool persistent) {
  for (auto [value, name] : {std::pair(tileQ, "tile_q"),
                             std::pair(tileKV, "tile_kv"),
                             std::pair(kvStep, "kv_step")})
    if (value < 16 || value > 256 || value % 16 != 0)
      return emitError() << "[gpu_schedule_c1] " << name
                         << " must be a multiple of 16 from 16 to 256, got "
                         << value;
  if (tileKV % kvStep != 0)
    return emitError() << "[gpu_schedule_c2] kv_step (" << kvStep
                       << ") must divide tile_kv (" << tileKV << ")";
  if (stages < 1 || stages > 4)
    return emitError() << "[gpu_schedule_c3] stages must be 1 to 4, got "
                       << stages;
  if (mma == GPUMma::MmaSync) {
    auto bad = [&]() {
      return emitError() << "[gpu_schedule_c4] mma_sync: ";
    };
    if (copy != GPUCopy::CpAsync)
      return bad() << "copies with cp_async";
    if (producerWarps != 0)
      return bad() << "has no producer warps, got " << producerWarps;
    if (warps < 1 || warps > 8 || tileQ % warps != 0 ||
        (tileQ / warps != 16 && tileQ / warps != 32))
      return bad() << "1 to 8 warps of 16 or 32 query rows each, got "
                   << warps << " warps for tile_q = " << tileQ;
    if (tileKV > 128)
      return bad() << "tile_kv up to 128, got " << tileKV;
    if (stages > 2)
      return bad() << "1 or 2 stages, got " << stages;
    if (stages == 1 && kvStep != tileKV)
      return bad() << "one stage needs kv_step = tile_kv";
    if (persistent)
      return bad() << "is not persistent";
    return success();
  }
  auto bad = [&]() { return emitError() << "[gpu_schedule_c5] wgmma: "; };
  if (copy != GPUCopy::Tma)
    return bad() << "copies with tma";
  if (producerWarps != 4 || tileQ % 64 != 0 || warps != 4 + 4 * (tileQ / 64))
    return bad() << "one producer warpgroup and a consumer warpgroup per 64 "
                    "query rows (tile_q = "
                 << tileQ << ": warps = " << 4 + 4 * (tileQ / 64)
                 << ", producer_warps = 4), got warps = " << warps
                 << ", producer_warps = " << producerWarps;
  if (kvStep != tileKV || stages < 2)
    return bad() << "kv_step = tile_kv and 2 to 4 stages";
  return success();
}
