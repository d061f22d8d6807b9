//===- DataMovementOps.cpp - reshape, slice, gather, pad, ... -------------===//
//
// Shape functions of the data-movement and shape ops. Shape-like operands
// (reshape's shape, slice's bounds, pads, ...) are tensors: when they are
// constants the shapes come out static, otherwise dynamic at inference and
// computed from the operand's values at reification.
//
//===----------------------------------------------------------------------===//

#include "dialects/nn/NNDialect.h"

#include "mlir/IR/Matchers.h"
#include "llvm/Support/FormatVariadic.h"
#include <cmath>

using namespace mlir;

namespace ddl::nn {

/// Bound on nn.split's results, so malformed IR cannot exhaust memory.
constexpr int64_t kMaxSplitOutputs = 1 << 16;

/// The values of a constant float tensor.
static std::optional<SmallVector<double>> constantFloats(Value v) {
  DenseFPElementsAttr attr;
  if (!matchPattern(v, m_Constant(&attr)))
    return std::nullopt;
  SmallVector<double> values;
  for (const APFloat &x : attr.getValues<APFloat>())
    values.push_back(x.convertToDouble());
  return values;
}

static RankedTensorType typeOf(Value v) {
  return cast<RankedTensorType>(v.getType());
}

//===----------------------------------------------------------------------===//
// Reshape family
//===----------------------------------------------------------------------===//

/// In inference mode, `-1` is often recoverable symbolically: reshaping
/// [batch, seq, 12, 64] to [0, 0, -1] gives [batch, seq, 768]. Cancels the
/// named dynamic dims of the output (other than the -1 entry) against
/// those of the input and returns the -1 entry when what is left is static
/// or one symbol.
static std::optional<Dim> inferMinusOneSymbolically(ShapeBuilder &b,
                                                    ArrayRef<Dim> input,
                                                    ArrayRef<Dim> output,
                                                    size_t inferred) {
  int64_t inputStatic = 1, outputStatic = 1;
  SmallVector<Dim> inputSymbols;
  for (Dim d : input) {
    if (d.isStatic())
      inputStatic *= d.getSize();
    else if (d.getSymbol())
      inputSymbols.push_back(d);
    else
      return std::nullopt;
  }
  for (size_t i = 0; i < output.size(); ++i) {
    Dim d = output[i];
    if (i == inferred)
      continue;
    if (d.isStatic()) {
      outputStatic *= d.getSize();
      continue;
    }
    auto it = llvm::find_if(inputSymbols, [&](Dim s) {
      return d.getSymbol() && s.getSymbol() == d.getSymbol();
    });
    if (it == inputSymbols.end())
      return std::nullopt;
    inputSymbols.erase(it);
  }
  if (outputStatic == 0 || inputStatic % outputStatic != 0)
    return std::nullopt;
  int64_t quotient = inputStatic / outputStatic;
  if (inputSymbols.empty())
    return b.fixed(quotient);
  if (inputSymbols.size() == 1 && quotient == 1)
    return inputSymbols.front();
  return std::nullopt;
}

LogicalResult ReshapeOp::inferShapes(Adaptor adaptor, ShapeBuilder &b,
                                     SmallVectorImpl<ResultShape> &results) {
  Value input = adaptor.getInput();
  FailureOr<SmallVector<Dim>> entries = b.elements(adaptor.getShape(), "shape");
  if (failed(entries))
    return failure();
  SmallVector<Dim> in = b.dims(input);
  bool allowZero = adaptor.getAllowzero();
  std::optional<size_t> inferredIndex;
  SmallVector<Dim> out;
  for (auto [i, e] : llvm::enumerate(*entries)) {
    if (e.isStatic() && e.getSize() < -1)
      return b.emitError(llvm::formatv(
          "shape entry {0} is {1}; entries must be >= -1", i, e.getSize()));
    if (e.is(-1)) {
      if (inferredIndex)
        return b.emitError("shape has more than one -1 entry");
      inferredIndex = i;
    }
    if (allowZero) {
      out.push_back(e);
      continue;
    }
    if (i >= in.size()) {
      if (e.is(0))
        return b.emitError(llvm::formatv(
            "shape entry {0} is 0 (copy the input's size) but the input has "
            "rank {1}; set allowzero for a real 0",
            i, in.size()));
      out.push_back(e);
      continue;
    }
    // 0 copies the input's size at this position.
    out.push_back(b.select(b.equal(e, b.fixed(0)), in[i], e));
  }
  if (allowZero && inferredIndex &&
      llvm::any_of(out, [](Dim d) { return d.is(0); }))
    return b.emitError("with allowzero, shape cannot hold both 0 and -1");

  // Each -1 entry is the element count divided by the product of the
  // other sizes. Only entries can be -1 (a dynamic entry may turn out to be
  // at run time); sizes copied from the input never are.
  Dim numel = b.product(in);
  SmallVector<DimCondition> isInferred;
  SmallVector<Dim> known;
  for (auto [e, d] : llvm::zip(*entries, out)) {
    isInferred.push_back(b.equal(e, b.fixed(-1)));
    known.push_back(b.select(isInferred.back(), b.fixed(1), d));
  }
  // The division is computed whether or not an entry is -1 (a select picks
  // afterwards): a product of 0 (an empty tensor) must not trap.
  Dim knownProduct = b.max(b.product(known), b.fixed(1));
  for (size_t i = 0; i < out.size(); ++i) {
    std::optional<Dim> symbolic;
    if (!b.isReifying() && inferredIndex && i == *inferredIndex)
      symbolic = inferMinusOneSymbolically(b, in, out, i);
    out[i] = symbolic ? *symbolic
                      : b.select(isInferred[i], b.floorDiv(numel, knownProduct),
                                 out[i]);
  }
  if (numel.isStatic() &&
      llvm::all_of(out, [](Dim d) { return d.isStatic(); })) {
    Dim total = b.product(out);
    if (total.getSize() != numel.getSize())
      return b.emitError(llvm::formatv(
          "cannot reshape {0} elements into a shape of {1} elements",
          numel.getSize(), total.getSize()));
  }
  results.push_back({out, typeOf(input).getElementType()});
  return success();
}

LogicalResult FlattenOp::inferShapes(Adaptor adaptor, ShapeBuilder &b,
                                     SmallVectorImpl<ResultShape> &results) {
  Value input = adaptor.getInput();
  int64_t rank = typeOf(input).getRank();
  int64_t axis = adaptor.getAxis();
  // Flatten's axis may equal the rank (everything in the outer dimension).
  if (axis < -rank || axis > rank)
    return b.emitError(llvm::formatv(
        "axis {0} is out of range for rank {1} (expected {2} <= axis <= {1})",
        axis, rank, -rank));
  if (axis < 0)
    axis += rank;
  SmallVector<Dim> dims = b.dims(input);
  results.push_back({{b.product(ArrayRef(dims).take_front(axis)),
                      b.product(ArrayRef(dims).drop_front(axis))},
                     typeOf(input).getElementType()});
  return success();
}

LogicalResult SqueezeOp::inferShapes(Adaptor adaptor, ShapeBuilder &b,
                                     SmallVectorImpl<ResultShape> &results) {
  Value input = adaptor.getInput();
  SmallVector<Dim> dims = b.dims(input);
  SmallVector<int64_t> axes;
  if (std::optional<ArrayRef<int64_t>> given = adaptor.getAxes()) {
    FailureOr<SmallVector<int64_t>> normalized =
        b.normalizeAxes(*given, dims.size(), "axes");
    if (failed(normalized))
      return failure();
    axes = std::move(*normalized);
    for (int64_t a : axes)
      if (dims[a].isStatic() && dims[a].getSize() != 1)
        return b.emitError(llvm::formatv(
            "cannot squeeze dimension {0} of size {1}; only size-1 dimensions "
            "can be removed",
            a, dims[a].getSize()));
  } else {
    for (auto [i, d] : llvm::enumerate(dims)) {
      if (!d.isStatic())
        return b.emitError(llvm::formatv(
            "without axes, every dimension must be static to know which are "
            "1, but dimension {0} is dynamic; list the axes to squeeze",
            i));
      if (d.getSize() == 1)
        axes.push_back(i);
    }
  }
  SmallVector<Dim> out;
  for (auto [i, d] : llvm::enumerate(dims))
    if (!llvm::is_contained(axes, static_cast<int64_t>(i)))
      out.push_back(d);
  results.push_back({out, typeOf(input).getElementType()});
  return success();
}

LogicalResult UnsqueezeOp::inferShapes(Adaptor adaptor, ShapeBuilder &b,
                                       SmallVectorImpl<ResultShape> &results) {
  Value input = adaptor.getInput();
  SmallVector<Dim> dims = b.dims(input);
  int64_t outRank = dims.size() + adaptor.getAxes().size();
  FailureOr<SmallVector<int64_t>> axes =
      b.normalizeAxes(adaptor.getAxes(), outRank, "axes");
  if (failed(axes))
    return failure();
  SmallVector<Dim> out;
  auto next = dims.begin();
  for (int64_t i = 0; i < outRank; ++i)
    out.push_back(llvm::is_contained(*axes, i) ? b.fixed(1) : *next++);
  results.push_back({out, typeOf(input).getElementType()});
  return success();
}

/// The permutation of a transpose: `perm` or the reversed dims.
static FailureOr<SmallVector<int64_t>>
transposePermutation(ShapeBuilder &b, std::optional<ArrayRef<int64_t>> perm,
                     int64_t rank) {
  if (!perm)
    return llvm::to_vector(llvm::reverse(llvm::seq<int64_t>(0, rank)));
  if (static_cast<int64_t>(perm->size()) != rank)
    return b.emitError(llvm::formatv(
        "perm has {0} entries but the input has rank {1}", perm->size(), rank));
  SmallVector<bool> seen(rank, false);
  for (int64_t p : *perm) {
    if (p < 0 || p >= rank || seen[p])
      return b.emitError(llvm::formatv(
          "perm must be a permutation of 0..{0}, but {1} is {2}", rank - 1, p,
          p < 0 || p >= rank ? "out of range" : "repeated"));
    seen[p] = true;
  }
  return SmallVector<int64_t>(perm->begin(), perm->end());
}

LogicalResult TransposeOp::inferShapes(Adaptor adaptor, ShapeBuilder &b,
                                       SmallVectorImpl<ResultShape> &results) {
  Value input = adaptor.getInput();
  SmallVector<Dim> dims = b.dims(input);
  FailureOr<SmallVector<int64_t>> perm =
      transposePermutation(b, adaptor.getPerm(), dims.size());
  if (failed(perm))
    return failure();
  SmallVector<Dim> out;
  for (int64_t p : *perm)
    out.push_back(dims[p]);
  results.push_back({out, typeOf(input).getElementType()});
  return success();
}

//===----------------------------------------------------------------------===//
// Slicing, concatenation, splitting
//===----------------------------------------------------------------------===//

LogicalResult SliceOp::inferShapes(Adaptor adaptor, ShapeBuilder &b,
                                   SmallVectorImpl<ResultShape> &results) {
  Value input = adaptor.getInput();
  SmallVector<Dim> dims = b.dims(input);
  int64_t rank = dims.size();
  if (rank == 0)
    return b.emitError("cannot slice a 0-d tensor");
  Type indexType = typeOf(adaptor.getStarts()).getElementType();
  for (auto [operand, name] : {std::pair(adaptor.getEnds(), "ends"),
                               std::pair(adaptor.getAxes(), "axes"),
                               std::pair(adaptor.getSteps(), "steps")})
    if (operand && typeOf(operand).getElementType() != indexType)
      return b.emitError(llvm::formatv(
          "{0} has element type {1} but starts has {2}; use one type", name,
          typeOf(operand).getElementType(), indexType));
  FailureOr<SmallVector<Dim>> starts =
      b.elements(adaptor.getStarts(), "starts");
  FailureOr<SmallVector<Dim>> ends = b.elements(adaptor.getEnds(), "ends");
  if (failed(starts) || failed(ends))
    return failure();
  size_t n = starts->size();
  if (ends->size() != n)
    return b.emitError(llvm::formatv("starts has {0} entries but ends has {1}",
                                     n, ends->size()));
  SmallVector<Dim> axes, steps;
  for (int64_t i = 0; i < static_cast<int64_t>(n); ++i) {
    axes.push_back(b.fixed(i));
    steps.push_back(b.fixed(1));
  }
  for (auto [operand, name, target] :
       {std::tuple(adaptor.getAxes(), "axes", &axes),
        std::tuple(adaptor.getSteps(), "steps", &steps)}) {
    if (!operand)
      continue;
    FailureOr<SmallVector<Dim>> values = b.elements(operand, name);
    if (failed(values))
      return failure();
    if (values->size() != n)
      return b.emitError(llvm::formatv("{0} has {1} entries but starts has {2}",
                                       name, values->size(), n));
    *target = std::move(*values);
  }
  // Constant axes must be valid and distinct (run-time ones are the
  // program's responsibility, as in ONNX).
  SmallVector<int64_t> constantAxes;
  for (Dim a : axes)
    if (a.isStatic())
      constantAxes.push_back(a.getSize());
  if (failed(b.normalizeAxes(constantAxes, rank, "axes")))
    return failure();
  for (auto [i, s] : llvm::enumerate(steps))
    if (s.is(0))
      return b.emitError(
          llvm::formatv("steps entry {0} is 0; steps must be non-zero", i));

  // Each entry i slices dimension axes[i]; a run-time axis or step is
  // resolved with selects, which fold away when they are constants.
  Dim zero = b.fixed(0), one = b.fixed(1), minusOne = b.fixed(-1);
  SmallVector<Dim> out = dims;
  for (size_t i = 0; i < n; ++i) {
    Dim axis =
        b.select(b.less(axes[i], zero), b.add(axes[i], b.fixed(rank)), axes[i]);
    for (int64_t d = 0; d < rank; ++d) {
      DimCondition here = b.equal(axis, b.fixed(d));
      if (here.known() == false)
        continue;
      Dim size = dims[d], step = steps[i];
      // Negative positions count from the back; then clamp into range.
      auto wrap = [&](Dim v) {
        return b.select(b.less(v, zero), b.add(v, size), v);
      };
      Dim start = wrap((*starts)[i]), end = wrap((*ends)[i]);
      DimCondition forward = b.less(zero, step);
      Dim length = zero;
      if (forward.known() != false) {
        Dim s = b.clamp(start, zero, size), e = b.clamp(end, zero, size);
        length = b.ceilDiv(b.sub(e, s), step);
      }
      if (forward.known() != true) {
        Dim last = b.sub(size, one);
        Dim s = b.clamp(start, zero, last), e = b.clamp(end, minusOne, last);
        Dim backward = b.ceilDiv(b.sub(s, e), b.sub(zero, step));
        length = forward.known() == false ? backward
                                          : b.select(forward, length, backward);
      }
      out[d] = b.select(here, b.max(length, zero), out[d]);
    }
  }
  results.push_back({out, typeOf(input).getElementType()});
  return success();
}

LogicalResult ConcatOp::inferShapes(Adaptor adaptor, ShapeBuilder &b,
                                    SmallVectorImpl<ResultShape> &results) {
  ValueRange inputs = adaptor.getInputs();
  if (inputs.empty())
    return b.emitError("needs at least one input");
  RankedTensorType first = typeOf(inputs.front());
  int64_t rank = first.getRank();
  if (rank == 0)
    return b.emitError("cannot concatenate 0-d tensors; unsqueeze them first");
  FailureOr<int64_t> axis = b.normalizeAxis(adaptor.getAxis(), rank, "axis");
  if (failed(axis))
    return failure();
  SmallVector<Dim> out = b.dims(inputs.front());
  for (auto [index, input] : llvm::enumerate(inputs.drop_front())) {
    RankedTensorType type = typeOf(input);
    if (type.getRank() != rank ||
        type.getElementType() != first.getElementType())
      return b.emitError(llvm::formatv(
          "input #{0} is {1} but input #0 is {2}; all inputs need one rank "
          "and element type",
          index + 1, type, first));
    SmallVector<Dim> dims = b.dims(input);
    for (int64_t d = 0; d < rank; ++d) {
      if (d == *axis) {
        out[d] = b.add(out[d], dims[d]);
        continue;
      }
      if (out[d].isStatic() && dims[d].isStatic() &&
          out[d].getSize() != dims[d].getSize())
        return b.emitError(llvm::formatv(
            "input #{0} has size {1} in dimension {2} but input #0 has {3}; "
            "only the concatenated axis may differ",
            index + 1, dims[d].getSize(), d, out[d].getSize()));
      // Keep the most precise knowledge of the shared size.
      if (!out[d].isStatic() && (dims[d].isStatic() || !out[d].getSymbol()))
        out[d] = dims[d];
    }
  }
  results.push_back({out, first.getElementType()});
  return success();
}

LogicalResult SplitOp::inferShapes(Adaptor adaptor, ShapeBuilder &b,
                                   SmallVectorImpl<ResultShape> &results) {
  Value input = adaptor.getInput();
  SmallVector<Dim> dims = b.dims(input);
  if (dims.empty())
    return b.emitError("cannot split a 0-d tensor");
  FailureOr<int64_t> axis =
      b.normalizeAxis(adaptor.getAxis(), dims.size(), "axis");
  if (failed(axis))
    return failure();
  int64_t n = adaptor.getNumOutputs();
  if (n < 1 || n > kMaxSplitOutputs)
    return b.emitError(llvm::formatv("num_outputs must be in [1, {0}], got {1}",
                                     kMaxSplitOutputs, n));
  Dim whole = dims[*axis];
  SmallVector<Dim> pieces;
  if (std::optional<ArrayRef<int64_t>> sizes = adaptor.getSizes()) {
    if (static_cast<int64_t>(sizes->size()) != n)
      return b.emitError(llvm::formatv(
          "sizes has {0} entries but num_outputs is {1}", sizes->size(), n));
    int64_t total = 0;
    for (int64_t s : *sizes) {
      if (s < 0)
        return b.emitError(
            llvm::formatv("sizes entries must be >= 0, got {0}", s));
      total += s;
      pieces.push_back(b.fixed(s));
    }
    if (whole.isStatic() && whole.getSize() != total)
      return b.emitError(
          llvm::formatv("sizes add up to {0} but dimension {1} has size {2}",
                        total, *axis, whole.getSize()));
  } else {
    // Equal pieces of ceil(size / n); the last takes what is left.
    Dim piece = b.ceilDiv(whole, b.fixed(n));
    for (int64_t i = 0; i + 1 < n; ++i)
      pieces.push_back(piece);
    pieces.push_back(b.sub(whole, b.mul(piece, b.fixed(n - 1))));
    if (whole.isStatic() && pieces.back().getSize() < 0)
      return b.emitError(llvm::formatv(
          "dimension {0} of size {1} cannot be split into {2} pieces", *axis,
          whole.getSize(), n));
  }
  for (Dim piece : pieces) {
    SmallVector<Dim> shape = dims;
    shape[*axis] = piece;
    results.push_back({shape, typeOf(input).getElementType()});
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Gather and scatter
//===----------------------------------------------------------------------===//

/// Constant indices must lie in [-size, size - 1] of the data dimension
/// they address: ONNX calls anything else an error, so a model with one is
/// invalid (run-time indices are checked when the model runs).
/// `dimensionOf(p)` is the data dimension that flat entry p of the indices
/// addresses.
static LogicalResult
checkConstantIndices(ShapeBuilder &b, Value indices, ArrayRef<Dim> data,
                     function_ref<int64_t(size_t)> dimensionOf) {
  if (b.isReifying())
    return success(); // Verified already.
  std::optional<SmallVector<int64_t>> values =
      ShapeBuilder::constantIntegers(indices);
  if (!values)
    return success();
  auto shape = typeOf(indices).getShape();
  for (auto [p, v] : llvm::enumerate(*values)) {
    int64_t d = dimensionOf(p);
    if (d < 0 || d >= static_cast<int64_t>(data.size()) || !data[d].isStatic())
      continue;
    int64_t n = data[d].getSize();
    if (v >= -n && v < n)
      continue;
    // The position as coordinates, for the message ([2, 1] rather than 5).
    std::string where;
    llvm::raw_string_ostream os(where);
    SmallVector<int64_t> coords(shape.size());
    for (int64_t i = shape.size() - 1, rest = p; i >= 0; --i) {
      int64_t size = std::max<int64_t>(shape[i], 1);
      coords[i] = rest % size;
      rest /= size;
    }
    os << "[";
    llvm::interleaveComma(coords, os);
    os << "]";
    return b.emitError(llvm::formatv(
        "indices{0} is {1}, out of range for dimension {2} of data (size "
        "{3}): indices must be in [{4}, {5}]",
        where, v, d, n, -n, n - 1));
  }
  return success();
}

LogicalResult GatherOp::inferShapes(Adaptor adaptor, ShapeBuilder &b,
                                    SmallVectorImpl<ResultShape> &results) {
  SmallVector<Dim> data = b.dims(adaptor.getData());
  if (data.empty())
    return b.emitError("data must have rank >= 1");
  FailureOr<int64_t> axis =
      b.normalizeAxis(adaptor.getAxis(), data.size(), "axis");
  if (failed(axis))
    return failure();
  if (failed(checkConstantIndices(b, adaptor.getIndices(), data,
                                  [&](size_t) { return *axis; })))
    return failure();
  SmallVector<Dim> out(data.begin(), data.begin() + *axis);
  llvm::append_range(out, b.dims(adaptor.getIndices()));
  out.append(data.begin() + *axis + 1, data.end());
  results.push_back({out, typeOf(adaptor.getData()).getElementType()});
  return success();
}

LogicalResult
GatherElementsOp::inferShapes(Adaptor adaptor, ShapeBuilder &b,
                              SmallVectorImpl<ResultShape> &results) {
  RankedTensorType data = typeOf(adaptor.getData());
  RankedTensorType indices = typeOf(adaptor.getIndices());
  if (data.getRank() == 0 || indices.getRank() != data.getRank())
    return b.emitError(llvm::formatv(
        "data and indices must have one rank >= 1, got {0} and {1}",
        data.getRank(), indices.getRank()));
  FailureOr<int64_t> axis =
      b.normalizeAxis(adaptor.getAxis(), data.getRank(), "axis");
  if (failed(axis) || failed(checkConstantIndices(
                          b, adaptor.getIndices(), b.dims(adaptor.getData()),
                          [&](size_t) { return *axis; })))
    return failure();
  return b.sameAs(adaptor.getIndices(), results, data.getElementType());
}

LogicalResult GatherNDOp::inferShapes(Adaptor adaptor, ShapeBuilder &b,
                                      SmallVectorImpl<ResultShape> &results) {
  SmallVector<Dim> data = b.dims(adaptor.getData());
  SmallVector<Dim> indices = b.dims(adaptor.getIndices());
  int64_t batch = adaptor.getBatchDims();
  int64_t r = data.size(), q = indices.size();
  if (r < 1 || q < 1)
    return b.emitError("data and indices must have rank >= 1");
  if (batch < 0 || batch >= std::min(r, q))
    return b.emitError(llvm::formatv(
        "batch_dims {0} must be in [0, min(data rank, indices rank) = {1})",
        batch, std::min(r, q)));
  if (!indices.back().isStatic())
    return b.emitError("the last dimension of indices (the index depth) must "
                       "be static");
  int64_t depth = indices.back().getSize();
  if (depth < 1 || depth > r - batch)
    return b.emitError(llvm::formatv(
        "index depth {0} must be in [1, data rank - batch_dims = {1}]", depth,
        r - batch));
  for (int64_t i = 0; i < batch; ++i)
    if (data[i].isStatic() && indices[i].isStatic() &&
        data[i].getSize() != indices[i].getSize())
      return b.emitError(llvm::formatv(
          "batch dimension {0} differs: data has {1}, indices has {2}", i,
          data[i].getSize(), indices[i].getSize()));
  // Entry p of an index tuple addresses data dimension batch + p % depth.
  if (failed(checkConstantIndices(b, adaptor.getIndices(), data, [&](size_t p) {
        return batch + int64_t(p) % depth;
      })))
    return failure();
  SmallVector<Dim> out(indices.begin(), indices.end() - 1);
  out.append(data.begin() + batch + depth, data.end());
  results.push_back({out, typeOf(adaptor.getData()).getElementType()});
  return success();
}

LogicalResult
ScatterElementsOp::inferShapes(Adaptor adaptor, ShapeBuilder &b,
                               SmallVectorImpl<ResultShape> &results) {
  RankedTensorType data = typeOf(adaptor.getData());
  RankedTensorType indices = typeOf(adaptor.getIndices());
  RankedTensorType updates = typeOf(adaptor.getUpdates());
  if (data.getRank() == 0 || indices.getRank() != data.getRank())
    return b.emitError("data and indices must have one rank >= 1");
  if (updates.getElementType() != data.getElementType() ||
      !areRefinementsOf(TypeRange{RankedTensorType::get(
                            indices.getShape(), updates.getElementType())},
                        TypeRange{RankedTensorType::get(
                            updates.getShape(), updates.getElementType())}))
    return b.emitError(llvm::formatv(
        "updates must have the shape of indices ({0}) and the element type of "
        "data ({1}), got {2}",
        indices, data.getElementType(), updates));
  FailureOr<int64_t> axis =
      b.normalizeAxis(adaptor.getAxis(), data.getRank(), "axis");
  if (failed(axis) || failed(checkConstantIndices(
                          b, adaptor.getIndices(), b.dims(adaptor.getData()),
                          [&](size_t) { return *axis; })))
    return failure();
  return b.sameAs(adaptor.getData(), results);
}

LogicalResult ScatterNDOp::inferShapes(Adaptor adaptor, ShapeBuilder &b,
                                       SmallVectorImpl<ResultShape> &results) {
  RankedTensorType data = typeOf(adaptor.getData());
  RankedTensorType indices = typeOf(adaptor.getIndices());
  RankedTensorType updates = typeOf(adaptor.getUpdates());
  if (data.getRank() < 1 || indices.getRank() < 1)
    return b.emitError("data and indices must have rank >= 1");
  if (updates.getElementType() != data.getElementType())
    return b.emitError(
        llvm::formatv("updates has element type {0} but data has {1}",
                      updates.getElementType(), data.getElementType()));
  if (indices.isDynamicDim(indices.getRank() - 1))
    return b.emitError("the last dimension of indices (the index depth) must "
                       "be static");
  int64_t depth = indices.getShape().back();
  if (depth < 1 || depth > data.getRank())
    return b.emitError(
        llvm::formatv("index depth {0} must be in [1, data rank {1}]", depth,
                      data.getRank()));
  int64_t expected = indices.getRank() - 1 + data.getRank() - depth;
  if (updates.getRank() != expected)
    return b.emitError(llvm::formatv(
        "updates must have rank {0} (indices rank - 1 + data rank - index "
        "depth), got {1}",
        expected, updates.getRank()));
  // updates.shape == indices.shape[:-1] + data.shape[depth:]
  SmallVector<int64_t> want(indices.getShape().drop_back());
  llvm::append_range(want, data.getShape().drop_front(depth));
  for (auto [i, pair] : llvm::enumerate(llvm::zip(want, updates.getShape()))) {
    auto [w, u] = pair;
    if (!ShapedType::isDynamic(w) && !ShapedType::isDynamic(u) && w != u)
      return b.emitError(llvm::formatv(
          "updates has size {0} in dimension {1} but indices and data call "
          "for {2} (updates shape = indices.shape[:-1] + data.shape[depth:])",
          u, i, w));
  }
  if (failed(checkConstantIndices(
          b, adaptor.getIndices(), b.dims(adaptor.getData()),
          [&](size_t p) { return int64_t(p) % depth; })))
    return failure();
  return b.sameAs(adaptor.getData(), results);
}

//===----------------------------------------------------------------------===//
// Pad, expand, tile, resize
//===----------------------------------------------------------------------===//

LogicalResult PadOp::inferShapes(Adaptor adaptor, ShapeBuilder &b,
                                 SmallVectorImpl<ResultShape> &results) {
  Value input = adaptor.getInput();
  SmallVector<Dim> dims = b.dims(input);
  FailureOr<SmallVector<Dim>> pads = b.elements(adaptor.getPads(), "pads");
  if (failed(pads))
    return failure();
  size_t rank = dims.size();
  if (pads->size() != 2 * rank)
    return b.emitError(llvm::formatv(
        "pads has {0} entries but needs 2 x rank = {1} (all begins, then all "
        "ends)",
        pads->size(), 2 * rank));
  if (Value value = adaptor.getConstantValue()) {
    RankedTensorType type = typeOf(value);
    if (!type.hasStaticShape() || type.getNumElements() != 1 ||
        type.getElementType() != typeOf(input).getElementType())
      return b.emitError(llvm::formatv(
          "constant_value must be one element of the input's element type, "
          "got {0}",
          type));
  }
  SmallVector<Dim> out;
  for (size_t i = 0; i < rank; ++i) {
    Dim size = b.add(b.add(dims[i], (*pads)[i]), (*pads)[i + rank]);
    if (size.isStatic() && size.getSize() < 0)
      return b.emitError(
          llvm::formatv("negative pads crop dimension {0} below zero", i));
    out.push_back(size);
  }
  results.push_back({out, typeOf(input).getElementType()});
  return success();
}

LogicalResult ExpandOp::inferShapes(Adaptor adaptor, ShapeBuilder &b,
                                    SmallVectorImpl<ResultShape> &results) {
  FailureOr<SmallVector<Dim>> shape = b.elements(adaptor.getShape(), "shape");
  if (failed(shape))
    return failure();
  FailureOr<SmallVector<Dim>> out =
      b.broadcast(b.dims(adaptor.getInput()), *shape, "the input", "shape");
  if (failed(out))
    return failure();
  results.push_back({*out, typeOf(adaptor.getInput()).getElementType()});
  return success();
}

LogicalResult TileOp::inferShapes(Adaptor adaptor, ShapeBuilder &b,
                                  SmallVectorImpl<ResultShape> &results) {
  SmallVector<Dim> dims = b.dims(adaptor.getInput());
  FailureOr<SmallVector<Dim>> repeats =
      b.elements(adaptor.getRepeats(), "repeats");
  if (failed(repeats))
    return failure();
  if (repeats->size() != dims.size())
    return b.emitError(
        llvm::formatv("repeats has {0} entries but the input has rank {1}",
                      repeats->size(), dims.size()));
  SmallVector<Dim> out;
  for (auto [d, r] : llvm::zip(dims, *repeats)) {
    if (r.isStatic() && r.getSize() < 0)
      return b.emitError(
          llvm::formatv("repeats entries must be >= 0, got {0}", r.getSize()));
    out.push_back(b.mul(d, r));
  }
  results.push_back({out, typeOf(adaptor.getInput()).getElementType()});
  return success();
}

LogicalResult ResizeOp::inferShapes(Adaptor adaptor, ShapeBuilder &b,
                                    SmallVectorImpl<ResultShape> &results) {
  Value input = adaptor.getInput();
  SmallVector<Dim> dims = b.dims(input);
  Value scales = adaptor.getScales(), sizes = adaptor.getSizes();
  if (!scales && !sizes)
    return b.emitError("give scales, sizes or both");
  SmallVector<Dim> out;
  if (sizes) {
    FailureOr<SmallVector<Dim>> values = b.elements(sizes, "sizes");
    if (failed(values))
      return failure();
    if (values->size() != dims.size())
      return b.emitError(
          llvm::formatv("sizes has {0} entries but the input has rank {1}",
                        values->size(), dims.size()));
    out = std::move(*values);
  }
  if (scales) {
    RankedTensorType type = typeOf(scales);
    if (type.getRank() != 1 ||
        type.getDimSize(0) != static_cast<int64_t>(dims.size()))
      return b.emitError(llvm::formatv(
          "scales must be 1-D with one entry per input dimension ({0}), got "
          "{1}",
          dims.size(), type));
    if (std::optional<SmallVector<double>> values = constantFloats(scales))
      for (auto [i, s] : llvm::enumerate(*values))
        if (!std::isfinite(s) || s < 0)
          return b.emitError(llvm::formatv(
              "scales entry {0} is {1}; scales must be finite and >= 0", i, s));
    // With sizes too, the scales only map coordinates.
    if (!sizes)
      for (auto [i, d] : llvm::enumerate(dims))
        out.push_back(b.scaleFloor(d, scales, i));
  }
  if (adaptor.getRoi() &&
      adaptor.getCoordinateTransform() != CoordinateTransform::TfCropAndResize)
    return b.emitError("roi is only used by tf_crop_and_resize; drop it");
  results.push_back({out, typeOf(input).getElementType()});
  return success();
}

LogicalResult GridSampleOp::inferShapes(Adaptor adaptor, ShapeBuilder &b,
                                        SmallVectorImpl<ResultShape> &results) {
  SmallVector<Dim> in = b.dims(adaptor.getInput());
  SmallVector<Dim> grid = b.dims(adaptor.getGrid());
  if (in.size() != 4 || grid.size() != 4)
    return b.emitError(llvm::formatv(
        "input and grid must be 4-D ([N, C, H, W] and [N, H_out, W_out, 2]), "
        "got ranks {0} and {1}",
        in.size(), grid.size()));
  if (grid[3].isStatic() && grid[3].getSize() != 2)
    return b.emitError(llvm::formatv(
        "grid's last dimension holds (x, y): 2, got {0}", grid[3].getSize()));
  if (in[0].isStatic() && grid[0].isStatic() &&
      in[0].getSize() != grid[0].getSize())
    return b.emitError(llvm::formatv("input has batch {0} but grid has {1}",
                                     in[0].getSize(), grid[0].getSize()));
  results.push_back(
      {{in[0].isStatic() ? in[0] : grid[0], in[1], grid[1], grid[2]},
       typeOf(adaptor.getInput()).getElementType()});
  return success();
}

LogicalResult RoiAlignOp::inferShapes(Adaptor adaptor, ShapeBuilder &b,
                                      SmallVectorImpl<ResultShape> &results) {
  SmallVector<Dim> in = b.dims(adaptor.getInput());
  SmallVector<Dim> rois = b.dims(adaptor.getRois());
  SmallVector<Dim> batch = b.dims(adaptor.getBatchIndices());
  if (in.size() != 4 || rois.size() != 2 || batch.size() != 1)
    return b.emitError(llvm::formatv(
        "input, rois and batch_indices must be [N, C, H, W], [R, 4] and [R], "
        "got ranks {0}, {1} and {2}",
        in.size(), rois.size(), batch.size()));
  if (rois[1].isStatic() && rois[1].getSize() != 4)
    return b.emitError(
        llvm::formatv("rois holds boxes (x1, y1, x2, y2): 4 a row, got {0}",
                      rois[1].getSize()));
  if (rois[0].isStatic() && batch[0].isStatic() &&
      rois[0].getSize() != batch[0].getSize())
    return b.emitError(
        llvm::formatv("rois has {0} boxes but batch_indices {1} entries",
                      rois[0].getSize(), batch[0].getSize()));
  if (adaptor.getOutputHeight() < 1 || adaptor.getOutputWidth() < 1)
    return b.emitError("output_height and output_width must be >= 1");
  if (adaptor.getSamplingRatio() < 1)
    return b.emitError("sampling_ratio must be >= 1 (an adaptive ratio, 0, "
                       "is not supported)");
  results.push_back(
      {{rois[0].isStatic() ? rois[0] : batch[0], in[1],
        b.fixed(adaptor.getOutputHeight()), b.fixed(adaptor.getOutputWidth())},
       typeOf(adaptor.getInput()).getElementType()});
  return success();
}

//===----------------------------------------------------------------------===//
// Shape queries and constants
//===----------------------------------------------------------------------===//

/// The [start, end) range of nn.shape_of, clamped as ONNX Shape does.
static std::pair<int64_t, int64_t>
shapeOfRange(int64_t start, std::optional<int64_t> end, int64_t rank) {
  auto clampIndex = [&](int64_t v) {
    if (v < 0)
      v += rank;
    return std::clamp<int64_t>(v, 0, rank);
  };
  int64_t s = clampIndex(start), e = end ? clampIndex(*end) : rank;
  return {s, std::max(s, e)};
}

LogicalResult ShapeOfOp::inferShapes(Adaptor adaptor, ShapeBuilder &b,
                                     SmallVectorImpl<ResultShape> &results) {
  auto [start, end] = shapeOfRange(adaptor.getStart(), adaptor.getEnd(),
                                   typeOf(adaptor.getInput()).getRank());
  results.push_back({{b.fixed(end - start)}, b.getI64Type()});
  return success();
}

LogicalResult SizeOp::inferShapes(Adaptor, ShapeBuilder &b,
                                  SmallVectorImpl<ResultShape> &results) {
  results.push_back({{}, b.getI64Type()});
  return success();
}

LogicalResult
ConstantOp::inferReturnTypes(MLIRContext *, std::optional<Location> location,
                             ValueRange, DictionaryAttr attributes,
                             OpaqueProperties properties, RegionRange,
                             SmallVectorImpl<Type> &inferred) {
  ElementsAttr value =
      properties ? properties.as<Properties *>()->value
                 : dyn_cast_or_null<ElementsAttr>(attributes.get("value"));
  if (!value)
    return emitOptionalError(location, "'nn.constant' op needs a value");
  inferred.push_back(value.getType());
  return success();
}

LogicalResult ConstantOp::verify() {
  if (!isa<RankedTensorType>(getValue().getType()))
    return emitOpError() << "value must have a ranked tensor type, got "
                         << getValue().getType();
  return success();
}

/// The dims a shape operand (`shape`) holds, none negative.
static FailureOr<SmallVector<Dim>> shapeOperand(ShapeBuilder &b, Value shape) {
  FailureOr<SmallVector<Dim>> dims = b.elements(shape, "shape");
  if (failed(dims))
    return failure();
  for (auto [i, d] : llvm::enumerate(*dims))
    if (d.isStatic() && d.getSize() < 0)
      return b.emitError(
          llvm::formatv("shape entry {0} is negative ({1})", i, d.getSize()));
  return dims;
}

LogicalResult
ConstantOfShapeOp::inferShapes(Adaptor adaptor, ShapeBuilder &b,
                               SmallVectorImpl<ResultShape> &results) {
  FailureOr<SmallVector<Dim>> shape = shapeOperand(b, adaptor.getShape());
  if (failed(shape))
    return failure();
  ElementsAttr value = adaptor.getValue();
  if (value.getNumElements() != 1)
    return b.emitError(llvm::formatv("value must hold one element, got {0}",
                                     value.getNumElements()));
  results.push_back({*shape, value.getElementType()});
  return success();
}

LogicalResult RandomOp::inferShapes(Adaptor adaptor, ShapeBuilder &b,
                                    SmallVectorImpl<ResultShape> &results) {
  FailureOr<SmallVector<Dim>> shape = shapeOperand(b, adaptor.getShape());
  if (failed(shape))
    return failure();
  Type dtype = adaptor.getDtype();
  if (!isa<FloatType>(dtype))
    return b.emitError(
        llvm::formatv("dtype must be a float type, got {0}", dtype));
  results.push_back({*shape, dtype});
  return success();
}

LogicalResult RandomOp::verify() {
  double a = getA().convertToDouble(), b = getB().convertToDouble();
  if (!std::isfinite(a) || !std::isfinite(b))
    return emitOpError() << "a and b must be finite, got " << a << " and " << b;
  if (getDistribution() == RandomDistribution::Uniform && !(a <= b))
    return emitOpError() << "a uniform distribution needs a <= b (low <= "
                            "high), got "
                         << a << " and " << b;
  if (getDistribution() == RandomDistribution::Normal && !(b >= 0))
    return emitOpError() << "a normal distribution needs b (the standard "
                            "deviation) >= 0, got "
                         << b;
  return success();
}

LogicalResult RangeOp::inferShapes(Adaptor adaptor, ShapeBuilder &b,
                                   SmallVectorImpl<ResultShape> &results) {
  Type elementType = typeOf(adaptor.getStart()).getElementType();
  for (auto [v, name] : {std::pair(adaptor.getStart(), "start"),
                         std::pair(adaptor.getLimit(), "limit"),
                         std::pair(adaptor.getDelta(), "delta")}) {
    RankedTensorType type = typeOf(v);
    if (!type.hasStaticShape() || type.getNumElements() != 1)
      return b.emitError(llvm::formatv(
          "{0} must be a scalar (one element), got {1}", name, type));
  }
  // Integer bounds: ceil((limit - start) / delta), at least 0; computed at
  // run time when the bounds are not constants.
  if (isa<IntegerType>(elementType)) {
    FailureOr<Dim> start = b.scalar(adaptor.getStart(), "start");
    FailureOr<Dim> limit = b.scalar(adaptor.getLimit(), "limit");
    FailureOr<Dim> delta = b.scalar(adaptor.getDelta(), "delta");
    if (failed(start) || failed(limit) || failed(delta))
      return failure();
    if (delta->is(0))
      return b.emitError("delta must not be 0");
    Dim length = b.max(b.ceilDiv(b.sub(*limit, *start), *delta), b.fixed(0));
    results.push_back({{length}, elementType});
    return success();
  }
  // Float bounds: static when all three are constants.
  DenseFPElementsAttr s, l, d;
  Dim length = b.dynamic();
  if (matchPattern(adaptor.getStart(), m_Constant(&s)) &&
      matchPattern(adaptor.getLimit(), m_Constant(&l)) &&
      matchPattern(adaptor.getDelta(), m_Constant(&d))) {
    double start = (*s.getValues<APFloat>().begin()).convertToDouble();
    double limit = (*l.getValues<APFloat>().begin()).convertToDouble();
    double delta = (*d.getValues<APFloat>().begin()).convertToDouble();
    if (delta == 0)
      return b.emitError("delta must not be 0");
    double count = std::ceil((limit - start) / delta);
    // Rejects NaN and +inf; an empty range (count <= 0, even -inf) has
    // length 0.
    if (!(count < static_cast<double>(int64_t(1) << 62)))
      return b.emitError(llvm::formatv(
          "the range from {0:e} to {1:e} by {2:e} does not have a "
          "representable length",
          start, limit, delta));
    length = b.fixed(count <= 0 ? 0 : static_cast<int64_t>(count));
  } else if (b.isReifying()) {
    // A float range with run-time bounds has no index-only formula here;
    // lowering reads the length off the computed bounds instead.
    return failure();
  }
  results.push_back({{length}, elementType});
  return success();
}

LogicalResult
NonMaxSuppressionOp::inferShapes(Adaptor adaptor, ShapeBuilder &b,
                                 SmallVectorImpl<ResultShape> &results) {
  // How many boxes survive depends on the data.
  if (b.isReifying())
    return failure();
  SmallVector<Dim> boxes = b.dims(adaptor.getBoxes());
  SmallVector<Dim> scores = b.dims(adaptor.getScores());
  if (boxes.size() != 3 || scores.size() != 3)
    return b.emitError(llvm::formatv(
        "boxes and scores must be [batches, boxes, 4] and [batches, classes, "
        "boxes], got ranks {0} and {1}",
        boxes.size(), scores.size()));
  if (boxes[2].isStatic() && boxes[2].getSize() != 4)
    return b.emitError(llvm::formatv("boxes hold 4 coordinates a box, got {0}",
                                     boxes[2].getSize()));
  auto mismatch = [](Dim x, Dim y) {
    return x.isStatic() && y.isStatic() && x.getSize() != y.getSize();
  };
  if (mismatch(boxes[0], scores[0]) || mismatch(boxes[1], scores[2]))
    return b.emitError(llvm::formatv(
        "boxes [{0}, {1}, 4] and scores [{2}, classes, {3}] disagree on the "
        "batches or the boxes",
        boxes[0].isStatic() ? boxes[0].getSize() : -1,
        boxes[1].isStatic() ? boxes[1].getSize() : -1,
        scores[0].isStatic() ? scores[0].getSize() : -1,
        scores[2].isStatic() ? scores[2].getSize() : -1));
  SmallVector<Value> scalars = {adaptor.getMaxOutputBoxesPerClass(),
                                adaptor.getIouThreshold()};
  if (adaptor.getScoreThreshold())
    scalars.push_back(adaptor.getScoreThreshold());
  for (Value v : scalars)
    if (typeOf(v).hasStaticShape() && typeOf(v).getNumElements() != 1)
      return b.emitError(llvm::formatv(
          "max_output_boxes_per_class, iou_threshold and score_threshold must "
          "hold one value each, got {0}",
          v.getType()));
  results.push_back({{b.dynamic(), b.fixed(3)}, b.getI64Type()});
  return success();
}

LogicalResult NonZeroOp::inferShapes(Adaptor adaptor, ShapeBuilder &b,
                                     SmallVectorImpl<ResultShape> &results) {
  // The number of non-zero elements depends on the data, not on shapes:
  // there is nothing to reify it from.
  if (b.isReifying())
    return failure();
  int64_t rank = cast<RankedTensorType>(adaptor.getInput().getType()).getRank();
  results.push_back({{b.fixed(rank), b.dynamic()}, b.getI64Type()});
  return success();
}

} // namespace ddl::nn
