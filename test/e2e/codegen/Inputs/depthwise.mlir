// A channels-first 3x3 depthwise convolution over 32 channels with bias and
// clip (MobileNetV2's): nn-channels-last turns it NHWC, the lowering makes
// it linalg.depthwise_conv_2d_nhwc_hwc and ddl-depthwise-to-vector a vector
// kernel with the bias and the clip folded in.
func.func @main(%x: tensor<1x32x16x16xf32>) -> tensor<1x32x16x16xf32> {
  %w = nn.constant dense<0.5> : tensor<32x1x3x3xf32>
  %b = nn.constant dense<0.25> : tensor<32xf32>
  %lo = nn.constant dense<0.0> : tensor<f32>
  %hi = nn.constant dense<6.0> : tensor<f32>
  %0 = nn.conv %x, %w, %b {group = 32 : i64, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x32x16x16xf32>, tensor<32x1x3x3xf32>, tensor<32xf32>) -> tensor<1x32x16x16xf32>
  %1 = nn.clip %0 min %lo max %hi : (tensor<1x32x16x16xf32>, tensor<f32>, tensor<f32>) -> tensor<1x32x16x16xf32>
  return %1 : tensor<1x32x16x16xf32>
}
