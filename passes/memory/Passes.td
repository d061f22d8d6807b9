//===- Passes.td - buffer and memory passes ----------------*- tablegen -*-===//

#ifndef DDL_PASSES_MEMORY_PASSES_TD
#define DDL_PASSES_MEMORY_PASSES_TD

include "mlir/Pass/PassBase.td"

def DDLOwnResultsPass : Pass<"ddl-own-results", "::mlir::ModuleOp"> {
  let summary = "Make every buffer a public function returns a fresh allocation";
  let description = [{
    A compiled model hands its output buffers to the caller, who frees them
    with `free()`. That is only sound for a buffer the function allocated
    itself, with an identity layout and no offset. Any other returned buffer
    (a function argument, a constant global, a view, or one buffer returned
    twice) is copied into a fresh allocation first.
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect"];
}

def DDLPlanArenaPass : Pass<"ddl-plan-arena", "::mlir::ModuleOp"> {
  let summary = "Place intermediate buffers in one arena with liveness-based sharing";
  let description = [{
    Every `memref.alloc` in the body of an entry point (a public function
    that nothing calls, with a recorded model signature) whose size is
    known from the function's argument sizes and which does not escape
    (it is not returned) moves into one arena passed as a trailing
    `memref<?xi8>` argument (marked `ddl.arena`). Buffers whose lifetimes
    do not overlap share bytes: offsets come from a greedy first-fit
    assignment over the live intervals, in the order the buffers are
    allocated, with every offset 64-byte aligned.

    When all sizes are static, offsets are constants and the arena size is
    recorded as `ddl.arena_bytes`; otherwise offsets are computed at run time
    from the sizes (each buffer gets its own slot when sizes are symbolic),
    a companion function `<name>_arena_size` computes the bytes from the
    argument sizes, and `ddl.arena_formula` states the size over the
    argument dimensions.

    Branches and loop bodies (the blocks of `scf.if` / `scf.while`: what
    nn.if / nn.loop become) place their static buffers that die inside them
    in a nested area after the entry block's: a block's buffers are dead
    once it has run, so the blocks of different ops, both branches of an if
    and every iteration of a loop reuse the same bytes, and a block nested
    in another gets bytes past its parent's.

    Buffers the pass cannot place (data-dependent sizes, dynamic sizes
    inside branches and loops, buffers yielded out of a branch or to the
    next iteration) stay heap allocations, freed by the ownership-based
    deallocation that runs after it.
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect",
                           "::mlir::arith::ArithDialect"];
}

def DDLPadsInPlacePass : Pass<"ddl-pads-in-place", "::mlir::ModuleOp"> {
  let summary = "Pad computed tensors by filling the padded tensor and inserting into it";
  let description = [{
    Runs on tensors before one-shot bufferization. A `tensor.pad` of a
    tensor that an op computes into a fresh `tensor.empty` (a convolution's
    epilogue feeding the next padded convolution or pooling) becomes a
    `linalg.fill` of the padded tensor and a `tensor.insert_slice` of the
    source into it (upstream's DecomposePadOpPattern). With
    `eliminate-empty-tensors` after it, the producer then writes straight
    into the padded buffer's interior: bufferizing the pad itself would
    fill the whole padded buffer and then copy the source into it. Pads of
    function arguments and constants are left alone.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

def DDLCopiesToLinalgPass : Pass<"ddl-copies-to-linalg", "::mlir::ModuleOp"> {
  let summary = "Rewrite memref.copy as linalg.copy";
  let description = [{
    The LLVM lowering turns a `memref.copy` that it cannot prove contiguous
    into a call to `memrefCopy` from MLIR's C runner utilities, a library a
    compiled model must not depend on. As `linalg.copy`, a copy becomes loops
    like any other linalg op (and LLVM recognizes contiguous ones as
    `memcpy`).
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def DDLFlattenGlobalsPass : Pass<"ddl-flatten-globals", "::mlir::ModuleOp"> {
  let summary = "Store constant buffers as one-dimensional globals";
  let description = [{
    The LLVM lowering turns a `memref<64x3x7x7xf32>` global into nested LLVM
    arrays, one uniqued LLVM constant per innermost row: millions of
    objects for a model's weights, which made code generation of resnet50
    take a minute and gigabytes of memory. A one-dimensional global is one
    flat constant; `memref.get_global` users see the original shape through
    a `memref.expand_shape` of it.
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect"];
}

def DDLBoolGlobalsAsBytesPass
    : Pass<"ddl-bool-globals-as-bytes", "::mlir::ModuleOp"> {
  let summary = "Store boolean constant blobs as byte arrays in LLVM globals";
  let description = [{
    Large constants are `dense_resource` blobs (one byte per boolean, as
    ONNX and ddl's runtime store them). LLVM IR has no constant-data array
    of `i1`, so translating an `!llvm.array<N x i1>` global initialized from
    a blob fails ("no known conversion for innermost element type"): a
    causal attention mask of more than 1024 elements did not compile. This
    pass retypes such globals as `!llvm.array<N x i8>` over the same blob.
    Nothing else changes: users reach globals through opaque pointers, and
    an `i1` occupies one byte in memory, so every load and GEP reads the
    same addresses.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

#endif // DDL_PASSES_MEMORY_PASSES_TD
