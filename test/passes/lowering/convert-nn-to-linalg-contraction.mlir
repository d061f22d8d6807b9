// RUN: ddl-opt %s --convert-nn-to-linalg --split-input-file | FileCheck %s

// Matrix products: linalg.matmul / linalg.batch_matmul.

// CHECK-LABEL: func.func @matmul_2d
// CHECK: linalg.fill
// CHECK: linalg.matmul ins(%{{.+}}, %{{.+}} : tensor<2x3xf32>, tensor<3x4xf32>) outs(%{{.+}} : tensor<2x4xf32>)
func.func @matmul_2d(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>) -> tensor<2x4xf32> {
  %0 = nn.matmul %a, %b : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// Batch dims of the lhs fold into M when the rhs has none (dynamic too).

// CHECK-LABEL: func.func @matmul_batch_times_2d_dynamic
// CHECK: tensor.collapse_shape %{{.+}} {{\[\[}}0, 1], [2]] : tensor<?x3x4xf32> into tensor<?x4xf32>
// CHECK: linalg.matmul ins(%{{.+}}, %{{.+}} : tensor<?x4xf32>, tensor<4x5xf32>)
// CHECK: tensor.expand_shape %{{.+}} {{\[\[}}0, 1], [2]]
// CHECK-NOT: linalg.generic
func.func @matmul_batch_times_2d_dynamic(%a: tensor<?x3x4xf32>, %b: tensor<4x5xf32>) -> tensor<?x3x5xf32> {
  %0 = nn.matmul %a, %b : (tensor<?x3x4xf32>, tensor<4x5xf32>) -> tensor<?x3x5xf32>
  return %0 : tensor<?x3x5xf32>
}

// -----

// ... also when that puts two dynamic sizes in one reshape group (one
// matmul the data-tiling kernels take; expanding the product back is
// ddl-dynamic-expand-shape's, as upstream's expand-strided-metadata cannot
// lower such an expand_shape).

// CHECK-LABEL: func.func @matmul_two_dynamic_rows
// CHECK: tensor.collapse_shape %{{.+}} {{\[\[}}0, 1], [2]] : tensor<?x?x4xf32> into tensor<?x4xf32>
// CHECK: linalg.matmul ins(%{{.+}}, %{{.+}} : tensor<?x4xf32>, tensor<4x5xf32>) outs(%{{.+}} : tensor<?x5xf32>)
// CHECK: tensor.expand_shape %{{.+}} {{\[\[}}0, 1], [2]] output_shape [%{{.+}}, %{{.+}}, 5] : tensor<?x5xf32> into tensor<?x?x5xf32>
func.func @matmul_two_dynamic_rows(%a: tensor<?x?x4xf32>, %b: tensor<4x5xf32>) -> tensor<?x?x5xf32> {
  %0 = nn.matmul %a, %b : (tensor<?x?x4xf32>, tensor<4x5xf32>) -> tensor<?x?x5xf32>
  return %0 : tensor<?x?x5xf32>
}

// -----

// A transformer linear layer (symbolic batch and sequence, static heads).

// CHECK-LABEL: func.func @matmul_linear_4d
// CHECK: tensor.collapse_shape %{{.+}} {{\[\[}}0, 1, 2], [3]] : tensor<?x4x?x8xf32> into tensor<?x8xf32>
// CHECK: linalg.matmul ins(%{{.+}}, %{{.+}} : tensor<?x8xf32>, tensor<8x6xf32>) outs(%{{.+}} : tensor<?x6xf32>)
// CHECK: tensor.expand_shape
func.func @matmul_linear_4d(%a: tensor<?x4x?x8xf32, #nn.dims<b, 4, s, 8>>, %b: tensor<8x6xf32>) -> tensor<?x4x?x6xf32, #nn.dims<b, 4, s, 6>> {
  %0 = nn.matmul %a, %b : (tensor<?x4x?x8xf32, #nn.dims<b, 4, s, 8>>, tensor<8x6xf32>) -> tensor<?x4x?x6xf32, #nn.dims<b, 4, s, 6>>
  return %0 : tensor<?x4x?x6xf32, #nn.dims<b, 4, s, 6>>
}

// -----

// A vector rhs: a K x 1 matrix, the unit column dropped again.

// CHECK-LABEL: func.func @matmul_two_dynamic_rows_vector
// CHECK: tensor.expand_shape %{{.+}} {{\[\[}}0, 1]] output_shape [4, 1] : tensor<4xf32> into tensor<4x1xf32>
// CHECK: linalg.matmul ins(%{{.+}}, %{{.+}} : tensor<?x4xf32>, tensor<4x1xf32>) outs(%{{.+}} : tensor<?x1xf32>)
// CHECK: tensor.collapse_shape %{{.+}} {{\[\[}}0], [1, 2]] : tensor<?x?x1xf32> into tensor<?x?xf32>
func.func @matmul_two_dynamic_rows_vector(%a: tensor<?x?x4xf32>, %b: tensor<4xf32>) -> tensor<?x?xf32> {
  %0 = nn.matmul %a, %b : (tensor<?x?x4xf32>, tensor<4xf32>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// Half floats accumulate in f32 there too.

// CHECK-LABEL: func.func @matmul_two_dynamic_rows_f16
// CHECK: linalg.matmul ins(%{{.+}}, %{{.+}} : tensor<?x4xf16>, tensor<4x5xf16>) outs(%{{.+}} : tensor<?x5xf32>)
// CHECK: arith.truncf
func.func @matmul_two_dynamic_rows_f16(%a: tensor<?x?x4xf16>, %b: tensor<4x5xf16>) -> tensor<?x?x5xf16> {
  %0 = nn.matmul %a, %b : (tensor<?x?x4xf16>, tensor<4x5xf16>) -> tensor<?x?x5xf16>
  return %0 : tensor<?x?x5xf16>
}

// -----

// CHECK-LABEL: func.func @batch_matmul_4d
// CHECK: tensor.collapse_shape %{{.+}} {{\[\[}}0, 1], [2], [3]] : tensor<2x3x4x5xf32> into tensor<6x4x5xf32>
// CHECK: linalg.batch_matmul ins(%{{.+}}, %{{.+}} : tensor<6x4x5xf32>, tensor<6x5x7xf32>) outs(%{{.+}} : tensor<6x4x7xf32>)
// CHECK: tensor.expand_shape
func.func @batch_matmul_4d(%a: tensor<2x3x4x5xf32>, %b: tensor<2x3x5x7xf32>) -> tensor<2x3x4x7xf32> {
  %0 = nn.matmul %a, %b : (tensor<2x3x4x5xf32>, tensor<2x3x5x7xf32>) -> tensor<2x3x4x7xf32>
  return %0 : tensor<2x3x4x7xf32>
}

// -----

// A symbolic batch dim shared with the result needs no broadcast copy.

// CHECK-LABEL: func.func @batch_matmul_symbolic
// CHECK-NOT: linalg.generic
// CHECK: linalg.batch_matmul ins(%{{.+}}, %{{.+}} : tensor<?x?x8xf32>, tensor<?x8x?xf32>) outs(%{{.+}} : tensor<?x?x?xf32>)
func.func @batch_matmul_symbolic(%a: tensor<?x?x8xf32, #nn.dims<b, s, 8>>, %b: tensor<?x8x?xf32, #nn.dims<b, 8, s>>) -> tensor<?x?x?xf32, #nn.dims<b, s, s>> {
  %0 = nn.matmul %a, %b : (tensor<?x?x8xf32, #nn.dims<b, s, 8>>, tensor<?x8x?xf32, #nn.dims<b, 8, s>>) -> tensor<?x?x?xf32, #nn.dims<b, s, s>>
  return %0 : tensor<?x?x?xf32, #nn.dims<b, s, s>>
}

// -----

// Batch dims collapse into one even with a dynamic one among them
// (attention scores).

// CHECK-LABEL: func.func @batch_matmul_attention
// CHECK: tensor.collapse_shape %{{.+}} {{\[\[}}0, 1], [2], [3]] : tensor<?x4x?x16xf32> into tensor<?x?x16xf32>
// CHECK: linalg.batch_matmul ins(%{{.+}}, %{{.+}} : tensor<?x?x16xf32>, tensor<?x16x?xf32>) outs(%{{.+}} : tensor<?x?x?xf32>)
// CHECK: tensor.expand_shape
func.func @batch_matmul_attention(%a: tensor<?x4x?x16xf32, #nn.dims<b, 4, s, 16>>, %b: tensor<?x4x16x?xf32, #nn.dims<b, 4, 16, s>>) -> tensor<?x4x?x?xf32, #nn.dims<b, 4, s, s>> {
  %0 = nn.matmul %a, %b : (tensor<?x4x?x16xf32, #nn.dims<b, 4, s, 16>>, tensor<?x4x16x?xf32, #nn.dims<b, 4, 16, s>>) -> tensor<?x4x?x?xf32, #nn.dims<b, 4, s, s>>
  return %0 : tensor<?x4x?x?xf32, #nn.dims<b, 4, s, s>>
}

// -----

// A broadcast batch dim (1 vs 3) is materialized before linalg.batch_matmul.

// CHECK-LABEL: func.func @batch_matmul_broadcast
// CHECK: linalg.generic
// CHECK: linalg.batch_matmul ins(%{{.+}}, %{{.+}} : tensor<3x2x4xf32>, tensor<3x4x5xf32>)
func.func @batch_matmul_broadcast(%a: tensor<1x2x4xf32>, %b: tensor<3x4x5xf32>) -> tensor<3x2x5xf32> {
  %0 = nn.matmul %a, %b : (tensor<1x2x4xf32>, tensor<3x4x5xf32>) -> tensor<3x2x5xf32>
  return %0 : tensor<3x2x5xf32>
}

// -----

// Vector operands get a unit dim that is dropped from the result.

// CHECK-LABEL: func.func @matmul_vectors
// CHECK: tensor.expand_shape %{{.+}} {{\[\[}}0, 1]] output_shape [1, %{{.+}}] : tensor<?xf32> into tensor<1x?xf32>
// CHECK: linalg.matmul
// CHECK: tensor.collapse_shape %{{.+}} {{\[\[}}0, 1]] : tensor<1x5xf32> into tensor<5xf32>
func.func @matmul_vectors(%a: tensor<?xf32>, %b: tensor<?x5xf32>) -> tensor<5xf32> {
  %0 = nn.matmul %a, %b : (tensor<?xf32>, tensor<?x5xf32>) -> tensor<5xf32>
  return %0 : tensor<5xf32>
}

// -----

// Half floats accumulate in f32.

// CHECK-LABEL: func.func @matmul_f16
// CHECK: linalg.matmul ins(%{{.+}}, %{{.+}} : tensor<2x3xf16>, tensor<3x4xf16>) outs(%{{.+}} : tensor<2x4xf32>)
// CHECK: arith.truncf
func.func @matmul_f16(%a: tensor<2x3xf16>, %b: tensor<3x4xf16>) -> tensor<2x4xf16> {
  %0 = nn.matmul %a, %b : (tensor<2x3xf16>, tensor<3x4xf16>) -> tensor<2x4xf16>
  return %0 : tensor<2x4xf16>
}

// -----

// CHECK-LABEL: func.func @matmul_ui8
// CHECK: linalg.matmul ins(%{{.+}}, %{{.+}} : tensor<2x3xi8>, tensor<3x4xi8>) outs(%{{.+}} : tensor<2x4xi8>)
func.func @matmul_ui8(%a: tensor<2x3xui8>, %b: tensor<3x4xui8>) -> tensor<2x4xui8> {
  %0 = nn.matmul %a, %b : (tensor<2x3xui8>, tensor<3x4xui8>) -> tensor<2x4xui8>
  return %0 : tensor<2x4xui8>
}

// -----

// Gemm: transposes of constants become matmul indexing maps (the kernels
// pack a constant B in any layout); c with alpha = beta = 1 is the
// accumulator.

// CHECK-DAG: #[[A:.+]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[BT:.+]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[C:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @gemm_trans_b_bias
// CHECK: %[[BIAS:.+]] = linalg.generic
// CHECK: linalg.matmul indexing_maps = [#[[A]], #[[BT]], #[[C]]] ins(%{{.+}}, %{{.+}} : tensor<?x8xf32>, tensor<16x8xf32>) outs(%[[BIAS]] : tensor<?x16xf32>)
func.func @gemm_trans_b_bias(%a: tensor<?x8xf32>, %c: tensor<16xf32>) -> tensor<?x16xf32> {
  %b = nn.constant dense<0.5> : tensor<16x8xf32>
  %0 = nn.gemm %a, %b, %c {trans_b = true} : (tensor<?x8xf32>, tensor<16x8xf32>, tensor<16xf32>) -> tensor<?x16xf32>
  return %0 : tensor<?x16xf32>
}

// -----

// A transposed B computed at run time (a PyTorch linear layer's weight that
// is not frozen) is transposed to [K][N] first: the CPU kernels read a
// run-time B only so. (transpose-runtime-rhs=false, the GPU pipeline's,
// keeps the map.)

// CHECK-LABEL: func.func @gemm_trans_b_runtime
// CHECK: %[[T:.+]] = linalg.transpose ins(%arg1 : tensor<16x8xf32>) outs(%{{.+}} : tensor<8x16xf32>) permutation = [1, 0]
// CHECK: linalg.matmul ins(%arg0, %[[T]] : tensor<?x8xf32>, tensor<8x16xf32>)
func.func @gemm_trans_b_runtime(%a: tensor<?x8xf32>, %b: tensor<16x8xf32>) -> tensor<?x16xf32> {
  %0 = nn.gemm %a, %b {trans_b = true} : (tensor<?x8xf32>, tensor<16x8xf32>) -> tensor<?x16xf32>
  return %0 : tensor<?x16xf32>
}

// -----

// CHECK-LABEL: func.func @gemm_alpha_beta
// CHECK: linalg.matmul
// CHECK: linalg.generic
// CHECK: arith.mulf
// CHECK: arith.mulf
// CHECK: arith.addf
func.func @gemm_alpha_beta(%a: tensor<3x2xf32>, %b: tensor<3x4xf32>, %c: tensor<1x4xf32>) -> tensor<2x4xf32> {
  %0 = nn.gemm %a, %b, %c {trans_a = true, alpha = 0.5 : f32, beta = 2.0 : f32} : (tensor<3x2xf32>, tensor<3x4xf32>, tensor<1x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// Einsum: one generic; summed letters are reductions, a repeated letter
// reads the diagonal.

// CHECK-DAG: #[[X:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-DAG: #[[Y:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>
// CHECK-DAG: #[[O:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
// CHECK-LABEL: func.func @einsum_batch_matmul
// CHECK: linalg.generic {indexing_maps = [#[[X]], #[[Y]], #[[O]]], iterator_types = ["parallel", "parallel", "reduction", "parallel"]}
// CHECK: arith.mulf
// CHECK: arith.addf
func.func @einsum_batch_matmul(%a: tensor<?x2x3xf32>, %b: tensor<?x3x4xf32>) -> tensor<?x2x4xf32> {
  %0 = nn.einsum "bij,bjk->bik" %a, %b : (tensor<?x2x3xf32>, tensor<?x3x4xf32>) -> tensor<?x2x4xf32>
  return %0 : tensor<?x2x4xf32>
}

// -----

// CHECK-DAG: #[[D:.+]] = affine_map<(d0, d1) -> (d0, d1, d1)>
// CHECK-DAG: #[[O:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @einsum_batch_diagonal
// CHECK: linalg.generic {indexing_maps = [#[[D]], #[[O]]], iterator_types = ["parallel", "parallel"]}
func.func @einsum_batch_diagonal(%a: tensor<2x3x3xf32>) -> tensor<2x3xf32> {
  %0 = nn.einsum "...ii->...i" %a : (tensor<2x3x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @einsum_inner
// CHECK: linalg.generic {{.+}} iterator_types = ["reduction"]
// CHECK: } -> tensor<f32>
func.func @einsum_inner(%a: tensor<5xf32>, %b: tensor<5xf32>) -> tensor<f32> {
  %0 = nn.einsum "i,i" %a, %b : (tensor<5xf32>, tensor<5xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// Dynamic '...' dims shared by two operands: one indexes the loop, the
// other is read at run time (index 0 where its size is 1).

// CHECK-LABEL: func.func @einsum_ellipsis_dynamic
// CHECK: linalg.generic
// CHECK: tensor.extract
func.func @einsum_ellipsis_dynamic(%a: tensor<?x2x3xf32>, %b: tensor<?x3x2xf32>) -> tensor<?x2x2xf32> {
  %0 = nn.einsum "...ij,...jk->...ik" %a, %b : (tensor<?x2x3xf32>, tensor<?x3x2xf32>) -> tensor<?x2x2xf32>
  return %0 : tensor<?x2x2xf32>
}

// -----

// Convolution with static channels and spatial sizes: channels-last as one
// GEMM, the filter (an input here) transposed to [KH*KW*C, F] at run time
// (the layout the contraction kernels read unpacked).

// CHECK-LABEL: func.func @conv_2d
// CHECK: linalg.transpose ins(%{{.+}} : tensor<8x3x3x3xf32>) outs(%{{.+}} : tensor<3x3x3x8xf32>) permutation = [2, 3, 1, 0]
// CHECK: tensor.collapse_shape %{{.+}} {{\[\[}}0, 1, 2], [3]] : tensor<3x3x3x8xf32> into tensor<27x8xf32>
// CHECK: tensor.pad %{{.+}} low[0, 1, 1, 0] high[0, 1, 1, 0]
// CHECK: linalg.matmul ins(%{{.+}}, %{{.+}} : tensor<16x27xf32>, tensor<27x8xf32>)
func.func @conv_2d(%x: tensor<1x3x8x8xf32>, %w: tensor<8x3x3x3xf32>, %b: tensor<8xf32>) -> tensor<1x8x4x4xf32> {
  %0 = nn.conv %x, %w, %b {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x3x8x8xf32>, tensor<8x3x3x3xf32>, tensor<8xf32>) -> tensor<1x8x4x4xf32>
  return %0 : tensor<1x8x4x4xf32>
}

// -----

// A dynamic spatial size: linalg's NCHW convolution; pads become
// tensor.pad, the bias the accumulator.

// CHECK-LABEL: func.func @conv_2d_nchw
// CHECK: tensor.pad %{{.+}} low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: linalg.broadcast
// CHECK: linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%{{.+}}, %{{.+}} : tensor<1x3x?x10xf32>, tensor<8x3x3x3xf32>) outs(%{{.+}} : tensor<1x8x?x4xf32>)
func.func @conv_2d_nchw(%x: tensor<1x3x?x8xf32>, %w: tensor<8x3x3x3xf32>, %b: tensor<8xf32>) -> tensor<1x8x?x4xf32> {
  %0 = nn.conv %x, %w, %b {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x3x?x8xf32>, tensor<8x3x3x3xf32>, tensor<8xf32>) -> tensor<1x8x?x4xf32>
  return %0 : tensor<1x8x?x4xf32>
}

// -----

// CHECK-LABEL: func.func @conv_2d_dynamic
// CHECK: linalg.conv_2d_nchw_fchw {{.+}} ins(%{{.+}}, %{{.+}} : tensor<?x3x?x?xf32>, tensor<8x3x3x3xf32>) outs(%{{.+}} : tensor<?x8x?x?xf32>)
func.func @conv_2d_dynamic(%x: tensor<?x3x?x?xf32>, %w: tensor<8x3x3x3xf32>) -> tensor<?x8x?x?xf32> {
  %0 = nn.conv %x, %w {auto_pad = #nn.auto_pad<same_upper>} : (tensor<?x3x?x?xf32>, tensor<8x3x3x3xf32>) -> tensor<?x8x?x?xf32>
  return %0 : tensor<?x8x?x?xf32>
}

// -----

// CHECK-LABEL: func.func @conv_grouped
// CHECK: tensor.expand_shape %{{.+}} {{\[\[}}0], [1, 2], [3], [4]] output_shape [1, 2, 2, 6, 6] : tensor<1x4x6x6xf32> into tensor<1x2x2x6x6xf32>
// CHECK: linalg.conv_2d_ngchw_gfchw
// CHECK: tensor.collapse_shape %{{.+}} {{\[\[}}0], [1, 2], [3], [4]] : tensor<1x2x4x4x4xf32> into tensor<1x8x4x4xf32>
func.func @conv_grouped(%x: tensor<1x4x6x6xf32>, %w: tensor<8x2x3x3xf32>) -> tensor<1x8x4x4xf32> {
  %0 = nn.conv %x, %w {group = 2 : i64} : (tensor<1x4x6x6xf32>, tensor<8x2x3x3xf32>) -> tensor<1x8x4x4xf32>
  return %0 : tensor<1x8x4x4xf32>
}

// -----

// A depthwise convolution with a dynamic spatial size: linalg's NCHW op.
// CHECK-LABEL: func.func @conv_depthwise
// CHECK: tensor.collapse_shape %{{.+}} {{\[\[}}0, 1], [2], [3]] : tensor<4x1x3x3xf32> into tensor<4x3x3xf32>
// CHECK: linalg.depthwise_conv_2d_nchw_chw
func.func @conv_depthwise(%x: tensor<?x4x?x6xf32>, %w: tensor<4x1x3x3xf32>) -> tensor<?x4x?x4xf32> {
  %0 = nn.conv %x, %w {group = 4 : i64} : (tensor<?x4x?x6xf32>, tensor<4x1x3x3xf32>) -> tensor<?x4x?x4xf32>
  return %0 : tensor<?x4x?x4xf32>
}

// -----

// CHECK-LABEL: func.func @conv_1d
// CHECK: linalg.conv_1d_ncw_fcw
func.func @conv_1d(%x: tensor<1x2x?xf32>, %w: tensor<4x2x3xf32>) -> tensor<1x4x?xf32> {
  %0 = nn.conv %x, %w {dilations = array<i64: 2>} : (tensor<1x2x?xf32>, tensor<4x2x3xf32>) -> tensor<1x4x?xf32>
  return %0 : tensor<1x4x?xf32>
}

// -----

// CHECK-LABEL: func.func @conv_3d
// CHECK: linalg.conv_3d_ncdhw_fcdhw
func.func @conv_3d(%x: tensor<1x2x4x4x4xf32>, %w: tensor<4x2x3x3x3xf32>) -> tensor<1x4x2x2x2xf32> {
  %0 = nn.conv %x, %w : (tensor<1x2x4x4x4xf32>, tensor<4x2x3x3x3xf32>) -> tensor<1x4x2x2x2xf32>
  return %0 : tensor<1x4x2x2x2xf32>
}

// -----

// Grouped 3-D convolution has no named op: a grouped generic.

// CHECK-LABEL: func.func @conv_3d_grouped
// CHECK: linalg.generic {{.+}} iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "reduction"]
func.func @conv_3d_grouped(%x: tensor<1x4x4x4x4xf32>, %w: tensor<4x2x3x3x3xf32>) -> tensor<1x4x2x2x2xf32> {
  %0 = nn.conv %x, %w {group = 2 : i64} : (tensor<1x4x4x4x4xf32>, tensor<4x2x3x3x3xf32>) -> tensor<1x4x2x2x2xf32>
  return %0 : tensor<1x4x2x2x2xf32>
}

// -----

// CHECK-LABEL: func.func @conv_f16
// CHECK: linalg.conv_2d_nchw_fchw {{.+}} outs(%{{.+}} : tensor<1x4x4x4xf32>)
// CHECK: arith.truncf
func.func @conv_f16(%x: tensor<1x2x6x6xf16>, %w: tensor<4x2x3x3xf16>) -> tensor<1x4x4x4xf16> {
  %0 = nn.conv %x, %w : (tensor<1x2x6x6xf16>, tensor<4x2x3x3xf16>) -> tensor<1x4x4x4xf16>
  return %0 : tensor<1x4x4x4xf16>
}

// -----

// Transposed convolution: a gather generic with bounds-checked reads.

// CHECK-LABEL: func.func @conv_transpose
// CHECK: linalg.generic
// CHECK: arith.remsi
// CHECK: tensor.extract
// CHECK: arith.select
// CHECK: tensor.collapse_shape
func.func @conv_transpose(%x: tensor<?x2x?x?xf32>, %w: tensor<2x3x3x3xf32>) -> tensor<?x3x?x?xf32> {
  %0 = nn.conv_transpose %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, output_padding = array<i64: 1, 1>} : (tensor<?x2x?x?xf32>, tensor<2x3x3x3xf32>) -> tensor<?x3x?x?xf32>
  return %0 : tensor<?x3x?x?xf32>
}

// -----

// Pooling.

// CHECK-LABEL: func.func @max_pool
// CHECK: %[[NINF:.+]] = arith.constant 0xFF800000 : f32
// CHECK: tensor.pad %{{.+}} low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: tensor.yield %[[NINF]]
// CHECK: linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
func.func @max_pool(%x: tensor<?x3x?x?xf32>) -> tensor<?x3x?x?xf32> {
  %0 = nn.max_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : (tensor<?x3x?x?xf32>) -> tensor<?x3x?x?xf32>
  return %0 : tensor<?x3x?x?xf32>
}

// -----

// Channels-last max pooling pads the spatial dimensions (1, 2) and runs
// linalg's NHWC pooling; the batch may be dynamic.
// CHECK-LABEL: func.func @max_pool_channels_last
// CHECK: %[[NINF:.+]] = arith.constant 0xFF800000 : f32
// CHECK: tensor.pad %{{.+}} low[0, 1, 1, 0] high[0, 1, 1, 0]
// CHECK: tensor.yield %[[NINF]]
// CHECK: linalg.pooling_nhwc_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%{{.+}}, %{{.+}} : tensor<?x10x10x8xf32>, tensor<3x3xf32>) outs(%{{.+}} : tensor<?x4x4x8xf32>)
func.func @max_pool_channels_last(%x: tensor<?x8x8x8xf32>) -> tensor<?x4x4x8xf32> {
  %0 = nn.max_pool %x {channels_last, kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : (tensor<?x8x8x8xf32>) -> tensor<?x4x4x8xf32>
  return %0 : tensor<?x4x4x8xf32>
}

// -----

// ceil_mode: the last window runs past the input; the extra high padding
// keeps the read in bounds.

// CHECK-LABEL: func.func @max_pool_ceil
// CHECK: tensor.pad %{{.+}} low[0, 0, 0, 0] high[0, 0, 1, 1]
// CHECK: linalg.pooling_nchw_max
func.func @max_pool_ceil(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x2x2xf32> {
  %0 = nn.max_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, ceil_mode = true} : (tensor<1x1x4x4xf32>) -> tensor<1x1x2x2xf32>
  return %0 : tensor<1x1x2x2xf32>
}

// -----

// CHECK-LABEL: func.func @max_pool_3d
// CHECK: linalg.generic {{.+}} iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]
// CHECK: arith.maximumf
func.func @max_pool_3d(%x: tensor<1x1x4x4x4xf32>) -> tensor<1x1x3x3x3xf32> {
  %0 = nn.max_pool %x {kernel_shape = array<i64: 2, 2, 2>} : (tensor<1x1x4x4x4xf32>) -> tensor<1x1x3x3x3xf32>
  return %0 : tensor<1x1x3x3x3xf32>
}

// -----

// Without padding every window has kernel-size elements.

// CHECK-LABEL: func.func @avg_pool
// CHECK-NOT: tensor.pad
// CHECK: linalg.pooling_nchw_sum
// CHECK: linalg.generic
// CHECK: arith.constant 4.0
// CHECK: arith.divf
func.func @avg_pool(%x: tensor<?x3x8x8xf32>) -> tensor<?x3x4x4xf32> {
  %0 = nn.avg_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<?x3x8x8xf32>) -> tensor<?x3x4x4xf32>
  return %0 : tensor<?x3x4x4xf32>
}

// -----

// With padding (count_include_pad false) the count depends on the position.

// CHECK-LABEL: func.func @avg_pool_pads
// CHECK: tensor.pad
// CHECK: linalg.pooling_nchw_sum
// CHECK: linalg.generic
// CHECK: linalg.index
// CHECK: arith.sitofp
// CHECK: arith.divf
func.func @avg_pool_pads(%x: tensor<1x3x?x?xf32>) -> tensor<1x3x?x?xf32> {
  %0 = nn.avg_pool %x {kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x3x?x?xf32>) -> tensor<1x3x?x?xf32>
  return %0 : tensor<1x3x?x?xf32>
}

// -----

// CHECK-LABEL: func.func @lp_pool
// CHECK: linalg.generic
// CHECK: math.absf
// CHECK: arith.mulf
// CHECK: linalg.generic
// CHECK: math.sqrt
func.func @lp_pool(%x: tensor<1x3x?x?xf32>) -> tensor<1x3x?x?xf32> {
  %0 = nn.lp_pool %x {kernel_shape = array<i64: 2, 2>, p = 2 : i64} : (tensor<1x3x?x?xf32>) -> tensor<1x3x?x?xf32>
  return %0 : tensor<1x3x?x?xf32>
}

// -----

// CHECK-LABEL: func.func @global_avg_pool
// CHECK: linalg.generic {{.+}} iterator_types = ["parallel", "parallel", "reduction", "reduction"]
// CHECK: arith.divf
// CHECK: tensor.expand_shape %{{.+}} {{\[\[}}0], [1, 2, 3]]
func.func @global_avg_pool(%x: tensor<?x3x?x?xf32>) -> tensor<?x3x1x1xf32> {
  %0 = nn.global_avg_pool %x : (tensor<?x3x?x?xf32>) -> tensor<?x3x1x1xf32>
  return %0 : tensor<?x3x1x1xf32>
}

// -----

// CHECK-LABEL: func.func @global_max_pool
// CHECK: linalg.generic {{.+}} iterator_types = ["parallel", "parallel", "reduction"]
// CHECK: arith.maximumf
func.func @global_max_pool(%x: tensor<2x3x?xf32>) -> tensor<2x3x1xf32> {
  %0 = nn.global_max_pool %x : (tensor<2x3x?xf32>) -> tensor<2x3x1xf32>
  return %0 : tensor<2x3x1xf32>
}
