//===- ApproximateMath.cpp - vectorizable transcendental functions --------===//
//
// See DDLApproximateMathPass in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "passes/lowering/Passes.h"

#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/StringSet.h"

namespace ddl::lowering {
#define GEN_PASS_DEF_DDLAPPROXIMATEMATHPASS
#include "passes/lowering/Passes.h.inc"
} // namespace ddl::lowering

using namespace mlir;

/// The math ops (by operation name) whose f32 approximations stay within
/// a few ulps over their whole domain (test/e2e/lowering/math_accuracy.py).
/// Not log and log2: upstream's flush denormal arguments (log(1e-45) came
/// out as -87.3, not -103.3). log1p is fine (its argument is 1 + x), and
/// better than convert-math-to-llvm's log(1 + x), which loses all of a
/// tiny x (softplus(-80) was 0).
static bool isApproximated(StringRef opName) {
  static const llvm::StringSet<> names = {"math.exp",   "math.expm1",
                                          "math.log1p", "math.tanh",
                                          "math.erf",   "math.erfc"};
  return names.contains(opName);
}

namespace {
struct DDLApproximateMathPass final
    : ddl::lowering::impl::DDLApproximateMathPassBase<DDLApproximateMathPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    // f16/bf16 calls are computed in f32, then approximated.
    populateMathF32ExpansionPatterns(patterns, isApproximated);
    populateMathPolynomialApproximationPatterns(patterns, isApproximated);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};
} // namespace
