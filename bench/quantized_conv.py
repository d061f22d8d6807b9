#!/usr/bin/env python3
"""Integer convolutions: ddl int8 vs ddl fp32 vs ONNX Runtime int8, CPU.

A stack of --layers 3x3 convolutions (padding 1, stride 1, C -> C channels)
at each --shapes C,H,W (batch 1), in two ONNX forms written with
onnx.helper (random s8 weights, per-output-channel scales, i32 biases):

  int8   ONNX's QOperator form, as onnxruntime.quantization's
         quantize_static(quant_format=QOperator) writes it: float input ->
         QuantizeLinear (u8) -> QLinearConv x layers (y_zero_point 0, so the
         u8 saturation is the ReLU) -> DequantizeLinear -> float output.
         ddl imports QLinearConv as im2col of the u8 input plus its int8
         GEMM (lowbit.matmul, AVX-512 VNNI); ORT runs MLAS's QLinearConv.
  QDQ    the same network in ONNX's QDQ form (quantize_static's default):
         QuantizeLinear -> DequantizeLinear around each Conv's input, the
         weights DequantizeLinear(s8, per channel on axis 0), a float bias,
         Conv + Relu. ddl imports each Conv of dequantized values as the
         same integer convolution; ORT fuses the pattern into its QLinearConv.
  fp32   the same network in float: weights w * w_scale, biases b * x_scale
         * w_scale, Conv + Relu per layer (what the int8 model quantizes).

Each is compiled by ddlc and timed by `ddl-run --benchmark --runs`
(--threads threads, one warm-up), and the int8 models also by ONNX
Runtime (bench/ort_latency.js, all graph optimizations); the systems
alternate --repeats times and the table gives the median of their p50s,
with ddl int8 / ddl fp32 and ddl int8 / ORT int8 per form (below 1: ddl
int8 is faster). ddl's int8 outputs are compared with its fp32 output of
the float twin (the network they quantize): a max error above 10% of the output's range marks
the row and the script exits 1 (the exact integer arithmetic is checked
by test/e2e/qdq_models.py; bench/ort_latency.js returns no outputs).

    cd bench && npm install --ignore-scripts && cd ..
    /usr/bin/python3 bench/quantized_conv.py [--shapes 64,56,56 128,28,28 256,14,14]
        [--layers 4] [--runs 20] [--repeats 3] [--threads 2]
"""

import argparse
import datetime
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from cpu_latency import parse_ddl_benchmark, percentile  # noqa: E402


def build(c, h, w, layers, seed):
    """(QOperator int8 model, QDQ int8 model, fp32 model) for `layers` 3x3
    C -> C convolutions."""
    rng = np.random.default_rng(seed)
    qdq_nodes, qdq_inits, current_d = [], [], "input"
    x_scale = np.float32(0.02)
    int_nodes = [helper.make_node("QuantizeLinear", ["input", "s0", "z0"], ["q0"])]
    int_inits = [numpy_helper.from_array(np.array(x_scale), "s0"),
                 numpy_helper.from_array(np.array(np.uint8(128)), "z0")]
    float_nodes, float_inits = [], []
    current_q, current_f, scale = "q0", "input", x_scale
    for i in range(layers):
        weights = rng.integers(-100, 101, (c, c, 3, 3)).astype(np.int8)
        # Outputs of about the inputs' spread: sqrt(9 C) products of
        # activations (std ~0.6) and weights (std ~58 steps).
        w_scale = ((rng.random(c) * 0.5 + 0.75) / (35 * np.sqrt(9 * c))).astype(np.float32)
        bias = rng.integers(-2000, 2000, c).astype(np.int32)
        y_scale = np.float32(0.05)
        p = f"l{i}_"
        int_inits += [numpy_helper.from_array(weights, p + "w"),
                      numpy_helper.from_array(w_scale, p + "ws"),
                      numpy_helper.from_array(np.zeros(c, np.int8), p + "wz"),
                      numpy_helper.from_array(np.array(y_scale), p + "ys"),
                      numpy_helper.from_array(np.array(np.uint8(0)), p + "yz"),
                      numpy_helper.from_array(bias, p + "b")]
        int_nodes.append(helper.make_node(
            "QLinearConv", [current_q, "s0" if i == 0 else f"l{i - 1}_ys", "z0" if i == 0 else f"l{i - 1}_yz",
                            p + "w", p + "ws", p + "wz", p + "ys", p + "yz", p + "b"],
            [p + "y"], pads=[1, 1, 1, 1]))
        float_inits += [numpy_helper.from_array((weights * w_scale.reshape(-1, 1, 1, 1)).astype(np.float32), p + "w"),
                        numpy_helper.from_array((bias * scale * w_scale).astype(np.float32), p + "b")]
        float_nodes += [helper.make_node("Conv", [current_f, p + "w", p + "b"], [p + "c"], pads=[1, 1, 1, 1]),
                        helper.make_node("Relu", [p + "c"], [p + "y"])]
        # QDQ: the input quantized with the previous layer's output scale
        # (u8, zero point 128 for the model's input, 0 after a ReLU).
        in_scale, in_zero = (x_scale, np.uint8(128)) if i == 0 else (scale, np.uint8(0))
        qdq_inits += [numpy_helper.from_array(np.array(in_scale), p + "s"),
                      numpy_helper.from_array(np.array(in_zero), p + "z"),
                      numpy_helper.from_array(weights, p + "w"), numpy_helper.from_array(w_scale, p + "ws"),
                      numpy_helper.from_array(np.zeros(c, np.int8), p + "wz"),
                      numpy_helper.from_array((bias * in_scale * w_scale).astype(np.float32), p + "b")]
        qdq_nodes += [helper.make_node("QuantizeLinear", [current_d, p + "s", p + "z"], [p + "q"]),
                      helper.make_node("DequantizeLinear", [p + "q", p + "s", p + "z"], [p + "d"]),
                      helper.make_node("DequantizeLinear", [p + "w", p + "ws", p + "wz"], [p + "wd"], axis=0),
                      helper.make_node("Conv", [p + "d", p + "wd", p + "b"], [p + "c"], pads=[1, 1, 1, 1]),
                      helper.make_node("Relu", [p + "c"], [p + "y"])]
        current_d = p + "y"
        current_q, current_f, scale = p + "y", p + "y", y_scale
    last = f"l{layers - 1}_"
    int_nodes.append(helper.make_node("DequantizeLinear", [current_q, last + "ys", last + "yz"], ["output"]))
    float_nodes.append(helper.make_node("Identity", [current_f], ["output"]))
    qdq_nodes.append(helper.make_node("Identity", [current_d], ["output"]))
    io = ([helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, c, h, w])],
          [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, c, h, w])])
    opset = [helper.make_opsetid("", 13)]
    int_model = helper.make_model(helper.make_graph(int_nodes, "qconv", *io, int_inits), opset_imports=opset)
    float_model = helper.make_model(helper.make_graph(float_nodes, "conv", *io, float_inits), opset_imports=opset)
    qdq_model = helper.make_model(helper.make_graph(qdq_nodes, "qdq", *io, qdq_inits), opset_imports=opset)
    return int_model, qdq_model, float_model


def ddl_time(args, so, x_path, out_dir):
    proc = subprocess.run([args.ddl_run, so, "--input", f"input={x_path}", "--benchmark", str(args.runs),
                           "--threads", str(args.threads), "--output-dir", out_dir],
                          capture_output=True, text=True, errors="replace", check=True)
    return parse_ddl_benchmark(proc.stdout)["p50_ms"]


def ort_time(args, path, shape):
    cmd = [args.node, os.path.join(HERE, "ort_latency.js"), path, "--runs", str(args.runs),
           "--threads", str(args.threads), "--input", "input=" + ",".join(map(str, shape))]
    proc = subprocess.run(cmd, capture_output=True, text=True, errors="replace", check=True)
    return percentile(json.loads(proc.stdout.strip().splitlines()[-1])["times_ms"], 50)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ddlc", default=os.path.join(HERE, "..", "build", "bin", "ddlc"))
    parser.add_argument("--ddl-run", dest="ddl_run", default=os.path.join(HERE, "..", "build", "bin", "ddl-run"))
    parser.add_argument("--node", default=shutil.which("node") or "node")
    parser.add_argument("--shapes", nargs="+", default=["64,56,56", "128,28,28", "256,14,14"])
    parser.add_argument("--layers", type=int, default=4)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    print(f"# integer convolutions, {datetime.date.today()}, {args.threads} threads, {args.layers} layers of "
          f"3x3, batch 1, {args.runs} runs x {args.repeats} repeats (median of p50s)")
    print("| C x H x W | ddl fp32 ms | ddl int8 ms | ORT int8 ms | ddl int8 QDQ ms | ORT int8 QDQ ms "
          "| ddl int8 / ddl fp32 | ddl int8 / ORT int8 | QDQ: ddl / ORT |")
    print("|---|---|---|---|---|---|---|---|---|")
    wrong = False
    with tempfile.TemporaryDirectory() as tmp:
        for spec in args.shapes:
            c, h, w = map(int, spec.split(","))
            int_model, qdq_model, float_model = build(c, h, w, args.layers, seed=c)
            paths = {}
            for name, m in (("int8", int_model), ("qdq", qdq_model), ("fp32", float_model)):
                paths[name] = os.path.join(tmp, f"{name}_{c}.onnx")
                onnx.save(m, paths[name])
                subprocess.run([args.ddlc, paths[name], "-o", paths[name][:-5] + ".so"], check=True)
            x = np.random.default_rng(1).uniform(-1, 1, (1, c, h, w)).astype(np.float32)
            x_path = os.path.join(tmp, f"x_{c}.npy")
            np.save(x_path, x)
            got = {}
            times = {"fp32": [], "int8": [], "qdq": [], "ort": [], "ort_qdq": []}
            for _ in range(args.repeats):
                for name in ("fp32", "int8", "qdq"):
                    out_dir = os.path.join(tmp, f"out_{name}_{c}")
                    times[name].append(ddl_time(args, paths[name][:-5] + ".so", x_path, out_dir))
                    got[name] = np.load(os.path.join(out_dir, "output.npy"))
                times["ort"].append(ort_time(args, paths["int8"], (1, c, h, w)))
                times["ort_qdq"].append(ort_time(args, paths["qdq"], (1, c, h, w)))
            # The int8 networks approximate the float one: a large gap means a wrong int8 path.
            scale = max(float(np.abs(got["fp32"]).max()), 1e-6)
            err = max(float(np.abs(got[k] - got["fp32"]).max()) / scale for k in ("int8", "qdq"))
            if err > 0.1:
                wrong = True
            f, i, o, qd, qo = (statistics.median(times[k]) for k in ("fp32", "int8", "ort", "qdq", "ort_qdq"))
            print(f"| {c} x {h} x {w} | {f:.3f} | {i:.3f} | {o:.3f} | {qd:.3f} | {qo:.3f} | {i / f:.2f}x "
                  f"| {i / o:.2f}x | {qd / qo:.2f}x |"
                  + (f" **int8 vs fp32 relative error {err:.2f}**" if err > 0.1 else ""), flush=True)
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
