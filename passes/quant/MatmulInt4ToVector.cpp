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
/// k per chunk of unpacked weights (at least one group): 4 outputs x 2048
/// f32 = 32 KiB of stack, about L1. Each tile of rows sums a chunk into
/// out once (lane reductions, a read-modify-write), so longer chunks cost
/// less of that; hidden sizes up to 2048 are one chunk.
constexpr int64_t kChunk = 2048;

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
  Value zeros() {
    return arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(f32x16, b.getF32FloatAttr(0)));
  }
  /// Output j's scale of group g, in every lane.
  Value scale(int64_t j, Value g) {
    return vector::BroadcastOp::create(
        b, loc, f32x16,
        memref::LoadOp::create(b, loc, scales, ValueRange{outputs[j], g}));
  }
  /// Output j's 32 weights of the block at k0, unscaled: the low nibbles
  /// are k0 .. k0 + 15, the high ones k0 + 16 .. k0 + 31. The bytes are
  /// widened to i32 lanes first (x86 has no byte shifts): the sign-extended
  /// byte shifted right (arithmetically) by 4 is the high nibble; shifted
  /// left by 28 and back, the low one.
  std::pair<Value, Value> unpack(int64_t j, Value k0);
  /// Whether output j exists (j < N - n0).
  Value outputExists(int64_t j) {
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                 add(n0, index(j)), index(n));
  }

  /// Rows [first, end) (a multiple of kRows of them) for the task's
  /// outputs: the weights are unpacked and scaled into a stack buffer one
  /// chunk of k at a time, once, and every tile of kRows rows runs over
  /// the chunk with plain loads, adding its sums into out.
  void rowTiles(Value first, Value end, Value scratch);
  /// Row m alone (a decode step): the weights unpacked in registers and
  /// used once; each group's sums scaled once.
  void singleRow(Value m);

  OpBuilder &b;
  Location loc;
  lowbit::MatMulInt4Op op;
  VectorType f32x16, i8x16, i32x16;
  Value input, weights, scales, out;
  int64_t n = 0, k = 0, group = 0;
  /// The task's first output and its outputs clamped to N - 1 (stores
  /// check outputExists).
  Value n0;
  SmallVector<Value> outputs;
};

std::pair<Value, Value> KernelBuilder::unpack(int64_t j, Value k0) {
  Value shift4 = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(i32x16, b.getI32IntegerAttr(4)));
  Value shift28 = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(i32x16, b.getI32IntegerAttr(28)));
  Value byte0 = arith::DivUIOp::create(b, loc, k0, index(2));
  Value bytes = vector::LoadOp::create(b, loc, i8x16, weights,
                                       ValueRange{outputs[j], byte0});
  Value wide = arith::ExtSIOp::create(b, loc, i32x16, bytes);
  Value low = arith::ShRSIOp::create(
      b, loc, arith::ShLIOp::create(b, loc, wide, shift28), shift28);
  Value high = arith::ShRSIOp::create(b, loc, wide, shift4);
  return {arith::SIToFPOp::create(b, loc, f32x16, low),
          arith::SIToFPOp::create(b, loc, f32x16, high)};
}

void KernelBuilder::rowTiles(Value first, Value end, Value scratch) {
  Value zero = index(0), one = index(1);
  int64_t groups = k / group;
  int64_t chunkGroups = std::max<int64_t>(1, kChunk / group);
  // The sums start at 0 and each chunk adds to them.
  Value zeroScalar = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0));
  for (int64_t j = 0; j < kOutputs; ++j) {
    auto exists = scf::IfOp::create(b, loc, outputExists(j), false);
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(exists.thenBlock());
    scf::ForOp::create(b, loc, first, end, one, ValueRange{},
                       [&](OpBuilder &, Location, Value m, ValueRange) {
                         memref::StoreOp::create(
                             b, loc, zeroScalar, out,
                             ValueRange{m, add(n0, index(j))});
                         scf::YieldOp::create(b, loc);
                       });
  }
  scf::ForOp::create(
      b, loc, zero, index(groups), index(chunkGroups), ValueRange{},
      [&](OpBuilder &, Location, Value g0, ValueRange) {
        Value g1 = arith::MinUIOp::create(b, loc, add(g0, index(chunkGroups)),
                                          index(groups));
        Value kStart = mul(g0, index(group));
        Value kLength =
            mul(arith::SubIOp::create(b, loc, g1, g0), index(group));
        // Unpack and scale the chunk: scratch[j][k - kStart].
        scf::ForOp::create(
            b, loc, g0, g1, one, ValueRange{},
            [&](OpBuilder &, Location, Value g, ValueRange) {
              SmallVector<Value> scaleOf;
              for (int64_t j = 0; j < kOutputs; ++j)
                scaleOf.push_back(scale(j, g));
              Value groupStart = mul(g, index(group));
              scf::ForOp::create(
                  b, loc, zero, index(group), index(kBlock), ValueRange{},
                  [&](OpBuilder &, Location, Value offset, ValueRange) {
                    Value k0 = add(groupStart, offset);
                    Value local = arith::SubIOp::create(b, loc, k0, kStart);
                    for (int64_t j = 0; j < kOutputs; ++j) {
                      auto [low, high] = unpack(j, k0);
                      vector::StoreOp::create(
                          b, loc,
                          arith::MulFOp::create(b, loc, low, scaleOf[j]),
                          scratch, ValueRange{index(j), local});
                      vector::StoreOp::create(
                          b, loc,
                          arith::MulFOp::create(b, loc, high, scaleOf[j]),
                          scratch,
                          ValueRange{index(j), add(local, index(kLanes))});
                    }
                    scf::YieldOp::create(b, loc);
                  });
              scf::YieldOp::create(b, loc);
            });
        // Every tile of rows over the chunk.
        scf::ForOp::create(
            b, loc, first, end, index(kRows), ValueRange{},
            [&](OpBuilder &, Location, Value m0, ValueRange) {
              SmallVector<Value> init(kRows * kOutputs, zeros());
              auto loop = scf::ForOp::create(
                  b, loc, zero, kLength, index(kLanes), init,
                  [&](OpBuilder &, Location, Value local, ValueRange acc) {
                    SmallVector<Value> w;
                    for (int64_t j = 0; j < kOutputs; ++j)
                      w.push_back(
                          vector::LoadOp::create(b, loc, f32x16, scratch,
                                                 ValueRange{index(j), local}));
                    SmallVector<Value> next(acc.begin(), acc.end());
                    Value kk = add(kStart, local);
                    for (int64_t r = 0; r < kRows; ++r) {
                      Value a = vector::LoadOp::create(
                          b, loc, f32x16, input,
                          ValueRange{add(m0, index(r)), kk});
                      for (int64_t j = 0; j < kOutputs; ++j)
                        next[r * kOutputs + j] = vector::FMAOp::create(
                            b, loc, a, w[j], acc[r * kOutputs + j]);
                    }
                    scf::YieldOp::create(b, loc, next);
                  });
              for (int64_t j = 0; j < kOutputs; ++j) {
                auto exists = scf::IfOp::create(b, loc, outputExists(j), false);
                OpBuilder::InsertionGuard g(b);
                b.setInsertionPointToStart(exists.thenBlock());
                for (int64_t r = 0; r < kRows; ++r) {
                  SmallVector<Value> at = {add(m0, index(r)),
                                           add(n0, index(j))};
                  Value sum = vector::ReductionOp::create(
                      b, loc, vector::CombiningKind::ADD,
                      loop.getResult(r * kOutputs + j));
                  memref::StoreOp::create(
                      b, loc,
                      arith::AddFOp::create(
                          b, loc, memref::LoadOp::create(b, loc, out, at), sum),
                      out, at);
                }
              }
              scf::YieldOp::create(b, loc);
            });
        scf::YieldOp::create(b, loc);
      });
}

void KernelBuilder::singleRow(Value m) {
  Value zero = index(0), one = index(1);
  SmallVector<Value> init(kOutputs, zeros());
  auto groups = scf::ForOp::create(
      b, loc, zero, index(k / group), one, init,
      [&](OpBuilder &, Location, Value g, ValueRange carried) {
        Value groupStart = mul(g, index(group));
        SmallVector<Value> groupInit(kOutputs, zeros());
        auto blocks = scf::ForOp::create(
            b, loc, zero, index(group), index(kBlock), groupInit,
            [&](OpBuilder &, Location, Value offset, ValueRange acc) {
              Value k0 = add(groupStart, offset);
              Value a0 = vector::LoadOp::create(b, loc, f32x16, input,
                                                ValueRange{m, k0});
              Value a1 = vector::LoadOp::create(
                  b, loc, f32x16, input, ValueRange{m, add(k0, index(kLanes))});
              SmallVector<Value> next(acc.begin(), acc.end());
              for (int64_t j = 0; j < kOutputs; ++j) {
                auto [low, high] = unpack(j, k0);
                next[j] = vector::FMAOp::create(b, loc, a0, low, next[j]);
                next[j] = vector::FMAOp::create(b, loc, a1, high, next[j]);
              }
              scf::YieldOp::create(b, loc, next);
            });
        // The group's sums, scaled once.
        SmallVector<Value> sums;
        for (int64_t j = 0; j < kOutputs; ++j)
          sums.push_back(vector::FMAOp::create(b, loc, blocks.getResult(j),
                                               scale(j, g), carried[j]));
        scf::YieldOp::create(b, loc, sums);
      });
  for (int64_t j = 0; j < kOutputs; ++j) {
    auto exists = scf::IfOp::create(b, loc, outputExists(j), false);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(exists.thenBlock());
    Value sum = vector::ReductionOp::create(b, loc, vector::CombiningKind::ADD,
                                            groups.getResult(j));
    memref::StoreOp::create(b, loc, sum, out, ValueRange{m, add(n0, index(j))});
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
    // The task's scratch lives on the stack for one iteration (the scope
    // is the body's last op, so canonicalization hoists the alloca to the
    // task function's entry).
    auto scope = memref::AllocaScopeOp::create(b, loc, TypeRange{});
    b.setInsertionPointToStart(b.createBlock(&scope.getBodyRegion()));
    int64_t chunkK = std::max<int64_t>(1, kChunk / group) * group;
    auto scratch = memref::AllocaOp::create(
        b, loc, MemRefType::get({kOutputs, chunkK}, b.getF32Type()));
    scratch.setAlignment(64);
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
    auto anyTiles = scf::IfOp::create(
        b, loc,
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, tiles, zero),
        false);
    {
      OpBuilder::InsertionGuard g(b);
      b.setInsertionPointToStart(anyTiles.thenBlock());
      rowTiles(firstRow, tilesEnd, scratch);
    }
    scf::ForOp::create(b, loc, tilesEnd, endRow, one, ValueRange{},
                       [&](OpBuilder &, Location, Value m, ValueRange) {
                         singleRow(m);
                         scf::YieldOp::create(b, loc);
                       });
    memref::AllocaScopeReturnOp::create(b, loc, ValueRange{});
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
      // The kernel reads whole 32-wide blocks of each input row by the
      // weights' K; an input whose K is only known at run time is left to
      // the reference lowering.
      auto input = cast<RankedTensorType>(op.getInput().getType());
      if (input.isDynamicDim(input.getRank() - 1))
        continue;
      OpBuilder b(op);
      KernelBuilder(b, op).build();
    }
  }
};

} // namespace
