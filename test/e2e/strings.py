#!/usr/bin/env python3
"""ONNX string tensors beyond the node suite, end to end (string inputs as
TensorProto files, string outputs as numpy <U arrays):

  identity     UTF-8 strings (accents, CJK, empty) through a graph unchanged
  normalize    StringNormalizer: stop words ignoring case, LOWER, non-ASCII
               bytes kept, every string removed ([""]), a [1, C] input
  parse        Cast from strings to float32, float64 and int64: spaces,
               signs, exponents, nan / inf / infinity in any case, overflow
               to inf, against Python's float() / int()
  print        Cast from float32 and float64 to strings, against numpy's
               str() (shortest digits that read back; positional from 1e-4
               to 1e16; nan, inf, -0.0)
  errors       a string that is not a number fails the run; a string
               tensor into Add is refused at compile time

    strings.py --ddlc DDLC --ddl-run DDL_RUN --work DIR
"""

import os
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from node_results import compare, read_outputs
from tool_args import parse_tool_args

S = TensorProto.STRING


def model(nodes, inputs, outputs):
    graph = helper.make_graph(nodes, "strings", inputs, outputs)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx.checker.check_model(m)
    return m


def run(args, m, feeds, stem):
    """(outputs, None) or (None, the error of the failing tool)."""
    path = os.path.join(args.work, stem + ".onnx")
    onnx.save(m, path)
    so = os.path.join(args.work, stem + ".so")
    proc = subprocess.run([args.ddlc, path, "-o", so], capture_output=True, text=True)
    if proc.returncode != 0:
        return None, "ddlc: " + proc.stderr.strip()
    cmd = [args.ddl_run, so, "--output-dir", os.path.join(args.work, stem + "_out")]
    for name, value in feeds.items():
        pb = os.path.join(args.work, f"{stem}_{name}.pb")
        with open(pb, "wb") as f:
            f.write(numpy_helper.from_array(value).SerializeToString())
        cmd += ["--input", f"{name}={pb}"]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        return None, proc.stderr.strip()
    return dict(read_outputs(proc.stdout)), None


def check(results, label, outcome, expected):
    outputs, error = outcome
    reason = error
    if outputs is not None:
        for name, want in expected.items():
            reason = compare(name, outputs.get(name), want, 0, 0)
            if reason:
                break
    results.append(reason is None)
    print(("PASS " if reason is None else "FAIL ") + label + ("" if reason is None else ": " + reason))


def check_error(results, label, outcome, needle):
    outputs, error = outcome
    ok = outputs is None and needle in error
    results.append(ok)
    print(("PASS " if ok else "FAIL ") + label + (": " + error.splitlines()[-1] if error else ": ran"))


def cast_model(to, from_type, shape):
    return model([helper.make_node("Cast", ["x"], ["y"], to=to)],
                 [helper.make_tensor_value_info("x", from_type, shape)],
                 [helper.make_tensor_value_info("y", to, shape)])


def main():
    args = parse_tool_args(__doc__)
    results = []

    words = np.array(["héllo", "", "日本語", "a b"], dtype=object)
    m = model([helper.make_node("Identity", ["x"], ["y"])],
              [helper.make_tensor_value_info("x", S, [4])], [helper.make_tensor_value_info("y", S, [4])])
    check(results, "identity of UTF-8 strings", run(args, m, {"x": words}, "identity"), {"y": words})

    def normalizer(shape, **attrs):
        return model([helper.make_node("StringNormalizer", ["x"], ["y"], **attrs)],
                     [helper.make_tensor_value_info("x", S, shape)],
                     [helper.make_tensor_value_info("y", S, [None] * (len(shape) - 1) + [None])])
    x = np.array(["The", "quick", "BROWN", "fox", "the", "Émile", ""], dtype=object)
    m = normalizer([7], case_change_action="LOWER", stopwords=["the", "Fox"])
    check(results, "normalize: stop words ignoring case, LOWER",
          run(args, m, {"x": x}, "norm1"),
          {"y": np.array(["quick", "brown", "Émile", ""], dtype=object)})
    m = normalizer([7], case_change_action="UPPER", stopwords=["The"], is_case_sensitive=1)
    check(results, "normalize: case-sensitive stop word, UPPER",
          run(args, m, {"x": x}, "norm2"),
          {"y": np.array(["QUICK", "BROWN", "FOX", "THE", "ÉMILE", ""], dtype=object)})
    m = normalizer([3], stopwords=["a", "b"])
    check(results, "normalize: everything removed gives one empty string",
          run(args, m, {"x": np.array(["A", "b", "a"], dtype=object)}, "norm3"),
          {"y": np.array([""], dtype=object)})
    m = normalizer([1, 3], stopwords=["x"], case_change_action="LOWER")
    check(results, "normalize: a [1, C] input",
          run(args, m, {"x": np.array([["X", "Yy", "Z"]], dtype=object)}, "norm4"),
          {"y": np.array([["yy", "z"]], dtype=object)})

    texts = [" 1.5 ", "-2e-3", "+INF", "nan", "Infinity", "-inf", "1e400", "0.1", "3.4028235e38",
             "7", "-0", ".5", "5.", "1E+2", "123456789012345678901234567890"]
    strings = np.array(texts, dtype=object)
    for name, to, dtype in (("float32", TensorProto.FLOAT, np.float32),
                            ("float64", TensorProto.DOUBLE, np.float64)):
        want = np.array([float(t) for t in texts], dtype=np.float64).astype(dtype)
        check(results, f"parse to {name}", run(args, cast_model(to, S, [len(texts)]), {"x": strings},
                                               "parse" + name), {"y": want})
    ints = np.array(["42", " -7", "+0", "9007199254740993"], dtype=object)
    check(results, "parse to int64", run(args, cast_model(TensorProto.INT64, S, [4]), {"x": ints}, "parseint"),
          {"y": np.array([42, -7, 0, 9007199254740992], np.int64)})

    values = np.array([0.0, -0.0, 1.0, 100.0, 1e-5, 1.5e16, 123456.78, 0.1, 3.4028235e38, 1e-45,
                       np.nan, np.inf, -np.inf, -2.5e-4, 0.0001, 9999999.0], np.float32)
    check(results, "print float32", run(args, cast_model(S, TensorProto.FLOAT, [len(values)]), {"x": values},
                                        "print32"),
          {"y": np.array([str(v) for v in values], dtype=object)})
    # Doubles whose digits double precision finds exactly (see StringCasts.h).
    doubles = np.array([0.1, 1 / 3, 2.0 ** 60, 5e-324, 1.25e300, -1e-7], np.float64)
    check(results, "print float64", run(args, cast_model(S, TensorProto.DOUBLE, [len(doubles)]), {"x": doubles},
                                        "print64"),
          {"y": np.array([str(v) for v in doubles], dtype=object)})

    check_error(results, "error: a string that is not a number",
                run(args, cast_model(TensorProto.FLOAT, S, [2]),
                    {"x": np.array(["1.5", "1.5.2"], dtype=object)}, "errparse"),
                "a string is not a number")
    m = model([helper.make_node("Add", ["x", "x"], ["y"])], [helper.make_tensor_value_info("x", S, [2])],
              [helper.make_tensor_value_info("y", S, [2])])
    check_error(results, "error: Add of strings", run(args, m, {}, "erradd"), "is a string tensor")

    passed = sum(results)
    print(f"strings: {passed} passed, {len(results) - passed} failed")
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
