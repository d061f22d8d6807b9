// RUN: ddl-opt %s --ddl-cpu-pipeline | %mlir_runner | FileCheck %s
// Numeric checks of the reduction and normalization lowerings, run through
// the whole CPU pipeline. Expected values computed with numpy.

func.func private @printMemrefF32(memref<*xf32>)
func.func private @printMemrefI32(memref<*xi32>)
func.func private @printMemrefI64(memref<*xi64>)

func.func @print2(%t: tensor<?x?xf32>) {
  %m = bufferization.to_buffer %t : tensor<?x?xf32> to memref<?x?xf32>
  %u = memref.cast %m : memref<?x?xf32> to memref<*xf32>
  call @printMemrefF32(%u) : (memref<*xf32>) -> ()
  return
}
func.func @print1(%t: tensor<?xf32>) {
  %m = bufferization.to_buffer %t : tensor<?xf32> to memref<?xf32>
  %u = memref.cast %m : memref<?xf32> to memref<*xf32>
  call @printMemrefF32(%u) : (memref<*xf32>) -> ()
  return
}
func.func @print3(%t: tensor<?x?x?xf32>) {
  %m = bufferization.to_buffer %t : tensor<?x?x?xf32> to memref<?x?x?xf32>
  %u = memref.cast %m : memref<?x?x?xf32> to memref<*xf32>
  call @printMemrefF32(%u) : (memref<*xf32>) -> ()
  return
}
func.func @printI64(%t: tensor<?x?xi64>) {
  %m = bufferization.to_buffer %t : tensor<?x?xi64> to memref<?x?xi64>
  %u = memref.cast %m : memref<?x?xi64> to memref<*xi64>
  call @printMemrefI64(%u) : (memref<*xi64>) -> ()
  return
}
func.func @printI64v(%t: tensor<?xi64>) {
  %m = bufferization.to_buffer %t : tensor<?xi64> to memref<?xi64>
  %u = memref.cast %m : memref<?xi64> to memref<*xi64>
  call @printMemrefI64(%u) : (memref<*xi64>) -> ()
  return
}
func.func @printI32v(%t: tensor<?xi32>) {
  %m = bufferization.to_buffer %t : tensor<?xi32> to memref<?xi32>
  %u = memref.cast %m : memref<?xi32> to memref<*xi32>
  call @printMemrefI32(%u) : (memref<*xi32>) -> ()
  return
}

// A run-time cumsum axis (a function argument, not a constant).
func.func @cumsum_at(%x: tensor<2x3xf32>, %axis: tensor<i64>) -> tensor<2x3xf32> {
  %0 = nn.cumsum %x, %axis : (tensor<2x3xf32>, tensor<i64>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// A run-time k.
func.func @top_k_at(%x: tensor<5xf32>, %k: tensor<1xi64>) -> (tensor<?xf32>, tensor<?xi64>) {
  %v, %i = nn.top_k %x, %k {largest = false} : (tensor<5xf32>, tensor<1xi64>) -> (tensor<?xf32>, tensor<?xi64>)
  return %v, %i : tensor<?xf32>, tensor<?xi64>
}

func.func @main() {
  %x = nn.constant dense<[[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]> : tensor<2x3xf32>
  %pos = nn.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>

  // CHECK: {{\[\[}}2],
  // CHECK-NEXT: [3]]
  %sum = nn.reduce <sum> %x {axes = array<i64: 1>} : (tensor<2x3xf32>) -> tensor<2x1xf32>
  %sum_d = tensor.cast %sum : tensor<2x1xf32> to tensor<?x?xf32>
  call @print2(%sum_d) : (tensor<?x?xf32>) -> ()

  // CHECK: [0.833333]
  %mean = nn.reduce <mean> %x {keepdims = false} : (tensor<2x3xf32>) -> tensor<f32>
  %mean_1 = tensor.expand_shape %mean [] output_shape [1] : tensor<f32> into tensor<1xf32>
  %mean_d = tensor.cast %mean_1 : tensor<1xf32> to tensor<?xf32>
  call @print1(%mean_d) : (tensor<?xf32>) -> ()

  // CHECK: [4, 5, 3]
  %max = nn.reduce <max> %x {axes = array<i64: 0>, keepdims = false} : (tensor<2x3xf32>) -> tensor<3xf32>
  %max_d = tensor.cast %max : tensor<3xf32> to tensor<?xf32>
  call @print1(%max_d) : (tensor<?xf32>) -> ()

  // CHECK: [1, -2, -6]
  %min = nn.reduce <min> %x {axes = array<i64: -2>, keepdims = false} : (tensor<2x3xf32>) -> tensor<3xf32>
  %min_d = tensor.cast %min : tensor<3xf32> to tensor<?xf32>
  call @print1(%min_d) : (tensor<?xf32>) -> ()

  // CHECK: [-6, -120]
  %prod = nn.reduce <prod> %x {axes = array<i64: 1>, keepdims = false} : (tensor<2x3xf32>) -> tensor<2xf32>
  %prod_d = tensor.cast %prod : tensor<2xf32> to tensor<?xf32>
  call @print1(%prod_d) : (tensor<?xf32>) -> ()

  // CHECK: [6, 15]
  %l1 = nn.reduce <l1> %x {axes = array<i64: 1>, keepdims = false} : (tensor<2x3xf32>) -> tensor<2xf32>
  %l1_d = tensor.cast %l1 : tensor<2xf32> to tensor<?xf32>
  call @print1(%l1_d) : (tensor<?xf32>) -> ()

  // CHECK: [3.74166, 8.77496]
  %l2 = nn.reduce <l2> %x {axes = array<i64: 1>, keepdims = false} : (tensor<2x3xf32>) -> tensor<2xf32>
  %l2_d = tensor.cast %l2 : tensor<2xf32> to tensor<?xf32>
  call @print1(%l2_d) : (tensor<?xf32>) -> ()

  // CHECK: [14, 77]
  %ss = nn.reduce <sum_square> %x {axes = array<i64: 1>, keepdims = false} : (tensor<2x3xf32>) -> tensor<2xf32>
  %ss_d = tensor.cast %ss : tensor<2xf32> to tensor<?xf32>
  call @print1(%ss_d) : (tensor<?xf32>) -> ()

  // CHECK: [1.60944, 1.94591, 2.19722]
  %ls = nn.reduce <log_sum> %pos {axes = array<i64: 0>, keepdims = false} : (tensor<2x3xf32>) -> tensor<3xf32>
  %ls_d = tensor.cast %ls : tensor<3xf32> to tensor<?xf32>
  call @print1(%ls_d) : (tensor<?xf32>) -> ()

  // Stable for large values; an all -inf row gives -inf.
  // CHECK: [1002.41, -inf]
  %big = nn.constant dense<[[1000.0, 1001.0, 1002.0], [0xFF800000, 0xFF800000, 0xFF800000]]> : tensor<2x3xf32>
  %lse = nn.reduce <log_sum_exp> %big {axes = array<i64: 1>, keepdims = false} : (tensor<2x3xf32>) -> tensor<2xf32>
  %lse_d = tensor.cast %lse : tensor<2xf32> to tensor<?xf32>
  call @print1(%lse_d) : (tensor<?xf32>) -> ()

  // Empty reductions give the identity.
  // CHECK: [-inf, -inf]
  // CHECK: [0, 0]
  // CHECK: [1, 1]
  // CHECK: [-inf, -inf]
  %empty = nn.constant dense<> : tensor<2x0xf32>
  %emax = nn.reduce <max> %empty {axes = array<i64: 1>, keepdims = false} : (tensor<2x0xf32>) -> tensor<2xf32>
  %emax_d = tensor.cast %emax : tensor<2xf32> to tensor<?xf32>
  call @print1(%emax_d) : (tensor<?xf32>) -> ()
  %esum = nn.reduce <sum> %empty {axes = array<i64: 1>, keepdims = false} : (tensor<2x0xf32>) -> tensor<2xf32>
  %esum_d = tensor.cast %esum : tensor<2xf32> to tensor<?xf32>
  call @print1(%esum_d) : (tensor<?xf32>) -> ()
  %eprod = nn.reduce <prod> %empty {axes = array<i64: 1>, keepdims = false} : (tensor<2x0xf32>) -> tensor<2xf32>
  %eprod_d = tensor.cast %eprod : tensor<2xf32> to tensor<?xf32>
  call @print1(%eprod_d) : (tensor<?xf32>) -> ()
  %else = nn.reduce <log_sum_exp> %empty {axes = array<i64: 1>, keepdims = false} : (tensor<2x0xf32>) -> tensor<2xf32>
  %else_d = tensor.cast %else : tensor<2xf32> to tensor<?xf32>
  call @print1(%else_d) : (tensor<?xf32>) -> ()

  // noop_with_empty_axes: sum_square is a plain square.
  // CHECK: {{\[\[}}1, 4, 9],
  // CHECK-NEXT: [16, 25, 36]]
  %sq = nn.reduce <sum_square> %x {noop_with_empty_axes = true} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %sq_d = tensor.cast %sq : tensor<2x3xf32> to tensor<?x?xf32>
  call @print2(%sq_d) : (tensor<?x?xf32>) -> ()

  // f16 sum accumulates in f32: 2048 + 1 + 1 is 2050, not 2048.
  // CHECK: [2050]
  %h = nn.constant dense<[2048.0, 1.0, 1.0]> : tensor<3xf16>
  %hsum = nn.reduce <sum> %h : (tensor<3xf16>) -> tensor<1xf16>
  %hsum32 = nn.cast %hsum : (tensor<1xf16>) -> tensor<1xf32>
  %hsum_d = tensor.cast %hsum32 : tensor<1xf32> to tensor<?xf32>
  call @print1(%hsum_d) : (tensor<?xf32>) -> ()

  // Integers: sum; mean truncates; unsigned max.
  // CHECK: [4, 6]
  // CHECK: [1, 4]
  // CHECK: [200, 3]
  %i = nn.constant dense<[[1, 2], [3, 4]]> : tensor<2x2xi32>
  %isum = nn.reduce <sum> %i {axes = array<i64: 0>, keepdims = false} : (tensor<2x2xi32>) -> tensor<2xi32>
  %isum_d = tensor.cast %isum : tensor<2xi32> to tensor<?xi32>
  call @printI32v(%isum_d) : (tensor<?xi32>) -> ()
  %im = nn.constant dense<[[1, 2], [4, 4]]> : tensor<2x2xi32>
  %imean = nn.reduce <mean> %im {axes = array<i64: 1>, keepdims = false} : (tensor<2x2xi32>) -> tensor<2xi32>
  %imean_d = tensor.cast %imean : tensor<2xi32> to tensor<?xi32>
  call @printI32v(%imean_d) : (tensor<?xi32>) -> ()
  // ui8: 200 > 100 (signed, 200 would be -56 < 100); printed through i32.
  %u = nn.constant dense<[[200, 3], [100, 2]]> : tensor<2x2xui8>
  %umax = nn.reduce <max> %u {axes = array<i64: 0>, keepdims = false} : (tensor<2x2xui8>) -> tensor<2xui8>
  %umax32 = nn.cast %umax : (tensor<2xui8>) -> tensor<2xi32>
  %umax_d = tensor.cast %umax32 : tensor<2xi32> to tensor<?xi32>
  call @printI32v(%umax_d) : (tensor<?xi32>) -> ()

  // argmax / argmin, first and last index of ties.
  // CHECK: {{\[\[}}1],
  // CHECK-NEXT: [0]]
  // CHECK: {{\[\[}}2],
  // CHECK-NEXT: [2]]
  // CHECK: [1, 1]
  // CHECK: [2, 2]
  %a = nn.constant dense<[[2.0, 7.0, 7.0], [9.0, 1.0, 9.0]]> : tensor<2x3xf32>
  %amax = nn.argmax %a {axis = 1 : i64} : (tensor<2x3xf32>) -> tensor<2x1xi64>
  %amax_d = tensor.cast %amax : tensor<2x1xi64> to tensor<?x?xi64>
  call @printI64(%amax_d) : (tensor<?x?xi64>) -> ()
  %amaxl = nn.argmax %a {axis = -1 : i64, select_last_index = true} : (tensor<2x3xf32>) -> tensor<2x1xi64>
  %amaxl_d = tensor.cast %amaxl : tensor<2x1xi64> to tensor<?x?xi64>
  call @printI64(%amaxl_d) : (tensor<?x?xi64>) -> ()
  %b = nn.constant dense<[[3, 1, 1], [5, 0, 0]]> : tensor<2x3xi32>
  %amin = nn.argmin %b {axis = 1 : i64, keepdims = false} : (tensor<2x3xi32>) -> tensor<2xi64>
  %amin_d = tensor.cast %amin : tensor<2xi64> to tensor<?xi64>
  call @printI64v(%amin_d) : (tensor<?xi64>) -> ()
  %aminl = nn.argmin %b {axis = 1 : i64, keepdims = false, select_last_index = true} : (tensor<2x3xi32>) -> tensor<2xi64>
  %aminl_d = tensor.cast %aminl : tensor<2xi64> to tensor<?xi64>
  call @printI64v(%aminl_d) : (tensor<?xi64>) -> ()

  // cumsum: plain, exclusive, reverse, reverse exclusive.
  // CHECK: [1, 3, 6, 10, 15]
  // CHECK: [0, 1, 3, 6, 10]
  // CHECK: [15, 14, 12, 9, 5]
  // CHECK: [14, 12, 9, 5, 0]
  %c = nn.constant dense<[1.0, 2.0, 3.0, 4.0, 5.0]> : tensor<5xf32>
  %ax0 = nn.constant dense<0> : tensor<i32>
  %cs = nn.cumsum %c, %ax0 : (tensor<5xf32>, tensor<i32>) -> tensor<5xf32>
  %cs_d = tensor.cast %cs : tensor<5xf32> to tensor<?xf32>
  call @print1(%cs_d) : (tensor<?xf32>) -> ()
  %cse = nn.cumsum %c, %ax0 {exclusive = true} : (tensor<5xf32>, tensor<i32>) -> tensor<5xf32>
  %cse_d = tensor.cast %cse : tensor<5xf32> to tensor<?xf32>
  call @print1(%cse_d) : (tensor<?xf32>) -> ()
  %csr = nn.cumsum %c, %ax0 {reverse = true} : (tensor<5xf32>, tensor<i32>) -> tensor<5xf32>
  %csr_d = tensor.cast %csr : tensor<5xf32> to tensor<?xf32>
  call @print1(%csr_d) : (tensor<?xf32>) -> ()
  %csre = nn.cumsum %c, %ax0 {exclusive = true, reverse = true} : (tensor<5xf32>, tensor<i32>) -> tensor<5xf32>
  %csre_d = tensor.cast %csre : tensor<5xf32> to tensor<?xf32>
  call @print1(%csre_d) : (tensor<?xf32>) -> ()

  // Run-time axes 0 and -1.
  // CHECK: {{\[\[}}1, 2, 3],
  // CHECK-NEXT: [5, 7, 9]]
  // CHECK: {{\[\[}}1, 3, 6],
  // CHECK-NEXT: [4, 9, 15]]
  %r0 = nn.constant dense<0> : tensor<i64>
  %rm1 = nn.constant dense<-1> : tensor<i64>
  %c0 = func.call @cumsum_at(%pos, %r0) : (tensor<2x3xf32>, tensor<i64>) -> tensor<2x3xf32>
  %c0_d = tensor.cast %c0 : tensor<2x3xf32> to tensor<?x?xf32>
  call @print2(%c0_d) : (tensor<?x?xf32>) -> ()
  %c1 = func.call @cumsum_at(%pos, %rm1) : (tensor<2x3xf32>, tensor<i64>) -> tensor<2x3xf32>
  %c1_d = tensor.cast %c1 : tensor<2x3xf32> to tensor<?x?xf32>
  call @print2(%c1_d) : (tensor<?x?xf32>) -> ()

  // top_k (ONNX test_top_k data), then ties broken by lower index.
  // CHECK: {{\[\[}}3, 2, 1],
  // CHECK-NEXT: [7, 6, 5],
  // CHECK-NEXT: [11, 10, 9]]
  // CHECK: {{\[\[}}3, 2, 1],
  // CHECK-NEXT: [0, 1, 2],
  // CHECK-NEXT: [1, 2, 3]]
  %t = nn.constant dense<[[0.0, 1.0, 2.0, 3.0], [7.0, 6.0, 5.0, 4.0], [8.0, 11.0, 10.0, 9.0]]> : tensor<3x4xf32>
  %k3 = nn.constant dense<3> : tensor<1xi64>
  %tv, %ti = nn.top_k %t, %k3 {axis = 1 : i64} : (tensor<3x4xf32>, tensor<1xi64>) -> (tensor<3x3xf32>, tensor<3x3xi64>)
  %tv_d = tensor.cast %tv : tensor<3x3xf32> to tensor<?x?xf32>
  call @print2(%tv_d) : (tensor<?x?xf32>) -> ()
  %ti_d = tensor.cast %ti : tensor<3x3xi64> to tensor<?x?xi64>
  call @printI64(%ti_d) : (tensor<?x?xi64>) -> ()
  // CHECK: [3, 3, 3]
  // CHECK: [1, 2, 4]
  %tie = nn.constant dense<[1.0, 3.0, 3.0, 2.0, 3.0]> : tensor<5xf32>
  %tv2, %ti2 = nn.top_k %tie, %k3 : (tensor<5xf32>, tensor<1xi64>) -> (tensor<3xf32>, tensor<3xi64>)
  %tv2_d = tensor.cast %tv2 : tensor<3xf32> to tensor<?xf32>
  call @print1(%tv2_d) : (tensor<?xf32>) -> ()
  %ti2_d = tensor.cast %ti2 : tensor<3xi64> to tensor<?xi64>
  call @printI64v(%ti2_d) : (tensor<?xi64>) -> ()
  // Smallest, run-time k = 2.
  // CHECK: [1, 2]
  // CHECK: [0, 3]
  %k2 = nn.constant dense<2> : tensor<1xi64>
  %tv3, %ti3 = func.call @top_k_at(%tie, %k2) : (tensor<5xf32>, tensor<1xi64>) -> (tensor<?xf32>, tensor<?xi64>)
  call @print1(%tv3) : (tensor<?xf32>) -> ()
  call @printI64v(%ti3) : (tensor<?xi64>) -> ()

  // softmax / log_softmax along the last axis; large values stay finite.
  // CHECK: {{\[\[}}0.0900306, 0.244728, 0.665241],
  // CHECK-NEXT: [0.0900306, 0.244728, 0.665241]]
  // CHECK: {{\[\[}}-2.40761, -1.40761, -0.407606],
  // CHECK-NEXT: [-2.40761, -1.40761, -0.407606]]
  %sm_in = nn.constant dense<[[1.0, 2.0, 3.0], [1000.0, 1001.0, 1002.0]]> : tensor<2x3xf32>
  %sm = nn.softmax %sm_in : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %sm_d = tensor.cast %sm : tensor<2x3xf32> to tensor<?x?xf32>
  call @print2(%sm_d) : (tensor<?x?xf32>) -> ()
  %lsm = nn.log_softmax %sm_in {axis = 1 : i64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %lsm_d = tensor.cast %lsm : tensor<2x3xf32> to tensor<?x?xf32>
  call @print2(%lsm_d) : (tensor<?x?xf32>) -> ()

  // softmax along axis 0.
  // CHECK: {{\[\[}}0.0474259, 0.0474259, 0.0474259],
  // CHECK-NEXT: [0.952574, 0.952574, 0.952574]]
  %sm0 = nn.softmax %pos {axis = 0 : i64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %sm0_d = tensor.cast %sm0 : tensor<2x3xf32> to tensor<?x?xf32>
  call @print2(%sm0_d) : (tensor<?x?xf32>) -> ()

  // hardmax: one-hot of the first maximum.
  // CHECK: {{\[\[}}0, 1, 0],
  // CHECK-NEXT: [1, 0, 0]]
  %hm_in = nn.constant dense<[[1.0, 3.0, 3.0], [2.0, 0.0, 1.0]]> : tensor<2x3xf32>
  %hm = nn.hardmax %hm_in : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %hm_d = tensor.cast %hm : tensor<2x3xf32> to tensor<?x?xf32>
  call @print2(%hm_d) : (tensor<?x?xf32>) -> ()

  // batch_norm, epsilon 0: channel 0 (x - 1) / 2, channel 1 (x - 3) * 2 + 1.
  // CHECK: {{\[\[}}0, 0.5],
  // CHECK-NEXT: [1, 3]]
  %bn_x = nn.constant dense<[[[[1.0, 2.0]], [[3.0, 4.0]]]]> : tensor<1x2x1x2xf32>
  %bn_s = nn.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %bn_b = nn.constant dense<[0.0, 1.0]> : tensor<2xf32>
  %bn_m = nn.constant dense<[1.0, 3.0]> : tensor<2xf32>
  %bn_v = nn.constant dense<[4.0, 1.0]> : tensor<2xf32>
  %bn = nn.batch_norm %bn_x, %bn_s, %bn_b, %bn_m, %bn_v {epsilon = 0.0 : f32} : (tensor<1x2x1x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x1x2xf32>
  %bn_c = tensor.collapse_shape %bn [[0, 1, 2], [3]] : tensor<1x2x1x2xf32> into tensor<2x2xf32>
  %bn_d = tensor.cast %bn_c : tensor<2x2xf32> to tensor<?x?xf32>
  call @print2(%bn_d) : (tensor<?x?xf32>) -> ()

  // layer_norm over the last axis.
  // CHECK: {{\[\[}}-1.34164, -0.447212, 0.894424, 3.68327],
  // CHECK-NEXT: [0, 0, 0, 1]]
  %ln_x = nn.constant dense<[[1.0, 2.0, 3.0, 4.0], [2.0, 2.0, 2.0, 2.0]]> : tensor<2x4xf32>
  %ln_s = nn.constant dense<[1.0, 1.0, 2.0, 2.0]> : tensor<4xf32>
  %ln_b = nn.constant dense<[0.0, 0.0, 0.0, 1.0]> : tensor<4xf32>
  %ln = nn.layer_norm %ln_x, %ln_s, %ln_b : (tensor<2x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  %ln_d = tensor.cast %ln : tensor<2x4xf32> to tensor<?x?xf32>
  call @print2(%ln_d) : (tensor<?x?xf32>) -> ()

  // instance_norm.
  // CHECK: {{\[\[\[}}-1.06904, -0.26726, 1.3363],
  // CHECK-NEXT: [-2.41421, -2.41421, 1.82843]]]
  %in_x = nn.constant dense<[[[1.0, 2.0, 4.0], [3.0, 3.0, 9.0]]]> : tensor<1x2x3xf32>
  %in_s = nn.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %in_b = nn.constant dense<[0.0, -1.0]> : tensor<2xf32>
  %in = nn.instance_norm %in_x, %in_s, %in_b : (tensor<1x2x3xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x3xf32>
  %in_d = tensor.cast %in : tensor<1x2x3xf32> to tensor<?x?x?xf32>
  call @print3(%in_d) : (tensor<?x?x?xf32>) -> ()

  // group_norm, 4 channels in 2 groups.
  // CHECK: {{\[\[\[}}-1.34164, -0.447212],
  // CHECK-NEXT: [1.89442, 3.68327],
  // CHECK-NEXT: [-2.18282, -2.18282],
  // CHECK-NEXT: [0.0298586, 7.79099]]]
  %gn_x = nn.constant dense<[[[1.0, 2.0], [3.0, 4.0], [5.0, 5.0], [6.0, 10.0]]]> : tensor<1x4x2xf32>
  %gn_s = nn.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %gn_b = nn.constant dense<[0.0, 1.0, 0.0, 1.0]> : tensor<4xf32>
  %gn = nn.group_norm %gn_x, %gn_s, %gn_b {num_groups = 2 : i64} : (tensor<1x4x2xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x2xf32>
  %gn_d = tensor.cast %gn : tensor<1x4x2xf32> to tensor<?x?x?xf32>
  call @print3(%gn_d) : (tensor<?x?x?xf32>) -> ()
  return
}
