//===- ElementwiseOps.cpp - shape functions of elementwise ops ------------===//
//
// Unary and broadcasting binary ops get their shape functions from their
// TableGen classes; this file holds the ones with their own rules.
//
//===----------------------------------------------------------------------===//

#include "dialects/nn/NNDialect.h"

#include "llvm/Support/FormatVariadic.h"

using namespace mlir;

namespace ddl::nn {

LogicalResult ClipOp::inferShapes(Adaptor adaptor, ShapeBuilder &b,
                                  SmallVectorImpl<ResultShape> &results) {
  auto inputType = cast<RankedTensorType>(adaptor.getInput().getType());
  for (auto [bound, name] : {std::pair(adaptor.getMin(), "min"),
                             std::pair(adaptor.getMax(), "max")}) {
    if (!bound)
      continue;
    auto type = cast<RankedTensorType>(bound.getType());
    if (!type.hasStaticShape() || type.getNumElements() != 1)
      return b.emitError(llvm::formatv(
          "{0} must be a scalar (one element), got {1}", name, type));
    if (type.getElementType() != inputType.getElementType())
      return b.emitError(
          llvm::formatv("{0} has element type {1} but the input has {2}", name,
                        type.getElementType(), inputType.getElementType()));
  }
  return b.sameAs(adaptor.getInput(), results);
}

LogicalResult WhereOp::inferShapes(Adaptor adaptor, ShapeBuilder &b,
                                   SmallVectorImpl<ResultShape> &results) {
  return b.broadcastElementwise(
      {adaptor.getCondition(), adaptor.getOnTrue(), adaptor.getOnFalse()},
      cast<RankedTensorType>(adaptor.getOnTrue().getType()).getElementType(),
      results);
}

//===----------------------------------------------------------------------===//
// nn.cast: the result type is given, so it only verifies and reifies.
//===----------------------------------------------------------------------===//

LogicalResult CastOp::verify() {
  RankedTensorType in = getInput().getType(), out = getOutput().getType();
  if (in.getRank() != out.getRank())
    return emitOpError() << "changes the rank from " << in.getRank() << " to "
                         << out.getRank()
                         << "; a cast only changes the element type";
  // Same shape, element type aside: reuse the refinement rule.
  RankedTensorType sameElement = RankedTensorType::get(
      out.getShape(), in.getElementType(), out.getEncoding());
  if (!areRefinementsOf(TypeRange{in}, TypeRange{sameElement}))
    return emitOpError() << "result shape " << out
                         << " contradicts the input shape " << in;
  return success();
}

LogicalResult CastOp::reifyResultShapes(OpBuilder &builder,
                                        ReifiedRankedShapedTypeDims &reified) {
  ShapeBuilder b(builder, getLoc(), getOperationName());
  SmallVector<ResultShape> shapes;
  if (failed(b.sameAs(getInput(), shapes)))
    return failure();
  return finishReification(*this, b, shapes, reified);
}

} // namespace ddl::nn
