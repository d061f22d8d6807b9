#!/usr/bin/env python3
"""CPU latency of dynamic networks (Python control flow on tensor values):
ddl side by side with PyTorch eager.

The models are the dynamic-network suite of the PyTorch frontend's tests
(frontends/pytorch/tests/test_dynamic.py: early-exit encoder, gated
ResNet, routing, MoE top-2 of 8, greedy decoder, adaptive computation
RNN, variable-length RNN), at the sizes below, random weights
(torch.manual_seed(0)). Each is compiled once with `ddl.compile` (nn.if /
nn.loop for the control flow; freeze=True: weights are constants, as for
deployment); its input mix (--mix inputs, seeds 0..)
takes every path, and the script checks ddl's outputs against eager's on
every input of the mix before timing (a mismatch prints **wrong output**
and exits 1).

Each of --rounds rounds (default 5) runs the whole mix --repeat times
(default 5) through eager and through ddl, with --threads threads
(default 2: torch.set_num_threads and ddl's pool); the table gives the
median over rounds of the mean time per input, and eager / ddl (above 1:
ddl is faster), with the geometric mean.

    DDL_BUILD_DIR=build PYTHONPATH=frontends/pytorch /usr/bin/python3 bench/dynamic.py \
        [--models early_exit moe ...] [--mix 16] [--rounds 5] [--repeat 5] [--threads 2]

--no-freeze compiles with the parameters passed at each call (ddl.compile's
default) instead of as constants.

--gate-overhead times the gated ResNet (4 blocks, 64 channels, 64x64)
with gates that always pass against the same blocks without gates: what
compiling sub-networks inside nn.if regions costs (medians of --rounds
rounds of 20 calls).

--torch-compile adds torch.compile (inductor, torch 2.x) in the same rounds,
warmed up on the whole mix first, with "graphs / breaks": the graphs
dynamo compiled over the mix (0: torch.compile ran the model eagerly) and
the graph breaks torch._dynamo.explain counts on the first input.

--specialization instead times shape specialization on a transformer
encoder (nn.TransformerEncoder, --layers 2 of d 128, 4 heads, FFN 512,
dynamic batch and sequence): compiled once generic and once with
specialize={"batch": --batches, "seq": --seqs} (every combination a static
copy behind size checks), each (batch, seq) warmed up and timed on both
in the same rounds of about 0.3 s (medians of --rounds), with generic /
specialized (above 1: specialization helps) and the compile times.
"""

import argparse
import datetime
import math
import os
import statistics
import sys
import time

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "frontends", "pytorch"))
sys.path.insert(0, os.path.join(HERE, "..", "frontends", "pytorch", "tests"))

import ddl  # noqa: E402
import test_dynamic as suite  # noqa: E402


def _mix(make, count):
    out = []
    for seed in range(count):
        torch.manual_seed(1000 + seed)
        out.append(make(seed))
    return out


# name -> (model factory, example inputs, dynamic, input factory(seed))
MODELS = {
    "early_exit": (
        lambda: suite.EarlyExitEncoder(layers=6, dim=128, heads=4, classes=4, threshold=0.6),
        (torch.randn(1, 64, 128),), {"x": {1: "seq"}},
        lambda seed: (torch.randn(1, (32, 64, 128)[seed % 3], 128) * (0.5 + seed % 5),),
    ),
    "gated_resnet": (
        lambda: suite.GatedResNet(channels=32, blocks=4),
        (torch.randn(1, 3, 32, 32),), None,
        lambda seed: (torch.randn(1, 3, 32, 32) + torch.randn(1, 3, 1, 1) * 3,),
    ),
    "routing": (
        lambda: suite.Routing(dim=256),
        (torch.randn(8, 256),), {"x": {0: "batch"}},
        lambda seed: (torch.randn(1 + seed % 16, 256) * 3,),
    ),
    "moe": (
        lambda: suite.MoEBlock(dim=128, experts=8, hidden=256),
        (torch.randn(64, 128),), {"x": {0: "tokens"}},
        lambda seed: (torch.randn((16, 64, 128)[seed % 3], 128),),
    ),
    "greedy_decoder": (
        lambda: suite.GreedyDecoder(vocab=64, dim=128, eos=3, max_len=24),
        (torch.randn(1, 128),), None,
        lambda seed: (torch.randn(1, 128) * 2,),
    ),
    "adaptive_rnn": (
        lambda: suite.AdaptiveRNN(dim=64, max_ponder=8),
        (torch.randn(8, 1, 64),), None,
        lambda seed: (torch.randn(8, 1, 64) * (1 + seed % 4),),
    ),
    "variable_length_rnn": (
        lambda: suite.VariableLengthRNN(dim=128),
        (torch.randn(2, 16, 128),), {"x": {0: "batch", 1: "length"}},
        lambda seed: (torch.randn(1 + seed % 4, (8, 32, 64)[seed % 3], 128),),
    ),
}


def _time(fn, inputs, repeat):
    start = time.perf_counter()
    for _ in range(repeat):
        for args in inputs:
            fn(*args)
    return (time.perf_counter() - start) / (repeat * len(inputs))


def _same(a, b):
    if isinstance(a, (tuple, list)):
        return all(_same(x, y) for x, y in zip(a, b))
    if a.dtype in (torch.int64, torch.int32, torch.bool):
        return torch.equal(a, b)
    return a.shape == b.shape and bool(torch.allclose(a, b, rtol=1e-4, atol=1e-4))


def gate_overhead(args):
    """What compiling blocks inside nn.if regions costs: the gated ResNet
    with gates that always pass vs the same blocks without gates."""

    class Ungated(suite.GatedResNet):
        def forward(self, x):
            x = torch.relu(self.stem(x))
            for block in self.blocks:
                x = torch.relu(block(x) + x)
            return self.head(x.mean((2, 3)))

    class AlwaysGated(suite.GatedResNet):
        def forward(self, x):
            x = torch.relu(self.stem(x))
            for block, gate in zip(self.blocks, self.gates):
                if torch.sigmoid(gate(x.mean((2, 3)))).mean() > -1.0:
                    x = torch.relu(block(x) + x)
            return self.head(x.mean((2, 3)))

    x = (torch.randn(1, 3, 64, 64),)
    times = {}
    for cls in (Ungated, AlwaysGated):
        torch.manual_seed(0)
        model = cls(channels=64, blocks=4).eval()
        compiled = ddl.compile(model, x, threads=args.threads, freeze=True)
        with torch.no_grad():
            if not _same(compiled(*x), model(*x)):
                print(f"{cls.__name__}: **wrong output**")
                return 1
        for _ in range(3):
            compiled(*x)
        times[cls.__name__] = statistics.median(_time(compiled, [x], 20) for _ in range(args.rounds))
    print(f"# gate overhead, 4 residual blocks of 64 channels at 64x64, {args.threads} threads, "
          f"{datetime.date.today()}: ungated {times['Ungated'] * 1e3:.3f} ms, always-passing gates "
          f"{times['AlwaysGated'] * 1e3:.3f} ms, ratio {times['AlwaysGated'] / times['Ungated']:.3f}")
    return 0


def specialization(args):
    torch.manual_seed(0)
    layer = torch.nn.TransformerEncoderLayer(128, 4, 512, dropout=0.0, batch_first=True)
    model = torch.nn.TransformerEncoder(layer, args.layers).eval()
    dynamic = {"src": {0: "batch", 1: "seq"}}
    example = (torch.randn(2, 16, 128),)
    start = time.perf_counter()
    generic = ddl.compile(model, example, dynamic, threads=args.threads, freeze=True)
    generic_seconds = time.perf_counter() - start
    start = time.perf_counter()
    special = ddl.compile(model, example, dynamic, threads=args.threads, freeze=True,
                          specialize={"batch": args.batches, "seq": args.seqs})
    special_seconds = time.perf_counter() - start
    print(f"# shape specialization, encoder {args.layers} x d 128, CPU, {args.threads} threads, "
          f"{datetime.date.today()}; compile: generic {generic_seconds:.1f} s, specialized "
          f"({len(args.batches) * len(args.seqs)} copies + generic) {special_seconds:.1f} s")
    print("| batch | seq | generic ms | specialized ms | generic / specialized |")
    print("|---|---|---|---|---|")
    ratios, wrong = [], False
    for batch in args.batches:
        for seq in args.seqs:
            x = (torch.randn(batch, seq, 128),)
            with torch.no_grad():
                expected = model(*x)
                if not (_same(generic(*x), expected) and _same(special(*x), expected)):
                    print(f"| {batch} | {seq} | **wrong output** | | |")
                    wrong = True
                    continue
                # Warm up (first-touch of the arena), then rounds of about
                # 0.3 s each (at least --repeat calls).
                for _ in range(3):
                    generic(*x)
                    special(*x)
                one = _time(generic, [x], 1)
                repeat = max(args.repeat, int(0.3 / max(one, 1e-6)))
                g, sp = [], []
                for _ in range(args.rounds):
                    g.append(_time(generic, [x], repeat))
                    sp.append(_time(special, [x], repeat))
            a, b = statistics.median(g), statistics.median(sp)
            ratios.append(a / b)
            print(f"| {batch} | {seq} | {a * 1e3:.3f} | {b * 1e3:.3f} | {a / b:.2f}x |", flush=True)
    if ratios:
        geomean = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
        print(f"\ngeometric mean generic / specialized: {geomean:.2f}x")
    return 1 if wrong else 0


def _torch_compiled(model, inputs):
    """(torch.compile(model) warmed up on every input of the mix, "G / B"),
    or (None, why) when it fails. G is the number of graphs dynamo
    compiled over the whole mix (0: every call ran eagerly), B the graph
    breaks torch._dynamo.explain counts on the first input (explain
    reports -1 when it captures no graph)."""
    try:
        import torch._dynamo as dynamo
        from torch._dynamo.utils import counters

        explained = dynamo.explain(model)(*inputs[0])
        breaks = explained.graph_break_count
        dynamo.reset()
        counters.clear()
        peer = torch.compile(model)
        for x in inputs:  # compiles (and recompiles for new shapes) outside the timing
            peer(*x)
        graphs = counters["stats"]["unique_graphs"]
        return peer, f"{graphs} / {breaks}"
    except Exception as e:  # noqa: BLE001 (report any compiler failure as a row)
        return None, f"{type(e).__name__}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", nargs="+", default=list(MODELS), choices=list(MODELS))
    parser.add_argument("--mix", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--specialization", action="store_true")
    parser.add_argument("--gate-overhead", action="store_true")
    parser.add_argument("--no-freeze", action="store_true",
                        help="pass the parameters at each call (ddl.compile's default) instead of freezing them")
    parser.add_argument("--torch-compile", action="store_true",
                        help="also time torch.compile (torch 2.x, inductor on the CPU)")
    parser.add_argument("--layers", type=int, default=2)
    parser.add_argument("--batches", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--seqs", type=int, nargs="+", default=[16, 64, 128, 512])
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if args.specialization:
        return specialization(args)
    if args.gate_overhead:
        return gate_overhead(args)
    print(f"# dynamic networks, CPU, {args.threads} threads, {datetime.date.today()}, torch {torch.__version__}")
    if args.torch_compile:
        print("| model | inputs | eager ms | ddl ms | eager / ddl | torch.compile ms | graphs / breaks | "
              "torch.compile / ddl |")
        print("|---|---|---|---|---|---|---|---|")
    else:
        print("| model | inputs | eager ms | ddl ms | eager / ddl |")
        print("|---|---|---|---|---|")
    ratios, wrong = [], False
    for name in args.models:
        factory, example, dynamic, make = MODELS[name]
        torch.manual_seed(0)
        model = factory().eval()
        compiled = ddl.compile(model, example, dynamic, threads=args.threads, freeze=not args.no_freeze)
        inputs = _mix(make, args.mix)
        with torch.no_grad():
            for x in inputs:
                if not _same(compiled(*x), model(*x)):
                    wrong = True
                    print(f"| {name} | **wrong output** | | | |")
                    break
            else:
                peer, breaks = (_torch_compiled(model, inputs) if args.torch_compile else (None, None))
                eager, ours, inductor = [], [], []
                for _ in range(args.rounds):
                    eager.append(_time(model, inputs, args.repeat))
                    ours.append(_time(compiled, inputs, args.repeat))
                    if peer is not None:
                        inductor.append(_time(peer, inputs, args.repeat))
                e, d = statistics.median(eager), statistics.median(ours)
                ratios.append(e / d)
                row = f"| {name} | {len(inputs)} | {e * 1e3:.3f} | {d * 1e3:.3f} | {e / d:.2f}x |"
                if args.torch_compile:
                    if peer is None:
                        row += f" failed | {breaks} | |"
                    else:
                        t = statistics.median(inductor)
                        row += f" {t * 1e3:.3f} | {breaks} | {t / d:.2f}x |"
                print(row, flush=True)
    if ratios:
        geomean = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
        print(f"\ngeometric mean eager / ddl: {geomean:.2f}x over {len(ratios)} models")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
