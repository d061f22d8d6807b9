// RUN: ddl-opt %s --ddl-plan-arena --split-input-file | FileCheck %s

// Of three chained static buffers, the first and the third share a slot
// (their lifetimes are disjoint), the second gets its own; the returned
// buffer stays a heap allocation.
// The size function comes first in the module.
// CHECK-LABEL: func.func @static_sharing_arena_size
// CHECK: %[[C:.+]] = arith.constant 8192 : index
// CHECK: return %[[C]]
// CHECK-LABEL: func.func @static_sharing(
// CHECK-SAME: %[[ARENA:[a-z0-9]+]]: memref<?xi8>
// CHECK-SAME: ddl.arena, ddl.arena_bytes = 8192 : i64
// CHECK-SAME: ddl.arena_size_fn = @static_sharing_arena_size
// CHECK: %[[C0:.+]] = arith.constant 0 : index
// CHECK: memref.view %[[ARENA]][%[[C0]]][] : memref<?xi8> to memref<32x32xf32>
// CHECK: %[[C4096:.+]] = arith.constant 4096 : index
// CHECK: memref.view %[[ARENA]][%[[C4096]]][] : memref<?xi8> to memref<32x32xf32>
// CHECK: %[[C0B:.+]] = arith.constant 0 : index
// CHECK: memref.view %[[ARENA]][%[[C0B]]][] : memref<?xi8> to memref<32x32xf32>
// CHECK: %[[OUT:.+]] = memref.alloc() : memref<32x32xf32>
// CHECK: return %[[OUT]]
func.func @static_sharing(%in: memref<32x32xf32>) -> memref<32x32xf32>
    attributes {ddl.input_types = [tensor<32x32xf32>]} {
  %a = memref.alloc() : memref<32x32xf32>
  memref.copy %in, %a : memref<32x32xf32> to memref<32x32xf32>
  %b = memref.alloc() : memref<32x32xf32>
  memref.copy %a, %b : memref<32x32xf32> to memref<32x32xf32>
  %c = memref.alloc() : memref<32x32xf32>
  memref.copy %b, %c : memref<32x32xf32> to memref<32x32xf32>
  %out = memref.alloc() : memref<32x32xf32>
  memref.copy %c, %out : memref<32x32xf32> to memref<32x32xf32>
  return %out : memref<32x32xf32>
}

// -----

// Sizes from the argument's dims: the offsets and the size function are
// computed from them, and the formula names the symbol.
// CHECK-LABEL: func.func @dynamic_arena_size
// CHECK: memref.dim
// CHECK: arith.muli
// CHECK-LABEL: func.func @dynamic(
// CHECK-SAME: ddl.arena_bytes = -1 : i64
// CHECK-SAME: ddl.arena_formula = "0 + 16*batch"
// CHECK: memref.dim
// CHECK: memref.view
func.func @dynamic(%in: memref<?x4xf32>) -> memref<?x4xf32>
    attributes {ddl.input_types = [tensor<?x4xf32, #nn.dims<batch, 4>>]} {
  %c0 = arith.constant 0 : index
  %n = memref.dim %in, %c0 : memref<?x4xf32>
  %a = memref.alloc(%n) : memref<?x4xf32>
  memref.copy %in, %a : memref<?x4xf32> to memref<?x4xf32>
  %out = memref.alloc(%n) : memref<?x4xf32>
  memref.copy %a, %out : memref<?x4xf32> to memref<?x4xf32>
  return %out : memref<?x4xf32>
}

// -----

// A size read from data cannot be planned: the buffer stays on the heap.
// CHECK-LABEL: func.func @data_dependent
// CHECK-NOT: ddl.arena
// CHECK: memref.alloc(%{{.+}}) : memref<?xf32>
func.func @data_dependent(%in: memref<1xindex>) -> memref<1xindex>
    attributes {ddl.input_types = [tensor<1xi64>]} {
  %c0 = arith.constant 0 : index
  %n = memref.load %in[%c0] : memref<1xindex>
  %a = memref.alloc(%n) : memref<?xf32>
  %out = memref.alloc() : memref<1xindex>
  memref.copy %in, %out : memref<1xindex> to memref<1xindex>
  return %out : memref<1xindex>
}

// -----

// A select between two buffers (an If of computed values, bufferized)
// keeps both alive until its result is read: %c may not take %a's or
// %b's bytes while %sel is still to be copied out.
// CHECK-LABEL: func.func @select_keeps_alive(
// CHECK-SAME: ddl.arena_bytes = 12288 : i64
// CHECK: memref.view %{{.+}}[%[[A:.+]]][] : memref<?xi8> to memref<32x32xf32>
// CHECK: memref.view %{{.+}}[%[[B:.+]]][] : memref<?xi8> to memref<32x32xf32>
// CHECK: arith.select
// CHECK: memref.view %{{.+}}[%[[C:.+]]][] : memref<?xi8> to memref<32x32xf32>
func.func @select_keeps_alive(%in: memref<32x32xf32>, %cond: i1) -> (memref<32x32xf32>, memref<32x32xf32>)
    attributes {ddl.input_types = [tensor<32x32xf32>, tensor<i1>]} {
  %a = memref.alloc() : memref<32x32xf32>
  memref.copy %in, %a : memref<32x32xf32> to memref<32x32xf32>
  %b = memref.alloc() : memref<32x32xf32>
  memref.copy %in, %b : memref<32x32xf32> to memref<32x32xf32>
  %sel = arith.select %cond, %a, %b : memref<32x32xf32>
  %c = memref.alloc() : memref<32x32xf32>
  memref.copy %in, %c : memref<32x32xf32> to memref<32x32xf32>
  %out1 = memref.alloc() : memref<32x32xf32>
  memref.copy %c, %out1 : memref<32x32xf32> to memref<32x32xf32>
  %out2 = memref.alloc() : memref<32x32xf32>
  memref.copy %sel, %out2 : memref<32x32xf32> to memref<32x32xf32>
  return %out1, %out2 : memref<32x32xf32>, memref<32x32xf32>
}

// -----

// Branches and loop bodies: their buffers that die inside go to a nested
// area after the entry block's buffers (4096 bytes here). The two
// branches share it; a buffer a branch yields stays on the heap, and so
// does one whose size the entry cannot compute (an index argument).
// Offsets are computed at the entry.
// CHECK-LABEL: func.func @nested_arena_size
// CHECK: arith.constant 4096 : index
// CHECK: arith.maxui
// CHECK-LABEL: func.func @nested(
// CHECK-SAME: %[[ARENA:[a-z0-9]+]]: memref<?xi8>
// CHECK-SAME: ddl.arena_bytes = 8192 : i64
// CHECK: %[[BASE:.+]] = arith.constant 4096 : index
// CHECK: %[[T:.+]] = arith.addi %[[BASE]], %c0 : index
// CHECK: %[[E:.+]] = arith.addi %[[BASE]], %c0_{{[0-9]+}} : index
// CHECK: scf.if
// CHECK: memref.view %[[ARENA]][%[[T]]][] : memref<?xi8> to memref<32x32xf32>
// CHECK: %[[Y:.+]] = memref.alloc() : memref<32x32xf32>
// CHECK: scf.yield %[[Y]]
// CHECK: } else {
// CHECK: memref.view %[[ARENA]][%[[E]]][] : memref<?xi8> to memref<32x32xf32>
// CHECK: memref.alloc() : memref<32x32xf32>
// CHECK: memref.alloc(%{{.+}}) : memref<?xf32>
func.func @nested(%in: memref<32x32xf32>, %c: i1, %n: index) -> memref<32x32xf32>
    attributes {ddl.input_types = [tensor<32x32xf32>, tensor<i1>, tensor<i64>]} {
  %a = memref.alloc() : memref<32x32xf32>
  memref.copy %in, %a : memref<32x32xf32> to memref<32x32xf32>
  %r = scf.if %c -> memref<32x32xf32> {
    %t = memref.alloc() : memref<32x32xf32>
    memref.copy %a, %t : memref<32x32xf32> to memref<32x32xf32>
    %y = memref.alloc() : memref<32x32xf32>
    memref.copy %t, %y : memref<32x32xf32> to memref<32x32xf32>
    scf.yield %y : memref<32x32xf32>
  } else {
    %s = memref.alloc() : memref<32x32xf32>
    memref.copy %a, %s : memref<32x32xf32> to memref<32x32xf32>
    %e = memref.alloc() : memref<32x32xf32>
    memref.copy %s, %e : memref<32x32xf32> to memref<32x32xf32>
    %d = memref.alloc(%n) : memref<?xf32>
    scf.yield %e : memref<32x32xf32>
  }
  %out = memref.alloc() : memref<32x32xf32>
  memref.copy %r, %out : memref<32x32xf32> to memref<32x32xf32>
  return %out : memref<32x32xf32>
}

// -----

// A buffer in a loop body whose size is an argument's dimension: its size
// computation moves to the entry, it gets a dynamic slot in the nested
// area, and the size function counts it.
// CHECK-LABEL: func.func @nested_dynamic_arena_size
// CHECK: memref.dim
// CHECK: arith.maxui
// CHECK-LABEL: func.func @nested_dynamic(
// CHECK-SAME: %[[ARENA:[a-z0-9]+]]: memref<?xi8>
// CHECK-SAME: ddl.arena_bytes = -1 : i64
// CHECK-SAME: ddl.arena_formula = "0 + <buffers of branches and loops>"
// CHECK: %[[N:.+]] = memref.dim
// CHECK: scf.while
// CHECK: memref.view %[[ARENA]][%{{.+}}][%[[N]]] : memref<?xi8> to memref<?x4xf32>
func.func @nested_dynamic(%in: memref<?x4xf32>, %steps: index) -> index
    attributes {ddl.input_types = [tensor<?x4xf32, #nn.dims<batch, 4>>, tensor<i64>]} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %r = scf.while (%i = %c0) : (index) -> index {
    %go = arith.cmpi slt, %i, %steps : index
    scf.condition(%go) %i : index
  } do {
  ^bb0(%j: index):
    %zero = arith.constant 0 : index
    %n = memref.dim %in, %zero : memref<?x4xf32>
    %t = memref.alloc(%n) : memref<?x4xf32>
    memref.copy %in, %t : memref<?x4xf32> to memref<?x4xf32>
    %next = arith.addi %j, %c1 : index
    scf.yield %next : index
  }
  return %r : index
}
