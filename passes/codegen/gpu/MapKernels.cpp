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
#include "mlir/Dialect/Vector/IR/VectorOps.h"
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

/// The elements a thread moves per access of a pure elementwise op over
/// contiguous buffers (16 bytes of its widest element type), or nullopt
/// when `generic` is not one: all loops parallel, no index ops, every
/// operand a memref of the identity layout read or written with the
/// identity map, a body of elementwise ops (each with one result) on its
/// arguments and constants, element types of 8 bits or more.
std::optional<int64_t> elementwiseVectorWidth(linalg::GenericOp generic) {
  if (generic.getNumLoops() == 0 ||
      generic.getNumParallelLoops() != generic.getNumLoops() ||
      generic.hasIndexSemantics() || !generic.hasPureBufferSemantics())
    return std::nullopt;
  int64_t widest = 0;
  for (OpOperand &operand : generic->getOpOperands()) {
    auto type = dyn_cast<MemRefType>(operand.get().getType());
    if (!type || !type.getLayout().isIdentity() ||
        !generic.getMatchingIndexingMap(&operand).isIdentity() ||
        !type.getElementType().isIntOrFloat() ||
        type.getElementTypeBitWidth() < 8 || type.getElementTypeBitWidth() % 8)
      return std::nullopt;
    widest = std::max<int64_t>(widest, type.getElementTypeBitWidth() / 8);
  }
  Block &body = generic.getRegion().front();
  for (Operation &op : body.without_terminator()) {
    if (isa<arith::ConstantOp>(op))
      continue;
    if (!OpTrait::hasElementwiseMappableTraits(&op) ||
        op.getNumResults() != 1 || op.getNumRegions() != 0)
      return std::nullopt;
    for (Value operand : op.getOperands())
      if (operand.getParentBlock() != &body &&
          !operand.getDefiningOp<arith::ConstantOp>())
        return std::nullopt;
  }
  for (Value v : body.getTerminator()->getOperands())
    if (v.getParentBlock() != &body && !v.getDefiningOp<arith::ConstantOp>())
      return std::nullopt;
  int64_t width = 16 / widest;
  if (width < 2)
    return std::nullopt;
  return width;
}

/// Replaces `generic` (elementwiseVectorWidth: `width`) by a 1-D parallel
/// loop over its elements `width` at a time (mapped like any other kernel):
/// a point loads `width` elements of each input as one vector (16 bytes
/// of the widest type), applies the body to vectors and stores vectors,
/// when the buffers all start aligned to their vector size (checked once,
/// on the host) and the vector lies inside; otherwise (the tail, or
/// unaligned buffers) it runs the same elements one at a time.
void vectorizeElementwise(RewriterBase &rewriter, linalg::GenericOp generic,
                          int64_t width, int64_t blockSize, int64_t perThread) {
  Location loc = generic.getLoc();
  rewriter.setInsertionPoint(generic);
  auto index = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(rewriter, loc, v);
  };
  // Flat views, their element count, and whether all are aligned.
  SmallVector<Value> flat;
  Value total, aligned;
  for (OpOperand &operand : generic->getOpOperands()) {
    Value memref = operand.get();
    auto type = cast<MemRefType>(memref.getType());
    if (!total) {
      total = index(1);
      for (int64_t d = 0; d < type.getRank(); ++d)
        total = arith::MulIOp::create(
            rewriter, loc, total,
            memref::DimOp::create(rewriter, loc, memref, d));
    }
    SmallVector<ReassociationIndices> all(1);
    for (int64_t d = 0; d < type.getRank(); ++d)
      all[0].push_back(d);
    flat.push_back(type.getRank() == 1 ? memref
                                       : memref::CollapseShapeOp::create(
                                             rewriter, loc, memref, all)
                                             .getResult());
    int64_t bytes = width * type.getElementTypeBitWidth() / 8;
    Value pointer =
        memref::ExtractAlignedPointerAsIndexOp::create(rewriter, loc, memref);
    Value ok = arith::CmpIOp::create(
        rewriter, loc, arith::CmpIPredicate::eq,
        arith::RemUIOp::create(rewriter, loc, pointer, index(bytes)), index(0));
    aligned =
        aligned ? arith::AndIOp::create(rewriter, loc, aligned, ok).getResult()
                : ok;
  }
  Value vectors = arith::SelectOp::create(
      rewriter, loc, aligned,
      arith::DivSIOp::create(rewriter, loc, total, index(width)), index(0));
  Value points = arith::CeilDivSIOp::create(rewriter, loc, total, index(width));
  auto loop = scf::ParallelOp::create(rewriter, loc, ValueRange{index(0)},
                                      ValueRange{points}, ValueRange{index(1)});
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(loop.getBody()->getTerminator());
  Value point = loop.getInductionVars()[0];
  Value first = arith::MulIOp::create(rewriter, loc, point, index(width));
  Block &body = generic.getRegion().front();
  unsigned numInputs = generic.getNumDpsInputs();

  // The body applied to `args` (one value per block argument; null for an
  // output argument the body does not read), vectors of `lanes` elements
  // or scalars (lanes 0); returns the yielded values.
  auto apply = [&](ArrayRef<Value> args, int64_t lanes) {
    IRMapping map;
    for (auto [arg, v] : llvm::zip(body.getArguments(), args))
      if (v)
        map.map(arg, v);
    auto widen = [&](Type t) -> Type {
      return lanes ? VectorType::get({lanes}, t) : t;
    };
    // A value of the body: its vector (or scalar), or a constant (inside
    // the body or outside it) made here.
    auto valueOf = [&](Value v) -> Value {
      if (Value mapped = map.lookupOrNull(v))
        return mapped;
      Value c = rewriter.clone(*v.getDefiningOp())->getResult(0);
      if (lanes)
        c = vector::BroadcastOp::create(rewriter, loc, widen(v.getType()), c);
      return c;
    };
    for (Operation &op : body.without_terminator()) {
      if (isa<arith::ConstantOp>(op))
        continue;
      SmallVector<Value> operands;
      for (Value operand : op.getOperands())
        operands.push_back(valueOf(operand));
      OperationState state(op.getLoc(), op.getName());
      state.addOperands(operands);
      state.addTypes(widen(op.getResult(0).getType()));
      state.addAttributes(op.getAttrs());
      map.map(op.getResult(0), rewriter.create(state)->getResult(0));
    }
    SmallVector<Value> results;
    for (Value v : body.getTerminator()->getOperands())
      results.push_back(valueOf(v));
    return results;
  };

  auto fast = scf::IfOp::create(rewriter, loc,
                                arith::CmpIOp::create(rewriter, loc,
                                                      arith::CmpIPredicate::slt,
                                                      point, vectors),
                                /*withElseRegion=*/true);
  {
    rewriter.setInsertionPoint(fast.thenBlock()->getTerminator());
    SmallVector<Value> args;
    for (auto [i, view] : llvm::enumerate(flat)) {
      BlockArgument arg = body.getArgument(i);
      if (i >= numInputs && arg.use_empty()) {
        args.push_back(Value());
        continue;
      }
      auto type = cast<MemRefType>(view.getType());
      int64_t bytes = width * type.getElementTypeBitWidth() / 8;
      args.push_back(vector::LoadOp::create(
          rewriter, loc, VectorType::get({width}, type.getElementType()), view,
          ValueRange{first}, /*nontemporal=*/false, llvm::MaybeAlign(bytes)));
    }
    for (auto [r, v] : llvm::enumerate(apply(args, width))) {
      Value view = flat[numInputs + r];
      int64_t bytes =
          width * cast<MemRefType>(view.getType()).getElementTypeBitWidth() / 8;
      vector::StoreOp::create(rewriter, loc, v, view, ValueRange{first},
                              /*nontemporal=*/false, llvm::MaybeAlign(bytes));
    }
  }
  {
    rewriter.setInsertionPoint(fast.elseBlock()->getTerminator());
    Value end = arith::MinSIOp::create(
        rewriter, loc,
        arith::AddIOp::create(rewriter, loc, first, index(width)), total);
    auto each = scf::ForOp::create(rewriter, loc, first, end, index(1));
    rewriter.setInsertionPoint(each.getBody()->getTerminator());
    Value at = each.getInductionVar();
    SmallVector<Value> args;
    for (auto [i, view] : llvm::enumerate(flat)) {
      BlockArgument arg = body.getArgument(i);
      args.push_back(
          i >= numInputs && arg.use_empty()
              ? Value()
              : memref::LoadOp::create(rewriter, loc, view, ValueRange{at})
                    .getResult());
    }
    for (auto [r, v] : llvm::enumerate(apply(args, 0)))
      memref::StoreOp::create(rewriter, loc, v, flat[numInputs + r],
                              ValueRange{at});
  }
  rewriter.eraseOp(generic);
  mapToBlocksAndThreads(rewriter, loop, blockSize, perThread);
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
          << blockSize.getValue();
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
      if (auto generic = dyn_cast<linalg::GenericOp>(op.getOperation())) {
        if (std::optional<int64_t> width = elementwiseVectorWidth(generic)) {
          vectorizeElementwise(rewriter, generic, *width, blockSize,
                               pointsPerThread);
          continue;
        }
      }
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
    // each thread. (The vectorized ones are mapped already.)
    SmallVector<scf::ParallelOp> outermost;
    fn.walk([&](scf::ParallelOp loop) {
      if (!loop->getParentOfType<scf::ParallelOp>() &&
          !loop->hasAttr(::mlir::gpu::getMappingAttrName()))
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
