// RUN: ddl-opt %s --ddl-lowbit-int4-to-vector | FileCheck %s

// A parallel loop over (tasks of 64 rows) x (blocks of 4 outputs: 40 / 4 =
// 10), each with a 4 x 2048 f32 stack buffer. Whole tiles of 4 rows: their
// outputs start at 0; per chunk of up to 2048 k (here both groups), each
// output's 16 bytes per 32-wide block are loaded, sign-extended to i32
// lanes, unpacked with shifts (low nibble: shl 28 then shrsi 28; high:
// shrsi 4), converted, scaled by their group's scale and stored in the
// buffer once; then every tile runs over the chunk with plain loads (4
// weight vectors, 4 activation vectors, 16 FMAs per 16 k) and adds each
// accumulator's lane sum into out, for outputs < N.
// CHECK-LABEL: func.func @gemv
// CHECK:       %[[W:.*]] = bufferization.to_buffer %{{.*}} read_only : tensor<40x64xi8> to memref<40x64xi8>
// CHECK:       scf.parallel
// CHECK:         memref.alloca_scope
// CHECK:           %[[BUF:.*]] = memref.alloca() {alignment = 64 : i64} : memref<4x2048xf32>
// CHECK:           arith.minui %{{.*}}, %c39
// CHECK:           scf.if
// CHECK:             scf.for
// CHECK:               memref.store %{{.*}}, %alloc
// CHECK:             scf.for {{.*}} step %c32
// CHECK:               scf.for
// CHECK:                 scf.for
// CHECK:                   %[[BYTES:.*]] = vector.load %[[W]][%{{.*}}, %{{.*}}] : memref<40x64xi8>, vector<16xi8>
// CHECK:                   %[[WIDE:.*]] = arith.extsi %[[BYTES]] : vector<16xi8> to vector<16xi32>
// CHECK:                   %[[UP:.*]] = arith.shli %[[WIDE]], %{{.*}} : vector<16xi32>
// CHECK:                   %[[LOW:.*]] = arith.shrsi %[[UP]], %{{.*}} : vector<16xi32>
// CHECK:                   %[[HIGH:.*]] = arith.shrsi %[[WIDE]], %{{.*}} : vector<16xi32>
// CHECK:                   %[[LOWF:.*]] = arith.sitofp %[[LOW]] : vector<16xi32> to vector<16xf32>
// CHECK:                   %[[SCALED:.*]] = arith.mulf %[[LOWF]]
// CHECK:                   vector.store %[[SCALED]], %[[BUF]]
// CHECK:               scf.for {{.*}} step %c4
// CHECK:                 scf.for {{.*}} step %c16 iter_args(
// CHECK-COUNT-4:           vector.load %[[BUF]]
// CHECK:                   vector.load %{{.*}} : memref<?x128xf32>, vector<16xf32>
// CHECK-COUNT-16:          vector.fma
// CHECK:                 scf.if
// CHECK:                   vector.reduction <add>
// CHECK:                   arith.addf
// CHECK:                   memref.store
// The single rows after the tiles: the weights unpacked in registers, 8
// FMAs per block on unscaled weights into per-group sums, which are scaled
// once per group (4 FMAs).
// CHECK:           scf.for
// CHECK:             scf.for {{.*}} -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK:               scf.for
// CHECK-NOT:             arith.mulf
// CHECK-COUNT-8:         vector.fma
// CHECK:               }
// CHECK-COUNT-4:       vector.fma
// CHECK:       bufferization.to_tensor
// CHECK-NOT:   lowbit.matmul_int4
func.func @gemv(%x: tensor<?x128xf32>, %w: tensor<40x64xi8>, %s: tensor<40x2xf32>) -> tensor<?x40xf32> {
  %y = lowbit.matmul_int4 %x, %w, %s {group_size = 64} : (tensor<?x128xf32>, tensor<40x64xi8>, tensor<40x2xf32>) -> tensor<?x40xf32>
  return %y : tensor<?x40xf32>
}
