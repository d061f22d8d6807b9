"""Differential testing of `ddl.compile` against eager mode (issue 17):
random programs of fixed seeds from test/fuzz/differential/torch_gen.py
(nn layers, torch functions and Tensor methods, 3 to 24 statements) must
compile and match eager mode, or be refused with an
UnsupportedOperatorError; nothing may crash. The saved regressions (each a
minimized failure the generator found, fixed since) must still match.
Long campaigns: scripts/differential.sh."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

DIFFERENTIAL = Path(__file__).resolve().parents[3] / "test" / "fuzz" / "differential"
SUMMARY = re.compile(r"differential \(torch\): (\d+) programs, (\d+) passed, (\d+) mismatches, "
                     r"(\d+) crashes, (\d+) run errors, (\d+) refused, (\d+) invalid")


def run(*args):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    proc = subprocess.run([sys.executable, str(DIFFERENTIAL / "torch_diff.py"), "--jobs", "2", *args],
                          capture_output=True, text=True, env=env, timeout=1200)
    found = SUMMARY.search(proc.stdout)
    assert found, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc, [int(g) for g in found.groups()]


@pytest.mark.parametrize("first", [0])
def test_random_programs_match_eager(first):
    proc, (programs, passed, mismatches, crashes, run_errors, refused, invalid) = run(
        "--seed", str(first), "--count", "40")
    assert programs == 40
    assert (mismatches, crashes, run_errors, invalid) == (0, 0, 0, 0), proc.stdout[-4000:]
    assert passed >= 30, proc.stdout[-4000:]  # refusals are counted, not many expected


def test_saved_regressions_match_eager():
    proc, (programs, passed, *_rest) = run("--replay", str(DIFFERENTIAL / "regressions" / "torch"))
    assert passed == programs, proc.stdout[-4000:]
