//===- Loss.cpp - ONNX loss ops to nn -------------------------------------===//
//
// NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss, decomposed as the
// ONNX spec defines them: pick -input[n, target[n, d...], d...] with
// gather_elements along the class axis, weight it by weight[target],
// zero the ignored entries, and reduce (none, sum, or the weighted mean).
//
//===----------------------------------------------------------------------===//

#include "frontends/onnx/GraphImporter.h"

using namespace mlir;

namespace ddl::onnx_import {

static nn::ReduceKindAttr sumKind(NodeContext &n) {
  return nn::ReduceKindAttr::get(n.context(), nn::ReduceKind::Sum);
}

/// The NLL loss of log-probabilities `input` [N, C, d...] at `target`
/// [N, d...]; `weight` [C] is optional.
static Value negativeLogLikelihood(NodeContext &n, Value input, Value target,
                                   Value weight) {
  if (!input || !target)
    return n.fail();
  std::string reduction = n.attrString("reduction", "mean");
  if (reduction != "none" && reduction != "sum" && reduction != "mean") {
    (void)n.error("attribute 'reduction' must be none, sum or mean, got '" +
                  reduction + "'");
    return nullptr;
  }
  auto inputType = cast<RankedTensorType>(input.getType());
  if (inputType.getRank() < 2) {
    (void)n.error("the input must be N x C x ... (rank >= 2)");
    return nullptr;
  }
  Type element = inputType.getElementType();
  std::optional<int64_t> ignoreIndex = n.attrInt("ignore_index");

  Value safeTarget = target, ignored;
  if (ignoreIndex) {
    auto targetType = cast<RankedTensorType>(target.getType());
    Value ii = n.constScalar(targetType.getElementType(),
                             static_cast<double>(*ignoreIndex));
    ignored = n.create<nn::EqualOp>({target, ii});
    // Ignored entries read class 0 (any valid index) and are zeroed below.
    safeTarget = n.create<nn::WhereOp>(
        {ignored, n.constScalar(targetType.getElementType(), 0), target});
  }
  Value index =
      n.create<nn::UnsqueezeOp>({safeTarget}, {n.namedI64Array("axes", {1})});
  Value picked =
      n.create<nn::GatherElementsOp>({input, index}, {n.namedI64("axis", 1)});
  Value loss = n.create<nn::NegOp>(
      {n.create<nn::SqueezeOp>({picked}, {n.namedI64Array("axes", {1})})});

  // Per-entry weights: weight[target], or 1; 0 where ignored.
  Value weights;
  if (weight) {
    weights =
        n.create<nn::GatherOp>({weight, safeTarget}, {n.namedI64("axis", 0)});
    loss = n.create<nn::MulOp>({loss, weights});
  }
  Value zero = n.constScalar(element, 0);
  if (ignored) {
    loss = n.create<nn::WhereOp>({ignored, zero, loss});
    weights = n.create<nn::WhereOp>(
        {ignored, zero, weights ? weights : n.constScalar(element, 1)});
  }
  if (reduction == "none" || !loss)
    return loss;
  Value total = n.create<nn::ReduceOp>(
      {loss}, {n.named("kind", sumKind(n)), n.namedBool("keepdims", false)});
  if (reduction == "sum")
    return total;
  if (!weights)
    return n.create<nn::ReduceOp>(
        {loss}, {n.named("kind", nn::ReduceKindAttr::get(n.context(),
                                                         nn::ReduceKind::Mean)),
                 n.namedBool("keepdims", false)});
  Value weightTotal = n.create<nn::ReduceOp>(
      {weights}, {n.named("kind", sumKind(n)), n.namedBool("keepdims", false)});
  return n.create<nn::DivOp>({total, weightTotal});
}

static LogicalResult convertNLL(NodeContext &n) {
  return n.setOutput(
      negativeLogLikelihood(n, n.input(0), n.input(1), n.optionalInput(2)));
}

static LogicalResult convertSoftmaxCrossEntropy(NodeContext &n) {
  Value logProb =
      n.create<nn::LogSoftmaxOp>({n.input(0)}, {n.namedI64("axis", 1)});
  Value loss =
      negativeLogLikelihood(n, logProb, n.input(1), n.optionalInput(2));
  if (n.hasOutput(1))
    return n.setOutputs({loss, logProb});
  return n.setOutput(loss);
}

void registerLossConverters(ConverterRegistry &r) {
  r.add("NegativeLogLikelihoodLoss", convertNLL);
  r.add("SoftmaxCrossEntropyLoss", convertSoftmaxCrossEntropy);
}

} // namespace ddl::onnx_import
