//===- Convolution.cpp - nn convolutions to linalg ------------------------===//
//
// 2-D f32 convolutions with static filters run channels-last on the fast
// kernels: group 1 as one GEMM (an im2col copy, or the input itself for
// unpadded 1x1 stride-1 ones) on the contraction kernels, depthwise as
// linalg.depthwise_conv_2d_nhwc_hwc (ddl-depthwise-to-vector); constant
// filters are rearranged at compile time, run-time ones (inputs) by a
// transpose. In the GPU pipeline (half-gemm-convolutions) group-1 bf16 /
// f16 ones are GEMMs too, accumulating in f32. A channels-first op reaches them
// between two transposes (nn-channels-last removes those between
// convolutions). Everything else pads its input with tensor.pad and runs
// linalg's NCHW convolution ops where one fits (2-D grouped, 1-D/3-D
// ungrouped) and an N-d linalg.generic otherwise; half-precision floats
// accumulate in f32. Transposed convolutions are gathers.
//
//===----------------------------------------------------------------------===//

#include "passes/lowering/NNToLinalg/Windows.h"

#include "lib/Support/ConstantData.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Utils/IndexingUtils.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"

using namespace mlir;
using namespace ddl;
using namespace ddl::lowering;

/// Splits dimension `dim` of `tensor` into [outer, size / outer].
static Value splitDim(OpBuilder &b, Location loc, Value tensor, unsigned dim,
                      int64_t outer) {
  auto type = cast<RankedTensorType>(tensor.getType());
  IndexMath m{b, loc};
  SmallVector<OpFoldResult> sizes = tensorSizes(b, loc, tensor);
  SmallVector<OpFoldResult> outSizes;
  SmallVector<int64_t> shape;
  SmallVector<ReassociationIndices> groups;
  for (unsigned d = 0; d < type.getRank(); ++d) {
    if (d != dim) {
      groups.push_back({int64_t(outSizes.size())});
      outSizes.push_back(sizes[d]);
      shape.push_back(type.getDimSize(d));
      continue;
    }
    groups.push_back({int64_t(outSizes.size()), int64_t(outSizes.size() + 1)});
    outSizes.push_back(m.c(outer));
    shape.push_back(outer);
    OpFoldResult inner;
    if (auto size = IndexMath::cst(sizes[d]))
      inner = m.c(*size / outer);
    else
      inner = arith::DivUIOp::create(b, loc, m.v(sizes[d]), m.v(m.c(outer)))
                  .getResult();
    outSizes.push_back(inner);
    shape.push_back(getConstantIntValue(inner).value_or(ShapedType::kDynamic));
  }
  auto outType = RankedTensorType::get(shape, type.getElementType());
  return tensor::ExpandShapeOp::create(b, loc, outType, tensor, groups,
                                       outSizes);
}

/// Merges dimensions `dim` and `dim + 1` of `tensor`.
static Value mergeDims(OpBuilder &b, Location loc, Value tensor, unsigned dim) {
  auto type = cast<RankedTensorType>(tensor.getType());
  SmallVector<ReassociationIndices> groups;
  for (int64_t d = 0; d < type.getRank(); ++d) {
    if (d == int64_t(dim) + 1)
      continue;
    if (d == int64_t(dim))
      groups.push_back({d, d + 1});
    else
      groups.push_back({d});
  }
  return tensor::CollapseShapeOp::create(b, loc, tensor, groups);
}

/// A tensor of `sizes` and `element` holding `bias` ([M]) along dim 1, or
/// zeros without a bias.
static Value biasInit(OpBuilder &b, Location loc, Value bias,
                      ArrayRef<OpFoldResult> sizes, Type element) {
  if (!bias)
    return zeros(b, loc, sizes, element);
  Value lowered = toLowered(b, loc, bias);
  Value empty = tensor::EmptyOp::create(b, loc, sizes, element);
  unsigned rank = sizes.size();
  if (cast<RankedTensorType>(lowered.getType()).getElementType() == element) {
    SmallVector<int64_t> dims = {0};
    for (unsigned d = 2; d < rank; ++d)
      dims.push_back(d);
    return linalg::BroadcastOp::create(b, loc, lowered, empty, dims)
        .getResult()[0];
  }
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineMap> maps = {
      AffineMap::get(rank, 0, getAffineDimExpr(1, ctx)),
      b.getMultiDimIdentityMap(rank)};
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, empty.getType(), lowered, empty, maps, iterators,
             [&](OpBuilder &nb, Location l, ValueRange args) {
               linalg::YieldOp::create(nb, l,
                                       extendTo(nb, l, args[0], element));
             })
      .getResult(0);
}

/// `init` filled with `source` read through `map` (one per element of
/// `init`, all loops parallel): im2col copies.
static Value copyThrough(OpBuilder &b, Location loc, Value source, Value init,
                         AffineMap map) {
  unsigned rank = cast<RankedTensorType>(init.getType()).getRank();
  SmallVector<utils::IteratorType> parallel(rank,
                                            utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, init.getType(), source, init,
             ArrayRef<AffineMap>{map, b.getMultiDimIdentityMap(rank)}, parallel,
             [](OpBuilder &nb, Location l, ValueRange args) {
               linalg::YieldOp::create(nb, l, args[0]);
             })
      .getResult(0);
}

/// `v` with its dimensions permuted (result dim i is dim perm[i]), as a
/// linalg.generic so that elementwise fusion can merge it with neighbours.
static Value permuted(OpBuilder &b, Location loc, Value v,
                      ArrayRef<int64_t> perm) {
  auto type = cast<RankedTensorType>(v.getType());
  SmallVector<OpFoldResult> sizes = tensorSizes(b, loc, v), outSizes;
  SmallVector<AffineExpr> inExprs(perm.size());
  for (auto [i, p] : llvm::enumerate(perm)) {
    outSizes.push_back(sizes[p]);
    inExprs[p] = getAffineDimExpr(i, b.getContext());
  }
  Value init = tensor::EmptyOp::create(b, loc, outSizes, type.getElementType());
  return copyThrough(b, loc, v, init,
                     AffineMap::get(perm.size(), 0, inExprs, b.getContext()));
}

/// Permutations between N C spatial... and N spatial... C of `rank` dims.
static SmallVector<int64_t> toChannelsLast(unsigned rank) {
  SmallVector<int64_t> perm = {0};
  for (unsigned d = 2; d < rank; ++d)
    perm.push_back(d);
  perm.push_back(1);
  return perm;
}
static SmallVector<int64_t> toChannelsFirst(unsigned rank) {
  SmallVector<int64_t> perm = {0, rank - 1};
  for (unsigned d = 1; d + 1 < rank; ++d)
    perm.push_back(d);
  return perm;
}

/// The f32 constant `weight` with its dimensions permuted (result dim i is
/// dim perm[i]) at compile time and reshaped to `type`, as a new constant;
/// null when the weight is computed at run time or its data is not
/// available.
static Value permutedConstant(OpBuilder &b, Location loc, Value weight,
                              ArrayRef<int64_t> perm, RankedTensorType type) {
  auto constant = weight.getDefiningOp<nn::ConstantOp>();
  auto wType = cast<RankedTensorType>(weight.getType());
  if (!constant || !wType.hasStaticShape() ||
      wType.getRank() != int64_t(perm.size()) ||
      wType.getNumElements() != type.getNumElements())
    return {};
  std::vector<float> source;
  if (failed(readF32Elements(cast<ElementsAttr>(constant.getValue()),
                             wType.getNumElements(), source)))
    return {};
  ArrayRef<int64_t> shape = wType.getShape();
  SmallVector<int64_t> strides = computeStrides(shape);
  SmallVector<int64_t> outShape = applyPermutation(shape, perm);
  // Walk the result in order with an odometer over its index, reading the
  // source through the permuted strides.
  SmallVector<int64_t> readStrides = applyPermutation(ArrayRef(strides), perm);
  SmallVector<int64_t> index(outShape.size(), 0);
  std::vector<float> result(source.size());
  int64_t from = 0;
  for (float &out : result) {
    out = source[from];
    for (int64_t d = outShape.size() - 1; d >= 0; --d) {
      from += readStrides[d];
      if (++index[d] < outShape[d])
        break;
      from -= readStrides[d] * outShape[d];
      index[d] = 0;
    }
  }
  return arith::ConstantOp::create(
      b, loc, cast<TypedAttr>(f32Resource(type, "ddl_filter", result)));
}

/// The f32 filter `weight` with its dimensions permuted (result dim i is
/// dim perm[i]) and reshaped to `type`: at compile time when it is a
/// constant, else a transpose at run time (a filter passed as an input, as
/// a module's parameters are when they are not frozen). Null when the
/// shapes do not match or a constant's data is not available.
static Value permutedFilter(OpBuilder &b, Location loc, Value weight,
                            ArrayRef<int64_t> perm, RankedTensorType type) {
  // f32 constants are permuted at compile time; others (a bf16 model's
  // filters) by a transpose the constant folding may take.
  if (weight.getDefiningOp<nn::ConstantOp>() && type.getElementType().isF32())
    return permutedConstant(b, loc, weight, perm, type);
  auto wType = cast<RankedTensorType>(weight.getType());
  if (!wType.hasStaticShape() || !type.hasStaticShape() ||
      wType.getRank() != int64_t(perm.size()) ||
      wType.getNumElements() != type.getNumElements())
    return {};
  SmallVector<int64_t> shape = applyPermutation(wType.getShape(), perm);
  Value w = toLowered(b, loc, weight);
  Value init = tensor::EmptyOp::create(b, loc, shape, wType.getElementType());
  Value transposed =
      linalg::TransposeOp::create(b, loc, w, init, perm).getResult()[0];
  // Consecutive dimensions of the permuted shape make each of `type`'s.
  SmallVector<ReassociationIndices> groups;
  int64_t d = 0;
  for (int64_t size : type.getShape()) {
    ReassociationIndices group;
    int64_t product = 1;
    while (d < int64_t(shape.size()) && (group.empty() || product < size))
      product *= shape[d], group.push_back(d++);
    if (product != size)
      return {};
    groups.push_back(group);
  }
  if (d != int64_t(shape.size()))
    return {};
  return tensor::CollapseShapeOp::create(b, loc, type, transposed, groups);
}

/// `x` (N H W C) padded per `window` with zeros.
static Value padChannelsLast(OpBuilder &b, Location loc, Value x,
                             const Window &w) {
  return padInput(b, loc, x, w,
                  scalarConstant(b, loc, getElementTypeOrSelf(x.getType()), 0),
                  /*channelsLast=*/true);
}

/// `y` as `element` (an f32 accumulator rounded to bf16 / f16), or `y`.
static Value roundTo(OpBuilder &b, Location loc, Value y, Type element) {
  auto type = cast<RankedTensorType>(y.getType());
  if (type.getElementType() == element)
    return y;
  unsigned rank = type.getRank();
  Value init = tensor::EmptyOp::create(b, loc, tensorSizes(b, loc, y), element);
  SmallVector<AffineMap> maps(2, b.getMultiDimIdentityMap(rank));
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, init.getType(), ValueRange{y}, init, maps, iterators,
             [&](OpBuilder &nb, Location l, ValueRange args) {
               linalg::YieldOp::create(
                   nb, l,
                   Value(arith::TruncFOp::create(nb, l, element, args[0])));
             })
      .getResult(0);
}

/// `y` (N H W F) plus `bias` ([F]) when there is one (a narrower bias
/// extended to y's type).
static Value addChannelsLastBias(OpBuilder &b, Location loc, Value y,
                                 Value bias) {
  if (!bias)
    return y;
  MLIRContext *ctx = b.getContext();
  auto type = cast<RankedTensorType>(y.getType());
  unsigned rank = type.getRank();
  Value init = tensor::EmptyOp::create(b, loc, tensorSizes(b, loc, y),
                                       type.getElementType());
  SmallVector<AffineMap> maps = {
      b.getMultiDimIdentityMap(rank),
      AffineMap::get(rank, 0, getAffineDimExpr(rank - 1, ctx)),
      b.getMultiDimIdentityMap(rank)};
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, init.getType(), ValueRange{y, toLowered(b, loc, bias)},
             init, maps, iterators,
             [](OpBuilder &nb, Location l, ValueRange args) {
               Value bias = args[1];
               if (bias.getType() != args[0].getType())
                 bias = arith::ExtFOp::create(nb, l, args[0].getType(), bias);
               linalg::YieldOp::create(
                   nb, l, Value(arith::AddFOp::create(nb, l, args[0], bias)));
             })
      .getResult(0);
}

/// Whether a 2-D convolution has a channels-last kernel below: f32 (or,
/// with `halfGemms`, bf16 / f16 and group 1: a GEMM accumulating in f32),
/// static channels and spatial sizes (any batch), a static filter
/// (constant, or transposed at run time), group 1 or depthwise. `x` is the
/// lowered input in the op's own layout.
static bool hasChannelsLastKernel(nn::ConvOp op, Value x, bool halfGemms) {
  auto xType = cast<RankedTensorType>(x.getType());
  auto wType = cast<RankedTensorType>(op.getWeight().getType());
  Type element = xType.getElementType();
  bool half = halfGemms && op.getGroup() == 1 &&
              isa<BFloat16Type, Float16Type>(element);
  if (xType.getRank() != 4 || !(element.isF32() || half) ||
      wType.getElementType() != element || !wType.hasStaticShape())
    return false;
  for (int64_t d = 1; d < 4; ++d)
    if (xType.isDynamicDim(d))
      return false;
  int64_t group = op.getGroup();
  return group == 1 ||
         (wType.getDimSize(1) == 1 && wType.getDimSize(0) == group);
}

/// A group-1 2-D convolution (f32, or bf16 / f16 accumulating in f32) on
/// a channels-last input as one GEMM, so
/// that it runs on the contraction kernels (ddl-select-schedules /
/// ddl-data-tile take a matmul whose right operand is a constant):
///   patches[(n, oh, ow), (kh, kw, c)] = xpad[n, oh*s + kh*d, ow*s + kw*d, c]
///   y[(n, oh, ow), f] = sum_k patches[., k] * w'[f, k] (+ bias[f])
/// with the filter rearranged to [F, KH, KW, C] (at compile time when it is
/// a constant). patches is
/// the input itself (a reshape) for an unpadded 1x1 stride-1 convolution,
/// otherwise an im2col copy made of C-float rows contiguous in both the
/// input and the copy. The result is N OH OW F. Null when the filter's data
/// is not available.
static Value channelsLastGemmConv(OpBuilder &b, Location loc, nn::ConvOp op,
                                  Value x, const Window &win,
                                  ArrayRef<OpFoldResult> outSizes) {
  auto xType = cast<RankedTensorType>(x.getType());
  auto wType = cast<RankedTensorType>(op.getWeight().getType());
  int64_t f = wType.getDimSize(0), c = wType.getDimSize(1),
          kh = wType.getDimSize(2), kw = wType.getDimSize(3);
  int64_t oh = *getConstantIntValue(outSizes[1]),
          ow = *getConstantIntValue(outSizes[2]);
  int64_t k = kh * kw * c;
  // bf16 / f16 operands accumulate in f32, rounded once at the end.
  Type element = xType.getElementType();
  Type acc = accumulatorType(element);
  // A constant filter becomes [F][K] (the kernels pack it at compile
  // time); an f32 filter computed at run time (a parameter that is not
  // frozen) [K][F], the layout the contraction kernels read unpacked.
  bool runtimeFilter =
      element.isF32() && !op.getWeight().getDefiningOp<nn::ConstantOp>();
  Value w = runtimeFilter
                ? permutedFilter(b, loc, op.getWeight(), {2, 3, 1, 0},
                                 RankedTensorType::get({k, f}, element))
                : permutedFilter(b, loc, op.getWeight(), {0, 2, 3, 1},
                                 RankedTensorType::get({f, k}, element));
  if (!w)
    return {};
  MLIRContext *ctx = b.getContext();
  auto dim = [&](unsigned d) { return getAffineDimExpr(d, ctx); };
  int64_t n = xType.getDimSize(0); // May be dynamic.
  int64_t m = ShapedType::isDynamic(n) ? n : n * oh * ow;
  OpFoldResult batch = outSizes[0];

  Value patches;
  bool direct = kh == 1 && kw == 1 && win.strides[0] == 1 &&
                win.strides[1] == 1 && !win.hasPadding() &&
                xType.getDimSize(1) == oh && xType.getDimSize(2) == ow;
  if (direct) {
    patches = tensor::CollapseShapeOp::create(
        b, loc, RankedTensorType::get({m, k}, element), x,
        ArrayRef<ReassociationIndices>{{0, 1, 2}, {3}});
  } else if (win.dilations[1] == 1) {
    // Undilated along W: the KW x C elements of a patch row are contiguous
    // in the input, one copy of KW * C floats per (oh, ow, kh).
    Value xPadded = padChannelsLast(b, loc, x, win);
    Value rowsOf = tensor::CollapseShapeOp::create(
        b, loc, xPadded, ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3}});
    Value init = tensor::EmptyOp::create(
        b, loc,
        ArrayRef<OpFoldResult>{batch, b.getIndexAttr(oh), b.getIndexAttr(ow),
                               b.getIndexAttr(kh), b.getIndexAttr(kw * c)},
        element);
    AffineMap xMap = AffineMap::get(
        5, 0,
        {dim(0), dim(1) * win.strides[0] + dim(3) * win.dilations[0],
         dim(2) * (win.strides[1] * c) + dim(4)},
        ctx);
    patches = copyThrough(b, loc, rowsOf, init, xMap);
    patches = tensor::CollapseShapeOp::create(
        b, loc, RankedTensorType::get({m, k}, element), patches,
        ArrayRef<ReassociationIndices>{{0, 1, 2}, {3, 4}});
  } else {
    Value xPadded = padChannelsLast(b, loc, x, win);
    Value init = tensor::EmptyOp::create(
        b, loc,
        ArrayRef<OpFoldResult>{batch, b.getIndexAttr(oh), b.getIndexAttr(ow),
                               b.getIndexAttr(kh), b.getIndexAttr(kw),
                               b.getIndexAttr(c)},
        element);
    AffineMap xMap = AffineMap::get(
        6, 0,
        {dim(0), dim(1) * win.strides[0] + dim(3) * win.dilations[0],
         dim(2) * win.strides[1] + dim(4) * win.dilations[1], dim(5)},
        ctx);
    patches = copyThrough(b, loc, xPadded, init, xMap);
    patches = tensor::CollapseShapeOp::create(
        b, loc, RankedTensorType::get({m, k}, element), patches,
        ArrayRef<ReassociationIndices>{{0, 1, 2}, {3, 4, 5}});
  }

  // A zero accumulator (a fill, which the contraction kernels keep in
  // registers; a broadcast bias here would be fused into the matmul and
  // turn it into a generic). The bias is added after.
  IndexMath im{b, loc};
  OpFoldResult rows = im.mul(batch, im.c(oh * ow));
  Value init = zeros(b, loc, {rows, b.getIndexAttr(f)}, acc);
  auto matmul = linalg::MatmulOp::create(b, loc, init.getType(),
                                         ValueRange{patches, w}, init);
  AffineExpr i = dim(0), j = dim(1), r = dim(2);
  auto map = [&](ArrayRef<AffineExpr> exprs) {
    return AffineMapAttr::get(AffineMap::get(3, 0, exprs, ctx));
  };
  matmul.setIndexingMapsAttr(b.getArrayAttr(
      {map({i, r}), runtimeFilter ? map({r, j}) : map({j, r}), map({i, j})}));
  Value nhwf = tensor::ExpandShapeOp::create(
      b, loc, RankedTensorType::get({n, oh, ow, f}, acc), matmul.getResult(0),
      ArrayRef<ReassociationIndices>{{0, 1, 2}, {3}},
      ArrayRef<OpFoldResult>{batch, b.getIndexAttr(oh), b.getIndexAttr(ow),
                             b.getIndexAttr(f)});
  return roundTo(b, loc, addChannelsLastBias(b, loc, nhwf, op.getBias()),
                 element);
}

/// A depthwise 2-D f32 convolution on a channels-last input:
/// linalg.depthwise_conv_2d_nhwc_hwc on the filter rearranged to
/// [KH, KW, C] at compile time, accumulating onto the bias. Channels are
/// the innermost loop of every operand, so the loop nest vectorizes along
/// them. The result is N OH OW C. Null when the filter's data is not
/// available.
static Value channelsLastDepthwiseConv(OpBuilder &b, Location loc,
                                       nn::ConvOp op, Value x,
                                       const Window &win,
                                       ArrayRef<OpFoldResult> outSizes) {
  auto wType = cast<RankedTensorType>(op.getWeight().getType());
  int64_t c = wType.getDimSize(0), kh = wType.getDimSize(2),
          kw = wType.getDimSize(3);
  Type f32 = b.getF32Type();
  // [C, 1, KH, KW] -> [1, KH, KW, C] = [KH, KW, C].
  Value w = permutedFilter(b, loc, op.getWeight(), {1, 2, 3, 0},
                           RankedTensorType::get({kh, kw, c}, f32));
  if (!w)
    return {};
  Value init = zeros(b, loc, outSizes, f32);
  if (Value bias = op.getBias()) {
    Value empty = tensor::EmptyOp::create(b, loc, outSizes, f32);
    init = linalg::BroadcastOp::create(b, loc, toLowered(b, loc, bias), empty,
                                       ArrayRef<int64_t>{0, 1, 2})
               .getResult()[0];
  }
  SmallVector<NamedAttribute> attrs = {
      windowAttr(b, "strides", win.strides),
      windowAttr(b, "dilations", win.dilations)};
  return linalg::DepthwiseConv2DNhwcHwcOp::create(
             b, loc, init.getType(),
             ValueRange{padChannelsLast(b, loc, x, win), w}, init, attrs)
      .getResult(0);
}

namespace {

/// Convolution: the input is zero-padded (tensor.pad), then
///  - group 1: linalg.conv_{1d_ncw_fcw,2d_nchw_fchw,3d_ncdhw_fcdhw};
///  - 2-D depthwise (C/group = 1, M = group):
///  linalg.depthwise_conv_2d_nchw_chw;
///  - 2-D grouped: linalg.conv_2d_ngchw_gfchw on [N, G, C/G, H, W];
///  - anything else: a grouped N-d linalg.generic.
/// The accumulator starts as the broadcast bias; half floats accumulate in
/// f32.
struct ConvLowering final : OpRewritePattern<nn::ConvOp> {
  ConvLowering(MLIRContext *context, bool halfGemms)
      : OpRewritePattern(context), halfGemms(halfGemms) {}
  bool halfGemms;

  LogicalResult matchAndRewrite(nn::ConvOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    FailureOr<SmallVector<OpFoldResult>> outSizes =
        reifyResultSizes(rewriter, op);
    if (failed(outSizes))
      return failure();
    Value x = toLowered(rewriter, loc, op.getInput());
    Value w = toLowered(rewriter, loc, op.getWeight());
    auto xType = cast<RankedTensorType>(x.getType());
    auto wType = cast<RankedTensorType>(w.getType());
    unsigned n = xType.getRank() - 2;
    int64_t group = op.getGroup();
    if (group < 1)
      return rewriter.notifyMatchFailure(op, "group must be >= 1");
    Type element = xType.getElementType();
    Type acc = accumulatorType(element);
    // The window is computed on channels-first sizes whatever the layout.
    bool channelsLast = op.getChannelsLast();
    unsigned rank = xType.getRank();
    SmallVector<int64_t> toFirst = toChannelsFirst(rank),
                         toLast = toChannelsLast(rank);
    SmallVector<OpFoldResult> xSizes = tensorSizes(rewriter, loc, x);
    if (channelsLast) {
      xSizes = applyPermutation(ArrayRef(xSizes), toFirst);
      *outSizes = applyPermutation(ArrayRef(*outSizes), toFirst);
    }
    SmallVector<OpFoldResult> wSizes = tensorSizes(rewriter, loc, w);
    Window win = computeWindow(
        rewriter, loc, spatial(xSizes), spatial(*outSizes), spatial(wSizes),
        op.getStrides(), op.getPads(), op.getDilations(), op.getAutoPad(),
        /*ceilMode=*/false);

    // The fast kernels are channels-last: a channels-first op reaches them
    // between transposes (nn-channels-last removes those between
    // consecutive convolutions).
    if (hasChannelsLastKernel(op, x, halfGemms)) {
      Value xLast = channelsLast ? x : permuted(rewriter, loc, x, toLast);
      SmallVector<OpFoldResult> outLast =
          applyPermutation(ArrayRef(*outSizes), toLast);
      Value result =
          group == 1
              ? channelsLastGemmConv(rewriter, loc, op, xLast, win, outLast)
              : channelsLastDepthwiseConv(rewriter, loc, op, xLast, win,
                                          outLast);
      if (result) {
        if (!channelsLast)
          result = permuted(rewriter, loc, result, toFirst);
        replaceWithLowered(rewriter, op, result);
        return success();
      }
    }
    if (channelsLast)
      x = permuted(rewriter, loc, x, toFirst);
    x = padInput(rewriter, loc, x, win,
                 scalarConstant(rewriter, loc, element, 0));
    Value init = biasInit(rewriter, loc, op.getBias(), *outSizes, acc);
    SmallVector<NamedAttribute> attrs = {
        windowAttr(rewriter, "strides", win.strides),
        windowAttr(rewriter, "dilations", win.dilations)};
    Type initType = init.getType();
    Value result;
    if (group == 1 && n == 1) {
      result = linalg::Conv1DNcwFcwOp::create(rewriter, loc, initType,
                                              ValueRange{x, w}, init, attrs)
                   .getResult(0);
    } else if (group == 1 && n == 2) {
      result = linalg::Conv2DNchwFchwOp::create(rewriter, loc, initType,
                                                ValueRange{x, w}, init, attrs)
                   .getResult(0);
    } else if (group == 1 && n == 3) {
      result = linalg::Conv3DNcdhwFcdhwOp::create(rewriter, loc, initType,
                                                  ValueRange{x, w}, init, attrs)
                   .getResult(0);
    } else if (n == 2 && wType.getDimSize(1) == 1 &&
               wType.getDimSize(0) == group) {
      Value w3 = tensor::CollapseShapeOp::create(
          rewriter, loc, w, ArrayRef<ReassociationIndices>{{0, 1}, {2}, {3}});
      result = linalg::DepthwiseConv2DNchwChwOp::create(
                   rewriter, loc, initType, ValueRange{x, w3}, init, attrs)
                   .getResult(0);
    } else {
      Value xg = splitDim(rewriter, loc, x, 1, group);
      Value wg = splitDim(rewriter, loc, w, 0, group);
      Value ig = splitDim(rewriter, loc, init, 1, group);
      if (n == 2) {
        result = linalg::Conv2DNgchwGfchwOp::create(
                     rewriter, loc, ig.getType(), ValueRange{xg, wg}, ig, attrs)
                     .getResult(0);
      } else {
        result = buildGroupedConv(rewriter, loc, xg, wg, ig, win);
      }
      result = mergeDims(rewriter, loc, result, 1);
    }
    result = convertTensor(rewriter, loc, result, element);
    if (channelsLast)
      result = permuted(rewriter, loc, result, toLast);
    replaceWithLowered(rewriter, op, result);
    return success();
  }

  /// x [N, G, C/G, S...], w [G, M/G, C/G, K...], init [N, G, M/G, O...].
  static Value buildGroupedConv(OpBuilder &b, Location loc, Value x, Value w,
                                Value init, const Window &win) {
    MLIRContext *ctx = b.getContext();
    unsigned n = win.rank();
    // Loops: n, g, m, o..., c, k...
    unsigned numLoops = 4 + 2 * n;
    auto dim = [&](unsigned d) { return getAffineDimExpr(d, ctx); };
    unsigned cLoop = 3 + n;
    SmallVector<AffineExpr> xExprs = {dim(0), dim(1), dim(cLoop)},
                            wExprs = {dim(1), dim(2), dim(cLoop)},
                            outExprs = {dim(0), dim(1), dim(2)};
    for (unsigned i = 0; i < n; ++i) {
      AffineExpr o = dim(3 + i), k = dim(cLoop + 1 + i);
      xExprs.push_back(o * win.strides[i] + k * win.dilations[i]);
      wExprs.push_back(k);
      outExprs.push_back(o);
    }
    SmallVector<AffineMap> maps = {AffineMap::get(numLoops, 0, xExprs, ctx),
                                   AffineMap::get(numLoops, 0, wExprs, ctx),
                                   AffineMap::get(numLoops, 0, outExprs, ctx)};
    SmallVector<utils::IteratorType> iterators(3 + n,
                                               utils::IteratorType::parallel);
    iterators.append(1 + n, utils::IteratorType::reduction);
    return multiplyAccumulate(b, loc, x, w, init, maps, iterators);
  }
};

/// Transposed convolution as a gather: output position o reads input
/// position (o + pad_begin - k * dilation) / stride where that is an exact,
/// in-range quotient (a bounds-checked tensor.extract, index clamped to 0
/// and the term zeroed otherwise). Pads: explicit, or from output_shape /
/// SAME as ONNX derives them (total = stride * (in - 1) + output_padding +
/// extent - out; SAME_UPPER puts the odd one at the end, otherwise at the
/// begin). output_padding only grows the result (the shape function).
struct ConvTransposeLowering final : OpRewritePattern<nn::ConvTransposeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(nn::ConvTransposeOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    FailureOr<SmallVector<OpFoldResult>> outSizes =
        reifyResultSizes(rewriter, op);
    if (failed(outSizes))
      return failure();
    Value x = toLowered(rewriter, loc, op.getInput());
    Value w = toLowered(rewriter, loc, op.getWeight());
    auto xType = cast<RankedTensorType>(x.getType());
    unsigned n = xType.getRank() - 2;
    int64_t group = op.getGroup();
    if (group < 1)
      return rewriter.notifyMatchFailure(op, "group must be >= 1");
    Type element = xType.getElementType();
    Type acc = accumulatorType(element);
    IndexMath m{rewriter, loc};
    SmallVector<OpFoldResult> xSizes = tensorSizes(rewriter, loc, x);
    SmallVector<OpFoldResult> wSizes = tensorSizes(rewriter, loc, w);
    SmallVector<int64_t> strides = attrOr(op.getStrides(), n, 1);
    SmallVector<int64_t> dilations = attrOr(op.getDilations(), n, 1);
    SmallVector<int64_t> pads = attrOr(op.getPads(), 2 * n, 0);
    SmallVector<int64_t> outputPadding = attrOr(op.getOutputPadding(), n, 0);
    nn::AutoPad autoPad = op.getAutoPad();
    bool derived = op.getOutputShape() || autoPad == nn::AutoPad::SameUpper ||
                   autoPad == nn::AutoPad::SameLower;
    SmallVector<Value> padBegin, inSizes;
    for (unsigned i = 0; i < n; ++i) {
      OpFoldResult in = xSizes[2 + i], k = wSizes[2 + i];
      OpFoldResult begin = m.c(autoPad == nn::AutoPad::Valid ? 0 : pads[i]);
      if (derived) {
        OpFoldResult extent =
            m.add(m.mul(m.sub(k, m.c(1)), m.c(dilations[i])), m.c(1));
        OpFoldResult total =
            m.sub(m.add(m.add(m.mul(m.c(strides[i]), m.sub(in, m.c(1))),
                              m.c(outputPadding[i])),
                        extent),
                  (*outSizes)[2 + i]);
        OpFoldResult half = m.floorDiv(total, 2);
        begin = autoPad == nn::AutoPad::SameUpper ? half : m.sub(total, half);
      }
      padBegin.push_back(m.v(begin));
      inSizes.push_back(m.v(in));
    }

    Value init = biasInit(rewriter, loc, op.getBias(), *outSizes, acc);
    Value xg = splitDim(rewriter, loc, x, 1, group);    // N, G, C/G, S...
    Value wg = splitDim(rewriter, loc, w, 0, group);    // G, C/G, M/G, K...
    Value ig = splitDim(rewriter, loc, init, 1, group); // N, G, M/G, O...
    // Loops: n, g, m, o..., c, k...
    unsigned numLoops = 4 + 2 * n, cLoop = 3 + n;
    auto dim = [&](unsigned d) { return getAffineDimExpr(d, ctx); };
    SmallVector<AffineExpr> wExprs = {dim(1), dim(cLoop), dim(2)},
                            outExprs = {dim(0), dim(1), dim(2)};
    for (unsigned i = 0; i < n; ++i) {
      wExprs.push_back(dim(cLoop + 1 + i));
      outExprs.push_back(dim(3 + i));
    }
    SmallVector<AffineMap> maps = {AffineMap::get(numLoops, 0, wExprs, ctx),
                                   AffineMap::get(numLoops, 0, outExprs, ctx)};
    SmallVector<utils::IteratorType> iterators(3 + n,
                                               utils::IteratorType::parallel);
    iterators.append(1 + n, utils::IteratorType::reduction);
    Value result =
        linalg::GenericOp::create(
            rewriter, loc, ig.getType(), ValueRange{wg}, ig, maps, iterators,
            [&](OpBuilder &b, Location l, ValueRange args) {
              Value zero = arith::ConstantIndexOp::create(b, l, 0);
              Value valid;
              SmallVector<Value> indices = {
                  linalg::IndexOp::create(b, l, 0),
                  linalg::IndexOp::create(b, l, 1),
                  linalg::IndexOp::create(b, l, cLoop)};
              for (unsigned i = 0; i < n; ++i) {
                Value o = linalg::IndexOp::create(b, l, 3 + i);
                Value k = linalg::IndexOp::create(b, l, cLoop + 1 + i);
                Value kd = arith::MulIOp::create(
                    b, l, k,
                    arith::ConstantIndexOp::create(b, l, dilations[i]));
                Value t = arith::SubIOp::create(
                    b, l, arith::AddIOp::create(b, l, o, padBegin[i]), kd);
                Value s = arith::ConstantIndexOp::create(b, l, strides[i]);
                Value q = arith::DivSIOp::create(b, l, t, s);
                Value r = arith::RemSIOp::create(b, l, t, s);
                Value ok = arith::AndIOp::create(
                    b, l,
                    arith::CmpIOp::create(b, l, arith::CmpIPredicate::sge, t,
                                          zero),
                    arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, r,
                                          zero));
                ok = arith::AndIOp::create(
                    b, l, ok,
                    arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, q,
                                          inSizes[i]));
                valid = valid ? arith::AndIOp::create(b, l, valid, ok) : ok;
                indices.push_back(arith::SelectOp::create(b, l, ok, q, zero));
              }
              Value v = tensor::ExtractOp::create(b, l, xg, indices);
              Value p = mulScalars(b, l, extendTo(b, l, v, acc),
                                   extendTo(b, l, args[0], acc));
              Value sum = addScalars(b, l, args[1], p);
              linalg::YieldOp::create(
                  b, l,
                  Value(arith::SelectOp::create(b, l, valid, sum, args[1])));
            })
            .getResult(0);
    result = mergeDims(rewriter, loc, result, 1);
    result = convertTensor(rewriter, loc, result, element);
    replaceWithLowered(rewriter, op, result);
    return success();
  }
};

} // namespace

void ddl::lowering::populateConvolutionPatterns(RewritePatternSet &patterns,
                                                bool halfGemms) {
  patterns.add<ConvLowering>(patterns.getContext(), halfGemms);
  patterns.add<ConvTransposeLowering>(patterns.getContext());
}
