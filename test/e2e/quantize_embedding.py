#!/usr/bin/env python3
"""ddlc --quantize=int8 / int4 on embeddings (Gather of rows of a constant
table) against an emulation of their quantization.

Builds ONNX models that gather rows of a [V, D] f32 table by an int64
index tensor (negative indices included: ONNX counts them from the back)
and add a bias, compiles each with `--quantize=MODE`, runs it with
ddl-run, and compares with numpy computing the same thing: each row (int8)
or each group of `--quantize-group` values of a row (int4) scaled by its
largest magnitude / 127 (/ 7), the levels round(w / scale) (half to even)
clipped to [-127, 127] ([-7, 7]), the gathered rows level * scale. Both
sides compute that in f32 with the same operations, so the outputs must be
equal to a few ulps (bound 1e-6 of the output's magnitude); a wrong level,
nibble, group or scale is far above it, and so is the f32 table itself
(checked: the emulation differs from the float rows by more than the
bound). A table below the quantizer's minimum (D < 64) stays f32; an index
past the table is a run-time error naming it.

    quantize_embedding.py --ddlc DDLC --ddl-run DDL_RUN --work DIR
        [--target aarch64 --runner "qemu-aarch64 -L /usr/aarch64-linux-gnu"]
"""

import os
import subprocess
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tool_args import compile_and_run, parse_tool_args  # noqa: E402


def embedding_model(name, table, bias, ids_shape):
    nodes = [helper.make_node("Gather", ["table", "ids"], ["rows"], axis=0),
             helper.make_node("Add", ["rows", "bias"], ["y"])]
    graph = helper.make_graph(
        nodes, name, [helper.make_tensor_value_info("ids", TensorProto.INT64, list(ids_shape))],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, list(ids_shape) + [table.shape[1]])],
        [numpy_helper.from_array(table, "table"), numpy_helper.from_array(bias, "bias")])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def quantized_table(table, levels, group):
    """The table as the compiler dequantizes it: per group of `group`
    values of a row, level * scale in f32."""
    v, d = table.shape
    groups = table.reshape(v, d // group, group)
    largest = np.abs(groups).max(axis=2, keepdims=True)
    scale = np.where(largest > 0, largest / np.float32(levels), np.float32(1)).astype(np.float32)
    q = np.clip(np.rint(groups / scale), -levels, levels).astype(np.float32)
    return (q * scale).reshape(v, d)


def main():
    args = parse_tool_args(__doc__)
    rng = np.random.default_rng(0)
    ok = True
    cases = [("emb_int8", "int8", 100, 64, None, (2, 5)),
             ("emb_int8_rank1", "int8", 37, 96, None, (7,)),
             ("emb_int4_g32", "int4", 50, 128, 32, (3, 4)),
             ("emb_int4_g64", "int4", 64, 128, 64, (2, 2, 3)),
             ("emb_small_d", "int8", 40, 32, None, (4,))]
    for name, mode, v, d, group, ids_shape in cases:
        table = rng.standard_normal((v, d)).astype(np.float32)
        bias = rng.standard_normal(d).astype(np.float32)
        ids = rng.integers(-v, v, size=ids_shape).astype(np.int64)
        if d >= 64:
            levels = 127 if mode == "int8" else 7
            rows = quantized_table(table, levels, group or d)
            apart = float(np.abs(rows - table).max() / np.abs(table).max())
            if apart <= 1e-6:
                print(f"FAIL {name}: the emulation does not move the table ({apart:.2e})")
                ok = False
        else:
            rows = table
        expected = rows[ids] + bias
        flags = [f"--quantize={mode}"] + ([f"--quantize-group={group}"] if group else [])
        got = compile_and_run(args, embedding_model(name, table, bias, ids_shape), {"ids": ids},
                              name, flags)["y"]
        error = float(np.abs(got - expected).max() / np.abs(expected).max())
        passed = got.shape == expected.shape and error <= 1e-6
        print(f"{'PASS' if passed else 'FAIL'} {name}: relative error {error:.2e}")
        ok &= passed
    # An index past the table stops the run with the reason.
    table = rng.standard_normal((20, 64)).astype(np.float32)
    ids = np.array([3, 20], dtype=np.int64)
    try:
        compile_and_run(args, embedding_model("emb_bad_index", table, np.zeros(64, np.float32), (2,)),
                        {"ids": ids}, "emb_bad_index", ["--quantize=int8"])
        print("FAIL emb_bad_index: ran")
        ok = False
    except subprocess.CalledProcessError as e:
        said = (e.stderr or b"").decode(errors="replace")
        passed = "out of range" in said and "table" in said
        print(f"{'PASS' if passed else 'FAIL'} emb_bad_index: {said.strip().splitlines()[-1] if said else ''}")
        ok &= passed
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
