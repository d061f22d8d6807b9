// RUN: ddl-opt %s --ddl-gpu-to-host | FileCheck %s --check-prefix=BYVAL

// A host pointer among the launch's operands (a TMA descriptor in a stack
// slot) is a parameter passed by value: its parameter pointer is the slot
// itself for this launch (the memref after it keeps its own slots), and
// goes back to its own parameter slot afterwards.
// BYVAL-LABEL: func.func @by_value
// BYVAL:     %[[PARAMS:.*]] = llvm.alloca %{{.*}} x !llvm.array<6 x i64>
// BYVAL:     %[[PTRS:.*]] = llvm.alloca %{{.*}} x !llvm.array<6 x ptr>
// BYVAL:     %[[MAP:.*]] = llvm.alloca %{{.*}} x !llvm.array<128 x i8> {alignment = 64 : i64}
// BYVAL:     %[[OWN:.*]] = llvm.getelementptr %[[PARAMS]][0] : (!llvm.ptr) -> !llvm.ptr, i64
// BYVAL:     %[[PTR0:.*]] = llvm.getelementptr %[[PTRS]][0] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// BYVAL:     llvm.store %[[MAP]], %[[PTR0]] : !llvm.ptr, !llvm.ptr
// BYVAL-NOT: llvm.store %[[MAP]], %[[OWN]]
// BYVAL:     llvm.getelementptr %{{.*}}[0, 3]
// BYVAL:     llvm.call
// BYVAL:     llvm.store %[[OWN]], %[[PTR0]] : !llvm.ptr, !llvm.ptr
module attributes {gpu.container_module} {
  gpu.binary @kernels [#gpu.object<#nvvm.target<chip = "sm_90a">, "IMAGE">]
  func.func @by_value(%out: memref<4xf32>) {
    %c1 = arith.constant 1 : index
    %one = llvm.mlir.constant(1 : i64) : i64
    %map = llvm.alloca %one x !llvm.array<128 x i8> {alignment = 64 : i64} : (i64) -> !llvm.ptr
    gpu.launch_func @kernels::@gemm blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%map : !llvm.ptr, %out : memref<4xf32>)
    return
  }
}
