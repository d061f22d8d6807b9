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

static void refineOp(Operation *op, OpBuilder &builder) {
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
