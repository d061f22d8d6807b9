func.func @main(%x: tensor<?x8xf32, #nn.dims<batch, 8>>) -> tensor<?x3xf32> {
  %w = nn.constant dense<0.5> : tensor<8x3xf32>
  %b = nn.constant dense<[0.5, -1.0, 0.0]> : tensor<3xf32>
  %y = nn.matmul %x, %w : (tensor<?x8xf32, #nn.dims<batch, 8>>, tensor<8x3xf32>) -> tensor<?x3xf32>
  %s = nn.add %y, %b : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %r = nn.relu %s : (tensor<?x3xf32>) -> tensor<?x3xf32>
  return %r : tensor<?x3xf32>
}
