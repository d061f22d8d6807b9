#!/usr/bin/env python3
"""Times ddlc's import of a ~100 MB ONNX model and measures its peak memory.

Builds a synthetic MLP whose initializers total the requested size (random
weights; nothing is downloaded), once with the weights inside the model and
once as external data next to it, then runs `ddlc --emit=graph` on each
(writing MLIR bytecode to /dev/null) and reports wall time, peak resident
memory of the ddlc process, and peak memory as a multiple of the model size.

    /usr/bin/python3 bench/onnx_import_large.py --ddlc build/bin/ddlc
"""

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def make_model(megabytes, width=1024):
    layers = max(1, int(megabytes * 2**20 / (width * width * 4)))
    rng = np.random.default_rng(0)
    nodes, inits = [], []
    x = "x"
    for i in range(layers):
        w = numpy_helper.from_array(
            rng.standard_normal((width, width), dtype=np.float32), f"w{i}")
        inits.append(w)
        nodes.append(helper.make_node("MatMul", [x, f"w{i}"], [f"h{i}"]))
        nodes.append(helper.make_node("Relu", [f"h{i}"], [f"r{i}"]))
        x = f"r{i}"
    graph = helper.make_graph(
        nodes, "mlp",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", width])],
        [helper.make_tensor_value_info(x, TensorProto.FLOAT, ["batch", width])],
        inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])


def run(ddlc, path):
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    proc = subprocess.run([ddlc, path, "--emit-bytecode", "-o", os.devnull],
                          capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if proc.returncode != 0:
        sys.exit(f"ddlc failed on {path}:\n{proc.stderr}")
    # ru_maxrss of children is the maximum over all children so far: run the
    # largest case first or read it per process. Each run here is its own
    # interpreter-level child, so report the running maximum honestly.
    return elapsed, max(peak_kib, before) * 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ddlc", default="build/bin/ddlc")
    parser.add_argument("--megabytes", type=float, default=100)
    args = parser.parse_args()
    model = make_model(args.megabytes)
    with tempfile.TemporaryDirectory() as tmp:
        inline = os.path.join(tmp, "inline.onnx")
        onnx.save_model(model, inline)
        size = os.path.getsize(inline)
        external_dir = os.path.join(tmp, "external")
        os.makedirs(external_dir)
        external = os.path.join(external_dir, "model.onnx")
        onnx.save_model(model, external, save_as_external_data=True,
                        all_tensors_to_one_file=True, location="weights.bin")
        print(f"model: {size / 2**20:.1f} MiB of ONNX "
              f"({len(model.graph.initializer)} initializers)")
        print("| variant | import time (s) | ddlc peak RSS (MiB) | peak / model size |")
        print("|---|---|---|---|")
        for name, path in (("weights inside the model", inline),
                           ("external data", external)):
            # A fresh interpreter per run so ru_maxrss is this run's alone.
            out = subprocess.run(
                [sys.executable, "-c",
                 "import resource, subprocess, sys, time;"
                 "t = time.perf_counter();"
                 "p = subprocess.run(sys.argv[1:], capture_output=True);"
                 "e = time.perf_counter() - t;"
                 "r = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss;"
                 "print(p.returncode, e, r)",
                 args.ddlc, path, "--emit-bytecode", "-o", os.devnull],
                capture_output=True, text=True, check=True).stdout.split()
            rc, elapsed, peak_kib = int(out[0]), float(out[1]), int(out[2])
            if rc != 0:
                sys.exit(f"ddlc failed on {path}")
            peak = peak_kib * 1024
            print(f"| {name} | {elapsed:.2f} | {peak / 2**20:.0f} | {peak / size:.2f}x |")


if __name__ == "__main__":
    main()
