// RUN: ddl-opt %s --pass-pipeline="builtin.module(func.func(nn-quantize-int4{group-size=32 min-n=1}))" --split-input-file | FileCheck %s
// RUN: ddl-opt %s --pass-pipeline="builtin.module(func.func(nn-quantize-int4{min-n=1}))" --split-input-file | FileCheck %s --check-prefix=G64
// RUN: not ddl-opt %s --pass-pipeline="builtin.module(func.func(nn-quantize-int4{group-size=40}))" 2>&1 | FileCheck %s --check-prefix=BAD

// BAD: nn-quantize-int4: group-size 40 must be a positive multiple of 32

// A linear layer with [K, N] = [64, 2] weights, groups of 32: the scales
// are each group's largest magnitude / 7 (output 0: 7 / 7 = 1 and
// 3.5 / 7 = 0.5; output 1: 14 / 7 = 2, and 1 for its all-zero group), the
// weights [N, K / 2] packed bytes; activations stay f32.
// CHECK-LABEL: func.func @linear
// CHECK-DAG: %[[W:[0-9]+]] = nn.constant dense_resource<ddl_int4_weights_0> : tensor<2x32xi8>
// CHECK-DAG: %[[S:[0-9]+]] = nn.constant dense<{{\[\[}}1.000000e+00, 5.000000e-01], [2.000000e+00, 1.000000e+00]]> : tensor<2x2xf32>
// CHECK: lowbit.matmul_int4 %arg0, %[[W]], %[[S]] {group_size = 32 : i64} : (tensor<?x64xf32>, tensor<2x32xi8>, tensor<2x2xf32>) -> tensor<?x2xf32>
// CHECK-NOT: nn.matmul
// Output 0's bytes: k = 0 (7) and k = 16 (0) in byte 0, k = 1 (1) in byte
// 1, k = 32 (7) in byte 16; output 1's: k = 0 (-7, nibble 9) in byte 0
// (after the resource's 4-byte alignment header).
// CHECK: ddl_int4_weights_0: "0x01000000070100000000000000000000000000000700000000000000000000000000000009
// The default group of 64: one scale per output.
// G64-LABEL: func.func @linear
// G64: nn.constant dense<{{\[\[}}1.000000e+00], [2.000000e+00]]> : tensor<2x1xf32>
// G64: lowbit.matmul_int4 {{.*}} {group_size = 64 : i64}
func.func @linear(%x: tensor<?x64xf32>) -> tensor<?x2xf32> {
  %w = nn.constant dense<[[7.0, -14.0], [1.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [3.5, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0]]> : tensor<64x2xf32>
  %y = nn.matmul %x, %w : (tensor<?x64xf32>, tensor<64x2xf32>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}

// -----

// K = 48 is no multiple of the group: the layer stays f32.
// CHECK-LABEL: func.func @ragged
// CHECK: nn.matmul
// CHECK-NOT: lowbit.matmul_int4
func.func @ragged(%x: tensor<?x48xf32>, %w0: tensor<48x16xf32>) -> tensor<?x16xf32> {
  %w = nn.constant dense<1.0> : tensor<48x16xf32>
  %y = nn.matmul %x, %w : (tensor<?x48xf32>, tensor<48x16xf32>) -> tensor<?x16xf32>
  return %y : tensor<?x16xf32>
}
