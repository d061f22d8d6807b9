// RUN: ddl-opt %s --pass-pipeline="builtin.module(func.func(nn-quantize-int8{min-n=1}))" --split-input-file | FileCheck %s
// RUN: ddl-opt %s --pass-pipeline="builtin.module(func.func(nn-quantize-int8{min-n=1 keep=proj}))" --split-input-file | FileCheck %s --check-prefix=KEEP

// A linear layer: weights become i8 per output channel (scales 2/127 and
// 4/127 for columns whose largest magnitude is 2 and 4: every weight is
// +-127), activations are quantized per row at run time (max |x| / 127,
// round, clip to [-127, 127], cast to i8), the product is lowbit.matmul,
// and the result is rescaled by the row scale and the column scales.
// CHECK-LABEL: func.func @linear
// CHECK-DAG: %[[WQ:.*]] = nn.constant dense_resource<ddl_int8_weights_0> : tensor<64x2xi8>
// CHECK-DAG: %[[WS:.*]] = nn.constant dense<[0.0157480314, 0.0314960629]> : tensor<2xf32>
// CHECK: %[[ABS:.*]] = nn.abs %[[X:.*]] :
// CHECK: %[[MAX:.*]] = nn.reduce <max> %[[ABS]] {axes = array<i64: 1>}
// CHECK: %[[S:.*]] = nn.max
// CHECK: nn.round
// CHECK: nn.clip
// CHECK: %[[XQ:.*]] = nn.cast %{{.*}} : (tensor<?x64xf32>) -> tensor<?x64xi8>
// CHECK: %[[ACC:.*]] = lowbit.matmul %[[XQ]], %[[WQ]], %{{.*}}, %{{.*}} {lhs_unsigned = false, rhs_unsigned = false}
// CHECK: %[[R:.*]] = nn.cast %[[ACC]] : (tensor<?x2xi32>) -> tensor<?x2xf32>
// CHECK: %[[Y:.*]] = nn.mul %[[R]], %[[S]]
// CHECK: nn.mul %[[Y]], %[[WS]]
// CHECK-NOT: nn.matmul
// KEEP-LABEL: func.func @linear
// KEEP: nn.matmul
// KEEP-NOT: lowbit.matmul
func.func @linear(%x: tensor<?x64xf32>) -> tensor<?x2xf32> {
  %w = nn.constant dense<[[2.0, -4.0], [1.0, 2.0], [0.5, 1.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0]]> : tensor<64x2xf32> loc("proj")
  %y = nn.matmul %x, %w : (tensor<?x64xf32>, tensor<64x2xf32>) -> tensor<?x2xf32> loc("proj")
  return %y : tensor<?x2xf32>
}

// -----

// Too small (K < 64), or weights computed at run time: stays in float.
// CHECK-LABEL: func.func @small
// KEEP-LABEL: func.func @small
// CHECK-NOT: lowbit.matmul
func.func @small(%x: tensor<4x8xf32>, %v: tensor<8x32xf32>) -> (tensor<4x32xf32>, tensor<4x32xf32>) {
  %w = nn.constant dense<1.0> : tensor<8x32xf32>
  %y = nn.matmul %x, %w : (tensor<4x8xf32>, tensor<8x32xf32>) -> tensor<4x32xf32>
  %z = nn.matmul %x, %v : (tensor<4x8xf32>, tensor<8x32xf32>) -> tensor<4x32xf32>
  return %y, %z : tensor<4x32xf32>, tensor<4x32xf32>
}

// -----

// Gemm with transposed weights [N, K], alpha and a bias: the weights are
// quantized as [K, N], alpha multiplies the column scales (0.5 * 1/127),
// and beta * c is added after the rescale.
// CHECK-LABEL: func.func @gemm
// CHECK-DAG: nn.constant dense_resource<ddl_int8_weights_0> : tensor<64x2xi8>
// CHECK-DAG: %[[WS:.*]] = nn.constant dense<0.00393700786> : tensor<2xf32>
// CHECK: %[[ACC:.*]] = lowbit.matmul
// CHECK: nn.mul %{{.*}}, %[[WS]]
// CHECK: %[[C:.*]] = nn.mul %{{.*}}, %{{.*}} : (tensor<2xf32>, tensor<f32>) -> tensor<2xf32>
// CHECK: nn.add %{{.*}}, %[[C]]
// CHECK-NOT: nn.gemm
func.func @gemm(%x: tensor<8x64xf32>, %c: tensor<2xf32>) -> tensor<8x2xf32> {
  %w = nn.constant dense<1.0> : tensor<2x64xf32>
  %y = nn.gemm %x, %w, %c {alpha = 0.5 : f32, beta = 2.0 : f32, trans_b = true} : (tensor<8x64xf32>, tensor<2x64xf32>, tensor<2xf32>) -> tensor<8x2xf32>
  return %y : tensor<8x2xf32>
}

// -----

// Weights seen through what the PyTorch frontend puts between a parameter
// and its matmul: F.linear's transpose of nn.MultiheadAttention's q / k / v
// rows of in_proj_weight (a unit-step slice): rows 1..2 of the [4, 64]
// constant, transposed to [64, 2], are quantized (scales 2/127, 4/127).
// CHECK-LABEL: func.func @sliced_transposed
// CHECK-DAG: nn.constant dense_resource<{{.*}}> : tensor<64x2xi8>
// CHECK-DAG: nn.constant dense<[0.0157480314, 0.0314960629]> : tensor<2xf32>
// CHECK: lowbit.matmul
// CHECK-NOT: nn.matmul
func.func @sliced_transposed(%x: tensor<?x64xf32>) -> tensor<?x2xf32> {
  %w = nn.constant dense<[[1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0], [2.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [-4.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [9.0, 9.0, 9.0, 9.0, 9.0, 9.0, 9.0, 9.0, 9.0, 9.0, 9.0, 9.0, 9.0, 9.0, 9.0, 9.0, 9.0, 9.0, 9.0, 9.0, 9.0, 9.0, 9.0, 9.0, 9.0, 9.0, 9.0, 9.0, 9.0, 9.0, 9.0, 9.0, 9.0, 9.0, 9.0, 9.0, 9.0, 9.0, 9.0, 9.0, 9.0, 9.0, 9.0, 9.0, 9.0, 9.0, 9.0, 9.0, 9.0, 9.0, 9.0, 9.0, 9.0, 9.0, 9.0, 9.0, 9.0, 9.0, 9.0, 9.0, 9.0, 9.0, 9.0, 9.0]]> : tensor<4x64xf32>
  %starts = nn.constant dense<[1]> : tensor<1xi64>
  %ends = nn.constant dense<[3]> : tensor<1xi64>
  %axes = nn.constant dense<[0]> : tensor<1xi64>
  %rows = nn.slice %w, %starts, %ends axes %axes : (tensor<4x64xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<2x64xf32>
  %wt = nn.transpose %rows {perm = array<i64: 1, 0>} : (tensor<2x64xf32>) -> tensor<64x2xf32>
  %y = nn.matmul %x, %wt : (tensor<?x64xf32>, tensor<64x2xf32>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}

// -----

// A 2-D group-1 convolution with constant weights (K = 8 * 3 * 3 = 72):
// weights per output channel as the [KH KW C, OC] i8 matrix (scales 1/127
// and 2/127), the input per tensor as u8 over [min(x, 0), max(x, 0)] (two
// reductions each: the planes, then the channels), the channels-last
// im2col (transpose, pad with the zero point, 9 strided slices) times the
// matrix on lowbit.matmul, rescaled, plus the bias, transposed back.
// CHECK-LABEL: func.func @conv
// CHECK-DAG: nn.constant dense_resource<{{.*}}> : tensor<72x2xi8>
// CHECK-DAG: nn.reduce <min> %arg0 {axes = array<i64: 2, 3>, keepdims = false}
// CHECK-DAG: nn.reduce <max> %arg0 {axes = array<i64: 2, 3>, keepdims = false}
// CHECK: nn.cast {{.*}} -> tensor<1x8x6x6xui8>
// CHECK: nn.transpose {{.*}} {perm = array<i64: 0, 2, 3, 1>} : (tensor<1x8x6x6xui8>) -> tensor<1x6x6x8xui8>
// CHECK: nn.pad
// CHECK-COUNT-9: nn.slice
// CHECK: nn.concat
// CHECK: lowbit.matmul {{.*}} {lhs_unsigned = true, rhs_unsigned = false} : (tensor<36x72xui8>, tensor<72x2xi8>, tensor<ui8>, tensor<i8>) -> tensor<36x2xi32>
// CHECK: nn.constant dense<[0.00787401571, 0.0157480314]> : tensor<2xf32>
// CHECK: nn.add
// CHECK: nn.transpose {{.*}} {perm = array<i64: 0, 3, 1, 2>} : (tensor<1x6x6x2xf32>) -> tensor<1x2x6x6xf32>
// CHECK-NOT: nn.conv
// `keep` applies to convolutions too (by location).
// KEEP-LABEL: func.func @conv
// KEEP-NOT: lowbit.matmul
// KEEP: nn.conv
func.func @conv(%x: tensor<1x8x6x6xf32>, %b: tensor<2xf32>) -> tensor<1x2x6x6xf32> {
  %w = nn.constant dense<[[[[1.0, 0.5, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, -1.0]], [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]], [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]], [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]], [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]], [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]], [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]], [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]], [[[2.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]], [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]], [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]], [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]], [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]], [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]], [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]], [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, -2.0]]]]> : tensor<2x8x3x3xf32>
  %y = nn.conv %x, %w, %b {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x8x6x6xf32>, tensor<2x8x3x3xf32>, tensor<2xf32>) -> tensor<1x2x6x6xf32> loc("proj_conv")
  return %y : tensor<1x2x6x6xf32>
}
