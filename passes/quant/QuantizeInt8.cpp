//===- QuantizeInt8.cpp - post-training int8 quantization -----------------===//
//
// See NNQuantizeInt8Pass in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "lib/Support/ConstantData.h"
#include "passes/quant/Passes.h"

#include "mlir/IR/Matchers.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>

using namespace mlir;
using namespace ddl;

namespace ddl::quant {
#define GEN_PASS_DEF_NNQUANTIZEINT8PASS
#include "passes/quant/Passes.h.inc"
} // namespace ddl::quant

namespace {

/// The largest quantized magnitude (symmetric: -128 is never used, so that
/// negation stays in range).
constexpr float kLevels = 127.0f;

struct NNQuantizeInt8Pass final
    : quant::impl::NNQuantizeInt8PassBase<NNQuantizeInt8Pass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<nn::MatMulOp> layers;
    getOperation().walk([&](nn::MatMulOp op) { layers.push_back(op); });
    unsigned counter = 0;
    for (nn::MatMulOp op : layers)
      quantize(op, counter);
  }

  bool kept(Operation *op) {
    std::string location;
    llvm::raw_string_ostream os(location);
    op->getLoc().print(os);
    return llvm::any_of(keep, [&](const std::string &name) {
      return location.find(name) != std::string::npos;
    });
  }

  void quantize(nn::MatMulOp op, unsigned &counter) {
    auto xType = dyn_cast<RankedTensorType>(op.getLhs().getType());
    auto wType = dyn_cast<RankedTensorType>(op.getRhs().getType());
    ElementsAttr weights;
    if (!xType || !wType || xType.getRank() < 2 || wType.getRank() != 2 ||
        !xType.getElementType().isF32() || !wType.hasStaticShape() ||
        !matchPattern(op.getRhs(), m_Constant(&weights)))
      return;
    int64_t k = wType.getDimSize(0), n = wType.getDimSize(1);
    if (k < minK || n < minN || kept(op))
      return;
    std::vector<float> w;
    if (failed(readF32Elements(weights, k * n, w)))
      return;

    // Weights: per output channel, symmetric.
    std::vector<float> scale(n, 0.0f);
    for (int64_t r = 0; r < k; ++r)
      for (int64_t c = 0; c < n; ++c)
        scale[c] = std::max(scale[c], std::fabs(w[r * n + c]));
    for (float &s : scale)
      s = s > 0 ? s / kLevels : 1.0f;
    std::vector<int8_t> wq(k * n);
    for (int64_t r = 0; r < k; ++r)
      for (int64_t c = 0; c < n; ++c)
        wq[r * n + c] = int8_t(std::clamp(
            std::nearbyint(w[r * n + c] / scale[c]), -kLevels, kLevels));

    OpBuilder b(op);
    Location loc = op.getLoc();
    MLIRContext *ctx = b.getContext();
    Type f32 = b.getF32Type(), i8 = b.getIntegerType(8);
    auto scalar = [&](float v) -> Value {
      return nn::ConstantOp::create(
          b, loc,
          DenseElementsAttr::get(RankedTensorType::get({}, f32),
                                 b.getF32FloatAttr(v)));
    };
    std::string name = "ddl_int8_weights_" + std::to_string(counter++);
    Value wqValue = nn::ConstantOp::create(
        b, loc, i8Resource(RankedTensorType::get({k, n}, i8), name, wq));
    Value wScale = nn::ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(RankedTensorType::get({n}, f32),
                               ArrayRef<float>(scale)));

    // Activations: per row, symmetric, at run time.
    Value x = op.getLhs();
    int64_t lastAxis = xType.getRank() - 1;
    Value magnitude = nn::AbsOp::create(b, loc, x);
    Value rowMax = nn::ReduceOp::create(
        b, loc, magnitude, nn::ReduceKindAttr::get(ctx, nn::ReduceKind::Max),
        b.getDenseI64ArrayAttr({lastAxis}), b.getBoolAttr(true),
        b.getBoolAttr(false));
    // A row of zeros gets a tiny scale (its quantized values are 0).
    Value rowScale = nn::MaxOp::create(
        b, loc, nn::DivOp::create(b, loc, rowMax, scalar(kLevels)),
        scalar(1e-30f));
    Value rounded =
        nn::RoundOp::create(b, loc, nn::DivOp::create(b, loc, x, rowScale));
    Value clipped =
        nn::ClipOp::create(b, loc, rounded, scalar(-kLevels), scalar(kLevels));
    auto xqType =
        RankedTensorType::get(xType.getShape(), i8, xType.getEncoding());
    Value xq = nn::CastOp::create(b, loc, xqType, clipped);

    auto resultType = cast<RankedTensorType>(op.getType());
    auto accType = RankedTensorType::get(resultType.getShape(), b.getI32Type(),
                                         resultType.getEncoding());
    Value zero = nn::ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(RankedTensorType::get({}, i8),
                               b.getIntegerAttr(i8, 0)));
    Value acc =
        lowbit::MatMulOp::create(b, loc, accType, xq, wqValue, zero, zero,
                                 b.getBoolAttr(false), b.getBoolAttr(false));
    Value real = nn::CastOp::create(b, loc, resultType, acc);
    Value y = nn::MulOp::create(
        b, loc, nn::MulOp::create(b, loc, real, rowScale), wScale);
    op.replaceAllUsesWith(y);
    op.erase();
  }
};

} // namespace
