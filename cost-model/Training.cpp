//===- Training.cpp - datasets from trial logs ----------------------------===//

#include "cost-model/Training.h"
#include "cost-model/Features.h"
#include "cost-model/Space.h"

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
    // A group: one kernel at one thread count.
    std::string group = trial.measuredKey + "@" + std::to_string(trial.threads);
    auto [it, fresh] = groups.try_emplace(group);
    if (fresh)
      order.push_back(group);
    auto [entry, added] =
        it->second.try_emplace(trial.schedule, trial.latencyMs);
    if (!added)
      entry->second = std::min(entry->second, trial.latencyMs);
  }
  Dataset data;
  for (const std::string &group : order) {
    auto [key, threadText] = llvm::StringRef(group).rsplit('@');
    llvm::Expected<KernelDesc> kernel = parseKernelKey(key);
    if (!kernel || kernel->isa != target.isa || kernel->hasDynamicSize()) {
      if (!kernel)
        llvm::consumeError(kernel.takeError());
      left += groups[group].size();
      continue;
    }
    // The machine as the trials saw it: their thread count, when the log
    // says.
    target::CPUTargetInfo machine = target;
    unsigned threads = 0;
    if (!threadText.getAsInteger(10, threads) && threads > 0)
      machine.cores = threads;
    ScheduleSpace space(*kernel, machine);
    std::vector<std::vector<float>> rows;
    std::vector<double> latencies;
    for (auto &[text, ms] : groups[group]) {
      llvm::Expected<Schedule> schedule = parseSchedule(text);
      // Only schedules the strategies run (a log edited by hand may hold
      // others, whose features would be meaningless).
      if (!schedule || !space.isLegal(*schedule)) {
        if (!schedule)
          llvm::consumeError(schedule.takeError());
        ++left;
        continue;
      }
      rows.push_back(extractFeatures(*kernel, *schedule, machine));
      latencies.push_back(ms);
    }
    data.addGroup(rows, latencies);
  }
  if (skipped)
    *skipped = left;
  return data;
}
