//===- Training.cpp - datasets from trial logs ----------------------------===//

#include "cost-model/Training.h"
#include "cost-model/Features.h"

#include <map>

using namespace ddl;
using namespace ddl::cost;

Dataset ddl::cost::datasetFromTrials(const std::vector<TrialRecord> &trials,
                                     const target::CPUTargetInfo &target,
                                     unsigned *skipped) {
  // Groups in first-seen order; a schedule measured twice keeps its
  // fastest time.
  std::vector<std::string> order;
  std::map<std::string, std::map<std::string, double>> groups;
  unsigned left = 0;
  for (const TrialRecord &trial : trials) {
    if (trial.status != "ok" || trial.latencyMs <= 0) {
      ++left;
      continue;
    }
    auto [it, fresh] = groups.try_emplace(trial.measuredKey);
    if (fresh)
      order.push_back(trial.measuredKey);
    auto [entry, added] =
        it->second.try_emplace(trial.schedule, trial.latencyMs);
    if (!added)
      entry->second = std::min(entry->second, trial.latencyMs);
  }
  Dataset data;
  for (const std::string &key : order) {
    llvm::Expected<KernelDesc> kernel = parseKernelKey(key);
    if (!kernel || kernel->isa != target.isa) {
      if (!kernel)
        llvm::consumeError(kernel.takeError());
      left += groups[key].size();
      continue;
    }
    std::vector<std::vector<float>> rows;
    std::vector<double> latencies;
    for (auto &[text, ms] : groups[key]) {
      llvm::Expected<Schedule> schedule = parseSchedule(text);
      if (!schedule) {
        llvm::consumeError(schedule.takeError());
        ++left;
        continue;
      }
      rows.push_back(extractFeatures(*kernel, *schedule, target));
      latencies.push_back(ms);
    }
    data.addGroup(rows, latencies);
  }
  if (skipped)
    *skipped = left;
  return data;
}
