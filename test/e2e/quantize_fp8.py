#!/usr/bin/env python3
"""ddlc --quantize=fp8 against an emulation of its quantization.

Builds ONNX models of linear layers (MatMul by [K, N] weights, Gemm with
transB, alpha and a bias, a rank-3 input), compiles each with
`--quantize=fp8`, runs it with ddl-run, and compares with numpy computing
the same thing: the weights' scale max |w| / 448, the input's max |x| /
448 (both per tensor), each value / its scale rounded to E4M3FN (nearest
even, saturating at 448: the bit steps of dialects/lowbit/Fp8.cpp, checked
here against a table of all 254 finite E4M3 values), y = (xq @ wq) *
sx * sw. The products are exact; what remains is the order of f32 sums, so
the bound is 1e-5 of the output's magnitude: a wrong rounding, byte,
decode or scale is far above it. The shapes cover the kernel's 4-row tiles
and single-row tail, N not a multiple of 4, M above 64 (its row tasks);
an input whose K is symbolic and a K that is no multiple of 16 run the
reference lowering.

    quantize_fp8.py --ddlc DDLC --ddl-run DDL_RUN --work DIR
        [--target aarch64 --runner "qemu-aarch64 -L /usr/aarch64-linux-gnu"]
"""

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from linear_layers import check_layer, layer_model, layer_output  # noqa: E402
from tool_args import parse_tool_args  # noqa: E402


def e4m3_table():
    """The value of every E4M3FN byte (NaN for 0x7F and 0xFF)."""
    values = np.empty(256, dtype=np.float64)
    for byte in range(256):
        sign = -1.0 if byte & 0x80 else 1.0
        exponent, mantissa = (byte >> 3) & 0xF, byte & 7
        if exponent == 0xF and mantissa == 7:
            values[byte] = np.nan
        elif exponent == 0:
            values[byte] = sign * mantissa * 2.0 ** -9
        else:
            values[byte] = sign * (1 + mantissa / 8) * 2.0 ** (exponent - 7)
    return values


TABLE = e4m3_table()


def encode(v):
    """E4M3FN bytes of f32 `v`: nearest even, saturating at +-448."""
    v = np.asarray(v, dtype=np.float32)
    bits = v.reshape(-1).view(np.uint32)
    sign = (bits >> 24) & 0x80
    magnitude = np.minimum(bits & 0x7FFFFFFF, np.uint32(0x43E00000))
    rounded = magnitude + np.uint32(0x7FFFF) + ((magnitude >> 20) & 1)
    normal = (rounded >> 20) - np.uint32(960)
    shifted = (magnitude.view(np.float32) * np.float32(512) + np.float32(8388608)).view(np.uint32)
    subnormal = shifted - np.uint32(0x4B000000)
    code = np.where(magnitude >= 0x3C800000, normal, subnormal) | sign
    return code.astype(np.uint8).reshape(v.shape)


def check_encoder():
    """encode() against the table: every finite value encodes to its byte,
    and random values to the nearest (ties to the even mantissa)."""
    finite = [b for b in range(256) if not np.isnan(TABLE[b]) and b != 0x80]
    assert all(encode(np.float32(TABLE[b])) == b for b in finite)
    positive = np.array(sorted(TABLE[b] for b in finite if TABLE[b] >= 0))
    x = np.abs(np.random.default_rng(1).standard_normal(20000).astype(np.float32) * 40)
    got = TABLE[encode(x)]
    clipped = np.minimum(x, 448).astype(np.float64)
    nearest = np.abs(positive[None, :] - clipped[:, None]).min(axis=1)
    assert np.all(np.abs(got - clipped) == nearest), "E4M3 encoding is not nearest"


def expected_product(x, w_kn):
    sw = np.float32(np.abs(w_kn).max() / np.float32(448))
    sx = np.float32(max(np.abs(x).max() / np.float32(448), np.float32(1e-30)))
    wq = TABLE[encode(w_kn / sw)]
    xq = TABLE[encode(x / sx)]
    return (xq @ wq) * np.float64(sx) * np.float64(sw)


def main():
    args = parse_tool_args(__doc__)
    check_encoder()
    rng = np.random.default_rng(0)
    ok = True
    cases = [(f"matmul_m{m}", (m, 256), 256, 70, "matmul") for m in (1, 4, 7)]
    cases += [("gemm", (5, 128), 128, 33, "gemm"), ("batched", (2, 3, 192), 192, 20, "matmul"),
              ("tasks", (70, 320), 320, 21, "gemm"), ("k1024", (1, 1024), 1024, 40, "matmul"),
              ("odd_k", (3, 72), 72, 20, "matmul"), ("dynamic_k", (5, 192), 192, 18, "dynamic")]
    for name, x_shape, k, n, kind in cases:
        # Magnitudes over several binades, so that subnormal codes occur.
        x = (rng.standard_normal(x_shape) * np.exp(rng.uniform(-4, 2, x_shape))).astype(np.float32)
        w = (rng.standard_normal((k, n)) * np.exp(rng.uniform(-4, 1, (k, n)))).astype(np.float32)
        bias = rng.standard_normal(n).astype(np.float32)
        ok &= check_layer(args, name, layer_model(name, kind, x_shape, w, bias), x,
                          layer_output(kind, expected_product(x, w), bias),
                          ["--quantize=fp8"])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
