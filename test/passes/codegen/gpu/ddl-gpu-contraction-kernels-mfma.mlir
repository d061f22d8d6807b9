// RUN: ddl-opt %s --ddl-gpu-contraction-kernels="precision=bf16 mfma=1" --split-input-file | FileCheck %s
// RUN: ddl-opt %s --ddl-gpu-contraction-kernels="precision=fp16 mfma=1" --split-input-file | FileCheck %s --check-prefix=F16
// RUN: not ddl-opt %s --ddl-gpu-contraction-kernels="precision=tf32 mfma=1" --split-input-file 2>&1 | FileCheck %s --check-prefix=TF32

// ROCm (gfx90a, gfx942): bf16 operands on the matrix cores. 4 waves of 64
// lanes (256 threads) a 128 x 128 tile; 32-deep slices of A ([m][k]) and
// B ([n][k]) staged in shared memory as bf16, rows padded to 36; each
// 16-deep step reads one 4-element fragment per 16-row tile (4 of A, 4 of
// B) and runs 4 x 4 16x16x16 MFMAs, bf16 passed as i16 words (the _1k
// variant). The fill folds (the accumulators start from it), and so does
// the rounding of C to bf16 (its consumer).
// CHECK-LABEL: func.func @bf16_matmul
// CHECK:         %[[OUT:.*]] = memref.alloc() : memref<200x300xbf16>
// CHECK:         gpu.launch {{.*}} threads({{.*}}) in (%{{.*}} = %c256{{.*}}, {{.*}}) function(@gemm_mfma_bf16) workgroup(%[[AT:.*]] : memref<128x36xbf16, #gpu.address_space<workgroup>>, %[[BT:.*]] : memref<128x36xbf16, #gpu.address_space<workgroup>>)
// CHECK:           vector.broadcast %{{.*}} : f32 to vector<4xf32>
// CHECK:           scf.for
// CHECK:             memref.store %{{.*}}, %[[AT]]
// CHECK:             gpu.barrier
// CHECK-COUNT-8:     vector.load %{{.*}} : memref<128x36xbf16, #gpu.address_space<workgroup>>, vector<4xbf16>
// CHECK:             arith.bitcast %{{.*}} : vector<4xbf16> to vector<4xi16>
// CHECK-COUNT-16:    rocdl.mfma.f32.16x16x16bf16.1k
// CHECK:             gpu.barrier
// CHECK:           vector.extract
// CHECK:           arith.truncf %{{.*}} : f32 to bf16
// CHECK:           memref.store %{{.*}}, %[[OUT]]
// CHECK-NOT:     linalg.
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @bf16_matmul(%a: memref<200x96xbf16>, %b: memref<96x300xbf16>) -> memref<200x300xbf16> {
  %zero = arith.constant 0.0 : f32
  %c = memref.alloc() : memref<200x300xf32>
  linalg.fill ins(%zero : f32) outs(%c : memref<200x300xf32>)
  linalg.matmul ins(%a, %b : memref<200x96xbf16>, memref<96x300xbf16>) outs(%c : memref<200x300xf32>)
  %out = memref.alloc() : memref<200x300xbf16>
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%c : memref<200x300xf32>) outs(%out : memref<200x300xbf16>) {
  ^bb0(%x: f32, %o: bf16):
    %r = arith.truncf %x : f32 to bf16
    linalg.yield %r : bf16
  }
  return %out : memref<200x300xbf16>
}

// -----

// f16, f32 operands converted as they are staged, C += A B (no fill).
// F16-LABEL: func.func @f16_linear
// F16:         gpu.launch {{.*}} function(@gemm_mfma_fp16) workgroup(%{{.*}} : memref<128x36xf16, #gpu.address_space<workgroup>>, %{{.*}} : memref<128x36xf16, #gpu.address_space<workgroup>>)
// F16:           arith.truncf %{{.*}} : f32 to f16
// F16-NOT:       arith.bitcast
// F16-COUNT-16:  rocdl.mfma.f32.16x16x16f16 {{.*}} : (vector<4xf16>, vector<4xf16>, vector<4xf32>, i32, i32, i32) -> vector<4xf32>
// F16:           memref.load %{{.*}} : memref<?x64xf32>
// F16:           arith.addf
// TF32: ddl-gpu-contraction-kernels: precision tf32 has no MFMA kernel (AMD's xf32 is gfx942's only); use bf16 or fp16
func.func @f16_linear(%x: memref<?x512xf32>, %w: memref<64x512xf32>, %y: memref<?x64xf32>) {
  linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
      ins(%x, %w : memref<?x512xf32>, memref<64x512xf32>) outs(%y : memref<?x64xf32>)
  return
}
