"""Regression tests for compiler bugs that real PyTorch models hit (issue
10), each through both of ddl's frontends and matched against eager mode:
`ddl.compile`, and `torch.onnx.export` compiled with `ddlc` and run with
`ddl-run`.

- a reversal (`flip`, what `x[:, ::-1]` exports to) on a symbolic batch: its
  ONNX Slice has starts [-1], ends [INT64_MIN], steps [-1];
- TopK with K = 1 on x[1, 4, 10] (greedy decoding at batch 1);
- GPT-2 style causal self-attention, whose masks are boolean constants of
  more than 1024 elements (a `tril` buffer compared with 0, a `torch.triu`
  of ones).
"""

import inspect
import math
import subprocess

import numpy as np
import pytest
import torch
import torch.nn as nn

import ddl
from ddl._tools import ddlc_path

RTOL, ATOL = 1e-3, 1e-4


@pytest.fixture(autouse=True)
def seed():
    torch.manual_seed(0)


def assert_same(actual, expected):
    assert actual.dtype == expected.dtype, f"dtype {actual.dtype}, expected {expected.dtype}"
    assert actual.shape == expected.shape, f"shape {tuple(actual.shape)}, expected {tuple(expected.shape)}"
    if expected.dtype.is_floating_point:
        torch.testing.assert_close(actual, expected, rtol=RTOL, atol=ATOL)
    else:
        assert torch.equal(actual, expected), f"\n{actual}\nexpected\n{expected}"


def eager(model, *inputs):
    with torch.no_grad():
        out = model(*inputs)
    return tuple(out) if isinstance(out, (tuple, list)) else (out,)


def check_ddl_compile(model, inputs, runs=(), **options):
    """ddl.compile on `inputs`, then compared with eager mode on `inputs`
    and on each tuple in `runs`."""
    compiled = ddl.compile(model, inputs, **options)
    for args in (inputs, *runs):
        out = compiled(*args)
        out = tuple(out) if isinstance(out, (tuple, list)) else (out,)
        expected = eager(model, *args)
        assert len(out) == len(expected)
        for a, e in zip(out, expected):
            assert_same(a, e)


def run_tool(command):
    result = subprocess.run([str(c) for c in command], capture_output=True, text=True)
    assert result.returncode == 0, f"{' '.join(map(str, command))} failed ({result.returncode}):\n{result.stderr}"
    return result


def check_onnx(model, inputs, tmp_path, runs=(), dynamic_axes=None, opset=14, edit=None):
    """`model` exported with torch.onnx.export (then changed by `edit`, a
    function of the onnx.ModelProto, if given), compiled by ddlc and run by
    ddl-run on `inputs` and on each tuple in `runs`, against eager mode."""
    input_names = [f"in{i}" for i in range(len(inputs))]
    output_names = [f"out{i}" for i in range(len(eager(model, *inputs)))]
    onnx_path = tmp_path / "model.onnx"
    # The TorchScript exporter: torch >= 2.9 defaults to the dynamo one,
    # which takes neither scripted modules nor opsets below 18.
    legacy = {"dynamo": False} if "dynamo" in inspect.signature(torch.onnx.export).parameters else {}
    with torch.no_grad():
        torch.onnx.export(model, inputs, str(onnx_path), input_names=input_names, output_names=output_names,
                          dynamic_axes=dynamic_axes, opset_version=opset, **legacy)
    if edit is not None:
        import onnx

        proto = onnx.load(str(onnx_path))
        edit(proto)
        onnx.save(proto, str(onnx_path))
    library = tmp_path / "model.so"
    ddlc = ddlc_path()
    run_tool([ddlc, onnx_path, "-o", library])
    for n, args in enumerate((inputs, *runs)):
        command = [ddlc.parent / "ddl-run", library, "--output-dir", tmp_path / f"out{n}"]
        for name, tensor in zip(input_names, args):
            np.save(tmp_path / f"{name}_{n}.npy", tensor.numpy())
            command += ["--input", f"{name}={tmp_path / f'{name}_{n}.npy'}"]
        run_tool(command)
        for name, expected in zip(output_names, eager(model, *args)):
            actual = torch.from_numpy(np.load(tmp_path / f"out{n}" / f"{name}.npy"))
            assert_same(actual, expected)


# -- flip / x[:, ::-1] on a symbolic batch (bug 1) ----------------------------


class Flip(nn.Module):
    def forward(self, x):
        return torch.flip(x, [1]) * 2


class ReverseIndex(nn.Module):
    """x[:, ::-1] spelled with index_select (torch 1.13 has no negative
    slice steps)."""

    def forward(self, x):
        return torch.index_select(x, 1, torch.arange(x.shape[1] - 1, -1, -1)) + x


@pytest.mark.parametrize("model", [Flip(), ReverseIndex()], ids=["flip", "index_select"])
def test_reversal_symbolic_batch_ddl_compile(model):
    check_ddl_compile(model, (torch.randn(3, 5),), runs=[(torch.randn(1, 5),), (torch.randn(7, 5),)],
                      dynamic={"x": {0: "batch"}})


INT64_MIN = -(2**63)


def slice_ends_to_int64_min(proto):
    """Rewrites the `ends` of the Slices that reverse a whole axis from
    torch 1.13's -INT64_MAX to INT64_MIN, as newer exporters write them."""
    from onnx import numpy_helper

    constants = {n.output[0]: n for n in proto.graph.node if n.op_type == "Constant"}
    edited = 0
    for node in proto.graph.node:
        if node.op_type != "Slice":
            continue
        constant = constants[node.input[2]]
        ends = numpy_helper.to_array(constant.attribute[0].t).copy()
        ends[ends == -(2**63 - 1)] = INT64_MIN
        constant.attribute[0].t.CopyFrom(numpy_helper.from_array(ends))
        edited += 1
    assert edited


@pytest.mark.parametrize("edit", [None, slice_ends_to_int64_min], ids=["as_exported", "int64_min"])
def test_flip_symbolic_batch_onnx(tmp_path, edit):
    # torch.onnx exports flip as Slice(starts=[-1], ends=[-INT64_MAX], steps=[-1]);
    # torch 2.x writes INT64_MIN, which crashed ddlc on a dynamic batch.
    check_onnx(Flip(), (torch.randn(3, 5),), tmp_path, runs=[(torch.randn(1, 5),), (torch.randn(6, 5),)],
               dynamic_axes={"in0": {0: "batch"}, "out0": {0: "batch"}}, opset=13, edit=edit)


# -- TopK with K = 1 (bug 2) --------------------------------------------------


class Greedy(nn.Module):
    def forward(self, logits):
        values, indices = torch.topk(logits, 1, dim=-1)
        return values, indices


def test_topk_k1_ddl_compile():
    check_ddl_compile(Greedy(), (torch.randn(1, 4, 10),))


def test_topk_k1_onnx(tmp_path):
    check_onnx(Greedy(), (torch.randn(1, 4, 10),), tmp_path)


# -- causal self-attention with large boolean masks (bug 3) ---------------------


class CausalSelfAttention(nn.Module):
    """GPT-2's attention block, as nanoGPT writes it: the causal mask is a
    registered `tril` buffer of ones, compared with 0."""

    def __init__(self, n_embd=32, n_head=4, block_size=64):
        super().__init__()
        self.n_head = n_head
        self.c_attn = nn.Linear(n_embd, 3 * n_embd)
        self.c_proj = nn.Linear(n_embd, n_embd)
        self.register_buffer("bias", torch.tril(torch.ones(block_size, block_size)).view(1, 1, block_size, block_size))

    def forward(self, x):
        B, T, C = x.size()
        q, k, v = self.c_attn(x).split(C, dim=2)
        k = k.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        q = q.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        v = v.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
        att = att.masked_fill(self.bias[:, :, :T, :T] == 0, float("-inf"))
        att = torch.softmax(att, dim=-1)
        y = att @ v
        y = y.transpose(1, 2).contiguous().view(B, T, C)
        return self.c_proj(y)


class TriuMaskAttention(nn.Module):
    """Causal attention whose mask is `torch.triu` of a boolean ones
    matrix, made in forward."""

    def __init__(self, n_embd=32, n_head=4):
        super().__init__()
        self.n_head = n_head
        self.qkv = nn.Linear(n_embd, 3 * n_embd)
        self.out = nn.Linear(n_embd, n_embd)

    def forward(self, x):
        B, T, C = x.shape
        h, d = self.n_head, C // self.n_head
        q, k, v = self.qkv(x).reshape(B, T, 3, h, d).permute(2, 0, 3, 1, 4)
        mask = torch.triu(torch.ones(T, T, dtype=torch.bool), 1)
        att = (q @ k.transpose(-2, -1)) / math.sqrt(d)
        att = att.masked_fill(mask, float("-inf")).softmax(-1)
        return self.out((att @ v).transpose(1, 2).reshape(B, T, C))


T = 64  # T * T = 4096 > 1024 mask elements


@pytest.mark.parametrize("freeze", [False, True], ids=["live", "frozen"])
def test_gpt2_attention_ddl_compile(freeze):
    model = CausalSelfAttention(block_size=T).eval()
    check_ddl_compile(model, (torch.randn(2, T, 32),), freeze=freeze)


def test_gpt2_attention_onnx(tmp_path):
    check_onnx(CausalSelfAttention(block_size=T).eval(), (torch.randn(1, T, 32),), tmp_path)


def test_triu_mask_attention_ddl_compile():
    check_ddl_compile(TriuMaskAttention().eval(), (torch.randn(2, T, 32),))


def test_triu_mask_attention_onnx(tmp_path):
    check_onnx(TriuMaskAttention().eval(), (torch.randn(1, T, 32),), tmp_path)
