//===- KernelUtils.cpp - the function form kernel lowerings take ----------===//

#include "attn/Dialect/Attn/Utils/KernelUtils.h"
#include "attn/Runtime/attnrt.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"

using namespace mlir;
using namespace mlir::attn;

FailureOr<SdpaOp> mlir::attn::matchKernelFunction(func::FuncOp func,
                                                  StringRef pass) {
  Block &body = func.getBody().front();
  auto sdpa = body.empty() ? SdpaOp() : dyn_cast<SdpaOp>(body.front());
  auto ret =
      sdpa ? dyn_cast<func::ReturnOp>(sdpa->getNextNode()) : func::ReturnOp();
  bool matches = sdpa && ret && ret.getOperands() == sdpa->getResults() &&
                 func.getNumArguments() == 3 + sdpa.getTables().size() &&
                 sdpa.getQuery() == body.getArgument(0) &&
                 sdpa.getKey() == body.getArgument(1) &&
                 sdpa.getValue() == body.getArgument(2);
  if (matches)
    for (auto [i, table] : llvm::enumerate(sdpa.getTables()))
      matches &= table == body.getArgument(3 + i);
  if (!matches)
    return func.emitError()
           << pass
           << ": expects a function (q, k, v, tables...) whose body is one "
              "attn.sdpa of its arguments, returned as is (the form "
              "attn-kernelgen writes)";
  return sdpa;
}

SmallVector<KernelTable> mlir::attn::getKernelTables(MaskAttrInterface mask) {
  SmallVector<KernelTable> tables;
  if (!mask)
    return tables;
  for (const MaskTableSpec &spec : getMaskTableSpecs(mask)) {
    if (auto layout = dyn_cast<BlockSparseMaskAttr>(spec.mask))
      tables.push_back(
          {ATTNRT_TABLE_BLOCK_LAYOUT, layout.getBlockQ(), layout.getBlockK()});
    else if (isa<DocumentMaskAttr>(spec.mask))
      tables.push_back({ATTNRT_TABLE_DOCUMENT_OFFSETS});
    else if (isa<KeyLengthsMaskAttr>(spec.mask))
      tables.push_back({ATTNRT_TABLE_KEY_LENGTHS});
    else // a kind attnrt does not know: every call is refused
      tables.push_back({0});
  }
  return tables;
}

void mlir::attn::createKernelMetadata(OpBuilder &b, Location loc,
                                      StringRef symbol,
                                      const KernelMetadata &meta,
                                      Attribute memorySpace) {
  int64_t values[ATTNRT_META_SIZE] = {};
  values[ATTNRT_META_MAGIC] = ATTNRT_META_MAGIC_VALUE;
  values[ATTNRT_META_VERSION] = ATTNRT_META_VERSION_VALUE;
  values[ATTNRT_META_DTYPE] = meta.elementType.isBF16()  ? ATTNRT_DTYPE_BF16
                              : meta.elementType.isF16() ? ATTNRT_DTYPE_F16
                                                         : ATTNRT_DTYPE_F32;
  values[ATTNRT_META_HEAD_DIM] = meta.headDim;
  values[ATTNRT_META_VALUE_DIM] = meta.valueDim;
  values[ATTNRT_META_HAS_LSE] = meta.hasLse;
  values[ATTNRT_META_ROWS] = meta.rows;
  values[ATTNRT_META_THREADS] = meta.threads;
  values[ATTNRT_META_SMEM_BYTES] = meta.smemBytes;
  values[ATTNRT_META_TILE_KV] = meta.tileKV;
  values[ATTNRT_META_TENSOR_MAPS] = meta.tensorMaps;
  values[ATTNRT_META_PERSISTENT] = meta.persistent;
  values[ATTNRT_META_OP] = meta.op;
  values[ATTNRT_META_CAUSAL] = meta.causal;
  values[ATTNRT_META_FEATURE_MAP] = meta.featureMap;
  values[ATTNRT_META_FEATURES] = meta.features;
  values[ATTNRT_META_TABLES] = meta.tables;
  values[ATTNRT_META_PACK_GQA] = meta.packGqa;
  auto type = MemRefType::get({ATTNRT_META_SIZE}, b.getI64Type(),
                              MemRefLayoutAttrInterface(), memorySpace);
  memref::GlobalOp::create(
      b, loc, symbol, b.getStringAttr("public"), type,
      DenseElementsAttr::get(
          RankedTensorType::get({ATTNRT_META_SIZE}, b.getI64Type()),
          ArrayRef<int64_t>(values)),
      /*constant=*/true, b.getI64IntegerAttr(8));
}
