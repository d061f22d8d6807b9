//===- FlexToGPUKernel.cpp - attn.flex to a fused tensor-core CUDA kernel -===//
//
// See DDLFlexToGPUKernelPass in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "passes/attention/FlexLowering.h"
#include "passes/attention/Passes.h"
#include "passes/codegen/gpu/ContractionKernels.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace ddl;
using namespace ddl::attention;
using ddl::gpugen::Precision;

namespace ddl::attention {
#define GEN_PASS_DEF_DDLFLEXTOGPUKERNELPASS
#include "passes/attention/Passes.h.inc"
} // namespace ddl::attention

namespace {

/// Query rows and keys per block; 4 warps of 32 threads, each warp 16 of
/// the block's query rows. (The block mask's granularity.)
constexpr int64_t kBlockQ = 64, kBlockKV = 64, kWarps = 4;
constexpr int64_t kThreads = 32 * kWarps;
/// Decoding (flash-decoding): one warp per block and per split of the
/// keys, its 16 rows the queries of a key/value head's query heads (GQA
/// group x Sq <= 16), 32 keys a step; partial results combined by a
/// second kernel.
constexpr int64_t kDecodeRows = 16, kDecodeBlockKV = 32;
/// Blocks the decoding kernel aims for (a few per SM of an H100 / H200:
/// enough loads in flight to reach the memory's bandwidth), and the
/// fewest key steps per split.
constexpr int64_t kDecodeTargetBlocks = 1024, kDecodeMinSteps = 4;
/// Elements of a 16-byte chunk (bf16 / f16), and the padding of a staged
/// row: rows then start 16 bytes apart modulo 128, so that the 8 row
/// addresses of an ldmatrix hit different banks.
constexpr int64_t kChunk = 8, kPad = 8;
/// wgmma's 128-byte swizzle repeats every 1024 bytes of shared memory.
constexpr int64_t kSwizzleAlignment = 1024;
/// Largest head dims the kernel keeps in registers (Q's fragments and the
/// output accumulators grow with them).
constexpr int64_t kMaxHeadDim = 128;

/// The block list: per (batch', head', query block) row, the number of
/// key blocks visited then each one as kvBlock * 4 + class.
constexpr int64_t kClassBits = 4;

/// The compute type of the kernel for `op`, or none when the kernel does
/// not apply: bf16 / f16 as requested, else the inputs' own type when all
/// three are bf16 or all f16; head dims static multiples of 16, at most
/// kMaxHeadDim.
std::optional<Precision> kernelPrecision(attn::FlexOp op, Precision requested) {
  auto queryType = cast<RankedTensorType>(op.getQuery().getType());
  auto keyType = cast<RankedTensorType>(op.getKey().getType());
  auto valueType = cast<RankedTensorType>(op.getValue().getType());
  for (RankedTensorType type : {queryType, keyType, valueType})
    if (!isa<FloatType>(type.getElementType()) ||
        type.getElementTypeBitWidth() > 32 || type.getElementType().isF64())
      return std::nullopt;
  for (int64_t d : {queryType.getDimSize(3), valueType.getDimSize(3)})
    if (ShapedType::isDynamic(d) || d % 16 != 0 || d == 0 || d > kMaxHeadDim)
      return std::nullopt;
  if (requested == Precision::BF16 || requested == Precision::F16)
    return requested;
  auto all = [&](auto isType) {
    return isType(queryType.getElementType()) &&
           isType(keyType.getElementType()) &&
           isType(valueType.getElementType());
  };
  if (all([](Type t) { return t.isBF16(); }))
    return Precision::BF16;
  if (all([](Type t) { return t.isF16(); }))
    return Precision::F16;
  return std::nullopt;
}

/// Q, K or V as the kernel stages it.
struct Staged {
  Value buffer;
  /// i1: 16-byte loads of its rows are aligned (host code).
  Value aligned;
  /// Of the compute type: staged with cp.async when aligned.
  bool async = false;
  int64_t width = 0;
};

/// Builds the kernel of one attn.flex at the op, on tensors: a gpu.launch
/// on the operands' buffers.
class FlashKernel {
public:
  FlashKernel(OpBuilder &b, attn::FlexOp op, Precision precision,
              bool hopperAllowed)
      : b(b), loc(op.getLoc()), op(op), precision(precision),
        hopperAllowed(hopperAllowed),
        computeType(precision == Precision::BF16 ? Type(b.getBF16Type())
                                                 : Type(b.getF16Type())) {}

  void build();

private:
  Value index(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value f32(double v) {
    return arith::ConstantOp::create(b, loc,
                                     b.getF32FloatAttr(static_cast<float>(v)));
  }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return arith::MulIOp::create(b, loc, x, y); }
  Value div(Value x, int64_t y) {
    return arith::DivUIOp::create(b, loc, x, index(y));
  }
  Value rem(Value x, int64_t y) {
    return arith::RemUIOp::create(b, loc, x, index(y));
  }
  Value lessThan(Value x, Value y) {
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, x, y);
  }
  Value minIndex(Value x, Value y) {
    return arith::MinUIOp::create(b, loc, x, y);
  }
  Value dim(Value buffer, int64_t d) {
    return memref::DimOp::create(b, loc, buffer, d);
  }
  Value toBuffer(Value tensor, bool unitStrideRows) {
    return flexOperandBuffer(b, loc, tensor, unitStrideRows);
  }
  Value allocResult(RankedTensorType type, ArrayRef<Value> sizes) {
    return allocFlexResult(b, loc, type, sizes);
  }
  /// The block list as a constant, when the block mask can be computed
  /// now; or null.
  Value buildBlockList();
  /// The block list computed at run time, by two kernels launched before
  /// the attention kernel: one classifies every (query block, key block)
  /// pair (a block of threads per pair, mask_mod on each of its elements,
  /// the verdicts combined by barrier reductions), one lists each row's
  /// visited blocks. For masks that read captured tensors (document ids)
  /// or sizes known only at run time.
  Value buildRunTimeBlockList();

  /// libdevice's exp2f / log2f once on NVVM: ex2.approx and lg2.approx
  /// (one MUFU instruction each; ddl-approximate-math leaves them alone).
  Value exp2(Value x) { return math::Exp2Op::create(b, loc, x); }
  Value log2(Value x) { return math::Log2Op::create(b, loc, x); }
  /// The thread's index, made opaque to LLVM where it is taken: without
  /// it, LICM hoists every shared-memory and global address of the key
  /// loop (a base plus a constant each, invariant) into its own 64-bit
  /// register pair (over 30 pairs: 200+ registers, spills at head dim
  /// 128). Taken inside the loop, the addresses are recomputed there as
  /// one base plus immediates. (A volatile `mov`: one instruction.)
  void setThreadIndex(Value threadIndex, bool opaque) {
    if (opaque) {
      Value i32 =
          arith::IndexCastUIOp::create(b, loc, b.getI32Type(), threadIndex);
      i32 = LLVM::InlineAsmOp::create(
                b, loc, b.getI32Type(), ValueRange{i32},
                b.getStringAttr("mov.b32 $0, $1;"), b.getStringAttr("=r,r"),
                /*has_side_effects=*/b.getUnitAttr(),
                /*is_align_stack=*/nullptr,
                LLVM::TailCallKindAttr::get(
                    b.getContext(), LLVM::tailcallkind::TailCallKind::None),
                /*asm_dialect=*/nullptr, /*operand_attrs=*/nullptr)
                .getResult(0);
      threadIndex = arith::IndexCastUIOp::create(b, loc, b.getIndexType(), i32);
    }
    tid = threadIndex;
    lane = rem(tid, 32);
    warp = div(tid, 32);
    group = div(lane, 4);
    inGroup = rem(lane, 4);
  }
  /// `v` combined with the values of the other 3 lanes of its group of 4
  /// (the lanes that hold the same rows of an mma tile).
  Value groupReduce(Value v, bool max);

  void buildBody(gpu::LaunchOp launch);
  /// Decoding: the kernel that combines the splits' partial results into
  /// the output (and the log-sum-exp).
  void buildCombine();
  /// Stores the log-sum-exp of a row whose max (log2 units) and sum are
  /// `max` and `sum` at `at`.
  void storeLse(Value max, Value sum, ArrayRef<Value> at);
  /// Decoding: row r of a warp's 16 is query r % Sq of query head
  /// kvHead * group + r / Sq, returned as (head, query); rows past
  /// group x Sq repeat the last one (zeros in Q, never written).
  std::pair<Value, Value> decodeRowOf(Value kvHead, Value r) {
    Value clamped = minIndex(r, index(decodeGroup * decodeQueries - 1));
    return {add(mul(kvHead, index(decodeGroup)), div(clamped, decodeQueries)),
            rem(clamped, decodeQueries)};
  }
  /// Bytes of one staged tile of keys or values: [blockKV][width + kPad]
  /// of the compute type, or [width / 64][blockKV][64] in the 128-byte
  /// swizzle (hopper).
  int64_t tileBytes(int64_t width) const {
    return blockKV * (hopper ? width : width + kPad) *
           (computeType.getIntOrFloatBitWidth() / 8);
  }
  /// Bytes of the padded [kBlockQ][headDim + kPad] tile Q is staged in
  /// (hopper: after the key and value stages; else key stage 1).
  int64_t queryTileBytes() const {
    return kBlockQ * (headDim + kPad) *
           (computeType.getIntOrFloatBitWidth() / 8);
  }
  /// Bytes of dynamic shared memory the kernel asks for: two stages of
  /// key tiles and two of value tiles; hopper: then Q's tile, and room to
  /// align the tiles to 1024 bytes.
  int64_t sharedBytes() const {
    return 2 * tileBytes(headDim) + 2 * tileBytes(valueDim) +
           (hopper ? queryTileBytes() + kSwizzleAlignment : 0);
  }
  /// Byte offset of stage `stage` of the key (or value) tiles in the
  /// dynamic shared memory: key stages first, then value stages.
  Value stageOffset(bool isValue, Value stage) {
    Value offset = mul(stage, index(tileBytes(isValue ? valueDim : headDim)));
    return isValue ? add(offset, index(2 * tileBytes(headDim))) : offset;
  }
  /// The indices of element (row, column) of a staged tile: the padded
  /// tile's own, or the swizzled tile's offset: chunk column / 8 of its
  /// 64-wide slice stored at chunk (column / 8 % 8) ^ (row % 8), where
  /// wgmma's 128-byte swizzle reads it (`column` a multiple of 8).
  SmallVector<Value> tileIndices(Value tile, Value row, Value column) {
    if (cast<MemRefType>(tile.getType()).getRank() == 2)
      return {row, column};
    Value slice = div(column, 64);
    Value chunk =
        arith::XOrIOp::create(b, loc, rem(div(column, kChunk), 8), rem(row, 8));
    return {add(mul(slice, index(blockKV * 64)),
                add(mul(row, index(64)), mul(chunk, index(kChunk))))};
  }

  // sm_90a's warpgroup MMA, as inline PTX (the NVVM dialect's wgmma takes
  // A from shared memory only; P stays in registers).
  /// An inline PTX statement kept in place and order.
  LLVM::InlineAsmOp ptx(TypeRange results, ValueRange operands, StringRef text,
                        StringRef constraints) {
    return LLVM::InlineAsmOp::create(
        b, loc, results, operands, b.getStringAttr(text),
        b.getStringAttr(constraints), /*has_side_effects=*/b.getUnitAttr(),
        /*is_align_stack=*/nullptr,
        LLVM::TailCallKindAttr::get(b.getContext(),
                                    LLVM::tailcallkind::TailCallKind::None),
        /*asm_dialect=*/nullptr, /*operand_attrs=*/nullptr);
  }
  void ptx(StringRef text) { ptx(TypeRange{}, ValueRange{}, text, ""); }
  /// acc (64 x 2 acc.size() f32 accumulators of the warpgroup, the D
  /// fragment) += a (the thread's 4 registers of a 64 x 16 A fragment: the
  /// mma.sync m16n8k16 layout, warp w holding rows 16w..) times the 16 x N
  /// B at descriptor `descB` (mn-major with `transposeB`).
  SmallVector<Value> wgmma(ArrayRef<Value> acc, ArrayRef<Value> a, Value descB,
                           bool transposeB);
  /// f32 or i32 values through an empty statement each, kept in order
  /// with the wgmma statements: accumulators after a wait (nothing reads
  /// them before it), operands before a fence (nothing writes their
  /// registers after it: PTX asks for a wgmma.fence between a register's
  /// write and a wgmma reading it).
  SmallVector<Value> pinRegisters(ArrayRef<Value> values);
  /// Shared-memory writes of this thread (cp.async included) made visible
  /// to wgmma's reads (the async proxy), before a barrier.
  void fenceProxyAsync() {
    if (hopper)
      ptx("fence.proxy.async.shared::cta;");
  }
  /// Stage `stage` (0 or 1) of the key tiles (`value` false) or the value
  /// tiles, a view of the kernel's dynamic shared memory: key stages
  /// first, then value stages.
  Value stagedTile(Value smem, bool isValue, Value stage);
  /// Where row `row` of a staged tile comes from: whether it is inside
  /// the operand, and its (batch, head, position) there (in bounds).
  using RowSource =
      llvm::function_ref<std::pair<Value, std::array<Value, 3>>(Value row)>;
  /// Starts staging the blockKV rows of `tile` ([blockKV][width + kPad],
  /// compute type; zeros for rows outside) from `o` and returns the token
  /// of its cp.async group: the group holds 16-byte `cp.async`s when the
  /// operand is of the compute type and its rows are aligned; otherwise
  /// the thread loads, converts and stores now, and the group is empty
  /// (the same number of groups either way, so that `cp.async.wait_group`
  /// counts alike).
  Value stageTile(const struct Staged &o, RowSource source, Value tile);
  /// stageTile of rows [row0, row0 + blockKV) of `o` at (batch, head),
  /// zeros past `length`.
  Value stageRows(const struct Staged &o, Value batch, Value head, Value row0,
                  Value length, Value tile);
  /// cp.async.commit_group: the copies issued since the last one (none
  /// when the thread staged synchronously) become a group. (Made after
  /// any branch: token values cannot cross the host's control-flow
  /// lowering.)
  Value commitGroup() {
    return nvgpu::DeviceAsyncCreateGroupOp::create(
        b, loc, nvgpu::DeviceAsyncTokenType::get(b.getContext()), ValueRange{});
  }
  /// The scores of the warp's 16 rows against key stage `stage`, as
  /// blockKV / 8 tiles x 4 accumulators.
  SmallVector<Value> queryKeyScores(ArrayRef<std::array<Value, 4>> queryFrags,
                                    Value smem, Value stage);
  SmallVector<Value>
  mmaQueryKeyScores(ArrayRef<std::array<Value, 4>> queryFrags, Value keyTile);

  OpBuilder &b;
  Location loc;
  attn::FlexOp op;
  Precision precision;
  /// sm_90a: wgmma may run the two products (`hopper`: it does).
  bool hopperAllowed, hopper = false;
  Type computeType;
  int64_t headDim = 0, valueDim = 0;
  /// Decoding (flash-decoding), and its static GQA group and query length.
  bool decode = false;
  int64_t decodeGroup = 0, decodeQueries = 0;
  /// Keys a step and threads a block.
  int64_t blockKV = kBlockKV, threads = kThreads;
  Value output, lse, blockList;
  /// Decoding: splits of the keys, key steps per split, and the partial
  /// results ([B, Hkv, splits, kDecodeRows] x (value dim | 1), f32: the
  /// unnormalized output, each row's max in log2 units and its sum).
  Value splits, stepsPerSplit, partialOutput, partialMax, partialSum;
  Staged query, key, value;
  SmallVector<Value> captures;
  FlexShape shape;
  // In the kernel.
  Value tid, lane, warp, group, inGroup;
  /// hopper: the dynamic shared memory's address (i64).
  Value smemAddress;
};

} // namespace

Value FlashKernel::buildBlockList() {
  auto queryType = cast<RankedTensorType>(op.getQuery().getType());
  auto keyType = cast<RankedTensorType>(op.getKey().getType());
  int64_t queryLength = queryType.getDimSize(2);
  int64_t kvLength = keyType.getDimSize(2);
  FailureOr<std::vector<int8_t>> table =
      evaluateBlockMask(op, queryType.getDimSize(0), queryType.getDimSize(1),
                        queryLength, kvLength, kBlockQ, kBlockKV);
  if (failed(table))
    return nullptr;
  int64_t kvBlocks = llvm::divideCeil(kvLength, kBlockKV);
  int64_t rows = kvBlocks ? int64_t(table->size()) / kvBlocks : 0;
  std::vector<int32_t> list;
  list.reserve(rows * (kvBlocks + 1));
  for (int64_t r = 0; r < rows; ++r) {
    size_t countAt = list.size();
    list.push_back(0);
    for (int64_t k = 0; k < kvBlocks; ++k) {
      int8_t cls = (*table)[r * kvBlocks + k];
      if (cls == kEmptyBlock)
        continue;
      list.push_back(int32_t(k * kClassBits + cls));
      ++list[countAt];
    }
    list.resize(countAt + kvBlocks + 1, 0);
  }
  if (list.empty())
    list.push_back(0);
  auto type = RankedTensorType::get({int64_t(list.size())}, b.getI32Type());
  Value constant = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(type, ArrayRef<int32_t>(list)));
  return toBuffer(constant, false);
}

Value FlashKernel::buildRunTimeBlockList() {
  Value zero = index(0), one = index(1);
  Value rows = blockMaskRowCount(b, loc, op, shape);
  auto bytes = MemRefType::get({ShapedType::kDynamic}, b.getI8Type());
  auto words = MemRefType::get({ShapedType::kDynamic}, b.getI32Type());
  Value table = memref::AllocOp::create(
      b, loc, bytes, ValueRange{mul(rows, shape.numKVBlocks)});
  Value listRowSize = add(shape.numKVBlocks, one);
  Value list = memref::AllocOp::create(b, loc, words,
                                       ValueRange{mul(rows, listRowSize)});
  auto launchBody = [&](gpu::LaunchOp launch, StringRef name) {
    launch.setFunctionAttr(FlatSymbolRefAttr::get(b.getContext(), name));
    Block &body = launch.getBody().front();
    b.setInsertionPointToStart(&body);
    gpu::TerminatorOp::create(b, loc);
    b.setInsertionPointToStart(&body);
  };
  auto byte = [&](int64_t v) -> Value {
    return arith::ConstantIntOp::create(b, loc, v, 8);
  };

  // Classification: block (row, key block), kThreads threads, each
  // kBlockQ * kBlockKV / kThreads of the pairs (consecutive threads on
  // consecutive keys).
  {
    OpBuilder::InsertionGuard guard(b);
    auto launch =
        gpu::LaunchOp::create(b, loc, rows, shape.numKVBlocks, one,
                              index(kThreads), one, one, /*dynamicSmem=*/{});
    launchBody(launch, "flex_block_mask_classify");
    Value tid = launch.getThreadIds().x;
    Value row = launch.getBlockIds().x, kvBlock = launch.getBlockIds().y;
    std::array<Value, 3> coordinates =
        blockMaskRowCoordinates(b, loc, op, shape, row);
    Value batch = coordinates[0], head = coordinates[1],
          queryBlock = coordinates[2];
    Value q0 = mul(queryBlock, index(kBlockQ));
    Value kv0 = mul(kvBlock, index(kBlockKV));
    // (Never empty: no blocks are launched then.)
    Value lastQuery = arith::SubIOp::create(b, loc, shape.queryLength, one);
    Value lastKey = arith::SubIOp::create(b, loc, shape.kvLength, one);
    Value falseValue = arith::ConstantIntOp::create(b, loc, 0, 1);
    Value trueValue = arith::ConstantIntOp::create(b, loc, 1, 1);
    constexpr int64_t kPairsPerThread = kBlockQ * kBlockKV / kThreads;
    auto pairs = scf::ForOp::create(
        b, loc, zero, index(kPairsPerThread), one,
        ValueRange{falseValue, trueValue},
        [&](OpBuilder &, Location, Value e, ValueRange acc) {
          Value linear = add(tid, mul(e, index(kThreads)));
          Value q = add(q0, div(linear, kBlockKV));
          Value kv = add(kv0, rem(linear, kBlockKV));
          Value inside =
              arith::AndIOp::create(b, loc, lessThan(q, shape.queryLength),
                                    lessThan(kv, shape.kvLength));
          Value keep = inlineMod(b, loc, op.getMaskMod(),
                                 ValueRange{batch, head, minIndex(q, lastQuery),
                                            minIndex(kv, lastKey)},
                                 captures);
          // any: some pair kept; all: every pair inside kept.
          Value any = arith::OrIOp::create(
              b, loc, acc[0], arith::AndIOp::create(b, loc, inside, keep));
          Value keptOrOutside = arith::OrIOp::create(
              b, loc, keep, arith::XOrIOp::create(b, loc, inside, trueValue));
          Value all = arith::AndIOp::create(b, loc, acc[1], keptOrOutside);
          scf::YieldOp::create(b, loc, ValueRange{any, all});
        });
    auto blockReduce = [&](Value v, NVVM::BarrierReduction kind) -> Value {
      Value predicate =
          arith::ExtUIOp::create(b, loc, b.getI32Type(), v).getResult();
      Value reduced =
          NVVM::BarrierOp::create(
              b, loc, b.getI32Type(), /*barrierId=*/Value(),
              /*numberOfThreads=*/Value(),
              NVVM::BarrierReductionAttr::get(b.getContext(), kind), predicate)
              .getRes();
      return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, reduced,
                                   arith::ConstantIntOp::create(b, loc, 0, 32));
    };
    Value any = blockReduce(pairs.getResult(0), NVVM::BarrierReduction::OR);
    Value all = blockReduce(pairs.getResult(1), NVVM::BarrierReduction::AND);
    // Full: every pair kept and the block inside the keys (the bounds
    // check is skipped on full blocks).
    Value whole =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ule,
                              add(kv0, index(kBlockKV)), shape.kvLength);
    Value cls = arith::SelectOp::create(
        b, loc, any,
        arith::SelectOp::create(b, loc,
                                arith::AndIOp::create(b, loc, all, whole),
                                byte(kFullBlock), byte(kPartialBlock)),
        byte(kEmptyBlock));
    auto first = scf::IfOp::create(
        b, loc,
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, tid, zero),
        /*withElseRegion=*/false);
    b.setInsertionPointToStart(first.thenBlock());
    memref::StoreOp::create(b, loc, cls, table,
                            add(mul(row, shape.numKVBlocks), kvBlock));
  }

  // The list: a thread per row, its count then kvBlock * kClassBits +
  // class for each visited block, in order (the layout of
  // buildBlockList's constant).
  {
    OpBuilder::InsertionGuard guard(b);
    auto launch = gpu::LaunchOp::create(
        b, loc, arith::CeilDivUIOp::create(b, loc, rows, index(kThreads)), one,
        one, index(kThreads), one, one, /*dynamicSmem=*/{});
    launchBody(launch, "flex_block_list");
    Value row = add(mul(launch.getBlockIds().x, index(kThreads)),
                    launch.getThreadIds().x);
    auto inside = scf::IfOp::create(b, loc, lessThan(row, rows),
                                    /*withElseRegion=*/false);
    b.setInsertionPointToStart(inside.thenBlock());
    Value base = mul(row, listRowSize);
    Value tableRow = mul(row, shape.numKVBlocks);
    Value i32Zero = arith::ConstantIntOp::create(b, loc, 0, 32);
    auto blocks = scf::ForOp::create(
        b, loc, zero, shape.numKVBlocks, one, ValueRange{i32Zero},
        [&](OpBuilder &, Location, Value kvBlock, ValueRange count) {
          Value cls =
              memref::LoadOp::create(b, loc, table, add(tableRow, kvBlock));
          Value visited = arith::CmpIOp::create(
              b, loc, arith::CmpIPredicate::ne, cls, byte(kEmptyBlock));
          auto ifOp = scf::IfOp::create(b, loc, b.getI32Type(), visited,
                                        /*withElseRegion=*/true);
          {
            OpBuilder::InsertionGuard guard(b);
            b.setInsertionPointToStart(ifOp.thenBlock());
            Value entry = arith::AddIOp::create(
                b, loc,
                arith::IndexCastOp::create(b, loc, b.getI32Type(),
                                           mul(kvBlock, index(kClassBits))),
                arith::ExtUIOp::create(b, loc, b.getI32Type(), cls));
            Value at =
                add(add(base, one), arith::IndexCastUIOp::create(
                                        b, loc, b.getIndexType(), count[0]));
            memref::StoreOp::create(b, loc, entry, list, at);
            scf::YieldOp::create(
                b, loc,
                ValueRange{arith::AddIOp::create(
                    b, loc, count[0],
                    arith::ConstantIntOp::create(b, loc, 1, 32))});
            b.setInsertionPointToStart(ifOp.elseBlock());
            scf::YieldOp::create(b, loc, count);
          }
          scf::YieldOp::create(b, loc, ifOp.getResults());
        });
    memref::StoreOp::create(b, loc, blocks.getResult(0), list, base);
  }
  return list;
}

Value FlashKernel::groupReduce(Value v, bool max) {
  Value width = arith::ConstantIntOp::create(b, loc, 32, 32);
  for (int64_t offset : {1, 2}) {
    Value other =
        gpu::ShuffleOp::create(b, loc, v,
                               arith::ConstantIntOp::create(b, loc, offset, 32),
                               width, gpu::ShuffleMode::XOR)
            .getShuffleResult();
    v = max ? arith::MaximumFOp::create(b, loc, v, other).getResult()
            : arith::AddFOp::create(b, loc, v, other).getResult();
  }
  return v;
}

void FlashKernel::build() {
  b.setInsertionPoint(op);
  auto valueType = cast<RankedTensorType>(op.getValue().getType());
  auto queryType = cast<RankedTensorType>(op.getQuery().getType());
  headDim = queryType.getDimSize(3);
  valueDim = valueType.getDimSize(3);
  // Decoding when a key/value head's queries (its query heads' rows) fit
  // one warp's 16 rows; static head counts and query length.
  int64_t queryHeads = queryType.getDimSize(1),
          kvHeads = valueType.getDimSize(1);
  if (!ShapedType::isDynamic(queryHeads) && !ShapedType::isDynamic(kvHeads) &&
      !ShapedType::isDynamic(queryType.getDimSize(2)) && kvHeads > 0 &&
      queryHeads % kvHeads == 0 && queryType.getDimSize(2) > 0 &&
      (queryHeads / kvHeads) * queryType.getDimSize(2) <= kDecodeRows) {
    decode = true;
    decodeGroup = queryHeads / kvHeads;
    decodeQueries = queryType.getDimSize(2);
    blockKV = kDecodeBlockKV;
    threads = 32;
  }
  // wgmma: a warpgroup (the block's 4 warps) per 64 query rows, head
  // dims in whole 128-byte swizzle rows (64 or 128: more would not fit
  // the registers).
  hopper = hopperAllowed && !decode && (headDim == 64 || headDim == 128) &&
           (valueDim == 64 || valueDim == 128);

  auto staged = [&](Value tensor, int64_t width) {
    Staged o;
    o.buffer = toBuffer(tensor, true);
    o.aligned = gpugen::rowsAligned16(b, loc, o.buffer);
    o.async = cast<RankedTensorType>(tensor.getType()).getElementType() ==
              computeType;
    o.width = width;
    return o;
  };
  query = staged(op.getQuery(), headDim);
  key = staged(op.getKey(), headDim);
  value = staged(op.getValue(), valueDim);
  for (Value capture : op.getCaptures())
    captures.push_back(toBuffer(capture, false));

  shape.batch = dim(query.buffer, 0);
  shape.queryHeads = dim(query.buffer, 1);
  shape.queryLength = dim(query.buffer, 2);
  shape.headDim = index(headDim);
  shape.kvHeads = dim(value.buffer, 1);
  shape.kvLength = dim(value.buffer, 2);
  shape.groupSize =
      arith::DivUIOp::create(b, loc, shape.queryHeads, shape.kvHeads);
  shape.blockQ = kBlockQ;
  shape.blockKV = kBlockKV;
  shape.numQueryBlocks =
      arith::CeilDivUIOp::create(b, loc, shape.queryLength, index(kBlockQ));
  shape.numKVBlocks =
      arith::CeilDivUIOp::create(b, loc, shape.kvLength, index(kBlockKV));

  auto outputType = cast<RankedTensorType>(op.getOutput().getType());
  output = allocResult(outputType, {shape.batch, shape.queryHeads,
                                    shape.queryLength, index(valueDim)});
  if (Value lseResult = op.getLse())
    lse = allocResult(cast<RankedTensorType>(lseResult.getType()),
                      {shape.batch, shape.queryHeads, shape.queryLength});
  // (Decoding evaluates mask_mod on every pair: its rows are of several
  // heads.)
  if (op.hasMaskMod() && !decode) {
    blockList = buildBlockList();
    if (!blockList)
      blockList = buildRunTimeBlockList();
  }

  Value one = index(1);
  Value gridX = shape.numQueryBlocks, gridY = shape.queryHeads;
  if (decode) {
    // Splits: enough blocks to fill the GPU, at least kDecodeMinSteps key
    // steps each, at least one.
    Value steps =
        arith::CeilDivUIOp::create(b, loc, shape.kvLength, index(blockKV));
    Value wanted = arith::CeilDivUIOp::create(
        b, loc, index(kDecodeTargetBlocks),
        arith::MaxUIOp::create(b, loc, mul(shape.batch, shape.kvHeads), one));
    Value most =
        arith::CeilDivUIOp::create(b, loc, steps, index(kDecodeMinSteps));
    splits = arith::MaxUIOp::create(b, loc, minIndex(wanted, most), one);
    stepsPerSplit = arith::CeilDivUIOp::create(b, loc, steps, splits);
    auto f32Buffer = [&](ArrayRef<Value> sizes) -> Value {
      SmallVector<int64_t> dims(sizes.size(), ShapedType::kDynamic);
      return memref::AllocOp::create(
          b, loc, MemRefType::get(dims, b.getF32Type()), sizes);
    };
    SmallVector<Value> rowSizes = {shape.batch, shape.kvHeads, splits,
                                   index(kDecodeRows)};
    partialMax = f32Buffer(rowSizes);
    partialSum = f32Buffer(rowSizes);
    rowSizes.push_back(index(valueDim));
    partialOutput = f32Buffer(rowSizes);
    gridX = splits;
    gridY = shape.kvHeads;
  }

  // Two stages of key tiles and two of value tiles (over 48 KiB for head
  // dims of 128: dynamic shared memory, which the runtime allows past the
  // default before launching).
  auto launch = gpu::LaunchOp::create(
      b, loc, gridX, gridY, shape.batch, index(threads), one, one,
      arith::ConstantIntOp::create(b, loc, sharedBytes(), 32));
  std::string name = (decode   ? "flex_decode_mma_"
                      : hopper ? "flex_attention_wgmma_"
                               : "flex_attention_mma_") +
                     gpugen::precisionName(precision).str();
  launch.setFunctionAttr(FlatSymbolRefAttr::get(b.getContext(), name));
  {
    OpBuilder::InsertionGuard guard(b);
    Block &body = launch.getBody().front();
    b.setInsertionPointToStart(&body);
    gpu::TerminatorOp::create(b, loc);
    b.setInsertionPointToStart(&body);
    buildBody(launch);
  }
  if (decode)
    buildCombine();

  replaceFlexWithBuffers(b, loc, op, output, lse);
}

Value FlashKernel::stagedTile(Value smem, bool isValue, Value stage) {
  auto workgroup =
      gpu::AddressSpaceAttr::get(b.getContext(), gpu::AddressSpace::Workgroup);
  int64_t width = isValue ? valueDim : headDim;
  SmallVector<int64_t> shape = {blockKV, width + kPad};
  if (hopper)
    shape = {blockKV * width};
  auto type = MemRefType::get(shape, computeType, MemRefLayoutAttrInterface(),
                              workgroup);
  return memref::ViewOp::create(b, loc, type, smem, stageOffset(isValue, stage),
                                ValueRange{});
}

Value FlashKernel::stageRows(const Staged &o, Value batch, Value head,
                             Value row0, Value length, Value tile) {
  Value last = arith::SubIOp::create(
      b, loc, arith::MaxUIOp::create(b, loc, length, index(1)), index(1));
  // Rows past the end read the last row (always in bounds) and become
  // zeros: masked scores times zero values, never NaN.
  return stageTile(
      o,
      [&](Value row) -> std::pair<Value, std::array<Value, 3>> {
        Value at = add(row0, row);
        return {lessThan(at, length), {batch, head, minIndex(at, last)}};
      },
      tile);
}

Value FlashKernel::stageTile(const Staged &o, RowSource source, Value tile) {
  Type sourceType = cast<MemRefType>(o.buffer.getType()).getElementType();
  auto chunkType = VectorType::get({kChunk}, computeType);
  auto sourceChunkType = VectorType::get({kChunk}, sourceType);
  auto tokenType = nvgpu::DeviceAsyncTokenType::get(b.getContext());
  int64_t chunksPerRow = o.width / kChunk;
  int64_t chunks = blockKV * chunksPerRow / threads;
  // Chunk l of this thread: its row and column in the tile, whether the
  // row is inside the operand, and the operand's indices.
  struct Chunk {
    Value row, column, inside;
    SmallVector<Value> at;
  };
  auto chunk = [&](int64_t l) {
    Chunk c;
    Value linear = add(tid, index(l * threads));
    c.row = div(linear, chunksPerRow);
    c.column = mul(rem(linear, chunksPerRow), index(kChunk));
    auto [inside, at] = source(c.row);
    c.inside = inside;
    c.at = {at[0], at[1], at[2], c.column};
    return c;
  };
  // Loaded into registers now, converted and stored: 16-byte loads when
  // `aligned` (null: never), else element by element.
  auto synchronous = [&](Value aligned) {
    Value zeros = arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(chunkType, b.getZeroAttr(computeType)));
    auto elementwise = [&](const Chunk &c) -> Value {
      SmallVector<Value> elements;
      for (int64_t i = 0; i < kChunk; ++i) {
        SmallVector<Value> e = c.at;
        e[3] = add(c.column, index(i));
        elements.push_back(memref::LoadOp::create(b, loc, o.buffer, e));
      }
      return vector::FromElementsOp::create(b, loc, sourceChunkType, elements);
    };
    for (int64_t l = 0; l < chunks; ++l) {
      Chunk c = chunk(l);
      Value v;
      if (aligned) {
        auto ifOp = scf::IfOp::create(b, loc, sourceChunkType, aligned,
                                      /*withElseRegion=*/true);
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPointToStart(ifOp.thenBlock());
        scf::YieldOp::create(
            b, loc,
            vector::LoadOp::create(b, loc, sourceChunkType, o.buffer, c.at,
                                   /*nontemporal=*/false, llvm::MaybeAlign(16))
                .getResult());
        b.setInsertionPointToStart(ifOp.elseBlock());
        scf::YieldOp::create(b, loc, elementwise(c));
        v = ifOp.getResult(0);
      } else {
        v = elementwise(c);
      }
      if (sourceType != computeType) {
        auto f32Type = VectorType::get({kChunk}, b.getF32Type());
        if (!sourceType.isF32())
          v = arith::ExtFOp::create(b, loc, f32Type, v);
        v = arith::TruncFOp::create(b, loc, chunkType, v);
      }
      v = arith::SelectOp::create(b, loc, c.inside, v, zeros);
      vector::StoreOp::create(b, loc, v, tile,
                              tileIndices(tile, c.row, c.column),
                              /*nontemporal=*/false, llvm::MaybeAlign(16));
    }
  };
  if (!o.async) {
    synchronous(o.aligned);
    return commitGroup();
  }
  auto ifOp = scf::IfOp::create(b, loc, o.aligned, /*withElseRegion=*/true);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(ifOp.thenBlock());
    for (int64_t l = 0; l < chunks; ++l) {
      Chunk c = chunk(l);
      // cp.async of 16 bytes; none read (zeros written) past the end.
      Value sourceElements =
          arith::SelectOp::create(b, loc, c.inside, index(kChunk), index(0));
      nvgpu::DeviceAsyncCopyOp::create(
          b, loc, tokenType, tile, tileIndices(tile, c.row, c.column), o.buffer,
          c.at, b.getIndexAttr(kChunk), sourceElements, b.getUnitAttr());
    }
    b.setInsertionPointToStart(ifOp.elseBlock());
    synchronous(nullptr);
  }
  return commitGroup();
}

SmallVector<Value> FlashKernel::wgmma(ArrayRef<Value> acc, ArrayRef<Value> a,
                                      Value descB, bool transposeB) {
  // Operands: the accumulators out ($0..), the same in (tied), A's 4
  // registers, B's descriptor, scale-d (1: accumulate).
  int64_t n = int64_t(acc.size());
  std::string type = precision == Precision::BF16 ? "bf16" : "f16";
  std::string text =
      "{\n.reg .pred p;\nsetp.ne.b32 p, $" + std::to_string(2 * n + 5) +
      ", 0;\nwgmma.mma_async.sync.aligned.m64n" + std::to_string(2 * n) +
      "k16.f32." + type + "." + type + " {";
  std::string constraints;
  for (int64_t i = 0; i < n; ++i) {
    text += (i ? ", $" : "$") + std::to_string(i);
    constraints += (i ? ",=f" : "=f");
  }
  for (int64_t i = 0; i < n; ++i)
    constraints += "," + std::to_string(i);
  text += "}, {$" + std::to_string(2 * n) + ", $" + std::to_string(2 * n + 1) +
          ", $" + std::to_string(2 * n + 2) + ", $" +
          std::to_string(2 * n + 3) + "}, $" + std::to_string(2 * n + 4) +
          ", p, 1, 1, " + (transposeB ? "1" : "0") + ";\n}";
  constraints += ",r,r,r,r,l,r";
  SmallVector<Value> operands(acc.begin(), acc.end());
  for (Value v : a)
    operands.push_back(
        v.getType().isInteger(32)
            ? v
            : LLVM::BitcastOp::create(b, loc, b.getI32Type(), v).getResult());
  operands.push_back(descB);
  operands.push_back(arith::ConstantIntOp::create(b, loc, 1, 32));
  auto resultType = LLVM::LLVMStructType::getLiteral(
      b.getContext(), SmallVector<Type>(n, b.getF32Type()));
  Value result = ptx(resultType, operands, text, constraints).getResult(0);
  SmallVector<Value> sums;
  for (int64_t i = 0; i < n; ++i)
    sums.push_back(LLVM::ExtractValueOp::create(b, loc, result, i));
  return sums;
}

SmallVector<Value> FlashKernel::pinRegisters(ArrayRef<Value> values) {
  SmallVector<Value> pinned;
  for (Value v : values)
    pinned.push_back(
        ptx(v.getType(), v, "", v.getType().isF32() ? "=f,0" : "=r,0")
            .getResult(0));
  return pinned;
}

SmallVector<Value>
FlashKernel::queryKeyScores(ArrayRef<std::array<Value, 4>> queryFrags,
                            Value smem, Value stage) {
  if (!hopper)
    return mmaQueryKeyScores(queryFrags,
                             stagedTile(smem, /*isValue=*/false, stage));
  // S = Q K^T on wgmma m64n<blockKV>k16: A is Q's fragments, B the staged
  // keys (k-major: head dim k-step ks at 32 ks bytes into its 64-wide
  // slice; 8-row atoms 1024 bytes apart).
  Value base =
      add(smemAddress,
          arith::IndexCastOp::create(b, loc, b.getI64Type(),
                                     stageOffset(/*isValue=*/false, stage)));
  SmallVector<Value> scores =
      pinRegisters(SmallVector<Value>(blockKV / 2, f32(0)));
  ptx("wgmma.fence.sync.aligned;");
  for (int64_t ks = 0; ks < headDim / 16; ++ks) {
    int64_t offset = (ks / 4) * blockKV * 128 + (ks % 4) * 32;
    Value address = arith::AddIOp::create(
        b, loc, base,
        arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(offset)));
    scores = wgmma(scores, queryFrags[ks],
                   gpugen::wgmmaDescriptor(b, loc, address, 16, 1024),
                   /*transposeB=*/false);
  }
  ptx("wgmma.commit_group.sync.aligned;");
  ptx("wgmma.wait_group.sync.aligned 0;");
  return pinRegisters(scores);
}

SmallVector<Value>
FlashKernel::mmaQueryKeyScores(ArrayRef<std::array<Value, 4>> queryFrags,
                               Value keyTile) {
  Value q = div(lane, 8), r = rem(lane, 8);
  Value zero = f32(0);
  SmallVector<Value> scores(blockKV / 8 * 4, zero);
  for (int64_t ks = 0; ks < headDim / 16; ++ks)
    for (int64_t p = 0; p < blockKV / 16; ++p) {
      // Keys 16p.. (rows), head dims 16ks.. (columns): the B fragments of
      // key tiles 2p and 2p + 1.
      Value row = add(index(16 * p), add(mul(div(q, 2), index(8)), r));
      Value column = add(index(16 * ks), mul(rem(q, 2), index(8)));
      std::array<Value, 4> regs = gpugen::ldmatrixX4(
          b, loc, precision, keyTile, row, column, /*transpose=*/false);
      gpugen::mmaSync(b, loc, precision, queryFrags[ks], {regs[0], regs[1]},
                      MutableArrayRef<Value>(scores).slice(8 * p, 4));
      gpugen::mmaSync(b, loc, precision, queryFrags[ks], {regs[2], regs[3]},
                      MutableArrayRef<Value>(scores).slice(8 * p + 4, 4));
    }
  return scores;
}

void FlashKernel::buildBody(gpu::LaunchOp launch) {
  setThreadIndex(launch.getThreadIds().x, /*opaque=*/false);
  // The kernel's dynamic shared memory: a public zero-size workgroup
  // global (gpu.dynamic_shared_memory comes out of LLVM 22 as a static
  // symbol: CODEGEN-NOTES.md), 16-byte aligned for ldmatrix and cp.async.
  // (Declared so: the base of dynamic shared memory is guaranteed no
  // more, and a larger declared alignment lets LLVM fold the run-time
  // alignment below away.)
  auto module = op->getParentOfType<ModuleOp>();
  auto smemType = MemRefType::get(
      {0}, b.getI8Type(), MemRefLayoutAttrInterface(),
      gpu::AddressSpaceAttr::get(b.getContext(), gpu::AddressSpace::Workgroup));
  StringRef smemName = "__ddl_flex_smem";
  if (!SymbolTable::lookupSymbolIn(module, smemName)) {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(module.getBody());
    memref::GlobalOp::create(b, loc, smemName, b.getStringAttr("public"),
                             smemType, /*initial_value=*/Attribute(),
                             /*constant=*/false,
                             /*alignment=*/b.getI64IntegerAttr(16));
  }
  Value smem = memref::GetGlobalOp::create(b, loc, smemType, smemName);
  if (hopper) {
    // wgmma's 128-byte swizzle is a function of the address bits: the
    // swizzled tiles start at a multiple of 1024 bytes, the base rounded
    // up at run time (1024 bytes more are allocated).
    Value raw = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, smem);
    Value pad = rem(arith::SubIOp::create(b, loc, index(kSwizzleAlignment),
                                          rem(raw, kSwizzleAlignment)),
                    kSwizzleAlignment);
    smem = memref::ViewOp::create(
        b, loc,
        MemRefType::get({ShapedType::kDynamic}, b.getI8Type(),
                        MemRefLayoutAttrInterface(), smemType.getMemorySpace()),
        smem, pad, ValueRange{index(sharedBytes() - kSwizzleAlignment)});
    smemAddress =
        arith::IndexCastOp::create(b, loc, b.getI64Type(), add(raw, pad));
  }
  // Query blocks in reverse: with a causal mask the last ones visit the
  // most key blocks, and starting them first shortens the tail. Decoding:
  // (split, key/value head, batch).
  Value batch = launch.getBlockIds().z;
  Value queryBlock, head, kvHead, q0, split;
  if (decode) {
    split = launch.getBlockIds().x;
    kvHead = launch.getBlockIds().y;
  } else {
    queryBlock = arith::SubIOp::create(
        b, loc, arith::SubIOp::create(b, loc, shape.numQueryBlocks, index(1)),
        launch.getBlockIds().x);
    head = launch.getBlockIds().y;
    kvHead = arith::DivUIOp::create(b, loc, head, shape.groupSize);
    q0 = mul(queryBlock, index(kBlockQ));
  }
  Value warpRow = mul(warp, index(16));
  int64_t decodeRows = decodeGroup * decodeQueries;
  auto decodeRow = [&](Value r) { return decodeRowOf(kvHead, r); };

  auto wait = [&](Value token, int64_t pending) {
    nvgpu::DeviceAsyncWaitOp::create(b, loc, token,
                                     b.getI32IntegerAttr(pending));
  };
  // Q's block through the second key stage into registers: the A
  // fragments of the warp's 16 rows, 16 head dims at a time. (The second
  // key stage is next written in the first iteration, after a barrier.)
  Value queryTile;
  if (hopper) {
    queryTile = memref::ViewOp::create(
        b, loc,
        MemRefType::get({kBlockQ, headDim + kPad}, computeType,
                        MemRefLayoutAttrInterface(),
                        gpu::AddressSpaceAttr::get(
                            b.getContext(), gpu::AddressSpace::Workgroup)),
        smem, index(2 * tileBytes(headDim) + 2 * tileBytes(valueDim)),
        ValueRange{});
  } else {
    queryTile = stagedTile(smem, /*isValue=*/false, index(1));
  }
  if (decode)
    wait(stageTile(
             query,
             [&](Value r) -> std::pair<Value, std::array<Value, 3>> {
               auto [rowHead, position] = decodeRow(r);
               return {lessThan(r, index(decodeRows)),
                       {batch, rowHead, position}};
             },
             queryTile),
         0);
  else
    wait(stageRows(query, batch, head, q0, shape.queryLength, queryTile), 0);
  gpu::BarrierOp::create(b, loc);
  // Q's A fragments of the warp's 16 rows, 16 head dims at a time.
  auto loadQueryFrags = [&] {
    SmallVector<std::array<Value, 4>> frags;
    Value q = div(lane, 8), r = rem(lane, 8);
    for (int64_t ks = 0; ks < headDim / 16; ++ks) {
      Value row = add(warpRow, add(mul(rem(q, 2), index(8)), r));
      Value column = add(index(16 * ks), mul(div(q, 2), index(8)));
      frags.push_back(gpugen::ldmatrixX4(b, loc, precision, queryTile, row,
                                         column,
                                         /*transpose=*/false));
    }
    return frags;
  };
  // Loaded once, before the loop (mma.sync: from key stage 1, which the
  // loop then reuses). With wgmma, when P V has Q K^T's m64n64k16 shape
  // (value dim 64), ptxas (CUDA 13.0, -O1 and up) gave the registers of
  // fragments kept across the loop to P's: every key block after the
  // first then multiplied P by the keys (checked on an H100; -O0 was
  // right). Those reload them from Q's own tile (never overwritten) at
  // each key block: 4 to 8 ldmatrix.x4 a block. (Head dim 128 with value
  // dim 128 keeps them: reloading there cost 1-6%.)
  bool reloadQuery = hopper && valueDim == blockKV;
  SmallVector<std::array<Value, 4>> queryFrags;
  if (!reloadQuery)
    queryFrags = loadQueryFrags();

  // The thread's two rows (group and group + 8 of the warp's 16), their
  // indices as the regions see them (clamped: rows past the end repeat
  // the last one and are never written).
  Value lastQuery = arith::SubIOp::create(
      b, loc, arith::MaxUIOp::create(b, loc, shape.queryLength, index(1)),
      index(1));
  Value lastKey = arith::SubIOp::create(
      b, loc, arith::MaxUIOp::create(b, loc, shape.kvLength, index(1)),
      index(1));
  // (Decoding: rows are the warp's, rowHeads their heads.)
  std::array<Value, 2> rows, rowIndices, rowHeads;
  for (int64_t h = 0; h < 2; ++h) {
    if (decode) {
      rows[h] = add(group, index(8 * h));
      std::tie(rowHeads[h], rowIndices[h]) = decodeRow(rows[h]);
      continue;
    }
    rows[h] = add(q0, add(warpRow, add(group, index(8 * h))));
    rowIndices[h] = minIndex(rows[h], lastQuery);
    rowHeads[h] = head;
  }

  // Block list row: its count, then the entries.
  Value listBase, count;
  if (blockList) {
    Value first =
        blockMaskIndex(b, loc, op, shape, batch, head, queryBlock, index(0));
    // (No key blocks: one empty row; never a division by zero.)
    Value listRow = arith::DivUIOp::create(
        b, loc, first,
        arith::MaxUIOp::create(b, loc, shape.numKVBlocks, index(1)));
    listBase = mul(listRow, add(shape.numKVBlocks, index(1)));
    count = arith::IndexCastOp::create(
        b, loc, b.getIndexType(),
        memref::LoadOp::create(b, loc, blockList, listBase));
  } else if (decode) {
    // The split's key steps: [split * stepsPerSplit, ...) within the keys.
    Value steps =
        arith::CeilDivUIOp::create(b, loc, shape.kvLength, index(blockKV));
    Value begin = minIndex(mul(split, stepsPerSplit), steps);
    count = arith::SubIOp::create(
        b, loc, minIndex(add(begin, stepsPerSplit), steps), begin);
    listBase = begin;
  } else {
    count = shape.numKVBlocks;
  }
  Value byteFull = index(kFullBlock);
  // The i-th visited key block (of blockKV keys) and its class.
  auto visited = [&](Value i) -> std::pair<Value, Value> {
    if (decode)
      i = add(listBase, i);
    if (blockList) {
      Value entry = arith::IndexCastOp::create(
          b, loc, b.getIndexType(),
          memref::LoadOp::create(b, loc, blockList,
                                 add(listBase, add(i, index(1)))));
      return {div(entry, kClassBits), rem(entry, kClassBits)};
    }
    if (op.hasMaskMod())
      return {i, index(kPartialBlock)};
    Value whole = arith::CmpIOp::create(
        b, loc, arith::CmpIPredicate::ule,
        add(mul(i, index(blockKV)), index(blockKV)), shape.kvLength);
    return {i, arith::SelectOp::create(b, loc, whole, byteFull,
                                       index(kPartialBlock))};
  };
  // Starts staging the keys of the i-th visited block into key stage
  // `stage` when there is one (an empty group otherwise).
  auto stageKeys = [&](Value i, Value stage) -> Value {
    auto ifOp = scf::IfOp::create(b, loc, lessThan(i, count),
                                  /*withElseRegion=*/false);
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(ifOp.thenBlock());
      Value kv0 = mul(visited(i).first, index(blockKV));
      stageRows(key, batch, kvHead, kv0, shape.kvLength,
                stagedTile(smem, false, stage));
    }
    return commitGroup();
  };
  // Software pipeline (cp.async groups, two stages each): the keys of the
  // next block load during this block's P V, its values during Q K^T.
  stageKeys(index(0), index(0));

  float negInf = -std::numeric_limits<float>::infinity();
  const double log2e = 1.0 / std::log(2.0);
  Value scale = f32(op.getScale().convertToDouble());
  Value scaleLog2 = f32(op.getScale().convertToDouble() * log2e);
  Value log2eValue = f32(log2e);
  int64_t valueTiles = valueDim / 8;
  // Carried: the running max of each row (log2 units), this thread's part
  // of each row's sum, the output accumulators (valueTiles x 4).
  SmallVector<Value> init = {f32(negInf), f32(negInf), f32(0), f32(0)};
  init.append(valueTiles * 4, f32(0));
  auto loop = scf::ForOp::create(
      b, loc, index(0), count, index(1), init,
      [&](OpBuilder &, Location, Value i, ValueRange carried) {
        setThreadIndex(launch.getThreadIds().x, /*opaque=*/true);
        auto [kvBlock, cls] = visited(i);
        Value kv0 = mul(kvBlock, index(blockKV));
        Value stage = rem(i, 2);
        Value valueTile = stagedTile(smem, /*isValue=*/true, stage);
        // Groups in flight: this block's keys, then its values.
        Value values =
            stageRows(value, batch, kvHead, kv0, shape.kvLength, valueTile);
        wait(values, 1);
        fenceProxyAsync();
        gpu::BarrierOp::create(b, loc);

        if (reloadQuery)
          queryFrags = loadQueryFrags();
        SmallVector<Value> acc = queryKeyScores(queryFrags, smem, stage);
        // Scores in log2 units: scale (and score_mod), then the mask on
        // partial blocks. Accumulator r of key tile j is row r / 2, key
        // 8 j + 2 inGroup + r % 2.
        int64_t keyTiles = blockKV / 8;
        SmallVector<Value> keyIndices(keyTiles * 2), keyInRange(keyTiles * 2);
        for (int64_t j = 0; j < keyTiles; ++j)
          for (int64_t c = 0; c < 2; ++c) {
            Value k = add(kv0, add(index(8 * j + c), mul(inGroup, index(2))));
            keyInRange[j * 2 + c] = lessThan(k, shape.kvLength);
            keyIndices[j * 2 + c] = minIndex(k, lastKey);
          }
        SmallVector<Value> scores;
        for (int64_t j = 0; j < keyTiles; ++j)
          for (int64_t r = 0; r < 4; ++r) {
            Value s = acc[j * 4 + r];
            if (op.hasScoreMod()) {
              s = arith::MulFOp::create(b, loc, s, scale);
              s = inlineMod(b, loc, op.getScoreMod(),
                            ValueRange{s, batch, rowHeads[r / 2],
                                       rowIndices[r / 2],
                                       keyIndices[j * 2 + r % 2]},
                            captures);
              s = arith::MulFOp::create(b, loc, s, log2eValue);
            } else {
              s = arith::MulFOp::create(b, loc, s, scaleLog2);
            }
            scores.push_back(s);
          }
        Value partial = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne,
                                              cls, byteFull);
        SmallVector<Type> scoreTypes(scores.size(), b.getF32Type());
        auto masked = scf::IfOp::create(b, loc, scoreTypes, partial,
                                        /*withElseRegion=*/true);
        {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPointToStart(masked.thenBlock());
          SmallVector<Value> kept;
          for (int64_t j = 0; j < keyTiles; ++j)
            for (int64_t r = 0; r < 4; ++r) {
              Value keep = keyInRange[j * 2 + r % 2];
              if (op.hasMaskMod())
                keep = arith::AndIOp::create(
                    b, loc, keep,
                    inlineMod(b, loc, op.getMaskMod(),
                              ValueRange{batch, rowHeads[r / 2],
                                         rowIndices[r / 2],
                                         keyIndices[j * 2 + r % 2]},
                              captures));
              kept.push_back(arith::SelectOp::create(
                  b, loc, keep, scores[j * 4 + r], f32(negInf)));
            }
          scf::YieldOp::create(b, loc, kept);
          b.setInsertionPointToStart(masked.elseBlock());
          scf::YieldOp::create(b, loc, scores);
        }

        // Online softmax, per row half h (accumulators 2h and 2h + 1).
        SmallVector<Value> next;
        std::array<Value, 2> alphas, safeMax, newMax;
        for (int64_t h = 0; h < 2; ++h) {
          Value rowMax = carried[h];
          for (int64_t j = 0; j < keyTiles; ++j)
            for (int64_t c = 0; c < 2; ++c)
              rowMax = arith::MaximumFOp::create(
                  b, loc, rowMax, masked.getResult(j * 4 + 2 * h + c));
          newMax[h] = groupReduce(rowMax, /*max=*/true);
          // Every key so far masked: subtract 0, so that exp2 gives 0
          // (not exp2(-inf + inf) = NaN).
          Value noKeys = arith::CmpFOp::create(
              b, loc, arith::CmpFPredicate::OEQ, newMax[h], f32(negInf));
          safeMax[h] =
              arith::SelectOp::create(b, loc, noKeys, f32(0), newMax[h]);
          alphas[h] =
              exp2(arith::SubFOp::create(b, loc, carried[h], safeMax[h]));
        }
        SmallVector<Value> probs;
        std::array<Value, 2> sums = {
            arith::MulFOp::create(b, loc, carried[2], alphas[0]),
            arith::MulFOp::create(b, loc, carried[3], alphas[1])};
        for (int64_t j = 0; j < keyTiles; ++j)
          for (int64_t r = 0; r < 4; ++r) {
            Value p = exp2(arith::SubFOp::create(
                b, loc, masked.getResult(j * 4 + r), safeMax[r / 2]));
            sums[r / 2] = arith::AddFOp::create(b, loc, sums[r / 2], p);
            probs.push_back(p);
          }
        next = {newMax[0], newMax[1], sums[0], sums[1]};
        SmallVector<Value> out;
        for (int64_t n = 0; n < valueTiles; ++n)
          for (int64_t r = 0; r < 4; ++r)
            out.push_back(arith::MulFOp::create(b, loc, carried[4 + n * 4 + r],
                                                alphas[r / 2]));

        // The next block's keys into the other stage (every warp is past
        // its Q K^T on that stage's previous keys: the barrier above),
        // then this block's values.
        Value nextKeys = stageKeys(add(i, index(1)), rem(add(i, index(1)), 2));
        wait(nextKeys, 1);
        fenceProxyAsync();
        gpu::BarrierOp::create(b, loc);

        // O += P V: P's accumulators are A fragments once packed in pairs;
        // V ([key][value dim] in shared memory) gives B with ldmatrix.trans.
        auto pack = [&](Value x, Value y) -> Value {
          auto pairType = VectorType::get({2}, computeType);
          Value pair = arith::TruncFOp::create(
              b, loc, pairType,
              vector::FromElementsOp::create(
                  b, loc, VectorType::get({2}, b.getF32Type()),
                  ValueRange{x, y}));
          if (precision == Precision::F16)
            return pair;
          return LLVM::BitcastOp::create(b, loc, b.getI32Type(), pair);
        };
        auto probFragment = [&](int64_t kk) -> std::array<Value, 4> {
          return {
              pack(probs[(2 * kk) * 4 + 0], probs[(2 * kk) * 4 + 1]),
              pack(probs[(2 * kk) * 4 + 2], probs[(2 * kk) * 4 + 3]),
              pack(probs[(2 * kk + 1) * 4 + 0], probs[(2 * kk + 1) * 4 + 1]),
              pack(probs[(2 * kk + 1) * 4 + 2], probs[(2 * kk + 1) * 4 + 3])};
        };
        if (hopper) {
          // wgmma m64n<valueDim>k16, B the staged values (mn-major: key
          // step kk at 16 rows of 128 bytes; 8-row atoms 1024 bytes
          // apart, 64-wide value-dim slices blockKV x 128 bytes apart).
          Value base = add(
              smemAddress,
              arith::IndexCastOp::create(b, loc, b.getI64Type(),
                                         stageOffset(/*isValue=*/true, stage)));
          SmallVector<Value> words;
          for (int64_t kk = 0; kk < blockKV / 16; ++kk)
            for (Value v : probFragment(kk))
              words.push_back(
                  v.getType().isInteger(32)
                      ? v
                      : LLVM::BitcastOp::create(b, loc, b.getI32Type(), v)
                            .getResult());
          words = pinRegisters(words);
          out = pinRegisters(out);
          ptx("wgmma.fence.sync.aligned;");
          for (int64_t kk = 0; kk < blockKV / 16; ++kk) {
            Value address = arith::AddIOp::create(
                b, loc, base,
                arith::ConstantOp::create(b, loc,
                                          b.getI64IntegerAttr(kk * 16 * 128)));
            out = wgmma(
                out, ArrayRef<Value>(words).slice(4 * kk, 4),
                gpugen::wgmmaDescriptor(b, loc, address, blockKV * 128, 1024),
                /*transposeB=*/true);
          }
          ptx("wgmma.commit_group.sync.aligned;");
          ptx("wgmma.wait_group.sync.aligned 0;");
          next.append(pinRegisters(out));
          scf::YieldOp::create(b, loc, next);
          return;
        }
        Value q = div(lane, 8), r = rem(lane, 8);
        for (int64_t kk = 0; kk < blockKV / 16; ++kk) {
          std::array<Value, 4> a = probFragment(kk);
          for (int64_t p = 0; p < valueTiles / 2; ++p) {
            Value row = add(index(16 * kk), add(mul(rem(q, 2), index(8)), r));
            Value column = add(index(16 * p), mul(div(q, 2), index(8)));
            std::array<Value, 4> regs = gpugen::ldmatrixX4(
                b, loc, precision, valueTile, row, column, /*transpose=*/true);
            gpugen::mmaSync(b, loc, precision, a, {regs[0], regs[1]},
                            MutableArrayRef<Value>(out).slice(8 * p, 4));
            gpugen::mmaSync(b, loc, precision, a, {regs[2], regs[3]},
                            MutableArrayRef<Value>(out).slice(8 * p + 4, 4));
          }
        }
        next.append(out);
        scf::YieldOp::create(b, loc, next);
      });

  setThreadIndex(launch.getThreadIds().x, /*opaque=*/false);
  if (decode) {
    // The split's partial results, every row (those past the queries are
    // not read): the accumulators as they are, each row's max and sum.
    for (int64_t h = 0; h < 2; ++h) {
      Value sum = groupReduce(loop.getResult(2 + h), /*max=*/false);
      SmallVector<Value> at = {batch, kvHead, split, rows[h]};
      for (int64_t n = 0; n < valueTiles; ++n) {
        Value pair = vector::FromElementsOp::create(
            b, loc, VectorType::get({2}, b.getF32Type()),
            ValueRange{loop.getResult(4 + n * 4 + 2 * h),
                       loop.getResult(4 + n * 4 + 2 * h + 1)});
        SmallVector<Value> column = at;
        column.push_back(add(index(8 * n), mul(inGroup, index(2))));
        vector::StoreOp::create(b, loc, pair, partialOutput, column);
      }
      auto first = scf::IfOp::create(
          b, loc,
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, inGroup,
                                index(0)),
          /*withElseRegion=*/false);
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(first.thenBlock());
      memref::StoreOp::create(b, loc, loop.getResult(h), partialMax, at);
      memref::StoreOp::create(b, loc, sum, partialSum, at);
    }
    return;
  }
  // Row sums over the group; output = accumulators / sum (0 for a row
  // with no key), written for the rows inside the query.
  Type outputType = cast<MemRefType>(output.getType()).getElementType();
  auto pairType = VectorType::get({2}, outputType);
  for (int64_t h = 0; h < 2; ++h) {
    Value sum = groupReduce(loop.getResult(2 + h), /*max=*/false);
    Value any =
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, sum, f32(0));
    Value inverse = arith::SelectOp::create(
        b, loc, any, arith::DivFOp::create(b, loc, f32(1), sum), f32(0));
    auto inside =
        scf::IfOp::create(b, loc, lessThan(rows[h], shape.queryLength),
                          /*withElseRegion=*/false);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(inside.thenBlock());
    for (int64_t n = 0; n < valueTiles; ++n) {
      SmallVector<Value> pair;
      for (int64_t c = 0; c < 2; ++c)
        pair.push_back(gpugen::convertFloat(
            b, loc,
            arith::MulFOp::create(b, loc, loop.getResult(4 + n * 4 + 2 * h + c),
                                  inverse),
            outputType));
      Value column = add(index(8 * n), mul(inGroup, index(2)));
      vector::StoreOp::create(
          b, loc, vector::FromElementsOp::create(b, loc, pairType, pair),
          output, ValueRange{batch, head, rows[h], column});
    }
    if (lse) {
      Value first = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                          inGroup, index(0));
      auto write = scf::IfOp::create(b, loc, first, /*withElseRegion=*/false);
      b.setInsertionPointToStart(write.thenBlock());
      storeLse(loop.getResult(h), sum, {batch, head, rows[h]});
    }
  }
}

void FlashKernel::buildCombine() {
  // A block per (row, key/value head, batch), a thread per value dim:
  // the splits' results weighted by 2^(max_s - max), summed, divided by
  // the weighted sums.
  Value zero = index(0), one = index(1);
  float negInf = -std::numeric_limits<float>::infinity();
  auto launch = gpu::LaunchOp::create(
      b, loc, index(decodeGroup * decodeQueries), shape.kvHeads, shape.batch,
      index(valueDim), one, one, /*dynamicSmem=*/{});
  launch.setFunctionAttr(
      FlatSymbolRefAttr::get(b.getContext(), "flex_decode_combine"));
  OpBuilder::InsertionGuard guard(b);
  Block &body = launch.getBody().front();
  b.setInsertionPointToStart(&body);
  gpu::TerminatorOp::create(b, loc);
  b.setInsertionPointToStart(&body);
  Value row = launch.getBlockIds().x, kvHead = launch.getBlockIds().y;
  Value batch = launch.getBlockIds().z, column = launch.getThreadIds().x;
  auto at = [&](Value s) -> SmallVector<Value> {
    return {batch, kvHead, s, row};
  };
  auto rowMax = scf::ForOp::create(
      b, loc, zero, splits, one, ValueRange{f32(negInf)},
      [&](OpBuilder &, Location, Value s, ValueRange acc) {
        Value m = memref::LoadOp::create(b, loc, partialMax, at(s));
        scf::YieldOp::create(
            b, loc, ValueRange{arith::MaximumFOp::create(b, loc, acc[0], m)});
      });
  Value max = rowMax.getResult(0);
  // No key in any split: subtract 0 (the weights are then 0, not NaN).
  Value safeMax = arith::SelectOp::create(
      b, loc,
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, max,
                            f32(negInf)),
      f32(0), max);
  auto weighted = scf::ForOp::create(
      b, loc, zero, splits, one, ValueRange{f32(0), f32(0)},
      [&](OpBuilder &, Location, Value s, ValueRange acc) {
        Value weight = exp2(arith::SubFOp::create(
            b, loc, memref::LoadOp::create(b, loc, partialMax, at(s)),
            safeMax));
        Value sum = memref::LoadOp::create(b, loc, partialSum, at(s));
        SmallVector<Value> element = at(s);
        element.push_back(column);
        Value part = memref::LoadOp::create(b, loc, partialOutput, element);
        scf::YieldOp::create(
            b, loc,
            ValueRange{
                arith::AddFOp::create(
                    b, loc, acc[0], arith::MulFOp::create(b, loc, sum, weight)),
                arith::AddFOp::create(
                    b, loc, acc[1],
                    arith::MulFOp::create(b, loc, part, weight))});
      });
  Value sum = weighted.getResult(0);
  Value any =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, sum, f32(0));
  Value inverse = arith::SelectOp::create(
      b, loc, any, arith::DivFOp::create(b, loc, f32(1), sum), f32(0));
  auto inside = scf::IfOp::create(
      b, loc, lessThan(row, index(decodeGroup * decodeQueries)),
      /*withElseRegion=*/false);
  b.setInsertionPointToStart(inside.thenBlock());
  auto [head, query] = decodeRowOf(kvHead, row);
  Type outputType = cast<MemRefType>(output.getType()).getElementType();
  memref::StoreOp::create(
      b, loc,
      gpugen::convertFloat(
          b, loc, arith::MulFOp::create(b, loc, weighted.getResult(1), inverse),
          outputType),
      output, ValueRange{batch, head, query, column});
  if (!lse)
    return;
  // lse = ln(sum) + max in natural units: (max + log2(sum)) ln 2.
  auto first = scf::IfOp::create(
      b, loc,
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, column, zero),
      /*withElseRegion=*/false);
  b.setInsertionPointToStart(first.thenBlock());
  storeLse(max, sum, {batch, head, query});
}

void FlashKernel::storeLse(Value max, Value sum, ArrayRef<Value> at) {
  // lse = ln(sum) + max in natural units: (max + log2(sum)) ln 2; -inf for
  // a row with no key.
  Value any =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, sum, f32(0));
  Value logSum = arith::MulFOp::create(
      b, loc, arith::AddFOp::create(b, loc, max, log2(sum)),
      f32(std::log(2.0)));
  Type lseType = cast<MemRefType>(lse.getType()).getElementType();
  memref::StoreOp::create(
      b, loc,
      gpugen::convertFloat(
          b, loc,
          arith::SelectOp::create(b, loc, any, logSum,
                                  f32(-std::numeric_limits<float>::infinity())),
          lseType),
      lse, at);
}

namespace {
struct DDLFlexToGPUKernelPass final
    : attention::impl::DDLFlexToGPUKernelPassBase<DDLFlexToGPUKernelPass> {
  using Base::Base;
  void runOnOperation() override {
    std::optional<Precision> requested = gpugen::parsePrecision(precision);
    if (!requested) {
      getOperation().emitError()
          << "ddl-flex-to-gpu-kernel: unknown precision '" << precision
          << "' (fp32, tf32, bf16 or fp16)";
      return signalPassFailure();
    }
    SmallVector<attn::FlexOp> ops;
    getOperation().walk([&](attn::FlexOp op) { ops.push_back(op); });
    for (attn::FlexOp op : ops) {
      // Other instances stay for ddl-flex-to-linalg.
      std::optional<Precision> compute = kernelPrecision(op, *requested);
      if (!compute)
        continue;
      OpBuilder b(op);
      FlashKernel(b, op, *compute, hopper).build();
    }
  }
};
} // namespace
