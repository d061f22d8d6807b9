#!/usr/bin/env python3
"""Pathological models end in a result or a diagnostic, in bounded time
and memory (issue 17's resource limits):

- If nested 64 deep (each then-branch holds the next If; every branch reads
  the graph's inputs) compiles and computes both ways;
- nested 400 deep, past the parser's bound on message nesting (1000), it is
  refused with a diagnostic saying so, not a stack overflow;
- a 2^40-element ConstantOfShape is not folded at compile time;
- an output whose size comes from an input ([2^20, 2^20] floats, 4 TiB):
  the run fails with DDL_OUT_OF_MEMORY and the model's message, and the same
  loaded model then runs a normal size (through the runtime's Python
  binding, in one process).

Each line printed is "ok: ..." or "FAIL: ..."; exits 1 on a failure."""

import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

p = argparse.ArgumentParser()
p.add_argument("--ddlc", required=True)
p.add_argument("--ddl-run", required=True)
args = p.parse_args()
failed = False


def report(ok, what):
    global failed
    failed |= not ok
    print(("ok: " if ok else "FAIL: ") + what)


def nested_ifs(depth):
    def body(d):
        if d == 0:
            return helper.make_graph([helper.make_node("Neg", ["x"], ["o0"])], "leaf", [],
                                     [helper.make_tensor_value_info("o0", TensorProto.FLOAT, [4])])
        other = helper.make_graph([helper.make_node("Relu", ["x"], [f"e{d}"])], f"else{d}", [],
                                  [helper.make_tensor_value_info(f"e{d}", TensorProto.FLOAT, [4])])
        node = helper.make_node("If", ["c"], [f"o{d}"], then_branch=body(d - 1), else_branch=other)
        return helper.make_graph([node], f"g{d}", [], [helper.make_tensor_value_info(f"o{d}", TensorProto.FLOAT, [4])])
    graph = helper.make_graph(list(body(depth).node), "main",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [4]),
                               helper.make_tensor_value_info("c", TensorProto.BOOL, [])],
                              [helper.make_tensor_value_info(f"o{depth}", TensorProto.FLOAT, [4])])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])


def compile_model(model, tmp, name):
    path = os.path.join(tmp, name + ".onnx")
    onnx.save(model, path)
    return subprocess.run([args.ddlc, path, "-o", os.path.join(tmp, name + ".so")], capture_output=True,
                          text=True, timeout=300)


with tempfile.TemporaryDirectory() as tmp:
    proc = compile_model(nested_ifs(64), tmp, "if64")
    report(proc.returncode == 0, f"If nested 64 deep compiles (exit {proc.returncode}) {proc.stderr[-200:]}")
    x = np.array([-1, 2, -3, 4], np.float32)
    np.save(os.path.join(tmp, "x.npy"), x)
    for cond, want in ((True, -x), (False, np.maximum(x, 0))):
        np.save(os.path.join(tmp, "c.npy"), np.array(cond))
        run = subprocess.run([args.ddl_run, os.path.join(tmp, "if64.so"), "--input", "x=" + os.path.join(tmp, "x.npy"),
                              "--input", "c=" + os.path.join(tmp, "c.npy"), "--output-dir", tmp],
                             capture_output=True, text=True)
        got = np.load(os.path.join(tmp, "o64.npy")) if run.returncode == 0 else None
        report(got is not None and np.array_equal(got, want), f"If nested 64 deep computes the {cond} path")

    proc = compile_model(nested_ifs(400), tmp, "if400")
    report(proc.returncode == 1 and "nested more than 1000 deep" in proc.stderr,
           f"If nested 400 deep is refused with a diagnostic (exit {proc.returncode})")

    shape = numpy_helper.from_array(np.array([1 << 20, 1 << 20], np.int64), "s")
    huge = helper.make_graph(
        [helper.make_node("ConstantOfShape", ["s"], ["k"], value=numpy_helper.from_array(np.ones(1, np.float32))),
         helper.make_node("Add", ["k", "x"], ["y"])], "huge",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None, None])], initializer=[shape])
    proc = compile_model(helper.make_model(huge, opset_imports=[helper.make_opsetid("", 13)]), tmp, "huge")
    size = os.path.getsize(os.path.join(tmp, "huge.so")) if proc.returncode == 0 else 0
    report(proc.returncode == 0 and size < 1 << 20,
           f"a 2^40-element ConstantOfShape compiles without being folded (exit {proc.returncode}, {size} bytes)")
    # The output's size is an input's values: the allocation fails at run
    # time, in the model.
    sized = helper.make_graph(
        [helper.make_node("ConstantOfShape", ["shape"], ["y"],
                          value=numpy_helper.from_array(np.full(1, 2.5, np.float32)))], "sized",
        [helper.make_tensor_value_info("shape", TensorProto.INT64, [2])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None, None])])
    proc = compile_model(helper.make_model(sized, opset_imports=[helper.make_opsetid("", 13)]), tmp, "sized")
    report(proc.returncode == 0, f"a model sized by its input compiles (exit {proc.returncode})")
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "frontends", "pytorch"))
    import torch  # noqa: E402
    from ddl.errors import RuntimeCallError  # noqa: E402
    from ddl.runtime import Model  # noqa: E402
    model = Model(os.path.join(tmp, "sized.so"))
    try:
        model.run([torch.tensor([1 << 20, 1 << 20])])
        report(False, "a 4 TiB output fails with out of memory (it ran)")
    except RuntimeCallError as e:
        report("DDL_OUT_OF_MEMORY" in str(e) or "out of memory" in str(e),
               f"a 4 TiB output fails with out of memory ({str(e)[:160]})")
    (y,) = model.run([torch.tensor([2, 3])])
    report(tuple(y.shape) == (2, 3) and bool((y == 2.5).all()),
           "the same loaded model then runs a [2, 3] output")
sys.exit(1 if failed else 0)
