"""Running a compiled ONNX node test and comparing its outputs: numpy and
the standard library only, so that test/e2e/node_suite_staged.py can run
on a machine without onnx (the H200)."""

import glob
import re
import subprocess

import numpy as np

RTOL, ATOL = 1e-3, 1e-7


def numbered(pattern):
    """Files matching pattern (with one {} for the number), in number order."""
    files = glob.glob(pattern.format("*"))
    return sorted(files, key=lambda f: int(re.search(r"_(\d+)\.[a-z]+$", f).group(1)))


def compare(name, actual, expected, rtol=RTOL, atol=ATOL):
    """None if `actual` matches `expected`, else a one-line reason."""
    if actual.dtype != expected.dtype:
        return f"output '{name}' has dtype {actual.dtype}, expected {expected.dtype}"
    if actual.shape != expected.shape:
        return f"output '{name}' has shape {list(actual.shape)}, expected {list(expected.shape)}"
    if expected.dtype.kind in "fc":
        a = actual.astype(np.float64)
        e = expected.astype(np.float64)
        if np.allclose(a, e, rtol=rtol, atol=atol, equal_nan=True):
            return None
        bad = ~np.isclose(a, e, rtol=rtol, atol=atol, equal_nan=True)
        diff = np.abs(a - e)[bad]
        worst = np.nanmax(diff) if diff.size and not np.all(np.isnan(diff)) else float("nan")
        return (f"output '{name}' differs at {int(bad.sum())} of {e.size} "
                f"elements (max abs error {worst:.3g})")
    if np.array_equal(actual, expected):
        return None
    wrong = int((actual != expected).sum())
    return f"output '{name}' differs at {wrong} of {expected.size} elements"


def run_and_compare(runner, so, inputs, expected, out, timeout, extra=(), tolerances=None):
    """Runs `runner + [so, ...]` (ddl-run) on the input files (paths, or
    NAME=path), compares each written output with `expected` (arrays), with
    the (rtol, atol) of `tolerances(index, expected)` if given. (outcome,
    reason): outcome is pass, run-error, mismatch, crash or timeout."""
    cmd = list(runner) + [so, "--output-dir", out] + list(extra)
    for f in inputs:
        cmd += ["--input", f]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, errors="replace",
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        return "timeout", f"ddl-run timed out after {timeout} s"
    if proc.returncode in (1, 2):
        first = (proc.stderr.strip() or proc.stdout.strip() or "no message").splitlines()[0]
        return "run-error", "run: " + first[:300]
    if proc.returncode != 0:
        return "crash", f"ddl-run exit status {proc.returncode}: {proc.stderr[-300:]}"
    written = re.findall(r"^output '(.*)': .* -> (.*)$", proc.stdout, re.M)
    if len(written) != len(expected):
        return "mismatch", f"{len(written)} outputs, expected {len(expected)}"
    for index, ((name, path), want) in enumerate(zip(written, expected)):
        tol = tolerances(index, want) if tolerances else (RTOL, ATOL)
        reason = compare(name, np.load(path), want, *tol)
        if reason:
            return "mismatch", "numerics: " + reason
    return "pass", ""
