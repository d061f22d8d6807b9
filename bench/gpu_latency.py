#!/usr/bin/env python3
"""GPU latency of ddl side by side with PyTorch on one CUDA device.

Workloads, in one process:
  - models (bench/models.py: torchvision architectures with random weights,
    or `bert_encoder`) at each --batch, in each --model-precisions (fp32:
    TF32 off everywhere; bf16 / fp16: the model and its input in that type,
    ddl with --precision of the same name);
  - GEMMs a @ b (`--gemm N ...` squares, `--gemm-mnk MxNxK ...`) in each
    --precisions, with TFLOP/s, against eager only (cuBLAS: Inductor calls
    it for a lone matmul too);
  - memory-bound kernels (`--memory`: layernorm and softmax over the last
    dimension of [rows, 4096] f32, and a chain of 5 elementwise ops), with
    the bandwidth each reaches (bytes read once and written once over the
    time) as a fraction of --copy-bandwidth (the H200's measured copy rate).

Systems (columns):
  ddl            ddl.compile(model, (x,), device="cuda"): `ddlc --target=cuda`,
                 CUDA tensors in and out
  ddl+graph      --cuda-graph (models): the same program in graph mode
                 (compile(..., cuda_graph=True): one CUDA graph launch per
                 run); both ddl columns then compile with freeze=True
  eager          PyTorch eager, torch.no_grad()
  inductor       torch.compile(model) (mode default)
  max-autotune   --max-autotune: torch.compile(model, mode="max-autotune")
  cudagraphs     torch.compile(model, mode="reduce-overhead") (Inductor with
                 CUDA graphs)

ddl's output is checked against eager's (relative max error within the
workload's tolerance) before it is timed. Times are medians of --runs runs
after --warmup runs, each run bracketed by CUDA events on the current
stream; a Markdown table gives the medians and the ratios ddl / peer (below
1: ddl is faster), with the better of ddl and ddl+graph in the ratios.

    python3 bench/gpu_latency.py [--models resnet50 bert_encoder]
        [--batch 1 32] [--model-precisions fp32 bf16] [--gemm 1024 4096]
        [--gemm-mnk 16x11008x4096] [--precisions fp32 bf16] [--memory]
        [--cuda-graph] [--max-autotune] [--runs 50] [--warmup 10]
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


def ddl_times(name, model, inputs, want, args, tolerance, precision, graph):
    """ddl's relative error, median ms, median ms with CUDA graphs (None
    unless `graph`) and failure text (None unless it failed). With `graph`
    the program is compiled once with freeze=True and timed without, then
    with graph mode."""
    row = {"error": float("nan"), "ddl": None, "ddl+graph": None, "failure": None}
    try:
        compiled = ddl.compile(model, inputs, device="cuda", precision=precision, freeze=graph)
        with torch.no_grad():
            row["error"] = relative_error(first(compiled(*inputs)), want)
    except Exception as e:  # noqa: BLE001 -- a failing workload must not end the others
        print(f"{name}: ddl failed: {type(e).__name__}: {str(e)[:2000]}", file=sys.stderr)
        row["failure"] = f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"
        return row
    if not row["error"] <= tolerance:
        print(f"{name}: ddl's output differs from eager's (relative error "
              f"{row['error']:.3g}); not timed", file=sys.stderr)
        return row
    row["ddl"] = time_cuda(compiled, inputs, args.runs, args.warmup)
    if graph:
        compiled.enable_cuda_graph()
        with torch.no_grad():
            error = relative_error(first(compiled(*inputs)), want)
            error = max(error, relative_error(first(compiled(*inputs)), want))  # a replay
        if error <= tolerance:
            row["ddl+graph"] = time_cuda(compiled, inputs, args.runs, args.warmup)
        else:
            print(f"{name}: ddl's output with CUDA graphs differs from eager's (relative "
                  f"error {error:.3g}); not timed", file=sys.stderr)
        captures, launches, why = compiled.graph_stats()
        if why:
            print(f"{name}: ddl ran without CUDA graphs: {why}", file=sys.stderr)
    return row


def measure(name, model, inputs, args, flops=None, bytes_moved=None, precision="fp32",
            tolerance=TOLERANCE, graph=False, compile_peers=True):
    row = {"name": name}
    with torch.no_grad():
        want = first(model(*inputs))
    ours = ddl_times(name, model, inputs, want, args, tolerance, precision, graph)
    row["error"], row["ddl"] = ours["error"], ours["ddl"]
    if ours["failure"]:
        row["failure"] = ours["failure"]
    if graph:
        row["ddl+graph"] = ours["ddl+graph"]
    row["eager"] = time_cuda(model, inputs, args.runs, args.warmup)
    if compile_peers and not args.no_compile:
        modes = {"inductor": None, "cudagraphs": "reduce-overhead"}
        if args.max_autotune:
            modes["max-autotune"] = "max-autotune"
        for peer, mode in modes.items():
            torch._dynamo.reset()
            try:
                row[peer] = time_cuda(torch.compile(model, mode=mode), inputs, args.runs,
                                      args.warmup)
            except Exception as e:  # noqa: BLE001 -- a failing peer must not end the others
                print(f"{name}: {peer} failed: {type(e).__name__}: {str(e)[:500]}",
                      file=sys.stderr)
        torch._dynamo.reset()
    if flops:
        row["flops"] = flops
    if bytes_moved:
        row["bytes"] = bytes_moved
    print(f"{name}: " + ", ".join(f"{k} {v:.3f} ms" for k, v in row.items()
                                  if k in SYSTEMS and v is not None), flush=True)
    return row


SYSTEMS = ("ddl", "ddl+graph", "eager", "inductor", "max-autotune", "cudagraphs")


def best_ddl(row):
    times = [row[k] for k in ("ddl", "ddl+graph") if row.get(k)]
    return min(times) if times else None


def markdown(rows, peers, graph, copy_bandwidth):
    """The table: ddl's times, each peer's time and ddl / peer (ddl's
    better time), and ddl's TFLOP/s or fraction of the copy bandwidth."""
    ours = ["ddl"] + (["ddl+graph"] if graph else [])
    head = ("| workload | rel. error | " + " | ".join(f"{s} (ms)" for s in ours) + " | "
            + " | ".join(f"{p} (ms) | ddl / {p}" for p in peers) + " | ddl TFLOP/s or bandwidth |")
    lines = [head, "|" + "---|" * (3 + len(ours) + 2 * len(peers))]
    for r in rows:
        cells = [r["name"], f"{r['error']:.1e}"]
        for s in ours:
            t = r.get(s)
            cells.append(f"{t:.3f}" if t else ("failed" if "failure" in r else "-"))
        best = best_ddl(r)
        for p in peers:
            t = r.get(p)
            cells.append(f"{t:.3f}" if t else "-")
            cells.append(f"{best / t:.2f}x" if t and best else "-")
        if r.get("flops") and best:
            cells.append(f"{r['flops'] / best / 1e9:.1f} TFLOP/s")
        elif r.get("bytes") and best:
            rate = r["bytes"] / best / 1e9  # TB/s
            cells.append(f"{rate:.2f} TB/s ({rate / copy_bandwidth:.0%})")
        else:
            cells.append("-")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def memory_workloads(device, rows_count, width, elements):
    """(name, function, inputs, bytes read and written) of the memory-bound
    kernels: each reads its inputs once and writes its output once."""
    x = torch.randn(rows_count, width, device=device)
    weight = torch.randn(width, device=device)
    bias = torch.randn(width, device=device)
    flat = torch.randn(elements, device=device)
    other = torch.randn(elements, device=device)
    matrix_bytes = 2 * x.numel() * 4

    def layernorm(a, w, b):
        return torch.nn.functional.layer_norm(a, (a.shape[-1],), w, b, 1e-5)

    def softmax(a):
        return torch.softmax(a, dim=-1)

    def chain(a, b):
        return torch.sigmoid(a * 1.5 + b).mul(a).sub(0.25).relu()

    return [
        (f"layernorm {rows_count}x{width}", layernorm, (x, weight, bias), matrix_bytes),
        (f"softmax {rows_count}x{width}", softmax, (x,), matrix_bytes),
        (f"5-op elementwise chain {elements}", chain, (flat, other), 3 * elements * 4),
    ]


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
    parser.add_argument("--model-precisions", nargs="+", default=["fp32"],
                        choices=["fp32", "bf16", "fp16"],
                        help="model types: fp32 (TF32 off), or the model in bf16 / fp16 with "
                             "ddl's --precision of that name")
    parser.add_argument("--memory", action="store_true",
                        help="also the memory-bound kernels (layernorm, softmax, an elementwise "
                             "chain)")
    parser.add_argument("--memory-rows", type=int, default=16384)
    parser.add_argument("--memory-elements", type=int, default=1 << 26)
    parser.add_argument("--copy-bandwidth", type=float, default=4.3,
                        help="TB/s the bandwidth fractions refer to (the H200's measured copy "
                             "rate)")
    parser.add_argument("--cuda-graph", action="store_true",
                        help="also ddl with CUDA graphs (cuda_graph=True, freeze=True), for models")
    parser.add_argument("--max-autotune", action="store_true",
                        help="also torch.compile(mode='max-autotune') (slow to compile)")
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
                                tolerance=tolerances[precision], compile_peers=False))
    torch.backends.cuda.matmul.allow_tf32 = False
    if args.memory:
        for name, fn, inputs, nbytes in memory_workloads(device, args.memory_rows, 4096,
                                                         args.memory_elements):
            rows.append(measure(name, fn, inputs, args, bytes_moved=nbytes))
    for precision in args.model_precisions:
        for name in args.models:
            for batch in args.batch:
                try:
                    model, x = build(name, batch)
                except ImportError as e:  # torchvision missing on this machine
                    print(f"{name}: skipped ({e})", file=sys.stderr)
                    break
                model, x = model.to(device), x.to(device)
                if precision != "fp32":
                    model, x = model.to(dtypes[precision]), x.to(dtypes[precision])
                rows.append(measure(f"{name} (batch {batch}, {precision})", model, (x,), args,
                                    precision=precision, tolerance=tolerances[precision],
                                    graph=args.cuda_graph))
    peers = ["eager"] + ([] if args.no_compile else
                         ["inductor"] + (["max-autotune"] if args.max_autotune else [])
                         + ["cudagraphs"])
    print(markdown(rows, peers, args.cuda_graph, args.copy_bandwidth))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
