// RUN: ddl-opt %s -split-input-file -verify-diagnostics

func.func @rank(%q: tensor<8x128x64xf32>, %k: tensor<1x8x128x64xf32>) {
  // expected-error @+1 {{query must be 4-D [batch, heads, sequence, head dim], got rank 3}}
  %o = attn.flex %q, %k, %k scale 1.0
      : tensor<8x128x64xf32>, tensor<1x8x128x64xf32>, tensor<1x8x128x64xf32>
      -> tensor<1x8x128x64xf32>
  return
}

// -----

func.func @element_types(%q: tensor<1x8x128x64xf16>, %k: tensor<1x8x128x64xf32>) {
  // expected-error @+1 {{query, key and value must have one element type, got 'f16', 'f32' and 'f32'}}
  %o = attn.flex %q, %k, %k scale 1.0
      : tensor<1x8x128x64xf16>, tensor<1x8x128x64xf32>, tensor<1x8x128x64xf32>
      -> tensor<1x8x128x64xf16>
  return
}

// -----

func.func @integer(%q: tensor<1x8x128x64xi8>) {
  // expected-error @+1 {{query must be f32, f16 or bf16, got 'i8'}}
  %o = attn.flex %q, %q, %q scale 1.0
      : tensor<1x8x128x64xi8>, tensor<1x8x128x64xi8>, tensor<1x8x128x64xi8>
      -> tensor<1x8x128x64xi8>
  return
}

// -----

func.func @gqa(%q: tensor<1x6x128x64xf32>, %k: tensor<1x4x128x64xf32>) {
  // expected-error @+1 {{query heads (6) must be a multiple of key/value heads (4) for grouped-query attention}}
  %o = attn.flex %q, %k, %k scale 1.0
      : tensor<1x6x128x64xf32>, tensor<1x4x128x64xf32>, tensor<1x4x128x64xf32>
      -> tensor<1x6x128x64xf32>
  return
}

// -----

func.func @head_dim(%q: tensor<1x8x128x64xf32>, %k: tensor<1x8x128x32xf32>) {
  // expected-error @+1 {{query and key must have one head dim, got 64 and 32}}
  %o = attn.flex %q, %k, %k scale 1.0
      : tensor<1x8x128x64xf32>, tensor<1x8x128x32xf32>, tensor<1x8x128x32xf32>
      -> tensor<1x8x128x32xf32>
  return
}

// -----

func.func @kv_length(%q: tensor<1x8x128x64xf32>, %k: tensor<1x8x128x64xf32>,
                     %v: tensor<1x8x64x64xf32>) {
  // expected-error @+1 {{key and value must have one sequence length, got 128 and 64}}
  %o = attn.flex %q, %k, %v scale 1.0
      : tensor<1x8x128x64xf32>, tensor<1x8x128x64xf32>, tensor<1x8x64x64xf32>
      -> tensor<1x8x128x64xf32>
  return
}

// -----

func.func @result(%q: tensor<1x8x128x64xf32>, %v: tensor<1x8x128x32xf32>) {
  // expected-error @+1 {{result must be [batch, query heads, query length, value head dim] = [1, 8, 128, 32] of 'f32', got 'tensor<1x8x128x64xf32>'}}
  %o = attn.flex %q, %q, %v scale 1.0
      : tensor<1x8x128x64xf32>, tensor<1x8x128x64xf32>, tensor<1x8x128x32xf32>
      -> tensor<1x8x128x64xf32>
  return
}

// -----

func.func @lse(%q: tensor<1x8x128x64xf32>) {
  // expected-error @+1 {{log-sum-exp result must be [batch, query heads, query length] of f32, got 'tensor<1x8x128x64xf32>'}}
  %o, %l = attn.flex %q, %q, %q scale 1.0
      : tensor<1x8x128x64xf32>, tensor<1x8x128x64xf32>, tensor<1x8x128x64xf32>
      -> tensor<1x8x128x64xf32>, tensor<1x8x128x64xf32>
  return
}

// -----

func.func @mask_args(%q: tensor<1x8x128x64xf32>) {
  // expected-error @+1 {{mask_mod must take (b, h, q_idx, kv_idx: index) and then one argument per captured tensor of its type}}
  %o = attn.flex %q, %q, %q scale 1.0
      : tensor<1x8x128x64xf32>, tensor<1x8x128x64xf32>, tensor<1x8x128x64xf32>
      -> tensor<1x8x128x64xf32>
      mask_mod {
      ^bb0(%i: index, %j: index):
        %keep = arith.cmpi uge, %i, %j : index
        attn.yield %keep : i1
      }
  return
}

// -----

func.func @score_yield(%q: tensor<1x8x128x64xf32>) {
  %o = attn.flex %q, %q, %q scale 1.0
      : tensor<1x8x128x64xf32>, tensor<1x8x128x64xf32>, tensor<1x8x128x64xf32>
      -> tensor<1x8x128x64xf32>
      score_mod {
      ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index):
        %keep = arith.cmpi uge, %i, %j : index
        // expected-error @+1 {{in score_mod must yield one 'f32'}}
        attn.yield %keep : i1
      }
  return
}

// -----

func.func @forbidden_op(%q: tensor<1x8x128x64xf32>) {
  %o = attn.flex %q, %q, %q scale 1.0
      : tensor<1x8x128x64xf32>, tensor<1x8x128x64xf32>, tensor<1x8x128x64xf32>
      -> tensor<1x8x128x64xf32>
      score_mod {
      ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index):
        // expected-error @+1 {{'tensor.empty' op is not allowed in score_mod: only scalar arith and math operations and tensor.extract of a captured tensor are}}
        %t = tensor.empty() : tensor<4xf32>
        attn.yield %s : f32
      }
  return
}

// -----

func.func @vector_op(%q: tensor<1x8x128x64xf32>) {
  %o = attn.flex %q, %q, %q scale 1.0
      : tensor<1x8x128x64xf32>, tensor<1x8x128x64xf32>, tensor<1x8x128x64xf32>
      -> tensor<1x8x128x64xf32>
      score_mod {
      ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index):
        // expected-error @+1 {{'arith.constant' op is not allowed in score_mod}}
        %c = arith.constant dense<1.0> : vector<4xf32>
        attn.yield %s : f32
      }
  return
}

// -----

func.func @no_yield(%q: tensor<1x8x128x64xf32>) {
  %o = attn.flex %q, %q, %q scale 1.0
      : tensor<1x8x128x64xf32>, tensor<1x8x128x64xf32>, tensor<1x8x128x64xf32>
      -> tensor<1x8x128x64xf32>
      mask_mod {
      ^bb0(%b: index, %h: index, %i: index, %j: index):
        // expected-error @+1 {{block with no terminator}}
        %keep = arith.cmpi uge, %i, %j : index
      }
  return
}

// -----

func.func @scale(%q: tensor<1x8x128x64xf32>) {
  // expected-error @+1 {{scale must be finite}}
  %o = attn.flex %q, %q, %q scale 0x7FF0000000000000
      : tensor<1x8x128x64xf32>, tensor<1x8x128x64xf32>, tensor<1x8x128x64xf32>
      -> tensor<1x8x128x64xf32>
  return
}
