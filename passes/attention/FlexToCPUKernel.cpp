//===- FlexToCPUKernel.cpp - attn.flex to a fused CPU kernel --------------===//
//
// See DDLFlexToCPUKernelPass in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "dialects/sched/SchedDialect.h"
#include "passes/attention/FlexLowering.h"
#include "passes/attention/Passes.h"

#include "mlir/Dialect/Math/IR/Math.h"

#include <limits>

using namespace mlir;
using namespace ddl;
using namespace ddl::attention;

namespace ddl::attention {
#define GEN_PASS_DEF_DDLFLEXTOCPUKERNELPASS
#include "passes/attention/Passes.h.inc"
} // namespace ddl::attention

namespace {

/// f32 lanes per vector register (one zmm; two ymm or four NEON registers
/// elsewhere, which LLVM splits).
constexpr int64_t kLanes = 16;
/// Accumulator vectors a register tile may hold.
constexpr int64_t kAccumulators = 16;

/// Builds the kernel of one attn.flex at the op, on tensors.
class FlexKernel {
public:
  FlexKernel(OpBuilder &b, attn::FlexOp op, sched::AttentionAttr schedule)
      : b(b), loc(op.getLoc()), op(op),
        vectorType(VectorType::get({kLanes}, b.getF32Type())),
        indexVectorType(VectorType::get({kLanes}, b.getIndexType())),
        blockQ(schedule.getBlockQ()), blockKV(schedule.getBlockKV()),
        keyChunks(blockKV / kLanes),
        tileRows(std::max<int64_t>(1, kAccumulators / keyChunks)),
        scratchRows(llvm::alignTo(blockQ, tileRows)) {}

  /// Replaces the op by its kernel.
  void build();

private:
  Value index(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value f32(float v) {
    return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v));
  }
  Value splat(float v) {
    return arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(vectorType, b.getF32FloatAttr(v)));
  }
  Value broadcast(Value scalar) {
    return vector::BroadcastOp::create(
        b, loc, VectorType::get({kLanes}, scalar.getType()), scalar);
  }
  Value minIndex(Value x, Value y) {
    return arith::MinUIOp::create(b, loc, x, y);
  }
  Value toBuffer(Value tensor, bool unitStrideRows) {
    return flexOperandBuffer(b, loc, tensor, unitStrideRows);
  }
  Value dim(Value buffer, int64_t d) {
    return memref::DimOp::create(b, loc, buffer, d);
  }
  Value allocResult(RankedTensorType type, ArrayRef<Value> sizes) {
    return allocFlexResult(b, loc, type, sizes);
  }
  /// The block mask as a constant, when it can be computed now; or null.
  Value buildCompileTimeBlockMask();
  void buildKernel();
  /// One key block against the query block: every row tile. `bounds`:
  /// the block may run past the keys (masked loads, out-of-range keys
  /// removed) and mask_mod is applied.
  void buildKeyBlock(Value batch, Value head, Value kvHead, Value q0,
                     Value queryRows, Value kv0, Value keys, bool bounds,
                     Value outBlock, Value maxRow, Value sumRow, Value probs);
  void buildFinalize(Value batch, Value head, Value q0, Value queryRows,
                     Value outBlock, Value maxRow, Value sumRow);
  /// The mask of the valid lanes of the value head dim's vector `v`.
  Value valueMask(int64_t v);

  OpBuilder &b;
  Location loc;
  attn::FlexOp op;
  VectorType vectorType, indexVectorType;
  Value query, keyT, value, output, lse, blockMask;
  SmallVector<Value> captures;
  FlexShape shape;
  int64_t valueDim = 0, valueVectors = 0;
  Value scale, laneOffsets;
  /// Query rows and keys per block (the schedule); key vectors per row.
  int64_t blockQ, blockKV, keyChunks;
  /// Query rows per register tile (tileRows x keyChunks score accumulators),
  /// and rows of the scratch buffers (whole tiles).
  int64_t tileRows, scratchRows;
};

} // namespace

Value FlexKernel::valueMask(int64_t v) {
  int64_t valid = std::min(kLanes, valueDim - v * kLanes);
  SmallVector<bool> bits(kLanes, false);
  for (int64_t i = 0; i < valid; ++i)
    bits[i] = true;
  return arith::ConstantOp::create(
      b, loc,
      DenseElementsAttr::get(VectorType::get({kLanes}, b.getI1Type()),
                             ArrayRef<bool>(bits)));
}

Value FlexKernel::buildCompileTimeBlockMask() {
  auto queryType = cast<RankedTensorType>(op.getQuery().getType());
  auto keyType = cast<RankedTensorType>(op.getKey().getType());
  FailureOr<std::vector<int8_t>> table = evaluateBlockMask(
      op, queryType.getDimSize(0), queryType.getDimSize(1),
      queryType.getDimSize(2), keyType.getDimSize(2), blockQ, blockKV);
  if (failed(table))
    return nullptr;
  auto type = RankedTensorType::get({int64_t(table->size())}, b.getI8Type());
  Value constant = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(type, ArrayRef<int8_t>(*table)));
  Value buffer = toBuffer(constant, false);
  return memref::CastOp::create(
      b, loc, MemRefType::get({ShapedType::kDynamic}, b.getI8Type()), buffer);
}

void FlexKernel::build() {
  b.setInsertionPoint(op);
  // K transposed to [B, Hkv, D, Skv]: a key block's scores for one query
  // row are then vectors of consecutive keys.
  auto keyType = cast<RankedTensorType>(op.getKey().getType());
  SmallVector<OpFoldResult> keyTSizes;
  for (int64_t d : {0, 1, 3, 2})
    keyTSizes.push_back(tensor::getMixedSize(b, loc, op.getKey(), d));
  Value keyTInit =
      tensor::EmptyOp::create(b, loc, keyTSizes, keyType.getElementType());
  Value keyTTensor = linalg::TransposeOp::create(b, loc, op.getKey(), keyTInit,
                                                 ArrayRef<int64_t>{0, 1, 3, 2})
                         ->getResult(0);

  query = toBuffer(op.getQuery(), true);
  keyT = toBuffer(keyTTensor, true);
  value = toBuffer(op.getValue(), true);
  for (Value capture : op.getCaptures())
    captures.push_back(toBuffer(capture, false));

  shape.batch = dim(query, 0);
  shape.queryHeads = dim(query, 1);
  shape.queryLength = dim(query, 2);
  shape.headDim = dim(query, 3);
  shape.kvHeads = dim(value, 1);
  shape.kvLength = dim(value, 2);
  shape.groupSize =
      arith::DivUIOp::create(b, loc, shape.queryHeads, shape.kvHeads);
  shape.blockQ = blockQ;
  shape.blockKV = blockKV;
  auto ceilDiv = [&](Value x, int64_t y) -> Value {
    return arith::CeilDivUIOp::create(b, loc, x, index(y));
  };
  shape.numQueryBlocks = ceilDiv(shape.queryLength, blockQ);
  shape.numKVBlocks = ceilDiv(shape.kvLength, blockKV);
  valueDim = cast<RankedTensorType>(op.getValue().getType()).getDimSize(3);
  valueVectors = llvm::divideCeil(valueDim, kLanes);

  auto outputType = cast<RankedTensorType>(op.getOutput().getType());
  Value valueDimSize = dim(value, 3);
  output = allocResult(outputType, {shape.batch, shape.queryHeads,
                                    shape.queryLength, valueDimSize});
  if (Value lseResult = op.getLse())
    lse = allocResult(cast<RankedTensorType>(lseResult.getType()),
                      {shape.batch, shape.queryHeads, shape.queryLength});
  if (op.hasMaskMod())
    blockMask = buildCompileTimeBlockMask();
  if (op.hasMaskMod() && !blockMask)
    blockMask = buildBlockMask(b, loc, op, shape, captures);

  scale = arith::ConstantOp::create(
      b, loc,
      DenseElementsAttr::get(vectorType,
                             b.getF32FloatAttr(static_cast<float>(
                                 op.getScale().convertToDouble()))));
  SmallVector<int64_t> iota = llvm::to_vector(llvm::seq<int64_t>(0, kLanes));
  laneOffsets = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(indexVectorType, ArrayRef<int64_t>(iota)));

  buildKernel();

  replaceFlexWithBuffers(b, loc, op, output, lse);
}

void FlexKernel::buildKernel() {
  Value zero = index(0), one = index(1);
  Value iterations =
      arith::MulIOp::create(b, loc, shape.batch, shape.queryHeads);
  iterations = arith::MulIOp::create(b, loc, iterations, shape.numQueryBlocks);
  auto parallel = scf::ParallelOp::create(
      b, loc, ValueRange{zero}, ValueRange{iterations}, ValueRange{one});
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPoint(parallel.getBody()->getTerminator());
  Value it = parallel.getInductionVars()[0];
  Value queryBlock = arith::RemUIOp::create(b, loc, it, shape.numQueryBlocks);
  Value batchHead = arith::DivUIOp::create(b, loc, it, shape.numQueryBlocks);
  Value head = arith::RemUIOp::create(b, loc, batchHead, shape.queryHeads);
  Value batch = arith::DivUIOp::create(b, loc, batchHead, shape.queryHeads);
  Value kvHead = arith::DivUIOp::create(b, loc, head, shape.groupSize);
  Value q0 = arith::MulIOp::create(b, loc, queryBlock, index(blockQ));
  Value queryRows = minIndex(
      index(blockQ), arith::SubIOp::create(b, loc, shape.queryLength, q0));

  // The scratch buffers live on the stack for one iteration.
  auto scope = memref::AllocaScopeOp::create(b, loc, TypeRange{});
  Block *scopeBody = new Block();
  scope.getBodyRegion().push_back(scopeBody);
  b.setInsertionPointToStart(scopeBody);
  Type f32Type = b.getF32Type();
  Value outBlock = memref::AllocaOp::create(
      b, loc, MemRefType::get({scratchRows, valueVectors * kLanes}, f32Type));
  Value maxRow =
      memref::AllocaOp::create(b, loc, MemRefType::get({scratchRows}, f32Type));
  Value sumRow =
      memref::AllocaOp::create(b, loc, MemRefType::get({scratchRows}, f32Type));
  Value probs = memref::AllocaOp::create(
      b, loc, MemRefType::get({tileRows, blockKV}, f32Type));

  // Running maximum -inf, sum 0, output 0.
  float negInf = -std::numeric_limits<float>::infinity();
  scf::ForOp::create(
      b, loc, zero, index(scratchRows), one, ValueRange{},
      [&](OpBuilder &, Location, Value row, ValueRange) {
        memref::StoreOp::create(b, loc, f32(negInf), maxRow, row);
        memref::StoreOp::create(b, loc, f32(0), sumRow, row);
        for (int64_t v = 0; v < valueVectors; ++v)
          vector::StoreOp::create(b, loc, splat(0), outBlock,
                                  ValueRange{row, index(v * kLanes)});
        scf::YieldOp::create(b, loc);
      });

  scf::ForOp::create(
      b, loc, zero, shape.numKVBlocks, one, ValueRange{},
      [&](OpBuilder &, Location, Value kvBlock, ValueRange) {
        Value kv0 = arith::MulIOp::create(b, loc, kvBlock, index(blockKV));
        Value keys = minIndex(
            index(blockKV), arith::SubIOp::create(b, loc, shape.kvLength, kv0));
        Value wholeBlock = arith::CmpIOp::create(
            b, loc, arith::CmpIPredicate::eq, keys, index(blockKV));
        auto byte = [&](int64_t v) -> Value {
          return arith::ConstantIntOp::create(b, loc, v, 8);
        };
        Value cls;
        if (blockMask) {
          Value slot = blockMaskIndex(b, loc, op, shape, batch, head,
                                      queryBlock, kvBlock);
          cls = memref::LoadOp::create(b, loc, blockMask, slot);
        } else {
          cls = arith::SelectOp::create(b, loc, wholeBlock, byte(kFullBlock),
                                        byte(kPartialBlock));
        }
        Value full = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                           cls, byte(kFullBlock));
        Value visited = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne,
                                              cls, byte(kEmptyBlock));
        auto fast = scf::IfOp::create(b, loc, full, /*withElseRegion=*/true);
        {
          OpBuilder::InsertionGuard g(b);
          b.setInsertionPointToStart(fast.thenBlock());
          buildKeyBlock(batch, head, kvHead, q0, queryRows, kv0, keys,
                        /*bounds=*/false, outBlock, maxRow, sumRow, probs);
          b.setInsertionPointToStart(fast.elseBlock());
          auto partial = scf::IfOp::create(b, loc, visited, false);
          b.setInsertionPointToStart(partial.thenBlock());
          buildKeyBlock(batch, head, kvHead, q0, queryRows, kv0, keys,
                        /*bounds=*/true, outBlock, maxRow, sumRow, probs);
        }
        scf::YieldOp::create(b, loc);
      });

  buildFinalize(batch, head, q0, queryRows, outBlock, maxRow, sumRow);
  memref::AllocaScopeReturnOp::create(b, loc, ValueRange{});
}

void FlexKernel::buildKeyBlock(Value batch, Value head, Value kvHead, Value q0,
                               Value queryRows, Value kv0, Value keys,
                               bool bounds, Value outBlock, Value maxRow,
                               Value sumRow, Value probs) {
  Value zero = index(0), one = index(1);
  Value lastQuery = arith::SubIOp::create(b, loc, shape.queryLength, one);
  Value lastKey = arith::SubIOp::create(b, loc, shape.kvLength, one);
  float negInf = -std::numeric_limits<float>::infinity();
  // Lanes of each key vector that hold keys of the block.
  SmallVector<Value> keyMasks;
  if (bounds)
    for (int64_t c = 0; c < keyChunks; ++c) {
      Value left = arith::SubIOp::create(
          b, loc, arith::MaxSIOp::create(b, loc, keys, index(c * kLanes)),
          index(c * kLanes));
      keyMasks.push_back(vector::CreateMaskOp::create(
          b, loc, VectorType::get({kLanes}, b.getI1Type()), ValueRange{left}));
    }

  scf::ForOp::create(
      b, loc, zero, queryRows, index(tileRows), ValueRange{},
      [&](OpBuilder &, Location, Value tileRow, ValueRange) {
        // The tile's query rows, clamped: rows past the end repeat the
        // last one and are never written out.
        SmallVector<Value> rowIndices;
        for (int64_t r = 0; r < tileRows; ++r)
          rowIndices.push_back(minIndex(
              arith::AddIOp::create(
                  b, loc, q0, arith::AddIOp::create(b, loc, tileRow, index(r))),
              lastQuery));

        // Scores: tileRows x keyChunks accumulators over the head dim.
        SmallVector<Value> init(tileRows * keyChunks, splat(0));
        auto dot = scf::ForOp::create(
            b, loc, zero, shape.headDim, one, init,
            [&](OpBuilder &, Location, Value d, ValueRange acc) {
              SmallVector<Value> keyRow;
              for (int64_t c = 0; c < keyChunks; ++c) {
                SmallVector<Value> at = {
                    batch, kvHead, d,
                    arith::AddIOp::create(b, loc, kv0, index(c * kLanes))};
                keyRow.push_back(
                    bounds
                        ? vector::MaskedLoadOp::create(b, loc, vectorType, keyT,
                                                       at, keyMasks[c],
                                                       splat(0))
                              .getResult()
                        : vector::LoadOp::create(b, loc, vectorType, keyT, at)
                              .getResult());
              }
              SmallVector<Value> next;
              for (int64_t r = 0; r < tileRows; ++r) {
                Value q = memref::LoadOp::create(
                    b, loc, query, ValueRange{batch, head, rowIndices[r], d});
                Value qs = broadcast(q);
                for (int64_t c = 0; c < keyChunks; ++c)
                  next.push_back(vector::FMAOp::create(b, loc, qs, keyRow[c],
                                                       acc[r * keyChunks + c]));
              }
              scf::YieldOp::create(b, loc, next);
            });

        // Scale, score_mod, mask; then the online softmax per row.
        SmallVector<Value> alphas;
        for (int64_t r = 0; r < tileRows; ++r) {
          SmallVector<Value> scores;
          for (int64_t c = 0; c < keyChunks; ++c) {
            Value s = arith::MulFOp::create(
                b, loc, dot.getResult(r * keyChunks + c), scale);
            Value kv =
                arith::AddIOp::create(b, loc,
                                      broadcast(arith::AddIOp::create(
                                          b, loc, kv0, index(c * kLanes))),
                                      laneOffsets);
            if (bounds)
              kv = arith::MinUIOp::create(b, loc, kv, broadcast(lastKey));
            if (op.hasScoreMod())
              s = inlineMod(b, loc, op.getScoreMod(),
                            ValueRange{s, batch, head, rowIndices[r], kv},
                            captures);
            if (bounds) {
              Value keep = keyMasks[c];
              if (op.hasMaskMod())
                keep = arith::AndIOp::create(
                    b, loc, keep,
                    inlineMod(b, loc, op.getMaskMod(),
                              ValueRange{batch, head, rowIndices[r], kv},
                              captures));
              s = arith::SelectOp::create(b, loc, keep, s, splat(negInf));
            }
            scores.push_back(s);
          }
          Value rowMax = scores[0];
          for (int64_t c = 1; c < keyChunks; ++c)
            rowMax = arith::MaximumFOp::create(b, loc, rowMax, scores[c]);
          Value blockMax = vector::ReductionOp::create(
              b, loc, vector::CombiningKind::MAXIMUMF, rowMax);
          Value slot = arith::AddIOp::create(b, loc, tileRow, index(r));
          Value oldMax = memref::LoadOp::create(b, loc, maxRow, slot);
          Value newMax = arith::MaximumFOp::create(b, loc, oldMax, blockMax);
          // All keys so far masked: subtract 0, so that exp gives 0 (and
          // not exp(-inf + inf) = NaN).
          Value noKeys = arith::CmpFOp::create(
              b, loc, arith::CmpFPredicate::OEQ, newMax, f32(negInf));
          Value safeMax =
              arith::SelectOp::create(b, loc, noKeys, f32(0), newMax);
          Value alpha = math::ExpOp::create(
              b, loc, arith::SubFOp::create(b, loc, oldMax, safeMax));
          Value sum = splat(0);
          for (int64_t c = 0; c < keyChunks; ++c) {
            Value p = math::ExpOp::create(
                b, loc,
                arith::SubFOp::create(b, loc, scores[c], broadcast(safeMax)));
            sum = arith::AddFOp::create(b, loc, sum, p);
            vector::StoreOp::create(b, loc, p, probs,
                                    ValueRange{index(r), index(c * kLanes)});
          }
          Value rowSum = vector::ReductionOp::create(
              b, loc, vector::CombiningKind::ADD, sum);
          Value oldSum = memref::LoadOp::create(b, loc, sumRow, slot);
          Value newSum = arith::AddFOp::create(
              b, loc, arith::MulFOp::create(b, loc, oldSum, alpha), rowSum);
          memref::StoreOp::create(b, loc, newMax, maxRow, slot);
          memref::StoreOp::create(b, loc, newSum, sumRow, slot);
          alphas.push_back(alpha);
        }

        // Output rows: rescale, then add probabilities times V, in groups
        // of rows whose accumulators fit the registers.
        int64_t groupRows = std::max<int64_t>(
            1, std::min(tileRows, kAccumulators / valueVectors));
        for (int64_t first = 0; first < tileRows; first += groupRows) {
          int64_t count = std::min(groupRows, tileRows - first);
          SmallVector<Value> acc;
          for (int64_t r = first; r < first + count; ++r) {
            Value slot = arith::AddIOp::create(b, loc, tileRow, index(r));
            for (int64_t v = 0; v < valueVectors; ++v)
              acc.push_back(arith::MulFOp::create(
                  b, loc,
                  vector::LoadOp::create(b, loc, vectorType, outBlock,
                                         ValueRange{slot, index(v * kLanes)}),
                  broadcast(alphas[r])));
          }
          auto pv = scf::ForOp::create(
              b, loc, zero, keys, one, acc,
              [&](OpBuilder &, Location, Value j, ValueRange acc) {
                Value key = arith::AddIOp::create(b, loc, kv0, j);
                SmallVector<Value> values;
                for (int64_t v = 0; v < valueVectors; ++v) {
                  SmallVector<Value> at = {batch, kvHead, key,
                                           index(v * kLanes)};
                  values.push_back((v + 1) * kLanes > valueDim
                                       ? vector::MaskedLoadOp::create(
                                             b, loc, vectorType, value, at,
                                             valueMask(v), splat(0))
                                             .getResult()
                                       : vector::LoadOp::create(
                                             b, loc, vectorType, value, at)
                                             .getResult());
                }
                SmallVector<Value> next;
                for (int64_t r = first; r < first + count; ++r) {
                  Value p = broadcast(memref::LoadOp::create(
                      b, loc, probs, ValueRange{index(r), j}));
                  for (int64_t v = 0; v < valueVectors; ++v)
                    next.push_back(vector::FMAOp::create(
                        b, loc, p, values[v],
                        acc[(r - first) * valueVectors + v]));
                }
                scf::YieldOp::create(b, loc, next);
              });
          for (int64_t r = first; r < first + count; ++r) {
            Value slot = arith::AddIOp::create(b, loc, tileRow, index(r));
            for (int64_t v = 0; v < valueVectors; ++v)
              vector::StoreOp::create(
                  b, loc, pv.getResult((r - first) * valueVectors + v),
                  outBlock, ValueRange{slot, index(v * kLanes)});
          }
        }
        scf::YieldOp::create(b, loc);
      });
}

void FlexKernel::buildFinalize(Value batch, Value head, Value q0,
                               Value queryRows, Value outBlock, Value maxRow,
                               Value sumRow) {
  float negInf = -std::numeric_limits<float>::infinity();
  scf::ForOp::create(
      b, loc, index(0), queryRows, index(1), ValueRange{},
      [&](OpBuilder &, Location, Value row, ValueRange) {
        Value sum = memref::LoadOp::create(b, loc, sumRow, row);
        // A row whose keys are all masked has sum 0: output 0.
        Value any = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT,
                                          sum, f32(0));
        Value inverse = arith::SelectOp::create(
            b, loc, any, arith::DivFOp::create(b, loc, f32(1), sum), f32(0));
        Value queryRow = arith::AddIOp::create(b, loc, q0, row);
        for (int64_t v = 0; v < valueVectors; ++v) {
          Value o = arith::MulFOp::create(
              b, loc,
              vector::LoadOp::create(b, loc, vectorType, outBlock,
                                     ValueRange{row, index(v * kLanes)}),
              broadcast(inverse));
          SmallVector<Value> at = {batch, head, queryRow, index(v * kLanes)};
          if ((v + 1) * kLanes > valueDim)
            vector::MaskedStoreOp::create(b, loc, output, at, valueMask(v), o);
          else
            vector::StoreOp::create(b, loc, o, output, at);
        }
        if (lse) {
          Value max = memref::LoadOp::create(b, loc, maxRow, row);
          Value logSum = arith::AddFOp::create(
              b, loc, max, math::LogOp::create(b, loc, sum));
          memref::StoreOp::create(
              b, loc, arith::SelectOp::create(b, loc, any, logSum, f32(negInf)),
              lse, ValueRange{batch, head, queryRow});
        }
        scf::YieldOp::create(b, loc);
      });
}

namespace {
struct DDLFlexToCPUKernelPass final
    : attention::impl::DDLFlexToCPUKernelPassBase<DDLFlexToCPUKernelPass> {
  void runOnOperation() override {
    SmallVector<attn::FlexOp> ops;
    getOperation().walk([&](attn::FlexOp op) { ops.push_back(op); });
    for (attn::FlexOp op : ops) {
      // Other instances stay for ddl-flex-to-linalg.
      auto queryType = cast<RankedTensorType>(op.getQuery().getType());
      if (!queryType.getElementType().isF32() ||
          ShapedType::isDynamic(
              cast<RankedTensorType>(op.getValue().getType()).getDimSize(3)))
        continue;
      auto schedule =
          op->getAttrOfType<sched::AttentionAttr>(sched::kScheduleAttr);
      if (!schedule)
        schedule = sched::AttentionAttr::get(op->getContext(), {64, 64});
      OpBuilder b(op);
      FlexKernel(b, op, schedule).build();
    }
  }
};
} // namespace
