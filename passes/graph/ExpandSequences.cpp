//===- ExpandSequences.cpp - sequences and optionals as plain tensors -----===//
//
// See NNExpandSequencesPass in Passes.td. Each value of a sequence or
// optional type becomes its parts (its "expansion"):
//
//   !nn.seq<tensor<d... x T>>  ->  shapes tensor<? x R x i64>, one row of
//                                  sizes per element (R = ? when the rank
//                                  is unknown), and data tensor<? x T>, the
//                                  elements row-major, one after another
//   !nn.optional<V>            ->  present tensor<i1>, then V's parts
//
// and each sequence op becomes nn ops on the parts: an element's data
// starts at the exclusive prefix sum of the elements' sizes, so reading one
// is a slice and a reshape, inserting and erasing are concatenations of
// slices. Positions are checked at run time (cf.assert, which
// ddl-checks-to-status turns into a failed run naming the node).
//
// The rewrite is done by hand rather than with the dialect conversion
// framework: nn.loop and nn.if change their number of operands, results and
// block arguments, and every use of a sequence is one of the ops below, so
// one walk over each function suffices.
//
//===----------------------------------------------------------------------===//

#include "ddl/Diagnostics.h"
#include "dialects/nn/NNDialect.h"
#include "passes/graph/Passes.h"

#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <limits>

namespace ddl::graph {
#define GEN_PASS_DEF_NNEXPANDSEQUENCESPASS
#include "passes/graph/Passes.h.inc"
} // namespace ddl::graph

using namespace mlir;
using namespace ddl;

namespace {

/// The tensors one nn value stands for after expansion.
using Parts = SmallVector<Value, 3>;

/// The role of each part of an expanded function argument or result, the
/// `nn.io` attribute the model entry reads (runtime/include/ddl_model_abi.h).
constexpr llvm::StringLiteral kIoAttr = "nn.io";

bool needsExpansion(Type type) { return nn::isSequenceOrOptional(type); }

bool anyNeedsExpansion(TypeRange types) {
  return llvm::any_of(types, needsExpansion);
}

/// The types `type` expands to, with the role of each.
void expandType(Type type, SmallVectorImpl<Type> &types,
                SmallVectorImpl<StringRef> *roles = nullptr) {
  MLIRContext *context = type.getContext();
  auto i64 = IntegerType::get(context, 64);
  if (auto sequence = dyn_cast<nn::SequenceType>(type)) {
    TensorType element = sequence.getElementType();
    int64_t rank = element.hasRank() ? element.getRank() : ShapedType::kDynamic;
    types.push_back(RankedTensorType::get({ShapedType::kDynamic, rank}, i64));
    types.push_back(RankedTensorType::get({ShapedType::kDynamic},
                                          element.getElementType()));
    if (roles)
      roles->append({"sequence_shapes", "sequence_data"});
    return;
  }
  if (auto optional = dyn_cast<nn::OptionalType>(type)) {
    types.push_back(RankedTensorType::get({}, IntegerType::get(context, 1)));
    if (roles)
      roles->push_back("optional_flag");
    expandType(optional.getValueType(), types, roles);
    return;
  }
  types.push_back(type);
  if (roles)
    roles->push_back("");
}

class Expander {
public:
  explicit Expander(MLIRContext *context) : b(context) {}

  LogicalResult expandFunction(func::FuncOp func);

private:
  LogicalResult expandBlock(Block &block);
  LogicalResult expandOp(Operation *op);
  LogicalResult expandLoop(nn::LoopOp loop);
  LogicalResult expandIf(nn::IfOp op);
  /// Replaces every argument of `block` by its parts: the parts are
  /// appended, and the old arguments erased once the walk is done.
  void expandArguments(Block &block);

  Parts partsOf(Value v) {
    auto it = parts.find(v);
    return it != parts.end() ? it->second : Parts{v};
  }
  SmallVector<Value> flatten(ValueRange values) {
    SmallVector<Value> flat;
    for (Value v : values)
      llvm::append_range(flat, partsOf(v));
    return flat;
  }
  /// Maps `oldValues` (of the old op) to `newValues` (flattened parts).
  void mapResults(ValueRange oldValues, ValueRange newValues);

  // nn ops on the parts, at the builder's insertion point and location.
  Value constI64(ArrayRef<int64_t> values, bool scalar = false);
  Value scalar(Value v);
  Value vector(Value v);
  Value count(Value shapes);
  Value sizes(Value shapes);
  Value offsets(Value sizes);
  Value rows(Value x, Value start, Value end);
  Value tail(Value x, Value start);
  Value withRank(Value shapes, int64_t rank);
  Value shapeRow(Value tensor);
  Value flat(Value tensor);
  Value position(Value p);
  Value check(Value ok, const Twine &what);
  Parts emptySequence(nn::SequenceType type);
  Parts emptyValue(Type type);

  LogicalResult expandSeqOp(Operation *op);

  OpBuilder b;
  Location loc = UnknownLoc::get(b.getContext());
  DenseMap<Value, Parts> parts;
  /// Ops replaced, erased (users first) once the walk is done.
  SmallVector<Operation *> dead;
  /// Blocks whose leading `count` arguments were replaced.
  SmallVector<std::pair<Block *, unsigned>> oldArguments;
};

void Expander::mapResults(ValueRange oldValues, ValueRange newValues) {
  size_t next = 0;
  for (Value old : oldValues) {
    SmallVector<Type> types;
    expandType(old.getType(), types);
    ValueRange slice = newValues.slice(next, types.size());
    next += types.size();
    if (needsExpansion(old.getType()))
      parts[old] = Parts(slice.begin(), slice.end());
    else
      old.replaceAllUsesWith(slice.front());
  }
}

void Expander::expandArguments(Block &block) {
  unsigned oldCount = block.getNumArguments();
  for (unsigned i = 0; i < oldCount; ++i) {
    BlockArgument arg = block.getArgument(i);
    SmallVector<Type> types;
    expandType(arg.getType(), types);
    Parts newArgs;
    for (Type t : types)
      newArgs.push_back(block.addArgument(t, arg.getLoc()));
    if (needsExpansion(arg.getType()))
      parts[arg] = newArgs;
    else
      arg.replaceAllUsesWith(newArgs.front());
  }
  oldArguments.push_back({&block, oldCount});
}

Value Expander::constI64(ArrayRef<int64_t> values, bool isScalar) {
  auto type = RankedTensorType::get(
      isScalar ? ArrayRef<int64_t>{}
               : ArrayRef<int64_t>{int64_t(values.size())},
      b.getI64Type());
  return nn::ConstantOp::create(b, loc,
                                DenseIntElementsAttr::get(type, values));
}

/// A one-element tensor as 0-d.
Value Expander::scalar(Value v) {
  if (cast<RankedTensorType>(v.getType()).getRank() == 0)
    return v;
  return nn::ReshapeOp::create(b, loc, v, constI64({}), true);
}

/// A 0-d tensor as [1].
Value Expander::vector(Value v) {
  return nn::ReshapeOp::create(b, loc, v, constI64({1}), true);
}

/// The number of elements of a sequence, 0-d.
Value Expander::count(Value shapes) {
  return scalar(
      nn::ShapeOfOp::create(b, loc, shapes, 0, b.getI64IntegerAttr(1)));
}

/// Each element's number of values.
Value Expander::sizes(Value shapes) {
  return nn::ReduceOp::create(
      b, loc, shapes,
      nn::ReduceKindAttr::get(b.getContext(), nn::ReduceKind::Prod),
      b.getDenseI64ArrayAttr({1}), b.getBoolAttr(false), b.getBoolAttr(false));
}

/// Where each element's data starts: the exclusive prefix sum of `sizes`.
Value Expander::offsets(Value elementSizes) {
  return nn::CumSumOp::create(b, loc, elementSizes, constI64({0}, true),
                              /*exclusive=*/true, /*reverse=*/false);
}

/// Rows [start, end) of `x` along dimension 0 (0-d bounds).
Value Expander::rows(Value x, Value start, Value end) {
  return nn::SliceOp::create(b, loc, x, vector(start), vector(end),
                             constI64({0}), Value());
}

/// Rows [start, end of x) of `x`.
Value Expander::tail(Value x, Value start) {
  return nn::SliceOp::create(b, loc, x, vector(start),
                             constI64({std::numeric_limits<int64_t>::max()}),
                             constI64({0}), Value());
}

/// `shapes` as [n, rank]: a sequence whose rank was unknown takes the rank
/// of what is inserted into it or read from it.
Value Expander::withRank(Value shapes, int64_t rank) {
  auto type = cast<RankedTensorType>(shapes.getType());
  if (type.getDimSize(1) == rank)
    return shapes;
  Value n = nn::ShapeOfOp::create(b, loc, shapes, 0, b.getI64IntegerAttr(1));
  // Only an empty sequence may change its rank: ddl's sequences hold
  // tensors of one rank.
  Value have =
      scalar(nn::ShapeOfOp::create(b, loc, shapes, 1, b.getI64IntegerAttr(2)));
  Value sameRank = nn::EqualOp::create(b, loc, have, constI64({rank}, true));
  Value empty = nn::EqualOp::create(b, loc, scalar(n), constI64({0}, true));
  Value ok = check(nn::OrOp::create(b, loc, sameRank, empty),
                   "the sequence's elements have another rank than " +
                       std::to_string(rank) +
                       " (ddl's sequences hold tensors of one rank)");
  // After a failed check the run goes on: reshape to no rows, in bounds.
  n = nn::WhereOp::create(b, loc, ok, n, constI64({0}));
  Value shape =
      nn::ConcatOp::create(b, loc, ValueRange{n, constI64({rank})}, 0);
  return nn::ReshapeOp::create(b, loc, shapes, shape, true);
}

/// The sizes of `tensor` as one row, [1, rank].
Value Expander::shapeRow(Value tensor) {
  int64_t rank = cast<RankedTensorType>(tensor.getType()).getRank();
  Value shape = nn::ShapeOfOp::create(b, loc, tensor, 0, IntegerAttr());
  return nn::ReshapeOp::create(b, loc, shape, constI64({1, rank}), true);
}

/// `tensor`'s values, row-major, 1-D.
Value Expander::flat(Value tensor) {
  Value size = nn::SizeOp::create(b, loc, tensor);
  return nn::ReshapeOp::create(b, loc, tensor, vector(size), true);
}

/// A position as a 0-d i64 tensor.
Value Expander::position(Value p) {
  Value s = scalar(p);
  auto type = cast<RankedTensorType>(s.getType());
  if (type.getElementType().isInteger(64))
    return s;
  return nn::CastOp::create(b, loc, RankedTensorType::get({}, b.getI64Type()),
                            s);
}

/// Fails the run, naming the node, unless the 0-d boolean `ok` holds.
Value Expander::check(Value ok, const Twine &what) {
  Value flag = tensor::ExtractOp::create(b, loc, ok, ValueRange{});
  std::string source = describeSource(loc);
  cf::AssertOp::create(b, loc, flag,
                       (source.empty() ? "" : source + ": ") + what.str());
  return ok;
}

Parts Expander::emptySequence(nn::SequenceType type) {
  TensorType element = type.getElementType();
  int64_t rank = element.hasRank() ? element.getRank() : 0;
  auto shapesType = RankedTensorType::get({0, rank}, b.getI64Type());
  auto dataType = RankedTensorType::get({0}, element.getElementType());
  Value shapes = nn::ConstantOp::create(
      b, loc, DenseElementsAttr::get(shapesType, ArrayRef<Attribute>{}));
  Value data = nn::ConstantOp::create(
      b, loc, DenseElementsAttr::get(dataType, ArrayRef<Attribute>{}));
  return {shapes, data};
}

/// The parts of an absent value of `type`: an empty sequence, or a tensor
/// of zeros with every dynamic size 0.
Parts Expander::emptyValue(Type type) {
  if (auto sequence = dyn_cast<nn::SequenceType>(type))
    return emptySequence(sequence);
  auto tensor = cast<RankedTensorType>(type);
  SmallVector<int64_t> shape;
  for (int64_t size : tensor.getShape())
    shape.push_back(ShapedType::isDynamic(size) ? 0 : size);
  auto zerosType = RankedTensorType::get(shape, tensor.getElementType());
  Attribute zero = b.getZeroAttr(tensor.getElementType());
  return {
      nn::ConstantOp::create(b, loc, DenseElementsAttr::get(zerosType, zero))};
}

LogicalResult Expander::expandSeqOp(Operation *op) {
  b.setInsertionPoint(op);
  loc = op->getLoc();
  auto boolScalar = [&](bool v) -> Value {
    auto type = RankedTensorType::get({}, b.getI1Type());
    return nn::ConstantOp::create(b, loc, DenseElementsAttr::get(type, v));
  };
  auto inRange = [&](Value q, Value limit, bool inclusive, StringRef what) {
    Value zero = constI64({0}, true);
    Value low = nn::GreaterEqualOp::create(b, loc, q, zero);
    Value high = inclusive ? (Value)nn::LessEqualOp::create(b, loc, q, limit)
                           : (Value)nn::LessOp::create(b, loc, q, limit);
    check(nn::AndOp::create(b, loc, low, high), what);
  };
  // A position counted from the back made absolute: p < 0 ? p + n : p.
  auto absolute = [&](Value p, Value n) -> Value {
    Value negative = nn::LessOp::create(b, loc, p, constI64({0}, true));
    Value fromBack = nn::AddOp::create(b, loc, p, n);
    return nn::WhereOp::create(b, loc, negative, fromBack, p);
  };

  Parts result;
  if (auto empty = dyn_cast<nn::SeqEmptyOp>(op)) {
    result = emptySequence(empty.getType());
  } else if (auto construct = dyn_cast<nn::SeqConstructOp>(op)) {
    SmallVector<Value> shapeRows, data;
    for (Value element : construct.getElements()) {
      shapeRows.push_back(shapeRow(element));
      data.push_back(flat(element));
    }
    result = {nn::ConcatOp::create(b, loc, shapeRows, 0),
              nn::ConcatOp::create(b, loc, data, 0)};
  } else if (auto length = dyn_cast<nn::SeqLengthOp>(op)) {
    result = {count(partsOf(length.getSequence())[0])};
  } else if (auto at = dyn_cast<nn::SeqAtOp>(op)) {
    Parts seq = partsOf(at.getSequence());
    auto type = at.getResult().getType();
    Value shapes = withRank(seq[0], type.getRank());
    Value n = count(shapes);
    Value q = absolute(position(at.getPosition()), n);
    inRange(q, n, false,
            "the position is out of range for the sequence (ONNX requires "
            "[-n, n - 1] for n elements)");
    Value elementSizes = sizes(shapes);
    Value start = nn::GatherOp::create(b, loc, offsets(elementSizes), q, 0);
    Value row = nn::GatherOp::create(b, loc, shapes, q, 0);
    // The result's static sizes are promises about every element: check
    // them. After a failed check the run goes on (its results are dropped),
    // so it must stay in bounds: the element is then read as zeros-sized
    // where dynamic, and gathered, which clamps.
    Value ok;
    SmallVector<int64_t> fallback;
    for (auto [d, size] : llvm::enumerate(type.getShape())) {
      fallback.push_back(ShapedType::isDynamic(size) ? 0 : size);
      if (ShapedType::isDynamic(size))
        continue;
      Value actual =
          nn::GatherOp::create(b, loc, row, constI64({int64_t(d)}, true), 0);
      Value same = nn::EqualOp::create(b, loc, actual, constI64({size}, true));
      ok = ok ? (Value)nn::AndOp::create(b, loc, ok, same) : same;
    }
    if (ok) {
      std::string sizes;
      for (auto [d, size] : llvm::enumerate(type.getShape()))
        sizes += (d ? "x" : "") + (ShapedType::isDynamic(size)
                                       ? std::string("?")
                                       : std::to_string(size));
      check(ok, "an element of the sequence has other sizes than " + sizes +
                    " (? any)");
      row = nn::WhereOp::create(b, loc, ok, row, constI64(fallback));
    }
    Value size = nn::ReduceOp::create(
        b, loc, row,
        nn::ReduceKindAttr::get(b.getContext(), nn::ReduceKind::Prod),
        DenseI64ArrayAttr(), b.getBoolAttr(false), b.getBoolAttr(false));
    Value indices = nn::RangeOp::create(b, loc, start,
                                        nn::AddOp::create(b, loc, start, size),
                                        constI64({1}, true));
    Value values = nn::GatherOp::create(b, loc, seq[1], indices, 0);
    result = {nn::ReshapeOp::create(b, loc, type, values, row, true)};
  } else if (auto insert = dyn_cast<nn::SeqInsertOp>(op)) {
    Parts seq = partsOf(insert.getSequence());
    Value element = insert.getElement();
    int64_t rank = cast<RankedTensorType>(element.getType()).getRank();
    Value shapes = withRank(seq[0], rank);
    Value row = shapeRow(element), values = flat(element);
    if (!insert.getPosition()) {
      result = {nn::ConcatOp::create(b, loc, ValueRange{shapes, row}, 0),
                nn::ConcatOp::create(b, loc, ValueRange{seq[1], values}, 0)};
    } else {
      Value n = count(shapes);
      Value q = absolute(position(insert.getPosition()), n);
      inRange(q, n, true,
              "the position is out of range for the sequence (ONNX requires "
              "[-n, n] for n elements)");
      // Where the element's data goes: the offsets with the total appended.
      Value elementSizes = sizes(shapes);
      Value ends = nn::CumSumOp::create(b, loc, elementSizes,
                                        constI64({0}, true), false, false);
      Value bounds =
          nn::ConcatOp::create(b, loc, ValueRange{constI64({0}), ends}, 0);
      Value start = nn::GatherOp::create(b, loc, bounds, q, 0);
      Value zero = constI64({0}, true);
      result = {nn::ConcatOp::create(
                    b, loc,
                    ValueRange{rows(shapes, zero, q), row, tail(shapes, q)}, 0),
                nn::ConcatOp::create(b, loc,
                                     ValueRange{rows(seq[1], zero, start),
                                                values, tail(seq[1], start)},
                                     0)};
    }
  } else if (auto erase = dyn_cast<nn::SeqEraseOp>(op)) {
    Parts seq = partsOf(erase.getSequence());
    Value shapes = seq[0];
    Value n = count(shapes);
    Value q = erase.getPosition()
                  ? absolute(position(erase.getPosition()), n)
                  : (Value)nn::SubOp::create(b, loc, n, constI64({1}, true));
    inRange(q, n, false,
            "the position is out of range for the sequence (ONNX requires "
            "[-n, n - 1] for n elements)");
    Value elementSizes = sizes(shapes);
    Value start = nn::GatherOp::create(b, loc, offsets(elementSizes), q, 0);
    Value end = nn::AddOp::create(
        b, loc, start, nn::GatherOp::create(b, loc, elementSizes, q, 0));
    Value next = nn::AddOp::create(b, loc, q, constI64({1}, true));
    Value zero = constI64({0}, true);
    result = {
        nn::ConcatOp::create(
            b, loc, ValueRange{rows(shapes, zero, q), tail(shapes, next)}, 0),
        nn::ConcatOp::create(
            b, loc, ValueRange{rows(seq[1], zero, start), tail(seq[1], end)},
            0)};
  } else if (auto some = dyn_cast<nn::OptionalSomeOp>(op)) {
    result = {boolScalar(true)};
    llvm::append_range(result, partsOf(some.getValue()));
  } else if (auto none = dyn_cast<nn::OptionalNoneOp>(op)) {
    result = {boolScalar(false)};
    llvm::append_range(result, emptyValue(none.getType().getValueType()));
  } else if (auto has = dyn_cast<nn::OptionalHasOp>(op)) {
    result = {partsOf(has.getOptional())[0]};
  } else if (auto get = dyn_cast<nn::OptionalGetOp>(op)) {
    Parts optional = partsOf(get.getOptional());
    check(optional[0], "the optional is empty (OptionalGetElement needs a "
                       "value)");
    result.assign(optional.begin() + 1, optional.end());
  } else {
    return op->emitOpError() << "takes or returns a sequence or optional, "
                                "which ddl cannot lower";
  }
  Value old = op->getResult(0);
  if (needsExpansion(old.getType())) {
    parts[old] = result;
  } else {
    Value replacement = result.front();
    // Keep the type the users saw (a refined reshape result, say).
    if (replacement.getType() != old.getType())
      replacement = tensor::CastOp::create(b, loc, old.getType(), replacement);
    old.replaceAllUsesWith(replacement);
  }
  dead.push_back(op);
  return success();
}

LogicalResult Expander::expandLoop(nn::LoopOp loop) {
  Block &body = loop.getBody().front();
  bool changes = anyNeedsExpansion(loop.getInits().getTypes()) ||
                 anyNeedsExpansion(loop.getResultTypes());
  if (changes)
    expandArguments(body);
  if (failed(expandBlock(body)))
    return failure();
  if (!changes)
    return success();
  b.setInsertionPoint(loop);
  SmallVector<Value> inits = flatten(loop.getInits());
  SmallVector<Type> resultTypes;
  for (Type t : loop.getResultTypes())
    expandType(t, resultTypes);
  SmallVector<Value> operands;
  if (loop.getTripCount())
    operands.push_back(loop.getTripCount());
  if (loop.getCondition())
    operands.push_back(loop.getCondition());
  llvm::append_range(operands, inits);
  OperationState state(loop.getLoc(), nn::LoopOp::getOperationName());
  state.addOperands(operands);
  state.addTypes(resultTypes);
  state.getOrAddProperties<nn::LoopOp::Properties>().operandSegmentSizes = {
      loop.getTripCount() ? 1 : 0, loop.getCondition() ? 1 : 0,
      static_cast<int32_t>(inits.size())};
  state.addRegion()->takeBody(loop.getBody());
  Operation *replacement = b.create(state);
  mapResults(loop.getResults(), replacement->getResults());
  dead.push_back(loop);
  return success();
}

LogicalResult Expander::expandIf(nn::IfOp op) {
  if (failed(expandBlock(op.getThenRegion().front())) ||
      failed(expandBlock(op.getElseRegion().front())))
    return failure();
  if (!anyNeedsExpansion(op.getResultTypes()))
    return success();
  b.setInsertionPoint(op);
  SmallVector<Type> resultTypes;
  for (Type t : op.getResultTypes())
    expandType(t, resultTypes);
  auto replacement =
      nn::IfOp::create(b, op.getLoc(), resultTypes, op.getCondition());
  replacement.getThenRegion().takeBody(op.getThenRegion());
  replacement.getElseRegion().takeBody(op.getElseRegion());
  mapResults(op.getResults(), replacement.getResults());
  dead.push_back(op);
  return success();
}

LogicalResult Expander::expandOp(Operation *op) {
  if (auto loop = dyn_cast<nn::LoopOp>(op))
    return expandLoop(loop);
  if (auto ifOp = dyn_cast<nn::IfOp>(op))
    return expandIf(ifOp);
  if (isa<nn::YieldOp, func::ReturnOp>(op)) {
    if (!anyNeedsExpansion(op->getOperandTypes()))
      return success();
    SmallVector<Value> flat = flatten(op->getOperands());
    op->setOperands(flat);
    return success();
  }
  if (isa<nn::SeqEmptyOp, nn::SeqConstructOp, nn::SeqInsertOp, nn::SeqEraseOp,
          nn::SeqAtOp, nn::SeqLengthOp, nn::OptionalSomeOp, nn::OptionalNoneOp,
          nn::OptionalHasOp, nn::OptionalGetOp>(op))
    return expandSeqOp(op);
  if (anyNeedsExpansion(op->getOperandTypes()) ||
      anyNeedsExpansion(op->getResultTypes()))
    return op->emitOpError() << "takes or returns a sequence or optional, "
                                "which ddl cannot lower";
  for (Region &region : op->getRegions())
    for (Block &block : region)
      if (failed(expandBlock(block)))
        return failure();
  return success();
}

LogicalResult Expander::expandBlock(Block &block) {
  for (Operation &op : llvm::make_early_inc_range(block))
    if (failed(expandOp(&op)))
      return failure();
  return success();
}

LogicalResult Expander::expandFunction(func::FuncOp func) {
  if (func.isExternal())
    return success();
  FunctionType type = func.getFunctionType();
  bool signature = anyNeedsExpansion(type.getInputs()) ||
                   anyNeedsExpansion(type.getResults());
  bool body = false;
  func.walk([&](Operation *op) {
    body |= anyNeedsExpansion(op->getResultTypes());
    return body ? WalkResult::interrupt() : WalkResult::advance();
  });
  if (!signature && !body)
    return success();

  Block &entry = func.getBody().front();
  // Argument attributes: each part keeps its value's (nn.name), plus the
  // part's role.
  SmallVector<Attribute> argAttrs, resultAttrs;
  auto addAttrs = [&](SmallVectorImpl<Attribute> &out, Type t,
                      DictionaryAttr attrs) {
    SmallVector<Type> types;
    SmallVector<StringRef> roles;
    expandType(t, types, &roles);
    for (StringRef role : roles) {
      NamedAttrList list(attrs);
      if (!role.empty())
        list.set(kIoAttr, b.getStringAttr(role));
      out.push_back(list.getDictionary(b.getContext()));
    }
  };
  for (unsigned i = 0; i < type.getNumInputs(); ++i)
    addAttrs(argAttrs, type.getInput(i), func.getArgAttrDict(i));
  for (unsigned i = 0; i < type.getNumResults(); ++i)
    addAttrs(resultAttrs, type.getResult(i), func.getResultAttrDict(i));

  expandArguments(entry);
  if (failed(expandBlock(entry)))
    return failure();
  for (Operation *op : llvm::reverse(dead))
    op->erase();
  dead.clear();
  for (auto [block, count] : oldArguments)
    block->eraseArguments(0, count);
  oldArguments.clear();

  auto ret = cast<func::ReturnOp>(entry.getTerminator());
  func.setType(FunctionType::get(func.getContext(), entry.getArgumentTypes(),
                                 ret.getOperandTypes()));
  func.setAllArgAttrs(argAttrs);
  func.setAllResultAttrs(resultAttrs);
  return success();
}

struct NNExpandSequencesPass final
    : ddl::graph::impl::NNExpandSequencesPassBase<NNExpandSequencesPass> {
  void runOnOperation() override {
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      Expander expander(&getContext());
      if (failed(expander.expandFunction(func)))
        return signalPassFailure();
    }
  }
};

} // namespace
