//===- TargetInfo.cpp - what code generation knows about a CPU ------------===//

#include "lib/Target/CPU/TargetInfo.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

#include <algorithm>
#include <thread>

using namespace ddl::target;

/// Register tiles as measured (../shared/CODEGEN-NOTES.md): 8 x 32 f32 on
/// AVX-512 is 16 of the 32 zmm registers as accumulators, 8 broadcasts and
/// 2 loads per 16 FMAs; AVX2 6 x 16 is 12 of the 16 ymm registers (8 x 16
/// would leave none for B); NEON 8 x 8 is 16 of the 32 q registers, with
/// `fmla v.4s, v.4s, v.s[lane]`. Cache sizes are
/// Zen 4/5-like for x86-64 and Neoverse-like for AArch64; cores are the
/// host's for the host, 2 otherwise.
static const CPUTargetInfo kTargets[] = {
    {"avx512", 512, 32, {8, 32, 1}, 48 << 10, 1 << 20, 32 << 20, 0},
    {"avx2", 256, 16, {6, 16, 1}, 32 << 10, 512 << 10, 16 << 20, 0},
    {"sse", 128, 16, {4, 8, 1}, 32 << 10, 256 << 10, 8 << 20, 0},
    {"neon", 128, 32, {8, 8, 1}, 64 << 10, 1 << 20, 32 << 20, 0},
};

const CPUTargetInfo *ddl::target::lookupCPUTargetByISA(llvm::StringRef isa) {
  for (const CPUTargetInfo &info : kTargets)
    if (info.isa == isa)
      return &info;
  return nullptr;
}

static llvm::StringRef hostISA() {
  llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
  llvm::Triple host(llvm::sys::getProcessTriple());
  if (host.isAArch64())
    return "neon";
  if (features.lookup("avx512f"))
    return "avx512";
  if (features.lookup("avx2") && features.lookup("fma"))
    return "avx2";
  return "sse";
}

std::optional<CPUTargetInfo>
ddl::target::lookupCPUTarget(llvm::StringRef target) {
  llvm::Triple host(llvm::sys::getProcessTriple());
  llvm::StringRef isa;
  bool isHost =
      target == "host" ||
      (target == "x86_64" && host.getArch() == llvm::Triple::x86_64) ||
      (target == "aarch64" && host.isAArch64());
  if (isHost)
    isa = hostISA();
  else if (target == "x86_64")
    isa = "sse";
  else if (target == "aarch64")
    isa = "neon";
  else
    return std::nullopt;
  CPUTargetInfo info = *lookupCPUTargetByISA(isa);
  info.cores = isHost ? std::max(1u, std::thread::hardware_concurrency()) : 2;
  if (isHost && isa == "avx512" &&
      llvm::sys::getHostCPUFeatures().lookup("avx512vnni"))
    info.int8Dot = Int8Dot::VNNI;
  if (isHost && isa == "avx512" &&
      llvm::sys::getHostCPUFeatures().lookup("avx512bf16"))
    info.bf16Dot = true;
  if (isHost && isa == "avx512" &&
      llvm::sys::getHostCPUFeatures().lookup("avx512bw"))
    info.byteOps512 = true;
  // The aarch64 target's code generation assumes FEAT_DotProd (CodeGen.cpp:
  // +dotprod); a native Arm host has it from Armv8.4-A (and in every
  // Neoverse core).
  if (isa == "neon" &&
      (!isHost || llvm::sys::getHostCPUFeatures().lookup("dotprod")))
    info.int8Dot = Int8Dot::SDot;
  return info;
}

std::optional<CPUTargetInfo>
ddl::target::lookupCPUTarget(llvm::StringRef target, mlir::Operation *op) {
  std::optional<CPUTargetInfo> info = lookupCPUTarget(target);
  if (!info)
    op->emitError() << "unknown target '" << target
                    << "' (expected host, x86_64 or aarch64)";
  return info;
}
