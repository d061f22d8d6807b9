//===- ControlFlow.cpp - ONNX If, Loop and Scan to nn region ops ----------===//
//
// Subgraphs become regions. Their bodies are imported into detached regions
// first, because the region op's result types follow from what the bodies
// yield; the op is created afterwards and takes the regions over.
//
//===----------------------------------------------------------------------===//

#include "frontends/onnx/GraphImporter.h"

#include "llvm/Support/FormatVariadic.h"

using namespace mlir;

namespace ddl::onnx_import {

static RankedTensorType scalarType(Type element) {
  return RankedTensorType::get({}, element);
}

/// `type` with every dimension dynamic (and no symbols): what a loop-carried
/// value may become after any number of iterations. A carried sequence's
/// elements lose their rank too: ONNX models often declare an empty
/// sequence's element shape loosely and insert tensors of another rank.
static Type generalized(Type type) {
  if (auto sequence = dyn_cast<nn::SequenceType>(type))
    return nn::SequenceType::get(
        type.getContext(),
        UnrankedTensorType::get(sequence.getElementType().getElementType()));
  if (auto optional = dyn_cast<nn::OptionalType>(type))
    return nn::OptionalType::get(type.getContext(),
                                 generalized(optional.getValueType()));
  auto ranked = cast<RankedTensorType>(type);
  return RankedTensorType::get(
      SmallVector<int64_t>(ranked.getRank(), ShapedType::kDynamic),
      ranked.getElementType());
}

/// `value` as a present optional of its own type.
static Value wrapOptional(NodeContext &n, Value value) {
  auto type = nn::OptionalType::get(n.context(), value.getType());
  Operation *op = n.verifyCreated(
      nn::OptionalSomeOp::create(n.builder(), n.loc(), type, value));
  return op ? op->getResult(0) : Value();
}

static nn::YieldOp yieldOf(Region &region) {
  return cast<nn::YieldOp>(region.front().getTerminator());
}

/// Reshapes a one-element tensor to 0-d (ONNX allows [] and [1] for
/// conditions and counts).
static Value toScalar(NodeContext &n, Value v) {
  if (!v)
    return n.fail();
  auto type = cast<RankedTensorType>(v.getType());
  if (type.getRank() == 0)
    return v;
  return n.create<nn::ReshapeOp>({v, n.constI64({})});
}

static LogicalResult convertIf(NodeContext &n) {
  Value condition = toScalar(n, n.input(0));
  onnx::GraphProto *thenGraph = n.attrGraph("then_branch");
  onnx::GraphProto *elseGraph = n.attrGraph("else_branch");
  if (!thenGraph || !elseGraph)
    return n.failed() ? failure()
                      : n.error("needs then_branch and else_branch graphs");
  GraphImporter &importer = n.graphImporter();
  Region thenRegion, elseRegion;
  if (!condition ||
      failed(importer.importSubgraph(*thenGraph, thenRegion, {}, n)) ||
      failed(importer.importSubgraph(*elseGraph, elseRegion, {}, n)))
    return failure();
  // Each result is what both branches agree on.
  SmallVector<Type> resultTypes;
  for (auto [i, pair] :
       llvm::enumerate(llvm::zip(yieldOf(thenRegion).getValues().getTypes(),
                                 yieldOf(elseRegion).getValues().getTypes()))) {
    auto [a, b] = pair;
    Type both = nn::commonType(a, b);
    if (!both)
      return n.unsupported(llvm::formatv(
          "output #{0} is {1} in the then branch but {2} in the else branch; "
          "ddl needs one rank and element type",
          i, a, b));
    resultTypes.push_back(both);
  }
  if (yieldOf(thenRegion).getValues().size() !=
      yieldOf(elseRegion).getValues().size())
    return n.error("the branches have different numbers of outputs");
  auto ifOp = nn::IfOp::create(n.builder(), n.loc(), resultTypes, condition);
  ifOp.getThenRegion().takeBody(thenRegion);
  ifOp.getElseRegion().takeBody(elseRegion);
  if (!n.verifyCreated(ifOp))
    return failure();
  return n.setOutputs(ifOp.getResults());
}

/// Creates the nn.loop for an imported body (yielding condition, carried
/// values, then per-iteration scan values) and binds the node's outputs:
/// the carried results have `carriedTypes`, each scan output stacks its
/// yielded type along a new leading dimension.
Operation *createLoop(NodeContext &n, Value tripCount, Value condition,
                      ValueRange inits, TypeRange carriedTypes,
                      Region &bodyRegion) {
  ValueRange yielded = yieldOf(bodyRegion).getValues();
  if (yielded.size() < 1 + inits.size()) {
    (void)n.error(llvm::formatv(
        "the body yields {0} values but must yield the condition and {1} "
        "carried values",
        yielded.size(), inits.size()));
    return nullptr;
  }
  SmallVector<Type> resultTypes(carriedTypes);
  for (Value scan : yielded.drop_front(1 + inits.size())) {
    auto type = dyn_cast<RankedTensorType>(scan.getType());
    if (!type) {
      (void)n.unsupported("a scan output that is a sequence or optional "
                          "(ddl stacks tensors only)");
      return nullptr;
    }
    SmallVector<int64_t> shape = {ShapedType::kDynamic};
    llvm::append_range(shape, type.getShape());
    resultTypes.push_back(RankedTensorType::get(shape, type.getElementType()));
  }
  SmallVector<Value> operands;
  if (tripCount)
    operands.push_back(tripCount);
  if (condition)
    operands.push_back(condition);
  llvm::append_range(operands, inits);
  OperationState state(n.loc(), nn::LoopOp::getOperationName());
  state.addOperands(operands);
  state.addTypes(resultTypes);
  state.getOrAddProperties<nn::LoopOp::Properties>().operandSegmentSizes = {
      tripCount ? 1 : 0, condition ? 1 : 0, static_cast<int32_t>(inits.size())};
  state.addRegion()->takeBody(bodyRegion);
  return n.verifyCreated(n.builder().create(state));
}

static LogicalResult finishLoop(NodeContext &n, Value tripCount,
                                Value condition, ValueRange inits,
                                TypeRange carriedTypes, Region &bodyRegion) {
  Operation *loop =
      createLoop(n, tripCount, condition, inits, carriedTypes, bodyRegion);
  if (!loop)
    return failure();
  return n.setOutputs(loop->getResults());
}

static LogicalResult convertLoop(NodeContext &n) {
  onnx::GraphProto *body = n.attrGraph("body");
  if (!body)
    return n.failed() ? failure() : n.error("needs a body graph");
  Value tripCount = n.hasInput(0) ? toScalar(n, n.input(0)) : Value();
  Value condition = n.hasInput(1) ? toScalar(n, n.input(1)) : Value();
  SmallVector<Value> inits;
  for (size_t i = 2; i < n.numInputs(); ++i)
    inits.push_back(n.anyInput(i));
  if (n.failed())
    return failure();
  OpBuilder &b = n.builder();
  SmallVector<Type> argTypes = {scalarType(b.getI64Type()),
                                scalarType(b.getI1Type())};
  SmallVector<Type> carriedTypes;
  for (Value init : inits)
    carriedTypes.push_back(generalized(init.getType()));
  llvm::append_range(argTypes, carriedTypes);

  // The body yields (condition, carried..., scan...); ONNX may give the
  // condition as [1]. The reshape that fixes that belongs in the body: the
  // node's builder moves there while the epilogue runs.
  Region bodyRegion;
  auto epilogue = [&](OpBuilder &, SmallVectorImpl<Value> &results) {
    if (results.empty())
      return n.error("the body must yield at least the condition");
    OpBuilder::InsertPoint outside = b.saveInsertionPoint();
    b.setInsertionPointToEnd(&bodyRegion.front());
    results[0] = toScalar(n, results[0]);
    // ONNX lets a carried optional come back as its value (opset 16's
    // loop over an optional sequence): wrap it again.
    for (auto [i, type] : llvm::enumerate(carriedTypes)) {
      size_t k = 1 + i;
      if (k < results.size() && results[k] && isa<nn::OptionalType>(type) &&
          !isa<nn::OptionalType>(results[k].getType()))
        results[k] = wrapOptional(n, results[k]);
    }
    b.restoreInsertionPoint(outside);
    return success(results[0] != nullptr);
  };
  if (failed(n.graphImporter().importSubgraph(*body, bodyRegion, argTypes, n,
                                              nullptr, epilogue)))
    return failure();
  return finishLoop(n, tripCount, condition, inits, carriedTypes, bodyRegion);
}

/// The nn.loop of an opset-9 Scan of `body` over `scans` (sliced along
/// `axes`, backwards where `directions` is 1) carrying `states`: each
/// iteration gathers one slice of every scan input, runs the body, and
/// stacks the scan outputs. Its results: the final states, then the
/// stacked scan outputs. Created at the node's builder.
static FailureOr<SmallVector<Value>>
buildScanLoop(NodeContext &n, onnx::GraphProto &body, ValueRange states,
              ValueRange scans, ArrayRef<int64_t> axes,
              ArrayRef<int64_t> directions) {
  // Trip count: the scanned extent of the first scan input.
  Value extent =
      n.create<nn::ShapeOfOp>({scans[0]}, {n.namedI64("start", axes[0]),
                                           n.namedI64("end", axes[0] + 1)});
  Value tripCount = toScalar(n, extent);
  if (!tripCount)
    return failure();

  OpBuilder &b = n.builder();
  SmallVector<Type> argTypes = {scalarType(b.getI64Type()),
                                scalarType(b.getI1Type())};
  SmallVector<Type> stateTypes;
  for (Value s : states)
    stateTypes.push_back(generalized(s.getType()));
  llvm::append_range(argTypes, stateTypes);

  auto prologue = [&](OpBuilder &,
                      Block &block) -> FailureOr<SmallVector<Value>> {
    SmallVector<Value> values(block.args_begin() + 2, block.args_end());
    Value iteration = block.getArgument(0);
    for (auto [i, scan] : llvm::enumerate(scans)) {
      Value index = iteration;
      if (directions[i] != 0) {
        // Reverse: extent - 1 - iteration.
        Value len = toScalar(n, n.create<nn::ShapeOfOp>(
                                    {scan}, {n.namedI64("start", axes[i]),
                                             n.namedI64("end", axes[i] + 1)}));
        Value last = n.create<nn::SubOp>({len, n.constI64({1}, true)});
        index = n.create<nn::SubOp>({last, iteration});
      }
      Value slice =
          n.create<nn::GatherOp>({scan, index}, {n.namedI64("axis", axes[i])});
      if (!slice)
        return failure();
      values.push_back(slice);
    }
    return values;
  };
  auto epilogue = [&](OpBuilder &, SmallVectorImpl<Value> &results) {
    auto trueType = RankedTensorType::get({}, b.getI1Type());
    Value always = nn::ConstantOp::create(
        b, n.loc(), DenseElementsAttr::get(trueType, true));
    results.insert(results.begin(), always);
    return success();
  };
  Region bodyRegion;
  // The prologue's and epilogue's ops go into the body block: the node's
  // builder moves there while they run.
  OpBuilder::InsertPoint outside = b.saveInsertionPoint();
  if (failed(n.graphImporter().importSubgraph(
          body, bodyRegion, argTypes, n,
          [&](OpBuilder &inner, Block &block) {
            b.setInsertionPointToStart(&block);
            return prologue(inner, block);
          },
          [&](OpBuilder &inner, SmallVectorImpl<Value> &r) {
            b.setInsertionPointToEnd(&bodyRegion.front());
            return epilogue(inner, r);
          }))) {
    b.restoreInsertionPoint(outside);
    return failure();
  }
  b.restoreInsertionPoint(outside);
  Operation *loop =
      createLoop(n, tripCount, Value(), states, stateTypes, bodyRegion);
  if (!loop)
    return failure();
  return SmallVector<Value>(loop->getResults());
}

/// Attribute `name` (one entry per scan input, default all 0), checked.
static FailureOr<SmallVector<int64_t>>
perScanInput(NodeContext &n, StringRef name, size_t count) {
  SmallVector<int64_t> v =
      n.attrInts(name).value_or(SmallVector<int64_t>(count, 0));
  if (n.failed())
    return failure();
  if (v.size() != count)
    return n.error(llvm::formatv("attribute '{0}' needs one entry per scan "
                                 "input ({1}), got {2}",
                                 name, count, v.size()));
  return v;
}

/// Scan. Opset 9+: an nn.loop over the scanned axis (buildScanLoop).
/// Opset 8 has a leading batch axis on every state and scan input (the
/// scanned axis is 1) and optional sequence_lens: an outer nn.loop over
/// the batch runs the opset-9 loop on each example, its results stacked
/// along the batch axis again. sequence_lens (per-example lengths, outputs
/// padded) is refused.
static LogicalResult convertScan(NodeContext &n) {
  bool batched = n.opset() < 9;
  onnx::GraphProto *body = n.attrGraph("body");
  std::optional<int64_t> numScanInputs = n.attrInt("num_scan_inputs");
  if (!body || !numScanInputs)
    return n.failed() ? failure()
                      : n.error("needs a body graph and num_scan_inputs");
  if (batched && n.hasInput(0))
    return n.unsupported("Scan's opset-8 sequence_lens (examples of "
                         "different lengths)");
  size_t first = batched ? 1 : 0;
  size_t numInputs = n.numInputs() - first;
  if (*numScanInputs < 1 || static_cast<size_t>(*numScanInputs) > numInputs)
    return n.error(llvm::formatv("num_scan_inputs {0} is out of range for {1} "
                                 "inputs",
                                 *numScanInputs, numInputs));
  size_t numState = numInputs - *numScanInputs;
  SmallVector<Value> states, scans;
  for (size_t i = 0; i < numInputs; ++i)
    (i < numState ? states : scans).push_back(n.input(first + i));
  if (n.failed())
    return failure();
  FailureOr<SmallVector<int64_t>> axes =
      batched ? FailureOr<SmallVector<int64_t>>(
                    SmallVector<int64_t>(scans.size(), 0))
              : perScanInput(n, "scan_input_axes", scans.size());
  FailureOr<SmallVector<int64_t>> directions = perScanInput(
      n, batched ? "directions" : "scan_input_directions", scans.size());
  if (failed(axes) || failed(directions))
    return failure();
  for (const char *name : {"scan_output_axes", "scan_output_directions"})
    if (std::optional<SmallVector<int64_t>> v = n.attrInts(name))
      if (llvm::any_of(*v, [](int64_t x) { return x != 0; }))
        return n.unsupported(std::string(name) +
                             " other than 0 (outputs are stacked forward "
                             "along axis 0)");
  for (auto [i, axis] : llvm::enumerate(*axes)) {
    int64_t rank = cast<RankedTensorType>(scans[i].getType()).getRank() -
                   (batched ? 1 : 0);
    if (axis < -rank || axis >= rank)
      return n.error(llvm::formatv("scan_input_axes entry {0} is out of range "
                                   "for rank {1}",
                                   axis, rank));
    if (axis < 0)
      axis += rank;
  }
  if (!batched) {
    FailureOr<SmallVector<Value>> results =
        buildScanLoop(n, *body, states, scans, *axes, *directions);
    return failed(results) ? failure() : n.setOutputs(*results);
  }

  // Opset 8: one example per iteration of an outer loop over the batch.
  OpBuilder &b = n.builder();
  Value batch =
      toScalar(n, n.create<nn::ShapeOfOp>({scans[0]}, {n.namedI64("start", 0),
                                                       n.namedI64("end", 1)}));
  if (!batch)
    return failure();
  Region outer;
  Block *block = new Block();
  outer.push_back(block);
  Value example = block->addArgument(scalarType(b.getI64Type()), n.loc());
  block->addArgument(scalarType(b.getI1Type()), n.loc());
  OpBuilder::InsertPoint outside = b.saveInsertionPoint();
  b.setInsertionPointToStart(block);
  auto slice = [&](Value v) {
    return n.create<nn::GatherOp>({v, example}, {n.namedI64("axis", 0)});
  };
  SmallVector<Value> exampleStates, exampleScans;
  for (Value s : states)
    exampleStates.push_back(slice(s));
  for (Value s : scans)
    exampleScans.push_back(slice(s));
  FailureOr<SmallVector<Value>> results =
      n.failed() ? FailureOr<SmallVector<Value>>(failure())
                 : buildScanLoop(n, *body, exampleStates, exampleScans, *axes,
                                 *directions);
  if (failed(results)) {
    b.restoreInsertionPoint(outside);
    return failure();
  }
  SmallVector<Value> yielded = {nn::ConstantOp::create(
      b, n.loc(), DenseElementsAttr::get(scalarType(b.getI1Type()), true))};
  llvm::append_range(yielded, *results);
  nn::YieldOp::create(b, n.loc(), yielded);
  b.restoreInsertionPoint(outside);
  Operation *loop = createLoop(n, batch, Value(), {}, {}, outer);
  if (!loop)
    return failure();
  return n.setOutputs(loop->getResults());
}

void registerControlFlowConverters(ConverterRegistry &r) {
  // Versions 19 and 21 add float8 / int4 types only.
  r.add("If", convertIf, 21);
  r.add("Loop", convertLoop, 21);
  r.add("Scan", convertScan, 21);
}

} // namespace ddl::onnx_import
