//===- Plot.h - SVG charts of a tuning run ------------------------*- C++
//-*-===//

#ifndef DDL_COST_MODEL_PLOT_H
#define DDL_COST_MODEL_PLOT_H

#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace ddl::cost {

struct Series {
  std::string label;
  std::string color;
  std::vector<double> x, y;
};

/// Writes an SVG with two panels: `curves` (lines: the tuning curves,
/// estimated end-to-end latency against trials) and `scatter` (points:
/// predicted against measured latency, with the y = x line).
llvm::Error writeTuningPlot(llvm::StringRef path, llvm::StringRef title,
                            const std::vector<Series> &curves,
                            const Series &scatter);

} // namespace ddl::cost

#endif // DDL_COST_MODEL_PLOT_H
