//===- Passes.h - lowbit op lowering ----------------------------*- C++ -*-===//

#ifndef DDL_PASSES_QUANT_PASSES_H
#define DDL_PASSES_QUANT_PASSES_H

#include "dialects/lowbit/LowbitDialect.h"
#include "dialects/nn/NNDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace ddl::quant {

#define GEN_PASS_DECL
#include "passes/quant/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/quant/Passes.h.inc"

} // namespace ddl::quant

#endif // DDL_PASSES_QUANT_PASSES_H
