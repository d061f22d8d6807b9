//===- BlockMask.cpp - which key blocks each query block visits -----------===//
//
// See buildBlockMask in FlexLowering.h.
//
//===----------------------------------------------------------------------===//

#include "passes/attention/FlexLowering.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace ddl;
using namespace ddl::attention;

/// Keys per mask evaluation.
static constexpr int64_t kLanes = 16;

namespace {
/// Which of mask_mod's index arguments (b, h) it reads.
struct MaskUses {
  bool batch, head;
  explicit MaskUses(attn::FlexOp op) {
    Block &block = op.getMaskMod().front();
    batch = !block.getArgument(0).use_empty();
    head = !block.getArgument(1).use_empty();
  }
};
} // namespace

Value attention::blockMaskIndex(OpBuilder &b, Location loc, attn::FlexOp op,
                                const FlexShape &shape, Value batch, Value head,
                                Value queryBlock, Value kvBlock) {
  MaskUses uses(op);
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value heads =
      uses.head ? shape.queryHeads : arith::ConstantIndexOp::create(b, loc, 1);
  Value index = uses.batch ? batch : zero;
  index = arith::MulIOp::create(b, loc, index, heads);
  index = arith::AddIOp::create(b, loc, index, uses.head ? head : zero);
  index = arith::MulIOp::create(b, loc, index, shape.numQueryBlocks);
  index = arith::AddIOp::create(b, loc, index, queryBlock);
  index = arith::MulIOp::create(b, loc, index, shape.numKVBlocks);
  return arith::AddIOp::create(b, loc, index, kvBlock);
}

Value attention::blockMaskRowCount(OpBuilder &b, Location loc, attn::FlexOp op,
                                   const FlexShape &shape) {
  MaskUses uses(op);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  Value rows = arith::MulIOp::create(b, loc, uses.batch ? shape.batch : one,
                                     uses.head ? shape.queryHeads : one);
  return arith::MulIOp::create(b, loc, rows, shape.numQueryBlocks);
}

std::array<Value, 3>
attention::blockMaskRowCoordinates(OpBuilder &b, Location loc, attn::FlexOp op,
                                   const FlexShape &shape, Value row) {
  MaskUses uses(op);
  Value heads =
      uses.head ? shape.queryHeads : arith::ConstantIndexOp::create(b, loc, 1);
  // row = (batch' * heads' + head') * numQueryBlocks + qb.
  Value queryBlock = arith::RemUIOp::create(b, loc, row, shape.numQueryBlocks);
  Value batchHead = arith::DivUIOp::create(b, loc, row, shape.numQueryBlocks);
  return {arith::DivUIOp::create(b, loc, batchHead, heads),
          arith::RemUIOp::create(b, loc, batchHead, heads), queryBlock};
}

Value attention::buildBlockMask(OpBuilder &b, Location loc, attn::FlexOp op,
                                const FlexShape &shape,
                                ArrayRef<Value> captures) {
  auto index = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  Value zero = index(0), one = index(1);
  Value rows = blockMaskRowCount(b, loc, op, shape);
  Value size = arith::MulIOp::create(b, loc, rows, shape.numKVBlocks);
  Value table = memref::AllocOp::create(
      b, loc, MemRefType::get({ShapedType::kDynamic}, b.getI8Type()),
      ValueRange{size});

  auto lanes = VectorType::get({kLanes}, b.getIndexType());
  SmallVector<int64_t> iota = llvm::to_vector(llvm::seq<int64_t>(0, kLanes));
  Value laneOffsets = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(lanes, ArrayRef<int64_t>(iota)));
  Value blockQ = index(shape.blockQ), blockKV = index(shape.blockKV);
  Value lastKey = arith::SubIOp::create(b, loc, shape.kvLength, one);

  scf::ParallelOp::create(
      b, loc, ValueRange{zero}, ValueRange{rows}, ValueRange{one},
      [&](OpBuilder &pb, Location, ValueRange ivs) {
        std::array<Value, 3> coordinates =
            blockMaskRowCoordinates(pb, loc, op, shape, ivs[0]);
        Value batch = coordinates[0], head = coordinates[1],
              queryBlock = coordinates[2];
        Value q0 = arith::MulIOp::create(pb, loc, queryBlock, blockQ);
        Value qRows = arith::MinUIOp::create(
            pb, loc, blockQ,
            arith::SubIOp::create(pb, loc, shape.queryLength, q0));
        Value falseValue = arith::ConstantIntOp::create(pb, loc, 0, 1);
        Value trueValue = arith::ConstantIntOp::create(pb, loc, 1, 1);
        scf::ForOp::create(
            pb, loc, zero, shape.numKVBlocks, one, ValueRange{},
            [&](OpBuilder &kb, Location, Value kvBlock, ValueRange) {
              Value kv0 = arith::MulIOp::create(kb, loc, kvBlock, blockKV);
              Value keys = arith::MinUIOp::create(
                  kb, loc, blockKV,
                  arith::SubIOp::create(kb, loc, shape.kvLength, kv0));
              // any: some pair kept; all: every pair in range kept.
              auto rowLoop = scf::ForOp::create(
                  kb, loc, zero, qRows, one, ValueRange{falseValue, trueValue},
                  [&](OpBuilder &rb, Location, Value row, ValueRange rowAcc) {
                    Value q = arith::AddIOp::create(rb, loc, q0, row);
                    auto keyLoop = scf::ForOp::create(
                        rb, loc, zero, keys, index(kLanes), rowAcc,
                        [&](OpBuilder &cb, Location, Value key,
                            ValueRange acc) {
                          Value first =
                              arith::AddIOp::create(cb, loc, kv0, key);
                          Value kv =
                              arith::AddIOp::create(cb, loc,
                                                    vector::BroadcastOp::create(
                                                        cb, loc, lanes, first),
                                                    laneOffsets);
                          Value inRange = arith::CmpIOp::create(
                              cb, loc, arith::CmpIPredicate::ult, kv,
                              vector::BroadcastOp::create(cb, loc, lanes,
                                                          shape.kvLength));
                          Value clamped = arith::MinUIOp::create(
                              cb, loc, kv,
                              vector::BroadcastOp::create(cb, loc, lanes,
                                                          lastKey));
                          Value keep = inlineMod(
                              cb, loc, op.getMaskMod(),
                              ValueRange{batch, head, q, clamped}, captures);
                          Value kept =
                              arith::AndIOp::create(cb, loc, keep, inRange);
                          Value notInRange = arith::XOrIOp::create(
                              cb, loc, inRange,
                              arith::ConstantOp::create(
                                  cb, loc,
                                  DenseElementsAttr::get(
                                      cast<ShapedType>(inRange.getType()),
                                      true)));
                          Value keptOrOut =
                              arith::OrIOp::create(cb, loc, keep, notInRange);
                          Value any = arith::OrIOp::create(
                              cb, loc, acc[0],
                              vector::ReductionOp::create(
                                  cb, loc, vector::CombiningKind::OR, kept));
                          Value all = arith::AndIOp::create(
                              cb, loc, acc[1],
                              vector::ReductionOp::create(
                                  cb, loc, vector::CombiningKind::AND,
                                  keptOrOut));
                          scf::YieldOp::create(cb, loc, ValueRange{any, all});
                        });
                    scf::YieldOp::create(rb, loc, keyLoop.getResults());
                  });
              Value any = rowLoop.getResult(0), all = rowLoop.getResult(1);
              Value wholeBlock = arith::CmpIOp::create(
                  kb, loc, arith::CmpIPredicate::eq, keys, blockKV);
              Value full = arith::AndIOp::create(kb, loc, all, wholeBlock);
              auto byte = [&](int64_t v) -> Value {
                return arith::ConstantIntOp::create(kb, loc, v, 8);
              };
              Value cls = arith::SelectOp::create(
                  kb, loc, any,
                  arith::SelectOp::create(kb, loc, full, byte(kFullBlock),
                                          byte(kPartialBlock)),
                  byte(kEmptyBlock));
              Value slot = blockMaskIndex(kb, loc, op, shape, batch, head,
                                          queryBlock, kvBlock);
              memref::StoreOp::create(kb, loc, cls, table, slot);
              scf::YieldOp::create(kb, loc);
            });
      });
  return table;
}
