// RUN: ddl-opt %s --ddl-lowbit-bf16-to-vector --canonicalize --cse | FileCheck %s

// K = 40: padded to 64 (two steps of 32 bf16), the weights at compile time
// (as i16 bits, zeros after each row's 40), the input rows when rounded:
// per row, 16 f32 at a time, lanes past K masked off (read as 0), rounded
// to bf16 (arith.truncf), stored. Then (tasks of 64 rows) x (blocks of 4
// outputs: N = 6 -> 2), outputs clamped to 5; tiles of 4 rows: per step
// 4 outputs' and 4 rows' 32 bf16, 16 dots; lane sums stored where the
// output exists.
// CHECK-LABEL: func.func @matmul
// CHECK:       %[[PADDED:.*]] = arith.constant dense_resource<ddl_bf16_weights_padded{{.*}}> : tensor<6x64xi16>
// CHECK:       %[[W:.*]] = bufferization.to_buffer %[[PADDED]] read_only : tensor<6x64xi16> to memref<6x64xi16>
// CHECK:       %[[ROUNDED:.*]] = memref.alloc(%{{.*}}) : memref<?x64xbf16>
// CHECK:       scf.for
// CHECK:         scf.for {{.*}} to %c64 step %c16
// CHECK:           %[[MASK:.*]] = vector.create_mask %{{.*}} : vector<16xi1>
// CHECK:           %[[X:.*]] = vector.maskedload %{{.*}}, %[[MASK]], %{{.*}} : memref<?x40xf32>, vector<16xi1>, vector<16xf32> into vector<16xf32>
// CHECK:           %[[B:.*]] = arith.truncf %[[X]] : vector<16xf32> to vector<16xbf16>
// CHECK:           vector.store %[[B]], %[[ROUNDED]]
// CHECK:       scf.parallel
// CHECK:         arith.minui %{{.*}}, %c5
// CHECK:         scf.for {{.*}} step %c4
// CHECK:           scf.for {{.*}} to %c64 step %c32 iter_args(
// CHECK:             %[[WBITS:.*]] = vector.load %[[W]][%{{.*}}, %{{.*}}] : memref<6x64xi16>, vector<32xi16>
// CHECK:             %[[WPAIRS:.*]] = vector.bitcast %[[WBITS]] : vector<32xi16> to vector<32xbf16>
// CHECK-COUNT-3:     vector.load %[[W]]
// CHECK:             %[[A:.*]] = vector.load %[[ROUNDED]][%{{.*}}, %{{.*}}] : memref<?x64xbf16>, vector<32xbf16>
// CHECK:             lowbit.dot_bf16 %{{.*}}, %[[A]], %[[WPAIRS]] : vector<32xbf16>, vector<32xbf16> into vector<16xf32>
// CHECK-COUNT-15:    lowbit.dot_bf16
// CHECK:             scf.yield
// CHECK:           scf.if
// CHECK:             vector.reduction <add>
// CHECK:             memref.store
// CHECK:         scf.for {{.*}} step %c1
// CHECK-COUNT-4:     lowbit.dot_bf16
// CHECK-NOT:   lowbit.matmul_bf16
func.func @matmul(%x: tensor<?x40xf32>) -> tensor<?x6xf32> {
  %w = arith.constant dense<1.0> : tensor<6x40xbf16>
  %y = lowbit.matmul_bf16 %x, %w : (tensor<?x40xf32>, tensor<6x40xbf16>) -> tensor<?x6xf32>
  return %y : tensor<?x6xf32>
}

// A K known only at run time, or weights computed at run time, are left
// to ddl-lowbit-to-linalg.
// CHECK-LABEL: func.func @dynamic_k
// CHECK: lowbit.matmul_bf16
// CHECK-LABEL: func.func @runtime_weights
// CHECK: lowbit.matmul_bf16
func.func @dynamic_k(%x: tensor<4x?xf32>, %w: tensor<8x?xbf16>) -> tensor<4x8xf32> {
  %y = lowbit.matmul_bf16 %x, %w : (tensor<4x?xf32>, tensor<8x?xbf16>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

func.func @runtime_weights(%x: tensor<4x64xf32>, %w: tensor<8x64xbf16>) -> tensor<4x8xf32> {
  %y = lowbit.matmul_bf16 %x, %w : (tensor<4x64xf32>, tensor<8x64xbf16>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}
