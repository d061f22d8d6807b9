//===- RowReductions.h - matching reductions along one loop -----*- C++ -*-===//
//
// What the CPU and GPU row-reduction kernels share: which linalg ops are a
// reduction along one loop with an elementwise body and a combiner the
// kernels can reassociate (softmax's maximum and sum, layernorm's means),
// the combiner's neutral element, and re-applying the combiner.
//
//===----------------------------------------------------------------------===//

#ifndef DDL_PASSES_CODEGEN_ROWREDUCTIONS_H
#define DDL_PASSES_CODEGEN_ROWREDUCTIONS_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <optional>

namespace ddl::codegen {

/// A reduction along one loop `dim` whose body is elementwise ops on the
/// inputs, then `value <kind> out` by `combiner`.
struct RowReduction {
  unsigned dim;
  mlir::vector::CombiningKind kind;
  /// The op in the body that combines the value with the output element.
  mlir::Operation *combiner;
};

/// `op` as such a reduction: f32 buffers, one reduction loop, operands
/// indexed by projected permutations. With `contiguousRows`, every input
/// that reads along the row reads it contiguously (its innermost index,
/// unit stride), and one must.
std::optional<RowReduction> matchRowReduction(mlir::linalg::LinalgOp op,
                                              bool contiguousRows);

/// `op` as a reduction of whole tensors into one value (every loop a
/// reduction, the output 0-d): f32 buffers, every input read with the
/// identity map from an identity-layout buffer (one flat index addresses
/// them all), the body as for a row reduction. `dim` is 0 and means
/// nothing.
std::optional<RowReduction> matchWholeReduction(mlir::linalg::LinalgOp op);

/// The neutral element of `kind` on f32.
float neutralElement(mlir::vector::CombiningKind kind);

/// The indices of `operand` at the loop indices `ivs` (its map is a
/// projected permutation; loops it does not use may be null in `ivs`).
llvm::SmallVector<mlir::Value> indicesOf(mlir::linalg::LinalgOp op,
                                         mlir::OpOperand *operand,
                                         llvm::ArrayRef<mlir::Value> ivs);

/// `value <combiner> acc`: a clone of the reduction's combiner with the
/// type of `acc` (a scalar, or vectors of it).
mlir::Value combine(mlir::OpBuilder &b, const RowReduction &reduction,
                    mlir::linalg::LinalgOp op, mlir::Value value,
                    mlir::Value acc);

/// The body's operand that the combiner combines with the output element.
mlir::Value combinedValue(const RowReduction &reduction,
                          mlir::linalg::LinalgOp op);

} // namespace ddl::codegen

#endif // DDL_PASSES_CODEGEN_ROWREDUCTIONS_H
