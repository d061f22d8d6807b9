//===- Fp8.h - fp8 (E4M3, E5M2) encodings shared by quantizer and kernels -===//
//
// The two OCP fp8 formats:
//
// * E4M3FN (what Hopper's fp8 GEMMs take for inference): 1 sign bit, 4
//   exponent bits (bias 7), 3 mantissa bits, no infinities, largest finite
//   448, NaN 0x7F / 0xFF;
// * E5M2: 1 sign bit, 5 exponent bits (bias 15, f16's), 2 mantissa bits
//   (the high byte of an f16), largest finite 57344, infinities 0x7C /
//   0xFC, NaNs above them.
//
// ddl stores fp8 values as bytes (i8 tensors): LLVM has no fp8 type to
// lower MLIR's to. Encoding rounds to nearest even and saturates at the
// largest finite value; the compile-time quantizer (encodeFp8) and the
// run-time one (lowbit.quantize_fp8's lowering) compute the same integer
// steps, so a weight and an activation of equal value get equal bytes.
// Only a NaN input encodes to a NaN byte (0x7F / 0xFF in both formats);
// the decoders (the kernels' and the reference lowering's) read the codes
// past the largest finite value as the bit pattern's value were it finite
// (the NaN already made the activation scale NaN).
//
//===----------------------------------------------------------------------===//

#ifndef DDL_DIALECTS_LOWBIT_FP8_H
#define DDL_DIALECTS_LOWBIT_FP8_H

#include "mlir/IR/Builders.h"

#include <cstdint>
#include <optional>

namespace ddl::lowbit {

/// An fp8 format's fields and bounds.
struct Fp8Format {
  /// "e4m3" or "e5m2" (lowbit ops' `format` attribute, ddlc's spelling).
  llvm::StringLiteral name;
  int mantissaBits, bias;
  /// The largest finite magnitude and its f32 bit pattern.
  float max;
  uint32_t maxBits;

  /// f32 bit pattern of the smallest normal magnitude, 2^(1 - bias).
  uint32_t minNormalBits() const { return uint32_t(128 - bias) << 23; }
  /// The subnormal step, 2^(1 - bias - mantissaBits), as a power of two's
  /// exponent.
  int subnormalExponent() const { return 1 - bias - mantissaBits; }
};

constexpr Fp8Format kE4M3{"e4m3", 3, 7, 448.0f, 0x43E00000u};
constexpr Fp8Format kE5M2{"e5m2", 2, 15, 57344.0f, 0x47600000u};

/// The format named `name` ("e4m3", "e5m2"), or none.
std::optional<Fp8Format> fp8Format(llvm::StringRef name);

/// The byte of `v` in `format`: round to nearest even, saturating at the
/// largest finite magnitude, NaN to 0x7F (0xFF when negative).
uint8_t encodeFp8(float v, const Fp8Format &format);

/// The same encoding as IR on an f32 (scalar or vector) `v`: its bytes as
/// i32 (the caller truncates).
mlir::Value buildEncodeFp8(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Value v, const Fp8Format &format);

/// The f32 value(s) of byte(s) in `format` (`bytes`: i8 or a vector of
/// i8; the result f32 or a vector of f32), by integer steps: a normal
/// number's exponent and mantissa moved into f32's fields and rebiased, a
/// subnormal's mantissa times the subnormal step. Needs no fp8 or f16
/// hardware (the reference lowering and the GPU kernels' operand loads).
mlir::Value buildDecodeFp8(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Value bytes, const Fp8Format &format);

} // namespace ddl::lowbit

#endif // DDL_DIALECTS_LOWBIT_FP8_H
