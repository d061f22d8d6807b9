//===- ContractionKernels.cpp - tiled SIMT GEMM kernels for contractions --===//
//
// See DDLGPUContractionKernelsPass in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "passes/codegen/gpu/ContractionKernels.h"
#include "dialects/lowbit/Fp8.h"
#include "dialects/lowbit/LowbitDialect.h"
#include "passes/codegen/KernelNeighbours.h"
#include "passes/codegen/gpu/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/LLVMIR/ROCDLDialect.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/IRMapping.h"

namespace ddl::gpugen {
#define GEN_PASS_DEF_DDLGPUCONTRACTIONKERNELSPASS
#include "passes/codegen/gpu/Passes.h.inc"
} // namespace ddl::gpugen

using namespace mlir;
using namespace ddl::gpugen;

std::optional<Contraction> ddl::gpugen::matchContraction(linalg::LinalgOp op) {
  // lowbit.matmul_fp8's generic decodes its bytes in its body, which is no
  // plain multiply-add; the attribute vouches for it.
  bool e4m3 = op->hasAttr(ddl::lowbit::kE4M3OperandsAttr);
  bool s8 = op->hasAttr(ddl::lowbit::kS8OperandsAttr);
  if (!op.hasPureBufferSemantics() || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1 ||
      (!e4m3 && !s8 && !linalg::isaContractionOpInterface(op)))
    return std::nullopt;
  for (OpOperand &operand : op->getOpOperands()) {
    auto type = dyn_cast<MemRefType>(operand.get().getType());
    if (!type || !op.getMatchingIndexingMap(&operand).isProjectedPermutation())
      return std::nullopt;
    Type element = type.getElementType();
    bool input = op.isDpsInput(&operand);
    bool ok = e4m3 ? (input ? element.isInteger(8) : element.isF32())
              : s8 ? element.isInteger(input ? 8 : 32)
                   : isa<Float32Type, BFloat16Type, Float16Type>(element);
    if (!ok)
      return std::nullopt;
  }
  FailureOr<linalg::ContractionDimensions> dims =
      linalg::inferContractionDims(op);
  if (failed(dims) || dims->m.size() != 1 || dims->n.size() != 1 ||
      dims->k.size() != 1)
    return std::nullopt;
  Contraction c{op, dims->m[0], dims->n[0], dims->k[0],
                SmallVector<unsigned>(dims->batch.begin(), dims->batch.end())};
  c.e4m3 = e4m3;
  c.s8 = s8;
  return c;
}

std::optional<Precision> ddl::gpugen::parsePrecision(StringRef name) {
  return llvm::StringSwitch<std::optional<Precision>>(name)
      .Case("fp32", Precision::F32)
      .Case("tf32", Precision::TF32)
      .Case("bf16", Precision::BF16)
      .Case("fp16", Precision::F16)
      .Default(std::nullopt);
}

StringRef ddl::gpugen::precisionName(Precision precision) {
  switch (precision) {
  case Precision::F32:
    return "fp32";
  case Precision::TF32:
    return "tf32";
  case Precision::BF16:
    return "bf16";
  case Precision::F16:
    return "fp16";
  case Precision::E4M3:
    return "e4m3";
  case Precision::S8:
    return "s8";
  }
  return "";
}

linalg::GenericOp ddl::gpugen::findFoldedEpilogue(const Contraction &c,
                                                  Operation *initializer) {
  Value result = c.op->getOperand(2);
  auto generic =
      dyn_cast_or_null<linalg::GenericOp>(ddl::codegen::nextAfterKernel(c.op));
  auto resultType = cast<MemRefType>(result.getType());
  if (!generic || !generic.hasPureBufferSemantics() ||
      generic.getNumDpsInits() != 1 ||
      generic.getNumParallelLoops() != generic.getNumLoops() ||
      generic.getNumLoops() != resultType.getRank() ||
      generic.hasIndexSemantics())
    return {};
  OpOperand *init = generic.getDpsInitOperand(0);
  if (init->get() == result ||
      !generic.getMatchingIndexingMap(init).isIdentity() ||
      !generic.getRegionOutputArgs()[0].use_empty() ||
      !isa<FloatType>(getElementTypeOrSelf(init->get().getType())))
    return {};
  int readsResult = 0;
  for (OpOperand *input : generic.getDpsInputOperands()) {
    AffineMap map = generic.getMatchingIndexingMap(input);
    if (input->get() == result) {
      if (!map.isIdentity())
        return {};
      ++readsResult;
      continue;
    }
    if (!isa<MemRefType>(input->get().getType()) ||
        !map.isProjectedPermutation())
      return {};
  }
  if (readsResult != 1)
    return {};
  Block &body = generic.getRegion().front();
  for (Operation &op : body.without_terminator()) {
    if (!OpTrait::hasElementwiseMappableTraits(&op) || op.getNumResults() != 1)
      return {};
    for (Value operand : op.getOperands())
      if (operand.getParentBlock() != &body &&
          !operand.getDefiningOp<arith::ConstantOp>())
        return {};
  }
  for (Operation *user : result.getUsers())
    if (user != c.op && user != generic && user != initializer &&
        !isa<memref::DeallocOp>(user))
      return {};
  return generic;
}

SmallVector<Value> ddl::gpugen::epilogueBuffers(const Contraction &c) {
  SmallVector<Value> buffers;
  if (!c.epilogue)
    return buffers;
  for (Value v : c.epilogue->getOperands())
    if (v != c.op->getOperand(2) && !llvm::is_contained(buffers, v))
      buffers.push_back(v);
  return buffers;
}

void ddl::gpugen::writeCElement(OpBuilder &b, Location loc,
                                const Contraction &c, ArrayRef<Value> at,
                                Value sum, bool filled,
                                function_ref<Value(Value)> remap) {
  linalg::LinalgOp op = c.op;
  OpOperand &out = op->getOpOperand(2);
  AffineMap outMap = op.getMatchingIndexingMap(&out);
  // C's indices; also the epilogue's loop position (it reads C with the
  // identity map).
  SmallVector<Value> indices;
  for (unsigned d = 0; d < outMap.getNumResults(); ++d)
    indices.push_back(at[outMap.getDimPosition(d)]);
  Value cMemref = remap(out.get());
  Type cType = getElementTypeOrSelf(out.get().getType());
  Value value;
  if (isa<IntegerType>(sum.getType())) {
    // An i32 product (s8 operands) into an i32 C.
    value = filled ? sum
                   : arith::AddIOp::create(
                         b, loc,
                         memref::LoadOp::create(b, loc, cMemref, indices), sum);
  } else {
    if (!filled)
      sum = arith::AddFOp::create(
          b, loc,
          convertFloat(b, loc, memref::LoadOp::create(b, loc, cMemref, indices),
                       b.getF32Type()),
          sum);
    value = convertFloat(b, loc, sum, cType);
  }
  if (!c.epilogue) {
    memref::StoreOp::create(b, loc, value, cMemref, indices);
    return;
  }
  linalg::GenericOp generic = c.epilogue;
  Block &body = generic.getRegion().front();
  IRMapping mapping;
  for (OpOperand *input : generic.getDpsInputOperands()) {
    Value arg = body.getArgument(input->getOperandNumber());
    if (input->get() == out.get()) {
      mapping.map(arg, value);
      continue;
    }
    AffineMap map = generic.getMatchingIndexingMap(input);
    SmallVector<Value> at;
    for (unsigned r = 0; r < map.getNumResults(); ++r)
      at.push_back(indices[map.getDimPosition(r)]);
    mapping.map(arg, memref::LoadOp::create(b, loc, remap(input->get()), at));
  }
  for (Operation &op : body.without_terminator()) {
    for (Value operand : op.getOperands())
      if (auto constant = operand.getDefiningOp<arith::ConstantOp>();
          constant && !mapping.contains(operand))
        mapping.map(operand, b.clone(*constant)->getResult(0));
    b.clone(op, mapping);
  }
  memref::StoreOp::create(b, loc,
                          mapping.lookup(body.getTerminator()->getOperand(0)),
                          remap(generic.getDpsInits()[0]), indices);
}

Value ddl::gpugen::convertFloat(OpBuilder &b, Location loc, Value v,
                                Type type) {
  if (v.getType() == type)
    return v;
  unsigned from = getElementTypeOrSelf(v.getType()).getIntOrFloatBitWidth();
  unsigned to = getElementTypeOrSelf(type).getIntOrFloatBitWidth();
  if (from < to)
    return arith::ExtFOp::create(b, loc, type, v);
  if (from > to)
    return arith::TruncFOp::create(b, loc, type, v);
  // bf16 <-> f16 through f32.
  Type f32 = b.getF32Type();
  if (auto vector = dyn_cast<VectorType>(type))
    f32 = VectorType::get(vector.getShape(), f32);
  return arith::TruncFOp::create(b, loc, type,
                                 arith::ExtFOp::create(b, loc, f32, v));
}

Value ddl::gpugen::convertOperand(OpBuilder &b, Location loc,
                                  const Contraction &c, Value v, Type type) {
  if (c.e4m3 && getElementTypeOrSelf(v.getType()).isInteger(8))
    v = ddl::lowbit::buildDecodeFp8(b, loc, v, ddl::lowbit::kE4M3);
  return convertFloat(b, loc, v, type);
}

void ddl::gpugen::mmaSync(OpBuilder &b, Location loc, Precision precision,
                          ArrayRef<Value> a, ArrayRef<Value> bRegs,
                          MutableArrayRef<Value> sums) {
  NVVM::MMATypes type = precision == Precision::TF32   ? NVVM::MMATypes::tf32
                        : precision == Precision::BF16 ? NVVM::MMATypes::bf16
                                                       : NVVM::MMATypes::f16;
  Type f32 = b.getF32Type();
  auto resultType =
      LLVM::LLVMStructType::getLiteral(b.getContext(), {f32, f32, f32, f32});
  std::array<int64_t, 3> shape = {16, 8, precision == Precision::TF32 ? 8 : 16};
  auto op =
      NVVM::MmaOp::create(b, loc, resultType, a, bRegs, sums, shape,
                          /*b1Op=*/std::nullopt, /*intOverflow=*/std::nullopt,
                          std::array<NVVM::MMATypes, 2>{type, type},
                          std::array<NVVM::MMALayout, 2>{NVVM::MMALayout::row,
                                                         NVVM::MMALayout::col});
  for (int64_t r = 0; r < 4; ++r)
    sums[r] = LLVM::ExtractValueOp::create(b, loc, op.getResult(), r);
}

std::array<Value, 4> ddl::gpugen::ldmatrixX4(OpBuilder &b, Location loc,
                                             Precision precision, Value tile,
                                             Value row, Value column,
                                             bool transpose) {
  Type element = cast<MemRefType>(tile.getType()).getElementType();
  auto op = nvgpu::LdMatrixOp::create(b, loc, VectorType::get({4, 2}, element),
                                      tile, ValueRange{row, column}, transpose,
                                      /*numTiles=*/4);
  std::array<Value, 4> registers;
  for (int64_t i = 0; i < 4; ++i) {
    Value v = vector::ExtractOp::create(b, loc, op.getResult(), i);
    registers[i] =
        precision == Precision::F16
            ? v
            : LLVM::BitcastOp::create(b, loc, b.getI32Type(), v).getResult();
  }
  return registers;
}

Value ddl::gpugen::wgmmaDescriptor(OpBuilder &b, Location loc, Value address,
                                   int64_t leadingBytes, int64_t strideBytes) {
  uint64_t fixed = (uint64_t(leadingBytes >> 4) << 16) |
                   (uint64_t(strideBytes >> 4) << 32) |
                   (uint64_t(1) << 62); // 128-byte swizzle
  Type i64 = b.getI64Type();
  Value start = arith::AndIOp::create(
      b, loc,
      arith::ShRUIOp::create(
          b, loc, address,
          arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(4))),
      arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(0x3FFF)));
  return arith::OrIOp::create(
      b, loc, start,
      arith::ConstantOp::create(b, loc, IntegerAttr::get(i64, fixed)));
}

Value ddl::gpugen::rowsAligned16(OpBuilder &b, Location loc, Value memref) {
  auto type = cast<MemRefType>(memref.getType());
  int64_t bytes = type.getElementTypeBitWidth() / 8;
  auto index = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  auto metadata = memref::ExtractStridedMetadataOp::create(b, loc, memref);
  Value pointer =
      memref::ExtractAlignedPointerAsIndexOp::create(b, loc, memref);
  Value start = arith::AddIOp::create(
      b, loc, pointer,
      arith::MulIOp::create(b, loc, metadata.getOffset(), index(bytes)));
  auto isMultiple = [&](Value v, int64_t of) -> Value {
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                 arith::RemUIOp::create(b, loc, v, index(of)),
                                 index(0));
  };
  Value ok = isMultiple(start, 16);
  for (Value stride : ValueRange(metadata.getStrides()).drop_back())
    ok = arith::AndIOp::create(b, loc, ok, isMultiple(stride, 16 / bytes));
  return ok;
}

namespace {

/// The tile sizes of one kernel: a block computes blockM x blockN outputs,
/// staging blockK-deep slices of A and B in shared memory; each thread
/// computes threadM x threadN of them in registers.
struct Tiles {
  int64_t blockM, blockN, blockK, threadM, threadN;
  int64_t threads() const { return (blockM / threadM) * (blockN / threadN); }
};

/// What both kernels share: the loop sizes and grid (computed on the
/// host), the launch, operand indexing, bounds-checked loads converted to
/// the compute type, and the accumulate-into-C epilogue.
class KernelBuilderBase {
protected:
  /// With `fillValue`, C is known to hold that value everywhere before the
  /// kernel: the accumulators start from it and C is written, not read.
  KernelBuilderBase(OpBuilder &b, Contraction c, Value fillValue)
      : b(b), c(c), loc(c.op.getLoc()), fillValue(fillValue) {}

  /// Computes the loop sizes and launches a grid of blockN x blockM tiles
  /// (x, y) by the batch positions (z) with `threads` threads, the given
  /// shared-memory buffers as workgroup attributions. The builder is left
  /// at the start of the body, with ivs holding the block's batch
  /// position, m0 / n0 its first row and column.
  ///
  /// `name` names the outlined kernel (made unique when it is outlined),
  /// so that profiles say which kernel is which.
  ::mlir::gpu::LaunchOp launch(StringRef name, int64_t blockM, int64_t blockN,
                               int64_t threads, TypeRange sharedBuffers) {
    SmallVector<Range> ranges = c.op.createLoopRanges(b, loc);
    for (Range &r : ranges)
      sizes.push_back(getValueOrCreateConstantIndexOp(b, loc, r.size));
    Value one = index(1);
    Value gridX = arith::CeilDivSIOp::create(b, loc, sizes[c.n], index(blockN));
    Value gridY = arith::CeilDivSIOp::create(b, loc, sizes[c.m], index(blockM));
    Value gridZ = one;
    for (unsigned d : c.batch)
      gridZ = arith::MulIOp::create(b, loc, gridZ, sizes[d]);
    auto launchOp = ::mlir::gpu::LaunchOp::create(
        b, loc, gridX, gridY, gridZ, index(threads), one, one,
        /*dynamicSharedMemorySize=*/nullptr, /*asyncTokenType=*/nullptr,
        /*asyncDependencies=*/{}, sharedBuffers);
    launchOp.setFunctionAttr(FlatSymbolRefAttr::get(b.getContext(), name));
    Block &body = launchOp.getBody().front();
    b.setInsertionPointToStart(&body);
    ::mlir::gpu::TerminatorOp::create(b, loc);
    b.setInsertionPointToStart(&body);
    tid = launchOp.getThreadIds().x;
    m0 = mul(launchOp.getBlockIds().y, index(blockM));
    n0 = mul(launchOp.getBlockIds().x, index(blockN));
    ivs.assign(sizes.size(), Value());
    // The batch position, delinearized from block z (last batch loop
    // fastest).
    Value rest = launchOp.getBlockIds().z;
    for (unsigned d : llvm::reverse(c.batch)) {
      ivs[d] = arith::RemSIOp::create(b, loc, rest, sizes[d]);
      rest = arith::DivSIOp::create(b, loc, rest, sizes[d]);
    }
    return launchOp;
  }

  static MemRefType sharedBuffer(ArrayRef<int64_t> shape, Type element) {
    auto workgroup = ::mlir::gpu::AddressSpaceAttr::get(
        element.getContext(), ::mlir::gpu::AddressSpace::Workgroup);
    return MemRefType::get(shape, element, MemRefLayoutAttrInterface(),
                           workgroup);
  }

  Value index(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return arith::MulIOp::create(b, loc, x, y); }
  Value rem(Value x, int64_t y) {
    return arith::RemSIOp::create(b, loc, x, index(y));
  }
  Value div(Value x, int64_t y) {
    return arith::DivSIOp::create(b, loc, x, index(y));
  }
  Value lessThan(Value x, Value y) {
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, x, y);
  }
  Value both(Value x, Value y) { return arith::AndIOp::create(b, loc, x, y); }

  Value convert(Value v, Type type) { return convertFloat(b, loc, v, type); }

  /// Indices of `operand` at the loop position `ivs` (one per loop; the
  /// loops the operand does not use may be null).
  SmallVector<Value> indicesOf(OpOperand &operand, ArrayRef<Value> at) {
    AffineMap map = c.op.getMatchingIndexingMap(&operand);
    SmallVector<Value> indices;
    for (unsigned r = 0; r < map.getNumResults(); ++r)
      indices.push_back(at[map.getDimPosition(r)]);
    return indices;
  }

  /// `operand` at `at` as `type` when `inBounds`, else 0.
  Value loadOrZero(OpOperand &operand, ArrayRef<Value> at, Value inBounds,
                   Type type) {
    auto ifOp = scf::IfOp::create(b, loc, type, inBounds,
                                  /*withElseRegion=*/true);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(ifOp.thenBlock());
    Value v =
        memref::LoadOp::create(b, loc, operand.get(), indicesOf(operand, at));
    scf::YieldOp::create(b, loc, convertOperand(b, loc, c, v, type));
    b.setInsertionPointToStart(ifOp.elseBlock());
    scf::YieldOp::create(
        b, loc,
        arith::ConstantOp::create(b, loc, b.getZeroAttr(type)).getResult());
    return ifOp.getResult(0);
  }

  /// Whether `operand`'s innermost (contiguous) dimension is the k loop:
  /// then consecutive threads read consecutive k when staging it.
  bool kInnermost(OpOperand &operand) {
    AffineMap map = c.op.getMatchingIndexingMap(&operand);
    return map.getNumResults() > 0 &&
           map.getDimPosition(map.getNumResults() - 1) == c.k;
  }

  /// The k loop of a kernel staging blockK-deep slices, its first results
  /// the accumulators (`init`): each iteration stores the slice whose
  /// global loads the previous one issued (`store`, the thread's values of
  /// A's and B's slice), waits for the block, issues the next slice's
  /// loads (`load(k0)`: A's values, B's values) so that they are in flight
  /// during this slice's math, runs the math of each kStep-deep step
  /// (`step(ks, sums)`), and waits again.
  scf::ForOp buildKLoop(
      SmallVector<Value> init, int64_t blockK, int64_t kStep,
      function_ref<std::pair<SmallVector<Value>, SmallVector<Value>>(Value)>
          load,
      function_ref<void(ValueRange aValues, ValueRange bValues)> store,
      function_ref<void(int64_t ks, MutableArrayRef<Value> sums)> step) {
    int64_t accumulators = init.size();
    auto [aFirst, bFirst] = load(index(0));
    int64_t aCount = aFirst.size();
    init.append(aFirst);
    init.append(bFirst);
    auto kLoop =
        scf::ForOp::create(b, loc, index(0), sizes[c.k], index(blockK), init);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(kLoop.getBody());
    ValueRange carried = kLoop.getRegionIterArgs();
    ValueRange acc = carried.take_front(accumulators);
    store(carried.slice(accumulators, aCount),
          carried.drop_front(accumulators + aCount));
    ::mlir::gpu::BarrierOp::create(b, loc);
    auto [aNext, bNext] = load(add(kLoop.getInductionVar(), index(blockK)));
    SmallVector<Value> sums(acc.begin(), acc.end());
    for (int64_t ks = 0; ks < blockK; ks += kStep)
      step(ks, sums);
    ::mlir::gpu::BarrierOp::create(b, loc);
    sums.append(aNext);
    sums.append(bNext);
    scf::YieldOp::create(b, loc, sums);
    return kLoop;
  }

  /// How a thread stages its elements of one operand's blockK-deep slice
  /// (extent rows) in shared memory as [row][k]: its i-th element is row
  /// `rows[i]` (m or n within the tile), k `ks[i]` within the slice.
  /// Consecutive threads take consecutive positions along the operand's
  /// contiguous dimension, so that loads coalesce.
  struct StagePlan {
    OpOperand *operand;
    unsigned loop; // c.m or c.n
    Value origin;  // m0 or n0
    SmallVector<Value> rows, ks;
  };

  StagePlan planStage(OpOperand &operand, unsigned loop, Value origin,
                      int64_t extent, int64_t blockK, int64_t threads) {
    StagePlan plan{&operand, loop, origin, {}, {}};
    bool kFastest = kInnermost(operand);
    int64_t fastest = kFastest ? blockK : extent;
    for (int64_t l = 0; l < extent * blockK / threads; ++l) {
      Value i = add(tid, index(l * threads));
      Value fast = rem(i, fastest), slow = div(i, fastest);
      plan.ks.push_back(kFastest ? fast : slow);
      plan.rows.push_back(kFastest ? slow : fast);
    }
    return plan;
  }

  /// The plan's elements of the slice at `k0` as `type` (0 outside the
  /// operand).
  SmallVector<Value> loadStaged(const StagePlan &plan, Value k0, Type type) {
    SmallVector<Value> values;
    SmallVector<Value> at = ivs;
    for (auto [row, k] : llvm::zip(plan.rows, plan.ks)) {
      at[plan.loop] = add(plan.origin, row);
      at[c.k] = add(k0, k);
      Value inBounds = both(lessThan(at[plan.loop], sizes[plan.loop]),
                            lessThan(at[c.k], sizes[c.k]));
      values.push_back(loadOrZero(*plan.operand, at, inBounds, type));
    }
    return values;
  }

  void storeStaged(const StagePlan &plan, Value tile, ValueRange values) {
    for (auto [row, k, v] : llvm::zip(plan.rows, plan.ks, values))
      memref::StoreOp::create(b, loc, v, tile, ValueRange{row, k});
  }

  /// The f32 value the accumulators start from: the fill value, or 0.
  Value accumulatorStart() {
    Value zero = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0));
    return fillValue ? convert(fillValue, b.getF32Type()) : zero;
  }

  /// C[row, column] (+)= `sum` (an f32), inside C's bounds; C += sum, or
  /// C = sum after a folded fill.
  void accumulateIntoC(Value row, Value column, Value sum) {
    SmallVector<Value> at = ivs;
    at[c.m] = row;
    at[c.n] = column;
    at[c.k] = nullptr;
    Value inBounds =
        both(lessThan(row, sizes[c.m]), lessThan(column, sizes[c.n]));
    auto ifOp = scf::IfOp::create(b, loc, inBounds);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(ifOp.thenBlock());
    writeCElement(b, loc, c, at, sum, /*filled=*/bool(fillValue),
                  [](Value v) { return v; });
  }

  OpBuilder &b;
  Contraction c;
  Location loc;
  Value fillValue;
  SmallVector<Value> sizes; // Every loop's size.
  SmallVector<Value> ivs;   // The block's batch position (other loops null).
  Value tid, m0, n0;
};

/// The SIMT kernel (f32): a block computes blockM x blockN outputs,
/// staging blockK-deep slices of A and B in shared memory; each thread
/// computes threadM x threadN of them in registers with FMAs.
class SimtKernelBuilder : KernelBuilderBase {
public:
  SimtKernelBuilder(OpBuilder &b, Contraction c, const Tiles &tiles,
                    Value fillValue)
      : KernelBuilderBase(b, c, fillValue), tiles(tiles) {}

  void build() {
    // A is staged k-major and padded (a row of the slice per k), so that
    // the threads of a warp storing consecutive k hit different banks.
    Type f32 = b.getF32Type();
    MemRefType aType = sharedBuffer({tiles.blockK, tiles.blockM + 4}, f32);
    MemRefType bType = sharedBuffer({tiles.blockK, tiles.blockN}, f32);
    OpBuilder::InsertionGuard guard(b);
    auto launchOp = launch("gemm_simt", tiles.blockM, tiles.blockN,
                           tiles.threads(), TypeRange{aType, bType});
    aTile = launchOp.getWorkgroupAttributions()[0];
    bTile = launchOp.getWorkgroupAttributions()[1];
    buildBody();
  }

private:
  /// Stages into `tile` ([k][d]) the slice of `operand` that loop `d`
  /// (`extent` positions from `d0`) and the k loop (blockK from `k0`) span,
  /// zero outside the operand; consecutive threads take consecutive k
  /// (`kFastest`, for A) or consecutive d (for B), so that the reads are
  /// coalesced along the operand's rows.
  void stageSlice(OpOperand &operand, Value tile, unsigned d, Value d0,
                  int64_t extent, Value k0, bool kFastest) {
    int64_t fastest = kFastest ? tiles.blockK : extent;
    SmallVector<Value> at = ivs;
    for (int64_t l = 0; l < extent * tiles.blockK / tiles.threads(); ++l) {
      Value i = add(tid, index(l * tiles.threads()));
      Value fast = rem(i, fastest);
      Value slow = div(i, fastest);
      Value kk = kFastest ? fast : slow;
      Value dd = kFastest ? slow : fast;
      at[d] = add(d0, dd);
      at[c.k] = add(k0, kk);
      Value inBounds =
          both(lessThan(at[d], sizes[d]), lessThan(at[c.k], sizes[c.k]));
      Value v = loadOrZero(operand, at, inBounds, b.getF32Type());
      memref::StoreOp::create(b, loc, v, tile, ValueRange{kk, dd});
    }
  }

  void buildBody() {
    Value columns = index(tiles.blockN / tiles.threadN);
    Value tx = arith::RemSIOp::create(b, loc, tid, columns);
    Value ty = arith::DivSIOp::create(b, loc, tid, columns);
    OpOperand &lhs = c.op->getOpOperand(0);
    OpOperand &rhs = c.op->getOpOperand(1);
    int64_t accumulators = tiles.threadM * tiles.threadN;
    SmallVector<Value> init(accumulators, accumulatorStart());

    auto kLoop = scf::ForOp::create(b, loc, index(0), sizes[c.k],
                                    index(tiles.blockK), init);
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(kLoop.getBody());
      Value k0 = kLoop.getInductionVar();
      // Stage the A slice (blockM x blockK) and the B slice (blockK x
      // blockN): consecutive threads read consecutive k of A and n of B.
      stageSlice(lhs, aTile, c.m, m0, tiles.blockM, k0, /*kFastest=*/true);
      stageSlice(rhs, bTile, c.n, n0, tiles.blockN, k0, /*kFastest=*/false);
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

    for (int64_t i = 0; i < tiles.threadM; ++i)
      for (int64_t j = 0; j < tiles.threadN; ++j)
        accumulateIntoC(add(m0, add(mul(ty, index(tiles.threadM)), index(i))),
                        add(n0, add(mul(tx, index(tiles.threadN)), index(j))),
                        kLoop.getResult(i * tiles.threadN + j));
  }

  const Tiles &tiles;
  Value aTile, bTile;
};

/// The tensor-core kernel (tf32, bf16, f16 operands; f32 accumulators), on
/// the warp-level `mma.sync` of sm_80 and later (m16n8k8 for tf32,
/// m16n8k16 for bf16 / f16). A block of 8 warps (2 x 4) computes a
/// What the tensor-core kernels share: a block of 8 warps computes a
/// 128 x 128 tile of C, each warp 64 x 32 of it: 4 x 4 mma tiles of
/// 16 x 8, their f32 accumulators in registers in the PTX fragment layout,
/// the k loop taking 32-deep slices of A and B staged in shared memory.
class MmaKernelBase : protected KernelBuilderBase {
public:
  static constexpr int64_t blockM = 128, blockN = 128, blockK = 32;
  static constexpr int64_t warpsM = 2, warpsN = 4, threads = 32 * 8;
  static constexpr int64_t warpTileM = blockM / warpsM; // 64
  static constexpr int64_t warpTileN = blockN / warpsN; // 32
  static constexpr int64_t tilesM = warpTileM / 16, tilesN = warpTileN / 8;
  static constexpr int64_t accumulators = tilesM * tilesN * 4;

protected:
  MmaKernelBase(OpBuilder &b, Contraction c, Precision precision,
                Value fillValue)
      : KernelBuilderBase(b, c, fillValue), precision(precision) {
    kStep = precision == Precision::TF32 ? 8 : 16;
  }

  /// This thread's place in the block: lane, its group of 4 lanes and its
  /// place in it (the fragment layout's row and column pair), and the
  /// warp's first row and column in the tile.
  void warpCoordinates() {
    Value lane = rem(tid, 32), warp = div(tid, 32);
    group = div(lane, 4);
    inGroup = rem(lane, 4);
    warpRow = mul(div(warp, warpsN), index(warpTileM));
    warpColumn = mul(rem(warp, warpsN), index(warpTileN));
  }

  /// sums (the 4 accumulators of one 16 x 8 tile) += a b.
  void mma(ArrayRef<Value> a, ArrayRef<Value> bRegs,
           MutableArrayRef<Value> sums) {
    mmaSync(b, loc, precision, a, bRegs, sums);
  }

  /// The k loop of the tensor-core kernels and C written from it.
  void buildKLoop(
      function_ref<std::pair<SmallVector<Value>, SmallVector<Value>>(Value)>
          load,
      function_ref<void(ValueRange aValues, ValueRange bValues)> store,
      function_ref<void(int64_t ks, MutableArrayRef<Value> sums)> step) {
    writeAccumulators(KernelBuilderBase::buildKLoop(
        SmallVector<Value>(accumulators, accumulatorStart()), blockK, kStep,
        load, store, step));
  }

  /// The k loop's first `accumulators` results into C. Accumulator r of
  /// tile (i, j) holds C at row group + 8 (r / 2), column 2 inGroup + r % 2
  /// of the tile.
  void writeAccumulators(scf::ForOp kLoop) {
    for (int64_t i = 0; i < tilesM; ++i)
      for (int64_t j = 0; j < tilesN; ++j)
        for (int64_t r = 0; r < 4; ++r) {
          Value row =
              add(m0, add(warpRow, add(index(i * 16 + 8 * (r / 2)), group)));
          Value column = add(n0, add(warpColumn, add(index(j * 8 + r % 2),
                                                     mul(inGroup, index(2)))));
          accumulateIntoC(row, column,
                          kLoop.getResult((i * tilesN + j) * 4 + r));
        }
  }

  Precision precision;
  int64_t kStep = 16;
  Value group, inGroup, warpRow, warpColumn;
};

/// The tf32 kernel (MmaKernelBase's tiles): the k loop stages 32-deep
/// slices of A ([m][k]) and B ([n][k]) in shared memory as the tf32 words
/// the fragments are made of, rounded once when staged; rows are padded so
/// that the fragment reads of a warp hit 32 different banks. The next
/// slice's global loads are issued into registers before the current
/// slice's mma's, which hides their latency behind the math.
class Tf32MmaKernelBuilder : MmaKernelBase {
public:
  Tf32MmaKernelBuilder(OpBuilder &b, Contraction c, Value fillValue)
      : MmaKernelBase(b, c, Precision::TF32, fillValue) {}

  void build() {
    // blockK words a staged row, padded by 4 (so that the 8 rows of a
    // fragment read start 4 banks apart).
    int64_t pitch = blockK + 4;
    MemRefType tileType = sharedBuffer({blockM, pitch}, b.getI32Type());
    OpBuilder::InsertionGuard guard(b);
    std::string name = "gemm_mma_" + precisionName(precision).str();
    auto launchOp =
        launch(name, blockM, blockN, threads, TypeRange{tileType, tileType});
    aTile = launchOp.getWorkgroupAttributions()[0];
    bTile = launchOp.getWorkgroupAttributions()[1];
    buildBody();
  }

private:
  /// The plan's words of the slice at `k0` (elements 0 outside the
  /// operand), as i32.
  SmallVector<Value> loadSlice(const StagePlan &plan, Value k0) {
    SmallVector<Value> words;
    for (Value v : loadStaged(plan, k0, b.getF32Type()))
      // Rounded to nearest (ties away, cvt.rna, as cuBLAS does); mma.sync
      // would truncate.
      words.push_back(NVVM::ConvertFloatToTF32Op::create(
          b, loc, b.getI32Type(), v,
          NVVM::FPRoundingModeAttr::get(b.getContext(),
                                        NVVM::FPRoundingMode::RNA)));
    return words;
  }

  /// One register of a fragment: element `k` of the slice at `row`.
  Value fragmentRegister(Value tile, Value row, Value k) {
    return memref::LoadOp::create(b, loc, tile, ValueRange{row, k});
  }

  void buildBody() {
    warpCoordinates();
    OpOperand &lhs = c.op->getOpOperand(0);
    OpOperand &rhs = c.op->getOpOperand(1);
    StagePlan aPlan = planStage(lhs, c.m, m0, blockM, blockK, threads);
    StagePlan bPlan = planStage(rhs, c.n, n0, blockN, blockK, threads);
    int64_t half = kStep / 2; // the second register's k offset
    buildKLoop(
        [&](Value k0) {
          return std::make_pair(loadSlice(aPlan, k0), loadSlice(bPlan, k0));
        },
        [&](ValueRange aValues, ValueRange bValues) {
          storeStaged(aPlan, aTile, aValues);
          storeStaged(bPlan, bTile, bValues);
        },
        [&](int64_t ks, MutableArrayRef<Value> sums) {
          Value k = add(index(ks), inGroup);
          Value kHigh = add(k, index(half));
          SmallVector<std::array<Value, 4>> aFragments;
          for (int64_t i = 0; i < tilesM; ++i) {
            Value row = add(warpRow, add(index(i * 16), group));
            Value rowLow = add(row, index(8));
            aFragments.push_back({fragmentRegister(aTile, row, k),
                                  fragmentRegister(aTile, rowLow, k),
                                  fragmentRegister(aTile, row, kHigh),
                                  fragmentRegister(aTile, rowLow, kHigh)});
          }
          SmallVector<std::array<Value, 2>> bFragments;
          for (int64_t j = 0; j < tilesN; ++j) {
            Value column = add(warpColumn, add(index(j * 8), group));
            bFragments.push_back({fragmentRegister(bTile, column, k),
                                  fragmentRegister(bTile, column, kHigh)});
          }
          for (int64_t i = 0; i < tilesM; ++i)
            for (int64_t j = 0; j < tilesN; ++j)
              mma(aFragments[i], bFragments[j],
                  sums.slice((i * tilesN + j) * 4, 4));
        });
  }

  Value aTile, bTile;
};

/// The bf16 / f16 kernel (MmaKernelBase's tiles). Slices are staged in
/// shared memory in the operands' own layout, as 16-byte chunks: [m][k]
/// for an A whose k is contiguous, else [k][m], and [n][k] or [k][n] for
/// B; rows padded by 16 bytes, so that the 8 row addresses of an
/// `ldmatrix` hit different banks. Fragments come out of shared memory
/// with `ldmatrix` (x4: the four 8x8 matrices of an A fragment, or the B
/// fragments of two n tiles; `.trans` for the [k][...] layouts). A
/// thread's chunks of the next slice are loaded from global memory into
/// registers before the current slice's math: 16-byte vector loads when
/// the block's slice lies inside the operand and its rows start 16-byte
/// aligned (checked at run time, folded when static), element loads with
/// bounds checks otherwise.
class LdmatrixMmaKernelBuilder : MmaKernelBase {
public:
  static constexpr int64_t chunk = 8; // elements per 16-byte chunk

  LdmatrixMmaKernelBuilder(OpBuilder &b, Contraction c, Precision precision,
                           Value fillValue)
      : MmaKernelBase(b, c, precision, fillValue) {}

  void build() {
    computeType = precision == Precision::BF16 ? Type(b.getBF16Type())
                                               : Type(b.getF16Type());
    a = planOperand(c.op->getOpOperand(0), c.m, blockM);
    bOp = planOperand(c.op->getOpOperand(1), c.n, blockN);
    OpBuilder::InsertionGuard guard(b);
    std::string name = "gemm_mma_" + precisionName(precision).str();
    auto launchOp = launch(name, blockM, blockN, threads,
                           TypeRange{a.tileType, bOp.tileType});
    a.tile = launchOp.getWorkgroupAttributions()[0];
    bOp.tile = launchOp.getWorkgroupAttributions()[1];
    a.origin = m0;
    bOp.origin = n0;
    buildBody();
  }

private:
  /// How one operand is staged.
  struct Operand {
    OpOperand *operand = nullptr;
    unsigned loop = 0;    // c.m or c.n: the tile's rows of C it feeds
    int64_t extent = 0;   // blockM or blockN
    bool kMajor = true;   // staged [extent][blockK], else [blockK][extent]
    bool vectors = false; // its contiguous dimension is k or `loop`
    MemRefType tileType;
    Value tile, origin;
    Value aligned; // i1: 16-byte loads are aligned (vectors only)
  };

  Operand planOperand(OpOperand &operand, unsigned loop, int64_t extent) {
    Operand o;
    o.operand = &operand;
    o.loop = loop;
    o.extent = extent;
    // The loop along the operand's contiguous (unit-stride) dimension;
    // 16-byte loads need it to be the memref's last one.
    auto type = cast<MemRefType>(operand.get().getType());
    AffineMap map = c.op.getMatchingIndexingMap(&operand);
    SmallVector<int64_t> strides;
    int64_t offset;
    std::optional<unsigned> contiguous;
    if (type.getRank() > 0 &&
        succeeded(type.getStridesAndOffset(strides, offset)))
      for (int64_t d = type.getRank() - 1; d >= 0 && !contiguous; --d)
        if (strides[d] == 1)
          contiguous = map.getDimPosition(d);
    o.kMajor = contiguous != loop;
    o.vectors = contiguous && (*contiguous == c.k || *contiguous == loop) &&
                type.isLastDimUnitStride();
    o.tileType = o.kMajor ? sharedBuffer({extent, blockK + chunk}, computeType)
                          : sharedBuffer({blockK, extent + chunk}, computeType);
    return o;
  }

  /// i1: the operand's rows start 16-byte aligned: its aligned pointer
  /// plus offset, and every stride but the last (which is 1), are
  /// multiples of 16 bytes.
  Value rowsAligned(const Operand &o) {
    return rowsAligned16(b, loc, o.operand->get());
  }

  /// Chunk `l` of this thread within a slice: its row and first column in
  /// the staged tile.
  std::pair<Value, Value> chunkPosition(const Operand &o, int64_t l) {
    int64_t columns = (o.kMajor ? blockK : o.extent) / chunk;
    Value v = add(tid, index(l * threads));
    return {div(v, columns), mul(rem(v, columns), index(chunk))};
  }

  int64_t chunksPerThread(const Operand &o) const {
    return o.extent * blockK / chunk / threads;
  }

  /// This thread's chunks of the operand's slice at k0, in the compute
  /// type (zeros outside the operand).
  SmallVector<Value> loadSlice(const Operand &o, Value k0) {
    auto vectorType = VectorType::get({chunk}, computeType);
    Value inside =
        both(lessThan(add(o.origin, index(o.extent - 1)), sizes[o.loop]),
             lessThan(add(k0, index(blockK - 1)), sizes[c.k]));
    Value fast = o.vectors ? both(inside, o.aligned) : Value();
    SmallVector<Value> chunks;
    for (int64_t l = 0; l < chunksPerThread(o); ++l) {
      auto [row, column] = chunkPosition(o, l);
      SmallVector<Value> at = ivs;
      at[o.loop] = add(o.origin, o.kMajor ? row : column);
      at[c.k] = add(k0, o.kMajor ? column : row);
      unsigned along = o.kMajor ? c.k : o.loop; // the chunk's direction
      auto slow = [&]() {
        SmallVector<Value> elements;
        SmallVector<Value> e = at;
        for (int64_t i = 0; i < chunk; ++i) {
          e[along] = add(at[along], index(i));
          Value inBounds = both(lessThan(e[o.loop], sizes[o.loop]),
                                lessThan(e[c.k], sizes[c.k]));
          elements.push_back(loadOrZero(*o.operand, e, inBounds, computeType));
        }
        return vector::FromElementsOp::create(b, loc, vectorType, elements)
            .getResult();
      };
      if (!fast) {
        chunks.push_back(slow());
        continue;
      }
      auto ifOp = scf::IfOp::create(b, loc, vectorType, fast,
                                    /*withElseRegion=*/true);
      {
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPointToStart(ifOp.thenBlock());
        Type source =
            cast<MemRefType>(o.operand->get().getType()).getElementType();
        // A chunk of 8-bit elements is 8 bytes: aligned to its size.
        int64_t chunkBytes = chunk * source.getIntOrFloatBitWidth() / 8;
        Value v = vector::LoadOp::create(
            b, loc, VectorType::get({chunk}, source), o.operand->get(),
            indicesOf(*o.operand, at),
            /*nontemporal=*/false,
            llvm::MaybeAlign(std::min<int64_t>(chunkBytes, 16)));
        scf::YieldOp::create(b, loc, convertOperand(b, loc, c, v, vectorType));
        b.setInsertionPointToStart(ifOp.elseBlock());
        scf::YieldOp::create(b, loc, slow());
      }
      chunks.push_back(ifOp.getResult(0));
    }
    return chunks;
  }

  void storeSlice(const Operand &o, ValueRange chunks) {
    for (auto [l, v] : llvm::enumerate(chunks)) {
      auto [row, column] = chunkPosition(o, l);
      vector::StoreOp::create(b, loc, v, o.tile, ValueRange{row, column},
                              /*nontemporal=*/false, llvm::MaybeAlign(16));
    }
  }

  /// Four 8x8 matrices of `o`'s tile, lane l giving the address of row
  /// l % 8 of matrix l / 8: `rowOf` / `columnOf` say where that row starts
  /// (tile coordinates) for matrix q. Returns the four 32-bit registers,
  /// as nvvm.mma.sync takes them.
  std::array<Value, 4> ldmatrix(const Operand &o,
                                function_ref<Value(Value q, Value r)> rowOf,
                                function_ref<Value(Value q)> columnOf) {
    Value q = div(lane, 8), r = rem(lane, 8);
    return ldmatrixX4(b, loc, precision, o.tile, rowOf(q, r), columnOf(q),
                      /*transpose=*/!o.kMajor);
  }

  /// The A fragment of mma tile row i at slice depth ks: registers a0..a3
  /// are (rows 0-7, k 0-7), (rows 8-15, k 0-7), (rows 0-7, k 8-15),
  /// (rows 8-15, k 8-15) of the 16 x 16 block.
  std::array<Value, 4> aFragment(int64_t i, int64_t ks) {
    Value first = add(warpRow, index(i * 16));
    auto mOf = [&](Value q) { return add(first, mul(rem(q, 2), index(8))); };
    auto kOf = [&](Value q) {
      return add(index(ks), mul(div(q, 2), index(8)));
    };
    if (a.kMajor)
      return ldmatrix(a, [&](Value q, Value r) { return add(mOf(q), r); }, kOf);
    return ldmatrix(a, [&](Value q, Value r) { return add(kOf(q), r); }, mOf);
  }

  /// The B fragments of mma tile columns 2p and 2p + 1 at depth ks:
  /// (n 0-7, k 0-7), (n 0-7, k 8-15), (n 8-15, k 0-7), (n 8-15, k 8-15).
  std::array<Value, 4> bFragments(int64_t p, int64_t ks) {
    Value first = add(warpColumn, index(p * 16));
    auto nOf = [&](Value q) { return add(first, mul(div(q, 2), index(8))); };
    auto kOf = [&](Value q) {
      return add(index(ks), mul(rem(q, 2), index(8)));
    };
    if (bOp.kMajor)
      return ldmatrix(
          bOp, [&](Value q, Value r) { return add(nOf(q), r); }, kOf);
    return ldmatrix(bOp, [&](Value q, Value r) { return add(kOf(q), r); }, nOf);
  }

  void buildBody() {
    warpCoordinates();
    lane = rem(tid, 32);
    if (a.vectors)
      a.aligned = rowsAligned(a);
    if (bOp.vectors)
      bOp.aligned = rowsAligned(bOp);

    buildKLoop(
        [&](Value k0) {
          return std::make_pair(loadSlice(a, k0), loadSlice(bOp, k0));
        },
        [&](ValueRange aValues, ValueRange bValues) {
          storeSlice(a, aValues);
          storeSlice(bOp, bValues);
        },
        [&](int64_t ks, MutableArrayRef<Value> sums) {
          SmallVector<std::array<Value, 4>> aFragments;
          for (int64_t i = 0; i < tilesM; ++i)
            aFragments.push_back(aFragment(i, ks));
          SmallVector<std::array<Value, 2>> bRegisters;
          for (int64_t p = 0; p < tilesN / 2; ++p) {
            std::array<Value, 4> q = bFragments(p, ks);
            bRegisters.push_back({q[0], q[1]});
            bRegisters.push_back({q[2], q[3]});
          }
          for (int64_t i = 0; i < tilesM; ++i)
            for (int64_t j = 0; j < tilesN; ++j)
              mma(aFragments[i], bRegisters[j],
                  sums.slice((i * tilesN + j) * 4, 4));
        });
  }

  Type computeType;
  Operand a, bOp;
  Value lane;
};

/// The AMD CDNA kernel (gfx90a, gfx942; bf16 / f16 with f32 accumulators):
/// 4 waves of 64 lanes compute a 128 x 128 tile of C, each a 64 x 64
/// quarter as 4 x 4 tiles of v_mfma_f32_16x16x16 (`rocdl.mfma`; bf16 as
/// the `_1k` variant, which takes its operands as i16 words). 32-deep
/// slices of A ([m][k]) and B ([n][k]) are staged in shared memory in the
/// compute type, rows padded by 4 elements (8 bytes: the 16 rows a
/// fragment read touches start on different banks), the next slice's
/// global loads issued into registers before the current slice's math.
/// Fragments, for lane l (q = l / 16, r = l % 16) of a 16 x 16 x 16 tile:
/// A's row r at k 4q..4q+3, B's column r at k 4q..4q+3 (one 8-byte shared
/// load each), the result's rows 4q..4q+3 of column r (4 f32 a lane).
/// Nothing here has run on an AMD GPU (there is none to run it on): the
/// layouts are AMD's documented ones, the ISA is checked by lit.
class MfmaKernelBuilder : KernelBuilderBase {
public:
  static constexpr int64_t blockM = 128, blockN = 128, blockK = 32;
  static constexpr int64_t waveSize = 64, wavesM = 2, wavesN = 2;
  static constexpr int64_t threads = waveSize * wavesM * wavesN;
  static constexpr int64_t waveTileM = blockM / wavesM; // 64
  static constexpr int64_t waveTileN = blockN / wavesN; // 64
  static constexpr int64_t tilesM = waveTileM / 16, tilesN = waveTileN / 16;
  static constexpr int64_t kStep = 16, pad = 4;

  MfmaKernelBuilder(OpBuilder &b, Contraction c, Precision precision,
                    Value fillValue)
      : KernelBuilderBase(b, c, fillValue), precision(precision) {}

  void build() {
    element = precision == Precision::BF16 ? Type(b.getBF16Type())
                                           : Type(b.getF16Type());
    MemRefType tileType = sharedBuffer({blockM, blockK + pad}, element);
    OpBuilder::InsertionGuard guard(b);
    std::string name = "gemm_mfma_" + precisionName(precision).str();
    auto launchOp =
        launch(name, blockM, blockN, threads, TypeRange{tileType, tileType});
    Value aTile = launchOp.getWorkgroupAttributions()[0];
    Value bTile = launchOp.getWorkgroupAttributions()[1];

    Value lane = rem(tid, waveSize), wave = div(tid, waveSize);
    Value quad = div(lane, 16), inQuad = rem(lane, 16);
    Value waveRow = mul(div(wave, wavesN), index(waveTileM));
    Value waveColumn = mul(rem(wave, wavesN), index(waveTileN));
    StagePlan aPlan =
        planStage(c.op->getOpOperand(0), c.m, m0, blockM, blockK, threads);
    StagePlan bPlan =
        planStage(c.op->getOpOperand(1), c.n, n0, blockN, blockK, threads);
    auto accType = VectorType::get({4}, b.getF32Type());
    Value start =
        vector::BroadcastOp::create(b, loc, accType, accumulatorStart());
    scf::ForOp kLoop = buildKLoop(
        SmallVector<Value>(tilesM * tilesN, start), blockK, kStep,
        [&](Value k0) {
          return std::make_pair(loadStaged(aPlan, k0, element),
                                loadStaged(bPlan, k0, element));
        },
        [&](ValueRange aValues, ValueRange bValues) {
          storeStaged(aPlan, aTile, aValues);
          storeStaged(bPlan, bTile, bValues);
        },
        [&](int64_t ks, MutableArrayRef<Value> sums) {
          Value k = add(index(ks), mul(quad, index(4)));
          SmallVector<Value> aFragments, bFragments;
          for (int64_t i = 0; i < tilesM; ++i)
            aFragments.push_back(
                fragment(aTile, add(waveRow, add(index(i * 16), inQuad)), k));
          for (int64_t j = 0; j < tilesN; ++j)
            bFragments.push_back(fragment(
                bTile, add(waveColumn, add(index(j * 16), inQuad)), k));
          for (int64_t i = 0; i < tilesM; ++i)
            for (int64_t j = 0; j < tilesN; ++j) {
              Value &sum = sums[i * tilesN + j];
              sum = mfma(aFragments[i], bFragments[j], sum);
            }
        });
    // Element e of tile (i, j)'s accumulator: row 4 quad + e, column
    // inQuad of the tile.
    for (int64_t i = 0; i < tilesM; ++i)
      for (int64_t j = 0; j < tilesN; ++j)
        for (int64_t e = 0; e < 4; ++e) {
          Value row = add(
              m0, add(waveRow, add(index(i * 16 + e), mul(quad, index(4)))));
          Value column = add(n0, add(waveColumn, add(index(j * 16), inQuad)));
          Value sum = vector::ExtractOp::create(
              b, loc, kLoop.getResult(i * tilesN + j), ArrayRef<int64_t>{e});
          accumulateIntoC(row, column, sum);
        }
  }

private:
  /// The 4 staged elements of `row` from k (k-contiguous in the tile), as
  /// the mfma operand: vector<4xf16>, or bf16's bits as vector<4xi16>.
  Value fragment(Value tile, Value row, Value k) {
    auto type = VectorType::get({4}, element);
    Value v = vector::LoadOp::create(b, loc, type, tile, ValueRange{row, k});
    if (precision == Precision::BF16)
      v = arith::BitcastOp::create(b, loc, VectorType::get({4}, b.getI16Type()),
                                   v);
    return v;
  }

  Value mfma(Value a, Value bFragment, Value acc) {
    Value zero = arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(0));
    // cbsz, abid, blgp: no broadcast between blocks, no lane swizzle.
    SmallVector<Value> args{a, bFragment, acc, zero, zero, zero};
    if (precision == Precision::BF16)
      return ROCDL::mfma_f32_16x16x16bf16_1k::create(b, loc, acc.getType(),
                                                     args);
    return ROCDL::mfma_f32_16x16x16f16::create(b, loc, acc.getType(), args);
  }

  Precision precision;
  Type element;
};

/// The Hopper kernel's type for `c`: its operands' own for E4M3 and s8
/// bytes, else the precision option's.
Precision tensorCoresOf(const Contraction &c, Precision option) {
  return c.e4m3 ? Precision::E4M3 : c.s8 ? Precision::S8 : option;
}

struct DDLGPUContractionKernelsPass final
    : ddl::gpugen::impl::DDLGPUContractionKernelsPassBase<
          DDLGPUContractionKernelsPass> {
  using Base::Base;

  void runOnOperation() override {
    Tiles tiles{blockM, blockN, blockK, threadM, threadN};
    std::optional<Precision> compute = parsePrecision(precision);
    if (!compute) {
      getOperation().emitError()
          << "ddl-gpu-contraction-kernels: unknown precision '" << precision
          << "' (expected fp32, tf32, bf16 or fp16)";
      return signalPassFailure();
    }
    if (failed(check(tiles)))
      return signalPassFailure();
    if (mfma && *compute == Precision::TF32) {
      getOperation().emitError()
          << "ddl-gpu-contraction-kernels: precision tf32 has no MFMA kernel "
             "(AMD's xf32 is gfx942's only); use bf16 or fp16";
      return signalPassFailure();
    }
    SmallVector<Contraction> found;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (op->getParentOfType<scf::ParallelOp>() ||
          op->getParentOfType<::mlir::gpu::LaunchOp>())
        return;
      if (std::optional<Contraction> c = matchContraction(op))
        found.push_back(*c);
    });
    for (Contraction &c : found) {
      // s8 products run on Hopper's integer tensor cores only; elsewhere,
      // and where TMA cannot take their operands, the op stays for
      // ddl-gpu-map-kernels (exact i32, one thread per output element).
      bool hopperApplies = hopper && !mfma &&
                           (c.e4m3 || c.s8 || *compute != Precision::F32) &&
                           hopperGemmApplies(c, tensorCoresOf(c, *compute));
      if (c.s8 && !hopperApplies)
        continue;
      // The accumulator's initialization (a fill, or a copy of a filled
      // buffer) folds into the kernel, as on the CPU.
      ddl::codegen::AccumulatorInit init =
          ddl::codegen::precedingFill(c.op, c.op.getDpsInits()[0]);
      // A float fill for float products (converted by the kernels), an
      // i32 one for s8's.
      Value fillValue =
          init.value && (c.s8 ? init.value.getType().isInteger(32)
                              : isa<FloatType>(init.value.getType()))
              ? init.value
              : Value();
      // An elementwise consumer of C (the rounding to bf16, a bias, an
      // activation) applied by the kernel's stores: the kernel goes where
      // the consumer was (only allocations and effect-free ops between).
      c.epilogue = findFoldedEpilogue(c, init.initializer);
      OpBuilder b(c.epilogue ? c.epilogue.getOperation() : c.op.getOperation());
      // The kernel of the precision option (E4M3 operands decoded as they
      // load), and the Hopper kernel where it applies, which falls back on
      // it where TMA cannot take the operands. E4M3 operands take the
      // Hopper kernel's fp8 path whatever the option.
      auto buildPortable = [&](OpBuilder &at) {
        if (c.s8) {
          // The ops as they were (fill, product, consumer), for the map
          // kernels.
          if (fillValue && init.initializer)
            at.clone(*init.initializer);
          at.clone(*c.op);
          if (c.epilogue)
            at.clone(*c.epilogue);
          return;
        }
        if (*compute == Precision::F32)
          SimtKernelBuilder(at, c, tiles, fillValue).build();
        else if (mfma)
          MfmaKernelBuilder(at, c, *compute, fillValue).build();
        else if (*compute == Precision::TF32)
          Tf32MmaKernelBuilder(at, c, fillValue).build();
        else
          LdmatrixMmaKernelBuilder(at, c, *compute, fillValue).build();
      };
      if (hopperApplies)
        buildHopperGemm(b, c, tensorCoresOf(c, *compute), fillValue,
                        buildPortable);
      else
        buildPortable(b);
      c.op->erase();
      if (c.epilogue)
        c.epilogue->erase();
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
