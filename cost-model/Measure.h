//===- Measure.h - timing candidate schedules in child processes -*- C++
//-*-===//
//
// A kernel is measured alone: its nn graph (one matmul, Gemm or attention
// op, a constant B where the key says the B is packed) is compiled by
// `ddlc --schedules` with the candidate as the only record and timed by
// `ddl-run --benchmark` (one warm-up, then the median of repeated runs).
// Both run as child processes with a timeout, so a candidate that crashes
// the compiler or hangs is a failed trial, never the tuner's end. Compiles
// run `jobs` at a time; timed runs one at a time (they would disturb each
// other).
//
//===----------------------------------------------------------------------===//

#ifndef DDL_COST_MODEL_MEASURE_H
#define DDL_COST_MODEL_MEASURE_H

#include "cost-model/Kernel.h"

#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace ddl::cost {

/// The nn graph (MLIR text) that compiles to `kernel` alone: its inputs
/// have `kernel`'s types (dynamic where the key is) and are fed at the
/// sizes of `concrete`. Fails for kernels a graph cannot reproduce
/// (attention with score or mask mods: the key does not say which).
llvm::Expected<std::string> kernelGraph(const KernelDesc &kernel);

struct MeasureOptions {
  std::string ddlc, ddlRun;
  std::string target = "host";
  unsigned threads = 2;
  /// Timed runs after the warm-up (ddl-run --benchmark).
  unsigned runs = 20;
  unsigned timeoutSeconds = 60;
  unsigned jobs = 1;
  /// Where graphs, records, inputs and shared objects go.
  std::string workDir;
};

struct Measurement {
  /// `ok`, `compile-failed`, `run-failed` or `timeout`.
  std::string status = "ok";
  /// Median and noise ((p90 - p50) / p50) of the timed runs.
  double latencyMs = 0, noise = 0;
  /// What went wrong (the child's last line of output).
  std::string message;
  bool ok() const { return status == "ok"; }
};

class KernelMeasurer {
public:
  /// Prepares `kernel` (key sizes) measured at the sizes of `concrete`:
  /// writes its graph and random inputs under options.workDir.
  static llvm::Expected<KernelMeasurer> create(const KernelDesc &kernel,
                                               const KernelDesc &concrete,
                                               const MeasureOptions &options);

  /// The same with the kernel's graph given (MLIR text of an nn graph
  /// whose inputs have `shapes`): the model's own op cut out, rather than
  /// the GEMM that kernelGraph() writes.
  /// `copies`: the graph holds the kernel that many times (each with its
  /// own weights, so that they stream from memory as in a whole model);
  /// a run's time is divided by it.
  static llvm::Expected<KernelMeasurer>
  createFromGraph(const KernelDesc &kernel, llvm::StringRef graph,
                  const std::vector<std::vector<int64_t>> &shapes,
                  const MeasureOptions &options, unsigned copies = 1);

  /// Measures each schedule: compiled once, timed `rounds` times in turns
  /// (the median of the rounds).
  std::vector<Measurement> measure(const std::vector<Schedule> &schedules,
                                   unsigned rounds = 1);

  /// The heuristic's schedule for the kernel (what ddlc picks with no
  /// record), read from `ddlc --print-schedules`.
  llvm::Expected<Schedule> defaultSchedule();

private:
  KernelMeasurer() = default;
  std::string key, graphPath, stem;
  std::vector<std::string> inputPaths;
  MeasureOptions options;
  unsigned copies = 1;
  unsigned counter = 0;
};

/// Writes a float32 .npy file of `shape` with values in [-1, 1).
llvm::Error writeRandomNpy(llvm::StringRef path,
                           const std::vector<int64_t> &shape, unsigned seed);

} // namespace ddl::cost

#endif // DDL_COST_MODEL_MEASURE_H
