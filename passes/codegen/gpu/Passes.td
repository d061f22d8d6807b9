//===- Passes.td - GPU code generation ---------------------*- tablegen -*-===//
//
// The device half of `ddlc --target=cuda|rocm`: after bufferization, every
// linalg op becomes a kernel (ddl-gpu-map-kernels, then upstream's
// convert-parallel-loops-to-gpu and gpu-kernel-outlining, the NVVM or ROCDL
// conversion and gpu-module-to-binary); ddl-gpu-to-host then makes the host
// code call the runtime's device callbacks (runtime/include/ddl_model_abi.h)
// for launches, memory and the weights.
//
//===----------------------------------------------------------------------===//

#ifndef DDL_PASSES_CODEGEN_GPU_PASSES_TD
#define DDL_PASSES_CODEGEN_GPU_PASSES_TD

include "mlir/Pass/PassBase.td"

def DDLGPUMapKernelsPass : Pass<"ddl-gpu-map-kernels", "::mlir::ModuleOp"> {
  let summary = "Turn every linalg op on buffers into a GPU-mapped parallel loop";
  let description = [{
    Runs after bufferization and arena planning. Every linalg op (with
    `memref.copy`, made a `linalg.copy` first) outside a parallel loop
    becomes one kernel: its parallel loops are collapsed into one
    iteration space of N points, mapped to `block_x` (ceil(N / (block-size
    x points-per-thread)) blocks) and `thread_x` (block-size threads, the
    tail guarded). A thread takes `points-per-thread` points block-size
    apart (coalesced accesses, that many loads in flight) when a point is
    straight-line code, one point when it runs loops (its reduction loops
    run sequentially in the thread). An op without parallel loops (a full reduction) is one
    thread. Host control flow (`scf.if`, `scf.for`, `scf.while` of nn.if
    and nn.loop) stays on the host and launches the kernels inside it.
    Upstream's `convert-parallel-loops-to-gpu` and `gpu-kernel-outlining`
    then make the `gpu.launch_func`s.

    A pure elementwise op over contiguous buffers (every operand of the
    identity layout, read and written with identity maps, a body of
    elementwise ops) is one 1-D kernel moving 16 bytes of its widest
    element type per access instead: a point loads one vector of each
    input (`vector.load` with its alignment), applies the body to vectors
    and stores vectors, when every buffer starts aligned to its vector
    size (checked once on the host) and the vector lies inside; the tail
    and unaligned buffers take the same elements one at a time.

    Otherwise this is the generic mapping: a few output elements per
    thread. Tensor-core contractions and block-level reductions replace it
    per op kind under schedules.
  }];
  let options = [
    Option<"blockSize", "block-size", "int64_t", /*default=*/"256",
           "Threads per block of the one-dimensional kernels">,
    Option<"pointsPerThread", "points-per-thread", "int64_t", /*default=*/"4",
           "Points a thread takes when a point runs no loops (1 to 16)">
  ];
  let dependentDialects = ["::mlir::scf::SCFDialect",
                           "::mlir::gpu::GPUDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::vector::VectorDialect",
                           "::mlir::affine::AffineDialect",
                           "::mlir::arith::ArithDialect"];
}

def DDLGPUContractionKernelsPass
    : Pass<"ddl-gpu-contraction-kernels", "::mlir::ModuleOp"> {
  let summary = "Run contractions (matmul, batch matmul, linear layers) as shared-memory tiled GEMM kernels, on the tensor cores with precision=tf32|bf16|fp16";
  let description = [{
    Every f32, bf16 or f16 contraction on buffers with one m, n and k loop (and any
    batch loops) whose operands are indexed by projected permutations
    (`linalg.matmul`, `batch_matmul`, transposed variants, the generics of
    Gemm and MatMul) becomes a `gpu.launch` of the classic SIMT GEMM: a
    block of (block-m / thread-m) x (block-n / thread-n) threads computes a
    block-m x block-n tile of C for one batch position, staging
    block-k-deep slices of A and B in shared memory (zero outside the
    operands, so any M, N, K work) between barriers; each thread keeps a
    thread-m x thread-n tile of accumulators in registers (FMAs) and adds
    it to C at the end (`C += A B`, the contraction's semantics). When C
    was just filled (ddl::codegen::precedingFill, as on the CPU: a fill of
    its allocation, or a copy of a filled one), the accumulators start from
    the fill value and C is only written: the fill and its kernel go. (Run
    after arena planning, C is mostly a view of the arena, which this does
    not see through yet.)

    With `precision=tf32|bf16|fp16` the kernel runs on the tensor cores
    instead (`nvvm.mma.sync`, sm_80 and later; CUDA only): 8 warps compute
    a 128 x 128 tile of C, each a 64 x 32 part as 4 x 4 m16n8k8 (tf32) or
    m16n8k16 (bf16 / f16) mma tiles with f32 accumulators in registers.
    32-deep slices of A ([m][k]) and B ([n][k]) are staged in shared
    memory converted to the compute type (tf32 rounded to nearest, as
    cuBLAS does), rows padded so that fragment reads are free of bank
    conflicts; the next slice's global loads are issued into registers
    before the current slice's mma's. Operands and C may be f32, bf16 or
    f16 in either kernel (converted on load and store).

    With `hopper` (sm_90a), a tf32 / bf16 / fp16 contraction whose
    operands are already of the compute type and have k or m / n
    innermost runs as the warp-specialized wgmma kernel of HopperGemm.cpp
    (128 x 256 tiles, a 4-stage TMA ring, two consumer warpgroups); the
    host encodes the operands' TMA descriptors at each launch and takes
    the mma.sync kernel when it cannot.

    The contractions ddl-lowbit-to-linalg marks take the Hopper kernel with
    `hopper` whatever the precision: `lowbit.e4m3_operands` (fp8 E4M3
    bytes; wgmma e4m3, f32 accumulators) and `lowbit.s8_operands` (s8 x s8
    into an i32 C; wgmma s8, i32 accumulators). Where TMA cannot take them,
    fp8 runs on the precision's kernel with the bytes decoded as they load,
    and s8 stays as it was (fill, product, consumer) for the map kernels,
    as it does without `hopper`.

    With `mfma` (ROCm: gfx90a, gfx942), bf16 / fp16 contractions run on the
    AMD matrix cores instead: 4 waves of 64 lanes compute a 128 x 128 tile
    of C as 16 x 16 x 16 `rocdl.mfma` tiles (4 x 4 a wave) with f32
    accumulators, 32-deep slices of A and B staged in shared memory in the
    compute type. tf32 has no MFMA kernel.

    Runs before ddl-gpu-map-kernels, which maps what is left. The tile
    sizes are this pass's options for now; they become GPU schedules.
  }];
  let options = [
    Option<"blockM", "block-m", "int64_t", /*default=*/"64", "Rows of C per block">,
    Option<"blockN", "block-n", "int64_t", /*default=*/"64", "Columns of C per block">,
    Option<"blockK", "block-k", "int64_t", /*default=*/"16", "Depth of the staged slices">,
    Option<"threadM", "thread-m", "int64_t", /*default=*/"4", "Rows of C per thread">,
    Option<"threadN", "thread-n", "int64_t", /*default=*/"4", "Columns of C per thread">,
    Option<"precision", "precision", "std::string", /*default=*/"\"fp32\"",
           "Compute type: fp32 (SIMT), or tf32, bf16, fp16 (tensor cores, CUDA sm_80+)">,
    Option<"hopper", "hopper", "bool", /*default=*/"false",
           "Run tensor-core contractions as Hopper kernels (wgmma fed by TMA; sm_90a) where they apply, the mma.sync kernel where TMA cannot be had">,
    Option<"mfma", "mfma", "bool", /*default=*/"false",
           "Run bf16 / fp16 contractions on AMD matrix cores (v_mfma_f32_16x16x16; gfx90a, gfx942) instead of NVIDIA tensor cores">
  ];
  let dependentDialects = ["::mlir::gpu::GPUDialect", "::mlir::scf::SCFDialect",
                           "::mlir::NVVM::NVVMDialect",
                           "::mlir::ROCDL::ROCDLDialect",
                           "::mlir::nvgpu::NVGPUDialect",
                           "::mlir::vector::VectorDialect",
                           "::mlir::LLVM::LLVMDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::arith::ArithDialect"];
}

def DDLGPURowReductionKernelsPass
    : Pass<"ddl-gpu-row-reduction-kernels", "::mlir::ModuleOp"> {
  let summary = "Run reductions along one loop (softmax, layernorm, pooling statistics) with one warp per row";
  let description = [{
    Every f32 linalg op with one reduction loop, an elementwise body and an
    associative combiner (add, maximum, minimum; the reductions that
    ddl-row-reduction-to-vector takes on the CPU, in any layout) becomes a
    `gpu.launch` where each warp reduces one output element's row: its 32
    lanes stride over the row (coalesced when the row is contiguous), 256
    elements a step into 8 partial values per lane (8 loads in flight),
    then the rest 32 at a time, a butterfly of `gpu.shuffle xor` combines their partial values, and
    lane 0 combines the result into the output element. Blocks hold
    `warps-per-block` rows. Before, one thread reduced a whole row.

    A reduction of whole tensors into one value (every loop a reduction,
    the inputs contiguous: a per-tensor maximum, a total) runs as two
    launches instead: up to 1024 blocks of 256 threads stride over the
    flattened inputs and each warp writes its combined value into a
    workspace; one warp then combines those into the output. Deterministic
    (no atomics).
  }];
  let options = [
    Option<"warpsPerBlock", "warps-per-block", "int64_t", /*default=*/"8",
           "Rows (warps) per block">
  ];
  let dependentDialects = ["::mlir::gpu::GPUDialect", "::mlir::scf::SCFDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::arith::ArithDialect"];
}

def DDLGPUInt4KernelsPass : Pass<"ddl-gpu-int4-kernels", "::mlir::ModuleOp"> {
  let summary = "Run weight-only int4 products (lowbit.matmul_int4) as weight-streaming kernels";
  let description = [{
    lowbit.matmul_int4's generic (marked with its group size by
    ddl-lowbit-to-linalg; it reads the packed weights and their scales by
    index in its body) becomes a kernel that streams the weights once: a
    block of `warps-per-block` warps computes `columns-per-block` output
    columns; its threads split the weight rows into 4-byte words
    (consecutive threads read consecutive words), each loading a word of
    every column and the word's 8 inputs of a row once for all the
    columns, `words-per-step` words in flight. Nibbles become floats without
    conversion instructions (placed in the mantissa of 2^23, one FMA makes
    the signed value exactly); each word's 8 products are summed, then
    scaled once by their group's scale. Partial sums combine over the warp with shuffles, then
    over the block in shared memory, deterministically. One row is the
    decode case (`gemv_int4`); more rows take 4 per block
    (`gemm_int4_rows4`), the weights then read once for the 4. A fill of
    the output right before folds into the stores.

    The host checks that the input's and the weights' rows start 16-byte
    aligned and that the rows fit the grid (65535 blocks of 4); where not,
    the op stays for ddl-gpu-map-kernels.
  }];
  let options = [
    Option<"warpsPerBlock", "warps-per-block", "int64_t", /*default=*/"4",
           "Warps per block (they split k)">,
    Option<"columnsPerBlock", "columns-per-block", "int64_t", /*default=*/"4",
           "Output columns per block (1 to 16)">,
    Option<"wordsPerStep", "words-per-step", "int64_t", /*default=*/"2",
           "Weight words a thread loads before their math (1 to 4)">
  ];
  let dependentDialects = ["::mlir::gpu::GPUDialect", "::mlir::scf::SCFDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::vector::VectorDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::arith::ArithDialect"];
}

def DDLGPUMergeKernelModulesPass
    : Pass<"ddl-gpu-merge-kernel-modules", "::mlir::ModuleOp"> {
  let summary = "Put every outlined kernel into one gpu.module";
  let description = [{
    gpu-kernel-outlining makes a `gpu.module` per kernel, and each becomes
    its own device image: a model had dozens of cubins, each loaded and
    linked on its own. This pass moves every kernel into one module,
    `ddl_kernels`, each kernel renamed after the module it came from (its
    launch's `function` name, such as `gemm_mma_bf16` or `row_reduce`, or
    `<func>_kernel`, made unique), helper functions and shared-memory
    globals kept once (outlining copies them into each module that uses
    them: same name, same definition), and the launches pointed at it.
    The host's own copies of shared-memory globals (workgroup address
    space: kernels built before outlining, such as ddl-flex-to-gpu-kernel's,
    name them) are erased: only kernels use them, and the host has no such
    address space.
  }];
}

def DDLGPUByValueParamsPass
    : Pass<"ddl-gpu-by-value-params", "::mlir::gpu::GPUModuleOp"> {
  let summary = "Make the host-pointer parameters of kernels 128-byte __grid_constant__ parameters passed by value";
  let description = [{
    The first `ddl.tensor_map_params` (a kernel attribute) parameters of a
    kernel are TMA descriptors (CUtensorMap: 128 bytes, 64-byte aligned)
    that the host encoded into stack slots (`!llvm.ptr` operands of the
    launch): ddl-gpu-to-host passes each slot as the parameter's value,
    and this pass, run on the NVVM kernels after convert-gpu-to-nvvm
    (which drops argument attributes), gives the parameter `llvm.byval = !llvm.array<128 x i8>`, `llvm.align = 64` and
    `nvvm.grid_constant`: the descriptor lives in the kernel's parameter
    space, where TMA reads it by address.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect",
                           "::mlir::NVVM::NVVMDialect"];
}

def DDLGPUToHostPass : Pass<"ddl-gpu-to-host", "::mlir::ModuleOp"> {
  let summary = "Lower launches, device memory and weights of a device model to calls of the host's device callbacks";
  let description = [{
    The host code of a device model calls the runtime through the
    `ddl_host` struct of the model ABI, read from the thread-local host
    pointer the model entry sets:

    * `gpu.launch_func` becomes `device_launch(ctx, image, bytes, name,
      grid_block, shared_bytes, params)`: the `gpu.binary` object becomes
      a constant byte array in the model, and `params` points at each
      kernel parameter as the kernel conversion expanded it (a memref is
      its descriptor's fields).
    * `memref.get_global` of a constant (a weight) becomes
      `device_constant(ctx, &global, bytes)`: uploaded on the model's
      first run, cached by the host.
    * `memref.alloc` / `memref.dealloc` become `device_alloc` /
      `device_free` (the returned buffers and what is not in the arena).
    * `memref.load` / `memref.store` left on the host (a run-time check's
      flag, a size read from a tensor) become `device_copy` of one element
      through a stack slot.

    Runs on the host functions after the kernels are outlined and
    serialized, before `finalize-memref-to-llvm`. A host op that would
    touch device memory some other way is reported as unsupported.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

#endif // DDL_PASSES_CODEGEN_GPU_PASSES_TD
