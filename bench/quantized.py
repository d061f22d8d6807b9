#!/usr/bin/env python3
"""Quantized models: ddl int8 and int4 vs ddl fp32, size, speed and output SQNR.

For each model, in one run: export ONNX (opset 14, cpu_latency.py's
export), compile it with ddlc once per --modes (fp32; `--quantize=int8`:
linear layers' weights per channel at compile time, activations per token
at run time, int8 matmuls on AVX-512 VNNI where the CPU has it;
`--quantize=int4`: weight-only, groups of 64, the kernel unpacking nibbles
in registers), and report for each: the model `.so` size (weights are embedded: the size is what a
deployment ships), ddl-run's p50 latency (--runs timed runs after one
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
the cost).

    /usr/bin/python3 bench/quantized.py [--models bert_encoder decoder_block] \
        [--runs 20] [--repeats 3] [--threads 2]

ONNX Runtime running a QDQ model of the same network is the issue's peer;
this machine has no ORT quantization tool (Python onnxruntime is not
installable), so it is not measured yet.
"""

import argparse
import datetime
import os
import statistics
import subprocess
import sys
import tempfile

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from cpu_latency import export, parse_ddl_benchmark  # noqa: E402
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
    if name.startswith("gemv_"):
        k, n = (int(v) for v in name[len("gemv_"):].split("x"))
        torch.manual_seed(0)
        model = torch.nn.Linear(k, n, bias=False)
        torch.nn.init.normal_(model.weight, std=0.02)
        return model.eval(), torch.randn(1, k)
    raise SystemExit(f"quantized: unknown model '{name}'")


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
                        choices=["none", "int8", "int4"])
    args = parser.parse_args()
    modes = ["none"] + [m for m in args.modes if m != "none"]
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
            for mode in modes:
                so = os.path.join(tmp, f"{name}_{mode}.so")
                subprocess.run([args.ddlc, onnx_path, "-o", so, f"--quantize={mode}"],
                               check=True)
                result[mode] = {"size": os.path.getsize(so), "p50": []}
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
            for mode in modes:
                r = result[mode]
                r["p50"] = statistics.median(r["p50"])
                print(f"{name} {mode}: {r['size'] / 1e6:.1f} MB, p50 {r['p50']:.2f} ms, "
                      f"SQNR {r['sqnr']:.1f} dB", file=sys.stderr, flush=True)
            rows.append((name, result))
    print(f"{datetime.date.today()}, {args.threads} threads, batch 1, median of "
          f"{args.repeats} p50s of {args.runs} runs\n")
    print("| model | mode | .so (MB) | fp32 / mode size | p50 (ms) | fp32 / mode time | "
          "SQNR (dB) |")
    print("|---|---|---|---|---|---|---|")
    for name, r in rows:
        f = r["none"]
        for mode in modes:
            q = r[mode]
            print(f"| {name} | {'fp32' if mode == 'none' else mode} | {q['size'] / 1e6:.1f} | "
                  f"{f['size'] / q['size']:.2f}x | {q['p50']:.3f} | {f['p50'] / q['p50']:.2f}x | "
                  f"{q['sqnr']:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
