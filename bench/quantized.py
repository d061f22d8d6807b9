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
unpacking trits in registers onto VNNI dots), and report for each: the model
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
sequence 16, causal); `gemv_4096x4096` and `gemv_4096x11008` (one
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
    del model.graph.node[:]
    model.graph.node.extend(nodes)
    # Initializers no node reads any more (the f32 weights) are dropped.
    used = {i for n in model.graph.node for i in n.input}
    kept = [i for i in model.graph.initializer if i.name in used]
    del model.graph.initializer[:]
    model.graph.initializer.extend(kept)
    onnx.save(model, dst)
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
                        choices=["none", "int8", "int8-static", "int4", "fp8", "ternary", "ternary-1.6"])
    parser.add_argument("--calibration-samples", dest="calibration_samples", type=int, default=8,
                        help="int8-static: random inputs (drawn as the timed input is) to calibrate on")
    parser.add_argument("--ort-int8", dest="ort_int8", action="store_true",
                        help="also the quantize_dynamic-style int8 ONNX model, in ddl and ORT")
    parser.add_argument("--node", default=shutil.which("node") or "node")
    args = parser.parse_args()
    modes = ["none"] + [m for m in args.modes if m != "none"]
    if args.ort_int8:
        modes.append("onnx-int8")
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
            int8_path = os.path.join(tmp, name + "_int8.onnx")
            if args.ort_int8:
                quantized = dynamic_int8_onnx(onnx_path, int8_path)
                print(f"{name}: {quantized} MatMuls in the int8 ONNX model", file=sys.stderr)
                result["ort-int8"] = {"p50": [], "size": os.path.getsize(int8_path)}
            for mode in modes:
                so = os.path.join(tmp, f"{name}_{mode}.so")
                if mode == "onnx-int8":
                    subprocess.run([args.ddlc, int8_path, "-o", so], check=True)
                elif mode == "int8-static":
                    calibration = os.path.join(tmp, name + "_calibration")
                    os.makedirs(calibration, exist_ok=True)
                    for i in range(args.calibration_samples):
                        generator = torch.Generator().manual_seed(1000 + i)
                        sample = torch.randn(x.shape, generator=generator) * x.std() + x.mean()
                        np.save(os.path.join(calibration, f"sample_{i}.npy"), sample.numpy())
                    subprocess.run([args.ddlc, onnx_path, "-o", so, "--quantize=int8",
                                    f"--calibration={calibration}"], check=True)
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
                if args.ort_int8:
                    result["ort-int8"]["p50"].append(
                        time_ort(args, int8_path, list(x.shape))["p50_ms"])
            for mode in modes + (["ort-int8"] if args.ort_int8 else []):
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
        if args.ort_int8:
            ort = r["ort-int8"]
            print(f"| {name} | ONNX Runtime, the int8 ONNX model | {ort['size'] / 1e6:.1f} (.onnx) | "
                  f"- | {ort['p50']:.3f} | {f['p50'] / ort['p50']:.2f}x | - |")
            for mode in ("int8", "onnx-int8"):
                if mode in r:
                    print(f"| {name} | ddl {mode} / ORT int8 time | | | | "
                          f"{r[mode]['p50'] / ort['p50']:.2f} | |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
