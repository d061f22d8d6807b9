//===- DataMovement.cpp - nn data movement ops to linalg
//---------------------------===//

#include "passes/lowering/NNToLinalg/Common.h"

using namespace mlir;
using namespace ddl;
using namespace ddl::lowering;

void ddl::lowering::populateDataMovementPatterns(RewritePatternSet &patterns) {
  (void)patterns;
}
