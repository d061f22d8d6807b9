// RUN: ddl-opt %s --ddl-cpu-pipeline | %mlir_runner | FileCheck %s
// Numeric checks of the data movement lowering, run through the whole CPU
// pipeline. Expected values come from numpy (ONNX reference semantics).
// Functions with dynamic argument types give the lowering run-time shapes
// and run-time shape operands. Those functions first take nn.abs of their
// (non-negative) input, so that a view result is not a view of an argument:
// the CPU pipeline does not lower the bufferization.clone that returning
// such a view needs.

func.func private @printMemrefF32(memref<*xf32>)
func.func private @printMemrefI64(memref<*xi64>)
func.func private @printMemrefI32(memref<*xi32>)

func.func @reshape_dyn(%x: tensor<?x4xf32>, %s: tensor<3xi64>) -> tensor<?x?x?xf32> {
  %a0 = nn.abs %x : (tensor<?x4xf32>) -> tensor<?x4xf32>
  %0 = nn.reshape %a0, %s : (tensor<?x4xf32>, tensor<3xi64>) -> tensor<?x?x?xf32>
  return %0 : tensor<?x?x?xf32>
}

func.func @flatten_dyn(%x: tensor<?x3x2xf32>) -> tensor<?x2xf32> {
  %a0 = nn.abs %x : (tensor<?x3x2xf32>) -> tensor<?x3x2xf32>
  %0 = nn.flatten %a0 {axis = 2 : i64} : (tensor<?x3x2xf32>) -> tensor<?x2xf32>
  return %0 : tensor<?x2xf32>
}
func.func @flatten0_dyn(%x: tensor<?x3xf32>) -> tensor<1x?xf32> {
  %a0 = nn.abs %x : (tensor<?x3xf32>) -> tensor<?x3xf32>
  %0 = nn.flatten %a0 {axis = 0 : i64} : (tensor<?x3xf32>) -> tensor<1x?xf32>
  return %0 : tensor<1x?xf32>
}

func.func @transpose_dyn(%x: tensor<?x3xf32>) -> tensor<3x?xf32> {
  %0 = nn.transpose %x : (tensor<?x3xf32>) -> tensor<3x?xf32>
  return %0 : tensor<3x?xf32>
}

func.func @slice_rt(%x: tensor<?x5xf32>, %s: tensor<2xi64>, %e: tensor<2xi64>, %a: tensor<2xi64>, %t: tensor<2xi64>) -> tensor<?x?xf32> {
  %0 = nn.slice %x, %s, %e axes %a steps %t : (tensor<?x5xf32>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}
func.func @slice_dyn(%x: tensor<?x5xf32>, %s: tensor<1xi32>, %e: tensor<1xi32>) -> tensor<?x5xf32> {
  %a0 = nn.abs %x : (tensor<?x5xf32>) -> tensor<?x5xf32>
  %0 = nn.slice %a0, %s, %e : (tensor<?x5xf32>, tensor<1xi32>, tensor<1xi32>) -> tensor<?x5xf32>
  return %0 : tensor<?x5xf32>
}
func.func @slice_rt_pos(%x: tensor<?x5xf32>, %s: tensor<1xi64>, %e: tensor<1xi64>, %a: tensor<1xi64>) -> tensor<?x?xf32> {
  %a0 = nn.abs %x : (tensor<?x5xf32>) -> tensor<?x5xf32>
  %t = nn.constant dense<[2]> : tensor<1xi64>
  %0 = nn.slice %a0, %s, %e axes %a steps %t : (tensor<?x5xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

func.func @concat_dyn(%a: tensor<?x2xf32>, %b: tensor<?x2xf32>) -> tensor<?x2xf32> {
  %0 = nn.concat %a, %b, %a {axis = 0 : i64} : (tensor<?x2xf32>, tensor<?x2xf32>, tensor<?x2xf32>) -> tensor<?x2xf32>
  return %0 : tensor<?x2xf32>
}

func.func @split_dyn(%x: tensor<?xf32>) -> (tensor<?xf32>, tensor<?xf32>, tensor<?xf32>) {
  %a0 = nn.abs %x : (tensor<?xf32>) -> tensor<?xf32>
  %0:3 = nn.split %a0 {num_outputs = 3 : i64} : (tensor<?xf32>) -> (tensor<?xf32>, tensor<?xf32>, tensor<?xf32>)
  return %0#0, %0#1, %0#2 : tensor<?xf32>, tensor<?xf32>, tensor<?xf32>
}

func.func @pad_dyn(%x: tensor<?x3xf32>, %p: tensor<4xi64>) -> tensor<?x?xf32> {
  %0 = nn.pad %x, %p {mode = #nn.pad_mode<reflect>} : (tensor<?x3xf32>, tensor<4xi64>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}
func.func @pad_edge_dyn(%x: tensor<?x3xf32>, %p: tensor<4xi64>) -> tensor<?x?xf32> {
  %0 = nn.pad %x, %p {mode = #nn.pad_mode<edge>} : (tensor<?x3xf32>, tensor<4xi64>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}
func.func @pad_const_dyn(%x: tensor<?x3xf32>, %p: tensor<4xi64>) -> tensor<?x?xf32> {
  %0 = nn.pad %x, %p : (tensor<?x3xf32>, tensor<4xi64>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

func.func @expand_dyn(%x: tensor<?x1xf32>, %s: tensor<2xi64>) -> tensor<?x?xf32> {
  %0 = nn.expand %x, %s : (tensor<?x1xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

func.func @tile_dyn(%x: tensor<?x2xf32>, %r: tensor<2xi64>) -> tensor<?x?xf32> {
  %0 = nn.tile %x, %r : (tensor<?x2xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

func.func @shape_dyn(%x: tensor<?x3x?xf32>) -> (tensor<3xi64>, tensor<2xi64>, tensor<i64>) {
  %0 = nn.shape_of %x : (tensor<?x3x?xf32>) -> tensor<3xi64>
  %1 = nn.shape_of %x {start = -2 : i64, end = 10 : i64} : (tensor<?x3x?xf32>) -> tensor<2xi64>
  %2 = nn.size %x : (tensor<?x3x?xf32>) -> tensor<i64>
  return %0, %1, %2 : tensor<3xi64>, tensor<2xi64>, tensor<i64>
}

func.func @cos_dyn(%s: tensor<2xi64>) -> tensor<?x?xf32> {
  %0 = nn.constant_of_shape %s, dense<1.5> : tensor<1xf32> : (tensor<2xi64>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

func.func @range_dyn(%a: tensor<f32>, %b: tensor<f32>, %c: tensor<f32>) -> tensor<?xf32> {
  %0 = nn.range %a, %b, %c : (tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}
func.func @range_int_dyn(%a: tensor<i64>, %b: tensor<i64>, %c: tensor<i64>) -> tensor<?xi64> {
  %0 = nn.range %a, %b, %c : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  return %0 : tensor<?xi64>
}

func.func @main() {
  // reshape
  %c1 = nn.constant dense<[[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]> : tensor<2x3xf32>
  %c2 = nn.constant dense<[3, 2]> : tensor<2xi64>
  %reshape = nn.reshape %c1, %c2 : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<3x2xf32>
  %m3 = bufferization.to_buffer %reshape : tensor<3x2xf32> to memref<3x2xf32>
  %u3 = memref.cast %m3 : memref<3x2xf32> to memref<*xf32>
  call @printMemrefF32(%u3) : (memref<*xf32>) -> ()
  %c4 = nn.constant dense<[[[0.0, 1.0, 2.0, 3.0], [4.0, 5.0, 6.0, 7.0], [8.0, 9.0, 10.0, 11.0]], [[12.0, 13.0, 14.0, 15.0], [16.0, 17.0, 18.0, 19.0], [20.0, 21.0, 22.0, 23.0]]]> : tensor<2x3x4xf32>
  %c5 = nn.constant dense<[0, -1]> : tensor<2xi64>
  %reshape2 = nn.reshape %c4, %c5 : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<2x12xf32>
  %m6 = bufferization.to_buffer %reshape2 : tensor<2x12xf32> to memref<2x12xf32>
  %u6 = memref.cast %m6 : memref<2x12xf32> to memref<*xf32>
  call @printMemrefF32(%u6) : (memref<*xf32>) -> ()
  %c7 = nn.constant dense<[[0.0, 1.0, 2.0, 3.0], [4.0, 5.0, 6.0, 7.0]]> : tensor<2x4xf32>
  %d8 = tensor.cast %c7 : tensor<2x4xf32> to tensor<?x4xf32>
  %c9 = nn.constant dense<[2, -1, 2]> : tensor<3xi64>
  %r10 = call @reshape_dyn(%d8, %c9) : (tensor<?x4xf32>, tensor<3xi64>) -> tensor<?x?x?xf32>
  %m11 = bufferization.to_buffer %r10 : tensor<?x?x?xf32> to memref<?x?x?xf32>
  %u11 = memref.cast %m11 : memref<?x?x?xf32> to memref<*xf32>
  call @printMemrefF32(%u11) : (memref<*xf32>) -> ()
  // flatten, squeeze, unsqueeze
  %c12 = nn.constant dense<[[[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]], [[6.0, 7.0], [8.0, 9.0], [10.0, 11.0]]]> : tensor<2x3x2xf32>
  %d13 = tensor.cast %c12 : tensor<2x3x2xf32> to tensor<?x3x2xf32>
  %r14 = call @flatten_dyn(%d13) : (tensor<?x3x2xf32>) -> tensor<?x2xf32>
  %m15 = bufferization.to_buffer %r14 : tensor<?x2xf32> to memref<?x2xf32>
  %u15 = memref.cast %m15 : memref<?x2xf32> to memref<*xf32>
  call @printMemrefF32(%u15) : (memref<*xf32>) -> ()
  %c16 = nn.constant dense<[[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]> : tensor<2x3xf32>
  %d17 = tensor.cast %c16 : tensor<2x3xf32> to tensor<?x3xf32>
  %r18 = call @flatten0_dyn(%d17) : (tensor<?x3xf32>) -> tensor<1x?xf32>
  %m19 = bufferization.to_buffer %r18 : tensor<1x?xf32> to memref<1x?xf32>
  %u19 = memref.cast %m19 : memref<1x?xf32> to memref<*xf32>
  call @printMemrefF32(%u19) : (memref<*xf32>) -> ()
  %c20 = nn.constant dense<[[[1.5], [2.5], [3.5]]]> : tensor<1x3x1xf32>
  %sq = nn.squeeze %c20 {axes = array<i64: 0, -1>} : (tensor<1x3x1xf32>) -> tensor<3xf32>
  %m21 = bufferization.to_buffer %sq : tensor<3xf32> to memref<3xf32>
  %u21 = memref.cast %m21 : memref<3xf32> to memref<*xf32>
  call @printMemrefF32(%u21) : (memref<*xf32>) -> ()
  %usq = nn.unsqueeze %sq {axes = array<i64: 0, 2>} : (tensor<3xf32>) -> tensor<1x3x1xf32>
  %m22 = bufferization.to_buffer %usq : tensor<1x3x1xf32> to memref<1x3x1xf32>
  %u22 = memref.cast %m22 : memref<1x3x1xf32> to memref<*xf32>
  call @printMemrefF32(%u22) : (memref<*xf32>) -> ()
  // transpose
  %c23 = nn.constant dense<[[[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]], [[6.0, 7.0], [8.0, 9.0], [10.0, 11.0]]]> : tensor<2x3x2xf32>
  %tr = nn.transpose %c23 {perm = array<i64: 2, 0, 1>} : (tensor<2x3x2xf32>) -> tensor<2x2x3xf32>
  %m24 = bufferization.to_buffer %tr : tensor<2x2x3xf32> to memref<2x2x3xf32>
  %u24 = memref.cast %m24 : memref<2x2x3xf32> to memref<*xf32>
  call @printMemrefF32(%u24) : (memref<*xf32>) -> ()
  %c25 = nn.constant dense<[[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]> : tensor<2x3xf32>
  %d26 = tensor.cast %c25 : tensor<2x3xf32> to tensor<?x3xf32>
  %r27 = call @transpose_dyn(%d26) : (tensor<?x3xf32>) -> tensor<3x?xf32>
  %m28 = bufferization.to_buffer %r27 : tensor<3x?xf32> to memref<3x?xf32>
  %u28 = memref.cast %m28 : memref<3x?xf32> to memref<*xf32>
  call @printMemrefF32(%u28) : (memref<*xf32>) -> ()
  // slice
  %c29 = nn.constant dense<[[0.0, 1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0, 9.0], [10.0, 11.0, 12.0, 13.0, 14.0], [15.0, 16.0, 17.0, 18.0, 19.0]]> : tensor<4x5xf32>
  %c30 = nn.constant dense<[0, -1]> : tensor<2xi64>
  %c31 = nn.constant dense<[4, -1000]> : tensor<2xi64>
  %c32 = nn.constant dense<[0, 1]> : tensor<2xi64>
  %c33 = nn.constant dense<[2, -2]> : tensor<2xi64>
  %sl = nn.slice %c29, %c30, %c31 axes %c32 steps %c33 : (tensor<4x5xf32>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>) -> tensor<2x3xf32>
  %m34 = bufferization.to_buffer %sl : tensor<2x3xf32> to memref<2x3xf32>
  %u34 = memref.cast %m34 : memref<2x3xf32> to memref<*xf32>
  call @printMemrefF32(%u34) : (memref<*xf32>) -> ()
  %c35 = nn.constant dense<[1]> : tensor<1xi64>
  %c36 = nn.constant dense<[1000]> : tensor<1xi64>
  %c37 = nn.constant dense<[-1]> : tensor<1xi64>
  %sl2 = nn.slice %c29, %c35, %c36 axes %c37 : (tensor<4x5xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<4x4xf32>
  %m38 = bufferization.to_buffer %sl2 : tensor<4x4xf32> to memref<4x4xf32>
  %u38 = memref.cast %m38 : memref<4x4xf32> to memref<*xf32>
  call @printMemrefF32(%u38) : (memref<*xf32>) -> ()
  %d39 = tensor.cast %c29 : tensor<4x5xf32> to tensor<?x5xf32>
  %c40 = nn.constant dense<[-1, 3]> : tensor<2xi64>
  %c41 = nn.constant dense<[-100, 0]> : tensor<2xi64>
  %c42 = nn.constant dense<[1, 0]> : tensor<2xi64>
  %c43 = nn.constant dense<[-2, -1]> : tensor<2xi64>
  %r44 = call @slice_rt(%d39, %c40, %c41, %c42, %c43) : (tensor<?x5xf32>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>) -> tensor<?x?xf32>
  %m45 = bufferization.to_buffer %r44 : tensor<?x?xf32> to memref<?x?xf32>
  %u45 = memref.cast %m45 : memref<?x?xf32> to memref<*xf32>
  call @printMemrefF32(%u45) : (memref<*xf32>) -> ()
  %c46 = nn.constant dense<[1]> : tensor<1xi32>
  %c47 = nn.constant dense<[-1]> : tensor<1xi32>
  %r48 = call @slice_dyn(%d39, %c46, %c47) : (tensor<?x5xf32>, tensor<1xi32>, tensor<1xi32>) -> tensor<?x5xf32>
  %m49 = bufferization.to_buffer %r48 : tensor<?x5xf32> to memref<?x5xf32>
  %u49 = memref.cast %m49 : memref<?x5xf32> to memref<*xf32>
  call @printMemrefF32(%u49) : (memref<*xf32>) -> ()
  %c50 = nn.constant dense<[-4]> : tensor<1xi64>
  %c51 = nn.constant dense<[9223372036854775807]> : tensor<1xi64>
  %c52 = nn.constant dense<[-1]> : tensor<1xi64>
  %r53 = call @slice_rt_pos(%d39, %c50, %c51, %c52) : (tensor<?x5xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<?x?xf32>
  %m54 = bufferization.to_buffer %r53 : tensor<?x?xf32> to memref<?x?xf32>
  %u54 = memref.cast %m54 : memref<?x?xf32> to memref<*xf32>
  call @printMemrefF32(%u54) : (memref<*xf32>) -> ()
  // concat
  %c55 = nn.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %c56 = nn.constant dense<[[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]> : tensor<2x3xf32>
  %cat = nn.concat %c55, %c56 {axis = -1 : i64} : (tensor<2x2xf32>, tensor<2x3xf32>) -> tensor<2x5xf32>
  %m57 = bufferization.to_buffer %cat : tensor<2x5xf32> to memref<2x5xf32>
  %u57 = memref.cast %m57 : memref<2x5xf32> to memref<*xf32>
  call @printMemrefF32(%u57) : (memref<*xf32>) -> ()
  %c58 = nn.constant dense<[[10.0, 11.0], [12.0, 13.0], [14.0, 15.0]]> : tensor<3x2xf32>
  %d59 = tensor.cast %c55 : tensor<2x2xf32> to tensor<?x2xf32>
  %d60 = tensor.cast %c58 : tensor<3x2xf32> to tensor<?x2xf32>
  %r61 = call @concat_dyn(%d59, %d60) : (tensor<?x2xf32>, tensor<?x2xf32>) -> tensor<?x2xf32>
  %m62 = bufferization.to_buffer %r61 : tensor<?x2xf32> to memref<?x2xf32>
  %u62 = memref.cast %m62 : memref<?x2xf32> to memref<*xf32>
  call @printMemrefF32(%u62) : (memref<*xf32>) -> ()
  // split
  %c63 = nn.constant dense<[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0]> : tensor<7xf32>
  %sp:3 = nn.split %c63 {num_outputs = 3 : i64} : (tensor<7xf32>) -> (tensor<3xf32>, tensor<3xf32>, tensor<1xf32>)
  %m64 = bufferization.to_buffer %sp#0 : tensor<3xf32> to memref<3xf32>
  %u64 = memref.cast %m64 : memref<3xf32> to memref<*xf32>
  call @printMemrefF32(%u64) : (memref<*xf32>) -> ()
  %m65 = bufferization.to_buffer %sp#1 : tensor<3xf32> to memref<3xf32>
  %u65 = memref.cast %m65 : memref<3xf32> to memref<*xf32>
  call @printMemrefF32(%u65) : (memref<*xf32>) -> ()
  %m66 = bufferization.to_buffer %sp#2 : tensor<1xf32> to memref<1xf32>
  %u66 = memref.cast %m66 : memref<1xf32> to memref<*xf32>
  call @printMemrefF32(%u66) : (memref<*xf32>) -> ()
  %sp2:2 = nn.split %c29 {axis = 1 : i64, num_outputs = 2 : i64, sizes = array<i64: 1, 4>} : (tensor<4x5xf32>) -> (tensor<4x1xf32>, tensor<4x4xf32>)
  %m67 = bufferization.to_buffer %sp2#0 : tensor<4x1xf32> to memref<4x1xf32>
  %u67 = memref.cast %m67 : memref<4x1xf32> to memref<*xf32>
  call @printMemrefF32(%u67) : (memref<*xf32>) -> ()
  %m68 = bufferization.to_buffer %sp2#1 : tensor<4x4xf32> to memref<4x4xf32>
  %u68 = memref.cast %m68 : memref<4x4xf32> to memref<*xf32>
  call @printMemrefF32(%u68) : (memref<*xf32>) -> ()
  %d69 = tensor.cast %c63 : tensor<7xf32> to tensor<?xf32>
  %spd:3 = call @split_dyn(%d69) : (tensor<?xf32>) -> (tensor<?xf32>, tensor<?xf32>, tensor<?xf32>)
  %m70 = bufferization.to_buffer %spd#0 : tensor<?xf32> to memref<?xf32>
  %u70 = memref.cast %m70 : memref<?xf32> to memref<*xf32>
  call @printMemrefF32(%u70) : (memref<*xf32>) -> ()
  %m71 = bufferization.to_buffer %spd#1 : tensor<?xf32> to memref<?xf32>
  %u71 = memref.cast %m71 : memref<?xf32> to memref<*xf32>
  call @printMemrefF32(%u71) : (memref<*xf32>) -> ()
  %m72 = bufferization.to_buffer %spd#2 : tensor<?xf32> to memref<?xf32>
  %u72 = memref.cast %m72 : memref<?xf32> to memref<*xf32>
  call @printMemrefF32(%u72) : (memref<*xf32>) -> ()
  // pad
  %c73 = nn.constant dense<[[0.0, 1.0, 2.0, 3.0], [4.0, 5.0, 6.0, 7.0], [8.0, 9.0, 10.0, 11.0]]> : tensor<3x4xf32>
  %c74 = nn.constant dense<[1, -1, 0, 2]> : tensor<4xi64>
  %c75 = nn.constant dense<9.5> : tensor<f32>
  %pad = nn.pad %c73, %c74, %c75 : (tensor<3x4xf32>, tensor<4xi64>, tensor<f32>) -> tensor<4x5xf32>
  %m76 = bufferization.to_buffer %pad : tensor<4x5xf32> to memref<4x5xf32>
  %u76 = memref.cast %m76 : memref<4x5xf32> to memref<*xf32>
  call @printMemrefF32(%u76) : (memref<*xf32>) -> ()
  %c77 = nn.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %c78 = nn.constant dense<[2, 2]> : tensor<2xi64>
  %pd79 = nn.pad %c77, %c78 {mode = #nn.pad_mode<reflect>} : (tensor<3xf32>, tensor<2xi64>) -> tensor<7xf32>
  %m80 = bufferization.to_buffer %pd79 : tensor<7xf32> to memref<7xf32>
  %u80 = memref.cast %m80 : memref<7xf32> to memref<*xf32>
  call @printMemrefF32(%u80) : (memref<*xf32>) -> ()
  %c81 = nn.constant dense<[5, 4]> : tensor<2xi64>
  %pd82 = nn.pad %c77, %c81 {mode = #nn.pad_mode<reflect>} : (tensor<3xf32>, tensor<2xi64>) -> tensor<12xf32>
  %m83 = bufferization.to_buffer %pd82 : tensor<12xf32> to memref<12xf32>
  %u83 = memref.cast %m83 : memref<12xf32> to memref<*xf32>
  call @printMemrefF32(%u83) : (memref<*xf32>) -> ()
  %c84 = nn.constant dense<[2, 3]> : tensor<2xi64>
  %pd85 = nn.pad %c77, %c84 {mode = #nn.pad_mode<edge>} : (tensor<3xf32>, tensor<2xi64>) -> tensor<8xf32>
  %m86 = bufferization.to_buffer %pd85 : tensor<8xf32> to memref<8xf32>
  %u86 = memref.cast %m86 : memref<8xf32> to memref<*xf32>
  call @printMemrefF32(%u86) : (memref<*xf32>) -> ()
  %c87 = nn.constant dense<[2, 2]> : tensor<2xi64>
  %pd88 = nn.pad %c77, %c87 {mode = #nn.pad_mode<wrap>} : (tensor<3xf32>, tensor<2xi64>) -> tensor<7xf32>
  %m89 = bufferization.to_buffer %pd88 : tensor<7xf32> to memref<7xf32>
  %u89 = memref.cast %m89 : memref<7xf32> to memref<*xf32>
  call @printMemrefF32(%u89) : (memref<*xf32>) -> ()
  %c90 = nn.constant dense<[4, 5]> : tensor<2xi64>
  %pd91 = nn.pad %c77, %c90 {mode = #nn.pad_mode<wrap>} : (tensor<3xf32>, tensor<2xi64>) -> tensor<12xf32>
  %m92 = bufferization.to_buffer %pd91 : tensor<12xf32> to memref<12xf32>
  %u92 = memref.cast %m92 : memref<12xf32> to memref<*xf32>
  call @printMemrefF32(%u92) : (memref<*xf32>) -> ()
  %c93 = nn.constant dense<[1, 2]> : tensor<2xi64>
  %pd94 = nn.pad %c77, %c93 {mode = #nn.pad_mode<constant>} : (tensor<3xf32>, tensor<2xi64>) -> tensor<6xf32>
  %m95 = bufferization.to_buffer %pd94 : tensor<6xf32> to memref<6xf32>
  %u95 = memref.cast %m95 : memref<6xf32> to memref<*xf32>
  call @printMemrefF32(%u95) : (memref<*xf32>) -> ()
  %c96 = nn.constant dense<[[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]> : tensor<2x3xf32>
  %d97 = tensor.cast %c96 : tensor<2x3xf32> to tensor<?x3xf32>
  %c98 = nn.constant dense<[1, 2, 1, 1]> : tensor<4xi64>
  %r99 = call @pad_dyn(%d97, %c98) : (tensor<?x3xf32>, tensor<4xi64>) -> tensor<?x?xf32>
  %m100 = bufferization.to_buffer %r99 : tensor<?x?xf32> to memref<?x?xf32>
  %u100 = memref.cast %m100 : memref<?x?xf32> to memref<*xf32>
  call @printMemrefF32(%u100) : (memref<*xf32>) -> ()
  %c101 = nn.constant dense<[0, -1, 2, 1]> : tensor<4xi64>
  %r102 = call @pad_edge_dyn(%d97, %c101) : (tensor<?x3xf32>, tensor<4xi64>) -> tensor<?x?xf32>
  %m103 = bufferization.to_buffer %r102 : tensor<?x?xf32> to memref<?x?xf32>
  %u103 = memref.cast %m103 : memref<?x?xf32> to memref<*xf32>
  call @printMemrefF32(%u103) : (memref<*xf32>) -> ()
  %c104 = nn.constant dense<[-1, 1, 0, -1]> : tensor<4xi64>
  %r105 = call @pad_const_dyn(%d97, %c104) : (tensor<?x3xf32>, tensor<4xi64>) -> tensor<?x?xf32>
  %m106 = bufferization.to_buffer %r105 : tensor<?x?xf32> to memref<?x?xf32>
  %u106 = memref.cast %m106 : memref<?x?xf32> to memref<*xf32>
  call @printMemrefF32(%u106) : (memref<*xf32>) -> ()
  // expand
  %c107 = nn.constant dense<[[1.0], [2.0], [3.0]]> : tensor<3x1xf32>
  %c108 = nn.constant dense<[2, 1, 4]> : tensor<3xi64>
  %ex = nn.expand %c107, %c108 : (tensor<3x1xf32>, tensor<3xi64>) -> tensor<2x3x4xf32>
  %m109 = bufferization.to_buffer %ex : tensor<2x3x4xf32> to memref<2x3x4xf32>
  %u109 = memref.cast %m109 : memref<2x3x4xf32> to memref<*xf32>
  call @printMemrefF32(%u109) : (memref<*xf32>) -> ()
  %d110 = tensor.cast %c107 : tensor<3x1xf32> to tensor<?x1xf32>
  %c111 = nn.constant dense<[1, 4]> : tensor<2xi64>
  %r112 = call @expand_dyn(%d110, %c111) : (tensor<?x1xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  %m113 = bufferization.to_buffer %r112 : tensor<?x?xf32> to memref<?x?xf32>
  %u113 = memref.cast %m113 : memref<?x?xf32> to memref<*xf32>
  call @printMemrefF32(%u113) : (memref<*xf32>) -> ()
  // tile
  %c114 = nn.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %c115 = nn.constant dense<[2, 3]> : tensor<2xi64>
  %tile = nn.tile %c114, %c115 : (tensor<2x2xf32>, tensor<2xi64>) -> tensor<4x6xf32>
  %m116 = bufferization.to_buffer %tile : tensor<4x6xf32> to memref<4x6xf32>
  %u116 = memref.cast %m116 : memref<4x6xf32> to memref<*xf32>
  call @printMemrefF32(%u116) : (memref<*xf32>) -> ()
  %c117 = nn.constant dense<[3, 2]> : tensor<2xi64>
  %d118 = tensor.cast %c114 : tensor<2x2xf32> to tensor<?x2xf32>
  %r119 = call @tile_dyn(%d118, %c117) : (tensor<?x2xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  %m120 = bufferization.to_buffer %r119 : tensor<?x?xf32> to memref<?x?xf32>
  %u120 = memref.cast %m120 : memref<?x?xf32> to memref<*xf32>
  call @printMemrefF32(%u120) : (memref<*xf32>) -> ()
  // shape_of, size
  %c121 = nn.constant dense<[[[0.0, 1.0, 2.0, 3.0], [4.0, 5.0, 6.0, 7.0], [8.0, 9.0, 10.0, 11.0]], [[12.0, 13.0, 14.0, 15.0], [16.0, 17.0, 18.0, 19.0], [20.0, 21.0, 22.0, 23.0]]]> : tensor<2x3x4xf32>
  %d122 = tensor.cast %c121 : tensor<2x3x4xf32> to tensor<?x3x?xf32>
  %shp:3 = call @shape_dyn(%d122) : (tensor<?x3x?xf32>) -> (tensor<3xi64>, tensor<2xi64>, tensor<i64>)
  %m123 = bufferization.to_buffer %shp#0 : tensor<3xi64> to memref<3xi64>
  %u123 = memref.cast %m123 : memref<3xi64> to memref<*xi64>
  call @printMemrefI64(%u123) : (memref<*xi64>) -> ()
  %m124 = bufferization.to_buffer %shp#1 : tensor<2xi64> to memref<2xi64>
  %u124 = memref.cast %m124 : memref<2xi64> to memref<*xi64>
  call @printMemrefI64(%u124) : (memref<*xi64>) -> ()
  %m125 = bufferization.to_buffer %shp#2 : tensor<i64> to memref<i64>
  %u125 = memref.cast %m125 : memref<i64> to memref<*xi64>
  call @printMemrefI64(%u125) : (memref<*xi64>) -> ()
  // constant_of_shape
  %c126 = nn.constant dense<[2, 3]> : tensor<2xi64>
  %r127 = call @cos_dyn(%c126) : (tensor<2xi64>) -> tensor<?x?xf32>
  %m128 = bufferization.to_buffer %r127 : tensor<?x?xf32> to memref<?x?xf32>
  %u128 = memref.cast %m128 : memref<?x?xf32> to memref<*xf32>
  call @printMemrefF32(%u128) : (memref<*xf32>) -> ()
  %cosi = nn.constant_of_shape %c126, dense<7> : tensor<1xi64> : (tensor<2xi64>) -> tensor<2x3xi64>
  %m129 = bufferization.to_buffer %cosi : tensor<2x3xi64> to memref<2x3xi64>
  %u129 = memref.cast %m129 : memref<2x3xi64> to memref<*xi64>
  call @printMemrefI64(%u129) : (memref<*xi64>) -> ()
  // range
  %c130 = nn.constant dense<10> : tensor<i64>
  %c131 = nn.constant dense<2> : tensor<i64>
  %c132 = nn.constant dense<-3> : tensor<i64>
  %rng = nn.range %c130, %c131, %c132 : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<3xi64>
  %m133 = bufferization.to_buffer %rng : tensor<3xi64> to memref<3xi64>
  %u133 = memref.cast %m133 : memref<3xi64> to memref<*xi64>
  call @printMemrefI64(%u133) : (memref<*xi64>) -> ()
  %c134 = nn.constant dense<1.0> : tensor<f32>
  %c135 = nn.constant dense<5.0> : tensor<f32>
  %c136 = nn.constant dense<1.5> : tensor<f32>
  %r137 = call @range_dyn(%c134, %c135, %c136) : (tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<?xf32>
  %m138 = bufferization.to_buffer %r137 : tensor<?xf32> to memref<?xf32>
  %u138 = memref.cast %m138 : memref<?xf32> to memref<*xf32>
  call @printMemrefF32(%u138) : (memref<*xf32>) -> ()
  %c139 = nn.constant dense<-3> : tensor<i64>
  %c140 = nn.constant dense<8> : tensor<i64>
  %c141 = nn.constant dense<4> : tensor<i64>
  %r142 = call @range_int_dyn(%c139, %c140, %c141) : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  %m143 = bufferization.to_buffer %r142 : tensor<?xi64> to memref<?xi64>
  %u143 = memref.cast %m143 : memref<?xi64> to memref<*xi64>
  call @printMemrefI64(%u143) : (memref<*xi64>) -> ()
  return
}

// reshape
// CHECK: rank = 2 offset = 0 sizes = [3, 2]
// CHECK-NEXT: [0, 1]
// CHECK-NEXT: [2, 3]
// CHECK-NEXT: [4, 5]
// CHECK: rank = 2 offset = 0 sizes = [2, 12]
// CHECK-NEXT: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
// CHECK-NEXT: [12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23]
// CHECK: rank = 3 offset = 0 sizes = [2, 2, 2]
// CHECK-NEXT: [0, 1]
// CHECK-NEXT: [2, 3]
// CHECK-NEXT: [4, 5]
// CHECK-NEXT: [6, 7]
// flatten, squeeze, unsqueeze
// CHECK: rank = 2 offset = 0 sizes = [6, 2]
// CHECK-NEXT: [0, 1]
// CHECK-NEXT: [2, 3]
// CHECK-NEXT: [4, 5]
// CHECK-NEXT: [6, 7]
// CHECK-NEXT: [8, 9]
// CHECK-NEXT: [10, 11]
// CHECK: rank = 2 offset = 0 sizes = [1, 6]
// CHECK-NEXT: [0, 1, 2, 3, 4, 5]
// CHECK: rank = 1 offset = 0 sizes = [3]
// CHECK-NEXT: [1.5, 2.5, 3.5]
// CHECK: rank = 3 offset = 0 sizes = [1, 3, 1]
// CHECK-NEXT: [1.5]
// CHECK-NEXT: [2.5]
// CHECK-NEXT: [3.5]
// transpose
// CHECK: rank = 3 offset = 0 sizes = [2, 2, 3]
// CHECK-NEXT: [0, 2, 4]
// CHECK-NEXT: [6, 8, 10]
// CHECK-NEXT: [1, 3, 5]
// CHECK-NEXT: [7, 9, 11]
// CHECK: rank = 2 offset = 0 sizes = [3, 2]
// CHECK-NEXT: [0, 3]
// CHECK-NEXT: [1, 4]
// CHECK-NEXT: [2, 5]
// slice
// CHECK: rank = 2 offset = 0 sizes = [2, 3]
// CHECK-NEXT: [4, 2, 0]
// CHECK-NEXT: [14, 12, 10]
// CHECK: rank = 2 offset = 0 sizes = [4, 4]
// CHECK-NEXT: [1, 2, 3, 4]
// CHECK-NEXT: [6, 7, 8, 9]
// CHECK-NEXT: [11, 12, 13, 14]
// CHECK-NEXT: [16, 17, 18, 19]
// CHECK: rank = 2 offset = 0 sizes = [3, 3]
// CHECK-NEXT: [19, 17, 15]
// CHECK-NEXT: [14, 12, 10]
// CHECK-NEXT: [9, 7, 5]
// CHECK: rank = 2 offset = 0 sizes = [2, 5]
// CHECK-NEXT: [5, 6, 7, 8, 9]
// CHECK-NEXT: [10, 11, 12, 13, 14]
// CHECK: rank = 2 offset = 0 sizes = [4, 2]
// CHECK-NEXT: [1, 3]
// CHECK-NEXT: [6, 8]
// CHECK-NEXT: [11, 13]
// CHECK-NEXT: [16, 18]
// concat
// CHECK: rank = 2 offset = 0 sizes = [2, 5]
// CHECK-NEXT: [1, 2, 0, 1, 2]
// CHECK-NEXT: [3, 4, 3, 4, 5]
// CHECK: rank = 2 offset = 0 sizes = [7, 2]
// CHECK-NEXT: [1, 2]
// CHECK-NEXT: [3, 4]
// CHECK-NEXT: [10, 11]
// CHECK-NEXT: [12, 13]
// CHECK-NEXT: [14, 15]
// CHECK-NEXT: [1, 2]
// CHECK-NEXT: [3, 4]
// split
// CHECK: rank = 1 offset = 0 sizes = [3]
// CHECK-NEXT: [0, 1, 2]
// CHECK: rank = 1 offset = 0 sizes = [3]
// CHECK-NEXT: [3, 4, 5]
// CHECK: rank = 1 offset = 0 sizes = [1]
// CHECK-NEXT: [6]
// CHECK: rank = 2 offset = 0 sizes = [4, 1]
// CHECK-NEXT: [0]
// CHECK-NEXT: [5]
// CHECK-NEXT: [10]
// CHECK-NEXT: [15]
// CHECK: rank = 2 offset = 0 sizes = [4, 4]
// CHECK-NEXT: [1, 2, 3, 4]
// CHECK-NEXT: [6, 7, 8, 9]
// CHECK-NEXT: [11, 12, 13, 14]
// CHECK-NEXT: [16, 17, 18, 19]
// CHECK: rank = 1 offset = 0 sizes = [3]
// CHECK-NEXT: [0, 1, 2]
// CHECK: rank = 1 offset = 0 sizes = [3]
// CHECK-NEXT: [3, 4, 5]
// CHECK: rank = 1 offset = 0 sizes = [1]
// CHECK-NEXT: [6]
// pad
// CHECK: rank = 2 offset = 0 sizes = [4, 5]
// CHECK-NEXT: [9.5, 9.5, 9.5, 9.5, 9.5]
// CHECK-NEXT: [1, 2, 3, 9.5, 9.5]
// CHECK-NEXT: [5, 6, 7, 9.5, 9.5]
// CHECK-NEXT: [9, 10, 11, 9.5, 9.5]
// CHECK: rank = 1 offset = 0 sizes = [7]
// CHECK-NEXT: [3, 2, 1, 2, 3, 2, 1]
// CHECK: rank = 1 offset = 0 sizes = [12]
// CHECK-NEXT: [2, 1, 2, 3, 2, 1, 2, 3, 2, 1, 2, 3]
// CHECK: rank = 1 offset = 0 sizes = [8]
// CHECK-NEXT: [1, 1, 1, 2, 3, 3, 3, 3]
// CHECK: rank = 1 offset = 0 sizes = [7]
// CHECK-NEXT: [2, 3, 1, 2, 3, 1, 2]
// CHECK: rank = 1 offset = 0 sizes = [12]
// CHECK-NEXT: [3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2]
// CHECK: rank = 1 offset = 0 sizes = [6]
// CHECK-NEXT: [0, 1, 2, 3, 0, 0]
// CHECK: rank = 2 offset = 0 sizes = [4, 6]
// CHECK-NEXT: [5, 4, 3, 4, 5, 4]
// CHECK-NEXT: [2, 1, 0, 1, 2, 1]
// CHECK-NEXT: [5, 4, 3, 4, 5, 4]
// CHECK-NEXT: [2, 1, 0, 1, 2, 1]
// CHECK: rank = 2 offset = 0 sizes = [4, 3]
// CHECK-NEXT: [1, 2, 2]
// CHECK-NEXT: [4, 5, 5]
// CHECK-NEXT: [4, 5, 5]
// CHECK-NEXT: [4, 5, 5]
// CHECK: rank = 2 offset = 0 sizes = [1, 3]
// CHECK-NEXT: [0, 3, 4]
// expand
// CHECK: rank = 3 offset = 0 sizes = [2, 3, 4]
// CHECK-NEXT: [1, 1, 1, 1]
// CHECK-NEXT: [2, 2, 2, 2]
// CHECK-NEXT: [3, 3, 3, 3]
// CHECK-NEXT: [1, 1, 1, 1]
// CHECK-NEXT: [2, 2, 2, 2]
// CHECK-NEXT: [3, 3, 3, 3]
// CHECK: rank = 2 offset = 0 sizes = [3, 4]
// CHECK-NEXT: [1, 1, 1, 1]
// CHECK-NEXT: [2, 2, 2, 2]
// CHECK-NEXT: [3, 3, 3, 3]
// tile
// CHECK: rank = 2 offset = 0 sizes = [4, 6]
// CHECK-NEXT: [1, 2, 1, 2, 1, 2]
// CHECK-NEXT: [3, 4, 3, 4, 3, 4]
// CHECK-NEXT: [1, 2, 1, 2, 1, 2]
// CHECK-NEXT: [3, 4, 3, 4, 3, 4]
// CHECK: rank = 2 offset = 0 sizes = [6, 4]
// CHECK-NEXT: [1, 2, 1, 2]
// CHECK-NEXT: [3, 4, 3, 4]
// CHECK-NEXT: [1, 2, 1, 2]
// CHECK-NEXT: [3, 4, 3, 4]
// CHECK-NEXT: [1, 2, 1, 2]
// CHECK-NEXT: [3, 4, 3, 4]
// shape_of, size
// CHECK: rank = 1 offset = 0 sizes = [3]
// CHECK-NEXT: [2, 3, 4]
// CHECK: rank = 1 offset = 0 sizes = [2]
// CHECK-NEXT: [3, 4]
// CHECK: rank = 0 offset = 0 sizes = []
// CHECK-NEXT: [24]
// constant_of_shape
// CHECK: rank = 2 offset = 0 sizes = [2, 3]
// CHECK-NEXT: [1.5, 1.5, 1.5]
// CHECK-NEXT: [1.5, 1.5, 1.5]
// CHECK: rank = 2 offset = 0 sizes = [2, 3]
// CHECK-NEXT: [7, 7, 7]
// CHECK-NEXT: [7, 7, 7]
// range
// CHECK: rank = 1 offset = 0 sizes = [3]
// CHECK-NEXT: [10, 7, 4]
// CHECK: rank = 1 offset = 0 sizes = [3]
// CHECK-NEXT: [1, 2.5, 4]
// CHECK: rank = 1 offset = 0 sizes = [3]
// CHECK-NEXT: [-3, 1, 5]
