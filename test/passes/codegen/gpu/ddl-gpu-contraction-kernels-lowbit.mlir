// RUN: ddl-opt %s --split-input-file --ddl-lowbit-to-linalg --one-shot-bufferize="bufferize-function-boundaries=1 function-boundary-type-conversion=identity-layout-map" --canonicalize --ddl-gpu-contraction-kernels="precision=bf16 hopper=1" | FileCheck %s
// RUN: ddl-opt %s --split-input-file --ddl-lowbit-to-linalg --one-shot-bufferize="bufferize-function-boundaries=1 function-boundary-type-conversion=identity-layout-map" --canonicalize --ddl-gpu-contraction-kernels="precision=fp32" | FileCheck %s --check-prefix=SIMT

// lowbit.matmul_fp8's generic (marked lowbit.e4m3_operands) on sm_90a: the
// Hopper kernel multiplies the bytes as they are, wgmma m64n128k32 e4m3
// (4 k steps of 32 bytes a 128-byte staged row), both operands k-major,
// promoted: the slice's first step ignores the accumulators (scale-d 0),
// the slice is waited for and its partial sums added into f32 totals
// before its stage is released,
// their TMA descriptors of uint8 elements (ddl_dtype 2). Where TMA cannot
// take them, the kernel of the precision option runs: bf16 mma.sync, its
// 8-byte chunks of bytes decoded (E4M3's exponent rebiased into f32's:
// + 120 << 23) and rounded to bf16 as they are staged.
// CHECK-LABEL: func.func @fp8
// CHECK:         %[[DTYPE:.*]] = llvm.mlir.constant(2 : i32) : i32
// CHECK:         llvm.call %{{.*}}(%{{.*}}, %{{.*}}, %[[DTYPE]],
// CHECK:         scf.if
// CHECK:           gpu.launch_func  @gemm_wgmma_e4m3::@gemm_wgmma_e4m3
// CHECK:         } else {
// CHECK:           gpu.launch {{.*}} function(@gemm_mma_bf16)
// CHECK:             vector.load %arg0[{{.*}}] {alignment = 8 : i64} : memref<256x512xi8>, vector<8xi8>
// CHECK:             arith.extui %{{.*}} : vector<8xi8> to vector<8xi32>
// CHECK:             arith.addi %{{.*}}, %cst{{.*}} : vector<8xi32>
// CHECK:             arith.truncf %{{.*}} : vector<8xf32> to vector<8xbf16>
// CHECK:             nvvm.mma.sync
// CHECK:       gpu.module @gemm_wgmma_e4m3
// CHECK:           nvvm.wgmma.mma_async {{.*}} <m = 64, n = 128, k = 32>, D[<f32>, <zero>], A[<e4m3>, <one>, <row>], B[<e4m3>, <one>, <col>]
// CHECK-COUNT-3:   nvvm.wgmma.mma_async {{.*}} <m = 64, n = 128, k = 32>, D[<f32>, <one>], A[<e4m3>, <one>, <row>], B[<e4m3>, <one>, <col>]
// CHECK:           nvvm.wgmma.commit.group.sync.aligned
// CHECK-NEXT:      nvvm.wgmma.wait.group.sync.aligned 0
// CHECK-COUNT-64:  arith.addf %{{.*}}, %{{.*}} : f32
// CHECK:           nvvm.mbarrier.arrive

// fp32 without Hopper: the SIMT kernel, each byte decoded as it loads.
// SIMT-LABEL: func.func @fp8
// SIMT-NOT:     gemm_wgmma
// SIMT:         gpu.launch {{.*}} function(@gemm_simt)
// SIMT:           memref.load %arg0{{.*}} : memref<256x512xi8>
// SIMT:           arith.extui %{{.*}} : i8 to i32
// SIMT-NOT:     linalg.generic
func.func @fp8(%x: tensor<256x512xi8>, %w: tensor<384x512xi8>) -> tensor<256x384xf32> {
  %y = lowbit.matmul_fp8 %x, %w : (tensor<256x512xi8>, tensor<384x512xi8>) -> tensor<256x384xf32>
  return %y : tensor<256x384xf32>
}

// -----

// lowbit.matmul without zero points (s8 x s8, as --quantize=int8 makes it)
// on constant weights: the weights transposed to [384, 512] at compile
// time (k contiguous), the product marked lowbit.s8_operands; on sm_90a
// wgmma m64n256k32 s8 into i32 accumulators (C = the fill, 0, plus the
// product: not read). Where TMA cannot take the operands the fill and the
// product stay as they were, for the map kernels (exact i32). Without
// Hopper nothing is built: the map kernels run them.
// CHECK-LABEL: func.func @s8
// CHECK:         memref.get_global @{{.*}} : memref<384x512xi8>
// CHECK:         scf.if
// CHECK:           gpu.launch_func  @gemm_wgmma_s8::@gemm_wgmma_s8 {{.*}} args({{.*}}, %c0_i32 : i32)
// CHECK:         } else {
// CHECK:           linalg.fill ins(%c0_i32 : i32)
// CHECK:           linalg.generic {{.*}} attrs =  {lowbit.s8_operands}
// CHECK:       gpu.module @gemm_wgmma_s8
// CHECK:         gpu.func @gemm_wgmma_s8({{.*}}, %[[FILL:.*]]: i32) kernel
// CHECK:           llvm.insertvalue %[[FILL]]
// CHECK-COUNT-4:   nvvm.wgmma.mma_async {{.*}} <m = 64, n = 256, k = 32>, D[<s32>, <one>, <wrapped>], A[<s8>, <one>, <row>], B[<s8>, <one>, <col>]
// CHECK-NOT:       arith.addi %{{.*}} : i32{{$}}
// CHECK:           memref.store %{{.*}} : memref<256x384xi32>
// SIMT-LABEL: func.func @s8
// SIMT-NOT:     gpu.launch
// SIMT:         linalg.generic {{.*}} attrs =  {lowbit.s8_operands}
func.func @s8(%x: tensor<256x512xi8>) -> tensor<256x384xi32> {
  %w = arith.constant dense<3> : tensor<512x384xi8>
  %z = arith.constant dense<0> : tensor<i8>
  %y = lowbit.matmul %x, %w, %z, %z {lhs_unsigned = false, rhs_unsigned = false} : (tensor<256x512xi8>, tensor<512x384xi8>, tensor<i8>, tensor<i8>) -> tensor<256x384xi32>
  return %y : tensor<256x384xi32>
}
