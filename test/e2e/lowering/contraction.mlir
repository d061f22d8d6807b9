// RUN: ddl-opt %s --ddl-cpu-pipeline | %mlir_runner | FileCheck %s
// Numeric checks of the contraction, convolution and pooling lowering,
// run through the whole CPU pipeline. Expected values come from numpy
// references of the ONNX semantics (integer-valued inputs, so that most
// results are exact).

func.func private @printMemrefF32(memref<*xf32>)
func.func private @printMemrefI32(memref<*xi32>)
func.func @main() {
  // matmul 2d
  %c1 = nn.constant dense<[[3., 1., 1.], [3., 1., 2.]]> : tensor<2x3xf32>
  %c2 = nn.constant dense<[[ 2., -2., -3., -1.], [-2.,  3.,  3., -3.], [ 0.,  2., -3.,  2.]]> : tensor<3x4xf32>
  %r3 = nn.matmul %c1, %c2 : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  %m164 = bufferization.to_buffer %r3 : tensor<2x4xf32> to memref<2x4xf32>
  %f165 = memref.collapse_shape %m164 [[0, 1]] : memref<2x4xf32> into memref<8xf32>
  %u166 = memref.cast %f165 : memref<8xf32> to memref<*xf32>
  call @printMemrefF32(%u166) : (memref<*xf32>) -> ()
  // matmul batch x 2d
  %c4 = nn.constant dense<[[[-3.,  0.,  2.],  [-1., -1., -2.]], [[ 2., -2.,  3.],  [ 0.,  0.,  0.]]]> : tensor<2x2x3xf32>
  %c5 = nn.constant dense<[[1., 0.], [0., 3.], [2., 2.]]> : tensor<3x2xf32>
  %r6 = nn.matmul %c4, %c5 : (tensor<2x2x3xf32>, tensor<3x2xf32>) -> tensor<2x2x2xf32>
  %m167 = bufferization.to_buffer %r6 : tensor<2x2x2xf32> to memref<2x2x2xf32>
  %f168 = memref.collapse_shape %m167 [[0, 1, 2]] : memref<2x2x2xf32> into memref<8xf32>
  %u169 = memref.cast %f168 : memref<8xf32> to memref<*xf32>
  call @printMemrefF32(%u169) : (memref<*xf32>) -> ()
  // matmul broadcast lhs batch
  %c7 = nn.constant dense<[[[ 1.,  1., -1.],  [ 3.,  0., -2.]]]> : tensor<1x2x3xf32>
  %c8 = nn.constant dense<[[[ 2., -2.],  [ 3.,  1.],  [-3., -3.]], [[ 0., -3.],  [-3.,  0.],  [ 3.,  0.]]]> : tensor<2x3x2xf32>
  %r9 = nn.matmul %c7, %c8 : (tensor<1x2x3xf32>, tensor<2x3x2xf32>) -> tensor<2x2x2xf32>
  %m170 = bufferization.to_buffer %r9 : tensor<2x2x2xf32> to memref<2x2x2xf32>
  %f171 = memref.collapse_shape %m170 [[0, 1, 2]] : memref<2x2x2xf32> into memref<8xf32>
  %u172 = memref.cast %f171 : memref<8xf32> to memref<*xf32>
  call @printMemrefF32(%u172) : (memref<*xf32>) -> ()
  // matmul 4d broadcast both
  %c10 = nn.constant dense<[[[[ 2.,  3.,  2.],   [ 1.,  0.,  0.]]], [[[-2.,  0., -1.],   [-2.,  3., -3.]]]]> : tensor<2x1x2x3xf32>
  %c11 = nn.constant dense<[[[-3., -2.],  [ 3.,  1.],  [ 3., -2.]], [[ 2., -1.],  [ 0., -3.],  [ 1.,  2.]], [[ 1., -2.],  [ 0., -2.],  [ 3.,  3.]]]> : tensor<3x3x2xf32>
  %r12 = nn.matmul %c10, %c11 : (tensor<2x1x2x3xf32>, tensor<3x3x2xf32>) -> tensor<2x3x2x2xf32>
  %m173 = bufferization.to_buffer %r12 : tensor<2x3x2x2xf32> to memref<2x3x2x2xf32>
  %f174 = memref.collapse_shape %m173 [[0, 1, 2, 3]] : memref<2x3x2x2xf32> into memref<24xf32>
  %u175 = memref.cast %f174 : memref<24xf32> to memref<*xf32>
  call @printMemrefF32(%u175) : (memref<*xf32>) -> ()
  // matmul vector lhs
  %c13 = nn.constant dense<[-2.,  0.,  3.]> : tensor<3xf32>
  %c14 = nn.constant dense<[[ 2.,  1.], [ 1., -3.], [ 2.,  0.]]> : tensor<3x2xf32>
  %r15 = nn.matmul %c13, %c14 : (tensor<3xf32>, tensor<3x2xf32>) -> tensor<2xf32>
  %m176 = bufferization.to_buffer %r15 : tensor<2xf32> to memref<2xf32>
  %f177 = memref.collapse_shape %m176 [[0]] : memref<2xf32> into memref<2xf32>
  %u178 = memref.cast %f177 : memref<2xf32> to memref<*xf32>
  call @printMemrefF32(%u178) : (memref<*xf32>) -> ()
  // matmul vector rhs
  %c16 = nn.constant dense<[[[-3., -2.,  0.],  [ 2.,  0.,  1.]], [[ 3.,  1., -1.],  [ 1.,  1., -3.]]]> : tensor<2x2x3xf32>
  %c17 = nn.constant dense<[-3.,  1., -1.]> : tensor<3xf32>
  %r18 = nn.matmul %c16, %c17 : (tensor<2x2x3xf32>, tensor<3xf32>) -> tensor<2x2xf32>
  %m179 = bufferization.to_buffer %r18 : tensor<2x2xf32> to memref<2x2xf32>
  %f180 = memref.collapse_shape %m179 [[0, 1]] : memref<2x2xf32> into memref<4xf32>
  %u181 = memref.cast %f180 : memref<4xf32> to memref<*xf32>
  call @printMemrefF32(%u181) : (memref<*xf32>) -> ()
  // matmul i32
  %c19 = nn.constant dense<[[ 1, -1, -2], [-2, -1,  2]]> : tensor<2x3xi32>
  %c20 = nn.constant dense<[[-1, -1], [ 1,  3], [-1,  1]]> : tensor<3x2xi32>
  %r21 = nn.matmul %c19, %c20 : (tensor<2x3xi32>, tensor<3x2xi32>) -> tensor<2x2xi32>
  %m182 = bufferization.to_buffer %r21 : tensor<2x2xi32> to memref<2x2xi32>
  %f183 = memref.collapse_shape %m182 [[0, 1]] : memref<2x2xi32> into memref<4xi32>
  %u184 = memref.cast %f183 : memref<4xi32> to memref<*xi32>
  call @printMemrefI32(%u184) : (memref<*xi32>) -> ()
  // gemm all attrs
  %c22 = nn.constant dense<[[0., 1.], [0., 1.], [0., 1.]]> : tensor<3x2xf32>
  %c23 = nn.constant dense<[[ 3., -2.,  0.], [ 0., -1., -2.], [-3., -1.,  2.], [-3., -1.,  3.]]> : tensor<4x3xf32>
  %c24 = nn.constant dense<[ 3., -2., -3.,  1.]> : tensor<4xf32>
  %r25 = nn.gemm %c22, %c23, %c24 {trans_a = true, trans_b = true, alpha = 0.5 : f32, beta = 2.0 : f32} : (tensor<3x2xf32>, tensor<4x3xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  %m185 = bufferization.to_buffer %r25 : tensor<2x4xf32> to memref<2x4xf32>
  %f186 = memref.collapse_shape %m185 [[0, 1]] : memref<2x4xf32> into memref<8xf32>
  %u187 = memref.cast %f186 : memref<8xf32> to memref<*xf32>
  call @printMemrefF32(%u187) : (memref<*xf32>) -> ()
  // gemm column bias
  %c26 = nn.constant dense<[[-3., -1.,  0.], [ 3., -3.,  1.]]> : tensor<2x3xf32>
  %c27 = nn.constant dense<[[ 0., -3.,  2.,  2.], [ 0.,  3.,  1.,  3.], [ 3.,  0., -2., -2.]]> : tensor<3x4xf32>
  %c28 = nn.constant dense<[[ 0.], [-2.]]> : tensor<2x1xf32>
  %r29 = nn.gemm %c26, %c27, %c28 : (tensor<2x3xf32>, tensor<3x4xf32>, tensor<2x1xf32>) -> tensor<2x4xf32>
  %m188 = bufferization.to_buffer %r29 : tensor<2x4xf32> to memref<2x4xf32>
  %f189 = memref.collapse_shape %m188 [[0, 1]] : memref<2x4xf32> into memref<8xf32>
  %u190 = memref.cast %f189 : memref<8xf32> to memref<*xf32>
  call @printMemrefF32(%u190) : (memref<*xf32>) -> ()
  // gemm no c transB
  %c30 = nn.constant dense<[[ 2.,  3., -2.], [ 0., -3., -2.]]> : tensor<2x3xf32>
  %c31 = nn.constant dense<[[-1.,  3.,  3.], [ 1.,  1.,  0.], [-3., -1.,  3.], [-1., -2., -2.]]> : tensor<4x3xf32>
  %r32 = nn.gemm %c30, %c31 {trans_b = true} : (tensor<2x3xf32>, tensor<4x3xf32>) -> tensor<2x4xf32>
  %m191 = bufferization.to_buffer %r32 : tensor<2x4xf32> to memref<2x4xf32>
  %f192 = memref.collapse_shape %m191 [[0, 1]] : memref<2x4xf32> into memref<8xf32>
  %u193 = memref.cast %f192 : memref<8xf32> to memref<*xf32>
  call @printMemrefF32(%u193) : (memref<*xf32>) -> ()
  // einsum batch matmul
  %c33 = nn.constant dense<[[[ 1., -3.,  3.],  [ 3.,  0.,  0.]], [[ 2.,  0.,  0.],  [-1.,  0.,  2.]]]> : tensor<2x2x3xf32>
  %c34 = nn.constant dense<[[[-3., -3.],  [ 2., -1.],  [ 2., -3.]], [[ 3., -3.],  [-1.,  3.],  [-3.,  1.]]]> : tensor<2x3x2xf32>
  %r35 = nn.einsum "bij,bjk->bik" %c33, %c34 : (tensor<2x2x3xf32>, tensor<2x3x2xf32>) -> tensor<2x2x2xf32>
  %m194 = bufferization.to_buffer %r35 : tensor<2x2x2xf32> to memref<2x2x2xf32>
  %f195 = memref.collapse_shape %m194 [[0, 1, 2]] : memref<2x2x2xf32> into memref<8xf32>
  %u196 = memref.cast %f195 : memref<8xf32> to memref<*xf32>
  call @printMemrefF32(%u196) : (memref<*xf32>) -> ()
  // einsum batch diagonal
  %c36 = nn.constant dense<[[[ 2., -1., -3.],  [ 0.,  0.,  3.],  [ 1., -1., -3.]], [[ 1., -2.,  1.],  [ 3., -1.,  3.],  [ 0.,  0.,  2.]]]> : tensor<2x3x3xf32>
  %r37 = nn.einsum "...ii->...i" %c36 : (tensor<2x3x3xf32>) -> tensor<2x3xf32>
  %m197 = bufferization.to_buffer %r37 : tensor<2x3xf32> to memref<2x3xf32>
  %f198 = memref.collapse_shape %m197 [[0, 1]] : memref<2x3xf32> into memref<6xf32>
  %u199 = memref.cast %f198 : memref<6xf32> to memref<*xf32>
  call @printMemrefF32(%u199) : (memref<*xf32>) -> ()
  // einsum sum
  %c38 = nn.constant dense<[[ 2.,  3.,  3., -2.], [-1.,  3., -1., -3.], [ 1.,  2.,  2.,  2.]]> : tensor<3x4xf32>
  %r39 = nn.einsum "ij->i" %c38 : (tensor<3x4xf32>) -> tensor<3xf32>
  %m200 = bufferization.to_buffer %r39 : tensor<3xf32> to memref<3xf32>
  %f201 = memref.collapse_shape %m200 [[0]] : memref<3xf32> into memref<3xf32>
  %u202 = memref.cast %f201 : memref<3xf32> to memref<*xf32>
  call @printMemrefF32(%u202) : (memref<*xf32>) -> ()
  // einsum transpose
  %c40 = nn.constant dense<[[ 1., -3.,  2., -1.], [ 2.,  2.,  3., -3.], [ 3.,  1.,  0.,  2.]]> : tensor<3x4xf32>
  %r41 = nn.einsum "ij->ji" %c40 : (tensor<3x4xf32>) -> tensor<4x3xf32>
  %m203 = bufferization.to_buffer %r41 : tensor<4x3xf32> to memref<4x3xf32>
  %f204 = memref.collapse_shape %m203 [[0, 1]] : memref<4x3xf32> into memref<12xf32>
  %u205 = memref.cast %f204 : memref<12xf32> to memref<*xf32>
  call @printMemrefF32(%u205) : (memref<*xf32>) -> ()
  // einsum implicit
  %c42 = nn.constant dense<[[ 3.,  0., -3.], [ 2., -2., -2.]]> : tensor<2x3xf32>
  %c43 = nn.constant dense<[[-2., -2.,  3., -1.], [-3., -2., -1., -1.], [-1.,  3.,  3.,  1.]]> : tensor<3x4xf32>
  %r44 = nn.einsum "ij,jk" %c42, %c43 : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  %m206 = bufferization.to_buffer %r44 : tensor<2x4xf32> to memref<2x4xf32>
  %f207 = memref.collapse_shape %m206 [[0, 1]] : memref<2x4xf32> into memref<8xf32>
  %u208 = memref.cast %f207 : memref<8xf32> to memref<*xf32>
  call @printMemrefF32(%u208) : (memref<*xf32>) -> ()
  // einsum ellipsis broadcast
  %c45 = nn.constant dense<[[[ 3., -1., -3.],  [-2., -3.,  3.]]]> : tensor<1x2x3xf32>
  %c46 = nn.constant dense<[[[-2.,  0.],  [-2.,  3.],  [-2.,  0.]], [[ 3.,  0.],  [ 3.,  3.],  [ 2.,  2.]]]> : tensor<2x3x2xf32>
  %r47 = nn.einsum "...ij,...jk->...ik" %c45, %c46 : (tensor<1x2x3xf32>, tensor<2x3x2xf32>) -> tensor<2x2x2xf32>
  %m209 = bufferization.to_buffer %r47 : tensor<2x2x2xf32> to memref<2x2x2xf32>
  %f210 = memref.collapse_shape %m209 [[0, 1, 2]] : memref<2x2x2xf32> into memref<8xf32>
  %u211 = memref.cast %f210 : memref<8xf32> to memref<*xf32>
  call @printMemrefF32(%u211) : (memref<*xf32>) -> ()
  // conv 2d pads strides bias
  %c48 = nn.constant dense<[[[[ 1.,  1.,  2., -1.,  3.],   [ 3., -1., -1.,  2.,  3.],   [-3., -3., -2.,  0., -2.],   [ 0.,  0.,  3.,  2., -2.],   [ 2.,  2.,  1.,  1., -1.]],  [[ 2., -3.,  1.,  3.,  3.],   [-1., -1.,  1., -1.,  2.],   [-2., -2., -3.,  0., -2.],   [-1.,  3.,  2.,  2.,  1.],   [-3.,  2.,  1.,  3.,  0.]]]]> : tensor<1x2x5x5xf32>
  %c49 = nn.constant dense<[[[[-2.,  1.,  0.],   [ 1., -1., -1.],   [-3.,  3.,  2.]],  [[ 0., -2.,  1.],   [-1.,  1., -3.],   [-2.,  2., -3.]]], [[[ 1., -1., -3.],   [ 2.,  1.,  2.],   [ 3.,  2.,  2.]],  [[-3.,  3.,  3.],   [ 1.,  2.,  2.],   [ 3.,  3.,  0.]]], [[[ 2.,  3., -1.],   [-3., -2., -3.],   [ 0., -3., -2.]],  [[-2.,  1., -2.],   [ 3., -2.,  3.],   [ 0., -2., -3.]]]]> : tensor<3x2x3x3xf32>
  %c50 = nn.constant dense<[-1.,  1., -3.]> : tensor<3xf32>
  %r51 = nn.conv %c48, %c49, %c50 {strides = array<i64: 2, 2>, pads = array<i64: 1, 0, 1, 2>} : (tensor<1x2x5x5xf32>, tensor<3x2x3x3xf32>, tensor<3xf32>) -> tensor<1x3x3x3xf32>
  %m212 = bufferization.to_buffer %r51 : tensor<1x3x3x3xf32> to memref<1x3x3x3xf32>
  %f213 = memref.collapse_shape %m212 [[0, 1, 2, 3]] : memref<1x3x3x3xf32> into memref<27xf32>
  %u214 = memref.cast %f213 : memref<27xf32> to memref<*xf32>
  call @printMemrefF32(%u214) : (memref<*xf32>) -> ()
  // conv 2d group 2 dilation
  %c52 = nn.constant dense<[[[[-2., -3.,  1., -3.],   [-3.,  0., -1.,  0.],   [ 3.,  3.,  0.,  1.],   [ 2.,  0.,  1., -2.]],  [[ 1., -2., -2.,  2.],   [ 1., -1., -3., -2.],   [ 2.,  0.,  3.,  3.],   [ 2., -3., -3.,  1.]],  [[-1.,  2., -1., -2.],   [-3., -1.,  1., -3.],   [ 2., -1., -1.,  1.],   [ 3.,  0.,  2., -1.]],  [[-3.,  2.,  2.,  2.],   [ 3.,  0., -2.,  1.],   [ 1., -1.,  1., -2.],   [ 1.,  2., -3.,  0.]]], [[[ 1., -3.,  1.,  3.],   [ 2.,  1.,  2., -1.],   [-1., -3.,  2., -1.],   [ 3.,  0.,  3., -3.]],  [[-2., -1., -3.,  0.],   [ 1.,  1., -2., -2.],   [ 0.,  1.,  3.,  3.],   [-1., -2., -2.,  3.]],  [[ 0.,  3.,  1.,  1.],   [-3.,  1., -1.,  2.],   [-3., -2.,  1.,  1.],   [ 2.,  0., -1., -1.]],  [[-1.,  1.,  0., -1.],   [-2.,  1., -2., -2.],   [-1.,  2.,  0.,  1.],   [-3., -1.,  2.,  2.]]]]> : tensor<2x4x4x4xf32>
  %c53 = nn.constant dense<[[[[ 1.,  3.],   [-1., -2.]],  [[-3., -2.],   [ 2.,  3.]]], [[[-3.,  0.],   [-3.,  2.]],  [[-3.,  1.],   [-3.,  2.]]], [[[ 3.,  2.],   [-2.,  2.]],  [[-1.,  2.],   [ 2.,  0.]]], [[[ 1.,  2.],   [-2., -3.]],  [[ 0., -2.],   [ 3.,  3.]]]]> : tensor<4x2x2x2xf32>
  %r54 = nn.conv %c52, %c53 {group = 2 : i64, dilations = array<i64: 2, 1>} : (tensor<2x4x4x4xf32>, tensor<4x2x2x2xf32>) -> tensor<2x4x2x3xf32>
  %m215 = bufferization.to_buffer %r54 : tensor<2x4x2x3xf32> to memref<2x4x2x3xf32>
  %f216 = memref.collapse_shape %m215 [[0, 1, 2, 3]] : memref<2x4x2x3xf32> into memref<48xf32>
  %u217 = memref.cast %f216 : memref<48xf32> to memref<*xf32>
  call @printMemrefF32(%u217) : (memref<*xf32>) -> ()
  // conv depthwise
  %c55 = nn.constant dense<[[[[-1., -1.,  1.,  0.],   [-3.,  1.,  2., -3.],   [ 2.,  0.,  2.,  2.],   [ 1., -1., -1.,  2.]],  [[-3., -2.,  0.,  3.],   [ 2.,  2., -2., -2.],   [-2.,  2.,  0., -2.],   [ 2.,  1.,  3.,  0.]],  [[-3.,  3., -2., -3.],   [ 2.,  0.,  1., -3.],   [ 2., -1.,  3.,  1.],   [ 3.,  2.,  2., -3.]]]]> : tensor<1x3x4x4xf32>
  %c56 = nn.constant dense<[[[[ 2.,  1., -1.],   [-1.,  1., -2.],   [-2.,  3.,  2.]]], [[[ 1.,  2., -1.],   [ 2., -2.,  0.],   [-2., -1., -1.]]], [[[-1.,  0., -3.],   [-1.,  2.,  0.],   [ 0., -3., -1.]]]]> : tensor<3x1x3x3xf32>
  %r57 = nn.conv %c55, %c56 {group = 3 : i64, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x3x4x4xf32>, tensor<3x1x3x3xf32>) -> tensor<1x3x4x4xf32>
  %m218 = bufferization.to_buffer %r57 : tensor<1x3x4x4xf32> to memref<1x3x4x4xf32>
  %f219 = memref.collapse_shape %m218 [[0, 1, 2, 3]] : memref<1x3x4x4xf32> into memref<48xf32>
  %u220 = memref.cast %f219 : memref<48xf32> to memref<*xf32>
  call @printMemrefF32(%u220) : (memref<*xf32>) -> ()
  // conv depthwise multiplier 2
  %c58 = nn.constant dense<[[[[ 3.,  0., -3.,  2.],   [ 2., -1., -3.,  2.],   [-2.,  3., -1., -1.],   [ 2., -3., -3.,  2.]],  [[ 3.,  3., -3., -2.],   [-1.,  1.,  3.,  2.],   [-1.,  3., -2., -3.],   [ 0., -3.,  1.,  3.]]]]> : tensor<1x2x4x4xf32>
  %c59 = nn.constant dense<[[[[-3., -3., -2.],   [-2.,  0.,  1.],   [ 3.,  0.,  3.]]], [[[ 2.,  2., -2.],   [ 0.,  3.,  2.],   [-2.,  2.,  2.]]], [[[-2., -3., -2.],   [ 0., -2., -3.],   [-3., -1., -1.]]], [[[-1.,  0.,  2.],   [-2.,  0.,  2.],   [-3.,  3.,  3.]]]]> : tensor<4x1x3x3xf32>
  %r60 = nn.conv %c58, %c59 {group = 2 : i64} : (tensor<1x2x4x4xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x2x2xf32>
  %m221 = bufferization.to_buffer %r60 : tensor<1x4x2x2xf32> to memref<1x4x2x2xf32>
  %f222 = memref.collapse_shape %m221 [[0, 1, 2, 3]] : memref<1x4x2x2xf32> into memref<16xf32>
  %u223 = memref.cast %f222 : memref<16xf32> to memref<*xf32>
  call @printMemrefF32(%u223) : (memref<*xf32>) -> ()
  // conv 1d same_lower
  %c61 = nn.constant dense<[[[-1.,  3., -2.,  3.,  1., -2., -3.],  [-1.,  2., -2.,  0., -3., -1., -3.]]]> : tensor<1x2x7xf32>
  %c62 = nn.constant dense<[[[ 3.,  0.,  2.],  [-3., -2., -2.]], [[ 0.,  3.,  1.],  [ 0.,  3., -2.]]]> : tensor<2x2x3xf32>
  %r63 = nn.conv %c61, %c62 {strides = array<i64: 2>, auto_pad = #nn.auto_pad<same_lower>} : (tensor<1x2x7xf32>, tensor<2x2x3xf32>) -> tensor<1x2x4xf32>
  %m224 = bufferization.to_buffer %r63 : tensor<1x2x4xf32> to memref<1x2x4xf32>
  %f225 = memref.collapse_shape %m224 [[0, 1, 2]] : memref<1x2x4xf32> into memref<8xf32>
  %u226 = memref.cast %f225 : memref<8xf32> to memref<*xf32>
  call @printMemrefF32(%u226) : (memref<*xf32>) -> ()
  // conv 3d
  %c64 = nn.constant dense<[[[[[-2.,  1.,  2.],    [-2., -2.,  0.],    [ 2., -2.,  2.]],   [[ 0.,  1.,  1.],    [ 0.,  0.,  3.],    [-1.,  3.,  2.]],   [[-2.,  3., -1.],    [-2., -2., -3.],    [-1., -3.,  0.]]]]]> : tensor<1x1x3x3x3xf32>
  %c65 = nn.constant dense<[[[[[ 3.,  3.],    [ 3., -2.]],   [[-2.,  1.],    [ 3.,  2.]]]], [[[[-2.,  2.],    [ 0.,  0.]],   [[ 0.,  0.],    [ 3.,  2.]]]]]> : tensor<2x1x2x2x2xf32>
  %c66 = nn.constant dense<[-3.,  2.]> : tensor<2xf32>
  %r67 = nn.conv %c64, %c65, %c66 {pads = array<i64: 0, 1, 0, 1, 0, 0>} : (tensor<1x1x3x3x3xf32>, tensor<2x1x2x2x2xf32>, tensor<2xf32>) -> tensor<1x2x3x3x2xf32>
  %m227 = bufferization.to_buffer %r67 : tensor<1x2x3x3x2xf32> to memref<1x2x3x3x2xf32>
  %f228 = memref.collapse_shape %m227 [[0, 1, 2, 3, 4]] : memref<1x2x3x3x2xf32> into memref<36xf32>
  %u229 = memref.cast %f228 : memref<36xf32> to memref<*xf32>
  call @printMemrefF32(%u229) : (memref<*xf32>) -> ()
  // conv 3d grouped (generic)
  %c68 = nn.constant dense<[[[[[-1., -1.,  1.],    [ 3., -3.,  0.],    [-2.,  3.,  0.]],   [[ 2.,  3., -3.],    [ 2.,  2.,  2.],    [ 3.,  2.,  2.]],   [[ 1., -1.,  2.],    [ 1.,  1.,  3.],    [ 2., -1., -1.]]],  [[[-1., -2., -3.],    [ 2.,  2., -2.],    [-1.,  3.,  2.]],   [[ 1.,  3., -1.],    [ 2.,  3.,  1.],    [-2., -1.,  0.]],   [[-2., -3., -2.],    [ 3., -1.,  1.],    [ 0.,  2., -3.]]],  [[[-2.,  1.,  2.],    [ 0.,  1.,  2.],    [ 1.,  2.,  3.]],   [[-2.,  0., -2.],    [-1., -3.,  1.],    [-2.,  2.,  2.]],   [[-1.,  0.,  1.],    [-1., -2., -3.],    [ 0.,  0.,  2.]]],  [[[-3., -3.,  2.],    [ 2.,  2., -3.],    [ 1.,  3.,  2.]],   [[ 0.,  0., -1.],    [-3.,  2.,  0.],    [ 0.,  3.,  2.]],   [[ 3., -3.,  3.],    [ 0., -1.,  0.],    [-3.,  3.,  1.]]]]]> : tensor<1x4x3x3x3xf32>
  %c69 = nn.constant dense<[[[[[-3.,  3.],    [ 0., -3.]],   [[ 1., -3.],    [ 0.,  2.]]],  [[[-3.,  2.],    [ 1., -1.]],   [[-2., -3.],    [-2., -2.]]]], [[[[ 3.,  0.],    [-2.,  2.]],   [[ 0.,  2.],    [ 2.,  3.]]],  [[[ 1., -3.],    [ 0., -1.]],   [[ 2., -2.],    [ 0.,  2.]]]]]> : tensor<2x2x2x2x2xf32>
  %r70 = nn.conv %c68, %c69 {group = 2 : i64} : (tensor<1x4x3x3x3xf32>, tensor<2x2x2x2x2xf32>) -> tensor<1x2x2x2x2xf32>
  %m230 = bufferization.to_buffer %r70 : tensor<1x2x2x2x2xf32> to memref<1x2x2x2x2xf32>
  %f231 = memref.collapse_shape %m230 [[0, 1, 2, 3, 4]] : memref<1x2x2x2x2xf32> into memref<16xf32>
  %u232 = memref.cast %f231 : memref<16xf32> to memref<*xf32>
  call @printMemrefF32(%u232) : (memref<*xf32>) -> ()
  // conv_transpose strides pads output_padding bias
  %c71 = nn.constant dense<[[[[ 1., -3.,  2.],   [-1.,  1.,  1.],   [ 1., -1., -1.]],  [[-3.,  0., -1.],   [-1., -2.,  2.],   [ 3., -1., -1.]]]]> : tensor<1x2x3x3xf32>
  %c72 = nn.constant dense<[[[[ 0., -3.,  2.],   [ 3.,  0., -3.],   [-1., -2.,  2.]],  [[ 2., -1., -1.],   [ 2., -3.,  2.],   [ 3.,  0.,  2.]]], [[[ 1.,  3., -3.],   [ 1., -1.,  3.],   [ 3., -1.,  1.]],  [[ 0.,  0.,  2.],   [ 1.,  2.,  1.],   [-2.,  1., -1.]]]]> : tensor<2x2x3x3xf32>
  %c73 = nn.constant dense<[-1., -3.]> : tensor<2xf32>
  %r74 = nn.conv_transpose %c71, %c72, %c73 {strides = array<i64: 2, 2>, pads = array<i64: 1, 0, 0, 1>, output_padding = array<i64: 1, 1>} : (tensor<1x2x3x3xf32>, tensor<2x2x3x3xf32>, tensor<2xf32>) -> tensor<1x2x7x7xf32>
  %m233 = bufferization.to_buffer %r74 : tensor<1x2x7x7xf32> to memref<1x2x7x7xf32>
  %f234 = memref.collapse_shape %m233 [[0, 1, 2, 3]] : memref<1x2x7x7xf32> into memref<98xf32>
  %u235 = memref.cast %f234 : memref<98xf32> to memref<*xf32>
  call @printMemrefF32(%u235) : (memref<*xf32>) -> ()
  // conv_transpose 1d grouped dilation
  %c75 = nn.constant dense<[[[-2., -1., -1.],  [ 1., -1., -2.],  [ 0.,  0.,  3.],  [ 0., -1., -1.]]]> : tensor<1x4x3xf32>
  %c76 = nn.constant dense<[[[ 0.,  3.]], [[-1., -2.]], [[ 1.,  2.]], [[ 3., -2.]]]> : tensor<4x1x2xf32>
  %r77 = nn.conv_transpose %c75, %c76 {group = 2 : i64, dilations = array<i64: 2>} : (tensor<1x4x3xf32>, tensor<4x1x2xf32>) -> tensor<1x2x5xf32>
  %m236 = bufferization.to_buffer %r77 : tensor<1x2x5xf32> to memref<1x2x5xf32>
  %f237 = memref.collapse_shape %m236 [[0, 1, 2]] : memref<1x2x5xf32> into memref<10xf32>
  %u238 = memref.cast %f237 : memref<10xf32> to memref<*xf32>
  call @printMemrefF32(%u238) : (memref<*xf32>) -> ()
  // conv_transpose output_shape
  %c78 = nn.constant dense<[[[[ 3.,  2., -1.],   [-1., -2., -1.],   [ 3., -1.,  0.]]]]> : tensor<1x1x3x3xf32>
  %c79 = nn.constant dense<[[[[ 3.,  1., -3.],   [-3., -2.,  3.],   [-2., -1.,  0.]],  [[ 0., -3., -2.],   [ 3., -1., -2.],   [ 2.,  0.,  2.]]]]> : tensor<1x2x3x3xf32>
  %r80 = nn.conv_transpose %c78, %c79 {strides = array<i64: 3, 2>, output_shape = array<i64: 10, 8>} : (tensor<1x1x3x3xf32>, tensor<1x2x3x3xf32>) -> tensor<1x2x10x8xf32>
  %m239 = bufferization.to_buffer %r80 : tensor<1x2x10x8xf32> to memref<1x2x10x8xf32>
  %f240 = memref.collapse_shape %m239 [[0, 1, 2, 3]] : memref<1x2x10x8xf32> into memref<160xf32>
  %u241 = memref.cast %f240 : memref<160xf32> to memref<*xf32>
  call @printMemrefF32(%u241) : (memref<*xf32>) -> ()
  // conv_transpose same_upper
  %c81 = nn.constant dense<[[[[-2.,  0.,  2.],   [ 2.,  1.,  0.],   [ 2., -1.,  1.]]]]> : tensor<1x1x3x3xf32>
  %c82 = nn.constant dense<[[[[ 0., -1., -2.],   [ 0., -1.,  0.],   [ 1.,  2.,  2.]],  [[ 0., -3., -2.],   [ 2.,  1.,  2.],   [ 0.,  0., -2.]]]]> : tensor<1x2x3x3xf32>
  %r83 = nn.conv_transpose %c81, %c82 {strides = array<i64: 2, 2>, auto_pad = #nn.auto_pad<same_upper>} : (tensor<1x1x3x3xf32>, tensor<1x2x3x3xf32>) -> tensor<1x2x6x6xf32>
  %m242 = bufferization.to_buffer %r83 : tensor<1x2x6x6xf32> to memref<1x2x6x6xf32>
  %f243 = memref.collapse_shape %m242 [[0, 1, 2, 3]] : memref<1x2x6x6xf32> into memref<72xf32>
  %u244 = memref.cast %f243 : memref<72xf32> to memref<*xf32>
  call @printMemrefF32(%u244) : (memref<*xf32>) -> ()
  // max_pool pads strides
  %c84 = nn.constant dense<[[[[-8., -7.,  3.,  2., -5.],   [-3.,  3., -2., -2., -4.],   [ 3.,  7., -5., -4.,  0.],   [-6.,  0.,  7.,  2., -6.],   [-6., -8.,  9., -3., -4.]],  [[ 7., -4., -5., -5., -2.],   [-8.,  3., -1.,  9.,  5.],   [-2.,  4.,  6., -6., -6.],   [-7., -9., -3.,  6.,  5.],   [-2.,  0.,  5.,  8., -4.]]]]> : tensor<1x2x5x5xf32>
  %r85 = nn.max_pool %c84 {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x2x5x5xf32>) -> tensor<1x2x3x3xf32>
  %m245 = bufferization.to_buffer %r85 : tensor<1x2x3x3xf32> to memref<1x2x3x3xf32>
  %f246 = memref.collapse_shape %m245 [[0, 1, 2, 3]] : memref<1x2x3x3xf32> into memref<18xf32>
  %u247 = memref.cast %f246 : memref<18xf32> to memref<*xf32>
  call @printMemrefF32(%u247) : (memref<*xf32>) -> ()
  // max_pool ceil
  %c86 = nn.constant dense<[[[[ 3.,  2.,  2.,  6.],   [ 5., -2.,  5., -8.],   [-3., -5., -5.,  8.],   [-1., -8.,  0., -8.]]]]> : tensor<1x1x4x4xf32>
  %r87 = nn.max_pool %c86 {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, ceil_mode = true} : (tensor<1x1x4x4xf32>) -> tensor<1x1x2x2xf32>
  %m248 = bufferization.to_buffer %r87 : tensor<1x1x2x2xf32> to memref<1x1x2x2xf32>
  %f249 = memref.collapse_shape %m248 [[0, 1, 2, 3]] : memref<1x1x2x2xf32> into memref<4xf32>
  %u250 = memref.cast %f249 : memref<4xf32> to memref<*xf32>
  call @printMemrefF32(%u250) : (memref<*xf32>) -> ()
  // max_pool dilations
  %c88 = nn.constant dense<[[[[-7., -2., -1., -5.,  3.],   [ 0., -7.,  6., -7., -3.],   [-6.,  8., -4.,  7.,  9.],   [-5., -9., -9., -6., -2.],   [-6.,  9.,  0.,  7., -9.]]]]> : tensor<1x1x5x5xf32>
  %r89 = nn.max_pool %c88 {kernel_shape = array<i64: 2, 2>, dilations = array<i64: 2, 2>} : (tensor<1x1x5x5xf32>) -> tensor<1x1x3x3xf32>
  %m251 = bufferization.to_buffer %r89 : tensor<1x1x3x3xf32> to memref<1x1x3x3xf32>
  %f252 = memref.collapse_shape %m251 [[0, 1, 2, 3]] : memref<1x1x3x3xf32> into memref<9xf32>
  %u253 = memref.cast %f252 : memref<9xf32> to memref<*xf32>
  call @printMemrefF32(%u253) : (memref<*xf32>) -> ()
  // max_pool 1d same_lower
  %c90 = nn.constant dense<[[[-7., -1., -6., -6., -9., -4.,  5.],  [ 6.,  0., -6., -1.,  2., -7., -2.]]]> : tensor<1x2x7xf32>
  %r91 = nn.max_pool %c90 {kernel_shape = array<i64: 2>, strides = array<i64: 2>, auto_pad = #nn.auto_pad<same_lower>} : (tensor<1x2x7xf32>) -> tensor<1x2x4xf32>
  %m254 = bufferization.to_buffer %r91 : tensor<1x2x4xf32> to memref<1x2x4xf32>
  %f255 = memref.collapse_shape %m254 [[0, 1, 2]] : memref<1x2x4xf32> into memref<8xf32>
  %u256 = memref.cast %f255 : memref<8xf32> to memref<*xf32>
  call @printMemrefF32(%u256) : (memref<*xf32>) -> ()
  // max_pool 3d
  %c92 = nn.constant dense<[[[[[ 6., -2., -1.,  6.],    [ 3., -6.,  2.,  8.],    [-5.,  7.,  2.,  3.],    [-3., -9., -9.,  3.]],   [[ 9.,  2., -3.,  5.],    [ 8., -5., -8.,  9.],    [-9.,  7., -7., -7.],    [-4., -4., -3., -9.]],   [[ 7.,  6.,  3.,  8.],    [ 8.,  9., -2.,  2.],    [ 5.,  3.,  6.,  3.],    [-2.,  1., -6.,  9.]]]]]> : tensor<1x1x3x4x4xf32>
  %r93 = nn.max_pool %c92 {kernel_shape = array<i64: 2, 2, 2>, strides = array<i64: 1, 2, 2>, pads = array<i64: 0, 1, 0, 1, 0, 1>} : (tensor<1x1x3x4x4xf32>) -> tensor<1x1x3x2x2xf32>
  %m257 = bufferization.to_buffer %r93 : tensor<1x1x3x2x2xf32> to memref<1x1x3x2x2xf32>
  %f258 = memref.collapse_shape %m257 [[0, 1, 2, 3, 4]] : memref<1x1x3x2x2xf32> into memref<12xf32>
  %u259 = memref.cast %f258 : memref<12xf32> to memref<*xf32>
  call @printMemrefF32(%u259) : (memref<*xf32>) -> ()
  // avg_pool pads exclude
  %c94 = nn.constant dense<[[[[8., 6., 7., 3., 3.],   [5., 2., 0., 3., 7.],   [2., 6., 5., 4., 7.],   [8., 9., 7., 0., 3.],   [5., 0., 4., 1., 5.]]]]> : tensor<1x1x5x5xf32>
  %r95 = nn.avg_pool %c94 {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x1x5x5xf32>) -> tensor<1x1x3x3xf32>
  %m260 = bufferization.to_buffer %r95 : tensor<1x1x3x3xf32> to memref<1x1x3x3xf32>
  %f261 = memref.collapse_shape %m260 [[0, 1, 2, 3]] : memref<1x1x3x3xf32> into memref<9xf32>
  %u262 = memref.cast %f261 : memref<9xf32> to memref<*xf32>
  call @printMemrefF32(%u262) : (memref<*xf32>) -> ()
  // avg_pool pads include
  %c96 = nn.constant dense<[[[[1., 2., 3., 9., 4.],   [5., 9., 0., 2., 4.],   [8., 7., 6., 3., 8.],   [1., 4., 3., 0., 0.],   [7., 9., 2., 0., 1.]]]]> : tensor<1x1x5x5xf32>
  %r97 = nn.avg_pool %c96 {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, count_include_pad = true} : (tensor<1x1x5x5xf32>) -> tensor<1x1x3x3xf32>
  %m263 = bufferization.to_buffer %r97 : tensor<1x1x3x3xf32> to memref<1x1x3x3xf32>
  %f264 = memref.collapse_shape %m263 [[0, 1, 2, 3]] : memref<1x1x3x3xf32> into memref<9xf32>
  %u265 = memref.cast %f264 : memref<9xf32> to memref<*xf32>
  call @printMemrefF32(%u265) : (memref<*xf32>) -> ()
  // avg_pool ceil
  %c98 = nn.constant dense<[[[[0., 7., 0., 6.],   [7., 2., 2., 2.],   [7., 9., 7., 2.],   [7., 7., 4., 1.]]]]> : tensor<1x1x4x4xf32>
  %r99 = nn.avg_pool %c98 {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, ceil_mode = true} : (tensor<1x1x4x4xf32>) -> tensor<1x1x2x2xf32>
  %m266 = bufferization.to_buffer %r99 : tensor<1x1x2x2xf32> to memref<1x1x2x2xf32>
  %f267 = memref.collapse_shape %m266 [[0, 1, 2, 3]] : memref<1x1x2x2xf32> into memref<4xf32>
  %u268 = memref.cast %f267 : memref<4xf32> to memref<*xf32>
  call @printMemrefF32(%u268) : (memref<*xf32>) -> ()
  // avg_pool ceil include pad
  %c100 = nn.constant dense<[[[[3., 8., 5., 1.],   [9., 5., 3., 0.],   [5., 5., 1., 8.],   [5., 0., 1., 2.]]]]> : tensor<1x1x4x4xf32>
  %r101 = nn.avg_pool %c100 {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, ceil_mode = true, count_include_pad = true} : (tensor<1x1x4x4xf32>) -> tensor<1x1x3x3xf32>
  %m269 = bufferization.to_buffer %r101 : tensor<1x1x3x3xf32> to memref<1x1x3x3xf32>
  %f270 = memref.collapse_shape %m269 [[0, 1, 2, 3]] : memref<1x1x3x3xf32> into memref<9xf32>
  %u271 = memref.cast %f270 : memref<9xf32> to memref<*xf32>
  call @printMemrefF32(%u271) : (memref<*xf32>) -> ()
  // avg_pool same_upper
  %c102 = nn.constant dense<[[[[7., 7., 8., 6., 9.],   [3., 5., 6., 3., 4.],   [7., 8., 9., 2., 7.],   [7., 9., 6., 2., 7.],   [1., 3., 4., 7., 1.]]]]> : tensor<1x1x5x5xf32>
  %r103 = nn.avg_pool %c102 {kernel_shape = array<i64: 2, 2>, auto_pad = #nn.auto_pad<same_upper>} : (tensor<1x1x5x5xf32>) -> tensor<1x1x5x5xf32>
  %m272 = bufferization.to_buffer %r103 : tensor<1x1x5x5xf32> to memref<1x1x5x5xf32>
  %f273 = memref.collapse_shape %m272 [[0, 1, 2, 3]] : memref<1x1x5x5xf32> into memref<25xf32>
  %u274 = memref.cast %f273 : memref<25xf32> to memref<*xf32>
  call @printMemrefF32(%u274) : (memref<*xf32>) -> ()
  // avg_pool 3d pads
  %c104 = nn.constant dense<[[[[[6., 1., 3., 1.],    [0., 3., 9., 5.],    [7., 2., 2., 9.],    [7., 4., 2., 8.]],   [[4., 0., 8., 4.],    [4., 3., 2., 6.],    [3., 5., 0., 8.],    [2., 6., 2., 1.]],   [[1., 7., 0., 7.],    [4., 4., 2., 3.],    [7., 8., 9., 6.],    [2., 0., 5., 5.]]]]]> : tensor<1x1x3x4x4xf32>
  %r105 = nn.avg_pool %c104 {kernel_shape = array<i64: 2, 2, 2>, strides = array<i64: 1, 2, 2>, pads = array<i64: 1, 1, 0, 0, 1, 1>} : (tensor<1x1x3x4x4xf32>) -> tensor<1x1x3x3x2xf32>
  %m275 = bufferization.to_buffer %r105 : tensor<1x1x3x3x2xf32> to memref<1x1x3x3x2xf32>
  %f276 = memref.collapse_shape %m275 [[0, 1, 2, 3, 4]] : memref<1x1x3x3x2xf32> into memref<18xf32>
  %u277 = memref.cast %f276 : memref<18xf32> to memref<*xf32>
  call @printMemrefF32(%u277) : (memref<*xf32>) -> ()
  // avg_pool 1d pads
  %c106 = nn.constant dense<[[[5., 5., 0., 3., 1., 8., 8.]]]> : tensor<1x1x7xf32>
  %r107 = nn.avg_pool %c106 {kernel_shape = array<i64: 3>, strides = array<i64: 2>, pads = array<i64: 1, 1>} : (tensor<1x1x7xf32>) -> tensor<1x1x4xf32>
  %m278 = bufferization.to_buffer %r107 : tensor<1x1x4xf32> to memref<1x1x4xf32>
  %f279 = memref.collapse_shape %m278 [[0, 1, 2]] : memref<1x1x4xf32> into memref<4xf32>
  %u280 = memref.cast %f279 : memref<4xf32> to memref<*xf32>
  call @printMemrefF32(%u280) : (memref<*xf32>) -> ()
  // lp_pool p2
  %c108 = nn.constant dense<[[[[ 2.,  0.,  2.,  2.],   [-1., -3.,  2.,  1.],   [ 0.,  3.,  3.,  3.],   [-3., -3.,  0.,  0.]],  [[-2., -1.,  0.,  2.],   [ 2., -3., -1., -2.],   [-1.,  2.,  0.,  0.],   [ 3.,  0.,  2.,  3.]]]]> : tensor<1x2x4x4xf32>
  %r109 = nn.lp_pool %c108 {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, p = 2 : i64} : (tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xf32>
  %m281 = bufferization.to_buffer %r109 : tensor<1x2x2x2xf32> to memref<1x2x2x2xf32>
  %f282 = memref.collapse_shape %m281 [[0, 1, 2, 3]] : memref<1x2x2x2xf32> into memref<8xf32>
  %u283 = memref.cast %f282 : memref<8xf32> to memref<*xf32>
  call @printMemrefF32(%u283) : (memref<*xf32>) -> ()
  // lp_pool p1 pads
  %c110 = nn.constant dense<[[[[ 3., -1., -1., -3.,  2.],   [-1., -3., -2., -2., -3.],   [-3.,  0., -2.,  3.,  1.],   [ 1.,  0.,  1.,  2., -1.],   [ 1.,  0.,  1.,  2.,  2.]]]]> : tensor<1x1x5x5xf32>
  %r111 = nn.lp_pool %c110 {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, p = 1 : i64} : (tensor<1x1x5x5xf32>) -> tensor<1x1x3x3xf32>
  %m284 = bufferization.to_buffer %r111 : tensor<1x1x3x3xf32> to memref<1x1x3x3xf32>
  %f285 = memref.collapse_shape %m284 [[0, 1, 2, 3]] : memref<1x1x3x3xf32> into memref<9xf32>
  %u286 = memref.cast %f285 : memref<9xf32> to memref<*xf32>
  call @printMemrefF32(%u286) : (memref<*xf32>) -> ()
  // global_avg_pool
  %c112 = nn.constant dense<[[[[ 1., -3.],   [ 2.,  3.],   [ 0.,  0.]],  [[-2.,  0.],   [ 1.,  2.],   [ 0., -2.]],  [[-2.,  0.],   [ 1.,  3.],   [ 2.,  1.]]], [[[-3.,  2.],   [ 0.,  2.],   [ 2., -1.]],  [[-1., -1.],   [-2.,  2.],   [-1.,  1.]],  [[ 0., -1.],   [ 1., -2.],   [ 0., -2.]]]]> : tensor<2x3x3x2xf32>
  %r113 = nn.global_avg_pool %c112 : (tensor<2x3x3x2xf32>) -> tensor<2x3x1x1xf32>
  %m287 = bufferization.to_buffer %r113 : tensor<2x3x1x1xf32> to memref<2x3x1x1xf32>
  %f288 = memref.collapse_shape %m287 [[0, 1, 2, 3]] : memref<2x3x1x1xf32> into memref<6xf32>
  %u289 = memref.cast %f288 : memref<6xf32> to memref<*xf32>
  call @printMemrefF32(%u289) : (memref<*xf32>) -> ()
  // global_max_pool
  %c114 = nn.constant dense<[[[-3.,  2.,  2.,  1.],  [ 3.,  1., -3., -1.],  [-2.,  2., -2.,  1.]], [[ 2., -2.,  3.,  1.],  [-3.,  0., -1.,  1.],  [-2.,  0.,  0.,  0.]]]> : tensor<2x3x4xf32>
  %r115 = nn.global_max_pool %c114 : (tensor<2x3x4xf32>) -> tensor<2x3x1xf32>
  %m290 = bufferization.to_buffer %r115 : tensor<2x3x1xf32> to memref<2x3x1xf32>
  %f291 = memref.collapse_shape %m290 [[0, 1, 2]] : memref<2x3x1xf32> into memref<6xf32>
  %u292 = memref.cast %f291 : memref<6xf32> to memref<*xf32>
  call @printMemrefF32(%u292) : (memref<*xf32>) -> ()
  // matmul broadcast batch (dynamic shapes)
  %c116 = nn.constant dense<[[[[ 3.,  3., -3.],   [ 2., -2., -2.]]], [[[ 0.,  3.,  0.],   [ 1.,  2.,  0.]]]]> : tensor<2x1x2x3xf32>
  %c117 = nn.constant dense<[[[ 0.,  1.],  [-3.,  3.],  [-1.,  1.]], [[ 3.,  2.],  [ 2.,  2.],  [-3.,  0.]], [[ 2., -2.],  [-1.,  3.],  [ 2., -2.]]]> : tensor<3x3x2xf32>
  %d118 = tensor.cast %c116 : tensor<2x1x2x3xf32> to tensor<?x?x2x3xf32>
  %d119 = tensor.cast %c117 : tensor<3x3x2xf32> to tensor<?x3x2xf32>
  %dr120 = call @dyn0(%d118, %d119) : (tensor<?x?x2x3xf32>, tensor<?x3x2xf32>) -> tensor<?x?x2x2xf32>
  %r121 = tensor.cast %dr120 : tensor<?x?x2x2xf32> to tensor<2x3x2x2xf32>
  %m293 = bufferization.to_buffer %r121 : tensor<2x3x2x2xf32> to memref<2x3x2x2xf32>
  %f294 = memref.collapse_shape %m293 [[0, 1, 2, 3]] : memref<2x3x2x2xf32> into memref<24xf32>
  %u295 = memref.cast %f294 : memref<24xf32> to memref<*xf32>
  call @printMemrefF32(%u295) : (memref<*xf32>) -> ()
  // einsum ellipsis broadcast (dynamic shapes)
  %c122 = nn.constant dense<[[[-3.,  0.,  3.],  [ 0., -2.,  0.]]]> : tensor<1x2x3xf32>
  %c123 = nn.constant dense<[[[ 0.,  1.],  [ 1., -2.],  [ 0.,  0.]], [[-2.,  0.],  [-3., -2.],  [-2.,  3.]]]> : tensor<2x3x2xf32>
  %d124 = tensor.cast %c122 : tensor<1x2x3xf32> to tensor<?x2x3xf32>
  %d125 = tensor.cast %c123 : tensor<2x3x2xf32> to tensor<?x3x2xf32>
  %dr126 = call @dyn1(%d124, %d125) : (tensor<?x2x3xf32>, tensor<?x3x2xf32>) -> tensor<?x2x2xf32>
  %r127 = tensor.cast %dr126 : tensor<?x2x2xf32> to tensor<2x2x2xf32>
  %m296 = bufferization.to_buffer %r127 : tensor<2x2x2xf32> to memref<2x2x2xf32>
  %f297 = memref.collapse_shape %m296 [[0, 1, 2]] : memref<2x2x2xf32> into memref<8xf32>
  %u298 = memref.cast %f297 : memref<8xf32> to memref<*xf32>
  call @printMemrefF32(%u298) : (memref<*xf32>) -> ()
  // conv same_upper (dynamic shapes)
  %c128 = nn.constant dense<[[[[-3.,  3., -2.,  3., -3.],   [ 1.,  0., -2., -1., -1.],   [ 1.,  2., -2., -1., -3.],   [-2., -1.,  2.,  2.,  2.],   [-2., -2., -1., -1.,  2.]],  [[ 3., -1., -2.,  3.,  0.],   [ 3., -1., -1., -3.,  2.],   [ 0., -2.,  0., -3.,  3.],   [ 0., -1.,  1.,  2.,  3.],   [ 1., -2., -1.,  1.,  2.]]]]> : tensor<1x2x5x5xf32>
  %c129 = nn.constant dense<[[[[ 0.,  2., -3.],   [-1.,  3., -2.],   [ 1., -2., -3.]],  [[-2.,  3.,  3.],   [-3.,  1., -3.],   [ 2., -1., -3.]]], [[[ 3.,  3., -3.],   [-1.,  3., -1.],   [ 1.,  3., -3.]],  [[ 0.,  0.,  3.],   [ 0.,  2.,  0.],   [ 0.,  2.,  2.]]], [[[ 1.,  1.,  3.],   [ 1., -2.,  3.],   [ 2., -1., -1.]],  [[ 1.,  2.,  1.],   [ 3., -3.,  3.],   [ 0., -2., -2.]]]]> : tensor<3x2x3x3xf32>
  %c130 = nn.constant dense<[ 0., -1.,  3.]> : tensor<3xf32>
  %d131 = tensor.cast %c128 : tensor<1x2x5x5xf32> to tensor<?x2x?x?xf32>
  %d132 = tensor.cast %c129 : tensor<3x2x3x3xf32> to tensor<3x2x3x3xf32>
  %d133 = tensor.cast %c130 : tensor<3xf32> to tensor<3xf32>
  %dr134 = call @dyn2(%d131, %d132, %d133) : (tensor<?x2x?x?xf32>, tensor<3x2x3x3xf32>, tensor<3xf32>) -> tensor<?x3x?x?xf32>
  %r135 = tensor.cast %dr134 : tensor<?x3x?x?xf32> to tensor<1x3x3x3xf32>
  %m299 = bufferization.to_buffer %r135 : tensor<1x3x3x3xf32> to memref<1x3x3x3xf32>
  %f300 = memref.collapse_shape %m299 [[0, 1, 2, 3]] : memref<1x3x3x3xf32> into memref<27xf32>
  %u301 = memref.cast %f300 : memref<27xf32> to memref<*xf32>
  call @printMemrefF32(%u301) : (memref<*xf32>) -> ()
  // conv grouped all dynamic (dynamic shapes)
  %c136 = nn.constant dense<[[[[ 0.,  3.,  1., -1.],   [-1.,  3.,  1., -1.],   [ 2., -1., -2.,  2.],   [-3.,  0., -1.,  0.]],  [[-2., -1., -3.,  0.],   [ 2., -3., -2., -3.],   [ 2.,  2., -3.,  0.],   [ 0.,  1., -1.,  2.]],  [[ 0., -2.,  0., -2.],   [ 0., -2.,  0., -1.],   [ 0.,  2.,  1., -1.],   [ 0., -1., -1.,  1.]],  [[ 2., -2., -2., -3.],   [ 3.,  1., -2.,  2.],   [-1., -1.,  0.,  1.],   [ 1., -3.,  2., -1.]]]]> : tensor<1x4x4x4xf32>
  %c137 = nn.constant dense<[[[[ 3.,  1.],   [ 3., -2.]],  [[ 1., -1.],   [ 3.,  1.]]], [[[ 2.,  1.],   [ 2., -2.]],  [[-2.,  1.],   [-2., -3.]]], [[[ 0.,  3.],   [-1., -2.]],  [[ 2., -2.],   [ 2., -2.]]], [[[-2.,  3.],   [ 1., -1.]],  [[ 0.,  1.],   [-3.,  3.]]]]> : tensor<4x2x2x2xf32>
  %d138 = tensor.cast %c136 : tensor<1x4x4x4xf32> to tensor<?x?x?x?xf32>
  %d139 = tensor.cast %c137 : tensor<4x2x2x2xf32> to tensor<?x?x?x?xf32>
  %dr140 = call @dyn3(%d138, %d139) : (tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>) -> tensor<?x?x?x?xf32>
  %r141 = tensor.cast %dr140 : tensor<?x?x?x?xf32> to tensor<1x4x4x4xf32>
  %m302 = bufferization.to_buffer %r141 : tensor<1x4x4x4xf32> to memref<1x4x4x4xf32>
  %f303 = memref.collapse_shape %m302 [[0, 1, 2, 3]] : memref<1x4x4x4xf32> into memref<64xf32>
  %u304 = memref.cast %f303 : memref<64xf32> to memref<*xf32>
  call @printMemrefF32(%u304) : (memref<*xf32>) -> ()
  // conv_transpose (dynamic shapes)
  %c142 = nn.constant dense<[[[[ 0.,  3.,  2.],   [-3.,  2.,  0.],   [ 3.,  1., -2.]],  [[ 1., -1., -1.],   [ 1., -1.,  3.],   [-3., -1., -3.]]]]> : tensor<1x2x3x3xf32>
  %c143 = nn.constant dense<[[[[ 2.,  0., -2.],   [-3.,  2., -2.],   [ 2., -1.,  0.]],  [[-3.,  0., -3.],   [-2.,  3.,  3.],   [ 0.,  3., -2.]]], [[[ 1.,  1.,  3.],   [-3.,  1., -2.],   [-1.,  3.,  1.]],  [[ 3., -2.,  1.],   [ 3., -3.,  3.],   [-1., -1., -3.]]]]> : tensor<2x2x3x3xf32>
  %d144 = tensor.cast %c142 : tensor<1x2x3x3xf32> to tensor<?x2x?x?xf32>
  %d145 = tensor.cast %c143 : tensor<2x2x3x3xf32> to tensor<2x2x3x3xf32>
  %dr146 = call @dyn4(%d144, %d145) : (tensor<?x2x?x?xf32>, tensor<2x2x3x3xf32>) -> tensor<?x2x?x?xf32>
  %r147 = tensor.cast %dr146 : tensor<?x2x?x?xf32> to tensor<1x2x7x7xf32>
  %m305 = bufferization.to_buffer %r147 : tensor<1x2x7x7xf32> to memref<1x2x7x7xf32>
  %f306 = memref.collapse_shape %m305 [[0, 1, 2, 3]] : memref<1x2x7x7xf32> into memref<98xf32>
  %u307 = memref.cast %f306 : memref<98xf32> to memref<*xf32>
  call @printMemrefF32(%u307) : (memref<*xf32>) -> ()
  // max_pool ceil (dynamic shapes)
  %c148 = nn.constant dense<[[[[ 6., -5.,  9., -9., -7.],   [-7.,  3.,  3., -6., -8.],   [-5., -7.,  4.,  8., -1.],   [-3.,  0., -3., -6., -8.]]]]> : tensor<1x1x4x5xf32>
  %d149 = tensor.cast %c148 : tensor<1x1x4x5xf32> to tensor<?x?x?x?xf32>
  %dr150 = call @dyn5(%d149) : (tensor<?x?x?x?xf32>) -> tensor<?x?x?x?xf32>
  %r151 = tensor.cast %dr150 : tensor<?x?x?x?xf32> to tensor<1x1x2x2xf32>
  %m308 = bufferization.to_buffer %r151 : tensor<1x1x2x2xf32> to memref<1x1x2x2xf32>
  %f309 = memref.collapse_shape %m308 [[0, 1, 2, 3]] : memref<1x1x2x2xf32> into memref<4xf32>
  %u310 = memref.cast %f309 : memref<4xf32> to memref<*xf32>
  call @printMemrefF32(%u310) : (memref<*xf32>) -> ()
  // avg_pool pads ceil (dynamic shapes)
  %c152 = nn.constant dense<[[[[6., 7., 5., 6.],   [1., 5., 6., 6.],   [0., 1., 9., 2.],   [2., 5., 7., 9.],   [7., 8., 9., 6.]]]]> : tensor<1x1x5x4xf32>
  %d153 = tensor.cast %c152 : tensor<1x1x5x4xf32> to tensor<1x1x?x?xf32>
  %dr154 = call @dyn6(%d153) : (tensor<1x1x?x?xf32>) -> tensor<1x1x?x?xf32>
  %r155 = tensor.cast %dr154 : tensor<1x1x?x?xf32> to tensor<1x1x3x3xf32>
  %m311 = bufferization.to_buffer %r155 : tensor<1x1x3x3xf32> to memref<1x1x3x3xf32>
  %f312 = memref.collapse_shape %m311 [[0, 1, 2, 3]] : memref<1x1x3x3xf32> into memref<9xf32>
  %u313 = memref.cast %f312 : memref<9xf32> to memref<*xf32>
  call @printMemrefF32(%u313) : (memref<*xf32>) -> ()
  // avg_pool same_lower (dynamic shapes)
  %c156 = nn.constant dense<[[[[6., 5., 2., 0., 1.],   [8., 3., 0., 1., 1.],   [3., 6., 8., 8., 9.],   [7., 2., 4., 6., 1.],   [6., 0., 2., 8., 3.]]]]> : tensor<1x1x5x5xf32>
  %d157 = tensor.cast %c156 : tensor<1x1x5x5xf32> to tensor<1x1x?x?xf32>
  %dr158 = call @dyn7(%d157) : (tensor<1x1x?x?xf32>) -> tensor<1x1x?x?xf32>
  %r159 = tensor.cast %dr158 : tensor<1x1x?x?xf32> to tensor<1x1x5x5xf32>
  %m314 = bufferization.to_buffer %r159 : tensor<1x1x5x5xf32> to memref<1x1x5x5xf32>
  %f315 = memref.collapse_shape %m314 [[0, 1, 2, 3]] : memref<1x1x5x5xf32> into memref<25xf32>
  %u316 = memref.cast %f315 : memref<25xf32> to memref<*xf32>
  call @printMemrefF32(%u316) : (memref<*xf32>) -> ()
  // global_avg_pool (dynamic shapes)
  %c160 = nn.constant dense<[[[[ 3.,  2.],   [-2.,  3.],   [ 3.,  3.]],  [[-1.,  3.],   [-1., -1.],   [ 0., -1.]],  [[-3.,  2.],   [ 0.,  2.],   [-2., -2.]]], [[[ 1.,  1.],   [ 0.,  1.],   [ 3.,  3.]],  [[ 3.,  3.],   [-1.,  2.],   [-2.,  3.]],  [[ 3.,  0.],   [ 0., -3.],   [-3., -2.]]]]> : tensor<2x3x3x2xf32>
  %d161 = tensor.cast %c160 : tensor<2x3x3x2xf32> to tensor<?x3x?x?xf32>
  %dr162 = call @dyn8(%d161) : (tensor<?x3x?x?xf32>) -> tensor<?x3x1x1xf32>
  %r163 = tensor.cast %dr162 : tensor<?x3x1x1xf32> to tensor<2x3x1x1xf32>
  %m317 = bufferization.to_buffer %r163 : tensor<2x3x1x1xf32> to memref<2x3x1x1xf32>
  %f318 = memref.collapse_shape %m317 [[0, 1, 2, 3]] : memref<2x3x1x1xf32> into memref<6xf32>
  %u319 = memref.cast %f318 : memref<6xf32> to memref<*xf32>
  call @printMemrefF32(%u319) : (memref<*xf32>) -> ()
  // matmul, two dynamic leading dims times a matrix (2x2x3)
  %c401 = nn.constant dense<[[[-2., 3., -3.], [-2., 3., -1.]], [[-1., -3., 3.], [1., -3., 1.]]]> : tensor<2x2x3xf32>
  %d402 = tensor.cast %c401 : tensor<2x2x3xf32> to tensor<?x?x3xf32>
  %c403 = nn.constant dense<[[1., -2.], [3., 0.], [0., 1.]]> : tensor<3x2xf32>
  %dr405 = call @dyn9(%d402, %c403) : (tensor<?x?x3xf32>, tensor<3x2xf32>) -> tensor<?x?x2xf32>
  %r406 = tensor.cast %dr405 : tensor<?x?x2xf32> to tensor<2x2x2xf32>
  %m407 = bufferization.to_buffer %r406 : tensor<2x2x2xf32> to memref<2x2x2xf32>
  %f408 = memref.collapse_shape %m407 [[0, 1, 2]] : memref<2x2x2xf32> into memref<8xf32>
  %u409 = memref.cast %f408 : memref<8xf32> to memref<*xf32>
  call @printMemrefF32(%u409) : (memref<*xf32>) -> ()
  // matmul, two dynamic leading dims times a matrix (1x3x3)
  %c410 = nn.constant dense<[[[-3., 0., -1.], [3., 0., 1.], [1., 2., -3.]]]> : tensor<1x3x3xf32>
  %d411 = tensor.cast %c410 : tensor<1x3x3xf32> to tensor<?x?x3xf32>
  %c412 = nn.constant dense<[[1., -2.], [3., 0.], [0., 1.]]> : tensor<3x2xf32>
  %dr414 = call @dyn9(%d411, %c412) : (tensor<?x?x3xf32>, tensor<3x2xf32>) -> tensor<?x?x2xf32>
  %r415 = tensor.cast %dr414 : tensor<?x?x2xf32> to tensor<1x3x2xf32>
  %m416 = bufferization.to_buffer %r415 : tensor<1x3x2xf32> to memref<1x3x2xf32>
  %f417 = memref.collapse_shape %m416 [[0, 1, 2]] : memref<1x3x2xf32> into memref<6xf32>
  %u418 = memref.cast %f417 : memref<6xf32> to memref<*xf32>
  call @printMemrefF32(%u418) : (memref<*xf32>) -> ()
  // matmul, dynamic batch and rows times a vector (2x2x3x3)
  %c419 = nn.constant dense<[[[[0., 2., -3.], [-1., -3., -2.], [3., 3., 1.]], [[3., -2., 0.], [0., -3., 0.], [-3., -2., -3.]]], [[[-3., 3., 2.], [1., 1., 1.], [-1., -2., 0.]], [[-3., 2., 1.], [-3., 2., 1.], [0., -2., 0.]]]]> : tensor<2x2x3x3xf32>
  %d420 = tensor.cast %c419 : tensor<2x2x3x3xf32> to tensor<?x2x?x3xf32>
  %c421 = nn.constant dense<[-3., 2., -3.]> : tensor<3xf32>
  %dr423 = call @dyn10(%d420, %c421) : (tensor<?x2x?x3xf32>, tensor<3xf32>) -> tensor<?x2x?xf32>
  %r424 = tensor.cast %dr423 : tensor<?x2x?xf32> to tensor<2x2x3xf32>
  %m425 = bufferization.to_buffer %r424 : tensor<2x2x3xf32> to memref<2x2x3xf32>
  %f426 = memref.collapse_shape %m425 [[0, 1, 2]] : memref<2x2x3xf32> into memref<12xf32>
  %u427 = memref.cast %f426 : memref<12xf32> to memref<*xf32>
  call @printMemrefF32(%u427) : (memref<*xf32>) -> ()
  // matmul, dynamic batch and rows times a vector (1x2x1x3)
  %c428 = nn.constant dense<[[[[0., 0., -2.]], [[0., 0., 1.]]]]> : tensor<1x2x1x3xf32>
  %d429 = tensor.cast %c428 : tensor<1x2x1x3xf32> to tensor<?x2x?x3xf32>
  %c430 = nn.constant dense<[-3., 2., -3.]> : tensor<3xf32>
  %dr432 = call @dyn10(%d429, %c430) : (tensor<?x2x?x3xf32>, tensor<3xf32>) -> tensor<?x2x?xf32>
  %r433 = tensor.cast %dr432 : tensor<?x2x?xf32> to tensor<1x2x1xf32>
  %m434 = bufferization.to_buffer %r433 : tensor<1x2x1xf32> to memref<1x2x1xf32>
  %f435 = memref.collapse_shape %m434 [[0, 1, 2]] : memref<1x2x1xf32> into memref<2xf32>
  %u436 = memref.cast %f435 : memref<2xf32> to memref<*xf32>
  call @printMemrefF32(%u436) : (memref<*xf32>) -> ()
  return
}

func.func @dyn0(%a0: tensor<?x?x2x3xf32>, %a1: tensor<?x3x2xf32>) -> tensor<?x?x2x2xf32> {
  %0 = nn.matmul %a0, %a1 : (tensor<?x?x2x3xf32>, tensor<?x3x2xf32>) -> tensor<?x?x2x2xf32>
  return %0 : tensor<?x?x2x2xf32>
}
func.func @dyn1(%a0: tensor<?x2x3xf32>, %a1: tensor<?x3x2xf32>) -> tensor<?x2x2xf32> {
  %0 = nn.einsum "...ij,...jk->...ik" %a0, %a1 : (tensor<?x2x3xf32>, tensor<?x3x2xf32>) -> tensor<?x2x2xf32>
  return %0 : tensor<?x2x2xf32>
}
func.func @dyn2(%a0: tensor<?x2x?x?xf32>, %a1: tensor<3x2x3x3xf32>, %a2: tensor<3xf32>) -> tensor<?x3x?x?xf32> {
  %0 = nn.conv %a0, %a1, %a2 {strides = array<i64: 2, 2>, auto_pad = #nn.auto_pad<same_upper>} : (tensor<?x2x?x?xf32>, tensor<3x2x3x3xf32>, tensor<3xf32>) -> tensor<?x3x?x?xf32>
  return %0 : tensor<?x3x?x?xf32>
}
func.func @dyn3(%a0: tensor<?x?x?x?xf32>, %a1: tensor<?x?x?x?xf32>) -> tensor<?x?x?x?xf32> {
  %0 = nn.conv %a0, %a1 {group = 2 : i64, pads = array<i64: 1, 0, 0, 1>} : (tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>) -> tensor<?x?x?x?xf32>
  return %0 : tensor<?x?x?x?xf32>
}
func.func @dyn4(%a0: tensor<?x2x?x?xf32>, %a1: tensor<2x2x3x3xf32>) -> tensor<?x2x?x?xf32> {
  %0 = nn.conv_transpose %a0, %a1 {strides = array<i64: 2, 2>, pads = array<i64: 1, 0, 0, 1>, output_padding = array<i64: 1, 1>} : (tensor<?x2x?x?xf32>, tensor<2x2x3x3xf32>) -> tensor<?x2x?x?xf32>
  return %0 : tensor<?x2x?x?xf32>
}
func.func @dyn5(%a0: tensor<?x?x?x?xf32>) -> tensor<?x?x?x?xf32> {
  %0 = nn.max_pool %a0 {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, ceil_mode = true} : (tensor<?x?x?x?xf32>) -> tensor<?x?x?x?xf32>
  return %0 : tensor<?x?x?x?xf32>
}
func.func @dyn6(%a0: tensor<1x1x?x?xf32>) -> tensor<1x1x?x?xf32> {
  %0 = nn.avg_pool %a0 {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, ceil_mode = true} : (tensor<1x1x?x?xf32>) -> tensor<1x1x?x?xf32>
  return %0 : tensor<1x1x?x?xf32>
}
func.func @dyn7(%a0: tensor<1x1x?x?xf32>) -> tensor<1x1x?x?xf32> {
  %0 = nn.avg_pool %a0 {kernel_shape = array<i64: 2, 2>, auto_pad = #nn.auto_pad<same_lower>} : (tensor<1x1x?x?xf32>) -> tensor<1x1x?x?xf32>
  return %0 : tensor<1x1x?x?xf32>
}
func.func @dyn8(%a0: tensor<?x3x?x?xf32>) -> tensor<?x3x1x1xf32> {
  %0 = nn.global_avg_pool %a0 : (tensor<?x3x?x?xf32>) -> tensor<?x3x1x1xf32>
  return %0 : tensor<?x3x1x1xf32>
}
func.func @dyn9(%a0: tensor<?x?x3xf32>, %a1: tensor<3x2xf32>) -> tensor<?x?x2xf32> {
  %0 = nn.matmul %a0, %a1 : (tensor<?x?x3xf32>, tensor<3x2xf32>) -> tensor<?x?x2xf32>
  return %0 : tensor<?x?x2xf32>
}
func.func @dyn10(%a0: tensor<?x2x?x3xf32>, %a1: tensor<3xf32>) -> tensor<?x2x?xf32> {
  %0 = nn.matmul %a0, %a1 : (tensor<?x2x?x3xf32>, tensor<3xf32>) -> tensor<?x2x?xf32>
  return %0 : tensor<?x2x?xf32>
}

// CHECK: sizes = [8]
// CHECK-NEXT: {{\[}}4, -1, -9, -4, 4, 1, -12, -2]
// CHECK: sizes = [8]
// CHECK-NEXT: {{\[}}1, 4, -5, -7, 8, 0, 0, 0]
// CHECK: sizes = [8]
// CHECK-NEXT: {{\[}}8, 2, 12, 0, -6, -3, -6, -9]
// CHECK: sizes = [24]
// CHECK-NEXT: {{\[}}9, -5, -3, -2, 6, -7, 2, -1, 8, -4, 1, -2, 3, 6, 6, 13, -5, 0, -7, -13, -5, 1, -11, -11]
// CHECK: sizes = [2]
// CHECK-NEXT: {{\[}}2, -2]
// CHECK: sizes = [4]
// CHECK-NEXT: {{\[}}7, -7, -7, 1]
// CHECK: sizes = [4]
// CHECK-NEXT: {{\[}}0, -6, -1, 1]
// CHECK: sizes = [8]
// CHECK-NEXT: {{\[}}6, -4, -6, 2, 6.5, -5.5, -7, 1.5]
// CHECK: sizes = [8]
// CHECK-NEXT: {{\[}}0, 6, -7, -9, 1, -20, -1, -7]
// CHECK: sizes = [8]
// CHECK-NEXT: {{\[}}1, 5, -15, -4, -15, -3, -3, 10]
// CHECK: sizes = [8]
// CHECK-NEXT: {{\[}}-3, -9, -9, -9, 6, -6, -9, 5]
// CHECK: sizes = [6]
// CHECK-NEXT: {{\[}}2, 0, -3, 1, -1, 2]
// CHECK: sizes = [3]
// CHECK-NEXT: {{\[}}6, -2, 7]
// CHECK: sizes = [12]
// CHECK-NEXT: {{\[}}1, 2, 3, -3, 2, 1, 2, 3, 0, -1, -3, 2]
// CHECK: sizes = [8]
// CHECK-NEXT: {{\[}}-3, -15, 0, -6, 4, -6, 2, -2]
// CHECK: sizes = [8]
// CHECK-NEXT: {{\[}}2, -3, 4, -9, 0, -9, -9, -3]
// CHECK: sizes = [27]
// CHECK-NEXT: {{\[}}-28, -3, -14, 14, 6, -3, -4, -5, 2, 5, 30, 25, -2, -5, -11, 21, 19, -6, 5, -26, -3, -8, -21, -1, -28, 2, -6]
// CHECK: sizes = [48]
// CHECK-NEXT: {{\[}}-15, 16, 7, -11, -11, 12, -8, 10, 4, -13, 5, 14, 4, 4, 1, -18, 3, -11, -2, 1, -13, -2, -4, -17, 10, 19, 34, -11, -8, 17, 1, 25, -5, -18, 0, -5, 9, 20, 3, -13, -8, 3, 19, 12, 3, -19, 9, 24]
// CHECK: sizes = [48]
// CHECK-NEXT: {{\[}}-6, 11, 0, -14, 1, -4, 16, -1, -1, -20, 8, 9, 5, 2, -4, 9, 2, -6, -4, 0, -8, -5, 1, 8, 3, -8, -1, -8, -10, 4, 0, 2, -12, 8, -7, 5, -10, 7, -2, -8, -7, -17, 13, 7, 9, -10, 0, -11]
// CHECK: sizes = [16]
// CHECK-NEXT: {{\[}}-19, 15, 3, -2, 11, -25, -1, -13, -18, -9, -5, 3, 5, -29, -1, 12]
// CHECK: sizes = [8]
// CHECK-NEXT: {{\[}}4, 13, 13, 3, -7, -9, -6, -18]
// CHECK: sizes = [36]
// CHECK-NEXT: {{\[}}-9, 1, -7, 5, -2, -3, -5, 5, -3, -22, -19, 3, -15, 8, -2, 3, -12, -27, 4, 7, 8, 10, 5, 19, 2, 9, -6, -10, -7, -1, 2, 2, 12, -6, 2, 0]
// CHECK: sizes = [16]
// CHECK-NEXT: {{\[}}-16, 15, -40, -7, 14, -22, -18, -23, -7, -6, -13, 34, -10, -12, -3, -9]
// CHECK: sizes = [98]
// CHECK-NEXT: {{\[}}-1, 2, -22, -1, 13, 0, -10, -12, 0, 0, -4, -2, -1, -2, -5, 0, 0, 1, -5, -3, 2, 0, 8, -19, -1, 4, -5, 4, 5, -4, 1, 0, -5, 0, -1, 7, -6, 2, 2, -6, 2, -4, -1, -1, -1, -1, -1, -1, -1, -4, -12, -10, 6, -6, -11, 0, 4, -5, -6, -4, -4, -5, 5, -6, -2, -6, -10, 1, -2, 1, -2, -5, 6, -4, -3, 0, -4, 2, 0, -1, -2, -9, -2, -6, -6, 0, -5, -4, -5, -4, -4, -3, -3, -3, -3, -3, -3, -3]
// CHECK: sizes = [10]
// CHECK-NEXT: {{\[}}-1, 1, -6, -1, 1, 0, -3, 0, 2, 8]
// CHECK: sizes = [160]
// CHECK-NEXT: {{\[}}9, 3, -3, 2, -9, -1, 3, 0, -9, -6, 3, -4, 9, 2, -3, 0, -6, -3, -4, -2, 2, 1, 0, 0, -3, -1, -3, -2, 3, -1, 3, 0, 3, 2, 3, 4, -3, 2, -3, 0, 2, 1, 4, 2, 2, 1, 0, 0, 9, 3, -12, -1, 3, 0, 0, 0, -9, -6, 12, 2, -3, 0, 0, 0, -6, -3, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -9, -6, -6, -4, 3, 2, 0, 9, -3, 0, -2, -7, 1, 2, 0, 6, 0, 10, 0, 2, 0, -2, 0, 0, 3, 2, 6, 4, 3, 2, 0, -3, 1, -4, 2, 1, 1, 2, 0, -2, 0, -6, 0, -6, 0, -2, 0, 0, -9, -6, 3, 2, 0, 0, 0, 9, -3, -9, 1, 2, 0, 0, 0, 6, 0, 4, 0, -2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
// CHECK: sizes = [72]
// CHECK-NEXT: {{\[}}0, 2, 4, 0, 0, -2, 0, 2, 0, 0, 0, -2, -2, -6, -8, -1, 0, 4, 0, -2, 0, -1, 0, 0, 2, 2, 1, 3, 4, -1, 0, -2, 0, 1, 0, -1, 0, 6, 4, 0, 0, -6, -4, -2, -4, 0, 4, 2, 0, -6, 0, -3, -2, 0, 4, 2, 6, 1, 2, 0, 0, -6, -8, 3, 0, -3, 4, 2, 2, -1, 0, 1]
// CHECK: sizes = [18]
// CHECK-NEXT: {{\[}}3, 3, 2, 7, 7, 2, 0, 9, 2, 7, 9, 9, 4, 9, 9, 0, 8, 8]
// CHECK: sizes = [4]
// CHECK-NEXT: {{\[}}5, 8, 0, 8]
// CHECK: sizes = [9]
// CHECK-NEXT: {{\[}}-1, 8, 9, 6, -6, 6, 0, 9, 9]
// CHECK: sizes = [8]
// CHECK-NEXT: {{\[}}-7, -1, -6, 5, 6, 0, 2, -2]
// CHECK: sizes = [12]
// CHECK-NEXT: {{\[}}9, 6, 8, 9, 9, 8, 9, 9, 7, 8, 9, 6]
// CHECK: sizes = [9]
// CHECK-NEXT: {{\[}}5.25, 3.5, 4, 5.33333, 4, 4, 5.5, 3.5, 2.25]
// CHECK: sizes = [9]
// CHECK-NEXT: {{\[}}1.88889, 2.77778, 2.11111, 3.77778, 3.77778, 1.88889, 2.33333, 2, 0.111111]
// CHECK: sizes = [4]
// CHECK-NEXT: {{\[}}4.55556, 3.16667, 6.83333, 3.5]
// CHECK: sizes = [9]
// CHECK-NEXT: {{\[}}2.77778, 2.44444, 0.166667, 3.22222, 2.77778, 1.66667, 0.833333, 0.5, 0.5]
// CHECK: sizes = [25]
// CHECK-NEXT: {{\[}}5.5, 6.5, 5.75, 5.5, 6.5, 5.75, 7, 5, 4, 5.5, 7.75, 8, 4.75, 4.5, 7, 5, 5.5, 4.75, 4.25, 4, 2, 3.5, 5.5, 4, 1]
// CHECK: sizes = [18]
// CHECK-NEXT: {{\[}}3.5, 2, 3, 6.25, 5.5, 5, 2.75, 4, 3.375, 5.125, 4.75, 3.25, 3, 4.75, 4.75, 4.5, 2.5, 3.25]
// CHECK: sizes = [4]
// CHECK-NEXT: {{\[}}5, 2.66667, 4, 8]
// CHECK: sizes = [8]
// CHECK-NEXT: {{\[}}3.74166, 3.60555, 5.19615, 4.24264, 4.24264, 3, 3.74166, 3.60555]
// CHECK: sizes = [9]
// CHECK-NEXT: {{\[}}8, 12, 10, 8, 15, 12, 2, 6, 7]
// CHECK: sizes = [6]
// CHECK-NEXT: {{\[}}0.5, -0.166667, 0.833333, 0.333333, -0.333333, -0.666667]
// CHECK: sizes = [6]
// CHECK-NEXT: {{\[}}2, 3, 2, 3, 1, 0]
// CHECK: sizes = [24]
// CHECK-NEXT: {{\[}}-6, 9, 8, -6, 24, 12, 8, 0, -3, 9, 2, -6, -9, 9, -6, 7, 6, 6, 7, 6, -3, 9, 0, 4]
// CHECK: sizes = [8]
// CHECK-NEXT: {{\[}}0, -3, -2, 4, 0, 9, 6, 4]
// CHECK: sizes = [27]
// CHECK-NEXT: {{\[}}-11, -8, -28, 23, -22, 13, 1, 12, 15, 0, -28, -13, -5, -15, 5, -9, 0, 22, 1, 42, 16, 12, -32, -15, -14, 10, 7]
// CHECK: sizes = [64]
// CHECK-NEXT: {{\[}}-13, 1, -4, -3, -4, 8, -5, -15, 21, 13, -16, 0, -3, 4, -11, 12, 1, 15, 10, -2, 3, 22, 24, 2, -10, 18, 0, 8, -8, -8, -2, 0, 12, 2, 6, -4, 10, 8, -10, -1, -6, 0, -12, 7, 16, -6, 0, -1, -10, -2, -1, 7, -12, -9, 4, -3, -7, 6, 4, -2, -6, 14, -15, 6]
// CHECK: sizes = [98]
// CHECK-NEXT: {{\[}}-3, 1, -8, 5, -7, 3, -2, -6, 4, 20, -7, 0, -2, 8, 6, -5, 1, 3, -11, 3, -6, -4, 3, -8, -6, -16, 6, -2, 0, 3, 0, 1, 15, -7, 10, 9, -12, 0, -4, -2, -7, -3, 0, 0, 0, 0, 0, 0, 0, 3, -3, -6, 12, -1, 9, 3, 11, -3, -1, 12, 0, 1, 2, 9, -12, -13, 9, 12, -9, 9, -19, -4, -14, 9, -11, 3, -6, -15, 18, -5, 6, -5, 3, -15, 3, 12, 4, 4, 4, -3, 13, 0, 0, 0, 0, 0, 0, 0]
// CHECK: sizes = [4]
// CHECK-NEXT: {{\[}}9, 9, 4, 8]
// CHECK: sizes = [9]
// CHECK-NEXT: {{\[}}4.75, 5.83333, 6, 2.33333, 5.55556, 5.66667, 5.5, 7.33333, 7.5]
// CHECK: sizes = [25]
// CHECK-NEXT: {{\[}}6, 5.5, 3.5, 1, 0.5, 7, 5.5, 2.5, 0.75, 0.75, 5.5, 5, 4.25, 4.25, 4.75, 5, 4.5, 5, 6.5, 6, 6.5, 3.75, 2, 5, 4.5]
// CHECK: sizes = [6]
// CHECK-NEXT: {{\[}}2, -0.166667, -0.5, 1.5, 1.33333, -0.833333]
// CHECK: sizes = [8]
// CHECK-NEXT: {{\[}}7, 1, 7, 3, -10, 5, -8, -1]
// CHECK: sizes = [6]
// CHECK-NEXT: {{\[}}-3, 5, 3, -5, 7, -5]
// CHECK: sizes = [12]
// CHECK-NEXT: {{\[}}13, 3, -6, -13, -6, 14, 9, -4, -1, 10, 10, -4]
// CHECK: sizes = [2]
// CHECK-NEXT: {{\[}}6, -3]
