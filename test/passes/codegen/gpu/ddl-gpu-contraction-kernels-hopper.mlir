// RUN: ddl-opt %s --ddl-gpu-contraction-kernels="precision=bf16 hopper=1" --split-input-file | FileCheck %s
// RUN: ddl-opt %s --ddl-gpu-contraction-kernels="precision=tf32 hopper=1" --split-input-file | FileCheck %s --check-prefix=TF32
// RUN: ddl-opt %s --split-input-file --pass-pipeline='builtin.module(ddl-gpu-contraction-kernels{precision=bf16 hopper=1},convert-scf-to-cf,convert-cf-to-llvm,gpu.module(convert-gpu-to-nvvm{index-bitwidth=64},convert-nvvm-to-llvm,ddl-gpu-by-value-params))' | FileCheck %s --check-prefix=NVVM

// bf16 operands (A k-major, B n-major) on sm_90a: the host encodes both
// TMA descriptors through ddl_host.device_tensor_map (field 8) into
// 64-byte aligned stack slots of the function, launches the Hopper kernel
// (384 threads, 192 KiB of shared memory) when both could be had, the
// mma.sync kernel otherwise. The consumer of C (the rounding to bf16)
// folds into both kernels' stores. k = 256 is 4 slices: not split.
// CHECK-LABEL: func.func @bf16_matmul
// CHECK-DAG:     llvm.alloca %{{.*}} x !llvm.array<128 x i8> {alignment = 64 : i64}
// CHECK:         %[[OUT:.*]] = memref.alloc() : memref<256x384xbf16>
// CHECK:         %[[OKA:.*]] = llvm.icmp "ne"
// CHECK:         %[[OKB:.*]] = llvm.icmp "ne"
// CHECK:         %[[OK:.*]] = arith.andi %[[OKA]], %[[OKB]]
// CHECK:         scf.if %[[OK]] {
// CHECK-NOT:       gemm_split_reduce
// CHECK:           gpu.launch_func  @gemm_wgmma_bf16::@gemm_wgmma_bf16 blocks in (%{{.*}}, %c1{{.*}}, %{{.*}}) threads in (%c384{{.*}}, %{{.*}}, %{{.*}})  dynamic_shared_memory_size %c196672_i32 args(%{{.*}} : !llvm.ptr, %{{.*}} : !llvm.ptr, %{{.*}} : memref<256x384xf32>, %c256{{.*}} : index, %c384 : index, %c256{{.*}} : index, %c1{{.*}} : index, %c0{{.*}} : index, %cst : f32, %[[OUT]] : memref<256x384xbf16>)
// CHECK:         } else {
// CHECK:           gpu.launch {{.*}} function(@gemm_mma_bf16)
// CHECK:             arith.truncf %{{.*}} : f32 to bf16
// CHECK:             memref.store %{{.*}}, %[[OUT]]
// CHECK:         }
// CHECK-NOT:     linalg.generic
// CHECK:       gpu.module @gemm_wgmma_bf16
// CHECK:         llvm.mlir.global external @ddl_hopper_smem() {addr_space = 3 : i32, alignment = 1024 : i64}
// CHECK:         gpu.func @gemm_wgmma_bf16(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, {{.*}}) kernel attributes {ddl.tensor_map_params = 2 : i64, known_block_size = array<i32: 384, 1, 1>}
// CHECK:           nvvm.mbarrier.init
// CHECK:           nvvm.setmaxregister  decrease 40
// CHECK:           nvvm.mbarrier.try_wait.parity
// CHECK:           nvvm.mbarrier.arrive.expect_tx
// CHECK-COUNT-5:   nvvm.cp.async.bulk.tensor.shared.cluster.global
// CHECK:           nvvm.setmaxregister  increase 232
// CHECK:           nvvm.wgmma.fence.aligned
// CHECK-COUNT-4:   nvvm.wgmma.mma_async {{.*}} <m = 64, n = 256, k = 16>, D[<f32>, <one>], A[<bf16>, <one>, <row>], B[<bf16>, <one>, <row>]
// CHECK:           nvvm.wgmma.commit.group.sync.aligned
// CHECK:           nvvm.wgmma.wait.group.sync.aligned 1
// CHECK:           nvvm.mbarrier.arrive
// CHECK:           nvvm.wgmma.wait.group.sync.aligned 0
// CHECK-NOT:       llvm.store
// CHECK:           arith.truncf %{{.*}} : f32 to bf16

// The descriptors become 128-byte grid-constant parameters passed by value.
// NVVM: llvm.func @gemm_wgmma_bf16(%{{.*}}: !llvm.ptr {llvm.align = 64 : i64, llvm.byval = !llvm.array<128 x i8>, nvvm.grid_constant}, %{{.*}}: !llvm.ptr {llvm.align = 64 : i64, llvm.byval = !llvm.array<128 x i8>, nvvm.grid_constant}, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr,
// NVVM-NOT: ddl.tensor_map_params
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @bf16_matmul(%a: memref<256x256xbf16>, %b: memref<256x384xbf16>) -> memref<256x384xbf16> {
  %zero = arith.constant 0.0 : f32
  %c = memref.alloc() : memref<256x384xf32>
  linalg.fill ins(%zero : f32) outs(%c : memref<256x384xf32>)
  linalg.matmul ins(%a, %b : memref<256x256xbf16>, memref<256x384xbf16>) outs(%c : memref<256x384xf32>)
  %out = memref.alloc() : memref<256x384xbf16>
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%c : memref<256x384xf32>) outs(%out : memref<256x384xbf16>) {
  ^bb0(%x: f32, %o: bf16):
    %r = arith.truncf %x : f32 to bf16
    linalg.yield %r : bf16
  }
  return %out : memref<256x384xbf16>
}

// -----

// Split k: 4 tiles of C would leave most SMs idle, so k's 8 slices run as
// 2 splits of 4 over grid y (known sizes: decided at compile time, only
// the split kernel built). Each split's f32 partial goes to a workspace
// from the pool (the kernel stores its accumulators there, starting from
// 0), and a reduction kernel sums them from the fill value into C through
// the folded rounding.
// CHECK-LABEL: func.func @split_k
// CHECK:         %[[OUT:.*]] = memref.alloc() : memref<256x384xbf16>
// CHECK:         scf.if %{{.*}} {
// CHECK:           %[[WS:.*]] = memref.alloc(%{{.*}}) : memref<?xf32>
// CHECK:           %[[ADDR:.*]] = memref.extract_aligned_pointer_as_index %[[WS]]
// CHECK:           gpu.launch_func  @gemm_wgmma_bf16_splitk::@gemm_wgmma_bf16_splitk blocks in (%{{.*}}, %[[SPLITS:.*]], %{{.*}}) {{.*}} args({{.*}}, %c512 : index, %[[SPLITS]] : index, %[[ADDR]] : index, %cst : f32, %[[OUT]] : memref<256x384xbf16>)
// CHECK:           gpu.launch {{.*}} function(@gemm_split_reduce)
// CHECK:             scf.for {{.*}} to %[[SPLITS]] {{.*}} iter_args(%{{.*}} = %cst)
// CHECK:               memref.load %[[WS]]
// CHECK:             arith.truncf %{{.*}} : f32 to bf16
// CHECK:             memref.store %{{.*}}, %[[OUT]]
// CHECK:           memref.dealloc %[[WS]]
// CHECK:         } else {
// CHECK:           gpu.launch {{.*}} function(@gemm_mma_bf16)
// CHECK-NOT:     gpu.module @gemm_wgmma_bf16 {
// CHECK:       gpu.module @gemm_wgmma_bf16_splitk
// CHECK:           nvvm.wgmma.wait.group.sync.aligned 0
// CHECK-NOT:       arith.truncf
// CHECK:           llvm.store %{{.*}}, %{{.*}} : f32, !llvm.ptr<1>
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @split_k(%a: memref<256x512xbf16>, %b: memref<512x384xbf16>) -> memref<256x384xbf16> {
  %zero = arith.constant 0.0 : f32
  %c = memref.alloc() : memref<256x384xf32>
  linalg.fill ins(%zero : f32) outs(%c : memref<256x384xf32>)
  linalg.matmul ins(%a, %b : memref<256x512xbf16>, memref<512x384xbf16>) outs(%c : memref<256x384xf32>)
  %out = memref.alloc() : memref<256x384xbf16>
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%c : memref<256x384xf32>) outs(%out : memref<256x384xbf16>) {
  ^bb0(%x: f32, %o: bf16):
    %r = arith.truncf %x : f32 to bf16
    linalg.yield %r : bf16
  }
  return %out : memref<256x384xbf16>
}

// -----

// Rows known at run time only: both kernels are built and the host picks.
// CHECK-LABEL: func.func @dynamic_rows
// CHECK:         scf.if %{{.*}} {
// CHECK:           %[[SPLIT:.*]] = arith.cmpi sgt, %[[SPLITS:.*]], %c1
// CHECK:           scf.if %[[SPLIT]] {
// CHECK:             gpu.launch_func  @gemm_wgmma_bf16_splitk::@gemm_wgmma_bf16_splitk blocks in (%{{.*}}, %[[SPLITS]], %{{.*}})
// CHECK:             gpu.launch {{.*}} function(@gemm_split_reduce)
// CHECK:           } else {
// CHECK:             gpu.launch_func  @gemm_wgmma_bf16::@gemm_wgmma_bf16 blocks in (%{{.*}}, %c1{{.*}}, %{{.*}})
// CHECK:           }
// CHECK:         } else {
// CHECK:           gpu.launch {{.*}} function(@gemm_mma_bf16)
func.func @dynamic_rows(%a: memref<?x4096xbf16>, %b: memref<4096x4096xbf16>, %c: memref<?x4096xf32>) {
  linalg.matmul ins(%a, %b : memref<?x4096xbf16>, memref<4096x4096xbf16>) outs(%c : memref<?x4096xf32>)
  return
}

// -----

// tf32: both operands must have k contiguous (wgmma reads tf32 k-major
// only); B with n contiguous takes the mma.sync kernel alone.
// TF32-LABEL: func.func @tf32_linear
// TF32:         gpu.launch_func  @gemm_wgmma_tf32::@gemm_wgmma_tf32
// TF32:       gpu.module @gemm_wgmma_tf32
// TF32-COUNT-4:   nvvm.wgmma.mma_async {{.*}} <m = 64, n = 256, k = 8>, D[<f32>, <one>], A[<tf32>, <one>, <row>], B[<tf32>, <one>, <col>]
func.func @tf32_linear(%x: memref<?x1024xf32>, %w: memref<512x1024xf32>, %y: memref<?x512xf32>) {
  linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
      ins(%x, %w : memref<?x1024xf32>, memref<512x1024xf32>) outs(%y : memref<?x512xf32>)
  return
}

// -----

// TF32-LABEL: func.func @tf32_n_major
// TF32-NOT:     gemm_wgmma
// TF32:         gpu.launch {{.*}} function(@gemm_mma_tf32)
func.func @tf32_n_major(%x: memref<64x1024xf32>, %w: memref<1024x512xf32>, %y: memref<64x512xf32>) {
  linalg.matmul ins(%x, %w : memref<64x1024xf32>, memref<1024x512xf32>) outs(%y : memref<64x512xf32>)
  return
}
