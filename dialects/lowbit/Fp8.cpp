//===- Fp8.cpp - E4M3 (fp8) encoding -------------------------------------===//

#include "dialects/lowbit/Fp8.h"

#include <cstring>

using namespace ddl;

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
