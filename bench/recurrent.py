#!/usr/bin/env python3
"""CPU latency of recurrent networks: ddl side by side with ONNX Runtime.

Models (random weights, torch.manual_seed(0), fp32, exported with
torch.onnx.export at opset 14 with static shapes, input `tokens` int64
[batch, seq] in [0, 1000)):

  gru_encoder     Embedding(1000, E) -> GRU(E, H), batch-first; outputs
                  [batch, seq, H] and h_n (a seq2seq encoder)
  lstm_encoder    Embedding(1000, E) -> LSTM(E, H); outputs, h_n, c_n
  bilstm_tagger   Embedding(1000, E) -> 2-layer bidirectional LSTM(E, H)
                  -> Linear(2H, 32)

E = H = --hidden (default 256 and 512 for the encoders, --tagger-hidden
256 for the tagger), --seq (default 128), at each --batch (default 1 16).
For each model the script compiles the export with ddlc, checks ddl's
outputs against PyTorch eager (|ddl - torch| <= 1e-5 + 1e-4 |torch|, else
the row says **wrong output** and the script exits 1), then runs --rounds
rounds (default 3), each timing, with the same thread count (default 2):

  ddl   `ddl-run model.so --benchmark N --threads T` (one untimed warm-up,
        then N runs; its p50)
  ORT   ONNX Runtime 1.30, CPU execution provider, all graph optimizations,
        through onnxruntime-node (bench/ort_latency.js: one warm-up, N
        runs; `npm install --ignore-scripts` in bench/ once)

The table gives, per model, the median over the rounds of each peer's p50,
and ddl / ORT (below 1: ddl is faster), with the geometric mean of the
ratios. --ddlc-b DDLC also compiles every model with a second ddlc (e.g.
the main branch's, for an A/B of a compiler change; --ddl-run-b runs its
models), checks it the same way and times it in the same rounds (column
"ddl B"). --json FILE also writes
the numbers.

    /usr/bin/python3 bench/recurrent.py --ddlc build/bin/ddlc \
        --ddl-run build/bin/ddl-run [--batch 1 16] [--seq 128] \
        [--hidden 256 512] [--tagger-hidden 256] [--models gru_encoder ...] \
        [--runs 20] [--rounds 3] [--threads 2] [--ddlc-b OTHER_DDLC] \
        [--ddl-run-b OTHER_DDL_RUN] [--json out.json]
"""

import argparse
import datetime
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import warnings

import numpy as np
import torch

from cpu_latency import parse_ddl_benchmark, percentile

HERE = os.path.dirname(os.path.abspath(__file__))
VOCAB = 1000
ATOL, RTOL = 1e-5, 1e-4


class Encoder(torch.nn.Module):
    def __init__(self, cell, hidden):
        super().__init__()
        self.cell = cell
        self.embed = torch.nn.Embedding(VOCAB, hidden)
        self.rnn = getattr(torch.nn, cell)(hidden, hidden, batch_first=True)

    def forward(self, tokens):
        y, state = self.rnn(self.embed(tokens))
        return (y,) + (tuple(state) if self.cell == "LSTM" else (state,))


class Tagger(torch.nn.Module):
    def __init__(self, hidden, tags=32):
        super().__init__()
        self.embed = torch.nn.Embedding(VOCAB, hidden)
        self.rnn = torch.nn.LSTM(hidden, hidden, num_layers=2, bidirectional=True,
                                 batch_first=True)
        self.out = torch.nn.Linear(2 * hidden, tags)

    def forward(self, tokens):
        y, _ = self.rnn(self.embed(tokens))
        return (self.out(y),)


OUTPUTS = {"gru_encoder": ["outputs", "h_n"], "lstm_encoder": ["outputs", "h_n", "c_n"],
           "bilstm_tagger": ["tags"]}


def build(name, hidden):
    torch.manual_seed(0)
    if name == "gru_encoder":
        return Encoder("GRU", hidden).eval()
    if name == "lstm_encoder":
        return Encoder("LSTM", hidden).eval()
    return Tagger(hidden).eval()


def export(model, tokens, names, path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, (tokens,), path, opset_version=14, input_names=["tokens"],
                          output_names=names)


def time_ddl(args, ddl_run, so, tok_path, out_dir):
    proc = subprocess.run([ddl_run, so, "--input", f"tokens={tok_path}",
                           "--benchmark", str(args.runs), "--threads", str(args.threads),
                           "--output-dir", out_dir],
                          capture_output=True, text=True, errors="replace")
    if proc.returncode != 0:
        raise RuntimeError(f"ddl-run failed:\n{proc.stderr[-2000:]}")
    return parse_ddl_benchmark(proc.stdout)["p50_ms"]


def time_ort(args, onnx_path, shape):
    proc = subprocess.run([args.node, os.path.join(HERE, "ort_latency.js"), onnx_path,
                           "--runs", str(args.runs), "--threads", str(args.threads),
                           "--input", "tokens=" + ",".join(map(str, shape)) + f":int64:{VOCAB}"],
                          capture_output=True, text=True, errors="replace")
    if proc.returncode != 0:
        raise RuntimeError(f"ONNX Runtime failed:\n{proc.stderr[-2000:]}")
    r = json.loads(proc.stdout.strip().splitlines()[-1])
    return percentile(r["times_ms"], 50)


def bench_one(args, tmp, name, hidden, batch):
    label = f"{name} H={hidden} batch {batch} seq {args.seq}"
    stem = os.path.join(tmp, f"{name}_{hidden}_{batch}")
    model = build(name, hidden)
    tokens = torch.randint(0, VOCAB, (batch, args.seq), generator=torch.Generator().manual_seed(1))
    names = OUTPUTS[name]
    export(model, tokens, names, stem + ".onnx")
    builds = [("ddl", args.ddlc, args.ddl_run)]
    if args.ddlc_b:
        builds.append(("ddl_b", args.ddlc_b, args.ddl_run_b or args.ddl_run))
    for key, ddlc, _ in builds:
        proc = subprocess.run([ddlc, stem + ".onnx", "-o", f"{stem}_{key}.so"],
                              capture_output=True, text=True, errors="replace")
        if proc.returncode != 0:
            raise RuntimeError(f"{ddlc} failed on {label}:\n{proc.stderr[-2000:]}")
    np.save(stem + "_tokens.npy", tokens.numpy())
    with torch.no_grad():
        want = [t.numpy() for t in model(tokens)]
    p50s = {key: [] for key, _, _ in builds}
    p50s["ort"] = []
    for _ in range(args.rounds):
        for key, _, ddl_run in builds:
            p50s[key].append(time_ddl(args, ddl_run, f"{stem}_{key}.so", stem + "_tokens.npy",
                                      f"{stem}_{key}_out"))
        p50s["ort"].append(time_ort(args, stem + ".onnx", tuple(tokens.shape)))
    row = {"model": label, "p50s": p50s}
    for key, _, _ in builds:
        worst, ok = 0.0, True
        for n, w in zip(names, want):
            g = np.load(os.path.join(f"{stem}_{key}_out", n + ".npy"))
            if g.shape != w.shape:
                ok, worst = False, float("inf")
                continue
            ok &= bool(np.all(np.abs(g - w) <= ATOL + RTOL * np.abs(w)))
            worst = max(worst, float(np.abs(g - w).max()))
        row[key] = {"ok": ok, "max_abs_err": worst, "ms": statistics.median(p50s[key])}
    row["ort_ms"] = statistics.median(p50s["ort"])
    print(f"  {label}: " + ", ".join(
        f"{key} {row[key]['ms']:.2f} ms ({'ok' if row[key]['ok'] else 'WRONG'}, "
        f"max abs err {row[key]['max_abs_err']:.1e})" for key, _, _ in builds) +
        f", ORT {row['ort_ms']:.2f} ms", file=sys.stderr, flush=True)
    return row


def markdown(rows, args):
    b = bool(args.ddlc_b)
    head = "| model | ddl p50 (ms) |" + (" ddl B p50 (ms) |" if b else "") + \
        " ONNX Runtime 1.30 p50 (ms) | ddl / ORT |" + (" ddl B / ORT |" if b else "")
    lines = [head, "|---|---|---|---|" + ("---|---|" if b else "")]

    def cell(d):
        wrong = "" if d["ok"] else f" **wrong output, max abs error {d['max_abs_err']:.1e}**"
        return f"{d['ms']:.2f}{wrong}"
    for r in rows:
        line = f"| {r['model']} | {cell(r['ddl'])} |"
        if b:
            line += f" {cell(r['ddl_b'])} |"
        line += f" {r['ort_ms']:.2f} | {r['ddl']['ms'] / r['ort_ms']:.2f}x |"
        if b:
            line += f" {r['ddl_b']['ms'] / r['ort_ms']:.2f}x |"
        lines.append(line)
    if rows:
        def geo(key):
            return math.exp(sum(math.log(r[key]["ms"] / r["ort_ms"]) for r in rows) / len(rows))
        line = f"| geometric mean ({len(rows)} rows) | |" + (" |" if b else "") + \
            f" | {geo('ddl'):.2f}x |"
        if b:
            line += f" {geo('ddl_b'):.2f}x |"
        lines.append(line)
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ddlc", default=os.path.join(HERE, "..", "build", "bin", "ddlc"))
    parser.add_argument("--ddl-run", dest="ddl_run",
                        default=os.path.join(HERE, "..", "build", "bin", "ddl-run"))
    parser.add_argument("--node", default=shutil.which("node") or "node")
    parser.add_argument("--models", nargs="+", default=list(OUTPUTS), choices=list(OUTPUTS))
    parser.add_argument("--batch", type=int, nargs="+", default=[1, 16])
    parser.add_argument("--seq", type=int, default=128)
    parser.add_argument("--hidden", type=int, nargs="+", default=[256, 512],
                        help="E = H of the encoders (default 256 512)")
    parser.add_argument("--tagger-hidden", dest="tagger_hidden", type=int, nargs="+",
                        default=[256])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--ddlc-b", dest="ddlc_b",
                        help="a second ddlc to compile and time side by side (column ddl B)")
    parser.add_argument("--ddl-run-b", dest="ddl_run_b",
                        help="the ddl-run for --ddlc-b's models (default --ddl-run)")
    parser.add_argument("--keep", help="keep the models in this folder")
    parser.add_argument("--json")
    args = parser.parse_args()

    rows = []
    tmp = args.keep or tempfile.mkdtemp(prefix="ddl-recurrent-")
    os.makedirs(tmp, exist_ok=True)
    try:
        for name in args.models:
            for hidden in (args.tagger_hidden if name == "bilstm_tagger" else args.hidden):
                for batch in args.batch:
                    rows.append(bench_one(args, tmp, name, hidden, batch))
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"recurrent networks, {datetime.date.today()}, {args.threads} threads, "
          f"seq {args.seq}, {args.runs} runs x {args.rounds} rounds (median of the rounds' p50s)")
    print(markdown(rows, args))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"threads": args.threads, "seq": args.seq, "runs": args.runs,
                       "rounds": args.rounds, "rows": rows}, f, indent=1)
    ok = all(r["ddl"]["ok"] and (not args.ddlc_b or r["ddl_b"]["ok"]) for r in rows)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
