//===- SchedDialect.cpp - schedules as attributes -------------------------===//

#include "dialects/sched/SchedDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace ddl::sched;

#include "dialects/sched/SchedDialect.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/sched/SchedAttrs.cpp.inc"

void SchedDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "dialects/sched/SchedAttrs.cpp.inc"
      >();
}

LogicalResult
ContractionAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                        StringRef isa, ArrayRef<int64_t> registerTile,
                        ArrayRef<int64_t> cacheTile, int64_t parallelDim) {
  if (registerTile.size() != 3)
    return emitError() << "register tile needs 3 sizes (M0, N0, K0), got "
                       << registerTile.size();
  if (cacheTile.size() != 3)
    return emitError() << "cache tile needs 3 sizes (Mc, Nc, Kc), got "
                       << cacheTile.size();
  // Bounds keep the unrolled micro-kernel and the packed constants small
  // enough to compile: a record asking for more is a mistake, not a plan.
  for (int64_t size : registerTile)
    if (size < 1 || size > 64)
      return emitError() << "register tile sizes must be in [1, 64], got "
                         << size;
  if (registerTile[0] * registerTile[1] > 1024)
    return emitError() << "register tile " << registerTile[0] << "x"
                       << registerTile[1] << " has more than 1024 accumulators";
  for (int64_t size : cacheTile)
    if (size < 1 || size > (int64_t(1) << 20))
      return emitError() << "cache tile sizes must be in [1, 2^20], got "
                         << size;
  if (parallelDim != 0 && parallelDim != 1)
    return emitError() << "parallel must be 0 (m) or 1 (n), got "
                       << parallelDim;
  return success();
}

LogicalResult
AttentionAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                      ArrayRef<int64_t> block) {
  if (block.size() != 2)
    return emitError() << "attention block needs 2 sizes (BQ, BKV), got "
                       << block.size();
  if (block[0] < 1 || block[0] > 1024)
    return emitError() << "query block BQ must be in [1, 1024], got "
                       << block[0];
  if (block[1] < 16 || block[1] > 512 || block[1] % 16 != 0)
    return emitError() << "key block BKV must be a multiple of 16 in [16, "
                          "512], got "
                       << block[1];
  return success();
}
