// A linear layer with a symbolic batch: the input of matmul-asm.test.
func.func @main(%x: tensor<?x256xf32, #nn.dims<batch, 256>> {nn.name = "x"}) -> (tensor<?x512xf32, #nn.dims<batch, 512>> {nn.name = "y"}) {
  %w = nn.constant dense<0.5> : tensor<256x512xf32>
  %y = nn.matmul %x, %w : (tensor<?x256xf32, #nn.dims<batch, 256>>, tensor<256x512xf32>) -> tensor<?x512xf32, #nn.dims<batch, 512>>
  return %y : tensor<?x512xf32, #nn.dims<batch, 512>>
}
