//===- DataTile.cpp - matmuls with constant B on compile-time packed B ----===//

#include "passes/codegen/Passes.h"
#include "passes/codegen/Schedules.h"

#include "lib/Support/ConstantData.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/Support/MathExtras.h"

#include <cstring>

using namespace mlir;
using namespace ddl;
using namespace ddl::codegen;

namespace ddl::codegen {
#define GEN_PASS_DEF_DDLDATATILEPASS
#include "passes/codegen/Passes.h.inc"
} // namespace ddl::codegen

/// B packed to [N1][K][N0], zero-padded to N1 * N0 columns, as a new dense
/// resource: the N0 columns of a column tile are one contiguous row per k,
/// and a tile's rows are consecutive.
static FailureOr<ElementsAttr> packRhs(const ConstantRhsMatmul &kernel,
                                       int64_t n0,
                                       RankedTensorType packedType) {
  int64_t n = kernel.n, k = kernel.k;
  std::vector<float> source;
  if (failed(readF32Elements(kernel.rhs, n * k, source)))
    return failure();
  std::vector<float> packed(packedType.getNumElements(), 0.0f);
  for (int64_t col = 0; col < n; ++col)
    for (int64_t kk = 0; kk < k; ++kk) {
      float value =
          kernel.rhsTransposed ? source[col * k + kk] : source[kk * n + col];
      packed[((col / n0) * k + kk) * n0 + col % n0] = value;
    }
  return f32Resource(packedType, "ddl_packed", packed);
}

/// Rewrites one scheduled matmul into the packed-B contraction
/// `C[m, n] += A[m, k] * B'[n floordiv N0, k, n mod N0]` (a linalg.generic
/// that keeps the schedule); reports why it cannot.
static LogicalResult dataTile(RewriterBase &rewriter,
                              const ConstantRhsMatmul &kernel,
                              sched::ContractionAttr schedule) {
  linalg::MatmulOp op = kernel.op;
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  int64_t n0 = schedule.getN0();
  auto packedType = RankedTensorType::get(
      {int64_t(llvm::divideCeil(kernel.n, n0)), kernel.k, n0},
      rewriter.getF32Type());
  FailureOr<ElementsAttr> packed = packRhs(kernel, n0, packedType);
  if (failed(packed))
    return op.emitError() << "cannot read the constant operand to pack it "
                             "(an elided or malformed resource)";
  Value b = arith::ConstantOp::create(rewriter, loc, packedType,
                                      cast<TypedAttr>(*packed));
  Value init = op.getDpsInits()[0];
  SmallVector<utils::IteratorType> iterators = {utils::IteratorType::parallel,
                                                utils::IteratorType::parallel,
                                                utils::IteratorType::reduction};
  auto generic = linalg::GenericOp::create(
      rewriter, loc, TypeRange{init.getType()},
      ValueRange{op.getDpsInputs()[0], b}, ValueRange{init},
      packedRhsMaps(rewriter.getContext(), n0, kernel.lhsTransposed), iterators,
      [&](OpBuilder &nb, Location l, ValueRange args) {
        Value product = arith::MulFOp::create(nb, l, args[0], args[1]);
        Value sum = arith::AddFOp::create(nb, l, product, args[2]);
        linalg::YieldOp::create(nb, l, sum);
      });
  generic->setAttr(sched::kScheduleAttr, schedule);
  if (Attribute key = op->getAttr(kKernelKeyAttr))
    generic->setAttr(kKernelKeyAttr, key);
  rewriter.replaceOp(op, generic.getResults());
  return success();
}

namespace {
struct DDLDataTilePass final
    : codegen::impl::DDLDataTilePassBase<DDLDataTilePass> {
  void runOnOperation() override {
    SmallVector<std::pair<ConstantRhsMatmul, sched::ContractionAttr>> work;
    bool failedCheck = false;
    getOperation().walk([&](linalg::MatmulOp op) {
      auto schedule =
          op->getAttrOfType<sched::ContractionAttr>(sched::kScheduleAttr);
      if (!schedule)
        return;
      std::optional<ConstantRhsMatmul> kernel = matchConstantRhsMatmul(op);
      // ddl-batch-matmul-to-vector takes those after bufferization.
      if (!kernel && matchRuntimeRhsMatmul(op))
        return;
      if (!kernel) {
        op.emitError() << "has a schedule but is not an f32 matmul with a "
                          "constant right operand and static K and N";
        failedCheck = true;
        return;
      }
      if (failed(checkF32Schedule(schedule, [&] { return op.emitError(); }))) {
        failedCheck = true;
        return;
      }
      work.push_back({*kernel, schedule});
    });
    if (failedCheck)
      return signalPassFailure();
    IRRewriter rewriter(&getContext());
    for (auto &[kernel, schedule] : work) {
      Operation *rhs = kernel.op.getDpsInputs()[1].getDefiningOp();
      if (failed(dataTile(rewriter, kernel, schedule)))
        return signalPassFailure();
      if (rhs->use_empty())
        rewriter.eraseOp(rhs);
    }
  }
};
} // namespace
