//===- Reduction.cpp - ONNX reductions to nn ------------------------------===//
//
// The Reduce* family becomes one nn.reduce with its kind; ArgMax and
// ArgMin become nn.argmax / nn.argmin.
//
//===----------------------------------------------------------------------===//

#include "frontends/onnx/GraphImporter.h"

#include "llvm/Support/FormatVariadic.h"

#include <limits>

using namespace mlir;

namespace ddl::onnx_import {

/// True for the kinds that reducing one axis at a time computes exactly
/// (sum of sums, mean of means over equal-sized groups, ...).
static bool composesPerAxis(nn::ReduceKind kind) {
  switch (kind) {
  case nn::ReduceKind::Sum:
  case nn::ReduceKind::Mean:
  case nn::ReduceKind::Max:
  case nn::ReduceKind::Min:
  case nn::ReduceKind::Prod:
    return true;
  default:
    return false;
  }
}

/// Reduce<kind> of `x` over `axes`, a 1-D input of static length whose
/// values are known only at run time. nn.reduce takes its axes as an
/// attribute, so every dimension d is reduced on its own and kept only
/// when d is among the axes: x = slice(where(d in axes, reduce(x, [d]), x),
/// 0 .. (d in axes ? 1 : end)) along d. Without keepdims, the reduced (now
/// size-1) dimensions are dropped by a reshape to the sizes of the others,
/// found with top_k on (d in axes) * rank + d.
static Value reduceOverRuntimeAxes(NodeContext &n, nn::ReduceKind kind, Value x,
                                   Value axes, bool keepdims) {
  auto xType = dyn_cast_or_null<RankedTensorType>(x ? x.getType() : Type());
  auto axesType =
      dyn_cast_or_null<RankedTensorType>(axes ? axes.getType() : Type());
  if (!xType || !axesType || n.failed())
    return n.fail();
  int64_t rank = xType.getRank();
  if (axesType.getRank() != 1 || axesType.isDynamicDim(0)) {
    (void)n.unsupported(llvm::formatv(
        "input #1 (axes) must be a constant or a 1-D tensor of static length, "
        "got {0}",
        axesType));
    return n.fail();
  }
  int64_t count = axesType.getDimSize(0);
  if (count > rank) {
    (void)n.error(
        llvm::formatv("{0} axes for an input of rank {1}", count, rank));
    return n.fail();
  }
  if (!composesPerAxis(kind)) {
    (void)n.unsupported(llvm::formatv(
        "run-time axes for Reduce{0} of {1}: only Sum, Mean, Max, Min and "
        "Prod reduce one axis at a time (and the others of floats, through "
        "Sum)",
        n.node().op_type(), xType.getElementType()));
    return n.fail();
  }
  Type i64 = n.builder().getI64Type();
  SmallVector<int64_t> dims = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  Value zero = n.constI64({0}, /*scalar=*/true);
  // hits[d] is 1 when d is among the (normalized) axes, else 0.
  Value index = n.castTo(axes, i64);
  index = n.create<nn::WhereOp>(
      {n.create<nn::LessOp>({index, zero}),
       n.create<nn::AddOp>({index, n.constI64({rank}, /*scalar=*/true)}),
       index});
  Value matches = n.create<nn::EqualOp>(
      {n.create<nn::UnsqueezeOp>({index}, {n.namedI64Array("axes", {1})}),
       n.constI64(dims)});
  Value hits = n.create<nn::ReduceOp>(
      {n.castTo(matches, i64)},
      {n.named("kind",
               nn::ReduceKindAttr::get(n.context(), nn::ReduceKind::Max)),
       n.namedI64Array("axes", {0}), n.namedBool("keepdims", false)});
  Value one = n.constI64({1});
  Value whole = n.constI64({std::numeric_limits<int64_t>::max()});
  for (int64_t d = 0; d < rank; ++d) {
    Value hit = n.create<nn::GreaterOp>(
        {n.create<nn::GatherOp>({hits, n.constI64({d}, /*scalar=*/true)}),
         zero});
    Value reduced = n.create<nn::ReduceOp>(
        {x}, {n.named("kind", nn::ReduceKindAttr::get(n.context(), kind)),
              n.namedI64Array("axes", {d}), n.namedBool("keepdims", true)});
    x = n.create<nn::WhereOp>({hit, reduced, x});
    Value end = n.create<nn::WhereOp>({hit, one, whole});
    x = n.create<nn::SliceOp>({x, n.constI64({0}), end, n.constI64({d})},
                              {n.segments({1, 1, 1, 1, 0})});
  }
  if (keepdims || n.failed())
    return x;
  if (count == rank)
    return n.create<nn::ReshapeOp>({x, n.constI64({})});
  Value keys = n.create<nn::AddOp>(
      {n.create<nn::MulOp>({hits, n.constI64({rank}, /*scalar=*/true)}),
       n.constI64(dims)});
  Operation *kept = n.createOp<nn::TopKOp>({keys, n.constI64({rank - count})},
                                           {n.namedI64("axis", 0),
                                            n.namedBool("largest", false),
                                            n.namedBool("sorted", true)});
  if (!kept)
    return n.fail();
  Value shape = n.create<nn::GatherOp>(
      {n.create<nn::ShapeOfOp>({x}), kept->getResult(1)});
  return n.create<nn::ReshapeOp>({x, shape});
}

/// Reduce<kind> of float `x` over run-time `axes` for the kinds that do not
/// compose per axis but are a Sum between element-wise steps: L1 = sum
/// |x|, SumSquare = sum x^2, L2 = sqrt(sum x^2), LogSum = log(sum x) and
/// LogSumExp = m + log(sum exp(x - m)), m the max over the same axes (0
/// where it is infinite, as nn.reduce's own lowering does). Null when
/// `kind` or the element type has no such form (the caller then refuses).
static Value reduceThroughSum(NodeContext &n, nn::ReduceKind kind, Value x,
                              Value axes, bool keepdims) {
  auto type = dyn_cast_or_null<RankedTensorType>(x ? x.getType() : Type());
  if (!type || !isa<FloatType>(type.getElementType()))
    return {};
  auto sum = [&](Value v, bool keep) {
    return reduceOverRuntimeAxes(n, nn::ReduceKind::Sum, v, axes, keep);
  };
  switch (kind) {
  case nn::ReduceKind::L1:
    return sum(n.create<nn::AbsOp>({x}), keepdims);
  case nn::ReduceKind::SumSquare:
    return sum(n.create<nn::MulOp>({x, x}), keepdims);
  case nn::ReduceKind::L2:
    return n.create<nn::SqrtOp>({sum(n.create<nn::MulOp>({x, x}), keepdims)});
  case nn::ReduceKind::LogSum:
    return n.create<nn::LogOp>({sum(x, keepdims)});
  case nn::ReduceKind::LogSumExp: {
    auto finiteMax = [&](bool keep) -> Value {
      Value m = reduceOverRuntimeAxes(n, nn::ReduceKind::Max, x, axes, keep);
      return n.create<nn::WhereOp>({n.create<nn::IsInfOp>({m}),
                                    n.constScalar(type.getElementType(), 0),
                                    m});
    };
    Value shifted = n.create<nn::SubOp>({x, finiteMax(true)});
    return n.create<nn::AddOp>(
        {n.create<nn::LogOp>({sum(n.create<nn::ExpOp>({shifted}), keepdims)}),
         finiteMax(keepdims)});
  }
  default:
    return {};
  }
}

/// Reduce<kind>: `axes` is an attribute, or (ReduceSum from opset 13, all
/// of them from opset 18) an optional input; absent or empty axes reduce
/// everything unless noop_with_empty_axes. A non-constant axes input (of
/// static, non-zero length, so never empty) is decomposed per axis.
static Converter reduce(nn::ReduceKind kind) {
  return [kind](NodeContext &n) -> LogicalResult {
    Value input = n.input(0);
    std::optional<SmallVector<int64_t>> axes;
    // An axes input of static length 0 is known to be empty, constant or
    // not.
    RankedTensorType axesType =
        n.hasAttr("axes") ? RankedTensorType() : n.inputType(1);
    bool keepdims = n.attrInt("keepdims", 1) != 0;
    bool noop = n.attrInt("noop_with_empty_axes", 0) != 0;
    if (axesType && axesType.hasStaticShape() && axesType.getNumElements() == 0)
      axes.emplace();
    else if (n.hasAttr("axes") || !n.hasInput(1))
      axes = n.axesFromAttrOrInput("axes", 1);
    else if (!(axes = n.constantInts(1)) && !n.failed()) {
      Value axesInput = n.input(1);
      if (!composesPerAxis(kind))
        if (Value v = reduceThroughSum(n, kind, input, axesInput, keepdims))
          return n.setOutput(v);
      return n.setOutput(
          reduceOverRuntimeAxes(n, kind, input, axesInput, keepdims));
    }
    if (n.failed())
      return failure();
    SmallVector<NamedAttribute> attrs = {
        n.named("kind", nn::ReduceKindAttr::get(n.context(), kind)),
        n.namedBool("keepdims", keepdims),
        n.namedBool("noop_with_empty_axes", noop)};
    if (axes && !axes->empty())
      attrs.push_back(n.namedI64Array("axes", *axes));
    return n.setOutput(n.create<nn::ReduceOp>({input}, attrs));
  };
}

template <typename OpT> static LogicalResult argReduce(NodeContext &n) {
  return n.setOutput(n.create<OpT>(
      {n.input(0)}, {n.namedI64("axis", n.attrInt("axis", 0)),
                     n.namedBool("keepdims", n.attrInt("keepdims", 1) != 0),
                     n.namedBool("select_last_index",
                                 n.attrInt("select_last_index", 0) != 0)}));
}

void registerReductionConverters(ConverterRegistry &r) {
  // Opset 18 moves every Reduce*'s axes into an optional input (ReduceSum's
  // moved in 13), which reduce() reads; opset 20 adds bool to ReduceMax and
  // ReduceMin, which nn.reduce takes.
  r.add("ReduceSum", reduce(nn::ReduceKind::Sum));
  r.add("ReduceMean", reduce(nn::ReduceKind::Mean), 18);
  r.add("ReduceMax", reduce(nn::ReduceKind::Max), 20);
  r.add("ReduceMin", reduce(nn::ReduceKind::Min), 20);
  r.add("ReduceProd", reduce(nn::ReduceKind::Prod), 18);
  r.add("ReduceL1", reduce(nn::ReduceKind::L1), 18);
  r.add("ReduceL2", reduce(nn::ReduceKind::L2), 18);
  r.add("ReduceLogSum", reduce(nn::ReduceKind::LogSum), 18);
  r.add("ReduceLogSumExp", reduce(nn::ReduceKind::LogSumExp), 18);
  r.add("ReduceSumSquare", reduce(nn::ReduceKind::SumSquare), 18);
  r.add("ArgMax", argReduce<nn::ArgMaxOp>);
  r.add("ArgMin", argReduce<nn::ArgMinOp>);
}

} // namespace ddl::onnx_import
