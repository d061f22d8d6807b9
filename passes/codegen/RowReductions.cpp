//===- RowReductions.cpp - matching reductions along one loop ------------===//

#include "passes/codegen/RowReductions.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/IRMapping.h"

#include <limits>

using namespace mlir;

namespace ddl::codegen {

/// The combining kind of `op` (`value` op `accumulator`), if it is one the
/// vector dialect can reduce.
static std::optional<vector::CombiningKind> combiningKind(Operation *op) {
  if (isa<arith::AddFOp>(op))
    return vector::CombiningKind::ADD;
  if (isa<arith::MaximumFOp>(op))
    return vector::CombiningKind::MAXIMUMF;
  if (isa<arith::MinimumFOp>(op))
    return vector::CombiningKind::MINIMUMF;
  if (isa<arith::MaxNumFOp>(op))
    return vector::CombiningKind::MAXNUMF;
  if (isa<arith::MinNumFOp>(op))
    return vector::CombiningKind::MINNUMF;
  return std::nullopt;
}

static std::optional<RowReduction> matchCombiner(linalg::LinalgOp op,
                                                 unsigned dim);

static bool isF32Buffer(Value v) {
  auto type = dyn_cast<MemRefType>(v.getType());
  return type && type.getElementType().isF32();
}

std::optional<RowReduction> matchRowReduction(linalg::LinalgOp op,
                                              bool contiguousRows) {
  if (!isa<linalg::GenericOp, linalg::ReduceOp>(op.getOperation()) ||
      !op.hasPureBufferSemantics() || op.getNumDpsInits() != 1 ||
      op.getNumReductionLoops() != 1 || op.hasIndexSemantics() ||
      !llvm::all_of(op->getOperands(), isF32Buffer))
    return std::nullopt;
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  unsigned dim =
      llvm::find(iterators, utils::IteratorType::reduction) - iterators.begin();
  // Inputs read along the row contiguously, or not at all (a per-row value
  // such as softmax's maximum).
  bool readsRow = false;
  for (OpOperand *input : op.getDpsInputOperands()) {
    AffineMap map = op.getMatchingIndexingMap(input);
    if (!map.isProjectedPermutation())
      return std::nullopt;
    if (!map.isFunctionOfDim(dim))
      continue;
    auto type = cast<MemRefType>(input->get().getType());
    if (contiguousRows &&
        (map.getResults().back() != getAffineDimExpr(dim, op.getContext()) ||
         !type.isLastDimUnitStride()))
      return std::nullopt;
    readsRow = true;
  }
  OpOperand *init = op.getDpsInitOperand(0);
  if ((contiguousRows && !readsRow) ||
      !op.getMatchingIndexingMap(init).isProjectedPermutation())
    return std::nullopt;
  return matchCombiner(op, dim);
}

std::optional<RowReduction> matchWholeReduction(linalg::LinalgOp op) {
  if (!isa<linalg::GenericOp, linalg::ReduceOp>(op.getOperation()) ||
      !op.hasPureBufferSemantics() || op.getNumDpsInits() != 1 ||
      op.getNumLoops() == 0 || op.getNumParallelLoops() != 0 ||
      op.hasIndexSemantics() || !llvm::all_of(op->getOperands(), isF32Buffer))
    return std::nullopt;
  // Every input read whole, row-major and contiguous: one flat index
  // addresses them all.
  for (OpOperand *input : op.getDpsInputOperands()) {
    auto type = cast<MemRefType>(input->get().getType());
    if (!op.getMatchingIndexingMap(input).isIdentity() ||
        !type.getLayout().isIdentity())
      return std::nullopt;
  }
  if (cast<MemRefType>(op.getDpsInitOperand(0)->get().getType()).getRank() != 0)
    return std::nullopt;
  return matchCombiner(op, 0);
}

static std::optional<RowReduction> matchCombiner(linalg::LinalgOp op,
                                                 unsigned dim) {
  // The body: elementwise ops on the inputs, then value <kind> out.
  Block &body = op->getRegion(0).front();
  Value out = body.getArguments().back();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  Operation *combiner = yield.getNumOperands() == 1
                            ? yield.getOperand(0).getDefiningOp()
                            : nullptr;
  if (!combiner || combiner->getBlock() != &body || !out.hasOneUse() ||
      out.getUses().begin()->getOwner() != combiner ||
      combiner->getNumOperands() != 2 ||
      combiner->getOperand(0) == combiner->getOperand(1))
    return std::nullopt;
  std::optional<vector::CombiningKind> kind = combiningKind(combiner);
  if (!kind)
    return std::nullopt;
  for (Operation &bodyOp : body.without_terminator())
    if (!OpTrait::hasElementwiseMappableTraits(&bodyOp) ||
        bodyOp.getNumResults() != 1 || bodyOp.getNumRegions() != 0)
      return std::nullopt;
  return RowReduction{dim, *kind, combiner};
}

float neutralElement(vector::CombiningKind kind) {
  switch (kind) {
  case vector::CombiningKind::MAXIMUMF:
  case vector::CombiningKind::MAXNUMF:
    return -std::numeric_limits<float>::infinity();
  case vector::CombiningKind::MINIMUMF:
  case vector::CombiningKind::MINNUMF:
    return std::numeric_limits<float>::infinity();
  default:
    return 0.0f;
  }
}

SmallVector<Value> indicesOf(linalg::LinalgOp op, OpOperand *operand,
                             ArrayRef<Value> ivs) {
  SmallVector<Value> indices;
  for (AffineExpr e : op.getMatchingIndexingMap(operand).getResults())
    indices.push_back(ivs[cast<AffineDimExpr>(e).getPosition()]);
  return indices;
}

Value combinedValue(const RowReduction &reduction, linalg::LinalgOp op) {
  Value out = op->getRegion(0).front().getArguments().back();
  Operation *c = reduction.combiner;
  return c->getOperand(0) == out ? c->getOperand(1) : c->getOperand(0);
}

Value combine(OpBuilder &b, const RowReduction &reduction, linalg::LinalgOp op,
              Value value, Value acc) {
  IRMapping mapping;
  mapping.map(op->getRegion(0).front().getArguments().back(), acc);
  mapping.map(combinedValue(reduction, op), value);
  Operation *cloned = b.clone(*reduction.combiner, mapping);
  cloned->getResult(0).setType(acc.getType());
  return cloned->getResult(0);
}

} // namespace ddl::codegen
