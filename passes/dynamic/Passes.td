//===- Passes.td - dynamic networks: shape specialization -*- tablegen -*-===//

#ifndef DDL_PASSES_DYNAMIC_PASSES_TD
#define DDL_PASSES_DYNAMIC_PASSES_TD

include "mlir/Pass/PassBase.td"

def NNSpecializeShapesPass : Pass<"nn-specialize-shapes", "::mlir::ModuleOp"> {
  let summary = "Copies of an entry point for chosen sizes of its dimension symbols, behind run-time guards";
  let description = [{
    `sizes` names dimension symbols of the entry points' inputs and the
    sizes to specialize each for: `batch=1,8,32;seq=128`. The body of every
    entry point (a public function nothing calls) whose inputs carry those
    symbols becomes a chain of `nn.if`s: for each combination of the sizes
    (every size of each symbol, the symbols crossed), a guard compares the
    inputs' run-time sizes with it (one `nn.shape_of` and one comparison per
    symbol) and, when they match, runs a copy of the body whose inputs are
    `tensor.cast` to the static sizes; otherwise the next guard, and at the
    end the generic body. `nn-infer-shapes` afterwards makes each copy
    static, so that its kernels are scheduled, packed and vectorized for
    those sizes; the generic body still serves every other size.

    Errors: a malformed `sizes`, a symbol no input names, a size below 1, a
    size repeated, or more than 16 combinations.
  }];
  let options = [
    Option<"sizes", "sizes", "std::string", /*default=*/"\"\"",
           "symbol=size,size;symbol=size,...: the sizes to specialize for">,
  ];
  let dependentDialects = ["::mlir::tensor::TensorDialect"];
}

#endif // DDL_PASSES_DYNAMIC_PASSES_TD
