// RUN: ddl-opt %s | FileCheck %s
// RUN: ddl-opt %s | ddl-opt | FileCheck %s

// CHECK-LABEL: func.func @full
// CHECK: attn.flex %{{.*}}, %{{.*}}, %{{.*}} scale 1.250000e-01 : tensor<2x8x128x64xf32>, tensor<2x8x128x64xf32>, tensor<2x8x128x64xf32> -> tensor<2x8x128x64xf32>
// CHECK-NOT: score_mod
// CHECK-NOT: mask_mod
func.func @full(%q: tensor<2x8x128x64xf32>, %k: tensor<2x8x128x64xf32>,
                %v: tensor<2x8x128x64xf32>) -> tensor<2x8x128x64xf32> {
  %o = attn.flex %q, %k, %v scale 0.125
      : tensor<2x8x128x64xf32>, tensor<2x8x128x64xf32>, tensor<2x8x128x64xf32>
      -> tensor<2x8x128x64xf32>
  return %o : tensor<2x8x128x64xf32>
}

// Grouped-query causal attention with symbolic batch and length, and the
// log-sum-exp.
// CHECK-LABEL: func.func @gqa_causal_lse
// CHECK: attn.flex {{.*}} -> tensor<?x8x?x64xbf16>, tensor<?x8x?xf32> mask_mod {
// CHECK: ^bb0(%{{.*}}: index, %{{.*}}: index, %[[I:.*]]: index, %[[J:.*]]: index):
// CHECK:   %[[KEEP:.*]] = arith.cmpi uge, %[[I]], %[[J]] : index
// CHECK:   attn.yield %[[KEEP]] : i1
func.func @gqa_causal_lse(%q: tensor<?x8x?x64xbf16>, %k: tensor<?x2x?x64xbf16>,
                          %v: tensor<?x2x?x64xbf16>)
    -> (tensor<?x8x?x64xbf16>, tensor<?x8x?xf32>) {
  %o, %lse = attn.flex %q, %k, %v scale 0.125
      : tensor<?x8x?x64xbf16>, tensor<?x2x?x64xbf16>, tensor<?x2x?x64xbf16>
      -> tensor<?x8x?x64xbf16>, tensor<?x8x?xf32>
      mask_mod {
      ^bb0(%b: index, %h: index, %i: index, %j: index):
        %keep = arith.cmpi uge, %i, %j : index
        attn.yield %keep : i1
      }
  return %o, %lse : tensor<?x8x?x64xbf16>, tensor<?x8x?xf32>
}

// Soft-capping plus a relative position bias read from a captured table,
// and document masking from captured ids.
// CHECK-LABEL: func.func @captures
// CHECK: attn.flex {{.*}} captures(%{{.*}}, %{{.*}} : tensor<8x255xf32>, tensor<128xi64>) scale
// CHECK: score_mod {
// CHECK: math.tanh
// CHECK: tensor.extract
// CHECK: } mask_mod {
func.func @captures(%q: tensor<1x8x128x64xf32>, %k: tensor<1x8x128x64xf32>,
                    %v: tensor<1x8x128x32xf32>, %bias: tensor<8x255xf32>,
                    %doc: tensor<128xi64>) -> tensor<1x8x128x32xf32> {
  %o = attn.flex %q, %k, %v captures(%bias, %doc : tensor<8x255xf32>, tensor<128xi64>)
      scale 0.125
      : tensor<1x8x128x64xf32>, tensor<1x8x128x64xf32>, tensor<1x8x128x32xf32>
      -> tensor<1x8x128x32xf32>
      score_mod {
      ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index,
           %table: tensor<8x255xf32>, %ids: tensor<128xi64>):
        %cap = arith.constant 30.0 : f32
        %x = arith.divf %s, %cap : f32
        %t = math.tanh %x : f32
        %c = arith.mulf %t, %cap : f32
        %c127 = arith.constant 127 : index
        %d = arith.subi %j, %i : index
        %r = arith.addi %d, %c127 : index
        %bias_v = tensor.extract %table[%h, %r] : tensor<8x255xf32>
        %out = arith.addf %c, %bias_v : f32
        attn.yield %out : f32
      } mask_mod {
      ^bb0(%b: index, %h: index, %i: index, %j: index,
           %table: tensor<8x255xf32>, %ids: tensor<128xi64>):
        %di = tensor.extract %ids[%i] : tensor<128xi64>
        %dj = tensor.extract %ids[%j] : tensor<128xi64>
        %same = arith.cmpi eq, %di, %dj : i64
        attn.yield %same : i1
      }
  return %o : tensor<1x8x128x32xf32>
}
