//===- BoolGlobalsAsBytes.cpp - boolean blobs as byte arrays --------------===//
//
// See DDLBoolGlobalsAsBytesPass in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "passes/memory/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"

namespace ddl::memory {
#define GEN_PASS_DEF_DDLBOOLGLOBALSASBYTESPASS
#include "passes/memory/Passes.h.inc"
} // namespace ddl::memory

using namespace mlir;

namespace {
struct DDLBoolGlobalsAsBytesPass final
    : ddl::memory::impl::DDLBoolGlobalsAsBytesPassBase<
          DDLBoolGlobalsAsBytesPass> {
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    auto i8 = IntegerType::get(context, 8);
    for (auto global : getOperation().getOps<LLVM::GlobalOp>()) {
      auto blob =
          dyn_cast_or_null<DenseResourceElementsAttr>(global.getValueOrNull());
      if (!blob || !blob.getType().getElementType().isInteger(1))
        continue;
      // Every bufferized constant is flat by now (ddl-flatten-globals);
      // a global of another shape is left for translation to report.
      auto array = dyn_cast<LLVM::LLVMArrayType>(global.getGlobalType());
      if (!array || !array.getElementType().isInteger(1))
        continue;
      global.setGlobalType(
          LLVM::LLVMArrayType::get(i8, array.getNumElements()));
      global.setValueAttr(DenseResourceElementsAttr::get(
          RankedTensorType::get(blob.getType().getShape(), i8),
          blob.getRawHandle()));
    }
  }
};
} // namespace
