// RUN: ddl-opt %s --split-input-file --verify-diagnostics | ddl-opt --split-input-file | FileCheck %s

// The #nn.dims tensor encoding: one entry per dimension, a symbol (an
// identifier or a quoted string) for a named dynamic dimension, `?` for an
// unnamed one and the size for a static one. The valid cases are printed,
// parsed again and printed again; the invalid ones at the end check the
// encoding's diagnostics (they print nothing).

// CHECK-LABEL: func.func @symbols(
// CHECK-SAME: %{{.+}}: tensor<?xf32, #nn.dims<n>>
// CHECK-SAME: %{{.+}}: tensor<?x?xf32, #nn.dims<batch, seq>>
// CHECK-SAME: %{{.+}}: tensor<?x?x?xi1, #nn.dims<N, n, _n0>>
func.func @symbols(%a: tensor<?xf32, #nn.dims<n>>,
                   %b: tensor<?x?xf32, #nn.dims<batch, seq>>,
                   %c: tensor<?x?x?xi1, #nn.dims<N, n, _n0>>) {
  return
}

// -----

// Unnamed dynamic dimensions and static sizes next to symbols.

// CHECK-LABEL: func.func @unnamed_and_static(
// CHECK-SAME: %{{.+}}: tensor<?x?x768xf32, #nn.dims<batch, ?, 768>>
// CHECK-SAME: %{{.+}}: tensor<2x?x3xf32, #nn.dims<2, n, 3>>
// CHECK-SAME: %{{.+}}: tensor<?x1x?x0xi8, #nn.dims<?, 1, len, 0>>
// CHECK-SAME: -> tensor<?x?x768xf32, #nn.dims<batch, ?, 768>>
func.func @unnamed_and_static(%a: tensor<?x?x768xf32, #nn.dims<batch, ?, 768>>,
                              %b: tensor<2x?x3xf32, #nn.dims<2, n, 3>>,
                              %c: tensor<?x1x?x0xi8, #nn.dims<?, 1, len, 0>>)
    -> tensor<?x?x768xf32, #nn.dims<batch, ?, 768>> {
  return %a : tensor<?x?x768xf32, #nn.dims<batch, ?, 768>>
}

// -----

// A quoted symbol prints bare when it is a valid identifier, quoted (and
// escaped) otherwise.

// CHECK-LABEL: func.func @quoted(
// CHECK-SAME: %{{.+}}: tensor<?x?xf32, #nn.dims<batch, a.b>>
// CHECK-SAME: %{{.+}}: tensor<?x?x?xf32, #nn.dims<"seq len", "2x", "?">>
// CHECK-SAME: %{{.+}}: tensor<?x?xf32, #nn.dims<"a\22b", "x-y">>
func.func @quoted(%a: tensor<?x?xf32, #nn.dims<"batch", "a.b">>,
                  %b: tensor<?x?x?xf32, #nn.dims<"seq len", "2x", "?">>,
                  %c: tensor<?x?xf32, #nn.dims<"a\"b", "x-y">>) {
  return
}

// -----

// `true` and `false` are symbols (not the sizes 1 and 0): bare and quoted
// spellings are the same symbol, and they print bare.

// CHECK-LABEL: func.func @keyword_symbols(
// CHECK-SAME: %{{.+}}: tensor<?x?xf32, #nn.dims<true, false>>
// CHECK-SAME: %{{.+}}: tensor<?x?x1x0xf32, #nn.dims<true, false, 1, 0>>
// CHECK-SAME: -> tensor<?x?xf32, #nn.dims<true, false>>
func.func @keyword_symbols(%a: tensor<?x?xf32, #nn.dims<true, false>>,
                           %b: tensor<?x?x1x0xf32, #nn.dims<"true", "false", 1, 0>>)
    -> tensor<?x?xf32, #nn.dims<"true", "false">> {
  return %a : tensor<?x?xf32, #nn.dims<true, false>>
}

// -----

// A quoted and a bare spelling of one name are one symbol.

// CHECK-LABEL: func.func @quoted_equals_bare(
// CHECK-SAME: %[[A:[^:]+]]: tensor<?xf32, #nn.dims<batch>>
// CHECK-SAME: -> tensor<?xf32, #nn.dims<batch>>
func.func @quoted_equals_bare(%a: tensor<?xf32, #nn.dims<"batch">>) -> tensor<?xf32, #nn.dims<batch>> {
  // CHECK: return %[[A]] : tensor<?xf32, #nn.dims<batch>>
  return %a : tensor<?xf32, #nn.dims<batch>>
}

// -----

// Equal symbols survive printing: within one type, across arguments and
// results, and through ops whose shape functions rely on them.

// CHECK-LABEL: func.func @equal_symbols(
// CHECK-SAME: %[[SQ:[^:]+]]: tensor<?x?xf32, #nn.dims<n, n>>
// CHECK-SAME: %[[A:[^:]+]]: tensor<?x?xf32, #nn.dims<n, k>>
// CHECK-SAME: %[[B:[^:]+]]: tensor<?x?xf32, #nn.dims<k, m>>
// CHECK-SAME: -> tensor<?x?xf32, #nn.dims<n, m>>
func.func @equal_symbols(%sq: tensor<?x?xf32, #nn.dims<n, n>>,
                         %a: tensor<?x?xf32, #nn.dims<n, k>>,
                         %b: tensor<?x?xf32, #nn.dims<k, m>>) -> tensor<?x?xf32, #nn.dims<n, m>> {
  // CHECK: %[[P:.+]] = nn.matmul %[[A]], %[[B]] : (tensor<?x?xf32, #nn.dims<n, k>>, tensor<?x?xf32, #nn.dims<k, m>>) -> tensor<?x?xf32, #nn.dims<n, m>>
  %p = nn.matmul %a, %b : (tensor<?x?xf32, #nn.dims<n, k>>, tensor<?x?xf32, #nn.dims<k, m>>) -> tensor<?x?xf32, #nn.dims<n, m>>
  // Two n-sized dimensions broadcast without a check: the result is n.
  // CHECK: nn.add %[[SQ]], %[[A]] : (tensor<?x?xf32, #nn.dims<n, n>>, tensor<?x?xf32, #nn.dims<n, k>>) -> tensor<?x?xf32, #nn.dims<n, ?>>
  %s = nn.add %sq, %a : (tensor<?x?xf32, #nn.dims<n, n>>, tensor<?x?xf32, #nn.dims<n, k>>) -> tensor<?x?xf32, #nn.dims<n, ?>>
  // CHECK: nn.transpose %[[SQ]] : (tensor<?x?xf32, #nn.dims<n, n>>) -> tensor<?x?xf32, #nn.dims<n, n>>
  %t = nn.transpose %sq : (tensor<?x?xf32, #nn.dims<n, n>>) -> tensor<?x?xf32, #nn.dims<n, n>>
  // CHECK: return %[[P]] : tensor<?x?xf32, #nn.dims<n, m>>
  return %p : tensor<?x?xf32, #nn.dims<n, m>>
}

// -----

// A written type may name a dimension that inference leaves unnamed, or
// drop a name that inference knows (refinement in either direction).

// CHECK-LABEL: func.func @refinement(
func.func @refinement(%x: tensor<?x4xf32>, %y: tensor<?x4xf32, #nn.dims<batch, 4>>) {
  // CHECK: nn.relu %{{.+}} : (tensor<?x4xf32>) -> tensor<?x4xf32, #nn.dims<batch, 4>>
  %0 = nn.relu %x : (tensor<?x4xf32>) -> tensor<?x4xf32, #nn.dims<batch, 4>>
  // CHECK: nn.relu %{{.+}} : (tensor<?x4xf32, #nn.dims<batch, 4>>) -> tensor<?x4xf32>
  %1 = nn.relu %y : (tensor<?x4xf32, #nn.dims<batch, 4>>) -> tensor<?x4xf32>
  // A static size refines a named dimension.
  // CHECK: nn.relu %{{.+}} : (tensor<?x4xf32, #nn.dims<batch, 4>>) -> tensor<8x4xf32>
  %2 = nn.relu %y : (tensor<?x4xf32, #nn.dims<batch, 4>>) -> tensor<8x4xf32>
  return
}

// -----

// The encoding also works as a plain attribute.

// CHECK-LABEL: func.func @as_attribute(
// CHECK-SAME: attributes {dims = #nn.dims<b, ?, 3>}
func.func @as_attribute() attributes {dims = #nn.dims<b, ?, 3>} {
  return
}

//===----------------------------------------------------------------------===//
// Invalid encodings
//===----------------------------------------------------------------------===//

// -----

// expected-error @+1 {{#nn.dims entry 0 is 5 but the tensor's dimension 0 is 4}}
func.func @static_mismatch(%x: tensor<4x?xf32, #nn.dims<5, n>>) {
  return
}

// -----

// expected-error @+1 {{#nn.dims entry 0 is dynamic but the tensor's dimension 0 is 4; write 4 there}}
func.func @question_for_static(%x: tensor<4x?xf32, #nn.dims<?, n>>) {
  return
}

// -----

// expected-error @+1 {{#nn.dims entry 0 is 4 but the tensor's dimension 0 is ?}}
func.func @static_for_dynamic(%x: tensor<?x?xf32, #nn.dims<4, n>>) {
  return
}

// -----

// expected-error @+1 {{#nn.dims has 1 entries but the tensor has rank 2}}
func.func @rank_mismatch(%x: tensor<?x?xf32, #nn.dims<n>>) {
  return
}

// -----

// An encoding without a symbol has a shorter spelling: none.
// expected-error @+1 {{#nn.dims names no dimension; drop the encoding instead}}
func.func @no_symbol(%x: tensor<?x4xf32, #nn.dims<?, 4>>) {
  return
}

// -----

// expected-error @+1 {{#nn.dims names no dimension; drop the encoding instead}}
func.func @rank_zero(%x: tensor<f32, #nn.dims<>>) {
  return
}

// -----

// expected-error @+1 {{a dimension symbol must not be empty}}
func.func @empty_symbol(%x: tensor<?xf32, #nn.dims<"">>) {
  return
}

// -----

// expected-error @+1 {{expected a dimension symbol, '?' or a size}}
func.func @bad_entry(%x: tensor<?xf32, #nn.dims<@x>>) {
  return
}

// -----

// expected-error @+1 {{#nn.dims entry 0 has negative size -2}}
func.func @negative_size(%x: tensor<?x?xf32, #nn.dims<-2, n>>) {
  return
}

// -----

// Distinct symbols contradict each other.
func.func @symbol_mismatch(%x: tensor<?x?xf32, #nn.dims<n, m>>) {
  // expected-error @+2 {{'nn.add' op inferred type(s) 'tensor<?x?xf32, #nn.dims<n, m>>' are incompatible with return type(s) of operation 'tensor<?x?xf32, #nn.dims<n, k>>'}}
  // expected-error @+1 {{'nn.add' op failed to infer returned types}}
  %0 = nn.add %x, %x : (tensor<?x?xf32, #nn.dims<n, m>>, tensor<?x?xf32, #nn.dims<n, m>>) -> tensor<?x?xf32, #nn.dims<n, k>>
  return
}

// -----

// Symbols are case-sensitive.
func.func @case_sensitive(%x: tensor<?xf32, #nn.dims<n>>) {
  // expected-error @+2 {{are incompatible with return type(s)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.relu %x : (tensor<?xf32, #nn.dims<n>>) -> tensor<?xf32, #nn.dims<N>>
  return
}
