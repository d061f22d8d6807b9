//===- LowbitToLinalg.cpp - lowbit ops as linalg on integers --------------===//
//
// See DDLLowbitToLinalgPass in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "dialects/lowbit/Fp8.h"
#include "dialects/lowbit/Ternary.h"
#include "lib/Support/ConstantData.h"
#include "passes/lowering/NNToLinalg/Common.h"
#include "passes/quant/Passes.h"

using namespace mlir;
using namespace ddl;

namespace ddl::quant {
#define GEN_PASS_DEF_DDLLOWBITTOLINALGPASS
#include "passes/quant/Passes.h.inc"
} // namespace ddl::quant

namespace {

/// `v` (i8 or ui8, signless in linalg) widened to i32 by its original type.
Value widen(OpBuilder &b, Location loc, Value v, bool isUnsigned) {
  Type i32 = b.getI32Type();
  if (isUnsigned)
    return arith::ExtUIOp::create(b, loc, i32, v);
  return arith::ExtSIOp::create(b, loc, i32, v);
}

/// The loops of a matmul generic of `input` [..., M, K] into [..., M, N]:
/// the result's dims, then k (a reduction); the input's and the result's
/// maps, and the result initialized to zero of `element`.
struct MatmulLoops {
  AffineMap inputMap, outMap;
  SmallVector<utils::IteratorType> iterators;
  Value init;
};

MatmulLoops matmulLoops(OpBuilder &b, Location loc, Value input, OpFoldResult n,
                        Type element) {
  int64_t rank = cast<RankedTensorType>(input.getType()).getRank();
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineExpr> inputExprs, outExprs;
  for (int64_t d = 0; d < rank - 1; ++d)
    inputExprs.push_back(b.getAffineDimExpr(d));
  inputExprs.push_back(b.getAffineDimExpr(rank));
  for (int64_t d = 0; d < rank; ++d)
    outExprs.push_back(b.getAffineDimExpr(d));
  MatmulLoops loops;
  loops.inputMap = AffineMap::get(rank + 1, 0, inputExprs, ctx);
  loops.outMap = AffineMap::get(rank + 1, 0, outExprs, ctx);
  loops.iterators.assign(rank, utils::IteratorType::parallel);
  loops.iterators.push_back(utils::IteratorType::reduction);
  SmallVector<OpFoldResult> sizes;
  for (int64_t d = 0; d < rank - 1; ++d)
    sizes.push_back(tensor::getMixedSize(b, loc, input, d));
  sizes.push_back(n);
  Value empty = tensor::EmptyOp::create(b, loc, sizes, element);
  Value zero = arith::ConstantOp::create(b, loc, b.getZeroAttr(element));
  loops.init = linalg::FillOp::create(b, loc, zero, empty).getResult(0);
  return loops;
}

/// True when `v` is a constant whose every element is 0.
bool isZeroConstant(Value v) {
  DenseElementsAttr attr;
  return matchPattern(v, m_Constant(&attr)) && attr.isSplat() &&
         attr.getSplatValue<APInt>().isZero();
}

/// lowbit.matmul without zero points, s8 by s8, on constant [K, N] weights
/// (what --quantize=int8 makes): one linalg.generic over the weights
/// transposed to [N, K] at compile time (k contiguous: the layout wgmma's
/// 8-bit operands need, and the reference loop's), marked as an s8
/// contraction for the GPU kernels (kS8OperandsAttr). Fails, changing
/// nothing, for other operands.
LogicalResult lowerSymmetricMatMul(lowbit::MatMulOp op) {
  auto rhsType = cast<RankedTensorType>(op.getRhs().getType());
  ElementsAttr weights;
  if (op.getLhsUnsigned() || op.getRhsUnsigned() ||
      !isZeroConstant(op.getLhsZeroPoint()) ||
      !isZeroConstant(op.getRhsZeroPoint()) || !rhsType.hasStaticShape() ||
      !matchPattern(op.getRhs(), m_Constant(&weights)))
    return failure();
  int64_t k = rhsType.getDimSize(0), n = rhsType.getDimSize(1);
  std::vector<int8_t> bytes;
  if (failed(readI8Elements(weights, k * n, bytes)))
    return failure();
  std::vector<int8_t> transposed(bytes.size());
  for (int64_t r = 0; r < k; ++r)
    for (int64_t c = 0; c < n; ++c)
      transposed[c * k + r] = bytes[r * n + c];
  OpBuilder b(op);
  Location loc = op.getLoc();
  Value weightsNK = arith::ConstantOp::create(
      b, loc,
      cast<TypedAttr>(i8Resource(
          RankedTensorType::get({n, k}, rhsType.getElementType()),
          "ddl_int8_weights_nk", transposed))); // uniqued by the context
  auto resultType = cast<RankedTensorType>(op.getResult().getType());
  int64_t rank = resultType.getRank();
  MatmulLoops loops =
      matmulLoops(b, loc, op.getLhs(), b.getIndexAttr(n), b.getI32Type());
  AffineMap weightsMap = AffineMap::get(
      rank + 1, 0, {b.getAffineDimExpr(rank - 1), b.getAffineDimExpr(rank)},
      b.getContext());
  auto generic = linalg::GenericOp::create(
      b, loc, resultType, ValueRange{op.getLhs(), weightsNK}, loops.init,
      ArrayRef<AffineMap>{loops.inputMap, weightsMap, loops.outMap},
      loops.iterators, [&](OpBuilder &nb, Location nloc, ValueRange args) {
        Value product =
            arith::MulIOp::create(nb, nloc, widen(nb, nloc, args[0], false),
                                  widen(nb, nloc, args[1], false));
        linalg::YieldOp::create(
            nb, nloc,
            arith::AddIOp::create(nb, nloc, args[2], product).getResult());
      });
  generic->setAttr(lowbit::kS8OperandsAttr, b.getUnitAttr());
  op.replaceAllUsesWith(generic.getResult(0));
  op.erase();
  return success();
}

void lowerMatMul(lowbit::MatMulOp op) {
  if (succeeded(lowerSymmetricMatMul(op)))
    return;
  OpBuilder b(op);
  Location loc = op.getLoc();
  auto rhsZeroType = cast<RankedTensorType>(op.getRhsZeroPoint().getType());
  auto resultType = cast<RankedTensorType>(op.getResult().getType());
  bool lhsUnsigned = op.getLhsUnsigned(), rhsUnsigned = op.getRhsUnsigned();
  int64_t rank = resultType.getRank();
  MLIRContext *ctx = b.getContext();
  MatmulLoops loops =
      matmulLoops(b, loc, op.getLhs(),
                  tensor::getMixedSize(b, loc, op.getRhs(), 1), b.getI32Type());
  AffineExpr n = b.getAffineDimExpr(rank - 1), k = b.getAffineDimExpr(rank);
  SmallVector<AffineMap> maps = {
      loops.inputMap, AffineMap::get(rank + 1, 0, {k, n}, ctx),
      AffineMap::get(rank + 1, 0, {}, ctx),
      AffineMap::get(rank + 1, 0,
                     rhsZeroType.getRank() == 1 ? SmallVector<AffineExpr>{n}
                                                : SmallVector<AffineExpr>{},
                     ctx),
      loops.outMap};
  auto generic = linalg::GenericOp::create(
      b, loc, resultType,
      ValueRange{op.getLhs(), op.getRhs(), op.getLhsZeroPoint(),
                 op.getRhsZeroPoint()},
      loops.init, maps, loops.iterators,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        Value a = arith::SubIOp::create(nb, nloc,
                                        widen(nb, nloc, args[0], lhsUnsigned),
                                        widen(nb, nloc, args[2], lhsUnsigned));
        Value w = arith::SubIOp::create(nb, nloc,
                                        widen(nb, nloc, args[1], rhsUnsigned),
                                        widen(nb, nloc, args[3], rhsUnsigned));
        Value product = arith::MulIOp::create(nb, nloc, a, w);
        linalg::YieldOp::create(
            nb, nloc,
            arith::AddIOp::create(nb, nloc, args[4], product).getResult());
      });
  op.replaceAllUsesWith(generic.getResult(0));
  op.erase();
}

/// The f32 value of element (row, col) of int4 values packed [rows, cols /
/// 2] in lowbit.matmul_int4's layout, times its scale, scales[row, col /
/// group]: byte 16 (col / 32) + col % 16, the high nibble when col % 32 >=
/// 16, sign-extended by moving it to the byte's high half and shifting it
/// down arithmetically.
Value dequantizeInt4(OpBuilder &b, Location loc, Value packed, Value scales,
                     Value row, Value col, int64_t group) {
  auto index = [&](int64_t v) {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  Value byteIndex = arith::AddIOp::create(
      b, loc,
      arith::MulIOp::create(
          b, loc, arith::DivUIOp::create(b, loc, col, index(32)), index(16)),
      arith::RemUIOp::create(b, loc, col, index(16)));
  Value byte =
      tensor::ExtractOp::create(b, loc, packed, ValueRange{row, byteIndex});
  Value high = arith::CmpIOp::create(
      b, loc, arith::CmpIPredicate::uge,
      arith::RemUIOp::create(b, loc, col, index(32)), index(16));
  Value four = arith::ConstantOp::create(b, loc, b.getI8IntegerAttr(4));
  Value raised = arith::SelectOp::create(
      b, loc, high, byte, arith::ShLIOp::create(b, loc, byte, four));
  Value q = arith::ShRSIOp::create(b, loc, raised, four);
  Value scale = tensor::ExtractOp::create(
      b, loc, scales,
      ValueRange{row, arith::DivUIOp::create(b, loc, col, index(group))});
  return arith::MulFOp::create(
      b, loc, arith::SIToFPOp::create(b, loc, b.getF32Type(), q), scale);
}

/// lowbit.matmul_int4 as one linalg.generic over (the result's dims, k)
/// that reads each weight's nibble and its group's scale by index: correct
/// anywhere, the weights unpacked once per row of the input. Marked with
/// its group size (kInt4GroupSizeAttr) for the GPU's int4 kernel.
void lowerMatMulInt4(lowbit::MatMulInt4Op op) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  auto resultType = cast<RankedTensorType>(op.getResult().getType());
  int64_t rank = resultType.getRank(), group = op.getGroupSize();
  MatmulLoops loops = matmulLoops(
      b, loc, op.getInput(), tensor::getMixedSize(b, loc, op.getWeights(), 0),
      b.getF32Type());
  Value weights = op.getWeights(), scales = op.getScales();
  auto generic = linalg::GenericOp::create(
      b, loc, resultType, ValueRange{op.getInput()}, loops.init,
      ArrayRef<AffineMap>{loops.inputMap, loops.outMap}, loops.iterators,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        Value n = linalg::IndexOp::create(nb, nloc, rank - 1);
        Value k = linalg::IndexOp::create(nb, nloc, rank);
        Value w = dequantizeInt4(nb, nloc, weights, scales, n, k, group);
        Value product = arith::MulFOp::create(nb, nloc, args[0], w);
        linalg::YieldOp::create(
            nb, nloc,
            arith::AddFOp::create(nb, nloc, args[1], product).getResult());
      });
  generic->setAttr(lowbit::kInt4GroupSizeAttr, b.getI64IntegerAttr(group));
  op.replaceAllUsesWith(generic.getResult(0));
  op.erase();
}

/// lowbit.matmul_ternary as one linalg.generic over (the result's dims, k)
/// that decodes each weight's trit by index (the layouts of
/// dialects/lowbit/Ternary.h): correct anywhere, K known or not.
void lowerMatMulTernary(lowbit::MatMulTernaryOp op) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  auto resultType = cast<RankedTensorType>(op.getResult().getType());
  int64_t rank = resultType.getRank();
  MatmulLoops loops = matmulLoops(
      b, loc, op.getInput(), tensor::getMixedSize(b, loc, op.getWeights(), 0),
      b.getI32Type());
  Value weights = op.getWeights();
  auto index = [&](OpBuilder &ib, Location iloc, int64_t v) -> Value {
    return arith::ConstantIndexOp::create(ib, iloc, v);
  };
  // Where the base-3 blocks end (0 for the 2-bit packing).
  Value base3Blocks = index(b, loc, 0);
  if (op.getTritsPerByte() == 5)
    base3Blocks = arith::DivUIOp::create(
        b, loc, tensor::DimOp::create(b, loc, op.getInput(), rank - 1),
        index(b, loc, lowbit::kBase3Block));
  Value base3End = arith::MulIOp::create(b, loc, base3Blocks,
                                         index(b, loc, lowbit::kBase3Block));
  Value tailStart = arith::MulIOp::create(
      b, loc, base3Blocks, index(b, loc, lowbit::kBase3BlockBytes));
  Value powers = arith::ConstantOp::create(
      b, loc,
      DenseElementsAttr::get(RankedTensorType::get({5}, b.getI32Type()),
                             ArrayRef<int32_t>{1, 3, 9, 27, 81}));
  auto generic = linalg::GenericOp::create(
      b, loc, resultType, ValueRange{op.getInput()}, loops.init,
      ArrayRef<AffineMap>{loops.inputMap, loops.outMap}, loops.iterators,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        auto idx = [&](int64_t v) { return index(nb, nloc, v); };
        auto i32 = [&](int64_t v) -> Value {
          return arith::ConstantOp::create(nb, nloc, nb.getI32IntegerAttr(v));
        };
        auto add = [&](Value x, Value y) -> Value {
          return arith::AddIOp::create(nb, nloc, x, y);
        };
        auto mul = [&](Value x, Value y) -> Value {
          return arith::MulIOp::create(nb, nloc, x, y);
        };
        auto div = [&](Value x, int64_t y) -> Value {
          return arith::DivUIOp::create(nb, nloc, x, idx(y));
        };
        auto rem = [&](Value x, int64_t y) -> Value {
          return arith::RemUIOp::create(nb, nloc, x, idx(y));
        };
        Value n = linalg::IndexOp::create(nb, nloc, rank - 1);
        Value k = linalg::IndexOp::create(nb, nloc, rank);
        Value inBase3 = arith::CmpIOp::create(
            nb, nloc, arith::CmpIPredicate::ult, k, base3End);
        // Base 3: byte 64 (k / 320) + k % 64, digit (k % 320) / 64 (a
        // block's 64 bytes hold its digits' 64 inputs each).
        Value base3Byte =
            add(mul(div(k, lowbit::kBase3Block), idx(lowbit::kBase3BlockBytes)),
                rem(k, lowbit::kBase3BlockBytes));
        // 2 bits: byte 16 (k' / 64) + k' % 16 after the base-3 bytes, bits
        // 2 ((k' % 64) / 16), with k' = k - base3End.
        Value local = arith::SelectOp::create(
            nb, nloc, inBase3, idx(0),
            arith::SubIOp::create(nb, nloc, k, base3End));
        Value tailByte =
            add(tailStart, add(mul(div(local, lowbit::kTernaryBlock),
                                   idx(lowbit::kTernaryBlockBytes)),
                               rem(local, lowbit::kTernaryBlockBytes)));
        Value byte = tensor::ExtractOp::create(
            nb, nloc, weights,
            ValueRange{n, arith::SelectOp::create(nb, nloc, inBase3, base3Byte,
                                                  tailByte)});
        Value q = arith::ExtUIOp::create(nb, nloc, nb.getI32Type(), byte);
        Value power = tensor::ExtractOp::create(
            nb, nloc, powers,
            ValueRange{rem(div(k, lowbit::kBase3BlockBytes), 5)});
        Value p = arith::AndIOp::create(nb, nloc, mul(q, power), i32(255));
        Value base3Code =
            arith::ShRUIOp::create(nb, nloc, mul(p, i32(3)), i32(8));
        Value shift = arith::IndexCastOp::create(
            nb, nloc, nb.getI32Type(),
            mul(div(rem(local, lowbit::kTernaryBlock),
                    lowbit::kTernaryBlockBytes),
                idx(2)));
        Value tailCode = arith::AndIOp::create(
            nb, nloc, arith::ShRUIOp::create(nb, nloc, q, shift), i32(3));
        Value trit = arith::SubIOp::create(
            nb, nloc,
            arith::SelectOp::create(nb, nloc, inBase3, base3Code, tailCode),
            i32(1));
        Value a = arith::ExtSIOp::create(nb, nloc, nb.getI32Type(), args[0]);
        linalg::YieldOp::create(nb, nloc, add(args[1], mul(a, trit)));
      });
  op.replaceAllUsesWith(generic.getResult(0));
  op.erase();
}

/// lowbit.quantize_fp8 as an elementwise linalg.generic: encodeFp8's
/// integer steps (dialects/lowbit/Fp8.cpp) on the f32 bits of input /
/// scale.
void lowerQuantizeFp8(lowbit::QuantizeFp8Op op) {
  OpBuilder b(op);
  lowbit::Fp8Format format = *lowbit::fp8Format(op.getFormat());
  Location loc = op.getLoc();
  auto resultType = cast<RankedTensorType>(op.getResult().getType());
  int64_t rank = resultType.getRank();
  MLIRContext *ctx = b.getContext();
  SmallVector<OpFoldResult> sizes;
  for (int64_t d = 0; d < rank; ++d)
    sizes.push_back(tensor::getMixedSize(b, loc, op.getInput(), d));
  Value init = tensor::EmptyOp::create(b, loc, sizes, b.getI8Type());
  AffineMap identity = b.getMultiDimIdentityMap(rank);
  auto generic = linalg::GenericOp::create(
      b, loc, resultType, ValueRange{op.getInput(), op.getScale()}, init,
      ArrayRef<AffineMap>{identity, AffineMap::get(rank, 0, {}, ctx), identity},
      SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        Value v = arith::DivFOp::create(nb, nloc, args[0], args[1]);
        linalg::YieldOp::create(
            nb, nloc,
            arith::TruncIOp::create(nb, nloc, nb.getI8Type(),
                                    lowbit::buildEncodeFp8(nb, nloc, v, format))
                .getResult());
      });
  op.replaceAllUsesWith(generic.getResult(0));
  op.erase();
}

/// The generic of a matmul of `input` [..., M, K] by weight rows [N, K]
/// into f32, summing `product(input element, weight element)`.
linalg::GenericOp weightRowsMatmul(
    OpBuilder &b, Location loc, Value input, Value weights,
    RankedTensorType resultType,
    function_ref<Value(OpBuilder &, Location, Value, Value)> product) {
  int64_t rank = resultType.getRank();
  MatmulLoops loops = matmulLoops(
      b, loc, input, tensor::getMixedSize(b, loc, weights, 0), b.getF32Type());
  AffineMap weightsMap = AffineMap::get(
      rank + 1, 0, {b.getAffineDimExpr(rank - 1), b.getAffineDimExpr(rank)},
      b.getContext());
  return linalg::GenericOp::create(
      b, loc, resultType, ValueRange{input, weights}, loops.init,
      ArrayRef<AffineMap>{loops.inputMap, weightsMap, loops.outMap},
      loops.iterators, [&](OpBuilder &nb, Location nloc, ValueRange args) {
        Value p = product(nb, nloc, args[0], args[1]);
        linalg::YieldOp::create(
            nb, nloc, arith::AddFOp::create(nb, nloc, args[2], p).getResult());
      });
}

/// lowbit.matmul_fp8 as one linalg.generic over (the result's dims, k),
/// both operands decoded per product; E4M3 ones marked as a contraction
/// of E4M3 bytes (kE4M3OperandsAttr: the GPU kernels run it on fp8 tensor
/// cores).
void lowerMatMulFp8(lowbit::MatMulFp8Op op) {
  OpBuilder b(op);
  lowbit::Fp8Format format = *lowbit::fp8Format(op.getFormat());
  auto generic = weightRowsMatmul(
      b, op.getLoc(), op.getInput(), op.getWeights(),
      cast<RankedTensorType>(op.getResult().getType()),
      [&](OpBuilder &nb, Location nloc, Value x, Value w) -> Value {
        return arith::MulFOp::create(
            nb, nloc, lowbit::buildDecodeFp8(nb, nloc, x, format),
            lowbit::buildDecodeFp8(nb, nloc, w, format));
      });
  // The GPU's fp8 tensor-core kernels take E4M3.
  if (format.name == lowbit::kE4M3.name)
    generic->setAttr(lowbit::kE4M3OperandsAttr, b.getUnitAttr());
  op.replaceAllUsesWith(generic.getResult(0));
  op.erase();
}

/// The reference: sum_k f32(bf16(input)) * f32(weights) in f32.
void lowerMatMulBf16(lowbit::MatMulBf16Op op) {
  OpBuilder b(op);
  auto generic = weightRowsMatmul(
      b, op.getLoc(), op.getInput(), op.getWeights(),
      cast<RankedTensorType>(op.getResult().getType()),
      [](OpBuilder &nb, Location nloc, Value x, Value w) -> Value {
        Type f32 = nb.getF32Type();
        Value rounded = arith::TruncFOp::create(nb, nloc, nb.getBF16Type(), x);
        return arith::MulFOp::create(
            nb, nloc, arith::ExtFOp::create(nb, nloc, f32, rounded),
            arith::ExtFOp::create(nb, nloc, f32, w));
      });
  op.replaceAllUsesWith(generic.getResult(0));
  op.erase();
}

/// One generic over the result [i..., D]: each element's row from the
/// indices (negative from the back; out-of-range ones stop the run, as
/// nn.gather's), its byte (8 bits) or nibble (4 bits: dequantizeInt4)
/// times its group's scale.
void lowerEmbedding(lowbit::EmbeddingOp op) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  auto resultType = cast<RankedTensorType>(op.getResult().getType());
  int64_t rank = resultType.getRank(), bits = op.getBits(),
          group = op.getGroupSize();
  Value indices = op.getIndices(), table = op.getTable(),
        scales = op.getScales();
  Value rows = tensor::DimOp::create(b, loc, table, 0);
  lowering::checkIndices(
      b, loc, op, indices,
      [&](OpBuilder &, Location, ValueRange) { return rows; },
      "the table's rows");
  SmallVector<OpFoldResult> sizes;
  for (int64_t d = 0; d < rank - 1; ++d)
    sizes.push_back(tensor::getMixedSize(b, loc, indices, d));
  sizes.push_back(b.getIndexAttr(resultType.getDimSize(rank - 1)));
  Value init = tensor::EmptyOp::create(b, loc, sizes, b.getF32Type());
  SmallVector<AffineExpr> indexExprs;
  for (int64_t d = 0; d < rank - 1; ++d)
    indexExprs.push_back(b.getAffineDimExpr(d));
  SmallVector<AffineMap> maps = {
      AffineMap::get(rank, 0, indexExprs, b.getContext()),
      b.getMultiDimIdentityMap(rank)};
  auto generic = linalg::GenericOp::create(
      b, loc, resultType, ValueRange{indices}, init, maps,
      SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        Value row = lowering::normalizeIndex(nb, nloc, args[0], rows);
        Value d = linalg::IndexOp::create(nb, nloc, rank - 1);
        Value value;
        if (bits == 4) {
          value = dequantizeInt4(nb, nloc, table, scales, row, d, group);
        } else {
          Value q =
              tensor::ExtractOp::create(nb, nloc, table, ValueRange{row, d});
          Value scale = tensor::ExtractOp::create(
              nb, nloc, scales,
              ValueRange{row,
                         arith::DivUIOp::create(
                             nb, nloc, d,
                             arith::ConstantIndexOp::create(nb, nloc, group))});
          value = arith::MulFOp::create(
              nb, nloc, arith::SIToFPOp::create(nb, nloc, nb.getF32Type(), q),
              scale);
        }
        linalg::YieldOp::create(nb, nloc, value);
      });
  op.replaceAllUsesWith(generic.getResult(0));
  op.erase();
}

/// Applies `lower` to every OpT under `root` (collected first: lowering
/// replaces them).
template <typename OpT> void lowerEach(Operation *root, void (*lower)(OpT)) {
  SmallVector<OpT> ops;
  root->walk([&](OpT op) { ops.push_back(op); });
  for (OpT op : ops)
    lower(op);
}

struct DDLLowbitToLinalgPass final
    : quant::impl::DDLLowbitToLinalgPassBase<DDLLowbitToLinalgPass> {
  void runOnOperation() override {
    Operation *root = getOperation();
    lowerEach<lowbit::MatMulOp>(root, lowerMatMul);
    lowerEach<lowbit::MatMulInt4Op>(root, lowerMatMulInt4);
    lowerEach<lowbit::MatMulTernaryOp>(root, lowerMatMulTernary);
    lowerEach<lowbit::QuantizeFp8Op>(root, lowerQuantizeFp8);
    lowerEach<lowbit::MatMulFp8Op>(root, lowerMatMulFp8);
    lowerEach<lowbit::MatMulBf16Op>(root, lowerMatMulBf16);
    lowerEach<lowbit::EmbeddingOp>(root, lowerEmbedding);
  }
};

} // namespace
