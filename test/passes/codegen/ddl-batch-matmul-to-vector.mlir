// RUN: ddl-opt %s --ddl-batch-matmul-to-vector --split-input-file --verify-diagnostics | FileCheck %s

// Attention's scores: the parallel loop runs over (batch, M blocks); per
// block, full 16-lane column tiles, then one masked tile for the 5 columns
// left; per column tile, full 4-row tiles, then single rows. The zero fill
// of C is folded (the accumulators start at zero) and B is read in place.
// CHECK-LABEL: func.func @scores
// CHECK-SAME: (%[[A:.+]]: memref<3x21x8xf32>, %[[B:.+]]: memref<3x8x21xf32>, %[[C:.+]]: memref<3x21x21xf32>)
// CHECK-NOT: linalg.fill
// CHECK: scf.parallel (%[[P:.+]]) =
// CHECK:   %[[BATCH:.+]] = arith.divui %[[P]]
// CHECK:   scf.for %[[COL:.+]] = %{{.+}} to %{{.+}} step %c16
// CHECK:     scf.for %[[ROW:.+]] = %{{.+}} to %{{.+}} step %c4
// CHECK:       scf.for %[[K:.+]] = {{.+}} iter_args({{.+}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>) {
// CHECK:         vector.load %[[B]][%[[BATCH]], %[[K]], %[[COL]]] : memref<3x8x21xf32>, vector<16xf32>
// CHECK:         memref.load %[[A]][%[[BATCH]], %[[ROW]], %[[K]]]
// CHECK-COUNT-4: vector.fma
// CHECK-COUNT-4: vector.store {{.+}}, %[[C]]
// CHECK:     scf.for %[[ROW1:.+]] = %{{.+}} to %{{.+}} step %c1
// CHECK:       vector.fma
// CHECK:   scf.if
// CHECK:     %[[MASK:.+]] = vector.create_mask %{{.+}} : vector<16xi1>
// CHECK:     vector.maskedload %[[B]][{{.+}}], %[[MASK]]
// CHECK-COUNT-4: vector.fma
// CHECK:     vector.maskedstore %[[C]]
// CHECK-NOT: linalg.batch_matmul
func.func @scores(%a: memref<3x21x8xf32>, %b: memref<3x8x21xf32>, %c: memref<3x21x21xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%c : memref<3x21x21xf32>)
  linalg.batch_matmul {sched.schedule = #sched.contraction<isa = "avx512", register = [4, 16, 1], cache = [8, 2, 8], parallel = 0>}
    ins(%a, %b : memref<3x21x8xf32>, memref<3x8x21xf32>) outs(%c : memref<3x21x21xf32>)
  return
}

// -----

// A run-time-B matmul (one batch) with dynamic sizes and C's initial value
// kept: the accumulators start from C; k blocks of 32.
// CHECK-LABEL: func.func @accumulate
// CHECK-SAME: (%[[A:.+]]: memref<?x?xf32>, %[[B:.+]]: memref<?x?xf32>, %[[C:.+]]: memref<?x?xf32>)
// CHECK: scf.parallel
// CHECK:   scf.for %{{.+}} = %{{.+}} to %{{.+}} step %c32
// CHECK:     vector.load %[[C]]
// CHECK:     vector.fma
func.func @accumulate(%a: memref<?x?xf32>, %b: memref<?x?xf32>, %c: memref<?x?xf32>) {
  linalg.matmul {sched.schedule = #sched.contraction<isa = "avx512", register = [8, 32, 1], cache = [4, 4, 32], parallel = 0>}
    ins(%a, %b : memref<?x?xf32>, memref<?x?xf32>) outs(%c : memref<?x?xf32>)
  return
}

// -----

// B's rows must be contiguous for the vector loads.
func.func @strided_rows(%a: memref<2x4x8xf32>, %b: memref<2x8x16xf32, strided<[256, 32, 2]>>, %c: memref<2x4x16xf32>) {
  // expected-error @below {{the run-time-B f32 kernel needs f32 buffers whose rows (B's and C's) are contiguous}}
  linalg.batch_matmul {sched.schedule = #sched.contraction<isa = "avx512", register = [4, 16, 1], cache = [1, 1, 8], parallel = 0>}
    ins(%a, %b : memref<2x4x8xf32>, memref<2x8x16xf32, strided<[256, 32, 2]>>) outs(%c : memref<2x4x16xf32>)
  return
}
