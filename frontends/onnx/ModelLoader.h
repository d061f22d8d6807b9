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

/// Reads the model at `path` into `model`: parsed (binary or text), its
/// opset within [kMinOpset, kMaxOpset] (converted when older), external data
/// inlined. Emits an error diagnostic and fails otherwise.
mlir::LogicalResult readModel(mlir::MLIRContext &context, llvm::StringRef path,
                              onnx::ModelProto &model);

/// Reads a binary ModelProto from memory into `model`, as readModel does a
/// file; `name` names it in diagnostics. External data is refused (there is
/// no folder to find it in).
mlir::LogicalResult readModelBuffer(mlir::MLIRContext &context,
                                    llvm::StringRef bytes, llvm::StringRef name,
                                    onnx::ModelProto &model);

/// Runs the ONNX checker and ONNX shape inference on a read model, as
/// `options` say. Past opset 17 both see the nodes libonnx's schemas know
/// (the ops that changed since are hidden from them); ddl's own verifiers
/// and shape functions judge the rest during import.
mlir::LogicalResult validateModel(mlir::MLIRContext &context,
                                  llvm::StringRef path,
                                  const ImportOptions &options,
                                  onnx::ModelProto &model);

/// The default-domain opset the model imports (0 when it imports none).
int64_t defaultOpset(const onnx::ModelProto &model);

} // namespace ddl::onnx_import

#endif // DDL_FRONTENDS_ONNX_MODELLOADER_H
