//===- LayerQuantizer.h - finding the linear layers to quantize -*- C++ -*-===//
//
// What the post-training quantization passes (nn-quantize-int8,
// nn-quantize-int4) share: which nn ops are linear layers with constant
// f32 weights, which of them stay in float (too small, or kept by name),
// and how a Gemm's alpha, beta and C wrap the quantized product.
//
//===----------------------------------------------------------------------===//

#ifndef DDL_PASSES_QUANT_LAYERQUANTIZER_H
#define DDL_PASSES_QUANT_LAYERQUANTIZER_H

#include "dialects/nn/NNDialect.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/STLFunctionalExtras.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

namespace ddl::quant {

/// One linear layer's constant weights, as [K][N] (row k holds the N
/// outputs' weights of input k).
struct LayerWeights {
  int64_t k = 0, n = 0;
  std::vector<float> values;
};

/// Builds factor * x @ w (w as in LayerWeights) of `resultType` in place of
/// a layer, quantized its own way.
using QuantizedProduct = llvm::function_ref<mlir::Value(
    mlir::OpBuilder &, mlir::Location, mlir::Value x, const LayerWeights &w,
    float factor, mlir::RankedTensorType resultType)>;

/// Replaces every f32 nn.matmul by constant [K, N] weights, and every
/// nn.gemm (A not transposed) by constant weights, under `root` by
/// `product`, except layers with K < minK or N < minN, layers whose
/// location contains one of `keep`, and those `accepts` refuses (the
/// shapes a mode cannot pack).
void quantizeLayers(mlir::Operation *root, int64_t minK, int64_t minN,
                    llvm::ArrayRef<std::string> keep,
                    llvm::function_ref<bool(int64_t k, int64_t n)> accepts,
                    QuantizedProduct product);

/// round(v) (to nearest even) clipped to [-levels, levels]: a weight's
/// quantized level. A NaN (a NaN weight, or 0 / 0 where a scale
/// underflowed) is level 0, not undefined behaviour.
inline int roundToLevel(float v, float levels) {
  if (std::isnan(v))
    return 0;
  return int(std::clamp(std::nearbyint(v), -levels, levels));
}

/// The largest magnitude of symmetric int8 (-128 is never used, so that
/// negation stays in range).
constexpr float kInt8Levels = 127.0f;

/// Activations `x` [..., K] quantized at run time per row (per token),
/// symmetric int8: returns {xq, s} with s = max_k |x| / 127 per row
/// (keeping the reduced axis, so it broadcasts against x and against the
/// product's rows) and xq = round(x / s) clipped to [-127, 127] as i8.
std::pair<mlir::Value, mlir::Value>
quantizeRowsSymmetric(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x);

/// `x` as symmetric int8 by `scale` (any shape that broadcasts against x):
/// round(x / scale) clipped to [-127, 127], as i8.
mlir::Value quantizeSymmetric(mlir::OpBuilder &b, mlir::Location loc,
                              mlir::Value x, mlir::Value scale);

/// A 0-d f32 nn.constant.
mlir::Value scalarConstant(mlir::OpBuilder &b, mlir::Location loc, float v);

/// Whether `op`'s location (the ONNX node name, the PyTorch source line)
/// contains one of `keep`: the user asked for it to stay in float.
bool keptInFloat(mlir::Operation *op, llvm::ArrayRef<std::string> keep);

} // namespace ddl::quant

#endif // DDL_PASSES_QUANT_LAYERQUANTIZER_H
