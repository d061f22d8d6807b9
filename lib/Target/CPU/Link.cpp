//===- Link.cpp - an object file to a model shared object -----------------===//
//
// Runs the linker that the build found (ld.lld from LLVM 22; $DDL_LINKER
// overrides it). A portable ddlc (DDL_PORTABLE_TOOLS, scripts/
// portable-tools.sh) has lld linked in and, unless $DDL_LINKER is set, runs
// itself as the linker; it takes compiler-rt's builtins from its bundle.
// The model needs libc (malloc, free) and libm (expf, erff,
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

#ifdef DDL_EMBEDDED_LLD
#include "lld/Common/Driver.h"

LLD_HAS_DRIVER(elf)
#endif

#ifndef DDL_X86_64_BUILTINS
#define DDL_X86_64_BUILTINS ""
#endif

#ifndef DDL_LINKER_PATH
#define DDL_LINKER_PATH "ld.lld"
#endif

using namespace mlir;

#if defined(DDL_EMBEDDED_LLD) || defined(DDL_BUNDLED_X86_64_BUILTINS)
/// This program's own executable, or an empty string.
static std::string mainExecutable() {
  return llvm::sys::fs::getMainExecutable(
      "ddlc",
      reinterpret_cast<void *>(reinterpret_cast<intptr_t>(&mainExecutable)));
}
#endif

/// compiler-rt's builtins archive for x86-64 models: $DDL_BUILTINS_X86_64,
/// else (portable build) the copy in the bundle's lib/ beside bin/, else the
/// one found when ddl was built. Empty when there is none.
static std::string x86BuiltinsArchive() {
  if (const char *env = std::getenv("DDL_BUILTINS_X86_64"); env && *env)
    return env;
#ifdef DDL_BUNDLED_X86_64_BUILTINS
  std::string executable = mainExecutable();
  if (!executable.empty()) {
    llvm::SmallString<256> bundled(llvm::sys::path::parent_path(executable));
    llvm::sys::path::append(bundled, DDL_BUNDLED_X86_64_BUILTINS);
    if (llvm::sys::fs::exists(bundled))
      return std::string(bundled);
  }
#endif
  if (llvm::sys::fs::exists(DDL_X86_64_BUILTINS))
    return DDL_X86_64_BUILTINS;
  return "";
}

std::optional<int> ddl::runEmbeddedLinker(int argc, char **argv) {
#ifdef DDL_EMBEDDED_LLD
  if (argc < 3 || llvm::StringRef(argv[1]) != "-flavor")
    return std::nullopt;
  // lld's driver resets every cl::opt in the process (for its -mllvm
  // options), the tool's own included: so it runs in a process of its own,
  // not inside a compilation.
  std::vector<const char *> args(argv, argv + argc);
  args[0] = "ld.lld"; // How its diagnostics name it.
  lld::Result result = lld::lldMain(args, llvm::outs(), llvm::errs(),
                                    {{lld::Gnu, &lld::elf::link}});
  return result.retCode;
#else
  (void)argc;
  (void)argv;
  return std::nullopt;
#endif
}

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
  // With lld linked in, this program is the linker: `<self> -flavor gnu`
  // (runEmbeddedLinker).
  bool embedded = false;
  if (const char *env = std::getenv("DDL_LINKER"); env && *env) {
    linker = env;
  } else {
#ifdef DDL_EMBEDDED_LLD
    embedded = true;
    linker = mainExecutable();
    if (linker.empty()) {
      error = "cannot find this program's executable to link with its lld "
              "(set DDL_LINKER)";
      return failure();
    }
#endif
  }
  if (!embedded && !llvm::sys::fs::can_execute(linker)) {
    auto found = llvm::sys::findProgramByName(linker);
    if (!found) {
      error = "linker '" + linker + "' not found (set DDL_LINKER)";
      return failure();
    }
    linker = *found;
  }
  llvm::Triple triple(resolveTargetTriple(options));
  std::string soname = llvm::sys::path::filename(outputPath).str();
  std::vector<std::string> args = {linker};
  if (embedded)
    args.insert(args.end(), {"-flavor", "gnu"});
  args.insert(args.end(),
              {"-shared", "-o", outputPath.str(), objectPath.str(), "-soname",
               soname, "--gc-sections", "-z", "now", "-z", "noexecstack",
               "--hash-style=gnu", "--build-id=sha1"});
  // Static helpers (half-precision conversions) before the shared libs.
  if (triple.getArch() == llvm::Triple::x86_64) {
    std::string builtins = x86BuiltinsArchive();
    if (!builtins.empty())
      args.push_back(builtins);
  }
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
