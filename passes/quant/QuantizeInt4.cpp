//===- QuantizeInt4.cpp - post-training int4 weight-only quantization -----===//
//
// See NNQuantizeInt4Pass in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "lib/Support/ConstantData.h"
#include "passes/quant/LayerQuantizer.h"
#include "passes/quant/Passes.h"

#include <cmath>

using namespace mlir;
using namespace ddl;

namespace ddl::quant {
#define GEN_PASS_DEF_NNQUANTIZEINT4PASS
#include "passes/quant/Passes.h.inc"
} // namespace ddl::quant

namespace {

struct NNQuantizeInt4Pass final
    : quant::impl::NNQuantizeInt4PassBase<NNQuantizeInt4Pass> {
  using Base::Base;

  void runOnOperation() override {
    if (groupSize < 32 || groupSize % 32) {
      getOperation().emitError()
          << "nn-quantize-int4: group-size " << int64_t(groupSize)
          << " must be a positive multiple of 32";
      return signalPassFailure();
    }
    unsigned counter = 0;
    quant::quantizeLayers(
        getOperation(), minK, minN, keep,
        // The packing needs whole groups (and 32-wide blocks) of k.
        [&](int64_t k, int64_t) { return k % groupSize == 0; },
        [&](OpBuilder &b, Location loc, Value x, const quant::LayerWeights &w,
            float factor, RankedTensorType resultType) {
          return quantizedProduct(b, loc, x, w, factor, resultType, counter);
        });
    quant::quantizeEmbeddings(getOperation(), minK, minN, keep, /*bits=*/4,
                              groupSize);
  }

  /// factor * x @ w with w quantized now to int4 per group of `groupSize`
  /// inputs of each output, packed as lowbit.matmul_int4 reads it.
  Value quantizedProduct(OpBuilder &b, Location loc, Value x,
                         const quant::LayerWeights &layer, float factor,
                         RankedTensorType resultType, unsigned &counter) {
    int64_t k = layer.k, n = layer.n, groups = k / groupSize;
    auto weight = [&](int64_t row, int64_t col) {
      return layer.values[col * n + row]; // output `row`, input `col`
    };
    std::vector<float> scales(n * groups);
    std::vector<int8_t> packed(n * k / 2, 0);
    for (int64_t row = 0; row < n; ++row) {
      for (int64_t g = 0; g < groups; ++g) {
        float largest = 0;
        for (int64_t col = g * groupSize; col < (g + 1) * groupSize; ++col)
          largest = std::max(largest, std::fabs(weight(row, col)));
        float scale = largest > 0 ? largest / quant::kInt4Levels : 1.0f;
        scales[row * groups + g] = scale * factor;
        for (int64_t col = g * groupSize; col < (g + 1) * groupSize; ++col) {
          int q =
              quant::roundToLevel(weight(row, col) / scale, quant::kInt4Levels);
          quant::setInt4(packed.data() + row * (k / 2), col, q);
        }
      }
    }
    Type f32 = b.getF32Type(), i8 = b.getIntegerType(8);
    std::string name = "ddl_int4_weights_" + std::to_string(counter++);
    Value weights = nn::ConstantOp::create(
        b, loc,
        i8Resource(RankedTensorType::get({n, k / 2}, i8), name, packed));
    Value scaleValue = nn::ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(RankedTensorType::get({n, groups}, f32),
                               ArrayRef<float>(scales)));
    return lowbit::MatMulInt4Op::create(b, loc, resultType, x, weights,
                                        scaleValue,
                                        b.getI64IntegerAttr(groupSize));
  }
};

} // namespace
