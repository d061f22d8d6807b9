//===- AttnDialect.h - attention template dialect ---------------*- C++ -*-===//
//
// The `attn` dialect and its `attn.flex` op. Include this one header.
//
//===----------------------------------------------------------------------===//

#ifndef DDL_DIALECTS_ATTN_ATTNDIALECT_H
#define DDL_DIALECTS_ATTN_ATTNDIALECT_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "dialects/attn/AttnDialect.h.inc"

#define GET_OP_CLASSES
#include "dialects/attn/AttnOps.h.inc"

#endif // DDL_DIALECTS_ATTN_ATTNDIALECT_H
