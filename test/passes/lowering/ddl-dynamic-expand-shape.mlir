// RUN: ddl-opt %s --ddl-dynamic-expand-shape --split-input-file | FileCheck %s
// RUN: ddl-opt %s --ddl-dynamic-expand-shape --expand-strided-metadata --split-input-file | FileCheck %s --check-prefix=ESM

// A group of two dynamic sizes (and a unit) becomes a reinterpret_cast:
// strides are the suffix products within the group. Upstream
// expand-strided-metadata crashes on the expand_shape itself.
// CHECK-LABEL: func.func @two_dynamic
// CHECK: memref.reinterpret_cast %arg0 to offset: [0], sizes: [%arg1, %arg2, 1], strides: [%arg2, 1, 1] : memref<?xf32> to memref<?x?x1xf32>
// ESM-LABEL: func.func @two_dynamic
// ESM-NOT: memref.expand_shape
func.func @two_dynamic(%m: memref<?xf32>, %a: index, %b: index) -> memref<?x?x1xf32> {
  %e = memref.expand_shape %m [[0, 1, 2]] output_shape [%a, %b, 1] : memref<?xf32> into memref<?x?x1xf32>
  return %e : memref<?x?x1xf32>
}

// -----

// Two groups of a 2-D source: the second group's stride comes first, the
// first group's inner strides multiply the second's extent.
// CHECK-LABEL: func.func @two_groups
// CHECK: %[[D1:.+]] = memref.dim %arg0, %c1
// CHECK: %[[S:.+]] = arith.muli %[[D1]], %arg2
// CHECK: memref.reinterpret_cast %arg0 to offset: [0], sizes: [%arg1, %arg2, %arg3, %arg4], strides: [%[[S]], %[[D1]], %arg4, 1]
func.func @two_groups(%m: memref<?x?xf32>, %a: index, %b: index, %c: index, %d: index) -> memref<?x?x?x?xf32> {
  %e = memref.expand_shape %m [[0, 1], [2, 3]] output_shape [%a, %b, %c, %d] : memref<?x?xf32> into memref<?x?x?x?xf32>
  return %e : memref<?x?x?x?xf32>
}

// -----

// One dynamic size a group is left to upstream.
// CHECK-LABEL: func.func @one_dynamic
// CHECK: memref.expand_shape
func.func @one_dynamic(%m: memref<?xf32>, %a: index) -> memref<?x4xf32> {
  %e = memref.expand_shape %m [[0, 1]] output_shape [%a, 4] : memref<?xf32> into memref<?x4xf32>
  return %e : memref<?x4xf32>
}
