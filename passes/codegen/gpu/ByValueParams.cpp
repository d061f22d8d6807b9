//===- ByValueParams.cpp - TMA descriptors as kernel parameters -----------===//
//
// See DDLGPUByValueParamsPass in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "passes/codegen/gpu/Passes.h"

namespace ddl::gpugen {
#define GEN_PASS_DEF_DDLGPUBYVALUEPARAMSPASS
#include "passes/codegen/gpu/Passes.h.inc"
} // namespace ddl::gpugen

using namespace mlir;

namespace {

/// The kernels' attribute that counts their leading tensor-map parameters
/// (kept by convert-gpu-to-nvvm, which drops argument attributes; they
/// come before any memref, whose expansion would move them).
constexpr llvm::StringLiteral kTensorMapParamsAttr = "ddl.tensor_map_params";

/// The bytes and alignment of a CUtensorMap.
constexpr int64_t kTensorMapBytes = 128, kTensorMapAlignment = 64;

struct DDLGPUByValueParamsPass final
    : ddl::gpugen::impl::DDLGPUByValueParamsPassBase<DDLGPUByValueParamsPass> {
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    Builder b(context);
    auto bytes =
        LLVM::LLVMArrayType::get(IntegerType::get(context, 8), kTensorMapBytes);
    getOperation().walk([&](LLVM::LLVMFuncOp func) {
      auto count = func->getAttrOfType<IntegerAttr>(kTensorMapParamsAttr);
      if (!count)
        return;
      func->removeAttr(kTensorMapParamsAttr);
      for (unsigned i = 0; i < count.getInt() && i < func.getNumArguments();
           ++i) {
        if (func.getArgument(i).getType() !=
            LLVM::LLVMPointerType::get(context))
          continue;
        func.setArgAttr(i, LLVM::LLVMDialect::getByValAttrName(),
                        TypeAttr::get(bytes));
        func.setArgAttr(i, LLVM::LLVMDialect::getAlignAttrName(),
                        b.getI64IntegerAttr(kTensorMapAlignment));
        func.setArgAttr(i, NVVM::NVVMDialect::getGridConstantAttrName(),
                        UnitAttr::get(context));
      }
    });
  }
};

} // namespace
