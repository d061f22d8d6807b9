#!/usr/bin/env python3
"""fp8 accuracy on the GPU: where ddl's `--quantize=fp8` Linear layers stand
against the exact product, torch's fp8 GEMMs and ddl's CPU kernels.

For each M x N x K, a Linear layer (torch's default init, no bias) is
compiled for the GPU (and for the CPU where marked: the CPU kernels are
exact against a numpy emulation, test/e2e/quantize_fp8.py). Reference: the
f64 product of the operands quantized as torch writes it, per tensor,
`(t / scale).to(float8_e4m3fn)`. Prints the relative max error of ddl's
GPU result, of `torch._scaled_mm` (promoted, and with use_fast_accum) on
those operands, of ddl's CPU result and GPU vs CPU, and the error by
64-row and 64-column block (a few columns: a few weights quantized to
another byte; every block: the accumulation).

    python3 bench/fp8_accuracy.py

Needs a CUDA build of torch (2.1+, float8) on an sm_90 GPU and ddl's
tools (DDL_BUILD_DIR, as for the PyTorch frontend). docs/benchmarks.md,
"fp8 on Hopper, promoted", has a run.
"""

import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "frontends", "pytorch"))
import ddl  # noqa: E402

from quantized_gpu import quantize_fp8  # noqa: E402

# (M, N, K, also on the CPU)
SHAPES = [(8, 256, 128, True), (8, 64, 256, True), (256, 384, 4096, True), (256, 384, 8192, True),
          (4096, 4096, 4096, False), (8192, 8192, 8192, False), (4096, 4096, 8192, False),
          (8192, 8192, 4096, False)]


def relative(a, b):
    return ((a - b).abs().max() / b.abs().max()).item()


def blocks(error, dim, scale):
    """Max error per 64-wide block along `dim`, relative to `scale`."""
    size = error.shape[dim]
    if size < 64:
        return [error.max().item() / scale]
    trimmed = error.narrow(dim, 0, size // 64 * 64)
    shape = list(trimmed.shape)
    shape[dim:dim + 1] = [size // 64, 64]
    other = [d for d in range(len(shape)) if d not in (dim,)]
    return [v / scale for v in trimmed.reshape(shape).amax(dim=other).tolist()]


def main():
    torch.backends.cuda.matmul.allow_tf32 = False
    for m, n, k, on_cpu in SHAPES:
        torch.manual_seed(0)
        linear = torch.nn.Linear(k, n, bias=False).eval()
        x = torch.randn(m, k)
        on_gpu = ddl.compile(linear.cuda(), (x.cuda(),), device="cuda", quantize="fp8")
        got = on_gpu(x.cuda()).double()
        wq, sw = quantize_fp8(linear.weight.detach().cuda())
        xq, sx = quantize_fp8(x.cuda())
        exact = (xq.double() @ wq.double().t()) * sx.double() * sw.double()
        promoted = torch._scaled_mm(xq, wq.t(), scale_a=sx, scale_b=sw, out_dtype=torch.float32).double()
        fast = torch._scaled_mm(xq, wq.t(), scale_a=sx, scale_b=sw, out_dtype=torch.float32,
                                use_fast_accum=True).double()
        line = (f"{m}x{n}x{k}: ddl GPU {relative(got, exact):.2e}  _scaled_mm {relative(promoted, exact):.2e}"
                f"  use_fast_accum {relative(fast, exact):.2e}")
        if on_cpu:
            cpu = ddl.compile(linear.cpu(), (x,), quantize="fp8")(x).double().cuda()
            line += f"  ddl CPU {relative(cpu, exact):.2e}  GPU vs CPU {relative(got, cpu):.2e}"
        error = (got - exact).abs()
        scale = exact.abs().max().item()
        print(line, flush=True)
        print("  row blocks " + " ".join(f"{v:.0e}" for v in blocks(error, 0, scale)[:16]))
        print("  col blocks " + " ".join(f"{v:.0e}" for v in blocks(error, 1, scale)[:16]), flush=True)


if __name__ == "__main__":
    main()
