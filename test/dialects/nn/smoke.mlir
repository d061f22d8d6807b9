// RUN: ddl-opt %s | FileCheck %s
// CHECK-LABEL: func.func @f
func.func @f(%a: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: nn.relu
  %0 = nn.relu %a : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
