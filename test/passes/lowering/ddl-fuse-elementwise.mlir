// RUN: ddl-opt %s --ddl-fuse-elementwise --split-input-file | FileCheck %s

#map = affine_map<(d0, d1) -> (d0, d1)>

// An LSTM step's cell state: the hidden state reads it and the loop
// carries it. Fused, it is a second result of one loop, computed once
// (not cloned into the consumer and computed again by the original).
// CHECK-LABEL: func.func @keep_producer_result
// CHECK: %[[F:.+]]:2 = linalg.generic
// CHECK: %[[C:.+]] = arith.addf
// CHECK: %[[H:.+]] = math.tanh %[[C]]
// CHECK: linalg.yield %[[C]], %[[H]]
// CHECK-NOT: linalg.generic
// CHECK: return %[[F]]#1, %[[F]]#0
func.func @keep_producer_result(%a: tensor<4x8xf32>, %b: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %e = tensor.empty() : tensor<4x8xf32>
  %c = linalg.generic {indexing_maps = [#map, #map, #map], iterator_types = ["parallel", "parallel"]}
      ins(%a, %b : tensor<4x8xf32>, tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.addf %x, %y : f32
    linalg.yield %s : f32
  } -> tensor<4x8xf32>
  %h = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]}
      ins(%c : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%x: f32, %o: f32):
    %t = math.tanh %x : f32
    linalg.yield %t : f32
  } -> tensor<4x8xf32>
  return %h, %c : tensor<4x8xf32>, tensor<4x8xf32>
}

// -----

#map = affine_map<(d0, d1) -> (d0, d1)>

// Another user between the producer and the consumer would read the fused
// op's result before it exists: no fusion.
// CHECK-LABEL: func.func @other_use_first
// CHECK: linalg.generic
// CHECK: arith.addf
// CHECK: call @use
// CHECK: linalg.generic
// CHECK-NOT: arith.addf
// CHECK: math.tanh
func.func private @use(tensor<4x8xf32>)
func.func @other_use_first(%a: tensor<4x8xf32>, %b: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %e = tensor.empty() : tensor<4x8xf32>
  %c = linalg.generic {indexing_maps = [#map, #map, #map], iterator_types = ["parallel", "parallel"]}
      ins(%a, %b : tensor<4x8xf32>, tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.addf %x, %y : f32
    linalg.yield %s : f32
  } -> tensor<4x8xf32>
  func.call @use(%c) : (tensor<4x8xf32>) -> ()
  %h = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]}
      ins(%c : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%x: f32, %o: f32):
    %t = math.tanh %x : f32
    linalg.yield %t : f32
  } -> tensor<4x8xf32>
  return %h : tensor<4x8xf32>
}

// -----

#map = affine_map<(d0, d1) -> (d0, d1)>

// A bias add of a matmul's result stays on its own with its two users:
// the contraction kernel takes it as its epilogue.
// CHECK-LABEL: func.func @contraction_epilogue
// CHECK: linalg.matmul
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0
// CHECK-NEXT: arith.addf
// CHECK-NEXT: linalg.yield
func.func @contraction_epilogue(%a: tensor<4x8xf32>, %w: tensor<8x8xf32>, %bias: tensor<4x8xf32>)
    -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x8xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4x8xf32>) -> tensor<4x8xf32>
  %m = linalg.matmul ins(%a, %w : tensor<4x8xf32>, tensor<8x8xf32>) outs(%f : tensor<4x8xf32>) -> tensor<4x8xf32>
  %c = linalg.generic {indexing_maps = [#map, #map, #map], iterator_types = ["parallel", "parallel"]}
      ins(%m, %bias : tensor<4x8xf32>, tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.addf %x, %y : f32
    linalg.yield %s : f32
  } -> tensor<4x8xf32>
  %h = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]}
      ins(%c : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%x: f32, %o: f32):
    %t = math.tanh %x : f32
    linalg.yield %t : f32
  } -> tensor<4x8xf32>
  return %h, %c : tensor<4x8xf32>, tensor<4x8xf32>
}
