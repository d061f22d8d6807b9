//===- MatmulToVNNI.cpp - int8 matmul on AVX-512 VNNI ---------------------===//
//
// See DDLLowbitMatmulToVNNIPass in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "lib/Support/ConstantData.h"
#include "lib/Target/CPU/TargetInfo.h"
#include "passes/quant/Passes.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace ddl;

namespace ddl::quant {
#define GEN_PASS_DEF_DDLLOWBITMATMULTOVNNIPASS
#define GEN_PASS_DEF_DDLLOWBITDOTTOLLVMPASS
#include "passes/quant/Passes.h.inc"
} // namespace ddl::quant

namespace {

/// i32 lanes of a zmm register; bytes per `vpdpbusd` operand.
constexpr int64_t kLanes = 16, kBytes = 64;
/// Rows and column vectors of the register tile (16 accumulators).
constexpr int64_t kRows = 4, kColumnVectors = 4;
constexpr int64_t kBlockN = kLanes * kColumnVectors;
/// Row blocks (of kRows) per parallel task.
constexpr int64_t kRowBlocksPerTask = 16;

/// The constant integer elements of `v` as int64 (read as unsigned when
/// `isUnsigned`), or failure.
FailureOr<std::vector<int64_t>> constantInts(Value v, bool isUnsigned) {
  ElementsAttr attr;
  if (!matchPattern(v, m_Constant(&attr)))
    return failure();
  auto type = cast<ShapedType>(attr.getType());
  if (!type.hasStaticShape())
    return failure();
  std::vector<int8_t> bytes;
  if (failed(readI8Elements(attr, type.getNumElements(), bytes)))
    return failure();
  std::vector<int64_t> values;
  for (int8_t byte : bytes)
    values.push_back(isUnsigned ? int64_t(uint8_t(byte)) : int64_t(byte));
  return values;
}

/// The constant operands of one matmul, rearranged for the kernel.
struct Packed {
  int64_t k, n, paddedN, quads;
  /// Weights as s8, [paddedN / 64][quads][64][4].
  std::vector<int8_t> weights;
  /// K cb[n] - colsum[n] (times ca, the activations' shift plus zero
  /// point, at run time: the zero point may be computed, as
  /// DynamicQuantizeLinear does), and cb[n], padded to paddedN.
  std::vector<int32_t> columnFactor, rowSumFactor;
  /// The activations' shift (sa: ca = sa + the zero point).
  int64_t activationShift = 0;
  /// Whether some cb[n] is not 0 (the kernel needs the row sums).
  bool needsRowSums = false;
};

std::optional<Packed> pack(lowbit::MatMulOp op, target::Int8Dot dot) {
  auto rhsType = cast<RankedTensorType>(op.getRhs().getType());
  if (!rhsType.hasStaticShape())
    return std::nullopt;
  bool lhsUnsigned = op.getLhsUnsigned(), rhsUnsigned = op.getRhsUnsigned();
  FailureOr<std::vector<int64_t>> weights =
      constantInts(op.getRhs(), rhsUnsigned);
  // The activations' zero point: one value, a constant or computed.
  auto lhsZeroType = cast<RankedTensorType>(op.getLhsZeroPoint().getType());
  FailureOr<std::vector<int64_t>> rhsZero =
      constantInts(op.getRhsZeroPoint(), rhsUnsigned);
  if (failed(weights) || failed(rhsZero) || !lhsZeroType.hasStaticShape() ||
      lhsZeroType.getNumElements() != 1)
    return std::nullopt;
  Packed p;
  p.k = rhsType.getDimSize(0);
  p.n = rhsType.getDimSize(1);
  if (p.k < 1 || p.n < 1)
    return std::nullopt;
  p.paddedN = llvm::alignTo(p.n, kBlockN);
  p.quads = llvm::divideCeil(p.k, 4);
  // a = A' - sa with A' the kernel's activation bytes (unsigned for
  // vpdpbusd: i8 activations + 128; signed for sdot: u8 activations -
  // 128), b = B' + sb with B' signed.
  int64_t sa = dot == target::Int8Dot::VNNI ? (lhsUnsigned ? 0 : 128)
                                            : (lhsUnsigned ? -128 : 0);
  int64_t sb = rhsUnsigned ? 128 : 0;
  p.activationShift = sa;
  p.weights.assign(p.paddedN / kBlockN * p.quads * kBlockN * 4, 0);
  p.columnFactor.assign(p.paddedN, 0);
  p.rowSumFactor.assign(p.paddedN, 0);
  for (int64_t col = 0; col < p.n; ++col) {
    int64_t colSum = 0;
    for (int64_t k = 0; k < p.k; ++k) {
      int64_t shifted = (*weights)[k * p.n + col] - sb;
      colSum += shifted;
      int64_t block = col / kBlockN, c = col % kBlockN;
      p.weights[((block * p.quads + k / 4) * kBlockN + c) * 4 + k % 4] =
          int8_t(shifted);
    }
    int64_t cb = (*rhsZero)[rhsZero->size() == 1 ? 0 : col] - sb;
    // i32 arithmetic wraps, as the accumulation does: ca (K cb - colsum)
    // mod 2^32 is the same product of the factors mod 2^32.
    p.columnFactor[col] = int32_t(uint32_t(p.k * cb - colSum));
    p.rowSumFactor[col] = int32_t(cb);
    p.needsRowSums |= cb != 0;
  }
  return p;
}

class KernelBuilder {
public:
  KernelBuilder(OpBuilder &b, lowbit::MatMulOp op, const Packed &packed,
                target::Int8Dot flavor)
      : b(b), loc(op.getLoc()), op(op), p(packed), flavor(flavor),
        accType(VectorType::get({kLanes}, b.getI32Type())),
        bytesType(VectorType::get({kBytes}, b.getI8Type())) {}

  void build();

private:
  Value index(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  /// A 1-D constant as a read-only buffer.
  template <typename T> Value constantBuffer(ArrayRef<T> values, Type element) {
    auto type = RankedTensorType::get({int64_t(values.size())}, element);
    Value c =
        arith::ConstantOp::create(b, loc, DenseElementsAttr::get(type, values));
    return bufferization::ToBufferOp::create(
        b, loc, MemRefType::get(type.getShape(), element), c,
        /*read_only=*/true);
  }
  Value splat(int32_t v) {
    return arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(accType, b.getI32IntegerAttr(v)));
  }
  Value dot(Value acc, Value activations, Value weights) {
    if (flavor == target::Int8Dot::SDot)
      return lowbit::DotS8S8Op::create(b, loc, accType, acc, activations,
                                       weights);
    return lowbit::DotU8S8Op::create(b, loc, accType, acc, activations,
                                     weights);
  }
  /// Whether activations change signedness on the way into the dot (the
  /// xor with 0x80): signed ones for vpdpbusd, unsigned ones for sdot.
  bool flipsActivations() {
    return (flavor == target::Int8Dot::VNNI) != op.getLhsUnsigned();
  }
  /// The 4 activation bytes of `row` at `k` (`valid` of them, 4 when
  /// null), broadcast to every lane and shifted to the dot's signedness.
  Value activationQuad(Value lhs, Value row, Value k, int64_t valid);

  OpBuilder &b;
  Location loc;
  lowbit::MatMulOp op;
  const Packed &p;
  target::Int8Dot flavor;
  VectorType accType, bytesType;
};

Value KernelBuilder::activationQuad(Value lhs, Value row, Value k,
                                    int64_t valid) {
  auto quadType = VectorType::get({4}, b.getI8Type());
  Value quad;
  if (valid == 4) {
    quad = vector::LoadOp::create(b, loc, quadType, lhs, ValueRange{row, k});
  } else {
    // Bytes past K read as what shifts to 0 (they also enter the row
    // sums): -128 when the activations flip, else 0.
    Value mask = vector::CreateMaskOp::create(
        b, loc, VectorType::get({4}, b.getI1Type()), ValueRange{index(valid)});
    Value padding = arith::ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(
            quadType, b.getI8IntegerAttr(flipsActivations() ? -128 : 0)));
    quad = vector::MaskedLoadOp::create(b, loc, quadType, lhs,
                                        ValueRange{row, k}, mask, padding);
  }
  Value word = vector::ExtractOp::create(
      b, loc,
      vector::BitCastOp::create(b, loc, VectorType::get({1}, b.getI32Type()),
                                quad),
      ArrayRef<int64_t>{0});
  Value words = vector::BroadcastOp::create(b, loc, accType, word);
  if (flipsActivations())
    words = arith::XOrIOp::create(b, loc, words, splat(int32_t(0x80808080u)));
  return vector::BitCastOp::create(b, loc, bytesType, words);
}

void KernelBuilder::build() {
  b.setInsertionPoint(op);
  auto lhsType = cast<RankedTensorType>(op.getLhs().getType());
  auto resultType = cast<RankedTensorType>(op.getResult().getType());
  int64_t rank = lhsType.getRank();
  // Operands as i8 buffers, the batch dims folded into the rows.
  auto i8 = b.getI8Type();
  Value lhs = bufferization::ToBufferOp::create(
      b, loc, MemRefType::get(lhsType.getShape(), i8), op.getLhs(),
      /*read_only=*/true);
  ReassociationIndices rowsDims =
      llvm::to_vector(llvm::seq<int64_t>(0, rank - 1));
  if (rank > 2)
    lhs = memref::CollapseShapeOp::create(
        b, loc, lhs, ArrayRef<ReassociationIndices>{rowsDims, {rank - 1}});
  Value weights = constantBuffer(ArrayRef<int8_t>(p.weights), i8);
  Value columnFactor =
      constantBuffer(ArrayRef<int32_t>(p.columnFactor), b.getI32Type());
  // ca = sa + the activations' zero point (sign- or zero-extended by their
  // type), a splat for the epilogue's ca (K cb[n] - colsum[n]).
  Value lhsZero = tensor::ExtractOp::create(
      b, loc, op.getLhsZeroPoint(),
      SmallVector<Value>(
          cast<RankedTensorType>(op.getLhsZeroPoint().getType()).getRank(),
          index(0)));
  lhsZero =
      op.getLhsUnsigned()
          ? arith::ExtUIOp::create(b, loc, b.getI32Type(), lhsZero).getResult()
          : arith::ExtSIOp::create(b, loc, b.getI32Type(), lhsZero).getResult();
  Value ca = vector::BroadcastOp::create(
      b, loc, accType,
      arith::AddIOp::create(
          b, loc, lhsZero,
          arith::ConstantIntOp::create(b, loc, p.activationShift, 32)));
  Value rowSumFactor =
      p.needsRowSums
          ? constantBuffer(ArrayRef<int32_t>(p.rowSumFactor), b.getI32Type())
          : Value();
  SmallVector<Value> dynamicSizes;
  for (int64_t d = 0; d < rank; ++d)
    if (resultType.isDynamicDim(d))
      dynamicSizes.push_back(
          d == rank - 1
              ? index(p.n)
              : tensor::DimOp::create(b, loc, op.getLhs(), d).getResult());
  Value result = memref::AllocOp::create(
      b, loc, MemRefType::get(resultType.getShape(), b.getI32Type()),
      dynamicSizes);
  Value out = result;
  if (rank > 2)
    out = memref::CollapseShapeOp::create(
        b, loc, result, ArrayRef<ReassociationIndices>{rowsDims, {rank - 1}});

  Value zero = index(0), one = index(1);
  Value rows = memref::DimOp::create(b, loc, lhs, 0);
  Value lastRow = arith::SubIOp::create(b, loc, rows, one);
  Value rowBlocks = arith::CeilDivUIOp::create(b, loc, rows, index(kRows));
  int64_t columnBlocks = p.paddedN / kBlockN;
  // Parallel over (row super-block, column block); a task runs the row
  // blocks of its super-block over one column block, whose weights (K x 64
  // bytes) stay in L1/L2 while every row block reads them (with one task
  // per row block, a decode-sized M would stream the weights M / 4 times).
  Value superBlocks =
      arith::CeilDivUIOp::create(b, loc, rowBlocks, index(kRowBlocksPerTask));
  Value iterations =
      arith::MulIOp::create(b, loc, superBlocks, index(columnBlocks));
  auto parallel = scf::ParallelOp::create(
      b, loc, ValueRange{zero}, ValueRange{iterations}, ValueRange{one});
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(parallel.getBody()->getTerminator());
    Value it = parallel.getInductionVars()[0];
    Value superBlock = arith::DivUIOp::create(b, loc, it, index(columnBlocks));
    Value columnBlock = arith::RemUIOp::create(b, loc, it, index(columnBlocks));
    Value firstBlock =
        arith::MulIOp::create(b, loc, superBlock, index(kRowBlocksPerTask));
    Value endBlock = arith::MinUIOp::create(
        b, loc,
        arith::AddIOp::create(b, loc, firstBlock, index(kRowBlocksPerTask)),
        rowBlocks);
    scf::ForOp::create(
        b, loc, firstBlock, endBlock, one, ValueRange{},
        [&](OpBuilder &, Location, Value rowBlock, ValueRange) {
          Value m0 = arith::MulIOp::create(b, loc, rowBlock, index(kRows));
          SmallVector<Value> rowIndex;
          for (int64_t r = 0; r < kRows; ++r)
            rowIndex.push_back(arith::MinUIOp::create(
                b, loc, arith::AddIOp::create(b, loc, m0, index(r)), lastRow));
          // The weight quads of this column block start here.
          Value blockBase = arith::MulIOp::create(b, loc, columnBlock,
                                                  index(p.quads * kBlockN * 4));
          Value ones =
              vector::BitCastOp::create(b, loc, bytesType, splat(0x01010101));
          int64_t sums = p.needsRowSums ? kRows : 0;
          SmallVector<Value> init(kRows * kColumnVectors + sums, splat(0));

          // One step over 4 k (the last one `valid` of them).
          auto step = [&](Value quad, ValueRange acc, int64_t valid) {
            Value k = arith::MulIOp::create(b, loc, quad, index(4));
            Value base = arith::AddIOp::create(
                b, loc, blockBase,
                arith::MulIOp::create(b, loc, quad, index(kBlockN * 4)));
            SmallVector<Value> w;
            for (int64_t t = 0; t < kColumnVectors; ++t)
              w.push_back(vector::LoadOp::create(
                  b, loc, bytesType, weights,
                  ValueRange{
                      arith::AddIOp::create(b, loc, base, index(t * kBytes))}));
            SmallVector<Value> next(acc.begin(), acc.end());
            for (int64_t r = 0; r < kRows; ++r) {
              Value a = activationQuad(lhs, rowIndex[r], k, valid);
              for (int64_t t = 0; t < kColumnVectors; ++t)
                next[r * kColumnVectors + t] =
                    dot(acc[r * kColumnVectors + t], a, w[t]);
              if (sums)
                next[kRows * kColumnVectors + r] =
                    dot(acc[kRows * kColumnVectors + r], a, ones);
            }
            return next;
          };
          int64_t fullQuads = p.k / 4;
          auto loop = scf::ForOp::create(
              b, loc, zero, index(fullQuads), one, init,
              [&](OpBuilder &, Location, Value quad, ValueRange acc) {
                scf::YieldOp::create(b, loc, step(quad, acc, 4));
              });
          SmallVector<Value> acc(loop.getResults());
          if (p.k % 4)
            acc = step(index(fullQuads), acc, p.k % 4);

          // Epilogue: the zero-point corrections, then the stores of the rows
          // that exist, masked past N.
          Value n0 = arith::MulIOp::create(b, loc, columnBlock, index(kBlockN));
          for (int64_t r = 0; r < kRows; ++r) {
            Value exists = arith::CmpIOp::create(
                b, loc, arith::CmpIPredicate::ult,
                arith::AddIOp::create(b, loc, m0, index(r)), rows);
            auto store = scf::IfOp::create(b, loc, exists, false);
            OpBuilder::InsertionGuard g(b);
            b.setInsertionPointToStart(store.thenBlock());
            for (int64_t t = 0; t < kColumnVectors; ++t) {
              Value col = arith::AddIOp::create(b, loc, n0, index(t * kLanes));
              Value v = arith::AddIOp::create(
                  b, loc, acc[r * kColumnVectors + t],
                  arith::MulIOp::create(
                      b, loc, ca,
                      vector::LoadOp::create(b, loc, accType, columnFactor,
                                             ValueRange{col})));
              if (sums)
                v = arith::SubIOp::create(
                    b, loc, v,
                    arith::MulIOp::create(
                        b, loc,
                        vector::LoadOp::create(b, loc, accType, rowSumFactor,
                                               ValueRange{col}),
                        acc[kRows * kColumnVectors + r]));
              Value left = arith::SubIOp::create(
                  b, loc, arith::MaxSIOp::create(b, loc, index(p.n), col), col);
              Value mask = vector::CreateMaskOp::create(
                  b, loc, VectorType::get({kLanes}, b.getI1Type()),
                  ValueRange{left});
              vector::MaskedStoreOp::create(
                  b, loc, out,
                  ValueRange{arith::AddIOp::create(b, loc, m0, index(r)), col},
                  mask, v);
            }
          }
          scf::YieldOp::create(b, loc);
        });
  }
  Value tensor = bufferization::ToTensorOp::create(
      b, loc, resultType, result, /*restrict=*/true, /*writable=*/true);
  op.replaceAllUsesWith(tensor);
  op.erase();
}

/// `op` as the target's byte-shuffle intrinsics: Arm `tbl` of one table
/// register per 16 bytes, or the x86 `pshufb` of the vectors' width.
void lowerLookup16(lowbit::Lookup16Op op, bool arm) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  auto type = cast<VectorType>(op.getType());
  int64_t bytes = type.getNumElements();
  auto callIntrinsic = [&](StringRef name, Type resultType, Value table,
                           Value indices) -> Value {
    return LLVM::CallIntrinsicOp::create(b, loc, resultType,
                                         b.getStringAttr(name),
                                         ValueRange{table, indices})
        .getResult(0);
  };
  if (!arm && (bytes == 16 || bytes == 32 || bytes == 64)) {
    StringRef name = bytes == 16   ? "llvm.x86.ssse3.pshuf.b.128"
                     : bytes == 32 ? "llvm.x86.avx2.pshuf.b"
                                   : "llvm.x86.avx512.pshuf.b.512";
    op.replaceAllUsesWith(
        callIntrinsic(name, type, op.getTable(), op.getIndices()));
    op.erase();
    return;
  }
  // Arm (and x86 widths without one instruction): 16 bytes at a time.
  auto laneType = VectorType::get({16}, b.getI8Type());
  Value result = arith::ConstantOp::create(b, loc, b.getZeroAttr(type));
  for (int64_t lane = 0; lane < bytes / 16; ++lane) {
    auto slice = [&](Value v) -> Value {
      return vector::ExtractStridedSliceOp::create(
          b, loc, v, ArrayRef<int64_t>{lane * 16}, ArrayRef<int64_t>{16},
          ArrayRef<int64_t>{1});
    };
    Value part = callIntrinsic(
        arm ? "llvm.aarch64.neon.tbl1.v16i8" : "llvm.x86.ssse3.pshuf.b.128",
        laneType, slice(op.getTable()), slice(op.getIndices()));
    result = vector::InsertStridedSliceOp::create(b, loc, part, result,
                                                  ArrayRef<int64_t>{lane * 16},
                                                  ArrayRef<int64_t>{1});
  }
  op.replaceAllUsesWith(result);
  op.erase();
}

/// `op` as `vdpbf16ps` (`hasDot`), or as two FMAs of its operands' even
/// and odd bf16 halves widened to f32: a 32-bit lane holds element 2i in
/// its low half (shifted up 16 bits it is that bf16 as an f32) and 2i + 1
/// in its high half (masked, the same).
void lowerDotBf16(lowbit::DotBf16Op op, bool hasDot) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  Value result;
  if (hasDot) {
    result = LLVM::CallIntrinsicOp::create(
                 b, loc, op.getType(),
                 b.getStringAttr("llvm.x86.avx512bf16.dpbf16ps.512"),
                 ValueRange{op.getAcc(), op.getLhs(), op.getRhs()})
                 .getResult(0);
  } else {
    auto words = VectorType::get({16}, b.getI32Type());
    auto splat = [&](uint32_t v) -> Value {
      return arith::ConstantOp::create(
          b, loc, DenseElementsAttr::get(words, b.getI32IntegerAttr(v)));
    };
    auto halves = [&](Value pairs) -> std::pair<Value, Value> {
      Value lanes = vector::BitCastOp::create(b, loc, words, pairs);
      Value even = arith::ShLIOp::create(b, loc, lanes, splat(16));
      Value odd = arith::AndIOp::create(b, loc, lanes, splat(0xFFFF0000u));
      return {vector::BitCastOp::create(b, loc, op.getType(), even),
              vector::BitCastOp::create(b, loc, op.getType(), odd)};
    };
    auto [lhsEven, lhsOdd] = halves(op.getLhs());
    auto [rhsEven, rhsOdd] = halves(op.getRhs());
    result = vector::FMAOp::create(b, loc, lhsEven, rhsEven, op.getAcc());
    result = vector::FMAOp::create(b, loc, lhsOdd, rhsOdd, result);
  }
  op.replaceAllUsesWith(result);
  op.erase();
}

struct DDLLowbitDotToLLVMPass final
    : quant::impl::DDLLowbitDotToLLVMPassBase<DDLLowbitDotToLLVMPass> {
  using Base::Base;
  void runOnOperation() override {
    SmallVector<lowbit::Lookup16Op> lookups;
    getOperation().walk([&](lowbit::Lookup16Op op) { lookups.push_back(op); });
    SmallVector<lowbit::DotBf16Op> bf16Dots;
    getOperation().walk([&](lowbit::DotBf16Op op) { bf16Dots.push_back(op); });
    if (!lookups.empty() || !bf16Dots.empty()) {
      std::optional<target::CPUTargetInfo> info =
          target::lookupCPUTarget(target, getOperation());
      if (!info)
        return signalPassFailure();
      for (lowbit::Lookup16Op op : lookups)
        lowerLookup16(op, info->isa == "neon");
      for (lowbit::DotBf16Op op : bf16Dots)
        lowerDotBf16(op, info->bf16Dot);
    }
    SmallVector<lowbit::DotU8S8Op> dots;
    getOperation().walk([&](lowbit::DotU8S8Op op) { dots.push_back(op); });
    for (lowbit::DotU8S8Op op : dots) {
      OpBuilder b(op);
      Value call = LLVM::CallIntrinsicOp::create(
                       b, op.getLoc(), op.getType(),
                       b.getStringAttr("llvm.x86.avx512.vpdpbusd.512"),
                       ValueRange{op.getAcc(), op.getLhs(), op.getRhs()})
                       .getResult(0);
      op.replaceAllUsesWith(call);
      op.erase();
    }
    // Arm: 4 sdot of 4 lanes (16 bytes) each.
    SmallVector<lowbit::DotS8S8Op> signedDots;
    getOperation().walk(
        [&](lowbit::DotS8S8Op op) { signedDots.push_back(op); });
    for (lowbit::DotS8S8Op op : signedDots) {
      OpBuilder b(op);
      Location loc = op.getLoc();
      auto laneType = VectorType::get({4}, b.getI32Type());
      auto byteType = VectorType::get({16}, b.getI8Type());
      Value result = op.getAcc();
      for (int64_t part = 0; part < 4; ++part) {
        auto slice = [&](Value v, VectorType type) -> Value {
          return vector::ExtractStridedSliceOp::create(
              b, loc, v, ArrayRef<int64_t>{part * type.getNumElements()},
              ArrayRef<int64_t>{type.getNumElements()}, ArrayRef<int64_t>{1});
        };
        Value call = LLVM::CallIntrinsicOp::create(
                         b, loc, laneType,
                         b.getStringAttr("llvm.aarch64.neon.sdot.v4i32.v16i8"),
                         ValueRange{slice(op.getAcc(), laneType),
                                    slice(op.getLhs(), byteType),
                                    slice(op.getRhs(), byteType)})
                         .getResult(0);
        result = vector::InsertStridedSliceOp::create(
            b, loc, call, result, ArrayRef<int64_t>{part * 4},
            ArrayRef<int64_t>{1});
      }
      op.replaceAllUsesWith(result);
      op.erase();
    }
  }
};

struct DDLLowbitMatmulToVNNIPass final
    : quant::impl::DDLLowbitMatmulToVNNIPassBase<DDLLowbitMatmulToVNNIPass> {
  using Base::Base;
  void runOnOperation() override {
    std::optional<target::CPUTargetInfo> info =
        target::lookupCPUTarget(target, getOperation());
    if (!info)
      return signalPassFailure();
    target::Int8Dot flavor = assumeVNNI ? target::Int8Dot::VNNI : info->int8Dot;
    if (flavor == target::Int8Dot::None)
      return;
    SmallVector<lowbit::MatMulOp> ops;
    getOperation().walk([&](lowbit::MatMulOp op) { ops.push_back(op); });
    for (lowbit::MatMulOp op : ops) {
      std::optional<Packed> packed = pack(op, flavor);
      if (!packed)
        continue;
      OpBuilder b(op);
      KernelBuilder(b, op, *packed, flavor).build();
    }
  }
};

} // namespace
