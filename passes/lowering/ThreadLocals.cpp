//===- ThreadLocals.cpp - pointers the model entry shares with its code ---===//
//
// See kHostGlobal / kFailedCheckGlobal in Passes.h; and the host struct
// those entry points read their callbacks from.
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

Value ddl::lowering::loadHostField(OpBuilder &b, Location loc, Value host,
                                   HostField field) {
  auto ptrType = LLVM::LLVMPointerType::get(b.getContext());
  auto hostType = LLVM::LLVMStructType::getLiteral(
      b.getContext(), SmallVector<Type>(kNumHostFields, ptrType));
  Value slot = LLVM::GEPOp::create(
      b, loc, ptrType, hostType, host,
      ArrayRef<LLVM::GEPArg>{0, static_cast<int32_t>(field)});
  return LLVM::LoadOp::create(b, loc, ptrType, slot);
}
