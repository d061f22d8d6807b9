//===- OwnResults.cpp - returned buffers are fresh allocations ------------===//
//
// See DDLOwnResultsPass in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "passes/memory/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

namespace ddl::memory {
#define GEN_PASS_DEF_DDLOWNRESULTSPASS
#include "passes/memory/Passes.h.inc"
} // namespace ddl::memory

using namespace mlir;

/// True if `value` is a buffer that `func` allocated itself at its top
/// level, with an identity layout.
static bool isOwnedAllocation(Value value, func::FuncOp func) {
  auto alloc = value.getDefiningOp<memref::AllocOp>();
  return alloc && alloc->getParentOp() == func &&
         alloc.getType().getLayout().isIdentity();
}

namespace {
struct DDLOwnResultsPass final
    : ddl::memory::impl::DDLOwnResultsPassBase<DDLOwnResultsPass> {
  void runOnOperation() override {
    getOperation().walk([](func::FuncOp func) {
      if (!func.isPublic() || func.isExternal())
        return;
      func.walk([&](func::ReturnOp ret) {
        OpBuilder b(ret);
        llvm::SmallPtrSet<Value, 4> seen;
        for (OpOperand &operand : ret->getOpOperands()) {
          Value value = operand.get();
          auto type = dyn_cast<MemRefType>(value.getType());
          if (!type)
            continue;
          if (isOwnedAllocation(value, func) && seen.insert(value).second)
            continue;
          Location loc = ret.getLoc();
          SmallVector<Value> dynamicSizes;
          for (int64_t d = 0; d < type.getRank(); ++d)
            if (type.isDynamicDim(d))
              dynamicSizes.push_back(memref::DimOp::create(b, loc, value, d));
          auto freshType =
              MemRefType::get(type.getShape(), type.getElementType());
          Value fresh =
              memref::AllocOp::create(b, loc, freshType, dynamicSizes);
          memref::CopyOp::create(b, loc, value, fresh);
          if (freshType != type)
            fresh = memref::CastOp::create(b, loc, type, fresh);
          operand.set(fresh);
          seen.insert(fresh);
        }
      });
    });
  }
};
} // namespace
