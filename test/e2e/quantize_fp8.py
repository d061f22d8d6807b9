#!/usr/bin/env python3
"""ddlc --quantize=fp8 (and fp8-e5m2) against an emulation of its quantization.

Builds ONNX models of linear layers (MatMul by [K, N] weights, Gemm with
transB, alpha and a bias, a rank-3 input), compiles each with
`--quantize=fp8`, runs it with ddl-run, and compares with numpy computing
the same thing: the weights' scale max |w| / 448, the input's max |x| /
448 (both per tensor), each value / its scale rounded to E4M3FN (nearest
even, saturating at 448: the bit steps of dialects/lowbit/Fp8.cpp, checked
here against a table of all 254 finite E4M3 values; E5M2 likewise with
57344 and its 246 finite values), y = (xq @ wq) *
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


# name: (exponent bits, mantissa bits, bias, largest finite, its f32 bits)
FORMATS = {"e4m3": (4, 3, 7, 448.0, 0x43E00000), "e5m2": (5, 2, 15, 57344.0, 0x47600000)}


def fp8_table(fmt):
    """The value of every byte of `fmt` (NaN for E4M3FN's 0x7F / 0xFF and
    E5M2's NaNs; infinity for E5M2's 0x7C / 0xFC)."""
    e_bits, m_bits, bias = FORMATS[fmt][:3]
    values = np.empty(256, dtype=np.float64)
    top = (1 << e_bits) - 1
    for byte in range(256):
        sign = -1.0 if byte & 0x80 else 1.0
        exponent, mantissa = (byte >> m_bits) & top, byte & ((1 << m_bits) - 1)
        if fmt == "e4m3" and exponent == top and mantissa == 7:
            values[byte] = np.nan
        elif fmt == "e5m2" and exponent == top:
            values[byte] = sign * np.inf if mantissa == 0 else np.nan
        elif exponent == 0:
            values[byte] = sign * mantissa * 2.0 ** (1 - bias - m_bits)
        else:
            values[byte] = sign * (1 + mantissa / (1 << m_bits)) * 2.0 ** (exponent - bias)
    return values


TABLES = {fmt: fp8_table(fmt) for fmt in FORMATS}


def encode(v, fmt):
    """Bytes of f32 `v` in `fmt`: nearest even, saturating at the largest
    finite value (the integer steps of dialects/lowbit/Fp8.cpp)."""
    _, m_bits, bias, _, max_bits = FORMATS[fmt]
    drop = 23 - m_bits
    v = np.asarray(v, dtype=np.float32)
    bits = v.reshape(-1).view(np.uint32)
    sign = (bits >> 24) & 0x80
    magnitude = np.minimum(bits & 0x7FFFFFFF, np.uint32(max_bits))
    rounded = magnitude + np.uint32((1 << (drop - 1)) - 1) + ((magnitude >> drop) & 1)
    normal = (rounded >> drop) - np.uint32((127 - bias) << m_bits)
    step = np.float32(2.0 ** (bias - 1 + m_bits))
    shifted = (magnitude.view(np.float32) * step + np.float32(8388608)).view(np.uint32)
    subnormal = shifted - np.uint32(0x4B000000)
    code = np.where(magnitude >= np.uint32((128 - bias) << 23), normal, subnormal) | sign
    return code.astype(np.uint8).reshape(v.shape)


def check_encoder(fmt):
    """encode() against the table: every finite value encodes to its byte,
    and random values to the nearest (ties to the even mantissa)."""
    table, largest = TABLES[fmt], FORMATS[fmt][3]
    finite = [b for b in range(256) if np.isfinite(table[b]) and b != 0x80]
    assert all(encode(np.float32(table[b]), fmt) == b for b in finite), fmt
    positive = np.array(sorted(table[b] for b in finite if table[b] >= 0))
    x = np.abs(np.random.default_rng(1).standard_normal(20000).astype(np.float32)
               * np.float32(largest / 10))
    got = table[encode(x, fmt)]
    clipped = np.minimum(x, largest).astype(np.float64)
    nearest = np.abs(positive[None, :] - clipped[:, None]).min(axis=1)
    assert np.all(np.abs(got - clipped) == nearest), f"{fmt} encoding is not nearest"


def expected_product(x, w_kn, fmt):
    largest = np.float32(FORMATS[fmt][3])
    sw = np.float32(np.abs(w_kn).max() / largest)
    sx = np.float32(max(np.abs(x).max() / largest, np.float32(1e-30)))
    wq = TABLES[fmt][encode(w_kn / sw, fmt)]
    xq = TABLES[fmt][encode(x / sx, fmt)]
    return (xq @ wq) * np.float64(sx) * np.float64(sw)


def main():
    args = parse_tool_args(__doc__)
    for fmt in FORMATS:
        check_encoder(fmt)
    rng = np.random.default_rng(0)
    ok = True
    cases = [(f"matmul_m{m}", (m, 256), 256, 70, "matmul") for m in (1, 4, 7)]
    cases += [("gemm", (5, 128), 128, 33, "gemm"), ("batched", (2, 3, 192), 192, 20, "matmul"),
              ("tasks", (70, 320), 320, 21, "gemm"), ("k1024", (1, 1024), 1024, 40, "matmul"),
              ("odd_k", (3, 72), 72, 20, "matmul"), ("dynamic_k", (5, 192), 192, 18, "dynamic")]
    # E5M2: the kernel's other decode and the reference lowering's.
    e5m2 = ("matmul_m1", "gemm", "k1024", "dynamic_k")
    cases += [("e5m2_" + c[0],) + c[1:] for c in cases if c[0] in e5m2]
    for name, x_shape, k, n, kind in cases:
        fmt, mode = ("e5m2", "fp8-e5m2") if name.startswith("e5m2_") else ("e4m3", "fp8")
        # Magnitudes over several binades, so that subnormal codes occur.
        x = (rng.standard_normal(x_shape) * np.exp(rng.uniform(-4, 2, x_shape))).astype(np.float32)
        w = (rng.standard_normal((k, n)) * np.exp(rng.uniform(-4, 1, (k, n)))).astype(np.float32)
        bias = rng.standard_normal(n).astype(np.float32)
        ok &= check_layer(args, name, layer_model(name, kind, x_shape, w, bias), x,
                          layer_output(kind, expected_product(x, w, fmt), bias),
                          [f"--quantize={mode}"])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
