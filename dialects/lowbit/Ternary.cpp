//===- Ternary.cpp - packings of ternary (1.58-bit) weights ---------------===//

#include "dialects/lowbit/Ternary.h"

using namespace ddl;

std::vector<int8_t> lowbit::packTernary(llvm::ArrayRef<int8_t> trits, int64_t n,
                                        int64_t k, int64_t tritsPerByte) {
  int64_t rowBytes = ternaryRowBytes(k, tritsPerByte);
  int64_t blocks = base3Blocks(k, tritsPerByte);
  std::vector<int8_t> packed(n * rowBytes, 0);
  for (int64_t row = 0; row < n; ++row) {
    const int8_t *t = trits.data() + row * k;
    int8_t *out = packed.data() + row * rowBytes;
    for (int64_t block = 0; block < blocks; ++block)
      for (int64_t j = 0; j < kBase3BlockBytes; ++j) {
        int v = 0;
        for (int64_t digit = 0; digit < 5; ++digit)
          v = 3 * v + t[block * kBase3Block + digit * 64 + j] + 1;
        // ceil(256 v / 243): digit i is then ((q 3^i mod 256) 3) >> 8.
        out[block * kBase3BlockBytes + j] = int8_t((256 * v + 242) / 243);
      }
    int64_t tailStart = blocks * kBase3Block;
    int8_t *tail = out + blocks * kBase3BlockBytes;
    for (int64_t kk = tailStart; kk < k; ++kk) {
      int64_t local = kk - tailStart;
      int64_t block = local / kTernaryBlock, within = local % kTernaryBlock;
      tail[block * kTernaryBlockBytes + within % 16] |=
          int8_t((t[kk] + 1) << (2 * (within / 16)));
    }
  }
  return packed;
}

std::vector<int8_t> lowbit::unpackTernary(llvm::ArrayRef<int8_t> packed,
                                          int64_t n, int64_t k,
                                          int64_t tritsPerByte) {
  int64_t rowBytes = ternaryRowBytes(k, tritsPerByte);
  int64_t blocks = base3Blocks(k, tritsPerByte);
  std::vector<int8_t> trits(n * k, 0);
  for (int64_t row = 0; row < n; ++row) {
    const uint8_t *in =
        reinterpret_cast<const uint8_t *>(packed.data()) + row * rowBytes;
    int8_t *t = trits.data() + row * k;
    for (int64_t block = 0; block < blocks; ++block)
      for (int64_t j = 0; j < kBase3BlockBytes; ++j) {
        // q = ceil(256 v / 243) gives v = floor(243 q / 256).
        int v = (243 * int(in[block * kBase3BlockBytes + j])) >> 8;
        for (int64_t digit = 4; digit >= 0; --digit, v /= 3)
          t[block * kBase3Block + digit * 64 + j] = int8_t(v % 3 - 1);
      }
    int64_t tailStart = blocks * kBase3Block;
    const uint8_t *tail = in + blocks * kBase3BlockBytes;
    for (int64_t kk = tailStart; kk < k; ++kk) {
      int64_t local = kk - tailStart;
      int64_t block = local / kTernaryBlock, within = local % kTernaryBlock;
      int code = (tail[block * kTernaryBlockBytes + within % 16] >>
                  (2 * (within / 16))) &
                 3;
      t[kk] = int8_t(code - 1);
    }
  }
  return trits;
}
