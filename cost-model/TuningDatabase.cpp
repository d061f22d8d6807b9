//===- TuningDatabase.cpp - tuned schedules and measured trials -----------===//

#include "cost-model/TuningDatabase.h"
#include "cost-model/Kernel.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cmath>
#include <ctime>

using namespace ddl::cost;
using llvm::json::Object;

static std::string line(Object object) {
  std::string text;
  llvm::raw_string_ostream(text) << llvm::json::Value(std::move(object));
  return text;
}

std::string ddl::cost::toJSONLine(const TuningRecord &r) {
  return line(Object{{"key", r.key},
                     {"target", r.target},
                     {"schedule", r.schedule},
                     {"latency_ms", r.latencyMs},
                     {"default_ms", r.defaultMs},
                     {"trials", int64_t(r.trials)},
                     {"date", r.date},
                     {"version", r.version},
                     {"measured_key", r.measuredKey}});
}

std::string ddl::cost::toJSONLine(const TrialRecord &r) {
  return line(Object{{"key", r.key},
                     {"measured_key", r.measuredKey},
                     {"schedule", r.schedule},
                     {"status", r.status},
                     {"latency_ms", r.latencyMs},
                     {"noise", r.noise},
                     {"predicted_ms", r.predictedMs},
                     {"search", r.search},
                     {"threads", int64_t(r.threads)}});
}

/// Calls `each(object, why)` for every non-empty line that is a JSON
/// object; the others are warnings.
template <typename Each>
static void forEachObject(llvm::StringRef text, llvm::StringRef path,
                          std::vector<std::string> &warnings, Each each) {
  llvm::SmallVector<llvm::StringRef> lines;
  text.split(lines, '\n');
  for (auto [index, raw] : llvm::enumerate(lines)) {
    llvm::StringRef trimmed = raw.trim();
    if (trimmed.empty())
      continue;
    std::string where = (path + ":" + llvm::Twine(index + 1)).str();
    llvm::Expected<llvm::json::Value> value = llvm::json::parse(trimmed);
    if (!value) {
      warnings.push_back(where + ": not JSON (" +
                         llvm::toString(value.takeError()) + "), skipped");
      continue;
    }
    const Object *object = value->getAsObject();
    if (!object) {
      warnings.push_back(where + ": not a JSON object, skipped");
      continue;
    }
    std::string why;
    if (!each(*object, why))
      warnings.push_back(where + ": " + why + ", skipped");
  }
}

/// Reads string field `name` into `out`; sets `why` when it is missing.
static bool getString(const Object &o, llvm::StringRef name, std::string &out,
                      std::string &why) {
  std::optional<llvm::StringRef> value = o.getString(name);
  if (!value) {
    why = ("no string \"" + name + "\"").str();
    return false;
  }
  out = value->str();
  return true;
}

static bool getNumber(const Object &o, llvm::StringRef name, double &out,
                      std::string &why, bool positive) {
  std::optional<double> value = o.getNumber(name);
  if (!value || !std::isfinite(*value) || (positive && *value <= 0)) {
    why = ("no " + llvm::Twine(positive ? "positive " : "") + "number \"" +
           name + "\"")
              .str();
    return false;
  }
  out = *value;
  return true;
}

std::vector<TuningRecord>
ddl::cost::parseTuningDatabase(llvm::StringRef text, llvm::StringRef path,
                               std::vector<std::string> &warnings) {
  std::vector<TuningRecord> records;
  forEachObject(text, path, warnings, [&](const Object &o, std::string &why) {
    TuningRecord r;
    if (!getString(o, "key", r.key, why) ||
        !getString(o, "target", r.target, why) ||
        !getString(o, "schedule", r.schedule, why) ||
        !getNumber(o, "latency_ms", r.latencyMs, why, true))
      return false;
    // What the record says of itself must hold together: a key that
    // parses, of the target named, and a schedule of the kernel's kind.
    llvm::Expected<KernelDesc> kernel = parseKernelKey(r.key);
    if (!kernel) {
      why = llvm::toString(kernel.takeError());
      return false;
    }
    if (kernel->isa != r.target) {
      why = "key is for isa=" + kernel->isa + " but the record's target is " +
            r.target;
      return false;
    }
    llvm::Expected<Schedule> schedule = parseSchedule(r.schedule);
    if (!schedule) {
      why = llvm::toString(schedule.takeError());
      return false;
    }
    if (schedule->attention == kernel->isContraction()) {
      why = "a " +
            std::string(schedule->attention ? "#sched.attention"
                                            : "#sched.contraction") +
            " schedule for a " +
            (kernel->isContraction() ? "contraction" : "attention") + " key";
      return false;
    }
    r.defaultMs = o.getNumber("default_ms").value_or(0);
    if (std::optional<int64_t> trials = o.getInteger("trials"))
      r.trials = unsigned(std::max<int64_t>(0, *trials));
    r.date = o.getString("date").value_or("").str();
    r.version = o.getString("version").value_or("").str();
    r.measuredKey = o.getString("measured_key").value_or("").str();
    records.push_back(std::move(r));
    return true;
  });
  return records;
}

static llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>>
readFile(llvm::StringRef path, llvm::StringRef what) {
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buffer =
      llvm::MemoryBuffer::getFile(path);
  if (!buffer)
    return llvm::createStringError("cannot read " + what + " '" + path +
                                   "': " + buffer.getError().message());
  return std::move(*buffer);
}

llvm::Expected<std::vector<TuningRecord>>
ddl::cost::readTuningDatabase(llvm::StringRef path,
                              std::vector<std::string> &warnings) {
  auto buffer = readFile(path, "tuning database");
  if (!buffer)
    return buffer.takeError();
  return parseTuningDatabase((*buffer)->getBuffer(), path, warnings);
}

llvm::Expected<std::vector<TrialRecord>>
ddl::cost::readTrialLog(llvm::StringRef path,
                        std::vector<std::string> &warnings) {
  auto buffer = readFile(path, "trial log");
  if (!buffer)
    return buffer.takeError();
  std::vector<TrialRecord> trials;
  forEachObject((*buffer)->getBuffer(), path, warnings,
                [&](const Object &o, std::string &why) {
                  TrialRecord r;
                  if (!getString(o, "key", r.key, why) ||
                      !getString(o, "measured_key", r.measuredKey, why) ||
                      !getString(o, "schedule", r.schedule, why) ||
                      !getString(o, "status", r.status, why))
                    return false;
                  if (r.status == "ok" &&
                      !getNumber(o, "latency_ms", r.latencyMs, why, true))
                    return false;
                  r.noise = o.getNumber("noise").value_or(0);
                  r.predictedMs = o.getNumber("predicted_ms").value_or(0);
                  r.search = o.getString("search").value_or("").str();
                  r.threads = unsigned(std::clamp<int64_t>(
                      o.getInteger("threads").value_or(0), 0, 1 << 16));
                  trials.push_back(std::move(r));
                  return true;
                });
  return trials;
}

llvm::Error ddl::cost::appendLines(llvm::StringRef path,
                                   const std::vector<std::string> &lines) {
  std::error_code error;
  llvm::raw_fd_ostream os(path, error, llvm::sys::fs::OF_Append);
  if (error)
    return llvm::createStringError("cannot write '" + path +
                                   "': " + error.message());
  for (const std::string &text : lines)
    os << text << "\n";
  return closeOutput(os, path);
}

llvm::Error ddl::cost::closeOutput(llvm::raw_fd_ostream &os,
                                   llvm::StringRef path) {
  os.close();
  if (!os.has_error())
    return llvm::Error::success();
  std::error_code error = os.error();
  os.clear_error();
  return llvm::createStringError("cannot write '" + path +
                                 "': " + error.message());
}

std::string ddl::cost::today() {
  std::time_t now = std::time(nullptr);
  char text[16];
  std::strftime(text, sizeof text, "%Y-%m-%d", std::gmtime(&now));
  return text;
}
