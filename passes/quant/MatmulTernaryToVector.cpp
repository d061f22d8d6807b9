//===- MatmulTernaryToVector.cpp - ternary matmul CPU kernels -------------===//
//
// See DDLLowbitTernaryToVectorPass in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "dialects/lowbit/Ternary.h"
#include "lib/Target/CPU/TargetInfo.h"
#include "passes/quant/Passes.h"
#include "passes/quant/RowKernel.h"
#include "passes/quant/TernaryLookupKernel.h"

using namespace mlir;
using namespace ddl;

namespace ddl::quant {
#define GEN_PASS_DEF_DDLLOWBITTERNARYTOVECTORPASS
#include "passes/quant/Passes.h.inc"
} // namespace ddl::quant

namespace {

/// i32 lanes of a dot's accumulator; bytes per dot operand.
constexpr int64_t kLanes = 16, kBytes = 64;
/// Outputs (weight rows) per task; input rows per register tile.
constexpr int64_t kOutputs = 4, kRows = 4;
/// Input rows per parallel task (its outputs' packed weights stay in L1
/// while every tile of rows reads them).
constexpr int64_t kRowsPerTask = 64;

class KernelBuilder {
public:
  KernelBuilder(OpBuilder &b, lowbit::MatMulTernaryOp op,
                target::Int8Dot flavor)
      : b(b), loc(op.getLoc()), op(op), flavor(flavor),
        accType(VectorType::get({kLanes}, b.getI32Type())),
        bytesType(VectorType::get({kBytes}, b.getI8Type())) {}

  void build();

private:
  Value index(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return arith::MulIOp::create(b, loc, x, y); }
  Value splat(VectorType type, int64_t v) {
    return quant::splatInt(b, loc, type, v);
  }
  /// acc + the dot products of 4 byte pairs per lane: codes (0, 1, 2) by
  /// signed activations. vpdpbusd reads its first operand unsigned, sdot
  /// both signed: the codes read the same either way.
  Value dot(Value acc, Value codes, Value activations) {
    if (flavor == target::Int8Dot::SDot)
      return lowbit::DotS8S8Op::create(b, loc, accType, acc, codes,
                                       activations);
    return lowbit::DotU8S8Op::create(b, loc, accType, acc, codes, activations);
  }
  /// The codes of the 2-bit block at `byte` of `output`'s row: its 16
  /// bytes repeated 4 times, each 16-byte lane shifted by 0, 2, 4 or 6 bits
  /// (one variable shift of 64-bit lanes) and masked to 2 bits.
  Value twoBitCodes(Value output, Value byte);
  /// The codes of the 5 digits of the base-3 block at `byte` of `output`'s
  /// row (digit i: inputs 64 i to 64 i + 63 of the block), on 16-bit lanes.
  SmallVector<Value> base3Codes(Value output, Value byte);
  /// Rows [m0, m0 + rows) against outputs n0 .. n0 + 3 (`outputs`: their
  /// indices clamped to N - 1): all of K, then the sums (less the rows'
  /// activation sums: the codes are t + 1) stored where the output exists.
  void tile(Value m0, int64_t rows, Value n0, ArrayRef<Value> outputs);

  OpBuilder &b;
  Location loc;
  lowbit::MatMulTernaryOp op;
  target::Int8Dot flavor;
  VectorType accType, bytesType;
  Value input, weights, out, rowSums;
  int64_t n = 0, k = 0, tritsPerByte = 4;
};

Value KernelBuilder::twoBitCodes(Value output, Value byte) {
  auto sixteen = VectorType::get({16}, b.getI8Type());
  auto words = VectorType::get({8}, b.getI64Type());
  Value bytes = vector::LoadOp::create(b, loc, sixteen, weights,
                                       ValueRange{output, byte});
  SmallVector<int64_t> repeat;
  for (int64_t lane = 0; lane < 4; ++lane)
    for (int64_t i = 0; i < 16; ++i)
      repeat.push_back(i);
  Value wide = vector::ShuffleOp::create(b, loc, bytes, bytes, repeat);
  Value shifts = arith::ConstantOp::create(
      b, loc,
      DenseElementsAttr::get(words, ArrayRef<int64_t>{0, 0, 2, 2, 4, 4, 6, 6}));
  Value shifted = arith::ShRUIOp::create(
      b, loc, vector::BitCastOp::create(b, loc, words, wide), shifts);
  Value codes = arith::AndIOp::create(b, loc, shifted,
                                      splat(words, 0x0303030303030303LL));
  return vector::BitCastOp::create(b, loc, bytesType, codes);
}

SmallVector<Value> KernelBuilder::base3Codes(Value output, Value byte) {
  auto halves = VectorType::get({32}, b.getI16Type());
  Value q = vector::BitCastOp::create(
      b, loc, halves,
      vector::LoadOp::create(b, loc, bytesType, weights,
                             ValueRange{output, byte}));
  Value eight = splat(halves, 8), three = splat(halves, 3);
  Value highByte = splat(halves, 0xFF00), lowByte = splat(halves, 0xFF);
  // Digit i of q is the high byte of 3 p_i with p_0 = q and p_(i+1) = 3 p_i
  // mod 256. Even bytes live in their lane's high half (E = p << 8): the
  // digit is the high half of E times 3, the next E that product's low
  // half. Odd bytes live in the low half (p itself): 3 p holds the digit
  // in its high byte (where the odd code goes) and the next p in its low
  // byte. (Multiplying the odd bytes in the high half too would need a
  // high half and a shift, which LLVM widens to 32-bit lanes.)
  Value even = arith::ShLIOp::create(b, loc, q, eight);
  Value odd = arith::ShRUIOp::create(b, loc, q, eight);
  SmallVector<Value> codes;
  for (int64_t digit = 0; digit < 5; ++digit) {
    Value evenDigit =
        arith::MulUIExtendedOp::create(b, loc, even, three).getHigh();
    Value tripledOdd = mul(odd, three);
    Value oddDigit = arith::AndIOp::create(b, loc, tripledOdd, highByte);
    codes.push_back(vector::BitCastOp::create(
        b, loc, bytesType, arith::OrIOp::create(b, loc, evenDigit, oddDigit)));
    if (digit < 4) {
      even = mul(even, three);
      odd = arith::AndIOp::create(b, loc, tripledOdd, lowByte);
    }
  }
  return codes;
}

void KernelBuilder::tile(Value m0, int64_t rows, Value n0,
                         ArrayRef<Value> outputs) {
  Value zero = index(0), one = index(1);
  int64_t blocks = lowbit::base3Blocks(k, tritsPerByte);
  int64_t base3End = blocks * lowbit::kBase3Block;
  int64_t tailBlocks = (k - base3End) / lowbit::kTernaryBlock;
  SmallVector<Value> rowIndex;
  for (int64_t r = 0; r < rows; ++r)
    rowIndex.push_back(add(m0, index(r)));
  auto activations = [&](Value kk) {
    SmallVector<Value> a;
    for (int64_t r = 0; r < rows; ++r)
      a.push_back(vector::LoadOp::create(b, loc, bytesType, input,
                                         ValueRange{rowIndex[r], kk}));
    return a;
  };
  SmallVector<Value> acc(rows * kOutputs, splat(accType, 0));
  if (blocks) {
    // Base-3 blocks: 64 bytes of each output give 5 digits x 64 inputs.
    auto loop = scf::ForOp::create(
        b, loc, zero, index(blocks), one, acc,
        [&](OpBuilder &, Location, Value block, ValueRange carried) {
          SmallVector<Value> next(carried.begin(), carried.end());
          Value byte = mul(block, index(lowbit::kBase3BlockBytes));
          Value k0 = mul(block, index(lowbit::kBase3Block));
          for (int64_t j = 0; j < kOutputs; ++j) {
            SmallVector<Value> codes = base3Codes(outputs[j], byte);
            for (int64_t digit = 0; digit < 5; ++digit) {
              SmallVector<Value> a = activations(add(k0, index(64 * digit)));
              for (int64_t r = 0; r < rows; ++r)
                next[r * kOutputs + j] =
                    dot(next[r * kOutputs + j], codes[digit], a[r]);
            }
          }
          scf::YieldOp::create(b, loc, next);
        });
    acc.assign(loop.getResults().begin(), loop.getResults().end());
  }
  if (tailBlocks) {
    auto loop = scf::ForOp::create(
        b, loc, zero, index(tailBlocks), one, acc,
        [&](OpBuilder &, Location, Value block, ValueRange carried) {
          SmallVector<Value> next(carried.begin(), carried.end());
          Value byte = add(index(blocks * lowbit::kBase3BlockBytes),
                           mul(block, index(lowbit::kTernaryBlockBytes)));
          SmallVector<Value> a = activations(
              add(index(base3End), mul(block, index(lowbit::kTernaryBlock))));
          for (int64_t j = 0; j < kOutputs; ++j) {
            Value codes = twoBitCodes(outputs[j], byte);
            for (int64_t r = 0; r < rows; ++r)
              next[r * kOutputs + j] = dot(next[r * kOutputs + j], codes, a[r]);
          }
          scf::YieldOp::create(b, loc, next);
        });
    acc.assign(loop.getResults().begin(), loop.getResults().end());
  }
  quant::storeTileSums(b, loc, out, n, n0, kOutputs, rowIndex, acc,
                       [&](Value sum, int64_t r) -> Value {
                         Value rowSum = memref::LoadOp::create(
                             b, loc, rowSums, ValueRange{rowIndex[r]});
                         return arith::SubIOp::create(b, loc, sum, rowSum);
                       });
}

void KernelBuilder::build() {
  b.setInsertionPoint(op);
  auto inputType = cast<RankedTensorType>(op.getInput().getType());
  auto resultType = cast<RankedTensorType>(op.getResult().getType());
  n = cast<RankedTensorType>(op.getWeights().getType()).getDimSize(0);
  k = inputType.getDimSize(inputType.getRank() - 1);
  tritsPerByte = op.getTritsPerByte();
  quant::RowKernelBuffers buffers = quant::rowKernelBuffers(
      b, loc, op.getInput(), op.getWeights(), resultType);
  input = buffers.input;
  weights = buffers.weights;
  out = buffers.out;

  Value zero = index(0), one = index(1);
  Value rows = memref::DimOp::create(b, loc, input, 0);
  // Each row's sum of activations, once: the kernels' dots multiply by the
  // codes t + 1, so every output subtracts it.
  rowSums = memref::AllocOp::create(
      b, loc, MemRefType::get({ShapedType::kDynamic}, b.getI32Type()),
      ValueRange{rows});
  Value ones =
      vector::BitCastOp::create(b, loc, bytesType, splat(accType, 0x01010101));
  scf::ForOp::create(
      b, loc, zero, rows, one, ValueRange{},
      [&](OpBuilder &, Location, Value m, ValueRange) {
        auto sums = scf::ForOp::create(
            b, loc, zero, index(k), index(kBytes),
            ValueRange{splat(accType, 0)},
            [&](OpBuilder &, Location, Value kk, ValueRange acc) {
              Value a = vector::LoadOp::create(b, loc, bytesType, input,
                                               ValueRange{m, kk});
              scf::YieldOp::create(b, loc, dot(acc[0], ones, a));
            });
        memref::StoreOp::create(
            b, loc,
            vector::ReductionOp::create(b, loc, vector::CombiningKind::ADD,
                                        sums.getResult(0)),
            rowSums, ValueRange{m});
        scf::YieldOp::create(b, loc);
      });
  quant::buildRowTileLoops(
      b, loc, rows, n, kOutputs, kRows, kRowsPerTask,
      [&](Value m0, int64_t tileRows, Value n0, ArrayRef<Value> outputs) {
        tile(m0, tileRows, n0, outputs);
      });
  op.replaceAllUsesWith(quant::rowKernelResult(b, loc, buffers, resultType));
  op.erase();
}

struct DDLLowbitTernaryToVectorPass final
    : quant::impl::DDLLowbitTernaryToVectorPassBase<
          DDLLowbitTernaryToVectorPass> {
  using Base::Base;
  void runOnOperation() override {
    if (kernel != "auto" && kernel != "dot" && kernel != "lut") {
      getOperation().emitError()
          << "ddl-lowbit-ternary-to-vector: unknown kernel '"
          << kernel.getValue() << "' (expected auto, dot or lut)";
      return signalPassFailure();
    }
    std::optional<target::CPUTargetInfo> info =
        target::lookupCPUTarget(target, getOperation());
    if (!info)
      return signalPassFailure();
    target::Int8Dot flavor = assumeVNNI ? target::Int8Dot::VNNI : info->int8Dot;
    // The lookup kernel's byte shuffles: pshufb of the vector's width
    // (SSSE3 is not in the baseline x86-64 the "sse" entry stands for;
    // AVX-512 without BW shuffles 256 bits), Arm's tbl.
    int64_t vectorBytes = info->isa == "sse" ? 0 : info->vectorBits / 8;
    if (info->isa == "avx512" && !info->byteOps512)
      vectorBytes = 32;
    if (lookupBytes) {
      if (lookupBytes != 16 && lookupBytes != 32 && lookupBytes != 64) {
        getOperation().emitError()
            << "ddl-lowbit-ternary-to-vector: lookup-bytes must be 16, 32 or "
               "64, not "
            << lookupBytes.getValue();
        return signalPassFailure();
      }
      vectorBytes = lookupBytes;
    }
    bool lookup = kernel == "lut" ||
                  (kernel == "auto" && flavor == target::Int8Dot::None);
    if (lookup && !vectorBytes)
      lookup = false;
    if (!lookup && (kernel == "lut" || flavor == target::Int8Dot::None))
      return;
    SmallVector<lowbit::MatMulTernaryOp> ops;
    getOperation().walk([&](lowbit::MatMulTernaryOp op) { ops.push_back(op); });
    for (lowbit::MatMulTernaryOp op : ops) {
      // The kernels read whole blocks of each input row by a K known now,
      // for N known now; others are left to the reference lowering.
      auto input = cast<RankedTensorType>(op.getInput().getType());
      auto weights = cast<RankedTensorType>(op.getWeights().getType());
      if (input.isDynamicDim(input.getRank() - 1) || weights.isDynamicDim(0) ||
          weights.getDimSize(0) < 1)
        continue;
      OpBuilder b(op);
      // The lookup kernel lays constant weights out anew; others take the
      // dot kernel where there is one.
      if (lookup && quant::buildTernaryLookupKernel(b, op, vectorBytes))
        continue;
      if (flavor != target::Int8Dot::None)
        KernelBuilder(b, op, flavor).build();
    }
  }
};

} // namespace
