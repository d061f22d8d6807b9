//===- ShapeBuilder.cpp - one shape function, three uses ------------------===//
//
// See ShapeBuilder.h.
//
//===----------------------------------------------------------------------===//

#include "dialects/nn/ShapeBuilder.h"
#include "dialects/nn/NNDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/APSInt.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MathExtras.h"
#include <cmath>
#include <limits>

using namespace mlir;

namespace ddl::nn {

ShapeBuilder::ShapeBuilder(MLIRContext *context, std::optional<Location> loc,
                           StringRef opName)
    : context(context), loc(loc), opName(opName) {}

ShapeBuilder::ShapeBuilder(OpBuilder &builder, Location loc, StringRef opName,
                           bool checks)
    : context(builder.getContext()), loc(loc), builder(&builder),
      opName(opName), checks(checks) {}

Type ShapeBuilder::getI1Type() const { return IntegerType::get(context, 1); }
Type ShapeBuilder::getI64Type() const { return IntegerType::get(context, 64); }

LogicalResult ShapeBuilder::emitError(const Twine &message) const {
  if (loc)
    return emitOptionalError(loc, "'", opName, "' op ", message);
  return failure();
}

//===----------------------------------------------------------------------===//
// Reading operands
//===----------------------------------------------------------------------===//

RankedTensorType ShapeBuilder::tensorType(Value v, StringRef what) const {
  auto type = v ? dyn_cast<RankedTensorType>(v.getType()) : RankedTensorType();
  if (!type)
    (void)emitError(Twine(what) + " must be a ranked tensor");
  return type;
}

Dim ShapeBuilder::dim(Value tensor, int64_t index) {
  auto type = cast<RankedTensorType>(tensor.getType());
  Dim d;
  d.size = type.getDimSize(index);
  d.known = !type.isDynamicDim(index);
  if (d.isStatic())
    return d;
  d.symbol = getDimSymbol(type, index);
  if (isReifying())
    d.value = tensor::DimOp::create(*builder, *loc, tensor, index);
  return d;
}

SmallVector<Dim> ShapeBuilder::dims(Value tensor) {
  auto type = cast<RankedTensorType>(tensor.getType());
  SmallVector<Dim> result;
  for (int64_t i = 0, e = type.getRank(); i < e; ++i)
    result.push_back(dim(tensor, i));
  return result;
}

std::optional<SmallVector<int64_t>> ShapeBuilder::constantIntegers(Value v) {
  DenseIntElementsAttr attr;
  if (!v || !matchPattern(v, m_Constant(&attr)))
    return std::nullopt;
  bool isUnsigned = attr.getElementType().isUnsignedInteger();
  SmallVector<int64_t> values;
  for (const APInt &x : attr.getValues<APInt>())
    values.push_back(isUnsigned ? static_cast<int64_t>(x.getZExtValue())
                                : x.getSExtValue());
  return values;
}

FailureOr<SmallVector<Dim>> ShapeBuilder::elements(Value tensor,
                                                   StringRef what) {
  RankedTensorType type = tensorType(tensor, what);
  if (!type)
    return failure();
  if (type.getRank() != 1 || type.isDynamicDim(0))
    return emitError(Twine(what) +
                     " must be a 1-D tensor of static length (it sets a rank), "
                     "got " +
                     llvm::formatv("{0}", type).str());
  int64_t n = type.getDimSize(0);
  // Pads has two entries per dimension.
  if (n > 2 * kMaxRank)
    return emitError(llvm::formatv(
        "{0} has {1} entries; at most {2} dimensions are supported", what, n,
        kMaxRank));
  SmallVector<Dim> result;
  if (std::optional<SmallVector<int64_t>> values = constantIntegers(tensor)) {
    if (static_cast<int64_t>(values->size()) == n) {
      for (int64_t v : *values)
        result.push_back(fixed(v));
      return result;
    }
    // A splat constant has a single value for all entries.
    if (values->size() == 1) {
      result.assign(n, fixed(values->front()));
      return result;
    }
  }
  for (int64_t i = 0; i < n; ++i) {
    if (!isReifying()) {
      result.push_back(dynamic());
      continue;
    }
    Value index = arith::ConstantIndexOp::create(*builder, *loc, i);
    Value element = tensor::ExtractOp::create(*builder, *loc, tensor, index);
    result.push_back(fromValue(arith::IndexCastOp::create(
        *builder, *loc, builder->getIndexType(), element)));
  }
  return result;
}

Value ShapeBuilder::extractIndex(Value tensor, ArrayRef<int64_t> position) {
  SmallVector<Value> indices;
  for (int64_t p : position)
    indices.push_back(arith::ConstantIndexOp::create(*builder, *loc, p));
  Value element = tensor::ExtractOp::create(*builder, *loc, tensor, indices);
  return arith::IndexCastOp::create(*builder, *loc, builder->getIndexType(),
                                    element);
}

FailureOr<Dim> ShapeBuilder::scalar(Value tensor, StringRef what) {
  RankedTensorType type = tensorType(tensor, what);
  if (!type)
    return failure();
  if (!type.hasStaticShape() || type.getNumElements() != 1)
    return emitError(Twine(what) + " must hold exactly one element, got " +
                     llvm::formatv("{0}", type).str());
  if (std::optional<SmallVector<int64_t>> values = constantIntegers(tensor))
    return fixed(values->front());
  if (!isReifying())
    return dynamic();
  return fromValue(
      extractIndex(tensor, SmallVector<int64_t>(type.getRank(), 0)));
}

Dim ShapeBuilder::scaleFloor(Dim d, Value scales, int64_t index) {
  // ONNX computes floor(size * scale) in the scale's own precision (for f32
  // scales, 10 * 0.7f is exactly 7, while in f64 it is 6.99...).
  DenseFPElementsAttr constant;
  if (matchPattern(scales, m_Constant(&constant))) {
    APFloat scale = constant.isSplat() ? constant.getSplatValue<APFloat>()
                                       : constant.getValues<APFloat>()[index];
    if (scale.isExactlyValue(1.0))
      return d;
    if (d.isStatic()) {
      APFloat product(scale.getSemantics());
      bool lost;
      product.convertFromAPInt(APInt(64, d.size, /*isSigned=*/true),
                               /*IsSigned=*/true, APFloat::rmNearestTiesToEven);
      product.multiply(scale, APFloat::rmNearestTiesToEven);
      APSInt result(64, /*isUnsigned=*/false);
      if (!(product.convertToInteger(result, APFloat::rmTowardNegative, &lost) &
            APFloat::opInvalidOp))
        return fixed(result.getSExtValue());
      // NaN or out of range: left to run time (reification computes it
      // there; a dim without a value would crash the lowering).
    }
  }
  if (!isReifying())
    return dynamic();
  Value idx = arith::ConstantIndexOp::create(*builder, *loc, index);
  Value scale = tensor::ExtractOp::create(*builder, *loc, scales, idx);
  Type floatType = scale.getType();
  Value size = arith::IndexCastOp::create(*builder, *loc, builder->getI64Type(),
                                          materialize(d));
  Value product = arith::MulFOp::create(
      *builder, *loc, arith::SIToFPOp::create(*builder, *loc, floatType, size),
      scale);
  // fptosi truncates toward zero, which is floor for the non-negative sizes.
  Value floored =
      arith::FPToSIOp::create(*builder, *loc, builder->getI64Type(), product);
  return fromValue(arith::IndexCastOp::create(
      *builder, *loc, builder->getIndexType(), floored));
}

//===----------------------------------------------------------------------===//
// Dim arithmetic
//===----------------------------------------------------------------------===//

// Static folds saturate instead of overflowing: ONNX uses INT64_MAX as
// "to the end" in slices, and such values meet additions before clamping.
static int64_t saturate(__int128 v) {
  if (v > std::numeric_limits<int64_t>::max())
    return std::numeric_limits<int64_t>::max();
  if (v < std::numeric_limits<int64_t>::min())
    return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(v);
}

Dim ShapeBuilder::fixed(int64_t size) const {
  Dim d;
  d.known = true;
  d.size = size;
  return d;
}

Dim ShapeBuilder::fromValue(Value index) const {
  Dim d;
  d.value = index;
  return d;
}

Dim ShapeBuilder::fromFoldResult(OpFoldResult r) {
  if (std::optional<int64_t> c = getConstantIntValue(r))
    return fixed(*c);
  return fromValue(cast<Value>(r));
}

Value ShapeBuilder::materialize(Dim d) {
  if (d.isStatic())
    return arith::ConstantIndexOp::create(*builder, *loc, d.size);
  return d.value;
}

SmallVector<OpFoldResult> ShapeBuilder::toFoldResults(ArrayRef<Dim> dims) {
  SmallVector<OpFoldResult> result;
  for (Dim d : dims) {
    if (d.isStatic())
      result.push_back(IntegerAttr::get(IndexType::get(context), d.size));
    else
      result.push_back(d.value);
  }
  return result;
}

static __int128 floorDivide(__int128 x, __int128 y) {
  __int128 q = x / y;
  return (x % y != 0 && ((x < 0) != (y < 0))) ? q - 1 : q;
}

#define DDL_NN_DIM_BINARY(NAME, ARITH_OP, FOLD)                                \
  Dim ShapeBuilder::NAME(Dim a, Dim b) {                                       \
    if (a.isStatic() && b.isStatic()) {                                        \
      __int128 x = a.size, y = b.size;                                         \
      return fixed(saturate(FOLD));                                            \
    }                                                                          \
    if (!isReifying())                                                         \
      return dynamic();                                                        \
    return fromValue(                                                          \
        ARITH_OP::create(*builder, *loc, materialize(a), materialize(b)));     \
  }

// Sizes reaching these folds were validated by the shape functions (no
// division by zero: divisors are strides, kernel sizes or checked counts).
DDL_NN_DIM_BINARY(addImpl, arith::AddIOp, x + y)
DDL_NN_DIM_BINARY(subImpl, arith::SubIOp, x - y)
DDL_NN_DIM_BINARY(mulImpl, arith::MulIOp, x *y)
DDL_NN_DIM_BINARY(floorDivImpl, arith::FloorDivSIOp,
                  y == 0 ? 0 : floorDivide(x, y))
DDL_NN_DIM_BINARY(ceilDivImpl, arith::CeilDivSIOp,
                  y == 0 ? 0 : -floorDivide(-x, y))
DDL_NN_DIM_BINARY(max, arith::MaxSIOp, std::max(x, y))
DDL_NN_DIM_BINARY(min, arith::MinSIOp, std::min(x, y))
#undef DDL_NN_DIM_BINARY

// Identities keep the other side, symbol included.
Dim ShapeBuilder::add(Dim a, Dim b) {
  if (b.is(0))
    return a;
  if (a.is(0))
    return b;
  return addImpl(a, b);
}
Dim ShapeBuilder::sub(Dim a, Dim b) { return b.is(0) ? a : subImpl(a, b); }
Dim ShapeBuilder::mul(Dim a, Dim b) {
  if (b.is(1))
    return a;
  if (a.is(1))
    return b;
  return mulImpl(a, b);
}
Dim ShapeBuilder::floorDiv(Dim a, Dim b) {
  return b.is(1) ? a : floorDivImpl(a, b);
}
Dim ShapeBuilder::ceilDiv(Dim a, Dim b) {
  return b.is(1) ? a : ceilDivImpl(a, b);
}

Dim ShapeBuilder::product(ArrayRef<Dim> dims) {
  Dim result = fixed(1);
  for (Dim d : dims)
    result = mul(result, d);
  return result;
}

DimCondition ShapeBuilder::equal(Dim a, Dim b) {
  DimCondition c;
  if (a.isStatic() && b.isStatic()) {
    c.decided = a.size == b.size;
    return c;
  }
  if (a.symbol && a.symbol == b.symbol) {
    c.decided = true;
    return c;
  }
  if (!isReifying())
    return c;
  // A size the builder cannot state (no value): the condition stays open.
  Value x = materialize(a), y = x ? materialize(b) : Value();
  if (x && y)
    c.value =
        arith::CmpIOp::create(*builder, *loc, arith::CmpIPredicate::eq, x, y);
  return c;
}

DimCondition ShapeBuilder::either(DimCondition a, DimCondition b) {
  if (a.decided == true || b.decided == false)
    return a;
  if (b.decided == true || a.decided == false)
    return b;
  DimCondition c;
  if (a.value && b.value)
    c.value = arith::OrIOp::create(*builder, *loc, a.value, b.value);
  return c;
}

LogicalResult ShapeBuilder::requireEqual(Dim a, Dim b, const Twine &message) {
  if (a.isStatic() && b.isStatic())
    return a.size == b.size ? success() : emitError(message);
  if (!isChecking())
    return success();
  return require(equal(a, b), message);
}

LogicalResult ShapeBuilder::require(DimCondition holds, const Twine &message) {
  if (holds.decided == false)
    return emitError(message);
  // A condition without a value is one the builder cannot state (a size
  // only the data determine): nothing to check.
  if (holds.decided || !isChecking() || !holds.value)
    return success();
  OpBuilder &b = *builder;
  Value flag = tensor::FromElementsOp::create(
      b, *loc, RankedTensorType::get({}, b.getI1Type()), holds.value);
  CheckOp::create(b, *loc, flag, b.getStringAttr(message));
  return success();
}

DimCondition ShapeBuilder::less(Dim a, Dim b) {
  DimCondition c;
  if (a.isStatic() && b.isStatic()) {
    c.decided = a.size < b.size;
    return c;
  }
  if (isReifying())
    c.value = arith::CmpIOp::create(*builder, *loc, arith::CmpIPredicate::slt,
                                    materialize(a), materialize(b));
  return c;
}

Dim ShapeBuilder::select(DimCondition c, Dim onTrue, Dim onFalse) {
  if (c.decided)
    return *c.decided ? onTrue : onFalse;
  if (!isReifying()) {
    // Both arms equal: the choice does not matter.
    if (onTrue.isStatic() && onFalse.isStatic() && onTrue.size == onFalse.size)
      return onTrue;
    if (onTrue.symbol && onTrue.symbol == onFalse.symbol)
      return onTrue;
    return dynamic();
  }
  return fromValue(arith::SelectOp::create(
      *builder, *loc, c.value, materialize(onTrue), materialize(onFalse)));
}

//===----------------------------------------------------------------------===//
// Shared shape rules
//===----------------------------------------------------------------------===//

LogicalResult ShapeBuilder::sameAs(Value input,
                                   SmallVectorImpl<ResultShape> &results,
                                   Type elementType) {
  RankedTensorType type = tensorType(input, "input");
  if (!type)
    return failure();
  results.push_back(
      {dims(input), elementType ? elementType : type.getElementType()});
  return success();
}

FailureOr<SmallVector<Dim>> ShapeBuilder::broadcast(ArrayRef<Dim> lhs,
                                                    ArrayRef<Dim> rhs,
                                                    StringRef lhsName,
                                                    StringRef rhsName) {
  size_t rank = std::max(lhs.size(), rhs.size());
  SmallVector<Dim> result;
  for (size_t i = 0; i < rank; ++i) {
    // Align from the back; a missing leading dim acts as 1.
    Dim a = i + lhs.size() >= rank ? lhs[i + lhs.size() - rank] : fixed(1);
    Dim b = i + rhs.size() >= rank ? rhs[i + rhs.size() - rank] : fixed(1);
    if (a.isStatic() && b.isStatic() && a.size != b.size && a.size != 1 &&
        b.size != 1)
      return emitError(llvm::formatv(
          "cannot broadcast {0} and {1}: dimension {2} of the result would "
          "need sizes {3} and {4} to match (or one of them to be 1)",
          lhsName, rhsName, i, a.size, b.size));
    // Sizes the types leave open must be equal or one of them 1.
    if (isChecking() &&
        failed(require(
            either(equal(a, b), either(equal(a, fixed(1)), equal(b, fixed(1)))),
            llvm::formatv("cannot broadcast {0} and {1}: their sizes in "
                          "dimension {2} of the result differ at run time "
                          "and neither is 1",
                          lhsName, rhsName, i))))
      return failure();
    if (a.is(1)) {
      result.push_back(b);
    } else if (b.is(1) || (a.symbol && a.symbol == b.symbol)) {
      result.push_back(a);
    } else if (a.isStatic()) {
      result.push_back(a); // b is dynamic: it must be a.size or 1.
    } else if (b.isStatic()) {
      result.push_back(b);
    } else {
      // Both dynamic: the result is b where a is 1, a otherwise.
      result.push_back(select(equal(a, fixed(1)), b, a));
    }
  }
  return result;
}

LogicalResult
ShapeBuilder::broadcastElementwise(ArrayRef<Value> operands, Type elementType,
                                   SmallVectorImpl<ResultShape> &results) {
  SmallVector<Dim> shape;
  for (auto [i, operand] : llvm::enumerate(operands)) {
    std::string name = llvm::formatv("operand #{0}", i).str();
    RankedTensorType type = tensorType(operand, name);
    if (!type)
      return failure();
    if (i == 0) {
      shape = dims(operand);
      if (!elementType)
        elementType = type.getElementType();
      continue;
    }
    FailureOr<SmallVector<Dim>> merged = broadcast(
        shape, dims(operand),
        i == 1 ? "operand #0" : "the broadcast of the operands before", name);
    if (failed(merged))
      return failure();
    shape = std::move(*merged);
  }
  results.push_back({std::move(shape), elementType});
  return success();
}

FailureOr<int64_t> ShapeBuilder::normalizeAxis(int64_t axis, int64_t rank,
                                               StringRef what) const {
  if (axis < -rank || axis >= rank)
    return emitError(llvm::formatv("{0} {1} is out of range for rank {2} "
                                   "(expected {3} <= {0} < {2})",
                                   what, axis, rank, -rank));
  return axis < 0 ? axis + rank : axis;
}

FailureOr<SmallVector<int64_t>>
ShapeBuilder::normalizeAxes(ArrayRef<int64_t> axes, int64_t rank,
                            StringRef what) const {
  SmallVector<int64_t> result;
  for (int64_t axis : axes) {
    FailureOr<int64_t> a = normalizeAxis(axis, rank, (what + " entry").str());
    if (failed(a))
      return failure();
    if (llvm::is_contained(result, *a))
      return emitError(
          llvm::formatv("{0} names dimension {1} twice", what, *a));
    result.push_back(*a);
  }
  llvm::sort(result);
  return result;
}

//===----------------------------------------------------------------------===//
// Results
//===----------------------------------------------------------------------===//

RankedTensorType ShapeBuilder::toType(const ResultShape &shape) const {
  SmallVector<int64_t> sizes;
  SmallVector<StringAttr> symbols;
  for (const Dim &d : shape.dims) {
    sizes.push_back(d.isStatic() ? d.size : ShapedType::kDynamic);
    symbols.push_back(d.isStatic() ? StringAttr() : d.symbol);
  }
  return RankedTensorType::get(sizes, shape.elementType,
                               getDimsEncoding(context, sizes, symbols));
}

LogicalResult checkResultShapes(ShapeBuilder &b, ArrayRef<ResultShape> shapes) {
  for (auto [r, shape] : llvm::enumerate(shapes)) {
    if (static_cast<int64_t>(shape.dims.size()) > kMaxRank)
      return b.emitError(llvm::formatv("result #{0} would have rank {1}; at "
                                       "most {2} dimensions are supported",
                                       r, shape.dims.size(), kMaxRank));
    for (auto [d, dim] : llvm::enumerate(shape.dims))
      if (dim.isStatic() && dim.getSize() < 0)
        return b.emitError(llvm::formatv(
            "result #{0} would have size {1} in dimension {2}; sizes must be "
            ">= 0 (check the op's size, shape or scale operands)",
            r, dim.getSize(), d));
  }
  return success();
}

LogicalResult checkStatedResultShapes(Operation *op, ShapeBuilder &b,
                                      ArrayRef<ResultShape> shapes) {
  if (shapes.size() != op->getNumResults())
    return failure();
  for (auto [r, pair] : llvm::enumerate(llvm::zip(shapes, op->getResults()))) {
    auto [shape, result] = pair;
    auto type = dyn_cast<RankedTensorType>(result.getType());
    if (!type || static_cast<int64_t>(shape.dims.size()) != type.getRank())
      return failure();
    for (auto [d, dim] : llvm::enumerate(shape.dims)) {
      if (type.isDynamicDim(d))
        continue;
      if (failed(b.require(
              b.equal(dim, b.fixed(type.getDimSize(d))),
              llvm::formatv("result #{0} is declared with size {1} in "
                            "dimension {2}, but the inputs give it another "
                            "size at run time",
                            r, type.getDimSize(d), d))))
        return failure();
    }
  }
  return success();
}

LogicalResult finishReification(Operation *op, ShapeBuilder &b,
                                ArrayRef<ResultShape> shapes,
                                ReifiedRankedShapedTypeDims &reified) {
  if (shapes.size() != op->getNumResults())
    return failure();
  for (auto [shape, result] : llvm::zip(shapes, op->getResults())) {
    auto type = cast<RankedTensorType>(result.getType());
    if (static_cast<int64_t>(shape.dims.size()) != type.getRank())
      return failure();
    SmallVector<OpFoldResult> dims = b.toFoldResults(shape.dims);
    for (int64_t i = 0, e = type.getRank(); i < e; ++i) {
      if (!type.isDynamicDim(i))
        dims[i] = IntegerAttr::get(IndexType::get(op->getContext()),
                                   type.getDimSize(i));
    }
    reified.push_back(std::move(dims));
  }
  return success();
}

/// The most precise type that both `current` and `proven` allow: static
/// sizes and symbols from either (`current` wins where both say something,
/// which only happens when they agree in verified IR).
Type refineType(Type current, Type proven) {
  auto a = dyn_cast<RankedTensorType>(current);
  auto b = dyn_cast<RankedTensorType>(proven);
  if (!a || !b || a.getRank() != b.getRank() ||
      a.getElementType() != b.getElementType())
    return current;
  SmallVector<int64_t> sizes;
  SmallVector<StringAttr> symbols;
  for (int64_t i = 0, e = a.getRank(); i < e; ++i) {
    int64_t size = a.isDynamicDim(i) ? b.getDimSize(i) : a.getDimSize(i);
    StringAttr symbol;
    if (ShapedType::isDynamic(size)) {
      symbol = getDimSymbol(a, i);
      if (!symbol)
        symbol = getDimSymbol(b, i);
    }
    sizes.push_back(size);
    symbols.push_back(symbol);
  }
  return RankedTensorType::get(sizes, a.getElementType(),
                               getDimsEncoding(a.getContext(), sizes, symbols));
}

/// What two element types of sequences have in common: an unranked tensor
/// where their ranks differ or one is unknown.
static Type commonElementType(TensorType a, TensorType b) {
  if (a.getElementType() != b.getElementType())
    return Type();
  if (Type both = commonType(a, b))
    return both;
  return UnrankedTensorType::get(a.getElementType());
}

/// What two types have in common: sizes and symbols on which they agree.
Type commonType(Type x, Type y) {
  if (auto sa = dyn_cast<SequenceType>(x)) {
    auto sb = dyn_cast<SequenceType>(y);
    if (!sb)
      return Type();
    Type element = commonElementType(sa.getElementType(), sb.getElementType());
    return element
               ? SequenceType::get(x.getContext(), cast<TensorType>(element))
               : Type();
  }
  if (auto oa = dyn_cast<OptionalType>(x)) {
    auto ob = dyn_cast<OptionalType>(y);
    Type value = ob ? commonType(oa.getValueType(), ob.getValueType()) : Type();
    return value ? OptionalType::get(x.getContext(), value) : Type();
  }
  auto a = dyn_cast<RankedTensorType>(x);
  auto b = dyn_cast<RankedTensorType>(y);
  if (!a || !b || a.getRank() != b.getRank() ||
      a.getElementType() != b.getElementType())
    return Type();
  SmallVector<int64_t> sizes;
  SmallVector<StringAttr> symbols;
  for (int64_t i = 0, e = a.getRank(); i < e; ++i) {
    bool sameSize = a.getDimSize(i) == b.getDimSize(i);
    sizes.push_back(sameSize ? a.getDimSize(i) : ShapedType::kDynamic);
    StringAttr sa = getDimSymbol(a, i), sb = getDimSymbol(b, i);
    symbols.push_back(
        ShapedType::isDynamic(sizes.back()) && sa == sb ? sa : StringAttr());
  }
  return RankedTensorType::get(sizes, a.getElementType(),
                               getDimsEncoding(a.getContext(), sizes, symbols));
}

/// True when `i` and `a` agree where both say something (see
/// areRefinementsOf); an unranked sequence element agrees with any rank.
static bool isCompatible(Type i, Type a) {
  if (auto si = dyn_cast<SequenceType>(i)) {
    auto sa = dyn_cast<SequenceType>(a);
    if (!sa || si.getElementType().getElementType() !=
                   sa.getElementType().getElementType())
      return false;
    if (!si.getElementType().hasRank() || !sa.getElementType().hasRank())
      return true;
    return isCompatible(si.getElementType(), sa.getElementType());
  }
  if (auto oi = dyn_cast<OptionalType>(i)) {
    auto oa = dyn_cast<OptionalType>(a);
    return oa && isCompatible(oi.getValueType(), oa.getValueType());
  }
  auto x = dyn_cast<RankedTensorType>(i);
  auto y = dyn_cast<RankedTensorType>(a);
  if (!x || !y)
    return i == a;
  if (x.getElementType() != y.getElementType() || x.getRank() != y.getRank())
    return false;
  for (int64_t d = 0, e = x.getRank(); d < e; ++d) {
    if (!x.isDynamicDim(d) && !y.isDynamicDim(d) &&
        x.getDimSize(d) != y.getDimSize(d))
      return false;
    StringAttr sx = getDimSymbol(x, d), sy = getDimSymbol(y, d);
    if (sx && sy && sx != sy)
      return false;
  }
  return true;
}

bool areRefinementsOf(TypeRange inferred, TypeRange actual) {
  if (inferred.size() != actual.size())
    return false;
  for (auto [i, a] : llvm::zip(inferred, actual))
    if (!isCompatible(i, a))
      return false;
  return true;
}

} // namespace ddl::nn
