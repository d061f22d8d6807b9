#!/usr/bin/env python3
"""Quantized GEMMs on a CUDA GPU: ddl's wgmma kernels vs PyTorch's.

For each mode and shape M x N x K, a linear layer y = x @ w.T (w: N x K,
f32) is compiled with `ddl.compile(..., device="cuda", quantize=MODE)` and
PyTorch runs the same computation with the same scales:

  fp8   ddlc quantizes w to E4M3 bytes per tensor at compile time; each call
        quantizes x per tensor (absolute maximum / 448), multiplies the bytes
        on the Hopper kernel (wgmma m64n256k32 e4m3, f32 accumulators, TMA)
        and scales the product. Peer: x / sx and w / sw cast to
        torch.float8_e4m3fn, torch._scaled_mm(xq, wq.T, scale_a=sx,
        scale_b=sw, out_dtype=float32) (cuBLASLt's fp8 GEMM).
  int8  w per output channel, x per row at run time (absolute maximum /
        127, round to nearest even), symmetric; wgmma m64n256k32 s8 into i32
        accumulators, then the scales. Peer: the same int8 operands through
        torch._int_mm (cuBLASLt's int8 GEMM; M > 16 only) and the scales.

  int4  weight-only (`--quantize=int4`, groups of 64 inputs, levels -7..7
        of each group's largest magnitude, f32 activations), measured at
        decode size (M = 1: a GEMV) in GB/s of weight bytes read (nibbles
        plus the f32 group scales) against the device's copy bandwidth
        (a torch clone of 1 GiB: 2 bytes moved per byte); the target is 70%.
        ddl's output is checked against the dequantized-weight product.
        Peer: PyTorch's int4 kernel (tinygemm, `_weight_int4pack_mm`, bf16
        activations) on weights of the same size.

Columns:
  kernel      the GEMM alone: ddl's gemm_wgmma_<mode>* kernels (their CUDA
              time per call from torch.profiler, split-k reduction
              included) vs the torch kernel on pre-quantized operands (CUDA
              events), in TFLOP/s (TOPS for int8: 2 M N K / time) and the
              ratio torch time / ddl time;
  layer       the whole call from f32 x to f32 y (quantization of x
              included) for both, median over --runs (CUDA events).

ddl's output is checked against the emulation first (relative max error
<= 1e-3): int8, torch's result from the same operands (only the order of
the sums, or a rounding tie, differs); fp8, the exact (f64) product of the
operands quantized as ddl does (quantize_fp8_exact), from which the
tensor cores' fp8 products, torch's included, are about 2e-4 off (fewer
bits than f32 inside each wgmma); a row over that is still timed
but marked WRONG (the reason on stderr) and the script exits 1. Prints a
Markdown table.

    python3 bench/quantized_gpu.py [--modes fp8 int8 int4]
        [--shapes 4096x4096x4096 ...] [--runs 50] [--warmup 10]

Needs a CUDA build of torch (2.1+, for float8) on an sm_90 GPU and ddl's
tools (DDL_BUILD_DIR, as for the PyTorch frontend).
"""

import argparse
import datetime
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "frontends", "pytorch"))
import ddl  # noqa: E402

from gpu_latency import time_cuda  # noqa: E402

E4M3_MAX = 448.0
DEFAULT_SHAPES = ["4096x4096x4096", "8192x8192x8192", "2048x11008x4096", "128x11008x4096"]
GEMV_SHAPES = ["1x4096x4096", "1x11008x4096", "1x4096x11008", "8x11008x4096"]
INT4_GROUP = 64


def profiled_ms(fn, runs, keep):
    """Mean CUDA milliseconds per call of `fn`'s kernels whose name `keep`
    accepts, over `runs` calls (torch.profiler, CUPTI), and their names."""
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
        if event.device_type == torch.autograd.DeviceType.CUDA and keep(event.name):
            total_us += event.device_time if hasattr(event, "device_time") else event.cuda_time
            names.add(event.name)
    if not names:
        raise RuntimeError(f"no such kernel ran (kernels: {sorted({e.name for e in prof.events()})[:20]})")
    return total_us / 1000.0 / runs, sorted(names)


def kernel_ms(fn, prefix, runs):
    """profiled_ms of the kernels whose name starts with `prefix`."""
    return profiled_ms(fn, runs, lambda name: name.startswith(prefix))


def quantize_fp8(t):
    """Per tensor, as a torch user writes it (the peer's layer)."""
    scale = (t.abs().max() / E4M3_MAX).float()
    return (t / scale).to(torch.float8_e4m3fn), scale


def quantize_fp8_exact(t):
    """Per tensor, as ddl quantizes: scale = max |t| / 448 and t / scale,
    both correctly rounded (numpy's f32 division), then E4M3 nearest even.
    torch on the GPU divides a tensor by a Python number as a product by
    its reciprocal: the scale is then 1 ulp off for some maxima, and the
    bytes of the values at a rounding boundary differ (measured on an H100,
    2026-12-07: 4-24 bytes of 1.5-16.8M; one E4M3 step near the top of the
    range changes its column's outputs by ~1e-3, above the check's noise)."""
    scale = np.float32(t.abs().max().item()) / np.float32(E4M3_MAX)
    quotient = t.float().cpu().numpy() / scale
    return (torch.from_numpy(quotient).to(torch.float8_e4m3fn).to(t.device),
            torch.tensor(scale, dtype=torch.float32, device=t.device))


def fp8_reference(x, w):
    """The exact product of the E4M3 operands ddl computes (f64 sums)."""
    wq, sw = quantize_fp8_exact(w)
    xq, sx = quantize_fp8_exact(x)
    product = xq.double() @ wq.double().t()
    return (product * sx.double() * sw.double()).float()


def quantize_rows_int8(t):
    """Per row, symmetric, as ddl's --quantize=int8 (scale >= 1e-30)."""
    scale = torch.clamp(t.abs().amax(dim=1, keepdim=True) / 127.0, min=1e-30)
    return torch.clamp(torch.round(t / scale), -127, 127).to(torch.int8), scale


def peer(mode, w):
    """(torch GEMM on pre-quantized x, the whole torch layer) for `mode`."""
    if mode == "fp8":
        wq, sw = quantize_fp8(w)

        def layer(x):
            q, s = quantize_fp8(x)
            return torch._scaled_mm(q, wq.t(), scale_a=s, scale_b=sw, out_dtype=torch.float32)

        def gemm_of(x):
            q, s = quantize_fp8(x)
            return lambda: torch._scaled_mm(q, wq.t(), scale_a=s, scale_b=sw, out_dtype=torch.float32)
        return gemm_of, layer
    wq, sw = quantize_rows_int8(w)

    def layer(x):
        q, s = quantize_rows_int8(x)
        return torch._int_mm(q, wq.t()).float() * s * sw.t()

    def gemm_of(x):
        q, _ = quantize_rows_int8(x)
        return lambda: torch._int_mm(q, wq.t())
    return gemm_of, layer


def measure(mode, m, n, k, args):
    torch.manual_seed(0)
    x = torch.randn(m, k, device="cuda")
    linear = torch.nn.Linear(k, n, bias=False)
    w = linear.weight.detach().cuda()
    compiled = ddl.compile(linear, (torch.randn(m, k),), device="cuda", quantize=mode)
    gemm_of, torch_layer = peer(mode, w)
    # torch._int_mm needs M > 16 and _scaled_mm M a multiple of 16: other
    # rows are checked through a product padded with zero rows (which
    # change neither quantization), and the torch columns are n/a.
    small = m <= 16 if mode == "int8" else m % 16 != 0

    def ddl_layer():
        return compiled(x)

    if mode == "fp8":
        want = fp8_reference(x, w)
    elif small:
        pad = torch.zeros(max(32, -(-m // 16) * 16), k, device="cuda")
        pad[:m] = x
        want = torch_layer(pad)[:m]
    else:
        want = torch_layer(x)
    got = ddl_layer()
    error = ((got - want).abs().max() / want.abs().max()).item()
    if not error <= 1e-3:
        detail = ""
        if mode == "fp8" and not small:
            # Hopper's fp8 wgmma adds products with fewer bits than f32;
            # cuBLASLt promotes partial sums into f32 unless
            # use_fast_accum: torch's two products on the same operands
            # show what the hardware gives either way.
            wq, sw = quantize_fp8_exact(w)
            q, s = quantize_fp8_exact(x)

            def off(product):
                return ((product - want).abs().max() / want.abs().max()).item()
            promoted = torch._scaled_mm(q, wq.t(), scale_a=s, scale_b=sw, out_dtype=torch.float32)
            fast = torch._scaled_mm(q, wq.t(), scale_a=s, scale_b=sw, out_dtype=torch.float32,
                                    use_fast_accum=True)
            detail = (f"; torch._scaled_mm on the same operands is {off(promoted):.3g} off "
                      f"({off(fast):.3g} with use_fast_accum)")
        # Timed all the same (the row is marked wrong and the run fails).
        wrong = (f"{mode} {m}x{n}x{k}: ddl differs from the emulation (relative max error "
                 f"{error:.3g}){detail}")
    else:
        wrong = None
    flop = 2.0 * m * n * k
    prefix = f"gemm_wgmma_{'e4m3' if mode == 'fp8' else 's8'}"
    ddl_kernel, names = kernel_ms(ddl_layer, prefix, args.runs)
    if any("splitk" in name for name in names):
        ddl_kernel += kernel_ms(ddl_layer, "gemm_split_reduce", args.runs)[0]
    row = {"mode": mode, "shape": f"{m}x{n}x{k}", "error": error, "wrong": wrong,
           "ddl_kernel_tflops": flop / ddl_kernel / 1e9,
           "ddl_layer_ms": time_cuda(ddl_layer, (), args.runs, args.warmup),
           "kernels": ",".join(names)}
    if small:
        row.update(torch_kernel_tflops=None, kernel_ratio=None, torch_layer_ms=None, layer_ratio=None)
        return row
    torch_kernel = time_cuda(gemm_of(x), (), args.runs, args.warmup)
    row["torch_kernel_tflops"] = flop / torch_kernel / 1e9
    row["kernel_ratio"] = torch_kernel / ddl_kernel
    row["torch_layer_ms"] = time_cuda(torch_layer, (x,), args.runs, args.warmup)
    row["layer_ratio"] = row["torch_layer_ms"] / row["ddl_layer_ms"]
    return row


def device_kernels_ms(fn, runs):
    """profiled_ms of all kernels `fn` launches (copies and sets left out)."""
    return profiled_ms(fn, runs, lambda name: not name.startswith("Mem"))


def copy_bandwidth_gbs(args):
    """The device's copy bandwidth: a clone of 1 GiB, 2 bytes moved per byte."""
    t = torch.empty(1 << 28, device="cuda")
    ms = time_cuda(lambda: t.clone(), (), args.runs, args.warmup)
    return 2 * t.numel() * 4 / ms / 1e6


def measure_int4(m, n, k, args, copy_gbs):
    torch.manual_seed(0)
    x = torch.randn(m, k, device="cuda")
    linear = torch.nn.Linear(k, n, bias=False)
    compiled = ddl.compile(linear, (torch.randn(m, k),), device="cuda", quantize="int4",
                           quantize_group=INT4_GROUP)
    # The emulation: w [n, k] in groups of INT4_GROUP along k, the scales
    # and w / scale divided by numpy (correctly rounded, as ddl's
    # compile-time quantizer does; see quantize_fp8_exact: a quotient an
    # ulp off at a rounding boundary moves a weight a whole level).
    w = linear.weight.detach().numpy().reshape(n, k // INT4_GROUP, INT4_GROUP)
    scale = np.abs(w).max(axis=2, keepdims=True) / np.float32(7)
    wq = np.clip(np.round(w / np.where(scale > 0, scale, np.float32(1))), -7, 7)
    want = x @ torch.from_numpy((wq * scale).reshape(n, k)).t().cuda()
    got = compiled(x)
    error = ((got - want).abs().max() / want.abs().max()).item()
    # Timed all the same (the row is marked wrong and the run fails).
    wrong = (f"int4 {m}x{n}x{k}: ddl differs from the emulation (relative max error {error:.3g})"
             if not error <= 1e-3 else None)
    kernel, names = device_kernels_ms(lambda: compiled(x), args.runs)
    weight_bytes = n * k / 2 + n * (k // INT4_GROUP) * 4
    return {"mode": "int4", "shape": f"{m}x{n}x{k}", "error": error, "wrong": wrong, "kernel_ms": kernel,
            "gbs": weight_bytes / kernel / 1e6, "of_copy": weight_bytes / kernel / 1e6 / copy_gbs,
            "layer_ms": time_cuda(lambda: compiled(x), (), args.runs, args.warmup),
            "torch_ms": torch_int4_ms(m, n, k, args), "kernels": ",".join(names)}


def torch_int4_ms(m, n, k, args):
    """PyTorch's int4 weight-only kernel (tinygemm, `_weight_int4pack_mm`:
    bf16 activations, bf16 scales and zero points, groups of INT4_GROUP),
    timed on random packed weights (a speed peer only: its quantization is
    asymmetric, not ddl's); None where this torch lacks it."""
    try:
        w = torch.randint(0, 256, (n, k // 2), dtype=torch.uint8, device="cuda")
        packed = torch.ops.aten._convert_weight_to_int4pack(w, 8)
        scales_zeros = torch.rand(k // INT4_GROUP, n, 2, device="cuda", dtype=torch.bfloat16)
        x = torch.randn(m, k, device="cuda", dtype=torch.bfloat16)
        kernel, _ = device_kernels_ms(
            lambda: torch.ops.aten._weight_int4pack_mm(x, packed, INT4_GROUP, scales_zeros), args.runs)
        return kernel
    except (RuntimeError, AttributeError) as e:
        print(f"torch int4 peer unavailable: {e}", file=sys.stderr)
        return None


def cell(v, fmt):
    return "n/a" if v is None else format(v, fmt)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--modes", nargs="+", default=["fp8", "int8", "int4"], choices=["fp8", "int8", "int4"])
    parser.add_argument("--shapes", nargs="+", default=DEFAULT_SHAPES, help="MxNxK (fp8, int8)")
    parser.add_argument("--gemv-shapes", dest="gemv_shapes", nargs="+", default=GEMV_SHAPES,
                        help="MxNxK (int4)")
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=10)
    args = parser.parse_args()
    if not torch.cuda.is_available():
        sys.exit("quantized_gpu.py: needs a CUDA device")
    print(f"# quantized GEMMs, {torch.cuda.get_device_name()}, torch {torch.__version__}, "
          f"{datetime.date.today()}")
    print()
    print("| mode | M x N x K | ddl kernel TFLOP/s | torch kernel TFLOP/s | kernel torch/ddl "
          "| ddl layer ms | torch layer ms | layer torch/ddl | max rel. error |")
    print("|---|---|---|---|---|---|---|---|---|")
    failed = False
    for mode in [m for m in args.modes if m != "int4"]:
        for shape in args.shapes:
            m, n, k = (int(v) for v in shape.split("x"))
            try:
                r = measure(mode, m, n, k, args)
            except Exception as e:  # a failing shape is reported; the others still run
                failed = True
                print(f"| {mode} | {shape} | FAILED: {e} |||||||", flush=True)
                continue
            error = f"{r['error']:.1e}" + (" WRONG" if r["wrong"] else "")
            print(f"| {mode} | {r['shape']} | {r['ddl_kernel_tflops']:.0f} | {cell(r['torch_kernel_tflops'], '.0f')} "
                  f"| {cell(r['kernel_ratio'], '.2f')} | {r['ddl_layer_ms']:.3f} | {cell(r['torch_layer_ms'], '.3f')} "
                  f"| {cell(r['layer_ratio'], '.2f')} | {error} |", flush=True)
            if r["wrong"]:
                failed = True
                print(f"WRONG: {r['wrong']}", file=sys.stderr, flush=True)
    print()
    print("ratios: torch time / ddl time (above 1: ddl is faster). int8: TOPS. "
          "n/a: torch._int_mm takes M > 16, _scaled_mm multiples of 16.")
    if "int4" in args.modes:
        copy_gbs = copy_bandwidth_gbs(args)
        print()
        print(f"int4 weight-only GEMV, groups of {INT4_GROUP}; copy bandwidth {copy_gbs:.0f} GB/s")
        print()
        print("| M x N x K | kernels ms | weight GB/s | of copy bandwidth | torch int4 kernel ms | kernel torch/ddl "
              "| layer ms | max rel. error | kernels |")
        print("|---|---|---|---|---|---|---|---|---|")
        for shape in args.gemv_shapes:
            m, n, k = (int(v) for v in shape.split("x"))
            try:
                r = measure_int4(m, n, k, args, copy_gbs)
            except Exception as e:
                failed = True
                print(f"| {shape} | FAILED: {e} ||||||", flush=True)
                continue
            error = f"{r['error']:.1e}" + (" WRONG" if r["wrong"] else "")
            ratio = r["torch_ms"] / r["kernel_ms"] if r["torch_ms"] else None
            print(f"| {r['shape']} | {r['kernel_ms']:.4f} | {r['gbs']:.0f} | {r['of_copy']:.0%} | "
                  f"{cell(r['torch_ms'], '.4f')} | {cell(ratio, '.2f')} | "
                  f"{r['layer_ms']:.4f} | {error} | {r['kernels'][:80]} |", flush=True)
            if r["wrong"]:
                failed = True
                print(f"WRONG: {r['wrong']}", file=sys.stderr, flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
