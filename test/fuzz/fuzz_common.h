//===- fuzz_common.h - shared pieces of the C++ fuzz targets --------------===//

#ifndef DDL_TEST_FUZZ_FUZZ_COMMON_H
#define DDL_TEST_FUZZ_FUZZ_COMMON_H

#include "ddl/InitAll.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"

namespace ddl::fuzz {

/// ddl's dialects and passes, registered once per process.
inline const mlir::DialectRegistry &registry() {
  static mlir::DialectRegistry *registry = [] {
    auto *r = new mlir::DialectRegistry();
    registerAllDialects(*r);
    registerAllPasses();
    return r;
  }();
  return *registry;
}

/// A fresh single-threaded context per input, whose errors are counted,
/// not printed: a reader that fails must have reported why.
struct Context {
  Context() {
    context.getDiagEngine().registerHandler([this](mlir::Diagnostic &d) {
      reported |= d.getSeverity() == mlir::DiagnosticSeverity::Error;
      return mlir::success();
    });
  }
  mlir::MLIRContext context{registry(), mlir::MLIRContext::Threading::DISABLED};
  bool reported = false;
};

} // namespace ddl::fuzz

#endif // DDL_TEST_FUZZ_FUZZ_COMMON_H
