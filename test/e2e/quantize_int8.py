#!/usr/bin/env python3
"""ddlc --quantize=int8 on a transformer encoder: output SQNR against PyTorch.

Exports a torch.nn.TransformerEncoderLayer (d_model 128, 4 heads, FFN 512,
sequence 48, batch 2, random weights, seed 0) to ONNX, compiles it with
ddlc twice (fp32, and --quantize=int8: linear-layer weights per channel,
activations per token, int8 matmuls), runs both with ddl-run and prints
the signal-to-quantization-noise ratio of each output against PyTorch:
SQNR = 10 log10(sum(ref^2) / sum((out - ref)^2)). The test asserts fp32
>= 80 dB (float rounding only) and int8 >= 30 dB: two 8-bit roundings per
product (each about -48 dB relative to its operand's range) summed over
hundreds of terms, through 6 quantized layers and a layer norm, land in
the 40-50 dB range for random weights; 30 leaves margin without letting a
broken scale (a wrong channel or row: ~0 dB) pass.

    quantize_int8.py --ddlc DDLC --ddl-run DDL_RUN --work DIR \
        [--target aarch64 --runner "qemu-aarch64 -L /usr/aarch64-linux-gnu"]

With --target aarch64 the int8 layers run on Arm's `sdot` (the
cross-built ddl-run under qemu; quantize-int8-aarch64.test).
"""

import os
import shlex
import subprocess
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tool_args import parse_tool_args  # noqa: E402


def sqnr(out, ref):
    noise = float(((out.astype(np.float64) - ref) ** 2).sum())
    return float("inf") if noise == 0 else 10 * np.log10(float((ref ** 2).sum()) / noise)


def main():
    args = parse_tool_args(__doc__)
    torch.manual_seed(0)
    model = torch.nn.TransformerEncoderLayer(128, 4, 512, batch_first=True).eval()
    x = torch.randn(2, 48, 128)
    with torch.no_grad():
        ref = model(x).numpy().astype(np.float64)
    onnx_path = os.path.join(args.work, "encoder.onnx")
    torch.onnx.export(model, (x,), onnx_path, opset_version=14, input_names=["x"],
                      output_names=["y"])
    x_path = os.path.join(args.work, "x.npy")
    np.save(x_path, x.numpy())
    ok = True
    for mode, floor in (("none", 80.0), ("int8", 30.0)):
        so = os.path.join(args.work, f"encoder_{mode}.so")
        subprocess.run([args.ddlc, onnx_path, "-o", so, f"--quantize={mode}",
                        f"--target={args.target}"], check=True)
        out_dir = os.path.join(args.work, f"out_{mode}")
        subprocess.run(shlex.split(args.runner) + [
            args.ddl_run, so, "--input", f"x={x_path}", "--output-dir", out_dir,
            "--threads", "2"], check=True, capture_output=True)
        value = sqnr(np.load(os.path.join(out_dir, "y.npy")), ref)
        passed = value >= floor
        ok &= passed
        print(f"{'PASS' if passed else 'FAIL'} quantize={mode}: SQNR {value:.1f} dB "
              f"(floor {floor:.0f} dB)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
