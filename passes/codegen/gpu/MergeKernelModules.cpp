//===- MergeKernelModules.cpp - one device image per model ----------------===//
//
// See DDLGPUMergeKernelModulesPass in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "passes/codegen/gpu/Passes.h"

#include "mlir/IR/SymbolTable.h"

namespace ddl::gpugen {
#define GEN_PASS_DEF_DDLGPUMERGEKERNELMODULESPASS
#include "passes/codegen/gpu/Passes.h.inc"
} // namespace ddl::gpugen

using namespace mlir;

namespace {

struct DDLGPUMergeKernelModulesPass final
    : ddl::gpugen::impl::DDLGPUMergeKernelModulesPassBase<
          DDLGPUMergeKernelModulesPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    for (auto global :
         llvm::make_early_inc_range(module.getOps<memref::GlobalOp>())) {
      auto space = dyn_cast_or_null<::mlir::gpu::AddressSpaceAttr>(
          global.getType().getMemorySpace());
      if (space && space.getValue() == ::mlir::gpu::AddressSpace::Workgroup &&
          SymbolTable::symbolKnownUseEmpty(global, module))
        global.erase();
    }
    SmallVector<::mlir::gpu::GPUModuleOp> kernelModules(
        module.getOps<::mlir::gpu::GPUModuleOp>());
    if (kernelModules.size() < 2)
      return;
    SymbolTable moduleTable(module);
    OpBuilder b(module.getContext());
    auto merged =
        ::mlir::gpu::GPUModuleOp::create(b, module.getLoc(), "ddl_kernels");
    // Renamed if some other symbol has the name.
    moduleTable.insert(merged, module.getBody()->end());
    SymbolTable mergedTable(merged);
    // What each launch named, and what it names now.
    DenseMap<std::pair<StringAttr, StringAttr>, StringAttr> renamed;
    for (::mlir::gpu::GPUModuleOp kernels : kernelModules) {
      for (Operation &op :
           llvm::make_early_inc_range(kernels.getBody()->getOperations())) {
        auto symbol = dyn_cast<SymbolOpInterface>(op);
        if (!symbol)
          continue;
        StringAttr oldName = symbol.getNameAttr();
        auto func = dyn_cast<::mlir::gpu::GPUFuncOp>(op);
        // Helpers that outlining copied into several modules (the math
        // functions of convert-math-to-funcs) are the same everywhere:
        // kept once.
        if (!(func && func.isKernel()) && mergedTable.lookup(oldName)) {
          op.erase();
          continue;
        }
        op.remove();
        // Kernels take their module's (unique) name.
        if (func && func.isKernel())
          symbol.setName(kernels.getSymNameAttr());
        StringAttr newName = mergedTable.insert(&op, merged.getBody()->end());
        renamed[{kernels.getSymNameAttr(), oldName}] = newName;
      }
    }
    module.walk([&](::mlir::gpu::LaunchFuncOp launch) {
      auto it =
          renamed.find({launch.getKernelModuleName(), launch.getKernelName()});
      if (it == renamed.end())
        return;
      launch.setKernelAttr(SymbolRefAttr::get(
          merged.getSymNameAttr(), {FlatSymbolRefAttr::get(it->second)}));
    });
    for (::mlir::gpu::GPUModuleOp kernels : kernelModules)
      kernels.erase();
  }
};

} // namespace
