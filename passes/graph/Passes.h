//===- Passes.h - graph-level passes on the nn dialect ----------*- C++ -*-===//

#ifndef DDL_PASSES_GRAPH_PASSES_H
#define DDL_PASSES_GRAPH_PASSES_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace ddl::graph {

#define GEN_PASS_DECL
#include "passes/graph/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/graph/Passes.h.inc"

} // namespace ddl::graph

#endif // DDL_PASSES_GRAPH_PASSES_H
