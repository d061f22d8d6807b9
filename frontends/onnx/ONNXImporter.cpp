//===- ONNXImporter.cpp - ONNX models into the nn dialect -----------------===//

#include "frontends/onnx/ONNXImporter.h"
#include "frontends/onnx/GraphImporter.h"
#include "frontends/onnx/ModelLoader.h"
#include "passes/graph/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

namespace ddl::onnx_import {

/// Folds constants and shape computations and refines types: what makes
/// an imported graph's shapes as static and as symbolic as they can be.
static LogicalResult simplify(ModuleOp module) {
  PassManager pm(module.getContext());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(graph::createNNInferShapesPass());
  pm.addPass(createCanonicalizerPass());
  return pm.run(module);
}

OwningOpRef<ModuleOp> importONNXFile(MLIRContext &context, StringRef path,
                                     const ImportOptions &options) {
  context.loadDialect<nn::NNDialect, func::FuncDialect>();
  onnx::ModelProto model;
  if (failed(loadModel(context, path, options, model)))
    return nullptr;
  Location loc = FileLineColLoc::get(&context, path, 0, 0);
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
  if (options.simplify && failed(simplify(*module)))
    return nullptr;
  return module;
}

} // namespace ddl::onnx_import
