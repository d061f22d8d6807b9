// RUN: ddl-opt %s --ddl-cpu-pipeline | %mlir_runner | FileCheck %s
// Numeric checks of the gather/scatter/resize/non_zero lowering, run through
// the whole CPU pipeline. Expected values: numpy for the gathers, scatters
// and non_zero (constant indices out of range are rejected by the shape
// functions, see test/dialects/nn/invalid.mlir); the
// ONNX node tests' data (test_resize_*) for resize.
func.func private @printMemrefF32(memref<*xf32>)
func.func private @printMemrefI64(memref<*xi64>)
func.func @main() {
  %c1 = nn.constant dense<[[0.0, 1.0, 2.0, 3.0], [4.0, 5.0, 6.0, 7.0], [8.0, 9.0, 10.0, 11.0]]> : tensor<3x4xf32>
  %c2 = nn.constant dense<[[-1, 0], [2, 3]]> : tensor<2x2xi64>
  %v3 = nn.gather %c1, %c2 {axis = 1 : i64} : (tensor<3x4xf32>, tensor<2x2xi64>) -> tensor<3x2x2xf32>
  %m3 = bufferization.to_buffer %v3 : tensor<3x2x2xf32> to memref<3x2x2xf32>
  %u3 = memref.cast %m3 : memref<3x2x2xf32> to memref<*xf32>
  call @printMemrefF32(%u3) : (memref<*xf32>) -> ()
  // CHECK: rank = 3 offset = 0 sizes = [3, 2, 2]
  // CHECK-NEXT: {{\[\[\[}}3, 0],
  // CHECK-NEXT: [2, 3]],
  // CHECK-NEXT: {{\[\[}}7, 4],
  // CHECK-NEXT: [6, 7]],
  // CHECK-NEXT: {{\[\[}}11, 8],
  // CHECK-NEXT: [10, 11]]]
  %c5 = nn.constant dense<-2> : tensor<i32>
  %v6 = nn.gather %c1, %c5 {axis = -1 : i64} : (tensor<3x4xf32>, tensor<i32>) -> tensor<3xf32>
  %m6 = bufferization.to_buffer %v6 : tensor<3xf32> to memref<3xf32>
  %u6 = memref.cast %m6 : memref<3xf32> to memref<*xf32>
  call @printMemrefF32(%u6) : (memref<*xf32>) -> ()
  // CHECK: rank = 1 offset = 0 sizes = [3]
  // CHECK-NEXT: [2, 6, 10]
  %c8 = nn.constant dense<[[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]]> : tensor<3x3xf32>
  %c9 = nn.constant dense<[[-1, 0, 2], [1, -3, 0]]> : tensor<2x3xi32>
  %v10 = nn.gather_elements %c8, %c9 {axis = 0 : i64} : (tensor<3x3xf32>, tensor<2x3xi32>) -> tensor<2x3xf32>
  %m10 = bufferization.to_buffer %v10 : tensor<2x3xf32> to memref<2x3xf32>
  %u10 = memref.cast %m10 : memref<2x3xf32> to memref<*xf32>
  call @printMemrefF32(%u10) : (memref<*xf32>) -> ()
  // CHECK: rank = 2 offset = 0 sizes = [2, 3]
  // CHECK-NEXT: {{\[\[}}6, 1, 8],
  // CHECK-NEXT: [3, 1, 2]]
  %c12 = nn.constant dense<[[[0.0, 1.0, 2.0, 3.0], [4.0, 5.0, 6.0, 7.0], [8.0, 9.0, 10.0, 11.0]], [[12.0, 13.0, 14.0, 15.0], [16.0, 17.0, 18.0, 19.0], [20.0, 21.0, 22.0, 23.0]]]> : tensor<2x3x4xf32>
  %c13 = nn.constant dense<[[[2]], [[-3]]]> : tensor<2x1x1xi64>
  %v14 = nn.gather_nd %c12, %c13 {batch_dims = 1 : i64} : (tensor<2x3x4xf32>, tensor<2x1x1xi64>) -> tensor<2x1x4xf32>
  %m14 = bufferization.to_buffer %v14 : tensor<2x1x4xf32> to memref<2x1x4xf32>
  %u14 = memref.cast %m14 : memref<2x1x4xf32> to memref<*xf32>
  call @printMemrefF32(%u14) : (memref<*xf32>) -> ()
  // CHECK: rank = 3 offset = 0 sizes = [2, 1, 4]
  // CHECK-NEXT: {{\[\[\[}}8, 9, 10, 11]],
  // CHECK-NEXT: {{\[\[}}12, 13, 14, 15]]]
  %c16 = nn.constant dense<[[[0, 1], [2, 3]], [[4, 5], [6, 7]]]> : tensor<2x2x2xi64>
  %c17 = nn.constant dense<[[0, 1], [1, 0]]> : tensor<2x2xi64>
  %v18 = nn.gather_nd %c16, %c17 : (tensor<2x2x2xi64>, tensor<2x2xi64>) -> tensor<2x2xi64>
  %m18 = bufferization.to_buffer %v18 : tensor<2x2xi64> to memref<2x2xi64>
  %u18 = memref.cast %m18 : memref<2x2xi64> to memref<*xi64>
  call @printMemrefI64(%u18) : (memref<*xi64>) -> ()
  // CHECK: rank = 2 offset = 0 sizes = [2, 2]
  // CHECK-NEXT: {{\[\[}}2, 3],
  // CHECK-NEXT: [4, 5]]
  %c20 = nn.constant dense<[[0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]> : tensor<3x3xf32>
  %c21 = nn.constant dense<[[1, 0, 2], [0, 2, 1]]> : tensor<2x3xi64>
  %c22 = nn.constant dense<[[1.0, 1.100000023841858, 1.2000000476837158], [2.0, 2.0999999046325684, 2.200000047683716]]> : tensor<2x3xf32>
  %v23 = nn.scatter_elements %c20, %c21, %c22 : (tensor<3x3xf32>, tensor<2x3xi64>, tensor<2x3xf32>) -> tensor<3x3xf32>
  %m23 = bufferization.to_buffer %v23 : tensor<3x3xf32> to memref<3x3xf32>
  %u23 = memref.cast %m23 : memref<3x3xf32> to memref<*xf32>
  call @printMemrefF32(%u23) : (memref<*xf32>) -> ()
  // CHECK: rank = 2 offset = 0 sizes = [3, 3]
  // CHECK-NEXT: {{\[\[}}2, 1.1, 0],
  // CHECK-NEXT: [1, 0, 2.2],
  // CHECK-NEXT: [0, 2.1, 1.2]]
  %c25 = nn.constant dense<[[1.0, 2.0, 3.0, 4.0, 5.0]]> : tensor<1x5xf32>
  %c26 = nn.constant dense<[[1, -4, 3]]> : tensor<1x3xi32>
  %c27 = nn.constant dense<[[1.5, 2.25, -7.0]]> : tensor<1x3xf32>
  %v28 = nn.scatter_elements %c25, %c26, %c27 {axis = 1 : i64, reduction = #nn.scatter_reduction<add>} : (tensor<1x5xf32>, tensor<1x3xi32>, tensor<1x3xf32>) -> tensor<1x5xf32>
  %m28 = bufferization.to_buffer %v28 : tensor<1x5xf32> to memref<1x5xf32>
  %u28 = memref.cast %m28 : memref<1x5xf32> to memref<*xf32>
  call @printMemrefF32(%u28) : (memref<*xf32>) -> ()
  // CHECK: rank = 2 offset = 0 sizes = [1, 5]
  // CHECK-NEXT: {{\[\[}}1, 5.75, 3, -3, 5]]
  %v30 = nn.scatter_elements %c25, %c26, %c27 {axis = -1 : i64, reduction = #nn.scatter_reduction<max>} : (tensor<1x5xf32>, tensor<1x3xi32>, tensor<1x3xf32>) -> tensor<1x5xf32>
  %m30 = bufferization.to_buffer %v30 : tensor<1x5xf32> to memref<1x5xf32>
  %u30 = memref.cast %m30 : memref<1x5xf32> to memref<*xf32>
  call @printMemrefF32(%u30) : (memref<*xf32>) -> ()
  // CHECK: rank = 2 offset = 0 sizes = [1, 5]
  // CHECK-NEXT: {{\[\[}}1, 2.25, 3, 4, 5]]
  %c32 = nn.constant dense<[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]> : tensor<8xf32>
  %c33 = nn.constant dense<[[4], [3], [1], [7]]> : tensor<4x1xi64>
  %c34 = nn.constant dense<[9.0, 10.0, 11.0, 12.0]> : tensor<4xf32>
  %v35 = nn.scatter_nd %c32, %c33, %c34 : (tensor<8xf32>, tensor<4x1xi64>, tensor<4xf32>) -> tensor<8xf32>
  %m35 = bufferization.to_buffer %v35 : tensor<8xf32> to memref<8xf32>
  %u35 = memref.cast %m35 : memref<8xf32> to memref<*xf32>
  call @printMemrefF32(%u35) : (memref<*xf32>) -> ()
  // CHECK: rank = 1 offset = 0 sizes = [8]
  // CHECK-NEXT: [1, 11, 3, 10, 9, 6, 7, 12]
  %c37 = nn.constant dense<[[[1.0, 2.0], [3.0, 4.0]], [[5.0, 6.0], [7.0, 8.0]]]> : tensor<2x2x2xf32>
  %c38 = nn.constant dense<[[0], [0], [-1]]> : tensor<3x1xi64>
  %c39 = nn.constant dense<[[[2.0, 3.0], [4.0, 5.0]], [[10.0, 10.0], [10.0, 10.0]], [[-1.0, -1.0], [0.5, 0.5]]]> : tensor<3x2x2xf32>
  %v40 = nn.scatter_nd %c37, %c38, %c39 {reduction = #nn.scatter_reduction<mul>} : (tensor<2x2x2xf32>, tensor<3x1xi64>, tensor<3x2x2xf32>) -> tensor<2x2x2xf32>
  %m40 = bufferization.to_buffer %v40 : tensor<2x2x2xf32> to memref<2x2x2xf32>
  %u40 = memref.cast %m40 : memref<2x2x2xf32> to memref<*xf32>
  call @printMemrefF32(%u40) : (memref<*xf32>) -> ()
  // CHECK: rank = 3 offset = 0 sizes = [2, 2, 2]
  // CHECK-NEXT: {{\[\[\[}}20, 60],
  // CHECK-NEXT: [120, 200]],
  // CHECK-NEXT: {{\[\[}}-5, -6],
  // CHECK-NEXT: [3.5, 4]]]
  %c42 = nn.constant dense<[[1, 0], [0, 1]]> : tensor<2x2xi64>
  %c43 = nn.constant dense<[[7.0, 8.0], [9.0, 6.0]]> : tensor<2x2xf32>
  %v44 = nn.scatter_nd %c37, %c42, %c43 {reduction = #nn.scatter_reduction<min>} : (tensor<2x2x2xf32>, tensor<2x2xi64>, tensor<2x2xf32>) -> tensor<2x2x2xf32>
  %m44 = bufferization.to_buffer %v44 : tensor<2x2x2xf32> to memref<2x2x2xf32>
  %u44 = memref.cast %m44 : memref<2x2x2xf32> to memref<*xf32>
  call @printMemrefF32(%u44) : (memref<*xf32>) -> ()
  // CHECK: rank = 3 offset = 0 sizes = [2, 2, 2]
  // CHECK-NEXT: {{\[\[\[}}1, 2],
  // CHECK-NEXT: [3, 4]],
  // CHECK-NEXT: {{\[\[}}5, 6],
  // CHECK-NEXT: [7, 8]]]
  %c46 = nn.constant dense<[[1, 0], [1, 1]]> : tensor<2x2xi32>
  %v47 = nn.non_zero %c46 : (tensor<2x2xi32>) -> tensor<2x?xi64>
  %m47 = bufferization.to_buffer %v47 : tensor<2x?xi64> to memref<2x?xi64>
  %u47 = memref.cast %m47 : memref<2x?xi64> to memref<*xi64>
  call @printMemrefI64(%u47) : (memref<*xi64>) -> ()
  // CHECK: rank = 2 offset = 0 sizes = [2, 3]
  // CHECK-NEXT: {{\[\[}}0, 1, 1],
  // CHECK-NEXT: [0, 0, 1]]
  %c49 = nn.constant dense<[[[0.0, 1.5, 0.0], [-2.0, 0.0, 0.0]], [[0.0, 0.0, 0.0], [0.0, 0.0, 3.0]]]> : tensor<2x2x3xf32>
  %v50 = nn.non_zero %c49 : (tensor<2x2x3xf32>) -> tensor<3x?xi64>
  %m50 = bufferization.to_buffer %v50 : tensor<3x?xi64> to memref<3x?xi64>
  %u50 = memref.cast %m50 : memref<3x?xi64> to memref<*xi64>
  call @printMemrefI64(%u50) : (memref<*xi64>) -> ()
  // CHECK: rank = 2 offset = 0 sizes = [3, 3]
  // CHECK-NEXT: {{\[\[}}0, 0, 1],
  // CHECK-NEXT: [0, 1, 1],
  // CHECK-NEXT: [1, 0, 2]]
  %c52 = nn.constant dense<[[[[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0], [9.0, 10.0, 11.0, 12.0], [13.0, 14.0, 15.0, 16.0]]]]> : tensor<1x1x4x4xf32>
  %c53 = nn.constant dense<[1.0, 1.0, 0.800000011920929, 0.800000011920929]> : tensor<4xf32>
  %v54 = nn.resize %c52 scales %c53 {mode = #nn.resize_mode<cubic>, cubic_coeff_a = -0.5 : f32, exclude_outside = true} : (tensor<1x1x4x4xf32>, tensor<4xf32>) -> tensor<1x1x3x3xf32>
  // test_resize_downsample_scales_cubic_A_n0p5_exclude_outside
  %m54 = bufferization.to_buffer %v54 : tensor<1x1x3x3xf32> to memref<1x1x3x3xf32>
  %u54 = memref.cast %m54 : memref<1x1x3x3xf32> to memref<*xf32>
  call @printMemrefF32(%u54) : (memref<*xf32>) -> ()
  // CHECK: rank = 4 offset = 0 sizes = [1, 1, 3, 3]
  // CHECK-NEXT: {{\[\[\[\[}}1.36813, 2.6695, 4.01334],
  // CHECK-NEXT: [6.57363, 7.875, 9.21883],
  // CHECK-NEXT: [11.949, 13.2503, 14.5942]]]]
  %c56 = nn.constant dense<[[[[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0], [9.0, 10.0, 11.0, 12.0], [13.0, 14.0, 15.0, 16.0]]]]> : tensor<1x1x4x4xf32>
  %c57 = nn.constant dense<[1.0, 1.0, 2.0, 2.0]> : tensor<4xf32>
  %v58 = nn.resize %c56 scales %c57 {mode = #nn.resize_mode<cubic>, coordinate_transform = #nn.coordinate_transform<align_corners>} : (tensor<1x1x4x4xf32>, tensor<4xf32>) -> tensor<1x1x8x8xf32>
  // test_resize_upsample_scales_cubic_align_corners
  %m58 = bufferization.to_buffer %v58 : tensor<1x1x8x8xf32> to memref<1x1x8x8xf32>
  %u58 = memref.cast %m58 : memref<1x1x8x8xf32> to memref<*xf32>
  call @printMemrefF32(%u58) : (memref<*xf32>) -> ()
  // CHECK: rank = 4 offset = 0 sizes = [1, 1, 8, 8]
  // CHECK-NEXT: {{\[\[\[\[}}1, 1.34111, 1.80029, 2.32945, 2.67055, 3.19971, 3.65889, 4],
  // CHECK-NEXT: [2.36443, 2.70554, 3.16472, 3.69388, 4.03499, 4.56414, 5.02332, 5.36443],
  // CHECK-NEXT: [4.20117, 4.54227, 5.00146, 5.53061, 5.87172, 6.40087, 6.86006, 7.20117],
  // CHECK-NEXT: [6.31778, 6.65889, 7.11808, 7.64723, 7.98834, 8.51749, 8.97668, 9.31778],
  // CHECK-NEXT: [7.68222, 8.02332, 8.48251, 9.01166, 9.35277, 9.88192, 10.3411, 10.6822],
  // CHECK-NEXT: [9.79883, 10.1399, 10.5991, 11.1283, 11.4694, 11.9985, 12.4577, 12.7988],
  // CHECK-NEXT: [11.6356, 11.9767, 12.4359, 12.965, 13.3061, 13.8353, 14.2945, 14.6356],
  // CHECK-NEXT: [13, 13.3411, 13.8003, 14.3294, 14.6706, 15.1997, 15.6589, 16]]]]
  %c60 = nn.constant dense<[[[[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0]]]]> : tensor<1x1x2x4xf32>
  %c61 = nn.constant dense<[1.0, 1.0, 0.6000000238418579, 0.6000000238418579]> : tensor<4xf32>
  %v62 = nn.resize %c60 scales %c61 {mode = #nn.resize_mode<linear>, coordinate_transform = #nn.coordinate_transform<align_corners>} : (tensor<1x1x2x4xf32>, tensor<4xf32>) -> tensor<1x1x1x2xf32>
  // test_resize_downsample_scales_linear_align_corners
  %m62 = bufferization.to_buffer %v62 : tensor<1x1x1x2xf32> to memref<1x1x1x2xf32>
  %u62 = memref.cast %m62 : memref<1x1x1x2xf32> to memref<*xf32>
  call @printMemrefF32(%u62) : (memref<*xf32>) -> ()
  // CHECK: rank = 4 offset = 0 sizes = [1, 1, 1, 2]
  // CHECK-NEXT: {{\[\[\[\[}}1, 3.14286]]]]
  %c64 = nn.constant dense<[[[[1.0, 2.0], [3.0, 4.0]]]]> : tensor<1x1x2x2xf32>
  %c65 = nn.constant dense<[1.0, 1.0, 2.0, 2.0]> : tensor<4xf32>
  %v66 = nn.resize %c64 scales %c65 {mode = #nn.resize_mode<linear>} : (tensor<1x1x2x2xf32>, tensor<4xf32>) -> tensor<1x1x4x4xf32>
  // test_resize_upsample_scales_linear
  %m66 = bufferization.to_buffer %v66 : tensor<1x1x4x4xf32> to memref<1x1x4x4xf32>
  %u66 = memref.cast %m66 : memref<1x1x4x4xf32> to memref<*xf32>
  call @printMemrefF32(%u66) : (memref<*xf32>) -> ()
  // CHECK: rank = 4 offset = 0 sizes = [1, 1, 4, 4]
  // CHECK-NEXT: {{\[\[\[\[}}1, 1.25, 1.75, 2],
  // CHECK-NEXT: [1.5, 1.75, 2.25, 2.5],
  // CHECK-NEXT: [2.5, 2.75, 3.25, 3.5],
  // CHECK-NEXT: [3, 3.25, 3.75, 4]]]]
  %c68 = nn.constant dense<[[[[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0], [9.0, 10.0, 11.0, 12.0], [13.0, 14.0, 15.0, 16.0]]]]> : tensor<1x1x4x4xf32>
  %c69 = nn.constant dense<[1, 1, 3, 1]> : tensor<4xi64>
  %v70 = nn.resize %c68 sizes %c69 {mode = #nn.resize_mode<linear>, coordinate_transform = #nn.coordinate_transform<pytorch_half_pixel>} : (tensor<1x1x4x4xf32>, tensor<4xi64>) -> tensor<1x1x3x1xf32>
  // test_resize_downsample_sizes_linear_pytorch_half_pixel
  %m70 = bufferization.to_buffer %v70 : tensor<1x1x3x1xf32> to memref<1x1x3x1xf32>
  %u70 = memref.cast %m70 : memref<1x1x3x1xf32> to memref<*xf32>
  call @printMemrefF32(%u70) : (memref<*xf32>) -> ()
  // CHECK: rank = 4 offset = 0 sizes = [1, 1, 3, 1]
  // CHECK-NEXT: {{\[\[\[\[}}1.66667],
  // CHECK-NEXT: [7],
  // CHECK-NEXT: [12.3333]]]]
  %c72 = nn.constant dense<[[[[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0], [9.0, 10.0, 11.0, 12.0], [13.0, 14.0, 15.0, 16.0]]]]> : tensor<1x1x4x4xf32>
  %c73 = nn.constant dense<[0.0, 0.0, 0.4000000059604645, 0.6000000238418579, 1.0, 1.0, 1.2000000476837158, 1.7000000476837158]> : tensor<8xf32>
  %c74 = nn.constant dense<[1, 1, 3, 3]> : tensor<4xi64>
  %v75 = nn.resize %c72 roi %c73 sizes %c74 {mode = #nn.resize_mode<linear>, coordinate_transform = #nn.coordinate_transform<tf_crop_and_resize>, extrapolation_value = 10.0 : f32} : (tensor<1x1x4x4xf32>, tensor<8xf32>, tensor<4xi64>) -> tensor<1x1x3x3xf32>
  // test_resize_tf_crop_and_resize
  %m75 = bufferization.to_buffer %v75 : tensor<1x1x3x3xf32> to memref<1x1x3x3xf32>
  %u75 = memref.cast %m75 : memref<1x1x3x3xf32> to memref<*xf32>
  call @printMemrefF32(%u75) : (memref<*xf32>) -> ()
  // CHECK: rank = 4 offset = 0 sizes = [1, 1, 3, 3]
  // CHECK-NEXT: {{\[\[\[\[}}7.6, 10, 10],
  // CHECK-NEXT: [12.4, 10, 10],
  // CHECK-NEXT: [10, 10, 10]]]]
  %c77 = nn.constant dense<[[[[1.0, 2.0], [3.0, 4.0]]]]> : tensor<1x1x2x2xf32>
  %c78 = nn.constant dense<[1.0, 1.0, 2.0, 3.0]> : tensor<4xf32>
  %v79 = nn.resize %c77 scales %c78 : (tensor<1x1x2x2xf32>, tensor<4xf32>) -> tensor<1x1x4x6xf32>
  // test_resize_upsample_scales_nearest
  %m79 = bufferization.to_buffer %v79 : tensor<1x1x4x6xf32> to memref<1x1x4x6xf32>
  %u79 = memref.cast %m79 : memref<1x1x4x6xf32> to memref<*xf32>
  call @printMemrefF32(%u79) : (memref<*xf32>) -> ()
  // CHECK: rank = 4 offset = 0 sizes = [1, 1, 4, 6]
  // CHECK-NEXT: {{\[\[\[\[}}1, 1, 1, 2, 2, 2],
  // CHECK-NEXT: [1, 1, 1, 2, 2, 2],
  // CHECK-NEXT: [3, 3, 3, 4, 4, 4],
  // CHECK-NEXT: [3, 3, 3, 4, 4, 4]]]]
  %c81 = nn.constant dense<[[[[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0], [9.0, 10.0, 11.0, 12.0], [13.0, 14.0, 15.0, 16.0]]]]> : tensor<1x1x4x4xf32>
  %c82 = nn.constant dense<[1, 1, 8, 8]> : tensor<4xi64>
  %v83 = nn.resize %c81 sizes %c82 {nearest_rounding = #nn.nearest_rounding<floor>, coordinate_transform = #nn.coordinate_transform<align_corners>} : (tensor<1x1x4x4xf32>, tensor<4xi64>) -> tensor<1x1x8x8xf32>
  // test_resize_upsample_sizes_nearest_floor_align_corners
  %m83 = bufferization.to_buffer %v83 : tensor<1x1x8x8xf32> to memref<1x1x8x8xf32>
  %u83 = memref.cast %m83 : memref<1x1x8x8xf32> to memref<*xf32>
  call @printMemrefF32(%u83) : (memref<*xf32>) -> ()
  // CHECK: rank = 4 offset = 0 sizes = [1, 1, 8, 8]
  // CHECK-NEXT: {{\[\[\[\[}}1, 1, 1, 2, 2, 3, 3, 4],
  // CHECK-NEXT: [1, 1, 1, 2, 2, 3, 3, 4],
  // CHECK-NEXT: [1, 1, 1, 2, 2, 3, 3, 4],
  // CHECK-NEXT: [5, 5, 5, 6, 6, 7, 7, 8],
  // CHECK-NEXT: [5, 5, 5, 6, 6, 7, 7, 8],
  // CHECK-NEXT: [9, 9, 9, 10, 10, 11, 11, 12],
  // CHECK-NEXT: [9, 9, 9, 10, 10, 11, 11, 12],
  // CHECK-NEXT: [13, 13, 13, 14, 14, 15, 15, 16]]]]
  %c85 = nn.constant dense<[[[[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0], [9.0, 10.0, 11.0, 12.0], [13.0, 14.0, 15.0, 16.0]]]]> : tensor<1x1x4x4xf32>
  %c86 = nn.constant dense<[1, 1, 8, 8]> : tensor<4xi64>
  %v87 = nn.resize %c85 sizes %c86 {nearest_rounding = #nn.nearest_rounding<round_prefer_ceil>, coordinate_transform = #nn.coordinate_transform<asymmetric>} : (tensor<1x1x4x4xf32>, tensor<4xi64>) -> tensor<1x1x8x8xf32>
  // test_resize_upsample_sizes_nearest_round_prefer_ceil_asymmetric
  %m87 = bufferization.to_buffer %v87 : tensor<1x1x8x8xf32> to memref<1x1x8x8xf32>
  %u87 = memref.cast %m87 : memref<1x1x8x8xf32> to memref<*xf32>
  call @printMemrefF32(%u87) : (memref<*xf32>) -> ()
  // CHECK: rank = 4 offset = 0 sizes = [1, 1, 8, 8]
  // CHECK-NEXT: {{\[\[\[\[}}1, 2, 2, 3, 3, 4, 4, 4],
  // CHECK-NEXT: [5, 6, 6, 7, 7, 8, 8, 8],
  // CHECK-NEXT: [5, 6, 6, 7, 7, 8, 8, 8],
  // CHECK-NEXT: [9, 10, 10, 11, 11, 12, 12, 12],
  // CHECK-NEXT: [9, 10, 10, 11, 11, 12, 12, 12],
  // CHECK-NEXT: [13, 14, 14, 15, 15, 16, 16, 16],
  // CHECK-NEXT: [13, 14, 14, 15, 15, 16, 16, 16],
  // CHECK-NEXT: [13, 14, 14, 15, 15, 16, 16, 16]]]]
  %c89 = nn.constant dense<[[[[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0]]]]> : tensor<1x1x2x4xf32>
  %c90 = nn.constant dense<[1, 1, 1, 3]> : tensor<4xi64>
  %v91 = nn.resize %c89 sizes %c90 : (tensor<1x1x2x4xf32>, tensor<4xi64>) -> tensor<1x1x1x3xf32>
  // test_resize_downsample_sizes_nearest
  %m91 = bufferization.to_buffer %v91 : tensor<1x1x1x3xf32> to memref<1x1x1x3xf32>
  %u91 = memref.cast %m91 : memref<1x1x1x3xf32> to memref<*xf32>
  call @printMemrefF32(%u91) : (memref<*xf32>) -> ()
  // CHECK: rank = 4 offset = 0 sizes = [1, 1, 1, 3]
  // CHECK-NEXT: {{\[\[\[\[}}1, 2, 4]]]]
  %c93 = nn.constant dense<[[0, 255, 10]]> : tensor<1x3xui8>
  %c94 = nn.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %v95 = nn.resize %c93 scales %c94 {mode = #nn.resize_mode<linear>} : (tensor<1x3xui8>, tensor<2xf32>) -> tensor<1x6xui8>
  %v96 = nn.cast %v95 : (tensor<1x6xui8>) -> tensor<1x6xi64>
  %m96 = bufferization.to_buffer %v96 : tensor<1x6xi64> to memref<1x6xi64>
  %u96 = memref.cast %m96 : memref<1x6xi64> to memref<*xi64>
  call @printMemrefI64(%u96) : (memref<*xi64>) -> ()
  // CHECK: rank = 2 offset = 0 sizes = [1, 6]
  // CHECK-NEXT: {{\[\[}}0, 63, 191, 193, 71, 10]]
  // Dynamic shapes: the same computations on operands of unknown sizes.
  %dd = tensor.cast %c1 : tensor<3x4xf32> to tensor<?x?xf32>
  %dg = nn.gather %dd, %c2 {axis = 1 : i64} : (tensor<?x?xf32>, tensor<2x2xi64>) -> tensor<?x2x2xf32>
  %dgm = bufferization.to_buffer %dg : tensor<?x2x2xf32> to memref<?x2x2xf32>
  %dgu = memref.cast %dgm : memref<?x2x2xf32> to memref<*xf32>
  call @printMemrefF32(%dgu) : (memref<*xf32>) -> ()
  // CHECK: rank = 3 offset = 0 sizes = [3, 2, 2]
  // CHECK-NEXT: {{\[\[\[}}3, 0],
  // CHECK-NEXT: [2, 3]],
  // CHECK-NEXT: {{\[\[}}7, 4],
  // CHECK-NEXT: [6, 7]],
  // CHECK-NEXT: {{\[\[}}11, 8],
  // CHECK-NEXT: [10, 11]]]
  %dx = tensor.cast %c64 : tensor<1x1x2x2xf32> to tensor<?x?x?x?xf32>
  %dr = nn.resize %dx scales %c65 {mode = #nn.resize_mode<linear>} : (tensor<?x?x?x?xf32>, tensor<4xf32>) -> tensor<?x?x?x?xf32>
  %drm = bufferization.to_buffer %dr : tensor<?x?x?x?xf32> to memref<?x?x?x?xf32>
  %dru = memref.cast %drm : memref<?x?x?x?xf32> to memref<*xf32>
  call @printMemrefF32(%dru) : (memref<*xf32>) -> ()
  // CHECK: rank = 4 offset = 0 sizes = [1, 1, 4, 4]
  // CHECK-NEXT: {{\[\[\[\[}}1, 1.25, 1.75, 2],
  // CHECK-NEXT: [1.5, 1.75, 2.25, 2.5],
  // CHECK-NEXT: [2.5, 2.75, 3.25, 3.5],
  // CHECK-NEXT: [3, 3.25, 3.75, 4]]]]
  %dz = tensor.cast %c49 : tensor<2x2x3xf32> to tensor<?x2x?xf32>
  %dn = nn.non_zero %dz : (tensor<?x2x?xf32>) -> tensor<3x?xi64>
  %dnm = bufferization.to_buffer %dn : tensor<3x?xi64> to memref<3x?xi64>
  %dnu = memref.cast %dnm : memref<3x?xi64> to memref<*xi64>
  call @printMemrefI64(%dnu) : (memref<*xi64>) -> ()
  // CHECK: rank = 2 offset = 0 sizes = [3, 3]
  // CHECK-NEXT: {{\[\[}}0, 0, 1],
  // CHECK-NEXT: [0, 1, 1],
  // CHECK-NEXT: [1, 0, 2]]
  %ds = tensor.cast %c25 : tensor<1x5xf32> to tensor<?x?xf32>
  %dsi = tensor.cast %c26 : tensor<1x3xi32> to tensor<?x?xi32>
  %dsu = tensor.cast %c27 : tensor<1x3xf32> to tensor<?x?xf32>
  %dsc = nn.scatter_elements %ds, %dsi, %dsu {axis = 1 : i64, reduction = #nn.scatter_reduction<add>} : (tensor<?x?xf32>, tensor<?x?xi32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  %dscm = bufferization.to_buffer %dsc : tensor<?x?xf32> to memref<?x?xf32>
  %dscu = memref.cast %dscm : memref<?x?xf32> to memref<*xf32>
  call @printMemrefF32(%dscu) : (memref<*xf32>) -> ()
  // CHECK: rank = 2 offset = 0 sizes = [1, 5]
  // CHECK-NEXT: {{\[\[}}1, 5.75, 3, -3, 5]]
  return
}
