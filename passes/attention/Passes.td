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
