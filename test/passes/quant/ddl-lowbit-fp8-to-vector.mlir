// RUN: ddl-opt %s --ddl-lowbit-fp8-to-vector --canonicalize --cse | FileCheck %s
// RUN: ddl-opt %s --ddl-lowbit-fp8-to-vector=target=aarch64 --canonicalize --cse | FileCheck %s

// A parallel loop over (tasks of 64 rows) x (blocks of 4 outputs: 6 / 4 ->
// 2), outputs clamped to 5. Per 16 inputs, each operand's 16 E4M3 bytes
// widened to 16-bit lanes, exponent and mantissa shifted left by 7 and the
// sign by 8 into an f16, widened to f32 (2^-8 of the value); 4 outputs'
// weights, then per row its activations and 4 FMAs; the lane sums times
// 2^16 stored for outputs < N.
// CHECK-LABEL: func.func @matmul
// CHECK-DAG:   %[[SHIFT7:.*]] = arith.constant dense<7> : vector<16xi16>
// CHECK-DAG:   %[[SHIFT8:.*]] = arith.constant dense<8> : vector<16xi16>
// CHECK-DAG:   %[[SCALE:.*]] = arith.constant 6.553600e+04 : f32
// CHECK:       %[[W:.*]] = bufferization.to_buffer %{{.*}} read_only : tensor<6x32xi8> to memref<6x32xi8>
// CHECK:       scf.parallel
// CHECK:         arith.minui %{{.*}}, %c5
// CHECK:         scf.for {{.*}} step %c4
// CHECK:           scf.for {{.*}} to %c32 step %c16 iter_args(
// CHECK:             %[[BYTES:.*]] = vector.load %[[W]][%{{.*}}, %{{.*}}] : memref<6x32xi8>, vector<16xi8>
// CHECK:             %[[WIDE:.*]] = arith.extui %[[BYTES]] : vector<16xi8> to vector<16xi16>
// CHECK:             %[[MAG:.*]] = arith.andi %[[WIDE]]
// CHECK:             %[[MAGUP:.*]] = arith.shli %[[MAG]], %[[SHIFT7]]
// CHECK:             %[[SIGN:.*]] = arith.andi %[[WIDE]]
// CHECK:             %[[SIGNUP:.*]] = arith.shli %[[SIGN]], %[[SHIFT8]]
// CHECK:             %[[HALF:.*]] = arith.ori %[[MAGUP]], %[[SIGNUP]]
// CHECK:             %[[F16:.*]] = vector.bitcast %[[HALF]] : vector<16xi16> to vector<16xf16>
// CHECK:             arith.extf %[[F16]] : vector<16xf16> to vector<16xf32>
// CHECK-COUNT-16:    vector.fma
// CHECK:             scf.yield
// CHECK:           scf.if
// CHECK:             vector.reduction <add>
// CHECK:             arith.mulf %{{.*}}, %[[SCALE]]
// CHECK:             memref.store
// The rows after the tiles, one at a time: 4 FMAs per step.
// CHECK:         scf.for {{.*}} step %c1
// CHECK:           scf.for {{.*}} -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK-COUNT-4:     vector.fma
// CHECK-NOT:   lowbit.matmul_fp8
func.func @matmul(%x: tensor<?x32xi8>, %w: tensor<6x32xi8>) -> tensor<?x6xf32> {
  %y = lowbit.matmul_fp8 %x, %w : (tensor<?x32xi8>, tensor<6x32xi8>) -> tensor<?x6xf32>
  return %y : tensor<?x6xf32>
}

// K not a multiple of 16 (and K or N known only at run time) is left to
// ddl-lowbit-to-linalg.
// CHECK-LABEL: func.func @odd_k
// CHECK: lowbit.matmul_fp8
func.func @odd_k(%x: tensor<4x24xi8>, %w: tensor<8x24xi8>) -> tensor<4x8xf32> {
  %y = lowbit.matmul_fp8 %x, %w : (tensor<4x24xi8>, tensor<8x24xi8>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}
