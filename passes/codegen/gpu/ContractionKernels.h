//===- ContractionKernels.h - what the GEMM kernel builders share -*- C++
//-*-===//
//
// ddl-gpu-contraction-kernels (ContractionKernels.cpp) matches contractions
// and builds their kernels; the Hopper kernel (HopperGemm.cpp) is built
// from the same match.
//
//===----------------------------------------------------------------------===//

#ifndef DDL_PASSES_CODEGEN_GPU_CONTRACTIONKERNELS_H
#define DDL_PASSES_CODEGEN_GPU_CONTRACTIONKERNELS_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Builders.h"

#include <array>
#include <optional>

namespace ddl::gpugen {

/// A contraction the kernels can run: f32, bf16 or f16 operands (any mix;
/// the kernels compute in their own type and convert), or A and B of E4M3
/// bytes (lowbit.matmul_fp8's lowering, marked with
/// lowbit::kE4M3OperandsAttr) and an f32 C, or s8 A and B and an i32 C
/// (lowbit::kS8OperandsAttr); one m, n and k loop, any
/// number of batch loops, every operand indexed by a projected
/// permutation.
struct Contraction {
  mlir::linalg::LinalgOp op;
  unsigned m, n, k;
  llvm::SmallVector<unsigned> batch;
  /// A and B are E4M3FN bytes (i8): loads decode them (convertOperand),
  /// the Hopper kernel multiplies them as they are (wgmma e4m3).
  bool e4m3 = false;
  /// A and B are s8, C i32 (lowbit::kS8OperandsAttr): the Hopper kernel
  /// only (wgmma s8, i32 accumulators).
  bool s8 = false;
  /// An elementwise consumer of C folded into the kernel's stores
  /// (findFoldedEpilogue), or null.
  mlir::linalg::GenericOp epilogue = {};
};

std::optional<Contraction> matchContraction(mlir::linalg::LinalgOp op);

/// The linalg.generic right after `c` (nextAfterKernel) that the kernel can
/// apply as it writes C, instead of writing C: all loops parallel, C read
/// with the identity map as one input, its other inputs (a bias, a
/// residual) read through projected permutations, its one output a
/// different buffer written with the identity map and not read, a body of
/// elementwise ops on its arguments and constants; and nothing else reads
/// C (its only users the kernel, its initialization and deallocation).
/// Such are the rounding of an f32-accumulated product to bf16 / f16, a
/// bias, an activation. Null when there is none.
mlir::linalg::GenericOp findFoldedEpilogue(const Contraction &c,
                                           mlir::Operation *initializer);

/// Writes the finished f32 dot product `sum` (i32 for s8 operands, into an
/// i32 C) of C's element at the loop
/// position `at` (one value per loop of the contraction; batch, m and n
/// set): C = sum after a folded fill (`filled`), else C += sum, in C's
/// type; through c.epilogue when there is one (its body applied to that
/// value and its other inputs there, the result stored into its output,
/// C not written). `remap` gives the kernel's value of a memref of the
/// host code (the identity for kernels that capture them).
void writeCElement(mlir::OpBuilder &b, mlir::Location loc, const Contraction &c,
                   llvm::ArrayRef<mlir::Value> at, mlir::Value sum, bool filled,
                   llvm::function_ref<mlir::Value(mlir::Value)> remap);

/// The memrefs c.epilogue reads or writes besides C (none without one).
llvm::SmallVector<mlir::Value> epilogueBuffers(const Contraction &c);

/// The compute types of the kernels (`precision` option): f32 runs on the
/// SIMT cores; tf32, bf16 and f16 on the tensor cores, with f32
/// accumulators. E4M3 and S8 are no options: the Hopper kernel's types for
/// contractions of E4M3 bytes (Contraction::e4m3) and of s8 (::s8, i32
/// accumulators).
enum class Precision { F32, TF32, BF16, F16, E4M3, S8 };

std::optional<Precision> parsePrecision(llvm::StringRef name);
llvm::StringRef precisionName(Precision precision);

/// `v` as `type` (floats only: extension, truncation or nothing; bf16 <->
/// f16 through f32).
mlir::Value convertFloat(mlir::OpBuilder &b, mlir::Location loc, mlir::Value v,
                         mlir::Type type);

/// A loaded element (or vector) of one of `c`'s operands as `type` (a
/// float type, or a vector of it): E4M3 bytes decoded, floats converted.
mlir::Value convertOperand(mlir::OpBuilder &b, mlir::Location loc,
                           const Contraction &c, mlir::Value v,
                           mlir::Type type);

/// sums (the four f32 accumulators of one 16 x 8 tile) += a b on the
/// tensor cores: `mma.sync` m16n8k8 for tf32, m16n8k16 for bf16 / f16 (a:
/// 4 registers, b: 2, in the PTX fragment layouts; i32 words, or
/// vector<2xf16> for f16).
void mmaSync(mlir::OpBuilder &b, mlir::Location loc, Precision precision,
             llvm::ArrayRef<mlir::Value> a, llvm::ArrayRef<mlir::Value> bRegs,
             llvm::MutableArrayRef<mlir::Value> sums);

/// Four 8x8 matrices of the bf16 / f16 shared-memory `tile` with one
/// `ldmatrix` (`.trans` with `transpose`), lane l giving the address
/// (`row`, `column`) of row l % 8 of matrix l / 8. Returns the four 32-bit
/// registers as mmaSync takes them.
std::array<mlir::Value, 4> ldmatrixX4(mlir::OpBuilder &b, mlir::Location loc,
                                      Precision precision, mlir::Value tile,
                                      mlir::Value row, mlir::Value column,
                                      bool transpose);

/// The wgmma matrix descriptor (an i64) of a shared-memory operand that
/// starts at shared byte `address` (an i64) in the 128-byte swizzle:
/// start address, leading and stride byte offsets (each >> 4), swizzle
/// mode. K-major operands: 8-row atoms `strideBytes` apart (the leading
/// offset unused: 16); mn-major: atoms `strideBytes` apart along k, 64-wide
/// chunks of m / n `leadingBytes` apart.
mlir::Value wgmmaDescriptor(mlir::OpBuilder &b, mlir::Location loc,
                            mlir::Value address, int64_t leadingBytes,
                            int64_t strideBytes);

/// i1: 16-byte loads of `memref`'s rows are aligned: its aligned pointer
/// plus offset, and every stride but the last (which is 1), are multiples
/// of 16 bytes.
mlir::Value rowsAligned16(mlir::OpBuilder &b, mlir::Location loc,
                          mlir::Value memref);

/// Whether the Hopper kernel (wgmma fed by TMA, sm_90a) can run `c` in
/// `precision`: bf16 or f16 operands already of that type (or f32 ones in
/// tf32, E4M3 or s8 bytes in e4m3 / s8, all with k contiguous), each
/// operand's innermost dimension its k or its m / n, at most 5 dimensions
/// (C as matchContraction takes it: a float, or i32 for s8).
bool hopperGemmApplies(const Contraction &c, Precision precision);

/// Builds the Hopper kernel of `c` and, at `b`'s insertion point in the
/// host code, its launch: the host encodes the operands' TMA descriptors
/// (ddl_host.device_tensor_map) and launches the kernel when both could be
/// had; otherwise `fallback` runs, with `b` in the branch that launches
/// the kernel without TMA. `fillValue` is the value C was filled with (the
/// accumulators start from it and C is only written), or null (C += A B).
void buildHopperGemm(mlir::OpBuilder &b, const Contraction &c,
                     Precision precision, mlir::Value fillValue,
                     llvm::function_ref<void(mlir::OpBuilder &)> fallback);

} // namespace ddl::gpugen

#endif // DDL_PASSES_CODEGEN_GPU_CONTRACTIONKERNELS_H
