//===- Link.cpp - an object file to a model shared object -----------------===//
//
// Runs the linker that the build found (ld.lld from LLVM 22; $DDL_LINKER
// overrides it). The model needs libc (malloc, free) and libm (expf, erff,
// ...): it names them as DT_NEEDED when the target's libraries are on this
// machine, and otherwise leaves them to be resolved when the runtime, which
// links both, loads the model.
//
//===----------------------------------------------------------------------===//

#include "ddl/Compiler.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

#ifndef DDL_X86_64_BUILTINS
#define DDL_X86_64_BUILTINS ""
#endif

#ifndef DDL_LINKER_PATH
#define DDL_LINKER_PATH "ld.lld"
#endif

using namespace mlir;

/// Library folders holding libc.so and libm.so for `triple`, if present.
static std::optional<std::string> systemLibraryDir(const llvm::Triple &triple) {
  std::vector<std::string> candidates;
  if (triple.getArch() == llvm::Triple::x86_64)
    candidates = {"/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu"};
  else if (triple.getArch() == llvm::Triple::aarch64)
    candidates = {"/usr/aarch64-linux-gnu/lib", "/usr/lib/aarch64-linux-gnu"};
  llvm::Triple host(llvm::sys::getProcessTriple());
  for (const std::string &dir : candidates) {
    // A native aarch64 host has its libraries in /usr/lib/aarch64-linux-gnu;
    // a cross setup in /usr/aarch64-linux-gnu/lib.
    if (llvm::sys::fs::exists(dir + "/libm.so") &&
        llvm::sys::fs::exists(dir + "/libc.so"))
      return dir;
  }
  (void)host;
  return std::nullopt;
}

LogicalResult ddl::linkSharedObject(llvm::StringRef objectPath,
                                    llvm::StringRef outputPath,
                                    const CompileOptions &options,
                                    std::string &error) {
  std::string linker = DDL_LINKER_PATH;
  if (const char *env = std::getenv("DDL_LINKER"); env && *env)
    linker = env;
  if (!llvm::sys::fs::can_execute(linker)) {
    auto found = llvm::sys::findProgramByName(linker);
    if (!found) {
      error = "linker '" + linker + "' not found (set DDL_LINKER)";
      return failure();
    }
    linker = *found;
  }
  llvm::Triple triple(resolveTargetTriple(options));
  std::string soname = llvm::sys::path::filename(outputPath).str();
  std::vector<std::string> args = {linker,
                                   "-shared",
                                   "-o",
                                   outputPath.str(),
                                   objectPath.str(),
                                   "-soname",
                                   soname,
                                   "--gc-sections",
                                   "-z",
                                   "now",
                                   "-z",
                                   "noexecstack",
                                   "--hash-style=gnu",
                                   "--build-id=sha1"};
  // Static helpers (half-precision conversions) before the shared libs.
  if (triple.getArch() == llvm::Triple::x86_64 &&
      llvm::StringRef(DDL_X86_64_BUILTINS).size() &&
      llvm::sys::fs::exists(DDL_X86_64_BUILTINS))
    args.push_back(DDL_X86_64_BUILTINS);
  if (std::optional<std::string> libs = systemLibraryDir(triple)) {
    args.push_back("-L" + *libs);
    args.push_back("--as-needed");
    args.push_back("-lm");
    args.push_back("-lc");
  }
  llvm::SmallVector<llvm::StringRef> argRefs(args.begin(), args.end());
  std::string message;
  int status = llvm::sys::ExecuteAndWait(linker, argRefs, std::nullopt, {}, 0,
                                         0, &message);
  if (status != 0) {
    error = "linking " + outputPath.str() + " failed" +
            (message.empty() ? "" : ": " + message);
    return failure();
  }
  return success();
}
