"""ddl.compile(..., quantize="int8" | "int4"): quantized linear layers."""

import numpy as np
import pytest
import torch
import torch.nn as nn

import ddl


def mlp():
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(128, 256), nn.ReLU(), nn.Linear(256, 64)).eval()


def sqnr(out, ref):
    out, ref = out.double().numpy(), ref.double().numpy()
    return 10 * np.log10((ref ** 2).sum() / ((out - ref) ** 2).sum())


def test_int8_close_to_float():
    model, x = mlp(), torch.randn(8, 128)
    compiled = ddl.compile(model, (x,), quantize="int8")
    with torch.no_grad():
        ref = model(x)
    out = compiled(x)
    # Two 8-bit roundings per product: about 40 dB here; 25 catches a wrong
    # scale (near 0 dB) with margin.
    assert sqnr(out, ref) > 25
    assert not torch.equal(out, ref)  # it did quantize


def test_keep_leaves_layers_in_float():
    model, x = mlp(), torch.randn(8, 128)
    # Every layer kept: the result is float arithmetic, close to eager.
    compiled = ddl.compile(model, (x,), quantize="int8", quantize_keep=["linear", "addmm"])
    with torch.no_grad():
        ref = model(x)
    torch.testing.assert_close(compiled(x), ref, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("group", [32, 128])
def test_int4_close_to_float(group):
    model, x = mlp(), torch.randn(8, 128)
    compiled = ddl.compile(model, (x,), quantize="int4", quantize_group=group)
    with torch.no_grad():
        ref = model(x)
    out = compiled(x)
    # One 4-bit rounding per weight (levels -7..7 of each group's largest
    # magnitude): about 20 dB per layer on random weights, smaller groups
    # better; 12 catches a wrong scale or nibble with margin.
    assert sqnr(out, ref) > 12
    assert not torch.equal(out, ref)


def test_int4_group_needs_int4():
    with pytest.raises(ddl.DdlError, match="quantize_group sets the group size of quantize='int4'"):
        ddl.compile(mlp(), (torch.randn(2, 128),), quantize="int8", quantize_group=32)


def test_unknown_mode():
    with pytest.raises(ddl.DdlError, match="quantize must be None or one of 'int8', 'int4', not 'fp4'"):
        ddl.compile(mlp(), (torch.randn(2, 128),), quantize="fp4")
