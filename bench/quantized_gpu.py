#!/usr/bin/env python3
"""fp8 (E4M3) GEMMs on a CUDA GPU: ddl's wgmma kernel vs torch._scaled_mm.

For each shape M x N x K, a linear layer y = x @ w.T (w: N x K, f32) is
compiled with `ddl.compile(..., device="cuda", quantize="fp8")`: ddlc
quantizes w to E4M3 bytes per tensor at compile time, and each call
quantizes x per tensor (its absolute maximum / 448), multiplies the bytes on
the Hopper kernel (wgmma m64n256k32 e4m3, f32 accumulators, TMA-fed) and
scales the product. PyTorch runs the same computation with the same scales:
x / sx and w / sw cast to torch.float8_e4m3fn, torch._scaled_mm(xq, wq.T,
scale_a=sx, scale_b=sw, out_dtype=float32) (cuBLASLt's fp8 GEMM).

Columns:
  kernel      the GEMM alone: ddl's gemm_wgmma_e4m3* kernels (their CUDA
              time per call from torch.profiler, split-k reduction
              included) vs _scaled_mm on pre-quantized operands (CUDA
              events), in TFLOP/s (2 M N K / time) and ratio ddl / torch;
  layer       the whole call from f32 x to f32 y (quantization of x
              included) for both, median over --runs (CUDA events).

ddl's output is checked against the emulation first: torch's result from
the same fp8 operands (relative max error <= 1e-3: only the order of the
f32 sums differs). Prints a Markdown table.

    python3 bench/quantized_gpu.py [--shapes 4096x4096x4096 ...]
        [--runs 50] [--warmup 10]

Needs a CUDA build of torch (2.1+, for float8) on an sm_90 GPU and ddl's
tools (DDL_BUILD_DIR, as for the PyTorch frontend).
"""

import argparse
import datetime
import os
import statistics
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "frontends", "pytorch"))
import ddl  # noqa: E402

E4M3_MAX = 448.0
DEFAULT_SHAPES = ["4096x4096x4096", "8192x8192x8192", "2048x11008x4096", "128x11008x4096"]


def time_events(fn, runs, warmup):
    """Median milliseconds of fn() over `runs` runs (CUDA events)."""
    with torch.no_grad():
        for _ in range(warmup):
            fn()
        torch.cuda.synchronize()
        times = []
        for _ in range(runs):
            start = torch.cuda.Event(enable_timing=True)
            end = torch.cuda.Event(enable_timing=True)
            start.record()
            fn()
            end.record()
            end.synchronize()
            times.append(start.elapsed_time(end))
    return statistics.median(times)


def kernel_ms(fn, prefix, runs):
    """Mean CUDA milliseconds per call of the kernels whose name starts with
    `prefix`, over `runs` calls (torch.profiler, CUPTI)."""
    from torch.profiler import ProfilerActivity, profile
    with torch.no_grad():
        fn()
        torch.cuda.synchronize()
        with profile(activities=[ProfilerActivity.CUDA]) as prof:
            for _ in range(runs):
                fn()
            torch.cuda.synchronize()
    total_us = 0.0
    names = set()
    for event in prof.events():
        if event.device_type == torch.autograd.DeviceType.CUDA and event.name.startswith(prefix):
            total_us += event.device_time if hasattr(event, "device_time") else event.cuda_time
            names.add(event.name)
    if not names:
        raise RuntimeError(f"no kernel named {prefix}* ran (kernels: "
                           f"{sorted({e.name for e in prof.events()})[:20]})")
    return total_us / 1000.0 / runs, sorted(names)


def quantize(t):
    scale = (t.abs().max() / E4M3_MAX).float()
    return (t / scale).to(torch.float8_e4m3fn), scale


def measure(m, n, k, args):
    torch.manual_seed(0)
    x = torch.randn(m, k, device="cuda")
    linear = torch.nn.Linear(k, n, bias=False)
    w = linear.weight.detach().cuda()
    compiled = ddl.compile(linear, (torch.randn(m, k),), device="cuda", quantize="fp8")

    wq, sw = quantize(w)
    xq, sx = quantize(x)

    def torch_gemm():
        return torch._scaled_mm(xq, wq.t(), scale_a=sx, scale_b=sw, out_dtype=torch.float32)

    def torch_layer():
        q, s = quantize(x)
        return torch._scaled_mm(q, wq.t(), scale_a=s, scale_b=sw, out_dtype=torch.float32)

    def ddl_layer():
        return compiled(x)

    want = torch_gemm()
    got = ddl_layer()
    error = ((got - want).abs().max() / want.abs().max()).item()
    if not error <= 1e-3:
        raise RuntimeError(f"{m}x{n}x{k}: ddl differs from the fp8 emulation (relative max error {error:.3g})")
    flop = 2.0 * m * n * k
    ddl_kernel, names = kernel_ms(ddl_layer, "gemm_wgmma_e4m3", args.runs)
    reduce_ms = 0.0
    if any("splitk" in name for name in names):
        reduce_ms, _ = kernel_ms(ddl_layer, "gemm_split_reduce", args.runs)
    ddl_kernel += reduce_ms
    torch_kernel = time_events(torch_gemm, args.runs, args.warmup)
    row = {
        "shape": f"{m}x{n}x{k}",
        "error": error,
        "ddl_kernel_tflops": flop / ddl_kernel / 1e9,
        "torch_kernel_tflops": flop / torch_kernel / 1e9,
        "kernel_ratio": torch_kernel / ddl_kernel,
        "ddl_layer_ms": time_events(ddl_layer, args.runs, args.warmup),
        "torch_layer_ms": time_events(torch_layer, args.runs, args.warmup),
        "kernels": ",".join(names),
    }
    row["layer_ratio"] = row["torch_layer_ms"] / row["ddl_layer_ms"]
    return row


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shapes", nargs="+", default=DEFAULT_SHAPES, help="MxNxK")
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=10)
    args = parser.parse_args()
    if not torch.cuda.is_available():
        sys.exit("quantized_gpu.py: needs a CUDA device")
    print(f"# fp8 GEMM, {torch.cuda.get_device_name()}, torch {torch.__version__}, "
          f"{datetime.date.today()}")
    print()
    print("| M x N x K | ddl kernel TFLOP/s | _scaled_mm TFLOP/s | kernel ddl/torch "
          "| ddl layer ms | torch layer ms | layer ddl/torch | max rel. error |")
    print("|---|---|---|---|---|---|---|---|")
    for shape in args.shapes:
        m, n, k = (int(v) for v in shape.split("x"))
        r = measure(m, n, k, args)
        print(f"| {r['shape']} | {r['ddl_kernel_tflops']:.0f} | {r['torch_kernel_tflops']:.0f} "
              f"| {r['kernel_ratio']:.2f}x | {r['ddl_layer_ms']:.3f} | {r['torch_layer_ms']:.3f} "
              f"| {r['layer_ratio']:.2f}x | {r['error']:.1e} |", flush=True)
    print()
    print("kernel ratio: torch time / ddl time (above 1: ddl is faster).")


if __name__ == "__main__":
    main()
