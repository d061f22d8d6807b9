//===- ModRegions.cpp - score_mod / mask_mod inlined on vectors -----------===//
//
// See inlineMod in FlexLowering.h.
//
//===----------------------------------------------------------------------===//

#include "passes/attention/FlexLowering.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/IRMapping.h"

using namespace mlir;

/// The first vector type among `values`, or null.
static VectorType firstVectorType(ValueRange values) {
  for (Value v : values)
    if (auto type = dyn_cast<VectorType>(v.getType()))
      return type;
  return nullptr;
}

static Value broadcastTo(OpBuilder &b, Location loc, Value v, VectorType like) {
  if (isa<VectorType>(v.getType()))
    return v;
  return vector::BroadcastOp::create(
      b, loc, VectorType::get(like.getShape(), v.getType()), v);
}

/// tensor.extract of a captured tensor, from its buffer: a load, or a
/// gather through the flattened buffer when an index is a vector.
static Value readCapture(OpBuilder &b, Location loc, Value buffer,
                         ArrayRef<Value> indices) {
  VectorType vectorType = firstVectorType(indices);
  if (!vectorType)
    return memref::LoadOp::create(b, loc, buffer, indices);
  auto bufferType = cast<MemRefType>(buffer.getType());
  // Row-major linear index (the buffer has the identity layout).
  Value linear;
  Value stride = arith::ConstantIndexOp::create(b, loc, 1);
  for (int64_t d = bufferType.getRank() - 1; d >= 0; --d) {
    Value index = broadcastTo(b, loc, indices[d], vectorType);
    Value term = arith::MulIOp::create(b, loc, index,
                                       broadcastTo(b, loc, stride, vectorType));
    linear = linear ? arith::AddIOp::create(b, loc, linear, term) : term;
    Value size = memref::DimOp::create(b, loc, buffer, d);
    stride = arith::MulIOp::create(b, loc, stride, size);
  }
  Value flat = buffer;
  if (bufferType.getRank() != 1) {
    ReassociationIndices all;
    for (int64_t d = 0; d < bufferType.getRank(); ++d)
      all.push_back(d);
    flat = memref::CollapseShapeOp::create(b, loc, buffer,
                                           ArrayRef<ReassociationIndices>{all});
  }
  Type element = bufferType.getElementType();
  auto resultType = VectorType::get(vectorType.getShape(), element);
  Value mask = arith::ConstantOp::create(
      b, loc,
      DenseElementsAttr::get(
          VectorType::get(vectorType.getShape(), b.getI1Type()), true));
  Value passThrough =
      arith::ConstantOp::create(b, loc, resultType, b.getZeroAttr(resultType));
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  return vector::GatherOp::create(b, loc, resultType, flat, ValueRange{zero},
                                  linear, mask, passThrough);
}

Value ddl::attention::inlineMod(OpBuilder &b, Location loc, Region &region,
                                ValueRange leading, ArrayRef<Value> captures) {
  Block &block = region.front();
  IRMapping map;
  for (auto [arg, value] : llvm::zip(block.getArguments(), leading))
    map.map(arg, value);
  unsigned numLeading = leading.size();
  for (Operation &op : block.without_terminator()) {
    if (auto extract = dyn_cast<tensor::ExtractOp>(op)) {
      unsigned capture =
          cast<BlockArgument>(extract.getTensor()).getArgNumber() - numLeading;
      SmallVector<Value> indices;
      for (Value index : extract.getIndices())
        indices.push_back(map.lookup(index));
      map.map(extract.getResult(),
              readCapture(b, loc, captures[capture], indices));
      continue;
    }
    Operation *clone = b.clone(op, map);
    VectorType vectorType = firstVectorType(clone->getOperands());
    if (!vectorType)
      continue;
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(clone);
    for (OpOperand &operand : clone->getOpOperands())
      operand.set(broadcastTo(b, loc, operand.get(), vectorType));
    for (OpResult result : clone->getResults())
      result.setType(VectorType::get(vectorType.getShape(), result.getType()));
  }
  auto yield = cast<attn::YieldOp>(block.getTerminator());
  return map.lookup(yield.getValues()[0]);
}
