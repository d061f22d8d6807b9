//===- Kernel.h - kernels and schedules as the cost model sees them -*- C++
//-*-===//
//
// The cost model, the schedule space and the tuner work on kernel keys (the
// `op=matmul m=? n=768 ...` strings of passes/codegen/Schedules.h) and on
// schedules as plain numbers: they run outside any MLIRContext (the tuner
// compiles candidates in child processes) and passes/codegen links them, so
// they depend on nothing above LLVM's Support library and the CPU target
// table.
//
//===----------------------------------------------------------------------===//

#ifndef DDL_COST_MODEL_KERNEL_H
#define DDL_COST_MODEL_KERNEL_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>

namespace ddl::cost {

/// A dynamic size in a key (`?`).
inline constexpr int64_t kDynamic = -1;

/// The kernels the CPU strategies schedule.
enum class KernelKind { Matmul, BatchMatmul, Attention };

/// A kernel key, parsed. Sizes are kDynamic where the key says `?`.
struct KernelDesc {
  KernelKind kind = KernelKind::Matmul;
  /// Matmul: batch 1. Attention: batch, heads, kv_heads, q_len (m),
  /// kv_len (n), d (k), dv.
  int64_t batch = 1, m = 0, n = 0, k = 0;
  int64_t heads = 1, kvHeads = 1, dv = 0;
  /// Matmul: A stored [K][M] (lhs=km), B stored [N][K] (rhs=nk).
  bool lhsTransposed = false, rhsTransposed = false;
  /// Attention: `none`, `score`, `mask` or `score+mask`.
  std::string mods = "none";
  std::string types = "f32,f32,f32";
  std::string isa;

  /// A constant B (op=matmul) is packed at compile time; a batch_matmul's
  /// B is computed at run time.
  bool constantRhs() const { return kind == KernelKind::Matmul; }
  bool isContraction() const { return kind != KernelKind::Attention; }
  bool hasDynamicSize() const;
};

/// Parses a normalized key (fields in the order Schedules.cpp writes them;
/// any order is accepted here).
llvm::Expected<KernelDesc> parseKernelKey(llvm::StringRef key);

/// The key of `desc` (the inverse of parseKernelKey).
std::string kernelKey(const KernelDesc &desc);

/// `desc` with every dynamic size replaced by the matching one of
/// `concrete` (a key of the same kernel with static sizes).
KernelDesc withSizes(const KernelDesc &desc, const KernelDesc &concrete);

/// A schedule as numbers: a #sched.contraction (register tile M0 x N0 x K0,
/// cache blocks Mc, Nc, Kc in tiles, the parallel dimension) or a
/// #sched.attention (BQ, BKV).
struct Schedule {
  bool attention = false;
  std::string isa;
  int64_t m0 = 0, n0 = 0, k0 = 1;
  int64_t mc = 0, nc = 0, kc = 0;
  int64_t parallel = 0;
  int64_t blockQ = 0, blockKV = 0;

  bool operator==(const Schedule &other) const;
  bool operator<(const Schedule &other) const;
};

/// Parses the attribute text (`#sched.contraction<isa = "avx512", register
/// = [8, 32, 1], cache = [16, 8, 256], parallel = 1>` or
/// `#sched.attention<block = [64, 64]>`).
llvm::Expected<Schedule> parseSchedule(llvm::StringRef text);

/// The attribute text of `schedule`, as MLIR prints it.
std::string printSchedule(const Schedule &schedule);

} // namespace ddl::cost

#endif // DDL_COST_MODEL_KERNEL_H
