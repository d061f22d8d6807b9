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
/// the block's query rows.
constexpr int64_t kBlockQ = 64, kBlockKV = 64, kWarps = 4;
constexpr int64_t kThreads = 32 * kWarps;
/// Elements of a 16-byte chunk (bf16 / f16), and the padding of a staged
/// row: rows then start 16 bytes apart modulo 128, so that the 8 row
/// addresses of an ldmatrix hit different banks.
constexpr int64_t kChunk = 8, kPad = 8;
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
  FlashKernel(OpBuilder &b, attn::FlexOp op, Precision precision)
      : b(b), loc(op.getLoc()), op(op), precision(precision),
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
  /// Bytes of one staged tile ([64][width + kPad] of the compute type).
  int64_t tileBytes(int64_t width) const {
    return kBlockKV * (width + kPad) *
           (computeType.getIntOrFloatBitWidth() / 8);
  }
  /// Stage `stage` (0 or 1) of the key tiles (`value` false) or the value
  /// tiles, a view of the kernel's dynamic shared memory: key stages
  /// first, then value stages.
  Value stagedTile(Value smem, bool isValue, Value stage);
  /// Starts staging rows [row0, row0 + 64) of `o` (batch, head) into
  /// `tile` ([64][width + kPad], compute type; zeros past `length`) and
  /// returns the token of its cp.async group: the group holds 16-byte
  /// `cp.async`s when the operand is of the compute type and its rows are
  /// aligned; otherwise the thread loads, converts and stores now, and the
  /// group is empty (the same number of groups either way, so that
  /// `cp.async.wait_group` counts alike).
  Value stageTile(const struct Staged &o, Value batch, Value head, Value row0,
                  Value length, Value tile);
  /// cp.async.commit_group: the copies issued since the last one (none
  /// when the thread staged synchronously) become a group. (Made after
  /// any branch: token values cannot cross the host's control-flow
  /// lowering.)
  Value commitGroup() {
    return nvgpu::DeviceAsyncCreateGroupOp::create(
        b, loc, nvgpu::DeviceAsyncTokenType::get(b.getContext()), ValueRange{});
  }
  /// The scores of the warp's 16 rows against the staged key block, as
  /// 8 tiles x 4 accumulators.
  SmallVector<Value> queryKeyScores(ArrayRef<std::array<Value, 4>> queryFrags,
                                    Value keyTile);

  OpBuilder &b;
  Location loc;
  attn::FlexOp op;
  Precision precision;
  Type computeType;
  int64_t headDim = 0, valueDim = 0;
  Value output, lse, blockList;
  Staged query, key, value;
  SmallVector<Value> captures;
  FlexShape shape;
  // In the kernel.
  Value tid, lane, warp, group, inGroup;
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
  headDim = cast<RankedTensorType>(op.getQuery().getType()).getDimSize(3);
  valueDim = valueType.getDimSize(3);

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
  if (op.hasMaskMod())
    blockList = buildBlockList();

  // Two stages of key tiles and two of value tiles (over 48 KiB for head
  // dims of 128: dynamic shared memory, which the runtime allows past the
  // default before launching).
  int64_t sharedBytes = 2 * tileBytes(headDim) + 2 * tileBytes(valueDim);
  Value one = index(1);
  auto launch = gpu::LaunchOp::create(
      b, loc, shape.numQueryBlocks, shape.queryHeads, shape.batch,
      index(kThreads), one, one,
      arith::ConstantIntOp::create(b, loc, sharedBytes, 32));
  std::string name =
      "flex_attention_mma_" + gpugen::precisionName(precision).str();
  launch.setFunctionAttr(FlatSymbolRefAttr::get(b.getContext(), name));
  {
    OpBuilder::InsertionGuard guard(b);
    Block &body = launch.getBody().front();
    b.setInsertionPointToStart(&body);
    gpu::TerminatorOp::create(b, loc);
    b.setInsertionPointToStart(&body);
    buildBody(launch);
  }

  replaceFlexWithBuffers(b, loc, op, output, lse);
}

Value FlashKernel::stagedTile(Value smem, bool isValue, Value stage) {
  auto workgroup =
      gpu::AddressSpaceAttr::get(b.getContext(), gpu::AddressSpace::Workgroup);
  int64_t width = isValue ? valueDim : headDim;
  auto type = MemRefType::get({kBlockKV, width + kPad}, computeType,
                              MemRefLayoutAttrInterface(), workgroup);
  Value offset = mul(stage, index(tileBytes(width)));
  if (isValue)
    offset = add(offset, index(2 * tileBytes(headDim)));
  return memref::ViewOp::create(b, loc, type, smem, offset, ValueRange{});
}

Value FlashKernel::stageTile(const Staged &o, Value batch, Value head,
                             Value row0, Value length, Value tile) {
  Type sourceType = cast<MemRefType>(o.buffer.getType()).getElementType();
  auto chunkType = VectorType::get({kChunk}, computeType);
  auto sourceChunkType = VectorType::get({kChunk}, sourceType);
  auto tokenType = nvgpu::DeviceAsyncTokenType::get(b.getContext());
  Value last = arith::SubIOp::create(
      b, loc, arith::MaxUIOp::create(b, loc, length, index(1)), index(1));
  int64_t chunksPerRow = o.width / kChunk;
  int64_t chunks = kBlockKV * chunksPerRow / kThreads;
  // Chunk l of this thread: its row and column in the tile, whether the
  // row is inside the operand, and the operand's indices. Rows past the
  // end read the last row (always in bounds) and become zeros: masked
  // scores times zero values, never NaN.
  struct Chunk {
    Value row, column, inside;
    SmallVector<Value> at;
  };
  auto chunk = [&](int64_t l) {
    Chunk c;
    Value linear = add(tid, index(l * kThreads));
    c.row = div(linear, chunksPerRow);
    c.column = mul(rem(linear, chunksPerRow), index(kChunk));
    Value at = add(row0, c.row);
    c.inside = lessThan(at, length);
    c.at = {batch, head, minIndex(at, last), c.column};
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
      vector::StoreOp::create(b, loc, v, tile, ValueRange{c.row, c.column},
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
          b, loc, tokenType, tile, ValueRange{c.row, c.column}, o.buffer, c.at,
          b.getIndexAttr(kChunk), sourceElements, b.getUnitAttr());
    }
    b.setInsertionPointToStart(ifOp.elseBlock());
    synchronous(nullptr);
  }
  return commitGroup();
}

SmallVector<Value>
FlashKernel::queryKeyScores(ArrayRef<std::array<Value, 4>> queryFrags,
                            Value keyTile) {
  Value q = div(lane, 8), r = rem(lane, 8);
  Value zero = f32(0);
  SmallVector<Value> scores(8 * 4, zero);
  for (int64_t ks = 0; ks < headDim / 16; ++ks)
    for (int64_t p = 0; p < kBlockKV / 16; ++p) {
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
                             /*alignment=*/b.getI64IntegerAttr(1024));
  }
  Value smem = memref::GetGlobalOp::create(b, loc, smemType, smemName);
  // Query blocks in reverse: with a causal mask the last ones visit the
  // most key blocks, and starting them first shortens the tail.
  Value queryBlock = arith::SubIOp::create(
      b, loc, arith::SubIOp::create(b, loc, shape.numQueryBlocks, index(1)),
      launch.getBlockIds().x);
  Value head = launch.getBlockIds().y;
  Value batch = launch.getBlockIds().z;
  Value kvHead = arith::DivUIOp::create(b, loc, head, shape.groupSize);
  Value q0 = mul(queryBlock, index(kBlockQ));
  Value warpRow = mul(warp, index(16));

  auto wait = [&](Value token, int64_t pending) {
    nvgpu::DeviceAsyncWaitOp::create(b, loc, token,
                                     b.getI32IntegerAttr(pending));
  };
  // Q's block through the second key stage into registers: the A
  // fragments of the warp's 16 rows, 16 head dims at a time. (The second
  // key stage is next written in the first iteration, after a barrier.)
  Value queryTile = stagedTile(smem, /*isValue=*/false, index(1));
  wait(stageTile(query, batch, head, q0, shape.queryLength, queryTile), 0);
  gpu::BarrierOp::create(b, loc);
  SmallVector<std::array<Value, 4>> queryFrags;
  {
    Value q = div(lane, 8), r = rem(lane, 8);
    for (int64_t ks = 0; ks < headDim / 16; ++ks) {
      Value row = add(warpRow, add(mul(rem(q, 2), index(8)), r));
      Value column = add(index(16 * ks), mul(div(q, 2), index(8)));
      queryFrags.push_back(gpugen::ldmatrixX4(b, loc, precision, queryTile, row,
                                              column,
                                              /*transpose=*/false));
    }
  }

  // The thread's two rows (group and group + 8 of the warp's 16), their
  // indices as the regions see them (clamped: rows past the end repeat
  // the last one and are never written).
  Value lastQuery = arith::SubIOp::create(
      b, loc, arith::MaxUIOp::create(b, loc, shape.queryLength, index(1)),
      index(1));
  Value lastKey = arith::SubIOp::create(
      b, loc, arith::MaxUIOp::create(b, loc, shape.kvLength, index(1)),
      index(1));
  std::array<Value, 2> rows, rowIndices;
  for (int64_t h = 0; h < 2; ++h) {
    rows[h] = add(q0, add(warpRow, add(group, index(8 * h))));
    rowIndices[h] = minIndex(rows[h], lastQuery);
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
  } else {
    count = shape.numKVBlocks;
  }
  Value byteFull = index(kFullBlock);
  // The i-th visited key block and its class.
  auto visited = [&](Value i) -> std::pair<Value, Value> {
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
        add(mul(i, index(kBlockKV)), index(kBlockKV)), shape.kvLength);
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
      Value kv0 = mul(visited(i).first, index(kBlockKV));
      stageTile(key, batch, kvHead, kv0, shape.kvLength,
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
        Value kv0 = mul(kvBlock, index(kBlockKV));
        Value stage = rem(i, 2);
        Value keyTile = stagedTile(smem, /*isValue=*/false, stage);
        Value valueTile = stagedTile(smem, /*isValue=*/true, stage);
        // Groups in flight: this block's keys, then its values.
        Value values =
            stageTile(value, batch, kvHead, kv0, shape.kvLength, valueTile);
        wait(values, 1);
        gpu::BarrierOp::create(b, loc);

        SmallVector<Value> acc = queryKeyScores(queryFrags, keyTile);
        // Scores in log2 units: scale (and score_mod), then the mask on
        // partial blocks. Accumulator r of key tile j is row r / 2, key
        // 8 j + 2 inGroup + r % 2.
        SmallVector<Value> keyIndices(8 * 2), keyInRange(8 * 2);
        for (int64_t j = 0; j < 8; ++j)
          for (int64_t c = 0; c < 2; ++c) {
            Value k = add(kv0, add(index(8 * j + c), mul(inGroup, index(2))));
            keyInRange[j * 2 + c] = lessThan(k, shape.kvLength);
            keyIndices[j * 2 + c] = minIndex(k, lastKey);
          }
        SmallVector<Value> scores;
        for (int64_t j = 0; j < 8; ++j)
          for (int64_t r = 0; r < 4; ++r) {
            Value s = acc[j * 4 + r];
            if (op.hasScoreMod()) {
              s = arith::MulFOp::create(b, loc, s, scale);
              s = inlineMod(b, loc, op.getScoreMod(),
                            ValueRange{s, batch, head, rowIndices[r / 2],
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
          for (int64_t j = 0; j < 8; ++j)
            for (int64_t r = 0; r < 4; ++r) {
              Value keep = keyInRange[j * 2 + r % 2];
              if (op.hasMaskMod())
                keep = arith::AndIOp::create(
                    b, loc, keep,
                    inlineMod(b, loc, op.getMaskMod(),
                              ValueRange{batch, head, rowIndices[r / 2],
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
          for (int64_t j = 0; j < 8; ++j)
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
        for (int64_t j = 0; j < 8; ++j)
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
        Value q = div(lane, 8), r = rem(lane, 8);
        for (int64_t kk = 0; kk < kBlockKV / 16; ++kk) {
          std::array<Value, 4> a = {
              pack(probs[(2 * kk) * 4 + 0], probs[(2 * kk) * 4 + 1]),
              pack(probs[(2 * kk) * 4 + 2], probs[(2 * kk) * 4 + 3]),
              pack(probs[(2 * kk + 1) * 4 + 0], probs[(2 * kk + 1) * 4 + 1]),
              pack(probs[(2 * kk + 1) * 4 + 2], probs[(2 * kk + 1) * 4 + 3])};
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
      // lse = ln(sum) + max in natural units: (max + log2(sum)) ln 2.
      Value logSum = arith::MulFOp::create(
          b, loc, arith::AddFOp::create(b, loc, loop.getResult(h), log2(sum)),
          f32(std::log(2.0)));
      Value first = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                          inGroup, index(0));
      auto write = scf::IfOp::create(b, loc, first, /*withElseRegion=*/false);
      b.setInsertionPointToStart(write.thenBlock());
      Type lseType = cast<MemRefType>(lse.getType()).getElementType();
      memref::StoreOp::create(
          b, loc,
          gpugen::convertFloat(
              b, loc, arith::SelectOp::create(b, loc, any, logSum, f32(negInf)),
              lseType),
          lse, ValueRange{batch, head, rows[h]});
    }
  }
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
      FlashKernel(b, op, *compute).build();
    }
  }
};
} // namespace
