#!/usr/bin/env python3
"""ONNX RNN, GRU and LSTM in the forms the node suite does not cover,
against a float64 NumPy implementation of the ONNX operator definitions:

  lstm_bidir      bidirectional, per-entry sequence_lens [6, 3, 1] (run-time
                  input), initial h and c, peepholes, biases, clip 2
  lstm_reverse    reverse, batch-first (layout 1), sequence_lens [2, 5]
  gru_bidir_lbr   bidirectional, linear_before_reset 1 (PyTorch's GRU),
                  sequence_lens [4, 6, 2], initial h
  gru_reverse     reverse, linear_before_reset 0, layout 1, no biases
  rnn_activations bidirectional RNN with LeakyRelu (alpha 0.1) forward and
                  HardSigmoid (alpha 0.3, beta 0.6) reverse: activation_alpha
                  and _beta consumed in order by the activations that take
                  them
  gru_activations GRU with activations Affine (0.5, 0.1) / ScaledTanh
                  (1.5, 0.8): f and g replaced

Every output (Y, Y_h, and Y_c for LSTM) of every node is checked
(atol 1e-5 + rtol 1e-4, fp32 kernel against float64 of the same inputs).
One model holds all nodes; it is compiled with ddlc and run with ddl-run.

    recurrent.py --ddlc DDLC --ddl-run DDL_RUN --work DIR
"""

import sys

import numpy as np
import onnx
from onnx import TensorProto, helper

from tool_args import compile_and_run, parse_tool_args

ATOL, RTOL = 1e-5, 1e-4


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def activation(name, alpha, beta):
    return {
        "Tanh": np.tanh,
        "Sigmoid": sigmoid,
        "Relu": lambda x: np.maximum(x, 0),
        "LeakyRelu": lambda x: np.where(x >= 0, x, alpha * x),
        "HardSigmoid": lambda x: np.clip(alpha * x + beta, 0, 1),
        "Affine": lambda x: alpha * x + beta,
        "ScaledTanh": lambda x: alpha * np.tanh(beta * x),
    }[name]


class Case:
    def __init__(self, name, op, seq, batch, inp, hidden, direction="forward", layout=0,
                 lens=None, initial=False, peepholes=False, bias=True, clip=None, lbr=0,
                 activations=None, alphas=None, betas=None, seed=0):
        self.name, self.op = name, op
        self.seq, self.batch, self.inp, self.hidden = seq, batch, inp, hidden
        self.direction, self.layout, self.lens = direction, layout, lens
        self.initial, self.peepholes, self.bias, self.clip, self.lbr = (
            initial, peepholes, bias, clip, lbr)
        self.activations, self.alphas, self.betas = activations, alphas, betas
        self.dirs = 2 if direction == "bidirectional" else 1
        self.gates = {"RNN": 1, "GRU": 3, "LSTM": 4}[op]
        rng = np.random.default_rng(seed)

        def rand(*shape, scale=0.5):
            return (rng.standard_normal(shape) * scale).astype(np.float32)
        G, H, D = self.gates, hidden, self.dirs
        x = rand(seq, batch, inp, scale=1.0)
        self.feeds = {"X": x.transpose(1, 0, 2).copy() if layout else x,
                      "W": rand(D, G * H, inp), "R": rand(D, G * H, H)}
        if bias:
            self.feeds["B"] = rand(D, 2 * G * H)
        if lens is not None:
            self.feeds["sequence_lens"] = np.array(lens, np.int32)
        if initial:
            h0 = rand(D, batch, H, scale=1.0)
            self.feeds["initial_h"] = h0.transpose(1, 0, 2).copy() if layout else h0
            if op == "LSTM":
                c0 = rand(D, batch, H, scale=1.0)
                self.feeds["initial_c"] = c0.transpose(1, 0, 2).copy() if layout else c0
        if peepholes:
            self.feeds["P"] = rand(D, 3 * H)

    def input_names(self):
        order = ["X", "W", "R", "B", "sequence_lens", "initial_h"]
        if self.op == "LSTM":
            order += ["initial_c", "P"]
        names = [f"{self.name}_{n}" if n in self.feeds else "" for n in order]
        while names and not names[-1]:
            names.pop()
        return names

    def output_names(self):
        outs = ["Y", "Y_h"] + (["Y_c"] if self.op == "LSTM" else [])
        return [f"{self.name}_{n}" for n in outs]

    def node(self):
        attrs = {"hidden_size": self.hidden, "direction": self.direction}
        if self.layout:
            attrs["layout"] = 1
        if self.clip is not None:
            attrs["clip"] = self.clip
        if self.op == "GRU":
            attrs["linear_before_reset"] = self.lbr
        if self.activations:
            attrs["activations"] = self.activations
        if self.alphas:
            attrs["activation_alpha"] = self.alphas
        if self.betas:
            attrs["activation_beta"] = self.betas
        return helper.make_node(self.op, self.input_names(), self.output_names(),
                                name=self.name, **attrs)

    def functions(self):
        """Per direction, the activation functions (f[, g[, h]])."""
        per = {"RNN": ["Tanh"], "GRU": ["Sigmoid", "Tanh"],
               "LSTM": ["Sigmoid", "Tanh", "Tanh"]}[self.op]
        names = self.activations or per * self.dirs
        defaults = {"LeakyRelu": (0.01, None), "HardSigmoid": (0.2, 0.5),
                    "Affine": (1.0, 0.0), "ScaledTanh": (1.0, 1.0)}
        alphas, betas = list(self.alphas or []), list(self.betas or [])
        funcs = []
        for name in names:
            alpha, beta = defaults.get(name, (None, None))
            if alpha is not None and alphas:
                alpha = alphas.pop(0)
            if beta is not None and betas:
                beta = betas.pop(0)
            funcs.append(activation(name, alpha, beta))
        k = len(per)
        return [funcs[d * k:(d + 1) * k] for d in range(self.dirs)]

    def reference(self):
        """Y [seq, dirs, batch, H], Y_h, Y_c [dirs, batch, H] (float64;
        batch-first when layout is 1)."""
        f64 = {k: v.astype(np.float64) for k, v in self.feeds.items()}
        x = f64["X"].transpose(1, 0, 2) if self.layout else f64["X"]
        S, Bn, H, G = self.seq, self.batch, self.hidden, self.gates
        lens = self.lens or [S] * Bn
        y = np.zeros((S, self.dirs, Bn, H))
        yh = np.zeros((self.dirs, Bn, H))
        yc = np.zeros((self.dirs, Bn, H))
        clip = (lambda v: np.clip(v, -self.clip, self.clip)) if self.clip else (lambda v: v)
        for d, funcs in enumerate(self.functions()):
            W, R = f64["W"][d], f64["R"][d]
            Bv = f64["B"][d] if self.bias else np.zeros(2 * G * H)
            wb, rb = Bv[:G * H], Bv[G * H:]
            P = f64["P"][d] if self.peepholes else np.zeros(3 * H)
            init = {}
            for k in ("initial_h", "initial_c"):
                if k in f64:
                    v = f64[k].transpose(1, 0, 2) if self.layout else f64[k]
                    init[k] = v[d]
            reverse = self.direction == "reverse" or d == 1
            for b in range(Bn):
                h = init["initial_h"][b] if "initial_h" in init else np.zeros(H)
                c = init["initial_c"][b] if "initial_c" in init else np.zeros(H)
                steps = range(lens[b] - 1, -1, -1) if reverse else range(lens[b])
                for t in steps:
                    xt = x[t, b]
                    if self.op == "RNN":
                        h = funcs[0](clip(xt @ W.T + h @ R.T + wb + rb))
                    elif self.op == "GRU":
                        z = funcs[0](clip(xt @ W[:H].T + h @ R[:H].T + wb[:H] + rb[:H]))
                        r = funcs[0](clip(xt @ W[H:2 * H].T + h @ R[H:2 * H].T
                                          + wb[H:2 * H] + rb[H:2 * H]))
                        if self.lbr:
                            pre = xt @ W[2 * H:].T + r * (h @ R[2 * H:].T + rb[2 * H:]) + wb[2 * H:]
                        else:
                            pre = xt @ W[2 * H:].T + (r * h) @ R[2 * H:].T + rb[2 * H:] + wb[2 * H:]
                        hc = funcs[1](clip(pre))
                        h = (1 - z) * hc + z * h
                    else:
                        g = xt @ W.T + h @ R.T + wb + rb
                        i = funcs[0](clip(g[:H] + P[:H] * c))
                        fg = funcs[0](clip(g[2 * H:3 * H] + P[2 * H:] * c))
                        cc = funcs[1](clip(g[3 * H:]))
                        c = fg * c + i * cc
                        o = funcs[0](clip(g[H:2 * H] + P[H:2 * H] * c))
                        h = o * funcs[2](c)
                    y[t, d, b] = h
                yh[d, b], yc[d, b] = h, c
        if self.layout:
            y, yh, yc = y.transpose(2, 0, 1, 3), yh.transpose(1, 0, 2), yc.transpose(1, 0, 2)
        out = {f"{self.name}_Y": y, f"{self.name}_Y_h": yh}
        if self.op == "LSTM":
            out[f"{self.name}_Y_c"] = yc
        return out


CASES = [
    Case("lstm_bidir", "LSTM", 6, 3, 4, 5, "bidirectional", lens=[6, 3, 1], initial=True,
         peepholes=True, clip=2.0, seed=1),
    Case("lstm_reverse", "LSTM", 5, 2, 3, 4, "reverse", layout=1, lens=[2, 5], seed=2),
    Case("gru_bidir_lbr", "GRU", 6, 3, 4, 5, "bidirectional", lens=[4, 6, 2], initial=True,
         lbr=1, seed=3),
    Case("gru_reverse", "GRU", 4, 2, 3, 3, "reverse", layout=1, bias=False, seed=4),
    Case("rnn_activations", "RNN", 5, 2, 3, 4, "bidirectional",
         activations=["LeakyRelu", "HardSigmoid"], alphas=[0.1, 0.3], betas=[0.6], seed=5),
    Case("gru_activations", "GRU", 4, 2, 3, 4, activations=["Affine", "ScaledTanh"],
         alphas=[0.5, 1.5], betas=[0.1, 0.8], initial=True, seed=6),
]


def main():
    args = parse_tool_args(__doc__)
    nodes, inputs, outputs, feeds, want = [], [], [], {}, {}
    for case in CASES:
        nodes.append(case.node())
        for name, value in case.feeds.items():
            full = f"{case.name}_{name}"
            feeds[full] = value
            elem = TensorProto.INT32 if value.dtype == np.int32 else TensorProto.FLOAT
            inputs.append(helper.make_tensor_value_info(full, elem, list(value.shape)))
        for name, value in case.reference().items():
            want[name] = value
            outputs.append(helper.make_tensor_value_info(name, TensorProto.FLOAT,
                                                         list(value.shape)))
    model = helper.make_model(helper.make_graph(nodes, "recurrent", inputs, outputs),
                              opset_imports=[helper.make_opsetid("", 14)])
    onnx.checker.check_model(model)
    results = compile_and_run(args, model, feeds, "recurrent")

    failed = 0
    for case in CASES:
        errors, ok = [], True
        for name in case.output_names():
            got = results[name]
            ref = want[name]
            good = got.shape == ref.shape and np.allclose(got, ref, atol=ATOL, rtol=RTOL)
            err = float(np.abs(got - ref).max()) if got.shape == ref.shape else float("inf")
            ok &= good
            errors.append(f"{name[len(case.name) + 1:]} {err:.1e}")
        failed += not ok
        print(f"{'PASS' if ok else 'FAIL'} {case.name}: max abs error " + ", ".join(errors))
    print(f"recurrent: {len(CASES) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
