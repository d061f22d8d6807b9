//===- NNOps.h - graph dialect operations -----------------------*- C++ -*-===//
//
// Generated op classes of the `nn` dialect. Include NNDialect.h instead.
//
//===----------------------------------------------------------------------===//

#ifndef DDL_DIALECTS_NN_NNOPS_H
#define DDL_DIALECTS_NN_NNOPS_H

#include "dialects/nn/ShapeBuilder.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace ddl::nn {
/// The NN_ElementwiseUnary trait (NNOps.td): a marker, nothing to verify.
template <typename ConcreteType>
class ElementwiseUnary
    : public mlir::OpTrait::TraitBase<ConcreteType, ElementwiseUnary> {};
/// The smallest scale nn.resize antialiases (its kernel reads about
/// 4 / scale taps per output element, unrolled when lowered).
constexpr double kMinAntialiasScale = 1.0 / 64;
} // namespace ddl::nn

#include "dialects/nn/ShapeChecksInterface.h.inc"

#define GET_OP_CLASSES
#include "dialects/nn/NNOps.h.inc"

#endif // DDL_DIALECTS_NN_NNOPS_H
