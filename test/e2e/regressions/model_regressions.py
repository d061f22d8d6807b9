#!/usr/bin/env python3
"""Models that once failed to compile or compiled wrong, end to end: each is
built with onnx.helper, compiled with ddlc, run with ddl-run (at several
sizes when it has a dynamic dim) and compared with NumPy; the models that
must be refused are checked for ddlc's exit status and message.

    /usr/bin/python3 test/e2e/regressions/model_regressions.py \
        --ddlc build/bin/ddlc --ddl-run build/bin/ddl-run --work /tmp/reg

Prints one line per case and run, then "regressions: N passed, M failed".
"""

import argparse
import os
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1


def const(name, array):
    return helper.make_node("Constant", [], [name], name=name,
                            value=numpy_helper.from_array(np.asarray(array), name))


def model(nodes, inputs, outputs, initializers=(), opset=13):
    graph = helper.make_graph(nodes, "regression", inputs, outputs, list(initializers))
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 8
    m = onnx.shape_inference.infer_shapes(m)
    return m


def tensor(name, dtype, dims):
    return helper.make_tensor_value_info(name, dtype, dims)


# Slice with INT64_MIN/INT64_MAX bounds, as PyTorch exports x[:, ::-1] and
# flip (bug: ddlc segfaulted when a dim was dynamic). Each case: (starts,
# ends, axes, steps, numpy slicing of a 2-D x).
SLICES = {
    "reverse_cols": ([-1], [INT64_MIN], [1], [-1], lambda x: x[:, ::-1]),
    "reverse_rows": ([-1], [INT64_MIN], [0], [-1], lambda x: x[::-1]),
    "reverse_both": ([-1, -1], [INT64_MIN, INT64_MIN], [0, 1], [-1, -1], lambda x: x[::-1, ::-1]),
    "all_forward": ([INT64_MIN], [INT64_MAX], [1], [1], lambda x: x[:, :]),
    "tail_forward": ([1], [INT64_MAX], [0], [1], lambda x: x[1:]),
    "every_other_back": ([INT64_MAX], [INT64_MIN], [1], [-2], lambda x: x[:, ::-2]),
    # ONNX (unlike Python) clamps a backward start into [0, size - 1] and
    # the end into [-1, size - 1]: this takes column 0.
    "first_only_back": ([INT64_MIN], [INT64_MIN], [1], [-1], lambda x: x[:, 0:1]),
}


def slice_cases():
    for name, (starts, ends, axes, steps, ref) in SLICES.items():
        for shape_kind, dims in (("dynamic", ["N", 5]), ("static", [3, 5])):
            nodes = [const("starts", np.array(starts, np.int64)),
                     const("ends", np.array(ends, np.int64)),
                     const("axes", np.array(axes, np.int64)),
                     const("steps", np.array(steps, np.int64)),
                     helper.make_node("Slice", ["x", "starts", "ends", "axes", "steps"], ["y"],
                                      name="flip")]
            m = model(nodes, [tensor("x", TensorProto.FLOAT, dims)],
                      [tensor("y", TensorProto.FLOAT, None)])
            sizes = [3, 1] if shape_kind == "dynamic" else [3]

            def inputs(n):
                return {"x": np.arange(n * 5, dtype=np.float32).reshape(n, 5)}
            yield f"slice_{name}_{shape_kind}", m, sizes, inputs, lambda i, r=ref: [r(i["x"])]


def range_pad_cases():
    # Range whose limit is INT64_MAX-like but the count is small: the static
    # fold saturates instead of overflowing.
    nodes = [const("start", np.array(INT64_MAX - 10, np.int64)),
             const("limit", np.array(INT64_MAX, np.int64)),
             const("delta", np.array(3, np.int64)),
             helper.make_node("Range", ["start", "limit", "delta"], ["r"], name="range"),
             helper.make_node("Sub", ["r", "start"], ["y"], name="offsets")]
    m = model(nodes, [], [tensor("y", TensorProto.INT64, None)])
    yield "range_near_int64_max", m, [0], lambda n: {}, lambda i: [np.arange(0, 10, 3, dtype=np.int64)]
    # Slice then Pad on a dynamic dim: sizes from the clamped INT64 bounds.
    nodes = [const("starts", np.array([INT64_MIN], np.int64)),
             const("ends", np.array([INT64_MAX], np.int64)),
             const("axes", np.array([0], np.int64)),
             helper.make_node("Slice", ["x", "starts", "ends", "axes"], ["s"], name="all"),
             const("pads", np.array([1, 0, 0, 2], np.int64)),
             helper.make_node("Pad", ["s", "pads"], ["y"], name="pad")]
    m = model(nodes, [tensor("x", TensorProto.FLOAT, ["N", 3])], [tensor("y", TensorProto.FLOAT, None)])

    def inputs(n):
        return {"x": np.arange(n * 3, dtype=np.float32).reshape(n, 3) + 1}
    yield "slice_pad_dynamic", m, [2, 4], inputs, lambda i: [np.pad(i["x"], ((1, 0), (0, 2)))]


def topk_cases():
    # K = 1 with a size-1 dim before the axis and a larger one in between
    # (bug: an internal verifier error), greedy decoding at batch 1.
    for name, shape, axis in (("last", [1, 4, 10], -1), ("middle", [1, 10, 4], 1),
                              ("batch2", [2, 4, 10], -1), ("unit_after", [1, 4, 10, 1], 2)):
        nodes = [const("k", np.array([1], np.int64)),
                 helper.make_node("TopK", ["x", "k"], ["v", "i"], name="greedy", axis=axis)]
        m = model(nodes, [tensor("x", TensorProto.FLOAT, shape)],
                  [tensor("v", TensorProto.FLOAT, None), tensor("i", TensorProto.INT64, None)])

        def inputs(n, shape=shape):
            rng = np.random.default_rng(7)
            return {"x": rng.permutation(int(np.prod(shape))).astype(np.float32).reshape(shape)}

        def ref(i, axis=axis):
            idx = np.expand_dims(np.argmax(i["x"], axis=axis), axis)
            return [np.take_along_axis(i["x"], idx, axis), idx.astype(np.int64)]
        yield f"topk_k1_{name}", m, [0], inputs, ref


def bool_constant_cases():
    # Boolean constants of more than 1024 elements (bug: LLVM translation
    # failed): a causal mask as a Constant node and as an initializer.
    for t in (33, 64):
        mask = np.triu(np.ones((t, t), dtype=bool), 1)
        for kind in ("constant", "initializer"):
            nodes, inits = [], []
            if kind == "constant":
                nodes.append(const("mask", mask))
            else:
                inits.append(numpy_helper.from_array(mask, "mask"))
            nodes += [const("neg", np.array(-1e9, np.float32)),
                      helper.make_node("Where", ["mask", "neg", "x"], ["y"], name="masked_fill")]
            m = model(nodes, [tensor("x", TensorProto.FLOAT, [t, t])],
                      [tensor("y", TensorProto.FLOAT, None)], inits)

            def inputs(n, t=t):
                return {"x": np.arange(t * t, dtype=np.float32).reshape(t, t)}
            yield (f"bool_{kind}_{t * t}", m, [0], inputs,
                   lambda i, mask=mask: [np.where(mask, np.float32(-1e9), i["x"])])


def gather_run_cases():
    # Run-time indices: in range they gather (negative ones from the back);
    # out of range the run fails with the node's name (ONNX: an error).
    nodes = [helper.make_node("Gather", ["data", "idx"], ["y"], name="lookup", axis=0)]
    m = model(nodes, [tensor("data", TensorProto.FLOAT, [5, 3]), tensor("idx", TensorProto.INT64, ["K"])],
              [tensor("y", TensorProto.FLOAT, None)])
    data = np.arange(15, dtype=np.float32).reshape(5, 3)
    yield "gather_runtime_in_range", m, [0], lambda n: {"data": data, "idx": np.array([4, -5, 0], np.int64)}, \
        lambda i: [data[[4, 0, 0]]]
    yield "gather_runtime_out_of_range", m, [0], lambda n: {"data": data, "idx": np.array([1, 5], np.int64)}, \
        "node 'lookup' (Gather, opset 13): an index is out of range"
    yield "gather_runtime_below_range", m, [0], lambda n: {"data": data, "idx": np.array([-6], np.int64)}, \
        "node 'lookup' (Gather, opset 13): an index is out of range"
    nodes = [helper.make_node("GatherElements", ["data", "idx"], ["y"], name="pick", axis=1)]
    m = model(nodes, [tensor("data", TensorProto.FLOAT, [5, 3]), tensor("idx", TensorProto.INT64, [5, 1])],
              [tensor("y", TensorProto.FLOAT, None)])
    yield "gather_elements_runtime_out_of_range", m, [0], \
        lambda n: {"data": data, "idx": np.array([[0], [1], [2], [3], [0]], np.int64)}, \
        "node 'pick' (GatherElements, opset 13): an index is out of range"


def refused_cases():
    """(name, model, exit status, text the diagnostic must contain)."""
    data = tensor("data", TensorProto.FLOAT, [5, 3])
    for op, extra in (("Gather", {}), ("GatherElements", {})):
        idx = np.array([0, 7], np.int64) if op == "Gather" else np.array([[0, 0, 0], [0, 7, 0]], np.int64)
        nodes = [const("idx", idx), helper.make_node(op, ["data", "idx"], ["y"], name="bad_index", axis=0, **extra)]
        m = model(nodes, [data], [tensor("y", TensorProto.FLOAT, None)])
        where = "[1]" if op == "Gather" else "[1, 1]"
        yield (f"{op.lower()}_constant_out_of_range", m, 1,
               f"node 'bad_index' ({op}, opset 13): 'nn.{'gather' if op == 'Gather' else 'gather_elements'}' "
               f"op indices{where} is 7, out of range for dimension 0 of data (size 5)")
    nodes = [const("idx", np.array([[4, 3]], np.int64)),
             helper.make_node("GatherND", ["data", "idx"], ["y"], name="bad_tuple")]
    m = model(nodes, [data], [tensor("y", TensorProto.FLOAT, None)])
    yield ("gather_nd_constant_out_of_range", m, 1,
           "indices[0, 1] is 3, out of range for dimension 1 of data (size 3)")


def run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True, errors="replace", timeout=300)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--ddlc", required=True)
    p.add_argument("--ddl-run", required=True)
    p.add_argument("--work", required=True)
    args = p.parse_args()
    os.makedirs(args.work, exist_ok=True)
    passed = failed = 0

    def report(ok, text):
        nonlocal passed, failed
        passed += ok
        failed += not ok
        print(("" if ok else "FAIL ") + text)

    generators = (slice_cases, range_pad_cases, topk_cases, bool_constant_cases, gather_run_cases)
    for name, m, sizes, make_inputs, ref in [c for g in generators for c in g()]:
        path = os.path.join(args.work, name + ".onnx")
        so = os.path.join(args.work, name + ".so")
        onnx.save(m, path)
        proc = run([args.ddlc, path, "-o", so])
        if proc.returncode != 0:
            report(False, f"{name}: ddlc exit {proc.returncode}: {proc.stderr[-2000:]}")
            continue
        for n in sizes:
            inputs = make_inputs(n)
            cmd = [args.ddl_run, so, "--output-dir", os.path.join(args.work, f"{name}.{n}")]
            for key, value in inputs.items():
                npy = os.path.join(args.work, f"{name}.{n}.{key}.npy")
                np.save(npy, value)
                cmd += ["--input", f"{key}={npy}"]
            proc = run(cmd)
            if isinstance(ref, str):  # The run must fail with this message.
                ok = proc.returncode != 0 and ref in proc.stderr
                report(ok, f"{name}: run refused ({proc.returncode}): {proc.stderr.strip()[-400:]}")
                continue
            if proc.returncode != 0:
                report(False, f"{name} size {n}: ddl-run exit {proc.returncode}: {proc.stderr[-1000:]}")
                continue
            outs = [o.name for o in m.graph.output]
            got = [np.load(os.path.join(args.work, f"{name}.{n}", o + ".npy")) for o in outs]
            want = ref(inputs)
            ok = all(g.shape == w.shape and g.dtype == w.dtype and np.array_equal(g, w)
                     for g, w in zip(got, want))
            shapes = ", ".join(f"{g.dtype}{list(g.shape)}" for g in got)
            report(ok, f"{name} size {n}: {'ok' if ok else 'MISMATCH'} {shapes}"
                   + ("" if ok else f"\n  got {got}\n  want {want}"))

    for name, m, status, text in refused_cases():
        path = os.path.join(args.work, name + ".onnx")
        onnx.save(m, path)
        proc = run([args.ddlc, path, "-o", os.path.join(args.work, name + ".so")])
        ok = proc.returncode == status and text in proc.stderr
        report(ok, f"{name}: exit {proc.returncode}: {proc.stderr.strip()[-600:]}")

    print(f"regressions: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
