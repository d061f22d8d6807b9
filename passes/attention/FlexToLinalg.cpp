//===- FlexToLinalg.cpp - attn.flex materialized, as linalg ---------------===//
//
// See DDLFlexToLinalgPass in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "passes/attention/Passes.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/IRMapping.h"

#include <limits>

using namespace mlir;
using namespace ddl;

namespace ddl::attention {
#define GEN_PASS_DEF_DDLFLEXTOLINALGPASS
#include "passes/attention/Passes.h.inc"
} // namespace ddl::attention

namespace {

/// Inlines a mod region on scalars inside a linalg body: `leading` for its
/// leading arguments, the op's captured tensors for the rest.
Value inlineScalarMod(OpBuilder &b, Region &region, ValueRange leading,
                      ValueRange captures) {
  Block &block = region.front();
  IRMapping map;
  for (auto [arg, value] : llvm::zip(block.getArguments(), leading))
    map.map(arg, value);
  for (auto [arg, value] :
       llvm::zip(block.getArguments().drop_front(leading.size()), captures))
    map.map(arg, value);
  for (Operation &op : block.without_terminator())
    b.clone(op, map);
  return map.lookup(cast<attn::YieldOp>(block.getTerminator()).getValues()[0]);
}

/// Builds the materialized form of one attn.flex.
class Materializer {
public:
  Materializer(OpBuilder &b, attn::FlexOp op, int64_t groupSize)
      : b(b), loc(op.getLoc()), op(op), groupSize(groupSize),
        f32(b.getF32Type()) {}

  void build();

private:
  AffineExpr dim(unsigned d) { return b.getAffineDimExpr(d); }
  Value size(Value tensor, int64_t d) {
    return tensor::DimOp::create(b, loc, tensor, d);
  }
  /// An f32 tensor of `sizes` (those of dims of the operands), filled.
  Value filled(ArrayRef<OpFoldResult> sizes, float value) {
    Value empty = tensor::EmptyOp::create(b, loc, sizes, f32);
    Value constant =
        arith::ConstantOp::create(b, loc, b.getF32FloatAttr(value));
    return linalg::FillOp::create(b, loc, constant, empty).getResult(0);
  }
  Value toF32(OpBuilder &nb, Value v) {
    return v.getType() == f32 ? v : arith::ExtFOp::create(nb, loc, f32, v);
  }
  Value generic(Value init, ValueRange inputs, ArrayRef<AffineMap> maps,
                ArrayRef<utils::IteratorType> iterators,
                function_ref<Value(OpBuilder &, ValueRange)> body) {
    return linalg::GenericOp::create(
               b, loc, init.getType(), inputs, init, maps, iterators,
               [&](OpBuilder &nb, Location, ValueRange args) {
                 linalg::YieldOp::create(nb, loc, body(nb, args));
               })
        .getResult(0);
  }

  OpBuilder &b;
  Location loc;
  attn::FlexOp op;
  int64_t groupSize;
  Type f32;
};

void Materializer::build() {
  using utils::IteratorType;
  const auto par = IteratorType::parallel, red = IteratorType::reduction;
  Value q = op.getQuery(), k = op.getKey(), v = op.getValue();
  MLIRContext *ctx = b.getContext();
  auto map = [&](unsigned dims, ArrayRef<AffineExpr> results) {
    return AffineMap::get(dims, 0, results, ctx);
  };
  OpFoldResult batch = tensor::getMixedSize(b, loc, q, 0),
               heads = tensor::getMixedSize(b, loc, q, 1),
               queries = tensor::getMixedSize(b, loc, q, 2),
               keys = tensor::getMixedSize(b, loc, k, 2),
               valueDim = tensor::getMixedSize(b, loc, v, 3);
  // The key/value head of query head h.
  AffineExpr kvHead = dim(1).floorDiv(groupSize);

  // scores[b, h, i, j] = scale * sum_d q[b, h, i, d] * k[b, h / G, j, d]
  Value scores = generic(
      filled({batch, heads, queries, keys}, 0), {q, k},
      {map(5, {dim(0), dim(1), dim(2), dim(4)}),
       map(5, {dim(0), kvHead, dim(3), dim(4)}),
       map(5, {dim(0), dim(1), dim(2), dim(3)})},
      {par, par, par, par, red}, [&](OpBuilder &nb, ValueRange args) {
        Value product = arith::MulFOp::create(nb, loc, toF32(nb, args[0]),
                                              toF32(nb, args[1]));
        return arith::AddFOp::create(nb, loc, args[2], product).getResult();
      });

  // Scale, score_mod, mask_mod (-inf where it drops a pair).
  float negInf = -std::numeric_limits<float>::infinity();
  AffineMap identity4 = b.getMultiDimIdentityMap(4);
  Value modified = generic(
      filled({batch, heads, queries, keys}, 0), {scores},
      {identity4, identity4}, {par, par, par, par},
      [&](OpBuilder &nb, ValueRange args) {
        SmallVector<Value> indices;
        for (unsigned d = 0; d < 4; ++d)
          indices.push_back(linalg::IndexOp::create(nb, loc, d));
        Value s = arith::MulFOp::create(
            nb, loc, args[0],
            arith::ConstantOp::create(nb, loc,
                                      nb.getF32FloatAttr(static_cast<float>(
                                          op.getScale().convertToDouble()))));
        if (op.hasScoreMod()) {
          SmallVector<Value> leading = {s};
          llvm::append_range(leading, indices);
          s = inlineScalarMod(nb, op.getScoreMod(), leading, op.getCaptures());
        }
        if (op.hasMaskMod()) {
          Value keep =
              inlineScalarMod(nb, op.getMaskMod(), indices, op.getCaptures());
          s = arith::SelectOp::create(
              nb, loc, keep, s,
              arith::ConstantOp::create(nb, loc, nb.getF32FloatAttr(negInf)));
        }
        return s;
      });

  // Row maximum, and the shift that keeps exp finite when a row is all
  // masked (0 then, so that its probabilities are exp(-inf) = 0).
  AffineMap rows4 = map(4, {dim(0), dim(1), dim(2)});
  Value rowMax = generic(
      filled({batch, heads, queries}, negInf), {modified}, {identity4, rows4},
      {par, par, par, red}, [&](OpBuilder &nb, ValueRange args) {
        return arith::MaximumFOp::create(nb, loc, args[0], args[1]).getResult();
      });
  AffineMap identity3 = b.getMultiDimIdentityMap(3);
  Value shift = generic(
      filled({batch, heads, queries}, 0), {rowMax}, {identity3, identity3},
      {par, par, par}, [&](OpBuilder &nb, ValueRange args) {
        Value none = arith::CmpFOp::create(
            nb, loc, arith::CmpFPredicate::OEQ, args[0],
            arith::ConstantOp::create(nb, loc, nb.getF32FloatAttr(negInf)));
        return arith::SelectOp::create(
                   nb, loc, none,
                   arith::ConstantOp::create(nb, loc, nb.getF32FloatAttr(0)),
                   args[0])
            .getResult();
      });
  Value exps = generic(
      filled({batch, heads, queries, keys}, 0), {modified, shift},
      {identity4, rows4, identity4}, {par, par, par, par},
      [&](OpBuilder &nb, ValueRange args) {
        return math::ExpOp::create(
                   nb, loc, arith::SubFOp::create(nb, loc, args[0], args[1]))
            .getResult();
      });
  Value rowSum = generic(
      filled({batch, heads, queries}, 0), {exps}, {identity4, rows4},
      {par, par, par, red}, [&](OpBuilder &nb, ValueRange args) {
        return arith::AddFOp::create(nb, loc, args[0], args[1]).getResult();
      });

  // out[b, h, i, e] = sum_j exps[b, h, i, j] * v[b, h / G, j, e], divided by
  // the row sum (0 for an all-masked row), in the result's element type.
  Value weighted = generic(
      filled({batch, heads, queries, valueDim}, 0), {exps, v},
      {map(5, {dim(0), dim(1), dim(2), dim(4)}),
       map(5, {dim(0), kvHead, dim(4), dim(3)}),
       map(5, {dim(0), dim(1), dim(2), dim(3)})},
      {par, par, par, par, red}, [&](OpBuilder &nb, ValueRange args) {
        Value product =
            arith::MulFOp::create(nb, loc, args[0], toF32(nb, args[1]));
        return arith::AddFOp::create(nb, loc, args[2], product).getResult();
      });
  auto outputType = cast<RankedTensorType>(op.getOutput().getType());
  Value outputInit = tensor::EmptyOp::create(
      b, loc, SmallVector<OpFoldResult>{batch, heads, queries, valueDim},
      outputType.getElementType());
  Value output = generic(
      outputInit, {weighted, rowSum}, {identity4, rows4, identity4},
      {par, par, par, par}, [&](OpBuilder &nb, ValueRange args) {
        Value zero = arith::ConstantOp::create(nb, loc, nb.getF32FloatAttr(0));
        Value any = arith::CmpFOp::create(nb, loc, arith::CmpFPredicate::OGT,
                                          args[1], zero);
        Value o = arith::SelectOp::create(
            nb, loc, any, arith::DivFOp::create(nb, loc, args[0], args[1]),
            zero);
        Type element = outputType.getElementType();
        return element == f32
                   ? o
                   : arith::TruncFOp::create(nb, loc, element, o).getResult();
      });
  SmallVector<Value> results = {
      tensor::CastOp::create(b, loc, outputType, output)};
  if (Value lse = op.getLse()) {
    Value logSumExp =
        generic(filled({batch, heads, queries}, 0), {shift, rowSum},
                {identity3, identity3, identity3}, {par, par, par},
                [&](OpBuilder &nb, ValueRange args) {
                  Value zero =
                      arith::ConstantOp::create(nb, loc, nb.getF32FloatAttr(0));
                  Value any = arith::CmpFOp::create(
                      nb, loc, arith::CmpFPredicate::OGT, args[1], zero);
                  Value value = arith::AddFOp::create(
                      nb, loc, args[0], math::LogOp::create(nb, loc, args[1]));
                  return arith::SelectOp::create(
                             nb, loc, any, value,
                             arith::ConstantOp::create(
                                 nb, loc, nb.getF32FloatAttr(negInf)))
                      .getResult();
                });
    results.push_back(tensor::CastOp::create(b, loc, lse.getType(), logSumExp));
  }
  op->replaceAllUsesWith(results);
  op->erase();
}

struct DDLFlexToLinalgPass final
    : attention::impl::DDLFlexToLinalgPassBase<DDLFlexToLinalgPass> {
  void runOnOperation() override {
    SmallVector<attn::FlexOp> ops;
    getOperation().walk([&](attn::FlexOp op) { ops.push_back(op); });
    for (attn::FlexOp op : ops) {
      int64_t queryHeads =
          cast<RankedTensorType>(op.getQuery().getType()).getDimSize(1);
      int64_t kvHeads =
          cast<RankedTensorType>(op.getKey().getType()).getDimSize(1);
      int64_t groupSize = 1;
      // A dynamic head count could differ from the other at run time: the
      // group size must be known to index K and V.
      if (queryHeads != kvHeads || ShapedType::isDynamic(queryHeads)) {
        if (ShapedType::isDynamic(queryHeads) ||
            ShapedType::isDynamic(kvHeads)) {
          op.emitError("materialized attn.flex with grouped-query attention "
                       "needs static head counts, got ")
              << op.getQuery().getType() << " and " << op.getKey().getType();
          return signalPassFailure();
        }
        groupSize = queryHeads / kvHeads;
      }
      OpBuilder b(op);
      Materializer(b, op, groupSize).build();
    }
  }
};

} // namespace
