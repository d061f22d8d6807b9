//===- Passes.h - lowering from the nn graph dialect ------------*- C++ -*-===//

#ifndef DDL_PASSES_LOWERING_PASSES_H
#define DDL_PASSES_LOWERING_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace ddl::lowering {

#define GEN_PASS_DECL
#include "passes/lowering/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/lowering/Passes.h.inc"

/// Thread-local pointers that the model entry shares with the code it runs:
/// the host of the current run (set by `run`, read by parallel loops), and
/// the message of the run-time check that failed in it (null when none).
inline constexpr llvm::StringLiteral kHostGlobal = "__ddl_host";
inline constexpr llvm::StringLiteral kFailedCheckGlobal = "__ddl_failed_check";

/// The thread-local, null-initialized pointer global `name` of `module`,
/// created when missing.
mlir::LLVM::GlobalOp getOrCreateThreadLocalPointer(mlir::ModuleOp module,
                                                   llvm::StringRef name);

/// The fields of runtime/include/ddl_model_abi.h's `ddl_host`, in order.
enum class HostField : int32_t {
  Context = 0,
  ParallelFor = 1,
  Arena = 2,
  DeviceLaunch = 3,
  DeviceAlloc = 4,
  DeviceFree = 5,
  DeviceConstant = 6,
  DeviceCopy = 7,
  DeviceTensorMap = 8,
};
/// The number of fields of `ddl_host` (all pointers).
inline constexpr int32_t kNumHostFields = 9;

/// Loads the pointer in `field` of the `ddl_host` that `host` points to.
mlir::Value loadHostField(mlir::OpBuilder &b, mlir::Location loc,
                          mlir::Value host, HostField field);

} // namespace ddl::lowering

#endif // DDL_PASSES_LOWERING_PASSES_H
