//===- QuantizeTernary.cpp - post-training ternary (1.58-bit) quantization ===//
//
// See NNQuantizeTernaryPass in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "dialects/lowbit/Ternary.h"
#include "lib/Support/ConstantData.h"
#include "passes/quant/LayerQuantizer.h"
#include "passes/quant/Passes.h"

#include <cmath>

using namespace mlir;
using namespace ddl;

namespace ddl::quant {
#define GEN_PASS_DEF_NNQUANTIZETERNARYPASS
#include "passes/quant/Passes.h.inc"
} // namespace ddl::quant

namespace {

struct NNQuantizeTernaryPass final
    : quant::impl::NNQuantizeTernaryPassBase<NNQuantizeTernaryPass> {
  using Base::Base;

  void runOnOperation() override {
    if (tritsPerByte != 4 && tritsPerByte != 5) {
      getOperation().emitError()
          << "nn-quantize-ternary: trits-per-byte " << int64_t(tritsPerByte)
          << " must be 4 (2 bits per weight) or 5 (base 3, 1.6 bits)";
      return signalPassFailure();
    }
    unsigned counter = 0;
    quant::quantizeLayers(
        getOperation(), minK, minN, keep,
        [&](int64_t k, int64_t) { return lowbit::ternaryPackable(k); },
        [&](OpBuilder &b, Location loc, Value x, const quant::LayerWeights &w,
            float factor, RankedTensorType resultType) {
          return quantizedProduct(b, loc, x, w, factor, resultType, counter);
        });
  }

  /// factor * x @ w with w ternary now (per output: absmean scale, trits
  /// packed as lowbit.matmul_ternary reads them) and x int8 per row at run
  /// time.
  Value quantizedProduct(OpBuilder &b, Location loc, Value x,
                         const quant::LayerWeights &layer, float factor,
                         RankedTensorType resultType, unsigned &counter) {
    int64_t k = layer.k, n = layer.n;
    auto weight = [&](int64_t row, int64_t col) {
      return layer.values[col * n + row]; // output `row`, input `col`
    };
    std::vector<float> scales(n);
    std::vector<int8_t> trits(n * k);
    for (int64_t row = 0; row < n; ++row) {
      // BitNet's absmean: the mean magnitude scales the row. A row that is
      // ternary already (every nonzero weight +-a, as an exported
      // ternary checkpoint stores g t) keeps a as its scale: the mean
      // would be a times the fraction of nonzeros.
      double sum = 0;
      float magnitude = 0;
      bool ternaryAlready = true;
      for (int64_t col = 0; col < k; ++col) {
        float m = std::fabs(weight(row, col));
        sum += m;
        if (m != 0 && magnitude == 0)
          magnitude = m;
        ternaryAlready &= m == 0 || m == magnitude;
      }
      float scale = ternaryAlready && magnitude > 0 ? magnitude
                    : sum > 0                       ? float(sum / double(k))
                                                    : 1.0f;
      scales[row] = scale * factor;
      for (int64_t col = 0; col < k; ++col)
        trits[row * k + col] =
            int8_t(quant::roundToLevel(weight(row, col) / scale, 1.0f));
    }
    Type f32 = b.getF32Type(), i8 = b.getIntegerType(8);
    std::string name = "ddl_ternary_weights_" + std::to_string(counter++);
    Value weights = nn::ConstantOp::create(
        b, loc,
        i8Resource(RankedTensorType::get(
                       {n, lowbit::ternaryRowBytes(k, tritsPerByte)}, i8),
                   name, lowbit::packTernary(trits, n, k, tritsPerByte)));
    Value weightScale = nn::ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(RankedTensorType::get({n}, f32),
                               ArrayRef<float>(scales)));
    auto [xq, rowScale] = quant::quantizeRowsSymmetric(b, loc, x);
    auto accType = RankedTensorType::get(resultType.getShape(), b.getI32Type(),
                                         resultType.getEncoding());
    Value acc = lowbit::MatMulTernaryOp::create(
        b, loc, accType, xq, weights, b.getI64IntegerAttr(tritsPerByte));
    Value real = nn::CastOp::create(b, loc, resultType, acc);
    return nn::MulOp::create(b, loc, nn::MulOp::create(b, loc, real, rowScale),
                             weightScale);
  }
};

} // namespace
