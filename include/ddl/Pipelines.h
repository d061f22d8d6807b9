//===- Pipelines.h - ddl's registered pass pipelines ------------*- C++ -*-===//
//
// The compiler's stages as pass pipelines. Each is registered with the pass
// registry under the name given here, so `ddl-opt --ddl-graph-to-linalg`
// runs exactly what `ddlc` runs for that stage.
//
//===----------------------------------------------------------------------===//

#ifndef DDL_PIPELINES_H
#define DDL_PIPELINES_H

#include "mlir/Pass/PassManager.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ddl {

/// Options that shape the CPU pipeline.
struct CPUPipelineOptions {
  /// Run parallel loops on the runtime's thread pool.
  bool parallel = true;
  /// Tile and vectorize contractions and elementwise loops.
  bool vectorize = true;
  /// The target whose table entry (lib/Target/CPU/TargetInfo.h) chooses
  /// the kernels' schedules: "host", "x86_64" or "aarch64".
  std::string target = "host";
  /// A file of `key -> schedule` records that override the heuristic.
  std::string schedulesFile;
  /// Print `key -> schedule` for every scheduled kernel on stdout.
  bool printSchedules = false;
  /// A tuning database (ddl-tune's JSON lines) whose best records are
  /// replayed (a schedules file's records win).
  std::string tuningDatabase;
  /// Schedules of kernels no record names: "heuristic" (the target table)
  /// or "model" (the shipped cost model's pick where it predicts a gain).
  std::string schedulePolicy = "model";
  /// Print on stderr how many kernels each source scheduled.
  bool reportSchedules = false;
  /// Rewrite MatMul-Softmax-MatMul attention into attn.flex
  /// (nn-recognize-attention), which runs as one fused kernel.
  bool fuseAttention = true;
  /// Post-training quantization: "" (none), "int8" (nn-quantize-int8:
  /// per-channel weights, per-row dynamic activations), "int4"
  /// (nn-quantize-int4: group-wise weights, f32 activations), "fp8"
  /// (nn-quantize-fp8: E4M3, per-tensor scales; "fp8-e5m2": E5M2),
  /// "ternary" or
  /// "ternary-1.6" (nn-quantize-ternary: BitNet b1.58 weights at 2 / 1.6
  /// bits, int8 per-row activations), "bf16" (nn-quantize-bf16: bf16
  /// weights and activations, f32 sums).
  std::string quantize;
  /// Inputs per scale of int4 weights (a multiple of 32).
  int64_t quantizeGroup = 64;
  /// The CPU kernel of ternary matmuls: "auto", "dot" (trits unpacked onto
  /// int8 dot products) or "lut" (lookup tables of activation sums;
  /// ddl-lowbit-ternary-to-vector's `kernel`).
  std::string ternaryKernel = "auto";
  /// Layers (by a substring of their location) that stay in float.
  std::vector<std::string> quantizeKeep;
  /// int8 with static activation scales: lo, hi per calibration point
  /// (nn-quantize-int8's activation-ranges; lib/Compiler/Calibration.h).
  std::vector<double> activationRanges;
  /// Return the calibration points' activations instead of quantizing
  /// (nn-expose-calibration-points: the calibration run's model).
  bool exposeCalibrationPoints = false;
  /// bf16 / f16 convolutions as GEMMs (the GPU pipeline sets it: its GEMM
  /// kernels take half operands; the CPU's do not).
  bool halfGemmConvolutions = false;
  /// A Gemm's transposed run-time B transposed to [K][N] first (the CPU
  /// kernels' layout; the GPU pipeline clears it).
  bool transposeRuntimeRhs = true;
};

/// Options that shape the GPU pipeline (`ddlc --target=cuda|rocm`).
struct GPUPipelineOptions {
  /// "cuda" or "rocm".
  std::string device = "cuda";
  /// The device architecture ("sm_90a", "gfx942") and LLVM features.
  std::string chip = "sm_90a";
  std::string features = "+ptx80";
  /// "bin" embeds binaries (cubin, hsaco); "isa" stops at device assembly
  /// (PTX, AMDGCN), for `ddlc --emit=ptx|amdgcn`.
  std::string format = "bin";
  /// The CUDA toolkit for ptxas, and bitcode libraries linked into every
  /// kernel (libdevice for NVVM's math functions).
  std::string toolkit;
  std::vector<std::string> linkFiles;
  /// Threads per block of the generic kernels.
  int64_t blockSize = 256;
  /// The contractions' compute type: "fp32" (SIMT), or "tf32", "bf16",
  /// "fp16" (tensor cores, f32 accumulators; CUDA sm_80+).
  std::string precision = "fp32";
  /// CUDA: attn.flex as the fused tensor-core kernel
  /// (ddl-flex-to-gpu-kernel), and graphs' attention recognized into
  /// attn.flex for it under bf16 / fp16; otherwise attention runs
  /// materialized.
  bool attentionKernel = false;
};

/// nn graph -> nn graph: folds constants and shape computations and refines
/// types (nn-infer-shapes), which makes an imported graph's shapes as static
/// and as symbolic as they can be. Every frontend's import ends with it.
void buildSimplifyGraphPipeline(mlir::OpPassManager &pm);

/// nn graph -> linalg/tensor/arith/math/scf on tensors, fused. With
/// `options.vectorize`, convolutions and the elementwise ops between them
/// first move to channels-last (nn-channels-last).
void buildGraphToLinalgPipeline(mlir::OpPassManager &pm,
                                const CPUPipelineOptions &options);

/// Tensors -> buffers: one-shot bufferization, then arena memory planning;
/// buffers that cannot live in the arena are freed by ownership-based
/// deallocation. With `cpuKernels`, the scheduled contractions, depthwise
/// convolutions and row reductions become CPU vector kernels first.
void buildBufferizePipeline(mlir::OpPassManager &pm, bool cpuKernels = true);

/// Buffers -> loops -> the LLVM dialect, plus the model's C entry point.
void buildLowerToLLVMPipeline(mlir::OpPassManager &pm,
                              const CPUPipelineOptions &options);

/// linalg on tensors -> data-tiled kernels: a schedule for every
/// contraction (the target table's, or a replayed file's), then
/// matmul -> contraction on its constant operand packed now.
void buildDataTilingPipeline(mlir::OpPassManager &pm,
                             const CPUPipelineOptions &options);

/// All four, in order: what `ddlc` runs for a CPU target.
void buildCPUPipeline(mlir::OpPassManager &pm,
                      const CPUPipelineOptions &options);

/// nn graph -> host code in the LLVM dialect that launches device kernels,
/// embedded as binaries (or device assembly with format "isa"): graph to
/// linalg, bufferize, every linalg op a kernel (ddl-gpu-map-kernels),
/// outlining, NVVM/ROCDL conversion, gpu-module-to-binary, and the host
/// calls of the runtime's device callbacks (ddl-gpu-to-host). `graph`
/// gives the graph-level options shared with the CPU pipeline
/// (quantization); the GPU pipeline ignores its CPU-only fields.
void buildGPUPipeline(mlir::OpPassManager &pm,
                      const GPUPipelineOptions &options,
                      const CPUPipelineOptions &graph = {});

/// Registers the pipelines above with the pass registry.
void registerPipelines();

} // namespace ddl

#endif // DDL_PIPELINES_H
