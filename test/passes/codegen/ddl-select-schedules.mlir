// RUN: ddl-opt %s --ddl-select-schedules=target=aarch64 --split-input-file | FileCheck %s
// RUN: ddl-opt %s --ddl-select-schedules="target=aarch64 print=1" --split-input-file -o /dev/null | FileCheck %s --check-prefix=PRINT

// A linear layer (f32, constant weights) gets the target's register tile,
// cache blocks and a parallel dimension, and its key.
// CHECK-LABEL: func.func @linear
// CHECK: linalg.matmul {sched.key = "op=matmul m=32 n=96 k=64 types=f32,f32,f32 lhs=mk rhs=kn isa=neon", sched.schedule = #sched.contraction<isa = "neon", register = [8, 8, 1], cache = [4, 6, 64], parallel = 1>}
// PRINT: op=matmul m=32 n=96 k=64 types=f32,f32,f32 lhs=mk rhs=kn isa=neon -> #sched.contraction<isa = "neon", register = [8, 8, 1], cache = [4, 6, 64], parallel = 1>
func.func @linear(%x: tensor<32x64xf32>) -> tensor<32x96xf32> {
  %w = arith.constant dense<1.0> : tensor<64x96xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<32x96xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<32x96xf32>) -> tensor<32x96xf32>
  %y = linalg.matmul ins(%x, %w : tensor<32x64xf32>, tensor<64x96xf32>) outs(%init : tensor<32x96xf32>) -> tensor<32x96xf32>
  return %y : tensor<32x96xf32>
}

// -----

// Gemm's transB (B stored [N][K]) and a dynamic M are part of the key.
// CHECK-LABEL: func.func @gemm_dynamic
// CHECK: linalg.matmul indexing_maps = {{.+}} {sched.key = "op=matmul m=? n=16 k=8 types=f32,f32,f32 lhs=mk rhs=nk isa=neon", sched.schedule = #sched.contraction<isa = "neon", register = [8, 8, 1]
// PRINT: op=matmul m=? n=16 k=8 types=f32,f32,f32 lhs=mk rhs=nk isa=neon -> #sched.contraction<isa = "neon", register = [8, 8, 1], cache = [{{[0-9]+}}, 1, 8], parallel = 1>
func.func @gemm_dynamic(%x: tensor<?x8xf32>, %init: tensor<?x16xf32>) -> tensor<?x16xf32> {
  %w = arith.constant dense<2.0> : tensor<16x8xf32>
  %y = linalg.matmul indexing_maps = [affine_map<(i, j, k) -> (i, k)>, affine_map<(i, j, k) -> (j, k)>, affine_map<(i, j, k) -> (i, j)>]
         ins(%x, %w : tensor<?x8xf32>, tensor<16x8xf32>) outs(%init : tensor<?x16xf32>) -> tensor<?x16xf32>
  return %y : tensor<?x16xf32>
}

// -----

// B computed at run time: the in-place kernel's schedule (batches, then
// M blocks, in parallel), under a batch_matmul key; a matmul is batch 1.
// A static M under the table's 8 rows takes M rows and the freed
// accumulators as columns: [4, 16] (16 NEON accumulators, as [8, 8]).
// CHECK-LABEL: func.func @runtime_rhs
// CHECK: linalg.batch_matmul {sched.key = "op=batch_matmul batch=? m=128 n=128 k=64 types=f32,f32,f32 lhs=mk rhs=kn isa=neon", sched.schedule = #sched.contraction<isa = "neon", register = [8, 8, 1], cache = [16, 16, 64], parallel = 0>}
// CHECK: linalg.matmul {sched.key = "op=batch_matmul batch=1 m=4 n=16 k=8 types=f32,f32,f32 lhs=mk rhs=kn isa=neon", sched.schedule = #sched.contraction<isa = "neon", register = [4, 16, 1], cache = [1, 1, 8], parallel = 0>}
// PRINT: op=batch_matmul batch=? m=128 n=128 k=64
// PRINT: op=batch_matmul batch=1 m=4 n=16 k=8
func.func @runtime_rhs(%q: tensor<?x128x64xf32>, %k: tensor<?x64x128xf32>, %sinit: tensor<?x128x128xf32>,
                       %x: tensor<4x8xf32>, %b: tensor<8x16xf32>, %init: tensor<4x16xf32>) -> (tensor<?x128x128xf32>, tensor<4x16xf32>) {
  %s = linalg.batch_matmul ins(%q, %k : tensor<?x128x64xf32>, tensor<?x64x128xf32>) outs(%sinit : tensor<?x128x128xf32>) -> tensor<?x128x128xf32>
  %y = linalg.matmul ins(%x, %b : tensor<4x8xf32>, tensor<8x16xf32>) outs(%init : tensor<4x16xf32>) -> tensor<4x16xf32>
  return %s, %y : tensor<?x128x128xf32>, tensor<4x16xf32>
}

// -----

// Not handled: f16, a batch_matmul with transposed B.
// CHECK-LABEL: func.func @unscheduled
// CHECK-NOT: sched.schedule
// PRINT-NOT: op=matmul
func.func @unscheduled(%h: tensor<4x8xf16>, %hinit: tensor<4x16xf16>,
                       %q: tensor<2x4x8xf32>, %kt: tensor<2x16x8xf32>, %sinit: tensor<2x4x16xf32>) -> (tensor<4x16xf16>, tensor<2x4x16xf32>) {
  %w = arith.constant dense<1.0> : tensor<8x16xf16>
  %z = linalg.matmul ins(%h, %w : tensor<4x8xf16>, tensor<8x16xf16>) outs(%hinit : tensor<4x16xf16>) -> tensor<4x16xf16>
  %s = linalg.batch_matmul indexing_maps = [affine_map<(b, i, j, k) -> (b, i, k)>, affine_map<(b, i, j, k) -> (b, j, k)>, affine_map<(b, i, j, k) -> (b, i, j)>]
         ins(%q, %kt : tensor<2x4x8xf32>, tensor<2x16x8xf32>) outs(%sinit : tensor<2x4x16xf32>) -> tensor<2x4x16xf32>
  return %z, %s : tensor<4x16xf16>, tensor<2x4x16xf32>
}
