//===- Compiler.cpp - ddl's compiler as a C API ---------------------------===//
//
// See include/ddl-c/Compiler.h. Each call is a thin wrapper over the C++ API
// (ddl/Compiler.h, the ONNX importer): it checks its arguments, captures the
// diagnostics of the call with ddl's CompilerDiagnostics (which also tells
// invalid models, unsupported ops and internal errors apart), and returns
// them as a DdlStatus.
//
//===----------------------------------------------------------------------===//

#include "ddl-c/Compiler.h"

#include "ddl/Compiler.h"
#include "ddl/Diagnostics.h"
#include "ddl/InitAll.h"
#include "frontends/onnx/ONNXImporter.h"
#include "runtime/include/ddl_model_abi.h"

#include "mlir/CAPI/IR.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "passes/codegen/Schedules.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <cerrno>
#include <cstring>
#include <string>
#include <unistd.h>

using namespace mlir;

namespace {

/// What a failed DdlStatus points to.
struct StatusStorage {
  DdlStatusCode code;
  std::string message;
};

/// A DdlCompileOptions handle: the user's choices, checked one by one as
/// they are set and together by ddl::resolveCompileOptions.
struct OptionsStorage {
  ddl::CompileRequest request;
};

} // namespace

static DdlStatus makeStatus(DdlStatusCode code, std::string message) {
  if (!message.empty() && message.back() == '\n')
    message.pop_back();
  return DdlStatus{new StatusStorage{code, std::move(message)}};
}

static DdlStatus ok() { return DdlStatus{nullptr}; }

static DdlStatus invalidArgument(const llvm::Twine &message) {
  return makeStatus(DDL_STATUS_INVALID_ARGUMENT, message.str());
}

DdlStatusCode ddlStatusGetCode(DdlStatus status) {
  return status.ptr ? static_cast<StatusStorage *>(status.ptr)->code
                    : DDL_STATUS_OK;
}

const char *ddlStatusGetMessage(DdlStatus status) {
  return status.ptr ? static_cast<StatusStorage *>(status.ptr)->message.c_str()
                    : "";
}

void ddlStatusDestroy(DdlStatus status) {
  delete static_cast<StatusStorage *>(status.ptr);
}

uint32_t ddlGetCApiVersion(void) { return DDL_C_API_VERSION; }

const char *ddlGetVersionString(void) {
  // versionString() refers to a string literal: NUL-terminated, static.
  return ddl::versionString().data();
}

uint32_t ddlGetModelAbiVersion(void) { return DDL_MODEL_ABI_VERSION; }

//===----------------------------------------------------------------------===//
// Diagnostics of one call
//===----------------------------------------------------------------------===//

namespace {

/// Captures the diagnostics reported on a context while it lives, and turns
/// a failure into a DdlStatus. Its handler is the newest on the context, so
/// the caller's own handlers see nothing of the call.
class CallDiagnostics {
public:
  CallDiagnostics(MLIRContext *context, ddl::CompilerDiagnostics::Stage stage)
      : stream(text), diagnostics(*context, stream) {
    diagnostics.setStage(stage);
  }

  /// The status of a call that failed.
  DdlStatus failure() {
    stream.flush();
    DdlStatusCode code = DDL_STATUS_INTERNAL;
    switch (diagnostics.failureKind()) {
    case ddl::FailureKind::InvalidModel:
      code = DDL_STATUS_INVALID_MODEL;
      break;
    case ddl::FailureKind::Unsupported:
      code = DDL_STATUS_UNSUPPORTED;
      break;
    case ddl::FailureKind::Internal:
      code = DDL_STATUS_INTERNAL;
      break;
    case ddl::FailureKind::None:
      text += "internal compiler error: a step failed without a diagnostic";
      break;
    }
    return makeStatus(code, text);
  }

private:
  std::string text;
  llvm::raw_string_ostream stream;
  ddl::CompilerDiagnostics diagnostics;
};

} // namespace

//===----------------------------------------------------------------------===//
// Registration
//===----------------------------------------------------------------------===//

void ddlRegisterAllDialects(MlirDialectRegistry registry) {
  if (!registry.ptr)
    return;
  ddl::registerAllDialects(*unwrap(registry));
}

void ddlContextRegisterAllDialects(MlirContext context) {
  if (!context.ptr)
    return;
  DialectRegistry registry;
  ddl::registerAllDialects(registry);
  unwrap(context)->appendDialectRegistry(registry);
}

void ddlRegisterAllPasses(void) { ddl::registerAllPasses(); }

//===----------------------------------------------------------------------===//
// Compile options
//===----------------------------------------------------------------------===//

static OptionsStorage *unwrapOptions(DdlCompileOptions options) {
  return static_cast<OptionsStorage *>(options.ptr);
}

DdlCompileOptions ddlCompileOptionsCreate(void) {
  return DdlCompileOptions{new OptionsStorage()};
}

void ddlCompileOptionsDestroy(DdlCompileOptions options) {
  delete unwrapOptions(options);
}

static std::optional<bool> parseBool(llvm::StringRef value) {
  if (value == "true" || value == "1")
    return true;
  if (value == "false" || value == "0")
    return false;
  return std::nullopt;
}

DdlStatus ddlCompileOptionsSet(DdlCompileOptions options, const char *name,
                               const char *value) {
  OptionsStorage *storage = unwrapOptions(options);
  if (!storage)
    return invalidArgument("ddlCompileOptionsSet: null options handle");
  if (!name || !value)
    return invalidArgument("ddlCompileOptionsSet: null option name or value");
  llvm::StringRef key(name), text(value);
  ddl::CompileRequest &request = storage->request;
  auto setBool = [&](bool &field) {
    std::optional<bool> parsed = parseBool(text);
    if (!parsed)
      return invalidArgument("option '" + key + "': '" + text +
                             "' is not a boolean (true, false, 1 or 0)");
    field = *parsed;
    return ok();
  };
  auto setInteger = [&](auto &&assign) {
    int64_t number;
    if (!llvm::to_integer(text, number, 10))
      return invalidArgument("option '" + key + "': '" + text +
                             "' is not an integer");
    assign(number);
    return ok();
  };
  if (key == "target") {
    request.target = text.str();
    return ok();
  }
  if (key == "opt-level")
    return setInteger([&](int64_t n) {
      // Out-of-range levels are refused with ddlc's words on the check.
      request.optLevel = n < 0 || n > 3 ? 4 : static_cast<unsigned>(n);
    });
  if (key == "parallel")
    return setBool(request.parallel);
  if (key == "precision") {
    request.precision = text.str();
    return ok();
  }
  if (key == "allow-tf32")
    return setBool(request.allowTF32);
  if (key == "quantize") {
    request.quantize = text.str();
    return ok();
  }
  if (key == "ternary-kernel") {
    request.ternaryKernel = text.str();
    return ok();
  }
  if (key == "quantize-group")
    return setInteger([&](int64_t n) { request.quantizeGroup = n; });
  if (key == "quantize-keep") {
    llvm::SmallVector<llvm::StringRef> names;
    text.split(names, ',', /*MaxSplit=*/-1, /*KeepEmpty=*/false);
    for (llvm::StringRef layer : names)
      request.quantizeKeep.push_back(layer.trim().str());
    return ok();
  }
  if (key == "calibration") {
    request.calibration = text.str();
    return ok();
  }
  if (key == "calibrator") {
    request.calibrator = text.str();
    return ok();
  }
  if (key == "calibration-percentile") {
    double percentile;
    if (text.trim().getAsDouble(percentile))
      return invalidArgument("option '" + key + "': '" + text +
                             "' is not a number");
    request.calibrationPercentile = percentile;
    return ok();
  }
  if (key == "calibration-table") {
    request.calibrationTable = text.str();
    return ok();
  }
  if (key == "specialize") {
    request.specialize.push_back(text.trim().str());
    return ok();
  }
  if (key == "schedules") {
    request.schedulesFile = text.str();
    return ok();
  }
  if (key == "tuning-db") {
    request.tuningDatabase = text.str();
    return ok();
  }
  if (key == "schedule-policy") {
    request.schedulePolicy = text.str();
    return ok();
  }
  if (key == "fuse-attention")
    return setBool(request.fuseAttention);
  if (key == "cuda-attention-kernel")
    return setBool(request.cudaAttentionKernel);
  return invalidArgument(
      "unknown compile option '" + key +
      "' (expected target, opt-level, parallel, precision, allow-tf32, "
      "quantize, quantize-group, quantize-keep, calibration, calibrator, "
      "calibration-percentile, calibration-table, specialize, schedules, "
      "tuning-db, schedule-policy, fuse-attention or "
      "cuda-attention-kernel)");
}

/// The options a call uses: the handle's checked and resolved, or the
/// defaults for a null handle.
static DdlStatus resolve(DdlCompileOptions options,
                         ddl::CompileOptions &resolved) {
  ddl::CompileRequest defaults;
  OptionsStorage *storage = unwrapOptions(options);
  std::string error;
  if (failed(ddl::resolveCompileOptions(storage ? storage->request : defaults,
                                        resolved, error)))
    return invalidArgument(error);
  const std::string &schedules = resolved.pipeline.schedulesFile;
  if (!schedules.empty() && ::access(schedules.c_str(), R_OK) != 0)
    return makeStatus(DDL_STATUS_IO, "cannot read schedules file '" +
                                         schedules +
                                         "': " + std::strerror(errno));
  const std::string &database = resolved.pipeline.tuningDatabase;
  if (!database.empty() && ::access(database.c_str(), R_OK) != 0)
    return makeStatus(DDL_STATUS_IO, "cannot read tuning database '" +
                                         database +
                                         "': " + std::strerror(errno));
  return ok();
}

DdlStatus ddlCompileOptionsCheck(DdlCompileOptions options) {
  if (!options.ptr)
    return invalidArgument("ddlCompileOptionsCheck: null options handle");
  ddl::CompileOptions resolved;
  return resolve(options, resolved);
}

//===----------------------------------------------------------------------===//
// Import
//===----------------------------------------------------------------------===//

/// An input file that cannot be read is an I/O error, told apart from a
/// model that is wrong before the importer sees it.
static DdlStatus checkReadable(const char *path) {
  if (!path || !*path)
    return invalidArgument("no model path given");
  if (::access(path, R_OK) != 0)
    return makeStatus(DDL_STATUS_IO, std::string("cannot read '") + path +
                                         "': " + std::strerror(errno));
  return ok();
}

static ddl::onnx_import::ImportOptions importOptions(uint32_t flags) {
  ddl::onnx_import::ImportOptions options;
  options.check = !(flags & DDL_IMPORT_NO_CHECK);
  options.simplify = !(flags & DDL_IMPORT_NO_SIMPLIFY);
  return options;
}

/// Runs an import in `context`, with ddl's dialects registered in it.
template <typename Import>
static DdlStatus runImport(MlirContext context, MlirModule *result,
                           Import &&import) {
  if (!context.ptr || !result)
    return invalidArgument("null context or result");
  MLIRContext *ctx = unwrap(context);
  ddlContextRegisterAllDialects(context);
  ddl::registerAllPasses();
  CallDiagnostics diagnostics(ctx, ddl::CompilerDiagnostics::Stage::Import);
  OwningOpRef<ModuleOp> module = import(*ctx);
  if (!module)
    return diagnostics.failure();
  *result = wrap(module.release());
  return ok();
}

DdlStatus ddlImportONNXFile(MlirContext context, const char *path,
                            uint32_t flags, MlirModule *result) {
  if (DdlStatus status = checkReadable(path); !ddlStatusIsOk(status))
    return status;
  return runImport(context, result, [&](MLIRContext &ctx) {
    return ddl::onnx_import::importONNXFile(ctx, path, importOptions(flags));
  });
}

DdlStatus ddlImportONNXBuffer(MlirContext context, const void *data,
                              size_t size, const char *name, uint32_t flags,
                              MlirModule *result) {
  if (!data && size)
    return invalidArgument("ddlImportONNXBuffer: null data");
  llvm::StringRef bytes(static_cast<const char *>(data), size);
  return runImport(context, result, [&](MLIRContext &ctx) {
    return ddl::onnx_import::importONNXBuffer(
        ctx, bytes, name && *name ? name : "<buffer>", importOptions(flags));
  });
}

DdlStatus ddlReadGraphFile(MlirContext context, const char *path,
                           MlirModule *result) {
  if (DdlStatus status = checkReadable(path); !ddlStatusIsOk(status))
    return status;
  return runImport(context, result, [&](MLIRContext &ctx) {
    return ddl::readGraphFile(ctx, path);
  });
}

//===----------------------------------------------------------------------===//
// Pipelines and compilation
//===----------------------------------------------------------------------===//

/// Reads the schedules file now, so that its errors are the user's (an
/// invalid argument), not a failure of the pipeline that would read it.
static DdlStatus checkSchedules(MLIRContext *context,
                                const ddl::CompileOptions &options) {
  const std::string &path = options.pipeline.schedulesFile;
  if (path.empty())
    return ok();
  CallDiagnostics diagnostics(context, ddl::CompilerDiagnostics::Stage::Import);
  if (failed(ddl::codegen::readScheduleFile(path, context))) {
    DdlStatus status = diagnostics.failure();
    static_cast<StatusStorage *>(status.ptr)->code =
        DDL_STATUS_INVALID_ARGUMENT;
    return status;
  }
  return ok();
}

/// The module's context with ddl's dialects and passes registered, after
/// the options are resolved and their schedules file read.
static DdlStatus prepare(MlirModule module, DdlCompileOptions options,
                         ddl::CompileOptions &resolved) {
  if (!module.ptr)
    return invalidArgument("null module");
  if (DdlStatus status = resolve(options, resolved); !ddlStatusIsOk(status))
    return status;
  MLIRContext *context = unwrap(module).getContext();
  ddlContextRegisterAllDialects(wrap(context));
  ddl::registerAllPasses();
  return checkSchedules(context, resolved);
}

/// Prepares the call (prepare above), then runs `step` on the module with
/// the resolved options, its diagnostics captured as the call's status.
template <typename Step>
static DdlStatus runOnModule(MlirModule module, DdlCompileOptions options,
                             Step &&step) {
  ddl::CompileOptions resolved;
  if (DdlStatus status = prepare(module, options, resolved);
      !ddlStatusIsOk(status))
    return status;
  ModuleOp op = unwrap(module);
  CallDiagnostics diagnostics(op.getContext(),
                              ddl::CompilerDiagnostics::Stage::Compile);
  return succeeded(step(op, resolved)) ? ok() : diagnostics.failure();
}

DdlStatus ddlRunPipeline(MlirModule module, DdlPipeline pipeline,
                         DdlCompileOptions options) {
  if (pipeline != DDL_PIPELINE_SIMPLIFY_GRAPH &&
      pipeline != DDL_PIPELINE_GRAPH_TO_LINALG &&
      pipeline != DDL_PIPELINE_LOWER_TO_LLVM)
    return invalidArgument("unknown pipeline " +
                           llvm::Twine(static_cast<int>(pipeline)));
  return runOnModule(
      module, options,
      [&](ModuleOp op, const ddl::CompileOptions &resolved) -> LogicalResult {
        if (pipeline == DDL_PIPELINE_LOWER_TO_LLVM)
          return ddl::lowerModelToLLVM(op, resolved);
        PassManager pm(op.getContext());
        if (pipeline == DDL_PIPELINE_SIMPLIFY_GRAPH)
          ddl::buildSimplifyGraphPipeline(pm);
        else
          ddl::buildGraphToLinalgPipeline(pm, resolved.pipeline);
        return pm.run(op);
      });
}

DdlStatus ddlRunPassPipeline(MlirModule module, const char *pipeline) {
  if (!module.ptr || !pipeline)
    return invalidArgument("null module or pipeline");
  ModuleOp op = unwrap(module);
  ddlContextRegisterAllDialects(wrap(op.getContext()));
  ddl::registerAllPasses();
  // "builtin.module(a,b)" or a bare "a,b": the passes run on the module,
  // as ddl-opt's --pass-pipeline and a plain list do.
  llvm::StringRef text = llvm::StringRef(pipeline).trim();
  llvm::StringRef passes = text;
  if (passes.consume_front("builtin.module(") && passes.consume_back(")"))
    passes = passes.trim();
  else
    passes = text;
  PassManager pm(op.getContext(), ModuleOp::getOperationName(),
                 OpPassManager::Nesting::Implicit);
  std::string parseError;
  llvm::raw_string_ostream parseErrors(parseError);
  if (failed(parsePassPipeline(passes, pm, parseErrors)))
    return invalidArgument("invalid pass pipeline '" + text +
                           "': " + llvm::StringRef(parseErrors.str()).trim());
  CallDiagnostics diagnostics(op.getContext(),
                              ddl::CompilerDiagnostics::Stage::Compile);
  return succeeded(pm.run(op)) ? ok() : diagnostics.failure();
}

/// The folder of an output file must exist and be writable, or the
/// failure is an I/O error found before anything is compiled.
static DdlStatus checkWritable(const char *path) {
  llvm::SmallString<256> dir(path);
  llvm::sys::path::remove_filename(dir);
  if (dir.empty())
    dir = ".";
  if (::access(dir.c_str(), W_OK) != 0)
    return makeStatus(DDL_STATUS_IO, std::string("cannot write '") + path +
                                         "': " + std::strerror(errno));
  return ok();
}

DdlStatus ddlCompileToSharedObject(MlirModule module, DdlCompileOptions options,
                                   const char *output_path,
                                   const char *header_path) {
  if (!output_path || !*output_path)
    return invalidArgument("no output path given");
  if (DdlStatus status = checkWritable(output_path); !ddlStatusIsOk(status))
    return status;
  if (header_path)
    if (DdlStatus status = checkWritable(header_path); !ddlStatusIsOk(status))
      return status;
  return runOnModule(
      module, options, [&](ModuleOp op, const ddl::CompileOptions &resolved) {
        return ddl::compileToSharedObject(op, resolved, output_path,
                                          header_path ? header_path : "");
      });
}
