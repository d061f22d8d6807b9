//===- Common.h - shared helpers of the nn-to-linalg lowering ---*- C++ -*-===//
//
// Every lowering pattern works the same way: it reifies the nn op's result
// shapes (from the op's shape function), casts its operands to their lowered
// builtin types (no #nn.dims encoding, signless integers), builds upstream
// ops on those, and replaces the op with the results cast back to the nn
// types. The casts are `builtin.unrealized_conversion_cast` pairs that the
// pass folds away once every nn op and the function signatures are lowered.
//
//===----------------------------------------------------------------------===//

#ifndef DDL_PASSES_LOWERING_NNTOLINALG_COMMON_H
#define DDL_PASSES_LOWERING_NNTOLINALG_COMMON_H

#include "dialects/nn/NNDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

namespace ddl::lowering {

//===----------------------------------------------------------------------===//
// Types
//===----------------------------------------------------------------------===//

/// The builtin element type that `type` lowers to: unsigned integers become
/// signless, everything else is kept.
mlir::Type lowerElementType(mlir::Type type);

/// The builtin type an nn value lowers to: ranked tensors lose their
/// encoding and get a lowered element type; other types are kept.
mlir::Type lowerType(mlir::Type type);

/// True if `type` (or a tensor's element type) is an unsigned integer, the
/// one piece of information lowering loses from the type and that arith op
/// choice must carry instead.
bool isUnsignedInteger(mlir::Type type);

//===----------------------------------------------------------------------===//
// Boundary casts
//===----------------------------------------------------------------------===//

/// The value of an nn.constant (`dense` or a `dense_resource` blob) with
/// the same elements in `type` (another shape, a signless element type of
/// the same width); a blob is shared, not copied. Null when it cannot be.
mlir::TypedAttr retypedConstant(mlir::Attribute value,
                                mlir::RankedTensorType type);

/// `value` (an nn-typed value) as its lowered type.
mlir::Value toLowered(mlir::OpBuilder &b, mlir::Location loc,
                      mlir::Value value);

/// `lowered` cast back to `nnType` (no-op when the types agree).
mlir::Value fromLowered(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::Value lowered, mlir::Type nnType);

/// Replaces every result of `op` with the matching lowered value, cast back
/// to the result's nn type.
void replaceWithLowered(mlir::RewriterBase &rewriter, mlir::Operation *op,
                        mlir::ValueRange lowered);

//===----------------------------------------------------------------------===//
// Shapes
//===----------------------------------------------------------------------===//

/// The sizes of result `resultIndex` of `op`, from its shape function (a
/// static size is an attribute, a dynamic one an index value built before
/// `op`). Fails (with a match-failure note) if the op cannot reify.
mlir::FailureOr<llvm::SmallVector<mlir::OpFoldResult>>
reifyResultSizes(mlir::RewriterBase &rewriter, mlir::Operation *op,
                 unsigned resultIndex = 0);

/// The sizes of `tensor` (a lowered or nn tensor value).
llvm::SmallVector<mlir::OpFoldResult>
tensorSizes(mlir::OpBuilder &b, mlir::Location loc, mlir::Value tensor);

/// A `tensor.empty` of the lowered form of `nnType` with `sizes`.
mlir::Value emptyTensor(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::Type nnType,
                        llvm::ArrayRef<mlir::OpFoldResult> sizes);

/// A `tensor.empty` for result `resultIndex` of `op`, sized from the shape
/// function.
mlir::FailureOr<mlir::Value> emptyForResult(mlir::RewriterBase &rewriter,
                                            mlir::Operation *op,
                                            unsigned resultIndex = 0);

/// `tensor` filled with the scalar `value` (linalg.fill).
mlir::Value fill(mlir::OpBuilder &b, mlir::Location loc, mlir::Value tensor,
                 mlir::Value value);

//===----------------------------------------------------------------------===//
// Scalars
//===----------------------------------------------------------------------===//

/// A scalar constant of `type` (a lowered float, integer or index type).
mlir::Value scalarConstant(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Type type, double value);

/// The identity/initial values used by reductions: the lowest and highest
/// values of `type` (-inf/+inf for floats, min/max for integers, honoring
/// `isUnsigned`).
mlir::Value lowestValue(mlir::OpBuilder &b, mlir::Location loc, mlir::Type type,
                        bool isUnsigned);
mlir::Value highestValue(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::Type type, bool isUnsigned);

/// Converts the scalar `value` from lowered type `from` to lowered type `to`
/// with ONNX Cast semantics (float to integer truncates toward zero, integer
/// to bool compares with zero, unsigned sources and targets as flagged).
mlir::Value convertScalar(mlir::OpBuilder &b, mlir::Location loc,
                          mlir::Value value, mlir::Type to, bool fromUnsigned,
                          bool toUnsigned);

/// The type sums and reductions of `element` (a lowered element type)
/// accumulate in: f32 for half-precision floats, `element` otherwise.
mlir::Type accumulatorType(mlir::Type element);

/// max/min of two scalars of a lowered type (floats propagate NaN).
mlir::Value scalarMax(mlir::OpBuilder &b, mlir::Location loc, mlir::Value lhs,
                      mlir::Value rhs, bool isUnsigned);
mlir::Value scalarMin(mlir::OpBuilder &b, mlir::Location loc, mlir::Value lhs,
                      mlir::Value rhs, bool isUnsigned);

/// Index value `v` as an i64 / index.
mlir::Value indexToI64(mlir::OpBuilder &b, mlir::Location loc, mlir::Value v);
mlir::Value i64ToIndex(mlir::OpBuilder &b, mlir::Location loc, mlir::Value v);

//===----------------------------------------------------------------------===//
// Elementwise generics with numpy broadcasting
//===----------------------------------------------------------------------===//

/// Builds the body of an elementwise op: gets the scalar operands (lowered
/// element types) and returns the scalar result.
using ScalarBodyBuilder = llvm::function_ref<mlir::Value(
    mlir::OpBuilder &b, mlir::Location loc, mlir::ValueRange scalars)>;

/// A `linalg.generic` computing `body` over `inputs` (nn-typed tensor
/// values; numpy broadcasting against `outSizes`) into a new tensor of
/// element type `outElementType` (lowered). An input dimension that is
/// statically 1 is broadcast with a constant index; a dynamic input
/// dimension that may be 1 while the result's is not is indexed at run time
/// (0 when it is 1), so every broadcast the ONNX rules allow is correct.
mlir::Value buildElementwise(mlir::OpBuilder &b, mlir::Location loc,
                             mlir::ValueRange inputs,
                             llvm::ArrayRef<mlir::OpFoldResult> outSizes,
                             mlir::Type outNNType, ScalarBodyBuilder body);

/// The lowered value of `tensor` (nn-typed) broadcast to `outSizes` with
/// numpy rules, materialized (same rules as buildElementwise).
mlir::Value broadcastTo(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::Value tensor,
                        llvm::ArrayRef<mlir::OpFoldResult> outSizes);

/// An nn scalar-like operand (0-d or one-element tensor, nn-typed) read as a
/// lowered scalar.
mlir::Value extractScalar(mlir::OpBuilder &b, mlir::Location loc,
                          mlir::Value tensor);

/// Normalizes a possibly negative axis for rank `rank`.
inline int64_t normalizeAxis(int64_t axis, int64_t rank) {
  return axis < 0 ? axis + rank : axis;
}

//===----------------------------------------------------------------------===//
// Pattern sets, one per op family (one file each).
//===----------------------------------------------------------------------===//

void populateElementwisePatterns(mlir::RewritePatternSet &patterns);
void populateContractionPatterns(mlir::RewritePatternSet &patterns);
void populateConvolutionPatterns(mlir::RewritePatternSet &patterns);
void populatePoolingPatterns(mlir::RewritePatternSet &patterns);
void populateReductionPatterns(mlir::RewritePatternSet &patterns);
void populateDataMovementPatterns(mlir::RewritePatternSet &patterns);
void populateControlFlowPatterns(mlir::RewritePatternSet &patterns);
void populateIndexingPatterns(mlir::RewritePatternSet &patterns);

} // namespace ddl::lowering

#endif // DDL_PASSES_LOWERING_NNTOLINALG_COMMON_H
