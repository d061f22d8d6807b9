#!/usr/bin/env python3
"""Convolution layers of resnet50: ddl side by side with oneDNN.

The distinct Conv2d shapes of torchvision's resnet50 at batch 1 (input
C x H x W, output channels, kernel, stride, padding, dilation, groups) are
read off the model with forward hooks. For each shape the script

  - builds a one-node ONNX Conv model (opset 14; random weights and bias,
    seed 0, as initializers; input `input` [1, C, H, W]; by default, with
    --ddl-layout nhwc, between two Transposes so that input and output are
    NHWC, ddl's preferred layout, as resnet50 runs between convolutions:
    nn-channels-last cancels them), compiles it with
    ddlc and times it with `ddl-run model.so --benchmark N --threads T`
    (its p50);
  - times the same convolution (same data) with oneDNN 2.x through
    bench/conv_onednn.c, which the script compiles with `cc ... -ldnnl`
    into a temporary directory: f32, forward inference, algorithm direct,
    with bias; by default src/weights/dst use `format_tag::any` (oneDNN's
    preferred layouts; the reorders from/to the plain nchw/oihw data happen
    once, outside the timed loop), `--onednn-layout nchw` fixes src/dst to
    nchw; thread count through OMP_NUM_THREADS; two warm-ups, then N runs
    timed one by one (its p50);
  - checks both outputs against torch.nn.functional.conv2d at every thread
    count (max |out - torch| / max |torch| <= 1e-4), so a broken kernel
    cannot look fast.

Prints one Markdown table per thread count: per layer its MFLOP, each
peer's p50 and GFLOP/s (2*K*C/G*R*S*P*Q flops per image), the ratio
ddl/oneDNN of GFLOP/s (above 1: ddl is faster; the target is >= 0.8x),
oneDNN's kernel and layouts, and a geometric mean of the ratios; then the
time of all of resnet50's convolutions (each layer times its count) for both.

    /usr/bin/python3 bench/conv_layers.py --ddlc build/bin/ddlc \\
        --ddl-run build/bin/ddl-run [--threads 1 2] [--runs N] [--ddl-runs N] \\
        [--layers 0 3 ...] [--list] [--ddl-layout nhwc|nchw] [--onednn-layout any|nchw] \\
        [--json out.json]

Needs Debian's libdnnl-dev (oneDNN 2.6) and a C compiler.
"""

import argparse
import collections
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnx
import onnx.helper
import onnx.numpy_helper
import torch
import torchvision

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from cpu_latency import geomean, parse_ddl_benchmark, percentile  # noqa: E402

TOLERANCE = 1e-4
Conv = collections.namedtuple(
    "Conv", "c h w k r s sh sw ph pw dh dw groups count")


def resnet50_convs():
    """Distinct Conv2d shapes of torchvision resnet50 at batch 1, in the order
    of first use, each with how many times the model runs it."""
    model = torchvision.models.resnet50(weights=None).eval()
    seen = collections.OrderedDict()

    def hook(mod, inputs, _):
        _, c, h, w = inputs[0].shape
        if isinstance(mod.padding, str):
            raise RuntimeError(f"string padding {mod.padding!r} is not handled")
        key = (c, h, w, mod.out_channels, *mod.kernel_size, *mod.stride, *mod.padding,
               *mod.dilation, mod.groups)
        seen[key] = seen.get(key, 0) + 1

    for mod in model.modules():
        if isinstance(mod, torch.nn.Conv2d):
            mod.register_forward_hook(hook)
    with torch.no_grad():
        model(torch.zeros(1, 3, 224, 224))
    return [Conv(*key, count) for key, count in seen.items()]


def out_size(conv):
    p = (conv.h + 2 * conv.ph - (conv.r - 1) * conv.dh - 1) // conv.sh + 1
    q = (conv.w + 2 * conv.pw - (conv.s - 1) * conv.dw - 1) // conv.sw + 1
    return p, q


def flops(conv):
    p, q = out_size(conv)
    return 2.0 * conv.k * (conv.c // conv.groups) * conv.r * conv.s * p * q


def describe(conv):
    text = (f"{conv.c}x{conv.h}x{conv.w} -> {conv.k}, {conv.r}x{conv.s} "
            f"s{conv.sh} p{conv.ph}")
    if (conv.sh, conv.ph) != (conv.sw, conv.pw):
        text += f" (w: s{conv.sw} p{conv.pw})"
    if (conv.dh, conv.dw) != (1, 1):
        text += f" d{conv.dh}x{conv.dw}"
    if conv.groups != 1:
        text += f" g{conv.groups}"
    return text


def tensors(conv, seed):
    """Input, weights (scaled like PyTorch's default init) and bias."""
    gen = torch.Generator().manual_seed(seed)
    fan_in = conv.c // conv.groups * conv.r * conv.s
    x = torch.randn(1, conv.c, conv.h, conv.w, generator=gen)
    w = torch.randn(conv.k, conv.c // conv.groups, conv.r, conv.s,
                    generator=gen) / fan_in ** 0.5
    b = torch.randn(conv.k, generator=gen) * 0.1
    return x, w, b


def conv_model(conv, w, b, path, layout):
    """The layer as ONNX. With layout "nhwc" the model takes and returns
    NHWC tensors (Transpose -> Conv -> Transpose): ddl's nn-channels-last
    cancels the transposes, so ddl runs in its preferred layout as oneDNN
    does with format_tag::any."""
    p, q = out_size(conv)
    nhwc = layout == "nhwc"
    node = onnx.helper.make_node(
        "Conv", ["nchw_input" if nhwc else "input", "weight", "bias"],
        ["nchw_output" if nhwc else "output"],
        kernel_shape=[conv.r, conv.s], strides=[conv.sh, conv.sw],
        pads=[conv.ph, conv.pw, conv.ph, conv.pw], dilations=[conv.dh, conv.dw],
        group=conv.groups)
    nodes = [node]
    if nhwc:
        nodes = [onnx.helper.make_node("Transpose", ["input"], ["nchw_input"],
                                       perm=[0, 3, 1, 2]),
                 node,
                 onnx.helper.make_node("Transpose", ["nchw_output"], ["output"],
                                       perm=[0, 2, 3, 1])]
    in_shape = [1, conv.h, conv.w, conv.c] if nhwc else [1, conv.c, conv.h, conv.w]
    out_shape = [1, p, q, conv.k] if nhwc else [1, conv.k, p, q]
    graph = onnx.helper.make_graph(
        nodes, "conv",
        [onnx.helper.make_tensor_value_info("input", onnx.TensorProto.FLOAT,
                                            in_shape)],
        [onnx.helper.make_tensor_value_info("output", onnx.TensorProto.FLOAT,
                                            out_shape)],
        initializer=[onnx.numpy_helper.from_array(w.numpy(), "weight"),
                     onnx.numpy_helper.from_array(b.numpy(), "bias")])
    model = onnx.helper.make_model(graph, opset_imports=[onnx.helper.make_opsetid("", 14)],
                                   producer_name="ddl bench/conv_layers.py")
    onnx.checker.check_model(model)
    onnx.save(model, path)


def build_driver(args, tmp):
    exe = os.path.join(tmp, "conv_onednn")
    proc = subprocess.run([args.cc, "-O2", "-o", exe, os.path.join(HERE, "conv_onednn.c"),
                           "-ldnnl"], capture_output=True, text=True, errors="replace")
    if proc.returncode != 0:
        sys.exit("conv_layers: cannot build bench/conv_onednn.c against oneDNN "
                 "(is libdnnl-dev installed? `apt-get install libdnnl-dev`):\n" +
                 proc.stderr[-2000:])
    return exe


def compile_ddl(args, onnx_path, so):
    start = time.perf_counter()
    proc = subprocess.run([args.ddlc, onnx_path, "-o", so] + args.ddlc_flag,
                          capture_output=True, text=True, errors="replace")
    if proc.returncode != 0:
        raise RuntimeError(f"ddlc failed on {onnx_path}:\n{proc.stderr[-2000:]}")
    return time.perf_counter() - start


def time_ddl(args, so, x_path, out_dir, threads):
    proc = subprocess.run([args.ddl_run, so, "--input", f"input={x_path}",
                           "--benchmark", str(args.ddl_runs), "--threads", str(threads),
                           "--output-dir", out_dir],
                          capture_output=True, text=True, errors="replace")
    if proc.returncode != 0:
        raise RuntimeError(f"ddl-run failed on {so}:\n{proc.stderr[-2000:]}")
    r = parse_ddl_benchmark(proc.stdout)
    return r, np.load(os.path.join(out_dir, "output.npy"))


def time_onednn(args, exe, conv, files, threads, out_shape):
    env = dict(os.environ, OMP_NUM_THREADS=str(threads))
    dims = [1, conv.c, conv.h, conv.w, conv.k, conv.r, conv.s, conv.sh, conv.sw,
            conv.ph, conv.pw, conv.ph, conv.pw, conv.dh, conv.dw, conv.groups]
    proc = subprocess.run([exe] + [str(d) for d in dims] +
                          ["--layout", args.onednn_layout, "--runs", str(args.runs),
                           "--src", files["src"], "--wei", files["wei"],
                           "--bias", files["bias"], "--dst", files["dst"]],
                          capture_output=True, text=True, errors="replace", env=env)
    if proc.returncode != 0:
        raise RuntimeError(f"conv_onednn failed:\n{proc.stderr[-2000:]}")
    r = json.loads(proc.stdout.strip().splitlines()[-1])
    times = r.pop("times_ms")
    r.update({"threads": threads, "p50_ms": percentile(times, 50),
              "p90_ms": percentile(times, 90)})
    return r, np.fromfile(files["dst"], dtype=np.float32).reshape(out_shape)


def relative_error(got, want):
    if got.shape != want.shape:
        return float("inf")
    return float(np.abs(got - want).max() / max(np.abs(want).max(), 1e-30))


def markdown(rows, threads):
    lines = [f"{threads} thread{'s' if threads != 1 else ''}:", "",
             "| layer (C x H x W -> K, R x S, stride, pad) | x in resnet50 | MFLOP | "
             "ddl p50 (ms) | ddl GFLOP/s | oneDNN p50 (ms) | oneDNN GFLOP/s | "
             "ddl / oneDNN (GFLOP/s) | oneDNN kernel (src, weights) | rel. error ddl / oneDNN |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for row in rows:
        d, o = row["ddl"][threads], row["onednn"][threads]
        mflop = row["flops"] / 1e6
        bad = "" if max(d["rel_err"], o["rel_err"]) <= TOLERANCE else " **wrong**"
        lines.append(
            f"| {row['layer']} | {row['count']} | {mflop:.0f} | {d['p50_ms']:.2f} | "
            f"{mflop / d['p50_ms']:.1f} | {o['p50_ms']:.3f} | {mflop / o['p50_ms']:.1f} | "
            f"{o['p50_ms'] / d['p50_ms']:.3f}x | {o['impl']} ({o['src_md']}, "
            f"{o['wei_md']}) | {d['rel_err']:.1e} / {o['rel_err']:.1e}{bad} |")
    ratio = geomean([r["onednn"][threads]["p50_ms"] / r["ddl"][threads]["p50_ms"]
                     for r in rows])
    plural = "s" if len(rows) != 1 else ""
    lines.append(f"| geometric mean ({len(rows)} layer{plural}) | | | | | | | {ratio:.3f}x | | |")
    ddl_total = sum(r["count"] * r["ddl"][threads]["p50_ms"] for r in rows)
    dnn_total = sum(r["count"] * r["onednn"][threads]["p50_ms"] for r in rows)
    gflop = sum(r["count"] * r["flops"] for r in rows) / 1e9
    lines += ["", f"These layers as resnet50 runs them (each x its count, {gflop:.2f} "
              f"GFLOP): ddl {ddl_total:.1f} ms, oneDNN {dnn_total:.1f} ms, "
              f"ddl / oneDNN (throughput) {dnn_total / ddl_total:.3f}x."]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ddlc", default=os.path.join(HERE, "..", "build", "bin", "ddlc"))
    parser.add_argument("--ddl-run", dest="ddl_run",
                        default=os.path.join(HERE, "..", "build", "bin", "ddl-run"))
    parser.add_argument("--ddlc-flag", dest="ddlc_flag", action="append", default=[],
                        help="extra ddlc flag (repeatable), e.g. --ddlc-flag=-O3")
    parser.add_argument("--cc", default=shutil.which("cc") or "cc",
                        help="C compiler for bench/conv_onednn.c")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2],
                        help="thread counts, each measured for both peers (default 1 2)")
    parser.add_argument("--runs", type=int, default=50,
                        help="timed runs for oneDNN (default 50)")
    parser.add_argument("--ddl-runs", dest="ddl_runs", type=int, default=100,
                        help="timed runs for ddl (default 100: the first ~10 runs of a "
                             "layer with a large output page-fault its fresh output "
                             "buffer until glibc's malloc thresholds adapt, which "
                             "oneDNN, writing a preallocated dst, never pays)")
    parser.add_argument("--layers", type=int, nargs="+",
                        help="measure only these layers (indices from --list)")
    parser.add_argument("--list", action="store_true",
                        help="list resnet50's distinct convolutions and exit")
    parser.add_argument("--ddl-layout", dest="ddl_layout", choices=["nhwc", "nchw"],
                        default="nhwc",
                        help="the layout of the layer's input and output for ddl: nhwc "
                             "(its preferred one, as resnet50 runs between convolutions) "
                             "or nchw (transposes at both ends)")
    parser.add_argument("--onednn-layout", dest="onednn_layout", choices=["any", "nchw"],
                        default="any",
                        help="oneDNN src/dst layout: its preferred one (any, default) "
                        "or plain nchw; weights are always oneDNN's preferred layout")
    parser.add_argument("--json", help="also write the results as JSON to this file")
    args = parser.parse_args()
    if args.runs < 1 or args.ddl_runs < 1 or any(t < 1 for t in args.threads):
        sys.exit("conv_layers: --runs, --ddl-runs and --threads must be at least 1")

    convs = resnet50_convs()
    if args.list:
        for i, conv in enumerate(convs):
            print(f"{i:2d}  {describe(conv):40s} x{conv.count}  "
                  f"{flops(conv) / 1e6:6.0f} MFLOP")
        return 0
    chosen = args.layers if args.layers is not None else range(len(convs))
    for i in chosen:
        if not 0 <= i < len(convs):
            sys.exit(f"conv_layers: no layer {i} (there are {len(convs)}; see --list)")

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        exe = build_driver(args, tmp)
        for i in chosen:
            conv = convs[i]
            x, w, b = tensors(conv, seed=i)
            with torch.no_grad():
                ref = torch.nn.functional.conv2d(
                    x, w, b, stride=(conv.sh, conv.sw), padding=(conv.ph, conv.pw),
                    dilation=(conv.dh, conv.dw), groups=conv.groups).numpy()
            stem = os.path.join(tmp, f"conv{i}")
            conv_model(conv, w, b, stem + ".onnx", args.ddl_layout)
            nhwc = args.ddl_layout == "nhwc"
            np.save(stem + "_input.npy",
                    x.numpy().transpose(0, 2, 3, 1).copy() if nhwc else x.numpy())
            files = {"src": stem + "_src.bin", "wei": stem + "_wei.bin",
                     "bias": stem + "_bias.bin", "dst": stem + "_dst.bin"}
            x.numpy().tofile(files["src"])
            w.numpy().tofile(files["wei"])
            b.numpy().tofile(files["bias"])
            compile_s = compile_ddl(args, stem + ".onnx", stem + ".so")
            row = {"index": i, "layer": describe(conv), "count": conv.count,
                   "shape": conv._asdict(), "flops": flops(conv),
                   "ddlc_compile_s": compile_s, "ddl": {}, "onednn": {}}
            for t in args.threads:
                d, d_out = time_ddl(args, stem + ".so", stem + "_input.npy",
                                    stem + "_out", t)
                o, o_out = time_onednn(args, exe, conv, files, t, ref.shape)
                if nhwc:
                    d_out = d_out.transpose(0, 3, 1, 2)
                d["rel_err"] = relative_error(d_out, ref)
                o["rel_err"] = relative_error(o_out, ref)
                row["ddl"][t], row["onednn"][t] = d, o
                mflop = row["flops"] / 1e6
                print(f"[{i}] {row['layer']}, {t} thread(s): ddl {d['p50_ms']:.2f} ms "
                      f"({mflop / d['p50_ms']:.1f} GFLOP/s, rel. error {d['rel_err']:.1e}), "
                      f"oneDNN {o['p50_ms']:.3f} ms ({mflop / o['p50_ms']:.1f} GFLOP/s, "
                      f"{o['impl']}, rel. error {o['rel_err']:.1e})",
                      file=sys.stderr, flush=True)
            rows.append(row)

    print(f"{datetime.date.today()}, resnet50 convolutions, batch 1 fp32; ddl "
          f"{args.ddl_runs} runs, oneDNN 2.x ({args.onednn_layout} layout) {args.runs} "
          f"runs; p50s\n")
    print("\n\n".join(markdown(rows, t) for t in args.threads))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"date": str(datetime.date.today()), "onednn_layout": args.onednn_layout,
                       "tolerance": TOLERANCE, "results": rows}, f, indent=2)
    wrong = [r["layer"] for r in rows for t in args.threads
             if not max(r["ddl"][t]["rel_err"], r["onednn"][t]["rel_err"]) <= TOLERANCE]
    if wrong:
        print("conv_layers: wrong output on " + "; ".join(sorted(set(wrong))),
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
