//===- NN.cpp - ONNX neural-network ops to nn -----------------------------===//
//
// Matrix products (MatMul, Gemm), Det (cofactor expansion), convolution and
// pooling, the normalizations and the softmax family. Ops nn has directly map
// one to one; GlobalLpPool, LRN, MeanVarianceNormalization, LpNormalization,
// per-activation BatchNormalization (opset 7-8, spatial = 0) and
// LayerNormalization with its statistics outputs decompose into nn ops as
// ONNX defines them.
//
//===----------------------------------------------------------------------===//

#include "frontends/onnx/GraphImporter.h"

#include "llvm/Support/FormatVariadic.h"

using namespace mlir;

namespace ddl::onnx_import {

static RankedTensorType typeOf(Value v) {
  return cast<RankedTensorType>(v.getType());
}

static Type elementOf(Value v) { return typeOf(v).getElementType(); }

/// A 0-d constant of `like`'s element type (null when `like` is).
static Value scalarLike(NodeContext &n, Value like, double value) {
  if (!like)
    return n.fail();
  return n.constScalar(elementOf(like), value);
}

/// Fails with an "unsupported" error unless `v` holds floating-point
/// elements (nn's windowed and normalization ops take only those).
static LogicalResult requireFloat(NodeContext &n, Value v, StringRef what) {
  if (!v)
    return failure();
  if (isa<FloatType>(elementOf(v)))
    return success();
  return n.unsupported(llvm::formatv("{0} on {1} tensors; nn's op takes "
                                     "floating-point tensors only",
                                     what, elementOf(v)));
}

/// Normalizes `axis` against `rank`; reports an error when out of range.
static std::optional<int64_t> normalizeAxis(NodeContext &n, int64_t axis,
                                            int64_t rank, int64_t limit) {
  if (axis < -rank || axis > limit) {
    (void)n.error(llvm::formatv(
        "attribute 'axis' is {0}, out of range for rank {1} (expected {2} "
        "<= axis <= {3})",
        axis, rank, -rank, limit));
    return std::nullopt;
  }
  return axis < 0 ? axis + rank : axis;
}

/// The `axis` attribute (default -1) of `x`, a floating-point tensor of
/// rank >= 1, normalized; std::nullopt after reporting why not.
static std::optional<int64_t> floatAxisOperand(NodeContext &n, Value x,
                                               StringRef what) {
  if (failed(requireFloat(n, x, what)))
    return std::nullopt;
  int64_t rank = typeOf(x).getRank();
  if (rank == 0) {
    (void)n.error("input must have rank >= 1");
    return std::nullopt;
  }
  return normalizeAxis(n, n.attrInt("axis", -1), rank, rank - 1);
}

/// Axes [first, rank) as a list.
static SmallVector<int64_t> axesFrom(int64_t first, int64_t rank) {
  return llvm::to_vector(llvm::seq<int64_t>(first, rank));
}

static Value reduce(NodeContext &n, Value input, nn::ReduceKind kind,
                    ArrayRef<int64_t> axes, bool keepdims = true) {
  return n.create<nn::ReduceOp>(
      {input},
      {n.named("kind", nn::ReduceKindAttr::get(n.context(), kind)),
       n.namedI64Array("axes", axes), n.namedBool("keepdims", keepdims)});
}

//===----------------------------------------------------------------------===//
// Matrix products
//===----------------------------------------------------------------------===//

static LogicalResult convertMatMul(NodeContext &n) {
  Value a = n.input(0), b = n.input(1);
  if (Value integer = matMulOfDequantized(n, a, b))
    return n.setOutput(integer);
  return n.setOutput(n.create<nn::MatMulOp>({a, b}));
}

static LogicalResult convertGemm(NodeContext &n) {
  Value a = n.input(0), b = n.input(1);
  // C became optional in opset 11.
  Value c = n.opset() < 11 ? n.input(2) : n.optionalInput(2);
  if (Value integer = gemmOfDequantized(
          n, a, b, c, n.attrFloat("alpha", 1.0f), n.attrFloat("beta", 1.0f),
          n.attrInt("transA", 0) != 0, n.attrInt("transB", 0) != 0))
    return n.setOutput(integer);
  SmallVector<Value> operands = {a, b};
  if (c)
    operands.push_back(c);
  return n.setOutput(n.create<nn::GemmOp>(
      operands, {n.namedF32("alpha", n.attrFloat("alpha", 1.0f)),
                 n.namedF32("beta", n.attrFloat("beta", 1.0f)),
                 n.namedBool("trans_a", n.attrInt("transA", 0) != 0),
                 n.namedBool("trans_b", n.attrInt("transB", 0) != 0)}));
}

//===----------------------------------------------------------------------===//
// Convolution and pooling
//===----------------------------------------------------------------------===//

static std::optional<nn::AutoPad> readAutoPad(NodeContext &n) {
  std::string value = n.attrString("auto_pad", "NOTSET");
  if (value == "NOTSET" || value.empty())
    return nn::AutoPad::NotSet;
  if (value == "SAME_UPPER")
    return nn::AutoPad::SameUpper;
  if (value == "SAME_LOWER")
    return nn::AutoPad::SameLower;
  if (value == "VALID")
    return nn::AutoPad::Valid;
  (void)n.error("attribute 'auto_pad' must be NOTSET, SAME_UPPER, SAME_LOWER "
                "or VALID, got '" +
                value + "'");
  return std::nullopt;
}

/// Appends the window attributes shared by convolution and pooling:
/// strides, dilations, pads and auto_pad. Empty lists mean the defaults.
static LogicalResult appendWindowAttrs(NodeContext &n,
                                       SmallVectorImpl<NamedAttribute> &attrs) {
  std::optional<nn::AutoPad> autoPad = readAutoPad(n);
  if (!autoPad)
    return failure();
  for (StringRef name : {"strides", "dilations"})
    if (std::optional<SmallVector<int64_t>> v = n.attrInts(name);
        v && !v->empty())
      attrs.push_back(n.namedI64Array(name, *v));
  if (std::optional<SmallVector<int64_t>> pads = n.attrInts("pads");
      pads && !pads->empty()) {
    if (*autoPad == nn::AutoPad::NotSet)
      attrs.push_back(n.namedI64Array("pads", *pads));
    // All-zero pads beside auto_pad say nothing; others contradict it.
    else if (llvm::any_of(*pads, [](int64_t p) { return p != 0; }))
      return n.error("attributes 'pads' and 'auto_pad' are both given; ONNX "
                     "makes them exclusive");
  }
  attrs.push_back(
      n.named("auto_pad", nn::AutoPadAttr::get(n.context(), *autoPad)));
  return n.failed() ? failure() : success();
}

/// Checks the redundant kernel_shape attribute against the weight's
/// spatial dimensions (nn takes the kernel from the weight).
static LogicalResult checkKernelShape(NodeContext &n, Value weight) {
  std::optional<SmallVector<int64_t>> kernel = n.attrInts("kernel_shape");
  if (n.failed() || !weight)
    return failure();
  if (!kernel || kernel->empty())
    return success();
  ArrayRef<int64_t> shape = typeOf(weight).getShape();
  if (shape.size() < 2 || kernel->size() != shape.size() - 2)
    return n.error(llvm::formatv(
        "attribute 'kernel_shape' has {0} entries but the weight has rank "
        "{1} ({2} spatial dimensions)",
        kernel->size(), shape.size(), shape.size() < 2 ? 0 : shape.size() - 2));
  for (auto [i, k] : llvm::enumerate(*kernel))
    if (!ShapedType::isDynamic(shape[i + 2]) && shape[i + 2] != k)
      return n.error(llvm::formatv(
          "attribute 'kernel_shape' gives {0} in spatial dimension {1} but "
          "the weight's size there is {2}",
          k, i, shape[i + 2]));
  return success();
}

static LogicalResult convertConv(NodeContext &n) {
  Value x = n.input(0), w = n.input(1), bias = n.optionalInput(2);
  if (n.failed() || failed(checkKernelShape(n, w)))
    return failure();
  if (Value integer = convOfDequantized(n, x, w, bias))
    return n.setOutput(integer);
  if (n.failed())
    return failure();
  SmallVector<NamedAttribute> attrs = {
      n.namedI64("group", n.attrInt("group", 1))};
  if (failed(appendWindowAttrs(n, attrs)))
    return failure();
  SmallVector<Value> operands = {x, w};
  if (bias)
    operands.push_back(bias);
  return n.setOutput(n.create<nn::ConvOp>(operands, attrs));
}

static LogicalResult convertConvTranspose(NodeContext &n) {
  Value x = n.input(0), w = n.input(1), bias = n.optionalInput(2);
  if (n.failed() || failed(checkKernelShape(n, w)))
    return failure();
  SmallVector<NamedAttribute> attrs = {
      n.namedI64("group", n.attrInt("group", 1))};
  if (failed(appendWindowAttrs(n, attrs)))
    return failure();
  if (std::optional<SmallVector<int64_t>> v = n.attrInts("output_padding");
      v && !v->empty())
    attrs.push_back(n.namedI64Array("output_padding", *v));
  if (std::optional<SmallVector<int64_t>> v = n.attrInts("output_shape");
      v && !v->empty()) {
    // ONNX gives the spatial sizes only.
    int64_t spatial = typeOf(x).getRank() - 2;
    if (static_cast<int64_t>(v->size()) != spatial)
      return n.error(llvm::formatv(
          "attribute 'output_shape' has {0} entries but the input has {1} "
          "spatial dimensions",
          v->size(), spatial));
    attrs.push_back(n.namedI64Array("output_shape", *v));
  }
  SmallVector<Value> operands = {x, w};
  if (bias)
    operands.push_back(bias);
  return n.setOutput(n.create<nn::ConvTransposeOp>(operands, attrs));
}

/// The most sampling points (kernel taps x output positions, per offset
/// group) DeformConv's constant base grid may hold (2^24).
constexpr int64_t kMaxDeformConvPoints = int64_t(1) << 24;

/// DeformConv (opset 19), 2-D: a convolution whose kernel taps sample the
/// input at their position plus a learned offset, bilinearly (zero
/// outside), weighted by an optional mask. Each tap's pixel position (the
/// constant base grid of strides, pads and dilations, plus the offsets) is
/// sampled with nn.grid_sample per offset group; the samples times the mask
/// are the columns of a grouped matmul with the weights. Channels, spatial
/// sizes and the kernel must be static (the batch may be dynamic).
static LogicalResult convertDeformConv(NodeContext &n) {
  Value x = n.input(0), w = n.input(1), offset = n.input(2);
  Value bias = n.optionalInput(3), mask = n.optionalInput(4);
  if (n.failed() || failed(requireFloat(n, x, "DeformConv")) ||
      failed(checkKernelShape(n, w)))
    return failure();
  RankedTensorType xType = typeOf(x), wType = typeOf(w),
                   offsetType = typeOf(offset);
  if (xType.getRank() != 4 || wType.getRank() != 4 || offsetType.getRank() != 4)
    return n.unsupported(llvm::formatv(
        "DeformConv of X {0}, W {1} and offset {2}: ddl takes the 2-D form "
        "(all of rank 4)",
        xType, wType, offsetType));
  auto staticDims = [](RankedTensorType t, int64_t from) {
    return llvm::all_of(t.getShape().drop_front(from),
                        [](int64_t d) { return !ShapedType::isDynamic(d); });
  };
  if (!staticDims(xType, 1) || !wType.hasStaticShape() ||
      !staticDims(offsetType, 1))
    return n.unsupported("DeformConv with dynamic channels, spatial sizes or "
                         "kernel (only the batch may be dynamic)");
  int64_t channels = xType.getDimSize(1), height = xType.getDimSize(2),
          width = xType.getDimSize(3);
  int64_t outChannels = wType.getDimSize(0), kh = wType.getDimSize(2),
          kw = wType.getDimSize(3);
  int64_t group = n.attrInt("group", 1);
  int64_t offsetGroup = n.attrInt("offset_group", 1);
  SmallVector<int64_t> strides = n.attrIntsOr("strides", {1, 1});
  SmallVector<int64_t> dilations = n.attrIntsOr("dilations", {1, 1});
  SmallVector<int64_t> pads = n.attrIntsOr("pads", {0, 0, 0, 0});
  if (n.failed())
    return failure();
  // Bounded so that the size arithmetic below cannot overflow.
  auto within = [](ArrayRef<int64_t> values, int64_t low) {
    return llvm::all_of(values, [&](int64_t v) {
      return v >= low && v <= kMaxDeformConvPoints;
    });
  };
  if (!within({group, offsetGroup}, 1))
    return n.error("group and offset_group must be in [1, 2^24]");
  if (channels % group != 0 || outChannels % group != 0 ||
      wType.getDimSize(1) * group != channels || channels % offsetGroup != 0)
    return n.error(llvm::formatv(
        "group ({0}) must divide the {1} input and {2} output channels, W's "
        "dimension 1 ({3}) must be channels / group, and offset_group ({4}) "
        "must divide the channels",
        group, channels, outChannels, wType.getDimSize(1), offsetGroup));
  if (strides.size() != 2 || dilations.size() != 2 || pads.size() != 4 ||
      !within(strides, 1) || !within(dilations, 1) || !within(pads, 0))
    return n.error("strides and dilations need 2 entries in [1, 2^24], pads "
                   "4 entries in [0, 2^24]");
  if (!within({kh, kw}, 1) || kh * kw > kMaxDeformConvPoints)
    return n.unsupported("DeformConv kernels of more than 2^24 taps");
  int64_t taps = kh * kw;
  int64_t outH =
      (height + pads[0] + pads[2] - (kh - 1) * dilations[0] - 1) / strides[0] +
      1;
  int64_t outW =
      (width + pads[1] + pads[3] - (kw - 1) * dilations[1] - 1) / strides[1] +
      1;
  if (outH < 1 || outW < 1 ||
      offsetType.getDimSize(1) != offsetGroup * taps * 2 ||
      offsetType.getDimSize(2) != outH || offsetType.getDimSize(3) != outW)
    return n.error(llvm::formatv(
        "offset must be [N, {0}, {1}, {2}] (offset_group x kernel taps x 2, "
        "the output's size), got {3}",
        offsetGroup * taps * 2, outH, outW, offsetType));
  if (outH > kMaxDeformConvPoints || outW > kMaxDeformConvPoints ||
      taps * outH > kMaxDeformConvPoints ||
      taps * outH * outW > kMaxDeformConvPoints)
    return n.unsupported("DeformConv of more than 2^24 sampling points");
  if (mask) {
    RankedTensorType maskType = typeOf(mask);
    if (maskType.getRank() != 4 || maskType.isDynamicDim(1) ||
        maskType.getDimSize(1) != offsetGroup * taps ||
        maskType.getDimSize(2) != outH || maskType.getDimSize(3) != outW)
      return n.error(llvm::formatv("mask must be [N, {0}, {1}, {2}], got {3}",
                                   offsetGroup * taps, outH, outW, maskType));
  }
  Type element = elementOf(x);
  auto reshape = [&](Value v, ArrayRef<int64_t> shape) {
    return n.create<nn::ReshapeOp>({v, n.constI64(shape)});
  };
  auto constant = [&](ArrayRef<double> values, ArrayRef<int64_t> shape) {
    SmallVector<Attribute> attrs = llvm::map_to_vector(values, [&](double v) {
      return Attribute(n.builder().getFloatAttr(element, v));
    });
    return nn::ConstantOp::create(
        n.builder(), n.loc(),
        DenseElementsAttr::get(RankedTensorType::get(shape, element), attrs));
  };

  // Pixel positions (y, x) of every tap at every output position, before
  // the offsets: [taps, outH, outW, 2].
  SmallVector<double> base;
  base.reserve(taps * outH * outW * 2);
  for (int64_t i = 0; i < kh; ++i)
    for (int64_t j = 0; j < kw; ++j)
      for (int64_t oy = 0; oy < outH; ++oy)
        for (int64_t ox = 0; ox < outW; ++ox) {
          base.push_back(oy * strides[0] - pads[0] + i * dilations[0]);
          base.push_back(ox * strides[1] - pads[1] + j * dilations[1]);
        }
  // offset [N, og * taps * 2, outH, outW] -> [N, og, taps, outH, outW, 2].
  Value positions = n.create<nn::TransposeOp>(
      {reshape(offset, {-1, offsetGroup, taps, 2, outH, outW})},
      {n.namedI64Array("perm", {0, 1, 2, 4, 5, 3})});
  positions = n.create<nn::AddOp>(
      {n.castTo(positions, element), constant(base, {taps, outH, outW, 2})});
  // grid_sample's normalized (x, y) of pixel p in a size-S axis, without
  // corner alignment: (2 p + 1) / S - 1 (valid for S = 1 too).
  Value normalized = n.create<nn::SubOp>(
      {n.create<nn::DivOp>(
           {n.create<nn::AddOp>(
                {n.create<nn::MulOp>({positions, n.constScalar(element, 2)}),
                 n.constScalar(element, 1)}),
            constant({double(height), double(width)}, {2})}),
       n.constScalar(element, 1)});
  Value grid = n.create<nn::GatherOp>({normalized, n.constI64({1, 0})},
                                      {n.namedI64("axis", 5)});
  int64_t groupChannels = channels / offsetGroup;
  Value sampled = n.create<nn::GridSampleOp>(
      {reshape(x, {-1, groupChannels, height, width}),
       reshape(grid, {-1, taps * outH, outW, 2})},
      {n.named("mode", nn::GridSampleModeAttr::get(
                           n.context(), nn::GridSampleMode::Bilinear)),
       n.named("padding_mode", nn::GridSamplePaddingAttr::get(
                                   n.context(), nn::GridSamplePadding::Zeros)),
       n.namedBool("align_corners", false)});
  // [N * og, C / og, taps * outH, outW], times the mask of each tap.
  if (mask)
    sampled =
        n.create<nn::MulOp>({sampled, reshape(n.castTo(mask, element),
                                              {-1, 1, taps * outH, outW})});
  // Columns per convolution group: [N, group, C / group * taps, outH * outW];
  // weights [group, out / group, C / group * taps].
  int64_t perGroup = channels / group;
  Value columns = reshape(sampled, {-1, group, perGroup * taps, outH * outW});
  Value weights = reshape(n.castTo(w, element),
                          {group, outChannels / group, perGroup * taps});
  Value y = reshape(n.create<nn::MatMulOp>({weights, columns}),
                    {-1, outChannels, outH, outW});
  if (bias)
    y = n.create<nn::AddOp>(
        {y, reshape(n.castTo(bias, element), {1, outChannels, 1, 1})});
  return n.setOutput(y);
}

/// MaxPool, AveragePool and LpPool: kernel_shape, ceil_mode and the window
/// attributes, plus `extra`.
template <typename OpT>
static Value createPool(NodeContext &n, StringRef what, Value x,
                        ArrayRef<NamedAttribute> extra) {
  if (failed(requireFloat(n, x, what)))
    return n.fail();
  std::optional<SmallVector<int64_t>> kernel = n.attrInts("kernel_shape");
  if (!kernel) {
    if (!n.failed())
      (void)n.error("attribute 'kernel_shape' is required");
    return n.fail();
  }
  SmallVector<NamedAttribute> attrs = {
      n.namedI64Array("kernel_shape", *kernel),
      n.namedBool("ceil_mode", n.attrInt("ceil_mode", 0) != 0)};
  if (failed(appendWindowAttrs(n, attrs)))
    return n.fail();
  attrs.append(extra.begin(), extra.end());
  return n.create<OpT>({x}, attrs);
}

static Value convertMaxPoolValues(NodeContext &n, Value x);

/// MaxPool's Indices output: for each window, the position of its (first)
/// maximum in the flattened input ((n * C + c) * H * W + h * W + w, or
/// with storage_order 1 (n * C + c) * H * W + w * H + h). Built from
/// existing ops, for inputs of static shape: the input padded with -inf
/// and a tensor of those positions padded with -1 are sliced once per
/// kernel offset (strided like the windows), and a running strict
/// maximum keeps the first largest value's position.
static Value maxPoolIndices(NodeContext &n, Value x) {
  RankedTensorType type = n.inputType(0);
  if (!type.hasStaticShape()) {
    (void)n.unsupported("the Indices output of MaxPool on a dynamic shape");
    return n.fail();
  }
  if (n.attrString("auto_pad", "NOTSET") != "NOTSET") {
    (void)n.unsupported("the Indices output of MaxPool with auto_pad");
    return n.fail();
  }
  int64_t rank = type.getRank(), spatial = rank - 2;
  SmallVector<int64_t> kernel =
      n.attrInts("kernel_shape").value_or(SmallVector<int64_t>{});
  SmallVector<int64_t> strides =
      n.attrInts("strides").value_or(SmallVector<int64_t>(spatial, 1));
  SmallVector<int64_t> dilations =
      n.attrInts("dilations").value_or(SmallVector<int64_t>(spatial, 1));
  SmallVector<int64_t> pads =
      n.attrInts("pads").value_or(SmallVector<int64_t>(2 * spatial, 0));
  if (spatial < 1 || static_cast<int64_t>(kernel.size()) != spatial ||
      static_cast<int64_t>(strides.size()) != spatial ||
      static_cast<int64_t>(dilations.size()) != spatial ||
      static_cast<int64_t>(pads.size()) != 2 * spatial) {
    (void)n.error("kernel_shape, strides, dilations and pads must match the "
                  "input's spatial rank");
    return n.fail();
  }
  bool ceil = n.attrInt("ceil_mode", 0) != 0;
  bool columnMajor = n.attrInt("storage_order", 0) != 0;
  ArrayRef<int64_t> shape = type.getShape();
  // Output sizes, and the end padding that makes every window whole.
  SmallVector<int64_t> outSizes, padBegin(rank, 0), padEnd(rank, 0);
  for (int64_t d = 0; d < spatial; ++d) {
    int64_t in = shape[2 + d], span = (kernel[d] - 1) * dilations[d] + 1;
    int64_t room = in + pads[d] + pads[d + spatial] - span;
    if (room < 0) {
      (void)n.error("a MaxPool window is larger than the padded input");
      return n.fail();
    }
    int64_t out =
        (ceil ? llvm::divideCeil(room, strides[d]) : room / strides[d]) + 1;
    // A last window starting past the input and its begin padding goes.
    if (ceil && (out - 1) * strides[d] >= in + pads[d])
      --out;
    outSizes.push_back(out);
    padBegin[2 + d] = pads[d];
    padEnd[2 + d] = std::max<int64_t>(
        pads[d + spatial], (out - 1) * strides[d] + span - in - pads[d]);
  }
  OpBuilder &b = n.builder();
  auto pad = [&](Value v, Value fill) {
    SmallVector<int64_t> amounts(padBegin);
    amounts.append(padEnd);
    return n.create<nn::PadOp>(
        {v, n.constI64(amounts), fill},
        {n.named("mode",
                 nn::PadModeAttr::get(n.context(), nn::PadMode::Constant))});
  };
  Value values = pad(
      n.castTo(x, b.getF32Type()),
      n.constScalar(b.getF32Type(), -std::numeric_limits<double>::infinity()));
  // The positions, counted in storage order.
  SmallVector<int64_t> stored(shape);
  if (columnMajor)
    std::swap(stored[rank - 2], stored[rank - 1]);
  Value positions = n.create<nn::RangeOp>(
      {n.constI64({0}, /*scalar=*/true),
       n.constI64({type.getNumElements()}, /*scalar=*/true),
       n.constI64({1}, /*scalar=*/true)});
  positions = n.create<nn::ReshapeOp>({positions, n.constI64(stored)});
  if (columnMajor) {
    SmallVector<int64_t> perm = llvm::to_vector(llvm::seq<int64_t>(0, rank));
    std::swap(perm[rank - 2], perm[rank - 1]);
    positions =
        n.create<nn::TransposeOp>({positions}, {n.namedI64Array("perm", perm)});
  }
  positions = pad(positions, n.constScalar(b.getI64Type(), -1));
  // One strided slice per kernel offset, in the window's row-major order.
  SmallVector<int64_t> axes = llvm::to_vector(llvm::seq<int64_t>(2, rank));
  SmallVector<int64_t> offset(spatial, 0);
  Value best, where;
  while (true) {
    SmallVector<int64_t> starts, ends;
    for (int64_t d = 0; d < spatial; ++d) {
      starts.push_back(offset[d] * dilations[d]);
      ends.push_back(starts.back() + (outSizes[d] - 1) * strides[d] + 1);
    }
    auto slice = [&](Value v) {
      return n.create<nn::SliceOp>({v, n.constI64(starts), n.constI64(ends),
                                    n.constI64(axes), n.constI64(strides)},
                                   {n.segments({1, 1, 1, 1, 1})});
    };
    Value v = slice(values), p = slice(positions);
    if (!best) {
      best = v;
      where = p;
    } else {
      Value greater = n.create<nn::GreaterOp>({v, best});
      best = n.create<nn::WhereOp>({greater, v, best});
      where = n.create<nn::WhereOp>({greater, p, where});
    }
    int64_t d = spatial - 1;
    while (d >= 0 && ++offset[d] == kernel[d])
      offset[d--] = 0;
    if (d < 0)
      break;
  }
  return where;
}

static LogicalResult convertMaxPool(NodeContext &n) {
  Value x = n.input(0);
  if (x && n.hasOutput(1)) {
    Value pooled = convertMaxPoolValues(n, x);
    Value indices = pooled ? maxPoolIndices(n, x) : Value();
    if (!indices)
      return failure();
    return n.setOutputs({pooled, indices});
  }
  if (!x)
    return failure();
  return n.setOutput(convertMaxPoolValues(n, x));
}

/// MaxPool's Y.
static Value convertMaxPoolValues(NodeContext &n, Value x) {
  Type element = elementOf(x);
  auto integer = dyn_cast<IntegerType>(element);
  if (!integer || integer.getWidth() > 16 || integer.getWidth() == 1)
    return createPool<nn::MaxPoolOp>(n, "MaxPool", x, {});
  // Integers (int8 / uint8 from opset 12): f32 holds every 8- or 16-bit
  // value exactly, so the max of the cast is the cast of the max, unless a
  // window lies wholly in the padding (then there is no element to take).
  SmallVector<int64_t> kernel =
      n.attrInts("kernel_shape").value_or(SmallVector<int64_t>{});
  SmallVector<int64_t> dilations =
      n.attrInts("dilations").value_or(SmallVector<int64_t>{});
  SmallVector<int64_t> pads =
      n.attrInts("pads").value_or(SmallVector<int64_t>{});
  for (auto [i, pad] : llvm::enumerate(pads)) {
    if (kernel.empty())
      break;
    size_t axis = i % kernel.size();
    int64_t dilation = axis < dilations.size() ? dilations[axis] : 1;
    if (pad >= (kernel[axis] - 1) * dilation + 1) {
      (void)n.unsupported(llvm::formatv(
          "MaxPool on {0} tensors with pads ({1}) as large as the window: a "
          "window may hold only padding",
          element, pad));
      return n.fail();
    }
  }
  Value pooled = createPool<nn::MaxPoolOp>(
      n, "MaxPool", n.castTo(x, n.builder().getF32Type()), {});
  return pooled ? n.castTo(pooled, element) : n.fail();
}

static LogicalResult convertAveragePool(NodeContext &n) {
  return n.setOutput(createPool<nn::AvgPoolOp>(
      n, "AveragePool", n.input(0),
      {n.namedBool("count_include_pad",
                   n.attrInt("count_include_pad", 0) != 0)}));
}

static LogicalResult convertLpPool(NodeContext &n) {
  return n.setOutput(createPool<nn::LpPoolOp>(
      n, "LpPool", n.input(0), {n.namedI64("p", n.attrInt("p", 2))}));
}

template <typename OpT> static LogicalResult convertGlobalPool(NodeContext &n) {
  Value x = n.input(0);
  if (failed(requireFloat(n, x, n.node().op_type())))
    return failure();
  return n.setOutput(n.create<OpT>({x}));
}

/// GlobalLpPool: (sum over the spatial axes of |x|^p)^(1/p), kept as size 1.
static LogicalResult convertGlobalLpPool(NodeContext &n) {
  Value x = n.input(0);
  if (failed(requireFloat(n, x, "GlobalLpPool")))
    return failure();
  int64_t rank = typeOf(x).getRank();
  if (rank < 3)
    return n.error(llvm::formatv(
        "input must be N x C x spatial... (rank >= 3), got rank {0}", rank));
  int64_t p = n.attrInt("p", 2);
  if (p < 1)
    return n.error(llvm::formatv("attribute 'p' must be >= 1, got {0}", p));
  SmallVector<int64_t> axes = axesFrom(2, rank);
  if (p == 1)
    return n.setOutput(reduce(n, x, nn::ReduceKind::L1, axes));
  if (p == 2)
    return n.setOutput(reduce(n, x, nn::ReduceKind::L2, axes));
  Value powered = n.create<nn::PowOp>(
      {n.create<nn::AbsOp>({x}), scalarLike(n, x, static_cast<double>(p))});
  Value sum = reduce(n, powered, nn::ReduceKind::Sum, axes);
  return n.setOutput(n.create<nn::PowOp>(
      {sum, scalarLike(n, x, 1.0 / static_cast<double>(p))}));
}

//===----------------------------------------------------------------------===//
// Normalizations
//===----------------------------------------------------------------------===//

/// The type to compute in when float types `types` differ: f64 if any is,
/// else f32.
static Type commonFloatType(NodeContext &n, ArrayRef<Type> types) {
  if (llvm::any_of(types, [](Type t) { return t.isF64(); }))
    return n.builder().getF64Type();
  return n.builder().getF32Type();
}

/// BatchNormalization with training_mode = 1 (opset 14+): normalized by
/// the batch's own statistics (mean and population variance over every
/// axis but the channels), with the running mean / variance updated as
/// running * momentum + batch * (1 - momentum) as outputs 1 and 2.
static LogicalResult convertBatchNormTraining(NodeContext &n) {
  if (n.numOutputs() > 3)
    return n.error(llvm::formatv("training mode has at most 3 outputs (Y, "
                                 "running_mean, running_var), got {0}",
                                 n.numOutputs()));
  Value x = n.input(0), scale = n.input(1), bias = n.input(2),
        mean = n.input(3), var = n.input(4);
  float epsilon = n.attrFloat("epsilon", 1e-5f);
  float momentum = n.attrFloat("momentum", 0.9f);
  if (n.failed() || failed(requireFloat(n, x, "BatchNormalization")))
    return failure();
  for (Value v : {scale, bias, mean, var})
    if (failed(requireFloat(n, v, "BatchNormalization")))
      return failure();
  int64_t rank = typeOf(x).getRank();
  if (rank < 2)
    return n.error(llvm::formatv(
        "input must be N x C x ... (rank >= 2), got rank {0}", rank));
  SmallVector<int64_t> axes = {0};
  axes.append(axesFrom(2, rank));
  Value batchMean = reduce(n, x, nn::ReduceKind::Mean, axes);
  Value centered = n.create<nn::SubOp>({x, batchMean});
  Value batchVar = reduce(n, n.create<nn::MulOp>({centered, centered}),
                          nn::ReduceKind::Mean, axes, /*keepdims=*/false);
  batchMean =
      n.create<nn::SqueezeOp>({batchMean}, {n.namedI64Array("axes", axes)});
  Value y = n.create<nn::BatchNormOp>({x, n.castTo(scale, elementOf(x)),
                                       n.castTo(bias, elementOf(x)), batchMean,
                                       batchVar},
                                      {n.namedF32("epsilon", epsilon)});
  auto running = [&](Value old, Value batch) {
    Type element = elementOf(old);
    return n.create<nn::AddOp>(
        {n.create<nn::MulOp>({old, n.constScalar(element, momentum)}),
         n.create<nn::MulOp>({n.castTo(batch, element),
                              n.constScalar(element, 1.0 - momentum)})});
  };
  return n.setOutputs({y, running(mean, batchMean), running(var, batchVar)});
}

static LogicalResult convertBatchNorm(NodeContext &n) {
  if (n.attrInt("training_mode", 0) != 0)
    return convertBatchNormTraining(n);
  for (size_t i = 1; i < n.numOutputs(); ++i)
    if (n.hasOutput(i))
      return n.unsupported(llvm::formatv(
          "output #{0} '{1}': the mean / variance outputs exist only in "
          "training mode",
          i, n.node().output(i)));
  Value x = n.input(0), scale = n.input(1), bias = n.input(2),
        mean = n.input(3), var = n.input(4);
  float epsilon = n.attrFloat("epsilon", 1e-5f);
  if (n.failed() || failed(requireFloat(n, x, "BatchNormalization")))
    return failure();
  SmallVector<Value> params = {scale, bias, mean, var};
  for (Value v : params)
    if (failed(requireFloat(n, v, "BatchNormalization")))
      return failure();

  // Opset 15 lets scale/bias and mean/var have their own float types:
  // compute in one type wide enough for all and cast the result back.
  Type element = elementOf(x);
  SmallVector<Type> types = {element};
  for (Value v : params)
    types.push_back(elementOf(v));
  bool mixed = llvm::any_of(types, [&](Type t) { return t != element; });
  Type compute = mixed ? commonFloatType(n, types) : element;
  Value xc = n.castTo(x, compute);
  for (Value &v : params)
    v = n.castTo(v, compute);

  // Opset 7-8, spatial = 0: statistics per activation (C x D1 x ... x Dn),
  // which broadcast against N x C x D1 x ... x Dn as they are.
  Value y;
  int64_t rank = typeOf(x).getRank();
  if (n.opset() < 9 && n.attrInt("spatial", 1) == 0 && rank > 2) {
    const char *names[] = {"scale", "B", "mean", "var"};
    for (auto [v, name] : llvm::zip(params, names))
      if (typeOf(v).getRank() != rank - 1)
        return n.error(llvm::formatv(
            "with spatial = 0, input '{0}' must be C x D1 x ... x Dn (rank "
            "{1}), got rank {2}",
            name, rank - 1, typeOf(v).getRank()));
    Value centered = n.create<nn::SubOp>({xc, params[2]});
    Value denom = n.create<nn::SqrtOp>(
        {n.create<nn::AddOp>({params[3], scalarLike(n, xc, epsilon)})});
    Value normalized = n.create<nn::DivOp>({centered, denom});
    y = n.create<nn::AddOp>(
        {n.create<nn::MulOp>({normalized, params[0]}), params[1]});
  } else {
    y = n.create<nn::BatchNormOp>(
        {xc, params[0], params[1], params[2], params[3]},
        {n.namedF32("epsilon", epsilon)});
  }
  return n.setOutput(n.castTo(y, element));
}

static LogicalResult convertInstanceNorm(NodeContext &n) {
  Value x = n.input(0), scale = n.input(1), bias = n.input(2);
  if (n.failed() || failed(requireFloat(n, x, "InstanceNormalization")))
    return failure();
  return n.setOutput(n.create<nn::InstanceNormOp>(
      {x, scale, bias},
      {n.namedF32("epsilon", n.attrFloat("epsilon", 1e-5f))}));
}

/// The `stash_type` attribute of LayerNormalization and GroupNormalization
/// (the type statistics are computed in; ONNX's default is float) as an
/// MLIR type; null after reporting a type that is not floating-point.
static Type stashTypeAttr(NodeContext &n) {
  int64_t stashType = n.attrInt("stash_type", onnx::TensorProto::FLOAT);
  if (n.failed())
    return {};
  Type stash = convertElementType(n.context(), stashType);
  if (!stash || !isa<FloatType>(stash)) {
    (void)n.error(llvm::formatv(
        "attribute 'stash_type' must be a floating-point type, got {0}",
        stashType));
    return {};
  }
  return stash;
}

/// The wider of two float types: what a normalization computes in, given
/// its input's type and its stash type.
static Type widerFloat(Type a, Type b) {
  return b.getIntOrFloatBitWidth() > a.getIntOrFloatBitWidth() ? b : a;
}

/// LayerNormalization (opset 17). With the Mean / InvStdDev outputs it
/// decomposes as ONNX's function body does, in the stash type.
static LogicalResult convertLayerNorm(NodeContext &n) {
  Value x = n.input(0), scale = n.input(1), bias = n.optionalInput(2);
  if (n.failed())
    return failure();
  std::optional<int64_t> axis = floatAxisOperand(n, x, "LayerNormalization");
  if (!axis)
    return failure();
  int64_t rank = typeOf(x).getRank();
  float epsilon = n.attrFloat("epsilon", 1e-5f);
  Type stash = stashTypeAttr(n);
  if (!stash)
    return failure();
  Type element = elementOf(x);

  if (!n.hasOutput(1) && !n.hasOutput(2)) {
    Type compute = widerFloat(element, stash);
    SmallVector<Value> operands = {n.castTo(x, compute),
                                   n.castTo(scale, compute)};
    if (bias)
      operands.push_back(n.castTo(bias, compute));
    Value y = n.create<nn::LayerNormOp>(
        operands, {n.namedI64("axis", *axis), n.namedF32("epsilon", epsilon)});
    return n.setOutput(n.castTo(y, element));
  }

  SmallVector<int64_t> axes = axesFrom(*axis, rank);
  Value xu = n.castTo(x, stash);
  Value mean = reduce(n, xu, nn::ReduceKind::Mean, axes);
  Value centered = n.create<nn::SubOp>({xu, mean});
  Value var = reduce(n, n.create<nn::MulOp>({centered, centered}),
                     nn::ReduceKind::Mean, axes);
  Value stdDev = n.create<nn::SqrtOp>(
      {n.create<nn::AddOp>({var, scalarLike(n, var, epsilon)})});
  Value invStdDev = n.create<nn::ReciprocalOp>({stdDev});
  Value normalized =
      n.castTo(n.create<nn::MulOp>({centered, invStdDev}), element);
  Value y = n.create<nn::MulOp>({normalized, scale});
  if (bias)
    y = n.create<nn::AddOp>({y, bias});
  return n.setOutputs({y, mean, invStdDev});
}

/// Opset 18's per-group GroupNormalization scale or bias ([num_groups]) as
/// the per-channel values nn.group_norm takes ([C]): each group's value
/// repeated over its C / num_groups channels.
static Value perChannel(NodeContext &n, Value perGroup, Value x,
                        int64_t groups) {
  RankedTensorType type = typeOf(x);
  if (!perGroup || !type || n.failed())
    return n.fail();
  Value channelsPerGroup =
      type.isDynamicDim(1)
          ? n.create<nn::DivOp>(
                {n.create<nn::ShapeOfOp>(
                     {x}, {n.namedI64("start", 1), n.namedI64("end", 2)}),
                 n.constI64({groups})})
          : n.constI64({type.getDimSize(1) / groups});
  Value column = n.create<nn::ReshapeOp>({perGroup, n.constI64({groups, 1})});
  Value repeated = n.create<nn::ExpandOp>(
      {column, n.create<nn::ConcatOp>({n.constI64({groups}), channelsPerGroup},
                                      {n.namedI64("axis", 0)})});
  return n.create<nn::ReshapeOp>({repeated, n.constI64({-1})});
}

/// GroupNormalization: opset 18 scales and shifts each group (scale and
/// bias hold num_groups values) and computes in the input's type; opset 21
/// scales and shifts each channel (C values) and computes the statistics
/// in `stash_type` (float by default).
static LogicalResult convertGroupNorm(NodeContext &n) {
  Value x = n.input(0), scale = n.input(1), bias = n.input(2);
  std::optional<int64_t> groups = n.attrInt("num_groups");
  if (n.failed() || failed(requireFloat(n, x, "GroupNormalization")))
    return failure();
  if (!groups)
    return n.error("attribute 'num_groups' is required");
  RankedTensorType type = typeOf(x);
  if (type.getRank() < 2)
    return n.error(llvm::formatv(
        "input must be N x C x ... (rank >= 2), got rank {0}", type.getRank()));
  if (*groups < 1 ||
      (!type.isDynamicDim(1) && type.getDimSize(1) % *groups != 0))
    return n.error(llvm::formatv(
        "attribute 'num_groups' ({0}) must be >= 1 and divide the {1} "
        "channels",
        *groups, type.getDimSize(1)));
  Type element = elementOf(x), compute = element;
  if (n.opset() >= 21) {
    Type stash = stashTypeAttr(n);
    if (!stash)
      return failure();
    compute = widerFloat(element, stash);
  } else {
    scale = perChannel(n, scale, x, *groups);
    bias = perChannel(n, bias, x, *groups);
  }
  Value y = n.create<nn::GroupNormOp>(
      {n.castTo(x, compute), n.castTo(scale, compute), n.castTo(bias, compute)},
      {n.namedI64("num_groups", *groups),
       n.namedF32("epsilon", n.attrFloat("epsilon", 1e-5f))});
  return n.setOutput(n.castTo(y, element));
}

/// LRN: x / (bias + alpha / size * square_sum)^beta, where square_sum adds
/// the squares over a window of `size` channels around each channel. The
/// window sum is an avg_pool (counting the zero padding) over the channels
/// moved into a spatial position: N x 1 x C x D1 x ... x Dk.
static LogicalResult convertLRN(NodeContext &n) {
  Value x = n.input(0);
  if (failed(requireFloat(n, x, "LRN")))
    return failure();
  std::optional<int64_t> size = n.attrInt("size");
  if (!size)
    return n.failed() ? failure() : n.error("attribute 'size' is required");
  if (*size < 1)
    return n.error(
        llvm::formatv("attribute 'size' must be >= 1, got {0}", *size));
  float alpha = n.attrFloat("alpha", 1e-4f), beta = n.attrFloat("beta", 0.75f),
        bias = n.attrFloat("bias", 1.0f);
  int64_t rank = typeOf(x).getRank();
  if (rank < 2)
    return n.error(llvm::formatv(
        "input must be N x C x D1 x ... x Dk (rank >= 2), got rank {0}", rank));
  if (n.failed())
    return failure();
  // Channels c - floor((size - 1) / 2) .. c + ceil((size - 1) / 2).
  int64_t before = (*size - 1) / 2, after = *size - 1 - before;
  int64_t spatial = rank - 1;
  SmallVector<int64_t> kernel(spatial, 1), pads(2 * spatial, 0);
  kernel[0] = *size;
  pads[0] = before;
  pads[spatial] = after;
  Value squares = n.create<nn::MulOp>({x, x});
  Value lifted =
      n.create<nn::UnsqueezeOp>({squares}, {n.namedI64Array("axes", {1})});
  // The average over the window is square_sum / size.
  Value average = n.create<nn::AvgPoolOp>(
      {lifted},
      {n.namedI64Array("kernel_shape", kernel), n.namedI64Array("pads", pads),
       n.namedBool("count_include_pad", true)});
  Value windowMean =
      n.create<nn::SqueezeOp>({average}, {n.namedI64Array("axes", {1})});
  Value base = n.create<nn::AddOp>(
      {scalarLike(n, x, bias),
       n.create<nn::MulOp>({scalarLike(n, x, alpha), windowMean})});
  Value denom = n.create<nn::PowOp>({base, scalarLike(n, x, beta)});
  return n.setOutput(n.create<nn::DivOp>({x, denom}));
}

/// MeanVarianceNormalization, as ONNX's function body:
/// (x - E[x]) / (sqrt(E[x^2] - E[x]^2) + 1e-9) over `axes`.
static LogicalResult convertMVN(NodeContext &n) {
  Value x = n.input(0);
  if (failed(requireFloat(n, x, "MeanVarianceNormalization")))
    return failure();
  SmallVector<int64_t> axes =
      n.attrInts("axes").value_or(SmallVector<int64_t>{0, 2, 3});
  if (n.failed())
    return failure();
  Value mean = reduce(n, x, nn::ReduceKind::Mean, axes);
  Value meanSquared = n.create<nn::MulOp>({mean, mean});
  Value squares = n.create<nn::MulOp>({x, x});
  Value meanOfSquares = reduce(n, squares, nn::ReduceKind::Mean, axes);
  Value variance = n.create<nn::SubOp>({meanOfSquares, meanSquared});
  Value stdDev = n.create<nn::SqrtOp>({variance});
  Value denom = n.create<nn::AddOp>({stdDev, scalarLike(n, x, 1e-9)});
  Value centered = n.create<nn::SubOp>({x, mean});
  return n.setOutput(n.create<nn::DivOp>({centered, denom}));
}

/// LpNormalization: x / ||x||_p along `axis` (default -1), p 1 or 2, with
/// no epsilon (ONNX's reference divides by the norm as it is).
static LogicalResult convertLpNormalization(NodeContext &n) {
  Value x = n.input(0);
  if (!x)
    return failure();
  std::optional<int64_t> axis = floatAxisOperand(n, x, "LpNormalization");
  int64_t p = n.attrInt("p", 2);
  if (!axis || n.failed())
    return failure();
  if (p != 1 && p != 2)
    return n.error(llvm::formatv("attribute 'p' must be 1 or 2, got {0}", p));
  Value norm =
      reduce(n, x, p == 1 ? nn::ReduceKind::L1 : nn::ReduceKind::L2, {*axis});
  return n.setOutput(n.create<nn::DivOp>({x, norm}));
}

//===----------------------------------------------------------------------===//
// Softmax family
//===----------------------------------------------------------------------===//

/// Softmax, LogSoftmax and Hardmax. From opset 13 they work along `axis`
/// (default -1). Before, the input is coerced to 2-D at `axis` (default
/// 1), [prod(d[:axis]), prod(d[axis:])], the op runs along dimension 1
/// and the result takes the input's shape back.
template <typename OpT> static LogicalResult convertSoftmax(NodeContext &n) {
  Value x = n.input(0);
  if (!x)
    return failure();
  if (n.opset() >= 13)
    return n.setOutput(
        n.create<OpT>({x}, {n.namedI64("axis", n.attrInt("axis", -1))}));
  int64_t rank = typeOf(x).getRank();
  if (rank == 0)
    return n.error("input must have rank >= 1");
  // Opset 1 allowed axis = rank too ([prod(d), 1]); opset 11 stops at r-1.
  std::optional<int64_t> axis = normalizeAxis(n, n.attrInt("axis", 1), rank,
                                              n.opset() < 11 ? rank : rank - 1);
  if (!axis)
    return failure();
  // Coerced at the last axis, rows are the last dimension already.
  if (*axis == rank - 1)
    return n.setOutput(n.create<OpT>({x}, {n.namedI64("axis", -1)}));
  Value flat = n.create<nn::FlattenOp>({x}, {n.namedI64("axis", *axis)});
  Value result = n.create<OpT>({flat}, {n.namedI64("axis", 1)});
  Value shape = n.create<nn::ShapeOfOp>({x});
  // allowzero: a 0 in the shape is a size, not "copy this dimension".
  return n.setOutput(n.create<nn::ReshapeOp>({result, shape},
                                             {n.namedBool("allowzero", true)}));
}

static LogicalResult convertEinsum(NodeContext &n) {
  if (!n.hasAttr("equation"))
    return n.error("attribute 'equation' is required");
  std::string equation = n.attrString("equation", "");
  return n.setOutput(n.create<nn::EinsumOp>(
      n.inputsFrom(0),
      {n.named("equation", StringAttr::get(n.context(), equation))}));
}

/// TopK: k is an input from opset 10, an attribute before; largest and
/// sorted exist from opset 11 (before, both are effectively true).
static LogicalResult convertTopK(NodeContext &n) {
  Value k;
  if (n.opset() < 10) {
    std::optional<int64_t> attr = n.attrInt("k");
    if (!attr)
      return n.error("attribute 'k' is required before opset 10");
    k = n.constI64({*attr});
  } else {
    k = n.input(1);
  }
  Operation *op = n.createOp<nn::TopKOp>(
      {n.input(0), k}, {n.namedI64("axis", n.attrInt("axis", -1)),
                        n.namedBool("largest", n.attrInt("largest", 1) != 0),
                        n.namedBool("sorted", n.attrInt("sorted", 1) != 0)});
  if (!op)
    return failure();
  return n.setOutputs(op->getResults());
}

/// The determinant of the square matrix whose entries are `entries`
/// (row-major, `size` x `size`, each a tensor over the batch dims), by
/// cofactor expansion along the first row.
static Value cofactorDeterminant(NodeContext &n, ArrayRef<Value> entries,
                                 int64_t size) {
  if (size == 1)
    return entries[0];
  Value result;
  for (int64_t col = 0; col < size; ++col) {
    SmallVector<Value> minor;
    for (int64_t i = 1; i < size; ++i)
      for (int64_t j = 0; j < size; ++j)
        if (j != col)
          minor.push_back(entries[i * size + j]);
    Value term = n.create<nn::MulOp>(
        {entries[col], cofactorDeterminant(n, minor, size - 1)});
    if (!result)
      result = term;
    else if (col % 2)
      result = n.create<nn::SubOp>({result, term});
    else
      result = n.create<nn::AddOp>({result, term});
  }
  return result;
}

/// Det of [*, M, M] matrices with a small static M, as a cofactor expansion
/// of gathered entries (M! products: larger matrices would need an LU
/// factorization nn has no op for).
static LogicalResult convertDet(NodeContext &n) {
  constexpr int64_t maxSize = 4;
  Value x = n.input(0);
  RankedTensorType type = n.inputType(0);
  if (!type)
    return failure();
  int64_t rank = type.getRank();
  if (rank < 2 || type.getDimSize(rank - 1) != type.getDimSize(rank - 2))
    return n.error(llvm::formatv(
        "input must be [*, M, M] square matrices, got {0}", type));
  int64_t size = type.getDimSize(rank - 1);
  if (ShapedType::isDynamic(size) || size < 1 || size > maxSize)
    return n.unsupported(llvm::formatv(
        "matrices of size {0}: Det decomposes only for a static 1 <= M <= {1}",
        ShapedType::isDynamic(size) ? std::string("?") : std::to_string(size),
        maxSize));
  SmallVector<Value> entries;
  for (int64_t i = 0; i < size; ++i) {
    Value row = n.create<nn::GatherOp>({x, n.constI64({i}, /*scalar=*/true)},
                                       {n.namedI64("axis", rank - 2)});
    for (int64_t j = 0; j < size; ++j)
      entries.push_back(
          n.create<nn::GatherOp>({row, n.constI64({j}, /*scalar=*/true)},
                                 {n.namedI64("axis", rank - 2)}));
  }
  if (n.failed())
    return failure();
  return n.setOutput(cofactorDeterminant(n, entries, size));
}

void registerNNConverters(ConverterRegistry &r) {
  r.add("Det", convertDet);
  r.add("MatMul", convertMatMul);
  r.add("Gemm", convertGemm);
  r.add("Einsum", convertEinsum);
  r.add("Conv", convertConv);
  r.add("ConvTranspose", convertConvTranspose);
  r.add("DeformConv", convertDeformConv, 19);
  r.add("MaxPool", convertMaxPool);
  // AveragePool-19 and LpPool-18 add dilations (LpPool also ceil_mode),
  // which createPool reads for every pooling.
  r.add("AveragePool", convertAveragePool, 19);
  r.add("LpPool", convertLpPool, 18);
  r.add("GlobalAveragePool", convertGlobalPool<nn::GlobalAvgPoolOp>);
  r.add("GlobalMaxPool", convertGlobalPool<nn::GlobalMaxPoolOp>);
  r.add("GlobalLpPool", convertGlobalLpPool);
  r.add("BatchNormalization", convertBatchNorm);
  r.add("InstanceNormalization", convertInstanceNorm);
  r.add("LayerNormalization", convertLayerNorm);
  r.add("GroupNormalization", convertGroupNorm, 21);
  r.add("LRN", convertLRN);
  r.add("MeanVarianceNormalization", convertMVN);
  r.add("LpNormalization", convertLpNormalization);
  r.add("Softmax", convertSoftmax<nn::SoftmaxOp>);
  r.add("LogSoftmax", convertSoftmax<nn::LogSoftmaxOp>);
  r.add("Hardmax", convertSoftmax<nn::HardmaxOp>);
  r.add("TopK", convertTopK);
}

} // namespace ddl::onnx_import
