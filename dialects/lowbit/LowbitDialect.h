//===- LowbitDialect.h - quantized arithmetic dialect -----------*- C++ -*-===//
//
// The `lowbit` dialect and its ops. Include this one header.
//
//===----------------------------------------------------------------------===//

#ifndef DDL_DIALECTS_LOWBIT_LOWBITDIALECT_H
#define DDL_DIALECTS_LOWBIT_LOWBITDIALECT_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "dialects/lowbit/LowbitDialect.h.inc"

#define GET_OP_CLASSES
#include "dialects/lowbit/LowbitOps.h.inc"

namespace ddl::lowbit {
/// Unit attributes that mark the linalg contractions lowered from lowbit
/// ops (ddl-lowbit-to-linalg) whose bodies are more than a multiply-add,
/// for the GPU contraction kernels to run on integer / fp8 tensor cores:
/// lowbit.matmul_fp8's (E4M3 bytes, decoded in the body; f32 result) and
/// lowbit.matmul's symmetric case (s8 x s8, no zero points, i32 result,
/// the constant weights [N, K]).
constexpr llvm::StringLiteral kE4M3OperandsAttr = "lowbit.e4m3_operands";
constexpr llvm::StringLiteral kS8OperandsAttr = "lowbit.s8_operands";
/// The group size (an i64 attribute) on lowbit.matmul_int4's generic, which
/// reads its packed weights and their scales by index in its body: the GPU
/// runs it as a weight-streaming kernel (ddl-gpu-int4-kernels).
constexpr llvm::StringLiteral kInt4GroupSizeAttr = "lowbit.int4_group_size";
} // namespace ddl::lowbit

#endif // DDL_DIALECTS_LOWBIT_LOWBITDIALECT_H
