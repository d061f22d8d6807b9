// RUN: ddl-opt %s --ddl-contraction-to-vector --split-input-file --verify-diagnostics | FileCheck %s

// Attention's scores (B computed at run time): the parallel loop runs over (batch, M blocks); per
// block, full 16-lane column tiles, then one masked tile for the 5 columns
// left; per column tile, full 4-row tiles, then single rows. The zero fill
// of C is folded (the accumulators start at zero) and B is read in place.
// CHECK-LABEL: func.func @scores
// CHECK-SAME: (%[[A:.+]]: memref<3x21x8xf32>, %[[B:.+]]: memref<3x8x21xf32>, %[[C:.+]]: memref<3x21x21xf32>)
// CHECK-NOT: linalg.fill
// CHECK: scf.parallel (%[[P:.+]]) =
// CHECK:   %[[BATCH:[^ ]+]] = arith.divui %[[P]]
// CHECK:   scf.for %[[COL:[^ ]+]] = %{{.+}} to %{{.+}} step %c16
// CHECK:     scf.for %[[ROW:[^ ]+]] = %{{.+}} to %{{.+}} step %c4
// CHECK:       scf.for %[[K:[^ ]+]] = {{.+}} iter_args({{.+}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>) {
// CHECK:         vector.load %[[B]][%[[BATCH]], %[[K]], %[[COL]]] : memref<3x8x21xf32>, vector<16xf32>
// CHECK:         memref.load %[[A]][%[[BATCH]], %[[ROW]], %[[K]]]
// CHECK-COUNT-4: vector.fma
// CHECK-COUNT-4: vector.store {{.+}}, %[[C]]
// CHECK:     scf.for %[[ROW1:[^ ]+]] = %{{.+}} to %{{.+}} step %c1
// CHECK:       vector.fma
// CHECK:   scf.if
// CHECK:     %[[MASK:[^ ]+]] = vector.create_mask %{{.+}} : vector<16xi1>
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
  // expected-error @below {{the f32 kernel needs f32 buffers whose rows (B's and C's) are contiguous}}
  linalg.batch_matmul {sched.schedule = #sched.contraction<isa = "avx512", register = [4, 16, 1], cache = [1, 1, 8], parallel = 0>}
    ins(%a, %b : memref<2x4x8xf32>, memref<2x8x16xf32, strided<[256, 32, 2]>>) outs(%c : memref<2x4x16xf32>)
  return
}

// -----

#packed = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n floordiv 16, k, n mod 16)>, affine_map<(m, n, k) -> (m, n)>]

// ddl-data-tile's contraction on a packed B ([N1][K][N0], zero-padded):
// the schedule's loop nest (parallel N blocks of Nc = 3 tiles, Kc = 16 k
// blocks, Mc = 2 row-tile blocks), B's row for column tile c is panel
// c / 16; the last column tile (10 of 16 columns) masks C but not B, and
// the 2 rows left after the 4-row tiles are one 2-row tile.
// CHECK-LABEL: func.func @packed
// CHECK-SAME: (%[[A:.+]]: memref<10x64xf32>, %[[B:.+]]: memref<4x64x16xf32>, %[[C:.+]]: memref<10x58xf32>)
// CHECK: scf.parallel
// CHECK:   scf.for %[[KB:[^ ]+]] = %{{.+}} to %{{.+}} step %c16
// CHECK:     scf.for %{{.+}} = %{{.+}} to %{{.+}} step %c8
// CHECK:       scf.for %[[COL:[^ ]+]] = %{{.+}} to %{{.+}} step %c16
// CHECK:         scf.for %[[ROW:[^ ]+]] = %{{.+}} to %{{.+}} step %c4
// CHECK-COUNT-4:   vector.load %[[C]]
// CHECK:           %[[PANEL:[^ ]+]] = arith.divui %[[COL]], %c16
// CHECK:           scf.for %[[K:[^ ]+]] = {{.+}} -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK:             vector.load %[[B]][%[[PANEL]], %[[K]], %{{.+}}] : memref<4x64x16xf32>, vector<16xf32>
// CHECK:             memref.load %[[A]][%[[ROW]], %[[K]]]
// CHECK-COUNT-4:     vector.fma
// CHECK-COUNT-4:   vector.store
// CHECK:         scf.if
// CHECK-COUNT-2:   vector.load %[[C]]
// CHECK:           -> (vector<16xf32>, vector<16xf32>)
// CHECK:       scf.if
// CHECK:         vector.create_mask
// CHECK:         vector.maskedload %[[C]]
// CHECK:         scf.for {{.+}} -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK-NOT:       vector.maskedload
// CHECK:           vector.load %[[B]]
// CHECK:         vector.maskedstore %[[C]]
func.func @packed(%a: memref<10x64xf32>, %b: memref<4x64x16xf32>, %c: memref<10x58xf32>) {
  linalg.generic {indexing_maps = #packed, iterator_types = ["parallel", "parallel", "reduction"],
                  sched.schedule = #sched.contraction<isa = "avx512", register = [4, 16, 1], cache = [2, 3, 16], parallel = 1>}
      ins(%a, %b : memref<10x64xf32>, memref<4x64x16xf32>) outs(%c : memref<10x58xf32>) {
  ^bb0(%x: f32, %w: f32, %acc: f32):
    %p = arith.mulf %x, %w : f32
    %s = arith.addf %p, %acc : f32
    linalg.yield %s : f32
  }
  return
}

// -----

#packed = [affine_map<(m, n, k) -> (k, m)>, affine_map<(m, n, k) -> (n floordiv 16, k, n mod 16)>, affine_map<(m, n, k) -> (m, n)>]

// A stored [K][M] (a channels-first convolution's input): A's element for
// (row, k) is A[k][row]. The fill is folded and an elementwise epilogue
// (per-column bias, relu, a residual of the result's shape, read through
// a [2, 4, 48] view of the [8, 48] result) runs on the last k block's
// tiles: row r is the epilogue's element (r / 4, r % 4, column). Nothing
// else reads the result, so only the epilogue's output is stored.
// CHECK-LABEL: func.func @epilogue
// CHECK-SAME: %[[A:[^:]+]]: memref<8x8xf32>
// CHECK-SAME: %[[OUT:[^:]+]]: memref<2x4x48xf32>)
// CHECK-NOT: linalg.fill
// CHECK: scf.parallel
// CHECK: memref.load %[[A]][%{{.+}}, %{{.+}}] : memref<8x8xf32>
// CHECK: %[[LAST:[^ ]+]] = arith.cmpi eq, %{{.+}}, %{{.+}} : index
// CHECK: scf.if %[[LAST]] {
// CHECK-NOT: vector.store
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
func.func @epilogue(%a: memref<8x8xf32>, %b: memref<3x8x16xf32>, %bias: memref<48xf32>,
                    %residual: memref<2x4x48xf32>, %out: memref<2x4x48xf32>) {
  %zero = arith.constant 0.0 : f32
  %result = memref.alloc() : memref<8x48xf32>
  linalg.fill ins(%zero : f32) outs(%result : memref<8x48xf32>)
  linalg.generic {indexing_maps = #packed, iterator_types = ["parallel", "parallel", "reduction"],
                  sched.schedule = #sched.contraction<isa = "avx512", register = [4, 16, 1], cache = [1, 1, 4], parallel = 1>}
      ins(%a, %b : memref<8x8xf32>, memref<3x8x16xf32>) outs(%result : memref<8x48xf32>) {
  ^bb0(%x: f32, %w: f32, %acc: f32):
    %p = arith.mulf %x, %w : f32
    %s = arith.addf %p, %acc : f32
    linalg.yield %s : f32
  }
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

// -----

// The addend of a residual epilogue may be a view with contiguous rows:
// one time step's slice of a recurrent network's input projection
// (X W^T for all steps, [steps, batch, 4 H]), added to the step's H R^T.
// CHECK-LABEL: func.func @epilogue_strided_addend
// CHECK: scf.parallel
// CHECK: vector.load %{{.+}} : memref<8x16xf32, strided<[16, 1], offset: ?>>, vector<16xf32>
// CHECK: vector.store %{{.+}}, %{{.+}} : memref<8x16xf32>, vector<16xf32>
// CHECK-NOT: linalg.generic
func.func @epilogue_strided_addend(%h: memref<8x16xf32>, %r: memref<16x16xf32>,
                                   %xw: memref<4x8x16xf32>, %step: index, %out: memref<8x16xf32>) {
  %zero = arith.constant 0.0 : f32
  %result = memref.alloc() : memref<8x16xf32>
  linalg.fill ins(%zero : f32) outs(%result : memref<8x16xf32>)
  linalg.matmul {sched.schedule = #sched.contraction<isa = "avx512", register = [4, 16, 1], cache = [1, 1, 16], parallel = 0>}
      ins(%h, %r : memref<8x16xf32>, memref<16x16xf32>) outs(%result : memref<8x16xf32>)
  %slice = memref.subview %xw[%step, 0, 0] [1, 8, 16] [1, 1, 1]
      : memref<4x8x16xf32> to memref<8x16xf32, strided<[16, 1], offset: ?>>
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>,
                                   affine_map<(d0, d1) -> (d0, d1)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%slice, %result : memref<8x16xf32, strided<[16, 1], offset: ?>>, memref<8x16xf32>)
      outs(%out : memref<8x16xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %0 = arith.addf %x, %y : f32
    linalg.yield %0 : f32
  }
  return
}

// -----

// A residual add done in place on the kernel's own input would clobber A
// before the later column tiles read it: the epilogue stays a loop of its
// own.
// CHECK-LABEL: func.func @epilogue_over_lhs
// CHECK: scf.parallel
// CHECK: linalg.generic
func.func @epilogue_over_lhs(%a: memref<8x16xf32>, %w: memref<16x16xf32>) {
  %zero = arith.constant 0.0 : f32
  %result = memref.alloc() : memref<8x16xf32>
  linalg.fill ins(%zero : f32) outs(%result : memref<8x16xf32>)
  linalg.matmul {sched.schedule = #sched.contraction<isa = "avx512", register = [4, 16, 1], cache = [1, 1, 16], parallel = 0>}
      ins(%a, %w : memref<8x16xf32>, memref<16x16xf32>) outs(%result : memref<8x16xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%result : memref<8x16xf32>) outs(%a : memref<8x16xf32>) {
  ^bb0(%x: f32, %o: f32):
    %0 = arith.maximumf %x, %zero : f32
    linalg.yield %0 : f32
  }
  return
}

// -----

// A scheduled generic that is not ddl-data-tile's contraction is an error.
func.func @not_packed(%a: memref<8x16xf32>, %b: memref<2x16x8xf32>, %c: memref<8x16xf32>) {
  // expected-error @below {{a scheduled linalg.generic must be ddl-data-tile's packed-B contraction with the schedule's N0 = 16}}
  linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n floordiv 8, k, n mod 8)>, affine_map<(m, n, k) -> (m, n)>],
                  iterator_types = ["parallel", "parallel", "reduction"],
                  sched.schedule = #sched.contraction<isa = "avx512", register = [4, 16, 1], cache = [1, 1, 16], parallel = 0>}
      ins(%a, %b : memref<8x16xf32>, memref<2x16x8xf32>) outs(%c : memref<8x16xf32>) {
  ^bb0(%x: f32, %w: f32, %acc: f32):
    %p = arith.mulf %x, %w : f32
    %s = arith.addf %p, %acc : f32
    linalg.yield %s : f32
  }
  return
}

// -----

#packed = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n floordiv 16, k, n mod 16)>, affine_map<(m, n, k) -> (m, n)>]
// im2col of a 3x3 stride-1 convolution on a padded 6x6x4 input (NHWC):
// X[n, oh, ow, kh, j] = xpad[n, oh + kh, ow * 4 + j], j < KW * C = 12.
#im2col = affine_map<(n, oh, ow, kh, j) -> (n, oh + kh, ow * 4 + j)>
#identity5 = affine_map<(n, oh, ow, kh, j) -> (n, oh, ow, kh, j)>

// Convolutions as GEMMs over an im2col buffer that bufferization shares
// between two of them: each kernel reads its input through the copy's map
// instead (per k block, runs of k inside one kh's 12 contiguous floats;
// per run, the source indices of each row's start), and the copies and
// the im2col buffer go. The row tile's m indices are delinearized once
// per tile.
// CHECK-LABEL: func.func @im2col
// CHECK-SAME: (%[[X1:.+]]: memref<1x6x24xf32>, %[[X2:.+]]: memref<1x6x24xf32>, %[[B:.+]]: memref<1x36x16xf32>, %[[C1:.+]]: memref<16x16xf32>, %[[C2:.+]]: memref<16x16xf32>)
// CHECK-NOT: memref.alloc
// CHECK-NOT: linalg.generic
// CHECK: scf.parallel
// CHECK:   scf.for %[[ROW:[^ ]+]] = %{{.+}} to %{{.+}} step %c4
// CHECK:     arith.remui %[[ROW]], %c4
// CHECK:     %[[RUNS:[^ ]+]] = arith.ceildivui %{{.+}}, %c12
// CHECK:     scf.for %[[SEG:[^ ]+]] = %{{.+}} to %[[RUNS]] step %c1{{.*}} iter_args
// CHECK:       %[[START:[^ ]+]] = arith.muli %[[SEG]], %c12
// CHECK:       scf.for %[[J:[^ ]+]] = %{{.+}} to %{{.+}} step %c1{{.*}} iter_args
// CHECK:         %[[K:[^ ]+]] = arith.addi %[[START]], %[[J]]
// CHECK:         vector.load %[[B]][%{{.+}}, %[[K]], %{{.+}}]
// CHECK:         %[[COLUMN:[^ ]+]] = arith.addi %{{.+}}, %[[J]]
// CHECK:         memref.load %[[X1]][%{{.+}}, %{{.+}}, %[[COLUMN]]]
// CHECK-COUNT-3: memref.load %[[X1]]
// CHECK-COUNT-4: vector.store {{.+}}, %[[C1]]
// CHECK: scf.parallel
// CHECK:   memref.load %[[X2]]
// CHECK-NOT: memref.load %[[X1]]
// CHECK: return
func.func @im2col(%x1: memref<1x6x24xf32>, %x2: memref<1x6x24xf32>, %b: memref<1x36x16xf32>,
                  %c1: memref<16x16xf32>, %c2: memref<16x16xf32>) {
  %patches = memref.alloc() : memref<1x4x4x3x12xf32>
  %a = memref.collapse_shape %patches [[0, 1, 2], [3, 4]] : memref<1x4x4x3x12xf32> into memref<16x36xf32>
  linalg.generic {indexing_maps = [#im2col, #identity5], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]}
      ins(%x1 : memref<1x6x24xf32>) outs(%patches : memref<1x4x4x3x12xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  }
  linalg.generic {indexing_maps = #packed, iterator_types = ["parallel", "parallel", "reduction"],
                  sched.schedule = #sched.contraction<isa = "avx512", register = [4, 16, 1], cache = [4, 1, 16], parallel = 0>}
      ins(%a, %b : memref<16x36xf32>, memref<1x36x16xf32>) outs(%c1 : memref<16x16xf32>) {
  ^bb0(%x: f32, %w: f32, %acc: f32):
    %p = arith.mulf %x, %w : f32
    %s = arith.addf %p, %acc : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#im2col, #identity5], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]}
      ins(%x2 : memref<1x6x24xf32>) outs(%patches : memref<1x4x4x3x12xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  }
  %a2 = memref.collapse_shape %patches [[0, 1, 2], [3, 4]] : memref<1x4x4x3x12xf32> into memref<16x36xf32>
  linalg.generic {indexing_maps = #packed, iterator_types = ["parallel", "parallel", "reduction"],
                  sched.schedule = #sched.contraction<isa = "avx512", register = [4, 16, 1], cache = [4, 1, 16], parallel = 0>}
      ins(%a2, %b : memref<16x36xf32>, memref<1x36x16xf32>) outs(%c2 : memref<16x16xf32>) {
  ^bb0(%x: f32, %w: f32, %acc: f32):
    %p = arith.mulf %x, %w : f32
    %s = arith.addf %p, %acc : f32
    linalg.yield %s : f32
  }
  return
}

// -----

#packed = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n floordiv 16, k, n mod 16)>, affine_map<(m, n, k) -> (m, n)>]
#im2col = affine_map<(n, oh, ow, kh, j) -> (n, oh + kh, ow * 4 + j)>
#identity5 = affine_map<(n, oh, ow, kh, j) -> (n, oh, ow, kh, j)>

// The copy's source is written between the copy and the kernel: the
// kernel reads the im2col buffer as it is.
// CHECK-LABEL: func.func @im2col_source_overwritten
// CHECK: linalg.generic
// CHECK: linalg.fill
// CHECK: memref.load %{{.+}} : memref<16x36xf32>
func.func @im2col_source_overwritten(%b: memref<1x36x16xf32>, %c: memref<16x16xf32>) {
  %x = memref.alloc() : memref<1x6x24xf32>
  %patches = memref.alloc() : memref<1x4x4x3x12xf32>
  %a = memref.collapse_shape %patches [[0, 1, 2], [3, 4]] : memref<1x4x4x3x12xf32> into memref<16x36xf32>
  linalg.generic {indexing_maps = [#im2col, #identity5], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]}
      ins(%x : memref<1x6x24xf32>) outs(%patches : memref<1x4x4x3x12xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  }
  %one = arith.constant 1.0 : f32
  linalg.fill ins(%one : f32) outs(%x : memref<1x6x24xf32>)
  linalg.generic {indexing_maps = #packed, iterator_types = ["parallel", "parallel", "reduction"],
                  sched.schedule = #sched.contraction<isa = "avx512", register = [4, 16, 1], cache = [4, 1, 16], parallel = 0>}
      ins(%a, %b : memref<16x36xf32>, memref<1x36x16xf32>) outs(%c : memref<16x16xf32>) {
  ^bb0(%x0: f32, %w: f32, %acc: f32):
    %p = arith.mulf %x0, %w : f32
    %s = arith.addf %p, %acc : f32
    linalg.yield %s : f32
  }
  return
}
