//===- ddl-tune.cpp - tunes a model's kernel schedules --------------------===//
//
//   ddl-tune model.onnx --target=host --trials 2000 --db tuning.jsonl
//            [--time-budget 10m] [--jobs N] [--plot tuning.svg]
//
// Extracts the model's scheduled kernels (deduplicated by key, weighted by
// how often they occur), measures the heuristic's schedule of each, splits
// the trial budget by each kernel's share of the estimated run time, tunes
// them one by one with the cost model's guidance (cost-model/Search.h),
// appends the best schedule of each to the tuning database (and every
// measurement to the trial log), and prints a summary. A database that
// already has a kernel's record resumes past it. `ddlc --tuning-db` replays
// the database.
//
//===----------------------------------------------------------------------===//

#include "cost-model/Features.h"
#include "cost-model/Measure.h"
#include "cost-model/Plot.h"
#include "cost-model/Search.h"
#include "cost-model/ShippedModel.h"
#include "cost-model/Training.h"
#include "cost-model/TuningDatabase.h"
#include "ddl/Compiler.h"
#include "ddl/Diagnostics.h"
#include "ddl/InitAll.h"
#include "ddl/Pipelines.h"
#include "dialects/nn/NNDialect.h"
#include "frontends/onnx/ONNXImporter.h"
#include "passes/codegen/Passes.h"
#include "passes/codegen/Schedules.h"
#include "passes/graph/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/WithColor.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

#include <map>

#include <chrono>
#include <cmath>

using namespace mlir;
using namespace ddl;
using namespace ddl::cost;
namespace cl = llvm::cl;

static cl::opt<std::string> inputPath(cl::Positional, cl::Optional,
                                      cl::desc("<model.onnx | graph.mlir>"));
static cl::list<std::string>
    kernelKeysOption("kernel",
                     cl::desc("Tune this kernel key (static sizes) instead "
                              "of a model's kernels (repeatable)"),
                     cl::value_desc("key"));
static cl::opt<std::string>
    spaceGrid("space",
              cl::desc("Schedule grid: full (default) or reduced (a few "
                       "hundred schedules a kernel)"),
              cl::init("full"));
static cl::opt<bool> exhaustive(
    "exhaustive",
    cl::desc("Measure every schedule of the grid (use --space=reduced)"));
static cl::opt<std::string> simulate(
    "simulate",
    cl::desc("Take measurements from this trial log (an exhaustive run) "
             "instead of measuring: replays searches offline"),
    cl::value_desc("trials.jsonl"));
static cl::list<std::string>
    trainLogs("train", cl::CommaSeparated,
              cl::desc("Train a cost model on these trial logs and write it "
                       "to --save-model (no tuning)"),
              cl::value_desc("trials.jsonl,..."));
static cl::opt<std::string> evaluateLog(
    "evaluate",
    cl::desc("Print the ranking quality of --cost-model on this trial log "
             "(pairwise accuracy, Spearman) as JSON (no tuning)"),
    cl::value_desc("trials.jsonl"));
static cl::opt<unsigned> depth("depth", cl::desc("--train: tree depth"),
                               cl::init(6));
static cl::opt<unsigned> rounds("rounds", cl::desc("--train: boosting rounds"),
                                cl::init(60));
static cl::opt<std::string> targetName("target",
                                       cl::desc("CPU target (host; the kernels "
                                                "run on this machine)"),
                                       cl::init("host"));
static cl::opt<unsigned> trials("trials",
                                cl::desc("Measurements in all (default 2000)"),
                                cl::init(2000));
static cl::opt<unsigned> trialsPerKernel(
    "trials-per-kernel",
    cl::desc("Give every kernel this many measurements instead of a share "
             "of --trials"),
    cl::init(0));
static cl::opt<std::string> dbPath("db",
                                   cl::desc("Tuning database (JSON "
                                            "lines; appended, resumed)"),
                                   cl::init("tuning.jsonl"));
static cl::opt<std::string>
    logPath("log", cl::desc("Trial log (default: <db without .jsonl>"
                            ".trials.jsonl)"));
static cl::opt<std::string>
    timeBudget("time-budget",
               cl::desc("Stop measuring after this long: 90s, 10m, 1h"));
static cl::opt<unsigned> jobs("jobs", cl::desc("Parallel candidate compiles"),
                              cl::init(0));
static cl::opt<std::string> plotPath("plot",
                                     cl::desc("Write the tuning curve and the "
                                              "predicted-vs-measured scatter "
                                              "(SVG)"));
static cl::opt<bool> compareRandom(
    "compare-random",
    cl::desc("Also run random search on the same budgets (for the plot and "
             "the summary; doubles the time)"));
static cl::opt<std::string> searchStrategy("search",
                                           cl::desc("model (default) or "
                                                    "random"),
                                           cl::init("model"));
static cl::opt<std::string>
    costModelPath("cost-model",
                  cl::desc("The prior cost model (default: the shipped one; "
                           "'none': start from random search)"));
static cl::opt<std::string>
    saveModel("save-model", cl::desc("Write the model retrained on this "
                                     "run's measurements"));
static cl::list<std::string>
    dims("dim", cl::CommaSeparated,
         cl::desc("Size a dynamic dimension symbol is measured at "
                  "(batch=1,seq=128; default batch-like symbols 1, others "
                  "128)"),
         cl::value_desc("symbol=size"));
static cl::opt<unsigned> threads("kernel-threads",
                                 cl::desc("Threads a kernel runs on (default "
                                          "the online CPUs)"),
                                 cl::init(0));
static cl::opt<unsigned>
    runs("runs", cl::desc("Timed runs per candidate (median)"), cl::init(20));
static cl::opt<unsigned> timeout("timeout",
                                 cl::desc("Seconds a candidate's compile or "
                                          "run may take"),
                                 cl::init(60));
static cl::opt<unsigned>
    batchSize("batch", cl::desc("Candidates measured per round"), cl::init(8));
static cl::opt<unsigned> patience(
    "patience",
    cl::desc("Stop a kernel after this many rounds without a 1% gain (0: "
             "use its whole budget)"),
    cl::init(0));
static cl::opt<unsigned> seed("seed", cl::init(1),
                              cl::desc("Random seed of the search"));
static cl::opt<bool> retune("retune",
                            cl::desc("Tune kernels the database already "
                                     "has (the new records win when "
                                     "faster)"));
static cl::opt<bool> quiet("quiet", cl::desc("No progress lines"));
static cl::opt<std::string> ddlcPath("ddlc", cl::Hidden,
                                     cl::desc("The ddlc candidates are "
                                              "compiled with (default: next "
                                              "to ddl-tune)"));
static cl::opt<std::string> ddlRunPath("ddl-run", cl::Hidden,
                                       cl::desc("The ddl-run candidates are "
                                                "timed with"));

namespace {
struct Kernel {
  std::string key;
  KernelDesc desc, concrete;
  unsigned count = 0;
  Schedule defaultSchedule;
  Measurement defaultMeasurement;
  unsigned budget = 0;
  std::optional<TuningResult> tuned, random;
  std::string skipped;
  /// Measured as the model's own ops cut out (else as the key's GEMM).
  bool cut = false;
  /// The heuristic's and the chosen schedule's latencies re-measured
  /// together at the end (0 until then).
  double confirmedDefaultMs = 0, confirmedMs = 0;
};
} // namespace

static int fail(const llvm::Twine &message) {
  llvm::WithColor::error(llvm::errs(), "ddl-tune") << message << "\n";
  return 1;
}

/// "90s", "10m", "1h", "600" (seconds) -> seconds, or -1.
static double parseDuration(llvm::StringRef text) {
  double scale = 1;
  if (text.consume_back("s"))
    scale = 1;
  else if (text.consume_back("m"))
    scale = 60;
  else if (text.consume_back("h"))
    scale = 3600;
  double value;
  // At most a year: the deadline must stay a finite time point.
  if (text.getAsDouble(value) || !std::isfinite(value) || value <= 0 ||
      value * scale > 365 * 86400.0)
    return -1;
  return value * scale;
}

/// The kernel keys of `module` after graph-to-linalg and schedule
/// selection, in walk order.
/// A kernel of a model: its key and the location of the op that carries
/// it (the location of the nn op it was lowered from).
struct KernelSite {
  std::string key;
  Location loc;
};

static FailureOr<std::vector<KernelSite>>
kernelSites(ModuleOp module, const CPUPipelineOptions &options) {
  PassManager pm(module.getContext());
  buildGraphToLinalgPipeline(pm, options);
  codegen::DDLSelectSchedulesPassOptions select;
  select.target = options.target;
  select.policy = "heuristic";
  pm.addPass(codegen::createDDLSelectSchedulesPass(select));
  if (failed(pm.run(module)))
    return failure();
  std::vector<KernelSite> sites;
  module.walk([&](Operation *op) {
    if (auto key = op->getAttrOfType<StringAttr>(codegen::kKernelKeyAttr))
      sites.push_back({key.str(), op->getLoc()});
  });
  return sites;
}

/// The graph of the kernel at `loc`: the model's nn ops at that location
/// (a convolution with its bias, a linear layer, ...) cut out of
/// `pristine` into a function of their own, weights as splat constants of
/// their types, inputs sized as the same values of `bound` (the model with
/// its dimensions bound). Measured this way a kernel keeps its producer's
/// shape (a convolution reads its input through the im2col map, as in the
/// model) and its fused epilogue. The ops are repeated, each copy with its
/// own weights, until the weights pass twice `cacheBytes` (at most 16
/// copies; none for 0): in a model whose weights do not fit the cache, a
/// layer's weights come from memory, not from the cache a kernel run over
/// and over would keep them in. Returns the
/// graph's text, input shapes and copies, or nullopt where the ops cannot
/// be cut out.
struct CutOut {
  std::string graph;
  std::vector<std::vector<int64_t>> shapes;
  unsigned copies = 1;
};
static std::optional<CutOut> cutOut(ModuleOp pristine, ModuleOp bound,
                                    Location loc, int64_t cacheBytes) {
  auto atLoc = [&](ModuleOp module) {
    SmallVector<Operation *> ops;
    module.walk([&](Operation *op) {
      StringRef dialect =
          op->getDialect() ? op->getDialect()->getNamespace() : StringRef();
      if (op->getLoc() == loc && (dialect == "nn" || dialect == "attn") &&
          !isa<nn::ConstantOp>(op) && op->getNumRegions() == 0 &&
          op->getParentOp() && isa<func::FuncOp>(op->getParentOp()))
        ops.push_back(op);
    });
    return ops;
  };
  SmallVector<Operation *> ops = atLoc(pristine), boundOps = atLoc(bound);
  if (ops.empty() || ops.size() != boundOps.size())
    return std::nullopt;
  llvm::SmallPtrSet<Operation *, 8> inSet(ops.begin(), ops.end());
  MLIRContext *context = pristine.getContext();
  OpBuilder b(context);
  OwningOpRef<ModuleOp> graph = ModuleOp::create(loc);
  // Inputs: operands from outside the set that are not constants.
  SmallVector<Value> inputs;
  std::vector<std::vector<int64_t>> shapes;
  for (auto [op, boundOp] : llvm::zip(ops, boundOps)) {
    if (op->getNumOperands() != boundOp->getNumOperands())
      return std::nullopt;
    for (auto [operand, boundOperand] :
         llvm::zip(op->getOperands(), boundOp->getOperands())) {
      Operation *def = operand.getDefiningOp();
      if ((def && (inSet.count(def) || isa<nn::ConstantOp>(def))) ||
          llvm::is_contained(inputs, operand))
        continue;
      auto type = dyn_cast<RankedTensorType>(boundOperand.getType());
      if (!type || !type.hasStaticShape() || !type.getElementType().isF32())
        return std::nullopt;
      inputs.push_back(operand);
      shapes.push_back(std::vector<int64_t>(type.getShape()));
    }
  }
  // Results: what the rest of the model uses.
  SmallVector<Value> results;
  for (Operation *op : ops)
    for (Value result : op->getResults())
      if (llvm::any_of(result.getUsers(),
                       [&](Operation *user) { return !inSet.count(user); }))
        results.push_back(result);
  if (results.empty())
    return std::nullopt;
  // The weights' bytes (the float constants that become splats below).
  double weightBytes = 0;
  llvm::SmallPtrSet<Operation *, 8> weights;
  for (Operation *op : ops)
    for (Value operand : op->getOperands())
      if (auto constant = operand.getDefiningOp<nn::ConstantOp>())
        if (auto type = dyn_cast<RankedTensorType>(constant.getType());
            type && type.getElementType().isF32() &&
            type.getNumElements() > 64 && weights.insert(constant).second)
          weightBytes += 4.0 * double(type.getNumElements());
  unsigned copies =
      weightBytes > 0
          ? unsigned(std::clamp(
                std::ceil(2.0 * double(cacheBytes) / weightBytes), 1.0, 16.0))
          : 1;
  SmallVector<Type> inputTypes, resultTypes;
  for (Value v : inputs)
    inputTypes.push_back(v.getType());
  for (unsigned copy = 0; copy < copies; ++copy)
    for (Value v : results)
      resultTypes.push_back(v.getType());
  b.setInsertionPointToEnd(graph->getBody());
  auto func = func::FuncOp::create(
      b, loc, "main", FunctionType::get(context, inputTypes, resultTypes));
  Block *entry = func.addEntryBlock();
  b.setInsertionPointToStart(entry);
  SmallVector<Value> returned;
  for (unsigned copy = 0; copy < copies; ++copy) {
    IRMapping mapping;
    for (auto [value, arg] : llvm::zip(inputs, entry->getArguments()))
      mapping.map(value, arg);
    for (Operation *op : ops) {
      for (Value operand : op->getOperands())
        if (auto constant = operand.getDefiningOp<nn::ConstantOp>();
            constant && !mapping.contains(operand)) {
          // Weights as splats (the values do not change the time; the text
          // stays small), a different value per copy (equal constants
          // would be one); small or integer constants (shapes, axes) as
          // they are.
          auto type = dyn_cast<RankedTensorType>(constant.getType());
          Operation *clone;
          if (type && type.getElementType().isF32() &&
              type.getNumElements() > 64)
            clone = nn::ConstantOp::create(
                b, loc, type,
                DenseElementsAttr::get(type, 0.01f * float(copy + 1)));
          else
            clone = b.clone(*constant);
          mapping.map(operand, clone->getResult(0));
        }
      b.clone(*op, mapping);
    }
    for (Value v : results)
      returned.push_back(mapping.lookup(v));
  }
  func::ReturnOp::create(b, loc, returned);
  std::string text;
  llvm::raw_string_ostream os(text);
  graph->print(os);
  return CutOut{text, shapes, copies};
}

/// The entry function's inputs with their dynamic dimensions bound: named
/// ones from `sizes` (or the default), unnamed ones to 1. Returns the
/// bindings used, for the report.
static std::string bindDims(ModuleOp module,
                            const llvm::StringMap<int64_t> &sizes) {
  std::string used;
  for (auto func : module.getOps<func::FuncOp>()) {
    if (func.isPrivate() || func.isExternal())
      continue;
    SmallVector<Type> inputs;
    for (BlockArgument arg : func.getArguments()) {
      auto type = dyn_cast<RankedTensorType>(arg.getType());
      if (!type || type.hasStaticShape()) {
        inputs.push_back(arg.getType());
        continue;
      }
      SmallVector<int64_t> shape(type.getShape());
      for (unsigned d = 0; d < type.getRank(); ++d) {
        if (!ShapedType::isDynamic(shape[d]))
          continue;
        StringAttr symbol = nn::getDimSymbol(type, d);
        std::string name = symbol ? symbol.str() : "";
        int64_t size = 1;
        if (auto it = sizes.find(name); !name.empty() && it != sizes.end())
          size = it->second;
        else if (!name.empty() &&
                 !StringRef(name).contains_insensitive("batch") && name != "N")
          size = 128;
        shape[d] = size;
        std::string binding =
            (name.empty() ? "?" : name) + "=" + std::to_string(size);
        if (!StringRef(used).contains(binding))
          used += (used.empty() ? "" : ", ") + binding;
      }
      Type bound = RankedTensorType::get(shape, type.getElementType());
      arg.setType(bound);
      inputs.push_back(bound);
    }
    func.setFunctionType(
        FunctionType::get(module.getContext(), inputs, func.getResultTypes()));
  }
  return used;
}

/// Whether `concrete` is `generic` with its dynamic sizes bound.
static bool sameKernel(const KernelDesc &generic, const KernelDesc &concrete) {
  return kernelKey(withSizes(generic, concrete)) == kernelKey(concrete) &&
         !concrete.hasDynamicSize();
}

static std::string shortKey(llvm::StringRef key) {
  std::string text = key.str();
  for (StringRef drop : {" types=f32,f32,f32", " isa=avx512", " isa=avx2",
                         " isa=neon", " isa=sse"})
    if (size_t at = text.find(drop.str()); at != std::string::npos)
      text.erase(at, drop.size());
  return text;
}

static std::string formatSeconds(double seconds) {
  if (seconds < 90)
    return llvm::formatv("{0:f0}s", seconds);
  if (seconds < 5400)
    return llvm::formatv("{0}m{1:d2}s", int(seconds) / 60, int(seconds) % 60);
  return llvm::formatv("{0}h{1:d2}m", int(seconds) / 3600,
                       (int(seconds) % 3600) / 60);
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  installCrashMessage("ddl-tune");
  cl::ParseCommandLineOptions(
      argc, argv,
      "ddl-tune: tunes the schedules of a model's kernels on this machine\n");

  if (spaceGrid != "full" && spaceGrid != "reduced")
    return fail("--space must be 'full' or 'reduced', got '" + spaceGrid + "'");
  Grid grid = spaceGrid == "reduced" ? Grid::Reduced : Grid::Full;
  bool tuning = trainLogs.empty() && evaluateLog.empty();
  if (tuning && inputPath.empty() && kernelKeysOption.empty())
    return fail("give a model (model.onnx, graph.mlir) or --kernel KEY");
  if (!inputPath.empty() && !kernelKeysOption.empty())
    return fail("give a model or --kernel keys, not both");
  if (exhaustive && compareRandom)
    return fail("--exhaustive measures every schedule: --compare-random "
                "would measure them all again");
  if (!trainLogs.empty() && saveModel.empty())
    return fail("--train needs --save-model FILE");
  if (searchStrategy != "model" && searchStrategy != "random")
    return fail("--search must be 'model' or 'random', got '" + searchStrategy +
                "'");
  if (trials == 0)
    return fail("--trials must be at least 1");
  if (batchSize == 0)
    return fail("--batch must be at least 1");
  std::optional<std::chrono::steady_clock::time_point> deadline;
  auto start = std::chrono::steady_clock::now();
  if (!timeBudget.empty()) {
    double seconds = parseDuration(timeBudget);
    if (seconds <= 0)
      return fail("--time-budget '" + timeBudget +
                  "' is not a duration (90s, 10m, 1h)");
    deadline = start + std::chrono::milliseconds(int64_t(seconds * 1000));
  }
  llvm::StringMap<int64_t> dimSizes;
  for (StringRef binding : dims) {
    auto [name, value] = binding.split('=');
    int64_t size;
    if (name.empty() || value.getAsInteger(10, size) || size < 1)
      return fail("--dim '" + binding + "' is not symbol=size (size >= 1)");
    dimSizes[name] = size;
  }
  std::optional<target::CPUTargetInfo> info =
      target::lookupCPUTarget(targetName);
  if (!info || (targetName != "host" && targetName != "x86_64" &&
                targetName != "aarch64"))
    return fail("--target '" + targetName +
                "': ddl-tune tunes CPU kernels on this machine (host)");
  if (targetName != "host") {
    llvm::Triple host(llvm::sys::getProcessTriple());
    if ((targetName == "aarch64") != host.isAArch64())
      return fail("--target=" + targetName +
                  ": the kernels must run here to be measured");
  }
  unsigned cores = threads ? threads.getValue() : std::max(1u, info->cores);
  // The features describe the machine the kernels run on: as many cores
  // as threads they are measured with.
  info->cores = cores;

  // The prior model.
  std::optional<CostModel> loaded;
  const CostModel *prior = nullptr;
  if (costModelPath.empty()) {
    prior = shippedCostModel(info->isa);
  } else if (costModelPath != "none") {
    llvm::Expected<CostModel> model = CostModel::load(costModelPath);
    if (!model)
      return fail(llvm::toString(model.takeError()));
    loaded.emplace(std::move(*model));
    prior = &*loaded;
  }

  if (!tuning) {
    std::vector<std::string> warnings;
    std::vector<TrialRecord> all;
    for (const std::string &path :
         trainLogs.empty()
             ? std::vector<std::string>{evaluateLog}
             : std::vector<std::string>(trainLogs.begin(), trainLogs.end())) {
      llvm::Expected<std::vector<TrialRecord>> read =
          readTrialLog(path, warnings);
      if (!read)
        return fail(llvm::toString(read.takeError()));
      all.insert(all.end(), read->begin(), read->end());
    }
    for (const std::string &warning : warnings)
      llvm::WithColor::warning(llvm::errs(), "ddl-tune") << warning << "\n";
    unsigned skipped = 0;
    Dataset data = datasetFromTrials(all, *info, &skipped);
    if (data.size() == 0)
      return fail("no successful " + info->isa.str() +
                  " trials to learn from or evaluate on");
    if (!trainLogs.empty()) {
      TrainOptions options;
      options.rounds = rounds;
      options.maxDepth = depth;
      // An explicit --cost-model is a prior to fine-tune (transfer to
      // another target): its trees, then `rounds` more on this data.
      if (!costModelPath.empty() && costModelPath != "none")
        options.prior = prior;
      auto begin = std::chrono::steady_clock::now();
      llvm::Expected<CostModel> model =
          CostModel::train(data, info->isa, options);
      if (!model)
        return fail(llvm::toString(model.takeError()));
      if (llvm::Error error = model->save(saveModel))
        return fail(llvm::toString(std::move(error)));
      llvm::outs() << llvm::formatv(
          "trained on {0} measurements of {1} kernels ({2} skipped) in "
          "{3:f1} s; training-set pairwise accuracy {4:f4}; wrote {5}\n",
          data.size(), data.groupSizes.size(), skipped,
          std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                        begin)
              .count(),
          pairwiseAccuracy(data, model->rank(data.rows)), saveModel);
      return 0;
    }
    if (!prior)
      return fail("--evaluate needs a model (--cost-model FILE, or the "
                  "shipped one)");
    std::vector<float> scores = prior->rank(data.rows);
    // The latency head ranks too (a lower estimate is a faster schedule).
    std::vector<float> headScores;
    for (double ms : prior->predictLatency(data.rows))
      headScores.push_back(float(-ms));
    // Top-1: how often the model's favourite is within 5% of the best.
    unsigned hits = 0;
    size_t begin = 0;
    for (unsigned size : data.groupSizes) {
      size_t top = begin, best = begin;
      for (size_t i = begin; i < begin + size; ++i) {
        if (scores[i] > scores[top])
          top = i;
        if (data.latencyMs[i] < data.latencyMs[best])
          best = i;
      }
      hits += data.latencyMs[top] <= 1.05 * data.latencyMs[best];
      begin += size;
    }
    llvm::outs() << llvm::formatv(
        "{{\"measurements\": {0}, \"kernels\": {1}, "
        "\"pairwise_accuracy\": {2:f4}, \"spearman\": {3:f4}, "
        "\"top1_within_5pct\": {4:f4}, \"latency_head_pairwise_accuracy\": "
        "{5:f4}, \"latency_head_spearman\": {6:f4}}\n",
        data.size(), data.groupSizes.size(), pairwiseAccuracy(data, scores),
        spearman(data, scores), double(hits) / data.groupSizes.size(),
        pairwiseAccuracy(data, headScores), spearman(data, headScores));
    return 0;
  }

  // The tools the candidates are compiled and run with: next to this one.
  std::string self = llvm::sys::fs::getMainExecutable(argv[0], (void *)&fail);
  StringRef binDir = llvm::sys::path::parent_path(self);
  MeasureOptions measure;
  measure.ddlc = ddlcPath;
  measure.ddlRun = ddlRunPath;
  for (auto [name, path] : {std::pair{"ddlc", &measure.ddlc},
                            std::pair{"ddl-run", &measure.ddlRun}}) {
    if (!path->empty())
      continue;
    SmallString<256> candidate(binDir);
    llvm::sys::path::append(candidate, name);
    if (!llvm::sys::fs::can_execute(candidate)) {
      llvm::ErrorOr<std::string> found = llvm::sys::findProgramByName(name);
      if (!found)
        return fail(std::string("cannot find ") + name + " next to " + self +
                    " or on PATH");
      *path = *found;
    } else {
      *path = candidate.str().str();
    }
  }
  measure.target = targetName;
  measure.threads = cores;
  measure.runs = runs;
  measure.timeoutSeconds = timeout;
  if (jobs > 64)
    return fail("--jobs must be at most 64");
  measure.jobs = jobs ? jobs.getValue()
                      : std::max(1u, llvm::heavyweight_hardware_concurrency()
                                         .compute_thread_count());
  SmallString<128> work;
  if (std::error_code error =
          llvm::sys::fs::createUniqueDirectory("ddl-tune", work))
    return fail("cannot create a work directory: " + error.message());
  measure.workDir = work.str().str();
  auto removeWork = llvm::make_scope_exit(
      [&] { llvm::sys::fs::remove_directories(measure.workDir); });

  // The model's kernels: as the model is (keys), and with its dynamic
  // sizes bound (what they are measured at).
  DialectRegistry registry;
  registerAllDialects(registry);
  registerAllPasses();
  MLIRContext context(registry);
  CompilerDiagnostics diagnostics(context, llvm::errs(), /*printOps=*/false);
  auto import = [&]() -> OwningOpRef<ModuleOp> {
    StringRef input = inputPath;
    if (input.ends_with(".mlir") || input.ends_with(".mlirbc"))
      return readGraphFile(context, inputPath);
    onnx_import::ImportOptions options;
    return onnx_import::importONNXFile(context, inputPath, options);
  };
  CompileRequest request;
  request.target = targetName;
  CompileOptions compileOptions;
  std::string optionError;
  if (failed(resolveCompileOptions(request, compileOptions, optionError)))
    return fail(optionError);
  CPUPipelineOptions pipeline = compileOptions.pipeline;
  pipeline.target = targetName;
  FailureOr<std::vector<std::string>> keys, boundKeys;
  std::vector<KernelSite> sites;
  OwningOpRef<ModuleOp> pristine, pristineBound;
  double modelWeightBytes = 0;
  std::string bindings;
  if (!inputPath.empty()) {
    OwningOpRef<ModuleOp> module = import();
    if (!module)
      return 1;
    OwningOpRef<ModuleOp> bound = module->clone();
    bindings = bindDims(*bound, dimSizes);
    PassManager pm(&context);
    pm.addPass(graph::createNNInferShapesPass());
    if (failed(pm.run(*bound)))
      return fail("the model's shapes do not infer with " + bindings);
    pristine = module->clone();
    // The model's weights: when they fit the L3 cache, a layer finds its
    // weights there in a run of the whole model, and a kernel is timed
    // hot; otherwise cold (cutOut's copies).
    pristine->walk([&](nn::ConstantOp constant) {
      if (auto type = dyn_cast<RankedTensorType>(constant.getType());
          type && type.hasStaticShape() && type.getElementType().isF32())
        modelWeightBytes += 4.0 * double(type.getNumElements());
    });
    pristineBound = bound->clone();
    FailureOr<std::vector<KernelSite>> found = kernelSites(*module, pipeline);
    FailureOr<std::vector<KernelSite>> boundFound =
        kernelSites(*bound, pipeline);
    if (failed(found) || failed(boundFound))
      return 1;
    sites = *found;
    keys = std::vector<std::string>();
    boundKeys = std::vector<std::string>();
    for (const KernelSite &site : *found)
      keys->push_back(site.key);
    for (const KernelSite &site : *boundFound)
      boundKeys->push_back(site.key);
  } else {
    keys = std::vector<std::string>();
    for (const std::string &key : kernelKeysOption) {
      llvm::Expected<KernelDesc> desc = parseKernelKey(key);
      if (!desc)
        return fail(llvm::toString(desc.takeError()));
      if (desc->hasDynamicSize())
        return fail("--kernel '" + key + "' has a dynamic size: give sizes");
      if (desc->isa != info->isa)
        return fail("--kernel '" + key + "' is for isa=" + desc->isa +
                    ", this machine's is " + info->isa.str());
      keys->push_back(kernelKey(*desc));
    }
    boundKeys = *keys;
  }
  bool paired = keys->size() == boundKeys->size();
  llvm::MapVector<std::string, Kernel, std::map<std::string, unsigned>> kernels;
  for (size_t i = 0; i < keys->size(); ++i) {
    Kernel &kernel = kernels[(*keys)[i]];
    kernel.count++;
    if (kernel.count > 1)
      continue;
    kernel.key = (*keys)[i];
    llvm::Expected<KernelDesc> desc = parseKernelKey(kernel.key);
    if (!desc)
      return fail(llvm::toString(desc.takeError()));
    kernel.desc = *desc;
    kernel.concrete = *desc;
    if (desc->hasDynamicSize()) {
      // The bound kernel: the one at the same position when binding kept
      // the kernel count, else the first bound kernel that is this one
      // with sizes.
      std::optional<KernelDesc> concrete;
      auto tryBound = [&](const std::string &bound) {
        llvm::Expected<KernelDesc> parsed = parseKernelKey(bound);
        if (!parsed) {
          llvm::consumeError(parsed.takeError());
          return;
        }
        if (sameKernel(*desc, *parsed))
          concrete = *parsed;
      };
      if (paired)
        tryBound((*boundKeys)[i]);
      for (size_t j = 0; !concrete && j < boundKeys->size(); ++j)
        tryBound((*boundKeys)[j]);
      if (concrete) {
        kernel.concrete = *concrete;
      } else {
        // Dynamic sizes the binding did not reach: 128.
        KernelDesc fallback = withDynamicSizes(*desc, 128);
        kernel.concrete = fallback;
        llvm::WithColor::warning(llvm::errs(), "ddl-tune")
            << "'" << kernel.key
            << "': its sizes with the dimensions bound are not known; "
               "measured at "
            << kernelKey(fallback) << "\n";
      }
    }
  }
  if (kernels.empty()) {
    llvm::outs() << "ddl-tune: " << inputPath
                 << " has no kernels with schedules to tune\n";
    return 0;
  }

  // Resume: kernels the database already has.
  std::vector<std::string> warnings;
  llvm::StringMap<TuningRecord> existing;
  if (!simulate.empty() && (logPath == simulate || dbPath == simulate))
    return fail("--simulate replays '" + simulate +
                "': write the trial log and database elsewhere (--log, --db)");
  if (llvm::sys::fs::exists(dbPath) && simulate.empty()) {
    llvm::Expected<std::vector<TuningRecord>> records =
        readTuningDatabase(dbPath, warnings);
    if (!records)
      return fail(llvm::toString(records.takeError()));
    for (TuningRecord &record : *records) {
      // As ddlc reads them: this version's records, keys normalized.
      if (record.version != kTunerVersion)
        continue;
      record.key = kernelKey(cantFail(parseKernelKey(record.key)));
      auto it = existing.find(record.key);
      if (it == existing.end() || record.latencyMs < it->second.latencyMs)
        existing[record.key] = record;
    }
  }
  for (const std::string &warning : warnings)
    llvm::WithColor::warning(llvm::errs(), "ddl-tune") << warning << "\n";
  std::string trialLog = logPath;
  if (trialLog.empty()) {
    StringRef stem = dbPath;
    stem.consume_back(".jsonl");
    trialLog = (stem + ".trials.jsonl").str();
  }

  llvm::errs() << "ddl-tune: " << kernels.size() << " kernels (" << keys->size()
               << " in the model) on " << info->isa << ", " << cores
               << " threads"
               << (bindings.empty() ? ""
                                    : "; dynamic sizes measured at " + bindings)
               << "\n";
  if (prior)
    llvm::errs() << "ddl-tune: prior cost model: "
                 << (costModelPath.empty() ? "shipped" : costModelPath.c_str())
                 << " (" << prior->samples() << " measurements)\n";

  // Measure the heuristic's schedules: the baseline and the weights.
  std::vector<Kernel *> todo;
  std::map<Kernel *, KernelMeasurer> measurers;
  // --simulate: measured key -> schedule -> measurement.
  std::map<std::string, std::map<std::string, Measurement>> table;
  if (!simulate.empty()) {
    std::vector<std::string> warnings;
    llvm::Expected<std::vector<TrialRecord>> read =
        readTrialLog(simulate, warnings);
    if (!read)
      return fail(llvm::toString(read.takeError()));
    for (const TrialRecord &trial : *read) {
      Measurement m;
      m.status = trial.status;
      m.latencyMs = trial.latencyMs;
      m.noise = trial.noise;
      table[trial.measuredKey][trial.schedule] = m;
    }
  }
  auto lookup = [&](const Kernel &kernel,
                    const std::vector<Schedule> &schedules) {
    std::vector<Measurement> results;
    auto &entries = table[kernelKey(kernel.concrete)];
    for (const Schedule &s : schedules) {
      auto it = entries.find(printSchedule(s));
      Measurement m;
      if (it == entries.end()) {
        m.status = "run-failed";
        m.message = "not in " + simulate;
      } else {
        m = it->second;
      }
      results.push_back(m);
    }
    return results;
  };
  for (auto &[key, kernel] : kernels) {
    if (existing.count(key) && !retune) {
      kernel.skipped = "in the database";
      continue;
    }
    // The model's own ops at the kernel's location where they cut out and
    // compile to the kernel; the key's GEMM otherwise.
    std::optional<KernelMeasurer> measurer;
    std::optional<Schedule> cutHeuristic;
    if (pristine)
      for (const KernelSite &site : sites)
        if (site.key == key) {
          if (auto cut = cutOut(*pristine, *pristineBound, site.loc,
                                modelWeightBytes > double(info->l3Bytes)
                                    ? info->l3Bytes
                                    : 0)) {
            llvm::Expected<KernelMeasurer> fromModel =
                KernelMeasurer::createFromGraph(
                    kernel.desc, cut->graph, cut->shapes, measure, cut->copies);
            if (fromModel) {
              llvm::Expected<Schedule> heuristic = fromModel->defaultSchedule();
              if (heuristic) {
                measurer.emplace(std::move(*fromModel));
                cutHeuristic = *heuristic;
                kernel.cut = true;
              } else {
                llvm::consumeError(heuristic.takeError());
              }
            } else {
              llvm::consumeError(fromModel.takeError());
            }
          }
          break;
        }
    if (!measurer) {
      llvm::Expected<KernelMeasurer> alone =
          KernelMeasurer::create(kernel.desc, kernel.concrete, measure);
      if (!alone) {
        kernel.skipped = llvm::toString(alone.takeError());
        continue;
      }
      measurer.emplace(std::move(*alone));
    }
    llvm::Expected<Schedule> heuristic =
        cutHeuristic ? llvm::Expected<Schedule>(*cutHeuristic)
                     : measurer->defaultSchedule();
    if (!heuristic) {
      kernel.skipped = llvm::toString(heuristic.takeError());
      continue;
    }
    kernel.defaultSchedule =
        ScheduleSpace(kernel.concrete, *info, grid).canonical(*heuristic);
    kernel.defaultMeasurement =
        simulate.empty() ? measurer->measure({kernel.defaultSchedule})[0]
                         : lookup(kernel, {kernel.defaultSchedule})[0];
    if (!kernel.defaultMeasurement.ok()) {
      kernel.skipped = "the heuristic's schedule fails to " +
                       kernel.defaultMeasurement.status + ": " +
                       kernel.defaultMeasurement.message;
      continue;
    }
    measurers.emplace(&kernel, std::move(*measurer));
    todo.push_back(&kernel);
  }
  unsigned cutCount = 0;
  for (Kernel *kernel : todo)
    cutCount += kernel->cut;
  if (!todo.empty())
    llvm::errs() << "ddl-tune: " << cutCount << " of " << todo.size()
                 << " kernels measured as the model's own ops, the others "
                    "as the key's GEMM\n";
  for (auto &[key, kernel] : kernels)
    if (!kernel.skipped.empty() && kernel.skipped != "in the database")
      llvm::WithColor::warning(llvm::errs(), "ddl-tune")
          << "not tuning '" << key << "': " << kernel.skipped << "\n";

  // The budget: each kernel's share of the estimated time (count x
  // latency), at least a round, what is left after the baselines.
  double totalWeight = 0;
  for (Kernel *kernel : todo)
    totalWeight += kernel->count * kernel->defaultMeasurement.latencyMs;
  unsigned spent = todo.size();
  unsigned left = trials > spent ? trials - spent : 0;
  for (Kernel *kernel : todo) {
    double share = kernel->count * kernel->defaultMeasurement.latencyMs /
                   std::max(totalWeight, 1e-12);
    kernel->budget =
        1 + std::max<unsigned>(std::min(left, batchSize.getValue()),
                               unsigned(std::floor(share * left)));
    if (trialsPerKernel)
      kernel->budget = trialsPerKernel;
    if (exhaustive)
      kernel->budget =
          ScheduleSpace(kernel->concrete, *info, grid).enumerate().size() + 1;
  }

  // Tune.
  Searcher searcher(prior, *info);
  std::optional<Searcher> randomSearcher;
  if (compareRandom)
    randomSearcher.emplace(nullptr, *info);
  unsigned totalBudget = 0, done = 0;
  for (Kernel *kernel : todo)
    totalBudget += kernel->budget * (compareRandom ? 2 : 1);
  bool terminal = llvm::sys::Process::StandardErrIsDisplayed();
  for (size_t index = 0; index < todo.size(); ++index) {
    Kernel *kernel = todo[index];
    KernelMeasurer &measurer = measurers.at(kernel);
    auto measureFn = [&](const std::vector<Schedule> &schedules) {
      return simulate.empty() ? measurer.measure(schedules)
                              : lookup(*kernel, schedules);
    };
    auto runSearch = [&](Searcher &which, StringRef strategy) -> TuningResult {
      SearchOptions options;
      options.strategy = strategy.str();
      options.trials = kernel->budget;
      options.batch = batchSize;
      options.patience = patience;
      options.seed = seed + index;
      options.deadline = deadline;
      options.defaultMeasurement = kernel->defaultMeasurement;
      options.grid = grid;
      if (exhaustive) {
        // Every schedule of the grid, in rounds of --batch.
        options.strategy = "exhaustive";
        options.trials =
            ScheduleSpace(kernel->concrete, *info, grid).enumerate().size() + 1;
      }
      unsigned before = done;
      size_t printed = 0;
      auto progress = [&](const TuningResult &r) {
        done = before + r.trials.size();
        if (quiet)
          return;
        double elapsed = std::chrono::duration<double>(
                             std::chrono::steady_clock::now() - start)
                             .count();
        double eta =
            done ? elapsed / done * (totalBudget - std::min(done, totalBudget))
                 : 0;
        double best = r.best >= 0 ? r.trials[r.best].measurement.latencyMs : 0;
        std::string line = llvm::formatv(
            "[{0}/{1}] {2} {3,-44} trials {4,4}/{5,-4} best {6:f4} ms "
            "(default {7:f4}, {8:f2}x)  all {9}/{10}  ETA {11}",
            index + 1, todo.size(), strategy == "random" ? "R" : "M",
            shortKey(kernel->key).substr(0, 44), r.trials.size(),
            kernel->budget, best, kernel->defaultMeasurement.latencyMs,
            best > 0 ? kernel->defaultMeasurement.latencyMs / best : 0.0, done,
            totalBudget, formatSeconds(eta));
        if (terminal)
          llvm::errs() << "\r" << line << "\x1b[K";
        else if (r.trials.size() != printed &&
                 (r.trials.size() >= kernel->budget ||
                  (r.trials.size() / batchSize) % 4 == 0)) {
          // Not a terminal (a log): a line every 4 rounds and at the end.
          llvm::errs() << line << "\n";
          printed = r.trials.size();
        }
      };
      TuningResult result =
          which.tune(kernel->concrete, kernel->defaultSchedule, measureFn,
                     options, progress);
      if (terminal && !quiet)
        llvm::errs() << "\n";
      std::vector<std::string> lines;
      for (const Trial &trial : result.trials) {
        TrialRecord record;
        record.key = kernel->key;
        record.measuredKey = kernelKey(kernel->concrete);
        record.schedule = printSchedule(trial.schedule);
        record.status = trial.measurement.status;
        record.latencyMs = trial.measurement.latencyMs;
        record.noise = trial.measurement.noise;
        record.predictedMs = trial.predictedMs;
        record.search = trial.origin;
        record.threads = measure.threads;
        lines.push_back(toJSONLine(record));
      }
      if (llvm::Error error = appendLines(trialLog, lines))
        llvm::WithColor::warning(llvm::errs(), "ddl-tune")
            << llvm::toString(std::move(error)) << "\n";
      return result;
    };
    kernel->tuned = runSearch(searcher, searchStrategy);
    if (randomSearcher)
      kernel->random = runSearch(*randomSearcher, "random");
    const TuningResult &result = *kernel->tuned;
    // A search cut short by --time-budget writes no record: a later run
    // resumes the kernel rather than taking the partial result for tuned.
    // --simulate replays measurements: nothing to record.
    if (result.best < 0 || result.cutShort || !simulate.empty())
      continue;
    // The fastest of many noisy trials is biased low (the winner's
    // curse): the three best and the heuristic's schedule are measured
    // again, 3 rounds in turns, and the record is the fastest median (the
    // heuristic's if it wins).
    std::vector<Schedule> finalists{kernel->defaultSchedule};
    for (size_t i : result.fastest())
      if (finalists.size() < 4 &&
          !llvm::is_contained(finalists, result.trials[i].schedule))
        finalists.push_back(result.trials[i].schedule);
    std::vector<Measurement> confirmed =
        measurers.at(kernel).measure(finalists, 3);
    size_t winner = 0;
    for (size_t i = 1; i < finalists.size(); ++i)
      if (confirmed[i].ok() &&
          (!confirmed[winner].ok() ||
           confirmed[i].latencyMs < confirmed[winner].latencyMs))
        winner = i;
    if (!confirmed[winner].ok())
      continue;
    kernel->confirmedDefaultMs =
        confirmed[0].ok() ? confirmed[0].latencyMs : 0.0;
    kernel->confirmedMs = confirmed[winner].latencyMs;
    TuningRecord record;
    record.key = kernel->key;
    record.target = kernel->desc.isa;
    record.schedule = printSchedule(finalists[winner]);
    record.latencyMs = confirmed[winner].latencyMs;
    record.defaultMs = confirmed[0].ok() ? confirmed[0].latencyMs
                                         : kernel->defaultMeasurement.latencyMs;
    record.trials = result.trials.size();
    record.date = today();
    record.measuredKey = kernelKey(kernel->concrete);
    // Written as each kernel finishes: an interrupted run keeps them.
    if (llvm::Error error = appendLines(dbPath, {toJSONLine(record)}))
      return fail(llvm::toString(std::move(error)));
  }
  if (!saveModel.empty()) {
    if (!searcher.model())
      return fail("no model to save (no prior and too few measurements)");
    if (llvm::Error error = searcher.model()->save(saveModel))
      return fail(llvm::toString(std::move(error)));
  }

  // Summary.
  double defaultTotal = 0, tunedTotal = 0;
  llvm::outs() << llvm::formatv("\n{0,-58} {1,5} {2,7} {3,11} {4,11} {5,8}\n",
                                "kernel", "count", "trials", "default ms",
                                "tuned ms", "speedup");
  for (auto &[key, kernel] : kernels) {
    if (!kernel.tuned) {
      auto it = existing.find(key);
      if (it != existing.end() && kernel.skipped == "in the database") {
        const TuningRecord &r = it->second;
        llvm::outs() << llvm::formatv(
            "{0,-58} {1,5} {2,7} {3,11:f4} {4,11:f4} {5,7:f2}x (database)\n",
            shortKey(key).substr(0, 58), kernel.count, r.trials, r.defaultMs,
            r.latencyMs, r.defaultMs > 0 ? r.defaultMs / r.latencyMs : 0.0);
        if (r.defaultMs > 0) {
          defaultTotal += kernel.count * r.defaultMs;
          tunedTotal += kernel.count * r.latencyMs;
        }
      } else {
        llvm::outs() << llvm::formatv("{0,-58} {1,5}  not tuned\n",
                                      shortKey(key).substr(0, 58),
                                      kernel.count);
      }
      continue;
    }
    const TuningResult &r = *kernel.tuned;
    // The re-measured pair where there is one (what the database holds).
    double dflt = kernel.confirmedMs > 0 ? kernel.confirmedDefaultMs
                                         : kernel.defaultMeasurement.latencyMs;
    double best = kernel.confirmedMs > 0 ? kernel.confirmedMs
                  : r.best >= 0 ? r.trials[r.best].measurement.latencyMs
                                : dflt;
    defaultTotal += kernel.count * dflt;
    tunedTotal += kernel.count * best;
    llvm::outs() << llvm::formatv(
        "{0,-58} {1,5} {2,7} {3,11:f4} {4,11:f4} {5,7:f2}x\n",
        shortKey(key).substr(0, 58), kernel.count, r.trials.size(), dflt, best,
        dflt / best);
  }
  double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  if (tunedTotal > 0)
    llvm::outs() << llvm::formatv(
        "kernels in all (count x latency): default {0:f3} ms, tuned {1:f3} ms, "
        "{2:f2}x; {3} trials in {4}\n",
        defaultTotal, tunedTotal, defaultTotal / tunedTotal, done,
        formatSeconds(elapsed));
  if (compareRandom) {
    double randomTotal = 0;
    for (Kernel *kernel : todo) {
      const TuningResult &r = *kernel->random;
      randomTotal +=
          kernel->count * (r.best >= 0 ? r.trials[r.best].measurement.latencyMs
                                       : kernel->defaultMeasurement.latencyMs);
    }
    llvm::outs() << llvm::formatv(
        "random search on the same budgets: {0:f3} ms ({1:f2}x)\n", randomTotal,
        randomTotal > 0 ? defaultTotal / randomTotal : 0.0);
  }
  llvm::outs() << "database: " << dbPath << "; trial log: " << trialLog << "\n";

  if (!plotPath.empty()) {
    // The tuning curve: the estimated end-to-end kernel time after each
    // trial, kernels not yet reached at their default.
    auto curveOf = [&](bool random, StringRef label, StringRef color) {
      Series s{label.str(), color.str(), {}, {}};
      double total = 0;
      for (Kernel *kernel : todo)
        total += kernel->count * kernel->defaultMeasurement.latencyMs;
      unsigned x = 0;
      for (Kernel *kernel : todo) {
        const TuningResult &r = random ? *kernel->random : *kernel->tuned;
        double current = kernel->defaultMeasurement.latencyMs;
        for (double best : r.curve) {
          if (best > 0 && best < current) {
            total -= kernel->count * (current - best);
            current = best;
          }
          s.x.push_back(++x);
          s.y.push_back(total);
        }
      }
      return s;
    };
    std::vector<Series> curves{
        curveOf(false, searchStrategy == "model" ? "model-guided" : "random",
                "#1f77b4")};
    if (compareRandom)
      curves.push_back(curveOf(true, "random", "#d62728"));
    Series scatter{"model-guided trials", "#1f77b4", {}, {}};
    for (Kernel *kernel : todo)
      for (const Trial &t : kernel->tuned->trials)
        if (t.measurement.ok() && t.predictedMs > 0) {
          scatter.x.push_back(t.measurement.latencyMs);
          scatter.y.push_back(t.predictedMs);
        }
    std::string title = ("ddl-tune " + llvm::sys::path::filename(inputPath) +
                         " on " + info->isa)
                            .str();
    if (llvm::Error error = writeTuningPlot(plotPath, title, curves, scatter))
      return fail(llvm::toString(std::move(error)));
  }
  return 0;
}
