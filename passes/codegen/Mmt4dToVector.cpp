//===- Mmt4dToVector.cpp - scheduled mmt4d to a vector micro-kernel -------===//

#include "passes/codegen/Passes.h"
#include "passes/codegen/Schedules.h"

#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace ddl;
using namespace ddl::codegen;

namespace ddl::codegen {
#define GEN_PASS_DEF_DDLMMT4DTOVECTORPASS
#include "passes/codegen/Passes.h.inc"
} // namespace ddl::codegen

/// Whether `value` is an f32 memref of rank 4 with static inner sizes
/// `inner0` x `inner1` and an identity layout.
static bool isPackedBuffer(Value value, int64_t inner0, int64_t inner1) {
  auto type = dyn_cast<MemRefType>(value.getType());
  return type && type.getRank() == 4 && type.getElementType().isF32() &&
         type.getLayout().isIdentity() && type.getDimSize(2) == inner0 &&
         type.getDimSize(3) == inner1;
}

/// Builds `for (iv = lb; iv < ub; iv += step)` with `body(iv)`.
static void buildFor(OpBuilder &b, Location loc, Value lb, Value ub, Value step,
                     function_ref<void(OpBuilder &, Value)> body) {
  scf::ForOp::create(b, loc, lb, ub, step, ValueRange{},
                     [&](OpBuilder &nested, Location, Value iv, ValueRange) {
                       body(nested, iv);
                       scf::YieldOp::create(nested, loc);
                     });
}

static LogicalResult lowerMmt4d(RewriterBase &rewriter, linalg::Mmt4DOp op,
                                sched::ContractionAttr schedule) {
  Location loc = op.getLoc();
  int64_t m0 = schedule.getM0(), n0 = schedule.getN0(), k0 = schedule.getK0();
  ArrayRef<int64_t> cache = schedule.getCacheTile();
  Value a = op.getDpsInputs()[0], b = op.getDpsInputs()[1];
  Value c = op.getDpsInits()[0];
  if (k0 != 1 || !isPackedBuffer(a, m0, k0) || !isPackedBuffer(b, n0, k0) ||
      !isPackedBuffer(c, m0, n0))
    return op.emitError()
           << "the f32 micro-kernel needs K0 = 1 and identity-layout f32 "
              "buffers with the schedule's inner tiles "
           << m0 << "x" << k0 << ", " << n0 << "x" << k0 << " and " << m0 << "x"
           << n0;

  rewriter.setInsertionPoint(op);
  auto index = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(rewriter, loc, v);
  };
  Value zero = index(0), one = index(1);
  // B and C as [N1][K1][N0] and [M1][N1][M0][N0]: rows of N0 contiguous
  // elements, the vector the micro-kernel loads.
  Value bRows = memref::CollapseShapeOp::create(
      rewriter, loc, b, ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3}});
  Value m1 = memref::DimOp::create(rewriter, loc, c, 0);
  Value n1 = memref::DimOp::create(rewriter, loc, c, 1);
  Value k1 = memref::DimOp::create(rewriter, loc, a, 1);
  bool parallelM = schedule.getParallelDim() == 0;
  Value mStep = index(cache[0]), nStep = index(cache[1]),
        kStep = index(cache[2]);
  auto vectorType = VectorType::get({n0}, rewriter.getF32Type());

  auto blockEnd = [](OpBuilder &builder, Location l, Value begin, Value step,
                     Value bound) -> Value {
    Value end = arith::AddIOp::create(builder, l, begin, step);
    return arith::MinSIOp::create(builder, l, end, bound);
  };

  // The micro-kernel for the tile (mi, ni) over k1 in [kBegin, kEnd).
  auto microKernel = [&](OpBuilder &builder, Value mi, Value ni, Value kBegin,
                         Value kEnd) {
    SmallVector<Value> rows;
    for (int64_t i = 0; i < m0; ++i) {
      Value row = arith::ConstantIndexOp::create(builder, loc, i);
      rows.push_back(row);
    }
    SmallVector<Value> accumulators;
    for (int64_t i = 0; i < m0; ++i)
      accumulators.push_back(vector::LoadOp::create(
          builder, loc, vectorType, c, ValueRange{mi, ni, rows[i], zero}));
    auto loop = scf::ForOp::create(
        builder, loc, kBegin, kEnd, one, accumulators,
        [&](OpBuilder &kb, Location l, Value ki, ValueRange acc) {
          Value bRow = vector::LoadOp::create(kb, l, vectorType, bRows,
                                              ValueRange{ni, ki, zero});
          SmallVector<Value> next;
          for (int64_t i = 0; i < m0; ++i) {
            Value aValue = memref::LoadOp::create(
                kb, l, a, ValueRange{mi, ki, rows[i], zero});
            Value aSplat =
                vector::BroadcastOp::create(kb, l, vectorType, aValue);
            next.push_back(vector::FMAOp::create(kb, l, aSplat, bRow, acc[i]));
          }
          scf::YieldOp::create(kb, l, next);
        });
    for (int64_t i = 0; i < m0; ++i)
      vector::StoreOp::create(builder, loc, loop.getResult(i), c,
                              ValueRange{mi, ni, rows[i], zero});
  };

  // parallel blocks -> k blocks -> blocks of the other dim -> n1 -> m1.
  Value pBound = parallelM ? m1 : n1, pStep = parallelM ? mStep : nStep;
  Value qBound = parallelM ? n1 : m1, qStep = parallelM ? nStep : mStep;
  scf::ParallelOp::create(
      rewriter, loc, ValueRange{zero}, ValueRange{pBound}, ValueRange{pStep},
      [&](OpBuilder &pb, Location l, ValueRange pivs) {
        Value pBegin = pivs[0];
        Value pEnd = blockEnd(pb, l, pBegin, pStep, pBound);
        buildFor(pb, l, zero, k1, kStep, [&](OpBuilder &kb, Value kBegin) {
          Value kEnd = blockEnd(kb, l, kBegin, kStep, k1);
          buildFor(
              kb, l, zero, qBound, qStep, [&](OpBuilder &qb, Value qBegin) {
                Value qEnd = blockEnd(qb, l, qBegin, qStep, qBound);
                Value mBegin = parallelM ? pBegin : qBegin;
                Value mEnd = parallelM ? pEnd : qEnd;
                Value nBegin = parallelM ? qBegin : pBegin;
                Value nEnd = parallelM ? qEnd : pEnd;
                buildFor(qb, l, nBegin, nEnd, one,
                         [&](OpBuilder &nb, Value ni) {
                           buildFor(nb, l, mBegin, mEnd, one,
                                    [&](OpBuilder &mb, Value mi) {
                                      microKernel(mb, mi, ni, kBegin, kEnd);
                                    });
                         });
              });
        });
      });
  rewriter.eraseOp(op);
  return success();
}

namespace {
struct DDLMmt4dToVectorPass final
    : codegen::impl::DDLMmt4dToVectorPassBase<DDLMmt4dToVectorPass> {
  void runOnOperation() override {
    SmallVector<linalg::Mmt4DOp> ops;
    getOperation().walk([&](linalg::Mmt4DOp op) {
      if (op.hasPureBufferSemantics() && op->hasAttr(sched::kScheduleAttr))
        ops.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::Mmt4DOp op : ops) {
      auto schedule =
          op->getAttrOfType<sched::ContractionAttr>(sched::kScheduleAttr);
      if (!schedule) {
        op.emitError() << "'" << sched::kScheduleAttr
                       << "' is not a #sched.contraction";
        return signalPassFailure();
      }
      if (failed(lowerMmt4d(rewriter, op, schedule)))
        return signalPassFailure();
    }
  }
};
} // namespace
