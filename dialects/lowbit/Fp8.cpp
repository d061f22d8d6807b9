//===- Fp8.cpp - E4M3 (fp8) encoding -------------------------------------===//

#include "dialects/lowbit/Fp8.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinTypes.h"

#include <cstring>

using namespace ddl;
using namespace mlir;

uint8_t lowbit::encodeE4M3(float v) {
  uint32_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  uint32_t sign = (bits >> 24) & 0x80, magnitude = bits & 0x7FFFFFFFu;
  if (magnitude > 0x7F800000u)
    return uint8_t(sign | 0x7F);
  if (magnitude > kE4M3MaxBits)
    magnitude = kE4M3MaxBits;
  if (magnitude >= kE4M3MinNormalBits) {
    // Keep 3 of the 23 mantissa bits, rounding to nearest even (a carry
    // into the exponent is the right rounding), then rebias.
    uint32_t rounded = magnitude + 0x7FFFFu + ((magnitude >> 20) & 1);
    return uint8_t(sign | ((rounded >> 20) - kE4M3BiasShift));
  }
  // Subnormal (or zero): |v| / 2^-9 rounded to nearest even, 0 to 8 (8 is
  // the smallest normal's code); adding 2^23 makes the FPU round it.
  float scaled;
  uint32_t m = magnitude;
  std::memcpy(&scaled, &m, sizeof scaled);
  float shifted = scaled * 512.0f + 8388608.0f;
  uint32_t shiftedBits;
  std::memcpy(&shiftedBits, &shifted, sizeof shiftedBits);
  return uint8_t(sign | (shiftedBits - 0x4B000000u));
}

Value lowbit::buildDecodeE4M3(OpBuilder &b, Location loc, Value bytes) {
  auto vector = dyn_cast<VectorType>(bytes.getType());
  auto like = [&](Type element) -> Type {
    return vector ? Type(VectorType::get(vector.getShape(), element)) : element;
  };
  Type i32 = like(b.getI32Type()), f32 = like(b.getF32Type());
  // A constant of `type` (splat over the vector) with value `scalar`.
  auto constant = [&](Type type, TypedAttr scalar) -> Value {
    TypedAttr value = vector ? TypedAttr(SplatElementsAttr::get(
                                   cast<ShapedType>(type), Attribute(scalar)))
                             : scalar;
    return arith::ConstantOp::create(b, loc, value);
  };
  auto c = [&](int64_t v) {
    return constant(i32, b.getI32IntegerAttr(int32_t(v)));
  };
  auto f = [&](float v) { return constant(f32, b.getF32FloatAttr(v)); };
  Value u = arith::ExtUIOp::create(b, loc, i32, bytes);
  Value sign = arith::ShLIOp::create(
      b, loc, arith::AndIOp::create(b, loc, u, c(0x80)), c(24));
  Value magnitude = arith::AndIOp::create(b, loc, u, c(0x7F));
  Value normal = arith::BitcastOp::create(
      b, loc, f32,
      arith::OrIOp::create(
          b, loc, sign,
          arith::AddIOp::create(b, loc,
                                arith::ShLIOp::create(b, loc, magnitude, c(20)),
                                c(120 << 23))));
  Value subnormal = arith::MulFOp::create(
      b, loc,
      arith::SIToFPOp::create(b, loc, f32,
                              arith::AndIOp::create(b, loc, u, c(7))),
      f(1.0f / 512.0f));
  Value negative =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, sign, c(0));
  subnormal = arith::SelectOp::create(
      b, loc, negative, arith::NegFOp::create(b, loc, subnormal), subnormal);
  Value isSubnormal =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, magnitude, c(8));
  return arith::SelectOp::create(b, loc, isSubnormal, subnormal, normal);
}
