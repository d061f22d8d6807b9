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

// -----

// int4: one generic over (m, n, k); each weight's byte is 16 (k / 32) +
// k % 16 of row n, its nibble the high one when k % 32 >= 16 (else shifted
// up first), sign-extended by an arithmetic shift, times the scale of
// group k / 64.
// CHECK-LABEL: func.func @int4
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]
// CHECK:   %[[N:.*]] = linalg.index 1
// CHECK:   %[[K:.*]] = linalg.index 2
// CHECK:   tensor.extract %{{.*}}[%[[N]], %{{.*}}] : tensor<40x64xi8>
// CHECK:   arith.cmpi uge
// CHECK:   arith.select
// CHECK:   arith.shrsi
// CHECK:   arith.divui %[[K]], %c64
// CHECK:   tensor.extract %{{.*}}[%[[N]], %{{.*}}] : tensor<40x2xf32>
// CHECK:   arith.sitofp
// CHECK-NOT: lowbit.matmul_int4
func.func @int4(%x: tensor<?x128xf32>, %w: tensor<40x64xi8>, %s: tensor<40x2xf32>) -> tensor<?x40xf32> {
  %y = lowbit.matmul_int4 %x, %w, %s {group_size = 64} : (tensor<?x128xf32>, tensor<40x64xi8>, tensor<40x2xf32>) -> tensor<?x40xf32>
  return %y : tensor<?x40xf32>
}
