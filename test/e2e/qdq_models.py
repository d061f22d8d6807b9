#!/usr/bin/env python3
"""QDQ linear layers (QuantizeLinear/DequantizeLinear around MatMul, as ONNX
Runtime's quantization tool writes them) run on the int8 matmul, and so do
integer convolutions (ConvInteger, QLinearConv: im2col of the 8-bit input,
then the int8 GEMM).

Builds with onnx.helper a model `y = DQ(Q(x)) @ DQ(Wq)` for u8 activations
(per-tensor scale and zero point) and s8 weights with per-tensor and
per-column (axis 1) scales, and, as a control, one whose weights are f32
(no int8 product possible), and a Gemm `1.5 DQ(Q(x)) @ DQ(Wq)^T + 0.5 c`
with [N, K] weights quantized per output channel (axis 0), as
quantize_static writes a fully connected layer. Checks that ddlc's graph
holds lowbit.matmul
exactly for the QDQ ones, and that ddl-run's output matches a float64
NumPy evaluation of the ONNX semantics within 1e-5 relative (the integer
product is exact; only the final f32 rescale rounds).

The convolutions (u8 input with a zero point, s8 constant weights, 3x3
with padding, stride 2 and dilation 2 cases, a 1x1 one, per-channel
weight zero points, grouped ones) must hold lowbit.matmul too (depthwise
ones no nn.conv: their taps are integer products): ConvInteger's i32 output
must equal an exact NumPy convolution, QLinearConv's u8 output may differ
from the float64 requantization by at most 1 (the f32 multiplier, as in
ONNX Runtime) on at most 1% of the elements. A QDQ convolution (Conv of
DequantizeLinear outputs, per-channel weight scales on axis 0, a float
bias) must hold lowbit.matmul and match the float64 evaluation within
1e-5 relative.

    qdq_models.py --ddlc DDLC --ddl-run DDL_RUN --work DIR
"""

import os
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tool_args import parse_tool_args  # noqa: E402


def quantized_input(m, k, rng):
    """The QDQ pair on input x [m, k] (u8, per-tensor scale 0.05 and zero
    point 128): (its nodes, initializers, an x, x as DQ(Q(x)) in float64)."""
    x_scale, x_zero = np.float32(0.05), np.uint8(128)
    inits = [numpy_helper.from_array(np.array(x_scale), "x_scale"),
             numpy_helper.from_array(np.array(x_zero), "x_zero")]
    nodes = [helper.make_node("QuantizeLinear", ["x", "x_scale", "x_zero"], ["xq"]),
             helper.make_node("DequantizeLinear", ["xq", "x_scale", "x_zero"], ["xd"])]
    x = rng.standard_normal((m, k)).astype(np.float32) * 3
    xq = np.clip(np.round(x / x_scale) + x_zero, 0, 255)
    return nodes, inits, x, (xq - np.float64(x_zero)) * x_scale


def save_model(path, nodes, inits, m, k, n):
    graph = helper.make_graph(
        nodes, "qdq", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [m, k])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [m, n])], inits)
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), path)


def model(path, m, k, n, per_column, float_weights, rng):
    weights = rng.integers(-127, 128, (k, n)).astype(np.int8)
    w_scale = (rng.random(n).astype(np.float32) * 0.02 + 0.001) if per_column \
        else np.float32(0.01)
    w_zero = np.zeros(n, np.int8) if per_column else np.int8(0)
    nodes, inits, x, x_real = quantized_input(m, k, rng)
    inits += [numpy_helper.from_array(np.asarray(w_scale), "w_scale"),
              numpy_helper.from_array(np.asarray(w_zero), "w_zero")]
    w_real = (weights.astype(np.float64) - np.asarray(w_zero, np.float64)) * w_scale
    if float_weights:
        inits.append(numpy_helper.from_array(w_real.astype(np.float32), "wd"))
    else:
        inits.append(numpy_helper.from_array(weights, "wq"))
        nodes.append(helper.make_node("DequantizeLinear", ["wq", "w_scale", "w_zero"], ["wd"],
                                      axis=1))
    nodes.append(helper.make_node("MatMul", ["xd", "wd"], ["y"]))
    save_model(path, nodes, inits, m, k, n)
    w_used = w_real.astype(np.float32).astype(np.float64) if float_weights else w_real
    return x, x_real @ w_used


def gemm_model(path, m, k, n, rng):
    """y = 1.5 DQ(Q(x)) @ DQ(Wq)^T + 0.5 c: Gemm with transB, the s8 weights
    [N, K] per output channel (axis 0), a float C (the bias)."""
    weights = rng.integers(-127, 128, (n, k)).astype(np.int8)
    w_scale = rng.random(n).astype(np.float32) * 0.02 + 0.001
    c = rng.standard_normal(n).astype(np.float32)
    nodes, inits, x, x_real = quantized_input(m, k, rng)
    inits += [numpy_helper.from_array(w_scale, "w_scale"),
              numpy_helper.from_array(np.zeros(n, np.int8), "w_zero"),
              numpy_helper.from_array(weights, "wq"), numpy_helper.from_array(c, "c")]
    nodes += [helper.make_node("DequantizeLinear", ["wq", "w_scale", "w_zero"], ["wd"], axis=0),
              helper.make_node("Gemm", ["xd", "wd", "c"], ["y"], alpha=1.5, beta=0.5, transB=1)]
    save_model(path, nodes, inits, m, k, n)
    w_real = weights.astype(np.float64) * w_scale.astype(np.float64)[:, None]
    return x, 1.5 * (x_real @ w_real.T) + 0.5 * c.astype(np.float64)


def compile_and_run(args, name, path, x):
    """(ddlc's graph of `path`, ddl-run's output y on input x)."""
    graph = subprocess.run([args.ddlc, path, "--emit=graph", "-o", "-"], check=True,
                           capture_output=True, text=True).stdout
    so = os.path.join(args.work, name + ".so")
    subprocess.run([args.ddlc, path, "-o", so], check=True)
    x_path = os.path.join(args.work, name + "_x.npy")
    np.save(x_path, x)
    out_dir = os.path.join(args.work, name + "_out")
    subprocess.run([args.ddl_run, so, "--input", f"x={x_path}", "--output-dir", out_dir],
                   check=True, capture_output=True)
    return graph, np.load(os.path.join(out_dir, "y.npy"))


def int_conv(x, x_zero, w, w_zero, pads, stride, dilation, group=1):
    """The exact sum((x - x_zero) (w - w_zero)) of each window, int64
    (`group` groups of channels, as ONNX groups them)."""
    xp = np.pad(x.astype(np.int64) - int(x_zero), ((0, 0), (0, 0), (pads[0], pads[2]), (pads[1], pads[3])))
    wc = w.astype(np.int64) - np.asarray(w_zero, np.int64).reshape(-1, 1, 1, 1)
    oc, cg, kh, kw = w.shape
    og = oc // group
    oh = (xp.shape[2] - dilation * (kh - 1) - 1) // stride + 1
    ow = (xp.shape[3] - dilation * (kw - 1) - 1) // stride + 1
    out = np.zeros((x.shape[0], oc, oh, ow), np.int64)
    for g in range(group):
        for i in range(kh):
            for j in range(kw):
                win = xp[:, g * cg:(g + 1) * cg, i * dilation:i * dilation + (oh - 1) * stride + 1:stride,
                         j * dilation:j * dilation + (ow - 1) * stride + 1:stride]
                out[:, g * og:(g + 1) * og] += np.einsum("nchw,oc->nohw", win, wc[g * og:(g + 1) * og, :, i, j])
    return out


def conv_model(path, op, shape, kernel, pads, stride, dilation, rng, group=1):
    """ConvInteger or QLinearConv with constant s8 weights (per-channel zero
    points for ConvInteger, per-channel scales for QLinearConv); returns
    the input and the expected output."""
    n, c, h, w_ = shape
    oc, k = kernel
    x = rng.integers(0, 256, shape).astype(np.uint8)
    weights = rng.integers(-127, 128, (oc, c // group, k, k)).astype(np.int8)
    x_zero = np.uint8(121)
    attrs = dict(pads=list(pads), strides=[stride, stride], dilations=[dilation, dilation], group=group)
    acc = None
    if op == "ConvInteger":
        w_zero = rng.integers(-3, 4, oc).astype(np.int8)
        inits = [numpy_helper.from_array(weights, "w"), numpy_helper.from_array(np.array(x_zero), "x_zero"),
                 numpy_helper.from_array(w_zero, "w_zero")]
        node = helper.make_node("ConvInteger", ["x", "w", "x_zero", "w_zero"], ["y"], **attrs)
        out_type = TensorProto.INT32
        want = int_conv(x, x_zero, weights, w_zero, pads, stride, dilation, group)
    else:
        x_scale, y_scale, y_zero = np.float32(0.02), np.float32(0.5), np.uint8(128)
        w_scale = (rng.random(oc).astype(np.float32) * 0.02 + 0.005)
        bias = rng.integers(-500, 500, oc).astype(np.int32)
        inits = [numpy_helper.from_array(np.array(x_scale), "x_scale"),
                 numpy_helper.from_array(np.array(x_zero), "x_zero"),
                 numpy_helper.from_array(weights, "w"), numpy_helper.from_array(w_scale, "w_scale"),
                 numpy_helper.from_array(np.zeros(oc, np.int8), "w_zero"),
                 numpy_helper.from_array(np.array(y_scale), "y_scale"),
                 numpy_helper.from_array(np.array(y_zero), "y_zero"), numpy_helper.from_array(bias, "b")]
        node = helper.make_node("QLinearConv", ["x", "x_scale", "x_zero", "w", "w_scale", "w_zero",
                                                "y_scale", "y_zero", "b"], ["y"], **attrs)
        out_type = TensorProto.UINT8
        acc = int_conv(x, x_zero, weights, np.zeros(oc, np.int8), pads, stride, dilation, group) + \
            bias.reshape(1, -1, 1, 1)
        scale = (np.float64(x_scale) * w_scale.astype(np.float64) / np.float64(y_scale)).reshape(1, -1, 1, 1)
        want = np.clip(np.round(acc * scale) + int(y_zero), 0, 255)
    graph = helper.make_graph(
        [node], "conv", [helper.make_tensor_value_info("x", TensorProto.UINT8, list(shape))],
        [helper.make_tensor_value_info("y", out_type, list(want.shape))], inits)
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), path)
    return x, want


def qdq_conv_model(path, shape, oc, rng):
    """Q(x) -> DQ -> Conv(., DQ(Wq, per-channel axis 0), bias) -> y."""
    n, c, h, w_ = shape
    x_scale, x_zero = np.float32(0.04), np.uint8(120)
    weights = rng.integers(-127, 128, (oc, c, 3, 3)).astype(np.int8)
    w_scale = (rng.random(oc).astype(np.float32) * 0.01 + 0.002)
    bias = rng.standard_normal(oc).astype(np.float32)
    inits = [numpy_helper.from_array(np.array(x_scale), "x_scale"),
             numpy_helper.from_array(np.array(x_zero), "x_zero"),
             numpy_helper.from_array(weights, "wq"), numpy_helper.from_array(w_scale, "w_scale"),
             numpy_helper.from_array(np.zeros(oc, np.int8), "w_zero"), numpy_helper.from_array(bias, "b")]
    nodes = [helper.make_node("QuantizeLinear", ["x", "x_scale", "x_zero"], ["xq"]),
             helper.make_node("DequantizeLinear", ["xq", "x_scale", "x_zero"], ["xd"]),
             helper.make_node("DequantizeLinear", ["wq", "w_scale", "w_zero"], ["wd"], axis=0),
             helper.make_node("Conv", ["xd", "wd", "b"], ["y"], pads=[1, 1, 1, 1], strides=[2, 2])]
    x = rng.standard_normal(shape).astype(np.float32) * 2
    xq = np.clip(np.round(x / x_scale) + x_zero, 0, 255).astype(np.uint8)
    acc = int_conv(xq, x_zero, weights, np.zeros(oc, np.int8), (1, 1, 1, 1), 2, 1)
    want = acc * (np.float64(x_scale) * w_scale.astype(np.float64)).reshape(1, -1, 1, 1) + \
        bias.astype(np.float64).reshape(1, -1, 1, 1)
    graph = helper.make_graph(
        nodes, "qdq_conv", [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(shape))],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, list(want.shape))], inits)
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), path)
    return x, want


def check_convs(args, rng):
    ok = True
    cases = (("ConvInteger", "conv-integer-3x3-pad", (2, 8, 9, 9), (16, 3), (1, 1, 1, 1), 1, 1),
             ("ConvInteger", "conv-integer-3x3-stride2", (1, 8, 10, 11), (12, 3), (1, 0, 0, 1), 2, 1),
             ("ConvInteger", "conv-integer-3x3-dilation2", (1, 4, 12, 12), (8, 3), (2, 2, 2, 2), 1, 2),
             ("ConvInteger", "conv-integer-1x1", (1, 32, 7, 7), (24, 1), (0, 0, 0, 0), 1, 1),
             ("QLinearConv", "qlinear-conv-3x3", (1, 16, 14, 14), (32, 3), (1, 1, 1, 1), 1, 1),
             ("QLinearConv", "qlinear-conv-3x3-stride2", (2, 8, 15, 15), (16, 3), (1, 1, 1, 1), 2, 1))
    cases += (("QDQ", "qdq-conv-3x3-stride2", (1, 16, 12, 12), (24, 3), None, None, None),)
    # Grouped: each group on the int8 GEMM; depthwise (one input channel a
    # group, 1 or 2 outputs each): integer products of the taps, no GEMM.
    grouped = {"conv-integer-grouped-4": 4, "qlinear-conv-grouped-2-stride2": 2,
               "conv-integer-depthwise-stride2": 8, "qlinear-conv-depthwise-x2": 16}
    cases += (("ConvInteger", "conv-integer-grouped-4", (1, 16, 9, 9), (8, 3), (1, 1, 1, 1), 1, 1),
              ("QLinearConv", "qlinear-conv-grouped-2-stride2", (1, 8, 11, 11), (12, 3), (1, 1, 1, 1), 2, 1),
              ("ConvInteger", "conv-integer-depthwise-stride2", (2, 8, 10, 10), (8, 3), (1, 1, 1, 1), 2, 1),
              ("QLinearConv", "qlinear-conv-depthwise-x2", (1, 16, 9, 9), (32, 3), (1, 1, 1, 1), 1, 1))
    for op, name, shape, kernel, pads, stride, dilation in cases:
        path = os.path.join(args.work, name + ".onnx")
        group = grouped.get(name, 1)
        if op == "QDQ":
            x, want = qdq_conv_model(path, shape, kernel[0], rng)
        else:
            x, want = conv_model(path, op, shape, kernel, pads, stride, dilation, rng, group)
        graph, got = compile_and_run(args, name, path, x)
        depthwise = group == shape[1]
        integer = ("lowbit.matmul" in graph or depthwise) and "nn.conv" not in graph
        label = "integer taps" if depthwise else "int8 matmul"
        if op == "QDQ":
            err = float(np.abs(got - want).max() / np.abs(want).max()) if got.shape == want.shape else 1.0
            passed = integer and err < 1e-5
            ok &= passed
            print(f"{'PASS' if passed else 'FAIL'} {name}: {label} {'yes' if integer else 'no'}, "
                  f"relative error {err:.1e}")
            continue
        got = got.astype(np.int64)
        diff = np.abs(got - want.astype(np.int64)) if got.shape == want.shape else None
        if diff is None:
            passed, detail = False, f"shape {got.shape}, expected {want.shape}"
        elif op == "ConvInteger":
            passed, detail = integer and int(diff.max()) == 0, f"max |diff| {int(diff.max())}"
        else:
            off = float((diff > 0).mean())
            passed = integer and int(diff.max()) <= 1 and off <= 0.01
            detail = f"max |diff| {int(diff.max())}, {off:.2%} off by one"
        ok &= passed
        print(f"{'PASS' if passed else 'FAIL'} {name}: {label} {'yes' if integer else 'no'}, {detail}")
    return ok


def main():
    args = parse_tool_args(__doc__)
    rng = np.random.default_rng(0)
    ok = True
    for name, per_column, float_weights in (("per-tensor", False, False),
                                            ("per-column", True, False),
                                            ("float-weights", False, True)):
        path = os.path.join(args.work, name + ".onnx")
        x, want = model(path, 33, 96, 80, per_column, float_weights, rng)
        graph, got = compile_and_run(args, name, path, x)
        integer = "lowbit.matmul" in graph
        got = got.astype(np.float64)
        err = float(np.abs(got - want).max() / np.abs(want).max())
        passed = integer == (not float_weights) and err < 1e-5
        ok &= passed
        print(f"{'PASS' if passed else 'FAIL'} {name}: int8 matmul "
              f"{'yes' if integer else 'no'}, relative error {err:.1e}")
    path = os.path.join(args.work, "gemm.onnx")
    x, want = gemm_model(path, 17, 96, 40, rng)
    graph, got = compile_and_run(args, "gemm", path, x)
    integer = "lowbit.matmul" in graph
    err = float(np.abs(got.astype(np.float64) - want).max() / np.abs(want).max())
    passed = integer and err < 1e-5
    ok &= passed
    print(f"{'PASS' if passed else 'FAIL'} gemm-transposed-per-channel: int8 matmul "
          f"{'yes' if integer else 'no'}, relative error {err:.1e}")
    ok &= check_convs(args, rng)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
