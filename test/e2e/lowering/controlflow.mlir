// RUN: ddl-opt %s --ddl-graph-to-linalg \
// RUN:   | ddl-opt --one-shot-bufferize="bufferize-function-boundaries=1 function-boundary-type-conversion=identity-layout-map allow-return-allocs-from-loops=1" \
// RUN:       --canonicalize --cse --buffer-deallocation-pipeline --canonicalize \
// RUN:   | ddl-opt --ddl-lower-to-llvm | %mlir_runner | FileCheck %s
// Numeric checks of the nn.if / nn.loop lowering (scf.if / scf.while).
// Loop-carried values change buffers between iterations (they may even
// change shape), so bufferization must allow loops to yield new
// allocations: this runs --ddl-cpu-pipeline's passes with
// allow-return-allocs-from-loops=1, which --ddl-bufferize lacks so far.

func.func private @printMemrefF32(memref<*xf32>)
func.func private @printMemrefI64(memref<*xi64>)

func.func @printF32(%t: tensor<?xf32>) {
  %m = bufferization.to_buffer %t : tensor<?xf32> to memref<?xf32>
  %u = memref.cast %m : memref<?xf32> to memref<*xf32>
  call @printMemrefF32(%u) : (memref<*xf32>) -> ()
  return
}

func.func @printF32x2(%t: tensor<?x?xf32>) {
  %m = bufferization.to_buffer %t : tensor<?x?xf32> to memref<?x?xf32>
  %u = memref.cast %m : memref<?x?xf32> to memref<*xf32>
  call @printMemrefF32(%u) : (memref<*xf32>) -> ()
  return
}

func.func @printI64(%t: tensor<?xi64>) {
  %m = bufferization.to_buffer %t : tensor<?xi64> to memref<?xi64>
  %u = memref.cast %m : memref<?xi64> to memref<*xi64>
  call @printMemrefI64(%u) : (memref<*xi64>) -> ()
  return
}

func.func @printI64Scalar(%t: tensor<i64>) {
  %m = bufferization.to_buffer %t : tensor<i64> to memref<i64>
  %u = memref.cast %m : memref<i64> to memref<*xi64>
  call @printMemrefI64(%u) : (memref<*xi64>) -> ()
  return
}

func.func @main() {
  %true = nn.constant dense<true> : tensor<i1>
  %false = nn.constant dense<[false]> : tensor<1xi1>
  %a = nn.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %b = nn.constant dense<[10.0, 20.0, 30.0]> : tensor<3xf32>

  // nn.if: the branches yield different static shapes.
  %if0 = nn.if %true : tensor<i1> -> tensor<?xf32> {
    %s = nn.add %a, %a : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    nn.yield %s : tensor<2xf32>
  } else {
    nn.yield %b : tensor<3xf32>
  }
  call @printF32(%if0) : (tensor<?xf32>) -> ()
  // CHECK: sizes = [2]
  // CHECK-NEXT: [2,  4]
  %if1:2 = nn.if %false : tensor<1xi1> -> tensor<?xf32>, tensor<2xf32> {
    nn.yield %a, %a : tensor<2xf32>, tensor<2xf32>
  } else {
    %n = nn.neg %b : (tensor<3xf32>) -> tensor<3xf32>
    nn.yield %n, %a : tensor<3xf32>, tensor<2xf32>
  }
  call @printF32(%if1#0) : (tensor<?xf32>) -> ()
  // CHECK: sizes = [3]
  // CHECK-NEXT: [-10,  -20,  -30]

  // Trip count and condition: x_{i+1} = x_i + i, scanning every x.
  %five = nn.constant dense<5> : tensor<i64>
  %x0 = nn.constant dense<[0.0]> : tensor<1xf32>
  %l:2 = nn.loop trip_count %five : tensor<i64> condition %true : tensor<i1>
      iter_args(%x0 : tensor<1xf32>) -> tensor<?xf32>, tensor<?x?xf32> {
  ^bb0(%i: tensor<i64>, %c: tensor<i1>, %x: tensor<?xf32>):
    %fi = nn.cast %i : (tensor<i64>) -> tensor<f32>
    %y = nn.add %x, %fi : (tensor<?xf32>, tensor<f32>) -> tensor<?xf32>
    nn.yield %c, %y, %y : tensor<i1>, tensor<?xf32>, tensor<?xf32>
  }
  call @printF32(%l#0) : (tensor<?xf32>) -> ()
  // CHECK: sizes = [1]
  // CHECK-NEXT: [10]
  call @printF32x2(%l#1) : (tensor<?x?xf32>) -> ()
  // CHECK: sizes = [5, 1]
  // CHECK-NEXT: {{\[\[}}0],
  // CHECK-NEXT: [1],
  // CHECK-NEXT: [3],
  // CHECK-NEXT: [6],
  // CHECK-NEXT: [10]]

  // No trip count, no condition operand: runs while the body's condition
  // holds (v doubles while below 100); scans the iteration numbers.
  %v0 = nn.constant dense<1> : tensor<i64>
  %two = nn.constant dense<2> : tensor<i64>
  %hundred = nn.constant dense<100> : tensor<i64>
  %w:2 = nn.loop iter_args(%v0 : tensor<i64>) -> tensor<i64>, tensor<?xi64> {
  ^bb0(%i: tensor<i64>, %c: tensor<i1>, %v: tensor<i64>):
    %v2 = nn.mul %v, %two : (tensor<i64>, tensor<i64>) -> tensor<i64>
    %k = nn.less %v, %hundred : (tensor<i64>, tensor<i64>) -> tensor<i1>
    nn.yield %k, %v2, %i : tensor<i1>, tensor<i64>, tensor<i64>
  }
  call @printI64Scalar(%w#0) : (tensor<i64>) -> ()
  // CHECK: rank = 0
  // CHECK-NEXT: [256]
  call @printI64(%w#1) : (tensor<?xi64>) -> ()
  // CHECK: sizes = [8]
  // CHECK-NEXT: [0,  1,  2,  3,  4,  5,  6,  7]

  // Zero iterations: the initial values, empty scans.
  %zero = nn.constant dense<0> : tensor<i64>
  %z:2 = nn.loop trip_count %zero : tensor<i64> iter_args(%a : tensor<2xf32>)
      -> tensor<?xf32>, tensor<?x2xf32> {
  ^bb0(%i: tensor<i64>, %c: tensor<i1>, %x: tensor<?xf32>):
    %s = nn.constant dense<[7.0, 7.0]> : tensor<2xf32>
    nn.yield %c, %x, %s : tensor<i1>, tensor<?xf32>, tensor<2xf32>
  }
  call @printF32(%z#0) : (tensor<?xf32>) -> ()
  // CHECK: sizes = [2]
  // CHECK-NEXT: [1,  2]
  %zs = tensor.cast %z#1 : tensor<?x2xf32> to tensor<?x?xf32>
  call @printF32x2(%zs) : (tensor<?x?xf32>) -> ()
  // CHECK: sizes = [0, 2]

  // A Scan-like loop: rows through a 0-d gather, a nested nn.if, and the
  // body's condition ignored beyond the trip count.
  %m = nn.constant dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]> : tensor<3x2xf32>
  %three = nn.constant dense<3> : tensor<i64>
  %oneI = nn.constant dense<1> : tensor<i64>
  %zeros = nn.constant dense<0.0> : tensor<2xf32>
  %s:2 = nn.loop trip_count %three : tensor<i64> iter_args(%zeros : tensor<2xf32>)
      -> tensor<2xf32>, tensor<?x2xf32> {
  ^bb0(%i: tensor<i64>, %c: tensor<i1>, %acc: tensor<2xf32>):
    %row = nn.gather %m, %i {axis = 0 : i64} : (tensor<3x2xf32>, tensor<i64>) -> tensor<2xf32>
    %isOne = nn.equal %i, %oneI : (tensor<i64>, tensor<i64>) -> tensor<i1>
    %contrib = nn.if %isOne : tensor<i1> -> tensor<2xf32> {
      nn.yield %zeros : tensor<2xf32>
    } else {
      nn.yield %row : tensor<2xf32>
    }
    %sum = nn.add %acc, %contrib : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    nn.yield %true, %sum, %row : tensor<i1>, tensor<2xf32>, tensor<2xf32>
  }
  %s0 = tensor.cast %s#0 : tensor<2xf32> to tensor<?xf32>
  call @printF32(%s0) : (tensor<?xf32>) -> ()
  // CHECK: sizes = [2]
  // CHECK-NEXT: [6,  8]
  %s1 = tensor.cast %s#1 : tensor<?x2xf32> to tensor<?x?xf32>
  call @printF32x2(%s1) : (tensor<?x?xf32>) -> ()
  // CHECK: sizes = [3, 2]
  // CHECK-NEXT: {{\[\[}}1,   2],
  // CHECK-NEXT: [3,   4],
  // CHECK-NEXT: [5,   6]]
  return
}
