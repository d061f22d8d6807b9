//===- SelectSchedules.cpp - a schedule attribute for every kernel --------===//

#include "passes/codegen/Passes.h"
#include "passes/codegen/Schedules.h"

using namespace mlir;
using namespace ddl;
using namespace ddl::codegen;

namespace ddl::codegen {
#define GEN_PASS_DEF_DDLSELECTSCHEDULESPASS
#include "passes/codegen/Passes.h.inc"
} // namespace ddl::codegen

namespace {
struct DDLSelectSchedulesPass final
    : codegen::impl::DDLSelectSchedulesPassBase<DDLSelectSchedulesPass> {
  using Base::Base;

  LogicalResult initialize(MLIRContext *context) override {
    if (schedulesFile.empty())
      return success();
    FailureOr<llvm::StringMap<Attribute>> read =
        readScheduleFile(schedulesFile, context);
    if (failed(read))
      return failure();
    records = std::move(*read);
    return success();
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    std::optional<target::CPUTargetInfo> info = target::lookupCPUTarget(target);
    if (!info) {
      module.emitError() << "unknown target '" << target
                         << "' (expected host, x86_64 or aarch64)";
      return signalPassFailure();
    }
    // A record wins, then a schedule already on the op, then the
    // heuristic's.
    auto assign = [&](Operation *op, const std::string &key, auto heuristic) {
      using Schedule = decltype(heuristic());
      Schedule schedule;
      auto record = records.find(key);
      if (record != records.end())
        schedule = cast<Schedule>(record->second);
      else if (auto existing =
                   op->getAttrOfType<Schedule>(sched::kScheduleAttr))
        schedule = existing;
      else
        schedule = heuristic();
      op->setAttr(sched::kScheduleAttr, schedule);
      op->setAttr(kKernelKeyAttr, StringAttr::get(op->getContext(), key));
    };
    module.walk([&](Operation *op) {
      if (auto flex = dyn_cast<attn::FlexOp>(op)) {
        assign(op, kernelKey(flex, info->isa),
               [&] { return defaultSchedule(flex); });
        return;
      }
      auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
      if (!linalgOp)
        return;
      if (auto matmul = dyn_cast<linalg::MatmulOp>(op))
        if (std::optional<ConstantRhsMatmul> kernel =
                matchConstantRhsMatmul(matmul)) {
          assign(op, kernelKey(*kernel, info->isa),
                 [&] { return defaultSchedule(*kernel, *info); });
          return;
        }
      if (std::optional<RuntimeRhsMatmul> kernel = matchRuntimeRhsMatmul(op))
        assign(op, kernelKey(*kernel, info->isa),
               [&] { return defaultSchedule(*kernel, *info); });
    });
    if (print)
      printSchedules(module, llvm::outs());
  }

  llvm::StringMap<Attribute> records;
};
} // namespace
