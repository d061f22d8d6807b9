//===- ddlc.cpp - the ddl ahead-of-time compiler --------------------------===//
//
// ddlc model.onnx --emit=graph -o model.mlir
//
// Today ddlc stops at the graph stage: it imports an ONNX model into the nn
// dialect. `--emit=` names the stage to stop at; the later stages (linalg,
// llvm, object, shared library) arrive with CPU code generation.
//
//===----------------------------------------------------------------------===//

#include "ddl/InitAll.h"
#include "frontends/onnx/ONNXImporter.h"

#include "mlir/Bytecode/BytecodeWriter.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/WithColor.h"

using namespace mlir;
namespace cl = llvm::cl;

namespace {
enum class Emit { Graph };
} // namespace

static cl::opt<std::string> inputPath(cl::Positional, cl::Required,
                                      cl::desc("<model.onnx | model.onnxtxt>"));
static cl::opt<std::string> outputPath("o",
                                       cl::desc("Output file ('-' for stdout)"),
                                       cl::value_desc("file"), cl::init("-"));
static cl::opt<Emit>
    emit("emit", cl::desc("The stage to stop at"), cl::init(Emit::Graph),
         cl::values(clEnumValN(Emit::Graph, "graph",
                               "the nn graph dialect after import (MLIR)")));
static cl::opt<bool> emitBytecode("emit-bytecode",
                                  cl::desc("Write MLIR bytecode, not text"));
static cl::opt<bool> noCheck("no-check",
                             cl::desc("Skip the ONNX checker (not advised)"));
static cl::opt<bool> noSimplify(
    "no-simplify",
    cl::desc("Keep the graph as imported: no folding or type refinement"));

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::ParseCommandLineOptions(argc, argv, "ddl ahead-of-time compiler\n");

  DialectRegistry registry;
  ddl::registerAllDialects(registry);
  MLIRContext context(registry);
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);

  ddl::onnx_import::ImportOptions options;
  options.check = !noCheck;
  options.simplify = !noSimplify;
  OwningOpRef<ModuleOp> module =
      ddl::onnx_import::importONNXFile(context, inputPath, options);
  if (!module)
    return 1;

  std::string error;
  std::unique_ptr<llvm::ToolOutputFile> output =
      openOutputFile(outputPath, &error);
  if (!output) {
    llvm::WithColor::error(llvm::errs(), "ddlc") << error << "\n";
    return 1;
  }
  if (emitBytecode) {
    if (failed(writeBytecodeToFile(*module, output->os()))) {
      llvm::WithColor::error(llvm::errs(), "ddlc") << "cannot write bytecode\n";
      return 1;
    }
  } else {
    module->print(output->os());
  }
  output->keep();
  return 0;
}
