// A malformed op is a located diagnostic and exit status 1, not a crash
// (`not` fails on a crash as well as on success).
// RUN: not ddl-opt %s 2>&1 | FileCheck %s
// CHECK: ddl-opt-errors.mlir:[[@LINE+3]]:8: error: 'nn.matmul' op contracted dimensions differ
// CHECK-NOT: Stack dump
func.func @bad(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) -> tensor<2x5xf32> {
  %0 = nn.matmul %a, %b : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}
