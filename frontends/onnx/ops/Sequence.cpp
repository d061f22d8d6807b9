//===- Sequence.cpp - ONNX sequence and optional ops to nn ----------------===//
//
// SequenceConstruct / Empty / Insert / Erase / At / Length and the Optional
// ops map one to one onto nn's sequence and optional ops. SequenceMap,
// SplitToSequence and ConcatFromSequence become nn.loops over those (the
// last two copy O(n^2) values for n chunks: each insertion or concatenation
// makes a new value).
//
// Result types: a sequence's element type is what the importer can prove of
// every element (see !nn.seq); where that has no rank, ONNX's declared type
// of the node's output may still give it.
//
//===----------------------------------------------------------------------===//

#include "frontends/onnx/GraphImporter.h"

#include "dialects/nn/ShapeBuilder.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include "llvm/Support/FormatVariadic.h"

#include <limits>

using namespace mlir;

namespace ddl::onnx_import {

/// A tensor type of `type`'s rank with every size dynamic: what the elements
/// inserted at different times have in common.
static TensorType dynamicSizes(RankedTensorType type) {
  return RankedTensorType::get(
      SmallVector<int64_t>(type.getRank(), ShapedType::kDynamic),
      type.getElementType());
}

/// Creates a single-result op with an explicit result type and verifies it.
template <typename OpT, typename... Args>
static Value build(NodeContext &n, Type type, Args &&...args) {
  if (n.failed())
    return n.fail();
  Operation *op = n.verifyCreated(
      OpT::create(n.builder(), n.loc(), type, std::forward<Args>(args)...));
  return op ? op->getResult(0) : Value();
}

/// The sequence input `i`, or null after an error.
static Value sequenceInput(NodeContext &n, size_t i) {
  Value v = n.anyInput(i);
  if (v && !isa<nn::SequenceType>(v.getType())) {
    (void)n.error(llvm::formatv("input #{0} must be a sequence, got {1}", i,
                                v.getType()));
    return n.fail();
  }
  return v;
}

/// A 0-d or one-element integer position (null when absent).
static Value positionInput(NodeContext &n, size_t i) {
  Value v = n.optionalInput(i);
  if (!v)
    return v;
  auto type = cast<RankedTensorType>(v.getType());
  if (!type.getElementType().isInteger(32) &&
      !type.getElementType().isInteger(64))
    return (void)n.error("the position must be int32 or int64"), n.fail();
  return v;
}

/// The sequence type ONNX declares for output `i`, when it knows the
/// elements' rank (null otherwise).
static nn::SequenceType declaredRankedSequence(NodeContext &n, size_t i,
                                               Type dtype) {
  auto declared = dyn_cast_or_null<nn::SequenceType>(
      n.graphImporter().declaredValueType(n.node().output(i)));
  if (!declared || !declared.getElementType().hasRank() ||
      declared.getElementType().getElementType() != dtype)
    return nullptr;
  return declared;
}

/// The sequence type holding both `sequence`'s elements and `element`.
static nn::SequenceType withElement(nn::SequenceType sequence,
                                    RankedTensorType element) {
  TensorType current = sequence.getElementType();
  // An unranked sequence takes the rank of what is inserted (a sequence's
  // elements share one rank), but no sizes: earlier elements may differ.
  if (!current.hasRank())
    return nn::SequenceType::get(sequence.getContext(), dynamicSizes(element));
  Type both = nn::commonType(current, element);
  return nn::SequenceType::get(
      sequence.getContext(),
      both ? cast<TensorType>(both)
           : UnrankedTensorType::get(element.getElementType()));
}

static LogicalResult convertSequenceConstruct(NodeContext &n) {
  SmallVector<Value> elements = n.inputsFrom(0);
  if (n.failed())
    return failure();
  if (elements.empty())
    return n.error("needs at least one tensor");
  Type common = elements.front().getType();
  for (Value v : ArrayRef(elements).drop_front()) {
    if (cast<RankedTensorType>(v.getType()).getElementType() !=
        cast<RankedTensorType>(common).getElementType())
      return n.error(llvm::formatv(
          "the tensors have different element types ({0} and {1})", common,
          v.getType()));
    common = nn::commonType(common, v.getType());
    if (!common)
      return n.unsupported("tensors of different ranks in one sequence "
                           "(ddl's sequences hold tensors of one rank)");
  }
  auto type = nn::SequenceType::get(n.context(), cast<TensorType>(common));
  return n.setOutput(build<nn::SeqConstructOp>(n, type, elements));
}

static LogicalResult convertSequenceEmpty(NodeContext &n) {
  int64_t dtype = n.attrInt("dtype", onnx::TensorProto::FLOAT);
  Type element = convertElementType(n.context(), static_cast<int32_t>(dtype));
  if (!element)
    return n.unsupported(llvm::formatv("dtype {0}", dtype));
  nn::SequenceType type = declaredRankedSequence(n, 0, element);
  if (!type)
    type = nn::SequenceType::get(n.context(), UnrankedTensorType::get(element));
  return n.setOutput(build<nn::SeqEmptyOp>(n, type));
}

static LogicalResult convertSequenceInsert(NodeContext &n) {
  Value sequence = sequenceInput(n, 0);
  Value element = n.input(1);
  Value position = positionInput(n, 2);
  if (n.failed())
    return failure();
  auto seqType = cast<nn::SequenceType>(sequence.getType());
  auto elementType = cast<RankedTensorType>(element.getType());
  if (elementType.getElementType() != seqType.getElementType().getElementType())
    return n.error(llvm::formatv("inserts a {0} into a sequence of {1}",
                                 elementType, seqType.getElementType()));
  if (seqType.getElementType().hasRank() &&
      cast<RankedTensorType>(seqType.getElementType()).getRank() !=
          elementType.getRank())
    return n.unsupported(llvm::formatv(
        "inserting a tensor of rank {0} into a sequence of rank-{1} tensors "
        "(ddl's sequences hold tensors of one rank)",
        elementType.getRank(),
        cast<RankedTensorType>(seqType.getElementType()).getRank()));
  return n.setOutput(build<nn::SeqInsertOp>(
      n, withElement(seqType, elementType), sequence, element, position));
}

static LogicalResult convertSequenceErase(NodeContext &n) {
  Value sequence = sequenceInput(n, 0);
  Value position = positionInput(n, 1);
  if (n.failed())
    return failure();
  return n.setOutput(
      build<nn::SeqEraseOp>(n, sequence.getType(), sequence, position));
}

/// The type of an element taken out of `sequence` by output `i` of the node:
/// the sequence's element type, or what ONNX declares when that has no rank.
static RankedTensorType elementTypeOf(NodeContext &n, nn::SequenceType sequence,
                                      size_t i) {
  if (auto ranked = dyn_cast<RankedTensorType>(sequence.getElementType()))
    return ranked;
  auto declared = dyn_cast_or_null<RankedTensorType>(
      n.graphImporter().declaredType(n.node().output(i)));
  if (declared &&
      declared.getElementType() == sequence.getElementType().getElementType())
    return declared;
  (void)n.unsupported("an element of a sequence whose elements' rank is "
                      "unknown (neither the sequence nor ONNX's inferred "
                      "type of the output says it)");
  return {};
}

static LogicalResult convertSequenceAt(NodeContext &n) {
  Value sequence = sequenceInput(n, 0);
  Value position = positionInput(n, 1);
  if (n.failed())
    return failure();
  if (!position)
    return n.error("required input #1 (position) is missing");
  RankedTensorType type =
      elementTypeOf(n, cast<nn::SequenceType>(sequence.getType()), 0);
  if (!type)
    return failure();
  return n.setOutput(build<nn::SeqAtOp>(n, type, sequence, position));
}

static LogicalResult convertSequenceLength(NodeContext &n) {
  Value sequence = sequenceInput(n, 0);
  if (n.failed())
    return failure();
  auto type = RankedTensorType::get({}, n.builder().getI64Type());
  return n.setOutput(build<nn::SeqLengthOp>(n, type, sequence));
}

/// SequenceMap: an nn.loop over the first sequence's elements. Each
/// iteration takes element i of every sequence input (tensor inputs as
/// they are), runs the body, and inserts the body's outputs into the
/// carried output sequences.
static LogicalResult convertSequenceMap(NodeContext &n) {
  onnx::GraphProto *body = n.attrGraph("body");
  if (!body)
    return n.failed() ? failure() : n.error("needs a body graph");
  SmallVector<Value> inputs;
  for (size_t i = 0; i < n.numInputs(); ++i)
    inputs.push_back(n.anyInput(i));
  Value first = inputs.empty() ? Value() : sequenceInput(n, 0);
  if (n.failed())
    return failure();
  if (!first)
    return n.error("needs an input sequence");
  if (body->input_size() != static_cast<int>(inputs.size()))
    return n.error(llvm::formatv("the body takes {0} inputs but the node has "
                                 "{1}",
                                 body->input_size(), inputs.size()));
  if (body->output_size() != static_cast<int>(n.numOutputs()))
    return n.error(llvm::formatv("the body has {0} outputs but the node {1}",
                                 body->output_size(), n.numOutputs()));

  OpBuilder &b = n.builder();
  GraphImporter &importer = n.graphImporter();
  // The output sequences start empty; their element types are the body's
  // declared output element types (any rank: the loop carries them).
  SmallVector<Value> inits;
  SmallVector<Type> carriedTypes;
  for (const onnx::ValueInfoProto &output : body->output()) {
    if (!output.type().has_tensor_type())
      return n.unsupported("a body output that is not a tensor");
    Type dtype = convertElementType(n.context(),
                                    output.type().tensor_type().elem_type());
    if (!dtype)
      return n.unsupported(
          llvm::formatv("body output '{0}' of element type {1}", output.name(),
                        output.type().tensor_type().elem_type()));
    auto type =
        nn::SequenceType::get(n.context(), UnrankedTensorType::get(dtype));
    inits.push_back(build<nn::SeqEmptyOp>(n, type));
    carriedTypes.push_back(type);
  }
  Value length = build<nn::SeqLengthOp>(
      n, RankedTensorType::get({}, b.getI64Type()), first);
  if (n.failed())
    return failure();

  SmallVector<Type> argTypes = {RankedTensorType::get({}, b.getI64Type()),
                                RankedTensorType::get({}, b.getI1Type())};
  llvm::append_range(argTypes, carriedTypes);
  Region bodyRegion;
  OpBuilder::InsertPoint outside = b.saveInsertionPoint();
  auto prologue = [&](OpBuilder &,
                      Block &block) -> FailureOr<SmallVector<Value>> {
    b.setInsertionPointToStart(&block);
    SmallVector<Value> values;
    for (auto [i, input] : llvm::enumerate(inputs)) {
      auto sequence = dyn_cast<nn::SequenceType>(input.getType());
      if (!sequence) {
        values.push_back(input);
        continue;
      }
      RankedTensorType type =
          dyn_cast<RankedTensorType>(sequence.getElementType());
      if (!type && body->input(i).type().has_tensor_type() &&
          body->input(i).type().tensor_type().has_shape())
        type = importer.convertType(body->input(i).type(), "a body input",
                                    n.loc());
      if (!type)
        return (void)n.unsupported(llvm::formatv(
                   "input #{0}: the rank of the sequence's elements is "
                   "unknown",
                   i)),
               failure();
      Value element = build<nn::SeqAtOp>(n, type, input, block.getArgument(0));
      if (!element)
        return failure();
      values.push_back(element);
    }
    return values;
  };
  auto epilogue = [&](OpBuilder &,
                      SmallVectorImpl<Value> &results) -> LogicalResult {
    b.setInsertionPointToEnd(&bodyRegion.front());
    Block &block = bodyRegion.front();
    SmallVector<Value> yielded;
    auto trueType = RankedTensorType::get({}, b.getI1Type());
    yielded.push_back(nn::ConstantOp::create(
        b, n.loc(), DenseElementsAttr::get(trueType, true)));
    for (auto [k, result] : llvm::enumerate(results)) {
      Value carried = block.getArgument(2 + k);
      auto element = dyn_cast<RankedTensorType>(result.getType());
      auto seqType = cast<nn::SequenceType>(carried.getType());
      if (!element ||
          element.getElementType() != seqType.getElementType().getElementType())
        return n.error(llvm::formatv("body output #{0} is {1}, not a tensor "
                                     "of its declared element type",
                                     k, result.getType()));
      yielded.push_back(build<nn::SeqInsertOp>(n, withElement(seqType, element),
                                               carried, result, Value()));
    }
    results.assign(yielded.begin(), yielded.end());
    return success(!n.failed());
  };
  LogicalResult imported = importer.importSubgraph(*body, bodyRegion, argTypes,
                                                   n, prologue, epilogue);
  b.restoreInsertionPoint(outside);
  if (failed(imported))
    return failure();
  Operation *loop =
      createLoop(n, length, Value(), inits, carriedTypes, bodyRegion);
  if (!loop)
    return failure();
  return n.setOutputs(loop->getResults());
}

/// Builds an nn.loop of `tripCount` iterations carrying `init` whose body
/// `step` makes from (iteration, carried value) the next carried value; the
/// loop's result. The body is built at the node's builder, moved into the
/// body block while `step` runs.
static Value buildCountedLoop(NodeContext &n, Value tripCount, Value init,
                              Type carriedType,
                              function_ref<Value(Value, Value)> step) {
  if (n.failed())
    return n.fail();
  OpBuilder &b = n.builder();
  Region bodyRegion;
  Block *block = new Block();
  bodyRegion.push_back(block);
  Value iteration =
      block->addArgument(RankedTensorType::get({}, b.getI64Type()), n.loc());
  Value condition =
      block->addArgument(RankedTensorType::get({}, b.getI1Type()), n.loc());
  Value carried = block->addArgument(carriedType, n.loc());
  OpBuilder::InsertPoint outside = b.saveInsertionPoint();
  b.setInsertionPointToStart(block);
  Value next = step(iteration, carried);
  if (next)
    nn::YieldOp::create(b, n.loc(), ValueRange{condition, next});
  b.restoreInsertionPoint(outside);
  if (!next || n.failed())
    return n.fail();
  Operation *loop = createLoop(n, tripCount, Value(), ValueRange{init},
                               TypeRange{carriedType}, bodyRegion);
  return loop ? loop->getResult(0) : Value();
}

/// The 0-d i64 size of dimension `axis` of `v`.
static Value dimSize(NodeContext &n, Value v, int64_t axis) {
  return n.create<nn::ReshapeOp>(
      {n.create<nn::ShapeOfOp>(
           {v}, {n.namedI64("start", axis), n.namedI64("end", axis + 1)}),
       n.constI64({})});
}

/// SplitToSequence: a loop that slices one chunk of `input` along `axis`
/// per iteration and appends it. Without `split` the chunks have size 1
/// (squeezed unless keepdims); a scalar `split` gives chunks of that size
/// (the last one smaller), a 1-D one the chunks' sizes.
static LogicalResult convertSplitToSequence(NodeContext &n) {
  Value input = n.input(0);
  Value split = n.optionalInput(1);
  RankedTensorType type = n.inputType(0);
  if (n.failed())
    return failure();
  int64_t rank = type.getRank();
  int64_t axis = n.attrInt("axis", 0);
  if (axis < -rank || axis >= rank)
    return n.error(
        llvm::formatv("axis {0} is out of range for rank {1}", axis, rank));
  axis = axis < 0 ? axis + rank : axis;
  bool keepdims = n.attrInt("keepdims", 1) != 0;
  auto splitType = split ? cast<RankedTensorType>(split.getType()) : nullptr;
  if (splitType && (splitType.getRank() > 1 ||
                    !isa<IntegerType>(splitType.getElementType())))
    return n.error("split must be an integer scalar or 1-D tensor");
  if (split)
    split = n.castTo(split, n.builder().getI64Type());
  bool squeeze = !split && !keepdims;

  SmallVector<int64_t> elementShape(type.getShape());
  elementShape[axis] = squeeze ? 1 : ShapedType::kDynamic;
  if (squeeze)
    elementShape.erase(elementShape.begin() + axis);
  auto elementType = RankedTensorType::get(elementShape, type.getElementType());
  auto seqType = nn::SequenceType::get(n.context(), elementType);

  // The number of chunks, and (1-D split) where each starts.
  Value extent = dimSize(n, input, axis);
  Value one = n.constI64({1}, true);
  Value count, starts;
  if (!split) {
    count = extent;
  } else if (splitType.getRank() == 0) {
    // ceil(extent / s); a size below 1 is an error of the model.
    std::optional<SmallVector<int64_t>> s = n.constantInts(1);
    if (s && (*s)[0] < 1)
      return n.error("split must be positive");
    count = n.create<nn::DivOp>(
        {n.create<nn::SubOp>({n.create<nn::AddOp>({extent, split}), one}),
         split});
  } else {
    count = dimSize(n, split, 0);
    starts = n.create<nn::CumSumOp>({split, n.constI64({0}, true)},
                                    {n.namedBool("exclusive", true)});
  }
  Value init = build<nn::SeqEmptyOp>(n, seqType);
  Value result = buildCountedLoop(
      n, count, init, seqType, [&](Value i, Value carried) -> Value {
        Value start, end;
        if (!split) {
          start = i;
          end = n.create<nn::AddOp>({i, one});
        } else if (splitType.getRank() == 0) {
          start = n.create<nn::MulOp>({i, split});
          end = n.create<nn::MinOp>(
              {n.create<nn::AddOp>({start, split}), extent});
        } else {
          start = n.create<nn::GatherOp>({starts, i});
          end =
              n.create<nn::AddOp>({start, n.create<nn::GatherOp>({split, i})});
        }
        Value vec = n.constI64({1});
        Value chunk = n.create<nn::SliceOp>(
            {input, n.create<nn::ReshapeOp>({start, vec}),
             n.create<nn::ReshapeOp>({end, vec}), n.constI64({axis})},
            {n.segments({1, 1, 1, 1, 0})});
        if (squeeze)
          chunk = n.create<nn::SqueezeOp>({chunk},
                                          {n.namedI64Array("axes", {axis})});
        if (!chunk)
          return Value();
        return build<nn::SeqInsertOp>(n, seqType, carried, chunk, Value());
      });
  return n.setOutput(result);
}

/// ConcatFromSequence: element 0 (unsqueezed at `axis` with new_axis), then
/// a loop concatenating each further element onto it. An empty sequence
/// fails the run (its element 0 is out of range).
static LogicalResult convertConcatFromSequence(NodeContext &n) {
  Value sequence = sequenceInput(n, 0);
  if (n.failed())
    return failure();
  RankedTensorType element =
      elementTypeOf(n, cast<nn::SequenceType>(sequence.getType()), 0);
  if (!element)
    return failure();
  bool newAxis = n.attrInt("new_axis", 0) != 0;
  int64_t rank = element.getRank() + (newAxis ? 1 : 0);
  std::optional<int64_t> axisAttr = n.attrInt("axis");
  if (!axisAttr)
    return n.error("needs the 'axis' attribute");
  int64_t axis = *axisAttr;
  if (axis < -rank || axis >= rank)
    return n.error(
        llvm::formatv("axis {0} is out of range for rank {1}", axis, rank));
  axis = axis < 0 ? axis + rank : axis;
  auto elementAt = [&](Value position) -> Value {
    Value e = build<nn::SeqAtOp>(n, element, sequence, position);
    if (newAxis && e)
      e = n.create<nn::UnsqueezeOp>({e}, {n.namedI64Array("axes", {axis})});
    return e;
  };
  Value first = elementAt(n.constI64({0}, true));
  if (!first)
    return failure();
  auto firstType = cast<RankedTensorType>(first.getType());
  SmallVector<int64_t> shape(firstType.getShape());
  shape[axis] = ShapedType::kDynamic;
  auto accType = RankedTensorType::get(shape, firstType.getElementType());
  Value length = build<nn::SeqLengthOp>(
      n, RankedTensorType::get({}, n.builder().getI64Type()), sequence);
  Value one = n.constI64({1}, true);
  Value rest = n.create<nn::MaxOp>(
      {n.create<nn::SubOp>({length, one}), n.constI64({0}, true)});
  Value result = buildCountedLoop(
      n, rest, first, accType, [&](Value i, Value acc) -> Value {
        Value next = elementAt(n.create<nn::AddOp>({i, one}));
        if (!next)
          return Value();
        // Elements that differ off the axis are an error of the input; the
        // run fails, and the element is cut to the accumulated sizes so
        // that the concatenation stays in bounds meanwhile.
        int64_t rank = accType.getRank();
        SmallVector<int64_t> offAxis;
        for (int64_t d = 0; d < rank; ++d)
          if (d != axis)
            offAxis.push_back(d);
        if (!offAxis.empty()) {
          Value accShape = n.create<nn::ShapeOfOp>({acc});
          Value dims = n.constI64(offAxis);
          Value same = n.create<nn::EqualOp>(
              {n.create<nn::GatherOp>({accShape, dims}),
               n.create<nn::GatherOp>(
                   {n.create<nn::ShapeOfOp>({next}), dims})});
          Value sameCount = n.create<nn::ReduceOp>(
              {n.castTo(same, n.builder().getI64Type())},
              {n.named("kind", nn::ReduceKindAttr::get(n.context(),
                                                       nn::ReduceKind::Sum)),
               n.namedBool("keepdims", false)});
          Value ok = n.create<nn::EqualOp>(
              {sameCount, n.constI64({int64_t(offAxis.size())}, true)});
          if (!ok)
            return Value();
          if (!n.verifyCreated(nn::CheckOp::create(
                  n.builder(), n.loc(), ok,
                  "the sequence's elements differ in a dimension other than "
                  "the axis")))
            return Value();
          SmallVector<int64_t> axisIndex = {axis};
          Value ends = n.create<nn::ScatterElementsOp>(
              {accShape, n.constI64(axisIndex),
               n.constI64({std::numeric_limits<int64_t>::max()})});
          next = n.create<nn::SliceOp>(
              {next, n.constI64(SmallVector<int64_t>(rank, 0)), ends},
              {n.segments({1, 1, 1, 0, 0})});
          if (!next)
            return Value();
        }
        Value joined =
            n.create<nn::ConcatOp>({acc, next}, {n.namedI64("axis", axis)});
        // The carried type stays what the loop declared.
        if (joined && joined.getType() != accType)
          joined = build<tensor::CastOp>(n, accType, joined);
        return joined;
      });
  return n.setOutput(result);
}

//===----------------------------------------------------------------------===//
// Optionals
//===----------------------------------------------------------------------===//

static LogicalResult convertOptional(NodeContext &n) {
  if (Value value = n.anyOptionalInput(0)) {
    if (isa<nn::OptionalType>(value.getType()))
      return n.error("wraps an optional in an optional");
    auto type = nn::OptionalType::get(n.context(), value.getType());
    return n.setOutput(build<nn::OptionalSomeOp>(n, type, value));
  }
  if (n.failed())
    return failure();
  const onnx::AttributeProto *attr = n.findAttrProto("type");
  if (!attr || attr->type() != onnx::AttributeProto::TYPE_PROTO)
    return n.error("an empty Optional needs its 'type' attribute");
  Type valueType =
      n.graphImporter().convertValueType(attr->tp(), "the 'type'", n.loc());
  if (!valueType)
    return n.fail(), failure();
  if (isa<nn::OptionalType>(valueType))
    return n.error("an optional of an optional");
  return n.setOutput(build<nn::OptionalNoneOp>(
      n, nn::OptionalType::get(n.context(), valueType)));
}

static LogicalResult convertOptionalHasElement(NodeContext &n) {
  Value value = n.anyOptionalInput(0);
  if (n.failed())
    return failure();
  auto type = RankedTensorType::get({}, n.builder().getI1Type());
  // Opset 18: an absent input is an empty optional; a tensor or sequence
  // is a present one.
  if (!value || !isa<nn::OptionalType>(value.getType()))
    return n.setOutput(n.constScalar(n.builder().getI1Type(), value ? 1 : 0));
  return n.setOutput(build<nn::OptionalHasOp>(n, type, value));
}

static LogicalResult convertOptionalGetElement(NodeContext &n) {
  Value value = n.anyInput(0);
  if (n.failed())
    return failure();
  auto optional = dyn_cast<nn::OptionalType>(value.getType());
  // Opset 18 passes a tensor or sequence through.
  if (!optional)
    return n.setOutput(value);
  return n.setOutput(
      build<nn::OptionalGetOp>(n, optional.getValueType(), value));
}

void registerSequenceConverters(ConverterRegistry &r) {
  r.add("SequenceConstruct", convertSequenceConstruct);
  r.add("SequenceEmpty", convertSequenceEmpty);
  r.add("SequenceInsert", convertSequenceInsert);
  r.add("SequenceErase", convertSequenceErase);
  r.add("SequenceAt", convertSequenceAt);
  r.add("SequenceLength", convertSequenceLength);
  r.add("SequenceMap", convertSequenceMap);
  r.add("SplitToSequence", convertSplitToSequence);
  r.add("ConcatFromSequence", convertConcatFromSequence);
  r.add("Optional", convertOptional);
  // Version 18 also takes a tensor or sequence, or no input at all.
  r.add("OptionalHasElement", convertOptionalHasElement, 18);
  r.add("OptionalGetElement", convertOptionalGetElement, 18);
}

} // namespace ddl::onnx_import
