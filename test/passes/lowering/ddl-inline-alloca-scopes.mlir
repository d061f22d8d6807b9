// RUN: ddl-opt %s --ddl-inline-alloca-scopes | FileCheck %s
// The scopes' loops then lower to control flow (they could not inside a
// scope, whose body must stay one block).
// RUN: ddl-opt %s --ddl-inline-alloca-scopes --convert-scf-to-cf | FileCheck %s --check-prefix=CF

// A per-iteration scratch buffer: the body moves out between a stack save
// and restore, inside the loop.
// CHECK-LABEL: func.func @scratch
// CHECK: scf.for
// CHECK:   %[[SP:.+]] = llvm.intr.stacksave : !llvm.ptr
// CHECK:   memref.alloca() : memref<16xf32>
// CHECK:   scf.for
// CHECK:   llvm.intr.stackrestore %[[SP]] : !llvm.ptr
// CHECK-NOT: memref.alloca_scope
// CF-LABEL: func.func @scratch
// CF-NOT: memref.alloca_scope
// CF-NOT: scf.for
func.func @scratch(%out: memref<8x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c16 = arith.constant 16 : index
  scf.for %i = %c0 to %c8 step %c1 {
    memref.alloca_scope {
      %buf = memref.alloca() : memref<16xf32>
      scf.for %j = %c0 to %c16 step %c1 {
        %v = arith.index_cast %j : index to i32
        %f = arith.sitofp %v : i32 to f32
        memref.store %f, %buf[%j] : memref<16xf32>
        %g = memref.load %buf[%j] : memref<16xf32>
        memref.store %g, %out[%i, %j] : memref<8x16xf32>
      }
    }
  }
  return
}

// Nested scopes, and a scope with a result: the inner one is inlined
// first, and uses of the result take the value its body returned.
// CHECK-LABEL: func.func @nested
// CHECK: %[[OUTER:.+]] = llvm.intr.stacksave
// CHECK: %[[INNER:.+]] = llvm.intr.stacksave
// CHECK: %[[SUM:.+]] = arith.addf
// CHECK: llvm.intr.stackrestore %[[INNER]]
// CHECK: llvm.intr.stackrestore %[[OUTER]]
// CHECK: return %[[SUM]]
func.func @nested(%x: f32) -> f32 {
  %r = memref.alloca_scope -> f32 {
    %s = memref.alloca_scope -> f32 {
      %t = memref.alloca() : memref<f32>
      memref.store %x, %t[] : memref<f32>
      %l = memref.load %t[] : memref<f32>
      %a = arith.addf %l, %x : f32
      memref.alloca_scope.return %a : f32
    }
    memref.alloca_scope.return %s : f32
  }
  return %r : f32
}
