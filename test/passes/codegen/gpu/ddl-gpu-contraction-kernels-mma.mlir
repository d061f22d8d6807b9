// RUN: ddl-opt %s --ddl-gpu-contraction-kernels=precision=bf16 --split-input-file | FileCheck %s --check-prefix=BF16
// RUN: ddl-opt %s --ddl-gpu-contraction-kernels=precision=tf32 --split-input-file | FileCheck %s --check-prefix=TF32
// RUN: ddl-opt %s --ddl-gpu-contraction-kernels=precision=fp16 --split-input-file | FileCheck %s --check-prefix=FP16
// RUN: not ddl-opt %s --ddl-gpu-contraction-kernels=precision=fp8 2>&1 | FileCheck %s --check-prefix=BAD

// BAD: ddl-gpu-contraction-kernels: unknown precision 'fp8' (expected fp32, tf32, bf16 or fp16)

// The bf16 / fp16 tensor-core kernel: 128 x 128 tiles of C by 256
// threads, A and B slices staged in their own layout ([m][k] and [n][k]
// here, 32 + 8 padding elements a row), 4 x 4 mma tiles per warp, so 64
// accumulators; fragments by ldmatrix; each k step of 16 is 16 mma.sync
// m16n8k16, two per 32-deep slice.
// BF16-LABEL: func.func @linear
// BF16:         arith.ceildivsi %{{.*}}, %c128
// BF16:         gpu.launch {{.*}} function(@gemm_mma_bf16)
// BF16-SAME:      workgroup(%[[AS:.*]] : memref<128x40xbf16, #gpu.address_space<workgroup>>, %[[BS:.*]] : memref<128x40xbf16, #gpu.address_space<workgroup>>)
// 16-byte loads need rows starting 16-byte aligned: pointer and strides.
// BF16:           memref.extract_strided_metadata %arg0
// BF16:           memref.extract_aligned_pointer_as_index %arg0
// BF16:           arith.remui %{{.*}}, %c16
// The first slice's chunks, before the loop: 8 f32 rounded to bf16 at
// once inside the operand, element by element (bounds-checked) outside.
// BF16:           scf.if
// BF16:             vector.load %arg0[{{.*}}] {alignment = 16 : i64} : memref<?x300xf32>, vector<8xf32>
// BF16:             arith.truncf %{{.*}} : vector<8xf32> to vector<8xbf16>
// BF16:           } else {
// BF16:             arith.truncf %{{.*}} : f32 to bf16
// BF16:             vector.from_elements {{.*}} : vector<8xbf16>
// BF16:           scf.for {{.*}} iter_args(
// BF16:             vector.store %{{.*}}, %[[AS]][{{.*}}] {alignment = 16 : i64}
// BF16:             gpu.barrier
// The next slice's loads come before the math.
// BF16:             vector.load %arg0
// BF16-COUNT-4:     nvgpu.ldmatrix %[[AS]][{{.*}}] {numTiles = 4 : i32, transpose = false}
// BF16-COUNT-2:     nvgpu.ldmatrix %[[BS]][{{.*}}] {numTiles = 4 : i32, transpose = false}
// BF16-COUNT-16:    nvvm.mma.sync {{.*}}multiplicandAPtxType = #nvvm.mma_type<bf16>{{.*}}shape = #nvvm.shape<m = 16, n = 8, k = 16>
// BF16-COUNT-6:     nvgpu.ldmatrix
// BF16-COUNT-16:    nvvm.mma.sync
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
// FP16:           nvgpu.ldmatrix {{.*}} -> vector<4x2xf16>
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

// -----

// B with n contiguous (a @ b): staged [k][n] and read by ldmatrix.trans;
// a transposed A ([k][m]) likewise. Row strides of 8 bf16 and a 16-byte
// aligned start are checked at run time for dynamic strides.
// BF16-LABEL: func.func @k_outer
// BF16:         workgroup(%[[AT:.*]] : memref<32x136xbf16, #gpu.address_space<workgroup>>, %[[BT:.*]] : memref<32x136xbf16, #gpu.address_space<workgroup>>)
// BF16:           arith.remui %{{.*}}, %c8
// BF16:             nvgpu.ldmatrix %[[AT]][{{.*}}] {numTiles = 4 : i32, transpose = true}
// BF16:             nvgpu.ldmatrix %[[BT]][{{.*}}] {numTiles = 4 : i32, transpose = true}
func.func @k_outer(%a: memref<?x?xbf16>, %b: memref<?x?xbf16>, %c: memref<?x?xbf16>) {
  linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (k, m)>,
                                affine_map<(m, n, k) -> (k, n)>,
                                affine_map<(m, n, k) -> (m, n)>]
      ins(%a, %b : memref<?x?xbf16>, memref<?x?xbf16>) outs(%c : memref<?x?xbf16>)
  return
}

// -----

// A column-major A (unit stride along m, not its last dimension): staged
// [k][m], element by element (vector loads need a unit-stride last
// dimension).
// BF16-LABEL: func.func @column_major_a
// BF16:         workgroup(%{{.*}} : memref<32x136xbf16, #gpu.address_space<workgroup>>, %{{.*}} : memref<128x40xbf16, #gpu.address_space<workgroup>>)
// BF16-NOT:       vector.load %arg0
// BF16:           vector.load %arg1
// BF16-NOT:       vector.load %arg0
func.func @column_major_a(%a: memref<?x?xbf16, strided<[1, ?], offset: ?>>, %b: memref<?x?xbf16>, %c: memref<?x?xbf16>) {
  linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>,
                                affine_map<(m, n, k) -> (n, k)>,
                                affine_map<(m, n, k) -> (m, n)>]
      ins(%a, %b : memref<?x?xbf16, strided<[1, ?], offset: ?>>, memref<?x?xbf16>) outs(%c : memref<?x?xbf16>)
  return
}

// -----

// An operand whose contiguous dimension is neither k nor its row loop (a
// batch dimension) is staged element by element only.
// BF16-LABEL: func.func @batch_innermost
// BF16-NOT:       vector.load %arg1
// BF16:           nvgpu.ldmatrix
func.func @batch_innermost(%a: memref<4x64x64xbf16>, %b: memref<64x64x4xbf16>, %c: memref<4x64x64xbf16>) {
  linalg.generic {indexing_maps = [affine_map<(bt, m, n, k) -> (bt, m, k)>,
                                   affine_map<(bt, m, n, k) -> (k, n, bt)>,
                                   affine_map<(bt, m, n, k) -> (bt, m, n)>],
                  iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<4x64x64xbf16>, memref<64x64x4xbf16>) outs(%c : memref<4x64x64xbf16>) {
  ^bb0(%x: bf16, %y: bf16, %acc: bf16):
    %p = arith.mulf %x, %y : bf16
    %s = arith.addf %acc, %p : bf16
    linalg.yield %s : bf16
  }
  return
}
