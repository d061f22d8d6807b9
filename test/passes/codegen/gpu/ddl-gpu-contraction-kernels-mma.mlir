// RUN: ddl-opt %s --ddl-gpu-contraction-kernels=precision=bf16 --split-input-file | FileCheck %s --check-prefix=BF16
// RUN: ddl-opt %s --ddl-gpu-contraction-kernels=precision=tf32 --split-input-file | FileCheck %s --check-prefix=TF32
// RUN: ddl-opt %s --ddl-gpu-contraction-kernels=precision=fp16 --split-input-file | FileCheck %s --check-prefix=FP16
// RUN: not ddl-opt %s --ddl-gpu-contraction-kernels=precision=fp8 2>&1 | FileCheck %s --check-prefix=BAD

// BAD: ddl-gpu-contraction-kernels: unknown precision 'fp8' (expected fp32, tf32, bf16 or fp16)

// The tensor-core kernel: 128 x 128 tiles of C by 256 threads, A and B
// slices staged as 32-bit words (two bf16 per word, 16 + 4 padding words
// a row), 4 x 4 mma tiles per warp, so 64 accumulators; each k step of 16
// is 16 mma.sync m16n8k16, two per 32-deep slice.
// BF16-LABEL: func.func @linear
// BF16:         arith.ceildivsi %{{.*}}, %c128
// BF16:         gpu.launch {{.*}} function(@gemm_mma_bf16)
// BF16-SAME:      workgroup(%[[AS:.*]] : memref<128x20xi32, #gpu.address_space<workgroup>>, %[[BS:.*]] : memref<128x20xi32, #gpu.address_space<workgroup>>)
// The first slice's words, before the loop: bf16 pairs packed low-k first.
// BF16:           arith.truncf %{{.*}} : f32 to bf16
// BF16:           arith.bitcast %{{.*}} : bf16 to i16
// BF16:           arith.shli
// BF16:           arith.ori
// BF16:           scf.for {{.*}} iter_args(
// BF16:             memref.store %{{.*}}, %[[AS]]
// BF16:             gpu.barrier
// The next slice's loads come before the math.
// BF16:             memref.load %arg0
// BF16-COUNT-32:    nvvm.mma.sync {{.*}}multiplicandAPtxType = #nvvm.mma_type<bf16>{{.*}}shape = #nvvm.shape<m = 16, n = 8, k = 16>
// BF16:             gpu.barrier
// BF16:           memref.store %{{.*}}, %arg2
// BF16-NOT:     linalg.matmul

// tf32: one element per word, rounded by cvt.rna; m16n8k8.
// TF32-LABEL: func.func @linear
// TF32:         workgroup(%{{.*}} : memref<128x36xi32, #gpu.address_space<workgroup>>
// TF32:           nvvm.convert.float.to.tf32 %{{.*}} {rnd = #nvvm.fp_rnd_mode<rna>}
// TF32-COUNT-64:    nvvm.mma.sync {{.*}}multiplicandAPtxType = #nvvm.mma_type<tf32>{{.*}}shape = #nvvm.shape<m = 16, n = 8, k = 8>

// fp16: the fragments are vector<2xf16> (the operand type NVVM takes).
// FP16-LABEL: func.func @linear
// FP16:           llvm.bitcast %{{.*}} : i32 to vector<2xf16>
// FP16:           nvvm.mma.sync {{.*}}shape = #nvvm.shape<m = 16, n = 8, k = 16>} : (vector<2xf16>, vector<2xf16>, f32)
func.func @linear(%a: memref<?x300xf32>, %w: memref<200x300xf32>, %c: memref<?x200xf32>) {
  linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>,
                                affine_map<(m, n, k) -> (n, k)>,
                                affine_map<(m, n, k) -> (m, n)>]
      ins(%a, %w : memref<?x300xf32>, memref<200x300xf32>) outs(%c : memref<?x200xf32>)
  return
}

// -----

// bf16 operands and result: loaded as they are, the f32 sums rounded to
// bf16 when C is written (C += the tile, read and written as bf16).
// BF16-LABEL: func.func @bf16_operands
// BF16:           nvvm.mma.sync
// BF16:           %[[OLD:.*]] = memref.load %arg2
// BF16:           %[[WIDE:.*]] = arith.extf %[[OLD]] : bf16 to f32
// BF16:           %[[SUM:.*]] = arith.addf %[[WIDE]]
// BF16:           %[[NARROW:.*]] = arith.truncf %[[SUM]] : f32 to bf16
// BF16:           memref.store %[[NARROW]], %arg2
func.func @bf16_operands(%a: memref<64x64xbf16>, %b: memref<64x64xbf16>, %c: memref<64x64xbf16>) {
  linalg.matmul ins(%a, %b : memref<64x64xbf16>, memref<64x64xbf16>) outs(%c : memref<64x64xbf16>)
  return
}
