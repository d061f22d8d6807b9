#!/usr/bin/env python3
"""Regenerates the shipped cost model (cost-model/models/<isa>.json).

Measures random schedules of synthetic kernels (GEMMs with a constant B of
both layouts, run-time-B batched matmuls; shapes drawn from the ranges of
CNN and transformer layers, and a second set from wider ranges; none taken
from the benchmark models, whose kernels are the held-out set of
bench/cost_model.py) with
`ddl-tune --kernel KEY --search random`, appends every measurement to the
trial log, then trains the model on the log with `ddl-tune --train`.

    scripts/train-cost-model.py [--build build] [--kernels 48] [--wide 40] [--trials 40]
        [--log cost-model/data/avx512-train.trials.jsonl] [--train-only]

The log is appended to, so an interrupted run resumes with more data; the
model is retrained on all of it. Takes about 0.4 s a measurement on a
2-core machine (the compile of the candidate dominates).
"""
import argparse
import os
import random
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def training_kernels(count, isa, seed=2026, wide=False):
    """`count` kernel keys drawn with `seed`; `wide` draws from wider ranges
    (single rows, 12544 rows, up to 4608 deep and 2048 wide)."""
    rng = random.Random(seed)
    rows = [7, 12, 49, 64, 100, 128, 196, 256, 400, 512, 784, 1024, 1600, 3136]
    cols = [16, 24, 32, 48, 64, 96, 128, 192, 256, 320, 384, 512, 640, 1024, 1280]
    depth = [16, 27, 32, 64, 96, 144, 160, 256, 288, 384, 512, 576, 640, 1152, 1536, 2048]
    if wide:
        rows += [1, 2, 4, 25, 36, 144, 6272, 12544]
        cols += [10, 40, 80, 160, 1000, 1536, 2048]
        depth += [8, 48, 147, 1024, 2304, 3072, 4608]
    keys = set()
    while len(keys) < count:
        m, n, k = rng.choice(rows), rng.choice(cols), rng.choice(depth)
        if rng.random() < 0.2:
            batch = rng.choice([4, 8, 12, 16])
            m, n, k = rng.choice([32, 64, 128, 197, 256]), rng.choice([32, 64, 128, 256]), rng.choice([32, 64, 128])
            keys.add(f"op=batch_matmul batch={batch} m={m} n={n} k={k} types=f32,f32,f32 lhs=mk rhs=kn isa={isa}")
        else:
            rhs = rng.choice(["kn", "nk"])
            keys.add(f"op=matmul m={m} n={n} k={k} types=f32,f32,f32 lhs=mk rhs={rhs} isa={isa}")
    return sorted(keys)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--isa", default="avx512")
    parser.add_argument("--kernels", type=int, default=48)
    parser.add_argument("--wide", type=int, default=40, help="more kernels from wider size ranges")
    parser.add_argument("--trials", type=int, default=40)
    parser.add_argument("--log", default=None)
    parser.add_argument("--model", default=None)
    parser.add_argument("--rounds", type=int, default=60)
    parser.add_argument("--train-only", action="store_true")
    args = parser.parse_args()
    tune = os.path.join(args.build, "bin", "ddl-tune")
    log = args.log or os.path.join(ROOT, "cost-model", "data", f"{args.isa}-train.trials.jsonl")
    model = args.model or os.path.join(ROOT, "cost-model", "models", f"{args.isa}.json")
    os.makedirs(os.path.dirname(log), exist_ok=True)
    if not args.train_only:
        done = set()
        if os.path.exists(log):
            import json
            with open(log) as f:
                done = {json.loads(line)["key"] for line in f if line.strip()}
        kernels = training_kernels(args.kernels, args.isa) + training_kernels(args.wide, args.isa, 2027, True)
        with tempfile.TemporaryDirectory() as work:
            for i, key in enumerate(kernels):
                if key in done:
                    continue
                print(f"[{i + 1}/{len(kernels)}] {key}", flush=True)
                subprocess.run([tune, "--kernel", key, "--search", "random", "--cost-model", "none",
                                "--trials", str(args.trials), "--db", os.path.join(work, "db.jsonl"),
                                "--log", log, "--quiet"], check=True, stdout=subprocess.DEVNULL)
    subprocess.run([tune, "--train", log, "--save-model", model, "--rounds", str(args.rounds)], check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
