// RUN: ddl-opt %s --ddl-lowbit-bf16-to-vector --canonicalize --cse | FileCheck %s

// K = 40 (20 pairs), N = 6. The weights laid out at compile time (as
// i16 bits) by column block of 64 outputs and pair of inputs: [1][20][64 x
// 2], zeros past N. The input rows rounded once: per row, 16 f32 at a
// time, lanes past K masked off (read as 0), rounded to bf16 (arith.truncf)
// into a [M, 48] buffer. Then (tasks of 64 rows) x (column blocks); tiles
// of 4 rows: per pair, 4 column vectors of 32 bf16 (16 outputs' pairs),
// each row's pair broadcast as a 32-bit word, 16 dots; the stores masked
// to the outputs that exist (here the first vector's 6).
// CHECK-LABEL: func.func @matmul
// CHECK:       %[[PACKED:.*]] = arith.constant dense_resource<ddl_bf16_weights_packed{{.*}}> : tensor<1x20x128xi16>
// CHECK:       %[[W:.*]] = bufferization.to_buffer %[[PACKED]] read_only : tensor<1x20x128xi16> to memref<1x20x128xi16>
// CHECK:       %[[ROUNDED:.*]] = memref.alloc(%{{.*}}) : memref<?x48xbf16>
// CHECK:       scf.for
// CHECK:         scf.for {{.*}} to %c48 step %c16
// CHECK:           %[[MASK:.*]] = vector.create_mask %{{.*}} : vector<16xi1>
// CHECK:           %[[X:.*]] = vector.maskedload %{{.*}}, %[[MASK]], %{{.*}} : memref<?x40xf32>, vector<16xi1>, vector<16xf32> into vector<16xf32>
// CHECK:           %[[B:.*]] = arith.truncf %[[X]] : vector<16xf32> to vector<16xbf16>
// CHECK:           vector.store %[[B]], %[[ROUNDED]]
// CHECK:       scf.parallel
// CHECK:         scf.for {{.*}} step %c4
// CHECK:           scf.for {{.*}} to %c20 step %c1 iter_args(
// CHECK:             %[[WBITS:.*]] = vector.load %[[W]][%c0, %{{.*}}, %c0] : memref<1x20x128xi16>, vector<32xi16>
// CHECK:             %[[WPAIRS:.*]] = vector.bitcast %[[WBITS]] : vector<32xi16> to vector<32xbf16>
// CHECK-COUNT-3:     vector.load %[[W]]
// CHECK:             %[[TWO:.*]] = vector.load %[[ROUNDED]][%{{.*}}, %{{.*}}] : memref<?x48xbf16>, vector<2xbf16>
// CHECK:             %[[WORD:.*]] = vector.bitcast %[[TWO]] : vector<2xbf16> to vector<1xi32>
// CHECK:             %[[SCALAR:.*]] = vector.extract %[[WORD]][0]
// CHECK:             %[[SPLAT:.*]] = vector.broadcast %[[SCALAR]] : i32 to vector<16xi32>
// CHECK:             %[[A:.*]] = vector.bitcast %[[SPLAT]] : vector<16xi32> to vector<32xbf16>
// CHECK:             lowbit.dot_bf16 %{{.*}}, %[[A]], %[[WPAIRS]] : vector<32xbf16>, vector<32xbf16> into vector<16xf32>
// CHECK-COUNT-15:    lowbit.dot_bf16
// CHECK:             scf.yield
// CHECK:           %[[STORED:.*]] = vector.constant_mask [6] : vector<16xi1>
// CHECK-COUNT-4:   vector.maskedstore %{{.*}}, %[[STORED]]
// The rows after the tiles, one at a time.
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
