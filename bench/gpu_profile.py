#!/usr/bin/env python3
"""Where ddl's GPU time goes: per-kernel profiles of compiled workloads.

For each workload, ddl.compile(..., device="cuda") and then:

  breakdown   (always) torch.profiler over --runs runs: each kernel kind's
              device time per run (kernels are named after what made them:
              gemm_mma_<type>, gemm_simt, row_reduce; main_kernel* are the
              one-element-per-thread kernels of every other op), the number
              of launches, and the run's wall time next to the summed kernel
              time (the difference is launch overhead and gaps)
  --timeline  one run's events in time order: the driver and runtime calls
              on the host (CUPTI's API records: what the runtime waits in,
              allocates, launches) and the kernels and copies on the device,
              each with its start and duration in microseconds from the call;
              and the host's own time for a call (perf_counter, no sync)
  --ncu       Nsight Compute on one run (ncu --profile-from-start off, the run
              between cudaProfilerStart and Stop): per kernel its duration,
              SM and memory throughput as % of peak, DRAM bandwidth, tensor
              pipe activity, registers per thread and achieved occupancy;
              the kernels taking most of the time first

Workloads: `gemm:MxNxK:<fp32|tf32|bf16|fp16>` (a @ b),
`memory:<layernorm|softmax|chain>` (bench/gpu_latency.py's memory-bound
kernels, at its default sizes), or `<model>:<batch>[:<fp32|bf16|fp16>]`
with a model of bench/models.py.

    python3 bench/gpu_profile.py gemm:4096x4096x4096:bf16 resnet50:1 \\
        [--runs 10] [--ncu] [--ncu-launches 300] [--json out.json]

Needs a CUDA build of torch, ddl's tools (DDL_BUILD_DIR), and ncu on PATH
(or under /usr/local/cuda) for --ncu.
"""

import argparse
import collections
import csv
import io
import json
import os
import re
import shutil
import statistics
import subprocess
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "frontends", "pytorch"))
import ddl  # noqa: E402

from models import build  # noqa: E402

DTYPES = {"fp32": torch.float32, "tf32": torch.float32, "bf16": torch.bfloat16,
          "fp16": torch.float16}


def workload(text, device):
    """(compiled program, its inputs) for a workload string."""
    parts = text.split(":")
    if parts[0] == "gemm":
        if len(parts) != 3 or parts[2] not in DTYPES:
            sys.exit(f"gpu_profile: a GEMM is gemm:MxNxK:<{'|'.join(DTYPES)}>, not {text!r}")
        try:
            m, n, k = (int(v) for v in parts[1].lower().split("x"))
        except ValueError:
            sys.exit(f"gpu_profile: a GEMM is gemm:MxNxK:<type>, not {text!r}")
        a = torch.randn(m, k, device=device, dtype=DTYPES[parts[2]])
        b = torch.randn(k, n, device=device, dtype=DTYPES[parts[2]])
        return ddl.compile(lambda x, y: x @ y, (a, b), device="cuda", precision=parts[2]), (a, b)
    if parts[0] == "memory":
        from gpu_latency import memory_workloads
        found = {name.split()[0].replace("5-op", "chain"): (fn, inputs)
                 for name, fn, inputs, _ in memory_workloads(device, 16384, 4096, 1 << 26)}
        if len(parts) != 2 or parts[1] not in found:
            sys.exit(f"gpu_profile: a memory-bound workload is memory:<{'|'.join(found)}>, not {text!r}")
        fn, inputs = found[parts[1]]
        return ddl.compile(fn, inputs, device="cuda"), inputs
    if len(parts) not in (2, 3) or not parts[1].isdigit():
        sys.exit(f"gpu_profile: a model is <name>:<batch>[:<type>], not {text!r}")
    precision = parts[2] if len(parts) == 3 else "fp32"
    if precision not in ("fp32", "bf16", "fp16"):
        sys.exit(f"gpu_profile: a model's type is fp32, bf16 or fp16, not {precision!r}")
    model, x = build(parts[0], int(parts[1]))
    model, x = model.to(device), x.to(device)
    if precision != "fp32":
        model, x = model.to(DTYPES[precision]), x.to(DTYPES[precision])
    return ddl.compile(model, (x,), device="cuda", precision=precision), (x,)


def kernel_kind(name):
    """gemm_mma_bf16_12 -> gemm_mma_bf16; main_kernel_3 -> main_kernel."""
    return re.sub(r"_\d+$", "", name)


def breakdown(compiled, inputs, runs):
    """Per kernel kind: (device ms per run, launches per run), and the
    median wall ms of a run."""
    from torch.profiler import ProfilerActivity, profile
    with torch.no_grad():
        for _ in range(3):
            compiled(*inputs)
        torch.cuda.synchronize()
        walls = []
        with profile(activities=[ProfilerActivity.CUDA]) as prof:
            for _ in range(runs):
                start = torch.cuda.Event(enable_timing=True)
                end = torch.cuda.Event(enable_timing=True)
                start.record()
                compiled(*inputs)
                end.record()
                end.synchronize()
                walls.append(start.elapsed_time(end))
    kinds = collections.defaultdict(lambda: [0.0, 0])
    for evt in prof.events():
        if not str(evt.device_type).endswith("CUDA"):
            continue
        us = getattr(evt, "device_time", None)
        if us is None:
            us = getattr(evt, "cuda_time", 0.0)
        entry = kinds[kernel_kind(evt.name)]
        entry[0] += us / 1000.0 / runs
        entry[1] += 1.0 / runs
    return dict(kinds), statistics.median(walls)


NCU_METRICS = {
    "gpu__time_duration.sum": "duration (us)",
    "sm__throughput.avg.pct_of_peak_sustained_elapsed": "SM %",
    "gpu__compute_memory_throughput.avg.pct_of_peak_sustained_elapsed": "memory %",
    "dram__bytes.sum.per_second": "DRAM (GB/s)",
    "sm__pipe_tensor_op_hmma_cycles_active.avg.pct_of_peak_sustained_active": "tensor pipe %",
    "launch__registers_per_thread": "registers",
    "sm__warps_active.avg.pct_of_peak_sustained_active": "occupancy %",
}


def timeline(compiled, inputs, runs):
    """Prints one run's host API calls and device activity in time order,
    and the median host time of a call that does not wait for the device."""
    import time
    from torch.profiler import ProfilerActivity, profile, record_function
    with torch.no_grad():
        for _ in range(3):
            compiled(*inputs)
        torch.cuda.synchronize()
        host = []
        for _ in range(runs):
            begin = time.perf_counter()
            out = compiled(*inputs)
            host.append((time.perf_counter() - begin) * 1e3)
            torch.cuda.synchronize()
            del out
        torch.cuda.synchronize()
        with profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA]) as prof:
            with record_function("ddl_call"):
                out = compiled(*inputs)
                del out
            torch.cuda.synchronize()
    print(f"host time of a call (no sync): median {statistics.median(host):.3f} ms, "
          f"min {min(host):.3f} ms")
    events = [e for e in prof.events() if e.name != "ProfilerStep*"]
    if not events:
        print("timeline: the profiler recorded nothing")
        return
    origin = min(e.time_range.start for e in events)
    print("\n| start (us) | duration (us) | where | event |")
    print("|---|---|---|---|")
    for e in sorted(events, key=lambda e: e.time_range.start):
        where = "device" if str(e.device_type).endswith("CUDA") else "host"
        print(f"| {e.time_range.start - origin:.1f} | {e.time_range.elapsed_us():.1f} | {where} "
              f"| {e.name[:60]} |")


def find_ncu():
    ncu = shutil.which("ncu")
    if ncu:
        return ncu
    for root in ("/usr/local/cuda/bin", "/opt/nvidia/nsight-compute"):
        candidate = os.path.join(root, "ncu")
        if os.path.exists(candidate):
            return candidate
    return None


def ncu_profile(text, launches):
    """ncu's metrics per kernel of one run of workload `text` (this script
    re-run under ncu with --ncu-target), sorted by duration."""
    ncu = find_ncu()
    if not ncu:
        return None, "ncu not found"
    metrics = dict(NCU_METRICS)
    for _ in range(2):
        command = [ncu, "--profile-from-start", "off", "--csv", "--page", "raw",
                   "--launch-count", str(launches), "--metrics", ",".join(metrics),
                   sys.executable, os.path.abspath(__file__), "--ncu-target", text]
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode == 0:
            break
        # A metric this GPU lacks fails the whole run: retry without the
        # optional tensor-pipe one.
        metrics.pop("sm__pipe_tensor_op_hmma_cycles_active.avg.pct_of_peak_sustained_active", None)
    if result.returncode != 0:
        return None, f"ncu failed ({result.returncode}): {(result.stderr or result.stdout)[-1500:]}"
    text_csv = result.stdout[result.stdout.find('"ID"'):]
    rows = list(csv.DictReader(io.StringIO(text_csv)))
    kernels = []
    for row in rows:
        if not row.get("Kernel Name") or not row.get("ID", "").isdigit():
            continue  # the units row
        entry = {"kernel": row["Kernel Name"].split("(")[0]}
        for metric, label in metrics.items():
            value = row.get(metric, "").replace(",", "")
            try:
                entry[label] = float(value)
            except ValueError:
                entry[label] = None
        if entry.get("duration (us)") is not None:
            entry["duration (us)"] /= 1000.0  # ncu reports ns
        if entry.get("DRAM (GB/s)") is not None:
            entry["DRAM (GB/s)"] /= 1e9  # bytes/s
        kernels.append(entry)
    kernels.sort(key=lambda e: -(e.get("duration (us)") or 0))
    return kernels, None


def ncu_target(text):
    """Run under ncu: compile, warm up, then one profiled run."""
    compiled, inputs = workload(text, torch.device("cuda"))
    with torch.no_grad():
        for _ in range(2):
            compiled(*inputs)
        torch.cuda.synchronize()
        torch.cuda.profiler.start()
        compiled(*inputs)
        torch.cuda.synchronize()
        torch.cuda.profiler.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("workloads", nargs="*",
                        default=["gemm:4096x4096x4096:bf16", "resnet50:1", "bert_encoder:1"])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--ncu", action="store_true", help="also profile with Nsight Compute")
    parser.add_argument("--timeline", action="store_true",
                        help="also print one run's host API calls and device activity in time order")
    parser.add_argument("--ncu-launches", type=int, default=300,
                        help="most kernels ncu profiles per workload")
    parser.add_argument("--ncu-target", help=argparse.SUPPRESS)
    parser.add_argument("--json")
    args = parser.parse_args()
    if not torch.cuda.is_available():
        sys.exit("gpu_profile: torch has no CUDA device")
    if args.ncu_target:
        ncu_target(args.ncu_target)
        return
    print(f"{torch.cuda.get_device_name()}, torch {torch.__version__}", flush=True)
    report = {}
    for text in args.workloads:
        compiled, inputs = workload(text, torch.device("cuda"))
        kinds, wall = breakdown(compiled, inputs, args.runs)
        busy = sum(ms for ms, _ in kinds.values())
        print(f"\n## {text}: {wall:.3f} ms per run (median), kernels busy {busy:.3f} ms "
              f"({busy / wall:.0%})\n")
        print("| kernel kind | ms per run | share of kernel time | launches per run |")
        print("|---|---|---|---|")
        for kind, (ms, count) in sorted(kinds.items(), key=lambda kv: -kv[1][0]):
            print(f"| {kind} | {ms:.3f} | {ms / busy:.0%} | {count:.0f} |")
        entry = {"wall_ms": wall, "kinds": kinds}
        if args.timeline:
            print(f"\n### {text}: one run's timeline\n")
            timeline(compiled, inputs, args.runs)
        if args.ncu:
            kernels, why = ncu_profile(text, args.ncu_launches)
            if kernels is None:
                print(f"\nncu: {why}", flush=True)
            else:
                labels = list(NCU_METRICS.values())
                print(f"\nncu, the {min(15, len(kernels))} longest of {len(kernels)} kernels:\n")
                print("| kernel | " + " | ".join(labels) + " |")
                print("|---|" + "---|" * len(labels))
                for k in kernels[:15]:
                    cells = [("-" if k.get(label) is None else f"{k[label]:.1f}")
                             for label in labels]
                    print(f"| {k['kernel']} | " + " | ".join(cells) + " |")
                entry["ncu"] = kernels
        report[text] = entry
        sys.stdout.flush()
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=1)


if __name__ == "__main__":
    main()
