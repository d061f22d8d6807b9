// RUN: ddl-opt %s --ddl-flex-to-gpu-kernel="precision=bf16" --split-input-file | FileCheck %s
// RUN: ddl-opt %s --ddl-flex-to-gpu-kernel --split-input-file | FileCheck %s --check-prefix=FP32
// RUN: ddl-opt %s --ddl-flex-to-gpu-kernel="precision=bf16 hopper=true" --split-input-file | FileCheck %s --check-prefix=HOPPER
// RUN: not ddl-opt %s --ddl-flex-to-gpu-kernel="precision=int3" --split-input-file 2>&1 | FileCheck %s --check-prefix=BAD
// BAD: ddl-flex-to-gpu-kernel: unknown precision 'int3'

// Full attention on f32 tensors with precision=bf16: one launch of 4-warp
// blocks over (query block, head, batch) with 4 x 64 KiB of tiles in
// dynamic shared memory (two stages of keys, two of values: 4 x 64 x 72
// bf16); f32 operands are loaded, rounded and stored (no cp.async: not of
// the compute type); Q K^T and P V on mma.sync m16n8k16 with fragments
// from ldmatrix (.trans for V), the row max across the 4 lanes of a row
// with xor shuffles, exp2. No mask_mod: no block list.
// With precision=fp32 the instance is left for ddl-flex-to-linalg.
// CHECK-LABEL: func.func @full
// CHECK-NOT: memref<{{[0-9]+}}xi32>
// CHECK: %[[OUT:.*]] = memref.alloc() : memref<2x4x100x64xf32>
// CHECK: gpu.launch blocks({{.*}}) in ({{.*}} = %{{.*}}, {{.*}} = %{{.*}}, {{.*}} = %{{.*}}) threads({{.*}}) in ({{.*}} = %c128{{.*}}) dynamic_shared_memory_size %c36864_i32 function(@flex_attention_mma_bf16)
// CHECK: memref.get_global @__ddl_flex_smem : memref<0xi8, #gpu.address_space<workgroup>>
// CHECK: arith.truncf %{{.*}} : vector<8xf32> to vector<8xbf16>
// CHECK: nvgpu.ldmatrix %{{.*}} {numTiles = 4 : i32, transpose = false} : memref<64x72xbf16, #gpu.address_space<workgroup>> -> vector<4x2xbf16>
// CHECK: scf.for
// CHECK: nvvm.mma.sync {{.*}} : (i32, i32, f32) -> !llvm.struct<(f32, f32, f32, f32)>
// CHECK: gpu.shuffle  xor
// CHECK: math.exp2
// CHECK: nvgpu.device_async_wait
// CHECK: nvgpu.ldmatrix %{{.*}} {numTiles = 4 : i32, transpose = true}
// CHECK: bufferization.to_tensor %[[OUT]]
// CHECK-NOT: attn.flex
// FP32-LABEL: func.func @full
// FP32: attn.flex
// FP32-NOT: gpu.launch
func.func @full(%q: tensor<2x4x100x64xf32>, %k: tensor<2x4x100x64xf32>,
                %v: tensor<2x4x100x64xf32>) -> tensor<2x4x100x64xf32> {
  %o = attn.flex %q, %k, %v scale 0.125
      : tensor<2x4x100x64xf32>, tensor<2x4x100x64xf32>, tensor<2x4x100x64xf32>
      -> tensor<2x4x100x64xf32>
  return %o : tensor<2x4x100x64xf32>
}

// -----

// Causal on bf16 tensors, with the log-sum-exp: the kernel applies at any
// precision (the inputs are bf16); K and V are staged with 16-byte
// cp.async (zero-filled past the keys) when their rows are aligned, which
// the host checks. The block list is a constant: per query block its
// visited key blocks as kvBlock * 4 + class (2 full, 1 partial), the
// diagonal partial: [1, 1 | 2, 2, 5 | 3, 2, 6, 9] for 3 x 3 blocks of 64
// (Sq = Skv = 150). mask_mod is inlined on scalars; lse is written.
// CHECK-LABEL: func.func @causal
// CHECK: arith.constant dense<[1, 1, 0, 0, 2, 2, 5, 0, 3, 2, 6, 9]> : tensor<12xi32>
// CHECK: gpu.launch
// CHECK: nvgpu.device_async_copy {{.*}}, 8, %{{.*}} {bypassL1} : memref<1x2x150x64xbf16, strided<[?, ?, ?, 1], offset: ?>> to memref<64x72xbf16, #gpu.address_space<workgroup>>
// CHECK: nvgpu.device_async_create_group
// CHECK: arith.cmpi uge, %{{.*}}, %{{.*}} : index
// CHECK: math.log2
// CHECK: memref.store %{{.*}}, %{{.*}}[%{{.*}}, %{{.*}}, %{{.*}}] : memref<1x2x150xf32>
// FP32-LABEL: func.func @causal
// FP32: gpu.launch
func.func @causal(%q: tensor<1x2x150x64xbf16>, %k: tensor<1x2x150x64xbf16>,
                  %v: tensor<1x2x150x64xbf16>)
    -> (tensor<1x2x150x64xbf16>, tensor<1x2x150xf32>) {
  %o, %lse = attn.flex %q, %k, %v scale 0.125
      : tensor<1x2x150x64xbf16>, tensor<1x2x150x64xbf16>, tensor<1x2x150x64xbf16>
      -> tensor<1x2x150x64xbf16>, tensor<1x2x150xf32>
      mask_mod {
      ^bb0(%b: index, %h: index, %i: index, %j: index):
        %keep = arith.cmpi uge, %i, %j : index
        attn.yield %keep : i1
      }
  return %o, %lse : tensor<1x2x150x64xbf16>, tensor<1x2x150xf32>
}

// -----

// A head dim that is not a multiple of 16 stays for ddl-flex-to-linalg.
// CHECK-LABEL: func.func @head_dim_40
// CHECK: attn.flex
// CHECK-NOT: gpu.launch
func.func @head_dim_40(%q: tensor<1x2x32x40xbf16>, %k: tensor<1x2x32x40xbf16>,
                       %v: tensor<1x2x32x40xbf16>) -> tensor<1x2x32x40xbf16> {
  %o = attn.flex %q, %k, %v scale 0.125
      : tensor<1x2x32x40xbf16>, tensor<1x2x32x40xbf16>, tensor<1x2x32x40xbf16>
      -> tensor<1x2x32x40xbf16>
  return %o : tensor<1x2x32x40xbf16>
}

// -----

// Document masking (mask_mod reads a captured tensor: no block list at
// compile time): two kernels build it at run time before the attention
// kernel. The classifier runs a block per (batch x query block, key
// block) (mask_mod reads b but not h), mask_mod on 32 pairs per thread,
// any / all across the block with barrier reductions, the class byte
// stored by thread 0; the lister writes each row's count and visited
// blocks (kvBlock * 4 + class) into the list the attention kernel reads.
// CHECK-LABEL: func.func @document
// CHECK: %[[TABLE:.*]] = memref.alloc(%{{.*}}) : memref<?xi8>
// CHECK: %[[LIST:.*]] = memref.alloc(%{{.*}}) : memref<?xi32>
// CHECK: gpu.launch {{.*}} function(@flex_block_mask_classify)
// CHECK: scf.for %{{.*}} = %{{.*}} to %c32
// CHECK: memref.load {{.*}} : memref<2x300xi64>
// CHECK: nvvm.barrier #nvvm.reduction<or>
// CHECK: nvvm.barrier #nvvm.reduction<and>
// CHECK: memref.store %{{.*}}, %[[TABLE]]
// CHECK: gpu.launch {{.*}} function(@flex_block_list)
// CHECK: memref.load %[[TABLE]]
// CHECK: memref.store %{{.*}}, %[[LIST]]
// CHECK: gpu.launch {{.*}} function(@flex_attention_mma_bf16)
// CHECK: memref.load %[[LIST]]
func.func @document(%q: tensor<2x4x300x64xbf16>, %k: tensor<2x4x300x64xbf16>,
                   %v: tensor<2x4x300x64xbf16>, %doc: tensor<2x300xi64>)
    -> tensor<2x4x300x64xbf16> {
  %o = attn.flex %q, %k, %v captures(%doc : tensor<2x300xi64>) scale 0.125
      : tensor<2x4x300x64xbf16>, tensor<2x4x300x64xbf16>, tensor<2x4x300x64xbf16>
      -> tensor<2x4x300x64xbf16>
      mask_mod {
      ^bb0(%b: index, %h: index, %i: index, %j: index, %d: tensor<2x300xi64>):
        %x = tensor.extract %d[%b, %i] : tensor<2x300xi64>
        %y = tensor.extract %d[%b, %j] : tensor<2x300xi64>
        %keep = arith.cmpi eq, %x, %y : i64
        attn.yield %keep : i1
      }
  return %o : tensor<2x4x300x64xbf16>
}

// -----

// Decoding (GQA 32 / 8 heads, Sq 1: 4 rows per key/value head <= 16):
// flash-decoding. One warp per (split of the keys, key/value head,
// batch), 32 keys a step (2 x 2 stages of 32 x 136 bf16 = 34816 bytes);
// the splits' unnormalized outputs, row maxima and sums go to f32
// scratch ([B, Hkv, splits, 16] (x Dv)), and a second kernel, a block per
// (row, key/value head, batch) and a thread per value dim, combines them.
// CHECK-LABEL: func.func @decode
// CHECK: %[[MAX:.*]] = memref.alloc(%{{.*}}, %{{.*}}, %{{.*}}, %c16{{.*}}) : memref<?x?x?x?xf32>
// CHECK: %[[SUM:.*]] = memref.alloc(%{{.*}}, %{{.*}}, %{{.*}}, %c16{{.*}}) : memref<?x?x?x?xf32>
// CHECK: %[[PART:.*]] = memref.alloc(%{{.*}}, %{{.*}}, %{{.*}}, %c16{{.*}}, %c128{{.*}}) : memref<?x?x?x?x?xf32>
// CHECK: gpu.launch {{.*}} threads({{.*}}) in ({{.*}} = %c32{{.*}}, {{.*}}) dynamic_shared_memory_size %c34816_i32 function(@flex_decode_mma_bf16)
// CHECK: nvvm.mma.sync
// CHECK: vector.store %{{.*}}, %[[PART]]
// CHECK: memref.store %{{.*}}, %[[MAX]]
// CHECK: memref.store %{{.*}}, %[[SUM]]
// CHECK: gpu.launch {{.*}} threads({{.*}}) in ({{.*}} = %c128{{.*}}, {{.*}}) function(@flex_decode_combine)
// CHECK: math.exp2
// CHECK: memref.store %{{.*}} : memref<1x32x1x128xbf16>
func.func @decode(%q: tensor<1x32x1x128xbf16>, %k: tensor<1x8x4096x128xbf16>,
                  %v: tensor<1x8x4096x128xbf16>) -> tensor<1x32x1x128xbf16> {
  %o = attn.flex %q, %k, %v scale 0.088
      : tensor<1x32x1x128xbf16>, tensor<1x8x4096x128xbf16>, tensor<1x8x4096x128xbf16>
      -> tensor<1x32x1x128xbf16>
  return %o : tensor<1x32x1x128xbf16>
}

// -----

// hopper=true (sm_90a), head dims of 128: the wgmma kernel. Shared memory:
// two key and two value stages of 64 x 128 bf16 in the 128-byte swizzle
// (16384 bytes each, two 64-wide slices, 1-D views that cp.async fills at swizzled offsets),
// then Q's padded 64 x 136 tile (17408 bytes), and 1024 bytes to align the
// tiles at run time (the dynamic shared memory's base is only 16-byte
// aligned); Q K^T and P V are inline
// wgmma statements on descriptors of the stages, after
// fence.proxy.async. Head and value dims of 64 (@narrow): P V has Q K^T's
// m64n64k16 shape, and Q's fragments are loaded in the key loop, not once
// before it (kept across the loop, ptxas gave their registers to P's).
// At 128 (@hopper) they are loaded once.
// HOPPER-LABEL: func.func @hopper
// HOPPER: gpu.launch {{.*}} dynamic_shared_memory_size %c83968_i32 function(@flex_attention_wgmma_bf16)
// HOPPER: memref.extract_aligned_pointer_as_index
// HOPPER: nvgpu.ldmatrix
// HOPPER: scf.for
// HOPPER: nvgpu.device_async_copy {{.*}} : memref<1x2x200x128xbf16, strided<[?, ?, ?, 1], offset: ?>> to memref<8192xbf16, #gpu.address_space<workgroup>>
// HOPPER: llvm.inline_asm has_side_effects "fence.proxy.async.shared::cta;"
// HOPPER: llvm.inline_asm has_side_effects "wgmma.fence.sync.aligned;"
// HOPPER: wgmma.mma_async.sync.aligned.m64n{{64|128}}k16.f32.bf16.bf16
// HOPPER: llvm.inline_asm has_side_effects "wgmma.wait_group.sync.aligned 0;"
// HOPPER-LABEL: func.func @narrow
// HOPPER: function(@flex_attention_wgmma_bf16)
// HOPPER-NOT: nvgpu.ldmatrix
// HOPPER: scf.for
// HOPPER: nvgpu.ldmatrix {{.*}} {numTiles = 4 : i32, transpose = false}
// HOPPER: wgmma.mma_async.sync.aligned.m64n64k16.f32.bf16.bf16
// HOPPER: wgmma.mma_async.sync.aligned.m64n64k16.f32.bf16.bf16
func.func @hopper(%q: tensor<1x2x200x128xbf16>, %k: tensor<1x2x200x128xbf16>,
                  %v: tensor<1x2x200x128xbf16>) -> tensor<1x2x200x128xbf16> {
  %o = attn.flex %q, %k, %v scale 0.125
      : tensor<1x2x200x128xbf16>, tensor<1x2x200x128xbf16>, tensor<1x2x200x128xbf16>
      -> tensor<1x2x200x128xbf16>
  return %o : tensor<1x2x200x128xbf16>
}

// -----

func.func @narrow(%q: tensor<1x2x200x64xbf16>, %k: tensor<1x2x200x64xbf16>,
                  %v: tensor<1x2x200x64xbf16>) -> tensor<1x2x200x64xbf16> {
  %o = attn.flex %q, %k, %v scale 0.125
      : tensor<1x2x200x64xbf16>, tensor<1x2x200x64xbf16>, tensor<1x2x200x64xbf16>
      -> tensor<1x2x200x64xbf16>
  return %o : tensor<1x2x200x64xbf16>
}
