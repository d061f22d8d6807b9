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

/// The largest magnitude of symmetric int4 (-8 is never used).
constexpr float kInt4Levels = 7.0f;

/// Stores the 4-bit level `q` of value `col` of a row of packed int4 bytes
/// (lowbit.matmul_int4's and lowbit.embedding's layout: per 32-wide block
/// b, byte 16 b + j holds 32 b + j in its low nibble and 32 b + 16 + j in
/// its high one).
inline void setInt4(int8_t *row, int64_t col, int q) {
  int64_t block = col / 32, j = col % 32;
  int8_t &byte = row[block * 16 + j % 16];
  byte = int8_t(j < 16 ? (uint8_t(byte) & 0xF0) | (q & 0xF)
                       : (uint8_t(byte) & 0x0F) | ((q & 0xF) << 4));
}

/// Replaces every nn.gather of rows (axis 0) of a constant f32 table [V, D]
/// under `root` by a lowbit.embedding of the table quantized symmetrically
/// to `bits` (8 or 4) with one scale per `groupSize` values of a row
/// (`groupSize` 0: one per row), except tables with D < minD or V < minV,
/// those whose location contains one of `keep`, and, for 4 bits, D not a
/// multiple of 32 and of the group.
void quantizeEmbeddings(mlir::Operation *root, int64_t minD, int64_t minV,
                        llvm::ArrayRef<std::string> keep, int64_t bits,
                        int64_t groupSize);

/// Whether `op`'s location (the ONNX node name, the PyTorch source line)
/// contains one of `keep`: the user asked for it to stay in float.
bool keptInFloat(mlir::Operation *op, llvm::ArrayRef<std::string> keep);

} // namespace ddl::quant

#endif // DDL_PASSES_QUANT_LAYERQUANTIZER_H
