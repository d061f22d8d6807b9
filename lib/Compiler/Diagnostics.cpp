//===- Diagnostics.cpp - errors a user can act on -------------------------===//
//
// See include/ddl/Diagnostics.h.
//
//===----------------------------------------------------------------------===//

#include "ddl/Diagnostics.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/PrettyStackTrace.h"
#include "llvm/Support/WithColor.h"

using namespace mlir;

#ifndef DDL_VERSION_STRING
#error "DDL_VERSION_STRING must be defined by the build (project version)"
#endif

llvm::StringRef ddl::versionString() { return DDL_VERSION_STRING; }

/// Where ddl's bug reports go (docs/status.md says the same).
static constexpr llvm::StringLiteral kReportWhere =
    "the ddl issue tracker (the `issues` command in a ddl checkout)";

void ddl::installCrashMessage(llvm::StringRef toolName) {
  // LLVM keeps the pointer: the text must outlive main.
  static std::string message;
  message = (llvm::Twine("PLEASE report this crash of ") + toolName + " " +
             DDL_VERSION_STRING + " to " + kReportWhere +
             ", with the command line below and, if you can share it, the "
             "model; `" +
             toolName +
             " --debug` prints the IR of a failing compilation. This is a "
             "bug in ddl, not in your model.\n")
                .str();
  llvm::setBugReportMsg(message.c_str());
}

/// "file", or "file:line:col" when the location has a line (ONNX nodes
/// have none: their locations say line 0), or "" when it names no file.
static std::string where(Location loc) {
  FileLineColLoc file = ddl::findLocation<FileLineColLoc>(loc);
  if (!file)
    return "";
  std::string text = file.getFilename().str();
  if (file.getLine() != 0)
    text += ":" + std::to_string(file.getLine()) + ":" +
            std::to_string(file.getColumn());
  return text;
}

/// `message` without a leading "<source>: " (importers already name their
/// node in the text).
static llvm::StringRef stripSource(llvm::StringRef message,
                                   llvm::StringRef source) {
  if (!source.empty() && message.starts_with(source) &&
      message.drop_front(source.size()).starts_with(": "))
    return message.drop_front(source.size() + 2);
  return message;
}

namespace ddl {

CompilerDiagnostics::CompilerDiagnostics(MLIRContext &context,
                                         llvm::raw_ostream &os, bool printOps)
    : context(context), os(os) {
  // MLIR attaches the failing op's text to each diagnostic by default; for
  // an error on a module that is the whole model.
  context.printOpOnDiagnostic(printOps);
  id = context.getDiagEngine().registerHandler(
      [this](Diagnostic &diag) -> LogicalResult {
        std::string message = diag.str();
        std::string source = describeSource(diag.getLocation());
        llvm::StringRef text = stripSource(message, source);
        bool internal = false;
        if (diag.getSeverity() == DiagnosticSeverity::Error) {
          FailureKind thisKind;
          if (stage == Stage::Import)
            thisKind = text.contains("unsupported") ? FailureKind::Unsupported
                                                    : FailureKind::InvalidModel;
          else if (text.starts_with(kUnsupportedMark))
            thisKind = FailureKind::Unsupported;
          else if (text.starts_with(kInvalidModelMark))
            thisKind = FailureKind::InvalidModel;
          else
            thisKind = FailureKind::Internal;
          internal = thisKind == FailureKind::Internal;
          if (kind == FailureKind::None)
            kind = thisKind;
        }
        std::string prefix = internal ? "internal compiler error: " : "";
        if (!source.empty())
          prefix += source + ": ";
        print(diag, /*isNote=*/false, prefix + text.str());
        for (Diagnostic &note : diag.getNotes())
          print(note, /*isNote=*/true, note.str());
        return success();
      });
}

CompilerDiagnostics::~CompilerDiagnostics() {
  context.getDiagEngine().eraseHandler(id);
}

void CompilerDiagnostics::print(Diagnostic &diag, bool isNote,
                                llvm::StringRef text) {
  std::string at = where(diag.getLocation());
  if (!at.empty())
    os << at << ": ";
  llvm::raw_ostream::Colors color = llvm::raw_ostream::RED;
  llvm::StringRef label = "error";
  if (isNote) {
    color = llvm::raw_ostream::BLACK;
    label = "note";
  } else if (diag.getSeverity() == DiagnosticSeverity::Warning) {
    color = llvm::raw_ostream::MAGENTA;
    label = "warning";
  } else if (diag.getSeverity() == DiagnosticSeverity::Remark) {
    color = llvm::raw_ostream::BLUE;
    label = "remark";
  }
  llvm::WithColor(os, color, /*Bold=*/true) << label << ": ";
  os << text << "\n";
}

int CompilerDiagnostics::exitStatus() const {
  switch (kind) {
  case FailureKind::None:
    return 0;
  case FailureKind::InvalidModel:
  case FailureKind::Unsupported:
    return 1;
  case FailureKind::Internal:
    return kExitInternalError;
  }
  return kExitInternalError;
}

void CompilerDiagnostics::reportInternalFailure(
    llvm::StringRef toolName, llvm::StringRef commandLine) const {
  if (kind != FailureKind::Internal)
    return;
  os << toolName << ": this is an internal compiler error, a bug in ddl "
     << "(not in your model). Please report it to " << kReportWhere << " with `"
     << toolName << " --version` (" << versionString()
     << "), the command line\n  " << commandLine
     << "\nand, if you can share it, the model. `" << toolName
     << " --debug` prints the IR after the failing pass.\n";
}

} // namespace ddl
