#!/usr/bin/env python3
"""ONNX DFT and STFT (opset 17) beyond the node suite, against numpy.fft:

  dft_real       forward DFT of a real signal [2, 3, 48, 1] along axis 2
                 (not a power of two), and the same along axis 1
  dft_complex    forward and inverse DFT of a complex signal [2, 40, 5, 2]
  dft_length     dft_length as a run-time input: 64 (zero-padded) and 20
                 (truncated), onesided on a real signal
  stft           [2, 1000, 1] signal, frames of 256 every 100 samples with a
                 Hann window (onesided: 129 bins), and frame_step /
                 frame_length as run-time inputs without a window; then a
                 signal shorter than a frame (no frames) and a step of 0
  symbolic       a DFT over a symbolic length (N), run at N = 37
  mel            MelWeightMatrix with run-time sizes (40 mel bins of a 512-point
                 DFT at 16 kHz, 20-8000 Hz; 10 bins of 64 points at 8 kHz),
                 against ONNX's reference construction

Tolerance: |ddl - numpy| <= 1e-6 max|numpy| + 1e-6 (ddl computes the
transforms in f64, as numpy does; both results are rounded to f32). One model per case, compiled with ddlc and run with
ddl-run.

    spectral.py --ddlc DDLC --ddl-run DDL_RUN --work DIR
"""

import sys

import numpy as np
from onnx import TensorProto, helper

from tool_args import compile_and_run, parse_tool_args

F, I64 = TensorProto.FLOAT, TensorProto.INT64


def model(nodes, inputs, outputs, name):
    graph = helper.make_graph(nodes, name, inputs, outputs)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def output(name, rank):
    """An output of unknown dimensions (its rank given)."""
    return helper.make_tensor_value_info(name, F, [None] * rank)


def stacked(c):
    return np.stack((c.real, c.imag), axis=-1).astype(np.float32)


def mel_reference(bins, dft, rate, lo, hi):
    """ONNX 1.12's reference construction (onnx/backend/test/case/node/
    melweightmatrix.py), with the sizes as arguments."""
    spectrogram_bins = int(dft) // 2 + 1
    low_mel = 2595 * np.log10(1 + lo / 700)
    high_mel = 2595 * np.log10(1 + hi / 700)
    points = np.arange(0, int(bins) + 2)
    mel_step = (high_mel - low_mel) / points.shape[0]
    points = points * mel_step + low_mel
    points = 700 * (np.power(10, (points / 2595)) - 1)
    points = (((dft + 1) * points) // rate).astype(int)
    out = np.zeros((spectrogram_bins, int(bins)))
    for i in range(int(bins)):
        left, center, right = points[i], points[i + 1], points[i + 2]
        if center == left:
            out[center, i] = 1
        else:
            for j in range(left, center + 1):
                out[j, i] = float(j - left) / float(center - left)
        if right > center:
            for j in range(center, right):
                out[j, i] = float(right - j) / float(right - center)
    return out.astype(np.float32)


def check(name, got, want):
    bound = 1e-6 * float(np.abs(want).max()) + 1e-6
    err = float(np.abs(got.astype(np.float64) - want).max()) if want.size else 0.0
    ok = got.shape == want.shape and err <= bound
    print(f"{'PASS' if ok else 'FAIL'} {name}: shape {list(got.shape)}, "
          f"max error {err:.3g} (bound {bound:.3g})")
    return ok


def main():
    args = parse_tool_args(__doc__)
    rng = np.random.default_rng(7)
    v = helper.make_tensor_value_info
    results = []

    # Real signal, two axes.
    x = rng.standard_normal((2, 3, 48, 1)).astype(np.float32)
    m = model([helper.make_node("DFT", ["x"], ["a"], axis=2),
               helper.make_node("DFT", ["x"], ["b"], axis=1)],
              [v("x", F, [2, 3, 48, 1])], [output("a", 4), output("b", 4)], "dft_real")
    out = compile_and_run(args, m, {"x": x}, "dft_real")
    results.append(check("dft_real axis 2", out["a"], stacked(np.fft.fft(x[..., 0], axis=2))))
    results.append(check("dft_real axis 1", out["b"], stacked(np.fft.fft(x[..., 0], axis=1))))

    # Complex signal, forward and inverse.
    z = rng.standard_normal((2, 40, 5, 2)).astype(np.float32)
    zc = z[..., 0] + 1j * z[..., 1]
    m = model([helper.make_node("DFT", ["z"], ["f"]),
               helper.make_node("DFT", ["z"], ["i"], inverse=1)],
              [v("z", F, [2, 40, 5, 2])], [output("f", 4), output("i", 4)], "dft_complex")
    out = compile_and_run(args, m, {"z": z}, "dft_complex")
    results.append(check("dft_complex forward", out["f"], stacked(np.fft.fft(zc, axis=1))))
    results.append(check("dft_complex inverse", out["i"], stacked(np.fft.ifft(zc, axis=1))))

    # Run-time dft_length: padded, truncated, onesided.
    s = rng.standard_normal((3, 50, 1)).astype(np.float32)
    m = model([helper.make_node("DFT", ["s", "n"], ["y"]),
               helper.make_node("DFT", ["s", "n"], ["h"], onesided=1)],
              [v("s", F, [3, 50, 1]), v("n", I64, [])],
              [output("y", 3), output("h", 3)], "dft_length")
    for n in (64, 20):
        out = compile_and_run(args, m, {"s": s, "n": np.array(n, np.int64)}, f"dft_length{n}")
        full = np.fft.fft(s[..., 0], n=n, axis=1)
        results.append(check(f"dft_length {n}", out["y"], stacked(full)))
        results.append(check(f"dft_length {n} onesided", out["h"],
                             stacked(full[:, :n // 2 + 1])))

    # STFT with a Hann window, and with run-time step and length.
    sig = rng.standard_normal((2, 1000, 1)).astype(np.float32)
    window = (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(256) / 256)).astype(np.float32)
    m = model([helper.make_node("STFT", ["sig", "step", "w"], ["y"]),
               helper.make_node("STFT", ["sig", "step2", "", "len2"], ["z"], onesided=0)],
              [v("sig", F, [2, "L", 1]), v("step", I64, []), v("w", F, [256]),
               v("step2", I64, []), v("len2", I64, [])],
              [output("y", 4), output("z", 4)], "stft")
    out = compile_and_run(args, m, {"sig": sig, "step": np.array(100, np.int64), "w": window,
                                    "step2": np.array(64, np.int64),
                                    "len2": np.array(30, np.int64)}, "stft")

    def stft(signal, step, length, win, onesided):
        frames = (signal.shape[1] - length) // step + 1
        idx = np.arange(frames)[:, None] * step + np.arange(length)[None, :]
        spec = np.fft.fft(signal[:, idx, 0] * win, axis=-1)
        return spec[..., :length // 2 + 1] if onesided else spec

    results.append(check("stft hann", out["y"], stacked(stft(sig, 100, 256, window, True))))
    results.append(check("stft run-time sizes", out["z"],
                         stacked(stft(sig, 64, 30, np.ones(30, np.float32), False))))
    # Frames longer than the signal: no frames (not an out-of-bounds read).
    out = compile_and_run(args, m, {"sig": sig[:, :200], "step": np.array(100, np.int64),
                                    "w": window, "step2": np.array(0, np.int64),
                                    "len2": np.array(201, np.int64)}, "stft_short")
    results.append(out["y"].shape == (2, 0, 129, 2) and out["z"].shape == (2, 0, 201, 2))
    print(f"{'PASS' if results[-1] else 'FAIL'} stft no frames: shapes {list(out['y'].shape)}, "
          f"{list(out['z'].shape)}")

    # Symbolic signal length.
    y = rng.standard_normal((2, 37, 2)).astype(np.float32)
    m = model([helper.make_node("DFT", ["y"], ["o"], inverse=1)],
              [v("y", F, [2, "N", 2])], [output("o", 3)], "symbolic")
    out = compile_and_run(args, m, {"y": y}, "symbolic")
    results.append(check("symbolic", out["o"],
                         stacked(np.fft.ifft(y[..., 0] + 1j * y[..., 1], axis=1))))

    # MelWeightMatrix at two sets of run-time sizes.
    m = model([helper.make_node("MelWeightMatrix", ["bins", "dft", "rate", "lo", "hi"], ["w"])],
              [v("bins", TensorProto.INT32, []), v("dft", I64, []), v("rate", I64, []),
               v("lo", F, []), v("hi", F, [])], [output("w", 2)], "mel")
    for bins, dft, rate, lo, hi in ((40, 512, 16000, 20.0, 8000.0), (10, 64, 8000, 0.0, 4000.0)):
        feeds = {"bins": np.array(bins, np.int32), "dft": np.array(dft, np.int64),
                 "rate": np.array(rate, np.int64), "lo": np.array(lo, np.float32),
                 "hi": np.array(hi, np.float32)}
        out = compile_and_run(args, m, feeds, f"mel{bins}")
        results.append(check(f"mel {bins}x{dft}", out["w"], mel_reference(**feeds)))

    passed = sum(results)
    print(f"spectral: {passed} passed, {len(results) - passed} failed")
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
