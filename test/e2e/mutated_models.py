#!/usr/bin/env python3
"""Mutation fuzzing of the ONNX importer.

Takes models of the ONNX node test suite, overwrites a few random bytes of
each (seeded, so a run is reproducible), and runs ddlc on the result. Every
mutant must end with exit status 0 or 1: a crash, a sanitizer report (which
aborts a sanitizer build), or a hang fails the run.

    /usr/bin/python3 test/e2e/mutated_models.py --ddlc build-asan/bin/ddlc --count 300 --seed 1
"""

import argparse
import concurrent.futures
import os
import random
import subprocess
import sys
import tempfile

NODE_DIR = "/usr/share/libonnx-testdata/data/node"


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ddlc", required=True)
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    tests = sorted(d for d in os.listdir(NODE_DIR)
                   if os.path.exists(os.path.join(NODE_DIR, d, "model.onnx")))
    bad = []
    with tempfile.TemporaryDirectory() as tmp:
        mutants = []
        for k in range(args.count):
            test = rng.choice(tests)
            with open(os.path.join(NODE_DIR, test, "model.onnx"), "rb") as f:
                data = bytearray(f.read())
            for _ in range(rng.randint(1, 4)):
                data[rng.randrange(len(data))] = rng.randrange(256)
            path = os.path.join(tmp, f"mutant{k}.onnx")
            with open(path, "wb") as f:
                f.write(data)
            mutants.append((test, path))

        def run(mutant):
            test, path = mutant
            try:
                proc = subprocess.run([args.ddlc, path, "-o", os.devnull],
                                      capture_output=True, text=True,
                                      errors="replace", timeout=60)
                return test, proc.returncode, proc.stderr
            except subprocess.TimeoutExpired:
                return test, "timeout", ""

        with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
            for test, status, err in pool.map(run, mutants):
                if status not in (0, 1):
                    bad.append(f"{test}: exit {status}\n{err[-1500:]}")
    for b in bad:
        print("CRASH", b)
    print(f"mutated models: {args.count} run, {len(bad)} crashed")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
