// RUN: ddl-opt %s --ddl-depthwise-to-vector --canonicalize --split-input-file | FileCheck %s

// 32 channels: 16-lane vectors; output width 8: 8 columns per block, so
// 8 accumulators start from the output (the bias) and each of the 3x3 taps
// (the single column block folds away) loads 16 weights once and does 8 input loads and FMAs.
// CHECK-LABEL: func.func @depthwise
// CHECK: scf.parallel (%{{.*}}) = (%c0) to (%c8) step (%c1)
// CHECK: scf.for {{.*}} = %c0 to %c32 step %c16
// CHECK-COUNT-8: vector.load %arg2{{.*}} : memref<1x8x8x32xf32>, vector<16xf32>
// CHECK: scf.for
// CHECK: scf.for
// CHECK: vector.load %arg1{{.*}} : memref<3x3x32xf32>, vector<16xf32>
// CHECK-COUNT-8: vector.fma {{.*}} : vector<16xf32>
// CHECK-COUNT-8: vector.store {{.*}} : memref<1x8x8x32xf32>, vector<16xf32>
// CHECK-NOT: linalg.depthwise_conv_2d_nhwc_hwc
func.func @depthwise(%x: memref<1x10x10x32xf32>, %w: memref<3x3x32xf32>, %y: memref<1x8x8x32xf32>) {
  linalg.depthwise_conv_2d_nhwc_hwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
    ins(%x, %w : memref<1x10x10x32xf32>, memref<3x3x32xf32>) outs(%y : memref<1x8x8x32xf32>)
  return
}

// -----

// 24 channels at stride 2, output width 7, a dynamic batch: 8 lanes,
// 7 columns, input columns (x + i) * 2 + kx.
// CHECK-LABEL: func.func @strided
// CHECK: %[[N:.*]] = memref.dim %arg2, %c0
// CHECK: scf.parallel
// CHECK: scf.for {{.*}} = %c0 to %c24 step %c8
// CHECK-COUNT-7: vector.fma {{.*}} : vector<8xf32>
func.func @strided(%x: memref<?x15x15x24xf32>, %w: memref<3x3x24xf32>, %y: memref<?x7x7x24xf32>) {
  linalg.depthwise_conv_2d_nhwc_hwc {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
    ins(%x, %w : memref<?x15x15x24xf32>, memref<3x3x24xf32>) outs(%y : memref<?x7x7x24xf32>)
  return
}

// -----

// Dynamic spatial sizes and f16 stay linalg loops.
// CHECK-LABEL: func.func @unsupported
// CHECK-COUNT-2: linalg.depthwise_conv_2d_nhwc_hwc
func.func @unsupported(%x: memref<1x?x?x8xf32>, %w: memref<3x3x8xf32>, %y: memref<1x?x?x8xf32>,
                       %xh: memref<1x6x6x8xf16>, %wh: memref<3x3x8xf16>, %yh: memref<1x4x4x8xf16>) {
  linalg.depthwise_conv_2d_nhwc_hwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
    ins(%x, %w : memref<1x?x?x8xf32>, memref<3x3x8xf32>) outs(%y : memref<1x?x?x8xf32>)
  linalg.depthwise_conv_2d_nhwc_hwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
    ins(%xh, %wh : memref<1x6x6x8xf16>, memref<3x3x8xf16>) outs(%yh : memref<1x4x4x8xf16>)
  return
}
