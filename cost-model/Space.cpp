//===- Space.cpp - the schedule space of a kernel -------------------------===//

#include "cost-model/Space.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/MathExtras.h"

#include <algorithm>

using namespace ddl;
using namespace ddl::cost;

/// Powers of two up to `limit`, and `limit` itself.
static std::vector<int64_t> powersUpTo(int64_t limit, int64_t first = 1) {
  std::vector<int64_t> values;
  for (int64_t v = first; v < limit; v *= 2)
    values.push_back(v);
  values.push_back(std::max<int64_t>(1, limit));
  return values;
}

ScheduleSpace::ScheduleSpace(const KernelDesc &kernel,
                             const target::CPUTargetInfo &target, Grid grid)
    : kernel_(kernel), target_(target), lanes(target.vectorBits / 32) {
  if (!kernel.isContraction()) {
    // BKV: multiples of 16 (a vector of scores per 16 keys); BQ: any.
    knobs = {{8, 16, 32, 64, 128, 256}, {16, 32, 64, 128, 256}};
    return;
  }
  int64_t m = std::max<int64_t>(1, kernel.m),
          n = std::max<int64_t>(1, kernel.n),
          k = std::max<int64_t>(1, kernel.k);
  if (grid == Grid::Reduced) {
    // Whole dimensions are written as the largest block (canonical()
    // clamps them).
    knobs = {{4, 6, 8, 12},
             {lanes, 2 * lanes, 3 * lanes},
             {4, 16, std::max<int64_t>(m, 64)},
             {2, 8, std::max<int64_t>(n, 64)},
             {64, std::max<int64_t>(k, 128)},
             {0, 1}};
    return;
  }
  std::vector<int64_t> m0s, n0s;
  for (int64_t m0 = 1; m0 <= 16; ++m0)
    m0s.push_back(m0);
  for (int64_t factor = 1; factor <= 4; ++factor)
    n0s.push_back(factor * lanes);
  // Cache blocks in tiles: up to the tiles of the dimension at the smallest
  // register tile of the grid (clamped per schedule by canonical()).
  knobs = {m0s,
           n0s,
           powersUpTo(std::min<int64_t>(m, 256)),
           powersUpTo(std::min<int64_t>(llvm::divideCeil(n, lanes), 128)),
           powersUpTo(std::min<int64_t>(k, 1024), 16),
           {0, 1}};
}

Schedule ScheduleSpace::fromKnobs(const std::vector<int64_t> &v) const {
  Schedule s;
  if (!kernel_.isContraction()) {
    s.attention = true;
    s.blockQ = v[0];
    s.blockKV = v[1];
    return s;
  }
  s.isa = target_.isa.str();
  s.m0 = v[0], s.n0 = v[1], s.k0 = 1;
  s.mc = v[2], s.nc = v[3], s.kc = v[4];
  s.parallel = v[5];
  return canonical(s);
}

std::vector<int64_t> ScheduleSpace::toKnobs(const Schedule &s) const {
  if (s.attention)
    return {s.blockQ, s.blockKV};
  return {s.m0, s.n0, s.mc, s.nc, s.kc, s.parallel};
}

Schedule ScheduleSpace::canonical(Schedule s) const {
  if (s.attention)
    return s;
  auto clamp = [](int64_t block, int64_t size, int64_t tile) {
    if (size <= 0)
      return block;
    return std::min(block, std::max<int64_t>(1, llvm::divideCeil(size, tile)));
  };
  s.mc = clamp(s.mc, kernel_.m, s.m0);
  s.nc = clamp(s.nc, kernel_.n, s.n0);
  s.kc = clamp(s.kc, kernel_.k, s.k0);
  return s;
}

bool ScheduleSpace::isLegal(const Schedule &s) const {
  if (s.attention != !kernel_.isContraction())
    return false;
  if (s.attention)
    return s.blockQ >= 1 && s.blockQ <= 1024 && s.blockKV >= 16 &&
           s.blockKV <= 512 && s.blockKV % 16 == 0;
  if (s.k0 != 1 || s.m0 < 1 || s.m0 > 64 || s.n0 < 1 || s.n0 > 64 ||
      s.m0 * s.n0 > 1024 || s.parallel < 0 || s.parallel > 1)
    return false;
  for (int64_t block : {s.mc, s.nc, s.kc})
    if (block < 1 || block > (int64_t(1) << 20))
      return false;
  // Accumulators, one row of B, one broadcast of A.
  int64_t vectors = llvm::divideCeil(s.n0, lanes);
  return s.m0 * vectors + vectors + 1 <= int64_t(target_.vectorRegisters);
}

std::vector<Schedule> ScheduleSpace::enumerate() const {
  std::vector<Schedule> all;
  std::vector<size_t> index(knobs.size(), 0);
  while (true) {
    std::vector<int64_t> values;
    for (size_t i = 0; i < knobs.size(); ++i)
      values.push_back(knobs[i][index[i]]);
    Schedule s = fromKnobs(values);
    if (isLegal(s))
      all.push_back(s);
    size_t i = 0;
    while (i < knobs.size() && ++index[i] == knobs[i].size())
      index[i++] = 0;
    if (i == knobs.size())
      break;
  }
  llvm::sort(all);
  all.erase(std::unique(all.begin(), all.end()), all.end());
  return all;
}

Schedule ScheduleSpace::sample(std::mt19937 &rng) const {
  // Rejection sampling: most of the grid is legal.
  for (int attempt = 0;; ++attempt) {
    std::vector<int64_t> values;
    for (const std::vector<int64_t> &choices : knobs)
      values.push_back(choices[rng() % choices.size()]);
    Schedule s = fromKnobs(values);
    if (isLegal(s) || attempt > 1000)
      return s;
  }
}

Schedule ScheduleSpace::mutate(const Schedule &schedule,
                               std::mt19937 &rng) const {
  if (schedule.attention != !kernel_.isContraction())
    return sample(rng);
  std::vector<int64_t> values = toKnobs(schedule);
  for (int attempt = 0; attempt < 32; ++attempt) {
    std::vector<int64_t> moved = values;
    size_t knob = rng() % knobs.size();
    const std::vector<int64_t> &choices = knobs[knob];
    // The grid value nearest the current one, then a step either way.
    size_t at = 0;
    for (size_t i = 0; i < choices.size(); ++i)
      if (std::abs(choices[i] - moved[knob]) <
          std::abs(choices[at] - moved[knob]))
        at = i;
    int64_t step = rng() % 2 ? 1 : -1;
    if (rng() % 4 == 0)
      step *= 2;
    int64_t next =
        std::clamp<int64_t>(int64_t(at) + step, 0, int64_t(choices.size()) - 1);
    moved[knob] = choices[next];
    Schedule s = fromKnobs(moved);
    if (isLegal(s) && !(s == schedule))
      return s;
  }
  return sample(rng);
}

Schedule ScheduleSpace::crossover(const Schedule &a, const Schedule &b,
                                  std::mt19937 &rng) const {
  if (a.attention != b.attention || a.attention != !kernel_.isContraction())
    return a;
  std::vector<int64_t> left = toKnobs(a), right = toKnobs(b), mixed;
  for (size_t i = 0; i < left.size(); ++i)
    mixed.push_back(rng() % 2 ? left[i] : right[i]);
  Schedule s = fromKnobs(mixed);
  return isLegal(s) ? s : a;
}
