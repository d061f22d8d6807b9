//===- Reduction.cpp - nn reductions and normalizations to linalg ---------===//
//
// Reductions become linalg.reduce (one input) or a linalg.generic with
// reduction iterators (when the body also reads a per-row value such as a
// running maximum), followed by an elementwise generic for the final
// formula (mean's division, L2's square root, ...) and a tensor.expand_shape
// for keepdims. Half-precision floats accumulate in f32.
//
// Scans and selections that linalg has no op for (cumsum, top_k) are
// scf.for loops over tensor slices whose bodies are linalg ops over all the
// other dimensions at once.
//
// Softmax-like ops and normalizations are two or three passes: row
// statistics (maximum then sum of exponentials; mean then variance, two
// passes for accuracy), then one elementwise generic that reads them
// broadcast along the reduced dimensions.
//
//===----------------------------------------------------------------------===//

#include "passes/lowering/NNToLinalg/Common.h"

#include "mlir/Dialect/Utils/StaticValueUtils.h"

#include "dialects/nn/ShapeBuilder.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace ddl;
using namespace ddl::lowering;

//===----------------------------------------------------------------------===//
// Scalar helpers
//===----------------------------------------------------------------------===//

static bool isFloat(Value v) { return isa<FloatType>(v.getType()); }

static Value add(OpBuilder &b, Location loc, Value x, Value y) {
  return isFloat(x) ? Value(arith::AddFOp::create(b, loc, x, y))
                    : Value(arith::AddIOp::create(b, loc, x, y));
}
static Value sub(OpBuilder &b, Location loc, Value x, Value y) {
  return isFloat(x) ? Value(arith::SubFOp::create(b, loc, x, y))
                    : Value(arith::SubIOp::create(b, loc, x, y));
}
static Value mul(OpBuilder &b, Location loc, Value x, Value y) {
  return isFloat(x) ? Value(arith::MulFOp::create(b, loc, x, y))
                    : Value(arith::MulIOp::create(b, loc, x, y));
}

static Value isNan(OpBuilder &b, Location loc, Value x) {
  return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, x, x);
}

/// True if `lhs` comes strictly before `rhs` in a descending (or ascending)
/// order of numbers; NaN comes before every number with `nanFirst`, after
/// them otherwise (argmax/argmin pick NaN first as numpy does; numpy's sort
/// puts NaN last, so top_k puts it first for largest, last for smallest).
static Value orderedBefore(OpBuilder &b, Location loc, Value lhs, Value rhs,
                           bool descending, bool nanFirst, bool isUnsigned) {
  if (!isFloat(lhs)) {
    bool asUnsigned = isUnsigned || lhs.getType().isInteger(1);
    arith::CmpIPredicate pred = descending
                                    ? (asUnsigned ? arith::CmpIPredicate::ugt
                                                  : arith::CmpIPredicate::sgt)
                                    : (asUnsigned ? arith::CmpIPredicate::ult
                                                  : arith::CmpIPredicate::slt);
    return arith::CmpIOp::create(b, loc, pred, lhs, rhs);
  }
  Value ordered = arith::CmpFOp::create(b, loc,
                                        descending ? arith::CmpFPredicate::OGT
                                                   : arith::CmpFPredicate::OLT,
                                        lhs, rhs);
  Value lhsNan = isNan(b, loc, lhs), rhsNan = isNan(b, loc, rhs);
  Value trueValue = scalarConstant(b, loc, b.getI1Type(), 1);
  Value nanWins = nanFirst
                      ? arith::AndIOp::create(
                            b, loc, lhsNan,
                            arith::XOrIOp::create(b, loc, rhsNan, trueValue))
                      : arith::AndIOp::create(
                            b, loc, rhsNan,
                            arith::XOrIOp::create(b, loc, lhsNan, trueValue));
  return arith::OrIOp::create(b, loc, ordered, nanWins);
}

/// `lhs == rhs`, with NaN equal to NaN (so ties among NaNs break by index).
static Value orderedEqual(OpBuilder &b, Location loc, Value lhs, Value rhs) {
  if (!isFloat(lhs))
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, lhs, rhs);
  Value eq = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, lhs, rhs);
  Value bothNan =
      arith::AndIOp::create(b, loc, isNan(b, loc, lhs), isNan(b, loc, rhs));
  return arith::OrIOp::create(b, loc, eq, bothNan);
}

static Value i1Or(OpBuilder &b, Location loc, Value x, Value y) {
  return arith::OrIOp::create(b, loc, x, y);
}
static Value i1And(OpBuilder &b, Location loc, Value x, Value y) {
  return arith::AndIOp::create(b, loc, x, y);
}

//===----------------------------------------------------------------------===//
// Tensor helpers
//===----------------------------------------------------------------------===//

/// The sizes of the lowered `x` without the dimensions in `dims`.
static SmallVector<OpFoldResult> keptSizes(OpBuilder &b, Location loc, Value x,
                                           ArrayRef<int64_t> dims) {
  SmallVector<OpFoldResult> kept;
  for (auto [i, size] : llvm::enumerate(tensorSizes(b, loc, x)))
    if (!llvm::is_contained(dims, int64_t(i)))
      kept.push_back(size);
  return kept;
}

/// The map from a rank-`rank` iteration space to the dimensions not in
/// `dims`.
static AffineMap keptMap(MLIRContext *context, int64_t rank,
                         ArrayRef<int64_t> dims) {
  SmallVector<AffineExpr> exprs;
  for (int64_t d = 0; d < rank; ++d)
    if (!llvm::is_contained(dims, d))
      exprs.push_back(getAffineDimExpr(d, context));
  return AffineMap::get(rank, 0, exprs, context);
}

/// The number of elements of `x` in the dimensions `dims`, as an index.
static Value elementCount(OpBuilder &b, Location loc, Value x,
                          ArrayRef<int64_t> dims) {
  Value count = arith::ConstantIndexOp::create(b, loc, 1);
  for (int64_t d : dims)
    count = arith::MulIOp::create(b, loc, count,
                                  tensor::DimOp::create(b, loc, x, d));
  return count;
}

/// `count` (an index) as a scalar of float type `type`.
static Value countAs(OpBuilder &b, Location loc, Value count, Type type) {
  return convertScalar(b, loc, indexToI64(b, loc, count), type, false, false);
}

using ReduceBody = llvm::function_ref<Value(OpBuilder &b, Location loc, Value x,
                                            ValueRange extras, Value acc)>;

/// Reduces the lowered tensor `x` over `dims` (sorted) into a new tensor of
/// the kept dimensions, every element starting at `init`: `body` folds one
/// element of `x` into the accumulator. `extras` are lowered tensors of the
/// kept shape that the body reads for the element's row. linalg.reduce when
/// there are no extras, a linalg.generic otherwise.
static Value reduceDims(OpBuilder &b, Location loc, Value x,
                        ArrayRef<int64_t> dims, ValueRange extras, Value init,
                        ReduceBody body) {
  int64_t rank = cast<RankedTensorType>(x.getType()).getRank();
  SmallVector<OpFoldResult> kept = keptSizes(b, loc, x, dims);
  Value acc =
      fill(b, loc, tensor::EmptyOp::create(b, loc, kept, init.getType()), init);
  if (extras.empty() && !dims.empty()) {
    auto reduce = linalg::ReduceOp::create(
        b, loc, x, acc, dims,
        [&](OpBuilder &nb, Location nloc, ValueRange args) {
          linalg::YieldOp::create(nb, nloc,
                                  body(nb, nloc, args[0], {}, args[1]));
        });
    return reduce.getResult(0);
  }
  MLIRContext *context = b.getContext();
  SmallVector<AffineMap> maps = {b.getMultiDimIdentityMap(rank)};
  AffineMap kMap = keptMap(context, rank, dims);
  maps.append(extras.size() + 1, kMap);
  SmallVector<utils::IteratorType> iterators;
  for (int64_t d = 0; d < rank; ++d)
    iterators.push_back(llvm::is_contained(dims, d)
                            ? utils::IteratorType::reduction
                            : utils::IteratorType::parallel);
  SmallVector<Value> inputs = {x};
  llvm::append_range(inputs, extras);
  auto generic = linalg::GenericOp::create(
      b, loc, acc.getType(), inputs, acc, maps, iterators,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        Value result = body(nb, nloc, args.front(),
                            args.slice(1, extras.size()), args.back());
        linalg::YieldOp::create(nb, nloc, result);
      });
  return generic.getResult(0);
}

using MapBody =
    llvm::function_ref<Value(OpBuilder &b, Location loc, ValueRange args)>;

/// A parallel linalg.generic over the shape of the lowered `shapeOf`
/// computing `body` from `inputs` (read through `maps`) into a new tensor
/// of element type `elementType`.
static Value mapInto(OpBuilder &b, Location loc, Value shapeOf,
                     ValueRange inputs, ArrayRef<AffineMap> maps,
                     Type elementType, MapBody body) {
  int64_t rank = cast<RankedTensorType>(shapeOf.getType()).getRank();
  Value init = tensor::EmptyOp::create(b, loc, tensorSizes(b, loc, shapeOf),
                                       elementType);
  SmallVector<AffineMap> allMaps(maps);
  allMaps.push_back(b.getMultiDimIdentityMap(rank));
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, init.getType(), inputs, init, allMaps, iterators,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        linalg::YieldOp::create(nb, nloc, body(nb, nloc, args.drop_back()));
      });
  return generic.getResult(0);
}

/// Elementwise `body` over tensors of one shape.
static Value mapSameShape(OpBuilder &b, Location loc, ValueRange inputs,
                          Type elementType, MapBody body) {
  int64_t rank = cast<RankedTensorType>(inputs[0].getType()).getRank();
  SmallVector<AffineMap> maps(inputs.size(), b.getMultiDimIdentityMap(rank));
  return mapInto(b, loc, inputs[0], inputs, maps, elementType, body);
}

/// The reassociation between a rank-`rank` shape whose `dims` are 1 and the
/// shape without them: each unit dimension joins the next kept one, trailing
/// ones the last (none kept: empty, a 0-d tensor). Reshapes name the groups
/// rather than leave "which unit dims" to a rank-reducing slice's inference,
/// which picks wrongly when a kept dimension is 1 too.
static SmallVector<ReassociationIndices> unitDimGroups(int64_t rank,
                                                       ArrayRef<int64_t> dims) {
  SmallVector<ReassociationIndices> groups;
  ReassociationIndices pending;
  for (int64_t d = 0; d < rank; ++d) {
    pending.push_back(d);
    if (llvm::is_contained(dims, d))
      continue;
    groups.push_back(pending);
    pending.clear();
  }
  if (!groups.empty())
    groups.back().append(pending.begin(), pending.end());
  return groups;
}

/// `reduced` (the result of reducing a rank-`rank` tensor over `dims`) with
/// the reduced dimensions put back as size 1.
static Value expandReduced(OpBuilder &b, Location loc, Value reduced,
                           int64_t rank, ArrayRef<int64_t> dims) {
  auto type = cast<RankedTensorType>(reduced.getType());
  SmallVector<OpFoldResult> keptSizes = tensorSizes(b, loc, reduced);
  SmallVector<OpFoldResult> sizes;
  SmallVector<int64_t> shape;
  unsigned next = 0;
  for (int64_t d = 0; d < rank; ++d) {
    if (llvm::is_contained(dims, d)) {
      sizes.push_back(b.getIndexAttr(1));
      shape.push_back(1);
      continue;
    }
    sizes.push_back(keptSizes[next]);
    shape.push_back(type.getDimSize(next));
    ++next;
  }
  SmallVector<ReassociationIndices> groups = unitDimGroups(rank, dims);
  auto resultType = RankedTensorType::get(shape, type.getElementType());
  return tensor::ExpandShapeOp::create(b, loc, resultType, reduced, groups,
                                       sizes);
}

/// Normalizes `axis` for `rank`, failing when it is out of range.
static FailureOr<int64_t> checkedAxis(PatternRewriter &rewriter, Operation *op,
                                      int64_t axis, int64_t rank) {
  int64_t normalized = normalizeAxis(axis, rank);
  if (normalized < 0 || normalized >= rank)
    return rewriter.notifyMatchFailure(op, "axis out of range");
  return normalized;
}

//===----------------------------------------------------------------------===//
// nn.reduce
//===----------------------------------------------------------------------===//

namespace {
/// nn.reduce: one reduction pass (two for log_sum_exp, which subtracts the
/// maximum first so that exp cannot overflow), then the kind's final
/// formula and keepdims. Integers accumulate in their own type (wrapping,
/// as ONNX's integer sums do), except mean, l2 and log_sum which accumulate
/// in i64 and log_sum_exp which computes in f64; their float results
/// convert back truncating. Reducing an empty set gives the identity: 0 for
/// sums, 1 for prod, the lowest/highest value for max/min, -inf for
/// log_sum/log_sum_exp, NaN for a float mean (0 for an integer one).
struct LowerReduce final : OpRewritePattern<nn::ReduceOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::ReduceOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto inType = cast<RankedTensorType>(op.getInput().getType());
    int64_t rank = inType.getRank();
    bool isUnsigned = isUnsignedInteger(inType);
    Type elementType = lowerElementType(inType.getElementType());
    nn::ReduceKind kind = op.getKind();
    using K = nn::ReduceKind;

    SmallVector<int64_t> dims;
    std::optional<ArrayRef<int64_t>> axes = op.getAxes();
    if (axes && !axes->empty()) {
      for (int64_t axis : *axes) {
        FailureOr<int64_t> d = checkedAxis(rewriter, op, axis, rank);
        if (failed(d))
          return failure();
        dims.push_back(*d);
      }
      llvm::sort(dims);
      dims.erase(llvm::unique(dims), dims.end());
    } else if (!op.getNoopWithEmptyAxes()) {
      dims = llvm::to_vector(llvm::seq<int64_t>(0, rank));
    }

    bool floatInput = isa<FloatType>(elementType);
    if (elementType.isInteger(1) && kind != K::Max && kind != K::Min)
      return rewriter.notifyMatchFailure(
          op, "bool reductions other than max/min are not supported");
    Type accType = accumulatorType(elementType);
    if (!floatInput) {
      if (kind == K::Mean || kind == K::L2 || kind == K::LogSum)
        accType = rewriter.getI64Type();
      else if (kind == K::LogSumExp)
        accType = rewriter.getF64Type();
    }
    auto pre = [&](OpBuilder &b, Location l, Value x) {
      return convertScalar(b, l, x, accType, isUnsigned, false);
    };
    bool accUnsigned = isUnsigned && accType == elementType;

    Value x = toLowered(rewriter, loc, op.getInput());
    Value zero = scalarConstant(rewriter, loc, accType, 0);
    Value result;
    Value maxima; // log_sum_exp: the finite row maxima (0 where infinite).
    switch (kind) {
    case K::Max:
    case K::Min: {
      bool isMax = kind == K::Max;
      Value init = isMax ? lowestValue(rewriter, loc, accType, accUnsigned)
                         : highestValue(rewriter, loc, accType, accUnsigned);
      result = reduceDims(
          rewriter, loc, x, dims, {}, init,
          [&](OpBuilder &b, Location l, Value v, ValueRange, Value acc) {
            Value w = pre(b, l, v);
            return isMax ? scalarMax(b, l, w, acc, accUnsigned)
                         : scalarMin(b, l, w, acc, accUnsigned);
          });
      break;
    }
    case K::Prod:
      result = reduceDims(
          rewriter, loc, x, dims, {}, scalarConstant(rewriter, loc, accType, 1),
          [&](OpBuilder &b, Location l, Value v, ValueRange, Value acc) {
            return mul(b, l, pre(b, l, v), acc);
          });
      break;
    case K::Sum:
    case K::Mean:
    case K::LogSum:
      result =
          reduceDims(rewriter, loc, x, dims, {}, zero,
                     [&](OpBuilder &b, Location l, Value v, ValueRange,
                         Value acc) { return add(b, l, pre(b, l, v), acc); });
      break;
    case K::L1:
      result = reduceDims(
          rewriter, loc, x, dims, {}, zero,
          [&](OpBuilder &b, Location l, Value v, ValueRange, Value acc) {
            Value w = pre(b, l, v);
            if (isFloat(w))
              w = math::AbsFOp::create(b, l, w);
            else if (!isUnsigned)
              w = math::AbsIOp::create(b, l, w);
            return add(b, l, w, acc);
          });
      break;
    case K::L2:
    case K::SumSquare:
      result = reduceDims(
          rewriter, loc, x, dims, {}, zero,
          [&](OpBuilder &b, Location l, Value v, ValueRange, Value acc) {
            Value w = pre(b, l, v);
            return add(b, l, mul(b, l, w, w), acc);
          });
      break;
    case K::LogSumExp: {
      Value rowMax = reduceDims(
          rewriter, loc, x, dims, {},
          lowestValue(rewriter, loc, accType, false),
          [&](OpBuilder &b, Location l, Value v, ValueRange, Value acc) {
            return scalarMax(b, l, pre(b, l, v), acc, false);
          });
      // An infinite maximum (all -inf, an empty set, or +inf) is not
      // subtracted: inf - inf would be NaN.
      maxima = mapSameShape(
          rewriter, loc, rowMax, accType,
          [&](OpBuilder &b, Location l, ValueRange s) -> Value {
            Value absMax = math::AbsFOp::create(b, l, s[0]);
            Value inf = highestValue(b, l, accType, false);
            Value isInf = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OEQ,
                                                absMax, inf);
            return arith::SelectOp::create(
                b, l, isInf, scalarConstant(b, l, accType, 0), s[0]);
          });
      result = reduceDims(
          rewriter, loc, x, dims, maxima, zero,
          [&](OpBuilder &b, Location l, Value v, ValueRange extras, Value acc) {
            Value shifted = sub(b, l, pre(b, l, v), extras[0]);
            return add(b, l, math::ExpOp::create(b, l, shifted), acc);
          });
      break;
    }
    }

    // The kind's final formula and the conversion back to the element type.
    Value count;
    if (kind == K::Mean)
      count = elementCount(rewriter, loc, x, dims);
    bool needsFinal = accType != elementType || kind == K::Mean ||
                      kind == K::L2 || kind == K::LogSum ||
                      kind == K::LogSumExp;
    if (needsFinal) {
      SmallVector<Value> inputs = {result};
      if (maxima)
        inputs.push_back(maxima);
      result = mapSameShape(
          rewriter, loc, inputs, elementType,
          [&](OpBuilder &b, Location l, ValueRange s) -> Value {
            Value acc = s[0];
            Type t = accType;
            // Integer l2 and log_sum compute their float part in f64.
            if (!isFloat(acc) && (kind == K::L2 || kind == K::LogSum)) {
              t = b.getF64Type();
              acc = convertScalar(b, l, acc, t, false, false);
            }
            switch (kind) {
            case K::Mean:
              if (isFloat(acc)) {
                acc = arith::DivFOp::create(b, l, acc, countAs(b, l, count, t));
              } else {
                // An empty set divides by one (no trap): the mean is 0.
                Value n = indexToI64(b, l, count);
                Value one = scalarConstant(b, l, n.getType(), 1);
                n = arith::MaxSIOp::create(b, l, n, one);
                acc = arith::DivSIOp::create(b, l, acc, n);
              }
              break;
            case K::L2:
              acc = math::SqrtOp::create(b, l, acc);
              break;
            case K::LogSum:
              acc = math::LogOp::create(b, l, acc);
              break;
            case K::LogSumExp:
              acc = add(b, l, math::LogOp::create(b, l, acc), s[1]);
              break;
            default:
              break;
            }
            return convertScalar(b, l, acc, elementType, false, isUnsigned);
          });
    }
    if (op.getKeepdims() && !dims.empty())
      result = expandReduced(rewriter, loc, result, rank, dims);
    replaceWithLowered(rewriter, op, result);
    return success();
  }
};
} // namespace

//===----------------------------------------------------------------------===//
// nn.argmax / nn.argmin / nn.hardmax
//===----------------------------------------------------------------------===//

/// The i64 index along `axis` of the maximum (or minimum) of the lowered
/// `x`, as a tensor of the other dimensions: a linalg.generic carrying
/// (value, index) pairs. Ties go to the lower index, or the higher one with
/// `selectLast`; NaN wins over numbers, as numpy's argmax/argmin. The
/// comparison uses the indices explicitly, so the result does not depend on
/// the order in which the reduction visits the elements. An empty axis
/// gives 0.
static Value argReduce(OpBuilder &b, Location loc, Value x, int64_t axis,
                       bool isMax, bool selectLast, bool isUnsigned) {
  auto type = cast<RankedTensorType>(x.getType());
  int64_t rank = type.getRank();
  Type elementType = type.getElementType();
  SmallVector<OpFoldResult> kept = keptSizes(b, loc, x, axis);
  Value initValue = isMax ? lowestValue(b, loc, elementType, isUnsigned)
                          : highestValue(b, loc, elementType, isUnsigned);
  Value values = fill(
      b, loc, tensor::EmptyOp::create(b, loc, kept, elementType), initValue);
  Value indices =
      fill(b, loc, tensor::EmptyOp::create(b, loc, kept, b.getI64Type()),
           scalarConstant(b, loc, b.getI64Type(), 0));
  MLIRContext *context = b.getContext();
  AffineMap kMap = keptMap(context, rank, axis);
  SmallVector<AffineMap> maps = {b.getMultiDimIdentityMap(rank), kMap, kMap};
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  iterators[axis] = utils::IteratorType::reduction;
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{values.getType(), indices.getType()}, x,
      ValueRange{values, indices}, maps, iterators,
      [&](OpBuilder &nb, Location l, ValueRange args) {
        Value v = args[0], accV = args[1], accI = args[2];
        Value i = indexToI64(nb, l, linalg::IndexOp::create(nb, l, axis));
        Value better = orderedBefore(nb, l, v, accV, /*descending=*/isMax,
                                     /*nanFirst=*/true, isUnsigned);
        Value tieWins = arith::CmpIOp::create(
            nb, l,
            selectLast ? arith::CmpIPredicate::sgt : arith::CmpIPredicate::slt,
            i, accI);
        Value take = i1Or(nb, l, better,
                          i1And(nb, l, orderedEqual(nb, l, v, accV), tieWins));
        linalg::YieldOp::create(
            nb, l,
            ValueRange{arith::SelectOp::create(nb, l, take, v, accV),
                       arith::SelectOp::create(nb, l, take, i, accI)});
      });
  return generic.getResult(1);
}

namespace {
template <typename OpT, bool isMax>
struct LowerArgReduce final : OpRewritePattern<OpT> {
  using OpRewritePattern<OpT>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpT op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto inType = cast<RankedTensorType>(op.getInput().getType());
    int64_t rank = inType.getRank();
    FailureOr<int64_t> axis = checkedAxis(rewriter, op, op.getAxis(), rank);
    if (failed(axis))
      return failure();
    Value x = toLowered(rewriter, loc, op.getInput());
    Value result =
        argReduce(rewriter, loc, x, *axis, isMax, op.getSelectLastIndex(),
                  isUnsignedInteger(inType));
    if (op.getKeepdims())
      result = expandReduced(rewriter, loc, result, rank, {*axis});
    replaceWithLowered(rewriter, op, result);
    return success();
  }
};
} // namespace

namespace {
/// nn.hardmax: 1 at the first maximum along `axis` (argmax), 0 elsewhere.
struct LowerHardmax final : OpRewritePattern<nn::HardmaxOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::HardmaxOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto inType = cast<RankedTensorType>(op.getInput().getType());
    int64_t rank = inType.getRank();
    FailureOr<int64_t> axis = checkedAxis(rewriter, op, op.getAxis(), rank);
    if (failed(axis))
      return failure();
    Value x = toLowered(rewriter, loc, op.getInput());
    Type elementType = lowerElementType(inType.getElementType());
    Value index = argReduce(rewriter, loc, x, *axis, /*isMax=*/true,
                            /*selectLast=*/false, false);
    Value result = mapInto(
        rewriter, loc, x, index, keptMap(op.getContext(), rank, *axis),
        elementType, [&](OpBuilder &b, Location l, ValueRange s) -> Value {
          Value i = indexToI64(b, l, linalg::IndexOp::create(b, l, *axis));
          Value hit =
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, i, s[0]);
          return arith::SelectOp::create(b, l, hit,
                                         scalarConstant(b, l, elementType, 1),
                                         scalarConstant(b, l, elementType, 0));
        });
    replaceWithLowered(rewriter, op, result);
    return success();
  }
};
} // namespace

//===----------------------------------------------------------------------===//
// nn.softmax / nn.log_softmax
//===----------------------------------------------------------------------===//

namespace {
/// Softmax and log-softmax along one axis, numerically stable: the row
/// maximum m, then s = sum(exp(x - m)), then exp(x - m) / s or
/// (x - m) - log(s), in f32 for half-precision inputs. A row whose maximum
/// is infinite gives NaN, as ONNX's reference does.
template <typename OpT, bool isLog>
struct LowerSoftmax final : OpRewritePattern<OpT> {
  using OpRewritePattern<OpT>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpT op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto inType = cast<RankedTensorType>(op.getInput().getType());
    int64_t rank = inType.getRank();
    FailureOr<int64_t> axis = checkedAxis(rewriter, op, op.getAxis(), rank);
    if (failed(axis))
      return failure();
    Type elementType = lowerElementType(inType.getElementType());
    Type accType = accumulatorType(elementType);
    auto pre = [&](OpBuilder &b, Location l, Value v) {
      return convertScalar(b, l, v, accType, false, false);
    };
    Value x = toLowered(rewriter, loc, op.getInput());
    SmallVector<int64_t> dims = {*axis};
    Value rowMax = reduceDims(
        rewriter, loc, x, dims, {}, lowestValue(rewriter, loc, accType, false),
        [&](OpBuilder &b, Location l, Value v, ValueRange, Value acc) {
          return scalarMax(b, l, pre(b, l, v), acc, false);
        });
    Value rowSum = reduceDims(
        rewriter, loc, x, dims, rowMax,
        scalarConstant(rewriter, loc, accType, 0),
        [&](OpBuilder &b, Location l, Value v, ValueRange extras, Value acc) {
          Value shifted = sub(b, l, pre(b, l, v), extras[0]);
          return add(b, l, math::ExpOp::create(b, l, shifted), acc);
        });
    AffineMap kMap = keptMap(op.getContext(), rank, dims);
    Value result = mapInto(
        rewriter, loc, x, ValueRange{x, rowMax, rowSum},
        {rewriter.getMultiDimIdentityMap(rank), kMap, kMap}, elementType,
        [&](OpBuilder &b, Location l, ValueRange s) -> Value {
          Value shifted = sub(b, l, pre(b, l, s[0]), s[1]);
          Value y = isLog
                        ? sub(b, l, shifted, math::LogOp::create(b, l, s[2]))
                        : Value(arith::DivFOp::create(
                              b, l, math::ExpOp::create(b, l, shifted), s[2]));
          return convertScalar(b, l, y, elementType, false, false);
        });
    replaceWithLowered(rewriter, op, result);
    return success();
  }
};
} // namespace

//===----------------------------------------------------------------------===//
// nn.cumsum
//===----------------------------------------------------------------------===//

/// Cumulative sum of the lowered `x` along the static `axis`: an scf.for
/// over the positions of the axis carrying the running sum of the slices
/// so far (all other dimensions at once, one linalg.generic per step).
static Value cumsumAlong(OpBuilder &b, Location loc, Value x, int64_t axis,
                         bool exclusive, bool reverse) {
  auto type = cast<RankedTensorType>(x.getType());
  int64_t rank = type.getRank();
  Type elementType = type.getElementType();
  Type accType = accumulatorType(elementType);
  SmallVector<OpFoldResult> sizes = tensorSizes(b, loc, x);
  SmallVector<OpFoldResult> sliceSizes(sizes);
  sliceSizes[axis] = b.getIndexAttr(1);
  SmallVector<OpFoldResult> strides(rank, b.getIndexAttr(1));
  Value running =
      fill(b, loc, tensor::EmptyOp::create(b, loc, sliceSizes, accType),
           scalarConstant(b, loc, accType, 0));
  Value out = tensor::EmptyOp::create(b, loc, sizes, elementType);
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  Value n = getValueOrCreateConstantIndexOp(b, loc, sizes[axis]);
  auto loop = scf::ForOp::create(
      b, loc, zero, n, one, ValueRange{out, running},
      [&](OpBuilder &lb, Location l, Value i, ValueRange iterArgs) {
        Value pos = i;
        if (reverse)
          pos = arith::SubIOp::create(lb, l,
                                      arith::SubIOp::create(lb, l, n, one), i);
        SmallVector<OpFoldResult> offsets(rank, lb.getIndexAttr(0));
        offsets[axis] = pos;
        Value slice = tensor::ExtractSliceOp::create(lb, l, x, offsets,
                                                     sliceSizes, strides);
        Value outInit =
            tensor::EmptyOp::create(lb, l, sliceSizes, elementType).getResult();
        SmallVector<AffineMap> maps(3, lb.getMultiDimIdentityMap(rank));
        SmallVector<utils::IteratorType> iterators(
            rank, utils::IteratorType::parallel);
        // The running sum updates in place (the loop-carried tensor is the
        // generic's init), so bufferization keeps one buffer for it.
        auto step = linalg::GenericOp::create(
            lb, l, TypeRange{iterArgs[1].getType(), outInit.getType()}, slice,
            ValueRange{iterArgs[1], outInit}, maps, iterators,
            [&](OpBuilder &nb, Location nl, ValueRange args) {
              Value v = convertScalar(nb, nl, args[0], accType, false, false);
              Value prev = args[1];
              Value sum = add(nb, nl, prev, v);
              Value written = convertScalar(nb, nl, exclusive ? prev : sum,
                                            elementType, false, false);
              linalg::YieldOp::create(nb, nl, ValueRange{sum, written});
            });
        Value updated =
            tensor::InsertSliceOp::create(lb, l, step.getResult(1), iterArgs[0],
                                          offsets, sliceSizes, strides);
        scf::YieldOp::create(lb, l, ValueRange{updated, step.getResult(0)});
      });
  return loop.getResult(0);
}

namespace {
/// nn.cumsum. A constant axis lowers directly; a run-time axis selects one
/// lowering per possible axis with scf.index_switch (an out-of-range axis
/// is clamped into [0, rank), so the generated code stays in bounds).
struct LowerCumSum final : OpRewritePattern<nn::CumSumOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::CumSumOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto inType = cast<RankedTensorType>(op.getInput().getType());
    int64_t rank = inType.getRank();
    if (rank == 0)
      return rewriter.notifyMatchFailure(op, "input must have rank >= 1");
    bool exclusive = op.getExclusive(), reverse = op.getReverse();
    Value x = toLowered(rewriter, loc, op.getInput());
    std::optional<SmallVector<int64_t>> constant =
        nn::ShapeBuilder::constantIntegers(op.getAxis());
    if (!constant) {
      DenseIntElementsAttr attr;
      if (matchPattern(toLowered(rewriter, loc, op.getAxis()),
                       m_Constant(&attr)))
        constant = llvm::to_vector(
            llvm::map_range(attr.getValues<APInt>(), [&](const APInt &v) {
              return isUnsignedInteger(op.getAxis().getType())
                         ? int64_t(v.getZExtValue())
                         : v.getSExtValue();
            }));
    }
    Value result;
    if (constant && constant->size() == 1) {
      FailureOr<int64_t> axis =
          checkedAxis(rewriter, op, constant->front(), rank);
      if (failed(axis))
        return failure();
      result = cumsumAlong(rewriter, loc, x, *axis, exclusive, reverse);
    } else if (rank == 1) {
      result = cumsumAlong(rewriter, loc, x, 0, exclusive, reverse);
    } else {
      Value axis = extractScalar(rewriter, loc, op.getAxis());
      axis = convertScalar(rewriter, loc, axis, rewriter.getI64Type(),
                           isUnsignedInteger(op.getAxis().getType()), false);
      Value r = scalarConstant(rewriter, loc, rewriter.getI64Type(), rank);
      Value zero = scalarConstant(rewriter, loc, rewriter.getI64Type(), 0);
      Value negative = arith::CmpIOp::create(
          rewriter, loc, arith::CmpIPredicate::slt, axis, zero);
      axis = arith::SelectOp::create(
          rewriter, loc, negative,
          arith::AddIOp::create(rewriter, loc, axis, r), axis);
      axis = arith::MaxSIOp::create(rewriter, loc, axis, zero);
      axis = arith::MinSIOp::create(
          rewriter, loc, axis,
          scalarConstant(rewriter, loc, rewriter.getI64Type(), rank - 1));
      SmallVector<int64_t> cases =
          llvm::to_vector(llvm::seq<int64_t>(0, rank - 1));
      auto select = scf::IndexSwitchOp::create(
          rewriter, loc, TypeRange{x.getType()},
          i64ToIndex(rewriter, loc, axis), cases, cases.size());
      auto buildCase = [&](Region &region, int64_t a) {
        OpBuilder::InsertionGuard guard(rewriter);
        rewriter.setInsertionPointToStart(&region.emplaceBlock());
        Value value = cumsumAlong(rewriter, loc, x, a, exclusive, reverse);
        scf::YieldOp::create(rewriter, loc, value);
      };
      for (int64_t a = 0; a < rank - 1; ++a)
        buildCase(select.getCaseRegions()[a], a);
      buildCase(select.getDefaultRegion(), rank - 1);
      result = select.getResult(0);
    }
    replaceWithLowered(rewriter, op, result);
    return success();
  }
};
} // namespace

//===----------------------------------------------------------------------===//
// nn.top_k
//===----------------------------------------------------------------------===//

namespace {
/// nn.top_k: k selection passes (scf.for over the k output positions), each
/// a linalg.generic reduction along `axis` for all rows at once. Pass j
/// picks, among the elements that come after pass j-1's pick in the output
/// order ((value, index) pairs: value descending for largest, ascending
/// otherwise, then index ascending), the first one; so the output is sorted
/// with ties by lower index, whatever `sorted` says (ONNX leaves the order
/// unspecified then). NaN sorts as larger than every number (numpy's sort).
/// Cost: k passes over the input. The loop runs to the result's size along
/// `axis`, so an invalid k (> the axis size) writes only into the result
/// (index -1 where no element remains) and never reads out of bounds.
struct LowerTopK final : OpRewritePattern<nn::TopKOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::TopKOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto inType = cast<RankedTensorType>(op.getInput().getType());
    int64_t rank = inType.getRank();
    FailureOr<int64_t> axisOr = checkedAxis(rewriter, op, op.getAxis(), rank);
    if (failed(axisOr))
      return failure();
    int64_t axis = *axisOr;
    FailureOr<SmallVector<OpFoldResult>> outSizes =
        reifyResultSizes(rewriter, op, 0);
    if (failed(outSizes))
      return failure();
    bool isUnsigned = isUnsignedInteger(inType);
    bool descending = op.getLargest();
    Type elementType = lowerElementType(inType.getElementType());
    Type i64 = rewriter.getI64Type();
    Value x = toLowered(rewriter, loc, op.getInput());
    Value minusOne = scalarConstant(rewriter, loc, i64, -1);
    Value zeroValue = scalarConstant(rewriter, loc, elementType, 0);
    // The results start filled: the first pass reads slot 0 back as its
    // "previous pick" and ignores it, and that read should be of defined
    // values (LLVM may fold a load of fresh heap memory to undef).
    Value values =
        fill(rewriter, loc,
             emptyTensor(rewriter, loc, op.getValues().getType(), *outSizes),
             zeroValue);
    Value indices =
        fill(rewriter, loc,
             emptyTensor(rewriter, loc, op.getIndices().getType(), *outSizes),
             minusOne);
    Value k = getValueOrCreateConstantIndexOp(rewriter, loc, (*outSizes)[axis]);

    SmallVector<OpFoldResult> kept = keptSizes(rewriter, loc, x, axis);
    AffineMap kMap = keptMap(op.getContext(), rank, axis);
    SmallVector<AffineMap> maps = {rewriter.getMultiDimIdentityMap(rank), kMap,
                                   kMap, kMap, kMap};
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    iterators[axis] = utils::IteratorType::reduction;
    SmallVector<OpFoldResult> sliceSizes(kept);
    sliceSizes.insert(sliceSizes.begin() + axis, rewriter.getIndexAttr(1));
    SmallVector<OpFoldResult> strides(rank, rewriter.getIndexAttr(1));
    // A pick (kept dims) and its slot in the results (the axis as a unit
    // dim) convert by reshapes that name the axis.
    SmallVector<ReassociationIndices> axisGroups = unitDimGroups(rank, axis);
    auto toSlot = [&](OpBuilder &b, Location l, Value pick) -> Value {
      SmallVector<int64_t> shape;
      SmallVector<Value> dynamic;
      dispatchIndexOpFoldResults(sliceSizes, dynamic, shape);
      auto type = RankedTensorType::get(
          shape, cast<RankedTensorType>(pick.getType()).getElementType());
      return tensor::ExpandShapeOp::create(b, l, type, pick, axisGroups,
                                           sliceSizes);
    };
    auto fromSlot = [&](OpBuilder &b, Location l, Value slot) -> Value {
      return tensor::CollapseShapeOp::create(b, l, slot, axisGroups);
    };

    Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
    auto loop = scf::ForOp::create(
        rewriter, loc, zero, k, one, ValueRange{values, indices},
        [&](OpBuilder &lb, Location l, Value j, ValueRange iterArgs) {
          Value bestValues =
              fill(lb, l, tensor::EmptyOp::create(lb, l, kept, elementType),
                   zeroValue);
          Value bestIndices =
              fill(lb, l, tensor::EmptyOp::create(lb, l, kept, i64), minusOne);
          // The previous pick is read back from slot j - 1 of the results
          // (slot 0, unused, in the first pass).
          Value first =
              arith::CmpIOp::create(lb, l, arith::CmpIPredicate::eq, j, zero);
          Value prevPos = arith::SelectOp::create(
              lb, l, first, zero, arith::SubIOp::create(lb, l, j, one));
          SmallVector<OpFoldResult> prevOffsets(rank, lb.getIndexAttr(0));
          prevOffsets[axis] = prevPos;
          auto readPrev = [&](Value from) -> Value {
            return fromSlot(lb, l,
                            tensor::ExtractSliceOp::create(
                                lb, l, from, prevOffsets, sliceSizes, strides));
          };
          Value prevValues = readPrev(iterArgs[0]);
          Value prevIndices = readPrev(iterArgs[1]);
          auto pass = linalg::GenericOp::create(
              lb, l, TypeRange{bestValues.getType(), bestIndices.getType()},
              ValueRange{x, prevValues, prevIndices},
              ValueRange{bestValues, bestIndices}, maps, iterators,
              [&](OpBuilder &nb, Location nl, ValueRange args) {
                Value v = args[0], prevV = args[1], prevI = args[2];
                Value bestV = args[3], bestI = args[4];
                Value i =
                    indexToI64(nb, nl, linalg::IndexOp::create(nb, nl, axis));
                auto before = [&](Value lhs, Value rhs) {
                  return orderedBefore(nb, nl, lhs, rhs, descending,
                                       /*nanFirst=*/descending, isUnsigned);
                };
                auto indexCmp = [&](arith::CmpIPredicate p, Value lhs,
                                    Value rhs) {
                  return arith::CmpIOp::create(nb, nl, p, lhs, rhs);
                };
                Value zeroI = scalarConstant(nb, nl, i64, 0);
                // Eligible: after the previous pick in the output order.
                Value eligible =
                    i1Or(nb, nl, i1Or(nb, nl, first, before(prevV, v)),
                         i1And(nb, nl, orderedEqual(nb, nl, prevV, v),
                               indexCmp(arith::CmpIPredicate::sgt, i, prevI)));
                // Better: before the current best in the output order.
                Value noBest =
                    indexCmp(arith::CmpIPredicate::slt, bestI, zeroI);
                Value better =
                    i1Or(nb, nl, i1Or(nb, nl, noBest, before(v, bestV)),
                         i1And(nb, nl, orderedEqual(nb, nl, v, bestV),
                               indexCmp(arith::CmpIPredicate::slt, i, bestI)));
                Value take = i1And(nb, nl, eligible, better);
                linalg::YieldOp::create(
                    nb, nl,
                    ValueRange{
                        arith::SelectOp::create(nb, nl, take, v, bestV),
                        arith::SelectOp::create(nb, nl, take, i, bestI)});
              });
          SmallVector<OpFoldResult> offsets(rank, lb.getIndexAttr(0));
          offsets[axis] = j;
          Value newValues = tensor::InsertSliceOp::create(
              lb, l, toSlot(lb, l, pass.getResult(0)), iterArgs[0], offsets,
              sliceSizes, strides);
          Value newIndices = tensor::InsertSliceOp::create(
              lb, l, toSlot(lb, l, pass.getResult(1)), iterArgs[1], offsets,
              sliceSizes, strides);
          scf::YieldOp::create(lb, l, ValueRange{newValues, newIndices});
        });
    replaceWithLowered(rewriter, op, {loop.getResult(0), loop.getResult(1)});
    return success();
  }
};
} // namespace

//===----------------------------------------------------------------------===//
// Normalizations
//===----------------------------------------------------------------------===//

/// Mean and 1 / sqrt(variance + epsilon) of the lowered `x` over `dims`,
/// as tensors of the kept dimensions in `accType`. Two passes (the mean,
/// then the squared deviations from it), which stays accurate where
/// E[x^2] - E[x]^2 cancels. The mean is taken of the data shifted by each
/// row's first element, mean = x0 + sum(x - x0) / n, where rows have a
/// static size: the sum's rounding then scales with the row's spread, not
/// its magnitude, so a constant row's mean is exact and it normalizes to
/// exactly 0 (a plain float sum of forty 0.95s is off by an ulp, which
/// 1 / sqrt(epsilon) amplifies to 2e-4; ONNX Runtime and PyTorch give
/// exactly the bias there).
static std::pair<Value, Value> moments(OpBuilder &b, Location loc, Value x,
                                       ArrayRef<int64_t> dims, Type accType,
                                       double epsilon) {
  auto pre = [&](OpBuilder &nb, Location l, Value v) {
    return convertScalar(nb, l, v, accType, false, false);
  };
  Value count = elementCount(b, loc, x, dims);
  Value zero = scalarConstant(b, loc, accType, 0);
  // Each row's first element: a view of `x` (a strided slice with the
  // reduced dimensions collapsed away), so no kernel of its own. Only where
  // every row has one (static sizes >= 1 along `dims`); rows that may be
  // empty take the plain sum / n.
  auto xType = cast<RankedTensorType>(x.getType());
  int64_t rank = xType.getRank();
  Value first;
  if (!dims.empty() && llvm::all_of(dims, [&](int64_t d) {
        return !xType.isDynamicDim(d) && xType.getDimSize(d) >= 1;
      })) {
    SmallVector<OpFoldResult> sizes = tensorSizes(b, loc, x);
    for (int64_t d : dims)
      sizes[d] = b.getIndexAttr(1);
    Value slice = tensor::ExtractSliceOp::create(
        b, loc, x, SmallVector<OpFoldResult>(rank, b.getIndexAttr(0)), sizes,
        SmallVector<OpFoldResult>(rank, b.getIndexAttr(1)));
    first = tensor::CollapseShapeOp::create(b, loc, slice,
                                            unitDimGroups(rank, dims));
  }
  Value mean;
  if (first) {
    Value shiftedSum = reduceDims(
        b, loc, x, dims, first, zero,
        [&](OpBuilder &nb, Location l, Value v, ValueRange extras, Value acc) {
          return add(nb, l, sub(nb, l, pre(nb, l, v), pre(nb, l, extras[0])),
                     acc);
        });
    // Per row, in f64: x0 + sum / n rounded once, as sum / n would be.
    Type wide = b.getF64Type();
    mean = mapSameShape(
        b, loc, {shiftedSum, first}, accType,
        [&](OpBuilder &nb, Location l, ValueRange s) {
          auto widen = [&](Value v) {
            return convertScalar(nb, l, v, wide, false, false);
          };
          Value m = add(nb, l, widen(s[1]),
                        arith::DivFOp::create(nb, l, widen(s[0]),
                                              countAs(nb, l, count, wide)));
          return convertScalar(nb, l, m, accType, false, false);
        });
  } else {
    Value sum =
        reduceDims(b, loc, x, dims, {}, zero,
                   [&](OpBuilder &nb, Location l, Value v, ValueRange,
                       Value acc) { return add(nb, l, pre(nb, l, v), acc); });
    mean = mapSameShape(b, loc, sum, accType,
                        [&](OpBuilder &nb, Location l, ValueRange s) {
                          return Value(arith::DivFOp::create(
                              nb, l, s[0], countAs(nb, l, count, accType)));
                        });
  }
  Value squares = reduceDims(
      b, loc, x, dims, mean, zero,
      [&](OpBuilder &nb, Location l, Value v, ValueRange extras, Value acc) {
        Value d = sub(nb, l, pre(nb, l, v), extras[0]);
        return add(nb, l, mul(nb, l, d, d), acc);
      });
  Value invStd = mapSameShape(
      b, loc, squares, accType, [&](OpBuilder &nb, Location l, ValueRange s) {
        Value variance =
            arith::DivFOp::create(nb, l, s[0], countAs(nb, l, count, accType));
        Value shifted =
            add(nb, l, variance, scalarConstant(nb, l, accType, epsilon));
        return Value(
            arith::DivFOp::create(nb, l, scalarConstant(nb, l, accType, 1),
                                  math::SqrtOp::create(nb, l, shifted)));
      });
  return {mean, invStd};
}

/// The map of a per-channel vector (dimension `channelDim` of a rank-`rank`
/// iteration space).
static AffineMap channelMap(MLIRContext *context, int64_t rank,
                            ArrayRef<int64_t> channelDims) {
  SmallVector<AffineExpr> exprs;
  for (int64_t d : channelDims)
    exprs.push_back(getAffineDimExpr(d, context));
  return AffineMap::get(rank, 0, exprs, context);
}

/// y = (x - mean) * invStd * scale + bias, in `accType`, converted back.
static Value normalizeFormula(OpBuilder &b, Location loc, Value x, Value mean,
                              Value invStd, Value scale, Value bias,
                              Type accType, Type elementType) {
  auto pre = [&](Value v) {
    return convertScalar(b, loc, v, accType, false, false);
  };
  Value y =
      mul(b, loc, mul(b, loc, sub(b, loc, pre(x), mean), invStd), pre(scale));
  if (bias)
    y = add(b, loc, y, pre(bias));
  return convertScalar(b, loc, y, elementType, false, false);
}

namespace {
/// nn.batch_norm (inference): one elementwise generic reading the four
/// per-channel vectors along dimension 1.
struct LowerBatchNorm final : OpRewritePattern<nn::BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::BatchNormOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto inType = cast<RankedTensorType>(op.getInput().getType());
    int64_t rank = inType.getRank();
    if (rank < 2)
      return rewriter.notifyMatchFailure(op, "input must have rank >= 2");
    Type elementType = lowerElementType(inType.getElementType());
    Type accType = accumulatorType(elementType);
    double epsilon = op.getEpsilon().convertToDouble();
    Value x = toLowered(rewriter, loc, op.getInput());
    SmallVector<Value> inputs = {x};
    for (Value v :
         {op.getScale(), op.getBias(), op.getMean(), op.getVariance()})
      inputs.push_back(toLowered(rewriter, loc, v));
    AffineMap cMap = channelMap(op.getContext(), rank, {1});
    Value result = mapInto(
        rewriter, loc, x, inputs,
        {rewriter.getMultiDimIdentityMap(rank), cMap, cMap, cMap, cMap},
        elementType, [&](OpBuilder &b, Location l, ValueRange s) {
          auto pre = [&](Value v) {
            return convertScalar(b, l, v, accType, false, false);
          };
          Value variance =
              add(b, l, pre(s[4]), scalarConstant(b, l, accType, epsilon));
          Value invStd =
              arith::DivFOp::create(b, l, scalarConstant(b, l, accType, 1),
                                    math::SqrtOp::create(b, l, variance));
          return normalizeFormula(b, l, s[0], pre(s[3]), invStd, s[1], s[2],
                                  accType, elementType);
        });
    replaceWithLowered(rewriter, op, result);
    return success();
  }
};
} // namespace

namespace {
/// nn.layer_norm: moments over dimensions [axis, rank), then one generic;
/// scale and bias align with the trailing dimensions (numpy broadcasting:
/// a static size 1 is broadcast; a parameter with a dynamic size is first
/// materialized at the normalized shape, as its size may be 1 at run time).
struct LowerLayerNorm final : OpRewritePattern<nn::LayerNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::LayerNormOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto inType = cast<RankedTensorType>(op.getInput().getType());
    int64_t rank = inType.getRank();
    FailureOr<int64_t> axis = checkedAxis(rewriter, op, op.getAxis(), rank);
    if (failed(axis))
      return failure();
    Type elementType = lowerElementType(inType.getElementType());
    Type accType = accumulatorType(elementType);
    Value x = toLowered(rewriter, loc, op.getInput());
    SmallVector<int64_t> dims =
        llvm::to_vector(llvm::seq<int64_t>(*axis, rank));
    auto [mean, invStd] = moments(rewriter, loc, x, dims, accType,
                                  op.getEpsilon().convertToDouble());

    MLIRContext *context = op.getContext();
    AffineMap kMap = keptMap(context, rank, dims);
    SmallVector<Value> inputs = {x, mean, invStd};
    SmallVector<AffineMap> maps = {rewriter.getMultiDimIdentityMap(rank), kMap,
                                   kMap};
    SmallVector<OpFoldResult> normalizedSizes = llvm::to_vector(
        ArrayRef(tensorSizes(rewriter, loc, x)).drop_front(*axis));
    for (Value param : {op.getScale(), op.getBias()}) {
      if (!param)
        continue;
      auto type = cast<RankedTensorType>(param.getType());
      int64_t paramRank = type.getRank();
      if (paramRank > rank - *axis)
        return rewriter.notifyMatchFailure(
            op, "scale/bias rank exceeds the normalized rank");
      Value lowered;
      SmallVector<AffineExpr> exprs;
      if (!type.hasStaticShape()) {
        lowered = broadcastTo(rewriter, loc, param, normalizedSizes);
        for (int64_t d = *axis; d < rank; ++d)
          exprs.push_back(getAffineDimExpr(d, context));
      } else {
        lowered = toLowered(rewriter, loc, param);
        for (int64_t i = 0; i < paramRank; ++i) {
          int64_t d = rank - paramRank + i;
          if (type.getDimSize(i) == 1 && inType.getDimSize(d) != 1)
            exprs.push_back(getAffineConstantExpr(0, context));
          else
            exprs.push_back(getAffineDimExpr(d, context));
        }
      }
      inputs.push_back(lowered);
      maps.push_back(AffineMap::get(rank, 0, exprs, context));
    }
    bool hasBias = static_cast<bool>(op.getBias());
    Value result =
        mapInto(rewriter, loc, x, inputs, maps, elementType,
                [&](OpBuilder &b, Location l, ValueRange s) {
                  return normalizeFormula(b, l, s[0], s[1], s[2], s[3],
                                          hasBias ? s[4] : Value(), accType,
                                          elementType);
                });
    replaceWithLowered(rewriter, op, result);
    return success();
  }
};
} // namespace

namespace {
/// nn.instance_norm: moments per (n, c) over the spatial dimensions.
struct LowerInstanceNorm final : OpRewritePattern<nn::InstanceNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::InstanceNormOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto inType = cast<RankedTensorType>(op.getInput().getType());
    int64_t rank = inType.getRank();
    if (rank < 3)
      return rewriter.notifyMatchFailure(op, "input must have rank >= 3");
    Type elementType = lowerElementType(inType.getElementType());
    Type accType = accumulatorType(elementType);
    Value x = toLowered(rewriter, loc, op.getInput());
    SmallVector<int64_t> dims = llvm::to_vector(llvm::seq<int64_t>(2, rank));
    auto [mean, invStd] = moments(rewriter, loc, x, dims, accType,
                                  op.getEpsilon().convertToDouble());
    MLIRContext *context = op.getContext();
    AffineMap kMap = keptMap(context, rank, dims);
    AffineMap cMap = channelMap(context, rank, {1});
    Value result = mapInto(
        rewriter, loc, x,
        ValueRange{x, mean, invStd, toLowered(rewriter, loc, op.getScale()),
                   toLowered(rewriter, loc, op.getBias())},
        {rewriter.getMultiDimIdentityMap(rank), kMap, kMap, cMap, cMap},
        elementType, [&](OpBuilder &b, Location l, ValueRange s) {
          return normalizeFormula(b, l, s[0], s[1], s[2], s[3], s[4], accType,
                                  elementType);
        });
    replaceWithLowered(rewriter, op, result);
    return success();
  }
};
} // namespace

namespace {
/// nn.group_norm: the input is viewed as N x G x C/G x D1 x ... (an
/// expand_shape, so a dynamic C works), normalized per (n, g) over the
/// last dimensions, and collapsed back; scale and bias are viewed as
/// G x C/G. C must be a multiple of G (the verifier checks a static C; a
/// dynamic one is the model's promise, as in ONNX).
struct LowerGroupNorm final : OpRewritePattern<nn::GroupNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::GroupNormOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto inType = cast<RankedTensorType>(op.getInput().getType());
    int64_t rank = inType.getRank();
    int64_t groups = op.getNumGroups();
    if (rank < 2)
      return rewriter.notifyMatchFailure(op, "input must have rank >= 2");
    if (groups < 1)
      return rewriter.notifyMatchFailure(op, "num_groups must be >= 1");
    Type elementType = lowerElementType(inType.getElementType());
    Type accType = accumulatorType(elementType);
    Value x = toLowered(rewriter, loc, op.getInput());

    // The channel count, static if the input or a parameter knows it (the
    // verifier made them agree); every view then uses that static size.
    int64_t channels = inType.getDimSize(1);
    for (Value param : {op.getScale(), op.getBias()})
      if (ShapedType::isDynamic(channels))
        channels = cast<RankedTensorType>(param.getType()).getDimSize(0);
    auto withChannels = [&](Value v, int64_t dim) -> Value {
      auto type = cast<RankedTensorType>(v.getType());
      if (ShapedType::isDynamic(channels) || !type.isDynamicDim(dim))
        return v;
      SmallVector<int64_t> shape(type.getShape());
      shape[dim] = channels;
      return tensor::CastOp::create(rewriter, loc, type.clone(shape), v);
    };
    x = withChannels(x, 1);

    // Sizes of the grouped view.
    SmallVector<OpFoldResult> sizes = tensorSizes(rewriter, loc, x);
    OpFoldResult perGroup;
    int64_t perGroupStatic = ShapedType::kDynamic;
    if (!ShapedType::isDynamic(channels)) {
      perGroupStatic = channels / groups;
      perGroup = rewriter.getIndexAttr(perGroupStatic);
    } else {
      perGroup = arith::DivUIOp::create(
                     rewriter, loc,
                     getValueOrCreateConstantIndexOp(rewriter, loc, sizes[1]),
                     arith::ConstantIndexOp::create(rewriter, loc, groups))
                     .getResult();
    }
    SmallVector<OpFoldResult> groupedSizes = {
        sizes[0], rewriter.getIndexAttr(groups), perGroup};
    SmallVector<int64_t> groupedShape = {
        cast<RankedTensorType>(x.getType()).getDimSize(0), groups,
        perGroupStatic};
    SmallVector<ReassociationIndices> reassociation = {{0}, {1, 2}};
    for (int64_t d = 2; d < rank; ++d) {
      groupedSizes.push_back(sizes[d]);
      groupedShape.push_back(inType.getDimSize(d));
      reassociation.push_back({d + 1});
    }
    auto groupedType = RankedTensorType::get(groupedShape, elementType);
    Value grouped = tensor::ExpandShapeOp::create(rewriter, loc, groupedType, x,
                                                  reassociation, groupedSizes);
    auto viewParam = [&](Value param) -> Value {
      auto type = RankedTensorType::get({groups, perGroupStatic}, elementType);
      return tensor::ExpandShapeOp::create(
          rewriter, loc, type, withChannels(toLowered(rewriter, loc, param), 0),
          SmallVector<ReassociationIndices>{{0, 1}},
          SmallVector<OpFoldResult>{rewriter.getIndexAttr(groups), perGroup});
    };
    Value scale = viewParam(op.getScale()), bias = viewParam(op.getBias());

    int64_t groupedRank = rank + 1;
    SmallVector<int64_t> dims =
        llvm::to_vector(llvm::seq<int64_t>(2, groupedRank));
    auto [mean, invStd] = moments(rewriter, loc, grouped, dims, accType,
                                  op.getEpsilon().convertToDouble());
    MLIRContext *context = op.getContext();
    AffineMap kMap = keptMap(context, groupedRank, dims);
    AffineMap cMap = channelMap(context, groupedRank, {1, 2});
    Value normalized = mapInto(
        rewriter, loc, grouped, ValueRange{grouped, mean, invStd, scale, bias},
        {rewriter.getMultiDimIdentityMap(groupedRank), kMap, kMap, cMap, cMap},
        elementType, [&](OpBuilder &b, Location l, ValueRange s) {
          return normalizeFormula(b, l, s[0], s[1], s[2], s[3], s[4], accType,
                                  elementType);
        });
    Value result = tensor::CollapseShapeOp::create(rewriter, loc, normalized,
                                                   reassociation);
    replaceWithLowered(rewriter, op, result);
    return success();
  }
};
} // namespace

void ddl::lowering::populateReductionPatterns(RewritePatternSet &patterns) {
  patterns
      .add<LowerReduce, LowerArgReduce<nn::ArgMaxOp, true>,
           LowerArgReduce<nn::ArgMinOp, false>, LowerHardmax,
           LowerSoftmax<nn::SoftmaxOp, false>,
           LowerSoftmax<nn::LogSoftmaxOp, true>, LowerCumSum, LowerTopK,
           LowerBatchNorm, LowerLayerNorm, LowerInstanceNorm, LowerGroupNorm>(
          patterns.getContext());
}
