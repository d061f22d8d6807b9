//===- ONNXImporter.cpp - ONNX models into the nn dialect -----------------===//

#include "frontends/onnx/ONNXImporter.h"
#include "ddl/Pipelines.h"
#include "dialects/lowbit/LowbitDialect.h"
#include "frontends/onnx/GraphImporter.h"
#include "frontends/onnx/ModelLoader.h"
#include "frontends/onnx/OpVersions.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Pass/PassManager.h"

using namespace mlir;

namespace ddl::onnx_import {

/// Reports the first node (subgraphs included) whose op ddl cannot convert:
/// no converter, or (past opset 17) a newer version of the op than its
/// converter implements.
static LogicalResult
checkSupportedOps(Location loc, const onnx::GraphProto &graph, int64_t opset) {
  const ConverterRegistry &registry = ConverterRegistry::get();
  for (auto [index, node] : llvm::enumerate(graph.node())) {
    std::string where = describeNode(node, index, opset);
    if (!registry.find(node.domain(), node.op_type()))
      return emitError(loc)
             << where << ": unsupported: " << unsupportedOpMessage(node);
    const NewerOpVersion *version = isDefaultDomain(node.domain())
                                        ? newerOpVersion(node.op_type(), opset)
                                        : nullptr;
    if (version &&
        version->version > registry.newestVersion("", node.op_type()))
      return emitError(loc)
             << where << ": unsupported: opset " << opset << " selects "
             << node.op_type() << "-" << version->version << " ("
             << version->change << "), which ddl does not implement";
    for (const onnx::AttributeProto &attr : node.attribute()) {
      if (attr.has_g() && failed(checkSupportedOps(loc, attr.g(), opset)))
        return failure();
      for (const onnx::GraphProto &g : attr.graphs())
        if (failed(checkSupportedOps(loc, g, opset)))
          return failure();
    }
  }
  return success();
}

/// Imports a read model; `path` names it in locations and diagnostics.
static OwningOpRef<ModuleOp> importModel(MLIRContext &context, StringRef path,
                                         onnx::ModelProto &model,
                                         const ImportOptions &options) {
  Location loc = FileLineColLoc::get(&context, path, 0, 0);
  // Unsupported ops are reported before the checker runs, so the message
  // names the node (the checker's would not).
  if (failed(checkSupportedOps(loc, model.graph(), defaultOpset(model))) ||
      failed(validateModel(context, path, options, model)))
    return nullptr;
  OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
  GraphImporter importer(*module, path, defaultOpset(model));
  try {
    if (failed(importer.importMainGraph(*model.mutable_graph(), "main")))
      return nullptr;
  } catch (const std::exception &e) {
    emitError(loc) << "cannot import the model: " << e.what();
    return nullptr;
  }
  if (failed(verify(*module)))
    return nullptr;
  if (options.simplify) {
    PassManager pm(&context);
    buildSimplifyGraphPipeline(pm);
    if (failed(pm.run(*module)))
      return nullptr;
  }
  return module;
}

static void loadImportedDialects(MLIRContext &context) {
  context
      .loadDialect<nn::NNDialect, lowbit::LowbitDialect, func::FuncDialect>();
}

OwningOpRef<ModuleOp> importONNXFile(MLIRContext &context, StringRef path,
                                     const ImportOptions &options) {
  loadImportedDialects(context);
  onnx::ModelProto model;
  if (failed(readModel(context, path, model)))
    return nullptr;
  return importModel(context, path, model, options);
}

OwningOpRef<ModuleOp> importONNXBuffer(MLIRContext &context, StringRef bytes,
                                       StringRef name,
                                       const ImportOptions &options) {
  loadImportedDialects(context);
  onnx::ModelProto model;
  if (failed(readModelBuffer(context, bytes, name, model)))
    return nullptr;
  return importModel(context, name, model, options);
}

} // namespace ddl::onnx_import
