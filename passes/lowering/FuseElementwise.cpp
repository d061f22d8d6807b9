//===- FuseElementwise.cpp - fusion that never recomputes -----------------===//
//
// See DDLFuseElementwisePass in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "passes/lowering/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace ddl::lowering {
#define GEN_PASS_DEF_DDLFUSEELEMENTWISEPASS
#include "passes/lowering/Passes.h.inc"
} // namespace ddl::lowering

using namespace mlir;

/// Fuse only a single-use producer whose every element the consumer reads
/// exactly once.
/// Named contractions (linalg.matmul, ...) stay as they are: the
/// contraction kernels (ddl-select-schedules, ddl-data-tile) take them by
/// name, and folding a reshape or a producer into one would generalize it.
static bool isNamedContraction(Operation *op) {
  return !isa<linalg::GenericOp>(op) && isa<linalg::LinalgOp>(op) &&
         linalg::isaContractionOpInterface(cast<linalg::LinalgOp>(op));
}

/// Fused bodies stay below this many operations. Fusing a chain clones the
/// producer's body into each consumer (quadratic in the chain's length),
/// and LLVM's loop vectorizer is superlinear in a loop's size: a model of
/// 100,000 elementwise nodes in a row otherwise compiles for hours. Real
/// models' fused bodies are far smaller; past the bound, the chain is cut
/// into loops of this size (one more pass over memory per cut).
static constexpr size_t kMaxFusedBodyOps = 256;

static size_t bodySize(Operation *op) {
  auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
  return linalgOp && linalgOp.getBlock()
             ? linalgOp.getBlock()->getOperations().size()
             : 0;
}

static bool readsEachElementOnce(OpOperand *fused) {
  Operation *producer = fused->get().getDefiningOp();
  if (!producer || !producer->hasOneUse() ||
      isNamedContraction(fused->getOwner()))
    return false;
  auto consumer = dyn_cast<linalg::LinalgOp>(fused->getOwner());
  if (!consumer || bodySize(producer) + bodySize(consumer) > kMaxFusedBodyOps)
    return false;
  AffineMap map = consumer.getMatchingIndexingMap(fused);
  return map.isPermutation();
}

/// Reshape propagation and constant folding keep upstream's rule.
static bool singleUseProducer(OpOperand *fused) {
  Operation *producer = fused->get().getDefiningOp();
  return producer && producer->hasOneUse() &&
         !isNamedContraction(fused->getOwner()) &&
         !isNamedContraction(producer);
}

namespace {
struct DDLFuseElementwisePass final
    : ddl::lowering::impl::DDLFuseElementwisePassBase<DDLFuseElementwisePass> {
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    RewritePatternSet patterns(context);
    linalg::populateElementwiseOpsFusionPatterns(patterns,
                                                 readsEachElementOnce);
    linalg::populateFoldReshapeOpsByExpansionPatterns(patterns,
                                                      singleUseProducer);
    tensor::populateBubbleUpExpandShapePatterns(patterns);
    affine::AffineApplyOp::getCanonicalizationPatterns(patterns, context);
    linalg::GenericOp::getCanonicalizationPatterns(patterns, context);
    tensor::ExpandShapeOp::getCanonicalizationPatterns(patterns, context);
    tensor::CollapseShapeOp::getCanonicalizationPatterns(patterns, context);
    context->getLoadedDialect<linalg::LinalgDialect>()
        ->getCanonicalizationPatterns(patterns);
    linalg::populateConstantFoldLinalgOperations(patterns, singleUseProducer);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
