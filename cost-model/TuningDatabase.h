//===- TuningDatabase.h - tuned schedules and measured trials ----*- C++
//-*-===//
//
// Two JSON-lines files:
//
//  * the tuning database that `ddl-tune` writes and `ddlc --tuning-db`
//    replays: one record per (kernel key, target) with the best schedule
//    found, its measured latency, the heuristic's, the trials spent, the
//    date and the tool version;
//  * the trial log: every measurement (kernel key, the key with the sizes
//    it was measured at, schedule, latency and noise or the failure), the
//    training data of the cost model.
//
// Readers never fail on a bad line: it is skipped with a warning naming the
// file and line, so a database written by another version or edited by
// hand loses only its bad records.
//
//===----------------------------------------------------------------------===//

#ifndef DDL_COST_MODEL_TUNINGDATABASE_H
#define DDL_COST_MODEL_TUNINGDATABASE_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <string>
#include <vector>

namespace ddl::cost {

/// The version ddl-tune writes into its records.
inline constexpr const char *kTunerVersion = "ddl-tune 1";

struct TuningRecord {
  std::string key;
  /// The vector ISA the schedule was tuned on (the key's isa).
  std::string target;
  std::string schedule;
  double latencyMs = 0;
  /// The heuristic's schedule's latency, measured in the same run.
  double defaultMs = 0;
  unsigned trials = 0;
  std::string date;
  std::string version = kTunerVersion;
  /// The key with the sizes it was measured at (a dynamic size bound).
  std::string measuredKey;
};

struct TrialRecord {
  std::string key, measuredKey, schedule;
  /// `ok`, `compile-failed`, `run-failed` or `timeout`.
  std::string status = "ok";
  double latencyMs = 0;
  /// (p90 - p50) / p50 of the repeated runs.
  double noise = 0;
  /// The cost model's estimate before measuring (0 when none).
  double predictedMs = 0;
  /// `model`, `random`, `default` or `exhaustive`.
  std::string search;
  /// The threads the kernel ran on (0: not recorded).
  unsigned threads = 0;
};

std::string toJSONLine(const TuningRecord &record);
std::string toJSONLine(const TrialRecord &record);

/// Reads a tuning database; bad lines go to `warnings` as
/// `path:line: why`. A missing file is an error.
llvm::Expected<std::vector<TuningRecord>>
readTuningDatabase(llvm::StringRef path, std::vector<std::string> &warnings);
/// The same on text; `path` names it in the warnings.
std::vector<TuningRecord>
parseTuningDatabase(llvm::StringRef text, llvm::StringRef path,
                    std::vector<std::string> &warnings);

llvm::Expected<std::vector<TrialRecord>>
readTrialLog(llvm::StringRef path, std::vector<std::string> &warnings);

/// Closes `os`, writing `path`, and reports a write error as an Error (the
/// stream's error is cleared: left set, its destructor would end the
/// process).
llvm::Error closeOutput(llvm::raw_fd_ostream &os, llvm::StringRef path);

/// Appends lines to `path` (created if missing).
llvm::Error appendLines(llvm::StringRef path,
                        const std::vector<std::string> &lines);

/// Today's date, YYYY-MM-DD (UTC).
std::string today();

} // namespace ddl::cost

#endif // DDL_COST_MODEL_TUNINGDATABASE_H
