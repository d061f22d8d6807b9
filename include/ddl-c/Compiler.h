/*===- ddl-c/Compiler.h - ddl's compiler as a C API ---------------*- C -*-===*
 *
 * Import an ONNX model, run ddl's pipelines, compile to a shared object,
 * from C, on the caller's MLIR objects: the module handles are MLIR's own C
 * API handles (mlir-c/IR.h), so a compiler that already uses MLIR can mix
 * ddl's ops with its own in one context. libddl_compiler carries MLIR's C IR
 * API (mlirContextCreate, mlirModuleDestroy, ...) for callers that have no
 * other copy of it.
 *
 * Every fallible call returns a DdlStatus (ddl-c/Support.h) whose message
 * holds the diagnostics ddl reported; none of them reaches the context's
 * other diagnostic handlers, and no C++ exception crosses this API. A failed
 * call leaves `*result` untouched.
 *
 * The compiled shared objects implement runtime/include/ddl_model_abi.h and
 * are run by libddl_runtime (ddl_runtime.h).
 *
 *===----------------------------------------------------------------------===*/

#ifndef DDL_C_COMPILER_H
#define DDL_C_COMPILER_H

#include "ddl-c/Support.h"
#include "mlir-c/IR.h"

#ifdef __cplusplus
extern "C" {
#endif

/*===----------------------------------------------------------------------===*
 * Registration
 *===----------------------------------------------------------------------===*/

/* Adds ddl's dialects (nn, attn, lowbit, sched) and the upstream dialects
 * its pipelines use (func, arith, tensor, linalg, ...) to `registry`. */
DDL_CAPI_EXPORTED void ddlRegisterAllDialects(MlirDialectRegistry registry);

/* The same, into the registry of an existing context. The calls below that
 * take a context do this themselves. */
DDL_CAPI_EXPORTED void ddlContextRegisterAllDialects(MlirContext context);

/* Registers ddl's passes and pipelines (and the upstream passes they are
 * made of) with MLIR's global pass registry, so that textual pipelines can
 * name them. Idempotent; the calls below that run passes do it themselves. */
DDL_CAPI_EXPORTED void ddlRegisterAllPasses(void);

/*===----------------------------------------------------------------------===*
 * Compile options
 *===----------------------------------------------------------------------===*/

/* A set of compile options, named as ddlc's flags are:
 *
 * - target: host (default), x86_64, aarch64, cuda[:sm_XX], rocm[:gfxNNN]
 * - opt-level: 0 to 3 (default 3)
 * - parallel: true (default) / false: loops on the runtime's threads
 * - precision: fp32 (default), tf32, bf16, fp16 (tensor cores, CUDA sm_80+)
 * - allow-tf32: true / false (default): fp32 may run as tf32 where it can
 * - quantize: none (default), int8, int4, fp8, fp8-e5m2, ternary,
 *   ternary-1.6, bf16
 * - quantize-group: 32, 64 (default) or 128: int4 inputs per weight scale
 * - quantize-keep: comma-separated layer names to keep in float (appends)
 * - ternary-kernel: auto (default), dot or lut: the CPU kernel of ternary
 *   weights (int8 dot products, or lookup tables of activation sums)
 * - calibration: int8 with static activation scales, from a directory of
 *   samples or a calibration table (ddlc --calibration)
 * - calibrator: minmax (default), percentile or entropy
 * - calibration-percentile: the percentile kept (default 99.999)
 * - calibration-table: write the measured ranges to this file
 * - specialize: symbol=size,size,... (e.g. batch=1,8,32): also compile the
 *   model for those sizes, chosen at run time (appends; one symbol each)
 * - schedules: a file of `key -> schedule` records (the tuning database)
 * - fuse-attention: true (default) / false
 * - cuda-attention-kernel: true / false (default): attention as the fused
 *   CUDA kernel (experimental)
 *
 * Booleans are "true"/"false"/"1"/"0". A set checks the value alone; the
 * options are checked together (a group size without int4, bf16 on a CPU)
 * when a pipeline or a compilation uses them. */
typedef struct DdlCompileOptions {
  void *ptr;
} DdlCompileOptions;

DDL_CAPI_EXPORTED DdlCompileOptions ddlCompileOptionsCreate(void);
DDL_CAPI_EXPORTED void ddlCompileOptionsDestroy(DdlCompileOptions options);

/* Sets option `name` to `value`; DDL_STATUS_INVALID_ARGUMENT for an unknown
 * name or a value that is not one of the option's. */
DDL_CAPI_EXPORTED DdlStatus ddlCompileOptionsSet(DdlCompileOptions options,
                                                 const char *name,
                                                 const char *value);

/* Checks the options together, as a compilation would. */
DDL_CAPI_EXPORTED DdlStatus ddlCompileOptionsCheck(DdlCompileOptions options);

/*===----------------------------------------------------------------------===*
 * Import
 *===----------------------------------------------------------------------===*/

/* Flags of the import calls, or-ed together; 0 is the default (checked,
 * shape-inferred, simplified), as ddlc imports. */
enum {
  /* Skip the ONNX checker (not advised). */
  DDL_IMPORT_NO_CHECK = 1u << 0,
  /* Keep the graph as imported: no folding or type refinement. */
  DDL_IMPORT_NO_SIMPLIFY = 1u << 1,
};

/* Imports the ONNX model at `path` (a binary ModelProto, or ONNX's text
 * syntax when the name ends in .onnxtxt; external data beside it) into a
 * new module of nn ops in `context`: one func.func per graph, @main the
 * model's. The caller owns `*result` (mlirModuleDestroy). */
DDL_CAPI_EXPORTED DdlStatus ddlImportONNXFile(MlirContext context,
                                              const char *path, uint32_t flags,
                                              MlirModule *result);

/* The same from `size` bytes of a binary ModelProto in memory. `name`
 * (may be NULL) names the model in diagnostics. A model with external data
 * must be imported from its file. */
DDL_CAPI_EXPORTED DdlStatus ddlImportONNXBuffer(MlirContext context,
                                                const void *data, size_t size,
                                                const char *name,
                                                uint32_t flags,
                                                MlirModule *result);

/* Reads an nn-dialect graph from an MLIR file (text or bytecode), as the
 * PyTorch frontend writes them: checked to hold only nn, attn and lowbit
 * ops in func.func functions with one public entry, then simplified. */
DDL_CAPI_EXPORTED DdlStatus ddlReadGraphFile(MlirContext context,
                                             const char *path,
                                             MlirModule *result);

/*===----------------------------------------------------------------------===*
 * Pipelines
 *===----------------------------------------------------------------------===*/

typedef enum DdlPipeline {
  /* nn -> nn: fold constants and shape computations, refine types. */
  DDL_PIPELINE_SIMPLIFY_GRAPH = 0,
  /* nn -> linalg on tensors, fused (`ddlc --emit=linalg`). */
  DDL_PIPELINE_GRAPH_TO_LINALG = 1,
  /* nn -> the LLVM dialect with the model's entry points, for the
   * options' target (`ddlc --emit=llvm-dialect`). */
  DDL_PIPELINE_LOWER_TO_LLVM = 2,
} DdlPipeline;

/* Runs one of ddl's stages on `module` in place, with `options` (a null
 * handle: the defaults). */
DDL_CAPI_EXPORTED DdlStatus ddlRunPipeline(MlirModule module,
                                           DdlPipeline pipeline,
                                           DdlCompileOptions options);

/* Runs a textual pass pipeline on `module` in place, as ddl-opt would:
 * "builtin.module(ddl-graph-to-linalg,canonicalize)" or a bare
 * comma-separated list of module passes. Any registered pass or pipeline,
 * ddl's or upstream's, may be named. */
DDL_CAPI_EXPORTED DdlStatus ddlRunPassPipeline(MlirModule module,
                                               const char *pipeline);

/*===----------------------------------------------------------------------===*
 * Compilation
 *===----------------------------------------------------------------------===*/

/* Compiles an nn-dialect `module` (lowered in place; it holds the LLVM
 * dialect afterwards) for the options' target into the shared object
 * `output_path`, and writes its C header to `header_path` unless that is
 * NULL: what `ddlc model.onnx -o model.so` writes. */
DDL_CAPI_EXPORTED DdlStatus ddlCompileToSharedObject(MlirModule module,
                                                     DdlCompileOptions options,
                                                     const char *output_path,
                                                     const char *header_path);

#ifdef __cplusplus
}
#endif

#endif /* DDL_C_COMPILER_H */
