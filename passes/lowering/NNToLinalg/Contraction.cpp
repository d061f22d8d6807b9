//===- Contraction.cpp - nn matrix products to linalg
//----------------------===//
//
// Matrix products become linalg.matmul / linalg.batch_matmul (batch dims
// collapsed, dynamic ones included; broadcast materialized only when an
// operand lacks them); einsum one linalg.generic built from its equation.
// Half-precision floats accumulate in f32. Convolutions: Convolution.cpp;
// pooling: Pooling.cpp.
//
//===----------------------------------------------------------------------===//

#include "passes/lowering/NNToLinalg/Windows.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"

using namespace mlir;
using namespace ddl;
using namespace ddl::lowering;

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
/// may differ), which collapse into one for linalg.batch_matmul, dynamic
/// sizes included. Integer products wrap in the element type (as ONNX
/// MatMul does).
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
    if (rhsRank == 2) {
      // Fold the lhs batch dims into M, dynamic ones included: one matmul
      // the data-tiling kernels take (expanding the product back groups
      // several dynamic sizes, which ddl-dynamic-expand-shape lowers where
      // upstream's expand-strided-metadata would crash).
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
      {
        // (Several dynamic batch dims collapse too: expanding them back is
        // ddl-dynamic-expand-shape's, see above.)
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
};

/// alpha * op(a) @ op(b) + beta * c. Transposes are folded into the
/// indexing maps of linalg.matmul. When alpha and beta are 1 (the usual
/// case) c, broadcast to M x N, is the matmul's accumulator; otherwise an
/// elementwise epilogue scales. Integer alpha/beta are truncated to the
/// element type.
struct GemmLowering final : OpRewritePattern<nn::GemmOp> {
  GemmLowering(MLIRContext *context, bool transposeRuntimeRhs)
      : OpRewritePattern(context), transposeRuntimeRhs(transposeRuntimeRhs) {}

  /// See ConvertNNToLinalgPass's transpose-runtime-rhs.
  bool transposeRuntimeRhs;

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
    // A run-time B (not a constant the kernels pack) in the [K][N] layout
    // the CPU kernels read it in: one transpose per run rather than a
    // contraction no kernel takes.
    bool transB = op.getTransB();
    if (transB && transposeRuntimeRhs &&
        !op.getB().getDefiningOp<nn::ConstantOp>()) {
      SmallVector<OpFoldResult> bSizes = tensorSizes(rewriter, loc, bm);
      Value empty = tensor::EmptyOp::create(
          rewriter, loc, SmallVector<OpFoldResult>{bSizes[1], bSizes[0]},
          cast<RankedTensorType>(bm.getType()).getElementType());
      bm = linalg::TransposeOp::create(rewriter, loc, bm, empty,
                                       ArrayRef<int64_t>{1, 0})
               .getResult()[0];
      transB = false;
    }
    auto matmul = linalg::MatmulOp::create(rewriter, loc, init.getType(),
                                           ValueRange{a, bm}, init);
    if (op.getTransA() || transB) {
      MLIRContext *ctx = rewriter.getContext();
      AffineExpr i = getAffineDimExpr(0, ctx), j = getAffineDimExpr(1, ctx),
                 k = getAffineDimExpr(2, ctx);
      auto map = [&](ArrayRef<AffineExpr> exprs) {
        return AffineMapAttr::get(AffineMap::get(3, 0, exprs, ctx));
      };
      Attribute aMap = op.getTransA() ? map({k, i}) : map({i, k});
      Attribute bMap = transB ? map({j, k}) : map({k, j});
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

void ddl::lowering::populateContractionPatterns(RewritePatternSet &patterns,
                                                bool transposeRuntimeRhs) {
  patterns.add<MatMulLowering, EinsumLowering>(patterns.getContext());
  patterns.add<GemmLowering>(patterns.getContext(), transposeRuntimeRhs);
}
