//===- DeviceTarget.h - the GPU targets ddlc compiles for -------*- C++ -*-===//
//
// `--target=cuda[:sm_XX]` and `--target=rocm[:gfxNNN]`: the device kind,
// its architecture and the PTX features, and where the tools that turn
// device assembly into binaries live (found when ddl was configured).
//
//===----------------------------------------------------------------------===//

#ifndef DDL_LIB_TARGET_GPU_DEVICETARGET_H
#define DDL_LIB_TARGET_GPU_DEVICETARGET_H

#include "llvm/ADT/StringRef.h"

#include <optional>
#include <string>

namespace ddl {

struct DeviceTarget {
  enum class Kind { CUDA, ROCm };
  Kind kind = Kind::CUDA;
  /// "sm_90", "gfx942".
  std::string chip;
  /// LLVM target features of the device code ("+ptx80"; empty for ROCm).
  std::string features;

  /// "cuda" or "rocm", as ddl-emit-model-entry's `device` option spells it.
  llvm::StringRef kindName() const {
    return kind == Kind::CUDA ? "cuda" : "rocm";
  }
};

/// The device target that `target` names ("cuda", "cuda:sm_80", "rocm",
/// "rocm:gfx90a"), std::nullopt when it names no device ("host", "x86_64",
/// ...). An unknown architecture is an error: `error` says which ones
/// exist, and the result is a target with an empty chip.
std::optional<DeviceTarget> parseDeviceTarget(llvm::StringRef target,
                                              std::string &error);

/// The CUDA toolkit (the directory whose bin/ holds ptxas): $DDL_CUDA_PATH,
/// else the one found when ddl was configured; empty when there is none.
std::string cudaToolkitPath();

/// The folder gpu-module-to-binary treats as the ROCm toolkit (ld.lld in
/// llvm/bin/, the device libraries in amdgcn/bitcode/): $DDL_ROCM_PATH, else
/// lib/ddl/rocm-toolkit beside the library (or above the tool) that holds
/// ddl, in the build tree as in an install.
std::string rocmToolkitPath();

/// libdevice.10.bc of that toolkit (the math functions of NVVM kernels);
/// empty when it is missing.
std::string cudaLibdevicePath();

} // namespace ddl

#endif // DDL_LIB_TARGET_GPU_DEVICETARGET_H
