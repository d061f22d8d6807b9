//===- QuantizeBf16.cpp - linear layers in bf16 ---------------------------===//
//
// See NNQuantizeBf16Pass in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "lib/Support/ConstantData.h"
#include "passes/quant/LayerQuantizer.h"
#include "passes/quant/Passes.h"

#include "llvm/ADT/APFloat.h"

using namespace mlir;
using namespace ddl;

namespace ddl::quant {
#define GEN_PASS_DEF_NNQUANTIZEBF16PASS
#include "passes/quant/Passes.h.inc"
} // namespace ddl::quant

namespace {

/// The bf16 nearest `v` (ties to even; NaN stays NaN), as its bits.
uint16_t toBf16(float v) {
  bool lostInfo = false;
  llvm::APFloat value(v);
  value.convert(llvm::APFloat::BFloat(), llvm::APFloat::rmNearestTiesToEven,
                &lostInfo);
  return uint16_t(value.bitcastToAPInt().getZExtValue());
}

struct NNQuantizeBf16Pass final
    : quant::impl::NNQuantizeBf16PassBase<NNQuantizeBf16Pass> {
  using Base::Base;

  void runOnOperation() override {
    quant::quantizeLayers(
        getOperation(), minK, minN, keep, [](int64_t, int64_t) { return true; },
        [&](OpBuilder &b, Location loc, Value x, const quant::LayerWeights &w,
            float factor, RankedTensorType resultType) {
          return product(b, loc, x, w, factor, resultType);
        });
  }

  /// factor * x @ w with w [N, K] bf16 now.
  Value product(OpBuilder &b, Location loc, Value x,
                const quant::LayerWeights &layer, float factor,
                RankedTensorType resultType) {
    int64_t k = layer.k, n = layer.n;
    std::vector<uint16_t> bits(n * k);
    for (int64_t row = 0; row < n; ++row)
      for (int64_t col = 0; col < k; ++col)
        bits[row * k + col] = toBf16(layer.values[col * n + row]);
    // (The resource manager makes the name unique.)
    Value weights = nn::ConstantOp::create(
        b, loc,
        halfResource(RankedTensorType::get({n, k}, b.getBF16Type()),
                     "ddl_bf16_weights", bits));
    Value y = lowbit::MatMulBf16Op::create(b, loc, resultType, x, weights);
    if (factor == 1.0f)
      return y;
    return nn::MulOp::create(b, loc, y, quant::scalarConstant(b, loc, factor));
  }
};

} // namespace
