//===- QuantizeFp8.cpp - post-training fp8 (E4M3) quantization ------------===//
//
// See NNQuantizeFp8Pass in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "dialects/lowbit/Fp8.h"
#include "lib/Support/ConstantData.h"
#include "passes/quant/LayerQuantizer.h"
#include "passes/quant/Passes.h"

#include <cmath>

using namespace mlir;
using namespace ddl;

namespace ddl::quant {
#define GEN_PASS_DEF_NNQUANTIZEFP8PASS
#include "passes/quant/Passes.h.inc"
} // namespace ddl::quant

namespace {

struct NNQuantizeFp8Pass final
    : quant::impl::NNQuantizeFp8PassBase<NNQuantizeFp8Pass> {
  using Base::Base;

  void runOnOperation() override {
    std::optional<lowbit::Fp8Format> fp8 = lowbit::fp8Format(format);
    if (!fp8) {
      getOperation().emitError()
          << "nn-quantize-fp8: unknown format '" << format.getValue()
          << "' (expected e4m3 or e5m2)";
      return signalPassFailure();
    }
    unsigned counter = 0;
    quant::quantizeLayers(
        getOperation(), minK, minN, keep, [](int64_t, int64_t) { return true; },
        [&](OpBuilder &b, Location loc, Value x, const quant::LayerWeights &w,
            float factor, RankedTensorType resultType) {
          return quantizedProduct(b, loc, x, w, factor, resultType, *fp8,
                                  counter);
        });
  }

  /// factor * x @ w with w fp8 now (one scale for the tensor) and x fp8
  /// at run time (one scale for the tensor, from its largest magnitude).
  Value quantizedProduct(OpBuilder &b, Location loc, Value x,
                         const quant::LayerWeights &layer, float factor,
                         RankedTensorType resultType,
                         const lowbit::Fp8Format &fp8, unsigned &counter) {
    int64_t k = layer.k, n = layer.n;
    float largest = 0;
    for (float v : layer.values)
      largest = std::max(largest, std::fabs(v));
    float scale = largest > 0 ? largest / fp8.max : 1.0f;
    std::vector<int8_t> bytes(n * k);
    for (int64_t row = 0; row < n; ++row)
      for (int64_t col = 0; col < k; ++col)
        bytes[row * k + col] =
            int8_t(lowbit::encodeFp8(layer.values[col * n + row] / scale, fp8));
    Type i8 = b.getIntegerType(8);
    std::string name = "ddl_fp8_weights_" + std::to_string(counter++);
    Value weights = nn::ConstantOp::create(
        b, loc, i8Resource(RankedTensorType::get({n, k}, i8), name, bytes));

    // The activations' scale: max |x| / the largest finite value, over the
    // whole tensor.
    auto xType = cast<RankedTensorType>(x.getType());
    Value largestInput = nn::ReduceOp::create(
        b, loc, nn::AbsOp::create(b, loc, x),
        nn::ReduceKindAttr::get(b.getContext(), nn::ReduceKind::Max),
        b.getDenseI64ArrayAttr(
            llvm::to_vector(llvm::seq<int64_t>(0, xType.getRank()))),
        b.getBoolAttr(false), b.getBoolAttr(false));
    // An all-zero input gets a tiny scale (its quantized values are 0).
    Value inputScale = nn::MaxOp::create(
        b, loc,
        nn::DivOp::create(b, loc, largestInput,
                          quant::scalarConstant(b, loc, fp8.max)),
        quant::scalarConstant(b, loc, 1e-30f));
    Value xq = lowbit::QuantizeFp8Op::create(
        b, loc,
        RankedTensorType::get(xType.getShape(), i8, xType.getEncoding()), x,
        inputScale, fp8.name);
    Value acc =
        lowbit::MatMulFp8Op::create(b, loc, resultType, xq, weights, fp8.name);
    return nn::MulOp::create(b, loc, nn::MulOp::create(b, loc, acc, inputScale),
                             quant::scalarConstant(b, loc, scale * factor));
  }
};

} // namespace
