// RUN: ddl-opt %s --ddl-pads-in-place --split-input-file | FileCheck %s
// RUN: ddl-opt %s --ddl-pads-in-place --eliminate-empty-tensors --one-shot-bufferize="bufferize-function-boundaries=1" --cse --canonicalize --split-input-file | FileCheck %s --check-prefix=BUF

// A computed tensor that is padded becomes a fill of the padded tensor and
// an insert_slice; after empty-tensor elimination the producer writes into
// the padded buffer's interior, and nothing is copied.
// CHECK-LABEL: func.func @computed
// CHECK-DAG: %[[FILL:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%{{.+}} : tensor<1x6x6x4xf32>)
// CHECK-DAG: %[[RELU:.+]] = linalg.generic
// CHECK: tensor.insert_slice %[[RELU]] into %[[FILL]][0, 1, 1, 0] [1, 4, 4, 4] [1, 1, 1, 1]
// CHECK-NOT: tensor.pad
// BUF-LABEL: func.func @computed
// BUF: %[[P:.+]] = memref.alloc() {{.+}} : memref<1x6x6x4xf32>
// BUF: linalg.fill ins(%{{.+}} : f32) outs(%[[P]] : memref<1x6x6x4xf32>)
// BUF: %[[S:.+]] = memref.subview %[[P]][0, 1, 1, 0] [1, 4, 4, 4] [1, 1, 1, 1]
// BUF: linalg.generic {{.+}} outs(%[[S]] :
// BUF-NOT: memref.copy
func.func @computed(%x: tensor<1x4x4x4xf32>) -> tensor<1x6x6x4xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x4x4x4xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(a, b, c, d) -> (a, b, c, d)>, affine_map<(a, b, c, d) -> (a, b, c, d)>],
                       iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : tensor<1x4x4x4xf32>) outs(%e : tensor<1x4x4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %zero : f32
    linalg.yield %m : f32
  } -> tensor<1x4x4x4xf32>
  %p = tensor.pad %r low[0, 1, 1, 0] high[0, 1, 1, 0] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x4x4x4xf32> to tensor<1x6x6x4xf32>
  return %p : tensor<1x6x6x4xf32>
}

// -----

// A function argument stays a pad (a copy either way).
// CHECK-LABEL: func.func @argument
// BUF-LABEL: func.func @argument
// CHECK: tensor.pad
func.func @argument(%x: tensor<1x4x4x4xf32>) -> tensor<1x6x6x4xf32> {
  %zero = arith.constant 0.0 : f32
  %p = tensor.pad %x low[0, 1, 1, 0] high[0, 1, 1, 0] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x4x4x4xf32> to tensor<1x6x6x4xf32>
  return %p : tensor<1x6x6x4xf32>
}
