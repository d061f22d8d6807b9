//===- FlattenGlobals.cpp - constant buffers as 1-D globals ---------------===//
//
// See DDLFlattenGlobalsPass in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "passes/memory/Passes.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"

namespace ddl::memory {
#define GEN_PASS_DEF_DDLFLATTENGLOBALSPASS
#include "passes/memory/Passes.h.inc"
} // namespace ddl::memory

using namespace mlir;

/// `value` with the one-dimensional type `flat`, or null if it cannot be.
static Attribute flattenValue(Attribute value, RankedTensorType flat) {
  if (auto dense = dyn_cast<DenseElementsAttr>(value))
    return dense.reshape(flat);
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(value))
    return DenseResourceElementsAttr::get(flat, resource.getRawHandle());
  return {};
}

namespace {
struct DDLFlattenGlobalsPass final
    : ddl::memory::impl::DDLFlattenGlobalsPassBase<DDLFlattenGlobalsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    llvm::StringMap<MemRefType> flattened;
    for (auto global : module.getOps<memref::GlobalOp>()) {
      MemRefType type = global.getType();
      if (type.getRank() < 2 || !type.hasStaticShape() ||
          !type.getLayout().isIdentity() || !global.getInitialValue())
        continue;
      auto flatType =
          MemRefType::get({type.getNumElements()}, type.getElementType(),
                          MemRefLayoutAttrInterface(), type.getMemorySpace());
      Attribute value =
          flattenValue(*global.getInitialValue(),
                       RankedTensorType::get({type.getNumElements()},
                                             type.getElementType()));
      if (!value)
        continue;
      global.setType(flatType);
      global.setInitialValueAttr(value);
      flattened[global.getSymName()] = type;
    }
    if (flattened.empty())
      return;
    module.walk([&](memref::GetGlobalOp get) {
      auto it = flattened.find(get.getName());
      if (it == flattened.end())
        return;
      MemRefType original = it->second;
      OpBuilder b(get);
      auto flatType = MemRefType::get(
          {original.getNumElements()}, original.getElementType(),
          MemRefLayoutAttrInterface(), original.getMemorySpace());
      Value flat =
          memref::GetGlobalOp::create(b, get.getLoc(), flatType, get.getName());
      SmallVector<ReassociationIndices> all(1);
      for (int64_t d = 0; d < original.getRank(); ++d)
        all[0].push_back(d);
      Value shaped = memref::ExpandShapeOp::create(
          b, get.getLoc(), original.getShape(), flat, all);
      get.replaceAllUsesWith(shaped);
      get.erase();
    });
  }
};
} // namespace
