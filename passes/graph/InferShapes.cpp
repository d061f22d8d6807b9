//===- InferShapes.cpp - refine result types from shape functions ---------===//
//
// See NNInferShapesPass in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "dialects/nn/NNDialect.h"
#include "passes/graph/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/SymbolTable.h"

namespace ddl::graph {
#define GEN_PASS_DEF_NNINFERSHAPESPASS
#include "passes/graph/Passes.h.inc"
} // namespace ddl::graph

using namespace mlir;
using namespace ddl;

namespace {

/// True for users that accept a refined operand type as it is.
static bool acceptsRefinedOperand(Operation *user) {
  return isa<nn::NNDialect>(user->getDialect()) || isa<func::ReturnOp>(user);
}

/// Gives `result` the type `refined`; users that may not accept it keep
/// seeing the old type through a tensor.cast.
static void setRefinedType(OpResult result, Type refined, OpBuilder &builder) {
  Type old = result.getType();
  if (old == refined)
    return;
  result.setType(refined);
  for (OpOperand &use : llvm::make_early_inc_range(result.getUses())) {
    if (acceptsRefinedOperand(use.getOwner()))
      continue;
    builder.setInsertionPoint(use.getOwner());
    use.set(tensor::CastOp::create(builder, result.getLoc(), old, result));
  }
}

/// The types that `op`'s shape function proves, if it has one.
static std::optional<SmallVector<Type>> provenTypes(Operation *op) {
  auto infer = dyn_cast<InferTypeOpInterface>(op);
  if (!infer || !isa<nn::NNDialect>(op->getDialect()))
    return std::nullopt;
  SmallVector<Type> types;
  // No location: a failure here is the verifier's to report.
  if (failed(infer.inferReturnTypes(
          op->getContext(), std::nullopt, op->getOperands(),
          op->getRawDictionaryAttrs(), op->getPropertiesStorage(),
          op->getRegions(), types)) ||
      types.size() != op->getNumResults())
    return std::nullopt;
  return types;
}

static void refineOp(Operation *op, OpBuilder &builder);

/// Refines an nn.loop: carried values whose start has a static shape keep
/// it when the body, given that shape, yields it back (importers give
/// carried values dynamic types, as ONNX lets them change shape between
/// iterations; an RNN's state does not). The trial runs on a clone of the
/// loop with those block arguments retyped, and candidates whose yield
/// does not come back static and equal are dropped and the trial redone,
/// so the loop only ever gets types its body proves. Scan outputs then get
/// the shape of the rows the body yields.
static void refineLoop(nn::LoopOp loop, OpBuilder &builder) {
  unsigned carried = loop.getInits().size();
  SmallVector<unsigned> candidates;
  for (unsigned i = 0; i < carried; ++i) {
    auto init = dyn_cast<RankedTensorType>(loop.getInits()[i].getType());
    Type arg = loop.getBody().front().getArgument(2 + i).getType();
    if (init && init.hasStaticShape() && arg != init &&
        nn::areRefinementsOf(TypeRange{init}, TypeRange{arg}))
      candidates.push_back(i);
  }
  nn::LoopOp refined = loop;
  while (!candidates.empty()) {
    builder.setInsertionPoint(loop);
    auto trial = cast<nn::LoopOp>(builder.clone(*loop));
    Block &body = trial.getBody().front();
    for (unsigned i : candidates)
      body.getArgument(2 + i).setType(loop.getInits()[i].getType());
    trial.getBody().walk<WalkOrder::PostOrder>(
        [&](Operation *inner) { refineOp(inner, builder); });
    ValueRange yielded = cast<nn::YieldOp>(body.getTerminator()).getValues();
    SmallVector<unsigned> kept;
    for (unsigned i : candidates) {
      auto type = cast<RankedTensorType>(yielded[1 + i].getType());
      if (type.hasStaticShape() &&
          nn::areRefinementsOf(TypeRange{loop.getInits()[i].getType()},
                               TypeRange{type}))
        kept.push_back(i);
    }
    if (kept.size() != candidates.size()) {
      trial.erase();
      candidates = std::move(kept);
      continue;
    }
    loop->replaceAllUsesWith(trial->getResults());
    loop.erase();
    refined = trial;
    for (unsigned i : candidates)
      setRefinedType(cast<OpResult>(refined->getResult(i)),
                     nn::refineType(refined->getResult(i).getType(),
                                    refined.getInits()[i].getType()),
                     builder);
    break;
  }
  // Scan outputs: [iterations, the yielded row's shape].
  ValueRange yielded =
      cast<nn::YieldOp>(refined.getBody().front().getTerminator()).getValues();
  for (unsigned k = carried; k < refined->getNumResults(); ++k) {
    auto result = cast<RankedTensorType>(refined->getResult(k).getType());
    auto row = dyn_cast<RankedTensorType>(yielded[1 + k].getType());
    if (!row || row.getRank() + 1 != result.getRank() ||
        row.getElementType() != result.getElementType())
      continue;
    SmallVector<int64_t> shape = {result.getDimSize(0)};
    llvm::append_range(shape, row.getShape());
    setRefinedType(cast<OpResult>(refined->getResult(k)),
                   nn::refineType(result, RankedTensorType::get(
                                              shape, row.getElementType())),
                   builder);
  }
}

static void refineOp(Operation *op, OpBuilder &builder) {
  if (auto loop = dyn_cast<nn::LoopOp>(op)) {
    refineLoop(loop, builder);
    return;
  }
  if (auto ifOp = dyn_cast<nn::IfOp>(op)) {
    auto thenYield =
        cast<nn::YieldOp>(ifOp.getThenRegion().front().getTerminator());
    auto elseYield =
        cast<nn::YieldOp>(ifOp.getElseRegion().front().getTerminator());
    for (auto [result, a, b] : llvm::zip(
             ifOp.getResults(), thenYield.getValues(), elseYield.getValues()))
      if (Type both = nn::commonType(a.getType(), b.getType()))
        setRefinedType(cast<OpResult>(result),
                       nn::refineType(result.getType(), both), builder);
    return;
  }
  if (std::optional<SmallVector<Type>> proven = provenTypes(op))
    for (auto [result, type] : llvm::zip(op->getResults(), *proven))
      setRefinedType(cast<OpResult>(result),
                     nn::refineType(result.getType(), type), builder);
}

struct NNInferShapesPass final
    : ddl::graph::impl::NNInferShapesPassBase<NNInferShapesPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    OpBuilder builder(&getContext());
    for (auto func : module.getOps<func::FuncOp>()) {
      if (func.isExternal())
        continue;
      // Post-order: operands are refined before their users, and region
      // bodies before the region op that yields from them.
      func.walk<WalkOrder::PostOrder>(
          [&](Operation *op) { refineOp(op, builder); });
      updateSignature(func, module, builder);
    }
  }

  /// Makes an uncalled function's result types those of its returns; a
  /// called function keeps its signature (casts bridge the difference).
  void updateSignature(func::FuncOp func, ModuleOp module, OpBuilder &builder) {
    bool called = !SymbolTable::symbolKnownUseEmpty(func, module);
    SmallVector<Type> results(func.getResultTypes());
    bool changed = false;
    func.walk([&](func::ReturnOp ret) {
      for (OpOperand &operand : ret->getOpOperands()) {
        Type declared = results[operand.getOperandNumber()];
        Type actual = operand.get().getType();
        if (actual == declared)
          continue;
        if (called) {
          builder.setInsertionPoint(ret);
          operand.set(tensor::CastOp::create(builder, ret.getLoc(), declared,
                                             operand.get()));
          continue;
        }
        results[operand.getOperandNumber()] = actual;
        changed = true;
      }
    });
    if (changed)
      func.setType(
          FunctionType::get(&getContext(), func.getArgumentTypes(), results));
  }
};

} // namespace
