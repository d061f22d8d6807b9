// RUN: ddl-opt %s --nn-expand-sequences --split-input-file | FileCheck %s

// A sequence argument and result become two tensors each (element sizes,
// then data), named as the value and marked with their role; reading an
// element checks the position, gathers the element's values from the
// prefix sum of the sizes, and reshapes them.
// CHECK-LABEL: func.func @element
// CHECK-SAME: (%[[SHAPES:.*]]: tensor<?x2xi64> {nn.io = "sequence_shapes", nn.name = "s"}, %[[DATA:.*]]: tensor<?xf32> {nn.io = "sequence_data", nn.name = "s"}, %[[P:.*]]: tensor<i64> {nn.name = "p"})
// CHECK-SAME: -> (tensor<?x3xf32> {nn.name = "x"}, tensor<i64> {nn.name = "n"})
// CHECK: nn.check %{{.*}}, "the position is out of range for the sequence (ONNX requires [-n, n - 1] for n elements)"
// CHECK: nn.reduce <prod> %[[SHAPES]] {axes = array<i64: 1>, keepdims = false}
// CHECK: nn.cumsum {{.*}} {exclusive = true}
// CHECK: nn.check %{{.*}}, "an element of the sequence has other sizes than ?x3 (? any)"
// CHECK: nn.range
// CHECK: nn.gather %[[DATA]]
// CHECK: nn.reshape {{.*}} -> tensor<?x3xf32>
// CHECK-NOT: nn.seq
func.func @element(%s: !nn.seq<tensor<?x3xf32>> {nn.name = "s"}, %p: tensor<i64> {nn.name = "p"})
    -> (tensor<?x3xf32> {nn.name = "x"}, tensor<i64> {nn.name = "n"}) {
  %x = nn.seq_at %s[%p] : <tensor<?x3xf32>>, tensor<i64> -> tensor<?x3xf32>
  %n = nn.seq_length %s : <tensor<?x3xf32>> -> tensor<i64>
  return %x, %n : tensor<?x3xf32>, tensor<i64>
}

// -----

// A loop carries the two tensors of a sequence; appending concatenates a
// row of sizes and the flattened element. The result keeps its roles.
// CHECK-LABEL: func.func @carried
// CHECK-SAME: -> (tensor<?x?xi64> {nn.io = "sequence_shapes", nn.name = "r"}, tensor<?xf32> {nn.io = "sequence_data", nn.name = "r"})
// CHECK: %[[E0:.*]] = nn.constant dense<> : tensor<0x0xi64>
// CHECK: %[[E1:.*]] = nn.constant dense<> : tensor<0xf32>
// CHECK: nn.loop trip_count %{{.*}} : tensor<i64> iter_args(%[[E0]], %[[E1]] : tensor<0x0xi64>, tensor<0xf32>) -> tensor<?x?xi64>, tensor<?xf32>
// CHECK: ^bb0(%{{.*}}: tensor<i64>, %{{.*}}: tensor<i1>, %[[S:.*]]: tensor<?x?xi64>, %[[D:.*]]: tensor<?xf32>):
// CHECK: "the sequence's elements have another rank than 1 (ddl's sequences hold tensors of one rank)"
// CHECK: nn.concat {{.*}} {axis = 0 : i64}
// CHECK: nn.concat %[[D]], {{.*}} {axis = 0 : i64}
// CHECK: nn.yield
func.func @carried(%n: tensor<i64>, %x: tensor<5xf32>) -> (!nn.seq<tensor<*xf32>> {nn.name = "r"}) {
  %e = nn.seq_empty : <tensor<*xf32>>
  %r = nn.loop trip_count %n : tensor<i64> iter_args(%e : !nn.seq<tensor<*xf32>>) -> !nn.seq<tensor<*xf32>> {
  ^bb0(%i: tensor<i64>, %c: tensor<i1>, %s: !nn.seq<tensor<*xf32>>):
    %s1 = nn.seq_insert %s, %x : <tensor<*xf32>>, tensor<5xf32> -> <tensor<?xf32>>
    nn.yield %c, %s1 : tensor<i1>, !nn.seq<tensor<?xf32>>
  }
  return %r : !nn.seq<tensor<*xf32>>
}

// -----

// An optional becomes a flag and its value; an absent tensor is zeros with
// its dynamic sizes 0; reading it checks the flag.
// CHECK-LABEL: func.func @optional
// CHECK-SAME: (%[[C:[^:]*]]: tensor<i1>,
// CHECK: nn.if %[[C]] : tensor<i1> -> tensor<i1>, tensor<?x2xf32>
// CHECK: nn.constant dense<false> : tensor<i1>
// CHECK: nn.constant dense<0.000000e+00> : tensor<0x2xf32>
// CHECK: nn.check %{{.*}}, "the optional is empty (OptionalGetElement needs a value)"
func.func @optional(%c: tensor<i1>, %v: tensor<?x2xf32>) -> tensor<?x2xf32> {
  %o = nn.if %c : tensor<i1> -> !nn.optional<tensor<?x2xf32>> {
    %none = nn.optional_none : <tensor<?x2xf32>>
    nn.yield %none : !nn.optional<tensor<?x2xf32>>
  } else {
    %some = nn.optional_some %v : tensor<?x2xf32> -> <tensor<?x2xf32>>
    nn.yield %some : !nn.optional<tensor<?x2xf32>>
  }
  %x = nn.optional_get %o : <tensor<?x2xf32>> -> tensor<?x2xf32>
  return %x : tensor<?x2xf32>
}

// -----

// A string tensor is its lengths and bytes; a cast from strings parses
// each element in a linalg.generic and fails the run on a non-number.
// CHECK-LABEL: func.func @parse
// CHECK-SAME: (%[[L:[^:]*]]: tensor<3xi64> {nn.io = "string_lengths", nn.name = "s"}, %[[B:[^:]*]]: tensor<?xi8> {nn.io = "string_bytes", nn.name = "s"})
// CHECK: linalg.generic
// CHECK: scf.for
// CHECK: nn.check %{{.*}}, "a string is not a number (Cast parses decimal and scientific notation, nan and inf)"
func.func @parse(%s: tensor<3x!nn.string> {nn.name = "s"}) -> tensor<3xf32> {
  %f = nn.cast %s : (tensor<3x!nn.string>) -> tensor<3xf32>
  return %f : tensor<3xf32>
}
