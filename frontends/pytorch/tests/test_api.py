"""ddl.compile's contract: functions and modules, output structure,
parameters passed live (or frozen), options."""

import os
import subprocess

import pytest
import torch

import ddl


def test_function_with_several_outputs():
    def f(a, b):
        s = a + b
        return s, {"product": a * b, "both": [s, a - b]}

    a, b = torch.randn(3, 4), torch.randn(3, 4)
    compiled = ddl.compile(f, (a, b))
    assert compiled.input_names == ["a", "b"]
    out = compiled(a, b)
    expected = f(a, b)
    torch.testing.assert_close(out[0], expected[0])
    torch.testing.assert_close(out[1]["product"], expected[1]["product"])
    torch.testing.assert_close(out[1]["both"][1], expected[1]["both"][1])


def test_parameters_are_live_and_not_copied_into_the_library():
    model = torch.nn.Linear(4, 3).eval()
    x = torch.randn(2, 4)
    compiled = ddl.compile(model, (x,))
    assert "dense_resource" not in compiled.graph  # weights are inputs
    with torch.no_grad():
        model.weight.mul_(2)  # seen by the next call, as in eager mode
        model.bias.zero_()
    torch.testing.assert_close(compiled(x), model(x).detach())


def test_freeze_embeds_parameters():
    model = torch.nn.Linear(40, 30).eval()
    x = torch.randn(2, 40)
    compiled = ddl.compile(model, (x,), freeze=True)
    assert "dense_resource" in compiled.graph
    expected = model(x).detach()
    with torch.no_grad():
        model.weight.zero_()  # not seen: the weights were frozen
    torch.testing.assert_close(compiled(x), expected)


def test_tuning_database_and_schedule_policy(tmp_path):
    """A ddl-tune database replays (ddlc, given the same graph, reports the
    record for the frozen layer's kernel as used); the heuristic policy
    compiles too; bad options are errors before anything is compiled."""
    model = torch.nn.Linear(64, 48).eval()
    x = torch.randn(16, 64)
    db = tmp_path / "tuning.jsonl"
    with open(db, "w") as f:
        for isa in ("avx512", "avx2", "sse", "neon"):  # one of them is this machine's
            schedule = f'#sched.contraction<isa = \\"{isa}\\", register = [4, 16, 1], cache = [2, 1, 64], ' \
                'parallel = 0>'
            key = f"op=matmul m=16 n=48 k=64 types=f32,f32,f32 lhs=mk rhs=nk isa={isa}"
            f.write('{"key": "%s", "target": "%s", "schedule": "%s", "latency_ms": 0.01, '
                    '"version": "ddl-tune 1"}\n' % (key, isa, schedule))
    compiled = ddl.compile(model, (x,), freeze=True, tuning_db=db, keep_files=True)
    torch.testing.assert_close(compiled(x), model(x).detach(), rtol=1e-4, atol=1e-5)
    graph = os.path.join(os.path.dirname(compiled.library), "graph.mlir")
    replay = subprocess.run([str(ddl.compiler.ddlc_path()), graph, "--tuning-db", str(db),
                             "-o", str(tmp_path / "m.so")], capture_output=True, text=True)
    assert replay.returncode == 0, replay.stderr
    assert "schedules: 1 kernels: 1 tuned (database)" in replay.stderr, replay.stderr
    compiled = ddl.compile(model, (x,), freeze=True, schedule_policy="heuristic")
    torch.testing.assert_close(compiled(x), model(x).detach(), rtol=1e-4, atol=1e-5)
    with pytest.raises(ddl.DdlError, match="schedule_policy must be 'model' or 'heuristic'"):
        ddl.compile(model, (x,), schedule_policy="fastest")
    with pytest.raises(ddl.DdlError, match="is not a file"):
        ddl.compile(model, (x,), tuning_db=tmp_path / "missing.jsonl")


def test_outputs_are_writable_tensors_that_outlive_the_program():
    compiled = ddl.compile(lambda x: x.relu() * 3, (torch.randn(8),))
    out = compiled(torch.ones(8))
    del compiled
    out.add_(1)
    torch.testing.assert_close(out, torch.full((8,), 4.0))


def test_non_contiguous_inputs():
    compiled = ddl.compile(lambda x: x * 2, (torch.randn(3, 4),))
    x = torch.randn(4, 3).t()  # a transposed view
    torch.testing.assert_close(compiled(x), x * 2)


def test_keep_files_and_threads(tmp_path):
    compiled = ddl.compile(lambda x: torch.tanh(x) @ x.t(), (torch.randn(5, 5),), keep_files=True, threads=1)
    assert compiled.library and os.path.isfile(compiled.library)
    x = torch.randn(5, 5)
    torch.testing.assert_close(compiled(x), torch.tanh(x) @ x.t())


def test_symbols_reach_the_outputs():
    compiled = ddl.compile(lambda x: x.sum(dim=1, keepdim=True), (torch.randn(3, 4),), dynamic={"x": {0: "rows"}})
    assert "-> (tensor<?x1xf32, #nn.dims<rows, 1>>" in compiled.graph
    for rows in (1, 6):
        x = torch.randn(rows, 4)
        torch.testing.assert_close(compiled(x), x.sum(dim=1, keepdim=True))


def test_pip_installs_the_package_from_the_checkout(tmp_path):
    """`pip install frontends/pytorch` (offline, into a venv that sees
    Debian's torch) gives a working `ddl` and the torch.compile entry point."""
    import subprocess
    import sys
    from pathlib import Path

    import shutil

    package = Path(__file__).resolve().parents[1]
    # pip builds in the source directory: install from a copy, keeping the
    # checkout clean.
    source = tmp_path / "source"
    shutil.copytree(package, source, ignore=shutil.ignore_patterns("__pycache__", "build", "*.egg-info"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True)
    python = venv / "bin" / "python"
    # torch may itself live in a venv (not the system's site-packages): make
    # the new venv see it, as a user's environment would.
    site = subprocess.run([str(python), "-c", "import site; print(site.getsitepackages()[0])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    torch_home = Path(torch.__file__).resolve().parents[1]
    (Path(site) / "torch-location.pth").write_text(f"{torch_home}\n")
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--no-index", "--no-build-isolation", str(source)],
        capture_output=True, text=True,
    )
    assert install.returncode == 0, install.stdout + install.stderr
    check = (
        "import ddl, torch\n"
        "from importlib.metadata import entry_points\n"
        "assert 'site-packages' in ddl.__file__, ddl.__file__\n"
        "c = ddl.compile(lambda x: x * 2 + 1, (torch.randn(3),))\n"
        "assert c(torch.ones(3)).tolist() == [3.0, 3.0, 3.0]\n"
        "eps = entry_points()\n"
        "eps = eps.select(group='torch_dynamo_backends') if hasattr(eps, 'select') "
        "else eps.get('torch_dynamo_backends', [])\n"
        "assert [e.value for e in eps if e.name == 'ddl'] == ['ddl.dynamo:ddl_backend']\n"
        "print('OK')\n"
    )
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    # The child runs elsewhere: a relative DDL_BUILD_DIR must be resolved here.
    env["DDL_BUILD_DIR"] = str(Path(env.get("DDL_BUILD_DIR", package.parents[1] / "build")).resolve())
    result = subprocess.run([str(python), "-c", check], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert result.stdout.strip() == "OK", result.stdout + result.stderr
