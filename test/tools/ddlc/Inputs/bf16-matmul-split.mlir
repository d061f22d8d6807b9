// Input of gpu-precision.test: a bf16 product of 16 rows (one row of
// tiles) with a long k: the Hopper kernel splits k.
func.func @main(%a: tensor<16x4096xbf16> {nn.name = "a"}, %b: tensor<4096x1024xbf16> {nn.name = "b"}) -> (tensor<16x1024xbf16> {nn.name = "c"}) {
  %0 = nn.matmul %a, %b : (tensor<16x4096xbf16>, tensor<4096x1024xbf16>) -> tensor<16x1024xbf16>
  return %0 : tensor<16x1024xbf16>
}
