// RUN: ddl-opt %s --ddl-row-reduction-to-vector | FileCheck %s

#rows = affine_map<(b, r, c) -> (b, r, c)>
#row = affine_map<(b, r, c) -> (b, r)>

// Softmax's sum of exponentials: one parallel iteration per row (b, r);
// the row maximum is loaded once and broadcast; 16 lanes of the row per
// step, then the 4 elements left masked and only their lanes combined;
// the lanes are summed in any order and added to the output element.
// CHECK-LABEL: func.func @exp_sum
// CHECK-SAME: (%[[X:.+]]: memref<2x3x20xf32>, %[[MAX:.+]]: memref<2x3xf32>, %[[SUM:.+]]: memref<2x3xf32>)
// CHECK-NOT: linalg.generic
// CHECK: scf.parallel (%[[P:.+]]) =
// CHECK:   %[[R:.+]] = arith.remui %[[P]], %c3
// CHECK:   %[[B:.+]] = arith.divui %[[P]], %c3
// CHECK:   %[[M:.+]] = memref.load %[[MAX]][%[[B]], %[[R]]]
// CHECK:   %[[MV:.+]] = vector.broadcast %[[M]] : f32 to vector<16xf32>
// CHECK:   %[[ACC:.+]] = scf.for %[[C:.+]] = {{.+}} step %c16 iter_args(%[[A:.+]] = {{.+}}) -> (vector<16xf32>)
// CHECK:     %[[V:.+]] = vector.load %[[X]][%[[B]], %[[R]], %[[C]]]
// CHECK:     %[[D:.+]] = arith.subf %[[V]], %[[MV]] : vector<16xf32>
// CHECK:     %[[E:.+]] = math.exp %[[D]] : vector<16xf32>
// CHECK:     arith.addf %[[E]], %[[A]] : vector<16xf32>
// CHECK:   %[[TAIL:.+]] = scf.if
// CHECK:     %[[MASK:.+]] = vector.create_mask
// CHECK:     vector.maskedload %[[X]]{{.+}}, %[[MASK]]
// CHECK:     math.exp
// CHECK:     %[[ADDED:.+]] = arith.addf {{.+}}, %[[ACC]]
// CHECK:     arith.select %[[MASK]], %[[ADDED]], %[[ACC]]
// CHECK:   %[[TOTAL:.+]] = vector.reduction <add>, %[[TAIL]] fastmath<reassoc>
// CHECK:   %[[OLD:.+]] = memref.load %[[SUM]][%[[B]], %[[R]]]
// CHECK:   %[[NEW:.+]] = arith.addf %[[TOTAL]], %[[OLD]] : f32
// CHECK:   memref.store %[[NEW]], %[[SUM]][%[[B]], %[[R]]]
func.func @exp_sum(%x: memref<2x3x20xf32>, %max: memref<2x3xf32>, %sum: memref<2x3xf32>) {
  linalg.generic {indexing_maps = [#rows, #row, #row], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %max : memref<2x3x20xf32>, memref<2x3xf32>) outs(%sum : memref<2x3xf32>) {
  ^bb0(%in: f32, %m: f32, %out: f32):
    %d = arith.subf %in, %m : f32
    %e = math.exp %d : f32
    %s = arith.addf %e, %out : f32
    linalg.yield %s : f32
  }
  return
}

// A row maximum (linalg.reduce) starts from -inf in every lane.
// CHECK-LABEL: func.func @row_max
// CHECK: arith.constant dense<0xFF800000> : vector<16xf32>
// CHECK: arith.maximumf {{.+}} : vector<16xf32>
// CHECK: vector.reduction <maximumf>
// CHECK-NOT: linalg.reduce
func.func @row_max(%x: memref<4x32xf32>, %max: memref<4xf32>) {
  linalg.reduce ins(%x : memref<4x32xf32>) outs(%max : memref<4xf32>) dimensions = [1]
    (%in: f32, %init: f32) {
      %m = arith.maximumf %in, %init : f32
      linalg.yield %m : f32
    }
  return
}

// Intermediate values of other types (a compare's i1) get vectors of
// their own type: counting the positive elements of each row.
// CHECK-LABEL: func.func @count_positive
// CHECK: %[[GT:.+]] = arith.cmpf ogt, %{{.+}}, %{{.+}} : vector<16xf32>
// CHECK: arith.select %[[GT]], %{{.+}}, %{{.+}} : vector<16xi1>, vector<16xf32>
// CHECK: vector.reduction <add>
func.func @count_positive(%x: memref<4x40xf32>, %count: memref<4xf32>) {
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  linalg.generic {indexing_maps = [affine_map<(r, c) -> (r, c)>, affine_map<(r, c) -> (r)>], iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<4x40xf32>) outs(%count : memref<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %gt = arith.cmpf ogt, %in, %zero : f32
    %v = arith.select %gt, %one, %zero : f32
    %s = arith.addf %v, %out : f32
    linalg.yield %s : f32
  }
  return
}

// Not along the contiguous dimension, not a combining body, or not f32:
// left to the loop lowering.
// CHECK-LABEL: func.func @left_alone
// CHECK: linalg.reduce
// CHECK: linalg.generic
// CHECK: linalg.reduce
func.func @left_alone(%x: memref<4x32xf32>, %sum: memref<32xf32>, %prod: memref<4xf32>,
                      %xd: memref<4x32xf64>, %sumd: memref<4xf64>) {
  linalg.reduce ins(%x : memref<4x32xf32>) outs(%sum : memref<32xf32>) dimensions = [0]
    (%in: f32, %init: f32) {
      %s = arith.addf %in, %init : f32
      linalg.yield %s : f32
    }
  linalg.generic {indexing_maps = [affine_map<(r, c) -> (r, c)>, affine_map<(r, c) -> (r)>], iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<4x32xf32>) outs(%prod : memref<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %p = arith.mulf %in, %out : f32
    linalg.yield %p : f32
  }
  linalg.reduce ins(%xd : memref<4x32xf64>) outs(%sumd : memref<4xf64>) dimensions = [1]
    (%in: f64, %init: f64) {
      %s = arith.addf %in, %init : f64
      linalg.yield %s : f64
    }
  return
}
