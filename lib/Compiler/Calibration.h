//===- Calibration.h - activation ranges for static int8 --------*- C++ -*-===//
//
// `ddlc --quantize=int8 --calibration DIR`: the ranges of the quantized
// layers' activations, measured by running a float copy of the model on
// calibration samples (or read back from a calibration table written by an
// earlier run), for nn-quantize-int8's static scales. See
// passes/quant/CalibrationPoints.h for how the two compilations agree on
// the layers.
//
//===----------------------------------------------------------------------===//

#ifndef DDL_LIB_COMPILER_CALIBRATION_H
#define DDL_LIB_COMPILER_CALIBRATION_H

#include "ddl/Compiler.h"

#include <cstddef>
#include <utility>
#include <vector>

namespace ddl {

/// The values one activation took over all samples: exact extremes and a
/// histogram over [-R, R] in kBins bins, R a power of two that doubles (two
/// bins merging into one, exactly) when a value falls outside.
class ActivationHistogram {
public:
  static constexpr size_t kBins = 4096;

  /// Adds `n` values; NaNs and infinities are not counted.
  void add(const float *values, size_t n);
  /// Whether any finite value was added.
  bool empty() const { return count == 0; }

  /// (lo, hi) by `calibrator` (CalibrationOptions::calibrator); lo <= 0 <=
  /// hi is not guaranteed (the quantizer widens to include 0 itself).
  std::pair<double, double> range(llvm::StringRef calibrator,
                                  double percentile) const;

private:
  std::pair<double, double> percentileRange(double percentile) const;
  std::pair<double, double> entropyRange() const;
  /// The histogram's bin width.
  double width() const { return 2 * radius / kBins; }

  std::vector<double> bins = std::vector<double>(kBins, 0.0);
  double radius = 0, count = 0;
  float lo = 0, hi = 0;
};

/// The calibrated (lo, hi) of each calibration point of `module` (numbered
/// now by quant::markCalibrationPoints), flattened as
/// CPUPipelineOptions::activationRanges takes them: NaN for a point that
/// saw no value. `options.calibration.source` is a directory of samples
/// (see CalibrationOptions) or a table file; the table is written to
/// `options.calibration.tableOutput` when that is set. Problems (no
/// samples, a missing or mismatched input, a failing run, a malformed
/// table) are diagnostics on the module.
mlir::FailureOr<std::vector<double>>
calibrateActivations(mlir::ModuleOp module, const CompileOptions &options);

} // namespace ddl

#endif // DDL_LIB_COMPILER_CALIBRATION_H
