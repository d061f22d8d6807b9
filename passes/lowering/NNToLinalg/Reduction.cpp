//===- Reduction.cpp - nn reduction ops to linalg
//---------------------------===//

#include "passes/lowering/NNToLinalg/Common.h"

using namespace mlir;
using namespace ddl;
using namespace ddl::lowering;

void ddl::lowering::populateReductionPatterns(RewritePatternSet &patterns) {
  (void)patterns;
}
