// RUN: ddl-opt %s --pass-pipeline="builtin.module(func.func(nn-channels-last),canonicalize)" --split-input-file | FileCheck %s

// Two convolutions with a relu, a clip and a residual add between them: one
// transpose in, one out; everything between runs channels-last.
// CHECK-LABEL: func.func @chain
// CHECK: %[[IN:.*]] = nn.transpose %arg0 {perm = array<i64: 0, 2, 3, 1>} : (tensor<1x8x6x6xf32>) -> tensor<1x6x6x8xf32>
// CHECK: %[[C1:.*]] = nn.conv %[[IN]], {{.*}} {channels_last{{.*}}} : {{.*}} -> tensor<1x6x6x8xf32>
// CHECK: %[[R:.*]] = nn.relu %[[C1]] : (tensor<1x6x6x8xf32>) -> tensor<1x6x6x8xf32>
// CHECK: %[[C2:.*]] = nn.conv %[[R]], {{.*}} {channels_last{{.*}}} : {{.*}} -> tensor<1x6x6x8xf32>
// CHECK: %[[CL:.*]] = nn.clip %[[C2]] min {{.*}} -> tensor<1x6x6x8xf32>
// CHECK: %[[A:.*]] = nn.add %[[CL]], %[[R]] : {{.*}} -> tensor<1x6x6x8xf32>
// CHECK: %[[OUT:.*]] = nn.transpose %[[A]] {perm = array<i64: 0, 3, 1, 2>} : (tensor<1x6x6x8xf32>) -> tensor<1x8x6x6xf32>
// CHECK-NEXT: return %[[OUT]]
func.func @chain(%x: tensor<1x8x6x6xf32>) -> tensor<1x8x6x6xf32> {
  %w1 = nn.constant dense<0.5> : tensor<8x8x3x3xf32>
  %b1 = nn.constant dense<0.1> : tensor<8xf32>
  %w2 = nn.constant dense<0.25> : tensor<8x1x3x3xf32>
  %lo = nn.constant dense<0.0> : tensor<f32>
  %hi = nn.constant dense<6.0> : tensor<f32>
  %0 = nn.conv %x, %w1, %b1 {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x8x6x6xf32>, tensor<8x8x3x3xf32>, tensor<8xf32>) -> tensor<1x8x6x6xf32>
  %1 = nn.relu %0 : (tensor<1x8x6x6xf32>) -> tensor<1x8x6x6xf32>
  %2 = nn.conv %1, %w2 {group = 8 : i64, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x8x6x6xf32>, tensor<8x1x3x3xf32>) -> tensor<1x8x6x6xf32>
  %3 = nn.clip %2 min %lo max %hi : (tensor<1x8x6x6xf32>, tensor<f32>, tensor<f32>) -> tensor<1x8x6x6xf32>
  %4 = nn.add %3, %1 : (tensor<1x8x6x6xf32>, tensor<1x8x6x6xf32>) -> tensor<1x8x6x6xf32>
  return %4 : tensor<1x8x6x6xf32>
}

// -----

// Without a channels-last kernel (a grouped convolution that is not
// depthwise, a 1-D convolution) nothing moves.
// CHECK-LABEL: func.func @no_kernel
// CHECK-NOT: nn.transpose
// CHECK-NOT: channels_last
func.func @no_kernel(%x: tensor<1x8x6x6xf32>, %y: tensor<1x4x9xf32>)
    -> (tensor<1x8x6x6xf32>, tensor<1x2x7xf32>) {
  %w2 = nn.constant dense<0.5> : tensor<8x4x1x1xf32>
  %w3 = nn.constant dense<0.5> : tensor<2x4x3xf32>
  %1 = nn.conv %x, %w2 {group = 2 : i64} : (tensor<1x8x6x6xf32>, tensor<8x4x1x1xf32>) -> tensor<1x8x6x6xf32>
  %2 = nn.conv %y, %w3 : (tensor<1x4x9xf32>, tensor<2x4x3xf32>) -> tensor<1x2x7xf32>
  return %1, %2 : tensor<1x8x6x6xf32>, tensor<1x2x7xf32>
}

// -----

// Weights computed at run time (a module's parameters passed as inputs)
// have the kernels too (rearranged by a transpose per run).
// CHECK-LABEL: func.func @runtime_weights
// CHECK: nn.transpose %arg0 {perm = array<i64: 0, 2, 3, 1>}
// CHECK: nn.conv %{{.+}}, %arg1 {channels_last}
func.func @runtime_weights(%x: tensor<1x8x6x6xf32>, %w: tensor<8x8x1x1xf32>) -> tensor<1x8x6x6xf32> {
  %0 = nn.conv %x, %w : (tensor<1x8x6x6xf32>, tensor<8x8x1x1xf32>) -> tensor<1x8x6x6xf32>
  return %0 : tensor<1x8x6x6xf32>
}

// -----

// A transpose stops at an op without a channels-last form (average
// pooling) and at a broadcast operand that is not a single element; a
// single-element operand goes along.
// CHECK-LABEL: func.func @edges
// CHECK: nn.conv {{.*}}channels_last
// CHECK: %[[M:.*]] = nn.mul %{{.*}}, %{{.*}} : (tensor<1x6x6x8xf32>, tensor<1xf32>) -> tensor<1x6x6x8xf32>
// CHECK: %[[T:.*]] = nn.transpose %[[M]] {perm = array<i64: 0, 3, 1, 2>}
// CHECK: nn.avg_pool %[[T]]
// CHECK: nn.add %[[T]], %{{.*}} : (tensor<1x8x6x6xf32>, tensor<8x1x1xf32>)
func.func @edges(%x: tensor<1x8x6x6xf32>) -> (tensor<1x8x3x3xf32>, tensor<1x8x6x6xf32>) {
  %w = nn.constant dense<0.5> : tensor<8x8x1x1xf32>
  %s = nn.constant dense<2.0> : tensor<1xf32>
  %bias = nn.constant dense<1.0> : tensor<8x1x1xf32>
  %0 = nn.conv %x, %w : (tensor<1x8x6x6xf32>, tensor<8x8x1x1xf32>) -> tensor<1x8x6x6xf32>
  %1 = nn.mul %0, %s : (tensor<1x8x6x6xf32>, tensor<1xf32>) -> tensor<1x8x6x6xf32>
  %2 = nn.avg_pool %1 {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x8x6x6xf32>) -> tensor<1x8x3x3xf32>
  %3 = nn.add %1, %bias : (tensor<1x8x6x6xf32>, tensor<8x1x1xf32>) -> tensor<1x8x6x6xf32>
  return %2, %3 : tensor<1x8x3x3xf32>, tensor<1x8x6x6xf32>
}

// -----

// A max pooling between channels-last convolutions (resnet's stem) runs
// channels-last too: no transposes are left between the convolutions.
// CHECK-LABEL: func.func @max_pool_between
// CHECK: %[[C:.*]] = nn.conv {{.*}}channels_last
// CHECK-NEXT: %[[R:.*]] = nn.relu %[[C]] : (tensor<1x8x8x4xf32>) -> tensor<1x8x8x4xf32>
// CHECK-NEXT: %[[P:.*]] = nn.max_pool %[[R]] {channels_last, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x8x8x4xf32>) -> tensor<1x4x4x4xf32>
// CHECK-NEXT: nn.conv %[[P]], {{.*}}channels_last
func.func @max_pool_between(%x: tensor<1x3x8x8xf32>) -> tensor<1x4x4x4xf32> {
  %w1 = nn.constant dense<0.5> : tensor<4x3x1x1xf32>
  %w2 = nn.constant dense<0.25> : tensor<4x4x1x1xf32>
  %0 = nn.conv %x, %w1 : (tensor<1x3x8x8xf32>, tensor<4x3x1x1xf32>) -> tensor<1x4x8x8xf32>
  %1 = nn.relu %0 : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %2 = nn.max_pool %1 {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x4x8x8xf32>) -> tensor<1x4x4x4xf32>
  %3 = nn.conv %2, %w2 : (tensor<1x4x4x4xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x4x4xf32>
  return %3 : tensor<1x4x4x4xf32>
}

// -----

// A cast sinks too: an integer convolution's requantized values (computed
// channels-last) cast to 8 bits meet the next one's transpose back, and the
// pair cancels.
// CHECK-LABEL: func.func @cast_between
// CHECK-NOT: nn.transpose
// CHECK: %[[Q:.*]] = nn.cast %arg0 {{.*}} : (tensor<1x6x6x8xf32>) -> tensor<1x6x6x8xui8>
// CHECK-NOT: nn.transpose
// CHECK: return %[[Q]]
func.func @cast_between(%x: tensor<1x6x6x8xf32>) -> tensor<1x6x6x8xui8> {
  %0 = nn.transpose %x {perm = array<i64: 0, 3, 1, 2>} : (tensor<1x6x6x8xf32>) -> tensor<1x8x6x6xf32>
  %1 = nn.cast %0 {to = ui8} : (tensor<1x8x6x6xf32>) -> tensor<1x8x6x6xui8>
  %2 = nn.transpose %1 {perm = array<i64: 0, 2, 3, 1>} : (tensor<1x8x6x6xui8>) -> tensor<1x6x6x8xui8>
  return %2 : tensor<1x6x6x8xui8>
}

// -----

// A reduction of a transpose reads the channels-last values when the kept
// dimensions keep their order: the per-tensor maximum --quantize=int8
// takes of a convolution's input, plane by plane ([N, C] either way).
// CHECK-LABEL: func.func @reduce_planes
// CHECK-NOT: nn.transpose
// CHECK: nn.reduce <max> %arg0 {axes = array<i64: 1, 2>, keepdims = false} : (tensor<1x6x6x8xf32>) -> tensor<1x8xf32>
// A reduction that would reorder the kept dimensions stays.
// CHECK-LABEL: func.func @reduce_channels
// CHECK: nn.transpose
// CHECK: nn.reduce <max>
func.func @reduce_planes(%x: tensor<1x6x6x8xf32>) -> tensor<1x8xf32> {
  %0 = nn.transpose %x {perm = array<i64: 0, 3, 1, 2>} : (tensor<1x6x6x8xf32>) -> tensor<1x8x6x6xf32>
  %1 = nn.reduce <max> %0 {axes = array<i64: 2, 3>, keepdims = false} : (tensor<1x8x6x6xf32>) -> tensor<1x8xf32>
  return %1 : tensor<1x8xf32>
}
func.func @reduce_channels(%x: tensor<1x6x6x8xf32>) -> tensor<1x8x6xf32> {
  %0 = nn.transpose %x {perm = array<i64: 0, 3, 1, 2>} : (tensor<1x6x6x8xf32>) -> tensor<1x8x6x6xf32>
  %1 = nn.reduce <max> %0 {axes = array<i64: 3>, keepdims = false} : (tensor<1x8x6x6xf32>) -> tensor<1x8x6xf32>
  return %1 : tensor<1x8x6xf32>
}
