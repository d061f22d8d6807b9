//===- ContractionToVector.cpp - scheduled contractions to vector FMAs ----===//

#include "passes/codegen/KernelNeighbours.h"
#include "passes/codegen/Passes.h"
#include "passes/codegen/Schedules.h"

#include "mlir/Dialect/Affine/Utils.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

using namespace mlir;
using namespace ddl;
using namespace ddl::codegen;

namespace ddl::codegen {
#define GEN_PASS_DEF_DDLCONTRACTIONTOVECTORPASS
#include "passes/codegen/Passes.h.inc"
} // namespace ddl::codegen

/// Whether `value` is an f32 memref of `rank` whose innermost dimension is
/// contiguous (so N0 consecutive elements are one vector load).
static bool isRowMajorF32(Value value, int64_t rank) {
  auto type = dyn_cast<MemRefType>(value.getType());
  return type && type.getRank() == rank && type.getElementType().isF32() &&
         type.isLastDimUnitStride();
}

namespace {
/// An A that one copy gathers from another buffer: a channels-last
/// convolution's im2col, A[(n, oh, ow), (kh, kw, c)] =
/// x[n, oh * s + kh * d, ow * s + kw * d, c]. A is collapse_shape(X) with
/// X's dims grouped [m dims][k dims], and the only write to X is a
/// linalg.generic that copies `source` through `map` (X's indices to
/// source's). The kernel reads `source` through the map instead and the
/// copy goes: no im2col buffer is written or read again. The map steps
/// source's last index with X's last one (which it uses nowhere else), so a
/// run of k inside one innermost group of X walks source's last dimension.
struct GatheredLhs {
  linalg::GenericOp copy;
  memref::CollapseShapeOp view;
  Value source;
  AffineMap map;
  /// X's sizes, m dims then k dims (only the first m size may be dynamic).
  SmallVector<int64_t> mSizes, kSizes;
};

/// A scheduled contraction C (+)= A B on buffers, as the kernel reads it.
struct Contraction {
  Value a, b, c;
  /// A, B and C have a leading batch dimension (linalg.batch_matmul).
  bool batched = false;
  /// A is stored [K][M] (a channels-first convolution's input).
  bool lhsTransposed = false;
  /// B is the compile-time packed [N1][K][N0] (zero-padded to N1 * N0
  /// columns), not [K][N].
  bool packedRhs = false;
  /// A is read from where its im2col copy gathers it.
  std::optional<GatheredLhs> gathered;
};
} // namespace

/// `a`, the A of the unbatched contraction `op`, as a GatheredLhs whose
/// source nothing writes between the copy and `op`; nullopt otherwise.
static std::optional<GatheredLhs> matchGatheredLhs(linalg::LinalgOp op,
                                                   Value a) {
  auto view = a.getDefiningOp<memref::CollapseShapeOp>();
  if (!view || view.getReassociationIndices().size() != 2)
    return std::nullopt;
  Value x = view.getSrc();
  if (!x.getDefiningOp<memref::AllocOp>())
    return std::nullopt;
  // X may be reused for several convolutions' im2col (bufferization shares
  // the buffer between copies whose lifetimes do not overlap): op reads
  // what the last copy into X before it wrote. Every use of X must be such
  // a copy or a view that contractions only read.
  linalg::GenericOp copy;
  for (Operation *user : x.getUsers()) {
    if (auto other = dyn_cast<memref::CollapseShapeOp>(user)) {
      for (Operation *reader : other->getUsers()) {
        auto linalgReader = dyn_cast<linalg::LinalgOp>(reader);
        if (!linalgReader ||
            !llvm::is_contained(linalgReader.getDpsInputs(),
                                other.getResult()) ||
            llvm::is_contained(linalgReader.getDpsInits(), other.getResult()))
          return std::nullopt;
      }
      continue;
    }
    auto generic = dyn_cast<linalg::GenericOp>(user);
    if (!generic || generic->getBlock() != op->getBlock() ||
        generic.getNumDpsInits() != 1 || generic.getDpsInits()[0] != x ||
        llvm::is_contained(generic.getDpsInputs(), x))
      return std::nullopt;
    if (generic->isBeforeInBlock(op) &&
        (!copy || copy->isBeforeInBlock(generic)))
      copy = generic;
  }
  if (!copy || !copy.hasPureBufferSemantics() || copy.getNumDpsInputs() != 1 ||
      copy.getNumParallelLoops() != copy.getNumLoops())
    return std::nullopt;
  Block &body = copy.getRegion().front();
  if (body.getOperations().size() != 1 ||
      body.getTerminator()->getNumOperands() != 1 ||
      body.getTerminator()->getOperand(0) != body.getArgument(0))
    return std::nullopt;
  SmallVector<AffineMap> maps = copy.getIndexingMapsArray();
  AffineMap map = maps[0];
  Value source = copy.getDpsInputs()[0];
  auto sourceType = dyn_cast<MemRefType>(source.getType());
  if (!maps[1].isIdentity() || map.getNumSymbols() != 0 ||
      map.getNumResults() == 0 || !sourceType ||
      !sourceType.getElementType().isF32())
    return std::nullopt;
  unsigned last = map.getNumDims() - 1;
  for (AffineExpr result : map.getResults().drop_back())
    if (result.isFunctionOfDim(last))
      return std::nullopt;
  AffineExpr rest = simplifyAffineExpr(
      map.getResults().back() - getAffineDimExpr(last, map.getContext()),
      map.getNumDims(), 0);
  if (rest.isFunctionOfDim(last))
    return std::nullopt;
  if (!cannotTouch(copy, op, source))
    return std::nullopt;
  GatheredLhs gathered{copy, view, source, map, {}, {}};
  auto xType = cast<MemRefType>(x.getType());
  SmallVector<ReassociationIndices> groups = view.getReassociationIndices();
  for (int64_t d : groups[0])
    gathered.mSizes.push_back(xType.getDimSize(d));
  for (int64_t d : groups[1])
    gathered.kSizes.push_back(xType.getDimSize(d));
  if (llvm::any_of(ArrayRef(gathered.mSizes).drop_front(),
                   ShapedType::isDynamic) ||
      llvm::any_of(gathered.kSizes, ShapedType::isDynamic))
    return std::nullopt;
  return gathered;
}

/// `op` as a Contraction the kernel can run with `schedule`, or an error.
static FailureOr<Contraction>
matchContraction(linalg::LinalgOp op, sched::ContractionAttr schedule) {
  Contraction kernel;
  kernel.a = op.getDpsInputs()[0];
  kernel.b = op.getDpsInputs()[1];
  kernel.c = op.getDpsInits()[0];
  kernel.batched = isa<linalg::BatchMatmulOp>(op.getOperation());
  if (auto generic = dyn_cast<linalg::GenericOp>(op.getOperation())) {
    std::optional<bool> transposed =
        matchPackedRhsContraction(generic, schedule.getN0());
    if (!transposed)
      return op.emitError()
             << "a scheduled linalg.generic must be ddl-data-tile's packed-B "
                "contraction with the schedule's N0 = "
             << schedule.getN0();
    kernel.lhsTransposed = *transposed;
    kernel.packedRhs = true;
  } else if (!hasDefaultMatmulMaps(op)) {
    return op.emitError() << "the f32 kernel needs the default indexing maps "
                             "(A (b, m, k), B (b, k, n), C (b, m, n))";
  }
  int64_t rank = kernel.batched ? 3 : 2;
  auto aType = dyn_cast<MemRefType>(kernel.a.getType());
  if (!aType || aType.getRank() != rank || !aType.getElementType().isF32() ||
      !isRowMajorF32(kernel.b, kernel.packedRhs ? 3 : rank) ||
      !isRowMajorF32(kernel.c, rank))
    return op.emitError() << "the f32 kernel needs f32 buffers whose rows "
                             "(B's and C's) are contiguous";
  if (!kernel.batched && !kernel.lhsTransposed)
    kernel.gathered = matchGatheredLhs(op, kernel.a);
  return kernel;
}

/// An elementwise epilogue of a kernel's [M, N] result (static, identity
/// layout): `view` is the [leading..., N] view of it that the epilogue
/// reads (M = the product of `leadingSizes`), so row r of the result is
/// the epilogue's element (delinearize(r), column).
struct ResultEpilogue {
  Epilogue epilogue;
  Value view;
  SmallVector<int64_t> leadingSizes;
};

static ResultEpilogue findResultEpilogue(Operation *kernel, Value result) {
  auto resultType = cast<MemRefType>(result.getType());
  if (resultType.getRank() != 2 || !resultType.hasStaticShape() ||
      !resultType.getLayout().isIdentity())
    return {};
  if (Epilogue direct = findEpilogue(kernel, result))
    return {direct, result, {resultType.getDimSize(0)}};
  auto generic = dyn_cast_or_null<linalg::GenericOp>(nextAfterKernel(kernel));
  if (!generic)
    return {};
  for (Value input : generic.getDpsInputs()) {
    auto view = input.getDefiningOp<memref::ExpandShapeOp>();
    if (!view || view.getSrc() != result)
      continue;
    ArrayRef<int64_t> shape = view.getResultType().getShape();
    SmallVector<ReassociationIndices> groups = view.getReassociationIndices();
    if (groups.size() != 2 || groups.back().size() != 1 ||
        shape.back() != resultType.getDimSize(1))
      continue;
    Epilogue epilogue = findEpilogue(kernel, input);
    if (!epilogue)
      return {};
    return {epilogue, input,
            SmallVector<int64_t>(shape.begin(), shape.end() - 1)};
  }
  return {};
}

/// The indices of row `row` of a [prod(sizes), N] matrix in [sizes..., N].
static SmallVector<Value> delinearizeRow(OpBuilder &b, Location loc, Value row,
                                         ArrayRef<int64_t> sizes) {
  SmallVector<Value> indices(sizes.size());
  for (int64_t d = sizes.size() - 1; d >= 0; --d) {
    Value size = arith::ConstantIndexOp::create(b, loc, sizes[d]);
    indices[d] = d == 0 ? row : arith::RemUIOp::create(b, loc, row, size);
    if (d > 0)
      row = arith::DivUIOp::create(b, loc, row, size);
  }
  return indices;
}

/// Whether `a` and `b` are the only ops that read `buffer` (or its views);
/// fills, copies into it and transposes into it only write.
static bool onlyReadBy(Value buffer, Operation *a, Operation *b) {
  SmallVector<Value> worklist = {buffer};
  while (!worklist.empty()) {
    Value v = worklist.pop_back_val();
    for (Operation *user : v.getUsers()) {
      if (user == a || user == b || isa<memref::DimOp>(user))
        continue;
      if (auto view = dyn_cast<ViewLikeOpInterface>(user);
          view && view.getViewSource() == v) {
        worklist.push_back(user->getResult(0));
        continue;
      }
      if (auto fill = dyn_cast<linalg::FillOp>(user);
          fill && fill.getOutputs()[0] == v)
        continue;
      if (auto copy = dyn_cast<memref::CopyOp>(user);
          copy && copy.getTarget() == v)
        continue;
      if (auto transpose = dyn_cast<linalg::TransposeOp>(user);
          transpose && transpose.getInit() == v)
        continue;
      return false;
    }
  }
  return true;
}

namespace {
/// Builds the loop nest of one scheduled contraction.
class KernelBuilder {
public:
  KernelBuilder(RewriterBase &rewriter, Location loc, const Contraction &kernel,
                sched::ContractionAttr schedule, Value fillValue,
                const ResultEpilogue &epilogue, bool storeResult)
      : rewriter(rewriter), loc(loc), kernel(kernel), m0(schedule.getM0()),
        n0(schedule.getN0()), schedule(schedule), fillValue(fillValue),
        epilogue(epilogue), storeResult(storeResult),
        vectorType(VectorType::get({n0}, rewriter.getF32Type())),
        maskType(VectorType::get({n0}, rewriter.getI1Type())) {}

  void build();

private:
  Value index(OpBuilder &builder, int64_t v) {
    return arith::ConstantIndexOp::create(builder, loc, v);
  }
  /// The indices of element (row, col) of `batch` in an [M][N]-like
  /// operand.
  SmallVector<Value> at(Value batch, Value row, Value col) {
    return kernel.batched ? SmallVector<Value>{batch, row, col}
                          : SmallVector<Value>{row, col};
  }
  SmallVector<Value> aAt(Value batch, Value row, Value k) {
    return kernel.lhsTransposed ? SmallVector<Value>{k, row}
                                : at(batch, row, k);
  }
  /// min(begin + step, bound).
  Value blockEnd(OpBuilder &builder, Value begin, int64_t step, Value bound) {
    Value end =
        arith::AddIOp::create(builder, loc, begin, index(builder, step));
    return arith::MinSIOp::create(builder, loc, end, bound);
  }
  /// `for (iv = lb; iv < ub; iv += step) body(iv)`.
  void loop(OpBuilder &builder, Value lb, Value ub, int64_t step,
            function_ref<void(OpBuilder &, Value)> body) {
    scf::ForOp::create(builder, loc, lb, ub, index(builder, step), ValueRange{},
                       [&](OpBuilder &nested, Location, Value iv, ValueRange) {
                         body(nested, iv);
                         scf::YieldOp::create(nested, loc);
                       });
  }
  /// One N0-wide row of `buffer` at `indices`: masked when `mask` is set
  /// (the last, partial column tile).
  Value loadRow(OpBuilder &builder, Value buffer, ValueRange indices,
                Value mask) {
    if (!mask)
      return vector::LoadOp::create(builder, loc, vectorType, buffer, indices);
    Value zero = arith::ConstantOp::create(
        builder, loc, DenseElementsAttr::get(vectorType, 0.0f));
    return vector::MaskedLoadOp::create(builder, loc, vectorType, buffer,
                                        indices, mask, zero);
  }
  void storeRow(OpBuilder &builder, Value value, ValueRange indices,
                Value mask) {
    if (!mask)
      vector::StoreOp::create(builder, loc, value, kernel.c, indices);
    else
      vector::MaskedStoreOp::create(builder, loc, kernel.c, indices, mask,
                                    value);
  }
  void microKernel(OpBuilder &builder, Value batch, Value row, int64_t rows,
                   Value col, Value mask, Value kBegin, Value kEnd);
  using KStep = function_ref<SmallVector<Value>(
      OpBuilder &, Value, ValueRange,
      function_ref<Value(OpBuilder &, unsigned)>)>;
  ValueRange gatheredKLoop(OpBuilder &builder, ArrayRef<Value> tileRows,
                           ValueRange accumulators, Value kBegin, Value kEnd,
                           KStep kStep);
  void tiles(OpBuilder &builder, Value batch, Value mBegin, Value mEnd,
             Value nBegin, Value nEnd, Value kBegin, Value kEnd);

  RewriterBase &rewriter;
  Location loc;
  Contraction kernel;
  int64_t m0, n0;
  sched::ContractionAttr schedule;
  Value fillValue;
  const ResultEpilogue &epilogue;
  bool storeResult;
  VectorType vectorType, maskType;
  Value kSize;
  /// M % M0 when M is static (the rows of the one partial row tile).
  std::optional<int64_t> staticRowsLeft;
};
} // namespace

/// The `rows` x N0 tile of C at (row, col) over k in [kBegin, kEnd): the
/// accumulators start from the fill value (first k block, when C was a
/// fill) or C, and per k take one load of B's row and, per row, one
/// broadcast of A and one FMA. The last k block's tiles go through the
/// epilogue when there is one.
void KernelBuilder::microKernel(OpBuilder &builder, Value batch, Value row,
                                int64_t rows, Value col, Value mask,
                                Value kBegin, Value kEnd) {
  SmallVector<Value> tileRows;
  for (int64_t i = 0; i < rows; ++i)
    tileRows.push_back(
        i == 0 ? row
               : arith::AddIOp::create(builder, loc, row, index(builder, i)));
  auto loadAccumulators = [&](OpBuilder &lb) {
    SmallVector<Value> loaded;
    for (Value r : tileRows)
      loaded.push_back(loadRow(lb, kernel.c, at(batch, r, col), mask));
    return loaded;
  };
  SmallVector<Value> accumulators;
  if (fillValue) {
    Value first = arith::CmpIOp::create(builder, loc, arith::CmpIPredicate::eq,
                                        kBegin, index(builder, 0));
    auto init = scf::IfOp::create(
        builder, loc, first,
        [&](OpBuilder &tb, Location l) {
          Value splat =
              vector::BroadcastOp::create(tb, l, vectorType, fillValue);
          scf::YieldOp::create(tb, l, SmallVector<Value>(rows, splat));
        },
        [&](OpBuilder &eb, Location l) {
          scf::YieldOp::create(eb, l, loadAccumulators(eb));
        });
    accumulators.append(init.getResults().begin(), init.getResults().end());
  } else {
    accumulators = loadAccumulators(builder);
  }
  // B's row for column tile `col`: in place, or the packed panel col / N0
  // (zero-padded, so never masked).
  Value panel = kernel.packedRhs ? arith::DivUIOp::create(builder, loc, col,
                                                          index(builder, n0))
                                       .getResult()
                                 : Value();
  // One k step: B's row k and, per row i, a broadcast of aValue(i) and an
  // FMA.
  auto kStep = [&](OpBuilder &kb, Value k, ValueRange acc,
                   function_ref<Value(OpBuilder &, unsigned)> aValue) {
    Value bRow =
        kernel.packedRhs
            ? loadRow(kb, kernel.b, ValueRange{panel, k, index(kb, 0)}, Value())
            : loadRow(kb, kernel.b, at(batch, k, col), mask);
    SmallVector<Value> next;
    for (auto [i, sum] : llvm::enumerate(acc)) {
      Value aSplat =
          vector::BroadcastOp::create(kb, loc, vectorType, aValue(kb, i));
      next.push_back(vector::FMAOp::create(kb, loc, aSplat, bRow, sum));
    }
    return next;
  };
  ValueRange sums =
      kernel.gathered
          ? gatheredKLoop(builder, tileRows, accumulators, kBegin, kEnd, kStep)
          : scf::ForOp::create(
                builder, loc, kBegin, kEnd, index(builder, 1), accumulators,
                [&](OpBuilder &kb, Location l, Value k, ValueRange acc) {
                  scf::YieldOp::create(
                      kb, l, kStep(kb, k, acc, [&](OpBuilder &ab, unsigned i) {
                        return memref::LoadOp::create(
                            ab, l, kernel.a, aAt(batch, tileRows[i], k));
                      }));
                })
                .getResults();
  auto storeTile = [&](OpBuilder &sb) {
    for (auto [r, sum] : llvm::zip(tileRows, sums))
      storeRow(sb, sum, at(batch, r, col), mask);
  };
  if (!epilogue.epilogue) {
    storeTile(builder);
    return;
  }
  // Partial sums of earlier k blocks go back to C; the last block's go
  // through the epilogue.
  Value lastBlock = arith::CmpIOp::create(
      builder, loc, arith::CmpIPredicate::eq, kEnd, kSize);
  scf::IfOp::create(
      builder, loc, lastBlock,
      [&](OpBuilder &tb, Location l) {
        if (storeResult)
          storeTile(tb);
        for (auto [r, sum] : llvm::zip(tileRows, sums)) {
          SmallVector<Value> indices =
              delinearizeRow(tb, l, r, epilogue.leadingSizes);
          indices.push_back(col);
          applyEpilogue(tb, l, epilogue.epilogue, epilogue.view, sum, indices,
                        mask);
        }
        scf::YieldOp::create(tb, l);
      },
      [&](OpBuilder &eb, Location l) {
        storeTile(eb);
        scf::YieldOp::create(eb, l);
      });
}

/// The k loop of a tile whose A is gathered (GatheredLhs): k in
/// [kBegin, kEnd) is walked in runs inside one innermost k group of X (one
/// (kh, kw) tap's channels, or a row's KW x C floats), where each row's A
/// is a contiguous run of source; the source indices of a run's start are
/// computed per row once per run (the m indices once per tile).
ValueRange KernelBuilder::gatheredKLoop(OpBuilder &builder,
                                        ArrayRef<Value> tileRows,
                                        ValueRange accumulators, Value kBegin,
                                        Value kEnd, KStep kStep) {
  const GatheredLhs &gathered = *kernel.gathered;
  SmallVector<SmallVector<Value>> rowIndices;
  for (Value r : tileRows)
    rowIndices.push_back(delinearizeRow(builder, loc, r, gathered.mSizes));
  Value inner = index(builder, gathered.kSizes.back());
  Value runBegin = arith::DivUIOp::create(builder, loc, kBegin, inner);
  Value runEnd = arith::CeilDivUIOp::create(builder, loc, kEnd, inner);
  ArrayRef<int64_t> outerSizes = ArrayRef(gathered.kSizes).drop_back();
  auto runs = scf::ForOp::create(
      builder, loc, runBegin, runEnd, index(builder, 1), accumulators,
      [&](OpBuilder &rb, Location l, Value run, ValueRange acc) {
        Value start = arith::MulIOp::create(rb, l, run, inner);
        Value lo = arith::SubIOp::create(
            rb, l, arith::MaxUIOp::create(rb, l, kBegin, start), start);
        Value hi = arith::SubIOp::create(
            rb, l,
            arith::MinUIOp::create(rb, l, kEnd,
                                   arith::AddIOp::create(rb, l, start, inner)),
            start);
        SmallVector<Value> kIndices =
            outerSizes.empty() ? SmallVector<Value>{}
                               : delinearizeRow(rb, l, run, outerSizes);
        kIndices.push_back(index(rb, 0));
        SmallVector<SmallVector<Value>> sourceRows;
        for (ArrayRef<Value> mIndices : rowIndices) {
          SmallVector<Value> dims(mIndices);
          dims.append(kIndices);
          SmallVector<Value> at;
          for (AffineExpr e : gathered.map.getResults())
            at.push_back(affine::expandAffineExpr(rb, l, e, dims, {}));
          sourceRows.push_back(std::move(at));
        }
        auto inRun = scf::ForOp::create(
            rb, l, lo, hi, index(rb, 1), acc,
            [&](OpBuilder &kb, Location il, Value j, ValueRange sums) {
              Value k = arith::AddIOp::create(kb, il, start, j);
              scf::YieldOp::create(
                  kb, il, kStep(kb, k, sums, [&](OpBuilder &ab, unsigned i) {
                    SmallVector<Value> at = sourceRows[i];
                    at.back() = arith::AddIOp::create(ab, il, at.back(), j);
                    return memref::LoadOp::create(ab, il, gathered.source, at)
                        .getResult();
                  }));
            });
        scf::YieldOp::create(rb, l, inRun.getResults());
      });
  return runs.getResults();
}

/// The tiles of C in rows [mBegin, mEnd) and columns [nBegin, nEnd), column
/// tiles outermost (a B panel stays in L1 across the row tiles): full N0
/// tiles, then one masked tile for the columns left; per column tile, full
/// M0-row tiles, then the rows left (one tile of M % M0 rows when M is
/// static, else single rows).
void KernelBuilder::tiles(OpBuilder &builder, Value batch, Value mBegin,
                          Value mEnd, Value nBegin, Value nEnd, Value kBegin,
                          Value kEnd) {
  auto fullEnd = [&](OpBuilder &fb, Value begin, Value end, int64_t step) {
    Value size = arith::SubIOp::create(fb, loc, end, begin);
    Value stepValue = index(fb, step);
    Value whole = arith::MulIOp::create(
        fb, loc, arith::DivUIOp::create(fb, loc, size, stepValue), stepValue);
    return arith::AddIOp::create(fb, loc, begin, whole).getResult();
  };
  auto rowTiles = [&](OpBuilder &rb, Value col, Value mask) {
    Value mFull = fullEnd(rb, mBegin, mEnd, m0);
    loop(rb, mBegin, mFull, m0, [&](OpBuilder &tb, Value row) {
      microKernel(tb, batch, row, m0, col, mask, kBegin, kEnd);
    });
    if (staticRowsLeft) {
      if (*staticRowsLeft == 0)
        return;
      Value partial = arith::CmpIOp::create(rb, loc, arith::CmpIPredicate::ult,
                                            mFull, mEnd);
      scf::IfOp::create(rb, loc, partial, [&](OpBuilder &pb, Location l) {
        microKernel(pb, batch, mFull, *staticRowsLeft, col, mask, kBegin, kEnd);
        scf::YieldOp::create(pb, l);
      });
      return;
    }
    if (m0 > 1)
      loop(rb, mFull, mEnd, 1, [&](OpBuilder &tb, Value row) {
        microKernel(tb, batch, row, 1, col, mask, kBegin, kEnd);
      });
  };
  Value nFull = fullEnd(builder, nBegin, nEnd, n0);
  loop(builder, nBegin, nFull, n0,
       [&](OpBuilder &cb, Value col) { rowTiles(cb, col, Value()); });
  Value partial = arith::CmpIOp::create(builder, loc, arith::CmpIPredicate::ult,
                                        nFull, nEnd);
  scf::IfOp::create(builder, loc, partial, [&](OpBuilder &pb, Location l) {
    Value left = arith::SubIOp::create(pb, l, nEnd, nFull);
    Value mask = vector::CreateMaskOp::create(pb, l, maskType, left);
    rowTiles(pb, nFull, mask);
    scf::YieldOp::create(pb, l);
  });
}

/// parallel (batch, blocks of the parallel dimension) -> k blocks -> blocks
/// of the other dimension -> tiles.
void KernelBuilder::build() {
  ArrayRef<int64_t> cache = schedule.getCacheTile();
  unsigned lead = kernel.batched ? 1 : 0;
  auto cType = cast<MemRefType>(kernel.c.getType());
  if (!cType.isDynamicDim(lead))
    staticRowsLeft = cType.getDimSize(lead) % m0;
  Value zero = index(rewriter, 0), one = index(rewriter, 1);
  Value batches =
      kernel.batched ? memref::DimOp::create(rewriter, loc, kernel.c, 0) : one;
  Value mSize = memref::DimOp::create(rewriter, loc, kernel.c, lead);
  Value nSize = memref::DimOp::create(rewriter, loc, kernel.c, lead + 1);
  // A gathered A's view goes with its copy: its K is static.
  kSize = kernel.gathered
              ? index(rewriter, llvm::product_of(kernel.gathered->kSizes))
              : memref::DimOp::create(rewriter, loc, kernel.a,
                                      kernel.lhsTransposed ? 0 : lead + 1)
                    .getResult();
  bool parallelM = schedule.getParallelDim() == 0;
  int64_t mBlock = cache[0] * m0, nBlock = cache[1] * n0, kBlock = cache[2];
  Value pSize = parallelM ? mSize : nSize, qSize = parallelM ? nSize : mSize;
  int64_t pBlock = parallelM ? mBlock : nBlock,
          qBlock = parallelM ? nBlock : mBlock;
  Value pBlocks =
      arith::CeilDivUIOp::create(rewriter, loc, pSize, index(rewriter, pBlock));
  Value total = arith::MulIOp::create(rewriter, loc, batches, pBlocks);
  scf::ParallelOp::create(
      rewriter, loc, ValueRange{zero}, ValueRange{total}, ValueRange{one},
      [&](OpBuilder &pb, Location, ValueRange ivs) {
        Value batch = arith::DivUIOp::create(pb, loc, ivs[0], pBlocks);
        Value block = arith::RemUIOp::create(pb, loc, ivs[0], pBlocks);
        Value pBegin = arith::MulIOp::create(pb, loc, block, index(pb, pBlock));
        Value pEnd = blockEnd(pb, pBegin, pBlock, pSize);
        loop(pb, zero, kSize, kBlock, [&](OpBuilder &kb, Value kBegin) {
          Value kEnd = blockEnd(kb, kBegin, kBlock, kSize);
          loop(kb, zero, qSize, qBlock, [&](OpBuilder &qb, Value qBegin) {
            Value qEnd = blockEnd(qb, qBegin, qBlock, qSize);
            if (parallelM)
              tiles(qb, batch, pBegin, pEnd, qBegin, qEnd, kBegin, kEnd);
            else
              tiles(qb, batch, qBegin, qEnd, pBegin, pEnd, kBegin, kEnd);
          });
        });
      });
}

static LogicalResult lowerContraction(RewriterBase &rewriter,
                                      linalg::LinalgOp op,
                                      sched::ContractionAttr schedule) {
  if (failed(checkF32Schedule(schedule, [&] { return op.emitError(); })))
    return failure();
  FailureOr<Contraction> kernel = matchContraction(op, schedule);
  if (failed(kernel))
    return failure();
  AccumulatorInit init = precedingFill(op, kernel->c);
  Value fillValue =
      init.value && init.value.getType().isF32() ? init.value : Value();
  // An elementwise epilogue of an unbatched result (bias, activation,
  // residual add) runs on the last k block's tiles in registers; the
  // result itself is then stored only when something else reads it.
  ResultEpilogue epilogue =
      kernel->batched ? ResultEpilogue{} : findResultEpilogue(op, kernel->c);
  bool storeResult = true;
  // An epilogue that writes over A or B (a residual add done in place on
  // the kernel's own input) would clobber what later tiles still read.
  if (epilogue.epilogue) {
    Value outBase = baseBuffer(epilogue.epilogue.op.getDpsInits()[0]);
    if (outBase == baseBuffer(kernel->a) || outBase == baseBuffer(kernel->b) ||
        (kernel->gathered && outBase == baseBuffer(kernel->gathered->source)))
      epilogue = {};
  }
  // The kernel is emitted at its epilogue: the gathered source must still
  // hold its values there.
  if (epilogue.epilogue && kernel->gathered &&
      !cannotTouch(op, epilogue.epilogue.op, kernel->gathered->source))
    kernel->gathered.reset();
  if (epilogue.epilogue) {
    Value out = epilogue.epilogue.op.getDpsInits()[0];
    storeResult = out != epilogue.view &&
                  !onlyReadBy(baseBuffer(kernel->c), op, epilogue.epilogue.op);
    // The result buffer of the epilogue may be defined after the kernel
    // (only memory-effect-free ops and allocations lie in between).
    rewriter.setInsertionPoint(epilogue.epilogue.op);
  } else {
    rewriter.setInsertionPoint(op);
  }
  KernelBuilder(rewriter, op.getLoc(), *kernel, schedule, fillValue, epilogue,
                storeResult)
      .build();
  rewriter.eraseOp(op);
  if (epilogue.epilogue)
    rewriter.eraseOp(epilogue.epilogue.op);
  // An im2col copy that no kernel reads any more goes with
  // eraseWriteOnlyBuffers, after all kernels.
  if (kernel->gathered && kernel->gathered->view->use_empty())
    rewriter.eraseOp(kernel->gathered->view);
  if (fillValue && init.initializer)
    rewriter.eraseOp(init.initializer);
  return success();
}

namespace {
struct DDLContractionToVectorPass final
    : codegen::impl::DDLContractionToVectorPassBase<
          DDLContractionToVectorPass> {
  void runOnOperation() override {
    SmallVector<linalg::LinalgOp> ops;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (isa<linalg::BatchMatmulOp, linalg::MatmulOp, linalg::GenericOp>(
              op.getOperation()) &&
          op.hasPureBufferSemantics() && op->hasAttr(sched::kScheduleAttr))
        ops.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::LinalgOp op : ops) {
      auto schedule =
          op->getAttrOfType<sched::ContractionAttr>(sched::kScheduleAttr);
      if (!schedule) {
        op.emitError() << "'" << sched::kScheduleAttr
                       << "' is not a #sched.contraction";
        return signalPassFailure();
      }
      if (failed(lowerContraction(rewriter, op, schedule)))
        return signalPassFailure();
    }
    eraseWriteOnlyBuffers(getOperation());
  }
};
} // namespace
