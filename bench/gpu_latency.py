#!/usr/bin/env python3
"""GPU latency of ddl side by side with PyTorch on one CUDA device.

For each model (bench/models.py: torchvision architectures with random
weights, or `bert_encoder`) at each --batch, and for square f32 GEMMs
(`--gemm N ...`, a @ b), in one process:

  ddl            ddl.compile(model, (x,), device="cuda"): `ddlc --target=cuda`,
                 CUDA tensors in and out
  eager          PyTorch eager, torch.no_grad()
  inductor       torch.compile(model) (mode default)
  cudagraphs     torch.compile(model, mode="reduce-overhead") (Inductor with
                 CUDA graphs)

all in fp32 with TF32 off (torch.backends.*.allow_tf32 = False), so every
system computes what the model says. ddl's output is checked against
eager's (relative error <= 1e-3 of the output's magnitude) before it is
timed. Times are medians of --runs runs after --warmup runs, each run
bracketed by CUDA events on the current stream (torch synchronizes before
and after); a Markdown table gives the medians and the ratios ddl / peer
(below 1: ddl is faster) and, for GEMMs, TFLOP/s.

    python3 bench/gpu_latency.py [--models resnet50 bert_encoder]
        [--batch 1 32] [--gemm 1024 4096] [--runs 50] [--warmup 10]
        [--no-compile] [--json out.json]

Needs a CUDA build of torch and ddl's tools (ddlc with the NVPTX target and
ptxas; DDL_BUILD_DIR points at them, as for the PyTorch frontend).
"""

import argparse
import datetime
import json
import os
import statistics
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "frontends", "pytorch"))
import ddl  # noqa: E402

from models import build  # noqa: E402

TOLERANCE = 1e-3


def time_cuda(fn, args, runs, warmup):
    """Median milliseconds of fn(*args) over `runs` runs."""
    with torch.no_grad():
        for _ in range(warmup):
            fn(*args)
        torch.cuda.synchronize()
        times = []
        for _ in range(runs):
            start = torch.cuda.Event(enable_timing=True)
            end = torch.cuda.Event(enable_timing=True)
            start.record()
            fn(*args)
            end.record()
            end.synchronize()
            times.append(start.elapsed_time(end))
    return statistics.median(times)


def relative_error(got, want):
    got, want = got.float(), want.float()
    return float((got - want).abs().max() / want.abs().max().clamp_min(1e-30))


def first(output):
    return output[0] if isinstance(output, (tuple, list)) else output


def measure(name, model, inputs, args, flops=None, precision="fp32", tolerance=TOLERANCE):
    row = {"name": name}
    with torch.no_grad():
        want = first(model(*inputs))
    try:
        compiled = ddl.compile(model, inputs, device="cuda", precision=precision)
        with torch.no_grad():
            got = first(compiled(*inputs))
        row["error"] = relative_error(got, want)
    except Exception as e:  # noqa: BLE001 -- a failing workload must not end the others
        print(f"{name}: ddl failed: {type(e).__name__}: {str(e)[:2000]}", file=sys.stderr)
        row["error"] = float("nan")
        row["failure"] = f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"
    if "failure" in row:
        row["ddl"] = None
    elif not row["error"] <= tolerance:
        print(f"{name}: ddl's output differs from eager's (relative error "
              f"{row['error']:.3g}); not timed", file=sys.stderr)
        row["ddl"] = None
    else:
        row["ddl"] = time_cuda(compiled, inputs, args.runs, args.warmup)
    row["eager"] = time_cuda(model, inputs, args.runs, args.warmup)
    if not args.no_compile:
        torch._dynamo.reset()
        row["inductor"] = time_cuda(torch.compile(model), inputs, args.runs, args.warmup)
        torch._dynamo.reset()
        row["cudagraphs"] = time_cuda(torch.compile(model, mode="reduce-overhead"),
                                      inputs, args.runs, args.warmup)
        torch._dynamo.reset()
    if flops:
        row["flops"] = flops
    print(f"{name}: " + ", ".join(f"{k} {v:.3f} ms" for k, v in row.items()
                                  if k in ("ddl", "eager", "inductor", "cudagraphs")
                                  and v is not None), flush=True)
    return row


def markdown(rows, peers):
    head = "| workload | rel. error | ddl (ms) | " + " | ".join(
        f"{p} (ms) | ddl / {p}" for p in peers) + " | ddl TFLOP/s |"
    lines = [head, "|" + "---|" * (4 + 2 * len(peers))]
    for r in rows:
        cells = [r["name"], f"{r['error']:.1e}",
                 ("failed" if "failure" in r else "wrong") if r["ddl"] is None
                 else f"{r['ddl']:.3f}"]
        for p in peers:
            t = r.get(p)
            cells.append(f"{t:.3f}" if t else "-")
            cells.append(f"{r['ddl'] / t:.2f}x" if t and r["ddl"] else "-")
        tflops = (r["flops"] / r["ddl"] / 1e9) if r.get("flops") and r["ddl"] else None
        cells.append(f"{tflops:.1f}" if tflops else "-")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", nargs="*", default=["resnet50", "bert_encoder"])
    parser.add_argument("--batch", type=int, nargs="+", default=[1, 32])
    parser.add_argument("--gemm", type=int, nargs="*", default=[1024, 4096],
                        help="square GEMM sizes")
    parser.add_argument("--gemm-mnk", nargs="*", default=[],
                        help="more GEMM shapes, MxNxK (e.g. 16x11008x4096)")
    parser.add_argument("--precisions", nargs="+", default=["fp32"],
                        choices=["fp32", "tf32", "bf16", "fp16"],
                        help="GEMM compute types: fp32 and tf32 on f32 tensors (the peer with "
                             "TF32 allowed for tf32), bf16 / fp16 on tensors of that type")
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--no-compile", action="store_true",
                        help="skip torch.compile (Inductor) peers")
    parser.add_argument("--json")
    args = parser.parse_args()
    if not torch.cuda.is_available():
        sys.exit("gpu_latency: torch has no CUDA device")
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    device = torch.device("cuda")
    print(f"{torch.cuda.get_device_name(device)}, torch {torch.__version__}, "
          f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC", flush=True)

    rows = []
    shapes = [(n, n, n) for n in args.gemm]
    for text in args.gemm_mnk:
        try:
            shapes.append(tuple(int(v) for v in text.lower().split("x")))
        except ValueError:
            sys.exit(f"gpu_latency: --gemm-mnk wants MxNxK, not {text!r}")
        if len(shapes[-1]) != 3:
            sys.exit(f"gpu_latency: --gemm-mnk wants MxNxK, not {text!r}")
    dtypes = {"fp32": torch.float32, "tf32": torch.float32, "bf16": torch.bfloat16,
              "fp16": torch.float16}
    # Relative max-error bounds for the rounding of each compute type.
    tolerances = {"fp32": TOLERANCE, "tf32": 1e-2, "bf16": 5e-2, "fp16": 1e-2}
    for precision in args.precisions:
        torch.backends.cuda.matmul.allow_tf32 = precision == "tf32"
        for m, n, k in shapes:
            a = torch.randn(m, k, device=device, dtype=dtypes[precision])
            b = torch.randn(k, n, device=device, dtype=dtypes[precision])
            rows.append(measure(f"gemm {m}x{n}x{k} {precision}", lambda x, y: x @ y, (a, b), args,
                                flops=2.0 * m * n * k, precision=precision,
                                tolerance=tolerances[precision]))
    torch.backends.cuda.matmul.allow_tf32 = False
    for name in args.models:
        for batch in args.batch:
            try:
                model, x = build(name, batch)
            except ImportError as e:  # torchvision missing on this machine
                print(f"{name}: skipped ({e})", file=sys.stderr)
                break
            model = model.to(device)
            rows.append(measure(f"{name} (batch {batch})", model, (x.to(device),), args))
    peers = ["eager"] + ([] if args.no_compile else ["inductor", "cudagraphs"])
    print(markdown(rows, peers))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
