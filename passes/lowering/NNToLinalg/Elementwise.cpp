//===- Elementwise.cpp - nn elementwise ops to linalg.generic -------------===//
//
// Every elementwise nn op becomes one linalg.generic (numpy broadcasting
// through indexing maps, see buildElementwise); its body is the op's scalar
// formula, chosen per element type here. Half-precision floats compute the
// transcendental functions in f32, as libm has no f16/bf16 versions.
//
//===----------------------------------------------------------------------===//

#include "passes/lowering/NNToLinalg/Common.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"

using namespace mlir;
using namespace ddl;
using namespace ddl::lowering;

namespace {

/// Scalar arithmetic on one lowered element type, with the unsignedness
/// the lowered type no longer carries.
struct ScalarMath {
  OpBuilder &b;
  Location loc;
  bool isUnsigned = false;

  Value c(Type type, double v) { return scalarConstant(b, loc, type, v); }
  bool isFloat(Value v) { return isa<FloatType>(v.getType()); }

  Value add(Value x, Value y) {
    return isFloat(x) ? Value(arith::AddFOp::create(b, loc, x, y))
                      : Value(arith::AddIOp::create(b, loc, x, y));
  }
  Value sub(Value x, Value y) {
    return isFloat(x) ? Value(arith::SubFOp::create(b, loc, x, y))
                      : Value(arith::SubIOp::create(b, loc, x, y));
  }
  Value mul(Value x, Value y) {
    return isFloat(x) ? Value(arith::MulFOp::create(b, loc, x, y))
                      : Value(arith::MulIOp::create(b, loc, x, y));
  }
  Value div(Value x, Value y) {
    if (isFloat(x))
      return arith::DivFOp::create(b, loc, x, y);
    // Integer division by zero is undefined in ONNX; divide by one instead
    // so that the generated code cannot trap.
    Value zero = c(y.getType(), 0), one = c(y.getType(), 1);
    Value isZero =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, y, zero);
    Value safe = arith::SelectOp::create(b, loc, isZero, one, y);
    if (isUnsigned)
      return arith::DivUIOp::create(b, loc, x, safe);
    // INT_MIN / -1 overflows (and traps on x86): give INT_MIN.
    return arith::DivSIOp::create(b, loc, x, safeSignedDivisor(x, safe));
  }
  /// `y` with -1 replaced by 1 where x is INT_MIN (the result is then x,
  /// which is what the wrapping quotient is).
  Value safeSignedDivisor(Value x, Value y) {
    Type type = x.getType();
    Value minusOne = c(type, -1), one = c(type, 1);
    Value lowest = lowestValue(b, loc, type, false);
    Value overflow = arith::AndIOp::create(
        b, loc,
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, x, lowest),
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, y, minusOne));
    return arith::SelectOp::create(b, loc, overflow, one, y);
  }
  Value max(Value x, Value y) { return scalarMax(b, loc, x, y, isUnsigned); }
  Value min(Value x, Value y) { return scalarMin(b, loc, x, y, isUnsigned); }
  Value neg(Value x) {
    if (isFloat(x))
      return arith::NegFOp::create(b, loc, x);
    return arith::SubIOp::create(b, loc, c(x.getType(), 0), x);
  }
  Value cmp(arith::CmpFPredicate fp, arith::CmpIPredicate si,
            arith::CmpIPredicate ui, Value x, Value y) {
    if (isFloat(x))
      return arith::CmpFOp::create(b, loc, fp, x, y);
    return arith::CmpIOp::create(b, loc, isUnsigned ? ui : si, x, y);
  }
  Value select(Value cond, Value x, Value y) {
    return arith::SelectOp::create(b, loc, cond, x, y);
  }
  Value exp(Value x) { return math::ExpOp::create(b, loc, x); }
  Value log(Value x) { return math::LogOp::create(b, loc, x); }
  Value tanh(Value x) { return math::TanhOp::create(b, loc, x); }
  Value sigmoid(Value x) {
    Type t = x.getType();
    return arith::DivFOp::create(b, loc, c(t, 1), add(c(t, 1), exp(neg(x))));
  }
  /// log(1 + e^x), exact for large x where e^x overflows.
  Value softplus(Value x) {
    Type t = x.getType();
    Value absX = math::AbsFOp::create(b, loc, x);
    Value tail = math::Log1pOp::create(b, loc, exp(neg(absX)));
    return add(max(x, c(t, 0)), tail);
  }
};

/// Runs `fn` on `x` in f32 when `x` is a half-precision float, converting
/// back afterwards.
static Value inF32(OpBuilder &b, Location loc, Value x,
                   llvm::function_ref<Value(Value)> fn) {
  auto type = dyn_cast<FloatType>(x.getType());
  if (!type || type.getWidth() >= 32)
    return fn(x);
  Value wide = arith::ExtFOp::create(b, loc, b.getF32Type(), x);
  return arith::TruncFOp::create(b, loc, type, fn(wide));
}

//===----------------------------------------------------------------------===//
// Scalar formulas, one overload per op.
//===----------------------------------------------------------------------===//

template <typename MathOp>
static Value unaryMath(OpBuilder &b, Location loc, Value x) {
  return inF32(b, loc, x,
               [&](Value v) { return MathOp::create(b, loc, v).getResult(); });
}

#define DDL_MATH_UNARY(NNOp, MathOp)                                           \
  static Value scalarFormula(nn::NNOp, OpBuilder &b, Location loc,             \
                             ValueRange s) {                                   \
    return unaryMath<math::MathOp>(b, loc, s[0]);                              \
  }
DDL_MATH_UNARY(ExpOp, ExpOp)
DDL_MATH_UNARY(LogOp, LogOp)
DDL_MATH_UNARY(SqrtOp, SqrtOp)
DDL_MATH_UNARY(SinOp, SinOp)
DDL_MATH_UNARY(CosOp, CosOp)
DDL_MATH_UNARY(TanOp, TanOp)
DDL_MATH_UNARY(AsinOp, AsinOp)
DDL_MATH_UNARY(AcosOp, AcosOp)
DDL_MATH_UNARY(AtanOp, AtanOp)
DDL_MATH_UNARY(SinhOp, SinhOp)
DDL_MATH_UNARY(CoshOp, CoshOp)
DDL_MATH_UNARY(AsinhOp, AsinhOp)
DDL_MATH_UNARY(AcoshOp, AcoshOp)
DDL_MATH_UNARY(AtanhOp, AtanhOp)
DDL_MATH_UNARY(TanhOp, TanhOp)
DDL_MATH_UNARY(ErfOp, ErfOp)
DDL_MATH_UNARY(FloorOp, FloorOp)
DDL_MATH_UNARY(CeilOp, CeilOp)
DDL_MATH_UNARY(RoundOp, RoundEvenOp)
#undef DDL_MATH_UNARY

/// Formulas that need only ScalarMath on f32-or-wider floats.
#define DDL_FLOAT_UNARY(NNOp, body)                                            \
  static Value scalarFormula(nn::NNOp op, OpBuilder &b, Location loc,          \
                             ValueRange s) {                                   \
    (void)op;                                                                  \
    return inF32(b, loc, s[0], [&](Value x) -> Value {                         \
      ScalarMath m{b, loc};                                                    \
      Type t = x.getType();                                                    \
      (void)t;                                                                 \
      body                                                                     \
    });                                                                        \
  }
DDL_FLOAT_UNARY(ReciprocalOp, return m.div(m.c(t, 1), x);)
DDL_FLOAT_UNARY(SigmoidOp, return m.sigmoid(x);)
DDL_FLOAT_UNARY(SoftplusOp, return m.softplus(x);)
DDL_FLOAT_UNARY(SoftsignOp, {
  Value absX = math::AbsFOp::create(b, loc, x);
  return m.div(x, m.add(m.c(t, 1), absX));
})
DDL_FLOAT_UNARY(MishOp, return m.mul(x, m.tanh(m.softplus(x)));)
DDL_FLOAT_UNARY(SiluOp, return m.mul(x, m.sigmoid(x));)
DDL_FLOAT_UNARY(HardSwishOp, {
  Value relu6 = m.min(m.max(m.add(x, m.c(t, 3)), m.c(t, 0)), m.c(t, 6));
  return m.div(m.mul(x, relu6), m.c(t, 6));
})
DDL_FLOAT_UNARY(GeluOp, {
  Value half = m.mul(x, m.c(t, 0.5));
  if (op.getApproximate() == nn::GeluApproximation::Tanh) {
    Value cube = m.mul(m.mul(x, x), x);
    Value inner = m.mul(m.c(t, 0.7978845608028654),
                        m.add(x, m.mul(m.c(t, 0.044715), cube)));
    return m.mul(half, m.add(m.c(t, 1), m.tanh(inner)));
  }
  Value erf = math::ErfOp::create(b, loc, m.mul(x, m.c(t, 0.7071067811865476)));
  return m.mul(half, m.add(m.c(t, 1), erf));
})
DDL_FLOAT_UNARY(HardSigmoidOp, {
  Value y = m.add(m.mul(m.c(t, op.getAlpha().convertToDouble()), x),
                  m.c(t, op.getBeta().convertToDouble()));
  return m.min(m.max(y, m.c(t, 0)), m.c(t, 1));
})
DDL_FLOAT_UNARY(LeakyReluOp, {
  Value positive = m.cmp(arith::CmpFPredicate::OGE, {}, {}, x, m.c(t, 0));
  return m.select(positive, x,
                  m.mul(m.c(t, op.getAlpha().convertToDouble()), x));
})
DDL_FLOAT_UNARY(EluOp, {
  Value positive = m.cmp(arith::CmpFPredicate::OGE, {}, {}, x, m.c(t, 0));
  Value negative = m.mul(m.c(t, op.getAlpha().convertToDouble()),
                         math::ExpM1Op::create(b, loc, x));
  return m.select(positive, x, negative);
})
DDL_FLOAT_UNARY(CeluOp, {
  Value alpha = m.c(t, op.getAlpha().convertToDouble());
  Value negative = m.mul(alpha, math::ExpM1Op::create(b, loc, m.div(x, alpha)));
  return m.add(m.max(x, m.c(t, 0)), m.min(negative, m.c(t, 0)));
})
DDL_FLOAT_UNARY(SeluOp, {
  Value positive = m.cmp(arith::CmpFPredicate::OGT, {}, {}, x, m.c(t, 0));
  Value negative = m.mul(m.c(t, op.getAlpha().convertToDouble()),
                         m.sub(m.exp(x), m.c(t, 1)));
  return m.mul(m.c(t, op.getGamma().convertToDouble()),
               m.select(positive, x, negative));
})
DDL_FLOAT_UNARY(ThresholdedReluOp, {
  Value above = m.cmp(arith::CmpFPredicate::OGT, {}, {}, x,
                      m.c(t, op.getAlpha().convertToDouble()));
  return m.select(above, x, m.c(t, 0));
})
#undef DDL_FLOAT_UNARY

static Value scalarFormula(nn::AbsOp op, OpBuilder &b, Location loc,
                           ValueRange s) {
  if (isa<FloatType>(s[0].getType()))
    return math::AbsFOp::create(b, loc, s[0]);
  if (isUnsignedInteger(op.getType()))
    return s[0];
  return math::AbsIOp::create(b, loc, s[0]);
}

static Value scalarFormula(nn::NegOp, OpBuilder &b, Location loc,
                           ValueRange s) {
  return ScalarMath{b, loc}.neg(s[0]);
}

static Value scalarFormula(nn::SignOp op, OpBuilder &b, Location loc,
                           ValueRange s) {
  ScalarMath m{b, loc, isUnsignedInteger(op.getType())};
  Type t = s[0].getType();
  Value zero = m.c(t, 0);
  Value positive = m.cmp(arith::CmpFPredicate::OGT, arith::CmpIPredicate::sgt,
                         arith::CmpIPredicate::ugt, s[0], zero);
  Value negative = m.cmp(arith::CmpFPredicate::OLT, arith::CmpIPredicate::slt,
                         arith::CmpIPredicate::ult, s[0], zero);
  // NaN stays NaN (neither branch), as in numpy.
  Value result =
      m.select(positive, m.c(t, 1), m.select(negative, m.c(t, -1), zero));
  if (m.isFloat(s[0])) {
    Value isNan =
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, s[0], s[0]);
    result = m.select(isNan, s[0], result);
  }
  return result;
}

static Value scalarFormula(nn::ReluOp op, OpBuilder &b, Location loc,
                           ValueRange s) {
  ScalarMath m{b, loc, isUnsignedInteger(op.getType())};
  return m.max(s[0], m.c(s[0].getType(), 0));
}

static Value scalarFormula(nn::BitwiseNotOp, OpBuilder &b, Location loc,
                           ValueRange s) {
  return arith::XOrIOp::create(b, loc, s[0],
                               scalarConstant(b, loc, s[0].getType(), -1));
}

static Value scalarFormula(nn::NotOp, OpBuilder &b, Location loc,
                           ValueRange s) {
  return arith::XOrIOp::create(b, loc, s[0],
                               scalarConstant(b, loc, s[0].getType(), 1));
}

static Value scalarFormula(nn::IdentityOp, OpBuilder &, Location,
                           ValueRange s) {
  return s[0];
}

static Value scalarFormula(nn::IsNanOp, OpBuilder &b, Location loc,
                           ValueRange s) {
  return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, s[0], s[0]);
}

static Value scalarFormula(nn::IsInfOp op, OpBuilder &b, Location loc,
                           ValueRange s) {
  Type t = s[0].getType();
  Value result = scalarConstant(b, loc, b.getI1Type(), 0);
  auto floatType = cast<FloatType>(t);
  for (bool negative : {false, true}) {
    if (negative ? !op.getDetectNegative() : !op.getDetectPositive())
      continue;
    Value inf = arith::ConstantOp::create(
        b, loc,
        b.getFloatAttr(floatType, APFloat::getInf(floatType.getFloatSemantics(),
                                                  negative)));
    Value eq =
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, s[0], inf);
    result = arith::OrIOp::create(b, loc, result, eq);
  }
  return result;
}

static Value scalarFormula(nn::ClipOp op, OpBuilder &b, Location loc,
                           ValueRange s) {
  ScalarMath m{b, loc, isUnsignedInteger(op.getType())};
  Value x = s[0];
  unsigned next = 1;
  // ONNX Clip: max(min_value, ...) then min(max_value, ...); NaN inputs
  // stay NaN (maximumf/minimumf propagate it).
  if (op.getMin())
    x = m.max(x, s[next++]);
  if (op.getMax())
    x = m.min(x, s[next++]);
  return x;
}

static Value scalarFormula(nn::CastOp op, OpBuilder &b, Location loc,
                           ValueRange s) {
  Type to = lowerElementType(op.getType().getElementType());
  return convertScalar(b, loc, s[0], to,
                       isUnsignedInteger(op.getInput().getType()),
                       isUnsignedInteger(op.getType()));
}

#define DDL_ARITH_BINARY(NNOp, method)                                         \
  static Value scalarFormula(nn::NNOp op, OpBuilder &b, Location loc,          \
                             ValueRange s) {                                   \
    ScalarMath m{b, loc, isUnsignedInteger(op.getLhs().getType())};            \
    return m.method(s[0], s[1]);                                               \
  }
DDL_ARITH_BINARY(AddOp, add)
DDL_ARITH_BINARY(SubOp, sub)
DDL_ARITH_BINARY(MulOp, mul)
DDL_ARITH_BINARY(DivOp, div)
DDL_ARITH_BINARY(MinOp, min)
DDL_ARITH_BINARY(MaxOp, max)
#undef DDL_ARITH_BINARY

static Value scalarFormula(nn::ModOp op, OpBuilder &b, Location loc,
                           ValueRange s) {
  bool isUnsigned = isUnsignedInteger(op.getLhs().getType());
  ScalarMath m{b, loc, isUnsigned};
  Value x = s[0], y = s[1];
  Type t = x.getType();
  if (m.isFloat(x)) {
    Value rem = arith::RemFOp::create(b, loc, x, y);
    if (op.getFmod())
      return rem;
    // Python-style: a nonzero remainder takes the divisor's sign.
    Value zero = m.c(t, 0);
    Value remNeg = m.cmp(arith::CmpFPredicate::OLT, {}, {}, rem, zero);
    Value divNeg = m.cmp(arith::CmpFPredicate::OLT, {}, {}, y, zero);
    Value nonZero = m.cmp(arith::CmpFPredicate::ONE, {}, {}, rem, zero);
    Value differ = arith::XOrIOp::create(b, loc, remNeg, divNeg);
    Value fix = arith::AndIOp::create(b, loc, differ, nonZero);
    return m.select(fix, m.add(rem, y), rem);
  }
  Value zero = m.c(t, 0), one = m.c(t, 1);
  Value isZero =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, y, zero);
  Value safe = m.select(isZero, one, y);
  if (isUnsigned)
    return arith::RemUIOp::create(b, loc, x, safe);
  safe = m.safeSignedDivisor(x, safe);
  Value rem = arith::RemSIOp::create(b, loc, x, safe);
  if (op.getFmod())
    return rem;
  Value remNeg =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, rem, zero);
  Value divNeg =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, safe, zero);
  Value nonZero =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, rem, zero);
  Value differ = arith::XOrIOp::create(b, loc, remNeg, divNeg);
  Value fix = arith::AndIOp::create(b, loc, differ, nonZero);
  return m.select(fix, m.add(rem, safe), rem);
}

static Value scalarFormula(nn::PowOp op, OpBuilder &b, Location loc,
                           ValueRange s) {
  Value base = s[0], exponent = s[1];
  Type baseType = base.getType();
  if (isa<FloatType>(baseType)) {
    Value e = convertScalar(b, loc, exponent, baseType,
                            isUnsignedInteger(op.getRhs().getType()), false);
    return inF32(b, loc, base, [&](Value x) -> Value {
      Value ex = convertScalar(b, loc, e, x.getType(), false, false);
      return math::PowFOp::create(b, loc, x, ex);
    });
  }
  // Integer base: a float exponent computes in f64 and truncates (ONNX);
  // an integer exponent uses exact integer powers.
  if (isa<FloatType>(exponent.getType())) {
    bool isUnsigned = isUnsignedInteger(op.getLhs().getType());
    Value x = convertScalar(b, loc, base, b.getF64Type(), isUnsigned, false);
    Value e = convertScalar(b, loc, exponent, b.getF64Type(), false, false);
    Value p = math::PowFOp::create(b, loc, x, e);
    return convertScalar(b, loc, p, baseType, false, isUnsigned);
  }
  Value e = convertScalar(b, loc, exponent, baseType,
                          isUnsignedInteger(op.getRhs().getType()), false);
  return math::IPowIOp::create(b, loc, base, e);
}

static Value scalarFormula(nn::PReluOp, OpBuilder &b, Location loc,
                           ValueRange s) {
  ScalarMath m{b, loc};
  Value positive =
      m.cmp(arith::CmpFPredicate::OGE, {}, {}, s[0], m.c(s[0].getType(), 0));
  return m.select(positive, s[0], m.mul(s[1], s[0]));
}

static Value scalarFormula(nn::AndOp, OpBuilder &b, Location loc,
                           ValueRange s) {
  return arith::AndIOp::create(b, loc, s[0], s[1]);
}
static Value scalarFormula(nn::OrOp, OpBuilder &b, Location loc, ValueRange s) {
  return arith::OrIOp::create(b, loc, s[0], s[1]);
}
static Value scalarFormula(nn::XorOp, OpBuilder &b, Location loc,
                           ValueRange s) {
  return arith::XOrIOp::create(b, loc, s[0], s[1]);
}
static Value scalarFormula(nn::BitwiseAndOp, OpBuilder &b, Location loc,
                           ValueRange s) {
  return arith::AndIOp::create(b, loc, s[0], s[1]);
}
static Value scalarFormula(nn::BitwiseOrOp, OpBuilder &b, Location loc,
                           ValueRange s) {
  return arith::OrIOp::create(b, loc, s[0], s[1]);
}
static Value scalarFormula(nn::BitwiseXorOp, OpBuilder &b, Location loc,
                           ValueRange s) {
  return arith::XOrIOp::create(b, loc, s[0], s[1]);
}

static Value scalarFormula(nn::BitShiftOp op, OpBuilder &b, Location loc,
                           ValueRange s) {
  Type t = s[0].getType();
  unsigned width = t.getIntOrFloatBitWidth();
  // Shifting by the width or more gives 0 (LLVM would give poison).
  Value tooFar = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::uge, s[1],
                                       scalarConstant(b, loc, t, width));
  Value shifted = op.getDirection() == nn::ShiftDirection::Left
                      ? Value(arith::ShLIOp::create(b, loc, s[0], s[1]))
                      : Value(arith::ShRUIOp::create(b, loc, s[0], s[1]));
  return arith::SelectOp::create(b, loc, tooFar, scalarConstant(b, loc, t, 0),
                                 shifted);
}

#define DDL_COMPARE(NNOp, fp, si, ui)                                          \
  static Value scalarFormula(nn::NNOp op, OpBuilder &b, Location loc,          \
                             ValueRange s) {                                   \
    ScalarMath m{b, loc,                                                       \
                 isUnsignedInteger(op.getLhs().getType()) ||                   \
                     s[0].getType().isInteger(1)};                             \
    return m.cmp(arith::CmpFPredicate::fp, arith::CmpIPredicate::si,           \
                 arith::CmpIPredicate::ui, s[0], s[1]);                        \
  }
DDL_COMPARE(EqualOp, OEQ, eq, eq)
DDL_COMPARE(LessOp, OLT, slt, ult)
DDL_COMPARE(LessEqualOp, OLE, sle, ule)
DDL_COMPARE(GreaterOp, OGT, sgt, ugt)
DDL_COMPARE(GreaterEqualOp, OGE, sge, uge)
#undef DDL_COMPARE

static Value scalarFormula(nn::WhereOp, OpBuilder &b, Location loc,
                           ValueRange s) {
  return arith::SelectOp::create(b, loc, s[0], s[1], s[2]);
}

//===----------------------------------------------------------------------===//
// Patterns
//===----------------------------------------------------------------------===//

/// Any elementwise op: one linalg.generic over the broadcast result shape.
template <typename OpT> struct LowerElementwise final : OpRewritePattern<OpT> {
  using OpRewritePattern<OpT>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpT op,
                                PatternRewriter &rewriter) const override {
    FailureOr<SmallVector<OpFoldResult>> sizes = reifyResultSizes(rewriter, op);
    if (failed(sizes))
      return failure();
    Value result = buildElementwise(
        rewriter, op.getLoc(), op->getOperands(), *sizes, op.getType(),
        [&](OpBuilder &b, Location loc, ValueRange scalars) {
          return scalarFormula(op, b, loc, scalars);
        });
    replaceWithLowered(rewriter, op, result);
    return success();
  }
};

/// nn.constant -> arith.constant of the lowered type (resource blobs are
/// shared, not copied).
struct LowerConstant final : OpRewritePattern<nn::ConstantOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::ConstantOp op,
                                PatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(lowerType(op.getType()));
    TypedAttr value = retypedConstant(op.getValue(), type);
    if (!value)
      return rewriter.notifyMatchFailure(op, "unsupported constant attribute");
    Value result = arith::ConstantOp::create(rewriter, op.getLoc(), value);
    replaceWithLowered(rewriter, op, result);
    return success();
  }
};

} // namespace

void ddl::lowering::populateElementwisePatterns(RewritePatternSet &patterns) {
  patterns.add<
      LowerElementwise<nn::ExpOp>, LowerElementwise<nn::LogOp>,
      LowerElementwise<nn::SqrtOp>, LowerElementwise<nn::ReciprocalOp>,
      LowerElementwise<nn::SinOp>, LowerElementwise<nn::CosOp>,
      LowerElementwise<nn::TanOp>, LowerElementwise<nn::AsinOp>,
      LowerElementwise<nn::AcosOp>, LowerElementwise<nn::AtanOp>,
      LowerElementwise<nn::SinhOp>, LowerElementwise<nn::CoshOp>,
      LowerElementwise<nn::AsinhOp>, LowerElementwise<nn::AcoshOp>,
      LowerElementwise<nn::AtanhOp>, LowerElementwise<nn::TanhOp>,
      LowerElementwise<nn::SigmoidOp>, LowerElementwise<nn::ErfOp>,
      LowerElementwise<nn::FloorOp>, LowerElementwise<nn::CeilOp>,
      LowerElementwise<nn::RoundOp>, LowerElementwise<nn::SoftplusOp>,
      LowerElementwise<nn::SoftsignOp>, LowerElementwise<nn::MishOp>,
      LowerElementwise<nn::SiluOp>, LowerElementwise<nn::HardSwishOp>,
      LowerElementwise<nn::GeluOp>, LowerElementwise<nn::HardSigmoidOp>,
      LowerElementwise<nn::LeakyReluOp>, LowerElementwise<nn::EluOp>,
      LowerElementwise<nn::CeluOp>, LowerElementwise<nn::SeluOp>,
      LowerElementwise<nn::ThresholdedReluOp>, LowerElementwise<nn::AbsOp>,
      LowerElementwise<nn::NegOp>, LowerElementwise<nn::SignOp>,
      LowerElementwise<nn::ReluOp>, LowerElementwise<nn::BitwiseNotOp>,
      LowerElementwise<nn::NotOp>, LowerElementwise<nn::IdentityOp>,
      LowerElementwise<nn::IsNanOp>, LowerElementwise<nn::IsInfOp>,
      LowerElementwise<nn::ClipOp>, LowerElementwise<nn::CastOp>,
      LowerElementwise<nn::AddOp>, LowerElementwise<nn::SubOp>,
      LowerElementwise<nn::MulOp>, LowerElementwise<nn::DivOp>,
      LowerElementwise<nn::MinOp>, LowerElementwise<nn::MaxOp>,
      LowerElementwise<nn::ModOp>, LowerElementwise<nn::PowOp>,
      LowerElementwise<nn::PReluOp>, LowerElementwise<nn::AndOp>,
      LowerElementwise<nn::OrOp>, LowerElementwise<nn::XorOp>,
      LowerElementwise<nn::BitwiseAndOp>, LowerElementwise<nn::BitwiseOrOp>,
      LowerElementwise<nn::BitwiseXorOp>, LowerElementwise<nn::BitShiftOp>,
      LowerElementwise<nn::EqualOp>, LowerElementwise<nn::LessOp>,
      LowerElementwise<nn::LessEqualOp>, LowerElementwise<nn::GreaterOp>,
      LowerElementwise<nn::GreaterEqualOp>, LowerElementwise<nn::WhereOp>,
      LowerConstant>(patterns.getContext());
}
