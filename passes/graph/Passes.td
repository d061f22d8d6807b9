//===- Passes.td - graph-level passes on the nn dialect ----*- tablegen -*-===//

#ifndef DDL_PASSES_GRAPH_PASSES_TD
#define DDL_PASSES_GRAPH_PASSES_TD

include "mlir/Pass/PassBase.td"

def NNInferShapesPass : Pass<"nn-infer-shapes", "::mlir::ModuleOp"> {
  let summary = "Refine result types to what the nn shape functions prove";
  let description = [{
    Walks every function and gives each nn op's results the most precise
    type that its shape function proves from its operands: a dynamic
    dimension becomes static, or gains a symbol (`#nn.dims`), when the
    operands determine it. `nn.if` results take what both branches agree
    on. Refinement never loses information a type already has, and never
    contradicts it (such a contradiction is a verifier error).

    Function result types follow the values they return, for functions that
    nothing calls (entry points); a called function keeps its signature and
    gets a `tensor.cast` before its return. Users outside the nn dialect that
    might not accept the refined type also see a `tensor.cast` back to the
    type they had.

    Importers run this pass after building a graph from declared types, so
    that symbols such as `batch` reach every tensor they determine.
  }];
  let dependentDialects = ["::mlir::tensor::TensorDialect"];
}

def NNCheckShapesPass : Pass<"nn-check-shapes", "::mlir::ModuleOp"> {
  let summary = "Check at run time what shape inference assumed";
  let description = [{
    Shape functions (dialects/nn/ShapeBuilder.h) assume what the types
    cannot decide: a symbolic size contracted with a static one
    (`[5, k] x [704, 18]` needs k = 704), two sizes that must broadcast, a
    dynamic size that an importer's declared result type states statically.
    Kernels then index by the assumed sizes, so an input of another size
    would be read out of bounds. This pass asks every op implementing
    `ShapeChecksOpInterface` for those conditions and states each as an
    `nn.check` before the op: the run fails with a message naming the node
    instead. Ops whose types decide everything (static models) get none,
    nor do sizes only the data determine (nn.non_zero's count). Runs after
    nn-infer-shapes and nn-recognize-attention, before anything replaces
    nn ops (quantization, lowering).
  }];
  let dependentDialects = ["::ddl::nn::NNDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::tensor::TensorDialect"];
}

def NNExpandSequencesPass : Pass<"nn-expand-sequences", "::mlir::ModuleOp"> {
  let summary = "Replace sequences and optionals by plain tensors";
  let description = [{
    Rewrites every `!nn.seq` and `!nn.optional` value into tensors, so that
    everything after it (lowering, memory planning, the model ABI) sees
    tensors only:

    * a sequence of rank-R tensors becomes its element sizes,
      `tensor<? x R x i64>` (one row per element; `?` when the rank is
      unknown), and its elements' data, row-major, one after another,
      `tensor<? x T>`;
    * an optional becomes a `tensor<i1>` saying whether it is present, then
      its value's tensors (an absent tensor is empty, an absent sequence has
      no elements).

    Reading an element is a gather of the data from the exclusive prefix sum
    of the element sizes, then a reshape; inserting and erasing concatenate
    slices (O(total size) per insertion, as the values are immutable). A
    position out of range, elements of another rank, or reading an empty
    optional fails the run with a message naming the node (`nn.check`).
    String tensors become their lengths and bytes the same way
    (`string_lengths` / `string_bytes`), with `nn.string_normalize` and
    casts to and from numbers on them.
    `nn.if` and `nn.loop` carry the parts in place of the value; function
    arguments and results are split the same way, each part keeping the
    value's `nn.name` and stating its role in `nn.io` (`sequence_shapes`,
    `sequence_data`, `optional_flag`), which the model entry publishes in
    the ABI.
  }];
  let dependentDialects = ["::mlir::tensor::TensorDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::scf::SCFDialect"];
}

def NNChannelsLastPass : Pass<"nn-channels-last"> {
  let summary = "Run 2-D convolutions and the elementwise ops between them "
                "channels-last";
  let description = [{
    Rewrites each 2-D convolution that the CPU back end has a channels-last
    kernel for (f32, static channels and spatial sizes, constant weights,
    group 1 or depthwise) into `nn.conv {channels_last}` between two
    transposes, then sinks the transposes back to channels-first through
    elementwise ops (unary ops, clip, add, sub, mul, div, min, max, pow,
    where, cast) whose other operands are single elements or transposed the
    same way, and into reductions (keepdims false) whose kept dimensions
    keep their order (reducing NCHW's H and W reduces NHWC's), and composes
    the transposes that meet. Integer convolutions (dialects/lowbit/
    IntegerConv.h) come out of import and `--quantize=int8` as such a
    transpose pair already, so they join the same regions. A 2-D f32 max pooling of
    such a transpose becomes `nn.max_pool {channels_last}` (resnet's stem
    pool). Consecutive convolutions with activations, max pooling and
    residual additions between them then exchange NHWC tensors; transposes
    remain at the edges (the model's input and output, average pooling,
    reshapes).

    Numerics are unchanged: only layouts move.
  }];
  let dependentDialects = ["::ddl::nn::NNDialect"];
}

def NNRecognizeAttentionPass
    : Pass<"nn-recognize-attention", "::mlir::func::FuncOp"> {
  let summary = "Rewrite MatMul-Softmax-MatMul attention into attn.flex";
  let description = [{
    Finds `matmul(softmax(mask(scale * matmul(Q, K^T))), V)` in the forms
    the exporters produce (torch.onnx.export of nn.MultiheadAttention,
    TransformerEncoderLayer, vit and GPT-style causal attention) and
    replaces it by one `attn.flex`, so that no `Sq x Skv` score matrix is
    materialized:

    * the scale is any product of scalar constants multiplied into (or
      divided out of) Q, K^T or the scores;
    * the mask is optional: an additive tensor (`add`), or a boolean one
      selecting a large negative constant (`where`, either polarity). A
      constant mask that is the causal triangle (keys up to the query's
      position, aligned to the end when there are more keys than queries)
      becomes a `mask_mod` comparing indices, so whole key blocks are
      skipped; any other mask is a captured tensor read in `score_mod`
      (additive) or `mask_mod` (boolean), broadcast dims read at index 0;
    * Q, K and V of rank 2 to 4 with equal leading dims (heads, or batch
      and heads); lower ranks get leading unit dims for attn.flex and the
      result is squeezed back. K^T is transposed back to K (composing with
      the exporter's transpose).

    Only f32 attention is rewritten (the CPU kernel's type), and only when
    the intermediate values (scores, probabilities) have no other users:
    a model that returns its attention weights keeps them.
  }];
  let dependentDialects = ["::ddl::nn::NNDialect", "::ddl::attn::AttnDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::tensor::TensorDialect"];
}

#endif // DDL_PASSES_GRAPH_PASSES_TD
