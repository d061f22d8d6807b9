//===- TargetInfo.h - what code generation knows about a CPU ----*- C++ -*-===//
//
// One table of the CPU targets ddl generates code for: vector ISA, register
// tiles per element type, cache sizes and core count. Schedule heuristics
// read it; nothing else in the compiler hard-codes a vector width.
//
//===----------------------------------------------------------------------===//

#ifndef DDL_LIB_TARGET_CPU_TARGETINFO_H
#define DDL_LIB_TARGET_CPU_TARGETINFO_H

#include "mlir/IR/Operation.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <optional>
#include <string>

namespace ddl::target {

/// A register tile M0 x N0 x K0: the accumulator tile a micro-kernel keeps
/// in vector registers, and the inner tile of the packed operands.
struct RegisterTile {
  int64_t m0, n0, k0;
};

/// Which int8 dot-product instruction the int8 kernels use.
enum class Int8Dot { None, VNNI, SDot };

/// What code generation needs to know about one CPU target.
struct CPUTargetInfo {
  /// Short name of the vector ISA: "avx512", "avx2", "sse" or "neon".
  llvm::StringRef isa;
  /// Width of one vector register in bits.
  unsigned vectorBits;
  /// Number of architectural vector registers.
  unsigned vectorRegisters;
  /// The register tile of f32 contractions.
  RegisterTile f32Tile;
  /// Data cache sizes per core (L1, L2) and shared (L3), in bytes.
  int64_t l1Bytes, l2Bytes, l3Bytes;
  /// Cores the runtime's thread pool spreads work over (host: this
  /// machine's; cross targets: a guess).
  unsigned cores;
  /// Dot products of 4 byte pairs into i32 lanes: AVX-512 VNNI's
  /// `vpdpbusd` (u8 x s8; the host's feature, cross x86-64 targets assume
  /// none) or Arm's `sdot` (s8 x s8; FEAT_DotProd, Armv8.2-A and later,
  /// which the aarch64 target assumes).
  Int8Dot int8Dot = Int8Dot::None;
  /// AVX512-BF16's `vdpbf16ps` (f32 lanes += products of bf16 pairs): the
  /// host's feature; cross targets assume none.
  bool bf16Dot = false;
  /// AVX-512BW: byte and word operations on 512-bit vectors (`vpshufb`
  /// zmm); every AVX-512 CPU since Skylake-SP has it, the Xeon Phis not.
  bool byteOps512 = false;
};

/// The target named as ddlc's --target ("host", "x86_64" or "aarch64"):
/// for the host (and for x86_64 on an x86-64 host, as code generation
/// does), the ISA comes from the host CPU's features. Returns null for an
/// unknown name.
std::optional<CPUTargetInfo> lookupCPUTarget(llvm::StringRef target);

/// lookupCPUTarget for a pass's `target` option: an unknown name is
/// reported as an error at `op`.
std::optional<CPUTargetInfo> lookupCPUTarget(llvm::StringRef target,
                                             mlir::Operation *op);

/// The table entry for a vector ISA name ("avx512", ...), or null.
const CPUTargetInfo *lookupCPUTargetByISA(llvm::StringRef isa);

} // namespace ddl::target

#endif // DDL_LIB_TARGET_CPU_TARGETINFO_H
