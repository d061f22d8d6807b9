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
// is a gather and a reshape, inserting and erasing are concatenations of
// slices. Positions are checked at run time (nn.check: a failed run naming
// the node).
//
// The rewrite is done by hand rather than with the dialect conversion
// framework: nn.loop and nn.if change their number of operands, results and
// block arguments, and every use of a sequence is one of the ops below, so
// one walk over each function suffices.
//
//===----------------------------------------------------------------------===//

#include "dialects/nn/NNDialect.h"
#include "passes/graph/Passes.h"
#include "passes/graph/StringCasts.h"

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

bool isStringTensor(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  return tensor && isa<nn::StringType>(tensor.getElementType());
}

bool needsExpansion(Type type) {
  return nn::isSequenceOrOptional(type) || isStringTensor(type);
}

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
  if (isStringTensor(type)) {
    auto tensor = cast<RankedTensorType>(type);
    types.push_back(
        RankedTensorType::get(tensor.getShape(), i64, tensor.getEncoding()));
    types.push_back(RankedTensorType::get({ShapedType::kDynamic},
                                          IntegerType::get(context, 8)));
    if (roles)
      roles->append({"string_lengths", "string_bytes"});
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
  /// Stands `result` for `op`'s one result (its parts, or the tensor that
  /// replaces it) and marks `op` dead.
  void replaceResult(Operation *op, const Parts &result);
  LogicalResult expandStringOp(Operation *op);
  Parts normalizeStrings(nn::StringNormalizeOp op, Parts in);
  Value changeCase(Value bytes, int64_t caseChange);
  Value constI8(ArrayRef<int8_t> values);

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
  nn::CheckOp::create(b, loc, ok, b.getStringAttr(what));
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
    return op->emitOpError() << "takes or returns a sequence, an optional or "
                                "strings, which ddl cannot lower";
  }
  replaceResult(op, result);
  return success();
}

void Expander::replaceResult(Operation *op, const Parts &result) {
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
}

Value Expander::constI8(ArrayRef<int8_t> values) {
  auto type = RankedTensorType::get({int64_t(values.size())}, b.getI8Type());
  return nn::ConstantOp::create(
      b, loc, DenseElementsAttr::get(type, ArrayRef<int8_t>(values)));
}

/// ASCII letters of `bytes` lower-cased (1) or upper-cased (2).
Value Expander::changeCase(Value bytes, int64_t caseChange) {
  if (caseChange == 0)
    return bytes;
  auto scalar8 = [&](int8_t v) -> Value {
    auto type = RankedTensorType::get({}, b.getI8Type());
    return nn::ConstantOp::create(
        b, loc, DenseElementsAttr::get(type, ArrayRef<int8_t>{v}));
  };
  bool lower = caseChange == 1;
  Value from = scalar8(lower ? 'A' : 'a'), to = scalar8(lower ? 'Z' : 'z');
  Value inRange =
      nn::AndOp::create(b, loc, nn::GreaterEqualOp::create(b, loc, bytes, from),
                        nn::LessEqualOp::create(b, loc, bytes, to));
  Value shifted = lower ? (Value)nn::AddOp::create(b, loc, bytes, scalar8(32))
                        : (Value)nn::SubOp::create(b, loc, bytes, scalar8(32));
  return nn::WhereOp::create(b, loc, inRange, shifted, bytes);
}

/// StringNormalizer on (lengths, bytes): each stop word is compared with
/// every string through a [count, word length] gather of their bytes; the
/// kept strings' lengths and bytes are gathered by nn.non_zero of the
/// kept flags (a byte's string found by comparing it with the strings'
/// ends: O(bytes x strings)).
Parts Expander::normalizeStrings(nn::StringNormalizeOp op, Parts in) {
  auto i64 = b.getI64Type();
  auto inType = cast<RankedTensorType>(op.getInput().getType());
  Value lengths = nn::ReshapeOp::create(b, loc, in[0], constI64({-1}), false);
  Value bytes = in[1];
  Value total = nn::SizeOp::create(b, loc, bytes);
  Value ends =
      nn::CumSumOp::create(b, loc, lengths, constI64({0}, true), false, false);
  Value starts = nn::SubOp::create(b, loc, ends, lengths);
  // One byte more, so that every clamped index is in range.
  Value padded =
      nn::ConcatOp::create(b, loc, ValueRange{bytes, constI8({0})}, 0);
  int64_t caseChange = op.getCaseChange();
  bool sensitive = op.getCaseSensitive();
  Value compared = sensitive ? padded : changeCase(padded, 1);
  auto boolType = RankedTensorType::get({}, b.getI1Type());
  Value keep =
      nn::ConstantOp::create(b, loc, DenseElementsAttr::get(boolType, true));
  for (Attribute attr : op.getStopwords()) {
    std::string word = cast<StringAttr>(attr).getValue().str();
    if (!sensitive)
      for (char &c : word)
        c = (c >= 'A' && c <= 'Z') ? char(c + 32) : c;
    int64_t n = word.size();
    Value sameLength =
        nn::EqualOp::create(b, loc, lengths, constI64({n}, true));
    Value match = sameLength;
    if (n > 0) {
      Value column =
          nn::ReshapeOp::create(b, loc, starts, constI64({-1, 1}), false);
      Value index = nn::AddOp::create(
          b, loc, column, constI64(llvm::to_vector(llvm::seq<int64_t>(0, n))));
      index = nn::MinOp::create(b, loc, index, total);
      Value got = nn::GatherOp::create(b, loc, compared, index, 0);
      SmallVector<int8_t> want(word.begin(), word.end());
      Value equal = nn::EqualOp::create(b, loc, got, constI8(want));
      Value asInt = nn::CastOp::create(
          b, loc,
          RankedTensorType::get(
              cast<RankedTensorType>(equal.getType()).getShape(), i64),
          equal);
      Value all = nn::ReduceOp::create(
          b, loc, asInt,
          nn::ReduceKindAttr::get(b.getContext(), nn::ReduceKind::Min),
          b.getDenseI64ArrayAttr({1}), b.getBoolAttr(false),
          b.getBoolAttr(false));
      match = nn::AndOp::create(
          b, loc, sameLength,
          nn::EqualOp::create(b, loc, all, constI64({1}, true)));
    }
    keep = nn::AndOp::create(b, loc, keep, nn::NotOp::create(b, loc, match));
  }
  // The kept strings.
  Value count = nn::SizeOp::create(b, loc, lengths);
  Value keepAll = nn::ExpandOp::create(b, loc, keep, vector(count));
  Value kept = nn::ReshapeOp::create(
      b, loc, nn::NonZeroOp::create(b, loc, keepAll), constI64({-1}), false);
  Value newLengths = nn::GatherOp::create(b, loc, lengths, kept, 0);
  // Their bytes: byte j belongs to the string whose end is the first > j.
  Value positions = nn::RangeOp::create(b, loc, constI64({0}, true), total,
                                        constI64({1}, true));
  Value column =
      nn::ReshapeOp::create(b, loc, positions, constI64({-1, 1}), false);
  Value before = nn::LessEqualOp::create(b, loc, ends, column);
  Value owner = nn::ReduceOp::create(
      b, loc,
      nn::CastOp::create(
          b, loc,
          RankedTensorType::get(
              cast<RankedTensorType>(before.getType()).getShape(), i64),
          before),
      nn::ReduceKindAttr::get(b.getContext(), nn::ReduceKind::Sum),
      b.getDenseI64ArrayAttr({1}), b.getBoolAttr(false), b.getBoolAttr(false));
  Value keepByte = nn::GatherOp::create(b, loc, keepAll, owner, 0);
  Value keptBytes = nn::ReshapeOp::create(
      b, loc, nn::NonZeroOp::create(b, loc, keepByte), constI64({-1}), false);
  Value newBytes =
      changeCase(nn::GatherOp::create(b, loc, bytes, keptBytes, 0), caseChange);
  // Nothing kept: one empty string.
  Value atLeastOne =
      nn::ConcatOp::create(b, loc, ValueRange{newLengths, constI64({0})}, 0);
  Value kCount = nn::SizeOp::create(b, loc, newLengths);
  Value outCount = nn::MaxOp::create(b, loc, kCount, constI64({1}, true));
  newLengths = rows(atLeastOne, constI64({0}, true), outCount);
  if (inType.getRank() == 2)
    newLengths =
        nn::ReshapeOp::create(b, loc, newLengths, constI64({1, -1}), false);
  return {newLengths, newBytes};
}

LogicalResult Expander::expandStringOp(Operation *op) {
  b.setInsertionPoint(op);
  loc = op->getLoc();
  Parts result;
  if (auto identity = dyn_cast<nn::IdentityOp>(op)) {
    result = partsOf(identity.getInput());
  } else if (auto constant = dyn_cast<nn::ConstantOp>(op)) {
    auto strings = dyn_cast<DenseStringElementsAttr>(constant.getValue());
    if (!strings)
      return op->emitOpError() << "holds strings in a form ddl cannot lower";
    auto type = cast<RankedTensorType>(constant.getType());
    SmallVector<int64_t> lengths;
    SmallVector<int8_t> bytes;
    for (StringRef s : strings.getRawStringData()) {
      lengths.push_back(s.size());
      bytes.append(s.begin(), s.end());
    }
    auto lengthsType = RankedTensorType::get(type.getShape(), b.getI64Type());
    auto bytesType =
        RankedTensorType::get({int64_t(bytes.size())}, b.getI8Type());
    if (strings.isSplat())
      lengths.assign(type.getNumElements(), lengths.front());
    result = {
        nn::ConstantOp::create(
            b, loc,
            DenseElementsAttr::get(lengthsType, ArrayRef<int64_t>(lengths))),
        nn::ConstantOp::create(
            b, loc,
            DenseElementsAttr::get(bytesType, ArrayRef<int8_t>(bytes)))};
    if (strings.isSplat()) {
      // A splat stores its string once: repeat it for every element.
      Value one = result[1];
      SmallVector<Value> copies(type.getNumElements(), one);
      result[1] =
          copies.empty() ? one : (Value)nn::ConcatOp::create(b, loc, copies, 0);
    }
  } else if (auto normalize = dyn_cast<nn::StringNormalizeOp>(op)) {
    result = normalizeStrings(normalize, partsOf(normalize.getInput()));
  } else if (auto castOp = dyn_cast<nn::CastOp>(op)) {
    Value input = castOp.getInput();
    if (isStringTensor(input.getType())) {
      // Strings to numbers: every string must parse.
      Parts in = partsOf(input);
      Value flatLengths =
          nn::ReshapeOp::create(b, loc, in[0], constI64({-1}), false);
      Value offsets = nn::CumSumOp::create(b, loc, flatLengths,
                                           constI64({0}, true), true, false);
      offsets = nn::ReshapeOp::create(
          b, loc, offsets,
          nn::ShapeOfOp::create(b, loc, in[0], 0, IntegerAttr()), false);
      auto [values, ok] =
          graph::parseNumbers(b, loc, in[0], offsets, in[1],
                              castOp.getOutput().getType().getElementType());
      auto okType = cast<RankedTensorType>(ok.getType());
      Value failures = nn::ReduceOp::create(
          b, loc,
          nn::CastOp::create(
              b, loc, RankedTensorType::get(okType.getShape(), b.getI64Type()),
              nn::NotOp::create(b, loc, ok)),
          nn::ReduceKindAttr::get(b.getContext(), nn::ReduceKind::Sum),
          DenseI64ArrayAttr(), b.getBoolAttr(false), b.getBoolAttr(false));
      check(nn::EqualOp::create(b, loc, failures, constI64({0}, true)),
            "a string is not a number (Cast parses decimal and scientific "
            "notation, nan and inf)");
      result = {values};
    } else {
      // Numbers to strings: each element's characters, then the bytes of
      // all, in order.
      auto [chars, lengths] = graph::formatNumbers(b, loc, input);
      Value column = nn::UnsqueezeOp::create(
          b, loc, lengths,
          b.getDenseI64ArrayAttr(
              {cast<RankedTensorType>(lengths.getType()).getRank()}));
      Value positions = constI64(
          llvm::to_vector(llvm::seq<int64_t>(0, graph::kMaxNumberChars)));
      Value used = nn::LessOp::create(b, loc, positions, column);
      Value flatUsed =
          nn::ReshapeOp::create(b, loc, used, constI64({-1}), false);
      Value kept =
          nn::ReshapeOp::create(b, loc, nn::NonZeroOp::create(b, loc, flatUsed),
                                constI64({-1}), false);
      Value flatChars =
          nn::ReshapeOp::create(b, loc, chars, constI64({-1}), false);
      result = {lengths, nn::GatherOp::create(b, loc, flatChars, kept, 0)};
    }
  } else {
    return op->emitOpError() << "on strings is not supported";
  }
  replaceResult(op, result);
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
  if (isa<nn::StringNormalizeOp, nn::IdentityOp, nn::ConstantOp, nn::CastOp>(
          op) &&
      (anyNeedsExpansion(op->getOperandTypes()) ||
       anyNeedsExpansion(op->getResultTypes())))
    return expandStringOp(op);
  if (anyNeedsExpansion(op->getOperandTypes()) ||
      anyNeedsExpansion(op->getResultTypes()))
    return op->emitOpError() << "takes or returns a sequence, an optional or "
                                "strings, which ddl cannot lower";
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
