//===- AttnOps.td - the attention template dialect ---------*- tablegen -*-===//
//
// The `attn` dialect holds one template op, `attn.flex`: attention with the
// user's score and mask functions as regions (FlexAttention's score_mod and
// mask_mod), lowered to one fused online-softmax kernel per instantiation.
//
//===----------------------------------------------------------------------===//

#ifndef DDL_DIALECTS_ATTN_ATTNOPS_TD
#define DDL_DIALECTS_ATTN_ATTNOPS_TD

include "mlir/IR/OpBase.td"
include "mlir/Interfaces/ControlFlowInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Attn_Dialect : Dialect {
  let name = "attn";
  let cppNamespace = "::ddl::attn";
  let summary = "FlexAttention-style attention templates";
  let description = [{
    Every attention variant (causal, sliding window, prefix-LM, document
    masking, ALiBi, soft-capping, relative position bias, grouped-query
    attention, and their combinations) is one `attn.flex` op whose regions
    say how a score is modified and which (query, key) pairs are kept.
    The lowering instantiates one fused kernel per op: tiles of Q against
    tiles of K and V, online softmax, the regions inlined, key blocks that
    the mask removes entirely never visited, and no `Sq x Skv` score matrix
    ever materialized.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::math::MathDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

class Attn_Op<string mnemonic, list<Trait> traits = []>
    : Op<Attn_Dialect, mnemonic, traits>;

def Attn_FlexOp : Attn_Op<"flex", [Pure, IsolatedFromAbove]> {
  let summary = "attention with score_mod and mask_mod regions";
  let description = [{
    ```
    output[b, h, i, :] = sum_j p[j] * value[b, h / G, j, :]
    p = softmax over j of  mask_mod(b, h, i, j) ? score_mod(s, b, h, i, j) : -inf
    s = scale * dot(query[b, h, i, :], key[b, h / G, j, :])
    ```

    with `query` `[B, Hq, Sq, D]`, `key` `[B, Hkv, Skv, D]`, `value`
    `[B, Hkv, Skv, Dv]` and the result `[B, Hq, Sq, Dv]`. `G = Hq / Hkv`
    query heads share one key/value head (grouped-query attention when
    `G > 1`). A query row whose keys are all masked gets zeros (and a
    log-sum-exp of -inf), as FlexAttention does.

    * `score_mod(score: f32, b, h, q_idx, kv_idx: index, captures...) ->
      f32` rewrites a scaled score (ALiBi, soft-capping, relative position
      bias). Absent: the identity.
    * `mask_mod(b, h, q_idx, kv_idx: index, captures...) -> i1` keeps a
      (query, key) pair when true (causal, sliding window, prefix-LM,
      document masking). Absent: every pair is kept.

    Both regions are written in `arith` and `math` on scalars, and read
    the captured tensors (a bias table, document ids) with `tensor.extract`;
    the captured tensors are passed to each region as block arguments
    after the indices. Scores are computed and softmaxed in f32 whatever
    the input element type.

    An optional second result is the log-sum-exp of each query row's
    scores, `[B, Hq, Sq]` in f32 (natural logarithm, after score_mod and
    the mask), as FlexAttention's `return_lse`.

    A `sched.schedule` attribute (a `#sched.attention`, written by
    ddl-select-schedules or replayed from a schedules file) fixes the block
    sizes; without one the lowering uses 64 x 64.

    ```mlir
    %o = attn.flex %q, %k, %v scale 1.250000e-01
        : tensor<2x8x?x64xf32>, tensor<2x2x?x64xf32>, tensor<2x2x?x64xf32>
        -> tensor<2x8x?x64xf32>
        mask_mod {
        ^bb0(%b: index, %h: index, %i: index, %j: index):
          %keep = arith.cmpi uge, %i, %j : index
          attn.yield %keep : i1
        }
    ```
  }];
  let arguments = (ins AnyRankedTensor:$query, AnyRankedTensor:$key,
                       AnyRankedTensor:$value,
                       Variadic<AnyRankedTensor>:$captures,
                       F64Attr:$scale);
  let results = (outs AnyRankedTensor:$output,
                      Optional<AnyRankedTensor>:$lse);
  let regions = (region MaxSizedRegion<1>:$score_mod,
                        MaxSizedRegion<1>:$mask_mod);
  let assemblyFormat = [{
    $query `,` $key `,` $value
    (`captures` `(` $captures^ `:` type($captures) `)`)?
    `scale` $scale attr-dict
    `:` type($query) `,` type($key) `,` type($value)
    `->` type($output) (`,` type($lse)^)?
    (`score_mod` $score_mod^)? (`mask_mod` $mask_mod^)?
  }];
  let hasVerifier = 1;
  let hasRegionVerifier = 1;
  let skipDefaultBuilders = 1;
  let builders = [
    // Both regions empty (identity score, nothing masked); the caller
    // fills them with buildScoreMod / buildMaskMod.
    OpBuilder<(ins "::mlir::Type":$output, "::mlir::Type":$lse,
                   "::mlir::Value":$query, "::mlir::Value":$key,
                   "::mlir::Value":$value, "::mlir::ValueRange":$captures,
                   "double":$scale)>
  ];
  let extraClassDeclaration = [{
    /// Number of leading index arguments of score_mod (after the score)
    /// and of mask_mod: b, h, q_idx, kv_idx.
    static constexpr unsigned kNumIndices = 4;

    bool hasScoreMod() { return !getScoreMod().empty(); }
    bool hasMaskMod() { return !getMaskMod().empty(); }

    /// Creates the score_mod (resp. mask_mod) block with its arguments
    /// (score, indices, captures) and returns it, insertion point unset;
    /// the caller adds the body and an attn.yield.
    ::mlir::Block &buildScoreMod(::mlir::OpBuilder &builder);
    ::mlir::Block &buildMaskMod(::mlir::OpBuilder &builder);

    /// Whether mask_mod reads only its indices (no captured tensor), so
    /// the block mask can be computed from the sizes alone.
    bool maskReadsOnlyIndices();
  }];
}

def Attn_YieldOp : Attn_Op<"yield", [Pure, Terminator, ReturnLike,
    HasParent<"FlexOp">]> {
  let summary = "yields the modified score or the keep bit";
  let arguments = (ins Variadic<AnyType>:$values);
  let assemblyFormat = "attr-dict ($values^ `:` type($values))?";
}

#endif // DDL_DIALECTS_ATTN_ATTNOPS_TD
