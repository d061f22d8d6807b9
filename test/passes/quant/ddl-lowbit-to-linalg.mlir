// RUN: ddl-opt %s --ddl-lowbit-to-linalg | FileCheck %s

// Unsigned activations widen with extui, signed weights with extsi; the
// zero points are subtracted in i32 (the weights' per column) before the
// i32 multiply-add over k.
// CHECK-DAG: #[[A:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
// CHECK-DAG: #[[W:.*]] = affine_map<(d0, d1, d2, d3) -> (d3, d2)>
// CHECK-DAG: #[[ZW:.*]] = affine_map<(d0, d1, d2, d3) -> (d2)>
// CHECK-LABEL: func.func @matmul
// CHECK: linalg.generic {indexing_maps = [#[[A]], #[[W]], #{{.*}}, #[[ZW]], #{{.*}}], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
// CHECK: ^bb0(%[[X:.*]]: i8, %[[Y:.*]]: i8, %[[ZX:.*]]: i8, %[[ZY:.*]]: i8, %[[ACC:.*]]: i32):
// CHECK-DAG: arith.extui %[[X]] : i8 to i32
// CHECK-DAG: arith.extui %[[ZX]] : i8 to i32
// CHECK-DAG: arith.extsi %[[Y]] : i8 to i32
// CHECK-DAG: arith.extsi %[[ZY]] : i8 to i32
// CHECK: arith.muli
// CHECK: arith.addi %[[ACC]]
func.func @matmul(%a: tensor<2x?x8xi8>, %w: tensor<8x16xi8>, %za: tensor<i8>,
                  %zw: tensor<16xi8>) -> tensor<2x?x16xi32> {
  %y = lowbit.matmul %a, %w, %za, %zw {lhs_unsigned = true, rhs_unsigned = false}
      : (tensor<2x?x8xi8>, tensor<8x16xi8>, tensor<i8>, tensor<16xi8>) -> tensor<2x?x16xi32>
  return %y : tensor<2x?x16xi32>
}
