//===- QuantizeInt8.cpp - post-training int8 quantization -----------------===//
//
// See NNQuantizeInt8Pass in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "dialects/lowbit/IntegerConv.h"
#include "lib/Support/ConstantData.h"
#include "passes/quant/CalibrationPoints.h"
#include "passes/quant/LayerQuantizer.h"
#include "passes/quant/Passes.h"

#include <cmath>

using namespace mlir;
using namespace ddl;

namespace ddl::quant {
#define GEN_PASS_DEF_NNQUANTIZEINT8PASS
#include "passes/quant/Passes.h.inc"
} // namespace ddl::quant

namespace {

/// A calibrated activation's range (lo <= hi), when it has one.
using Range = std::optional<std::pair<float, float>>;

/// The largest quantized magnitude (symmetric: -128 is never used, so that
/// negation stays in range).
constexpr float kLevels = quant::kInt8Levels;

/// Symmetric int8 of `w`, one scale per channel: `channels` channels of
/// `size` values, value i of channel c at w[index(c, i)]. Returns the
/// quantized values (in w's layout) and sets `scale` (max |w| / 127 of
/// each channel; 1 for an all-zero one).
template <typename Index>
std::vector<int8_t> quantizePerChannel(ArrayRef<float> w, int64_t channels,
                                       int64_t size, Index index,
                                       std::vector<float> &scale) {
  scale.assign(channels, 0.0f);
  for (int64_t c = 0; c < channels; ++c)
    for (int64_t i = 0; i < size; ++i)
      scale[c] = std::max(scale[c], std::fabs(w[index(c, i)]));
  for (float &s : scale)
    s = s > 0 ? s / kLevels : 1.0f;
  std::vector<int8_t> q(w.size());
  for (int64_t c = 0; c < channels; ++c)
    for (int64_t i = 0; i < size; ++i)
      q[index(c, i)] =
          int8_t(quant::roundToLevel(w[index(c, i)] / scale[c], kLevels));
  return q;
}

/// factor * x @ w as int8: the weights quantized now per output channel,
/// `x` per row at run time, or per tensor by a calibrated `range`,
/// lowbit.matmul, rescaled.
Value quantizedProduct(OpBuilder &b, Location loc, Value x, Range range,
                       const quant::LayerWeights &layer, float factor,
                       RankedTensorType resultType, unsigned &counter) {
  int64_t k = layer.k, n = layer.n;
  ArrayRef<float> w = layer.values;
  // Weights: per output channel (column), symmetric.
  std::vector<float> scale;
  std::vector<int8_t> wq = quantizePerChannel(
      w, n, k, [&](int64_t c, int64_t r) { return r * n + c; }, scale);
  for (float &s : scale)
    s *= factor;

  Type f32 = b.getF32Type(), i8 = b.getIntegerType(8);
  std::string name = "ddl_int8_weights_" + std::to_string(counter++);
  Value wqValue = nn::ConstantOp::create(
      b, loc, i8Resource(RankedTensorType::get({k, n}, i8), name, wq));
  // Activations: per row, symmetric, at run time; or per tensor by the
  // calibrated range, whose scale folds into the weights'.
  float xScale = 0;
  if (range) {
    float magnitude =
        std::max(std::fabs(range->first), std::fabs(range->second));
    xScale = std::max(magnitude / kLevels, 1e-30f);
    for (float &s : scale)
      s *= xScale;
  }
  Value wScale = nn::ConstantOp::create(
      b, loc,
      DenseElementsAttr::get(RankedTensorType::get({n}, f32),
                             ArrayRef<float>(scale)));
  Value xq, rowScale;
  if (range)
    xq = quant::quantizeSymmetric(b, loc, x,
                                  quant::scalarConstant(b, loc, xScale));
  else
    std::tie(xq, rowScale) = quant::quantizeRowsSymmetric(b, loc, x);

  auto accType = RankedTensorType::get(resultType.getShape(), b.getI32Type(),
                                       resultType.getEncoding());
  Value zero = nn::ConstantOp::create(
      b, loc,
      DenseElementsAttr::get(RankedTensorType::get({}, i8),
                             b.getIntegerAttr(i8, 0)));
  Value acc =
      lowbit::MatMulOp::create(b, loc, accType, xq, wqValue, zero, zero,
                               b.getBoolAttr(false), b.getBoolAttr(false));
  Value real = nn::CastOp::create(b, loc, resultType, acc);
  if (rowScale)
    real = nn::MulOp::create(b, loc, real, rowScale);
  return nn::MulOp::create(b, loc, real, wScale);
}

/// A 2-D nn.conv of a static f32 input by constant f32 weights [OC, C /
/// groups, KH, KW] as int8, or failure (left in float): the weights
/// quantized now per output channel, the input per tensor at run time or
/// by its calibrated `range` (one scale for the whole activation, whose
/// windows the GEMM rows mix), the product on lowbit::buildIntegerConv2D
/// (channels-last), rescaled, plus the bias, back to [N, C, H, W]
/// (nn-channels-last cancels that transpose against the next convolution's).
LogicalResult quantizeConv(nn::ConvOp conv, Range range, int64_t minK,
                           int64_t minN, unsigned &counter) {
  auto xType = cast<RankedTensorType>(conv.getInput().getType());
  auto wType = cast<RankedTensorType>(conv.getWeight().getType());
  auto constant = conv.getWeight().getDefiningOp<nn::ConstantOp>();
  int64_t groups = conv.getGroup();
  if (conv.getChannelsLast() || groups < 1 || !constant ||
      xType.getRank() != 4 || !xType.hasStaticShape() ||
      !xType.getElementType().isF32() || !wType.hasStaticShape() ||
      !wType.getElementType().isF32() ||
      (conv.getAutoPad() != nn::AutoPad::NotSet &&
       conv.getAutoPad() != nn::AutoPad::Valid))
    return failure();
  // channels: of a group (the weights' second dimension).
  int64_t outChannels = wType.getDimSize(0), channels = wType.getDimSize(1);
  int64_t kh = wType.getDimSize(2), kw = wType.getDimSize(3);
  int64_t depth = channels * kh * kw;
  // The layer's size, all groups together: a depthwise or grouped layer
  // takes as long as a group-1 one of its channels would, roughly.
  if (depth * groups < minK || outChannels < minN ||
      channels * groups != xType.getDimSize(1) || outChannels % groups)
    return failure();
  lowbit::ConvWindow window;
  if (std::optional<ArrayRef<int64_t>> v = conv.getStrides()) {
    if (v->size() != 2)
      return failure();
    llvm::copy(*v, window.strides.begin());
  }
  if (std::optional<ArrayRef<int64_t>> v = conv.getDilations()) {
    if (v->size() != 2)
      return failure();
    llvm::copy(*v, window.dilations.begin());
  }
  if (std::optional<ArrayRef<int64_t>> v = conv.getPads();
      v && conv.getAutoPad() == nn::AutoPad::NotSet) {
    if (v->size() != 4)
      return failure();
    llvm::copy(*v, window.pads.begin());
  }
  std::vector<float> w;
  if (failed(readF32Elements(constant.getValue(), wType.getNumElements(), w)))
    return failure();

  // Weights: per output channel, symmetric.
  std::vector<float> scale;
  std::vector<int8_t> wq = quantizePerChannel(
      w, outChannels, depth,
      [&](int64_t oc, int64_t r) { return oc * depth + r; }, scale);

  OpBuilder b(conv);
  Location loc = conv.getLoc();
  Type f32 = b.getF32Type(), i8 = b.getIntegerType(8);
  std::string name = "ddl_int8_conv_weights_" + std::to_string(counter++);
  Value weights = nn::ConstantOp::create(
      b, loc,
      i8Resource(RankedTensorType::get({depth, outChannels}, i8), name,
                 lowbit::convWeightMatrix(wq, outChannels, channels, kh, kw)));
  Value zero = nn::ConstantOp::create(
      b, loc,
      DenseElementsAttr::get(RankedTensorType::get({}, i8),
                             b.getIntegerAttr(i8, 0)));

  // The input: per tensor, asymmetric u8 over [min(x, 0), max(x, 0)] (a
  // convolution's input mostly follows a ReLU: symmetric int8 would leave
  // half its levels unused), with an integer zero point so that 0 (the
  // padding) stays exact. From the calibrated range, constants; else at
  // run time, the extremes in two steps: each channel's plane first, which
  // runs in parallel and, once nn-channels-last moves it, reads the
  // channels-last input where it is; then the channels'. (One reduction
  // to a scalar ran on one thread: 12% of resnet18's time.)
  Value x = conv.getInput();
  Value zeroF = quant::scalarConstant(b, loc, 0.0f);
  Value inputScale, zeroPoint;
  if (range) {
    // The same arithmetic as the run-time graph below, in f32.
    float lo = std::min(range->first, 0.0f), hi = std::max(range->second, 0.0f);
    float s = std::max((hi - lo) / 255.0f, 1e-30f);
    inputScale = quant::scalarConstant(b, loc, s);
    // (+ 0: a zero point of -0 prints, and folds, as the 0 it is.)
    zeroPoint = quant::scalarConstant(
        b, loc, std::clamp(std::nearbyint(-lo / s), 0.0f, 255.0f) + 0.0f);
  } else {
    auto reduce = [&](Value v, nn::ReduceKind kind,
                      ArrayRef<int64_t> axes) -> Value {
      return nn::ReduceOp::create(b, loc, v,
                                  nn::ReduceKindAttr::get(b.getContext(), kind),
                                  b.getDenseI64ArrayAttr(axes),
                                  b.getBoolAttr(false), b.getBoolAttr(false));
    };
    auto extreme = [&](nn::ReduceKind kind) {
      return reduce(reduce(x, kind, {2, 3}), kind, {0, 1});
    };
    Value lo = nn::MinOp::create(b, loc, extreme(nn::ReduceKind::Min), zeroF);
    Value hi = nn::MaxOp::create(b, loc, extreme(nn::ReduceKind::Max), zeroF);
    // An all-zero input gets a tiny scale (its quantized values are 0).
    inputScale = nn::MaxOp::create(
        b, loc,
        nn::DivOp::create(b, loc, nn::SubOp::create(b, loc, hi, lo),
                          quant::scalarConstant(b, loc, 255.0f)),
        quant::scalarConstant(b, loc, 1e-30f));
    zeroPoint = nn::ClipOp::create(
        b, loc,
        nn::RoundOp::create(b, loc,
                            nn::DivOp::create(b, loc,
                                              nn::NegOp::create(b, loc, lo),
                                              inputScale)),
        zeroF, quant::scalarConstant(b, loc, 255.0f));
  }
  Type u8 = b.getIntegerType(8, /*isSigned=*/false);
  Value xq = nn::CastOp::create(
      b, loc, RankedTensorType::get(xType.getShape(), u8, xType.getEncoding()),
      nn::ClipOp::create(
          b, loc,
          nn::AddOp::create(
              b, loc,
              nn::RoundOp::create(b, loc,
                                  nn::DivOp::create(b, loc, x, inputScale)),
              zeroPoint),
          zeroF, quant::scalarConstant(b, loc, 255.0f)));
  Value xZero =
      nn::CastOp::create(b, loc, RankedTensorType::get({}, u8), zeroPoint);

  Value acc =
      lowbit::buildIntegerConv2D(b, loc, xq, xZero, weights, zero,
                                 /*xUnsigned=*/true,
                                 /*wUnsigned=*/false, kh, kw, window, groups);
  if (!acc) {
    // (The ops built so far have no users; canonicalization drops them.)
    return failure();
  }
  auto accType = cast<RankedTensorType>(acc.getType());
  Value real = nn::CastOp::create(
      b, loc, RankedTensorType::get(accType.getShape(), f32), acc);
  Value weightScale = nn::ConstantOp::create(
      b, loc,
      DenseElementsAttr::get(RankedTensorType::get({outChannels}, f32),
                             ArrayRef<float>(scale)));
  Value y = nn::MulOp::create(
      b, loc, nn::MulOp::create(b, loc, real, inputScale), weightScale);
  if (Value bias = conv.getBias())
    y = nn::AddOp::create(b, loc, y, bias);
  y = nn::TransposeOp::create(b, loc, y, b.getDenseI64ArrayAttr({0, 3, 1, 2}));
  if (y.getType() != conv.getType())
    return failure();
  conv.getResult().replaceAllUsesWith(y);
  conv.erase();
  return success();
}

struct NNQuantizeInt8Pass final
    : quant::impl::NNQuantizeInt8PassBase<NNQuantizeInt8Pass> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp fn = getOperation();
    // Calibrated ranges, by activation (layers that share one share its
    // range), for the layers numbered as calibration points.
    llvm::DenseMap<Value, std::pair<float, float>> ranges;
    if (!activationRanges.empty()) {
      if (activationRanges.size() % 2) {
        fn.emitError() << "nn-quantize-int8: activation-ranges has "
                       << activationRanges.size()
                       << " values; it takes lo, hi of each point";
        return signalPassFailure();
      }
      WalkResult walk = fn.walk([&](Operation *op) {
        std::optional<int64_t> point = quant::calibrationPoint(op);
        Value activation = quant::layerActivation(op);
        if (!point || !activation)
          return WalkResult::advance();
        if (*point < 0 || size_t(*point) >= activationRanges.size() / 2) {
          op->emitError() << "nn-quantize-int8: calibration point " << *point
                          << " has no range (activation-ranges has "
                          << activationRanges.size() / 2 << " points)";
          return WalkResult::interrupt();
        }
        float lo = activationRanges[2 * *point];
        float hi = activationRanges[2 * *point + 1];
        if (std::isfinite(lo) && std::isfinite(hi) && lo <= hi)
          ranges[activation] = {lo, hi};
        return WalkResult::advance();
      });
      if (walk.wasInterrupted())
        return signalPassFailure();
    }
    auto rangeOf = [&](Value x) -> Range {
      auto it = ranges.find(x);
      if (it == ranges.end())
        return std::nullopt;
      return it->second;
    };

    unsigned counter = 0;
    SmallVector<nn::ConvOp> convs;
    fn.walk([&](nn::ConvOp conv) {
      if (!quant::keptInFloat(conv, keep))
        convs.push_back(conv);
    });
    for (nn::ConvOp conv : convs)
      (void)quantizeConv(conv, rangeOf(conv.getInput()), minK, minN, counter);
    quant::quantizeLayers(
        fn, minK, minN, keep, [](int64_t, int64_t) { return true; },
        [&](OpBuilder &b, Location loc, Value x, const quant::LayerWeights &w,
            float factor, RankedTensorType resultType) {
          return quantizedProduct(b, loc, x, rangeOf(x), w, factor, resultType,
                                  counter);
        });
    quant::quantizeEmbeddings(fn, minK, minN, keep, /*bits=*/8,
                              /*groupSize=*/0);
  }
};

} // namespace
