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

#endif // DDL_DIALECTS_LOWBIT_LOWBITDIALECT_H
