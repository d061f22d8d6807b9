// RUN: ddl-opt %s --pass-pipeline="builtin.module(func.func(nn-recognize-attention),canonicalize,cse)" --split-input-file | FileCheck %s

// nn.MultiheadAttention as torch.onnx.export writes it: [heads, S, D], Q
// divided by sqrt(D), K^T from a transpose. K^T's transpose composes with
// the one back to K; a leading unit dim goes in and comes out (unsqueeze
// and squeeze, canonicalized to reshapes).
// CHECK-LABEL: func.func @mha
// CHECK-SAME: (%[[Q:.*]]: tensor<12x128x64xf32>, %[[K:.*]]: tensor<128x12x64xf32>, %[[V:.*]]: tensor<12x128x64xf32>)
// CHECK-DAG: %[[KT:.*]] = nn.transpose %[[K]] {perm = array<i64: 1, 0, 2>}
// CHECK-DAG: %[[Q4:.*]] = nn.reshape %[[Q]], %{{.*}} : (tensor<12x128x64xf32>, tensor<4xi64>) -> tensor<1x12x128x64xf32>
// CHECK-DAG: %[[K4:.*]] = nn.reshape %[[KT]], %{{.*}} -> tensor<1x12x128x64xf32>
// CHECK-DAG: %[[V4:.*]] = nn.reshape %[[V]], %{{.*}} -> tensor<1x12x128x64xf32>
// CHECK: %[[O:.*]] = attn.flex %[[Q4]], %[[K4]], %[[V4]] scale 1.250000e-01 : {{.*}} -> tensor<1x12x128x64xf32>
// CHECK-NOT: score_mod
// CHECK-NOT: mask_mod
// CHECK: %[[R:.*]] = nn.reshape %[[O]], %{{.*}} -> tensor<12x128x64xf32>
// CHECK-NOT: nn.softmax
// CHECK: return %[[R]] : tensor<12x128x64xf32>
func.func @mha(%q: tensor<12x128x64xf32>, %k: tensor<128x12x64xf32>,
               %v: tensor<12x128x64xf32>) -> tensor<12x128x64xf32> {
  %c8 = nn.constant dense<8.0> : tensor<f32>
  %qs = nn.div %q, %c8 : (tensor<12x128x64xf32>, tensor<f32>) -> tensor<12x128x64xf32>
  %kt = nn.transpose %k {perm = array<i64: 1, 2, 0>} : (tensor<128x12x64xf32>) -> tensor<12x64x128xf32>
  %s = nn.matmul %qs, %kt : (tensor<12x128x64xf32>, tensor<12x64x128xf32>) -> tensor<12x128x128xf32>
  %p = nn.softmax %s : (tensor<12x128x128xf32>) -> tensor<12x128x128xf32>
  %o = nn.matmul %p, %v : (tensor<12x128x128xf32>, tensor<12x128x64xf32>) -> tensor<12x128x64xf32>
  return %o : tensor<12x128x64xf32>
}

// -----

// GPT-style: [B, H, S, D], scores scaled by a multiplication, a constant
// additive causal mask: a mask_mod on the indices, nothing captured.
// CHECK-LABEL: func.func @causal_additive
// CHECK: attn.flex %{{.*}}, %{{.*}}, %{{.*}} scale 5.000000e-01 :
// CHECK-NOT: captures
// CHECK: mask_mod {
// CHECK: ^bb0(%{{.*}}: index, %{{.*}}: index, %[[I:.*]]: index, %[[J:.*]]: index):
// CHECK-DAG: %[[I64:.*]] = arith.index_cast %[[I]] : index to i64
// CHECK-DAG: %[[J64:.*]] = arith.index_cast %[[J]] : index to i64
// CHECK: %[[KEEP:.*]] = arith.cmpi sle, %[[J64]], %[[I64]] : i64
// CHECK: attn.yield %[[KEEP]] : i1
func.func @causal_additive(%q: tensor<1x2x3x4xf32>, %kt: tensor<1x2x4x3xf32>,
                           %v: tensor<1x2x3x4xf32>) -> tensor<1x2x3x4xf32> {
  %half = nn.constant dense<0.5> : tensor<f32>
  %mask = nn.constant dense<[[0.0, 0xFF800000, 0xFF800000], [0.0, 0.0, 0xFF800000], [0.0, 0.0, 0.0]]> : tensor<3x3xf32>
  %s = nn.matmul %q, %kt : (tensor<1x2x3x4xf32>, tensor<1x2x4x3xf32>) -> tensor<1x2x3x3xf32>
  %ss = nn.mul %s, %half : (tensor<1x2x3x3xf32>, tensor<f32>) -> tensor<1x2x3x3xf32>
  %m = nn.add %ss, %mask : (tensor<1x2x3x3xf32>, tensor<3x3xf32>) -> tensor<1x2x3x3xf32>
  %p = nn.softmax %m {axis = 3} : (tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  %o = nn.matmul %p, %v : (tensor<1x2x3x3xf32>, tensor<1x2x3x4xf32>) -> tensor<1x2x3x4xf32>
  return %o : tensor<1x2x3x4xf32>
}

// -----

// masked_fill(~keep, -inf) as Where(drop, -inf, scores) with a causal drop
// triangle, and more keys than queries (the triangle aligns to the end).
// CHECK-LABEL: func.func @causal_where
// CHECK: mask_mod {
// CHECK: %[[C1:.*]] = arith.constant 1 : i64
// CHECK: %[[LIMIT:.*]] = arith.addi %{{.*}}, %[[C1]] : i64
// CHECK: arith.cmpi sle, %{{.*}}, %[[LIMIT]] : i64
func.func @causal_where(%q: tensor<1x2x2x4xf32>, %kt: tensor<1x2x4x3xf32>,
                        %v: tensor<1x2x3x4xf32>) -> tensor<1x2x2x4xf32> {
  %ninf = nn.constant dense<0xFF800000> : tensor<f32>
  %drop = nn.constant dense<[[false, false, true], [false, false, false]]> : tensor<2x3xi1>
  %s = nn.matmul %q, %kt : (tensor<1x2x2x4xf32>, tensor<1x2x4x3xf32>) -> tensor<1x2x2x3xf32>
  %m = nn.where %drop, %ninf, %s : (tensor<2x3xi1>, tensor<f32>, tensor<1x2x2x3xf32>) -> tensor<1x2x2x3xf32>
  %p = nn.softmax %m : (tensor<1x2x2x3xf32>) -> tensor<1x2x2x3xf32>
  %o = nn.matmul %p, %v : (tensor<1x2x2x3xf32>, tensor<1x2x3x4xf32>) -> tensor<1x2x2x4xf32>
  return %o : tensor<1x2x2x4xf32>
}

// -----

// A padding mask computed at run time ([B, 1, 1, S], added): captured and
// read in score_mod at (b, 0, 0, kv_idx).
// CHECK-LABEL: func.func @padding_mask
// CHECK-SAME: %[[MASK:[^:]*]]: tensor<2x1x1x16xf32>
// CHECK: attn.flex %{{.*}}, %{{.*}}, %{{.*}} captures(%[[MASK]] : tensor<2x1x1x16xf32>)
// CHECK: score_mod {
// CHECK: ^bb0(%[[S:.*]]: f32, %[[B:.*]]: index, %{{.*}}: index, %{{.*}}: index, %[[J:.*]]: index, %[[M:.*]]: tensor<2x1x1x16xf32>):
// CHECK: %[[C0:.*]] = arith.constant 0 : index
// CHECK: %[[X:.*]] = tensor.extract %[[M]][%[[B]], %[[C0]], %[[C0]], %[[J]]]
// CHECK: %[[SUM:.*]] = arith.addf %[[S]], %[[X]] : f32
// CHECK: attn.yield %[[SUM]] : f32
func.func @padding_mask(%q: tensor<2x4x16x8xf32>, %kt: tensor<2x4x8x16xf32>,
                        %v: tensor<2x4x16x8xf32>, %mask: tensor<2x1x1x16xf32>)
    -> tensor<2x4x16x8xf32> {
  %s = nn.matmul %q, %kt : (tensor<2x4x16x8xf32>, tensor<2x4x8x16xf32>) -> tensor<2x4x16x16xf32>
  %m = nn.add %s, %mask : (tensor<2x4x16x16xf32>, tensor<2x1x1x16xf32>) -> tensor<2x4x16x16xf32>
  %p = nn.softmax %m : (tensor<2x4x16x16xf32>) -> tensor<2x4x16x16xf32>
  %o = nn.matmul %p, %v : (tensor<2x4x16x16xf32>, tensor<2x4x16x8xf32>) -> tensor<2x4x16x8xf32>
  return %o : tensor<2x4x16x8xf32>
}

// -----

// A boolean keep mask from the caller: captured, read in mask_mod.
// CHECK-LABEL: func.func @keep_mask
// CHECK: mask_mod {
// CHECK: ^bb0(%{{.*}}: index, %{{.*}}: index, %[[I:.*]]: index, %[[J:.*]]: index, %[[M:.*]]: tensor<16x16xi1>):
// CHECK: %[[X:.*]] = tensor.extract %[[M]][%[[I]], %[[J]]]
// CHECK: attn.yield %[[X]] : i1
func.func @keep_mask(%q: tensor<4x16x8xf32>, %kt: tensor<4x8x16xf32>,
                     %v: tensor<4x16x8xf32>, %keep: tensor<16x16xi1>)
    -> tensor<4x16x8xf32> {
  %ninf = nn.constant dense<-1.0e9> : tensor<f32>
  %s = nn.matmul %q, %kt : (tensor<4x16x8xf32>, tensor<4x8x16xf32>) -> tensor<4x16x16xf32>
  %m = nn.where %keep, %s, %ninf : (tensor<16x16xi1>, tensor<4x16x16xf32>, tensor<f32>) -> tensor<4x16x16xf32>
  %p = nn.softmax %m : (tensor<4x16x16xf32>) -> tensor<4x16x16xf32>
  %o = nn.matmul %p, %v : (tensor<4x16x16xf32>, tensor<4x16x8xf32>) -> tensor<4x16x8xf32>
  return %o : tensor<4x16x8xf32>
}

// -----

// The probabilities are returned too (need_weights): nothing is rewritten.
// CHECK-LABEL: func.func @weights_used
// CHECK-NOT: attn.flex
// CHECK: nn.softmax
func.func @weights_used(%q: tensor<4x16x8xf32>, %kt: tensor<4x8x16xf32>,
                        %v: tensor<4x16x8xf32>)
    -> (tensor<4x16x8xf32>, tensor<4x16x16xf32>) {
  %s = nn.matmul %q, %kt : (tensor<4x16x8xf32>, tensor<4x8x16xf32>) -> tensor<4x16x16xf32>
  %p = nn.softmax %s : (tensor<4x16x16xf32>) -> tensor<4x16x16xf32>
  %o = nn.matmul %p, %v : (tensor<4x16x16xf32>, tensor<4x16x8xf32>) -> tensor<4x16x8xf32>
  return %o, %p : tensor<4x16x8xf32>, tensor<4x16x16xf32>
}

// -----

// Softmax over another axis is not attention.
// CHECK-LABEL: func.func @other_axis
// CHECK-NOT: attn.flex
func.func @other_axis(%q: tensor<4x16x8xf32>, %kt: tensor<4x8x16xf32>,
                      %v: tensor<4x16x8xf32>) -> tensor<4x16x8xf32> {
  %s = nn.matmul %q, %kt : (tensor<4x16x8xf32>, tensor<4x8x16xf32>) -> tensor<4x16x16xf32>
  %p = nn.softmax %s {axis = 1} : (tensor<4x16x16xf32>) -> tensor<4x16x16xf32>
  %o = nn.matmul %p, %v : (tensor<4x16x16xf32>, tensor<4x16x8xf32>) -> tensor<4x16x8xf32>
  return %o : tensor<4x16x8xf32>
}
