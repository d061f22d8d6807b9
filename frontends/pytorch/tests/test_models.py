"""Whole models against eager mode: torchvision classifiers and a
TransformerEncoder (random weights; nothing is downloaded)."""

import pytest
import torch
import torchvision

import ddl


def assert_close(actual, expected):
    torch.testing.assert_close(actual, expected, rtol=1e-3, atol=1e-4)


def run_both(model, compiled, shape):
    x = torch.randn(shape)
    with torch.no_grad():
        expected = model(x)
    assert_close(compiled(x), expected)


@pytest.fixture(autouse=True)
def seed():
    torch.manual_seed(0)


def test_resnet18_symbolic_batch():
    model = torchvision.models.resnet18().eval()
    compiled = ddl.compile(model, (torch.randn(2, 3, 224, 224),), dynamic={"x": {0: "batch"}})
    assert compiled.symbols == {"batch": (0, 0)}
    assert "#nn.dims<batch, 3, 224, 224>" in compiled.graph
    for batch in (1, 3):
        run_both(model, compiled, (batch, 3, 224, 224))


def test_mobilenet_v2():
    model = torchvision.models.mobilenet_v2().eval()
    compiled = ddl.compile(model, (torch.randn(1, 3, 224, 224),))
    run_both(model, compiled, (1, 3, 224, 224))


def test_vit_b_16():
    model = torchvision.models.vit_b_16().eval()
    # torchvision zero-initializes the head: the output would be all zeros.
    torch.nn.init.normal_(model.heads.head.weight, std=0.02)
    compiled = ddl.compile(model, (torch.randn(1, 3, 224, 224),))
    run_both(model, compiled, (1, 3, 224, 224))


@pytest.mark.parametrize("batch_first", [True, False])
def test_transformer_encoder_symbolic_batch_and_sequence(batch_first):
    layer = torch.nn.TransformerEncoderLayer(64, 4, 128, batch_first=batch_first)
    model = torch.nn.TransformerEncoder(layer, 2).eval()
    batch_dim, seq_dim = (0, 1) if batch_first else (1, 0)

    def shape(batch, seq):
        s = [0, 0, 64]
        s[batch_dim], s[seq_dim] = batch, seq
        return tuple(s)

    compiled = ddl.compile(model, (torch.randn(shape(2, 10)),), dynamic=[{batch_dim: "batch", seq_dim: "seq"}])
    for batch, seq in ((2, 10), (3, 7), (1, 1)):
        run_both(model, compiled, shape(batch, seq))
