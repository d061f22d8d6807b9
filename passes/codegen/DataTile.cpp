//===- DataTile.cpp - matmul with constant B to mmt4d on data tiles -------===//

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

/// B packed to [N1][K1][N0][K0], zero-padded, as a new dense resource.
static FailureOr<ElementsAttr> packRhs(const ConstantRhsMatmul &kernel,
                                       sched::ContractionAttr schedule,
                                       RankedTensorType packedType) {
  int64_t n = kernel.n, k = kernel.k;
  int64_t n0 = schedule.getN0(), k0 = schedule.getK0();
  int64_t k1 = llvm::divideCeil(k, k0);
  std::vector<float> source;
  if (failed(readF32Elements(kernel.rhs, n * k, source)))
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
  return f32Resource(packedType, "ddl_packed", packed);
}

/// `x` (2-D) padded with `padValue` at the end of dimension `dim` to a
/// multiple of `r0` and that dimension split into tiles: [R1, r0, C] for
/// dim 0, [C, R1, r0] for dim 1. The pad is left out when the size is
/// static and a multiple of `r0`.
static Value splitDim(OpBuilder &b, Location loc, Value x, unsigned dim,
                      int64_t r0, Value padValue) {
  auto type = cast<RankedTensorType>(x.getType());
  SmallVector<int64_t> shape(type.getShape());
  int64_t size = shape[dim];
  MLIRContext *ctx = b.getContext();
  AffineExpr s0 = getAffineSymbolExpr(0, ctx);
  OpFoldResult count = tensor::getMixedSize(b, loc, x, dim);
  OpFoldResult tileCount =
      affine::makeComposedFoldedAffineApply(b, loc, s0.ceilDiv(r0), {count});
  Value padded = x;
  if (ShapedType::isDynamic(size) || size % r0 != 0) {
    SmallVector<OpFoldResult> low(2, b.getIndexAttr(0)),
        high(2, b.getIndexAttr(0));
    high[dim] = affine::makeComposedFoldedAffineApply(
        b, loc, s0.ceilDiv(r0) * r0 - s0, {count});
    SmallVector<int64_t> paddedShape(shape);
    if (!ShapedType::isDynamic(size))
      paddedShape[dim] = llvm::divideCeil(size, r0) * r0;
    padded = tensor::PadOp::create(
        b, loc, RankedTensorType::get(paddedShape, type.getElementType()), x,
        low, high, padValue);
  }
  std::optional<int64_t> staticTiles = getConstantIntValue(tileCount);
  int64_t tiles = staticTiles ? *staticTiles : ShapedType::kDynamic;
  int64_t other = shape[1 - dim];
  SmallVector<int64_t> splitShape =
      dim == 0 ? SmallVector<int64_t>{tiles, r0, other}
               : SmallVector<int64_t>{other, tiles, r0};
  SmallVector<OpFoldResult> splitSizes =
      dim == 0 ? SmallVector<OpFoldResult>{tileCount, b.getIndexAttr(r0),
                                           b.getIndexAttr(other)}
               : SmallVector<OpFoldResult>{b.getIndexAttr(other), tileCount,
                                           b.getIndexAttr(r0)};
  SmallVector<ReassociationIndices> groups =
      dim == 0 ? SmallVector<ReassociationIndices>{{0, 1}, {2}}
               : SmallVector<ReassociationIndices>{{0}, {1, 2}};
  return tensor::ExpandShapeOp::create(
      b, loc, RankedTensorType::get(splitShape, type.getElementType()), padded,
      groups, splitSizes);
}

/// A packed to [M1][K][M0][1] for K0 = 1, from A ([M, K]) or, when
/// `transposed`, from A^T ([K, M], as a convolution's NCHW input is): M is
/// padded to a multiple of M0 (only when it is not one) and split, then
/// one transpose whose innermost loop runs over M0 (for A^T it moves whole
/// M0-float rows).
static Value packLhs(OpBuilder &b, Location loc, Value a, bool transposed,
                     int64_t m0, Value zero) {
  // [M1, M0, K], or [K, M1, M0] from A^T.
  Value split = splitDim(b, loc, a, transposed ? 1 : 0, m0, zero);
  auto splitType = cast<RankedTensorType>(split.getType());
  unsigned tilesDim = transposed ? 1 : 0, kDim = transposed ? 0 : 2;
  int64_t k = splitType.getDimSize(kDim);
  SmallVector<OpFoldResult> sizes = {
      tensor::getMixedSize(b, loc, split, tilesDim), b.getIndexAttr(k),
      b.getIndexAttr(m0)};
  Value dest =
      tensor::EmptyOp::create(b, loc, sizes, splitType.getElementType());
  SmallVector<int64_t> perm = transposed ? SmallVector<int64_t>{1, 0, 2}
                                         : SmallVector<int64_t>{0, 2, 1};
  Value packed =
      linalg::TransposeOp::create(b, loc, split, dest, perm).getResult()[0];
  auto packedType = RankedTensorType::get(
      {splitType.getDimSize(tilesDim), k, m0, 1}, splitType.getElementType());
  return tensor::ExpandShapeOp::create(
      b, loc, packedType, packed,
      ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3}},
      ArrayRef<OpFoldResult>{sizes[0], sizes[1], sizes[2], b.getIndexAttr(1)});
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

  // A, packed at run time: [M1][K1][M0][K0] (K0 = 1, checked).
  SmallVector<int64_t> innerPos = {0, 1};
  Value packedA = packLhs(rewriter, loc, a, kernel.lhsTransposed, m0, zero);

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

  auto mmt4d = linalg::Mmt4DOp::create(rewriter, loc, packedC.getType(),
                                       ValueRange{packedA, b}, packedC);
  mmt4d->setAttr(sched::kScheduleAttr, schedule);
  if (Attribute key = op->getAttr(kKernelKeyAttr))
    mmt4d->setAttr(kKernelKeyAttr, key);

  // The result, unpacked into the matmul's own destination (the fill's,
  // when the accumulator was a fill: nothing needs filling twice). When M
  // and N are multiples of the tile, one transpose writes the destination
  // in place; otherwise upstream's unpack lowering (transpose, then copy
  // the unpadded part).
  Value dest = fill ? fill.getOutputs()[0] : init;
  auto destType = cast<RankedTensorType>(dest.getType());
  if (!destType.isDynamicDim(0) && destType.getDimSize(0) % m0 == 0 &&
      kernel.n % n0 == 0) {
    int64_t m1 = destType.getDimSize(0) / m0;
    auto tiledType = RankedTensorType::get({m1, m0, n1, n0}, f32);
    Value tiledDest = tensor::ExpandShapeOp::create(
        rewriter, loc, tiledType, dest,
        ArrayRef<ReassociationIndices>{{0, 1}, {2, 3}});
    Value transposed =
        linalg::TransposeOp::create(rewriter, loc, mmt4d.getResult(0),
                                    tiledDest, ArrayRef<int64_t>{0, 2, 1, 3})
            .getResult()[0];
    Value result = tensor::CollapseShapeOp::create(
        rewriter, loc, destType, transposed,
        ArrayRef<ReassociationIndices>{{0, 1}, {2, 3}});
    rewriter.replaceOp(op, result);
  } else {
    auto unpack = linalg::UnPackOp::create(rewriter, loc, mmt4d.getResult(0),
                                           dest, innerPos, cTiles);
    rewriter.replaceOp(op, unpack.getResult());
    if (failed(linalg::lowerUnPack(rewriter, unpack)))
      return emitError(loc) << "cannot lower the unpack of the result";
  }
  // The run-time pack of a non-fill accumulator: pad, reshape, transpose.
  if (packC && failed(linalg::lowerPack(rewriter, packC)))
    return emitError(loc) << "cannot lower the pack of the accumulator";
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
