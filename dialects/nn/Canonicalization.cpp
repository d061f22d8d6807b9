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

OpFoldResult CastOp::fold(FoldAdaptor) {
  return foldToInput(getInput(), getOutput());
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
  if (isa<IntegerType>(element))
    return splat.getSplatValue<APInt>().getSExtValue() == value;
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
  return foldConstants(
      getOutput(), adaptor.getOperands(),
      [](const APInt &a, const APInt &b) { return a.sdiv(b); },
      [](const APFloat &a, const APFloat &b) { return a / b; });
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
  return DenseIntElementsAttr::get(
      cast<RankedTensorType>(getOutput().getType()),
      ArrayRef<int64_t>{input.getNumElements()});
}

//===----------------------------------------------------------------------===//
// Reshape family
//===----------------------------------------------------------------------===//

OpFoldResult ReshapeOp::fold(FoldAdaptor) {
  if (getInput().getType().hasStaticShape())
    return foldToInput(getInput(), getOutput());
  return {};
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

OpFoldResult ConcatOp::fold(FoldAdaptor) {
  if (getInputs().size() == 1)
    return foldToInput(getInputs().front(), getOutput());
  return {};
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
