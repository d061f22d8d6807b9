//===- DeviceTarget.cpp - the GPU targets ddlc compiles for ---------------===//

#include "lib/Target/GPU/DeviceTarget.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <cstdlib>

namespace {
/// Architectures with a tested pipeline; the first is the default. PTX 8.0
/// is what sm_90's wgmma needs and what CUDA 12+ ptxas accepts.
constexpr llvm::StringLiteral kCudaChips[] = {"sm_90", "sm_90a", "sm_80",
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

std::string ddl::rocmToolkitPath() {
  if (const char *env = std::getenv("DDL_ROCM_PATH"); env && *env)
    return env;
  return DDL_ROCM_TOOLKIT_PATH;
}

std::string ddl::cudaLibdevicePath() {
  std::string toolkit = cudaToolkitPath();
  if (toolkit.empty())
    return "";
  llvm::SmallString<256> path(toolkit);
  llvm::sys::path::append(path, "nvvm", "libdevice", "libdevice.10.bc");
  return llvm::sys::fs::exists(path) ? std::string(path) : std::string();
}
