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
/// The index value `index` (an i32/i64 scalar read from an indices tensor)
/// as a position in a dimension of `size` elements: negative values count
/// from the back, and the result is clamped into [0, size - 1].
mlir::Value normalizeIndex(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Value index, mlir::Value size);

/// Asserts at run time that every entry of the lowered `indices` lies in
/// [-size, size - 1], where `sizeOf(ivs)` gives the size of the data
/// dimension that the entry at `ivs` addresses (`dataDims` names it in the
/// message, which names `op`'s source). Constant indices are skipped: their
/// shape function verified them.
void checkIndices(mlir::OpBuilder &b, mlir::Location loc, mlir::Operation *op,
                  mlir::Value indices,
                  llvm::function_ref<mlir::Value(
                      mlir::OpBuilder &, mlir::Location, mlir::ValueRange)>
                      sizeOf,
                  llvm::StringRef dataDims);

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
/// (0 when it is 1), so every broadcast the ONNX rules allow is correct;
/// one whose size is the result's (same symbol, or the result's size read
/// off that input: a unary op's) is read through the identity map.
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
/// `transposeRuntimeRhs`: see ConvertNNToLinalgPass's transpose-runtime-rhs.
void populateContractionPatterns(mlir::RewritePatternSet &patterns,
                                 bool transposeRuntimeRhs);
/// `halfGemms`: bf16 / f16 group-1 convolutions become GEMMs too (the
/// GPU pipeline; ConvertNNToLinalgPass's half-gemm-convolutions).
void populateConvolutionPatterns(mlir::RewritePatternSet &patterns,
                                 bool halfGemms = false);
void populatePoolingPatterns(mlir::RewritePatternSet &patterns);
void populateReductionPatterns(mlir::RewritePatternSet &patterns);
void populateDataMovementPatterns(mlir::RewritePatternSet &patterns);
void populateControlFlowPatterns(mlir::RewritePatternSet &patterns);
void populateIndexingPatterns(mlir::RewritePatternSet &patterns);

/// Index arithmetic that folds constants. On OpFoldResults, constants stay
/// attributes, so static shapes stay static; on Values (index computations
/// inside loop bodies) each op is created folded. Divisors are positive
/// constants; divisions round toward -inf/+inf for any sign of the
/// dividend (built from signed division, as the CPU pipeline does not
/// expand arith.floordivsi/ceildivsi).
struct IndexMath {
  mlir::OpBuilder &b;
  mlir::Location loc;

  mlir::OpFoldResult c(int64_t v) { return b.getIndexAttr(v); }
  /// The index constant `v` as a Value.
  mlir::Value index(int64_t v) {
    return mlir::arith::ConstantIndexOp::create(b, loc, v);
  }
  mlir::Value v(mlir::OpFoldResult x) {
    return mlir::getValueOrCreateConstantIndexOp(b, loc, x);
  }
  static std::optional<int64_t> cst(mlir::OpFoldResult x) {
    return mlir::getConstantIntValue(x);
  }

  mlir::OpFoldResult add(mlir::OpFoldResult x, mlir::OpFoldResult y) {
    auto cx = cst(x), cy = cst(y);
    if (cx && cy)
      return c(*cx + *cy);
    if (cx == 0)
      return y;
    if (cy == 0)
      return x;
    return mlir::arith::AddIOp::create(b, loc, v(x), v(y)).getResult();
  }
  mlir::OpFoldResult sub(mlir::OpFoldResult x, mlir::OpFoldResult y) {
    auto cx = cst(x), cy = cst(y);
    if (cx && cy)
      return c(*cx - *cy);
    if (cy == 0)
      return x;
    if (x == y)
      return c(0);
    return mlir::arith::SubIOp::create(b, loc, v(x), v(y)).getResult();
  }
  mlir::OpFoldResult mul(mlir::OpFoldResult x, mlir::OpFoldResult y) {
    auto cx = cst(x), cy = cst(y);
    if (cx && cy)
      return c(*cx * *cy);
    if (cx == 1)
      return y;
    if (cy == 1)
      return x;
    return mlir::arith::MulIOp::create(b, loc, v(x), v(y)).getResult();
  }
  mlir::OpFoldResult max(mlir::OpFoldResult x, mlir::OpFoldResult y) {
    auto cx = cst(x), cy = cst(y);
    if (cx && cy)
      return c(std::max(*cx, *cy));
    return mlir::arith::MaxSIOp::create(b, loc, v(x), v(y)).getResult();
  }
  mlir::OpFoldResult min(mlir::OpFoldResult x, mlir::OpFoldResult y) {
    auto cx = cst(x), cy = cst(y);
    if (cx && cy)
      return c(std::min(*cx, *cy));
    return mlir::arith::MinSIOp::create(b, loc, v(x), v(y)).getResult();
  }
  /// floor(x / d) for d > 0.
  mlir::OpFoldResult floorDiv(mlir::OpFoldResult x, int64_t d) {
    if (auto cx = cst(x)) {
      int64_t q = *cx / d;
      if (*cx % d != 0 && *cx < 0)
        --q;
      return c(q);
    }
    if (d == 1)
      return x;
    mlir::Value xv = v(x), dv = v(c(d));
    mlir::Value q = mlir::arith::DivSIOp::create(b, loc, xv, dv);
    mlir::Value r = mlir::arith::RemSIOp::create(b, loc, xv, dv);
    mlir::Value zero = v(c(0));
    mlir::Value negative = mlir::arith::CmpIOp::create(
        b, loc, mlir::arith::CmpIPredicate::slt, r, zero);
    mlir::Value qm1 = mlir::arith::SubIOp::create(b, loc, q, v(c(1)));
    return mlir::arith::SelectOp::create(b, loc, negative, qm1, q).getResult();
  }
  /// ceil(x / d) for d > 0.
  mlir::OpFoldResult ceilDiv(mlir::OpFoldResult x, int64_t d) {
    return sub(c(0), floorDiv(sub(c(0), x), d));
  }

  // The same on Values.
  mlir::Value add(mlir::Value x, mlir::Value y) {
    return b.createOrFold<mlir::arith::AddIOp>(loc, x, y);
  }
  mlir::Value sub(mlir::Value x, mlir::Value y) {
    return b.createOrFold<mlir::arith::SubIOp>(loc, x, y);
  }
  mlir::Value mul(mlir::Value x, mlir::Value y) {
    return b.createOrFold<mlir::arith::MulIOp>(loc, x, y);
  }
  mlir::Value max(mlir::Value x, mlir::Value y) {
    return b.createOrFold<mlir::arith::MaxSIOp>(loc, x, y);
  }
  mlir::Value min(mlir::Value x, mlir::Value y) {
    return b.createOrFold<mlir::arith::MinSIOp>(loc, x, y);
  }
  mlir::Value clamp(mlir::Value x, mlir::Value lo, mlir::Value hi) {
    return min(max(x, lo), hi);
  }
  /// The remainder of x / y with y's sign (y > 0: in [0, y)).
  mlir::Value floorRem(mlir::Value x, mlir::Value y) {
    mlir::Value rem = b.createOrFold<mlir::arith::RemSIOp>(loc, x, y);
    mlir::Value negative = lt(rem, index(0));
    return select(negative, add(rem, y), rem);
  }
  mlir::Value lt(mlir::Value x, mlir::Value y) {
    return b.createOrFold<mlir::arith::CmpIOp>(
        loc, mlir::arith::CmpIPredicate::slt, x, y);
  }
  mlir::Value eq(mlir::Value x, mlir::Value y) {
    return b.createOrFold<mlir::arith::CmpIOp>(
        loc, mlir::arith::CmpIPredicate::eq, x, y);
  }
  mlir::Value select(mlir::Value cond, mlir::Value x, mlir::Value y) {
    return b.createOrFold<mlir::arith::SelectOp>(loc, cond, x, y);
  }
  mlir::Value dim(mlir::Value tensor, int64_t d) {
    return b.createOrFold<mlir::tensor::DimOp>(loc, tensor, d);
  }
};

} // namespace ddl::lowering

#endif // DDL_PASSES_LOWERING_NNTOLINALG_COMMON_H
