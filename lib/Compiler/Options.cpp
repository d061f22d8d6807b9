//===- Options.cpp - a user's compile choices, checked --------------------===//
//
// The one place that knows which combinations of target, precision and
// quantization ddl accepts: ddlc's flags and the C API's named options both
// come through resolveCompileOptions, so they accept and refuse the same
// things with the same words.
//
//===----------------------------------------------------------------------===//

#include "ddl/Compiler.h"
#include "lib/Target/GPU/DeviceTarget.h"

#include "llvm/ADT/Twine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

LogicalResult ddl::resolveCompileOptions(const CompileRequest &request,
                                         CompileOptions &options,
                                         std::string &error) {
  auto fail = [&](const llvm::Twine &message) {
    error = message.str();
    return failure();
  };
  if (request.optLevel > 3)
    return fail("-O" + llvm::Twine(request.optLevel) +
                " is not an optimization level (0-3)");
  const std::string &quantize = request.quantize;
  if (quantize != "none" && quantize != "int8" && quantize != "int4" &&
      quantize != "fp8" && quantize != "fp8-e5m2" && quantize != "ternary" &&
      quantize != "ternary-1.6" && quantize != "bf16")
    return fail("unknown --quantize '" + quantize +
                "' (expected none, int8, int4, fp8, fp8-e5m2, ternary, "
                "ternary-1.6 or bf16)");
  if (request.quantizeGroup) {
    int64_t group = *request.quantizeGroup;
    if (quantize != "int4")
      return fail("--quantize-group sets the group size of int4 weights; "
                  "give --quantize=int4 too");
    if (group < 32 || group % 32)
      return fail("--quantize-group=" + llvm::Twine(group) +
                  ": the group size must be a positive multiple of 32 (32, "
                  "64, 128)");
  }
  if (request.ternaryKernel != "auto" && request.ternaryKernel != "dot" &&
      request.ternaryKernel != "lut")
    return fail("unknown --ternary-kernel '" + request.ternaryKernel +
                "' (expected auto, dot or lut)");
  if (request.ternaryKernel != "auto" && quantize != "ternary" &&
      quantize != "ternary-1.6")
    return fail("--ternary-kernel picks the CPU kernel of ternary weights; "
                "give --quantize=ternary or ternary-1.6 too");
  if (!request.calibration.empty() && quantize != "int8")
    return fail("--calibration measures activation ranges for the static "
                "scales of --quantize=int8; give --quantize=int8 too");
  if (request.calibrator != "minmax" && request.calibrator != "percentile" &&
      request.calibrator != "entropy")
    return fail("unknown --calibrator '" + request.calibrator +
                "' (expected minmax, percentile or entropy)");
  if ((request.calibrator != "minmax" || !request.calibrationTable.empty()) &&
      request.calibration.empty())
    return fail(llvm::Twine(request.calibrationTable.empty()
                                ? "--calibrator"
                                : "--calibration-table") +
                " applies to calibration; give --calibration too");
  if (request.calibrationPercentile) {
    double p = *request.calibrationPercentile;
    if (request.calibrator != "percentile")
      return fail("--calibration-percentile applies to "
                  "--calibrator=percentile");
    if (!(p > 50 && p <= 100)) {
      std::string shown;
      llvm::raw_string_ostream(shown) << llvm::format("%.10g", p);
      return fail("--calibration-percentile=" + shown +
                  ": the percentile must be in (50, 100]");
    }
  }
  if (!request.quantizeKeep.empty() && quantize == "none")
    return fail("--quantize-keep names layers to keep in float under "
                "--quantize; give --quantize=int8, int4, fp8, ternary or "
                "bf16 too");

  CompileOptions resolved = options;
  resolved.target = request.target;
  if (resolveTargetTriple(resolved).empty())
    return fail("unknown --target '" + request.target +
                "' (expected host, x86_64, aarch64, cuda[:sm_XX] or "
                "rocm[:gfxNNN])");
  std::string deviceError;
  std::optional<DeviceTarget> device =
      parseDeviceTarget(request.target, deviceError);
  if (device && device->chip.empty())
    return fail("--target=" + request.target + ": " + deviceError);
  if (device && quantize == "bf16")
    return fail("--quantize=bf16 is a CPU mode (bf16 weights on vdpbf16ps); "
                "GPUs compute linear layers in bf16 on their tensor cores "
                "with --precision=bf16");

  const std::string &precision = request.precision;
  if (precision != "fp32" && precision != "tf32" && precision != "bf16" &&
      precision != "fp16")
    return fail("unknown --precision '" + precision +
                "' (expected fp32, tf32, bf16 or fp16)");
  int smVersion = 0;
  if (device && device->kind == DeviceTarget::Kind::CUDA)
    llvm::StringRef(device->chip).drop_front(3).consumeInteger(10, smVersion);
  bool tensorCores = smVersion >= 80;
  // AMD's matrix cores (MFMA) take bf16 and fp16; tf32 is NVIDIA's.
  bool matrixCores = device && device->kind == DeviceTarget::Kind::ROCm;
  // --allow-tf32 permits tf32 where there are tensor cores for it (as
  // PyTorch's flag does); elsewhere fp32 stays fp32. --precision demands.
  std::string compute = precision;
  if (request.allowTF32 && compute == "fp32" && tensorCores)
    compute = "tf32";
  if (compute != "fp32" && !tensorCores && !(matrixCores && compute != "tf32"))
    return fail(
        "--precision=" + compute +
        (matrixCores
             ? " runs contractions on NVIDIA tensor cores, which "
               "needs --target=cuda:sm_80 or later, not " +
                   request.target +
                   "; ROCm targets run bf16 and fp16 on their "
                   "matrix cores (MFMA) and compute in fp32 otherwise"
             : " runs contractions on tensor cores (mma.sync, "
               "MFMA), which needs --target=cuda:sm_80 or later "
               "or --target=rocm" +
                   (device ? ", not " + request.target : std::string()) +
                   "; CPU targets compute in fp32"));
  if (request.cudaAttentionKernel &&
      (!device || device->kind != DeviceTarget::Kind::CUDA))
    return fail("--cuda-attention-kernel needs --target=cuda");
  if (request.deviceAssembly && !device)
    return fail("--emit=ptx and --emit=amdgcn need a GPU target "
                "(--target=cuda or --target=rocm)");

  resolved.optLevel = request.optLevel;
  resolved.pipeline.parallel = request.parallel;
  resolved.pipeline.quantize = quantize == "none" ? "" : quantize;
  if (request.quantizeGroup)
    resolved.pipeline.quantizeGroup = *request.quantizeGroup;
  resolved.pipeline.quantizeKeep = request.quantizeKeep;
  resolved.pipeline.ternaryKernel = request.ternaryKernel;
  resolved.calibration.source = request.calibration;
  resolved.calibration.calibrator = request.calibrator;
  if (request.calibrationPercentile)
    resolved.calibration.percentile = *request.calibrationPercentile;
  resolved.calibration.tableOutput = request.calibrationTable;
  resolved.pipeline.schedulesFile = request.schedulesFile;
  resolved.pipeline.printSchedules = request.printSchedules;
  if (request.schedulePolicy != "model" &&
      request.schedulePolicy != "heuristic")
    return fail("--schedule-policy must be 'model' or 'heuristic', not '" +
                request.schedulePolicy + "'");
  resolved.pipeline.tuningDatabase = request.tuningDatabase;
  resolved.pipeline.schedulePolicy = request.schedulePolicy;
  resolved.pipeline.reportSchedules = request.reportSchedules;
  resolved.pipeline.fuseAttention = request.fuseAttention;
  for (const std::string &entry : request.specialize) {
    llvm::StringRef text(entry);
    auto [symbol, sizes] = text.split('=');
    if (symbol.trim().empty() || sizes.trim().empty() || text.contains(';'))
      return fail("--specialize takes symbol=size,size,... (e.g. "
                  "batch=1,8,32), not '" +
                  entry + "'");
    if (!resolved.specialize.empty())
      resolved.specialize += ";";
    resolved.specialize += entry;
  }
  resolved.gpuPipeline.precision = compute;
  resolved.gpuPipeline.attentionKernel = request.cudaAttentionKernel;
  if (request.deviceAssembly)
    resolved.gpuPipeline.format = "isa";
  options = std::move(resolved);
  return success();
}
