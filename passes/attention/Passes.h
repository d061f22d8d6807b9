//===- Passes.h - attn.flex lowering ----------------------------*- C++ -*-===//

#ifndef DDL_PASSES_ATTENTION_PASSES_H
#define DDL_PASSES_ATTENTION_PASSES_H

#include "dialects/attn/AttnDialect.h"
#include "dialects/sched/SchedDialect.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace ddl::attention {

#define GEN_PASS_DECL
#include "passes/attention/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/attention/Passes.h.inc"

} // namespace ddl::attention

#endif // DDL_PASSES_ATTENTION_PASSES_H
