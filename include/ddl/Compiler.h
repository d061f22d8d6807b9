//===- Compiler.h - compile nn models to shared objects ---------*- C++ -*-===//
//
// The in-process compiler API that `ddlc` is a thin main over, and that a
// compiler embedding ddl calls: lower an nn-dialect module through the CPU
// pipeline, emit an object file for a target, link it into a shared object
// implementing runtime/include/ddl_model_abi.h, and write its C header.
//
// The pipelines are built from registered passes: call
// ddl::registerAllDialects on the context's registry and
// ddl::registerAllPasses() once before using this API.
//
//===----------------------------------------------------------------------===//

#ifndef DDL_COMPILER_H
#define DDL_COMPILER_H

#include "ddl/Pipelines.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace llvm {
class MemoryBuffer;
} // namespace llvm

namespace mlir {
class PassManager;
} // namespace mlir

namespace ddl {

/// Static int8 calibration (`ddlc --quantize=int8 --calibration`).
struct CalibrationOptions {
  /// Empty for none; else a directory of samples: one subdirectory per
  /// sample holding a file per model input, named by the input
  /// (`<name>.npy` / `.pb`) or by its position (`input_<i>.npy` / `.pb`,
  /// as ONNX test data sets are), or, for a model with one input, `.npy` /
  /// `.pb` files directly in the directory, one sample each. Or a
  /// calibration table a run wrote before (`tableOutput`).
  std::string source;
  /// "minmax" (the extremes), "percentile" (the `percentile`-th and
  /// (100 - `percentile`)-th percentiles) or "entropy" (the clipping
  /// threshold of least KL divergence, TensorRT's rule).
  std::string calibrator = "minmax";
  double percentile = 99.999;
  /// Where to write the measured table (empty: nowhere).
  std::string tableOutput;
};

/// What to compile for and how.
struct CompileOptions {
  /// "host", "x86_64" or "aarch64" (Linux, ELF, LP64), or a GPU:
  /// "cuda[:sm_XX]", "rocm[:gfxNNN]" (host code for the host, kernels for
  /// the device; lib/Target/GPU/DeviceTarget.h).
  std::string target = "host";
  /// LLVM optimization level, 0 to 3.
  unsigned optLevel = 3;
  CPUPipelineOptions pipeline;
  /// Shape specialization (nn-specialize-shapes): `symbol=size,...`
  /// groups joined by ';', or empty for none.
  std::string specialize;
  /// For a GPU target: the kernels' format and block size (the device,
  /// architecture and toolkit come from `target`).
  GPUPipelineOptions gpuPipeline;
  /// Static int8: activation ranges measured before lowering, handed to
  /// the pipeline as `pipeline.activationRanges`.
  CalibrationOptions calibration;
  /// Called on every pass manager the compiler builds, before it runs (a
  /// tool applies its IR-printing and crash-reproducer flags here).
  std::function<void(mlir::PassManager &)> configurePassManager;
};

/// A user's choices about one compilation, before they are checked: what
/// ddlc's flags and the C API's named options (ddl-c/Compiler.h) set.
/// resolveCompileOptions checks them and turns them into CompileOptions.
struct CompileRequest {
  std::string target = "host";
  unsigned optLevel = 3;
  /// Run parallel loops on the runtime's thread pool.
  bool parallel = true;
  /// "fp32", "tf32", "bf16" or "fp16".
  std::string precision = "fp32";
  /// fp32 contractions may run in tf32 where there are tensor cores.
  bool allowTF32 = false;
  /// "none", "int8", "int4", "fp8", "fp8-e5m2", "ternary", "ternary-1.6"
  /// or "bf16".
  std::string quantize = "none";
  std::optional<int64_t> quantizeGroup;
  std::vector<std::string> quantizeKeep;
  /// "auto", "dot" or "lut" (CPUPipelineOptions::ternaryKernel).
  std::string ternaryKernel = "auto";
  /// --calibration, --calibrator, --calibration-percentile and
  /// --calibration-table (CalibrationOptions); int8 only.
  std::string calibration;
  std::string calibrator = "minmax";
  std::optional<double> calibrationPercentile;
  std::string calibrationTable;
  /// A file of `key -> schedule` records (a tuning database).
  std::string schedulesFile;
  bool printSchedules = false;
  /// ddl-tune's database to replay; the policy for the other kernels
  /// ("model" or "heuristic"); print the count of each.
  std::string tuningDatabase;
  std::string schedulePolicy = "model";
  bool reportSchedules = false;
  bool fuseAttention = true;
  /// CUDA: attn.flex as ddl's fused tensor-core kernel
  /// (ddl-flex-to-gpu-kernel). Off by default until its numerics have
  /// been checked on a GPU (docs/status.md); materialized otherwise.
  bool cudaAttentionKernel = false;
  /// Stop at device assembly (PTX, AMDGCN): `ddlc --emit=ptx|amdgcn`.
  bool deviceAssembly = false;
  /// Sizes to specialize dimension symbols for, one `symbol=size,size,...`
  /// per entry (`ddlc --specialize`).
  std::vector<std::string> specialize;
};

/// Checks `request`, each choice and the choices together (a group size
/// only with int4, tensor-core precisions only on CUDA sm_80 and later,
/// a known target), and sets the matching fields of `options` (the others
/// keep their values). On failure `error` says what is wrong, naming each
/// choice as ddlc's flag does. The schedules file is only named here; it is
/// read, and its errors reported, when the pipeline runs (or earlier with
/// codegen::readScheduleFile).
mlir::LogicalResult resolveCompileOptions(const CompileRequest &request,
                                          CompileOptions &options,
                                          std::string &error);

/// Facts about one compilation, for `ddlc --stats`.
struct CompileStats {
  /// Arena bytes of one run: a constant, or -1 when it depends on the
  /// input sizes (then `arenaFormula` gives it over the dimension symbols).
  int64_t arenaBytes = 0;
  std::string arenaFormula = "0";
  double lowerSeconds = 0, codegenSeconds = 0, linkSeconds = 0;
  size_t objectBytes = 0;
};

/// The LLVM target triple that `options.target` names, or an empty string
/// (with a diagnostic on `errs`) if it is not supported.
/// Reads an nn-dialect model from an MLIR file (text, or bytecode), as a
/// frontend that writes MLIR (the PyTorch one) hands it over: parses and
/// verifies it, checks that it holds only nn ops in func.func functions with
/// bodies and exactly one public function with results (the model entry),
/// and simplifies it (buildSimplifyGraphPipeline).
/// Problems are reported as diagnostics on `context`; the result is null.
mlir::OwningOpRef<mlir::ModuleOp> readGraphFile(mlir::MLIRContext &context,
                                                llvm::StringRef path);

/// readGraphFile on a buffer in memory (its identifier names it in
/// diagnostics).
mlir::OwningOpRef<mlir::ModuleOp>
readGraph(mlir::MLIRContext &context, std::unique_ptr<llvm::MemoryBuffer> file);

std::string resolveTargetTriple(const CompileOptions &options);

/// Lowers `module` (nn graph dialect) in place to the LLVM dialect, with the
/// model descriptor and entry points (ddl_model_abi.h). Diagnostics go to
/// the module's context.
mlir::LogicalResult lowerModelToLLVM(mlir::ModuleOp module,
                                     const CompileOptions &options,
                                     CompileStats *stats = nullptr);

/// Translates an LLVM-dialect `module` to LLVM IR, optimizes it and emits an
/// ELF object for the target into `object`.
mlir::LogicalResult emitObject(mlir::ModuleOp module,
                               const CompileOptions &options,
                               std::string &object,
                               CompileStats *stats = nullptr);

/// Links `objectPath` into the shared object `outputPath` with the linker
/// found when ddl was built (ld.lld; $DDL_LINKER overrides it). A portable
/// build (DDL_PORTABLE_TOOLS) runs the lld linked into the program instead,
/// as `<program> -flavor gnu ...`: its main must call runEmbeddedLinker.
mlir::LogicalResult linkSharedObject(llvm::StringRef objectPath,
                                     llvm::StringRef outputPath,
                                     const CompileOptions &options,
                                     std::string &error);

/// When `argv` is a linker command line from linkSharedObject (`-flavor gnu`
/// first) and lld is linked in, runs it and returns its exit status;
/// otherwise returns std::nullopt. Called first thing by a tool's main.
std::optional<int> runEmbeddedLinker(int argc, char **argv);

/// The C header for a model lowered by lowerModelToLLVM: its signature as
/// comments and index constants, and the declaration of `ddl_get_model`.
std::string modelHeader(mlir::ModuleOp module, llvm::StringRef guardName);

/// All of the above: nn module -> `outputPath` (.so) and, if not empty,
/// `headerPath`.
mlir::LogicalResult compileToSharedObject(mlir::ModuleOp module,
                                          const CompileOptions &options,
                                          llvm::StringRef outputPath,
                                          llvm::StringRef headerPath,
                                          CompileStats *stats = nullptr);

} // namespace ddl

#endif // DDL_COMPILER_H
