//===- Random.cpp - ONNX random ops to nn ---------------------------------===//
//
// RandomUniform / RandomNormal and their -Like forms are nn.random (see its
// description for the generator and the meaning of `seed`); Bernoulli is a
// uniform draw compared with the probabilities, Multinomial one searched in
// the cumulative softmax; Dropout is the identity at
// inference and, in training mode (a constant or run-time training_mode),
// keeps each element with probability 1 - ratio, scaled by 1 / (1 - ratio),
// with the mask as its second output.
//
//===----------------------------------------------------------------------===//

#include "frontends/onnx/GraphImporter.h"

#include "llvm/Support/FormatVariadic.h"

#include <limits>

using namespace mlir;

namespace ddl::onnx_import {

namespace {

/// Draws of `distribution` (a, b) of `dtype` in the shape `shape`.
Value random(NodeContext &n, Value shape, nn::RandomDistribution distribution,
             double a, double b, Type dtype) {
  SmallVector<NamedAttribute> attrs = {
      n.named("distribution",
              nn::RandomDistributionAttr::get(n.context(), distribution)),
      n.named("a", n.builder().getF64FloatAttr(a)),
      n.named("b", n.builder().getF64FloatAttr(b)),
      n.named("dtype", TypeAttr::get(dtype))};
  // A float (the random ops) or an int (Dropout).
  if (const onnx::AttributeProto *seed = n.findAttrProto("seed"))
    attrs.push_back(n.named(
        "seed",
        n.builder().getF64FloatAttr(seed->type() == onnx::AttributeProto::INT
                                        ? double(seed->i())
                                        : double(seed->f()))));
  return n.create<nn::RandomOp>({shape}, attrs);
}

/// The `dtype` attribute as a float type (`fallback` when absent); null
/// after reporting an unsupported one.
Type floatDtype(NodeContext &n, Type fallback) {
  if (!n.hasAttr("dtype"))
    return fallback;
  int64_t code = n.attrInt("dtype", 1);
  Type type = convertElementType(n.context(), code);
  if (!type || !isa<FloatType>(type)) {
    (void)n.error(llvm::formatv(
        "attribute 'dtype' must be a float element type, got {0}", code));
    return nullptr;
  }
  return type;
}

/// Draws of the node's own distribution: uniform in [low, high) (default
/// [0, 1)) or normal (mean, scale) (default (0, 1)).
Value drawAttributed(NodeContext &n, Value shape, nn::RandomDistribution kind,
                     Type dtype) {
  bool uniform = kind == nn::RandomDistribution::Uniform;
  double a = n.attrFloat(uniform ? "low" : "mean", 0);
  double b = n.attrFloat(uniform ? "high" : "scale", 1);
  return random(n, shape, kind, a, b, dtype);
}

/// RandomUniform / RandomNormal: the shape is the `shape` attribute.
LogicalResult convertRandom(NodeContext &n, nn::RandomDistribution kind) {
  std::optional<SmallVector<int64_t>> shape = n.attrInts("shape");
  if (!shape)
    return n.failed() ? failure() : n.error("attribute 'shape' is required");
  Type dtype = floatDtype(n, n.builder().getF32Type());
  if (!dtype)
    return failure();
  return n.setOutput(drawAttributed(n, n.constI64(*shape), kind, dtype));
}

/// RandomUniformLike / RandomNormalLike: the input's shape (and, without
/// `dtype`, its type when a float one).
LogicalResult convertRandomLike(NodeContext &n, nn::RandomDistribution kind) {
  Value like = n.input(0);
  RankedTensorType type = n.inputType(0);
  if (n.failed())
    return failure();
  Type fallback = isa<FloatType>(type.getElementType())
                      ? type.getElementType()
                      : Type(n.builder().getF32Type());
  Type dtype = floatDtype(n, fallback);
  if (!dtype)
    return failure();
  return n.setOutput(
      drawAttributed(n, n.create<nn::ShapeOfOp>({like}), kind, dtype));
}

/// Bernoulli: 1 where a uniform draw is below the probability, else 0, in
/// `dtype` (default the input's type).
LogicalResult convertBernoulli(NodeContext &n) {
  Value p = n.input(0);
  RankedTensorType type = n.inputType(0);
  if (n.failed())
    return failure();
  if (!isa<FloatType>(type.getElementType()))
    return n.error(llvm::formatv(
        "the probabilities must be a float tensor, got {0}", type));
  Type dtype = type.getElementType();
  if (n.hasAttr("dtype")) {
    int64_t code = n.attrInt("dtype", 1);
    dtype = convertElementType(n.context(), code);
    if (!dtype)
      return n.unsupported(llvm::formatv(
          "dtype {0} is an ONNX element type ddl does not support", code));
  }
  Value draw =
      random(n, n.create<nn::ShapeOfOp>({p}), nn::RandomDistribution::Uniform,
             0, 1, type.getElementType());
  return n.setOutput(n.castTo(n.create<nn::LessOp>({draw, p}), dtype));
}

/// The largest Multinomial sample_size (2^31: int32 indices).
constexpr int64_t kMaxSamples = int64_t(1) << 31;

/// Multinomial: `sample_size` class indices per batch row, drawn from the
/// softmax of the row (unnormalized log-probabilities [batch, classes]):
/// index = the number of classes whose cumulative probability is below
/// u * total (u uniform in [0, 1)), at most classes - 1. O(batch x samples
/// x classes) comparisons.
LogicalResult convertMultinomial(NodeContext &n) {
  Value logits = n.input(0);
  RankedTensorType type = n.inputType(0);
  if (n.failed())
    return failure();
  if (!isa<FloatType>(type.getElementType()) || type.getRank() != 2)
    return n.error(llvm::formatv(
        "the input must be a float tensor [batch, classes], got {0}", type));
  int64_t samples = n.attrInt("sample_size", 1);
  if (samples < 1 || samples > kMaxSamples)
    return n.error(
        llvm::formatv("attribute 'sample_size' must be in [1, {0}], got {1}",
                      kMaxSamples, samples));
  int64_t code = n.attrInt("dtype", 6);
  Type dtype = convertElementType(n.context(), code);
  if (!dtype || !(dtype.isInteger(32) || dtype.isInteger(64)))
    return n.error(llvm::formatv(
        "attribute 'dtype' must be int32 (6) or int64 (7), got {0}", code));
  Type f32 = n.builder().getF32Type();
  Value probabilities =
      n.create<nn::SoftmaxOp>({n.castTo(logits, f32)}, {n.namedI64("axis", 1)});
  Value cumulative =
      n.create<nn::CumSumOp>({probabilities, n.constI64({1}, true)});
  Value total = n.create<nn::SliceOp>(
      {cumulative, n.constI64({-1}),
       n.constI64({std::numeric_limits<int64_t>::max()}), n.constI64({1})},
      {n.segments({1, 1, 1, 1, 0})});
  // Draws [batch, samples, 1] against the cumulative [batch, 1, classes].
  Value shape = n.create<nn::ConcatOp>(
      {n.create<nn::ShapeOfOp>({logits},
                               {n.namedI64("start", 0), n.namedI64("end", 1)}),
       n.constI64({samples, 1})},
      {n.namedI64("axis", 0)});
  Value draws = n.create<nn::MulOp>(
      {random(n, shape, nn::RandomDistribution::Uniform, 0, 1, f32),
       n.create<nn::UnsqueezeOp>({total}, {n.namedI64Array("axes", {1})})});
  Value below = n.create<nn::LessOp>(
      {n.create<nn::UnsqueezeOp>({cumulative}, {n.namedI64Array("axes", {1})}),
       draws});
  Value index = n.create<nn::ReduceOp>(
      {n.castTo(below, n.builder().getI64Type())},
      {n.named("kind",
               nn::ReduceKindAttr::get(n.context(), nn::ReduceKind::Sum)),
       n.namedI64Array("axes", {2}), n.namedBool("keepdims", false)});
  Value last = n.create<nn::SubOp>(
      {n.create<nn::ReshapeOp>(
           {n.create<nn::ShapeOfOp>(
                {logits}, {n.namedI64("start", 1), n.namedI64("end", 2)}),
            n.constI64({})}),
       n.constI64({1}, true)});
  return n.setOutput(n.castTo(n.create<nn::MinOp>({index, last}), dtype));
}

/// Dropout: the identity (mask all true) unless training_mode (input 2) is
/// true or unknown until run time; then each element is kept where a
/// uniform draw is >= ratio (input 1, default 0.5) and scaled by 1 / (1 -
/// ratio). A run-time training_mode selects between the two at run time.
LogicalResult convertDropout(NodeContext &n) {
  Value input = n.input(0);
  RankedTensorType type = n.inputType(0);
  if (n.failed())
    return failure();
  Value shape = n.create<nn::ShapeOfOp>({input});
  auto trueValue = DenseElementsAttr::get(
      RankedTensorType::get({1}, n.builder().getI1Type()), true);
  Value allKept =
      n.create<nn::ConstantOfShapeOp>({shape}, {n.named("value", trueValue)});
  std::optional<SmallVector<int64_t>> constantMode = n.constantInts(2);
  bool inference =
      !n.hasInput(2) ||
      (constantMode && (constantMode->empty() || constantMode->front() == 0));
  if (inference) {
    Value output = n.create<nn::IdentityOp>({input});
    return n.hasOutput(1) ? n.setOutputs({output, allKept})
                          : n.setOutput(output);
  }
  Type element = type.getElementType();
  if (!isa<FloatType>(element))
    return n.error(llvm::formatv(
        "Dropout in training mode needs a float input, got {0}", type));
  Value ratio = n.hasInput(1) ? n.castTo(n.input(1), element)
                              : n.constScalar(element, 0.5);
  Value draw = random(n, shape, nn::RandomDistribution::Uniform, 0, 1, element);
  Value kept = n.create<nn::GreaterEqualOp>({draw, ratio});
  Value scaled = n.create<nn::DivOp>(
      {input, n.create<nn::SubOp>({n.constScalar(element, 1), ratio})});
  Value output =
      n.create<nn::WhereOp>({kept, scaled, n.constScalar(element, 0)});
  Value mask = kept;
  if (!constantMode) {
    // training_mode known at run time only.
    Value training = n.castTo(n.input(2), n.builder().getI1Type());
    output = n.create<nn::WhereOp>({training, output, input});
    mask = n.create<nn::WhereOp>({training, kept, allKept});
  }
  return n.hasOutput(1) ? n.setOutputs({output, mask}) : n.setOutput(output);
}

} // namespace

void registerRandomConverters(ConverterRegistry &r) {
  using D = nn::RandomDistribution;
  r.add("RandomUniform",
        [](NodeContext &n) { return convertRandom(n, D::Uniform); });
  r.add("RandomNormal",
        [](NodeContext &n) { return convertRandom(n, D::Normal); });
  r.add("RandomUniformLike",
        [](NodeContext &n) { return convertRandomLike(n, D::Uniform); });
  r.add("RandomNormalLike",
        [](NodeContext &n) { return convertRandomLike(n, D::Normal); });
  r.add("Bernoulli", convertBernoulli);
  r.add("Multinomial", convertMultinomial);
  r.add("Dropout", convertDropout);
}

} // namespace ddl::onnx_import
