// RUN: ddl-opt %s --convert-nn-to-linalg --canonicalize | FileCheck %s

// An unnamed dynamic size: a unary op's result has its input's size (the
// shape reifies as the input's tensor.dim), so the input is read through
// the identity map, not indexed at run time; a binary op against a static
// size is indexed at run time (the dynamic operand may be 1).
// CHECK-LABEL: func.func @anonymous_dynamic
// CHECK:         %[[RELU:.*]] = linalg.generic {{.*}} ins(%arg0 : tensor<?xf32>)
// CHECK:           arith.maximumf
// CHECK-NOT:       tensor.extract
// CHECK:         linalg.generic {{.*}} ins(%arg1 : tensor<4xf32>)
// CHECK:           linalg.index 0
// CHECK:           tensor.extract %[[RELU]]
func.func @anonymous_dynamic(%x: tensor<?xf32>, %c: tensor<4xf32>) -> tensor<4xf32> {
  %r = nn.relu %x : (tensor<?xf32>) -> tensor<?xf32>
  %z = nn.add %r, %c : (tensor<?xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %z : tensor<4xf32>
}

// A constant resize scale whose product overflows: the size is left to run
// time (it used to be a size without a value, and the lowering crashed).
// CHECK-LABEL: func.func @resize_scale_overflow
// CHECK: arith.fptosi
// CHECK: tensor.empty(%{{.*}}) : tensor<1x3x8x?xf32>
func.func @resize_scale_overflow(%x: tensor<1x3x8x8xf32>) -> tensor<?x?x?x?xf32> {
  %s = nn.constant dense<[1.0, 1.0, 1.0, 1.0e30]> : tensor<4xf32>
  %0 = nn.resize %x scales %s : (tensor<1x3x8x8xf32>, tensor<4xf32>) -> tensor<?x?x?x?xf32>
  return %0 : tensor<?x?x?x?xf32>
}
