//===- Model.h - the learned cost model (XGBoost) ------------------*- C++
//-*-===//
//
// Two gradient-boosted tree ensembles over the features of Features.h,
// through libxgboost's C API: a ranker (`rank:pairwise`, candidates of one
// kernel form a group; a higher score is a faster schedule) that the search
// and untuned compiles use to order candidates, and a regression head
// (`reg:squarederror` on log2 of the latency in microseconds) that estimates
// latencies (the tuning curve, and whether the ranker's pick is worth
// leaving the heuristic's schedule for).
//
// Saved as one JSON document: {"format": "ddl-cost-model", "schema": N,
// "target": ISA, "samples": count, "ranker": "<XGBoost JSON model>",
// "latency": "<XGBoost JSON model>"} (the ensembles as strings, byte for
// byte as XGBoost wrote them).
//
//===----------------------------------------------------------------------===//

#ifndef DDL_COST_MODEL_MODEL_H
#define DDL_COST_MODEL_MODEL_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <string>
#include <vector>

namespace ddl::cost {

/// Measured schedules: one row of features and one latency each, grouped
/// by kernel (rows of a group are consecutive).
struct Dataset {
  std::vector<std::vector<float>> rows;
  std::vector<double> latencyMs;
  std::vector<unsigned> groupSizes;

  /// Appends a group of rows (one kernel's candidates).
  void addGroup(const std::vector<std::vector<float>> &groupRows,
                const std::vector<double> &groupLatencies);
  size_t size() const { return rows.size(); }
};

struct TrainOptions {
  unsigned rounds = 60;
  unsigned maxDepth = 6;
  double learningRate = 0.2;
  /// Continue from this model's trees (fine-tuning a prior), if set.
  const class CostModel *prior = nullptr;
};

class CostModel {
public:
  CostModel(CostModel &&);
  CostModel &operator=(CostModel &&);
  ~CostModel();

  static llvm::Expected<CostModel> train(const Dataset &data,
                                         llvm::StringRef target,
                                         const TrainOptions &options = {});
  /// Reads a saved model (the JSON text of save()).
  static llvm::Expected<CostModel> fromJSON(llvm::StringRef text);
  static llvm::Expected<CostModel> load(llvm::StringRef path);
  std::string toJSON() const;
  llvm::Error save(llvm::StringRef path) const;

  /// Ranking scores (higher is faster; only their order means anything).
  std::vector<float> rank(const std::vector<std::vector<float>> &rows) const;
  /// Estimated latencies in milliseconds.
  std::vector<double>
  predictLatency(const std::vector<std::vector<float>> &rows) const;

  /// The ISA the training measurements were taken on.
  llvm::StringRef target() const { return target_; }
  size_t samples() const { return samples_; }

private:
  struct Impl;
  explicit CostModel(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl;
  std::string target_;
  size_t samples_ = 0;
};

/// The fraction of pairs (of one group, with latencies more than `margin`
/// apart relatively) that `scores` orders like the latencies (a higher
/// score for the faster one).
double pairwiseAccuracy(const Dataset &data, const std::vector<float> &scores,
                        double margin = 0.02);

/// Spearman's rank correlation between -scores and the latencies, averaged
/// over the groups of at least 3 rows.
double spearman(const Dataset &data, const std::vector<float> &scores);

} // namespace ddl::cost

#endif // DDL_COST_MODEL_MODEL_H
