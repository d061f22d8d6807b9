//===- IntegerConv.h - 2-D integer convolutions on the int8 GEMM ---*- C++
//-*-===//
//
// One construction of an integer convolution for every producer of one
// (the ONNX importer's ConvInteger / QLinearConv / QDQ convolutions, and
// `--quantize=int8`'s convolutions): channels-last im2col of the 8-bit
// input in nn ops, then lowbit.matmul (the int8 GEMM kernels).
//
//===----------------------------------------------------------------------===//

#ifndef DDL_DIALECTS_LOWBIT_INTEGERCONV_H
#define DDL_DIALECTS_LOWBIT_INTEGERCONV_H

#include "mlir/IR/Builders.h"

#include <array>
#include <vector>

namespace ddl::lowbit {

/// A 2-D convolution's window: strides, dilations and pads (top, left,
/// bottom, right), as ONNX orders them.
struct ConvWindow {
  std::array<int64_t, 2> strides = {1, 1}, dilations = {1, 1};
  std::array<int64_t, 4> pads = {0, 0, 0, 0};
};

/// The [OC, C, KH, KW] weights (row-major) as the [KH KW C, OC] matrix
/// buildIntegerConv2D multiplies by.
std::vector<int8_t> convWeightMatrix(llvm::ArrayRef<int8_t> weights,
                                     int64_t outChannels, int64_t channels,
                                     int64_t kh, int64_t kw);

/// sum((x - xZero) * (w - wZero)) over each window of the static [N, C, H,
/// W] 8-bit `x` (in `groups` groups of C / groups input channels, each
/// with OC / groups output channels, as ONNX groups them), as [N, OH, OW,
/// OC] i32: channels-last, so that what
/// follows (a requantization, a rescale) runs there and the transpose back
/// meets the next convolution's transpose to channels-last (nn-channels-
/// last cancels the pair). The input goes to [N, H, W, C], is padded with
/// `xZero` (a 0-d tensor of its element type), cut into one strided slice
/// per kernel position (each window position's C values contiguous), and
/// the [N OH OW, KH KW C] rows are multiplied by `weights`, the [KH KW C,
/// OC] 8-bit matrix (convWeightMatrix of a constant, which the int8 kernels
/// pack at compile time; [KH KW C / groups, OC] when grouped), with `wZero`
/// 0-d or [OC]. `xUnsigned` / `wUnsigned` say how the bytes read.
///
/// Grouped: each group is a group-1 convolution of its channels (a
/// constant matrix split into one constant per group); a depthwise one
/// (one input channel per group) is no GEMM at all, but KH KW products of
/// each tap's slice by that tap's weight row, widened to i32 and summed
/// (elementwise: the kernels fuse them into one pass). Null when the
/// window does not fit the input or the channels do not split into
/// `groups`.
mlir::Value buildIntegerConv2D(mlir::OpBuilder &b, mlir::Location loc,
                               mlir::Value x, mlir::Value xZero,
                               mlir::Value weights, mlir::Value wZero,
                               bool xUnsigned, bool wUnsigned, int64_t kh,
                               int64_t kw, const ConvWindow &window,
                               int64_t groups = 1);

} // namespace ddl::lowbit

#endif // DDL_DIALECTS_LOWBIT_INTEGERCONV_H
