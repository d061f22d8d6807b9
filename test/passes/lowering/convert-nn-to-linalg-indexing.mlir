// RUN: ddl-opt %s --convert-nn-to-linalg --split-input-file | FileCheck %s

// CHECK-LABEL: func.func @gather_dynamic(
// CHECK-SAME: %[[D:.+]]: tensor<?x16xf32>, %[[I:.+]]: tensor<?x?xi64>) -> tensor<?x?x16xf32>
// CHECK: %[[E:.+]] = tensor.empty({{.+}}) : tensor<?x?x16xf32>
// Indices out of [-size, size - 1] fail the run (ddl-checks-to-status):
// one reduction to "any out of range", then an assert.
// CHECK: %[[BAD:.+]] = linalg.generic {{.*}}iterator_types = ["reduction", "reduction"]} ins(%[[I]] : tensor<?x?xi64>) outs(%{{.+}} : tensor<i1>)
// CHECK: arith.cmpi slt
// CHECK: arith.cmpi sge
// CHECK: %[[ANY:.+]] = tensor.extract %[[BAD]][] : tensor<i1>
// CHECK: %[[OK:.+]] = arith.xori %[[ANY]]
// CHECK: cf.assert %[[OK]], "an index is out of range for dimension 0 of data
// The gather itself clamps, so the rest of a failed run stays in bounds.
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[I]] : tensor<?x?xi64>) outs(%[[E]] : tensor<?x?x16xf32>)
// CHECK: arith.index_cast
// CHECK: arith.minsi
// CHECK: arith.maxsi
// CHECK: tensor.extract %[[D]]
func.func @gather_dynamic(%d: tensor<?x16xf32, #nn.dims<n, 16>>, %i: tensor<?x?xi64, #nn.dims<b, s>>) -> tensor<?x?x16xf32, #nn.dims<b, s, 16>> {
  %0 = nn.gather %d, %i {axis = 0 : i64} : (tensor<?x16xf32, #nn.dims<n, 16>>, tensor<?x?xi64, #nn.dims<b, s>>) -> tensor<?x?x16xf32, #nn.dims<b, s, 16>>
  return %0 : tensor<?x?x16xf32, #nn.dims<b, s, 16>>
}

// -----

// A 0-d index removes the axis: checked, normalized once, then a slice
// (a view, no copy).
// CHECK-LABEL: func.func @gather_scalar_index(
// CHECK-SAME: %[[D:[^:]+]]: tensor<3x5x7xf16>, %[[S:[^:]+]]: tensor<i32>
// CHECK: cf.assert %{{.+}}, "an index is out of range for dimension 2 of data
// CHECK: %[[I:.+]] = tensor.extract %[[S]][] : tensor<i32>
// CHECK: %[[AT:.+]] = arith.maxsi
// CHECK: %[[V:.+]] = tensor.extract_slice %[[D]][0, 0, %[[AT]]] [3, 5, 1] [1, 1, 1] : tensor<3x5x7xf16> to tensor<3x5xf16>
// CHECK: return %[[V]]
func.func @gather_scalar_index(%d: tensor<3x5x7xf16>, %s: tensor<i32>) -> tensor<3x5xf16> {
  %0 = nn.gather %d, %s {axis = -1 : i64} : (tensor<3x5x7xf16>, tensor<i32>) -> tensor<3x5xf16>
  return %0 : tensor<3x5xf16>
}

// -----

// A 0-d index into a static empty axis keeps the generic (the run-time
// check fails first; a slice at a folded offset 0 would not verify).
// CHECK-LABEL: func.func @gather_scalar_index_empty_axis(
// CHECK: linalg.generic {{.*}}ins(%{{.+}} : tensor<i64>) outs(%{{.+}} : tensor<4xf32>)
// CHECK-NOT: tensor.extract_slice
func.func @gather_scalar_index_empty_axis(%d: tensor<0x4xf32>, %s: tensor<i64>) -> tensor<4xf32> {
  %0 = nn.gather %d, %s {axis = 0 : i64} : (tensor<0x4xf32>, tensor<i64>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @gather_elements_dynamic(
// CHECK: cf.assert %{{.+}}, "an index is out of range for dimension 1 of data
// CHECK: linalg.generic
// CHECK-SAME: ins(%{{.+}} : tensor<?x2xi32>) outs(%{{.+}} : tensor<?x2xf32>)
// CHECK: linalg.index 1
// CHECK: tensor.extract
func.func @gather_elements_dynamic(%d: tensor<?x5xf32>, %i: tensor<?x2xi32, #nn.dims<n, 2>>) -> tensor<?x2xf32, #nn.dims<n, 2>> {
  %0 = nn.gather_elements %d, %i {axis = 1 : i64} : (tensor<?x5xf32>, tensor<?x2xi32, #nn.dims<n, 2>>) -> tensor<?x2xf32, #nn.dims<n, 2>>
  return %0 : tensor<?x2xf32, #nn.dims<n, 2>>
}

// -----

// The index tuple is read inside the body.
// CHECK-LABEL: func.func @gather_nd_dynamic(
// CHECK-SAME: %[[D:.+]]: tensor<5x4x3xi8>, %[[I:.+]]: tensor<?x2xi64>
// CHECK: cf.assert %{{.+}}, "an index is out of range for the dimensions that index tuples address
// CHECK: linalg.generic
// CHECK-SAME: outs(%{{.+}} : tensor<?x3xi8>)
// CHECK: tensor.extract %[[I]]
// CHECK: tensor.extract %[[I]]
// CHECK: tensor.extract %[[D]]
func.func @gather_nd_dynamic(%d: tensor<5x4x3xi8>, %i: tensor<?x2xi64>) -> tensor<?x3xi8> {
  %0 = nn.gather_nd %d, %i : (tensor<5x4x3xi8>, tensor<?x2xi64>) -> tensor<?x3xi8>
  return %0 : tensor<?x3xi8>
}

// -----

// CHECK-LABEL: func.func @gather_nd_batch(
// CHECK: cf.assert
// CHECK: linalg.generic
// CHECK-SAME: outs(%{{.+}} : tensor<2x4xf32>)
func.func @gather_nd_batch(%d: tensor<2x3x4xf32>, %i: tensor<2x1xi64>) -> tensor<2x4xf32> {
  %0 = nn.gather_nd %d, %i {batch_dims = 1 : i64} : (tensor<2x3x4xf32>, tensor<2x1xi64>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// Updates are applied in order by a loop nest that carries the output, a
// copy of data.
// CHECK-LABEL: func.func @scatter_elements_add(
// CHECK-SAME: %[[D:.+]]: tensor<?x8xf32>, %[[I:.+]]: tensor<?x2xi64>, %[[U:.+]]: tensor<?x2xf32>
// CHECK: %[[COPY:.+]] = linalg.copy ins(%[[D]] : tensor<?x8xf32>)
// CHECK: scf.for {{.+}} iter_args(%[[A0:.+]] = %[[COPY]]) -> (tensor<?x8xf32>)
// CHECK: scf.for {{.+}} iter_args(%[[A1:.+]] = %[[A0]]) -> (tensor<?x8xf32>)
// CHECK: tensor.extract %[[I]]
// CHECK: tensor.extract %[[U]]
// CHECK: %[[OLD:.+]] = tensor.extract %[[A1]]
// CHECK: %[[NEW:.+]] = arith.addf %[[OLD]]
// CHECK: tensor.insert %[[NEW]] into %[[A1]]
func.func @scatter_elements_add(%d: tensor<?x8xf32, #nn.dims<batch, 8>>, %i: tensor<?x2xi64, #nn.dims<batch, 2>>, %u: tensor<?x2xf32, #nn.dims<batch, 2>>) -> tensor<?x8xf32, #nn.dims<batch, 8>> {
  %0 = nn.scatter_elements %d, %i, %u {axis = 1 : i64, reduction = #nn.scatter_reduction<add>} : (tensor<?x8xf32, #nn.dims<batch, 8>>, tensor<?x2xi64, #nn.dims<batch, 2>>, tensor<?x2xf32, #nn.dims<batch, 2>>) -> tensor<?x8xf32, #nn.dims<batch, 8>>
  return %0 : tensor<?x8xf32, #nn.dims<batch, 8>>
}

// -----

// Unsigned max compares unsigned.
// CHECK-LABEL: func.func @scatter_elements_max_unsigned(
// CHECK: scf.for
// CHECK: arith.maxui
// CHECK: tensor.insert
func.func @scatter_elements_max_unsigned(%d: tensor<4xui8>, %i: tensor<2xi32>, %u: tensor<2xui8>) -> tensor<4xui8> {
  %0 = nn.scatter_elements %d, %i, %u {reduction = #nn.scatter_reduction<max>} : (tensor<4xui8>, tensor<2xi32>, tensor<2xui8>) -> tensor<4xui8>
  return %0 : tensor<4xui8>
}

// -----

// An outer nest reads each index tuple, an inner nest writes the slice.
// CHECK-LABEL: func.func @scatter_nd_mul(
// CHECK: scf.for {{.+}} -> (tensor<4x5x6xi32>)
// CHECK: tensor.extract %{{.+}} : tensor<2x1xi64>
// CHECK: scf.for {{.+}} -> (tensor<4x5x6xi32>)
// CHECK: scf.for {{.+}} -> (tensor<4x5x6xi32>)
// CHECK: arith.muli
// CHECK: tensor.insert
func.func @scatter_nd_mul(%d: tensor<4x5x6xi32>, %i: tensor<2x1xi64>, %u: tensor<2x5x6xi32>) -> tensor<4x5x6xi32> {
  %0 = nn.scatter_nd %d, %i, %u {reduction = #nn.scatter_reduction<mul>} : (tensor<4x5x6xi32>, tensor<2x1xi64>, tensor<2x5x6xi32>) -> tensor<4x5x6xi32>
  return %0 : tensor<4x5x6xi32>
}

// -----

// CHECK-LABEL: func.func @scatter_nd_dynamic(
// CHECK: scf.for {{.+}} -> (tensor<?x?xf32>)
// CHECK-NOT: arith.addf
// CHECK: tensor.insert
func.func @scatter_nd_dynamic(%d: tensor<?x?xf32>, %i: tensor<?x2xi64>, %u: tensor<?xf32>) -> tensor<?x?xf32> {
  %0 = nn.scatter_nd %d, %i, %u : (tensor<?x?xf32>, tensor<?x2xi64>, tensor<?xf32>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// Count first, then fill the coordinates in row-major order.
// CHECK-LABEL: func.func @non_zero(
// CHECK: %[[COUNT:.+]] = linalg.generic {{.+}}iterator_types = ["reduction", "reduction"]
// CHECK: arith.cmpf une
// CHECK: arith.extui
// CHECK: %[[N:.+]] = tensor.extract %[[COUNT]][]
// CHECK: %[[NI:.+]] = arith.index_cast %[[N]] : i64 to index
// CHECK: tensor.empty(%[[NI]]) : tensor<2x?xi64>
// CHECK: scf.for
// CHECK: scf.for
// CHECK: scf.if
// CHECK: tensor.insert
// CHECK: tensor.insert
func.func @non_zero(%x: tensor<?x8xf32, #nn.dims<batch, 8>>) -> tensor<2x?xi64, #nn.dims<2, nnz>> {
  %0 = nn.non_zero %x : (tensor<?x8xf32, #nn.dims<batch, 8>>) -> tensor<2x?xi64, #nn.dims<2, nnz>>
  return %0 : tensor<2x?xi64, #nn.dims<2, nnz>>
}

// -----

// Nearest: one generic; constant scales of 1 leave dims 0 and 1 alone.
// CHECK-LABEL: func.func @resize_nearest(
// CHECK: linalg.generic
// CHECK-SAME: outs(%{{.+}} : tensor<?x3x64x16xf32>)
// CHECK: linalg.index 2
// CHECK: arith.divf
// CHECK: math.floor
// CHECK: linalg.index 3
// CHECK: math.floor
// CHECK: tensor.extract
func.func @resize_nearest(%x: tensor<?x3x32x32xf32, #nn.dims<batch, 3, 32, 32>>) -> tensor<?x3x64x16xf32, #nn.dims<batch, 3, 64, 16>> {
  %scales = nn.constant dense<[1.0, 1.0, 2.0, 0.5]> : tensor<4xf32>
  %0 = nn.resize %x scales %scales {coordinate_transform = #nn.coordinate_transform<asymmetric>, nearest_rounding = #nn.nearest_rounding<floor>} : (tensor<?x3x32x32xf32, #nn.dims<batch, 3, 32, 32>>, tensor<4xf32>) -> tensor<?x3x64x16xf32, #nn.dims<batch, 3, 64, 16>>
  return %0 : tensor<?x3x64x16xf32, #nn.dims<batch, 3, 64, 16>>
}

// -----

// Linear with run-time scales: one pass per dimension, last first, in f64.
// CHECK-LABEL: func.func @resize_linear_dynamic(
// CHECK: linalg.generic {{.+}} outs(%{{.+}} : tensor<?x3x32x?xf64>)
// CHECK: linalg.generic {{.+}} outs(%{{.+}} : tensor<?x3x?x?xf64>)
// CHECK: linalg.generic {{.+}} outs(%{{.+}} : tensor<?x?x?x?xf64>)
// CHECK: linalg.generic {{.+}} outs(%{{.+}} : tensor<?x?x?x?xf32>)
// CHECK: arith.truncf
func.func @resize_linear_dynamic(%x: tensor<?x3x32x32xf32>, %s: tensor<4xf32>) -> tensor<?x?x?x?xf32> {
  %0 = nn.resize %x scales %s {mode = #nn.resize_mode<linear>} : (tensor<?x3x32x32xf32>, tensor<4xf32>) -> tensor<?x?x?x?xf32>
  return %0 : tensor<?x?x?x?xf32>
}

// -----

// Cubic with sizes: four taps, exclude_outside renormalizes.
// CHECK-LABEL: func.func @resize_cubic_sizes(
// CHECK: linalg.generic {{.+}} outs(%{{.+}} : tensor<1x3x32x48xf64>)
// CHECK-COUNT-4: tensor.extract %{{.+}} : tensor<1x3x32x32xf32>
// CHECK: linalg.generic {{.+}} outs(%{{.+}} : tensor<1x3x64x48xf32>)
// CHECK-COUNT-4: tensor.extract %{{.+}} : tensor<1x3x32x48xf64>
func.func @resize_cubic_sizes(%x: tensor<1x3x32x32xf32>) -> tensor<1x3x64x48xf32> {
  %sizes = nn.constant dense<[1, 3, 64, 48]> : tensor<4xi64>
  %0 = nn.resize %x sizes %sizes {mode = #nn.resize_mode<cubic>, exclude_outside = true, cubic_coeff_a = -0.5 : f32} : (tensor<1x3x32x32xf32>, tensor<4xi64>) -> tensor<1x3x64x48xf32>
  return %0 : tensor<1x3x64x48xf32>
}

// -----

// tf_crop_and_resize reads roi and selects the extrapolation value.
// CHECK-LABEL: func.func @resize_crop(
// CHECK: tensor.extract %{{.+}} : tensor<8xf32>
// CHECK: linalg.generic
// CHECK: arith.cmpf olt
// CHECK: arith.cmpf ogt
// CHECK: arith.select
func.func @resize_crop(%x: tensor<1x3x32x32xf32>, %roi: tensor<8xf32>) -> tensor<1x3x64x48xf32> {
  %sizes = nn.constant dense<[1, 3, 64, 48]> : tensor<4xi64>
  %0 = nn.resize %x roi %roi sizes %sizes {mode = #nn.resize_mode<linear>, coordinate_transform = #nn.coordinate_transform<tf_crop_and_resize>, extrapolation_value = 1.0 : f32} : (tensor<1x3x32x32xf32>, tensor<8xf32>, tensor<4xi64>) -> tensor<1x3x64x48xf32>
  return %0 : tensor<1x3x64x48xf32>
}
