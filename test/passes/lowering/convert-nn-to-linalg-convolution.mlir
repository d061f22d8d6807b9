// RUN: ddl-opt %s --convert-nn-to-linalg --split-input-file | FileCheck %s

// A channels-last convolution with a GEMM kernel: the filter is rearranged
// to [F, KH*KW*C] at compile time, the input copied as im2col rows of
// KW*C floats, one linalg.matmul, the bias added channels-innermost; no
// transposes.
// CHECK-LABEL: func.func @gemm
// CHECK-NOT: linalg.transpose
// CHECK: tensor.pad
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<1x6x6x3x24xf32>)
// CHECK: linalg.matmul {{.*}} ins(%{{.*}}, %{{.*}} : tensor<36x72xf32>, tensor<16x72xf32>)
// CHECK: tensor.expand_shape {{.*}} into tensor<1x6x6x16xf32>
// CHECK: arith.addf
func.func @gemm(%x: tensor<1x6x6x8xf32>) -> tensor<1x6x6x16xf32> {
  %w = nn.constant dense<0.5> : tensor<16x8x3x3xf32>
  %b = nn.constant dense<0.25> : tensor<16xf32>
  %0 = nn.conv %x, %w, %b {channels_last, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x6x6x8xf32>, tensor<16x8x3x3xf32>, tensor<16xf32>) -> tensor<1x6x6x16xf32>
  return %0 : tensor<1x6x6x16xf32>
}

// -----

// Channels-last without a channels-last kernel (1-D, grouped but not
// depthwise): the input is permuted to channels-first, the linalg
// convolution runs there, and the result is permuted back.
// CHECK-LABEL: func.func @fallbacks
// CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<1x9x4xf32>) outs(%{{.*}} : tensor<1x4x9xf32>)
// CHECK: linalg.conv_1d_ncw_fcw
// CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<1x2x7xf32>) outs(%{{.*}} : tensor<1x7x2xf32>)
// CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<1x6x6x8xf32>) outs(%{{.*}} : tensor<1x8x6x6xf32>)
// CHECK: linalg.conv_2d_ngchw_gfchw
// CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<1x8x6x6xf32>) outs(%{{.*}} : tensor<1x6x6x8xf32>)
func.func @fallbacks(%x: tensor<1x9x4xf32>, %y: tensor<1x6x6x8xf32>) -> (tensor<1x7x2xf32>, tensor<1x6x6x8xf32>) {
  %w = nn.constant dense<0.5> : tensor<2x4x3xf32>
  %w2 = nn.constant dense<0.5> : tensor<8x4x1x1xf32>
  %0 = nn.conv %x, %w {channels_last} : (tensor<1x9x4xf32>, tensor<2x4x3xf32>) -> tensor<1x7x2xf32>
  %1 = nn.conv %y, %w2 {channels_last, group = 2 : i64} : (tensor<1x6x6x8xf32>, tensor<8x4x1x1xf32>) -> tensor<1x6x6x8xf32>
  return %0, %1 : tensor<1x7x2xf32>, tensor<1x6x6x8xf32>
}

// -----

// Filters computed at run time (a module's parameters passed as inputs)
// take the same kernels: a transpose to [KH, KW, C, F] collapsed to
// [KH*KW*C, F] before the GEMM (read unpacked), and to [KH, KW, C] for a
// depthwise one.
// CHECK-LABEL: func.func @runtime_filters
// CHECK: linalg.transpose ins(%{{.*}} : tensor<16x8x3x3xf32>) outs(%{{.*}} : tensor<3x3x8x16xf32>) permutation = [2, 3, 1, 0]
// CHECK: tensor.collapse_shape {{.*}} {{\[}}[0, 1, 2], [3]] : tensor<3x3x8x16xf32> into tensor<72x16xf32>
// CHECK: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<36x72xf32>, tensor<72x16xf32>)
// CHECK: linalg.transpose ins(%{{.*}} : tensor<8x1x3x3xf32>) outs(%{{.*}} : tensor<1x3x3x8xf32>) permutation = [1, 2, 3, 0]
// CHECK: tensor.collapse_shape {{.*}} {{\[}}[0, 1], [2], [3]] : tensor<1x3x3x8xf32> into tensor<3x3x8xf32>
// CHECK: linalg.depthwise_conv_2d_nhwc_hwc
func.func @runtime_filters(%x: tensor<1x6x6x8xf32>, %w: tensor<16x8x3x3xf32>, %dw: tensor<8x1x3x3xf32>) -> (tensor<1x6x6x16xf32>, tensor<1x6x6x8xf32>) {
  %0 = nn.conv %x, %w {channels_last, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x6x6x8xf32>, tensor<16x8x3x3xf32>) -> tensor<1x6x6x16xf32>
  %1 = nn.conv %x, %dw {channels_last, group = 8 : i64, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x6x6x8xf32>, tensor<8x1x3x3xf32>) -> tensor<1x6x6x8xf32>
  return %0, %1 : tensor<1x6x6x16xf32>, tensor<1x6x6x8xf32>
}
