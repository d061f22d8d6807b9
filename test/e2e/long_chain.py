#!/usr/bin/env python3
"""A model of 3,000 elementwise nodes in a row (issue 17's resource limits):
ddl-fuse-elementwise cuts the chain into fused loops of at most 256
operations (a whole-chain loop made compile time quadratic: 8,000 nodes
took 21 s, 100,000 hours), and the compiled model still computes the
chain. Prints "long chain: N loops, at most M operations, matches numpy"."""

import argparse
import os
import re
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper

p = argparse.ArgumentParser()
p.add_argument("--ddlc", required=True)
p.add_argument("--ddl-run", required=True)
p.add_argument("--nodes", type=int, default=3000)
args = p.parse_args()

ops = ["Sin", "Neg", "Tanh", "Abs"]
n = args.nodes
nodes = [helper.make_node(ops[i % len(ops)], [f"v{i}" if i else "x"], [f"v{i + 1}"]) for i in range(n)]
graph = helper.make_graph(nodes, "chain", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [64])],
                          [helper.make_tensor_value_info(f"v{n}", TensorProto.FLOAT, [64])])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
x = np.linspace(-3, 3, 64, dtype=np.float32)
want = x.astype(np.float64)
for i in range(n):
    want = [np.sin, np.negative, np.tanh, np.abs][i % 4](want)

with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "chain.onnx")
    onnx.save(model, path)
    linalg = subprocess.run([args.ddlc, path, "--emit=linalg", "-o", "-"], capture_output=True, text=True,
                            check=True).stdout
    bodies = re.findall(r"linalg\.generic.*?\{\n(.*?)linalg\.yield", linalg, re.S)
    sizes = [len(b.strip().splitlines()) for b in bodies]
    subprocess.run([args.ddlc, path, "-o", os.path.join(tmp, "chain.so")], check=True)
    np.save(os.path.join(tmp, "x.npy"), x)
    subprocess.run([args.ddl_run, os.path.join(tmp, "chain.so"), "--input", os.path.join(tmp, "x.npy"),
                    "--output-dir", tmp], check=True, capture_output=True)
    got = np.load(os.path.join(tmp, f"v{n}.npy"))

if not np.allclose(got, want, rtol=1e-4, atol=1e-5):
    sys.exit(f"long chain: the compiled chain differs from numpy by {np.abs(got - want).max():.3g}")
print(f"long chain: {len(sizes)} loops, at most {max(sizes)} operations, matches numpy")
