//===- ControlFlow.cpp - nn control flow ops to linalg
//---------------------------===//

#include "passes/lowering/NNToLinalg/Common.h"

using namespace mlir;
using namespace ddl;
using namespace ddl::lowering;

void ddl::lowering::populateControlFlowPatterns(RewritePatternSet &patterns) {
  (void)patterns;
}
