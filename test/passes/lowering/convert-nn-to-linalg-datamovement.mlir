// RUN: ddl-opt %s --convert-nn-to-linalg --split-input-file | FileCheck %s

// CHECK-LABEL: func.func @reshape_static
// CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0, 1], [2]] : tensor<2x3x4xf32> into tensor<6x4xf32>
func.func @reshape_static(%x: tensor<2x3x4xf32>) -> tensor<6x4xf32> {
  %s = nn.constant dense<[6, 4]> : tensor<2xi64>
  %0 = nn.reshape %x, %s : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<6x4xf32>
  return %0 : tensor<6x4xf32>
}

// -----

// CHECK-LABEL: func.func @reshape_dynamic
// CHECK-SAME: (%[[X:.+]]: tensor<?x4xf32>, %[[S:.+]]: tensor<3xi64>)
// CHECK: tensor.extract %[[S]]
// CHECK: %[[SHAPE:.+]] = tensor.from_elements %{{.*}}, %{{.*}}, %{{.*}} : tensor<3xindex>
// CHECK: tensor.reshape %[[X]](%[[SHAPE]]) : (tensor<?x4xf32>, tensor<3xindex>) -> tensor<?x?x?xf32>
func.func @reshape_dynamic(%x: tensor<?x4xf32>, %s: tensor<3xi64>) -> tensor<?x?x?xf32> {
  %0 = nn.reshape %x, %s : (tensor<?x4xf32>, tensor<3xi64>) -> tensor<?x?x?xf32>
  return %0 : tensor<?x?x?xf32>
}

// -----

// One dynamic size: collapse to 1-D, then expand.
// CHECK-LABEL: func.func @reshape_one_dynamic
// CHECK: %[[FLAT:.+]] = tensor.collapse_shape %{{.*}} {{\[\[}}0, 1]] : tensor<?x4xf32> into tensor<?xf32>
// CHECK: tensor.expand_shape %[[FLAT]] {{\[\[}}0, 1]] output_shape [2, %{{.*}}] : tensor<?xf32> into tensor<2x?xf32>
func.func @reshape_one_dynamic(%x: tensor<?x4xf32>) -> tensor<2x?xf32> {
  %s = nn.constant dense<[2, -1]> : tensor<2xi64>
  %0 = nn.reshape %x, %s : (tensor<?x4xf32>, tensor<2xi64>) -> tensor<2x?xf32>
  return %0 : tensor<2x?xf32>
}

// -----

// CHECK-LABEL: func.func @reshape_to_scalar
// CHECK: tensor.collapse_shape %{{.*}} [] : tensor<1x1xf32> into tensor<f32>
func.func @reshape_to_scalar(%x: tensor<1x1xf32>) -> tensor<f32> {
  %s = nn.constant dense<> : tensor<0xi64>
  %0 = nn.reshape %x, %s : (tensor<1x1xf32>, tensor<0xi64>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// CHECK-LABEL: func.func @flatten_dynamic
// CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0], [1, 2]] : tensor<?x3x?xi8> into tensor<?x?xi8>
// CHECK-LABEL: func.func @flatten_axis0
// CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0, 1]] : tensor<?x3xf32> into tensor<?xf32>
// CHECK: tensor.expand_shape %{{.*}} {{\[\[}}0, 1]] output_shape [1, %{{.*}}] : tensor<?xf32> into tensor<1x?xf32>
func.func @flatten_dynamic(%x: tensor<?x3x?xui8>) -> tensor<?x?xui8> {
  %0 = nn.flatten %x {axis = 1 : i64} : (tensor<?x3x?xui8>) -> tensor<?x?xui8>
  return %0 : tensor<?x?xui8>
}
func.func @flatten_axis0(%x: tensor<?x3xf32>) -> tensor<1x?xf32> {
  %0 = nn.flatten %x {axis = 0 : i64} : (tensor<?x3xf32>) -> tensor<1x?xf32>
  return %0 : tensor<1x?xf32>
}

// -----

// CHECK-LABEL: func.func @squeeze
// CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0, 1], [2, 3]] : tensor<1x?x?x1xf32> into tensor<?x?xf32>
// CHECK-LABEL: func.func @squeeze_dynamic_axis
// CHECK: %[[C:.+]] = tensor.cast %{{.*}} : tensor<4x?xf32> to tensor<4x1xf32>
// CHECK: tensor.collapse_shape %[[C]] {{\[\[}}0, 1]] : tensor<4x1xf32> into tensor<4xf32>
func.func @squeeze(%x: tensor<1x?x?x1xf32>) -> tensor<?x?xf32> {
  %0 = nn.squeeze %x {axes = array<i64: 0, -1>} : (tensor<1x?x?x1xf32>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}
func.func @squeeze_dynamic_axis(%x: tensor<4x?xf32>) -> tensor<4xf32> {
  %0 = nn.squeeze %x {axes = array<i64: 1>} : (tensor<4x?xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @unsqueeze
// CHECK: %[[D:.+]] = tensor.dim %{{.*}}, %c0
// CHECK: tensor.expand_shape %{{.*}} {{\[\[}}0, 1], [2, 3]] output_shape [1, %[[D]], 5, 1] : tensor<?x5xi1> into tensor<1x?x5x1xi1>
func.func @unsqueeze(%x: tensor<?x5xi1>) -> tensor<1x?x5x1xi1> {
  %0 = nn.unsqueeze %x {axes = array<i64: 0, 3>} : (tensor<?x5xi1>) -> tensor<1x?x5x1xi1>
  return %0 : tensor<1x?x5x1xi1>
}

// -----

// CHECK-LABEL: func.func @transpose
// CHECK: %[[E:.+]] = tensor.empty(%{{.*}}) : tensor<4x?x3xf16>
// CHECK: linalg.transpose ins(%{{.*}} : tensor<?x3x4xf16>) outs(%[[E]] : tensor<4x?x3xf16>) permutation = [2, 0, 1]
func.func @transpose(%x: tensor<?x3x4xf16>) -> tensor<4x?x3xf16> {
  %0 = nn.transpose %x {perm = array<i64: 2, 0, 1>} : (tensor<?x3x4xf16>) -> tensor<4x?x3xf16>
  return %0 : tensor<4x?x3xf16>
}

// -----

// Moving only a unit dimension keeps the element order: a reshape (through
// the common [197, 768]), no copy. A real transpose of the same tensor
// stays one.
// CHECK-LABEL: func.func @transpose_unit_dim
// CHECK: %[[C:.+]] = tensor.collapse_shape %{{.+}} {{\[\[}}0, 1], [2]] : tensor<1x197x768xf32> into tensor<197x768xf32>
// CHECK: tensor.expand_shape %[[C]] {{\[\[}}0], [1, 2]] output_shape [197, 1, 768] : tensor<197x768xf32> into tensor<197x1x768xf32>
// CHECK: linalg.transpose ins(%{{.*}} : tensor<1x197x768xf32>) outs(%{{.*}} : tensor<768x197x1xf32>) permutation = [2, 1, 0]
func.func @transpose_unit_dim(%x: tensor<1x197x768xf32>) -> (tensor<197x1x768xf32>, tensor<768x197x1xf32>) {
  %0 = nn.transpose %x {perm = array<i64: 1, 0, 2>} : (tensor<1x197x768xf32>) -> tensor<197x1x768xf32>
  %1 = nn.transpose %x {perm = array<i64: 2, 1, 0>} : (tensor<1x197x768xf32>) -> tensor<768x197x1xf32>
  return %0, %1 : tensor<197x1x768xf32>, tensor<768x197x1xf32>
}

// -----

// CHECK-LABEL: func.func @slice_static
// CHECK: tensor.extract_slice %{{.*}}[0, 1] [4, 2] [1, 2] : tensor<4x6xf32> to tensor<4x2xf32>
func.func @slice_static(%x: tensor<4x6xf32>) -> tensor<4x2xf32> {
  %s = nn.constant dense<[1]> : tensor<1xi64>
  %e = nn.constant dense<[-1]> : tensor<1xi64>
  %a = nn.constant dense<[1]> : tensor<1xi64>
  %t = nn.constant dense<[2]> : tensor<1xi64>
  %0 = nn.slice %x, %s, %e axes %a steps %t : (tensor<4x6xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<4x2xf32>
  return %0 : tensor<4x2xf32>
}

// -----

// Run-time starts and ends on a dynamic input: extract_slice with computed
// offsets and sizes.
// CHECK-LABEL: func.func @slice_dynamic
// CHECK: tensor.extract %{{.*}}[%{{.*}}] : tensor<1xi32>
// CHECK: arith.index_cast
// CHECK: tensor.extract_slice %{{.*}}[%{{.*}}, 0] [%{{.*}}, 3] [1, 1] : tensor<?x3xf32> to tensor<?x3xf32>
func.func @slice_dynamic(%x: tensor<?x3xf32>, %s: tensor<1xi32>, %e: tensor<1xi32>) -> tensor<?x3xf32> {
  %0 = nn.slice %x, %s, %e : (tensor<?x3xf32>, tensor<1xi32>, tensor<1xi32>) -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

// A negative step reads input[start + i * step] in a generic.
// CHECK-LABEL: func.func @slice_negative_step
// CHECK: linalg.generic
// CHECK: linalg.index 0
// CHECK: arith.muli
// CHECK: tensor.extract %{{.*}} : tensor<?xi64>
func.func @slice_negative_step(%x: tensor<?xi64>) -> tensor<?xi64> {
  %s = nn.constant dense<[-1]> : tensor<1xi64>
  %e = nn.constant dense<[-9223372036854775807]> : tensor<1xi64>
  %t = nn.constant dense<[-1]> : tensor<1xi64>
  %a = nn.constant dense<[0]> : tensor<1xi64>
  %0 = nn.slice %x, %s, %e axes %a steps %t : (tensor<?xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<?xi64>
  return %0 : tensor<?xi64>
}

// -----

// CHECK-LABEL: func.func @concat
// CHECK: %[[E:.+]] = tensor.empty(%{{.*}}) : tensor<2x?xf32>
// CHECK: %[[I0:.+]] = tensor.insert_slice %{{.*}} into %[[E]][0, 0] [2, 3] [1, 1] : tensor<2x3xf32> into tensor<2x?xf32>
// CHECK: tensor.insert_slice %{{.*}} into %[[I0]][0, 3] [2, %{{.*}}] [1, 1] : tensor<2x?xf32> into tensor<2x?xf32>
func.func @concat(%a: tensor<2x3xf32>, %b: tensor<2x?xf32>) -> tensor<2x?xf32> {
  %0 = nn.concat %a, %b {axis = -1 : i64} : (tensor<2x3xf32>, tensor<2x?xf32>) -> tensor<2x?xf32>
  return %0 : tensor<2x?xf32>
}

// -----

// CHECK-LABEL: func.func @split_sizes
// CHECK: tensor.extract_slice %{{.*}}[0, 0] [2, 1] [1, 1] : tensor<2x5xf32> to tensor<2x1xf32>
// CHECK: tensor.extract_slice %{{.*}}[0, 1] [2, 4] [1, 1] : tensor<2x5xf32> to tensor<2x4xf32>
func.func @split_sizes(%x: tensor<2x5xf32>) -> (tensor<2x1xf32>, tensor<2x4xf32>) {
  %0:2 = nn.split %x {axis = 1 : i64, num_outputs = 2 : i64, sizes = array<i64: 1, 4>} : (tensor<2x5xf32>) -> (tensor<2x1xf32>, tensor<2x4xf32>)
  return %0#0, %0#1 : tensor<2x1xf32>, tensor<2x4xf32>
}

// -----

// Equal pieces of a dynamic dimension, clamped to what is left.
// CHECK-LABEL: func.func @split_dynamic
// CHECK: arith.ceildivsi
// CHECK: tensor.extract_slice %{{.*}}[0] [%{{.*}}] [1] : tensor<?xf32> to tensor<?xf32>
// CHECK: arith.minsi
// CHECK: tensor.extract_slice %{{.*}}[%{{.*}}] [%{{.*}}] [1] : tensor<?xf32> to tensor<?xf32>
func.func @split_dynamic(%x: tensor<?xf32>) -> (tensor<?xf32>, tensor<?xf32>) {
  %0:2 = nn.split %x {num_outputs = 2 : i64} : (tensor<?xf32>) -> (tensor<?xf32>, tensor<?xf32>)
  return %0#0, %0#1 : tensor<?xf32>, tensor<?xf32>
}

// -----

// Negative pads crop with an extract_slice, then tensor.pad pads.
// CHECK-LABEL: func.func @pad_constant
// CHECK: %[[S:.+]] = tensor.extract_slice %{{.*}}[0, 1] [3, 3] [1, 1] : tensor<3x4xf32> to tensor<3x3xf32>
// CHECK: %[[V:.+]] = tensor.extract %{{.*}}[] : tensor<f32>
// CHECK: tensor.pad %[[S]] low[1, 0] high[0, 2]
// CHECK: tensor.yield %[[V]]
func.func @pad_constant(%x: tensor<3x4xf32>, %v: tensor<f32>) -> tensor<4x5xf32> {
  %p = nn.constant dense<[1, -1, 0, 2]> : tensor<4xi64>
  %0 = nn.pad %x, %p, %v : (tensor<3x4xf32>, tensor<4xi64>, tensor<f32>) -> tensor<4x5xf32>
  return %0 : tensor<4x5xf32>
}

// -----

// CHECK-LABEL: func.func @pad_dynamic
// CHECK: tensor.extract %{{.*}} : tensor<2xi64>
// CHECK: tensor.pad %{{.*}} low[%{{.*}}] high[%{{.*}}]
func.func @pad_dynamic(%x: tensor<?xi32>, %p: tensor<2xi64>) -> tensor<?xi32> {
  %0 = nn.pad %x, %p : (tensor<?xi32>, tensor<2xi64>) -> tensor<?xi32>
  return %0 : tensor<?xi32>
}

// -----

// CHECK-LABEL: func.func @pad_reflect
// CHECK: linalg.generic
// CHECK: arith.remsi
// CHECK: scf.if
// CHECK: tensor.extract
func.func @pad_reflect(%x: tensor<?x3xf32>) -> tensor<?x7xf32> {
  %p = nn.constant dense<[0, 2, 0, 2]> : tensor<4xi64>
  %0 = nn.pad %x, %p {mode = #nn.pad_mode<reflect>} : (tensor<?x3xf32>, tensor<4xi64>) -> tensor<?x7xf32>
  return %0 : tensor<?x7xf32>
}

// -----

// CHECK-LABEL: func.func @pad_edge_static
// CHECK: linalg.generic
// CHECK-NOT: scf.if
// CHECK: tensor.extract
func.func @pad_edge_static(%x: tensor<2x3xf32>) -> tensor<3x7xf32> {
  %p = nn.constant dense<[1, 2, 0, 2]> : tensor<4xi64>
  %0 = nn.pad %x, %p {mode = #nn.pad_mode<edge>} : (tensor<2x3xf32>, tensor<4xi64>) -> tensor<3x7xf32>
  return %0 : tensor<3x7xf32>
}

// -----

// CHECK-LABEL: func.func @expand
// CHECK: linalg.generic
// CHECK-SAME: outs(%{{.*}} : tensor<3x4xf32>)
func.func @expand(%x: tensor<3x1xf32>) -> tensor<3x4xf32> {
  %s = nn.constant dense<[1, 4]> : tensor<2xi64>
  %0 = nn.expand %x, %s : (tensor<3x1xf32>, tensor<2xi64>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

// CHECK-LABEL: func.func @expand_dynamic
// CHECK: tensor.extract %{{.*}} : tensor<2xi64>
// CHECK: linalg.generic
// CHECK-SAME: outs(%{{.*}} : tensor<?x?xf32>)
func.func @expand_dynamic(%x: tensor<?x1xf32>, %s: tensor<2xi64>) -> tensor<?x?xf32> {
  %0 = nn.expand %x, %s : (tensor<?x1xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// CHECK-LABEL: func.func @tile
// CHECK: %[[E:.+]] = tensor.empty() : tensor<2x3x1x4xf32>
// CHECK: %[[B:.+]] = linalg.broadcast ins(%{{.*}} : tensor<3x4xf32>) outs(%[[E]] : tensor<2x3x1x4xf32>) dimensions = [0, 2]
// CHECK: tensor.collapse_shape %[[B]] {{\[\[}}0, 1], [2, 3]] : tensor<2x3x1x4xf32> into tensor<6x4xf32>
func.func @tile(%x: tensor<3x4xf32>) -> tensor<6x4xf32> {
  %r = nn.constant dense<[2, 1]> : tensor<2xi64>
  %0 = nn.tile %x, %r : (tensor<3x4xf32>, tensor<2xi64>) -> tensor<6x4xf32>
  return %0 : tensor<6x4xf32>
}

// -----

// CHECK-LABEL: func.func @tile_dynamic
// CHECK: linalg.broadcast ins(%{{.*}} : tensor<?xi8>) outs(%{{.*}} : tensor<?x?xi8>) dimensions = [0]
// CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0, 1]] : tensor<?x?xi8> into tensor<?xi8>
func.func @tile_dynamic(%x: tensor<?xi8>, %r: tensor<1xi64>) -> tensor<?xi8> {
  %0 = nn.tile %x, %r : (tensor<?xi8>, tensor<1xi64>) -> tensor<?xi8>
  return %0 : tensor<?xi8>
}

// -----

// CHECK-LABEL: func.func @shape_of
// CHECK: %[[D:.+]] = tensor.dim %{{.*}}, %c0 : tensor<?x3x5xf32>
// CHECK: %[[I:.+]] = arith.index_cast %[[D]] : index to i64
// CHECK: tensor.from_elements %[[I]], %c3_i64 : tensor<2xi64>
// CHECK-LABEL: func.func @size
// CHECK: arith.muli
// CHECK: tensor.from_elements %{{.*}} : tensor<i64>
func.func @shape_of(%x: tensor<?x3x5xf32>) -> tensor<2xi64> {
  %0 = nn.shape_of %x {end = -1 : i64} : (tensor<?x3x5xf32>) -> tensor<2xi64>
  return %0 : tensor<2xi64>
}
func.func @size(%x: tensor<?x3x5xf32>) -> tensor<i64> {
  %0 = nn.size %x : (tensor<?x3x5xf32>) -> tensor<i64>
  return %0 : tensor<i64>
}

// -----

// CHECK-LABEL: func.func @constant_of_shape
// CHECK: %[[E:.+]] = tensor.empty(%{{.*}}) : tensor<?x2xi32>
// CHECK: %[[C:.+]] = arith.constant 7 : i32
// CHECK: linalg.fill ins(%[[C]] : i32) outs(%[[E]] : tensor<?x2xi32>)
func.func @constant_of_shape(%s: tensor<2xi64>) -> tensor<?x2xi32> {
  %0 = nn.constant_of_shape %s, dense<7> : tensor<1xi32> : (tensor<2xi64>) -> tensor<?x2xi32>
  return %0 : tensor<?x2xi32>
}

// -----

// CHECK-LABEL: func.func @range_int
// CHECK: arith.ceildivsi
// CHECK: arith.maxsi
// CHECK: linalg.generic
// CHECK: linalg.index 0
// CHECK-LABEL: func.func @range_float
// CHECK: math.ceil
// CHECK: linalg.generic
// CHECK: arith.mulf
func.func @range_int(%a: tensor<i32>, %b: tensor<i32>, %c: tensor<i32>) -> tensor<?xi32> {
  %0 = nn.range %a, %b, %c : (tensor<i32>, tensor<i32>, tensor<i32>) -> tensor<?xi32>
  return %0 : tensor<?xi32>
}
func.func @range_float(%a: tensor<f32>, %b: tensor<f32>, %c: tensor<f32>) -> tensor<?xf32> {
  %0 = nn.range %a, %b, %c : (tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// A statically empty slice (start clamped to the end) is a tensor.empty:
// extract_slice does not verify with an offset at the end of a dimension.
// CHECK-LABEL: func.func @slice_empty
// CHECK-NOT: tensor.extract_slice
// CHECK: tensor.empty() : tensor<2x0xf32>
func.func @slice_empty(%x: tensor<2x10xf32>) -> tensor<2x0xf32> {
  %s = nn.constant dense<[1000]> : tensor<1xi64>
  %e = nn.constant dense<[1000]> : tensor<1xi64>
  %a = nn.constant dense<[1]> : tensor<1xi64>
  %0 = nn.slice %x, %s, %e axes %a : (tensor<2x10xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<2x0xf32>
  return %0 : tensor<2x0xf32>
}

// -----

// Empty concat inputs are skipped.
// CHECK-LABEL: func.func @concat_empty
// CHECK-COUNT-1: tensor.insert_slice
// CHECK-NOT: tensor.insert_slice
func.func @concat_empty(%a: tensor<0x3xf32>, %b: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = nn.concat %b, %a {axis = 0 : i64} : (tensor<2x3xf32>, tensor<0x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}
