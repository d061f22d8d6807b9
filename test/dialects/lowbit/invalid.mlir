// RUN: ddl-opt %s -split-input-file -verify-diagnostics

func.func @k(%a: tensor<4x8xui8>, %w: tensor<16x16xi8>, %za: tensor<ui8>, %zw: tensor<i8>) {
  // expected-error @+1 {{lhs has K = 8 but rhs has K = 16}}
  %y = lowbit.matmul %a, %w, %za, %zw {lhs_unsigned = true, rhs_unsigned = false}
      : (tensor<4x8xui8>, tensor<16x16xi8>, tensor<ui8>, tensor<i8>) -> tensor<4x16xi32>
  return
}

// -----

func.func @rhs_rank(%a: tensor<4x8xui8>, %w: tensor<2x8x16xi8>, %za: tensor<ui8>, %zw: tensor<i8>) {
  // expected-error @+1 {{rhs must be [K, N] (weights), got rank 3}}
  %y = lowbit.matmul %a, %w, %za, %zw {lhs_unsigned = true, rhs_unsigned = false}
      : (tensor<4x8xui8>, tensor<2x8x16xi8>, tensor<ui8>, tensor<i8>) -> tensor<4x16xi32>
  return
}

// -----

func.func @zero_point(%a: tensor<4x8xui8>, %w: tensor<8x16xi8>, %za: tensor<ui8>, %zw: tensor<8xi8>) {
  // expected-error @+1 {{rhs zero point must be a scalar or one per column ([16]) of 'i8', got 'tensor<8xi8>'}}
  %y = lowbit.matmul %a, %w, %za, %zw {lhs_unsigned = true, rhs_unsigned = false}
      : (tensor<4x8xui8>, tensor<8x16xi8>, tensor<ui8>, tensor<8xi8>) -> tensor<4x16xi32>
  return
}

// -----

func.func @lhs_zero_point(%a: tensor<4x8xui8>, %w: tensor<8x16xi8>, %za: tensor<4xui8>, %zw: tensor<i8>) {
  // expected-error @+1 {{lhs zero point must be a scalar of 'ui8', got 'tensor<4xui8>'}}
  %y = lowbit.matmul %a, %w, %za, %zw {lhs_unsigned = true, rhs_unsigned = false}
      : (tensor<4x8xui8>, tensor<8x16xi8>, tensor<4xui8>, tensor<i8>) -> tensor<4x16xi32>
  return
}

// -----

func.func @signedness(%a: tensor<4x8xui8>, %w: tensor<8x16xi8>, %za: tensor<ui8>, %zw: tensor<i8>) {
  // expected-error @+1 {{lhs has elements 'ui8' but lhs_unsigned = false}}
  %y = lowbit.matmul %a, %w, %za, %zw {lhs_unsigned = false, rhs_unsigned = false}
      : (tensor<4x8xui8>, tensor<8x16xi8>, tensor<ui8>, tensor<i8>) -> tensor<4x16xi32>
  return
}

// -----

func.func @result(%a: tensor<4x8xui8>, %w: tensor<8x16xi8>, %za: tensor<ui8>, %zw: tensor<i8>) {
  // expected-error @+1 {{result must be [..., M, N] of i32, got 'tensor<4x8xi32>'}}
  %y = lowbit.matmul %a, %w, %za, %zw {lhs_unsigned = true, rhs_unsigned = false}
      : (tensor<4x8xui8>, tensor<8x16xi8>, tensor<ui8>, tensor<i8>) -> tensor<4x8xi32>
  return
}

// -----

func.func @int4_k(%x: tensor<4x48xf32>, %w: tensor<16x24xi8>, %s: tensor<16x1xf32>) {
  // expected-error @+1 {{K = 48 (twice the weights' bytes per row) must be a multiple of 32}}
  %y = lowbit.matmul_int4 %x, %w, %s {group_size = 32}
      : (tensor<4x48xf32>, tensor<16x24xi8>, tensor<16x1xf32>) -> tensor<4x16xf32>
  return
}

// -----

func.func @int4_group(%x: tensor<4x64xf32>, %w: tensor<16x32xi8>, %s: tensor<16x1xf32>) {
  // expected-error @+1 {{group_size 48 must be a multiple of 32 that divides K = 64}}
  %y = lowbit.matmul_int4 %x, %w, %s {group_size = 48}
      : (tensor<4x64xf32>, tensor<16x32xi8>, tensor<16x1xf32>) -> tensor<4x16xf32>
  return
}

// -----

func.func @int4_scales(%x: tensor<4x64xf32>, %w: tensor<16x32xi8>, %s: tensor<16x1xf32>) {
  // expected-error @+1 {{scales must be [N, K / group_size] = [16, 2], got 'tensor<16x1xf32>'}}
  %y = lowbit.matmul_int4 %x, %w, %s {group_size = 32}
      : (tensor<4x64xf32>, tensor<16x32xi8>, tensor<16x1xf32>) -> tensor<4x16xf32>
  return
}

// -----

func.func @int4_input(%x: tensor<4x32xf32>, %w: tensor<16x32xi8>, %s: tensor<16x2xf32>) {
  // expected-error @+1 {{input has K = 32 but the weights hold K = 64}}
  %y = lowbit.matmul_int4 %x, %w, %s {group_size = 32}
      : (tensor<4x32xf32>, tensor<16x32xi8>, tensor<16x2xf32>) -> tensor<4x16xf32>
  return
}

// -----

func.func @int4_result(%x: tensor<4x64xf32>, %w: tensor<16x32xi8>, %s: tensor<16x2xf32>) {
  // expected-error @+1 {{result must be [..., M, N] of f32, got 'tensor<4x8xf32>'}}
  %y = lowbit.matmul_int4 %x, %w, %s {group_size = 32}
      : (tensor<4x64xf32>, tensor<16x32xi8>, tensor<16x2xf32>) -> tensor<4x8xf32>
  return
}

// -----

func.func @ternary_k(%x: tensor<4x96xi8>, %w: tensor<16x24xi8>) {
  // expected-error @+1 {{K = 96 must be a positive multiple of 64}}
  %y = lowbit.matmul_ternary %x, %w {trits_per_byte = 4}
      : (tensor<4x96xi8>, tensor<16x24xi8>) -> tensor<4x16xi32>
  return
}

// -----

func.func @ternary_bytes(%x: tensor<4x384xi8>, %w: tensor<16x96xi8>) {
  // expected-error @+1 {{K = 384 packed 5 trits per byte takes 80 bytes per row, but the weights have 96}}
  %y = lowbit.matmul_ternary %x, %w {trits_per_byte = 5}
      : (tensor<4x384xi8>, tensor<16x96xi8>) -> tensor<4x16xi32>
  return
}

// -----

func.func @ternary_packing(%x: tensor<4x64xi8>, %w: tensor<16x16xi8>) {
  // expected-error @+1 {{attribute 'trits_per_byte' failed to satisfy constraint}}
  %y = lowbit.matmul_ternary %x, %w {trits_per_byte = 3}
      : (tensor<4x64xi8>, tensor<16x16xi8>) -> tensor<4x16xi32>
  return
}

// -----

func.func @ternary_result(%x: tensor<4x64xi8>, %w: tensor<16x16xi8>) {
  // expected-error @+1 {{result must be [..., M, N] of i32, got 'tensor<4x8xi32>'}}
  %y = lowbit.matmul_ternary %x, %w {trits_per_byte = 4}
      : (tensor<4x64xi8>, tensor<16x16xi8>) -> tensor<4x8xi32>
  return
}

// -----

func.func @fp8_scale(%x: tensor<4x64xf32>, %s: tensor<4xf32>) {
  // expected-error @+1 {{operand #1 must be 0D tensor of 32-bit float values}}
  %q = lowbit.quantize_fp8 %x, %s : (tensor<4x64xf32>, tensor<4xf32>) -> tensor<4x64xi8>
  return
}

// -----

func.func @fp8_shape(%x: tensor<4x64xf32>, %s: tensor<f32>) {
  // expected-error @+1 {{result must have the input's shape, got 'tensor<4x32xi8>'}}
  %q = lowbit.quantize_fp8 %x, %s : (tensor<4x64xf32>, tensor<f32>) -> tensor<4x32xi8>
  return
}

// -----

func.func @fp8_k(%x: tensor<4x64xi8>, %w: tensor<16x32xi8>) {
  // expected-error @+1 {{input has K = 64 but the weights have K = 32}}
  %y = lowbit.matmul_fp8 %x, %w : (tensor<4x64xi8>, tensor<16x32xi8>) -> tensor<4x16xf32>
  return
}

// -----

func.func @fp8_result(%x: tensor<4x64xi8>, %w: tensor<16x64xi8>) {
  // expected-error @+1 {{result must be [..., M, N] of f32, got 'tensor<4x8xf32>'}}
  %y = lowbit.matmul_fp8 %x, %w : (tensor<4x64xi8>, tensor<16x64xi8>) -> tensor<4x8xf32>
  return
}

// -----

func.func @lookup_lanes(%t: vector<24xi8>, %i: vector<24xi8>) {
  // expected-error @+1 {{looks up in 16-byte lanes: the vectors' length must be a multiple of 16, got 24}}
  %r = lowbit.lookup16 %t, %i : vector<24xi8>
  return
}

// -----

func.func @bf16_k(%x: tensor<4x64xf32>, %w: tensor<16x32xbf16>) {
  // expected-error @+1 {{input has K = 64 but the weights have K = 32}}
  %y = lowbit.matmul_bf16 %x, %w : (tensor<4x64xf32>, tensor<16x32xbf16>) -> tensor<4x16xf32>
  return
}

// -----

func.func @bf16_result(%x: tensor<4x64xf32>, %w: tensor<16x64xbf16>) {
  // expected-error @+1 {{result must be [..., M, N] of f32, got 'tensor<4x8xf32>'}}
  %y = lowbit.matmul_bf16 %x, %w : (tensor<4x64xf32>, tensor<16x64xbf16>) -> tensor<4x8xf32>
  return
}

// -----

func.func @embedding_row_bytes(%ids: tensor<4xi64>, %t: tensor<100x64xi8>, %s: tensor<100x2xf32>) {
  // expected-error @+1 {{a table row of 4-bit values of D = 64 holds 32 bytes, got 64}}
  %e = lowbit.embedding %ids, %t, %s {bits = 4, group_size = 32} : (tensor<4xi64>, tensor<100x64xi8>, tensor<100x2xf32>) -> tensor<4x64xf32>
  return
}

// -----

func.func @embedding_scales(%ids: tensor<4xi64>, %t: tensor<100x64xi8>, %s: tensor<100x3xf32>) {
  // expected-error @+1 {{scales must be [V, D / group_size] = [100, 2], got 'tensor<100x3xf32>'}}
  %e = lowbit.embedding %ids, %t, %s {bits = 8, group_size = 32} : (tensor<4xi64>, tensor<100x64xi8>, tensor<100x3xf32>) -> tensor<4x64xf32>
  return
}

// -----

func.func @embedding_bits(%ids: tensor<4xi64>, %t: tensor<100x64xi8>, %s: tensor<100x2xf32>) {
  // expected-error @+1 {{bits must be 4 or 8, got 6}}
  %e = lowbit.embedding %ids, %t, %s {bits = 6, group_size = 32} : (tensor<4xi64>, tensor<100x64xi8>, tensor<100x2xf32>) -> tensor<4x64xf32>
  return
}

// -----

func.func @embedding_shape(%ids: tensor<4x2xi64>, %t: tensor<100x64xi8>, %s: tensor<100x2xf32>) {
  // expected-error @+1 {{result must be the indices' shape plus D, got 'tensor<4x64xf32>'}}
  %e = lowbit.embedding %ids, %t, %s {bits = 8, group_size = 32} : (tensor<4x2xi64>, tensor<100x64xi8>, tensor<100x2xf32>) -> tensor<4x64xf32>
  return
}

// -----

func.func @fp8_format(%x: tensor<4x64xi8>, %w: tensor<16x64xi8>) {
  // expected-error @+1 {{unknown fp8 format 'e3m4' (expected e4m3 or e5m2)}}
  %y = lowbit.matmul_fp8 %x, %w {format = "e3m4"} : (tensor<4x64xi8>, tensor<16x64xi8>) -> tensor<4x16xf32>
  return
}
