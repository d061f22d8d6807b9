// RUN: ddl-opt %s --ddl-gpu-row-reduction-kernels | FileCheck %s
// RUN: not ddl-opt %s --ddl-gpu-row-reduction-kernels=warps-per-block=33 2>&1 | FileCheck %s --check-prefix=BAD
// BAD: ddl-gpu-row-reduction-kernels: warps-per-block must be in [1, 32], not 33

// Softmax's sum of exponentials: one warp per row (8 rows per block of 256
// threads), lanes striding over the row, a butterfly of 5 shuffles, lane 0
// combining into the output.
// CHECK-LABEL: func.func @sum_exp
// CHECK:         %[[ROWS:.*]] = arith.muli %{{.*}}, %c12
// CHECK:         %[[GRID:.*]] = arith.ceildivsi %{{.*}}, %c8
// CHECK:         gpu.launch blocks(%[[BX:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %[[GRID]], {{.*}} threads(%[[TX:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %c256, {{.*}}) function(@row_reduce)
// CHECK:           %[[LANE:.*]] = arith.remsi %[[TX]], %c32
// CHECK:           scf.if
// CHECK:             %[[MAX:.*]] = memref.load %arg1
// Steps of 256 elements into 8 partial values per lane, then the rest.
// CHECK:             %[[STEPS:.*]]:8 = scf.for %{{.*}} = %c0{{.*}} to %{{.*}} step %c1{{.*}} iter_args(%[[A0:.*]] = %cst, %{{.*}} = %cst, %{{.*}} = %cst, %{{.*}} = %cst, %{{.*}} = %cst, %{{.*}} = %cst, %{{.*}} = %cst, %{{.*}} = %cst)
// CHECK-COUNT-8:       memref.load %arg0
// CHECK:             arith.addf %[[STEPS]]#1, %[[STEPS]]#0
// CHECK:             %[[PART:.*]] = scf.for %[[R:.*]] = %{{.*}} to %c197{{.*}} step %c32{{.*}} iter_args(%[[ACC:.*]] = %{{.*}})
// CHECK:               memref.load %arg0
// CHECK:               arith.subf %{{.*}}, %[[MAX]]
// CHECK:               math.exp
// CHECK:               arith.addf %{{.*}}, %[[ACC]]
// CHECK-COUNT-5:     gpu.shuffle  xor
// CHECK:             arith.cmpi eq, %[[LANE]]
// CHECK:             scf.if
// CHECK:               memref.store %{{.*}}, %arg2
// CHECK-NOT:     linalg.generic
func.func @sum_exp(%x: memref<12x197x197xf32>, %max: memref<12x197xf32>, %sum: memref<12x197xf32>) {
  linalg.generic {indexing_maps = [affine_map<(b, i, j) -> (b, i, j)>,
                                   affine_map<(b, i, j) -> (b, i)>,
                                   affine_map<(b, i, j) -> (b, i)>],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %max : memref<12x197x197xf32>, memref<12x197xf32>) outs(%sum : memref<12x197xf32>) {
  ^bb0(%v: f32, %m: f32, %acc: f32):
    %d = arith.subf %v, %m : f32
    %e = math.exp %d : f32
    %s = arith.addf %e, %acc : f32
    linalg.yield %s : f32
  }
  return
}

// A maximum over a strided (channels-first) dimension is taken too.
// CHECK-LABEL: func.func @max_channels
// CHECK:         gpu.launch
// CHECK:           arith.maximumf
// CHECK:           gpu.shuffle  xor
func.func @max_channels(%x: memref<2x64x49xf32>, %out: memref<2x49xf32>) {
  linalg.generic {indexing_maps = [affine_map<(n, s, c) -> (n, c, s)>,
                                   affine_map<(n, s, c) -> (n, s)>],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x : memref<2x64x49xf32>) outs(%out : memref<2x49xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %m = arith.maximumf %v, %acc : f32
    linalg.yield %m : f32
  }
  return
}

// A whole tensor reduced to one value (fp8's per-tensor scale: the maximum
// of |x|): the input flattened, up to 1024 blocks of 256 threads striding
// over it, each warp's combined value into a workspace, then one warp
// combining those into the output (two launches, no atomics).
// CHECK-LABEL: func.func @whole_amax
// CHECK:         %[[FLAT:.*]] = memref.collapse_shape %arg0 {{\[\[}}0, 1]] : memref<?x512xf32> into memref<?xf32>
// CHECK:         %[[WS:.*]] = memref.alloc(%{{.*}}) : memref<?xf32>
// CHECK:         gpu.launch {{.*}} function(@whole_reduce)
// CHECK:           scf.for
// CHECK:             memref.load %[[FLAT]]
// CHECK:             math.absf
// CHECK:             arith.maximumf
// CHECK-COUNT-5:   gpu.shuffle  xor
// CHECK:           memref.store %{{.*}}, %[[WS]]
// CHECK:         gpu.launch {{.*}} function(@whole_reduce_partials)
// CHECK:           memref.load %[[WS]]
// CHECK-COUNT-5:   gpu.shuffle  xor
// CHECK:           memref.load %arg1[]
// CHECK:           memref.store %{{.*}}, %arg1[]
// CHECK:         memref.dealloc %[[WS]]
func.func @whole_amax(%x: memref<?x512xf32>, %out: memref<f32>) {
  linalg.reduce ins(%x : memref<?x512xf32>) outs(%out : memref<f32>) dimensions = [0, 1]
    (%in: f32, %init: f32) {
      %a = math.absf %in : f32
      %m = arith.maximumf %a, %init : f32
      linalg.yield %m : f32
    }
  return
}
