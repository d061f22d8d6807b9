#!/usr/bin/env python3
"""An audio front end end to end, as a speech model's preprocessing graph
(ONNX opset 17, written with onnx.helper), compiled with ddlc and run with
ddl-run:

  waveform [B, samples] (samples symbolic)
    -> Unsqueeze -> STFT (frame 512, hop 160, HannWindow(512) periodic,
       onesided) -> [B, frames, 257, 2]
    -> power |X|^2 (Mul, ReduceSum over the re / im axis)
    -> magnitude sqrt(power)                       (output `magnitude`)
    -> MatMul with MelWeightMatrix(64 mel bins, dft 512, 16 kHz, 20 Hz to
       7600 Hz) -> [B, frames, 64]
    -> Log(x + 1e-6)                               (output `log_mel`)

against float64 NumPy: the frames cut from the signal, the periodic Hann
window, numpy.fft.rfft, and the mel matrix written here from ONNX's
definition of MelWeightMatrix (num_mel_bins + 2 points evenly spaced in mel
with a step of (high - low) / (num_mel_bins + 2), mapped to bins
floor((dft_length + 1) hz / sample_rate), triangles rising then falling,
the fall winning where they meet). One .so, run at two signal lengths (1 s
and 0.37 s of a chirp in noise, batch 2), and on silence (log_mel =
log(1e-6) everywhere).

Tolerances: ddl's window and STFT output are fp32, the reference is
float64 from the same fp32 samples, so a bin's error scales with the
spectrum's size, not its own: magnitude |d| <= 1e-5 max|ref| + 1e-4 |ref|;
log_mel |d| <= 3e-4 (an absolute error of a log is the relative error of
the mel energy).

    audio_frontend.py --ddlc DDLC --ddl-run DDL_RUN --work DIR
"""

import os
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper

from tool_args import parse_tool_args

FRAME, HOP, MELS, RATE, LOW, HIGH, EPS = 512, 160, 64, 16000, 20.0, 7600.0, 1e-6


def build_model():
    i64, f32 = TensorProto.INT64, TensorProto.FLOAT
    scalar = lambda name, t, v: helper.make_tensor(name, t, [], [v])  # noqa: E731
    nodes = [
        helper.make_node("HannWindow", ["frame_length"], ["window"], periodic=1),
        helper.make_node("Unsqueeze", ["waveform", "last_axis"], ["signal"]),
        helper.make_node("STFT", ["signal", "hop", "window", "frame_length"], ["spectrum"],
                         onesided=1),
        helper.make_node("Mul", ["spectrum", "spectrum"], ["squares"]),
        helper.make_node("ReduceSum", ["squares", "last_axis"], ["power"], keepdims=0),
        helper.make_node("Sqrt", ["power"], ["magnitude"]),
        helper.make_node("MelWeightMatrix", ["mels", "frame_length", "rate", "low", "high"],
                         ["mel_matrix"]),
        helper.make_node("MatMul", ["power", "mel_matrix"], ["mel"]),
        helper.make_node("Add", ["mel", "eps"], ["mel_eps"]),
        helper.make_node("Log", ["mel_eps"], ["log_mel"]),
    ]
    inits = [scalar("frame_length", i64, FRAME), scalar("hop", i64, HOP),
             helper.make_tensor("last_axis", i64, [1], [-1]),
             scalar("mels", i64, MELS), scalar("rate", i64, RATE),
             scalar("low", f32, LOW), scalar("high", f32, HIGH), scalar("eps", f32, EPS)]
    graph = helper.make_graph(
        nodes, "audio_frontend",
        [helper.make_tensor_value_info("waveform", f32, [2, "samples"])],
        [helper.make_tensor_value_info("magnitude", f32, [2, "frames", FRAME // 2 + 1]),
         helper.make_tensor_value_info("log_mel", f32, [2, "frames", MELS])],
        inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx.checker.check_model(model)
    return model


def mel_matrix(mels, dft, rate, low, high):
    """ONNX's MelWeightMatrix, [dft // 2 + 1, mels], float64."""
    points = np.arange(mels + 2, dtype=np.float64)
    low_mel = 2595 * np.log10(1 + low / 700)
    high_mel = 2595 * np.log10(1 + high / 700)
    hz = 700 * (10 ** ((points * (high_mel - low_mel) / (mels + 2) + low_mel) / 2595) - 1)
    bins = np.floor((dft + 1) * hz / rate).astype(np.int64)
    out = np.zeros((dft // 2 + 1, mels))
    for i in range(mels):
        left, center, right = bins[i], bins[i + 1], bins[i + 2]
        if center == left:
            out[center, i] = 1
        else:
            for j in range(left, center + 1):
                out[j, i] = (j - left) / (center - left)
        for j in range(center, right):
            out[j, i] = (right - j) / (right - center)
    return out


def reference(waveform):
    x = waveform.astype(np.float64)
    frames = (x.shape[1] - FRAME) // HOP + 1
    window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(FRAME) / FRAME)  # periodic Hann
    cut = np.stack([x[:, t * HOP:t * HOP + FRAME] for t in range(frames)], axis=1)
    spectrum = np.fft.rfft(cut * window, axis=-1)
    power = np.abs(spectrum) ** 2
    log_mel = np.log(power @ mel_matrix(MELS, FRAME, RATE, LOW, HIGH) + EPS)
    return np.sqrt(power), log_mel


def signal(rng, seconds):
    t = np.arange(int(seconds * RATE)) / RATE
    chirp = np.sin(2 * np.pi * (200 + 1500 * t) * t)
    rows = [0.6 * chirp + 0.05 * rng.standard_normal(t.shape),
            0.3 * np.sin(2 * np.pi * 440 * t) + 0.1 * rng.standard_normal(t.shape)]
    return np.stack(rows).astype(np.float32)


def main():
    args = parse_tool_args(__doc__)
    path = os.path.join(args.work, "audio.onnx")
    so = os.path.join(args.work, "audio.so")
    onnx.save(build_model(), path)
    subprocess.run([args.ddlc, path, "-o", so], check=True)
    rng = np.random.default_rng(0)
    runs = [("1 s", signal(rng, 1.0)), ("0.37 s", signal(rng, 0.37)),
            ("silence", np.zeros((2, 4000), np.float32))]
    failed = 0
    for label, wave in runs:
        npy = os.path.join(args.work, "waveform.npy")
        np.save(npy, wave)
        out = os.path.join(args.work, "audio_out")
        subprocess.run([args.ddl_run, so, "--input", f"waveform={npy}", "--output-dir", out],
                       check=True, capture_output=True)
        magnitude = np.load(os.path.join(out, "magnitude.npy"))
        log_mel = np.load(os.path.join(out, "log_mel.npy"))
        want_magnitude, want_log_mel = reference(wave)
        ok = magnitude.shape == want_magnitude.shape and log_mel.shape == want_log_mel.shape
        if ok:
            scale = np.abs(want_magnitude).max()
            mag_err = np.abs(magnitude - want_magnitude)
            log_err = np.abs(log_mel - want_log_mel)
            ok = bool(np.all(mag_err <= 1e-5 * scale + 1e-4 * np.abs(want_magnitude))
                      and np.all(log_err <= 3e-4))
            detail = (f"frames {log_mel.shape[1]}, max error magnitude "
                      f"{mag_err.max() / max(scale, 1e-30):.1e} of max, log_mel {log_err.max():.1e}")
        else:
            detail = f"shapes {magnitude.shape} {log_mel.shape}, want {want_log_mel.shape}"
        failed += not ok
        print(f"{'PASS' if ok else 'FAIL'} {label}: {detail}")
    print(f"audio_frontend: {len(runs) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
