"""User mistakes and unsupported programs give a DdlError that says what
and where; none of them crashes the process."""

import inspect

import pytest
import torch

import ddl


def line_of(fn, text):
    """`test_errors.py:<line>` of the line of `fn`'s source holding `text`."""
    lines, start = inspect.getsourcelines(fn)
    for i, line in enumerate(lines):
        if text in line:
            return f"test_errors.py:{start + i}"
    raise AssertionError(f"{text!r} not in {fn.__name__}")


def unsupported_op(x):
    y = x * 2
    return torch.cumprod(y, 0)


def test_unsupported_operator_names_op_overload_and_line():
    with pytest.raises(ddl.UnsupportedOperatorError) as info:
        ddl.compile(unsupported_op, (torch.randn(4),))
    message = str(info.value)
    assert "cumprod" in message  # the op (torch.cumprod, or its ATen name under torch.export)
    assert "aten::cumprod.default" in message  # its ATen overload
    assert line_of(unsupported_op, "torch.cumprod") in message  # the user's line
    assert "return torch.cumprod(y, 0)" in message


class Branchy(torch.nn.Module):
    def forward(self, x):
        if x.sum() > 0:
            return x
        return -x


def test_data_dependent_control_flow():
    with pytest.raises(ddl.DataDependentControlFlowError) as info:
        ddl.compile(Branchy(), (torch.randn(4),))
    message = str(info.value)
    assert line_of(Branchy.forward, "x.sum() > 0") in message
    assert "torch.where" in message  # says what to do


def branch_on_size(x):
    if x.shape[0] > 2:
        return x
    return x * 2


def test_control_flow_on_dynamic_size():
    # Static: the branch is decided at compile time, which is correct.
    compiled = ddl.compile(branch_on_size, (torch.randn(4),))
    torch.testing.assert_close(compiled(torch.ones(4)), torch.ones(4))
    # Dynamic: the branch would be baked in for every size.
    with pytest.raises(ddl.DataDependentControlFlowError) as info:
        ddl.compile(branch_on_size, (torch.randn(4),), dynamic={0: {0: "n"}})
    assert "dynamic dimension" in str(info.value)
    assert line_of(branch_on_size, "x.shape[0] > 2") in str(info.value)


def test_unsupported_input_dtype():
    with pytest.raises(ddl.UnsupportedDtypeError) as info:
        ddl.compile(lambda x: x + 1, (torch.randn(4, dtype=torch.complex64),))
    message = str(info.value)
    assert "complex64" in message and "'x'" in message and ".float()" in message


def test_training_mode_is_refused_with_advice():
    with pytest.raises(ddl.UnsupportedOperatorError) as info:
        ddl.compile(torch.nn.BatchNorm2d(3), (torch.randn(2, 3, 4, 4),))
    assert "model.eval()" in str(info.value)
    with pytest.raises(ddl.UnsupportedOperatorError, match="model.eval"):
        ddl.compile(torch.nn.Dropout(0.5).train(), (torch.randn(4),))


@pytest.mark.parametrize(
    "dynamic, match",
    [
        ({"y": {0: "batch"}}, "names input 'y'"),
        ({0: {3: "batch"}}, "names dim 3"),
        ({0: {0: "not a name"}}, "must be an identifier"),
        ([{0: "b"}, {0: "b"}], "2 entries but there are 1"),
        ("batch", "must be None, a dict"),
    ],
)
def test_bad_dynamic_declarations(dynamic, match):
    with pytest.raises(ddl.CaptureError, match=match):
        ddl.compile(lambda x: x + 1, (torch.randn(2, 3),), dynamic=dynamic)


def test_conflicting_symbol_sizes():
    with pytest.raises(ddl.CaptureError, match="equal names mean equal sizes"):
        ddl.compile(lambda a, b: a + b, (torch.randn(2, 3), torch.randn(3, 3)), dynamic=[{0: "n"}, {0: "n"}])


def test_bad_inputs_at_call_time():
    compiled = ddl.compile(lambda x: x * 2, (torch.randn(2, 3),), dynamic={0: {0: "batch"}})
    with pytest.raises(ddl.RuntimeCallError, match="takes 1 inputs"):
        compiled(torch.randn(2, 3), torch.randn(2, 3))
    with pytest.raises(ddl.RuntimeCallError, match="dtype torch.int64"):
        compiled(torch.ones(2, 3, dtype=torch.int64))
    with pytest.raises(ddl.RuntimeCallError, match="SHAPE_MISMATCH"):
        compiled(torch.randn(2, 4))
    with pytest.raises(ddl.RuntimeCallError, match="not a torch.Tensor"):
        compiled([1.0, 2.0])
    # The compiled program still works afterwards.
    torch.testing.assert_close(compiled(torch.ones(5, 3)), torch.full((5, 3), 2.0))


def test_example_inputs_must_be_tensors():
    with pytest.raises(ddl.DdlError, match="example input 1 is a int"):
        ddl.compile(lambda x, n: x * n, (torch.randn(2), 3))


def test_missing_compiler_is_reported(tmp_path, monkeypatch):
    monkeypatch.setenv("DDL_BUILD_DIR", str(tmp_path))  # read at each lookup
    with pytest.raises(ddl.DdlError) as info:
        ddl.compile(lambda x: x + 1, (torch.randn(2),))
    assert "cannot find ddl's ddlc" in str(info.value)
    assert "DDL_BUILD_DIR" in str(info.value)
