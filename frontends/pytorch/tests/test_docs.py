"""docs/generated/PyTorchOperators.md lists exactly the converters of this
checkout (it is generated with Debian's torch 1.13)."""

from pathlib import Path

import pytest
import torch

from ddl.operators import markdown

PAGE = Path(__file__).resolve().parents[3] / "docs" / "generated" / "PyTorchOperators.md"


@pytest.mark.skipif(not torch.__version__.startswith("1.13"), reason="the page lists torch 1.13's ATen overloads")
def test_operator_page_is_current():
    assert PAGE.read_text() == markdown(), (
        "regenerate it: PYTHONPATH=frontends/pytorch /usr/bin/python3 -m ddl.operators "
        "> docs/generated/PyTorchOperators.md"
    )
