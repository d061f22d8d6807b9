//===- TernaryLookupKernel.h - lookup-table ternary CPU kernel --*- C++ -*-===//
//
// The T-MAC / bitnet.cpp-style kernel of lowbit.matmul_ternary: tables of
// activation sums looked up by the weights' trit pairs (x86 `pshufb`, Arm
// `tbl`), for CPUs without an int8 dot product and as a choice elsewhere.
// ddl-lowbit-ternary-to-vector decides where it runs; the kernel is
// described with that pass (Passes.td).
//
//===----------------------------------------------------------------------===//

#ifndef DDL_PASSES_QUANT_TERNARYLOOKUPKERNEL_H
#define DDL_PASSES_QUANT_TERNARYLOOKUPKERNEL_H

#include "dialects/lowbit/LowbitDialect.h"

#include "mlir/IR/Builders.h"

namespace ddl::quant {

/// Replaces `op` (a static K, a static N) by the lookup-table kernel on
/// vectors of `vectorBytes` bytes (16, 32 or 64). Returns false, leaving
/// `op` alone, when its weights are not a constant (the kernel lays them
/// out its own way at compile time).
bool buildTernaryLookupKernel(mlir::OpBuilder &b, lowbit::MatMulTernaryOp op,
                              int64_t vectorBytes);

} // namespace ddl::quant

#endif // DDL_PASSES_QUANT_TERNARYLOOKUPKERNEL_H
