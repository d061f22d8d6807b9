//===- LowbitDialect.cpp - quantized arithmetic dialect -------------------===//

#include "dialects/lowbit/LowbitDialect.h"
#include "dialects/lowbit/Fp8.h"
#include "dialects/lowbit/Ternary.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"

using namespace mlir;
using namespace ddl::lowbit;

#include "dialects/lowbit/LowbitDialect.cpp.inc"

void LowbitDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialects/lowbit/LowbitOps.cpp.inc"
      >();
}

#define GET_OP_CLASSES
#include "dialects/lowbit/LowbitOps.cpp.inc"

static bool compatible(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b;
}

LogicalResult MatMulOp::verify() {
  auto lhs = cast<RankedTensorType>(getLhs().getType());
  auto rhs = cast<RankedTensorType>(getRhs().getType());
  auto lhsZero = cast<RankedTensorType>(getLhsZeroPoint().getType());
  auto rhsZero = cast<RankedTensorType>(getRhsZeroPoint().getType());
  auto result = cast<RankedTensorType>(getResult().getType());
  for (auto [name, type, isUnsigned] :
       {std::tuple<StringRef, RankedTensorType, bool>{"lhs", lhs,
                                                      getLhsUnsigned()},
        {"rhs", rhs, getRhsUnsigned()}}) {
    Type element = type.getElementType();
    if ((element.isUnsignedInteger() && !isUnsigned) ||
        (element.isSignedInteger() && isUnsigned))
      return emitOpError() << name << " has elements " << element << " but "
                           << name
                           << "_unsigned = " << (isUnsigned ? "true" : "false");
  }
  if (lhs.getRank() < 2)
    return emitOpError("lhs must be [..., M, K], got rank ") << lhs.getRank();
  if (rhs.getRank() != 2)
    return emitOpError("rhs must be [K, N] (weights), got rank ")
           << rhs.getRank();
  int64_t k = lhs.getDimSize(lhs.getRank() - 1);
  if (!compatible(k, rhs.getDimSize(0)))
    return emitOpError("lhs has K = ")
           << k << " but rhs has K = " << rhs.getDimSize(0);
  if (lhsZero.getRank() != 0 ||
      lhsZero.getElementType() != lhs.getElementType())
    return emitOpError("lhs zero point must be a scalar of ")
           << lhs.getElementType() << ", got " << lhsZero;
  if (rhsZero.getElementType() != rhs.getElementType() ||
      rhsZero.getRank() > 1 ||
      (rhsZero.getRank() == 1 &&
       !compatible(rhsZero.getDimSize(0), rhs.getDimSize(1))))
    return emitOpError("rhs zero point must be a scalar or one per column ([")
           << rhs.getDimSize(1) << "]) of " << rhs.getElementType() << ", got "
           << rhsZero;
  SmallVector<int64_t> expected(lhs.getShape().drop_back());
  expected.push_back(rhs.getDimSize(1));
  if (result.getRank() != lhs.getRank() ||
      !llvm::all_of(llvm::seq<int64_t>(0, result.getRank()), [&](int64_t d) {
        return compatible(result.getDimSize(d), expected[d]);
      }))
    return emitOpError("result must be [..., M, N] of i32, got ") << result;
  return success();
}

LogicalResult MatMulInt4Op::verify() {
  auto input = cast<RankedTensorType>(getInput().getType());
  auto weights = cast<RankedTensorType>(getWeights().getType());
  auto scales = cast<RankedTensorType>(getScales().getType());
  auto result = cast<RankedTensorType>(getResult().getType());
  int64_t group = getGroupSize();
  if (input.getRank() < 2)
    return emitOpError("input must be [..., M, K], got rank ")
           << input.getRank();
  if (weights.getRank() != 2 || !weights.hasStaticShape())
    return emitOpError("weights must be static [N, K / 2] bytes, got ")
           << weights;
  int64_t n = weights.getDimSize(0), k = 2 * weights.getDimSize(1);
  if (k % 32)
    return emitOpError("K = ")
           << k << " (twice the weights' bytes per row) must be a multiple "
           << "of 32";
  if (group % 32 || k % group)
    return emitOpError("group_size ")
           << group << " must be a multiple of 32 that divides K = " << k;
  if (!compatible(input.getDimSize(input.getRank() - 1), k))
    return emitOpError("input has K = ")
           << input.getDimSize(input.getRank() - 1)
           << " but the weights hold K = " << k;
  if (scales.getRank() != 2 || !compatible(scales.getDimSize(0), n) ||
      !compatible(scales.getDimSize(1), k / group))
    return emitOpError("scales must be [N, K / group_size] = [")
           << n << ", " << k / group << "], got " << scales;
  SmallVector<int64_t> expected(input.getShape().drop_back());
  expected.push_back(n);
  if (result.getRank() != input.getRank() ||
      !llvm::all_of(llvm::seq<int64_t>(0, result.getRank()), [&](int64_t d) {
        return compatible(result.getDimSize(d), expected[d]);
      }))
    return emitOpError("result must be [..., M, N] of f32, got ") << result;
  return success();
}

LogicalResult MatMulTernaryOp::verify() {
  auto input = cast<RankedTensorType>(getInput().getType());
  auto weights = cast<RankedTensorType>(getWeights().getType());
  auto result = cast<RankedTensorType>(getResult().getType());
  int64_t tritsPerByte = getTritsPerByte();
  if (input.getRank() < 2)
    return emitOpError("input must be [..., M, K], got rank ")
           << input.getRank();
  if (weights.getRank() != 2)
    return emitOpError("weights must be [N, bytes per row], got ") << weights;
  int64_t k = input.getDimSize(input.getRank() - 1);
  if (!ShapedType::isDynamic(k)) {
    if (!ternaryPackable(k))
      return emitOpError("K = ")
             << k << " must be a positive multiple of " << kTernaryBlock;
    if (!compatible(weights.getDimSize(1), ternaryRowBytes(k, tritsPerByte)))
      return emitOpError("K = ")
             << k << " packed " << tritsPerByte << " trits per byte takes "
             << ternaryRowBytes(k, tritsPerByte)
             << " bytes per row, but the weights have "
             << weights.getDimSize(1);
  }
  SmallVector<int64_t> expected(input.getShape().drop_back());
  expected.push_back(weights.getDimSize(0));
  if (result.getRank() != input.getRank() ||
      !llvm::all_of(llvm::seq<int64_t>(0, result.getRank()), [&](int64_t d) {
        return compatible(result.getDimSize(d), expected[d]);
      }))
    return emitOpError("result must be [..., M, N] of i32, got ") << result;
  return success();
}

/// `format` names an fp8 format.
static LogicalResult verifyFp8Format(Operation *op, StringRef format) {
  if (!fp8Format(format))
    return op->emitOpError("unknown fp8 format '")
           << format << "' (expected e4m3 or e5m2)";
  return success();
}

LogicalResult QuantizeFp8Op::verify() {
  if (failed(verifyFp8Format(*this, getFormat())))
    return failure();
  auto input = cast<RankedTensorType>(getInput().getType());
  auto result = cast<RankedTensorType>(getResult().getType());
  if (result.getRank() != input.getRank() ||
      !llvm::all_of(llvm::seq<int64_t>(0, result.getRank()), [&](int64_t d) {
        return compatible(result.getDimSize(d), input.getDimSize(d));
      }))
    return emitOpError("result must have the input's shape, got ") << result;
  return success();
}

/// The shapes of a matmul of `input` [..., M, K] by weight rows [N, K]
/// into an f32 `result` [..., M, N] (matmul_fp8, matmul_bf16).
static LogicalResult verifyWeightRowsMatmul(Operation *op, Value inputValue,
                                            Value weightsValue,
                                            Value resultValue) {
  auto input = cast<RankedTensorType>(inputValue.getType());
  auto weights = cast<RankedTensorType>(weightsValue.getType());
  auto result = cast<RankedTensorType>(resultValue.getType());
  if (input.getRank() < 2)
    return op->emitOpError("input must be [..., M, K], got rank ")
           << input.getRank();
  if (weights.getRank() != 2)
    return op->emitOpError("weights must be [N, K], got ") << weights;
  int64_t k = input.getDimSize(input.getRank() - 1);
  if (!compatible(k, weights.getDimSize(1)))
    return op->emitOpError("input has K = ")
           << k << " but the weights have K = " << weights.getDimSize(1);
  SmallVector<int64_t> expected(input.getShape().drop_back());
  expected.push_back(weights.getDimSize(0));
  if (result.getRank() != input.getRank() ||
      !llvm::all_of(llvm::seq<int64_t>(0, result.getRank()), [&](int64_t d) {
        return compatible(result.getDimSize(d), expected[d]);
      }))
    return op->emitOpError("result must be [..., M, N] of f32, got ") << result;
  return success();
}

LogicalResult MatMulFp8Op::verify() {
  if (failed(verifyFp8Format(*this, getFormat())))
    return failure();
  return verifyWeightRowsMatmul(*this, getInput(), getWeights(), getResult());
}

LogicalResult MatMulBf16Op::verify() {
  return verifyWeightRowsMatmul(*this, getInput(), getWeights(), getResult());
}

LogicalResult Lookup16Op::verify() {
  int64_t bytes = cast<VectorType>(getTable().getType()).getNumElements();
  if (bytes % 16)
    return emitOpError("looks up in 16-byte lanes: the vectors' length must "
                       "be a multiple of 16, got ")
           << bytes;
  return success();
}

LogicalResult EmbeddingOp::verify() {
  auto indices = cast<RankedTensorType>(getIndices().getType());
  auto table = cast<RankedTensorType>(getTable().getType());
  auto scales = cast<RankedTensorType>(getScales().getType());
  auto result = cast<RankedTensorType>(getResult().getType());
  int64_t bits = getBits(), group = getGroupSize();
  if (bits != 4 && bits != 8)
    return emitOpError("bits must be 4 or 8, got ") << bits;
  if (table.getRank() != 2 || scales.getRank() != 2)
    return emitOpError("table and scales must be [V, ...], got ")
           << table << " and " << scales;
  if (result.getRank() != indices.getRank() + 1)
    return emitOpError("result must be the indices' shape plus D, got ")
           << result;
  for (int64_t d = 0; d < indices.getRank(); ++d)
    if (!compatible(result.getDimSize(d), indices.getDimSize(d)))
      return emitOpError("result must be the indices' shape plus D, got ")
             << result;
  int64_t dims = result.getDimSize(result.getRank() - 1);
  if (ShapedType::isDynamic(dims))
    return emitOpError("D (the result's last dimension) must be static");
  if (bits == 4 && dims % 32)
    return emitOpError("int4 rows come in blocks of 32 values; D = ")
           << dims << " is not a multiple of 32";
  if (!compatible(table.getDimSize(1), bits == 8 ? dims : dims / 2))
    return emitOpError("a table row of ")
           << bits << "-bit values of D = " << dims << " holds "
           << (bits == 8 ? dims : dims / 2) << " bytes, got "
           << table.getDimSize(1);
  if (dims % group)
    return emitOpError("group_size ")
           << group << " does not divide D = " << dims;
  if (!compatible(scales.getDimSize(1), dims / group) ||
      !compatible(scales.getDimSize(0), table.getDimSize(0)))
    return emitOpError("scales must be [V, D / group_size] = [")
           << table.getDimSize(0) << ", " << dims / group << "], got "
           << scales;
  return success();
}
