//===- TmaPipeline.cpp - TMA tile loads completing on mbarriers -----------===//

#include "TmaPipeline.h"
#include "Wgmma.h"

using namespace mlir;
using namespace mlir::attn::gpu_kernel;

static Value toI32(KernelBuilder &kb, Value x) {
  return arith::IndexCastOp::create(kb.b, kb.loc, kb.b.getI32Type(), x);
}

static Value i32(KernelBuilder &kb, int64_t v) {
  return arith::ConstantOp::create(kb.b, kb.loc, kb.b.getI32IntegerAttr(v));
}

Value TmaPipeline::pointer(Value offset) const {
  Value bytes = arith::IndexCastOp::create(kb.b, kb.loc, kb.b.getI64Type(),
                                           offset);
  return LLVM::GEPOp::create(kb.b, kb.loc, base.getType(), kb.b.getI8Type(),
                             base, ValueRange{bytes});
}

Value TmaPipeline::address(Value offset) const {
  return LLVM::PtrToIntOp::create(kb.b, kb.loc, kb.b.getI64Type(),
                                  pointer(offset));
}

void TmaPipeline::init(Value bar, int32_t arrivals) const {
  NVVM::MBarrierInitOp::create(kb.b, kb.loc, bar, i32(kb, arrivals), Value());
}

void TmaPipeline::arriveExpecting(Value bar, int64_t bytes) const {
  NVVM::MBarrierArriveExpectTxOp::create(
      kb.b, kb.loc, Type(), bar, i32(kb, bytes),
      NVVM::MemScopeKindAttr::get(kb.b.getContext(), NVVM::MemScopeKind::CTA),
      kb.b.getBoolAttr(false), Value());
}

void TmaPipeline::arrive(Value bar) const {
  NVVM::MBarrierArriveOp::create(
      kb.b, kb.loc, Type(), bar, Value(),
      NVVM::MemScopeKindAttr::get(kb.b.getContext(), NVVM::MemScopeKind::CTA));
}

void TmaPipeline::wait(Value bar, Value parity) const {
  // A suspend-time hint of 0: the hardware's own limit between retries.
  NVVM::MBarrierTryWaitParityOp::create(kb.b, kb.loc, bar, toI32(kb, parity),
                                        i32(kb, 0));
}

void TmaPipeline::load(Value tensorMap, Value offset, Value bar, Value col,
                       Value row, Value head, Value batch) const {
  // A CTA's own shared memory, addressed in the cluster window (a CTA
  // launched without a cluster is a cluster of one).
  Value dst = LLVM::AddrSpaceCastOp::create(
      kb.b, kb.loc, LLVM::LLVMPointerType::get(kb.b.getContext(), 7),
      pointer(offset));
  SmallVector<Value> coords = {toI32(kb, col), toI32(kb, row),
                               toI32(kb, head), toI32(kb, batch)};
  NVVM::CpAsyncBulkTensorGlobalToSharedClusterOp::create(
      kb.b, kb.loc, dst, tensorMap, coords, bar, ValueRange(), Value(),
      Value(),
      NVVM::TMALoadModeAttr::get(kb.b.getContext(), NVVM::TMALoadMode::TILE),
      kb.b.getBoolAttr(false), NVVM::CTAGroupKindAttr(), Value());
}

void TmaPipeline::loadTile(Value tensorMap, Value offset, Value bar,
                           int64_t rows, int64_t cols, Value row, Value head,
                           Value batch) const {
  arriveExpecting(bar, rows * cols * 2);
  for (int64_t c = 0; c < cols / kSwizzleCols; ++c)
    load(tensorMap, kb.add(offset, kb.idx(c * rows * kSwizzleBytes)), bar,
         kb.idx(c * kSwizzleCols), row, head, batch);
}

void TmaPipeline::store(Value tensorMap, Value offset, Value col, Value row,
                        Value head, Value batch) const {
  SmallVector<Value> coords = {toI32(kb, col), toI32(kb, row), toI32(kb, head),
                               toI32(kb, batch)};
  NVVM::CpAsyncBulkTensorSharedCTAToGlobalOp::create(
      kb.b, kb.loc, tensorMap, pointer(offset), coords, Value(),
      NVVM::TMAStoreMode::TILE, Value());
}

void TmaPipeline::fenceForStores() const {
  NVVM::FenceProxyOp::create(
      kb.b, kb.loc, NVVM::ProxyKind::async_shared,
      NVVM::SharedSpaceAttr::get(kb.b.getContext(),
                                 NVVM::SharedSpace::shared_cta));
}

void TmaPipeline::commitStores() const {
  NVVM::CpAsyncBulkCommitGroupOp::create(kb.b, kb.loc);
}

void TmaPipeline::waitStoresRead() const {
  NVVM::CpAsyncBulkWaitGroupOp::create(kb.b, kb.loc, 0, kb.b.getUnitAttr());
}
