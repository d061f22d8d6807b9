//===- ShapeChecksInterface.td - run-time checks of shape functions -*- tablegen -*-===//
//
// What a shape function assumes but the types cannot prove (a symbolic
// size equal to a static one, two dynamic sizes broadcastable) becomes a
// run-time check: nn-check-shapes asks every op for them.
//
//===----------------------------------------------------------------------===//

#ifndef DDL_DIALECTS_NN_SHAPECHECKSINTERFACE_TD
#define DDL_DIALECTS_NN_SHAPECHECKSINTERFACE_TD

include "mlir/IR/OpBase.td"

def NN_ShapeChecksOpInterface : OpInterface<"ShapeChecksOpInterface"> {
  let cppNamespace = "::ddl::nn";
  let description = [{
    An op whose shape function (ShapeBuilder.h) can emit, at a builder's
    insertion point, `nn.check`s of the conditions it relies on that the
    operand types leave open: contracted sizes that agree, broadcastable
    sizes, a dynamic result size that a written result type states
    statically. Nothing is emitted where the types decide.
  }];
  let methods = [
    InterfaceMethod<[{
        Emits the run-time checks of this op's shape assumptions at
        `builder`'s insertion point (at the op's location, so that a failed
        check names the op's node). Fails where the shape function does.
      }], "::llvm::LogicalResult", "emitShapeChecks",
      (ins "::mlir::OpBuilder &":$builder)>,
  ];
}

#endif // DDL_DIALECTS_NN_SHAPECHECKSINTERFACE_TD
