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

// -----

// The fill before the kernel and the unpacking transpose after it are
// folded in: the first k block starts from the fill value, later blocks
// reload what the earlier ones stored, and the tiles are stored straight
// into the result's rows ([M1][M0][N1][N0]).
// CHECK-LABEL: func.func @fused
// CHECK-SAME: %[[Y:[^:]+]]: memref<2x4x3x16xf32>
// CHECK-NOT: linalg.fill
// CHECK: scf.parallel
// CHECK: scf.for %[[KB:[^ ]+]] =
// CHECK: scf.for
// CHECK: scf.for %[[N:[^ ]+]] =
// CHECK: scf.for %[[M:[^ ]+]] =
// CHECK: %[[FIRST:.+]] = arith.cmpi eq, %[[KB]], %{{.+}} : index
// CHECK: scf.if %[[FIRST]] -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK: %[[SPLAT:.+]] = vector.broadcast %{{.+}} : f32 to vector<16xf32>
// CHECK: scf.yield %[[SPLAT]], %[[SPLAT]], %[[SPLAT]], %[[SPLAT]]
// CHECK: } else {
// CHECK: vector.load %[[Y]][%[[M]], %{{.+}}, %[[N]], %{{.+}}] : memref<2x4x3x16xf32>, vector<16xf32>
// CHECK: vector.store %{{.+}}, %[[Y]][%[[M]], %{{.+}}, %[[N]], %{{.+}}] : memref<2x4x3x16xf32>, vector<16xf32>
// CHECK-NOT: linalg.transpose
func.func @fused(%a: memref<2x8x4x1xf32>, %b: memref<3x8x16x1xf32>, %c: memref<2x3x4x16xf32>, %y: memref<2x4x3x16xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%c : memref<2x3x4x16xf32>)
  linalg.mmt4d {sched.schedule = #sched.contraction<isa = "avx512", register = [4, 16, 1], cache = [1, 1, 4], parallel = 1>}
    ins(%a, %b : memref<2x8x4x1xf32>, memref<3x8x16x1xf32>) outs(%c : memref<2x3x4x16xf32>)
  linalg.transpose ins(%c : memref<2x3x4x16xf32>) outs(%y : memref<2x4x3x16xf32>) permutation = [0, 2, 1, 3]
  return
}

// -----

// An elementwise epilogue of the unpacked result (per-column bias, relu,
// a residual of the result's shape) runs on the last k block's tiles:
// row r of the [8, 48] result is element (r / 4, r % 4, column) of the
// epilogue's [2, 4, 48] view; the pack of A (nothing else reads it) goes,
// and the kernel broadcasts A from its rows.
// CHECK-LABEL: func.func @epilogue
// CHECK-SAME: %[[A:[^:]+]]: memref<2x4x8xf32>
// CHECK-SAME: %[[OUT:[^:]+]]: memref<2x4x48xf32>)
// CHECK-NOT: linalg.transpose
// CHECK: scf.parallel
// CHECK: memref.load %[[A]][%{{.+}}, %c0{{.*}}, %{{.+}}] : memref<2x4x8xf32>
// CHECK: %[[LAST:.+]] = arith.cmpi eq, %{{.+}}, %{{.+}} : index
// CHECK: scf.if %[[LAST]] {
// CHECK: arith.divui
// CHECK: vector.load %{{.+}} : memref<48xf32>, vector<16xf32>
// CHECK: arith.addf {{.*}} : vector<16xf32>
// CHECK: arith.maximumf {{.*}} : vector<16xf32>
// CHECK: vector.load %{{.+}} : memref<2x4x48xf32>, vector<16xf32>
// CHECK: arith.addf {{.*}} : vector<16xf32>
// CHECK: vector.store %{{.+}}, %[[OUT]][{{.+}}] : memref<2x4x48xf32>, vector<16xf32>
// CHECK: } else {
// CHECK: vector.store
// CHECK-NOT: linalg.generic
func.func @epilogue(%a: memref<2x4x8xf32>, %b: memref<3x8x16x1xf32>, %bias: memref<48xf32>,
                    %residual: memref<2x4x48xf32>, %out: memref<2x4x48xf32>) {
  %zero = arith.constant 0.0 : f32
  %packed = memref.alloc() : memref<2x8x4xf32>
  linalg.transpose ins(%a : memref<2x4x8xf32>) outs(%packed : memref<2x8x4xf32>) permutation = [0, 2, 1]
  %a4 = memref.expand_shape %packed [[0], [1], [2, 3]] output_shape [2, 8, 4, 1] : memref<2x8x4xf32> into memref<2x8x4x1xf32>
  %c = memref.alloc() : memref<2x3x4x16xf32>
  linalg.fill ins(%zero : f32) outs(%c : memref<2x3x4x16xf32>)
  linalg.mmt4d {sched.schedule = #sched.contraction<isa = "avx512", register = [4, 16, 1], cache = [1, 1, 4], parallel = 1>}
    ins(%a4, %b : memref<2x8x4x1xf32>, memref<3x8x16x1xf32>) outs(%c : memref<2x3x4x16xf32>)
  %result = memref.alloc() : memref<8x48xf32>
  %tiles = memref.expand_shape %result [[0, 1], [2, 3]] output_shape [2, 4, 3, 16] : memref<8x48xf32> into memref<2x4x3x16xf32>
  linalg.transpose ins(%c : memref<2x3x4x16xf32>) outs(%tiles : memref<2x4x3x16xf32>) permutation = [0, 2, 1, 3]
  %view = memref.expand_shape %result [[0, 1], [2]] output_shape [2, 4, 48] : memref<8x48xf32> into memref<2x4x48xf32>
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d2)>,
                                   affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>],
                  iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%view, %bias, %residual : memref<2x4x48xf32>, memref<48xf32>, memref<2x4x48xf32>) outs(%out : memref<2x4x48xf32>) {
  ^bb0(%x: f32, %b0: f32, %r: f32, %o: f32):
    %0 = arith.addf %x, %b0 : f32
    %1 = arith.maximumf %0, %zero : f32
    %2 = arith.addf %1, %r : f32
    linalg.yield %2 : f32
  }
  return
}
