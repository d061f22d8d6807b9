#!/usr/bin/env python3
"""The learned cost model and ddl-tune, measured (issue 16).

    /usr/bin/python3 bench/cost_model.py [--parts quality search e2e policy]
        [--models resnet50 mobilenet_v2 bert_encoder] [--budget 300]
        [--threads 2] [--work DIR]

Parts (each prints a Markdown table; run them in one go for one date):

quality  The shipped model's ranking on held-out kernels: the kernels of the
         benchmark models (none of which the training kernels of
         scripts/train-cost-model.py come from), 24 random schedules each
         plus the heuristic's, measured now. Pairwise accuracy (pairs more
         than 2% apart), Spearman's rho per kernel (mean), and how often the
         model's top pick is within 5% of the kernel's best.
         Target: pairwise accuracy >= 0.85.
search   Search efficiency: GEMM shapes of the benchmark models, every
         schedule of the reduced grid measured (the exhaustive best), then
         model-guided and random search replayed on those measurements
         (`ddl-tune --simulate`, 5 seeds each): measurements needed to get
         within 5% of the exhaustive best, not counting the heuristic's
         schedule that both start from. Target: <= 10% of the grid.
e2e      Whole models: ddl-tune with --trials BUDGET, then ddlc with the
         database vs without (the heuristic) vs ONNX Runtime, each run with
         ddl-run --benchmark / ort_latency.js on THREADS threads, in one run.
         Target: tuned >= 1.3x untuned on one model, never slower.
policy   Untuned compiles: --schedule-policy=model (the shipped model's
         picks) vs heuristic on the same models.
transfer A second target: the same kernels run on one thread instead of two
         (no GPU or second CPU could be measured here). Random schedules
         of 24 training kernels measured on one thread; a model trained
         from scratch on the first n of them vs the shipped (two-thread)
         model fine-tuned on the same n, both scored on the held-out
         kernels measured on one thread: the measurements transfer saves
         for the same pairwise accuracy.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

BUILD = os.path.join(HERE, "..", "build", "bin")
TUNE = os.path.join(BUILD, "ddl-tune")

# GEMMs of the benchmark models (kernels at batch 1): a resnet50 3x3
# convolution, a resnet50 1x1 expansion, a BERT feed-forward layer, and
# ViT-B/16's attention scores when attention is not fused (run-time B).
SEARCH_SHAPES = [
    "op=matmul m=196 n=256 k=2304 types=f32,f32,f32 lhs=mk rhs=nk isa={isa}",
    "op=matmul m=784 n=512 k=128 types=f32,f32,f32 lhs=mk rhs=nk isa={isa}",
    "op=matmul m=128 n=3072 k=768 types=f32,f32,f32 lhs=mk rhs=kn isa={isa}",
    "op=batch_matmul batch=12 m=197 n=197 k=64 types=f32,f32,f32 lhs=mk rhs=kn isa={isa}",
]


def run(cmd, **kw):
    proc = subprocess.run(cmd, capture_output=True, text=True, errors="replace", **kw)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{proc.stderr[-3000:]}")
    return proc.stdout


def host_isa():
    flags = open("/proc/cpuinfo").read()
    return "avx512" if " avx512f" in flags else "avx2" if " avx2" in flags else "sse"


def read_log(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def export_models(args):
    """The benchmark models as ONNX files (batch 1), cached in the work dir."""
    from cpu_latency import export
    from models import build
    paths = {}
    for name in args.models:
        path = os.path.join(args.work, name + ".onnx")
        x_path = os.path.join(args.work, name + "-input.npy")
        if not os.path.exists(path):
            model, x = build(name, 1)
            export(model, x, path)
            import numpy as np
            np.save(x_path, x.numpy())
        paths[name] = path
    return paths


def part_quality(args, models):
    log = os.path.join(args.work, "heldout.trials.jsonl")
    if not os.path.exists(log):
        for name, path in models.items():
            print(f"measuring held-out kernels of {name}", file=sys.stderr, flush=True)
            run([TUNE, path, "--search", "random", "--cost-model", "none", "--trials-per-kernel",
                 str(args.heldout_trials), "--db", os.path.join(args.work, "heldout-db.jsonl"),
                 "--log", log, "--runs", "10", "--quiet", "--retune"])
    out = json.loads(run([TUNE, "--evaluate", log]).strip().splitlines()[-1])
    rows = ["| held-out kernels | measurements | pairwise accuracy | Spearman rho | top-1 within 5% |",
            "|---|---|---|---|---|",
            f"| {', '.join(models)} ({out['kernels']}) | {out['measurements']} | "
            f"{out['pairwise_accuracy']:.3f} | {out['spearman']:.3f} | {out['top1_within_5pct']:.2f} |"]
    return "\n".join(rows)


def trials_to(log, target_ms):
    """1-based index of the first trial after the heuristic's within target."""
    for i, t in enumerate(log):
        if i > 0 and t["status"] == "ok" and t["latency_ms"] <= target_ms:
            return i
    return None


def part_search(args):
    isa = host_isa()
    rows = ["| kernel | grid | exhaustive best (ms) | heuristic (ms) | model-guided: measurements to 5% "
            "(median of 5 seeds) | random | model-guided as % of grid |",
            "|---|---|---|---|---|---|---|"]
    for shape in SEARCH_SHAPES:
        key = shape.format(isa=isa)
        slug = key.split(" types")[0].replace(" ", "_").replace("=", "")
        exhaustive = os.path.join(args.work, f"exhaustive-{slug}.trials.jsonl")
        if not os.path.exists(exhaustive):
            print(f"exhaustive: {key}", file=sys.stderr, flush=True)
            run([TUNE, "--kernel", key, "--space", "reduced", "--exhaustive", "--quiet",
                 "--runs", "10", "--db", os.path.join(args.work, "exhaustive-db.jsonl"),
                 "--log", exhaustive])
        table = [t for t in read_log(exhaustive) if t["status"] == "ok"]
        best = min(t["latency_ms"] for t in table)
        grid = len(read_log(exhaustive)) - 1
        results = {}
        for strategy in ("model", "random"):
            counts = []
            for seed in range(1, 6):
                log = os.path.join(args.work, f"sim-{slug}-{strategy}-{seed}.trials.jsonl")
                if os.path.exists(log):
                    os.remove(log)
                run([TUNE, "--kernel", key, "--space", "reduced", "--simulate", exhaustive,
                     "--search", strategy, "--trials", str(grid), "--seed", str(seed), "--quiet",
                     "--db", os.path.join(args.work, "sim-db.jsonl"), "--log", log])
                n = trials_to(read_log(log), 1.05 * best)
                counts.append(n if n is not None else grid)
            results[strategy] = statistics.median(counts)
        heuristic = table[0]["latency_ms"] if table and table[0]["search"] == "default" else float("nan")
        rows.append(f"| {key.split(' types')[0]} | {grid} | {best:.4f} | {heuristic:.4f} | "
                    f"{results['model']:.0f} | {results['random']:.0f} | {100 * results['model'] / grid:.1f}% |")
    return "\n".join(rows)


def part_transfer(args):
    sys.path.insert(0, os.path.join(HERE, "..", "scripts"))
    import importlib
    trainer = importlib.import_module("train-cost-model")
    isa = host_isa()
    train_log = os.path.join(args.work, "transfer-train.trials.jsonl")
    test_log = os.path.join(args.work, "transfer-test.trials.jsonl")
    if not os.path.exists(train_log):
        for key in trainer.training_kernels(args.transfer_kernels, isa, seed=7):
            run([TUNE, "--kernel", key, "--search", "random", "--cost-model", "none", "--trials", "24",
                 "--kernel-threads", "1", "--runs", "10", "--db", os.path.join(args.work, "transfer-db.jsonl"),
                 "--log", train_log, "--quiet"])
    if not os.path.exists(test_log):
        for shape in SEARCH_SHAPES:
            run([TUNE, "--kernel", shape.format(isa=isa), "--search", "random", "--cost-model", "none",
                 "--trials", "40", "--kernel-threads", "1", "--runs", "10",
                 "--db", os.path.join(args.work, "transfer-db.jsonl"), "--log", test_log, "--quiet"])
    lines = open(train_log).read().splitlines()
    rows = ["| measurements on the new target | from scratch: pairwise accuracy | shipped model fine-tuned |",
            "|---|---|---|"]
    prior = json.loads(run([TUNE, "--evaluate", test_log, "--kernel-threads", "1"]).splitlines()[-1])
    rows.append(f"| 0 | - | {prior['pairwise_accuracy']:.3f} (shipped model as is) |")
    for n in (48, 96, 192, 384, len(lines)):
        subset = os.path.join(args.work, f"transfer-{n}.trials.jsonl")
        with open(subset, "w") as f:
            f.write("\n".join(lines[:n]) + "\n")
        scores = []
        shipped = os.path.join(HERE, "..", "cost-model", "models", f"{isa}.json")
        for name, prior in (("scratch", "none"), ("fine-tuned", shipped)):
            model = os.path.join(args.work, f"transfer-{n}-{name}.json")
            run([TUNE, "--train", subset, "--save-model", model, "--kernel-threads", "1", "--cost-model", prior])
            out = json.loads(run([TUNE, "--evaluate", test_log, "--cost-model", model,
                                  "--kernel-threads", "1"]).splitlines()[-1])
            scores.append(out["pairwise_accuracy"])
        rows.append(f"| {n} | {scores[0]:.3f} | {scores[1]:.3f} |")
    return "\n".join(rows)


def time_variants(args, onnx_path, variants, tmp):
    """{name: flags} compiled, then timed in turns (ABAB...: the machine's
    drift hits every variant alike): {name: median p50 ms}, and ddlc's
    stderr of each."""
    from cpu_latency import parse_ddl_benchmark
    objects, reports = {}, {}
    for name, flags in variants.items():
        so = os.path.join(tmp, name + ".so")
        err = subprocess.run([os.path.join(BUILD, "ddlc"), onnx_path, "-o", so] + flags,
                             capture_output=True, text=True, errors="replace")
        if err.returncode != 0:
            raise RuntimeError(f"ddlc {name}: {err.stderr[-2000:]}")
        objects[name], reports[name] = so, err.stderr
    x = onnx_path.replace(".onnx", "-input.npy")
    samples = {name: [] for name in variants}
    for _ in range(args.repeat):
        for name, so in objects.items():
            out = run([os.path.join(BUILD, "ddl-run"), so, "--input", f"input={x}", "--benchmark",
                       str(args.runs), "--threads", str(args.threads)])
            samples[name].append(parse_ddl_benchmark(out)["p50_ms"])
    return {name: statistics.median(v) for name, v in samples.items()}, reports


def time_ort(args, onnx_path):
    import numpy as np
    from cpu_latency import percentile
    shape = np.load(onnx_path.replace(".onnx", "-input.npy")).shape
    out = run(["node", os.path.join(HERE, "ort_latency.js"), onnx_path, "--runs", str(args.runs),
               "--threads", str(args.threads), "--input", "input=" + ",".join(map(str, shape))])
    r = json.loads(out.strip().splitlines()[-1])
    return percentile(r["times_ms"], 50)


def part_e2e(args, models, policy_only=False):
    rows = (["| model | untuned, model policy (ms) | untuned, heuristic (ms) | model / heuristic |",
             "|---|---|---|---|"] if policy_only else
            ["| model | trials (wall) | kernels alone: heuristic / tuned | untuned, heuristic (ms) | "
             "untuned, model policy (ms) | tuned (ms) | tuned speedup (vs model policy) | ONNX Runtime (ms) | "
             "tuned vs ORT |", "|---|---|---|---|---|---|---|---|---|"])
    with tempfile.TemporaryDirectory() as tmp:
        for name, path in models.items():
            if policy_only:
                ms, _ = time_variants(args, path, {"model": ["--schedule-policy=model"],
                                                   "heuristic": ["--schedule-policy=heuristic"]}, tmp)
                rows.append(f"| {name} | {ms['model']:.2f} | {ms['heuristic']:.2f} | "
                            f"{ms['heuristic'] / ms['model']:.2f}x |")
                continue
            db = os.path.join(args.work, f"e2e-{name}.jsonl")
            wall_file = db + ".wall"
            if not (args.reuse_db and os.path.exists(db) and os.path.exists(wall_file)):
                for stale in (db, db.replace(".jsonl", ".trials.jsonl")):
                    if os.path.exists(stale):
                        os.remove(stale)
                out = run([TUNE, path, "--trials", str(args.budget), "--db", db, "--quiet",
                           "--kernel-threads", str(args.threads)])
                wall = [line for line in out.splitlines() if line.startswith("kernels in all")]
                with open(wall_file, "w") as f:
                    f.write(wall[0].rsplit(" in ", 1)[-1] if wall else "?")
            wall = open(wall_file).read()
            ms, reports = time_variants(args, path, {"heuristic": ["--schedule-policy=heuristic"], "untuned": [],
                                                     "tuned": ["--tuning-db", db]}, tmp)
            untuned, tuned, report = ms["untuned"], ms["tuned"], reports["tuned"]
            # The kernels alone, as ddl-tune re-measured them: heuristic vs chosen.
            records = read_log(db)
            alone = sum(r["default_ms"] for r in records) / sum(r["latency_ms"] for r in records)
            ort = time_ort(args, path)
            rows.append(f"| {name} | {args.budget} ({wall}) | {alone:.2f}x | {ms['heuristic']:.2f} | {untuned:.2f} | "
                        f"{tuned:.2f} | {untuned / tuned:.2f}x | {ort:.2f} | {ort / tuned:.2f}x |")
            print(report.strip(), file=sys.stderr)
    return "\n".join(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--parts", nargs="+", default=["quality", "search", "e2e", "policy"])
    parser.add_argument("--models", nargs="+", default=["resnet50", "mobilenet_v2", "bert_encoder"])
    parser.add_argument("--budget", type=int, default=300, help="e2e: ddl-tune --trials per model")
    parser.add_argument("--heldout-trials", type=int, default=25)
    parser.add_argument("--transfer-kernels", type=int, default=24)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=5,
                        help="ddl-run invocations per variant, in turns (median)")
    parser.add_argument("--reuse-db", action="store_true",
                        help="e2e: time an existing tuning database of the work dir again")
    parser.add_argument("--work", default=os.path.join(tempfile.gettempdir(), "ddl-cost-model-bench"))
    args = parser.parse_args()
    os.makedirs(args.work, exist_ok=True)
    models = export_models(args) if {"quality", "e2e", "policy"} & set(args.parts) else {}
    for part in args.parts:
        print(f"\n### {part}\n", flush=True)
        if part == "quality":
            print(part_quality(args, models), flush=True)
        elif part == "search":
            print(part_search(args), flush=True)
        elif part == "e2e":
            print(part_e2e(args, models), flush=True)
        elif part == "policy":
            print(part_e2e(args, models, policy_only=True), flush=True)
        elif part == "transfer":
            print(part_transfer(args), flush=True)
        else:
            raise SystemExit(f"unknown part {part}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
