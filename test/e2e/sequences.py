#!/usr/bin/env python3
"""ONNX sequences and optionals beyond the node suite, end to end: models
whose inputs and outputs are sequences or optionals, compiled with ddlc and
run with ddl-run (sequence inputs as SequenceProto files, optionals as
OptionalProto files; sequence outputs as folders of <i>.npy), against NumPy:

  construct   SequenceConstruct of three tensors of different sizes, then
              SequenceAt (a negative position), SequenceLength
  erase       SequenceErase at run-time positions 1 and -3, and without one
  insert      SequenceInsert at run-time positions 0, 2 and -1
  split       SplitToSequence without split (keepdims 0), with split sizes
              [1, 2, 3], and with a scalar split (4: chunks of 4 and 2)
  concat      ConcatFromSequence along axis 1, and stacked (new_axis 1)
  optional    an optional tensor input, present and absent: whether it is,
              and its value or a fallback through If
  errors      a position out of range, elements of different ranks,
              concatenated elements of different sizes, an empty optional
              read: each a failed run naming the problem

    sequences.py --ddlc DDLC --ddl-run DDL_RUN --work DIR
"""

import os
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from node_results import compare, read_outputs
from tool_args import parse_tool_args

F = TensorProto.FLOAT
I64 = TensorProto.INT64


def seq_info(name, elem, shape):
    return helper.make_tensor_sequence_value_info(name, elem, shape)


def model(nodes, inputs, outputs, name):
    graph = helper.make_graph(nodes, name, inputs, outputs)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx.checker.check_model(m)
    return m


def write_value(path, value, elem_type):
    """A feed as the ONNX proto ddl-run reads: an array as a TensorProto, a
    list as a SequenceProto, ("optional", v) as an OptionalProto."""
    if isinstance(value, tuple):
        proto = numpy_helper.from_optional(value[1], dtype=elem_type)
    elif isinstance(value, list):
        proto = numpy_helper.from_list(value)
    else:
        proto = numpy_helper.from_array(value)
    with open(path, "wb") as f:
        f.write(proto.SerializeToString())


def run(args, m, feeds, stem):
    """Compiles and runs `m`; (outputs by name, None) or (None, error)."""
    path = os.path.join(args.work, stem + ".onnx")
    onnx.save(m, path)
    so = os.path.join(args.work, stem + ".so")
    subprocess.run([args.ddlc, path, "-o", so], check=True)
    out = os.path.join(args.work, stem + "_out")
    cmd = [args.ddl_run, so, "--output-dir", out]
    for name, (value, elem_type) in feeds.items():
        pb = os.path.join(args.work, f"{stem}_{name}.pb")
        write_value(pb, value, elem_type)
        cmd += ["--input", f"{name}={pb}"]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        return None, (proc.stderr.strip() or proc.stdout.strip())
    return dict(read_outputs(proc.stdout)), None


def check(results, args, label, m, feeds, expected, stem):
    outputs, error = run(args, m, feeds, stem)
    reason = error
    if outputs is not None:
        for name, want in expected.items():
            reason = compare(name, outputs.get(name), want, 1e-6, 0)
            if reason:
                break
    results.append(reason is None)
    print(("PASS " if reason is None else "FAIL ") + label + ("" if reason is None else ": " + reason))


def check_error(results, args, label, m, feeds, needle, stem):
    outputs, error = run(args, m, feeds, stem)
    ok = outputs is None and needle in error
    results.append(ok)
    print(("PASS " if ok else "FAIL ") + label + (": " + error.splitlines()[-1] if error else ": ran"))


def main():
    args = parse_tool_args(__doc__)
    rng = np.random.default_rng(5)
    results = []
    a, b, c = (rng.standard_normal(s).astype(np.float32) for s in ((2, 3), (1, 3), (4, 3)))

    # construct: SequenceConstruct -> SequenceAt(-1), SequenceLength
    m = model([helper.make_node("SequenceConstruct", ["a", "b", "c"], ["s"]),
               helper.make_node("Constant", [], ["p"], value=numpy_helper.from_array(np.array(-1))),
               helper.make_node("SequenceAt", ["s", "p"], ["last"]),
               helper.make_node("SequenceLength", ["s"], ["n"])],
              [helper.make_tensor_value_info(x, F, [None, 3]) for x in "abc"],
              [helper.make_tensor_value_info("last", F, [None, 3]),
               helper.make_tensor_value_info("n", I64, []), seq_info("s", F, [None, 3])], "construct")
    check(results, args, "construct: at -1, length 3, the sequence itself", m,
          {"a": (a, F), "b": (b, F), "c": (c, F)},
          {"last": c, "n": np.array(3, np.int64), "s": [a, b, c]}, "construct")

    # erase at run-time positions (and without one: the last element)
    seq = [a, b, c]
    m = model([helper.make_node("SequenceErase", ["s", "p"], ["out"])],
              [seq_info("s", F, [None, 3]), helper.make_tensor_value_info("p", I64, [])],
              [seq_info("out", F, [None, 3])], "erase")
    for p in (1, -3):
        want = seq[:p] + seq[p + 1:] if p >= 0 else seq[:p + 3] + seq[p + 4:]
        check(results, args, f"erase at {p}", m, {"s": (seq, F), "p": (np.array(p), I64)},
              {"out": want}, f"erase{p}")
    m = model([helper.make_node("SequenceErase", ["s"], ["out"])], [seq_info("s", F, [None, 3])],
              [seq_info("out", F, [None, 3])], "erase_last")
    check(results, args, "erase the last", m, {"s": (seq, F)}, {"out": seq[:2]}, "eraselast")

    # insert at run-time positions
    t = rng.standard_normal((5, 3)).astype(np.float32)
    m = model([helper.make_node("SequenceInsert", ["s", "t", "p"], ["out"])],
              [seq_info("s", F, [None, 3]), helper.make_tensor_value_info("t", F, [5, 3]),
               helper.make_tensor_value_info("p", I64, [])],
              [seq_info("out", F, [None, 3])], "insert")
    for p in (0, 2, -1):
        want = list(seq)
        want.insert(p, t)
        check(results, args, f"insert at {p}", m,
              {"s": (seq, F), "t": (t, F), "p": (np.array(p), I64)}, {"out": want}, f"insert{p}")

    # SplitToSequence
    x = rng.standard_normal((4, 6)).astype(np.float32)
    cases = [("split size-1 chunks, keepdims 0", None, {"keepdims": 0},
              [x[:, i] for i in range(6)]),
             ("split [1, 2, 3]", np.array([1, 2, 3], np.int64), {},
              [x[:, 0:1], x[:, 1:3], x[:, 3:6]]),
             ("split scalar 4", np.array(4, np.int64), {}, [x[:, 0:4], x[:, 4:6]])]
    for k, (label, split, attrs, want) in enumerate(cases):
        nodes, inputs = [], [helper.make_tensor_value_info("x", F, [4, 6])]
        names = ["x"]
        if split is not None:
            nodes.append(helper.make_node("Constant", [], ["split"],
                                          value=numpy_helper.from_array(split)))
            names.append("split")
        nodes.append(helper.make_node("SplitToSequence", names, ["out"], axis=1, **attrs))
        m = model(nodes, inputs, [seq_info("out", F, None)], "split")
        check(results, args, label, m, {"x": (x, F)}, {"out": want}, f"split{k}")

    # ConcatFromSequence
    parts = [rng.standard_normal((2, k)).astype(np.float32) for k in (1, 4, 2)]
    m = model([helper.make_node("ConcatFromSequence", ["s"], ["out"], axis=1)],
              [seq_info("s", F, [2, None])], [helper.make_tensor_value_info("out", F, [2, None])],
              "concat")
    check(results, args, "concat along axis 1", m, {"s": (parts, F)},
          {"out": np.concatenate(parts, axis=1)}, "concat")
    same = [rng.standard_normal((2, 3)).astype(np.float32) for _ in range(4)]
    m = model([helper.make_node("ConcatFromSequence", ["s"], ["out"], axis=-1, new_axis=1)],
              [seq_info("s", F, [2, 3])], [helper.make_tensor_value_info("out", F, [2, 3, 4])],
              "stack")
    check(results, args, "stack (new_axis 1, axis -1)", m, {"s": (same, F)},
          {"out": np.stack(same, axis=-1)}, "stack")

    # optional tensor input: has it, and its value or a fallback
    fallback = np.full(3, -1, np.float32)
    then_graph = helper.make_graph(
        [helper.make_node("OptionalGetElement", ["o"], ["v"])], "then", [],
        [helper.make_tensor_value_info("v", F, [3])])
    else_graph = helper.make_graph(
        [helper.make_node("Constant", [], ["f"], value=numpy_helper.from_array(fallback))], "else", [],
        [helper.make_tensor_value_info("f", F, [3])])
    opt = helper.make_value_info("o", helper.make_optional_type_proto(
        helper.make_tensor_type_proto(F, [3])))
    m = model([helper.make_node("OptionalHasElement", ["o"], ["has"]),
               helper.make_node("If", ["has"], ["value"], then_branch=then_graph,
                                else_branch=else_graph)],
              [opt], [helper.make_tensor_value_info("has", TensorProto.BOOL, []),
                      helper.make_tensor_value_info("value", F, [3])], "optional")
    v = rng.standard_normal(3).astype(np.float32)
    check(results, args, "optional present", m, {"o": (("optional", v), 1)},
          {"has": np.array(True), "value": v}, "optpresent")
    check(results, args, "optional absent", m, {"o": (("optional", None), 1)},
          {"has": np.array(False), "value": fallback}, "optabsent")

    # errors: each a failed run with a message, never a crash
    m = model([helper.make_node("SequenceAt", ["s", "p"], ["out"])],
              [seq_info("s", F, [None, 3]), helper.make_tensor_value_info("p", I64, [])],
              [helper.make_tensor_value_info("out", F, [None, 3])], "at")
    check_error(results, args, "error: position 3 of 3 elements", m,
                {"s": (seq, F), "p": (np.array(3), I64)}, "position is out of range", "errpos")
    check_error(results, args, "error: elements of two ranks", m,
                {"s": ([a, np.zeros(3, np.float32)], F), "p": (np.array(0), I64)}, "rank", "errrank")
    m = model([helper.make_node("ConcatFromSequence", ["s"], ["out"], axis=1)],
              [seq_info("s", F, [None, None])], [helper.make_tensor_value_info("out", F, [None, None])],
              "concat_bad")
    check_error(results, args, "error: concatenated elements that differ off the axis", m,
                {"s": ([a, c], F)}, "differ in a dimension other than the axis", "errconcat")
    m = model([helper.make_node("OptionalGetElement", ["o"], ["v"])], [opt],
              [helper.make_tensor_value_info("v", F, [3])], "get")
    check_error(results, args, "error: reading an empty optional", m,
                {"o": (("optional", None), 1)}, "optional is empty", "errempty")

    passed = sum(results)
    print(f"sequences: {passed} passed, {len(results) - passed} failed")
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
