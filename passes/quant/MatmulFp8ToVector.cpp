//===- MatmulFp8ToVector.cpp - fp8 (E4M3) matmul CPU kernels --------------===//
//
// See DDLLowbitFp8ToVectorPass in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "dialects/lowbit/Fp8.h"
#include "lib/Target/CPU/TargetInfo.h"
#include "passes/quant/Passes.h"
#include "passes/quant/RowKernel.h"

using namespace mlir;
using namespace ddl;

namespace ddl::quant {
#define GEN_PASS_DEF_DDLLOWBITFP8TOVECTORPASS
#include "passes/quant/Passes.h.inc"
} // namespace ddl::quant

namespace {

/// f32 lanes per vector (16 inputs per step).
constexpr int64_t kLanes = 16;
/// Outputs per task; rows per register tile; rows per task.
constexpr int64_t kOutputs = 4, kRows = 4, kRowsPerTask = 64;
/// Each decoded E4M3 value is 2^-8 of its value (see decode): a product's
/// sum is 2^-16 of the true one. E5M2 decodes exactly.
constexpr float kE4M3DecodedScale = 65536.0f;

class KernelBuilder {
public:
  KernelBuilder(OpBuilder &b, lowbit::MatMulFp8Op op)
      : b(b), loc(op.getLoc()), op(op),
        e5m2(op.getFormat() == lowbit::kE5M2.name),
        f32s(VectorType::get({kLanes}, b.getF32Type())),
        halves(VectorType::get({kLanes}, b.getI16Type())) {}

  void build();

private:
  Value index(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value splat16(int64_t v) {
    return arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(halves, b.getI16IntegerAttr(v)));
  }
  /// 16 fp8 bytes of `buffer` at (row, k) as f32, by the f16 conversion
  /// instruction (vcvtph2ps, fcvtl). An E5M2 byte is the high byte of the
  /// f16 of its value. An E4M3 byte's exponent and mantissa are moved into
  /// an f16's fields (E4M3's exponent bias is 7, f16's 15: the f16 reads
  /// 2^-8 of the value, its subnormals included).
  Value decode(Value buffer, Value row, Value k) {
    Value bytes =
        vector::LoadOp::create(b, loc, VectorType::get({kLanes}, b.getI8Type()),
                               buffer, ValueRange{row, k});
    Value u = arith::ExtUIOp::create(b, loc, halves, bytes);
    if (e5m2) {
      Value half = vector::BitCastOp::create(
          b, loc, VectorType::get({kLanes}, b.getF16Type()),
          arith::ShLIOp::create(b, loc, u, splat16(8)));
      return arith::ExtFOp::create(b, loc, f32s, half);
    }
    Value magnitude = arith::ShLIOp::create(
        b, loc, arith::AndIOp::create(b, loc, u, splat16(0x7F)), splat16(7));
    Value sign = arith::ShLIOp::create(
        b, loc, arith::AndIOp::create(b, loc, u, splat16(0x80)), splat16(8));
    Value half = vector::BitCastOp::create(
        b, loc, VectorType::get({kLanes}, b.getF16Type()),
        arith::OrIOp::create(b, loc, magnitude, sign));
    return arith::ExtFOp::create(b, loc, f32s, half);
  }
  void tile(Value m0, int64_t rows, Value n0, ArrayRef<Value> outputs);

  OpBuilder &b;
  Location loc;
  lowbit::MatMulFp8Op op;
  bool e5m2;
  VectorType f32s, halves;
  quant::RowKernelBuffers buffers;
  int64_t n = 0, k = 0;
};

void KernelBuilder::tile(Value m0, int64_t rows, Value n0,
                         ArrayRef<Value> outputs) {
  SmallVector<Value> rowIndex;
  for (int64_t r = 0; r < rows; ++r)
    rowIndex.push_back(add(m0, index(r)));
  Value zeros = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(f32s, b.getF32FloatAttr(0)));
  SmallVector<Value> init(rows * kOutputs, zeros);
  auto loop = scf::ForOp::create(
      b, loc, index(0), index(k), index(kLanes), init,
      [&](OpBuilder &, Location, Value kk, ValueRange acc) {
        SmallVector<Value> w, a, next(acc.begin(), acc.end());
        for (int64_t j = 0; j < kOutputs; ++j)
          w.push_back(decode(buffers.weights, outputs[j], kk));
        for (int64_t r = 0; r < rows; ++r) {
          Value x = decode(buffers.input, rowIndex[r], kk);
          for (int64_t j = 0; j < kOutputs; ++j)
            next[r * kOutputs + j] =
                vector::FMAOp::create(b, loc, x, w[j], acc[r * kOutputs + j]);
        }
        scf::YieldOp::create(b, loc, next);
      });
  Value scale = arith::ConstantOp::create(
      b, loc, b.getF32FloatAttr(e5m2 ? 1.0f : kE4M3DecodedScale));
  quant::storeTileSums(
      b, loc, buffers.out, n, n0, kOutputs, rowIndex,
      SmallVector<Value>(loop.getResults()), [&](Value sum, int64_t) -> Value {
        return e5m2 ? sum
                    : arith::MulFOp::create(b, loc, sum, scale).getResult();
      });
}

void KernelBuilder::build() {
  b.setInsertionPoint(op);
  auto inputType = cast<RankedTensorType>(op.getInput().getType());
  auto resultType = cast<RankedTensorType>(op.getResult().getType());
  n = cast<RankedTensorType>(op.getWeights().getType()).getDimSize(0);
  k = inputType.getDimSize(inputType.getRank() - 1);
  buffers = quant::rowKernelBuffers(b, loc, op.getInput(), op.getWeights(),
                                    resultType);
  Value rows = memref::DimOp::create(b, loc, buffers.input, 0);
  quant::buildRowTileLoops(
      b, loc, rows, n, kOutputs, kRows, kRowsPerTask,
      [&](Value m0, int64_t tileRows, Value n0, ArrayRef<Value> outputs) {
        tile(m0, tileRows, n0, outputs);
      });
  op.replaceAllUsesWith(quant::rowKernelResult(b, loc, buffers, resultType));
  op.erase();
}

struct DDLLowbitFp8ToVectorPass final
    : quant::impl::DDLLowbitFp8ToVectorPassBase<DDLLowbitFp8ToVectorPass> {
  using Base::Base;
  void runOnOperation() override {
    std::optional<target::CPUTargetInfo> info =
        target::lookupCPUTarget(target, getOperation());
    if (!info)
      return signalPassFailure();
    // The decode needs f16 conversion instructions (F16C / AVX-512, NEON);
    // the baseline x86-64 target has none.
    if (info->isa == "sse")
      return;
    SmallVector<lowbit::MatMulFp8Op> ops;
    getOperation().walk([&](lowbit::MatMulFp8Op op) { ops.push_back(op); });
    for (lowbit::MatMulFp8Op op : ops) {
      // Whole 16-wide steps of a K known now and N known now; others go to
      // the reference lowering.
      auto input = cast<RankedTensorType>(op.getInput().getType());
      auto weights = cast<RankedTensorType>(op.getWeights().getType());
      int64_t k = input.getDimSize(input.getRank() - 1);
      if (ShapedType::isDynamic(k) || k % kLanes || weights.isDynamicDim(0) ||
          weights.getDimSize(0) < 1)
        continue;
      OpBuilder b(op);
      KernelBuilder(b, op).build();
    }
  }
};

} // namespace
