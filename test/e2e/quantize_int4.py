#!/usr/bin/env python3
"""ddlc --quantize=int4 against an exact emulation of its quantization.

Builds ONNX models of linear layers (MatMul by [K, N] weights, Gemm with
transB, alpha and a bias, a rank-3 input), compiles each with
`--quantize=int4 --quantize-group=G`, runs it with ddl-run, and compares
with numpy computing the same thing: each output's weights in groups of G
inputs, scale = max |w| / 7, q = round(w / scale) clipped to [-7, 7]
(round half to even, as the compiler's nearbyint), y = x @ (q * scale).
What remains is f32 summation order, so the bound is 1e-5 of the output's
magnitude: a wrong nibble, group, scale or packing is far above it. The
row counts cover the kernel's 4-row tiles and its single-row tail (M = 1
is a decode step's GEMV), N not a multiple of 4 its output tail, K above
512 its chunks of unpacked weights, M above 64 its row tasks; a layer
whose K is not a multiple of G stays f32 and must match to float rounding.

    quantize_int4.py --ddlc DDLC --ddl-run DDL_RUN --work DIR
"""

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from linear_layers import check_layer, layer_model, layer_output  # noqa: E402
from tool_args import parse_tool_args  # noqa: E402


def dequantized(w_kn, group):
    """The int4 weights the compiler makes of w [K, N], dequantized."""
    k, n = w_kn.shape
    w = w_kn.T.reshape(n, k // group, group).astype(np.float32)
    largest = np.abs(w).max(axis=2, keepdims=True)
    scale = np.where(largest > 0, largest / np.float32(7), np.float32(1)).astype(np.float32)
    q = np.clip(np.rint(w / scale), -7, 7)
    return (q * scale).reshape(n, k).T


def main():
    args = parse_tool_args(__doc__)
    rng = np.random.default_rng(0)
    ok = True
    cases = []
    # MatMul [M, K] x [K, N], several M, group 64.
    for m in (1, 4, 7):
        cases.append((f"matmul_m{m}", 64, (m, 256), 256, 70, "matmul"))
    # Gemm with transB, alpha 0.5 and a bias; group 32 and 128.
    cases.append(("gemm_g32", 32, (5, 128), 128, 33, "gemm"))
    cases.append(("gemm_g128", 128, (3, 384), 384, 16, "gemm"))
    # A rank-3 input (batch x sequence x features).
    cases.append(("batched", 64, (2, 3, 192), 192, 20, "matmul"))
    # Several 512-wide chunks of unpacked weights (the last one partial),
    # and more rows than one parallel task's 64.
    cases.append(("chunks", 128, (9, 1280), 1280, 24, "matmul"))
    cases.append(("tasks", 32, (70, 640), 640, 20, "gemm"))
    # K not a multiple of the group: stays f32.
    cases.append(("kept_k", 64, (3, 96), 96, 20, "matmul"))
    for name, group, x_shape, k, n, kind in cases:
        x = rng.standard_normal(x_shape).astype(np.float32)
        w = rng.standard_normal((k, n)).astype(np.float32)
        bias = rng.standard_normal(n).astype(np.float32)
        w_q = dequantized(w, group) if k % group == 0 else w
        expected = layer_output(kind, x.astype(np.float64) @ w_q.astype(np.float64), bias)
        ok &= check_layer(args, name, layer_model(name, kind, x_shape, w, bias), x, expected,
                          ["--quantize=int4", f"--quantize-group={group}"])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
