#!/usr/bin/env python3
"""MaxUnpool against PyTorch's max_unpool2d, over several batches and
channels (the node suite's cases have one of each).

ONNX counts MaxPool's Indices over the whole flattened tensor, PyTorch's
max_pool2d over each (n, c) plane: the script takes PyTorch's pooled
values and plane indices, makes them global for the ONNX model, and
compares ddl's MaxUnpool with torch.nn.functional.max_unpool2d (exact:
the op only moves values). Two cases: strides 2 on an even input, and
strides 1 with pads on an odd one.

    max_unpool.py --ddlc DDLC --ddl-run DDL_RUN --work DIR
"""

import argparse
import os
import subprocess
import sys

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper

CASES = [
    # name, input shape, kernel, stride, padding
    ("stride2", (2, 3, 6, 8), 2, 2, 0),
    ("stride1_padded", (3, 2, 5, 7), 3, 1, 1),
]


def run_case(args, name, shape, kernel, stride, padding):
    torch.manual_seed(0)
    source = torch.randn(*shape)
    pooled, plane = torch.nn.functional.max_pool2d(source, kernel, stride, padding, return_indices=True)
    want = torch.nn.functional.max_unpool2d(pooled, plane, kernel, stride, padding).numpy()
    n, c, h, w = shape
    offsets = torch.arange(n * c).reshape(n, c, 1, 1) * h * w
    indices = (plane + offsets).numpy().astype(np.int64)
    x = pooled.numpy()
    node = helper.make_node("MaxUnpool", ["x", "i"], ["y"], kernel_shape=[kernel, kernel],
                            strides=[stride, stride], pads=[padding] * 4)
    graph = helper.make_graph(
        [node], name,
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(x.shape)),
         helper.make_tensor_value_info("i", TensorProto.INT64, list(indices.shape))],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, list(want.shape))])
    path = os.path.join(args.work, name + ".onnx")
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 11)]), path)
    so = os.path.join(args.work, name + ".so")
    subprocess.run([args.ddlc, path, "-o", so], check=True)
    feeds = []
    for key, value in (("x", x), ("i", indices)):
        np.save(os.path.join(args.work, f"{name}_{key}.npy"), value)
        feeds += ["--input", f"{key}={os.path.join(args.work, f'{name}_{key}.npy')}"]
    out = os.path.join(args.work, name + "_out")
    subprocess.run([args.ddl_run, so, "--output-dir", out] + feeds, check=True,
                   capture_output=True)
    got = np.load(os.path.join(out, "y.npy"))
    ok = got.shape == want.shape and np.array_equal(got, want)
    print(f"{'PASS' if ok else 'FAIL'} {name}: output {list(got.shape)}, expected {list(want.shape)}")
    return ok


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ddlc", required=True)
    parser.add_argument("--ddl-run", dest="ddl_run", required=True)
    parser.add_argument("--work", required=True)
    args = parser.parse_args()
    os.makedirs(args.work, exist_ok=True)
    results = [run_case(args, *case) for case in CASES]
    print(f"max_unpool: {sum(results)} passed, {len(results) - sum(results)} failed")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
