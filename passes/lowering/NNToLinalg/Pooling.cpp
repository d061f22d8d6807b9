//===- Pooling.cpp - nn pooling to linalg ---------------------------------===//
//
// Pooling pads its input with tensor.pad (-inf for max, 0 for sums), then
// runs linalg's NCHW/NCW max and sum pooling ops where one fits (1-D, 2-D;
// NHWC max pooling for a channels-last nn.max_pool)
// and an N-d linalg.generic otherwise; averages divide each window sum by
// its element count; global pooling is a reduction.
//
//===----------------------------------------------------------------------===//

#include "passes/lowering/NNToLinalg/Windows.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"

using namespace mlir;
using namespace ddl;
using namespace ddl::lowering;

/// A sliding-window reduction over the padded `x` ([N, C, spatial...]) into
/// `init` ([N, C, out...]): `body(b, loc, element, acc)` combines.
static Value buildPoolGeneric(
    OpBuilder &b, Location loc, Value x, Value init, const Window &w,
    llvm::function_ref<Value(OpBuilder &, Location, Value, Value)> body) {
  MLIRContext *ctx = b.getContext();
  unsigned n = w.rank();
  unsigned numLoops = 2 + 2 * n;
  auto dim = [&](unsigned d) { return getAffineDimExpr(d, ctx); };
  SmallVector<AffineExpr> xExprs = {dim(0), dim(1)}, kExprs,
                          outExprs = {dim(0), dim(1)};
  for (unsigned i = 0; i < n; ++i) {
    xExprs.push_back(dim(2 + i) * w.strides[i] +
                     dim(2 + n + i) * w.dilations[i]);
    kExprs.push_back(dim(2 + n + i));
    outExprs.push_back(dim(2 + i));
  }
  Value window = tensor::EmptyOp::create(
      b, loc, w.kernel, cast<RankedTensorType>(x.getType()).getElementType());
  SmallVector<AffineMap> maps = {AffineMap::get(numLoops, 0, xExprs, ctx),
                                 AffineMap::get(numLoops, 0, kExprs, ctx),
                                 AffineMap::get(numLoops, 0, outExprs, ctx)};
  SmallVector<utils::IteratorType> iterators(2 + n,
                                             utils::IteratorType::parallel);
  iterators.append(n, utils::IteratorType::reduction);
  return linalg::GenericOp::create(
             b, loc, init.getType(), ValueRange{x, window}, init, maps,
             iterators,
             [&](OpBuilder &nb, Location l, ValueRange args) {
               linalg::YieldOp::create(nb, l, body(nb, l, args[0], args[2]));
             })
      .getResult(0);
}

namespace {

/// The window of a pooling op, from its attributes and result sizes (N
/// spatial... C ones with `channelsLast`).
template <typename PoolOp>
static FailureOr<std::pair<Window, SmallVector<OpFoldResult>>>
poolWindow(PatternRewriter &rewriter, PoolOp op, Value x,
           bool channelsLast = false) {
  FailureOr<SmallVector<OpFoldResult>> outSizes =
      reifyResultSizes(rewriter, op);
  if (failed(outSizes))
    return failure();
  Location loc = op.getLoc();
  SmallVector<OpFoldResult> xSizes = tensorSizes(rewriter, loc, x);
  auto spatial = [&](ArrayRef<OpFoldResult> sizes) {
    return channelsLast
               ? SmallVector<OpFoldResult>(sizes.drop_front().drop_back())
               : lowering::spatial(sizes);
  };
  SmallVector<OpFoldResult> kernel;
  for (int64_t k : op.getKernelShape())
    kernel.push_back(rewriter.getIndexAttr(k));
  Window w =
      computeWindow(rewriter, loc, spatial(xSizes), spatial(*outSizes), kernel,
                    op.getStrides(), op.getPads(), op.getDilations(),
                    op.getAutoPad(), op.getCeilMode());
  return std::make_pair(w, *outSizes);
}

/// Max pooling: pad with -inf, then linalg.pooling_{ncw,nchw,nhwc}_max or
/// an N-d generic (NaN propagates, as arith.maximumf does).
struct MaxPoolLowering final : OpRewritePattern<nn::MaxPoolOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(nn::MaxPoolOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = toLowered(rewriter, loc, op.getInput());
    Type element = cast<RankedTensorType>(x.getType()).getElementType();
    bool channelsLast = op.getChannelsLast();
    auto window = poolWindow(rewriter, op, x, channelsLast);
    if (failed(window))
      return failure();
    auto &[w, outSizes] = *window;
    if (channelsLast && w.rank() != 2)
      return rewriter.notifyMatchFailure(op, "channels-last pooling is 2-D");
    Value lowest = lowestValue(rewriter, loc, element, false);
    x = padInput(rewriter, loc, x, w, lowest, channelsLast);
    Value init =
        fill(rewriter, loc, emptyTensor(rewriter, loc, op.getType(), outSizes),
             lowest);
    Value result;
    Value kernel = tensor::EmptyOp::create(rewriter, loc, w.kernel, element);
    SmallVector<NamedAttribute> attrs = {
        windowAttr(rewriter, "strides", w.strides),
        windowAttr(rewriter, "dilations", w.dilations)};
    if (channelsLast)
      result =
          linalg::PoolingNhwcMaxOp::create(rewriter, loc, init.getType(),
                                           ValueRange{x, kernel}, init, attrs)
              .getResult(0);
    else if (w.rank() == 2)
      result =
          linalg::PoolingNchwMaxOp::create(rewriter, loc, init.getType(),
                                           ValueRange{x, kernel}, init, attrs)
              .getResult(0);
    else if (w.rank() == 1)
      result =
          linalg::PoolingNcwMaxOp::create(rewriter, loc, init.getType(),
                                          ValueRange{x, kernel}, init, attrs)
              .getResult(0);
    else
      result =
          buildPoolGeneric(rewriter, loc, x, init, w,
                           [](OpBuilder &b, Location l, Value v, Value acc) {
                             return scalarMax(b, l, acc, v, false);
                           });
    replaceWithLowered(rewriter, op, result);
    return success();
  }
};

/// Divides each window sum by its element count: the window positions
/// inside the input (or, with count_include_pad, inside input + pads; a
/// ceil_mode window's part beyond the end padding never counts). `root`
/// optionally post-processes instead (Lp pooling).
static Value
finishPool(OpBuilder &b, Location loc, Value sums, Value init, const Window &w,
           bool divide, bool includePad,
           llvm::function_ref<Value(OpBuilder &, Location, Value)> finish) {
  unsigned n = w.rank();
  IndexMath m{b, loc};
  // Valid padded-coordinate range per axis: [lo, hi).
  SmallVector<Value> lo, hi;
  bool constantCount = true;
  int64_t kernelCount = 1;
  for (unsigned i = 0; i < n; ++i) {
    OpFoldResult l = includePad ? m.c(0) : w.padBegin[i];
    OpFoldResult h = includePad
                         ? m.add(m.add(w.padBegin[i], w.in[i]), w.padEnd[i])
                         : m.add(w.padBegin[i], w.in[i]);
    // Every window lies in [l, h) when l is 0 and no high padding beyond h.
    OpFoldResult padded = m.add(m.add(w.padBegin[i], w.in[i]), w.padHigh[i]);
    if (getConstantIntValue(l) != 0 ||
        getConstantIntValue(m.sub(padded, h)) != 0)
      constantCount = false;
    kernelCount *= *getConstantIntValue(w.kernel[i]);
    lo.push_back(m.v(l));
    hi.push_back(m.v(h));
  }
  auto type = cast<RankedTensorType>(init.getType());
  unsigned rank = type.getRank();
  Type element = type.getElementType();
  SmallVector<AffineMap> maps(2, b.getMultiDimIdentityMap(rank));
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, init.getType(), sums, init, maps, iterators,
             [&](OpBuilder &nb, Location l, ValueRange args) {
               Value v = args[0];
               Type acc = v.getType();
               if (divide) {
                 Value count;
                 if (constantCount) {
                   count = scalarConstant(nb, l, acc, double(kernelCount));
                 } else {
                   IndexMath im{nb, l};
                   OpFoldResult total = im.c(1);
                   for (unsigned i = 0; i < n; ++i) {
                     Value o = linalg::IndexOp::create(nb, l, 2 + i);
                     int64_t s = w.strides[i], d = w.dilations[i];
                     int64_t k = *getConstantIntValue(w.kernel[i]);
                     OpFoldResult start = im.mul(o, im.c(s));
                     OpFoldResult kMin =
                         im.max(im.c(0), im.ceilDiv(im.sub(lo[i], start), d));
                     OpFoldResult kMax = im.min(
                         im.c(k - 1),
                         im.floorDiv(im.sub(im.sub(hi[i], im.c(1)), start), d));
                     OpFoldResult c =
                         im.max(im.c(0), im.add(im.sub(kMax, kMin), im.c(1)));
                     total = im.mul(total, c);
                   }
                   Value i64 = arith::IndexCastOp::create(
                       nb, l, nb.getI64Type(), im.v(total));
                   count = arith::SIToFPOp::create(nb, l, acc, i64);
                 }
                 v = arith::DivFOp::create(nb, l, v, count);
               }
               if (finish)
                 v = finish(nb, l, v);
               linalg::YieldOp::create(
                   nb, l, convertScalar(nb, l, v, element, false, false));
             })
      .getResult(0);
}

/// Average pooling: zero padding, a sum pool (linalg.pooling_{ncw,nchw}_sum
/// or an N-d generic, f32 for half floats), then a division by each
/// window's count (see finishPool).
struct AvgPoolLowering final : OpRewritePattern<nn::AvgPoolOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(nn::AvgPoolOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = toLowered(rewriter, loc, op.getInput());
    Type element = cast<RankedTensorType>(x.getType()).getElementType();
    Type acc = accumulatorType(element);
    auto window = poolWindow(rewriter, op, x);
    if (failed(window))
      return failure();
    auto &[w, outSizes] = *window;
    x = padInput(rewriter, loc, x, w,
                 scalarConstant(rewriter, loc, element, 0));
    Value sumInit = zeros(rewriter, loc, outSizes, acc);
    Value kernel = tensor::EmptyOp::create(rewriter, loc, w.kernel, element);
    SmallVector<NamedAttribute> attrs = {
        windowAttr(rewriter, "strides", w.strides),
        windowAttr(rewriter, "dilations", w.dilations)};
    Value sums;
    if (w.rank() == 2)
      sums = linalg::PoolingNchwSumOp::create(rewriter, loc, sumInit.getType(),
                                              ValueRange{x, kernel}, sumInit,
                                              attrs)
                 .getResult(0);
    else if (w.rank() == 1)
      sums =
          linalg::PoolingNcwSumOp::create(rewriter, loc, sumInit.getType(),
                                          ValueRange{x, kernel}, sumInit, attrs)
              .getResult(0);
    else
      sums =
          buildPoolGeneric(rewriter, loc, x, sumInit, w,
                           [&](OpBuilder &b, Location l, Value v, Value a) {
                             return addScalars(b, l, a, extendTo(b, l, v, acc));
                           });
    Value init = emptyTensor(rewriter, loc, op.getType(), outSizes);
    Value result = finishPool(rewriter, loc, sums, init, w, /*divide=*/true,
                              op.getCountIncludePad(), nullptr);
    replaceWithLowered(rewriter, op, result);
    return success();
  }
};

/// Lp pooling: (sum over the window of |x|^p)^(1/p), zero padding; p = 1
/// and 2 avoid powf.
struct LpPoolLowering final : OpRewritePattern<nn::LpPoolOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(nn::LpPoolOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = toLowered(rewriter, loc, op.getInput());
    Type element = cast<RankedTensorType>(x.getType()).getElementType();
    Type acc = accumulatorType(element);
    int64_t p = op.getP();
    if (p < 1)
      return rewriter.notifyMatchFailure(op, "p must be >= 1");
    auto window = poolWindow(rewriter, op, x);
    if (failed(window))
      return failure();
    auto &[w, outSizes] = *window;
    x = padInput(rewriter, loc, x, w,
                 scalarConstant(rewriter, loc, element, 0));
    Value sumInit = zeros(rewriter, loc, outSizes, acc);
    Value sums = buildPoolGeneric(
        rewriter, loc, x, sumInit, w,
        [&](OpBuilder &b, Location l, Value v, Value a) {
          Value e = math::AbsFOp::create(b, l, extendTo(b, l, v, acc));
          if (p == 2)
            e = arith::MulFOp::create(b, l, e, e);
          else if (p != 1)
            e = math::PowFOp::create(b, l, e, scalarConstant(b, l, acc, p));
          return addScalars(b, l, a, e);
        });
    Value init = emptyTensor(rewriter, loc, op.getType(), outSizes);
    Value result = finishPool(
        rewriter, loc, sums, init, w, /*divide=*/false, false,
        [&](OpBuilder &b, Location l, Value s) -> Value {
          if (p == 1)
            return s;
          if (p == 2)
            return math::SqrtOp::create(b, l, s);
          return math::PowFOp::create(
              b, l, s, scalarConstant(b, l, s.getType(), 1.0 / double(p)));
        });
    replaceWithLowered(rewriter, op, result);
    return success();
  }
};

/// Global pooling: a linalg.generic reducing the spatial dims into [N, C]
/// (max, or sum in f32 for half floats then divided by the spatial element
/// count), expanded back to [N, C, 1, ...].
template <typename PoolOp, bool IsMax>
struct GlobalPoolLowering final : OpRewritePattern<PoolOp> {
  using OpRewritePattern<PoolOp>::OpRewritePattern;

  LogicalResult matchAndRewrite(PoolOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value x = toLowered(rewriter, loc, op.getInput());
    auto xType = cast<RankedTensorType>(x.getType());
    unsigned rank = xType.getRank();
    Type element = xType.getElementType();
    Type acc = IsMax ? element : accumulatorType(element);
    SmallVector<OpFoldResult> sizes = tensorSizes(rewriter, loc, x);
    Value init = tensor::EmptyOp::create(
        rewriter, loc, ArrayRef<OpFoldResult>(sizes).take_front(2), acc);
    init = fill(rewriter, loc, init,
                IsMax ? lowestValue(rewriter, loc, acc, false)
                      : scalarConstant(rewriter, loc, acc, 0));
    SmallVector<AffineMap> maps = {
        rewriter.getMultiDimIdentityMap(rank),
        AffineMap::get(rank, 0,
                       {getAffineDimExpr(0, ctx), getAffineDimExpr(1, ctx)},
                       ctx)};
    SmallVector<utils::IteratorType> iterators(2,
                                               utils::IteratorType::parallel);
    iterators.append(rank - 2, utils::IteratorType::reduction);
    Value reduced =
        linalg::GenericOp::create(
            rewriter, loc, init.getType(), x, init, maps, iterators,
            [&](OpBuilder &b, Location l, ValueRange args) {
              Value v = extendTo(b, l, args[0], acc);
              linalg::YieldOp::create(b, l,
                                      IsMax ? scalarMax(b, l, args[1], v, false)
                                            : addScalars(b, l, args[1], v));
            })
            .getResult(0);
    if (!IsMax) {
      IndexMath m{rewriter, loc};
      OpFoldResult count = m.c(1);
      for (unsigned d = 2; d < rank; ++d)
        count = m.mul(count, sizes[d]);
      Value countI64 = arith::IndexCastOp::create(
          rewriter, loc, rewriter.getI64Type(), m.v(count));
      Value countF = arith::SIToFPOp::create(rewriter, loc, acc, countI64);
      Value out = tensor::EmptyOp::create(
          rewriter, loc, ArrayRef<OpFoldResult>(sizes).take_front(2), element);
      SmallVector<AffineMap> idMaps(2, rewriter.getMultiDimIdentityMap(2));
      reduced = linalg::GenericOp::create(
                    rewriter, loc, out.getType(), reduced, out, idMaps,
                    SmallVector<utils::IteratorType>(
                        2, utils::IteratorType::parallel),
                    [&](OpBuilder &b, Location l, ValueRange args) {
                      Value q = arith::DivFOp::create(b, l, args[0], countF);
                      linalg::YieldOp::create(
                          b, l, convertScalar(b, l, q, element, false, false));
                    })
                    .getResult(0);
    }
    auto reducedType = cast<RankedTensorType>(reduced.getType());
    SmallVector<int64_t> shape = {reducedType.getDimSize(0),
                                  reducedType.getDimSize(1)};
    SmallVector<OpFoldResult> outSizes(sizes.begin(), sizes.begin() + 2);
    ReassociationIndices last = {1};
    for (unsigned d = 2; d < rank; ++d) {
      shape.push_back(1);
      outSizes.push_back(rewriter.getIndexAttr(1));
      last.push_back(d);
    }
    Value result = tensor::ExpandShapeOp::create(
        rewriter, loc, RankedTensorType::get(shape, element), reduced,
        ArrayRef<ReassociationIndices>{{0}, last}, outSizes);
    replaceWithLowered(rewriter, op, result);
    return success();
  }
};

} // namespace

void ddl::lowering::populatePoolingPatterns(RewritePatternSet &patterns) {
  patterns.add<MaxPoolLowering, AvgPoolLowering, LpPoolLowering,
               GlobalPoolLowering<nn::GlobalAvgPoolOp, false>,
               GlobalPoolLowering<nn::GlobalMaxPoolOp, true>>(
      patterns.getContext());
}
