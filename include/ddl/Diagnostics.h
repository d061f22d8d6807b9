//===- Diagnostics.h - errors a user can act on ------------------*- C++
//-*-===//
//
// Three kinds of compile failure, told apart in the message and in ddlc's
// exit status:
//
//  * the model is invalid (a malformed file, a shape that cannot be, a
//    constant index out of range): exit 1;
//  * the model uses something ddl does not support yet: exit 1, and the
//    message says "unsupported" and names the op;
//  * ddl itself failed (a pass or the backend broke on a valid, supported
//    model): exit kExitInternalError, "internal compiler error", with a
//    request for a bug report.
//
// Errors raised while a model is imported are the model's: invalid, or
// unsupported when the importer says so. Errors raised after import are
// ddl's own unless the code that raises them marks them as the model's with
// emitUnsupported / emitInvalidModel. The mark is the first words of the
// message (after the source description), so a message reads the same in
// any diagnostic handler.
//
// Every op a frontend imports carries a NameLoc describing its source (the
// ONNX importer: "node 'conv1' (Conv, opset 13)"; the PyTorch frontend:
// "torch.flip" around the user's file:line). Lowering keeps op locations,
// so CompilerDiagnostics can name the source of any later failure.
//
//===----------------------------------------------------------------------===//

#ifndef DDL_DIAGNOSTICS_H
#define DDL_DIAGNOSTICS_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Location.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

namespace ddl {

/// ddlc's exit status for an internal compiler error (sysexits' EX_SOFTWARE);
/// invalid and unsupported models exit with 1.
constexpr int kExitInternalError = 70;

/// The words that start the message of an error that is the model's.
constexpr llvm::StringLiteral kUnsupportedMark = "unsupported: ";
constexpr llvm::StringLiteral kInvalidModelMark = "invalid model: ";

/// An error on `loc` saying that the model uses something ddl does not
/// support yet; stream the rest of the message into it.
inline mlir::InFlightDiagnostic emitUnsupported(mlir::Location loc) {
  return mlir::emitError(loc) << kUnsupportedMark;
}

/// An error on `loc` saying that the model itself is wrong.
inline mlir::InFlightDiagnostic emitInvalidModel(mlir::Location loc) {
  return mlir::emitError(loc) << kInvalidModelMark;
}

enum class FailureKind { None, InvalidModel, Unsupported, Internal };

/// The first location of kind `T` inside `loc` (depth first, through
/// fused and call-site locations), or null.
template <typename T> T findLocation(mlir::Location loc) {
  T found;
  loc->walk([&](mlir::Location inner) {
    if (auto l = llvm::dyn_cast<T>(inner)) {
      found = l;
      return mlir::WalkResult::interrupt();
    }
    return mlir::WalkResult::advance();
  });
  return found;
}

/// The source description a location carries (its first NameLoc), or "".
inline std::string describeSource(mlir::Location loc) {
  auto name = findLocation<mlir::NameLoc>(loc);
  return name ? name.getName().str() : std::string();
}

/// "0.1.0": ddl's version.
llvm::StringRef versionString();

/// Makes LLVM's crash handler print ddl's own message (version, where to
/// report, what to attach) instead of LLVM's "please submit a bug report to
/// llvm-project". Call once from a tool's main.
void installCrashMessage(llvm::StringRef toolName);

/// The diagnostic handler of ddl's tools: prints each diagnostic as
/// `file[:line:col]: error: <source>: <message>` (no line for ONNX models,
/// whose nodes have none), classifies the first error (see the file
/// comment), and marks internal errors as such. While it is installed, ops
/// are not printed with their diagnostics (no module dumps) unless
/// `printOps` is set.
class CompilerDiagnostics {
public:
  enum class Stage { Import, Compile };

  CompilerDiagnostics(mlir::MLIRContext &context, llvm::raw_ostream &os,
                      bool printOps = false);
  ~CompilerDiagnostics();
  CompilerDiagnostics(const CompilerDiagnostics &) = delete;
  CompilerDiagnostics &operator=(const CompilerDiagnostics &) = delete;

  /// Errors from now on are classified as raised in `stage`.
  void setStage(Stage s) { stage = s; }
  /// The kind of the first error reported, or None.
  FailureKind failureKind() const { return kind; }
  /// The exit status for the failures seen: 0, 1 or kExitInternalError.
  int exitStatus() const;
  /// Prints the closing request for a bug report when the failure was
  /// internal; `commandLine` is quoted in it.
  void reportInternalFailure(llvm::StringRef toolName,
                             llvm::StringRef commandLine) const;

private:
  void print(mlir::Diagnostic &diag, bool isNote, llvm::StringRef source);

  mlir::MLIRContext &context;
  llvm::raw_ostream &os;
  mlir::DiagnosticEngine::HandlerID id;
  Stage stage = Stage::Import;
  FailureKind kind = FailureKind::None;
};

} // namespace ddl

#endif // DDL_DIAGNOSTICS_H
