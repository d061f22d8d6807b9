#!/usr/bin/env python3
"""PyTorch recurrent models exported with torch.onnx.export, compiled with
ddlc, run with ddl-run and compared with PyTorch eager (fp32, random
weights, torch.manual_seed per model):

  gru_encoder      seq2seq-style encoder: Embedding(50, 24) -> GRU(24, 32),
                   batch-first, returning the outputs and the final state;
                   opset 14, batch and sequence symbolic (dynamic_axes),
                   one .so run at two shapes
  lstm_encoder     Embedding(50, 24) -> LSTM(24, 32), sequence-first, initial
                   h0 / c0 as graph inputs, returning outputs, h_n and c_n;
                   opset 15
  gru_packed       the GRU encoder over a padded batch of different lengths
                   (pack_padded_sequence(enforce_sorted=False) ->
                   pad_packed_sequence): lengths are a run-time input, the
                   export sorts the batch (TopK), feeds ONNX's
                   sequence_lens and un-sorts the results; opset 16, symbolic
                   batch and sequence
  lstm_packed      the same with an LSTM (outputs, h_n, c_n); opset 17
  bilstm_tagger    Embedding(60, 32) -> 2-layer bidirectional LSTM(32, 48,
                   dropout 0.3, eval mode) -> Linear(96, 9); opset 17,
                   symbolic batch and sequence, one .so run at two shapes

Every output is checked elementwise, |ddl - torch| <= 1e-5 + 1e-4 |torch|
(ONNX's LSTM / GRU equations are PyTorch's; both compute in fp32, so the
differences are rounding only). Padded positions of the packed models are
compared too (PyTorch and ONNX both give zeros there).

    recurrent_models.py --ddlc DDLC --ddl-run DDL_RUN --work DIR
"""

import os
import subprocess
import sys
import warnings

import numpy as np
import onnx
import torch

from tool_args import parse_tool_args

ATOL, RTOL = 1e-5, 1e-4


class Encoder(torch.nn.Module):
    """Embedding -> one-layer GRU / LSTM; returns (outputs, final states...).
    With `packed`, the second input holds each sequence's length."""

    def __init__(self, cell, vocab, embed, hidden, batch_first=True, packed=False,
                 initial=False):
        super().__init__()
        self.cell, self.batch_first, self.packed, self.initial = (
            cell, batch_first, packed, initial)
        self.embed = torch.nn.Embedding(vocab, embed)
        self.rnn = getattr(torch.nn, cell)(embed, hidden, batch_first=batch_first)

    def forward(self, tokens, *extra):
        x = self.embed(tokens)
        if self.packed:
            lengths = extra[0]
            x = torch.nn.utils.rnn.pack_padded_sequence(
                x, lengths, batch_first=self.batch_first, enforce_sorted=False)
            y, state = self.rnn(x)
            y, _ = torch.nn.utils.rnn.pad_packed_sequence(
                y, batch_first=self.batch_first, total_length=tokens.shape[1])
        elif self.initial:
            y, state = self.rnn(x, extra if self.cell == "LSTM" else extra[0])
        else:
            y, state = self.rnn(x)
        return (y,) + (tuple(state) if self.cell == "LSTM" else (state,))


class Tagger(torch.nn.Module):
    """Embedding -> 2-layer bidirectional LSTM -> Linear (per-token tags)."""

    def __init__(self, vocab, embed, hidden, tags):
        super().__init__()
        self.embed = torch.nn.Embedding(vocab, embed)
        self.rnn = torch.nn.LSTM(embed, hidden, num_layers=2, bidirectional=True,
                                 batch_first=True, dropout=0.3)
        self.out = torch.nn.Linear(2 * hidden, tags)

    def forward(self, tokens):
        y, _ = self.rnn(self.embed(tokens))
        return self.out(y)


def tokens(gen, vocab, shape):
    return torch.randint(0, vocab, shape, generator=gen)


def gru_encoder_inputs(gen, batch, seq):
    return {"tokens": tokens(gen, 50, (batch, seq))}


def lstm_encoder_inputs(gen, batch, seq):
    return {"tokens": tokens(gen, 50, (seq, batch)),
            "h0": torch.randn(1, batch, 32, generator=gen),
            "c0": torch.randn(1, batch, 32, generator=gen)}


def packed_inputs(lengths):
    def make(gen, batch, seq):
        assert len(lengths) == batch and max(lengths) == seq
        return {"tokens": tokens(gen, 50, (batch, seq)),
                "lengths": torch.tensor(lengths, dtype=torch.int64)}
    return make


def tagger_inputs(gen, batch, seq):
    return {"tokens": tokens(gen, 60, (batch, seq))}


ENC_OUT = ["outputs", "h_n"]
LSTM_OUT = ["outputs", "h_n", "c_n"]
# name, model factory, inputs factory, output names, opset, dynamic axes,
# shapes (batch, seq) to run at (the first is the export's).
CASES = [
    ("gru_encoder", lambda: Encoder("GRU", 50, 24, 32), gru_encoder_inputs, ENC_OUT, 14,
     {"tokens": {0: "batch", 1: "seq"}, "outputs": {0: "batch", 1: "seq"}, "h_n": {1: "batch"}},
     [(3, 11), (5, 17)]),
    ("lstm_encoder", lambda: Encoder("LSTM", 50, 24, 32, batch_first=False, initial=True),
     lstm_encoder_inputs, LSTM_OUT, 15, None, [(4, 13)]),
    ("gru_packed", lambda: Encoder("GRU", 50, 24, 32, packed=True), packed_inputs([7, 12, 3, 9]),
     ENC_OUT, 16,
     {"tokens": {0: "batch", 1: "seq"}, "lengths": {0: "batch"}, "outputs": {0: "batch", 1: "seq"},
      "h_n": {1: "batch"}},
     [(4, 12)]),
    ("lstm_packed", lambda: Encoder("LSTM", 50, 24, 32, packed=True), packed_inputs([5, 10, 10, 1, 8]),
     LSTM_OUT, 17, None, [(5, 10)]),
    ("bilstm_tagger", lambda: Tagger(60, 32, 48, 9), tagger_inputs, ["tags"], 17,
     {"tokens": {0: "batch", 1: "seq"}, "tags": {0: "batch", 1: "seq"}}, [(2, 15), (6, 21)]),
]


def export(model, inputs, names, opset, dynamic_axes, path):
    with warnings.catch_warnings():
        # The exporter warns about batch sizes and shape inference of
        # prim:: ops; the check below is on the numbers.
        warnings.simplefilter("ignore")
        torch.onnx.export(model, tuple(inputs.values()), path, opset_version=opset,
                          input_names=list(inputs), output_names=names,
                          dynamic_axes=dynamic_axes or {})
    onnx.checker.check_model(onnx.load(path))


def run_ddl(args, so, inputs, names, stem):
    out = os.path.join(args.work, stem + "_out")
    cmd = [args.ddl_run, so, "--output-dir", out]
    for name, value in inputs.items():
        npy = os.path.join(args.work, f"{stem}_{name}.npy")
        np.save(npy, value.numpy())
        cmd += ["--input", f"{name}={npy}"]
    subprocess.run(cmd, check=True, capture_output=True)
    return [np.load(os.path.join(out, n + ".npy")) for n in names]


def main():
    args = parse_tool_args(__doc__)
    torch.set_num_threads(1)
    failed = total = 0
    for k, (name, factory, make_inputs, names, opset, dynamic, shapes) in enumerate(CASES):
        torch.manual_seed(100 + k)
        model = factory().eval()
        gen = torch.Generator().manual_seed(k)
        path = os.path.join(args.work, name + ".onnx")
        so = os.path.join(args.work, name + ".so")
        export(model, make_inputs(gen, *shapes[0]), names, opset, dynamic, path)
        subprocess.run([args.ddlc, path, "-o", so], check=True)
        for batch, seq in shapes:
            inputs = make_inputs(gen, batch, seq)
            with torch.no_grad():
                result = model(*inputs.values())
            if isinstance(result, torch.Tensor):
                result = (result,)
            want = [t.numpy() for t in result]
            got = run_ddl(args, so, inputs, names, f"{name}_{batch}x{seq}")
            ok, errors = True, []
            for n, g, w in zip(names, got, want):
                good = g.shape == w.shape and bool(np.all(np.abs(g - w) <= ATOL + RTOL * np.abs(w)))
                err = float(np.abs(g - w).max()) if g.shape == w.shape else float("inf")
                ok &= good
                errors.append(f"{n} {err:.1e}")
            total += 1
            failed += not ok
            print(f"{'PASS' if ok else 'FAIL'} {name} opset {opset} batch {batch} seq {seq}: "
                  f"max abs error " + ", ".join(errors))
    print(f"recurrent_models: {total - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
