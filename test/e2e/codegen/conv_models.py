#!/usr/bin/env python3
"""2-D convolutions through the channels-last kernels (channelsLastGemmConv
and channelsLastDepthwiseConv in passes/lowering/NNToLinalg/Convolution.cpp),
end to end: each case is a one-node ONNX Conv with constant weights,
compiled with ddlc (whose --print-schedules must list a `lhs=mk rhs=nk`
GEMM for the GEMM cases, and whose --emit=linalg must hold the NHWC
depthwise convolution for the depthwise ones), run with ddl-run and
compared with torch.nn.functional.conv2d. Then a small network (conv,
relu, depthwise conv, clip, residual add, max pool, global average pool)
checks that nn-channels-last leaves transposes only at its edges and that
its result is right.

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

# name: (N, C, H, W, F, kernel, stride, pad, dilation, group, bias, kernel
# kind: "gemm", "depthwise" or "conv" for the linalg convolution)
CASES = {
    "pointwise": (1, 32, 14, 14, 24, 1, 1, 0, 1, 1, True, "gemm"),
    "pointwise_nobias": (1, 16, 7, 9, 40, 1, 1, 0, 1, 1, False, "gemm"),
    "pointwise_stride2": (1, 16, 14, 14, 8, 1, 2, 0, 1, 1, True, "gemm"),
    "k3_pad1": (1, 8, 13, 11, 16, 3, 1, 1, 1, 1, True, "gemm"),
    "k3_stride2": (1, 8, 15, 15, 16, 3, 2, 1, 1, 1, True, "gemm"),
    "k7_stride2_stem": (1, 3, 32, 32, 12, 7, 2, 3, 1, 1, True, "gemm"),
    "k3_dilated": (1, 4, 12, 12, 6, 3, 1, 2, 2, 1, False, "gemm"),
    "ragged_m_n": (1, 5, 5, 7, 33, 3, 1, 1, 1, 1, True, "gemm"),
    "grouped": (1, 8, 10, 10, 8, 3, 1, 1, 1, 2, True, "conv"),
    "depthwise": (1, 8, 10, 10, 8, 3, 1, 1, 1, 8, True, "depthwise"),
    "depthwise_stride2_nobias": (1, 24, 15, 15, 24, 3, 2, 1, 1, 24, False, "depthwise"),
    "depthwise_k5": (2, 16, 9, 9, 16, 5, 1, 2, 1, 16, True, "depthwise"),
    "depthwise_multiplier2": (1, 4, 8, 8, 8, 3, 1, 1, 1, 4, True, "conv"),
    "batch2": (2, 8, 10, 10, 8, 3, 1, 1, 1, 1, True, "gemm"),
    "batch3_pointwise": (3, 16, 6, 6, 24, 1, 1, 0, 1, 1, True, "gemm"),
    # A symbolic batch: compiled once, run at batch 1 and 3.
    "dynamic_batch": ("N", 8, 9, 9, 16, 3, 2, 1, 1, 1, True, "gemm"),
    "dynamic_batch_depthwise": ("N", 8, 9, 9, 8, 3, 1, 1, 1, 8, True, "depthwise"),
}


class Network(torch.nn.Module):
    """Conv, relu, 1x1 conv, depthwise conv, clip, 1x1 conv + residual,
    max pool, conv, global average pool."""

    def __init__(self):
        super().__init__()
        self.stem = torch.nn.Conv2d(3, 16, 3, padding=1)
        self.expand = torch.nn.Conv2d(16, 32, 1)
        self.depthwise = torch.nn.Conv2d(32, 32, 3, padding=1, groups=32)
        self.project = torch.nn.Conv2d(32, 16, 1)
        self.after_pool = torch.nn.Conv2d(16, 8, 3, stride=2, padding=1)

    def forward(self, x):
        y = torch.relu(self.stem(x))
        z = torch.clamp(self.depthwise(self.expand(y)), 0.0, 6.0)
        w = self.project(z) + y
        p = torch.nn.functional.max_pool2d(w, 2)
        q = torch.relu(self.after_pool(p))
        return torch.nn.functional.adaptive_avg_pool2d(q, 1).flatten(1)


def check_network(args, rng):
    """The network through nn-channels-last: its linalg must hold exactly
    the two edge transposes (into the stem, before the global pool; the max
    pool runs channels-last), and its result must match PyTorch's."""
    torch.manual_seed(0)
    net = Network().eval()
    x = rng.standard_normal((1, 3, 20, 20)).astype(np.float32)
    path = os.path.join(args.work, "network.onnx")
    torch.onnx.export(net, torch.from_numpy(x), path, input_names=["x"], output_names=["y"],
                      opset_version=13)
    linalg = subprocess.run([args.ddlc, path, "--emit=linalg", "-o", "-"], capture_output=True,
                            text=True)
    so = os.path.join(args.work, "network.so")
    proc = subprocess.run([args.ddlc, path, "-o", so], capture_output=True, text=True)
    if linalg.returncode != 0 or proc.returncode != 0:
        print(f"FAIL network: ddlc: {linalg.stderr[-1500:]}{proc.stderr[-1500:]}")
        return False
    transposes = linalg.stdout.count("linalg.transpose")
    np.save(os.path.join(args.work, "network.x.npy"), x)
    out = os.path.join(args.work, "network.out")
    run = subprocess.run([args.ddl_run, so, "--input", "x=" + os.path.join(args.work, "network.x.npy"),
                          "--output-dir", out], capture_output=True, text=True)
    if run.returncode != 0:
        print(f"FAIL network: ddl-run exit {run.returncode}: {run.stderr[-1500:]}")
        return False
    got = np.load(os.path.join(out, "y.npy"))
    with torch.no_grad():
        want = net(torch.from_numpy(x)).numpy()
    err = float(np.abs(got - want).max() / max(np.abs(want).max(), 1e-30))
    ok = err <= 1e-5 and transposes == 2
    print(f"{'' if ok else 'FAIL '}network: {transposes} transposes, rel err {'ok' if err <= 1e-5 else err}")
    return ok


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--ddlc", required=True)
    p.add_argument("--ddl-run", required=True)
    p.add_argument("--work", required=True)
    args = p.parse_args()
    os.makedirs(args.work, exist_ok=True)
    rng = np.random.default_rng(3)
    passed = failed = 0
    for name, (n, c, h, w, f, k, s, pad, d, g, bias, want_kind) in CASES.items():
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
        linalg = subprocess.run([args.ddlc, path, "--emit=linalg", "-o", "-"], capture_output=True,
                                text=True).stdout
        kind = ("gemm" if "lhs=mk rhs=nk" in proc.stdout else
                "depthwise" if "linalg.depthwise_conv_2d_nhwc_hwc" in linalg else "conv")
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
            ok = err <= 1e-5 and kind == want_kind
            passed += ok
            failed += not ok
            print(f"{'' if ok else 'FAIL '}{name}: {kind} "
                  f"{list(got.shape)} rel err {'ok' if err <= 1e-5 else err}")
    ok = check_network(args, rng)
    passed += ok
    failed += not ok
    print(f"conv models: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
