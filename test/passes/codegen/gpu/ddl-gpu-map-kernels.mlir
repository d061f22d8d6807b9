// RUN: ddl-opt %s --ddl-gpu-map-kernels=block-size=128 --split-input-file --verify-diagnostics | FileCheck %s
// RUN: not ddl-opt %s --ddl-gpu-map-kernels=points-per-thread=0 2>&1 | FileCheck %s --check-prefix=BAD
// RUN: not ddl-opt %s --ddl-gpu-map-kernels=block-size=0 2>&1 | FileCheck %s --check-prefix=BADSIZE
// BADSIZE: ddl-gpu-map-kernels: block-size must be in [1, 1024], not 0

// BAD: ddl-gpu-map-kernels: points-per-thread must be in [1, 16], not 0

// An elementwise op over a dynamic 2-D space (a row broadcast: not
// vectorized): the points collapsed row-major, blocks of 128 threads taking
// 4 points each, 128 apart (block b covers points 512 b to 512 b + 511),
// each guarded.
// CHECK-LABEL: func.func @elementwise
// CHECK:         %[[BLOCKS:.*]] = arith.ceildivsi %[[TOTAL:.*]], %c512
// CHECK:         scf.parallel (%[[B:.*]]) = ({{.*}}) to (%[[BLOCKS]])
// CHECK:           scf.parallel (%[[T:.*]]) = ({{.*}}) to (%c128)
// CHECK:             %[[START:.*]] = arith.muli %[[B]], %c512
// CHECK:             %[[FIRST:.*]] = arith.addi %[[START]], %[[T]]
// CHECK:             %[[LIN:.*]] = arith.addi %[[FIRST]], %c0
// CHECK:             %[[IN:.*]] = arith.cmpi slt, %[[LIN]], %[[TOTAL]]
// CHECK:             scf.if %[[IN]] {
// CHECK:               arith.remsi %[[LIN]]
// CHECK:               memref.load
// CHECK:               math.exp
// CHECK:               memref.store
// CHECK:             %[[LIN1:.*]] = arith.addi %[[FIRST]], %c128
// CHECK:             arith.cmpi slt, %[[LIN1]], %[[TOTAL]]
// CHECK:             scf.if
// CHECK:               math.exp
// CHECK:             arith.addi %[[FIRST]], %c256
// CHECK:             arith.addi %[[FIRST]], %c384
// CHECK:               math.exp
// CHECK:           } {mapping = [#gpu.loop_dim_map<processor = thread_x
// CHECK:         } {mapping = [#gpu.loop_dim_map<processor = block_x
func.func @elementwise(%a: memref<?xf32>, %b: memref<?x?xf32>) {
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (j)>, affine_map<(i, j) -> (i, j)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%a : memref<?xf32>) outs(%b : memref<?x?xf32>) {
  ^bb0(%x: f32, %y: f32):
    %e = math.exp %x : f32
    linalg.yield %e : f32
  }
  return
}

// -----

// A pure elementwise op over contiguous buffers: one 1-D kernel over
// vectors of 16 bytes of the widest type (4 f32; the bf16 operands move 8
// bytes), each buffer collapsed to 1-D and checked once for alignment to
// its vector size; a point is a vector when the buffers are aligned and
// it lies inside (vector loads, the body on vectors, the constant
// broadcast, a vector store), else the same elements one at a time.
// CHECK-LABEL: func.func @vectorized
// CHECK-DAG:     %[[A:.*]] = memref.collapse_shape %{{.*}} {{\[\[}}0, 1]] : memref<?x?xf32> into memref<?xf32>
// CHECK-DAG:     %[[B:.*]] = memref.collapse_shape %{{.*}} {{\[\[}}0, 1]] : memref<?x?xbf16> into memref<?xbf16>
// CHECK-DAG:     %[[C:.*]] = memref.collapse_shape %{{.*}} {{\[\[}}0, 1]] : memref<?x?xbf16> into memref<?xbf16>
// CHECK:         %[[ALIGNED:.*]] = arith.andi
// CHECK:         %[[FULL:.*]] = arith.divsi %[[TOTAL:.*]], %c4
// CHECK:         %[[VECTORS:.*]] = arith.select %[[ALIGNED]], %[[FULL]], %c0
// CHECK:         arith.ceildivsi %[[TOTAL]], %c4
// CHECK:         scf.parallel
// CHECK:           scf.parallel
// CHECK:             arith.cmpi slt
// CHECK:             scf.if
// CHECK:               %[[FIRST:.*]] = arith.muli %{{.*}}, %c4
// CHECK:               arith.cmpi slt, %{{.*}}, %[[VECTORS]]
// CHECK:               scf.if
// CHECK:                 vector.load %[[A]][%[[FIRST]]] {alignment = 16 : i64} : memref<?xf32>, vector<4xf32>
// CHECK:                 vector.load %[[B]][%[[FIRST]]] {alignment = 8 : i64} : memref<?xbf16>, vector<4xbf16>
// CHECK:                 arith.extf %{{.*}} : vector<4xbf16> to vector<4xf32>
// CHECK:                 vector.broadcast %{{.*}} : f32 to vector<4xf32>
// CHECK:                 arith.mulf %{{.*}} : vector<4xf32>
// CHECK:                 vector.store %{{.*}}, %[[C]][%[[FIRST]]] {alignment = 8 : i64} : memref<?xbf16>, vector<4xbf16>
// CHECK:               } else {
// CHECK:                 scf.for
// CHECK:                   memref.load %[[A]]
// CHECK:                   arith.mulf %{{.*}} : f32
// CHECK:                   memref.store %{{.*}}, %[[C]]
// CHECK:           } {mapping = [#gpu.loop_dim_map<processor = thread_x
// CHECK:         } {mapping = [#gpu.loop_dim_map<processor = block_x
// CHECK-NOT:     linalg.generic
func.func @vectorized(%a: memref<?x?xf32>, %b: memref<?x?xbf16>, %c: memref<?x?xbf16>) {
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%a, %b : memref<?x?xf32>, memref<?x?xbf16>) outs(%c : memref<?x?xbf16>) {
  ^bb0(%x: f32, %y: bf16, %o: bf16):
    %half = arith.constant 0.5 : f32
    %w = arith.extf %y : bf16 to f32
    %s = arith.addf %x, %w : f32
    %m = arith.mulf %s, %half : f32
    %r = arith.truncf %m : f32 to bf16
    linalg.yield %r : bf16
  }
  return
}

// -----

// A matmul: the output points are the threads, one each (a point runs a
// loop), k runs in each thread.
// CHECK-LABEL: func.func @matmul
// CHECK:         arith.ceildivsi %{{.*}}, %c128
// CHECK:         scf.parallel
// CHECK:           scf.parallel
// CHECK:             scf.if
// CHECK:               scf.for
// CHECK:                 arith.mulf
// CHECK:                 arith.addf
// CHECK-NOT:     linalg.matmul
func.func @matmul(%a: memref<64x32xf32>, %b: memref<32x16xf32>, %c: memref<64x16xf32>) {
  linalg.matmul ins(%a, %b : memref<64x32xf32>, memref<32x16xf32>) outs(%c : memref<64x16xf32>)
  return
}

// -----

// A reduction that comes first in the iteration space runs after the
// parallel dimension (interchanged), so the threads still cover all of it.
// CHECK-LABEL: func.func @reduction_first
// CHECK:         scf.parallel
// CHECK:           scf.parallel
// CHECK:             scf.if
// CHECK:               scf.for %{{.*}} = %{{.*}} to %{{.*}}
// CHECK:                 arith.addf
func.func @reduction_first(%a: memref<4x8xf32>, %b: memref<8xf32>) {
  linalg.generic {indexing_maps = [affine_map<(r, p) -> (r, p)>, affine_map<(r, p) -> (p)>],
                  iterator_types = ["reduction", "parallel"]}
      ins(%a : memref<4x8xf32>) outs(%b : memref<8xf32>) {
  ^bb0(%x: f32, %acc: f32):
    %s = arith.addf %x, %acc : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A full reduction has no parallel loop: it is one thread of one block.
// CHECK-LABEL: func.func @full_reduction
// CHECK:         scf.parallel (%{{.*}}) = (%{{.*}}) to (%{{.*}})
// CHECK:           scf.parallel
// CHECK:             scf.if
// CHECK:               scf.for
func.func @full_reduction(%a: memref<100xf32>, %b: memref<f32>) {
  linalg.generic {indexing_maps = [affine_map<(r) -> (r)>, affine_map<(r) -> ()>],
                  iterator_types = ["reduction"]}
      ins(%a : memref<100xf32>) outs(%b : memref<f32>) {
  ^bb0(%x: f32, %acc: f32):
    %s = arith.addf %x, %acc : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A copy is a kernel too; a kernel inside host control flow stays inside it.
// CHECK-LABEL: func.func @copy_in_loop
// CHECK:         scf.for
// CHECK:           scf.parallel
// CHECK:             scf.parallel
// CHECK-NOT:     memref.copy
func.func @copy_in_loop(%a: memref<16xf32>, %b: memref<16xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %n step %c1 {
    memref.copy %a, %b : memref<16xf32> to memref<16xf32>
  }
  return
}

// -----

// Yielding a constant (no input read: the broadcast constant is stored)
// and an input as it is (a copy) are elementwise ops too.
// CHECK-LABEL: func.func @constant_and_copy
// CHECK:         vector.broadcast %{{.*}} : f32 to vector<4xf32>
// CHECK:         vector.store
// CHECK:         memref.store %{{.*}}, %{{.*}}[%{{.*}}] : memref<?xf32>
// CHECK:         %[[V:.*]] = vector.load %{{.*}} : memref<?xf32>, vector<4xf32>
// CHECK:         vector.store %[[V]]
func.func @constant_and_copy(%a: memref<?x8xf32>, %b: memref<?x8xf32>) {
  %one = arith.constant 1.0 : f32
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]}
      outs(%a : memref<?x8xf32>) {
  ^bb0(%o: f32):
    linalg.yield %one : f32
  }
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]}
      ins(%a : memref<?x8xf32>) outs(%b : memref<?x8xf32>) {
  ^bb0(%x: f32, %o: f32):
    linalg.yield %x : f32
  }
  return
}
