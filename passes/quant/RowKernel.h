//===- RowKernel.h - loop nest of the weight-row CPU kernels ----*- C++ -*-===//
//
// What the CPU kernels of lowbit matmuls with per-output weight rows
// (ternary, fp8) share: the operands as buffers with the batch dims folded
// into rows, and a parallel loop over (tasks of 64 rows) x (blocks of
// outputs) whose tasks run whole tiles of rows, then single rows.
//
//===----------------------------------------------------------------------===//

#ifndef DDL_PASSES_QUANT_ROWKERNEL_H
#define DDL_PASSES_QUANT_ROWKERNEL_H

#include "mlir/IR/Builders.h"
#include "llvm/ADT/STLFunctionalExtras.h"

namespace ddl::quant {

/// A kernel's buffers: `input` [M, K], `weights` [N, per row], `out` [M,
/// N] (a view of `result`, which becomes the op's tensor), each of its
/// tensor's element type.
struct RowKernelBuffers {
  mlir::Value input, weights, out, result;
};

/// The buffers of an op whose `input` is [..., M, K], `weights` [N, ...]
/// (or null, for a kernel that reads weights of its own
/// layout: the buffer is then null too, and N must be static) and result
/// `resultType` [..., M, N].
RowKernelBuffers rowKernelBuffers(mlir::OpBuilder &b, mlir::Location loc,
                                  mlir::Value input, mlir::Value weights,
                                  mlir::RankedTensorType resultType);

/// One register tile: rows [m0, m0 + rows) against outputs n0 .. n0 +
/// outputs - 1, whose indices clamped to N - 1 are `clamped` (loads read
/// them; stores check n0 + j < N).
using RowTile =
    llvm::function_ref<void(mlir::Value m0, int64_t rows, mlir::Value n0,
                            llvm::ArrayRef<mlir::Value> clamped)>;

/// scf.parallel over (tasks of `rowsPerTask` of `rows` rows) x (blocks of
/// `outputs` of N outputs); each task runs `tile` on its whole tiles of
/// `tileRows` rows (the weights' unpacking shared by the rows), then on
/// each remaining row alone (a decode step's GEMV).
void buildRowTileLoops(mlir::OpBuilder &b, mlir::Location loc, mlir::Value rows,
                       int64_t n, int64_t outputs, int64_t tileRows,
                       int64_t rowsPerTask, RowTile tile);

/// Stores a register tile's sums: for each output j < `outputs` that exists
/// (n0 + j < n) and each row r of `rowIndex`, out[row r, n0 + j] =
/// `finish(lane sum of acc[r * outputs + j], r)`.
void storeTileSums(
    mlir::OpBuilder &b, mlir::Location loc, mlir::Value out, int64_t n,
    mlir::Value n0, int64_t outputs, llvm::ArrayRef<mlir::Value> rowIndex,
    llvm::ArrayRef<mlir::Value> acc,
    llvm::function_ref<mlir::Value(mlir::Value sum, int64_t r)> finish);

/// A constant integer vector of `type` with every lane `v` (its low bits).
mlir::Value splatInt(mlir::OpBuilder &b, mlir::Location loc,
                     mlir::VectorType type, int64_t v);

/// The op's result: `buffers.result` as a tensor.
mlir::Value rowKernelResult(mlir::OpBuilder &b, mlir::Location loc,
                            const RowKernelBuffers &buffers,
                            mlir::RankedTensorType resultType);

} // namespace ddl::quant

#endif // DDL_PASSES_QUANT_ROWKERNEL_H
