//===- QuantizeInt8.cpp - post-training int8 quantization -----------------===//
//
// See NNQuantizeInt8Pass in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "lib/Support/ConstantData.h"
#include "passes/quant/LayerQuantizer.h"
#include "passes/quant/Passes.h"

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

/// factor * x @ w as int8: the weights quantized now per output channel,
/// `x` per row at run time, lowbit.matmul, rescaled.
Value quantizedProduct(OpBuilder &b, Location loc, Value x,
                       const quant::LayerWeights &layer, float factor,
                       RankedTensorType resultType, unsigned &counter) {
  int64_t k = layer.k, n = layer.n;
  ArrayRef<float> w = layer.values;
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
      wq[r * n + c] = int8_t(std::clamp(std::nearbyint(w[r * n + c] / scale[c]),
                                        -kLevels, kLevels));
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
      b, loc,
      nn::DivOp::create(b, loc, rowMax, quant::scalarConstant(b, loc, kLevels)),
      quant::scalarConstant(b, loc, 1e-30f));
  Value rounded =
      nn::RoundOp::create(b, loc, nn::DivOp::create(b, loc, x, rowScale));
  Value clipped = nn::ClipOp::create(b, loc, rounded,
                                     quant::scalarConstant(b, loc, -kLevels),
                                     quant::scalarConstant(b, loc, kLevels));
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

struct NNQuantizeInt8Pass final
    : quant::impl::NNQuantizeInt8PassBase<NNQuantizeInt8Pass> {
  using Base::Base;

  void runOnOperation() override {
    unsigned counter = 0;
    quant::quantizeLayers(
        getOperation(), minK, minN, keep, [](int64_t, int64_t) { return true; },
        [&](OpBuilder &b, Location loc, Value x, const quant::LayerWeights &w,
            float factor, RankedTensorType resultType) {
          return quantizedProduct(b, loc, x, w, factor, resultType, counter);
        });
  }
};

} // namespace
