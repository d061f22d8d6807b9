//===- Calibration.cpp - activation ranges for static int8 ----------------===//
//
// The calibration run: a float copy of the model that also returns each
// calibration point's activation (nn-expose-calibration-points), compiled
// for the host, loaded with the runtime and run on every sample; the
// values feed one ActivationHistogram per point, whose calibrator gives
// the range. Or a table of ranges an earlier run wrote.
//
//===----------------------------------------------------------------------===//

#include "lib/Compiler/Calibration.h"

#include "passes/quant/CalibrationPoints.h"

#include "ddl_run_io.h"
#include "ddl_runtime.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>

using namespace mlir;
using namespace ddl;

//===----------------------------------------------------------------------===//
// Histograms and calibrators
//===----------------------------------------------------------------------===//

void ActivationHistogram::add(const float *values, size_t n) {
  float batchLo = std::numeric_limits<float>::infinity();
  float batchHi = -batchLo;
  size_t finite = 0;
  for (size_t i = 0; i < n; ++i)
    if (std::isfinite(values[i])) {
      batchLo = std::min(batchLo, values[i]);
      batchHi = std::max(batchHi, values[i]);
      ++finite;
    }
  if (!finite)
    return;
  double magnitude = std::max(std::fabs(batchLo), std::fabs(batchHi));
  if (count == 0) {
    lo = batchLo;
    hi = batchHi;
    // The smallest power of two that holds the values (a tiny one for an
    // all-zero activation).
    radius = std::ldexp(1.0, -30);
    while (radius < magnitude)
      radius *= 2;
  } else {
    lo = std::min(lo, batchLo);
    hi = std::max(hi, batchHi);
    while (radius < magnitude) {
      // Twice the range: old bins 2j and 2j + 1 become new bin
      // kBins / 4 + j (the old range is the middle half of the new one).
      std::vector<double> merged(kBins, 0.0);
      for (size_t j = 0; j < kBins; ++j)
        merged[kBins / 4 + j / 2] += bins[j];
      bins = std::move(merged);
      radius *= 2;
    }
  }
  double scale = kBins / (2 * radius);
  for (size_t i = 0; i < n; ++i)
    if (std::isfinite(values[i])) {
      double at = (double(values[i]) + radius) * scale;
      bins[std::min<size_t>(size_t(std::max(at, 0.0)), kBins - 1)] += 1;
    }
  count += double(finite);
}

std::pair<double, double> ActivationHistogram::range(llvm::StringRef calibrator,
                                                     double percentile) const {
  if (empty())
    return {std::nan(""), std::nan("")};
  if (calibrator == "percentile")
    return percentileRange(percentile);
  if (calibrator == "entropy")
    return entropyRange();
  return {lo, hi};
}

std::pair<double, double>
ActivationHistogram::percentileRange(double percentile) const {
  double upper = count * percentile / 100, lower = count - upper;
  double seen = 0;
  double rangeLo = lo, rangeHi = hi;
  bool foundLo = false;
  for (size_t k = 0; k < kBins; ++k) {
    seen += bins[k];
    if (!foundLo && seen > lower) {
      rangeLo = -radius + double(k) * width();
      foundLo = true;
    }
    if (seen >= upper) {
      rangeHi = -radius + double(k + 1) * width();
      break;
    }
  }
  return {std::max<double>(rangeLo, lo), std::min<double>(rangeHi, hi)};
}

/// Moves a little mass to the zero entries of a distribution (ONNX
/// Runtime's smooth_distribution), so that KL(p || q) stays finite where q
/// has a zero p has not.
static void smooth(std::vector<double> &d) {
  constexpr double eps = 1e-4;
  size_t zeros = llvm::count(d, 0.0);
  size_t nonzeros = d.size() - zeros;
  if (!zeros || !nonzeros)
    return;
  double take = eps * double(zeros) / double(nonzeros);
  for (double &v : d)
    v = v == 0 ? eps : std::max(v - take, eps * 0.5);
}

std::pair<double, double> ActivationHistogram::entropyRange() const {
  // |x|: kBins / 2 bins over [0, radius].
  constexpr size_t half = kBins / 2, levels = 128;
  std::vector<double> magnitude(half);
  for (size_t j = 0; j < half; ++j)
    magnitude[j] = bins[half + j] + bins[half - 1 - j];
  // Every threshold of `levels` bins or more: P is the histogram clipped
  // there (the outliers added to its last bin), Q the clipped histogram
  // quantized to `levels` levels and spread back over P's nonzero bins;
  // the threshold of least KL(P || Q) wins (TensorRT's entropy
  // calibration, as ONNX Runtime implements it).
  double bestDivergence = std::numeric_limits<double>::infinity();
  size_t best = half;
  double tail = 0;
  for (size_t j = levels; j < half; ++j)
    tail += magnitude[j];
  for (size_t i = levels; i <= half; ++i) {
    std::vector<double> p(magnitude.begin(), magnitude.begin() + i);
    p[i - 1] += tail;
    if (i < half)
      tail -= magnitude[i];
    std::vector<double> q(i, 0.0);
    for (size_t level = 0; level < levels; ++level) {
      size_t start = level * i / levels, end = (level + 1) * i / levels;
      double mass = 0;
      size_t nonzero = 0;
      for (size_t k = start; k < end; ++k) {
        mass += magnitude[k];
        nonzero += p[k] != 0;
      }
      for (size_t k = start; k < end && nonzero; ++k)
        if (p[k] != 0)
          q[k] = mass / double(nonzero);
    }
    double pTotal = 0, qTotal = 0;
    for (size_t k = 0; k < i; ++k) {
      pTotal += p[k];
      qTotal += q[k];
    }
    if (pTotal == 0 || qTotal == 0)
      continue;
    for (size_t k = 0; k < i; ++k) {
      p[k] /= pTotal;
      q[k] /= qTotal;
    }
    smooth(p);
    smooth(q);
    double divergence = 0;
    for (size_t k = 0; k < i; ++k)
      if (p[k] > 0)
        divergence += p[k] * std::log(p[k] / q[k]);
    if (divergence < bestDivergence) {
      bestDivergence = divergence;
      best = i;
    }
  }
  double threshold = double(best) * width();
  return {std::max<double>(lo, -threshold), std::min<double>(hi, threshold)};
}

//===----------------------------------------------------------------------===//
// The calibration run
//===----------------------------------------------------------------------===//

namespace {

/// Owners of the runtime's objects.
struct RuntimeDeleter {
  void operator()(ddl_runtime *rt) const { ddl_runtime_destroy(rt); }
};
struct ModelDeleter {
  void operator()(ddl_model_handle *h) const { ddl_model_close(h); }
};
struct TensorDeleter {
  void operator()(ddl_tensor *t) const { ddl_tensor_destroy(t); }
};
using TensorPtr = std::unique_ptr<ddl_tensor, TensorDeleter>;

/// A temporary file removed when this goes out of scope.
struct TemporaryFile {
  llvm::SmallString<128> path;
  ~TemporaryFile() {
    if (!path.empty())
      llvm::sys::fs::remove(path);
  }
};

bool isTensorFile(llvm::StringRef path) {
  llvm::StringRef ext = llvm::sys::path::extension(path);
  return ext == ".npy" || ext == ".pb";
}

/// The files of `dir` (or its subdirectories, `wantDirectories`), sorted.
std::vector<std::string>
listDirectory(llvm::StringRef dir, bool wantDirectories, std::error_code &ec) {
  std::vector<std::string> entries;
  for (llvm::sys::fs::directory_iterator it(dir, ec), end; !ec && it != end;
       it.increment(ec)) {
    llvm::sys::fs::file_status status;
    if (llvm::sys::fs::status(it->path(), status))
      continue;
    bool isDirectory = llvm::sys::fs::is_directory(status);
    if (isDirectory == wantDirectories &&
        (isDirectory || isTensorFile(it->path())))
      entries.push_back(it->path());
  }
  llvm::sort(entries);
  return entries;
}

/// One sample: a tensor file per model input, in signature order.
using Sample = std::vector<std::string>;

/// The samples of `dir` for inputs `inputs`, or failure with `error` set.
FailureOr<std::vector<std::pair<std::string, Sample>>>
listSamples(llvm::StringRef dir, llvm::ArrayRef<const ddl_tensor_info *> inputs,
            std::string &error) {
  std::error_code ec;
  std::vector<std::pair<std::string, Sample>> samples;
  std::vector<std::string> files = listDirectory(dir, false, ec);
  std::vector<std::string> dirs;
  if (!ec)
    dirs = listDirectory(dir, true, ec);
  if (ec) {
    error = "cannot list '" + dir.str() + "': " + ec.message();
    return failure();
  }
  if (!files.empty()) {
    if (inputs.size() != 1) {
      error = "'" + files.front() +
              "' is a sample of a model with one "
              "input; this model has " +
              std::to_string(inputs.size()) +
              ": give each sample a directory with a file per input";
      return failure();
    }
    for (const std::string &file : files)
      samples.push_back({file, {file}});
  }
  for (const std::string &sampleDir : dirs) {
    Sample sample;
    std::vector<std::string> tensorFiles = listDirectory(sampleDir, false, ec);
    if (ec) {
      error = "cannot list '" + sampleDir + "': " + ec.message();
      return failure();
    }
    for (auto [i, info] : llvm::enumerate(inputs)) {
      std::string name = info->name ? info->name : "";
      std::string position = "input_" + std::to_string(i);
      SmallVector<std::string> candidates;
      // A name that is no file name ("x/y:0") is found by position only.
      if (!name.empty() && name.find('/') == std::string::npos)
        candidates.append({name + ".npy", name + ".pb"});
      candidates.append({position + ".npy", position + ".pb"});
      std::string found;
      for (const std::string &candidate : candidates) {
        llvm::SmallString<128> path(sampleDir);
        llvm::sys::path::append(path, candidate);
        if (llvm::sys::fs::is_regular_file(path)) {
          found = path.str().str();
          break;
        }
      }
      if (found.empty() && inputs.size() == 1 && tensorFiles.size() == 1)
        found = tensorFiles.front();
      if (found.empty()) {
        error = "sample '" + sampleDir + "' has no file for input '" + name +
                "' (expected " + llvm::join(candidates, ", ") + ")";
        return failure();
      }
      sample.push_back(found);
    }
    samples.push_back({sampleDir, std::move(sample)});
  }
  if (samples.empty()) {
    error = "no calibration samples in '" + dir.str() +
            "' (expected .npy or .pb files, or a directory per sample)";
    return failure();
  }
  return samples;
}

/// Reads one input of a sample (.npy, or an ONNX TensorProto).
TensorPtr readInput(const std::string &path, const ddl_tensor_info *info,
                    std::string &error) {
  char message[1024] = {0};
  ddl_tensor *tensor = nullptr;
  int rc = llvm::sys::path::extension(path) == ".pb"
               ? ddl_onnx_pb_read(path.c_str(), &tensor, nullptr, message,
                                  sizeof message)
               : ddl_npy_read(path.c_str(), info->dtype, &tensor, message,
                              sizeof message);
  if (rc != 0) {
    error = message;
    return nullptr;
  }
  return TensorPtr(tensor);
}

/// The layers numbered as calibration points, by number.
std::vector<Operation *> pointLayers(ModuleOp module, unsigned count) {
  std::vector<Operation *> layers(count, nullptr);
  module.walk([&](Operation *op) {
    if (std::optional<int64_t> point = quant::calibrationPoint(op))
      if (*point >= 0 && *point < int64_t(count) && !layers[*point])
        layers[*point] = op;
  });
  return layers;
}

/// What a table calls a layer: its location's names (the ONNX node's,
/// without the model file's path, so that a table follows the model when
/// it moves), else the location as printed.
std::string locationText(Operation *op) {
  if (!op)
    return "";
  std::string text;
  llvm::raw_string_ostream os(text);
  op->getLoc()->walk([&](Location loc) {
    if (auto name = dyn_cast<NameLoc>(loc))
      os << (text.empty() ? "" : "; ") << name.getName().getValue();
    return WalkResult::advance();
  });
  if (text.empty())
    op->getLoc().print(os);
  return text;
}

/// Measures the ranges by running the calibration model on the samples of
/// `dir`: one histogram per point.
LogicalResult measure(ModuleOp module, const CompileOptions &options,
                      unsigned count,
                      std::vector<ActivationHistogram> &histograms,
                      size_t &sampleCount) {
  auto fail = [&](const llvm::Twine &message) {
    return module.emitError() << "calibration: " << message;
  };
  llvm::StringRef dir = options.calibration.source;

  // The calibration model: float, for the host, returning the points.
  OwningOpRef<ModuleOp> copy(module.clone());
  CompileOptions calibrationOptions;
  calibrationOptions.target = "host";
  calibrationOptions.optLevel = options.optLevel;
  calibrationOptions.pipeline = options.pipeline;
  calibrationOptions.pipeline.quantize.clear();
  calibrationOptions.pipeline.activationRanges.clear();
  calibrationOptions.pipeline.exposeCalibrationPoints = true;
  calibrationOptions.pipeline.printSchedules = false;
  calibrationOptions.pipeline.reportSchedules = false;
  TemporaryFile library;
  if (llvm::sys::fs::createTemporaryFile("ddl-calibration", "so", library.path))
    return fail("cannot create a temporary file for the calibration model");
  if (failed(compileToSharedObject(*copy, calibrationOptions, library.path,
                                   /*headerPath=*/"")))
    return fail("the float model for the calibration run did not compile");

  ddl_runtime *rawRuntime = nullptr;
  if (ddl_runtime_create(0, &rawRuntime) != DDL_OK)
    return fail(llvm::Twine("cannot start the runtime: ") + ddl_last_error());
  std::unique_ptr<ddl_runtime, RuntimeDeleter> runtime(rawRuntime);
  ddl_model_handle *rawModel = nullptr;
  if (ddl_model_open(runtime.get(), library.path.c_str(), &rawModel) != DDL_OK)
    return fail(llvm::Twine("cannot load the calibration model: ") +
                ddl_last_error());
  std::unique_ptr<ddl_model_handle, ModelDeleter> model(rawModel);

  std::vector<const ddl_tensor_info *> inputs;
  for (size_t i = 0; i < ddl_model_num_inputs(model.get()); ++i) {
    const ddl_tensor_info *info = ddl_model_input_info(model.get(), i);
    if (info->kind != DDL_IO_TENSOR)
      return fail(llvm::Twine("input '") + (info->name ? info->name : "") +
                  "' is not a tensor; calibration feeds tensor inputs only");
    inputs.push_back(info);
  }
  // Output index -> point number.
  size_t numOutputs = ddl_model_num_outputs(model.get());
  std::vector<std::pair<size_t, unsigned>> pointOutputs;
  for (size_t i = 0; i < numOutputs; ++i) {
    const ddl_tensor_info *info = ddl_model_output_info(model.get(), i);
    llvm::StringRef name = info->name ? info->name : "";
    unsigned point;
    if (name.consume_front(quant::kCalibrationOutputPrefix) &&
        !name.getAsInteger(10, point) && point < count)
      pointOutputs.push_back({i, point});
  }

  std::string error;
  auto samples = listSamples(dir, inputs, error);
  if (failed(samples))
    return fail(error);
  for (const auto &[sampleName, files] : *samples) {
    std::vector<TensorPtr> owned;
    std::vector<const ddl_tensor *> args;
    for (auto [file, info] : llvm::zip_equal(files, inputs)) {
      owned.push_back(readInput(file, info, error));
      if (!owned.back())
        return fail(error);
      args.push_back(owned.back().get());
    }
    std::vector<ddl_tensor *> outputs(numOutputs, nullptr);
    ddl_status status = ddl_model_run(model.get(), args.data(), args.size(),
                                      outputs.data(), outputs.size());
    std::vector<TensorPtr> results;
    for (ddl_tensor *t : outputs)
      results.emplace_back(t);
    if (status != DDL_OK)
      return fail("the float model failed on sample '" + sampleName +
                  "': " + ddl_last_error());
    for (auto [index, point] : pointOutputs) {
      const ddl_tensor *t = results[index].get();
      if (ddl_tensor_dtype(t) != DDL_DTYPE_FLOAT)
        continue;
      histograms[point].add(static_cast<const float *>(ddl_tensor_data(t)),
                            size_t(ddl_tensor_num_elements(t)));
    }
  }
  sampleCount = samples->size();
  return success();
}

/// Reads a table written by writeTable: `number lo hi location` lines.
FailureOr<std::vector<double>> readTable(ModuleOp module, llvm::StringRef path,
                                         unsigned count) {
  auto file = llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!file)
    return module.emitError() << "calibration: cannot read '" << path
                              << "': " << file.getError().message();
  std::vector<Operation *> layers = pointLayers(module, count);
  std::vector<double> ranges(2 * count, std::nan(""));
  SmallVector<llvm::StringRef> lines;
  (*file)->getBuffer().split(lines, '\n');
  for (size_t i = 0; i < lines.size(); ++i) {
    llvm::StringRef line = lines[i].trim();
    if (line.empty() || line.starts_with("#"))
      continue;
    auto bad = [&](const llvm::Twine &why) {
      return module.emitError() << "calibration table '" << path << "' line "
                                << i + 1 << ": " << why;
    };
    auto [numberText, rest] = line.split(' ');
    auto [loText, rest2] = rest.trim().split(' ');
    auto [hiText, location] = rest2.trim().split(' ');
    unsigned number;
    double lo, hi;
    if (numberText.getAsInteger(10, number) || loText.getAsDouble(lo) ||
        hiText.getAsDouble(hi))
      return bad("expected `number lo hi location`, not '" + line + "'");
    if (number >= count)
      return bad("point " + llvm::Twine(number) + ", but this model has " +
                 llvm::Twine(count) +
                 " calibration points: the table was made for another model");
    std::string here = locationText(layers[number]);
    if (location.trim() != here)
      return bad("point " + llvm::Twine(number) + " is the layer at " + here +
                 " in this model, at " + location.trim() +
                 " in the table: the table was made for another model");
    ranges[2 * number] = lo;
    ranges[2 * number + 1] = hi;
  }
  return ranges;
}

LogicalResult writeTable(ModuleOp module, llvm::StringRef path,
                         const CalibrationOptions &calibration, size_t samples,
                         llvm::ArrayRef<double> ranges) {
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_Text);
  if (ec)
    return module.emitError()
           << "calibration: cannot write '" << path << "': " << ec.message();
  unsigned count = ranges.size() / 2;
  std::vector<Operation *> layers = pointLayers(module, count);
  os << "# ddl calibration table: one calibration point per line: its "
        "number, lo, hi, the layer's location\n"
     << "# calibrator " << calibration.calibrator;
  if (calibration.calibrator == "percentile")
    os << " " << llvm::format("%.10g", calibration.percentile);
  os << ", " << samples << " samples\n";
  for (unsigned i = 0; i < count; ++i) {
    if (std::isnan(ranges[2 * i]))
      continue;
    os << i << " " << llvm::formatv("{0:e9}", ranges[2 * i]) << " "
       << llvm::formatv("{0:e9}", ranges[2 * i + 1]) << " "
       << locationText(layers[i]) << "\n";
  }
  if (os.has_error())
    return module.emitError() << "calibration: cannot write '" << path
                              << "': " << os.error().message();
  return success();
}

} // namespace

FailureOr<std::vector<double>>
ddl::calibrateActivations(ModuleOp module, const CompileOptions &options) {
  const CalibrationOptions &calibration = options.calibration;
  unsigned count = quant::markCalibrationPoints(module);
  std::vector<double> ranges;
  size_t samples = 0;
  if (llvm::sys::fs::is_directory(calibration.source)) {
    std::vector<ActivationHistogram> histograms(count);
    if (failed(measure(module, options, count, histograms, samples)))
      return failure();
    for (const ActivationHistogram &h : histograms) {
      auto [lo, hi] = h.range(calibration.calibrator, calibration.percentile);
      ranges.push_back(lo);
      ranges.push_back(hi);
    }
  } else if (isTensorFile(calibration.source)) {
    return module.emitError()
           << "calibration: '" << calibration.source
           << "' is a tensor file; --calibration takes a directory of "
              "samples (a one-input model's may be .npy files) or a "
              "calibration table";
  } else if (llvm::sys::fs::exists(calibration.source)) {
    FailureOr<std::vector<double>> table =
        readTable(module, calibration.source, count);
    if (failed(table))
      return failure();
    ranges = std::move(*table);
  } else {
    return module.emitError()
           << "calibration: '" << calibration.source
           << "' does not exist (--calibration takes a directory of samples "
              "or a calibration table)";
  }
  if (!calibration.tableOutput.empty() &&
      failed(writeTable(module, calibration.tableOutput, calibration, samples,
                        ranges)))
    return failure();
  return ranges;
}
