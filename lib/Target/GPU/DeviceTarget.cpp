//===- DeviceTarget.cpp - the GPU targets ddlc compiles for ---------------===//

#include "lib/Target/GPU/DeviceTarget.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <cstdlib>
#include <dlfcn.h>

namespace {
/// Architectures with a tested pipeline; the first is the default. sm_90a
/// is Hopper with its arch-specific instructions (wgmma, TMA-fed kernels,
/// setmaxnreg), which every sm_90 GPU runs; sm_90 leaves them out. PTX 8.0
/// is what they need and what CUDA 12+ ptxas accepts.
constexpr llvm::StringLiteral kCudaChips[] = {"sm_90a", "sm_90", "sm_80",
                                              "sm_86", "sm_89"};
constexpr llvm::StringLiteral kRocmChips[] = {"gfx942", "gfx90a"};

std::string join(llvm::ArrayRef<llvm::StringLiteral> chips) {
  std::string text;
  for (llvm::StringRef chip : chips)
    text += (text.empty() ? "" : ", ") + chip.str();
  return text;
}
} // namespace

std::optional<ddl::DeviceTarget> ddl::parseDeviceTarget(llvm::StringRef target,
                                                        std::string &error) {
  auto [kind, chip] = target.split(':');
  DeviceTarget device;
  llvm::ArrayRef<llvm::StringLiteral> chips;
  if (kind == "cuda") {
    device.kind = DeviceTarget::Kind::CUDA;
    device.features = "+ptx80";
    chips = kCudaChips;
  } else if (kind == "rocm") {
    device.kind = DeviceTarget::Kind::ROCm;
    chips = kRocmChips;
  } else {
    return std::nullopt;
  }
  if (chip.empty())
    chip = chips.front();
  if (!llvm::is_contained(chips, chip)) {
    error = "unknown " + kind.str() + " architecture '" + chip.str() +
            "' (expected one of " + join(chips) + ")";
    return device;
  }
  device.chip = chip.str();
  return device;
}

std::string ddl::cudaToolkitPath() {
  if (const char *env = std::getenv("DDL_CUDA_PATH"); env && *env)
    return env;
  return DDL_CUDA_TOOLKIT_PATH;
}

/// The folder of the binary that holds this code: libddl_compiler.so's
/// (build/lib/ or <prefix>/lib/), or a statically linked tool's (bin/).
static std::string ownBinaryFolder() {
  Dl_info info;
  if (!dladdr(reinterpret_cast<void *>(&ownBinaryFolder), &info) ||
      !info.dli_fname)
    return "";
  llvm::SmallString<256> path;
  if (llvm::sys::fs::real_path(info.dli_fname, path))
    return "";
  return llvm::sys::path::parent_path(path).str();
}

std::string ddl::rocmToolkitPath() {
  if (const char *env = std::getenv("DDL_ROCM_PATH"); env && *env)
    return env;
  // Found from where ddl lives rather than written in at build time, so an
  // installed (or packaged, relocated) ddl uses its own copy.
  std::string folder = ownBinaryFolder();
  if (folder.empty())
    return "";
  llvm::SmallString<256> toolkit(folder);
  llvm::sys::path::append(toolkit, "..", DDL_ROCM_TOOLKIT_RELATIVE_PATH);
  return std::string(toolkit);
}

std::string ddl::cudaLibdevicePath() {
  std::string toolkit = cudaToolkitPath();
  if (toolkit.empty())
    return "";
  llvm::SmallString<256> path(toolkit);
  llvm::sys::path::append(path, "nvvm", "libdevice", "libdevice.10.bc");
  return llvm::sys::fs::exists(path) ? std::string(path) : std::string();
}
