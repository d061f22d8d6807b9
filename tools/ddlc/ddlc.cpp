//===- ddlc.cpp - the ddl ahead-of-time compiler --------------------------===//
//
// ddlc model.onnx -o model.so [--target=host|x86_64|aarch64] [-O0..-O3]
//
// Imports an ONNX model into the nn dialect (or reads an nn-dialect graph
// from a .mlir/.mlirbc file, as the PyTorch frontend writes) and compiles it
// through the CPU pipeline into a shared object implementing
// runtime/include/ddl_model_abi.h, plus a C header next to it. `--emit=` stops
// at an earlier stage: the nn graph, linalg on tensors, the LLVM dialect, LLVM
// IR, or an object file; by default the output file's extension picks the stage
// (.so, .o, .ll, other: the graph).
//
//===----------------------------------------------------------------------===//

#include "ddl/Compiler.h"
#include "ddl/Diagnostics.h"
#include "ddl/InitAll.h"
#include "frontends/onnx/ONNXImporter.h"
#include "passes/codegen/Schedules.h"

#include "mlir/Bytecode/BytecodeWriter.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/ADT/Statistic.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/WithColor.h"

using namespace mlir;
namespace cl = llvm::cl;

namespace {
enum class Emit {
  Auto,
  Graph,
  Linalg,
  LLVMDialect,
  LLVMIR,
  Object,
  Shared,
  DeviceAssembly
};
} // namespace

static cl::opt<std::string> inputPath(
    cl::Positional, cl::Required,
    cl::desc("<model.onnx | model.onnxtxt | graph.mlir | graph.mlirbc>"));
static cl::opt<std::string> outputPath("o",
                                       cl::desc("Output file ('-' for stdout)"),
                                       cl::value_desc("file"), cl::init("-"));
static cl::opt<Emit> emit(
    "emit", cl::desc("The stage to stop at (default: from -o's extension)"),
    cl::init(Emit::Auto),
    cl::values(clEnumValN(Emit::Graph, "graph", "the nn graph dialect (MLIR)"),
               clEnumValN(Emit::Linalg, "linalg", "linalg on tensors (MLIR)"),
               clEnumValN(Emit::LLVMDialect, "llvm-dialect",
                          "the LLVM dialect with the model entry (MLIR)"),
               clEnumValN(Emit::LLVMIR, "llvm-ir",
                          "optimized-to-be LLVM IR (.ll)"),
               clEnumValN(Emit::Object, "object", "an ELF object file (.o)"),
               clEnumValN(Emit::Shared, "shared",
                          "a shared object + C header (.so, .h)"),
               clEnumValN(Emit::DeviceAssembly, "ptx",
                          "the kernels' PTX (--target=cuda)"),
               clEnumValN(Emit::DeviceAssembly, "amdgcn",
                          "the kernels' AMDGCN assembly (--target=rocm)")));
static cl::opt<std::string>
    target("target",
           cl::desc("Target: host, x86_64, aarch64, cuda[:sm_XX] (default "
                    "sm_90) or rocm[:gfxNNN] (default gfx942)"),
           cl::init("host"));
static cl::opt<unsigned>
    optLevel("O", cl::Prefix, cl::desc("Optimization level 0-3"), cl::init(3));
static cl::opt<std::string>
    headerPath("header",
               cl::desc("C header to write with a .so (default: <output>.h)"),
               cl::value_desc("file"));
static cl::opt<bool>
    noParallel("no-parallel", cl::desc("Run every loop on the calling thread"));
static cl::opt<bool> emitBytecode("emit-bytecode",
                                  cl::desc("Write MLIR bytecode, not text"));
static cl::opt<bool> noCheck("no-check",
                             cl::desc("Skip the ONNX checker (not advised)"));
static cl::opt<bool> noSimplify(
    "no-simplify",
    cl::desc("Keep the graph as imported: no folding or type refinement"));
static cl::opt<bool>
    debug("debug", cl::desc("On a failure, print the failing op and the IR "
                            "after the failing pass (to stderr)"));

// Test hooks for the failure paths themselves (test/tools/ddlc/errors.test):
// a pass that fails like a compiler bug would, and a crash.
namespace {
enum class Inject { None, Error, Crash };
} // namespace
static cl::opt<Inject> inject(
    "ddl-test-inject", cl::Hidden, cl::init(Inject::None),
    cl::desc("Testing ddl itself: make the last lowering pass fail on the "
             "first op that came from the model, or crash"),
    cl::values(clEnumValN(Inject::Error, "internal-error", ""),
               clEnumValN(Inject::Crash, "crash", "")));

namespace {
/// Fails on the first op whose location names a source (so the test sees
/// that sources survive lowering), as a buggy pass would.
struct InjectedFailurePass final
    : PassWrapper<InjectedFailurePass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(InjectedFailurePass)
  StringRef getArgument() const override { return "ddl-test-inject-failure"; }
  void runOnOperation() override {
    Operation *target = getOperation();
    getOperation().walk([&](Operation *op) {
      if (ddl::describeSource(op->getLoc()).empty())
        return WalkResult::advance();
      target = op;
      return WalkResult::interrupt();
    });
    target->emitError("injected failure (--ddl-test-inject=internal-error)");
    signalPassFailure();
  }
};
} // namespace

/// The command line, quoted for a bug report.
static std::string commandLine(int argc, char **argv) {
  std::string text;
  for (int i = 0; i < argc; ++i) {
    if (i)
      text += ' ';
    text += argv[i];
  }
  return text;
}

// Schedules (issue 11): list the chosen ones, or replay a file of them.
static cl::opt<bool> printSchedules(
    "print-schedules",
    cl::desc("Print `key -> schedule` for every scheduled kernel on stdout"));
static cl::opt<std::string> schedulesFile(
    "schedules",
    cl::desc("Replay a file of `key -> schedule` records (overrides the "
             "heuristic for the kernels it names)"),
    cl::value_desc("file"));

// Attention (issue 13): fused into attn.flex unless turned off (to compare).
static cl::opt<std::string> tuningDatabase(
    "tuning-db",
    cl::desc("Replay the best records of a tuning database written by "
             "ddl-tune (JSON lines; bad records are skipped with a warning); "
             "prints how many kernels it tuned"),
    cl::value_desc("file"));
static cl::opt<std::string> schedulePolicy(
    "schedule-policy",
    cl::desc("Schedules of kernels no record names: model (default: the "
             "shipped cost model's pick where it predicts a 10% gain) or "
             "heuristic (the target table)"),
    cl::value_desc("policy"), cl::init("model"));
static cl::opt<bool> fuseAttention(
    "fuse-attention", cl::init(true),
    cl::desc("Rewrite MatMul-Softmax-MatMul attention into one fused "
             "attn.flex kernel (default on; --fuse-attention=false keeps "
             "the materialized form)"));

// Quantization (issue 14).
static cl::opt<std::string> quantize(
    "quantize",
    cl::desc("Post-training quantization: none (default), int8 (weights "
             "per channel at compile time, activations per row at run "
             "time or, with --calibration, per tensor at compile time; int8 "
             "kernels), int4 (weight-only, group-wise; f32 "
             "activations), fp8 (E4M3 weights and activations, per-tensor "
             "scales), fp8-e5m2 (the same in E5M2), ternary or ternary-1.6 "
             "(BitNet b1.58 weights per "
             "channel at 2 or 1.6 bits, int8 activations per row), bf16 "
             "(CPUs: bf16 weights and activations, f32 sums; vdpbf16ps)"),
    cl::value_desc("mode"), cl::init("none"));
static cl::opt<int64_t> quantizeGroup(
    "quantize-group",
    cl::desc("--quantize=int4: inputs per weight scale (32, 64 or 128; "
             "default 64)"),
    cl::value_desc("n"), cl::init(0));
static cl::opt<std::string> ternaryKernel(
    "ternary-kernel",
    cl::desc("--quantize=ternary / ternary-1.6 on CPUs: auto (default: dot "
             "where the CPU has an int8 dot product, else lut), dot (trits "
             "unpacked in registers onto vpdpbusd / sdot) or lut (tables "
             "of activation sums looked up by trit pairs: pshufb / tbl)"),
    cl::value_desc("kernel"), cl::init("auto"));
static cl::list<std::string> quantizeKeep(
    "quantize-keep", cl::CommaSeparated,
    cl::desc("Layers to keep in float under --quantize: any whose location "
             "(ONNX node name, PyTorch source line) contains one of these"),
    cl::value_desc("name,..."));
static cl::opt<std::string> calibration(
    "calibration",
    cl::desc("--quantize=int8 with static activation scales, measured by "
             "running the float model on the samples in this directory (a "
             "directory per sample with <input>.npy / input_<i>.npy / .pb "
             "files, or .npy / .pb files of a one-input model), or read "
             "from a table --calibration-table wrote"),
    cl::value_desc("dir|table"));
static cl::opt<std::string>
    calibrator("calibrator",
               cl::desc("--calibration's rule for a range: minmax (default), "
                        "percentile or entropy (least KL divergence)"),
               cl::value_desc("rule"), cl::init("minmax"));
static cl::opt<double> calibrationPercentile(
    "calibration-percentile",
    cl::desc("--calibrator=percentile: the percentile kept (default "
             "99.999)"),
    cl::value_desc("p"));
static cl::opt<std::string> calibrationTable(
    "calibration-table",
    cl::desc("Write the calibrated ranges to this file (one line per "
             "layer), which --calibration reads back"),
    cl::value_desc("file"));

// Shape specialization (issue 15).
static cl::list<std::string> specialize(
    "specialize",
    cl::desc("Also compile the model for these sizes of a dimension symbol, "
             "chosen at run time by a size check (repeat for more symbols; "
             "combinations are crossed): --specialize=batch=1,8,32"),
    cl::value_desc("symbol=size,..."));

// Compute precision of GPU targets (issue 12).
static cl::opt<std::string> precision(
    "precision",
    cl::desc("GPU targets: the contractions' compute type: fp32 (default; "
             "SIMT), tf32, bf16 or fp16 (tensor cores, f32 accumulation, "
             "CUDA sm_80+; bf16 and fp16 also on ROCm's matrix cores)"),
    cl::value_desc("type"), cl::init("fp32"));
static cl::opt<bool> allowTF32(
    "allow-tf32",
    cl::desc("fp32 contractions may run in tf32 on NVIDIA tensor cores "
             "(as --precision=tf32 there; other targets stay fp32)"));

static cl::opt<bool> cudaAttentionKernel(
    "cuda-attention-kernel",
    cl::desc("--target=cuda: run attention (attn.flex) as ddl's fused "
             "tensor-core kernel (experimental: not yet checked on a GPU); "
             "materialized otherwise"));

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  // A portable ddlc links models by running itself as lld.
  if (std::optional<int> status = ddl::runEmbeddedLinker(argc, argv))
    return *status;
  ddl::installCrashMessage("ddlc");
  cl::SetVersionPrinter([](llvm::raw_ostream &os) {
    os << "ddlc (ddl) " << ddl::versionString() << "\n";
  });
  // --mlir-print-ir-after-failure, --mlir-pass-pipeline-crash-reproducer...
  registerPassManagerCLOptions();
  cl::ParseCommandLineOptions(argc, argv, "ddl ahead-of-time compiler\n");

  DialectRegistry registry;
  ddl::registerAllDialects(registry);
  ddl::registerAllPasses();
  MLIRContext context(registry);
  ddl::CompilerDiagnostics diagnostics(context, llvm::errs(),
                                       /*printOps=*/debug);
  // Every failure after this point exits through here: 1 for the model's
  // problems, kExitInternalError (with a request for a bug report) for ddl's.
  std::string invocation = commandLine(argc, argv);
  auto fail = [&]() -> int {
    int status = diagnostics.exitStatus();
    if (status == 0) // A failure that reported nothing is ddl's.
      status = ddl::kExitInternalError;
    diagnostics.reportInternalFailure("ddlc", invocation);
    if (status == ddl::kExitInternalError &&
        diagnostics.failureKind() == ddl::FailureKind::None)
      llvm::errs() << "ddlc: internal compiler error: a step failed without "
                      "a diagnostic; please report it with `ddlc --version` "
                      "and the command line\n  "
                   << invocation << "\n";
    return status;
  };

  // A bad schedules file is the user's mistake, like a bad model (exit 1,
  // no request for a bug report), and is found before the model is read.
  if (!schedulesFile.empty() &&
      failed(ddl::codegen::readScheduleFile(schedulesFile, &context)))
    return diagnostics.exitStatus() == 0 ? 1 : diagnostics.exitStatus();

  if (!tuningDatabase.empty() && !llvm::sys::fs::exists(tuningDatabase)) {
    llvm::WithColor::error(llvm::errs(), "ddlc")
        << "cannot read tuning database '" << tuningDatabase
        << "': no such file\n";
    return 1;
  }

  OwningOpRef<ModuleOp> module;
  StringRef input = inputPath;
  if (input.ends_with(".mlir") || input.ends_with(".mlirbc")) {
    module = ddl::readGraphFile(context, inputPath);
  } else {
    ddl::onnx_import::ImportOptions options;
    options.check = !noCheck;
    options.simplify = !noSimplify;
    module = ddl::onnx_import::importONNXFile(context, inputPath, options);
  }
  if (!module)
    return diagnostics.exitStatus() == 0 ? 1 : diagnostics.exitStatus();
  diagnostics.setStage(ddl::CompilerDiagnostics::Stage::Compile);

  Emit stage = emit;
  if (stage == Emit::Auto) {
    StringRef out = outputPath;
    stage = out.ends_with(".so")   ? Emit::Shared
            : out.ends_with(".o")  ? Emit::Object
            : out.ends_with(".ll") ? Emit::LLVMIR
                                   : Emit::Graph;
  }
  ddl::CompileRequest request;
  request.target = target;
  request.optLevel = optLevel;
  request.parallel = !noParallel;
  request.precision = precision;
  request.cudaAttentionKernel = cudaAttentionKernel;
  request.allowTF32 = allowTF32;
  request.quantize = quantize;
  if (quantizeGroup.getNumOccurrences())
    request.quantizeGroup = quantizeGroup;
  request.quantizeKeep.assign(quantizeKeep.begin(), quantizeKeep.end());
  request.ternaryKernel = ternaryKernel;
  request.calibration = calibration;
  request.calibrator = calibrator;
  if (calibrationPercentile.getNumOccurrences())
    request.calibrationPercentile = calibrationPercentile;
  request.calibrationTable = calibrationTable;
  request.specialize.assign(specialize.begin(), specialize.end());
  request.schedulesFile = schedulesFile;
  request.printSchedules = printSchedules;
  request.tuningDatabase = tuningDatabase;
  request.schedulePolicy = schedulePolicy;
  request.reportSchedules = !tuningDatabase.empty();
  request.fuseAttention = fuseAttention;
  request.deviceAssembly = stage == Emit::DeviceAssembly;
  ddl::CompileOptions compileOptions;
  std::string optionError;
  if (failed(
          ddl::resolveCompileOptions(request, compileOptions, optionError))) {
    llvm::WithColor::error(llvm::errs(), "ddlc") << optionError << "\n";
    return 1;
  }
  if (inject == Inject::Crash)
    LLVM_BUILTIN_TRAP;
  compileOptions.configurePassManager = [&](PassManager &pm) {
    if (inject == Inject::Error)
      pm.addPass(std::make_unique<InjectedFailurePass>());
    if (failed(applyPassManagerCLOptions(pm)))
      return;
    if (debug) {
      // Module-scope printing needs a single-threaded context.
      pm.getContext()->disableMultithreading();
      pm.enableIRPrinting(
          /*shouldPrintBeforePass=*/nullptr,
          /*shouldPrintAfterPass=*/[](Pass *, Operation *) { return true; },
          /*printModuleScope=*/true, /*printAfterOnlyOnChange=*/false,
          /*printAfterOnlyOnFailure=*/true);
    }
  };
  ddl::CompileStats compileStats;
  auto printStats = [&] {
    // `--stats` is LLVM's own flag (registered by libLLVM, so ddlc cannot
    // declare it again); ddlc prints its statistics when it is given.
    if (!llvm::AreStatisticsEnabled())
      return;
    llvm::errs() << "ddlc: arena bytes: ";
    if (compileStats.arenaBytes >= 0)
      llvm::errs() << compileStats.arenaBytes;
    else
      llvm::errs() << "dynamic";
    llvm::errs() << " (" << compileStats.arenaFormula << ")\n"
                 << llvm::format(
                        "ddlc: lowering %.3f s, codegen %.3f s, "
                        "link %.3f s, object %zu bytes\n",
                        compileStats.lowerSeconds, compileStats.codegenSeconds,
                        compileStats.linkSeconds, compileStats.objectBytes);
  };

  if (stage == Emit::Shared) {
    if (outputPath == "-") {
      llvm::WithColor::error(llvm::errs(), "ddlc")
          << "a shared object needs an output file (-o model.so)\n";
      return 1;
    }
    std::string header = headerPath;
    if (header.empty()) {
      StringRef out = outputPath;
      header = (out.ends_with(".so") ? out.drop_back(3) : out).str() + ".h";
    }
    if (failed(ddl::compileToSharedObject(*module, compileOptions, outputPath,
                                          header, &compileStats)))
      return fail();
    printStats();
    return 0;
  }

  if (stage == Emit::Linalg) {
    PassManager pm(&context);
    ddl::buildGraphToLinalgPipeline(pm, compileOptions.pipeline);
    compileOptions.configurePassManager(pm);
    if (failed(pm.run(*module)))
      return fail();
  } else if (stage != Emit::Graph) {
    if (failed(ddl::lowerModelToLLVM(*module, compileOptions, &compileStats)))
      return fail();
  }

  std::string error;
  std::unique_ptr<llvm::ToolOutputFile> output =
      openOutputFile(outputPath, &error);
  if (!output) {
    llvm::WithColor::error(llvm::errs(), "ddlc") << error << "\n";
    return 1;
  }
  if (stage == Emit::DeviceAssembly) {
    // The kernels' assembly, embedded by ddl-gpu-to-host as the images.
    for (auto image : module->getOps<LLVM::GlobalOp>()) {
      if (!image.getSymName().starts_with("__ddl_image_"))
        continue;
      auto text = dyn_cast_or_null<StringAttr>(image.getValueOrNull());
      if (!text)
        continue;
      output->os() << "// ddlc: kernel module "
                   << image.getSymName().drop_front(strlen("__ddl_image_"))
                   << "\n"
                   << text.getValue() << "\n";
    }
  } else if (stage == Emit::Object) {
    std::string object;
    if (failed(ddl::emitObject(*module, compileOptions, object, &compileStats)))
      return fail();
    output->os() << object;
  } else if (stage == Emit::LLVMIR) {
    llvm::LLVMContext llvmContext;
    auto llvmModule = translateModuleToLLVMIR(*module, llvmContext);
    if (!llvmModule)
      return fail();
    llvmModule->print(output->os(), nullptr);
  } else if (emitBytecode) {
    if (failed(writeBytecodeToFile(*module, output->os()))) {
      llvm::WithColor::error(llvm::errs(), "ddlc") << "cannot write bytecode\n";
      return 1;
    }
  } else {
    module->print(output->os());
  }
  output->keep();
  printStats();
  return 0;
}
