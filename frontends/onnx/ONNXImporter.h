//===- ONNXImporter.h - ONNX models into the nn dialect ---------*- C++ -*-===//
//
// The public entry point of the ONNX frontend. It needs no ONNX or protobuf
// headers: those stay inside the frontend library, which is the only ddl
// code built with C++ exceptions (libonnx reports errors by throwing).
//
//===----------------------------------------------------------------------===//

#ifndef DDL_FRONTENDS_ONNX_ONNXIMPORTER_H
#define DDL_FRONTENDS_ONNX_ONNXIMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/StringRef.h"

namespace ddl::onnx_import {

/// The range of default-domain opsets the importer understands. Older
/// models are first converted with ONNX's version converter; in newer ones
/// (past libonnx's 17, see OpVersions.h) each op's version is checked
/// against what its converter implements.
constexpr int64_t kMinOpset = 7;
constexpr int64_t kMaxOpset = 21;

/// The ONNX domain of the training operators (Adagrad, Momentum, Adam):
/// the one domain besides the default that ddl imports, at version 1.
inline constexpr llvm::StringLiteral kTrainingDomain =
    "ai.onnx.preview.training";

/// True for the default ONNX domain's two spellings ("" and "ai.onnx").
inline bool isDefaultDomain(llvm::StringRef domain) {
  return domain.empty() || domain == "ai.onnx";
}

struct ImportOptions {
  /// Run ONNX shape inference (with data propagation) before importing;
  /// its results refine the imported types.
  bool shapeInference = true;
  /// Run the ONNX checker; a model it rejects is not imported.
  bool check = true;
  /// Fold constants and shape computations, and refine types, after import.
  bool simplify = true;
};

/// Imports the ONNX model at `path` into a new module holding one function
/// per graph (`@main` for the model's graph). The file is a binary
/// ModelProto, or ONNX's text syntax when its name ends in `.onnxtxt`.
/// Problems are reported as error diagnostics on `context` (naming the file,
/// the node and its op type where there is one); the result is then null.
mlir::OwningOpRef<mlir::ModuleOp> importONNXFile(mlir::MLIRContext &context,
                                                 llvm::StringRef path,
                                                 const ImportOptions &options);

/// The same for a binary ModelProto held in memory (`bytes`); `name` names
/// the model in diagnostics. A model with external data must be imported
/// from its file.
mlir::OwningOpRef<mlir::ModuleOp>
importONNXBuffer(mlir::MLIRContext &context, llvm::StringRef bytes,
                 llvm::StringRef name, const ImportOptions &options);

} // namespace ddl::onnx_import

#endif // DDL_FRONTENDS_ONNX_ONNXIMPORTER_H
