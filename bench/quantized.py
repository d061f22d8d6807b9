#!/usr/bin/env python3
"""Quantized models: ddl's quantization modes vs ddl fp32: size, memory, speed and output SQNR.

For each model, in one run: export ONNX (opset 14, cpu_latency.py's
export), compile it with ddlc once per --modes (fp32; `--quantize=int8`:
linear layers' weights per channel at compile time, activations per token
at run time, int8 matmuls on AVX-512 VNNI where the CPU has it;
`int8-static`: the same with activation scales fixed at compile time,
`--calibration` on --calibration-samples random inputs drawn as the timed
input is, min-max;
`--quantize=int4`: weight-only, groups of 64, the kernel unpacking nibbles
in registers; `--quantize=fp8`: E4M3 weights and activations, per-tensor
scales, decoded through f16 in registers; `--quantize=ternary` / `ternary-1.6`: BitNet b1.58 trits per
output channel at 2 / 1.6 bits each, int8 activations per token, the kernel
unpacking trits in registers onto VNNI dots; `ternary-lut` / `ternary-1.6-lut`:
the same quantization on the lookup-table kernel, `--ternary-kernel=lut`;
`--quantize=bf16`: bf16 weights and activations, f32 sums, `vdpbf16ps`),
and report for each: the model
`.so` size (weights are embedded: the size is what a deployment ships), the
bf16 model's weight bytes (2 bytes per parameter of the exported model: a
lower bound of a bf16 deployment) over that size, the peak resident memory
of one ddl-run process running the model once (`wait4`'s ru_maxrss: the
runtime, the mapped .so pages it touched, the arena and the outputs) and
the bf16 estimate over it (the fp32 run's peak less 2 bytes per parameter:
what the same run would hold with bf16 weights; ddl has no bf16 CPU mode
to measure), ddl-run's p50 latency (--runs timed runs after one
warm-up, --threads threads; the modes alternate --repeats times and the
median of their p50s is reported), and the output SQNR against
PyTorch fp32: 10 log10(sum(ref^2) / sum((out - ref)^2)).

Models: `bert_encoder` (bench/models.py: 12 BERT-base layers, sequence
128), with each layer's weights re-drawn from its own seed
(N(0, 0.02^2)): `TransformerEncoder` deep-copies one layer, and identical
int8 constants would be stored once, which would flatter int8's size;
`decoder_block` (an LLM-shaped block: hidden 4096, FFN 11008, 32 heads,
sequence 16, causal); `embedding_VxD` (a token embedding table, 16 tokens gathered);
`gemv_4096x4096` and `gemv_4096x11008` (one
linear layer, one row: a decode step's GEMV, where reading the weights is
the cost); `resnet50`, `resnet18`, `mobilenet_v2` (bench/models.py's
torchvision models, batch 1, 224x224: `--quantize=int8` takes their
group-1 convolutions, int4 only the classifier).

    /usr/bin/python3 bench/quantized.py [--models bert_encoder decoder_block] \
        [--runs 20] [--repeats 3] [--threads 2]

--ort-int8 adds ONNX Runtime's int8 as the peer. Python onnxruntime (and
its quantization tool) is not installable here, so the script writes the
model that `onnxruntime.quantization.quantize_dynamic` would: every MatMul
by a 2-D f32 initializer becomes DynamicQuantizeLinear (u8 activations, one
scale and zero point per tensor, computed at run time) -> MatMulInteger
with s8 weights (symmetric, one scale per column) -> Cast -> Mul by the
scales, which ORT fuses into its DynamicQuantizeMatMul on MLAS's int8 GEMM.
That model runs in ORT (onnxruntime-node, bench/ort_latency.js) and in ddl
(mode `onnx-int8`: ddl's importer maps MatMulInteger with constant weights
to its int8 kernel), in the same rounds as the other modes.

--ort-static adds ONNX Runtime's static int8 (`quantize_static`, QDQ
format) as the peer, written here the same way: the float model runs in
ddl with every intermediate tensor as an extra output (as ORT's calibrator
augments the graph) on the --calibration-samples inputs, and each float
activation tensor gets a QuantizeLinear -> DequantizeLinear pair with
min-max u8 scales (zero point where 0 falls), Conv, Gemm and MatMul
weights s8 per output channel, their biases i32 (scale x_scale w_scale):
ORT fuses the pattern into QLinearConv / QLinearMatMul / QLinearAdd / QGemm
and u8 pooling. That model
runs in ORT and in ddl (mode `qdq-int8`: ddl's importer runs the Conv and
Gemm of dequantized values on its int8 kernels, the other Q/DQ pairs as
float rounding).
"""

import argparse
import datetime
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from cpu_latency import export, parse_ddl_benchmark, time_ort  # noqa: E402
import models  # noqa: E402


class DecoderBlock(torch.nn.Module):
    """Pre-norm causal self-attention and a SwiGLU-free FFN (GELU), LLM-sized."""

    def __init__(self, hidden=4096, heads=32, ffn=11008):
        super().__init__()
        self.heads = heads
        self.norm1 = torch.nn.LayerNorm(hidden)
        self.qkv = torch.nn.Linear(hidden, 3 * hidden, bias=False)
        self.out = torch.nn.Linear(hidden, hidden, bias=False)
        self.norm2 = torch.nn.LayerNorm(hidden)
        self.up = torch.nn.Linear(hidden, ffn, bias=False)
        self.down = torch.nn.Linear(ffn, hidden, bias=False)

    def forward(self, x):
        b, t, c = x.shape
        q, k, v = self.qkv(self.norm1(x)).split(c, dim=2)
        q, k, v = (z.view(b, t, self.heads, c // self.heads).transpose(1, 2)
                   for z in (q, k, v))
        s = q @ k.transpose(-2, -1) / (c // self.heads) ** 0.5
        s = s.masked_fill(torch.ones(t, t, dtype=torch.bool).triu(1), float("-inf"))
        y = (torch.softmax(s, dim=-1) @ v).transpose(1, 2).reshape(b, t, c)
        x = x + self.out(y)
        return x + self.down(torch.nn.functional.gelu(self.up(self.norm2(x))))


def build(name):
    if name == "bert_encoder":
        model, x = models.bert_encoder(1)
        for i, layer in enumerate(model.layers):
            torch.manual_seed(100 + i)
            for p in layer.parameters():
                if p.dim() > 1:
                    torch.nn.init.normal_(p, std=0.02)
        return model.eval(), x
    if name == "decoder_block":
        torch.manual_seed(0)
        model = DecoderBlock()
        for p in model.parameters():
            if p.dim() > 1:
                torch.nn.init.normal_(p, std=0.02)
        return model.eval(), torch.randn(1, 16, 4096)
    if name in ("resnet50", "resnet18", "mobilenet_v2"):
        # The latency benchmark's image models (random weights, BatchNorm
        # statistics of one random batch): --quantize=int8 takes their
        # group-1 convolutions and the classifier.
        return models.build(name, 1)
    if name.startswith("embedding_"):
        # A language model's token embeddings (V x D), gathered for 16
        # tokens: --quantize=int8 / int4 store the table as int8 rows /
        # int4 groups and dequantize the gathered rows.
        v, d = (int(n) for n in name[len("embedding_"):].split("x"))
        torch.manual_seed(0)
        model = torch.nn.Embedding(v, d)
        torch.nn.init.normal_(model.weight, std=0.02)
        return model.eval(), torch.randint(0, v, (1, 16))
    if name.startswith("gemv_"):
        k, n = (int(v) for v in name[len("gemv_"):].split("x"))
        torch.manual_seed(0)
        model = torch.nn.Linear(k, n, bias=False)
        torch.nn.init.normal_(model.weight, std=0.02)
        return model.eval(), torch.randn(1, k)
    raise SystemExit(f"quantized: unknown model '{name}'")


def dynamic_int8_onnx(src, dst):
    """Writes `src` as quantize_dynamic would (see the docstring) to `dst`;
    returns the number of MatMuls it quantized."""
    model = onnx.load(src)
    inits = {i.name: i for i in model.graph.initializer}
    nodes, count = [], 0
    for node in model.graph.node:
        weight = inits.get(node.input[1]) if node.op_type == "MatMul" else None
        if weight is None or len(weight.dims) != 2 or weight.data_type != TensorProto.FLOAT:
            nodes.append(node)
            continue
        w = numpy_helper.to_array(weight).astype(np.float64)
        scale = np.maximum(np.abs(w).max(axis=0), 1e-12) / 127.0
        p = f"q{count}_"
        model.graph.initializer.extend([
            numpy_helper.from_array(np.clip(np.round(w / scale), -127, 127).astype(np.int8),
                                    p + "w"),
            numpy_helper.from_array(np.zeros(w.shape[1], np.int8), p + "w_zero"),
            numpy_helper.from_array(scale.astype(np.float32), p + "w_scale")])
        nodes += [
            helper.make_node("DynamicQuantizeLinear", [node.input[0]],
                             [p + "x", p + "x_scale", p + "x_zero"]),
            helper.make_node("MatMulInteger", [p + "x", p + "w", p + "x_zero", p + "w_zero"],
                             [p + "acc"]),
            helper.make_node("Cast", [p + "acc"], [p + "accf"], to=TensorProto.FLOAT),
            helper.make_node("Mul", [p + "x_scale", p + "w_scale"], [p + "scale"]),
            helper.make_node("Mul", [p + "accf", p + "scale"], list(node.output))]
        count += 1
    save_rewritten(model, nodes, [], dst)
    return count


def save_rewritten(model, nodes, initializers, dst):
    """Saves `model` with `nodes` as its graph and `initializers` added,
    less the initializers no node reads any more (the replaced f32
    weights)."""
    del model.graph.node[:]
    model.graph.node.extend(nodes)
    model.graph.initializer.extend(initializers)
    used = {i for n in model.graph.node for i in n.input}
    kept = [i for i in model.graph.initializer if i.name in used]
    del model.graph.initializer[:]
    model.graph.initializer.extend(kept)
    onnx.save(model, dst)


def tensor_ranges(args, onnx_path, samples, tmp):
    """{tensor name: (min, max)} of every float tensor of the model (inputs
    and node outputs) over `samples` (input arrays), measured by ddl: each
    tensor gets an Identity to an extra graph output."""
    model = onnx.shape_inference.infer_shapes(onnx.load(onnx_path))
    initializers = {i.name for i in model.graph.initializer}
    tensors = {v.name: v for v in list(model.graph.input) + list(model.graph.value_info)
               + list(model.graph.output)
               if v.type.tensor_type.elem_type == TensorProto.FLOAT and v.name not in initializers}
    names = list(tensors)
    for i, name in enumerate(names):
        model.graph.node.append(helper.make_node("Identity", [name], [f"calib_{i}"]))
        output = onnx.ValueInfoProto()
        output.CopyFrom(tensors[name])
        output.name = f"calib_{i}"
        if not output.type.tensor_type.HasField("shape"):
            # (The checker wants a shape field; ddl infers the shape.)
            output.type.tensor_type.shape.SetInParent()
        model.graph.output.append(output)
    path = os.path.join(tmp, "calibration.onnx")
    onnx.save(model, path)
    so = os.path.join(tmp, "calibration.so")
    subprocess.run([args.ddlc, path, "-o", so], check=True)
    ranges = {}
    for j, sample in enumerate(samples):
        x_path = os.path.join(tmp, f"calibration_{j}.npy")
        out = os.path.join(tmp, f"calibration_{j}")
        np.save(x_path, sample)
        subprocess.run([args.ddl_run, so, "--input", f"input={x_path}", "--output-dir", out,
                        "--threads", str(args.threads)], check=True, capture_output=True)
        for i, name in enumerate(names):
            values = np.load(os.path.join(out, f"calib_{i}.npy"))
            lo, hi = float(values.min()), float(values.max())
            old = ranges.get(name, (lo, hi))
            ranges[name] = (min(old[0], lo), max(old[1], hi))
        shutil.rmtree(out)
    return ranges


def static_int8_onnx(src, dst, ranges):
    """Writes `src` as quantize_static (QDQ format, u8 activations, s8
    per-channel weights) would, with the activation `ranges`
    (tensor_ranges), to `dst`; returns the number of Conv / Gemm / MatMul
    nodes whose weights it quantized."""
    model = onnx.load(src)
    inits = {i.name: i for i in model.graph.initializer}
    new_inits, nodes, count = [], [], 0
    dequantized = {}  # float tensor -> its DequantizeLinear output

    def qdq(name):
        if name not in ranges:
            return name
        if name not in dequantized:
            lo, hi = min(ranges[name][0], 0.0), max(ranges[name][1], 0.0)
            scale = max((hi - lo) / 255.0, 1e-12)
            zero = int(np.clip(np.round(-lo / scale), 0, 255))
            p = f"{name}_q"
            new_inits.extend([numpy_helper.from_array(np.array(scale, np.float32), p + "_scale"),
                              numpy_helper.from_array(np.array(zero, np.uint8), p + "_zero")])
            nodes.append(helper.make_node("QuantizeLinear", [name, p + "_scale", p + "_zero"], [p]))
            nodes.append(helper.make_node("DequantizeLinear", [p, p + "_scale", p + "_zero"], [p + "_dq"]))
            dequantized[name] = (p + "_dq", scale)
        return dequantized[name][0]

    def weights(name, axis):
        """The weight as s8 per channel on `axis`, dequantized; its scales."""
        w = numpy_helper.to_array(inits[name]).astype(np.float64)
        moved = np.moveaxis(w, axis, 0).reshape(w.shape[axis], -1)
        scale = np.maximum(np.abs(moved).max(axis=1), 1e-12) / 127.0
        shape = [1] * w.ndim
        shape[axis] = -1
        q = np.clip(np.round(w / scale.reshape(shape)), -127, 127).astype(np.int8)
        p = name + "_s8"
        new_inits.extend([numpy_helper.from_array(q, p),
                          numpy_helper.from_array(scale.astype(np.float32), p + "_scale"),
                          numpy_helper.from_array(np.zeros(len(scale), np.int8), p + "_zero")])
        nodes.append(helper.make_node("DequantizeLinear", [p, p + "_scale", p + "_zero"],
                                      [p + "_dq"], axis=axis))
        return p + "_dq", scale

    def bias(name, scale):
        b = numpy_helper.to_array(inits[name]).astype(np.float64)
        p = name + "_s32"
        new_inits.extend([
            numpy_helper.from_array(np.round(b / scale).astype(np.int32), p),
            numpy_helper.from_array(scale.astype(np.float32), p + "_scale"),
            numpy_helper.from_array(np.zeros(len(scale), np.int32), p + "_zero")])
        nodes.append(helper.make_node("DequantizeLinear", [p, p + "_scale", p + "_zero"], [p + "_dq"],
                                      axis=0))
        return p + "_dq"

    for name in [i.name for i in model.graph.input]:
        qdq(name)
    for node in model.graph.node:
        inputs = list(node.input)
        weight = inits.get(inputs[1]) if len(inputs) > 1 else None
        gemm_b = (node.op_type == "Gemm" and weight is not None and len(weight.dims) == 2
                  and any(a.name == "transB" and a.i == 1 for a in node.attribute))
        conv_w = node.op_type == "Conv" and weight is not None and len(weight.dims) == 4
        matmul_b = node.op_type == "MatMul" and weight is not None and len(weight.dims) == 2
        if (conv_w or gemm_b or matmul_b) and node.input[0] in ranges:
            inputs[0] = qdq(node.input[0])
            x_scale = dequantized[node.input[0]][1]
            # Per output channel: Conv's and Gemm's (transB) axis 0, MatMul's [K, N] axis 1.
            inputs[1], w_scale = weights(node.input[1], 1 if matmul_b else 0)
            if len(inputs) > 2 and inputs[2] in inits:
                inputs[2] = bias(node.input[2], x_scale * w_scale)
            count += 1
        else:
            inputs = [qdq(i) if i in ranges and i not in inits else i for i in inputs]
        new = helper.make_node(node.op_type, inputs, list(node.output), name=node.name,
                               domain=node.domain)
        new.attribute.extend(node.attribute)
        nodes.append(new)
        for out in node.output:
            if out not in [o.name for o in model.graph.output]:
                qdq(out)
    save_rewritten(model, nodes, new_inits, dst)
    return count


def peak_rss_mb(command):
    """The peak resident memory (MB) of `command`, run once to its end, as
    GNU time reports it (a child forked from this Python process would
    count the interpreter's own peak: Linux keeps the larger of a process's
    peaks before and after exec); None without /usr/bin/time."""
    if not os.path.exists("/usr/bin/time"):
        return None
    proc = subprocess.run(["/usr/bin/time", "-f", "%M"] + command, check=True,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    return int(proc.stderr.strip().splitlines()[-1]) / 1024.0


def sqnr(out, ref):
    noise = float(((out.astype(np.float64) - ref) ** 2).sum())
    return float("inf") if noise == 0 else 10 * np.log10(float((ref ** 2).sum()) / noise)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ddlc", default=os.path.join(HERE, "..", "build", "bin", "ddlc"))
    parser.add_argument("--ddl-run", dest="ddl_run",
                        default=os.path.join(HERE, "..", "build", "bin", "ddl-run"))
    parser.add_argument("--models", nargs="+", default=["bert_encoder", "decoder_block"])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--modes", nargs="+", default=["none", "int8", "int4"],
                        choices=["none", "int8", "int8-static", "int4", "fp8", "ternary", "ternary-1.6",
                                 "ternary-lut", "ternary-1.6-lut", "bf16"])
    parser.add_argument("--calibration-samples", dest="calibration_samples", type=int, default=8,
                        help="int8-static: random inputs (drawn as the timed input is) to calibrate on")
    parser.add_argument("--ort-int8", dest="ort_int8", action="store_true",
                        help="also the quantize_dynamic-style int8 ONNX model, in ddl and ORT")
    parser.add_argument("--ort-static", dest="ort_static", action="store_true",
                        help="also the quantize_static-style QDQ int8 ONNX model, in ddl and ORT")
    parser.add_argument("--node", default=shutil.which("node") or "node")
    args = parser.parse_args()
    modes = ["none"] + [m for m in args.modes if m != "none"]
    # ORT peers: name -> the ddl mode that runs the same ONNX model.
    peers = {}
    if args.ort_int8:
        modes.append("onnx-int8")
        peers["ort-int8"] = "onnx-int8"
    if args.ort_static:
        modes.append("qdq-int8")
        peers["ort-static"] = "qdq-int8"
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.models:
            model, x = build(name)
            with torch.no_grad():
                ref = model(x).numpy().astype(np.float64)
            onnx_path = os.path.join(tmp, name + ".onnx")
            export(model, x, onnx_path)
            x_path = os.path.join(tmp, name + "_input.npy")
            np.save(x_path, x.numpy())
            result = {}
            parameters = sum(int(np.prod(t.dims)) for t in onnx.load(onnx_path).graph.initializer)
            # The calibration inputs, drawn as the timed input is.
            samples = [(torch.randn(x.shape, generator=torch.Generator().manual_seed(1000 + i))
                        * x.std() + x.mean()).numpy() for i in range(args.calibration_samples)
                       if x.is_floating_point()]
            peer_paths = {"ort-int8": os.path.join(tmp, name + "_int8.onnx"),
                          "ort-static": os.path.join(tmp, name + "_qdq.onnx")}
            if args.ort_int8:
                quantized = dynamic_int8_onnx(onnx_path, peer_paths["ort-int8"])
                print(f"{name}: {quantized} MatMuls in the int8 ONNX model", file=sys.stderr)
            if args.ort_static:
                ranges = tensor_ranges(args, onnx_path, samples, tmp)
                quantized = static_int8_onnx(onnx_path, peer_paths["ort-static"], ranges)
                print(f"{name}: {quantized} layers in the QDQ model", file=sys.stderr)
            for peer in peers:
                result[peer] = {"p50": [], "size": os.path.getsize(peer_paths[peer])}
            for mode in modes:
                so = os.path.join(tmp, f"{name}_{mode}.so")
                if mode in peers.values():
                    peer = next(p for p, m in peers.items() if m == mode)
                    subprocess.run([args.ddlc, peer_paths[peer], "-o", so], check=True)
                elif mode == "int8-static":
                    calibration = os.path.join(tmp, name + "_calibration")
                    os.makedirs(calibration, exist_ok=True)
                    for i, sample in enumerate(samples):
                        np.save(os.path.join(calibration, f"sample_{i}.npy"), sample)
                    subprocess.run([args.ddlc, onnx_path, "-o", so, "--quantize=int8",
                                    f"--calibration={calibration}"], check=True)
                elif mode.endswith("-lut"):
                    subprocess.run([args.ddlc, onnx_path, "-o", so, f"--quantize={mode[:-4]}",
                                    "--ternary-kernel=lut"], check=True)
                else:
                    subprocess.run([args.ddlc, onnx_path, "-o", so, f"--quantize={mode}"],
                                   check=True)
                result[mode] = {"size": os.path.getsize(so), "p50": [],
                                "rss": peak_rss_mb([args.ddl_run, so, "--input", f"input={x_path}",
                                                    "--threads", str(args.threads)])}
            for _ in range(args.repeats):
                for mode in modes:
                    out_dir = os.path.join(tmp, f"{name}_{mode}_out")
                    proc = subprocess.run(
                        [args.ddl_run, os.path.join(tmp, f"{name}_{mode}.so"), "--input",
                         f"input={x_path}", "--benchmark", str(args.runs), "--threads",
                         str(args.threads), "--output-dir", out_dir],
                        check=True, capture_output=True, text=True)
                    result[mode]["p50"].append(parse_ddl_benchmark(proc.stdout)["p50_ms"])
                    result[mode]["sqnr"] = sqnr(np.load(os.path.join(out_dir, "output.npy")),
                                                ref)
                for peer in peers:
                    result[peer]["p50"].append(
                        time_ort(args, peer_paths[peer], list(x.shape))["p50_ms"])
            for mode in modes + list(peers):
                r = result[mode]
                r["p50"] = statistics.median(r["p50"])
                r.setdefault("sqnr", float("nan"))
                print(f"{name} {mode}: {r['size'] / 1e6:.1f} MB, p50 {r['p50']:.2f} ms, "
                      f"SQNR {r['sqnr']:.1f} dB", file=sys.stderr, flush=True)
            rows.append((name, result, parameters))
    print(f"{datetime.date.today()}, {args.threads} threads, batch 1, median of "
          f"{args.repeats} p50s of {args.runs} runs\n")
    print("| model | mode | .so (MB) | fp32 / mode size | bf16 weights / mode size | "
          "peak RSS (MB) | bf16 estimate / mode RSS | p50 (ms) | fp32 / mode time | SQNR (dB) |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, r, parameters in rows:
        f = r["none"]
        bf16_rss = f["rss"] - 2 * parameters / 2 ** 20 if f["rss"] else None
        for mode in modes:
            q = r[mode]
            rss = f"{q['rss']:.0f} | {bf16_rss / q['rss']:.2f}x" if bf16_rss else "- | -"
            print(f"| {name} | {'fp32' if mode == 'none' else mode} | {q['size'] / 1e6:.1f} | "
                  f"{f['size'] / q['size']:.2f}x | {2 * parameters / q['size']:.2f}x | {rss} | "
                  f"{q['p50']:.3f} | {f['p50'] / q['p50']:.2f}x | {q['sqnr']:.1f} |")
        for peer, twin in peers.items():
            ort = r[peer]
            what = "int8 ONNX model" if peer == "ort-int8" else "QDQ int8 ONNX model"
            print(f"| {name} | ONNX Runtime, the {what} | {ort['size'] / 1e6:.1f} (.onnx) | "
                  f"- | {ort['p50']:.3f} | {f['p50'] / ort['p50']:.2f}x | - |")
            for mode in ("int8", "int8-static", twin):
                if mode in r:
                    print(f"| {name} | ddl {mode} / {peer} time | | | | "
                          f"{r[mode]['p50'] / ort['p50']:.2f} | |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
