// RUN: ddl-opt %s --ddl-lowbit-to-linalg --split-input-file | FileCheck %s

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

// -----

// ternary, 5 per byte, K = 384: one generic over (m, n, k). Below k = 320
// (one base-3 block) the byte is 64 (k / 320) + k % 64 and the trit digit
// (k / 64) % 5 of it, ((q 3^digit) & 255) 3 >> 8; above, the 2-bit block
// after the 64 base-3 bytes, byte 16 (k' / 64) + k' % 16, bits 2 ((k' %
// 64) / 16). Trit = code - 1, times the sign-extended activation.
// CHECK-LABEL: func.func @ternary
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]
// CHECK:   %[[N:.*]] = linalg.index 1
// CHECK:   %[[K:.*]] = linalg.index 2
// CHECK:   %[[BASE3:.*]] = arith.cmpi ult, %[[K]], %{{.*}} : index
// CHECK:   arith.select %[[BASE3]], %c0
// CHECK:   %[[BYTE:.*]] = arith.select %[[BASE3]], %{{.*}}, %{{.*}} : index
// CHECK:   tensor.extract %{{.*}}[%[[N]], %[[BYTE]]] : tensor<8x80xi8>
// CHECK:   arith.andi %{{.*}}, %c255_i32
// CHECK:   arith.muli %{{.*}}, %c3_i32
// CHECK:   arith.shrui %{{.*}}, %c8_i32
// CHECK:   arith.andi %{{.*}}, %c3_i32
// CHECK:   %[[CODE:.*]] = arith.select %[[BASE3]]
// CHECK:   %[[TRIT:.*]] = arith.subi %[[CODE]], %c1_i32
// CHECK:   arith.extsi
// CHECK:   arith.muli %{{.*}}, %[[TRIT]]
// CHECK-NOT: lowbit.matmul_ternary
func.func @ternary(%x: tensor<?x384xi8>, %w: tensor<8x80xi8>) -> tensor<?x8xi32> {
  %y = lowbit.matmul_ternary %x, %w {trits_per_byte = 5} : (tensor<?x384xi8>, tensor<8x80xi8>) -> tensor<?x8xi32>
  return %y : tensor<?x8xi32>
}

// -----

// fp8: quantize_fp8 is an elementwise generic on the f32 bits of x / s
// (NaN -> 0x7F, clamp to 448, nearest even of 3 mantissa bits rebiased by
// 960 = 120 << 3, or below 2^-6 (0x3C800000) |v| 2^9 rounded by adding
// 2^23); matmul_fp8 a generic over (m, n, k) with weights [N, K] that
// decodes both bytes by integer steps and accumulates in f32.
// CHECK-LABEL: func.func @fp8
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]
// CHECK:   arith.divf
// CHECK:   arith.bitcast %{{.*}} : f32 to i32
// CHECK:   arith.minui %{{.*}}, %c1138753536_i32
// CHECK:   arith.subi %{{.*}}, %c960_i32
// CHECK:   arith.subi %{{.*}}, %c1258291200_i32
// CHECK:   arith.cmpi uge, %{{.*}}, %c1015021568_i32
// CHECK:   arith.trunci %{{.*}} : i32 to i8
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]
// CHECK-COUNT-2: arith.cmpi ult, %{{.*}}, %c8_i32
// CHECK:   arith.mulf
// CHECK:   arith.addf
// CHECK-NOT: lowbit.
func.func @fp8(%x: tensor<?x64xf32>, %s: tensor<f32>, %w: tensor<24x64xi8>) -> tensor<?x24xf32> {
  %q = lowbit.quantize_fp8 %x, %s : (tensor<?x64xf32>, tensor<f32>) -> tensor<?x64xi8>
  %y = lowbit.matmul_fp8 %q, %w : (tensor<?x64xi8>, tensor<24x64xi8>) -> tensor<?x24xf32>
  return %y : tensor<?x24xf32>
}

// -----

// lowbit.embedding: first a check that every index is in [-V, V - 1]
// (cf.assert: a run-time error, as nn.gather's), then one parallel generic
// over [ids..., D]: the row (negative from the back), the int4 value's
// byte (16 (d / 32) + d mod 16) and nibble (the high one for d mod 32 >=
// 16; a low one moved up first, then an arithmetic shift down), times the
// group's scale: lowbit.matmul_int4's decode.
// CHECK-LABEL: func.func @embedding
// CHECK:       linalg.generic {{.*}}iterator_types = ["reduction"]{{.*}} ins(%arg0 : tensor<?xi64>)
// CHECK:         arith.cmpi slt
// CHECK:         arith.cmpi sge
// CHECK:       cf.assert %{{.*}}, "an index is out of range for the table's rows of data
// CHECK:       linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]{{.*}} ins(%arg0 : tensor<?xi64>) outs(%{{.*}} : tensor<?x64xf32>)
// CHECK:         %[[BYTE:.*]] = tensor.extract %arg1[%{{.*}}, %{{.*}}] : tensor<100x32xi8>
// CHECK:         %[[UP:.*]] = arith.shli %[[BYTE]], %{{.*}} : i8
// CHECK:         %[[RAISED:.*]] = arith.select %{{.*}}, %[[BYTE]], %[[UP]] : i8
// CHECK:         %[[Q:.*]] = arith.shrsi %[[RAISED]], %{{.*}} : i8
// CHECK:         %[[SCALE:.*]] = tensor.extract %arg2[%{{.*}}, %{{.*}}] : tensor<100x2xf32>
// CHECK:         %[[F:.*]] = arith.sitofp %[[Q]] : i8 to f32
// CHECK:         arith.mulf %[[F]], %[[SCALE]] : f32
// CHECK-NOT:   lowbit.embedding
func.func @embedding(%ids: tensor<?xi64>, %t: tensor<100x32xi8>, %s: tensor<100x2xf32>) -> tensor<?x64xf32> {
  %e = lowbit.embedding %ids, %t, %s {bits = 4, group_size = 32}
      : (tensor<?xi64>, tensor<100x32xi8>, tensor<100x2xf32>) -> tensor<?x64xf32>
  return %e : tensor<?x64xf32>
}
