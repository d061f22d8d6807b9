//===- HopperGemm.cpp - wgmma GEMM kernels fed by TMA (sm_90a) ------------===//
//
// The Hopper kernel of ddl-gpu-contraction-kernels (option `hopper`), in the
// shape of CUTLASS's warp-specialized kernels:
//
// * A block of 3 warpgroups computes a 128 x 256 tile of C. Warpgroup 0 is
//   the producer: one thread issues the TMA copies of A's and B's k-slices
//   (128 bytes of k per row, the 128-byte swizzle wgmma reads) into a ring
//   of `stages` shared-memory stages, each with a "full" mbarrier (the
//   copies' bytes arrive on it) and an "empty" one (the consumers release
//   the stage). Warpgroups 1 and 2 are the consumers: each waits for a
//   stage, runs 64 x 256 of the tile as wgmma m64n256k16 (k8 for tf32,
//   k32 for e4m3 and s8: always 32 bytes of k; s8 into i32 accumulators) on
//   descriptors of the staged slices, keeps one wgmma group in flight and
//   releases the stage before. `setmaxnreg` moves registers from the
//   producer (40) to the consumers (232), whose 128 f32 accumulators a
//   thread stay in registers.
// * e4m3 promotes: its tiles are 128 x 128 (m64n128k32), each k slice's
//   wgmmas start from zero and the slice's partial sums are added into f32
//   totals (64 + 64 registers a thread), because the tensor cores
//   accumulate fp8 products with fewer bits than f32.
// * The epilogue writes the accumulators into C from registers (converted
//   to C's type, bounds-checked: the tiles at the edges), C = acc after a
//   folded fill, else C += acc, or applies C's folded elementwise consumer
//   and writes its output instead (writeCElement).
// * Blocks take their tiles in groups of 8 tile rows (the L2 keeps the B
//   slices a group shares).
// * Split k: when the tiles of C (by the batch) would fill fewer than half
//   of the SMs, the host splits the k loop over grid y so that about one
//   block per SM runs (each split at least kMinSplitSlices slices): each
//   block writes its partial tile (f32; i32 for s8) into a workspace from
//   the pool, and
//   a second kernel sums the splits and writes C (the fill, C's old value
//   and the folded epilogue applied there).
// * TMA descriptors are encoded on the host for each launch (the
//   operands' addresses, sizes and strides are run-time values) by
//   ddl_host.device_tensor_map into stack slots, and passed by value
//   (`__grid_constant__` 128-byte kernel parameters; GPUToHost and
//   ddl-gpu-by-value-params). When a descriptor cannot be had (no TMA, an
//   operand outside TMA's limits: unaligned, strides not multiples of 16
//   bytes), the host runs the fallback the pass gives instead (the
//   mma.sync kernel; for s8, the ops for the map kernels).
//
//===----------------------------------------------------------------------===//

#include "passes/codegen/gpu/ContractionKernels.h"
#include "passes/lowering/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/FunctionInterfaces.h"

using namespace mlir;
using namespace ddl::gpugen;

namespace {

/// The kernel's fixed shape (the GPU schedules will choose among shapes).
constexpr int64_t kConsumers = 2; // warpgroups computing
constexpr int64_t kBlockM = 64 * kConsumers;
// One m64n256 wgmma per k step; m64n128 for e4m3, whose accumulators are
// kept twice (promotion, below).
constexpr int64_t kBlockN = 256, kBlockNPromoted = 128;
constexpr int64_t kStages = 4;     // the shared-memory ring
constexpr int64_t kRowBytes = 128; // a staged row: the swizzle span
constexpr int64_t kThreads = 128 * (1 + kConsumers);
constexpr int64_t kGroupM = 8;     // tile rows per raster group
constexpr int64_t kStepBytes = 32; // k of one wgmma: 16 x 16 bits, 32 x 8
constexpr int64_t kSwizzleAtomBytes = 1024; // 8 rows of 128 bytes
constexpr int64_t kProducerRegisters = 40, kConsumerRegisters = 232;
constexpr int64_t kWaitTicks = 10000000;
// Split k: the blocks a launch aims at (the SMs of an H100 / H200 SXM; a
// GPU schedule will say), the fewest k slices a split runs, and the
// threads of a block of the reduction kernel.
constexpr int64_t kTargetBlocks = 132;
constexpr int64_t kMinSplitSlices = 4;
constexpr int64_t kReduceThreads = 256;
// ddl_dtype (runtime/include/ddl_model_abi.h) of the staged elements (E4M3
// bytes move as uint8).
constexpr int32_t kDtypeFloat = 1, kDtypeUInt8 = 2, kDtypeFloat16 = 10,
                  kDtypeBFloat16 = 16;

/// How one operand (A or B) is staged: `rows` rows of the tile (its m or n
/// extent), each 128 bytes of k when its k is contiguous (k-major), else
/// chunks of 128 bytes of m / n per k row (mn-major, 16-bit types only).
struct Operand {
  OpOperand *operand = nullptr;
  unsigned loop = 0; // c.m or c.n
  int64_t rows = 0;
  bool kMajor = true;
  SmallVector<unsigned> dimLoops; // the loop of each memref dimension
  int64_t elementBytes = 2;

  int64_t rank() const { return dimLoops.size(); }
  int64_t rowElements() const { return kRowBytes / elementBytes; }
  int64_t bytes() const { return rows * kRowBytes; }
  /// Mn-major: bytes of one chunk (a row-elements-wide strip over k).
  int64_t chunkBytes() const { return rowElements() * kRowBytes; }
};

/// Whether the kernel promotes its partial sums into f32 totals every k
/// slice (buildConsumer): e4m3, whose products the tensor cores add with
/// fewer bits than f32.
bool promotes(Precision precision) { return precision == Precision::E4M3; }

/// The tile's n extent: a promoting kernel keeps its accumulators twice (the
/// wgmma's partial sums and the f32 totals), which fit a thread's registers
/// at n = 128.
int64_t blockNOf(Precision precision) {
  return promotes(precision) ? kBlockNPromoted : kBlockN;
}

std::optional<Operand> planOperand(Contraction c, unsigned index, Type compute,
                                   int64_t blockN) {
  OpOperand &operand = c.op->getOpOperand(index);
  auto type = cast<MemRefType>(operand.get().getType());
  if (type.getElementType() != compute || type.getRank() < 2 ||
      type.getRank() > 5)
    return std::nullopt;
  // The innermost dimension must be unit-stride (checked again at run
  // time, where a dynamic stride is known).
  SmallVector<int64_t> strides;
  int64_t offset;
  if (failed(type.getStridesAndOffset(strides, offset)) ||
      (!ShapedType::isDynamic(strides.back()) && strides.back() != 1))
    return std::nullopt;
  Operand o;
  o.operand = &operand;
  o.loop = index == 0 ? c.m : c.n;
  o.rows = index == 0 ? kBlockM : blockN;
  o.elementBytes = compute.getIntOrFloatBitWidth() / 8;
  AffineMap map = c.op.getMatchingIndexingMap(&operand);
  for (unsigned d = 0; d < map.getNumResults(); ++d)
    o.dimLoops.push_back(map.getDimPosition(d));
  unsigned innermost = o.dimLoops.back();
  if (innermost != c.k && innermost != o.loop)
    return std::nullopt;
  o.kMajor = innermost == c.k;
  // tf32 and 8-bit wgmma read both operands k-major only.
  if (!o.kMajor && o.elementBytes != 2)
    return std::nullopt;
  return o;
}

Type computeType(MLIRContext *context, Precision precision) {
  Builder b(context);
  switch (precision) {
  case Precision::BF16:
    return b.getBF16Type();
  case Precision::F16:
    return b.getF16Type();
  case Precision::TF32:
    return b.getF32Type();
  case Precision::E4M3:
  case Precision::S8:
    return b.getI8Type(); // the bytes as lowbit stores them
  case Precision::F32:
    break;
  }
  return Type();
}

/// Builds one kernel and its launch.
class HopperGemmBuilder {
public:
  HopperGemmBuilder(Contraction c, Precision precision, Value fillValue)
      : c(c), precision(precision), fillValue(fillValue),
        context(c.op->getContext()), loc(c.op.getLoc()) {
    compute = computeType(context, precision);
    a = *planOperand(c, 0, compute, blockN());
    bOp = *planOperand(c, 1, compute, blockN());
  }

  void build(OpBuilder &b, function_ref<void(OpBuilder &)> fallback) {
    SmallVector<Range> ranges = c.op.createLoopRanges(b, loc);
    SmallVector<Value> sizes;
    for (Range &r : ranges)
      sizes.push_back(getValueOrCreateConstantIndexOp(b, loc, r.size));
    auto [mapA, okA] = encodeTensorMap(b, a);
    auto [mapB, okB] = encodeTensorMap(b, bOp);
    Value ok = arith::AndIOp::create(b, loc, okA, okB);
    auto ifOp = scf::IfOp::create(b, loc, ok, /*withElseRegion=*/true);
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(ifOp.thenBlock());
      launch(b, sizes, mapA, mapB);
      b.setInsertionPointToStart(ifOp.elseBlock());
      fallback(b);
    }
  }

private:
  int64_t stageBytes() const { return a.bytes() + bOp.bytes(); }
  int64_t barrierOffset() const { return kStages * stageBytes(); }
  int64_t sharedBytes() const { return barrierOffset() + 2 * kStages * 8; }
  int64_t blockK() const { return kRowBytes / a.elementBytes; }
  int64_t blockN() const { return blockNOf(precision); }

  Type ptrType(unsigned space = 0) {
    return LLVM::LLVMPointerType::get(context, space);
  }

  /// Host code: the operand's TMA descriptor in a 64-byte aligned stack
  /// slot of the function, and whether the host could encode it.
  std::pair<Value, Value> encodeTensorMap(OpBuilder &b, const Operand &o) {
    Type i64 = b.getI64Type(), i32 = b.getI32Type();
    auto function = c.op->getParentOfType<FunctionOpInterface>();
    Value map, dims, strides, box;
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(&function.getFunctionBody().front());
      Value one = LLVM::ConstantOp::create(b, loc, i64, 1);
      auto slot = [&](Type element, int64_t count, unsigned align) {
        return LLVM::AllocaOp::create(b, loc, ptrType(),
                                      LLVM::LLVMArrayType::get(element, count),
                                      one, align)
            .getResult();
      };
      map = slot(b.getI8Type(), 128, 64);
      dims = slot(i64, 5, 8);
      strides = slot(i64, 5, 8);
      box = slot(i32, 5, 4);
    }
    Value memref = o.operand->get();
    auto metadata = memref::ExtractStridedMetadataOp::create(b, loc, memref);
    Value aligned =
        memref::ExtractAlignedPointerAsIndexOp::create(b, loc, memref);
    Value start = arith::AddIOp::create(
        b, loc, aligned,
        arith::MulIOp::create(
            b, loc, metadata.getOffset(),
            arith::ConstantIndexOp::create(b, loc, o.elementBytes)));
    Value startI64 = arith::IndexCastOp::create(b, loc, i64, start);
    Value address = LLVM::IntToPtrOp::create(b, loc, ptrType(), startI64);
    auto store = [&](Value array, Type element, int64_t i, Value v) {
      Value at = LLVM::GEPOp::create(b, loc, ptrType(), element, array,
                                     ArrayRef<LLVM::GEPArg>{int32_t(i)});
      LLVM::StoreOp::create(b, loc, v, at);
    };
    // Innermost dimension first, as TMA numbers them.
    for (int64_t i = 0; i < o.rank(); ++i) {
      int64_t d = o.rank() - 1 - i;
      store(dims, i64, i,
            arith::IndexCastOp::create(b, loc, i64, metadata.getSizes()[d]));
      store(strides, i64, i,
            arith::IndexCastOp::create(b, loc, i64, metadata.getStrides()[d]));
      store(box, i32, i,
            LLVM::ConstantOp::create(
                b, loc, i32, b.getI32IntegerAttr(boxSize(o, o.dimLoops[d]))));
    }
    ModuleOp module = c.op->getParentOfType<ModuleOp>();
    LLVM::GlobalOp hostGlobal = ddl::lowering::getOrCreateThreadLocalPointer(
        module, ddl::lowering::kHostGlobal);
    Value host = LLVM::LoadOp::create(
        b, loc, ptrType(), LLVM::AddressOfOp::create(b, loc, hostGlobal));
    using ddl::lowering::HostField;
    Value ctx = ddl::lowering::loadHostField(b, loc, host, HostField::Context);
    Value fn =
        ddl::lowering::loadHostField(b, loc, host, HostField::DeviceTensorMap);
    int32_t dtype = o.elementBytes == 4          ? kDtypeFloat
                    : o.elementBytes == 1        ? kDtypeUInt8
                    : isa<BFloat16Type>(compute) ? kDtypeBFloat16
                                                 : kDtypeFloat16;
    auto constant = [&](int32_t v) {
      return LLVM::ConstantOp::create(b, loc, i32, b.getI32IntegerAttr(v))
          .getResult();
    };
    auto fnType = LLVM::LLVMFunctionType::get(i32, {ptrType(), ptrType(), i32,
                                                    i32, ptrType(), ptrType(),
                                                    ptrType(), ptrType(), i32});
    auto call = LLVM::CallOp::create(
        b, loc, fnType,
        ValueRange{fn, ctx, map, constant(dtype), constant(o.rank()), address,
                   dims, strides, box, constant(kRowBytes)});
    Value ok = LLVM::ICmpOp::create(b, loc, LLVM::ICmpPredicate::ne,
                                    call.getResult(), constant(0));
    return {map, ok};
  }

  /// The box a TMA copy of `o` moves along the dimension of loop `loop`.
  int32_t boxSize(const Operand &o, unsigned loop) {
    if (loop == c.k)
      return o.kMajor ? o.rowElements() : blockK();
    if (loop == o.loop)
      return o.kMajor ? o.rows : o.rowElements();
    return 1; // a batch loop
  }

  /// The launch: tiles of C by the k splits by the batch positions, 3
  /// warpgroups a block. Without a split the kernel writes C; with one it
  /// writes partial sums into a workspace that the reduction kernel sums
  /// into C.
  void launch(OpBuilder &b, ArrayRef<Value> sizes, Value mapA, Value mapB) {
    auto index = [&](int64_t v) {
      return arith::ConstantIndexOp::create(b, loc, v).getResult();
    };
    Value tiles = arith::MulIOp::create(
        b, loc, arith::CeilDivSIOp::create(b, loc, sizes[c.m], index(kBlockM)),
        arith::CeilDivSIOp::create(b, loc, sizes[c.n], index(blockN())));
    Value batch = index(1);
    for (unsigned d : c.batch)
      batch = arith::MulIOp::create(b, loc, batch, sizes[d]);
    // splits = ceil(slices / per), per = max(ceil(slices / wanted),
    // kMinSplitSlices), wanted = max(kTargetBlocks / blocks, 1): no split
    // is empty.
    Value blocks = arith::MulIOp::create(b, loc, tiles, batch);
    Value wanted = arith::MaxSIOp::create(
        b, loc,
        arith::DivSIOp::create(
            b, loc, index(kTargetBlocks),
            arith::MaxSIOp::create(b, loc, blocks, index(1))),
        index(1));
    Value slices =
        arith::CeilDivSIOp::create(b, loc, sizes[c.k], index(blockK()));
    Value per = arith::MaxSIOp::create(
        b, loc, arith::CeilDivSIOp::create(b, loc, slices, wanted),
        index(kMinSplitSlices));
    Value splits = arith::MaxSIOp::create(
        b, loc, arith::CeilDivSIOp::create(b, loc, slices, per), index(1));
    // Known sizes decide here, and only that kernel is built.
    std::optional<int64_t> staticSplits;
    {
      SmallVector<unsigned> loops{c.m, c.n, c.k};
      loops.append(c.batch.begin(), c.batch.end());
      if (llvm::all_of(loops, [&](unsigned d) {
            return getConstantIntValue(sizes[d]).has_value();
          })) {
        auto size = [&](unsigned d) { return *getConstantIntValue(sizes[d]); };
        int64_t blocksN = llvm::divideCeil(size(c.m), kBlockM) *
                          llvm::divideCeil(size(c.n), blockN());
        for (unsigned d : c.batch)
          blocksN *= size(d);
        int64_t wantedN =
            std::max<int64_t>(kTargetBlocks / std::max<int64_t>(blocksN, 1), 1);
        int64_t slicesN = llvm::divideCeil(size(c.k), blockK());
        int64_t perN = std::max<int64_t>(llvm::divideCeil(slicesN, wantedN),
                                         kMinSplitSlices);
        staticSplits = std::max<int64_t>(llvm::divideCeil(slicesN, perN), 1);
      }
    }

    auto operandsWith = [&](Value splitsArg, Value workspace) {
      SmallVector<Value> operands{mapA, mapB, c.op.getDpsInits()[0]};
      operands.append(sizes.begin(), sizes.end());
      operands.push_back(splitsArg);
      operands.push_back(workspace);
      if (fillValue)
        operands.push_back(fillValue);
      operands.append(epilogueBuffers(c));
      return operands;
    };
    Value shared = arith::ConstantOp::create(
        b, loc, b.getI32IntegerAttr(static_cast<int32_t>(sharedBytes())));
    auto launchSplit = [&](OpBuilder &b) {
      // One partial C (of the accumulators' type) per split and batch
      // position.
      Value mn = arith::MulIOp::create(b, loc, sizes[c.m], sizes[c.n]);
      Value count = arith::MulIOp::create(
          b, loc, arith::MulIOp::create(b, loc, mn, batch), splits);
      Value workspace = memref::AllocOp::create(
          b, loc, MemRefType::get({ShapedType::kDynamic}, accElement()),
          ValueRange{count});
      Value address =
          memref::ExtractAlignedPointerAsIndexOp::create(b, loc, workspace);
      ::mlir::gpu::LaunchFuncOp::create(
          b, loc, buildKernel(sizes.size(), /*splitK=*/true),
          {tiles, splits, batch}, {index(kThreads), index(1), index(1)}, shared,
          operandsWith(splits, address));
      buildReduction(b, sizes, batch, splits, workspace);
      memref::DeallocOp::create(b, loc, workspace);
    };
    auto launchWhole = [&](OpBuilder &b) {
      ::mlir::gpu::LaunchFuncOp::create(
          b, loc, buildKernel(sizes.size(), /*splitK=*/false),
          {tiles, index(1), batch}, {index(kThreads), index(1), index(1)},
          shared, operandsWith(index(1), index(0)));
    };
    if (staticSplits) {
      if (*staticSplits > 1)
        launchSplit(b);
      else
        launchWhole(b);
      return;
    }
    Value split = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt,
                                        splits, index(1));
    auto ifOp = scf::IfOp::create(b, loc, split, /*withElseRegion=*/true);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(ifOp.thenBlock());
    launchSplit(b);
    b.setInsertionPointToStart(ifOp.elseBlock());
    launchWhole(b);
  }

  /// The split-k reduction (a gpu.launch in the host code, outlined with
  /// the other kernels): one thread per element of C, summing the splits'
  /// partials (workspace[((z * splits + s) * M + m) * N + n]) from the
  /// fill value (or 0, C's old value added by writeCElement) and writing C
  /// through the folded epilogue.
  void buildReduction(OpBuilder &b, ArrayRef<Value> sizes, Value batch,
                      Value splits, Value workspace) {
    auto index = [&](int64_t v) {
      return arith::ConstantIndexOp::create(b, loc, v).getResult();
    };
    Value mn = arith::MulIOp::create(b, loc, sizes[c.m], sizes[c.n]);
    Value total = arith::MulIOp::create(b, loc, mn, batch);
    Value grid =
        arith::CeilDivSIOp::create(b, loc, total, index(kReduceThreads));
    Value one = index(1);
    auto launchOp = ::mlir::gpu::LaunchOp::create(
        b, loc, grid, one, one, index(kReduceThreads), one, one);
    launchOp.setFunctionAttr(
        FlatSymbolRefAttr::get(context, "gemm_split_reduce"));
    OpBuilder::InsertionGuard guard(b);
    Block &body = launchOp.getBody().front();
    b.setInsertionPointToStart(&body);
    ::mlir::gpu::TerminatorOp::create(b, loc);
    b.setInsertionPointToStart(&body);
    Value e = arith::AddIOp::create(
        b, loc,
        arith::MulIOp::create(b, loc, launchOp.getBlockIds().x,
                              index(kReduceThreads)),
        launchOp.getThreadIds().x);
    auto inside = scf::IfOp::create(
        b, loc,
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, e, total));
    b.setInsertionPointToStart(inside.thenBlock());
    Value z = arith::DivSIOp::create(b, loc, e, mn);
    Value inTile = arith::RemSIOp::create(b, loc, e, mn);
    SmallVector<Value> at(sizes.size(), Value());
    at[c.m] = arith::DivSIOp::create(b, loc, inTile, sizes[c.n]);
    at[c.n] = arith::RemSIOp::create(b, loc, inTile, sizes[c.n]);
    Value rest = z;
    for (unsigned d : llvm::reverse(c.batch)) {
      at[d] = arith::RemSIOp::create(b, loc, rest, sizes[d]);
      rest = arith::DivSIOp::create(b, loc, rest, sizes[d]);
    }
    Value start = fillValue ? toAccumulator(b, fillValue) : accZero(b);
    // Split s's partial of this element: (z * splits + s) * MN + inTile.
    Value first = arith::AddIOp::create(
        b, loc,
        arith::MulIOp::create(b, loc, arith::MulIOp::create(b, loc, z, splits),
                              mn),
        inTile);
    auto loop =
        scf::ForOp::create(b, loc, index(0), splits, one, ValueRange{start});
    {
      OpBuilder::InsertionGuard inner(b);
      b.setInsertionPointToStart(loop.getBody());
      Value at = arith::AddIOp::create(
          b, loc, first,
          arith::MulIOp::create(b, loc, loop.getInductionVar(), mn));
      Value partial = memref::LoadOp::create(b, loc, workspace, at);
      scf::YieldOp::create(b, loc,
                           accAdd(b, loop.getRegionIterArgs()[0], partial));
    }
    writeCElement(b, loc, c, at, loop.getResult(0), /*filled=*/bool(fillValue),
                  [](Value v) { return v; });
  }

  /// The kernel, in a gpu.module of its own (merged with the others by
  /// ddl-gpu-merge-kernel-modules). With `splitK` it writes its split's
  /// partial sums into the workspace instead of C (a kernel of its own: one
  /// kernel with both epilogues makes ptxas spill the accumulators).
  ::mlir::gpu::GPUFuncOp buildKernel(unsigned numLoops, bool splitK) {
    this->splitK = splitK;
    ModuleOp module = c.op->getParentOfType<ModuleOp>();
    module->setAttr(::mlir::gpu::GPUDialect::getContainerModuleAttrName(),
                    UnitAttr::get(context));
    OpBuilder mb = OpBuilder::atBlockEnd(module.getBody());
    std::string name = "gemm_wgmma_" + precisionName(precision).str() +
                       (splitK ? "_splitk" : "");
    auto kernelModule = ::mlir::gpu::GPUModuleOp::create(mb, loc, name);
    SymbolTable(module).insert(kernelModule);
    OpBuilder kb = OpBuilder::atBlockBegin(kernelModule.getBody());
    // The dynamic shared memory: one public zero-size global, 1024-byte
    // aligned (the swizzle atom), everything addressed from it (LLVM 22
    // folds loads from gpu.dynamic_shared_memory: CODEGEN-NOTES.md).
    smemGlobal = LLVM::GlobalOp::create(
        kb, loc, LLVM::LLVMArrayType::get(kb.getI8Type(), 0),
        /*isConstant=*/false, LLVM::Linkage::External, "ddl_hopper_smem",
        Attribute(), /*alignment=*/1024, /*addrSpace=*/3);
    SmallVector<Type> args{ptrType(), ptrType(),
                           c.op.getDpsInits()[0].getType()};
    args.append(numLoops, kb.getIndexType());
    // The k splits and the workspace's address (0 without a split).
    args.append(2, kb.getIndexType());
    if (fillValue)
      args.push_back(fillValue.getType());
    for (Value buffer : epilogueBuffers(c))
      args.push_back(buffer.getType());
    auto kernel = ::mlir::gpu::GPUFuncOp::create(
        kb, loc, kernelModule.getName(), kb.getFunctionType(args, {}));
    kernel->setAttr(::mlir::gpu::GPUDialect::getKernelFuncAttrName(),
                    UnitAttr::get(context));
    // The two tensor maps lead the parameters (ddl-gpu-by-value-params).
    kernel->setAttr("ddl.tensor_map_params", mb.getI64IntegerAttr(2));
    kernel.setKnownBlockSizeAttr(
        DenseI32ArrayAttr::get(context, {int32_t(kThreads), 1, 1}));
    Block &body = kernel.getBody().front();
    OpBuilder b = OpBuilder::atBlockBegin(&body);
    ::mlir::gpu::ReturnOp::create(b, loc);
    b.setInsertionPointToStart(&body);
    buildBody(b, kernel);
    return kernel;
  }

  // Small helpers over index and i32 values.
  Value index(OpBuilder &b, int64_t v) {
    return arith::ConstantIndexOp::create(b, loc, v);
  }
  Value i32(OpBuilder &b, int64_t v) {
    return arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(v));
  }
  Value toI32(OpBuilder &b, Value v) {
    return arith::IndexCastOp::create(b, loc, b.getI32Type(), v);
  }
  Value eq(OpBuilder &b, Value x, Value y) {
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, x, y);
  }
  Value lt(OpBuilder &b, Value x, Value y) {
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, x, y);
  }

  /// A byte address in the dynamic shared memory.
  Value shared(OpBuilder &b, Value byteOffset) {
    Value base = LLVM::AddressOfOp::create(b, loc, smemGlobal);
    return LLVM::GEPOp::create(b, loc, ptrType(3), b.getI8Type(), base,
                               ValueRange{toI32(b, byteOffset)});
  }
  Value barrier(OpBuilder &b, Value i) {
    return shared(b, arith::AddIOp::create(
                         b, loc, index(b, barrierOffset()),
                         arith::MulIOp::create(b, loc, i, index(b, 8))));
  }

  void buildBody(OpBuilder &b, ::mlir::gpu::GPUFuncOp kernel) {
    Value mapA = kernel.getArgument(0), mapB = kernel.getArgument(1);
    hostBuffers.map(c.op->getOperand(2), kernel.getArgument(2));
    unsigned next = 3;
    sizes.assign(kernel.getArguments().begin() + next,
                 kernel.getArguments().begin() + next + c.op.getNumLoops());
    next += c.op.getNumLoops();
    splits = kernel.getArgument(next++);
    workspace = kernel.getArgument(next++);
    if (fillValue)
      fill = kernel.getArgument(next++);
    for (Value buffer : epilogueBuffers(c))
      hostBuffers.map(buffer, kernel.getArgument(next++));
    using ::mlir::gpu::Dimension;
    Value tid = ::mlir::gpu::ThreadIdOp::create(b, loc, Dimension::x);
    Value block = ::mlir::gpu::BlockIdOp::create(b, loc, Dimension::x);

    // The tile: blocks in groups of kGroupM tile rows, column-major inside
    // a group.
    Value tilesM =
        arith::CeilDivSIOp::create(b, loc, sizes[c.m], index(b, kBlockM));
    Value tilesN =
        arith::CeilDivSIOp::create(b, loc, sizes[c.n], index(b, blockN()));
    Value span = arith::MulIOp::create(b, loc, tilesN, index(b, kGroupM));
    Value firstM = arith::MulIOp::create(
        b, loc, arith::DivSIOp::create(b, loc, block, span), index(b, kGroupM));
    Value groupRows = arith::MinSIOp::create(
        b, loc, arith::SubIOp::create(b, loc, tilesM, firstM),
        index(b, kGroupM));
    Value inSpan = arith::RemSIOp::create(b, loc, block, span);
    m0 = arith::MulIOp::create(
        b, loc,
        arith::AddIOp::create(
            b, loc, firstM, arith::RemSIOp::create(b, loc, inSpan, groupRows)),
        index(b, kBlockM));
    n0 = arith::MulIOp::create(
        b, loc, arith::DivSIOp::create(b, loc, inSpan, groupRows),
        index(b, blockN()));
    ivs.assign(sizes.size(), Value());
    Value rest = ::mlir::gpu::BlockIdOp::create(b, loc, Dimension::z);
    for (unsigned d : llvm::reverse(c.batch)) {
      ivs[d] = arith::RemSIOp::create(b, loc, rest, sizes[d]);
      rest = arith::DivSIOp::create(b, loc, rest, sizes[d]);
    }

    // Thread 0 makes the barriers: full[s] completes when the stage's
    // bytes have landed (one arrival: the producer's expect_tx), empty[s]
    // when the 4 warps of each consumer have released it.
    auto first = scf::IfOp::create(b, loc, eq(b, tid, index(b, 0)));
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(first.thenBlock());
      for (int64_t s = 0; s < kStages; ++s) {
        NVVM::MBarrierInitOp::create(b, loc, barrier(b, index(b, s)), i32(b, 1),
                                     Value());
        NVVM::MBarrierInitOp::create(b, loc, barrier(b, index(b, kStages + s)),
                                     i32(b, 4 * kConsumers), Value());
      }
    }
    ::mlir::gpu::BarrierOp::create(b, loc);

    // This block's k slices: split y of `splits` even runs (the last may
    // be shorter; the host makes none empty).
    Value warpgroup = arith::DivSIOp::create(b, loc, tid, index(b, 128));
    Value slices =
        arith::CeilDivSIOp::create(b, loc, sizes[c.k], index(b, blockK()));
    Value per = arith::CeilDivSIOp::create(b, loc, slices, splits);
    split = ::mlir::gpu::BlockIdOp::create(b, loc, Dimension::y);
    firstSlice = arith::MulIOp::create(b, loc, split, per);
    Value numK = arith::MaxSIOp::create(
        b, loc,
        arith::SubIOp::create(
            b, loc,
            arith::MinSIOp::create(
                b, loc, arith::AddIOp::create(b, loc, firstSlice, per), slices),
            firstSlice),
        index(b, 0));
    auto roles = scf::IfOp::create(b, loc, eq(b, warpgroup, index(b, 0)),
                                   /*withElseRegion=*/true);
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(roles.thenBlock());
      buildProducer(b, tid, numK, mapA, mapB);
      b.setInsertionPointToStart(roles.elseBlock());
      buildConsumer(b, tid, warpgroup, numK);
    }
  }

  /// Stage `s`, parity of its round `kt / kStages` (xor `flip`).
  std::pair<Value, Value> stageOf(OpBuilder &b, Value kt, bool flip) {
    Value s = arith::RemSIOp::create(b, loc, kt, index(b, kStages));
    Value round = arith::DivSIOp::create(b, loc, kt, index(b, kStages));
    Value parity = arith::AndIOp::create(b, loc, toI32(b, round), i32(b, 1));
    if (flip)
      parity = arith::XOrIOp::create(b, loc, parity, i32(b, 1));
    return {s, parity};
  }

  void buildProducer(OpBuilder &b, Value tid, Value numK, Value mapA,
                     Value mapB) {
    NVVM::SetMaxRegisterOp::create(b, loc, kProducerRegisters,
                                   NVVM::SetMaxRegisterAction::decrease);
    auto one = scf::IfOp::create(b, loc, eq(b, tid, index(b, 0)));
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(one.thenBlock());
    auto loop = scf::ForOp::create(b, loc, index(b, 0), numK, index(b, 1));
    b.setInsertionPointToStart(loop.getBody());
    Value kt = loop.getInductionVar();
    // A fresh barrier counts as released in the round before the first:
    // waiting on the flipped parity passes at once.
    auto [s, parity] = stageOf(b, kt, /*flip=*/true);
    NVVM::MBarrierTryWaitParityOp::create(
        b, loc, barrier(b, arith::AddIOp::create(b, loc, s, index(b, kStages))),
        parity, i32(b, kWaitTicks));
    Value full = barrier(b, s);
    NVVM::MBarrierArriveExpectTxOp::create(
        b, loc, Type(), full, i32(b, stageBytes()), NVVM::MemScopeKind::CTA,
        /*relaxed=*/false, Value());
    Value stage = arith::MulIOp::create(b, loc, s, index(b, stageBytes()));
    Value k0 = arith::MulIOp::create(
        b, loc, arith::AddIOp::create(b, loc, firstSlice, kt),
        index(b, blockK()));
    copySlice(b, a, mapA, stage, k0, m0, full);
    copySlice(b, bOp, mapB,
              arith::AddIOp::create(b, loc, stage, index(b, a.bytes())), k0, n0,
              full);
  }

  /// TMA copies of `o`'s slice at k0 (rows from `origin`) to `stage` (a
  /// shared-memory byte offset), completing on `full`.
  void copySlice(OpBuilder &b, const Operand &o, Value map, Value stage,
                 Value k0, Value origin, Value full) {
    int64_t chunks = o.kMajor ? 1 : o.rows / o.rowElements();
    for (int64_t j = 0; j < chunks; ++j) {
      SmallVector<Value> coordinates;
      for (int64_t i = 0; i < o.rank(); ++i) {
        unsigned loop = o.dimLoops[o.rank() - 1 - i];
        Value v = loop == c.k ? k0
                  : loop == o.loop
                      ? arith::AddIOp::create(b, loc, origin,
                                              index(b, j * o.rowElements()))
                            .getResult()
                      : ivs[loop];
        coordinates.push_back(toI32(b, v));
      }
      Value destination = LLVM::AddrSpaceCastOp::create(
          b, loc, ptrType(7),
          shared(b, arith::AddIOp::create(b, loc, stage,
                                          index(b, j * o.chunkBytes()))));
      NVVM::CpAsyncBulkTensorGlobalToSharedClusterOp::create(
          b, loc, destination, map, coordinates, full, ValueRange(), Value(),
          Value(), NVVM::TMALoadMode::TILE, /*isCTAOnly=*/false,
          NVVM::CTAGroupKindAttr(), Value());
    }
  }

  /// The wgmma descriptor of `o`'s staged slice starting at shared byte
  /// `address` (an i64). K-major: 8-row atoms 1024 bytes apart; mn-major:
  /// atoms 1024 bytes apart along k, chunks `chunkBytes` apart along m / n.
  Value descriptor(OpBuilder &b, const Operand &o, Value address) {
    return wgmmaDescriptor(b, loc, address, o.kMajor ? 16 : o.chunkBytes(),
                           kSwizzleAtomBytes);
  }

  /// Bytes a wgmma k step advances in `o`'s slice.
  int64_t stepAdvance(const Operand &o) {
    return o.kMajor ? kStepBytes : (kStepBytes / o.elementBytes) * kRowBytes;
  }

  void buildConsumer(OpBuilder &b, Value tid, Value warpgroup, Value numK) {
    NVVM::SetMaxRegisterOp::create(b, loc, kConsumerRegisters,
                                   NVVM::SetMaxRegisterAction::increase);
    Value consumer = arith::SubIOp::create(b, loc, warpgroup, index(b, 1));
    Value lane = arith::RemSIOp::create(b, loc, tid, index(b, 32));
    const int64_t accumulators = blockN() / 2; // 64 x n over 128 threads
    auto accType = LLVM::LLVMStructType::getLiteral(
        context, SmallVector<Type>(accumulators, accElement()));
    auto splat = [&](Value element) {
      Value acc = LLVM::UndefOp::create(b, loc, accType);
      for (int64_t i = 0; i < accumulators; ++i)
        acc = LLVM::InsertValueOp::create(b, loc, acc, element, i);
      return acc;
    };
    // Split partials start from 0 (the reduction adds the fill).
    Value acc = splat(fill && !splitK ? toAccumulator(b, fill) : accZero(b));
    // Promotion (e4m3): the tensor cores add fp8 products into their
    // accumulators with fewer bits than f32 (cuBLASLt's "fast accumulation";
    // 0.1-0.7% off at K = 4096-8192, growing with K). So each k slice's
    // wgmmas start from zero (scale-d 0) and their partial sums are added
    // into f32 totals by the CUDA cores, as CUTLASS's and DeepSeek-V3's fp8
    // GEMMs do: the totals are `acc`, the partial sums the second value the
    // loop carries. The slice's wgmmas are then waited for before the next
    // slice's start (two consumers keep the tensor cores busy meanwhile).
    bool promote = promotes(precision);

    // This consumer's rows of A: 64 k-major rows, or one 64-wide chunk.
    Value aRows = arith::MulIOp::create(
        b, loc, consumer, index(b, a.kMajor ? 64 * kRowBytes : a.chunkBytes()));
    Value smemBase = LLVM::PtrToIntOp::create(
        b, loc, b.getI64Type(), LLVM::AddressOfOp::create(b, loc, smemGlobal));
    auto toI64 = [&](Value v) {
      return arith::IndexCastOp::create(b, loc, b.getI64Type(), v).getResult();
    };
    NVVM::WGMMATypes type =
        precision == Precision::BF16   ? NVVM::WGMMATypes::bf16
        : precision == Precision::F16  ? NVVM::WGMMATypes::f16
        : precision == Precision::E4M3 ? NVVM::WGMMATypes::e4m3
        : precision == Precision::S8   ? NVVM::WGMMATypes::s8
                                       : NVVM::WGMMATypes::tf32;
    auto shape = NVVM::MMAShapeAttr::get(context, 64, blockN(),
                                         kStepBytes / a.elementBytes);
    bool integer = precision == Precision::S8;

    SmallVector<Value> carried{acc};
    if (promote)
      carried.push_back(splat(accZero(b)));
    auto loop =
        scf::ForOp::create(b, loc, index(b, 0), numK, index(b, 1), carried);
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(loop.getBody());
      Value kt = loop.getInductionVar();
      auto [s, parity] = stageOf(b, kt, /*flip=*/false);
      NVVM::MBarrierTryWaitParityOp::create(b, loc, barrier(b, s), parity,
                                            i32(b, kWaitTicks));
      Value stage = arith::AddIOp::create(
          b, loc, smemBase,
          toI64(arith::MulIOp::create(b, loc, s, index(b, stageBytes()))));
      Value aStart = arith::AddIOp::create(b, loc, stage, toI64(aRows));
      Value bStart = arith::AddIOp::create(
          b, loc, stage,
          arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(a.bytes())));
      Value sums = loop.getRegionIterArgs()[promote ? 1 : 0];
      NVVM::WgmmaFenceAlignedOp::create(b, loc);
      for (int64_t step = 0; step < kRowBytes / kStepBytes; ++step) {
        auto at = [&](Value base, const Operand &o) {
          return descriptor(
              b, o,
              arith::AddIOp::create(
                  b, loc, base,
                  arith::ConstantOp::create(
                      b, loc, b.getI64IntegerAttr(step * stepAdvance(o)))));
        };
        sums = NVVM::WgmmaMmaAsyncOp::create(
            b, loc, accType, sums, at(aStart, a), at(bStart, bOp), shape, type,
            type, integer ? NVVM::WGMMATypes::s32 : NVVM::WGMMATypes::f32,
            promote && step == 0 ? NVVM::WGMMAScaleOut::zero
                                 : NVVM::WGMMAScaleOut::one,
            NVVM::WGMMAScaleIn::one, NVVM::WGMMAScaleIn::one,
            a.kMajor ? NVVM::MMALayout::row : NVVM::MMALayout::col,
            bOp.kMajor ? NVVM::MMALayout::col : NVVM::MMALayout::row,
            integer ? NVVM::MMAIntOverflowAttr::get(
                          context, NVVM::MMAIntOverflow::wrapped)
                    : NVVM::MMAIntOverflowAttr());
      }
      NVVM::WgmmaGroupSyncAlignedOp::create(b, loc);
      // One group in flight: the one before is done, its stage released
      // (one arrival per warp). Promoting, the slice's own group is waited
      // for, its partial sums added into the totals, its stage released.
      NVVM::WgmmaWaitGroupSyncOp::create(b, loc, promote ? 0 : 1);
      SmallVector<Value> yielded{sums};
      if (promote) {
        Value totals = loop.getRegionIterArgs()[0];
        for (int64_t i = 0; i < accumulators; ++i) {
          Value sum = arith::AddFOp::create(
              b, loc, LLVM::ExtractValueOp::create(b, loc, totals, i),
              LLVM::ExtractValueOp::create(b, loc, sums, i));
          totals = LLVM::InsertValueOp::create(b, loc, totals, sum, i);
        }
        yielded = {totals, sums};
      }
      Value release = eq(b, lane, index(b, 0));
      if (!promote)
        release = arith::AndIOp::create(
            b, loc, release,
            arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt, kt,
                                  index(b, 0)));
      auto ifOp = scf::IfOp::create(b, loc, release);
      {
        OpBuilder::InsertionGuard inner(b);
        b.setInsertionPointToStart(ifOp.thenBlock());
        Value released =
            promote
                ? s
                : arith::RemSIOp::create(
                      b, loc, arith::SubIOp::create(b, loc, kt, index(b, 1)),
                      index(b, kStages));
        NVVM::MBarrierArriveOp::create(
            b, loc, b.getI64Type(),
            barrier(b,
                    arith::AddIOp::create(b, loc, released, index(b, kStages))),
            Value());
      }
      scf::YieldOp::create(b, loc, yielded);
    }
    NVVM::WgmmaWaitGroupSyncOp::create(b, loc, 0);
    writeC(b, tid, consumer, loop.getResult(0));
  }

  /// The accumulators into C, or (splitK) into the split's partial in the
  /// workspace. Accumulator 4j + r of a thread holds row 16 warp +
  /// lane / 4 + 8 (r / 2), column 8j + 2 (lane % 4) + r % 2 of the
  /// consumer's 64 x n (the wgmma D fragment).
  void writeC(OpBuilder &b, Value tid, Value consumer, Value acc) {
    Value inGroup = arith::RemSIOp::create(b, loc, tid, index(b, 128));
    Value warp = arith::DivSIOp::create(b, loc, inGroup, index(b, 32));
    Value lane = arith::RemSIOp::create(b, loc, inGroup, index(b, 32));
    Value rowBase = arith::AddIOp::create(
        b, loc, m0,
        arith::AddIOp::create(
            b, loc, arith::MulIOp::create(b, loc, consumer, index(b, 64)),
            arith::AddIOp::create(
                b, loc, arith::MulIOp::create(b, loc, warp, index(b, 16)),
                arith::DivSIOp::create(b, loc, lane, index(b, 4)))));
    Value columnBase = arith::AddIOp::create(
        b, loc, n0,
        arith::MulIOp::create(b, loc,
                              arith::RemSIOp::create(b, loc, lane, index(b, 4)),
                              index(b, 2)));
    if (splitK) {
      Value partial = partialBase(b);
      eachElement(
          b, rowBase, columnBase, acc, [&](Value row, Value column, Value sum) {
            Value element = arith::AddIOp::create(
                b, loc, arith::MulIOp::create(b, loc, row, sizes[c.n]), column);
            Value at =
                LLVM::GEPOp::create(b, loc, ptrType(1), accElement(), partial,
                                    ValueRange{arith::IndexCastOp::create(
                                        b, loc, b.getI64Type(), element)});
            LLVM::StoreOp::create(b, loc, sum, at);
          });
      return;
    }
    eachElement(b, rowBase, columnBase, acc,
                [&](Value row, Value column, Value sum) {
                  SmallVector<Value> at = ivs;
                  at[c.m] = row;
                  at[c.n] = column;
                  writeCElement(b, loc, c, at, sum, /*filled=*/bool(fill),
                                [&](Value v) { return hostBuffers.lookup(v); });
                });
  }

  /// `body(row, column, sum)` for each accumulator of the thread inside C
  /// (bounds-checked).
  void eachElement(OpBuilder &b, Value rowBase, Value columnBase, Value acc,
                   function_ref<void(Value, Value, Value)> body) {
    for (int64_t j = 0; j < blockN() / 8; ++j)
      for (int64_t r = 0; r < 4; ++r) {
        Value row =
            arith::AddIOp::create(b, loc, rowBase, index(b, 8 * (r / 2)));
        Value column =
            arith::AddIOp::create(b, loc, columnBase, index(b, 8 * j + r % 2));
        Value inside = arith::AndIOp::create(b, loc, lt(b, row, sizes[c.m]),
                                             lt(b, column, sizes[c.n]));
        auto ifOp = scf::IfOp::create(b, loc, inside);
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPointToStart(ifOp.thenBlock());
        body(row, column, LLVM::ExtractValueOp::create(b, loc, acc, 4 * j + r));
      }
  }

  /// This block's partial C in the workspace (an f32 / i32 buffer of the pool
  /// given by its address): element ((z * splits + split) * M) * N, as a
  /// global pointer.
  Value partialBase(OpBuilder &b) {
    Value z = ::mlir::gpu::BlockIdOp::create(b, loc, ::mlir::gpu::Dimension::z);
    Value slot = arith::AddIOp::create(
        b, loc, arith::MulIOp::create(b, loc, z, splits), split);
    Value first = arith::MulIOp::create(
        b, loc, arith::MulIOp::create(b, loc, slot, sizes[c.m]), sizes[c.n]);
    Type i64 = b.getI64Type();
    Value base = LLVM::IntToPtrOp::create(
        b, loc, ptrType(1),
        arith::IndexCastOp::create(b, loc, i64, workspace).getResult());
    return LLVM::GEPOp::create(
        b, loc, ptrType(1), accElement(), base,
        ValueRange{arith::IndexCastOp::create(b, loc, i64, first)});
  }

  /// The accumulators' element type: i32 for s8 operands, else f32.
  Type accElement() const {
    Builder b(context);
    return precision == Precision::S8 ? Type(b.getI32Type())
                                      : Type(b.getF32Type());
  }
  Value accZero(OpBuilder &b) {
    return arith::ConstantOp::create(b, loc, b.getZeroAttr(accElement()));
  }
  /// A fill value as an accumulator (floats converted; s8's i32 as is).
  Value toAccumulator(OpBuilder &b, Value v) {
    return precision == Precision::S8 ? v
                                      : convertFloat(b, loc, v, accElement());
  }
  Value accAdd(OpBuilder &b, Value x, Value y) {
    if (precision == Precision::S8)
      return arith::AddIOp::create(b, loc, x, y);
    return arith::AddFOp::create(b, loc, x, y);
  }

  Contraction c;
  Precision precision;
  Value fillValue;
  MLIRContext *context;
  Location loc;
  Type compute;
  Operand a, bOp;
  LLVM::GlobalOp smemGlobal;
  // Inside the kernel: the kernel's values of the host's buffers.
  IRMapping hostBuffers;
  Value fill, m0, n0;
  // The k splits, this block's split and its first k slice, and the
  // workspace's address (an index); whether the kernel being built writes
  // split partials.
  Value splits, split, firstSlice, workspace;
  bool splitK = false;
  SmallVector<Value> sizes, ivs;
};

} // namespace

bool ddl::gpugen::hopperGemmApplies(const Contraction &c, Precision precision) {
  Type compute = computeType(c.op->getContext(), precision);
  return compute && planOperand(c, 0, compute, blockNOf(precision)) &&
         planOperand(c, 1, compute, blockNOf(precision));
}

void ddl::gpugen::buildHopperGemm(OpBuilder &b, const Contraction &c,
                                  Precision precision, Value fillValue,
                                  function_ref<void(OpBuilder &)> fallback) {
  HopperGemmBuilder(c, precision, fillValue).build(b, fallback);
}
