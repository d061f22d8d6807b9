//===- IntegerConv.cpp - 2-D integer convolutions on the int8 GEMM --------===//

#include "dialects/lowbit/IntegerConv.h"

#include "dialects/lowbit/LowbitDialect.h"
#include "dialects/nn/NNDialect.h"

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

Value buildIntegerConv2D(OpBuilder &b, Location loc, Value x, Value xZero,
                         Value weights, Value wZero, bool xUnsigned,
                         bool wUnsigned, int64_t kh, int64_t kw,
                         const ConvWindow &window) {
  auto xType = dyn_cast<RankedTensorType>(x.getType());
  auto wType = dyn_cast<RankedTensorType>(weights.getType());
  if (!xType || !wType || xType.getRank() != 4 || !xType.hasStaticShape() ||
      wType.getRank() != 2 || !wType.hasStaticShape() || kh < 1 || kw < 1)
    return nullptr;
  int64_t batch = xType.getDimSize(0), channels = xType.getDimSize(1);
  int64_t depth = kh * kw * channels, outChannels = wType.getDimSize(1);
  if (wType.getDimSize(0) != depth)
    return nullptr;
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
