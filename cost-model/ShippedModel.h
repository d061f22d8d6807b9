//===- ShippedModel.h - the cost model built into ddl -------------*- C++
//-*-===//
//
// cost-model/models/<isa>.json, trained on measurements of this project's
// machines (scripts/train-cost-model.py regenerates it), is built into the
// library, so an untuned compile can rank schedules without any file.
//
//===----------------------------------------------------------------------===//

#ifndef DDL_COST_MODEL_SHIPPEDMODEL_H
#define DDL_COST_MODEL_SHIPPEDMODEL_H

#include "cost-model/Model.h"

namespace ddl::cost {

/// The model shipped for vector ISA `isa`, or null if none ships (or it
/// cannot be read: a build problem, reported once on stderr).
const CostModel *shippedCostModel(llvm::StringRef isa);

} // namespace ddl::cost

#endif // DDL_COST_MODEL_SHIPPEDMODEL_H
