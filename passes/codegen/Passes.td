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
    follows. Every `attn.flex` gets a `#sched.attention` (its block
    sizes), read by ddl-flex-to-cpu-kernel. The default comes from the target table
    (lib/Target/CPU/TargetInfo.h): the ISA's register tile, cache blocks
    sized to the L1 and L2 caches, and the parallel dimension that gives
    every core work.

    Each kernel has a stable key: the op kind, M, N and K (`?` when
    dynamic), the element types, the layouts of the operands (`lhs=mk` or
    `km`, `rhs=kn` or `nk`) and the ISA, e.g. `op=matmul m=? n=768 k=3072 types=f32,f32,f32 lhs=mk rhs=kn
    isa=avx512`; an attention's key names its sizes, element type and
    which regions it has (`op=attention batch=1 heads=8 kv_heads=2
    q_len=? kv_len=? d=64 dv=64 types=f32 mods=mask isa=avx512`). `print` lists `key -> schedule` lines on stdout.
    `schedules-file` replays such lines (`//` starts a comment), overriding
    the heuristic for the kernels they name; a record with an unknown key
    field, a malformed schedule or one the strategy cannot honour is an
    error naming the file and line, and nothing is compiled.

    `tuning-db` replays the best record per key of a tuning database that
    `ddl-tune` wrote (JSON lines, cost-model/TuningDatabase.h); a record
    that is malformed, of another tool version, or whose schedule the
    strategy cannot honour is skipped with a warning (a database is a
    cache: losing a record costs speed, never correctness). A schedules
    file's records win over the database's.

    `policy` decides the kernels no record names: `heuristic` (the target
    table) or `model`: for contractions, the shipped cost model ranks a
    sample of the kernel's schedule space and its pick replaces the table's
    when its latency head predicts a 10% gain (dynamic sizes are guessed at
    256); attention kernels keep the table's blocks.
    `report` prints how many kernels each source scheduled on stderr;
    `print-features` prints the cost model's features of each scheduled
    kernel on stdout (`features KEY: name=value ...`, dynamic sizes at
    256; docs/cost-model.md lists them).
  }];
  let options = [
    Option<"target", "target", "std::string", "\"host\"",
           "Target whose table entry chooses the schedules (host, x86_64, aarch64)">,
    Option<"schedulesFile", "schedules-file", "std::string", "\"\"",
           "File of `key -> schedule` records that override the heuristic">,
    Option<"print", "print", "bool", "false",
           "Print `key -> schedule` for every scheduled kernel on stdout">,
    Option<"tuningDatabase", "tuning-db", "std::string", "\"\"",
           "Tuning database (ddl-tune's JSON lines) to replay">,
    Option<"policy", "policy", "std::string", "\"heuristic\"",
           "Schedules of kernels no record names: heuristic or model">,
    Option<"report", "report", "bool", "false",
           "Print how many kernels records, the model and the heuristic scheduled">,
    Option<"printFeatures", "print-features", "bool", "false",
           "Print the cost model's features of every scheduled kernel on stdout">
  ];
  let dependentDialects = ["::ddl::sched::SchedDialect"];
}

def DDLDataTilePass : Pass<"ddl-data-tile", "::mlir::ModuleOp"> {
  let summary = "Scheduled matmuls with a constant B become contractions on B packed at compile time";
  let description = [{
    Rewrites each `linalg.matmul` that carries a `#sched.contraction`
    schedule and a constant B (ddl-select-schedules's `op=matmul` kernels)
    into `C[m, n] += A[m, k] * B'[n floordiv N0, k, n mod N0]`, a
    `linalg.generic` that keeps the schedule: B' is B packed to
    `[N1][K][N0]` now (a new dense resource, zero-padded to N1 * N0
    columns), so the micro-kernel's B row for a column tile is N0
    contiguous floats and a tile's rows follow each other; no packing code
    runs for weights. A and C stay where they are (A may be stored [K][M],
    a channels-first convolution's input). Matmuls whose B is computed at
    run time keep their schedule for ddl-contraction-to-vector. K0 must be
    1.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::arith::ArithDialect"];
}

def DDLContractionToVectorPass
    : Pass<"ddl-contraction-to-vector", "::mlir::ModuleOp"> {
  let summary = "Scheduled f32 contractions on buffers become a parallel loop nest around a vector FMA micro-kernel";
  let description = [{
    Runs after one-shot bufferization and before arena planning, on the
    ops that carry a `#sched.contraction` schedule: ddl-data-tile's
    packed-B contractions, and `linalg.batch_matmul` / `linalg.matmul` with
    the default maps whose B is computed at run time (attention's Q K^T and
    P V; nothing is packed for those, packing B would cost as much as the
    product at attention's sizes). A, B and C are read in place (B's and
    C's rows must be contiguous). Reads only the schedule. Loop nest: an
    `scf.parallel` over (batch, blocks of Mc M0-row tiles) (or of Nc
    N0-column tiles with `parallel = 1`; ddl-parallel-to-host runs it on
    the thread pool), then blocks of Kc k steps, blocks of the other
    dimension, column tiles, row tiles, and k. The micro-kernel keeps the
    M0 x N0 accumulator tile in M0 vectors of N0 lanes (loop-carried values
    of the k loop, loaded and stored once per k block) and per k does one
    load of N0 elements of B and, per row, one broadcast of A and one
    `vector.fma`; LLVM splits the vectors into the target's registers
    (`vbroadcastss` + `vfmadd231ps` on zmm on AVX-512, `fmla v.4s` on
    NEON). Edges: the last column tile masks its loads of C and B (packed
    B is zero-padded and needs none) and its stores; the rows left after
    the last full M0 tile are one tile of M % M0 rows when M is static,
    single rows otherwise. No operand is padded or copied.

    Convolutions as GEMMs read their input in place (implicit GEMM): when
    A is a reshape of a buffer that a `linalg.generic` copy (an im2col)
    fills from another buffer through an affine map whose last index
    steps with the copy's last loop, and nothing writes that source
    before the kernel has run, the kernel reads the source through the
    map (k in runs of the copy's innermost extent, one (kh, kw) tap's
    channels or a row's KW x C floats; per run and row, the source
    indices of its start) and the copy and the im2col buffer go. The
    buffer may be shared by several convolutions' copies.

    Neighbours folded into the kernel: the initialization of C right
    before it, a `linalg.fill` or a copy of a buffer that only a fill wrote
    (equal zero accumulators are merged by CSE; the first k block starts
    from the fill value in registers); and, for an unbatched static [M, N]
    result, an elementwise `linalg.generic` that reads it next (bias,
    activation, residual add; through a reshape of the result or not),
    which runs on the last k block's tiles in registers (tile row r is the
    epilogue's element delinearize(r), column), unless it writes over A
    or B. C is then stored only when something else reads it.
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
    Runs after one-shot bufferization, beside ddl-contraction-to-vector. Takes
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

def DDLRowReductionToVectorPass
    : Pass<"ddl-row-reduction-to-vector", "::mlir::ModuleOp"> {
  let summary = "Reductions along a contiguous innermost dimension (softmax's and layernorm's row statistics) become vector loops";
  let description = [{
    Runs after one-shot bufferization, beside the other kernel passes.
    Takes `linalg.reduce` and `linalg.generic` on f32 buffers with one
    reduction loop whose inputs either read along it contiguously (it is
    their innermost index, unit stride) or not at all (a per-row value
    such as softmax's maximum), whose indexing maps are projected
    permutations, and whose body is elementwise ops ending in
    `value <op> out` with `<op>` one of addf, maximumf, minimumf, maxnumf,
    minnumf. Emits an `scf.parallel` over the output elements; per
    element, the body runs on vectors of 16 lanes along the row (per-row
    inputs loaded once and broadcast, the last partial vector masked and
    only its lanes combined) into one accumulator vector, which a
    `vector.reduction` (lanes in any order) reduces and combines with the
    output element. Left alone, these reductions lose to
    ddl-interchange-for-vectorization, which moves the row loop outward
    and vectorizes across rows with strided gathers, or to LLVM, which
    does not reorder a floating-point sum and leaves it scalar.
  }];
  let dependentDialects = ["::mlir::scf::SCFDialect",
                           "::mlir::vector::VectorDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::arith::ArithDialect"];
}

#endif // DDL_PASSES_CODEGEN_PASSES_TD
