#!/usr/bin/env python3
"""Matrix products whose rows or batch span several dynamic sizes, against
NumPy.

They lower to one linalg.matmul (rows folded into M) or one
linalg.batch_matmul (batch dims folded), whose product is expanded back to
a shape with two dynamic sizes in one group: the reshape upstream's
expand-strided-metadata cannot lower and ddl-dynamic-expand-shape does. One
ONNX model with symbolic dims (b, s, t) holds a linear layer over
[b, s, K], one over [b, heads, s, K] (constant weights), attention scores
[b, heads, s, d] x [b, heads, d, t], a matrix-vector product and a float16
linear layer; it is compiled once and run at two sets of sizes, each output
compared with NumPy (atol 1e-4 + rtol 1e-4; 1e-2 for float16).

    dynamic_matmul.py --ddlc DDLC --ddl-run DDL_RUN --work DIR
"""

import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper

from tool_args import compile_and_run, parse_tool_args


def main():
    args = parse_tool_args(__doc__)
    rng = np.random.default_rng(0)
    w1 = rng.standard_normal((16, 24)).astype(np.float32)
    w2 = rng.standard_normal((8, 6)).astype(np.float32)
    v = rng.standard_normal((16,)).astype(np.float32)
    w3 = rng.standard_normal((16, 5)).astype(np.float16)
    f = TensorProto.FLOAT
    inputs = [
        helper.make_tensor_value_info("x", f, ["b", "s", 16]),
        helper.make_tensor_value_info("h", f, ["b", 4, "s", 8]),
        helper.make_tensor_value_info("q", f, ["b", 4, "s", 16]),
        helper.make_tensor_value_info("k", f, ["b", 4, 16, "t"]),
        helper.make_tensor_value_info("x16", TensorProto.FLOAT16, ["b", "s", 16]),
    ]
    outputs = [
        helper.make_tensor_value_info("linear", f, ["b", "s", 24]),
        helper.make_tensor_value_info("heads", f, ["b", 4, "s", 6]),
        helper.make_tensor_value_info("scores", f, ["b", 4, "s", "t"]),
        helper.make_tensor_value_info("vector", f, ["b", "s"]),
        helper.make_tensor_value_info("half", TensorProto.FLOAT16, ["b", "s", 5]),
    ]
    nodes = [
        helper.make_node("MatMul", ["x", "w1"], ["linear"]),
        helper.make_node("MatMul", ["h", "w2"], ["heads"]),
        helper.make_node("MatMul", ["q", "k"], ["scores"]),
        helper.make_node("MatMul", ["x", "v"], ["vector"]),
        helper.make_node("MatMul", ["x16", "w3"], ["half"]),
    ]
    weights = [numpy_helper.from_array(a, n) for a, n in ((w1, "w1"), (w2, "w2"), (v, "v"), (w3, "w3"))]
    model = helper.make_model(helper.make_graph(nodes, "dynamic_matmul", inputs, outputs, weights),
                              opset_imports=[helper.make_opsetid("", 17)])
    failed = total = 0
    for b, s, t in ((2, 3, 5), (3, 7, 4)):
        feeds = {
            "x": rng.standard_normal((b, s, 16)).astype(np.float32),
            "h": rng.standard_normal((b, 4, s, 8)).astype(np.float32),
            "q": rng.standard_normal((b, 4, s, 16)).astype(np.float32),
            "k": rng.standard_normal((b, 4, 16, t)).astype(np.float32),
            "x16": rng.standard_normal((b, s, 16)).astype(np.float16),
        }
        want = {
            "linear": feeds["x"] @ w1,
            "heads": feeds["h"] @ w2,
            "scores": feeds["q"] @ feeds["k"],
            "vector": feeds["x"] @ v,
            "half": (feeds["x16"].astype(np.float32) @ w3.astype(np.float32)).astype(np.float16),
        }
        got = compile_and_run(args, model, feeds, f"dynamic_matmul_{b}_{s}_{t}")
        for name, expected in want.items():
            tol = 1e-2 if expected.dtype == np.float16 else 1e-4
            result = got[name]
            ok = result.shape == expected.shape and np.allclose(
                result.astype(np.float32), expected.astype(np.float32), atol=tol, rtol=tol)
            total += 1
            failed += not ok
            err = float(np.abs(result.astype(np.float32) - expected.astype(np.float32)).max()) \
                if result.shape == expected.shape else float("inf")
            print(f"{'PASS' if ok else 'FAIL'} {name} b={b} s={s} t={t}: max abs error {err:.1e}")
    print(f"dynamic_matmul: {total - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
