//===- RowKernel.cpp - loop nest of the weight-row CPU kernels ------------===//

#include "passes/quant/RowKernel.h"
#include "passes/quant/Passes.h"

using namespace mlir;
using namespace ddl;

quant::RowKernelBuffers quant::rowKernelBuffers(OpBuilder &b, Location loc,
                                                Value input, Value weights,
                                                RankedTensorType resultType) {
  auto inputType = cast<RankedTensorType>(input.getType());
  int64_t rank = inputType.getRank();
  RowKernelBuffers buffers;
  buffers.input = bufferization::ToBufferOp::create(
      b, loc, MemRefType::get(inputType.getShape(), inputType.getElementType()),
      input,
      /*read_only=*/true);
  ReassociationIndices rowsDims =
      llvm::to_vector(llvm::seq<int64_t>(0, rank - 1));
  if (rank > 2)
    buffers.input = memref::CollapseShapeOp::create(
        b, loc, buffers.input,
        ArrayRef<ReassociationIndices>{rowsDims, {rank - 1}});
  if (auto weightsType = dyn_cast_if_present<RankedTensorType>(
          weights ? weights.getType() : Type()))
    buffers.weights = bufferization::ToBufferOp::create(
        b, loc,
        MemRefType::get(weightsType.getShape(), weightsType.getElementType()),
        weights,
        /*read_only=*/true);
  SmallVector<Value> dynamicSizes;
  for (int64_t d = 0; d < rank; ++d)
    if (resultType.isDynamicDim(d))
      dynamicSizes.push_back(
          d == rank - 1 ? tensor::DimOp::create(b, loc, weights, 0).getResult()
                        : tensor::DimOp::create(b, loc, input, d).getResult());
  buffers.result = memref::AllocOp::create(
      b, loc,
      MemRefType::get(resultType.getShape(), resultType.getElementType()),
      dynamicSizes);
  buffers.out = buffers.result;
  if (rank > 2)
    buffers.out = memref::CollapseShapeOp::create(
        b, loc, buffers.result,
        ArrayRef<ReassociationIndices>{rowsDims, {rank - 1}});
  return buffers;
}

void quant::buildRowTileLoops(OpBuilder &b, Location loc, Value rows, int64_t n,
                              int64_t outputs, int64_t tileRows,
                              int64_t rowsPerTask, RowTile tile) {
  auto index = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  auto add = [&](Value x, Value y) -> Value {
    return arith::AddIOp::create(b, loc, x, y);
  };
  auto mul = [&](Value x, Value y) -> Value {
    return arith::MulIOp::create(b, loc, x, y);
  };
  Value zero = index(0), one = index(1);
  int64_t columnBlocks = llvm::divideCeil(n, outputs);
  Value rowTasks = arith::CeilDivUIOp::create(b, loc, rows, index(rowsPerTask));
  auto parallel = scf::ParallelOp::create(
      b, loc, ValueRange{zero}, ValueRange{mul(rowTasks, index(columnBlocks))},
      ValueRange{one});
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPoint(parallel.getBody()->getTerminator());
  Value it = parallel.getInductionVars()[0];
  Value rowTask = arith::DivUIOp::create(b, loc, it, index(columnBlocks));
  Value n0 = mul(arith::RemUIOp::create(b, loc, it, index(columnBlocks)),
                 index(outputs));
  SmallVector<Value> clamped;
  for (int64_t j = 0; j < outputs; ++j)
    clamped.push_back(
        arith::MinUIOp::create(b, loc, add(n0, index(j)), index(n - 1)));
  Value firstRow = mul(rowTask, index(rowsPerTask));
  Value endRow =
      arith::MinUIOp::create(b, loc, add(firstRow, index(rowsPerTask)), rows);
  Value tiles = arith::DivUIOp::create(
      b, loc, arith::SubIOp::create(b, loc, endRow, firstRow), index(tileRows));
  Value tilesEnd = add(firstRow, mul(tiles, index(tileRows)));
  scf::ForOp::create(b, loc, firstRow, tilesEnd, index(tileRows), ValueRange{},
                     [&](OpBuilder &, Location, Value m0, ValueRange) {
                       tile(m0, tileRows, n0, clamped);
                       scf::YieldOp::create(b, loc);
                     });
  scf::ForOp::create(b, loc, tilesEnd, endRow, one, ValueRange{},
                     [&](OpBuilder &, Location, Value m, ValueRange) {
                       tile(m, 1, n0, clamped);
                       scf::YieldOp::create(b, loc);
                     });
}

void quant::storeTileSums(OpBuilder &b, Location loc, Value out, int64_t n,
                          Value n0, int64_t outputs, ArrayRef<Value> rowIndex,
                          ArrayRef<Value> acc,
                          function_ref<Value(Value, int64_t)> finish) {
  for (int64_t j = 0; j < outputs; ++j) {
    Value column = arith::AddIOp::create(
        b, loc, n0, arith::ConstantIndexOp::create(b, loc, j));
    auto exists = scf::IfOp::create(
        b, loc,
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, column,
                              arith::ConstantIndexOp::create(b, loc, n)),
        false);
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(exists.thenBlock());
    for (auto [r, row] : llvm::enumerate(rowIndex)) {
      Value sum = vector::ReductionOp::create(
          b, loc, vector::CombiningKind::ADD, acc[r * outputs + j]);
      memref::StoreOp::create(b, loc, finish(sum, int64_t(r)), out,
                              ValueRange{row, column});
    }
  }
}

Value quant::splatInt(OpBuilder &b, Location loc, VectorType type, int64_t v) {
  return arith::ConstantOp::create(
      b, loc,
      DenseElementsAttr::get(
          type,
          b.getIntegerAttr(type.getElementType(),
                           APInt(type.getElementTypeBitWidth(), uint64_t(v)))));
}

Value quant::rowKernelResult(OpBuilder &b, Location loc,
                             const RowKernelBuffers &buffers,
                             RankedTensorType resultType) {
  return bufferization::ToTensorOp::create(b, loc, resultType, buffers.result,
                                           /*restrict=*/true,
                                           /*writable=*/true);
}
