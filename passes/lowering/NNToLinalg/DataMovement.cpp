//===- DataMovement.cpp - nn data movement ops to tensor and linalg -------===//
//
// Data movement computes nothing but indices. Reshapes become
// tensor.collapse_shape/expand_shape (views after bufferization), slices and
// splits tensor.extract_slice, concat tensor.insert_slice, transpose
// linalg.transpose, expand and tile linalg.broadcast (tile then collapses
// the repeat dims into the data dims), constant padding tensor.pad. What has
// no upstream op (negative-step slices, reflect/edge/wrap padding) is a
// linalg.generic that reads its input with tensor.extract at computed
// indices, clamped into the input so that no operand value can make the
// generated code read out of bounds.
//
// Shape-like operands (reshape's shape, slice bounds, pads, repeats) are
// read at run time unless they are constants; index arithmetic folds as it
// is built, so constant operands give static shapes and offsets.
//
//===----------------------------------------------------------------------===//

#include "passes/lowering/NNToLinalg/Common.h"

#include "ddl/Diagnostics.h"
#include "dialects/nn/ShapeBuilder.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/DialectResourceBlobManager.h"

using namespace mlir;
using namespace ddl;
using namespace ddl::lowering;

namespace {

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

/// The entries of a 1-D integer tensor operand (shape, bounds, pads,
/// repeats) as index values: constants when the operand is a constant,
/// otherwise read (and sign-extended) at run time.
class IndexEntries {
public:
  explicit IndexEntries(Value tensor)
      : tensor(tensor),
        constants(tensor ? nn::ShapeBuilder::constantIntegers(tensor)
                         : std::nullopt) {}

  /// Entry `i` when it is a constant.
  std::optional<int64_t> constant(int64_t i) const {
    if (!constants)
      return std::nullopt;
    if (constants->size() == 1)
      return constants->front(); // splat
    if (i < static_cast<int64_t>(constants->size()))
      return (*constants)[i];
    return std::nullopt;
  }

  Value get(OpBuilder &b, Location loc, int64_t i) {
    if (std::optional<int64_t> c = constant(i))
      return arith::ConstantIndexOp::create(b, loc, *c);
    if (!lowered)
      lowered = toLowered(b, loc, tensor);
    auto type = cast<RankedTensorType>(lowered.getType());
    SmallVector<Value> position(type.getRank(),
                                arith::ConstantIndexOp::create(b, loc, i));
    Value v = tensor::ExtractOp::create(b, loc, lowered, position);
    return arith::IndexCastOp::create(b, loc, b.getIndexType(), v);
  }

private:
  Value tensor;
  std::optional<SmallVector<int64_t>> constants;
  Value lowered;
};

/// The static shape `sizes` stands for (dynamic where a size is a value).
static SmallVector<int64_t> staticShape(ArrayRef<OpFoldResult> sizes) {
  SmallVector<int64_t> shape;
  for (OpFoldResult size : sizes)
    shape.push_back(getConstantIntValue(size).value_or(ShapedType::kDynamic));
  return shape;
}

static int64_t staticProduct(ArrayRef<int64_t> shape) {
  int64_t product = 1;
  for (int64_t size : shape) {
    if (ShapedType::isDynamic(size))
      return ShapedType::kDynamic;
    product *= size;
  }
  return product;
}

static ReassociationIndices iota(int64_t n) {
  return llvm::to_vector(llvm::seq<int64_t>(0, n));
}

/// A static reshape as a collapse to the coarsest shape both shapes refine
/// (split where their running element counts meet) and an expand from it:
/// [128, 1, 768] -> [128, 12, 64] goes through [128, 768]. Unlike a
/// collapse to 1-D, this stays a view of a strided source (the q, k and v
/// slices of a fused projection) after bufferization instead of a copy.
/// Null when the shapes meet only at the whole (then it is the 1-D route).
static Value reshapeThroughCommonShape(OpBuilder &b, Location loc, Value src,
                                       RankedTensorType dstType) {
  auto srcType = cast<RankedTensorType>(src.getType());
  auto runningCounts = [](ArrayRef<int64_t> shape) {
    SmallVector<int64_t> counts = {1};
    for (int64_t size : shape)
      counts.push_back(counts.back() * size);
    return counts;
  };
  SmallVector<int64_t> srcCounts = runningCounts(srcType.getShape());
  SmallVector<int64_t> dstCounts = runningCounts(dstType.getShape());
  SmallVector<int64_t> common;
  for (int64_t count : srcCounts)
    if (count != 1 && llvm::is_contained(dstCounts, count) &&
        (common.empty() || common.back() != count))
      common.push_back(count);
  if (common.size() < 2 || llvm::is_contained(srcType.getShape(), 0))
    return {};
  SmallVector<int64_t> commonShape;
  int64_t previous = 1;
  for (int64_t count : common) {
    commonShape.push_back(count / previous);
    previous = count;
  }
  std::optional<SmallVector<ReassociationIndices>> collapse =
      getReassociationIndicesForCollapse(srcType.getShape(), commonShape);
  std::optional<SmallVector<ReassociationIndices>> expand =
      getReassociationIndicesForCollapse(dstType.getShape(), commonShape);
  if (!collapse || !expand)
    return {};
  Value mid = src;
  if (srcType.getRank() != static_cast<int64_t>(commonShape.size()))
    mid = tensor::CollapseShapeOp::create(
        b, loc, RankedTensorType::get(commonShape, srcType.getElementType()),
        src, *collapse);
  if (dstType.getRank() == static_cast<int64_t>(commonShape.size()))
    return mid;
  return tensor::ExpandShapeOp::create(b, loc, dstType, mid, *expand);
}

/// `src` (lowered) in row-major order under the shape `sizes`, with the
/// static sizes `resultType` (lowered) knows. A single collapse or expand
/// when both shapes are static and one refines the other; with at most one
/// dynamic result size, a collapse to 1-D and an expand to the result (both
/// with static reassociations; expand_shape takes the run-time size);
/// otherwise tensor.reshape with the sizes as a shape tensor.
static FailureOr<Value> reshapeTo(OpBuilder &b, Location loc, Value src,
                                  ArrayRef<OpFoldResult> sizes,
                                  RankedTensorType resultType) {
  auto srcType = cast<RankedTensorType>(src.getType());
  Type elementType = srcType.getElementType();
  SmallVector<int64_t> shape = staticShape(sizes);
  SmallVector<OpFoldResult> mixed(sizes);
  for (auto [i, size] : llvm::enumerate(resultType.getShape()))
    if (!ShapedType::isDynamic(size)) {
      shape[i] = size;
      mixed[i] = b.getIndexAttr(size);
    }
  auto dstType = RankedTensorType::get(shape, elementType);
  if (srcType == dstType && srcType.hasStaticShape())
    return src;
  int64_t srcRank = srcType.getRank(), dstRank = dstType.getRank();
  if (srcType.hasStaticShape() && dstType.hasStaticShape()) {
    if (srcType.getNumElements() != dstType.getNumElements())
      return failure();
    if (std::optional<SmallVector<ReassociationIndices>> reassociation =
            getReassociationIndicesForReshape(srcType, dstType)) {
      if (srcRank > dstRank)
        return Value(tensor::CollapseShapeOp::create(b, loc, dstType, src,
                                                     *reassociation));
      if (srcRank < dstRank)
        return Value(tensor::ExpandShapeOp::create(b, loc, dstType, src,
                                                   *reassociation));
    }
    if (Value viaCommon = reshapeThroughCommonShape(b, loc, src, dstType))
      return viaCommon;
  }
  // expand-strided-metadata (LLVM 22) crashes on an expand_shape group with
  // more than one dynamic size: such reshapes take the sizes as a tensor.
  if (llvm::count_if(shape, ShapedType::isDynamic) > 1) {
    SmallVector<Value> values;
    for (OpFoldResult size : mixed)
      values.push_back(getValueOrCreateConstantIndexOp(b, loc, size));
    Value shapeTensor = tensor::FromElementsOp::create(
        b, loc, RankedTensorType::get({dstRank}, b.getIndexType()), values);
    return Value(tensor::ReshapeOp::create(b, loc, dstType, src, shapeTensor));
  }
  Value flat = src;
  if (srcRank == 0)
    flat = tensor::ExpandShapeOp::create(
        b, loc, RankedTensorType::get({1}, elementType), src,
        ArrayRef<ReassociationIndices>{});
  else if (srcRank > 1)
    flat = tensor::CollapseShapeOp::create(b, loc, src, {iota(srcRank)});
  int64_t srcCount = cast<RankedTensorType>(flat.getType()).getDimSize(0);
  int64_t dstCount = staticProduct(shape);
  if (!ShapedType::isDynamic(srcCount) && !ShapedType::isDynamic(dstCount) &&
      srcCount != dstCount)
    return failure();
  auto flatType = RankedTensorType::get({dstCount}, elementType);
  if (flat.getType() != flatType)
    flat = tensor::CastOp::create(b, loc, flatType, flat);
  if (dstRank == 1)
    return flat;
  if (dstRank == 0)
    return Value(tensor::CollapseShapeOp::create(
        b, loc, dstType, flat, ArrayRef<ReassociationIndices>{}));
  return Value(tensor::ExpandShapeOp::create(b, loc, dstType, flat,
                                             {iota(dstRank)}, mixed));
}

/// tensor.extract_slice, or a tensor.empty when a size is statically 0: the
/// verifier rejects a static offset at the end of a dimension even for an
/// empty slice (and clamped ONNX bounds produce exactly that).
static Value extractSlice(OpBuilder &b, Location loc, Value src,
                          ArrayRef<OpFoldResult> offsets,
                          ArrayRef<OpFoldResult> sizes,
                          ArrayRef<OpFoldResult> strides) {
  if (llvm::any_of(
          sizes, [](OpFoldResult size) { return isConstantIntValue(size, 0); }))
    return tensor::EmptyOp::create(
        b, loc, sizes, cast<RankedTensorType>(src.getType()).getElementType());
  return tensor::ExtractSliceOp::create(b, loc, src, offsets, sizes, strides);
}

/// The reassociation that groups each of `units` (sorted dims of size 1 of
/// the larger shape, of rank `rank`) with a neighbouring dim: the one
/// before it, or the first one kept for leading units. Empty when every dim
/// is a unit.
static SmallVector<ReassociationIndices>
unitReassociation(int64_t rank, ArrayRef<int64_t> units) {
  SmallVector<ReassociationIndices> groups;
  ReassociationIndices leading;
  for (int64_t d = 0; d < rank; ++d) {
    if (llvm::is_contained(units, d)) {
      if (groups.empty())
        leading.push_back(d);
      else
        groups.back().push_back(d);
      continue;
    }
    groups.push_back(leading);
    groups.back().push_back(d);
    leading.clear();
  }
  return groups;
}

//===----------------------------------------------------------------------===//
// Reshape family
//===----------------------------------------------------------------------===//

/// nn.reshape: sizes from the shape function (0 copies, -1 infers), then
/// reshapeTo.
struct LowerReshape final : OpRewritePattern<nn::ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::ReshapeOp op,
                                PatternRewriter &rewriter) const override {
    FailureOr<SmallVector<OpFoldResult>> sizes = reifyResultSizes(rewriter, op);
    if (failed(sizes))
      return failure();
    Value input = toLowered(rewriter, op.getLoc(), op.getInput());
    FailureOr<Value> result =
        reshapeTo(rewriter, op.getLoc(), input, *sizes,
                  cast<RankedTensorType>(lowerType(op.getType())));
    if (failed(result))
      return rewriter.notifyMatchFailure(
          op, "the element counts of the input and the shape differ");
    replaceWithLowered(rewriter, op, *result);
    return success();
  }
};

/// nn.flatten: collapse [0, axis) and [axis, rank); axis 0 or rank (a unit
/// outer or inner dim) goes through reshapeTo.
struct LowerFlatten final : OpRewritePattern<nn::FlattenOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::FlattenOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = toLowered(rewriter, loc, op.getInput());
    int64_t rank = cast<RankedTensorType>(input.getType()).getRank();
    int64_t axis = normalizeAxis(op.getAxis(), rank);
    if (axis > 0 && axis < rank) {
      SmallVector<ReassociationIndices> groups = {
          llvm::to_vector(llvm::seq<int64_t>(0, axis)),
          llvm::to_vector(llvm::seq<int64_t>(axis, rank))};
      Value result =
          tensor::CollapseShapeOp::create(rewriter, loc, input, groups);
      replaceWithLowered(rewriter, op, result);
      return success();
    }
    FailureOr<SmallVector<OpFoldResult>> sizes = reifyResultSizes(rewriter, op);
    if (failed(sizes))
      return failure();
    FailureOr<Value> result =
        reshapeTo(rewriter, loc, input, *sizes,
                  cast<RankedTensorType>(lowerType(op.getType())));
    if (failed(result))
      return rewriter.notifyMatchFailure(op, "inconsistent element counts");
    replaceWithLowered(rewriter, op, *result);
    return success();
  }
};

/// nn.squeeze: collapse each removed unit dim into a neighbour. A removed
/// dim that is dynamic is 1 by the op's contract; it is cast to 1 first.
struct LowerSqueeze final : OpRewritePattern<nn::SqueezeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::SqueezeOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = toLowered(rewriter, loc, op.getInput());
    auto type = cast<RankedTensorType>(input.getType());
    int64_t rank = type.getRank();
    SmallVector<int64_t> axes;
    if (std::optional<ArrayRef<int64_t>> given = op.getAxes()) {
      for (int64_t a : *given)
        axes.push_back(normalizeAxis(a, rank));
    } else {
      for (auto [d, size] : llvm::enumerate(type.getShape())) {
        if (ShapedType::isDynamic(size))
          return rewriter.notifyMatchFailure(
              op, "squeeze without axes of a dynamic dimension");
        if (size == 1)
          axes.push_back(d);
      }
    }
    llvm::sort(axes);
    SmallVector<int64_t> unitShape(type.getShape());
    for (int64_t a : axes) {
      if (a < 0 || a >= rank)
        return rewriter.notifyMatchFailure(op, "axis out of range");
      unitShape[a] = 1;
    }
    auto unitType = RankedTensorType::get(unitShape, type.getElementType());
    if (unitType != type)
      input = tensor::CastOp::create(rewriter, loc, unitType, input);
    Value result = tensor::CollapseShapeOp::create(
        rewriter, loc, input, unitReassociation(rank, axes));
    replaceWithLowered(rewriter, op, result);
    return success();
  }
};

/// nn.unsqueeze: expand with each inserted unit dim grouped with a
/// neighbouring input dim.
struct LowerUnsqueeze final : OpRewritePattern<nn::UnsqueezeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::UnsqueezeOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = toLowered(rewriter, loc, op.getInput());
    auto type = cast<RankedTensorType>(input.getType());
    int64_t outRank = type.getRank() + op.getAxes().size();
    SmallVector<int64_t> axes;
    for (int64_t a : op.getAxes())
      axes.push_back(normalizeAxis(a, outRank));
    llvm::sort(axes);
    SmallVector<OpFoldResult> inSizes = tensorSizes(rewriter, loc, input);
    SmallVector<OpFoldResult> outSizes;
    SmallVector<int64_t> outShape;
    int64_t next = 0;
    for (int64_t d = 0; d < outRank; ++d) {
      if (llvm::is_contained(axes, d)) {
        outSizes.push_back(rewriter.getIndexAttr(1));
        outShape.push_back(1);
        continue;
      }
      if (next >= type.getRank())
        return rewriter.notifyMatchFailure(op, "invalid axes");
      outSizes.push_back(inSizes[next]);
      outShape.push_back(type.getDimSize(next));
      ++next;
    }
    auto outType = RankedTensorType::get(outShape, type.getElementType());
    Value result = tensor::ExpandShapeOp::create(
        rewriter, loc, outType, input, unitReassociation(outRank, axes),
        outSizes);
    replaceWithLowered(rewriter, op, result);
    return success();
  }
};

/// nn.transpose -> linalg.transpose (result dim i is input dim perm[i]).
struct LowerTranspose final : OpRewritePattern<nn::TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::TransposeOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = toLowered(rewriter, loc, op.getInput());
    auto type = cast<RankedTensorType>(input.getType());
    int64_t rank = type.getRank();
    SmallVector<int64_t> perm =
        op.getPerm()
            ? llvm::to_vector(*op.getPerm())
            : llvm::to_vector(llvm::reverse(llvm::seq<int64_t>(0, rank)));
    if (static_cast<int64_t>(perm.size()) != rank)
      return rewriter.notifyMatchFailure(op, "perm does not match the rank");
    if (llvm::equal(perm, llvm::seq<int64_t>(0, rank))) {
      replaceWithLowered(rewriter, op, input);
      return success();
    }
    SmallVector<OpFoldResult> inSizes = tensorSizes(rewriter, loc, input);
    SmallVector<OpFoldResult> outSizes;
    for (int64_t p : perm)
      outSizes.push_back(inSizes[p]);
    // Moving only dimensions of size 1 (a [1, S, D] <-> [S, 1, D] batch
    // swap around attention) keeps the elements in order: a reshape, not
    // a copy.
    if (type.hasStaticShape()) {
      SmallVector<int64_t> kept;
      for (int64_t p : perm)
        if (type.getDimSize(p) != 1)
          kept.push_back(p);
      if (llvm::is_sorted(kept)) {
        SmallVector<int64_t> outShape;
        for (int64_t p : perm)
          outShape.push_back(type.getDimSize(p));
        FailureOr<Value> reshaped =
            reshapeTo(rewriter, loc, input, outSizes,
                      RankedTensorType::get(outShape, type.getElementType()));
        if (succeeded(reshaped)) {
          replaceWithLowered(rewriter, op, *reshaped);
          return success();
        }
      }
    }
    Value init =
        tensor::EmptyOp::create(rewriter, loc, outSizes, type.getElementType());
    Value result = linalg::TransposeOp::create(rewriter, loc, input, init, perm)
                       ->getResult(0);
    replaceWithLowered(rewriter, op, result);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Slice, concat, split
//===----------------------------------------------------------------------===//

/// nn.slice. Per sliced dimension, the start (negative counts from the
/// back, then clamped into [0, size] for positive steps and [0, size - 1]
/// for negative ones, as ONNX) and the step; the length comes from the shape
/// function. With every step known positive: tensor.extract_slice.
/// Otherwise (negative or run-time steps): a linalg.generic reading
/// input[start + i * step], the index clamped into the dimension. Run-time
/// axes select the dimension they slice at run time.
struct LowerSlice final : OpRewritePattern<nn::SliceOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::SliceOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    FailureOr<SmallVector<OpFoldResult>> sizes = reifyResultSizes(rewriter, op);
    if (failed(sizes))
      return failure();
    Value input = toLowered(rewriter, loc, op.getInput());
    auto type = cast<RankedTensorType>(input.getType());
    int64_t rank = type.getRank();
    auto startsType = cast<RankedTensorType>(op.getStarts().getType());
    if (startsType.getRank() != 1 || startsType.isDynamicDim(0))
      return rewriter.notifyMatchFailure(op, "starts has no static length");
    int64_t n = startsType.getDimSize(0);

    IndexMath m{rewriter, loc};
    IndexEntries starts(op.getStarts()), axes(op.getAxes()),
        steps(op.getSteps());
    SmallVector<Value> dims, start, step;
    SmallVector<bool> positive(rank, true);
    for (int64_t d = 0; d < rank; ++d) {
      dims.push_back(m.dim(input, d));
      start.push_back(m.index(0));
      step.push_back(m.index(1));
    }
    for (int64_t i = 0; i < n; ++i) {
      std::optional<int64_t> constantAxis =
          op.getAxes() ? axes.constant(i) : std::optional<int64_t>(i);
      Value stepValue =
          op.getSteps() ? steps.get(rewriter, loc, i) : m.index(1);
      std::optional<int64_t> constantStep =
          op.getSteps() ? steps.constant(i) : std::optional<int64_t>(1);
      Value startValue = starts.get(rewriter, loc, i);
      // The start of entry i if it slices dimension d.
      auto startFor = [&](int64_t d) {
        Value size = dims[d];
        Value s = m.select(m.lt(startValue, m.index(0)),
                           m.add(startValue, size), startValue);
        auto forward = [&] { return m.clamp(s, m.index(0), size); };
        auto backward = [&] {
          return m.clamp(s, m.index(0), m.sub(size, m.index(1)));
        };
        if (constantStep)
          return *constantStep > 0 ? forward() : backward();
        return m.select(m.lt(m.index(0), stepValue), forward(), backward());
      };
      if (constantAxis) {
        int64_t d = normalizeAxis(*constantAxis, rank);
        if (d < 0 || d >= rank)
          return rewriter.notifyMatchFailure(op, "axis out of range");
        start[d] = startFor(d);
        step[d] = stepValue;
        positive[d] = constantStep && *constantStep > 0;
        continue;
      }
      Value axis = axes.get(rewriter, loc, i);
      axis = m.select(m.lt(axis, m.index(0)), m.add(axis, m.index(rank)), axis);
      for (int64_t d = 0; d < rank; ++d) {
        Value here = m.eq(axis, m.index(d));
        start[d] = m.select(here, startFor(d), start[d]);
        step[d] = m.select(here, stepValue, step[d]);
        positive[d] = positive[d] && constantStep && *constantStep > 0;
      }
    }

    Value result;
    if (llvm::all_of(positive, [](bool p) { return p; })) {
      SmallVector<OpFoldResult> offsets, strides;
      for (int64_t d = 0; d < rank; ++d) {
        offsets.push_back(getAsOpFoldResult(start[d]));
        strides.push_back(getAsOpFoldResult(step[d]));
      }
      result = extractSlice(rewriter, loc, input, offsets, *sizes, strides);
    } else {
      Value init = emptyTensor(rewriter, loc, op.getType(), *sizes);
      SmallVector<Value> last;
      for (int64_t d = 0; d < rank; ++d)
        last.push_back(m.max(m.sub(dims[d], m.index(1)), m.index(0)));
      auto outType = cast<RankedTensorType>(init.getType());
      SmallVector<AffineMap> maps = {rewriter.getMultiDimIdentityMap(rank)};
      SmallVector<utils::IteratorType> iterators(rank,
                                                 utils::IteratorType::parallel);
      result = linalg::GenericOp::create(
                   rewriter, loc, outType, ValueRange{}, init, maps, iterators,
                   [&](OpBuilder &b, Location nloc, ValueRange) {
                     IndexMath nm{b, nloc};
                     SmallVector<Value> indices;
                     for (int64_t d = 0; d < rank; ++d) {
                       Value iv = linalg::IndexOp::create(b, nloc, d);
                       Value index = nm.add(start[d], nm.mul(iv, step[d]));
                       indices.push_back(nm.clamp(index, nm.index(0), last[d]));
                     }
                     Value v =
                         tensor::ExtractOp::create(b, nloc, input, indices);
                     linalg::YieldOp::create(b, nloc, v);
                   })
                   .getResult(0);
    }
    replaceWithLowered(rewriter, op, result);
    return success();
  }
};

/// nn.concat: each input inserted into an empty result at its running
/// offset along the axis.
struct LowerConcat final : OpRewritePattern<nn::ConcatOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::ConcatOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    FailureOr<Value> init = emptyForResult(rewriter, op);
    if (failed(init))
      return failure();
    int64_t rank = cast<RankedTensorType>(op.getType()).getRank();
    int64_t axis = normalizeAxis(op.getAxis(), rank);
    if (axis < 0 || axis >= rank)
      return rewriter.notifyMatchFailure(op, "axis out of range");
    IndexMath m{rewriter, loc};
    Value result = *init;
    Value offset = m.index(0);
    SmallVector<OpFoldResult> strides(rank, rewriter.getIndexAttr(1));
    SmallVector<OpFoldResult> outSizes = tensorSizes(rewriter, loc, result);
    std::string source = describeSource(loc);
    for (Value operand : op.getInputs()) {
      Value input = toLowered(rewriter, loc, operand);
      SmallVector<OpFoldResult> inSizes = tensorSizes(rewriter, loc, input);
      // Empty inputs add nothing (and an insert at the end of the result
      // would not verify).
      if (llvm::any_of(inSizes, [](OpFoldResult size) {
            return isConstantIntValue(size, 0);
          }))
        continue;
      // Off the axis every input has the result's sizes; where one of them
      // is known only at run time, check it, and insert no more than both
      // have, so that a failed check stays in bounds.
      Value ok;
      bool cut = false;
      for (int64_t d = 0; d < rank; ++d) {
        if (d == axis ||
            (IndexMath::cst(inSizes[d]) && IndexMath::cst(outSizes[d])))
          continue;
        Value have = m.v(inSizes[d]), want = m.v(outSizes[d]);
        Value same = arith::CmpIOp::create(
            rewriter, loc, arith::CmpIPredicate::eq, have, want);
        ok = ok ? (Value)arith::AndIOp::create(rewriter, loc, ok, same) : same;
        inSizes[d] = getAsOpFoldResult(
            arith::MinSIOp::create(rewriter, loc, have, want).getResult());
        cut = true;
      }
      if (ok)
        cf::AssertOp::create(
            rewriter, loc, ok,
            (source.empty() ? "" : source + ": ") +
                "the inputs of a concatenation differ in a dimension other "
                "than the axis");
      if (cut)
        input = tensor::ExtractSliceOp::create(
            rewriter, loc, input,
            SmallVector<OpFoldResult>(rank, rewriter.getIndexAttr(0)), inSizes,
            strides);
      SmallVector<OpFoldResult> offsets(rank, rewriter.getIndexAttr(0));
      offsets[axis] = getAsOpFoldResult(offset);
      result = tensor::InsertSliceOp::create(rewriter, loc, input, result,
                                             offsets, inSizes, strides);
      offset = m.add(offset, m.v(inSizes[axis]));
    }
    replaceWithLowered(rewriter, op, result);
    return success();
  }
};

/// nn.split: one extract_slice per result at the running offset. Piece
/// sizes come from the shape function; along a dynamic axis they are
/// clamped to what is left of the dimension, so that sizes that do not add
/// up at run time cannot read out of bounds.
struct LowerSplit final : OpRewritePattern<nn::SplitOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::SplitOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = toLowered(rewriter, loc, op.getInput());
    auto type = cast<RankedTensorType>(input.getType());
    int64_t rank = type.getRank();
    int64_t axis = normalizeAxis(op.getAxis(), rank);
    if (axis < 0 || axis >= rank)
      return rewriter.notifyMatchFailure(op, "axis out of range");
    IndexMath m{rewriter, loc};
    Value whole = m.dim(input, axis);
    bool dynamicAxis = type.isDynamicDim(axis);
    Value offset = m.index(0);
    SmallVector<OpFoldResult> strides(rank, rewriter.getIndexAttr(1));
    SmallVector<Value> results;
    for (unsigned i = 0; i < op->getNumResults(); ++i) {
      FailureOr<SmallVector<OpFoldResult>> sizes =
          reifyResultSizes(rewriter, op, i);
      if (failed(sizes))
        return failure();
      SmallVector<OpFoldResult> offsets(rank, rewriter.getIndexAttr(0));
      Value size = m.v((*sizes)[axis]);
      if (dynamicAxis) {
        if (i > 0)
          offset = m.min(offset, whole);
        size = m.min(m.max(size, m.index(0)), m.sub(whole, offset));
      }
      offsets[axis] = getAsOpFoldResult(offset);
      (*sizes)[axis] = getAsOpFoldResult(size);
      results.push_back(
          extractSlice(rewriter, loc, input, offsets, *sizes, strides));
      offset = m.add(offset, size);
    }
    replaceWithLowered(rewriter, op, results);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Pad, expand, tile
//===----------------------------------------------------------------------===//

/// nn.pad. Negative pads crop first (an extract_slice, offsets and sizes
/// clamped into the input); the non-negative rest pads. Constant mode is a
/// tensor.pad. Reflect, edge and wrap are a linalg.generic that maps each
/// output index back into the (cropped) input: edge clamps, wrap takes the
/// index modulo the size, reflect folds it with period 2 * (size - 1) (pads
/// larger than the input repeat the reflection, as numpy does). When an
/// input dim may be 0 at run time, these modes yield 0 rather than read an
/// empty input.
struct LowerPad final : OpRewritePattern<nn::PadOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::PadOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = toLowered(rewriter, loc, op.getInput());
    auto type = cast<RankedTensorType>(input.getType());
    Type elementType = type.getElementType();
    int64_t rank = type.getRank();
    auto padsType = cast<RankedTensorType>(op.getPads().getType());
    if (padsType.getRank() != 1 || padsType.getDimSize(0) != 2 * rank)
      return rewriter.notifyMatchFailure(op, "pads needs 2 x rank entries");
    IndexMath m{rewriter, loc};
    IndexEntries pads(op.getPads());

    SmallVector<OpFoldResult> cropOffsets, cropSizes, low, high;
    bool crops = false;
    for (int64_t d = 0; d < rank; ++d) {
      Value begin = pads.get(rewriter, loc, d);
      Value end = pads.get(rewriter, loc, d + rank);
      Value zero = m.index(0);
      Value size = m.dim(input, d);
      Value offset = m.min(m.max(m.sub(zero, begin), zero), size);
      Value cropEnd = m.max(m.sub(zero, end), zero);
      Value kept = m.max(m.sub(m.sub(size, offset), cropEnd), zero);
      cropOffsets.push_back(getAsOpFoldResult(offset));
      cropSizes.push_back(getAsOpFoldResult(kept));
      crops |= !isConstantIntValue(cropOffsets.back(), 0) ||
               !isConstantIntValue(getAsOpFoldResult(cropEnd), 0);
      low.push_back(getAsOpFoldResult(m.max(begin, zero)));
      high.push_back(getAsOpFoldResult(m.max(end, zero)));
    }
    if (crops)
      input = extractSlice(
          rewriter, loc, input, cropOffsets, cropSizes,
          SmallVector<OpFoldResult>(rank, rewriter.getIndexAttr(1)));

    Value result;
    if (op.getMode() == nn::PadMode::Constant) {
      Value fillValue =
          op.getConstantValue()
              ? extractScalar(rewriter, loc, op.getConstantValue())
              : scalarConstant(rewriter, loc, elementType, 0);
      result = tensor::PadOp::create(rewriter, loc, Type(), input, low, high,
                                     fillValue);
    } else {
      result = padByIndexing(rewriter, loc, op.getMode(), input, low, high);
    }
    replaceWithLowered(rewriter, op, result);
    return success();
  }

  static Value padByIndexing(OpBuilder &b, Location loc, nn::PadMode mode,
                             Value input, ArrayRef<OpFoldResult> low,
                             ArrayRef<OpFoldResult> high) {
    IndexMath m{b, loc};
    auto type = cast<RankedTensorType>(input.getType());
    int64_t rank = type.getRank();
    SmallVector<OpFoldResult> outSizes;
    SmallVector<Value> sizes, begins, lasts, periods;
    Value nonEmpty;
    for (int64_t d = 0; d < rank; ++d) {
      Value size = m.dim(input, d);
      Value begin = m.v(low[d]);
      sizes.push_back(size);
      begins.push_back(begin);
      outSizes.push_back(
          getAsOpFoldResult(m.add(m.add(size, begin), m.v(high[d]))));
      Value last = m.max(m.sub(size, m.index(1)), m.index(0));
      lasts.push_back(last);
      // Reflect's period 2 * (size - 1), wrap's size; at least 1.
      Value period =
          mode == nn::PadMode::Reflect ? m.mul(last, m.index(2)) : size;
      periods.push_back(m.max(period, m.index(1)));
      if (!type.isDynamicDim(d) && type.getDimSize(d) > 0)
        continue;
      Value positive = m.lt(m.index(0), size);
      nonEmpty = nonEmpty
                     ? b.createOrFold<arith::AndIOp>(loc, nonEmpty, positive)
                     : positive;
    }
    Value init =
        tensor::EmptyOp::create(b, loc, outSizes, type.getElementType());
    SmallVector<AffineMap> maps = {b.getMultiDimIdentityMap(rank)};
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    auto generic = linalg::GenericOp::create(
        b, loc, init.getType(), ValueRange{}, init, maps, iterators,
        [&](OpBuilder &nb, Location nloc, ValueRange) {
          IndexMath nm{nb, nloc};
          SmallVector<Value> indices;
          for (int64_t d = 0; d < rank; ++d) {
            Value i = nm.sub(linalg::IndexOp::create(nb, nloc, d), begins[d]);
            switch (mode) {
            case nn::PadMode::Reflect: {
              Value r = nm.floorRem(i, periods[d]);
              i = nm.select(nm.lt(lasts[d], r), nm.sub(periods[d], r), r);
              break;
            }
            case nn::PadMode::Wrap:
              i = nm.floorRem(i, periods[d]);
              break;
            default: // Edge.
              break;
            }
            indices.push_back(nm.clamp(i, nm.index(0), lasts[d]));
          }
          auto read = [&](OpBuilder &rb, Location rloc) -> Value {
            return tensor::ExtractOp::create(rb, rloc, input, indices);
          };
          Value v;
          if (!nonEmpty) {
            v = read(nb, nloc);
          } else {
            auto ifOp = scf::IfOp::create(
                nb, nloc, nonEmpty,
                [&](OpBuilder &tb, Location tloc) {
                  scf::YieldOp::create(tb, tloc, read(tb, tloc));
                },
                [&](OpBuilder &eb, Location eloc) {
                  scf::YieldOp::create(
                      eb, eloc,
                      scalarConstant(eb, eloc, type.getElementType(), 0));
                });
            v = ifOp.getResult(0);
          }
          linalg::YieldOp::create(nb, nloc, v);
        });
    return generic.getResult(0);
  }
};

/// nn.expand: numpy broadcast of the input to the shape function's sizes.
struct LowerExpand final : OpRewritePattern<nn::ExpandOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::ExpandOp op,
                                PatternRewriter &rewriter) const override {
    FailureOr<SmallVector<OpFoldResult>> sizes = reifyResultSizes(rewriter, op);
    if (failed(sizes))
      return failure();
    Value result = broadcastTo(rewriter, op.getLoc(), op.getInput(), *sizes);
    replaceWithLowered(rewriter, op, result);
    return success();
  }
};

/// nn.tile: linalg.broadcast of the input [n0, n1, ...] to [r0, n0, r1,
/// n1, ...], then a collapse of each (r_i, n_i) pair. Negative repeats at
/// run time count as 0.
struct LowerTile final : OpRewritePattern<nn::TileOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::TileOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = toLowered(rewriter, loc, op.getInput());
    auto type = cast<RankedTensorType>(input.getType());
    int64_t rank = type.getRank();
    if (rank == 0) {
      replaceWithLowered(rewriter, op, input);
      return success();
    }
    auto repeatsType = cast<RankedTensorType>(op.getRepeats().getType());
    if (repeatsType.getRank() != 1 || repeatsType.getDimSize(0) != rank)
      return rewriter.notifyMatchFailure(op, "repeats needs rank entries");
    IndexMath m{rewriter, loc};
    IndexEntries repeats(op.getRepeats());
    SmallVector<OpFoldResult> inSizes = tensorSizes(rewriter, loc, input);
    SmallVector<OpFoldResult> wideSizes;
    SmallVector<int64_t> added;
    SmallVector<ReassociationIndices> groups;
    for (int64_t d = 0; d < rank; ++d) {
      Value r = m.max(repeats.get(rewriter, loc, d), m.index(0));
      added.push_back(2 * d);
      wideSizes.push_back(getAsOpFoldResult(r));
      wideSizes.push_back(inSizes[d]);
      groups.push_back({2 * d, 2 * d + 1});
    }
    Value init = tensor::EmptyOp::create(rewriter, loc, wideSizes,
                                         type.getElementType());
    Value wide = linalg::BroadcastOp::create(rewriter, loc, input, init, added)
                     ->getResult(0);
    Value result = tensor::CollapseShapeOp::create(rewriter, loc, wide, groups);
    replaceWithLowered(rewriter, op, result);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Shape queries and constants
//===----------------------------------------------------------------------===//

/// nn.shape_of: the sizes of dims [start, end) (clamped as ONNX Shape) as
/// i64, through tensor.from_elements.
struct LowerShapeOf final : OpRewritePattern<nn::ShapeOfOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::ShapeOfOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = toLowered(rewriter, loc, op.getInput());
    int64_t rank = cast<RankedTensorType>(input.getType()).getRank();
    auto clampIndex = [&](int64_t v) {
      if (v < 0)
        v += rank;
      return std::clamp<int64_t>(v, 0, rank);
    };
    int64_t start = clampIndex(op.getStart());
    int64_t end = op.getEnd() ? clampIndex(*op.getEnd()) : rank;
    end = std::max(start, end);
    auto resultType =
        RankedTensorType::get({end - start}, rewriter.getI64Type());
    IndexMath m{rewriter, loc};
    Value result;
    if (end == start) {
      result = arith::ConstantOp::create(
          rewriter, loc,
          DenseElementsAttr::get(resultType, ArrayRef<int64_t>{}));
    } else {
      SmallVector<Value> elements;
      for (int64_t d = start; d < end; ++d)
        elements.push_back(rewriter.createOrFold<arith::IndexCastOp>(
            loc, rewriter.getI64Type(), m.dim(input, d)));
      result =
          tensor::FromElementsOp::create(rewriter, loc, resultType, elements);
    }
    replaceWithLowered(rewriter, op, result);
    return success();
  }
};

/// nn.size: the product of the dims as a 0-d i64 tensor.
struct LowerSize final : OpRewritePattern<nn::SizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::SizeOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = toLowered(rewriter, loc, op.getInput());
    int64_t rank = cast<RankedTensorType>(input.getType()).getRank();
    IndexMath m{rewriter, loc};
    Value count = m.index(1);
    for (int64_t d = 0; d < rank; ++d)
      count = m.mul(count, m.dim(input, d));
    Value element = rewriter.createOrFold<arith::IndexCastOp>(
        loc, rewriter.getI64Type(), count);
    Value result = tensor::FromElementsOp::create(
        rewriter, loc, RankedTensorType::get({}, rewriter.getI64Type()),
        element);
    replaceWithLowered(rewriter, op, result);
    return success();
  }
};

/// nn.constant_of_shape: linalg.fill of an empty tensor with the value.
struct LowerConstantOfShape final : OpRewritePattern<nn::ConstantOfShapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::ConstantOfShapeOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    FailureOr<Value> init = emptyForResult(rewriter, op);
    if (failed(init))
      return failure();
    Type elementType = lowerElementType(op.getValue().getElementType());
    Value scalar;
    Attribute attr = op.getValue();
    if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
      Attribute element = *dense.getValues<Attribute>().begin();
      if (auto intAttr = dyn_cast<IntegerAttr>(element))
        element = IntegerAttr::get(elementType, intAttr.getValue());
      scalar =
          arith::ConstantOp::create(rewriter, loc, cast<TypedAttr>(element));
    } else if (auto resource = dyn_cast<DenseResourceElementsAttr>(attr)) {
      auto valueType = cast<RankedTensorType>(lowerType(resource.getType()));
      Value tensor = arith::ConstantOp::create(
          rewriter, loc,
          DenseResourceElementsAttr::get(valueType, resource.getRawHandle()));
      SmallVector<Value> zeros(
          valueType.getRank(),
          arith::ConstantIndexOp::create(rewriter, loc, 0));
      scalar = tensor::ExtractOp::create(rewriter, loc, tensor, zeros);
    } else {
      return rewriter.notifyMatchFailure(op, "unsupported value attribute");
    }
    replaceWithLowered(rewriter, op, fill(rewriter, loc, *init, scalar));
    return success();
  }
};

/// splitmix64's finalizer: a bijective mix of the 64 bits of `x`.
static Value splitMix(OpBuilder &b, Location loc, Value x) {
  auto constant = [&](uint64_t v) {
    return arith::ConstantIntOp::create(b, loc, b.getI64Type(), int64_t(v));
  };
  auto xorShift = [&](Value v, int64_t bits) {
    return arith::XOrIOp::create(
        b, loc, v, arith::ShRUIOp::create(b, loc, v, constant(bits)));
  };
  x = arith::MulIOp::create(b, loc, xorShift(x, 30),
                            constant(0xbf58476d1ce4e5b9ULL));
  x = arith::MulIOp::create(b, loc, xorShift(x, 27),
                            constant(0x94d049bb133111ebULL));
  return xorShift(x, 31);
}

/// nn.random: per call, key = mix(seed or an address, call number) (the
/// call number from a module global the op increments atomically); element
/// i draws mix(key + (2 i + j) * golden ratio) for j = 0 (and 1 for a
/// normal draw's second uniform), a counter-based generator (splitmix64).
/// Uniform: a + (b - a) u with u in [0, 1) from the top 53 bits; normal:
/// Box-Muller, a + b sqrt(-2 ln(1 - u0)) cos(2 pi u1), computed in f64.
struct LowerRandom final : OpRewritePattern<nn::RandomOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::RandomOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto module = op->getParentOfType<ModuleOp>();
    if (!module)
      return rewriter.notifyMatchFailure(op, "not inside a module");
    FailureOr<Value> init = emptyForResult(rewriter, op);
    if (failed(init))
      return failure();
    Type i64 = rewriter.getI64Type(), f64 = rewriter.getF64Type();
    auto constant = [&](uint64_t v) {
      return arith::ConstantIntOp::create(rewriter, loc, i64, int64_t(v));
    };

    // The op's call counter.
    auto counterType = MemRefType::get({1}, i64);
    std::string name;
    for (int n = 0;; ++n) {
      name = "__ddl_random_calls_" + std::to_string(n);
      if (!SymbolTable::lookupSymbolIn(module, name))
        break;
    }
    {
      OpBuilder::InsertionGuard guard(rewriter);
      rewriter.setInsertionPointToStart(module.getBody());
      memref::GlobalOp::create(
          rewriter, loc, name, rewriter.getStringAttr("private"), counterType,
          DenseElementsAttr::get(RankedTensorType::get({1}, i64),
                                 rewriter.getI64IntegerAttr(0)),
          /*constant=*/false, /*alignment=*/nullptr);
    }
    Value counter =
        memref::GetGlobalOp::create(rewriter, loc, counterType, name);
    Value call = memref::AtomicRMWOp::create(
        rewriter, loc, arith::AtomicRMWKind::addi, constant(1), counter,
        ValueRange{arith::ConstantIndexOp::create(rewriter, loc, 0)});
    Value seed;
    if (std::optional<APFloat> given = op.getSeed()) {
      seed = constant(given->bitcastToAPInt().getZExtValue());
    } else {
      // No seed: the counter's address, which address-space layout
      // randomization makes differ from process to process. (A cycle
      // counter read would be an op of unknown effects to bufferization.)
      seed = arith::IndexCastUIOp::create(
          rewriter, loc, i64,
          memref::ExtractAlignedPointerAsIndexOp::create(rewriter, loc,
                                                         counter));
    }
    Value key =
        splitMix(rewriter, loc,
                 arith::XOrIOp::create(rewriter, loc,
                                       splitMix(rewriter, loc, seed), call));

    auto resultType = cast<RankedTensorType>(op.getType());
    int64_t rank = resultType.getRank();
    SmallVector<Value> sizes = getValueOrCreateConstantIndexOp(
        rewriter, loc, tensorSizes(rewriter, loc, *init));
    bool normal = op.getDistribution() == nn::RandomDistribution::Normal;
    double a = op.getA().convertToDouble(), b = op.getB().convertToDouble();
    Type elementType = lowerElementType(resultType.getElementType());
    SmallVector<AffineMap> maps = {rewriter.getMultiDimIdentityMap(rank)};
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, init->getType(), ValueRange{}, ValueRange{*init}, maps,
        iterators, [&](OpBuilder &nb, Location nloc, ValueRange) {
          // Row-major element index.
          Value linear = arith::ConstantIndexOp::create(nb, nloc, 0);
          for (int64_t d = 0; d < rank; ++d)
            linear = arith::AddIOp::create(
                nb, nloc, arith::MulIOp::create(nb, nloc, linear, sizes[d]),
                linalg::IndexOp::create(nb, nloc, d));
          Value index = arith::IndexCastUIOp::create(nb, nloc, i64, linear);
          auto uniform = [&](int64_t stream) {
            Value draw = arith::AddIOp::create(
                nb, nloc,
                arith::ShLIOp::create(
                    nb, nloc, index,
                    arith::ConstantIntOp::create(nb, nloc, i64, 1)),
                arith::ConstantIntOp::create(nb, nloc, i64, stream));
            Value bits = splitMix(
                nb, nloc,
                arith::AddIOp::create(
                    nb, nloc, key,
                    arith::MulIOp::create(
                        nb, nloc, draw,
                        arith::ConstantIntOp::create(
                            nb, nloc, i64, int64_t(0x9e3779b97f4a7c15ULL)))));
            Value top = arith::ShRUIOp::create(
                nb, nloc, bits,
                arith::ConstantIntOp::create(nb, nloc, i64, 11));
            return arith::MulFOp::create(
                nb, nloc, arith::UIToFPOp::create(nb, nloc, f64, top),
                arith::ConstantOp::create(
                    nb, nloc, nb.getF64FloatAttr(std::ldexp(1.0, -53))));
          };
          auto f = [&](double v) {
            return arith::ConstantOp::create(nb, nloc, nb.getF64FloatAttr(v));
          };
          Value value;
          if (normal) {
            Value radius = math::SqrtOp::create(
                nb, nloc,
                arith::MulFOp::create(
                    nb, nloc, f(-2.0),
                    math::LogOp::create(
                        nb, nloc,
                        arith::SubFOp::create(nb, nloc, f(1.0), uniform(0)))));
            Value angle = arith::MulFOp::create(
                nb, nloc, f(2 * llvm::numbers::pi), uniform(1));
            value = arith::MulFOp::create(nb, nloc, radius,
                                          math::CosOp::create(nb, nloc, angle));
          } else {
            value = uniform(0);
          }
          value = arith::AddFOp::create(
              nb, nloc, f(a),
              arith::MulFOp::create(nb, nloc, f(normal ? b : b - a), value));
          value = convertScalar(nb, nloc, value, elementType, false, false);
          linalg::YieldOp::create(nb, nloc, value);
        });
    replaceWithLowered(rewriter, op, generic.getResult(0));
    return success();
  }
};

/// nn.range: start + i * delta for i < max(ceil((limit - start) / delta),
/// 0). Integer counts use exact integer division; float counts are computed
/// in f64 (clamped to [0, 2^62] so that NaN and infinities cannot reach the
/// conversion) and half-precision values in f32.
struct LowerRange final : OpRewritePattern<nn::RangeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::RangeOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    bool isUnsigned = isUnsignedInteger(op.getType());
    Value start = extractScalar(rewriter, loc, op.getStart());
    Value limit = extractScalar(rewriter, loc, op.getLimit());
    Value delta = extractScalar(rewriter, loc, op.getDelta());
    Type type = start.getType();
    Value count;
    if (auto floatType = dyn_cast<FloatType>(type)) {
      Type f64 = rewriter.getF64Type();
      auto wide = [&](Value v) {
        return convertScalar(rewriter, loc, v, f64, false, false);
      };
      Value quotient = arith::DivFOp::create(
          rewriter, loc,
          arith::SubFOp::create(rewriter, loc, wide(limit), wide(start)),
          wide(delta));
      Value ceil = math::CeilOp::create(rewriter, loc, quotient);
      Value zero = scalarConstant(rewriter, loc, f64, 0);
      Value bound =
          scalarConstant(rewriter, loc, f64, double(int64_t(1) << 62));
      // NaN compares false: it becomes 0.
      Value positive = arith::CmpFOp::create(
          rewriter, loc, arith::CmpFPredicate::OGT, ceil, zero);
      Value clamped = arith::SelectOp::create(
          rewriter, loc, positive,
          arith::MinimumFOp::create(rewriter, loc, ceil, bound), zero);
      count = arith::IndexCastOp::create(
          rewriter, loc, rewriter.getIndexType(),
          arith::FPToSIOp::create(rewriter, loc, rewriter.getI64Type(),
                                  clamped));
    } else {
      Type i64 = rewriter.getI64Type();
      auto wide = [&](Value v) {
        return convertScalar(rewriter, loc, v, i64, isUnsigned, false);
      };
      Value span =
          arith::SubIOp::create(rewriter, loc, wide(limit), wide(start));
      Value d = wide(delta);
      // Delta 0 is invalid; divide by 1 instead of trapping.
      Value isZero =
          arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::eq, d,
                                scalarConstant(rewriter, loc, i64, 0));
      d = arith::SelectOp::create(rewriter, loc, isZero,
                                  scalarConstant(rewriter, loc, i64, 1), d);
      Value n = arith::CeilDivSIOp::create(rewriter, loc, span, d);
      n = arith::MaxSIOp::create(rewriter, loc, n,
                                 scalarConstant(rewriter, loc, i64, 0));
      count =
          arith::IndexCastOp::create(rewriter, loc, rewriter.getIndexType(), n);
    }
    Value init =
        emptyTensor(rewriter, loc, op.getType(), {getAsOpFoldResult(count)});
    auto floatType = dyn_cast<FloatType>(type);
    Type computeType =
        floatType && floatType.getWidth() < 32 ? rewriter.getF32Type() : type;
    Value s = convertScalar(rewriter, loc, start, computeType, false, false);
    Value dl = convertScalar(rewriter, loc, delta, computeType, false, false);
    SmallVector<AffineMap> maps = {rewriter.getMultiDimIdentityMap(1)};
    SmallVector<utils::IteratorType> iterators = {
        utils::IteratorType::parallel};
    auto generic = linalg::GenericOp::create(
        rewriter, loc, init.getType(), ValueRange{}, init, maps, iterators,
        [&](OpBuilder &b, Location nloc, ValueRange) {
          Value i = linalg::IndexOp::create(b, nloc, 0);
          Value v;
          if (isa<FloatType>(computeType)) {
            Value fi = arith::UIToFPOp::create(
                b, nloc, computeType,
                arith::IndexCastUIOp::create(b, nloc, b.getI64Type(), i));
            v = arith::AddFOp::create(b, nloc, s,
                                      arith::MulFOp::create(b, nloc, fi, dl));
          } else {
            Value ii = arith::IndexCastOp::create(b, nloc, computeType, i);
            v = arith::AddIOp::create(b, nloc, s,
                                      arith::MulIOp::create(b, nloc, ii, dl));
          }
          v = convertScalar(b, nloc, v, type, false, false);
          linalg::YieldOp::create(b, nloc, v);
        });
    replaceWithLowered(rewriter, op, generic.getResult(0));
    return success();
  }
};

} // namespace

void ddl::lowering::populateDataMovementPatterns(RewritePatternSet &patterns) {
  patterns.add<LowerReshape, LowerFlatten, LowerSqueeze, LowerUnsqueeze,
               LowerTranspose, LowerSlice, LowerConcat, LowerSplit, LowerPad,
               LowerExpand, LowerTile, LowerShapeOf, LowerSize,
               LowerConstantOfShape, LowerRandom, LowerRange>(
      patterns.getContext());
}
