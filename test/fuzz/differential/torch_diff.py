#!/usr/bin/env python3
"""Differential testing of `ddl.compile` against PyTorch eager mode on
random programs (torch_gen.py).

    torch_diff.py --seed 0 --count 40
    torch_diff.py --replay test/fuzz/differential/regressions/torch

Each program runs in eager mode (the reference) and through
`ddl.compile(module, inputs)` (FX capture on torch 1.x, torch.export on
2.x); outputs must have the same dtype and shape and be close within the
depth- and magnitude-scaled tolerances of onnx_diff.py.

Outcomes: pass; refused (ddl raised UnsupportedOperatorError or could not
capture the program: a coverage gap); mismatch; crash (an internal
compiler error, ddlc rejecting the frontend's own graph, any other
exception out of ddl, or the process dying); run-error (the compiled
program failed on valid inputs); invalid (eager mode itself failed: a
generator bug, reported but not counted against ddl).

Programs run in worker processes (a crash kills only its worker; the
program it was running is reported and the worker restarted). Failures are
minimized in the worker (keep one output, cut statements from the input
side feeding eager's intermediate values) and, with `--save DIR`, written
there as DIR/<name>.py plus DIR/<name>.pt (the inputs). Prints
"differential (torch): N programs, P passed, ..." and exits 1 on any
mismatch, crash or run error.
"""

import argparse
import collections
import copy
import json
import os
import subprocess
import sys
import tempfile
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
FAILURES = ("mismatch", "crash", "run-error")


# -- one program (in a worker) ---------------------------------------------
def build(program, seed):
    import torch
    from torch_gen import render
    namespace = {}
    exec(compile(render(program, seed), f"<program {seed}>", "exec"), namespace)  # noqa: S102
    torch.manual_seed(seed)
    return namespace["Program"]().eval(), namespace


def compare_outputs(program, got, want, feeds):
    import numpy as np
    from onnx_diff import magnitude, tolerance  # (puts node_results on the path)
    from node_results import compare
    if len(got) != len(want):
        return f"{len(got)} outputs, expected {len(want)}"
    scale = magnitude(f.detach().numpy() for f in feeds)
    for name, a, e in zip(program.outputs, got, want):
        a, e = a.detach().numpy(), e.detach().numpy()
        reason = compare(name, np.asarray(a), np.asarray(e),
                         *tolerance(program.depth.get(name, 1), np.asarray(e), scale))
        if reason:
            return reason
    return None


def check(program, seed, feeds):
    """(outcome, reason) of one program on `feeds` (a list of tensors)."""
    import torch
    import ddl
    from ddl import errors
    module, _ = build(program, seed)
    try:
        with torch.no_grad():
            want = module(*feeds)
    except Exception as e:  # noqa: BLE001 - a generator bug
        return "invalid", f"eager mode failed: {type(e).__name__}: {str(e).splitlines()[0][:200]}"
    try:
        compiled = ddl.compile(module, tuple(feeds))
    except (errors.UnsupportedOperatorError, errors.CaptureError) as e:
        return "refused", f"{type(e).__name__}: {str(e).splitlines()[0][:200]}"
    except errors.DdlError as e:
        return "crash", f"ddl.compile: {type(e).__name__}: {str(e).strip()[-300:]}"
    except Exception as e:  # noqa: BLE001 - an exception out of the frontend is a bug
        return "crash", f"ddl.compile raised {type(e).__name__}: {traceback.format_exc()[-400:]}"
    try:
        with torch.no_grad():
            got = compiled(*feeds)
    except errors.RuntimeCallError as e:
        return "run-error", str(e).splitlines()[0][:300]
    except Exception as e:  # noqa: BLE001
        return "crash", f"compiled call raised {type(e).__name__}: {traceback.format_exc()[-400:]}"
    got = list(got) if isinstance(got, (tuple, list)) else [got]
    reason = compare_outputs(program, got, list(want), feeds)
    return ("mismatch", reason) if reason else ("pass", "")


def intermediates(program, seed, feeds):
    """{statement name: eager value}."""
    import torch
    wide = copy.deepcopy(program)
    wide.outputs = [s.name for s in wide.stmts]
    module, _ = build(wide, seed)
    with torch.no_grad():
        return dict(zip(wide.outputs, module(*feeds)))


def minimize(program, seed, feeds, kind, budget=120):
    """Delta debugging: (program, feeds, reason, checks)."""
    from torch_gen import prune
    checks, reason = 0, ""

    def fails(p, f):
        nonlocal checks, reason
        checks += 1
        outcome, why = check(p, seed, f)
        if outcome == kind:
            reason = why
            return True
        return False

    def feeds_of(p, named):
        return [named[name] for name, _, _ in p.inputs]

    named = {name: t for (name, _, _), t in zip(program.inputs, feeds)}
    try:
        values = intermediates(program, seed, feeds)
    except Exception:  # noqa: BLE001 - then only outputs are reduced
        values = {}
    changed = True
    while changed and checks < budget:
        changed = False
        current = list(program.outputs)
        for name in current + [s.name for s in program.stmts if s.name not in current]:
            if checks >= budget or [name] == current:
                continue
            p = copy.deepcopy(program)
            p.outputs = [name]
            prune(p)
            if fails(p, feeds_of(p, named)):
                program, changed = p, True
                break
        i = 0
        while i < len(program.stmts) and checks < budget and len(program.stmts) > 1:
            stmt = program.stmts[i]
            if stmt.name in program.outputs or stmt.name not in values:
                i += 1
                continue
            p = copy.deepcopy(program)
            del p.stmts[i]
            v = values[stmt.name]
            p.inputs.append((stmt.name, list(v.shape), str(v.dtype)))
            prune(p)
            trial = dict(named, **{stmt.name: v})
            if fails(p, feeds_of(p, trial)):
                program, named, changed = p, trial, True
            else:
                i += 1
    return program, feeds_of(program, named), reason, checks


def save_case(directory, name, program, seed, feeds, outcome, reason):
    import torch
    from torch_gen import render
    os.makedirs(directory, exist_ok=True)
    source = render(program, seed)
    header = (f"# Found by test/fuzz/differential/torch_diff.py ({name}): {outcome}: "
              f"{reason.splitlines()[0] if reason else ''}\n"
              f"# Inputs: {name}.pt (in forward's order). Replay: torch_diff.py --replay {directory}\n")
    with open(os.path.join(directory, f"{name}.py"), "w") as f:
        f.write(header + source)
    torch.save({"seed": seed, "inputs": feeds, "program": program_to_json(program)},
               os.path.join(directory, f"{name}.pt"))
    return os.path.join(directory, f"{name}.py")


def program_to_json(p):
    return {"inputs": p.inputs, "layers": p.layers, "outputs": p.outputs, "depth": p.depth,
            "stmts": [(s.name, s.expr, s.deps) for s in p.stmts]}


def program_from_json(d):
    from torch_gen import Program, Stmt
    p = Program()
    p.inputs = [tuple(i) for i in d["inputs"]]
    p.layers, p.outputs, p.depth = d["layers"], d["outputs"], d["depth"]
    p.stmts = [Stmt(*s) for s in d["stmts"]]
    return p


def worker(args):
    """Runs the programs named on stdin (one seed, or one replay case path,
    a line) and prints one JSON line per program, after a "start" line."""
    import torch
    from torch_gen import generate
    torch.set_num_threads(1)
    for line in sys.stdin:
        item = line.strip()
        print(json.dumps({"start": item}), flush=True)
        if item.endswith(".pt"):
            case = torch.load(item)
            program, seed, feeds = program_from_json(case["program"]), case["seed"], case["inputs"]
        else:
            seed = int(item)
            program = generate(seed)
            _, namespace = build(program, seed)
            _, feeds = namespace["make"]()
            feeds = list(feeds)
        outcome, reason = check(program, seed, feeds)
        result = {"item": item, "outcome": outcome, "reason": reason,
                  "statements": len(program.stmts)}
        if outcome in FAILURES and args.minimize and not item.endswith(".pt"):
            small, small_feeds, small_reason, checks = minimize(program, seed, feeds, outcome)
            result["minimized"] = (f"minimized in {checks} checks to {len(small.stmts)} statements: "
                                   + "; ".join(f"{s.name} = {s.expr}" for s in small.stmts))
            if args.save:
                result["saved"] = save_case(args.save, f"seed{seed}", small, seed, small_feeds, outcome,
                                            small_reason or reason)
        print(json.dumps(result), flush=True)


# -- the driver ----------------------------------------------------------------
def run_all(args, items):
    """Feeds `items` to `args.jobs` workers; yields result dicts. A worker
    that dies reports its current item as a crash and is replaced."""
    queue = collections.deque(items)
    cmd = [sys.executable, os.path.abspath(__file__), "--worker"]
    cmd += ["--save", args.save] if args.save else []
    cmd += [] if args.minimize else ["--no-minimize"]
    env = dict(os.environ, PYTHONUNBUFFERED="1")

    def spawn(chunk):
        # stderr to a file: a pipe nobody reads until the end could fill.
        stderr = tempfile.TemporaryFile(mode="w+")
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr,
                                text=True, env=env)
        proc.stdin.write("".join(f"{c}\n" for c in chunk))
        proc.stdin.close()
        return proc, stderr

    import threading
    results, lock = [], threading.Lock()

    def drive():
        while True:
            with lock:
                if not queue:
                    return
                chunk = [queue.popleft() for _ in range(min(args.chunk, len(queue)))]
            while chunk:
                proc, stderr = spawn(chunk)
                current = None
                for line in proc.stdout:
                    msg = json.loads(line)
                    if "start" in msg:
                        current = msg["start"]
                        continue
                    with lock:
                        results.append(msg)
                    chunk.remove(msg["item"])
                    current = None
                proc.wait()
                stderr.seek(0)
                err = stderr.read()
                stderr.close()
                if current is not None:
                    with lock:
                        results.append({"item": current, "outcome": "crash",
                                        "reason": f"the process died (exit status {proc.returncode}): "
                                                  f"{err.strip()[-300:]}", "statements": 0})
                    chunk.remove(current)
                elif chunk:
                    with lock:
                        for c in chunk:
                            results.append({"item": c, "outcome": "crash", "statements": 0,
                                            "reason": f"worker failed: {err.strip()[-300:]}"})
                    chunk = []

    threads = [threading.Thread(target=drive) for _ in range(args.jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--count", type=int, default=0)
    p.add_argument("--replay", help="check the saved cases (*.pt) in this folder")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    p.add_argument("--chunk", type=int, default=25, help="programs per worker process")
    p.add_argument("--no-minimize", dest="minimize", action="store_false")
    p.add_argument("--save", help="write minimized failures here")
    p.add_argument("--summary", help="write the counts and reasons here (JSON)")
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.worker:
        return worker(args)
    start = time.time()
    if args.replay:
        items = sorted(os.path.join(os.path.abspath(args.replay), f)
                       for f in os.listdir(args.replay) if f.endswith(".pt")) \
            if os.path.isdir(args.replay) else []
    else:
        items = [str(s) for s in range(args.seed, args.seed + args.count)]
    results = run_all(args, items)
    counts = collections.Counter(r["outcome"] for r in results)
    reasons = {k: collections.Counter() for k in ("refused", "invalid")}
    failures = []
    for r in sorted(results, key=lambda r: r["item"]):
        if r["outcome"] in reasons:
            reasons[r["outcome"]][r["reason"][:200]] += 1
        elif r["outcome"] in FAILURES:
            line = f"{r['item']}: {r['outcome']}: {r['reason']}"
            for key in ("minimized", "saved"):
                if key in r:
                    line += f"\n    {r[key]}"
            failures.append(line)
            print(line)
    for kind, counter in reasons.items():
        for reason, n in counter.most_common(12):
            print(f"{kind} x{n}: {reason}")
    elapsed = time.time() - start
    print(f"differential (torch): {len(results)} programs, {counts['pass']} passed, "
          f"{counts['mismatch']} mismatches, {counts['crash']} crashes, {counts['run-error']} run errors, "
          f"{counts['refused']} refused, {counts['invalid']} invalid ({elapsed:.0f} s)")
    if args.summary:
        with open(args.summary, "w") as f:
            json.dump({"counts": counts, "reasons": {k: dict(v) for k, v in reasons.items()},
                       "failures": failures, "seconds": elapsed, "first_seed": args.seed}, f, indent=1)
    return 1 if any(counts[k] for k in FAILURES) else 0


if __name__ == "__main__":
    sys.exit(main())
