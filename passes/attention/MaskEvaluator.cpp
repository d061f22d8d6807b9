//===- MaskEvaluator.cpp - mask_mod evaluated at compile time -------------===//
//
// See evaluateBlockMask in FlexLowering.h. mask_mod is interpreted one
// query row at a time over every key at once (each value an array over
// the keys), which keeps the interpretation overhead per operation, not
// per element.
//
//===----------------------------------------------------------------------===//

#include "passes/attention/FlexLowering.h"

#include "llvm/ADT/DenseMap.h"

#include <cmath>

using namespace mlir;
using namespace ddl;
using namespace ddl::attention;

namespace {

/// One value of mask_mod over all keys: integers (index, iN; stored
/// sign-extended from their width) or floats (f32/f64, f32 rounded).
struct Column {
  bool isFloat = false;
  /// Integer width (64 for index); 0 for floats.
  unsigned width = 64;
  bool isF32 = false;
  std::vector<int64_t> ints;
  std::vector<double> floats;
};

int64_t signExtend(int64_t v, unsigned width) {
  if (width >= 64)
    return v;
  uint64_t mask = (uint64_t(1) << width) - 1;
  uint64_t bits = uint64_t(v) & mask;
  uint64_t sign = uint64_t(1) << (width - 1);
  return int64_t((bits ^ sign) - sign);
}

uint64_t zeroExtend(int64_t v, unsigned width) {
  if (width >= 64)
    return uint64_t(v);
  return uint64_t(v) & ((uint64_t(1) << width) - 1);
}

/// The interpreter of one mask_mod block.
class Evaluator {
public:
  Evaluator(Block &block, int64_t keys) : block(block), keys(keys) {
    // Every value's column exists up front: references into the map stay
    // valid while an operation reads its operands and writes its result.
    for (BlockArgument arg : block.getArguments())
      columns[arg];
    for (Operation &op : block)
      for (Value result : op.getResults())
        columns[result];
  }

  /// Evaluates the block for one (b, h, q) over keys 0..keys-1 into
  /// `kept`; fails on an operation it does not know.
  LogicalResult run(int64_t batch, int64_t head, int64_t query,
                    std::vector<bool> &kept);

private:
  Column &column(Value v) { return columns[v]; }
  void setInts(Value v, unsigned width) {
    Column &c = columns[v];
    c.isFloat = false;
    c.width = width;
    c.ints.resize(keys);
  }
  void setFloats(Value v, bool isF32) {
    Column &c = columns[v];
    c.isFloat = true;
    c.width = 0;
    c.isF32 = isF32;
    c.floats.resize(keys);
  }
  LogicalResult step(Operation &op);

  Block &block;
  int64_t keys;
  llvm::DenseMap<Value, Column> columns;
};

unsigned widthOf(Type type) {
  if (type.isIndex())
    return 64;
  return type.getIntOrFloatBitWidth();
}

bool compareInts(arith::CmpIPredicate predicate, int64_t a, int64_t b,
                 unsigned width) {
  uint64_t ua = zeroExtend(a, width), ub = zeroExtend(b, width);
  switch (predicate) {
  case arith::CmpIPredicate::eq:
    return a == b;
  case arith::CmpIPredicate::ne:
    return a != b;
  case arith::CmpIPredicate::slt:
    return a < b;
  case arith::CmpIPredicate::sle:
    return a <= b;
  case arith::CmpIPredicate::sgt:
    return a > b;
  case arith::CmpIPredicate::sge:
    return a >= b;
  case arith::CmpIPredicate::ult:
    return ua < ub;
  case arith::CmpIPredicate::ule:
    return ua <= ub;
  case arith::CmpIPredicate::ugt:
    return ua > ub;
  case arith::CmpIPredicate::uge:
    return ua >= ub;
  }
  return false;
}

std::optional<bool> compareFloats(arith::CmpFPredicate predicate, double a,
                                  double b) {
  bool unordered = std::isnan(a) || std::isnan(b);
  switch (predicate) {
  case arith::CmpFPredicate::OEQ:
    return !unordered && a == b;
  case arith::CmpFPredicate::ONE:
    return !unordered && a != b;
  case arith::CmpFPredicate::OLT:
    return !unordered && a < b;
  case arith::CmpFPredicate::OLE:
    return !unordered && a <= b;
  case arith::CmpFPredicate::OGT:
    return !unordered && a > b;
  case arith::CmpFPredicate::OGE:
    return !unordered && a >= b;
  case arith::CmpFPredicate::UEQ:
    return unordered || a == b;
  case arith::CmpFPredicate::UNE:
    return unordered || a != b;
  case arith::CmpFPredicate::ULT:
    return unordered || a < b;
  case arith::CmpFPredicate::ULE:
    return unordered || a <= b;
  case arith::CmpFPredicate::UGT:
    return unordered || a > b;
  case arith::CmpFPredicate::UGE:
    return unordered || a >= b;
  case arith::CmpFPredicate::ORD:
    return !unordered;
  case arith::CmpFPredicate::UNO:
    return unordered;
  default:
    return std::nullopt;
  }
}

LogicalResult Evaluator::step(Operation &op) {
  int64_t n = keys;
  if (auto constant = dyn_cast<arith::ConstantOp>(op)) {
    Value r = constant.getResult();
    if (auto i = dyn_cast<IntegerAttr>(constant.getValue())) {
      unsigned width = widthOf(r.getType());
      setInts(r, width);
      int64_t v = signExtend(i.getValue().getSExtValue(), width);
      std::fill(column(r).ints.begin(), column(r).ints.end(), v);
      return success();
    }
    if (auto f = dyn_cast<FloatAttr>(constant.getValue())) {
      setFloats(r, r.getType().isF32());
      std::fill(column(r).floats.begin(), column(r).floats.end(),
                f.getValueAsDouble());
      return success();
    }
    return failure();
  }
  if (op.getNumResults() != 1)
    return failure();
  Value r = op.getResult(0);
  Type type = r.getType();
  // Integer binary operations.
  auto intBinary = [&](auto f) -> LogicalResult {
    unsigned width = widthOf(type);
    setInts(r, width);
    std::vector<int64_t> &out = column(r).ints;
    const std::vector<int64_t> &x = column(op.getOperand(0)).ints;
    const std::vector<int64_t> &y = column(op.getOperand(1)).ints;
    for (int64_t e = 0; e < n; ++e) {
      std::optional<int64_t> v = f(x[e], y[e], width);
      if (!v)
        return failure();
      out[e] = signExtend(*v, width);
    }
    return success();
  };
  auto floatBinary = [&](auto f) -> LogicalResult {
    setFloats(r, type.isF32());
    std::vector<double> &out = column(r).floats;
    const std::vector<double> &x = column(op.getOperand(0)).floats;
    const std::vector<double> &y = column(op.getOperand(1)).floats;
    bool f32 = type.isF32();
    for (int64_t e = 0; e < n; ++e) {
      double v = f(x[e], y[e]);
      out[e] = f32 ? double(float(v)) : v;
    }
    return success();
  };
  using I = std::optional<int64_t>;
  if (isa<arith::AddIOp>(op))
    return intBinary([](int64_t a, int64_t b, unsigned) -> I {
      return int64_t(uint64_t(a) + uint64_t(b));
    });
  if (isa<arith::SubIOp>(op))
    return intBinary([](int64_t a, int64_t b, unsigned) -> I {
      return int64_t(uint64_t(a) - uint64_t(b));
    });
  if (isa<arith::MulIOp>(op))
    return intBinary([](int64_t a, int64_t b, unsigned) -> I {
      return int64_t(uint64_t(a) * uint64_t(b));
    });
  if (isa<arith::DivSIOp>(op))
    return intBinary([](int64_t a, int64_t b, unsigned) -> I {
      if (b == 0 || (a == INT64_MIN && b == -1))
        return std::nullopt;
      return a / b;
    });
  if (isa<arith::RemSIOp>(op))
    return intBinary([](int64_t a, int64_t b, unsigned) -> I {
      if (b == 0 || (a == INT64_MIN && b == -1))
        return std::nullopt;
      return a % b;
    });
  if (isa<arith::FloorDivSIOp>(op))
    return intBinary([](int64_t a, int64_t b, unsigned) -> I {
      if (b == 0 || (a == INT64_MIN && b == -1))
        return std::nullopt;
      int64_t q = a / b;
      return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
    });
  if (isa<arith::DivUIOp>(op))
    return intBinary([](int64_t a, int64_t b, unsigned w) -> I {
      uint64_t ub = zeroExtend(b, w);
      if (ub == 0)
        return std::nullopt;
      return int64_t(zeroExtend(a, w) / ub);
    });
  if (isa<arith::RemUIOp>(op))
    return intBinary([](int64_t a, int64_t b, unsigned w) -> I {
      uint64_t ub = zeroExtend(b, w);
      if (ub == 0)
        return std::nullopt;
      return int64_t(zeroExtend(a, w) % ub);
    });
  if (isa<arith::MinSIOp>(op))
    return intBinary(
        [](int64_t a, int64_t b, unsigned) -> I { return std::min(a, b); });
  if (isa<arith::MaxSIOp>(op))
    return intBinary(
        [](int64_t a, int64_t b, unsigned) -> I { return std::max(a, b); });
  if (isa<arith::MinUIOp>(op))
    return intBinary([](int64_t a, int64_t b, unsigned w) -> I {
      return zeroExtend(a, w) < zeroExtend(b, w) ? a : b;
    });
  if (isa<arith::MaxUIOp>(op))
    return intBinary([](int64_t a, int64_t b, unsigned w) -> I {
      return zeroExtend(a, w) > zeroExtend(b, w) ? a : b;
    });
  if (isa<arith::AndIOp>(op))
    return intBinary([](int64_t a, int64_t b, unsigned) -> I { return a & b; });
  if (isa<arith::OrIOp>(op))
    return intBinary([](int64_t a, int64_t b, unsigned) -> I { return a | b; });
  if (isa<arith::XOrIOp>(op))
    return intBinary([](int64_t a, int64_t b, unsigned) -> I { return a ^ b; });
  if (auto cmp = dyn_cast<arith::CmpIOp>(op)) {
    unsigned width = widthOf(cmp.getLhs().getType());
    const std::vector<int64_t> &x = column(cmp.getLhs()).ints;
    const std::vector<int64_t> &y = column(cmp.getRhs()).ints;
    setInts(r, 1);
    std::vector<int64_t> &out = column(r).ints;
    for (int64_t e = 0; e < n; ++e)
      out[e] = compareInts(cmp.getPredicate(), x[e], y[e], width) ? -1 : 0;
    return success();
  }
  if (auto cmp = dyn_cast<arith::CmpFOp>(op)) {
    const std::vector<double> &x = column(cmp.getLhs()).floats;
    const std::vector<double> &y = column(cmp.getRhs()).floats;
    setInts(r, 1);
    std::vector<int64_t> &out = column(r).ints;
    for (int64_t e = 0; e < n; ++e) {
      std::optional<bool> v = compareFloats(cmp.getPredicate(), x[e], y[e]);
      if (!v)
        return failure();
      out[e] = *v ? -1 : 0;
    }
    return success();
  }
  if (auto select = dyn_cast<arith::SelectOp>(op)) {
    const std::vector<int64_t> &c = column(select.getCondition()).ints;
    const Column &t = column(select.getTrueValue());
    const Column &f = column(select.getFalseValue());
    if (t.isFloat) {
      std::vector<double> tv = t.floats, fv = f.floats;
      setFloats(r, type.isF32());
      for (int64_t e = 0; e < n; ++e)
        column(r).floats[e] = c[e] ? tv[e] : fv[e];
    } else {
      std::vector<int64_t> tv = t.ints, fv = f.ints;
      setInts(r, widthOf(type));
      for (int64_t e = 0; e < n; ++e)
        column(r).ints[e] = c[e] ? tv[e] : fv[e];
    }
    return success();
  }
  // Integer conversions.
  if (isa<arith::IndexCastOp, arith::ExtSIOp, arith::TruncIOp,
          arith::IndexCastUIOp, arith::ExtUIOp>(op)) {
    unsigned from = widthOf(op.getOperand(0).getType());
    bool unsignedSource = isa<arith::IndexCastUIOp, arith::ExtUIOp>(op);
    std::vector<int64_t> x = column(op.getOperand(0)).ints;
    unsigned width = widthOf(type);
    setInts(r, width);
    for (int64_t e = 0; e < n; ++e)
      column(r).ints[e] = signExtend(
          unsignedSource ? int64_t(zeroExtend(x[e], from)) : x[e], width);
    return success();
  }
  if (isa<arith::SIToFPOp, arith::UIToFPOp>(op)) {
    unsigned from = widthOf(op.getOperand(0).getType());
    bool isUnsigned = isa<arith::UIToFPOp>(op);
    std::vector<int64_t> x = column(op.getOperand(0)).ints;
    setFloats(r, type.isF32());
    for (int64_t e = 0; e < n; ++e) {
      double v = isUnsigned ? double(zeroExtend(x[e], from)) : double(x[e]);
      column(r).floats[e] = type.isF32() ? double(float(v)) : v;
    }
    return success();
  }
  if (isa<arith::AddFOp>(op))
    return floatBinary([](double a, double b) { return a + b; });
  if (isa<arith::SubFOp>(op))
    return floatBinary([](double a, double b) { return a - b; });
  if (isa<arith::MulFOp>(op))
    return floatBinary([](double a, double b) { return a * b; });
  if (isa<arith::DivFOp>(op))
    return floatBinary([](double a, double b) { return a / b; });
  return failure();
}

LogicalResult Evaluator::run(int64_t batch, int64_t head, int64_t query,
                             std::vector<bool> &kept) {
  int64_t values[3] = {batch, head, query};
  for (int a = 0; a < 3; ++a) {
    setInts(block.getArgument(a), 64);
    std::fill(column(block.getArgument(a)).ints.begin(),
              column(block.getArgument(a)).ints.end(), values[a]);
  }
  Value key = block.getArgument(3);
  setInts(key, 64);
  for (int64_t e = 0; e < keys; ++e)
    column(key).ints[e] = e;
  for (Operation &op : block.without_terminator())
    if (failed(step(op)))
      return failure();
  Value result = cast<attn::YieldOp>(block.getTerminator()).getValues()[0];
  const std::vector<int64_t> &bits = column(result).ints;
  kept.resize(keys);
  for (int64_t e = 0; e < keys; ++e)
    kept[e] = bits[e] != 0;
  return success();
}

} // namespace

FailureOr<std::vector<int8_t>>
attention::evaluateBlockMask(attn::FlexOp op, int64_t batches, int64_t heads,
                             int64_t queryLength, int64_t kvLength,
                             int64_t blockQ, int64_t blockKV) {
  if (!op.hasMaskMod() || !op.maskReadsOnlyIndices())
    return failure();
  Block &block = op.getMaskMod().front();
  if (block.getArgument(0).use_empty())
    batches = 1;
  if (block.getArgument(1).use_empty())
    heads = 1;
  for (int64_t size : {batches, heads, queryLength, kvLength})
    if (ShapedType::isDynamic(size) || size <= 0)
      return failure();
  // Too large to be worth it: the run-time kernel does the same work.
  constexpr int64_t kMaxEvaluations = int64_t(1) << 28;
  if (batches * heads > kMaxEvaluations / queryLength / kvLength)
    return failure();
  int64_t queryBlocks = llvm::divideCeil(queryLength, blockQ);
  int64_t kvBlocks = llvm::divideCeil(kvLength, blockKV);
  std::vector<int8_t> table(batches * heads * queryBlocks * kvBlocks);
  Evaluator evaluator(block, kvLength);
  std::vector<bool> kept;
  // Per block pair: some pair kept, every pair kept.
  std::vector<bool> any(kvBlocks), all(kvBlocks);
  for (int64_t b = 0; b < batches; ++b)
    for (int64_t h = 0; h < heads; ++h)
      for (int64_t qb = 0; qb < queryBlocks; ++qb) {
        std::fill(any.begin(), any.end(), false);
        std::fill(all.begin(), all.end(), true);
        int64_t q0 = qb * blockQ;
        for (int64_t q = q0; q < std::min(q0 + blockQ, queryLength); ++q) {
          if (failed(evaluator.run(b, h, q, kept)))
            return failure();
          for (int64_t k = 0; k < kvLength; ++k) {
            any[k / blockKV] = any[k / blockKV] || kept[k];
            all[k / blockKV] = all[k / blockKV] && kept[k];
          }
        }
        for (int64_t kb = 0; kb < kvBlocks; ++kb) {
          bool whole = (kb + 1) * blockKV <= kvLength;
          table[((b * heads + h) * queryBlocks + qb) * kvBlocks + kb] =
              !any[kb] ? kEmptyBlock
                       : (all[kb] && whole ? kFullBlock : kPartialBlock);
        }
      }
  return table;
}
