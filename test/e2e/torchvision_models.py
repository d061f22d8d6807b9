#!/usr/bin/env python3
"""Exports torchvision architectures and a torch.nn.TransformerEncoder with
Debian's PyTorch (random weights; nothing is downloaded) to ONNX, and
imports each with ddlc. Every model must import and verify; the batch dim is
exported as a symbolic dim (`batch`) and must reach the outputs. With
--ddl-opt, the printed module must parse back.

    /usr/bin/python3 test/e2e/torchvision_models.py --ddlc build/bin/ddlc [--all]
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time

import torch
import torchvision

# The default set keeps the test command quick; --all adds the heavy ones.
DEFAULT = ["resnet18", "mobilenet_v2", "squeezenet1_0", "efficientnet_b0",
           "vit_b_16", "transformer_encoder"]
EXTRA = ["resnet50", "mobilenet_v3_small", "densenet121", "convnext_tiny",
         "shufflenet_v2_x1_0", "regnet_y_400mf"]


def build(name):
    torch.manual_seed(0)
    if name == "transformer_encoder":
        layer = torch.nn.TransformerEncoderLayer(d_model=64, nhead=4,
                                                 dim_feedforward=128,
                                                 batch_first=True)
        model = torch.nn.TransformerEncoder(layer, num_layers=2)
        return model.eval(), torch.randn(2, 16, 64)
    model = getattr(torchvision.models, name)(weights=None)
    return model.eval(), torch.randn(1, 3, 224, 224)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ddlc", required=True)
    parser.add_argument("--ddl-opt", dest="ddl_opt",
                        help="also parse each imported module back with ddl-opt")
    parser.add_argument("--all", action="store_true")
    parser.add_argument("models", nargs="*")
    args = parser.parse_args()
    names = args.models or (DEFAULT + (EXTRA if args.all else []))
    passed = failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            model, example = build(name)
            path = os.path.join(tmp, name + ".onnx")
            dynamic = {"input": {0: "batch"}, "output": {0: "batch"}}
            # Grad mode stays on: in no-grad eval mode TransformerEncoder
            # takes a fused fast path that the exporter does not support.
            torch.onnx.export(model, example, path, opset_version=14,
                              input_names=["input"], output_names=["output"],
                              dynamic_axes=dynamic)
            start = time.perf_counter()
            proc = subprocess.run([args.ddlc, path], capture_output=True, text=True)
            elapsed = time.perf_counter() - start
            ok = proc.returncode == 0 and "#nn.dims<batch" in proc.stdout
            if ok and args.ddl_opt:
                # The printed module, weights (dense resources) included,
                # parses and verifies again.
                reparse = subprocess.run([args.ddl_opt, "-", "-o", os.devnull],
                                         input=proc.stdout, capture_output=True,
                                         text=True)
                ok = reparse.returncode == 0
                proc = reparse if not ok else proc
            if ok:
                passed += 1
                print(f"PASS {name} ({elapsed:.1f} s)")
            else:
                failed += 1
                print(f"FAIL {name}: exit {proc.returncode}\n{proc.stderr[-3000:]}")
    print(f"torchvision models: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
