//===- Int4Kernels.cpp - weight-streaming kernels for int4 products -------===//
//
// See DDLGPUInt4KernelsPass in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "dialects/lowbit/LowbitDialect.h"
#include "passes/codegen/KernelNeighbours.h"
#include "passes/codegen/gpu/ContractionKernels.h"
#include "passes/codegen/gpu/Passes.h"

#include "mlir/Dialect/Utils/StaticValueUtils.h"

#include <cmath>

namespace ddl::gpugen {
#define GEN_PASS_DEF_DDLGPUINT4KERNELSPASS
#include "passes/codegen/gpu/Passes.h.inc"
} // namespace ddl::gpugen

using namespace mlir;

namespace {

constexpr int64_t kWarp = 32;
/// A block of k: 32 weights in 16 bytes (the layout of lowbit.matmul_int4:
/// byte j holds k = j in its low nibble and k = 16 + j in its high one).
constexpr int64_t kBlockK = 32;
/// Rows of the input a kernel computes per block: one (a decode step), or
/// kRowsPerBlock, the weights then read once for all of them.
constexpr int64_t kRowsPerBlock = 4;
constexpr int64_t kMaxGridY = 65535;

/// lowbit.matmul_int4's generic (ddl-lowbit-to-linalg) on buffers:
/// `out[rows..., n] += x[rows..., k] * w(n, k)`, the weights and their
/// scales read in the body from buffers defined above it.
struct Int4Matmul {
  linalg::GenericOp op;
  Value weights; // [N, K / 2] i8, rows contiguous
  Value scales;  // [N, K / group] f32
  int64_t group;
  unsigned nDim, kDim;
  SmallVector<unsigned> rowDims; // the other parallel loops, outermost first
};

std::optional<Int4Matmul> matchInt4Matmul(linalg::GenericOp op) {
  auto group = op->getAttrOfType<IntegerAttr>(ddl::lowbit::kInt4GroupSizeAttr);
  if (!group || group.getInt() <= 0 || group.getInt() % kBlockK ||
      !op.hasPureBufferSemantics() || op.getNumDpsInputs() != 1 ||
      op.getNumDpsInits() != 1)
    return std::nullopt;
  Int4Matmul m{op, Value(), Value(), group.getInt(), 0, 0, {}};
  unsigned loops = op.getNumLoops();
  if (loops < 3 || op.getNumReductionLoops() != 1 ||
      !linalg::isReductionIterator(op.getIteratorTypesArray().back()))
    return std::nullopt;
  m.kDim = loops - 1;
  OpOperand *x = op.getDpsInputOperand(0), *out = op.getDpsInitOperand(0);
  AffineMap xMap = op.getMatchingIndexingMap(x),
            outMap = op.getMatchingIndexingMap(out);
  // x is read at (rows..., k) and out written at (rows..., n), both along
  // contiguous last dimensions (16-byte loads of x).
  if (!xMap.isProjectedPermutation() || !outMap.isProjectedPermutation() ||
      xMap.getNumResults() != outMap.getNumResults() ||
      xMap.getDimPosition(xMap.getNumResults() - 1) != m.kDim)
    return std::nullopt;
  for (unsigned r = 0; r + 1 < xMap.getNumResults(); ++r) {
    if (xMap.getDimPosition(r) != outMap.getDimPosition(r))
      return std::nullopt;
    m.rowDims.push_back(xMap.getDimPosition(r));
  }
  m.nDim = outMap.getDimPosition(outMap.getNumResults() - 1);
  if (m.rowDims.size() + 2 != loops)
    return std::nullopt;
  for (OpOperand *operand : {x, out}) {
    auto type = dyn_cast<MemRefType>(operand->get().getType());
    if (!type || !type.getElementType().isF32() || !type.isLastDimUnitStride())
      return std::nullopt;
  }
  // The two buffers the body reads by index.
  Block &body = op.getRegion().front();
  for (auto load : body.getOps<memref::LoadOp>()) {
    Value buffer = load.getMemRef();
    auto type = cast<MemRefType>(buffer.getType());
    // Defined above the op, not in its body.
    if (op.getRegion().isAncestor(buffer.getParentRegion()) ||
        type.getRank() != 2)
      return std::nullopt;
    Value &slot = type.getElementType().isInteger(8) ? m.weights : m.scales;
    if (slot ||
        !(type.getElementType().isInteger(8) || type.getElementType().isF32()))
      return std::nullopt;
    slot = buffer;
  }
  if (!m.weights || !m.scales ||
      !cast<MemRefType>(m.weights.getType()).isLastDimUnitStride())
    return std::nullopt;
  return m;
}

/// Builds the kernels of one Int4Matmul (see the pass description).
class KernelBuilder {
public:
  KernelBuilder(OpBuilder &b, const Int4Matmul &m, Value fillValue,
                int64_t warpsPerBlock, int64_t columnsPerBlock,
                int64_t wordsPerStep)
      : b(b), m(m), loc(this->m.op.getLoc()), fillValue(fillValue),
        warps(warpsPerBlock), columns(columnsPerBlock),
        wordsPerStep(wordsPerStep) {}

  /// The launches, where the operands allow 16-byte loads and the rows fit
  /// the grid; `fallback` builds what runs otherwise.
  void build(function_ref<void(OpBuilder &)> fallback) {
    for (Range range :
         cast<linalg::LinalgOp>(m.op.getOperation()).createLoopRanges(b, loc))
      sizes.push_back(getValueOrCreateConstantIndexOp(b, loc, range.size));
    rows = index(1);
    for (unsigned d : m.rowDims)
      rows = arith::MulIOp::create(b, loc, rows, sizes[d]);
    Value x = m.op.getDpsInputs()[0];
    Value aligned =
        arith::AndIOp::create(b, loc, ddl::gpugen::rowsAligned16(b, loc, x),
                              ddl::gpugen::rowsAligned16(b, loc, m.weights));
    // Rows go on the grid's y, which holds at most 65535 blocks.
    Value fits = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sle, rows,
                                       index(kMaxGridY * kRowsPerBlock));
    auto ifAligned =
        scf::IfOp::create(b, loc, arith::AndIOp::create(b, loc, aligned, fits),
                          /*withElse=*/true);
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPoint(ifAligned.thenBlock()->getTerminator());
      Value one = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, rows,
                                        index(1));
      auto ifOne = scf::IfOp::create(b, loc, one, /*withElse=*/true);
      b.setInsertionPoint(ifOne.thenBlock()->getTerminator());
      launch(1, "gemv_int4");
      b.setInsertionPoint(ifOne.elseBlock()->getTerminator());
      launch(kRowsPerBlock, "gemm_int4_rows4");
      b.setInsertionPoint(ifAligned.elseBlock()->getTerminator());
      fallback(b);
    }
  }

private:
  Value index(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value i32(int64_t v) {
    return arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(v));
  }
  Value f32(float v) {
    return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v));
  }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return arith::MulIOp::create(b, loc, x, y); }
  Value minIndex(Value x, Value y) {
    return arith::MinSIOp::create(b, loc, x, y);
  }
  Value less(Value x, Value y) {
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, x, y);
  }
  Value fma(Value x, Value y, Value z) {
    return math::FmaOp::create(b, loc, x, y, z);
  }

  /// The loop position of row `row` (delinearized over the row loops, last
  /// fastest) and column `n`, k left null.
  SmallVector<Value> position(Value row, Value n) {
    SmallVector<Value> ivs(sizes.size());
    Value rest = row;
    for (unsigned d : llvm::reverse(m.rowDims)) {
      ivs[d] = arith::RemSIOp::create(b, loc, rest, sizes[d]);
      rest = arith::DivSIOp::create(b, loc, rest, sizes[d]);
    }
    ivs[m.nDim] = n;
    return ivs;
  }

  SmallVector<Value> indicesOf(OpOperand *operand, ArrayRef<Value> ivs) {
    AffineMap map = m.op.getMatchingIndexingMap(operand);
    SmallVector<Value> at;
    for (unsigned r = 0; r < map.getNumResults(); ++r)
      at.push_back(ivs[map.getDimPosition(r)]);
    return at;
  }

  /// The 8 signed nibbles of `word` (4 weight bytes) as exact f32 values,
  /// in the order (byte 0 low, byte 0 high, byte 1 low, ...). No
  /// conversion instructions (a quarter of the FMA rate): with v = nibble ^
  /// 8 (0 .. 15; v - 8 is the weight) placed at bit p of the mantissa of
  /// 2^23, the float is 2^23 + v 2^p, and one FMA by 2^-p minus
  /// 2^(23 - p) + 8 gives v - 8 exactly. The mantissa ends at bit 22, so
  /// the nibbles at bits 20 and up are shifted down 12 bits first.
  SmallVector<Value> unpackWord(Value word) {
    Value biased = arith::XOrIOp::create(b, loc, word, i32(0x88888888u));
    Value high = arith::ShRUIOp::create(b, loc, biased, i32(12));
    Value exponent = i32(0x4B000000);
    SmallVector<Value> values;
    for (int64_t nibble = 0; nibble < 8; ++nibble) {
      int64_t bit = nibble * 4;
      Value source = biased;
      if (bit >= 20) {
        source = high;
        bit -= 12;
      }
      Value field = arith::AndIOp::create(b, loc, source, i32(0xFll << bit));
      Value magic = arith::BitcastOp::create(
          b, loc, b.getF32Type(),
          arith::OrIOp::create(b, loc, field, exponent));
      values.push_back(fma(magic, f32(std::ldexp(1.0f, -bit)),
                           f32(-(std::ldexp(1.0f, 23 - bit) + 8.0f))));
    }
    return values;
  }

  /// A launch of ceil(N / columns) x ceil(rows / rowsPerBlock) blocks of
  /// `warps` warps. A block computes `columns` output columns of
  /// `rowsPerBlock` rows; its threads split the weight rows into 4-byte
  /// words (consecutive threads, consecutive words: 128 bytes a warp per
  /// column), loading each word of every column and the word's 8 inputs of
  /// every row once (two 16-byte loads, which the block's columns share),
  /// partial sums in registers; then shuffles within warps and shared
  /// memory across them. (16 bytes of weights a thread made its 32 inputs
  /// 32 different cache lines per warp load: 2.4x slower.)
  void launch(int64_t rowsPerBlock, StringRef name) {
    OpBuilder::InsertionGuard guard(b);
    int64_t threads = warps * kWarp, outputs = columns * rowsPerBlock;
    Value n = sizes[m.nDim], k = sizes[m.kDim];
    Value one = index(1);
    auto workgroup = ::mlir::gpu::AddressSpaceAttr::get(
        b.getContext(), ::mlir::gpu::AddressSpace::Workgroup);
    auto partialsType = MemRefType::get({warps, outputs}, b.getF32Type(),
                                        MemRefLayoutAttrInterface(), workgroup);
    auto launchOp = ::mlir::gpu::LaunchOp::create(
        b, loc, arith::CeilDivSIOp::create(b, loc, n, index(columns)),
        arith::CeilDivSIOp::create(b, loc, rows, index(rowsPerBlock)), one,
        index(threads), one, one, /*dynamicSharedMemorySize=*/nullptr,
        /*asyncTokenType=*/nullptr, /*asyncDependencies=*/{},
        TypeRange{partialsType});
    launchOp.setFunctionAttr(FlatSymbolRefAttr::get(b.getContext(), name));
    Block &body = launchOp.getBody().front();
    b.setInsertionPointToStart(&body);
    ::mlir::gpu::TerminatorOp::create(b, loc);
    b.setInsertionPointToStart(&body);
    Value partials = launchOp.getWorkgroupAttributions()[0];
    Value tid = launchOp.getThreadIds().x;
    Value n0 = mul(launchOp.getBlockIds().x, index(columns));
    Value m0 = mul(launchOp.getBlockIds().y, index(rowsPerBlock));
    // Rows and columns past the end are clamped to the last one (their
    // loads stay inside, their sums are not stored).
    SmallVector<Value> colAt, rowAt;
    Value lastCol = arith::SubIOp::create(b, loc, n, one);
    Value lastRow = arith::SubIOp::create(b, loc, rows, one);
    for (int64_t c = 0; c < columns; ++c)
      colAt.push_back(minIndex(add(n0, index(c)), lastCol));
    for (int64_t r = 0; r < rowsPerBlock; ++r)
      rowAt.push_back(minIndex(add(m0, index(r)), lastRow));
    OpOperand *xOperand = m.op.getDpsInputOperand(0);
    SmallVector<SmallVector<Value>> xPosition;
    for (Value row : rowAt)
      xPosition.push_back(position(row, Value()));

    auto vectorType = [&](int64_t lanes, Type element) {
      return VectorType::get({lanes}, element);
    };
    // One unit of work: a 4-byte word of a weight row (8 weights) for every
    // column, unit u being word u % 4 of k block u / 4.
    SmallVector<Value> zeros(outputs, f32(0.0f));
    struct Loaded {
      SmallVector<Value> words, scale;
      SmallVector<std::array<Value, 2>> inputs;
    };
    auto loadUnit = [&](Value unit) {
      Value blk = arith::DivSIOp::create(b, loc, unit, index(4));
      Value word = arith::RemSIOp::create(b, loc, unit, index(4));
      // The word's low nibbles are k = 32 blk + 4 word + (0 .. 3), its
      // high ones 16 further.
      Value kLow = add(mul(blk, index(kBlockK)), mul(word, index(4)));
      Value scaleAt = arith::DivSIOp::create(b, loc, mul(blk, index(kBlockK)),
                                             index(m.group));
      Value byte0 = mul(unit, index(4));
      // Every column's word and scale, then every row's 8 inputs (two
      // 16-byte loads), all in flight together.
      Loaded l;
      for (Value col : colAt) {
        Value bytes = vector::LoadOp::create(
            b, loc, vectorType(4, b.getI8Type()), m.weights,
            ValueRange{col, byte0}, /*nontemporal=*/false, llvm::MaybeAlign(4));
        l.words.push_back(vector::ExtractOp::create(
            b, loc,
            vector::BitCastOp::create(b, loc, vectorType(1, b.getI32Type()),
                                      bytes),
            0));
        l.scale.push_back(
            memref::LoadOp::create(b, loc, m.scales, ValueRange{col, scaleAt}));
      }
      for (ArrayRef<Value> pos : xPosition) {
        SmallVector<Value> ivs(pos);
        std::array<Value, 2> halves;
        for (int64_t half = 0; half < 2; ++half) {
          ivs[m.kDim] = add(kLow, index(16 * half));
          halves[half] = vector::LoadOp::create(
              b, loc, vectorType(4, b.getF32Type()), xOperand->get(),
              indicesOf(xOperand, ivs), /*nontemporal=*/false,
              llvm::MaybeAlign(16));
        }
        l.inputs.push_back(halves);
      }
      return l;
    };
    auto accumulateUnit = [&](const Loaded &l, SmallVector<Value> &acc) {
      for (int64_t c = 0; c < columns; ++c) {
        // Byte j of the word: its low nibble times input j of the low
        // half, its high one times input j of the high half; summed, then
        // scaled once.
        SmallVector<Value> w = unpackWord(l.words[c]);
        for (int64_t r = 0; r < rowsPerBlock; ++r) {
          Value dot;
          for (int64_t j = 0; j < 4; ++j)
            for (int64_t half = 0; half < 2; ++half) {
              Value input =
                  vector::ExtractOp::create(b, loc, l.inputs[r][half], j);
              Value weight = w[2 * j + half];
              dot = dot ? fma(weight, input, dot)
                        : arith::MulFOp::create(b, loc, weight, input)
                              .getResult();
            }
          Value &sum = acc[c * rowsPerBlock + r];
          sum = fma(dot, l.scale[c], sum);
        }
      }
    };
    // Thread t takes units t, t + threads, ...: `wordsPerStep` a step (all
    // their loads issued before their math), then the rest one at a time.
    Value units = arith::DivSIOp::create(b, loc, k, index(8));
    Value whole = mul(
        arith::DivSIOp::create(b, loc, units, index(wordsPerStep * threads)),
        index(wordsPerStep * threads));
    auto stepLoop = [&](Value first, Value end, int64_t perStep,
                        ValueRange init) {
      return scf::ForOp::create(
          b, loc, first, end, index(perStep * threads), init,
          [&](OpBuilder &lb, Location, Value unit, ValueRange acc) {
            OpBuilder::InsertionGuard inner(b);
            b.setInsertionPoint(lb.getInsertionBlock(), lb.getInsertionPoint());
            SmallVector<Value> next(acc.begin(), acc.end());
            SmallVector<Loaded> loaded;
            for (int64_t u = 0; u < perStep; ++u)
              loaded.push_back(loadUnit(add(unit, index(u * threads))));
            for (const Loaded &l : loaded)
              accumulateUnit(l, next);
            scf::YieldOp::create(b, loc, next);
          });
    };
    auto steps = stepLoop(tid, whole, wordsPerStep, zeros);
    auto loop = stepLoop(add(whole, tid), units, 1, steps.getResults());

    // Over the warp (xor butterfly), then lane 0 of each warp writes its
    // sums to shared memory.
    Value lane = arith::RemSIOp::create(b, loc, tid, index(kWarp));
    Value warp = arith::DivSIOp::create(b, loc, tid, index(kWarp));
    SmallVector<Value> sums;
    Value width = i32(kWarp);
    for (Value partial : loop.getResults()) {
      for (int64_t offset = kWarp / 2; offset >= 1; offset /= 2) {
        Value other =
            ::mlir::gpu::ShuffleOp::create(b, loc, partial, i32(offset), width,
                                           ::mlir::gpu::ShuffleMode::XOR)
                .getShuffleResult();
        partial = arith::AddFOp::create(b, loc, partial, other);
      }
      sums.push_back(partial);
    }
    auto firstLane = scf::IfOp::create(
        b, loc,
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, lane,
                              index(0)));
    {
      OpBuilder::InsertionGuard inner(b);
      b.setInsertionPoint(firstLane.thenBlock()->getTerminator());
      for (int64_t o = 0; o < outputs; ++o)
        memref::StoreOp::create(b, loc, sums[o], partials,
                                ValueRange{warp, index(o)});
    }
    ::mlir::gpu::BarrierOp::create(b, loc);
    // Thread o < outputs adds the warps' sums of output o (column
    // o / rowsPerBlock, row o % rowsPerBlock) and stores it.
    auto storing = scf::IfOp::create(b, loc, less(tid, index(outputs)));
    b.setInsertionPoint(storing.thenBlock()->getTerminator());
    Value total =
        memref::LoadOp::create(b, loc, partials, ValueRange{index(0), tid});
    for (int64_t w = 1; w < warps; ++w)
      total = arith::AddFOp::create(
          b, loc, total,
          memref::LoadOp::create(b, loc, partials, ValueRange{index(w), tid}));
    Value col =
        add(n0, arith::DivSIOp::create(b, loc, tid, index(rowsPerBlock)));
    Value row =
        add(m0, arith::RemSIOp::create(b, loc, tid, index(rowsPerBlock)));
    auto inside = scf::IfOp::create(
        b, loc, arith::AndIOp::create(b, loc, less(col, n), less(row, rows)));
    b.setInsertionPoint(inside.thenBlock()->getTerminator());
    OpOperand *out = m.op.getDpsInitOperand(0);
    SmallVector<Value> at = indicesOf(out, position(row, col));
    Value old =
        fillValue ? fillValue
                  : memref::LoadOp::create(b, loc, out->get(), at).getResult();
    memref::StoreOp::create(b, loc, arith::AddFOp::create(b, loc, old, total),
                            out->get(), at);
  }

  OpBuilder &b;
  Int4Matmul m;
  Location loc;
  Value fillValue;
  int64_t warps, columns, wordsPerStep;
  SmallVector<Value> sizes;
  Value rows;
};

struct DDLGPUInt4KernelsPass final
    : ddl::gpugen::impl::DDLGPUInt4KernelsPassBase<DDLGPUInt4KernelsPass> {
  using Base::Base;

  void runOnOperation() override {
    if (warpsPerBlock < 1 || warpsPerBlock > 32 || columnsPerBlock < 1 ||
        columnsPerBlock * kRowsPerBlock > 64 || wordsPerStep < 1 ||
        wordsPerStep > 4) {
      getOperation().emitError()
          << "ddl-gpu-int4-kernels: warps-per-block must be in [1, 32], "
             "columns-per-block in [1, 16] and words-per-step in [1, 4], not "
          << warpsPerBlock.getValue() << ", " << columnsPerBlock.getValue()
          << " and " << wordsPerStep.getValue();
      return signalPassFailure();
    }
    SmallVector<Int4Matmul> found;
    getOperation().walk([&](linalg::GenericOp op) {
      if (op->getParentOfType<scf::ParallelOp>() ||
          op->getParentOfType<::mlir::gpu::LaunchOp>())
        return;
      if (std::optional<Int4Matmul> m = matchInt4Matmul(op))
        found.push_back(*m);
    });
    for (Int4Matmul &m : found) {
      // A fill of the output right before folds into the stores.
      ddl::codegen::AccumulatorInit init =
          ddl::codegen::precedingFill(m.op, m.op.getDpsInits()[0]);
      Value fillValue =
          init.value && init.value.getType().isF32() ? init.value : Value();
      OpBuilder b(m.op);
      KernelBuilder(b, m, fillValue, warpsPerBlock, columnsPerBlock,
                    wordsPerStep)
          .build([&](OpBuilder &at) {
            // Unaligned operands: the op as it was, for the map kernels.
            if (fillValue && init.initializer)
              at.clone(*init.initializer);
            at.clone(*m.op);
          });
      m.op->erase();
      if (fillValue && init.initializer)
        init.initializer->erase();
    }
    ddl::codegen::eraseWriteOnlyBuffers(getOperation());
  }
};

} // namespace
