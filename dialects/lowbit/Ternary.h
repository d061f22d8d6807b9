//===- Ternary.h - packings of ternary (1.58-bit) weights --------*- C++
//-*-===//
//
// The byte layouts of lowbit.matmul_ternary's weights, in one place for
// everything that writes or reads them: the quantizer packs with
// packTernary, the reference lowering and the CPU kernels read them by the
// block constants below.
//
// Each weight t in {-1, 0, +1} is stored as its code t + 1 in {0, 1, 2}.
//
// * 4 trits per byte (2 bits each): K in blocks of 64 inputs, 16 bytes per
//   block; byte j of a block holds inputs j, 16 + j, 32 + j and 48 + j in
//   bits 0-1, 2-3, 4-5 and 6-7 (one 16-byte load broadcast to 64 bytes and
//   shifted by 0, 2, 4, 6 per 16-byte lane gives 64 consecutive inputs'
//   codes in the low 2 bits of each byte).
// * 5 trits per byte (base 3, 1.6 bits each): K in blocks of 320 inputs,
//   64 bytes per block; byte j of a block holds inputs j, 64 + j, ...,
//   256 + j as the base-3 digits d0 (most significant) ... d4 of v = sum
//   d_i 3^(4-i), stored as q = ceil(256 v / 243), so that digit i is
//   ((q 3^i mod 256) 3) >> 8: a multiply and a high half per digit, no
//   division. K mod 320 (a multiple of 64) follows in the 2-bit layout.
//
//===----------------------------------------------------------------------===//

#ifndef DDL_DIALECTS_LOWBIT_TERNARY_H
#define DDL_DIALECTS_LOWBIT_TERNARY_H

#include "llvm/ADT/ArrayRef.h"

#include <cstdint>
#include <vector>

namespace ddl::lowbit {

/// Inputs and bytes of a 2-bit block; inputs and bytes of a base-3 block.
constexpr int64_t kTernaryBlock = 64, kTernaryBlockBytes = 16;
constexpr int64_t kBase3Block = 320, kBase3BlockBytes = 64;

/// Whether lowbit.matmul_ternary packs K inputs (K a positive multiple of
/// 64).
inline bool ternaryPackable(int64_t k) {
  return k > 0 && k % kTernaryBlock == 0;
}

/// The base-3 blocks of a row of K inputs (0 for the 2-bit packing).
inline int64_t base3Blocks(int64_t k, int64_t tritsPerByte) {
  return tritsPerByte == 5 ? k / kBase3Block : 0;
}

/// Bytes per row of K inputs (K packable) at `tritsPerByte` (4 or 5).
inline int64_t ternaryRowBytes(int64_t k, int64_t tritsPerByte) {
  int64_t blocks = base3Blocks(k, tritsPerByte);
  return blocks * kBase3BlockBytes +
         (k - blocks * kBase3Block) / kTernaryBlock * kTernaryBlockBytes;
}

/// Packs `trits` (N rows of K values in {-1, 0, 1}, row-major) into N rows
/// of ternaryRowBytes(K, tritsPerByte) bytes.
std::vector<int8_t> packTernary(llvm::ArrayRef<int8_t> trits, int64_t n,
                                int64_t k, int64_t tritsPerByte);

/// The trits (N rows of K values in {-1, 0, 1}) of `packed`, N rows packed
/// by packTernary: its inverse, for kernels that lay the weights out their
/// own way at compile time.
std::vector<int8_t> unpackTernary(llvm::ArrayRef<int8_t> packed, int64_t n,
                                  int64_t k, int64_t tritsPerByte);

} // namespace ddl::lowbit

#endif // DDL_DIALECTS_LOWBIT_TERNARY_H
