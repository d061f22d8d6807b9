// RUN: ddl-opt %s --canonicalize --split-input-file | FileCheck %s

// CHECK-LABEL: func.func @identity_folds
// CHECK-SAME: (%[[X:.+]]: tensor<?x4xf32>)
// CHECK-NEXT: return %[[X]]
func.func @identity_folds(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %0 = nn.identity %x : (tensor<?x4xf32>) -> tensor<?x4xf32>
  %1 = nn.cast %0 : (tensor<?x4xf32>) -> tensor<?x4xf32>
  return %1 : tensor<?x4xf32>
}

// -----

// An identity whose result type is refined cannot fold (the types differ).
// CHECK-LABEL: func.func @identity_refining_kept
// CHECK: nn.identity
func.func @identity_refining_kept(%x: tensor<?xf32>) -> tensor<4xf32> {
  %0 = nn.identity %x : (tensor<?xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @arith_identities
// CHECK-SAME: (%[[X:.+]]: tensor<2x3xf32>)
// CHECK-NOT: nn.add
// CHECK-NOT: nn.mul
// CHECK-NOT: nn.sub
// CHECK-NOT: nn.div
// CHECK: return %[[X]]
func.func @arith_identities(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %zero = nn.constant dense<0.0> : tensor<2x3xf32>
  %one = nn.constant dense<1.0> : tensor<2x3xf32>
  %0 = nn.add %x, %zero : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %1 = nn.mul %one, %0 : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %2 = nn.sub %1, %zero : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %3 = nn.div %2, %one : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %3 : tensor<2x3xf32>
}

// -----

// Adding a zero that broadcasts the input to a larger shape is not an identity.
// CHECK-LABEL: func.func @broadcasting_zero_kept
// CHECK: nn.add
func.func @broadcasting_zero_kept(%x: tensor<3xf32>) -> tensor<2x3xf32> {
  %zero = nn.constant dense<0.0> : tensor<2x3xf32>
  %0 = nn.add %x, %zero : (tensor<3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Shape arithmetic on constants folds (imported shape subgraphs are made of it).
// CHECK-LABEL: func.func @constant_shape_arith
// CHECK: %[[C:.+]] = nn.constant dense<[10, 4]> : tensor<2xi64>
// CHECK-NEXT: return %[[C]]
func.func @constant_shape_arith() -> tensor<2xi64> {
  %a = nn.constant dense<[2, 3]> : tensor<2xi64>
  %b = nn.constant dense<[2, 1]> : tensor<2xi64>
  %0 = nn.add %a, %b : (tensor<2xi64>, tensor<2xi64>) -> tensor<2xi64>
  %1 = nn.mul %0, %b : (tensor<2xi64>, tensor<2xi64>) -> tensor<2xi64>
  %2 = nn.sub %1, %a : (tensor<2xi64>, tensor<2xi64>) -> tensor<2xi64>
  %3 = nn.div %2, %b : (tensor<2xi64>, tensor<2xi64>) -> tensor<2xi64>
  %4 = nn.add %3, %a : (tensor<2xi64>, tensor<2xi64>) -> tensor<2xi64>
  %5 = nn.mul %4, %b : (tensor<2xi64>, tensor<2xi64>) -> tensor<2xi64>
  return %5 : tensor<2xi64>
}

// -----

// Integer division by a zero constant is left for run time.
// CHECK-LABEL: func.func @no_fold_div_by_zero
// CHECK: nn.div
func.func @no_fold_div_by_zero() -> tensor<2xi64> {
  %a = nn.constant dense<[2, 3]> : tensor<2xi64>
  %b = nn.constant dense<[1, 0]> : tensor<2xi64>
  %0 = nn.div %a, %b : (tensor<2xi64>, tensor<2xi64>) -> tensor<2xi64>
  return %0 : tensor<2xi64>
}

// -----

// CHECK-LABEL: func.func @shape_queries
// CHECK-DAG: nn.constant dense<[3, 4]> : tensor<2xi64>
// CHECK-DAG: nn.constant dense<24> : tensor<i64>
// CHECK-NOT: nn.shape_of
// CHECK-NOT: nn.size
func.func @shape_queries(%x: tensor<2x3x4xf32>) -> (tensor<2xi64>, tensor<i64>) {
  %0 = nn.shape_of %x {start = 1 : i64} : (tensor<2x3x4xf32>) -> tensor<2xi64>
  %1 = nn.size %x : (tensor<2x3x4xf32>) -> tensor<i64>
  return %0, %1 : tensor<2xi64>, tensor<i64>
}

// -----

// A shape query of a dynamic dim stays.
// CHECK-LABEL: func.func @dynamic_shape_query
// CHECK: nn.shape_of
func.func @dynamic_shape_query(%x: tensor<?x3xf32>) -> tensor<2xi64> {
  %0 = nn.shape_of %x : (tensor<?x3xf32>) -> tensor<2xi64>
  return %0 : tensor<2xi64>
}

// -----

// CHECK-LABEL: func.func @compose_reshapes
// CHECK-SAME: (%[[X:.+]]: tensor<2x3x4xf32>)
// CHECK: %[[S:.+]] = nn.constant dense<[4, 6]>
// CHECK-NEXT: %[[R:.+]] = nn.reshape %[[X]], %[[S]] {{.*}} -> tensor<4x6xf32>
// CHECK-NEXT: return %[[R]]
func.func @compose_reshapes(%x: tensor<2x3x4xf32>) -> tensor<4x6xf32> {
  %s1 = nn.constant dense<[6, 4]> : tensor<2xi64>
  %s2 = nn.constant dense<[4, 6]> : tensor<2xi64>
  %0 = nn.reshape %x, %s1 : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<6x4xf32>
  %1 = nn.reshape %0, %s2 : (tensor<6x4xf32>, tensor<2xi64>) -> tensor<4x6xf32>
  return %1 : tensor<4x6xf32>
}

// -----

// A 0 entry copies a size of the intermediate tensor: not composable.
// CHECK-LABEL: func.func @no_compose_copying_reshape
// CHECK-COUNT-2: nn.reshape
func.func @no_compose_copying_reshape(%x: tensor<?x12xf32>) -> tensor<?x3x4xf32> {
  %s1 = nn.constant dense<[-1, 12]> : tensor<2xi64>
  %s2 = nn.constant dense<[0, 3, 4]> : tensor<3xi64>
  %0 = nn.reshape %x, %s1 : (tensor<?x12xf32>, tensor<2xi64>) -> tensor<?x12xf32>
  %1 = nn.reshape %0, %s2 : (tensor<?x12xf32>, tensor<3xi64>) -> tensor<?x3x4xf32>
  return %1 : tensor<?x3x4xf32>
}

// -----

// flatten, squeeze and unsqueeze with static results become reshapes, which
// then compose; a reshape to the same static type folds away.
// CHECK-LABEL: func.func @reshape_family_to_reshape
// CHECK-SAME: (%[[X:.+]]: tensor<1x6x1xf32>)
// CHECK-NOT: nn.flatten
// CHECK-NOT: nn.squeeze
// CHECK-NOT: nn.unsqueeze
// CHECK: %[[R:.+]] = nn.reshape %[[X]], %{{.+}} : {{.*}} -> tensor<2x3xf32>
// CHECK-NEXT: return %[[R]]
func.func @reshape_family_to_reshape(%x: tensor<1x6x1xf32>) -> tensor<2x3xf32> {
  %0 = nn.squeeze %x : (tensor<1x6x1xf32>) -> tensor<6xf32>
  %1 = nn.unsqueeze %0 {axes = array<i64: 0>} : (tensor<6xf32>) -> tensor<1x6xf32>
  %2 = nn.flatten %1 {axis = 0 : i64} : (tensor<1x6xf32>) -> tensor<1x6xf32>
  %s = nn.constant dense<[2, 3]> : tensor<2xi64>
  %3 = nn.reshape %2, %s : (tensor<1x6xf32>, tensor<2xi64>) -> tensor<2x3xf32>
  return %3 : tensor<2x3xf32>
}

// -----

// Dynamic squeezes stay as they are.
// CHECK-LABEL: func.func @dynamic_squeeze_kept
// CHECK: nn.squeeze
func.func @dynamic_squeeze_kept(%x: tensor<?x1xf32>) -> tensor<?xf32> {
  %0 = nn.squeeze %x {axes = array<i64: 1>} : (tensor<?x1xf32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// CHECK-LABEL: func.func @compose_transposes
// CHECK-SAME: (%[[X:.+]]: tensor<2x3x4xf32>)
// CHECK: %[[T:.+]] = nn.transpose %[[X]] {perm = array<i64: 1, 0, 2>}
// CHECK-NEXT: return %[[T]]
func.func @compose_transposes(%x: tensor<2x3x4xf32>) -> tensor<3x2x4xf32> {
  %0 = nn.transpose %x {perm = array<i64: 2, 0, 1>} : (tensor<2x3x4xf32>) -> tensor<4x2x3xf32>
  %1 = nn.transpose %0 {perm = array<i64: 2, 1, 0>} : (tensor<4x2x3xf32>) -> tensor<3x2x4xf32>
  return %1 : tensor<3x2x4xf32>
}

// -----

// A transpose and its inverse cancel.
// CHECK-LABEL: func.func @inverse_transposes
// CHECK-SAME: (%[[X:.+]]: tensor<?x3x4xf32>)
// CHECK-NOT: nn.transpose
// CHECK: return %[[X]]
func.func @inverse_transposes(%x: tensor<?x3x4xf32>) -> tensor<?x3x4xf32> {
  %0 = nn.transpose %x {perm = array<i64: 1, 2, 0>} : (tensor<?x3x4xf32>) -> tensor<3x4x?xf32>
  %1 = nn.transpose %0 {perm = array<i64: 2, 0, 1>} : (tensor<3x4x?xf32>) -> tensor<?x3x4xf32>
  return %1 : tensor<?x3x4xf32>
}

// -----

// CHECK-LABEL: func.func @single_concat_and_unit_tile
// CHECK-SAME: (%[[X:.+]]: tensor<2x3xf32>)
// CHECK-NEXT: return %[[X]], %[[X]]
func.func @single_concat_and_unit_tile(%x: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>) {
  %0 = nn.concat %x {axis = 1 : i64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %ones = nn.constant dense<1> : tensor<2xi64>
  %1 = nn.tile %x, %ones : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<2x3xf32>
  return %0, %1 : tensor<2x3xf32>, tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @expand_to_same_shape
// CHECK-SAME: (%[[X:.+]]: tensor<2x3xf32>)
// CHECK-NEXT: return %[[X]]
func.func @expand_to_same_shape(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %s = nn.constant dense<[1, 3]> : tensor<2xi64>
  %0 = nn.expand %x, %s : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// An element count beyond i64 is not folded (it would overflow).
// CHECK-LABEL: func.func @size_overflow_kept
// CHECK: nn.size
func.func @size_overflow_kept(%x: tensor<1099511627776x1099511627776x1099511627776xf32>) -> tensor<i64> {
  %0 = nn.size %x : (tensor<1099511627776x1099511627776x1099511627776xf32>) -> tensor<i64>
  return %0 : tensor<i64>
}
