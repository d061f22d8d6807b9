// RUN: ddl-opt %s --convert-nn-to-linalg --split-input-file | FileCheck %s

// The regions move into scf.if; a branch that yields a more static type is
// cast to the (joined) result type.
// CHECK-LABEL: func.func @if(
// CHECK-SAME: %[[C:[^:]+]]: tensor<i1>, %[[A:[^:]+]]: tensor<4xf32>, %[[B:[^:]+]]: tensor<?xf32>
// CHECK: %[[COND:.+]] = tensor.extract %[[C]][] : tensor<i1>
// CHECK: %[[R:.+]] = scf.if %[[COND]] -> (tensor<?xf32>) {
// CHECK: %[[NEG:.+]] = linalg.generic
// CHECK: %[[CAST:.+]] = tensor.cast %[[NEG]] : tensor<4xf32> to tensor<?xf32>
// CHECK: scf.yield %[[CAST]] : tensor<?xf32>
// CHECK: } else {
// CHECK: scf.yield %[[B]] : tensor<?xf32>
// CHECK: return %[[R]] : tensor<?xf32>
func.func @if(%c: tensor<i1>, %a: tensor<4xf32>, %b: tensor<?xf32>) -> tensor<?xf32> {
  %r = nn.if %c : tensor<i1> -> tensor<?xf32> {
    %n = nn.neg %a : (tensor<4xf32>) -> tensor<4xf32>
    nn.yield %n : tensor<4xf32>
  } else {
    nn.yield %b : tensor<?xf32>
  }
  return %r : tensor<?xf32>
}

// -----

// Encoded (symbolic) and unsigned types lower inside the branches too; a
// one-element condition is read at [0].
// CHECK-LABEL: func.func @if_encoded(
// CHECK-SAME: %[[C:[^:]+]]: tensor<1xi1>, %[[X:[^:]+]]: tensor<?x8xi8>
// CHECK: %[[COND:.+]] = tensor.extract %[[C]][%{{.+}}] : tensor<1xi1>
// CHECK: scf.if %[[COND]] -> (tensor<?x8xi8>, tensor<?x8xi8>) {
// CHECK: scf.yield %[[X]], %[[X]] : tensor<?x8xi8>, tensor<?x8xi8>
// CHECK: } else {
// CHECK: linalg.generic
// CHECK: arith.maxui
// CHECK: scf.yield
func.func @if_encoded(%c: tensor<1xi1>, %x: tensor<?x8xui8, #nn.dims<batch, 8>>) -> (tensor<?x8xui8, #nn.dims<batch, 8>>, tensor<?x8xui8, #nn.dims<batch, 8>>) {
  %r:2 = nn.if %c : tensor<1xi1> -> tensor<?x8xui8, #nn.dims<batch, 8>>, tensor<?x8xui8, #nn.dims<batch, 8>> {
    nn.yield %x, %x : tensor<?x8xui8, #nn.dims<batch, 8>>, tensor<?x8xui8, #nn.dims<batch, 8>>
  } else {
    %m = nn.max %x, %x : (tensor<?x8xui8, #nn.dims<batch, 8>>, tensor<?x8xui8, #nn.dims<batch, 8>>) -> tensor<?x8xui8, #nn.dims<batch, 8>>
    nn.yield %m, %x : tensor<?x8xui8, #nn.dims<batch, 8>>, tensor<?x8xui8, #nn.dims<batch, 8>>
  }
  return %r#0, %r#1 : tensor<?x8xui8, #nn.dims<batch, 8>>, tensor<?x8xui8, #nn.dims<batch, 8>>
}

// -----

// nn.loop -> scf.while carrying (iteration, condition, carried..., scan
// buffers...); the body sees the iteration and condition as 0-d tensors.
// CHECK-LABEL: func.func @loop(
// CHECK-SAME: %[[N:[^:]+]]: tensor<i64>, %[[C:[^:]+]]: tensor<i1>, %[[X:[^:]+]]: tensor<4xf32>
// CHECK: %[[TRIP:.+]] = tensor.extract %[[N]][] : tensor<i64>
// CHECK: %[[COND:.+]] = tensor.extract %[[C]][] : tensor<i1>
// CHECK: %[[INIT:.+]] = tensor.cast %[[X]] : tensor<4xf32> to tensor<?xf32>
// CHECK: %[[EMPTY:.+]] = tensor.empty() : tensor<0x4xf32>
// CHECK: %[[BUF:.+]] = tensor.cast %[[EMPTY]] : tensor<0x4xf32> to tensor<?x4xf32>
// CHECK: %[[W:.+]]:4 = scf.while (%[[I:.+]] = %{{.+}}, %[[K:.+]] = %[[COND]], %[[V:.+]] = %[[INIT]], %[[S:.+]] = %[[BUF]]) : (i64, i1, tensor<?xf32>, tensor<?x4xf32>)
// CHECK: %[[BELOW:.+]] = arith.cmpi slt, %[[I]], %[[TRIP]] : i64
// CHECK: %[[GO:.+]] = arith.andi %[[K]], %[[BELOW]] : i1
// CHECK: scf.condition(%[[GO]])
// CHECK: } do {
// CHECK: ^bb0(%[[I2:.+]]: i64, %[[K2:.+]]: i1, %[[V2:.+]]: tensor<?xf32>, %[[S2:.+]]: tensor<?x4xf32>):
// CHECK: tensor.from_elements %[[I2]] : tensor<i64>
// CHECK: %[[Y:.+]] = linalg.generic
// CHECK: %[[ELEM:.+]] = tensor.cast %[[Y]] : tensor<?xf32> to tensor<4xf32>
// CHECK: %[[NEXT:.+]] = arith.addi %[[I2]], %{{.+}} : i64
// CHECK: %[[ROW:.+]] = arith.index_cast %[[I2]] : i64 to index
// CHECK: %[[GROWN:.+]] = scf.if %{{.+}} -> (tensor<?x4xf32>) {
// CHECK: tensor.insert_slice %[[S2]]
// CHECK: %[[APP:.+]] = tensor.insert_slice %[[ELEM]] into %[[GROWN]][%[[ROW]], 0] [1, 4] [1, 1] : tensor<4xf32> into tensor<?x4xf32>
// CHECK: scf.yield %[[NEXT]], %{{.+}}, %[[Y]], %[[APP]] : i64, i1, tensor<?xf32>, tensor<?x4xf32>
// CHECK: %[[COUNT:.+]] = arith.index_cast %[[W]]#0 : i64 to index
// CHECK: %[[SCAN:.+]] = tensor.extract_slice %[[W]]#3[0, 0] [%[[COUNT]], 4] [1, 1]
// CHECK: %[[FINAL:.+]] = tensor.cast %[[W]]#2 : tensor<?xf32> to tensor<4xf32>
// CHECK: return %[[FINAL]], %[[SCAN]]
func.func @loop(%n: tensor<i64>, %c: tensor<i1>, %x: tensor<4xf32>) -> (tensor<4xf32>, tensor<?x4xf32>) {
  %r:2 = nn.loop trip_count %n : tensor<i64> condition %c : tensor<i1> iter_args(%x : tensor<4xf32>) -> tensor<4xf32>, tensor<?x4xf32> {
  ^bb0(%i: tensor<i64>, %k: tensor<i1>, %v: tensor<?xf32>):
    %y = nn.neg %v : (tensor<?xf32>) -> tensor<?xf32>
    %e = tensor.cast %y : tensor<?xf32> to tensor<4xf32>
    nn.yield %k, %y, %e : tensor<i1>, tensor<?xf32>, tensor<4xf32>
  }
  return %r#0, %r#1 : tensor<4xf32>, tensor<?x4xf32>
}

// -----

// A loop that runs exactly trip_count iterations (no condition, the body
// passes its condition on) gets its scan buffer with trip_count rows up
// front and writes each row in place: no growth (an scf.if yielding a new
// buffer would make bufferization copy the buffer at every iteration).
// CHECK-LABEL: func.func @exact_loop(
// CHECK-SAME: %[[N:[^:]+]]: tensor<i64>
// CHECK: %[[TRIP:.+]] = tensor.extract %[[N]][] : tensor<i64>
// CHECK: %[[AT_LEAST_0:.+]] = arith.maxsi %[[TRIP]], %{{.+}} : i64
// CHECK: %[[ROWS:.+]] = arith.index_cast %[[AT_LEAST_0]] : i64 to index
// CHECK: %[[EMPTY:.+]] = tensor.empty(%[[ROWS]]) : tensor<?x4xf32>
// CHECK: %[[BUF:.+]] = tensor.cast %[[EMPTY]]
// CHECK: %[[W:.+]]:4 = scf.while ({{.*}}, %{{.+}} = %[[BUF]]) : (i64, i1, tensor<?xf32>, tensor<?x4xf32>)
// CHECK: } do {
// CHECK: ^bb0(%[[I2:.+]]: i64, %{{.+}}: i1, %{{.+}}: tensor<?xf32>, %[[S2:.+]]: tensor<?x4xf32>):
// CHECK: %[[ROW:.+]] = arith.index_cast %[[I2]] : i64 to index
// CHECK-NOT: scf.if
// CHECK: %[[APP:.+]] = tensor.insert_slice %{{.+}} into %[[S2]][%[[ROW]], 0] [1, 4] [1, 1] : tensor<4xf32> into tensor<?x4xf32>
// CHECK: scf.yield {{.*}}, %[[APP]] : i64, i1, tensor<?xf32>, tensor<?x4xf32>
// The buffer has exactly one row per iteration: it is the result as is.
// CHECK-NOT: tensor.extract_slice
// CHECK: return %{{.+}}, %[[W]]#3
func.func @exact_loop(%n: tensor<i64>, %x: tensor<4xf32>) -> (tensor<4xf32>, tensor<?x4xf32>) {
  %r:2 = nn.loop trip_count %n : tensor<i64> iter_args(%x : tensor<4xf32>) -> tensor<4xf32>, tensor<?x4xf32> {
  ^bb0(%i: tensor<i64>, %k: tensor<i1>, %v: tensor<?xf32>):
    %y = nn.neg %v : (tensor<?xf32>) -> tensor<?xf32>
    %e = tensor.cast %y : tensor<?xf32> to tensor<4xf32>
    nn.yield %k, %y, %e : tensor<i1>, tensor<?xf32>, tensor<4xf32>
  }
  return %r#0, %r#1 : tensor<4xf32>, tensor<?x4xf32>
}

// -----

// The same with a constant true condition and a constant true yield (the
// ONNX RNN / GRU / LSTM loops' form): preallocated.
// CHECK-LABEL: func.func @exact_constant_condition(
// CHECK: tensor.empty(%{{.+}}) : tensor<?x4xf32>
// CHECK: } do {
// CHECK-NOT: scf.if
// CHECK: tensor.insert_slice %{{.+}} into %{{.+}}[%{{.+}}, 0] [1, 4] [1, 1] : tensor<4xf32> into tensor<?x4xf32>
// CHECK: scf.yield
func.func @exact_constant_condition(%n: tensor<i64>, %x: tensor<4xf32>) -> (tensor<4xf32>, tensor<?x4xf32>) {
  %true = nn.constant dense<true> : tensor<i1>
  %r:2 = nn.loop trip_count %n : tensor<i64> condition %true : tensor<i1> iter_args(%x : tensor<4xf32>) -> tensor<4xf32>, tensor<?x4xf32> {
  ^bb0(%i: tensor<i64>, %k: tensor<i1>, %v: tensor<?xf32>):
    %y = nn.neg %v : (tensor<?xf32>) -> tensor<?xf32>
    %e = tensor.cast %y : tensor<?xf32> to tensor<4xf32>
    nn.yield %true, %y, %e : tensor<i1>, tensor<?xf32>, tensor<4xf32>
  }
  return %r#0, %r#1 : tensor<4xf32>, tensor<?x4xf32>
}

// -----

// A scan row of dynamic shape keeps the growing buffer (its size is known
// only in the body).
// CHECK-LABEL: func.func @exact_dynamic_rows(
// CHECK: } do {
// CHECK: scf.if
// CHECK: tensor.insert_slice
func.func @exact_dynamic_rows(%n: tensor<i64>, %x: tensor<?xf32>) -> (tensor<?xf32>, tensor<?x?xf32>) {
  %r:2 = nn.loop trip_count %n : tensor<i64> iter_args(%x : tensor<?xf32>) -> tensor<?xf32>, tensor<?x?xf32> {
  ^bb0(%i: tensor<i64>, %k: tensor<i1>, %v: tensor<?xf32>):
    %y = nn.neg %v : (tensor<?xf32>) -> tensor<?xf32>
    nn.yield %k, %y, %y : tensor<i1>, tensor<?xf32>, tensor<?xf32>
  }
  return %r#0, %r#1 : tensor<?xf32>, tensor<?x?xf32>
}

// -----

// Without trip count and condition the loop runs while the body's
// condition holds; it starts true.
// CHECK-LABEL: func.func @while(
// CHECK: %[[TRUE:.+]] = arith.constant true
// CHECK: scf.while (%{{.+}} = %{{.+}}, %[[K:.+]] = %[[TRUE]], %{{.+}} = %{{.+}}) : (i64, i1, tensor<i64>)
// CHECK-NEXT: scf.condition(%[[K]])
// CHECK: } do {
// CHECK: arith.addi
// CHECK: %[[LT:.+]] = linalg.generic
// CHECK: arith.cmpi slt
// CHECK: %[[NK:.+]] = tensor.extract %[[LT]][] : tensor<i1>
// CHECK: scf.yield %{{.+}}, %[[NK]], %{{.+}} : i64, i1, tensor<i64>
func.func @while(%v0: tensor<i64>, %limit: tensor<i64>) -> tensor<i64> {
  %r = nn.loop iter_args(%v0 : tensor<i64>) -> tensor<i64> {
  ^bb0(%i: tensor<i64>, %k: tensor<i1>, %v: tensor<i64>):
    %v2 = nn.add %v, %v : (tensor<i64>, tensor<i64>) -> tensor<i64>
    %lt = nn.less %v2, %limit : (tensor<i64>, tensor<i64>) -> tensor<i1>
    nn.yield %lt, %v2 : tensor<i1>, tensor<i64>
  }
  return %r : tensor<i64>
}
