//===- KernelNeighbours.h - ops folded into the vector kernels --*- C++ -*-===//
//
// The kernel passes (ddl-contraction-to-vector, ddl-depthwise-to-vector) run on
// buffers right after bufferization and fold the ops around a kernel into
// it: the initialization of its accumulator, packs, and elementwise
// epilogues. These helpers say what may lie between a kernel and such a
// neighbour, and apply an elementwise body to vectors.
//
//===----------------------------------------------------------------------===//

#ifndef DDL_PASSES_CODEGEN_KERNELNEIGHBOURS_H
#define DDL_PASSES_CODEGEN_KERNELNEIGHBOURS_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Builders.h"

namespace ddl::codegen {

/// Whether every memory effect of `op` is an allocation (memref.alloc).
bool onlyAllocates(mlir::Operation *op);

/// The buffer `view` is a view of (through expand/collapse/subview/cast).
mlir::Value baseBuffer(mlir::Value view);

/// Whether the ops strictly between `first` and `last` (one block) can
/// neither write nor free `buffer`: memory-effect-free ops and ops (loop
/// nests included) whose writes all go to other allocations.
bool cannotTouch(mlir::Operation *first, mlir::Operation *last,
                 mlir::Value buffer);

/// How a kernel's accumulator buffer `c` is initialized before the kernel
/// `op`: a linalg.fill of it, or a copy of a buffer that only a fill wrote
/// (CSE merges equal zero accumulators, and bufferization then copies the
/// one filled buffer into each kernel's), right before it (only
/// allocations and memory-effect-free ops in between); or a fill of the
/// allocation `c` further up that nothing in between can write. The
/// micro-kernel then starts its first k block from the fill value in
/// registers instead of loading it, and the fill or copy goes unless
/// something else reads what it wrote: the accumulator is never written
/// twice.
struct AccumulatorInit {
  mlir::Value value; // The fill value; null when not known.
  mlir::Operation *initializer = nullptr; // The fill or copy to erase, if any.
};
AccumulatorInit precedingFill(mlir::Operation *op, mlir::Value c);

/// Erases the allocations under `root` that are only written (filled, or
/// copied into by a linalg.generic that does not read them; unused
/// reshapes of them aside), with those writes: the filled buffer whose
/// copies the kernels folded away, the im2col buffers the kernels read
/// through.
void eraseWriteOnlyBuffers(mlir::Operation *root);

/// The first op after `kernel` that is not memory-effect free, an
/// allocation, or a fill of an allocation none of the kernel's operands
/// views: where an epilogue may be (the kernel is then emitted there).
mlir::Operation *nextAfterKernel(mlir::Operation *kernel);

/// An elementwise epilogue of a kernel that writes `result` (identity
/// layout, rank r): the linalg.generic right after the kernel (only
/// allocations, memory-effect-free ops and fills of other allocations in
/// between: the kernel is emitted at the epilogue) whose loops are all
/// parallel, that reads `result` with the identity map, whose other inputs
/// are identity-mapped buffers of the same shape or 1-D buffers read along
/// the last loop, whose output is identity-mapped (a buffer of the same
/// shape with contiguous rows, e.g. the interior of a padded buffer), and
/// whose body is
/// elementwise-mappable ops on its arguments and values from above.
struct Epilogue {
  mlir::linalg::GenericOp op;
  explicit operator bool() const { return bool(op); }
};
Epilogue findEpilogue(mlir::Operation *kernel, mlir::Value result);

/// The epilogue's body applied to vectors of `type` along the last
/// dimension at `indices` (of the r-dimensional iteration space): `value`
/// stands for the element of `result`; the other inputs are loaded there
/// (1-D ones at the last index). Stores the body's result into the
/// epilogue's output at `indices`. With `mask`, only its lanes are loaded
/// and stored (a partial tile at the end of a row).
void applyEpilogue(mlir::OpBuilder &b, mlir::Location loc,
                   const Epilogue &epilogue, mlir::Value result,
                   mlir::Value value, mlir::ValueRange indices,
                   mlir::Value mask = {});

} // namespace ddl::codegen

#endif // DDL_PASSES_CODEGEN_KERNELNEIGHBOURS_H
