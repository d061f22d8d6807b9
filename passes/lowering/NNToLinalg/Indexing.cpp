//===- Indexing.cpp - nn gathers, scatters, resize and non_zero -----------===//
//
// Data-dependent addressing. Gathers and resize are one linalg.generic over
// the result whose body computes source coordinates and reads the source
// with tensor.extract. Scatters and non_zero write in order, so they are
// scf.for nests that carry the written tensor (tensor.extract/insert), which
// keeps ONNX's "later updates win" and reduction order for duplicate
// indices.
//
// Index values from tensors are never trusted: negative values wrap once
// (ONNX), then every index is clamped into [0, size - 1], so that invalid
// input cannot make the generated code read or write out of bounds. ONNX
// calls an index outside [-size, size - 1] an error: constant indices are
// verified by the nn ops' shape functions, and run-time ones by a reduction
// over the indices ending in a cf.assert, which ddl-checks-to-status turns
// into a failed run with a message naming the node (the clamping keeps the
// rest of that run memory-safe). The check costs one pass over the indices,
// which are far fewer than the elements a gather moves.
//
//===----------------------------------------------------------------------===//

#include "passes/lowering/NNToLinalg/Common.h"

#include "ddl/Diagnostics.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/Matchers.h"
#include "llvm/Support/FormatVariadic.h"

#include <cmath>

using namespace mlir;
using namespace ddl;
using namespace ddl::lowering;

namespace {

//===----------------------------------------------------------------------===//
// Shared helpers
//===----------------------------------------------------------------------===//

Value cIndex(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}

/// `linalg.index` of the loop dimensions [first, first + count).
SmallVector<Value> loopIndices(OpBuilder &b, Location loc, unsigned first,
                               unsigned count) {
  SmallVector<Value> ivs;
  for (unsigned d = first; d < first + count; ++d)
    ivs.push_back(linalg::IndexOp::create(b, loc, d));
  return ivs;
}

/// A parallel linalg.generic writing `init` (identity map) with `inputs`
/// read through `inputMaps`; `body` gets the input scalars and returns the
/// output scalar.
Value parallelGeneric(
    OpBuilder &b, Location loc, Value init, ValueRange inputs,
    ArrayRef<AffineMap> inputMaps,
    function_ref<Value(OpBuilder &, Location, ValueRange)> body) {
  auto type = cast<RankedTensorType>(init.getType());
  SmallVector<AffineMap> maps(inputMaps);
  maps.push_back(b.getMultiDimIdentityMap(type.getRank()));
  SmallVector<utils::IteratorType> iterators(type.getRank(),
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, type, inputs, init, maps, iterators,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        linalg::YieldOp::create(nb, nloc, body(nb, nloc, args.drop_back()));
      });
  return generic.getResult(0);
}

/// The sizes of `tensor` as index values.
SmallVector<Value> dimValues(OpBuilder &b, Location loc, Value tensor) {
  SmallVector<Value> dims;
  auto type = cast<RankedTensorType>(tensor.getType());
  for (int64_t d = 0; d < type.getRank(); ++d)
    dims.push_back(tensor::DimOp::create(b, loc, tensor, d));
  return dims;
}

/// An scf.for nest over [0, ubs) that carries `iterArgs`.
scf::LoopNest loopNest(OpBuilder &b, Location loc, ValueRange ubs,
                       ValueRange iterArgs,
                       function_ref<scf::ValueVector(OpBuilder &, Location,
                                                     ValueRange, ValueRange)>
                           body) {
  SmallVector<Value> lbs(ubs.size(), cIndex(b, loc, 0));
  SmallVector<Value> steps(ubs.size(), cIndex(b, loc, 1));
  return scf::buildLoopNest(b, loc, lbs, ubs, steps, iterArgs, body);
}

/// For index tuples (gather_nd, scatter_nd: the last of the `q` indices
/// dims runs over a tuple of `depth` entries): the size of the data
/// dimension, batch + j, that tuple entry j addresses.
std::function<Value(OpBuilder &, Location, ValueRange)>
tupleDimSize(ArrayRef<Value> dataDims, int64_t batch, int64_t depth,
             int64_t q) {
  SmallVector<Value> dims(dataDims.begin() + batch,
                          dataDims.begin() + batch + depth);
  return [dims, q](OpBuilder &b, Location loc, ValueRange ivs) -> Value {
    Value size = dims.back();
    for (int64_t j = dims.size() - 2; j >= 0; --j) {
      Value here = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                         ivs[q - 1], cIndex(b, loc, j));
      size = arith::SelectOp::create(b, loc, here, dims[j], size);
    }
    return size;
  };
}

//===----------------------------------------------------------------------===//
// Gathers
//===----------------------------------------------------------------------===//

/// nn.gather: out[i.., j.., k..] = data[i.., indices[j..], k..], one generic
/// over the result reading `indices` through its map (the result dims
/// [axis, axis + rank(indices))).
struct LowerGather final : OpRewritePattern<nn::GatherOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::GatherOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto dataType = cast<RankedTensorType>(op.getData().getType());
    int64_t rank = dataType.getRank();
    int64_t axis = normalizeAxis(op.getAxis(), rank);
    if (axis < 0 || axis >= rank)
      return rewriter.notifyMatchFailure(op, "axis out of range");
    FailureOr<Value> init = emptyForResult(rewriter, op);
    if (failed(init))
      return failure();
    Value data = toLowered(rewriter, loc, op.getData());
    Value indices = toLowered(rewriter, loc, op.getIndices());
    int64_t q = cast<RankedTensorType>(indices.getType()).getRank();
    int64_t outRank = rank - 1 + q;
    SmallVector<AffineExpr> exprs;
    for (int64_t j = 0; j < q; ++j)
      exprs.push_back(rewriter.getAffineDimExpr(axis + j));
    AffineMap indicesMap =
        AffineMap::get(outRank, 0, exprs, rewriter.getContext());
    Value axisSize = tensor::DimOp::create(rewriter, loc, data, axis);
    std::string what = llvm::formatv("dimension {0}", axis).str();
    checkIndices(
        rewriter, loc, op, indices,
        [&](OpBuilder &, Location, ValueRange) { return axisSize; }, what);
    if (q == 0 && dataType.getDimSize(axis) != 0) {
      // One scalar index selects one slice: a view of `data` at the
      // normalized index, not a copy through a generic that reloads the
      // index for every element (an RNN step reads its row of the input
      // projection so). A static empty axis keeps the generic: a folded
      // offset 0 into it would not verify.
      Value index = normalizeIndex(
          rewriter, loc,
          tensor::ExtractOp::create(rewriter, loc, indices, ValueRange{}),
          axisSize);
      SmallVector<OpFoldResult> offsets(rank, rewriter.getIndexAttr(0));
      SmallVector<OpFoldResult> sizes = tensorSizes(rewriter, loc, data);
      SmallVector<OpFoldResult> strides(rank, rewriter.getIndexAttr(1));
      offsets[axis] = index;
      sizes[axis] = rewriter.getIndexAttr(1);
      auto loweredData = cast<RankedTensorType>(data.getType());
      SmallVector<int64_t> shape(loweredData.getShape());
      shape.erase(shape.begin() + axis);
      auto sliceType =
          RankedTensorType::get(shape, loweredData.getElementType());
      Value slice = tensor::ExtractSliceOp::create(
          rewriter, loc, sliceType, data, offsets, sizes, strides);
      if (slice.getType() != init->getType())
        slice = tensor::CastOp::create(rewriter, loc, init->getType(), slice);
      replaceWithLowered(rewriter, op, slice);
      return success();
    }
    Value result = parallelGeneric(
        rewriter, loc, *init, indices, indicesMap,
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          SmallVector<Value> coords = loopIndices(b, l, 0, axis);
          coords.push_back(normalizeIndex(b, l, args[0], axisSize));
          llvm::append_range(coords,
                             loopIndices(b, l, axis + q, rank - axis - 1));
          return tensor::ExtractOp::create(b, l, data, coords);
        });
    replaceWithLowered(rewriter, op, result);
    return success();
  }
};

/// nn.gather_elements: out[i] = data[i with i[axis] = indices[i]], one
/// generic over the indices' shape.
struct LowerGatherElements final : OpRewritePattern<nn::GatherElementsOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::GatherElementsOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto dataType = cast<RankedTensorType>(op.getData().getType());
    int64_t rank = dataType.getRank();
    int64_t axis = normalizeAxis(op.getAxis(), rank);
    if (axis < 0 || axis >= rank)
      return rewriter.notifyMatchFailure(op, "axis out of range");
    FailureOr<Value> init = emptyForResult(rewriter, op);
    if (failed(init))
      return failure();
    Value data = toLowered(rewriter, loc, op.getData());
    Value indices = toLowered(rewriter, loc, op.getIndices());
    Value axisSize = tensor::DimOp::create(rewriter, loc, data, axis);
    std::string what = llvm::formatv("dimension {0}", axis).str();
    checkIndices(
        rewriter, loc, op, indices,
        [&](OpBuilder &, Location, ValueRange) { return axisSize; }, what);
    Value result = parallelGeneric(
        rewriter, loc, *init, indices, rewriter.getMultiDimIdentityMap(rank),
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          SmallVector<Value> coords = loopIndices(b, l, 0, rank);
          coords[axis] = normalizeIndex(b, l, args[0], axisSize);
          return tensor::ExtractOp::create(b, l, data, coords);
        });
    replaceWithLowered(rewriter, op, result);
    return success();
  }
};

/// nn.gather_nd: out[b.., n.., k..] = data[b.., indices[b.., n.., :], k..];
/// the index tuple is read in the body (the depth is static).
struct LowerGatherND final : OpRewritePattern<nn::GatherNDOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::GatherNDOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto dataType = cast<RankedTensorType>(op.getData().getType());
    auto indicesType = cast<RankedTensorType>(op.getIndices().getType());
    int64_t r = dataType.getRank(), q = indicesType.getRank();
    int64_t batch = op.getBatchDims();
    if (q < 1 || indicesType.isDynamicDim(q - 1))
      return rewriter.notifyMatchFailure(op, "index depth is not static");
    int64_t depth = indicesType.getDimSize(q - 1);
    if (batch < 0 || depth < 1 || batch + depth > r)
      return rewriter.notifyMatchFailure(op, "invalid batch_dims or depth");
    FailureOr<Value> init = emptyForResult(rewriter, op);
    if (failed(init))
      return failure();
    Value data = toLowered(rewriter, loc, op.getData());
    Value indices = toLowered(rewriter, loc, op.getIndices());
    SmallVector<Value> dataDims = dimValues(rewriter, loc, data);
    checkIndices(rewriter, loc, op, indices,
                 tupleDimSize(dataDims, batch, depth, q),
                 "the dimensions that index tuples address");
    Value result = parallelGeneric(
        rewriter, loc, *init, {}, {},
        [&](OpBuilder &b, Location l, ValueRange) -> Value {
          // Result dims: indices.shape[:-1] (batch first), then the slice.
          SmallVector<Value> prefix = loopIndices(b, l, 0, q - 1);
          SmallVector<Value> coords(prefix.begin(), prefix.begin() + batch);
          for (int64_t j = 0; j < depth; ++j) {
            SmallVector<Value> at(prefix);
            at.push_back(cIndex(b, l, j));
            Value index = tensor::ExtractOp::create(b, l, indices, at);
            coords.push_back(normalizeIndex(b, l, index, dataDims[batch + j]));
          }
          llvm::append_range(coords,
                             loopIndices(b, l, q - 1, r - batch - depth));
          return tensor::ExtractOp::create(b, l, data, coords);
        });
    replaceWithLowered(rewriter, op, result);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Scatters
//===----------------------------------------------------------------------===//

/// Combines the element `old` already in the output with `update`.
Value combine(OpBuilder &b, Location loc, nn::ScatterReduction reduction,
              Value old, Value update, bool isUnsigned) {
  bool isFloat = isa<FloatType>(old.getType());
  bool isBool = old.getType().isInteger(1);
  switch (reduction) {
  case nn::ScatterReduction::None:
    return update;
  case nn::ScatterReduction::Add:
    if (isFloat)
      return arith::AddFOp::create(b, loc, old, update);
    if (isBool)
      return arith::OrIOp::create(b, loc, old, update);
    return arith::AddIOp::create(b, loc, old, update);
  case nn::ScatterReduction::Mul:
    if (isFloat)
      return arith::MulFOp::create(b, loc, old, update);
    if (isBool)
      return arith::AndIOp::create(b, loc, old, update);
    return arith::MulIOp::create(b, loc, old, update);
  case nn::ScatterReduction::Max:
    return scalarMax(b, loc, old, update, isUnsigned);
  case nn::ScatterReduction::Min:
    return scalarMin(b, loc, old, update, isUnsigned);
  }
  return update;
}

/// A fresh copy of `data` for a scatter to write into: the loop must not
/// update the operand's buffer in place (it may be a caller's input).
Value copyForWriting(OpBuilder &b, Location loc, Value data) {
  Value init = tensor::EmptyOp::create(
      b, loc, tensor::getMixedSizes(b, loc, data),
      cast<RankedTensorType>(data.getType()).getElementType());
  return linalg::CopyOp::create(b, loc, data, init).getResult(0);
}

/// Reads `acc[coords]`, combines it with `update` and writes it back.
Value scatterOne(OpBuilder &b, Location loc, nn::ScatterReduction reduction,
                 Value acc, ValueRange coords, Value update, bool isUnsigned) {
  if (reduction != nn::ScatterReduction::None) {
    Value old = tensor::ExtractOp::create(b, loc, acc, coords);
    update = combine(b, loc, reduction, old, update, isUnsigned);
  }
  return tensor::InsertOp::create(b, loc, update, acc, coords);
}

/// nn.scatter_elements: a loop nest over the updates, in row-major order,
/// carrying the output (initially a copy of `data`).
struct LowerScatterElements final : OpRewritePattern<nn::ScatterElementsOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::ScatterElementsOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto dataType = cast<RankedTensorType>(op.getData().getType());
    int64_t rank = dataType.getRank();
    int64_t axis = normalizeAxis(op.getAxis(), rank);
    if (axis < 0 || axis >= rank)
      return rewriter.notifyMatchFailure(op, "axis out of range");
    bool isUnsigned = isUnsignedInteger(dataType);
    nn::ScatterReduction reduction = op.getReduction();
    Value data = toLowered(rewriter, loc, op.getData());
    Value indices = toLowered(rewriter, loc, op.getIndices());
    Value updates = toLowered(rewriter, loc, op.getUpdates());
    SmallVector<Value> dataDims = dimValues(rewriter, loc, data);
    std::string what = llvm::formatv("dimension {0}", axis).str();
    checkIndices(
        rewriter, loc, op, indices,
        [&](OpBuilder &, Location, ValueRange) { return dataDims[axis]; },
        what);
    // The updates have the indices' shape; loop over the smaller of the two
    // per dimension and clamp the other coordinates into data, so that
    // mismatched run-time shapes cannot address out of bounds either.
    SmallVector<Value> ubs = dimValues(rewriter, loc, indices);
    SmallVector<Value> updateDims = dimValues(rewriter, loc, updates);
    for (auto [ub, u] : llvm::zip(ubs, updateDims))
      ub = arith::MinSIOp::create(rewriter, loc, ub, u);
    scf::LoopNest nest = loopNest(
        rewriter, loc, ubs, copyForWriting(rewriter, loc, data),
        [&](OpBuilder &b, Location l, ValueRange ivs,
            ValueRange acc) -> scf::ValueVector {
          Value index = tensor::ExtractOp::create(b, l, indices, ivs);
          Value update = tensor::ExtractOp::create(b, l, updates, ivs);
          SmallVector<Value> coords;
          Value one = cIndex(b, l, 1);
          for (int64_t d = 0; d < rank; ++d) {
            if (d == axis) {
              coords.push_back(normalizeIndex(b, l, index, dataDims[d]));
              continue;
            }
            Value last = arith::SubIOp::create(b, l, dataDims[d], one);
            coords.push_back(arith::MinSIOp::create(b, l, ivs[d], last));
          }
          return {
              scatterOne(b, l, reduction, acc[0], coords, update, isUnsigned)};
        });
    replaceWithLowered(rewriter, op, nest.results[0]);
    return success();
  }
};

/// nn.scatter_nd: an outer nest over indices.shape[:-1] reads each index
/// tuple once; an inner nest writes the addressed slice of data.
struct LowerScatterND final : OpRewritePattern<nn::ScatterNDOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::ScatterNDOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto dataType = cast<RankedTensorType>(op.getData().getType());
    auto indicesType = cast<RankedTensorType>(op.getIndices().getType());
    int64_t r = dataType.getRank(), q = indicesType.getRank();
    if (q < 1 || indicesType.isDynamicDim(q - 1))
      return rewriter.notifyMatchFailure(op, "index depth is not static");
    int64_t depth = indicesType.getDimSize(q - 1);
    if (depth < 1 || depth > r)
      return rewriter.notifyMatchFailure(op, "index depth out of range");
    auto updatesType = cast<RankedTensorType>(op.getUpdates().getType());
    if (updatesType.getRank() != q - 1 + r - depth)
      return rewriter.notifyMatchFailure(op, "updates has the wrong rank");
    bool isUnsigned = isUnsignedInteger(dataType);
    nn::ScatterReduction reduction = op.getReduction();
    Value data = toLowered(rewriter, loc, op.getData());
    Value indices = toLowered(rewriter, loc, op.getIndices());
    Value updates = toLowered(rewriter, loc, op.getUpdates());
    SmallVector<Value> dataDims = dimValues(rewriter, loc, data);
    checkIndices(rewriter, loc, op, indices,
                 tupleDimSize(dataDims, /*batch=*/0, depth, q),
                 "the dimensions that index tuples address");
    SmallVector<Value> updateDims = dimValues(rewriter, loc, updates);
    SmallVector<Value> outerUbs(updateDims.begin(), updateDims.begin() + q - 1);
    SmallVector<Value> innerUbs;
    // Slice extents: the updates' (clamped to data's, see scatter_elements).
    for (int64_t d = 0; d < r - depth; ++d)
      innerUbs.push_back(arith::MinSIOp::create(
          rewriter, loc, updateDims[q - 1 + d], dataDims[depth + d]));
    scf::LoopNest nest =
        loopNest(rewriter, loc, outerUbs, copyForWriting(rewriter, loc, data),
                 [&](OpBuilder &b, Location l, ValueRange outer,
                     ValueRange acc) -> scf::ValueVector {
                   SmallVector<Value> prefix;
                   for (int64_t j = 0; j < depth; ++j) {
                     SmallVector<Value> at(outer);
                     at.push_back(cIndex(b, l, j));
                     Value index = tensor::ExtractOp::create(b, l, indices, at);
                     prefix.push_back(normalizeIndex(b, l, index, dataDims[j]));
                   }
                   scf::LoopNest inner = loopNest(
                       b, l, innerUbs, acc,
                       [&](OpBuilder &ib, Location il, ValueRange ivs,
                           ValueRange innerAcc) -> scf::ValueVector {
                         SmallVector<Value> at(outer);
                         llvm::append_range(at, ivs);
                         Value update =
                             tensor::ExtractOp::create(ib, il, updates, at);
                         SmallVector<Value> coords(prefix);
                         llvm::append_range(coords, ivs);
                         return {scatterOne(ib, il, reduction, innerAcc[0],
                                            coords, update, isUnsigned)};
                       });
                   return {inner.results[0]};
                 });
    replaceWithLowered(rewriter, op, nest.results[0]);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// non_zero
//===----------------------------------------------------------------------===//

Value isNonZero(OpBuilder &b, Location loc, Value x) {
  Value zero = scalarConstant(b, loc, x.getType(), 0);
  if (isa<FloatType>(x.getType()))
    return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE, x, zero);
  return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, x, zero);
}

/// nn.non_zero: a reduction counts the non-zero elements (the result's
/// column count), then a loop nest over the input in row-major order
/// carries the next column and writes each non-zero element's coordinates.
struct LowerNonZero final : OpRewritePattern<nn::NonZeroOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::NonZeroOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = toLowered(rewriter, loc, op.getInput());
    auto inputType = cast<RankedTensorType>(input.getType());
    int64_t rank = inputType.getRank();
    if (!isa<FloatType, IntegerType>(inputType.getElementType()))
      return rewriter.notifyMatchFailure(op, "unsupported element type");
    MLIRContext *context = rewriter.getContext();
    Type i64 = rewriter.getI64Type();

    // Count.
    Value zero64 = scalarConstant(rewriter, loc, i64, 0);
    Value countInit =
        fill(rewriter, loc,
             tensor::EmptyOp::create(rewriter, loc, ArrayRef<int64_t>{}, i64),
             zero64);
    SmallVector<AffineMap> maps = {rewriter.getMultiDimIdentityMap(rank),
                                   AffineMap::get(rank, 0, {}, context)};
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::reduction);
    auto count = linalg::GenericOp::create(
        rewriter, loc, countInit.getType(), input, countInit, maps, iterators,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value one = arith::ExtUIOp::create(b, l, b.getI64Type(),
                                             isNonZero(b, l, args[0]));
          linalg::YieldOp::create(
              b, l, arith::AddIOp::create(b, l, args[1], one).getResult());
        });
    Value total =
        i64ToIndex(rewriter, loc,
                   tensor::ExtractOp::create(rewriter, loc, count.getResult(0),
                                             ValueRange{}));

    // Coordinates.
    Value out = tensor::EmptyOp::create(
        rewriter, loc,
        SmallVector<OpFoldResult>{rewriter.getIndexAttr(rank), total}, i64);
    SmallVector<Value> ubs = dimValues(rewriter, loc, input);
    Value start = cIndex(rewriter, loc, 0);
    scf::LoopNest nest =
        loopNest(rewriter, loc, ubs, ValueRange{out, start},
                 [&](OpBuilder &b, Location l, ValueRange ivs,
                     ValueRange acc) -> scf::ValueVector {
                   Value x = tensor::ExtractOp::create(b, l, input, ivs);
                   auto ifOp = scf::IfOp::create(
                       b, l, isNonZero(b, l, x),
                       [&](OpBuilder &tb, Location tl) {
                         Value t = acc[0];
                         for (int64_t d = 0; d < rank; ++d)
                           t = tensor::InsertOp::create(
                               tb, tl, indexToI64(tb, tl, ivs[d]), t,
                               ValueRange{cIndex(tb, tl, d), acc[1]});
                         Value next = arith::AddIOp::create(tb, tl, acc[1],
                                                            cIndex(tb, tl, 1));
                         scf::YieldOp::create(tb, tl, ValueRange{t, next});
                       },
                       [&](OpBuilder &eb, Location el) {
                         scf::YieldOp::create(eb, el, acc);
                       });
                   return {ifOp.getResult(0), ifOp.getResult(1)};
                 });
    replaceWithLowered(rewriter, op, nest.results[0]);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// non_max_suppression
//===----------------------------------------------------------------------===//

/// nn.non_max_suppression, as ONNX Runtime computes it: per batch and
/// class, a while loop takes the best remaining candidate (the highest
/// score above the threshold; the lowest index among equals), keeps it
/// unless its IoU with a box kept for the class is above the threshold,
/// and stops when none is left or the class has its maximum. Rows go into
/// a [batches x classes x min(boxes, max) + 1, 3] tensor whose first `count`
/// rows are the result (O(boxes^2) comparisons a class at worst).
struct LowerNonMaxSuppression final
    : OpRewritePattern<nn::NonMaxSuppressionOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::NonMaxSuppressionOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    Value boxes = toLowered(b, loc, op.getBoxes());
    Value scores = toLowered(b, loc, op.getScores());
    Type boxType = cast<RankedTensorType>(boxes.getType()).getElementType();
    Type scoreType = cast<RankedTensorType>(scores.getType()).getElementType();
    Type i64 = b.getI64Type();
    auto toType = [&](Value v, Type type) {
      return convertScalar(b, loc, v, type, false, false);
    };
    Value maxOutput = extractScalar(b, loc, op.getMaxOutputBoxesPerClass());
    maxOutput = arith::MaxSIOp::create(b, loc, maxOutput,
                                       scalarConstant(b, loc, i64, 0));
    Value iouThreshold =
        toType(extractScalar(b, loc, op.getIouThreshold()), boxType);
    Value scoreThreshold;
    if (op.getScoreThreshold())
      scoreThreshold =
          toType(extractScalar(b, loc, op.getScoreThreshold()), scoreType);
    bool center = op.getCenterPointBox();

    Value zero = cIndex(b, loc, 0), one = cIndex(b, loc, 1);
    Value batches = tensor::DimOp::create(b, loc, boxes, 0);
    Value numBoxes = tensor::DimOp::create(b, loc, boxes, 1);
    Value classes = tensor::DimOp::create(b, loc, scores, 1);
    Value perClass =
        arith::MinUIOp::create(b, loc, numBoxes, i64ToIndex(b, loc, maxOutput));
    // One spare row: a slice of a tensor that folds to 0 rows (no boxes,
    // or at most 0 a class) would not verify.
    Value capacity = arith::AddIOp::create(
        b, loc,
        arith::MulIOp::create(
            b, loc, arith::MulIOp::create(b, loc, batches, classes), perClass),
        one);
    Value rows = tensor::EmptyOp::create(
        b, loc, SmallVector<OpFoldResult>{capacity, b.getIndexAttr(3)}, i64);

    // A box's (x min, x max, y min, y max).
    auto extent = [&](OpBuilder &bb, Value batch, Value box) {
      SmallVector<Value> v;
      for (int64_t k = 0; k < 4; ++k)
        v.push_back(tensor::ExtractOp::create(
            bb, loc, boxes, ValueRange{batch, box, cIndex(bb, loc, k)}));
      if (center) {
        Value half = scalarConstant(bb, loc, boxType, 0.5);
        Value w = arith::MulFOp::create(bb, loc, v[2], half);
        Value h = arith::MulFOp::create(bb, loc, v[3], half);
        return std::array<Value, 4>{arith::SubFOp::create(bb, loc, v[0], w),
                                    arith::AddFOp::create(bb, loc, v[0], w),
                                    arith::SubFOp::create(bb, loc, v[1], h),
                                    arith::AddFOp::create(bb, loc, v[1], h)};
      }
      return std::array<Value, 4>{
          arith::MinimumFOp::create(bb, loc, v[1], v[3]),
          arith::MaximumFOp::create(bb, loc, v[1], v[3]),
          arith::MinimumFOp::create(bb, loc, v[0], v[2]),
          arith::MaximumFOp::create(bb, loc, v[0], v[2])};
    };
    // i1: box `a` suppresses box `c` (IoU above the threshold; boxes of no
    // area, or that do not meet, never do).
    auto suppresses = [&](OpBuilder &bb, Value batch, Value a, Value c) {
      std::array<Value, 4> p = extent(bb, batch, a), q = extent(bb, batch, c);
      Value zeroF = scalarConstant(bb, loc, boxType, 0.0);
      auto positive = [&](Value x) {
        return arith::CmpFOp::create(bb, loc, arith::CmpFPredicate::OGT, x,
                                     zeroF);
      };
      auto sub = [&](Value x, Value y) {
        return arith::SubFOp::create(bb, loc, x, y);
      };
      auto mulF = [&](Value x, Value y) {
        return arith::MulFOp::create(bb, loc, x, y);
      };
      Value width = sub(arith::MinimumFOp::create(bb, loc, p[1], q[1]),
                        arith::MaximumFOp::create(bb, loc, p[0], q[0]));
      Value height = sub(arith::MinimumFOp::create(bb, loc, p[3], q[3]),
                         arith::MaximumFOp::create(bb, loc, p[2], q[2]));
      Value inter = mulF(width, height);
      Value areaP = mulF(sub(p[1], p[0]), sub(p[3], p[2]));
      Value areaQ = mulF(sub(q[1], q[0]), sub(q[3], q[2]));
      Value unionArea =
          sub(arith::AddFOp::create(bb, loc, areaP, areaQ), inter);
      Value valid = positive(width);
      for (Value x : {height, areaP, areaQ, unionArea})
        valid = arith::AndIOp::create(bb, loc, valid, positive(x));
      Value iou = arith::DivFOp::create(bb, loc, inter, unionArea);
      Value above = arith::CmpFOp::create(bb, loc, arith::CmpFPredicate::OGT,
                                          iou, iouThreshold);
      return arith::AndIOp::create(bb, loc, valid, above).getResult();
    };

    Value count0 = zero;
    auto batchLoop = scf::ForOp::create(
        b, loc, zero, batches, one, ValueRange{rows, count0},
        [&](OpBuilder &bb, Location, Value batch, ValueRange batchAcc) {
          auto classLoop = scf::ForOp::create(
              bb, loc, zero, classes, one, batchAcc,
              [&](OpBuilder &cb, Location, Value cls, ValueRange acc) {
                // Candidates: not yet taken, and above the score threshold.
                Type i1 = cb.getI1Type();
                auto done = tensor::GenerateOp::create(
                    cb, loc, RankedTensorType::get({ShapedType::kDynamic}, i1),
                    ValueRange{numBoxes},
                    [&](OpBuilder &gb, Location, ValueRange ivs) {
                      Value excluded =
                          arith::ConstantIntOp::create(gb, loc, 0, 1);
                      if (scoreThreshold) {
                        Value score = tensor::ExtractOp::create(
                            gb, loc, scores, ValueRange{batch, cls, ivs[0]});
                        excluded = arith::CmpFOp::create(
                            gb, loc, arith::CmpFPredicate::ULE, score,
                            scoreThreshold);
                      }
                      tensor::YieldOp::create(gb, loc, excluded);
                    });
                Value kept = tensor::EmptyOp::create(
                    cb, loc, SmallVector<OpFoldResult>{perClass},
                    cb.getIndexType());
                SmallVector<Value> inits = {acc[0], acc[1], done, kept, zero};
                SmallVector<Type> types;
                for (Value v : inits)
                  types.push_back(v.getType());
                SmallVector<Type> withBest(types);
                withBest.push_back(cb.getIndexType());
                auto loop = scf::WhileOp::create(cb, loc, withBest, inits);
                {
                  // (createBlock moves cb into the new block.)
                  OpBuilder::InsertionGuard guard(cb);
                  // Before: the best remaining candidate, if any and if the
                  // class may take more.
                  Block *before =
                      cb.createBlock(&loop.getBefore(), {}, types,
                                     SmallVector<Location>(types.size(), loc));
                  OpBuilder wb = OpBuilder::atBlockBegin(before);
                  Value lowest = lowestValue(wb, loc, scoreType, false);
                  Value falseV = arith::ConstantIntOp::create(wb, loc, 0, 1);
                  auto scan = scf::ForOp::create(
                      wb, loc, zero, numBoxes, one,
                      ValueRange{zero, lowest, falseV},
                      [&](OpBuilder &sb, Location, Value i, ValueRange best) {
                        Value taken = tensor::ExtractOp::create(
                            sb, loc, before->getArgument(2), ValueRange{i});
                        Value score = tensor::ExtractOp::create(
                            sb, loc, scores, ValueRange{batch, cls, i});
                        Value better = arith::OrIOp::create(
                            sb, loc,
                            arith::XOrIOp::create(
                                sb, loc, best[2],
                                arith::ConstantIntOp::create(sb, loc, 1, 1)),
                            arith::CmpFOp::create(sb, loc,
                                                  arith::CmpFPredicate::OGT,
                                                  score, best[1]));
                        Value take = arith::AndIOp::create(
                            sb, loc,
                            arith::XOrIOp::create(
                                sb, loc, taken,
                                arith::ConstantIntOp::create(sb, loc, 1, 1)),
                            better);
                        SmallVector<Value> next = {
                            arith::SelectOp::create(sb, loc, take, i, best[0]),
                            arith::SelectOp::create(sb, loc, take, score,
                                                    best[1]),
                            arith::OrIOp::create(sb, loc, best[2], take)};
                        scf::YieldOp::create(sb, loc, next);
                      });
                  Value room =
                      arith::CmpIOp::create(wb, loc, arith::CmpIPredicate::ult,
                                            before->getArgument(4), perClass);
                  Value go =
                      arith::AndIOp::create(wb, loc, room, scan.getResult(2));
                  SmallVector<Value> forward(before->getArguments());
                  forward.push_back(scan.getResult(0));
                  scf::ConditionOp::create(wb, loc, go, forward);
                }
                {
                  OpBuilder::InsertionGuard guard(cb);
                  // After: take the candidate; keep it unless suppressed.
                  Block *after = cb.createBlock(
                      &loop.getAfter(), {}, withBest,
                      SmallVector<Location>(withBest.size(), loc));
                  OpBuilder ab = OpBuilder::atBlockBegin(after);
                  Value best = after->getArgument(5);
                  Value doneNext = tensor::InsertOp::create(
                      ab, loc, arith::ConstantIntOp::create(ab, loc, 1, 1),
                      after->getArgument(2), ValueRange{best});
                  Value keptSoFar = after->getArgument(4);
                  auto check = scf::ForOp::create(
                      ab, loc, zero, keptSoFar, one,
                      ValueRange{arith::ConstantIntOp::create(ab, loc, 0, 1)},
                      [&](OpBuilder &kb, Location, Value j, ValueRange any) {
                        Value other = tensor::ExtractOp::create(
                            kb, loc, after->getArgument(3), ValueRange{j});
                        scf::YieldOp::create(
                            kb, loc,
                            ValueRange{arith::OrIOp::create(
                                kb, loc, any[0],
                                suppresses(kb, batch, other, best))});
                      });
                  auto keep = scf::IfOp::create(
                      ab, loc,
                      TypeRange(ValueRange(after->getArguments())
                                    .take_front(5)
                                    .getTypes()),
                      check.getResult(0), /*withElseRegion=*/true);
                  {
                    OpBuilder tb = OpBuilder::atBlockBegin(keep.thenBlock());
                    scf::YieldOp::create(
                        tb, loc,
                        ValueRange{after->getArgument(0), after->getArgument(1),
                                   doneNext, after->getArgument(3), keptSoFar});
                    OpBuilder eb = OpBuilder::atBlockBegin(keep.elseBlock());
                    Value row = after->getArgument(1);
                    Value out = after->getArgument(0);
                    SmallVector<Value> triple = {batch, cls, best};
                    for (int64_t k = 0; k < 3; ++k)
                      out = tensor::InsertOp::create(
                          eb, loc, indexToI64(eb, loc, triple[k]), out,
                          ValueRange{row, cIndex(eb, loc, k)});
                    Value keptNext = tensor::InsertOp::create(
                        eb, loc, best, after->getArgument(3),
                        ValueRange{keptSoFar});
                    scf::YieldOp::create(
                        eb, loc,
                        ValueRange{
                            out, arith::AddIOp::create(eb, loc, row, one),
                            doneNext, keptNext,
                            arith::AddIOp::create(eb, loc, keptSoFar, one)});
                  }
                  scf::YieldOp::create(ab, loc, keep.getResults());
                }
                scf::YieldOp::create(
                    cb, loc, ValueRange{loop.getResult(0), loop.getResult(1)});
              });
          scf::YieldOp::create(bb, loc, classLoop.getResults());
        });
    Value count = batchLoop.getResult(1);
    Value result = tensor::ExtractSliceOp::create(
        b, loc, batchLoop.getResult(0),
        SmallVector<OpFoldResult>{b.getIndexAttr(0), b.getIndexAttr(0)},
        SmallVector<OpFoldResult>{count, b.getIndexAttr(3)},
        SmallVector<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(1)});
    replaceWithLowered(rewriter, op, result);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Resize
//===----------------------------------------------------------------------===//

/// f64 scalar arithmetic for resize coordinates (ONNX's reference computes
/// coordinates and weights in double precision).
struct F64 {
  OpBuilder &b;
  Location loc;
  Value c(double v) { return scalarConstant(b, loc, b.getF64Type(), v); }
  Value add(Value x, Value y) { return arith::AddFOp::create(b, loc, x, y); }
  Value sub(Value x, Value y) { return arith::SubFOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return arith::MulFOp::create(b, loc, x, y); }
  Value div(Value x, Value y) { return arith::DivFOp::create(b, loc, x, y); }
  Value cmp(arith::CmpFPredicate p, Value x, Value y) {
    return arith::CmpFOp::create(b, loc, p, x, y);
  }
  Value select(Value cond, Value x, Value y) {
    return arith::SelectOp::create(b, loc, cond, x, y);
  }
  Value fromIndex(Value i) {
    Value i64 = arith::IndexCastOp::create(b, loc, b.getI64Type(), i);
    return arith::SIToFPOp::create(b, loc, b.getF64Type(), i64);
  }
  /// `x` (integral-valued) clamped into [0, size - 1], as an index. NaN
  /// becomes 0.
  Value toClampedIndex(Value x, Value sizeF) {
    Value hi = arith::MinNumFOp::create(b, loc, x, sub(sizeF, c(1)));
    Value lo = arith::MaxNumFOp::create(b, loc, hi, c(0));
    Value i64 = arith::FPToSIOp::create(b, loc, b.getI64Type(), lo);
    return arith::IndexCastOp::create(b, loc, b.getIndexType(), i64);
  }
};

/// Run-time values of one resized dimension, computed before the generics.
struct ResizeDim {
  Value inSize;           // index
  Value inF;              // f64 input length
  Value outF;             // f64 output length (the integer one)
  Value scale;            // f64
  Value outWidth;         // f64 scale * input length, as ONNX's reference uses
  Value roiStart, roiEnd; // f64, tf_crop_and_resize only
};

/// The source coordinate of output position `x` (f64) along `dim`, and
/// (tf_crop_and_resize) whether it lies outside the input.
std::pair<Value, Value> sourceCoordinate(F64 &m,
                                         nn::CoordinateTransform transform,
                                         const ResizeDim &dim, Value x) {
  Value halfPixel = m.sub(m.div(m.add(x, m.c(0.5)), dim.scale), m.c(0.5));
  switch (transform) {
  case nn::CoordinateTransform::HalfPixel:
    return {halfPixel, {}};
  case nn::CoordinateTransform::HalfPixelSymmetric: {
    Value adjustment = m.div(dim.outF, dim.outWidth);
    Value center = m.div(dim.inF, m.c(2));
    Value offset = m.mul(center, m.sub(m.c(1), adjustment));
    return {m.add(offset, halfPixel), {}};
  }
  case nn::CoordinateTransform::PytorchHalfPixel:
    return {m.select(m.cmp(arith::CmpFPredicate::OGT, dim.outF, m.c(1)),
                     halfPixel, m.c(0)),
            {}};
  case nn::CoordinateTransform::AlignCorners: {
    Value v =
        m.div(m.mul(x, m.sub(dim.inF, m.c(1))), m.sub(dim.outWidth, m.c(1)));
    return {m.select(m.cmp(arith::CmpFPredicate::OEQ, dim.outWidth, m.c(1)),
                     m.c(0), v),
            {}};
  }
  case nn::CoordinateTransform::Asymmetric:
    return {m.div(x, dim.scale), {}};
  case nn::CoordinateTransform::TfHalfPixelForNN:
    return {m.div(m.add(x, m.c(0.5)), dim.scale), {}};
  case nn::CoordinateTransform::TfCropAndResize: {
    Value lastIn = m.sub(dim.inF, m.c(1));
    Value extent = m.sub(dim.roiEnd, dim.roiStart);
    Value single = m.div(m.mul(extent, lastIn), m.c(2));
    Value many =
        m.div(m.mul(m.mul(x, extent), lastIn), m.sub(dim.outWidth, m.c(1)));
    Value v = m.select(m.cmp(arith::CmpFPredicate::OEQ, dim.outWidth, m.c(1)),
                       single, many);
    v = m.add(v, m.mul(dim.roiStart, lastIn));
    Value outside = arith::OrIOp::create(
        m.b, m.loc, m.cmp(arith::CmpFPredicate::OLT, v, m.c(0)),
        m.cmp(arith::CmpFPredicate::OGT, v, lastIn));
    return {v, outside};
  }
  }
  return {halfPixel, {}};
}

/// The nearest source position of coordinate `x` under `rounding` (ONNX:
/// an integral coordinate is itself; ties per the mode).
Value roundNearest(F64 &m, nn::NearestRounding rounding, Value x) {
  switch (rounding) {
  case nn::NearestRounding::RoundPreferFloor:
    return math::CeilOp::create(m.b, m.loc, m.sub(x, m.c(0.5)));
  case nn::NearestRounding::RoundPreferCeil:
    return math::FloorOp::create(m.b, m.loc, m.add(x, m.c(0.5)));
  case nn::NearestRounding::Floor:
    return math::FloorOp::create(m.b, m.loc, x);
  case nn::NearestRounding::Ceil:
    return math::CeilOp::create(m.b, m.loc, x);
  }
  return x;
}

/// Interpolation taps of coordinate `x`: the source positions (f64, not
/// clamped) and their weights (f64), per ONNX's reference: with
/// f = ceil(x) - 1 and r = x - f in (0, 1], linear reads f, f+1 and cubic
/// f-1 .. f+2 (Keys kernel with coefficient `a`). With `antialiasScale`
/// below 1 (a shrinking dimension of an antialiased resize) the kernel is
/// widened by its inverse.
void interpolationTaps(F64 &m, nn::ResizeMode mode, double a, Value x,
                       SmallVectorImpl<Value> &positions,
                       SmallVectorImpl<Value> &weights,
                       std::optional<double> antialiasScale = std::nullopt) {
  Value f = m.sub(math::CeilOp::create(m.b, m.loc, x), m.c(1));
  Value r = m.sub(x, f);
  Value one = m.c(1);
  if (antialiasScale && *antialiasScale < 1) {
    // ONNX's reference (Resize-18): the kernel stretched by 1 / scale,
    // taps f + start .. f + start + n - 1 at distances (start + k - r) *
    // scale, weights normalized to sum 1.
    double scale = *antialiasScale;
    bool linear = mode == nn::ResizeMode::Linear;
    int64_t start =
        static_cast<int64_t>(std::floor((linear ? -1 : -2) / scale)) + 1;
    int64_t count = 2 - 2 * start;
    Value sum = m.c(0);
    for (int64_t k = 0; k < count; ++k) {
      Value t = m.mul(m.sub(m.c(double(start + k)), r), m.c(scale));
      t = math::AbsFOp::create(m.b, m.loc, t);
      Value w;
      if (linear) {
        w = arith::MaximumFOp::create(m.b, m.loc, m.sub(one, t), m.c(0));
      } else {
        // Keys' kernel: (a + 2) t^3 - (a + 3) t^2 + 1 up to 1, then
        // a t^3 - 5a t^2 + 8a t - 4a up to 2, then 0.
        Value t2 = m.mul(t, t), t3 = m.mul(t2, t);
        Value nearW =
            m.add(m.sub(m.mul(m.c(a + 2), t3), m.mul(m.c(a + 3), t2)), one);
        Value farW =
            m.sub(m.add(m.sub(m.mul(m.c(a), t3), m.mul(m.c(5 * a), t2)),
                        m.mul(m.c(8 * a), t)),
                  m.c(4 * a));
        w = m.select(m.cmp(arith::CmpFPredicate::OLE, t, one), nearW,
                     m.select(m.cmp(arith::CmpFPredicate::OLT, t, m.c(2)), farW,
                              m.c(0)));
      }
      positions.push_back(m.add(f, m.c(double(start + k))));
      weights.push_back(w);
      sum = m.add(sum, w);
    }
    for (Value &w : weights)
      w = m.div(w, sum);
    return;
  }
  if (mode == nn::ResizeMode::Linear) {
    positions.assign({f, m.add(f, one)});
    weights.assign({m.sub(one, r), r});
    return;
  }
  Value ca = m.c(a);
  // Distance <= 1: (a + 2) t^3 - (a + 3) t^2 + 1.
  auto near = [&](Value t) {
    Value inner = m.sub(m.mul(m.c(a + 2), t), m.c(a + 3)); // (a+2) t - (a+3)
    return m.add(m.mul(m.mul(inner, t), t), one);
  };
  // 1 < distance < 2: ((a t - 5a) t + 8a) t - 4a.
  auto far = [&](Value t) {
    Value v = m.sub(m.mul(ca, t), m.c(5 * a));
    v = m.add(m.mul(v, t), m.c(8 * a));
    return m.sub(m.mul(v, t), m.c(4 * a));
  };
  Value rc = m.sub(one, r);
  positions.assign({m.sub(f, one), f, m.add(f, one), m.add(f, m.c(2))});
  weights.assign({far(m.add(r, one)), near(r), near(rc), far(m.add(rc, one))});
}

/// nn.resize. Nearest: one generic computing every source coordinate.
/// Linear and cubic: separable, one generic per resized dimension (last
/// dimension first, as ONNX's reference nests them), in f64 (the reference
/// computes in double) with a final conversion to the element type
/// (integers truncate, as the reference's astype does). Dimensions whose
/// scale is statically 1 are skipped. Source positions are clamped into
/// the input (ONNX's edge padding); `exclude_outside` drops and
/// renormalizes the weights of positions outside; tf_crop_and_resize gives
/// `extrapolation_value` outside the input.
struct LowerResize final : OpRewritePattern<nn::ResizeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(nn::ResizeOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto inType = cast<RankedTensorType>(op.getInput().getType());
    auto outType = cast<RankedTensorType>(op.getType());
    int64_t rank = inType.getRank();
    nn::CoordinateTransform transform = op.getCoordinateTransform();
    bool crop = transform == nn::CoordinateTransform::TfCropAndResize;
    if (crop && !op.getRoi())
      return rewriter.notifyMatchFailure(op, "tf_crop_and_resize needs roi");
    if (!op.getScales() && !op.getSizes())
      return rewriter.notifyMatchFailure(op, "needs scales or sizes");
    if (!isa<FloatType, IntegerType>(inType.getElementType()))
      return rewriter.notifyMatchFailure(op, "unsupported element type");
    FailureOr<SmallVector<OpFoldResult>> outSizes =
        reifyResultSizes(rewriter, op);
    if (failed(outSizes))
      return failure();

    Value input = toLowered(rewriter, loc, op.getInput());
    F64 m{rewriter, loc};
    SmallVector<ResizeDim> dims(rank);
    SmallVector<bool> identity(rank, false);
    std::optional<SmallVector<double>> constScales;
    if (op.getScales()) {
      DenseFPElementsAttr attr;
      if (matchPattern(op.getScales(), m_Constant(&attr)))
        constScales = llvm::to_vector(
            llvm::map_range(attr.getValues<APFloat>(),
                            [](APFloat v) { return v.convertToDouble(); }));
    }
    Value scales =
        op.getScales() ? toLowered(rewriter, loc, op.getScales()) : Value();
    Value roi = op.getRoi() ? toLowered(rewriter, loc, op.getRoi()) : Value();
    for (int64_t d = 0; d < rank; ++d) {
      ResizeDim &dim = dims[d];
      dim.inSize = tensor::DimOp::create(rewriter, loc, input, d);
      dim.inF = m.fromIndex(dim.inSize);
      Value outSize =
          getValueOrCreateConstantIndexOp(rewriter, loc, (*outSizes)[d]);
      dim.outF = m.fromIndex(outSize);
      if (scales) {
        Value s = tensor::ExtractOp::create(
            rewriter, loc, scales, ValueRange{cIndex(rewriter, loc, d)});
        dim.scale = convertScalar(rewriter, loc, s, rewriter.getF64Type(),
                                  false, false);
        // scale * length in the scales' precision, as the reference's
        // numpy arithmetic does (it decides e.g. align_corners' `== 1`).
        Type scaleType = s.getType();
        Value inS =
            convertScalar(rewriter, loc, indexToI64(rewriter, loc, dim.inSize),
                          scaleType, false, false);
        dim.outWidth = convertScalar(
            rewriter, loc, arith::MulFOp::create(rewriter, loc, s, inS),
            rewriter.getF64Type(), false, false);
        // A scale of 1 copies, unless sizes (given too) say otherwise.
        identity[d] =
            constScales && size_t(d) < constScales->size() &&
            (*constScales)[d] == 1.0 &&
            (!op.getSizes() || (!inType.isDynamicDim(d) &&
                                inType.getDimSize(d) == outType.getDimSize(d)));
      } else {
        dim.scale = m.div(dim.outF, dim.inF);
        dim.outWidth = m.mul(dim.scale, dim.inF);
        identity[d] = !inType.isDynamicDim(d) &&
                      inType.getDimSize(d) == outType.getDimSize(d);
      }
      if (crop) {
        identity[d] = false;
        auto read = [&](int64_t i) {
          Value v = tensor::ExtractOp::create(
              rewriter, loc, roi, ValueRange{cIndex(rewriter, loc, i)});
          return convertScalar(rewriter, loc, v, rewriter.getF64Type(), false,
                               false);
        };
        dim.roiStart = read(d);
        dim.roiEnd = read(rank + d);
      }
    }

    // Antialiasing shapes the kernel by each dimension's scale, which must
    // be known now: the constant scales, else static output / input.
    SmallVector<std::optional<double>> antialiasScales(rank);
    if (op.getAntialias() && op.getMode() != nn::ResizeMode::Nearest) {
      for (int64_t d = 0; d < rank; ++d) {
        if (identity[d])
          continue;
        if (constScales && size_t(d) < constScales->size())
          antialiasScales[d] = (*constScales)[d];
        else if (!op.getScales() && !inType.isDynamicDim(d) &&
                 !outType.isDynamicDim(d) && inType.getDimSize(d) > 0)
          antialiasScales[d] =
              double(outType.getDimSize(d)) / double(inType.getDimSize(d));
        else
          return rewriter.notifyMatchFailure(
              op, "antialias needs constant scales or static sizes");
        // Each output element reads about 4 / scale taps, all unrolled.
        if (!(*antialiasScales[d] >= nn::kMinAntialiasScale))
          return rewriter.notifyMatchFailure(
              op, "antialias needs scales of at least 1/64");
      }
    }

    Type outElement = lowerElementType(outType.getElementType());
    bool isUnsigned = isUnsignedInteger(inType);
    Value result;
    if (op.getMode() == nn::ResizeMode::Nearest) {
      result = nearest(rewriter, op, input, dims, identity, *outSizes);
    } else {
      // Dimensions to interpolate, innermost first.
      Type f64 = rewriter.getF64Type();
      SmallVector<int64_t> order;
      for (int64_t d = rank - 1; d >= 0; --d)
        if (!identity[d])
          order.push_back(d);
      Value current = input;
      SmallVector<OpFoldResult> sizes = tensorSizes(rewriter, loc, input);
      bool currentUnsigned = isUnsigned;
      if (order.empty()) {
        // Nothing to resize: a copy.
        Value init = emptyTensor(rewriter, loc, outType, *outSizes);
        result = parallelGeneric(
            rewriter, loc, init, input, rewriter.getMultiDimIdentityMap(rank),
            [](OpBuilder &, Location, ValueRange args) { return args[0]; });
      }
      for (auto [k, d] : llvm::enumerate(order)) {
        bool last = k + 1 == order.size();
        sizes[d] = (*outSizes)[d];
        Type element = last ? outElement : f64;
        Value init = tensor::EmptyOp::create(rewriter, loc, sizes, element);
        current =
            interpolate(rewriter, op, current, currentUnsigned, d, dims[d],
                        init, last ? isUnsigned : false, antialiasScales[d]);
        currentUnsigned = false;
        result = current;
      }
    }
    replaceWithLowered(rewriter, op, result);
    return success();
  }

  /// Nearest neighbours: every output element copies one input element.
  static Value nearest(PatternRewriter &rewriter, nn::ResizeOp op, Value input,
                       ArrayRef<ResizeDim> dims, ArrayRef<bool> identity,
                       ArrayRef<OpFoldResult> outSizes) {
    Location loc = op.getLoc();
    int64_t rank = dims.size();
    Value init = emptyTensor(rewriter, loc, op.getType(), outSizes);
    Type element = cast<RankedTensorType>(init.getType()).getElementType();
    Value extrapolation = scalarConstant(
        rewriter, loc, element, op.getExtrapolationValue().convertToDouble());
    return parallelGeneric(
        rewriter, loc, init, {}, {},
        [&](OpBuilder &b, Location l, ValueRange) -> Value {
          F64 m{b, l};
          SmallVector<Value> coords;
          Value outside;
          for (int64_t d = 0; d < rank; ++d) {
            Value iv = linalg::IndexOp::create(b, l, d);
            if (identity[d]) {
              coords.push_back(iv);
              continue;
            }
            auto [x, out] = sourceCoordinate(m, op.getCoordinateTransform(),
                                             dims[d], m.fromIndex(iv));
            if (out)
              outside =
                  outside ? arith::OrIOp::create(b, l, outside, out) : out;
            Value rounded = roundNearest(m, op.getNearestRounding(), x);
            coords.push_back(m.toClampedIndex(rounded, dims[d].inF));
          }
          Value v = tensor::ExtractOp::create(b, l, input, coords);
          if (outside)
            v = arith::SelectOp::create(b, l, outside, extrapolation, v);
          return v;
        });
  }

  /// One linear/cubic pass along dimension `d` of `source` into `init`.
  static Value interpolate(PatternRewriter &rewriter, nn::ResizeOp op,
                           Value source, bool sourceUnsigned, int64_t d,
                           const ResizeDim &dim, Value init, bool outUnsigned,
                           std::optional<double> antialiasScale) {
    Location loc = op.getLoc();
    auto initType = cast<RankedTensorType>(init.getType());
    int64_t rank = initType.getRank();
    Type f64 = rewriter.getF64Type();
    double a = op.getCubicCoeffA().convertToDouble();
    bool excludeOutside = op.getExcludeOutside();
    double extrapolation = op.getExtrapolationValue().convertToDouble();
    return parallelGeneric(
        rewriter, loc, init, {}, {},
        [&](OpBuilder &b, Location l, ValueRange) -> Value {
          F64 m{b, l};
          SmallVector<Value> coords = loopIndices(b, l, 0, rank);
          auto [x, outside] = sourceCoordinate(m, op.getCoordinateTransform(),
                                               dim, m.fromIndex(coords[d]));
          SmallVector<Value> positions, weights;
          interpolationTaps(m, op.getMode(), a, x, positions, weights,
                            antialiasScale);
          if (excludeOutside) {
            Value sum = m.c(0);
            Value lastIn = m.sub(dim.inF, m.c(1));
            for (size_t i = 0; i < positions.size(); ++i) {
              Value inside = arith::AndIOp::create(
                  b, l, m.cmp(arith::CmpFPredicate::OGE, positions[i], m.c(0)),
                  m.cmp(arith::CmpFPredicate::OLE, positions[i], lastIn));
              weights[i] = m.select(inside, weights[i], m.c(0));
              sum = m.add(sum, weights[i]);
            }
            for (Value &w : weights)
              w = m.div(w, sum);
          }
          Value acc = m.c(0);
          for (auto [p, w] : llvm::zip(positions, weights)) {
            coords[d] = m.toClampedIndex(p, dim.inF);
            Value v = tensor::ExtractOp::create(b, l, source, coords);
            v = convertScalar(b, l, v, f64, sourceUnsigned, false);
            acc = m.add(acc, m.mul(w, v));
          }
          if (outside)
            acc = m.select(outside, m.c(extrapolation), acc);
          return convertScalar(b, l, acc, initType.getElementType(), false,
                               outUnsigned);
        });
  }
};

//===----------------------------------------------------------------------===//
// GridSample
//===----------------------------------------------------------------------===//

/// nn.grid_sample, as PyTorch's grid_sampler_2d computes it (ONNX's test
/// data comes from it): one generic over [N, C, H_out, W_out] in f64. A
/// grid coordinate is unnormalized, padded (bilinear and nearest: the
/// coordinate; bicubic: each tap's position), and each tap outside the
/// input reads 0.
struct LowerGridSample final : OpRewritePattern<nn::GridSampleOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(nn::GridSampleOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    FailureOr<SmallVector<OpFoldResult>> outSizes =
        reifyResultSizes(rewriter, op);
    if (failed(outSizes))
      return failure();
    Value input = toLowered(rewriter, loc, op.getInput());
    Value grid = toLowered(rewriter, loc, op.getGrid());
    F64 m0{rewriter, loc};
    Value heightF =
        m0.fromIndex(tensor::DimOp::create(rewriter, loc, input, 2));
    Value widthF = m0.fromIndex(tensor::DimOp::create(rewriter, loc, input, 3));
    Value init = emptyTensor(rewriter, loc, op.getType(), *outSizes);
    Type element = cast<RankedTensorType>(init.getType()).getElementType();
    nn::GridSampleMode mode = op.getMode();
    nn::GridSamplePadding padding = op.getPaddingMode();
    bool align = op.getAlignCorners();
    Value result = parallelGeneric(
        rewriter, loc, init, {}, {},
        [&](OpBuilder &b, Location l, ValueRange) -> Value {
          F64 m{b, l};
          SmallVector<Value> at = loopIndices(b, l, 0, 4); // n, c, h, w
          auto coordinate = [&](int64_t k, Value sizeF) {
            Value v = tensor::ExtractOp::create(
                b, l, grid, ValueRange{at[0], at[2], at[3], cIndex(b, l, k)});
            return unnormalize(
                m, convertScalar(b, l, v, b.getF64Type(), false, false), sizeF,
                align);
          };
          Value x = coordinate(0, widthF), y = coordinate(1, heightF);
          SmallVector<Value> xs, xWeights, ys, yWeights;
          auto taps = [&](Value v, Value sizeF,
                          SmallVectorImpl<Value> &positions,
                          SmallVectorImpl<Value> &weights) {
            if (mode == nn::GridSampleMode::Bicubic) {
              interpolationTaps(m, nn::ResizeMode::Cubic, -0.75, v, positions,
                                weights);
              for (Value &p : positions)
                p = pad(m, p, sizeF, padding, align);
              return;
            }
            v = pad(m, v, sizeF, padding, align);
            if (mode == nn::GridSampleMode::Nearest) {
              positions.assign({math::RoundEvenOp::create(b, l, v)});
              weights.assign({m.c(1)});
              return;
            }
            interpolationTaps(m, nn::ResizeMode::Linear, 0, v, positions,
                              weights);
          };
          taps(x, widthF, xs, xWeights);
          taps(y, heightF, ys, yWeights);
          auto inside = [&](Value p, Value sizeF) {
            return arith::AndIOp::create(
                b, l, m.cmp(arith::CmpFPredicate::OGE, p, m.c(0)),
                m.cmp(arith::CmpFPredicate::OLE, p, m.sub(sizeF, m.c(1))));
          };
          Value acc = m.c(0);
          for (auto [py, wy] : llvm::zip(ys, yWeights))
            for (auto [px, wx] : llvm::zip(xs, xWeights)) {
              Value v = tensor::ExtractOp::create(
                  b, l, input,
                  ValueRange{at[0], at[1], m.toClampedIndex(py, heightF),
                             m.toClampedIndex(px, widthF)});
              v = convertScalar(b, l, v, b.getF64Type(), false, false);
              Value in = arith::AndIOp::create(b, l, inside(py, heightF),
                                               inside(px, widthF));
              acc = m.add(acc, m.mul(m.mul(wy, wx), m.select(in, v, m.c(0))));
            }
          return convertScalar(b, l, acc, element, false, false);
        });
    replaceWithLowered(rewriter, op, result);
    return success();
  }

  /// A grid coordinate in [-1, 1] as a pixel position along a dimension of
  /// `sizeF` pixels.
  static Value unnormalize(F64 &m, Value v, Value sizeF, bool align) {
    Value one = m.c(1);
    if (align)
      return m.mul(m.div(m.add(v, one), m.c(2)), m.sub(sizeF, one));
    return m.div(m.sub(m.mul(m.add(v, one), sizeF), one), m.c(2));
  }

  /// Position `v` under the padding mode: as it is (zeros: taps outside
  /// read 0), clamped into [0, size - 1] (border), or reflected at the
  /// corner pixels' centres (with `align`) or outer edges, then clamped.
  static Value pad(F64 &m, Value v, Value sizeF, nn::GridSamplePadding padding,
                   bool align) {
    if (padding == nn::GridSamplePadding::Zeros)
      return v;
    Value last = m.sub(sizeF, m.c(1));
    auto clamp = [&](Value x) {
      Value lo = arith::MaxNumFOp::create(m.b, m.loc, x, m.c(0));
      return arith::MinNumFOp::create(m.b, m.loc, lo, last).getResult();
    };
    if (padding == nn::GridSamplePadding::Border)
      return clamp(v);
    // Reflection between low and high (twice: both may be half pixels).
    Value twiceLow = align ? m.c(0) : m.c(-1);
    Value twiceHigh =
        align ? m.mul(m.c(2), last) : m.sub(m.mul(m.c(2), sizeF), m.c(1));
    Value low = m.div(twiceLow, m.c(2));
    Value span = m.div(m.sub(twiceHigh, twiceLow), m.c(2));
    Value distance = math::AbsFOp::create(m.b, m.loc, m.sub(v, low));
    Value extra = arith::RemFOp::create(m.b, m.loc, distance, span);
    Value flips = math::FloorOp::create(m.b, m.loc, m.div(distance, span));
    Value even =
        m.cmp(arith::CmpFPredicate::OEQ,
              arith::RemFOp::create(m.b, m.loc, flips, m.c(2)), m.c(0));
    Value reflected =
        m.select(even, m.add(extra, low), m.add(m.sub(span, extra), low));
    // One pixel with `align`: nothing to reflect between.
    reflected = m.select(m.cmp(arith::CmpFPredicate::OEQ, twiceLow, twiceHigh),
                         m.c(0), reflected);
    return clamp(reflected);
  }
};

//===----------------------------------------------------------------------===//
// RoiAlign
//===----------------------------------------------------------------------===//

/// nn.roi_align, as ONNX's reference (and ONNX Runtime) computes it: one
/// generic over [R, C, output_height, output_width] in f64, the
/// sampling_ratio^2 samples of a bin unrolled. A sample more than one
/// pixel outside the input reads 0; otherwise its coordinates are clamped
/// at 0 and a low corner on the last row / column uses that row / column
/// for both corners.
struct LowerRoiAlign final : OpRewritePattern<nn::RoiAlignOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(nn::RoiAlignOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    FailureOr<SmallVector<OpFoldResult>> outSizes =
        reifyResultSizes(rewriter, op);
    if (failed(outSizes))
      return failure();
    int64_t ratio = op.getSamplingRatio();
    if (ratio < 1)
      return rewriter.notifyMatchFailure(op, "adaptive sampling ratio");
    Value input = toLowered(rewriter, loc, op.getInput());
    Value rois = toLowered(rewriter, loc, op.getRois());
    Value batchIndices = toLowered(rewriter, loc, op.getBatchIndices());
    F64 m0{rewriter, loc};
    Value heightF =
        m0.fromIndex(tensor::DimOp::create(rewriter, loc, input, 2));
    Value widthF = m0.fromIndex(tensor::DimOp::create(rewriter, loc, input, 3));
    Value init = emptyTensor(rewriter, loc, op.getType(), *outSizes);
    Type element = cast<RankedTensorType>(init.getType()).getElementType();
    bool max = op.getMode() == nn::RoiAlignMode::Max;
    bool halfPixel = op.getHalfPixel();
    double scale = op.getSpatialScale().convertToDouble();
    double outH = op.getOutputHeight(), outW = op.getOutputWidth();
    Value result = parallelGeneric(
        rewriter, loc, init, {}, {},
        [&](OpBuilder &b, Location l, ValueRange) -> Value {
          F64 m{b, l};
          SmallVector<Value> at = loopIndices(b, l, 0, 4); // r, c, ph, pw
          auto roi = [&](int64_t k) {
            Value v = tensor::ExtractOp::create(
                b, l, rois, ValueRange{at[0], cIndex(b, l, k)});
            v = convertScalar(b, l, v, b.getF64Type(), false, false);
            return m.sub(m.mul(v, m.c(scale)), m.c(halfPixel ? 0.5 : 0.0));
          };
          Value image =
              tensor::ExtractOp::create(b, l, batchIndices, ValueRange{at[0]});
          image = arith::IndexCastOp::create(b, l, b.getIndexType(), image);
          Value startW = roi(0), startH = roi(1);
          Value roiW = m.sub(roi(2), startW), roiH = m.sub(roi(3), startH);
          if (!halfPixel) {
            roiW = arith::MaximumFOp::create(b, l, roiW, m.c(1));
            roiH = arith::MaximumFOp::create(b, l, roiH, m.c(1));
          }
          Value binW = m.div(roiW, m.c(outW)), binH = m.div(roiH, m.c(outH));
          Value binY = m.add(startH, m.mul(m.fromIndex(at[2]), binH));
          Value binX = m.add(startW, m.mul(m.fromIndex(at[3]), binW));
          Value acc =
              max ? m.c(-std::numeric_limits<double>::infinity()) : m.c(0);
          for (int64_t iy = 0; iy < ratio; ++iy)
            for (int64_t ix = 0; ix < ratio; ++ix) {
              Value y = m.add(binY, m.mul(m.c((iy + 0.5) / ratio), binH));
              Value x = m.add(binX, m.mul(m.c((ix + 0.5) / ratio), binW));
              Value sample =
                  bilinear(m, input, image, at[1], y, x, heightF, widthF, max);
              acc =
                  max ? arith::MaximumFOp::create(b, l, acc, sample).getResult()
                      : m.add(acc, sample);
            }
          if (!max)
            acc = m.div(acc, m.c(ratio * ratio));
          return convertScalar(b, l, acc, element, false, false);
        });
    replaceWithLowered(rewriter, op, result);
    return success();
  }

  /// One sample at (y, x) of plane (image, channel): the bilinear sum of
  /// its 4 corners, or (max) the largest weighted corner; 0 outside.
  static Value bilinear(F64 &m, Value input, Value image, Value channel,
                        Value y, Value x, Value heightF, Value widthF,
                        bool max) {
    OpBuilder &b = m.b;
    Location l = m.loc;
    Value outside = arith::OrIOp::create(
        b, l,
        arith::OrIOp::create(b, l, m.cmp(arith::CmpFPredicate::OLT, y, m.c(-1)),
                             m.cmp(arith::CmpFPredicate::OGT, y, heightF)),
        arith::OrIOp::create(b, l, m.cmp(arith::CmpFPredicate::OLT, x, m.c(-1)),
                             m.cmp(arith::CmpFPredicate::OGT, x, widthF)));
    // Per axis: the low and high corner and the fraction past the low one.
    auto corners = [&](Value v, Value sizeF) {
      v = arith::MaximumFOp::create(b, l, v, m.c(0));
      Value last = m.sub(sizeF, m.c(1));
      Value low = math::FloorOp::create(b, l, v);
      Value atEnd = m.cmp(arith::CmpFPredicate::OGE, low, last);
      low = m.select(atEnd, last, low);
      Value high = m.select(atEnd, last, m.add(low, m.c(1)));
      Value fraction = m.select(atEnd, m.c(0), m.sub(v, low));
      return std::array<Value, 3>{low, high, fraction};
    };
    auto [yLow, yHigh, ly] = corners(y, heightF);
    auto [xLow, xHigh, lx] = corners(x, widthF);
    Value hy = m.sub(m.c(1), ly), hx = m.sub(m.c(1), lx);
    auto read = [&](Value py, Value px) {
      Value v = tensor::ExtractOp::create(
          b, l, input,
          ValueRange{image, channel, m.toClampedIndex(py, heightF),
                     m.toClampedIndex(px, widthF)});
      return convertScalar(b, l, v, b.getF64Type(), false, false);
    };
    std::array<Value, 4> terms = {m.mul(m.mul(hy, hx), read(yLow, xLow)),
                                  m.mul(m.mul(hy, lx), read(yLow, xHigh)),
                                  m.mul(m.mul(ly, hx), read(yHigh, xLow)),
                                  m.mul(m.mul(ly, lx), read(yHigh, xHigh))};
    Value v = terms[0];
    for (Value t : ArrayRef<Value>(terms).drop_front())
      v = max ? arith::MaximumFOp::create(b, l, v, t).getResult() : m.add(v, t);
    return m.select(outside, m.c(0), v);
  }
};

} // namespace

void ddl::lowering::populateIndexingPatterns(RewritePatternSet &patterns) {
  patterns
      .add<LowerGather, LowerGatherElements, LowerGatherND,
           LowerScatterElements, LowerScatterND, LowerNonZero,
           LowerNonMaxSuppression, LowerResize, LowerGridSample, LowerRoiAlign>(
          patterns.getContext());
}

Value lowering::normalizeIndex(OpBuilder &b, Location loc, Value index,
                               Value size) {
  Value i = arith::IndexCastOp::create(b, loc, b.getIndexType(), index);
  Value zero = cIndex(b, loc, 0), one = cIndex(b, loc, 1);
  Value negative =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, i, zero);
  Value wrapped = arith::SelectOp::create(
      b, loc, negative, arith::AddIOp::create(b, loc, i, size), i);
  Value last = arith::SubIOp::create(b, loc, size, one);
  Value upper = arith::MinSIOp::create(b, loc, wrapped, last);
  return arith::MaxSIOp::create(b, loc, upper, zero);
}

void lowering::checkIndices(
    OpBuilder &b, Location loc, Operation *op, Value indices,
    function_ref<Value(OpBuilder &, Location, ValueRange)> sizeOf,
    StringRef dataDims) {
  if (matchPattern(indices, m_Constant()))
    return;
  auto type = cast<RankedTensorType>(indices.getType());
  int64_t rank = type.getRank();
  Type i1 = b.getI1Type();
  Value noneBad =
      fill(b, loc, tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{}, i1),
           arith::ConstantIntOp::create(b, loc, i1, 0));
  SmallVector<AffineMap> maps = {b.getMultiDimIdentityMap(rank),
                                 AffineMap::get(rank, 0, {}, b.getContext())};
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::reduction);
  auto anyBad = linalg::GenericOp::create(
      b, loc, noneBad.getType(), indices, noneBad, maps, iterators,
      [&](OpBuilder &nb, Location l, ValueRange args) {
        Value i = arith::IndexCastOp::create(nb, l, nb.getIndexType(), args[0]);
        Value size = sizeOf(nb, l, loopIndices(nb, l, 0, rank));
        Value low = arith::SubIOp::create(nb, l, cIndex(nb, l, 0), size);
        Value below =
            arith::CmpIOp::create(nb, l, arith::CmpIPredicate::slt, i, low);
        Value above =
            arith::CmpIOp::create(nb, l, arith::CmpIPredicate::sge, i, size);
        Value bad = arith::OrIOp::create(nb, l, below, above);
        linalg::YieldOp::create(
            nb, l, ValueRange{arith::OrIOp::create(nb, l, args[1], bad)});
      });
  Value any =
      tensor::ExtractOp::create(b, loc, anyBad.getResult(0), ValueRange{});
  Value ok = arith::XOrIOp::create(b, loc, any,
                                   arith::ConstantIntOp::create(b, loc, i1, 1));
  std::string source = describeSource(op->getLoc());
  std::string message =
      (source.empty() ? "" : source + ": ") + "an index is out of range for " +
      dataDims.str() +
      " of data; ONNX requires indices in [-size, size - 1] (size of the "
      "dimension they address)";
  cf::AssertOp::create(b, loc, ok, message);
}
