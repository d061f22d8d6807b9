//===- MatmulBf16ToVector.cpp - bf16 matmul CPU kernels -------------------===//
//
// See DDLLowbitBf16ToVectorPass in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "lib/Support/ConstantData.h"
#include "passes/quant/Passes.h"
#include "passes/quant/RowKernel.h"

#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace ddl;

namespace ddl::quant {
#define GEN_PASS_DEF_DDLLOWBITBF16TOVECTORPASS
#include "passes/quant/Passes.h.inc"
} // namespace ddl::quant

namespace {

/// f32 lanes of a dot's accumulator (16 outputs: a column vector); bf16
/// values per dot operand (64 bytes); f32 values rounded per step of the
/// input's conversion.
constexpr int64_t kLanes = 16, kPairs = 32, kConvert = 16;
/// Column vectors per register tile (64 outputs: a column block); rows per
/// register tile; rows per task.
constexpr int64_t kColumnVectors = 4, kBlockN = kLanes * kColumnVectors,
                  kRows = 4, kRowsPerTask = 64;

class KernelBuilder {
public:
  KernelBuilder(OpBuilder &b, lowbit::MatMulBf16Op op)
      : b(b), loc(op.getLoc()), op(op),
        accType(VectorType::get({kLanes}, b.getF32Type())),
        pairsType(VectorType::get({kPairs}, b.getBF16Type())) {}

  /// False, leaving the op alone, when its weights are not a constant.
  bool build();

private:
  Value index(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  /// The weights [N, K] laid out for the tiles: [N / 64 column blocks][K
  /// / 2 pairs][64 outputs][2] (zeros past N and K; as i16 bits: LLVM's
  /// constants of bf16 arrays are not relied on), or false.
  bool packWeights();
  /// Each input row rounded to bf16 once, [M, K rounded up to 16], zeros
  /// past K.
  void roundInput(Value rows);
  /// Rows [m0, m0 + rows) against the column block of outputs n0 .. n0 +
  /// 63: per pair of inputs, 4 column vectors of weight pairs and each
  /// row's pair broadcast, 4 x rows dots.
  void tile(Value m0, int64_t rows, Value n0);

  OpBuilder &b;
  Location loc;
  lowbit::MatMulBf16Op op;
  VectorType accType, pairsType;
  quant::RowKernelBuffers buffers;
  Value weights, rounded;
  int64_t n = 0, k = 0, pairs = 0, roundedK = 0;
};

bool KernelBuilder::packWeights() {
  ElementsAttr attr;
  if (!matchPattern(op.getWeights(), m_Constant(&attr)))
    return false;
  std::vector<uint16_t> bits;
  if (failed(readHalfElements(attr, n * k, bits)))
    return false;
  int64_t blocks = llvm::divideCeil(n, kBlockN);
  std::vector<uint16_t> packed(blocks * pairs * kBlockN * 2, 0);
  for (int64_t row = 0; row < n; ++row)
    for (int64_t kk = 0; kk < k; ++kk)
      packed[((row / kBlockN * pairs + kk / 2) * kBlockN + row % kBlockN) * 2 +
             kk % 2] = bits[row * k + kk];
  auto type =
      RankedTensorType::get({blocks, pairs, 2 * kBlockN}, b.getI16Type());
  Value constant = arith::ConstantOp::create(
      b, loc,
      cast<TypedAttr>(halfResource(type, "ddl_bf16_weights_packed", packed)));
  weights = bufferization::ToBufferOp::create(
      b, loc, MemRefType::get(type.getShape(), b.getI16Type()), constant,
      /*read_only=*/true);
  return true;
}

void KernelBuilder::roundInput(Value rows) {
  rounded = memref::AllocOp::create(
      b, loc,
      MemRefType::get({ShapedType::kDynamic, roundedK}, b.getBF16Type()),
      ValueRange{rows});
  auto f32s = VectorType::get({kConvert}, b.getF32Type());
  Value zeros = arith::ConstantOp::create(b, loc, b.getZeroAttr(f32s));
  scf::ForOp::create(
      b, loc, index(0), rows, index(1), ValueRange{},
      [&](OpBuilder &, Location, Value m, ValueRange) {
        scf::ForOp::create(
            b, loc, index(0), index(roundedK), index(kConvert), ValueRange{},
            [&](OpBuilder &, Location, Value kk, ValueRange) {
              // Lanes past K read nothing and round 0.
              Value mask = vector::CreateMaskOp::create(
                  b, loc, VectorType::get({kConvert}, b.getI1Type()),
                  ValueRange{arith::SubIOp::create(b, loc, index(k), kk)});
              Value x = vector::MaskedLoadOp::create(
                  b, loc, f32s, buffers.input, ValueRange{m, kk}, mask, zeros);
              vector::StoreOp::create(
                  b, loc,
                  arith::TruncFOp::create(
                      b, loc, VectorType::get({kConvert}, b.getBF16Type()), x),
                  rounded, ValueRange{m, kk});
              scf::YieldOp::create(b, loc);
            });
        scf::YieldOp::create(b, loc);
      });
}

void KernelBuilder::tile(Value m0, int64_t rows, Value n0) {
  SmallVector<Value> rowIndex;
  for (int64_t r = 0; r < rows; ++r)
    rowIndex.push_back(add(m0, index(r)));
  Value block = arith::DivUIOp::create(b, loc, n0, index(kBlockN));
  Value zeros = arith::ConstantOp::create(b, loc, b.getZeroAttr(accType));
  SmallVector<Value> init(rows * kColumnVectors, zeros);
  auto words = VectorType::get({kLanes}, b.getI32Type());
  auto loop = scf::ForOp::create(
      b, loc, index(0), index(pairs), index(1), init,
      [&](OpBuilder &, Location, Value pair, ValueRange acc) {
        SmallVector<Value> w, next(acc.begin(), acc.end());
        for (int64_t t = 0; t < kColumnVectors; ++t)
          w.push_back(vector::BitCastOp::create(
              b, loc, pairsType,
              vector::LoadOp::create(
                  b, loc, VectorType::get({kPairs}, b.getI16Type()), weights,
                  ValueRange{block, pair, index(t * kPairs)})));
        Value k0 = arith::MulIOp::create(b, loc, pair, index(2));
        for (int64_t r = 0; r < rows; ++r) {
          // The row's two bf16 as one 32-bit word, in every lane.
          Value two = vector::LoadOp::create(
              b, loc, VectorType::get({2}, b.getBF16Type()), rounded,
              ValueRange{rowIndex[r], k0});
          Value word = vector::ExtractOp::create(
              b, loc,
              vector::BitCastOp::create(
                  b, loc, VectorType::get({1}, b.getI32Type()), two),
              ArrayRef<int64_t>{0});
          Value a = vector::BitCastOp::create(
              b, loc, pairsType,
              vector::BroadcastOp::create(b, loc, words, word));
          for (int64_t t = 0; t < kColumnVectors; ++t)
            next[r * kColumnVectors + t] = lowbit::DotBf16Op::create(
                b, loc, accType, acc[r * kColumnVectors + t], a, w[t]);
        }
        scf::YieldOp::create(b, loc, next);
      });
  // Stores of the outputs that exist (masked past N).
  for (int64_t t = 0; t < kColumnVectors; ++t) {
    Value column = add(n0, index(t * kLanes));
    Value left = arith::SubIOp::create(
        b, loc, arith::MaxSIOp::create(b, loc, index(n), column), column);
    Value mask = vector::CreateMaskOp::create(
        b, loc, VectorType::get({kLanes}, b.getI1Type()), ValueRange{left});
    for (int64_t r = 0; r < rows; ++r)
      vector::MaskedStoreOp::create(b, loc, buffers.out,
                                    ValueRange{rowIndex[r], column}, mask,
                                    loop.getResult(r * kColumnVectors + t));
  }
}

bool KernelBuilder::build() {
  b.setInsertionPoint(op);
  auto inputType = cast<RankedTensorType>(op.getInput().getType());
  auto resultType = cast<RankedTensorType>(op.getResult().getType());
  n = cast<RankedTensorType>(op.getWeights().getType()).getDimSize(0);
  k = inputType.getDimSize(inputType.getRank() - 1);
  pairs = llvm::divideCeil(k, 2);
  roundedK = llvm::divideCeil(k, kConvert) * kConvert;
  if (!packWeights())
    return false;
  buffers = quant::rowKernelBuffers(b, loc, op.getInput(), /*weights=*/Value(),
                                    resultType);
  Value rows = memref::DimOp::create(b, loc, buffers.input, 0);
  roundInput(rows);
  quant::buildRowTileLoops(b, loc, rows, n, kBlockN, kRows, kRowsPerTask,
                           [&](Value m0, int64_t tileRows, Value n0,
                               ArrayRef<Value>) { tile(m0, tileRows, n0); });
  op.replaceAllUsesWith(quant::rowKernelResult(b, loc, buffers, resultType));
  op.erase();
  return true;
}

struct DDLLowbitBf16ToVectorPass final
    : quant::impl::DDLLowbitBf16ToVectorPassBase<DDLLowbitBf16ToVectorPass> {
  void runOnOperation() override {
    SmallVector<lowbit::MatMulBf16Op> ops;
    getOperation().walk([&](lowbit::MatMulBf16Op op) { ops.push_back(op); });
    for (lowbit::MatMulBf16Op op : ops) {
      // A K and an N known now; others go to the reference lowering.
      auto input = cast<RankedTensorType>(op.getInput().getType());
      auto weights = cast<RankedTensorType>(op.getWeights().getType());
      if (input.isDynamicDim(input.getRank() - 1) ||
          !weights.hasStaticShape() || weights.getDimSize(0) < 1 ||
          weights.getDimSize(1) < 1)
        continue;
      OpBuilder b(op);
      KernelBuilder(b, op).build();
    }
  }
};

} // namespace
