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
    SmallVector<Operation *> layers;
    getOperation().walk([&](Operation *op) {
      if (isa<nn::MatMulOp, nn::GemmOp>(op))
        layers.push_back(op);
    });
    unsigned counter = 0;
    for (Operation *op : layers) {
      if (auto matmul = dyn_cast<nn::MatMulOp>(op))
        quantizeMatMul(matmul, counter);
      else
        quantizeGemm(cast<nn::GemmOp>(op), counter);
    }
  }

  bool kept(Operation *op) {
    std::string location;
    llvm::raw_string_ostream os(location);
    op->getLoc().print(os);
    return llvm::any_of(keep, [&](const std::string &name) {
      return location.find(name) != std::string::npos;
    });
  }

  /// The constant f32 weights of a layer as [K][N] (transposed from [N][K]
  /// when `transposed`), or failure (not a constant, too small, kept).
  FailureOr<std::vector<float>> layerWeights(Operation *op, Value x, Value w,
                                             bool transposed, int64_t &k,
                                             int64_t &n) {
    auto xType = dyn_cast<RankedTensorType>(x.getType());
    auto wType = dyn_cast<RankedTensorType>(w.getType());
    ElementsAttr weights;
    if (!xType || !wType || xType.getRank() < 2 || wType.getRank() != 2 ||
        !xType.getElementType().isF32() || !wType.hasStaticShape() ||
        !matchPattern(w, m_Constant(&weights)))
      return failure();
    int64_t rows = wType.getDimSize(0), cols = wType.getDimSize(1);
    k = transposed ? cols : rows;
    n = transposed ? rows : cols;
    if (k < minK || n < minN || kept(op))
      return failure();
    std::vector<float> stored;
    if (failed(readF32Elements(weights, rows * cols, stored)))
      return failure();
    if (!transposed)
      return stored;
    std::vector<float> w2(k * n);
    for (int64_t r = 0; r < n; ++r)
      for (int64_t c = 0; c < k; ++c)
        w2[c * n + r] = stored[r * k + c];
    return w2;
  }

  void quantizeMatMul(nn::MatMulOp op, unsigned &counter) {
    int64_t k, n;
    FailureOr<std::vector<float>> w =
        layerWeights(op, op.getLhs(), op.getRhs(), false, k, n);
    if (failed(w))
      return;
    OpBuilder b(op);
    Value y = quantizedProduct(b, op.getLoc(), op.getLhs(), *w, k, n, 1.0f,
                               cast<RankedTensorType>(op.getType()), counter);
    op.replaceAllUsesWith(y);
    op.erase();
  }

  /// alpha * a @ op(b) + beta * c with a not transposed.
  void quantizeGemm(nn::GemmOp op, unsigned &counter) {
    int64_t k, n;
    if (op.getTransA())
      return;
    FailureOr<std::vector<float>> w =
        layerWeights(op, op.getA(), op.getB(), op.getTransB(), k, n);
    if (failed(w))
      return;
    OpBuilder b(op);
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(op.getType());
    Value y =
        quantizedProduct(b, loc, op.getA(), *w, k, n,
                         op.getAlpha().convertToFloat(), resultType, counter);
    if (Value c = op.getC()) {
      float beta = op.getBeta().convertToFloat();
      if (beta != 1.0f)
        c = nn::MulOp::create(b, loc, c, scalar(b, loc, beta));
      y = nn::AddOp::create(b, loc, y, c);
    }
    op.replaceAllUsesWith(y);
    op.erase();
  }

  static Value scalar(OpBuilder &b, Location loc, float v) {
    return nn::ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(RankedTensorType::get({}, b.getF32Type()),
                               b.getF32FloatAttr(v)));
  }

  /// factor * x @ w for `w` [k][n], as int8: the weights quantized now per
  /// output channel, `x` per row at run time, lowbit.matmul, rescaled.
  Value quantizedProduct(OpBuilder &b, Location loc, Value x, ArrayRef<float> w,
                         int64_t k, int64_t n, float factor,
                         RankedTensorType resultType, unsigned &counter) {
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
    for (float &s : scale)
      s *= factor;

    MLIRContext *ctx = b.getContext();
    Type f32 = b.getF32Type(), i8 = b.getIntegerType(8);
    std::string name = "ddl_int8_weights_" + std::to_string(counter++);
    Value wqValue = nn::ConstantOp::create(
        b, loc, i8Resource(RankedTensorType::get({k, n}, i8), name, wq));
    Value wScale = nn::ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(RankedTensorType::get({n}, f32),
                               ArrayRef<float>(scale)));

    // Activations: per row, symmetric, at run time.
    auto xType = cast<RankedTensorType>(x.getType());
    int64_t lastAxis = xType.getRank() - 1;
    Value magnitude = nn::AbsOp::create(b, loc, x);
    Value rowMax = nn::ReduceOp::create(
        b, loc, magnitude, nn::ReduceKindAttr::get(ctx, nn::ReduceKind::Max),
        b.getDenseI64ArrayAttr({lastAxis}), b.getBoolAttr(true),
        b.getBoolAttr(false));
    // A row of zeros gets a tiny scale (its quantized values are 0).
    Value rowScale = nn::MaxOp::create(
        b, loc, nn::DivOp::create(b, loc, rowMax, scalar(b, loc, kLevels)),
        scalar(b, loc, 1e-30f));
    Value rounded =
        nn::RoundOp::create(b, loc, nn::DivOp::create(b, loc, x, rowScale));
    Value clipped = nn::ClipOp::create(
        b, loc, rounded, scalar(b, loc, -kLevels), scalar(b, loc, kLevels));
    auto xqType =
        RankedTensorType::get(xType.getShape(), i8, xType.getEncoding());
    Value xq = nn::CastOp::create(b, loc, xqType, clipped);

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
    return nn::MulOp::create(b, loc, nn::MulOp::create(b, loc, real, rowScale),
                             wScale);
  }
};

} // namespace
