// RUN: ddl-opt %s --nn-check-shapes --canonicalize --split-input-file | FileCheck %s

// A symbolic inner size contracted with a static one is checked before the
// product (an input with another k would be read out of bounds).
// CHECK-LABEL: func.func @matmul
// CHECK: %[[DIM:.*]] = tensor.dim %arg0, %c1
// CHECK: %[[EQ:.*]] = arith.cmpi eq, %[[DIM]], %c704
// CHECK: %[[FLAG:.*]] = tensor.from_elements %[[EQ]] : tensor<i1>
// CHECK: nn.check %[[FLAG]], "contracted dimensions differ at run time: lhs's last vs rhs's second-to-last (the second is 704)"
// CHECK-NEXT: nn.matmul
func.func @matmul(%x: tensor<5x?xf32, #nn.dims<5, k>>, %w: tensor<704x18xf32>) -> tensor<5x18xf32> {
  %y = nn.matmul %x, %w : (tensor<5x?xf32, #nn.dims<5, k>>, tensor<704x18xf32>) -> tensor<5x18xf32>
  return %y : tensor<5x18xf32>
}

// -----

// One symbol on both sides: equal by construction, nothing to check.
// CHECK-LABEL: func.func @same_symbol
// CHECK-NOT: nn.check
// CHECK: nn.matmul
func.func @same_symbol(%x: tensor<?x?xf32, #nn.dims<b, k>>, %w: tensor<?x18xf32, #nn.dims<k, 18>>) -> tensor<?x18xf32, #nn.dims<b, 18>> {
  %y = nn.matmul %x, %w : (tensor<?x?xf32, #nn.dims<b, k>>, tensor<?x18xf32, #nn.dims<k, 18>>) -> tensor<?x18xf32, #nn.dims<b, 18>>
  return %y : tensor<?x18xf32, #nn.dims<b, 18>>
}

// -----

// Gemm with transposed b: K of op(a) against b's second dimension.
// CHECK-LABEL: func.func @gemm
// CHECK: tensor.dim %arg0, %c1
// CHECK: arith.cmpi eq, %{{.*}}, %c32
// CHECK: nn.check {{.*}} "contracted dimensions differ at run time: K of op(a) vs K of op(b) (the second is 32)"
func.func @gemm(%a: tensor<?x?xf32>, %b: tensor<8x32xf32>) -> tensor<?x8xf32> {
  %y = nn.gemm %a, %b {trans_b = true} : (tensor<?x?xf32>, tensor<8x32xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}

// -----

// A dynamic size broadcast against a static one: equal to it or 1.
// CHECK-LABEL: func.func @broadcast
// CHECK: %[[DIM:.*]] = tensor.dim %arg0, %c0
// CHECK-DAG: %[[SAME:.*]] = arith.cmpi eq, %[[DIM]], %c4
// CHECK-DAG: %[[ONE:.*]] = arith.cmpi eq, %[[DIM]], %c1
// CHECK: %[[OK:.*]] = arith.ori %[[SAME]], %[[ONE]]
// CHECK: tensor.from_elements %[[OK]]
// CHECK: nn.check {{.*}} "cannot broadcast operand #0 and operand #1: their sizes in dimension 0 of the result differ at run time and neither is 1"
func.func @broadcast(%x: tensor<?xf32>, %y: tensor<4xf32>) -> tensor<4xf32> {
  %z = nn.add %x, %y : (tensor<?xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %z : tensor<4xf32>
}

// -----

// Two unrelated dynamic sizes: equal, or either of them 1.
// CHECK-LABEL: func.func @two_dynamic
// CHECK-COUNT-3: arith.cmpi eq
// CHECK-COUNT-2: arith.ori
// CHECK: nn.check
func.func @two_dynamic(%x: tensor<?xf32>, %y: tensor<?xf32>) -> tensor<?xf32> {
  %z = nn.mul %x, %y : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  return %z : tensor<?xf32>
}

// -----

// A result size a frontend declared statically over a dynamic operand.
// CHECK-LABEL: func.func @declared
// CHECK: arith.cmpi eq, %{{.*}}, %c4
// CHECK: nn.check {{.*}} "result #0 is declared with size 4 in dimension 0, but the inputs give it another size at run time"
func.func @declared(%x: tensor<?xf32>) -> tensor<4xf32> {
  %z = nn.relu %x : (tensor<?xf32>) -> tensor<4xf32>
  return %z : tensor<4xf32>
}

// -----

// Static shapes: the types decide everything.
// CHECK-LABEL: func.func @static
// CHECK-NOT: nn.check
func.func @static(%x: tensor<3x4xf32>, %w: tensor<4x2xf32>) -> tensor<3x2xf32> {
  %y = nn.matmul %x, %w : (tensor<3x4xf32>, tensor<4x2xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

// A convolution's input channels against its weights' (x group).
// CHECK-LABEL: func.func @conv
// CHECK: %[[DIM:.*]] = tensor.dim %arg0, %c1
// CHECK: arith.cmpi eq, %[[DIM]], %c3
// CHECK: nn.check {{.*}} "the input's channels differ from the weight's channels x group 1 at run time"
func.func @conv(%x: tensor<1x?x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32> {
  %y = nn.conv %x, %w : (tensor<1x?x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %y : tensor<1x4x6x6xf32>
}

// -----

// An einsum letter bound in two operands.
// CHECK-LABEL: func.func @einsum
// CHECK: nn.check {{.*}} "equation: letter 'k' has different sizes in operands 0 and 1 at run time"
func.func @einsum(%a: tensor<2x?xf32>, %b: tensor<5x3xf32>) -> tensor<2x3xf32> {
  %y = nn.einsum "ik,kj->ij" %a, %b : (tensor<2x?xf32>, tensor<5x3xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}
