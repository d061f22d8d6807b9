// RUN: ddl-opt %s --split-input-file --verify-diagnostics \
// RUN:   --nn-specialize-shapes="sizes=batch=1,8" --nn-infer-shapes | FileCheck %s

// Two sizes of `batch`: a guard per size (the input's run-time size against
// the constant), a copy of the body with the input cast to that size (made
// static by nn-infer-shapes), and the generic body last.
// CHECK-LABEL: func.func @main(
// CHECK: %[[D1:.+]] = nn.shape_of %arg0 {end = 1 : i64}
// CHECK: %[[C1:.+]] = nn.constant dense<1> : tensor<1xi64>
// CHECK: %[[G1:.+]] = nn.equal %[[D1]], %[[C1]]
// CHECK: nn.if %[[G1]] : tensor<1xi1> -> tensor<?x4xf32, #nn.dims<batch, 4>> {
// CHECK: tensor.cast %arg0 : tensor<?x8xf32, #nn.dims<batch, 8>> to tensor<1x8xf32>
// CHECK: nn.matmul %{{.+}}, %arg1 : (tensor<1x8xf32>, tensor<8x4xf32>) -> tensor<1x4xf32>
// CHECK: nn.yield %{{.+}} : tensor<1x4xf32>
// CHECK: } else {
// CHECK: nn.constant dense<8> : tensor<1xi64>
// CHECK: nn.if
// CHECK: tensor.cast %arg0 : tensor<?x8xf32, #nn.dims<batch, 8>> to tensor<8x8xf32>
// CHECK: nn.yield %{{.+}} : tensor<8x4xf32>
// CHECK: } else {
// CHECK: nn.matmul %arg0, %arg1 : (tensor<?x8xf32, #nn.dims<batch, 8>>, tensor<8x4xf32>) -> tensor<?x4xf32, #nn.dims<batch, 4>>
func.func @main(%x: tensor<?x8xf32, #nn.dims<batch, 8>>, %w: tensor<8x4xf32>) -> tensor<?x4xf32, #nn.dims<batch, 4>> {
  %0 = nn.matmul %x, %w : (tensor<?x8xf32, #nn.dims<batch, 8>>, tensor<8x4xf32>) -> tensor<?x4xf32, #nn.dims<batch, 4>>
  %1 = nn.relu %0 : (tensor<?x4xf32, #nn.dims<batch, 4>>) -> tensor<?x4xf32, #nn.dims<batch, 4>>
  return %1 : tensor<?x4xf32, #nn.dims<batch, 4>>
}

// -----

// expected-error @+1 {{cannot specialize 'batch': no input dimension is named so (the inputs name: seq)}}
func.func @unnamed(%x: tensor<?x8xf32, #nn.dims<seq, 8>>) -> tensor<?x8xf32, #nn.dims<seq, 8>> {
  return %x : tensor<?x8xf32, #nn.dims<seq, 8>>
}
