//===- Passes.h - GPU code generation ---------------------------*- C++ -*-===//

#ifndef DDL_PASSES_CODEGEN_GPU_PASSES_H
#define DDL_PASSES_CODEGEN_GPU_PASSES_H

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/LLVMIR/ROCDLDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace ddl::gpugen {

#define GEN_PASS_DECL
#include "passes/codegen/gpu/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/codegen/gpu/Passes.h.inc"

} // namespace ddl::gpugen

#endif // DDL_PASSES_CODEGEN_GPU_PASSES_H
