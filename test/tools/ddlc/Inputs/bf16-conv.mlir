// Input of gpu-precision.test: a bf16 3x3 convolution with a bias and a
// run-time filter (a module's parameter when it is not frozen).
func.func @main(%x: tensor<2x64x16x16xbf16> {nn.name = "x"}, %w: tensor<128x64x3x3xbf16> {nn.name = "w"}, %b: tensor<128xbf16> {nn.name = "b"}) -> (tensor<2x128x16x16xbf16> {nn.name = "y"}) {
  %0 = nn.conv %x, %w, %b {pads = array<i64: 1, 1, 1, 1>} : (tensor<2x64x16x16xbf16>, tensor<128x64x3x3xbf16>, tensor<128xbf16>) -> tensor<2x128x16x16xbf16>
  return %0 : tensor<2x128x16x16xbf16>
}
