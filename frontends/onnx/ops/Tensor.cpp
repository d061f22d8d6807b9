//===- Tensor.cpp - ONNX tensor and shape ops to nn -----------------------===//
//
// The reshape family (Reshape, Flatten, Squeeze, Unsqueeze, Transpose),
// Slice, Concat, Split, gathers and scatters, Pad, Expand, Tile, Resize and
// Upsample, the shape queries (Shape, Size), constants (Constant,
// ConstantOfShape, Range, EyeLike), and the decompositions of ops nn has no
// op for: DepthToSpace / SpaceToDepth (reshape + transpose + reshape),
// Trilu, OneHot and EyeLike (range + comparison + where), ReverseSequence
// (gather_elements at computed indices) and Compress (non_zero + gather).
//
// Operands that were attributes in older opsets and inputs in newer ones
// (Slice's starts/ends/axes, Split's split, Pad's pads, Squeeze's axes,
// Upsample's scales) are read from either. nn keeps some of them as
// attributes (squeeze/unsqueeze axes, split sizes): those inputs must be
// constants, or else the output types the model declares must pin the
// result down (Squeeze/Unsqueeze become a reshape to the declared shape,
// Split takes the declared sizes).
//
//===----------------------------------------------------------------------===//

#include "frontends/onnx/GraphImporter.h"

#include "mlir/IR/Matchers.h"
#include "llvm/Support/FormatVariadic.h"

#include <cmath>

using namespace mlir;

namespace ddl::onnx_import {

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

static RankedTensorType typeOf(Value v) {
  return v ? cast<RankedTensorType>(v.getType()) : RankedTensorType();
}

/// True when optional input `i` is given as a tensor with no elements (ONNX
/// marks absent Resize scales/roi that way).
static bool isEmptyInput(NodeContext &n, size_t i) {
  RankedTensorType type = n.inputType(i);
  return type && type.hasStaticShape() && type.getNumElements() == 0;
}

/// One entry of a shape built for nn.reshape: a constant, or dimension `dim`
/// of the source value times `mul` divided by `div`. `inPlace` entries are
/// also the size the reshaped value has at that position (`sameAsInput`).
struct ShapeEntry {
  static ShapeEntry constant(int64_t c) { return {-1, c, 1, 1, false}; }
  static ShapeEntry dimension(int64_t d, int64_t mul = 1, int64_t div = 1) {
    return {d, 0, mul, div, false};
  }
  static ShapeEntry inPlace(int64_t d) { return {d, 0, 1, 1, true}; }
  int64_t dim;
  int64_t value;
  int64_t mul;
  int64_t div;
  bool sameAsInput;
};

/// nn.reshape of `x` to `entries` over the dims of `source`. The shape is a
/// constant when every entry is static or in place (copied with a 0 entry);
/// otherwise it is computed with nn.shape_of (and allowzero, every entry
/// then being exact).
static Value reshapeTo(NodeContext &n, Value x, Value source,
                       ArrayRef<ShapeEntry> entries) {
  RankedTensorType type = typeOf(source);
  if (!x || !type || n.failed())
    return n.fail();
  auto isStatic = [&](const ShapeEntry &e) {
    return e.dim < 0 || !type.isDynamicDim(e.dim);
  };
  auto staticValue = [&](const ShapeEntry &e) {
    return e.dim < 0 ? e.value : type.getDimSize(e.dim) * e.mul / e.div;
  };
  auto reshape = [&](Value shape, bool allowZero) {
    return n.create<nn::ReshapeOp>({x, shape},
                                   {n.namedBool("allowzero", allowZero)});
  };
  bool hasZero = llvm::any_of(entries, [&](const ShapeEntry &e) {
    return isStatic(e) && staticValue(e) == 0;
  });
  if (llvm::all_of(entries, isStatic))
    return reshape(n.constI64(llvm::map_to_vector(entries, staticValue)),
                   hasZero);
  if (!hasZero && llvm::all_of(entries, [&](const ShapeEntry &e) {
        return isStatic(e) || e.sameAsInput;
      }))
    return reshape(
        n.constI64(llvm::map_to_vector(entries,
                                       [&](const ShapeEntry &e) -> int64_t {
                                         return isStatic(e) ? staticValue(e)
                                                            : 0;
                                       })),
        false);
  SmallVector<Value> pieces;
  for (const ShapeEntry &e : entries) {
    if (isStatic(e)) {
      pieces.push_back(n.constI64({staticValue(e)}));
      continue;
    }
    Value v = n.create<nn::ShapeOfOp>(
        {source}, {n.namedI64("start", e.dim), n.namedI64("end", e.dim + 1)});
    if (e.mul != 1)
      v = n.create<nn::MulOp>({v, n.constI64({e.mul})});
    if (e.div != 1)
      v = n.create<nn::DivOp>({v, n.constI64({e.div})});
    pieces.push_back(v);
  }
  return reshape(n.create<nn::ConcatOp>(pieces, {n.namedI64("axis", 0)}), true);
}

/// The size of dimension `d` of `x` as a one-element i64 tensor (0-d when
/// static), usable as a bound of nn.range.
static Value dimSize(NodeContext &n, Value x, int64_t d) {
  RankedTensorType type = typeOf(x);
  if (!type || n.failed())
    return n.fail();
  if (!type.isDynamicDim(d))
    return n.constI64({type.getDimSize(d)}, /*scalar=*/true);
  return n.create<nn::ShapeOfOp>(
      {x}, {n.namedI64("start", d), n.namedI64("end", d + 1)});
}

/// 0, 1, ..., size - 1 as an i64 tensor (`size` holds one i64 element).
static Value iota(NodeContext &n, Value size) {
  return n.create<nn::RangeOp>({n.constI64({0}, /*scalar=*/true), size,
                                n.constI64({1}, /*scalar=*/true)});
}

/// The axes of opset 18's Pad (an input), Resize and CenterCropPad
/// (attributes): those their per-axis operands cover, in [-rank, rank - 1]
/// and distinct, normalized. Absent: every axis in order. std::nullopt
/// after reporting why not.
static std::optional<SmallVector<int64_t>>
coveredAxes(NodeContext &n, std::optional<SmallVector<int64_t>> axes,
            int64_t rank) {
  if (n.failed())
    return std::nullopt;
  if (!axes)
    return llvm::to_vector(llvm::seq<int64_t>(0, rank));
  SmallVector<int64_t> normalized;
  for (int64_t axis : *axes) {
    if (axis < -rank || axis >= rank) {
      (void)n.error(llvm::formatv(
          "axis {0} is out of range for an input of rank {1}", axis, rank));
      return std::nullopt;
    }
    int64_t a = axis < 0 ? axis + rank : axis;
    if (llvm::is_contained(normalized, a)) {
      (void)n.error(llvm::formatv("axis {0} is given twice in axes", axis));
      return std::nullopt;
    }
    normalized.push_back(a);
  }
  return normalized;
}

/// The positions of `axes` among the 2 * rank entries of a begins-then-ends
/// operand (Pad's pads, Resize's roi).
static SmallVector<int64_t> beginsAndEnds(ArrayRef<int64_t> axes,
                                          int64_t rank) {
  SmallVector<int64_t> positions(axes);
  for (int64_t axis : axes)
    positions.push_back(axis + rank);
  return positions;
}

/// A 1-D constant of `element` (a float type) holding `values`.
static Value constFloats(NodeContext &n, Type element, ArrayRef<float> values) {
  auto type = RankedTensorType::get({int64_t(values.size())}, element);
  SmallVector<Attribute> attrs = llvm::map_to_vector(values, [&](float v) {
    return Attribute(n.builder().getFloatAttr(element, v));
  });
  return nn::ConstantOp::create(n.builder(), n.loc(),
                                DenseElementsAttr::get(type, attrs));
}

/// `values` (1-D, one entry per position) written at `positions` of
/// `defaults` (1-D): the whole-rank form of an operand that opset 18's
/// `axes` gives for some axes only. `values` may be known at run time only.
static Value spreadOverAxes(NodeContext &n, Value defaults,
                            ArrayRef<int64_t> positions, Value values) {
  RankedTensorType valuesType = typeOf(values);
  if (!valuesType || !defaults || n.failed())
    return n.fail();
  if (valuesType.getRank() != 1 ||
      (!valuesType.isDynamicDim(0) &&
       valuesType.getDimSize(0) != static_cast<int64_t>(positions.size()))) {
    (void)n.error(llvm::formatv("expected {0} values for the given axes, got "
                                "a tensor of type {1}",
                                positions.size(), valuesType));
    return n.fail();
  }
  values = n.castTo(values, typeOf(defaults).getElementType());
  // Constants stay constants, so that shapes computed from them are static.
  DenseElementsAttr constantValues, constantDefaults;
  if (matchPattern(values, m_Constant(&constantValues)) &&
      matchPattern(defaults, m_Constant(&constantDefaults))) {
    SmallVector<Attribute> whole(constantDefaults.getValues<Attribute>());
    for (auto [position, value] :
         llvm::zip(positions, constantValues.getValues<Attribute>()))
      whole[position] = value;
    return nn::ConstantOp::create(
        n.builder(), n.loc(), DenseElementsAttr::get(typeOf(defaults), whole));
  }
  return n.create<nn::ScatterElementsOp>(
      {defaults, n.constI64(positions), values},
      {n.namedI64("axis", 0),
       n.named("reduction", nn::ScatterReductionAttr::get(
                                n.context(), nn::ScatterReduction::None))});
}

/// The type the model declares for output `i` (value_info or graph output,
/// as ONNX shape inference left it); null when none.
static RankedTensorType declaredOutputType(NodeContext &n, size_t i) {
  if (!n.hasOutput(i))
    return {};
  return dyn_cast_or_null<RankedTensorType>(
      n.graphImporter().declaredType(n.node().output(i)));
}

/// Squeeze and Unsqueeze move no data: with run-time axes (which nn cannot
/// take) they are a reshape to the output shape the model declares, when
/// it declares one with at most one unknown size. Otherwise unsupported,
/// saying `why`.
static Value reshapeToDeclared(NodeContext &n, Value x, const Twine &why) {
  RankedTensorType declared = declaredOutputType(n, 0);
  if (!x || n.failed())
    return n.fail();
  int64_t dynamic = 0;
  bool hasZero = false;
  SmallVector<int64_t> shape;
  if (declared) {
    for (int64_t size : declared.getShape()) {
      dynamic += ShapedType::isDynamic(size);
      hasZero |= size == 0;
      shape.push_back(ShapedType::isDynamic(size) ? -1 : size);
    }
  }
  if (!declared || dynamic > 1 || (hasZero && dynamic)) {
    (void)n.unsupported(why + "; the model does not declare a static output "
                              "shape (at most one unknown size) to reshape to "
                              "instead");
    return n.fail();
  }
  return n.create<nn::ReshapeOp>({x, n.constI64(shape)},
                                 {n.namedBool("allowzero", hasZero)});
}

/// The ONNX `to`/`dtype` attribute `name` as an MLIR element type.
static Type elementTypeAttr(NodeContext &n, StringRef name, Type fallback) {
  std::optional<int64_t> code = n.attrInt(name);
  if (!code)
    return fallback;
  Type element = convertElementType(n.context(), *code);
  if (!element) {
    (void)n.unsupported(llvm::formatv(
        "attribute '{0}' is ONNX element type {1}, which ddl does not support",
        name, *code));
    return {};
  }
  return element;
}

/// Parses the string attribute `name` with `symbolize` (an nn enum).
template <typename EnumT>
static std::optional<EnumT>
enumAttr(NodeContext &n, StringRef name, StringRef fallback,
         std::optional<EnumT> (*symbolize)(StringRef)) {
  std::string value = n.attrString(name, fallback);
  if (n.failed())
    return std::nullopt;
  std::optional<EnumT> e = symbolize(value);
  if (!e)
    (void)n.unsupported(llvm::formatv("attribute '{0}' = '{1}'", name, value));
  return e;
}

//===----------------------------------------------------------------------===//
// Reshape family
//===----------------------------------------------------------------------===//

static LogicalResult convertReshape(NodeContext &n) {
  return n.setOutput(n.create<nn::ReshapeOp>(
      {n.input(0), n.input(1)},
      {n.namedBool("allowzero", n.attrInt("allowzero", 0) != 0)}));
}

static LogicalResult convertFlatten(NodeContext &n) {
  return n.setOutput(n.create<nn::FlattenOp>(
      {n.input(0)}, {n.namedI64("axis", n.attrInt("axis", 1))}));
}

/// Constant axes of Squeeze/Unsqueeze: the attribute (opset < 13) or a
/// constant input #1. Sets `runtime` when the input is not a constant.
static std::optional<SmallVector<int64_t>> squeezeAxes(NodeContext &n,
                                                       bool &runtime) {
  runtime = false;
  if (n.opset() < 13 || !n.hasInput(1))
    return n.attrInts("axes");
  std::optional<SmallVector<int64_t>> axes = n.constantInts(1);
  runtime = !axes;
  return axes;
}

static LogicalResult convertSqueeze(NodeContext &n) {
  Value input = n.input(0);
  RankedTensorType type = n.inputType(0);
  bool runtime;
  std::optional<SmallVector<int64_t>> axes = squeezeAxes(n, runtime);
  if (n.failed() || !type)
    return failure();
  if (runtime)
    return n.setOutput(reshapeToDeclared(
        n, input,
        "Squeeze with run-time axes (nn.squeeze takes constant axes)"));
  if (!axes && !type.hasStaticShape())
    return n.setOutput(reshapeToDeclared(
        n, input,
        "Squeeze without axes of an input with dynamic sizes (which of them "
        "are 1 is unknown)"));
  SmallVector<NamedAttribute> attrs;
  if (axes)
    attrs.push_back(n.namedI64Array("axes", *axes));
  return n.setOutput(n.create<nn::SqueezeOp>({input}, attrs));
}

static LogicalResult convertUnsqueeze(NodeContext &n) {
  Value input = n.input(0);
  bool runtime;
  std::optional<SmallVector<int64_t>> axes = squeezeAxes(n, runtime);
  if (n.failed())
    return failure();
  if (runtime)
    return n.setOutput(reshapeToDeclared(
        n, input,
        "Unsqueeze with run-time axes (nn.unsqueeze takes constant axes)"));
  if (!axes)
    return n.error(n.opset() < 13 ? "attribute 'axes' is required"
                                  : "input #1 (axes) is required");
  return n.setOutput(
      n.create<nn::UnsqueezeOp>({input}, {n.namedI64Array("axes", *axes)}));
}

static LogicalResult convertTranspose(NodeContext &n) {
  Value input = n.input(0);
  SmallVector<NamedAttribute> attrs;
  if (std::optional<SmallVector<int64_t>> perm = n.attrInts("perm"))
    attrs.push_back(n.namedI64Array("perm", *perm));
  return n.setOutput(n.create<nn::TransposeOp>({input}, attrs));
}

//===----------------------------------------------------------------------===//
// Slice, Concat, Split
//===----------------------------------------------------------------------===//

static LogicalResult convertSlice(NodeContext &n) {
  Value input = n.input(0);
  Value starts, ends, axes, steps;
  if (n.opset() < 10) {
    // Bounds and axes were attributes; there were no steps.
    std::optional<SmallVector<int64_t>> s = n.attrInts("starts");
    std::optional<SmallVector<int64_t>> e = n.attrInts("ends");
    if (n.failed())
      return failure();
    if (!s || !e)
      return n.error("attributes 'starts' and 'ends' are required");
    starts = n.constI64(*s);
    ends = n.constI64(*e);
    if (std::optional<SmallVector<int64_t>> a = n.attrInts("axes"))
      axes = n.constI64(*a);
  } else {
    starts = n.input(1);
    ends = n.input(2);
    axes = n.optionalInput(3);
    steps = n.optionalInput(4);
  }
  SmallVector<Value> operands = {input, starts, ends};
  if (axes)
    operands.push_back(axes);
  if (steps)
    operands.push_back(steps);
  return n.setOutput(n.create<nn::SliceOp>(
      operands, {n.segments({1, 1, 1, axes ? 1 : 0, steps ? 1 : 0})}));
}

static LogicalResult convertConcat(NodeContext &n) {
  std::optional<int64_t> axis = n.attrInt("axis");
  if (n.failed())
    return failure();
  if (!axis)
    return n.error("attribute 'axis' is required");
  SmallVector<Value> inputs = n.inputsFrom(0);
  if (inputs.empty())
    return n.error("needs at least one input");
  return n.setOutput(
      n.create<nn::ConcatOp>(inputs, {n.namedI64("axis", *axis)}));
}

/// Run-time split sizes (nn.split takes constants) read off the sizes along
/// `axis` the model declares for the outputs; unsupported when they are not
/// all declared and static.
static std::optional<SmallVector<int64_t>>
splitSizesFromDeclared(NodeContext &n, int64_t axis) {
  SmallVector<int64_t> sizes;
  for (size_t i = 0; i < n.numOutputs(); ++i) {
    RankedTensorType declared = declaredOutputType(n, i);
    int64_t a = declared && axis < 0 ? axis + declared.getRank() : axis;
    if (!declared || a < 0 || a >= declared.getRank() ||
        declared.isDynamicDim(a)) {
      (void)n.unsupported(llvm::formatv(
          "input #1 (split) is not a constant (nn.split takes constant sizes) "
          "and the model declares no static size along axis {0} for output "
          "#{1}",
          axis, i));
      return std::nullopt;
    }
    sizes.push_back(declared.getDimSize(a));
  }
  return sizes;
}

static LogicalResult convertSplit(NodeContext &n) {
  Value input = n.input(0);
  int64_t axis = n.attrInt("axis", 0);
  int64_t numOutputs = n.numOutputs();
  if (numOutputs < 1)
    return n.error("needs at least one output");
  std::optional<SmallVector<int64_t>> sizes;
  // Opset 18's num_outputs asks for that many pieces of ceil(size / n), the
  // last one smaller: nn.split's form without sizes.
  if (std::optional<int64_t> pieces = n.attrInt("num_outputs")) {
    if (n.hasInput(1))
      return n.error("give either input #1 (split) or attribute "
                     "'num_outputs', not both");
    if (*pieces != numOutputs)
      return n.error(llvm::formatv(
          "attribute 'num_outputs' is {0} but the node has {1} outputs",
          *pieces, numOutputs));
  }
  if (n.opset() < 13) {
    sizes = n.attrInts("split");
  } else if (n.hasInput(1)) {
    sizes = n.constantInts(1);
    if (!sizes && !n.failed())
      sizes = splitSizesFromDeclared(n, axis);
  }
  if (n.failed())
    return failure();
  SmallVector<NamedAttribute> attrs = {n.namedI64("axis", axis),
                                       n.namedI64("num_outputs", numOutputs)};
  if (sizes) {
    if (static_cast<int64_t>(sizes->size()) != numOutputs)
      return n.error(
          llvm::formatv("split has {0} entries but the node has {1} outputs",
                        sizes->size(), numOutputs));
    attrs.push_back(n.namedI64Array("sizes", *sizes));
  }
  Operation *op = n.createOp<nn::SplitOp>({input}, attrs);
  if (!op)
    return failure();
  return n.setOutputs(op->getResults());
}

//===----------------------------------------------------------------------===//
// Gather and scatter
//===----------------------------------------------------------------------===//

static LogicalResult convertGather(NodeContext &n) {
  return n.setOutput(n.create<nn::GatherOp>(
      {n.input(0), n.input(1)}, {n.namedI64("axis", n.attrInt("axis", 0))}));
}

static LogicalResult convertGatherElements(NodeContext &n) {
  return n.setOutput(n.create<nn::GatherElementsOp>(
      {n.input(0), n.input(1)}, {n.namedI64("axis", n.attrInt("axis", 0))}));
}

static LogicalResult convertGatherND(NodeContext &n) {
  return n.setOutput(n.create<nn::GatherNDOp>(
      {n.input(0), n.input(1)},
      {n.namedI64("batch_dims", n.attrInt("batch_dims", 0))}));
}

static std::optional<NamedAttribute> scatterReduction(NodeContext &n) {
  std::optional<nn::ScatterReduction> reduction =
      enumAttr<nn::ScatterReduction>(n, "reduction", "none",
                                     nn::symbolizeScatterReduction);
  if (!reduction)
    return std::nullopt;
  return n.named("reduction",
                 nn::ScatterReductionAttr::get(n.context(), *reduction));
}

/// ScatterElements, and Scatter (its deprecated name, opsets 9-10).
static LogicalResult convertScatterElements(NodeContext &n) {
  std::optional<NamedAttribute> reduction = scatterReduction(n);
  if (!reduction)
    return failure();
  return n.setOutput(n.create<nn::ScatterElementsOp>(
      {n.input(0), n.input(1), n.input(2)},
      {n.namedI64("axis", n.attrInt("axis", 0)), *reduction}));
}

static LogicalResult convertScatterND(NodeContext &n) {
  std::optional<NamedAttribute> reduction = scatterReduction(n);
  if (!reduction)
    return failure();
  return n.setOutput(n.create<nn::ScatterNDOp>(
      {n.input(0), n.input(1), n.input(2)}, {*reduction}));
}

/// MaxUnpool: X scattered at the positions `I` gives in the flattened
/// default output (per spatial axis (in - 1) * stride + kernel - pads, as
/// MaxPool's Indices count them), zeros elsewhere; an `output_shape` input
/// pads that result with zeros at the end of each axis (ONNX's test data
/// places the values so: the indices keep their default-shape
/// coordinates).
static LogicalResult convertMaxUnpool(NodeContext &n) {
  Value x = n.input(0), indices = n.input(1);
  if (!x || !indices)
    return failure();
  RankedTensorType type = n.inputType(0);
  std::optional<SmallVector<int64_t>> kernel = n.attrInts("kernel_shape");
  if (!kernel)
    return n.failed() ? failure()
                      : n.error("attribute 'kernel_shape' is required");
  size_t spatial = kernel->size();
  if (type.getRank() != static_cast<int64_t>(spatial) + 2)
    return n.error(llvm::formatv(
        "X has rank {0} but kernel_shape has {1} entries (expected rank {2})",
        type.getRank(), spatial, spatial + 2));
  SmallVector<int64_t> strides =
      n.attrInts("strides").value_or(SmallVector<int64_t>(spatial, 1));
  SmallVector<int64_t> pads =
      n.attrInts("pads").value_or(SmallVector<int64_t>(2 * spatial, 0));
  if (strides.size() != spatial || pads.size() != 2 * spatial)
    return n.error(
        llvm::formatv("strides needs {0} entries and pads {1}, got {2} and {3}",
                      spatial, 2 * spatial, strides.size(), pads.size()));
  SmallVector<int64_t> sizes;
  for (size_t d = 0; d < spatial; ++d) {
    int64_t in = type.getDimSize(2 + d);
    if (ShapedType::isDynamic(in))
      return n.unsupported("MaxUnpool of a dynamic spatial size");
    sizes.push_back((in - 1) * strides[d] + (*kernel)[d] - pads[d] -
                    pads[d + spatial]);
    if (sizes.back() < 1)
      return n.error(
          llvm::formatv("spatial axis {0} of the output would have size {1}", d,
                        sizes.back()));
  }
  Value outputShape =
      n.hasInput(2) && !isEmptyInput(n, 2) ? n.input(2) : Value();
  if (n.failed())
    return failure();
  Value batchAndChannels = n.create<nn::ShapeOfOp>(
      {x}, {n.namedI64("start", 0), n.namedI64("end", 2)});
  Value shape = n.create<nn::ConcatOp>({batchAndChannels, n.constI64(sizes)},
                                       {n.namedI64("axis", 0)});
  auto zero =
      DenseElementsAttr::get(RankedTensorType::get({1}, type.getElementType()),
                             n.builder().getZeroAttr(type.getElementType()));
  Value zeros =
      n.create<nn::ConstantOfShapeOp>({shape}, {n.named("value", zero)});
  auto flat = [&](Value v) {
    return n.create<nn::ReshapeOp>({v, n.constI64({-1})});
  };
  Value scattered = n.create<nn::ScatterElementsOp>(
      {flat(zeros), flat(indices), flat(x)},
      {n.namedI64("axis", 0),
       n.named("reduction", nn::ScatterReductionAttr::get(
                                n.context(), nn::ScatterReduction::None))});
  Value result = n.create<nn::ReshapeOp>({scattered, shape});
  if (outputShape) {
    Value grow = n.create<nn::SubOp>({outputShape, shape});
    Value padding = n.create<nn::ConcatOp>(
        {n.constI64(SmallVector<int64_t>(spatial + 2, 0)), grow},
        {n.namedI64("axis", 0)});
    result = n.create<nn::PadOp>(
        {result, padding},
        {n.named("mode",
                 nn::PadModeAttr::get(n.context(), nn::PadMode::Constant))});
  }
  return n.setOutput(result);
}

//===----------------------------------------------------------------------===//
// Pad, Expand, Tile
//===----------------------------------------------------------------------===//

/// Pad-18's pads for `axes` known at run time only, written into `zeros`
/// (2 * rank entries, begins then ends) with a scatter. An axis outside
/// [-rank, rank - 1] becomes the out-of-range position 2 * rank, which
/// the scatter's run-time index check reports naming the node.
static Value padsOverRuntimeAxes(NodeContext &n, Value zeros, Value axes,
                                 Value pads, int64_t rank) {
  RankedTensorType axesType = typeOf(axes);
  if (!axesType || n.failed())
    return n.fail();
  if (!isa<IntegerType>(axesType.getElementType()) || axesType.getRank() != 1) {
    (void)n.error(llvm::formatv(
        "input #3 (axes) must be a 1-D integer tensor, got {0}", axesType));
    return n.fail();
  }
  Value axis = n.castTo(axes, n.builder().getI64Type());
  auto scalar = [&](int64_t v) { return n.constI64({v}, /*scalar=*/true); };
  Value valid =
      n.create<nn::AndOp>({n.create<nn::GreaterEqualOp>({axis, scalar(-rank)}),
                           n.create<nn::LessOp>({axis, scalar(rank)})});
  Value begin =
      n.create<nn::WhereOp>({n.create<nn::LessOp>({axis, scalar(0)}),
                             n.create<nn::AddOp>({axis, scalar(rank)}), axis});
  begin = n.create<nn::WhereOp>({valid, begin, scalar(2 * rank)});
  Value end = n.create<nn::WhereOp>(
      {valid, n.create<nn::AddOp>({begin, scalar(rank)}), scalar(2 * rank)});
  Value positions =
      n.create<nn::ConcatOp>({begin, end}, {n.namedI64("axis", 0)});
  return n.create<nn::ScatterElementsOp>(
      {zeros, positions, n.castTo(pads, n.builder().getI64Type())},
      {n.namedI64("axis", 0),
       n.named("reduction", nn::ScatterReductionAttr::get(
                                n.context(), nn::ScatterReduction::None))});
}

static LogicalResult convertPad(NodeContext &n) {
  Value input = n.input(0);
  RankedTensorType type = n.inputType(0);
  std::optional<nn::PadMode> mode =
      enumAttr<nn::PadMode>(n, "mode", "constant", nn::symbolizePadMode);
  if (!mode || !type)
    return failure();
  Value pads, value;
  if (n.opset() < 11) {
    // pads and the fill value were attributes.
    std::optional<SmallVector<int64_t>> p = n.attrInts("pads");
    if (n.failed())
      return failure();
    if (!p)
      return n.error("attribute 'pads' is required");
    pads = n.constI64(*p);
    float fill = n.attrFloat("value", 0);
    if (*mode == nn::PadMode::Constant && fill != 0)
      value = n.constScalar(type.getElementType(), fill);
  } else {
    pads = n.input(1);
    if (*mode == nn::PadMode::Constant)
      value = n.optionalInput(2);
    // Opset 18: pads cover only the axes input's axes; the others are not
    // padded.
    if (n.hasInput(3)) {
      int64_t rank = type.getRank();
      Value zeros = n.constI64(SmallVector<int64_t>(2 * rank, 0));
      if (std::optional<SmallVector<int64_t>> given = n.constantInts(3)) {
        std::optional<SmallVector<int64_t>> axes = coveredAxes(n, given, rank);
        if (!axes)
          return failure();
        pads = spreadOverAxes(n, zeros, beginsAndEnds(*axes, rank), pads);
      } else if (Value axes = n.input(3)) {
        pads = padsOverRuntimeAxes(n, zeros, axes, pads, rank);
      }
    }
  }
  SmallVector<Value> operands = {input, pads};
  if (value)
    operands.push_back(value);
  return n.setOutput(n.create<nn::PadOp>(
      operands, {n.named("mode", nn::PadModeAttr::get(n.context(), *mode))}));
}

/// The largest size CenterCropPad may ask for (2^48, the largest dimension
/// ddl imports).
constexpr int64_t kMaxPadExtent = int64_t(1) << 48;

/// CenterCropPad (opset 18): each of `axes` (every axis by default) cropped
/// or padded with zeros, centred, to the size `shape` gives. ONNX's
/// reference starts a crop, and pads before the input, by half the
/// difference rounded down; with nn.pad cropping at negative amounts both
/// are one pad: trunc(diff / 2) before (nn.div truncates) and the rest
/// after.
static LogicalResult convertCenterCropPad(NodeContext &n) {
  Value x = n.input(0), shape = n.input(1);
  RankedTensorType type = n.inputType(0), shapeType = n.inputType(1);
  if (n.failed())
    return failure();
  int64_t rank = type.getRank();
  std::optional<SmallVector<int64_t>> axes =
      coveredAxes(n, n.attrInts("axes"), rank);
  if (!axes)
    return failure();
  int64_t count = axes->size();
  if (!isa<IntegerType>(shapeType.getElementType()) ||
      shapeType.getRank() != 1 ||
      (!shapeType.isDynamicDim(0) && shapeType.getDimSize(0) != count))
    return n.error(llvm::formatv(
        "input #1 (shape) must be a 1-D integer tensor of {0} sizes, one per "
        "axis, got {1}",
        count, shapeType));
  Value padding;
  std::optional<SmallVector<int64_t>> wanted = n.constantInts(1);
  if (wanted && llvm::none_of(*axes, [&](int64_t axis) {
        return type.isDynamicDim(axis);
      })) {
    // Known sizes: constant pads, and a static result.
    SmallVector<int64_t> before, after;
    for (auto [axis, size] : llvm::zip(*axes, *wanted)) {
      if (size < 0 || size > kMaxPadExtent)
        return n.error(llvm::formatv(
            "size {0} for axis {1} is out of range [0, 2^48]", size, axis));
      int64_t diff = size - type.getDimSize(axis);
      before.push_back(diff / 2);
      after.push_back(diff - diff / 2);
    }
    before.append(after);
    padding = n.constI64(before);
  } else {
    Value sizes = n.create<nn::GatherOp>(
        {n.create<nn::ShapeOfOp>({x}), n.constI64(*axes)},
        {n.namedI64("axis", 0)});
    Value diff =
        n.create<nn::SubOp>({n.castTo(shape, n.builder().getI64Type()), sizes});
    Value before =
        n.create<nn::DivOp>({diff, n.constI64({2}, /*scalar=*/true)});
    Value after = n.create<nn::SubOp>({diff, before});
    padding = n.create<nn::ConcatOp>({before, after}, {n.namedI64("axis", 0)});
  }
  Value pads = spreadOverAxes(n, n.constI64(SmallVector<int64_t>(2 * rank, 0)),
                              beginsAndEnds(*axes, rank), padding);
  return n.setOutput(n.create<nn::PadOp>(
      {x, pads}, {n.named("mode", nn::PadModeAttr::get(
                                      n.context(), nn::PadMode::Constant))}));
}

/// The most (block element, block position) pairs Col2Im's constant offset
/// table may hold (2^24: 128 MiB of i64).
constexpr int64_t kMaxCol2ImPairs = int64_t(1) << 24;

/// Col2Im (opset 18), im2col's inverse with overlaps summed: input [N, C *
/// prod(block_shape), L] holds, for each of the L block positions (row
/// major over the sliding positions), the C blocks; output [N, C,
/// image_shape...]. image_shape and block_shape must be constants: the
/// offset of every (block element, position) pair in the padded image is
/// computed here, the columns are scatter-added into a zero padded image
/// at those offsets, and the padding is cropped.
static LogicalResult convertCol2Im(NodeContext &n) {
  Value x = n.input(0);
  RankedTensorType type = n.inputType(0);
  std::optional<SmallVector<int64_t>> image = n.constantInts(1);
  std::optional<SmallVector<int64_t>> block = n.constantInts(2);
  if (n.failed())
    return failure();
  if (!image || !block)
    return n.unsupported(
        "run-time image_shape or block_shape (they must be constants)");
  size_t dims = image->size();
  if (dims == 0 || block->size() != dims)
    return n.error(llvm::formatv(
        "image_shape and block_shape must have one entry per spatial "
        "dimension, got {0} and {1}",
        dims, block->size()));
  if (type.getRank() != 3)
    return n.error(llvm::formatv(
        "input must be [N, C * prod(block_shape), L], got {0}", type));
  SmallVector<int64_t> strides =
      n.attrInts("strides").value_or(SmallVector<int64_t>(dims, 1));
  SmallVector<int64_t> dilations =
      n.attrInts("dilations").value_or(SmallVector<int64_t>(dims, 1));
  SmallVector<int64_t> pads =
      n.attrInts("pads").value_or(SmallVector<int64_t>(2 * dims, 0));
  if (n.failed())
    return failure();
  if (strides.size() != dims || dilations.size() != dims ||
      pads.size() != 2 * dims)
    return n.error(llvm::formatv(
        "strides and dilations need {0} entries and pads {1}", dims, 2 * dims));
  // Sliding positions and padded sizes per dimension, bounded so that the
  // products below cannot overflow.
  SmallVector<int64_t> positions, padded;
  int64_t blockSize = 1, count = 1, paddedSize = 1;
  for (size_t d = 0; d < dims; ++d) {
    int64_t limit = kMaxCol2ImPairs;
    if ((*image)[d] < 1 || (*image)[d] > limit || (*block)[d] < 1 ||
        (*block)[d] > limit || strides[d] < 1 || strides[d] > limit ||
        dilations[d] < 1 || dilations[d] > limit || pads[d] < 0 ||
        pads[d] > limit || pads[d + dims] < 0 || pads[d + dims] > limit)
      return n.error(llvm::formatv(
          "spatial dimension {0}: image and block sizes, strides and "
          "dilations must be in [1, 2^24] and pads in [0, 2^24]",
          d));
    padded.push_back((*image)[d] + pads[d] + pads[d + dims]);
    int64_t span = dilations[d] * ((*block)[d] - 1) + 1;
    if (span > padded.back())
      return n.error(llvm::formatv(
          "spatial dimension {0}: the block spans {1} but the padded image "
          "has {2}",
          d, span, padded.back()));
    positions.push_back((padded.back() - span) / strides[d] + 1);
    blockSize *= (*block)[d];
    count *= positions.back();
    paddedSize *= padded.back();
    if (blockSize > kMaxCol2ImPairs || count > kMaxCol2ImPairs ||
        blockSize * count > kMaxCol2ImPairs || paddedSize > kMaxCol2ImPairs)
      return n.unsupported(
          "Col2Im of more than 2^24 block elements x positions or padded "
          "image elements");
  }
  if (!type.isDynamicDim(2) && type.getDimSize(2) != count)
    return n.error(llvm::formatv(
        "input has {0} block positions but the image, block, strides, "
        "dilations and pads give {1}",
        type.getDimSize(2), count));
  if (!type.isDynamicDim(1) && type.getDimSize(1) % blockSize != 0)
    return n.error(llvm::formatv(
        "input dimension 1 ({0}) is not a multiple of the block size {1}",
        type.getDimSize(1), blockSize));
  // offsets[k * L + l]: where element k of the block at position l lands in
  // the flattened padded image.
  SmallVector<int64_t> offsets;
  offsets.reserve(blockSize * count);
  SmallVector<int64_t> k(dims, 0);
  for (int64_t ki = 0; ki < blockSize; ++ki) {
    SmallVector<int64_t> l(dims, 0);
    for (int64_t li = 0; li < count; ++li) {
      int64_t offset = 0;
      for (size_t d = 0; d < dims; ++d)
        offset = offset * padded[d] + l[d] * strides[d] + k[d] * dilations[d];
      offsets.push_back(offset);
      for (int64_t d = dims - 1; d >= 0 && ++l[d] == positions[d]; --d)
        l[d] = 0;
    }
    for (int64_t d = dims - 1; d >= 0 && ++k[d] == (*block)[d]; --d)
      k[d] = 0;
  }
  // [N, C * K, L] -> [N, C, K * L], scattered along the last axis.
  Value columns = reshapeTo(n, x, x,
                            {ShapeEntry::dimension(0),
                             ShapeEntry::dimension(1, 1, blockSize),
                             ShapeEntry::constant(blockSize * count)});
  Value batchAndChannels = n.create<nn::ShapeOfOp>(
      {columns}, {n.namedI64("start", 0), n.namedI64("end", 2)});
  Value indices = n.create<nn::ExpandOp>(
      {n.constI64(offsets), n.create<nn::ShapeOfOp>({columns})});
  auto zero =
      DenseElementsAttr::get(RankedTensorType::get({1}, type.getElementType()),
                             n.builder().getZeroAttr(type.getElementType()));
  Value zeros = n.create<nn::ConstantOfShapeOp>(
      {n.create<nn::ConcatOp>({batchAndChannels, n.constI64({paddedSize})},
                              {n.namedI64("axis", 0)})},
      {n.named("value", zero)});
  Value summed = n.create<nn::ScatterElementsOp>(
      {zeros, indices, columns},
      {n.namedI64("axis", 2),
       n.named("reduction", nn::ScatterReductionAttr::get(
                                n.context(), nn::ScatterReduction::Add))});
  Value paddedImage = n.create<nn::ReshapeOp>(
      {summed, n.create<nn::ConcatOp>({batchAndChannels, n.constI64(padded)},
                                      {n.namedI64("axis", 0)})});
  SmallVector<int64_t> starts(pads.begin(), pads.begin() + dims), ends, axes;
  for (size_t d = 0; d < dims; ++d) {
    ends.push_back(starts[d] + (*image)[d]);
    axes.push_back(2 + d);
  }
  return n.setOutput(n.create<nn::SliceOp>(
      {paddedImage, n.constI64(starts), n.constI64(ends), n.constI64(axes)},
      {n.segments({1, 1, 1, 1, 0})}));
}

static LogicalResult convertExpand(NodeContext &n) {
  return n.setOutput(n.create<nn::ExpandOp>({n.input(0), n.input(1)}));
}

static LogicalResult convertTile(NodeContext &n) {
  return n.setOutput(n.create<nn::TileOp>({n.input(0), n.input(1)}));
}

//===----------------------------------------------------------------------===//
// Resize and Upsample
//===----------------------------------------------------------------------===//

/// nn.resize of `input` with optional `roi`, `scales`, `sizes`.
static LogicalResult createResize(NodeContext &n, Value input, Value roi,
                                  Value scales, Value sizes,
                                  ArrayRef<NamedAttribute> attrs) {
  SmallVector<Value> operands = {input};
  for (Value v : {roi, scales, sizes})
    if (v)
      operands.push_back(v);
  SmallVector<NamedAttribute> all(attrs.begin(), attrs.end());
  all.push_back(n.segments({1, roi ? 1 : 0, scales ? 1 : 0, sizes ? 1 : 0}));
  return n.setOutput(n.create<nn::ResizeOp>(operands, all));
}

/// An antialiased resize shapes its kernel by each dimension's scale, so
/// the scales must be known at import: constant, or constant sizes of
/// static dimensions (size / input); and at least nn::kMinAntialiasScale,
/// as the lowering unrolls about 4 / scale taps.
static LogicalResult checkAntialiasScales(NodeContext &n, RankedTensorType type,
                                          Value scales, Value sizes) {
  SmallVector<double> known;
  DenseFPElementsAttr floats;
  DenseIntElementsAttr ints;
  if (scales && matchPattern(scales, m_Constant(&floats))) {
    for (const APFloat &v : floats.getValues<APFloat>())
      known.push_back(v.convertToDouble());
  } else if (!scales && sizes && type.hasStaticShape() &&
             matchPattern(sizes, m_Constant(&ints))) {
    for (auto [size, in] : llvm::zip(ints.getValues<APInt>(), type.getShape()))
      known.push_back(in == 0 ? 1.0 : double(size.getSExtValue()) / double(in));
  } else {
    return n.unsupported("antialias with run-time scales or sizes, or sizes "
                         "of dynamic dimensions");
  }
  for (auto [d, scale] : llvm::enumerate(known))
    if (!(scale >= nn::kMinAntialiasScale))
      return n.unsupported(llvm::formatv(
          "antialias with scale {0} in dimension {1} (below 1/64)", scale, d));
  return success();
}

static LogicalResult convertResize(NodeContext &n) {
  Value input = n.input(0);
  MLIRContext *ctx = n.context();
  std::optional<nn::ResizeMode> mode =
      enumAttr<nn::ResizeMode>(n, "mode", "nearest", nn::symbolizeResizeMode);
  if (!mode)
    return failure();
  SmallVector<NamedAttribute> attrs = {
      n.named("mode", nn::ResizeModeAttr::get(ctx, *mode))};

  if (n.opset() < 11) {
    // Resize-10: X and scales. Its only coordinate mapping is asymmetric
    // (as ONNX Runtime implements it); nearest neighbours round down, as
    // ONNX's 10 -> 11 version adapter reads it.
    if (*mode == nn::ResizeMode::Cubic)
      return n.error("mode 'cubic' needs opset 11");
    attrs.push_back(n.named("coordinate_transform",
                            nn::CoordinateTransformAttr::get(
                                ctx, nn::CoordinateTransform::Asymmetric)));
    attrs.push_back(
        n.named("nearest_rounding",
                nn::NearestRoundingAttr::get(ctx, nn::NearestRounding::Floor)));
    return createResize(n, input, {}, n.input(1), {}, attrs);
  }

  std::optional<nn::CoordinateTransform> coordinates =
      enumAttr<nn::CoordinateTransform>(n, "coordinate_transformation_mode",
                                        "half_pixel",
                                        nn::symbolizeCoordinateTransform);
  std::optional<nn::NearestRounding> rounding = enumAttr<nn::NearestRounding>(
      n, "nearest_mode", "round_prefer_floor", nn::symbolizeNearestRounding);
  if (!coordinates || !rounding)
    return failure();
  // Opset 18's antialias widens the linear and cubic filters when
  // downscaling (nearest neighbours are not filtered: there it changes
  // nothing).
  bool antialias =
      n.attrInt("antialias", 0) != 0 && *mode != nn::ResizeMode::Nearest;
  if (antialias)
    attrs.push_back(n.namedBool("antialias", true));
  std::string policy = n.attrString("keep_aspect_ratio_policy", "stretch");
  if (policy != "stretch" && policy != "not_larger" && policy != "not_smaller")
    return n.error("attribute 'keep_aspect_ratio_policy' must be stretch, "
                   "not_larger or not_smaller, got '" +
                   policy + "'");
  attrs.push_back(n.named("coordinate_transform",
                          nn::CoordinateTransformAttr::get(ctx, *coordinates)));
  attrs.push_back(n.named("nearest_rounding",
                          nn::NearestRoundingAttr::get(ctx, *rounding)));
  attrs.push_back(
      n.namedF32("cubic_coeff_a", n.attrFloat("cubic_coeff_a", -0.75f)));
  attrs.push_back(
      n.namedBool("exclude_outside", n.attrInt("exclude_outside", 0) != 0));
  attrs.push_back(n.namedF32("extrapolation_value",
                             n.attrFloat("extrapolation_value", 0.0f)));

  // Empty roi / scales / sizes tensors stand for absent ones.
  auto present = [&](size_t i) -> Value {
    if (!n.hasInput(i) || isEmptyInput(n, i))
      return {};
    return n.optionalInput(i);
  };
  Value roi = present(1), scales = present(2), sizes = present(3);
  if (n.failed())
    return failure();
  if (*coordinates != nn::CoordinateTransform::TfCropAndResize)
    roi = {};
  else if (!roi)
    return n.error("coordinate_transformation_mode 'tf_crop_and_resize' "
                   "needs a non-empty roi");
  if (scales && sizes)
    return n.error("give only one of scales and sizes (the other empty or "
                   "absent)");
  if (!scales && !sizes)
    return n.error("needs non-empty scales or sizes");
  RankedTensorType type = n.inputType(0);
  if (!type)
    return failure();
  int64_t rank = type.getRank();
  std::optional<SmallVector<int64_t>> axes =
      coveredAxes(n, n.attrInts("axes"), rank);
  if (!axes)
    return failure();
  // keep_aspect_ratio_policy (opset 18, with sizes only): one scale for the
  // axes, the smallest (not_larger) or largest (not_smaller) of size / input,
  // each of their output sizes round_half_up(scale * input), the others
  // kept. The scale, not output / input, maps coordinates: nn.resize takes
  // both.
  bool keepAspectRatio = policy != "stretch" && sizes;
  if (keepAspectRatio) {
    std::optional<SmallVector<int64_t>> wanted = n.constantInts(3);
    if (!wanted || llvm::any_of(*axes, [&](int64_t axis) {
          return type.isDynamicDim(axis) || type.getDimSize(axis) == 0;
        }))
      return n.unsupported(
          "keep_aspect_ratio_policy with run-time sizes or a dynamic or empty "
          "resized dimension");
    if (wanted->size() != axes->size())
      return n.error(llvm::formatv("sizes has {0} entries for {1} axes",
                                   wanted->size(), axes->size()));
    std::optional<double> scale;
    for (auto [axis, size] : llvm::zip(*axes, *wanted)) {
      double ratio = double(size) / double(type.getDimSize(axis));
      if (!scale || (policy == "not_larger" ? ratio < *scale : ratio > *scale))
        scale = ratio;
    }
    SmallVector<int64_t> axisSizes;
    SmallVector<double> allScales(rank, 1.0);
    for (int64_t axis : *axes) {
      double size = std::floor(*scale * double(type.getDimSize(axis)) + 0.5);
      if (!(size >= 0 && size <= double(kMaxPadExtent)))
        return n.error(llvm::formatv(
            "sizes give axis {0} a size of {1}, out of range [0, 2^48]", axis,
            size));
      axisSizes.push_back(int64_t(size));
      allScales[axis] = *scale;
    }
    sizes = spreadOverAxes(n, n.create<nn::ShapeOfOp>({input}), *axes,
                           n.constI64(axisSizes));
    auto f64 = RankedTensorType::get({rank}, n.builder().getF64Type());
    scales = nn::ConstantOp::create(
        n.builder(), n.loc(),
        DenseElementsAttr::get(f64, ArrayRef<double>(allScales)));
  }
  // Opset 18's axes: roi, scales and sizes cover those axes only; the
  // others keep their size (roi [0, 1], scale 1, the input's size).
  if (n.hasAttr("axes")) {
    Type f32 = n.builder().getF32Type();
    if (roi) {
      SmallVector<float> whole(rank, 0.0f);
      whole.append(rank, 1.0f);
      roi = spreadOverAxes(n, constFloats(n, f32, whole),
                           beginsAndEnds(*axes, rank), roi);
    }
    // keep_aspect_ratio_policy's are whole already.
    if (scales && !keepAspectRatio)
      scales =
          spreadOverAxes(n, constFloats(n, f32, SmallVector<float>(rank, 1.0f)),
                         *axes, scales);
    if (sizes && !keepAspectRatio)
      sizes = spreadOverAxes(n, n.create<nn::ShapeOfOp>({input}), *axes, sizes);
  }
  if (antialias && failed(checkAntialiasScales(n, type, scales, sizes)))
    return failure();
  return createResize(n, input, roi, scales, sizes, attrs);
}

/// GridSample (opset 16; opset 20's names "linear" and "cubic" too).
/// Opset 20 also samples volumes (N-d), which nn.grid_sample does not.
static LogicalResult convertGridSample(NodeContext &n) {
  if (RankedTensorType type = n.inputType(0); type && type.getRank() != 4)
    return n.unsupported(llvm::formatv(
        "GridSample of a rank-{0} input: ddl samples 2-D images ([N, C, H, "
        "W]) only",
        type.getRank()));
  std::string modeName = n.attrString("mode", "bilinear");
  std::optional<nn::GridSampleMode> mode =
      modeName == "bilinear" || modeName == "linear"
          ? std::optional(nn::GridSampleMode::Bilinear)
      : modeName == "nearest" ? std::optional(nn::GridSampleMode::Nearest)
      : modeName == "bicubic" || modeName == "cubic"
          ? std::optional(nn::GridSampleMode::Bicubic)
          : std::nullopt;
  if (!mode)
    return n.error("unknown mode '" + modeName +
                   "' (expected bilinear, nearest or bicubic)");
  std::optional<nn::GridSamplePadding> padding =
      enumAttr<nn::GridSamplePadding>(n, "padding_mode", "zeros",
                                      nn::symbolizeGridSamplePadding);
  if (!padding)
    return failure();
  MLIRContext *ctx = n.context();
  return n.setOutput(n.create<nn::GridSampleOp>(
      {n.input(0), n.input(1)},
      {n.named("mode", nn::GridSampleModeAttr::get(ctx, *mode)),
       n.named("padding_mode", nn::GridSamplePaddingAttr::get(ctx, *padding)),
       n.namedBool("align_corners", n.attrInt("align_corners", 0) != 0)}));
}

/// The most grid points AffineGrid's constant base grid may hold (2^24).
constexpr int64_t kMaxAffineGridPoints = int64_t(1) << 24;

/// AffineGrid (opset 20): theta [N, 2, 3] (or [N, 3, 4]) applied to the
/// normalized coordinates (x, y[, z], 1) of every pixel of an image of
/// `size` [N, C, H, W] (or [N, C, D, H, W]); output [N, H, W, 2] (or [N, D,
/// H, W, 3]), x varying along W. `size` must be a constant: the base grid
/// ([points, 3 or 4]) is built here, the result is one matmul with theta
/// transposed. Coordinates are the pixel centres in [-1, 1]
/// ((2 i + 1) / S - 1), or with align_corners the corners (-1 + 2 i / (S -
/// 1)), as ONNX's reference computes them; its one pixel of a size-1
/// dimension is then at -1 (PyTorch puts it at 0).
static LogicalResult convertAffineGrid(NodeContext &n) {
  Value theta = n.input(0);
  RankedTensorType thetaType = n.inputType(0);
  std::optional<SmallVector<int64_t>> size = n.constantInts(1);
  bool alignCorners = n.attrInt("align_corners", 0) != 0;
  if (n.failed())
    return failure();
  if (!size)
    return n.unsupported("a run-time size (it must be a constant)");
  if (size->size() != 4 && size->size() != 5)
    return n.error(llvm::formatv(
        "size must be [N, C, H, W] or [N, C, D, H, W], got {0} entries",
        size->size()));
  int64_t dims = size->size() - 2;
  Type element = thetaType.getElementType();
  if (!isa<FloatType>(element) || thetaType.getRank() != 3 ||
      (!thetaType.isDynamicDim(1) && thetaType.getDimSize(1) != dims) ||
      (!thetaType.isDynamicDim(2) && thetaType.getDimSize(2) != dims + 1))
    return n.error(
        llvm::formatv("theta must be a float tensor [N, {0}, {1}], got {2}",
                      dims, dims + 1, thetaType));
  ArrayRef<int64_t> spatial = ArrayRef(*size).drop_front(2);
  int64_t points = 1;
  for (int64_t s : spatial) {
    if (s < 1 || s > kMaxAffineGridPoints / points)
      return n.error(
          llvm::formatv("the spatial sizes must be >= 1 and hold at most "
                        "2^24 points, got {0}",
                        llvm::make_range(size->begin(), size->end())));
    points *= s;
  }
  auto coordinate = [&](int64_t i, int64_t s) -> double {
    if (alignCorners)
      return s == 1 ? -1.0 : -1.0 + 2.0 * i / (s - 1);
    return (2.0 * i + 1.0) / s - 1.0;
  };
  // base[p] = (x, y[, z], 1) for point p in row-major order over the
  // spatial dimensions (the last, W, gives x).
  SmallVector<Attribute> base;
  base.reserve(points * (dims + 1));
  SmallVector<int64_t> index(dims, 0);
  for (int64_t p = 0; p < points; ++p) {
    for (int64_t d = dims - 1; d >= 0; --d)
      base.push_back(
          n.builder().getFloatAttr(element, coordinate(index[d], spatial[d])));
    base.push_back(n.builder().getFloatAttr(element, 1.0));
    for (int64_t d = dims - 1; d >= 0 && ++index[d] == spatial[d]; --d)
      index[d] = 0;
  }
  Value grid = nn::ConstantOp::create(
      n.builder(), n.loc(),
      DenseElementsAttr::get(RankedTensorType::get({points, dims + 1}, element),
                             base));
  SmallVector<int64_t> perm = {0, 2, 1};
  Value applied = n.create<nn::MatMulOp>(
      {grid,
       n.create<nn::TransposeOp>({theta}, {n.namedI64Array("perm", perm)})});
  SmallVector<int64_t> shape = {(*size)[0]};
  shape.append(spatial.begin(), spatial.end());
  shape.push_back(dims);
  return n.setOutput(n.create<nn::ReshapeOp>({applied, n.constI64(shape)}));
}

/// RoiAlign (opsets 10 and 16: opset 10 has no coordinate mode and uses
/// output_half_pixel's coordinates).
static LogicalResult convertRoiAlign(NodeContext &n) {
  std::optional<nn::RoiAlignMode> mode =
      enumAttr<nn::RoiAlignMode>(n, "mode", "avg", nn::symbolizeRoiAlignMode);
  if (!mode)
    return failure();
  std::string transform =
      n.attrString("coordinate_transformation_mode",
                   n.opset() >= 16 ? "half_pixel" : "output_half_pixel");
  if (transform != "half_pixel" && transform != "output_half_pixel")
    return n.error("unknown coordinate_transformation_mode '" + transform +
                   "' (expected half_pixel or output_half_pixel)");
  int64_t ratio = n.attrInt("sampling_ratio", 0);
  if (ratio == 0)
    return n.unsupported("RoiAlign with an adaptive sampling_ratio (0): the "
                         "samples per bin would depend on each box's size");
  Value indices = n.input(2);
  if (!indices)
    return failure();
  return n.setOutput(n.create<nn::RoiAlignOp>(
      {n.input(0), n.input(1), indices},
      {n.named("mode", nn::RoiAlignModeAttr::get(n.context(), *mode)),
       n.namedI64("output_height", n.attrInt("output_height", 1)),
       n.namedI64("output_width", n.attrInt("output_width", 1)),
       n.namedI64("sampling_ratio", ratio),
       n.namedF32("spatial_scale", n.attrFloat("spatial_scale", 1.0f)),
       n.namedBool("half_pixel", transform == "half_pixel")}));
}

/// Upsample (opsets 7-9): nn.resize by scales with asymmetric coordinates
/// (nearest neighbours rounded down).
static LogicalResult convertUpsample(NodeContext &n) {
  Value input = n.input(0);
  MLIRContext *ctx = n.context();
  std::string modeName = n.attrString("mode", "nearest");
  if (n.failed())
    return failure();
  nn::ResizeMode mode;
  if (modeName == "nearest")
    mode = nn::ResizeMode::Nearest;
  else if (modeName == "linear" || modeName == "bilinear")
    mode = nn::ResizeMode::Linear;
  else
    return n.unsupported("mode '" + modeName +
                         "' (expected nearest or linear)");
  Value scales;
  if (n.opset() < 9) {
    std::optional<SmallVector<float>> values = n.attrFloats("scales");
    if (n.failed())
      return failure();
    if (!values)
      return n.error("attribute 'scales' is required");
    auto type = RankedTensorType::get({int64_t(values->size())},
                                      n.builder().getF32Type());
    scales = nn::ConstantOp::create(
        n.builder(), n.loc(),
        DenseElementsAttr::get(type, ArrayRef<float>(*values)));
  } else {
    scales = n.input(1);
  }
  return createResize(
      n, input, {}, scales, {},
      {n.named("mode", nn::ResizeModeAttr::get(ctx, mode)),
       n.named("coordinate_transform",
               nn::CoordinateTransformAttr::get(
                   ctx, nn::CoordinateTransform::Asymmetric)),
       n.named("nearest_rounding",
               nn::NearestRoundingAttr::get(ctx, nn::NearestRounding::Floor))});
}

//===----------------------------------------------------------------------===//
// Shape queries and constants
//===----------------------------------------------------------------------===//

static LogicalResult convertShape(NodeContext &n) {
  SmallVector<NamedAttribute> attrs = {
      n.namedI64("start", n.attrInt("start", 0))};
  if (std::optional<int64_t> end = n.attrInt("end"))
    attrs.push_back(n.namedI64("end", *end));
  return n.setOutput(n.create<nn::ShapeOfOp>({n.input(0)}, attrs));
}

static LogicalResult convertSize(NodeContext &n) {
  return n.setOutput(n.create<nn::SizeOp>({n.input(0)}));
}

/// An nn.constant of an ONNX tensor attribute (errors name this node).
static Value importTensorAttr(NodeContext &n, onnx::TensorProto &tensor) {
  if (n.failed())
    return n.fail();
  // A nameless tensor takes the node's output name (its resource key).
  if (tensor.name().empty() && n.numOutputs() > 0)
    tensor.set_name(n.node().output(0));
  NodeContext::DiagnosticPrefix prefix(n);
  Value v = n.graphImporter().importTensor(tensor, n.builder(), n.loc());
  return v ? v : n.fail();
}

static LogicalResult convertConstant(NodeContext &n) {
  OpBuilder &b = n.builder();
  int given = 0;
  for (StringRef name :
       {"value", "value_float", "value_floats", "value_int", "value_ints",
        "value_string", "value_strings", "sparse_value"})
    given += n.hasAttr(name);
  if (given != 1)
    return n.error(llvm::formatv(
        "needs exactly one value attribute (value, value_float, ...), got {0}",
        given));
  if (n.hasAttr("value_string") || n.hasAttr("value_strings"))
    return n.unsupported("string constants (ddl has no string tensors)");
  if (n.hasAttr("sparse_value"))
    return n.unsupported("sparse constants (sparse_value)");
  if (n.hasAttr("value")) {
    onnx::TensorProto *tensor = n.attrTensor("value");
    if (!tensor)
      return failure();
    return n.setOutput(importTensorAttr(n, *tensor));
  }
  ElementsAttr value;
  if (n.hasAttr("value_float")) {
    value = DenseElementsAttr::get(RankedTensorType::get({}, b.getF32Type()),
                                   n.attrFloat("value_float", 0));
  } else if (n.hasAttr("value_floats")) {
    SmallVector<float> floats =
        n.attrFloats("value_floats").value_or(SmallVector<float>{});
    value = DenseElementsAttr::get(
        RankedTensorType::get({int64_t(floats.size())}, b.getF32Type()),
        ArrayRef<float>(floats));
  } else if (n.hasAttr("value_int")) {
    return n.setOutput(n.constI64({n.attrInt("value_int", 0)}, true));
  } else {
    return n.setOutput(
        n.constI64(n.attrInts("value_ints").value_or(SmallVector<int64_t>{})));
  }
  if (n.failed())
    return failure();
  return n.setOutput(nn::ConstantOp::create(b, n.loc(), value));
}

static LogicalResult convertConstantOfShape(NodeContext &n) {
  Value shape = n.input(0);
  ElementsAttr value;
  if (n.hasAttr("value")) {
    onnx::TensorProto *tensor = n.attrTensor("value");
    if (!tensor)
      return failure();
    Value constant = importTensorAttr(n, *tensor);
    if (!constant)
      return failure();
    value = cast<nn::ConstantOp>(constant.getDefiningOp()).getValue();
    constant.getDefiningOp()->erase();
  } else {
    // The default is a float 0.
    value = DenseElementsAttr::get(
        RankedTensorType::get({1}, n.builder().getF32Type()), 0.0f);
  }
  return n.setOutput(
      n.create<nn::ConstantOfShapeOp>({shape}, {n.named("value", value)}));
}

static LogicalResult convertRange(NodeContext &n) {
  return n.setOutput(
      n.create<nn::RangeOp>({n.input(0), n.input(1), n.input(2)}));
}

//===----------------------------------------------------------------------===//
// Decompositions
//===----------------------------------------------------------------------===//

/// reshape(x, first) -> transpose(perm) -> reshape(second), both shapes
/// over the dims of `x`.
static Value reshapeTransposeReshape(NodeContext &n, Value x,
                                     ArrayRef<ShapeEntry> first,
                                     ArrayRef<int64_t> perm,
                                     ArrayRef<ShapeEntry> second) {
  Value expanded = reshapeTo(n, x, x, first);
  Value permuted =
      n.create<nn::TransposeOp>({expanded}, {n.namedI64Array("perm", perm)});
  return reshapeTo(n, permuted, x, second);
}

/// Checks DepthToSpace/SpaceToDepth's input: 4-D, positive blocksize, and
/// `divisible` dims (when static) divisible by `divisor`.
static LogicalResult
checkBlockInput(NodeContext &n, RankedTensorType type, int64_t blocksize,
                ArrayRef<std::pair<int64_t, int64_t>> divisible) {
  if (!type)
    return failure();
  if (type.getRank() != 4)
    return n.error(
        llvm::formatv("input must be 4-D (N, C, H, W), got {0}", type));
  if (blocksize < 1)
    return n.error(
        llvm::formatv("blocksize must be positive, got {0}", blocksize));
  for (auto [dim, divisor] : divisible)
    if (!type.isDynamicDim(dim) && type.getDimSize(dim) % divisor != 0)
      return n.error(llvm::formatv(
          "dimension {0} of the input ({1}) is not divisible by {2}", dim,
          type.getDimSize(dim), divisor));
  return success();
}

static LogicalResult convertDepthToSpace(NodeContext &n) {
  Value x = n.input(0);
  std::optional<int64_t> blocksize = n.attrInt("blocksize");
  std::string mode = n.attrString("mode", "DCR");
  if (n.failed())
    return failure();
  if (!blocksize)
    return n.error("attribute 'blocksize' is required");
  int64_t b = *blocksize;
  if (failed(checkBlockInput(n, n.inputType(0), b, {{1, b * b}})))
    return failure();
  using E = ShapeEntry;
  // The batch stays dimension 0 throughout.
  E batch = E::inPlace(0), channels = E::dimension(1, 1, b * b),
    height = E::dimension(2), width = E::dimension(3), block = E::constant(b);
  SmallVector<E> out = {batch, channels, E::dimension(2, b),
                        E::dimension(3, b)};
  if (mode == "DCR")
    return n.setOutput(reshapeTransposeReshape(
        n, x, {batch, block, block, channels, height, width},
        {0, 3, 4, 1, 5, 2}, out));
  if (mode == "CRD")
    return n.setOutput(reshapeTransposeReshape(
        n, x, {batch, channels, block, block, height, width},
        {0, 1, 4, 2, 5, 3}, out));
  return n.error("attribute 'mode' must be DCR or CRD, got '" + mode + "'");
}

static LogicalResult convertSpaceToDepth(NodeContext &n) {
  Value x = n.input(0);
  std::optional<int64_t> blocksize = n.attrInt("blocksize");
  if (n.failed())
    return failure();
  if (!blocksize)
    return n.error("attribute 'blocksize' is required");
  int64_t b = *blocksize;
  if (failed(checkBlockInput(n, n.inputType(0), b, {{2, b}, {3, b}})))
    return failure();
  using E = ShapeEntry;
  E block = E::constant(b);
  return n.setOutput(reshapeTransposeReshape(
      n, x,
      {E::inPlace(0), E::inPlace(1), E::dimension(2, 1, b), block,
       E::dimension(3, 1, b), block},
      {0, 3, 5, 1, 2, 4},
      {E::inPlace(0), E::dimension(1, b * b), E::dimension(2, 1, b),
       E::dimension(3, 1, b)}));
}

/// An [rows, cols] i1 mask: col - row `compare` k (row, col from 0).
template <typename CompareOp>
static Value diagonalMask(NodeContext &n, Value rows, Value cols, Value k) {
  Value r = n.create<nn::UnsqueezeOp>({iota(n, rows)},
                                      {n.namedI64Array("axes", {1})});
  Value shifted = n.create<nn::AddOp>({r, k});
  return n.create<CompareOp>({iota(n, cols), shifted});
}

/// Trilu: x where (upper ? col - row >= k : col - row <= k), else 0.
static LogicalResult convertTrilu(NodeContext &n) {
  Value x = n.input(0);
  RankedTensorType type = n.inputType(0);
  if (!type)
    return failure();
  int64_t rank = type.getRank();
  if (rank < 2)
    return n.error(llvm::formatv("input must have rank >= 2, got {0}", type));
  Value k = n.hasInput(1) ? n.input(1) : n.constI64({0}, /*scalar=*/true);
  if (RankedTensorType kType = typeOf(k);
      kType && !kType.getElementType().isInteger(64))
    return n.error(llvm::formatv("k must be int64, got {0}", kType));
  Value rows = dimSize(n, x, rank - 2), cols = dimSize(n, x, rank - 1);
  bool upper = n.attrInt("upper", 1) != 0;
  Value mask = upper ? diagonalMask<nn::GreaterEqualOp>(n, rows, cols, k)
                     : diagonalMask<nn::LessEqualOp>(n, rows, cols, k);
  return n.setOutput(n.create<nn::WhereOp>(
      {mask, x, n.constScalar(type.getElementType(), 0)}));
}

/// EyeLike: ones where col - row == k, zeros elsewhere.
static LogicalResult convertEyeLike(NodeContext &n) {
  Value x = n.input(0);
  RankedTensorType type = n.inputType(0);
  if (!type)
    return failure();
  if (type.getRank() != 2)
    return n.error(llvm::formatv("input must be 2-D, got {0}", type));
  Type element = elementTypeAttr(n, "dtype", type.getElementType());
  if (!element || n.failed())
    return failure();
  Value k = n.constI64({n.attrInt("k", 0)}, /*scalar=*/true);
  Value mask =
      diagonalMask<nn::EqualOp>(n, dimSize(n, x, 0), dimSize(n, x, 1), k);
  return n.setOutput(n.create<nn::WhereOp>(
      {mask, n.constScalar(element, 1), n.constScalar(element, 0)}));
}

/// OneHot: where(unsqueeze(indices, axis) == iota(depth) along axis, on,
/// off).
static LogicalResult convertOneHot(NodeContext &n) {
  Value indices = n.input(0), depth = n.input(1), values = n.input(2);
  RankedTensorType indicesType = n.inputType(0);
  RankedTensorType valuesType = n.inputType(2);
  RankedTensorType depthType = n.inputType(1);
  if (!indicesType || !valuesType || !depthType)
    return failure();
  if (valuesType.getRank() != 1 || valuesType.getDimSize(0) != 2)
    return n.error(llvm::formatv(
        "values must be a 1-D tensor of two elements (off, on), got {0}",
        valuesType));
  if (!depthType.hasStaticShape() || depthType.getNumElements() != 1)
    return n.error(llvm::formatv(
        "depth must be a scalar or a one-element tensor, got {0}", depthType));
  int64_t rank = indicesType.getRank();
  int64_t axis = n.attrInt("axis", -1);
  if (axis < -(rank + 1) || axis > rank)
    return n.error(llvm::formatv("axis {0} is out of range for output rank {1}",
                                 axis, rank + 1));
  if (axis < 0)
    axis += rank + 1;
  Type i64 = n.builder().getI64Type();
  // Non-integer indices and depth are cast to int64 (ONNX truncates).
  Value index = n.castTo(indices, i64);
  Value count = n.create<nn::ReshapeOp>({n.castTo(depth, i64), n.constI64({})});
  // From opset 11, negative indices count from the back; before, they
  // match no class (all off).
  if (n.opset() >= 11) {
    Value zero = n.constI64({0}, /*scalar=*/true);
    Value negative = n.create<nn::LessOp>({index, zero});
    index = n.create<nn::WhereOp>(
        {negative, n.create<nn::AddOp>({index, count}), index});
  }
  Value expanded =
      n.create<nn::UnsqueezeOp>({index}, {n.namedI64Array("axes", {axis})});
  SmallVector<int64_t> classShape(rank + 1, 1);
  classShape[axis] = -1;
  Value classes =
      n.create<nn::ReshapeOp>({iota(n, count), n.constI64(classShape)});
  Value hot = n.create<nn::EqualOp>({expanded, classes});
  Value off = n.create<nn::GatherOp>({values, n.constI64({0}, true)});
  Value on = n.create<nn::GatherOp>({values, n.constI64({1}, true)});
  return n.setOutput(n.create<nn::WhereOp>({hot, on, off}));
}

/// ReverseSequence: gather_elements of x along time_axis at
/// t < len[b] ? len[b] - 1 - t : t, an index built over the (batch, time)
/// plane and expanded over the remaining dims.
static LogicalResult convertReverseSequence(NodeContext &n) {
  Value x = n.input(0), lengths = n.input(1);
  RankedTensorType type = n.inputType(0);
  int64_t batchAxis = n.attrInt("batch_axis", 1);
  int64_t timeAxis = n.attrInt("time_axis", 0);
  if (!type || !lengths || n.failed())
    return failure();
  int64_t rank = type.getRank();
  if (rank < 2)
    return n.error(llvm::formatv("input must have rank >= 2, got {0}", type));
  if (!((batchAxis == 0 && timeAxis == 1) || (batchAxis == 1 && timeAxis == 0)))
    return n.error(llvm::formatv(
        "batch_axis and time_axis must be 0 and 1 in some order, got {0} and "
        "{1}",
        batchAxis, timeAxis));
  Type i64 = n.builder().getI64Type();
  // Lengths along batch_axis, times along time_axis, of the 2-D plane.
  Value time = iota(n, dimSize(n, x, timeAxis));
  Value length = n.castTo(lengths, i64);
  if (timeAxis == 0)
    time = n.create<nn::UnsqueezeOp>({time}, {n.namedI64Array("axes", {1})});
  else
    length =
        n.create<nn::UnsqueezeOp>({length}, {n.namedI64Array("axes", {1})});
  Value reversed = n.create<nn::SubOp>(
      {n.create<nn::SubOp>({length, n.constI64({1}, /*scalar=*/true)}), time});
  Value index = n.create<nn::WhereOp>(
      {n.create<nn::LessOp>({time, length}), reversed, time});
  if (rank > 2) {
    SmallVector<int64_t> trailing =
        llvm::to_vector(llvm::seq<int64_t>(2, rank));
    index =
        n.create<nn::UnsqueezeOp>({index}, {n.namedI64Array("axes", trailing)});
  }
  index = n.create<nn::ExpandOp>({index, n.create<nn::ShapeOfOp>({x})});
  return n.setOutput(n.create<nn::GatherElementsOp>(
      {x, index}, {n.namedI64("axis", timeAxis)}));
}

/// Compress: gather along `axis` (of the flattened input without one) at
/// the positions where `condition` is true. A condition longer than the
/// axis is cut to it first; the result size depends on the data.
static LogicalResult convertCompress(NodeContext &n) {
  Value x = n.input(0), condition = n.input(1);
  RankedTensorType type = n.inputType(0);
  RankedTensorType conditionType = n.inputType(1);
  std::optional<int64_t> axis = n.attrInt("axis");
  if (!type || !conditionType || n.failed())
    return failure();
  if (conditionType.getRank() != 1)
    return n.error(
        llvm::formatv("condition must be 1-D, got {0}", conditionType));
  if (!axis) {
    x = n.create<nn::ReshapeOp>({x, n.constI64({-1})});
    axis = 0;
  }
  int64_t rank = cast<RankedTensorType>(x.getType()).getRank();
  if (*axis < -rank || *axis >= rank)
    return n.error(
        llvm::formatv("axis {0} is out of range for rank {1}", *axis, rank));
  if (*axis < 0)
    *axis += rank;
  Value cut = n.create<nn::SliceOp>(
      {condition, n.constI64({0}),
       n.create<nn::ShapeOfOp>(
           {x}, {n.namedI64("start", *axis), n.namedI64("end", *axis + 1)})},
      {n.segments({1, 1, 1, 0, 0})});
  Value positions = n.create<nn::ReshapeOp>(
      {n.create<nn::NonZeroOp>({cut}), n.constI64({-1})});
  return n.setOutput(
      n.create<nn::GatherOp>({x, positions}, {n.namedI64("axis", *axis)}));
}

//===----------------------------------------------------------------------===//
// Registration
//===----------------------------------------------------------------------===//

static LogicalResult convertCumSum(NodeContext &n) {
  return n.setOutput(n.create<nn::CumSumOp>(
      {n.input(0), n.input(1)},
      {n.namedBool("exclusive", n.attrInt("exclusive", 0) != 0),
       n.namedBool("reverse", n.attrInt("reverse", 0) != 0)}));
}

static LogicalResult convertNonZero(NodeContext &n) {
  return n.setOutput(n.create<nn::NonZeroOp>({n.input(0)}));
}

/// NonMaxSuppression: absent limits become their defaults (no boxes; an
/// IoU threshold of 0); an absent score threshold filters nothing.
static LogicalResult convertNonMaxSuppression(NodeContext &n) {
  Value boxes = n.input(0), scores = n.input(1);
  if (n.failed())
    return failure();
  Type floatType = cast<RankedTensorType>(boxes.getType()).getElementType();
  Value maxOutput = n.hasInput(2) ? n.input(2) : n.constI64({0}, true);
  Value iou = n.hasInput(3) ? n.input(3) : n.constScalar(floatType, 0.0);
  Value scoreThreshold = n.optionalInput(4);
  int64_t centerPointBox = n.attrInt("center_point_box", 0);
  if (centerPointBox != 0 && centerPointBox != 1)
    return n.error(llvm::formatv("center_point_box must be 0 or 1, not {0}",
                                 centerPointBox));
  SmallVector<Value> operands = {boxes, scores, maxOutput, iou};
  if (scoreThreshold)
    operands.push_back(scoreThreshold);
  return n.setOutput(n.create<nn::NonMaxSuppressionOp>(
      operands, {n.namedBool("center_point_box", centerPointBox == 1)}));
}

void registerTensorConverters(ConverterRegistry &r) {
  // Versions 19 and 21 of Reshape, Flatten, Squeeze, Unsqueeze, Transpose,
  // Shape, Size, Constant, ConstantOfShape and Pad add float8 / int4 types,
  // which ddl refuses where they occur; the converters are those of 13.
  r.add("Reshape", convertReshape, 21);
  r.add("Flatten", convertFlatten, 21);
  r.add("Squeeze", convertSqueeze, 21);
  r.add("Unsqueeze", convertUnsqueeze, 21);
  r.add("Transpose", convertTranspose, 21);
  r.add("Slice", convertSlice);
  r.add("Concat", convertConcat);
  r.add("Split", convertSplit, 18);
  r.add("Gather", convertGather);
  r.add("GatherElements", convertGatherElements);
  r.add("GatherND", convertGatherND);
  r.add("ScatterElements", convertScatterElements, 18);
  r.add("MaxUnpool", convertMaxUnpool);
  r.add("Scatter", convertScatterElements);
  r.add("ScatterND", convertScatterND, 18);
  r.add("Pad", convertPad, 21);
  r.add("CenterCropPad", convertCenterCropPad, 18);
  r.add("Col2Im", convertCol2Im, 18);
  r.add("Expand", convertExpand);
  r.add("Tile", convertTile);
  r.add("Resize", convertResize, 19);
  r.add("GridSample", convertGridSample, 20);
  r.add("AffineGrid", convertAffineGrid, 20);
  r.add("RoiAlign", convertRoiAlign);
  r.add("Upsample", convertUpsample);
  r.add("Shape", convertShape, 21);
  r.add("Size", convertSize, 21);
  r.add("Constant", convertConstant, 21);
  r.add("ConstantOfShape", convertConstantOfShape, 21);
  r.add("Range", convertRange);
  r.add("DepthToSpace", convertDepthToSpace);
  r.add("SpaceToDepth", convertSpaceToDepth);
  r.add("Trilu", convertTrilu);
  r.add("EyeLike", convertEyeLike);
  r.add("OneHot", convertOneHot);
  r.add("CumSum", convertCumSum);
  r.add("NonZero", convertNonZero);
  r.add("NonMaxSuppression", convertNonMaxSuppression);
  r.add("ReverseSequence", convertReverseSequence);
  r.add("Compress", convertCompress);
}

} // namespace ddl::onnx_import
