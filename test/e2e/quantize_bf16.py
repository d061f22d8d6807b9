#!/usr/bin/env python3
"""ddlc --quantize=bf16 against an emulation of what it computes.

Builds ONNX models of linear layers (MatMul by [K, N] weights, Gemm with
transB, alpha and a bias, a rank-3 input), compiles each with
`--quantize=bf16`, runs it with ddl-run, and compares with numpy computing
the same thing: weights and inputs rounded to the nearest bf16 (ties to
even, on the f32 bits), their products (exact in f32) summed in float64.
The kernel sums in f32 in its own order, so the bound is 1e-5 of the
output's magnitude; a value left in f32, or truncated instead of rounded,
is off by up to 2^-9 relative per value, far above it (checked: the
emulation without the input's rounding must miss the bound). The shapes
cover the kernel's 4-row tiles and single-row tail, N not a multiple of 4,
M above 64 (its row tasks), K not a multiple of 32 (zero padding); an
input whose K is symbolic runs the reference lowering; a layer with K
below 64 stays f32.

    quantize_bf16.py --ddlc DDLC --ddl-run DDL_RUN --work DIR
        [--target aarch64 --runner "qemu-aarch64 -L /usr/aarch64-linux-gnu"]
"""

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from linear_layers import check_layer, layer_model, layer_output  # noqa: E402
from tool_args import parse_tool_args  # noqa: E402


def to_bf16(a):
    """The bf16 nearest each f32 of `a` (ties to even), as f32."""
    bits = np.ascontiguousarray(a, dtype=np.float32).view(np.uint32).astype(np.uint64)
    rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16 << 16
    return rounded.astype(np.uint32).view(np.float32)


def expected_product(x, w_kn, round_input=True):
    xb = to_bf16(x) if round_input else x
    return xb.astype(np.float64) @ to_bf16(w_kn).astype(np.float64)


def main():
    args = parse_tool_args(__doc__)
    rng = np.random.default_rng(0)
    ok = True
    cases = [(f"bf16_matmul_m{m}", (m, 256), 256, 70, "matmul") for m in (1, 4, 7)]
    cases += [("bf16_gemm", (5, 128), 128, 33, "gemm"),
              ("bf16_batched", (2, 3, 192), 192, 20, "matmul"),
              ("bf16_tasks", (70, 640), 640, 21, "gemm"),
              ("bf16_k100", (3, 100), 100, 24, "matmul"),
              ("bf16_k1024", (1, 1024), 1024, 40, "matmul"),
              ("bf16_kept_k", (3, 48), 48, 20, "matmul"),
              ("bf16_dynamic_k", (5, 320), 320, 18, "dynamic")]
    for name, x_shape, k, n, kind in cases:
        x = rng.standard_normal(x_shape).astype(np.float32)
        w = rng.standard_normal((k, n)).astype(np.float32)
        bias = rng.standard_normal(n).astype(np.float32)
        product = expected_product(x, w) if k >= 64 else x.astype(np.float64) @ w
        expected = layer_output(kind, product, bias)
        ok &= check_layer(args, name, layer_model(name, kind, x_shape, w, bias), x, expected,
                          ["--quantize=bf16"])
        if name == "bf16_k1024":
            # The bound tells rounding from no rounding of the input.
            unrounded = layer_output(kind, expected_product(x, w, round_input=False), bias)
            gap = float(np.abs(unrounded - expected).max() / np.abs(expected).max())
            passed = gap > 1e-5
            print(f"{'PASS' if passed else 'FAIL'} bf16_bound_separates: unrounded input "
                  f"{gap:.2e} from the emulation")
            ok &= passed
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
