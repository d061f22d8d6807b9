//===- ChecksToStatus.cpp - run-time checks as a failed run ---------------===//
//
// See DDLChecksToStatusPass in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "passes/lowering/Passes.h"

#include "llvm/Support/FormatVariadic.h"

namespace ddl::lowering {
#define GEN_PASS_DEF_DDLCHECKSTOSTATUSPASS
#include "passes/lowering/Passes.h.inc"
} // namespace ddl::lowering

using namespace mlir;

namespace {
struct DDLChecksToStatusPass final
    : ddl::lowering::impl::DDLChecksToStatusPassBase<DDLChecksToStatusPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<cf::AssertOp> asserts;
    module.walk([&](cf::AssertOp op) { asserts.push_back(op); });
    if (asserts.empty())
      return;
    LLVM::GlobalOp failed = ddl::lowering::getOrCreateThreadLocalPointer(
        module, ddl::lowering::kFailedCheckGlobal);
    auto ptrType = LLVM::LLVMPointerType::get(&getContext());
    auto i8 = IntegerType::get(&getContext(), 8);
    llvm::StringMap<LLVM::GlobalOp> messages;
    for (cf::AssertOp op : asserts) {
      StringRef text = op.getMsg();
      LLVM::GlobalOp &message = messages[text];
      if (!message) {
        auto b = OpBuilder::atBlockBegin(module.getBody());
        std::string data = text.str();
        data.push_back('\0');
        message = LLVM::GlobalOp::create(
            b, op.getLoc(), LLVM::LLVMArrayType::get(i8, data.size()),
            /*isConstant=*/true, LLVM::Linkage::Internal,
            llvm::formatv("__ddl_check_{0}", messages.size() - 1).str(),
            b.getStringAttr(data));
      }
      // slot = ok || slot ? slot : message — no branch, so the check costs
      // two selects where it runs. The first failure is kept: later checks
      // often fail because of it (a position out of range, then the gather
      // that uses it).
      OpBuilder b(op);
      Location loc = op.getLoc();
      Value slot = LLVM::AddressOfOp::create(b, loc, failed);
      Value current = LLVM::LoadOp::create(b, loc, ptrType, slot);
      Value address = LLVM::AddressOfOp::create(b, loc, message);
      Value none = LLVM::ZeroOp::create(b, loc, ptrType);
      Value earlier =
          LLVM::ICmpOp::create(b, loc, LLVM::ICmpPredicate::ne, current, none);
      Value keep = LLVM::OrOp::create(b, loc, op.getArg(), earlier);
      Value next = LLVM::SelectOp::create(b, loc, keep, current, address);
      LLVM::StoreOp::create(b, loc, next, slot);
      op.erase();
    }
  }
};
} // namespace
