//===- Contraction.cpp - nn contraction ops to linalg
//---------------------------===//

#include "passes/lowering/NNToLinalg/Common.h"

using namespace mlir;
using namespace ddl;
using namespace ddl::lowering;

void ddl::lowering::populateContractionPatterns(RewritePatternSet &patterns) {
  (void)patterns;
}
