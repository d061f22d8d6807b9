//===- Compiler.cpp - compile nn models to shared objects -----------------===//

#include "ddl/Compiler.h"
#include "lib/Compiler/Calibration.h"
#include "lib/Target/GPU/DeviceTarget.h"

#include "passes/dynamic/Passes.h"
#include "passes/graph/Passes.h"
#include "passes/lowering/Passes.h"
#include "passes/memory/Passes.h"

#include "dialects/nn/NNDialect.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>

using namespace mlir;

OwningOpRef<ModuleOp> ddl::readGraphFile(MLIRContext &context, StringRef path) {
  std::string error;
  std::unique_ptr<llvm::MemoryBuffer> file = openInputFile(path, &error);
  if (!file) {
    emitError(UnknownLoc::get(&context))
        << "cannot read '" << path << "': " << error;
    return nullptr;
  }
  return readGraph(context, std::move(file));
}

OwningOpRef<ModuleOp> ddl::readGraph(MLIRContext &context,
                                     std::unique_ptr<llvm::MemoryBuffer> file) {
  context.loadDialect<nn::NNDialect, func::FuncDialect>();
  std::string path = file->getBufferIdentifier().str();
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
  // The parser verifies the module and reports problems with their line.
  OwningOpRef<ModuleOp> module =
      parseSourceFile<ModuleOp>(sourceMgr, ParserConfig(&context));
  if (!module)
    return nullptr;
  // A graph is self-contained nn: other dialects' ops, or calls to bodiless
  // functions, would only fail later (unbufferized ops, an unresolved
  // symbol when the .so is loaded).
  WalkResult foreign =
      module->walk<WalkOrder::PreOrder>(
          [&](Operation *op) -> WalkResult {
            if (auto fn = dyn_cast<func::FuncOp>(op); fn && fn.isExternal()) {
              fn.emitError() << "function @" << fn.getSymName()
                             << " has no body; a model graph must define every "
                                "function it calls";
              return WalkResult::interrupt();
            }
            StringRef dialect = op->getName().getDialectNamespace();
            // attn.flex's regions are scalar arith/math, checked by its
            // verifier.
            if (dialect == "attn")
              return WalkResult::skip();
            if (dialect != "nn" && dialect != "lowbit" && dialect != "func" &&
                dialect != "builtin") {
              op->emitError()
                  << "'" << op->getName()
                  << "' is not an nn-dialect op; ddlc compiles nn graphs "
                     "(nn, attn and lowbit ops in func.func functions)";
              return WalkResult::interrupt();
            }
            return WalkResult::advance();
          });
  if (foreign.wasInterrupted())
    return nullptr;
  SmallVector<func::FuncOp> entries;
  for (auto fn : module->getOps<func::FuncOp>())
    if (fn.isPublic() && !fn.isExternal() && fn.getNumResults() > 0)
      entries.push_back(fn);
  if (entries.size() != 1) {
    module->emitError() << "'" << path << "' has " << entries.size()
                        << " public functions with results; a model has "
                           "exactly one (its entry point)";
    return nullptr;
  }
  PassManager pm(&context);
  buildSimplifyGraphPipeline(pm);
  if (failed(pm.run(*module)))
    return nullptr;
  return OwningOpRef<ModuleOp>(module.release());
}

/// The lowered model function (it carries the recorded nn signature).
static LLVM::LLVMFuncOp modelFunction(ModuleOp module) {
  for (auto fn : module.getOps<LLVM::LLVMFuncOp>())
    if (fn->hasAttr("ddl.input_types") && !fn.isExternal())
      return fn;
  return {};
}

LogicalResult ddl::lowerModelToLLVM(ModuleOp module,
                                    const CompileOptions &options,
                                    CompileStats *stats) {
  // Static int8: the activation ranges first (a run of the float model),
  // then this compilation with them.
  if (!options.calibration.source.empty() &&
      options.pipeline.quantize == "int8") {
    FailureOr<std::vector<double>> ranges =
        calibrateActivations(module, options);
    if (failed(ranges))
      return failure();
    CompileOptions calibrated = options;
    calibrated.calibration = {};
    calibrated.pipeline.activationRanges = std::move(*ranges);
    return lowerModelToLLVM(module, calibrated, stats);
  }
  auto start = std::chrono::steady_clock::now();
  std::string triple = resolveTargetTriple(options);
  if (triple.empty())
    return module.emitError()
           << "unsupported target '" << options.target
           << "' (expected host, x86_64, aarch64, cuda[:sm_XX] or "
              "rocm[:gfxNNN])";
  PassManager pm(module.getContext());
  if (!options.specialize.empty()) {
    dynamic::NNSpecializeShapesPassOptions specialize;
    specialize.sizes = options.specialize;
    pm.addPass(dynamic::createNNSpecializeShapesPass(specialize));
    pm.addPass(graph::createNNInferShapesPass());
  }
  lowering::DDLEmitModelEntryPassOptions entryOptions;
  entryOptions.targetTriple = triple;
  std::string deviceError;
  if (std::optional<DeviceTarget> device =
          parseDeviceTarget(options.target, deviceError)) {
    if (device->chip.empty())
      return module.emitError() << deviceError;
    GPUPipelineOptions pipeline = options.gpuPipeline;
    pipeline.device = device->kindName().str();
    pipeline.chip = device->chip;
    pipeline.features = device->features;
    if (device->kind == DeviceTarget::Kind::CUDA) {
      pipeline.toolkit = cudaToolkitPath();
      if (pipeline.format == "bin" && pipeline.toolkit.empty())
        return module.emitError()
               << "--target=cuda needs ptxas (a CUDA toolkit) to embed "
                  "cubins, and none was found when ddl was configured: set "
                  "DDL_CUDA_PATH to the toolkit's directory, or stop at PTX "
                  "with --emit=ptx";
      if (std::string libdevice = cudaLibdevicePath(); !libdevice.empty())
        pipeline.linkFiles.push_back(libdevice);
    } else {
      pipeline.toolkit = rocmToolkitPath();
    }
    buildGPUPipeline(pm, pipeline, options.pipeline);
    entryOptions.device = pipeline.device;
    entryOptions.deviceArch = pipeline.chip;
  } else {
    CPUPipelineOptions pipeline = options.pipeline;
    pipeline.target = options.target;
    buildCPUPipeline(pm, pipeline);
  }
  pm.addPass(lowering::createDDLEmitModelEntryPass(entryOptions));
  if (options.configurePassManager)
    options.configurePassManager(pm);
  if (failed(pm.run(module)))
    return failure();
  if (stats) {
    if (LLVM::LLVMFuncOp fn = modelFunction(module)) {
      if (auto bytes =
              fn->getAttrOfType<IntegerAttr>(ddl::memory::kArenaBytesAttr))
        stats->arenaBytes = bytes.getInt();
      if (auto formula =
              fn->getAttrOfType<StringAttr>(ddl::memory::kArenaFormulaAttr))
        stats->arenaFormula = formula.str();
    }
    stats->lowerSeconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
  }
  return success();
}

/// "x/y:0" -> "X_Y_0": a C identifier fragment.
static std::string identifier(StringRef name) {
  std::string id;
  for (char c : name)
    id.push_back(llvm::isAlnum(c) ? llvm::toUpper(c) : '_');
  if (id.empty() || llvm::isDigit(id.front()))
    id.insert(id.begin(), '_');
  return id;
}

static std::string describe(RankedTensorType type) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << type.getElementType() << " [";
  auto dims = dyn_cast_or_null<ddl::nn::DimsAttr>(type.getEncoding());
  for (int64_t d = 0; d < type.getRank(); ++d) {
    if (d)
      os << ", ";
    if (!type.isDynamicDim(d))
      os << type.getDimSize(d);
    else if (StringAttr symbol = dims ? dims.getSymbol(d) : StringAttr())
      os << symbol.getValue();
    else
      os << "?";
  }
  os << "]";
  return text;
}

std::string ddl::modelHeader(ModuleOp module, StringRef guardName) {
  std::string text;
  llvm::raw_string_ostream os(text);
  std::string guard = identifier(guardName) + "_DDL_MODEL_H";
  LLVM::LLVMFuncOp fn = modelFunction(module);
  os << "/* Generated by ddlc. The model's signature; link the model's "
        "shared object, or\n"
     << " * load it with the ddl runtime (ddl_model_open). */\n"
     << "#ifndef " << guard << "\n#define " << guard << "\n\n"
     << "#include \"ddl_model_abi.h\"\n\n";
  auto section = [&](StringRef what, StringRef prefix, ArrayAttr types,
                     ArrayAttr names) {
    if (!types)
      return;
    os << "/* " << what << " (in this order):\n";
    for (auto [i, attr] : llvm::enumerate(types)) {
      auto type = cast<RankedTensorType>(cast<TypeAttr>(attr).getValue());
      StringRef name = names && i < names.size()
                           ? cast<StringAttr>(names[i]).getValue()
                           : "";
      os << " *   " << i << ": " << name << "  " << describe(type) << "\n";
    }
    os << " */\nenum {\n";
    for (auto [i, attr] : llvm::enumerate(types)) {
      StringRef name = names && i < names.size()
                           ? cast<StringAttr>(names[i]).getValue()
                           : "";
      os << "  " << identifier(guardName) << "_" << prefix << "_"
         << identifier(name) << " = " << i << ",\n";
    }
    os << "};\n\n";
  };
  if (fn) {
    section("Inputs", "INPUT", fn->getAttrOfType<ArrayAttr>("ddl.input_types"),
            fn->getAttrOfType<ArrayAttr>("ddl.input_names"));
    section("Outputs", "OUTPUT",
            fn->getAttrOfType<ArrayAttr>("ddl.output_types"),
            fn->getAttrOfType<ArrayAttr>("ddl.output_names"));
    if (auto formula =
            fn->getAttrOfType<StringAttr>(ddl::memory::kArenaFormulaAttr))
      os << "/* Arena bytes per run: " << formula.getValue() << " */\n\n";
  }
  os << "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n"
     << "/* The model descriptor (ddl_model_abi.h, ABI version "
        "DDL_MODEL_ABI_VERSION). */\n"
     << "const ddl_model *ddl_get_model(void);\n\n"
     << "#ifdef __cplusplus\n}\n#endif\n\n#endif /* " << guard << " */\n";
  return text;
}

LogicalResult ddl::compileToSharedObject(ModuleOp module,
                                         const CompileOptions &options,
                                         StringRef outputPath,
                                         StringRef headerPath,
                                         CompileStats *stats) {
  if (failed(lowerModelToLLVM(module, options, stats)))
    return failure();
  std::string object;
  if (failed(emitObject(module, options, object, stats)))
    return failure();

  auto linkStart = std::chrono::steady_clock::now();
  llvm::SmallString<128> objectPath;
  int fd;
  if (llvm::sys::fs::createTemporaryFile("ddl-model", "o", fd, objectPath))
    return module.emitError("cannot create a temporary object file");
  {
    llvm::raw_fd_ostream os(fd, /*shouldClose=*/true);
    os << object;
    if (os.has_error())
      return module.emitError("cannot write the temporary object file");
  }
  std::string error;
  LogicalResult linked =
      linkSharedObject(objectPath, outputPath, options, error);
  llvm::sys::fs::remove(objectPath);
  if (failed(linked))
    return module.emitError(error);
  if (stats)
    stats->linkSeconds = std::chrono::duration<double>(
                             std::chrono::steady_clock::now() - linkStart)
                             .count();

  if (!headerPath.empty()) {
    std::string message;
    auto header = openOutputFile(headerPath, &message);
    if (!header)
      return module.emitError(message);
    StringRef stem = llvm::sys::path::stem(outputPath);
    header->os() << modelHeader(module, stem);
    header->keep();
  }
  return success();
}
