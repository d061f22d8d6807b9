//===- Passes.h - code-generation strategies --------------------*- C++ -*-===//

#ifndef DDL_PASSES_CODEGEN_PASSES_H
#define DDL_PASSES_CODEGEN_PASSES_H

#include "dialects/sched/SchedDialect.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace ddl::codegen {

#define GEN_PASS_DECL
#include "passes/codegen/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/codegen/Passes.h.inc"

} // namespace ddl::codegen

#endif // DDL_PASSES_CODEGEN_PASSES_H
