//===- AttnDialect.cpp - attention template dialect -----------------------===//
//
// Registration, builders and verifiers of attn.flex.
//
//===----------------------------------------------------------------------===//

#include "dialects/attn/AttnDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpImplementation.h"

#include <cmath>

using namespace mlir;
using namespace ddl::attn;

#include "dialects/attn/AttnDialect.cpp.inc"

void AttnDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialects/attn/AttnOps.cpp.inc"
      >();
}

#define GET_OP_CLASSES
#include "dialects/attn/AttnOps.cpp.inc"

void FlexOp::build(OpBuilder &builder, OperationState &state, Type output,
                   Type lse, Value query, Value key, Value value,
                   ValueRange captures, double scale) {
  state.addOperands({query, key, value});
  state.addOperands(captures);
  state.addAttribute(getScaleAttrName(state.name),
                     builder.getF64FloatAttr(scale));
  state.addTypes(output);
  if (lse)
    state.addTypes(lse);
  state.addRegion();
  state.addRegion();
}

/// Creates the single block of `region` with `leading` arguments followed
/// by one per captured tensor.
static Block &createModBlock(OpBuilder &builder, FlexOp op, Region &region,
                             SmallVector<Type> leading) {
  for (Value capture : op.getCaptures())
    leading.push_back(capture.getType());
  SmallVector<Location> locs(leading.size(), op.getLoc());
  OpBuilder::InsertionGuard guard(builder);
  return *builder.createBlock(&region, region.end(), leading, locs);
}

Block &FlexOp::buildScoreMod(OpBuilder &builder) {
  SmallVector<Type> leading = {builder.getF32Type()};
  leading.append(kNumIndices, builder.getIndexType());
  return createModBlock(builder, *this, getScoreMod(), leading);
}

Block &FlexOp::buildMaskMod(OpBuilder &builder) {
  SmallVector<Type> leading(kNumIndices, builder.getIndexType());
  return createModBlock(builder, *this, getMaskMod(), leading);
}

bool FlexOp::maskReadsOnlyIndices() {
  if (!hasMaskMod())
    return true;
  Block &block = getMaskMod().front();
  for (BlockArgument arg : block.getArguments().drop_front(kNumIndices))
    if (!arg.use_empty())
      return false;
  return true;
}

//===----------------------------------------------------------------------===//
// Verifiers
//===----------------------------------------------------------------------===//

/// Whether two static-or-dynamic sizes may be equal.
static bool compatible(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b;
}

static std::string dimString(int64_t size) {
  return ShapedType::isDynamic(size) ? "?" : std::to_string(size);
}

LogicalResult FlexOp::verify() {
  auto query = cast<RankedTensorType>(getQuery().getType());
  auto key = cast<RankedTensorType>(getKey().getType());
  auto value = cast<RankedTensorType>(getValue().getType());
  for (auto [name, type] :
       {std::pair<StringRef, RankedTensorType>{"query", query},
        {"key", key},
        {"value", value}})
    if (type.getRank() != 4)
      return emitOpError() << name
                           << " must be 4-D [batch, heads, sequence, head "
                              "dim], got rank "
                           << type.getRank();
  Type element = query.getElementType();
  if (!element.isF32() && !element.isF16() && !element.isBF16())
    return emitOpError("query must be f32, f16 or bf16, got ") << element;
  if (key.getElementType() != element || value.getElementType() != element)
    return emitOpError("query, key and value must have one element type, got ")
           << element << ", " << key.getElementType() << " and "
           << value.getElementType();
  ArrayRef<int64_t> q = query.getShape(), k = key.getShape(),
                    v = value.getShape();
  if (!compatible(q[0], k[0]) || !compatible(k[0], v[0]))
    return emitOpError("query, key and value must have one batch size, got ")
           << dimString(q[0]) << ", " << dimString(k[0]) << " and "
           << dimString(v[0]);
  if (!compatible(k[1], v[1]))
    return emitOpError("key and value must have one number of heads, got ")
           << dimString(k[1]) << " and " << dimString(v[1]);
  if (!ShapedType::isDynamic(q[1]) && !ShapedType::isDynamic(k[1]) &&
      (k[1] == 0 || q[1] % k[1] != 0))
    return emitOpError("query heads (")
           << q[1] << ") must be a multiple of key/value heads (" << k[1]
           << ") for grouped-query attention";
  if (!compatible(k[2], v[2]))
    return emitOpError("key and value must have one sequence length, got ")
           << dimString(k[2]) << " and " << dimString(v[2]);
  if (!compatible(q[3], k[3]))
    return emitOpError("query and key must have one head dim, got ")
           << dimString(q[3]) << " and " << dimString(k[3]);
  double scale = getScale().convertToDouble();
  if (!std::isfinite(scale))
    return emitOpError("scale must be finite");

  auto output = cast<RankedTensorType>(getOutput().getType());
  SmallVector<int64_t> expected = {q[0], q[1], q[2], v[3]};
  if (output.getRank() != 4 || output.getElementType() != element ||
      !llvm::all_of(llvm::seq<unsigned>(0, 4), [&](unsigned d) {
        return compatible(output.getDimSize(d), expected[d]);
      }))
    return emitOpError("result must be [batch, query heads, query length, "
                       "value head dim] = [")
           << dimString(q[0]) << ", " << dimString(q[1]) << ", "
           << dimString(q[2]) << ", " << dimString(v[3]) << "] of " << element
           << ", got " << output;
  if (Value lse = getLse()) {
    auto lseType = cast<RankedTensorType>(lse.getType());
    if (lseType.getRank() != 3 || !lseType.getElementType().isF32() ||
        !llvm::all_of(llvm::seq<unsigned>(0, 3), [&](unsigned d) {
          return compatible(lseType.getDimSize(d), expected[d]);
        }))
      return emitOpError("log-sum-exp result must be [batch, query heads, "
                         "query length] of f32, got ")
             << lseType;
  }
  return success();
}

/// Checks one region: its arguments (`leading` then one per capture), its
/// operations (scalar arith and math, tensor.extract of a captured tensor)
/// and its attn.yield of one `yielded` value.
static LogicalResult verifyMod(FlexOp op, Region &region, StringRef name,
                               ArrayRef<Type> leading, Type yielded,
                               StringRef signature) {
  if (region.empty())
    return success();
  Block &block = region.front();
  SmallVector<Type> expected(leading);
  for (Value capture : op.getCaptures())
    expected.push_back(capture.getType());
  if (block.getArgumentTypes() != ArrayRef<Type>(expected))
    return op.emitOpError() << name << " must take " << signature
                            << " and then one argument per captured tensor "
                               "of its type";
  for (Operation &nested : block) {
    if (auto yield = dyn_cast<YieldOp>(nested)) {
      if (yield.getValues().size() != 1 ||
          yield.getValues()[0].getType() != yielded)
        return yield.emitOpError()
               << "in " << name << " must yield one " << yielded;
      continue;
    }
    if (auto extract = dyn_cast<tensor::ExtractOp>(nested)) {
      auto source = dyn_cast<BlockArgument>(extract.getTensor());
      if (!source || source.getOwner() != &block ||
          source.getArgNumber() < leading.size())
        return extract.emitOpError()
               << "in " << name << " may only read a captured tensor";
      continue;
    }
    Dialect *dialect = nested.getDialect();
    bool scalar = llvm::all_of(nested.getResultTypes(),
                               [](Type t) { return t.isIntOrIndexOrFloat(); });
    if (!dialect || !isa<arith::ArithDialect, math::MathDialect>(dialect) ||
        nested.getNumRegions() != 0 || !scalar)
      return nested.emitOpError()
             << "is not allowed in " << name
             << ": only scalar arith and math operations and tensor.extract "
                "of a captured tensor are";
  }
  if (block.empty() || !isa<YieldOp>(block.back()))
    return op.emitOpError() << name << " must end in attn.yield";
  return success();
}

LogicalResult FlexOp::verifyRegions() {
  Builder b(getContext());
  Type index = b.getIndexType();
  SmallVector<Type> indices(kNumIndices, index);
  SmallVector<Type> scoreArgs = {b.getF32Type()};
  scoreArgs.append(indices);
  if (failed(verifyMod(*this, getScoreMod(), "score_mod", scoreArgs,
                       b.getF32Type(),
                       "(score: f32, b, h, q_idx, kv_idx: index)")))
    return failure();
  return verifyMod(*this, getMaskMod(), "mask_mod", indices, b.getI1Type(),
                   "(b, h, q_idx, kv_idx: index)");
}
