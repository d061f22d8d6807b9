//===- Reduction.cpp - ONNX reductions to nn ------------------------------===//
//
// The Reduce* family becomes one nn.reduce with its kind; ArgMax and
// ArgMin become nn.argmax / nn.argmin.
//
//===----------------------------------------------------------------------===//

#include "frontends/onnx/GraphImporter.h"

using namespace mlir;

namespace ddl::onnx_import {

/// Reduce<kind>: `axes` is an attribute, or (ReduceSum from opset 13, all
/// of them from opset 18) an optional constant input; absent or empty axes
/// reduce everything unless noop_with_empty_axes.
static Converter reduce(nn::ReduceKind kind) {
  return [kind](NodeContext &n) -> LogicalResult {
    Value input = n.input(0);
    std::optional<SmallVector<int64_t>> axes;
    // An axes input of static length 0 is known to be empty, constant or
    // not.
    RankedTensorType axesType =
        n.hasAttr("axes") ? RankedTensorType() : n.inputType(1);
    if (axesType && axesType.hasStaticShape() && axesType.getNumElements() == 0)
      axes.emplace();
    else
      axes = n.axesFromAttrOrInput("axes", 1);
    bool keepdims = n.attrInt("keepdims", 1) != 0;
    bool noop = n.attrInt("noop_with_empty_axes", 0) != 0;
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
  r.add("ReduceSum", reduce(nn::ReduceKind::Sum));
  r.add("ReduceMean", reduce(nn::ReduceKind::Mean));
  r.add("ReduceMax", reduce(nn::ReduceKind::Max));
  r.add("ReduceMin", reduce(nn::ReduceKind::Min));
  r.add("ReduceProd", reduce(nn::ReduceKind::Prod));
  r.add("ReduceL1", reduce(nn::ReduceKind::L1));
  r.add("ReduceL2", reduce(nn::ReduceKind::L2));
  r.add("ReduceLogSum", reduce(nn::ReduceKind::LogSum));
  r.add("ReduceLogSumExp", reduce(nn::ReduceKind::LogSumExp));
  r.add("ReduceSumSquare", reduce(nn::ReduceKind::SumSquare));
  r.add("ArgMax", argReduce<nn::ArgMaxOp>);
  r.add("ArgMin", argReduce<nn::ArgMinOp>);
}

} // namespace ddl::onnx_import
