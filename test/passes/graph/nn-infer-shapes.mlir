// RUN: ddl-opt %s --nn-infer-shapes --split-input-file | FileCheck %s

// Symbols flow from the arguments through broadcasting, matmul and
// reductions, and the entry point's signature follows.
// CHECK-LABEL: func.func @symbols_flow
// CHECK-SAME: -> tensor<?x?x16xf32, #nn.dims<batch, seq, 16>>
// CHECK: nn.add {{.*}} -> tensor<?x?x8xf32, #nn.dims<batch, seq, 8>>
// CHECK: nn.matmul {{.*}} -> tensor<?x?x16xf32, #nn.dims<batch, seq, 16>>
// CHECK: nn.softmax {{.*}} -> tensor<?x?x16xf32, #nn.dims<batch, seq, 16>>
func.func @symbols_flow(%x: tensor<?x?x8xf32, #nn.dims<batch, seq, 8>>,
                        %b: tensor<8xf32>, %w: tensor<8x16xf32>) -> tensor<?x?x?xf32> {
  %0 = nn.add %x, %b : (tensor<?x?x8xf32, #nn.dims<batch, seq, 8>>, tensor<8xf32>) -> tensor<?x?x?xf32>
  %1 = nn.matmul %0, %w : (tensor<?x?x?xf32>, tensor<8x16xf32>) -> tensor<?x?x?xf32>
  %2 = nn.softmax %1 : (tensor<?x?x?xf32>) -> tensor<?x?x?xf32>
  return %2 : tensor<?x?x?xf32>
}

// -----

// Two inputs sharing the symbol `batch` broadcast to `batch`; a static 1
// against a symbol keeps the symbol; two different symbols give `?`.
// CHECK-LABEL: func.func @broadcast_symbols
// CHECK: nn.add {{.*}} -> tensor<?x4xf32, #nn.dims<batch, 4>>
// CHECK: nn.mul {{.*}} -> tensor<?x4xf32, #nn.dims<batch, 4>>
// CHECK: nn.sub {{.*}} -> tensor<?x4xf32>
func.func @broadcast_symbols(%a: tensor<?x4xf32, #nn.dims<batch, 4>>,
                             %b: tensor<?x4xf32, #nn.dims<batch, 4>>,
                             %c: tensor<1x4xf32>,
                             %d: tensor<?x4xf32, #nn.dims<other, 4>>)
    -> (tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>) {
  %0 = nn.add %a, %b : (tensor<?x4xf32, #nn.dims<batch, 4>>, tensor<?x4xf32, #nn.dims<batch, 4>>) -> tensor<?x4xf32>
  %1 = nn.mul %0, %c : (tensor<?x4xf32>, tensor<1x4xf32>) -> tensor<?x4xf32>
  %2 = nn.sub %1, %d : (tensor<?x4xf32>, tensor<?x4xf32, #nn.dims<other, 4>>) -> tensor<?x4xf32>
  return %0, %1, %2 : tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>
}

// -----

// Static sizes are recovered from constants: reshape with -1, slice bounds,
// convolution arithmetic.
// CHECK-LABEL: func.func @static_from_constants
// CHECK: nn.reshape {{.*}} -> tensor<?x12xf32, #nn.dims<n, 12>>
// CHECK: nn.slice {{.*}} -> tensor<?x5xf32, #nn.dims<n, 5>>
// CHECK: nn.conv {{.*}} -> tensor<?x8x16x16xf32, #nn.dims<n, 8, 16, 16>>
func.func @static_from_constants(%x: tensor<?x3x4xf32, #nn.dims<n, 3, 4>>,
                                 %img: tensor<?x3x32x32xf32, #nn.dims<n, 3, 32, 32>>,
                                 %w: tensor<8x3x3x3xf32>)
    -> (tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?x?x?xf32>) {
  %shape = nn.constant dense<[0, -1]> : tensor<2xi64>
  %0 = nn.reshape %x, %shape : (tensor<?x3x4xf32, #nn.dims<n, 3, 4>>, tensor<2xi64>) -> tensor<?x?xf32>
  %starts = nn.constant dense<[2]> : tensor<1xi64>
  %ends = nn.constant dense<[-5]> : tensor<1xi64>
  %axes = nn.constant dense<[1]> : tensor<1xi64>
  %1 = nn.slice %0, %starts, %ends axes %axes : (tensor<?x?xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<?x?xf32>
  %2 = nn.conv %img, %w {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>}
      : (tensor<?x3x32x32xf32, #nn.dims<n, 3, 32, 32>>, tensor<8x3x3x3xf32>) -> tensor<?x?x?x?xf32>
  return %0, %1, %2 : tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?x?x?xf32>
}

// -----

// Reshaping [batch, seq, 12, 64] to [0, 0, -1] cancels the symbols and
// finds 768; reshaping back with -1 first finds `batch` again.
// CHECK-LABEL: func.func @reshape_symbolic_minus_one
// CHECK: nn.reshape {{.*}} -> tensor<?x?x768xf32, #nn.dims<batch, seq, 768>>
// CHECK: nn.reshape {{.*}} -> tensor<?x?x12x64xf32, #nn.dims<batch, seq, 12, 64>>
func.func @reshape_symbolic_minus_one(%x: tensor<?x?x12x64xf32, #nn.dims<batch, seq, 12, 64>>,
                                      %s: tensor<3xi64>)
    -> (tensor<?x?x?xf32>, tensor<?x?x?x?xf32>) {
  %merge = nn.constant dense<[0, 0, -1]> : tensor<3xi64>
  %0 = nn.reshape %x, %merge : (tensor<?x?x12x64xf32, #nn.dims<batch, seq, 12, 64>>, tensor<3xi64>) -> tensor<?x?x?xf32>
  %split = nn.constant dense<[-1, 0, 12, 64]> : tensor<4xi64>
  %1 = nn.reshape %0, %split : (tensor<?x?x?xf32>, tensor<4xi64>) -> tensor<?x?x?x?xf32>
  return %0, %1 : tensor<?x?x?xf32>, tensor<?x?x?x?xf32>
}

// -----

// A shape that is only known at run time keeps the result dynamic.
// CHECK-LABEL: func.func @runtime_shape
// CHECK: nn.reshape {{.*}} -> tensor<?x?xf32>
func.func @runtime_shape(%x: tensor<6xf32>, %s: tensor<2xi64>) -> tensor<?x?xf32> {
  %0 = nn.reshape %x, %s : (tensor<6xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// nn.if results get what both branches agree on.
// CHECK-LABEL: func.func @if_branches
// CHECK: nn.if %{{.+}} : tensor<i1> -> tensor<?x4xf32, #nn.dims<b, 4>>, tensor<?x4xf32>
func.func @if_branches(%c: tensor<i1>, %x: tensor<?x4xf32, #nn.dims<b, 4>>,
                       %y: tensor<?x4xf32, #nn.dims<b, 4>>, %z: tensor<?x4xf32, #nn.dims<other, 4>>)
    -> (tensor<?x?xf32>, tensor<?x?xf32>) {
  %0, %1 = nn.if %c : tensor<i1> -> tensor<?x?xf32>, tensor<?x?xf32> {
    nn.yield %x, %x : tensor<?x4xf32, #nn.dims<b, 4>>, tensor<?x4xf32, #nn.dims<b, 4>>
  } else {
    nn.yield %y, %z : tensor<?x4xf32, #nn.dims<b, 4>>, tensor<?x4xf32, #nn.dims<other, 4>>
  }
  return %0, %1 : tensor<?x?xf32>, tensor<?x?xf32>
}

// -----

// A carried value that starts static and comes back with the same shape
// keeps it (block argument and result); the scan output gets the rows'
// shape. The body's ops are refined from the static argument.
// CHECK-LABEL: func.func @loop_static_state
// CHECK: nn.loop trip_count %{{.+}} : tensor<i64> iter_args(%{{.+}} : tensor<2x3xf32>) -> tensor<2x3xf32>, tensor<?x2x3xf32>
// CHECK: ^bb0(%{{.+}}: tensor<i64>, %{{.+}}: tensor<i1>, %[[H:.+]]: tensor<2x3xf32>):
// CHECK: nn.tanh %[[H]] : (tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK: return {{.*}} : tensor<2x3xf32>, tensor<?x2x3xf32>
func.func @loop_static_state(%n: tensor<i64>, %h0: tensor<2x3xf32>) -> (tensor<?x?xf32>, tensor<?x?x?xf32>) {
  %r:2 = nn.loop trip_count %n : tensor<i64> iter_args(%h0 : tensor<2x3xf32>) -> tensor<?x?xf32>, tensor<?x?x?xf32> {
  ^bb0(%i: tensor<i64>, %k: tensor<i1>, %h: tensor<?x?xf32>):
    %t = nn.tanh %h : (tensor<?x?xf32>) -> tensor<?x?xf32>
    nn.yield %k, %t, %t : tensor<i1>, tensor<?x?xf32>, tensor<?x?xf32>
  }
  return %r#0, %r#1 : tensor<?x?xf32>, tensor<?x?x?xf32>
}

// -----

// A carried value that grows keeps its dynamic type; the other one, whose
// shape comes back, is refined (the trial is redone without the first).
// CHECK-LABEL: func.func @loop_growing_state
// CHECK: nn.loop trip_count %{{.+}} : tensor<i64> iter_args(%{{.+}}, %{{.+}} : tensor<1x3xf32>, tensor<4xf32>) -> tensor<?x?xf32>, tensor<4xf32>
// CHECK: ^bb0(%{{.+}}: tensor<i64>, %{{.+}}: tensor<i1>, %[[G:.+]]: tensor<?x?xf32>, %[[S:.+]]: tensor<4xf32>):
// CHECK: nn.concat %[[G]], %[[G]]
// CHECK: nn.neg %[[S]] : (tensor<4xf32>) -> tensor<4xf32>
func.func @loop_growing_state(%n: tensor<i64>, %g0: tensor<1x3xf32>, %s0: tensor<4xf32>) -> (tensor<?x?xf32>, tensor<?xf32>) {
  %r:2 = nn.loop trip_count %n : tensor<i64> iter_args(%g0, %s0 : tensor<1x3xf32>, tensor<4xf32>) -> tensor<?x?xf32>, tensor<?xf32> {
  ^bb0(%i: tensor<i64>, %k: tensor<i1>, %g: tensor<?x?xf32>, %s: tensor<?xf32>):
    %c = nn.concat %g, %g {axis = 0 : i64} : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
    %m = nn.neg %s : (tensor<?xf32>) -> tensor<?xf32>
    nn.yield %k, %c, %m : tensor<i1>, tensor<?x?xf32>, tensor<?xf32>
  }
  return %r#0, %r#1 : tensor<?x?xf32>, tensor<?xf32>
}

// -----

// A called function keeps its signature; the refined value is cast back.
// Users outside the nn dialect see the type they had.
// CHECK-LABEL: func.func private @callee
// CHECK-SAME: -> tensor<?xf32>
// CHECK: %[[V:.+]] = nn.relu {{.*}} -> tensor<4xf32>
// CHECK: %[[C:.+]] = tensor.cast %[[V]] : tensor<4xf32> to tensor<?xf32>
// CHECK: return %[[C]]
// CHECK-LABEL: func.func @caller
// CHECK: call @callee
func.func private @callee(%x: tensor<4xf32>) -> tensor<?xf32> {
  %0 = nn.relu %x : (tensor<4xf32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}
func.func @caller(%x: tensor<4xf32>) -> tensor<?xf32> {
  %0 = func.call @callee(%x) : (tensor<4xf32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// CHECK-LABEL: func.func @non_nn_user
// CHECK: %[[E:.+]] = nn.exp {{.*}} -> tensor<4xf32>
// CHECK: %[[C:.+]] = tensor.cast %[[E]] : tensor<4xf32> to tensor<?xf32>
// CHECK: tensor.dim %[[C]]
func.func @non_nn_user(%x: tensor<4xf32>) -> index {
  %0 = nn.exp %x : (tensor<4xf32>) -> tensor<?xf32>
  %c0 = arith.constant 0 : index
  %d = tensor.dim %0, %c0 : tensor<?xf32>
  return %d : index
}
