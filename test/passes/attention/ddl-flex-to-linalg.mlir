// RUN: ddl-opt %s --ddl-flex-to-linalg --split-input-file --verify-diagnostics | FileCheck %s

// Grouped-query causal attention in f16 with a captured bias and the
// log-sum-exp, materialized: Q K^T reads key head h floordiv 4, the mods are
// inlined on scalars with linalg.index for the indices, then row max,
// exp, row sum, P V and the division, truncated to f16.
// CHECK-DAG: #[[KMAP:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1 floordiv 4, d3, d4)>
// CHECK-LABEL: func.func @gqa
// CHECK-SAME: %[[BIAS:[^:]*]]: tensor<255xf32>
// CHECK: %[[S:.*]] = linalg.generic {{.*}}#[[KMAP]]{{.*}}iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]
// CHECK: arith.extf
// CHECK: linalg.generic
// CHECK: linalg.index 2
// CHECK: tensor.extract %[[BIAS]]
// CHECK: arith.cmpi uge
// CHECK: arith.select
// CHECK: arith.maximumf
// CHECK: math.exp
// CHECK: arith.truncf {{.*}} : f32 to f16
// CHECK: math.log
// CHECK-NOT: attn.flex
func.func @gqa(%q: tensor<1x8x100x64xf16>, %k: tensor<1x2x100x64xf16>,
               %bias: tensor<255xf32>)
    -> (tensor<1x8x100x64xf16>, tensor<1x8x100xf32>) {
  %o, %l = attn.flex %q, %k, %k captures(%bias : tensor<255xf32>) scale 0.125
      : tensor<1x8x100x64xf16>, tensor<1x2x100x64xf16>, tensor<1x2x100x64xf16>
      -> tensor<1x8x100x64xf16>, tensor<1x8x100xf32>
      score_mod {
      ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index, %t: tensor<255xf32>):
        %c127 = arith.constant 127 : index
        %d = arith.subi %j, %i : index
        %r = arith.addi %d, %c127 : index
        %x = tensor.extract %t[%r] : tensor<255xf32>
        %y = arith.addf %s, %x : f32
        attn.yield %y : f32
      } mask_mod {
      ^bb0(%b: index, %h: index, %i: index, %j: index, %t: tensor<255xf32>):
        %keep = arith.cmpi uge, %i, %j : index
        attn.yield %keep : i1
      }
  return %o, %l : tensor<1x8x100x64xf16>, tensor<1x8x100xf32>
}

// -----

func.func @dynamic_heads(%q: tensor<1x?x16x8xf32>, %k: tensor<1x2x16x8xf32>) -> tensor<1x?x16x8xf32> {
  // expected-error @+1 {{materialized attn.flex with grouped-query attention needs static head counts}}
  %o = attn.flex %q, %k, %k scale 1.0
      : tensor<1x?x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32> -> tensor<1x?x16x8xf32>
  return %o : tensor<1x?x16x8xf32>
}
