//===- Passes.h - buffer and memory passes ----------------------*- C++ -*-===//

#ifndef DDL_PASSES_MEMORY_PASSES_H
#define DDL_PASSES_MEMORY_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace ddl::memory {

#define GEN_PASS_DECL
#include "passes/memory/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/memory/Passes.h.inc"

/// Attribute names shared with the model entry emission.
inline constexpr llvm::StringLiteral kArenaArgAttr = "ddl.arena";
inline constexpr llvm::StringLiteral kArenaBytesAttr = "ddl.arena_bytes";
inline constexpr llvm::StringLiteral kArenaFormulaAttr = "ddl.arena_formula";
inline constexpr llvm::StringLiteral kArenaSizeFnAttr = "ddl.arena_size_fn";

} // namespace ddl::memory

#endif // DDL_PASSES_MEMORY_PASSES_H
