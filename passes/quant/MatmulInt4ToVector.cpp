//===- MatmulInt4ToVector.cpp - int4 weight-only matmul CPU kernels -------===//
//
// See DDLLowbitInt4ToVectorPass in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "passes/quant/Passes.h"

using namespace mlir;
using namespace ddl;

namespace ddl::quant {
#define GEN_PASS_DEF_DDLLOWBITINT4TOVECTORPASS
#include "passes/quant/Passes.h.inc"
} // namespace ddl::quant

namespace {

/// f32 lanes per vector; k per packed block (16 bytes).
constexpr int64_t kLanes = 16, kBlock = 32;
/// Outputs (weight rows) per task; input rows per register tile.
constexpr int64_t kOutputs = 4, kRows = 4;
/// Input rows per parallel task (its outputs' weights stay in cache while
/// they are reused).
constexpr int64_t kRowsPerTask = 64;

class KernelBuilder {
public:
  KernelBuilder(OpBuilder &b, lowbit::MatMulInt4Op op)
      : b(b), loc(op.getLoc()), op(op),
        f32x16(VectorType::get({kLanes}, b.getF32Type())),
        i8x16(VectorType::get({kLanes}, b.getI8Type())),
        i32x16(VectorType::get({kLanes}, b.getI32Type())) {}

  void build();

private:
  Value index(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return arith::MulIOp::create(b, loc, x, y); }

  /// out[m0 .. m0 + rows, the task's outputs] for `rows` (kRows or 1)
  /// existing input rows from m0.
  void tile(Value m0, int64_t rows);

  OpBuilder &b;
  Location loc;
  lowbit::MatMulInt4Op op;
  VectorType f32x16, i8x16, i32x16;
  Value input, weights, scales, out;
  int64_t n = 0, k = 0, group = 0;
  /// The task's outputs, clamped to N - 1 (the stores check n0 + j < N).
  Value n0;
  SmallVector<Value> outputs;
};

void KernelBuilder::tile(Value m0, int64_t rows) {
  Value zero = index(0), one = index(1);
  Value zeros = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(f32x16, b.getF32FloatAttr(0)));
  SmallVector<Value> init(rows * kOutputs, zeros);
  SmallVector<Value> rowIndex;
  for (int64_t r = 0; r < rows; ++r)
    rowIndex.push_back(add(m0, index(r)));
  Value shift4 = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(i32x16, b.getI32IntegerAttr(4)));
  Value shift28 = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(i32x16, b.getI32IntegerAttr(28)));

  // A single row scales each group's sums once (one FMA per output and
  // group); a tile of rows scales the unpacked weights, which all its rows
  // share (per-group sums for each row and output would not fit in
  // registers).
  bool scaleSums = rows == 1;
  auto groups = scf::ForOp::create(
      b, loc, zero, index(k / group), one, init,
      [&](OpBuilder &, Location, Value g, ValueRange carried) {
        SmallVector<Value> scale;
        for (int64_t j = 0; j < kOutputs; ++j)
          scale.push_back(vector::BroadcastOp::create(
              b, loc, f32x16,
              memref::LoadOp::create(b, loc, scales,
                                     ValueRange{outputs[j], g})));
        Value groupStart = mul(g, index(group));
        SmallVector<Value> groupInit(carried.begin(), carried.end());
        if (scaleSums)
          groupInit.assign(carried.size(), zeros);
        auto blocks = scf::ForOp::create(
            b, loc, zero, index(group / kBlock), one, groupInit,
            [&](OpBuilder &, Location, Value block, ValueRange acc) {
              Value k0 = add(groupStart, mul(block, index(kBlock)));
              Value byte0 = arith::DivUIOp::create(b, loc, k0, index(2));
              // Each output's 32 weights: the low nibbles are k0 .. k0 + 15,
              // the high ones k0 + 16 .. k0 + 31. The bytes are widened to
              // i32 lanes first (x86 has no byte shifts): the sign-extended
              // byte shifted right (arithmetically) by 4 is the high
              // nibble; shifted left by 28 and back, the low one.
              SmallVector<Value> low, high;
              for (int64_t j = 0; j < kOutputs; ++j) {
                Value bytes = vector::LoadOp::create(
                    b, loc, i8x16, weights, ValueRange{outputs[j], byte0});
                Value wide = arith::ExtSIOp::create(b, loc, i32x16, bytes);
                Value lowNibbles = arith::ShRSIOp::create(
                    b, loc, arith::ShLIOp::create(b, loc, wide, shift28),
                    shift28);
                Value highNibbles =
                    arith::ShRSIOp::create(b, loc, wide, shift4);
                low.push_back(
                    arith::SIToFPOp::create(b, loc, f32x16, lowNibbles));
                high.push_back(
                    arith::SIToFPOp::create(b, loc, f32x16, highNibbles));
                if (!scaleSums) {
                  low.back() =
                      arith::MulFOp::create(b, loc, low.back(), scale[j]);
                  high.back() =
                      arith::MulFOp::create(b, loc, high.back(), scale[j]);
                }
              }
              SmallVector<Value> next(acc.begin(), acc.end());
              for (int64_t r = 0; r < rows; ++r) {
                Value a0 = vector::LoadOp::create(b, loc, f32x16, input,
                                                  ValueRange{rowIndex[r], k0});
                Value a1 = vector::LoadOp::create(
                    b, loc, f32x16, input,
                    ValueRange{rowIndex[r], add(k0, index(kLanes))});
                for (int64_t j = 0; j < kOutputs; ++j) {
                  Value &sum = next[r * kOutputs + j];
                  sum = vector::FMAOp::create(b, loc, a0, low[j], sum);
                  sum = vector::FMAOp::create(b, loc, a1, high[j], sum);
                }
              }
              scf::YieldOp::create(b, loc, next);
            });
        SmallVector<Value> sums(blocks.getResults());
        if (scaleSums)
          for (int64_t j = 0; j < kOutputs; ++j)
            sums[j] =
                vector::FMAOp::create(b, loc, sums[j], scale[j], carried[j]);
        scf::YieldOp::create(b, loc, sums);
      });

  // Each accumulator's lanes summed: out[m, n] for the outputs that exist.
  for (int64_t j = 0; j < kOutputs; ++j) {
    Value column = add(n0, index(j));
    Value exists = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                         column, index(n));
    auto store = scf::IfOp::create(b, loc, exists, false);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(store.thenBlock());
    for (int64_t r = 0; r < rows; ++r) {
      Value sum =
          vector::ReductionOp::create(b, loc, vector::CombiningKind::ADD,
                                      groups.getResult(r * kOutputs + j));
      memref::StoreOp::create(b, loc, sum, out,
                              ValueRange{rowIndex[r], column});
    }
  }
}

void KernelBuilder::build() {
  b.setInsertionPoint(op);
  auto inputType = cast<RankedTensorType>(op.getInput().getType());
  auto weightsType = cast<RankedTensorType>(op.getWeights().getType());
  auto scalesType = cast<RankedTensorType>(op.getScales().getType());
  auto resultType = cast<RankedTensorType>(op.getResult().getType());
  int64_t rank = inputType.getRank();
  n = weightsType.getDimSize(0);
  k = 2 * weightsType.getDimSize(1);
  group = op.getGroupSize();
  Type f32 = b.getF32Type();
  // The operands as buffers, the batch dims folded into the rows.
  input = bufferization::ToBufferOp::create(
      b, loc, MemRefType::get(inputType.getShape(), f32), op.getInput(),
      /*read_only=*/true);
  ReassociationIndices rowsDims =
      llvm::to_vector(llvm::seq<int64_t>(0, rank - 1));
  if (rank > 2)
    input = memref::CollapseShapeOp::create(
        b, loc, input, ArrayRef<ReassociationIndices>{rowsDims, {rank - 1}});
  weights = bufferization::ToBufferOp::create(
      b, loc, MemRefType::get(weightsType.getShape(), b.getI8Type()),
      op.getWeights(), /*read_only=*/true);
  scales = bufferization::ToBufferOp::create(
      b, loc, MemRefType::get(scalesType.getShape(), f32), op.getScales(),
      /*read_only=*/true);
  SmallVector<Value> dynamicSizes;
  for (int64_t d = 0; d < rank; ++d)
    if (resultType.isDynamicDim(d))
      dynamicSizes.push_back(
          d == rank - 1
              ? index(n)
              : tensor::DimOp::create(b, loc, op.getInput(), d).getResult());
  Value result = memref::AllocOp::create(
      b, loc, MemRefType::get(resultType.getShape(), f32), dynamicSizes);
  out = result;
  if (rank > 2)
    out = memref::CollapseShapeOp::create(
        b, loc, result, ArrayRef<ReassociationIndices>{rowsDims, {rank - 1}});

  Value zero = index(0), one = index(1);
  Value rows = memref::DimOp::create(b, loc, input, 0);
  int64_t columnBlocks = llvm::divideCeil(n, kOutputs);
  Value rowTasks =
      arith::CeilDivUIOp::create(b, loc, rows, index(kRowsPerTask));
  auto parallel = scf::ParallelOp::create(
      b, loc, ValueRange{zero}, ValueRange{mul(rowTasks, index(columnBlocks))},
      ValueRange{one});
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(parallel.getBody()->getTerminator());
    Value it = parallel.getInductionVars()[0];
    Value rowTask = arith::DivUIOp::create(b, loc, it, index(columnBlocks));
    n0 = mul(arith::RemUIOp::create(b, loc, it, index(columnBlocks)),
             index(kOutputs));
    for (int64_t j = 0; j < kOutputs; ++j)
      outputs.push_back(
          arith::MinUIOp::create(b, loc, add(n0, index(j)), index(n - 1)));
    Value firstRow = mul(rowTask, index(kRowsPerTask));
    Value endRow = arith::MinUIOp::create(
        b, loc, add(firstRow, index(kRowsPerTask)), rows);
    // Whole tiles of kRows rows, then the rest one row at a time (a
    // decode step's single row costs one row's FMAs).
    Value tiles = arith::DivUIOp::create(
        b, loc, arith::SubIOp::create(b, loc, endRow, firstRow), index(kRows));
    Value tilesEnd = add(firstRow, mul(tiles, index(kRows)));
    scf::ForOp::create(b, loc, firstRow, tilesEnd, index(kRows), ValueRange{},
                       [&](OpBuilder &, Location, Value m0, ValueRange) {
                         tile(m0, kRows);
                         scf::YieldOp::create(b, loc);
                       });
    scf::ForOp::create(b, loc, tilesEnd, endRow, one, ValueRange{},
                       [&](OpBuilder &, Location, Value m, ValueRange) {
                         tile(m, 1);
                         scf::YieldOp::create(b, loc);
                       });
  }
  Value tensor = bufferization::ToTensorOp::create(
      b, loc, resultType, result, /*restrict=*/true, /*writable=*/true);
  op.replaceAllUsesWith(tensor);
  op.erase();
}

struct DDLLowbitInt4ToVectorPass final
    : quant::impl::DDLLowbitInt4ToVectorPassBase<DDLLowbitInt4ToVectorPass> {
  void runOnOperation() override {
    SmallVector<lowbit::MatMulInt4Op> ops;
    getOperation().walk([&](lowbit::MatMulInt4Op op) { ops.push_back(op); });
    for (lowbit::MatMulInt4Op op : ops) {
      OpBuilder b(op);
      KernelBuilder(b, op).build();
    }
  }
};

} // namespace
