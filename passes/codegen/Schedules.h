//===- Schedules.h - kernels, their keys and their schedules ----*- C++ -*-===//
//
// What the schedule passes share: which ops are kernels the strategies
// handle, their stable keys, the default schedule from the target table,
// the limits of the strategies, and the `key -> schedule` record format.
//
//===----------------------------------------------------------------------===//

#ifndef DDL_PASSES_CODEGEN_SCHEDULES_H
#define DDL_PASSES_CODEGEN_SCHEDULES_H

#include "dialects/attn/AttnDialect.h"
#include "dialects/sched/SchedDialect.h"
#include "lib/Target/CPU/TargetInfo.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>
#include <string>

namespace ddl::codegen {

/// The name of the string attribute that carries a kernel's key next to its
/// schedule (it survives the strategies' rewrites, so schedules can be
/// listed at any stage).
inline constexpr llvm::StringLiteral kKernelKeyAttr = "sched.key";

/// A matmul the data-tiling strategy handles: f32 on tensors, A indexed
/// (m, k) or (k, m) (a convolution's NCHW input, [C, H*W], is A^T), C
/// (m, n), B a constant indexed (k, n) or (n, k) (Gemm's transB), K and N
/// static.
struct ConstantRhsMatmul {
  mlir::linalg::MatmulOp op;
  /// M (ShapedType::kDynamic when dynamic), N, K.
  int64_t m, n, k;
  /// A is stored [K][M].
  bool lhsTransposed;
  /// B is stored [N][K].
  bool rhsTransposed;
  /// The constant B: a DenseElementsAttr or DenseResourceElementsAttr.
  mlir::ElementsAttr rhs;
};

/// `op` as a ConstantRhsMatmul, or nullopt.
std::optional<ConstantRhsMatmul>
matchConstantRhsMatmul(mlir::linalg::MatmulOp op);

/// A contraction whose B is computed at run time (attention's Q K^T and
/// P V): an f32 linalg.batch_matmul, or a linalg.matmul that is not a
/// ConstantRhsMatmul, on tensors with the default indexing maps (A (b, m,
/// k), B (b, k, n), C (b, m, n); a matmul is one batch). Nothing is packed:
/// the kernel reads A, B and C where they are.
struct RuntimeRhsMatmul {
  mlir::linalg::LinalgOp op;
  /// Batch, M, N, K (ShapedType::kDynamic when dynamic).
  int64_t batch, m, n, k;
};

/// The indexing maps of ddl-data-tile's packed-B contraction over loops
/// (m, n, k): A (m, k) or, `lhsTransposed`, (k, m); B' (n floordiv N0, k,
/// n mod N0), B packed to [N1][K][N0]; C (m, n).
llvm::SmallVector<mlir::AffineMap, 3>
packedRhsMaps(mlir::MLIRContext *context, int64_t n0, bool lhsTransposed);

/// Whether `op` is that contraction (f32 multiply-accumulate body) for
/// `n0`; returns whether its A is transposed.
std::optional<bool> matchPackedRhsContraction(mlir::linalg::GenericOp op,
                                              int64_t n0);

/// Whether `op` is a linalg.matmul or linalg.batch_matmul with the default
/// indexing maps.
bool hasDefaultMatmulMaps(mlir::linalg::LinalgOp op);

/// `op` as a RuntimeRhsMatmul, or nullopt.
std::optional<RuntimeRhsMatmul> matchRuntimeRhsMatmul(mlir::Operation *op);

/// The kernel's stable key, e.g.
/// `op=matmul m=? n=768 k=3072 types=f32,f32,f32 lhs=mk rhs=kn isa=avx512`.
std::string kernelKey(const ConstantRhsMatmul &kernel, llvm::StringRef isa);
/// `op=batch_matmul batch=12 m=197 n=197 k=64 types=f32,f32,f32 lhs=mk
/// rhs=kn isa=avx512` (a run-time-B matmul is batch 1).
std::string kernelKey(const RuntimeRhsMatmul &kernel, llvm::StringRef isa);

/// `op=attention batch=1 heads=8 kv_heads=2 q_len=? kv_len=? d=64 dv=64
/// types=f32 mods=mask isa=avx512` (mods: none, score, mask or
/// score+mask).
std::string kernelKey(attn::FlexOp op, llvm::StringRef isa);

/// The heuristic's schedule for `kernel` on `target`.
sched::ContractionAttr defaultSchedule(const ConstantRhsMatmul &kernel,
                                       const target::CPUTargetInfo &target);

/// The heuristic's schedule for `kernel` on `target`: the same register
/// tile; the parallel loop runs over batches and blocks of M.
sched::ContractionAttr defaultSchedule(const RuntimeRhsMatmul &kernel,
                                       const target::CPUTargetInfo &target);

/// The heuristic's schedule for an attention kernel: 64 x 64 blocks.
sched::AttentionAttr defaultSchedule(attn::FlexOp op);

/// Checks that the f32 strategies can honour `schedule` (beyond what the
/// attribute's verifier checks): K0 = 1 and a known ISA.
mlir::LogicalResult
checkF32Schedule(sched::ContractionAttr schedule,
                 llvm::function_ref<mlir::InFlightDiagnostic()> emitError);

/// Reads a file of `key -> schedule` lines. Keys are normalized (fields in
/// a fixed order); every problem is an error at the file's line and column.
/// A schedule is a #sched.contraction for matmul keys and a
/// #sched.attention for attention keys.
mlir::FailureOr<llvm::StringMap<mlir::Attribute>>
readScheduleFile(llvm::StringRef path, mlir::MLIRContext *context);

/// The same on the text of such a file; `path` names it in the errors.
/// (Also the entry point of the fuzzer test/fuzz/fuzz_schedules.cpp.)
mlir::FailureOr<llvm::StringMap<mlir::Attribute>>
parseSchedules(llvm::StringRef text, llvm::StringRef path,
               mlir::MLIRContext *context);

/// Prints `key -> schedule` for every op in `module` that carries both.
void printSchedules(mlir::ModuleOp module, llvm::raw_ostream &os);

} // namespace ddl::codegen

#endif // DDL_PASSES_CODEGEN_SCHEDULES_H
