//===- Search.cpp - model-guided evolutionary schedule search -------------===//

#include "cost-model/Search.h"
#include "cost-model/Features.h"

#include "llvm/ADT/STLExtras.h"

#include <algorithm>
#include <numeric>
#include <set>

using namespace ddl;
using namespace ddl::cost;

std::vector<size_t> TuningResult::fastest() const {
  std::vector<size_t> order;
  for (size_t i = 0; i < trials.size(); ++i)
    if (trials[i].measurement.ok())
      order.push_back(i);
  llvm::sort(order, [&](size_t a, size_t b) {
    return trials[a].measurement.latencyMs < trials[b].measurement.latencyMs;
  });
  return order;
}

void Searcher::retrain() {
  if (online.size() < 8)
    return;
  TrainOptions options;
  // Few rows: few, shallow trees on top of the prior's.
  options.rounds = prior ? 20 : 40;
  options.maxDepth = 4;
  options.prior = prior;
  llvm::Expected<CostModel> model =
      CostModel::train(online, target.isa, options);
  if (!model) {
    llvm::consumeError(model.takeError());
    return;
  }
  current.emplace(std::move(*model));
}

TuningResult Searcher::tune(const KernelDesc &kernel,
                            const Schedule &defaultSchedule,
                            const MeasureFn &measure,
                            const SearchOptions &options,
                            const ProgressFn &progress) {
  ScheduleSpace space(kernel, target, options.grid);
  std::mt19937 rng(options.seed);
  TuningResult result;
  result.defaultSchedule = defaultSchedule;
  std::set<Schedule> seen;
  std::vector<std::vector<float>> groupRows;
  std::vector<double> groupLatencies;
  bool guided = options.strategy == "model";
  double bestMs = 0;
  unsigned stale = 0;

  auto featuresOf = [&](const Schedule &s) {
    return extractFeatures(kernel, s, target);
  };
  // Runs one round: measures `batch` and records the trials.
  auto run = [&](std::vector<Schedule> batch,
                 const std::vector<std::string> &origins,
                 std::optional<Measurement> known = std::nullopt) {
    std::vector<double> predicted(batch.size(), 0.0);
    if (const CostModel *m = model()) {
      std::vector<std::vector<float>> rows;
      for (const Schedule &s : batch)
        rows.push_back(featuresOf(s));
      predicted = m->predictLatency(rows);
    }
    std::vector<Measurement> measured =
        known ? std::vector<Measurement>{*known} : measure(batch);
    bool improved = false;
    for (size_t i = 0; i < batch.size(); ++i) {
      Trial trial{batch[i], measured[i], predicted[i], origins[i]};
      result.trials.push_back(trial);
      if (trial.measurement.ok()) {
        double ms = trial.measurement.latencyMs;
        groupRows.push_back(featuresOf(batch[i]));
        groupLatencies.push_back(ms);
        if (result.best < 0 || ms < bestMs) {
          improved = improved || result.best < 0 || ms < 0.99 * bestMs;
          bestMs = ms;
          result.best = int(result.trials.size()) - 1;
        }
      }
      result.curve.push_back(result.best < 0 ? 0.0 : bestMs);
    }
    stale = improved ? 0 : stale + 1;
  };

  // Round 0: the heuristic's schedule (the baseline every later trial is
  // compared with).
  Schedule baseline = space.canonical(defaultSchedule);
  seen.insert(baseline);
  run({baseline}, {"default"}, options.defaultMeasurement);
  if (result.trials[0].measurement.ok())
    result.defaultMs = result.trials[0].measurement.latencyMs;

  auto drawRandom = [&](size_t count) {
    std::vector<Schedule> drawn;
    for (unsigned attempt = 0; drawn.size() < count && attempt < count * 50;
         ++attempt) {
      Schedule s = space.sample(rng);
      if (space.isLegal(s) && seen.insert(s).second)
        drawn.push_back(s);
    }
    return drawn;
  };

  bool exhaustive = options.strategy == "exhaustive";
  std::vector<Schedule> everything;
  size_t cursor = 0;
  if (exhaustive)
    everything = space.enumerate();

  while (result.trials.size() < options.trials) {
    if (options.deadline &&
        std::chrono::steady_clock::now() > *options.deadline) {
      result.cutShort = true;
      break;
    }
    if (options.patience && stale >= options.patience)
      break;
    size_t want =
        std::min<size_t>(options.batch, options.trials - result.trials.size());
    std::vector<Schedule> batch;
    std::vector<std::string> origins;
    const CostModel *m = model();
    if (exhaustive) {
      for (; cursor < everything.size() && batch.size() < want; ++cursor)
        if (seen.insert(everything[cursor]).second)
          batch.push_back(everything[cursor]);
      origins.assign(batch.size(), "exhaustive");
    } else if (!guided || !m) {
      batch = drawRandom(want);
      origins.assign(batch.size(), "random");
    } else {
      // The pool: mutations and crossovers of the best measured, and fresh
      // samples; ranked by the model.
      std::vector<size_t> order = result.fastest();
      order.resize(std::min<size_t>(order.size(), 8));
      std::set<Schedule> poolSet;
      std::vector<Schedule> pool;
      auto offer = [&](const Schedule &s) {
        if (space.isLegal(s) && !seen.count(s) && poolSet.insert(s).second)
          pool.push_back(s);
      };
      for (unsigned i = 0; i < options.pool / 2 && !order.empty(); ++i) {
        const Schedule &parent =
            result.trials[order[rng() % order.size()]].schedule;
        if (i % 3 == 2 && order.size() > 1)
          offer(space.crossover(
              parent, result.trials[order[rng() % order.size()]].schedule,
              rng));
        else
          offer(space.mutate(parent, rng));
      }
      for (unsigned i = 0; pool.size() < options.pool && i < options.pool * 4;
           ++i)
        offer(space.sample(rng));
      std::vector<std::vector<float>> rows;
      for (const Schedule &s : pool)
        rows.push_back(featuresOf(s));
      std::vector<float> scores = m->rank(rows);
      std::vector<size_t> ranked(pool.size());
      std::iota(ranked.begin(), ranked.end(), 0);
      llvm::sort(ranked,
                 [&](size_t a, size_t b) { return scores[a] > scores[b]; });
      // A quarter of each round (at least one of 4+) explores at random.
      size_t explore = want >= 4 ? want / 4 : 0;
      for (size_t i = 0; i < ranked.size() && batch.size() < want - explore;
           ++i) {
        batch.push_back(pool[ranked[i]]);
        seen.insert(pool[ranked[i]]);
        origins.push_back("model");
      }
      std::vector<Schedule> extra = drawRandom(want - batch.size());
      batch.insert(batch.end(), extra.begin(), extra.end());
      origins.resize(batch.size(), "random");
    }
    if (batch.empty())
      break; // The space is exhausted.
    run(batch, origins);
    if (guided) {
      // The online data: this kernel's group so far, replacing its
      // previous snapshot.
      Dataset snapshot = online;
      snapshot.addGroup(groupRows, groupLatencies);
      std::swap(online, snapshot);
      retrain();
      std::swap(online, snapshot);
    }
    if (progress)
      progress(result);
  }
  online.addGroup(groupRows, groupLatencies);
  if (progress)
    progress(result);
  return result;
}

KernelDesc ddl::cost::withDynamicSizes(const KernelDesc &desc, int64_t size) {
  KernelDesc result = desc;
  for (int64_t *s : {&result.batch, &result.m, &result.n, &result.k,
                     &result.heads, &result.kvHeads, &result.dv})
    if (*s == kDynamic)
      *s = size;
  return result;
}

std::optional<Schedule>
ddl::cost::pickSchedule(const CostModel &model, const KernelDesc &kernel,
                        const target::CPUTargetInfo &target,
                        const Schedule &fallback, double minGain) {
  ScheduleSpace space(kernel, target);
  std::mt19937 rng(uint32_t(uint64_t(kernel.m) * 31 + uint64_t(kernel.n) * 17 +
                            uint64_t(kernel.k)));
  std::set<Schedule> seen;
  std::vector<Schedule> candidates;
  Schedule base = space.canonical(fallback);
  candidates.push_back(base);
  seen.insert(base);
  // Neighbours of the heuristic's schedule, then the space at large; never
  // a register tile taller than a static M (rows that do not exist: the
  // training kernels had no such M, and the model rated [10, 32] above
  // [1, 64] for a batch-1 GEMV that [1, 64] runs 1.5x faster).
  auto candidate = [&](const Schedule &s) {
    return space.isLegal(s) &&
           (kernel.m == kDynamic || kernel.m < 1 || s.m0 <= kernel.m) &&
           seen.insert(s).second;
  };
  for (unsigned i = 0; i < 256; ++i) {
    Schedule s = space.mutate(i % 2 ? base : space.mutate(base, rng), rng);
    if (candidate(s))
      candidates.push_back(s);
  }
  for (unsigned i = 0; i < 768; ++i) {
    Schedule s = space.sample(rng);
    if (candidate(s))
      candidates.push_back(s);
  }
  std::vector<std::vector<float>> rows;
  for (const Schedule &s : candidates)
    rows.push_back(extractFeatures(kernel, s, target));
  std::vector<float> scores = model.rank(rows);
  std::vector<size_t> order(candidates.size());
  std::iota(order.begin(), order.end(), 0);
  llvm::sort(order, [&](size_t a, size_t b) { return scores[a] > scores[b]; });
  order.resize(std::min<size_t>(order.size(), 8));
  std::vector<std::vector<float>> top{rows[0]};
  for (size_t i : order)
    top.push_back(rows[i]);
  std::vector<double> latency = model.predictLatency(top);
  size_t pick = 0;
  for (size_t i = 1; i < top.size(); ++i)
    if (latency[i] < latency[pick])
      pick = i;
  if (pick == 0 || latency[pick] * minGain > latency[0])
    return std::nullopt;
  Schedule chosen = candidates[order[pick - 1]];
  if (chosen == base)
    return std::nullopt;
  return chosen;
}
