// A linear layer: one constant-B GEMM kernel.
func.func @main(%x: tensor<64x96xf32>) -> tensor<64x128xf32> {
  %w = nn.constant dense<0.25> : tensor<96x128xf32>
  %y = nn.matmul %x, %w : (tensor<64x96xf32>, tensor<96x128xf32>) -> tensor<64x128xf32>
  return %y : tensor<64x128xf32>
}
