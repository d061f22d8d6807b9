//===- Mmt4dToVector.cpp - scheduled mmt4d to a vector micro-kernel -------===//

#include "passes/codegen/KernelNeighbours.h"
#include "passes/codegen/Passes.h"
#include "passes/codegen/Schedules.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

using namespace mlir;
using namespace ddl;
using namespace ddl::codegen;

namespace ddl::codegen {
#define GEN_PASS_DEF_DDLMMT4DTOVECTORPASS
#include "passes/codegen/Passes.h.inc"
} // namespace ddl::codegen

/// Whether `value` is an f32 memref of rank 4 with static inner sizes
/// `inner0` x `inner1` and an identity layout.
static bool isPackedBuffer(Value value, int64_t inner0, int64_t inner1) {
  auto type = dyn_cast<MemRefType>(value.getType());
  return type && type.getRank() == 4 && type.getElementType().isF32() &&
         type.getLayout().isIdentity() && type.getDimSize(2) == inner0 &&
         type.getDimSize(3) == inner1;
}

/// Builds `for (iv = lb; iv < ub; iv += step)` with `body(iv)`.
static void buildFor(OpBuilder &b, Location loc, Value lb, Value ub, Value step,
                     function_ref<void(OpBuilder &, Value)> body) {
  scf::ForOp::create(b, loc, lb, ub, step, ValueRange{},
                     [&](OpBuilder &nested, Location, Value iv, ValueRange) {
                       body(nested, iv);
                       scf::YieldOp::create(nested, loc);
                     });
}

/// The unpack of `op`'s result that follows it: a transpose [M1][N1][M0][N0]
/// -> [M1][M0][N1][N0] of the accumulator buffer that is its last use, into
/// an identity-layout buffer. The micro-kernel then keeps its tiles in that
/// buffer (the result's rows), so the packed result is never written.
static linalg::TransposeOp followingUnpack(linalg::Mmt4DOp op) {
  Value c = op.getDpsInits()[0];
  linalg::TransposeOp found;
  for (Operation *user : c.getUsers()) {
    // The kernel, its initialization, and copies out of c before it (the
    // other kernels' zero accumulators when c is the shared filled buffer).
    if (user == op.getOperation() ||
        isa<linalg::FillOp, memref::CopyOp, memref::DimOp>(user)) {
      if (user->getBlock() != op->getBlock() ||
          (isa<memref::CopyOp>(user) && !user->isBeforeInBlock(op)))
        return {};
      continue;
    }
    auto transpose = dyn_cast<linalg::TransposeOp>(user);
    if (!transpose || found || transpose.getInput() != c ||
        transpose->getBlock() != op->getBlock() ||
        !op->isBeforeInBlock(transpose) ||
        transpose.getPermutation() != ArrayRef<int64_t>{0, 2, 1, 3} ||
        !transpose.hasPureBufferSemantics())
      return {};
    found = transpose;
  }
  if (!found)
    return {};
  auto type = cast<MemRefType>(found.getInit().getType());
  if (!type.getLayout().isIdentity())
    return {};
  // Nothing between the kernel and the transpose may touch memory.
  for (Operation *next = op->getNextNode(); next != found.getOperation();
       next = next->getNextNode())
    if (!isMemoryEffectFree(next) && !onlyAllocates(next))
      return {};
  return found;
}

/// The pack of `op`'s left operand when the kernel can read A where it
/// already is instead: `a` is expand_shape([M1][K1][M0] -> [M1][K1][M0][1])
/// of a buffer that only a preceding linalg.transpose [M1][M0][K1] ->
/// [M1][K1][M0] writes (the K0 = 1 pack of a row-major A, padded or not).
/// The micro-kernel broadcasts one A element per row and k anyway, so it
/// reads them from the transpose's input, and the pack (a transposing copy
/// of all of A, a quarter of a ResNet's run time) disappears. Only ops that
/// cannot write that input may lie between the pack and the kernel.
static linalg::TransposeOp precedingPack(linalg::Mmt4DOp op) {
  Value a = op.getDpsInputs()[0];
  auto expand = a.getDefiningOp<memref::ExpandShapeOp>();
  if (!expand || expand.getReassociationIndices() !=
                     SmallVector<ReassociationIndices>{{0}, {1}, {2, 3}})
    return {};
  Value packed = expand.getSrc();
  if (!packed.getDefiningOp<memref::AllocOp>())
    return {};
  auto writesPacked = [&](Operation *candidate) {
    auto transpose = dyn_cast<linalg::TransposeOp>(candidate);
    return transpose && transpose.getInit() == packed;
  };
  // The nearest pack before the kernel; nothing in between may write A.
  linalg::TransposeOp found;
  for (Operation *prev = op->getPrevNode(); prev && !found;
       prev = prev->getPrevNode())
    if (writesPacked(prev))
      found = cast<linalg::TransposeOp>(prev);
  if (!found || found.getPermutation() != ArrayRef<int64_t>{0, 2, 1} ||
      !found.hasPureBufferSemantics() ||
      !cannotTouch(found, op, found.getInput()))
    return {};
  // The buffer may be reused for other packs (equal shapes share it), but
  // nothing else may read what this pack wrote: every other view's reader
  // comes before the pack or after the buffer's next write.
  Block *block = op->getBlock();
  Operation *nextWrite = nullptr;
  for (Operation *next = op->getNextNode(); next && !nextWrite;
       next = next->getNextNode())
    if (writesPacked(next))
      nextWrite = next;
  for (Operation *user : packed.getUsers()) {
    if (writesPacked(user) || isa<memref::DimOp>(user))
      continue;
    auto view = dyn_cast<memref::ExpandShapeOp>(user);
    if (!view)
      return {};
    for (Operation *reader : view->getUsers()) {
      if (reader == op.getOperation())
        continue;
      Operation *at = block->findAncestorOpInBlock(*reader);
      if (!at)
        return {};
      bool afterPack = found->isBeforeInBlock(at);
      bool beforeNextWrite = !nextWrite || at->isBeforeInBlock(nextWrite);
      if (afterPack && beforeNextWrite)
        return {};
    }
  }
  return found;
}

/// An elementwise epilogue of a kernel's unpacked result: `view` is the
/// [leading..., N] view of the [M, N] result buffer that the epilogue
/// reads (M = the product of `leadingSizes`), so the tile row r of the
/// result is the epilogue's element (delinearize(r), column).
struct MmtEpilogue {
  Epilogue epilogue;
  Value view;
  SmallVector<int64_t> leadingSizes;
};

/// The epilogue of the result that `unpack` writes, when the result is an
/// unpadded [M, N] buffer (so that its tiles are the epilogue's rows) read
/// through a reshape.
static MmtEpilogue findMmtEpilogue(linalg::TransposeOp unpack, int64_t m0,
                                   int64_t n0) {
  // The unpacked tiles [M1][M0][N1][N0] are an expand_shape of [M, N].
  auto tiles = unpack.getInit().getDefiningOp<memref::ExpandShapeOp>();
  if (!tiles)
    return {};
  Value result = tiles.getSrc();
  auto resultType = cast<MemRefType>(result.getType());
  if (resultType.getRank() != 2 || !resultType.hasStaticShape() ||
      !resultType.getLayout().isIdentity() ||
      tiles.getReassociationIndices() !=
          SmallVector<ReassociationIndices>{{0, 1}, {2, 3}})
    return {};
  Operation *next = unpack->getNextNode();
  while (next && (isMemoryEffectFree(next) || onlyAllocates(next)))
    next = next->getNextNode();
  auto generic = dyn_cast_or_null<linalg::GenericOp>(next);
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
    Epilogue epilogue = findEpilogue(unpack, input);
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

/// Whether the only users of `buffer` (and of its views) that read it are
/// `a` and `b`.
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
      if (auto transpose = dyn_cast<linalg::TransposeOp>(user);
          transpose && transpose.getInit() == v)
        continue; // Writes only.
      return false;
    }
  }
  return true;
}

static LogicalResult lowerMmt4d(RewriterBase &rewriter, linalg::Mmt4DOp op,
                                sched::ContractionAttr schedule) {
  Location loc = op.getLoc();
  int64_t m0 = schedule.getM0(), n0 = schedule.getN0(), k0 = schedule.getK0();
  ArrayRef<int64_t> cache = schedule.getCacheTile();
  Value a = op.getDpsInputs()[0], b = op.getDpsInputs()[1];
  Value c = op.getDpsInits()[0];
  if (k0 != 1 || !isPackedBuffer(a, m0, k0) || !isPackedBuffer(b, n0, k0) ||
      !isPackedBuffer(c, m0, n0))
    return op.emitError()
           << "the f32 micro-kernel needs K0 = 1 and identity-layout f32 "
              "buffers with the schedule's inner tiles "
           << m0 << "x" << k0 << ", " << n0 << "x" << k0 << " and " << m0 << "x"
           << n0;

  // Where A's elements come from: [M1][M0][K1] rows of the unpacked A, or
  // the packed [M1][K1][M0][1] tiles.
  linalg::TransposeOp pack = precedingPack(op);
  Value aRows = pack ? pack.getInput() : Value();
  AccumulatorInit accInit = precedingFill(op, c);
  Value fillValue = accInit.value;
  if (fillValue && !fillValue.getType().isF32())
    fillValue = {};
  // Where the tiles live: the packed buffer, or the rows of the unpacked
  // result [M1][M0][N1][N0] when the unpack follows.
  linalg::TransposeOp unpack = followingUnpack(op);
  Value tiles = unpack ? unpack.getInit() : c;
  auto tileIndices = [&](Value mi, Value ni, Value row, Value zeroIndex) {
    return unpack ? SmallVector<Value>{mi, row, ni, zeroIndex}
                  : SmallVector<Value>{mi, ni, row, zeroIndex};
  };
  // An elementwise epilogue of the unpacked result (bias, activation,
  // residual add) runs on the last k block's tiles in registers.
  MmtEpilogue epilogue =
      unpack ? findMmtEpilogue(unpack, m0, n0) : MmtEpilogue{};
  Value epilogueOut =
      epilogue.epilogue ? epilogue.epilogue.op.getDpsInits()[0] : Value();
  bool storeResult =
      !epilogue.epilogue ||
      (epilogueOut != epilogue.view &&
       !onlyReadBy(baseBuffer(tiles), unpack, epilogue.epilogue.op));
  // At the unpack (or the epilogue), when there is one: the result buffer
  // may be defined after the kernel (only memory-effect-free ops and
  // allocations lie in between).
  rewriter.setInsertionPoint(epilogue.epilogue ? epilogue.epilogue.op
                             : unpack          ? unpack.getOperation()
                                               : op.getOperation());
  auto index = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(rewriter, loc, v);
  };
  Value zero = index(0), one = index(1);
  // B and C as [N1][K1][N0] and [M1][N1][M0][N0]: rows of N0 contiguous
  // elements, the vector the micro-kernel loads.
  Value bRows = memref::CollapseShapeOp::create(
      rewriter, loc, b, ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3}});
  Value m1 = memref::DimOp::create(rewriter, loc, c, 0);
  Value n1 = memref::DimOp::create(rewriter, loc, c, 1);
  Value k1 = memref::DimOp::create(rewriter, loc, a, 1);
  bool parallelM = schedule.getParallelDim() == 0;
  Value mStep = index(cache[0]), nStep = index(cache[1]),
        kStep = index(cache[2]);
  auto vectorType = VectorType::get({n0}, rewriter.getF32Type());

  auto blockEnd = [](OpBuilder &builder, Location l, Value begin, Value step,
                     Value bound) -> Value {
    Value end = arith::AddIOp::create(builder, l, begin, step);
    return arith::MinSIOp::create(builder, l, end, bound);
  };

  // The micro-kernel for the tile (mi, ni) over k1 in [kBegin, kEnd).
  auto microKernel = [&](OpBuilder &builder, Value mi, Value ni, Value kBegin,
                         Value kEnd) {
    SmallVector<Value> rows;
    for (int64_t i = 0; i < m0; ++i) {
      Value row = arith::ConstantIndexOp::create(builder, loc, i);
      rows.push_back(row);
    }
    auto loadAccumulators = [&](OpBuilder &lb, bool fromTiles) {
      SmallVector<Value> loaded;
      for (int64_t i = 0; i < m0; ++i)
        loaded.push_back(vector::LoadOp::create(
            lb, loc, vectorType, fromTiles ? tiles : c,
            fromTiles ? tileIndices(mi, ni, rows[i], zero)
                      : SmallVector<Value>{mi, ni, rows[i], zero}));
      return loaded;
    };
    SmallVector<Value> accumulators;
    if (fillValue || unpack) {
      // First k block: the fill value, or the packed initial value; later
      // blocks: what the earlier ones stored.
      Value first = arith::CmpIOp::create(
          builder, loc, arith::CmpIPredicate::eq, kBegin, zero);
      auto init = scf::IfOp::create(
          builder, loc, first,
          [&](OpBuilder &tb, Location l) {
            if (!fillValue) {
              scf::YieldOp::create(tb, l, loadAccumulators(tb, false));
              return;
            }
            Value splat =
                vector::BroadcastOp::create(tb, l, vectorType, fillValue);
            scf::YieldOp::create(tb, l, SmallVector<Value>(m0, splat));
          },
          [&](OpBuilder &eb, Location l) {
            scf::YieldOp::create(eb, l, loadAccumulators(eb, true));
          });
      accumulators.append(init.getResults().begin(), init.getResults().end());
    } else {
      accumulators = loadAccumulators(builder, false);
    }
    auto loop = scf::ForOp::create(
        builder, loc, kBegin, kEnd, one, accumulators,
        [&](OpBuilder &kb, Location l, Value ki, ValueRange acc) {
          Value bRow = vector::LoadOp::create(kb, l, vectorType, bRows,
                                              ValueRange{ni, ki, zero});
          SmallVector<Value> next;
          for (int64_t i = 0; i < m0; ++i) {
            Value aValue =
                aRows ? memref::LoadOp::create(kb, l, aRows,
                                               ValueRange{mi, rows[i], ki})
                      : memref::LoadOp::create(
                            kb, l, a, ValueRange{mi, ki, rows[i], zero});
            Value aSplat =
                vector::BroadcastOp::create(kb, l, vectorType, aValue);
            next.push_back(vector::FMAOp::create(kb, l, aSplat, bRow, acc[i]));
          }
          scf::YieldOp::create(kb, l, next);
        });
    auto storeTiles = [&](OpBuilder &sb) {
      for (int64_t i = 0; i < m0; ++i)
        vector::StoreOp::create(sb, loc, loop.getResult(i), tiles,
                                tileIndices(mi, ni, rows[i], zero));
    };
    if (!epilogue.epilogue) {
      storeTiles(builder);
      return;
    }
    // Partial sums of earlier k blocks go back to the tiles; the last
    // block's go through the epilogue.
    Value lastBlock =
        arith::CmpIOp::create(builder, loc, arith::CmpIPredicate::eq, kEnd, k1);
    scf::IfOp::create(
        builder, loc, lastBlock,
        [&](OpBuilder &tb, Location l) {
          if (storeResult)
            storeTiles(tb);
          Value col = arith::MulIOp::create(
              tb, l, ni, arith::ConstantIndexOp::create(tb, l, n0));
          for (int64_t i = 0; i < m0; ++i) {
            Value row = arith::AddIOp::create(
                tb, l,
                arith::MulIOp::create(
                    tb, l, mi, arith::ConstantIndexOp::create(tb, l, m0)),
                rows[i]);
            SmallVector<Value> at =
                delinearizeRow(tb, l, row, epilogue.leadingSizes);
            at.push_back(col);
            applyEpilogue(tb, l, epilogue.epilogue, epilogue.view,
                          loop.getResult(i), at);
          }
          scf::YieldOp::create(tb, l);
        },
        [&](OpBuilder &eb, Location l) {
          storeTiles(eb);
          scf::YieldOp::create(eb, l);
        });
  };

  // parallel blocks -> k blocks -> blocks of the other dim -> n1 -> m1.
  Value pBound = parallelM ? m1 : n1, pStep = parallelM ? mStep : nStep;
  Value qBound = parallelM ? n1 : m1, qStep = parallelM ? nStep : mStep;
  scf::ParallelOp::create(
      rewriter, loc, ValueRange{zero}, ValueRange{pBound}, ValueRange{pStep},
      [&](OpBuilder &pb, Location l, ValueRange pivs) {
        Value pBegin = pivs[0];
        Value pEnd = blockEnd(pb, l, pBegin, pStep, pBound);
        buildFor(pb, l, zero, k1, kStep, [&](OpBuilder &kb, Value kBegin) {
          Value kEnd = blockEnd(kb, l, kBegin, kStep, k1);
          buildFor(
              kb, l, zero, qBound, qStep, [&](OpBuilder &qb, Value qBegin) {
                Value qEnd = blockEnd(qb, l, qBegin, qStep, qBound);
                Value mBegin = parallelM ? pBegin : qBegin;
                Value mEnd = parallelM ? pEnd : qEnd;
                Value nBegin = parallelM ? qBegin : pBegin;
                Value nEnd = parallelM ? qEnd : pEnd;
                buildFor(qb, l, nBegin, nEnd, one,
                         [&](OpBuilder &nb, Value ni) {
                           buildFor(nb, l, mBegin, mEnd, one,
                                    [&](OpBuilder &mb, Value mi) {
                                      microKernel(mb, mi, ni, kBegin, kEnd);
                                    });
                         });
              });
        });
      });
  rewriter.eraseOp(op);
  if (fillValue)
    rewriter.eraseOp(accInit.initializer);
  if (unpack)
    rewriter.eraseOp(unpack);
  if (epilogue.epilogue)
    rewriter.eraseOp(epilogue.epilogue.op);
  if (pack) {
    // The packed buffer is dead with its only writer and reader gone.
    Value packed = pack.getInit();
    rewriter.eraseOp(pack);
    // A and the buffer stay while other kernels read other packs there.
    if (auto expand = a.getDefiningOp<memref::ExpandShapeOp>();
        expand && expand->use_empty())
      rewriter.eraseOp(expand);
    if (Operation *alloc = packed.getDefiningOp(); alloc && alloc->use_empty())
      rewriter.eraseOp(alloc);
  }
  return success();
}

namespace {
struct DDLMmt4dToVectorPass final
    : codegen::impl::DDLMmt4dToVectorPassBase<DDLMmt4dToVectorPass> {
  void runOnOperation() override {
    SmallVector<linalg::Mmt4DOp> ops;
    getOperation().walk([&](linalg::Mmt4DOp op) {
      if (op.hasPureBufferSemantics() && op->hasAttr(sched::kScheduleAttr))
        ops.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::Mmt4DOp op : ops) {
      auto schedule =
          op->getAttrOfType<sched::ContractionAttr>(sched::kScheduleAttr);
      if (!schedule) {
        op.emitError() << "'" << sched::kScheduleAttr
                       << "' is not a #sched.contraction";
        return signalPassFailure();
      }
      if (failed(lowerMmt4d(rewriter, op, schedule)))
        return signalPassFailure();
    }
    eraseUnreadFills(getOperation());
  }
};
} // namespace
