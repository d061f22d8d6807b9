#!/usr/bin/env python3
"""ddlc --quantize=int8 --calibration: static activation scales.

Models exported from PyTorch (random weights, seed 0) are compiled with
activation ranges measured on calibration samples, run with ddl-run, and
checked; each check prints PASS or FAIL and a number:

* linear: a Linear(128, 64) layer calibrated with min-max on 6 samples
  matches a NumPy emulation of static int8 (the input's scale max|x| / 127
  over all samples, weights per column, exact i32 products) to float
  rounding, on an input inside the range and on one three times larger
  (which saturates at +-127, as the emulation does).
* calibrators: 20 samples of N(0, 1) with one value of 1000: min-max keeps
  the outlier (its range is [min, 1000]: every ordinary value rounds to 0,
  SQNR near 0 dB), percentile (99.99) and entropy clip it (read from the
  table --calibration-table writes), so their SQNR on N(0, 1) inputs is
  far better (at least 10 dB above min-max's).
* table: --calibration given the table the percentile run wrote compiles a
  model that computes exactly what that run's did.
* encoder / cnn: a TransformerEncoderLayer (d_model 128) and two 3x3
  convolutions, calibrated with min-max on 8 samples: output SQNR against
  PyTorch >= 25 dB (one scale per tensor is coarser than the run-time
  per-token scales, which quantize_int8.py holds to 30 dB; a wrong scale
  or zero point gives about 0 dB).
* two inputs: samples as directories, files named by input name and by
  position (input_<i>.npy).

    quantize_int8_static.py --ddlc DDLC --ddl-run DDL_RUN --work DIR
"""

import os
import subprocess
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tool_args import parse_tool_args  # noqa: E402


def sqnr(out, ref):
    noise = float(((out.astype(np.float64) - ref) ** 2).sum())
    return float("inf") if noise == 0 else 10 * np.log10(float((ref.astype(np.float64) ** 2).sum()) / noise)


class Tools:
    def __init__(self, args):
        self.args = args
        self.ok = True

    def path(self, *parts):
        return os.path.join(self.args.work, *parts)

    def export(self, model, inputs, stem, input_names):
        path = self.path(stem + ".onnx")
        torch.onnx.export(model, inputs, path, opset_version=14, input_names=input_names,
                          output_names=["y"])
        return path

    def compile(self, onnx_path, stem, *flags):
        so = self.path(stem + ".so")
        subprocess.run([self.args.ddlc, onnx_path, "-o", so, "--quantize=int8", *flags], check=True)
        return so

    def run(self, so, feeds, stem):
        args = [self.args.ddl_run, so, "--output-dir", self.path("out_" + stem), "--threads", "2"]
        for name, value in feeds.items():
            file = self.path(f"{stem}_{name}.npy")
            np.save(file, value)
            args += ["--input", f"{name}={file}"]
        subprocess.run(args, check=True, capture_output=True)
        return np.load(self.path("out_" + stem, "y.npy"))

    def check(self, passed, message):
        self.ok &= bool(passed)
        print(f"{'PASS' if passed else 'FAIL'} {message}")


def samples_dir(tools, name, samples):
    """A calibration directory of a one-input model: one .npy per sample."""
    directory = tools.path(name)
    os.makedirs(directory, exist_ok=True)
    for i, sample in enumerate(samples):
        np.save(os.path.join(directory, f"sample_{i:02d}.npy"), sample.astype(np.float32))
    return directory


def emulate_linear(layer, x, scale):
    """Static int8 of `layer` (a torch Linear) on x, as nn-quantize-int8
    computes it, in float32 where ddl does."""
    w = layer.weight.detach().numpy().T.astype(np.float32)  # [K, N]
    w_scale = (np.abs(w).max(axis=0) / np.float32(127)).astype(np.float32)
    w_q = np.clip(np.rint(w / w_scale), -127, 127).astype(np.int64)
    x_q = np.clip(np.rint(x.astype(np.float32) / scale), -127, 127).astype(np.int64)
    combined = (w_scale * scale).astype(np.float32)
    y = (x_q @ w_q).astype(np.float32) * combined
    return y + layer.bias.detach().numpy().astype(np.float32)


def table_range(path):
    """(lo, hi) of point 0 in a calibration table."""
    with open(path) as f:
        for line in f:
            fields = line.split()
            if fields and not line.startswith("#") and fields[0] == "0":
                return float(fields[1]), float(fields[2])
    raise ValueError(f"{path}: no point 0")


def check_linear(tools):
    torch.manual_seed(0)
    layer = torch.nn.Linear(128, 64).eval()
    rng = np.random.default_rng(0)
    samples = [rng.standard_normal((4, 128)) * (2.0 if i == 3 else 0.5) for i in range(6)]
    onnx_path = tools.export(layer, (torch.zeros(4, 128),), "linear", ["x"])
    so = tools.compile(onnx_path, "linear", "--calibration=" + samples_dir(tools, "calib_linear", samples))
    scale = np.float32(np.abs(np.stack(samples).astype(np.float32)).max()) / np.float32(127)
    x = (rng.standard_normal((4, 128)) * 0.5).astype(np.float32)
    for what, value in (("inside the range", x), ("saturating", 3 * x)):
        out = tools.run(so, {"x": value}, "linear")
        ref = emulate_linear(layer, value, scale)
        error = float(np.abs(out - ref).max() / np.abs(ref).max())
        tools.check(error < 1e-5, f"linear {what}: relative error against the emulation {error:.2e}")


def check_calibrators(tools):
    torch.manual_seed(0)
    layer = torch.nn.Linear(128, 64).eval()
    rng = np.random.default_rng(1)
    samples = [rng.standard_normal((4, 128)) for _ in range(20)]
    samples[0][1, 7] = 1000.0
    directory = samples_dir(tools, "calib_outlier", samples)
    onnx_path = tools.export(layer, (torch.zeros(4, 128),), "outlier", ["x"])
    x = rng.standard_normal((4, 128)).astype(np.float32)
    with torch.no_grad():
        ref = layer(torch.from_numpy(x)).numpy()
    results = {}
    for calibrator in ("minmax", "percentile", "entropy"):
        flags = ["--calibration=" + directory, f"--calibration-table={tools.path(calibrator + '.table')}"]
        if calibrator != "minmax":
            flags.append(f"--calibrator={calibrator}")
        if calibrator == "percentile":
            flags.append("--calibration-percentile=99.99")
        so = tools.compile(onnx_path, "outlier_" + calibrator, *flags)
        out = tools.run(so, {"x": x}, "outlier_" + calibrator)
        lo, hi = table_range(tools.path(calibrator + ".table"))
        results[calibrator] = (lo, hi, sqnr(out, ref), out)
    lo, hi, minmax_sqnr, _ = results["minmax"]
    tools.check(hi == 1000.0, f"minmax keeps the outlier: range [{lo:.3g}, {hi:.4g}], SQNR {minmax_sqnr:.1f} dB")
    for calibrator in ("percentile", "entropy"):
        lo, hi, value, _ = results[calibrator]
        tools.check(hi < 500 and value > minmax_sqnr + 10,
                    f"{calibrator} clips the outlier: range [{lo:.3g}, {hi:.4g}], SQNR {value:.1f} dB")
    # The table the percentile run wrote, read back.
    so = tools.compile(onnx_path, "outlier_table", "--calibration=" + tools.path("percentile.table"))
    out = tools.run(so, {"x": x}, "outlier_table")
    tools.check(np.array_equal(out, results["percentile"][3]), "table: the same model as the percentile run's")


def check_models(tools):
    torch.manual_seed(0)
    rng = np.random.default_rng(2)
    encoder = torch.nn.TransformerEncoderLayer(128, 4, 512, batch_first=True).eval()
    cnn = torch.nn.Sequential(torch.nn.Conv2d(16, 32, 3, padding=1), torch.nn.ReLU(),
                              torch.nn.Conv2d(32, 32, 3, padding=1, stride=2)).eval()
    for name, model, shape in (("encoder", encoder, (2, 48, 128)), ("cnn", cnn, (2, 16, 10, 10))):
        samples = [rng.standard_normal(shape) for _ in range(8)]
        onnx_path = tools.export(model, (torch.zeros(shape),), name, ["x"])
        so = tools.compile(onnx_path, name, "--calibration=" + samples_dir(tools, "calib_" + name, samples))
        x = rng.standard_normal(shape).astype(np.float32)
        with torch.no_grad():
            ref = model(torch.from_numpy(x)).numpy()
        value = sqnr(tools.run(so, {"x": x}, name), ref)
        tools.check(value >= 25, f"{name}: SQNR {value:.1f} dB (floor 25 dB)")


class TwoInputs(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.a = torch.nn.Linear(128, 64)
        self.b = torch.nn.Linear(128, 64)

    def forward(self, x, z):
        return self.a(x) + self.b(z)


def check_two_inputs(tools):
    torch.manual_seed(0)
    model = TwoInputs().eval()
    rng = np.random.default_rng(3)
    onnx_path = tools.export(model, (torch.zeros(4, 128), torch.zeros(4, 128)), "two", ["x", "z"])
    directory = tools.path("calib_two")
    for i in range(3):
        sample = os.path.join(directory, f"s{i}")
        os.makedirs(sample, exist_ok=True)
        np.save(os.path.join(sample, "x.npy"), rng.standard_normal((4, 128)).astype(np.float32))
        np.save(os.path.join(sample, "input_1.npy"), rng.standard_normal((4, 128)).astype(np.float32))
    so = tools.compile(onnx_path, "two", "--calibration=" + directory)
    x, z = (rng.standard_normal((4, 128)).astype(np.float32) for _ in range(2))
    with torch.no_grad():
        ref = model(torch.from_numpy(x), torch.from_numpy(z)).numpy()
    value = sqnr(tools.run(so, {"x": x, "z": z}, "two"), ref)
    tools.check(value >= 25, f"two inputs: SQNR {value:.1f} dB (floor 25 dB)")


def main():
    tools = Tools(parse_tool_args(__doc__))
    check_linear(tools)
    check_calibrators(tools)
    check_models(tools)
    check_two_inputs(tools)
    return 0 if tools.ok else 1


if __name__ == "__main__":
    sys.exit(main())
