#!/usr/bin/env python3
"""ONNX Unique beyond the node suite, against numpy.unique (sorted = 1) and
its first-occurrence reordering (sorted = 0):

  many       1000 int64 values drawn from 37 (many repeats), both orders
  rows       [200, 3] int32 rows from a small alphabet, axis 0 (rows that
             tie on their first columns), both orders
  middle     a [4, 60, 2] float tensor, axis 1 (slices of 8 values)
  symbolic   a symbolic length (N), run at N = 1 and N = 0 (empty outputs)

All four outputs (Y, indices, inverse_indices, counts) must match exactly.

    unique.py --ddlc DDLC --ddl-run DDL_RUN --work DIR
"""

import sys

import numpy as np
from onnx import TensorProto, helper

from tool_args import compile_and_run, parse_tool_args

OUTS = ("y", "indices", "inverse", "counts")


def reference(x, axis, sort):
    y, idx, inv, cnt = np.unique(x, return_index=True, return_inverse=True,
                                 return_counts=True, axis=axis)
    inv = inv.reshape(-1)
    if not sort:
        order = np.argsort(idx, kind="stable")
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order))
        y = np.take(y, order, axis=0 if axis is None else axis)
        idx, cnt, inv = idx[order], cnt[order], rank[inv]
    return {"y": y, "indices": idx, "inverse": inv, "counts": cnt}


def unique_model(elem, shape, axis, sort):
    attrs = {"sorted": int(sort)}
    if axis is not None:
        attrs["axis"] = axis
    node = helper.make_node("Unique", ["x"], list(OUTS), **attrs)
    rank = len(shape) if axis is not None else 1
    outputs = [helper.make_tensor_value_info("y", elem, [None] * rank)] + [
        helper.make_tensor_value_info(n, TensorProto.INT64, [None]) for n in OUTS[1:]]
    graph = helper.make_graph([node], "unique", [helper.make_tensor_value_info("x", elem, shape)],
                              outputs)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def main():
    args = parse_tool_args(__doc__)
    rng = np.random.default_rng(11)
    cases = [
        ("many", rng.integers(0, 37, 1000).astype(np.int64), TensorProto.INT64, None),
        ("rows", rng.integers(0, 3, (200, 3)).astype(np.int32), TensorProto.INT32, 0),
        ("middle", rng.integers(0, 2, (4, 60, 2)).astype(np.float32), TensorProto.FLOAT, 1),
    ]
    results = []
    for name, x, elem, axis in cases:
        for sort in (True, False):
            got = compile_and_run(args, unique_model(elem, list(x.shape), axis, sort),
                                  {"x": x}, f"{name}_{int(sort)}")
            want = reference(x, axis, sort)
            ok = all(got[k].shape == want[k].shape and np.array_equal(got[k], want[k]) for k in OUTS)
            print(f"{'PASS' if ok else 'FAIL'} {name} sorted={int(sort)}: "
                  f"{len(want['counts'])} unique")
            results.append(ok)
    model = unique_model(TensorProto.FLOAT, ["N"], None, True)
    for size in (1, 0):
        x = rng.standard_normal(size).astype(np.float32)
        got = compile_and_run(args, model, {"x": x}, f"symbolic{size}")
        want = reference(x, None, True)
        ok = all(got[k].shape == want[k].shape and np.array_equal(got[k], want[k]) for k in OUTS)
        print(f"{'PASS' if ok else 'FAIL'} symbolic N={size}")
        results.append(ok)
    passed = sum(results)
    print(f"unique: {passed} passed, {len(results) - passed} failed")
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
