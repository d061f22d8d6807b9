//===- ThreadLocals.cpp - pointers the model entry shares with its code ---===//
//
// See kHostGlobal / kFailedCheckGlobal in Passes.h.
//
//===----------------------------------------------------------------------===//

#include "passes/lowering/Passes.h"

using namespace mlir;

LLVM::GlobalOp ddl::lowering::getOrCreateThreadLocalPointer(ModuleOp module,
                                                            StringRef name) {
  if (auto existing = module.lookupSymbol<LLVM::GlobalOp>(name))
    return existing;
  auto b = OpBuilder::atBlockBegin(module.getBody());
  auto ptrType = LLVM::LLVMPointerType::get(module.getContext());
  auto global =
      LLVM::GlobalOp::create(b, module.getLoc(), ptrType, /*isConstant=*/false,
                             LLVM::Linkage::Internal, name, Attribute());
  global.setThreadLocal_(true);
  Block *init = b.createBlock(&global.getInitializerRegion());
  b.setInsertionPointToStart(init);
  LLVM::ReturnOp::create(b, module.getLoc(),
                         LLVM::ZeroOp::create(b, module.getLoc(), ptrType));
  return global;
}
