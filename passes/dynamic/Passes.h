//===- Passes.h - dynamic networks: shape specialization --------*- C++ -*-===//

#ifndef DDL_PASSES_DYNAMIC_PASSES_H
#define DDL_PASSES_DYNAMIC_PASSES_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace ddl::dynamic {

#define GEN_PASS_DECL
#include "passes/dynamic/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/dynamic/Passes.h.inc"

} // namespace ddl::dynamic

#endif // DDL_PASSES_DYNAMIC_PASSES_H
