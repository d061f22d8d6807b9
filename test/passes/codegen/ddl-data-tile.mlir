// RUN: ddl-opt %s --ddl-data-tile --split-input-file --verify-diagnostics | FileCheck %s

// B (K=2, N=3) is packed at compile time to [N1=2][K=2][N0=2], zero-padded:
// [[1, 2], [4, 5]], [[3, 0], [6, 0]]; the matmul becomes the packed-B
// contraction on A and the fill as they are, keeping schedule and key.
// CHECK-DAG: #[[A_MAP:.+]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[B_MAP:.+]] = affine_map<(d0, d1, d2) -> (d1 floordiv 2, d2, d1 mod 2)>
// CHECK-DAG: #[[C_MAP:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @linear
// CHECK-SAME: (%[[X:.+]]: tensor<5x2xf32>)
// CHECK-DAG: %[[B:.+]] = arith.constant dense_resource<ddl_packed> : tensor<2x2x2xf32>
// CHECK-DAG: %[[C:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%{{.+}} : tensor<5x3xf32>)
// CHECK: linalg.generic {indexing_maps = [#[[A_MAP]], #[[B_MAP]], #[[C_MAP]]], iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[X]], %[[B]] : tensor<5x2xf32>, tensor<2x2x2xf32>) outs(%[[C]] : tensor<5x3xf32>) attrs =  {sched.key = "k", sched.schedule = #sched.contraction<isa = "neon", register = [4, 2, 1], cache = [1, 1, 1], parallel = 1>}
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK-NOT: linalg.matmul
// CHECK-NOT: tensor.pad
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

// Gemm's transB (B stored [N][K]) is packed the same way; a dynamic M and
// an accumulator that is not a fill (a bias) stay as they are.
// CHECK-DAG: #[[B_MAP:.+]] = affine_map<(d0, d1, d2) -> (d1 floordiv 8, d2, d1 mod 8)>
// CHECK-LABEL: func.func @dynamic_bias
// CHECK-SAME: (%[[X:.+]]: tensor<?x8xf32>, %[[BIAS:.+]]: tensor<?x8xf32>)
// CHECK: %[[B:.+]] = arith.constant dense_resource<ddl_packed> : tensor<1x8x8xf32>
// CHECK: linalg.generic {{.+}} ins(%[[X]], %[[B]] : tensor<?x8xf32>, tensor<1x8x8xf32>) outs(%[[BIAS]] : tensor<?x8xf32>)
func.func @dynamic_bias(%x: tensor<?x8xf32>, %bias: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %w = arith.constant dense<1.0> : tensor<8x8xf32>
  %y = linalg.matmul indexing_maps = [affine_map<(i, j, k) -> (i, k)>, affine_map<(i, j, k) -> (j, k)>, affine_map<(i, j, k) -> (i, j)>]
         {sched.schedule = #sched.contraction<isa = "neon", register = [8, 8, 1], cache = [1, 1, 8], parallel = 1>}
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
