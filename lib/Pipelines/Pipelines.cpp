//===- Pipelines.cpp - ddl's registered pass pipelines --------------------===//

#include "ddl/Pipelines.h"

#include "passes/attention/Passes.h"
#include "passes/codegen/Passes.h"
#include "passes/codegen/gpu/Passes.h"
#include "passes/graph/Passes.h"
#include "passes/lowering/Passes.h"
#include "passes/quant/Passes.h"

#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/ErrorHandling.h"

using namespace mlir;

/// Adds a textual pipeline of upstream passes (registered by
/// ddl::registerAllPasses). The strings are fixed, so a parse failure is a
/// bug in this file, reported loudly.
static void addPipeline(OpPassManager &pm, llvm::StringRef pipeline) {
  if (failed(parsePassPipeline(pipeline, pm, llvm::errs())))
    llvm::report_fatal_error(llvm::Twine("ddl: bad built-in pipeline: ") +
                             pipeline);
}

void ddl::buildSimplifyGraphPipeline(OpPassManager &pm) {
  addPipeline(pm, "canonicalize");
  pm.addPass(graph::createNNInferShapesPass());
  addPipeline(pm, "canonicalize,cse");
}

void ddl::buildGraphToLinalgPipeline(OpPassManager &pm,
                                     const CPUPipelineOptions &options) {
  // Sequences and optionals become tensors first: nothing after this sees
  // them.
  pm.addPass(graph::createNNExpandSequencesPass());
  pm.addPass(graph::createNNInferShapesPass());
  if (options.fuseAttention)
    addPipeline(pm, "func.func(nn-recognize-attention),canonicalize,cse");
  // What shape inference assumed (a symbolic size equal to a static one) is
  // checked at run time, before quantization replaces the ops that know it
  // (after the graph rewrites, which the checks' uses of sizes would block).
  pm.addPass(graph::createNNCheckShapesPass());
  if (options.exposeCalibrationPoints)
    pm.addPass(quant::createNNExposeCalibrationPointsPass());
  if (options.quantize == "int8") {
    quant::NNQuantizeInt8PassOptions int8;
    int8.keep.assign(options.quantizeKeep.begin(), options.quantizeKeep.end());
    int8.activationRanges.assign(options.activationRanges.begin(),
                                 options.activationRanges.end());
    pm.addNestedPass<func::FuncOp>(quant::createNNQuantizeInt8Pass(int8));
    pm.addPass(graph::createNNInferShapesPass());
    addPipeline(pm, "canonicalize,cse");
  } else if (options.quantize == "int4") {
    quant::NNQuantizeInt4PassOptions int4;
    int4.groupSize = options.quantizeGroup;
    int4.keep.assign(options.quantizeKeep.begin(), options.quantizeKeep.end());
    pm.addNestedPass<func::FuncOp>(quant::createNNQuantizeInt4Pass(int4));
    addPipeline(pm, "canonicalize,cse");
  } else if (options.quantize == "ternary" ||
             options.quantize == "ternary-1.6") {
    quant::NNQuantizeTernaryPassOptions ternary;
    ternary.tritsPerByte = options.quantize == "ternary" ? 4 : 5;
    ternary.keep.assign(options.quantizeKeep.begin(),
                        options.quantizeKeep.end());
    pm.addNestedPass<func::FuncOp>(quant::createNNQuantizeTernaryPass(ternary));
    pm.addPass(graph::createNNInferShapesPass());
    addPipeline(pm, "canonicalize,cse");
  } else if (options.quantize == "bf16") {
    quant::NNQuantizeBf16PassOptions bf16;
    bf16.keep.assign(options.quantizeKeep.begin(), options.quantizeKeep.end());
    pm.addNestedPass<func::FuncOp>(quant::createNNQuantizeBf16Pass(bf16));
    pm.addPass(graph::createNNInferShapesPass());
    addPipeline(pm, "canonicalize,cse");
  } else if (options.quantize == "fp8" || options.quantize == "fp8-e5m2") {
    quant::NNQuantizeFp8PassOptions fp8;
    fp8.format = options.quantize == "fp8" ? "e4m3" : "e5m2";
    fp8.keep.assign(options.quantizeKeep.begin(), options.quantizeKeep.end());
    pm.addNestedPass<func::FuncOp>(quant::createNNQuantizeFp8Pass(fp8));
    pm.addPass(graph::createNNInferShapesPass());
    addPipeline(pm, "canonicalize,cse");
  }
  // Convolutions run channels-last where a kernel exists for that layout.
  if (options.vectorize)
    addPipeline(pm, "func.func(nn-channels-last),canonicalize");
  lowering::ConvertNNToLinalgPassOptions toLinalg;
  toLinalg.halfGemmConvolutions = options.halfGemmConvolutions;
  toLinalg.transposeRuntimeRhs = options.transposeRuntimeRhs;
  pm.addPass(lowering::createConvertNNToLinalgPass(toLinalg));
  addPipeline(pm, "canonicalize,cse,"
                  "ddl-fuse-elementwise,"
                  "canonicalize,cse");
}

void ddl::buildDataTilingPipeline(OpPassManager &pm,
                                  const CPUPipelineOptions &options) {
  codegen::DDLSelectSchedulesPassOptions select;
  select.target = options.target;
  select.schedulesFile = options.schedulesFile;
  select.print = options.printSchedules;
  select.tuningDatabase = options.tuningDatabase;
  select.policy = options.schedulePolicy;
  select.report = options.reportSchedules;
  pm.addPass(codegen::createDDLSelectSchedulesPass(select));
  pm.addPass(codegen::createDDLDataTilePass());
  addPipeline(pm, "canonicalize,cse");
}

void ddl::buildBufferizePipeline(OpPassManager &pm, bool cpuKernels) {
  // Loops may yield fresh buffers per iteration: carried values of nn.loop
  // can change shape between iterations, and scan outputs grow.
  // Scheduled kernels become loops before the arena is planned: a kernel
  // that runs its epilogue writes the epilogue's result, so that buffer's
  // live range starts at the kernel, not after it. Computed tensors that
  // get padded are written straight into the padded buffer.
  addPipeline(pm, "ddl-pads-in-place,eliminate-empty-tensors,"
                  "one-shot-bufferize{bufferize-function-boundaries=1 "
                  "function-boundary-type-conversion=identity-layout-map "
                  "allow-return-allocs-from-loops=1},"
                  "canonicalize,cse,canonicalize");
  if (cpuKernels)
    addPipeline(pm, "ddl-contraction-to-vector,ddl-depthwise-to-vector,"
                    "ddl-row-reduction-to-vector");
  addPipeline(pm, "ddl-own-results,ddl-plan-arena,"
                  "buffer-deallocation-pipeline,"
                  "convert-bufferization-to-memref,canonicalize");
}

void ddl::buildLowerToLLVMPipeline(OpPassManager &pm,
                                   const CPUPipelineOptions &options) {
  // Copies become loops (no memrefCopy runtime helper); bf16 conversions
  // expand to integer code (no __truncsfbf2 helper on any target).
  // Transcendental functions become inline polynomials (vectorizable)
  // before anything is lowered to loops.
  addPipeline(pm, "ddl-copies-to-linalg,ddl-flatten-globals,"
                  "ddl-approximate-math");
  quant::DDLLowbitDotToLLVMPassOptions dots;
  dots.target = options.target;
  pm.addPass(quant::createDDLLowbitDotToLLVMPass(dots));
  if (options.vectorize)
    addPipeline(pm, "ddl-interchange-for-vectorization");
  if (options.parallel)
    addPipeline(pm, "func.func(convert-linalg-to-parallel-loops),"
                    "ddl-parallel-to-host");
  addPipeline(
      pm, "func.func(convert-linalg-to-loops),"
          "ddl-dynamic-expand-shape,expand-strided-metadata,lower-affine,"
          "ddl-checks-to-status,ddl-inline-alloca-scopes,convert-scf-to-cf,"
          "convert-math-to-funcs,convert-math-to-llvm,"
          "convert-math-to-libm,"
          "convert-vector-to-llvm,"
          "arith-expand{include-bf16=1},convert-arith-to-llvm,"
          "convert-index-to-llvm,"
          "finalize-memref-to-llvm{use-aligned-alloc=1},convert-func-to-llvm,"
          "convert-cf-to-llvm,convert-ub-to-llvm,"
          "reconcile-unrealized-casts,canonicalize,ddl-bool-globals-as-bytes");
}

void ddl::buildCPUPipeline(OpPassManager &pm,
                           const CPUPipelineOptions &options) {
  buildGraphToLinalgPipeline(pm, options);
  if (options.vectorize)
    buildDataTilingPipeline(pm, options);
  pm.addPass(attention::createDDLFlexToCPUKernelPass());
  pm.addPass(attention::createDDLFlexToLinalgPass());
  quant::DDLLowbitMatmulToVNNIPassOptions vnni;
  vnni.target = options.target;
  pm.addPass(quant::createDDLLowbitMatmulToVNNIPass(vnni));
  pm.addPass(quant::createDDLLowbitInt4ToVectorPass());
  quant::DDLLowbitTernaryToVectorPassOptions ternary;
  ternary.target = options.target;
  ternary.kernel = options.ternaryKernel;
  pm.addPass(quant::createDDLLowbitTernaryToVectorPass(ternary));
  quant::DDLLowbitFp8ToVectorPassOptions fp8;
  fp8.target = options.target;
  pm.addPass(quant::createDDLLowbitFp8ToVectorPass(fp8));
  pm.addPass(quant::createDDLLowbitBf16ToVectorPass());
  pm.addPass(quant::createDDLLowbitToLinalgPass());
  buildBufferizePipeline(pm);
  buildLowerToLLVMPipeline(pm, options);
}

void ddl::buildGPUPipeline(OpPassManager &pm, const GPUPipelineOptions &options,
                           const CPUPipelineOptions &graph) {
  // Convolutions channels-last, as on the CPU: a group-1 convolution is then
  // an im2col copy and a matmul, which ddl-gpu-contraction-kernels runs as
  // a tiled GEMM (a channels-first linalg convolution would be one thread
  // per output element). With `attentionKernel` (CUDA), attention runs as
  // ddl's fused tensor-core kernel (ddl-flex-to-gpu-kernel) where it
  // computes in bf16 / fp16, and graphs' MatMul-Softmax-MatMul is
  // recognized for it; otherwise graphs keep it, and an attn.flex from a
  // frontend runs materialized (ddl-flex-to-linalg), as the fp32 kernels
  // would run it anyway.
  CPUPipelineOptions graphOptions = graph;
  bool kernel = options.device == "cuda" && options.attentionKernel;
  bool halfAttention =
      kernel && (options.precision == "bf16" || options.precision == "fp16");
  graphOptions.fuseAttention = graph.fuseAttention && halfAttention;
  graphOptions.halfGemmConvolutions = true;
  graphOptions.transposeRuntimeRhs = false;
  buildGraphToLinalgPipeline(pm, graphOptions);
  if (kernel) {
    attention::DDLFlexToGPUKernelPassOptions flex;
    flex.precision = options.precision;
    // wgmma is sm_90a's (arch-specific) instruction.
    flex.hopper = options.chip == "sm_90a";
    pm.addPass(attention::createDDLFlexToGPUKernelPass(flex));
  }
  pm.addPass(attention::createDDLFlexToLinalgPass());
  pm.addPass(quant::createDDLLowbitToLinalgPass());
  buildBufferizePipeline(pm, /*cpuKernels=*/false);
  // Weights as flat constants (uploaded once each); transcendental
  // functions as polynomials, as on the CPU (no libm on the device).
  addPipeline(pm, "ddl-flatten-globals,ddl-approximate-math");
  gpugen::DDLGPUContractionKernelsPassOptions contractions;
  contractions.precision = options.precision;
  // wgmma, TMA and setmaxnreg are sm_90a's (arch-specific) instructions.
  contractions.hopper = options.device == "cuda" && options.chip == "sm_90a";
  // bf16 / fp16 on AMD's matrix cores (gfx90a and gfx942 both have them).
  contractions.mfma = options.device == "rocm";
  pm.addPass(gpugen::createDDLGPUContractionKernelsPass(contractions));
  pm.addPass(gpugen::createDDLGPUInt4KernelsPass());
  pm.addPass(gpugen::createDDLGPURowReductionKernelsPass());
  gpugen::DDLGPUMapKernelsPassOptions map;
  map.blockSize = options.blockSize;
  pm.addPass(gpugen::createDDLGPUMapKernelsPass(map));
  // No canonicalization before the conversion: it would merge the block and
  // thread loops into one and drop their mapping. Constants that CSE took
  // out of a launch (kernels built before bufferization) go back in before
  // outlining, or they would become kernel parameters (a division by a
  // parameter instead of a shift).
  addPipeline(pm, "convert-math-to-funcs,convert-parallel-loops-to-gpu,"
                  "gpu-launch-sink-index-computations,"
                  "gpu-kernel-outlining,ddl-gpu-merge-kernel-modules,"
                  "lower-affine,canonicalize,cse");
  // Control flow to LLVM on both sides at once: convert-gpu-to-nvvm does
  // not convert the block arguments of a kernel's loops itself. The host's
  // run-time checks become status stores first (cf-to-llvm would make them
  // aborts).
  addPipeline(pm, "ddl-checks-to-status,convert-scf-to-cf,convert-cf-to-llvm");

  // The device side: each gpu.module to NVVM or ROCDL, then to a binary.
  std::string link;
  for (const std::string &file : options.linkFiles)
    link += (link.empty() ? "" : ",") + file;
  std::string kernels =
      "ddl-dynamic-expand-shape,expand-strided-metadata,lower-affine,";
  if (options.device == "cuda") {
    addPipeline(pm, "nvvm-attach-target{chip=" + options.chip +
                        " features=" + options.features + " O=3" +
                        (link.empty() ? "" : " l=" + link) + "}");
    // nvgpu: the ldmatrix of the bf16 / f16 tensor-core kernels; the NVVM
    // ops written as inline PTX (wgmma, mbarrier waits) after the kernels
    // are LLVM functions, whose TMA descriptor parameters then become
    // by-value parameters.
    kernels += "convert-nvgpu-to-nvvm,convert-gpu-to-nvvm{index-bitwidth=64},"
               "convert-nvvm-to-llvm,ddl-gpu-by-value-params";
  } else {
    addPipeline(pm, "rocdl-attach-target{chip=" + options.chip + " O=3" +
                        (link.empty() ? "" : " l=" + link) + "}");
    kernels +=
        "convert-gpu-to-rocdl{chipset=" + options.chip + " index-bitwidth=64}";
  }
  addPipeline(pm, "gpu.module(" + kernels +
                      ",convert-ub-to-llvm,canonicalize,cse,"
                      "reconcile-unrealized-casts)");
  addPipeline(pm,
              "gpu-module-to-binary{format=" + options.format +
                  (options.toolkit.empty() ? std::string()
                                           : " toolkit=" + options.toolkit) +
                  "}");

  // The host side: what the CPU pipeline does after its kernels, with
  // ddl-gpu-to-host in place of finalize-memref-to-llvm.
  addPipeline(pm,
              "ddl-dynamic-expand-shape,expand-strided-metadata,lower-affine,"
              "convert-math-to-llvm,convert-math-to-libm,"
              "arith-expand{include-bf16=1},convert-arith-to-llvm,"
              "convert-index-to-llvm,ddl-gpu-to-host,convert-func-to-llvm,"
              "convert-cf-to-llvm,convert-ub-to-llvm,"
              "reconcile-unrealized-casts,canonicalize,"
              "ddl-bool-globals-as-bytes");
}

void ddl::registerPipelines() {
  PassPipelineRegistration<>(
      "ddl-simplify-graph",
      "Fold constants and shape computations and refine nn result types",
      buildSimplifyGraphPipeline);
  PassPipelineRegistration<>(
      "ddl-graph-to-linalg",
      "Lower the nn graph to linalg on tensors and fuse elementwise ops",
      [](OpPassManager &pm) { buildGraphToLinalgPipeline(pm, {}); });
  PassPipelineRegistration<>(
      "ddl-data-tiling",
      "Schedule contractions (host target) and pack their constant operands",
      [](OpPassManager &pm) { buildDataTilingPipeline(pm, {}); });
  PassPipelineRegistration<>(
      "ddl-bufferize",
      "Bufferize, plan the arena and free what does not live in it",
      [](OpPassManager &pm) { buildBufferizePipeline(pm); });
  PassPipelineRegistration<>(
      "ddl-lower-to-llvm", "Lower buffers and loops to the LLVM dialect",
      [](OpPassManager &pm) { buildLowerToLLVMPipeline(pm, {}); });
  PassPipelineRegistration<>(
      "ddl-cpu-pipeline", "The whole CPU pipeline, nn graph to LLVM dialect",
      [](OpPassManager &pm) { buildCPUPipeline(pm, {}); });
  PassPipelineRegistration<>(
      "ddl-cuda-pipeline",
      "The whole CUDA pipeline (sm_90), nn graph to host code in the LLVM "
      "dialect with PTX (not cubins: no toolkit is assumed) embedded",
      [](OpPassManager &pm) {
        GPUPipelineOptions options;
        options.format = "isa";
        buildGPUPipeline(pm, options);
      });
}
