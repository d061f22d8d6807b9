#!/usr/bin/env python3
"""Runs ONNX node tests staged by `onnx_node_conformance.py --stage DIR`
(compiled elsewhere, for a GPU say) and compares their outputs with the
references at the suite's tolerances. Needs numpy only.

    python3 test/e2e/node_suite_staged.py DIR --ddl-run PATH \\
        [--device cuda:0] [--jobs N] [--results FILE]

Prints one line per test that does not pass, then "staged conformance: N
passed, M failed, K did not compile" (the ones in DIR/refused.txt);
--results FILE writes `test: outcome: reason` for every test.
"""

import argparse
import concurrent.futures
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from node_results import numbered, run_and_compare  # noqa: E402

import numpy as np  # noqa: E402


def run_one(args, work, test):
    folder = os.path.join(args.stage, test)
    inputs = numbered(os.path.join(folder, "input_{}.pb"))
    expected = [np.load(f) for f in numbered(os.path.join(folder, "expected_{}.npy"))]
    out = os.path.join(work, test)
    extra = ["--device", args.device] if args.device else []
    outcome, reason = run_and_compare([args.ddl_run], os.path.join(folder, "model.so"),
                                      inputs, expected, out, args.run_timeout, extra)
    shutil.rmtree(out, ignore_errors=True)
    return test, outcome, reason


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("stage")
    parser.add_argument("--ddl-run", required=True)
    parser.add_argument("--device", default="", help="ddl-run's --device")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--run-timeout", type=int, default=120)
    parser.add_argument("--results", help="file for every test's outcome")
    args = parser.parse_args()

    tests = sorted(d for d in os.listdir(args.stage)
                   if os.path.exists(os.path.join(args.stage, d, "model.so")))
    refused = {}
    refused_file = os.path.join(args.stage, "refused.txt")
    if os.path.exists(refused_file):
        with open(refused_file) as f:
            for line in f:
                name, _, reason = line.rstrip("\n").partition(": ")
                refused[name] = reason
    work = tempfile.mkdtemp(prefix="ddl-staged-")
    # Outcomes are printed and written as they come, so that a run cut off
    # by a time limit still leaves what it measured.
    results = []
    out = open(args.results, "w") if args.results else None
    try:
        with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
            futures = [pool.submit(run_one, args, work, t) for t in tests]
            for done, future in enumerate(concurrent.futures.as_completed(futures), 1):
                t, k, r = future.result()
                results.append((t, k, r))
                if k != "pass":
                    print(f"{k.upper()} {t}: {r}", flush=True)
                if out:
                    out.write(f"{t}: {k}: {r}\n")
                    out.flush()
                if done % 100 == 0:
                    print(f"staged conformance: {done} of {len(tests)} run", flush=True)
        if out:
            for t in sorted(refused):
                out.write(f"{t}: not compiled: {refused[t]}\n")
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if out:
            out.close()
    failed = [(t, k, r) for t, k, r in results if k != "pass"]
    print(f"staged conformance: {len(results) - len(failed)} passed, "
          f"{len(failed)} failed, {len(refused)} did not compile")
    return 0


if __name__ == "__main__":
    sys.exit(main())
