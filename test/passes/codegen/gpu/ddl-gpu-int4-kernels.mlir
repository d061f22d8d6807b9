// RUN: ddl-opt %s --ddl-gpu-int4-kernels | FileCheck %s
// RUN: ddl-opt %s --ddl-gpu-int4-kernels="warps-per-block=2 columns-per-block=8" | FileCheck %s --check-prefix=OPTS
// RUN: not ddl-opt %s --ddl-gpu-int4-kernels="columns-per-block=17" 2>&1 | FileCheck %s --check-prefix=BAD

// lowbit.matmul_int4's generic (ddl-lowbit-to-linalg, bufferized): the host
// checks the input's and the weights' rows for 16-byte alignment (and the
// rows against the grid), then
// launches gemv_int4 for one row, gemm_int4_rows4 otherwise; unaligned
// operands keep the fill and the generic (for the map kernels).
// CHECK-LABEL: func.func @int4
// CHECK:         memref.extract_aligned_pointer_as_index %arg0
// CHECK:         memref.extract_aligned_pointer_as_index %arg1
// The rows fit the grid's y (65535 blocks of 4).
// CHECK:         arith.cmpi sle, %{{.*}}, %c262140
// CHECK:         scf.if
// CHECK:           scf.if
// 64 columns / 4 per block; 4 warps that split k.
// CHECK:             gpu.launch blocks({{.*}}) in ({{.*}} = %{{.*}}, {{.*}}) threads({{.*}}) in ({{.*}} = %c128{{.*}}) function(@gemv_int4) workgroup(%{{.*}} : memref<4x4xf32, #gpu.address_space<workgroup>>)
// Thread t takes the weight words t, t + 128, ..., two a step (all loads
// first), then the rest one at a time; 4 accumulators (4 columns x 1 row).
// CHECK:               scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c256{{.*}} iter_args(%{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}, %{{.*}} = %{{.*}})
// CHECK-COUNT-4:         vector.load %arg1[%{{.*}}] {alignment = 4 : i64} : memref<64x96xi8>, vector<4xi8>
// CHECK-COUNT-2:         vector.load %arg0[%{{.*}}] {alignment = 16 : i64} : memref<?x192xf32>, vector<4xf32>
// CHECK-COUNT-4:         vector.load %arg1[%{{.*}}] {alignment = 4 : i64} : memref<64x96xi8>, vector<4xi8>
// CHECK-COUNT-2:         vector.load %arg0[%{{.*}}] {alignment = 16 : i64} : memref<?x192xf32>, vector<4xf32>
// CHECK:                 arith.xori %{{.*}}, %c-2004318072_i32
// CHECK:                 arith.bitcast %{{.*}} : i32 to f32
// CHECK:                 math.fma
// CHECK:               scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c128{{.*}} iter_args(
// CHECK:               gpu.shuffle  xor
// CHECK:               gpu.barrier
// The fill (0) folds into the stores.
// CHECK:                 memref.store %{{.*}}, %arg3
// CHECK:           } else {
// CHECK:             gpu.launch {{.*}} function(@gemm_int4_rows4) workgroup(%{{.*}} : memref<4x16xf32, #gpu.address_space<workgroup>>)
// CHECK:         } else {
// CHECK:           linalg.fill
// CHECK:           linalg.generic
// CHECK-NOT:     linalg.fill
// OPTS: threads({{.*}}) in ({{.*}} = %c64{{.*}}) function(@gemv_int4) workgroup(%{{.*}} : memref<2x8xf32, #gpu.address_space<workgroup>>)
// BAD: ddl-gpu-int4-kernels: warps-per-block must be in [1, 32], columns-per-block in [1, 16] and words-per-step in [1, 4], not 4, 17 and 2
#x = affine_map<(m, n, k) -> (m, k)>
#y = affine_map<(m, n, k) -> (m, n)>
func.func @int4(%x: memref<?x192xf32>, %w: memref<64x96xi8>, %s: memref<64x3xf32>, %y: memref<?x64xf32>) {
  %c16 = arith.constant 16 : index
  %c32 = arith.constant 32 : index
  %c64 = arith.constant 64 : index
  %c4_i8 = arith.constant 4 : i8
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%y : memref<?x64xf32>)
  linalg.generic {indexing_maps = [#x, #y], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x : memref<?x192xf32>) outs(%y : memref<?x64xf32>) attrs = {lowbit.int4_group_size = 64 : i64} {
  ^bb0(%in: f32, %out: f32):
    %n = linalg.index 1 : index
    %k = linalg.index 2 : index
    %blk = arith.divui %k, %c32 : index
    %base = arith.muli %blk, %c16 : index
    %j = arith.remui %k, %c16 : index
    %at = arith.addi %base, %j : index
    %byte = memref.load %w[%n, %at] : memref<64x96xi8>
    %r = arith.remui %k, %c32 : index
    %high = arith.cmpi uge, %r, %c16 : index
    %shl = arith.shli %byte, %c4_i8 : i8
    %raised = arith.select %high, %byte, %shl : i8
    %q = arith.shrsi %raised, %c4_i8 : i8
    %g = arith.divui %k, %c64 : index
    %scale = memref.load %s[%n, %g] : memref<64x3xf32>
    %qf = arith.sitofp %q : i8 to f32
    %wf = arith.mulf %qf, %scale : f32
    %p = arith.mulf %in, %wf : f32
    %sum = arith.addf %out, %p : f32
    linalg.yield %sum : f32
  }
  return
}

// Without the group-size attribute it is no int4 product: left alone.
// CHECK-LABEL: func.func @unmarked
// CHECK-NOT:     gpu.launch
// CHECK:         linalg.generic
func.func @unmarked(%x: memref<?x192xf32>, %y: memref<?x64xf32>) {
  linalg.generic {indexing_maps = [#x, #y], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x : memref<?x192xf32>) outs(%y : memref<?x64xf32>) {
  ^bb0(%in: f32, %out: f32):
    %sum = arith.addf %out, %in : f32
    linalg.yield %sum : f32
  }
  return
}
