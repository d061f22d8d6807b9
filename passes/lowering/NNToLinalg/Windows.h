//===- Windows.h - helpers of contractions, convolutions, pooling -*- C++
//-*-===//
//
// Shared by Contraction.cpp (matrix products), Convolution.cpp and
// Pooling.cpp: scalar arithmetic in an accumulator type, index arithmetic
// that folds constants, and the geometry of sliding windows.
//
//===----------------------------------------------------------------------===//

#ifndef DDL_PASSES_LOWERING_NNTOLINALG_WINDOWS_H
#define DDL_PASSES_LOWERING_NNTOLINALG_WINDOWS_H

#include "passes/lowering/NNToLinalg/Common.h"

#include "dialects/nn/NNDialect.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"

namespace ddl::lowering {

/// x + y and x * y for float or integer scalars.
mlir::Value addScalars(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x,
                       mlir::Value y);
mlir::Value mulScalars(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x,
                       mlir::Value y);
/// Extends a float scalar to `to` (a no-op when the types agree).
mlir::Value extendTo(mlir::OpBuilder &b, mlir::Location loc, mlir::Value v,
                     mlir::Type to);

/// A linalg.generic that accumulates lhs * rhs (both extended to `init`'s
/// element type) into `init` over `iterators` with `maps` (lhs, rhs,
/// init): contractions and convolutions that no named op expresses.
mlir::Value
multiplyAccumulate(mlir::OpBuilder &b, mlir::Location loc, mlir::Value lhs,
                   mlir::Value rhs, mlir::Value init,
                   llvm::ArrayRef<mlir::AffineMap> maps,
                   llvm::ArrayRef<mlir::utils::IteratorType> iterators);

/// A linalg.generic converting every element of `tensor` to `element`.
mlir::Value convertTensor(mlir::OpBuilder &b, mlir::Location loc,
                          mlir::Value tensor, mlir::Type element,
                          bool isUnsigned = false);
/// A zero-filled tensor of `sizes` and `element`.
mlir::Value zeros(mlir::OpBuilder &b, mlir::Location loc,
                  llvm::ArrayRef<mlir::OpFoldResult> sizes, mlir::Type element);

/// Per spatial axis: the geometry of a sliding window.
struct Window {
  llvm::SmallVector<mlir::OpFoldResult> in, out, kernel;
  llvm::SmallVector<int64_t> strides, dilations;
  /// The op's padding (ONNX's pads, or what auto_pad derives).
  llvm::SmallVector<mlir::OpFoldResult> padBegin, padEnd;
  /// End padding for tensor.pad: at least padEnd, and enough for every
  /// window (ceil_mode windows may run past the end padding).
  llvm::SmallVector<mlir::OpFoldResult> padHigh;

  size_t rank() const { return in.size(); }
  bool hasPadding() const {
    for (size_t i = 0; i < rank(); ++i)
      if (mlir::getConstantIntValue(padBegin[i]) != 0 ||
          mlir::getConstantIntValue(padHigh[i]) != 0)
        return true;
    return false;
  }
};

/// `attr` when it has `n` entries, otherwise `n` times `fallback`.
llvm::SmallVector<int64_t> attrOr(std::optional<llvm::ArrayRef<int64_t>> attr,
                                  size_t n, int64_t fallback);
/// The window geometry of an op whose input has spatial sizes `in`, result
/// `out` and kernel `kernel` (ONNX padding rules; SAME pads never go below
/// zero).
Window computeWindow(mlir::OpBuilder &b, mlir::Location loc,
                     llvm::ArrayRef<mlir::OpFoldResult> in,
                     llvm::ArrayRef<mlir::OpFoldResult> out,
                     llvm::ArrayRef<mlir::OpFoldResult> kernel,
                     std::optional<llvm::ArrayRef<int64_t>> strides,
                     std::optional<llvm::ArrayRef<int64_t>> pads,
                     std::optional<llvm::ArrayRef<int64_t>> dilations,
                     nn::AutoPad autoPad, bool ceilMode);
/// `x` ([N, C, spatial...], or [N, spatial..., C] with `channelsLast`)
/// padded per `window` with `value`.
mlir::Value padInput(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x,
                     const Window &w, mlir::Value value,
                     bool channelsLast = false);
/// A strides/dilations attribute of linalg's convolution and pooling ops.
mlir::NamedAttribute windowAttr(mlir::OpBuilder &b, llvm::StringRef name,
                                llvm::ArrayRef<int64_t> values);
/// Spatial sizes (dims 2..) of a sizes list.
llvm::SmallVector<mlir::OpFoldResult>
spatial(llvm::ArrayRef<mlir::OpFoldResult> sizes);

} // namespace ddl::lowering

#endif // DDL_PASSES_LOWERING_NNTOLINALG_WINDOWS_H
