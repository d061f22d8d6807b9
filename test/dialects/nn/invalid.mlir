// RUN: ddl-opt %s --split-input-file --verify-diagnostics
//
// Verifier errors of the nn dialect. An error reported by a shape function
// (ShapeBuilder::emitError) comes out as "'nn.xxx' op <message>" and is
// followed by the interface's own "failed to infer returned types"; a
// result type that contradicts the inferred one gives "inferred type(s) ...
// are incompatible with return type(s) ..." followed by the same line.
// The #nn.dims encoding errors are in invalid-dims.mlir.

//===----------------------------------------------------------------------===//
// ODS type constraints and structure
//===----------------------------------------------------------------------===//

func.func @float_op_on_integers(%a: tensor<4xi32>) {
  // expected-error @+1 {{'nn.exp' op operand #0 must be ranked tensor of floating-point values, but got 'tensor<4xi32>'}}
  %0 = nn.exp %a : (tensor<4xi32>) -> tensor<4xi32>
  return
}

// -----

func.func @integer_op_on_floats(%a: tensor<4xf32>) {
  // expected-error @+1 {{'nn.bitwise_and' op operand #0 must be ranked tensor of integer values, but got 'tensor<4xf32>'}}
  %0 = nn.bitwise_and %a, %a : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @logic_op_on_floats(%a: tensor<4xf32>) {
  // expected-error @+1 {{'nn.and' op operand #0 must be ranked tensor of 1-bit signless integer values, but got 'tensor<4xf32>'}}
  %0 = nn.and %a, %a : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @compare_result_not_bool(%a: tensor<4xf32>) {
  // expected-error @+1 {{'nn.equal' op result #0 must be ranked tensor of 1-bit signless integer values, but got 'tensor<4xf32>'}}
  %0 = nn.equal %a, %a : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @argmax_result_not_i64(%a: tensor<4xf32>) {
  // expected-error @+1 {{'nn.argmax' op result #0 must be ranked tensor of 64-bit signless integer values, but got 'tensor<1xi32>'}}
  %0 = nn.argmax %a : (tensor<4xf32>) -> tensor<1xi32>
  return
}

// -----

func.func @mixed_element_types(%a: tensor<4xf32>, %b: tensor<4xf16>) {
  // expected-error @+1 {{'nn.add' op failed to verify that all of {lhs, rhs, output} have same element type}}
  %0 = nn.add %a, %b : (tensor<4xf32>, tensor<4xf16>) -> tensor<4xf32>
  return
}

// -----

func.func @matmul_mixed_element_types(%a: tensor<2x3xf32>, %b: tensor<3x4xf16>) {
  // expected-error @+1 {{'nn.matmul' op failed to verify that all of {lhs, rhs, output} have same element type}}
  %0 = nn.matmul %a, %b : (tensor<2x3xf32>, tensor<3x4xf16>) -> tensor<2x4xf32>
  return
}

// -----

func.func @unranked_operand(%a: tensor<*xf32>) {
  // expected-error @+1 {{'nn.add' op operand #0 must be ranked tensor of floating-point or integer values, but got 'tensor<*xf32>'}}
  %0 = "nn.add"(%a, %a) : (tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
  return
}

// -----

func.func @unranked_result(%a: tensor<4xf32>) {
  // expected-error @+1 {{'nn.add' op result #0 must be ranked tensor of floating-point or integer values, but got 'tensor<*xf32>'}}
  %0 = "nn.add"(%a, %a) : (tensor<4xf32>, tensor<4xf32>) -> tensor<*xf32>
  return
}

// -----

func.func @memref_operand(%a: memref<4xf32>) {
  // expected-error @+1 {{'nn.relu' op operand #0 must be ranked tensor of floating-point or integer values, but got 'memref<4xf32>'}}
  %0 = "nn.relu"(%a) : (memref<4xf32>) -> memref<4xf32>
  return
}

// -----

func.func @too_few_operands(%a: tensor<4xf32>) {
  // expected-error @+1 {{'nn.add' op expected 2 operands, but found 1}}
  %0 = "nn.add"(%a) : (tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @too_many_operands(%a: tensor<4xf32>) {
  // expected-error @+1 {{'nn.add' op expected 2 operands, but found 3}}
  %0 = "nn.add"(%a, %a, %a) : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @no_result(%a: tensor<4xf32>) {
  // expected-error @+1 {{'nn.add' op requires one result}}
  "nn.add"(%a, %a) : (tensor<4xf32>, tensor<4xf32>) -> ()
  return
}

// -----

func.func @missing_required_attribute(%a: tensor<4xi32>) {
  // expected-error @+1 {{'nn.bit_shift' op requires attribute 'direction'}}
  %0 = "nn.bit_shift"(%a, %a) : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return
}

// -----

func.func @attribute_of_wrong_width(%a: tensor<4xf32>) {
  // expected-error @+1 {{'nn.softmax' op attribute 'axis' failed to satisfy constraint: 64-bit signless integer attribute}}
  %0 = "nn.softmax"(%a) <{axis = 0 : i32}> : (tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @attribute_of_wrong_kind(%a: tensor<4xf32>) {
  // expected-error @+1 {{invalid properties {kind = 3 : i32} for op nn.reduce}}
  %0 = "nn.reduce"(%a) <{kind = 3 : i32}> : (tensor<4xf32>) -> tensor<1xf32>
  return
}

// -----

func.func @missing_operand_segments(%a: tensor<4xf32>, %s: tensor<1xi64>) {
  // expected-error @+1 {{'nn.slice' op operand count (3) does not match with the total size (0) specified in attribute 'operandSegmentSizes'}}
  %0 = "nn.slice"(%a, %s, %s) : (tensor<4xf32>, tensor<1xi64>, tensor<1xi64>) -> tensor<?xf32>
  return
}

// -----

func.func @yield_outside_region(%a: tensor<4xf32>) {
  // expected-error @+1 {{'nn.yield' op expects parent op to be one of 'nn.if, nn.loop'}}
  nn.yield %a : tensor<4xf32>
}

//===----------------------------------------------------------------------===//
// Result types that contradict the inferred ones
//===----------------------------------------------------------------------===//

// -----

func.func @result_static_size_contradicts(%a: tensor<4xf32>) {
  // expected-error @+2 {{'nn.add' op inferred type(s) 'tensor<4xf32>' are incompatible with return type(s) of operation 'tensor<5xf32>'}}
  // expected-error @+1 {{'nn.add' op failed to infer returned types}}
  %0 = nn.add %a, %a : (tensor<4xf32>, tensor<4xf32>) -> tensor<5xf32>
  return
}

// -----

func.func @result_rank_contradicts(%a: tensor<4xf32>) {
  // expected-error @+2 {{'nn.relu' op inferred type(s) 'tensor<4xf32>' are incompatible with return type(s) of operation 'tensor<4x1xf32>'}}
  // expected-error @+1 {{'nn.relu' op failed to infer returned types}}
  %0 = nn.relu %a : (tensor<4xf32>) -> tensor<4x1xf32>
  return
}

// -----

// nn.pow's result has the base's element type; ODS does not tie them.
func.func @result_element_type_contradicts(%a: tensor<4xf32>, %e: tensor<4xi32>) {
  // expected-error @+2 {{'nn.pow' op inferred type(s) 'tensor<4xf32>' are incompatible with return type(s) of operation 'tensor<4xi32>'}}
  // expected-error @+1 {{'nn.pow' op failed to infer returned types}}
  %0 = nn.pow %a, %e : (tensor<4xf32>, tensor<4xi32>) -> tensor<4xi32>
  return
}

// -----

// A written result may be less precise than the inferred one, never more
// precise in a way that contradicts it: here inference knows 2x4.
func.func @matmul_result_contradicts(%a: tensor<?x3xf32>, %b: tensor<3x4xf32>) {
  // expected-error @+2 {{'nn.matmul' op inferred type(s) 'tensor<?x4xf32>' are incompatible with return type(s) of operation 'tensor<?x5xf32>'}}
  // expected-error @+1 {{'nn.matmul' op failed to infer returned types}}
  %0 = nn.matmul %a, %b : (tensor<?x3xf32>, tensor<3x4xf32>) -> tensor<?x5xf32>
  return
}

// -----

func.func @split_result_count_contradicts(%a: tensor<4xf32>) {
  // expected-error @+2 {{'nn.split' op inferred type(s) 'tensor<2xf32>', 'tensor<2xf32>' are incompatible with return type(s) of operation 'tensor<4xf32>'}}
  // expected-error @+1 {{'nn.split' op failed to infer returned types}}
  %0 = nn.split %a {num_outputs = 2 : i64} : (tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @reshape_result_contradicts(%a: tensor<2x6xf32>) {
  %s = nn.constant dense<[3, 4]> : tensor<2xi64>
  // expected-error @+2 {{'nn.reshape' op inferred type(s) 'tensor<3x4xf32>' are incompatible with return type(s) of operation 'tensor<4x3xf32>'}}
  // expected-error @+1 {{'nn.reshape' op failed to infer returned types}}
  %0 = nn.reshape %a, %s : (tensor<2x6xf32>, tensor<2xi64>) -> tensor<4x3xf32>
  return
}

//===----------------------------------------------------------------------===//
// Shared shape rules (ShapeBuilder.cpp)
//===----------------------------------------------------------------------===//

// -----

func.func @broadcast_mismatch(%a: tensor<4xf32>, %b: tensor<5xf32>) {
  // expected-error @+2 {{'nn.add' op cannot broadcast operand #0 and operand #1: dimension 0 of the result would need sizes 4 and 5 to match (or one of them to be 1)}}
  // expected-error @+1 {{'nn.add' op failed to infer returned types}}
  %0 = nn.add %a, %b : (tensor<4xf32>, tensor<5xf32>) -> tensor<4xf32>
  return
}

// -----

// Dimensions align from the back: dimension 1 of a 2-D result.
func.func @broadcast_mismatch_aligned_from_back(%a: tensor<3x4xf32>, %b: tensor<3xf32>) {
  // expected-error @+2 {{'nn.mul' op cannot broadcast operand #0 and operand #1: dimension 1 of the result would need sizes 4 and 3 to match}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.mul %a, %b : (tensor<3x4xf32>, tensor<3xf32>) -> tensor<3x4xf32>
  return
}

// -----

func.func @where_third_operand_mismatch(%c: tensor<4xi1>, %a: tensor<4xf32>, %b: tensor<3xf32>) {
  // expected-error @+2 {{'nn.where' op cannot broadcast the broadcast of the operands before and operand #2: dimension 0 of the result would need sizes 4 and 3 to match}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.where %c, %a, %b : (tensor<4xi1>, tensor<4xf32>, tensor<3xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @axis_out_of_range(%a: tensor<4xf32>) {
  // expected-error @+2 {{'nn.softmax' op axis 5 is out of range for rank 1 (expected -1 <= axis < 1)}}
  // expected-error @+1 {{'nn.softmax' op failed to infer returned types}}
  %0 = nn.softmax %a {axis = 5 : i64} : (tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @negative_axis_out_of_range(%a: tensor<2x3xf32>) {
  // expected-error @+2 {{'nn.argmin' op axis -3 is out of range for rank 2 (expected -2 <= axis < 2)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.argmin %a {axis = -3 : i64} : (tensor<2x3xf32>) -> tensor<2x1xi64>
  return
}

// -----

func.func @reduce_axis_out_of_range(%a: tensor<2x3xf32>) {
  // expected-error @+2 {{'nn.reduce' op axes entry 2 is out of range for rank 2 (expected -2 <= axes entry < 2)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.reduce <sum> %a {axes = array<i64: 2>} : (tensor<2x3xf32>) -> tensor<2x1xf32>
  return
}

// -----

func.func @reduce_duplicate_axes(%a: tensor<2x3xf32>) {
  // expected-error @+2 {{'nn.reduce' op axes names dimension 1 twice}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.reduce <max> %a {axes = array<i64: 1, -1>} : (tensor<2x3xf32>) -> tensor<2x1xf32>
  return
}

// -----

// Shape-like operands set a rank: they must have a static length.
func.func @shape_operand_dynamic_length(%a: tensor<2x6xf32>, %s: tensor<?xi64>) {
  // expected-error @+2 {{'nn.reshape' op shape must be a 1-D tensor of static length (it sets a rank), got tensor<?xi64>}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.reshape %a, %s : (tensor<2x6xf32>, tensor<?xi64>) -> tensor<?x?xf32>
  return
}

// -----

func.func @shape_operand_not_1d(%a: tensor<2x6xf32>, %s: tensor<1x2xi64>) {
  // expected-error @+2 {{'nn.expand' op shape must be a 1-D tensor of static length (it sets a rank), got tensor<1x2xi64>}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.expand %a, %s : (tensor<2x6xf32>, tensor<1x2xi64>) -> tensor<2x6xf32>
  return
}

// -----

// Shape-like operands are bounded by kMaxRank (1024), so that a huge static
// length cannot make the compiler allocate without end.
func.func @shape_operand_too_long(%a: tensor<2x6xf32>, %s: tensor<1025xi64>) {
  // expected-error @+2 {{'nn.expand' op result #0 would have rank 1025; at most 1024 dimensions are supported}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.expand %a, %s : (tensor<2x6xf32>, tensor<1025xi64>) -> tensor<2x6xf32>
  return
}

// -----

func.func @shape_operand_far_too_long(%a: tensor<2x6xf32>, %s: tensor<100000000000xi64>) {
  // expected-error @+2 {{'nn.reshape' op shape has 100000000000 entries; at most 1024 dimensions are supported}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.reshape %a, %s : (tensor<2x6xf32>, tensor<100000000000xi64>) -> tensor<?x?xf32>
  return
}

// -----

// Every shape function's result is checked against the same bound: here
// the input itself has rank 1025.
func.func @result_rank_too_large(%a: tensor<1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1xf32>) {
  // expected-error @+2 {{'nn.relu' op result #0 would have rank 1025; at most 1024 dimensions are supported}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.relu %a : (tensor<1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1xf32>) -> tensor<f32>
  return
}

// -----

// ... and no result may have a negative static size, whichever operand
// produced it (here expand's shape; resize has more cases below).
func.func @result_negative_size(%a: tensor<3xf32>) {
  %s = nn.constant dense<[-2, 3]> : tensor<2xi64>
  // expected-error @+2 {{'nn.expand' op result #0 would have size -2 in dimension 0; sizes must be >= 0 (check the op's size, shape or scale operands)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.expand %a, %s : (tensor<3xf32>, tensor<2xi64>) -> tensor<?x3xf32>
  return
}

//===----------------------------------------------------------------------===//
// Elementwise ops (ElementwiseOps.cpp)
//===----------------------------------------------------------------------===//

// -----

func.func @clip_bound_not_scalar(%a: tensor<4xf32>, %lo: tensor<2xf32>) {
  // expected-error @+2 {{'nn.clip' op min must be a scalar (one element), got tensor<2xf32>}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.clip %a min %lo : (tensor<4xf32>, tensor<2xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @clip_bound_element_type(%a: tensor<4xf32>, %hi: tensor<f16>) {
  // expected-error @+2 {{'nn.clip' op max has element type f16 but the input has f32}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.clip %a max %hi : (tensor<4xf32>, tensor<f16>) -> tensor<4xf32>
  return
}

// -----

func.func @cast_changes_rank(%a: tensor<4xf32>) {
  // expected-error @+1 {{'nn.cast' op changes the rank from 1 to 2; a cast only changes the element type}}
  %0 = nn.cast %a : (tensor<4xf32>) -> tensor<4x1xi32>
  return
}

// -----

func.func @cast_contradicts_shape(%a: tensor<4x?xf32>) {
  // expected-error @+1 {{'nn.cast' op result shape 'tensor<5x?xi32>' contradicts the input shape 'tensor<4x?xf32>'}}
  %0 = nn.cast %a : (tensor<4x?xf32>) -> tensor<5x?xi32>
  return
}

//===----------------------------------------------------------------------===//
// Matrix products (ContractionOps.cpp)
//===----------------------------------------------------------------------===//

// -----

func.func @matmul_contraction_mismatch(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) {
  // expected-error @+2 {{'nn.matmul' op contracted dimensions differ: lhs's last vs rhs's second-to-last (3 vs 4)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.matmul %a, %b : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<2x5xf32>
  return
}

// -----

func.func @matmul_scalar_operand(%a: tensor<f32>, %b: tensor<3xf32>) {
  // expected-error @+2 {{'nn.matmul' op operands must have rank >= 1 (got a 0-d tensor); use nn.mul for scalars}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.matmul %a, %b : (tensor<f32>, tensor<3xf32>) -> tensor<3xf32>
  return
}

// -----

func.func @matmul_batch_mismatch(%a: tensor<2x4x3xf32>, %b: tensor<5x3x6xf32>) {
  // expected-error @+2 {{'nn.matmul' op cannot broadcast lhs batch dims and rhs batch dims: dimension 0 of the result would need sizes 2 and 5 to match}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.matmul %a, %b : (tensor<2x4x3xf32>, tensor<5x3x6xf32>) -> tensor<2x4x6xf32>
  return
}

// -----

func.func @gemm_not_2d(%a: tensor<2x3x4xf32>, %b: tensor<4x5xf32>) {
  // expected-error @+2 {{'nn.gemm' op a and b must be 2-D, got ranks 3 and 2; use nn.matmul for batched products}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.gemm %a, %b : (tensor<2x3x4xf32>, tensor<4x5xf32>) -> tensor<2x5xf32>
  return
}

// -----

func.func @gemm_element_types(%a: tensor<2x3xf32>, %b: tensor<3x4xf16>) {
  // expected-error @+2 {{'nn.gemm' op a has element type f32 but b has f16}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.gemm %a, %b : (tensor<2x3xf32>, tensor<3x4xf16>) -> tensor<2x4xf32>
  return
}

// -----

// trans_b: op(b) is 5x3, so K is 3 vs 5.
func.func @gemm_contraction_mismatch(%a: tensor<2x3xf32>, %b: tensor<3x5xf32>) {
  // expected-error @+2 {{'nn.gemm' op contracted dimensions differ: K of op(a) vs K of op(b) (3 vs 5)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.gemm %a, %b {trans_b = true} : (tensor<2x3xf32>, tensor<3x5xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @gemm_c_element_type(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>, %c: tensor<4xf16>) {
  // expected-error @+2 {{'nn.gemm' op c has element type f16 but a and b have f32}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.gemm %a, %b, %c : (tensor<2x3xf32>, tensor<3x4xf32>, tensor<4xf16>) -> tensor<2x4xf32>
  return
}

// -----

func.func @gemm_c_rank(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>, %c: tensor<1x2x4xf32>) {
  // expected-error @+2 {{'nn.gemm' op c must have rank <= 2, got 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.gemm %a, %b, %c : (tensor<2x3xf32>, tensor<3x4xf32>, tensor<1x2x4xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @gemm_c_not_broadcastable(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>, %c: tensor<5xf32>) {
  // expected-error @+2 {{'nn.gemm' op cannot broadcast the M x N product and c: dimension 1 of the result would need sizes 4 and 5 to match}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.gemm %a, %b, %c : (tensor<2x3xf32>, tensor<3x4xf32>, tensor<5xf32>) -> tensor<2x4xf32>
  return
}

// -----

// c broadcasts only one way: a 3x4 c cannot grow a 1x4 product.
func.func @gemm_c_grows_result(%a: tensor<1x3xf32>, %b: tensor<3x4xf32>, %c: tensor<3x4xf32>) {
  // expected-error @+2 {{'nn.gemm' op c must broadcast to the M x N product, not grow it}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.gemm %a, %b, %c : (tensor<1x3xf32>, tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<1x4xf32>
  return
}

//===----------------------------------------------------------------------===//
// Convolution and pooling (ContractionOps.cpp)
//===----------------------------------------------------------------------===//

// -----

func.func @conv_input_rank(%a: tensor<3x8xf32>, %w: tensor<4x3xf32>) {
  // expected-error @+2 {{'nn.conv' op input must be N x C x spatial... (rank >= 3), got rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.conv %a, %w : (tensor<3x8xf32>, tensor<4x3xf32>) -> tensor<3x4xf32>
  return
}

// -----

func.func @conv_weight_rank(%a: tensor<1x3x8x8xf32>, %w: tensor<4x3x3xf32>) {
  // expected-error @+2 {{'nn.conv' op weight must have the input's rank 4 (M x C/group x kernel...), got rank 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.conv %a, %w : (tensor<1x3x8x8xf32>, tensor<4x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_group_zero(%a: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{'nn.conv' op group must be >= 1, got 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.conv %a, %w {group = 0 : i64} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_channel_mismatch(%a: tensor<1x4x8x8xf32>, %w: tensor<6x1x3x3xf32>) {
  // expected-error @+2 {{'nn.conv' op input has 4 channels but weight expects 1 x group 2 = 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.conv %a, %w {group = 2 : i64} : (tensor<1x4x8x8xf32>, tensor<6x1x3x3xf32>) -> tensor<1x6x6x6xf32>
  return
}

// -----

func.func @conv_output_channels_not_grouped(%a: tensor<1x4x8x8xf32>, %w: tensor<5x2x3x3xf32>) {
  // expected-error @+2 {{'nn.conv' op 5 output channels do not split into 2 groups}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.conv %a, %w {group = 2 : i64} : (tensor<1x4x8x8xf32>, tensor<5x2x3x3xf32>) -> tensor<1x5x6x6xf32>
  return
}

// -----

func.func @conv_bias_rank(%a: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %bias: tensor<1x4xf32>) {
  // expected-error @+2 {{'nn.conv' op bias must be 1-D, got rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.conv %a, %w, %bias : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<1x4xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_bias_size(%a: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %bias: tensor<5xf32>) {
  // expected-error @+2 {{'nn.conv' op bias has 5 elements but there are 4 output channels}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.conv %a, %w, %bias : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<5xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_strides_length(%a: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{'nn.conv' op strides has 1 entries but the op has 2 spatial dimensions}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.conv %a, %w {strides = array<i64: 2>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x3x3xf32>
  return
}

// -----

func.func @conv_pads_length(%a: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{'nn.conv' op pads has 2 entries but the op has 2 spatial dimensions (pads needs 2 per dimension: all begins, then all ends)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.conv %a, %w {pads = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32>
  return
}

// -----

func.func @conv_zero_stride(%a: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{'nn.conv' op strides entries must be >= 1, got 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.conv %a, %w {strides = array<i64: 1, 0>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_negative_pad(%a: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{'nn.conv' op pads entries must be >= 0, got -1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.conv %a, %w {pads = array<i64: 0, -1, 0, 0>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_pads_and_auto_pad(%a: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{'nn.conv' op pads and auto_pad are exclusive: drop one of them}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.conv %a, %w {pads = array<i64: 1, 1, 1, 1>, auto_pad = #nn.auto_pad<same_upper>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32>
  return
}

// -----

func.func @conv_window_does_not_fit(%a: tensor<1x3x2x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{'nn.conv' op the window does not fit along spatial dimension 0: input size 2 (plus padding) is smaller than the dilated kernel extent 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.conv %a, %w : (tensor<1x3x2x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x1x6xf32>
  return
}

// -----

// The kernel's size is read off the weight's shape: a 0 there is no window.
func.func @conv_zero_size_kernel(%a: tensor<1x3x8x8xf32>, %w: tensor<4x3x0x3xf32>) {
  // expected-error @+2 {{'nn.conv' op the kernel has size 0 in spatial dimension 0; kernels need at least one element per dimension}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.conv %a, %w : (tensor<1x3x8x8xf32>, tensor<4x3x0x3xf32>) -> tensor<?x?x?x?xf32>
  return
}

// -----

func.func @conv_transpose_weight_rank(%a: tensor<1x3x8x8xf32>, %w: tensor<3x2x3xf32>) {
  // expected-error @+2 {{'nn.conv_transpose' op weight must have the input's rank 4 (C x M/group x kernel...), got rank 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.conv_transpose %a, %w : (tensor<1x3x8x8xf32>, tensor<3x2x3xf32>) -> tensor<1x2x10x10xf32>
  return
}

// -----

func.func @conv_transpose_input_rank(%a: tensor<3x8xf32>, %w: tensor<3x2xf32>) {
  // expected-error @+2 {{'nn.conv_transpose' op input must be N x C x spatial... (rank >= 3), got rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.conv_transpose %a, %w : (tensor<3x8xf32>, tensor<3x2xf32>) -> tensor<3x2xf32>
  return
}

// -----

func.func @conv_transpose_group_zero(%a: tensor<1x3x8x8xf32>, %w: tensor<3x2x3x3xf32>) {
  // expected-error @+2 {{'nn.conv_transpose' op group must be >= 1, got 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.conv_transpose %a, %w {group = 0 : i64} : (tensor<1x3x8x8xf32>, tensor<3x2x3x3xf32>) -> tensor<1x2x10x10xf32>
  return
}

// -----

func.func @conv_transpose_channel_mismatch(%a: tensor<1x3x8x8xf32>, %w: tensor<4x2x3x3xf32>) {
  // expected-error @+2 {{'nn.conv_transpose' op input has 3 channels but weight's first dimension is 4}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.conv_transpose %a, %w : (tensor<1x3x8x8xf32>, tensor<4x2x3x3xf32>) -> tensor<1x2x10x10xf32>
  return
}

// -----

// Output channels are weight dim 1 x group = 2 x 2 = 4.
func.func @conv_transpose_bias_size(%a: tensor<1x4x8x8xf32>, %w: tensor<4x2x3x3xf32>, %bias: tensor<2xf32>) {
  // expected-error @+2 {{'nn.conv_transpose' op bias has 2 elements but there are 4 output channels}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.conv_transpose %a, %w, %bias {group = 2 : i64} : (tensor<1x4x8x8xf32>, tensor<4x2x3x3xf32>, tensor<2xf32>) -> tensor<1x4x10x10xf32>
  return
}

// -----

// The input's channels (= weight dim 0) are split into the groups too.
func.func @conv_transpose_input_channels_not_grouped(%a: tensor<1x3x8x8xf32>, %w: tensor<3x2x3x3xf32>) {
  // expected-error @+2 {{'nn.conv_transpose' op 3 input channels do not split into 2 groups}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.conv_transpose %a, %w {group = 2 : i64} : (tensor<1x3x8x8xf32>, tensor<3x2x3x3xf32>) -> tensor<1x4x10x10xf32>
  return
}

// -----

func.func @conv_transpose_output_padding_length(%a: tensor<1x3x8x8xf32>, %w: tensor<3x2x3x3xf32>) {
  // expected-error @+2 {{'nn.conv_transpose' op output_padding has 3 entries but the op has 2 spatial dimensions}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.conv_transpose %a, %w {output_padding = array<i64: 1, 1, 1>} : (tensor<1x3x8x8xf32>, tensor<3x2x3x3xf32>) -> tensor<1x2x10x10xf32>
  return
}

// -----

func.func @conv_transpose_output_shape_zero(%a: tensor<1x3x8x8xf32>, %w: tensor<3x2x3x3xf32>) {
  // expected-error @+2 {{'nn.conv_transpose' op output_shape entries must be >= 1, got 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.conv_transpose %a, %w {output_shape = array<i64: 0, 10>} : (tensor<1x3x8x8xf32>, tensor<3x2x3x3xf32>) -> tensor<1x2x10x10xf32>
  return
}

// -----

// 1 * (1 - 1) + 3 - (2 + 2) = -1 along both axes.
func.func @conv_transpose_pads_remove_output(%a: tensor<1x3x1x1xf32>, %w: tensor<3x2x3x3xf32>) {
  // expected-error @+2 {{'nn.conv_transpose' op pads remove the whole output along spatial dimension 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.conv_transpose %a, %w {pads = array<i64: 2, 2, 2, 2>} : (tensor<1x3x1x1xf32>, tensor<3x2x3x3xf32>) -> tensor<1x2x1x1xf32>
  return
}

// -----

func.func @conv_transpose_zero_size_kernel(%a: tensor<1x3x8x8xf32>, %w: tensor<3x2x3x0xf32>) {
  // expected-error @+2 {{'nn.conv_transpose' op the kernel has size 0 in spatial dimension 1; kernels need at least one element per dimension}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.conv_transpose %a, %w : (tensor<1x3x8x8xf32>, tensor<3x2x3x0xf32>) -> tensor<?x?x?x?xf32>
  return
}

// -----

func.func @conv_transpose_pads_and_auto_pad(%a: tensor<1x3x8x8xf32>, %w: tensor<3x2x3x3xf32>) {
  // expected-error @+2 {{'nn.conv_transpose' op pads and auto_pad are exclusive: drop one of them}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.conv_transpose %a, %w {pads = array<i64: 1, 1, 1, 1>, auto_pad = #nn.auto_pad<same_upper>} : (tensor<1x3x8x8xf32>, tensor<3x2x3x3xf32>) -> tensor<?x?x?x?xf32>
  return
}

// -----

// With stride 1 and dilation 1 no output padding is possible.
func.func @conv_transpose_output_padding_default_stride(%a: tensor<1x3x8x8xf32>, %w: tensor<3x2x3x3xf32>) {
  // expected-error @+2 {{'nn.conv_transpose' op output_padding 1 in spatial dimension 1 must be smaller than the stride (1) or the dilation (1)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.conv_transpose %a, %w {output_padding = array<i64: 0, 1>} : (tensor<1x3x8x8xf32>, tensor<3x2x3x3xf32>) -> tensor<?x?x?x?xf32>
  return
}

// -----

// Stride 2 allows output padding 0 or 1, not 2.
func.func @conv_transpose_output_padding_equals_stride(%a: tensor<1x3x8x8xf32>, %w: tensor<3x2x3x3xf32>) {
  // expected-error @+2 {{'nn.conv_transpose' op output_padding 2 in spatial dimension 0 must be smaller than the stride (2) or the dilation (1)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.conv_transpose %a, %w {output_padding = array<i64: 2, 0>, strides = array<i64: 2, 1>} : (tensor<1x3x8x8xf32>, tensor<3x2x3x3xf32>) -> tensor<?x?x?x?xf32>
  return
}

// -----

func.func @pool_input_rank(%a: tensor<4x4xf32>) {
  // expected-error @+2 {{'nn.max_pool' op input must be N x C x spatial... (rank >= 3), got rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.max_pool %a {kernel_shape = array<i64: 2>} : (tensor<4x4xf32>) -> tensor<4x3xf32>
  return
}

// -----

func.func @pool_kernel_shape_length(%a: tensor<1x1x4x4xf32>) {
  // expected-error @+2 {{'nn.avg_pool' op kernel_shape has 1 entries but the input has 2 spatial dimensions}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.avg_pool %a {kernel_shape = array<i64: 2>} : (tensor<1x1x4x4xf32>) -> tensor<1x1x3x3xf32>
  return
}

// -----

func.func @pool_kernel_shape_zero(%a: tensor<1x1x4x4xf32>) {
  // expected-error @+2 {{'nn.max_pool' op kernel_shape entries must be >= 1, got 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.max_pool %a {kernel_shape = array<i64: 2, 0>} : (tensor<1x1x4x4xf32>) -> tensor<1x1x3x5xf32>
  return
}

// -----

func.func @pool_channels_last_1d(%a: tensor<1x4x2xf32>) {
  // expected-error @+2 {{'nn.max_pool' op channels_last pooling must be 2-D (rank-4 input)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.max_pool %a {channels_last, kernel_shape = array<i64: 2>} : (tensor<1x4x2xf32>) -> tensor<1x3x2xf32>
  return
}

// -----

func.func @pool_zero_dilation(%a: tensor<1x1x4x4xf32>) {
  // expected-error @+2 {{'nn.max_pool' op dilations entries must be >= 1, got 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.max_pool %a {kernel_shape = array<i64: 2, 2>, dilations = array<i64: 0, 1>} : (tensor<1x1x4x4xf32>) -> tensor<1x1x3x3xf32>
  return
}

// -----

// Dilation 3 makes a 2-wide kernel 4 wide: it does not fit in 3.
func.func @pool_dilated_window_does_not_fit(%a: tensor<1x1x3x8xf32>) {
  // expected-error @+2 {{'nn.max_pool' op the window does not fit along spatial dimension 0: input size 3 (plus padding) is smaller than the dilated kernel extent 4}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.max_pool %a {kernel_shape = array<i64: 2, 2>, dilations = array<i64: 3, 1>} : (tensor<1x1x3x8xf32>) -> tensor<1x1x1x7xf32>
  return
}

// -----

func.func @lp_pool_p_zero(%a: tensor<1x1x4x4xf32>) {
  // expected-error @+2 {{'nn.lp_pool' op p must be >= 1, got 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.lp_pool %a {kernel_shape = array<i64: 2, 2>, p = 0 : i64} : (tensor<1x1x4x4xf32>) -> tensor<1x1x3x3xf32>
  return
}

// -----

func.func @global_pool_input_rank(%a: tensor<2x4xf32>) {
  // expected-error @+2 {{'nn.global_avg_pool' op input must be N x C x spatial... (rank >= 3), got rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.global_avg_pool %a : (tensor<2x4xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @global_pool_result_contradicts(%a: tensor<1x3x8x8xf32>) {
  // expected-error @+2 {{'nn.global_max_pool' op inferred type(s) 'tensor<1x3x1x1xf32>' are incompatible with return type(s) of operation 'tensor<1x3xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.global_max_pool %a : (tensor<1x3x8x8xf32>) -> tensor<1x3xf32>
  return
}

//===----------------------------------------------------------------------===//
// Reductions, softmax and normalizations (ReductionOps.cpp)
//===----------------------------------------------------------------------===//

// -----

func.func @argmax_scalar_input(%a: tensor<f32>) {
  // expected-error @+2 {{'nn.argmax' op input must have rank >= 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.argmax %a : (tensor<f32>) -> tensor<i64>
  return
}

// -----

func.func @softmax_scalar_input(%a: tensor<f32>) {
  // expected-error @+2 {{'nn.log_softmax' op input must have rank >= 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.log_softmax %a : (tensor<f32>) -> tensor<f32>
  return
}

// -----

func.func @layer_norm_scalar_input(%a: tensor<f32>, %s: tensor<f32>) {
  // expected-error @+2 {{'nn.layer_norm' op input must have rank >= 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.layer_norm %a, %s : (tensor<f32>, tensor<f32>) -> tensor<f32>
  return
}

// -----

func.func @layer_norm_axis_out_of_range(%a: tensor<2x8xf32>, %s: tensor<8xf32>) {
  // expected-error @+2 {{'nn.layer_norm' op axis 2 is out of range for rank 2 (expected -2 <= axis < 2)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.layer_norm %a, %s {axis = 2 : i64} : (tensor<2x8xf32>, tensor<8xf32>) -> tensor<2x8xf32>
  return
}

// -----

func.func @layer_norm_scale_element_type(%a: tensor<2x8xf32>, %s: tensor<8xf16>) {
  // expected-error @+2 {{'nn.layer_norm' op scale must have the input's element type}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.layer_norm %a, %s : (tensor<2x8xf32>, tensor<8xf16>) -> tensor<2x8xf32>
  return
}

// -----

// axis 1 of a 2x3x4 input normalizes 3x4: a rank-3 scale is too big.
func.func @layer_norm_scale_rank(%a: tensor<2x3x4xf32>, %s: tensor<2x3x4xf32>) {
  // expected-error @+2 {{'nn.layer_norm' op scale has rank 3 but only 2 dimensions are normalized (axis 1)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.layer_norm %a, %s {axis = 1 : i64} : (tensor<2x3x4xf32>, tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  return
}

// -----

func.func @layer_norm_bias_not_broadcastable(%a: tensor<2x3x4xf32>, %s: tensor<4xf32>, %b: tensor<3x5xf32>) {
  // expected-error @+2 {{'nn.layer_norm' op bias does not broadcast to the normalized shape: size 5 against 4}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.layer_norm %a, %s, %b {axis = 1 : i64} : (tensor<2x3x4xf32>, tensor<4xf32>, tensor<3x5xf32>) -> tensor<2x3x4xf32>
  return
}

// -----

func.func @batch_norm_input_rank(%a: tensor<4xf32>, %p: tensor<4xf32>) {
  // expected-error @+2 {{'nn.batch_norm' op input must be N x C x ... with rank >= 2, got rank 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.batch_norm %a, %p, %p, %p, %p : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @batch_norm_param_element_type(%a: tensor<2x4xf32>, %p: tensor<4xf32>, %m: tensor<4xf16>) {
  // expected-error @+2 {{'nn.batch_norm' op mean has element type f16 but the input has f32}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.batch_norm %a, %p, %p, %m, %p : (tensor<2x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf16>, tensor<4xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @batch_norm_param_rank(%a: tensor<2x4xf32>, %p: tensor<4xf32>, %v: tensor<1x4xf32>) {
  // expected-error @+2 {{'nn.batch_norm' op variance must be 1-D (one value per channel), got rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.batch_norm %a, %p, %p, %p, %v : (tensor<2x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<1x4xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @batch_norm_param_size(%a: tensor<2x4xf32>, %p: tensor<4xf32>, %s: tensor<3xf32>) {
  // expected-error @+2 {{'nn.batch_norm' op scale has 3 elements but the input has 4 channels (dimension 1)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.batch_norm %a, %s, %p, %p, %p : (tensor<2x4xf32>, tensor<3xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @instance_norm_input_rank(%a: tensor<2x4xf32>, %p: tensor<4xf32>) {
  // expected-error @+2 {{'nn.instance_norm' op input must be N x C x ... with rank >= 3, got rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.instance_norm %a, %p, %p : (tensor<2x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @instance_norm_bias_size(%a: tensor<2x4x8xf32>, %p: tensor<4xf32>, %b: tensor<8xf32>) {
  // expected-error @+2 {{'nn.instance_norm' op bias has 8 elements but the input has 4 channels (dimension 1)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.instance_norm %a, %p, %b : (tensor<2x4x8xf32>, tensor<4xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
  return
}

// -----

func.func @group_norm_zero_groups(%a: tensor<2x4x8xf32>, %p: tensor<4xf32>) {
  // expected-error @+2 {{'nn.group_norm' op num_groups must be >= 1, got 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.group_norm %a, %p, %p {num_groups = 0 : i64} : (tensor<2x4x8xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x4x8xf32>
  return
}

// -----

func.func @group_norm_channels_not_divisible(%a: tensor<2x4x8xf32>, %p: tensor<4xf32>) {
  // expected-error @+2 {{'nn.group_norm' op 4 channels do not split into 3 groups}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.group_norm %a, %p, %p {num_groups = 3 : i64} : (tensor<2x4x8xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x4x8xf32>
  return
}

// -----

func.func @group_norm_input_rank(%a: tensor<4xf32>, %p: tensor<4xf32>) {
  // expected-error @+2 {{'nn.group_norm' op input must be N x C x ... with rank >= 2, got rank 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.group_norm %a, %p, %p {num_groups = 1 : i64} : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return
}

//===----------------------------------------------------------------------===//
// Reshape family (DataMovementOps.cpp)
//===----------------------------------------------------------------------===//

// -----

func.func @reshape_entry_below_minus_one(%a: tensor<2x6xf32>) {
  %s = nn.constant dense<[3, -2]> : tensor<2xi64>
  // expected-error @+2 {{'nn.reshape' op shape entry 1 is -2; entries must be >= -1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.reshape %a, %s : (tensor<2x6xf32>, tensor<2xi64>) -> tensor<3x4xf32>
  return
}

// -----

func.func @reshape_two_minus_ones(%a: tensor<2x6xf32>) {
  %s = nn.constant dense<[-1, -1]> : tensor<2xi64>
  // expected-error @+2 {{'nn.reshape' op shape has more than one -1 entry}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.reshape %a, %s : (tensor<2x6xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  return
}

// -----

func.func @reshape_zero_past_input_rank(%a: tensor<12xf32>) {
  %s = nn.constant dense<[12, 0]> : tensor<2xi64>
  // expected-error @+2 {{'nn.reshape' op shape entry 1 is 0 (copy the input's size) but the input has rank 1; set allowzero for a real 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.reshape %a, %s : (tensor<12xf32>, tensor<2xi64>) -> tensor<12x1xf32>
  return
}

// -----

func.func @reshape_allowzero_zero_and_minus_one(%a: tensor<0x4xf32>) {
  %s = nn.constant dense<[0, -1]> : tensor<2xi64>
  // expected-error @+2 {{'nn.reshape' op with allowzero, shape cannot hold both 0 and -1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.reshape %a, %s {allowzero = true} : (tensor<0x4xf32>, tensor<2xi64>) -> tensor<0x?xf32>
  return
}

// -----

func.func @reshape_element_count(%a: tensor<2x6xf32>) {
  %s = nn.constant dense<[5, 2]> : tensor<2xi64>
  // expected-error @+2 {{'nn.reshape' op cannot reshape 12 elements into a shape of 10 elements}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.reshape %a, %s : (tensor<2x6xf32>, tensor<2xi64>) -> tensor<5x2xf32>
  return
}

// -----

func.func @flatten_axis_out_of_range(%a: tensor<2x3xf32>) {
  // expected-error @+2 {{'nn.flatten' op axis 3 is out of range for rank 2 (expected -2 <= axis <= 2)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.flatten %a {axis = 3 : i64} : (tensor<2x3xf32>) -> tensor<6x1xf32>
  return
}

// -----

func.func @squeeze_non_unit_dim(%a: tensor<1x3xf32>) {
  // expected-error @+2 {{'nn.squeeze' op cannot squeeze dimension 1 of size 3; only size-1 dimensions can be removed}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.squeeze %a {axes = array<i64: 1>} : (tensor<1x3xf32>) -> tensor<1xf32>
  return
}

// -----

func.func @squeeze_dynamic_without_axes(%a: tensor<1x?xf32>) {
  // expected-error @+2 {{'nn.squeeze' op without axes, every dimension must be static to know which are 1, but dimension 1 is dynamic; list the axes to squeeze}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.squeeze %a : (tensor<1x?xf32>) -> tensor<?xf32>
  return
}

// -----

func.func @squeeze_axis_out_of_range(%a: tensor<1x3xf32>) {
  // expected-error @+2 {{'nn.squeeze' op axes entry 2 is out of range for rank 2 (expected -2 <= axes entry < 2)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.squeeze %a {axes = array<i64: 2>} : (tensor<1x3xf32>) -> tensor<1x3xf32>
  return
}

// -----

// The axes of unsqueeze index the result (rank 1 + 2 = 3).
func.func @unsqueeze_duplicate_axes(%a: tensor<4xf32>) {
  // expected-error @+2 {{'nn.unsqueeze' op axes names dimension 0 twice}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.unsqueeze %a {axes = array<i64: 0, -3>} : (tensor<4xf32>) -> tensor<1x1x4xf32>
  return
}

// -----

func.func @transpose_perm_length(%a: tensor<2x3xf32>) {
  // expected-error @+2 {{'nn.transpose' op perm has 3 entries but the input has rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.transpose %a {perm = array<i64: 0, 1, 2>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @transpose_perm_out_of_range(%a: tensor<2x3xf32>) {
  // expected-error @+2 {{'nn.transpose' op perm must be a permutation of 0..1, but 2 is out of range}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.transpose %a {perm = array<i64: 2, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  return
}

// -----

func.func @transpose_perm_repeated(%a: tensor<2x3xf32>) {
  // expected-error @+2 {{'nn.transpose' op perm must be a permutation of 0..1, but 1 is repeated}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.transpose %a {perm = array<i64: 1, 1>} : (tensor<2x3xf32>) -> tensor<3x3xf32>
  return
}

//===----------------------------------------------------------------------===//
// Slicing, concatenation, splitting (DataMovementOps.cpp)
//===----------------------------------------------------------------------===//

// -----

func.func @slice_starts_ends_length(%a: tensor<4x4xf32>, %s: tensor<2xi64>, %e: tensor<1xi64>) {
  // expected-error @+2 {{'nn.slice' op starts has 2 entries but ends has 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.slice %a, %s, %e : (tensor<4x4xf32>, tensor<2xi64>, tensor<1xi64>) -> tensor<?x?xf32>
  return
}

// -----

func.func @slice_dynamic_bounds_length(%a: tensor<4x4xf32>, %s: tensor<?xi64>, %e: tensor<1xi64>) {
  // expected-error @+2 {{'nn.slice' op starts must be a 1-D tensor of static length (it sets a rank), got tensor<?xi64>}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.slice %a, %s, %e : (tensor<4x4xf32>, tensor<?xi64>, tensor<1xi64>) -> tensor<?x?xf32>
  return
}

// -----

// Run-time axes and steps are allowed (see ops.mlir), but the index
// operands must share one element type.
func.func @slice_ends_element_type(%a: tensor<4x4xf32>, %s: tensor<1xi64>, %e: tensor<1xi32>) {
  // expected-error @+2 {{'nn.slice' op ends has element type i32 but starts has i64; use one type}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.slice %a, %s, %e : (tensor<4x4xf32>, tensor<1xi64>, tensor<1xi32>) -> tensor<?x?xf32>
  return
}

// -----

func.func @slice_axes_element_type(%a: tensor<4x4xf32>, %s: tensor<1xi64>, %x: tensor<1xi32>) {
  // expected-error @+2 {{'nn.slice' op axes has element type i32 but starts has i64; use one type}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.slice %a, %s, %s axes %x : (tensor<4x4xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi32>) -> tensor<?x?xf32>
  return
}

// -----

func.func @slice_steps_element_type(%a: tensor<4x4xf32>, %s: tensor<1xi32>, %t: tensor<1xi64>) {
  // expected-error @+2 {{'nn.slice' op steps has element type i64 but starts has i32; use one type}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.slice %a, %s, %s steps %t : (tensor<4x4xf32>, tensor<1xi32>, tensor<1xi32>, tensor<1xi64>) -> tensor<?x?xf32>
  return
}

// -----

// Constant axes are still checked.
func.func @slice_axis_out_of_range(%a: tensor<4x6xf32>, %s: tensor<1xi64>) {
  %x = nn.constant dense<[2]> : tensor<1xi64>
  // expected-error @+2 {{'nn.slice' op axes entry 2 is out of range for rank 2 (expected -2 <= axes entry < 2)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.slice %a, %s, %s axes %x : (tensor<4x6xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<?x?xf32>
  return
}

// -----

func.func @slice_steps_length(%a: tensor<4x4xf32>, %s: tensor<1xi64>) {
  %t = nn.constant dense<[1, 1]> : tensor<2xi64>
  // expected-error @+2 {{'nn.slice' op steps has 2 entries but starts has 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.slice %a, %s, %s steps %t : (tensor<4x4xf32>, tensor<1xi64>, tensor<1xi64>, tensor<2xi64>) -> tensor<?x4xf32>
  return
}

// -----

func.func @slice_zero_step(%a: tensor<4x4xf32>, %s: tensor<1xi64>) {
  %t = nn.constant dense<[0]> : tensor<1xi64>
  // expected-error @+2 {{'nn.slice' op steps entry 0 is 0; steps must be non-zero}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.slice %a, %s, %s steps %t : (tensor<4x4xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<?x4xf32>
  return
}

// -----

func.func @slice_zero_step_second_entry(%a: tensor<4x6xf32>, %s: tensor<2xi64>) {
  %t = nn.constant dense<[1, 0]> : tensor<2xi64>
  // expected-error @+2 {{'nn.slice' op steps entry 1 is 0; steps must be non-zero}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.slice %a, %s, %s steps %t : (tensor<4x6xf32>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>) -> tensor<?x?xf32>
  return
}

// -----

func.func @slice_duplicate_axes(%a: tensor<4x4xf32>, %s: tensor<2xi64>) {
  %x = nn.constant dense<[1, -1]> : tensor<2xi64>
  // expected-error @+2 {{'nn.slice' op axes names dimension 1 twice}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.slice %a, %s, %s axes %x : (tensor<4x4xf32>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>) -> tensor<4x?xf32>
  return
}

// -----

func.func @concat_no_inputs() {
  // expected-error @+2 {{'nn.concat' op needs at least one input}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = "nn.concat"() <{axis = 0 : i64}> : () -> tensor<1xf32>
  return
}

// -----

func.func @concat_scalars(%a: tensor<f32>) {
  // expected-error @+2 {{'nn.concat' op cannot concatenate 0-d tensors; unsqueeze them first}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.concat %a, %a {axis = 0 : i64} : (tensor<f32>, tensor<f32>) -> tensor<2xf32>
  return
}

// -----

func.func @concat_axis_out_of_range(%a: tensor<2x3xf32>) {
  // expected-error @+2 {{'nn.concat' op axis 2 is out of range for rank 2 (expected -2 <= axis < 2)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.concat %a, %a {axis = 2 : i64} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x6xf32>
  return
}

// -----

func.func @concat_rank_mismatch(%a: tensor<2x3xf32>, %b: tensor<3xf32>) {
  // expected-error @+2 {{'nn.concat' op input #1 is tensor<3xf32> but input #0 is tensor<2x3xf32>; all inputs need one rank and element type}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.concat %a, %b {axis = 0 : i64} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<3x3xf32>
  return
}

// -----

func.func @concat_element_type_mismatch(%a: tensor<2x3xf32>, %b: tensor<2x3xi32>) {
  // expected-error @+2 {{'nn.concat' op input #1 is tensor<2x3xi32> but input #0 is tensor<2x3xf32>; all inputs need one rank and element type}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.concat %a, %b {axis = 0 : i64} : (tensor<2x3xf32>, tensor<2x3xi32>) -> tensor<4x3xf32>
  return
}

// -----

func.func @concat_size_mismatch(%a: tensor<2x3xf32>, %b: tensor<2x4xf32>) {
  // expected-error @+2 {{'nn.concat' op input #1 has size 4 in dimension 1 but input #0 has 3; only the concatenated axis may differ}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.concat %a, %b {axis = 0 : i64} : (tensor<2x3xf32>, tensor<2x4xf32>) -> tensor<4x3xf32>
  return
}

// -----

func.func @split_scalar(%a: tensor<f32>) {
  // expected-error @+2 {{'nn.split' op cannot split a 0-d tensor}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.split %a {num_outputs = 1 : i64} : (tensor<f32>) -> tensor<f32>
  return
}

// -----

func.func @split_axis_out_of_range(%a: tensor<4xf32>) {
  // expected-error @+2 {{'nn.split' op axis 1 is out of range for rank 1 (expected -1 <= axis < 1)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0:2 = nn.split %a {axis = 1 : i64, num_outputs = 2 : i64} : (tensor<4xf32>) -> (tensor<2xf32>, tensor<2xf32>)
  return
}

// -----

func.func @split_zero_outputs(%a: tensor<4xf32>) {
  // expected-error @+2 {{'nn.split' op num_outputs must be in [1, 65536], got 0}}
  // expected-error @+1 {{failed to infer returned types}}
  "nn.split"(%a) <{num_outputs = 0 : i64}> : (tensor<4xf32>) -> ()
  return
}

// -----

// num_outputs is bounded so that malformed IR cannot exhaust memory.
func.func @split_too_many_outputs(%a: tensor<4xf32>) {
  // expected-error @+2 {{'nn.split' op num_outputs must be in [1, 65536], got 65537}}
  // expected-error @+1 {{failed to infer returned types}}
  "nn.split"(%a) <{num_outputs = 65537 : i64}> : (tensor<4xf32>) -> ()
  return
}

// -----

func.func @split_sizes_length(%a: tensor<4xf32>) {
  // expected-error @+2 {{'nn.split' op sizes has 3 entries but num_outputs is 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0:2 = nn.split %a {num_outputs = 2 : i64, sizes = array<i64: 1, 1, 2>} : (tensor<4xf32>) -> (tensor<1xf32>, tensor<3xf32>)
  return
}

// -----

func.func @split_negative_size(%a: tensor<4xf32>) {
  // expected-error @+2 {{'nn.split' op sizes entries must be >= 0, got -1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0:2 = nn.split %a {num_outputs = 2 : i64, sizes = array<i64: 5, -1>} : (tensor<4xf32>) -> (tensor<5xf32>, tensor<?xf32>)
  return
}

// -----

func.func @split_sizes_total(%a: tensor<4xf32>) {
  // expected-error @+2 {{'nn.split' op sizes add up to 5 but dimension 0 has size 4}}
  // expected-error @+1 {{failed to infer returned types}}
  %0:2 = nn.split %a {num_outputs = 2 : i64, sizes = array<i64: 2, 3>} : (tensor<4xf32>) -> (tensor<2xf32>, tensor<3xf32>)
  return
}

// -----

// Pieces of ceil(2 / 4) = 1 leave -1 for the last one.
func.func @split_too_many_pieces(%a: tensor<2xf32>) {
  // expected-error @+2 {{'nn.split' op dimension 0 of size 2 cannot be split into 4 pieces}}
  // expected-error @+1 {{failed to infer returned types}}
  %0:4 = nn.split %a {num_outputs = 4 : i64} : (tensor<2xf32>) -> (tensor<1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<0xf32>)
  return
}

//===----------------------------------------------------------------------===//
// Gather and scatter (DataMovementOps.cpp)
//===----------------------------------------------------------------------===//

// -----

func.func @gather_scalar_data(%a: tensor<f32>, %i: tensor<2xi64>) {
  // expected-error @+2 {{'nn.gather' op data must have rank >= 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.gather %a, %i : (tensor<f32>, tensor<2xi64>) -> tensor<2xf32>
  return
}

// -----

func.func @gather_axis_out_of_range(%a: tensor<4x5xf32>, %i: tensor<2xi64>) {
  // expected-error @+2 {{'nn.gather' op axis 2 is out of range for rank 2 (expected -2 <= axis < 2)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.gather %a, %i {axis = 2 : i64} : (tensor<4x5xf32>, tensor<2xi64>) -> tensor<4x2xf32>
  return
}

// -----

func.func @gather_constant_index_out_of_range(%a: tensor<4x5xf32>) {
  %i = nn.constant dense<[[0, 1], [3, -5]]> : tensor<2x2xi64>
  // expected-error @+2 {{'nn.gather' op indices[1, 1] is -5, out of range for dimension 0 of data (size 4): indices must be in [-4, 3]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.gather %a, %i : (tensor<4x5xf32>, tensor<2x2xi64>) -> tensor<2x2x5xf32>
  return
}

// -----

func.func @gather_nd_constant_index_out_of_range(%a: tensor<4x5xf32>) {
  %i = nn.constant dense<[[3, 5]]> : tensor<1x2xi64>
  // expected-error @+2 {{'nn.gather_nd' op indices[0, 1] is 5, out of range for dimension 1 of data (size 5): indices must be in [-5, 4]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.gather_nd %a, %i : (tensor<4x5xf32>, tensor<1x2xi64>) -> tensor<1xf32>
  return
}

// -----

func.func @scatter_elements_constant_index_out_of_range(%a: tensor<4x5xf32>, %u: tensor<1x2xf32>) {
  %i = nn.constant dense<[[0, 7]]> : tensor<1x2xi64>
  // expected-error @+2 {{'nn.scatter_elements' op indices[0, 1] is 7, out of range for dimension 1 of data (size 5): indices must be in [-5, 4]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.scatter_elements %a, %i, %u {axis = 1 : i64} : (tensor<4x5xf32>, tensor<1x2xi64>, tensor<1x2xf32>) -> tensor<4x5xf32>
  return
}

// -----

func.func @gather_index_type(%a: tensor<4xf32>, %i: tensor<2xi16>) {
  // expected-error @+1 {{'nn.gather' op operand #1 must be ranked tensor of 64-bit signless integer or 32-bit signless integer values, but got 'tensor<2xi16>'}}
  %0 = nn.gather %a, %i : (tensor<4xf32>, tensor<2xi16>) -> tensor<2xf32>
  return
}

// -----

func.func @gather_elements_rank_mismatch(%a: tensor<4x5xf32>, %i: tensor<2xi64>) {
  // expected-error @+2 {{'nn.gather_elements' op data and indices must have one rank >= 1, got 2 and 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.gather_elements %a, %i : (tensor<4x5xf32>, tensor<2xi64>) -> tensor<2xf32>
  return
}

// -----

func.func @gather_nd_scalar_indices(%a: tensor<4x5xf32>, %i: tensor<i64>) {
  // expected-error @+2 {{'nn.gather_nd' op data and indices must have rank >= 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.gather_nd %a, %i : (tensor<4x5xf32>, tensor<i64>) -> tensor<5xf32>
  return
}

// -----

func.func @gather_nd_batch_dims(%a: tensor<4x5xf32>, %i: tensor<4x1xi64>) {
  // expected-error @+2 {{'nn.gather_nd' op batch_dims 2 must be in [0, min(data rank, indices rank) = 2)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.gather_nd %a, %i {batch_dims = 2 : i64} : (tensor<4x5xf32>, tensor<4x1xi64>) -> tensor<4xf32>
  return
}

// -----

func.func @gather_nd_dynamic_depth(%a: tensor<4x5xf32>, %i: tensor<3x?xi64>) {
  // expected-error @+2 {{'nn.gather_nd' op the last dimension of indices (the index depth) must be static}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.gather_nd %a, %i : (tensor<4x5xf32>, tensor<3x?xi64>) -> tensor<3x?xf32>
  return
}

// -----

func.func @gather_nd_depth_too_large(%a: tensor<4x5xf32>, %i: tensor<3x3xi64>) {
  // expected-error @+2 {{'nn.gather_nd' op index depth 3 must be in [1, data rank - batch_dims = 2]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.gather_nd %a, %i : (tensor<4x5xf32>, tensor<3x3xi64>) -> tensor<3xf32>
  return
}

// -----

// The first batch_dims dimensions of data and indices are the same batch.
func.func @gather_nd_batch_size_mismatch(%a: tensor<2x4x5xf32>, %i: tensor<3x1xi64>) {
  // expected-error @+2 {{'nn.gather_nd' op batch dimension 0 differs: data has 2, indices has 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.gather_nd %a, %i {batch_dims = 1 : i64} : (tensor<2x4x5xf32>, tensor<3x1xi64>) -> tensor<3x5xf32>
  return
}

// -----

func.func @scatter_elements_rank_mismatch(%a: tensor<4x5xf32>, %i: tensor<2xi64>, %u: tensor<2xf32>) {
  // expected-error @+2 {{'nn.scatter_elements' op data and indices must have one rank >= 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.scatter_elements %a, %i, %u : (tensor<4x5xf32>, tensor<2xi64>, tensor<2xf32>) -> tensor<4x5xf32>
  return
}

// -----

func.func @scatter_elements_updates_shape(%a: tensor<4x5xf32>, %i: tensor<2x5xi64>, %u: tensor<2x4xf32>) {
  // expected-error @+2 {{'nn.scatter_elements' op updates must have the shape of indices (tensor<2x5xi64>) and the element type of data (f32), got tensor<2x4xf32>}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.scatter_elements %a, %i, %u : (tensor<4x5xf32>, tensor<2x5xi64>, tensor<2x4xf32>) -> tensor<4x5xf32>
  return
}

// -----

func.func @scatter_elements_axis_out_of_range(%a: tensor<4x5xf32>, %i: tensor<2x5xi64>, %u: tensor<2x5xf32>) {
  // expected-error @+2 {{'nn.scatter_elements' op axis -3 is out of range for rank 2 (expected -2 <= axis < 2)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.scatter_elements %a, %i, %u {axis = -3 : i64} : (tensor<4x5xf32>, tensor<2x5xi64>, tensor<2x5xf32>) -> tensor<4x5xf32>
  return
}

// -----

func.func @scatter_nd_scalar_data(%a: tensor<f32>, %i: tensor<1x1xi64>, %u: tensor<1xf32>) {
  // expected-error @+2 {{'nn.scatter_nd' op data and indices must have rank >= 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.scatter_nd %a, %i, %u : (tensor<f32>, tensor<1x1xi64>, tensor<1xf32>) -> tensor<f32>
  return
}

// -----

func.func @scatter_nd_updates_element_type(%a: tensor<4x5xf32>, %i: tensor<2x1xi64>, %u: tensor<2x5xf16>) {
  // expected-error @+2 {{'nn.scatter_nd' op updates has element type f16 but data has f32}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.scatter_nd %a, %i, %u : (tensor<4x5xf32>, tensor<2x1xi64>, tensor<2x5xf16>) -> tensor<4x5xf32>
  return
}

// -----

func.func @scatter_nd_dynamic_depth(%a: tensor<4x5xf32>, %i: tensor<2x?xi64>, %u: tensor<2x5xf32>) {
  // expected-error @+2 {{'nn.scatter_nd' op the last dimension of indices (the index depth) must be static}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.scatter_nd %a, %i, %u : (tensor<4x5xf32>, tensor<2x?xi64>, tensor<2x5xf32>) -> tensor<4x5xf32>
  return
}

// -----

func.func @scatter_nd_depth_too_large(%a: tensor<4x5xf32>, %i: tensor<2x3xi64>, %u: tensor<2xf32>) {
  // expected-error @+2 {{'nn.scatter_nd' op index depth 3 must be in [1, data rank 2]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.scatter_nd %a, %i, %u : (tensor<4x5xf32>, tensor<2x3xi64>, tensor<2xf32>) -> tensor<4x5xf32>
  return
}

// -----

func.func @scatter_nd_updates_rank(%a: tensor<4x5xf32>, %i: tensor<2x1xi64>, %u: tensor<2xf32>) {
  // expected-error @+2 {{'nn.scatter_nd' op updates must have rank 2 (indices rank - 1 + data rank - index depth), got 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.scatter_nd %a, %i, %u : (tensor<4x5xf32>, tensor<2x1xi64>, tensor<2xf32>) -> tensor<4x5xf32>
  return
}

// -----

// updates.shape = indices.shape[:-1] + data.shape[depth:] = [2] + [5].
func.func @scatter_nd_updates_index_dims(%a: tensor<4x5xf32>, %i: tensor<2x1xi64>, %u: tensor<3x5xf32>) {
  // expected-error @+2 {{'nn.scatter_nd' op updates has size 3 in dimension 0 but indices and data call for 2 (updates shape = indices.shape[:-1] + data.shape[depth:])}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.scatter_nd %a, %i, %u : (tensor<4x5xf32>, tensor<2x1xi64>, tensor<3x5xf32>) -> tensor<4x5xf32>
  return
}

// -----

func.func @scatter_nd_updates_data_dims(%a: tensor<4x5xf32>, %i: tensor<2x1xi64>, %u: tensor<2x6xf32>) {
  // expected-error @+2 {{'nn.scatter_nd' op updates has size 6 in dimension 1 but indices and data call for 5 (updates shape = indices.shape[:-1] + data.shape[depth:])}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.scatter_nd %a, %i, %u : (tensor<4x5xf32>, tensor<2x1xi64>, tensor<2x6xf32>) -> tensor<4x5xf32>
  return
}

//===----------------------------------------------------------------------===//
// Pad, expand, tile, resize (DataMovementOps.cpp)
//===----------------------------------------------------------------------===//

// -----

func.func @pad_length(%a: tensor<4x4xf32>, %p: tensor<2xi64>) {
  // expected-error @+2 {{'nn.pad' op pads has 2 entries but needs 2 x rank = 4 (all begins, then all ends)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.pad %a, %p : (tensor<4x4xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  return
}

// -----

func.func @pad_constant_value(%a: tensor<4x4xf32>, %p: tensor<4xi64>, %v: tensor<f16>) {
  // expected-error @+2 {{'nn.pad' op constant_value must be one element of the input's element type, got tensor<f16>}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.pad %a, %p, %v : (tensor<4x4xf32>, tensor<4xi64>, tensor<f16>) -> tensor<?x?xf32>
  return
}

// -----

func.func @pad_crops_below_zero(%a: tensor<4x4xf32>) {
  %p = nn.constant dense<[0, -3, 0, -2]> : tensor<4xi64>
  // expected-error @+2 {{'nn.pad' op negative pads crop dimension 1 below zero}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.pad %a, %p : (tensor<4x4xf32>, tensor<4xi64>) -> tensor<4x?xf32>
  return
}

// -----

func.func @expand_not_broadcastable(%a: tensor<3xf32>) {
  %s = nn.constant dense<[2, 4]> : tensor<2xi64>
  // expected-error @+2 {{'nn.expand' op cannot broadcast the input and shape: dimension 1 of the result would need sizes 3 and 4 to match}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.expand %a, %s : (tensor<3xf32>, tensor<2xi64>) -> tensor<2x4xf32>
  return
}

// -----

func.func @tile_length(%a: tensor<4x4xf32>, %r: tensor<1xi64>) {
  // expected-error @+2 {{'nn.tile' op repeats has 1 entries but the input has rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.tile %a, %r : (tensor<4x4xf32>, tensor<1xi64>) -> tensor<?x?xf32>
  return
}

// -----

func.func @tile_negative_repeat(%a: tensor<4x4xf32>) {
  %r = nn.constant dense<[2, -1]> : tensor<2xi64>
  // expected-error @+2 {{'nn.tile' op repeats entries must be >= 0, got -1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.tile %a, %r : (tensor<4x4xf32>, tensor<2xi64>) -> tensor<8x?xf32>
  return
}

// -----

func.func @resize_neither_scales_nor_sizes(%a: tensor<4x4xf32>) {
  // expected-error @+2 {{'nn.resize' op give scales, sizes or both}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.resize %a : (tensor<4x4xf32>) -> tensor<4x4xf32>
  return
}

// -----

func.func @resize_both_scales_length(%a: tensor<4x4xf32>, %sc: tensor<3xf32>, %sz: tensor<2xi64>) {
  // expected-error @+2 {{'nn.resize' op scales must be 1-D with one entry per input dimension (2), got tensor<3xf32>}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.resize %a scales %sc sizes %sz : (tensor<4x4xf32>, tensor<3xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  return
}

// -----

func.func @resize_sizes_length(%a: tensor<4x4xf32>, %sz: tensor<3xi64>) {
  // expected-error @+2 {{'nn.resize' op sizes has 3 entries but the input has rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.resize %a sizes %sz : (tensor<4x4xf32>, tensor<3xi64>) -> tensor<?x?xf32>
  return
}

// -----

func.func @resize_scales_length(%a: tensor<4x4xf32>, %sc: tensor<3xf32>) {
  // expected-error @+2 {{'nn.resize' op scales must be 1-D with one entry per input dimension (2), got tensor<3xf32>}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.resize %a scales %sc : (tensor<4x4xf32>, tensor<3xf32>) -> tensor<?x?xf32>
  return
}

// -----

func.func @resize_roi_without_crop(%a: tensor<4x4xf32>, %roi: tensor<4xf32>, %sc: tensor<2xf32>) {
  // expected-error @+2 {{'nn.resize' op roi is only used by tf_crop_and_resize; drop it}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.resize %a roi %roi scales %sc : (tensor<4x4xf32>, tensor<4xf32>, tensor<2xf32>) -> tensor<?x?xf32>
  return
}

// -----

func.func @resize_negative_size(%a: tensor<1x1x10x10xf32>) {
  %sz = nn.constant dense<[1, 1, -3, 4]> : tensor<4xi64>
  // expected-error @+2 {{'nn.resize' op result #0 would have size -3 in dimension 2; sizes must be >= 0 (check the op's size, shape or scale operands)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.resize %a sizes %sz : (tensor<1x1x10x10xf32>, tensor<4xi64>) -> tensor<?x?x?x?xf32>
  return
}

// -----

// Negative scales are rejected.
func.func @resize_negative_scale(%a: tensor<1x1x10x10xf32>) {
  %sc = nn.constant dense<[1.0, 1.0, -0.5, 1.0]> : tensor<4xf32>
  // expected-error @+2 {{'nn.resize' op scales entry 2 is -0.50; scales must be finite and >= 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.resize %a scales %sc : (tensor<1x1x10x10xf32>, tensor<4xf32>) -> tensor<?x?x?x?xf32>
  return
}

// -----

// Even a tiny negative scale is rejected (floor would give -1).
func.func @resize_small_negative_scale(%a: tensor<1x1x10x10xf32>) {
  %sc = nn.constant dense<[1.0, 1.0, 1.0, -0.01]> : tensor<4xf32>
  // expected-error @+2 {{'nn.resize' op scales entry 3 is -0.01; scales must be finite and >= 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.resize %a scales %sc : (tensor<1x1x10x10xf32>, tensor<4xf32>) -> tensor<?x?x?x?xf32>
  return
}

//===----------------------------------------------------------------------===//
// Constants and ranges (DataMovementOps.cpp)
//===----------------------------------------------------------------------===//

// -----

func.func @constant_not_a_tensor() {
  // expected-error @+1 {{'nn.constant' op value must have a ranked tensor type, got 'vector<4xf32>'}}
  %0 = "nn.constant"() <{value = dense<1.0> : vector<4xf32>}> : () -> tensor<4xf32>
  return
}

// -----

func.func @constant_vector_custom_syntax() {
  // expected-error @+1 {{'nn.constant' op result #0 must be ranked tensor of any type values, but got 'vector<4xf32>'}}
  %0 = nn.constant dense<1.0> : vector<4xf32>
  return
}

// -----

func.func @constant_missing_value() {
  // expected-error @+1 {{'nn.constant' op requires attribute 'value'}}
  %0 = "nn.constant"() : () -> tensor<4xf32>
  return
}

// -----

func.func @constant_of_shape_negative(%a: tensor<4xf32>) {
  %s = nn.constant dense<[2, -1]> : tensor<2xi64>
  // expected-error @+2 {{'nn.constant_of_shape' op shape entry 1 is negative (-1)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.constant_of_shape %s, dense<0.0> : tensor<1xf32> : (tensor<2xi64>) -> tensor<2x?xf32>
  return
}

// -----

func.func @constant_of_shape_value_size(%s: tensor<2xi64>) {
  // expected-error @+2 {{'nn.constant_of_shape' op value must hold one element, got 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.constant_of_shape %s, dense<[0.0, 1.0]> : tensor<2xf32> : (tensor<2xi64>) -> tensor<?x?xf32>
  return
}

// -----

func.func @random_dtype(%s: tensor<2xi64>) {
  // expected-error @+2 {{'nn.random' op dtype must be a float type, got i32}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.random %s {distribution = #nn.random_distribution<uniform>, a = 0.0 : f64, b = 1.0 : f64, dtype = i32} : (tensor<2xi64>) -> tensor<?x?xf32>
  return
}

// -----

func.func @random_uniform_bounds(%s: tensor<2xi64>) {
  // expected-error @+1 {{'nn.random' op a uniform distribution needs a <= b (low <= high), got 2.000000e+00 and 1.000000e+00}}
  %0 = nn.random %s {distribution = #nn.random_distribution<uniform>, a = 2.0 : f64, b = 1.0 : f64, dtype = f32} : (tensor<2xi64>) -> tensor<?x?xf32>
  return
}

// -----

func.func @random_normal_scale(%s: tensor<2xi64>) {
  // expected-error @+1 {{'nn.random' op a normal distribution needs b (the standard deviation) >= 0, got -1.000000e+00}}
  %0 = nn.random %s {distribution = #nn.random_distribution<normal>, a = 0.0 : f64, b = -1.0 : f64, dtype = f32} : (tensor<2xi64>) -> tensor<?x?xf32>
  return
}

// -----

func.func @range_bound_not_scalar(%s: tensor<i64>, %l: tensor<2xi64>) {
  // expected-error @+2 {{'nn.range' op limit must be a scalar (one element), got tensor<2xi64>}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.range %s, %l, %s : (tensor<i64>, tensor<2xi64>, tensor<i64>) -> tensor<?xi64>
  return
}

// -----

func.func @range_integer_zero_delta(%s: tensor<i64>, %l: tensor<i64>) {
  %d = nn.constant dense<0> : tensor<i64>
  // expected-error @+2 {{'nn.range' op delta must not be 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.range %s, %l, %d : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  return
}

// -----

func.func @range_float_zero_delta() {
  %s = nn.constant dense<0.0> : tensor<f32>
  %l = nn.constant dense<4.0> : tensor<f32>
  %d = nn.constant dense<0.0> : tensor<f32>
  // expected-error @+2 {{'nn.range' op delta must not be 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.range %s, %l, %d : (tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<?xf32>
  return
}

// -----

// The length ceil((limit - start) / delta) must fit: huge, NaN or infinite
// bounds are rejected.
func.func @range_float_huge_length() {
  %s = nn.constant dense<0.0> : tensor<f32>
  %l = nn.constant dense<1.0e30> : tensor<f32>
  %d = nn.constant dense<1.0> : tensor<f32>
  // expected-error @+2 {{'nn.range' op the range from 0.000000e+00 to 1.000000e+30 by 1.000000e+00 does not have a representable length}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.range %s, %l, %d : (tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<?xf32>
  return
}

// -----

func.func @range_float_nan_bound() {
  %s = nn.constant dense<0x7FC00000> : tensor<f32>
  %l = nn.constant dense<1.0> : tensor<f32>
  %d = nn.constant dense<1.0> : tensor<f32>
  // expected-error @+2 {{'nn.range' op the range from nan to 1.000000e+00 by 1.000000e+00 does not have a representable length}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.range %s, %l, %d : (tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<?xf32>
  return
}

// -----

func.func @range_float_infinite_bound() {
  %s = nn.constant dense<0.0> : tensor<f64>
  %l = nn.constant dense<0x7FF0000000000000> : tensor<f64>
  %d = nn.constant dense<1.0> : tensor<f64>
  // expected-error @+2 {{'nn.range' op the range from 0.000000e+00 to INF by 1.000000e+00 does not have a representable length}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.range %s, %l, %d : (tensor<f64>, tensor<f64>, tensor<f64>) -> tensor<?xf64>
  return
}

// -----

// A tiny delta makes the length too large too (1 / 1e-30 steps).
func.func @range_float_tiny_delta() {
  %s = nn.constant dense<0.0> : tensor<f32>
  %l = nn.constant dense<1.0> : tensor<f32>
  %d = nn.constant dense<1.0e-30> : tensor<f32>
  // expected-error @+2 {{'nn.range' op the range from 0.000000e+00 to 1.000000e+00 by 1.000000e-30 does not have a representable length}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.range %s, %l, %d : (tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<?xf32>
  return
}

// -----

func.func @range_element_types(%s: tensor<i64>, %l: tensor<i32>) {
  // expected-error @+1 {{'nn.range' op failed to verify that all of {start, limit, delta, output} have same element type}}
  %0 = nn.range %s, %l, %s : (tensor<i64>, tensor<i32>, tensor<i64>) -> tensor<?xi64>
  return
}

//===----------------------------------------------------------------------===//
// nn.if (ControlFlowOps.cpp)
//===----------------------------------------------------------------------===//

// -----

func.func @if_condition_elements(%c: tensor<2xi1>, %a: tensor<4xf32>) {
  // expected-error @+1 {{'nn.if' op the condition must hold one element, got 'tensor<2xi1>'}}
  %0 = nn.if %c : tensor<2xi1> -> tensor<4xf32> {
    nn.yield %a : tensor<4xf32>
  } else {
    nn.yield %a : tensor<4xf32>
  }
  return
}

// -----

func.func @if_condition_not_bool(%c: tensor<i32>, %a: tensor<4xf32>) {
  // expected-error @+1 {{'nn.if' op operand #0 must be ranked tensor of 1-bit signless integer values, but got 'tensor<i32>'}}
  %0 = nn.if %c : tensor<i32> -> tensor<4xf32> {
    nn.yield %a : tensor<4xf32>
  } else {
    nn.yield %a : tensor<4xf32>
  }
  return
}

// -----

func.func @if_then_yield_count(%c: tensor<i1>, %a: tensor<4xf32>) {
  // expected-error @+1 {{'nn.if' op the then region yields 2 values but needs 1}}
  %0 = nn.if %c : tensor<i1> -> tensor<4xf32> {
    nn.yield %a, %a : tensor<4xf32>, tensor<4xf32>
  } else {
    nn.yield %a : tensor<4xf32>
  }
  return
}

// -----

func.func @if_else_yield_type(%c: tensor<i1>, %a: tensor<4xf32>, %b: tensor<5xf32>) {
  // expected-error @+1 {{'nn.if' op the else region yields 'tensor<5xf32>' as value #0, incompatible with 'tensor<4xf32>'}}
  %0 = nn.if %c : tensor<i1> -> tensor<4xf32> {
    nn.yield %a : tensor<4xf32>
  } else {
    nn.yield %b : tensor<5xf32>
  }
  return
}

// -----

func.func @if_yield_element_type(%c: tensor<i1>, %a: tensor<?xf32>, %b: tensor<4xi32>) {
  // expected-error @+1 {{'nn.if' op the then region yields 'tensor<4xi32>' as value #0, incompatible with 'tensor<?xf32>'}}
  %0 = nn.if %c : tensor<i1> -> tensor<?xf32> {
    nn.yield %b : tensor<4xi32>
  } else {
    nn.yield %a : tensor<?xf32>
  }
  return
}

// -----

func.func @if_without_yield(%c: tensor<i1>, %a: tensor<4xf32>) {
  // expected-error @+1 {{'nn.if' op the else region must end in nn.yield}}
  %0 = nn.if %c : tensor<i1> -> tensor<4xf32> {
    nn.yield %a : tensor<4xf32>
  } else {
    func.return
  }
  return
}

// -----

func.func @if_region_arguments(%c: tensor<i1>) {
  // expected-error @+1 {{'nn.if' op region #0 should have no arguments}}
  "nn.if"(%c) ({
  ^bb0(%x: tensor<i1>):
    "nn.yield"() : () -> ()
  }, {
    "nn.yield"() : () -> ()
  }) : (tensor<i1>) -> ()
  return
}

// -----

func.func @if_two_blocks(%c: tensor<i1>) {
  // expected-error @+1 {{'nn.if' op region #0 ('then_region') failed to verify constraint: region with 1 blocks}}
  "nn.if"(%c) ({
    "nn.yield"() : () -> ()
  ^bb1:
    "nn.yield"() : () -> ()
  }, {
    "nn.yield"() : () -> ()
  }) : (tensor<i1>) -> ()
  return
}

// -----

// An empty block has no terminator at all (this used to crash the verifier).
func.func @if_empty_then_block(%c: tensor<i1>) {
  // expected-error @+1 {{'nn.if' op the then region must end in nn.yield}}
  "nn.if"(%c) ({
  ^bb0:
  }, {
    "nn.yield"() : () -> ()
  }) : (tensor<i1>) -> ()
  return
}

// -----

func.func @if_empty_else_block(%c: tensor<i1>, %a: tensor<4xf32>) {
  // expected-error @+1 {{'nn.if' op the else region must end in nn.yield}}
  %0 = "nn.if"(%c) ({
    "nn.yield"(%a) : (tensor<4xf32>) -> ()
  }, {
  ^bb0:
  }) : (tensor<i1>) -> tensor<4xf32>
  return
}

// -----

// Regions without a block are caught by the region constraint.
func.func @if_empty_regions(%c: tensor<i1>) {
  // expected-error @+1 {{'nn.if' op region #0 ('then_region') failed to verify constraint: region with 1 blocks}}
  nn.if %c : tensor<i1> {
  } else {
  }
  return
}

//===----------------------------------------------------------------------===//
// nn.loop (ControlFlowOps.cpp)
//===----------------------------------------------------------------------===//

// -----

func.func @loop_trip_count_elements(%t: tensor<2xi64>, %a: tensor<4xf32>) {
  // expected-error @+1 {{'nn.loop' op the trip count must hold one element, got 'tensor<2xi64>'}}
  %0 = nn.loop trip_count %t : tensor<2xi64> iter_args(%a : tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%i: tensor<i64>, %c: tensor<i1>, %x: tensor<4xf32>):
    nn.yield %c, %x : tensor<i1>, tensor<4xf32>
  }
  return
}

// -----

func.func @loop_trip_count_type(%t: tensor<i32>, %a: tensor<4xf32>) {
  // expected-error @+1 {{'nn.loop' op operand #0 must be ranked tensor of 64-bit signless integer values, but got 'tensor<i32>'}}
  %0 = nn.loop trip_count %t : tensor<i32> iter_args(%a : tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%i: tensor<i64>, %c: tensor<i1>, %x: tensor<4xf32>):
    nn.yield %c, %x : tensor<i1>, tensor<4xf32>
  }
  return
}

// -----

func.func @loop_condition_elements(%cond: tensor<1x2xi1>, %a: tensor<4xf32>) {
  // expected-error @+1 {{'nn.loop' op the condition must hold one element, got 'tensor<1x2xi1>'}}
  %0 = nn.loop condition %cond : tensor<1x2xi1> iter_args(%a : tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%i: tensor<i64>, %c: tensor<i1>, %x: tensor<4xf32>):
    nn.yield %c, %x : tensor<i1>, tensor<4xf32>
  }
  return
}

// -----

func.func @loop_fewer_results_than_carried(%t: tensor<i64>, %a: tensor<4xf32>) {
  // expected-error @+1 {{'nn.loop' op has 1 results but carries 2 values; results are the carried values, then the scan outputs}}
  %0 = nn.loop trip_count %t : tensor<i64> iter_args(%a, %a : tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%i: tensor<i64>, %c: tensor<i1>, %x: tensor<4xf32>, %y: tensor<4xf32>):
    nn.yield %c, %x, %y : tensor<i1>, tensor<4xf32>, tensor<4xf32>
  }
  return
}

// -----

func.func @loop_body_argument_count(%t: tensor<i64>, %a: tensor<4xf32>) {
  // expected-error @+1 {{'nn.loop' op body takes 2 arguments but needs 3: the iteration number, the condition, then one per carried value}}
  %0 = nn.loop trip_count %t : tensor<i64> iter_args(%a : tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%i: tensor<i64>, %c: tensor<i1>):
    nn.yield %c, %a : tensor<i1>, tensor<4xf32>
  }
  return
}

// -----

func.func @loop_body_iteration_type(%t: tensor<i64>, %a: tensor<4xf32>) {
  // expected-error @+1 {{'nn.loop' op body's first two arguments must be tensor<i64> (iteration) and tensor<i1> (condition)}}
  %0 = nn.loop trip_count %t : tensor<i64> iter_args(%a : tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%i: tensor<i32>, %c: tensor<i1>, %x: tensor<4xf32>):
    nn.yield %c, %x : tensor<i1>, tensor<4xf32>
  }
  return
}

// -----

func.func @loop_body_carried_type(%t: tensor<i64>, %a: tensor<4xf32>) {
  // expected-error @+1 {{'nn.loop' op carried value #0 starts as 'tensor<4xf32>' but the body takes 'tensor<5xf32>'}}
  %0 = nn.loop trip_count %t : tensor<i64> iter_args(%a : tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%i: tensor<i64>, %c: tensor<i1>, %x: tensor<5xf32>):
    nn.yield %c, %a : tensor<i1>, tensor<4xf32>
  }
  return
}

// -----

func.func @loop_without_yield(%t: tensor<i64>, %a: tensor<4xf32>) {
  // expected-error @+1 {{'nn.loop' op body must end in nn.yield}}
  %0 = nn.loop trip_count %t : tensor<i64> iter_args(%a : tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%i: tensor<i64>, %c: tensor<i1>, %x: tensor<4xf32>):
    func.return
  }
  return
}

// -----

// An empty body block (this used to crash the verifier).
func.func @loop_empty_body_block(%t: tensor<i64>) {
  // expected-error @+1 {{'nn.loop' op body must end in nn.yield}}
  nn.loop trip_count %t : tensor<i64> {
  ^bb0(%i: tensor<i64>, %c: tensor<i1>):
  }
  return
}

// -----

func.func @loop_empty_body_region(%t: tensor<i64>) {
  // expected-error @+1 {{'nn.loop' op region #0 ('body') failed to verify constraint: region with 1 blocks}}
  nn.loop trip_count %t : tensor<i64> {
  }
  return
}

// -----

// The loop's first results are the carried values: they keep their types.
func.func @loop_carried_result_shape(%t: tensor<i64>, %a: tensor<4xf32>) {
  // expected-error @+1 {{'nn.loop' op carried value #0 starts as 'tensor<4xf32>' but the loop's result #0 is 'tensor<5xf32>'; a carried value keeps its type}}
  %0 = nn.loop trip_count %t : tensor<i64> iter_args(%a : tensor<4xf32>) -> tensor<5xf32> {
  ^bb0(%i: tensor<i64>, %c: tensor<i1>, %x: tensor<4xf32>):
    nn.yield %c, %x : tensor<i1>, tensor<4xf32>
  }
  return
}

// -----

func.func @loop_carried_result_element_type(%t: tensor<i64>, %a: tensor<4xf32>, %b: tensor<3xi32>) {
  // expected-error @+1 {{'nn.loop' op carried value #1 starts as 'tensor<3xi32>' but the loop's result #1 is 'tensor<3xf32>'; a carried value keeps its type}}
  %0:2 = nn.loop trip_count %t : tensor<i64> iter_args(%a, %b : tensor<4xf32>, tensor<3xi32>) -> tensor<4xf32>, tensor<3xf32> {
  ^bb0(%i: tensor<i64>, %c: tensor<i1>, %x: tensor<4xf32>, %y: tensor<3xi32>):
    nn.yield %c, %x, %y : tensor<i1>, tensor<4xf32>, tensor<3xi32>
  }
  return
}

// -----

func.func @loop_scalar_scan_output(%t: tensor<i64>, %a: tensor<4xf32>, %s: tensor<f32>) {
  // expected-error @+1 {{'nn.loop' op scan output 'tensor<f32>' must have rank >= 1 (iterations are stacked along dimension 0)}}
  %0:2 = nn.loop trip_count %t : tensor<i64> iter_args(%a : tensor<4xf32>) -> tensor<4xf32>, tensor<f32> {
  ^bb0(%i: tensor<i64>, %c: tensor<i1>, %x: tensor<4xf32>):
    nn.yield %c, %x, %s : tensor<i1>, tensor<4xf32>, tensor<f32>
  }
  return
}

// -----

func.func @loop_yield_count(%t: tensor<i64>, %a: tensor<4xf32>) {
  // expected-error @+1 {{'nn.loop' op the body yields 1 values but needs 2}}
  %0 = nn.loop trip_count %t : tensor<i64> iter_args(%a : tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%i: tensor<i64>, %c: tensor<i1>, %x: tensor<4xf32>):
    nn.yield %x : tensor<4xf32>
  }
  return
}

// -----

// The first yielded value is the condition of the next iteration.
func.func @loop_yield_condition_type(%t: tensor<i64>, %a: tensor<4xf32>) {
  // expected-error @+1 {{'nn.loop' op the body yields 'tensor<4xf32>' as value #0, incompatible with 'tensor<i1>'}}
  %0 = nn.loop trip_count %t : tensor<i64> iter_args(%a : tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%i: tensor<i64>, %c: tensor<i1>, %x: tensor<4xf32>):
    nn.yield %x, %c : tensor<4xf32>, tensor<i1>
  }
  return
}

// -----

// A scan output of type 3x?x8 takes a ?x8 per iteration, not a 7x8.
func.func @loop_scan_yield_type(%t: tensor<i64>, %a: tensor<4xf32>, %s: tensor<7x9xf32>) {
  // expected-error @+1 {{'nn.loop' op the body yields 'tensor<7x9xf32>' as value #2, incompatible with 'tensor<?x8xf32>'}}
  %0:2 = nn.loop trip_count %t : tensor<i64> iter_args(%a : tensor<4xf32>) -> tensor<4xf32>, tensor<3x?x8xf32> {
  ^bb0(%i: tensor<i64>, %c: tensor<i1>, %x: tensor<4xf32>):
    nn.yield %c, %x, %s : tensor<i1>, tensor<4xf32>, tensor<7x9xf32>
  }
  return
}

// -----

func.func @loop_missing_operand_segments(%a: tensor<4xf32>) {
  // expected-error @+1 {{'nn.loop' op operand count (1) does not match with the total size (0) specified in attribute 'operandSegmentSizes'}}
  %0 = "nn.loop"(%a) ({
  ^bb0(%i: tensor<i64>, %c: tensor<i1>, %x: tensor<4xf32>):
    "nn.yield"(%c, %x) : (tensor<i1>, tensor<4xf32>) -> ()
  }) : (tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// CumSum, TopK, NonZero, Einsum
//===----------------------------------------------------------------------===//

func.func @cumsum_scalar_input(%a: tensor<f32>, %axis: tensor<i64>) {
  // expected-error @+2 {{'nn.cumsum' op input must have rank >= 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.cumsum %a, %axis : (tensor<f32>, tensor<i64>) -> tensor<f32>
  return
}

// -----

func.func @cumsum_axis_not_scalar(%a: tensor<4xf32>, %axis: tensor<2xi64>) {
  // expected-error @+2 {{'nn.cumsum' op axis must be a 0-d or one-element 1-D tensor, got tensor<2xi64>}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.cumsum %a, %axis : (tensor<4xf32>, tensor<2xi64>) -> tensor<4xf32>
  return
}

// -----

func.func @cumsum_axis_out_of_range(%a: tensor<4x5xf32>) {
  %axis = nn.constant dense<2> : tensor<1xi64>
  // expected-error @+2 {{'nn.cumsum' op axis 2 is out of range for rank 2 (expected -2 <= axis < 2)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.cumsum %a, %axis : (tensor<4x5xf32>, tensor<1xi64>) -> tensor<4x5xf32>
  return
}

// -----

func.func @top_k_scalar_input(%a: tensor<f32>, %k: tensor<1xi64>) {
  // expected-error @+2 {{'nn.top_k' op input must have rank >= 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0:2 = nn.top_k %a, %k : (tensor<f32>, tensor<1xi64>) -> (tensor<f32>, tensor<i64>)
  return
}

// -----

func.func @top_k_axis_out_of_range(%a: tensor<4x5xf32>, %k: tensor<1xi64>) {
  // expected-error @+2 {{'nn.top_k' op axis -3 is out of range for rank 2 (expected -2 <= axis < 2)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0:2 = nn.top_k %a, %k {axis = -3 : i64} : (tensor<4x5xf32>, tensor<1xi64>) -> (tensor<4x?xf32>, tensor<4x?xi64>)
  return
}

// -----

func.func @top_k_k_not_scalar(%a: tensor<4x5xf32>, %k: tensor<2xi64>) {
  // expected-error @+2 {{'nn.top_k' op k must hold exactly one element, got tensor<2xi64>}}
  // expected-error @+1 {{failed to infer returned types}}
  %0:2 = nn.top_k %a, %k : (tensor<4x5xf32>, tensor<2xi64>) -> (tensor<4x?xf32>, tensor<4x?xi64>)
  return
}

// -----

func.func @top_k_negative_k(%a: tensor<4x5xf32>) {
  %k = nn.constant dense<-1> : tensor<1xi64>
  // expected-error @+2 {{'nn.top_k' op k must be >= 0, got -1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0:2 = nn.top_k %a, %k : (tensor<4x5xf32>, tensor<1xi64>) -> (tensor<4x?xf32>, tensor<4x?xi64>)
  return
}

// -----

func.func @top_k_k_too_large(%a: tensor<4x5xf32>) {
  %k = nn.constant dense<6> : tensor<1xi64>
  // expected-error @+2 {{'nn.top_k' op k = 6 exceeds the size 5 of dimension 1 (axis)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0:2 = nn.top_k %a, %k : (tensor<4x5xf32>, tensor<1xi64>) -> (tensor<4x6xf32>, tensor<4x6xi64>)
  return
}

// -----

func.func @top_k_indices_not_i64(%a: tensor<4x5xf32>, %k: tensor<1xi64>) {
  // expected-error @+1 {{'nn.top_k' op result #1 must be ranked tensor of 64-bit signless integer values, but got 'tensor<4x?xi32>'}}
  %0:2 = nn.top_k %a, %k : (tensor<4x5xf32>, tensor<1xi64>) -> (tensor<4x?xf32>, tensor<4x?xi32>)
  return
}

// -----

// The first dimension of nn.non_zero's result is the input's rank.
func.func @non_zero_wrong_rank(%a: tensor<4x5xf32>) {
  // expected-error @+2 {{'nn.non_zero' op inferred type(s) 'tensor<2x?xi64>' are incompatible with return type(s) of operation 'tensor<3x?xi64>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.non_zero %a : (tensor<4x5xf32>) -> tensor<3x?xi64>
  return
}

// -----

func.func @einsum_no_operands() {
  // expected-error @+2 {{'nn.einsum' op expects at least one operand}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.einsum "->" : () -> tensor<f32>
  return
}

// -----

func.func @einsum_mixed_element_types(%a: tensor<2x3xf32>, %b: tensor<3x4xf16>) {
  // expected-error @+2 {{'nn.einsum' op operand 1 has element type f16 but operand 0 has f32}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.einsum "ij,jk->ik" %a, %b : (tensor<2x3xf32>, tensor<3x4xf16>) -> tensor<2x4xf32>
  return
}

// -----

func.func @einsum_two_arrows(%a: tensor<2x3xf32>) {
  // expected-error @+2 {{'nn.einsum' op equation: more than one '->'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.einsum "ij->ij->ij" %a : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @einsum_lone_dot(%a: tensor<2x3xf32>) {
  // expected-error @+2 {{'nn.einsum' op equation: the result term 'i.j' has a '.' that is not part of '...'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.einsum "ij->i.j" %a : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @einsum_two_ellipses(%a: tensor<2x3xf32>) {
  // expected-error @+2 {{'nn.einsum' op equation: term 0 '...i...' has more than one '...'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.einsum "...i..." %a : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @einsum_bad_character(%a: tensor<2x3xf32>) {
  // expected-error @+2 {{'nn.einsum' op equation: term 0 'i1' has the invalid character '1' (subscripts are letters a-z and A-Z, and '...')}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.einsum "i1" %a : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @einsum_term_count(%a: tensor<2x3xf32>) {
  // expected-error @+2 {{'nn.einsum' op equation: 1 input term(s) for 2 operand(s)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.einsum "ij->ji" %a, %a : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<3x2xf32>
  return
}

// -----

func.func @einsum_rank_mismatch(%a: tensor<2x3x4xf32>) {
  // expected-error @+2 {{'nn.einsum' op equation: term 0 'ij' names 2 dimension(s) but operand 0 has rank 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.einsum "ij" %a : (tensor<2x3x4xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @einsum_ellipsis_rank_too_small(%a: tensor<2xf32>) {
  // expected-error @+2 {{'nn.einsum' op equation: term 0 '...ij' names 2 dimension(s) plus '...' but operand 0 has rank 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.einsum "...ij" %a : (tensor<2xf32>) -> tensor<2xf32>
  return
}

// -----

func.func @einsum_letter_sizes(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) {
  // expected-error @+2 {{'nn.einsum' op equation: letter 'j' has size 3 in operand 0 but 4 in operand 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.einsum "ij,jk->ik" %a, %b : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<2x5xf32>
  return
}

// -----

func.func @einsum_ellipsis_broadcast(%a: tensor<2x3xf32>, %b: tensor<4x3xf32>) {
  // expected-error @+2 {{'nn.einsum' op cannot broadcast the '...' dimensions before and the '...' dimensions of operand 1: dimension 0 of the result would need sizes 2 and 4 to match (or one of them to be 1)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.einsum "...i,...i" %a, %b : (tensor<2x3xf32>, tensor<4x3xf32>) -> tensor<2xf32>
  return
}

// -----

func.func @einsum_result_repeats(%a: tensor<3x3xf32>) {
  // expected-error @+2 {{'nn.einsum' op equation: the result term 'ii' repeats letter 'i'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.einsum "ij->ii" %a : (tensor<3x3xf32>) -> tensor<3x3xf32>
  return
}

// -----

func.func @einsum_result_unknown_letter(%a: tensor<3x3xf32>) {
  // expected-error @+2 {{'nn.einsum' op equation: the result term 'ik' has letter 'k', which no input term has}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.einsum "ij->ik" %a : (tensor<3x3xf32>) -> tensor<3x3xf32>
  return
}

// -----

func.func @grid_sample_rank(%x: tensor<3x8x8xf32>, %grid: tensor<1x5x6x2xf32>) {
  // expected-error @+2 {{'nn.grid_sample' op input and grid must be 4-D ([N, C, H, W] and [N, H_out, W_out, 2]), got ranks 3 and 4}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.grid_sample %x, %grid : (tensor<3x8x8xf32>, tensor<1x5x6x2xf32>) -> tensor<1x3x5x6xf32>
  return
}

// -----

func.func @grid_sample_coordinates(%x: tensor<1x3x8x8xf32>, %grid: tensor<1x5x6x3xf32>) {
  // expected-error @+2 {{'nn.grid_sample' op grid's last dimension holds (x, y): 2, got 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.grid_sample %x, %grid : (tensor<1x3x8x8xf32>, tensor<1x5x6x3xf32>) -> tensor<1x3x5x6xf32>
  return
}

// -----

func.func @grid_sample_batch(%x: tensor<2x3x8x8xf32>, %grid: tensor<3x5x6x2xf32>) {
  // expected-error @+2 {{'nn.grid_sample' op input has batch 2 but grid has 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.grid_sample %x, %grid : (tensor<2x3x8x8xf32>, tensor<3x5x6x2xf32>) -> tensor<2x3x5x6xf32>
  return
}

// -----

func.func @roi_align_box(%x: tensor<1x3x8x8xf32>, %rois: tensor<2x5xf32>, %b: tensor<2xi64>) {
  // expected-error @+2 {{'nn.roi_align' op rois holds boxes (x1, y1, x2, y2): 4 a row, got 5}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.roi_align %x, %rois, %b {output_height = 2 : i64, output_width = 2 : i64, sampling_ratio = 2 : i64} : (tensor<1x3x8x8xf32>, tensor<2x5xf32>, tensor<2xi64>) -> tensor<2x3x2x2xf32>
  return
}

// -----

func.func @roi_align_adaptive(%x: tensor<1x3x8x8xf32>, %rois: tensor<2x4xf32>, %b: tensor<2xi64>) {
  // expected-error @+2 {{'nn.roi_align' op sampling_ratio must be >= 1 (an adaptive ratio, 0, is not supported)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.roi_align %x, %rois, %b {output_height = 2 : i64, output_width = 2 : i64, sampling_ratio = 0 : i64} : (tensor<1x3x8x8xf32>, tensor<2x4xf32>, tensor<2xi64>) -> tensor<2x3x2x2xf32>
  return
}

// -----

func.func @non_max_suppression_batches(%boxes: tensor<2x6x4xf32>, %scores: tensor<3x1x6xf32>, %max: tensor<i64>, %iou: tensor<f32>) {
  // expected-error @+2 {{'nn.non_max_suppression' op boxes [2, 6, 4] and scores [3, classes, 6] disagree on the batches or the boxes}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.non_max_suppression %boxes, %scores, %max, %iou : (tensor<2x6x4xf32>, tensor<3x1x6xf32>, tensor<i64>, tensor<f32>) -> tensor<?x3xi64>
  return
}

// -----

func.func @non_max_suppression_threshold(%boxes: tensor<1x6x4xf32>, %scores: tensor<1x1x6xf32>, %max: tensor<2xi64>, %iou: tensor<f32>) {
  // expected-error @+2 {{'nn.non_max_suppression' op max_output_boxes_per_class, iou_threshold and score_threshold must hold one value each, got tensor<2xi64>}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.non_max_suppression %boxes, %scores, %max, %iou : (tensor<1x6x4xf32>, tensor<1x1x6xf32>, tensor<2xi64>, tensor<f32>) -> tensor<?x3xi64>
  return
}

// -----

func.func @seq_insert_wrong_element(%s: !nn.seq<tensor<?x3xf32>>, %t: tensor<2x4xf32>) {
  // expected-error @+1 {{'nn.seq_insert' op the inserted tensor 'tensor<2x4xf32>' cannot be an element of '!nn.seq<tensor<?x3xf32>>'}}
  %0 = nn.seq_insert %s, %t : <tensor<?x3xf32>>, tensor<2x4xf32> -> <tensor<?x3xf32>>
  return
}

// -----

func.func @seq_at_wrong_rank(%s: !nn.seq<tensor<?x3xf32>>, %p: tensor<i64>) {
  // expected-error @+1 {{'nn.seq_at' op the result 'tensor<3xf32>' cannot be an element of '!nn.seq<tensor<?x3xf32>>'}}
  %0 = nn.seq_at %s[%p] : <tensor<?x3xf32>>, tensor<i64> -> tensor<3xf32>
  return
}

// -----

func.func @seq_position_not_scalar(%s: !nn.seq<tensor<?xf32>>, %p: tensor<2xi64>) {
  // expected-error @+1 {{'nn.seq_erase' op the position must be one integer, got 'tensor<2xi64>'}}
  %0 = nn.seq_erase %s at %p : tensor<2xi64> : <tensor<?xf32>> -> <tensor<?xf32>>
  return
}

// -----

func.func @seq_insert_changes_element_type(%s: !nn.seq<tensor<?xf32>>, %t: tensor<3xf32>) {
  // expected-error @+1 {{'nn.seq_insert' op takes '!nn.seq<tensor<?xf32>>' but returns '!nn.seq<tensor<?xi64>>'; the element types must be equal}}
  %0 = nn.seq_insert %s, %t : <tensor<?xf32>>, tensor<3xf32> -> <tensor<?xi64>>
  return
}

// -----

func.func @optional_get_wrong_type(%o: !nn.optional<tensor<3xf32>>) {
  // expected-error @+1 {{'nn.optional_get' op gets 'tensor<4xf32>' from '!nn.optional<tensor<3xf32>>'}}
  %0 = nn.optional_get %o : <tensor<3xf32>> -> tensor<4xf32>
  return
}

// -----

// expected-error @+1 {{an optional holds a ranked tensor or a sequence, not '!nn.optional<tensor<3xf32>>'}}
func.func @optional_of_optional(%o: !nn.optional<!nn.optional<tensor<3xf32>>>) {
  return
}

// -----

func.func @string_normalize_rank(%s: tensor<2x3x!nn.string>) {
  // expected-error @+1 {{'nn.string_normalize' op takes [C] or [1, C] strings, not 'tensor<2x3x!nn.string>'}}
  %0 = nn.string_normalize %s {stopwords = []} : tensor<2x3x!nn.string> -> tensor<2x?x!nn.string>
  return
}
