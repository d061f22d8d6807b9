// RUN: ddl-opt %s --resolve-ranked-shaped-type-result-dims --canonicalize --cse --split-input-file | FileCheck %s

// Shape reification: tensor.dim of an nn op's result becomes index
// arithmetic on its operands, from the same shape function that infers types.

// Broadcasting two unknown sizes: the result is rhs where lhs is 1.
// CHECK-LABEL: func.func @broadcast
// CHECK-SAME: (%[[A:.+]]: tensor<?xf32>, %[[B:.+]]: tensor<?xf32>)
// CHECK-DAG: %[[C1:.+]] = arith.constant 1 : index
// CHECK-DAG: %[[DA:.+]] = tensor.dim %[[A]]
// CHECK-DAG: %[[DB:.+]] = tensor.dim %[[B]]
// CHECK: %[[IS1:.+]] = arith.cmpi eq, %[[DA]], %[[C1]]
// CHECK: %[[R:.+]] = arith.select %[[IS1]], %[[DB]], %[[DA]]
// CHECK: return %[[R]]
func.func @broadcast(%a: tensor<?xf32>, %b: tensor<?xf32>) -> index {
  %0 = nn.add %a, %b : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  %c0 = arith.constant 0 : index
  %d = tensor.dim %0, %c0 : tensor<?xf32>
  return %d : index
}

// -----

// Strided, padded convolution: (h + 2 - 3) floordiv 2 + 1.
// CHECK-LABEL: func.func @conv
// CHECK: %[[H:.+]] = tensor.dim %arg0, %c2
// CHECK: %[[S:.+]] = arith.addi %[[H]], %c-1
// CHECK: %[[Q:.+]] = arith.floordivsi %[[S]], %c2
// CHECK: %[[O:.+]] = arith.addi %[[Q]], %c1
// CHECK: return %[[O]]
func.func @conv(%x: tensor<1x3x?x8xf32>, %w: tensor<4x3x3x3xf32>) -> index {
  %0 = nn.conv %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>}
      : (tensor<1x3x?x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x?x4xf32>
  %c2 = arith.constant 2 : index
  %d = tensor.dim %0, %c2 : tensor<1x4x?x4xf32>
  return %d : index
}

// -----

// A run-time shape operand is read element by element.
// CHECK-LABEL: func.func @expand
// CHECK: %[[E:.+]] = tensor.extract %arg1[%c0]
// CHECK: arith.index_cast %[[E]] : i64 to index
func.func @expand(%x: tensor<1xf32>, %s: tensor<1xi64>) -> index {
  %0 = nn.expand %x, %s : (tensor<1xf32>, tensor<1xi64>) -> tensor<?xf32>
  %c0 = arith.constant 0 : index
  %d = tensor.dim %0, %c0 : tensor<?xf32>
  return %d : index
}

// -----

// concat adds the sizes along the axis.
// CHECK-LABEL: func.func @concat
// CHECK-DAG: %[[A:.+]] = tensor.dim %arg0, %c0
// CHECK-DAG: %[[B:.+]] = tensor.dim %arg1, %c0
// CHECK: %[[S:.+]] = arith.addi %[[A]], %[[B]]
// CHECK: return %[[S]]
func.func @concat(%a: tensor<?x4xf32>, %b: tensor<?x4xf32>) -> index {
  %0 = nn.concat %a, %b {axis = 0 : i64} : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  %c0 = arith.constant 0 : index
  %d = tensor.dim %0, %c0 : tensor<?x4xf32>
  return %d : index
}

// -----

// Resize by scales: floor(size * scale) computed in f64.
// CHECK-LABEL: func.func @resize_scales
// CHECK: tensor.extract %arg1
// CHECK: arith.sitofp
// CHECK: arith.mulf
// CHECK: arith.fptosi
func.func @resize_scales(%x: tensor<1x1x?x?xf32>, %scales: tensor<4xf32>) -> index {
  %0 = nn.resize %x scales %scales {mode = #nn.resize_mode<linear>}
      : (tensor<1x1x?x?xf32>, tensor<4xf32>) -> tensor<?x?x?x?xf32>
  %c2 = arith.constant 2 : index
  %d = tensor.dim %0, %c2 : tensor<?x?x?x?xf32>
  return %d : index
}

// -----

// Integer range length: max(ceildiv(limit - start, delta), 0).
// CHECK-LABEL: func.func @range
// CHECK: arith.subi
// CHECK: arith.ceildivsi
// CHECK: arith.maxsi
func.func @range(%start: tensor<i64>, %limit: tensor<i64>, %delta: tensor<i64>) -> index {
  %0 = nn.range %start, %limit, %delta : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  %c0 = arith.constant 0 : index
  %d = tensor.dim %0, %c0 : tensor<?xi64>
  return %d : index
}

// -----

// Static result dims are returned as constants even where inference could
// not prove them (the written type is the truth).
// CHECK-LABEL: func.func @refined_static
// CHECK: %[[C:.+]] = arith.constant 6 : index
// CHECK: return %[[C]]
func.func @refined_static(%x: tensor<?xf32>, %s: tensor<1xi64>) -> index {
  %0 = nn.reshape %x, %s : (tensor<?xf32>, tensor<1xi64>) -> tensor<6xf32>
  %1 = nn.relu %0 : (tensor<6xf32>) -> tensor<?xf32>
  %c0 = arith.constant 0 : index
  %d = tensor.dim %1, %c0 : tensor<?xf32>
  return %d : index
}

// -----

// TopK: the k dimension is read from k at run time.
// CHECK-LABEL: func.func @top_k
// CHECK-SAME: (%[[X:.+]]: tensor<?x8xf32>, %[[K:.+]]: tensor<1xi64>)
// CHECK: %[[E:.+]] = tensor.extract %[[K]][%{{.+}}] : tensor<1xi64>
// CHECK: %[[R:.+]] = arith.index_cast %[[E]] : i64 to index
// CHECK: return %[[R]]
func.func @top_k(%x: tensor<?x8xf32>, %k: tensor<1xi64>) -> index {
  %v, %i = nn.top_k %x, %k : (tensor<?x8xf32>, tensor<1xi64>) -> (tensor<?x?xf32>, tensor<?x?xi64>)
  %c1 = arith.constant 1 : index
  %d = tensor.dim %i, %c1 : tensor<?x?xi64>
  return %d : index
}

// -----

// NonZero: the count depends on the data, so reification fails and the
// tensor.dim stays.
// CHECK-LABEL: func.func @non_zero
// CHECK: %[[N:.+]] = nn.non_zero
// CHECK: %[[D:.+]] = tensor.dim %[[N]]
// CHECK: return %[[D]]
func.func @non_zero(%x: tensor<?x8xf32>) -> index {
  %0 = nn.non_zero %x : (tensor<?x8xf32>) -> tensor<2x?xi64>
  %c1 = arith.constant 1 : index
  %d = tensor.dim %0, %c1 : tensor<2x?xi64>
  return %d : index
}

// -----

// Slice bounds of INT64_MIN (PyTorch exports x[:, ::-1] so) are values,
// not "dynamic": reifying them on a dynamic dim once crashed ddlc. The
// reversed length is clamp(-1 + n, 0, n - 1) - clamp(INT64_MIN + n, -1,
// n - 1), i.e. n.
// CHECK-LABEL: func.func @slice_reverse_int64_min
// CHECK: %[[N:.+]] = tensor.dim %arg0, %c0
// CHECK: %[[END:.+]] = arith.addi %[[N]], %c-9223372036854775808
// CHECK: %[[SPAN:.+]] = arith.subi %{{[0-9]+}}, %{{[0-9]+}} : index
// CHECK-NEXT: %[[LEN:.+]] = arith.maxsi %[[SPAN]], %c0
// CHECK-NEXT: return %[[LEN]]
func.func @slice_reverse_int64_min(%x: tensor<?x5xf32>) -> index {
  %s = nn.constant dense<[-1]> : tensor<1xi64>
  %e = nn.constant dense<[-9223372036854775808]> : tensor<1xi64>
  %a = nn.constant dense<[0]> : tensor<1xi64>
  %st = nn.constant dense<[-1]> : tensor<1xi64>
  %0 = nn.slice %x, %s, %e axes %a steps %st : (tensor<?x5xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<?x5xf32>
  %c0 = arith.constant 0 : index
  %d = tensor.dim %0, %c0 : tensor<?x5xf32>
  return %d : index
}
