//===- ChannelsLast.cpp - convolutions and their neighbours in NHWC -------===//
//
// See NNChannelsLastPass in Passes.td.
//
// Two steps. Each 2-D convolution that has a channels-last kernel becomes
// transpose(NCHW->NHWC) -> conv{channels_last} -> transpose(NHWC->NCHW),
// and a 2-D max pooling of such a transpose a channels-last one.
// Then transposes sink through elementwise ops (an op whose tensor operands
// are all transposes by one permutation, or single elements, computes on
// the untransposed values instead; nn.cast included) and into reductions
// whose kept dimensions keep their order (reducing NCHW's H and W reduces
// NHWC's), and nn.transpose's canonicalization
// composes the pairs that meet into identities, which fold away. What is
// left are transposes at the edges of the channels-last region: the model's
// input and output, and ops without a channels-last form (average pooling,
// reshapes).
//
//===----------------------------------------------------------------------===//

#include "passes/graph/Passes.h"

#include "dialects/nn/NNDialect.h"
#include "dialects/nn/NNOps.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/SmallBitVector.h"

namespace ddl::graph {
#define GEN_PASS_DEF_NNCHANNELSLASTPASS
#include "passes/graph/Passes.h.inc"
} // namespace ddl::graph

using namespace mlir;
using namespace ddl;

static constexpr int64_t kToChannelsLast[] = {0, 2, 3, 1};
static constexpr int64_t kToChannelsFirst[] = {0, 3, 1, 2};

/// Convolutions the CPU back end has channels-last kernels for (see
/// channelsLastGemmConv and channelsLastDepthwiseConv in
/// NNToLinalg/Convolution.cpp): 2-D, f32,
/// static channels and spatial sizes, static filters (constants, rearranged
/// at compile time, or inputs, such as a module's parameters that are not
/// frozen, rearranged by a transpose per run), and group 1 or depthwise.
/// Others stay channels-first: a channels-last form would only add
/// transposes around them.
static bool hasChannelsLastKernel(nn::ConvOp op) {
  auto x = cast<RankedTensorType>(op.getInput().getType());
  auto w = cast<RankedTensorType>(op.getWeight().getType());
  if (op.getChannelsLast() || x.getRank() != 4 || !x.getElementType().isF32() ||
      !w.getElementType().isF32() || !w.hasStaticShape() || x.isDynamicDim(1) ||
      x.isDynamicDim(2) || x.isDynamicDim(3))
    return false;
  int64_t group = op.getGroup();
  bool depthwise = w.getDimSize(1) == 1 && w.getDimSize(0) == group &&
                   x.getDimSize(1) == group;
  return group == 1 || depthwise;
}

static Value transpose(OpBuilder &b, Location loc, Value v,
                       ArrayRef<int64_t> perm) {
  return nn::TransposeOp::create(b, loc, v, b.getDenseI64ArrayAttr(perm));
}

/// The permutation of a transpose, spelled out (no attribute means reverse).
static SmallVector<int64_t> permutationOf(nn::TransposeOp op) {
  if (std::optional<ArrayRef<int64_t>> perm = op.getPerm())
    return SmallVector<int64_t>(*perm);
  int64_t rank = op.getInput().getType().getRank();
  return llvm::to_vector(llvm::reverse(llvm::seq<int64_t>(0, rank)));
}

/// True when a tensor holds one element: broadcasting it is the same in
/// every layout.
static bool isSingleElement(Value v) {
  auto type = dyn_cast<RankedTensorType>(v.getType());
  return type && type.hasStaticShape() && type.getNumElements() == 1;
}

/// Elementwise ops that transposes sink through: every tensor operand is
/// broadcast against the result the same way, element by element.
static bool isElementwise(Operation *op) {
  if (op->hasTrait<nn::ElementwiseUnary>())
    return true;
  return isa<nn::ClipOp, nn::AddOp, nn::SubOp, nn::MulOp, nn::DivOp, nn::MinOp,
             nn::MaxOp, nn::PowOp, nn::WhereOp, nn::CastOp>(op);
}

namespace {

/// nn.conv (2-D, with a channels-last kernel) -> transposes around a
/// channels-last nn.conv.
struct ConvToChannelsLast final : OpRewritePattern<nn::ConvOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::ConvOp op,
                                PatternRewriter &rewriter) const override {
    if (!hasChannelsLastKernel(op))
      return rewriter.notifyMatchFailure(op, "no channels-last kernel");
    Location loc = op.getLoc();
    Value x = transpose(rewriter, loc, op.getInput(), kToChannelsLast);
    SmallVector<Value> operands = {x, op.getWeight()};
    if (Value bias = op.getBias())
      operands.push_back(bias);
    SmallVector<NamedAttribute> attrs(op->getAttrs());
    attrs.push_back(
        rewriter.getNamedAttr("channels_last", rewriter.getUnitAttr()));
    auto conv = nn::ConvOp::create(rewriter, loc, operands, attrs);
    rewriter.replaceOp(
        op, transpose(rewriter, loc, conv.getOutput(), kToChannelsFirst));
    return success();
  }
};

/// nn.max_pool (2-D, f32) of a transpose out of a channels-last region ->
/// a channels-last max pool of the untransposed value, transposed after
/// (which then sinks on or cancels against the next convolution's).
struct MaxPoolToChannelsLast final : OpRewritePattern<nn::MaxPoolOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::MaxPoolOp op,
                                PatternRewriter &rewriter) const override {
    auto t = op.getInput().getDefiningOp<nn::TransposeOp>();
    auto type = cast<RankedTensorType>(op.getInput().getType());
    if (op.getChannelsLast() || !t || type.getRank() != 4 ||
        !type.getElementType().isF32() ||
        !llvm::equal(permutationOf(t), kToChannelsFirst))
      return rewriter.notifyMatchFailure(op, "not a 2-D f32 pool of NHWC");
    SmallVector<NamedAttribute> attrs(op->getAttrs());
    attrs.push_back(
        rewriter.getNamedAttr("channels_last", rewriter.getUnitAttr()));
    auto pool = nn::MaxPoolOp::create(rewriter, op.getLoc(),
                                      ValueRange{t.getInput()}, attrs);
    rewriter.replaceOp(op, transpose(rewriter, op.getLoc(), pool.getOutput(),
                                     kToChannelsFirst));
    return success();
  }
};

/// f(transpose_P(a), transpose_P(b), scalar...) -> transpose_P(f(a, b,
/// scalar...)) for elementwise f, where P is
/// channels-last to channels-first. The transposes' other users keep them.
struct SinkTransposeThroughElementwise final : RewritePattern {
  SinkTransposeThroughElementwise(MLIRContext *context)
      : RewritePattern(MatchAnyOpTypeTag(), /*benefit=*/1, context) {}

  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    if (op->getNumResults() != 1 || !isElementwise(op) ||
        op->getNumRegions() != 0)
      return failure();
    auto resultType = dyn_cast<RankedTensorType>(op->getResult(0).getType());
    if (!resultType)
      return failure();
    std::optional<SmallVector<int64_t>> perm;
    SmallVector<Value> operands;
    for (Value operand : op->getOperands()) {
      if (auto t = operand.getDefiningOp<nn::TransposeOp>();
          t && t.getInput().getType().getRank() == resultType.getRank()) {
        // Only the transposes out of channels-last convolutions: other
        // layouts (attention heads, say) are the lowering's business.
        SmallVector<int64_t> p = permutationOf(t);
        if (!llvm::equal(p, kToChannelsFirst))
          return failure();
        perm = p;
        operands.push_back(t.getInput());
      } else if (isSingleElement(operand)) {
        operands.push_back(operand);
      } else {
        return failure();
      }
    }
    if (!perm)
      return failure();
    // nn.cast keeps its operand's shape (a quantized model's requantized
    // values, cast to 8 bits between two integer convolutions).
    if (isa<nn::CastOp>(op)) {
      auto input = cast<RankedTensorType>(operands.front().getType());
      if (!input.hasStaticShape())
        return failure();
      Operation *moved = rewriter.clone(*op);
      moved->setOperands(operands);
      moved->getResult(0).setType(
          RankedTensorType::get(input.getShape(), resultType.getElementType()));
      rewriter.replaceOp(
          op, transpose(rewriter, op->getLoc(), moved->getResult(0), *perm));
      return success();
    }
    auto inferring = dyn_cast<InferTypeOpInterface>(op);
    if (!inferring)
      return failure();
    Operation *moved = rewriter.clone(*op);
    moved->setOperands(operands);
    SmallVector<Type> types;
    if (failed(inferring.inferReturnTypes(
            op->getContext(), op->getLoc(), moved->getOperands(),
            moved->getAttrDictionary(), moved->getPropertiesStorage(),
            moved->getRegions(), types))) {
      rewriter.eraseOp(moved);
      return failure();
    }
    moved->getResult(0).setType(types.front());
    rewriter.replaceOp(
        op, transpose(rewriter, op->getLoc(), moved->getResult(0), *perm));
    return success();
  }
};

/// reduce(transpose(x, P), axes A) with keepdims false -> reduce(x, P[A])
/// when the kept dimensions keep their order under P (reducing NCHW's H
/// and W is reducing NHWC's H and W: [N, C] either way): a reduction of a
/// channels-last region's values reads them where they are.
struct SinkTransposeIntoReduce final : OpRewritePattern<nn::ReduceOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::ReduceOp op,
                                PatternRewriter &rewriter) const override {
    auto t = op.getInput().getDefiningOp<nn::TransposeOp>();
    std::optional<ArrayRef<int64_t>> axes = op.getAxes();
    if (!t || op.getKeepdims() || !axes || axes->empty())
      return failure();
    SmallVector<int64_t> perm = permutationOf(t);
    if (!llvm::equal(perm, kToChannelsFirst))
      return failure();
    int64_t rank = perm.size();
    llvm::SmallBitVector reduced(rank);
    for (int64_t a : *axes) {
      if (a < 0)
        a += rank;
      if (a < 0 || a >= rank)
        return failure();
      reduced.set(a);
    }
    SmallVector<int64_t> mapped, kept;
    for (int64_t d = 0; d < rank; ++d)
      (reduced.test(d) ? mapped : kept).push_back(perm[d]);
    if (!llvm::is_sorted(kept))
      return failure();
    llvm::sort(mapped);
    rewriter.replaceOpWithNewOp<nn::ReduceOp>(
        op, op.getType(), t.getInput(), op.getKindAttr(),
        rewriter.getDenseI64ArrayAttr(mapped), op.getKeepdimsAttr(),
        op.getNoopWithEmptyAxesAttr());
    return success();
  }
};

struct NNChannelsLastPass final
    : ddl::graph::impl::NNChannelsLastPassBase<NNChannelsLastPass> {
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    RewritePatternSet patterns(context);
    patterns.add<ConvToChannelsLast, MaxPoolToChannelsLast,
                 SinkTransposeThroughElementwise, SinkTransposeIntoReduce>(
        context);
    nn::TransposeOp::getCanonicalizationPatterns(patterns, context);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
