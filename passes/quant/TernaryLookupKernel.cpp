//===- TernaryLookupKernel.cpp - lookup-table ternary CPU kernel ----------===//
//
// See TernaryLookupKernel.h and DDLLowbitTernaryToVectorPass in Passes.td.
//
// Each pair of inputs (a0, a1) of a row gets a table of the 9 sums
// a0 t0 + a1 t1 (t0, t1 in {-1, 0, +1}), entry e = (t0 + 1) + 3 (t1 + 1).
// The sums need 9 bits (|a| <= 128), so a table is two 16-byte tables, the
// sums' low and high bytes; the weights of W outputs (W = the vector's
// bytes) for one pair are W 4-bit entry numbers, and two byte lookups
// (`pshufb` / `tbl`) give their W sums, which interleaving the low and
// high bytes makes exact i16 lanes. The i16 sums of 32 quads (128 inputs,
// at most 32 x 2 x 256 in magnitude) are widened into i32 totals.
//
//===----------------------------------------------------------------------===//

#include "passes/quant/TernaryLookupKernel.h"
#include "dialects/lowbit/Ternary.h"
#include "lib/Support/ConstantData.h"
#include "passes/quant/Passes.h"
#include "passes/quant/RowKernel.h"

#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace ddl;

namespace {

/// Bytes of one pair's table (low bytes, then high bytes of the sums).
constexpr int64_t kTableBytes = 32;
/// Quads (4 inputs: two table lookups) whose i16 sums are widened at once.
constexpr int64_t kQuadsPerChunk = 32;
/// Input rows per register tile (they share the weights' unpacking), per
/// parallel task.
constexpr int64_t kRows = 4, kRowsPerTask = 64;
/// Bytes of tables held at once: rows are taken in chunks whose tables fit
/// (16 K bytes a row: a prefill of 2048 rows at K = 11008 would need 360
/// MB at once).
constexpr int64_t kTableBudget = 8 << 20;

/// The entry of the trits (t0, t1) in a pair's table.
int64_t entry(int8_t t0, int8_t t1) { return (t0 + 1) + 3 * (t1 + 1); }

class LookupKernelBuilder {
public:
  LookupKernelBuilder(OpBuilder &b, lowbit::MatMulTernaryOp op,
                      int64_t vectorBytes)
      : b(b), loc(op.getLoc()), op(op), w(vectorBytes),
        bytesType(VectorType::get({vectorBytes}, b.getI8Type())),
        halfI16(VectorType::get({vectorBytes / 2}, b.getI16Type())),
        halfI32(VectorType::get({vectorBytes / 2}, b.getI32Type())) {}

  bool build();

private:
  Value index(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return arith::MulIOp::create(b, loc, x, y); }
  Value zeros(VectorType type) {
    return arith::ConstantOp::create(b, loc, b.getZeroAttr(type));
  }
  Value splat(VectorType type, int64_t v) {
    return quant::splatInt(b, loc, type, v);
  }
  /// The weights' entry numbers laid out for the kernel: [N / W blocks
  /// (N padded with zero trits)][K / 4 quads][W] bytes, byte j holding
  /// output j's entries of the quad's first pair (low nibble) and second
  /// pair (high nibble). False when the weights are not a constant.
  bool packWeights();
  /// The tables of the `rows` rows from `firstRow`, [rows][K / 2
  /// pairs][32 bytes], built in parallel over the rows.
  void buildTables(Value rows);
  /// 16 bytes of `tables` at [row, offset], repeated over the vector.
  Value tableLoad(Value row, Value offset);
  /// Rows [m0, m0 + rows) of the chunk against outputs n0 .. n0 + W - 1.
  void tile(Value m0, int64_t rows, Value n0);

  OpBuilder &b;
  Location loc;
  lowbit::MatMulTernaryOp op;
  int64_t w;
  VectorType bytesType, halfI16, halfI32;
  Value input, packed, tables, out, firstRow;
  int64_t n = 0, k = 0;
};

bool LookupKernelBuilder::packWeights() {
  ElementsAttr attr;
  if (!matchPattern(op.getWeights(), m_Constant(&attr)))
    return false;
  auto type = cast<RankedTensorType>(op.getWeights().getType());
  std::vector<int8_t> bytes;
  if (failed(readI8Elements(attr, type.getNumElements(), bytes)))
    return false;
  std::vector<int8_t> trits =
      lowbit::unpackTernary(bytes, n, k, op.getTritsPerByte());
  int64_t blocks = llvm::divideCeil(n, w), quads = k / 4;
  std::vector<int8_t> layout(blocks * quads * w, int8_t(0x44));
  for (int64_t o = 0; o < n; ++o) {
    const int8_t *t = trits.data() + o * k;
    for (int64_t q = 0; q < quads; ++q)
      layout[((o / w) * quads + q) * w + o % w] =
          int8_t(entry(t[4 * q], t[4 * q + 1]) |
                 entry(t[4 * q + 2], t[4 * q + 3]) << 4);
  }
  auto packedType = RankedTensorType::get({blocks, quads, w}, b.getI8Type());
  Value constant = arith::ConstantOp::create(
      b, loc,
      cast<TypedAttr>(
          i8Resource(packedType, "ddl_ternary_lookup_weights", layout)));
  packed = bufferization::ToBufferOp::create(
      b, loc, MemRefType::get(packedType.getShape(), b.getI8Type()), constant,
      /*read_only=*/true);
  return true;
}

void LookupKernelBuilder::buildTables(Value rows) {
  int64_t pairs = k / 2;
  tables = memref::AllocOp::create(
      b, loc,
      MemRefType::get({ShapedType::kDynamic, pairs * kTableBytes},
                      b.getI8Type()),
      ValueRange{rows});
  // Entry e's trits: t0 = e mod 3 - 1, t1 = e / 3 - 1; entries 9-15 are 0.
  auto entries = VectorType::get({16}, b.getI16Type());
  SmallVector<int16_t> first(16, 0), second(16, 0);
  for (int64_t e = 0; e < 9; ++e) {
    first[e] = int16_t(e % 3 - 1);
    second[e] = int16_t(e / 3 - 1);
  }
  Value t0 = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(entries, ArrayRef<int16_t>(first)));
  Value t1 = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(entries, ArrayRef<int16_t>(second)));
  auto sixteen = VectorType::get({16}, b.getI8Type());
  Value zero = index(0), one = index(1);
  auto parallel = scf::ParallelOp::create(b, loc, ValueRange{zero},
                                          ValueRange{rows}, ValueRange{one});
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(parallel.getBody()->getTerminator());
    Value m = parallel.getInductionVars()[0];
    Value row = add(firstRow, m);
    scf::ForOp::create(
        b, loc, zero, index(pairs), one, ValueRange{},
        [&](OpBuilder &, Location, Value p, ValueRange) {
          auto activation = [&](int64_t i) -> Value {
            Value a = memref::LoadOp::create(
                b, loc, input,
                ValueRange{row, add(mul(p, index(2)), index(i))});
            return vector::BroadcastOp::create(
                b, loc, entries,
                arith::ExtSIOp::create(b, loc, b.getI16Type(), a));
          };
          Value sums = add(mul(activation(0), t0), mul(activation(1), t1));
          Value high = arith::ShRSIOp::create(b, loc, sums, splat(entries, 8));
          Value offset = mul(p, index(kTableBytes));
          vector::StoreOp::create(
              b, loc, arith::TruncIOp::create(b, loc, sixteen, sums), tables,
              ValueRange{m, offset});
          vector::StoreOp::create(
              b, loc, arith::TruncIOp::create(b, loc, sixteen, high), tables,
              ValueRange{m, add(offset, index(16))});
          scf::YieldOp::create(b, loc);
        });
  }
}

Value LookupKernelBuilder::tableLoad(Value row, Value offset) {
  auto sixteen = VectorType::get({16}, b.getI8Type());
  Value bytes =
      vector::LoadOp::create(b, loc, sixteen, tables, ValueRange{row, offset});
  if (w == 16)
    return bytes;
  SmallVector<int64_t> repeat;
  for (int64_t i = 0; i < w; ++i)
    repeat.push_back(i % 16);
  return vector::ShuffleOp::create(b, loc, bytes, bytes, repeat);
}

void LookupKernelBuilder::tile(Value m0, int64_t rows, Value n0) {
  int64_t quads = k / 4;
  Value block = arith::DivUIOp::create(b, loc, n0, index(w));
  SmallVector<Value> rowIndex;
  for (int64_t r = 0; r < rows; ++r)
    rowIndex.push_back(add(m0, index(r)));
  // Interleaving a lookup's low and high bytes (x86's punpcklbw /
  // punpckhbw, per 16-byte lane): lane L's outputs 16 L .. 16 L + 7 go to
  // i16 lanes 8 L .. 8 L + 7 of the first half, 16 L + 8 .. 16 L + 15 to
  // those of the second.
  SmallVector<int64_t> lowHalf, highHalf;
  for (int64_t lane = 0; lane < w / 16; ++lane)
    for (int64_t i = 0; i < 8; ++i) {
      lowHalf.append({16 * lane + i, w + 16 * lane + i});
      highHalf.append({16 * lane + 8 + i, w + 16 * lane + 8 + i});
    }
  Value lowNibble = splat(bytesType, 0x0F), four = splat(bytesType, 4);

  // One chunk of `count` quads from `firstQuad`: i16 sums, widened into
  // `totals` (2 per row).
  auto chunk = [&](Value firstQuad, int64_t count,
                   ValueRange totals) -> SmallVector<Value> {
    SmallVector<Value> init(2 * rows, zeros(halfI16));
    auto loop = scf::ForOp::create(
        b, loc, firstQuad, add(firstQuad, index(count)), index(1), init,
        [&](OpBuilder &, Location, Value q, ValueRange carried) {
          SmallVector<Value> sums(carried.begin(), carried.end());
          Value entries = vector::LoadOp::create(
              b, loc, bytesType, packed, ValueRange{block, q, index(0)});
          Value pairEntries[2] = {
              arith::AndIOp::create(b, loc, entries, lowNibble),
              arith::ShRUIOp::create(b, loc, entries, four)};
          for (int64_t half = 0; half < 2; ++half) {
            Value offset =
                mul(add(mul(q, index(2)), index(half)), index(kTableBytes));
            for (int64_t r = 0; r < rows; ++r) {
              Value low = lowbit::Lookup16Op::create(
                  b, loc, bytesType, tableLoad(rowIndex[r], offset),
                  pairEntries[half]);
              Value high = lowbit::Lookup16Op::create(
                  b, loc, bytesType,
                  tableLoad(rowIndex[r], add(offset, index(16))),
                  pairEntries[half]);
              for (auto [h, mask] : llvm::enumerate(
                       ArrayRef<ArrayRef<int64_t>>{lowHalf, highHalf})) {
                Value words = vector::BitCastOp::create(
                    b, loc, halfI16,
                    vector::ShuffleOp::create(b, loc, low, high, mask));
                sums[2 * r + h] = add(sums[2 * r + h], words);
              }
            }
          }
          scf::YieldOp::create(b, loc, sums);
        });
    SmallVector<Value> next;
    for (auto [total, sum] : llvm::zip(totals, loop.getResults()))
      next.push_back(add(total, arith::ExtSIOp::create(b, loc, halfI32, sum)));
    return next;
  };

  SmallVector<Value> totals(2 * rows, zeros(halfI32));
  int64_t fullChunks = quads / kQuadsPerChunk;
  if (fullChunks) {
    auto loop = scf::ForOp::create(
        b, loc, index(0), index(fullChunks * kQuadsPerChunk),
        index(kQuadsPerChunk), totals,
        [&](OpBuilder &, Location, Value q, ValueRange carried) {
          scf::YieldOp::create(b, loc, chunk(q, kQuadsPerChunk, carried));
        });
    totals.assign(loop.getResults().begin(), loop.getResults().end());
  }
  if (int64_t rest = quads % kQuadsPerChunk)
    totals = chunk(index(fullChunks * kQuadsPerChunk), rest, totals);

  // Back to the outputs' order, stored where they exist.
  SmallVector<int64_t> order;
  for (int64_t lane = 0; lane < w / 16; ++lane)
    for (int64_t i = 0; i < 16; ++i)
      order.push_back(i < 8 ? 8 * lane + i : w / 2 + 8 * lane + i - 8);
  Value mask = vector::CreateMaskOp::create(
      b, loc, VectorType::get({w}, b.getI1Type()),
      ValueRange{arith::SubIOp::create(b, loc, index(n), n0)});
  for (int64_t r = 0; r < rows; ++r)
    vector::MaskedStoreOp::create(
        b, loc, out, ValueRange{add(firstRow, rowIndex[r]), n0}, mask,
        vector::ShuffleOp::create(b, loc, totals[2 * r], totals[2 * r + 1],
                                  order));
}

bool LookupKernelBuilder::build() {
  b.setInsertionPoint(op);
  auto inputType = cast<RankedTensorType>(op.getInput().getType());
  auto resultType = cast<RankedTensorType>(op.getResult().getType());
  n = cast<RankedTensorType>(op.getWeights().getType()).getDimSize(0);
  k = inputType.getDimSize(inputType.getRank() - 1);
  if (!packWeights())
    return false;
  quant::RowKernelBuffers buffers = quant::rowKernelBuffers(
      b, loc, op.getInput(), /*weights=*/Value(), resultType);
  input = buffers.input;
  out = buffers.out;
  Value rows = memref::DimOp::create(b, loc, input, 0);
  int64_t chunkRows = std::max<int64_t>(kRows, kTableBudget / (k * 16));
  scf::ForOp::create(b, loc, index(0), rows, index(chunkRows), ValueRange{},
                     [&](OpBuilder &, Location, Value first, ValueRange) {
                       firstRow = first;
                       Value chunk = arith::MinUIOp::create(
                           b, loc, index(chunkRows),
                           arith::SubIOp::create(b, loc, rows, first));
                       buildTables(chunk);
                       quant::buildRowTileLoops(
                           b, loc, chunk, n, w, kRows, kRowsPerTask,
                           [&](Value m0, int64_t tileRows, Value n0,
                               ArrayRef<Value>) { tile(m0, tileRows, n0); });
                       scf::YieldOp::create(b, loc);
                     });
  op.replaceAllUsesWith(quant::rowKernelResult(b, loc, buffers, resultType));
  op.erase();
  return true;
}

} // namespace

bool quant::buildTernaryLookupKernel(OpBuilder &b, lowbit::MatMulTernaryOp op,
                                     int64_t vectorBytes) {
  return LookupKernelBuilder(b, op, vectorBytes).build();
}
