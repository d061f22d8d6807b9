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

// -----

// The bias broadcast into the output and the clip after the convolution
// fold into the kernel: accumulators start from the bias vector, the clip
// runs on the vectors before the one store.
// CHECK-LABEL: func.func @bias_and_clip
// CHECK-NOT: linalg.broadcast
// CHECK: scf.parallel
// CHECK: %[[BIAS:.*]] = vector.load %arg3[%{{.*}}] : memref<16xf32>, vector<16xf32>
// CHECK: scf.for {{.*}} iter_args(%{{.*}} = %[[BIAS]],
// CHECK-COUNT-4: vector.fma
// CHECK: arith.maximumf {{.*}} : vector<16xf32>
// CHECK: arith.minimumf {{.*}} : vector<16xf32>
// CHECK: vector.store {{.*}} : memref<1x4x4x16xf32>, vector<16xf32>
// CHECK-NOT: linalg.generic
func.func @bias_and_clip(%x: memref<1x6x6x16xf32>, %w: memref<3x3x16xf32>, %y: memref<1x4x4x16xf32>, %b: memref<16xf32>) {
  %lo = arith.constant 0.0 : f32
  %hi = arith.constant 6.0 : f32
  linalg.broadcast ins(%b : memref<16xf32>) outs(%y : memref<1x4x4x16xf32>) dimensions = [0, 1, 2]
  linalg.depthwise_conv_2d_nhwc_hwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
    ins(%x, %w : memref<1x6x6x16xf32>, memref<3x3x16xf32>) outs(%y : memref<1x4x4x16xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>],
                  iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%y : memref<1x4x4x16xf32>) outs(%y : memref<1x4x4x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.maximumf %in, %lo : f32
    %1 = arith.minimumf %0, %hi : f32
    linalg.yield %1 : f32
  }
  return
}
