//===- FlexBuffers.cpp - the buffers attn.flex's kernels work on
//-----------===//
//
// See flexOperandBuffer, allocFlexResult and replaceFlexWithBuffers in
// FlexLowering.h.
//
//===----------------------------------------------------------------------===//

#include "passes/attention/FlexLowering.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

using namespace mlir;
using namespace ddl;

Value attention::flexOperandBuffer(OpBuilder &b, Location loc, Value tensor,
                                   bool unitStrideRows) {
  auto type = cast<RankedTensorType>(tensor.getType());
  MemRefLayoutAttrInterface layout;
  if (unitStrideRows) {
    SmallVector<int64_t> strides(type.getRank(), ShapedType::kDynamic);
    strides.back() = 1;
    layout =
        StridedLayoutAttr::get(b.getContext(), ShapedType::kDynamic, strides);
  }
  auto bufferType =
      MemRefType::get(type.getShape(), type.getElementType(), layout);
  return bufferization::ToBufferOp::create(b, loc, bufferType, tensor,
                                           /*read_only=*/true);
}

void attention::replaceFlexWithBuffers(OpBuilder &b, Location loc,
                                       attn::FlexOp op, Value output,
                                       Value lse) {
  SmallVector<Value> results = {bufferization::ToTensorOp::create(
      b, loc, op.getOutput().getType(), output, /*restrict=*/true,
      /*writable=*/true)};
  if (lse)
    results.push_back(bufferization::ToTensorOp::create(
        b, loc, op.getLse().getType(), lse, /*restrict=*/true,
        /*writable=*/true));
  op->replaceAllUsesWith(results);
  op->erase();
}

Value attention::allocFlexResult(OpBuilder &b, Location loc,
                                 RankedTensorType type, ArrayRef<Value> sizes) {
  SmallVector<Value> dynamic;
  for (auto [d, size] : llvm::enumerate(type.getShape()))
    if (ShapedType::isDynamic(size))
      dynamic.push_back(sizes[d]);
  return memref::AllocOp::create(
      b, loc, MemRefType::get(type.getShape(), type.getElementType()), dynamic);
}
