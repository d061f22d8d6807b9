//===- Training.cpp - ONNX's training optimizers to nn --------------------===//
//
// Adagrad, Momentum and Adam of the ai.onnx.preview.training domain: one
// optimizer step over n tensors, element-wise, decomposed as the ONNX spec
// defines them. The learning rate R (a float scalar) and the step count T
// (an int64 scalar) are inputs, so the step-dependent factors (Adagrad's
// decay, Momentum's first-step beta, Adam's bias correction) are computed
// at run time; T is converted to X's float type for them.
//
//===----------------------------------------------------------------------===//

#include "frontends/onnx/GraphImporter.h"

#include "llvm/Support/FormatVariadic.h"

using namespace mlir;

namespace ddl::onnx_import {

namespace {

/// The inputs of one optimizer node: R, T, then `groups` runs of n tensors
/// (X, G, then the optimizer's state), with n = (inputs - 2) / groups.
struct OptimizerInputs {
  Value rate, step;
  /// groups x n values.
  SmallVector<SmallVector<Value>> tensors;
  Type element;
};

FailureOr<OptimizerInputs> optimizerInputs(NodeContext &n, size_t groups) {
  size_t count = n.numInputs();
  if (count < 2 + groups || (count - 2) % groups != 0)
    return n.error(llvm::formatv(
        "expects R, T and {0} groups of n tensors each, got {1} inputs", groups,
        count));
  size_t tensors = (count - 2) / groups;
  if (n.numOutputs() != tensors * (groups - 1))
    return n.error(llvm::formatv(
        "expects {0} outputs ({1} groups of {2} tensors), got {3}",
        tensors * (groups - 1), groups - 1, tensors, n.numOutputs()));
  OptimizerInputs in;
  in.rate = n.input(0);
  in.step = n.input(1);
  for (size_t g = 0; g < groups; ++g) {
    in.tensors.emplace_back();
    for (size_t i = 0; i < tensors; ++i)
      in.tensors.back().push_back(n.input(2 + g * tensors + i));
  }
  if (n.failed())
    return failure();
  for (size_t i : {0, 1})
    if (n.inputType(i).getRank() != 0 && n.inputType(i).getNumElements() != 1)
      return n.error(llvm::formatv("input {0} ({1}) must be a scalar, got {2}",
                                   i, i == 0 ? "R" : "T", n.inputType(i)));
  in.element = n.inputType(2).getElementType();
  if (!isa<FloatType>(in.element))
    return n.error(
        llvm::formatv("X must be a float tensor, got {0}", n.inputType(2)));
  if (!n.inputType(1).getElementType().isInteger(64))
    return n.error(
        llvm::formatv("T must be an int64 scalar, got {0}", n.inputType(1)));
  // R and T as 0-d tensors of X's type.
  auto scalar = [&](Value v) {
    if (cast<RankedTensorType>(v.getType()).getRank() != 0)
      v = n.create<nn::ReshapeOp>({v, n.constI64({})});
    return n.castTo(v, in.element);
  };
  in.rate = scalar(in.rate);
  in.step = scalar(in.step);
  if (n.failed())
    return failure();
  return in;
}

/// norm_coefficient * X + G.
Value regularizedGradient(NodeContext &n, Type element, Value x, Value g) {
  float norm = n.attrFloat("norm_coefficient", 0.0f);
  return n.create<nn::AddOp>(
      {n.create<nn::MulOp>({n.constScalar(element, norm), x}), g});
}

LogicalResult convertAdagrad(NodeContext &n) {
  FailureOr<OptimizerInputs> in = optimizerInputs(n, 3);
  if (failed(in))
    return failure();
  Type e = in->element;
  float epsilon = n.attrFloat("epsilon", 0.0f);
  float decay = n.attrFloat("decay_factor", 0.0f);
  // r = R / (1 + T * decay_factor)
  Value rate = n.create<nn::DivOp>(
      {in->rate,
       n.create<nn::AddOp>(
           {n.constScalar(e, 1),
            n.create<nn::MulOp>({in->step, n.constScalar(e, decay)})})});
  SmallVector<Value> updated, accumulated;
  for (auto [x, g, h] :
       llvm::zip_equal(in->tensors[0], in->tensors[1], in->tensors[2])) {
    Value grad = regularizedGradient(n, e, x, g);
    Value hNew = n.create<nn::AddOp>({h, n.create<nn::MulOp>({grad, grad})});
    Value scaleBy = n.create<nn::AddOp>(
        {n.create<nn::SqrtOp>({hNew}), n.constScalar(e, epsilon)});
    updated.push_back(n.create<nn::SubOp>(
        {x,
         n.create<nn::DivOp>({n.create<nn::MulOp>({rate, grad}), scaleBy})}));
    accumulated.push_back(hNew);
  }
  updated.append(accumulated);
  return n.setOutputs(updated);
}

LogicalResult convertMomentum(NodeContext &n) {
  std::string mode = n.attrString("mode", "");
  if (mode != "standard" && mode != "nesterov")
    return n.error("attribute 'mode' must be 'standard' or 'nesterov', got '" +
                   mode + "'");
  if (!n.hasAttr("alpha") || !n.hasAttr("beta") ||
      !n.hasAttr("norm_coefficient"))
    return n.error("attributes 'alpha', 'beta' and 'norm_coefficient' are "
                   "required");
  FailureOr<OptimizerInputs> in = optimizerInputs(n, 3);
  if (failed(in))
    return failure();
  Type e = in->element;
  Value alpha = n.constScalar(e, n.attrFloat("alpha", 0.0f));
  // The gradient's coefficient is 1 at the first step (T = 0).
  Value beta = n.create<nn::WhereOp>(
      {n.create<nn::GreaterOp>({in->step, n.constScalar(e, 0)}),
       n.constScalar(e, n.attrFloat("beta", 0.0f)), n.constScalar(e, 1)});
  SmallVector<Value> updated, momenta;
  for (auto [x, g, v] :
       llvm::zip_equal(in->tensors[0], in->tensors[1], in->tensors[2])) {
    Value grad = regularizedGradient(n, e, x, g);
    Value vNew = n.create<nn::AddOp>(
        {n.create<nn::MulOp>({alpha, v}), n.create<nn::MulOp>({beta, grad})});
    Value direction =
        mode == "standard"
            ? vNew
            : n.create<nn::AddOp>({grad, n.create<nn::MulOp>({alpha, vNew})});
    updated.push_back(
        n.create<nn::SubOp>({x, n.create<nn::MulOp>({in->rate, direction})}));
    momenta.push_back(vNew);
  }
  updated.append(momenta);
  return n.setOutputs(updated);
}

LogicalResult convertAdam(NodeContext &n) {
  FailureOr<OptimizerInputs> in = optimizerInputs(n, 4);
  if (failed(in))
    return failure();
  Type e = in->element;
  float alphaValue = n.attrFloat("alpha", 0.9f);
  float betaValue = n.attrFloat("beta", 0.999f);
  Value alpha = n.constScalar(e, alphaValue);
  Value beta = n.constScalar(e, betaValue);
  Value one = n.constScalar(e, 1);
  Value epsilon = n.constScalar(e, n.attrFloat("epsilon", 1e-6f));
  Value post =
      n.constScalar(e, 1.0 - n.attrFloat("norm_coefficient_post", 0.0f));
  // Bias correction after the first step: R sqrt(1 - beta^T) / (1 - alpha^T).
  Value corrected = n.create<nn::DivOp>(
      {n.create<nn::MulOp>(
           {in->rate, n.create<nn::SqrtOp>({n.create<nn::SubOp>(
                          {one, n.create<nn::PowOp>({beta, in->step})})})}),
       n.create<nn::SubOp>({one, n.create<nn::PowOp>({alpha, in->step})})});
  Value rate = n.create<nn::WhereOp>(
      {n.create<nn::GreaterOp>({in->step, n.constScalar(e, 0)}), corrected,
       in->rate});
  Value oneMinusAlpha = n.constScalar(e, 1.0 - alphaValue);
  Value oneMinusBeta = n.constScalar(e, 1.0 - betaValue);
  SmallVector<Value> updated, momenta, squares;
  for (auto [i, x] : llvm::enumerate(in->tensors[0])) {
    Value grad = regularizedGradient(n, e, x, in->tensors[1][i]);
    Value vNew =
        n.create<nn::AddOp>({n.create<nn::MulOp>({alpha, in->tensors[2][i]}),
                             n.create<nn::MulOp>({oneMinusAlpha, grad})});
    Value hNew = n.create<nn::AddOp>(
        {n.create<nn::MulOp>({beta, in->tensors[3][i]}),
         n.create<nn::MulOp>(
             {oneMinusBeta, n.create<nn::MulOp>({grad, grad})})});
    Value denominator =
        n.create<nn::AddOp>({n.create<nn::SqrtOp>({hNew}), epsilon});
    Value xNew = n.create<nn::SubOp>(
        {x, n.create<nn::MulOp>(
                {rate, n.create<nn::DivOp>({vNew, denominator})})});
    updated.push_back(n.create<nn::MulOp>({post, xNew}));
    momenta.push_back(vNew);
    squares.push_back(hNew);
  }
  updated.append(momenta);
  updated.append(squares);
  return n.setOutputs(updated);
}

} // namespace

void registerTrainingConverters(ConverterRegistry &r) {
  r.add(kTrainingDomain, "Adagrad", convertAdagrad);
  r.add(kTrainingDomain, "Momentum", convertMomentum);
  r.add(kTrainingDomain, "Adam", convertAdam);
}

} // namespace ddl::onnx_import
