//===- DynamicExpandShape.cpp - expand_shape groups upstream cannot take --===//
//
// See DDLDynamicExpandShapePass in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "passes/lowering/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace ddl::lowering {
#define GEN_PASS_DEF_DDLDYNAMICEXPANDSHAPEPASS
#include "passes/lowering/Passes.h.inc"
} // namespace ddl::lowering

using namespace mlir;

namespace {

/// a * b, folded where both are constants or one is 1.
static OpFoldResult multiply(OpBuilder &b, Location loc, OpFoldResult x,
                             OpFoldResult y) {
  std::optional<int64_t> cx = getConstantIntValue(x);
  std::optional<int64_t> cy = getConstantIntValue(y);
  if (cx && cy)
    return b.getIndexAttr(*cx * *cy);
  if (cx == 1)
    return y;
  if (cy == 1)
    return x;
  return arith::MulIOp::create(b, loc,
                               getValueOrCreateConstantIndexOp(b, loc, x),
                               getValueOrCreateConstantIndexOp(b, loc, y))
      .getResult();
}

/// memref.expand_shape of a contiguous source with a group of several
/// dynamic sizes, as the memref.reinterpret_cast expand-strided-metadata
/// would make of it: same base and offset, the output sizes, and strides
/// the suffix products within each group.
struct ExpandShapeToReinterpretCast : OpRewritePattern<memref::ExpandShapeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(memref::ExpandShapeOp op,
                                PatternRewriter &rewriter) const override {
    MemRefType srcType = op.getSrcType(), dstType = op.getResultType();
    SmallVector<ReassociationIndices> groups = op.getReassociationIndices();
    bool severalDynamic =
        llvm::any_of(groups, [&](const ReassociationIndices &g) {
          return llvm::count_if(
                     g, [&](int64_t d) { return dstType.isDynamicDim(d); }) > 1;
        });
    if (!severalDynamic || !srcType.getLayout().isIdentity() ||
        !dstType.getLayout().isIdentity())
      return failure();
    Location loc = op.getLoc();
    // A contiguous source: offset 0, its own strides the suffix products
    // of its sizes.
    SmallVector<OpFoldResult> srcSizes =
        memref::getMixedSizes(rewriter, loc, op.getSrc());
    SmallVector<OpFoldResult> srcStrides(srcSizes.size());
    OpFoldResult running = rewriter.getIndexAttr(1);
    for (int64_t i = int64_t(srcSizes.size()) - 1; i >= 0; --i) {
      srcStrides[i] = running;
      running = multiply(rewriter, loc, running, srcSizes[i]);
    }
    SmallVector<OpFoldResult> sizes = op.getMixedOutputShape();
    SmallVector<OpFoldResult> strides(sizes.size());
    for (auto [g, group] : llvm::enumerate(groups)) {
      OpFoldResult stride = srcStrides[g];
      for (int64_t d : llvm::reverse(group)) {
        strides[d] = stride;
        stride = multiply(rewriter, loc, stride, sizes[d]);
      }
    }
    rewriter.replaceOpWithNewOp<memref::ReinterpretCastOp>(
        op, dstType, op.getSrc(), rewriter.getIndexAttr(0), sizes, strides);
    return success();
  }
};

struct DDLDynamicExpandShapePass final
    : ddl::lowering::impl::DDLDynamicExpandShapePassBase<
          DDLDynamicExpandShapePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<ExpandShapeToReinterpretCast>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
