//===- Windows.cpp - helpers of contractions, convolutions, pooling
//--------===//

#include "passes/lowering/NNToLinalg/Windows.h"

using namespace mlir;

namespace ddl::lowering {

Value addScalars(OpBuilder &b, Location loc, Value x, Value y) {
  if (isa<FloatType>(x.getType()))
    return arith::AddFOp::create(b, loc, x, y);
  return arith::AddIOp::create(b, loc, x, y);
}

Value mulScalars(OpBuilder &b, Location loc, Value x, Value y) {
  if (isa<FloatType>(x.getType()))
    return arith::MulFOp::create(b, loc, x, y);
  return arith::MulIOp::create(b, loc, x, y);
}

Value extendTo(OpBuilder &b, Location loc, Value v, Type to) {
  return convertScalar(b, loc, v, to, false, false);
}

Value multiplyAccumulate(OpBuilder &b, Location loc, Value lhs, Value rhs,
                         Value init, ArrayRef<AffineMap> maps,
                         ArrayRef<utils::IteratorType> iterators) {
  Type acc = cast<RankedTensorType>(init.getType()).getElementType();
  return linalg::GenericOp::create(
             b, loc, init.getType(), ValueRange{lhs, rhs}, init, maps,
             iterators,
             [&](OpBuilder &nb, Location l, ValueRange args) {
               Value p = mulScalars(nb, l, extendTo(nb, l, args[0], acc),
                                    extendTo(nb, l, args[1], acc));
               linalg::YieldOp::create(nb, l, addScalars(nb, l, args[2], p));
             })
      .getResult(0);
}

Value convertTensor(OpBuilder &b, Location loc, Value tensor, Type element,
                    bool isUnsigned) {
  auto type = cast<RankedTensorType>(tensor.getType());
  if (type.getElementType() == element)
    return tensor;
  Value init =
      tensor::EmptyOp::create(b, loc, tensorSizes(b, loc, tensor), element);
  unsigned rank = type.getRank();
  SmallVector<AffineMap> maps(2, b.getMultiDimIdentityMap(rank));
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, init.getType(), tensor, init, maps, iterators,
             [&](OpBuilder &nb, Location nloc, ValueRange args) {
               linalg::YieldOp::create(nb, nloc,
                                       convertScalar(nb, nloc, args[0], element,
                                                     isUnsigned, isUnsigned));
             })
      .getResult(0);
}

Value zeros(OpBuilder &b, Location loc, ArrayRef<OpFoldResult> sizes,
            Type element) {
  Value empty = tensor::EmptyOp::create(b, loc, sizes, element);
  return fill(b, loc, empty, scalarConstant(b, loc, element, 0));
}

SmallVector<int64_t> attrOr(std::optional<ArrayRef<int64_t>> attr, size_t n,
                            int64_t fallback) {
  if (!attr || attr->size() != n)
    return SmallVector<int64_t>(n, fallback);
  return SmallVector<int64_t>(attr->begin(), attr->end());
}

/// The window geometry of an op whose input has spatial sizes `in`, result
/// `out` and kernel `kernel` (ONNX padding rules; SAME pads never go below
/// zero).
Window computeWindow(OpBuilder &b, Location loc, ArrayRef<OpFoldResult> in,
                     ArrayRef<OpFoldResult> out, ArrayRef<OpFoldResult> kernel,
                     std::optional<ArrayRef<int64_t>> strides,
                     std::optional<ArrayRef<int64_t>> pads,
                     std::optional<ArrayRef<int64_t>> dilations,
                     nn::AutoPad autoPad, bool ceilMode) {
  IndexMath m{b, loc};
  size_t n = in.size();
  Window w;
  w.in.assign(in.begin(), in.end());
  w.out.assign(out.begin(), out.end());
  w.kernel.assign(kernel.begin(), kernel.end());
  w.strides = attrOr(strides, n, 1);
  w.dilations = attrOr(dilations, n, 1);
  SmallVector<int64_t> explicitPads = attrOr(pads, 2 * n, 0);
  for (size_t i = 0; i < n; ++i) {
    OpFoldResult extent =
        m.add(m.mul(m.sub(kernel[i], m.c(1)), m.c(w.dilations[i])), m.c(1));
    // Input span the windows read: (out - 1) * stride + extent.
    OpFoldResult span =
        m.add(m.mul(m.sub(out[i], m.c(1)), m.c(w.strides[i])), extent);
    OpFoldResult begin, end;
    switch (autoPad) {
    case nn::AutoPad::NotSet:
      begin = m.c(explicitPads[i]);
      end = m.c(explicitPads[i + n]);
      break;
    case nn::AutoPad::Valid:
      begin = end = m.c(0);
      break;
    case nn::AutoPad::SameUpper:
    case nn::AutoPad::SameLower: {
      OpFoldResult total = m.max(m.sub(span, in[i]), m.c(0));
      OpFoldResult half = m.floorDiv(total, 2);
      begin = autoPad == nn::AutoPad::SameUpper ? half : m.sub(total, half);
      end = m.sub(total, begin);
      break;
    }
    }
    w.padBegin.push_back(begin);
    w.padEnd.push_back(end);
    // Floor-mode windows always end inside the padded input.
    w.padHigh.push_back(ceilMode ? m.max(end, m.sub(m.sub(span, in[i]), begin))
                                 : end);
  }
  return w;
}

/// `x` ([N, C, spatial...]) padded per `window` with `value`.
Value padInput(OpBuilder &b, Location loc, Value x, const Window &w,
               Value value, bool channelsLast) {
  if (!w.hasPadding())
    return x;
  IndexMath m{b, loc};
  SmallVector<OpFoldResult> low = {m.c(0)}, high = {m.c(0)};
  if (!channelsLast) {
    low.push_back(m.c(0));
    high.push_back(m.c(0));
  }
  low.append(w.padBegin.begin(), w.padBegin.end());
  high.append(w.padHigh.begin(), w.padHigh.end());
  if (channelsLast) {
    low.push_back(m.c(0));
    high.push_back(m.c(0));
  }
  return tensor::PadOp::create(b, loc, Type(), x, low, high, value);
}

NamedAttribute windowAttr(OpBuilder &b, StringRef name,
                          ArrayRef<int64_t> values) {
  return b.getNamedAttr(name, b.getI64TensorAttr(values));
}

/// Spatial sizes (dims 2..) of a sizes list.
SmallVector<OpFoldResult> spatial(ArrayRef<OpFoldResult> sizes) {
  return SmallVector<OpFoldResult>(sizes.drop_front(2));
}

} // namespace ddl::lowering
