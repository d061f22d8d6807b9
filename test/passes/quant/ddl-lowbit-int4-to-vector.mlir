// RUN: ddl-opt %s --ddl-lowbit-int4-to-vector | FileCheck %s

// A parallel loop over (tasks of 64 rows) x (blocks of 4 outputs: 40 / 4 =
// 10); whole tiles of 4 rows, then single rows. Per group, each output's
// scale is broadcast; per 32-wide block of k, each output's 16 bytes are
// loaded once, sign-extended to i32 lanes and unpacked with shifts (low
// nibble: shl 28 then shrsi 28; high: shrsi 4) into two 16-lane f32
// vectors scaled by the group's scale, which every row's two 16-wide
// activation vectors FMA into its accumulator. Lanes are summed at the
// end, stores only for outputs < N.
// CHECK-LABEL: func.func @gemv
// CHECK:       %[[W:.*]] = bufferization.to_buffer %{{.*}} read_only : tensor<40x64xi8> to memref<40x64xi8>
// CHECK:       scf.parallel
// CHECK:         arith.minui %{{.*}}, %c39
// CHECK:         scf.for {{.*}} step %c4
// CHECK:           scf.for {{.*}} iter_args(%{{.*}} = %cst{{.*}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>
// CHECK:             vector.broadcast %{{.*}} : f32 to vector<16xf32>
// CHECK:             scf.for
// CHECK:               %[[BYTES:.*]] = vector.load %[[W]][%{{.*}}, %{{.*}}] : memref<40x64xi8>, vector<16xi8>
// CHECK:               %[[WIDE:.*]] = arith.extsi %[[BYTES]] : vector<16xi8> to vector<16xi32>
// CHECK:               %[[UP:.*]] = arith.shli %[[WIDE]], %{{.*}} : vector<16xi32>
// CHECK:               %[[LOW:.*]] = arith.shrsi %[[UP]], %{{.*}} : vector<16xi32>
// CHECK:               %[[HIGH:.*]] = arith.shrsi %[[WIDE]], %{{.*}} : vector<16xi32>
// CHECK:               %[[LOWF:.*]] = arith.sitofp %[[LOW]] : vector<16xi32> to vector<16xf32>
// CHECK:               arith.mulf %[[LOWF]]
// CHECK-COUNT-32:      vector.fma
// CHECK:           scf.if
// CHECK:             vector.reduction <add>
// CHECK:             memref.store
// The single-row tail: 4 accumulators, 8 FMAs per block on unscaled
// weights into per-group sums, which are scaled once per group.
// CHECK:         scf.for
// CHECK:           scf.for {{.*}} -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK:             scf.for
// CHECK-NOT:           arith.mulf
// CHECK-COUNT-8:       vector.fma
// CHECK:             }
// CHECK-COUNT-4:     vector.fma
// CHECK:       bufferization.to_tensor
// CHECK-NOT:   lowbit.matmul_int4
func.func @gemv(%x: tensor<?x128xf32>, %w: tensor<40x64xi8>, %s: tensor<40x2xf32>) -> tensor<?x40xf32> {
  %y = lowbit.matmul_int4 %x, %w, %s {group_size = 64} : (tensor<?x128xf32>, tensor<40x64xi8>, tensor<40x2xf32>) -> tensor<?x40xf32>
  return %y : tensor<?x40xf32>
}
