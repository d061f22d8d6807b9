#!/usr/bin/env python3
"""ddlc --quantize=ternary / ternary-1.6 against an exact emulation of its
quantization.

Builds ONNX models of linear layers (MatMul by [K, N] weights, Gemm with
transB, alpha and a bias, a rank-3 input), compiles each with
`--quantize=MODE`, runs it with ddl-run, and compares with numpy computing
the same thing: each output's weights scaled by their mean magnitude,
t = round(w / gamma) clipped to [-1, 1]; each input row scaled by its
largest magnitude / 127, xq = round(x / s) clipped to [-127, 127] (round
half to even, as the compiler's nearbyint / nn.round); y = f32(xq @ t.T)
* s * gamma. The integer product is exact in both, so what remains is f32
rounding of the scales (bound 1e-5 of the output's magnitude): a wrong
trit, digit, block, row sum or scale is far above it. The shapes cover
the kernel's 4-row tiles and single-row tail (M = 1 is a decode step's
GEMV), N not a multiple of 4 (its output tail), M above 64 (its row
tasks), and for the base-3 packing K below 320 (2-bit blocks only), K a
multiple of 320 (base-3 blocks only) and K with both; an input whose K is
symbolic runs the reference lowering (the kernels need K at compile time);
a layer whose K is not a multiple of 64 stays f32 and must match to float
rounding. The lookup-table kernel (`--ternary-kernel=lut`) runs the last
cases, from both packings, one with its rows in two chunks.

    quantize_ternary.py --ddlc DDLC --ddl-run DDL_RUN --work DIR
        [--target aarch64 --runner "qemu-aarch64 -L /usr/aarch64-linux-gnu"]
"""

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from linear_layers import check_layer, layer_model, layer_output  # noqa: E402
from tool_args import parse_tool_args  # noqa: E402


def ternary(w_kn):
    """The trits [K, N] and per-output scales [N] the compiler makes of w."""
    gamma = np.abs(w_kn.astype(np.float64)).mean(axis=0).astype(np.float32)
    gamma = np.where(gamma > 0, gamma, np.float32(1))
    t = np.clip(np.rint(w_kn / gamma), -1, 1)
    return t, gamma


def expected_product(x, w_kn):
    """x @ w as the compiler quantizes it (x's last axis is K)."""
    t, gamma = ternary(w_kn)
    s = np.maximum(np.abs(x).max(axis=-1, keepdims=True) / np.float32(127), np.float32(1e-30))
    xq = np.clip(np.rint(x / s), -127, 127)
    acc = (xq.astype(np.int64) @ t.astype(np.int64)).astype(np.float32)
    return acc * s * gamma


def main():
    args = parse_tool_args(__doc__)
    rng = np.random.default_rng(0)
    ok = True
    cases = []
    for mode in ("ternary", "ternary-1.6"):
        tag = "t2" if mode == "ternary" else "t16"
        for m in (1, 4, 7):
            cases.append((f"{tag}_matmul_m{m}", mode, (m, 256), 256, 70, "matmul"))
        cases.append((f"{tag}_gemm", mode, (5, 128), 128, 33, "gemm"))
        cases.append((f"{tag}_batched", mode, (2, 3, 192), 192, 20, "matmul"))
        cases.append((f"{tag}_tasks", mode, (70, 640), 640, 21, "gemm"))
        cases.append((f"{tag}_k960", mode, (9, 960), 960, 24, "matmul"))
        cases.append((f"{tag}_k1024", mode, (1, 1024), 1024, 40, "matmul"))
        cases.append((f"{tag}_kept_k", mode, (3, 96), 96, 20, "matmul"))
        # K known only at run time: the reference lowering (linalg).
        cases.append((f"{tag}_dynamic_k", mode, (5, 704), 704, 18, "dynamic"))
    cases = [case + ("auto",) for case in cases]
    # The lookup-table kernel, from both packings: N past a block of
    # outputs and not a multiple of one (16 on Arm, 64 with AVX-512), its
    # 4-row tiles and single rows, K with a partial chunk of 128 inputs.
    for mode in ("ternary", "ternary-1.6"):
        tag = "lut2" if mode == "ternary" else "lut16"
        cases.append((f"{tag}_m1", mode, (1, 704), 704, 70, "matmul", "lut"))
        cases.append((f"{tag}_gemm", mode, (6, 256), 256, 133, "gemm", "lut"))
        cases.append((f"{tag}_batched", mode, (2, 3, 192), 192, 20, "matmul", "lut"))
    # Rows in two chunks (the tables of 64 rows at K = 8192 fill the 8 MB
    # the kernel holds at once).
    cases.append(("lut2_chunks", "ternary", (70, 8192), 8192, 20, "matmul", "lut"))
    for name, mode, x_shape, k, n, kind, kernel in cases:
        x = rng.standard_normal(x_shape).astype(np.float32)
        w = rng.standard_normal((k, n)).astype(np.float32)
        bias = rng.standard_normal(n).astype(np.float32)
        product = expected_product(x, w) if k % 64 == 0 else x.astype(np.float64) @ w
        flags = [f"--quantize={mode}"] + ([] if kernel == "auto" else [f"--ternary-kernel={kernel}"])
        ok &= check_layer(args, name, layer_model(name, kind, x_shape, w, bias), x,
                          layer_output(kind, product, bias), flags)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
