//===- Common.cpp - shared helpers of the nn-to-linalg lowering -----------===//

#include "passes/lowering/NNToLinalg/Common.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"

using namespace mlir;

namespace ddl::lowering {

//===----------------------------------------------------------------------===//
// Types
//===----------------------------------------------------------------------===//

Type lowerElementType(Type type) {
  if (auto intType = dyn_cast<IntegerType>(type))
    if (!intType.isSignless())
      return IntegerType::get(type.getContext(), intType.getWidth());
  return type;
}

Type lowerType(Type type) {
  if (auto tensorType = dyn_cast<RankedTensorType>(type))
    return RankedTensorType::get(tensorType.getShape(),
                                 lowerElementType(tensorType.getElementType()));
  return lowerElementType(type);
}

bool isUnsignedInteger(Type type) {
  if (auto shaped = dyn_cast<ShapedType>(type))
    type = shaped.getElementType();
  auto intType = dyn_cast<IntegerType>(type);
  return intType && intType.isUnsigned();
}

//===----------------------------------------------------------------------===//
// Boundary casts
//===----------------------------------------------------------------------===//

Value toLowered(OpBuilder &b, Location loc, Value value) {
  Type lowered = lowerType(value.getType());
  if (lowered == value.getType())
    return value;
  // Look through the cast that fromLowered made, so that chains of lowered
  // ops never see nn types in between.
  if (auto cast = value.getDefiningOp<UnrealizedConversionCastOp>())
    if (cast->getNumOperands() == 1 && cast->getOperand(0).getType() == lowered)
      return cast->getOperand(0);
  return UnrealizedConversionCastOp::create(b, loc, lowered, value)
      .getResult(0);
}

Value fromLowered(OpBuilder &b, Location loc, Value lowered, Type nnType) {
  if (lowered.getType() == nnType)
    return lowered;
  if (lowerType(nnType) != lowered.getType())
    // A lowering produced a less precise shape than the nn type states
    // (e.g. a dynamic size the nn type knows): cast within builtin types.
    lowered = tensor::CastOp::create(b, loc, lowerType(nnType), lowered);
  if (lowered.getType() == nnType)
    return lowered;
  return UnrealizedConversionCastOp::create(b, loc, nnType, lowered)
      .getResult(0);
}

void replaceWithLowered(RewriterBase &rewriter, Operation *op,
                        ValueRange lowered) {
  SmallVector<Value> replacements;
  for (auto [result, value] : llvm::zip_equal(op->getResults(), lowered))
    replacements.push_back(
        fromLowered(rewriter, op->getLoc(), value, result.getType()));
  rewriter.replaceOp(op, replacements);
}

//===----------------------------------------------------------------------===//
// Shapes
//===----------------------------------------------------------------------===//

FailureOr<SmallVector<OpFoldResult>>
reifyResultSizes(RewriterBase &rewriter, Operation *op, unsigned resultIndex) {
  auto resultType =
      dyn_cast<RankedTensorType>(op->getResult(resultIndex).getType());
  if (!resultType)
    return rewriter.notifyMatchFailure(op, "result is not a ranked tensor");
  if (resultType.hasStaticShape())
    return getAsIndexOpFoldResult(op->getContext(), resultType.getShape());
  ReifiedRankedShapedTypeDims reified;
  if (failed(reifyResultShapes(rewriter, op, reified)) ||
      reified.size() <= resultIndex ||
      reified[resultIndex].size() != size_t(resultType.getRank()))
    return rewriter.notifyMatchFailure(op, "cannot reify the result shape");
  SmallVector<OpFoldResult> sizes = reified[resultIndex];
  for (auto [i, size] : llvm::enumerate(resultType.getShape()))
    if (!ShapedType::isDynamic(size))
      sizes[i] = rewriter.getIndexAttr(size);
  return sizes;
}

SmallVector<OpFoldResult> tensorSizes(OpBuilder &b, Location loc,
                                      Value tensor) {
  return tensor::getMixedSizes(b, loc, tensor);
}

Value emptyTensor(OpBuilder &b, Location loc, Type nnType,
                  ArrayRef<OpFoldResult> sizes) {
  auto lowered = cast<RankedTensorType>(lowerType(nnType));
  // Sizes the type knows statically win over reified values.
  SmallVector<OpFoldResult> mixed(sizes);
  for (auto [i, size] : llvm::enumerate(lowered.getShape()))
    if (!ShapedType::isDynamic(size))
      mixed[i] = b.getIndexAttr(size);
  return tensor::EmptyOp::create(b, loc, mixed, lowered.getElementType());
}

FailureOr<Value> emptyForResult(RewriterBase &rewriter, Operation *op,
                                unsigned resultIndex) {
  FailureOr<SmallVector<OpFoldResult>> sizes =
      reifyResultSizes(rewriter, op, resultIndex);
  if (failed(sizes))
    return failure();
  return emptyTensor(rewriter, op->getLoc(),
                     op->getResult(resultIndex).getType(), *sizes);
}

Value fill(OpBuilder &b, Location loc, Value tensor, Value value) {
  return linalg::FillOp::create(b, loc, value, tensor).getResult(0);
}

//===----------------------------------------------------------------------===//
// Scalars
//===----------------------------------------------------------------------===//

Value scalarConstant(OpBuilder &b, Location loc, Type type, double value) {
  if (auto floatType = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(b, loc, b.getFloatAttr(floatType, value));
  if (type.isIndex())
    return arith::ConstantIndexOp::create(b, loc, int64_t(value));
  auto intType = cast<IntegerType>(type);
  APInt bits(intType.getWidth(), int64_t(value), /*isSigned=*/true,
             /*implicitTrunc=*/true);
  return arith::ConstantOp::create(b, loc, b.getIntegerAttr(intType, bits));
}

static Value extremeValue(OpBuilder &b, Location loc, Type type,
                          bool isUnsigned, bool highest) {
  if (auto floatType = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(
        b, loc,
        b.getFloatAttr(floatType, APFloat::getInf(floatType.getFloatSemantics(),
                                                  /*Negative=*/!highest)));
  auto intType = cast<IntegerType>(type);
  unsigned width = intType.getWidth();
  APInt bits = width == 1 ? (highest ? APInt(1, 1) : APInt(1, 0))
               : isUnsigned
                   ? (highest ? APInt::getMaxValue(width) : APInt(width, 0))
                   : (highest ? APInt::getSignedMaxValue(width)
                              : APInt::getSignedMinValue(width));
  return arith::ConstantOp::create(b, loc, b.getIntegerAttr(intType, bits));
}

Value lowestValue(OpBuilder &b, Location loc, Type type, bool isUnsigned) {
  return extremeValue(b, loc, type, isUnsigned, /*highest=*/false);
}

Value highestValue(OpBuilder &b, Location loc, Type type, bool isUnsigned) {
  return extremeValue(b, loc, type, isUnsigned, /*highest=*/true);
}

Value convertScalar(OpBuilder &b, Location loc, Value value, Type to,
                    bool fromUnsigned, bool toUnsigned) {
  Type from = value.getType();
  if (from == to)
    return value;
  auto fromFloat = dyn_cast<FloatType>(from);
  auto toFloat = dyn_cast<FloatType>(to);
  if (to.isInteger(1)) {
    // Anything to bool: nonzero is true (NaN is nonzero).
    Value zero = scalarConstant(b, loc, from, 0);
    if (fromFloat)
      return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE, value,
                                   zero);
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, value, zero);
  }
  if (fromFloat && toFloat) {
    if (fromFloat.getWidth() < toFloat.getWidth())
      return arith::ExtFOp::create(b, loc, to, value);
    if (fromFloat.getWidth() > toFloat.getWidth())
      return arith::TruncFOp::create(b, loc, to, value);
    // f16 <-> bf16: through f32.
    Value wide = arith::ExtFOp::create(b, loc, b.getF32Type(), value);
    return arith::TruncFOp::create(b, loc, to, wide);
  }
  if (fromFloat) {
    if (toUnsigned)
      return arith::FPToUIOp::create(b, loc, to, value);
    return arith::FPToSIOp::create(b, loc, to, value);
  }
  // From an integer (bool is unsigned: true is 1).
  bool sourceUnsigned = fromUnsigned || from.isInteger(1);
  if (toFloat) {
    if (sourceUnsigned)
      return arith::UIToFPOp::create(b, loc, to, value);
    return arith::SIToFPOp::create(b, loc, to, value);
  }
  unsigned fromWidth = from.getIntOrFloatBitWidth();
  unsigned toWidth = to.getIntOrFloatBitWidth();
  if (fromWidth > toWidth)
    return arith::TruncIOp::create(b, loc, to, value);
  if (sourceUnsigned)
    return arith::ExtUIOp::create(b, loc, to, value);
  return arith::ExtSIOp::create(b, loc, to, value);
}

Type accumulatorType(Type element) {
  if (auto floatType = dyn_cast<FloatType>(element))
    if (floatType.getWidth() < 32)
      return Float32Type::get(element.getContext());
  return element;
}

Value scalarMax(OpBuilder &b, Location loc, Value lhs, Value rhs,
                bool isUnsigned) {
  if (isa<FloatType>(lhs.getType()))
    return arith::MaximumFOp::create(b, loc, lhs, rhs);
  if (isUnsigned || lhs.getType().isInteger(1))
    return arith::MaxUIOp::create(b, loc, lhs, rhs);
  return arith::MaxSIOp::create(b, loc, lhs, rhs);
}

Value scalarMin(OpBuilder &b, Location loc, Value lhs, Value rhs,
                bool isUnsigned) {
  if (isa<FloatType>(lhs.getType()))
    return arith::MinimumFOp::create(b, loc, lhs, rhs);
  if (isUnsigned || lhs.getType().isInteger(1))
    return arith::MinUIOp::create(b, loc, lhs, rhs);
  return arith::MinSIOp::create(b, loc, lhs, rhs);
}

Value indexToI64(OpBuilder &b, Location loc, Value v) {
  if (v.getType().isInteger(64))
    return v;
  return arith::IndexCastOp::create(b, loc, b.getI64Type(), v);
}

Value i64ToIndex(OpBuilder &b, Location loc, Value v) {
  if (v.getType().isIndex())
    return v;
  return arith::IndexCastOp::create(b, loc, b.getIndexType(), v);
}

//===----------------------------------------------------------------------===//
// Elementwise generics with numpy broadcasting
//===----------------------------------------------------------------------===//

namespace {
/// How one input dimension maps to the output's.
enum class DimMapping { Identity, Broadcast, RunTime };
} // namespace

/// How dimension `inDim` of `inType` maps onto output dimension `outDim` of
/// `outType` under numpy broadcasting.
static DimMapping mapDim(RankedTensorType inType, unsigned inDim,
                         RankedTensorType outType, unsigned outDim) {
  int64_t inSize = inType.getDimSize(inDim);
  int64_t outSize = outType.getDimSize(outDim);
  if (inSize == 1)
    return outSize == 1 ? DimMapping::Identity : DimMapping::Broadcast;
  if (!ShapedType::isDynamic(inSize) || outSize == 1)
    return DimMapping::Identity;
  // A dynamic input size is the output's when both carry the same symbol;
  // otherwise it may be 1 at run time while the output's is not.
  auto inDims = dyn_cast_or_null<nn::DimsAttr>(inType.getEncoding());
  auto outDims = dyn_cast_or_null<nn::DimsAttr>(outType.getEncoding());
  if (inDims && outDims && inDims.getSymbol(inDim) &&
      inDims.getSymbol(inDim) == outDims.getSymbol(outDim))
    return DimMapping::Identity;
  return DimMapping::RunTime;
}

Value buildElementwise(OpBuilder &b, Location loc, ValueRange inputs,
                       ArrayRef<OpFoldResult> outSizes, Type outNNType,
                       ScalarBodyBuilder body) {
  auto outType = cast<RankedTensorType>(outNNType);
  unsigned outRank = outType.getRank();
  MLIRContext *context = b.getContext();
  Value init = emptyTensor(b, loc, outNNType, outSizes);

  SmallVector<Value> genericInputs;
  SmallVector<AffineMap> maps;
  // Inputs whose broadcast is decided at run time are read with
  // tensor.extract in the body instead of through an indexing map.
  struct RunTimeInput {
    unsigned position; // in `inputs`
    Value tensor;      // lowered
  };
  SmallVector<RunTimeInput> runTimeInputs;
  SmallVector<int> genericIndexOf(inputs.size(), -1);

  for (auto [i, input] : llvm::enumerate(inputs)) {
    auto inType = cast<RankedTensorType>(input.getType());
    unsigned rank = inType.getRank();
    unsigned offset = outRank - rank;
    SmallVector<AffineExpr> exprs;
    bool runTime = false;
    for (unsigned d = 0; d < rank; ++d) {
      DimMapping mapping = mapDim(inType, d, outType, d + offset);
      // The output's size read off this very input (a unary op's shape,
      // reified as its tensor.dim) is the input's: no broadcast.
      if (mapping == DimMapping::RunTime)
        if (auto size = dyn_cast<Value>(outSizes[d + offset]))
          if (auto dim = size.getDefiningOp<tensor::DimOp>();
              dim && dim.getSource() == input &&
              dim.getConstantIndex() == int64_t(d))
            mapping = DimMapping::Identity;
      switch (mapping) {
      case DimMapping::Identity:
        exprs.push_back(getAffineDimExpr(d + offset, context));
        break;
      case DimMapping::Broadcast:
        exprs.push_back(getAffineConstantExpr(0, context));
        break;
      case DimMapping::RunTime:
        runTime = true;
        break;
      }
    }
    Value lowered = toLowered(b, loc, input);
    if (runTime) {
      runTimeInputs.push_back({unsigned(i), lowered});
      continue;
    }
    genericIndexOf[i] = genericInputs.size();
    genericInputs.push_back(lowered);
    maps.push_back(AffineMap::get(outRank, 0, exprs, context));
  }
  maps.push_back(b.getMultiDimIdentityMap(outRank));

  // Run-time broadcast: per dimension, whether the input's size is 1 (then
  // index 0), computed once outside the loop.
  SmallVector<SmallVector<Value>> isOne(runTimeInputs.size());
  for (auto [k, rt] : llvm::enumerate(runTimeInputs)) {
    auto inType = cast<RankedTensorType>(rt.tensor.getType());
    for (unsigned d = 0; d < inType.getRank(); ++d) {
      Value dim = tensor::DimOp::create(b, loc, rt.tensor, d);
      Value one = arith::ConstantIndexOp::create(b, loc, 1);
      isOne[k].push_back(
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, dim, one));
    }
  }

  SmallVector<utils::IteratorType> iterators(outRank,
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, init.getType(), genericInputs, init, maps, iterators,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        SmallVector<Value> scalars(inputs.size());
        for (auto [i, index] : llvm::enumerate(genericIndexOf))
          if (index >= 0)
            scalars[i] = args[index];
        for (auto [k, rt] : llvm::enumerate(runTimeInputs)) {
          auto inType = cast<RankedTensorType>(rt.tensor.getType());
          unsigned offset = outRank - inType.getRank();
          SmallVector<Value> indices;
          Value zero = arith::ConstantIndexOp::create(nb, nloc, 0);
          for (unsigned d = 0; d < inType.getRank(); ++d) {
            Value iv = linalg::IndexOp::create(nb, nloc, d + offset);
            indices.push_back(
                arith::SelectOp::create(nb, nloc, isOne[k][d], zero, iv));
          }
          scalars[rt.position] =
              tensor::ExtractOp::create(nb, nloc, rt.tensor, indices);
        }
        Value result = body(nb, nloc, scalars);
        linalg::YieldOp::create(nb, nloc, result);
      });
  return generic.getResult(0);
}

Value broadcastTo(OpBuilder &b, Location loc, Value tensor,
                  ArrayRef<OpFoldResult> outSizes) {
  auto inType = cast<RankedTensorType>(tensor.getType());
  SmallVector<int64_t> shape;
  for (OpFoldResult size : outSizes)
    shape.push_back(getConstantIntValue(size).value_or(ShapedType::kDynamic));
  auto outType = RankedTensorType::get(shape, inType.getElementType());
  return buildElementwise(
      b, loc, tensor, outSizes, outType,
      [](OpBuilder &, Location, ValueRange scalars) { return scalars[0]; });
}

Value extractScalar(OpBuilder &b, Location loc, Value tensor) {
  Value lowered = toLowered(b, loc, tensor);
  auto type = cast<RankedTensorType>(lowered.getType());
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  SmallVector<Value> indices(type.getRank(), zero);
  return tensor::ExtractOp::create(b, loc, lowered, indices);
}

} // namespace ddl::lowering

TypedAttr ddl::lowering::retypedConstant(Attribute value,
                                         RankedTensorType type) {
  if (auto dense = dyn_cast<DenseElementsAttr>(value)) {
    if (dense.getNumElements() != type.getNumElements())
      return {};
    if (dense.getElementType() == type.getElementType())
      return dense.reshape(type);
    if (dense.getElementType().getIntOrFloatBitWidth() !=
        type.getElementType().getIntOrFloatBitWidth())
      return {};
    return dense.bitcast(type.getElementType()).reshape(type);
  }
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(value))
    return DenseResourceElementsAttr::get(type, resource.getRawHandle());
  return {};
}
