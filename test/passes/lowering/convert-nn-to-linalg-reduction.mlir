// RUN: ddl-opt %s --convert-nn-to-linalg --split-input-file | FileCheck %s

// CHECK-LABEL: func.func @reduce_sum_keepdims
// CHECK: linalg.fill
// CHECK: linalg.reduce ins(%{{.*}} : tensor<?x8xf32>) outs(%{{.*}} : tensor<?xf32>) dimensions = [1]
// CHECK: arith.addf
// CHECK: tensor.expand_shape {{.*}} {{\[\[}}0, 1]] output_shape [%{{.*}}, 1] : tensor<?xf32> into tensor<?x1xf32>
func.func @reduce_sum_keepdims(%x: tensor<?x8xf32>) -> tensor<?x1xf32> {
  %0 = nn.reduce <sum> %x {axes = array<i64: 1>} : (tensor<?x8xf32>) -> tensor<?x1xf32>
  return %0 : tensor<?x1xf32>
}

// -----

// f16 accumulates in f32 and converts back.
// CHECK-LABEL: func.func @reduce_mean_f16
// CHECK: linalg.reduce ins(%{{.*}} : tensor<4x?xf16>) outs(%{{.*}} : tensor<?xf32>) dimensions = [0]
// CHECK: arith.extf
// CHECK: linalg.generic
// CHECK: arith.divf
// CHECK: arith.truncf
func.func @reduce_mean_f16(%x: tensor<4x?xf16>) -> tensor<?xf16> {
  %0 = nn.reduce <mean> %x {axes = array<i64: 0>, keepdims = false} : (tensor<4x?xf16>) -> tensor<?xf16>
  return %0 : tensor<?xf16>
}

// -----

// CHECK-LABEL: func.func @reduce_max_all
// CHECK: arith.constant 0xFF800000 : f32
// CHECK: linalg.reduce {{.*}} dimensions = [0, 1]
// CHECK: arith.maximumf
// CHECK: tensor.expand_shape {{.*}} [] output_shape [1, 1] : tensor<f32> into tensor<1x1xf32>
func.func @reduce_max_all(%x: tensor<?x?xf32>) -> tensor<1x1xf32> {
  %0 = nn.reduce <max> %x : (tensor<?x?xf32>) -> tensor<1x1xf32>
  return %0 : tensor<1x1xf32>
}

// -----

// Unsigned min starts at the unsigned maximum and compares unsigned.
// CHECK-LABEL: func.func @reduce_min_ui8
// CHECK: arith.constant -1 : i8
// CHECK: linalg.reduce
// CHECK: arith.minui
func.func @reduce_min_ui8(%x: tensor<3x?xui8>) -> tensor<3xui8> {
  %0 = nn.reduce <min> %x {axes = array<i64: -1>, keepdims = false} : (tensor<3x?xui8>) -> tensor<3xui8>
  return %0 : tensor<3xui8>
}

// -----

// log_sum_exp subtracts the (finite) row maximum before exp.
// CHECK-LABEL: func.func @reduce_log_sum_exp
// CHECK: linalg.reduce
// CHECK: arith.maximumf
// CHECK: linalg.generic
// CHECK: math.absf
// CHECK: arith.select
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]
// CHECK: arith.subf
// CHECK: math.exp
// CHECK: linalg.generic
// CHECK: math.log
// CHECK: arith.addf
func.func @reduce_log_sum_exp(%x: tensor<?x?xf32>) -> tensor<?xf32> {
  %0 = nn.reduce <log_sum_exp> %x {axes = array<i64: 1>, keepdims = false} : (tensor<?x?xf32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// noop_with_empty_axes and no axes: an elementwise pass (square here).
// CHECK-LABEL: func.func @reduce_sum_square_noop
// CHECK-NOT: linalg.reduce
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]
// CHECK: arith.mulf
func.func @reduce_sum_square_noop(%x: tensor<2x?xf32>) -> tensor<2x?xf32> {
  %0 = nn.reduce <sum_square> %x {noop_with_empty_axes = true} : (tensor<2x?xf32>) -> tensor<2x?xf32>
  return %0 : tensor<2x?xf32>
}

// -----

// CHECK-LABEL: func.func @reduce_l2_i32
// CHECK: linalg.reduce ins(%{{.*}} : tensor<?x4xi32>) outs(%{{.*}} : tensor<?xi64>)
// CHECK: arith.extsi
// CHECK: math.sqrt {{.*}} : f64
// CHECK: arith.fptosi
func.func @reduce_l2_i32(%x: tensor<?x4xi32>) -> tensor<?xi32> {
  %0 = nn.reduce <l2> %x {axes = array<i64: 1>, keepdims = false} : (tensor<?x4xi32>) -> tensor<?xi32>
  return %0 : tensor<?xi32>
}

// -----

// CHECK-LABEL: func.func @argmax_last
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "reduction", "parallel"]
// CHECK-SAME: outs(%{{.*}}, %{{.*}} : tensor<?x?xf32>, tensor<?x?xi64>)
// CHECK: linalg.index 1
// CHECK: arith.cmpf ogt
// CHECK: arith.cmpi sgt
// CHECK: tensor.expand_shape {{.*}} : tensor<?x?xi64> into tensor<?x1x?xi64>
func.func @argmax_last(%x: tensor<?x?x?xf32>) -> tensor<?x1x?xi64> {
  %0 = nn.argmax %x {axis = 1 : i64, select_last_index = true} : (tensor<?x?x?xf32>) -> tensor<?x1x?xi64>
  return %0 : tensor<?x1x?xi64>
}

// -----

// CHECK-LABEL: func.func @argmin_u8
// CHECK: linalg.generic {{.*}}iterator_types = ["reduction"]
// CHECK: arith.cmpi ult
// CHECK: arith.cmpi slt
func.func @argmin_u8(%x: tensor<?xui8>) -> tensor<i64> {
  %0 = nn.argmin %x {keepdims = false} : (tensor<?xui8>) -> tensor<i64>
  return %0 : tensor<i64>
}

// -----

// CHECK-LABEL: func.func @softmax
// CHECK: linalg.reduce {{.*}} dimensions = [1]
// CHECK: arith.maximumf
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]
// CHECK: math.exp
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]
// CHECK: arith.subf
// CHECK: math.exp
// CHECK: arith.divf
func.func @softmax(%x: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %0 = nn.softmax %x : (tensor<?x?xf32>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// CHECK-LABEL: func.func @log_softmax_bf16
// CHECK: linalg.reduce ins(%{{.*}} : tensor<?x5xbf16>) outs(%{{.*}} : tensor<5xf32>) dimensions = [0]
// CHECK: linalg.generic
// CHECK: linalg.generic
// CHECK: math.log
// CHECK: arith.truncf {{.*}} f32 to bf16
func.func @log_softmax_bf16(%x: tensor<?x5xbf16>) -> tensor<?x5xbf16> {
  %0 = nn.log_softmax %x {axis = 0 : i64} : (tensor<?x5xbf16>) -> tensor<?x5xbf16>
  return %0 : tensor<?x5xbf16>
}

// -----

// CHECK-LABEL: func.func @hardmax
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]
// CHECK: linalg.index 1
// CHECK: arith.cmpi eq
func.func @hardmax(%x: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %0 = nn.hardmax %x : (tensor<?x?xf32>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// CHECK-LABEL: func.func @cumsum_reverse_exclusive
// CHECK: scf.for
// CHECK: tensor.extract_slice {{.*}} : tensor<?x?xf32> to tensor<?x1xf32>
// CHECK: linalg.generic
// CHECK: arith.addf
// CHECK: tensor.insert_slice
func.func @cumsum_reverse_exclusive(%x: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %axis = nn.constant dense<-1> : tensor<i32>
  %0 = nn.cumsum %x, %axis {exclusive = true, reverse = true} : (tensor<?x?xf32>, tensor<i32>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// A run-time axis dispatches over every possible axis.
// CHECK-LABEL: func.func @cumsum_dynamic_axis
// CHECK: tensor.extract
// CHECK: arith.maxsi
// CHECK: arith.minsi
// CHECK: scf.index_switch
// CHECK: case 0 {
// CHECK: scf.for
// CHECK: default {
// CHECK: scf.for
func.func @cumsum_dynamic_axis(%x: tensor<?x4xi32>, %axis: tensor<1xi64>) -> tensor<?x4xi32> {
  %0 = nn.cumsum %x, %axis : (tensor<?x4xi32>, tensor<1xi64>) -> tensor<?x4xi32>
  return %0 : tensor<?x4xi32>
}

// -----

// Each pass picks one element per row; picks move in and out of the
// results through reshapes that name the axis (a rank-reducing slice left
// the dropped unit dim to inference, which guessed wrong at batch 1).
// CHECK-LABEL: func.func @top_k
// CHECK: scf.for {{.*}} iter_args
// CHECK: tensor.extract_slice {{.*}} : tensor<?x3xf32> to tensor<?x1xf32>
// CHECK: tensor.collapse_shape {{.*}} {{\[\[}}0, 1]] : tensor<?x1xf32> into tensor<?xf32>
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]
// CHECK: arith.cmpf ogt
// CHECK: tensor.expand_shape {{.*}} {{\[\[}}0, 1]] output_shape {{.*}} : tensor<?xf32> into tensor<?x1xf32>
// CHECK: tensor.insert_slice {{.*}} : tensor<?x1xf32> into tensor<?x3xf32>
// CHECK: tensor.insert_slice {{.*}} : tensor<?x1xi64> into tensor<?x3xi64>
func.func @top_k(%x: tensor<?x?xf32>) -> (tensor<?x3xf32>, tensor<?x3xi64>) {
  %k = nn.constant dense<3> : tensor<1xi64>
  %v, %i = nn.top_k %x, %k {axis = 1 : i64} : (tensor<?x?xf32>, tensor<1xi64>) -> (tensor<?x3xf32>, tensor<?x3xi64>)
  return %v, %i : tensor<?x3xf32>, tensor<?x3xi64>
}

// -----

// A run-time k: the loop runs to the result size along the axis.
// CHECK-LABEL: func.func @top_k_dynamic_smallest
// CHECK: tensor.extract
// CHECK: scf.for
// CHECK: arith.cmpi slt
func.func @top_k_dynamic_smallest(%x: tensor<?xi32>, %k: tensor<1xi64>) -> (tensor<?xi32>, tensor<?xi64>) {
  %v, %i = nn.top_k %x, %k {largest = false} : (tensor<?xi32>, tensor<1xi64>) -> (tensor<?xi32>, tensor<?xi64>)
  return %v, %i : tensor<?xi32>, tensor<?xi64>
}

// -----

// The indexing maps print before the function (in the previous label's
// block): capture their names there.
// CHECK: #[[BN_C:map[0-9]*]] = affine_map<(d0, d1, d2, d3) -> (d1)>
// CHECK-LABEL: func.func @batch_norm
// CHECK: linalg.generic {indexing_maps = [#{{map[0-9]*}}, #[[BN_C]], #[[BN_C]], #[[BN_C]], #[[BN_C]], #{{map[0-9]*}}]
// CHECK: math.sqrt
func.func @batch_norm(%x: tensor<?x3x?x?xf32>, %s: tensor<3xf32>, %b: tensor<3xf32>, %m: tensor<3xf32>, %v: tensor<3xf32>) -> tensor<?x3x?x?xf32> {
  %0 = nn.batch_norm %x, %s, %b, %m, %v {epsilon = 1.0e-3 : f32} : (tensor<?x3x?x?xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<?x3x?x?xf32>
  return %0 : tensor<?x3x?x?xf32>
}

// -----

// CHECK: #[[LN_P:map[0-9]*]] = affine_map<(d0, d1, d2) -> (d2)>
// CHECK-LABEL: func.func @layer_norm
// CHECK: linalg.reduce {{.*}} dimensions = [1, 2]
// CHECK: linalg.generic
// CHECK: arith.divf
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "reduction", "reduction"]
// CHECK: linalg.generic
// CHECK: math.sqrt
// CHECK: linalg.generic {indexing_maps = [#{{map[0-9]*}}, #{{map[0-9]*}}, #{{map[0-9]*}}, #[[LN_P]], #[[LN_P]], #{{map[0-9]*}}]
func.func @layer_norm(%x: tensor<?x?x8xf32>, %s: tensor<8xf32>, %b: tensor<8xf32>) -> tensor<?x?x8xf32> {
  %0 = nn.layer_norm %x, %s, %b {axis = 1 : i64} : (tensor<?x?x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<?x?x8xf32>
  return %0 : tensor<?x?x8xf32>
}

// -----

// CHECK: #[[IN_C:map[0-9]*]] = affine_map<(d0, d1, d2, d3) -> (d1)>
// CHECK-LABEL: func.func @instance_norm
// CHECK: linalg.reduce {{.*}} dimensions = [2, 3]
// CHECK: linalg.generic {indexing_maps = [#{{map[0-9]*}}, #{{map[0-9]*}}, #{{map[0-9]*}}, #[[IN_C]], #[[IN_C]], #{{map[0-9]*}}]
func.func @instance_norm(%x: tensor<?x?x?x?xf16>, %s: tensor<?xf16>, %b: tensor<?xf16>) -> tensor<?x?x?x?xf16> {
  %0 = nn.instance_norm %x, %s, %b : (tensor<?x?x?x?xf16>, tensor<?xf16>, tensor<?xf16>) -> tensor<?x?x?x?xf16>
  return %0 : tensor<?x?x?x?xf16>
}

// -----

// CHECK-LABEL: func.func @group_norm
// CHECK: arith.divui
// CHECK: tensor.expand_shape {{.*}} : tensor<?x?x?xf32> into tensor<?x2x?x?xf32>
// CHECK: tensor.expand_shape {{.*}} : tensor<?xf32> into tensor<2x?xf32>
// CHECK: linalg.reduce {{.*}} dimensions = [2, 3]
// CHECK: tensor.collapse_shape {{.*}} : tensor<?x2x?x?xf32> into tensor<?x?x?xf32>
func.func @group_norm(%x: tensor<?x?x?xf32>, %s: tensor<?xf32>, %b: tensor<?xf32>) -> tensor<?x?x?xf32> {
  %0 = nn.group_norm %x, %s, %b {num_groups = 2 : i64} : (tensor<?x?x?xf32>, tensor<?xf32>, tensor<?xf32>) -> tensor<?x?x?xf32>
  return %0 : tensor<?x?x?xf32>
}
