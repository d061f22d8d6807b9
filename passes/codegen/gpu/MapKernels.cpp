//===- MapKernels.cpp - every linalg op on buffers as a GPU-mapped loop ---===//
//
// See DDLGPUMapKernelsPass in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "passes/codegen/gpu/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/Transforms/ParallelLoopMapper.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/IRMapping.h"

namespace ddl::gpugen {
#define GEN_PASS_DEF_DDLGPUMAPKERNELSPASS
#include "passes/codegen/gpu/Passes.h.inc"
} // namespace ddl::gpugen

using namespace mlir;

namespace {

/// The generic form of `op` with its parallel loops outermost, so that
/// linalgOpToParallelLoops makes one scf.parallel of all of them around
/// the reduction loops.
FailureOr<linalg::GenericOp> parallelLoopsFirst(RewriterBase &rewriter,
                                                linalg::LinalgOp op) {
  rewriter.setInsertionPoint(op);
  linalg::GenericOp generic = dyn_cast<linalg::GenericOp>(op.getOperation());
  if (!generic) {
    FailureOr<linalg::GenericOp> generalized =
        linalg::generalizeNamedOp(rewriter, op);
    if (failed(generalized))
      return failure();
    generic = *generalized;
  }
  SmallVector<utils::IteratorType> iterators = generic.getIteratorTypesArray();
  SmallVector<unsigned> order;
  for (unsigned i = 0; i < iterators.size(); ++i)
    if (iterators[i] == utils::IteratorType::parallel)
      order.push_back(i);
  for (unsigned i = 0; i < iterators.size(); ++i)
    if (iterators[i] != utils::IteratorType::parallel)
      order.push_back(i);
  if (llvm::equal(order, llvm::seq<unsigned>(0, order.size())))
    return generic;
  return linalg::interchangeGenericOp(rewriter, generic, order);
}

/// `scf.parallel (%i) = (0) to (1)` around `op`: a kernel of one thread
/// for an op without parallel loops (a full reduction).
void wrapInOneIteration(RewriterBase &rewriter, Operation *op) {
  Location loc = op->getLoc();
  rewriter.setInsertionPoint(op);
  Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
  Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
  auto loop = scf::ParallelOp::create(rewriter, loc, ValueRange{zero},
                                      ValueRange{one}, ValueRange{one});
  rewriter.moveOpBefore(op, loop.getBody()->getTerminator());
}

/// Replaces the N-dimensional `loop` (no reductions) by blocks of
/// `blockSize` threads over its points in row-major order (the last
/// dimension fastest, so neighbouring threads touch neighbouring
/// elements), mapped to block_x / thread_x, with the tail guarded. Each
/// thread takes `perThread` points, blockSize apart (block b covers points
/// [b * blockSize * perThread, (b + 1) * blockSize * perThread)): every
/// access of a warp stays coalesced, and a thread has that many
/// independent loads in flight.
void mapToBlocksAndThreads(RewriterBase &rewriter, scf::ParallelOp loop,
                           int64_t blockSize, int64_t perThread) {
  Location loc = loop.getLoc();
  MLIRContext *context = rewriter.getContext();
  rewriter.setInsertionPoint(loop);
  auto index = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(rewriter, loc, v);
  };
  // Trip counts per dimension and in all.
  SmallVector<Value> counts;
  Value total = index(1);
  for (auto [lb, ub, step] :
       llvm::zip(loop.getLowerBound(), loop.getUpperBound(), loop.getStep())) {
    Value span = arith::SubIOp::create(rewriter, loc, ub, lb);
    Value count = arith::CeilDivSIOp::create(rewriter, loc, span, step);
    count = arith::MaxSIOp::create(rewriter, loc, count, index(0));
    counts.push_back(count);
    total = arith::MulIOp::create(rewriter, loc, total, count);
  }
  Value block = index(blockSize);
  Value numBlocks = arith::CeilDivSIOp::create(rewriter, loc, total,
                                               index(blockSize * perThread));
  Value zero = index(0), one = index(1);
  auto blocks = scf::ParallelOp::create(rewriter, loc, ValueRange{zero},
                                        ValueRange{numBlocks}, ValueRange{one});
  rewriter.setInsertionPoint(blocks.getBody()->getTerminator());
  auto threads = scf::ParallelOp::create(rewriter, loc, ValueRange{zero},
                                         ValueRange{block}, ValueRange{one});
  auto mapping = [&](::mlir::gpu::Processor processor) {
    AffineMap id = AffineMap::getMultiDimIdentityMap(1, context);
    return ::mlir::gpu::ParallelLoopDimMappingAttr::get(context, processor, id,
                                                        id);
  };
  blocks->setAttr(
      ::mlir::gpu::getMappingAttrName(),
      ArrayAttr::get(context, {mapping(::mlir::gpu::Processor::BlockX)}));
  threads->setAttr(
      ::mlir::gpu::getMappingAttrName(),
      ArrayAttr::get(context, {mapping(::mlir::gpu::Processor::ThreadX)}));

  rewriter.setInsertionPoint(threads.getBody()->getTerminator());
  Value first = arith::AddIOp::create(
      rewriter, loc,
      arith::MulIOp::create(rewriter, loc, blocks.getInductionVars()[0],
                            index(blockSize * perThread)),
      threads.getInductionVars()[0]);
  for (int64_t p = 0; p < perThread; ++p) {
    Value linear =
        arith::AddIOp::create(rewriter, loc, first, index(p * blockSize));
    Value inRange = arith::CmpIOp::create(
        rewriter, loc, arith::CmpIPredicate::slt, linear, total);
    auto guard = scf::IfOp::create(rewriter, loc, inRange, /*withElse=*/false);
    OpBuilder::InsertionGuard insideGuard(rewriter);
    rewriter.setInsertionPoint(guard.thenBlock()->getTerminator());
    // Delinearize, last dimension fastest.
    IRMapping map;
    Value rest = linear;
    for (int64_t d = loop.getNumLoops() - 1; d >= 0; --d) {
      Value position = rest;
      if (d > 0) {
        position = arith::RemSIOp::create(rewriter, loc, rest, counts[d]);
        rest = arith::DivSIOp::create(rewriter, loc, rest, counts[d]);
      }
      Value iv = arith::AddIOp::create(
          rewriter, loc, loop.getLowerBound()[d],
          arith::MulIOp::create(rewriter, loc, position, loop.getStep()[d]));
      map.map(loop.getInductionVars()[d], iv);
    }
    for (Operation &op : loop.getBody()->without_terminator())
      rewriter.clone(op, map);
  }
  rewriter.eraseOp(loop);
}

struct DDLGPUMapKernelsPass final
    : ddl::gpugen::impl::DDLGPUMapKernelsPassBase<DDLGPUMapKernelsPass> {
  using Base::Base;

  void runOnOperation() override {
    if (pointsPerThread < 1 || pointsPerThread > 16) {
      getOperation().emitError()
          << "ddl-gpu-map-kernels: points-per-thread must be in [1, 16], not "
          << static_cast<int64_t>(pointsPerThread);
      return signalPassFailure();
    }
    if (blockSize < 1 || blockSize > 1024) {
      getOperation().emitError()
          << "ddl-gpu-map-kernels: block-size must be in [1, 1024], not "
          << blockSize;
      return signalPassFailure();
    }
    IRRewriter rewriter(&getContext());
    for (auto fn : getOperation().getOps<func::FuncOp>()) {
      if (failed(mapFunction(rewriter, fn)))
        return signalPassFailure();
    }
  }

  LogicalResult mapFunction(IRRewriter &rewriter, func::FuncOp fn) {
    // Copies are kernels like any other.
    SmallVector<memref::CopyOp> copies;
    fn.walk([&](memref::CopyOp copy) { copies.push_back(copy); });
    for (memref::CopyOp copy : copies) {
      rewriter.setInsertionPoint(copy);
      linalg::CopyOp::create(rewriter, copy.getLoc(), copy.getSource(),
                             copy.getTarget());
      rewriter.eraseOp(copy);
    }

    SmallVector<linalg::LinalgOp> ops;
    fn.walk([&](linalg::LinalgOp op) {
      if (!op->getParentOfType<scf::ParallelOp>())
        ops.push_back(op);
    });
    for (linalg::LinalgOp op : ops) {
      if (!op.hasPureBufferSemantics())
        return op->emitError("ddl-gpu-map-kernels: a linalg op on tensors "
                             "after bufferization");
      FailureOr<linalg::GenericOp> generic = parallelLoopsFirst(rewriter, op);
      if (failed(generic))
        return op->emitError("ddl-gpu-map-kernels: cannot generalize this op");
      if (generic->getNumParallelLoops() == 0)
        wrapInOneIteration(rewriter, *generic);
      rewriter.setInsertionPoint(*generic);
      if (failed(linalg::linalgOpToParallelLoops(rewriter, *generic)))
        return generic->emitError(
            "ddl-gpu-map-kernels: cannot lower this op to loops");
      rewriter.eraseOp(*generic);
    }

    // Every outermost parallel loop is a kernel; loops nested in it run in
    // each thread.
    SmallVector<scf::ParallelOp> outermost;
    fn.walk([&](scf::ParallelOp loop) {
      if (!loop->getParentOfType<scf::ParallelOp>())
        outermost.push_back(loop);
    });
    for (scf::ParallelOp loop : outermost) {
      if (loop.getNumReductions() != 0)
        return loop.emitError(
            "ddl-gpu-map-kernels: a parallel loop with reductions");
      loop.walk([&](scf::ParallelOp nested) {
        if (nested == loop)
          return;
        AffineMap id = AffineMap::getMultiDimIdentityMap(1, &getContext());
        SmallVector<Attribute> sequential(
            nested.getNumLoops(),
            ::mlir::gpu::ParallelLoopDimMappingAttr::get(
                &getContext(), ::mlir::gpu::Processor::Sequential, id, id));
        nested->setAttr(::mlir::gpu::getMappingAttrName(),
                        ArrayAttr::get(&getContext(), sequential));
      });
      // Several points a thread where a point is a few operations; one
      // where it runs loops of its own (a reduction, a convolution window),
      // which need the threads more than the loads in flight.
      bool hasLoops = false;
      loop.getBody()->walk([&](LoopLikeOpInterface) { hasLoops = true; });
      mapToBlocksAndThreads(rewriter, loop, blockSize,
                            hasLoops ? 1 : pointsPerThread);
    }
    return success();
  }
};

} // namespace
