// RUN: ddl-opt %s --pass-pipeline="builtin.module(func.func(nn-quantize-int8{min-n=1 activation-ranges=-1.27,2.54,0.5,2.55}))" --split-input-file | FileCheck %s
// RUN: ddl-opt %s --pass-pipeline="builtin.module(func.func(nn-quantize-int8{min-n=1 activation-ranges=1,0,nan,nan}))" --split-input-file | FileCheck %s --check-prefix=NONE
// RUN: not ddl-opt %s --pass-pipeline="builtin.module(func.func(nn-quantize-int8{min-n=1 activation-ranges=-1,1}))" --split-input-file 2>&1 | FileCheck %s --check-prefix=SHORT
// RUN: ddl-opt %s --nn-expose-calibration-points --split-input-file | FileCheck %s --check-prefix=EXPOSE

// Static activations (ddlc --calibration): the layers numbered by
// ddl.calibration_point take their activation's range from
// activation-ranges (lo, hi per number).
//
// A linear layer, range [-1.27, 2.54]: one scale for the tensor, 2.54 / 127
// = 0.02, as a constant (no reduction at run time), folded into the
// columns' scales (2/127 and 4/127 times 0.02).
// CHECK-LABEL: func.func @linear
// CHECK-NOT: nn.reduce
// CHECK-NOT: nn.abs
// CHECK-DAG: %[[WS:.*]] = nn.constant dense<[3.149{{[0-9]*}}E-4, 6.299{{[0-9]*}}E-4]> : tensor<2xf32>
// CHECK-DAG: %[[S:.*]] = nn.constant dense<2.000000e-02> : tensor<f32>
// CHECK: nn.div %{{.*}}, %[[S]]
// CHECK: nn.round
// CHECK: nn.clip
// CHECK: %[[XQ:.*]] = nn.cast %{{.*}} : (tensor<?x64xf32>) -> tensor<?x64xi8>
// CHECK: %[[ACC:.*]] = lowbit.matmul %[[XQ]]
// CHECK: %[[R:.*]] = nn.cast %[[ACC]] : (tensor<?x2xi32>) -> tensor<?x2xf32>
// CHECK: nn.mul %[[R]], %[[WS]]
// CHECK-NOT: nn.matmul
// No range (lo > hi, or NaN): run-time scales, as without calibration.
// NONE-LABEL: func.func @linear
// NONE: nn.reduce <max>
// NONE: lowbit.matmul
// A number past the ranges is an error.
// SHORT: error: nn-quantize-int8: calibration point 1 has no range (activation-ranges has 1 points)
// The calibration model returns each numbered layer's activation.
// EXPOSE-LABEL: func.func @linear
// EXPOSE-SAME: -> (tensor<?x2xf32>, tensor<?x64xf32> {nn.name = "ddl_calibration_0"})
// EXPOSE: return %{{.*}}, %arg0 : tensor<?x2xf32>, tensor<?x64xf32>
func.func @linear(%x: tensor<?x64xf32>) -> tensor<?x2xf32> {
  %w = nn.constant dense<[[2.0, -4.0], [1.0, 2.0], [0.5, 1.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0]]> : tensor<64x2xf32>
  %y = nn.matmul %x, %w {ddl.calibration_point = 0 : i64} : (tensor<?x64xf32>, tensor<64x2xf32>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}

// -----

// A convolution, range [0.5, 2.55]: u8 over [min(lo, 0), max(hi, 0)] =
// [0, 2.55], scale 0.01 and zero point 0 as constants; no reductions.
// CHECK-LABEL: func.func @conv
// CHECK-NOT: nn.reduce
// CHECK-DAG: nn.constant dense<0.00999999977> : tensor<f32>
// CHECK-DAG: nn.constant dense<0.000000e+00> : tensor<f32>
// CHECK: nn.cast {{.*}} -> tensor<1x8x6x6xui8>
// CHECK: lowbit.matmul
// CHECK-NOT: nn.conv
// NONE-LABEL: func.func @conv
// NONE: nn.reduce <min>
// EXPOSE-LABEL: func.func @conv
// EXPOSE-SAME: {nn.name = "ddl_calibration_1"}
func.func @conv(%x: tensor<1x8x6x6xf32>, %b: tensor<2xf32>) -> tensor<1x2x6x6xf32> {
  %w = nn.constant dense<[[[[1.0, 0.5, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, -1.0]], [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]], [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]], [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]], [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]], [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]], [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]], [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]], [[[2.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]], [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]], [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]], [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]], [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]], [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]], [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]], [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, -2.0]]]]> : tensor<2x8x3x3xf32>
  %y = nn.conv %x, %w, %b {ddl.calibration_point = 1 : i64, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x8x6x6xf32>, tensor<2x8x3x3xf32>, tensor<2xf32>) -> tensor<1x2x6x6xf32>
  return %y : tensor<1x2x6x6xf32>
}
