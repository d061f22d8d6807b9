#!/usr/bin/env python3
"""CPU latency of ddl side by side with ONNX Runtime and PyTorch eager.

For each model (torchvision, random weights, torch.manual_seed(0), fp32,
3x224x224 input; or `bert_encoder`, a BERT-base-like
torch.nn.TransformerEncoder: 12 layers, hidden 768, 12 heads, FFN 3072,
sequence 128, input [batch, 128, 768]) at each --batch (default 1) the script
exports ONNX (opset 14, static shapes), compiles it with ddlc (timing the
compile), checks ddl's output against PyTorch's, and in the same invocation
measures, with the same thread count for all three:

  ddl          `ddl-run model.so --benchmark N --threads T` (its p50/p90)
  ONNX Runtime 1.30, CPU execution provider, through onnxruntime-node
               (bench/ort_latency.js; `npm install --ignore-scripts` in bench/)
  PyTorch      1.13 eager, torch.set_num_threads(T), torch.no_grad()

Each timed run follows one untimed warm-up; p50/p90 are nearest-rank over
the N timed runs. Prints a Markdown table with the ratios ddl/ORT and
ddl/PyTorch (below 1 means ddl is faster) and their geometric means; a model
at batch B > 1 is listed as `name (batch B)`. --json FILE also writes the
numbers as JSON.

    /usr/bin/python3 bench/cpu_latency.py --ddlc build/bin/ddlc \
        --ddl-run build/bin/ddl-run [--runs N] [--ddl-runs N] [--threads T] \
        [--batch B ...] [--models resnet18 bert_encoder ...] [--only] \
        [--attention-ab] [--json out.json]

--attention-ab also compiles each model with `ddlc --fuse-attention=false`
(attention materialized: MatMul, Softmax, MatMul) and times it in the same
run, for a fused / materialized table.
"""

import argparse
import datetime
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnx
import torch

from models import build

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_MODELS = ["resnet50", "mobilenet_v2", "vit_b_16", "bert_encoder"]
# Relative error (max |ddl - PyTorch| / max |PyTorch|) above which ddl's
# output counts as wrong: a broken kernel must not look fast.
TOLERANCE = 1e-3
DDL_BENCHMARK_LINE = re.compile(r"benchmark: (\d+) runs, (\d+) threads: .*p50 ([\d.]+) ms, "
                                r"p90 ([\d.]+) ms")


def percentile(times, p):
    """Nearest rank, as ddl-run reports it."""
    s = sorted(times)
    return s[int((len(s) - 1) * p / 100.0 + 0.5)]


def parse_ddl_benchmark(stdout):
    """ddl-run --benchmark's summary line as {runs, threads, p50_ms, p90_ms}."""
    m = DDL_BENCHMARK_LINE.search(stdout)
    if not m:
        raise RuntimeError(f"no benchmark line in ddl-run's output:\n{stdout}")
    return {"runs": int(m.group(1)), "threads": int(m.group(2)),
            "p50_ms": float(m.group(3)), "p90_ms": float(m.group(4))}


def geomean(values):
    return math.exp(sum(math.log(v) for v in values) / len(values))


def export(model, x, path):
    """ONNX opset 14 with plain ops. With grad disabled, torch 1.13's
    TransformerEncoderLayer and MultiheadAttention take their fast path
    (aten::_transformer_encoder_layer_fwd, aten::_native_multi_head_attention),
    which the ONNX exporter cannot express; with grad enabled (parameters
    require grad) they run the reference path, which exports as
    MatMul/Softmax/ReduceMean-based LayerNorm. torch 1.13 has no
    torch.backends.mha.set_fastpath_enabled."""
    with torch.enable_grad():
        torch.onnx.export(model, x, path, opset_version=14,
                          input_names=["input"], output_names=["output"])
    odd = sorted({n.op_type for n in onnx.load(path, load_external_data=False).graph.node
                  if n.domain not in ("", "ai.onnx") or n.op_type.startswith("ATen")})
    if odd:
        raise RuntimeError(f"the export of {path} holds non-standard ops: {odd}")


def time_ddl(args, onnx_path, x_path, tmp, name, extra_flags=()):
    so = os.path.join(tmp, name + ".so")
    out_dir = os.path.join(tmp, name + "_out")
    start = time.perf_counter()
    proc = subprocess.run([args.ddlc, onnx_path, "-o", so] + args.ddlc_flag +
                          list(extra_flags),
                          capture_output=True, text=True, errors="replace")
    compile_s = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"ddlc failed on {name}:\n{proc.stderr[-2000:]}")
    runs = args.ddl_runs or args.runs
    proc = subprocess.run([args.ddl_run, so, "--input", f"input={x_path}",
                           "--benchmark", str(runs), "--threads", str(args.threads),
                           "--output-dir", out_dir],
                          capture_output=True, text=True, errors="replace")
    if proc.returncode != 0:
        raise RuntimeError(f"ddl-run failed on {name}:\n{proc.stderr[-2000:]}")
    r = {"compile_s": compile_s}
    r.update(parse_ddl_benchmark(proc.stdout))
    r["output"] = np.load(os.path.join(out_dir, "output.npy"))
    return r


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
        y = model(x)  # warm-up
        for _ in range(args.runs):
            start = time.perf_counter()
            model(x)
            times.append((time.perf_counter() - start) * 1000)
    return {"runs": args.runs, "threads": torch.get_num_threads(),
            "p50_ms": percentile(times, 50), "p90_ms": percentile(times, 90),
            "output": y.numpy()}


def relative_error(got, want):
    if got.shape != want.shape:
        return float("inf")
    return float(np.abs(got - want).max() / max(np.abs(want).max(), 1e-30))


def markdown(results, args):
    lines = ["| model | ddlc compile (s) | ddl p50 / p90 (ms) | "
             "ONNX Runtime 1.30 p50 / p90 (ms) | PyTorch 1.13 p50 / p90 (ms) | "
             "ddl / ORT | ddl / PyTorch |",
             "|---|---|---|---|---|---|---|"]
    for r in results:
        d, o, t = r["ddl"], r["ort"], r["torch"]
        wrong = "" if r["rel_err"] <= TOLERANCE else \
            f" **wrong output, rel. error {r['rel_err']:.1e}**"
        lines.append(
            f"| {r['model']} | {d['compile_s']:.1f} | {d['p50_ms']:.1f} / "
            f"{d['p90_ms']:.1f} ({d['runs']} runs){wrong} | {o['p50_ms']:.1f} / "
            f"{o['p90_ms']:.1f} | {t['p50_ms']:.1f} / {t['p90_ms']:.1f} | "
            f"{d['p50_ms'] / o['p50_ms']:.2f}x | {d['p50_ms'] / t['p50_ms']:.2f}x |")
    if results:
        ort = geomean([r["ddl"]["p50_ms"] / r["ort"]["p50_ms"] for r in results])
        pt = geomean([r["ddl"]["p50_ms"] / r["torch"]["p50_ms"] for r in results])
        plural = "s" if len(results) != 1 else ""
        lines.append(f"| geometric mean ({len(results)} model{plural}) | | | | | "
                     f"{ort:.2f}x | {pt:.2f}x |")
    if results and "unfused" in results[0]:
        lines += ["", "| model | ddl, attention fused p50 (ms) | ddl, attention "
                  "materialized p50 (ms) | fused / materialized |", "|---|---|---|---|"]
        for r in results:
            d, u = r["ddl"], r["unfused"]
            lines.append(f"| {r['model']} | {d['p50_ms']:.1f} | {u['p50_ms']:.1f} | "
                         f"{d['p50_ms'] / u['p50_ms']:.2f}x |")
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
                        help="torchvision models (or bert_encoder) to add to " +
                        ", ".join(DEFAULT_MODELS))
    parser.add_argument("--only", action="store_true",
                        help="run only the --models, not the default ones")
    parser.add_argument("--batch", type=int, nargs="+", default=[1],
                        help="batch size(s); each model runs at each (default 1)")
    parser.add_argument("--runs", type=int, default=20,
                        help="timed runs per peer (default 20)")
    parser.add_argument("--ddl-runs", dest="ddl_runs", type=int,
                        help="timed runs for ddl if it needs fewer (default --runs)")
    parser.add_argument("--threads", type=int, default=os.cpu_count(),
                        help="threads for every peer (default: the number of cores)")
    parser.add_argument("--attention-ab", dest="attention_ab", action="store_true",
                        help="also time ddl with --fuse-attention=false (attention "
                        "materialized) and print fused / materialized")
    parser.add_argument("--json", help="also write the results as JSON to this file")
    args = parser.parse_args()
    if not os.path.isdir(os.path.join(HERE, "node_modules", "onnxruntime-node")):
        sys.exit("cpu_latency: onnxruntime-node is missing; run "
                 "`npm install --ignore-scripts` in bench/")
    models = ([] if args.only else DEFAULT_MODELS) + \
        [m for m in args.models if m not in DEFAULT_MODELS or args.only]
    if any(b < 1 for b in args.batch):
        sys.exit("cpu_latency: --batch must be at least 1")
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for batch in args.batch:
            for name in models:
                label = name if batch == 1 else f"{name} (batch {batch})"
                stem = name if batch == 1 else f"{name}_b{batch}"
                model, x = build(name, batch)
                onnx_path = os.path.join(tmp, stem + ".onnx")
                export(model, x, onnx_path)
                x_path = os.path.join(tmp, stem + "_input.npy")
                np.save(x_path, x.numpy())
                r = {"model": label, "batch": batch}
                r["ddl"] = time_ddl(args, onnx_path, x_path, tmp, stem)
                if args.attention_ab:
                    r["unfused"] = time_ddl(args, onnx_path, x_path, tmp, stem + "_unfused",
                                            ["--fuse-attention=false"])
                    r["unfused_rel_err"] = relative_error(r["unfused"].pop("output"),
                                                          r["ddl"]["output"])
                r["ort"] = time_ort(args, onnx_path, list(x.shape))
                r["torch"] = time_torch(args, model, x)
                r["rel_err"] = relative_error(r["ddl"].pop("output"),
                                              r["torch"].pop("output"))
                print(f"{label}: ddl {r['ddl']['p50_ms']:.1f} ms (compile "
                      f"{r['ddl']['compile_s']:.1f} s, rel. error vs PyTorch "
                      f"{r['rel_err']:.1e}), ORT {r['ort']['p50_ms']:.1f} ms, "
                      f"PyTorch {r['torch']['p50_ms']:.1f} ms", file=sys.stderr, flush=True)
                results.append(r)
    batches = ", ".join(map(str, args.batch))
    print(f"{datetime.date.today()}, {args.threads} threads, batch {batches} fp32\n")
    print(markdown(results, args))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"date": str(datetime.date.today()), "threads": args.threads,
                       "tolerance": TOLERANCE, "results": results}, f, indent=2)
    wrong = [r["model"] for r in results if not r["rel_err"] <= TOLERANCE]
    if wrong:
        print(f"cpu_latency: ddl's output differs from PyTorch's on {', '.join(wrong)}",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
