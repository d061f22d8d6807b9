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
    FailureOr<llvm::StringMap<sched::ContractionAttr>> read =
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
    module.walk([&](linalg::MatmulOp op) {
      std::optional<ConstantRhsMatmul> kernel = matchConstantRhsMatmul(op);
      if (!kernel)
        return;
      std::string key = kernelKey(*kernel, info->isa);
      sched::ContractionAttr schedule;
      auto record = records.find(key);
      if (record != records.end())
        schedule = record->second;
      else if (auto existing = op->getAttrOfType<sched::ContractionAttr>(
                   sched::kScheduleAttr))
        schedule = existing;
      else
        schedule = defaultSchedule(*kernel, *info);
      op->setAttr(sched::kScheduleAttr, schedule);
      op->setAttr(kKernelKeyAttr, StringAttr::get(op.getContext(), key));
    });
    if (print)
      printSchedules(module, llvm::outs());
  }

  llvm::StringMap<sched::ContractionAttr> records;
};
} // namespace
