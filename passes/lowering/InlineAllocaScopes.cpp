//===- InlineAllocaScopes.cpp - alloca scopes as stack save / restore -----===//
//
// See DDLInlineAllocaScopesPass in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "passes/lowering/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

namespace ddl::lowering {
#define GEN_PASS_DEF_DDLINLINEALLOCASCOPESPASS
#include "passes/lowering/Passes.h.inc"
} // namespace ddl::lowering

using namespace mlir;

namespace {
struct DDLInlineAllocaScopesPass final
    : ddl::lowering::impl::DDLInlineAllocaScopesPassBase<
          DDLInlineAllocaScopesPass> {
  void runOnOperation() override {
    // Post-order: inner scopes are inlined into their parents first.
    SmallVector<memref::AllocaScopeOp> scopes;
    getOperation()->walk(
        [&](memref::AllocaScopeOp scope) { scopes.push_back(scope); });
    auto ptrType = LLVM::LLVMPointerType::get(&getContext());
    for (memref::AllocaScopeOp scope : scopes) {
      Region &region = scope.getBodyRegion();
      if (region.empty()) {
        scope.erase();
        continue;
      }
      if (!region.hasOneBlock()) {
        scope.emitOpError("has a body of several blocks; expected one");
        return signalPassFailure();
      }
      Block &body = region.front();
      auto ret = cast<memref::AllocaScopeReturnOp>(body.getTerminator());
      OpBuilder b(scope);
      Location loc = scope.getLoc();
      Value saved = LLVM::StackSaveOp::create(b, loc, ptrType);
      // The body's ops move in front of the scope; its results are what
      // the body returned.
      scope->getBlock()->getOperations().splice(
          scope->getIterator(), body.getOperations(), body.begin(),
          ret->getIterator());
      scope.replaceAllUsesWith(ret.getResults());
      b.setInsertionPoint(scope);
      LLVM::StackRestoreOp::create(b, loc, saved);
      scope.erase();
    }
  }
};
} // namespace
