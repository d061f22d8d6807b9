#!/usr/bin/env python3
"""Compiles torchvision architectures and a torch.nn.TransformerEncoder
(Debian's PyTorch 1.13, random weights, nothing downloaded) end to end and
compares them with PyTorch eager.

Each model is exported to ONNX with a symbolic batch dim (`batch`, as in
torchvision_models.py), compiled with `ddlc model.onnx -o model.so`, run with
`ddl-run` on a seeded random input, and its output compared with PyTorch's
eager output on the same input:

    |ddl - torch| <= ATOL + RTOL * |torch|   elementwise, RTOL 1e-3, ATOL 1e-4

in fp32. A model listed in LOOSER compares with the tolerance given there,
with the reason (none today). The batch-2 run exercises the dynamic batch
on one compiled .so (the same .so as batch 1).

    /usr/bin/python3 test/e2e/torchvision_numerics.py --ddlc build/bin/ddlc \
        --ddl-run build/bin/ddl-run [--all] [MODEL...]

The default set is the one in the test command (a few minutes on two
cores: the code generator still emits scalar loops); --all adds the heavy
models (the slower target, not in the test command). Prints a line per model
with the max abs/rel error and the compile and run times, then
"torchvision numerics: N passed, M failed".
"""

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch
import torchvision

RTOL, ATOL = 1e-3, 1e-4
# The reference output must reach this magnitude somewhere, or the test
# would compare noise against atol.
MIN_SCALE = 1e-2

# model: batch sizes to run on the one compiled .so.
DEFAULT = {"resnet18": [1], "mobilenet_v2": [1], "squeezenet1_0": [1, 2],
           "transformer_encoder": [1, 2], "efficientnet_b0": [1]}
EXTRA = {"resnet50": [1], "mobilenet_v3_small": [1], "mobilenet_v3_large": [1],
         "densenet121": [1], "vit_b_16": [1], "convnext_tiny": [1]}
# model: (rtol, atol, why) for models that need a looser tolerance.
LOOSER = {}


def build(name):
    """(model, input shape without the batch dim)."""
    torch.manual_seed(0)
    if name == "transformer_encoder":
        layer = torch.nn.TransformerEncoderLayer(d_model=128, nhead=4,
                                                 dim_feedforward=256,
                                                 batch_first=True)
        model = torch.nn.TransformerEncoder(layer, num_layers=2)
        return model.eval(), (16, 128)
    model = getattr(torchvision.models, name)(weights=None)
    calibrate_batch_norm(model, (3, 224, 224))
    # torchvision initializes ViT's classification head to zeros, which
    # would make every output 0 and the comparison meaningless.
    head = getattr(getattr(model, "heads", None), "head", None)
    if isinstance(head, torch.nn.Linear):
        torch.nn.init.normal_(head.weight, std=0.02)
    return model.eval(), (3, 224, 224)


def calibrate_batch_norm(model, shape):
    """Sets every BatchNorm's running statistics to those of one random
    batch. With torchvision's initialization and the default statistics
    (mean 0, var 1) the activations of mobilenet_v2, mobilenet_v3 and
    efficientnet_b0 shrink to 1e-9..1e-14 at the output, where an atol of
    1e-4 would accept any answer (zeros included)."""
    norms = [m for m in model.modules()
             if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    if not norms:
        return
    for m in norms:
        m.reset_running_stats()
        m.momentum = None  # cumulative average: exactly this batch's stats
    model.train()
    with torch.no_grad():
        model(torch.randn(4, *shape, generator=torch.Generator().manual_seed(7)))
    model.eval()


def export(model, example, path):
    dynamic = {"input": {0: "batch"}, "output": {0: "batch"}}
    # Grad mode stays on: in no-grad eval mode TransformerEncoder takes a
    # fused fast path that the exporter does not support.
    torch.onnx.export(model, example, path, opset_version=14,
                      input_names=["input"], output_names=["output"],
                      dynamic_axes=dynamic)


def errors(actual, expected, rtol, atol):
    """(elementwise out-of-tolerance mask, max abs error, max rel error over
    the elements with |expected| >= 1e-3, max of |diff| / (atol + rtol *
    |expected|): at most 1 when every element is within tolerance)."""
    a = actual.astype(np.float64)
    e = expected.astype(np.float64)
    diff = np.abs(a - e)
    allowed = atol + rtol * np.abs(e)
    bad = ~(diff <= allowed) | ~np.isfinite(a)
    big = np.abs(e) >= 1e-3
    rel = float((diff[big] / np.abs(e[big])).max()) if big.any() else 0.0
    return bad, float(diff.max()), rel, float((diff / allowed).max())


def run_timed(cmd):
    """(CompletedProcess, wall seconds, CPU seconds of the child). The CPU
    time is what to compare on a loaded machine."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, errors="replace")
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return proc, wall, cpu


def check_model(name, batches, args, tmp):
    """List of (ok, line)."""
    rtol, atol, why = LOOSER.get(name, (RTOL, ATOL, None))
    model, shape = build(name)
    onnx_path = os.path.join(tmp, name + ".onnx")
    so = os.path.join(tmp, name + ".so")
    export(model, torch.randn(batches[0], *shape), onnx_path)
    proc, compile_s, compile_cpu = run_timed([args.ddlc, onnx_path, "-o", so])
    if proc.returncode != 0:
        return [(False, f"FAIL {name}: ddlc exit {proc.returncode} "
                        f"after {compile_s:.1f} s\n{proc.stderr[-3000:]}")]
    results = []
    for batch in batches:
        gen = torch.Generator().manual_seed(1000 + batch)
        x = torch.randn(batch, *shape, generator=gen)
        with torch.no_grad():
            expected = model(x).numpy()
        inp = os.path.join(tmp, f"{name}_b{batch}_input.npy")
        out_dir = os.path.join(tmp, f"{name}_b{batch}_out")
        np.save(inp, x.numpy())
        run, run_s, run_cpu = run_timed([args.ddl_run, so, "--threads", "2",
                                         "--input", f"input={inp}",
                                         "--output-dir", out_dir])
        label = f"{name} batch {batch}"
        if run.returncode != 0:
            results.append((False, f"FAIL {label}: ddl-run exit {run.returncode}"
                                   f"\n{run.stderr[-3000:]}"))
            continue
        actual = np.load(os.path.join(out_dir, "output.npy"))
        if actual.shape != expected.shape or actual.dtype != expected.dtype:
            results.append((False, f"FAIL {label}: output {actual.dtype}"
                                   f"{list(actual.shape)}, expected "
                                   f"{expected.dtype}{list(expected.shape)}"))
            continue
        bad, max_abs, max_rel, worst = errors(actual, expected, rtol, atol)
        # A reference this small would make atol accept anything.
        scale = float(np.abs(expected).max())
        ok = not bad.any() and scale >= MIN_SCALE
        if scale < MIN_SCALE:
            label += f" (degenerate reference, max |ref| {scale:.3g})"
        line = (f"{'PASS' if ok else 'FAIL'} {label}: max abs {max_abs:.3g}, "
                f"max rel {max_rel:.3g} (|ref| >= 1e-3), {worst:.3g} of the "
                f"tolerance (rtol {rtol:g}, atol {atol:g}), {int(bad.sum())}/"
                f"{bad.size} outside; compile {compile_s:.1f} s "
                f"({compile_cpu:.1f} s CPU), run {run_s:.2f} s "
                f"({run_cpu:.2f} s CPU, 2 threads)")
        if why:
            line += f" [looser: {why}]"
        results.append((ok, line))
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ddlc", required=True)
    parser.add_argument("--ddl-run", dest="ddl_run", required=True)
    parser.add_argument("--all", action="store_true",
                        help="add the heavy models (slow: not in the test command)")
    parser.add_argument("models", nargs="*",
                        help="models to check (default: the test command's set)")
    args = parser.parse_args()
    table = dict(DEFAULT, **EXTRA)
    if args.models:
        unknown = [m for m in args.models if m not in table
                   and not hasattr(torchvision.models, m)]
        if unknown:
            parser.error(f"unknown models: {', '.join(unknown)}")
        names = {m: table.get(m, [1]) for m in args.models}
    else:
        names = dict(DEFAULT, **(EXTRA if args.all else {}))
    passed = failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name, batches in names.items():
            for ok, line in check_model(name, batches, args, tmp):
                print(line, flush=True)
                passed += ok
                failed += not ok
    print(f"torchvision numerics: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
