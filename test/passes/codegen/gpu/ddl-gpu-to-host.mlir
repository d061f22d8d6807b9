// RUN: ddl-opt %s --ddl-gpu-to-host | FileCheck %s

// The host code of a device model calls the device callbacks of the
// ddl_host struct (fields 3..7) that the thread-local __ddl_host points at.

// CHECK-DAG: llvm.mlir.global internal constant @__ddl_image_kernels("IMAGE") {addr_space = 0 : i32, alignment = 64 : i64}
// CHECK-DAG: llvm.mlir.global internal constant @__ddl_kernel_kernels_scale("scale\00")
// CHECK-DAG: llvm.mlir.global internal thread_local @__ddl_host()
// CHECK-NOT: gpu.binary

module attributes {gpu.container_module} {
  gpu.binary @kernels [#gpu.object<#nvvm.target<chip = "sm_90">, "IMAGE">]
  memref.global "private" constant @weight : memref<4xf32> = dense<[1.0, 2.0, 3.0, 4.0]>

  // CHECK-LABEL: func.func @run
  // The slots, once, in the entry block: 10 parameters (two rank-1
  // memrefs: 5 fields each), 6 grid and block sizes, one element.
  // CHECK:     llvm.alloca %{{.*}} x !llvm.array<10 x i64>
  // CHECK:     llvm.alloca %{{.*}} x !llvm.array<10 x ptr>
  // CHECK:     llvm.alloca %{{.*}} x !llvm.array<6 x i64>
  // CHECK:     llvm.alloca %{{.*}} x !llvm.array<16 x i8>
  // The weight: device_constant (field 6) of the global, 16 bytes.
  // CHECK:     %[[W:.*]] = llvm.mlir.addressof @weight
  // CHECK:     llvm.getelementptr %{{.*}}[0, 6]
  // CHECK:     llvm.call %{{.*}}(%{{.*}}, %[[W]], %{{.*}}) : !llvm.ptr, (!llvm.ptr, !llvm.ptr, i64) -> !llvm.ptr
  // The output: device_alloc (field 4).
  // CHECK:     llvm.getelementptr %{{.*}}[0, 4]
  // CHECK:     llvm.call %{{.*}}(%{{.*}}, %{{.*}}) : !llvm.ptr, (!llvm.ptr, i64) -> !llvm.ptr
  // The launch: device_launch (field 3) of the image, 5 bytes, by name.
  // CHECK:     %[[IMG:.*]] = llvm.mlir.addressof @__ddl_image_kernels
  // CHECK:     %[[LEN:.*]] = llvm.mlir.constant(5 : i64)
  // CHECK:     %[[NAME:.*]] = llvm.mlir.addressof @__ddl_kernel_kernels_scale
  // CHECK:     llvm.getelementptr %{{.*}}[0, 3]
  // CHECK:     llvm.call %{{.*}}(%{{.*}}, %[[IMG]], %[[LEN]], %[[NAME]], %{{.*}}, %{{.*}}, %{{.*}}) : !llvm.ptr, (!llvm.ptr, !llvm.ptr, i64, !llvm.ptr, !llvm.ptr, i64, !llvm.ptr) -> ()
  // A host read of one element: device_copy (field 7) to the slot.
  // CHECK:     llvm.getelementptr %{{.*}}[0, 7]
  // CHECK:     llvm.call %{{.*}}(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) : !llvm.ptr, (!llvm.ptr, !llvm.ptr, !llvm.ptr, i64, i32) -> ()
  // CHECK:     llvm.load %{{.*}} : !llvm.ptr -> f32
  // The temporary goes back: device_free (field 5).
  // CHECK:     llvm.getelementptr %{{.*}}[0, 5]
  // CHECK:     llvm.call %{{.*}}(%{{.*}}, %{{.*}}) : !llvm.ptr, (!llvm.ptr, !llvm.ptr) -> ()
  func.func @run() -> f32 {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %w = memref.get_global @weight : memref<4xf32>
    %out = memref.alloc() : memref<4xf32>
    gpu.launch_func @kernels::@scale blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%w : memref<4xf32>, %out : memref<4xf32>)
    %v = memref.load %out[%c0] : memref<4xf32>
    memref.dealloc %out : memref<4xf32>
    return %v : f32
  }
}
