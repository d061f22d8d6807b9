// RUN: ddl-opt %s --split-input-file --verify-diagnostics
//
// Errors of the #nn.dims tensor encoding (NNDialect.cpp): the parser
// (DimsAttr::parse), the attribute verifier (DimsAttr::verify) and the
// encoding verifier against the tensor's shape (DimsAttr::verifyEncoding).
// All of them are reported while parsing, so each case ends its split.

// A symbol on a static dimension: the tensor's dim 0 is 4.
// expected-error @+1 {{#nn.dims entry 0 is dynamic but the tensor's dimension 0 is 4; write 4 there}}
func.func private @symbol_on_static_dim(tensor<4x?xf32, #nn.dims<batch, seq>>)

// -----

// Fewer entries than the tensor's rank.
// expected-error @+1 {{#nn.dims has 1 entries but the tensor has rank 2}}
func.func private @too_few_entries(tensor<?x?xf32, #nn.dims<batch>>)

// -----

// More entries than the tensor's rank.
// expected-error @+1 {{#nn.dims has 3 entries but the tensor has rank 2}}
func.func private @too_many_entries(tensor<?x?xf32, #nn.dims<batch, seq, 768>>)

// -----

// A static size that contradicts the tensor's static size.
// expected-error @+1 {{#nn.dims entry 0 is 5 but the tensor's dimension 0 is 4}}
func.func private @static_size_mismatch(tensor<4x?xf32, #nn.dims<5, seq>>)

// -----

// A static size where the tensor's dimension is dynamic.
// expected-error @+1 {{#nn.dims entry 1 is 768 but the tensor's dimension 1 is ?}}
func.func private @static_size_on_dynamic_dim(tensor<?x?xf32, #nn.dims<batch, 768>>)

// -----

// An encoding without any symbol: there must be a single spelling per type.
// expected-error @+1 {{#nn.dims names no dimension; drop the encoding instead}}
func.func private @no_symbol(tensor<?x4xf32, #nn.dims<?, 4>>)

// -----

// An empty encoding on a 0-d tensor names no dimension either.
// expected-error @+1 {{#nn.dims names no dimension; drop the encoding instead}}
func.func private @empty_encoding(tensor<f32, #nn.dims<>>)

// -----

// The attribute verifier also runs on a free-standing attribute.
// expected-error @+1 {{#nn.dims names no dimension; drop the encoding instead}}
func.func private @free_standing_no_symbol() attributes {dims = #nn.dims<?, ?>}

// -----

// expected-error @+1 {{a dimension symbol must not be empty}}
func.func private @empty_quoted_symbol(tensor<?x4xf32, #nn.dims<"", 4>>)

// -----

// expected-error @+1 {{#nn.dims entry 1 has negative size -3}}
func.func private @negative_size(tensor<?x4xf32, #nn.dims<batch, -3>>)

// -----

// A float is neither a symbol, '?' nor a size.
// expected-error @+1 {{expected a dimension symbol, '?' or a size}}
func.func private @float_entry(tensor<?x4xf32, #nn.dims<batch, 4.0>>)

// -----

// A trailing comma leaves an empty entry.
// expected-error @+1 {{expected a dimension symbol, '?' or a size}}
func.func private @trailing_comma(tensor<?xf32, #nn.dims<batch,>>)

// -----

// expected-error @+1 {{integer value too large}}
func.func private @size_too_large(tensor<?xf32, #nn.dims<99999999999999999999>>)

// -----

// A result type whose symbol contradicts the inferred one (both operands
// are `batch`, so is the result) is an incompatible result type.
func.func @symbol_contradicts_inferred(%a: tensor<?xf32, #nn.dims<batch>>) {
  // expected-error @+2 {{'nn.relu' op inferred type(s) 'tensor<?xf32, #nn.dims<batch>>' are incompatible with return type(s) of operation 'tensor<?xf32, #nn.dims<seq>>'}}
  // expected-error @+1 {{'nn.relu' op failed to infer returned types}}
  %0 = nn.relu %a : (tensor<?xf32, #nn.dims<batch>>) -> tensor<?xf32, #nn.dims<seq>>
  return
}

// -----

// Same through broadcasting: `batch` + `batch` is `batch`.
func.func @broadcast_symbol_contradicts(%a: tensor<?x8xf32, #nn.dims<batch, 8>>) {
  // expected-error @+2 {{are incompatible with return type(s) of operation 'tensor<?x8xf32, #nn.dims<other, 8>>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.add %a, %a : (tensor<?x8xf32, #nn.dims<batch, 8>>, tensor<?x8xf32, #nn.dims<batch, 8>>) -> tensor<?x8xf32, #nn.dims<other, 8>>
  return
}

// -----

// A cast keeps the shape, symbols included.
func.func @cast_symbol_contradicts(%a: tensor<?xf32, #nn.dims<batch>>) {
  // expected-error @+1 {{'nn.cast' op result shape 'tensor<?xi32, #nn.dims<seq>>' contradicts the input shape 'tensor<?xf32, #nn.dims<batch>>'}}
  %0 = nn.cast %a : (tensor<?xf32, #nn.dims<batch>>) -> tensor<?xi32, #nn.dims<seq>>
  return
}
