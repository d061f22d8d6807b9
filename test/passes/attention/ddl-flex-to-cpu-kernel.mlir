// RUN: ddl-opt %s --ddl-flex-to-cpu-kernel --split-input-file --verify-diagnostics | FileCheck %s

// Full attention: K is transposed, the operands become read-only buffers,
// one parallel loop over (batch, head, query block) with its scratch on
// the stack; scores accumulate with FMAs on 16-key vectors, softmax uses
// exp, and the output buffer comes back as a tensor. No mask_mod: no block
// mask table (only the last key block is partial).
// CHECK-LABEL: func.func @full
// CHECK: %[[KT:.*]] = linalg.transpose ins(%{{.*}} : tensor<2x4x100x64xf32>) outs(%{{.*}} : tensor<2x4x64x100xf32>) permutation = [0, 1, 3, 2]
// CHECK: bufferization.to_buffer %{{.*}} read_only : tensor<2x4x100x64xf32> to memref<2x4x100x64xf32, strided<[?, ?, ?, 1], offset: ?>>
// CHECK: bufferization.to_buffer %[[KT]] read_only
// CHECK: %[[OUT:.*]] = memref.alloc() : memref<2x4x100x32xf32>
// CHECK-NOT: memref.alloc
// CHECK: scf.parallel
// CHECK: memref.alloca_scope {
// CHECK: memref.alloca() : memref<64x32xf32>
// CHECK: vector.fma {{.*}} : vector<16xf32>
// CHECK: vector.maskedload
// CHECK: math.exp {{.*}} : vector<16xf32>
// CHECK: vector.reduction <maximumf>
// CHECK: %{{.*}} = bufferization.to_tensor %[[OUT]] restrict writable : memref<2x4x100x32xf32> to tensor<2x4x100x32xf32>
func.func @full(%q: tensor<2x4x100x64xf32>, %k: tensor<2x4x100x64xf32>,
                %v: tensor<2x4x100x32xf32>) -> tensor<2x4x100x32xf32> {
  %o = attn.flex %q, %k, %v scale 0.125
      : tensor<2x4x100x64xf32>, tensor<2x4x100x64xf32>, tensor<2x4x100x32xf32>
      -> tensor<2x4x100x32xf32>
  return %o : tensor<2x4x100x32xf32>
}

// -----

// Causal with symbolic lengths and the log-sum-exp: a block-mask table
// (one byte per block pair, mask_mod reads neither batch nor head) filled
// by a parallel loop that evaluates mask_mod on index vectors; the kernel
// loads the class of each block pair and inlines mask_mod on vectors.
// CHECK-LABEL: func.func @causal
// CHECK: %[[TABLE:.*]] = memref.alloc(%{{.*}}) : memref<?xi8>
// CHECK: scf.parallel
// CHECK: arith.cmpi uge, %{{.*}}, %{{.*}} : vector<16xindex>
// CHECK: vector.reduction <or>
// CHECK: vector.reduction <and>
// CHECK: memref.store %{{.*}}, %[[TABLE]]
// CHECK: scf.parallel
// CHECK: memref.load %[[TABLE]]
// CHECK: arith.cmpi uge, %{{.*}}, %{{.*}} : vector<16xindex>
// CHECK: math.log
func.func @causal(%q: tensor<1x8x?x64xf32>, %k: tensor<1x2x?x64xf32>,
                  %v: tensor<1x2x?x64xf32>)
    -> (tensor<1x8x?x64xf32>, tensor<1x8x?xf32>) {
  %o, %l = attn.flex %q, %k, %v scale 0.125
      : tensor<1x8x?x64xf32>, tensor<1x2x?x64xf32>, tensor<1x2x?x64xf32>
      -> tensor<1x8x?x64xf32>, tensor<1x8x?xf32>
      mask_mod {
      ^bb0(%b: index, %h: index, %i: index, %j: index):
        %keep = arith.cmpi uge, %i, %j : index
        attn.yield %keep : i1
      }
  return %o, %l : tensor<1x8x?x64xf32>, tensor<1x8x?xf32>
}

// -----

// A captured table read with a vector of key indices: a gather through the
// flattened buffer.
// CHECK-LABEL: func.func @bias
// CHECK: %[[TABLE:.*]] = bufferization.to_buffer %{{.*}} read_only : tensor<4x255xf32> to memref<4x255xf32>
// CHECK: %[[FLAT:.*]] = memref.collapse_shape %[[TABLE]] {{\[}}[0, 1]]
// CHECK: vector.gather %[[FLAT]]
func.func @bias(%q: tensor<1x4x128x64xf32>, %table: tensor<4x255xf32>)
    -> tensor<1x4x128x64xf32> {
  %o = attn.flex %q, %q, %q captures(%table : tensor<4x255xf32>) scale 0.125
      : tensor<1x4x128x64xf32>, tensor<1x4x128x64xf32>, tensor<1x4x128x64xf32>
      -> tensor<1x4x128x64xf32>
      score_mod {
      ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index,
           %t: tensor<4x255xf32>):
        %c127 = arith.constant 127 : index
        %d = arith.subi %j, %i : index
        %r = arith.addi %d, %c127 : index
        %x = tensor.extract %t[%h, %r] : tensor<4x255xf32>
        %y = arith.addf %s, %x : f32
        attn.yield %y : f32
      }
  return %o : tensor<1x4x128x64xf32>
}

// -----

// bf16 has no CPU kernel: the op stays (for ddl-flex-to-linalg).
// CHECK-LABEL: func.func @bf16
// CHECK: attn.flex
func.func @bf16(%q: tensor<1x4x128x64xbf16>) -> tensor<1x4x128x64xbf16> {
  %o = attn.flex %q, %q, %q scale 0.125
      : tensor<1x4x128x64xbf16>, tensor<1x4x128x64xbf16>, tensor<1x4x128x64xbf16>
      -> tensor<1x4x128x64xbf16>
  return %o : tensor<1x4x128x64xbf16>
}

// -----

// Static sizes and a mask_mod on indices only: the block mask is computed
// now. 100 queries and keys in 64 x 64 blocks: the first query block sees
// a partial (diagonal) and an empty block, the second a full block and a
// partial one (diagonal, past the keys).
// CHECK-LABEL: func.func @static_causal
// CHECK: arith.constant dense<[1, 0, 2, 1]> : tensor<4xi8>
// CHECK-NOT: vector.reduction <or>
// CHECK: scf.parallel
func.func @static_causal(%q: tensor<1x2x100x64xf32>)
    -> tensor<1x2x100x64xf32> {
  %o = attn.flex %q, %q, %q scale 0.125
      : tensor<1x2x100x64xf32>, tensor<1x2x100x64xf32>, tensor<1x2x100x64xf32>
      -> tensor<1x2x100x64xf32>
      mask_mod {
      ^bb0(%b: index, %h: index, %i: index, %j: index):
        %keep = arith.cmpi uge, %i, %j : index
        attn.yield %keep : i1
      }
  return %o : tensor<1x2x100x64xf32>
}

// -----

// A schedule sets the blocks: 32 query rows against 32 keys (2 key vectors
// per row, so 8 rows per register tile). The mask is a causal sliding
// window that grows with the head (64 keys for head 0, 128 for head 1), so
// the table is per head: head 0 skips the blocks left of its window.
// CHECK-LABEL: func.func @scheduled
// CHECK: arith.constant dense<[1, 0, 0, 0, 2, 1, 0, 0, 1, 2, 1, 0, 0, 1, 2, 1, 1, 0, 0, 0, 2, 1, 0, 0, 2, 2, 1, 0, 2, 2, 2, 1]> : tensor<32xi8>
// CHECK: memref.alloca() : memref<32x64xf32>
// CHECK: memref.alloca() : memref<8x32xf32>
func.func @scheduled(%q: tensor<1x2x128x64xf32>) -> tensor<1x2x128x64xf32> {
  %o = attn.flex %q, %q, %q scale 0.125
      {sched.schedule = #sched.attention<block = [32, 32]>}
      : tensor<1x2x128x64xf32>, tensor<1x2x128x64xf32>, tensor<1x2x128x64xf32>
      -> tensor<1x2x128x64xf32>
      mask_mod {
      ^bb0(%b: index, %h: index, %i: index, %j: index):
        %c64 = arith.constant 64 : index
        %one = arith.constant 1 : index
        %h1 = arith.addi %h, %one : index
        %w = arith.muli %h1, %c64 : index
        %causal = arith.cmpi uge, %i, %j : index
        %d = arith.subi %i, %j : index
        %near = arith.cmpi ult, %d, %w : index
        %keep = arith.andi %causal, %near : i1
        attn.yield %keep : i1
      }
  return %o : tensor<1x2x128x64xf32>
}
