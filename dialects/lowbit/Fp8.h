//===- Fp8.h - E4M3 (fp8) encoding shared by quantizer and kernels -*- C++
//-*-===//
//
// fp8 E4M3FN (the OCP format Hopper's tensor cores take): 1 sign bit, 4
// exponent bits (bias 7), 3 mantissa bits, no infinities, largest finite
// 448, NaN 0x7F / 0xFF. ddl stores E4M3 values as bytes (i8 tensors): LLVM
// has no fp8 type to lower MLIR's to. Encoding rounds to nearest even and
// saturates at +-448; the compile-time quantizer (encodeE4M3) and the
// run-time one (lowbit.quantize_fp8's lowering) compute the same integer
// steps, so a weight and an activation of equal value get equal bytes.
// Only a NaN input encodes to a NaN byte; the decoders (the kernels' and
// the reference lowering's) read 0x7F / 0xFF as +-480, the bit pattern's
// value were it finite (the NaN already made the activation scale NaN).
//
//===----------------------------------------------------------------------===//

#ifndef DDL_DIALECTS_LOWBIT_FP8_H
#define DDL_DIALECTS_LOWBIT_FP8_H

#include "mlir/IR/Builders.h"

#include <cstdint>

namespace ddl::lowbit {

/// The largest finite E4M3FN magnitude.
constexpr float kE4M3Max = 448.0f;
/// f32 bit patterns: 448 (the saturation bound) and 2^-6 (the smallest
/// normal E4M3 magnitude).
constexpr uint32_t kE4M3MaxBits = 0x43E00000u, kE4M3MinNormalBits = 0x3C800000u;
/// f32 exponent bias - E4M3 exponent bias (127 - 7), in the position of
/// the E4M3 exponent field of a code shifted right by 20.
constexpr int32_t kE4M3BiasShift = 120 << 3;

/// The E4M3FN byte of `v`: round to nearest even, saturating at +-448,
/// NaN to 0x7F (0xFF when negative).
uint8_t encodeE4M3(float v);

/// The f32 value(s) of E4M3FN byte(s) (`bytes`: i8 or a vector of i8; the
/// result f32 or a vector of f32), by integer steps: a normal number's
/// exponent and mantissa moved into f32's fields and rebiased, a
/// subnormal's mantissa times 2^-9. Needs no fp8 or f16 hardware (the
/// reference lowering and the GPU kernels' operand loads).
mlir::Value buildDecodeE4M3(mlir::OpBuilder &b, mlir::Location loc,
                            mlir::Value bytes);

} // namespace ddl::lowbit

#endif // DDL_DIALECTS_LOWBIT_FP8_H
