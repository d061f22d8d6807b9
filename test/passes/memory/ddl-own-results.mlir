// RUN: ddl-opt %s --ddl-own-results | FileCheck %s

// Returning an argument, a global, or one buffer twice: each result the
// caller receives is a fresh allocation it may free.
// CHECK-LABEL: func.func @returns
// CHECK: %[[OWN:.+]] = memref.alloc() : memref<4xf32>
// CHECK: %[[A:.+]] = memref.alloc() : memref<4xf32>
// CHECK: memref.copy %arg0, %[[A]]
// CHECK: %[[B:.+]] = memref.alloc() : memref<4xf32>
// CHECK: memref.copy %[[OWN]], %[[B]]
// CHECK: return %[[A]], %[[OWN]], %[[B]]
func.func @returns(%arg: memref<4xf32>) -> (memref<4xf32>, memref<4xf32>, memref<4xf32>) {
  %own = memref.alloc() : memref<4xf32>
  return %arg, %own, %own : memref<4xf32>, memref<4xf32>, memref<4xf32>
}
