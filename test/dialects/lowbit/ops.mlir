// RUN: ddl-opt %s | ddl-opt | FileCheck %s

// CHECK-LABEL: func.func @matmul
// CHECK: lowbit.matmul %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {lhs_unsigned = true, rhs_unsigned = false} : (tensor<2x?x64xui8>, tensor<64x32xi8>, tensor<ui8>, tensor<32xi8>) -> tensor<2x?x32xi32>
func.func @matmul(%a: tensor<2x?x64xui8>, %w: tensor<64x32xi8>, %za: tensor<ui8>,
                  %zw: tensor<32xi8>) -> tensor<2x?x32xi32> {
  %y = lowbit.matmul %a, %w, %za, %zw {lhs_unsigned = true, rhs_unsigned = false}
      : (tensor<2x?x64xui8>, tensor<64x32xi8>, tensor<ui8>, tensor<32xi8>) -> tensor<2x?x32xi32>
  return %y : tensor<2x?x32xi32>
}

// Signless bytes (after lowering to linalg) keep their meaning in the
// attributes.
// CHECK-LABEL: func.func @signless
// CHECK: lowbit.matmul {{.*}} {lhs_unsigned = true, rhs_unsigned = true} : (tensor<4x8xi8>, tensor<8x16xi8>, tensor<i8>, tensor<i8>) -> tensor<4x16xi32>
func.func @signless(%a: tensor<4x8xi8>, %w: tensor<8x16xi8>, %z: tensor<i8>) -> tensor<4x16xi32> {
  %y = lowbit.matmul %a, %w, %z, %z {lhs_unsigned = true, rhs_unsigned = true}
      : (tensor<4x8xi8>, tensor<8x16xi8>, tensor<i8>, tensor<i8>) -> tensor<4x16xi32>
  return %y : tensor<4x16xi32>
}

// CHECK-LABEL: func.func @dot
// CHECK: lowbit.dot_u8s8 %{{.*}}, %{{.*}}, %{{.*}} : vector<64xi8>, vector<64xi8> into vector<16xi32>
// CHECK: lowbit.dot_s8s8 %{{.*}}, %{{.*}}, %{{.*}} : vector<64xi8>, vector<64xi8> into vector<16xi32>
// CHECK: lowbit.lookup16 %{{.*}}, %{{.*}} : vector<64xi8>
// CHECK: lowbit.dot_bf16 %{{.*}}, %{{.*}}, %{{.*}} : vector<32xbf16>, vector<32xbf16> into vector<16xf32>
func.func @dot(%acc: vector<16xi32>, %a: vector<64xi8>, %b: vector<64xi8>,
               %facc: vector<16xf32>, %h: vector<32xbf16>) -> vector<16xi32> {
  %r = lowbit.dot_u8s8 %acc, %a, %b : vector<64xi8>, vector<64xi8> into vector<16xi32>
  %s = lowbit.dot_s8s8 %r, %a, %b : vector<64xi8>, vector<64xi8> into vector<16xi32>
  %l = lowbit.lookup16 %a, %b : vector<64xi8>
  %f = lowbit.dot_bf16 %facc, %h, %h : vector<32xbf16>, vector<32xbf16> into vector<16xf32>
  return %s : vector<16xi32>
}

// int4 weight-only: [N, K / 2] bytes, one f32 scale per group of 64 k.
// CHECK-LABEL: func.func @int4
// CHECK: lowbit.matmul_int4 %{{.*}}, %{{.*}}, %{{.*}} {group_size = 64 : i64} : (tensor<2x?x128xf32>, tensor<48x64xi8>, tensor<48x2xf32>) -> tensor<2x?x48xf32>
func.func @int4(%x: tensor<2x?x128xf32>, %w: tensor<48x64xi8>, %s: tensor<48x2xf32>) -> tensor<2x?x48xf32> {
  %y = lowbit.matmul_int4 %x, %w, %s {group_size = 64}
      : (tensor<2x?x128xf32>, tensor<48x64xi8>, tensor<48x2xf32>) -> tensor<2x?x48xf32>
  return %y : tensor<2x?x48xf32>
}

// Ternary weights: 4 trits per byte ([N, K / 4]) or 5 (K = 384: one base-3
// block of 64 bytes, then one 2-bit block of 16).
// CHECK-LABEL: func.func @ternary
// CHECK: lowbit.matmul_ternary %{{.*}}, %{{.*}} {trits_per_byte = 4 : i64} : (tensor<2x?x128xi8>, tensor<40x32xi8>) -> tensor<2x?x40xi32>
// CHECK: lowbit.matmul_ternary %{{.*}}, %{{.*}} {trits_per_byte = 5 : i64} : (tensor<?x384xi8>, tensor<8x80xi8>) -> tensor<?x8xi32>
func.func @ternary(%x: tensor<2x?x128xi8>, %w: tensor<40x32xi8>, %x5: tensor<?x384xi8>,
                   %w5: tensor<8x80xi8>) -> (tensor<2x?x40xi32>, tensor<?x8xi32>) {
  %y = lowbit.matmul_ternary %x, %w {trits_per_byte = 4}
      : (tensor<2x?x128xi8>, tensor<40x32xi8>) -> tensor<2x?x40xi32>
  %z = lowbit.matmul_ternary %x5, %w5 {trits_per_byte = 5}
      : (tensor<?x384xi8>, tensor<8x80xi8>) -> tensor<?x8xi32>
  return %y, %z : tensor<2x?x40xi32>, tensor<?x8xi32>
}

// fp8: E4M3 bytes from f32 over a per-tensor scale, and their matmul
// (weights [N, K]) into f32.
// CHECK-LABEL: func.func @fp8
// CHECK: lowbit.quantize_fp8 %{{.*}}, %{{.*}} : (tensor<?x64xf32>, tensor<f32>) -> tensor<?x64xi8>
// CHECK: lowbit.matmul_fp8 %{{.*}}, %{{.*}} : (tensor<?x64xi8>, tensor<24x64xi8>) -> tensor<?x24xf32>
func.func @fp8(%x: tensor<?x64xf32>, %s: tensor<f32>, %w: tensor<24x64xi8>) -> tensor<?x24xf32> {
  %q = lowbit.quantize_fp8 %x, %s : (tensor<?x64xf32>, tensor<f32>) -> tensor<?x64xi8>
  %y = lowbit.matmul_fp8 %q, %w : (tensor<?x64xi8>, tensor<24x64xi8>) -> tensor<?x24xf32>
  return %y : tensor<?x24xf32>
}

// CHECK-LABEL: func.func @matmul_bf16
// CHECK: lowbit.matmul_bf16 %{{.*}}, %{{.*}} : (tensor<?x64xf32>, tensor<16x64xbf16>) -> tensor<?x16xf32>
func.func @matmul_bf16(%x: tensor<?x64xf32>, %w: tensor<16x64xbf16>) -> tensor<?x16xf32> {
  %y = lowbit.matmul_bf16 %x, %w : (tensor<?x64xf32>, tensor<16x64xbf16>) -> tensor<?x16xf32>
  return %y : tensor<?x16xf32>
}

// CHECK-LABEL: func.func @embedding
// CHECK: lowbit.embedding %{{.*}}, %{{.*}}, %{{.*}} {bits = 4 : i64, group_size = 32 : i64} : (tensor<?x?xi64>, tensor<100x32xi8>, tensor<100x2xf32>) -> tensor<?x?x64xf32>
func.func @embedding(%ids: tensor<?x?xi64>, %t: tensor<100x32xi8>, %s: tensor<100x2xf32>) -> tensor<?x?x64xf32> {
  %e = lowbit.embedding %ids, %t, %s {bits = 4, group_size = 32}
      : (tensor<?x?xi64>, tensor<100x32xi8>, tensor<100x2xf32>) -> tensor<?x?x64xf32>
  return %e : tensor<?x?x64xf32>
}
