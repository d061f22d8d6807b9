#!/usr/bin/env python3
"""lowbit.matmul end to end: exact i32 results against NumPy.

Each case writes a `func.func @main` whose lowbit.matmul has constant
weights and zero points (u8 or s8 activations and weights; a scalar or a
per-column weight zero point; K not a multiple of 4, N not a multiple of
64, rows not a multiple of 4, leading batch dims, a dynamic row count),
compiles it with ddlc (the VNNI kernel on a host with AVX-512 VNNI, the
linalg reference lowering elsewhere) and compares ddl-run's output with
int64 NumPy: the results must be equal.

    int8_matmul.py --ddlc DDLC --ddl-run DDL_RUN --work DIR
"""

import os
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from tool_args import parse_tool_args  # noqa: E402

CASES = [
    # (rows, K, N, lhs unsigned, rhs unsigned, per-column zero point, batch)
    (5, 64, 32, True, False, False, None),
    (7, 67, 100, False, False, True, None),
    (1, 130, 70, True, True, True, None),
    (9, 3, 17, False, True, False, 2),
    (64, 256, 192, True, False, False, None),
]


def dense(values, element):
    if values.ndim == 0:
        return f"dense<{int(values)}> : tensor<{element}>"
    text = np.array2string(values.astype(np.int64), separator=", ", threshold=1 << 30)
    shape = "x".join(map(str, values.shape))
    return f"dense<{text.replace(chr(10), '')}> : tensor<{shape}x{element}>"


def run_case(args, index, rows, k, n, lhs_unsigned, rhs_unsigned, per_column, batch, rng):
    lhs_type, rhs_type = ("ui8" if lhs_unsigned else "i8"), ("ui8" if rhs_unsigned else "i8")
    lhs_range = (0, 256) if lhs_unsigned else (-128, 128)
    rhs_range = (0, 256) if rhs_unsigned else (-128, 128)
    lhs_dtype = np.uint8 if lhs_unsigned else np.int8
    rhs_dtype = np.uint8 if rhs_unsigned else np.int8
    weights = rng.integers(*rhs_range, (k, n)).astype(rhs_dtype)
    lhs_zero = np.array(rng.integers(*lhs_range), dtype=lhs_dtype)
    rhs_zero = rng.integers(*rhs_range, (n,) if per_column else ()).astype(rhs_dtype)
    lead = [batch] if batch else []
    a_shape = "x".join(map(str, lead + ["?", k]))
    y_shape = "x".join(map(str, lead + ["?", n]))
    zero_type = f"{n}x{rhs_type}" if per_column else rhs_type
    mlir = f"""func.func @main(%a: tensor<{a_shape}x{lhs_type}>) -> tensor<{y_shape}xi32> {{
  %w = nn.constant {dense(weights, rhs_type)}
  %za = nn.constant {dense(lhs_zero, lhs_type)}
  %zw = nn.constant {dense(rhs_zero, rhs_type)}
  %y = lowbit.matmul %a, %w, %za, %zw {{lhs_unsigned = {str(lhs_unsigned).lower()}, \
rhs_unsigned = {str(rhs_unsigned).lower()}}} : (tensor<{a_shape}x{lhs_type}>, \
tensor<{k}x{n}x{rhs_type}>, tensor<{lhs_type}>, tensor<{zero_type}>) -> tensor<{y_shape}xi32>
  return %y : tensor<{y_shape}xi32>
}}
"""
    stem = os.path.join(args.work, f"case{index}")
    with open(stem + ".mlir", "w") as f:
        f.write(mlir)
    subprocess.run([args.ddlc, stem + ".mlir", "-o", stem + ".so"], check=True)
    a = rng.integers(*lhs_range, lead + [rows, k]).astype(lhs_dtype)
    np.save(stem + "_a.npy", a)
    subprocess.run([args.ddl_run, stem + ".so", "--input", stem + "_a.npy",
                    "--threads", "2", "--output-dir", stem + "_out"],
                   check=True, capture_output=True)
    got = np.load(os.path.join(stem + "_out", "output0.npy"))
    centered_weights = weights.astype(np.int64) - rhs_zero.astype(np.int64)
    want = (a.astype(np.int64) - int(lhs_zero)) @ centered_weights
    ok = got.shape == want.shape and np.array_equal(got, want.astype(np.int32))
    print(f"{'PASS' if ok else 'FAIL'} rows={rows} K={k} N={n} lhs={lhs_type} rhs={rhs_type} "
          f"{'per-column' if per_column else 'scalar'} zero point"
          f"{f' batch={batch}' if batch else ''}")
    return ok


def main():
    args = parse_tool_args(__doc__)
    rng = np.random.default_rng(0)
    results = [run_case(args, i, *case, rng) for i, case in enumerate(CASES)]
    print(f"int8 matmul: {sum(results)} passed, {len(results) - sum(results)} failed")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
