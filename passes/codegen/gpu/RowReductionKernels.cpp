//===- RowReductionKernels.cpp - one warp per reduced row -----------------===//
//
// See DDLGPURowReductionKernelsPass in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "passes/codegen/RowReductions.h"
#include "passes/codegen/gpu/Passes.h"

#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/IRMapping.h"

namespace ddl::gpugen {
#define GEN_PASS_DEF_DDLGPUROWREDUCTIONKERNELSPASS
#include "passes/codegen/gpu/Passes.h.inc"
} // namespace ddl::gpugen

using namespace mlir;
using ddl::codegen::RowReduction;

namespace {

constexpr int64_t kWarp = 32;

Value combineOverWarp(OpBuilder &b, Location loc, linalg::LinalgOp op,
                      const RowReduction &reduction, Value partial);

/// `body` built where `lane` is 0 (an scf.if); the builder continues after.
void inFirstLane(OpBuilder &b, Location loc, Value lane,
                 function_ref<void()> body) {
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  auto ifOp = scf::IfOp::create(
      b, loc,
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, lane, zero));
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(ifOp.thenBlock());
  body();
}

/// A gpu.launch named `name` (profiles tell the kernels apart) of `grid`
/// blocks of `threads` threads, the builder at the start of its body.
::mlir::gpu::LaunchOp namedLaunch(OpBuilder &b, Location loc, Value grid,
                                  Value threads, StringRef name) {
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  auto launch =
      ::mlir::gpu::LaunchOp::create(b, loc, grid, one, one, threads, one, one);
  launch.setFunctionAttr(FlatSymbolRefAttr::get(b.getContext(), name));
  b.setInsertionPointToStart(&launch.getBody().front());
  return launch;
}

/// The values `valueAt(i)` for i = first, first + step, ... < end combined
/// in one thread from `start`, then over its warp.
Value stridedCombine(OpBuilder &b, Location loc, linalg::LinalgOp op,
                     const RowReduction &reduction, Value first, Value end,
                     Value step, Value start,
                     function_ref<Value(OpBuilder &, Value)> valueAt) {
  auto loop = scf::ForOp::create(
      b, loc, first, end, step, ValueRange{start},
      [&](OpBuilder &lb, Location, Value at, ValueRange acc) {
        scf::YieldOp::create(
            lb, loc,
            ddl::codegen::combine(lb, reduction, op, valueAt(lb, at), acc[0]));
      });
  return combineOverWarp(b, loc, op, reduction, loop.getResult(0));
}

/// output[at] = combine(value, output[at]).
void combineInto(OpBuilder &b, Location loc, linalg::LinalgOp op,
                 const RowReduction &reduction, Value value, Value output,
                 ValueRange at) {
  Value old = memref::LoadOp::create(b, loc, output, at);
  memref::StoreOp::create(
      b, loc, ddl::codegen::combine(b, reduction, op, value, old), output, at);
}

/// Replaces `op` by a launch of ceil(rows / warpsPerBlock) blocks of
/// warpsPerBlock warps; warp w of block b reduces row b * warpsPerBlock + w:
/// its lanes stride over the row (neighbouring lanes read neighbouring
/// elements; each lane with several partial values), then a butterfly of
/// shuffles combines the 32 partial values and lane 0 combines the result into
/// the output element.
void buildKernel(OpBuilder &b, linalg::LinalgOp op,
                 const RowReduction &reduction, int64_t warpsPerBlock) {
  Location loc = op.getLoc();
  auto index = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  SmallVector<Value> sizes;
  for (Range range : op.createLoopRanges(b, loc))
    sizes.push_back(getValueOrCreateConstantIndexOp(b, loc, range.size));
  SmallVector<unsigned> parallelDims;
  for (unsigned d = 0; d < sizes.size(); ++d)
    if (d != reduction.dim)
      parallelDims.push_back(d);
  Value rows = index(1);
  for (unsigned d : parallelDims)
    rows = arith::MulIOp::create(b, loc, rows, sizes[d]);
  Value one = index(1);
  Value grid = arith::CeilDivSIOp::create(b, loc, rows, index(warpsPerBlock));
  auto launch = ::mlir::gpu::LaunchOp::create(
      b, loc, grid, one, one, index(warpsPerBlock * kWarp), one, one);
  // Named so that profiles tell the kernels apart.
  launch.setFunctionAttr(FlatSymbolRefAttr::get(b.getContext(), "row_reduce"));
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(&launch.getBody().front());
  Value tid = launch.getThreadIds().x;
  Value lane = arith::RemSIOp::create(b, loc, tid, index(kWarp));
  Value warp = arith::DivSIOp::create(b, loc, tid, index(kWarp));
  Value row = arith::AddIOp::create(
      b, loc,
      arith::MulIOp::create(b, loc, launch.getBlockIds().x,
                            index(warpsPerBlock)),
      warp);
  // A whole warp takes the branch or not, so its shuffles see all lanes.
  Value valid =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, row, rows);
  auto ifValid = scf::IfOp::create(b, loc, valid);
  b.setInsertionPointToStart(ifValid.thenBlock());

  SmallVector<Value> ivs(sizes.size());
  Value rest = row;
  for (unsigned d : llvm::reverse(parallelDims)) {
    ivs[d] = arith::RemSIOp::create(b, loc, rest, sizes[d]);
    rest = arith::DivSIOp::create(b, loc, rest, sizes[d]);
  }
  Block &body = op->getRegion(0).front();
  // Per-row inputs (softmax's maximum) once per lane.
  IRMapping rowValues;
  for (OpOperand *input : op.getDpsInputOperands()) {
    if (op.getMatchingIndexingMap(input).isFunctionOfDim(reduction.dim))
      continue;
    rowValues.map(
        body.getArgument(input->getOperandNumber()),
        memref::LoadOp::create(b, loc, input->get(),
                               ddl::codegen::indicesOf(op, input, ivs)));
  }
  Value start = arith::ConstantOp::create(
      b, loc, b.getF32FloatAttr(ddl::codegen::neutralElement(reduction.kind)));
  // The value the body combines for element `at` of the row.
  auto elementValue = [&](OpBuilder &lb, Value at) {
    IRMapping mapping = rowValues;
    SmallVector<Value> elementIvs(ivs);
    elementIvs[reduction.dim] = at;
    for (OpOperand *input : op.getDpsInputOperands())
      if (!mapping.contains(body.getArgument(input->getOperandNumber())))
        mapping.map(body.getArgument(input->getOperandNumber()),
                    memref::LoadOp::create(
                        lb, loc, input->get(),
                        ddl::codegen::indicesOf(op, input, elementIvs)));
    for (Operation &bodyOp : body.without_terminator()) {
      if (&bodyOp == reduction.combiner)
        break;
      lb.clone(bodyOp, mapping);
    }
    return mapping.lookupOrDefault(ddl::codegen::combinedValue(reduction, op));
  };
  // Steps of kUnroll * 32 elements, lane l taking l, l + 32, ... into
  // kUnroll independent partial values: that many loads of each lane in
  // flight, not one load-combine chain. Then the rest of the row, 32 at a
  // time, into one of them.
  constexpr int64_t kUnroll = 8;
  Value size = sizes[reduction.dim];
  Value steps = arith::DivSIOp::create(b, loc, size, index(kUnroll * kWarp));
  SmallVector<Value> starts(kUnroll, start);
  auto unrolled = scf::ForOp::create(
      b, loc, index(0), steps, index(1), starts,
      [&](OpBuilder &lb, Location, Value step, ValueRange acc) {
        Value first = arith::AddIOp::create(
            lb, loc,
            arith::MulIOp::create(lb, loc, step, index(kUnroll * kWarp)), lane);
        SmallVector<Value> next;
        for (int64_t u = 0; u < kUnroll; ++u) {
          Value at = arith::AddIOp::create(lb, loc, first, index(u * kWarp));
          next.push_back(ddl::codegen::combine(lb, reduction, op,
                                               elementValue(lb, at), acc[u]));
        }
        scf::YieldOp::create(lb, loc, next);
      });
  Value combined = unrolled.getResult(0);
  for (int64_t u = 1; u < kUnroll; ++u)
    combined = ddl::codegen::combine(b, reduction, op, unrolled.getResult(u),
                                     combined);
  Value restStart = arith::AddIOp::create(
      b, loc, arith::MulIOp::create(b, loc, steps, index(kUnroll * kWarp)),
      lane);
  auto loop = scf::ForOp::create(
      b, loc, restStart, size, index(kWarp), ValueRange{combined},
      [&](OpBuilder &lb, Location, Value at, ValueRange acc) {
        scf::YieldOp::create(lb, loc,
                             ddl::codegen::combine(lb, reduction, op,
                                                   elementValue(lb, at),
                                                   acc[0]));
      });
  Value partial = combineOverWarp(b, loc, op, reduction, loop.getResult(0));
  inFirstLane(b, loc, lane, [&] {
    OpOperand *init = op.getDpsInitOperand(0);
    combineInto(b, loc, op, reduction, partial, init->get(),
                ddl::codegen::indicesOf(op, init, ivs));
  });
  b.setInsertionPointAfter(ifValid);
  ::mlir::gpu::TerminatorOp::create(b, loc);
}

/// `partial` combined over the 32 lanes of the warp (a butterfly of xor
/// shuffles: every lane gets the result).
Value combineOverWarp(OpBuilder &b, Location loc, linalg::LinalgOp op,
                      const RowReduction &reduction, Value partial) {
  Value width = arith::ConstantIntOp::create(b, loc, kWarp, 32);
  for (int64_t offset = kWarp / 2; offset >= 1; offset /= 2) {
    Value shift = arith::ConstantIntOp::create(b, loc, offset, 32);
    Value other = ::mlir::gpu::ShuffleOp::create(b, loc, partial, shift, width,
                                                 ::mlir::gpu::ShuffleMode::XOR)
                      .getShuffleResult();
    partial = ddl::codegen::combine(b, reduction, op, other, partial);
  }
  return partial;
}

/// A reduction of whole tensors into one value (matchWholeReduction) in two
/// launches, deterministic (no atomics): `blocks` blocks of 256 threads
/// stride over the flattened inputs, each warp writing its combined value
/// into a workspace from the pool; then one warp combines those into the
/// output element. (One thread reduced the whole tensor before: tens of
/// milliseconds for fp8's per-tensor scale of a 4096 x 4096 activation.)
void buildWholeKernel(OpBuilder &b, linalg::LinalgOp op,
                      const RowReduction &reduction) {
  constexpr int64_t kThreads = 256, kMaxBlocks = 1024, kPerThread = 8;
  Location loc = op.getLoc();
  auto index = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  // The inputs as 1-D buffers (identity layouts: contiguous).
  SmallVector<Value> flat;
  Value total = index(1);
  for (OpOperand *input : op.getDpsInputOperands()) {
    auto type = cast<MemRefType>(input->get().getType());
    Value v = input->get();
    if (type.getRank() != 1) {
      SmallVector<ReassociationIndices> all(1);
      for (int64_t d = 0; d < type.getRank(); ++d)
        all[0].push_back(d);
      v = memref::CollapseShapeOp::create(b, loc, v, all);
    }
    flat.push_back(v);
  }
  for (Range range : op.createLoopRanges(b, loc))
    total = arith::MulIOp::create(
        b, loc, total, getValueOrCreateConstantIndexOp(b, loc, range.size));
  Value one = index(1);
  Value blocks = arith::MaxSIOp::create(
      b, loc, one,
      arith::MinSIOp::create(b, loc, index(kMaxBlocks),
                             arith::CeilDivSIOp::create(
                                 b, loc, total, index(kThreads * kPerThread))));
  constexpr int64_t kWarps = kThreads / kWarp;
  Value partials = arith::MulIOp::create(b, loc, blocks, index(kWarps));
  Value workspace = memref::AllocOp::create(
      b, loc, MemRefType::get({ShapedType::kDynamic}, b.getF32Type()),
      ValueRange{partials});
  Block &body = op->getRegion(0).front();
  Value start = arith::ConstantOp::create(
      b, loc, b.getF32FloatAttr(ddl::codegen::neutralElement(reduction.kind)));
  // The value the body combines for flat element `at`.
  auto elementValue = [&](OpBuilder &lb, Value at) {
    IRMapping mapping;
    for (auto [input, v] : llvm::zip(op.getDpsInputOperands(), flat))
      mapping.map(body.getArgument(input->getOperandNumber()),
                  memref::LoadOp::create(lb, loc, v, ValueRange{at}));
    for (Operation &bodyOp : body.without_terminator()) {
      if (&bodyOp == reduction.combiner)
        break;
      lb.clone(bodyOp, mapping);
    }
    return mapping.lookupOrDefault(ddl::codegen::combinedValue(reduction, op));
  };
  {
    OpBuilder::InsertionGuard guard(b);
    auto launch = namedLaunch(b, loc, blocks, index(kThreads), "whole_reduce");
    Value tid = launch.getThreadIds().x;
    Value first = arith::AddIOp::create(
        b, loc,
        arith::MulIOp::create(b, loc, launch.getBlockIds().x, index(kThreads)),
        tid);
    Value stride = arith::MulIOp::create(b, loc, blocks, index(kThreads));
    Value partial = stridedCombine(b, loc, op, reduction, first, total, stride,
                                   start, elementValue);
    Value lane = arith::RemSIOp::create(b, loc, tid, index(kWarp));
    inFirstLane(b, loc, lane, [&] {
      Value slot = arith::AddIOp::create(
          b, loc,
          arith::MulIOp::create(b, loc, launch.getBlockIds().x, index(kWarps)),
          arith::DivSIOp::create(b, loc, tid, index(kWarp)));
      memref::StoreOp::create(b, loc, partial, workspace, ValueRange{slot});
    });
    ::mlir::gpu::TerminatorOp::create(b, loc);
  }
  {
    OpBuilder::InsertionGuard guard(b);
    auto launch =
        namedLaunch(b, loc, one, index(kWarp), "whole_reduce_partials");
    Value lane = launch.getThreadIds().x;
    Value partial = stridedCombine(
        b, loc, op, reduction, lane, partials, index(kWarp), start,
        [&](OpBuilder &lb, Value at) -> Value {
          return memref::LoadOp::create(lb, loc, workspace, ValueRange{at});
        });
    inFirstLane(b, loc, lane, [&] {
      combineInto(b, loc, op, reduction, partial,
                  op.getDpsInitOperand(0)->get(), ValueRange{});
    });
    ::mlir::gpu::TerminatorOp::create(b, loc);
  }
  memref::DeallocOp::create(b, loc, workspace);
}

struct DDLGPURowReductionKernelsPass final
    : ddl::gpugen::impl::DDLGPURowReductionKernelsPassBase<
          DDLGPURowReductionKernelsPass> {
  using Base::Base;

  void runOnOperation() override {
    if (warpsPerBlock < 1 || warpsPerBlock > 32) {
      getOperation().emitError()
          << "ddl-gpu-row-reduction-kernels: warps-per-block must be in "
             "[1, 32], not "
          << warpsPerBlock.getValue();
      return signalPassFailure();
    }
    SmallVector<std::pair<linalg::LinalgOp, RowReduction>> rows, wholes;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (op->getParentOfType<scf::ParallelOp>() ||
          op->getParentOfType<::mlir::gpu::LaunchOp>())
        return;
      // A 1-D tensor reduced to one value is a whole reduction too: many
      // blocks, not one warp.
      if (std::optional<RowReduction> whole =
              ddl::codegen::matchWholeReduction(op))
        wholes.emplace_back(op, *whole);
      else if (std::optional<RowReduction> reduction =
                   ddl::codegen::matchRowReduction(op,
                                                   /*contiguousRows=*/false))
        rows.emplace_back(op, *reduction);
    });
    for (auto &[op, reduction] : rows) {
      OpBuilder b(op);
      buildKernel(b, op, reduction, warpsPerBlock);
      op->erase();
    }
    for (auto &[op, reduction] : wholes) {
      OpBuilder b(op);
      buildWholeKernel(b, op, reduction);
      op->erase();
    }
  }
};

} // namespace
