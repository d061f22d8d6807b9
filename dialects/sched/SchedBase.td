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
  let summary = "schedule of a data-tiled f32 contraction (matmul)";
  let description = [{
    `#sched.contraction<isa = "avx512", register = [M0, N0, K0],
    cache = [Mc, Nc, Kc], parallel = d>` schedules `C += A * B` with A M x K
    and B K x N as a data-tiled kernel:

    * `register = [M0, N0, K0]` is the data tile and the register tile at
      once: A is packed to `[M1][K1][M0][K0]` (at run time, padded with
      zeros to a multiple of M0), constant B to `[N1][K1][N0][K0]` (at
      compile time), C computed in `[M1][N1][M0][N0]` tiles by
      `linalg.mmt4d`. The micro-kernel keeps the M0 x N0 accumulator tile
      in vector registers (M0 * N0 / lanes of them) and does one broadcast
      of A and N0 / lanes loads of B per row of the tile and K0 step.
    * `cache = [Mc, Nc, Kc]`, counted in tiles, blocks the (m1, n1, k1)
      loops for the caches: a Kc-deep panel of A (Kc * M0 * K0 elements)
      is reused from L1 across Nc tiles of B, and the Nc B panels are reused
      from L2 across all row tiles.
    * `parallel = 0` splits the M blocks (Mc tiles each) across threads,
      `parallel = 1` the N blocks (Nc tiles each).

    Loop order, outermost first: parallel blocks, k blocks, the other
    dimension's blocks, then n1, m1 and k1 within the blocks, then the
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

#endif // DDL_DIALECTS_SCHED_SCHEDBASE_TD
