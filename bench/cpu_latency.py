#!/usr/bin/env python3
"""CPU latency of ddl side by side with ONNX Runtime and PyTorch eager.

For each model (torchvision, random weights, torch.manual_seed(0); batch 1,
fp32, 3x224x224 input) the script exports ONNX (opset 14, static shapes),
compiles it with ddlc (timing the compile), and in the same invocation
measures, with the same thread count for all three:

  ddl          `ddl-run model.so --benchmark N --threads T` (its p50/p90)
  ONNX Runtime 1.30, CPU execution provider, through onnxruntime-node
               (bench/ort_latency.js; `npm install --ignore-scripts` in bench/)
  PyTorch      1.13 eager, torch.set_num_threads(T), torch.no_grad()

Each timed run follows one untimed warm-up; p50/p90 are nearest-rank over
the N timed runs. Prints a Markdown table with the ratios ddl/ORT and
ddl/PyTorch (below 1 means ddl is faster); --json FILE also writes the
numbers as JSON.

    /usr/bin/python3 bench/cpu_latency.py --ddlc build/bin/ddlc \
        --ddl-run build/bin/ddl-run [--runs N] [--ddl-runs N] [--threads T] \
        [--models resnet18 ...] [--json out.json]
"""

import argparse
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch
import torchvision

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_MODELS = ["resnet50", "mobilenet_v2", "vit_b_16"]


def percentile(times, p):
    """Nearest rank, as ddl-run reports it."""
    s = sorted(times)
    return s[int((len(s) - 1) * p / 100.0 + 0.5)]


def build(name):
    torch.manual_seed(0)
    model = getattr(torchvision.models, name)(weights=None)
    # BatchNorm statistics of one random batch: with the default ones
    # (mean 0, var 1) the activations of mobilenet_v2 and its kin decay to
    # denormals, which time the peers' slow paths, not the model.
    norms = [m for m in model.modules()
             if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    for m in norms:
        m.reset_running_stats()
        m.momentum = None
    if norms:
        model.train()
        with torch.no_grad():
            model(torch.randn(4, 3, 224, 224))
    return model.eval(), torch.randn(1, 3, 224, 224)


def time_ddl(args, onnx_path, x_path, tmp, name):
    so = os.path.join(tmp, name + ".so")
    start = time.perf_counter()
    proc = subprocess.run([args.ddlc, onnx_path, "-o", so] + args.ddlc_flag,
                          capture_output=True, text=True, errors="replace")
    compile_s = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"ddlc failed on {name}:\n{proc.stderr[-2000:]}")
    runs = args.ddl_runs or args.runs
    proc = subprocess.run([args.ddl_run, so, "--input", f"input={x_path}",
                           "--benchmark", str(runs), "--threads", str(args.threads)],
                          capture_output=True, text=True, errors="replace")
    if proc.returncode != 0:
        raise RuntimeError(f"ddl-run failed on {name}:\n{proc.stderr[-2000:]}")
    m = re.search(r"benchmark: (\d+) runs, (\d+) threads: .*p50 ([\d.]+) ms, "
                  r"p90 ([\d.]+) ms", proc.stdout)
    if not m:
        raise RuntimeError(f"no benchmark line in ddl-run's output:\n{proc.stdout}")
    return {"compile_s": compile_s, "runs": int(m.group(1)),
            "threads": int(m.group(2)), "p50_ms": float(m.group(3)),
            "p90_ms": float(m.group(4))}


def time_ort(args, onnx_path, shape):
    script = os.path.join(HERE, "ort_latency.js")
    proc = subprocess.run([args.node, script, onnx_path, "--runs", str(args.runs),
                           "--threads", str(args.threads), "--input",
                           "input=" + ",".join(map(str, shape))],
                          capture_output=True, text=True, errors="replace")
    if proc.returncode != 0:
        raise RuntimeError(f"ONNX Runtime failed:\n{proc.stderr[-2000:]}")
    r = json.loads(proc.stdout.strip().splitlines()[-1])
    return {"session_s": r["session_ms"] / 1000, "runs": r["runs"],
            "threads": r["threads"], "p50_ms": percentile(r["times_ms"], 50),
            "p90_ms": percentile(r["times_ms"], 90)}


def time_torch(args, model, x):
    torch.set_num_threads(args.threads)
    times = []
    with torch.no_grad():
        model(x)  # warm-up
        for _ in range(args.runs):
            start = time.perf_counter()
            model(x)
            times.append((time.perf_counter() - start) * 1000)
    return {"runs": args.runs, "threads": torch.get_num_threads(),
            "p50_ms": percentile(times, 50), "p90_ms": percentile(times, 90)}


def markdown(results, args):
    lines = ["| model | ddlc compile (s) | ddl p50 / p90 (ms) | "
             "ONNX Runtime 1.30 p50 / p90 (ms) | PyTorch 1.13 p50 / p90 (ms) | "
             "ddl / ORT | ddl / PyTorch |",
             "|---|---|---|---|---|---|---|"]
    for r in results:
        d, o, t = r["ddl"], r["ort"], r["torch"]
        lines.append(
            f"| {r['model']} | {d['compile_s']:.1f} | {d['p50_ms']:.1f} / "
            f"{d['p90_ms']:.1f} ({d['runs']} runs) | {o['p50_ms']:.1f} / "
            f"{o['p90_ms']:.1f} | {t['p50_ms']:.1f} / {t['p90_ms']:.1f} | "
            f"{d['p50_ms'] / o['p50_ms']:.2f}x | {d['p50_ms'] / t['p50_ms']:.2f}x |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ddlc", default=os.path.join(HERE, "..", "build", "bin", "ddlc"))
    parser.add_argument("--ddl-run", dest="ddl_run",
                        default=os.path.join(HERE, "..", "build", "bin", "ddl-run"))
    parser.add_argument("--ddlc-flag", dest="ddlc_flag", action="append", default=[],
                        help="extra ddlc flag (repeatable), e.g. --ddlc-flag=-O3")
    parser.add_argument("--node", default=shutil.which("node") or "node")
    parser.add_argument("--models", nargs="*", default=[],
                        help="torchvision models to add to " + ", ".join(DEFAULT_MODELS))
    parser.add_argument("--only", action="store_true",
                        help="run only the --models, not the default three")
    parser.add_argument("--runs", type=int, default=20,
                        help="timed runs per peer (default 20)")
    parser.add_argument("--ddl-runs", dest="ddl_runs", type=int,
                        help="timed runs for ddl if it needs fewer (default --runs)")
    parser.add_argument("--threads", type=int, default=os.cpu_count(),
                        help="threads for every peer (default: the number of cores)")
    parser.add_argument("--json", help="also write the results as JSON to this file")
    args = parser.parse_args()
    if not os.path.isdir(os.path.join(HERE, "node_modules", "onnxruntime-node")):
        sys.exit("cpu_latency: onnxruntime-node is missing; run "
                 "`npm install --ignore-scripts` in bench/")
    models = ([] if args.only else DEFAULT_MODELS) + \
        [m for m in args.models if m not in DEFAULT_MODELS or args.only]
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in models:
            model, x = build(name)
            onnx_path = os.path.join(tmp, name + ".onnx")
            torch.onnx.export(model, x, onnx_path, opset_version=14,
                              input_names=["input"], output_names=["output"])
            x_path = os.path.join(tmp, name + "_input.npy")
            np.save(x_path, x.numpy())
            r = {"model": name}
            r["ddl"] = time_ddl(args, onnx_path, x_path, tmp, name)
            r["ort"] = time_ort(args, onnx_path, list(x.shape))
            r["torch"] = time_torch(args, model, x)
            print(f"{name}: ddl {r['ddl']['p50_ms']:.1f} ms (compile "
                  f"{r['ddl']['compile_s']:.1f} s), ORT {r['ort']['p50_ms']:.1f} ms, "
                  f"PyTorch {r['torch']['p50_ms']:.1f} ms", file=sys.stderr, flush=True)
            results.append(r)
    print(f"{datetime.date.today()}, {args.threads} threads, batch 1 fp32\n")
    print(markdown(results, args))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"date": str(datetime.date.today()), "threads": args.threads,
                       "results": results}, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
