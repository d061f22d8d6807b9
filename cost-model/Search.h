//===- Search.h - model-guided evolutionary schedule search -------*- C++
//-*-===//
//
// Tunes one kernel: candidates come from the schedule space (random
// samples, mutations and crossovers of the best measured so far), the cost
// model ranks them, the top of the ranking (plus a few random ones, so the
// model's blind spots get measured) are measured in batches, and the
// measurements retrain the model (fine-tuning the prior's trees) before the
// next batch. `random` search measures uniformly drawn candidates instead:
// the baseline the model-guided search is judged against.
//
//===----------------------------------------------------------------------===//

#ifndef DDL_COST_MODEL_SEARCH_H
#define DDL_COST_MODEL_SEARCH_H

#include "cost-model/Measure.h"
#include "cost-model/Model.h"
#include "cost-model/Space.h"

#include <chrono>
#include <functional>
#include <optional>

namespace ddl::cost {

struct SearchOptions {
  /// `model` or `random`.
  std::string strategy = "model";
  unsigned trials = 64;
  /// Candidates measured per round.
  unsigned batch = 8;
  /// Stop after this many rounds without a 1% improvement (0: never).
  unsigned patience = 0;
  /// Candidates the model ranks per round.
  unsigned pool = 512;
  Grid grid = Grid::Full;
  unsigned seed = 1;
  /// The heuristic's schedule's measurement, when the caller has taken it
  /// (it is then not measured again).
  std::optional<Measurement> defaultMeasurement;
  /// Stop measuring at this time.
  std::optional<std::chrono::steady_clock::time_point> deadline;
};

struct Trial {
  Schedule schedule;
  Measurement measurement;
  /// The model's estimate before measuring (0 without a model).
  double predictedMs = 0;
  /// `default`, `model` or `random`.
  std::string origin;
};

struct TuningResult {
  std::vector<Trial> trials;
  /// Index of the fastest successful trial, or -1.
  int best = -1;
  /// The heuristic's schedule and its latency (trial 0).
  Schedule defaultSchedule;
  double defaultMs = 0;
  /// Best-so-far latency after each trial (0 until one succeeds).
  std::vector<double> curve;
  /// The search stopped at the deadline before its budget.
  bool cutShort = false;

  /// The indices of the successful trials, fastest first.
  std::vector<size_t> fastest() const;
};

/// Measures schedules (a KernelMeasurer, or a table in tests).
using MeasureFn =
    std::function<std::vector<Measurement>(const std::vector<Schedule> &)>;
/// Called after each round with the trials so far.
using ProgressFn = std::function<void(const TuningResult &)>;

class Searcher {
public:
  /// `prior`: the shipped or loaded model (may be null: the first rounds
  /// are then random). `target` is the machine the kernel runs on.
  Searcher(const CostModel *prior, const target::CPUTargetInfo &target)
      : prior(prior), target(target) {}

  /// Tunes `kernel` (sizes concrete) starting from `defaultSchedule`.
  TuningResult tune(const KernelDesc &kernel, const Schedule &defaultSchedule,
                    const MeasureFn &measure, const SearchOptions &options,
                    const ProgressFn &progress = {});

  /// Every successful measurement of this searcher's kernels, grouped by
  /// kernel (the online training data).
  const Dataset &measurements() const { return online; }
  /// The model as last retrained (or the prior).
  const CostModel *model() const { return current ? &*current : prior; }

private:
  void retrain();
  const CostModel *prior;
  target::CPUTargetInfo target;
  Dataset online;
  std::optional<CostModel> current;
};

/// What an untuned compile does with the model: ranks a deterministic
/// sample of `kernel`'s schedule space (sizes concrete) and the heuristic's
/// `fallback`; of the ranker's top 8, returns the one the latency head
/// predicts fastest when it predicts it at least `minGain` faster than
/// `fallback` (1.1: 10%); otherwise nullopt (keep the heuristic's).
std::optional<Schedule> pickSchedule(const CostModel &model,
                                     const KernelDesc &kernel,
                                     const target::CPUTargetInfo &target,
                                     const Schedule &fallback,
                                     double minGain = 1.1);

/// `desc` with each dynamic size replaced by `size` (an untuned compile's
/// guess at the sizes a dynamic kernel runs at).
KernelDesc withDynamicSizes(const KernelDesc &desc, int64_t size);

} // namespace ddl::cost

#endif // DDL_COST_MODEL_SEARCH_H
