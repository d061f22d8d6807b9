// RUN: ddl-opt %s --ddl-lowbit-matmul-to-vnni="assume-vnni=1" --split-input-file | FileCheck %s
// RUN: ddl-opt %s --ddl-lowbit-matmul-to-vnni="target=aarch64" --split-input-file | FileCheck %s --check-prefix=SDOT

// Signed activations and per-column weight zero points: the weights are
// packed now ([N/64][K/4][64][4] bytes: 1 column block x 2 quads x 256), the
// corrections are constant vectors, and per group of 4 k each of the 4 rows
// gets one broadcast (shifted by xor 0x80) and 4 + 1 dot products (the last
// one sums the row, which the per-column zero points need). K = 7: the
// last quad loads 3 bytes, the missing one reading as -128.
// CHECK-LABEL: func.func @signed
// CHECK-DAG: arith.constant dense<{{.*}}> : tensor<512xi8>
// CHECK-DAG: arith.constant dense<{{.*}}> : tensor<64xi32>
// CHECK: scf.parallel
// CHECK: scf.for
// CHECK-COUNT-4: vector.load %{{.*}} : memref<512xi8>, vector<64xi8>
// CHECK: arith.xori
// CHECK-COUNT-5: lowbit.dot_u8s8
// CHECK: vector.maskedload {{.*}} : memref<5x7xi8>, vector<4xi1>, vector<4xi8> into vector<4xi8>
// CHECK: vector.maskedstore
// CHECK: bufferization.to_tensor
// On aarch64 (Arm's sdot, s8 x s8) the same kernel keeps signed
// activations as they are (no xor; a missing byte reads as 0) and uses
// lowbit.dot_s8s8.
// SDOT-LABEL: func.func @signed
// SDOT-NOT: arith.xori
// SDOT-COUNT-5: lowbit.dot_s8s8
// SDOT: arith.constant dense<0> : vector<4xi8>
// SDOT: vector.maskedload
// SDOT-LABEL: func.func @runtime_weights
func.func @signed(%a: tensor<5x7xi8>) -> tensor<5x20xi32> {
  %w = arith.constant dense<3> : tensor<7x20xi8>
  %za = arith.constant dense<-3> : tensor<i8>
  %zw = arith.constant dense<[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]> : tensor<20xi8>
  %y = lowbit.matmul %a, %w, %za, %zw {lhs_unsigned = false, rhs_unsigned = false}
      : (tensor<5x7xi8>, tensor<7x20xi8>, tensor<i8>, tensor<20xi8>) -> tensor<5x20xi32>
  return %y : tensor<5x20xi32>
}

// -----

// Weights computed at run time have no kernel here.
// CHECK-LABEL: func.func @runtime_weights
// CHECK: lowbit.matmul
func.func @runtime_weights(%a: tensor<4x8xi8>, %w: tensor<8x16xi8>) -> tensor<4x16xi32> {
  %z = arith.constant dense<0> : tensor<i8>
  %y = lowbit.matmul %a, %w, %z, %z {lhs_unsigned = true, rhs_unsigned = false}
      : (tensor<4x8xi8>, tensor<8x16xi8>, tensor<i8>, tensor<i8>) -> tensor<4x16xi32>
  return %y : tensor<4x16xi32>
}

// -----

// The activations' zero point computed at run time (DynamicQuantizeLinear's,
// as ONNX Runtime's quantize_dynamic writes models): the kernel reads it
// (tensor.extract, zero-extended for u8) and multiplies the constant
// per-column factors K cb - colsum by ca = zero point + shift in the
// epilogue.
// CHECK-LABEL: func.func @computed_zero_point
// CHECK: tensor.extract %{{.*}}[] : tensor<i8>
// CHECK: arith.extui %{{.*}} : i8 to i32
// CHECK: scf.parallel
// CHECK: lowbit.dot_u8s8
// CHECK: arith.muli %{{.*}}, %{{.*}} : vector<16xi32>
// CHECK-NOT: lowbit.matmul
// SDOT-LABEL: func.func @computed_zero_point
// SDOT: lowbit.dot_s8s8
func.func @computed_zero_point(%a: tensor<3x8xi8>, %za: tensor<i8>) -> tensor<3x16xi32> {
  %w = arith.constant dense<2> : tensor<8x16xi8>
  %zw = arith.constant dense<0> : tensor<i8>
  %y = lowbit.matmul %a, %w, %za, %zw {lhs_unsigned = true, rhs_unsigned = false}
      : (tensor<3x8xi8>, tensor<8x16xi8>, tensor<i8>, tensor<i8>) -> tensor<3x16xi32>
  return %y : tensor<3x16xi32>
}
