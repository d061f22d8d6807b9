// RUN: ddl-opt %s --ddl-mmt4d-to-vector --split-input-file --verify-diagnostics | FileCheck %s

// The schedule's loop nest: parallel N blocks (Nc = 3), k blocks (Kc = 16),
// M blocks (Mc = 2), n1, m1, then k1 carrying the 4 accumulator rows of
// 16 lanes; one load of B and 4 broadcast FMAs per k1 step.
// CHECK-LABEL: func.func @kernel
// CHECK-SAME: (%[[A:.+]]: memref<?x64x4x1xf32>, %[[B:.+]]: memref<7x64x16x1xf32>, %[[C:.+]]: memref<?x7x4x16xf32>)
// CHECK: %[[BR:.+]] = memref.collapse_shape %[[B]] {{\[\[}}0], [1], [2, 3]] : memref<7x64x16x1xf32> into memref<7x64x16xf32>
// CHECK-DAG: %[[C3:.+]] = arith.constant 3 : index
// CHECK-DAG: %[[C16:.+]] = arith.constant 16 : index
// CHECK-DAG: %[[C2:.+]] = arith.constant 2 : index
// CHECK: scf.parallel (%[[NB:.+]]) = (%{{.+}}) to (%{{.+}}) step (%[[C3]]) {
// CHECK:   scf.for %[[KB:.+]] = %{{.+}} to %{{.+}} step %[[C16]] {
// CHECK:     scf.for %{{.+}} = %{{.+}} to %{{.+}} step %[[C2]] {
// CHECK:       scf.for %[[N:.+]] =
// CHECK:         scf.for %[[M:.+]] =
// CHECK-COUNT-4:   vector.load %[[C]][%[[M]], %[[N]], %{{.+}}, %{{.+}}] : memref<?x7x4x16xf32>, vector<16xf32>
// CHECK:           scf.for %[[K:.+]] = {{.+}} iter_args({{.+}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>) {
// CHECK:             vector.load %[[BR]][%[[N]], %[[K]], %{{.+}}] : memref<7x64x16xf32>, vector<16xf32>
// CHECK-COUNT-4:     vector.fma
// CHECK:             scf.yield
// CHECK-COUNT-4:   vector.store
// CHECK-NOT: linalg.mmt4d
func.func @kernel(%a: memref<?x64x4x1xf32>, %b: memref<7x64x16x1xf32>, %c: memref<?x7x4x16xf32>) {
  linalg.mmt4d {sched.schedule = #sched.contraction<isa = "avx512", register = [4, 16, 1], cache = [2, 3, 16], parallel = 1>}
    ins(%a, %b : memref<?x64x4x1xf32>, memref<7x64x16x1xf32>) outs(%c : memref<?x7x4x16xf32>)
  return
}

// -----

// parallel = 0 splits the M blocks across threads instead.
// CHECK-LABEL: func.func @parallel_m
// CHECK: %[[M1:.+]] = memref.dim %{{.+}}, %c0
// CHECK: scf.parallel (%{{.+}}) = (%{{.+}}) to (%[[M1]]) step (%c5)
func.func @parallel_m(%a: memref<?x8x4x1xf32>, %b: memref<2x8x16x1xf32>, %c: memref<?x2x4x16xf32>) {
  linalg.mmt4d {sched.schedule = #sched.contraction<isa = "avx512", register = [4, 16, 1], cache = [5, 1, 8], parallel = 0>}
    ins(%a, %b : memref<?x8x4x1xf32>, memref<2x8x16x1xf32>) outs(%c : memref<?x2x4x16xf32>)
  return
}

// -----

// Unscheduled mmt4d ops are left alone.
// CHECK-LABEL: func.func @unscheduled
// CHECK: linalg.mmt4d
func.func @unscheduled(%a: memref<1x8x4x1xf32>, %b: memref<2x8x16x1xf32>, %c: memref<1x2x4x16xf32>) {
  linalg.mmt4d ins(%a, %b : memref<1x8x4x1xf32>, memref<2x8x16x1xf32>) outs(%c : memref<1x2x4x16xf32>)
  return
}

// -----

// Buffers whose inner tiles disagree with the schedule are an error.
func.func @mismatch(%a: memref<1x8x4x1xf32>, %b: memref<2x8x16x1xf32>, %c: memref<1x2x4x16xf32>) {
  // expected-error @below {{the f32 micro-kernel needs K0 = 1 and identity-layout f32 buffers with the schedule's inner tiles 8x1, 16x1 and 8x16}}
  linalg.mmt4d {sched.schedule = #sched.contraction<isa = "avx512", register = [8, 16, 1], cache = [1, 1, 8], parallel = 1>}
    ins(%a, %b : memref<1x8x4x1xf32>, memref<2x8x16x1xf32>) outs(%c : memref<1x2x4x16xf32>)
  return
}
