// RUN: ddl-opt %s --ddl-gpu-contraction-kernels --split-input-file | FileCheck %s
// RUN: not ddl-opt %s --ddl-gpu-contraction-kernels=thread-m=3 2>&1 | FileCheck %s --check-prefix=BAD

// BAD: ddl-gpu-contraction-kernels: block-m and block-n must be multiples of thread-m and thread-n

// A matmul: ceil(N / 64) x ceil(M / 64) blocks of 256 threads, A and B
// slices staged in shared memory (A k-major and padded), 16 accumulators
// per thread carried through the k loop, C += the tile at the end.
// CHECK-LABEL: func.func @matmul
// CHECK:         %[[N:.*]] = memref.dim %arg1, %c1
// CHECK:         %[[GX:.*]] = arith.ceildivsi %[[N]], %c64
// CHECK:         %[[GY:.*]] = arith.ceildivsi %{{.*}}, %c64
// CHECK:         %[[C256:.*]] = arith.constant 256 : index
// CHECK:         gpu.launch blocks(%{{.*}}, %{{.*}}, %{{.*}}) in (%{{.*}} = %[[GX]], %{{.*}} = %[[GY]], %{{.*}} = %{{.*}}) threads(%{{.*}}, %{{.*}}, %{{.*}}) in (%{{.*}} = %[[C256]], {{.*}}) function(@gemm_simt)
// CHECK-SAME:      workgroup(%[[AS:.*]] : memref<16x68xf32, #gpu.address_space<workgroup>>, %[[BS:.*]] : memref<16x64xf32, #gpu.address_space<workgroup>>)
// CHECK:           %[[ACC:.*]]:16 = scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} iter_args(
// CHECK:             memref.load %{{.*}} : memref<?x?xf32>
// CHECK:             memref.store %{{.*}}, %[[AS]]
// CHECK:             memref.store %{{.*}}, %[[BS]]
// CHECK:             gpu.barrier
// CHECK:             scf.for
// CHECK-COUNT-16:      math.fma
// CHECK:             gpu.barrier
// CHECK:           memref.load %{{.*}} : memref<?x?xf32>
// CHECK:           arith.addf %{{.*}}, %[[ACC]]#0
// CHECK:           gpu.terminator
// CHECK-NOT:     linalg.matmul
func.func @matmul(%a: memref<?x?xf32>, %b: memref<?x?xf32>, %c: memref<?x?xf32>) {
  linalg.matmul ins(%a, %b : memref<?x?xf32>, memref<?x?xf32>) outs(%c : memref<?x?xf32>)
  return
}

// -----

// A batched matmul with B transposed (attention's Q K^T): the batch is
// block z; B is read through its map (n, k).
// CHECK-LABEL: func.func @batch_transposed
// CHECK:         %[[Z:.*]] = arith.muli %{{.*}}, %c12
// CHECK:         gpu.launch blocks({{.*}}) in ({{.*}}, %{{.*}} = %{{.*}}, %{{.*}} = %[[Z]])
// CHECK:           arith.remsi %{{.*}}, %c12
// CHECK:           memref.load %arg0[%{{.*}}, %{{.*}}, %{{.*}}] : memref<12x197x64xf32>
// CHECK:           memref.load %arg1[%{{.*}}, %{{.*}}, %{{.*}}] : memref<12x197x64xf32>
func.func @batch_transposed(%q: memref<12x197x64xf32>, %k: memref<12x197x64xf32>, %s: memref<12x197x197xf32>) {
  linalg.generic {indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>,
                                   affine_map<(b, m, n, k) -> (b, n, k)>,
                                   affine_map<(b, m, n, k) -> (b, m, n)>],
                  iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%q, %k : memref<12x197x64xf32>, memref<12x197x64xf32>) outs(%s : memref<12x197x197xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %sum = arith.addf %acc, %p : f32
    linalg.yield %sum : f32
  }
  return
}

// -----

// Not floating point: left to ddl-gpu-map-kernels.
// CHECK-LABEL: func.func @integer
// CHECK:         linalg.matmul
// CHECK-NOT:     gpu.launch
func.func @integer(%a: memref<4x4xi32>, %b: memref<4x4xi32>, %c: memref<4x4xi32>) {
  linalg.matmul ins(%a, %b : memref<4x4xi32>, memref<4x4xi32>) outs(%c : memref<4x4xi32>)
  return
}

// -----

// A fill of the accumulator right before folds in: the accumulators start
// from the fill value, C is stored, not read back, and the fill goes.
// CHECK-LABEL: func.func @filled
// CHECK-NOT:     linalg.fill
// CHECK:         %[[V:.*]] = arith.constant 1.500000e+00 : f32
// CHECK:         gpu.launch
// CHECK:           scf.for {{.*}} iter_args(%{{.*}} = %[[V]], %{{.*}} = %[[V]]
// CHECK-NOT:       memref.load %alloc
// CHECK:           memref.store %{{.*}}, %alloc
func.func @filled(%a: memref<64x32xf32>, %b: memref<32x16xf32>) -> memref<64x16xf32> {
  %v = arith.constant 1.5 : f32
  %c = memref.alloc() : memref<64x16xf32>
  linalg.fill ins(%v : f32) outs(%c : memref<64x16xf32>)
  linalg.matmul ins(%a, %b : memref<64x32xf32>, memref<32x16xf32>) outs(%c : memref<64x16xf32>)
  return %c : memref<64x16xf32>
}

// -----

// An elementwise consumer of C (a bias along n, then a ReLU, into another
// buffer) folds into the kernel's stores: the kernel goes where the
// consumer was, loads the bias at the element's column, stores the result
// into the consumer's output; C is neither read nor written, and it and
// its fill go.
// CHECK-LABEL: func.func @bias_relu
// CHECK-NOT:     linalg.fill
// CHECK-NOT:     linalg.generic
// CHECK:         %[[OUT:.*]] = memref.alloc() : memref<64x16xf32>
// CHECK:         gpu.launch
// CHECK:           scf.if
// CHECK:             %[[BIAS:.*]] = memref.load %arg2[%{{.*}}] : memref<16xf32>
// CHECK:             %[[SUM:.*]] = arith.addf %{{.*}}, %[[BIAS]]
// CHECK:             %[[RELU:.*]] = arith.maximumf %[[SUM]], %{{.*}}
// CHECK:             memref.store %[[RELU]], %[[OUT]]
// CHECK-NOT:     linalg.generic
#id = affine_map<(d0, d1) -> (d0, d1)>
#col = affine_map<(d0, d1) -> (d1)>
func.func @bias_relu(%a: memref<64x32xf32>, %b: memref<32x16xf32>, %bias: memref<16xf32>) -> memref<64x16xf32> {
  %zero = arith.constant 0.0 : f32
  %c = memref.alloc() : memref<64x16xf32>
  linalg.fill ins(%zero : f32) outs(%c : memref<64x16xf32>)
  linalg.matmul ins(%a, %b : memref<64x32xf32>, memref<32x16xf32>) outs(%c : memref<64x16xf32>)
  %out = memref.alloc() : memref<64x16xf32>
  linalg.generic {indexing_maps = [#id, #col, #id], iterator_types = ["parallel", "parallel"]}
      ins(%c, %bias : memref<64x16xf32>, memref<16xf32>) outs(%out : memref<64x16xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.addf %x, %y : f32
    %r = arith.maximumf %s, %zero : f32
    linalg.yield %r : f32
  }
  return %out : memref<64x16xf32>
}

// -----

// C is read again after the consumer: the consumer stays (C is written).
// CHECK-LABEL: func.func @c_read_later
// CHECK:         gpu.launch
// CHECK:         linalg.generic
#id2 = affine_map<(d0, d1) -> (d0, d1)>
func.func @c_read_later(%a: memref<64x32xf32>, %b: memref<32x16xf32>, %out: memref<64x16xf32>, %again: memref<64x16xf32>) {
  %zero = arith.constant 0.0 : f32
  %c = memref.alloc() : memref<64x16xf32>
  linalg.fill ins(%zero : f32) outs(%c : memref<64x16xf32>)
  linalg.matmul ins(%a, %b : memref<64x32xf32>, memref<32x16xf32>) outs(%c : memref<64x16xf32>)
  linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%c : memref<64x16xf32>) outs(%out : memref<64x16xf32>) {
  ^bb0(%x: f32, %o: f32):
    %r = arith.negf %x : f32
    linalg.yield %r : f32
  }
  memref.copy %c, %again : memref<64x16xf32> to memref<64x16xf32>
  return
}
