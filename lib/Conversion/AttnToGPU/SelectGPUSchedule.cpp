//===- SelectGPUSchedule.cpp - the #attn.gpu_schedule of each attn.sdpa ---===//
//
// attn-select-gpu-schedule: puts on each attn.sdpa the schedule that
// convert-attn-to-gpu builds. The choice itself (getDefaultGPUSchedule) and
// what a schedule needs of chip and head dims (verifyScheduleFits) belong to
// the conversion; this file is the pass.
//
//===----------------------------------------------------------------------===//

#include "attn/Conversion/AttnToGPU/AttnToGPU.h"
#include "attn/Conversion/Passes.h"
#include "attn/Dialect/Attn/IR/AttnOps.h"

#include "mlir/AsmParser/AsmParser.h"

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNSELECTGPUSCHEDULE
#include "attn/Conversion/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

namespace {
struct AttnSelectGPUSchedule
    : attn::impl::AttnSelectGPUScheduleBase<AttnSelectGPUSchedule> {
  using Base::Base;

  LogicalResult initializeOptions(
      StringRef options,
      function_ref<LogicalResult(const Twine &)> errorHandler) override {
    if (failed(Pass::initializeOptions(options, errorHandler)))
      return failure();
    if (!llvm::is_contained(kGPUChips, StringRef(chip)))
      return errorHandler("attn-select-gpu-schedule: chip='" + chip +
                          "': expected sm_80 or sm_90a");
    return success();
  }

  /// Parses the `schedule` option (its attribute verifier reports a bad
  /// one).
  LogicalResult initialize(MLIRContext *ctx) override {
    if (schedule.empty())
      return success();
    Attribute parsed = parseAttribute(schedule, ctx);
    requested = dyn_cast_or_null<GPUScheduleAttr>(parsed);
    if (requested)
      return success();
    auto diag = emitError(UnknownLoc::get(ctx))
                << "attn-select-gpu-schedule: schedule='" << schedule << "': ";
    if (parsed)
      return diag << "expected an #attn.gpu_schedule, got " << parsed;
    return diag << "not a valid #attn.gpu_schedule (see the error before)";
  }

  void runOnOperation() override {
    WalkResult result = getOperation()->walk([&](SdpaOp sdpa) {
      return failed(select(sdpa)) ? WalkResult::interrupt()
                                  : WalkResult::advance();
    });
    if (result.wasInterrupted())
      signalPassFailure();
  }

  /// Gives `sdpa` its schedule: the one it carries, the option's, or the
  /// chip's default for its head dims.
  LogicalResult select(SdpaOp sdpa) {
    auto error = [&] {
      return sdpa.emitError() << "attn-select-gpu-schedule: ";
    };
    auto d = cast<ShapedType>(sdpa.getQuery().getType()).getDimSize(3);
    auto dv = cast<ShapedType>(sdpa.getValue().getType()).getDimSize(3);
    if (ShapedType::isDynamic(d) || ShapedType::isDynamic(dv))
      return error() << "the head dims d and d_v must be static";
    FailureOr<GPUScheduleAttr> carried = getCarriedSchedule(sdpa, error);
    if (failed(carried))
      return failure();
    GPUScheduleAttr schedule = *carried;
    if (!schedule)
      schedule = requested
                     ? requested
                     : getDefaultGPUSchedule(
                           &getContext(), chip, wgmma, d, dv,
                           isa_and_nonnull<CausalMaskAttr>(sdpa.getMaskAttr()));
    if (failed(verifyScheduleFits(schedule, chip, d, dv, error)))
      return failure();
    sdpa->setAttr(kScheduleAttrName, schedule);
    return success();
  }

  GPUScheduleAttr requested;
};
} // namespace
