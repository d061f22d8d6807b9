"""The dynamic-network suite: Python control flow on tensor values (DyCL).

Each model is written with random weights; each test compiles it once and
runs it on inputs chosen to take every path, asserting which paths eager
PyTorch took (so an input mix that misses a path fails the test) and that
ddl's results match eager's on each. The models are also timed against
eager in bench/dynamic.py, which imports them from here.
"""

import pytest
import torch
from torch import nn

import ddl


def close(a, b):
    torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-5)


class Counter:
    """Counts calls of modules in eager runs (forward hooks): which paths a
    run took."""

    def __init__(self, modules):
        self.counts = [0] * len(modules)
        self.handles = [m.register_forward_hook(self._hook(i)) for i, m in enumerate(modules)]

    def _hook(self, i):
        def hook(module, args, output):
            self.counts[i] += 1

        return hook

    def take(self):
        counts, self.counts = self.counts, [0] * len(self.counts)
        return tuple(counts)

    def remove(self):
        for h in self.handles:
            h.remove()


# --------------------------------------------------------------------------
# The models


class EarlyExitEncoder(nn.Module):
    """A BERT-like encoder that stops at the first layer whose classifier is
    confident enough (DeeBERT / BERxiT style)."""

    def __init__(self, layers=4, dim=32, heads=4, classes=3, threshold=0.5):
        super().__init__()
        self.layers = nn.ModuleList(
            nn.TransformerEncoderLayer(dim, heads, 2 * dim, dropout=0.0, batch_first=True) for _ in range(layers)
        )
        self.heads = nn.ModuleList(nn.Linear(dim, classes) for _ in range(layers))
        self.threshold = threshold

    def forward(self, x):
        h = x
        for layer, head in zip(self.layers, self.heads):
            h = layer(h)
            probs = head(h[:, 0]).softmax(-1)
            if probs.max() > self.threshold:
                return probs
        return probs


class GatedResNet(nn.Module):
    """SkipNet / BlockDrop: a gate computed from the input decides whether
    each residual block runs."""

    def __init__(self, channels=8, blocks=3):
        super().__init__()
        self.stem = nn.Conv2d(3, channels, 3, padding=1)
        self.blocks = nn.ModuleList(
            nn.Sequential(nn.Conv2d(channels, channels, 3, padding=1), nn.BatchNorm2d(channels), nn.ReLU(),
                          nn.Conv2d(channels, channels, 3, padding=1))
            for _ in range(blocks)
        )
        self.gates = nn.ModuleList(nn.Linear(channels, 1) for _ in range(blocks))
        for g in self.gates:  # decisive gates, so that inputs differ in the blocks they run
            nn.init.normal_(g.weight, std=3.0)
        self.head = nn.Linear(channels, 4)

    def forward(self, x):
        x = torch.relu(self.stem(x))
        for block, gate in zip(self.blocks, self.gates):
            if torch.sigmoid(gate(x.mean((2, 3)))).mean() > 0.5:
                x = torch.relu(block(x) + x)
        return self.head(x.mean((2, 3)))


class Routing(nn.Module):
    """Dynamic routing: a router picks one of two sub-networks per input."""

    def __init__(self, dim=16):
        super().__init__()
        self.router = nn.Linear(dim, 2)
        self.small = nn.Sequential(nn.Linear(dim, dim), nn.ReLU())
        self.large = nn.Sequential(nn.Linear(dim, 4 * dim), nn.GELU(), nn.Linear(4 * dim, dim))

    def forward(self, x):
        if self.router(x).mean(0).argmax() == 0:
            y = self.small(x)
        else:
            y = self.large(x)
        return y + x


class MoEBlock(nn.Module):
    """A mixture-of-experts feed-forward block, top-2 of 8: each expert runs
    on exactly the tokens routed to it (their count is a run-time size)."""

    def __init__(self, dim=16, experts=8, hidden=32, top=2):
        super().__init__()
        self.norm = nn.LayerNorm(dim)
        self.router = nn.Linear(dim, experts)
        self.experts = nn.ModuleList(
            nn.Sequential(nn.Linear(dim, hidden), nn.GELU(), nn.Linear(hidden, dim)) for _ in range(experts)
        )
        self.top = top

    def forward(self, x):
        h = self.norm(x)
        weights, chosen = self.router(h).softmax(-1).topk(self.top, dim=-1)
        weights = weights / weights.sum(-1, keepdim=True)
        out = x
        for e, expert in enumerate(self.experts):
            routed = chosen == e  # [tokens, top]
            tokens = routed.any(-1).nonzero().squeeze(1)
            weight = (weights * routed).sum(-1).index_select(0, tokens)
            y = expert(h.index_select(0, tokens)) * weight.unsqueeze(1)
            out = out.index_add(0, tokens, y)
        return out


class GreedyDecoder(nn.Module):
    """Greedy decoding until an end token or a maximum length, with a cache
    (the tokens so far) that grows by one each step."""

    def __init__(self, vocab=12, dim=16, eos=3, max_len=10):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.cell = nn.GRUCell(dim, dim)
        self.out = nn.Linear(dim, vocab)
        self.eos, self.max_len = eos, max_len

    def forward(self, h):
        tokens = torch.zeros(1, 1, dtype=torch.long)
        for _ in range(self.max_len):
            h = self.cell(self.embed(tokens[:, -1]), h)
            next_token = self.out(h).argmax(-1, keepdim=True)
            tokens = torch.cat([tokens, next_token], 1)
            if next_token[0, 0] == self.eos:
                break
        return tokens


class AdaptiveRNN(nn.Module):
    """Adaptive computation time: each step ponders (applies the cell again)
    until the halting probabilities add up to one or a limit."""

    def __init__(self, dim=8, max_ponder=6):
        super().__init__()
        self.cell = nn.RNNCell(dim, dim)
        self.halt = nn.Linear(dim, 1)
        self.max_ponder = max_ponder

    def forward(self, x):  # x: [steps, 1, dim]
        h = torch.zeros(1, x.shape[2])
        outputs = []
        for t in range(x.shape[0]):
            total = torch.zeros(())
            n = 0
            while total < 0.99 and n < self.max_ponder:
                h = self.cell(x[t], h)
                total = total + torch.sigmoid(self.halt(h)).squeeze()
                n += 1
            outputs.append(h)
        return torch.stack(outputs)


class VariableLengthRNN(nn.Module):
    """A recurrence over a sequence whose length is a run-time size."""

    def __init__(self, dim=8):
        super().__init__()
        self.cell = nn.GRUCell(dim, dim)

    def forward(self, x):  # x: [batch, length, dim], length dynamic
        h = torch.zeros(x.shape[0], x.shape[2])
        for t in range(x.size(1)):
            h = self.cell(x[:, t], h)
        return h


class Halting(nn.Module):
    """A cell applied until a halting score passes 1 (a while loop whose
    trip count is data), written so that TorchScript and the ONNX exporter
    keep the loop."""

    def __init__(self, dim=8):
        super().__init__()
        self.cell = nn.Linear(dim, dim)
        self.halt = nn.Linear(dim, 1)

    def forward(self, x):
        total = torch.zeros(())
        while bool(total < 1.0):
            x = torch.tanh(self.cell(x))
            total = total + torch.sigmoid(self.halt(x)).mean()
        return x


# --------------------------------------------------------------------------
# The suite


def compiled_and_eager(model, example, dynamic=None):
    torch.manual_seed(0)
    model = model.eval()
    return ddl.compile(model, example, dynamic), model


def test_early_exit_encoder_takes_every_exit():
    torch.manual_seed(0)
    model = EarlyExitEncoder().eval()
    compiled = ddl.compile(model, (torch.randn(1, 6, 32),), dynamic={"x": {1: "seq"}})
    counter = Counter(list(model.layers))
    exits = set()
    for seed in range(40):
        torch.manual_seed(seed)
        for length in (4, 9):
            x = torch.randn(1, length, 32) * (0.5 + seed % 5)
            with torch.no_grad():
                expected = model(x)
            exits.add(sum(counter.take()))
            close(compiled(x), expected)
    counter.remove()
    assert exits == {1, 2, 3, 4}, f"the inputs took exits {sorted(exits)}"


def test_gated_resnet_runs_each_block_or_skips_it():
    torch.manual_seed(7)
    model = GatedResNet().eval()
    compiled = ddl.compile(model, (torch.randn(1, 3, 8, 8),))
    counter = Counter(list(model.blocks))
    paths = set()
    for seed in range(40):
        torch.manual_seed(seed)
        x = torch.randn(1, 3, 8, 8) + torch.randn(1, 3, 1, 1) * 3
        with torch.no_grad():
            expected = model(x)
        paths.add(counter.take())
        close(compiled(x), expected)
    counter.remove()
    for block in range(3):
        assert {p[block] for p in paths} == {0, 1}, f"block {block} always took one path: {sorted(paths)}"


def test_routing_takes_both_sub_networks():
    torch.manual_seed(2)
    model = Routing().eval()
    compiled = ddl.compile(model, (torch.randn(3, 16),), dynamic={"x": {0: "batch"}})
    counter = Counter([model.small, model.large])
    paths = set()
    for seed in range(20):
        torch.manual_seed(seed)
        x = torch.randn(1 + seed % 4, 16) * 3
        with torch.no_grad():
            expected = model(x)
        paths.add(counter.take())
        close(compiled(x), expected)
    counter.remove()
    assert paths == {(1, 0), (0, 1)}


def test_moe_runs_experts_on_their_tokens_only():
    torch.manual_seed(3)
    model = MoEBlock().eval()
    compiled = ddl.compile(model, (torch.randn(10, 16),), dynamic={"x": {0: "tokens"}})
    sizes = set()
    for seed, tokens in enumerate((1, 5, 10, 33)):
        torch.manual_seed(seed)
        x = torch.randn(tokens, 16)
        with torch.no_grad():
            expected = model(x)
            chosen = model.router(model.norm(x)).topk(2, dim=-1).indices
        sizes |= {int((chosen == e).any(-1).sum()) for e in range(8)}
        close(compiled(x), expected)
    assert 0 in sizes and len(sizes) > 4, f"expert group sizes {sorted(sizes)}"


def test_greedy_decoder_stops_at_eos_or_max_length():
    torch.manual_seed(4)
    model = GreedyDecoder().eval()
    compiled = ddl.compile(model, (torch.randn(1, 16),))
    lengths = set()
    for seed in range(40):
        torch.manual_seed(seed)
        h = torch.randn(1, 16) * 2
        with torch.no_grad():
            expected = model(h)
        lengths.add(expected.shape[1])
        assert torch.equal(compiled(h), expected)
    assert model.max_len + 1 in lengths and len(lengths) >= 3, f"lengths {sorted(lengths)}"


def test_adaptive_computation_ponders_a_data_dependent_number_of_steps():
    torch.manual_seed(5)
    model = AdaptiveRNN().eval()
    compiled = ddl.compile(model, (torch.randn(3, 1, 8),))
    counter = Counter([model.cell])
    counts = set()
    for seed in range(20):
        torch.manual_seed(seed)
        x = torch.randn(3, 1, 8) * (1 + seed % 4)
        with torch.no_grad():
            expected = model(x)
        counts.add(counter.take()[0])
        close(compiled(x), expected)
    counter.remove()
    assert len(counts) >= 3, f"cell applications per run {sorted(counts)}"


def test_variable_length_sequence_loop():
    torch.manual_seed(6)
    model = VariableLengthRNN().eval()
    compiled = ddl.compile(model, (torch.randn(2, 5, 8),), dynamic={"x": {0: "batch", 1: "length"}})
    for batch, length in ((1, 1), (2, 5), (3, 17)):
        x = torch.randn(batch, length, 8)
        with torch.no_grad():
            close(compiled(x), model(x))


class SkipSteps(nn.Module):
    """`continue` on a tensor inside a loop over a Python range: a step
    whose input is negative on average is skipped."""

    def __init__(self):
        super().__init__()
        self.cell = nn.Linear(4, 4)

    def forward(self, x):  # x: [steps, 4]
        h = torch.zeros(4)
        for t in range(x.shape[0]):
            if x[t].mean() < 0:
                continue
            h = torch.tanh(self.cell(x[t]) + h)
        return h


def test_continue_on_a_tensor():
    torch.manual_seed(9)
    model = SkipSteps().eval()
    compiled = ddl.compile(model, (torch.randn(5, 4),))
    skipped = set()
    for seed in range(12):
        torch.manual_seed(seed)
        x = torch.randn(5, 4)
        skipped.add(int((x.mean(1) < 0).sum()))
        with torch.no_grad():
            close(compiled(x), model(x))
    assert len(skipped) >= 3, f"skipped steps per input {sorted(skipped)}"


def test_if_on_a_python_flag_is_resolved_at_capture():
    class Flagged(nn.Module):
        def __init__(self, double):
            super().__init__()
            self.double = double

        def forward(self, x):
            if self.double:
                x = x * 2
            return x

    compiled = ddl.compile(Flagged(True), (torch.randn(4),))
    assert "nn.if" not in compiled.graph
    x = torch.randn(4)
    close(compiled(x), x * 2)


def test_branch_assigning_a_variable_in_one_branch_only():
    def fn(x):
        if x.sum() > 0:
            y = x * 2
        return y  # noqa: F821 (y is unbound when the sum is not positive)

    with pytest.raises(ddl.DataDependentControlFlowError, match="assigned in only one branch"):
        ddl.compile(fn, (torch.randn(4),))


def test_loop_appending_to_a_list_is_refused_with_advice():
    def fn(x):
        out = []
        while x.sum() < 10:
            x = x + 1
            out.append(x)
        return x

    with pytest.raises(ddl.DataDependentControlFlowError, match="torch.cat"):
        ddl.compile(fn, (torch.zeros(4),))


# --------------------------------------------------------------------------
# The same kind of models through ONNX: TorchScript keeps the control flow,
# the exporter writes If / Loop, ddlc imports them as nn.if / nn.loop.


@pytest.mark.parametrize("make, inputs, op", [
    (lambda: Routing(), [torch.randn(3, 16) * 3 for _ in range(8)], "If"),
    (lambda: GatedResNet(), [torch.randn(1, 3, 8, 8) + torch.randn(1, 3, 1, 1) * 3 for _ in range(8)], "If"),
    (lambda: Halting(), [torch.randn(2, 8) * s for s in (0.1, 1.0, 4.0)], "Loop"),
], ids=["routing", "gated_resnet", "halting"])
def test_scripted_control_flow_through_onnx(make, inputs, op, tmp_path):
    from test_regressions import check_onnx

    def has_control_flow(proto):
        assert op in {node.op_type for node in proto.graph.node}, f"the export has no {op}"

    torch.manual_seed(7)
    model = make().eval()
    check_onnx(torch.jit.script(model), (inputs[0],), tmp_path, runs=[(x,) for x in inputs[1:]],
               edit=has_control_flow)


# --------------------------------------------------------------------------
# Shape specialization: static copies for chosen sizes behind size checks.


def test_specialized_sizes_and_other_sizes_match_eager():
    torch.manual_seed(8)
    model = Routing().eval()
    compiled = ddl.compile(model, (torch.randn(3, 16),), dynamic={"x": {0: "batch"}}, specialize={"batch": [1, 4]})
    for batch in (1, 2, 4, 7):
        x = torch.randn(batch, 16) * 3
        with torch.no_grad():
            close(compiled(x), model(x))


def test_specialize_must_name_a_declared_symbol():
    with pytest.raises(ddl.DdlError, match="does not declare"):
        ddl.compile(Routing().eval(), (torch.randn(3, 16),), dynamic={"x": {0: "batch"}}, specialize={"seq": [8]})
    with pytest.raises(ddl.DdlError, match="sizes >= 1"):
        ddl.compile(Routing().eval(), (torch.randn(3, 16),), dynamic={"x": {0: "batch"}}, specialize={"batch": [0]})
