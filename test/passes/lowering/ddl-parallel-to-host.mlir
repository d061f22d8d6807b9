// RUN: ddl-opt %s --ddl-parallel-to-host=min-work=1000 --split-input-file | FileCheck %s

// A large loop becomes a task over its leading dimension (the last one
// stays an inner loop) and a parallel_for call through the host pointer,
// or an inline call when no host is set.
// CHECK: llvm.mlir.global internal thread_local @__ddl_host()
// CHECK-LABEL: func.func @big
// CHECK: %[[ARGS:.+]] = llvm.alloca %{{.+}} x !llvm.struct<(f32, struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)>
// CHECK: builtin.unrealized_conversion_cast %{{.+}} : memref<64x64xf32> to !llvm.struct
// CHECK: llvm.store
// CHECK: %[[HOST:.+]] = llvm.load %{{.+}} : !llvm.ptr -> !llvm.ptr
// CHECK: scf.if
// CHECK: llvm.call %{{.+}}(%{{.+}}, %{{.+}}, %{{.+}}, %[[ARGS]]) : !llvm.ptr, (!llvm.ptr, i64, !llvm.ptr, !llvm.ptr) -> ()
// CHECK: } else {
// CHECK: llvm.call @__ddl_task_big_0(%[[ARGS]]
// CHECK-NOT: scf.parallel
// CHECK: llvm.func internal @__ddl_task_big_0(%{{.+}}: !llvm.ptr, %{{.+}}: i64, %{{.+}}: i64)
// CHECK: scf.for
// CHECK: scf.for
// CHECK: memref.store
func.func @big(%out: memref<64x64xf32>, %v: f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  scf.parallel (%i, %j) = (%c0, %c0) to (%c64, %c64) step (%c1, %c1) {
    memref.store %v, %out[%i, %j] : memref<64x64xf32>
    scf.reduce
  }
  return
}

// -----

// Too little work for a thread pool: the loop stays.
// CHECK-LABEL: func.func @small
// CHECK: scf.parallel
// CHECK-NOT: __ddl_task
func.func @small(%out: memref<4xf32>, %v: f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.parallel (%i) = (%c0) to (%c4) step (%c1) {
    memref.store %v, %out[%i] : memref<4xf32>
    scf.reduce
  }
  return
}

// -----

// Loops with equal bodies (one kernel in two layers, on other buffers)
// share one task; a loop whose body differs (another constant) keeps its
// own.
// CHECK-LABEL: func.func @layers
// CHECK: llvm.mlir.addressof @__ddl_task_layers_0
// CHECK: llvm.call @__ddl_task_layers_0(
// CHECK: llvm.mlir.addressof @__ddl_task_layers_0
// CHECK: llvm.call @__ddl_task_layers_0(
// CHECK: llvm.mlir.addressof @__ddl_task_layers_2
// CHECK: llvm.call @__ddl_task_layers_2(
// CHECK: llvm.func internal @__ddl_task_layers_0(
// CHECK-NOT: llvm.func internal @__ddl_task_layers_1(
// CHECK: llvm.func internal @__ddl_task_layers_2(
func.func @layers(%a: memref<64x64xf32>, %b: memref<64x64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %one = arith.constant 1.0 : f32
  %two = arith.constant 2.0 : f32
  scf.parallel (%i, %j) = (%c0, %c0) to (%c64, %c64) step (%c1, %c1) {
    %x = memref.load %a[%i, %j] : memref<64x64xf32>
    %y = arith.addf %x, %one : f32
    memref.store %y, %a[%i, %j] : memref<64x64xf32>
    scf.reduce
  }
  scf.parallel (%i, %j) = (%c0, %c0) to (%c64, %c64) step (%c1, %c1) {
    %x = memref.load %b[%i, %j] : memref<64x64xf32>
    %y = arith.addf %x, %one : f32
    memref.store %y, %b[%i, %j] : memref<64x64xf32>
    scf.reduce
  }
  scf.parallel (%i, %j) = (%c0, %c0) to (%c64, %c64) step (%c1, %c1) {
    %x = memref.load %b[%i, %j] : memref<64x64xf32>
    %y = arith.addf %x, %two : f32
    memref.store %y, %b[%i, %j] : memref<64x64xf32>
    scf.reduce
  }
  return
}

// -----

// A static stack buffer in the body (a kernel's per-iteration scratch)
// moves to the task's entry block: allocated once per call, not once per
// iteration (LLVM frees allocas only at return). A dynamic one stays.
// CHECK-LABEL: llvm.func internal @__ddl_task_scratch_0
// CHECK-NEXT:    memref.alloca() {alignment = 64 : i64} : memref<4x2048xf32>
// CHECK:         scf.for
// CHECK:           memref.alloca(%{{.*}}) : memref<?xf32>
// CHECK:         llvm.return
func.func @scratch(%out: memref<4096xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4096 = arith.constant 4096 : index
  scf.parallel (%i) = (%c0) to (%c4096) step (%c1) {
    %s = memref.alloca() {alignment = 64 : i64} : memref<4x2048xf32>
    %d = memref.alloca(%n) : memref<?xf32>
    %v = memref.load %s[%c0, %i] : memref<4x2048xf32>
    %w = memref.load %d[%c0] : memref<?xf32>
    %x = arith.addf %v, %w : f32
    memref.store %x, %out[%i] : memref<4096xf32>
    scf.reduce
  }
  return
}
