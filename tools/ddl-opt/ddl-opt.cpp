//===- ddl-opt.cpp - the ddl pass driver ----------------------------------===//
//
// mlir-opt with ddl's dialects and passes: pass pipelines,
// --verify-diagnostics, --split-input-file, --mlir-print-ir-after-all and
// every other mlir-opt flag behave as upstream.
//
//===----------------------------------------------------------------------===//

#include "ddl/InitAll.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  ddl::registerAllDialects(registry);
  ddl::registerAllPasses();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "ddl optimizer driver\n", registry));
}
