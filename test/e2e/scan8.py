#!/usr/bin/env python3
"""Scan in its opset-8 form (a leading batch axis on states and scan inputs,
the scanned axis 1, `directions`) beyond the node suite's one example of
batch 1: a batch of 3 with a symbolic length, two states and two scan
inputs, the second read backwards, against a NumPy loop.

    scan8.py --ddlc DDLC --ddl-run DDL_RUN --work DIR
"""

import sys

import numpy as np
from onnx import TensorProto, helper

from tool_args import compile_and_run, parse_tool_args

F = TensorProto.FLOAT


def main():
    args = parse_tool_args(__doc__)
    v = helper.make_tensor_value_info
    # Body: s' = s + x, p' = p * z, scan output s' - p'.
    body = helper.make_graph(
        [helper.make_node("Add", ["s", "x"], ["s2"]),
         helper.make_node("Mul", ["p", "z"], ["p2"]),
         helper.make_node("Sub", ["s2", "p2"], ["d"])],
        "body", [v("s", F, [2]), v("p", F, [2]), v("x", F, [2]), v("z", F, [2])],
        [v("s2", F, [2]), v("p2", F, [2]), v("d", F, [2])])
    node = helper.make_node("Scan", ["", "s0", "p0", "xs", "zs"], ["s", "p", "ds"],
                            num_scan_inputs=2, directions=[0, 1], body=body)
    graph = helper.make_graph(
        [node], "scan8",
        [v("s0", F, [3, 2]), v("p0", F, [3, 2]), v("xs", F, [3, "T", 2]), v("zs", F, [3, "T", 2])],
        [v("s", F, [3, 2]), v("p", F, [3, 2]), v("ds", F, [3, "T", 2])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 8)])
    rng = np.random.default_rng(5)
    feeds = {"s0": rng.standard_normal((3, 2)), "p0": rng.standard_normal((3, 2)),
             "xs": rng.standard_normal((3, 5, 2)), "zs": rng.uniform(0.5, 1.5, (3, 5, 2))}
    feeds = {k: x.astype(np.float32) for k, x in feeds.items()}
    out = compile_and_run(args, model, feeds, "scan8")
    s, p = feeds["s0"].copy(), feeds["p0"].copy()
    ds = np.zeros((3, 5, 2), np.float32)
    for t in range(5):
        s = s + feeds["xs"][:, t]
        p = p * feeds["zs"][:, 4 - t]
        ds[:, t] = s - p
    ok = all(np.allclose(out[k], want, rtol=1e-5, atol=1e-6)
             for k, want in (("s", s), ("p", p), ("ds", ds)))
    print(f"{'PASS' if ok else 'FAIL'} scan8: batch 3, T = 5, one input reversed")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
