//===- SelectSchedules.cpp - a schedule attribute for every kernel --------===//

#include "passes/codegen/Passes.h"
#include "passes/codegen/Schedules.h"

#include "cost-model/Features.h"
#include "cost-model/Search.h"
#include "cost-model/ShippedModel.h"
#include "cost-model/TuningDatabase.h"

#include "mlir/AsmParser/AsmParser.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace ddl;
using namespace ddl::codegen;

namespace ddl::codegen {
#define GEN_PASS_DEF_DDLSELECTSCHEDULESPASS
#include "passes/codegen/Passes.h.inc"
} // namespace ddl::codegen

/// The cost model's numbers of a schedule attribute.
static cost::Schedule toCost(Attribute attr) {
  cost::Schedule s;
  if (auto attention = dyn_cast<sched::AttentionAttr>(attr)) {
    s.attention = true;
    s.blockQ = attention.getBlockQ();
    s.blockKV = attention.getBlockKV();
    return s;
  }
  auto c = cast<sched::ContractionAttr>(attr);
  s.isa = c.getIsa().str();
  s.m0 = c.getM0(), s.n0 = c.getN0(), s.k0 = c.getK0();
  s.mc = c.getCacheTile()[0], s.nc = c.getCacheTile()[1],
  s.kc = c.getCacheTile()[2];
  s.parallel = c.getParallelDim();
  return s;
}

static Attribute fromCost(MLIRContext *context, const cost::Schedule &s) {
  if (s.attention)
    return sched::AttentionAttr::get(context, {s.blockQ, s.blockKV});
  return sched::ContractionAttr::get(context, s.isa, {s.m0, s.n0, s.k0},
                                     {s.mc, s.nc, s.kc}, s.parallel);
}

namespace {
struct DDLSelectSchedulesPass final
    : codegen::impl::DDLSelectSchedulesPassBase<DDLSelectSchedulesPass> {
  using Base::Base;

  LogicalResult initialize(MLIRContext *context) override {
    if (policy != "heuristic" && policy != "model")
      return emitError(UnknownLoc::get(context))
             << "schedule policy must be 'heuristic' or 'model', got '"
             << policy << "'";
    if (!tuningDatabase.empty() && failed(readDatabase(context)))
      return failure();
    if (schedulesFile.empty())
      return success();
    FailureOr<llvm::StringMap<Attribute>> read =
        readScheduleFile(schedulesFile, context);
    if (failed(read))
      return failure();
    records = std::move(*read);
    return success();
  }

  /// The database's fastest usable record per key, into `tuned`; the
  /// unusable ones are warnings.
  LogicalResult readDatabase(MLIRContext *context) {
    context->getOrLoadDialect<sched::SchedDialect>();
    std::vector<std::string> warnings;
    llvm::Expected<std::vector<cost::TuningRecord>> read =
        cost::readTuningDatabase(tuningDatabase, warnings);
    if (!read)
      return emitError(UnknownLoc::get(context))
             << llvm::toString(read.takeError());
    llvm::StringMap<double> fastest;
    for (const cost::TuningRecord &record : *read) {
      std::string where = tuningDatabase + ": record for '" + record.key + "'";
      if (record.version != cost::kTunerVersion) {
        warnings.push_back(where + " was written by '" + record.version +
                           "', this ddl reads '" + cost::kTunerVersion +
                           "' records, skipped");
        continue;
      }
      // The schedule as the strategies check it (the textual check of
      // the reader does not know the attributes' verifiers).
      std::string diagnostic;
      Attribute attr;
      {
        ScopedDiagnosticHandler capture(context, [&](Diagnostic &d) {
          diagnostic = d.str();
          return success();
        });
        attr = parseAttribute(record.schedule, context);
        if (auto contraction = dyn_cast_or_null<sched::ContractionAttr>(attr))
          if (failed(checkF32Schedule(contraction, [&] {
                return emitError(UnknownLoc::get(context));
              })))
            attr = {};
      }
      if (!attr || !(isa<sched::ContractionAttr, sched::AttentionAttr>(attr))) {
        warnings.push_back(
            where + ": schedule '" + record.schedule + "' is not usable" +
            (diagnostic.empty() ? "" : " (" + diagnostic + ")") + ", skipped");
        continue;
      }
      // Normalized: a record's fields may come in any order.
      std::string key =
          cost::kernelKey(llvm::cantFail(cost::parseKernelKey(record.key)));
      auto it = fastest.find(key);
      if (it != fastest.end() && it->second <= record.latencyMs)
        continue;
      fastest[key] = record.latencyMs;
      tuned[key] = attr;
    }
    for (const std::string &warning : warnings)
      emitWarning(UnknownLoc::get(context)) << warning;
    return success();
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    std::optional<target::CPUTargetInfo> info =
        target::lookupCPUTarget(target, module);
    if (!info)
      return signalPassFailure();
    const cost::CostModel *model =
        policy == "model" ? cost::shippedCostModel(info->isa) : nullptr;
    unsigned fromFile = 0, fromDatabase = 0, fromModel = 0, heuristic = 0,
             existing = 0;
    // A schedules file's record wins, then the tuning database's, then a
    // schedule already on the op, then the model's pick, then the
    // heuristic's.
    auto assign = [&](Operation *op, const std::string &key, auto heuristicOf) {
      using Schedule = decltype(heuristicOf());
      Schedule schedule;
      auto record = records.find(key);
      auto tunedRecord = tuned.find(key);
      if (record != records.end()) {
        schedule = cast<Schedule>(record->second);
        ++fromFile;
      } else if (tunedRecord != tuned.end() &&
                 isa<Schedule>(tunedRecord->second)) {
        schedule = cast<Schedule>(tunedRecord->second);
        ++fromDatabase;
      } else if (auto current =
                     op->getAttrOfType<Schedule>(sched::kScheduleAttr)) {
        schedule = current;
        ++existing;
      } else {
        schedule = heuristicOf();
        std::optional<cost::Schedule> pick;
        // Contractions only: the shipped model has seen no attention
        // kernel measured.
        if (model && !isa<attn::FlexOp>(op))
          if (llvm::Expected<cost::KernelDesc> kernel =
                  cost::parseKernelKey(key)) {
            pick =
                cost::pickSchedule(*model, cost::withDynamicSizes(*kernel, 256),
                                   *info, toCost(schedule));
          } else {
            llvm::consumeError(kernel.takeError());
          }
        if (pick) {
          schedule = cast<Schedule>(fromCost(op->getContext(), *pick));
          ++fromModel;
        } else {
          ++heuristic;
        }
      }
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
    if (printFeatures)
      module.walk([&](Operation *op) {
        auto key = op->getAttrOfType<StringAttr>(kKernelKeyAttr);
        Attribute schedule = op->getAttr(sched::kScheduleAttr);
        if (!key || !schedule)
          return;
        llvm::Expected<cost::KernelDesc> kernel =
            cost::parseKernelKey(key.getValue());
        if (!kernel) {
          llvm::consumeError(kernel.takeError());
          return;
        }
        std::vector<float> values = cost::extractFeatures(
            cost::withDynamicSizes(*kernel, 256), toCost(schedule), *info);
        llvm::outs() << "features " << key.getValue() << ":";
        for (auto [name, value] : llvm::zip(cost::featureNames(), values))
          llvm::outs() << " " << name << "=" << llvm::format("%g", value);
        llvm::outs() << "\n";
      });
    if (report) {
      unsigned total =
          fromFile + fromDatabase + fromModel + heuristic + existing;
      llvm::errs() << "schedules: " << total << " kernels: " << fromDatabase
                   << " tuned (database), " << fromFile
                   << " from the schedules file, " << fromModel
                   << " by the cost model, " << heuristic
                   << " by the heuristic";
      if (existing)
        llvm::errs() << ", " << existing << " already scheduled";
      llvm::errs() << "\n";
    }
  }

  llvm::StringMap<Attribute> records, tuned;
};
} // namespace
