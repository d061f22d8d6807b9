"""torch.compile(model, backend="ddl") on torch 2.x (skipped on torch 1.x,
which has no TorchDynamo)."""

import pytest
import torch

import ddl
import ddl.dynamo

dynamo = pytest.importorskip("torch._dynamo", reason="torch.compile needs torch 2.x")


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 8, 3, padding=1)
        self.fc = torch.nn.Linear(8, 4)

    def forward(self, x):
        y = torch.nn.functional.gelu(self.conv(x))
        return self.fc(y.mean(dim=(2, 3)))


def setup_function():
    dynamo.reset()


def test_backend_matches_eager():
    model = Net().eval()
    compiled = torch.compile(model, backend="ddl", dynamic=False)
    x = torch.randn(2, 3, 16, 16)
    with torch.no_grad():
        torch.testing.assert_close(compiled(x), model(x), rtol=1e-3, atol=1e-4)


def test_graph_breaks_compile_each_graph():
    model = Net().eval()

    def program(x):
        y = model(x)
        print("a graph break")  # dynamo splits the program here
        return torch.softmax(y * 2, dim=-1)

    before = ddl.dynamo.compiled_graphs
    compiled = torch.compile(program, backend="ddl", dynamic=False)
    x = torch.randn(2, 3, 16, 16)
    with torch.no_grad():
        torch.testing.assert_close(compiled(x), program(x), rtol=1e-3, atol=1e-4)
    assert ddl.dynamo.compiled_graphs - before >= 2


def test_unsupported_operator_is_reported():
    def program(x):
        return torch.cumprod(x * 2, 0)

    with pytest.raises(Exception, match="ddl cannot compile"):
        torch.compile(program, backend="ddl", dynamic=False)(torch.randn(8))


def test_dynamic_shapes_run_compiled_code():
    # Without dynamic=False, dynamo recompiles with a symbolic batch after a
    # second batch size; ddl compiles that graph with the batch dynamic.
    model = Net().eval()
    compiled = torch.compile(model, backend="ddl")
    before = ddl.dynamo.compiled_graphs
    with torch.no_grad():
        for batch in (2, 3, 4, 5, 3):
            x = torch.randn(batch, 3, 16, 16)
            torch.testing.assert_close(compiled(x), model(x), rtol=1e-3, atol=1e-4)
    # The static graph for batch 2, then one dynamic graph (or, if dynamo
    # passes sizes as inputs, one per distinct size): never one per call.
    assert 2 <= ddl.dynamo.compiled_graphs - before <= 4


def test_explicitly_dynamic_sizes_as_inputs():
    # dynamic=True with a graph that uses the size itself (view(n, -1)).
    def program(x):
        return torch.relu(x.view(x.size(0), -1)) * 2

    compiled = torch.compile(program, backend="ddl", dynamic=True)
    for batch in (2, 5, 2):
        x = torch.randn(batch, 3, 4)
        torch.testing.assert_close(compiled(x), program(x))
