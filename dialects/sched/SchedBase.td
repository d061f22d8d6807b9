//===- SchedBase.td - schedules as attributes --------------*- tablegen -*-===//
//
// The `sched` dialect holds no operations: only the attributes that record
// how a kernel is to be code-generated. A heuristic pass (or a replayed
// schedule file) writes them; the code-generation strategies read them and
// make no decisions of their own.
//
//===----------------------------------------------------------------------===//

#ifndef DDL_DIALECTS_SCHED_SCHEDBASE_TD
#define DDL_DIALECTS_SCHED_SCHEDBASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"

def Sched_Dialect : Dialect {
  let name = "sched";
  let cppNamespace = "::ddl::sched";
  let summary = "code-generation schedules as attributes";
  let description = [{
    A schedule is data: an attribute on the kernel's root op (a contraction,
    later a convolution or a fused group) that fixes every decision the
    code-generation strategy would otherwise make. It prints and parses like
    any attribute, so a schedule can be read off the IR, written to a file,
    edited by hand or by a tuner, and replayed (`ddl-select-schedules`).
  }];
  let useDefaultAttributePrinterParser = 1;
}

class Sched_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<Sched_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
}

def Sched_ContractionAttr : Sched_Attr<"Contraction", "contraction"> {
  let summary = "schedule of an f32 contraction (matmul, batched matmul)";
  let description = [{
    `#sched.contraction<isa = "avx512", register = [M0, N0, K0],
    cache = [Mc, Nc, Kc], parallel = d>` schedules `C += A * B` with A M x K
    and B K x N (per batch, for a batched contraction):

    * `register = [M0, N0, K0]` is the register tile: the micro-kernel
      keeps the M0 x N0 accumulator tile in vector registers (M0 * N0 /
      lanes of them) and per k does one load of N0 elements of B and, per
      row, one broadcast of A and one FMA. A constant B is packed at
      compile time to `[N1][K][N0]` (N0 columns contiguous per k, zero
      padding to a multiple of N0); a B computed at run time is read in
      place. K0 must be 1 (the f32 kernels).
    * `cache = [Mc, Nc, Kc]` blocks the loops for the caches: Mc row tiles
      and Nc column tiles per block, Kc k steps per k block (A's rows of
      the block and the Nc B panels, Kc deep, stay in L1/L2 across the
      tiles).
    * `parallel = 0` splits the M blocks (Mc tiles each) across threads,
      `parallel = 1` the N blocks (Nc tiles each); batches are always
      split.

    Loop order, outermost first: (batch, parallel blocks), k blocks, the
    other dimension's blocks, column tiles, row tiles, k, the
    micro-kernel. `isa` names the vector ISA the register tile was chosen
    for (a record for another ISA still compiles, just slowly).
  }];
  let parameters = (ins
    StringRefParameter<"vector ISA the schedule was chosen for">:$isa,
    ArrayRefParameter<"int64_t", "register tile M0, N0, K0">:$registerTile,
    ArrayRefParameter<"int64_t", "cache blocks Mc, Nc, Kc in tiles">:$cacheTile,
    "int64_t":$parallelDim
  );
  let assemblyFormat = [{
    `<` `isa` `=` $isa `,` `register` `=` `[` $registerTile `]` `,`
    `cache` `=` `[` $cacheTile `]` `,` `parallel` `=` $parallelDim `>`
  }];
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    int64_t getM0() const { return getRegisterTile()[0]; }
    int64_t getN0() const { return getRegisterTile()[1]; }
    int64_t getK0() const { return getRegisterTile()[2]; }
  }];
}

def Sched_AttentionAttr : Sched_Attr<"Attention", "attention"> {
  let summary = "schedule of a fused attention kernel (attn.flex)";
  let description = [{
    `#sched.attention<block = [BQ, BKV]>`: the kernel works on blocks of
    BQ query rows against BKV keys, and the block mask has one entry per
    (query block, key block) pair. On the CPU, BKV keys are BKV / 16 vector
    registers per query row; a register tile holds as many query rows as
    keep 16 score accumulators (4 rows at BKV = 64), and BQ rows share the
    key block while it is in L1. Bigger blocks amortize more; smaller ones
    skip masked work at a finer grain (a causal mask's diagonal blocks are
    partial) and give more parallel iterations.
  }];
  let parameters = (ins
    ArrayRefParameter<"int64_t", "query rows and keys per block">:$block
  );
  let assemblyFormat = "`<` `block` `=` `[` $block `]` `>`";
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    int64_t getBlockQ() const { return getBlock()[0]; }
    int64_t getBlockKV() const { return getBlock()[1]; }
  }];
}

#endif // DDL_DIALECTS_SCHED_SCHEDBASE_TD
