//===- Features.h - what the cost model sees of a scheduled kernel -*- C++
//-*-===//
//
// A fixed-length vector of numbers per (kernel, schedule, target): the
// kernel's extents, the schedule's knobs, and what the schedule implies for
// the machine: loop extents per level, edge-tile waste, register pressure,
// bytes in the L1 and L2 working sets and moved from memory, arithmetic
// intensity, parallel chunks against cores. docs/cost-model.md documents
// the schema; kFeatureSchemaVersion changes whenever a feature is added,
// removed or redefined (a saved model records the version it was trained
// on, and a model of another version is not used).
//
//===----------------------------------------------------------------------===//

#ifndef DDL_COST_MODEL_FEATURES_H
#define DDL_COST_MODEL_FEATURES_H

#include "cost-model/Kernel.h"
#include "lib/Target/CPU/TargetInfo.h"

#include "llvm/ADT/ArrayRef.h"

#include <vector>

namespace ddl::cost {

inline constexpr int kFeatureSchemaVersion = 1;

/// The names of the features, in vector order.
llvm::ArrayRef<const char *> featureNames();

/// The features of `schedule` on `kernel` (sizes concrete: a dynamic size
/// replaced by a representative one) for `target`.
std::vector<float> extractFeatures(const KernelDesc &kernel,
                                   const Schedule &schedule,
                                   const target::CPUTargetInfo &target);

} // namespace ddl::cost

#endif // DDL_COST_MODEL_FEATURES_H
