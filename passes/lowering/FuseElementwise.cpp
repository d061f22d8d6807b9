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

/// Fuse only a producer whose every element the consumer reads exactly
/// once, and that no other op needs before the consumer.
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

/// Whether every use of `producer` other than by `consumer` comes after
/// `consumer` in its block (an elementwise producer whose result is also
/// needed elsewhere, such as an LSTM's cell state that the hidden state
/// reads and the loop carries): fused, the producer's result becomes a
/// second result of the fused op, computed once, and its other users,
/// which read it there, must come after it.
static bool otherUsesFollow(Operation *producer, Operation *consumer) {
  auto producerLoop = dyn_cast<linalg::GenericOp>(producer);
  auto consumerLoop = dyn_cast<linalg::GenericOp>(consumer);
  // All-parallel loops only: a preserved result of a reduction would be
  // a multi-result reduction, which the row kernels do not take.
  if (!producerLoop || !consumerLoop ||
      producerLoop.getNumParallelLoops() != producerLoop.getNumLoops() ||
      consumerLoop.getNumParallelLoops() != consumerLoop.getNumLoops())
    return false;
  // A producer reading a contraction's result stays single-result: the
  // contraction kernels take it as their epilogue (in registers), which
  // beats fusing it forward.
  for (Value input : producerLoop.getDpsInputs())
    if (Operation *def = input.getDefiningOp(); def && isNamedContraction(def))
      return false;
  for (Operation *user : producer->getUsers()) {
    if (user == consumer)
      continue;
    Operation *ancestor = consumer->getBlock()->findAncestorOpInBlock(*user);
    if (!ancestor || ancestor == consumer ||
        !consumer->isBeforeInBlock(ancestor))
      return false;
  }
  return true;
}

/// Whether the consumer reads each element of the producer exactly once
/// and the fused body stays small (any number of producer uses).
static bool fusesWithoutRecomputing(OpOperand *fused) {
  Operation *producer = fused->get().getDefiningOp();
  auto consumer = dyn_cast<linalg::LinalgOp>(fused->getOwner());
  if (!producer || !consumer || isNamedContraction(consumer) ||
      bodySize(producer) + bodySize(consumer) > kMaxFusedBodyOps)
    return false;
  return consumer.getMatchingIndexingMap(fused).isPermutation();
}

/// Upstream's pattern: single-use producers. (With more uses it would
/// clone the producer into the consumer and keep the original for the
/// other users: the producer's work twice.)
static bool readsEachElementOnce(OpOperand *fused) {
  Operation *producer = fused->get().getDefiningOp();
  return producer && producer->hasOneUse() && fusesWithoutRecomputing(fused);
}

namespace {
/// A producer with other users after the consumer: fused into the
/// consumer with its result kept as a result of the fused op, which the
/// other users then read; the producer goes.
struct FuseKeepingProducerResult final : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::GenericOp consumer,
                                PatternRewriter &rewriter) const override {
    for (OpOperand &operand : consumer->getOpOperands()) {
      auto producer = operand.get().getDefiningOp<linalg::GenericOp>();
      // (The consumer reads the producer through this operand only: a
      // second one would be left reading the erased producer.)
      if (!producer || producer->hasOneUse() ||
          llvm::count_if(consumer->getOperands(),
                         [&](Value v) {
                           return v.getDefiningOp() == producer.getOperation();
                         }) != 1 ||
          !linalg::areElementwiseOpsFusable(&operand) ||
          !fusesWithoutRecomputing(&operand) ||
          !otherUsesFollow(producer, consumer))
        continue;
      FailureOr<linalg::ElementwiseOpFusionResult> fused =
          linalg::fuseElementwiseOps(rewriter, &operand);
      if (failed(fused))
        continue;
      for (auto [original, replacement] : fused->replacements)
        rewriter.replaceAllUsesExcept(original, replacement, fused->fusedOp);
      rewriter.eraseOp(consumer);
      rewriter.eraseOp(producer);
      return success();
    }
    return failure();
  }
};
} // namespace

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
    patterns.add<FuseKeepingProducerResult>(context);
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
