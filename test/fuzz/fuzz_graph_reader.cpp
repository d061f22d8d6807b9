//===- fuzz_graph_reader.cpp - libFuzzer target: .mlir graphs -------------===//
//
// ddlc's reader of nn-dialect graphs (ddl::readGraph: MLIR's parser with
// ddl's dialects, their custom syntax and verifiers, the checks that a
// graph is self-contained nn, the graph simplification) on arbitrary text.
// It must return a module or report an error, never crash.
//
//===----------------------------------------------------------------------===//

#include "ddl/Compiler.h"
#include "fuzz_common.h"

#include "llvm/Support/MemoryBuffer.h"

#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  ddl::fuzz::Context fuzz;
  mlir::OwningOpRef<mlir::ModuleOp> module = ddl::readGraph(
      fuzz.context,
      llvm::MemoryBuffer::getMemBufferCopy(
          llvm::StringRef(reinterpret_cast<const char *>(data), size),
          "fuzz.mlir"));
  if (!module && !fuzz.reported)
    __builtin_trap(); // a refusal always says why
  return 0;
}
