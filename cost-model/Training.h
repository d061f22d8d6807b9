//===- Training.h - datasets from trial logs ---------------------*- C++
//-*-===//

#ifndef DDL_COST_MODEL_TRAINING_H
#define DDL_COST_MODEL_TRAINING_H

#include "cost-model/Model.h"
#include "cost-model/TuningDatabase.h"
#include "lib/Target/CPU/TargetInfo.h"

namespace ddl::cost {

/// The successful trials of `trials` as a dataset: one group per measured
/// kernel (its measured key), features for `target`. Trials of other ISAs
/// and unparsable ones are left out (counted in `skipped`).
Dataset datasetFromTrials(const std::vector<TrialRecord> &trials,
                          const target::CPUTargetInfo &target,
                          unsigned *skipped = nullptr);

} // namespace ddl::cost

#endif // DDL_COST_MODEL_TRAINING_H
