#!/usr/bin/env python3
"""Accuracy of ddl's transcendental functions (inline polynomial
approximations on f32, see ddl-approximate-math) against float64 NumPy /
math over wide ranges, edge cases included (0, ±inf, NaN, denormals,
overflow and underflow boundaries). One ONNX model with a unary op per
output, compiled with ddlc and run with ddl-run.

    /usr/bin/python3 test/e2e/lowering/math_accuracy.py --ddlc build/bin/ddlc \
        --ddl-run build/bin/ddl-run --work /tmp/acc

Prints per function the worst error in ulps of float32 (away from the
edge cases) and whether the edge cases match, then
"math accuracy: N passed, M failed". The bound per function is what the
ONNX tolerances (rtol 1e-3) leave with a wide margin: a few ulps.
"""

import argparse
import math
import os
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper

# op: (reference on float64, (lo, hi) of the sampled range, bound in ulps)
FUNCTIONS = {
    "Exp": (np.exp, (-87.0, 88.5), 4),
    "Log": (np.log, (1e-30, 1e30), 4),
    "Tanh": (np.tanh, (-12.0, 12.0), 8),
    "Erf": (np.vectorize(math.erf), (-6.0, 6.0), 8),
    "Sigmoid": (lambda x: 1.0 / (1.0 + np.exp(-x)), (-80.0, 80.0), 8),
    "Softplus": (lambda x: np.log1p(np.exp(x)), (-80.0, 80.0), 8),
}
EDGES = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1e-45, -1e-45, 1e-38,
                  88.7, 89.0, -87.5, -104.0, -200.0, 200.0, 1.0, -1.0], np.float32)


def ulps(got, want):
    """|got - want| in units of float32 spacing at `want`."""
    spacing = np.spacing(np.abs(want).astype(np.float32)).astype(np.float64)
    spacing = np.maximum(spacing, np.float64(np.finfo(np.float32).smallest_subnormal))
    return np.abs(got.astype(np.float64) - want) / spacing


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--ddlc", required=True)
    p.add_argument("--ddl-run", required=True)
    p.add_argument("--work", required=True)
    p.add_argument("--points", type=int, default=200000)
    args = p.parse_args()
    os.makedirs(args.work, exist_ok=True)
    rng = np.random.default_rng(0)
    nodes, inputs, outputs, data = [], [], [], {}
    for op, (ref, (lo, hi), _) in FUNCTIONS.items():
        if lo > 0:  # log-uniform over a positive range
            x = np.exp(rng.uniform(np.log(lo), np.log(hi), args.points))
        else:
            x = rng.uniform(lo, hi, args.points)
        x = np.concatenate([x.astype(np.float32), EDGES])
        data[op] = x
        inputs.append(helper.make_tensor_value_info(f"x_{op}", TensorProto.FLOAT, [len(x)]))
        outputs.append(helper.make_tensor_value_info(f"y_{op}", TensorProto.FLOAT, [len(x)]))
        nodes.append(helper.make_node(op, [f"x_{op}"], [f"y_{op}"], name=op.lower()))
    model = helper.make_model(helper.make_graph(nodes, "math", inputs, outputs),
                              opset_imports=[helper.make_opsetid("", 13)])
    path = os.path.join(args.work, "math.onnx")
    so = os.path.join(args.work, "math.so")
    onnx.save(model, path)
    subprocess.run([args.ddlc, path, "-o", so], check=True)
    cmd = [args.ddl_run, so, "--output-dir", os.path.join(args.work, "out")]
    for op, x in data.items():
        np.save(os.path.join(args.work, f"x_{op}.npy"), x)
        cmd += ["--input", f"x_{op}={os.path.join(args.work, f'x_{op}.npy')}"]
    subprocess.run(cmd, check=True, capture_output=True)
    passed = failed = 0
    for op, (ref, _, bound) in FUNCTIONS.items():
        x = data[op]
        got = np.load(os.path.join(args.work, "out", f"y_{op}.npy"))
        with np.errstate(all="ignore"):
            want = ref(x.astype(np.float64))
        n = args.points
        worst = float(np.max(ulps(got[:n], want[:n])))
        # Edge cases: the float32-rounded reference, NaN where it is NaN,
        # within the same ulp bound otherwise (inf == inf).
        want32 = want[n:].astype(np.float32)
        same = (np.isnan(got[n:]) == np.isnan(want32))
        finite = np.isfinite(want32) & ~np.isnan(got[n:])
        same &= np.where(np.isinf(want32), got[n:] == want32, True)
        same &= np.where(finite, ulps(got[n:], want[n:]) <= bound, True)
        ok = worst <= bound and bool(same.all())
        passed += ok
        failed += not ok
        bad = [f"{float(a)}->{float(b)} (want {float(c)})"
               for a, b, c, s in zip(x[n:], got[n:], want32, same) if not s]
        print(f"{'' if ok else 'FAIL '}{op}: worst {worst:.2f} ulp (bound {bound}), "
              f"edge cases {'ok' if same.all() else 'WRONG ' + ', '.join(bad)}")
    print(f"math accuracy: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
