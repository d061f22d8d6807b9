//===- CopiesToLinalg.cpp - memref.copy as linalg.copy --------------------===//
//
// See DDLCopiesToLinalgPass in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "passes/memory/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

namespace ddl::memory {
#define GEN_PASS_DEF_DDLCOPIESTOLINALGPASS
#include "passes/memory/Passes.h.inc"
} // namespace ddl::memory

using namespace mlir;

namespace {
struct DDLCopiesToLinalgPass final
    : ddl::memory::impl::DDLCopiesToLinalgPassBase<DDLCopiesToLinalgPass> {
  void runOnOperation() override {
    SmallVector<memref::CopyOp> copies;
    getOperation().walk([&](memref::CopyOp copy) { copies.push_back(copy); });
    for (memref::CopyOp copy : copies) {
      OpBuilder b(copy);
      linalg::CopyOp::create(b, copy.getLoc(), copy.getSource(),
                             copy.getTarget());
      copy.erase();
    }
  }
};
} // namespace
