//===- PadsInPlace.cpp - padded tensors written in place ------------------===//
//
// See DDLPadsInPlacePass in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "passes/memory/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace ddl::memory {
#define GEN_PASS_DEF_DDLPADSINPLACEPASS
#include "passes/memory/Passes.h.inc"
} // namespace ddl::memory

using namespace mlir;

namespace {
/// Upstream's decomposition, restricted to pads of a tensor that an op
/// computes into a fresh tensor (the producer can then write into the
/// padded buffer; padding a function argument or a constant stays a copy
/// either way).
struct DecomposeComputedPad final : linalg::DecomposePadOpPattern {
  using DecomposePadOpPattern::DecomposePadOpPattern;
  LogicalResult matchAndRewrite(tensor::PadOp pad,
                                PatternRewriter &rewriter) const override {
    auto producer =
        pad.getSource().getDefiningOp<DestinationStyleOpInterface>();
    if (!producer || producer->getNumResults() != 1 ||
        !producer.getDpsInits()[0].getDefiningOp<tensor::EmptyOp>() ||
        !pad.getSource().hasOneUse())
      return rewriter.notifyMatchFailure(pad, "not a computed, fresh tensor");
    return DecomposePadOpPattern::matchAndRewrite(pad, rewriter);
  }
};

struct DDLPadsInPlacePass final
    : ddl::memory::impl::DDLPadsInPlacePassBase<DDLPadsInPlacePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<DecomposeComputedPad>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};
} // namespace
