//===- Space.h - the schedule space of a kernel -------------------*- C++
//-*-===//
//
// The knobs of the schedule layer (#sched.contraction: register tile, cache
// blocks, parallel dimension; #sched.attention: query and key blocks) over
// the values the CPU strategies honour, with the legality rules the
// strategies and the target impose, and the moves of the evolutionary
// search (random sampling, mutation, crossover).
//
//===----------------------------------------------------------------------===//

#ifndef DDL_COST_MODEL_SPACE_H
#define DDL_COST_MODEL_SPACE_H

#include "cost-model/Kernel.h"
#include "lib/Target/CPU/TargetInfo.h"

#include <random>
#include <vector>

namespace ddl::cost {

/// How many values each knob takes: `Full` (register tiles M0 1-16 by N0 1-4
/// vectors, cache blocks every power of two) or `Reduced` (a few hundred
/// schedules a kernel: small enough to measure exhaustively, which the
/// search-efficiency benchmark does).
enum class Grid { Full, Reduced };

class ScheduleSpace {
public:
  /// The space of `kernel` (sizes concrete: a dynamic size is replaced by
  /// the size it is measured at) on `target`.
  ScheduleSpace(const KernelDesc &kernel, const target::CPUTargetInfo &target,
                Grid grid = Grid::Full);

  /// Whether the strategies can run `schedule` on this kernel and target
  /// (the attributes' verifiers plus the register budget: the M0 x N0
  /// accumulators, one row of B and a broadcast must fit the vector
  /// registers).
  bool isLegal(const Schedule &schedule) const;

  /// The same schedule with cache blocks clamped to the kernel (a block of
  /// more tiles than there are is the whole dimension), so equivalent
  /// schedules compare equal.
  Schedule canonical(Schedule schedule) const;

  /// Every legal schedule of the grid (the cache-block values are powers of
  /// two and the whole dimension).
  std::vector<Schedule> enumerate() const;

  /// A uniformly drawn legal schedule of the grid.
  Schedule sample(std::mt19937 &rng) const;

  /// `schedule` with one knob moved to a neighbouring grid value (legal).
  Schedule mutate(const Schedule &schedule, std::mt19937 &rng) const;

  /// Each knob from one parent or the other (legal; a parent if the mix is
  /// not).
  Schedule crossover(const Schedule &a, const Schedule &b,
                     std::mt19937 &rng) const;

  const KernelDesc &kernel() const { return kernel_; }

private:
  /// Grid values of each knob (contraction: m0, n0, mc, nc, kc, parallel;
  /// attention: blockQ, blockKV).
  std::vector<std::vector<int64_t>> knobs;
  Schedule fromKnobs(const std::vector<int64_t> &values) const;
  std::vector<int64_t> toKnobs(const Schedule &schedule) const;

  KernelDesc kernel_;
  target::CPUTargetInfo target_;
  int64_t lanes;
};

} // namespace ddl::cost

#endif // DDL_COST_MODEL_SPACE_H
