// Input of gpu-precision.test: a bf16 matrix product (B with n contiguous),
// k = 256: 4 slices, too few to split.
func.func @main(%a: tensor<256x256xbf16> {nn.name = "a"}, %b: tensor<256x384xbf16> {nn.name = "b"}) -> (tensor<256x384xbf16> {nn.name = "c"}) {
  %0 = nn.matmul %a, %b : (tensor<256x256xbf16>, tensor<256x384xbf16>) -> tensor<256x384xbf16>
  return %0 : tensor<256x384xbf16>
}
