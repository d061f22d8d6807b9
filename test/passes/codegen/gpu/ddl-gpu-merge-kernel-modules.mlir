// RUN: ddl-opt %s --ddl-gpu-merge-kernel-modules | FileCheck %s

// Two outlined kernels (both named @main_kernel, in their own modules) and
// a helper copied into both: one module, kernels named after their old
// modules, the helper once, the launches retargeted.
// CHECK:     gpu.launch_func  @ddl_kernels::@main_kernel blocks
// CHECK:     gpu.launch_func  @ddl_kernels::@main_kernel_0 blocks
// CHECK:     gpu.module @ddl_kernels {
// CHECK-COUNT-1: func.func private @helper
// CHECK:       gpu.func @main_kernel(%{{.*}}: memref<4xf32>) kernel
// CHECK:       gpu.func @main_kernel_0(%{{.*}}: memref<4xf32>) kernel
// CHECK-NOT: gpu.module
// CHECK-NOT: @helper
module attributes {gpu.container_module} {
  gpu.module @main_kernel {
    func.func private @helper(%x: f32) -> f32 {
      return %x : f32
    }
    gpu.func @main_kernel(%a: memref<4xf32>) kernel {
      gpu.return
    }
  }
  gpu.module @main_kernel_0 {
    func.func private @helper(%x: f32) -> f32 {
      return %x : f32
    }
    gpu.func @main_kernel(%a: memref<4xf32>) kernel {
      gpu.return
    }
  }
  func.func @main(%a: memref<4xf32>) {
    %c1 = arith.constant 1 : index
    gpu.launch_func @main_kernel::@main_kernel blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%a : memref<4xf32>)
    gpu.launch_func @main_kernel_0::@main_kernel blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%a : memref<4xf32>)
    return
  }
}
