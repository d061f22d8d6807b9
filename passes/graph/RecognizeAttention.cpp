//===- RecognizeAttention.cpp - MatMul-Softmax-MatMul to attn.flex --------===//
//
// See NNRecognizeAttentionPass in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "dialects/attn/AttnDialect.h"
#include "dialects/nn/NNDialect.h"
#include "lib/Support/ConstantData.h"
#include "passes/graph/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Matchers.h"

#include <cmath>
#include <optional>

using namespace mlir;
using namespace ddl;

namespace ddl::graph {
#define GEN_PASS_DEF_NNRECOGNIZEATTENTIONPASS
#include "passes/graph/Passes.h.inc"
} // namespace ddl::graph

namespace {

/// A mask value at least this negative removes a key (exp underflows to 0
/// in f32 long before: exp(-104) is the smallest normal).
constexpr double kMaskedBelow = -1e4;

/// The value of a constant with one element (or all elements equal), or
/// nullopt.
std::optional<double> scalarConstant(Value v) {
  ElementsAttr attr;
  if (!matchPattern(v, m_Constant(&attr)))
    return std::nullopt;
  auto dense = dyn_cast<DenseElementsAttr>(attr);
  if (!dense || !dense.getElementType().isF32())
    return std::nullopt;
  if (dense.isSplat())
    return dense.getSplatValue<APFloat>().convertToDouble();
  return std::nullopt;
}

/// `v` with a scalar multiplication or division by a constant peeled off
/// (when `v`'s producer has no other user), the factor multiplied into
/// `scale`.
Value peelScale(Value v, double &scale) {
  while (Operation *producer = v.getDefiningOp()) {
    if (!v.hasOneUse() || !isa<nn::MulOp, nn::DivOp>(producer))
      break;
    Value lhs = producer->getOperand(0), rhs = producer->getOperand(1);
    std::optional<double> factor = scalarConstant(rhs);
    if (!factor && isa<nn::MulOp>(producer)) {
      factor = scalarConstant(lhs);
      std::swap(lhs, rhs);
    }
    if (!factor || *factor == 0 || lhs.getType() != v.getType())
      break;
    scale *= isa<nn::DivOp>(producer) ? 1.0 / *factor : *factor;
    v = lhs;
  }
  return v;
}

/// What masks the scores.
struct Mask {
  enum Kind { None, Additive, Keep, Drop } kind = None;
  /// The additive mask, or the boolean tensor that keeps (Keep) or drops
  /// (Drop) a pair.
  Value tensor;
};

/// A recognized attention: `matmul(softmax(mask(scale * q @ kT)), v)`.
struct Attention {
  nn::MatMulOp output;
  Value query, keyT, value;
  double scale = 1.0;
  Mask mask;
};

/// Matches the scores chain below the softmax: scale, mask, scale, then
/// q @ kT (each intermediate used once).
std::optional<Attention> matchScores(Value scores, Attention attention) {
  scores = peelScale(scores, attention.scale);
  if (scores.hasOneUse()) {
    if (auto add = scores.getDefiningOp<nn::AddOp>()) {
      for (int side = 0; side < 2; ++side) {
        Value chain = add->getOperand(side), mask = add->getOperand(1 - side);
        if (chain.getType() != scores.getType() ||
            !isa_and_nonnull<nn::MatMulOp, nn::MulOp, nn::DivOp>(
                chain.getDefiningOp()))
          continue;
        attention.mask = {Mask::Additive, mask};
        scores = chain;
        break;
      }
    } else if (auto where = scores.getDefiningOp<nn::WhereOp>()) {
      std::optional<double> onFalse = scalarConstant(where.getOnFalse());
      std::optional<double> onTrue = scalarConstant(where.getOnTrue());
      if (onFalse && *onFalse <= kMaskedBelow &&
          where.getOnTrue().getType() == scores.getType()) {
        attention.mask = {Mask::Keep, where.getCondition()};
        scores = where.getOnTrue();
      } else if (onTrue && *onTrue <= kMaskedBelow &&
                 where.getOnFalse().getType() == scores.getType()) {
        attention.mask = {Mask::Drop, where.getCondition()};
        scores = where.getOnFalse();
      }
    }
  }
  scores = peelScale(scores, attention.scale);
  auto qk = scores.getDefiningOp<nn::MatMulOp>();
  if (!qk || !scores.hasOneUse())
    return std::nullopt;
  attention.query = peelScale(qk.getLhs(), attention.scale);
  attention.keyT = peelScale(qk.getRhs(), attention.scale);
  return attention;
}

std::optional<Attention> matchAttention(nn::MatMulOp output) {
  auto softmax = output.getLhs().getDefiningOp<nn::SoftmaxOp>();
  if (!softmax || !output.getLhs().hasOneUse())
    return std::nullopt;
  auto type = cast<RankedTensorType>(softmax.getType());
  int64_t axis = static_cast<int64_t>(softmax.getAxis());
  if (axis != -1 && axis != type.getRank() - 1)
    return std::nullopt;
  Attention attention;
  attention.output = output;
  attention.value = output.getRhs();
  std::optional<Attention> matched = matchScores(softmax.getInput(), attention);
  if (!matched)
    return std::nullopt;
  // Shapes: q [lead..., Sq, D], kT [lead..., D, Skv], v [lead..., Skv, Dv],
  // one f32 type, equal leading dims, rank 2 to 4.
  auto q = cast<RankedTensorType>(matched->query.getType());
  auto kT = cast<RankedTensorType>(matched->keyT.getType());
  auto v = cast<RankedTensorType>(matched->value.getType());
  int64_t rank = q.getRank();
  if (rank < 2 || rank > 4 || kT.getRank() != rank || v.getRank() != rank ||
      !q.getElementType().isF32() || !kT.getElementType().isF32() ||
      !v.getElementType().isF32())
    return std::nullopt;
  for (int64_t d = 0; d < rank - 2; ++d)
    if (q.isDynamicDim(d) || q.getDimSize(d) != kT.getDimSize(d) ||
        q.getDimSize(d) != v.getDimSize(d))
      return std::nullopt;
  if (ShapedType::isDynamic(v.getDimSize(rank - 1)))
    return std::nullopt;
  // The mask must broadcast to the scores, [lead..., Sq, Skv].
  if (matched->mask.kind != Mask::None) {
    auto maskType = dyn_cast<RankedTensorType>(matched->mask.tensor.getType());
    if (!maskType || maskType.getRank() > rank)
      return std::nullopt;
    bool additive = matched->mask.kind == Mask::Additive;
    if (additive ? !maskType.getElementType().isF32()
                 : !maskType.getElementType().isInteger(1))
      return std::nullopt;
  }
  return matched;
}

/// Whether the constant `mask` (additive, or boolean keep/drop) is the
/// causal triangle: pair (i, j) kept iff j <= i + (Skv - Sq), the same for
/// every leading index. Returns that offset.
std::optional<int64_t> causalOffset(const Mask &mask) {
  ElementsAttr attr;
  if (!matchPattern(mask.tensor, m_Constant(&attr)))
    return std::nullopt;
  auto type = cast<RankedTensorType>(attr.getType());
  if (type.getRank() < 2 || !type.hasStaticShape())
    return std::nullopt;
  int64_t rows = type.getDimSize(type.getRank() - 2);
  int64_t cols = type.getDimSize(type.getRank() - 1);
  int64_t count = type.getNumElements();
  if (rows < 1 || cols < 1)
    return std::nullopt;
  int64_t offset = cols - rows;
  // Constants may be dense elements or the importers' resource blobs.
  std::vector<bool> kept;
  if (mask.kind == Mask::Additive) {
    std::vector<float> values;
    if (failed(readF32Elements(attr, count, values)))
      return std::nullopt;
    for (float value : values) {
      if (value != 0 && value > kMaskedBelow)
        return std::nullopt;
      kept.push_back(value == 0);
    }
  } else {
    if (failed(readBoolElements(attr, count, kept)))
      return std::nullopt;
    if (mask.kind == Mask::Drop)
      kept.flip();
  }
  for (int64_t e = 0; e < count; ++e) {
    int64_t i = (e / cols) % rows, j = e % cols;
    if (kept[e] != (j <= i + offset))
      return std::nullopt;
  }
  return offset;
}

/// Builds `mask_mod(b, h, i, j) = j <= i + offset`.
void buildCausal(OpBuilder &b, attn::FlexOp flex, int64_t offset) {
  Block &block = flex.buildMaskMod(b);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(&block);
  Location loc = flex.getLoc();
  // Signed: with more queries than keys, i + offset may be negative.
  Value i =
      arith::IndexCastOp::create(b, loc, b.getI64Type(), block.getArgument(2));
  Value j =
      arith::IndexCastOp::create(b, loc, b.getI64Type(), block.getArgument(3));
  Value limit = arith::AddIOp::create(
      b, loc, i, arith::ConstantIntOp::create(b, loc, offset, 64));
  Value keep =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sle, j, limit);
  attn::YieldOp::create(b, loc, keep);
}

/// Builds the region that reads the captured mask (the op's only
/// capture): score_mod adds it, mask_mod keeps (or drops) on it. `rank` is
/// the rank of the scores; the mask's dims align to their end.
void buildCapturedMask(OpBuilder &b, attn::FlexOp flex, const Mask &mask,
                       int64_t rank) {
  bool additive = mask.kind == Mask::Additive;
  Block &block = additive ? flex.buildScoreMod(b) : flex.buildMaskMod(b);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(&block);
  Location loc = flex.getLoc();
  unsigned first = additive ? 1 : 0; // index of the b argument
  auto maskType = cast<RankedTensorType>(mask.tensor.getType());
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  SmallVector<Value> indices;
  for (int64_t d = 0; d < maskType.getRank(); ++d) {
    // Mask dim d is scores dim d + (rank - maskRank), which is attn index
    // (b, h, i, j) number that + (4 - rank).
    int64_t attnIndex = d + (rank - maskType.getRank()) + (4 - rank);
    indices.push_back(maskType.getDimSize(d) == 1
                          ? zero
                          : block.getArgument(first + attnIndex));
  }
  Value captured = block.getArguments().back();
  Value element = tensor::ExtractOp::create(b, loc, captured, indices);
  Value result;
  if (additive) {
    result = arith::AddFOp::create(b, loc, block.getArgument(0), element);
  } else if (mask.kind == Mask::Keep) {
    result = element;
  } else {
    result = arith::XOrIOp::create(b, loc, element,
                                   arith::ConstantIntOp::create(b, loc, 1, 1));
  }
  attn::YieldOp::create(b, loc, result);
}

/// Leading unit dims that make `v` 4-D.
Value toRank4(OpBuilder &b, Location loc, Value v) {
  int64_t rank = cast<RankedTensorType>(v.getType()).getRank();
  if (rank == 4)
    return v;
  SmallVector<int64_t> axes = llvm::to_vector(llvm::seq<int64_t>(0, 4 - rank));
  return nn::UnsqueezeOp::create(b, loc, v, b.getDenseI64ArrayAttr(axes));
}

void rewrite(const Attention &attention) {
  nn::MatMulOp output = attention.output;
  OpBuilder b(output);
  Location loc = output.getLoc();
  auto keyTType = cast<RankedTensorType>(attention.keyT.getType());
  int64_t rank = keyTType.getRank();
  SmallVector<int64_t> swap = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  std::swap(swap[rank - 1], swap[rank - 2]);
  Value key = nn::TransposeOp::create(b, loc, attention.keyT,
                                      b.getDenseI64ArrayAttr(swap));
  Value query = toRank4(b, loc, attention.query);
  key = toRank4(b, loc, key);
  Value value = toRank4(b, loc, attention.value);

  std::optional<int64_t> causal;
  if (attention.mask.kind != Mask::None)
    causal = causalOffset(attention.mask);
  SmallVector<Value> captures;
  if (attention.mask.kind != Mask::None && !causal)
    captures.push_back(attention.mask.tensor);

  auto resultType = cast<RankedTensorType>(output.getType());
  Type flexType = resultType;
  if (rank != 4) {
    SmallVector<int64_t> shape(4 - rank, 1);
    llvm::append_range(shape, resultType.getShape());
    flexType = RankedTensorType::get(shape, resultType.getElementType());
  }
  auto flex = attn::FlexOp::create(b, loc, flexType, Type(), query, key, value,
                                   captures, attention.scale);
  if (causal)
    buildCausal(b, flex, *causal);
  else if (attention.mask.kind != Mask::None)
    buildCapturedMask(b, flex, attention.mask, rank);

  Value result = flex.getOutput();
  if (rank != 4) {
    SmallVector<int64_t> axes =
        llvm::to_vector(llvm::seq<int64_t>(0, 4 - rank));
    result = nn::SqueezeOp::create(b, loc, resultType, result,
                                   b.getDenseI64ArrayAttr(axes));
  }
  output.replaceAllUsesWith(result);
  output.erase();
}

struct NNRecognizeAttentionPass final
    : graph::impl::NNRecognizeAttentionPassBase<NNRecognizeAttentionPass> {
  void runOnOperation() override {
    SmallVector<Attention> found;
    getOperation().walk([&](nn::MatMulOp op) {
      if (std::optional<Attention> attention = matchAttention(op))
        found.push_back(*attention);
    });
    for (const Attention &attention : found)
      rewrite(attention);
  }
};

} // namespace
