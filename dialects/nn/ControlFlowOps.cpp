//===- ControlFlowOps.cpp - nn.if and nn.loop verifiers -------------------===//
//
// Region ops keep their result types as written; the verifiers check that
// the yields agree with them (a yield may be more precise than the result:
// see areRefinementsOf).
//
//===----------------------------------------------------------------------===//

#include "dialects/nn/NNDialect.h"

using namespace mlir;

namespace ddl::nn {

/// Checks that a one-element boolean tensor decides a branch or loop.
static LogicalResult verifyScalarCondition(Operation *op, Value condition,
                                           StringRef what) {
  auto type = cast<RankedTensorType>(condition.getType());
  if (type.hasStaticShape() && type.getNumElements() != 1)
    return op->emitOpError() << what << " must hold one element, got " << type;
  return success();
}

/// Checks that `yield` yields `expected.size()` values compatible with
/// `expected`, naming `where` in errors.
static LogicalResult verifyYield(Operation *op, YieldOp yield,
                                 TypeRange expected, StringRef where) {
  if (yield.getValues().size() != expected.size())
    return op->emitOpError() << where << " yields " << yield.getValues().size()
                             << " values but needs " << expected.size();
  for (auto [i, pair] :
       llvm::enumerate(llvm::zip(yield.getValues().getTypes(), expected))) {
    auto [actual, wanted] = pair;
    if (!areRefinementsOf(TypeRange{wanted}, TypeRange{actual}))
      return op->emitOpError() << where << " yields " << actual << " as value #"
                               << i << ", incompatible with " << wanted;
  }
  return success();
}

/// The region's nn.yield, or null. The op verifier runs before MLIR checks
/// the nested blocks, so an empty block must be handled here.
static YieldOp terminatorOf(Region &region) {
  if (region.empty() || region.front().empty())
    return nullptr;
  return dyn_cast<YieldOp>(region.front().back());
}

LogicalResult IfOp::verify() {
  if (failed(verifyScalarCondition(*this, getCondition(), "the condition")))
    return failure();
  for (auto [region, name] : {std::pair(&getThenRegion(), "the then region"),
                              std::pair(&getElseRegion(), "the else region")}) {
    YieldOp yield = terminatorOf(*region);
    if (!yield)
      return emitOpError() << name << " must end in nn.yield";
    if (failed(verifyYield(*this, yield, getResultTypes(), name)))
      return failure();
  }
  return success();
}

LogicalResult LoopOp::verify() {
  if (Value trip = getTripCount()) {
    auto type = cast<RankedTensorType>(trip.getType());
    if (type.hasStaticShape() && type.getNumElements() != 1)
      return emitOpError() << "the trip count must hold one element, got "
                           << type;
  }
  if (Value cond = getCondition())
    if (failed(verifyScalarCondition(*this, cond, "the condition")))
      return failure();
  size_t carried = getInits().size();
  if (getNumResults() < carried)
    return emitOpError() << "has " << getNumResults() << " results but carries "
                         << carried
                         << " values; results are the carried values, then "
                            "the scan outputs";
  Block &body = getBody().front();
  if (body.getNumArguments() != 2 + carried)
    return emitOpError() << "body takes " << body.getNumArguments()
                         << " arguments but needs " << 2 + carried
                         << ": the iteration number, the condition, then one "
                            "per carried value";
  auto i64Scalar =
      RankedTensorType::get({}, IntegerType::get(getContext(), 64));
  auto i1Scalar = RankedTensorType::get({}, IntegerType::get(getContext(), 1));
  if (body.getArgument(0).getType() != i64Scalar ||
      body.getArgument(1).getType() != i1Scalar)
    return emitOpError() << "body's first two arguments must be "
                            "tensor<i64> (iteration) and tensor<i1> "
                            "(condition)";
  for (auto [i, pair] : llvm::enumerate(
           llvm::zip(getInits().getTypes(),
                     TypeRange(body.getArgumentTypes()).drop_front(2)))) {
    auto [init, arg] = pair;
    if (!areRefinementsOf(TypeRange{init}, TypeRange{arg}))
      return emitOpError() << "carried value #" << i << " starts as " << init
                           << " but the body takes " << arg;
  }
  for (auto [i, pair] : llvm::enumerate(
           llvm::zip(getInits().getTypes(),
                     TypeRange(getResultTypes()).take_front(carried)))) {
    auto [init, result] = pair;
    if (!areRefinementsOf(TypeRange{init}, TypeRange{result}))
      return emitOpError() << "carried value #" << i << " starts as " << init
                           << " but the loop's result #" << i << " is "
                           << result << "; a carried value keeps its type";
  }
  YieldOp yield = terminatorOf(getBody());
  if (!yield)
    return emitOpError() << "body must end in nn.yield";
  // Yields: condition, carried values, one element per scan output.
  SmallVector<Type> expected = {i1Scalar};
  TypeRange results = getResultTypes();
  llvm::append_range(expected, results.take_front(carried));
  for (Type scan : results.drop_front(carried)) {
    auto type = cast<RankedTensorType>(scan);
    if (type.getRank() == 0)
      return emitOpError() << "scan output " << type
                           << " must have rank >= 1 (iterations are stacked "
                              "along dimension 0)";
    expected.push_back(RankedTensorType::get(type.getShape().drop_front(),
                                             type.getElementType()));
  }
  return verifyYield(*this, yield, expected, "the body");
}

} // namespace ddl::nn
