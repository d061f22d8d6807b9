"""`ddl.compile(..., device="cuda")`: device strings, the ddlc target, and
(on a machine whose torch has CUDA) CUDA tensors in and out without host
round trips."""

import ctypes
import subprocess

import pytest
import torch

import ddl
from ddl import compiler
from ddl import runtime as ddl_runtime

needs_cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="torch has no CUDA device here")


def _double_plus_one(x):
    return x * 2 + 1


@pytest.mark.parametrize("device", ["cuda:x", "tpu", "cuda:-1", "cuda:", "gpu", "rocm", "cuda:0:1", "CUDA", 3])
def test_bad_device_strings_are_refused_before_compiling(device, monkeypatch):
    def no_ddlc(*args, **kwargs):
        raise AssertionError("ddlc must not run")

    monkeypatch.setattr(compiler.subprocess, "run", no_ddlc)
    with pytest.raises(ddl.DdlError, match="device must be 'cpu', 'cuda' or 'cuda:N'"):
        ddl.compile(_double_plus_one, (torch.randn(2, 3),), device=device)


def test_device_parsing():
    assert compiler.parse_device(None) is None
    assert compiler.parse_device("cpu") is None
    assert compiler.parse_device(torch.device("cpu")) is None
    if not torch.cuda.is_available():
        assert compiler.parse_device("cuda") == torch.device("cuda", 0)
        assert compiler.parse_device("cuda:3") == torch.device("cuda", 3)
        assert compiler.parse_device(torch.device("cuda", 2)) == torch.device("cuda", 2)
        assert compiler.ddlc_target(torch.device("cuda", 0)) == "cuda"
    assert compiler.ddlc_target(None) == "host"


def test_cpu_device_compiles_for_the_host(monkeypatch):
    commands = []
    real_run = subprocess.run

    def record(command, *args, **kwargs):
        commands.append(command)
        return real_run(command, *args, **kwargs)

    monkeypatch.setattr(compiler.subprocess, "run", record)
    x = torch.randn(2, 3)
    compiled = ddl.compile(_double_plus_one, (x,), device="cpu")
    assert compiled.device == torch.device("cpu")
    assert not any(arg.startswith("--target") for arg in commands[-1])
    torch.testing.assert_close(compiled(x), _double_plus_one(x))


def test_cuda_compiles_with_ddlc_target_cuda(monkeypatch):
    """The real ddlc builds a CUDA model (ptxas must be installed); the
    runtime opens it without a device to check what it is."""
    commands, opened = [], []
    real_run = subprocess.run

    def record(command, *args, **kwargs):
        commands.append(command)
        return real_run(command, *args, **kwargs)

    class Loaded:
        def __init__(self, path, runtime=None, device=None):
            lib = ddl_runtime._library()
            rt = ddl_runtime.default_runtime()
            handle = ctypes.c_void_p()
            status = lib.ddl_model_open_device(rt._handle, str(path).encode(), -1, ctypes.byref(handle))
            assert status == 0, lib.ddl_last_error().decode()
            opened.append((lib.ddl_model_device_kind(handle), lib.ddl_model_device_arch(handle), device))
            lib.ddl_model_close(handle)

    monkeypatch.setattr(compiler.subprocess, "run", record)
    monkeypatch.setattr(compiler, "Model", Loaded)
    compiled = ddl.compile(_double_plus_one, (torch.randn(4, 8),), device="cuda:0")
    target = [arg for arg in commands[-1] if arg.startswith("--target=")]
    assert len(target) == 1 and target[0].startswith("--target=cuda"), commands[-1]
    kind, arch, device = opened[0]
    assert kind == ddl_runtime.DEVICE_CUDA and arch.startswith(b"sm_")
    assert device == torch.device("cuda", 0)
    assert compiled.device == torch.device("cuda", 0)


@pytest.mark.skipif(torch.cuda.is_available(), reason="this torch has CUDA")
def test_cuda_without_a_cuda_torch_is_a_clear_error():
    with pytest.raises(ddl.DdlError, match=r"compiled for cuda:0, but this torch .* has no CUDA device"):
        ddl.compile(_double_plus_one, (torch.randn(4, 8),), device="cuda")


def test_dynamo_backend_compiles_for_the_example_inputs_device():
    from ddl import dynamo

    assert dynamo._device_of([torch.randn(2), 3]) is None

    class OnCuda1(torch.Tensor):  # what dynamo's example inputs say on a GPU
        device = property(lambda self: torch.device("cuda", 1))

    t = torch.randn(2).as_subclass(OnCuda1)
    assert dynamo._device_of([torch.randn(2), t]) == torch.device("cuda", 1)


# ---- On a GPU ----------------------------------------------------------------


@needs_cuda
def test_cuda_tensors_in_and_out():
    x = torch.randn(4, 8, device="cuda")
    compiled = ddl.compile(_double_plus_one, (x,), device="cuda")
    y = compiled(x)
    assert y.device == x.device and y.dtype == x.dtype
    torch.testing.assert_close(y, _double_plus_one(x))
    # Outputs are torch's own memory: they outlive the program.
    del compiled
    y.add_(1)
    torch.testing.assert_close(y, _double_plus_one(x) + 1)


@needs_cuda
def test_cuda_dynamic_batch_and_non_contiguous_inputs():
    x = torch.randn(4, 8, device="cuda")
    compiled = ddl.compile(lambda a: torch.relu(a) - a.sum(dim=1, keepdim=True), (x,), dynamic=[{0: "batch"}],
                           device="cuda")
    for batch in (1, 7):
        a = torch.randn(8, batch, device="cuda").t()  # a transposed view
        torch.testing.assert_close(compiled(a), torch.relu(a) - a.sum(dim=1, keepdim=True))


@needs_cuda
def test_cuda_module_parameters_live_on_the_gpu():
    model = torch.nn.Linear(8, 5).cuda().eval()
    x = torch.randn(3, 8, device="cuda")
    compiled = ddl.compile(model, (x,), device="cuda")
    torch.testing.assert_close(compiled(x), model(x).detach(), rtol=1e-4, atol=1e-4)
    with torch.no_grad():
        model.weight.mul_(2)
    torch.testing.assert_close(compiled(x), model(x).detach(), rtol=1e-4, atol=1e-4)


@needs_cuda
def test_cpu_tensors_given_to_a_cuda_program_are_refused():
    x = torch.randn(4, 8, device="cuda")
    compiled = ddl.compile(_double_plus_one, (x,), device="cuda")
    with pytest.raises(ddl.RuntimeCallError, match=r"input 0 \('x'\) is a cpu tensor, but the program was compiled "
                                                   r"for cuda:0"):
        compiled(x.cpu())
    model = torch.nn.Linear(8, 5).eval()  # left on the CPU
    compiled = ddl.compile(model, (x.cpu(),), device="cuda")
    with pytest.raises(ddl.RuntimeCallError, match="is a cpu tensor"):
        compiled(x)


@needs_cuda
def test_cuda_on_a_side_stream():
    x = torch.randn(64, 64, device="cuda")
    compiled = ddl.compile(_double_plus_one, (x,), device="cuda")
    stream = torch.cuda.Stream()
    with torch.cuda.stream(stream):
        a = x @ x  # queued on the side stream
        y = compiled(a)
        torch.testing.assert_close(y, _double_plus_one(a))


@needs_cuda
@pytest.mark.skipif(not hasattr(torch, "compile"), reason="torch.compile needs torch 2.x")
def test_torch_compile_with_cuda_inputs():
    model = torch.nn.Sequential(torch.nn.Linear(8, 8), torch.nn.ReLU()).cuda().eval()
    x = torch.randn(2, 8, device="cuda")
    compiled = torch.compile(model, backend="ddl")
    y = compiled(x)
    assert y.device == x.device
    torch.testing.assert_close(y, model(x).detach(), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("precision, device, message", [
    ("bf17", "cuda", "precision must be one of 'fp32', 'tf32', 'bf16', 'fp16', not 'bf17'"),
    ("bf16", None, "precision='bf16' needs device='cuda'"),
])
def test_bad_precisions_are_refused_before_compiling(precision, device, message, monkeypatch):
    def no_ddlc(*args, **kwargs):
        raise AssertionError("ddlc must not run")

    monkeypatch.setattr(compiler.subprocess, "run", no_ddlc)
    with pytest.raises(ddl.DdlError, match=message):
        ddl.compile(_double_plus_one, (torch.randn(2, 3),), device=device, precision=precision)


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16, torch.float16, torch.int64, torch.uint8])
def test_outputs_are_handed_to_torch_by_dlpack_and_freed_with_the_view(dtype):
    """Device outputs reach torch through DLPack (no copy); the same export
    of a host ddl tensor checks the structs, the types and that the ddl
    tensor is destroyed when torch frees its view."""
    import gc

    lib = ddl_runtime._library()
    want = torch.arange(12).reshape(3, 4).to(dtype)
    handle = ctypes.c_void_p()
    dims = (ctypes.c_int64 * 2)(3, 4)
    assert lib.ddl_tensor_create(ddl_runtime.TORCH_TO_DTYPE[dtype], 2, dims, ctypes.byref(handle)) == 0
    ctypes.memmove(lib.ddl_tensor_data(handle), want.data_ptr(), want.numel() * want.element_size())
    before = len(ddl_runtime._exported)
    got = ddl_runtime._export_tensor(lib, handle)
    assert got.dtype == dtype and torch.equal(got, want)
    assert got.data_ptr() == lib.ddl_tensor_data(handle)  # a view, not a copy
    assert len(ddl_runtime._exported) == before + 1
    del got
    gc.collect()
    assert len(ddl_runtime._exported) == before


def test_cuda_graph_needs_a_cuda_device(monkeypatch):
    def no_ddlc(*args, **kwargs):
        raise AssertionError("ddlc must not run")

    monkeypatch.setattr(compiler.subprocess, "run", no_ddlc)
    with pytest.raises(ddl.DdlError, match="cuda_graph=True needs device='cuda'"):
        ddl.compile(_double_plus_one, (torch.randn(2, 3),), cuda_graph=True)
    monkeypatch.undo()
    on_cpu = ddl.compile(_double_plus_one, (torch.randn(2, 3),))
    with pytest.raises(ddl.RuntimeCallError, match="CUDA graphs need a model compiled for a CUDA device"):
        on_cpu.enable_cuda_graph()


@needs_cuda
def test_cuda_graph_captures_once_per_shape_and_replays():
    model = torch.nn.Sequential(torch.nn.Linear(16, 32), torch.nn.GELU(), torch.nn.Linear(32, 8)).cuda().eval()
    x = torch.randn(4, 16, device="cuda")
    compiled = ddl.compile(model, (x,), dynamic=[{0: "batch"}], device="cuda", freeze=True, cuda_graph=True)
    with torch.no_grad():
        for batch in (4, 4, 4, 9, 9, 9, 4):
            a = torch.randn(batch, 16, device="cuda")  # new values and pointers each call
            torch.testing.assert_close(compiled(a), model(a), rtol=1e-4, atol=1e-4)
    captures, launches, why = compiled.graph_stats()
    # Per shape: a normal run, then a capture launched at once, then replays.
    assert (captures, launches, why) == (2, 5, None)


def test_precision_reaches_ddlc():
    command = compiler.ddlc_command("g.mlir", "m.so", 3, "cuda:sm_90", precision="bf16")
    assert "--precision=bf16" in command and "--target=cuda:sm_90" in command
    assert not any(arg.startswith("--precision") for arg in compiler.ddlc_command("g.mlir", "m.so", 3))


# Relative Frobenius error of each compute type on random data (fp32 lands
# far under its bound; tf32 and fp16 keep 10-11 mantissa bits, bf16 8).
PRECISION_BOUNDS = {"fp32": 1e-5, "tf32": 2e-3, "fp16": 2e-3, "bf16": 1e-2}


def _relative_error(got, want):
    return float(torch.linalg.norm((got.double() - want).flatten()) / torch.linalg.norm(want.flatten()))


def _check_half_products(compiled, products, args, precision, dtype, elementwise=True):
    """Each output of `compiled` on `args` has the dtype and shape of the
    float64 reference, its relative error within the precision's bound
    and, with `elementwise`, every element (the edges included) near its
    float64 value."""
    got_all = compiled(*args)
    wants = products(*(a.double() for a in args))
    if isinstance(wants, torch.Tensor):
        got_all, wants = (got_all,), (wants,)
    for got, want in zip(got_all, wants):
        assert got.dtype == dtype and got.shape == want.shape
        error = _relative_error(got, want)
        assert error <= PRECISION_BOUNDS[precision], f"{precision}: relative error {error:.2e}"
        if elementwise:
            scale = want.abs().max()
            assert float((got.double() - want).abs().max() / scale) < 3e-2


@needs_cuda
@pytest.mark.parametrize("precision", ["fp32", "tf32", "bf16", "fp16"])
def test_cuda_matrix_products_in_each_precision(precision):
    """Odd sizes (partial tiles in m, n and k), a batch, and both operand
    layouts (a weight used transposed, as linear layers do), against a
    float64 reference."""
    torch.manual_seed(0)
    a = torch.randn(3, 300, 257, device="cuda")
    b = torch.randn(257, 130, device="cuda")
    w = torch.randn(130, 257, device="cuda")

    def products(a, b, w):
        return a @ b, torch.nn.functional.linear(a, w)

    compiled = ddl.compile(products, (a, b, w), device="cuda", precision=precision)
    for got, want in zip(compiled(a, b, w), products(a.double(), b.double(), w.double())):
        assert got.dtype == torch.float32 and got.shape == want.shape
        error = _relative_error(got, want)
        assert error <= PRECISION_BOUNDS[precision], f"{precision}: relative error {error:.2e}"
        if precision != "fp32":
            # The rounding is real: exact fp32 would be ~1e-7.
            assert error > 1e-6, f"{precision}: error {error:.2e} looks like fp32 math"


@needs_cuda
@pytest.mark.parametrize("precision, dtype", [("bf16", torch.bfloat16), ("fp16", torch.float16)])
@pytest.mark.parametrize("k", [512, 520])
def test_cuda_half_matrix_products_inside_and_at_the_edges(precision, dtype, k):
    """bf16 / fp16 tensors whose rows are 16-byte aligned: the blocks inside
    the operands take 16-byte loads, the last partial row and column blocks
    (300 = 2 x 128 + 44, 264 = 2 x 128 + 8) and, with k = 520, the last
    partial k slice take the bounds-checked loads; B has n contiguous (a @ b)
    or k contiguous (linear), A k contiguous or m contiguous (a transposed
    operand in the graph)."""
    torch.manual_seed(0)
    a = torch.randn(2, 300, k, device="cuda", dtype=dtype)
    at = torch.randn(2, k, 300, device="cuda", dtype=dtype)
    b = torch.randn(k, 264, device="cuda", dtype=dtype)
    w = torch.randn(264, k, device="cuda", dtype=dtype)

    def products(a, at, b, w):
        return a @ b, torch.nn.functional.linear(a, w), at.transpose(1, 2) @ b

    compiled = ddl.compile(products, (a, at, b, w), device="cuda", precision=precision)
    # The sums are f32; the result is rounded to the type once.
    _check_half_products(compiled, products, (a, at, b, w), precision, dtype)


@needs_cuda
@pytest.mark.parametrize("precision, dtype", [("bf16", torch.bfloat16), ("fp16", torch.float16),
                                              ("tf32", torch.float32)])
@pytest.mark.parametrize("m, n, k", [(1, 264, 520), (16, 1000, 1032), (700, 520, 4096)])
def test_cuda_products_of_tma_friendly_shapes(precision, dtype, m, n, k):
    """Operands whose rows are 16-byte aligned take the Hopper kernel on
    sm_90 (wgmma fed by TMA, 128 x 256 tiles): a single row and 16 rows
    (the tile far larger than the operand: TMA reads zeros past its end),
    partial tiles in n and k, a k of 64 slices, both B layouts (a weight
    used transposed: k contiguous; a @ b: n contiguous, 16-bit types
    only), C accumulated onto a bias (the sum starts from C). Elsewhere the
    same program runs the mma.sync kernel: the bounds hold for both."""
    torch.manual_seed(0)
    x = torch.randn(m, k, device="cuda", dtype=dtype)
    w = torch.randn(n, k, device="cuda", dtype=dtype)
    b = torch.randn(k, n, device="cuda", dtype=dtype)
    bias = torch.randn(n, device="cuda", dtype=dtype)

    def products(x, w, b, bias):
        return torch.nn.functional.linear(x, w, bias), x @ b

    compiled = ddl.compile(products, (x, w, b, bias), device="cuda", precision=precision)
    _check_half_products(compiled, products, (x, w, b, bias), precision, dtype)


@needs_cuda
@pytest.mark.parametrize("precision, dtype", [("bf16", torch.bfloat16), ("fp16", torch.float16)])
@pytest.mark.parametrize("stride, padding", [(1, 1), (2, 0)])
def test_cuda_half_convolution_products(precision, dtype, stride, padding):
    """bf16 / fp16 convolutions run as im2col GEMMs on the tensor cores
    (the Hopper kernel where TMA takes the operands), accumulating in f32
    and rounded once, the bias added in f32; the filter a run-time input
    (an unfrozen parameter)."""
    torch.manual_seed(0)
    x = torch.randn(2, 64, 15, 15, device="cuda", dtype=dtype)
    w = torch.randn(96, 64, 3, 3, device="cuda", dtype=dtype) / 24
    bias = torch.randn(96, device="cuda", dtype=dtype)

    def products(x, w, bias):
        return torch.nn.functional.conv2d(x, w, bias, stride=stride, padding=padding)

    compiled = ddl.compile(products, (x, w, bias), device="cuda", precision=precision)
    _check_half_products(compiled, products, (x, w, bias), precision, dtype, elementwise=False)


@needs_cuda
@pytest.mark.parametrize("quantize", ["int8", "int8-static", "int4", "fp8", "ternary"])
def test_cuda_quantized_layers_match_the_cpu_kernels(quantize):
    """The GPU runs quantized layers on its kernels or through the
    reference lowering (ddl-lowbit-to-linalg); the CPU through its kernels,
    which the test command checks against exact emulations: both must
    agree. (int8-static: scales calibrated on the input itself.)"""
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(128, 256), torch.nn.ReLU(), torch.nn.Linear(256, 64)).eval()
    x = torch.randn(8, 128)
    extra = {"calibration": [x]} if quantize == "int8-static" else {}
    quantize = quantize.split("-")[0]
    on_cpu = ddl.compile(model, (x,), quantize=quantize, **extra)
    expected = on_cpu(x)
    model = model.cuda()
    on_gpu = ddl.compile(model, (x.cuda(),), device="cuda", quantize=quantize, **extra)
    got = on_gpu(x.cuda()).cpu()
    if quantize == "fp8":
        # Hopper's fp8 tensor cores add the products of one wgmma with fewer
        # bits than f32: torch._scaled_mm's own product differs from the
        # exact one by 1.9e-4 of the output's magnitude at these sizes (K =
        # 128; measured on an H100 2026-12-07), as ddl's does.
        error = ((got - expected).abs().max() / expected.abs().max()).item()
        assert error <= 1e-3, f"fp8 on the GPU differs from the CPU by {error:.3g} of the output's magnitude"
    else:
        torch.testing.assert_close(got, expected, rtol=1e-4, atol=1e-4)


@needs_cuda
@pytest.mark.parametrize("shape", [(1, 192), (5, 192), (2, 3, 192), (1, 4096)])
def test_cuda_int4_kernels_match_the_cpu_kernels(shape):
    """lowbit.matmul_int4 runs on ddl-gpu-int4-kernels' kernels: one row
    (gemv_int4), rows in fours with a partial last four, batch dims, more k
    blocks than threads; 66 columns (a partial last block of columns)."""
    torch.manual_seed(0)
    model = torch.nn.Linear(shape[-1], 66).eval()
    x = torch.randn(*shape)
    expected = ddl.compile(model, (x,), quantize="int4", quantize_group=64)(x)
    on_gpu = ddl.compile(model.cuda(), (x.cuda(),), device="cuda", quantize="int4", quantize_group=64)
    got = on_gpu(x.cuda()).cpu()
    torch.testing.assert_close(got, expected, rtol=1e-4, atol=1e-4)
