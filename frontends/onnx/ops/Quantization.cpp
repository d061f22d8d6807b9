//===- Quantization.cpp - ONNX quantization ops to nn ---------------------===//
//
// The quantization ops decompose into nn ops that compute what the ONNX
// spec (opsets 10 to 17) says, exactly where ONNX fixes the arithmetic; the
// integer matmuls become lowbit.matmul (an int8 kernel) where it applies:
//
//   DequantizeLinear   (f32(x) - f32(zero_point)) * scale
//   QuantizeLinear     saturate(round_half_even(x / scale) + zero_point)
//   DynamicQuantizeLinear  the uint8 scale and zero point of ONNX's own
//                      function body, then QuantizeLinear
//   MatMul of two DequantizeLinear outputs (QDQ models)  lowbit.matmul of
//                      the integers times a_scale * b_scale (same limits)
//   MatMulInteger      lowbit.matmul (a [..., M, K], b [K, N], a scalar
//                      a_zp, a scalar or per-column b_zp); otherwise
//                      nn.matmul on i32 of (a - a_zp) and (b - b_zp)
//   QLinearMatMul      the same i32 product, requantized in f32 with
//                      a_scale * b_scale / y_scale
//   ConvInteger, QLinearConv  2-D, group 1, static shapes: channels-last
//                      im2col of the 8-bit input (padded with its zero
//                      point) times the weight as a [KH KW C, OC] matrix on
//                      lowbit.matmul; otherwise nn.conv on f32
//                      (nn.conv is float only), used only when the f32 sums
//                      are provably exact integers
//
// Scales and zero points are scalars (per tensor) or 1-D (per axis; per row
// of `a` / per column of `b` for the matmuls, per output channel for the
// convolutions); a 1-D one is reshaped to [1, .., C, .., 1] so it broadcasts
// along its axis.
//
// Precision notes:
//  * Saturation clips the rounded value to the target type's range before
//    nn.cast, so the cast only ever sees in-range integral values.
//  * QuantizeLinear of int32 `x` divides in f64, as the ONNX reference does
//    (NumPy promotes int32 / float32 to float64); float `x` divides in its
//    own type.
//  * The requantization of QLinearMatMul / QLinearConv multiplies the exact
//    i32 accumulator, converted to f32, by the f32 multiplier (as ONNX
//    Runtime does). A result lying within a few f32 ulps of a rounding tie
//    (x.5) may round differently from an exact real computation; ONNX does
//    not fix the precision of this step.
//  * DynamicQuantizeLinear of an all-zero (or empty-range) input would
//    divide 0 by 0 in the spec's function body; here, as in ONNX Runtime,
//    the scale is then 1 (zero point 0, y all 0).
//
//===----------------------------------------------------------------------===//

#include "dialects/lowbit/IntegerConv.h"
#include "dialects/lowbit/LowbitDialect.h"
#include "frontends/onnx/GraphImporter.h"
#include "lib/Support/ConstantData.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "llvm/Support/FormatVariadic.h"

#include <cmath>

using namespace mlir;

namespace ddl::onnx_import {

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

static RankedTensorType typeOf(Value v) {
  return v ? dyn_cast<RankedTensorType>(v.getType()) : RankedTensorType();
}

static Type elementOf(Value v) {
  RankedTensorType type = typeOf(v);
  return type ? type.getElementType() : Type();
}

/// The number of elements of `v` when its shape is static, else -1.
static int64_t staticNumElements(Value v) {
  RankedTensorType type = typeOf(v);
  return type && type.hasStaticShape() ? type.getNumElements() : -1;
}

/// The values an integer type holds (quantized types are at most 16 bits).
struct IntRange {
  int64_t min, max;
};
static std::optional<IntRange> rangeOf(Type type) {
  auto integer = dyn_cast_or_null<IntegerType>(type);
  if (!integer || integer.getWidth() < 2 || integer.getWidth() > 16)
    return std::nullopt;
  unsigned width = integer.getWidth();
  if (integer.isUnsigned())
    return IntRange{0, (int64_t(1) << width) - 1};
  return IntRange{-(int64_t(1) << (width - 1)),
                  (int64_t(1) << (width - 1)) - 1};
}

/// Checks that input `i` is an integer tensor of at most 16 bits (ONNX
/// restricts these ops to 8-bit ones); returns its element type.
static Type quantizedElement(NodeContext &n, size_t i, StringRef what) {
  RankedTensorType type = n.inputType(i);
  if (!type)
    return n.fail();
  if (!rangeOf(type.getElementType())) {
    (void)n.error(llvm::formatv("{0} must be an 8-bit integer tensor, got {1}",
                                what, type));
    return Type();
  }
  return type.getElementType();
}

/// Calls `fn(index, value)` for every element of `v` when it is a constant
/// integer tensor (inline or a dense resource); false when it is not.
static bool forEachConstantInt(Value v,
                               llvm::function_ref<void(int64_t, int64_t)> fn) {
  Attribute attr;
  RankedTensorType type = typeOf(v);
  if (!type || !type.hasStaticShape() || !matchPattern(v, m_Constant(&attr)))
    return false;
  auto element = dyn_cast<IntegerType>(type.getElementType());
  if (!element)
    return false;
  auto read = [&](const APInt &x) {
    return element.isUnsigned() ? static_cast<int64_t>(x.getZExtValue())
                                : x.getSExtValue();
  };
  if (auto dense = dyn_cast<DenseIntElementsAttr>(attr)) {
    int64_t i = 0;
    for (const APInt &x : dense.getValues<APInt>())
      fn(i++, read(x));
    return true;
  }
  auto resource = dyn_cast<DenseResourceElementsAttr>(attr);
  if (!resource)
    return false;
  AsmResourceBlob *blob = resource.getRawHandle().getBlob();
  unsigned width = element.getWidth();
  if (!blob || width % 8 != 0 || width > 64)
    return false;
  ArrayRef<char> data = blob->getData();
  size_t bytes = width / 8;
  int64_t count = type.getNumElements();
  if (data.size() != static_cast<size_t>(count) * bytes)
    return false;
  // ONNX stores tensors little-endian; the importer keeps those bytes.
  for (int64_t i = 0; i < count; ++i) {
    uint64_t bits = 0;
    for (size_t b = 0; b < bytes; ++b)
      bits |= uint64_t(uint8_t(data[i * bytes + b])) << (8 * b);
    fn(i, read(APInt(width, bits)));
  }
  return true;
}

/// The values of constant integer tensor `v` (signedness from its type).
static std::optional<SmallVector<int64_t>> constantInts(Value v) {
  SmallVector<int64_t> values;
  if (!forEachConstantInt(v, [&](int64_t, int64_t x) { values.push_back(x); }))
    return std::nullopt;
  return values;
}

/// A one-element `v` of any rank as a 0-d tensor (per-tensor parameters
/// given as [1] must not raise the rank of what they broadcast with); other
/// values as they are.
static Value scalarIfSingle(NodeContext &n, Value v) {
  RankedTensorType type = typeOf(v);
  if (!type || n.failed())
    return n.fail();
  if (type.getRank() == 0 || staticNumElements(v) != 1)
    return v;
  return n.create<nn::SqueezeOp>({v});
}

/// Lays a 1-D `v` (C entries) along `axis` of a rank-`rank` tensor:
/// reshaped to [1, .., C, .., 1]. A one-element `v` becomes 0-d (per
/// tensor); a 0-d `v` is returned as is. `what` names it in errors.
static Value alongAxis(NodeContext &n, Value v, int64_t rank, int64_t axis,
                       StringRef what) {
  v = scalarIfSingle(n, v);
  RankedTensorType type = typeOf(v);
  if (!type || n.failed())
    return n.fail();
  if (type.getRank() == 0)
    return v;
  if (type.getRank() != 1) {
    (void)n.error(llvm::formatv("{0} must be a scalar or a 1-D tensor, got {1}",
                                what, type));
    return Value();
  }
  if (axis < 0 || axis >= rank) {
    (void)n.error(llvm::formatv("per-axis {0} needs attribute 'axis' in "
                                "[{1}, {2}) for a rank-{2} input, got {3}",
                                what, -rank, rank, axis));
    return Value();
  }
  SmallVector<int64_t> shape(rank, 1);
  shape[axis] = -1;
  return n.create<nn::ReshapeOp>({v, n.constI64(shape)});
}

/// The axis attribute of a per-axis op, normalized against `rank` when in
/// range (alongAxis reports an out-of-range one if it is used: per-tensor
/// quantization ignores the axis).
static int64_t quantizationAxis(NodeContext &n, int64_t rank) {
  int64_t axis = n.attrInt("axis", 1);
  return axis < 0 && axis >= -rank ? axis + rank : axis;
}

/// Checks that input `i` holds one element (a per-tensor parameter).
static bool requireOneElement(NodeContext &n, size_t i, StringRef what) {
  RankedTensorType type = n.inputType(i);
  if (!type) {
    n.fail();
    return false;
  }
  if (staticNumElements(n.optionalInput(i)) == 1)
    return true;
  (void)n.unsupported(llvm::formatv(
      "{0} must be a scalar (per-tensor quantization), got {1}", what, type));
  return false;
}

/// Clips integral float `v` to the range of integer type `element` and
/// casts it there: ONNX's saturation.
static Value saturateTo(NodeContext &n, Value v, Type element) {
  std::optional<IntRange> range = rangeOf(element);
  Type compute = elementOf(v);
  if (!v || !range)
    return n.fail();
  Value clipped =
      n.create<nn::ClipOp>({v, n.constScalar(compute, double(range->min)),
                            n.constScalar(compute, double(range->max))},
                           {n.segments({1, 1, 1})});
  return n.castTo(clipped, element);
}

/// saturate(round_half_even(real) + zeroPoint) as `element`; `zeroPoint` is
/// in `real`'s float type (broadcastable) or null for 0.
static Value requantize(NodeContext &n, Value real, Value zeroPoint,
                        Type element) {
  Value rounded = n.create<nn::RoundOp>({real});
  if (zeroPoint)
    rounded = n.create<nn::AddOp>({rounded, zeroPoint});
  return saturateTo(n, rounded, element);
}

//===----------------------------------------------------------------------===//
// DequantizeLinear, QuantizeLinear, DynamicQuantizeLinear
//===----------------------------------------------------------------------===//

/// The most entries a blocked parameter may expand to along its axis (2^48,
/// the largest dimension ddl imports).
constexpr int64_t kMaxBlockedExtent = int64_t(1) << 48;

/// Blocked quantization (opset 21): `v` (x_scale, zero point) has `x`'s
/// rank and static sizes, `x`'s sizes except along `axis`, where it holds
/// one entry per block of `blockSize` elements (the last block may be
/// short). Each entry is repeated blockSize times along `axis` and the
/// result cut to x's size there: unsqueeze, expand, reshape, slice.
static Value blockedAlongAxis(NodeContext &n, Value v, Value x, int64_t axis,
                              int64_t blockSize, StringRef what) {
  RankedTensorType type = typeOf(v), xType = typeOf(x);
  if (!type || !xType || n.failed())
    return n.fail();
  int64_t rank = xType.getRank();
  if (axis < 0 || axis >= rank) {
    (void)n.error(llvm::formatv("blocked quantization needs attribute 'axis' "
                                "in [{0}, {1}) for a rank-{1} input",
                                -rank, rank));
    return n.fail();
  }
  if (type.getRank() != rank || !type.hasStaticShape()) {
    (void)n.unsupported(llvm::formatv(
        "blocked {0} of type {1}: it must have the rank of x ({2}) and a "
        "static shape",
        what, type, rank));
    return n.fail();
  }
  int64_t blocks = type.getDimSize(axis);
  for (int64_t d = 0; d < rank; ++d)
    if (d != axis && !xType.isDynamicDim(d) &&
        type.getDimSize(d) != xType.getDimSize(d)) {
      (void)n.error(llvm::formatv(
          "blocked {0} has size {1} in dimension {2} but x has {3}", what,
          type.getDimSize(d), d, xType.getDimSize(d)));
      return n.fail();
    }
  if (blocks < 1 || blocks > kMaxBlockedExtent / blockSize ||
      (!xType.isDynamicDim(axis) &&
       (blocks * blockSize < xType.getDimSize(axis) ||
        (blocks - 1) * blockSize >= xType.getDimSize(axis)))) {
    (void)n.error(llvm::formatv(
        "blocked {0} has {1} entries along axis {2}; blocks of {3} over x's "
        "{4} elements need ceil({4} / {3})",
        what, blocks, axis, blockSize, xType.getDimSize(axis)));
    return n.fail();
  }
  SmallVector<int64_t> repeated(type.getShape());
  repeated.insert(repeated.begin() + axis + 1, blockSize);
  SmallVector<int64_t> merged(type.getShape());
  merged[axis] = blocks * blockSize;
  Value expanded = n.create<nn::ExpandOp>(
      {n.create<nn::UnsqueezeOp>({v}, {n.namedI64Array("axes", {axis + 1})}),
       n.constI64(repeated)});
  Value whole = n.create<nn::ReshapeOp>({expanded, n.constI64(merged)});
  Value end = xType.isDynamicDim(axis)
                  ? n.create<nn::ShapeOfOp>({x}, {n.namedI64("start", axis),
                                                  n.namedI64("end", axis + 1)})
                  : n.constI64({xType.getDimSize(axis)});
  return n.create<nn::SliceOp>(
      {whole, n.constI64({0}), end, n.constI64({axis})},
      {n.segments({1, 1, 1, 1, 0})});
}

/// The `block_size` attribute (opset 21; 0, the default, for per-tensor
/// and per-axis quantization); std::nullopt after reporting a negative one.
static std::optional<int64_t> blockSizeAttr(NodeContext &n) {
  int64_t blockSize = n.attrInt("block_size", 0);
  if (n.failed())
    return std::nullopt;
  if (blockSize < 0) {
    (void)n.error(llvm::formatv("attribute 'block_size' must be >= 0, got {0}",
                                blockSize));
    return std::nullopt;
  }
  return blockSize;
}

/// A scale or zero point `v` laid out to broadcast with `x`: per tensor or
/// per axis (alongAxis), or blocked when `blockSize` is not 0.
static Value quantizationParameter(NodeContext &n, Value v, Value x,
                                   int64_t axis, int64_t blockSize,
                                   StringRef what) {
  if (blockSize != 0)
    return blockedAlongAxis(n, v, x, axis, blockSize, what);
  return alongAxis(n, v, typeOf(x).getRank(), axis, what);
}

/// y = (f32(x) - f32(x_zero_point)) * x_scale, as the ONNX reference
/// computes it (int8 / uint8 differences are exact in f32; int32 `x`, whose
/// zero point is 0, rounds to f32 as in the reference and ONNX Runtime).
static LogicalResult convertDequantizeLinear(NodeContext &n) {
  std::optional<int64_t> blockSize = blockSizeAttr(n);
  if (!blockSize)
    return failure();
  Value x = n.input(0), scale = n.input(1), zeroPoint = n.optionalInput(2);
  RankedTensorType xType = n.inputType(0);
  Type scaleElement = elementOf(scale);
  if (!xType || !scaleElement || n.failed())
    return failure();
  if (!isa<IntegerType>(xType.getElementType()))
    return n.error(
        llvm::formatv("x must be an integer tensor, got {0}", xType));
  if (!isa<FloatType>(scaleElement))
    return n.error(llvm::formatv("x_scale must be a float tensor, got {0}",
                                 scale.getType()));
  if (zeroPoint && elementOf(zeroPoint) != xType.getElementType())
    return n.error(
        llvm::formatv("x_zero_point has type {0} but x has {1}; they must "
                      "have one element type",
                      zeroPoint.getType(), xType));
  int64_t rank = xType.getRank();
  int64_t axis = quantizationAxis(n, rank);

  Type f32 = n.builder().getF32Type();
  Value value = n.castTo(x, f32);
  if (zeroPoint)
    value = n.create<nn::SubOp>(
        {value, quantizationParameter(n, n.castTo(zeroPoint, f32), x, axis,
                                      *blockSize, "x_zero_point")});
  value = n.create<nn::MulOp>(
      {value, quantizationParameter(n, n.castTo(scale, f32), x, axis,
                                    *blockSize, "x_scale")});
  Value output = n.castTo(value, scaleElement);
  // The integer matmul of QDQ models takes per-tensor / per-axis scales.
  if (!n.failed() && scaleElement.isF32() && *blockSize == 0)
    n.graphImporter().recordDequantized(output, {x, scale, zeroPoint, axis});
  return n.setOutput(output);
}

/// y = saturate(round_half_even(x / y_scale) + y_zero_point), in the type
/// of y_zero_point (uint8 without one).
static LogicalResult convertQuantizeLinear(NodeContext &n) {
  std::optional<int64_t> blockSize = blockSizeAttr(n);
  if (!blockSize)
    return failure();
  Value x = n.input(0), scale = n.input(1), zeroPoint = n.optionalInput(2);
  RankedTensorType xType = n.inputType(0);
  Type scaleElement = elementOf(scale);
  if (!xType || !scaleElement || n.failed())
    return failure();
  if (!isa<FloatType>(scaleElement))
    return n.error(llvm::formatv("y_scale must be a float tensor, got {0}",
                                 scale.getType()));

  // The output type: the zero point's, else output_dtype (opset 21), else
  // uint8.
  Type output = IntegerType::get(n.context(), 8, IntegerType::Unsigned);
  if (zeroPoint) {
    output = elementOf(zeroPoint);
  } else if (std::optional<int64_t> dtype = n.attrInt("output_dtype");
             dtype && *dtype != 0) {
    output = convertElementType(n.context(), *dtype);
    if (!output)
      return n.unsupported(
          llvm::formatv("quantization to ONNX element type {0}", *dtype));
  }
  if (n.failed())
    return failure();
  if (!rangeOf(output))
    return n.unsupported(llvm::formatv(
        "quantization to {0} (only to integer types of 2 to 16 bits)", output));

  // Float x divides in its own type; int32 x in f64 like the reference.
  Type compute = xType.getElementType();
  if (isa<IntegerType>(compute))
    compute = n.builder().getF64Type();
  else if (!isa<FloatType>(compute))
    return n.error(
        llvm::formatv("x must be a float or int32 tensor, got {0}", xType));

  int64_t rank = xType.getRank();
  int64_t axis = quantizationAxis(n, rank);
  Value scaled =
      n.create<nn::DivOp>({n.castTo(x, compute),
                           quantizationParameter(n, n.castTo(scale, compute), x,
                                                 axis, *blockSize, "y_scale")});
  Value zero;
  if (zeroPoint)
    zero = quantizationParameter(n, n.castTo(zeroPoint, compute), x, axis,
                                 *blockSize, "y_zero_point");
  return n.setOutput(requantize(n, scaled, zero, output));
}

/// ONNX's function body with qmin = 0, qmax = 255:
///   scale = (max(max(x), 0) - min(min(x), 0)) / 255   (1 when that is 0)
///   zero_point = round(clip(0 - min(min(x), 0) / scale, 0, 255))
///   y = saturate(round(x / scale) + zero_point)
static LogicalResult convertDynamicQuantizeLinear(NodeContext &n) {
  Value x = n.input(0);
  RankedTensorType xType = n.inputType(0);
  if (!xType || n.failed())
    return failure();
  Type element = xType.getElementType();
  if (!isa<FloatType>(element))
    return n.error(llvm::formatv("x must be a float tensor, got {0}", xType));
  Type u8 = IntegerType::get(n.context(), 8, IntegerType::Unsigned);

  // The whole tensor's min and max: first along the last axis (the rows
  // of a row-reduction kernel, vectorized and parallel), then over the
  // row results (a scalar chain over the whole tensor otherwise: 18% of a
  // quantize_dynamic BERT's time in serial compare-and-selects).
  auto reduce = [&](nn::ReduceKind kind) {
    auto kindAttr = n.named("kind", nn::ReduceKindAttr::get(n.context(), kind));
    Value rows = x;
    if (xType.getRank() >= 2)
      rows =
          n.create<nn::ReduceOp>({x}, {kindAttr, n.namedI64Array("axes", {-1}),
                                       n.namedBool("keepdims", false)});
    return n.create<nn::ReduceOp>({rows},
                                  {kindAttr, n.namedBool("keepdims", false)});
  };
  Value zero = n.constScalar(element, 0);
  Value minimum = n.create<nn::MinOp>({reduce(nn::ReduceKind::Min), zero});
  Value maximum = n.create<nn::MaxOp>({reduce(nn::ReduceKind::Max), zero});
  Value range = n.create<nn::SubOp>({maximum, minimum});
  Value scale = n.create<nn::DivOp>({range, n.constScalar(element, 255)});
  Value empty = n.create<nn::EqualOp>({range, zero});
  scale = n.create<nn::WhereOp>({empty, n.constScalar(element, 1), scale});

  Value zeroPoint = n.create<nn::SubOp>(
      {n.constScalar(element, 0), n.create<nn::DivOp>({minimum, scale})});
  zeroPoint = n.create<nn::ClipOp>(
      {zeroPoint, n.constScalar(element, 0), n.constScalar(element, 255)},
      {n.segments({1, 1, 1})});
  zeroPoint = n.create<nn::RoundOp>({zeroPoint});

  Value y = requantize(n, n.create<nn::DivOp>({x, scale}), zeroPoint, u8);
  return n.setOutputs({y, scale, n.castTo(zeroPoint, u8)});
}

//===----------------------------------------------------------------------===//
// MatMulInteger, QLinearMatMul
//===----------------------------------------------------------------------===//

/// A per-row parameter of matmul operand `a` (rank `rank`): a 1-D one has
/// M entries and is laid along the rows; other shapes broadcast as given
/// ([D1, D2, M, 1] for N-D `a`).
static Value perRow(NodeContext &n, Value v, int64_t rank) {
  v = scalarIfSingle(n, v);
  RankedTensorType type = typeOf(v);
  if (!type)
    return n.fail();
  if (type.getRank() != 1 || rank < 2)
    return v;
  return n.create<nn::ReshapeOp>({v, n.constI64({-1, 1})});
}

/// i32(v) - i32(zeroPoint) (or i32(v) without a zero point); `rowWise`
/// lays a 1-D zero point along the rows of `v`.
static Value centeredI32(NodeContext &n, Value v, Value zeroPoint,
                         bool rowWise) {
  Type i32 = n.builder().getI32Type();
  Value wide = n.castTo(v, i32);
  if (!zeroPoint)
    return wide;
  RankedTensorType type = typeOf(v);
  if (!type)
    return n.fail();
  Value zp = n.castTo(zeroPoint, i32);
  zp = rowWise ? perRow(n, zp, type.getRank()) : scalarIfSingle(n, zp);
  return n.create<nn::SubOp>({wide, zp});
}

/// Checks that an optional zero point has its operand's element type.
static bool checkZeroPoint(NodeContext &n, Value zeroPoint, Type element,
                           StringRef what) {
  if (!zeroPoint || n.failed() || elementOf(zeroPoint) == element)
    return !n.failed();
  (void)n.error(llvm::formatv("{0} has type {1} but its operand's elements "
                              "are {2}; they must match",
                              what, zeroPoint.getType(), element));
  return false;
}

/// The zero point `v` (absent: 0 of `element`) as a scalar, or as a 1-D
/// one of `columns` entries when `perColumn` allows it; null when neither.
static Value lowbitZeroPoint(NodeContext &n, Value v, Type element,
                             int64_t columns, bool perColumn) {
  if (!v) {
    auto type = RankedTensorType::get({}, element);
    return nn::ConstantOp::create(
        n.builder(), n.loc(),
        DenseElementsAttr::get(type, n.builder().getIntegerAttr(element, 0)));
  }
  RankedTensorType type = typeOf(v);
  if (staticNumElements(v) == 1)
    return scalarIfSingle(n, v);
  if (perColumn && type.getRank() == 1 && !ShapedType::isDynamic(columns) &&
      type.getDimSize(0) == columns)
    return v;
  return nullptr;
}

/// (A - a_zero_point) @ (B - b_zero_point) on i32 as lowbit.matmul, when A
/// is [..., M, K] and B is [K, N] (a matrix of weights) with a scalar
/// a_zero_point and a scalar or per-column b_zero_point; null otherwise.
static Value lowbitMatMul(NodeContext &n, Value a, Value aZero, Value b,
                          Value bZero) {
  RankedTensorType aType = typeOf(a), bType = typeOf(b);
  if (!aType || !bType || aType.getRank() < 2 || bType.getRank() != 2 ||
      aType.getElementType().getIntOrFloatBitWidth() != 8 ||
      bType.getElementType().getIntOrFloatBitWidth() != 8)
    return nullptr;
  int64_t columns = bType.getDimSize(1);
  Value aZeroPoint =
      lowbitZeroPoint(n, aZero, aType.getElementType(), columns, false);
  Value bZeroPoint =
      lowbitZeroPoint(n, bZero, bType.getElementType(), columns, true);
  if (!aZeroPoint || !bZeroPoint || n.failed())
    return nullptr;
  SmallVector<int64_t> shape(aType.getShape().drop_back());
  shape.push_back(columns);
  SmallVector<StringAttr> symbols;
  for (int64_t d = 0; d + 1 < aType.getRank(); ++d)
    symbols.push_back(nn::getDimSymbol(aType, d));
  symbols.push_back(nn::getDimSymbol(bType, 1));
  auto resultType =
      RankedTensorType::get(shape, n.builder().getI32Type(),
                            nn::getDimsEncoding(n.context(), shape, symbols));
  OpBuilder &builder = n.builder();
  return lowbit::MatMulOp::create(
      builder, n.loc(), resultType, a, b, aZeroPoint, bZeroPoint,
      builder.getBoolAttr(aType.getElementType().isUnsignedInteger()),
      builder.getBoolAttr(bType.getElementType().isUnsignedInteger()));
}

/// (A - a_zero_point) @ (B - b_zero_point) on i32: lowbit.matmul where it
/// applies, else nn ops on i32 (the accumulation wrapping as the spec
/// allows; exact otherwise).
static Value integerProduct(NodeContext &n, Value a, Value aZero, Value b,
                            Value bZero) {
  if (n.failed())
    return n.fail();
  if (Value product = lowbitMatMul(n, a, aZero, b, bZero))
    return product;
  return n.create<nn::MatMulOp>({centeredI32(n, a, aZero, /*rowWise=*/true),
                                 centeredI32(n, b, bZero, /*rowWise=*/false)});
}

/// MatMul of two DequantizeLinear outputs (a QDQ model's linear layer):
/// lowbit.matmul on the integers, times a_scale * b_scale, when A has a
/// per-tensor scale and zero point, B is a [K, N] matrix with a
/// per-tensor or per-column (axis 1) scale and zero point, and both are 8
/// bits; null otherwise (the f32 decomposition stays).
Value matMulOfDequantized(NodeContext &n, Value lhs, Value rhs) {
  using Dequantized = GraphImporter::Dequantized;
  const Dequantized *a = n.graphImporter().lookupDequantized(lhs);
  const Dequantized *b = n.graphImporter().lookupDequantized(rhs);
  if (!a || !b || n.failed())
    return nullptr;
  RankedTensorType aType = typeOf(a->quantized), bType = typeOf(b->quantized);
  if (!aType || !bType || bType.getRank() != 2 ||
      staticNumElements(a->scale) != 1 ||
      (staticNumElements(b->scale) != 1 && b->axis != 1))
    return nullptr;
  Value acc =
      lowbitMatMul(n, a->quantized, a->zeroPoint, b->quantized, b->zeroPoint);
  if (!acc)
    return nullptr;
  Type f32 = n.builder().getF32Type();
  Value scale = n.create<nn::MulOp>(
      {scalarIfSingle(n, a->scale), scalarIfSingle(n, b->scale)});
  return n.create<nn::MulOp>({n.castTo(acc, f32), scale});
}

/// Gemm(DequantizeLinear(aq), DequantizeLinear(bq), C) without transA (a
/// QDQ model's fully connected layer, as quantize_static writes it):
/// matMulOfDequantized's product, B transposed to [K, N] when transB
/// (at import time when it is a constant, so that the int8 kernel packs
/// it; its per-axis parameters then along axis 0, B's output channels),
/// times alpha, plus beta C; null when that route does not apply.
Value gemmOfDequantized(NodeContext &n, Value a, Value b, Value c, float alpha,
                        float beta, bool transA, bool transB) {
  using Dequantized = GraphImporter::Dequantized;
  const Dequantized *qa = n.graphImporter().lookupDequantized(a);
  const Dequantized *qb = n.graphImporter().lookupDequantized(b);
  if (transA || !qa || !qb || n.failed())
    return nullptr;
  RankedTensorType aType = typeOf(qa->quantized), bType = typeOf(qb->quantized);
  bool perTensorB = staticNumElements(qb->scale) == 1;
  if (!aType || !bType || aType.getRank() != 2 || bType.getRank() != 2 ||
      !bType.hasStaticShape() || staticNumElements(qa->scale) != 1 ||
      (!perTensorB &&
       (qb->axis != (transB ? 0 : 1) || typeOf(qb->scale).getRank() != 1)) ||
      bType.getElementType().getIntOrFloatBitWidth() != 8)
    return nullptr;
  Value bq = qb->quantized;
  if (transB) {
    int64_t rows = bType.getDimSize(0), cols = bType.getDimSize(1);
    std::vector<int8_t> values, transposed;
    auto constant = bq.getDefiningOp<nn::ConstantOp>();
    if (constant &&
        succeeded(readI8Elements(constant.getValue(), rows * cols, values))) {
      transposed.resize(values.size());
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t k = 0; k < cols; ++k)
          transposed[k * rows + r] = values[r * cols + k];
      bq = nn::ConstantOp::create(
          n.builder(), n.loc(),
          i8Resource(
              RankedTensorType::get({cols, rows}, bType.getElementType()),
              "gemm_integer_weight", transposed));
    } else {
      bq = n.create<nn::TransposeOp>({bq}, {n.namedI64Array("perm", {1, 0})});
    }
  }
  Value acc = lowbitMatMul(n, qa->quantized, qa->zeroPoint, bq, qb->zeroPoint);
  if (!acc)
    return nullptr;
  Type f32 = n.builder().getF32Type();
  Value scale = n.create<nn::MulOp>(
      {scalarIfSingle(n, qa->scale), scalarIfSingle(n, qb->scale)});
  if (alpha != 1.0f)
    scale = n.create<nn::MulOp>({scale, n.constScalar(f32, alpha)});
  Value y = n.create<nn::MulOp>({n.castTo(acc, f32), scale});
  if (c) {
    if (beta != 1.0f)
      c = n.create<nn::MulOp>({c, n.constScalar(f32, beta)});
    y = n.create<nn::AddOp>({y, c});
  }
  return y;
}

static LogicalResult convertMatMulInteger(NodeContext &n) {
  Type aElement = quantizedElement(n, 0, "A");
  Type bElement = quantizedElement(n, 1, "B");
  Value a = n.input(0), b = n.input(1);
  Value aZero = n.optionalInput(2), bZero = n.optionalInput(3);
  if (!aElement || !bElement ||
      !checkZeroPoint(n, aZero, aElement, "a_zero_point") ||
      !checkZeroPoint(n, bZero, bElement, "b_zero_point"))
    return failure();
  return n.setOutput(integerProduct(n, a, aZero, b, bZero));
}

/// The i32 product of MatMulInteger, then
/// y = saturate(round(f32(acc) * (a_scale * b_scale / y_scale)) + y_zp).
static LogicalResult convertQLinearMatMul(NodeContext &n) {
  Type aElement = quantizedElement(n, 0, "a");
  Type bElement = quantizedElement(n, 3, "b");
  Type yElement = quantizedElement(n, 7, "y_zero_point");
  Value a = n.input(0), aScale = n.input(1), aZero = n.input(2);
  Value b = n.input(3), bScale = n.input(4), bZero = n.input(5);
  Value yScale = n.input(6), yZero = n.input(7);
  if (!aElement || !bElement || !yElement ||
      !checkZeroPoint(n, aZero, aElement, "a_zero_point") ||
      !checkZeroPoint(n, bZero, bElement, "b_zero_point") ||
      !requireOneElement(n, 6, "y_scale") ||
      !requireOneElement(n, 7, "y_zero_point"))
    return failure();
  if (n.failed())
    return failure();
  for (Value s : {aScale, bScale, yScale})
    if (!isa_and_nonnull<FloatType>(elementOf(s)))
      return n.error(
          llvm::formatv("scales must be float tensors, got {0}", s.getType()));

  Value acc = integerProduct(n, a, aZero, b, bZero);
  Type f32 = n.builder().getF32Type();
  int64_t aRank = typeOf(a).getRank();
  Value multiplier = n.create<nn::DivOp>(
      {n.create<nn::MulOp>({perRow(n, n.castTo(aScale, f32), aRank),
                            scalarIfSingle(n, n.castTo(bScale, f32))}),
       scalarIfSingle(n, n.castTo(yScale, f32))});
  Value real = n.create<nn::MulOp>({n.castTo(acc, f32), multiplier});
  return n.setOutput(
      requantize(n, real, scalarIfSingle(n, n.castTo(yZero, f32)), yElement));
}

//===----------------------------------------------------------------------===//
// ConvInteger, QLinearConv
//===----------------------------------------------------------------------===//

/// The largest |v - z| over the values v in `values`, for a zero point z
/// that is the constant `zeroValue`, or else any value in `zeroRange`, or
/// else (both absent) 0.
static double maxDistance(IntRange values, std::optional<int64_t> zeroValue,
                          std::optional<IntRange> zeroRange) {
  if (zeroValue)
    return double(std::max(std::abs(values.min - *zeroValue),
                           std::abs(values.max - *zeroValue)));
  if (zeroRange)
    return double(
        std::max(values.max - zeroRange->min, zeroRange->max - values.min));
  return double(std::max(std::abs(values.min), std::abs(values.max)));
}

/// The nn.conv attributes of the node (group, strides, pads, dilations,
/// auto_pad), after checking kernel_shape against the weight.
static std::optional<SmallVector<NamedAttribute>>
convAttributes(NodeContext &n, RankedTensorType weightType) {
  SmallVector<NamedAttribute> attrs;
  attrs.push_back(n.namedI64("group", n.attrInt("group", 1)));
  for (StringRef name : {"strides", "pads", "dilations"})
    if (std::optional<SmallVector<int64_t>> values = n.attrInts(name))
      attrs.push_back(n.namedI64Array(name, *values));
  if (std::optional<SmallVector<int64_t>> kernel = n.attrInts("kernel_shape")) {
    ArrayRef<int64_t> spatial = weightType.getShape().drop_front(
        std::min<int64_t>(2, weightType.getRank()));
    bool matches = kernel->size() == spatial.size();
    for (size_t i = 0; matches && i < spatial.size(); ++i)
      matches = ShapedType::isDynamic(spatial[i]) || spatial[i] == (*kernel)[i];
    if (!matches) {
      (void)n.error(llvm::formatv(
          "attribute 'kernel_shape' [{0}] does not match the weight {1}",
          llvm::make_range(kernel->begin(), kernel->end()), weightType));
      return std::nullopt;
    }
  }
  std::string autoPad = n.attrString("auto_pad", "NOTSET");
  std::optional<nn::AutoPad> pad =
      nn::symbolizeAutoPad(StringRef(autoPad).lower());
  if (!pad) {
    (void)n.error("attribute 'auto_pad' must be NOTSET, SAME_UPPER, "
                  "SAME_LOWER or VALID, got '" +
                  autoPad + "'");
    return std::nullopt;
  }
  attrs.push_back(n.named("auto_pad", nn::AutoPadAttr::get(n.context(), *pad)));
  if (n.failed())
    return std::nullopt;
  return attrs;
}

/// sum((x - x_zero_point) * (w - w_zero_point)) over each window, as i32,
/// on the int8 GEMM kernels (lowbit::buildIntegerConv2D: channels-last
/// im2col of the 8-bit input, then lowbit.matmul), with the weight as a
/// [KH KW C, OC] matrix (laid out at import when it is a constant, which
/// the int8 kernels then pack). The result is channels-last, [N, OH, OW,
/// OC]: what follows (QLinearConv's requantization) runs there, and the
/// transpose back to [N, C, H, W] meets the next integer convolution's
/// transpose to channels-last, so the pair cancels. For 2-D, group-1
/// convolutions of static shapes, explicit pads (or VALID), a per-tensor
/// x_zero_point and a per-tensor or per-channel w_zero_point; null
/// otherwise (the f32 route below then).
static Value convAsIntegerGemm(NodeContext &n, Value x, Value xZero, Value w,
                               Value wZero) {
  RankedTensorType xType = typeOf(x), wType = typeOf(w);
  int64_t groups = n.attrInt("group", 1);
  if (!xType || !wType || xType.getRank() != 4 || wType.getRank() != 4 ||
      !xType.hasStaticShape() || !wType.hasStaticShape() || groups < 1 ||
      wType.getDimSize(1) * groups != xType.getDimSize(1) ||
      wType.getDimSize(0) % groups)
    return nullptr;
  std::string autoPad = n.attrString("auto_pad", "NOTSET");
  if (autoPad != "NOTSET" && autoPad != "VALID")
    return nullptr;
  int64_t outChannels = wType.getDimSize(0), channels = wType.getDimSize(1);
  int64_t kh = wType.getDimSize(2), kw = wType.getDimSize(3);
  if ((xZero && staticNumElements(xZero) != 1) ||
      (wZero && staticNumElements(wZero) != 1 &&
       staticNumElements(wZero) != outChannels))
    return nullptr;
  SmallVector<int64_t> strides = n.attrIntsOr("strides", {1, 1});
  SmallVector<int64_t> dilations = n.attrIntsOr("dilations", {1, 1});
  SmallVector<int64_t> pads = n.attrIntsOr("pads", {0, 0, 0, 0});
  if (strides.size() != 2 || dilations.size() != 2 || pads.size() != 4)
    return nullptr;
  lowbit::ConvWindow window;
  llvm::copy(strides, window.strides.begin());
  llvm::copy(dilations, window.dilations.begin());
  if (autoPad == "NOTSET")
    llvm::copy(pads, window.pads.begin());

  int64_t depth = channels * kh * kw;
  Value weightMatrix;
  std::vector<int8_t> weights;
  if (auto constant = w.getDefiningOp<nn::ConstantOp>();
      constant && succeeded(readI8Elements(constant.getValue(),
                                           wType.getNumElements(), weights))) {
    weightMatrix = nn::ConstantOp::create(
        n.builder(), n.loc(),
        i8Resource(
            RankedTensorType::get({depth, outChannels}, wType.getElementType()),
            "conv_integer_weight",
            lowbit::convWeightMatrix(weights, outChannels, channels, kh, kw)));
  } else {
    weightMatrix = n.create<nn::ReshapeOp>(
        {n.create<nn::TransposeOp>({w},
                                   {n.namedI64Array("perm", {2, 3, 1, 0})}),
         n.constI64({depth, outChannels})});
  }
  Value xZeroPoint = lowbitZeroPoint(n, xZero, xType.getElementType(), 0,
                                     /*perColumn=*/false);
  Value wZeroPoint = lowbitZeroPoint(n, wZero, wType.getElementType(),
                                     outChannels, /*perColumn=*/true);
  if (!xZeroPoint || !wZeroPoint || n.failed())
    return nullptr;
  return lowbit::buildIntegerConv2D(
      n.builder(), n.loc(), x, xZeroPoint, weightMatrix, wZeroPoint,
      xType.getElementType().isUnsignedInteger(),
      wType.getElementType().isUnsignedInteger(), kh, kw, window, groups);
}

/// [N, H, W, C] -> [N, C, H, W].
static Value toChannelsFirst(NodeContext &n, Value v) {
  return n.create<nn::TransposeOp>({v},
                                   {n.namedI64Array("perm", {0, 3, 1, 2})});
}

/// sum((x - x_zero_point) * (w - w_zero_point)) over each window, as i32.
///
/// nn.conv takes float tensors only. The products of two 8-bit differences
/// are integers of at most 255 * 255 in magnitude, exact in f32, and so is
/// every partial sum while the sum of the magnitudes of all a window's
/// products stays within 2^24, whatever the order of summation. That bound
/// is computed here, from the weight's values when it is a constant (the
/// usual case) and from the value ranges of the types otherwise; when it
/// exceeds 2^24 the f32 convolution could round, and the op is rejected as
/// unsupported. (This relies on nn.conv being the plain sum of products it
/// is defined as; a lowering that transforms it, say Winograd, would have
/// to keep integer-valued convolutions exact.)
static Value integerConv(NodeContext &n, size_t xIndex, size_t xZeroIndex,
                         size_t wIndex, size_t wZeroIndex, bool &channelsLast) {
  channelsLast = false;
  Type xElement = quantizedElement(n, xIndex, "x");
  Type wElement = quantizedElement(n, wIndex, "w");
  Value x = n.input(xIndex), w = n.input(wIndex);
  Value xZero = n.optionalInput(xZeroIndex);
  Value wZero = n.optionalInput(wZeroIndex);
  if (!xElement || !wElement ||
      !checkZeroPoint(n, xZero, xElement, "x_zero_point") ||
      !checkZeroPoint(n, wZero, wElement, "w_zero_point"))
    return n.fail();
  RankedTensorType wType = typeOf(w);
  if (xZero && staticNumElements(xZero) != 1) {
    (void)n.error(
        llvm::formatv("x_zero_point must be a scalar (per tensor), got {0}",
                      xZero.getType()));
    return Value();
  }
  if (wZero && typeOf(wZero).getRank() > 1) {
    (void)n.error(llvm::formatv(
        "w_zero_point must be a scalar or 1-D (per output channel), got {0}",
        wZero.getType()));
    return Value();
  }

  // (The node's attributes checked first, for either route.)
  std::optional<SmallVector<NamedAttribute>> attrs = convAttributes(n, wType);
  if (!attrs)
    return n.fail();
  if (Value gemm = convAsIntegerGemm(n, x, xZero, w, wZero)) {
    channelsLast = true;
    return gemm;
  }
  if (n.failed())
    return Value();

  // Bound the magnitude of the window sums.
  IntRange xRange = *rangeOf(xElement), wRange = *rangeOf(wElement);
  std::optional<int64_t> xZeroValue;
  std::optional<IntRange> xZeroRange;
  if (!xZero)
    xZeroValue = 0;
  else if (std::optional<SmallVector<int64_t>> values = constantInts(xZero))
    xZeroValue = values->front();
  else
    xZeroRange = xRange;
  double xBound = maxDistance(xRange, xZeroValue, xZeroRange);

  SmallVector<int64_t> wZeroValues = {0};
  std::optional<IntRange> wZeroRange;
  if (wZero) {
    if (std::optional<SmallVector<int64_t>> values = constantInts(wZero))
      wZeroValues = *values;
    else
      wZeroRange = wRange;
  }
  auto wZeroOf = [&](int64_t channel) -> std::optional<int64_t> {
    if (wZeroRange)
      return std::nullopt;
    return wZeroValues.size() == 1 ? wZeroValues.front() : wZeroValues[channel];
  };
  int64_t channels = wType.getRank() > 0 ? wType.getDimSize(0) : 1;
  bool perChannelZero = wZeroValues.size() > 1;
  if (perChannelZero && !ShapedType::isDynamic(channels) &&
      channels != static_cast<int64_t>(wZeroValues.size())) {
    (void)n.error(llvm::formatv(
        "w_zero_point has {0} entries but the weight {1} has {2} output "
        "channels",
        wZeroValues.size(), wType, channels));
    return Value();
  }
  double windowBound = 0; // max over channels of sum |w - w_zp|
  SmallVector<double> sums;
  if (wType.hasStaticShape() && channels > 0 &&
      forEachConstantInt(w, [&, perChannel = wType.getNumElements() /
                                             channels](int64_t i, int64_t v) {
        int64_t channel = i / perChannel;
        if (sums.empty())
          sums.assign(channels, 0);
        std::optional<int64_t> zp = wZeroOf(channel);
        sums[channel] += maxDistance({v, v}, zp, wZeroRange);
      })) {
    for (double s : sums)
      windowBound = std::max(windowBound, s);
  } else {
    ArrayRef<int64_t> window = wType.getShape().drop_front();
    if (wType.getRank() < 1 || llvm::any_of(window, ShapedType::isDynamic)) {
      (void)n.unsupported(llvm::formatv(
          "the weight {0} has a dynamic shape, so the exactness of the f32 "
          "convolution nn.conv computes (nn.conv is float only) cannot be "
          "established",
          wType));
      return Value();
    }
    double count = 1;
    for (int64_t d : window)
      count *= double(d);
    double wBound = 0;
    for (size_t c = 0; c < (perChannelZero ? wZeroValues.size() : 1); ++c)
      wBound = std::max(wBound, maxDistance(wRange, wZeroOf(c), wZeroRange));
    windowBound = count * wBound;
  }
  double bound = windowBound * xBound;
  constexpr double kExactF32 = 16777216.0; // 2^24
  if (bound > kExactF32) {
    (void)n.unsupported(llvm::formatv(
        "an integer convolution whose window sums may reach {0:F0} in "
        "magnitude: nn.conv computes in floating point only, and f32 sums "
        "are exact only up to 2^24 = 16777216, so the result could differ "
        "from the exact int32 one",
        bound));
    return Value();
  }

  Type f32 = n.builder().getF32Type();
  Value xf = n.castTo(x, f32);
  if (xZero)
    xf = n.create<nn::SubOp>(
        {xf, alongAxis(n, n.castTo(xZero, f32), 0, 0, "x_zero_point")});
  Value wf = n.castTo(w, f32);
  if (wZero)
    wf = n.create<nn::SubOp>(
        {wf, alongAxis(n, n.castTo(wZero, f32), wType.getRank(), 0,
                       "w_zero_point")});
  Value conv = n.create<nn::ConvOp>({xf, wf}, *attrs);
  return n.castTo(conv, n.builder().getI32Type());
}

/// Conv(DequantizeLinear(xq), DequantizeLinear(wq), bias) (a QDQ model's
/// convolution, as ONNX Runtime's quantize_static writes it): the integer
/// convolution of xq and wq (channels-last, as convAsIntegerGemm), times
/// x_scale * w_scale (per output channel when w is quantized along axis
/// 0), plus the float bias, then back to [N, C, H, W]; null when x is not
/// quantized per tensor, w per tensor or per output channel, or the
/// integer route does not apply.
Value convOfDequantized(NodeContext &n, Value x, Value w, Value bias) {
  using Dequantized = GraphImporter::Dequantized;
  const Dequantized *a = n.graphImporter().lookupDequantized(x);
  const Dequantized *b = n.graphImporter().lookupDequantized(w);
  if (!a || !b || n.failed() || staticNumElements(a->scale) != 1 ||
      (staticNumElements(b->scale) != 1 &&
       (b->axis != 0 || typeOf(b->scale).getRank() != 1)))
    return nullptr;
  RankedTensorType aType = typeOf(a->quantized), bType = typeOf(b->quantized);
  if (!aType || !bType || aType.getElementType().getIntOrFloatBitWidth() != 8 ||
      bType.getElementType().getIntOrFloatBitWidth() != 8 ||
      (bias &&
       (typeOf(bias).getRank() != 1 || !typeOf(bias).getElementType().isF32())))
    return nullptr;
  Value acc = convAsIntegerGemm(n, a->quantized, a->zeroPoint, b->quantized,
                                b->zeroPoint);
  if (!acc)
    return nullptr;
  Type f32 = n.builder().getF32Type();
  Value scale = n.create<nn::MulOp>(
      {scalarIfSingle(n, a->scale), alongAxis(n, b->scale, 4, 3, "w_scale")});
  Value y = n.create<nn::MulOp>({n.castTo(acc, f32), scale});
  if (bias)
    y = n.create<nn::AddOp>({y, bias});
  return toChannelsFirst(n, y);
}

static LogicalResult convertConvInteger(NodeContext &n) {
  bool channelsLast;
  Value y = integerConv(n, 0, 2, 1, 3, channelsLast);
  return n.setOutput(y && channelsLast ? toChannelsFirst(n, y) : y);
}

/// The exact i32 convolution of ConvInteger, plus the i32 bias, then
/// y = saturate(round(f32(acc) * (x_scale * w_scale / y_scale)) + y_zp),
/// w_scale per output channel when 1-D.
static LogicalResult convertQLinearConv(NodeContext &n) {
  Type yElement = quantizedElement(n, 7, "y_zero_point");
  Value xScale = n.input(1), wScale = n.input(4);
  Value yScale = n.input(6), yZero = n.input(7);
  Value bias = n.optionalInput(8);
  if (!yElement || !requireOneElement(n, 1, "x_scale") ||
      !requireOneElement(n, 6, "y_scale") ||
      !requireOneElement(n, 7, "y_zero_point"))
    return failure();
  if (n.failed())
    return failure();
  for (Value s : {xScale, wScale, yScale})
    if (!isa_and_nonnull<FloatType>(elementOf(s)))
      return n.error(
          llvm::formatv("scales must be float tensors, got {0}", s.getType()));
  if (bias && elementOf(bias) != n.builder().getI32Type())
    return n.error(llvm::formatv("the bias B must be an int32 tensor, got {0}",
                                 bias.getType()));

  bool channelsLast;
  Value acc = integerConv(n, 0, 2, 3, 5, channelsLast);
  if (!acc)
    return failure();
  int64_t rank = typeOf(acc).getRank();
  int64_t channelAxis = channelsLast ? rank - 1 : 1;
  if (bias) {
    if (typeOf(bias).getRank() != 1)
      return n.error(
          llvm::formatv("the bias B must be 1-D, got {0}", bias.getType()));
    acc =
        n.create<nn::AddOp>({acc, alongAxis(n, bias, rank, channelAxis, "B")});
  }
  Type f32 = n.builder().getF32Type();
  Value multiplier = n.create<nn::DivOp>(
      {n.create<nn::MulOp>(
           {scalarIfSingle(n, n.castTo(xScale, f32)),
            alongAxis(n, n.castTo(wScale, f32), rank, channelAxis, "w_scale")}),
       scalarIfSingle(n, n.castTo(yScale, f32))});
  Value real = n.create<nn::MulOp>({n.castTo(acc, f32), multiplier});
  Value y =
      requantize(n, real, scalarIfSingle(n, n.castTo(yZero, f32)), yElement);
  return n.setOutput(y && channelsLast ? toChannelsFirst(n, y) : y);
}

void registerQuantizationConverters(ConverterRegistry &r) {
  // Versions 19 and 21 add float8 / int4 types (refused where they occur),
  // QuantizeLinear's `saturate` (float8 only), output_dtype and block_size
  // (blocked quantization).
  r.add("DequantizeLinear", convertDequantizeLinear, 21);
  r.add("QuantizeLinear", convertQuantizeLinear, 21);
  r.add("DynamicQuantizeLinear", convertDynamicQuantizeLinear);
  r.add("MatMulInteger", convertMatMulInteger);
  r.add("QLinearMatMul", convertQLinearMatMul, 21);
  r.add("ConvInteger", convertConvInteger);
  r.add("QLinearConv", convertQLinearConv);
}

} // namespace ddl::onnx_import
