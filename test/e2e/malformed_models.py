#!/usr/bin/env python3
"""Feeds ddlc malformed ONNX models that this script makes itself.

Every case must end with exit status 1 and a diagnostic containing the
expected text: never a crash, an abort, a hang, or a silent success. Run it
with a sanitizer build of ddlc (--ddlc build-asan/bin/ddlc) to prove the
importer clean under AddressSanitizer and UndefinedBehaviorSanitizer.
"""

import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np
from onnx import TensorProto, helper, numpy_helper


def model_of(nodes, inputs, outputs, initializers=(), opset=13, ir=8):
    graph = helper.make_graph(nodes, "g", inputs, outputs, list(initializers))
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)],
                             ir_version=ir)


def f32(name, shape):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)


def relu_model():
    return model_of([helper.make_node("Relu", ["x"], ["y"], name="relu0")],
                    [f32("x", [2, 3])], [f32("y", [2, 3])])


def save(model, path):
    with open(path, "wb") as f:
        f.write(model.SerializeToString())


def cases(tmp):
    """Yields (name, model path, expected text in the diagnostic)."""
    def path(name):
        return os.path.join(tmp, name)

    good = relu_model().SerializeToString()

    # --- Not a model at all.
    p = path("truncated.onnx")
    open(p, "wb").write(good[: len(good) // 2])
    yield "truncated protobuf", p, "not an ONNX model"
    p = path("corrupt.onnx")
    open(p, "wb").write(bytes(b ^ 0xA5 for b in good))
    yield "corrupt protobuf", p, "not an ONNX model"
    p = path("text.onnx")
    open(p, "w").write("this is a text file, not a model\n")
    yield "text file", p, "not an ONNX model"
    p = path("empty.onnx")
    open(p, "wb").close()
    yield "empty file", p, "not an ONNX model"
    p = path("png.onnx")
    open(p, "wb").write(b"\x89PNG\r\n\x1a\n" + os.urandom(256))
    yield "binary file of another format", p, "not an ONNX model"
    yield "missing file", path("does-not-exist.onnx"), "cannot open the model"
    yield "directory", tmp, "not a regular file"
    p = path("bad.onnxtxt")
    open(p, "w").write("<ir_version: 8, opset_import: [\"\" : 13]> g (float[2] x) => (y) { y = Relu(x\n")
    yield "broken ONNX text", p, "not valid ONNX text syntax"

    # --- Ops and attributes.
    m = model_of([helper.make_node("FancyOp", ["x"], ["y"], name="fancy")],
                 [f32("x", [2])], [f32("y", [2])])
    save(m, path("unknown-op.onnx"))
    yield "unknown op", path("unknown-op.onnx"), "FancyOp"
    m = model_of([helper.make_node("Cast", ["x"], ["y"], name="from_string", to=TensorProto.UINT8)],
                 [helper.make_tensor_value_info("x", TensorProto.STRING, [2])],
                 [helper.make_tensor_value_info("y", TensorProto.UINT8, [2])])
    save(m, path("cast-string.onnx"))
    yield ("unsupported attribute value (Cast from STRING to UINT8)", path("cast-string.onnx"),
           "node 'from_string' (Cast, opset 13)")
    m = model_of([helper.make_node("Conv", ["x", "w"], ["y"], name="conv", auto_pad="SIDEWAYS")],
                 [f32("x", [1, 1, 4, 4]), f32("w", [1, 1, 3, 3])], [f32("y", ["n", "c", "h", "w"])], opset=13)
    save(m, path("conv-autopad.onnx"))
    yield "unsupported attribute value (auto_pad)", path("conv-autopad.onnx"), "SIDEWAYS"
    # libonnx's shape inference divides by strides unchecked (SIGFPE).
    m = model_of([helper.make_node("Conv", ["x", "w"], ["y"], name="conv0", strides=[0, 1])],
                 [f32("x", [1, 1, 4, 4]), f32("w", [1, 1, 3, 3])], [f32("y", ["n", "c", "h", "w"])], opset=13)
    save(m, path("conv-stride0.onnx"))
    yield "zero stride", path("conv-stride0.onnx"), "attribute 'strides' has an entry 0"
    # The integer route checks the node's attributes too.
    m = model_of([helper.make_node("ConvInteger", ["x", "w"], ["y"], name="convi", kernel_shape=[2, 2])],
                 [helper.make_tensor_value_info("x", TensorProto.UINT8, [1, 3, 8, 8])],
                 [helper.make_tensor_value_info("y", TensorProto.INT32, [1, 4, "h", "w"])],
                 [numpy_helper.from_array(np.ones((4, 3, 3, 3), np.int8), "w")])
    save(m, path("convinteger-kernel.onnx"))
    yield "kernel_shape contradicting the weight (ConvInteger)", path("convinteger-kernel.onnx"), \
        "does not match the weight"
    m = model_of([helper.make_node("Relu", ["x"], ["y"], name="relu_ms", domain="com.microsoft")],
                 [f32("x", [2])], [f32("y", [2])])
    m.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    save(m, path("other-domain.onnx"))
    yield "op of another domain", path("other-domain.onnx"), "com.microsoft"

    # --- Opsets.
    m = relu_model()
    m.opset_import[0].version = 99
    save(m, path("opset-99.onnx"))
    yield "opset too new", path("opset-99.onnx"), "opset 99"
    m = relu_model()
    del m.opset_import[:]
    save(m, path("no-opset.onnx"))
    yield "no default-domain opset", path("no-opset.onnx"), "opset"

    # --- Opsets 18-21: the ops libonnx 1.12 cannot check are checked by ddl.
    newer = [
        ("opset-18 node without inputs", "reduce-no-input", 18,
         "g (float[2] x) => (float[?] y) { y = ReduceMax () }", "required input #0 is missing"),
        ("CenterCropPad to a negative size", "crop-negative", 18,
         "g (float[2, 5] x) => (float[?, ?] y) {\n  s = Constant <value = int64[1] {-7}> ()\n"
         "  y = CenterCropPad <axes = [1]> (x, s)\n}", "size -7"),
        ("Col2Im block larger than the image", "col2im-block", 18,
         "g (float[1, 9, 1] x) => (float[?, ?, ?, ?] y) {\n  i = Constant <value = int64[2] {2, 2}> ()\n"
         "  b = Constant <value = int64[2] {3, 3}> ()\n  y = Col2Im (x, i, b)\n}", "the block spans 3"),
        ("AffineGrid of a huge size", "affine-huge", 20,
         "g (float[1, 2, 3] t) => (float[?, ?, ?, ?] y) {\n"
         "  s = Constant <value = int64[4] {1, 1, 4611686018427387904, 4}> ()\n  y = AffineGrid (t, s)\n}",
         "at most 2^24 points"),
        ("Split num_outputs against the outputs", "split-count", 18,
         "g (float[6] x) => (float[?] a, float[?] b) { a, b = Split <num_outputs = 4> (x) }", "num_outputs"),
    ]
    for description, name, opset, graph, expected in newer:
        p = path(name + ".onnxtxt")
        open(p, "w").write(f'<ir_version: 8, opset_import: ["" : {opset}]>\n{graph}\n')
        yield description, p, expected

    # --- Graph structure.
    m = model_of([helper.make_node("Relu", ["t"], ["u"], name="a"),
                  helper.make_node("Relu", ["u"], ["t"], name="b")],
                 [f32("x", [2])], [f32("u", [2])])
    save(m, path("cycle.onnx"))
    yield "graph with a cycle", path("cycle.onnx"), "error"
    m = model_of([helper.make_node("Add", ["x", "nowhere"], ["y"], name="add")],
                 [f32("x", [2])], [f32("y", [2])])
    save(m, path("dangling.onnx"))
    yield "dangling input", path("dangling.onnx"), "nowhere"
    m = model_of([helper.make_node("Relu", ["x"], ["y"], name="r")],
                 [f32("x", [2])], [f32("z", [2])])
    save(m, path("missing-output.onnx"))
    yield "graph output nobody produces", path("missing-output.onnx"), "z"

    # --- Initializers and dims.
    w = numpy_helper.from_array(np.ones((2, 3), np.float32), "w")
    w.raw_data = w.raw_data[:-4]
    m = model_of([helper.make_node("Add", ["x", "w"], ["y"], name="add")],
                 [f32("x", [2, 3])], [f32("y", [2, 3])], [w])
    save(m, path("short-initializer.onnx"))
    yield "initializer shorter than its type", path("short-initializer.onnx"), "w"
    w = TensorProto(name="w", data_type=TensorProto.FLOAT, dims=[2, 3], float_data=[1.0, 2.0])
    m = model_of([helper.make_node("Add", ["x", "w"], ["y"], name="add")],
                 [f32("x", [2, 3])], [f32("y", [2, 3])], [w])
    save(m, path("few-floats.onnx"))
    yield "initializer with too few elements", path("few-floats.onnx"), "w"
    w = TensorProto(name="w", data_type=TensorProto.FLOAT, dims=[-2, 3])
    m = model_of([helper.make_node("Relu", ["w"], ["y"], name="r")],
                 [], [f32("y", ["a", "b"])], [w])
    save(m, path("negative-dim-initializer.onnx"))
    yield "initializer with a negative dim", path("negative-dim-initializer.onnx"), "error"
    w = TensorProto(name="w", data_type=TensorProto.FLOAT, dims=[1 << 40, 1 << 40])
    m = model_of([helper.make_node("Relu", ["w"], ["y"], name="r")],
                 [], [f32("y", ["a", "b"])], [w])
    save(m, path("overflow-initializer.onnx"))
    yield "initializer whose element count overflows", path("overflow-initializer.onnx"), "error"
    m = model_of([helper.make_node("Relu", ["x"], ["y"], name="r")],
                 [f32("x", [-5, 3])], [f32("y", [-5, 3])])
    save(m, path("negative-dim-input.onnx"))
    yield "input with a negative dim", path("negative-dim-input.onnx"), "error"
    m = model_of([helper.make_node("Relu", ["x"], ["y"], name="r")],
                 [f32("x", [1 << 62])], [f32("y", [1 << 62])])
    save(m, path("huge-dim-input.onnx"))
    yield "input with an overflowing dim", path("huge-dim-input.onnx"), "sizes must be in"
    m = model_of([helper.make_node("Relu", ["x"], ["y"], name="r")],
                 [helper.make_tensor_value_info("x", TensorProto.FLOAT, None)], [f32("y", ["a"])])
    save(m, path("unranked-input.onnx"))
    yield "input without a shape", path("unranked-input.onnx"), "shape"
    m = model_of([helper.make_node("Reshape", ["x", "s"], ["y"], name="reshape")],
                 [f32("x", [2, 3])], [f32("y", ["a", "b"])],
                 [numpy_helper.from_array(np.array([4, 4], np.int64), "s")])
    save(m, path("bad-reshape.onnx"))
    yield "shape error found by nn verification", path("bad-reshape.onnx"), "node 'reshape' (Reshape, opset 13)"

    m = model_of([helper.make_node("Size", ["x"], ["y"], name="size")],
                 [f32("x", [1 << 40, 1 << 40, 1 << 40])],
                 [helper.make_tensor_value_info("y", TensorProto.INT64, [])])
    save(m, path("huge-element-count.onnx"))
    yield "input whose element count overflows", path("huge-element-count.onnx"), "more than 2^48 elements"

    # A Loop body whose bad carried type makes the loop fail after its
    # condition (given as [1]) was reshaped: once a use-after-free.
    body = helper.make_graph(
        [helper.make_node("Identity", ["cond"], ["cond_out"]),
         helper.make_node("Cast", ["v"], ["v_out"], to=TensorProto.DOUBLE)],
        "body",
        [helper.make_tensor_value_info("i", TensorProto.INT64, []),
         helper.make_tensor_value_info("cond", TensorProto.BOOL, [1]),
         helper.make_tensor_value_info("v", TensorProto.FLOAT, [2])],
        [helper.make_tensor_value_info("cond_out", TensorProto.BOOL, [1]),
         helper.make_tensor_value_info("v_out", TensorProto.DOUBLE, [2])])
    m = model_of([helper.make_node("Loop", ["trip", "c", "x"], ["y"], name="loop", body=body)],
                 [helper.make_tensor_value_info("trip", TensorProto.INT64, []),
                  helper.make_tensor_value_info("c", TensorProto.BOOL, []),
                  f32("x", [2])],
                 [f32("y", [2])])
    save(m, path("loop-bad-carried.onnx"))
    yield "Loop whose carried value changes type", path("loop-bad-carried.onnx"), "node 'loop' (Loop"

    # --- External data.
    def external_model(name, location, offset=None, length=None):
        w = numpy_helper.from_array(np.ones((4,), np.float32), "w")
        w.ClearField("raw_data")
        w.data_location = TensorProto.EXTERNAL
        for k, v in (("location", location), ("offset", offset), ("length", length)):
            if v is not None:
                e = w.external_data.add()
                e.key, e.value = k, str(v)
        m = model_of([helper.make_node("Add", ["x", "w"], ["y"], name="add")],
                     [f32("x", [4])], [f32("y", [4])], [w])
        sub = os.path.join(tmp, name)
        os.makedirs(sub, exist_ok=True)
        p = os.path.join(sub, "model.onnx")
        save(m, p)
        return sub, p

    secret = os.path.join(tmp, "secret.bin")
    open(secret, "wb").write(np.ones(4, np.float32).tobytes())
    _, p = external_model("dotdot", "../secret.bin")
    yield "external data with ..", p, "'..' is not allowed"
    _, p = external_model("absolute", secret)
    yield "external data with an absolute path", p, "absolute paths are not allowed"
    sub, p = external_model("symlink", "link.bin")
    os.symlink(secret, os.path.join(sub, "link.bin"))
    yield "external data through a symlink", p, "symbolic links are not followed"
    _, p = external_model("missing", "nothing.bin")
    yield "external data file missing", p, "does not exist"
    sub, p = external_model("offset", "w.bin", offset=1000, length=16)
    open(os.path.join(sub, "w.bin"), "wb").write(np.ones(4, np.float32).tobytes())
    yield "external data beyond the file", p, "which has 16 bytes"
    sub, p = external_model("badoffset", "w.bin", offset="12abc")
    open(os.path.join(sub, "w.bin"), "wb").write(np.ones(4, np.float32).tobytes())
    yield "external data with a malformed offset", p, "malformed offset"


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ddlc", required=True)
    args = parser.parse_args()
    passed = failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name, path, expected in cases(tmp):
            try:
                proc = subprocess.run([args.ddlc, path, "-o", os.devnull],
                                      capture_output=True, text=True, errors="replace",
                                      timeout=60)
                status, err = proc.returncode, proc.stderr
            except subprocess.TimeoutExpired:
                status, err = "timeout", ""
            ok = status == 1 and expected in err and "error" in err and \
                "Sanitizer" not in err and "runtime error" not in err
            if ok:
                passed += 1
                print(f"PASS {name}")
            else:
                failed += 1
                print(f"FAIL {name}: exit {status}, expected {expected!r} in:\n{err[-2000:]}")
    print(f"malformed models: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
