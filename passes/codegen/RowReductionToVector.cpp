//===- RowReductionToVector.cpp - contiguous reductions to vector loops ---===//
//
// See DDLRowReductionToVectorPass in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "passes/codegen/Passes.h"
#include "passes/codegen/RowReductions.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using ddl::codegen::RowReduction;

namespace ddl::codegen {
#define GEN_PASS_DEF_DDLROWREDUCTIONTOVECTORPASS
#include "passes/codegen/Passes.h.inc"
} // namespace ddl::codegen

/// Lanes of the accumulator vector: one zmm register; LLVM splits it into
/// two ymm or four NEON registers elsewhere.
static constexpr int64_t kLanes = 16;

/// One scf.parallel iteration per output element (the parallel loops,
/// linearized); per element, the row in vectors of kLanes (a masked last
/// vector) combined into one accumulator vector, reduced to a scalar at
/// the end and combined with the output element's old value.
static void lowerRowReduction(RewriterBase &rewriter, linalg::LinalgOp op,
                              const RowReduction &reduction) {
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  auto index = [&](OpBuilder &b, int64_t v) {
    return arith::ConstantIndexOp::create(b, loc, v).getResult();
  };
  SmallVector<Range> ranges = op.createLoopRanges(rewriter, loc);
  SmallVector<Value> sizes;
  for (Range range : ranges)
    sizes.push_back(getValueOrCreateConstantIndexOp(rewriter, loc, range.size));
  SmallVector<unsigned> parallelDims;
  for (unsigned d = 0; d < sizes.size(); ++d)
    if (d != reduction.dim)
      parallelDims.push_back(d);
  Value rows = index(rewriter, 1);
  for (unsigned d : parallelDims)
    rows = arith::MulIOp::create(rewriter, loc, rows, sizes[d]);
  Value length = sizes[reduction.dim];
  Type f32 = rewriter.getF32Type();
  auto vectorType = VectorType::get({kLanes}, f32);
  auto maskType = VectorType::get({kLanes}, rewriter.getI1Type());
  Block &body = op->getRegion(0).front();
  Value zero = index(rewriter, 0), one = index(rewriter, 1);

  scf::ParallelOp::create(
      rewriter, loc, ValueRange{zero}, ValueRange{rows}, ValueRange{one},
      [&](OpBuilder &pb, Location, ValueRange parallelIvs) {
        // The loop indices of this output element (the reduction index is
        // filled in per vector).
        SmallVector<Value> ivs(sizes.size(), zero);
        Value rest = parallelIvs[0];
        for (unsigned d : llvm::reverse(parallelDims)) {
          if (d == parallelDims.front()) {
            ivs[d] = rest;
            break;
          }
          ivs[d] = arith::RemUIOp::create(pb, loc, rest, sizes[d]);
          rest = arith::DivUIOp::create(pb, loc, rest, sizes[d]);
        }
        // Per-row operands are loaded once and broadcast.
        IRMapping rowValues;
        for (OpOperand *input : op.getDpsInputOperands()) {
          if (op.getMatchingIndexingMap(input).isFunctionOfDim(reduction.dim))
            continue;
          Value v = memref::LoadOp::create(
              pb, loc, input->get(), ddl::codegen::indicesOf(op, input, ivs));
          rowValues.map(body.getArgument(input->getOperandNumber()),
                        vector::BroadcastOp::create(pb, loc, vectorType, v));
        }
        // The body's value for the kLanes elements from `at` (masked).
        auto valueAt = [&](OpBuilder &vb, Value at, Value mask) {
          IRMapping mapping = rowValues;
          SmallVector<Value> elementIvs(ivs);
          elementIvs[reduction.dim] = at;
          for (OpOperand *input : op.getDpsInputOperands()) {
            if (!op.getMatchingIndexingMap(input).isFunctionOfDim(
                    reduction.dim))
              continue;
            SmallVector<Value> indices =
                ddl::codegen::indicesOf(op, input, elementIvs);
            Value loaded;
            if (mask) {
              Value pad = arith::ConstantOp::create(
                  vb, loc, DenseElementsAttr::get(vectorType, 0.0f));
              loaded = vector::MaskedLoadOp::create(
                  vb, loc, vectorType, input->get(), indices, mask, pad);
            } else {
              loaded = vector::LoadOp::create(vb, loc, vectorType, input->get(),
                                              indices);
            }
            mapping.map(body.getArgument(input->getOperandNumber()), loaded);
          }
          // Values from above (of any scalar type: compare results,
          // integer constants) become splats of their own type.
          auto lanesOf = [&](Type type) {
            return VectorType::get({kLanes}, type);
          };
          auto splatIfAbove = [&](Value v) {
            if (!mapping.contains(v))
              mapping.map(v, vector::BroadcastOp::create(
                                 vb, loc, lanesOf(v.getType()), v));
          };
          for (Operation &bodyOp : body.without_terminator()) {
            if (&bodyOp == reduction.combiner)
              break;
            for (Value operand : bodyOp.getOperands())
              splatIfAbove(operand);
            Operation *cloned = vb.clone(bodyOp, mapping);
            cloned->getResult(0).setType(
                lanesOf(bodyOp.getResult(0).getType()));
          }
          Value value = ddl::codegen::combinedValue(reduction, op);
          splatIfAbove(value);
          return mapping.lookup(value);
        };
        auto combine = [&](OpBuilder &cb, Value value, Value acc) {
          return ddl::codegen::combine(cb, reduction, op, value, acc);
        };
        Value start = arith::ConstantOp::create(
            pb, loc,
            DenseElementsAttr::get(
                vectorType, ddl::codegen::neutralElement(reduction.kind)));
        Value lanes = index(pb, kLanes);
        Value full = arith::MulIOp::create(
            pb, loc, arith::DivUIOp::create(pb, loc, length, lanes), lanes);
        auto loop = scf::ForOp::create(
            pb, loc, zero, full, lanes, ValueRange{start},
            [&](OpBuilder &lb, Location, Value at, ValueRange acc) {
              scf::YieldOp::create(
                  lb, loc, combine(lb, valueAt(lb, at, Value()), acc[0]));
            });
        Value acc = loop.getResult(0);
        // The elements left: masked, and only their lanes combined.
        Value partial = arith::CmpIOp::create(
            pb, loc, arith::CmpIPredicate::ult, full, length);
        auto tail = scf::IfOp::create(
            pb, loc, partial,
            [&](OpBuilder &tb, Location) {
              Value left = arith::SubIOp::create(tb, loc, length, full);
              Value mask =
                  vector::CreateMaskOp::create(tb, loc, maskType, left);
              Value combined = combine(tb, valueAt(tb, full, mask), acc);
              scf::YieldOp::create(
                  tb, loc,
                  arith::SelectOp::create(tb, loc, mask, combined, acc)
                      .getResult());
            },
            [&](OpBuilder &eb, Location) {
              scf::YieldOp::create(eb, loc, acc);
            });
        // Lanes combine in any order (a tree, not a chain of 16).
        Value rowResult = vector::ReductionOp::create(
            pb, loc, reduction.kind, tail.getResult(0),
            arith::FastMathFlags::reassoc);
        OpOperand *init = op.getDpsInitOperand(0);
        SmallVector<Value> outIndices = ddl::codegen::indicesOf(op, init, ivs);
        Value old = memref::LoadOp::create(pb, loc, init->get(), outIndices);
        memref::StoreOp::create(pb, loc, combine(pb, rowResult, old),
                                init->get(), outIndices);
      });
  rewriter.eraseOp(op);
}

namespace {
struct DDLRowReductionToVectorPass final
    : ddl::codegen::impl::DDLRowReductionToVectorPassBase<
          DDLRowReductionToVectorPass> {
  void runOnOperation() override {
    SmallVector<std::pair<linalg::LinalgOp, RowReduction>> found;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (std::optional<RowReduction> reduction =
              ddl::codegen::matchRowReduction(op, /*contiguousRows=*/true))
        found.emplace_back(op, *reduction);
    });
    IRRewriter rewriter(&getContext());
    for (auto &[op, reduction] : found)
      lowerRowReduction(rewriter, op, reduction);
  }
};
} // namespace
