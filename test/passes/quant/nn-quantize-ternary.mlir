// RUN: ddl-opt %s --pass-pipeline="builtin.module(func.func(nn-quantize-ternary{min-n=1}))" --split-input-file | FileCheck %s
// RUN: ddl-opt %s --pass-pipeline="builtin.module(func.func(nn-quantize-ternary{min-n=1 trits-per-byte=5}))" --split-input-file | FileCheck %s --check-prefix=B3
// RUN: not ddl-opt %s --pass-pipeline="builtin.module(func.func(nn-quantize-ternary{trits-per-byte=3}))" 2>&1 | FileCheck %s --check-prefix=BAD

// BAD: nn-quantize-ternary: trits-per-byte 3 must be 4 (2 bits per weight) or 5 (base 3, 1.6 bits)

// A linear layer with [K, N] = [64, 3] weights: output 0 is 2.0 for k < 32
// and 0.5 after (mean magnitude 1.25: trits 1 then 0); output 1 is -0.5
// everywhere and output 2 is 0.3 for k < 16, 0 after: both ternary
// already (every nonzero weight +-a), so they keep a as their scale (the
// mean would shrink output 2 to a quarter) and trits -1 / 1 then 0. The
// activations are quantized per row (max |x| / 127, round, clip, i8), the
// product is lowbit.matmul_ternary in i32, then scaled by the row's and the
// output's scales.
// CHECK-LABEL: func.func @linear
// CHECK-DAG: %[[W:[0-9]+]] = nn.constant dense_resource<ddl_ternary_weights_0> : tensor<3x16xi8>
// CHECK-DAG: %[[S:[0-9]+]] = nn.constant dense<[1.250000e+00, 5.000000e-01, 3.000000e-01]> : tensor<3xf32>
// CHECK: nn.abs %arg0
// CHECK: nn.reduce <max>
// CHECK: %[[XQ:[0-9]+]] = nn.cast %{{.*}} : (tensor<?x64xf32>) -> tensor<?x64xi8>
// CHECK: %[[ACC:[0-9]+]] = lowbit.matmul_ternary %[[XQ]], %[[W]] {trits_per_byte = 4 : i64} : (tensor<?x64xi8>, tensor<3x16xi8>) -> tensor<?x3xi32>
// CHECK: nn.cast %[[ACC]]
// CHECK: nn.mul
// CHECK: nn.mul %{{.*}}, %[[S]]
// CHECK-NOT: nn.matmul
// Codes t + 1, 2 bits each: byte j of output 0 holds k = j, 16 + j (code
// 2), 32 + j, 48 + j (code 1): 0b01011010; output 1's codes are all 0;
// output 2's 2 for k = j, else 1: 0b01010110 (after the resource's 4-byte
// alignment header).
// CHECK: ddl_ternary_weights_0: "0x010000005A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A0000000000000000000000000000000056565656565656565656565656565656"
// Base 3, K = 64: no whole 320-block, so the 2-bit layout throughout.
// B3-LABEL: func.func @linear
// B3: lowbit.matmul_ternary {{.*}} {trits_per_byte = 5 : i64} : (tensor<?x64xi8>, tensor<3x16xi8>) -> tensor<?x3xi32>
// B3: ddl_ternary_weights_0: "0x010000005A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A0000000000000000000000000000000056565656565656565656565656565656"
func.func @linear(%x: tensor<?x64xf32>) -> tensor<?x3xf32> {
  %w = nn.constant dense<[[2.0, -0.5, 0.3], [2.0, -0.5, 0.3], [2.0, -0.5, 0.3], [2.0, -0.5, 0.3], [2.0, -0.5, 0.3], [2.0, -0.5, 0.3], [2.0, -0.5, 0.3], [2.0, -0.5, 0.3], [2.0, -0.5, 0.3], [2.0, -0.5, 0.3], [2.0, -0.5, 0.3], [2.0, -0.5, 0.3], [2.0, -0.5, 0.3], [2.0, -0.5, 0.3], [2.0, -0.5, 0.3], [2.0, -0.5, 0.3], [2.0, -0.5, 0.0], [2.0, -0.5, 0.0], [2.0, -0.5, 0.0], [2.0, -0.5, 0.0], [2.0, -0.5, 0.0], [2.0, -0.5, 0.0], [2.0, -0.5, 0.0], [2.0, -0.5, 0.0], [2.0, -0.5, 0.0], [2.0, -0.5, 0.0], [2.0, -0.5, 0.0], [2.0, -0.5, 0.0], [2.0, -0.5, 0.0], [2.0, -0.5, 0.0], [2.0, -0.5, 0.0], [2.0, -0.5, 0.0], [0.5, -0.5, 0.0], [0.5, -0.5, 0.0], [0.5, -0.5, 0.0], [0.5, -0.5, 0.0], [0.5, -0.5, 0.0], [0.5, -0.5, 0.0], [0.5, -0.5, 0.0], [0.5, -0.5, 0.0], [0.5, -0.5, 0.0], [0.5, -0.5, 0.0], [0.5, -0.5, 0.0], [0.5, -0.5, 0.0], [0.5, -0.5, 0.0], [0.5, -0.5, 0.0], [0.5, -0.5, 0.0], [0.5, -0.5, 0.0], [0.5, -0.5, 0.0], [0.5, -0.5, 0.0], [0.5, -0.5, 0.0], [0.5, -0.5, 0.0], [0.5, -0.5, 0.0], [0.5, -0.5, 0.0], [0.5, -0.5, 0.0], [0.5, -0.5, 0.0], [0.5, -0.5, 0.0], [0.5, -0.5, 0.0], [0.5, -0.5, 0.0], [0.5, -0.5, 0.0], [0.5, -0.5, 0.0], [0.5, -0.5, 0.0], [0.5, -0.5, 0.0], [0.5, -0.5, 0.0]]> : tensor<64x3xf32>
  %y = nn.matmul %x, %w : (tensor<?x64xf32>, tensor<64x3xf32>) -> tensor<?x3xf32>
  return %y : tensor<?x3xf32>
}

// -----

// K = 384 of ones: base 3 packs one block of 320 (digits 2, 2, 2, 2, 2:
// v = 242, stored as ceil(256 v / 243) = 255) then one 2-bit block of 64
// (codes 2: 0b10101010), 80 bytes per row; the 2-bit packing 96.
// CHECK-LABEL: func.func @base3
// CHECK: lowbit.matmul_ternary {{.*}} : (tensor<3x384xi8>, tensor<16x96xi8>) -> tensor<3x16xi32>
// CHECK: ddl_ternary_weights_0: "0x01000000AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
// B3-LABEL: func.func @base3
// B3: lowbit.matmul_ternary {{.*}} : (tensor<3x384xi8>, tensor<16x80xi8>) -> tensor<3x16xi32>
// B3: ddl_ternary_weights_0: "0x01000000FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
func.func @base3(%x: tensor<3x384xf32>) -> tensor<3x16xf32> {
  %w = nn.constant dense<1.0> : tensor<384x16xf32>
  %y = nn.matmul %x, %w : (tensor<3x384xf32>, tensor<384x16xf32>) -> tensor<3x16xf32>
  return %y : tensor<3x16xf32>
}

// -----

// K = 96 is no multiple of 64: the layer stays f32.
// CHECK-LABEL: func.func @ragged
// CHECK: nn.matmul
// CHECK-NOT: lowbit.matmul_ternary
func.func @ragged(%x: tensor<?x96xf32>) -> tensor<?x16xf32> {
  %w = nn.constant dense<1.0> : tensor<96x16xf32>
  %y = nn.matmul %x, %w : (tensor<?x96xf32>, tensor<96x16xf32>) -> tensor<?x16xf32>
  return %y : tensor<?x16xf32>
}
