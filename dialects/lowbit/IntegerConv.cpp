//===- IntegerConv.cpp - 2-D integer convolutions on the int8 GEMM --------===//

#include "dialects/lowbit/IntegerConv.h"

#include "dialects/lowbit/LowbitDialect.h"
#include "dialects/nn/NNDialect.h"
#include "lib/Support/ConstantData.h"

using namespace mlir;

namespace ddl::lowbit {

std::vector<int8_t> convWeightMatrix(ArrayRef<int8_t> weights,
                                     int64_t outChannels, int64_t channels,
                                     int64_t kh, int64_t kw) {
  int64_t kernel = kh * kw;
  std::vector<int8_t> matrix(weights.size());
  for (int64_t oc = 0; oc < outChannels; ++oc)
    for (int64_t c = 0; c < channels; ++c)
      for (int64_t k = 0; k < kernel; ++k)
        matrix[(k * channels + c) * outChannels + oc] =
            weights[(oc * channels + c) * kernel + k];
  return matrix;
}

static Value indices(OpBuilder &b, Location loc, ArrayRef<int64_t> values) {
  auto type = RankedTensorType::get({int64_t(values.size())}, b.getI64Type());
  return nn::ConstantOp::create(b, loc, DenseElementsAttr::get(type, values));
}

/// Columns [first, first + count) of the [rows, cols] 8-bit matrix
/// `weights`: a new constant when it is one (the int8 kernels pack
/// constants at compile time), else a slice.
static Value weightColumns(OpBuilder &b, Location loc, Value weights,
                           int64_t first, int64_t count) {
  auto type = cast<RankedTensorType>(weights.getType());
  int64_t rows = type.getDimSize(0), cols = type.getDimSize(1);
  auto sliceType = RankedTensorType::get({rows, count}, type.getElementType());
  std::vector<int8_t> all;
  if (auto constant = weights.getDefiningOp<nn::ConstantOp>();
      constant &&
      succeeded(readI8Elements(constant.getValue(), rows * cols, all))) {
    std::vector<int8_t> part(rows * count);
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < count; ++c)
        part[r * count + c] = all[r * cols + first + c];
    // (The resource manager makes the name unique.)
    return nn::ConstantOp::create(
        b, loc, i8Resource(sliceType, "ddl_conv_group_weights", part));
  }
  return nn::SliceOp::create(b, loc, weights, indices(b, loc, {first}),
                             indices(b, loc, {first + count}),
                             indices(b, loc, {1}), indices(b, loc, {1}));
}

/// `v` (an 8-bit tensor) as i32 less `zero` (0-d, or 1-D along the last
/// axis); the element types say how the bytes read (ui8, or si8 / i8).
static Value widenLess(OpBuilder &b, Location loc, Value v, Value zero) {
  auto widen = [&](Value t) -> Value {
    auto type = cast<RankedTensorType>(t.getType());
    return nn::CastOp::create(
        b, loc, RankedTensorType::get(type.getShape(), b.getI32Type()), t);
  };
  return nn::SubOp::create(b, loc, widen(v), widen(zero));
}

Value buildIntegerConv2D(OpBuilder &b, Location loc, Value x, Value xZero,
                         Value weights, Value wZero, bool xUnsigned,
                         bool wUnsigned, int64_t kh, int64_t kw,
                         const ConvWindow &window, int64_t groups) {
  auto xType = dyn_cast<RankedTensorType>(x.getType());
  auto wType = dyn_cast<RankedTensorType>(weights.getType());
  if (!xType || !wType || xType.getRank() != 4 || !xType.hasStaticShape() ||
      wType.getRank() != 2 || !wType.hasStaticShape() || kh < 1 || kw < 1)
    return nullptr;
  int64_t batch = xType.getDimSize(0), channels = xType.getDimSize(1);
  int64_t outChannels = wType.getDimSize(1);
  if (groups < 1 || channels % groups || outChannels % groups)
    return nullptr;
  int64_t groupChannels = channels / groups;
  int64_t depth = kh * kw * groupChannels;
  if (wType.getDimSize(0) != depth)
    return nullptr;
  auto zeroType = dyn_cast<RankedTensorType>(wZero.getType());
  bool perChannelZero = zeroType && zeroType.getRank() == 1;
  if (groups > 1 && groupChannels > 1) {
    // Each group on its own: its channels, its columns of the weights
    // (and of a per-channel zero point).
    int64_t groupOut = outChannels / groups;
    SmallVector<Value> parts;
    for (int64_t g = 0; g < groups; ++g) {
      Value xg =
          nn::SliceOp::create(b, loc, x, indices(b, loc, {g * groupChannels}),
                              indices(b, loc, {(g + 1) * groupChannels}),
                              indices(b, loc, {1}), indices(b, loc, {1}));
      Value zg = wZero;
      if (perChannelZero)
        zg = nn::SliceOp::create(b, loc, wZero, indices(b, loc, {g * groupOut}),
                                 indices(b, loc, {(g + 1) * groupOut}),
                                 indices(b, loc, {0}), indices(b, loc, {1}));
      Value part = buildIntegerConv2D(
          b, loc, xg, xZero,
          weightColumns(b, loc, weights, g * groupOut, groupOut), zg, xUnsigned,
          wUnsigned, kh, kw, window, 1);
      if (!part)
        return nullptr;
      parts.push_back(part);
    }
    return nn::ConcatOp::create(b, loc, parts, uint64_t(3));
  }
  const auto &[strides, dilations, pads] =
      std::tie(window.strides, window.dilations, window.pads);
  std::array<int64_t, 2> in = {xType.getDimSize(2), xType.getDimSize(3)};
  std::array<int64_t, 2> size = {kh, kw}, out;
  for (int d = 0; d < 2; ++d) {
    int64_t span = dilations[d] * (size[d] - 1) + 1;
    int64_t padded = in[d] + pads[d] + pads[d + 2];
    if (strides[d] < 1 || dilations[d] < 1 || pads[d] < 0 || pads[d + 2] < 0 ||
        padded < span)
      return nullptr;
    out[d] = (padded - span) / strides[d] + 1;
  }

  Value padded =
      nn::TransposeOp::create(b, loc, x, b.getDenseI64ArrayAttr({0, 2, 3, 1}));
  if (llvm::any_of(pads, [](int64_t v) { return v != 0; }))
    padded = nn::PadOp::create(
        b, loc, padded,
        indices(b, loc, {0, pads[0], pads[1], 0, 0, pads[2], pads[3], 0}),
        xZero);
  // One [N, OH, OW, 1, C] slice per kernel position, stacked on axis 3:
  // rows (n, oh, ow) of [KH KW C] values. (One nn.gather of C-value rows
  // at computed positions was 2.2x slower: its kernel loads an index per
  // element.)
  SmallVector<Value> windows;
  for (int64_t i = 0; i < kh; ++i)
    for (int64_t j = 0; j < kw; ++j) {
      int64_t top = i * dilations[0], left = j * dilations[1];
      Value slice = nn::SliceOp::create(
          b, loc, padded, indices(b, loc, {top, left}),
          indices(b, loc,
                  {top + (out[0] - 1) * strides[0] + 1,
                   left + (out[1] - 1) * strides[1] + 1}),
          indices(b, loc, {1, 2}), indices(b, loc, {strides[0], strides[1]}));
      windows.push_back(nn::ReshapeOp::create(
          b, loc, slice,
          indices(b, loc, {batch, out[0], out[1], 1, channels})));
    }
  if (groups > 1) {
    // Depthwise: output channel oc reads input channel oc / m (m = OC / C
    // outputs per channel): each tap's [N, OH, OW, C] slice, repeated m
    // times per channel, times the tap's weight row, summed over the taps.
    int64_t perChannel = outChannels / channels;
    Value wide = widenLess(b, loc, weights, wZero);
    Value sum;
    for (auto [tap, window] : llvm::enumerate(windows)) {
      // Reshaped to rank 4 before the arithmetic, so that the taps' ops are
      // one elementwise chain of one shape (which fuses into one kernel).
      Value taps =
          widenLess(b, loc,
                    nn::ReshapeOp::create(
                        b, loc, window,
                        indices(b, loc, {batch, out[0], out[1], channels})),
                    xZero);
      if (perChannel > 1) {
        taps = nn::ReshapeOp::create(
            b, loc, taps,
            indices(b, loc, {batch, out[0], out[1], channels, 1}));
        taps = nn::ConcatOp::create(
            b, loc, SmallVector<Value>(perChannel, taps), uint64_t(4));
      }
      taps = nn::ReshapeOp::create(
          b, loc, taps, indices(b, loc, {batch, out[0], out[1], outChannels}));
      Value row = nn::ReshapeOp::create(
          b, loc,
          nn::SliceOp::create(b, loc, wide, indices(b, loc, {int64_t(tap)}),
                              indices(b, loc, {int64_t(tap) + 1}),
                              indices(b, loc, {0}), indices(b, loc, {1})),
          indices(b, loc, {outChannels}));
      Value product = nn::MulOp::create(b, loc, taps, row);
      sum = sum ? nn::AddOp::create(b, loc, sum, product).getResult() : product;
    }
    return sum;
  }
  Value columns =
      windows.size() == 1
          ? windows.front()
          : nn::ConcatOp::create(b, loc, windows, uint64_t(3)).getResult();
  int64_t rows = batch * out[0] * out[1];
  columns =
      nn::ReshapeOp::create(b, loc, columns, indices(b, loc, {rows, depth}));
  auto productType = RankedTensorType::get({rows, outChannels}, b.getI32Type());
  Value product =
      MatMulOp::create(b, loc, productType, columns, weights, xZero, wZero,
                       b.getBoolAttr(xUnsigned), b.getBoolAttr(wUnsigned));
  return nn::ReshapeOp::create(
      b, loc, product, indices(b, loc, {batch, out[0], out[1], outChannels}));
}

} // namespace ddl::lowbit
