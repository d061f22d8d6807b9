"""User mistakes and unsupported programs give a DdlError that says what
and where; none of them crashes the process."""

import inspect
import subprocess

import pytest
import torch

import ddl
from ddl._tools import ddlc_path, runtime_library_path


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
    """Control flow on a tensor whose branch changes module state: ddl
    compiles both branches, so it cannot carry the attribute."""

    def forward(self, x):
        if x.sum() > 0:
            self.last = x
        return -x


def test_data_dependent_control_flow_with_side_effects():
    with pytest.raises(ddl.DataDependentControlFlowError) as info:
        ddl.compile(Branchy(), (torch.randn(4),), capture="fx")
    message = str(info.value)
    assert line_of(Branchy.forward, "x.sum() > 0") in message
    assert "line " + line_of(Branchy.forward, "self.last").split(":")[1] in message  # the offending line
    assert "local variable" in message  # says what to do


class ReturnInWhileLoop(torch.nn.Module):
    """A `return` inside a `while` is not rewritten: the tensor condition is
    reported."""

    def forward(self, x):
        while x.sum() < 10:
            if x.max() > 5:
                return x
            x = x + 1
        return -x


def test_control_flow_that_is_not_rewritten():
    with pytest.raises(ddl.DataDependentControlFlowError) as info:
        ddl.compile(ReturnInWhileLoop(), (torch.zeros(4),), capture="fx")
    message = str(info.value)
    assert line_of(ReturnInWhileLoop.forward, "x.sum() < 10") in message
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


def test_runtime_found_by_its_soname(tmp_path, monkeypatch):
    # An install with the Debian package libddl-runtime but not ddl-dev has
    # lib/libddl_runtime.so.0 and no unversioned link.
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "libddl_runtime.so.0").write_bytes(b"")
    monkeypatch.setenv("DDL_BUILD_DIR", str(tmp_path))
    assert runtime_library_path() == tmp_path / "lib" / "libddl_runtime.so.0"
    (tmp_path / "lib" / "libddl_runtime.so").write_bytes(b"")
    assert runtime_library_path() == tmp_path / "lib" / "libddl_runtime.so"


def fake_ddlc(tmp_path, monkeypatch, status, stderr):
    """Makes ddl find a `ddlc` that prints `stderr` and exits with `status`
    (a negative status: killed by that signal)."""
    script = tmp_path / "bin" / "ddlc"
    script.parent.mkdir()
    script.write_text(
        "#!/bin/sh\n"
        'if [ "$1" = --version ]; then echo "ddl version 0.0-test"; exit 0; fi\n'
        f"cat >&2 <<'END'\n{stderr}\nEND\n"
        + (f"kill -{-status} $$\n" if status < 0 else f"exit {status}\n")
    )
    script.chmod(0o755)
    monkeypatch.setenv("DDL_BUILD_DIR", str(tmp_path))


def test_internal_compiler_error_asks_for_a_bug_report(tmp_path, monkeypatch):
    fake_ddlc(tmp_path, monkeypatch, 70, "internal compiler error: something broke")
    with pytest.raises(ddl.InternalCompilerError) as info:
        ddl.compile(lambda x: x + 1, (torch.randn(2),))
    message = str(info.value)
    assert isinstance(info.value, ddl.CompileError)
    assert not isinstance(info.value, ddl.UnsupportedOperatorError)
    assert message.startswith("internal compiler error")
    assert "bug in ddl" in message and "report" in message
    assert "ddl version 0.0-test" in message  # the ddlc version
    assert f"{tmp_path}/bin/ddlc " in message and " -o " in message  # the command
    graph = message.split("kept at ")[1].split(")")[0]
    assert open(graph).read().startswith("#loc0 = loc(")  # the graph is kept
    assert "something broke" in message  # ddlc's own diagnostic


def test_ddlc_crash_is_an_internal_compiler_error(tmp_path, monkeypatch):
    fake_ddlc(tmp_path, monkeypatch, -11, "Stack dump:")
    with pytest.raises(ddl.InternalCompilerError, match="killed by signal 11"):
        ddl.compile(lambda x: x + 1, (torch.randn(2),))


def test_ddlc_unsupported_is_an_unsupported_operator_error(tmp_path, monkeypatch):
    fake_ddlc(tmp_path, monkeypatch, 1, "m.py:3:0: error: torch.cumprod: unsupported op 'nn.cumprod'")
    with pytest.raises(ddl.UnsupportedOperatorError) as info:
        ddl.compile(lambda x: x + 1, (torch.randn(2),))
    assert isinstance(info.value, ddl.CompileError)
    assert isinstance(info.value, ddl.UnsupportedCompileError)
    assert "m.py:3:0: error: torch.cumprod: unsupported" in str(info.value)


def test_ddlc_invalid_graph_is_a_compile_error(tmp_path, monkeypatch):
    fake_ddlc(tmp_path, monkeypatch, 1, "m.py:3:0: error: operator.add: operands do not broadcast")
    with pytest.raises(ddl.CompileError) as info:
        ddl.compile(lambda x: x + 1, (torch.randn(2),))
    assert type(info.value) is ddl.CompileError
    assert "operands do not broadcast" in str(info.value)
    assert "kept at" in str(info.value)


def flip_then_add(x):
    y = torch.flip(x, [0])
    return y.masked_fill(y > 0, 0.0) + x


def test_ops_carry_the_user_line_and_operator():
    graph = ddl.compile(flip_then_add, (torch.randn(4),)).graph
    export = 'loc("aten::' in graph  # torch.export names ATen overloads
    for target, text in [("torch.flip", "torch.flip"), ("Tensor.masked_fill", "masked_fill"),
                         ("operator.gt", "masked_fill")]:
        if export:
            target = {"torch.flip": "aten::flip.default", "operator.gt": "aten::gt.Scalar"}.get(target)
            if target is None:
                continue
        file, line = line_of(flip_then_add, text).split(":")
        assert f'loc("{target}"("' in graph, graph
        assert graph.split(f'loc("{target}"(')[1].split("\n")[0].endswith(f'{file}":{line}:0))'), graph
    # Every op of the function has a location.
    body = graph[graph.index("func.func"):graph.rindex("}")]
    for line in body.splitlines()[1:-1]:
        assert " loc(#loc" in line, line


def test_locations_are_valid_mlir(tmp_path):
    from ddl.mlir import GraphBuilder, TensorType, location

    b = GraphBuilder()
    x = b.add_input(TensorType(torch.float32, [2]), "x")
    b.location = location('odd "name" \\ with\ttab', 'dir "q"\\model.py', 7)
    y = b.op("nn.relu", [x], x.type)
    b.location = location("no file")
    b.set_outputs([b.op("nn.neg", [y], x.type)], ["y"])
    text = b.text()
    assert '#loc0 = loc("odd \\"name\\" \\\\ with\\09tab"("dir \\"q\\"\\\\model.py":7:0))' in text
    assert '#loc1 = loc("no file")' in text
    path = tmp_path / "g.mlir"
    path.write_text(text)
    opt = ddlc_path().parent / "ddl-opt"
    result = subprocess.run([str(opt), str(path), "--mlir-print-debuginfo"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert 'model.py":7:0' in result.stdout and '"no file"' in result.stdout


def test_ddlc_diagnostics_name_the_user_line_and_operator(tmp_path):
    from ddl.compiler import _compile_error
    from ddl.mlir import GraphBuilder, TensorType, location

    b = GraphBuilder()
    x = b.add_input(TensorType(torch.float32, [2]), "x")
    y = b.add_input(TensorType(torch.float32, [3]), "y")
    b.location = location("operator.add", "model.py", 12)
    z = b.op("nn.add", [x, y], TensorType(torch.float32, [3]))  # does not broadcast
    b.set_outputs([z], ["z"])
    path = tmp_path / "graph.mlir"
    path.write_text(b.text())
    command = [str(ddlc_path()), str(path), "-o", str(tmp_path / "model.so")]
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode == 1, result.stderr
    assert "model.py:12:0: error: operator.add:" in result.stderr
    error = _compile_error(command, str(path), result)
    assert type(error) is ddl.CompileError
    assert "model.py:12:0: error: operator.add:" in str(error) and str(path) in str(error)
