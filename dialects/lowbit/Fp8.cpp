//===- Fp8.cpp - fp8 (E4M3, E5M2) encodings -------------------------------===//

#include "dialects/lowbit/Fp8.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinTypes.h"

#include <cmath>
#include <cstring>

using namespace ddl;
using namespace mlir;

std::optional<lowbit::Fp8Format> lowbit::fp8Format(llvm::StringRef name) {
  if (name == kE4M3.name)
    return kE4M3;
  if (name == kE5M2.name)
    return kE5M2;
  return std::nullopt;
}

uint8_t lowbit::encodeFp8(float v, const Fp8Format &format) {
  uint32_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  uint32_t sign = (bits >> 24) & 0x80, magnitude = bits & 0x7FFFFFFFu;
  if (magnitude > 0x7F800000u)
    return uint8_t(sign | 0x7F);
  if (magnitude > format.maxBits)
    magnitude = format.maxBits;
  int drop = 23 - format.mantissaBits;
  if (magnitude >= format.minNormalBits()) {
    // Keep the format's mantissa bits of the 23, rounding to nearest even
    // (a carry into the exponent is the right rounding), then rebias.
    uint32_t rounded =
        magnitude + ((1u << (drop - 1)) - 1) + ((magnitude >> drop) & 1);
    return uint8_t(sign | ((rounded >> drop) - (uint32_t(127 - format.bias)
                                                << format.mantissaBits)));
  }
  // Subnormal (or zero): |v| / step rounded to nearest even, 0 to
  // 2^mantissaBits (the smallest normal's code); adding 2^23 makes the FPU
  // round it.
  float scaled;
  uint32_t m = magnitude;
  std::memcpy(&scaled, &m, sizeof scaled);
  float shifted =
      scaled * std::ldexp(1.0f, -format.subnormalExponent()) + 8388608.0f;
  uint32_t shiftedBits;
  std::memcpy(&shiftedBits, &shifted, sizeof shiftedBits);
  return uint8_t(sign | (shiftedBits - 0x4B000000u));
}

namespace {

/// Constants of `v`'s shape (scalar, or splat over its vector shape).
struct Constants {
  OpBuilder &b;
  Location loc;
  VectorType vector;

  Type like(Type element) const {
    return vector ? Type(VectorType::get(vector.getShape(), element)) : element;
  }
  Value constant(Type type, TypedAttr scalar) const {
    TypedAttr value = vector ? TypedAttr(SplatElementsAttr::get(
                                   cast<ShapedType>(type), Attribute(scalar)))
                             : scalar;
    return arith::ConstantOp::create(b, loc, value);
  }
  Value i32(int64_t v) const {
    return constant(like(b.getI32Type()), b.getI32IntegerAttr(int32_t(v)));
  }
  Value f32(float v) const {
    return constant(like(b.getF32Type()), b.getF32FloatAttr(v));
  }
};

} // namespace

Value lowbit::buildEncodeFp8(OpBuilder &b, Location loc, Value v,
                             const Fp8Format &format) {
  Constants c{b, loc, dyn_cast<VectorType>(v.getType())};
  Type i32 = c.like(b.getI32Type()), f32 = c.like(b.getF32Type());
  int drop = 23 - format.mantissaBits;
  Value bits = arith::BitcastOp::create(b, loc, i32, v);
  Value sign = arith::AndIOp::create(
      b, loc, arith::ShRUIOp::create(b, loc, bits, c.i32(24)), c.i32(0x80));
  Value magnitude = arith::AndIOp::create(b, loc, bits, c.i32(0x7FFFFFFF));
  Value isNaN = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ugt,
                                      magnitude, c.i32(0x7F800000));
  Value clamped =
      arith::MinUIOp::create(b, loc, magnitude, c.i32(format.maxBits));
  // Normal: the mantissa's top bits kept, nearest even, rebiased.
  Value odd = arith::AndIOp::create(
      b, loc, arith::ShRUIOp::create(b, loc, clamped, c.i32(drop)), c.i32(1));
  Value rounded = arith::AddIOp::create(
      b, loc,
      arith::AddIOp::create(b, loc, clamped, c.i32((1 << (drop - 1)) - 1)),
      odd);
  Value normal = arith::SubIOp::create(
      b, loc, arith::ShRUIOp::create(b, loc, rounded, c.i32(drop)),
      c.i32((127 - format.bias) << format.mantissaBits));
  // Subnormal: |v| / step rounded by adding 2^23.
  Value shifted = arith::AddFOp::create(
      b, loc,
      arith::MulFOp::create(
          b, loc, arith::BitcastOp::create(b, loc, f32, clamped),
          c.f32(std::ldexp(1.0f, -format.subnormalExponent()))),
      c.f32(8388608.0f));
  Value subnormal = arith::SubIOp::create(
      b, loc, arith::BitcastOp::create(b, loc, i32, shifted),
      c.i32(0x4B000000));
  Value isNormal =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::uge, clamped,
                            c.i32(format.minNormalBits()));
  Value code = arith::SelectOp::create(
      b, loc, isNaN, c.i32(0x7F),
      arith::SelectOp::create(b, loc, isNormal, normal, subnormal));
  return arith::OrIOp::create(b, loc, sign, code);
}

Value lowbit::buildDecodeFp8(OpBuilder &b, Location loc, Value bytes,
                             const Fp8Format &format) {
  Constants c{b, loc, dyn_cast<VectorType>(bytes.getType())};
  Type i32 = c.like(b.getI32Type()), f32 = c.like(b.getF32Type());
  int drop = 23 - format.mantissaBits;
  Value u = arith::ExtUIOp::create(b, loc, i32, bytes);
  Value sign = arith::ShLIOp::create(
      b, loc, arith::AndIOp::create(b, loc, u, c.i32(0x80)), c.i32(24));
  Value magnitude = arith::AndIOp::create(b, loc, u, c.i32(0x7F));
  Value normal = arith::BitcastOp::create(
      b, loc, f32,
      arith::OrIOp::create(
          b, loc, sign,
          arith::AddIOp::create(
              b, loc, arith::ShLIOp::create(b, loc, magnitude, c.i32(drop)),
              c.i32((127 - format.bias) << 23))));
  int mantissaMask = (1 << format.mantissaBits) - 1;
  Value subnormal = arith::MulFOp::create(
      b, loc,
      arith::SIToFPOp::create(
          b, loc, f32, arith::AndIOp::create(b, loc, u, c.i32(mantissaMask))),
      c.f32(std::ldexp(1.0f, format.subnormalExponent())));
  Value negative =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, sign, c.i32(0));
  subnormal = arith::SelectOp::create(
      b, loc, negative, arith::NegFOp::create(b, loc, subnormal), subnormal);
  Value isSubnormal = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                            magnitude, c.i32(mantissaMask + 1));
  return arith::SelectOp::create(b, loc, isSubnormal, subnormal, normal);
}
