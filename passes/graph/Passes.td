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

#endif // DDL_PASSES_GRAPH_PASSES_TD
