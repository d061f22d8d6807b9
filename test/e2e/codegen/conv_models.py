#!/usr/bin/env python3
"""2-D convolutions through the contraction kernels (convAsGemm in
passes/lowering/NNToLinalg/Contraction.cpp), end to end: each case is a
one-node ONNX Conv with constant weights, compiled with ddlc (whose
--print-schedules must list a `lhs=km rhs=nk` GEMM for it, or none for
the cases that keep the linalg convolution), run with ddl-run and compared
with torch.nn.functional.conv2d.

    /usr/bin/python3 test/e2e/codegen/conv_models.py --ddlc build/bin/ddlc \
        --ddl-run build/bin/ddl-run --work /tmp/conv

Prints a line per case, then "conv models: N passed, M failed".
"""

import argparse
import os
import subprocess
import sys

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

# name: (N, C, H, W, F, kernel, stride, pad, dilation, group, bias, GEMM?)
CASES = {
    "pointwise": (1, 32, 14, 14, 24, 1, 1, 0, 1, 1, True, True),
    "pointwise_nobias": (1, 16, 7, 9, 40, 1, 1, 0, 1, 1, False, True),
    "pointwise_stride2": (1, 16, 14, 14, 8, 1, 2, 0, 1, 1, True, True),
    "k3_pad1": (1, 8, 13, 11, 16, 3, 1, 1, 1, 1, True, True),
    "k3_stride2": (1, 8, 15, 15, 16, 3, 2, 1, 1, 1, True, True),
    "k7_stride2_stem": (1, 3, 32, 32, 12, 7, 2, 3, 1, 1, True, True),
    "k3_dilated": (1, 4, 12, 12, 6, 3, 1, 2, 2, 1, False, True),
    "ragged_m_n": (1, 5, 5, 7, 33, 3, 1, 1, 1, 1, True, True),
    "grouped": (1, 8, 10, 10, 8, 3, 1, 1, 1, 2, True, False),
    "depthwise": (1, 8, 10, 10, 8, 3, 1, 1, 1, 8, True, False),
    "batch2": (2, 8, 10, 10, 8, 3, 1, 1, 1, 1, True, True),
    "batch3_pointwise": (3, 16, 6, 6, 24, 1, 1, 0, 1, 1, True, True),
    # A symbolic batch: compiled once, run at batch 1 and 3.
    "dynamic_batch": ("N", 8, 9, 9, 16, 3, 2, 1, 1, 1, True, True),
}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--ddlc", required=True)
    p.add_argument("--ddl-run", required=True)
    p.add_argument("--work", required=True)
    args = p.parse_args()
    os.makedirs(args.work, exist_ok=True)
    rng = np.random.default_rng(3)
    passed = failed = 0
    for name, (n, c, h, w, f, k, s, pad, d, g, bias, gemm) in CASES.items():
        wt = rng.standard_normal((f, c // g, k, k)).astype(np.float32)
        b = rng.standard_normal(f).astype(np.float32) if bias else None
        inits = [numpy_helper.from_array(wt, "w")] + ([numpy_helper.from_array(b, "b")] if bias else [])
        node = helper.make_node("Conv", ["x", "w"] + (["b"] if bias else []), ["y"], name=name,
                                strides=[s, s], pads=[pad] * 4, dilations=[d, d], group=g)
        graph = helper.make_graph([node], name, [helper.make_tensor_value_info("x", TensorProto.FLOAT, [n, c, h, w])],
                                  [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], inits)
        model = onnx.shape_inference.infer_shapes(
            helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]))
        path, so = os.path.join(args.work, name + ".onnx"), os.path.join(args.work, name + ".so")
        onnx.save(model, path)
        proc = subprocess.run([args.ddlc, path, "-o", so, "--print-schedules"], capture_output=True, text=True)
        if proc.returncode != 0:
            print(f"FAIL {name}: ddlc exit {proc.returncode}: {proc.stderr[-1500:]}")
            failed += 1
            continue
        as_gemm = "lhs=km rhs=nk" in proc.stdout
        for batch in ([1, 3] if isinstance(n, str) else [n]):
            x = rng.standard_normal((batch, c, h, w)).astype(np.float32)
            np.save(os.path.join(args.work, name + ".x.npy"), x)
            out = os.path.join(args.work, name + ".out")
            run = subprocess.run([args.ddl_run, so, "--input", "x=" + os.path.join(args.work, name + ".x.npy"),
                                  "--output-dir", out], capture_output=True, text=True)
            if run.returncode != 0:
                print(f"FAIL {name}: ddl-run exit {run.returncode}: {run.stderr[-1500:]}")
                failed += 1
                continue
            got = np.load(os.path.join(out, "y.npy"))
            want = torch.nn.functional.conv2d(torch.from_numpy(x), torch.from_numpy(wt),
                                              torch.from_numpy(b) if bias else None,
                                              stride=s, padding=pad, dilation=d, groups=g).numpy()
            err = (float(np.abs(got - want).max() / max(np.abs(want).max(), 1e-30))
                   if got.shape == want.shape else float("inf"))
            ok = err <= 1e-5 and as_gemm == gemm
            passed += ok
            failed += not ok
            print(f"{'' if ok else 'FAIL '}{name}: {'gemm' if as_gemm else 'linalg conv'} "
                  f"{list(got.shape)} rel err {'ok' if err <= 1e-5 else err}")
    print(f"conv models: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
