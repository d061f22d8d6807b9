//===- ModelLoader.h - read and validate an ONNX model ----------*- C++ -*-===//
//
// Everything that happens to a model before its graph is imported: parsing
// (binary or text), the opset check and version conversion, external data
// (with its path checks), the ONNX checker and ONNX shape inference. All of
// libonnx's exceptions are caught here and become diagnostics.
//
//===----------------------------------------------------------------------===//

#ifndef DDL_FRONTENDS_ONNX_MODELLOADER_H
#define DDL_FRONTENDS_ONNX_MODELLOADER_H

#include "frontends/onnx/ONNXImporter.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Support/LLVM.h"
#include "onnx/onnx_pb.h"

namespace ddl::onnx_import {

/// Loads the model at `path` into `model`, ready for import: external data
/// inlined, opset within [kMinOpset, kMaxOpset], checked and shape-inferred
/// as `options` say. Emits an error diagnostic and fails otherwise.
mlir::LogicalResult loadModel(mlir::MLIRContext &context, llvm::StringRef path,
                              const ImportOptions &options,
                              onnx::ModelProto &model);

/// The default-domain opset the model imports (0 when it imports none).
int64_t defaultOpset(const onnx::ModelProto &model);

} // namespace ddl::onnx_import

#endif // DDL_FRONTENDS_ONNX_MODELLOADER_H
