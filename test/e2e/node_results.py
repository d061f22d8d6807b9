"""Running a compiled ONNX node test and comparing its outputs: numpy and
the standard library only, so that test/e2e/node_suite_staged.py can run
on a machine without onnx (the H200)."""

import glob
import os
import re
import subprocess

import numpy as np

RTOL, ATOL = 1e-3, 1e-7


def numbered(pattern):
    """Files matching pattern (with one {} for the number), in number order."""
    files = glob.glob(pattern.format("*"))
    return sorted(files, key=lambda f: int(re.search(r"_(\d+)\.[a-z]+$", f).group(1)))


def compare(name, actual, expected, rtol=RTOL, atol=ATOL):
    """None if `actual` matches `expected`, else a one-line reason. Values
    are arrays, lists of arrays (sequences) or None (an empty optional)."""
    if isinstance(expected, list) or isinstance(actual, list):
        if not isinstance(expected, list) or not isinstance(actual, list):
            return f"output '{name}' is {kind_of(actual)}, expected {kind_of(expected)}"
        if len(actual) != len(expected):
            return f"output '{name}' has {len(actual)} elements, expected {len(expected)}"
        for i, (a, e) in enumerate(zip(actual, expected)):
            reason = compare(f"{name}[{i}]", a, e, rtol, atol)
            if reason:
                return reason
        return None
    if expected is None or actual is None:
        if expected is None and actual is None:
            return None
        return f"output '{name}' is {kind_of(actual)}, expected {kind_of(expected)}"
    return compare_arrays(name, actual, expected, rtol, atol)


def kind_of(value):
    if value is None:
        return "an empty optional"
    return "a sequence" if isinstance(value, list) else "a tensor"


def compare_arrays(name, actual, expected, rtol=RTOL, atol=ATOL):
    """None if array `actual` matches `expected`, else a one-line reason."""
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


def read_outputs(stdout):
    """[(name, value)] of the outputs ddl-run wrote (with --output-dir): an
    array, a list of arrays for a sequence (a folder of <i>.npy), or None
    for an empty optional."""
    outputs = []
    for name, rest in re.findall(r"^output '(.*?)': (.*)$", stdout, re.M):
        if rest == "none":
            outputs.append((name, None))
            continue
        path = rest.rsplit(" -> ", 1)[-1]
        sequence = re.match(r"sequence of (\d+) ", rest)
        if sequence:
            outputs.append((name, [np.load(os.path.join(path, f"{i}.npy"))
                                   for i in range(int(sequence.group(1)))]))
        else:
            outputs.append((name, np.load(path)))
    return outputs


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
    written = read_outputs(proc.stdout)
    if len(written) != len(expected):
        return "mismatch", f"{len(written)} outputs, expected {len(expected)}"
    for index, ((name, value), want) in enumerate(zip(written, expected)):
        tol = tolerances(index, want) if tolerances else (RTOL, ATOL)
        reason = compare(name, value, want, *tol)
        if reason:
            return "mismatch", "numerics: " + reason
    return "pass", ""
