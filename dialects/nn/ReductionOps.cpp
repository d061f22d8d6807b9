//===- ReductionOps.cpp - reductions, softmax and normalizations ----------===//

#include "dialects/nn/NNDialect.h"

#include "llvm/Support/FormatVariadic.h"

using namespace mlir;

namespace ddl::nn {

static Type elementTypeOf(Value v) {
  return cast<RankedTensorType>(v.getType()).getElementType();
}

/// Result dims of reducing `input` over `axes` (already normalized).
static SmallVector<Dim> reducedDims(ShapeBuilder &b, Value input,
                                    ArrayRef<int64_t> axes, bool keepdims) {
  SmallVector<Dim> dims = b.dims(input), result;
  for (auto [i, d] : llvm::enumerate(dims)) {
    if (!llvm::is_contained(axes, static_cast<int64_t>(i)))
      result.push_back(d);
    else if (keepdims)
      result.push_back(b.fixed(1));
  }
  return result;
}

LogicalResult ReduceOp::inferShapes(Adaptor adaptor, ShapeBuilder &b,
                                    SmallVectorImpl<ResultShape> &results) {
  Value input = adaptor.getInput();
  int64_t rank = cast<RankedTensorType>(input.getType()).getRank();
  SmallVector<int64_t> axes;
  std::optional<ArrayRef<int64_t>> given = adaptor.getAxes();
  if (given && !given->empty()) {
    FailureOr<SmallVector<int64_t>> normalized =
        b.normalizeAxes(*given, rank, "axes");
    if (failed(normalized))
      return failure();
    axes = std::move(*normalized);
  } else if (!adaptor.getNoopWithEmptyAxes()) {
    axes = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  }
  results.push_back({reducedDims(b, input, axes, adaptor.getKeepdims()),
                     elementTypeOf(input)});
  return success();
}

template <typename Adaptor>
static LogicalResult argReduceShape(Adaptor adaptor, ShapeBuilder &b,
                                    SmallVectorImpl<ResultShape> &results) {
  Value input = adaptor.getInput();
  int64_t rank = cast<RankedTensorType>(input.getType()).getRank();
  if (rank == 0)
    return b.emitError("input must have rank >= 1");
  FailureOr<int64_t> axis = b.normalizeAxis(adaptor.getAxis(), rank, "axis");
  if (failed(axis))
    return failure();
  results.push_back(
      {reducedDims(b, input, {*axis}, adaptor.getKeepdims()), b.getI64Type()});
  return success();
}

LogicalResult ArgMaxOp::inferShapes(Adaptor adaptor, ShapeBuilder &b,
                                    SmallVectorImpl<ResultShape> &results) {
  return argReduceShape(adaptor, b, results);
}
LogicalResult ArgMinOp::inferShapes(Adaptor adaptor, ShapeBuilder &b,
                                    SmallVectorImpl<ResultShape> &results) {
  return argReduceShape(adaptor, b, results);
}

template <typename Adaptor>
static LogicalResult softmaxShape(Adaptor adaptor, ShapeBuilder &b,
                                  SmallVectorImpl<ResultShape> &results) {
  Value input = adaptor.getInput();
  int64_t rank = cast<RankedTensorType>(input.getType()).getRank();
  if (rank == 0)
    return b.emitError("input must have rank >= 1");
  if (failed(b.normalizeAxis(adaptor.getAxis(), rank, "axis")))
    return failure();
  return b.sameAs(input, results);
}

LogicalResult SoftmaxOp::inferShapes(Adaptor adaptor, ShapeBuilder &b,
                                     SmallVectorImpl<ResultShape> &results) {
  return softmaxShape(adaptor, b, results);
}
LogicalResult LogSoftmaxOp::inferShapes(Adaptor adaptor, ShapeBuilder &b,
                                        SmallVectorImpl<ResultShape> &results) {
  return softmaxShape(adaptor, b, results);
}
LogicalResult HardmaxOp::inferShapes(Adaptor adaptor, ShapeBuilder &b,
                                     SmallVectorImpl<ResultShape> &results) {
  return softmaxShape(adaptor, b, results);
}

//===----------------------------------------------------------------------===//
// Scans and selections
//===----------------------------------------------------------------------===//

LogicalResult CumSumOp::inferShapes(Adaptor adaptor, ShapeBuilder &b,
                                    SmallVectorImpl<ResultShape> &results) {
  Value input = adaptor.getInput();
  int64_t rank = cast<RankedTensorType>(input.getType()).getRank();
  if (rank == 0)
    return b.emitError("input must have rank >= 1");
  auto axisType = cast<RankedTensorType>(adaptor.getAxis().getType());
  if (axisType.getRank() > 1 || !axisType.hasStaticShape() ||
      axisType.getNumElements() != 1)
    return b.emitError(llvm::formatv(
        "axis must be a 0-d or one-element 1-D tensor, got {0}", axisType));
  if (std::optional<SmallVector<int64_t>> axis =
          ShapeBuilder::constantIntegers(adaptor.getAxis()))
    if (failed(b.normalizeAxis(axis->front(), rank, "axis")))
      return failure();
  return b.sameAs(input, results);
}

LogicalResult TopKOp::inferShapes(Adaptor adaptor, ShapeBuilder &b,
                                  SmallVectorImpl<ResultShape> &results) {
  Value input = adaptor.getInput();
  int64_t rank = cast<RankedTensorType>(input.getType()).getRank();
  if (rank == 0)
    return b.emitError("input must have rank >= 1");
  FailureOr<int64_t> axis = b.normalizeAxis(adaptor.getAxis(), rank, "axis");
  if (failed(axis))
    return failure();
  FailureOr<Dim> k = b.scalar(adaptor.getK(), "k");
  if (failed(k))
    return failure();
  SmallVector<Dim> dims = b.dims(input);
  if (k->isStatic()) {
    if (k->getSize() < 0)
      return b.emitError(
          llvm::formatv("k must be >= 0, got {0}", k->getSize()));
    if (dims[*axis].isStatic() && k->getSize() > dims[*axis].getSize())
      return b.emitError(
          llvm::formatv("k = {0} exceeds the size {1} of dimension {2} (axis)",
                        k->getSize(), dims[*axis].getSize(), *axis));
  }
  dims[*axis] = *k;
  results.push_back({dims, elementTypeOf(input)});
  results.push_back({dims, b.getI64Type()});
  return success();
}

//===----------------------------------------------------------------------===//
// Normalizations
//===----------------------------------------------------------------------===//

/// Checks that `param` (named `name`) is 1-D with `channels` elements and
/// the input's element type.
static LogicalResult checkPerChannel(ShapeBuilder &b, Value input, Value param,
                                     StringRef name, Dim channels) {
  auto type = cast<RankedTensorType>(param.getType());
  if (type.getElementType() != elementTypeOf(input))
    return b.emitError(llvm::formatv("{0} has element type {1} but the input "
                                     "has {2}",
                                     name, type.getElementType(),
                                     elementTypeOf(input)));
  if (type.getRank() != 1)
    return b.emitError(
        llvm::formatv("{0} must be 1-D (one value per channel), got rank {1}",
                      name, type.getRank()));
  Dim size = b.dim(param, 0);
  if (size.isStatic() && channels.isStatic() &&
      size.getSize() != channels.getSize())
    return b.emitError(llvm::formatv(
        "{0} has {1} elements but the input has {2} channels (dimension 1)",
        name, size.getSize(), channels.getSize()));
  return success();
}

static LogicalResult checkChannelInput(ShapeBuilder &b, Value input,
                                       int64_t minRank) {
  int64_t rank = cast<RankedTensorType>(input.getType()).getRank();
  if (rank < minRank)
    return b.emitError(llvm::formatv(
        "input must be N x C x ... with rank >= {0}, got rank {1}", minRank,
        rank));
  return success();
}

LogicalResult BatchNormOp::inferShapes(Adaptor adaptor, ShapeBuilder &b,
                                       SmallVectorImpl<ResultShape> &results) {
  Value input = adaptor.getInput();
  if (failed(checkChannelInput(b, input, 2)))
    return failure();
  Dim channels = b.dim(input, 1);
  for (auto [param, name] : {std::pair(adaptor.getScale(), "scale"),
                             std::pair(adaptor.getBias(), "bias"),
                             std::pair(adaptor.getMean(), "mean"),
                             std::pair(adaptor.getVariance(), "variance")})
    if (failed(checkPerChannel(b, input, param, name, channels)))
      return failure();
  return b.sameAs(input, results);
}

LogicalResult
InstanceNormOp::inferShapes(Adaptor adaptor, ShapeBuilder &b,
                            SmallVectorImpl<ResultShape> &results) {
  Value input = adaptor.getInput();
  if (failed(checkChannelInput(b, input, 3)))
    return failure();
  Dim channels = b.dim(input, 1);
  if (failed(
          checkPerChannel(b, input, adaptor.getScale(), "scale", channels)) ||
      failed(checkPerChannel(b, input, adaptor.getBias(), "bias", channels)))
    return failure();
  return b.sameAs(input, results);
}

LogicalResult GroupNormOp::inferShapes(Adaptor adaptor, ShapeBuilder &b,
                                       SmallVectorImpl<ResultShape> &results) {
  Value input = adaptor.getInput();
  if (failed(checkChannelInput(b, input, 2)))
    return failure();
  int64_t groups = adaptor.getNumGroups();
  Dim channels = b.dim(input, 1);
  if (groups < 1)
    return b.emitError(
        llvm::formatv("num_groups must be >= 1, got {0}", groups));
  if (channels.isStatic() && channels.getSize() % groups != 0)
    return b.emitError(
        llvm::formatv("{0} channels do not split into {1} groups",
                      channels.getSize(), groups));
  if (failed(
          checkPerChannel(b, input, adaptor.getScale(), "scale", channels)) ||
      failed(checkPerChannel(b, input, adaptor.getBias(), "bias", channels)))
    return failure();
  return b.sameAs(input, results);
}

LogicalResult LayerNormOp::inferShapes(Adaptor adaptor, ShapeBuilder &b,
                                       SmallVectorImpl<ResultShape> &results) {
  Value input = adaptor.getInput();
  int64_t rank = cast<RankedTensorType>(input.getType()).getRank();
  if (rank == 0)
    return b.emitError("input must have rank >= 1");
  FailureOr<int64_t> axis = b.normalizeAxis(adaptor.getAxis(), rank, "axis");
  if (failed(axis))
    return failure();
  // scale and bias broadcast to input.shape[axis:] without growing it.
  SmallVector<Dim> dims = b.dims(input);
  ArrayRef<Dim> normalized = ArrayRef(dims).drop_front(*axis);
  for (auto [param, name] : {std::pair(adaptor.getScale(), "scale"),
                             std::pair(adaptor.getBias(), "bias")}) {
    if (!param)
      continue;
    if (elementTypeOf(param) != elementTypeOf(input))
      return b.emitError(
          llvm::formatv("{0} must have the input's element type", name));
    SmallVector<Dim> paramDims = b.dims(param);
    if (paramDims.size() > normalized.size())
      return b.emitError(llvm::formatv(
          "{0} has rank {1} but only {2} dimensions are normalized (axis {3})",
          name, paramDims.size(), normalized.size(), *axis));
    for (size_t i = 0; i < paramDims.size(); ++i) {
      Dim p = paramDims[paramDims.size() - 1 - i];
      Dim x = normalized[normalized.size() - 1 - i];
      if (p.isStatic() && x.isStatic() && p.getSize() != x.getSize() &&
          p.getSize() != 1)
        return b.emitError(llvm::formatv(
            "{0} does not broadcast to the normalized shape: size {1} against "
            "{2}",
            name, p.getSize(), x.getSize()));
    }
  }
  results.push_back({dims, elementTypeOf(input)});
  return success();
}

} // namespace ddl::nn
