//===- BatchMatmulToVector.cpp - run-time-B contractions to vector FMAs ---===//

#include "passes/codegen/KernelNeighbours.h"
#include "passes/codegen/Passes.h"
#include "passes/codegen/Schedules.h"

#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace ddl;
using namespace ddl::codegen;

namespace ddl::codegen {
#define GEN_PASS_DEF_DDLBATCHMATMULTOVECTORPASS
#include "passes/codegen/Passes.h.inc"
} // namespace ddl::codegen

/// Whether `value` is an f32 memref of `rank` whose innermost dimension is
/// contiguous (so N0 consecutive elements are one vector load).
static bool isRowMajorF32(Value value, int64_t rank) {
  auto type = dyn_cast<MemRefType>(value.getType());
  return type && type.getRank() == rank && type.getElementType().isF32() &&
         type.isLastDimUnitStride();
}

namespace {
/// Builds the loop nest of one scheduled contraction C (+)= A B with A
/// [batch][M][K], B [batch][K][N] and C [batch][M][N] read in place (no
/// batch dimension for a matmul).
class KernelBuilder {
public:
  KernelBuilder(RewriterBase &rewriter, linalg::LinalgOp op,
                sched::ContractionAttr schedule, Value fillValue)
      : rewriter(rewriter), loc(op.getLoc()), a(op.getDpsInputs()[0]),
        b(op.getDpsInputs()[1]), c(op.getDpsInits()[0]),
        batched(isa<linalg::BatchMatmulOp>(op.getOperation())),
        m0(schedule.getM0()), n0(schedule.getN0()), schedule(schedule),
        fillValue(fillValue),
        vectorType(VectorType::get({n0}, rewriter.getF32Type())),
        maskType(VectorType::get({n0}, rewriter.getI1Type())) {}

  void build();

private:
  Value index(OpBuilder &builder, int64_t v) {
    return arith::ConstantIndexOp::create(builder, loc, v);
  }
  /// The indices of element (row, col) of `batch` in an operand.
  SmallVector<Value> at(Value batch, Value row, Value col) {
    return batched ? SmallVector<Value>{batch, row, col}
                   : SmallVector<Value>{row, col};
  }
  /// min(begin + step, bound).
  Value blockEnd(OpBuilder &builder, Value begin, int64_t step, Value bound) {
    Value end =
        arith::AddIOp::create(builder, loc, begin, index(builder, step));
    return arith::MinSIOp::create(builder, loc, end, bound);
  }
  /// `for (iv = lb; iv < ub; iv += step) body(iv)`.
  void loop(OpBuilder &builder, Value lb, Value ub, int64_t step,
            function_ref<void(OpBuilder &, Value)> body) {
    scf::ForOp::create(builder, loc, lb, ub, index(builder, step), ValueRange{},
                       [&](OpBuilder &nested, Location, Value iv, ValueRange) {
                         body(nested, iv);
                         scf::YieldOp::create(nested, loc);
                       });
  }
  /// One N0-wide row of `buffer` at `indices`: masked when `mask` is set
  /// (the last, partial column tile).
  Value loadRow(OpBuilder &builder, Value buffer, ValueRange indices,
                Value mask) {
    if (!mask)
      return vector::LoadOp::create(builder, loc, vectorType, buffer, indices);
    Value zero = arith::ConstantOp::create(
        builder, loc, DenseElementsAttr::get(vectorType, 0.0f));
    return vector::MaskedLoadOp::create(builder, loc, vectorType, buffer,
                                        indices, mask, zero);
  }
  void storeRow(OpBuilder &builder, Value value, ValueRange indices,
                Value mask) {
    if (!mask)
      vector::StoreOp::create(builder, loc, value, c, indices);
    else
      vector::MaskedStoreOp::create(builder, loc, c, indices, mask, value);
  }
  void microKernel(OpBuilder &builder, Value batch, Value row, int64_t rows,
                   Value col, Value mask, Value kBegin, Value kEnd);
  void tiles(OpBuilder &builder, Value batch, Value mBegin, Value mEnd,
             Value nBegin, Value nEnd, Value kBegin, Value kEnd);

  RewriterBase &rewriter;
  Location loc;
  Value a, b, c;
  bool batched;
  int64_t m0, n0;
  sched::ContractionAttr schedule;
  Value fillValue;
  VectorType vectorType, maskType;
};
} // namespace

/// The `rows` x N0 tile of C at (row, col) over k in [kBegin, kEnd): the
/// accumulators start from the fill value (first k block, when C was a
/// fill) or C, and per k take one load of B's row and, per row, one
/// broadcast of A and one FMA.
void KernelBuilder::microKernel(OpBuilder &builder, Value batch, Value row,
                                int64_t rows, Value col, Value mask,
                                Value kBegin, Value kEnd) {
  SmallVector<Value> tileRows;
  for (int64_t i = 0; i < rows; ++i)
    tileRows.push_back(
        i == 0 ? row
               : arith::AddIOp::create(builder, loc, row, index(builder, i)));
  auto loadAccumulators = [&](OpBuilder &lb) {
    SmallVector<Value> loaded;
    for (Value r : tileRows)
      loaded.push_back(loadRow(lb, c, at(batch, r, col), mask));
    return loaded;
  };
  SmallVector<Value> accumulators;
  if (fillValue) {
    Value first = arith::CmpIOp::create(builder, loc, arith::CmpIPredicate::eq,
                                        kBegin, index(builder, 0));
    auto init = scf::IfOp::create(
        builder, loc, first,
        [&](OpBuilder &tb, Location l) {
          Value splat =
              vector::BroadcastOp::create(tb, l, vectorType, fillValue);
          scf::YieldOp::create(tb, l, SmallVector<Value>(rows, splat));
        },
        [&](OpBuilder &eb, Location l) {
          scf::YieldOp::create(eb, l, loadAccumulators(eb));
        });
    accumulators.append(init.getResults().begin(), init.getResults().end());
  } else {
    accumulators = loadAccumulators(builder);
  }
  auto kLoop = scf::ForOp::create(
      builder, loc, kBegin, kEnd, index(builder, 1), accumulators,
      [&](OpBuilder &kb, Location l, Value k, ValueRange acc) {
        Value bRow = loadRow(kb, b, at(batch, k, col), mask);
        SmallVector<Value> next;
        for (auto [r, sum] : llvm::zip(tileRows, acc)) {
          Value aValue = memref::LoadOp::create(kb, l, a, at(batch, r, k));
          Value aSplat = vector::BroadcastOp::create(kb, l, vectorType, aValue);
          next.push_back(vector::FMAOp::create(kb, l, aSplat, bRow, sum));
        }
        scf::YieldOp::create(kb, l, next);
      });
  for (auto [r, sum] : llvm::zip(tileRows, kLoop.getResults()))
    storeRow(builder, sum, at(batch, r, col), mask);
}

/// The tiles of C in rows [mBegin, mEnd) and columns [nBegin, nEnd), column
/// tiles outermost (a B panel stays in L1 across the row tiles): full N0
/// tiles, then one masked tile for the columns left; per column tile, full
/// M0-row tiles, then single rows.
void KernelBuilder::tiles(OpBuilder &builder, Value batch, Value mBegin,
                          Value mEnd, Value nBegin, Value nEnd, Value kBegin,
                          Value kEnd) {
  auto fullEnd = [&](OpBuilder &fb, Value begin, Value end, int64_t step) {
    Value size = arith::SubIOp::create(fb, loc, end, begin);
    Value stepValue = index(fb, step);
    Value whole = arith::MulIOp::create(
        fb, loc, arith::DivUIOp::create(fb, loc, size, stepValue), stepValue);
    return arith::AddIOp::create(fb, loc, begin, whole).getResult();
  };
  auto rowTiles = [&](OpBuilder &rb, Value col, Value mask) {
    Value mFull = fullEnd(rb, mBegin, mEnd, m0);
    loop(rb, mBegin, mFull, m0, [&](OpBuilder &tb, Value row) {
      microKernel(tb, batch, row, m0, col, mask, kBegin, kEnd);
    });
    if (m0 > 1)
      loop(rb, mFull, mEnd, 1, [&](OpBuilder &tb, Value row) {
        microKernel(tb, batch, row, 1, col, mask, kBegin, kEnd);
      });
  };
  Value nFull = fullEnd(builder, nBegin, nEnd, n0);
  loop(builder, nBegin, nFull, n0,
       [&](OpBuilder &cb, Value col) { rowTiles(cb, col, Value()); });
  Value partial = arith::CmpIOp::create(builder, loc, arith::CmpIPredicate::ult,
                                        nFull, nEnd);
  scf::IfOp::create(builder, loc, partial, [&](OpBuilder &pb, Location l) {
    Value left = arith::SubIOp::create(pb, l, nEnd, nFull);
    Value mask = vector::CreateMaskOp::create(pb, l, maskType, left);
    rowTiles(pb, nFull, mask);
    scf::YieldOp::create(pb, l);
  });
}

/// parallel (batch, blocks of the parallel dimension) -> k blocks -> blocks
/// of the other dimension -> tiles.
void KernelBuilder::build() {
  ArrayRef<int64_t> cache = schedule.getCacheTile();
  unsigned lead = batched ? 1 : 0;
  Value zero = index(rewriter, 0), one = index(rewriter, 1);
  Value batches = batched ? memref::DimOp::create(rewriter, loc, c, 0) : one;
  Value mSize = memref::DimOp::create(rewriter, loc, c, lead);
  Value nSize = memref::DimOp::create(rewriter, loc, c, lead + 1);
  Value kSize = memref::DimOp::create(rewriter, loc, a, lead + 1);
  bool parallelM = schedule.getParallelDim() == 0;
  int64_t mBlock = cache[0] * m0, nBlock = cache[1] * n0, kBlock = cache[2];
  Value pSize = parallelM ? mSize : nSize, qSize = parallelM ? nSize : mSize;
  int64_t pBlock = parallelM ? mBlock : nBlock,
          qBlock = parallelM ? nBlock : mBlock;
  Value pBlocks =
      arith::CeilDivUIOp::create(rewriter, loc, pSize, index(rewriter, pBlock));
  Value total = arith::MulIOp::create(rewriter, loc, batches, pBlocks);
  scf::ParallelOp::create(
      rewriter, loc, ValueRange{zero}, ValueRange{total}, ValueRange{one},
      [&](OpBuilder &pb, Location, ValueRange ivs) {
        Value batch = arith::DivUIOp::create(pb, loc, ivs[0], pBlocks);
        Value block = arith::RemUIOp::create(pb, loc, ivs[0], pBlocks);
        Value pBegin = arith::MulIOp::create(pb, loc, block, index(pb, pBlock));
        Value pEnd = blockEnd(pb, pBegin, pBlock, pSize);
        loop(pb, zero, kSize, kBlock, [&](OpBuilder &kb, Value kBegin) {
          Value kEnd = blockEnd(kb, kBegin, kBlock, kSize);
          loop(kb, zero, qSize, qBlock, [&](OpBuilder &qb, Value qBegin) {
            Value qEnd = blockEnd(qb, qBegin, qBlock, qSize);
            if (parallelM)
              tiles(qb, batch, pBegin, pEnd, qBegin, qEnd, kBegin, kEnd);
            else
              tiles(qb, batch, qBegin, qEnd, pBegin, pEnd, kBegin, kEnd);
          });
        });
      });
}

static LogicalResult lowerBatchMatmul(RewriterBase &rewriter,
                                      linalg::LinalgOp op,
                                      sched::ContractionAttr schedule) {
  if (failed(checkF32Schedule(schedule, [&] { return op.emitError(); })))
    return failure();
  bool batched = isa<linalg::BatchMatmulOp>(op.getOperation());
  int64_t rank = batched ? 3 : 2;
  Value a = op.getDpsInputs()[0], b = op.getDpsInputs()[1],
        c = op.getDpsInits()[0];
  if (!hasDefaultMatmulMaps(op))
    return op.emitError() << "the run-time-B f32 kernel needs the default "
                             "indexing maps (A (b, m, k), B (b, k, n), C (b, "
                             "m, n))";
  auto aType = dyn_cast<MemRefType>(a.getType());
  if (!aType || aType.getRank() != rank || !aType.getElementType().isF32() ||
      !isRowMajorF32(b, rank) || !isRowMajorF32(c, rank))
    return op.emitError() << "the run-time-B f32 kernel needs f32 buffers "
                             "whose rows (B's and C's) are contiguous";
  AccumulatorInit init = precedingFill(op, c);
  Value fillValue =
      init.value && init.value.getType().isF32() ? init.value : Value();
  rewriter.setInsertionPoint(op);
  KernelBuilder(rewriter, op, schedule, fillValue).build();
  rewriter.eraseOp(op);
  if (fillValue)
    rewriter.eraseOp(init.initializer);
  return success();
}

namespace {
struct DDLBatchMatmulToVectorPass final
    : codegen::impl::DDLBatchMatmulToVectorPassBase<
          DDLBatchMatmulToVectorPass> {
  void runOnOperation() override {
    SmallVector<linalg::LinalgOp> ops;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (isa<linalg::BatchMatmulOp, linalg::MatmulOp>(op.getOperation()) &&
          op.hasPureBufferSemantics() && op->hasAttr(sched::kScheduleAttr))
        ops.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::LinalgOp op : ops) {
      auto schedule =
          op->getAttrOfType<sched::ContractionAttr>(sched::kScheduleAttr);
      if (!schedule) {
        op.emitError() << "'" << sched::kScheduleAttr
                       << "' is not a #sched.contraction";
        return signalPassFailure();
      }
      if (failed(lowerBatchMatmul(rewriter, op, schedule)))
        return signalPassFailure();
    }
    eraseUnreadFills(getOperation());
  }
};
} // namespace
