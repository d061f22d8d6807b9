// Input of mlir-input.test: result types written less precisely than ddl infers.
func.func @main(%x: tensor<?x3xf32, #nn.dims<batch, 3>> {nn.name = "x"}) -> (tensor<?x?xf32> {nn.name = "y"}) {
  %0 = nn.relu %x : (tensor<?x3xf32, #nn.dims<batch, 3>>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}
