//===- DepthwiseToVector.cpp - NHWC depthwise conv to a vector kernel -----===//
//
// See DDLDepthwiseToVectorPass in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "passes/codegen/KernelNeighbours.h"
#include "passes/codegen/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace ddl;
using namespace ddl::codegen;

namespace ddl::codegen {
#define GEN_PASS_DEF_DDLDEPTHWISETOVECTORPASS
#include "passes/codegen/Passes.h.inc"
} // namespace ddl::codegen

/// Whether `value` is an f32 memref of rank `rank`, static but for dim 0,
/// whose innermost dimension is contiguous (vector loads along it).
static bool isChannelsBuffer(Value value, int64_t rank) {
  auto type = dyn_cast<MemRefType>(value.getType());
  if (!type || type.getRank() != rank || !type.getElementType().isF32())
    return false;
  for (int64_t d = 1; d < rank; ++d)
    if (type.isDynamicDim(d))
      return false;
  SmallVector<int64_t> strides;
  int64_t offset;
  return succeeded(type.getStridesAndOffset(strides, offset)) &&
         strides.back() == 1;
}

/// The largest of `candidates` that divides `size`.
static int64_t largestDivisor(int64_t size, ArrayRef<int64_t> candidates) {
  for (int64_t c : candidates)
    if (size % c == 0)
      return c;
  return 1;
}

/// The broadcast of a per-channel bias into `out` before `op` (the
/// lowering's accumulator), when nothing in between touches `out` or the
/// bias: the kernel's accumulators then start from the bias vector.
static linalg::BroadcastOp precedingBias(linalg::DepthwiseConv2DNhwcHwcOp op,
                                         Value out) {
  for (Operation *prev = op->getPrevNode(); prev; prev = prev->getPrevNode()) {
    auto broadcast = dyn_cast<linalg::BroadcastOp>(prev);
    if (!broadcast || broadcast.getInit() != out)
      continue;
    auto bias = dyn_cast<MemRefType>(broadcast.getInput().getType());
    if (!broadcast.hasPureBufferSemantics() || !bias || bias.getRank() != 1 ||
        !bias.getLayout().isIdentity() || !bias.getElementType().isF32() ||
        broadcast.getDimensions() != ArrayRef<int64_t>{0, 1, 2} ||
        !cannotTouch(broadcast, op, out) ||
        !cannotTouch(broadcast, op, broadcast.getInput()))
      return {};
    return broadcast;
  }
  return {};
}

/// Whether `buffer` is used only by `a`, `b` and memref.dim (nothing else
/// reads what the kernel would store there).
static bool onlyUsedBy(Value buffer, Operation *a, Operation *b) {
  return llvm::all_of(buffer.getUsers(), [&](Operation *user) {
    return user == a || user == b || isa<memref::DimOp>(user);
  });
}

static LogicalResult lowerDepthwise(RewriterBase &rewriter,
                                    linalg::DepthwiseConv2DNhwcHwcOp op) {
  Value x = op.getDpsInputs()[0], w = op.getDpsInputs()[1];
  Value out = op.getDpsInits()[0];
  if (!isChannelsBuffer(x, 4) || !isChannelsBuffer(w, 3) ||
      !isChannelsBuffer(out, 4) ||
      cast<MemRefType>(w.getType()).isDynamicDim(0))
    return failure();
  auto outType = cast<MemRefType>(out.getType());
  auto wType = cast<MemRefType>(w.getType());
  int64_t oh = outType.getDimSize(1), ow = outType.getDimSize(2),
          c = outType.getDimSize(3);
  int64_t kh = wType.getDimSize(0), kw = wType.getDimSize(1);
  auto strides = llvm::to_vector(op.getStrides().getValues<int64_t>());
  auto dilations = llvm::to_vector(op.getDilations().getValues<int64_t>());
  int64_t lanes = largestDivisor(c, {16, 8, 4});
  int64_t columns = largestDivisor(ow, {8, 7, 6, 5, 4, 3, 2});

  // Folded neighbours: the bias broadcast that initializes `out`, and an
  // elementwise epilogue (activation, residual) applied before the store.
  linalg::BroadcastOp bias = precedingBias(op, out);
  Epilogue epilogue = findEpilogue(op, out);
  Value epilogueOut = epilogue ? epilogue.op.getDpsInits()[0] : Value();
  bool storeResult =
      !epilogue || (epilogueOut != out && !onlyUsedBy(out, op, epilogue.op));

  Location loc = op.getLoc();
  rewriter.setInsertionPoint(epilogue ? epilogue.op.getOperation()
                                      : op.getOperation());
  auto index = [&](OpBuilder &b, int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  auto affine = [&](OpBuilder &b, Value v, int64_t scale, Value plus) {
    Value scaled = arith::MulIOp::create(b, loc, v, index(b, scale));
    return arith::AddIOp::create(b, loc, scaled, plus).getResult();
  };
  auto vectorType = VectorType::get({lanes}, rewriter.getF32Type());
  Value zero = index(rewriter, 0), one = index(rewriter, 1);
  Value rows = arith::MulIOp::create(
      rewriter, loc, memref::DimOp::create(rewriter, loc, out, 0),
      index(rewriter, oh));
  scf::ParallelOp::create(
      rewriter, loc, ValueRange{zero}, ValueRange{rows}, ValueRange{one},
      [&](OpBuilder &pb, Location, ValueRange rowIvs) {
        Value n = arith::DivUIOp::create(pb, loc, rowIvs[0], index(pb, oh));
        Value y = arith::RemUIOp::create(pb, loc, rowIvs[0], index(pb, oh));
        Value yIn = arith::MulIOp::create(pb, loc, y, index(pb, strides[0]));
        auto block = [&](OpBuilder &b, Value x0, Value ch) {
          SmallVector<Value> cols;
          for (int64_t i = 0; i < columns; ++i)
            cols.push_back(arith::AddIOp::create(b, loc, x0, index(b, i)));
          SmallVector<Value> acc;
          Value biasVector =
              bias ? vector::LoadOp::create(b, loc, vectorType, bias.getInput(),
                                            ValueRange{ch})
                   : Value();
          for (Value col : cols)
            acc.push_back(
                biasVector ? biasVector
                           : vector::LoadOp::create(b, loc, vectorType, out,
                                                    ValueRange{n, y, col, ch}));
          auto taps = scf::ForOp::create(
              b, loc, zero, index(b, kh), one, acc,
              [&](OpBuilder &hb, Location, Value ky, ValueRange accY) {
                Value row = affine(hb, ky, dilations[0], yIn);
                auto inner = scf::ForOp::create(
                    hb, loc, zero, index(hb, kw), one, accY,
                    [&](OpBuilder &wb, Location, Value kx, ValueRange accX) {
                      Value weights = vector::LoadOp::create(
                          wb, loc, vectorType, w, ValueRange{ky, kx, ch});
                      Value xOffset = arith::MulIOp::create(
                          wb, loc, kx, index(wb, dilations[1]));
                      SmallVector<Value> next;
                      for (auto [i, col] : llvm::enumerate(cols)) {
                        Value xCol = affine(wb, col, strides[1], xOffset);
                        Value input = vector::LoadOp::create(
                            wb, loc, vectorType, x,
                            ValueRange{n, row, xCol, ch});
                        next.push_back(vector::FMAOp::create(wb, loc, input,
                                                             weights, accX[i]));
                      }
                      scf::YieldOp::create(wb, loc, next);
                    });
                scf::YieldOp::create(hb, loc, inner.getResults());
              });
          for (auto [i, col] : llvm::enumerate(cols)) {
            SmallVector<Value> at = {n, y, col, ch};
            if (storeResult)
              vector::StoreOp::create(b, loc, taps.getResult(i), out, at);
            if (epilogue)
              applyEpilogue(b, loc, epilogue, out, taps.getResult(i), at);
          }
        };
        scf::ForOp::create(
            pb, loc, zero, index(pb, ow), index(pb, columns), ValueRange{},
            [&](OpBuilder &xb, Location, Value x0, ValueRange) {
              scf::ForOp::create(
                  xb, loc, zero, index(xb, c), index(xb, lanes), ValueRange{},
                  [&](OpBuilder &cb, Location, Value ch, ValueRange) {
                    block(cb, x0, ch);
                    scf::YieldOp::create(cb, loc);
                  });
              scf::YieldOp::create(xb, loc);
            });
      });
  rewriter.eraseOp(op);
  if (bias)
    rewriter.eraseOp(bias);
  if (epilogue)
    rewriter.eraseOp(epilogue.op);
  return success();
}

namespace {
struct DDLDepthwiseToVectorPass final
    : codegen::impl::DDLDepthwiseToVectorPassBase<DDLDepthwiseToVectorPass> {
  void runOnOperation() override {
    SmallVector<linalg::DepthwiseConv2DNhwcHwcOp> ops;
    getOperation().walk([&](linalg::DepthwiseConv2DNhwcHwcOp op) {
      if (op.hasPureBufferSemantics())
        ops.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::DepthwiseConv2DNhwcHwcOp op : ops)
      (void)lowerDepthwise(rewriter, op); // Others stay linalg loops.
  }
};
} // namespace
