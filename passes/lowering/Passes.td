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
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect", "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect", "::mlir::bufferization::BufferizationDialect"
  ];
}

#endif // DDL_PASSES_LOWERING_PASSES_TD
