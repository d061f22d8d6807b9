#!/usr/bin/env python3
"""MaxPool's Indices output and MaxUnpool against PyTorch's max_pool2d
(return_indices) and max_unpool2d, over several batches and channels (the
node suite's cases have one of each).

ONNX counts MaxPool's Indices over the whole flattened tensor, PyTorch's
max_pool2d over each (n, c) plane: the script makes PyTorch's plane
indices global, then checks ddl's MaxPool (Y and Indices) on the source
and ddl's MaxUnpool of PyTorch's pooled values and indices against
torch.nn.functional.max_unpool2d (all exact: the ops only move values).
Cases: strides 2 on an even input; strides 1 with pads on an odd one;
dilation 2 with ceil_mode (MaxPool only: max_unpool2d has no dilation).

    max_pool_indices.py --ddlc DDLC --ddl-run DDL_RUN --work DIR
"""

import sys

import numpy as np
import torch
from onnx import TensorProto, helper

from tool_args import compile_and_run, parse_tool_args

CASES = [
    # name, input shape, kernel, stride, padding, dilation, ceil_mode
    ("stride2", (2, 3, 6, 8), 2, 2, 0, 1, False),
    ("stride1_padded", (3, 2, 5, 7), 3, 1, 1, 1, False),
    ("dilated_ceil", (2, 2, 9, 10), 2, 2, 1, 2, True),
]


def run_graph(args, name, nodes, feeds, outputs):
    """ddl's outputs (name, dtype, shape) of a one-graph ONNX model (opset
    12) on `feeds`."""
    types = {np.dtype(np.float32): TensorProto.FLOAT, np.dtype(np.int64): TensorProto.INT64}
    graph = helper.make_graph(
        nodes, name,
        [helper.make_tensor_value_info(k, types[v.dtype], list(v.shape)) for k, v in feeds.items()],
        [helper.make_tensor_value_info(k, types[np.dtype(t)], list(shape)) for k, t, shape in outputs])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 12)])
    results = compile_and_run(args, model, feeds, name)
    return [results[k] for k, _, _ in outputs]


def run_case(args, name, shape, kernel, stride, padding, dilation, ceil):
    torch.manual_seed(0)
    source = torch.randn(*shape)
    pooled, plane = torch.nn.functional.max_pool2d(source, kernel, stride, padding, dilation, ceil,
                                                   return_indices=True)
    n, c, h, w = shape
    indices = (plane + torch.arange(n * c).reshape(n, c, 1, 1) * h * w).numpy().astype(np.int64)
    window = dict(kernel_shape=[kernel, kernel], strides=[stride, stride], pads=[padding] * 4)
    pool = helper.make_node("MaxPool", ["x"], ["y", "i"], dilations=[dilation, dilation],
                            ceil_mode=int(ceil), **window)
    y, i = run_graph(args, name + "_pool", [pool], {"x": source.numpy()},
                     [("y", np.float32, pooled.shape), ("i", np.int64, pooled.shape)])
    ok = np.array_equal(y, pooled.numpy()) and np.array_equal(i, indices)
    print(f"{'PASS' if ok else 'FAIL'} {name} MaxPool: Y and Indices {list(i.shape)}")
    if dilation != 1:
        return ok
    want = torch.nn.functional.max_unpool2d(pooled, plane, kernel, stride, padding).numpy()
    unpool = helper.make_node("MaxUnpool", ["x", "i"], ["y"], **window)
    (got,) = run_graph(args, name + "_unpool", [unpool], {"x": pooled.numpy(), "i": indices},
                       [("y", np.float32, want.shape)])
    unpooled = got.shape == want.shape and np.array_equal(got, want)
    print(f"{'PASS' if unpooled else 'FAIL'} {name} MaxUnpool: output {list(got.shape)}, "
          f"expected {list(want.shape)}")
    return ok and unpooled


def main():
    args = parse_tool_args(__doc__)
    results = [run_case(args, *case) for case in CASES]
    print(f"max pool indices: {sum(results)} passed, {len(results) - sum(results)} failed")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
