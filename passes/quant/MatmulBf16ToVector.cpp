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

/// f32 lanes of a dot's accumulator; bf16 values per dot operand (64
/// bytes); f32 values rounded per step of the input's conversion.
constexpr int64_t kLanes = 16, kPairs = 32, kConvert = 16;
/// Outputs per task; rows per register tile; rows per task.
constexpr int64_t kOutputs = 4, kRows = 4, kRowsPerTask = 64;

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
  /// The weights [N, K] padded with zeros to [N, paddedK] (as i16 bits:
  /// LLVM's constants of bf16 arrays are not relied on), or false.
  bool padWeights();
  /// Each input row rounded to bf16 once, [M, paddedK], zeros past K.
  void roundInput(Value rows);
  void tile(Value m0, int64_t rows, ArrayRef<Value> outputs, Value n0);

  OpBuilder &b;
  Location loc;
  lowbit::MatMulBf16Op op;
  VectorType accType, pairsType;
  quant::RowKernelBuffers buffers;
  Value weights, rounded;
  int64_t n = 0, k = 0, paddedK = 0;
};

bool KernelBuilder::padWeights() {
  ElementsAttr attr;
  if (!matchPattern(op.getWeights(), m_Constant(&attr)))
    return false;
  std::vector<uint16_t> bits;
  if (failed(readHalfElements(attr, n * k, bits)))
    return false;
  std::vector<uint16_t> padded(n * paddedK, 0);
  for (int64_t row = 0; row < n; ++row)
    std::copy_n(bits.begin() + row * k, k, padded.begin() + row * paddedK);
  auto type = RankedTensorType::get({n, paddedK}, b.getI16Type());
  Value constant = arith::ConstantOp::create(
      b, loc,
      cast<TypedAttr>(halfResource(type, "ddl_bf16_weights_padded", padded)));
  weights = bufferization::ToBufferOp::create(
      b, loc, MemRefType::get(type.getShape(), b.getI16Type()), constant,
      /*read_only=*/true);
  return true;
}

void KernelBuilder::roundInput(Value rows) {
  rounded = memref::AllocOp::create(
      b, loc, MemRefType::get({ShapedType::kDynamic, paddedK}, b.getBF16Type()),
      ValueRange{rows});
  auto f32s = VectorType::get({kConvert}, b.getF32Type());
  Value zeros = arith::ConstantOp::create(b, loc, b.getZeroAttr(f32s));
  scf::ForOp::create(
      b, loc, index(0), rows, index(1), ValueRange{},
      [&](OpBuilder &, Location, Value m, ValueRange) {
        scf::ForOp::create(
            b, loc, index(0), index(paddedK), index(kConvert), ValueRange{},
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

void KernelBuilder::tile(Value m0, int64_t rows, ArrayRef<Value> outputs,
                         Value n0) {
  SmallVector<Value> rowIndex;
  for (int64_t r = 0; r < rows; ++r)
    rowIndex.push_back(add(m0, index(r)));
  Value zeros = arith::ConstantOp::create(b, loc, b.getZeroAttr(accType));
  SmallVector<Value> init(rows * kOutputs, zeros);
  auto loop = scf::ForOp::create(
      b, loc, index(0), index(paddedK), index(kPairs), init,
      [&](OpBuilder &, Location, Value kk, ValueRange acc) {
        SmallVector<Value> w, next(acc.begin(), acc.end());
        for (int64_t j = 0; j < kOutputs; ++j)
          w.push_back(vector::BitCastOp::create(
              b, loc, pairsType,
              vector::LoadOp::create(b, loc,
                                     VectorType::get({kPairs}, b.getI16Type()),
                                     weights, ValueRange{outputs[j], kk})));
        for (int64_t r = 0; r < rows; ++r) {
          Value x = vector::LoadOp::create(b, loc, pairsType, rounded,
                                           ValueRange{rowIndex[r], kk});
          for (int64_t j = 0; j < kOutputs; ++j)
            next[r * kOutputs + j] = lowbit::DotBf16Op::create(
                b, loc, accType, acc[r * kOutputs + j], x, w[j]);
        }
        scf::YieldOp::create(b, loc, next);
      });
  quant::storeTileSums(b, loc, buffers.out, n, n0, kOutputs, rowIndex,
                       SmallVector<Value>(loop.getResults()),
                       [](Value sum, int64_t) { return sum; });
}

bool KernelBuilder::build() {
  b.setInsertionPoint(op);
  auto inputType = cast<RankedTensorType>(op.getInput().getType());
  auto resultType = cast<RankedTensorType>(op.getResult().getType());
  n = cast<RankedTensorType>(op.getWeights().getType()).getDimSize(0);
  k = inputType.getDimSize(inputType.getRank() - 1);
  paddedK = llvm::divideCeil(k, kPairs) * kPairs;
  if (!padWeights())
    return false;
  buffers = quant::rowKernelBuffers(b, loc, op.getInput(), /*weights=*/Value(),
                                    resultType);
  Value rows = memref::DimOp::create(b, loc, buffers.input, 0);
  roundInput(rows);
  quant::buildRowTileLoops(
      b, loc, rows, n, kOutputs, kRows, kRowsPerTask,
      [&](Value m0, int64_t tileRows, Value n0, ArrayRef<Value> outputs) {
        tile(m0, tileRows, outputs, n0);
      });
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
