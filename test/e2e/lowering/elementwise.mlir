// RUN: ddl-opt %s --ddl-cpu-pipeline | %mlir_runner | FileCheck %s
// Numeric checks of the elementwise lowering, run through the whole CPU
// pipeline.

func.func private @printMemrefF32(memref<*xf32>)
func.func @main() {
  %a = nn.constant dense<[[1.0, -2.0], [3.0, 0.5]]> : tensor<2x2xf32>
  %b = nn.constant dense<[10.0, 20.0]> : tensor<2xf32>
  %0 = nn.add %a, %b : (tensor<2x2xf32>, tensor<2xf32>) -> tensor<2x2xf32>
  %1 = nn.sigmoid %0 : (tensor<2x2xf32>) -> tensor<2x2xf32>
  %2 = nn.erf %a : (tensor<2x2xf32>) -> tensor<2x2xf32>
  %m = bufferization.to_buffer %0 : tensor<2x2xf32> to memref<2x2xf32>
  %u = memref.cast %m : memref<2x2xf32> to memref<*xf32>
  call @printMemrefF32(%u) : (memref<*xf32>) -> ()
  %m2 = bufferization.to_buffer %2 : tensor<2x2xf32> to memref<2x2xf32>
  %u2 = memref.cast %m2 : memref<2x2xf32> to memref<*xf32>
  call @printMemrefF32(%u2) : (memref<*xf32>) -> ()
  return
}
// CHECK: sizes = [2, 2]
// CHECK-NEXT: {{\[\[}}11, 18],
// CHECK-NEXT: [13, 20.5]]
// CHECK: {{\[\[}}0.8427{{[0-9]*}}, -0.9953{{[0-9]*}}],
// CHECK-NEXT: [0.99997{{[0-9]*}}, 0.5205{{[0-9]*}}]]

