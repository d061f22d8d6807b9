// RUN: ddl-opt %s --ddl-lowbit-ternary-to-vector="kernel=lut target=aarch64" --canonicalize --cse | FileCheck %s
// RUN: ddl-opt %s --ddl-lowbit-ternary-to-vector="kernel=lut target=aarch64" | FileCheck %s --check-prefix=LAYOUT
// RUN: not ddl-opt %s --ddl-lowbit-ternary-to-vector=kernel=fast 2>&1 | FileCheck %s --check-prefix=BAD
// RUN: ddl-opt %s --ddl-lowbit-ternary-to-vector="kernel=lut target=aarch64 lookup-bytes=32" --canonicalize --cse | FileCheck %s --check-prefix=AVX2
// RUN: not ddl-opt %s --ddl-lowbit-ternary-to-vector="kernel=lut lookup-bytes=24" 2>&1 | FileCheck %s --check-prefix=BADBYTES

// The lookup-table kernel on Arm (16-byte vectors: blocks of 16 outputs).
// K = 64 (16 quads: one partial chunk of the 32 whose i16 sums are
// widened at once), N = 20 (2 blocks, the second with 4 outputs). Rows
// in chunks whose tables fit 8 MB (8192 rows of 1 KB here); per chunk,
// first each row's tables, in parallel over the rows: per pair of inputs
// the 9 sums a0 t0 + a1 t1 as i16 (constant t0, t1 per entry), their low
// and high bytes stored 32 bytes a pair.
// CHECK-LABEL: func.func @matmul
// CHECK:       %[[PACKED:.*]] = arith.constant dense_resource<ddl_ternary_lookup_weights{{.*}}> : tensor<2x16x16xi8>
// CHECK:       %[[W:.*]] = bufferization.to_buffer %[[PACKED]] read_only : tensor<2x16x16xi8> to memref<2x16x16xi8>
// CHECK:       scf.for %[[FIRST:.*]] = %c0 to %{{.*}} step %c8192
// CHECK:         %[[TABLES:.*]] = memref.alloc(%{{.*}}) : memref<?x1024xi8>
// CHECK:         scf.parallel
// CHECK:         scf.for
// CHECK:           tensor.extract
// CHECK:           arith.extsi %{{.*}} : i8 to i16
// CHECK:           vector.broadcast %{{.*}} : i16 to vector<16xi16>
// CHECK:           arith.muli
// CHECK:           arith.trunci %{{.*}} : vector<16xi16> to vector<16xi8>
// CHECK:           vector.store %{{.*}}, %[[TABLES]]
// CHECK:           arith.shrui
// CHECK:           arith.trunci %{{.*}} : vector<16xi16> to vector<16xi8>
// CHECK:           vector.store %{{.*}}, %[[TABLES]]
// Then (tasks of 64 rows) x (blocks of 16 outputs); tiles of 4 rows: per
// quad the 16 outputs' entry numbers (low and high nibbles), per pair and
// row two lookups (low and high bytes of the sums), interleaved into i16
// lanes and summed; after the chunk widened into i32 totals.
// CHECK:       scf.parallel
// CHECK:         scf.for {{.*}} step %c4
// CHECK:           scf.for {{.*}} to %c16 step %c1 iter_args(
// CHECK:             %[[E:.*]] = vector.load %[[W]][%{{.*}}, %{{.*}}, %c0] : memref<2x16x16xi8>, vector<16xi8>
// CHECK:             %[[LO:.*]] = arith.andi %[[E]]
// CHECK:             %[[HI:.*]] = arith.shrui %[[E]]
// CHECK:             %[[T:.*]] = vector.load %[[TABLES]]
// CHECK:             %[[L:.*]] = lowbit.lookup16 %[[T]], %[[LO]] : vector<16xi8>
// CHECK:             %[[H:.*]] = lowbit.lookup16 %{{.*}}, %[[LO]] : vector<16xi8>
// CHECK:             vector.shuffle %[[L]], %[[H]] [0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23]
// CHECK:             vector.shuffle %[[L]], %[[H]] [8, 24, 9, 25,
// CHECK-COUNT-13:    lowbit.lookup16
// CHECK:             lowbit.lookup16 %{{.*}}, %[[HI]]
// CHECK:             scf.yield
// CHECK:           arith.extsi %{{.*}} : vector<8xi16> to vector<8xi32>
// Stored in the outputs' order where they exist (N - n0 lanes).
// CHECK:           %[[MASK:.*]] = vector.create_mask %{{.*}} : vector<16xi1>
// CHECK:           vector.shuffle %{{.*}}, %{{.*}} [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]
// CHECK:           vector.maskedstore %{{.*}}[%{{.*}}, %{{.*}}], %[[MASK]]
// The rows after the tiles, one at a time.
// CHECK:         scf.for {{.*}} step %c1
// CHECK-COUNT-4:   lowbit.lookup16
// CHECK-NOT:   lowbit.matmul_ternary
// The layout: every weight -1 (code 0) is entry 0 in both nibbles; the
// second block's 12 padded outputs are zero trits, entry 4 (0x44).
// LAYOUT: ddl_ternary_lookup_weights: "0x01000000{{(00)+}}444444444444444444444444000000004444
func.func @matmul(%x: tensor<?x64xi8>) -> tensor<?x20xi32> {
  %w = arith.constant dense<0> : tensor<20x16xi8>
  %y = lowbit.matmul_ternary %x, %w {trits_per_byte = 4}
      : (tensor<?x64xi8>, tensor<20x16xi8>) -> tensor<?x20xi32>
  return %y : tensor<?x20xi32>
}

// Weights known only at run time: the kernel lays them out at compile time,
// so the dot kernel runs them (Arm has sdot).
// CHECK-LABEL: func.func @runtime_weights
// CHECK-NOT: lowbit.lookup16
// CHECK: lowbit.dot_s8s8
func.func @runtime_weights(%x: tensor<4x64xi8>, %w: tensor<8x16xi8>) -> tensor<4x8xi32> {
  %y = lowbit.matmul_ternary %x, %w {trits_per_byte = 4}
      : (tensor<4x64xi8>, tensor<8x16xi8>) -> tensor<4x8xi32>
  return %y : tensor<4x8xi32>
}

// BAD: unknown kernel 'fast' (expected auto, dot or lut)

// 32-byte vectors (AVX2's vpshufb: two 16-byte lanes): blocks of 32
// outputs (N = 20: one), each table broadcast to both lanes, the low and
// high bytes interleaved per lane (outputs 0-7 and 16-23 in the first i16
// half, 8-15 and 24-31 in the second), stored back in the outputs' order.
// AVX2-LABEL: func.func @matmul
// AVX2: arith.constant dense_resource<ddl_ternary_lookup_weights{{.*}}> : tensor<1x16x32xi8>
// AVX2: %[[T:.*]] = vector.shuffle %{{.*}}, %{{.*}} [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15] : vector<16xi8>, vector<16xi8>
// AVX2: %[[L:.*]] = lowbit.lookup16 %[[T]], %{{.*}} : vector<32xi8>
// AVX2: vector.shuffle %[[L]], %{{.*}} [0, 32, 1, 33, 2, 34, 3, 35, 4, 36, 5, 37, 6, 38, 7, 39, 16, 48, 17, 49, 18, 50, 19, 51, 20, 52, 21, 53, 22, 54, 23, 55]
// AVX2: vector.shuffle %[[L]], %{{.*}} [8, 40, 9, 41, 10, 42, 11, 43, 12, 44, 13, 45, 14, 46, 15, 47, 24, 56, 25, 57, 26, 58, 27, 59, 28, 60, 29, 61, 30, 62, 31, 63]
// AVX2: vector.shuffle %{{.*}}, %{{.*}} [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23, 8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31] : vector<16xi32>, vector<16xi32>
// AVX2: vector.maskedstore
// BADBYTES: ddl-lowbit-ternary-to-vector: lookup-bytes must be 16, 32 or 64, not 24
