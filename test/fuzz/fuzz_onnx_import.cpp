//===- fuzz_onnx_import.cpp - libFuzzer target: the ONNX importer ---------===//
//
// The whole ONNX import of ddlc on arbitrary bytes: protobuf parsing, the
// opset check and version conversion, the ONNX checker and shape
// inference, ddl's converters, the verifier and the graph simplification
// (ddl::onnx_import::importONNXBuffer). It must return a module or report
// an error, never crash; libonnx's exceptions stay inside the importer.
//
//===----------------------------------------------------------------------===//

#include "frontends/onnx/ONNXImporter.h"
#include "fuzz_common.h"

#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  ddl::fuzz::Context fuzz;
  ddl::onnx_import::ImportOptions options;
  mlir::OwningOpRef<mlir::ModuleOp> module = ddl::onnx_import::importONNXBuffer(
      fuzz.context, llvm::StringRef(reinterpret_cast<const char *>(data), size),
      "fuzz.onnx", options);
  if (!module && !fuzz.reported)
    __builtin_trap(); // a refusal always says why
  return 0;
}
