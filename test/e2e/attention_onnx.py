#!/usr/bin/env python3
"""Attention in exported ONNX graphs becomes attn.flex, and runs right.

Each case is a PyTorch module exported with torch.onnx.export (opset 14);
the script checks that ddl's attention pass (nn-recognize-attention, run
by ddl-opt on `ddlc --emit=graph`) rewrites its attention into attn.flex of
the expected form, then compiles the model with ddlc (the pass on, as by
default) and compares ddl-run's output with PyTorch's (atol 1e-5 + rtol
1e-4, fp32).

Cases: GPT-style causal attention (a tril buffer, masked_fill: a constant
boolean mask that must become a mask_mod on indices), nn.MultiheadAttention
with a key padding mask given at run time (torch 1.13 exports it as an
additive float mask: captured, added in score_mod), an
additive float mask input (captured, added in score_mod), and a
TransformerEncoderLayer without a mask (plain attn.flex).

    attention_onnx.py --ddlc DDLC --ddl-opt DDL_OPT --ddl-run DDL_RUN --work DIR
"""

import argparse
import math
import os
import subprocess
import sys

import numpy as np
import torch

ATOL, RTOL = 1e-5, 1e-4


class Causal(torch.nn.Module):
    def __init__(self, dim=128, heads=4, context=256):
        super().__init__()
        self.heads = heads
        self.qkv = torch.nn.Linear(dim, 3 * dim)
        self.out = torch.nn.Linear(dim, dim)
        self.register_buffer("bias", torch.tril(torch.ones(context, context))
                             .view(1, 1, context, context))

    def forward(self, x):
        b, t, c = x.shape
        q, k, v = self.qkv(x).split(c, dim=2)
        q, k, v = (z.view(b, t, self.heads, c // self.heads).transpose(1, 2)
                   for z in (q, k, v))
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
        att = att.masked_fill(self.bias[:, :, :t, :t] == 0, float("-inf"))
        y = torch.softmax(att, dim=-1) @ v
        return self.out(y.transpose(1, 2).contiguous().view(b, t, c))


class Padded(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.mha = torch.nn.MultiheadAttention(64, 4, batch_first=True)

    def forward(self, x, pad):
        return self.mha(x, x, x, key_padding_mask=pad, need_weights=False)[0]


class Additive(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.proj = torch.nn.Linear(32, 96)

    def forward(self, x, mask):
        q, k, v = self.proj(x).split(32, dim=-1)
        s = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(32) + mask
        return torch.matmul(torch.softmax(s, dim=-1), v)


def cases():
    torch.manual_seed(0)
    pad = torch.zeros(2, 70, dtype=torch.bool)
    pad[0, 50:] = True
    pad[1, 65:] = True
    encoder = torch.nn.TransformerEncoderLayer(64, 4, 128, batch_first=True)
    mask = torch.randn(3, 40, 40)
    yield ("gpt-causal", Causal(), (torch.randn(1, 200, 128),), "causal")
    # torch 1.13 exports the padding mask as an additive float mask.
    yield ("mha-padding", Padded(), (torch.randn(2, 70, 64), pad), "captured-score")
    yield ("additive-mask", Additive(), (torch.randn(3, 40, 32), mask), "captured-score")
    yield ("encoder", encoder, (torch.randn(2, 50, 64),), "plain")


def form(text):
    """The attn.flex forms in `text`, one word each."""
    found = []
    for line in text.splitlines():
        if "attn.flex" not in line:
            continue
        if "captures(" in line:
            found.append("captured-score" if "score_mod {" in line else "captured-mask")
        elif "mask_mod {" in line:
            found.append("causal")
        else:
            found.append("plain")
    return found


def run_case(args, name, model, inputs, expected):
    model.eval()
    with torch.no_grad():
        want = model(*inputs).numpy()
    onnx_path = os.path.join(args.work, name + ".onnx")
    names = [f"in{i}" for i in range(len(inputs))]
    torch.onnx.export(model, inputs, onnx_path, opset_version=14, input_names=names,
                      output_names=["out"])
    graph = os.path.join(args.work, name + ".mlir")
    subprocess.run([args.ddlc, onnx_path, "--emit=graph", "-o", graph], check=True)
    rewritten = subprocess.run(
        [args.ddl_opt, graph,
         "--pass-pipeline=builtin.module(func.func(nn-recognize-attention),canonicalize,cse)"],
        check=True, capture_output=True, text=True).stdout
    forms = form(rewritten)
    so = os.path.join(args.work, name + ".so")
    subprocess.run([args.ddlc, onnx_path, "-o", so], check=True)
    feeds = []
    for n, x in zip(names, inputs):
        path = os.path.join(args.work, f"{name}_{n}.npy")
        np.save(path, x.numpy())
        feeds += ["--input", f"{n}={path}"]
    out_dir = os.path.join(args.work, name + "_out")
    subprocess.run([args.ddl_run, so, "--threads", "2", "--output-dir", out_dir] + feeds,
                   check=True, capture_output=True)
    got = np.load(os.path.join(out_dir, "out.npy"))
    err = float(np.abs(got - want).max())
    ok = forms == [expected] and np.allclose(got, want, atol=ATOL, rtol=RTOL)
    print(f"{'PASS' if ok else 'FAIL'} {name}: attn.flex {forms or 'absent'} "
          f"(expected [{expected}]), max abs error {err:.1e}")
    return ok


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ddlc", required=True)
    parser.add_argument("--ddl-opt", dest="ddl_opt", required=True)
    parser.add_argument("--ddl-run", dest="ddl_run", required=True)
    parser.add_argument("--work", required=True)
    args = parser.parse_args()
    os.makedirs(args.work, exist_ok=True)
    results = [run_case(args, *case) for case in cases()]
    print(f"attention in ONNX: {sum(results)} passed, {len(results) - sum(results)} failed")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
