// A small MLP with a dynamic batch, for ddlc --specialize.
func.func @main(%x: tensor<?x16xf32, #nn.dims<batch, 16>> {nn.name = "x"}) -> (tensor<?x8xf32, #nn.dims<batch, 8>> {nn.name = "y"}) {
  %w = nn.constant dense<0.125> : tensor<16x8xf32>
  %b = nn.constant dense<-0.5> : tensor<8xf32>
  %0 = nn.matmul %x, %w : (tensor<?x16xf32, #nn.dims<batch, 16>>, tensor<16x8xf32>) -> tensor<?x8xf32, #nn.dims<batch, 8>>
  %1 = nn.add %0, %b : (tensor<?x8xf32, #nn.dims<batch, 8>>, tensor<8xf32>) -> tensor<?x8xf32, #nn.dims<batch, 8>>
  %2 = nn.relu %1 : (tensor<?x8xf32, #nn.dims<batch, 8>>) -> tensor<?x8xf32, #nn.dims<batch, 8>>
  return %2 : tensor<?x8xf32, #nn.dims<batch, 8>>
}
