//===- StringCasts.cpp - strings to numbers and back, element by element --===//
//
// See StringCasts.h. Both directions are plain arith / math / scf inside a
// linalg.generic, so they lower with everything else; powers of ten come
// from a table of correctly rounded doubles (10^0 .. 10^22 are exact), not
// from pow, which ddl may approximate.
//
//===----------------------------------------------------------------------===//

#include "passes/graph/StringCasts.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>

using namespace mlir;

namespace ddl::graph {

namespace {

/// The largest power of ten in the table (beyond 308 the entries are inf).
constexpr int64_t kMaxPower = 330;

/// An empty tensor of `source`'s shape (plus `extra` trailing sizes).
Value emptyLike(OpBuilder &b, Location loc, Value source, Type element,
                ArrayRef<int64_t> extra = {}) {
  auto type = cast<RankedTensorType>(source.getType());
  SmallVector<OpFoldResult> sizes;
  for (int64_t d = 0; d < type.getRank(); ++d)
    sizes.push_back(
        type.isDynamicDim(d)
            ? OpFoldResult(tensor::DimOp::create(b, loc, source, d).getResult())
            : OpFoldResult(b.getIndexAttr(type.getDimSize(d))));
  for (int64_t e : extra)
    sizes.push_back(b.getIndexAttr(e));
  return tensor::EmptyOp::create(b, loc, sizes, element);
}

/// 10^k for k in [0, kMaxPower], correctly rounded.
Value powersOfTen(OpBuilder &b, Location loc) {
  SmallVector<double> powers;
  for (int64_t k = 0; k <= kMaxPower; ++k)
    powers.push_back(std::strtod(("1e" + std::to_string(k)).c_str(), nullptr));
  auto type = RankedTensorType::get({kMaxPower + 1}, b.getF64Type());
  return arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(type, ArrayRef<double>(powers)));
}

/// Scalar arith helpers at one builder and location.
struct Scalars {
  OpBuilder &b;
  Location loc;
  Value table;

  Value i64(int64_t v) {
    return arith::ConstantIntOp::create(b, loc, b.getI64Type(), v);
  }
  Value i1(bool v) {
    return arith::ConstantIntOp::create(b, loc, b.getI1Type(), v);
  }
  Value f64(double v) {
    return arith::ConstantOp::create(b, loc, b.getF64FloatAttr(v));
  }
  Value cmp(arith::CmpIPredicate p, Value x, Value y) {
    return arith::CmpIOp::create(b, loc, p, x, y);
  }
  Value eq(Value x, int64_t v) {
    return cmp(arith::CmpIPredicate::eq, x, i64(v));
  }
  Value between(Value x, int64_t lo, int64_t hi) {
    return land(cmp(arith::CmpIPredicate::sge, x, i64(lo)),
                cmp(arith::CmpIPredicate::sle, x, i64(hi)));
  }
  Value land(Value x, Value y) { return arith::AndIOp::create(b, loc, x, y); }
  Value lor(Value x, Value y) { return arith::OrIOp::create(b, loc, x, y); }
  Value lnot(Value x) { return arith::XOrIOp::create(b, loc, x, i1(true)); }
  Value sel(Value c, Value x, Value y) {
    return arith::SelectOp::create(b, loc, c, x, y);
  }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value sub(Value x, Value y) { return arith::SubIOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return arith::MulIOp::create(b, loc, x, y); }
  Value div(Value x, Value y) { return arith::DivSIOp::create(b, loc, x, y); }
  Value rem(Value x, Value y) { return arith::RemSIOp::create(b, loc, x, y); }
  Value min(Value x, Value y) { return arith::MinSIOp::create(b, loc, x, y); }
  Value max(Value x, Value y) { return arith::MaxSIOp::create(b, loc, x, y); }
  Value count(Value flag) {
    return arith::ExtUIOp::create(b, loc, b.getI64Type(), flag);
  }
  /// 10^k (k >= 0, i64) as f64, from the table.
  Value pow10(Value k) {
    Value index = arith::IndexCastOp::create(
        b, loc, b.getIndexType(), min(max(k, i64(0)), i64(kMaxPower)));
    return tensor::ExtractOp::create(b, loc, table, ValueRange{index});
  }
  /// v * 10^k for any i64 k: one multiplication, or a division for k < 0
  /// (exact operands, as for |k| <= 22, give a correctly rounded result);
  /// two steps beyond 10^300, so that subnormals and the largest doubles
  /// scale without overflowing.
  Value scaleOnce(Value v, Value k) {
    Value negative = cmp(arith::CmpIPredicate::slt, k, i64(0));
    Value up = arith::MulFOp::create(b, loc, v, pow10(k));
    Value down = arith::DivFOp::create(b, loc, v, pow10(sub(i64(0), k)));
    return sel(negative, down, up);
  }
  Value scale(Value v, Value k) {
    Value half = div(k, i64(2));
    Value twice = scaleOnce(scaleOnce(v, half), sub(k, half));
    Value far = lor(cmp(arith::CmpIPredicate::sgt, k, i64(300)),
                    cmp(arith::CmpIPredicate::slt, k, i64(-300)));
    return sel(far, twice, scaleOnce(v, k));
  }
};

/// A polynomial hash of lower-case letters, as the parser computes it.
int64_t wordHash(StringRef word) {
  uint64_t h = 0;
  for (char c : word)
    h = h * 31 + uint64_t(c);
  return static_cast<int64_t>(h);
}

} // namespace

std::pair<Value, Value> parseNumbers(OpBuilder &b, Location loc, Value lengths,
                                     Value offsets, Value bytes,
                                     Type elementType) {
  auto type = cast<RankedTensorType>(lengths.getType());
  int64_t rank = type.getRank();
  Value table = powersOfTen(b, loc);
  Value outValues = emptyLike(b, loc, lengths, elementType);
  Value outOk = emptyLike(b, loc, lengths, b.getI1Type());
  AffineMap id = b.getMultiDimIdentityMap(rank);
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{outValues.getType(), outOk.getType()},
      ValueRange{lengths, offsets}, ValueRange{outValues, outOk},
      SmallVector<AffineMap>(4, id), iterators,
      [&](OpBuilder &nb, Location l, ValueRange args) {
        Scalars s{nb, l, table};
        Value len = args[0], start = args[1];
        // State: neg, mant, exp10, digits, dot, inExp, expNeg, expVal,
        // expDigits, bad, started, hash, letters, ended, expSign.
        SmallVector<Value> init = {
            s.i1(false), s.i64(0),    s.i64(0), s.i64(0),    s.i1(false),
            s.i1(false), s.i1(false), s.i64(0), s.i64(0),    s.i1(false),
            s.i1(false), s.i64(0),    s.i64(0), s.i1(false), s.i1(false)};
        Value lb = arith::ConstantIndexOp::create(nb, l, 0);
        Value ub = arith::IndexCastOp::create(nb, l, nb.getIndexType(), len);
        Value step = arith::ConstantIndexOp::create(nb, l, 1);
        auto loop = scf::ForOp::create(
            nb, l, lb, ub, step, init,
            [&](OpBuilder &fb, Location fl, Value k, ValueRange st) {
              Scalars f{fb, fl, table};
              Value at = arith::AddIOp::create(
                  fb, fl,
                  arith::IndexCastOp::create(fb, fl, fb.getIndexType(), start),
                  k);
              Value byte =
                  tensor::ExtractOp::create(fb, fl, bytes, ValueRange{at});
              Value c = arith::ExtUIOp::create(fb, fl, fb.getI64Type(), byte);
              Value neg = st[0], mant = st[1], exp10 = st[2], digits = st[3],
                    dot = st[4], inExp = st[5], expNeg = st[6], expVal = st[7],
                    expDigits = st[8], bad = st[9], started = st[10],
                    hash = st[11], letters = st[12], ended = st[13],
                    expSign = st[14];
              Value isSpace = f.lor(f.lor(f.eq(c, ' '), f.eq(c, '\t')),
                                    f.lor(f.eq(c, '\n'), f.eq(c, '\r')));
              Value content = f.lnot(isSpace);
              Value isDigit = f.between(c, '0', '9');
              Value isSign = f.lor(f.eq(c, '+'), f.eq(c, '-'));
              Value isDot = f.eq(c, '.');
              Value lower = arith::OrIOp::create(fb, fl, c, f.i64(32));
              Value isLetter = f.between(lower, 'a', 'z');
              Value hasDigits =
                  f.cmp(arith::CmpIPredicate::sgt, digits, f.i64(0));
              Value hasLetters =
                  f.cmp(arith::CmpIPredicate::sgt, letters, f.i64(0));
              Value isE = f.land(f.land(f.eq(lower, 'e'), hasDigits),
                                 f.land(f.lnot(inExp), f.lnot(hasLetters)));
              Value letter = f.land(isLetter, f.lnot(isE));
              Value firstSign = f.land(isSign, f.lnot(started));
              Value expSignOk =
                  f.land(f.land(inExp, f.eq(expDigits, 0)), f.lnot(expSign));
              Value known =
                  f.lor(f.lor(isDigit, isSign), f.lor(isDot, isLetter));
              Value newBad = f.lor(
                  f.lor(bad, f.land(content, ended)),
                  f.lor(
                      f.lor(
                          f.land(isSign,
                                 f.lnot(f.lor(firstSign,
                                              f.land(isSign, expSignOk)))),
                          f.land(isDot, f.lor(f.lor(dot, inExp), hasLetters))),
                      f.lor(f.land(letter, f.lor(f.lor(hasDigits, dot), inExp)),
                            f.land(content, f.lnot(known)))));
              Value d = f.sub(c, f.i64('0'));
              Value mantDigit = f.land(isDigit, f.lnot(inExp));
              Value room = f.cmp(arith::CmpIPredicate::slt, mant,
                                 f.i64(100000000000000000LL));
              Value take = f.land(mantDigit, room);
              Value newMant =
                  f.sel(take, f.add(f.mul(mant, f.i64(10)), d), mant);
              Value newExp10 = f.sub(
                  f.add(exp10, f.count(f.land(f.land(mantDigit, f.lnot(room)),
                                              f.lnot(dot)))),
                  f.count(f.land(take, dot)));
              Value expDigit = f.land(isDigit, inExp);
              SmallVector<Value> next = {
                  f.sel(firstSign, f.eq(c, '-'), neg),
                  newMant,
                  newExp10,
                  f.add(digits, f.count(mantDigit)),
                  f.lor(dot, isDot),
                  f.lor(inExp, isE),
                  f.sel(f.land(isSign, inExp), f.eq(c, '-'), expNeg),
                  f.sel(
                      expDigit,
                      f.min(f.add(f.mul(expVal, f.i64(10)), d), f.i64(100000)),
                      expVal),
                  f.add(expDigits, f.count(expDigit)),
                  newBad,
                  f.lor(started, content),
                  f.sel(letter, f.add(f.mul(hash, f.i64(31)), lower), hash),
                  f.add(letters, f.count(letter)),
                  f.lor(ended, f.land(isSpace, started)),
                  f.lor(expSign, f.land(isSign, inExp))};
              scf::YieldOp::create(fb, fl, next);
            });
        ValueRange r = loop.getResults();
        Value neg = r[0], mant = r[1], exp10 = r[2], digits = r[3], dot = r[4],
              inExp = r[5], expNeg = r[6], expVal = r[7], expDigits = r[8],
              bad = r[9], hash = r[11], letters = r[12];
        Value isNan = s.land(s.eq(letters, 3), s.eq(hash, wordHash("nan")));
        Value isInf =
            s.lor(s.land(s.eq(letters, 3), s.eq(hash, wordHash("inf"))),
                  s.land(s.eq(letters, 8), s.eq(hash, wordHash("infinity"))));
        Value noNumber =
            s.land(s.eq(digits, 0), s.land(s.lnot(dot), s.lnot(inExp)));
        Value okSpecial = s.land(s.lor(isNan, isInf), noNumber);
        Value okNumber =
            s.land(s.land(s.cmp(arith::CmpIPredicate::sgt, digits, s.i64(0)),
                          s.eq(letters, 0)),
                   s.lor(s.lnot(inExp), s.cmp(arith::CmpIPredicate::sgt,
                                              expDigits, s.i64(0))));
        Value ok = s.land(s.lnot(bad), s.lor(okSpecial, okNumber));
        Value e = s.add(exp10, s.sel(expNeg, s.sub(s.i64(0), expVal), expVal));
        Value m = arith::SIToFPOp::create(nb, l, nb.getF64Type(), mant);
        // 0 * inf would be nan: a zero mantissa is zero at any exponent.
        Value v = s.sel(s.eq(mant, 0), s.f64(0), s.scale(m, e));
        v = s.sel(
            isNan, s.f64(std::numeric_limits<double>::quiet_NaN()),
            s.sel(isInf, s.f64(std::numeric_limits<double>::infinity()), v));
        v = s.sel(neg, arith::NegFOp::create(nb, l, v), v);
        Value out;
        if (auto floatType = dyn_cast<FloatType>(elementType)) {
          out = floatType.isF64()
                    ? v
                    : (Value)arith::TruncFOp::create(nb, l, floatType, v);
        } else {
          // Signless integers: clamped into range and truncated; nan is 0
          // (bool: nonzero is true).
          unsigned width = cast<IntegerType>(elementType).getWidth();
          if (width == 1) {
            out = arith::CmpFOp::create(nb, l, arith::CmpFPredicate::UNE, v,
                                        s.f64(0));
          } else {
            double lo = -std::ldexp(1.0, width - 1);
            double hi = std::ldexp(1.0, width - 1) - 1;
            Value clamped = arith::MinimumFOp::create(
                nb, l, arith::MaximumFOp::create(nb, l, v, s.f64(lo)),
                s.f64(hi));
            Value isNumber = arith::CmpFOp::create(
                nb, l, arith::CmpFPredicate::ORD, clamped, clamped);
            clamped = s.sel(isNumber, clamped, s.f64(0));
            out = arith::FPToSIOp::create(nb, l, elementType, clamped);
          }
        }
        linalg::YieldOp::create(nb, l, ValueRange{out, ok});
      });
  return {generic.getResult(0), generic.getResult(1)};
}

std::pair<Value, Value> formatNumbers(OpBuilder &b, Location loc,
                                      Value values) {
  auto type = cast<RankedTensorType>(values.getType());
  auto source = cast<FloatType>(type.getElementType());
  int64_t rank = type.getRank();
  // The most digits a shortest representation needs.
  int64_t maxDigits = source.isF64() ? 17 : source.isF32() ? 9 : 5;
  Value table = powersOfTen(b, loc);
  auto i64 = b.getI64Type();
  AffineMap id = b.getMultiDimIdentityMap(rank);
  SmallVector<utils::IteratorType> parallel(rank,
                                            utils::IteratorType::parallel);
  // 1: the digits (m, p of them), the decimal exponent e, the form (0
  // positional, 1 scientific, 2 nan, 3 inf), the sign and the length.
  SmallVector<Value> outs;
  for (Type t : {Type(i64), Type(i64), Type(i64), Type(i64),
                 Type(b.getI1Type()), Type(i64)})
    outs.push_back(emptyLike(b, loc, values, t));
  auto first = linalg::GenericOp::create(
      b, loc, ValueRange(outs).getTypes(), ValueRange{values}, outs,
      SmallVector<AffineMap>(7, id), parallel,
      [&](OpBuilder &nb, Location l, ValueRange args) {
        Scalars s{nb, l, table};
        Value x = args[0];
        Value xf =
            source.isF64()
                ? x
                : (Value)arith::ExtFOp::create(nb, l, nb.getF64Type(), x);
        Value bits = arith::BitcastOp::create(nb, l, nb.getI64Type(), xf);
        Value a = math::AbsFOp::create(nb, l, xf);
        Value isNan =
            arith::CmpFOp::create(nb, l, arith::CmpFPredicate::UNO, xf, xf);
        Value isInf = arith::CmpFOp::create(
            nb, l, arith::CmpFPredicate::OEQ, a,
            s.f64(std::numeric_limits<double>::infinity()));
        Value isZero = arith::CmpFOp::create(nb, l, arith::CmpFPredicate::OEQ,
                                             a, s.f64(0));
        Value neg = s.land(s.cmp(arith::CmpIPredicate::slt, bits, s.i64(0)),
                           s.lnot(isNan));
        Value safe = s.sel(s.lor(s.lor(isNan, isInf), isZero), s.f64(1), a);
        Value e0 = arith::FPToSIOp::create(
            nb, l, nb.getI64Type(),
            math::FloorOp::create(nb, l, math::Log10Op::create(nb, l, safe)));
        // log10 may be a little off: 10^e0 <= |x| < 10^(e0+1) exactly.
        Value low = arith::CmpFOp::create(nb, l, arith::CmpFPredicate::OGT,
                                          s.scale(s.f64(1), e0), safe);
        e0 = s.sel(low, s.sub(e0, s.i64(1)), e0);
        Value high =
            arith::CmpFOp::create(nb, l, arith::CmpFPredicate::OLE,
                                  s.scale(s.f64(1), s.add(e0, s.i64(1))), safe);
        e0 = s.sel(high, s.add(e0, s.i64(1)), e0);
        // The fewest digits that read back as x: try them all, keep the
        // last success going down.
        Value bestM = s.i64(0), bestP = s.i64(maxDigits), bestE = e0;
        Value target =
            source.isF64()
                ? safe
                : (Value)arith::TruncFOp::create(nb, l, source, safe);
        for (int64_t p = maxDigits; p >= 1; --p) {
          Value scaled = s.scale(safe, s.sub(s.i64(p - 1), e0));
          Value mm = math::RoundEvenOp::create(nb, l, scaled);
          Value carry = arith::CmpFOp::create(
              nb, l, arith::CmpFPredicate::OGE, mm,
              s.f64(std::strtod(("1e" + std::to_string(p)).c_str(), nullptr)));
          mm = s.sel(carry, arith::DivFOp::create(nb, l, mm, s.f64(10)), mm);
          Value ee = s.sel(carry, s.add(e0, s.i64(1)), e0);
          Value back = s.scale(mm, s.sub(ee, s.i64(p - 1)));
          Value readBack =
              source.isF64()
                  ? back
                  : (Value)arith::TruncFOp::create(nb, l, source, back);
          Value same = arith::CmpFOp::create(nb, l, arith::CmpFPredicate::OEQ,
                                             readBack, target);
          bestM = s.sel(
              same, arith::FPToSIOp::create(nb, l, nb.getI64Type(), mm), bestM);
          bestP = s.sel(same, s.i64(p), bestP);
          bestE = s.sel(same, ee, bestE);
        }
        // Far from 1, inexact scaling can make a longer digit string the
        // first to read back: its trailing zeros go.
        for (int64_t k = 1; k < maxDigits; ++k) {
          Value trailing =
              s.land(s.eq(s.rem(bestM, s.i64(10)), 0),
                     s.cmp(arith::CmpIPredicate::sgt, bestP, s.i64(1)));
          bestM = s.sel(trailing, s.div(bestM, s.i64(10)), bestM);
          bestP = s.sel(trailing, s.sub(bestP, s.i64(1)), bestP);
        }
        bestM = s.sel(isZero, s.i64(0), bestM);
        bestP = s.sel(isZero, s.i64(1), bestP);
        bestE = s.sel(isZero, s.i64(0), bestE);
        // numpy's choice, by the value itself (0.0001f is 9.99999975e-5:
        // scientific).
        Value sci =
            s.land(s.lnot(isZero),
                   s.lor(arith::CmpFOp::create(nb, l, arith::CmpFPredicate::OLT,
                                               safe, s.f64(1e-4)),
                         arith::CmpFOp::create(nb, l, arith::CmpFPredicate::OGE,
                                               safe, s.f64(1e16))));
        Value form =
            s.sel(isNan, s.i64(2),
                  s.sel(isInf, s.i64(3), s.sel(sci, s.i64(1), s.i64(0))));
        // Lengths of each form (the sign added below).
        Value p = bestP, e = bestE;
        Value wholeDigits = s.add(s.add(e, s.i64(1)), s.i64(2));
        Value split = s.add(p, s.i64(1));
        Value fraction = s.add(s.add(s.i64(2), s.sub(s.i64(-1), e)), p);
        Value positional =
            s.sel(s.cmp(arith::CmpIPredicate::sge, e, s.sub(p, s.i64(1))),
                  wholeDigits,
                  s.sel(s.cmp(arith::CmpIPredicate::sge, e, s.i64(0)), split,
                        fraction));
        Value absE = s.sel(s.cmp(arith::CmpIPredicate::slt, e, s.i64(0)),
                           s.sub(s.i64(0), e), e);
        Value expChars =
            s.sel(s.cmp(arith::CmpIPredicate::sge, absE, s.i64(100)), s.i64(3),
                  s.i64(2));
        Value mantChars = s.sel(s.cmp(arith::CmpIPredicate::sgt, p, s.i64(1)),
                                s.add(p, s.i64(1)), s.i64(1));
        Value scientific = s.add(s.add(mantChars, s.i64(2)), expChars);
        Value len = s.sel(s.eq(form, 0), positional,
                          s.sel(s.eq(form, 1), scientific, s.i64(3)));
        len = s.add(len, s.count(neg));
        linalg::YieldOp::create(
            nb, l, ValueRange{bestM, bestP, bestE, form, neg, len});
      });
  // 2: each character, from those.
  Value chars = emptyLike(b, loc, values, b.getI8Type(), {kMaxNumberChars});
  AffineMap drop = AffineMap::getMultiDimIdentityMap(rank + 1, b.getContext())
                       .getMajorSubMap(rank);
  SmallVector<AffineMap> maps(6, drop);
  maps.push_back(b.getMultiDimIdentityMap(rank + 1));
  SmallVector<utils::IteratorType> all(rank + 1, utils::IteratorType::parallel);
  SmallVector<int64_t> tenPowers = {1};
  while (tenPowers.size() < 19)
    tenPowers.push_back(tenPowers.back() * 10);
  auto powersType = RankedTensorType::get({19}, i64);
  Value intPowers = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(powersType, ArrayRef<int64_t>(tenPowers)));
  auto second = linalg::GenericOp::create(
      b, loc, TypeRange{chars.getType()},
      ValueRange(first.getResults()).take_front(6), ValueRange{chars}, maps,
      all, [&](OpBuilder &nb, Location l, ValueRange args) {
        Scalars s{nb, l, table};
        Value m = args[0], p = args[1], e = args[2], form = args[3],
              neg = args[4], len = args[5];
        Value j = arith::IndexCastOp::create(
            nb, l, nb.getI64Type(), linalg::IndexOp::create(nb, l, rank));
        Value jj = s.sub(j, s.count(neg));
        auto tenTo = [&](Value k) -> Value {
          Value index = arith::IndexCastOp::create(
              nb, l, nb.getIndexType(), s.min(s.max(k, s.i64(0)), s.i64(18)));
          return tensor::ExtractOp::create(nb, l, intPowers, ValueRange{index});
        };
        auto digitOf = [&](Value number, Value count, Value k) -> Value {
          Value d =
              s.rem(s.div(number, tenTo(s.sub(s.sub(count, s.i64(1)), k))),
                    s.i64(10));
          return s.add(d, s.i64('0'));
        };
        Value zero = s.i64('0'), point = s.i64('.');
        // Positional.
        Value a =
            s.sel(s.cmp(arith::CmpIPredicate::slt, jj, s.add(e, s.i64(1))),
                  s.sel(s.cmp(arith::CmpIPredicate::slt, jj, p),
                        digitOf(m, p, jj), zero),
                  s.sel(s.eq(s.sub(jj, e), 1), point, zero));
        Value bChar =
            s.sel(s.cmp(arith::CmpIPredicate::sle, jj, e), digitOf(m, p, jj),
                  s.sel(s.eq(s.sub(jj, e), 1), point,
                        digitOf(m, p, s.sub(jj, s.i64(1)))));
        Value zeros = s.sub(s.i64(-1), e);
        Value cChar = s.sel(
            s.eq(jj, 0), zero,
            s.sel(s.eq(jj, 1), point,
                  s.sel(s.cmp(arith::CmpIPredicate::slt, jj,
                              s.add(s.i64(2), zeros)),
                        zero,
                        digitOf(m, p, s.sub(jj, s.add(s.i64(2), zeros))))));
        Value positional = s.sel(
            s.cmp(arith::CmpIPredicate::sge, e, s.sub(p, s.i64(1))), a,
            s.sel(s.cmp(arith::CmpIPredicate::sge, e, s.i64(0)), bChar, cChar));
        // Scientific: d[.ddd]e+XX.
        Value many = s.cmp(arith::CmpIPredicate::sgt, p, s.i64(1));
        Value mantChars = s.sel(many, s.add(p, s.i64(1)), s.i64(1));
        Value absE = s.sel(s.cmp(arith::CmpIPredicate::slt, e, s.i64(0)),
                           s.sub(s.i64(0), e), e);
        Value expChars =
            s.sel(s.cmp(arith::CmpIPredicate::sge, absE, s.i64(100)), s.i64(3),
                  s.i64(2));
        Value t = s.sub(jj, s.add(mantChars, s.i64(2)));
        Value sci = s.sel(
            s.eq(jj, 0), digitOf(m, p, s.i64(0)),
            s.sel(s.land(many, s.eq(jj, 1)), point,
                  s.sel(s.land(many,
                               s.cmp(arith::CmpIPredicate::slt, jj, mantChars)),
                        digitOf(m, p, s.sub(jj, s.i64(1))),
                        s.sel(s.cmp(arith::CmpIPredicate::eq, jj, mantChars),
                              s.i64('e'),
                              s.sel(s.eq(s.sub(jj, mantChars), 1),
                                    s.sel(s.cmp(arith::CmpIPredicate::slt, e,
                                                s.i64(0)),
                                          s.i64('-'), s.i64('+')),
                                    digitOf(absE, expChars, t))))));
        // nan, inf.
        auto word = [&](StringRef w) -> Value {
          Value c = s.i64(w[2]);
          c = s.sel(s.eq(jj, 1), s.i64(w[1]), c);
          return s.sel(s.eq(jj, 0), s.i64(w[0]), c);
        };
        Value ch = s.sel(s.eq(form, 0), positional,
                         s.sel(s.eq(form, 1), sci,
                               s.sel(s.eq(form, 2), word("nan"), word("inf"))));
        ch = s.sel(s.land(neg, s.eq(j, 0)), s.i64('-'), ch);
        ch = s.sel(s.cmp(arith::CmpIPredicate::slt, j, len), ch, s.i64(0));
        linalg::YieldOp::create(
            nb, l,
            ValueRange{arith::TruncIOp::create(nb, l, nb.getI8Type(), ch)});
      });
  return {second.getResult(0), first.getResult(5)};
}

} // namespace ddl::graph
