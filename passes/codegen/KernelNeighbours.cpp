//===- KernelNeighbours.cpp - ops folded into the vector kernels ----------===//

#include "passes/codegen/KernelNeighbours.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

using namespace mlir;

bool ddl::codegen::onlyAllocates(Operation *op) {
  auto effects = dyn_cast<MemoryEffectOpInterface>(op);
  if (!effects)
    return false;
  SmallVector<MemoryEffects::EffectInstance> instances;
  effects.getEffects(instances);
  return llvm::all_of(instances, [](const MemoryEffects::EffectInstance &e) {
    return isa<MemoryEffects::Allocate>(e.getEffect());
  });
}

Value ddl::codegen::baseBuffer(Value view) {
  while (auto viewLike = view.getDefiningOp<ViewLikeOpInterface>())
    view = viewLike.getViewSource();
  return view;
}

/// Whether every write or free of `op` and the ops inside it goes to a
/// buffer whose base is an allocation other than `base`.
static bool writesOnlyOtherAllocations(Operation *op, Value base) {
  WalkResult walk = op->walk([&](Operation *inner) {
    auto effects = dyn_cast<MemoryEffectOpInterface>(inner);
    if (!effects)
      return inner->hasTrait<OpTrait::HasRecursiveMemoryEffects>()
                 ? WalkResult::advance()
                 : WalkResult::interrupt();
    SmallVector<MemoryEffects::EffectInstance> instances;
    effects.getEffects(instances);
    for (const MemoryEffects::EffectInstance &e : instances) {
      if (isa<MemoryEffects::Read, MemoryEffects::Allocate>(e.getEffect()))
        continue;
      Value target =
          e.getValue() ? ddl::codegen::baseBuffer(e.getValue()) : Value();
      if (!target || target == base || !target.getDefiningOp<memref::AllocOp>())
        return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return !walk.wasInterrupted();
}

bool ddl::codegen::cannotTouch(Operation *first, Operation *last,
                               Value buffer) {
  Value base = baseBuffer(buffer);
  for (Operation *op = first->getNextNode(); op && op != last;
       op = op->getNextNode())
    if (!isMemoryEffectFree(op) && !writesOnlyOtherAllocations(op, base))
      return false;
  return true;
}

/// The linalg.fill that is the only write to `buffer` (a memref.alloc of
/// this block) before `before`: everything else only copies from it, asks
/// its sizes, or comes later. Null otherwise.
static linalg::FillOp soleFillBefore(Value buffer, Operation *before) {
  if (!buffer.getDefiningOp<memref::AllocOp>())
    return {};
  linalg::FillOp found;
  for (Operation *user : buffer.getUsers()) {
    auto fill = dyn_cast<linalg::FillOp>(user);
    if (fill && fill.hasPureBufferSemantics() &&
        fill.getOutputs()[0] == buffer &&
        fill->getBlock() == before->getBlock() &&
        fill->isBeforeInBlock(before)) {
      if (found)
        return {};
      found = fill;
      continue;
    }
    auto copy = dyn_cast<memref::CopyOp>(user);
    if ((copy && copy.getSource() == buffer) || isa<memref::DimOp>(user))
      continue;
    Operation *inBlock = before->getBlock()->findAncestorOpInBlock(*user);
    if (!inBlock || inBlock == before || inBlock->isBeforeInBlock(before))
      return {};
  }
  return found;
}

/// The fill of the allocation `c` earlier in `op`'s block when nothing
/// between it and `op` can write `c`: every other user of `c` (or of its
/// views) lies after `op`, asks its sizes, or is a copy out of it (which
/// reads the fill value; the fill then stays for it).
static ddl::codegen::AccumulatorInit fillAcross(Operation *op, Value c) {
  if (!c.getDefiningOp<memref::AllocOp>())
    return {};
  Block *block = op->getBlock();
  linalg::FillOp fill;
  for (Operation *user : c.getUsers()) {
    auto candidate = dyn_cast<linalg::FillOp>(user);
    if (!candidate || candidate.getOutputs()[0] != c ||
        candidate->getBlock() != block || !candidate->isBeforeInBlock(op))
      continue;
    if (fill)
      return {};
    fill = candidate;
  }
  if (!fill || !fill.hasPureBufferSemantics())
    return {};
  bool readBetween = false;
  SmallVector<Value> worklist = {c};
  while (!worklist.empty()) {
    Value v = worklist.pop_back_val();
    for (Operation *user : v.getUsers()) {
      if (user == op || user == fill.getOperation() || isa<memref::DimOp>(user))
        continue;
      if (auto view = dyn_cast<ViewLikeOpInterface>(user);
          view && view.getViewSource() == v) {
        worklist.push_back(user->getResult(0));
        continue;
      }
      Operation *at = block->findAncestorOpInBlock(*user);
      if (!at)
        return {};
      if (op->isBeforeInBlock(at))
        continue;
      auto copy = dyn_cast<memref::CopyOp>(user);
      if (!copy || copy.getSource() != v || !fill->isBeforeInBlock(at))
        return {};
      readBetween = true;
    }
  }
  return {fill.getInputs()[0], readBetween ? nullptr : fill.getOperation()};
}

ddl::codegen::AccumulatorInit ddl::codegen::precedingFill(Operation *op,
                                                          Value c) {
  for (Operation *prev = op->getPrevNode(); prev; prev = prev->getPrevNode()) {
    if (auto fill = dyn_cast<linalg::FillOp>(prev)) {
      if (!fill.hasPureBufferSemantics() || fill.getOutputs()[0] != c)
        break;
      // A fill that other kernels' copies read stays.
      bool copiedOut = llvm::any_of(c.getUsers(), [&](Operation *user) {
        auto copy = dyn_cast<memref::CopyOp>(user);
        return copy && copy.getSource() == c;
      });
      return {fill.getInputs()[0], copiedOut ? nullptr : fill.getOperation()};
    }
    if (auto copy = dyn_cast<memref::CopyOp>(prev)) {
      if (copy.getTarget() != c)
        break;
      linalg::FillOp source = soleFillBefore(copy.getSource(), copy);
      return source ? AccumulatorInit{source.getInputs()[0], copy}
                    : AccumulatorInit{};
    }
    if (!isMemoryEffectFree(prev) && !onlyAllocates(prev))
      break;
  }
  return fillAcross(op, c);
}

/// Whether `op` is a fill of a buffer that none of `kernel`'s operands
/// views (the padded buffer an epilogue writes into): the kernel, emitted
/// at the epilogue, may then run after it.
static bool fillsOtherBuffer(Operation *op, Operation *kernel) {
  auto fill = dyn_cast<linalg::FillOp>(op);
  if (!fill || !fill.hasPureBufferSemantics())
    return false;
  Value filled = ddl::codegen::baseBuffer(fill.getOutputs()[0]);
  return filled.getDefiningOp<memref::AllocOp>() &&
         llvm::none_of(kernel->getOperands(), [&](Value operand) {
           return isa<MemRefType>(operand.getType()) &&
                  ddl::codegen::baseBuffer(operand) == filled;
         });
}

Operation *ddl::codegen::nextAfterKernel(Operation *kernel) {
  Operation *next = kernel->getNextNode();
  while (next && (isMemoryEffectFree(next) || onlyAllocates(next) ||
                  fillsOtherBuffer(next, kernel)))
    next = next->getNextNode();
  return next;
}

/// Whether `type` is a memref of `shape` whose rows are contiguous (the
/// interior of a padded buffer, which the next convolution reads; a slice
/// of a larger buffer).
static bool isRowMajorBuffer(Type type, ArrayRef<int64_t> shape) {
  auto memref = dyn_cast<MemRefType>(type);
  return memref && memref.isLastDimUnitStride() && memref.getShape() == shape;
}

ddl::codegen::Epilogue ddl::codegen::findEpilogue(Operation *kernel,
                                                  Value result) {
  auto resultType = cast<MemRefType>(result.getType());
  unsigned rank = resultType.getRank();
  auto generic = dyn_cast_or_null<linalg::GenericOp>(nextAfterKernel(kernel));
  if (!generic || !generic.hasPureBufferSemantics() ||
      generic.getNumDpsInits() != 1 ||
      generic.getNumParallelLoops() != generic.getNumLoops() ||
      generic.getNumLoops() != rank || generic.hasIndexSemantics())
    return {};
  AffineMap identity =
      AffineMap::getMultiDimIdentityMap(rank, kernel->getContext());
  AffineMap lastDim =
      AffineMap::get(rank, 0, getAffineDimExpr(rank - 1, kernel->getContext()));
  bool readsResult = false;
  for (OpOperand *input : generic.getDpsInputOperands()) {
    AffineMap map = generic.getMatchingIndexingMap(input);
    Value v = input->get();
    if (v == result && map == identity) {
      readsResult = true;
      continue;
    }
    auto type = dyn_cast<MemRefType>(v.getType());
    if (!type || !type.getElementType().isF32())
      return {};
    // (A view with contiguous rows too: one time step's slice of a
    // recurrent network's input projection.)
    bool sameShape =
        map == identity && isRowMajorBuffer(type, resultType.getShape());
    bool perChannel = map == lastDim && type.getRank() == 1 &&
                      type.getLayout().isIdentity() &&
                      type.getDimSize(0) == resultType.getShape().back();
    if (!sameShape && !perChannel)
      return {};
  }
  OpOperand *init = generic.getDpsInitOperand(0);
  if (!readsResult || generic.getMatchingIndexingMap(init) != identity ||
      !isRowMajorBuffer(init->get().getType(), resultType.getShape()) ||
      !cast<MemRefType>(init->get().getType()).getElementType().isF32())
    return {};
  // The init is only written (the body ignores its argument), unless it is
  // the result itself.
  Block &body = generic.getRegion().front();
  if (init->get() != result &&
      !body.getArgument(body.getNumArguments() - 1).use_empty())
    return {};
  for (Operation &op : body.without_terminator())
    if (!OpTrait::hasElementwiseMappableTraits(&op) || op.getNumResults() != 1)
      return {};
  return {generic};
}

void ddl::codegen::applyEpilogue(OpBuilder &b, Location loc,
                                 const Epilogue &epilogue, Value result,
                                 Value value, ValueRange indices, Value mask) {
  linalg::GenericOp generic = epilogue.op;
  auto type = cast<VectorType>(value.getType());
  Block &body = generic.getRegion().front();
  IRMapping mapping;
  for (auto [arg, operand] :
       llvm::zip(body.getArguments(), generic->getOpOperands())) {
    Value v = operand.get();
    if (generic.isDpsInit(&operand)) {
      if (v == result)
        mapping.map(arg, value);
      continue;
    }
    if (v == result && generic.getMatchingIndexingMap(&operand).isIdentity()) {
      mapping.map(arg, value);
      continue;
    }
    ValueRange at = cast<MemRefType>(v.getType()).getRank() == 1
                        ? indices.take_back()
                        : indices;
    Value loaded;
    if (mask) {
      Value zero = arith::ConstantOp::create(
          b, loc,
          b.getZeroAttr(
              VectorType::get(type.getShape(),
                              cast<MemRefType>(v.getType()).getElementType())));
      loaded = vector::MaskedLoadOp::create(b, loc, zero.getType(), v, at, mask,
                                            zero);
    } else {
      loaded = vector::LoadOp::create(b, loc, type, v, at);
    }
    mapping.map(arg, loaded);
  }
  for (Operation &op : body.without_terminator()) {
    // Scalars from above become splats.
    for (Value operand : op.getOperands())
      if (!mapping.contains(operand) && !isa<VectorType>(operand.getType()))
        mapping.map(operand,
                    vector::BroadcastOp::create(
                        b, loc,
                        VectorType::get(type.getShape(), operand.getType()),
                        operand));
    Operation *cloned = b.clone(op, mapping);
    for (Value r : cloned->getResults())
      r.setType(VectorType::get(type.getShape(), r.getType()));
  }
  Value yielded = mapping.lookup(body.getTerminator()->getOperand(0));
  if (mask)
    vector::MaskedStoreOp::create(b, loc, generic.getDpsInits()[0], indices,
                                  mask, yielded);
  else
    vector::StoreOp::create(b, loc, yielded, generic.getDpsInits()[0], indices);
}

/// Whether `user` of `buffer` only writes it: a fill of it, or a
/// linalg.generic whose only output it is and whose body never reads the
/// output's old elements (an im2col copy the kernels now read through).
static bool onlyWrites(Operation *user, Value buffer) {
  if (auto fill = dyn_cast<linalg::FillOp>(user))
    return fill.getOutputs()[0] == buffer;
  auto generic = dyn_cast<linalg::GenericOp>(user);
  return generic && generic.hasPureBufferSemantics() &&
         generic.getNumDpsInits() == 1 && generic.getDpsInits()[0] == buffer &&
         !llvm::is_contained(generic.getDpsInputs(), buffer) &&
         generic.getRegionOutputArgs()[0].use_empty();
}

void ddl::codegen::eraseWriteOnlyBuffers(Operation *root) {
  SmallVector<memref::AllocOp> allocs;
  root->walk([&](memref::AllocOp alloc) { allocs.push_back(alloc); });
  for (memref::AllocOp alloc : allocs) {
    Value buffer = alloc.getResult();
    if (buffer.use_empty() ||
        !llvm::all_of(buffer.getUsers(), [&](Operation *user) {
          return onlyWrites(user, buffer) ||
                 (isa<memref::CollapseShapeOp, memref::ExpandShapeOp>(user) &&
                  user->use_empty());
        }))
      continue;
    for (Operation *user : llvm::make_early_inc_range(buffer.getUsers()))
      user->erase();
    alloc->erase();
  }
}
