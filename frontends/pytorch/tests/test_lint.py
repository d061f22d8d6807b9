"""flake8 (pyflakes + pycodestyle) over the frontend's Python."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_flake8_is_clean():
    try:
        import flake8  # noqa: F401
    except ImportError:
        pytest.fail("flake8 is not installed (scripts/bootstrap.sh installs python3-flake8)")
    result = subprocess.run(
        [sys.executable, "-m", "flake8", "ddl", "tests", "../../examples/pytorch_quickstart.py"],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
