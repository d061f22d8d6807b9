//===- Passes.td - code-generation strategies --------------*- tablegen -*-===//
//
// Schedules are chosen once (ddl-select-schedules, from the target table or
// a replayed file) and recorded as #sched attributes on the kernels' root
// ops; the strategy passes after it read only those attributes.
//
//===----------------------------------------------------------------------===//

#ifndef DDL_PASSES_CODEGEN_PASSES_TD
#define DDL_PASSES_CODEGEN_PASSES_TD

include "mlir/Pass/PassBase.td"

def DDLSelectSchedulesPass
    : Pass<"ddl-select-schedules", "::mlir::ModuleOp"> {
  let summary = "Give each contraction a schedule attribute, from the target table or a file";
  let description = [{
    Every f32 `linalg.matmul` on tensors whose right operand is a constant
    (a linear layer, a Gemm or MatMul with an initializer weight, a
    convolution lowered as a GEMM) and whose K and N are static gets a
    `#sched.contraction` attribute (named
    `sched.schedule`), the only input of the data-tiling strategy that
    follows. The default comes from the target table
    (lib/Target/CPU/TargetInfo.h): the ISA's register tile, cache blocks
    sized to the L1 and L2 caches, and the parallel dimension that gives
    every core work.

    Each kernel has a stable key: the op kind, M, N and K (`?` when
    dynamic), the element types, the layouts of the operands (`lhs=mk` or
    `km`, `rhs=kn` or `nk`) and the ISA, e.g. `op=matmul m=? n=768 k=3072 types=f32,f32,f32 lhs=mk rhs=kn
    isa=avx512`. `print` lists `key -> schedule` lines on stdout.
    `schedules-file` replays such lines (`//` starts a comment), overriding
    the heuristic for the kernels they name; a record with an unknown key
    field, a malformed schedule or one the strategy cannot honour is an
    error naming the file and line, and nothing is compiled.
  }];
  let options = [
    Option<"target", "target", "std::string", "\"host\"",
           "Target whose table entry chooses the schedules (host, x86_64, aarch64)">,
    Option<"schedulesFile", "schedules-file", "std::string", "\"\"",
           "File of `key -> schedule` records that override the heuristic">,
    Option<"print", "print", "bool", "false",
           "Print `key -> schedule` for every scheduled kernel on stdout">
  ];
  let dependentDialects = ["::ddl::sched::SchedDialect"];
}

def DDLDataTilePass : Pass<"ddl-data-tile", "::mlir::ModuleOp"> {
  let summary = "Scheduled matmuls become unpack(mmt4d(pack(A), packed constant B))";
  let description = [{
    A `linalg.matmul` with a `#sched.contraction` schedule becomes a
    `linalg.mmt4d` on data tiles of the schedule's register tile
    `[M0, N0, K0]`: the constant B is packed now, at compile time, to
    `[N1][K1][N0][K0]` (zero-padded; a new dense resource, so no packing
    code for weights is left in the model), A is packed at run time to
    `[M1][K1][M0][K0]` with zero padding (so a dynamic M needs no remainder
    kernel; an A stored transposed, `[K][M]` as a convolution's input is,
    packs by moving M0-float rows), the accumulator is packed (or, when it is a fill, filled in
    the packed shape), and the result is unpacked into the matmul's own
    destination. The run-time pack and unpack are lowered here to pad,
    reshape and transpose, each its own loop nest (packing A inside the
    kernel's loops would repack it once per column tile). The schedule
    moves to the mmt4d.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::affine::AffineDialect"];
}

def DDLMmt4dToVectorPass : Pass<"ddl-mmt4d-to-vector", "::mlir::ModuleOp"> {
  let summary = "Scheduled linalg.mmt4d on buffers becomes a parallel loop nest around a vector FMA micro-kernel";
  let description = [{
    Runs after one-shot bufferization and before arena planning. Reads only
    the op's `#sched.contraction` schedule. The loop nest is:
    an `scf.parallel` over blocks of the schedule's parallel dimension
    (Mc or Nc tiles each; ddl-parallel-to-host runs it on the thread pool),
    then blocks of Kc tiles of k1, blocks of the other dimension, n1 and m1
    within the blocks, and k1 within the k block. The micro-kernel keeps
    the M0 x N0 accumulator tile in M0 vectors of N0 lanes (loop-carried
    values of the k1 loop, loaded and stored once per k block) and per K0
    step does one load of N0 elements of B and, per row, one broadcast of A
    and one `vector.fma`; LLVM splits the vectors into the target's
    registers (`vbroadcastss` + `vfmadd231ps` on zmm on AVX-512, `fmla v.4s`
    on NEON). The packed operands' inner tiles are static, so every access
    is in bounds and no masks, transfers or unit dimensions reach the
    vector lowering. f32 only, K0 = 1.

    Three neighbours are folded into the kernel: the initialization of the
    accumulator right before it, a `linalg.fill` or a copy of a buffer that
    only a fill wrote (equal zero accumulators are merged by CSE; the first
    k block starts from the fill value in registers); the unpacking
    transpose right after it (`[M1][N1][M0][N0]` -> `[M1][M0][N1][N0]`,
    the accumulator's last use: the tiles are stored straight into the
    result's rows and the packed accumulator is never written); and the
    K0 = 1 pack of A before it (`[M1][M0][K1]` -> `[M1][K1][M0]`), when
    nothing else reads that pack: the kernel broadcasts A's elements from
    the unpacked rows instead. Only allocations, memory-effect-free ops and
    writes to other allocations may lie between these and the kernel. When
    the unpacked result is an unpadded [M, N] buffer, an elementwise
    `linalg.generic` that reads it next (bias, activation, residual add)
    also runs in the kernel, on the last k block's tiles in registers
    (tile row r is the epilogue's element delinearize(r), column). The
    pass runs before arena planning: the result's live range must start at
    the kernel.
  }];
  let dependentDialects = ["::mlir::scf::SCFDialect",
                           "::mlir::vector::VectorDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::arith::ArithDialect"];
}

def DDLBatchMatmulToVectorPass
    : Pass<"ddl-batch-matmul-to-vector", "::mlir::ModuleOp"> {
  let summary = "Scheduled contractions with a run-time right operand (batch_matmul, matmul) on buffers become a parallel loop nest around a vector FMA micro-kernel";
  let description = [{
    Runs after one-shot bufferization, beside ddl-mmt4d-to-vector, on the
    `linalg.batch_matmul` and `linalg.matmul` ops that ddl-select-schedules
    gave a schedule with an `op=batch_matmul` key: f32, default indexing
    maps, B computed at run time (attention's Q K^T and P V). Nothing is
    packed: packing B would cost as much as the product at attention's
    sizes. The kernel reads A's elements where they are, B's and C's
    N0-element rows in place (their innermost dimension must be
    contiguous). Loop nest: an `scf.parallel` over (batch, blocks of Mc
    M0-row tiles) (or of Nc N0-column tiles with `parallel = 1`), then
    blocks of Kc k steps, blocks of the other dimension, column tiles,
    row tiles, and k. The micro-kernel is ddl-mmt4d-to-vector's: M0
    accumulator vectors of N0 lanes, per k one load of B's row and per row
    one broadcast of A and one `vector.fma`. Edges: the last column tile
    uses masked loads and stores, rows past the last full M0 tile run one
    at a time. A `linalg.fill` of C right before the kernel is folded
    (the first k block starts from the fill value).
  }];
  let dependentDialects = ["::mlir::scf::SCFDialect",
                           "::mlir::vector::VectorDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::arith::ArithDialect"];
}

def DDLDepthwiseToVectorPass
    : Pass<"ddl-depthwise-to-vector", "::mlir::ModuleOp"> {
  let summary = "NHWC depthwise convolutions on buffers become a parallel loop nest around a vector FMA kernel";
  let description = [{
    Runs after one-shot bufferization, beside ddl-mmt4d-to-vector. Takes
    `linalg.depthwise_conv_2d_nhwc_hwc` with f32 identity-layout buffers and
    static sizes (the batch may be dynamic) and emits: an `scf.parallel`
    over output rows (n, oh), then blocks of W0 output columns and V
    channels; per block, W0 accumulator vectors of V lanes start from the
    output buffer (which holds the bias), and per filter tap (kh, kw) one
    load of V filter values and, per column, one load of V input values
    and one `vector.fma`. V is the widest of 16, 8, 4 and 1 that divides
    the channels and W0 the largest of 8 down to 1 that divides the output
    width, so every access is in bounds and unmasked. A per-channel bias
    broadcast into the output before the convolution and an elementwise
    `linalg.generic` after it (clip, relu, residual add) are folded in: the
    accumulators start from the bias vector and the epilogue runs on them
    before the one store. LLVM's own
    vectorizer does not manage this loop nest: with 32 channels it fully
    unrolls the channel loop into scalars.
  }];
  let dependentDialects = ["::mlir::scf::SCFDialect",
                           "::mlir::vector::VectorDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::arith::ArithDialect"];
}

#endif // DDL_PASSES_CODEGEN_PASSES_TD
