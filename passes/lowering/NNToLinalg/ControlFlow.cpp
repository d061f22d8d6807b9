//===- ControlFlow.cpp - nn.if and nn.loop to scf -------------------------===//
//
// The regions move into the scf ops; the nn ops inside are lowered by the
// same conversion afterwards. Block arguments get their lowered types, with
// casts back to the nn types for their (not yet lowered) users, and each
// nn.yield becomes an scf.yield of lowered values. A region op's result is
// what all branches/iterations have in common, so yields that are more
// static than it are tensor.cast to it.
//
//===----------------------------------------------------------------------===//

#include "passes/lowering/NNToLinalg/Common.h"

#include "ddl/Diagnostics.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace ddl;
using namespace ddl::lowering;

namespace {

/// `value` (nn-typed) lowered and cast to the builtin `type`.
Value lowerTo(OpBuilder &b, Location loc, Value value, Type type) {
  Value lowered = toLowered(b, loc, value);
  if (lowered.getType() == type)
    return lowered;
  return tensor::CastOp::create(b, loc, type, lowered);
}

/// Replaces the nn.yield ending `block` with an scf.yield of its operands
/// lowered to `types`.
void replaceYield(PatternRewriter &rewriter, Block &block, TypeRange types) {
  auto yield = cast<nn::YieldOp>(block.getTerminator());
  rewriter.setInsertionPoint(yield);
  SmallVector<Value> values;
  for (auto [value, type] : llvm::zip_equal(yield.getValues(), types))
    values.push_back(lowerTo(rewriter, yield.getLoc(), value, type));
  scf::YieldOp::create(rewriter, yield.getLoc(), values);
  rewriter.eraseOp(yield);
}

/// nn.if -> scf.if on the extracted condition; results have the lowered
/// result types.
struct LowerIf final : OpRewritePattern<nn::IfOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::IfOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    SmallVector<Type> types;
    for (Type type : op.getResultTypes())
      types.push_back(lowerType(type));
    Value condition = extractScalar(rewriter, loc, op.getCondition());
    auto ifOp = scf::IfOp::create(rewriter, loc, types, condition,
                                  /*addThenBlock=*/false,
                                  /*addElseBlock=*/false);
    rewriter.inlineRegionBefore(op.getThenRegion(), ifOp.getThenRegion(),
                                ifOp.getThenRegion().end());
    rewriter.inlineRegionBefore(op.getElseRegion(), ifOp.getElseRegion(),
                                ifOp.getElseRegion().end());
    replaceYield(rewriter, ifOp.getThenRegion().front(), types);
    replaceYield(rewriter, ifOp.getElseRegion().front(), types);
    rewriter.setInsertionPointAfter(ifOp);
    replaceWithLowered(rewriter, op, ifOp.getResults());
    return success();
  }
};

/// nn.loop -> scf.while. The loop carries (iteration: i64, condition: i1,
/// carried values..., one growing buffer per scan output); it continues
/// while `iteration < trip_count` (when given) and the condition holds.
/// The condition starts as the `condition` operand (true without one) and
/// is then what the body yields, as ONNX's reference and ONNX Runtime do.
///
/// Scan outputs are stacked into a buffer whose leading dimension doubles
/// when full; the result is its first `iterations` rows. Without iterations
/// a scan output is empty with unknown (dynamic) inner dimensions set to 0.
///
/// A loop that runs exactly `trip_count` iterations (no condition operand
/// or a constant true one, and a body that yields a constant true, as the
/// ONNX RNN / GRU / LSTM loops do, or passes its condition argument on)
/// gets its scan buffers, where their inner dimensions are static,
/// allocated with `trip_count` rows up front and written in place. The growing
/// buffer would cost more than the doubling: one-shot bufferization copies a
/// carried buffer in scf.while's `before` region at every iteration when the
/// `after` region yields one that is not equivalent to its block argument,
/// which the scf.if of the growth makes it; a buffer of t rows copied at
/// iteration t is O(trip_count^2).
struct LowerLoop final : OpRewritePattern<nn::LoopOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::LoopOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Block &body = op.getBody().front();
    unsigned numCarried = op.getInits().size();
    unsigned numScan = op.getNumScanOutputs();
    auto bodyYield = dyn_cast<nn::YieldOp>(body.getTerminator());
    if (body.getNumArguments() != 2 + numCarried || !bodyYield ||
        bodyYield.getValues().size() != 1 + numCarried + numScan)
      return rewriter.notifyMatchFailure(op, "malformed body");
    for (Value result : op.getResults().drop_front(numCarried))
      if (cast<RankedTensorType>(result.getType()).getRank() < 1)
        return rewriter.notifyMatchFailure(op, "scan output of rank 0");
    Type i64 = rewriter.getI64Type(), i1 = rewriter.getI1Type();

    Value trip = op.getTripCount()
                     ? extractScalar(rewriter, loc, op.getTripCount())
                     : Value();
    Value condition = op.getCondition()
                          ? extractScalar(rewriter, loc, op.getCondition())
                          : scalarConstant(rewriter, loc, i1, 1);

    SmallVector<Type> types = {i64, i1};
    SmallVector<Value> inits = {scalarConstant(rewriter, loc, i64, 0),
                                condition};
    for (auto [init, arg] :
         llvm::zip_equal(op.getInits(), body.getArguments().drop_front(2))) {
      Type type = lowerType(arg.getType());
      types.push_back(type);
      inits.push_back(lowerTo(rewriter, loc, init, type));
    }
    // Scan buffers: the result type with a dynamic leading dimension,
    // starting empty, or with `trip_count` rows when the loop runs exactly
    // that many iterations (its condition starts true and the body yields
    // true or passes its condition on) and the rows' shape is static.
    Value yieldedCondition = bodyYield.getValues()[0];
    bool exact = trip &&
                 (!op.getCondition() || isConstantTrue(op.getCondition())) &&
                 (isConstantTrue(yieldedCondition) ||
                  lookThroughCasts(yieldedCondition) == body.getArgument(1));
    Value rows;
    if (exact && numScan) {
      Value zero = scalarConstant(rewriter, loc, i64, 0);
      rows = i64ToIndex(rewriter, loc,
                        arith::MaxSIOp::create(rewriter, loc, trip, zero));
    }
    SmallVector<RankedTensorType> bufferTypes;
    SmallVector<bool> preallocated;
    for (Value result : op.getResults().drop_front(numCarried)) {
      auto type = cast<RankedTensorType>(lowerType(result.getType()));
      SmallVector<int64_t> shape(type.getShape());
      shape[0] = ShapedType::kDynamic;
      auto bufferType = RankedTensorType::get(shape, type.getElementType());
      bufferTypes.push_back(bufferType);
      bool whole = rows && llvm::none_of(ArrayRef<int64_t>(shape).drop_front(),
                                         ShapedType::isDynamic);
      preallocated.push_back(whole);
      SmallVector<OpFoldResult> sizes;
      for (int64_t size : shape)
        sizes.push_back(
            rewriter.getIndexAttr(ShapedType::isDynamic(size) ? 0 : size));
      if (whole)
        sizes[0] = rows;
      Value empty =
          tensor::EmptyOp::create(rewriter, loc, sizes, type.getElementType());
      types.push_back(bufferType);
      inits.push_back(tensor::CastOp::create(rewriter, loc, bufferType, empty));
    }

    auto whileOp = scf::WhileOp::create(rewriter, loc, types, inits);
    // Before: decide whether to run another iteration.
    SmallVector<Location> locs(types.size(), loc);
    Block *before = rewriter.createBlock(&whileOp.getBefore(), {}, types, locs);
    Value keepGoing = before->getArgument(1);
    if (trip) {
      Value below =
          arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::slt,
                                before->getArgument(0), trip);
      keepGoing = arith::AndIOp::create(rewriter, loc, keepGoing, below);
    }
    scf::ConditionOp::create(rewriter, loc, keepGoing, before->getArguments());

    // After: the body, on nn-typed views of the block arguments.
    Block *after = rewriter.createBlock(&whileOp.getAfter(), {}, types, locs);
    Value iteration = after->getArgument(0);
    SmallVector<Value> replacements = {
        tensor::FromElementsOp::create(
            rewriter, loc, RankedTensorType::get({}, i64), iteration),
        tensor::FromElementsOp::create(rewriter, loc,
                                       RankedTensorType::get({}, i1),
                                       after->getArgument(1))};
    for (auto [arg, nnArg] :
         llvm::zip_equal(after->getArguments().slice(2, numCarried),
                         body.getArguments().drop_front(2)))
      replacements.push_back(fromLowered(rewriter, loc, arg, nnArg.getType()));
    rewriter.mergeBlocks(&body, after, replacements);

    auto yield = cast<nn::YieldOp>(after->getTerminator());
    rewriter.setInsertionPoint(yield);
    ValueRange yielded = yield.getValues();
    Value one = scalarConstant(rewriter, loc, i64, 1);
    SmallVector<Value> next = {
        arith::AddIOp::create(rewriter, loc, iteration, one),
        extractScalar(rewriter, loc, yielded[0])};
    for (unsigned i = 0; i < numCarried; ++i)
      next.push_back(lowerTo(rewriter, loc, yielded[1 + i], types[2 + i]));
    Value row = numScan ? i64ToIndex(rewriter, loc, iteration) : Value();
    for (unsigned k = 0; k < numScan; ++k) {
      Value element = toLowered(rewriter, loc, yielded[1 + numCarried + k]);
      Value buffer = after->getArgument(2 + numCarried + k);
      next.push_back(
          preallocated[k]
              ? writeRow(rewriter, loc, buffer, element, row)
              : appendRow(rewriter, loc, buffer, bufferTypes[k], element, row));
    }
    scf::YieldOp::create(rewriter, loc, next);
    rewriter.eraseOp(yield);

    // Results: the carried values, then each buffer's filled rows.
    rewriter.setInsertionPointAfter(whileOp);
    SmallVector<Value> results(whileOp.getResults().slice(2, numCarried));
    Value count =
        numScan ? i64ToIndex(rewriter, loc, whileOp.getResult(0)) : Value();
    for (unsigned k = 0; k < numScan; ++k) {
      Value buffer = whileOp.getResult(2 + numCarried + k);
      // A preallocated buffer has exactly one row per iteration.
      if (preallocated[k]) {
        results.push_back(buffer);
        continue;
      }
      SmallVector<OpFoldResult> sizes = tensorSizes(rewriter, loc, buffer);
      sizes[0] = count;
      SmallVector<OpFoldResult> offsets(sizes.size(), rewriter.getIndexAttr(0));
      SmallVector<OpFoldResult> strides(sizes.size(), rewriter.getIndexAttr(1));
      results.push_back(tensor::ExtractSliceOp::create(
          rewriter, loc, bufferTypes[k], buffer, offsets, sizes, strides));
    }
    replaceWithLowered(rewriter, op, results);
    return success();
  }

  /// `value` without the casts between nn values and their lowered forms
  /// and nn.identity.
  static Value lookThroughCasts(Value value) {
    while (Operation *def = value.getDefiningOp()) {
      if (!isa<UnrealizedConversionCastOp, tensor::CastOp, nn::IdentityOp>(
              def) ||
          def->getNumOperands() != 1)
        break;
      value = def->getOperand(0);
    }
    return value;
  }

  /// Whether `value` (an nn value or its lowered form) is a constant
  /// one-element boolean true.
  static bool isConstantTrue(Value value) {
    DenseElementsAttr attr;
    return matchPattern(lookThroughCasts(value), m_Constant(&attr)) &&
           attr.getNumElements() == 1 && attr.getElementType().isInteger(1) &&
           *attr.getValues<bool>().begin();
  }

  /// `buffer` with `element` written as row `row` (in place: the buffer
  /// has a row for every iteration).
  static Value writeRow(OpBuilder &b, Location loc, Value buffer, Value element,
                        Value row) {
    SmallVector<OpFoldResult> elementSizes = tensorSizes(b, loc, element);
    SmallVector<OpFoldResult> offsets = {row};
    SmallVector<OpFoldResult> sizes = {b.getIndexAttr(1)};
    SmallVector<OpFoldResult> strides(1 + elementSizes.size(),
                                      b.getIndexAttr(1));
    for (OpFoldResult size : elementSizes) {
      offsets.push_back(b.getIndexAttr(0));
      sizes.push_back(size);
    }
    return tensor::InsertSliceOp::create(b, loc, element, buffer, offsets,
                                         sizes, strides);
  }

  /// `buffer` with `element` written as row `row`, reallocated to twice
  /// the rows (at least one) when it is full.
  static Value appendRow(OpBuilder &b, Location loc, Value buffer,
                         RankedTensorType bufferType, Value element,
                         Value row) {
    SmallVector<OpFoldResult> elementSizes = tensorSizes(b, loc, element);
    Value capacity = tensor::DimOp::create(b, loc, buffer, 0);
    Value full =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, row, capacity);
    auto grow = scf::IfOp::create(
        b, loc, full,
        [&](OpBuilder &tb, Location tl) {
          Value twice = arith::MulIOp::create(
              tb, tl, capacity, arith::ConstantIndexOp::create(tb, tl, 2));
          Value larger = arith::MaxSIOp::create(
              tb, tl, twice, arith::ConstantIndexOp::create(tb, tl, 1));
          SmallVector<OpFoldResult> sizes = {larger};
          llvm::append_range(sizes, elementSizes);
          Value empty = tensor::EmptyOp::create(tb, tl, sizes,
                                                bufferType.getElementType());
          SmallVector<OpFoldResult> zeros(sizes.size(), tb.getIndexAttr(0));
          SmallVector<OpFoldResult> ones(sizes.size(), tb.getIndexAttr(1));
          Value copied = tensor::InsertSliceOp::create(
              tb, tl, buffer, empty, zeros, tensorSizes(tb, tl, buffer), ones);
          if (copied.getType() != bufferType)
            copied = tensor::CastOp::create(tb, tl, bufferType, copied);
          scf::YieldOp::create(tb, tl, copied);
        },
        [&](OpBuilder &eb, Location el) {
          scf::YieldOp::create(eb, el, buffer);
        });
    return writeRow(b, loc, grow.getResult(0), element, row);
  }
};

} // namespace

namespace {
/// nn.check: cf.assert on the boolean, its message prefixed with the node.
struct LowerCheck final : OpRewritePattern<nn::CheckOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::CheckOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value condition = toLowered(rewriter, loc, op.getCondition());
    Value flag =
        tensor::ExtractOp::create(rewriter, loc, condition, ValueRange{});
    std::string source = describeSource(loc);
    cf::AssertOp::create(rewriter, loc, flag,
                         (source.empty() ? "" : source + ": ") +
                             op.getMessage().str());
    rewriter.eraseOp(op);
    return success();
  }
};
} // namespace

void ddl::lowering::populateControlFlowPatterns(RewritePatternSet &patterns) {
  patterns.add<LowerIf, LowerLoop, LowerCheck>(patterns.getContext());
}
