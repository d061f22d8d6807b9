#!/usr/bin/env python3
"""QDQ linear layers (QuantizeLinear/DequantizeLinear around MatMul, as ONNX
Runtime's quantization tool writes them) run on the int8 matmul.

Builds with onnx.helper a model `y = DQ(Q(x)) @ DQ(Wq)` for u8 activations
(per-tensor scale and zero point) and s8 weights with per-tensor and
per-column (axis 1) scales, and, as a control, one whose weights are f32
(no int8 product possible). Checks that ddlc's graph holds lowbit.matmul
exactly for the QDQ ones, and that ddl-run's output matches a float64
NumPy evaluation of the ONNX semantics within 1e-5 relative (the integer
product is exact; only the final f32 rescale rounds).

    qdq_models.py --ddlc DDLC --ddl-run DDL_RUN --work DIR
"""

import os
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tool_args import parse_tool_args  # noqa: E402


def model(path, m, k, n, per_column, float_weights, rng):
    x_scale, x_zero = np.float32(0.05), np.uint8(128)
    weights = rng.integers(-127, 128, (k, n)).astype(np.int8)
    w_scale = (rng.random(n).astype(np.float32) * 0.02 + 0.001) if per_column \
        else np.float32(0.01)
    w_zero = np.zeros(n, np.int8) if per_column else np.int8(0)
    inits = [numpy_helper.from_array(np.array(x_scale), "x_scale"),
             numpy_helper.from_array(np.array(x_zero), "x_zero"),
             numpy_helper.from_array(np.asarray(w_scale), "w_scale"),
             numpy_helper.from_array(np.asarray(w_zero), "w_zero")]
    nodes = [helper.make_node("QuantizeLinear", ["x", "x_scale", "x_zero"], ["xq"]),
             helper.make_node("DequantizeLinear", ["xq", "x_scale", "x_zero"], ["xd"])]
    w_real = (weights.astype(np.float64) - np.asarray(w_zero, np.float64)) * w_scale
    if float_weights:
        inits.append(numpy_helper.from_array(w_real.astype(np.float32), "wd"))
    else:
        inits.append(numpy_helper.from_array(weights, "wq"))
        nodes.append(helper.make_node("DequantizeLinear", ["wq", "w_scale", "w_zero"], ["wd"],
                                      axis=1))
    nodes.append(helper.make_node("MatMul", ["xd", "wd"], ["y"]))
    graph = helper.make_graph(
        nodes, "qdq", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [m, k])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [m, n])], inits)
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), path)
    x = rng.standard_normal((m, k)).astype(np.float32) * 3
    xq = np.clip(np.round(x / x_scale) + x_zero, 0, 255)
    x_real = (xq - np.float64(x_zero)) * x_scale
    w_used = w_real.astype(np.float32).astype(np.float64) if float_weights else w_real
    return x, x_real @ w_used


def main():
    args = parse_tool_args(__doc__)
    rng = np.random.default_rng(0)
    ok = True
    for name, per_column, float_weights in (("per-tensor", False, False),
                                            ("per-column", True, False),
                                            ("float-weights", False, True)):
        path = os.path.join(args.work, name + ".onnx")
        x, want = model(path, 33, 96, 80, per_column, float_weights, rng)
        graph = subprocess.run([args.ddlc, path, "--emit=graph", "-o", "-"], check=True,
                               capture_output=True, text=True).stdout
        integer = "lowbit.matmul" in graph
        so = os.path.join(args.work, name + ".so")
        subprocess.run([args.ddlc, path, "-o", so], check=True)
        x_path = os.path.join(args.work, name + "_x.npy")
        np.save(x_path, x)
        out_dir = os.path.join(args.work, name + "_out")
        subprocess.run([args.ddl_run, so, "--input", f"x={x_path}", "--output-dir", out_dir],
                       check=True, capture_output=True)
        got = np.load(os.path.join(out_dir, "y.npy")).astype(np.float64)
        err = float(np.abs(got - want).max() / np.abs(want).max())
        passed = integer == (not float_weights) and err < 1e-5
        ok &= passed
        print(f"{'PASS' if passed else 'FAIL'} {name}: int8 matmul "
              f"{'yes' if integer else 'no'}, relative error {err:.1e}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
