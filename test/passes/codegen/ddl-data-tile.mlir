// RUN: ddl-opt %s --ddl-data-tile --split-input-file --verify-diagnostics | FileCheck %s

// B (K=2, N=3) is packed at compile time to [N1=2][K1=2][N0=2][K0=1],
// zero-padded: [[1, 2], [4, 5]], [[3, 0], [6, 0]]. A is packed at run time
// (pad to a multiple of M0, reshape, transpose), the fill is done in the
// packed shape, and the result is unpacked into the fill's destination.
// CHECK-LABEL: func.func @linear
// CHECK-SAME: (%[[X:.+]]: tensor<5x2xf32>)
// CHECK: %[[E:.+]] = tensor.empty() : tensor<5x3xf32>
// CHECK-DAG: %[[B:.+]] = arith.constant dense_resource<ddl_packed> : tensor<2x2x2x1xf32>
// CHECK-DAG: %[[PAD:.+]] = tensor.pad %[[X]] low[0, 0] high[3, 0]
// CHECK: %[[AX:.+]] = tensor.expand_shape %[[PAD]] {{\[\[}}0, 1], [2]] output_shape [2, 4, 2] : tensor<8x2xf32> into tensor<2x4x2xf32>
// CHECK: %[[AT:.+]] = linalg.transpose ins(%[[AX]] : tensor<2x4x2xf32>) outs(%{{.+}} : tensor<2x2x4xf32>) permutation = [0, 2, 1]
// CHECK: %[[A:.+]] = tensor.expand_shape %[[AT]] {{\[\[}}0], [1], [2, 3]] output_shape [2, 2, 4, 1] : tensor<2x2x4xf32> into tensor<2x2x4x1xf32>
// CHECK: %[[C:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%{{.+}} : tensor<2x2x4x2xf32>)
// CHECK: %[[P:.+]] = linalg.mmt4d {sched.key = "k", sched.schedule = #sched.contraction<isa = "neon", register = [4, 2, 1], cache = [1, 1, 1], parallel = 1>} ins(%[[A]], %[[B]] : tensor<2x2x4x1xf32>, tensor<2x2x2x1xf32>) outs(%[[C]] : tensor<2x2x4x2xf32>)
// CHECK: linalg.transpose ins(%[[P]] : tensor<2x2x4x2xf32>)
// CHECK: tensor.collapse_shape
// CHECK: %[[S:.+]] = tensor.extract_slice {{.+}}[0, 0] [5, 3] [1, 1]
// CHECK: linalg.copy ins(%[[S]] : tensor<5x3xf32>) outs(%[[E]] : tensor<5x3xf32>)
// CHECK-NOT: linalg.matmul
// CHECK: ddl_packed: "0x040000000000803F00000040000080400000A04000004040000000000000C04000000000"
func.func @linear(%x: tensor<5x2xf32>) -> tensor<5x3xf32> {
  %w = arith.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<5x3xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<5x3xf32>) -> tensor<5x3xf32>
  %y = linalg.matmul {sched.key = "k", sched.schedule = #sched.contraction<isa = "neon", register = [4, 2, 1], cache = [1, 1, 1], parallel = 1>}
         ins(%x, %w : tensor<5x2xf32>, tensor<2x3xf32>) outs(%init : tensor<5x3xf32>) -> tensor<5x3xf32>
  return %y : tensor<5x3xf32>
}

// -----

// When the tiles divide M and N, nothing is padded and one transpose
// writes the result in place, into the destination seen as row tiles.
// CHECK-LABEL: func.func @exact
// CHECK-NOT: tensor.pad
// CHECK: %[[E:.+]] = tensor.empty() : tensor<8x4xf32>
// CHECK: %[[P:.+]] = linalg.mmt4d
// CHECK: %[[D:.+]] = tensor.expand_shape %[[E]] {{\[\[}}0, 1], [2, 3]] output_shape [2, 4, 2, 2] : tensor<8x4xf32> into tensor<2x4x2x2xf32>
// CHECK: %[[T:.+]] = linalg.transpose ins(%[[P]] : tensor<2x2x4x2xf32>) outs(%[[D]] : tensor<2x4x2x2xf32>) permutation = [0, 2, 1, 3]
// CHECK: %[[R:.+]] = tensor.collapse_shape %[[T]] {{\[\[}}0, 1], [2, 3]] : tensor<2x4x2x2xf32> into tensor<8x4xf32>
// CHECK: return %[[R]]
func.func @exact(%x: tensor<8x2xf32>) -> tensor<8x4xf32> {
  %w = arith.constant dense<1.0> : tensor<2x4xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x4xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<8x4xf32>) -> tensor<8x4xf32>
  %y = linalg.matmul {sched.schedule = #sched.contraction<isa = "neon", register = [4, 2, 1], cache = [1, 1, 1], parallel = 1>}
         ins(%x, %w : tensor<8x2xf32>, tensor<2x4xf32>) outs(%init : tensor<8x4xf32>) -> tensor<8x4xf32>
  return %y : tensor<8x4xf32>
}

// -----

// A dynamic M and an accumulator that is not a fill (a bias): both are
// packed at run time, with zero padding.
// CHECK-LABEL: func.func @dynamic_bias
// CHECK: tensor.pad
// CHECK: tensor.pad
// CHECK: linalg.mmt4d {{.+}} ins(%{{.+}}, %{{.+}} : tensor<?x8x8x1xf32>, tensor<1x8x8x1xf32>) outs(%{{.+}} : tensor<?x1x8x8xf32>) -> tensor<?x1x8x8xf32>
func.func @dynamic_bias(%x: tensor<?x8xf32>, %bias: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %w = arith.constant dense<1.0> : tensor<8x8xf32>
  %y = linalg.matmul {sched.schedule = #sched.contraction<isa = "neon", register = [8, 8, 1], cache = [1, 1, 8], parallel = 1>}
         ins(%x, %w : tensor<?x8xf32>, tensor<8x8xf32>) outs(%bias : tensor<?x8xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}

// -----

// A matmul whose B is computed at run time keeps its schedule for
// ddl-batch-matmul-to-vector (after bufferization).
// CHECK-LABEL: func.func @runtime_rhs
// CHECK: linalg.matmul {sched.schedule = #sched.contraction
// CHECK-NOT: linalg.mmt4d
func.func @runtime_rhs(%x: tensor<4x8xf32>, %b: tensor<8x8xf32>, %init: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %y = linalg.matmul {sched.schedule = #sched.contraction<isa = "neon", register = [8, 8, 1], cache = [1, 1, 8], parallel = 1>}
         ins(%x, %b : tensor<4x8xf32>, tensor<8x8xf32>) outs(%init : tensor<4x8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

// A schedule on a matmul no strategy can take is an error, not a silent
// fallback.
func.func @f16(%x: tensor<4x8xf16>, %init: tensor<4x8xf16>) -> tensor<4x8xf16> {
  %w = arith.constant dense<1.0> : tensor<8x8xf16>
  // expected-error @below {{has a schedule but is not an f32 matmul with a constant right operand and static K and N}}
  %y = linalg.matmul {sched.schedule = #sched.contraction<isa = "neon", register = [8, 8, 1], cache = [1, 1, 8], parallel = 1>}
         ins(%x, %w : tensor<4x8xf16>, tensor<8x8xf16>) outs(%init : tensor<4x8xf16>) -> tensor<4x8xf16>
  return %y : tensor<4x8xf16>
}
