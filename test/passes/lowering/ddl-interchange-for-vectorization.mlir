// RUN: ddl-opt %s --ddl-interchange-for-vectorization | FileCheck %s

// matmul (i, j, k) runs as (i, k, j): the inner loop walks a row of C.
// CHECK-LABEL: func.func @matmul
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "reduction", "parallel"]
func.func @matmul(%a: memref<8x16xf32>, %b: memref<16x32xf32>, %c: memref<8x32xf32>) {
  linalg.matmul ins(%a, %b : memref<8x16xf32>, memref<16x32xf32>) outs(%c : memref<8x32xf32>)
  return
}

// A convolution's output width loop moves inside the channel and window
// loops.
// CHECK-LABEL: func.func @conv
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "parallel"]
func.func @conv(%x: memref<1x3x10x10xf32>, %w: memref<4x3x3x3xf32>, %y: memref<1x4x8x8xf32>) {
  linalg.conv_2d_nchw_fchw ins(%x, %w : memref<1x3x10x10xf32>, memref<4x3x3x3xf32>) outs(%y : memref<1x4x8x8xf32>)
  return
}

// Elementwise ops have no reduction and keep their order.
// CHECK-LABEL: func.func @copy
// CHECK: linalg.copy
func.func @copy(%a: memref<8x8xf32>, %b: memref<8x8xf32>) {
  linalg.copy ins(%a : memref<8x8xf32>) outs(%b : memref<8x8xf32>)
  return
}
