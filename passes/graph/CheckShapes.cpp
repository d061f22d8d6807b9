//===- CheckShapes.cpp - run-time checks of shape assumptions -------------===//
//
// See NNCheckShapesPass in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "dialects/nn/NNDialect.h"
#include "passes/graph/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace ddl::graph {
#define GEN_PASS_DEF_NNCHECKSHAPESPASS
#include "passes/graph/Passes.h.inc"
} // namespace ddl::graph

using namespace mlir;
using namespace ddl;

namespace {

/// True when every operand and result of `op` is a statically shaped
/// tensor: its shape function has nothing left open.
bool allStatic(Operation *op) {
  auto isStatic = [](Type t) {
    auto tensor = dyn_cast<RankedTensorType>(t);
    return tensor && tensor.hasStaticShape();
  };
  return llvm::all_of(op->getOperandTypes(), isStatic) &&
         llvm::all_of(op->getResultTypes(), isStatic);
}

struct NNCheckShapesPass final
    : graph::impl::NNCheckShapesPassBase<NNCheckShapesPass> {
  void runOnOperation() override {
    SmallVector<nn::ShapeChecksOpInterface> ops;
    getOperation().walk([&](nn::ShapeChecksOpInterface op) {
      if (!allStatic(op))
        ops.push_back(op);
    });
    OpBuilder builder(&getContext());
    for (nn::ShapeChecksOpInterface op : ops) {
      // A shape function that cannot be stated over IR (nn.non_zero's
      // count comes from the data) fails: its op has nothing to check
      // beyond the checks already emitted.
      builder.setInsertionPoint(op);
      (void)op.emitShapeChecks(builder);
    }
  }
};

} // namespace
