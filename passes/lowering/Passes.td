//===- Passes.td - lowering from the nn graph dialect ------*- tablegen -*-===//

#ifndef DDL_PASSES_LOWERING_PASSES_TD
#define DDL_PASSES_LOWERING_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertNNToLinalgPass : Pass<"convert-nn-to-linalg", "::mlir::ModuleOp"> {
  let summary = "Lower nn ops to linalg, tensor, arith, math and scf on tensors";
  let description = [{
    Every nn op becomes upstream ops on builtin tensors: elementwise ops and
    broadcasting become `linalg.generic`, contractions and convolutions
    become named linalg ops or generics, data movement becomes `tensor`
    ops or gathers, `nn.if`/`nn.loop` become `scf.if`/`scf.while`.

    Types are lowered on the way: the `#nn.dims` encoding is dropped (the
    symbols have done their work once shapes are reified) and unsigned
    integer element types become signless, with the unsigned semantics kept
    in the choice of arith op (`divui`, `cmpi ult`, `uitofp`, ...). Function
    signatures follow. Result shapes come from each op's shape function
    through `ReifyRankedShapedTypeOpInterface`, so dynamic dimensions need no
    special cases.

    An nn op without a lowering is reported as an error naming the op.
  }];
  let options = [
    Option<"halfGemmConvolutions", "half-gemm-convolutions", "bool",
           /*default=*/"false",
           "Lower group-1 bf16 / f16 2-D convolutions as channels-last im2col "
           "GEMMs accumulating in f32 (the GPU pipeline, whose GEMM kernels "
           "take half operands), as f32 ones always are">,
    Option<"transposeRuntimeRhs", "transpose-runtime-rhs", "bool",
           /*default=*/"true",
           "A Gemm's transposed B that is computed at run time (a PyTorch "
           "linear layer's weight that is not frozen) is transposed to [K][N] "
           "first: the CPU contraction kernels read a run-time B only so "
           "(the GPU pipeline's kernels read either)">
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect", "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect", "::mlir::bufferization::BufferizationDialect",
    "::mlir::cf::ControlFlowDialect",
    // nn.random's call counter (a memref.global).
    "::mlir::memref::MemRefDialect"
  ];
}

def DDLChecksToStatusPass : Pass<"ddl-checks-to-status", "::mlir::ModuleOp"> {
  let summary = "Turn run-time checks (cf.assert) into a failed run, not an abort";
  let description = [{
    Lowerings assert what ONNX calls an error but only the inputs can
    reveal, such as a gather index out of range, with `cf.assert`. Upstream
    lowers an assert to a message and `abort()`: a bad input tensor would
    kill the host process. This pass replaces each assert by a branch-free
    store of its message's address into the thread-local
    `__ddl_failed_check` (when the condition is false). The model entry
    (ddl-emit-model-entry) clears it before a run and, when it is set after
    the run, frees the outputs and returns `DDL_MODEL_ERR_CHECK`; the model's
    `failed_check` function hands the message to the host. The code after a
    failed check still runs (the lowerings clamp what they assert, so it
    stays memory-safe) and its results are discarded.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

def DDLInlineAllocaScopesPass : Pass<"ddl-inline-alloca-scopes"> {
  let summary = "Inline memref.alloca_scope regions between a stack save and restore";
  let description = [{
    A `memref.alloca_scope` (the per-iteration scratch of ddl's CPU
    attention and int4 kernels) must keep a body of one block, so
    `convert-scf-to-cf` cannot lower the loops inside it: it left an invalid
    scope, and ddlc failed on a small attention-shaped graph (a matmul,
    softmax and matmul too small for its loop to go to the thread pool).
    This pass does what `finalize-memref-to-llvm` would do with the scope,
    earlier: the body moves in front of the scope between
    `llvm.intr.stacksave` and `llvm.intr.stackrestore`, so its allocas are
    released at the end of each iteration as before, and the scope's
    results become the values its body returned. Runs before
    `convert-scf-to-cf`.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

// Anchored on any op: the GPU pipeline runs it inside gpu.module.
def DDLDynamicExpandShapePass : Pass<"ddl-dynamic-expand-shape"> {
  let summary = "Rewrite memref.expand_shape groups of several dynamic sizes as reinterpret_casts";
  let description = [{
    Upstream `expand-strided-metadata` (LLVM 22) crashes on a
    `memref.expand_shape` whose reassociation group holds more than one
    dynamic size (`memref<?xf32> into memref<?x?x1xf32>`): a reduction
    with keepdims over a model whose sizes are all unknown made one. This
    pass, run just before it, replaces each such expand_shape of a
    contiguous (identity-layout) source with the `memref.reinterpret_cast`
    it stands for: the source's buffer at offset 0, the output sizes, and
    within each group the suffix products of the sizes as strides. Others
    are left to upstream.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect"];
}

def DDLFuseElementwisePass : Pass<"ddl-fuse-elementwise", "::mlir::ModuleOp"> {
  let summary = "Fuse elementwise producers into consumers that read each element once";
  let description = [{
    Upstream's `linalg-fuse-elementwise-ops` fuses an elementwise producer
    into any generic consumer, including a contraction that reads each
    produced element many times (the lhs of a matmul is read once per output
    column): the producer's work, a GELU's `erf` say, is then repeated
    hundreds of times. This pass fuses only when the consumer's indexing map
    for the fused operand is a permutation of all its loops, so every
    produced element is computed exactly once; it keeps upstream's reshape
    propagation and constant folding. A producer that other ops also read
    (an LSTM step's cell state, read by the hidden state and carried by the
    loop) fuses when those ops all come after the consumer: its result
    becomes a second result of the fused loop (upstream would clone it into
    the consumer and keep the original, computing it twice). A producer
    that reads a contraction's result stays apart for the contraction
    kernel's epilogue. A fused body is bounded (256 operations), so that a
    long elementwise chain compiles in linear time.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::affine::AffineDialect"];
}

def DDLApproximateMathPass
    : Pass<"ddl-approximate-math", "::mlir::ModuleOp"> {
  let summary = "Inline polynomial approximations of exp, log1p, tanh and erf (f32, f16, bf16)";
  let description = [{
    Lowered as calls (`expf`, `tanhf`, `erff` from libm, or LLVM intrinsics
    that become those calls), transcendental functions stop LLVM's loop
    vectorizer: every softmax, GELU, sigmoid or tanh loop ran one scalar
    call per element. This pass replaces them, on f32, with upstream MLIR's
    polynomial approximations (range reduction plus minimax polynomials,
    plain arith that vectorizes), and computes f16/bf16 ones in f32 first.
    Covered: exp, expm1, log1p, tanh, erf, erfc (softmax, sigmoid, SiLU,
    GELU, softplus, tanh); log1p also stops being `log(1 + x)`, which lost
    all of a tiny x. f64 keeps libm, and so do the functions whose upstream
    approximation is not accurate everywhere: log and log2 flush denormal
    arguments (log(1e-45) = -87.3), sin and cos lose accuracy on large
    arguments. Accuracy (in ulps, edge cases included) is checked
    against float64 by test/e2e/lowering/math-accuracy.test, and by the
    ONNX node suite's tolerances.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::vector::VectorDialect"];
}

def DDLInterchangeForVectorizationPass
    : Pass<"ddl-interchange-for-vectorization", "::mlir::ModuleOp"> {
  let summary = "Order linalg loops so the innermost one walks the output's contiguous dimension";
  let description = [{
    A contraction or window op in its natural loop order ends with its
    reduction loops (`k` of a matmul, `c, kh, kw` of a convolution), which
    LLVM's loop vectorizer cannot turn into wide loads and stores. This pass
    moves the parallel loop that indexes the output's last (contiguous)
    dimension innermost, after the reductions: `(i, j, k)` becomes
    `(i, k, j)` and `(n, f, oh, ow, c, kh, kw)` becomes
    `(n, f, oh, c, kh, kw, ow)`, so the inner loop is a unit-stride
    multiply-add over the output row. Named ops are generalized first.
    The outer loops stay parallel for the thread pool.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def DDLParallelToHostPass : Pass<"ddl-parallel-to-host", "::mlir::ModuleOp"> {
  let summary = "Run outermost parallel loops on the host's thread pool";
  let description = [{
    Every outermost `scf.parallel` (without reductions) whose estimated work
    is at least `min-work` scalar operations becomes a task function
    `void task(void *args, int64_t begin, int64_t end)` and a call of the
    host's `parallel_for` (runtime/include/ddl_model_abi.h) through the
    thread-local `__ddl_host` pointer that the model entry sets. The task
    iterates over the linearized leading dimensions of the loop; the last
    dimension stays an inner loop so that LLVM can vectorize it. Values the
    loop body uses are passed in a stack-allocated struct. When no host is
    set (a module run outside the model entry), the task runs inline. A
    loop whose body allocates heap memory stays on the calling thread,
    where the model entry checks every allocation for failure.
    Tasks with equal bodies (a kernel repeated in every layer of a
    transformer or in a stage of a CNN; its buffers arrive through the
    struct) are merged into one, so LLVM compiles each kernel once:
    vit_b_16's 322 tasks become 30 and its compile time drops by a fifth.
  }];
  let options = [
    Option<"minWork", "min-work", "int64_t", "32768",
           "Smallest estimated work (scalar ops) worth a parallel_for">
  ];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::arith::ArithDialect"];
}

def DDLEmitModelEntryPass : Pass<"ddl-emit-model-entry", "::mlir::ModuleOp"> {
  let summary = "Emit the model descriptor and C entry points (ddl_model_abi.h)";
  let description = [{
    Runs on the LLVM dialect, after the model function `@main` (the public
    function that carries `ddl.input_types`) has been lowered. Emits what
    `runtime/include/ddl_model_abi.h` specifies: constant tensor
    descriptors (names, element types, sizes, dimension symbols), a
    `run(host, inputs, outputs)` function that builds memref descriptors
    from the caller's dense buffers, asks the host for the arena, calls the
    model and hands the output buffers back, an `arena_size(inputs)`
    function, and the exported `ddl_get_model()`. Every other function
    becomes internal, so the shared object exports that one symbol.

    Parallel loops reach the host's thread pool, and a device model's host
    code the device callbacks, through the host pointer that `run` stores
    in the module-private `__ddl_host` global.

    A CPU model's own heap allocations in `@main` (its outputs, buffers
    outside the arena) are checked: on NULL, `@main` returns at once and
    `run` returns `DDL_MODEL_ERR_OUT_OF_MEMORY` with a message (buffers
    allocated earlier in that run leak; allocations inside outlined
    parallel bodies are not checked).
  }];
  let options = [
    Option<"targetTriple", "triple", "std::string", "\"\"",
           "Target triple recorded in the descriptor">,
    Option<"device", "device", "std::string", "\"\"",
           "Where the kernels run: empty (the CPU), `cuda` or `rocm`; a "
           "device model's outputs are freed with the host's device_free">,
    Option<"deviceArch", "device-arch", "std::string", "\"\"",
           "The device architecture recorded in the descriptor (sm_90, gfx942)">
  ];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

#endif // DDL_PASSES_LOWERING_PASSES_TD
