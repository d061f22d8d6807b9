// RUN: ddl-opt %s --convert-nn-to-linalg \
// RUN:   | ddl-opt --one-shot-bufferize="bufferize-function-boundaries=1 function-boundary-type-conversion=identity-layout-map allow-return-allocs-from-loops=1" --canonicalize \
// RUN:   | FileCheck %s
// The scan output of a loop that runs exactly trip_count iterations is
// written in place after bufferization (the CPU pipeline's options): a
// growing buffer was copied whole in scf.while's before region at every
// iteration (O(trip_count^2) time for an RNN's outputs). Only the carried
// value, a fresh buffer each iteration, is copied there.
// CHECK-LABEL: func.func @exact_loop
// CHECK: %[[SCAN:.+]] = memref.alloc(%{{.+}}) {{.*}} : memref<?x4xf32>
// CHECK: scf.while
// CHECK-NOT: memref<?x4xf32>
// CHECK: scf.condition
// CHECK: } do {
// CHECK: memref.subview %[[SCAN]]
// CHECK: return {{.*}}, %[[SCAN]]
func.func @exact_loop(%n: tensor<i64>, %x: tensor<4xf32>) -> (tensor<4xf32>, tensor<?x4xf32>) {
  %r:2 = nn.loop trip_count %n : tensor<i64> iter_args(%x : tensor<4xf32>) -> tensor<4xf32>, tensor<?x4xf32> {
  ^bb0(%i: tensor<i64>, %k: tensor<i1>, %v: tensor<4xf32>):
    %y = nn.neg %v : (tensor<4xf32>) -> tensor<4xf32>
    nn.yield %k, %y, %y : tensor<i1>, tensor<4xf32>, tensor<4xf32>
  }
  return %r#0, %r#1 : tensor<4xf32>, tensor<?x4xf32>
}
