//===- Canonicalization.cpp - folders and canonicalization patterns -------===//
//
// Obvious simplifications: identities fold away, shape queries of static
// tensors become constants, small constant arithmetic folds (shape
// subgraphs of imported models are made of it), and the reshape family
// collapses into single reshapes and transposes.
//
//===----------------------------------------------------------------------===//

#include "dialects/nn/NNDialect.h"

#include "mlir/Dialect/CommonFolders.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/APSInt.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;

namespace ddl::nn {

/// Folds to `input` when the op's result has exactly its type.
static OpFoldResult foldToInput(Value input, Value result) {
  return input.getType() == result.getType() ? OpFoldResult(input)
                                             : OpFoldResult();
}

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

OpFoldResult IdentityOp::fold(FoldAdaptor) {
  return foldToInput(getInput(), getOutput());
}

/// Constants up to this many elements are folded through data-movement
/// ops and casts: enough for every shape computation, small enough that
/// folding never copies weights.
constexpr int64_t kMaxFoldedElements = 1024;

/// The constant operand `attr` when it is a small dense constant and the
/// op's result type is static (so the folded constant can have it).
static DenseElementsAttr smallConstant(Attribute attr, Value result) {
  auto dense = dyn_cast_or_null<DenseElementsAttr>(attr);
  auto type = dyn_cast<RankedTensorType>(result.getType());
  if (!dense || !type || !type.hasStaticShape() || type.getEncoding() ||
      dense.getNumElements() > kMaxFoldedElements)
    return {};
  return dense;
}

/// Converts one constant element to `to` as nn.cast does; nullopt when the
/// value has no faithful image (a NaN or out-of-range float to integer).
static std::optional<Attribute> castElement(Attribute element, Type to) {
  if (auto f = dyn_cast<FloatAttr>(element)) {
    APFloat value = f.getValue();
    if (auto floatType = dyn_cast<FloatType>(to)) {
      bool lost;
      value.convert(floatType.getFloatSemantics(), APFloat::rmNearestTiesToEven,
                    &lost);
      return FloatAttr::get(to, value);
    }
    if (to.isInteger(1))
      return IntegerAttr::get(to, APInt(1, !value.isZero()));
    auto intType = cast<IntegerType>(to);
    APSInt result(intType.getWidth(), intType.isUnsigned());
    bool exact;
    if (value.convertToInteger(result, APFloat::rmTowardZero, &exact) &
        APFloat::opInvalidOp)
      return std::nullopt;
    return IntegerAttr::get(to, result);
  }
  auto i = cast<IntegerAttr>(element);
  bool isUnsigned = i.getType().isUnsignedInteger() || i.getType().isInteger(1);
  APInt value = i.getValue();
  if (auto floatType = dyn_cast<FloatType>(to)) {
    APFloat result(floatType.getFloatSemantics());
    result.convertFromAPInt(value, !isUnsigned, APFloat::rmNearestTiesToEven);
    return FloatAttr::get(to, result);
  }
  if (to.isInteger(1))
    return IntegerAttr::get(to, APInt(1, !value.isZero()));
  unsigned width = to.getIntOrFloatBitWidth();
  return IntegerAttr::get(to, isUnsigned ? value.zextOrTrunc(width)
                                         : value.sextOrTrunc(width));
}

OpFoldResult CastOp::fold(FoldAdaptor adaptor) {
  if (OpFoldResult same = foldToInput(getInput(), getOutput()))
    return same;
  // Strings are parsed and printed at run time only.
  if (isa<StringType>(getInput().getType().getElementType()) ||
      isa<StringType>(getOutput().getType().getElementType()))
    return {};
  DenseElementsAttr input = smallConstant(adaptor.getInput(), getOutput());
  if (!input)
    return {};
  auto type = cast<RankedTensorType>(getOutput().getType());
  SmallVector<Attribute> values;
  for (Attribute element : input.getValues<Attribute>()) {
    std::optional<Attribute> converted =
        castElement(element, type.getElementType());
    if (!converted)
      return {};
    values.push_back(*converted);
  }
  return DenseElementsAttr::get(type, values);
}

//===----------------------------------------------------------------------===//
// Arithmetic
//===----------------------------------------------------------------------===//

/// True when `attr` is a splat equal to `value` (integer or float).
static bool isSplatOf(Attribute attr, int64_t value) {
  auto splat = dyn_cast_or_null<SplatElementsAttr>(attr);
  if (!splat)
    return false;
  Type element = splat.getElementType();
  if (isa<FloatType>(element))
    return splat.getSplatValue<APFloat>().isExactlyValue(value);
  if (auto intType = dyn_cast<IntegerType>(element))
    return intType.isUnsigned()
               ? splat.getSplatValue<APInt>().getZExtValue() ==
                     static_cast<uint64_t>(value)
               : splat.getSplatValue<APInt>().getSExtValue() == value;
  return false;
}

/// Constant-folds a binary op on same-typed constant operands whose type
/// is the result type (no broadcasting happens).
template <typename IntFn, typename FloatFn>
static OpFoldResult foldConstants(Value result, ArrayRef<Attribute> operands,
                                  IntFn intFn, FloatFn floatFn) {
  if (operands.size() != 2 || !operands[0] || !operands[1])
    return {};
  auto lhs = dyn_cast<TypedAttr>(operands[0]);
  auto rhs = dyn_cast<TypedAttr>(operands[1]);
  if (!lhs || !rhs || lhs.getType() != rhs.getType() ||
      lhs.getType() != result.getType())
    return {};
  Type element = getElementTypeOrSelf(result.getType());
  if (isa<IntegerType>(element))
    return constFoldBinaryOp<IntegerAttr, APInt, void>(operands, intFn);
  if (isa<FloatType>(element))
    return constFoldBinaryOp<FloatAttr, APFloat, void>(operands, floatFn);
  return {};
}

OpFoldResult AddOp::fold(FoldAdaptor adaptor) {
  if (isSplatOf(adaptor.getRhs(), 0))
    return foldToInput(getLhs(), getOutput());
  return foldConstants(
      getOutput(), adaptor.getOperands(),
      [](const APInt &a, const APInt &b) { return a + b; },
      [](const APFloat &a, const APFloat &b) { return a + b; });
}

OpFoldResult SubOp::fold(FoldAdaptor adaptor) {
  if (isSplatOf(adaptor.getRhs(), 0))
    return foldToInput(getLhs(), getOutput());
  return foldConstants(
      getOutput(), adaptor.getOperands(),
      [](const APInt &a, const APInt &b) { return a - b; },
      [](const APFloat &a, const APFloat &b) { return a - b; });
}

OpFoldResult MulOp::fold(FoldAdaptor adaptor) {
  if (isSplatOf(adaptor.getRhs(), 1))
    return foldToInput(getLhs(), getOutput());
  return foldConstants(
      getOutput(), adaptor.getOperands(),
      [](const APInt &a, const APInt &b) { return a * b; },
      [](const APFloat &a, const APFloat &b) { return a * b; });
}

OpFoldResult DivOp::fold(FoldAdaptor adaptor) {
  if (isSplatOf(adaptor.getRhs(), 1))
    return foldToInput(getLhs(), getOutput());
  // Integer division by zero is left for run time to report.
  auto divisor = dyn_cast_or_null<DenseIntElementsAttr>(adaptor.getRhs());
  if (divisor && llvm::any_of(divisor.getValues<APInt>(),
                              [](const APInt &v) { return v.isZero(); }))
    return {};
  bool isUnsigned =
      getElementTypeOrSelf(getOutput().getType()).isUnsignedInteger();
  return foldConstants(
      getOutput(), adaptor.getOperands(),
      [isUnsigned](const APInt &a, const APInt &b) {
        return isUnsigned ? a.udiv(b) : a.sdiv(b);
      },
      [](const APFloat &a, const APFloat &b) { return a / b; });
}

OpFoldResult NegOp::fold(FoldAdaptor adaptor) {
  auto input = dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput());
  if (!input || input.getType() != getOutput().getType())
    return {};
  if (auto ints = dyn_cast<DenseIntElementsAttr>(input))
    return ints.mapValues(ints.getElementType(),
                          [](const APInt &v) { return -v; });
  if (auto floats = dyn_cast<DenseFPElementsAttr>(input))
    return floats.mapValues(floats.getElementType(), [](const APFloat &v) {
      return (-v).bitcastToAPInt();
    });
  return {};
}

//===----------------------------------------------------------------------===//
// Shape queries
//===----------------------------------------------------------------------===//

OpFoldResult ShapeOfOp::fold(FoldAdaptor) {
  RankedTensorType input = getInput().getType();
  int64_t rank = input.getRank();
  auto clampIndex = [&](int64_t v) {
    return std::clamp<int64_t>(v < 0 ? v + rank : v, 0, rank);
  };
  int64_t start = clampIndex(getStart());
  int64_t end = getEnd() ? clampIndex(*getEnd()) : rank;
  SmallVector<int64_t> sizes;
  for (int64_t i = start; i < end; ++i) {
    if (input.isDynamicDim(i))
      return {};
    sizes.push_back(input.getDimSize(i));
  }
  auto type = cast<RankedTensorType>(getOutput().getType());
  if (!type.hasStaticShape() ||
      type.getNumElements() != static_cast<int64_t>(sizes.size()))
    return {};
  return DenseIntElementsAttr::get(type, sizes);
}

OpFoldResult SizeOp::fold(FoldAdaptor) {
  RankedTensorType input = getInput().getType();
  if (!input.hasStaticShape())
    return {};
  // A count that overflows i64 (malformed IR) is not folded.
  int64_t count = 1;
  for (int64_t size : input.getShape())
    if (llvm::MulOverflow(count, size, count))
      return {};
  return DenseIntElementsAttr::get(
      cast<RankedTensorType>(getOutput().getType()), ArrayRef<int64_t>{count});
}

//===----------------------------------------------------------------------===//
// Reshape family
//===----------------------------------------------------------------------===//

/// A reshape-like op of a small constant is the constant with the result's
/// shape.
static OpFoldResult foldConstantReshape(Attribute input, Value result) {
  if (DenseElementsAttr dense = smallConstant(input, result))
    return dense.reshape(cast<ShapedType>(result.getType()));
  return {};
}

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType().hasStaticShape())
    if (OpFoldResult same = foldToInput(getInput(), getOutput()))
      return same;
  return foldConstantReshape(adaptor.getInput(), getOutput());
}
OpFoldResult FlattenOp::fold(FoldAdaptor adaptor) {
  return foldConstantReshape(adaptor.getInput(), getOutput());
}
OpFoldResult SqueezeOp::fold(FoldAdaptor adaptor) {
  return foldConstantReshape(adaptor.getInput(), getOutput());
}
OpFoldResult UnsqueezeOp::fold(FoldAdaptor adaptor) {
  return foldConstantReshape(adaptor.getInput(), getOutput());
}

/// Gather along axis 0 of a small 1-D constant at constant indices: how
/// shape vectors are indexed.
OpFoldResult GatherOp::fold(FoldAdaptor adaptor) {
  DenseElementsAttr data = smallConstant(adaptor.getData(), getOutput());
  auto indices = dyn_cast_or_null<DenseIntElementsAttr>(adaptor.getIndices());
  if (!data || !indices || data.getType().getRank() != 1)
    return {};
  SmallVector<Attribute> all(data.getValues<Attribute>());
  int64_t n = all.size();
  SmallVector<Attribute> values;
  for (const APInt &index : indices.getValues<APInt>()) {
    int64_t i = index.getSExtValue();
    if (i < -n || i >= n)
      return {}; // Out of range: left for run time to report.
    values.push_back(all[i < 0 ? i + n : i]);
  }
  return DenseElementsAttr::get(cast<ShapedType>(getOutput().getType()),
                                values);
}

/// Slice of a small 1-D constant with constant bounds.
OpFoldResult SliceOp::fold(FoldAdaptor adaptor) {
  DenseElementsAttr data = smallConstant(adaptor.getInput(), getOutput());
  auto type = cast<RankedTensorType>(getOutput().getType());
  if (!data || data.getType().getRank() != 1 || type.getRank() != 1)
    return {};
  auto starts = dyn_cast_or_null<DenseIntElementsAttr>(adaptor.getStarts());
  auto steps = dyn_cast_or_null<DenseIntElementsAttr>(adaptor.getSteps());
  if (!starts || starts.getNumElements() != 1 || (getSteps() && !steps))
    return {};
  SmallVector<Attribute> all(data.getValues<Attribute>());
  int64_t n = all.size();
  int64_t start = (*starts.getValues<APInt>().begin()).getSExtValue();
  int64_t step = steps ? (*steps.getValues<APInt>().begin()).getSExtValue() : 1;
  if (start < 0)
    start += n;
  // The result length is the type's (the shape function computed it).
  SmallVector<Attribute> values;
  int64_t first = step > 0 ? std::clamp<int64_t>(start, 0, n)
                           : std::clamp<int64_t>(start, 0, n - 1);
  for (int64_t k = 0; k < type.getDimSize(0); ++k) {
    int64_t i = first + k * step;
    if (i < 0 || i >= n)
      return {};
    values.push_back(all[i]);
  }
  return DenseElementsAttr::get(type, values);
}

namespace {

/// reshape(reshape(x, s1), s2) -> reshape(x, s2) when s2 is a constant
/// without 0 entries (a 0 copies a size of the intermediate tensor, which
/// is gone after the rewrite).
struct ComposeReshapes final : OpRewritePattern<ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ReshapeOp op,
                                PatternRewriter &rewriter) const override {
    auto producer = op.getInput().getDefiningOp<ReshapeOp>();
    if (!producer)
      return rewriter.notifyMatchFailure(op, "input is not a reshape");
    std::optional<SmallVector<int64_t>> shape =
        ShapeBuilder::constantIntegers(op.getShape());
    if (!shape)
      return rewriter.notifyMatchFailure(op, "shape is not a constant");
    if (!op.getAllowzero() && llvm::is_contained(*shape, 0))
      return rewriter.notifyMatchFailure(op, "shape copies sizes (0 entries)");
    rewriter.replaceOpWithNewOp<ReshapeOp>(op, op.getOutput().getType(),
                                           producer.getInput(), op.getShape(),
                                           op.getAllowzero());
    return success();
  }
};

/// Rewrites an op of the reshape family whose result type is static into
/// nn.reshape with a constant shape, the one canonical form that the
/// reshape patterns compose.
template <typename OpT> struct ToStaticReshape final : OpRewritePattern<OpT> {
  using OpRewritePattern<OpT>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpT op,
                                PatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getOutput().getType());
    if (!type.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "result shape is not static");
    auto shapeType =
        RankedTensorType::get({type.getRank()}, rewriter.getIntegerType(64));
    Value shape = ConstantOp::create(
        rewriter, op.getLoc(),
        DenseIntElementsAttr::get(shapeType, type.getShape()));
    // allowzero: a 0 in a static result shape is a real 0.
    rewriter.replaceOpWithNewOp<ReshapeOp>(op, type, op.getInput(), shape,
                                           /*allowzero=*/true);
    return success();
  }
};

/// transpose(transpose(x, p1), p2) -> transpose(x, p1[p2]).
struct ComposeTransposes final : OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TransposeOp op,
                                PatternRewriter &rewriter) const override {
    auto producer = op.getInput().getDefiningOp<TransposeOp>();
    if (!producer)
      return rewriter.notifyMatchFailure(op, "input is not a transpose");
    int64_t rank = op.getInput().getType().getRank();
    auto permOf = [&](TransposeOp t) {
      if (std::optional<ArrayRef<int64_t>> p = t.getPerm())
        return SmallVector<int64_t>(p->begin(), p->end());
      return llvm::to_vector(llvm::reverse(llvm::seq<int64_t>(0, rank)));
    };
    SmallVector<int64_t> inner = permOf(producer), outer = permOf(op);
    SmallVector<int64_t> composed;
    for (int64_t p : outer)
      composed.push_back(inner[p]);
    rewriter.replaceOpWithNewOp<TransposeOp>(
        op, op.getOutput().getType(), producer.getInput(),
        rewriter.getDenseI64ArrayAttr(composed));
    return success();
  }
};

} // namespace

void ReshapeOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                            MLIRContext *context) {
  patterns.add<ComposeReshapes>(context);
}
void FlattenOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                            MLIRContext *context) {
  patterns.add<ToStaticReshape<FlattenOp>>(context);
}
void SqueezeOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                            MLIRContext *context) {
  patterns.add<ToStaticReshape<SqueezeOp>>(context);
}
void UnsqueezeOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                              MLIRContext *context) {
  patterns.add<ToStaticReshape<UnsqueezeOp>>(context);
}
void TransposeOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                              MLIRContext *context) {
  patterns.add<ComposeTransposes>(context);
}

OpFoldResult TransposeOp::fold(FoldAdaptor) {
  std::optional<ArrayRef<int64_t>> perm = getPerm();
  int64_t rank = getInput().getType().getRank();
  bool identity =
      perm ? llvm::equal(*perm, llvm::seq<int64_t>(0, rank)) : rank <= 1;
  return identity ? foldToInput(getInput(), getOutput()) : OpFoldResult();
}

//===----------------------------------------------------------------------===//
// Other data movement
//===----------------------------------------------------------------------===//

OpFoldResult ConcatOp::fold(FoldAdaptor adaptor) {
  if (getInputs().size() == 1)
    return foldToInput(getInputs().front(), getOutput());
  // 1-D constants (shape vectors) concatenate into one constant.
  auto type = cast<RankedTensorType>(getOutput().getType());
  if (type.getRank() != 1)
    return {};
  SmallVector<Attribute> values;
  for (Attribute operand : adaptor.getInputs()) {
    DenseElementsAttr dense = smallConstant(operand, getOutput());
    if (!dense)
      return {};
    llvm::append_range(values, dense.getValues<Attribute>());
  }
  if (static_cast<int64_t>(values.size()) != type.getNumElements())
    return {};
  return DenseElementsAttr::get(type, values);
}

OpFoldResult ExpandOp::fold(FoldAdaptor) {
  if (getInput().getType().hasStaticShape())
    return foldToInput(getInput(), getOutput());
  return {};
}

OpFoldResult TileOp::fold(FoldAdaptor) {
  std::optional<SmallVector<int64_t>> repeats =
      ShapeBuilder::constantIntegers(getRepeats());
  if (repeats && llvm::all_of(*repeats, [](int64_t r) { return r == 1; }))
    return foldToInput(getInput(), getOutput());
  return {};
}

} // namespace ddl::nn
