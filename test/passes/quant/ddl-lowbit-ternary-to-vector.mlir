// RUN: ddl-opt %s --ddl-lowbit-ternary-to-vector=assume-vnni=1 --canonicalize --cse | FileCheck %s

// K = 768 packed 5 trits per byte: 2 base-3 blocks of 320 inputs (64
// bytes), then 2 two-bit blocks of 64 (16 bytes): 160 bytes per row.
// First each row's activation sum (a dot with ones per 64 bytes), which
// every output subtracts (the dots multiply by the codes t + 1). Then a
// parallel loop over (tasks of 64 rows) x (blocks of 4 outputs: 10 / 4 ->
// 3), outputs clamped to 9.
// CHECK-LABEL: func.func @matmul
// CHECK:       %[[X:.*]] = bufferization.to_buffer %{{.*}} read_only : tensor<?x768xi8> to memref<?x768xi8>
// CHECK:       %[[W:.*]] = bufferization.to_buffer %{{.*}} read_only : tensor<10x160xi8> to memref<10x160xi8>
// CHECK:       %[[SUMS:.*]] = memref.alloc(%{{.*}}) : memref<?xi32>
// CHECK:       scf.for
// CHECK:         scf.for
// CHECK:           lowbit.dot_u8s8
// CHECK:         vector.reduction <add>
// CHECK:         memref.store %{{.*}}, %[[SUMS]]
// CHECK:       scf.parallel
// CHECK:         arith.minui %{{.*}}, %c9
// Tiles of 4 rows. Base-3 blocks: per output, 64 bytes as 16-bit lanes,
// even bytes moved to the high half, odd ones to the low half; per digit
// a high half of the even lanes times 3, the odd lanes times 3 masked to
// their high byte, or'ed into 64 codes; 4 rows' dots per digit.
// CHECK:         scf.for {{.*}} step %c4
// CHECK:           scf.for {{.*}} to %c2 step %c1 iter_args(
// CHECK:             %[[Q:.*]] = vector.load %[[W]][%{{.*}}, %{{.*}}] : memref<10x160xi8>, vector<64xi8>
// CHECK:             %[[H:.*]] = vector.bitcast %[[Q]] : vector<64xi8> to vector<32xi16>
// CHECK:             %[[EVEN:.*]] = arith.shli %[[H]]
// CHECK:             %[[ODD:.*]] = arith.shrui %[[H]]
// CHECK:             %{{.*}}, %[[DIGIT:.*]] = arith.mului_extended %[[EVEN]]
// CHECK:             %[[TRIPLED:.*]] = arith.muli %[[ODD]]
// CHECK:             %[[ODDCODE:.*]] = arith.andi %[[TRIPLED]]
// CHECK:             %[[CODES:.*]] = arith.ori %[[DIGIT]], %[[ODDCODE]] : vector<32xi16>
// CHECK:             %[[BYTES:.*]] = vector.bitcast %[[CODES]] : vector<32xi16> to vector<64xi8>
// CHECK:             %[[A:.*]] = vector.load %[[X]]
// CHECK-COUNT-3:     vector.load %[[X]]
// CHECK:             lowbit.dot_u8s8 %{{.*}}, %[[BYTES]], %[[A]]
// CHECK-COUNT-79:    lowbit.dot_u8s8
// CHECK:             scf.yield
// The 2-bit blocks: 16 bytes repeated 4 times, 64-bit lanes shifted by 0,
// 2, 4, 6 and masked to 2 bits per byte; 16 dots.
// CHECK:           scf.for {{.*}} to %c2 step %c1 iter_args(
// CHECK:             vector.load %[[X]]
// CHECK:             %[[SIXTEEN:.*]] = vector.load %[[W]][%{{.*}}, %{{.*}}] : memref<10x160xi8>, vector<16xi8>
// CHECK:             %[[WIDE:.*]] = vector.shuffle %[[SIXTEEN]], %[[SIXTEEN]] [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0,
// CHECK:             %[[WORDS:.*]] = vector.bitcast %[[WIDE]] : vector<64xi8> to vector<8xi64>
// CHECK:             %[[SHIFTED:.*]] = arith.shrui %[[WORDS]], %{{.*}} : vector<8xi64>
// CHECK:             arith.andi %[[SHIFTED]]
// CHECK-COUNT-16:    lowbit.dot_u8s8
// CHECK:             scf.yield
// The stores: lane sums less the row's activation sum, outputs < N only.
// CHECK:           scf.if
// CHECK:             vector.reduction <add>
// CHECK:             memref.load %[[SUMS]]
// CHECK:             arith.subi
// CHECK:             memref.store
// The rows after the tiles, one at a time.
// CHECK:         scf.for {{.*}} step %c1
// CHECK:           scf.for {{.*}} -> (vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>)
// CHECK-COUNT-20:    lowbit.dot_u8s8
// CHECK:           scf.for {{.*}} -> (vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>)
// CHECK-COUNT-4:     lowbit.dot_u8s8
// CHECK-NOT:   lowbit.matmul_ternary
func.func @matmul(%x: tensor<?x768xi8>, %w: tensor<10x160xi8>) -> tensor<?x10xi32> {
  %y = lowbit.matmul_ternary %x, %w {trits_per_byte = 5}
      : (tensor<?x768xi8>, tensor<10x160xi8>) -> tensor<?x10xi32>
  return %y : tensor<?x10xi32>
}

// A K known only at run time is left to ddl-lowbit-to-linalg (the
// lookup-table kernel, what a target without an int8 dot gets, is tested in
// ddl-lowbit-ternary-lookup.mlir).
// CHECK-LABEL: func.func @dynamic_k
// CHECK: lowbit.matmul_ternary
func.func @dynamic_k(%x: tensor<4x?xi8>, %w: tensor<8x16xi8>) -> tensor<4x8xi32> {
  %y = lowbit.matmul_ternary %x, %w {trits_per_byte = 4}
      : (tensor<4x?xi8>, tensor<8x16xi8>) -> tensor<4x8xi32>
  return %y : tensor<4x8xi32>
}
