//===- DataTile.cpp - matmul with constant B to mmt4d on data tiles -------===//

#include "passes/codegen/Passes.h"
#include "passes/codegen/Schedules.h"

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

/// The elements of an f32 constant, or failure when they are not available
/// (an elided resource, a size mismatch).
static LogicalResult readF32(ElementsAttr attr, int64_t count,
                             std::vector<float> &values) {
  values.clear();
  if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
    if (dense.isSplat()) {
      values.assign(count, dense.getSplatValue<float>());
      return success();
    }
    auto range = dense.getValues<float>();
    values.assign(range.begin(), range.end());
    return success(int64_t(values.size()) == count);
  }
  auto resource = dyn_cast<DenseResourceElementsAttr>(attr);
  if (!resource)
    return failure();
  AsmResourceBlob *blob = resource.getRawHandle().getBlob();
  if (!blob)
    return failure();
  ArrayRef<char> data = blob->getData();
  if (int64_t(data.size()) != count * int64_t(sizeof(float)))
    return failure();
  values.resize(count);
  std::memcpy(values.data(), data.data(), data.size());
  return success();
}

/// B packed to [N1][K1][N0][K0], zero-padded, as a new dense resource.
static FailureOr<ElementsAttr> packRhs(const ConstantRhsMatmul &kernel,
                                       sched::ContractionAttr schedule,
                                       RankedTensorType packedType) {
  int64_t n = kernel.n, k = kernel.k;
  int64_t n0 = schedule.getN0(), k0 = schedule.getK0();
  int64_t k1 = llvm::divideCeil(k, k0);
  std::vector<float> source;
  if (failed(readF32(kernel.rhs, n * k, source)))
    return failure();
  std::vector<float> packed(packedType.getNumElements(), 0.0f);
  for (int64_t row = 0; row < n; ++row)
    for (int64_t col = 0; col < k; ++col) {
      float value =
          kernel.rhsTransposed ? source[row * k + col] : source[col * n + row];
      int64_t at =
          (((row / n0) * k1 + col / k0) * n0 + row % n0) * k0 + col % k0;
      packed[at] = value;
    }
  return cast<ElementsAttr>(DenseResourceElementsAttr::get(
      packedType, "ddl_packed",
      HeapAsmResourceBlob::allocateAndCopyInferAlign(ArrayRef<float>(packed))));
}

/// Rewrites one scheduled matmul; reports why it cannot.
static LogicalResult dataTile(RewriterBase &rewriter,
                              const ConstantRhsMatmul &kernel,
                              sched::ContractionAttr schedule) {
  linalg::MatmulOp op = kernel.op;
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  int64_t m0 = schedule.getM0(), n0 = schedule.getN0(), k0 = schedule.getK0();
  int64_t n1 = llvm::divideCeil(kernel.n, n0);
  int64_t k1 = llvm::divideCeil(kernel.k, k0);
  Type f32 = rewriter.getF32Type();
  Value zero =
      arith::ConstantOp::create(rewriter, loc, rewriter.getF32FloatAttr(0));
  Value a = op.getDpsInputs()[0];
  Value init = op.getDpsInits()[0];

  // B, packed now.
  auto packedBType = RankedTensorType::get({n1, k1, n0, k0}, f32);
  FailureOr<ElementsAttr> packedB = packRhs(kernel, schedule, packedBType);
  if (failed(packedB))
    return op.emitError() << "cannot read the constant operand to pack it "
                             "(an elided or malformed resource)";
  Value b = arith::ConstantOp::create(rewriter, loc, packedBType,
                                      cast<TypedAttr>(*packedB));

  // A, packed at run time: [M1][K1][M0][K0].
  SmallVector<int64_t> innerPos = {0, 1};
  SmallVector<OpFoldResult> aTiles = {rewriter.getIndexAttr(m0),
                                      rewriter.getIndexAttr(k0)};
  Value aDest = linalg::PackOp::createDestinationTensor(rewriter, loc, a,
                                                        aTiles, innerPos, {});
  auto packA =
      linalg::PackOp::create(rewriter, loc, a, aDest, innerPos, aTiles, zero);

  // The accumulator in [M1][N1][M0][N0] tiles: a fill in the packed shape,
  // or the initial value packed.
  SmallVector<OpFoldResult> cTiles = {rewriter.getIndexAttr(m0),
                                      rewriter.getIndexAttr(n0)};
  Value cDest = linalg::PackOp::createDestinationTensor(rewriter, loc, init,
                                                        cTiles, innerPos, {});
  Value packedC;
  linalg::PackOp packC;
  auto fill = init.getDefiningOp<linalg::FillOp>();
  if (fill) {
    packedC = linalg::FillOp::create(rewriter, loc, fill.getInputs()[0], cDest)
                  .getResult(0);
  } else {
    packC = linalg::PackOp::create(rewriter, loc, init, cDest, innerPos, cTiles,
                                   zero);
    packedC = packC.getResult();
  }

  auto mmt4d =
      linalg::Mmt4DOp::create(rewriter, loc, packedC.getType(),
                              ValueRange{packA.getResult(), b}, packedC);
  mmt4d->setAttr(sched::kScheduleAttr, schedule);
  if (Attribute key = op->getAttr(kKernelKeyAttr))
    mmt4d->setAttr(kKernelKeyAttr, key);

  // The result, unpacked into the matmul's own destination (the fill's,
  // when the accumulator was a fill: nothing needs filling twice).
  Value dest = fill ? fill.getOutputs()[0] : init;
  auto unpack = linalg::UnPackOp::create(rewriter, loc, mmt4d.getResult(0),
                                         dest, innerPos, cTiles);
  rewriter.replaceOp(op, unpack.getResult());

  // The run-time relayouts become pad + reshape + transpose loop nests of
  // their own.
  if (failed(linalg::lowerPack(rewriter, packA)))
    return op.emitError() << "cannot lower the pack of the left operand";
  if (packC && failed(linalg::lowerPack(rewriter, packC)))
    return op.emitError() << "cannot lower the pack of the accumulator";
  if (failed(linalg::lowerUnPack(rewriter, unpack)))
    return op.emitError() << "cannot lower the unpack of the result";
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
