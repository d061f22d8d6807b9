//===- NNOps.cpp - graph dialect operation definitions --------------------===//
//
// The generated op classes. Hand-written parts (shape functions, verifiers,
// folders) live in one file per op family: ElementwiseOps.cpp,
// ContractionOps.cpp, ReductionOps.cpp, DataMovementOps.cpp,
// ControlFlowOps.cpp and Canonicalization.cpp.
//
//===----------------------------------------------------------------------===//

#include "dialects/nn/NNDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace ddl::nn;

#include "dialects/nn/ShapeChecksInterface.cpp.inc"

#define GET_OP_CLASSES
#include "dialects/nn/NNOps.cpp.inc"

void NNDialect::registerOps() {
  addOperations<
#define GET_OP_LIST
#include "dialects/nn/NNOps.cpp.inc"
      >();
}
