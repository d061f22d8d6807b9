//===- ContractionKernels.cpp - tiled SIMT GEMM kernels for contractions --===//
//
// See DDLGPUContractionKernelsPass in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "passes/codegen/KernelNeighbours.h"
#include "passes/codegen/gpu/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

namespace ddl::gpugen {
#define GEN_PASS_DEF_DDLGPUCONTRACTIONKERNELSPASS
#include "passes/codegen/gpu/Passes.h.inc"
} // namespace ddl::gpugen

using namespace mlir;

namespace {

/// The tile sizes of one kernel: a block computes blockM x blockN outputs,
/// staging blockK-deep slices of A and B in shared memory; each thread
/// computes threadM x threadN of them in registers.
struct Tiles {
  int64_t blockM, blockN, blockK, threadM, threadN;
  int64_t threads() const { return (blockM / threadM) * (blockN / threadN); }
};

/// A contraction this pass can run: f32, one m, n and k loop, any number
/// of batch loops, every operand indexed by a projected permutation.
struct Contraction {
  linalg::LinalgOp op;
  unsigned m, n, k;
  SmallVector<unsigned> batch;
};

std::optional<Contraction> matchContraction(linalg::LinalgOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1 || !linalg::isaContractionOpInterface(op))
    return std::nullopt;
  for (OpOperand &operand : op->getOpOperands()) {
    auto type = dyn_cast<MemRefType>(operand.get().getType());
    if (!type || !type.getElementType().isF32() ||
        !op.getMatchingIndexingMap(&operand).isProjectedPermutation())
      return std::nullopt;
  }
  FailureOr<linalg::ContractionDimensions> dims =
      linalg::inferContractionDims(op);
  if (failed(dims) || dims->m.size() != 1 || dims->n.size() != 1 ||
      dims->k.size() != 1)
    return std::nullopt;
  return Contraction{
      op, dims->m[0], dims->n[0], dims->k[0],
      SmallVector<unsigned>(dims->batch.begin(), dims->batch.end())};
}

/// Emits the kernel for `c` in place of the op.
class KernelBuilder {
public:
  /// With `fillValue`, C is known to hold that value everywhere before the
  /// kernel: the accumulators start from it and C is written, not read.
  KernelBuilder(OpBuilder &b, Contraction c, const Tiles &tiles,
                Value fillValue)
      : b(b), c(c), tiles(tiles), loc(c.op.getLoc()), fillValue(fillValue) {}

  void build() {
    // Loop sizes, on the host.
    SmallVector<Range> ranges = c.op.createLoopRanges(b, loc);
    for (Range &r : ranges)
      sizes.push_back(getValueOrCreateConstantIndexOp(b, loc, r.size));
    Value one = index(1);
    Value gridX =
        arith::CeilDivSIOp::create(b, loc, sizes[c.n], index(tiles.blockN));
    Value gridY =
        arith::CeilDivSIOp::create(b, loc, sizes[c.m], index(tiles.blockM));
    Value gridZ = one;
    for (unsigned d : c.batch)
      gridZ = arith::MulIOp::create(b, loc, gridZ, sizes[d]);

    MLIRContext *context = b.getContext();
    auto workgroup = ::mlir::gpu::AddressSpaceAttr::get(
        context, ::mlir::gpu::AddressSpace::Workgroup);
    // A is staged k-major and padded (a row of the slice per k), so that
    // the threads of a warp storing consecutive k hit different banks.
    aPitch = tiles.blockM + 4;
    auto aType = MemRefType::get({tiles.blockK, aPitch}, b.getF32Type(),
                                 MemRefLayoutAttrInterface(), workgroup);
    auto bType = MemRefType::get({tiles.blockK, tiles.blockN}, b.getF32Type(),
                                 MemRefLayoutAttrInterface(), workgroup);
    auto launch = ::mlir::gpu::LaunchOp::create(
        b, loc, gridX, gridY, gridZ, index(tiles.threads()), one, one,
        /*dynamicSharedMemorySize=*/nullptr, /*asyncTokenType=*/nullptr,
        /*asyncDependencies=*/{}, TypeRange{aType, bType});
    OpBuilder::InsertionGuard guard(b);
    Block &body = launch.getBody().front();
    b.setInsertionPointToStart(&body);
    aTile = launch.getWorkgroupAttributions()[0];
    bTile = launch.getWorkgroupAttributions()[1];
    buildBody(launch);
    ::mlir::gpu::TerminatorOp::create(b, loc);
  }

private:
  Value index(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return arith::MulIOp::create(b, loc, x, y); }
  Value lessThan(Value x, Value y) {
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, x, y);
  }
  Value both(Value x, Value y) { return arith::AndIOp::create(b, loc, x, y); }

  /// Indices of `operand` at the loop position `ivs` (one per loop; the
  /// loops the operand does not use may be null).
  SmallVector<Value> indicesOf(OpOperand &operand, ArrayRef<Value> ivs) {
    AffineMap map = c.op.getMatchingIndexingMap(&operand);
    SmallVector<Value> indices;
    for (unsigned r = 0; r < map.getNumResults(); ++r)
      indices.push_back(ivs[map.getDimPosition(r)]);
    return indices;
  }

  /// `operand` at `ivs` when `inBounds`, else 0.
  Value loadOrZero(OpOperand &operand, ArrayRef<Value> ivs, Value inBounds) {
    auto ifOp = scf::IfOp::create(b, loc, b.getF32Type(), inBounds,
                                  /*withElseRegion=*/true);
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(ifOp.thenBlock());
      Value v = memref::LoadOp::create(b, loc, operand.get(),
                                       indicesOf(operand, ivs));
      scf::YieldOp::create(b, loc, v);
      b.setInsertionPointToStart(ifOp.elseBlock());
      Value zero = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0));
      scf::YieldOp::create(b, loc, zero);
    }
    return ifOp.getResult(0);
  }

  /// Stages into `tile` ([k][d]) the slice of `operand` that loop `d`
  /// (`extent` positions from `d0`) and the k loop (blockK from `k0`) span,
  /// zero outside the operand; consecutive threads take consecutive k
  /// (`kFastest`, for A) or consecutive d (for B), so that the reads are
  /// coalesced along the operand's rows.
  void stageSlice(OpOperand &operand, Value tile, unsigned d, Value d0,
                  int64_t extent, Value k0, bool kFastest, Value tid,
                  SmallVector<Value> &ivs) {
    int64_t fastest = kFastest ? tiles.blockK : extent;
    for (int64_t l = 0; l < extent * tiles.blockK / tiles.threads(); ++l) {
      Value i = add(tid, index(l * tiles.threads()));
      Value fast = arith::RemSIOp::create(b, loc, i, index(fastest));
      Value slow = arith::DivSIOp::create(b, loc, i, index(fastest));
      Value kk = kFastest ? fast : slow;
      Value dd = kFastest ? slow : fast;
      ivs[d] = add(d0, dd);
      ivs[c.k] = add(k0, kk);
      Value inBounds =
          both(lessThan(ivs[d], sizes[d]), lessThan(ivs[c.k], sizes[c.k]));
      Value v = loadOrZero(operand, ivs, inBounds);
      memref::StoreOp::create(b, loc, v, tile, ValueRange{kk, dd});
    }
  }

  void buildBody(::mlir::gpu::LaunchOp launch) {
    Value tid = launch.getThreadIds().x;
    Value columns = index(tiles.blockN / tiles.threadN);
    Value tx = arith::RemSIOp::create(b, loc, tid, columns);
    Value ty = arith::DivSIOp::create(b, loc, tid, columns);
    Value m0 = mul(launch.getBlockIds().y, index(tiles.blockM));
    Value n0 = mul(launch.getBlockIds().x, index(tiles.blockN));
    SmallVector<Value> ivs(sizes.size());
    // The batch position, delinearized from block z (last batch loop
    // fastest).
    Value rest = launch.getBlockIds().z;
    for (unsigned d : llvm::reverse(c.batch)) {
      ivs[d] = arith::RemSIOp::create(b, loc, rest, sizes[d]);
      rest = arith::DivSIOp::create(b, loc, rest, sizes[d]);
    }
    OpOperand &lhs = c.op->getOpOperand(0);
    OpOperand &rhs = c.op->getOpOperand(1);
    OpOperand &out = c.op->getOpOperand(2);
    int64_t accumulators = tiles.threadM * tiles.threadN;
    Value start = fillValue
                      ? fillValue
                      : arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0))
                            .getResult();
    SmallVector<Value> init(accumulators, start);

    auto kLoop = scf::ForOp::create(b, loc, index(0), sizes[c.k],
                                    index(tiles.blockK), init);
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(kLoop.getBody());
      Value k0 = kLoop.getInductionVar();
      // Stage the A slice (blockM x blockK) and the B slice (blockK x
      // blockN): consecutive threads read consecutive k of A and n of B.
      stageSlice(lhs, aTile, c.m, m0, tiles.blockM, k0, /*kFastest=*/true, tid,
                 ivs);
      stageSlice(rhs, bTile, c.n, n0, tiles.blockN, k0, /*kFastest=*/false, tid,
                 ivs);
      ::mlir::gpu::BarrierOp::create(b, loc);
      // The register tile: threadM values of A and threadN of B per k.
      auto inner = scf::ForOp::create(b, loc, index(0), index(tiles.blockK),
                                      index(1), kLoop.getRegionIterArgs());
      {
        OpBuilder::InsertionGuard innerGuard(b);
        b.setInsertionPointToStart(inner.getBody());
        Value kk = inner.getInductionVar();
        SmallVector<Value> a, bv;
        for (int64_t i = 0; i < tiles.threadM; ++i)
          a.push_back(memref::LoadOp::create(
              b, loc, aTile,
              ValueRange{kk, add(mul(ty, index(tiles.threadM)), index(i))}));
        for (int64_t j = 0; j < tiles.threadN; ++j)
          bv.push_back(memref::LoadOp::create(
              b, loc, bTile,
              ValueRange{kk, add(mul(tx, index(tiles.threadN)), index(j))}));
        SmallVector<Value> next;
        for (int64_t i = 0; i < tiles.threadM; ++i)
          for (int64_t j = 0; j < tiles.threadN; ++j)
            next.push_back(math::FmaOp::create(
                b, loc, a[i], bv[j],
                inner.getRegionIterArgs()[i * tiles.threadN + j]));
        scf::YieldOp::create(b, loc, next);
      }
      ::mlir::gpu::BarrierOp::create(b, loc);
      scf::YieldOp::create(b, loc, inner.getResults());
    }

    // C += the register tile (C = it, after a folded fill), inside the
    // bounds.
    for (int64_t i = 0; i < tiles.threadM; ++i) {
      for (int64_t j = 0; j < tiles.threadN; ++j) {
        ivs[c.m] = add(m0, add(mul(ty, index(tiles.threadM)), index(i)));
        ivs[c.n] = add(n0, add(mul(tx, index(tiles.threadN)), index(j)));
        ivs[c.k] = nullptr;
        Value inBounds = both(lessThan(ivs[c.m], sizes[c.m]),
                              lessThan(ivs[c.n], sizes[c.n]));
        auto ifOp = scf::IfOp::create(b, loc, inBounds);
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPointToStart(ifOp.thenBlock());
        SmallVector<Value> at = indicesOf(out, ivs);
        Value sum = kLoop.getResult(i * tiles.threadN + j);
        if (!fillValue)
          sum = arith::AddFOp::create(
              b, loc, memref::LoadOp::create(b, loc, out.get(), at), sum);
        memref::StoreOp::create(b, loc, sum, out.get(), at);
      }
    }
  }

  OpBuilder &b;
  Contraction c;
  const Tiles &tiles;
  Location loc;
  SmallVector<Value> sizes;
  Value fillValue;
  Value aTile, bTile;
  int64_t aPitch = 0;
};

struct DDLGPUContractionKernelsPass final
    : ddl::gpugen::impl::DDLGPUContractionKernelsPassBase<
          DDLGPUContractionKernelsPass> {
  using Base::Base;

  void runOnOperation() override {
    Tiles tiles{blockM, blockN, blockK, threadM, threadN};
    if (failed(check(tiles)))
      return signalPassFailure();
    SmallVector<Contraction> found;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (op->getParentOfType<scf::ParallelOp>() ||
          op->getParentOfType<::mlir::gpu::LaunchOp>())
        return;
      if (std::optional<Contraction> c = matchContraction(op))
        found.push_back(*c);
    });
    for (Contraction &c : found) {
      // The accumulator's initialization (a fill, or a copy of a filled
      // buffer) folds into the kernel, as on the CPU.
      ddl::codegen::AccumulatorInit init =
          ddl::codegen::precedingFill(c.op, c.op.getDpsInits()[0]);
      Value fillValue =
          init.value && init.value.getType().isF32() ? init.value : Value();
      OpBuilder b(c.op);
      KernelBuilder(b, c, tiles, fillValue).build();
      c.op->erase();
      if (fillValue && init.initializer)
        init.initializer->erase();
    }
    ddl::codegen::eraseWriteOnlyBuffers(getOperation());
  }

  LogicalResult check(const Tiles &t) {
    auto fail = [&](const Twine &message) {
      getOperation().emitError() << "ddl-gpu-contraction-kernels: " << message;
      return failure();
    };
    if (t.blockM < 1 || t.blockN < 1 || t.blockK < 1 || t.threadM < 1 ||
        t.threadN < 1)
      return fail("tile sizes must be positive");
    if (t.blockM % t.threadM || t.blockN % t.threadN)
      return fail("block-m and block-n must be multiples of thread-m and "
                  "thread-n");
    if (t.threads() > 1024)
      return fail("a block of " + Twine(t.threads()) +
                  " threads (more than 1024)");
    if ((t.blockM * t.blockK) % t.threads() ||
        (t.blockN * t.blockK) % t.threads())
      return fail("the A and B slices (block-m x block-k, block-k x "
                  "block-n) must split evenly over the block's " +
                  Twine(t.threads()) + " threads");
    if ((t.blockM + 4 + t.blockN) * t.blockK * 4 > 48 * 1024)
      return fail("the staged slices exceed 48 KiB of shared memory");
    return success();
  }
};

} // namespace
