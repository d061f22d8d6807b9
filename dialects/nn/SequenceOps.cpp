//===- SequenceOps.cpp - verifiers of the sequence and optional ops -------===//
//
// The sequence and optional ops keep their result types as written (the
// importer knows them from the ONNX graph); the verifiers check that the
// element types agree. A sequence's element type may be less precise than
// the tensors in it (dynamic sizes, or no rank at all).
//
//===----------------------------------------------------------------------===//

#include "dialects/nn/NNDialect.h"
#include "dialects/nn/ShapeBuilder.h"

#include "llvm/Support/FormatVariadic.h"

using namespace mlir;

namespace ddl::nn {

/// Checks that `tensor` may be an element of a sequence of `sequence`:
/// the same element type, and the same rank and compatible sizes when the
/// sequence's elements have a rank.
static LogicalResult verifyFits(Operation *op, Type tensor,
                                SequenceType sequence, StringRef what) {
  TensorType element = sequence.getElementType();
  auto type = cast<RankedTensorType>(tensor);
  if (type.getElementType() != element.getElementType() ||
      (element.hasRank() &&
       !areRefinementsOf(TypeRange{element}, TypeRange{type})))
    return op->emitOpError()
           << what << " " << type << " cannot be an element of " << sequence;
  return success();
}

/// Checks that two sequence types hold the same element type.
static LogicalResult verifySameElements(Operation *op, SequenceType a,
                                        SequenceType b) {
  if (a.getElementType().getElementType() !=
      b.getElementType().getElementType())
    return op->emitOpError() << "takes " << a << " but returns " << b
                             << "; the element types must be equal";
  return success();
}

/// Checks that a position is one integer.
static LogicalResult verifyPosition(Operation *op, Value position) {
  if (!position)
    return success();
  auto type = cast<RankedTensorType>(position.getType());
  if (type.getRank() > 1 ||
      (type.hasStaticShape() && type.getNumElements() != 1))
    return op->emitOpError()
           << "the position must be one integer, got " << type;
  return success();
}

LogicalResult SeqConstructOp::verify() {
  for (auto [i, element] : llvm::enumerate(getElements()))
    if (failed(verifyFits(*this, element.getType(), getResult().getType(),
                          llvm::formatv("element #{0}", i).str())))
      return failure();
  return success();
}

LogicalResult SeqInsertOp::verify() {
  if (failed(verifySameElements(*this, getSequence().getType(),
                                getResult().getType())) ||
      failed(verifyFits(*this, getElement().getType(), getResult().getType(),
                        "the inserted tensor")))
    return failure();
  return verifyPosition(*this, getPosition());
}

LogicalResult SeqEraseOp::verify() {
  if (failed(verifySameElements(*this, getSequence().getType(),
                                getResult().getType())))
    return failure();
  return verifyPosition(*this, getPosition());
}

LogicalResult SeqAtOp::verify() {
  if (failed(verifyFits(*this, getResult().getType(), getSequence().getType(),
                        "the result")))
    return failure();
  return verifyPosition(*this, getPosition());
}

LogicalResult SeqLengthOp::verify() {
  if (getResult().getType().getRank() != 0)
    return emitOpError() << "returns a 0-d tensor, not "
                         << getResult().getType();
  return success();
}

LogicalResult OptionalSomeOp::verify() {
  Type value = getResult().getType().getValueType();
  if (!areRefinementsOf(TypeRange{value}, TypeRange{getValue().getType()}))
    return emitOpError() << "wraps " << getValue().getType() << " in "
                         << getResult().getType();
  return success();
}

LogicalResult OptionalHasOp::verify() {
  if (getResult().getType().getRank() != 0)
    return emitOpError() << "returns a 0-d tensor, not "
                         << getResult().getType();
  return success();
}

LogicalResult OptionalGetOp::verify() {
  Type value = getOptional().getType().getValueType();
  if (!areRefinementsOf(TypeRange{value}, TypeRange{getResult().getType()}))
    return emitOpError() << "gets " << getResult().getType() << " from "
                         << getOptional().getType();
  return success();
}

} // namespace ddl::nn
