//===- Passes.td - attn.flex lowering ----------------------*- tablegen -*-===//

#ifndef DDL_PASSES_ATTENTION_PASSES_TD
#define DDL_PASSES_ATTENTION_PASSES_TD

include "mlir/Pass/PassBase.td"

def DDLFlexToCPUKernelPass
    : Pass<"ddl-flex-to-cpu-kernel", "::mlir::ModuleOp"> {
  let summary = "Lower attn.flex to one fused online-softmax CPU kernel per op";
  let description = [{
    Runs on tensors, before bufferization. Each f32 `attn.flex` becomes a
    kernel on buffers (taken with `bufferization.to_buffer`, the result
    handed back with `bufferization.to_tensor`):

    * K is transposed once to `[B, Hkv, D, Skv]` so that a key block's
      scores for one query row are contiguous vectors.
    * The block mask: per (query block, key block) one byte, 0 when
      mask_mod removes every pair (the block is never visited), 1 when
      some pairs are removed (the element mask is applied), 2 when none
      are (no element mask); per batch and head only when mask_mod reads
      them. When mask_mod reads only its indices and the sizes are static,
      it is computed now (mask_mod interpreted over every pair) and
      embedded as a constant; otherwise (symbolic sizes, captured
      tensors such as document ids, operations the interpreter does not
      know) a parallel loop before the kernel evaluates mask_mod over each
      block at run time. Without mask_mod every block is full but the
      last partial key block.
    * The kernel: one parallel iteration per (batch, query head, query
      block). Per visited key block and per tile of query rows, the scores
      are accumulated in vector registers over the head dim, scaled,
      passed through score_mod and (on partial blocks) mask_mod, both
      inlined on vectors of 16 keys; the online softmax keeps each row's
      running maximum and sum and rescales the row's output accumulator,
      and the probabilities times V are added to it. No `Sq x Skv` matrix
      exists; the output is divided by the row sums at the end, and the
      log-sum-exp written when asked for.

    Block sizes come from the op's `#sched.attention` schedule (64 x 64
    without one). Sizes that are not multiples of the blocks are handled
    with clamped indices (the regions never see an index out of range)
    and masked loads. f16/bf16 instances and a dynamic value head dim are
    left for ddl-flex-to-linalg.
  }];
  let dependentDialects = [
    "::ddl::sched::SchedDialect",
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
    "::mlir::vector::VectorDialect"
  ];
}

def DDLFlexToGPUKernelPass
    : Pass<"ddl-flex-to-gpu-kernel", "::mlir::ModuleOp"> {
  let summary = "Lower attn.flex to one fused tensor-core CUDA kernel per op (mma.sync or wgmma, online softmax; flash-decoding)";
  let description = [{
    Runs on tensors, before bufferization, in the CUDA pipeline. Each
    `attn.flex` whose head dims are static multiples of 16 (at most 128)
    becomes a `gpu.launch` on its operands' buffers (taken with
    `bufferization.to_buffer`, results handed back with `to_tensor`),
    computing in bf16 or f16 with f32 accumulators: the `precision`
    option's type when it is bf16 or fp16, else the inputs' own type when
    Q, K and V are all bf16 or all f16 (other instances are left for
    ddl-flex-to-linalg). FlashAttention-2's structure:
    * one block of 4 warps per (query block of 64 rows, query head,
      batch), query blocks launched last-first (a causal mask gives the
      last ones the most work); each warp owns 16 query rows, whose Q
      fragments are loaded once (through shared memory, `ldmatrix`) and
      kept in registers;
    * per visited key block (64 keys): K and V staged in shared memory
      (16-byte loads when the rows are 16-byte aligned, checked on the
      host; converted to the compute type), S = Q K^T on `mma.sync`
      m16n8k16, the scale and score_mod inlined per element, mask_mod
      (and the key bounds) only on partial blocks, the online softmax in
      registers (row max over the 4 lanes of a row with shuffles,
      `math.exp2`, which is libdevice's `ex2.approx`), and O += P V with P's accumulators repacked as A
      fragments (no trip through shared memory) and V's B fragments from
      `ldmatrix.trans`;
    * with `hopper` (sm_90a) and head and value dims of 64 or 128, the
      block's 4 warps are one warpgroup and both products run on `wgmma`
      (inline PTX: the NVVM dialect's wgmma reads A from shared memory
      only): S = Q K^T as m64n64k16 with Q's fragments in registers
      (loaded once, or at each key block when P V is m64n64k16 too:
      ptxas gave the registers of fragments kept across the loop to P's) and
      the keys staged k-major in the 128-byte swizzle, O += P V as
      m64n<Dv>k16 with P in registers and the values staged mn-major
      (transposed B); cp.async's writes reach wgmma's reads through
      `fence.proxy.async`, each chain is committed and waited for before
      the softmax reads its accumulators (no overlap of the two yet);
    * decoding (static Sq and heads with GQA group x Sq <= 16):
      flash-decoding, a one-warp block per (split of the keys, key/value
      head, batch) whose 16 rows are the group's queries, 32 keys a step,
      enough splits for about 1024 blocks (at least 4 steps each); the
      splits' unnormalized outputs, maxima and sums go to f32 scratch and
      a second kernel combines them (mask_mod evaluated on every pair:
      no block list);
    * the block mask as a list per (batch', head', query block): its
      number of visited key blocks, then each one with its class (full:
      no element mask; partial), computed at compile time when mask_mod
      reads only its indices and the sizes are static, else at run time
      by two kernels launched first (one block of threads per (row, key
      block) evaluating mask_mod on its 64 x 64 pairs, combined with
      `bar.red.or` / `bar.red.and`; then a thread per row listing the
      visited blocks): masks reading captured tensors (document ids) and
      symbolic sizes skip empty blocks too, and never visit them;
    * O divided by the row sums (0 for a row with no key) and the
      log-sum-exp written when asked for.
    The `Sq x Skv` scores never leave the registers.
    The CUDA pipeline runs it only with `ddlc --cuda-attention-kernel`
    until its numerics have been checked on a GPU
    (test/e2e/attention_variants.py --target cuda).
  }];
  let options = [
    Option<"precision", "precision", "std::string", /*default=*/"\"fp32\"",
           "The compute type the user asked for: bf16 or fp16 run every instance that fits in that type; with fp32 or tf32 only bf16 / f16 inputs run the kernel">,
    Option<"hopper", "hopper", "bool", /*default=*/"false",
           "sm_90a: Q K^T and P V on warpgroup wgmma (K and V staged in the 128-byte swizzle) where both head dims are 128">
  ];
  let dependentDialects = [
    "::mlir::LLVM::LLVMDialect",
    "::mlir::NVVM::NVVMDialect",
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::gpu::GPUDialect",
    "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::nvgpu::NVGPUDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
    "::mlir::vector::VectorDialect"
  ];
}

def DDLFlexToLinalgPass : Pass<"ddl-flex-to-linalg", "::mlir::ModuleOp"> {
  let summary = "Lower attn.flex to materialized linalg (the reference lowering)";
  let description = [{
    Each remaining `attn.flex` becomes `linalg.generic`s on tensors that
    materialize the scores: Q K^T (grouped-query heads through the
    indexing maps), the scale with score_mod and mask_mod inlined on
    scalars (indices from `linalg.index`, captured tensors read with
    `tensor.extract`), the row maximum, the exponentials and their sum,
    then P V divided by the sum (zeros for a row with every key masked)
    and the log-sum-exp. Scores are f32 whatever the inputs.

    It is what targets without a fused attention kernel run (the GPU
    pipeline, f16/bf16 on the CPU): correct for every instance, but the
    `Sq x Skv` matrix is built, as the unfused graph would. Grouped-query
    attention needs static head counts here.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

#endif // DDL_PASSES_ATTENTION_PASSES_TD
