//===- ShapeBuilder.h - one shape function, three uses ----------*- C++ -*-===//
//
// Every shaped `nn` op states once how its result shapes follow from its
// operands, as a function over `Dim` values built with a `ShapeBuilder`.
// The same function serves three times:
//
//  * inference mode: dims are static sizes or dynamic, and dynamic dims may
//    carry a symbol (#nn.dims); the result is the op's inferred result
//    types, and any error the function reports becomes a verifier error;
//  * reification mode: dims that are not static are index-typed SSA values
//    that the builder emits (tensor.dim, arith), giving the op's
//    ReifyRankedShapedTypeOpInterface implementation for free;
//  * check mode: reification that also emits an `nn.check` for each
//    condition the function `require`s and the types leave open (a
//    symbolic size contracted with a static one, two dynamic sizes that
//    must broadcast), so that an input of the wrong size fails the run
//    with a message instead of being read out of bounds (nn-check-shapes).
//
// Writing shape logic once is what keeps verification, type inference,
// dynamic-shape lowering and run-time checks from ever disagreeing.
//
//===----------------------------------------------------------------------===//

#ifndef DDL_DIALECTS_NN_SHAPEBUILDER_H
#define DDL_DIALECTS_NN_SHAPEBUILDER_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "llvm/ADT/SmallVector.h"
#include <optional>

namespace ddl::nn {

/// A dimension size while a shape function runs: static, or dynamic with an
/// optional symbol (inference) and an index value (reification).
class Dim {
public:
  Dim() = default;
  bool isStatic() const { return known; }
  /// True when the size is statically known to equal `v`.
  bool is(int64_t v) const { return isStatic() && size == v; }
  int64_t getSize() const { return size; }
  mlir::StringAttr getSymbol() const { return symbol; }

private:
  friend class ShapeBuilder;
  // Whether `size` holds a static value. Kept apart from `size` because
  // INT64_MIN, MLIR's kDynamic, is also a legitimate static value here: ONNX
  // slices use it as "before the first element" (PyTorch's x[::-1]).
  bool known = false;
  int64_t size = mlir::ShapedType::kDynamic;
  mlir::StringAttr symbol;
  mlir::Value value;
};

/// A condition on dims: statically decided, or an i1 value (reification).
class DimCondition {
public:
  std::optional<bool> known() const { return decided; }

private:
  friend class ShapeBuilder;
  std::optional<bool> decided;
  mlir::Value value;
};

/// What a shape function returns for one result.
struct ResultShape {
  llvm::SmallVector<Dim> dims;
  mlir::Type elementType;
};

class ShapeBuilder {
public:
  /// Inference mode; errors are reported at `loc` when it is given.
  ShapeBuilder(mlir::MLIRContext *context, std::optional<mlir::Location> loc,
               llvm::StringRef opName);
  /// Reification mode (check mode with `checks`): emits index
  /// computations at the builder's point.
  ShapeBuilder(mlir::OpBuilder &builder, mlir::Location loc,
               llvm::StringRef opName, bool checks = false);

  bool isReifying() const { return builder != nullptr; }
  bool isChecking() const { return checks; }
  mlir::MLIRContext *getContext() const { return context; }
  mlir::Type getI1Type() const;
  mlir::Type getI64Type() const;

  /// Reports `message` as an error of the op (inference mode) and fails.
  mlir::LogicalResult emitError(const llvm::Twine &message) const;

  //===--------------------------------------------------------------------===//
  // Reading operands
  //===--------------------------------------------------------------------===//

  /// The ranked tensor type of `v`, or null (after an error) when it is not.
  mlir::RankedTensorType tensorType(mlir::Value v, llvm::StringRef what) const;
  Dim dim(mlir::Value tensor, int64_t index);
  llvm::SmallVector<Dim> dims(mlir::Value tensor);
  /// The values of a 1-D integer tensor operand used as sizes or indices
  /// (reshape's shape, slice's bounds, ...): its length must be static.
  mlir::FailureOr<llvm::SmallVector<Dim>> elements(mlir::Value tensor,
                                                   llvm::StringRef what);
  /// The single element of a scalar (0-d or one-element) integer tensor.
  mlir::FailureOr<Dim> scalar(mlir::Value tensor, llvm::StringRef what);
  /// floor(d * scales[index]) for a 1-D float `scales` tensor.
  Dim scaleFloor(Dim d, mlir::Value scales, int64_t index);
  /// The integer values of `v` when it is a constant (any rank).
  static std::optional<llvm::SmallVector<int64_t>>
  constantIntegers(mlir::Value v);

  //===--------------------------------------------------------------------===//
  // Dim arithmetic (folds when static; symbols survive identities)
  //===--------------------------------------------------------------------===//

  Dim fixed(int64_t size) const;
  Dim dynamic() const { return Dim(); }
  Dim add(Dim a, Dim b);
  Dim sub(Dim a, Dim b);
  Dim mul(Dim a, Dim b);
  Dim floorDiv(Dim a, Dim b);
  Dim ceilDiv(Dim a, Dim b);
  Dim max(Dim a, Dim b);
  Dim min(Dim a, Dim b);
  /// Clamps `v` into [lo, hi].
  Dim clamp(Dim v, Dim lo, Dim hi) { return min(max(v, lo), hi); }
  Dim product(llvm::ArrayRef<Dim> dims);
  DimCondition equal(Dim a, Dim b);
  DimCondition less(Dim a, Dim b);
  /// a or b.
  DimCondition either(DimCondition a, DimCondition b);
  Dim select(DimCondition c, Dim onTrue, Dim onFalse);

  /// What the shape function relies on: an error with `message` when the
  /// types decide that `holds` is false; in check mode, an `nn.check` with
  /// `message` when they leave it open (nothing in the other modes, which
  /// assume it).
  mlir::LogicalResult require(DimCondition holds, const llvm::Twine &message);
  /// require(equal(a, b), message), building the condition in check mode
  /// only (plain reification would leave it dead).
  mlir::LogicalResult requireEqual(Dim a, Dim b, const llvm::Twine &message);

  //===--------------------------------------------------------------------===//
  // Shared shape rules
  //===--------------------------------------------------------------------===//

  /// Result = shape of `input`; element type of `input` unless given.
  mlir::LogicalResult sameAs(mlir::Value input,
                             llvm::SmallVectorImpl<ResultShape> &results,
                             mlir::Type elementType = {});
  /// numpy broadcasting of `operands` into one result whose element type
  /// is `elementType`, or the first operand's when null.
  mlir::LogicalResult
  broadcastElementwise(llvm::ArrayRef<mlir::Value> operands,
                       mlir::Type elementType,
                       llvm::SmallVectorImpl<ResultShape> &results);
  /// numpy broadcasting of two shapes; `lhsName`/`rhsName` name them in
  /// errors.
  mlir::FailureOr<llvm::SmallVector<Dim>> broadcast(llvm::ArrayRef<Dim> lhs,
                                                    llvm::ArrayRef<Dim> rhs,
                                                    llvm::StringRef lhsName,
                                                    llvm::StringRef rhsName);
  /// `axis` in [-rank, rank) made non-negative, or an error naming `what`.
  mlir::FailureOr<int64_t> normalizeAxis(int64_t axis, int64_t rank,
                                         llvm::StringRef what) const;
  /// Normalized, sorted, duplicate-free axes, or an error.
  mlir::FailureOr<llvm::SmallVector<int64_t>>
  normalizeAxes(llvm::ArrayRef<int64_t> axes, int64_t rank,
                llvm::StringRef what) const;

  //===--------------------------------------------------------------------===//
  // Results
  //===--------------------------------------------------------------------===//

  /// The tensor type a result shape stands for (with #nn.dims when some
  /// dynamic dim has a symbol).
  mlir::RankedTensorType toType(const ResultShape &shape) const;
  /// The dims as fold results (reification mode).
  llvm::SmallVector<mlir::OpFoldResult> toFoldResults(llvm::ArrayRef<Dim> dims);

private:
  // The non-identity cases of add/sub/mul/floorDiv/ceilDiv.
  Dim addImpl(Dim a, Dim b);
  Dim subImpl(Dim a, Dim b);
  Dim mulImpl(Dim a, Dim b);
  Dim floorDivImpl(Dim a, Dim b);
  Dim ceilDivImpl(Dim a, Dim b);
  mlir::Value materialize(Dim d);
  mlir::Value extractIndex(mlir::Value tensor,
                           llvm::ArrayRef<int64_t> position);
  Dim fromValue(mlir::Value index) const;
  Dim fromFoldResult(mlir::OpFoldResult r);

  mlir::MLIRContext *context;
  std::optional<mlir::Location> loc;
  mlir::OpBuilder *builder = nullptr;
  llvm::StringRef opName;
  bool checks = false;
};

/// True when every pair of types agrees where both say something: same
/// rank and element type, equal static sizes, equal symbols. A written
/// result type may thus be more (or less) precise than the inferred one.
bool areRefinementsOf(mlir::TypeRange inferred, mlir::TypeRange actual);

/// The most precise type that both `current` and `proven` allow (static
/// sizes and symbols from either; `current` wins where both say something).
/// `current` itself when they are not two ranked tensors of one rank and
/// element type.
mlir::Type refineType(mlir::Type current, mlir::Type proven);

/// What two types have in common (sizes and symbols they agree on), or null
/// when they differ in rank or element type.
mlir::Type commonType(mlir::Type a, mlir::Type b);

/// The most dimensions (and shape-operand entries) an nn tensor may have; a
/// bound so that malformed IR cannot make the compiler allocate without end.
constexpr int64_t kMaxRank = 1024;

/// Checks what every shape function returns: no negative static size.
mlir::LogicalResult checkResultShapes(ShapeBuilder &b,
                                      llvm::ArrayRef<ResultShape> shapes);

template <typename OpT>
mlir::LogicalResult
inferTypesWithShapeFunction(mlir::MLIRContext *context,
                            std::optional<mlir::Location> loc,
                            typename OpT::Adaptor adaptor,
                            llvm::SmallVectorImpl<mlir::Type> &inferred) {
  ShapeBuilder b(context, loc, OpT::getOperationName());
  llvm::SmallVector<ResultShape> shapes;
  if (mlir::failed(OpT::inferShapes(adaptor, b, shapes)) ||
      mlir::failed(checkResultShapes(b, shapes)))
    return mlir::failure();
  for (const ResultShape &shape : shapes)
    inferred.push_back(b.toType(shape));
  return mlir::success();
}

/// Check mode: the checks of what the result types state beyond `shapes`
/// (a static size the shape function leaves dynamic, as an importer's
/// declared type gives it).
mlir::LogicalResult checkStatedResultShapes(mlir::Operation *op,
                                            ShapeBuilder &b,
                                            llvm::ArrayRef<ResultShape> shapes);

template <typename OpT>
mlir::LogicalResult checkWithShapeFunction(OpT op, mlir::OpBuilder &builder) {
  ShapeBuilder b(builder, op.getLoc(), OpT::getOperationName(),
                 /*checks=*/true);
  llvm::SmallVector<ResultShape> shapes;
  if (mlir::failed(OpT::inferShapes(typename OpT::Adaptor(op), b, shapes)))
    return mlir::failure();
  return checkStatedResultShapes(op, b, shapes);
}

/// Reifies `op`'s result shapes; dims that the result types state
/// statically are returned as attributes, as the interface requires.
mlir::LogicalResult
finishReification(mlir::Operation *op, ShapeBuilder &b,
                  llvm::ArrayRef<ResultShape> shapes,
                  mlir::ReifiedRankedShapedTypeDims &reified);

template <typename OpT>
mlir::LogicalResult
reifyWithShapeFunction(OpT op, mlir::OpBuilder &builder,
                       mlir::ReifiedRankedShapedTypeDims &reified) {
  ShapeBuilder b(builder, op.getLoc(), OpT::getOperationName());
  llvm::SmallVector<ResultShape> shapes;
  if (mlir::failed(OpT::inferShapes(typename OpT::Adaptor(op), b, shapes)))
    return mlir::failure();
  return finishReification(op, b, shapes, reified);
}

} // namespace ddl::nn

#endif // DDL_DIALECTS_NN_SHAPEBUILDER_H
