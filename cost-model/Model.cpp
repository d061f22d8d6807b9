//===- Model.cpp - the learned cost model (XGBoost) -----------------------===//

#include "cost-model/Model.h"
#include "cost-model/Features.h"
#include "cost-model/TuningDatabase.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <xgboost/c_api.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

using namespace ddl::cost;

void Dataset::addGroup(const std::vector<std::vector<float>> &groupRows,
                       const std::vector<double> &groupLatencies) {
  if (groupRows.empty())
    return;
  rows.insert(rows.end(), groupRows.begin(), groupRows.end());
  latencyMs.insert(latencyMs.end(), groupLatencies.begin(),
                   groupLatencies.end());
  groupSizes.push_back(groupRows.size());
}

static llvm::Error xgbError(const char *what) {
  // The first line: XGBoost appends a stack trace.
  llvm::StringRef last = XGBGetLastError();
  return llvm::createStringError(std::string("xgboost: ") + what + ": " +
                                 last.split('\n').first.trim().str());
}

namespace {
/// Owns an XGBoost handle.
template <int (*Free)(void *)> struct Handle {
  void *handle = nullptr;
  Handle() = default;
  Handle(const Handle &) = delete;
  Handle &operator=(const Handle &) = delete;
  ~Handle() {
    if (handle)
      Free(handle);
  }
};
int freeMatrix(void *h) { return XGDMatrixFree(h); }
int freeBooster(void *h) { return XGBoosterFree(h); }
using Matrix = Handle<freeMatrix>;
using Booster = Handle<freeBooster>;
} // namespace

struct CostModel::Impl {
  Booster ranker, latency;
};

CostModel::CostModel(std::unique_ptr<Impl> impl) : impl(std::move(impl)) {}
CostModel::CostModel(CostModel &&) = default;
CostModel &CostModel::operator=(CostModel &&) = default;
CostModel::~CostModel() = default;

/// A DMatrix of `rows` (all of one width).
static llvm::Error makeMatrix(const std::vector<std::vector<float>> &rows,
                              Matrix &out) {
  size_t width = featureNames().size();
  std::vector<float> flat;
  flat.reserve(rows.size() * width);
  for (const std::vector<float> &row : rows) {
    if (row.size() != width)
      return llvm::createStringError(
          "a feature row has " + std::to_string(row.size()) +
          " values, the schema " + std::to_string(width));
    flat.insert(flat.end(), row.begin(), row.end());
  }
  if (XGDMatrixCreateFromMat(flat.data(), rows.size(), width, NAN, &out.handle))
    return xgbError("cannot make a matrix");
  return llvm::Error::success();
}

static llvm::Error
setParams(void *booster,
          std::initializer_list<std::pair<const char *, std::string>> params) {
  for (auto &[name, value] : params)
    if (XGBoosterSetParam(booster, name, value.c_str()))
      return xgbError("cannot set a parameter");
  return llvm::Error::success();
}

/// Loads the JSON text of one ensemble into `booster`.
static llvm::Error loadEnsemble(void *booster, llvm::StringRef json) {
  if (XGBoosterLoadModelFromBuffer(booster, json.data(), json.size()))
    return xgbError("cannot read an ensemble");
  return llvm::Error::success();
}

static std::string saveEnsemble(void *booster) {
  bst_ulong length = 0;
  const char *bytes = nullptr;
  if (XGBoosterSaveModelToBuffer(booster, "{\"format\": \"json\"}", &length,
                                 &bytes))
    return {};
  return std::string(bytes, length);
}

/// Relevance for pairwise ranking: per group, 64 - 10 log2(latency /
/// best), at least 0: a unit is about 7%, and schedules up to 84x slower
/// than the best are still ordered (random schedules are mostly several
/// times slower; grades that stopped at 3x made their pairs ties).
static std::vector<float> grades(const Dataset &data) {
  std::vector<float> labels(data.size());
  size_t begin = 0;
  for (unsigned size : data.groupSizes) {
    double best = *std::min_element(data.latencyMs.begin() + begin,
                                    data.latencyMs.begin() + begin + size);
    for (size_t i = begin; i < begin + size; ++i) {
      double slower = std::log2(data.latencyMs[i] / std::max(best, 1e-9));
      labels[i] = float(std::max(0.0, 64.0 - 10.0 * slower));
    }
    begin += size;
  }
  return labels;
}

llvm::Expected<CostModel> CostModel::train(const Dataset &data,
                                           llvm::StringRef target,
                                           const TrainOptions &options) {
  if (data.size() == 0)
    return llvm::createStringError("no measurements to train on");
  Matrix matrix;
  if (llvm::Error error = makeMatrix(data.rows, matrix))
    return std::move(error);
  std::vector<float> rankLabels = grades(data);
  std::vector<float> logLatency;
  for (double ms : data.latencyMs)
    logLatency.push_back(float(std::log2(std::max(ms, 1e-6) * 1000.0)));
  std::vector<unsigned> groups = data.groupSizes;
  if (XGDMatrixSetUIntInfo(matrix.handle, "group", groups.data(),
                           groups.size()))
    return xgbError("cannot set the groups");

  auto impl = std::make_unique<Impl>();
  auto build = [&](Booster &booster, const std::vector<float> &labels,
                   const char *objective,
                   const std::string &prior) -> llvm::Error {
    if (XGDMatrixSetFloatInfo(matrix.handle, "label", labels.data(),
                              labels.size()))
      return xgbError("cannot set the labels");
    if (XGBoosterCreate(&matrix.handle, 1, &booster.handle))
      return xgbError("cannot create a booster");
    if (!prior.empty())
      if (llvm::Error error = loadEnsemble(booster.handle, prior))
        return error;
    if (llvm::Error error = setParams(
            booster.handle, {{"objective", objective},
                             {"max_depth", std::to_string(options.maxDepth)},
                             {"eta", std::to_string(options.learningRate)},
                             {"min_child_weight", "1"},
                             {"subsample", "0.9"},
                             {"colsample_bytree", "0.9"},
                             {"seed", "7"},
                             {"nthread", "2"},
                             {"verbosity", "0"}}))
      return error;
    for (unsigned round = 0; round < options.rounds; ++round)
      if (XGBoosterUpdateOneIter(booster.handle, round, matrix.handle))
        return xgbError("training failed");
    return llvm::Error::success();
  };
  std::string priorRanker, priorLatency;
  if (options.prior) {
    priorRanker = saveEnsemble(options.prior->impl->ranker.handle);
    priorLatency = saveEnsemble(options.prior->impl->latency.handle);
  }
  if (llvm::Error error =
          build(impl->ranker, rankLabels, "rank:pairwise", priorRanker))
    return std::move(error);
  if (llvm::Error error =
          build(impl->latency, logLatency, "reg:squarederror", priorLatency))
    return std::move(error);
  CostModel model(std::move(impl));
  model.target_ = target.str();
  model.samples_ = data.size() + (options.prior ? options.prior->samples_ : 0);
  return model;
}

llvm::Expected<CostModel> CostModel::fromJSON(llvm::StringRef text) {
  auto bad = [](const llvm::Twine &why) {
    return llvm::createStringError("cost model: " + why);
  };
  llvm::Expected<llvm::json::Value> parsed = llvm::json::parse(text);
  if (!parsed)
    return bad("not JSON: " + llvm::toString(parsed.takeError()));
  const llvm::json::Object *object = parsed->getAsObject();
  if (!object || object->getString("format") != "ddl-cost-model")
    return bad("not a ddl cost model (no \"format\": \"ddl-cost-model\")");
  std::optional<int64_t> schema = object->getInteger("schema");
  if (schema != kFeatureSchemaVersion)
    return bad("feature schema " +
               (schema ? std::to_string(*schema) : std::string("missing")) +
               ", this ddl extracts schema " +
               std::to_string(kFeatureSchemaVersion) + " (retrain it)");
  const llvm::json::Value *ranker = object->get("ranker");
  const llvm::json::Value *latency = object->get("latency");
  if (!ranker || !latency)
    return bad("missing \"ranker\" or \"latency\"");
  auto impl = std::make_unique<Impl>();
  for (auto [booster, json] :
       {std::pair{&impl->ranker, ranker}, std::pair{&impl->latency, latency}}) {
    // XGBoost's own JSON, kept as a string: re-serializing it would turn
    // its floats that happen to be whole into integers, which it rejects.
    std::optional<llvm::StringRef> ensemble = json->getAsString();
    if (!ensemble)
      return bad("\"ranker\" and \"latency\" must be strings (XGBoost "
                 "JSON models)");
    if (XGBoosterCreate(nullptr, 0, &booster->handle))
      return xgbError("cannot create a booster");
    if (llvm::Error error = loadEnsemble(booster->handle, *ensemble))
      return std::move(error);
    bst_ulong features = 0;
    if (XGBoosterGetNumFeature(booster->handle, &features) ||
        features != featureNames().size())
      return bad("an ensemble takes " + std::to_string(features) +
                 " features, schema " + std::to_string(kFeatureSchemaVersion) +
                 " has " + std::to_string(featureNames().size()));
    if (llvm::Error error = setParams(booster->handle, {{"nthread", "1"}}))
      return std::move(error);
  }
  CostModel model(std::move(impl));
  model.target_ = object->getString("target").value_or("").str();
  model.samples_ =
      size_t(std::max<int64_t>(0, object->getInteger("samples").value_or(0)));
  return model;
}

llvm::Expected<CostModel> CostModel::load(llvm::StringRef path) {
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buffer =
      llvm::MemoryBuffer::getFile(path);
  if (!buffer)
    return llvm::createStringError("cannot read cost model '" + path +
                                   "': " + buffer.getError().message());
  llvm::Expected<CostModel> model = fromJSON((*buffer)->getBuffer());
  if (!model)
    return llvm::createStringError(path + ": " +
                                   llvm::toString(model.takeError()));
  return model;
}

std::string CostModel::toJSON() const {
  auto ensemble = [](void *booster) -> llvm::json::Value {
    return saveEnsemble(booster);
  };
  llvm::json::Object object{{"format", "ddl-cost-model"},
                            {"schema", kFeatureSchemaVersion},
                            {"target", target_},
                            {"samples", int64_t(samples_)},
                            {"ranker", ensemble(impl->ranker.handle)},
                            {"latency", ensemble(impl->latency.handle)}};
  std::string text;
  llvm::raw_string_ostream(text) << llvm::json::Value(std::move(object));
  return text;
}

llvm::Error CostModel::save(llvm::StringRef path) const {
  std::error_code error;
  llvm::raw_fd_ostream os(path, error);
  if (error)
    return llvm::createStringError("cannot write '" + path +
                                   "': " + error.message());
  os << toJSON() << "\n";
  return closeOutput(os, path);
}

/// Predictions of `booster` for `rows` (NaN-free; empty on an error).
static std::vector<float> predict(void *booster,
                                  const std::vector<std::vector<float>> &rows) {
  if (rows.empty())
    return {};
  Matrix matrix;
  if (llvm::Error error = makeMatrix(rows, matrix)) {
    llvm::consumeError(std::move(error));
    return std::vector<float>(rows.size(), 0.0f);
  }
  bst_ulong length = 0;
  const float *out = nullptr;
  if (XGBoosterPredict(booster, matrix.handle, 0, 0, 0, &length, &out) ||
      length != rows.size())
    return std::vector<float>(rows.size(), 0.0f);
  // Non-finite predictions would break the sorts that use them.
  std::vector<float> values(out, out + length);
  for (float &v : values)
    if (!std::isfinite(v))
      v = -std::numeric_limits<float>::infinity();
  return values;
}

std::vector<float>
CostModel::rank(const std::vector<std::vector<float>> &rows) const {
  return predict(impl->ranker.handle, rows);
}

std::vector<double>
CostModel::predictLatency(const std::vector<std::vector<float>> &rows) const {
  std::vector<double> ms;
  for (float log2us : predict(impl->latency.handle, rows))
    ms.push_back(std::exp2(double(log2us)) / 1000.0);
  return ms;
}

double ddl::cost::pairwiseAccuracy(const Dataset &data,
                                   const std::vector<float> &scores,
                                   double margin) {
  size_t agree = 0, pairs = 0, begin = 0;
  for (unsigned size : data.groupSizes) {
    for (size_t i = begin; i < begin + size; ++i)
      for (size_t j = i + 1; j < begin + size; ++j) {
        double a = data.latencyMs[i], b = data.latencyMs[j];
        if (std::abs(a - b) <= margin * std::min(a, b))
          continue;
        // A tie in the scores is half right.
        pairs += 2;
        if (scores[i] == scores[j])
          agree += 1;
        else if ((a < b) == (scores[i] > scores[j]))
          agree += 2;
      }
    begin += size;
  }
  return pairs ? double(agree) / pairs : 0.0;
}

/// Average ranks (ties share the mean rank).
static std::vector<double> ranks(const std::vector<double> &values) {
  std::vector<size_t> order(values.size());
  std::iota(order.begin(), order.end(), 0);
  llvm::sort(order, [&](size_t a, size_t b) { return values[a] < values[b]; });
  std::vector<double> result(values.size());
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j + 1 < order.size() && values[order[j + 1]] == values[order[i]])
      ++j;
    for (size_t t = i; t <= j; ++t)
      result[order[t]] = (i + j) / 2.0;
    i = j + 1;
  }
  return result;
}

double ddl::cost::spearman(const Dataset &data,
                           const std::vector<float> &scores) {
  double total = 0;
  unsigned groups = 0;
  size_t begin = 0;
  for (unsigned size : data.groupSizes) {
    if (size >= 3) {
      std::vector<double> latency(data.latencyMs.begin() + begin,
                                  data.latencyMs.begin() + begin + size);
      std::vector<double> negated;
      for (size_t i = begin; i < begin + size; ++i)
        negated.push_back(-scores[i]);
      std::vector<double> a = ranks(latency), b = ranks(negated);
      double meanA = std::accumulate(a.begin(), a.end(), 0.0) / size;
      double meanB = std::accumulate(b.begin(), b.end(), 0.0) / size;
      double cov = 0, varA = 0, varB = 0;
      for (size_t i = 0; i < size; ++i) {
        cov += (a[i] - meanA) * (b[i] - meanB);
        varA += (a[i] - meanA) * (a[i] - meanA);
        varB += (b[i] - meanB) * (b[i] - meanB);
      }
      if (varA > 0 && varB > 0) {
        total += cov / std::sqrt(varA * varB);
        ++groups;
      }
    }
    begin += size;
  }
  return groups ? total / groups : 0.0;
}
