//===- Elementwise.cpp - ONNX elementwise ops to nn -----------------------===//
//
// Unary math and activations, broadcasting binary arithmetic, comparison,
// logic and bitwise ops, variadic Max/Min/Sum/Mean, Where, Clip, Cast and
// Identity (Dropout is in Random.cpp).
//
//===----------------------------------------------------------------------===//

#include "frontends/onnx/GraphImporter.h"

#include "llvm/Support/FormatVariadic.h"

using namespace mlir;

namespace ddl::onnx_import {

/// One input, one result of the same shape.
template <typename OpT> static LogicalResult unary(NodeContext &n) {
  return n.setOutput(n.create<OpT>({n.input(0)}));
}

/// Identity of a tensor is nn.identity; a sequence, optional or string
/// tensor is the same value (nn values are immutable).
static LogicalResult convertIdentity(NodeContext &n) {
  Value value = n.anyInput(0);
  auto tensor =
      dyn_cast_or_null<RankedTensorType>(value ? value.getType() : Type());
  if (value && (!tensor || isa<nn::StringType>(tensor.getElementType())))
    return n.setOutput(value);
  return n.setOutput(n.create<nn::IdentityOp>({n.input(0)}));
}

/// One input and float attributes with ONNX defaults (alpha, beta, ...).
template <typename OpT>
static Converter unaryWithFloats(
    std::vector<std::tuple<const char *, const char *, float>> attrs) {
  return [attrs](NodeContext &n) {
    SmallVector<NamedAttribute> named;
    for (auto [onnxName, nnName, fallback] : attrs)
      named.push_back(n.namedF32(nnName, n.attrFloat(onnxName, fallback)));
    return n.setOutput(n.create<OpT>({n.input(0)}, named));
  };
}

template <typename OpT> static LogicalResult binary(NodeContext &n) {
  return n.setOutput(n.create<OpT>({n.input(0), n.input(1)}));
}

/// Max/Min/Sum of any number of inputs: a chain of binary ops.
template <typename OpT> static LogicalResult variadic(NodeContext &n) {
  SmallVector<Value> inputs = n.inputsFrom(0);
  if (inputs.empty())
    return n.error("needs at least one input");
  Value acc = inputs.front();
  for (Value v : ArrayRef(inputs).drop_front())
    acc = n.create<OpT>({acc, v});
  return n.setOutput(acc);
}

static LogicalResult convertMean(NodeContext &n) {
  SmallVector<Value> inputs = n.inputsFrom(0);
  if (inputs.empty())
    return n.error("needs at least one input");
  Value acc = inputs.front();
  for (Value v : ArrayRef(inputs).drop_front())
    acc = n.create<nn::AddOp>({acc, v});
  if (inputs.size() == 1 || !acc)
    return n.setOutput(acc);
  Type element = cast<RankedTensorType>(acc.getType()).getElementType();
  return n.setOutput(n.create<nn::DivOp>(
      {acc, n.constScalar(element, static_cast<double>(inputs.size()))}));
}

static LogicalResult convertMod(NodeContext &n) {
  return n.setOutput(n.create<nn::ModOp>(
      {n.input(0), n.input(1)}, {n.namedBool("fmod", n.attrInt("fmod", 0))}));
}

static LogicalResult convertBitShift(NodeContext &n) {
  std::string direction = n.attrString("direction", "");
  nn::ShiftDirection dir;
  if (direction == "LEFT")
    dir = nn::ShiftDirection::Left;
  else if (direction == "RIGHT")
    dir = nn::ShiftDirection::Right;
  else
    return n.error("attribute 'direction' must be LEFT or RIGHT, got '" +
                   direction + "'");
  return n.setOutput(n.create<nn::BitShiftOp>(
      {n.input(0), n.input(1)},
      {n.named("direction", nn::ShiftDirectionAttr::get(n.context(), dir))}));
}

static LogicalResult convertIsInf(NodeContext &n) {
  return n.setOutput(n.create<nn::IsInfOp>(
      {n.input(0)},
      {n.namedBool("detect_positive", n.attrInt("detect_positive", 1)),
       n.namedBool("detect_negative", n.attrInt("detect_negative", 1))}));
}

static LogicalResult convertWhere(NodeContext &n) {
  return n.setOutput(
      n.create<nn::WhereOp>({n.input(0), n.input(1), n.input(2)}));
}

static LogicalResult convertClip(NodeContext &n) {
  Value input = n.input(0);
  Value min, max;
  if (n.opset() < 11) {
    // Bounds were attributes before opset 11.
    RankedTensorType type = n.inputType(0);
    if (!type)
      return failure();
    if (n.hasAttr("min"))
      min = n.constScalar(type.getElementType(), n.attrFloat("min", 0));
    if (n.hasAttr("max"))
      max = n.constScalar(type.getElementType(), n.attrFloat("max", 0));
  } else {
    min = n.optionalInput(1);
    max = n.optionalInput(2);
  }
  SmallVector<Value> operands = {input};
  if (min)
    operands.push_back(min);
  if (max)
    operands.push_back(max);
  return n.setOutput(n.create<nn::ClipOp>(
      operands, {n.segments({1, min ? 1 : 0, max ? 1 : 0})}));
}

/// nn.cast of `input` to `element`, strings included (parsed from or
/// printed to at run time); numbers keep castTo's folding.
static Value castOrParse(NodeContext &n, Value input, Type element) {
  auto type =
      dyn_cast_or_null<RankedTensorType>(input ? input.getType() : Type());
  if (!type) {
    if (input)
      (void)n.error("input #0 must be a tensor");
    return n.fail();
  }
  bool strings = isa<nn::StringType>(type.getElementType()) ||
                 isa<nn::StringType>(element);
  if (!strings)
    return n.castTo(input, element);
  if (type.getElementType() == element)
    return input;
  // Strings parse into floats and signed or bool integers; floats print.
  bool toString = isa<nn::StringType>(element);
  Type other = toString ? type.getElementType() : element;
  if (toString ? !isa<FloatType>(other)
               : !isa<FloatType>(other) && !other.isSignlessInteger()) {
    (void)n.unsupported(llvm::formatv("a cast {0} strings {1} {2}",
                                      toString ? "to" : "from",
                                      toString ? "from" : "to", other));
    return n.fail();
  }
  auto resultType =
      RankedTensorType::get(type.getShape(), element, type.getEncoding());
  Operation *op = n.verifyCreated(
      nn::CastOp::create(n.builder(), n.loc(), resultType, input));
  return op ? op->getResult(0) : Value();
}

static LogicalResult convertCast(NodeContext &n) {
  std::optional<int64_t> to = n.attrInt("to");
  if (!to)
    return n.failed() ? failure() : n.error("attribute 'to' is required");
  Type element = convertValueElementType(n.context(), *to);
  if (!element)
    return n.unsupported(llvm::formatv(
        "cast to ONNX element type {0} (complex numbers are not supported)",
        *to));
  return n.setOutput(castOrParse(n, n.anyInput(0), element));
}

static LogicalResult convertCastLike(NodeContext &n) {
  Value like = n.anyInput(1);
  auto likeType =
      dyn_cast_or_null<RankedTensorType>(like ? like.getType() : Type());
  if (!likeType)
    return n.failed() ? failure() : n.error("input #1 must be a tensor");
  return n.setOutput(castOrParse(n, n.anyInput(0), likeType.getElementType()));
}

/// Gelu (opset 20): x * Phi(x), or its tanh approximation.
static LogicalResult convertGelu(NodeContext &n) {
  std::string approximate = n.attrString("approximate", "none");
  std::optional<nn::GeluApproximation> kind =
      nn::symbolizeGeluApproximation(approximate);
  if (!kind)
    return n.error("attribute 'approximate' must be 'none' or 'tanh', got '" +
                   approximate + "'");
  return n.setOutput(n.create<nn::GeluOp>(
      {n.input(0)}, {n.named("approximate", nn::GeluApproximationAttr::get(
                                                n.context(), *kind))}));
}

/// Shrink: x < -lambd ? x + bias : (x > lambd ? x - bias : 0).
static LogicalResult convertShrink(NodeContext &n) {
  Value x = n.input(0);
  RankedTensorType type = n.inputType(0);
  if (!type)
    return failure();
  Type element = type.getElementType();
  float bias = n.attrFloat("bias", 0), lambd = n.attrFloat("lambd", 0.5);
  Value low = n.create<nn::LessOp>({x, n.constScalar(element, -lambd)});
  Value high = n.create<nn::GreaterOp>({x, n.constScalar(element, lambd)});
  Value plus = n.create<nn::AddOp>({x, n.constScalar(element, bias)});
  Value minus = n.create<nn::SubOp>({x, n.constScalar(element, bias)});
  Value zero = n.constScalar(element, 0);
  Value inner = n.create<nn::WhereOp>({high, minus, zero});
  return n.setOutput(n.create<nn::WhereOp>({low, plus, inner}));
}

void registerElementwiseConverters(ConverterRegistry &r) {
  r.add("Abs", unary<nn::AbsOp>);
  r.add("Acos", unary<nn::AcosOp>);
  r.add("Acosh", unary<nn::AcoshOp>);
  r.add("Asin", unary<nn::AsinOp>);
  r.add("Asinh", unary<nn::AsinhOp>);
  r.add("Atan", unary<nn::AtanOp>);
  r.add("Atanh", unary<nn::AtanhOp>);
  r.add("Ceil", unary<nn::CeilOp>);
  r.add("Cos", unary<nn::CosOp>);
  r.add("Cosh", unary<nn::CoshOp>);
  r.add("Erf", unary<nn::ErfOp>);
  r.add("Exp", unary<nn::ExpOp>);
  r.add("Floor", unary<nn::FloorOp>);
  r.add("HardSwish", unary<nn::HardSwishOp>);
  r.add("Identity", convertIdentity, 21);
  r.add("IsNaN", unary<nn::IsNanOp>, 20);
  r.add("Log", unary<nn::LogOp>);
  r.add("Neg", unary<nn::NegOp>);
  r.add("Not", unary<nn::NotOp>);
  r.add("Reciprocal", unary<nn::ReciprocalOp>);
  r.add("Relu", unary<nn::ReluOp>);
  r.add("Round", unary<nn::RoundOp>);
  r.add("Sigmoid", unary<nn::SigmoidOp>);
  r.add("Sign", unary<nn::SignOp>);
  r.add("Sin", unary<nn::SinOp>);
  r.add("Sinh", unary<nn::SinhOp>);
  r.add("Softplus", unary<nn::SoftplusOp>);
  r.add("Softsign", unary<nn::SoftsignOp>);
  r.add("Sqrt", unary<nn::SqrtOp>);
  r.add("Tan", unary<nn::TanOp>);
  r.add("Tanh", unary<nn::TanhOp>);
  r.add("Mish", unary<nn::MishOp>, 18);
  r.add("Gelu", convertGelu, 20);
  r.add("BitwiseNot", unary<nn::BitwiseNotOp>, 18);
  r.add("Celu", unaryWithFloats<nn::CeluOp>({{"alpha", "alpha", 1.0f}}));
  r.add("Elu", unaryWithFloats<nn::EluOp>({{"alpha", "alpha", 1.0f}}));
  r.add("HardSigmoid", unaryWithFloats<nn::HardSigmoidOp>(
                           {{"alpha", "alpha", 0.2f}, {"beta", "beta", 0.5f}}));
  r.add("LeakyRelu",
        unaryWithFloats<nn::LeakyReluOp>({{"alpha", "alpha", 0.01f}}));
  r.add("Selu", unaryWithFloats<nn::SeluOp>(
                    {{"alpha", "alpha", 1.67326319217681884765625f},
                     {"gamma", "gamma", 1.05070102214813232421875f}}));
  r.add("ThresholdedRelu",
        unaryWithFloats<nn::ThresholdedReluOp>({{"alpha", "alpha", 1.0f}}));
  r.add("IsInf", convertIsInf, 20);
  r.add("Add", binary<nn::AddOp>);
  r.add("Sub", binary<nn::SubOp>);
  r.add("Mul", binary<nn::MulOp>);
  r.add("Div", binary<nn::DivOp>);
  r.add("Pow", binary<nn::PowOp>);
  r.add("PRelu", binary<nn::PReluOp>);
  r.add("And", binary<nn::AndOp>);
  r.add("Or", binary<nn::OrOp>);
  r.add("Xor", binary<nn::XorOp>);
  r.add("Equal", binary<nn::EqualOp>, 19);
  r.add("Less", binary<nn::LessOp>);
  r.add("LessOrEqual", binary<nn::LessEqualOp>);
  r.add("Greater", binary<nn::GreaterOp>);
  r.add("GreaterOrEqual", binary<nn::GreaterEqualOp>);
  r.add("BitShift", convertBitShift);
  r.add("BitwiseAnd", binary<nn::BitwiseAndOp>, 18);
  r.add("BitwiseOr", binary<nn::BitwiseOrOp>, 18);
  r.add("BitwiseXor", binary<nn::BitwiseXorOp>, 18);
  r.add("Mod", convertMod);
  r.add("Max", variadic<nn::MaxOp>);
  r.add("Min", variadic<nn::MinOp>);
  r.add("Sum", variadic<nn::AddOp>);
  r.add("Mean", convertMean);
  r.add("Where", convertWhere);
  r.add("Clip", convertClip);
  // Opsets 19 and 21 add float8 / int4 types (refused: ddl has none) and
  // `saturate`, which only says how values out of a float8 type's range
  // convert to it: without float8, versions 19 and 21 are version 13.
  r.add("Cast", convertCast, 21);
  r.add("CastLike", convertCastLike, 21);
  r.add("Shrink", convertShrink);
}

} // namespace ddl::onnx_import
