//===- fuzz_schedules.cpp - libFuzzer target: schedule files --------------===//
//
// The reader of `key -> schedule` files (ddlc --schedules, the C API's
// `schedules` option: the tuning database) on arbitrary text: key
// normalization, #sched.contraction / #sched.attention parsing and their
// verifiers. It must return the records or report an error, never crash.
//
//===----------------------------------------------------------------------===//

#include "fuzz_common.h"
#include "passes/codegen/Schedules.h"

#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  ddl::fuzz::Context fuzz;
  auto records = ddl::codegen::parseSchedules(
      llvm::StringRef(reinterpret_cast<const char *>(data), size), "fuzz.sched",
      &fuzz.context);
  if (mlir::failed(records) && !fuzz.reported)
    __builtin_trap(); // a refusal always says why
  return 0;
}
