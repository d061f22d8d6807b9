//===- Contraction.cpp - nn contractions, convolution, pooling to linalg --===//
//
// Matrix products become linalg.matmul / linalg.batch_matmul (batch dims
// collapsed, broadcast materialized only when an operand lacks them), or a
// linalg.generic over the uncollapsed dims when a collapse would group
// several dynamic sizes; einsum one linalg.generic built from its equation.
// Windowed ops pad their input with tensor.pad, then run linalg's NCHW
// convolution and pooling named ops where one fits (2-D convolution, grouped
// and depthwise included; 1-D/3-D ungrouped convolution; 1-D/2-D max and sum
// pooling) and an N-d linalg.generic otherwise. Half-precision floats
// accumulate in f32.
//
//===----------------------------------------------------------------------===//

#include "passes/lowering/NNToLinalg/Common.h"

#include "lib/Support/ConstantData.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Utils/IndexingUtils.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"

using namespace mlir;
using namespace ddl;
using namespace ddl::lowering;

//===----------------------------------------------------------------------===//
// Shared helpers
//===----------------------------------------------------------------------===//

static Value addScalars(OpBuilder &b, Location loc, Value x, Value y) {
  if (isa<FloatType>(x.getType()))
    return arith::AddFOp::create(b, loc, x, y);
  return arith::AddIOp::create(b, loc, x, y);
}

static Value mulScalars(OpBuilder &b, Location loc, Value x, Value y) {
  if (isa<FloatType>(x.getType()))
    return arith::MulFOp::create(b, loc, x, y);
  return arith::MulIOp::create(b, loc, x, y);
}

/// Extends a float scalar to `to` (a no-op when the types agree).
static Value extendTo(OpBuilder &b, Location loc, Value v, Type to) {
  return convertScalar(b, loc, v, to, false, false);
}

/// Index arithmetic on OpFoldResults that folds constants, so static shapes
/// stay static. Divisors are positive constants; divisions round toward
/// -inf/+inf for any sign of the dividend (built from signed division, as
/// the CPU pipeline does not expand arith.floordivsi/ceildivsi).
namespace {
struct IndexMath {
  OpBuilder &b;
  Location loc;

  OpFoldResult c(int64_t v) { return b.getIndexAttr(v); }
  Value v(OpFoldResult x) { return getValueOrCreateConstantIndexOp(b, loc, x); }
  static std::optional<int64_t> cst(OpFoldResult x) {
    return getConstantIntValue(x);
  }

  OpFoldResult add(OpFoldResult x, OpFoldResult y) {
    auto cx = cst(x), cy = cst(y);
    if (cx && cy)
      return c(*cx + *cy);
    if (cx == 0)
      return y;
    if (cy == 0)
      return x;
    return arith::AddIOp::create(b, loc, v(x), v(y)).getResult();
  }
  OpFoldResult sub(OpFoldResult x, OpFoldResult y) {
    auto cx = cst(x), cy = cst(y);
    if (cx && cy)
      return c(*cx - *cy);
    if (cy == 0)
      return x;
    if (x == y)
      return c(0);
    return arith::SubIOp::create(b, loc, v(x), v(y)).getResult();
  }
  OpFoldResult mul(OpFoldResult x, OpFoldResult y) {
    auto cx = cst(x), cy = cst(y);
    if (cx && cy)
      return c(*cx * *cy);
    if (cx == 1)
      return y;
    if (cy == 1)
      return x;
    return arith::MulIOp::create(b, loc, v(x), v(y)).getResult();
  }
  OpFoldResult max(OpFoldResult x, OpFoldResult y) {
    auto cx = cst(x), cy = cst(y);
    if (cx && cy)
      return c(std::max(*cx, *cy));
    return arith::MaxSIOp::create(b, loc, v(x), v(y)).getResult();
  }
  OpFoldResult min(OpFoldResult x, OpFoldResult y) {
    auto cx = cst(x), cy = cst(y);
    if (cx && cy)
      return c(std::min(*cx, *cy));
    return arith::MinSIOp::create(b, loc, v(x), v(y)).getResult();
  }
  /// floor(x / d) for d > 0.
  OpFoldResult floorDiv(OpFoldResult x, int64_t d) {
    if (auto cx = cst(x)) {
      int64_t q = *cx / d;
      if (*cx % d != 0 && *cx < 0)
        --q;
      return c(q);
    }
    if (d == 1)
      return x;
    Value xv = v(x), dv = v(c(d));
    Value q = arith::DivSIOp::create(b, loc, xv, dv);
    Value r = arith::RemSIOp::create(b, loc, xv, dv);
    Value zero = v(c(0));
    Value negative =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, r, zero);
    Value qm1 = arith::SubIOp::create(b, loc, q, v(c(1)));
    return arith::SelectOp::create(b, loc, negative, qm1, q).getResult();
  }
  /// ceil(x / d) for d > 0.
  OpFoldResult ceilDiv(OpFoldResult x, int64_t d) {
    return sub(c(0), floorDiv(sub(c(0), x), d));
  }
};
} // namespace

/// A linalg.generic converting every element of `tensor` to `element`.
static Value convertTensor(OpBuilder &b, Location loc, Value tensor,
                           Type element, bool isUnsigned = false) {
  auto type = cast<RankedTensorType>(tensor.getType());
  if (type.getElementType() == element)
    return tensor;
  Value init =
      tensor::EmptyOp::create(b, loc, tensorSizes(b, loc, tensor), element);
  unsigned rank = type.getRank();
  SmallVector<AffineMap> maps(2, b.getMultiDimIdentityMap(rank));
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, init.getType(), tensor, init, maps, iterators,
             [&](OpBuilder &nb, Location nloc, ValueRange args) {
               linalg::YieldOp::create(nb, nloc,
                                       convertScalar(nb, nloc, args[0], element,
                                                     isUnsigned, isUnsigned));
             })
      .getResult(0);
}

/// A zero-filled tensor of `sizes` and `element`.
static Value zeros(OpBuilder &b, Location loc, ArrayRef<OpFoldResult> sizes,
                   Type element) {
  Value empty = tensor::EmptyOp::create(b, loc, sizes, element);
  return fill(b, loc, empty, scalarConstant(b, loc, element, 0));
}

/// Splits dimension `dim` of `tensor` into [outer, size / outer].
static Value splitDim(OpBuilder &b, Location loc, Value tensor, unsigned dim,
                      int64_t outer) {
  auto type = cast<RankedTensorType>(tensor.getType());
  IndexMath m{b, loc};
  SmallVector<OpFoldResult> sizes = tensorSizes(b, loc, tensor);
  SmallVector<OpFoldResult> outSizes;
  SmallVector<int64_t> shape;
  SmallVector<ReassociationIndices> groups;
  for (unsigned d = 0; d < type.getRank(); ++d) {
    if (d != dim) {
      groups.push_back({int64_t(outSizes.size())});
      outSizes.push_back(sizes[d]);
      shape.push_back(type.getDimSize(d));
      continue;
    }
    groups.push_back({int64_t(outSizes.size()), int64_t(outSizes.size() + 1)});
    outSizes.push_back(m.c(outer));
    shape.push_back(outer);
    OpFoldResult inner;
    if (auto size = IndexMath::cst(sizes[d]))
      inner = m.c(*size / outer);
    else
      inner = arith::DivUIOp::create(b, loc, m.v(sizes[d]), m.v(m.c(outer)))
                  .getResult();
    outSizes.push_back(inner);
    shape.push_back(getConstantIntValue(inner).value_or(ShapedType::kDynamic));
  }
  auto outType = RankedTensorType::get(shape, type.getElementType());
  return tensor::ExpandShapeOp::create(b, loc, outType, tensor, groups,
                                       outSizes);
}

/// Merges dimensions `dim` and `dim + 1` of `tensor`.
static Value mergeDims(OpBuilder &b, Location loc, Value tensor, unsigned dim) {
  auto type = cast<RankedTensorType>(tensor.getType());
  SmallVector<ReassociationIndices> groups;
  for (int64_t d = 0; d < type.getRank(); ++d) {
    if (d == int64_t(dim) + 1)
      continue;
    if (d == int64_t(dim))
      groups.push_back({d, d + 1});
    else
      groups.push_back({d});
  }
  return tensor::CollapseShapeOp::create(b, loc, tensor, groups);
}

/// `tensor` without its (size-1) dimensions `drop`.
static Value dropUnitDims(OpBuilder &b, Location loc, Value tensor,
                          ArrayRef<int64_t> drop) {
  if (drop.empty())
    return tensor;
  auto type = cast<RankedTensorType>(tensor.getType());
  SmallVector<ReassociationIndices> groups;
  ReassociationIndices pending;
  for (int64_t d = 0; d < type.getRank(); ++d) {
    pending.push_back(d);
    if (llvm::is_contained(drop, d))
      continue;
    groups.push_back(pending);
    pending.clear();
  }
  if (!pending.empty() && !groups.empty())
    groups.back().append(pending.begin(), pending.end());
  return tensor::CollapseShapeOp::create(b, loc, tensor, groups);
}

//===----------------------------------------------------------------------===//
// Matrix products
//===----------------------------------------------------------------------===//

namespace {

/// numpy matmul: a 1-D lhs becomes 1 x K and a 1-D rhs K x 1 (the unit dims
/// are dropped from the result again). Without rhs batch dims the lhs batch
/// dims fold into M and one linalg.matmul does the work; otherwise both
/// operands are broadcast to the result's batch dims (copied only when they
/// may differ), which collapse into one for linalg.batch_matmul. Where a
/// collapse would group several dynamic sizes (which upstream cannot lower,
/// see below) a linalg.generic keeps the dims instead. Integer products wrap
/// in the element type (as ONNX MatMul does).
struct MatMulLowering final : OpRewritePattern<nn::MatMulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(nn::MatMulOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(op.getType());
    FailureOr<SmallVector<OpFoldResult>> outSizes =
        reifyResultSizes(rewriter, op);
    if (failed(outSizes))
      return failure();
    Value lhs = toLowered(rewriter, loc, op.getLhs());
    Value rhs = toLowered(rewriter, loc, op.getRhs());
    auto lhsType = cast<RankedTensorType>(lhs.getType());
    auto rhsType = cast<RankedTensorType>(rhs.getType());
    if (lhsType.getRank() == 0 || rhsType.getRank() == 0)
      return rewriter.notifyMatchFailure(op, "0-d operand");
    IndexMath m{rewriter, loc};
    bool lhsVector = lhsType.getRank() == 1, rhsVector = rhsType.getRank() == 1;
    if (lhsVector)
      lhs = tensor::ExpandShapeOp::create(
          rewriter, loc,
          RankedTensorType::get({1, lhsType.getDimSize(0)},
                                lhsType.getElementType()),
          lhs, {{0, 1}}, {m.c(1), tensorSizes(rewriter, loc, lhs)[0]});
    if (rhsVector)
      rhs = tensor::ExpandShapeOp::create(
          rewriter, loc,
          RankedTensorType::get({rhsType.getDimSize(0), 1},
                                rhsType.getElementType()),
          rhs, {{0, 1}}, {tensorSizes(rewriter, loc, rhs)[0], m.c(1)});
    lhsType = cast<RankedTensorType>(lhs.getType());
    rhsType = cast<RankedTensorType>(rhs.getType());
    int64_t lhsRank = lhsType.getRank(), rhsRank = rhsType.getRank();
    int64_t batchRank = std::max(lhsRank, rhsRank) - 2;
    Type element = lhsType.getElementType();
    Type acc = accumulatorType(element);

    SmallVector<OpFoldResult> lhsSizes = tensorSizes(rewriter, loc, lhs);
    SmallVector<OpFoldResult> rhsSizes = tensorSizes(rewriter, loc, rhs);
    OpFoldResult mSize = lhsSizes[lhsRank - 2], nSize = rhsSizes.back();
    Value product;
    // expand-strided-metadata (LLVM 22) crashes on an expand_shape group
    // with more than one dynamic size: expanding the product back to the
    // lhs rows would make one (and ddl-fuse-elementwise moves it onto the
    // collapsed lhs), so the rows fold into M only while at most one of them
    // is dynamic.
    bool collapsibleRows = llvm::count_if(lhsType.getShape().drop_back(),
                                          ShapedType::isDynamic) <= 1;
    if (rhsRank == 2 && !collapsibleRows) {
      // A contraction over the lhs dims as they are, the rhs shared by all
      // rows.
      SmallVector<OpFoldResult> full(lhsSizes.begin(), lhsSizes.end() - 1);
      full.push_back(nSize);
      product = buildBatchedMatmul(rewriter, loc, lhs, rhs,
                                   zeros(rewriter, loc, full, acc));
    } else if (rhsRank == 2) {
      // Fold the lhs batch dims into M.
      Value lhs2 = lhs;
      if (lhsRank > 2) {
        ReassociationIndices rows;
        for (int64_t d = 0; d < lhsRank - 1; ++d)
          rows.push_back(d);
        lhs2 = tensor::CollapseShapeOp::create(
            rewriter, loc, lhs,
            ArrayRef<ReassociationIndices>{rows, {lhsRank - 1}});
      }
      SmallVector<OpFoldResult> sizes2 = {tensorSizes(rewriter, loc, lhs2)[0],
                                          nSize};
      Value init = zeros(rewriter, loc, sizes2, acc);
      product = linalg::MatmulOp::create(rewriter, loc, init.getType(),
                                         ValueRange{lhs2, rhs}, init)
                    .getResult(0);
      if (lhsRank > 2) {
        SmallVector<OpFoldResult> full(lhsSizes.begin(), lhsSizes.end() - 1);
        full.push_back(nSize);
        SmallVector<int64_t> shape;
        for (OpFoldResult s : full)
          shape.push_back(
              getConstantIntValue(s).value_or(ShapedType::kDynamic));
        ReassociationIndices rows;
        for (int64_t d = 0; d < lhsRank - 1; ++d)
          rows.push_back(d);
        product = tensor::ExpandShapeOp::create(
            rewriter, loc, RankedTensorType::get(shape, acc), product,
            ArrayRef<ReassociationIndices>{rows, {lhsRank - 1}}, full);
      }
    } else {
      // The result's batch sizes (the leading dims of the reified shape).
      SmallVector<OpFoldResult> batch(outSizes->begin(),
                                      outSizes->begin() + batchRank);
      // An operand's batch dims need no broadcast when they are the
      // result's: statically equal, or dynamic with the result's symbol.
      auto resultDims =
          dyn_cast_or_null<nn::DimsAttr>(resultType.getEncoding());
      auto broadcastOperand = [&](Value operand, Value nnOperand,
                                  OpFoldResult rows, OpFoldResult cols) {
        auto type = cast<RankedTensorType>(operand.getType());
        auto dims = dyn_cast_or_null<nn::DimsAttr>(
            cast<RankedTensorType>(nnOperand.getType()).getEncoding());
        bool same = type.getRank() == batchRank + 2;
        for (int64_t d = 0; same && d < batchRank; ++d) {
          auto size = getConstantIntValue(batch[d]);
          if (type.isDynamicDim(d))
            same = !size && dims && resultDims && dims.getSymbol(d) &&
                   dims.getSymbol(d) == resultDims.getSymbol(d);
          else
            same = size && type.getDimSize(d) == *size;
        }
        if (same)
          return operand;
        SmallVector<OpFoldResult> sizes(batch);
        sizes.push_back(rows);
        sizes.push_back(cols);
        return broadcastTo(rewriter, loc, operand, sizes);
      };
      Value lhsB = broadcastOperand(lhs, op.getLhs(), mSize, lhsSizes.back());
      Value rhsB =
          broadcastOperand(rhs, op.getRhs(), rhsSizes[rhsRank - 2], nSize);
      auto collapseBatch = [&](Value t) -> Value {
        if (batchRank == 1)
          return t;
        ReassociationIndices b;
        for (int64_t d = 0; d < batchRank; ++d)
          b.push_back(d);
        return tensor::CollapseShapeOp::create(
            rewriter, loc, t,
            ArrayRef<ReassociationIndices>{b, {batchRank}, {batchRank + 1}});
      };
      SmallVector<OpFoldResult> full(batch);
      full.push_back(mSize);
      full.push_back(nSize);
      bool dynamicBatch = llvm::any_of(
          batch, [](OpFoldResult s) { return !getConstantIntValue(s); });
      if (batchRank > 1 && dynamicBatch) {
        // Collapsing several dynamic batch dims and expanding them back
        // crashes upstream expand-strided-metadata (LLVM 22) once the
        // reshapes propagate; a generic over all batch dims avoids it.
        product = buildBatchedMatmul(rewriter, loc, lhsB, rhsB,
                                     zeros(rewriter, loc, full, acc));
      } else {
        Value l3 = collapseBatch(lhsB), r3 = collapseBatch(rhsB);
        OpFoldResult batchSize = m.c(1);
        for (OpFoldResult s : batch)
          batchSize = m.mul(batchSize, s);
        Value init = zeros(rewriter, loc, {batchSize, mSize, nSize}, acc);
        product = linalg::BatchMatmulOp::create(rewriter, loc, init.getType(),
                                                ValueRange{l3, r3}, init)
                      .getResult(0);
        SmallVector<int64_t> shape;
        for (OpFoldResult s : full)
          shape.push_back(
              getConstantIntValue(s).value_or(ShapedType::kDynamic));
        ReassociationIndices b;
        for (int64_t d = 0; d < batchRank; ++d)
          b.push_back(d);
        auto fullType = RankedTensorType::get(shape, acc);
        if (batchRank > 1)
          product = tensor::ExpandShapeOp::create(
              rewriter, loc, fullType, product,
              ArrayRef<ReassociationIndices>{b, {batchRank}, {batchRank + 1}},
              full);
      }
    }
    product = convertTensor(rewriter, loc, product, element);
    int64_t fullRank = cast<RankedTensorType>(product.getType()).getRank();
    SmallVector<int64_t> drop;
    if (lhsVector)
      drop.push_back(fullRank - 2);
    if (rhsVector)
      drop.push_back(fullRank - 1);
    product = dropUnitDims(rewriter, loc, product, drop);
    replaceWithLowered(rewriter, op, product);
    return success();
  }
  /// A batched matmul as a linalg.generic: lhs [B..., M, K] x rhs
  /// [B..., K, N] accumulated into init [B..., M, N]. An operand has either
  /// all of init's batch dims (with init's sizes) or none (a matrix shared
  /// by every batch, read without a broadcast copy).
  static Value buildBatchedMatmul(OpBuilder &b, Location loc, Value lhs,
                                  Value rhs, Value init) {
    MLIRContext *ctx = b.getContext();
    unsigned rank = cast<RankedTensorType>(init.getType()).getRank();
    unsigned numLoops = rank + 1;
    SmallVector<AffineExpr> batchExprs;
    for (unsigned d = 0; d + 2 < rank; ++d)
      batchExprs.push_back(getAffineDimExpr(d, ctx));
    AffineExpr i = getAffineDimExpr(rank - 2, ctx),
               j = getAffineDimExpr(rank - 1, ctx),
               k = getAffineDimExpr(rank, ctx);
    auto map = [&](Value operand, AffineExpr x, AffineExpr y) {
      SmallVector<AffineExpr> exprs;
      if (cast<RankedTensorType>(operand.getType()).getRank() > 2)
        exprs.append(batchExprs);
      exprs.push_back(x);
      exprs.push_back(y);
      return AffineMap::get(numLoops, 0, exprs, ctx);
    };
    SmallVector<AffineMap> maps = {map(lhs, i, k), map(rhs, k, j),
                                   map(init, i, j)};
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    iterators.push_back(utils::IteratorType::reduction);
    Type acc = cast<RankedTensorType>(init.getType()).getElementType();
    return linalg::GenericOp::create(
               b, loc, init.getType(), ValueRange{lhs, rhs}, init, maps,
               iterators,
               [&](OpBuilder &nb, Location l, ValueRange args) {
                 Value p = mulScalars(nb, l, extendTo(nb, l, args[0], acc),
                                      extendTo(nb, l, args[1], acc));
                 linalg::YieldOp::create(nb, l, addScalars(nb, l, args[2], p));
               })
        .getResult(0);
  }
};

/// alpha * op(a) @ op(b) + beta * c. Transposes are folded into the
/// indexing maps of linalg.matmul. When alpha and beta are 1 (the usual
/// case) c, broadcast to M x N, is the matmul's accumulator; otherwise an
/// elementwise epilogue scales. Integer alpha/beta are truncated to the
/// element type.
struct GemmLowering final : OpRewritePattern<nn::GemmOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(nn::GemmOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    FailureOr<SmallVector<OpFoldResult>> outSizes =
        reifyResultSizes(rewriter, op);
    if (failed(outSizes))
      return failure();
    Value a = toLowered(rewriter, loc, op.getA());
    Value bm = toLowered(rewriter, loc, op.getB());
    Type element = cast<RankedTensorType>(a.getType()).getElementType();
    Type acc = accumulatorType(element);
    double alpha = op.getAlpha().convertToDouble();
    double beta = op.getBeta().convertToDouble();
    Value c = op.getC();
    if (c && beta == 0.0)
      c = nullptr;

    // c broadcast to M x N (materialized), in the accumulator type.
    Value cFull;
    if (c) {
      cFull = broadcastTo(rewriter, loc, c, *outSizes);
      cFull = convertTensor(rewriter, loc, cFull, acc,
                            isUnsignedInteger(c.getType()));
    }
    bool fused = alpha == 1.0 && (!c || beta == 1.0);
    Value init = fused && cFull ? cFull : zeros(rewriter, loc, *outSizes, acc);
    auto matmul = linalg::MatmulOp::create(rewriter, loc, init.getType(),
                                           ValueRange{a, bm}, init);
    if (op.getTransA() || op.getTransB()) {
      MLIRContext *ctx = rewriter.getContext();
      AffineExpr i = getAffineDimExpr(0, ctx), j = getAffineDimExpr(1, ctx),
                 k = getAffineDimExpr(2, ctx);
      auto map = [&](ArrayRef<AffineExpr> exprs) {
        return AffineMapAttr::get(AffineMap::get(3, 0, exprs, ctx));
      };
      Attribute aMap = op.getTransA() ? map({k, i}) : map({i, k});
      Attribute bMap = op.getTransB() ? map({j, k}) : map({k, j});
      matmul.setIndexingMapsAttr(
          rewriter.getArrayAttr({aMap, bMap, map({i, j})}));
    }
    Value product = matmul.getResult(0);
    if (!fused) {
      SmallVector<Value> inputs = {product};
      if (cFull)
        inputs.push_back(cFull);
      Value out = emptyTensor(rewriter, loc, op.getType(), *outSizes);
      SmallVector<AffineMap> maps(inputs.size() + 1,
                                  rewriter.getMultiDimIdentityMap(2));
      SmallVector<utils::IteratorType> iterators(2,
                                                 utils::IteratorType::parallel);
      product =
          linalg::GenericOp::create(
              rewriter, loc, out.getType(), inputs, out, maps, iterators,
              [&](OpBuilder &b, Location l, ValueRange args) {
                Value r =
                    mulScalars(b, l, args[0], scalarConstant(b, l, acc, alpha));
                if (cFull)
                  r = addScalars(b, l, r,
                                 mulScalars(b, l, args[1],
                                            scalarConstant(b, l, acc, beta)));
                linalg::YieldOp::create(
                    b, l, convertScalar(b, l, r, element, false, false));
              })
              .getResult(0);
    }
    product = convertTensor(rewriter, loc, product, element);
    replaceWithLowered(rewriter, op, product);
    return success();
  }
};

/// Einsum as one linalg.generic: one loop per '...' dimension and per
/// letter; the letters (and '...' dimensions) missing from the result are
/// reductions, a letter repeated within one term reads the diagonal (the
/// same loop indexes both dimensions). '...' dimensions broadcast with
/// numpy rules (see below). The product of the operands accumulates in f32
/// for half floats.
struct EinsumLowering final : OpRewritePattern<nn::EinsumOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(nn::EinsumOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    FailureOr<SmallVector<OpFoldResult>> outSizes =
        reifyResultSizes(rewriter, op);
    if (failed(outSizes))
      return failure();
    std::string equation;
    for (char ch : op.getEquation())
      if (!llvm::isSpace(ch))
        equation.push_back(ch);
    StringRef text = equation;
    std::optional<StringRef> outText;
    size_t arrow = text.find("->");
    if (arrow != StringRef::npos) {
      outText = text.substr(arrow + 2);
      text = text.substr(0, arrow);
    }
    SmallVector<StringRef> terms;
    text.split(terms, ',', -1, true);
    ValueRange inputs = op.getInputs();
    if (terms.size() != inputs.size())
      return rewriter.notifyMatchFailure(op, "term count mismatch");

    // Per operand: the letter of each dimension, or -1 for '...' dims.
    struct Term {
      SmallVector<char> items; // letters, '.' for the '...'
    };
    auto parse = [](StringRef t, Term &term) {
      for (size_t i = 0; i < t.size();) {
        if (t.substr(i).starts_with("...")) {
          term.items.push_back('.');
          i += 3;
        } else if (llvm::isAlpha(t[i])) {
          term.items.push_back(t[i++]);
        } else {
          return false;
        }
      }
      return true;
    };
    SmallVector<Term> inTerms(inputs.size());
    std::array<int, 128> count{};
    int ellipsisRank = 0;
    SmallVector<Value> lowered;
    for (auto [i, input] : llvm::enumerate(inputs)) {
      if (!parse(terms[i], inTerms[i]))
        return rewriter.notifyMatchFailure(op, "cannot parse the equation");
      int rank = cast<RankedTensorType>(input.getType()).getRank();
      int named = 0;
      for (char ch : inTerms[i].items)
        if (ch != '.') {
          ++named;
          ++count[ch];
        }
      if (llvm::is_contained(inTerms[i].items, '.'))
        ellipsisRank = std::max(ellipsisRank, rank - named);
      lowered.push_back(toLowered(rewriter, loc, input));
    }
    Term outTerm;
    if (outText) {
      if (!parse(*outText, outTerm))
        return rewriter.notifyMatchFailure(op, "cannot parse the equation");
    } else {
      outTerm.items.push_back('.');
      for (int ch = 0; ch < 128; ++ch)
        if (count[ch] == 1)
          outTerm.items.push_back(char(ch));
    }

    // Loop dims: the '...' dims first, then letters in order of appearance.
    std::array<int, 128> loopOf;
    loopOf.fill(-1);
    int numLoops = ellipsisRank;
    for (const Term &t : inTerms)
      for (char ch : t.items)
        if (ch != '.' && loopOf[ch] < 0)
          loopOf[ch] = numLoops++;
    SmallVector<AffineExpr> outExprs;
    SmallVector<bool> inResult(numLoops, false);
    for (char ch : outTerm.items) {
      if (ch == '.') {
        for (int j = 0; j < ellipsisRank; ++j) {
          outExprs.push_back(getAffineDimExpr(j, ctx));
          inResult[j] = true;
        }
        continue;
      }
      if (loopOf[ch] < 0)
        return rewriter.notifyMatchFailure(op, "result letter not in inputs");
      outExprs.push_back(getAffineDimExpr(loopOf[ch], ctx));
      inResult[loopOf[ch]] = true;
    }
    auto outType = cast<RankedTensorType>(lowerType(op.getType()));
    if (int64_t(outExprs.size()) != outType.getRank())
      return rewriter.notifyMatchFailure(op, "result rank mismatch");

    // Per operand and dimension: how it indexes the loops.
    struct DimAccess {
      int loop;
      bool ellipsis;
    };
    SmallVector<SmallVector<DimAccess>> access(inputs.size());
    for (auto [i, t] : llvm::enumerate(inTerms)) {
      auto type = cast<RankedTensorType>(lowered[i].getType());
      int named = llvm::count_if(t.items, [](char ch) { return ch != '.'; });
      int own = type.getRank() - named;
      for (char ch : t.items) {
        if (ch != '.') {
          access[i].push_back({loopOf[ch], false});
          continue;
        }
        for (int j = 0; j < own; ++j)
          access[i].push_back({ellipsisRank - own + j, true});
      }
    }
    // '...' dims broadcast. Per operand dim: identity; index 0 (statically
    // 1 while another operand's is not); or a run-time broadcast (dynamic
    // while another operand's is not statically 1), materialized first by a
    // copy to the broadcast size (the max over the operands) that reads
    // index 0 where the operand's size is 1.
    enum class Mode { Identity, Zero, RunTime };
    IndexMath m{rewriter, loc};
    SmallVector<SmallVector<Mode>> modes(inputs.size());
    SmallVector<OpFoldResult> ellSize(ellipsisRank, m.c(1));
    for (auto [i, acc] : llvm::enumerate(access))
      modes[i].assign(acc.size(), Mode::Identity);
    for (int j = 0; j < ellipsisRank; ++j) {
      SmallVector<std::pair<unsigned, unsigned>> users;
      for (auto [i, acc] : llvm::enumerate(access))
        for (auto [d, a] : llvm::enumerate(acc))
          if (a.ellipsis && a.loop == j)
            users.push_back({unsigned(i), unsigned(d)});
      auto sizeOf = [&](std::pair<unsigned, unsigned> u) {
        return cast<RankedTensorType>(lowered[u.first].getType())
            .getDimSize(u.second);
      };
      for (auto u : users) {
        ellSize[j] = m.max(
            ellSize[j], tensorSizes(rewriter, loc, lowered[u.first])[u.second]);
        bool otherNotOne = llvm::any_of(users, [&](auto o) {
          return o.first != u.first && sizeOf(o) != 1;
        });
        if (sizeOf(u) == 1 && otherNotOne)
          modes[u.first][u.second] = Mode::Zero;
        else if (ShapedType::isDynamic(sizeOf(u)) && otherNotOne)
          modes[u.first][u.second] = Mode::RunTime;
      }
    }
    for (auto [i, acc] : llvm::enumerate(access)) {
      if (!llvm::is_contained(modes[i], Mode::RunTime))
        continue;
      auto type = cast<RankedTensorType>(lowered[i].getType());
      unsigned rank = type.getRank();
      SmallVector<OpFoldResult> sizes = tensorSizes(rewriter, loc, lowered[i]);
      SmallVector<Value> isOne(rank);
      for (unsigned d = 0; d < rank; ++d) {
        if (modes[i][d] != Mode::RunTime)
          continue;
        isOne[d] =
            arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::eq,
                                  m.v(sizes[d]), m.v(m.c(1)));
        sizes[d] = ellSize[acc[d].loop];
        modes[i][d] = Mode::Identity;
      }
      Value source = lowered[i];
      Value empty =
          tensor::EmptyOp::create(rewriter, loc, sizes, type.getElementType());
      lowered[i] =
          linalg::GenericOp::create(
              rewriter, loc, empty.getType(), ValueRange{}, empty,
              rewriter.getMultiDimIdentityMap(rank),
              SmallVector<utils::IteratorType>(rank,
                                               utils::IteratorType::parallel),
              [&](OpBuilder &b, Location l, ValueRange) {
                Value zero = arith::ConstantIndexOp::create(b, l, 0);
                SmallVector<Value> indices;
                for (unsigned d = 0; d < rank; ++d) {
                  Value iv = linalg::IndexOp::create(b, l, d);
                  if (isOne[d])
                    iv = arith::SelectOp::create(b, l, isOne[d], zero, iv);
                  indices.push_back(iv);
                }
                linalg::YieldOp::create(
                    b, l,
                    Value(tensor::ExtractOp::create(b, l, source, indices)));
              })
              .getResult(0);
    }

    Type element = outType.getElementType();
    Type accType = accumulatorType(element);
    SmallVector<AffineMap> maps;
    for (auto [i, acc] : llvm::enumerate(access)) {
      SmallVector<AffineExpr> exprs;
      for (auto [d, a] : llvm::enumerate(acc))
        exprs.push_back(modes[i][d] == Mode::Zero
                            ? getAffineConstantExpr(0, ctx)
                            : getAffineDimExpr(a.loop, ctx));
      maps.push_back(AffineMap::get(numLoops, 0, exprs, ctx));
    }
    maps.push_back(AffineMap::get(numLoops, 0, outExprs, ctx));
    SmallVector<utils::IteratorType> iterators;
    for (int l = 0; l < numLoops; ++l)
      iterators.push_back(inResult[l] ? utils::IteratorType::parallel
                                      : utils::IteratorType::reduction);
    Value init = zeros(rewriter, loc, *outSizes, accType);
    Value result =
        linalg::GenericOp::create(
            rewriter, loc, init.getType(), lowered, init, maps, iterators,
            [&](OpBuilder &b, Location l, ValueRange args) {
              Value prod;
              for (Value s : args.drop_back()) {
                s = extendTo(b, l, s, accType);
                prod = prod ? mulScalars(b, l, prod, s) : s;
              }
              linalg::YieldOp::create(b, l,
                                      addScalars(b, l, args.back(), prod));
            })
            .getResult(0);
    result = convertTensor(rewriter, loc, result, element);
    replaceWithLowered(rewriter, op, result);
    return success();
  }
};

} // namespace

//===----------------------------------------------------------------------===//
// Windows (convolution and pooling)
//===----------------------------------------------------------------------===//

namespace {
/// Per spatial axis: the geometry of a sliding window.
struct Window {
  SmallVector<OpFoldResult> in, out, kernel;
  SmallVector<int64_t> strides, dilations;
  /// The op's padding (ONNX's pads, or what auto_pad derives).
  SmallVector<OpFoldResult> padBegin, padEnd;
  /// End padding for tensor.pad: at least padEnd, and enough for every
  /// window (ceil_mode windows may run past the end padding).
  SmallVector<OpFoldResult> padHigh;

  size_t rank() const { return in.size(); }
  bool hasPadding() const {
    for (size_t i = 0; i < rank(); ++i)
      if (getConstantIntValue(padBegin[i]) != 0 ||
          getConstantIntValue(padHigh[i]) != 0)
        return true;
    return false;
  }
};
} // namespace

static SmallVector<int64_t> attrOr(std::optional<ArrayRef<int64_t>> attr,
                                   size_t n, int64_t fallback) {
  if (!attr || attr->size() != n)
    return SmallVector<int64_t>(n, fallback);
  return SmallVector<int64_t>(attr->begin(), attr->end());
}

/// The window geometry of an op whose input has spatial sizes `in`, result
/// `out` and kernel `kernel` (ONNX padding rules; SAME pads never go below
/// zero).
static Window computeWindow(OpBuilder &b, Location loc,
                            ArrayRef<OpFoldResult> in,
                            ArrayRef<OpFoldResult> out,
                            ArrayRef<OpFoldResult> kernel,
                            std::optional<ArrayRef<int64_t>> strides,
                            std::optional<ArrayRef<int64_t>> pads,
                            std::optional<ArrayRef<int64_t>> dilations,
                            nn::AutoPad autoPad, bool ceilMode) {
  IndexMath m{b, loc};
  size_t n = in.size();
  Window w;
  w.in.assign(in.begin(), in.end());
  w.out.assign(out.begin(), out.end());
  w.kernel.assign(kernel.begin(), kernel.end());
  w.strides = attrOr(strides, n, 1);
  w.dilations = attrOr(dilations, n, 1);
  SmallVector<int64_t> explicitPads = attrOr(pads, 2 * n, 0);
  for (size_t i = 0; i < n; ++i) {
    OpFoldResult extent =
        m.add(m.mul(m.sub(kernel[i], m.c(1)), m.c(w.dilations[i])), m.c(1));
    // Input span the windows read: (out - 1) * stride + extent.
    OpFoldResult span =
        m.add(m.mul(m.sub(out[i], m.c(1)), m.c(w.strides[i])), extent);
    OpFoldResult begin, end;
    switch (autoPad) {
    case nn::AutoPad::NotSet:
      begin = m.c(explicitPads[i]);
      end = m.c(explicitPads[i + n]);
      break;
    case nn::AutoPad::Valid:
      begin = end = m.c(0);
      break;
    case nn::AutoPad::SameUpper:
    case nn::AutoPad::SameLower: {
      OpFoldResult total = m.max(m.sub(span, in[i]), m.c(0));
      OpFoldResult half = m.floorDiv(total, 2);
      begin = autoPad == nn::AutoPad::SameUpper ? half : m.sub(total, half);
      end = m.sub(total, begin);
      break;
    }
    }
    w.padBegin.push_back(begin);
    w.padEnd.push_back(end);
    // Floor-mode windows always end inside the padded input.
    w.padHigh.push_back(ceilMode ? m.max(end, m.sub(m.sub(span, in[i]), begin))
                                 : end);
  }
  return w;
}

/// `x` ([N, C, spatial...]) padded per `window` with `value`.
static Value padInput(OpBuilder &b, Location loc, Value x, const Window &w,
                      Value value) {
  if (!w.hasPadding())
    return x;
  IndexMath m{b, loc};
  SmallVector<OpFoldResult> low = {m.c(0), m.c(0)}, high = {m.c(0), m.c(0)};
  low.append(w.padBegin.begin(), w.padBegin.end());
  high.append(w.padHigh.begin(), w.padHigh.end());
  return tensor::PadOp::create(b, loc, Type(), x, low, high, value);
}

static NamedAttribute windowAttr(OpBuilder &b, StringRef name,
                                 ArrayRef<int64_t> values) {
  return b.getNamedAttr(name, b.getI64TensorAttr(values));
}

/// Spatial sizes (dims 2..) of a sizes list.
static SmallVector<OpFoldResult> spatial(ArrayRef<OpFoldResult> sizes) {
  return SmallVector<OpFoldResult>(sizes.drop_front(2));
}

/// A sliding-window reduction over the padded `x` ([N, C, spatial...]) into
/// `init` ([N, C, out...]): `body(b, loc, element, acc)` combines.
static Value buildPoolGeneric(
    OpBuilder &b, Location loc, Value x, Value init, const Window &w,
    llvm::function_ref<Value(OpBuilder &, Location, Value, Value)> body) {
  MLIRContext *ctx = b.getContext();
  unsigned n = w.rank();
  unsigned numLoops = 2 + 2 * n;
  auto dim = [&](unsigned d) { return getAffineDimExpr(d, ctx); };
  SmallVector<AffineExpr> xExprs = {dim(0), dim(1)}, kExprs,
                          outExprs = {dim(0), dim(1)};
  for (unsigned i = 0; i < n; ++i) {
    xExprs.push_back(dim(2 + i) * w.strides[i] +
                     dim(2 + n + i) * w.dilations[i]);
    kExprs.push_back(dim(2 + n + i));
    outExprs.push_back(dim(2 + i));
  }
  Value window = tensor::EmptyOp::create(
      b, loc, w.kernel, cast<RankedTensorType>(x.getType()).getElementType());
  SmallVector<AffineMap> maps = {AffineMap::get(numLoops, 0, xExprs, ctx),
                                 AffineMap::get(numLoops, 0, kExprs, ctx),
                                 AffineMap::get(numLoops, 0, outExprs, ctx)};
  SmallVector<utils::IteratorType> iterators(2 + n,
                                             utils::IteratorType::parallel);
  iterators.append(n, utils::IteratorType::reduction);
  return linalg::GenericOp::create(
             b, loc, init.getType(), ValueRange{x, window}, init, maps,
             iterators,
             [&](OpBuilder &nb, Location l, ValueRange args) {
               linalg::YieldOp::create(nb, l, body(nb, l, args[0], args[2]));
             })
      .getResult(0);
}

/// A tensor of `sizes` and `element` holding `bias` ([M]) along dim 1, or
/// zeros without a bias.
static Value biasInit(OpBuilder &b, Location loc, Value bias,
                      ArrayRef<OpFoldResult> sizes, Type element) {
  if (!bias)
    return zeros(b, loc, sizes, element);
  Value lowered = toLowered(b, loc, bias);
  Value empty = tensor::EmptyOp::create(b, loc, sizes, element);
  unsigned rank = sizes.size();
  if (cast<RankedTensorType>(lowered.getType()).getElementType() == element) {
    SmallVector<int64_t> dims = {0};
    for (unsigned d = 2; d < rank; ++d)
      dims.push_back(d);
    return linalg::BroadcastOp::create(b, loc, lowered, empty, dims)
        .getResult()[0];
  }
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineMap> maps = {
      AffineMap::get(rank, 0, getAffineDimExpr(1, ctx)),
      b.getMultiDimIdentityMap(rank)};
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, empty.getType(), lowered, empty, maps, iterators,
             [&](OpBuilder &nb, Location l, ValueRange args) {
               linalg::YieldOp::create(nb, l,
                                       extendTo(nb, l, args[0], element));
             })
      .getResult(0);
}

/// `init` filled with `source` read through `map` (one per element of
/// `init`, all loops parallel): im2col copies.
static Value copyThrough(OpBuilder &b, Location loc, Value source, Value init,
                         AffineMap map) {
  unsigned rank = cast<RankedTensorType>(init.getType()).getRank();
  SmallVector<utils::IteratorType> parallel(rank,
                                            utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, init.getType(), source, init,
             ArrayRef<AffineMap>{map, b.getMultiDimIdentityMap(rank)}, parallel,
             [](OpBuilder &nb, Location l, ValueRange args) {
               linalg::YieldOp::create(nb, l, args[0]);
             })
      .getResult(0);
}

/// `v` with its dimensions permuted (result dim i is dim perm[i]), as a
/// linalg.generic so that elementwise fusion can merge it with neighbours.
static Value permuted(OpBuilder &b, Location loc, Value v,
                      ArrayRef<int64_t> perm) {
  auto type = cast<RankedTensorType>(v.getType());
  SmallVector<OpFoldResult> sizes = tensorSizes(b, loc, v), outSizes;
  SmallVector<AffineExpr> inExprs(perm.size());
  for (auto [i, p] : llvm::enumerate(perm)) {
    outSizes.push_back(sizes[p]);
    inExprs[p] = getAffineDimExpr(i, b.getContext());
  }
  Value init = tensor::EmptyOp::create(b, loc, outSizes, type.getElementType());
  return copyThrough(b, loc, v, init,
                     AffineMap::get(perm.size(), 0, inExprs, b.getContext()));
}

/// Permutations between N C spatial... and N spatial... C of `rank` dims.
static SmallVector<int64_t> toChannelsLast(unsigned rank) {
  SmallVector<int64_t> perm = {0};
  for (unsigned d = 2; d < rank; ++d)
    perm.push_back(d);
  perm.push_back(1);
  return perm;
}
static SmallVector<int64_t> toChannelsFirst(unsigned rank) {
  SmallVector<int64_t> perm = {0, rank - 1};
  for (unsigned d = 1; d + 1 < rank; ++d)
    perm.push_back(d);
  return perm;
}

/// The f32 constant `weight` with its dimensions permuted (result dim i is
/// dim perm[i]) at compile time and reshaped to `type`, as a new constant;
/// null when the weight is computed at run time or its data is not
/// available.
static Value permutedConstant(OpBuilder &b, Location loc, Value weight,
                              ArrayRef<int64_t> perm, RankedTensorType type) {
  auto constant = weight.getDefiningOp<nn::ConstantOp>();
  auto wType = cast<RankedTensorType>(weight.getType());
  if (!constant || !wType.hasStaticShape() ||
      wType.getRank() != int64_t(perm.size()) ||
      wType.getNumElements() != type.getNumElements())
    return {};
  std::vector<float> source;
  if (failed(readF32Elements(cast<ElementsAttr>(constant.getValue()),
                             wType.getNumElements(), source)))
    return {};
  ArrayRef<int64_t> shape = wType.getShape();
  SmallVector<int64_t> strides = computeStrides(shape);
  SmallVector<int64_t> outShape = applyPermutation(shape, perm);
  // Walk the result in order with an odometer over its index, reading the
  // source through the permuted strides.
  SmallVector<int64_t> readStrides = applyPermutation(ArrayRef(strides), perm);
  SmallVector<int64_t> index(outShape.size(), 0);
  std::vector<float> result(source.size());
  int64_t from = 0;
  for (float &out : result) {
    out = source[from];
    for (int64_t d = outShape.size() - 1; d >= 0; --d) {
      from += readStrides[d];
      if (++index[d] < outShape[d])
        break;
      from -= readStrides[d] * outShape[d];
      index[d] = 0;
    }
  }
  return arith::ConstantOp::create(
      b, loc, cast<TypedAttr>(f32Resource(type, "ddl_filter", result)));
}

/// `x` (N H W C) padded per `window` with zeros.
static Value padChannelsLast(OpBuilder &b, Location loc, Value x,
                             const Window &w) {
  if (!w.hasPadding())
    return x;
  IndexMath m{b, loc};
  SmallVector<OpFoldResult> low = {m.c(0)}, high = {m.c(0)};
  low.append(w.padBegin.begin(), w.padBegin.end());
  high.append(w.padHigh.begin(), w.padHigh.end());
  low.push_back(m.c(0));
  high.push_back(m.c(0));
  return tensor::PadOp::create(
      b, loc, Type(), x, low, high,
      scalarConstant(b, loc, getElementTypeOrSelf(x.getType()), 0));
}

/// `y` (N H W F) plus `bias` ([F]) when there is one.
static Value addChannelsLastBias(OpBuilder &b, Location loc, Value y,
                                 Value bias) {
  if (!bias)
    return y;
  MLIRContext *ctx = b.getContext();
  auto type = cast<RankedTensorType>(y.getType());
  unsigned rank = type.getRank();
  Value init = tensor::EmptyOp::create(b, loc, tensorSizes(b, loc, y),
                                       type.getElementType());
  SmallVector<AffineMap> maps = {
      b.getMultiDimIdentityMap(rank),
      AffineMap::get(rank, 0, getAffineDimExpr(rank - 1, ctx)),
      b.getMultiDimIdentityMap(rank)};
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, init.getType(), ValueRange{y, toLowered(b, loc, bias)},
             init, maps, iterators,
             [](OpBuilder &nb, Location l, ValueRange args) {
               linalg::YieldOp::create(
                   nb, l,
                   Value(arith::AddFOp::create(nb, l, args[0], args[1])));
             })
      .getResult(0);
}

/// Whether a 2-D convolution has a channels-last kernel below: f32, static
/// channels and spatial sizes (any batch), constant filter, group 1 or
/// depthwise. `x` is the lowered input in the op's own layout.
static bool hasChannelsLastKernel(nn::ConvOp op, Value x) {
  auto xType = cast<RankedTensorType>(x.getType());
  auto wType = cast<RankedTensorType>(op.getWeight().getType());
  if (xType.getRank() != 4 || !xType.getElementType().isF32() ||
      !wType.getElementType().isF32() || !wType.hasStaticShape() ||
      !op.getWeight().getDefiningOp<nn::ConstantOp>())
    return false;
  for (int64_t d = 1; d < 4; ++d)
    if (xType.isDynamicDim(d))
      return false;
  int64_t group = op.getGroup();
  return group == 1 ||
         (wType.getDimSize(1) == 1 && wType.getDimSize(0) == group);
}

/// A group-1 2-D f32 convolution on a channels-last input as one GEMM, so
/// that it runs on the contraction kernels (ddl-select-schedules /
/// ddl-data-tile take a matmul whose right operand is a constant):
///   patches[(n, oh, ow), (kh, kw, c)] = xpad[n, oh*s + kh*d, ow*s + kw*d, c]
///   y[(n, oh, ow), f] = sum_k patches[., k] * w'[f, k] (+ bias[f])
/// with the filter rearranged to [F, KH, KW, C] at compile time. patches is
/// the input itself (a reshape) for an unpadded 1x1 stride-1 convolution,
/// otherwise an im2col copy made of C-float rows contiguous in both the
/// input and the copy. The result is N OH OW F. Null when the filter's data
/// is not available.
static Value channelsLastGemmConv(OpBuilder &b, Location loc, nn::ConvOp op,
                                  Value x, const Window &win,
                                  ArrayRef<OpFoldResult> outSizes) {
  auto xType = cast<RankedTensorType>(x.getType());
  auto wType = cast<RankedTensorType>(op.getWeight().getType());
  int64_t f = wType.getDimSize(0), c = wType.getDimSize(1),
          kh = wType.getDimSize(2), kw = wType.getDimSize(3);
  int64_t oh = *getConstantIntValue(outSizes[1]),
          ow = *getConstantIntValue(outSizes[2]);
  int64_t k = kh * kw * c;
  Type f32 = b.getF32Type();
  Value w = permutedConstant(b, loc, op.getWeight(), {0, 2, 3, 1},
                             RankedTensorType::get({f, k}, f32));
  if (!w)
    return {};
  MLIRContext *ctx = b.getContext();
  auto dim = [&](unsigned d) { return getAffineDimExpr(d, ctx); };
  int64_t n = xType.getDimSize(0); // May be dynamic.
  int64_t m = ShapedType::isDynamic(n) ? n : n * oh * ow;
  OpFoldResult batch = outSizes[0];

  Value patches;
  bool direct = kh == 1 && kw == 1 && win.strides[0] == 1 &&
                win.strides[1] == 1 && !win.hasPadding() &&
                xType.getDimSize(1) == oh && xType.getDimSize(2) == ow;
  if (direct) {
    patches = tensor::CollapseShapeOp::create(
        b, loc, RankedTensorType::get({m, k}, f32), x,
        ArrayRef<ReassociationIndices>{{0, 1, 2}, {3}});
  } else if (win.dilations[1] == 1) {
    // Undilated along W: the KW x C elements of a patch row are contiguous
    // in the input, one copy of KW * C floats per (oh, ow, kh).
    Value xPadded = padChannelsLast(b, loc, x, win);
    Value rowsOf = tensor::CollapseShapeOp::create(
        b, loc, xPadded, ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3}});
    Value init = tensor::EmptyOp::create(
        b, loc,
        ArrayRef<OpFoldResult>{batch, b.getIndexAttr(oh), b.getIndexAttr(ow),
                               b.getIndexAttr(kh), b.getIndexAttr(kw * c)},
        f32);
    AffineMap xMap = AffineMap::get(
        5, 0,
        {dim(0), dim(1) * win.strides[0] + dim(3) * win.dilations[0],
         dim(2) * (win.strides[1] * c) + dim(4)},
        ctx);
    patches = copyThrough(b, loc, rowsOf, init, xMap);
    patches = tensor::CollapseShapeOp::create(
        b, loc, RankedTensorType::get({m, k}, f32), patches,
        ArrayRef<ReassociationIndices>{{0, 1, 2}, {3, 4}});
  } else {
    Value xPadded = padChannelsLast(b, loc, x, win);
    Value init = tensor::EmptyOp::create(
        b, loc,
        ArrayRef<OpFoldResult>{batch, b.getIndexAttr(oh), b.getIndexAttr(ow),
                               b.getIndexAttr(kh), b.getIndexAttr(kw),
                               b.getIndexAttr(c)},
        f32);
    AffineMap xMap = AffineMap::get(
        6, 0,
        {dim(0), dim(1) * win.strides[0] + dim(3) * win.dilations[0],
         dim(2) * win.strides[1] + dim(4) * win.dilations[1], dim(5)},
        ctx);
    patches = copyThrough(b, loc, xPadded, init, xMap);
    patches = tensor::CollapseShapeOp::create(
        b, loc, RankedTensorType::get({m, k}, f32), patches,
        ArrayRef<ReassociationIndices>{{0, 1, 2}, {3, 4, 5}});
  }

  // A zero accumulator (a fill, which the contraction kernels keep in
  // registers; a broadcast bias here would be fused into the matmul and
  // turn it into a generic). The bias is added after.
  IndexMath im{b, loc};
  OpFoldResult rows = im.mul(batch, im.c(oh * ow));
  Value init = zeros(b, loc, {rows, b.getIndexAttr(f)}, f32);
  auto matmul = linalg::MatmulOp::create(b, loc, init.getType(),
                                         ValueRange{patches, w}, init);
  AffineExpr i = dim(0), j = dim(1), r = dim(2);
  auto map = [&](ArrayRef<AffineExpr> exprs) {
    return AffineMapAttr::get(AffineMap::get(3, 0, exprs, ctx));
  };
  matmul.setIndexingMapsAttr(
      b.getArrayAttr({map({i, r}), map({j, r}), map({i, j})}));
  Value nhwf = tensor::ExpandShapeOp::create(
      b, loc, RankedTensorType::get({n, oh, ow, f}, f32), matmul.getResult(0),
      ArrayRef<ReassociationIndices>{{0, 1, 2}, {3}},
      ArrayRef<OpFoldResult>{batch, b.getIndexAttr(oh), b.getIndexAttr(ow),
                             b.getIndexAttr(f)});
  return addChannelsLastBias(b, loc, nhwf, op.getBias());
}

/// A depthwise 2-D f32 convolution on a channels-last input:
/// linalg.depthwise_conv_2d_nhwc_hwc on the filter rearranged to
/// [KH, KW, C] at compile time, accumulating onto the bias. Channels are
/// the innermost loop of every operand, so the loop nest vectorizes along
/// them. The result is N OH OW C. Null when the filter's data is not
/// available.
static Value channelsLastDepthwiseConv(OpBuilder &b, Location loc,
                                       nn::ConvOp op, Value x,
                                       const Window &win,
                                       ArrayRef<OpFoldResult> outSizes) {
  auto wType = cast<RankedTensorType>(op.getWeight().getType());
  int64_t c = wType.getDimSize(0), kh = wType.getDimSize(2),
          kw = wType.getDimSize(3);
  Type f32 = b.getF32Type();
  // [C, 1, KH, KW] -> [1, KH, KW, C] = [KH, KW, C].
  Value w = permutedConstant(b, loc, op.getWeight(), {1, 2, 3, 0},
                             RankedTensorType::get({kh, kw, c}, f32));
  if (!w)
    return {};
  Value init = zeros(b, loc, outSizes, f32);
  if (Value bias = op.getBias()) {
    Value empty = tensor::EmptyOp::create(b, loc, outSizes, f32);
    init = linalg::BroadcastOp::create(b, loc, toLowered(b, loc, bias), empty,
                                       ArrayRef<int64_t>{0, 1, 2})
               .getResult()[0];
  }
  SmallVector<NamedAttribute> attrs = {
      windowAttr(b, "strides", win.strides),
      windowAttr(b, "dilations", win.dilations)};
  return linalg::DepthwiseConv2DNhwcHwcOp::create(
             b, loc, init.getType(),
             ValueRange{padChannelsLast(b, loc, x, win), w}, init, attrs)
      .getResult(0);
}

namespace {

/// Convolution: the input is zero-padded (tensor.pad), then
///  - group 1: linalg.conv_{1d_ncw_fcw,2d_nchw_fchw,3d_ncdhw_fcdhw};
///  - 2-D depthwise (C/group = 1, M = group):
///  linalg.depthwise_conv_2d_nchw_chw;
///  - 2-D grouped: linalg.conv_2d_ngchw_gfchw on [N, G, C/G, H, W];
///  - anything else: a grouped N-d linalg.generic.
/// The accumulator starts as the broadcast bias; half floats accumulate in
/// f32.
struct ConvLowering final : OpRewritePattern<nn::ConvOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(nn::ConvOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    FailureOr<SmallVector<OpFoldResult>> outSizes =
        reifyResultSizes(rewriter, op);
    if (failed(outSizes))
      return failure();
    Value x = toLowered(rewriter, loc, op.getInput());
    Value w = toLowered(rewriter, loc, op.getWeight());
    auto xType = cast<RankedTensorType>(x.getType());
    auto wType = cast<RankedTensorType>(w.getType());
    unsigned n = xType.getRank() - 2;
    int64_t group = op.getGroup();
    if (group < 1)
      return rewriter.notifyMatchFailure(op, "group must be >= 1");
    Type element = xType.getElementType();
    Type acc = accumulatorType(element);
    // The window is computed on channels-first sizes whatever the layout.
    bool channelsLast = op.getChannelsLast();
    unsigned rank = xType.getRank();
    SmallVector<int64_t> toFirst = toChannelsFirst(rank),
                         toLast = toChannelsLast(rank);
    SmallVector<OpFoldResult> xSizes = tensorSizes(rewriter, loc, x);
    if (channelsLast) {
      xSizes = applyPermutation(ArrayRef(xSizes), toFirst);
      *outSizes = applyPermutation(ArrayRef(*outSizes), toFirst);
    }
    SmallVector<OpFoldResult> wSizes = tensorSizes(rewriter, loc, w);
    Window win = computeWindow(
        rewriter, loc, spatial(xSizes), spatial(*outSizes), spatial(wSizes),
        op.getStrides(), op.getPads(), op.getDilations(), op.getAutoPad(),
        /*ceilMode=*/false);

    // The fast kernels are channels-last: a channels-first op reaches them
    // between transposes (nn-channels-last removes those between
    // consecutive convolutions).
    if (hasChannelsLastKernel(op, x)) {
      Value xLast = channelsLast ? x : permuted(rewriter, loc, x, toLast);
      SmallVector<OpFoldResult> outLast =
          applyPermutation(ArrayRef(*outSizes), toLast);
      Value result =
          group == 1
              ? channelsLastGemmConv(rewriter, loc, op, xLast, win, outLast)
              : channelsLastDepthwiseConv(rewriter, loc, op, xLast, win,
                                          outLast);
      if (result) {
        if (!channelsLast)
          result = permuted(rewriter, loc, result, toFirst);
        replaceWithLowered(rewriter, op, result);
        return success();
      }
    }
    if (channelsLast)
      x = permuted(rewriter, loc, x, toFirst);
    x = padInput(rewriter, loc, x, win,
                 scalarConstant(rewriter, loc, element, 0));
    Value init = biasInit(rewriter, loc, op.getBias(), *outSizes, acc);
    SmallVector<NamedAttribute> attrs = {
        windowAttr(rewriter, "strides", win.strides),
        windowAttr(rewriter, "dilations", win.dilations)};
    Type initType = init.getType();
    Value result;
    if (group == 1 && n == 1) {
      result = linalg::Conv1DNcwFcwOp::create(rewriter, loc, initType,
                                              ValueRange{x, w}, init, attrs)
                   .getResult(0);
    } else if (group == 1 && n == 2) {
      result = linalg::Conv2DNchwFchwOp::create(rewriter, loc, initType,
                                                ValueRange{x, w}, init, attrs)
                   .getResult(0);
    } else if (group == 1 && n == 3) {
      result = linalg::Conv3DNcdhwFcdhwOp::create(rewriter, loc, initType,
                                                  ValueRange{x, w}, init, attrs)
                   .getResult(0);
    } else if (n == 2 && wType.getDimSize(1) == 1 &&
               wType.getDimSize(0) == group) {
      Value w3 = tensor::CollapseShapeOp::create(
          rewriter, loc, w, ArrayRef<ReassociationIndices>{{0, 1}, {2}, {3}});
      result = linalg::DepthwiseConv2DNchwChwOp::create(
                   rewriter, loc, initType, ValueRange{x, w3}, init, attrs)
                   .getResult(0);
    } else {
      Value xg = splitDim(rewriter, loc, x, 1, group);
      Value wg = splitDim(rewriter, loc, w, 0, group);
      Value ig = splitDim(rewriter, loc, init, 1, group);
      if (n == 2) {
        result = linalg::Conv2DNgchwGfchwOp::create(
                     rewriter, loc, ig.getType(), ValueRange{xg, wg}, ig, attrs)
                     .getResult(0);
      } else {
        result = buildGroupedConv(rewriter, loc, xg, wg, ig, win, acc);
      }
      result = mergeDims(rewriter, loc, result, 1);
    }
    result = convertTensor(rewriter, loc, result, element);
    if (channelsLast)
      result = permuted(rewriter, loc, result, toLast);
    replaceWithLowered(rewriter, op, result);
    return success();
  }

  /// x [N, G, C/G, S...], w [G, M/G, C/G, K...], init [N, G, M/G, O...].
  static Value buildGroupedConv(OpBuilder &b, Location loc, Value x, Value w,
                                Value init, const Window &win, Type acc) {
    MLIRContext *ctx = b.getContext();
    unsigned n = win.rank();
    // Loops: n, g, m, o..., c, k...
    unsigned numLoops = 4 + 2 * n;
    auto dim = [&](unsigned d) { return getAffineDimExpr(d, ctx); };
    unsigned cLoop = 3 + n;
    SmallVector<AffineExpr> xExprs = {dim(0), dim(1), dim(cLoop)},
                            wExprs = {dim(1), dim(2), dim(cLoop)},
                            outExprs = {dim(0), dim(1), dim(2)};
    for (unsigned i = 0; i < n; ++i) {
      AffineExpr o = dim(3 + i), k = dim(cLoop + 1 + i);
      xExprs.push_back(o * win.strides[i] + k * win.dilations[i]);
      wExprs.push_back(k);
      outExprs.push_back(o);
    }
    SmallVector<AffineMap> maps = {AffineMap::get(numLoops, 0, xExprs, ctx),
                                   AffineMap::get(numLoops, 0, wExprs, ctx),
                                   AffineMap::get(numLoops, 0, outExprs, ctx)};
    SmallVector<utils::IteratorType> iterators(3 + n,
                                               utils::IteratorType::parallel);
    iterators.append(1 + n, utils::IteratorType::reduction);
    return linalg::GenericOp::create(
               b, loc, init.getType(), ValueRange{x, w}, init, maps, iterators,
               [&](OpBuilder &nb, Location l, ValueRange args) {
                 Value p = mulScalars(nb, l, extendTo(nb, l, args[0], acc),
                                      extendTo(nb, l, args[1], acc));
                 linalg::YieldOp::create(nb, l, addScalars(nb, l, args[2], p));
               })
        .getResult(0);
  }
};

/// Transposed convolution as a gather: output position o reads input
/// position (o + pad_begin - k * dilation) / stride where that is an exact,
/// in-range quotient (a bounds-checked tensor.extract, index clamped to 0
/// and the term zeroed otherwise). Pads: explicit, or from output_shape /
/// SAME as ONNX derives them (total = stride * (in - 1) + output_padding +
/// extent - out; SAME_UPPER puts the odd one at the end, otherwise at the
/// begin). output_padding only grows the result (the shape function).
struct ConvTransposeLowering final : OpRewritePattern<nn::ConvTransposeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(nn::ConvTransposeOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    FailureOr<SmallVector<OpFoldResult>> outSizes =
        reifyResultSizes(rewriter, op);
    if (failed(outSizes))
      return failure();
    Value x = toLowered(rewriter, loc, op.getInput());
    Value w = toLowered(rewriter, loc, op.getWeight());
    auto xType = cast<RankedTensorType>(x.getType());
    unsigned n = xType.getRank() - 2;
    int64_t group = op.getGroup();
    if (group < 1)
      return rewriter.notifyMatchFailure(op, "group must be >= 1");
    Type element = xType.getElementType();
    Type acc = accumulatorType(element);
    IndexMath m{rewriter, loc};
    SmallVector<OpFoldResult> xSizes = tensorSizes(rewriter, loc, x);
    SmallVector<OpFoldResult> wSizes = tensorSizes(rewriter, loc, w);
    SmallVector<int64_t> strides = attrOr(op.getStrides(), n, 1);
    SmallVector<int64_t> dilations = attrOr(op.getDilations(), n, 1);
    SmallVector<int64_t> pads = attrOr(op.getPads(), 2 * n, 0);
    SmallVector<int64_t> outputPadding = attrOr(op.getOutputPadding(), n, 0);
    nn::AutoPad autoPad = op.getAutoPad();
    bool derived = op.getOutputShape() || autoPad == nn::AutoPad::SameUpper ||
                   autoPad == nn::AutoPad::SameLower;
    SmallVector<Value> padBegin, inSizes;
    for (unsigned i = 0; i < n; ++i) {
      OpFoldResult in = xSizes[2 + i], k = wSizes[2 + i];
      OpFoldResult begin = m.c(autoPad == nn::AutoPad::Valid ? 0 : pads[i]);
      if (derived) {
        OpFoldResult extent =
            m.add(m.mul(m.sub(k, m.c(1)), m.c(dilations[i])), m.c(1));
        OpFoldResult total =
            m.sub(m.add(m.add(m.mul(m.c(strides[i]), m.sub(in, m.c(1))),
                              m.c(outputPadding[i])),
                        extent),
                  (*outSizes)[2 + i]);
        OpFoldResult half = m.floorDiv(total, 2);
        begin = autoPad == nn::AutoPad::SameUpper ? half : m.sub(total, half);
      }
      padBegin.push_back(m.v(begin));
      inSizes.push_back(m.v(in));
    }

    Value init = biasInit(rewriter, loc, op.getBias(), *outSizes, acc);
    Value xg = splitDim(rewriter, loc, x, 1, group);    // N, G, C/G, S...
    Value wg = splitDim(rewriter, loc, w, 0, group);    // G, C/G, M/G, K...
    Value ig = splitDim(rewriter, loc, init, 1, group); // N, G, M/G, O...
    // Loops: n, g, m, o..., c, k...
    unsigned numLoops = 4 + 2 * n, cLoop = 3 + n;
    auto dim = [&](unsigned d) { return getAffineDimExpr(d, ctx); };
    SmallVector<AffineExpr> wExprs = {dim(1), dim(cLoop), dim(2)},
                            outExprs = {dim(0), dim(1), dim(2)};
    for (unsigned i = 0; i < n; ++i) {
      wExprs.push_back(dim(cLoop + 1 + i));
      outExprs.push_back(dim(3 + i));
    }
    SmallVector<AffineMap> maps = {AffineMap::get(numLoops, 0, wExprs, ctx),
                                   AffineMap::get(numLoops, 0, outExprs, ctx)};
    SmallVector<utils::IteratorType> iterators(3 + n,
                                               utils::IteratorType::parallel);
    iterators.append(1 + n, utils::IteratorType::reduction);
    Value result =
        linalg::GenericOp::create(
            rewriter, loc, ig.getType(), ValueRange{wg}, ig, maps, iterators,
            [&](OpBuilder &b, Location l, ValueRange args) {
              Value zero = arith::ConstantIndexOp::create(b, l, 0);
              Value valid;
              SmallVector<Value> indices = {
                  linalg::IndexOp::create(b, l, 0),
                  linalg::IndexOp::create(b, l, 1),
                  linalg::IndexOp::create(b, l, cLoop)};
              for (unsigned i = 0; i < n; ++i) {
                Value o = linalg::IndexOp::create(b, l, 3 + i);
                Value k = linalg::IndexOp::create(b, l, cLoop + 1 + i);
                Value kd = arith::MulIOp::create(
                    b, l, k,
                    arith::ConstantIndexOp::create(b, l, dilations[i]));
                Value t = arith::SubIOp::create(
                    b, l, arith::AddIOp::create(b, l, o, padBegin[i]), kd);
                Value s = arith::ConstantIndexOp::create(b, l, strides[i]);
                Value q = arith::DivSIOp::create(b, l, t, s);
                Value r = arith::RemSIOp::create(b, l, t, s);
                Value ok = arith::AndIOp::create(
                    b, l,
                    arith::CmpIOp::create(b, l, arith::CmpIPredicate::sge, t,
                                          zero),
                    arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, r,
                                          zero));
                ok = arith::AndIOp::create(
                    b, l, ok,
                    arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, q,
                                          inSizes[i]));
                valid = valid ? arith::AndIOp::create(b, l, valid, ok) : ok;
                indices.push_back(arith::SelectOp::create(b, l, ok, q, zero));
              }
              Value v = tensor::ExtractOp::create(b, l, xg, indices);
              Value p = mulScalars(b, l, extendTo(b, l, v, acc),
                                   extendTo(b, l, args[0], acc));
              Value sum = addScalars(b, l, args[1], p);
              linalg::YieldOp::create(
                  b, l,
                  Value(arith::SelectOp::create(b, l, valid, sum, args[1])));
            })
            .getResult(0);
    result = mergeDims(rewriter, loc, result, 1);
    result = convertTensor(rewriter, loc, result, element);
    replaceWithLowered(rewriter, op, result);
    return success();
  }
};

/// The window of a pooling op, from its attributes and result sizes.
template <typename PoolOp>
static FailureOr<std::pair<Window, SmallVector<OpFoldResult>>>
poolWindow(PatternRewriter &rewriter, PoolOp op, Value x) {
  FailureOr<SmallVector<OpFoldResult>> outSizes =
      reifyResultSizes(rewriter, op);
  if (failed(outSizes))
    return failure();
  Location loc = op.getLoc();
  SmallVector<OpFoldResult> xSizes = tensorSizes(rewriter, loc, x);
  SmallVector<OpFoldResult> kernel;
  for (int64_t k : op.getKernelShape())
    kernel.push_back(rewriter.getIndexAttr(k));
  Window w =
      computeWindow(rewriter, loc, spatial(xSizes), spatial(*outSizes), kernel,
                    op.getStrides(), op.getPads(), op.getDilations(),
                    op.getAutoPad(), op.getCeilMode());
  return std::make_pair(w, *outSizes);
}

/// Max pooling: pad with -inf, then linalg.pooling_{ncw,nchw}_max or an
/// N-d generic (NaN propagates, as arith.maximumf does).
struct MaxPoolLowering final : OpRewritePattern<nn::MaxPoolOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(nn::MaxPoolOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = toLowered(rewriter, loc, op.getInput());
    Type element = cast<RankedTensorType>(x.getType()).getElementType();
    auto window = poolWindow(rewriter, op, x);
    if (failed(window))
      return failure();
    auto &[w, outSizes] = *window;
    Value lowest = lowestValue(rewriter, loc, element, false);
    x = padInput(rewriter, loc, x, w, lowest);
    Value init =
        fill(rewriter, loc, emptyTensor(rewriter, loc, op.getType(), outSizes),
             lowest);
    Value result;
    Value kernel = tensor::EmptyOp::create(rewriter, loc, w.kernel, element);
    SmallVector<NamedAttribute> attrs = {
        windowAttr(rewriter, "strides", w.strides),
        windowAttr(rewriter, "dilations", w.dilations)};
    if (w.rank() == 2)
      result =
          linalg::PoolingNchwMaxOp::create(rewriter, loc, init.getType(),
                                           ValueRange{x, kernel}, init, attrs)
              .getResult(0);
    else if (w.rank() == 1)
      result =
          linalg::PoolingNcwMaxOp::create(rewriter, loc, init.getType(),
                                          ValueRange{x, kernel}, init, attrs)
              .getResult(0);
    else
      result =
          buildPoolGeneric(rewriter, loc, x, init, w,
                           [](OpBuilder &b, Location l, Value v, Value acc) {
                             return scalarMax(b, l, acc, v, false);
                           });
    replaceWithLowered(rewriter, op, result);
    return success();
  }
};

/// Divides each window sum by its element count: the window positions
/// inside the input (or, with count_include_pad, inside input + pads; a
/// ceil_mode window's part beyond the end padding never counts). `root`
/// optionally post-processes instead (Lp pooling).
static Value
finishPool(OpBuilder &b, Location loc, Value sums, Value init, const Window &w,
           bool divide, bool includePad,
           llvm::function_ref<Value(OpBuilder &, Location, Value)> finish) {
  unsigned n = w.rank();
  IndexMath m{b, loc};
  // Valid padded-coordinate range per axis: [lo, hi).
  SmallVector<Value> lo, hi;
  bool constantCount = true;
  int64_t kernelCount = 1;
  for (unsigned i = 0; i < n; ++i) {
    OpFoldResult l = includePad ? m.c(0) : w.padBegin[i];
    OpFoldResult h = includePad
                         ? m.add(m.add(w.padBegin[i], w.in[i]), w.padEnd[i])
                         : m.add(w.padBegin[i], w.in[i]);
    // Every window lies in [l, h) when l is 0 and no high padding beyond h.
    OpFoldResult padded = m.add(m.add(w.padBegin[i], w.in[i]), w.padHigh[i]);
    if (getConstantIntValue(l) != 0 ||
        getConstantIntValue(m.sub(padded, h)) != 0)
      constantCount = false;
    kernelCount *= *getConstantIntValue(w.kernel[i]);
    lo.push_back(m.v(l));
    hi.push_back(m.v(h));
  }
  auto type = cast<RankedTensorType>(init.getType());
  unsigned rank = type.getRank();
  Type element = type.getElementType();
  SmallVector<AffineMap> maps(2, b.getMultiDimIdentityMap(rank));
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, init.getType(), sums, init, maps, iterators,
             [&](OpBuilder &nb, Location l, ValueRange args) {
               Value v = args[0];
               Type acc = v.getType();
               if (divide) {
                 Value count;
                 if (constantCount) {
                   count = scalarConstant(nb, l, acc, double(kernelCount));
                 } else {
                   IndexMath im{nb, l};
                   OpFoldResult total = im.c(1);
                   for (unsigned i = 0; i < n; ++i) {
                     Value o = linalg::IndexOp::create(nb, l, 2 + i);
                     int64_t s = w.strides[i], d = w.dilations[i];
                     int64_t k = *getConstantIntValue(w.kernel[i]);
                     OpFoldResult start = im.mul(o, im.c(s));
                     OpFoldResult kMin =
                         im.max(im.c(0), im.ceilDiv(im.sub(lo[i], start), d));
                     OpFoldResult kMax = im.min(
                         im.c(k - 1),
                         im.floorDiv(im.sub(im.sub(hi[i], im.c(1)), start), d));
                     OpFoldResult c =
                         im.max(im.c(0), im.add(im.sub(kMax, kMin), im.c(1)));
                     total = im.mul(total, c);
                   }
                   Value i64 = arith::IndexCastOp::create(
                       nb, l, nb.getI64Type(), im.v(total));
                   count = arith::SIToFPOp::create(nb, l, acc, i64);
                 }
                 v = arith::DivFOp::create(nb, l, v, count);
               }
               if (finish)
                 v = finish(nb, l, v);
               linalg::YieldOp::create(
                   nb, l, convertScalar(nb, l, v, element, false, false));
             })
      .getResult(0);
}

/// Average pooling: zero padding, a sum pool (linalg.pooling_{ncw,nchw}_sum
/// or an N-d generic, f32 for half floats), then a division by each
/// window's count (see finishPool).
struct AvgPoolLowering final : OpRewritePattern<nn::AvgPoolOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(nn::AvgPoolOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = toLowered(rewriter, loc, op.getInput());
    Type element = cast<RankedTensorType>(x.getType()).getElementType();
    Type acc = accumulatorType(element);
    auto window = poolWindow(rewriter, op, x);
    if (failed(window))
      return failure();
    auto &[w, outSizes] = *window;
    x = padInput(rewriter, loc, x, w,
                 scalarConstant(rewriter, loc, element, 0));
    Value sumInit = zeros(rewriter, loc, outSizes, acc);
    Value kernel = tensor::EmptyOp::create(rewriter, loc, w.kernel, element);
    SmallVector<NamedAttribute> attrs = {
        windowAttr(rewriter, "strides", w.strides),
        windowAttr(rewriter, "dilations", w.dilations)};
    Value sums;
    if (w.rank() == 2)
      sums = linalg::PoolingNchwSumOp::create(rewriter, loc, sumInit.getType(),
                                              ValueRange{x, kernel}, sumInit,
                                              attrs)
                 .getResult(0);
    else if (w.rank() == 1)
      sums =
          linalg::PoolingNcwSumOp::create(rewriter, loc, sumInit.getType(),
                                          ValueRange{x, kernel}, sumInit, attrs)
              .getResult(0);
    else
      sums =
          buildPoolGeneric(rewriter, loc, x, sumInit, w,
                           [&](OpBuilder &b, Location l, Value v, Value a) {
                             return addScalars(b, l, a, extendTo(b, l, v, acc));
                           });
    Value init = emptyTensor(rewriter, loc, op.getType(), outSizes);
    Value result = finishPool(rewriter, loc, sums, init, w, /*divide=*/true,
                              op.getCountIncludePad(), nullptr);
    replaceWithLowered(rewriter, op, result);
    return success();
  }
};

/// Lp pooling: (sum over the window of |x|^p)^(1/p), zero padding; p = 1
/// and 2 avoid powf.
struct LpPoolLowering final : OpRewritePattern<nn::LpPoolOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(nn::LpPoolOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = toLowered(rewriter, loc, op.getInput());
    Type element = cast<RankedTensorType>(x.getType()).getElementType();
    Type acc = accumulatorType(element);
    int64_t p = op.getP();
    if (p < 1)
      return rewriter.notifyMatchFailure(op, "p must be >= 1");
    auto window = poolWindow(rewriter, op, x);
    if (failed(window))
      return failure();
    auto &[w, outSizes] = *window;
    x = padInput(rewriter, loc, x, w,
                 scalarConstant(rewriter, loc, element, 0));
    Value sumInit = zeros(rewriter, loc, outSizes, acc);
    Value sums = buildPoolGeneric(
        rewriter, loc, x, sumInit, w,
        [&](OpBuilder &b, Location l, Value v, Value a) {
          Value e = math::AbsFOp::create(b, l, extendTo(b, l, v, acc));
          if (p == 2)
            e = arith::MulFOp::create(b, l, e, e);
          else if (p != 1)
            e = math::PowFOp::create(b, l, e, scalarConstant(b, l, acc, p));
          return addScalars(b, l, a, e);
        });
    Value init = emptyTensor(rewriter, loc, op.getType(), outSizes);
    Value result = finishPool(
        rewriter, loc, sums, init, w, /*divide=*/false, false,
        [&](OpBuilder &b, Location l, Value s) -> Value {
          if (p == 1)
            return s;
          if (p == 2)
            return math::SqrtOp::create(b, l, s);
          return math::PowFOp::create(
              b, l, s, scalarConstant(b, l, s.getType(), 1.0 / double(p)));
        });
    replaceWithLowered(rewriter, op, result);
    return success();
  }
};

/// Global pooling: a linalg.generic reducing the spatial dims into [N, C]
/// (max, or sum in f32 for half floats then divided by the spatial element
/// count), expanded back to [N, C, 1, ...].
template <typename PoolOp, bool IsMax>
struct GlobalPoolLowering final : OpRewritePattern<PoolOp> {
  using OpRewritePattern<PoolOp>::OpRewritePattern;

  LogicalResult matchAndRewrite(PoolOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value x = toLowered(rewriter, loc, op.getInput());
    auto xType = cast<RankedTensorType>(x.getType());
    unsigned rank = xType.getRank();
    Type element = xType.getElementType();
    Type acc = IsMax ? element : accumulatorType(element);
    SmallVector<OpFoldResult> sizes = tensorSizes(rewriter, loc, x);
    Value init = tensor::EmptyOp::create(
        rewriter, loc, ArrayRef<OpFoldResult>(sizes).take_front(2), acc);
    init = fill(rewriter, loc, init,
                IsMax ? lowestValue(rewriter, loc, acc, false)
                      : scalarConstant(rewriter, loc, acc, 0));
    SmallVector<AffineMap> maps = {
        rewriter.getMultiDimIdentityMap(rank),
        AffineMap::get(rank, 0,
                       {getAffineDimExpr(0, ctx), getAffineDimExpr(1, ctx)},
                       ctx)};
    SmallVector<utils::IteratorType> iterators(2,
                                               utils::IteratorType::parallel);
    iterators.append(rank - 2, utils::IteratorType::reduction);
    Value reduced =
        linalg::GenericOp::create(
            rewriter, loc, init.getType(), x, init, maps, iterators,
            [&](OpBuilder &b, Location l, ValueRange args) {
              Value v = extendTo(b, l, args[0], acc);
              linalg::YieldOp::create(b, l,
                                      IsMax ? scalarMax(b, l, args[1], v, false)
                                            : addScalars(b, l, args[1], v));
            })
            .getResult(0);
    if (!IsMax) {
      IndexMath m{rewriter, loc};
      OpFoldResult count = m.c(1);
      for (unsigned d = 2; d < rank; ++d)
        count = m.mul(count, sizes[d]);
      Value countI64 = arith::IndexCastOp::create(
          rewriter, loc, rewriter.getI64Type(), m.v(count));
      Value countF = arith::SIToFPOp::create(rewriter, loc, acc, countI64);
      Value out = tensor::EmptyOp::create(
          rewriter, loc, ArrayRef<OpFoldResult>(sizes).take_front(2), element);
      SmallVector<AffineMap> idMaps(2, rewriter.getMultiDimIdentityMap(2));
      reduced = linalg::GenericOp::create(
                    rewriter, loc, out.getType(), reduced, out, idMaps,
                    SmallVector<utils::IteratorType>(
                        2, utils::IteratorType::parallel),
                    [&](OpBuilder &b, Location l, ValueRange args) {
                      Value q = arith::DivFOp::create(b, l, args[0], countF);
                      linalg::YieldOp::create(
                          b, l, convertScalar(b, l, q, element, false, false));
                    })
                    .getResult(0);
    }
    auto reducedType = cast<RankedTensorType>(reduced.getType());
    SmallVector<int64_t> shape = {reducedType.getDimSize(0),
                                  reducedType.getDimSize(1)};
    SmallVector<OpFoldResult> outSizes(sizes.begin(), sizes.begin() + 2);
    ReassociationIndices last = {1};
    for (unsigned d = 2; d < rank; ++d) {
      shape.push_back(1);
      outSizes.push_back(rewriter.getIndexAttr(1));
      last.push_back(d);
    }
    Value result = tensor::ExpandShapeOp::create(
        rewriter, loc, RankedTensorType::get(shape, element), reduced,
        ArrayRef<ReassociationIndices>{{0}, last}, outSizes);
    replaceWithLowered(rewriter, op, result);
    return success();
  }
};

} // namespace

void ddl::lowering::populateContractionPatterns(RewritePatternSet &patterns) {
  MLIRContext *context = patterns.getContext();
  patterns.add<MatMulLowering, GemmLowering, EinsumLowering, ConvLowering,
               ConvTransposeLowering, MaxPoolLowering, AvgPoolLowering,
               LpPoolLowering, GlobalPoolLowering<nn::GlobalAvgPoolOp, false>,
               GlobalPoolLowering<nn::GlobalMaxPoolOp, true>>(context);
}
