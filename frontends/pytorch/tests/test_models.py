"""Whole models against eager mode: torchvision classifiers and a
TransformerEncoder (random weights; nothing is downloaded).

DDL_TEST_DEVICE=cuda runs them on the GPU: the models, inputs and eager
references live on torch's CUDA device, ddl compiles with device="cuda",
and TF32 is off so that both sides compute in fp32."""

import os

import pytest
import torch
import torchvision

import ddl

DEVICE = os.environ.get("DDL_TEST_DEVICE", "cpu")


@pytest.fixture(autouse=True)
def seed_and_precision():
    if DEVICE != "cpu":
        if not torch.cuda.is_available():
            pytest.skip(f"DDL_TEST_DEVICE={DEVICE} but torch has no CUDA device")
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
    torch.manual_seed(0)


def assert_close(actual, expected):
    torch.testing.assert_close(actual, expected, rtol=1e-3, atol=1e-4)


def compile_on_device(model, shape, **kwargs):
    model = model.to(DEVICE)
    example = torch.randn(shape, device=DEVICE)
    return model, ddl.compile(model, (example,), device=DEVICE, **kwargs)


def run_both(model, compiled, shape):
    x = torch.randn(shape, device=DEVICE)
    with torch.no_grad():
        expected = model(x)
    actual = compiled(x)
    assert actual.device == expected.device
    assert_close(actual, expected)


def test_resnet18_symbolic_batch():
    model, compiled = compile_on_device(torchvision.models.resnet18().eval(), (2, 3, 224, 224),
                                        dynamic={"x": {0: "batch"}})
    assert compiled.symbols == {"batch": (0, 0)}
    assert "#nn.dims<batch, 3, 224, 224>" in compiled.graph
    for batch in (1, 3):
        run_both(model, compiled, (batch, 3, 224, 224))


def test_mobilenet_v2():
    model, compiled = compile_on_device(torchvision.models.mobilenet_v2().eval(), (1, 3, 224, 224))
    run_both(model, compiled, (1, 3, 224, 224))


def test_vit_b_16():
    model = torchvision.models.vit_b_16().eval()
    # torchvision zero-initializes the head: the output would be all zeros.
    torch.nn.init.normal_(model.heads.head.weight, std=0.02)
    model, compiled = compile_on_device(model, (1, 3, 224, 224))
    run_both(model, compiled, (1, 3, 224, 224))


@pytest.mark.parametrize("batch_first", [True, False])
def test_transformer_encoder_symbolic_batch_and_sequence(batch_first):
    layer = torch.nn.TransformerEncoderLayer(64, 4, 128, batch_first=batch_first)
    batch_dim, seq_dim = (0, 1) if batch_first else (1, 0)

    def shape(batch, seq):
        s = [0, 0, 64]
        s[batch_dim], s[seq_dim] = batch, seq
        return tuple(s)

    model, compiled = compile_on_device(torch.nn.TransformerEncoder(layer, 2).eval(), shape(2, 10),
                                        dynamic=[{batch_dim: "batch", seq_dim: "seq"}])
    for batch, seq in ((2, 10), (3, 7), (1, 1)):
        run_both(model, compiled, shape(batch, seq))
