"""`ddl.compile`: capture, convert to nn MLIR, compile with ddlc, load."""

import os
import re
import shlex
import shutil
import subprocess
import tempfile
import traceback
import warnings

import torch

from . import capture as capture_mod
from . import control_flow  # noqa: F401  (registers the nn.if / nn.loop converters)
from . import ops  # noqa: F401  (registers the converters)
from ._tools import ddlc_path
from .convert import Converter, unflatten
from .errors import (
    CompileError,
    DataDependentControlFlowError,
    DdlError,
    InternalCompilerError,
    RuntimeCallError,
    UnsupportedCompileError,
    UnsupportedOperatorError,
    user_frame,
)
from .runtime import Model, Runtime


def _as_tuple(example_inputs):
    if isinstance(example_inputs, torch.Tensor):
        return (example_inputs,)
    if isinstance(example_inputs, (list, tuple)):
        return tuple(example_inputs)
    raise DdlError(f"example_inputs must be a tensor or a tuple of tensors, not {type(example_inputs).__name__}")


class CompiledModule:
    """A compiled program: call it like the original, with tensors.

    Parameters and buffers of the original module are passed to the
    compiled code on every call (without copies), so later changes to
    them (load_state_dict, in-place updates) are seen, as in eager mode;
    `freeze=True` embeds them in the compiled code instead.

    Attributes: `graph` (the nn-dialect MLIR text handed to ddlc),
    `input_names`, `symbols` (dynamic dimension names), `library` (the
    shared object's path while `keep_files` holds it), `device` (the
    torch.device it runs on: cpu, or the cuda device it was compiled
    for)."""

    def __init__(self, model, graph, input_names, parameters, output_spec, symbols, library, device=None):
        self._model = model
        self.device = device or torch.device("cpu")
        self.graph = graph
        self.input_names = input_names
        self._parameters = parameters  # per parameter input: a callable giving its tensor
        self._output_spec = output_spec
        self.symbols = symbols
        self.library = library

    def __call__(self, *inputs):
        if len(inputs) != len(self.input_names):
            raise RuntimeCallError(
                f"the compiled program takes {len(self.input_names)} inputs ({', '.join(self.input_names)}), "
                f"got {len(inputs)}"
            )
        tensors = list(inputs) + [get() for get in self._parameters]
        with torch.no_grad():
            outputs = self._model.run(tensors)
        return unflatten(outputs, self._output_spec)

    def enable_cuda_graph(self, enable=True):
        """Turns CUDA graph mode on or off after compiling (as
        compile(..., cuda_graph=True) does); off frees the graphs."""
        self._model.enable_graph(enable)

    def graph_stats(self):
        """CUDA graph mode (compile(..., cuda_graph=True)) so far: (graphs
        captured, graph launches, why the program runs without graphs or
        None)."""
        return self._model.graph_stats()


def _attribute_getter(root, qualified):
    parts = qualified.split(".")

    def get():
        value = root
        for part in parts:
            value = getattr(value, part)
        return value.detach() if value.requires_grad else value

    return get


_DEVICE_RE = re.compile(r"(cpu|cuda)(?::([0-9]+))?")


def parse_device(device):
    """`device` ("cpu", "cuda", "cuda:N", a torch.device or None) as None
    (the CPU) or a torch.device("cuda", N); DdlError for anything else.
    "cuda" is torch's current CUDA device (0 when torch has no CUDA)."""
    if device is None:
        return None
    if isinstance(device, torch.device):
        device = str(device)
    match = _DEVICE_RE.fullmatch(device) if isinstance(device, str) else None
    if match is None:
        raise DdlError(f"device must be 'cpu', 'cuda' or 'cuda:N' (N a GPU number), not {device!r}")
    if match.group(1) == "cpu":
        return None
    if match.group(2) is not None:
        index = int(match.group(2))
    else:
        index = torch.cuda.current_device() if torch.cuda.is_available() else 0
    if torch.cuda.is_available() and index >= torch.cuda.device_count():
        raise DdlError(
            f"device {device!r}: this machine has {torch.cuda.device_count()} CUDA device(s) "
            f"(cuda:0 to cuda:{torch.cuda.device_count() - 1})"
        )
    return torch.device("cuda", index)


def ddlc_target(device):
    """ddlc's --target for a parsed device: "host", or "cuda[:sm_XY]" with
    the GPU's architecture when torch can tell it (else ddlc's default).
    Hopper compiles for sm_90a: the kernels run on this very GPU, so its
    arch-specific instructions (wgmma, TMA) are fair game."""
    if device is None:
        return "host"
    if torch.cuda.is_available():
        major, minor = torch.cuda.get_device_capability(device)
        return f"cuda:sm_{major}{minor}" + ("a" if (major, minor) == (9, 0) else "")
    return "cuda"


QUANTIZE_MODES = ("int8", "int4", "fp8", "fp8-e5m2", "ternary", "ternary-1.6", "bf16")
CALIBRATORS = ("minmax", "percentile", "entropy")
PRECISIONS = ("fp32", "tf32", "bf16", "fp16")


def ddlc_command(graph_path, library, opt_level, target="host", quantize=None,
                 quantize_keep=(), precision="fp32", quantize_group=None, specialize=(),
                 tuning_db=None, schedule_policy="model", calibration=None, calibrator="minmax",
                 calibration_percentile=None):
    """The ddlc command line that compiles `graph_path` into `library`;
    `specialize`: (symbol, sizes) pairs; `calibration`: a directory of
    samples or a calibration table (ddlc --calibration)."""
    command = [str(ddlc_path()), graph_path, "-o", library, f"-O{int(opt_level)}"]
    if target != "host":
        command.append(f"--target={target}")
    if precision != "fp32":
        command.append(f"--precision={precision}")
    if quantize is not None:
        command.append(f"--quantize={quantize}")
    if quantize_keep:
        command.append("--quantize-keep=" + ",".join(quantize_keep))
    if quantize_group is not None:
        command.append(f"--quantize-group={int(quantize_group)}")
    if calibration is not None:
        command.append(f"--calibration={os.fspath(calibration)}")
        if calibrator != "minmax":
            command.append(f"--calibrator={calibrator}")
        if calibration_percentile is not None:
            command.append(f"--calibration-percentile={float(calibration_percentile)!r}")
    for symbol, sizes in specialize:
        command.append(f"--specialize={symbol}=" + ",".join(str(int(s)) for s in sizes))
    if tuning_db is not None:
        command.append(f"--tuning-db={os.fspath(tuning_db)}")
    if schedule_policy != "model":
        command.append(f"--schedule-policy={schedule_policy}")
    return command


def compile(  # noqa: A001 (the public name mirrors torch.compile)
    module_or_fn,
    example_inputs,
    dynamic=None,
    *,
    capture="auto",
    freeze=False,
    opt_level=3,
    threads=None,
    keep_files=False,
    device=None,
    quantize=None,
    quantize_keep=(),
    quantize_group=None,
    calibration=None,
    calibrator="minmax",
    calibration_percentile=None,
    precision="fp32",
    cuda_graph=False,
    specialize=None,
    tuning_db=None,
    schedule_policy="model",
):
    """Compiles a `torch.nn.Module` or a function of tensors with ddl.

    example_inputs: a tensor or a tuple of tensors, as the program takes them.
    dynamic: which input dimensions may change size, by name:
        {"x": {0: "batch"}} (input name or index -> {dim: symbol}), or a list
        with one {dim: symbol} per input. Equal names mean equal sizes.
        Other dimensions are fixed to the example's sizes.
    capture: "export" (torch.export, torch 2.x), "fx" (concrete FX tracing,
        any torch) or "auto" ($DDL_CAPTURE if set, else export when this
        torch has it).
    freeze: embed parameters and buffers as constants.
    opt_level: 0-3, as ddlc's -O.
    threads: the thread pool's size for this program (default: one per CPU,
        shared by all compiled programs).
    keep_files: keep the MLIR and the shared object (see `.library`).
    device: where the compiled program runs: None or "cpu" (the default),
        or "cuda" / "cuda:N" (compiled with `ddlc --target=cuda`; it then
        takes CUDA tensors of that device, module parameters included, and
        returns CUDA tensors, with no copy through the host).
    quantize: None (the default), "int8", "int4", "fp8", "fp8-e5m2",
        "ternary", "ternary-1.6" or "bf16": post-training quantization, as
        `ddlc --quantize`:
        with int8, linear layers' weights become int8 per output channel at
        compile time and their inputs int8 per row at run time (int8
        matmuls); with int4, the weights become 4-bit in groups of
        `quantize_group` inputs and the inputs stay float (weight-only);
        with fp8, weights and inputs become E4M3 with one scale per tensor
        (fp8-e5m2: E5M2);
        with ternary, the weights become BitNet b1.58 trits {-1, 0, 1}
        times their output channel's mean magnitude, packed at 2 bits
        ("ternary") or 1.6 bits ("ternary-1.6") each, and the inputs int8
        per row (models fine-tuned with that quantizer in the loop keep
        their accuracy; see tests/test_quantize.py); with bf16 (CPU only),
        weights and inputs are rounded to bf16 and the products summed in
        f32. The weights must be constants, so quantize implies
        freeze=True.
    quantize_keep: layers to keep in float under `quantize`, as substrings
        of their location (the source line, e.g. "model.py:12", or the
        operator's name).
    quantize_group: int4's inputs per weight scale (32, 64 or 128; ddlc's
        default, 64, when None).
    calibration: with quantize="int8", static activation scales (`ddlc
        --calibration`): an iterable of samples, each a tensor or a tuple
        of tensors as the program takes them, on which the float program
        runs once at compile time to measure each quantized layer's input
        range; or a path, a directory of samples or a calibration table
        that ddlc wrote (`--calibration-table`). Then no layer computes a
        scale at run time (linear layers' inputs get one scale per tensor,
        convolutions' one scale and zero point). None (the default):
        scales are computed at run time.
    calibrator: how a range comes from the calibration values: "minmax"
        (the default), "percentile" (`calibration_percentile`, default
        99.999, of the values, both tails) or "entropy" (the clipping
        threshold of least KL divergence).
    precision: the compute type of matrix products on a CUDA device, as
        `ddlc --precision`: "fp32" (the default), or "tf32", "bf16", "fp16"
        (tensor cores with fp32 accumulation; inputs and outputs keep their
        types). CPU programs compute in fp32 only.
    specialize: {symbol: [sizes]} for dynamic dimensions (names from
        `dynamic`): the program is also compiled for each combination of
        those sizes, with static shapes, and a call whose sizes match one
        runs that copy (a size check per symbol; `ddlc --specialize`).
        Other sizes run the generic code.
    tuning_db: a tuning database written by `ddl-tune` (a path): its
        schedules are replayed, as `ddlc --tuning-db` (records for kernels
        this program does not have are ignored; bad ones skipped with a
        warning on ddlc's stderr).
    schedule_policy: "model" (the default: the shipped cost model picks the
        schedules no record names, where it predicts a gain) or "heuristic"
        (the target table's), as `ddlc --schedule-policy`.
    cuda_graph: on a CUDA device, capture the program's kernels into a CUDA
        graph per set of input shapes (the second call with those shapes
        captures, later ones replay it): one launch per call instead of one
        per kernel. Inputs and outputs still go through copies into and out
        of the graph's own buffers, parameters included: use freeze=True so
        that the weights are constants rather than inputs copied per call. `compiled.graph_stats()` says how many
        graphs were captured and launched, and why a program that cannot
        be captured (its host code reads device values) runs without.
    """
    if precision not in PRECISIONS:
        raise DdlError(f"precision must be one of {', '.join(map(repr, PRECISIONS))}, not {precision!r}")
    if quantize is not None and quantize not in QUANTIZE_MODES:
        raise DdlError(
            f"quantize must be None or one of {', '.join(map(repr, QUANTIZE_MODES))}, not "
            f"{quantize!r}"
        )
    if quantize_group is not None and quantize != "int4":
        raise DdlError("quantize_group sets the group size of quantize='int4'")
    if calibration is not None and quantize != "int8":
        raise DdlError("calibration measures the static activation scales of quantize='int8'")
    if calibrator not in CALIBRATORS:
        raise DdlError(f"calibrator must be one of {', '.join(map(repr, CALIBRATORS))}, not {calibrator!r}")
    if isinstance(quantize_keep, str):
        quantize_keep = (quantize_keep,)
    if quantize is not None:
        freeze = True
    device = parse_device(device)
    if cuda_graph and device is None:
        raise DdlError("cuda_graph=True needs device='cuda' (CUDA graphs record GPU work)")
    specialize = _specialization(specialize, dynamic)
    if schedule_policy not in ("model", "heuristic"):
        raise DdlError(f"schedule_policy must be 'model' or 'heuristic', not {schedule_policy!r}")
    if tuning_db is not None and not os.path.isfile(tuning_db):
        raise DdlError(f"tuning_db {os.fspath(tuning_db)!r} is not a file")
    if precision != "fp32" and device is None:
        raise DdlError(f"precision={precision!r} needs device='cuda' (CPU programs compute in fp32)")
    example_inputs = _as_tuple(example_inputs)
    for i, t in enumerate(example_inputs):
        if not isinstance(t, torch.Tensor):
            raise DdlError(f"example input {i} is a {type(t).__name__}; ddl.compile takes tensors")
    auto = capture == "auto"
    if auto:
        capture = os.environ.get("DDL_CAPTURE") or ("export" if capture_mod.has_export() else "fx")
    if capture == "export":
        if not capture_mod.has_export():
            raise DdlError(f"capture='export' needs torch.export (torch 2.x); this is torch {torch.__version__}")
        try:
            captured = capture_mod.export(module_or_fn, example_inputs, dynamic)
        except DataDependentControlFlowError as e:
            # torch.export refuses programs that specialize a dynamic size
            # (e.g. a guard that batch != 1) which ddl's converters handle
            # at run time, and Python control flow on tensor values, which
            # ddl's FX capture records as nn.if / nn.loop; it checks such
            # programs itself.
            if not auto:
                raise
            warnings.warn(f"ddl: torch.export refused the program, capturing with FX instead: {e}")
            capture = "fx"
    if capture == "fx":
        captured = capture_mod.trace(module_or_fn, example_inputs, dynamic)
    elif capture != "export":
        raise DdlError(f"capture must be 'auto', 'export' or 'fx', not {capture!r}")

    converter = Converter(captured, freeze=freeze)
    try:
        graph, output_spec = converter.run()
    except UnsupportedOperatorError as e:
        # torch.export may not record stack traces: find the user's line by
        # running the program once and catching the overload's first call.
        if getattr(e, "located", True) or getattr(e, "overload", None) is None:
            raise
        frame = _locate_overload(module_or_fn, example_inputs, e.overload)
        if frame is None:
            raise
        raise UnsupportedOperatorError(f"{e}\n  at {frame}") from e
    if captured.output_treespec is not None:
        output_spec = _PytreeSpec(captured.output_treespec, output_spec)

    # Both captures wrap the program in a module whose child "model" is the
    # user's module: "model.<name>" is the user's parameter <name>, fetched
    # at each call (so updates are seen); anything else is a fixed tensor.
    getters = []
    user_module = module_or_fn if isinstance(module_or_fn, torch.nn.Module) else None
    for qualified in converter.parameter_order:
        tensor = next(t for q, t in captured.parameters.values() if q == qualified)
        name = qualified[len("model."):] if qualified.startswith("model.") else None
        if user_module is not None and name and _has_attribute(user_module, name):
            getters.append(_attribute_getter(user_module, name))
        else:
            getters.append(lambda t=tensor: t)

    workdir = tempfile.mkdtemp(prefix="ddl-")
    graph_path = os.path.join(workdir, "graph.mlir")
    library = os.path.join(workdir, "model.so")
    with open(graph_path, "w") as f:
        f.write(graph)
    if calibration is not None and not isinstance(calibration, (str, os.PathLike)):
        calibration = _write_calibration_samples(
            calibration, len(captured.input_names), getters, os.path.join(workdir, "calibration"))
    command = ddlc_command(graph_path, library, opt_level, ddlc_target(device), quantize,
                           tuple(quantize_keep), precision, quantize_group, specialize, tuning_db,
                           schedule_policy, calibration, calibrator, calibration_percentile)
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise _compile_error(command, graph_path, result)
    runtime = Runtime(threads) if threads else None
    model = Model(library, runtime, device)
    if cuda_graph:
        model.enable_graph(True)
    if not keep_files:
        shutil.rmtree(workdir, ignore_errors=True)  # the loaded library stays mapped
        library = None
    return CompiledModule(
        model, graph, captured.input_names, getters, output_spec, dict(captured.symbols), library, device
    )


def _write_calibration_samples(samples, num_inputs, getters, directory):
    """Writes `samples` (each a tensor or a tuple of `num_inputs` tensors)
    as ddlc's calibration directory: sample_<i>/input_<j>.npy in the
    compiled program's input order (the program's inputs, then the
    parameters it still takes). Returns the directory."""
    import numpy as np

    os.makedirs(directory)
    parameters = [get() for get in getters]
    count = 0
    for i, sample in enumerate(samples):
        sample = _as_tuple(sample)
        if len(sample) != num_inputs or not all(isinstance(t, torch.Tensor) for t in sample):
            raise DdlError(f"calibration sample {i} must be {num_inputs} tensor(s), as the program takes them")
        sample_dir = os.path.join(directory, f"sample_{i:06d}")
        os.makedirs(sample_dir)
        for j, tensor in enumerate(list(sample) + parameters):
            tensor = tensor.detach().cpu()
            if tensor.dtype == torch.bfloat16:
                raise DdlError(f"calibration sample {i}: input {j} is bfloat16, which .npy cannot hold")
            np.save(os.path.join(sample_dir, f"input_{j}.npy"), tensor.contiguous().numpy())
        count += 1
    if count == 0:
        raise DdlError("calibration has no samples")
    return directory


def _specialization(specialize, dynamic):
    """`specialize` checked against the symbols `dynamic` declares, as
    ((symbol, sizes), ...)."""
    if not specialize:
        return ()
    if not isinstance(specialize, dict):
        raise DdlError(f"specialize must be a dict {{symbol: [sizes]}}, not {type(specialize).__name__}")
    declared = set()
    if isinstance(dynamic, dict):
        for dims in dynamic.values():
            declared.update((dims or {}).values())
    elif isinstance(dynamic, (list, tuple)):
        for dims in dynamic:
            declared.update((dims or {}).values())
    out = []
    for symbol, sizes in specialize.items():
        if symbol not in declared:
            raise DdlError(f"specialize names '{symbol}', which `dynamic` does not declare "
                           f"(declared: {', '.join(sorted(declared)) or 'none'})")
        sizes = [sizes] if isinstance(sizes, int) else list(sizes)
        if not sizes or not all(isinstance(s, int) and not isinstance(s, bool) and s >= 1 for s in sizes):
            raise DdlError(f"specialize['{symbol}'] must be sizes >= 1, not {sizes!r}")
        out.append((symbol, tuple(sizes)))
    return tuple(out)


# ddlc's exit status for an internal compiler error (EX_SOFTWARE); a model
# that is invalid or uses something unsupported exits with 1.
_DDLC_INTERNAL_ERROR = 70


def _compile_error(command, graph_path, result):
    """The CompileError for a failed ddlc run: an InternalCompilerError for
    a bug in ddl (exit status 70, or killed by a signal), an
    UnsupportedCompileError when ddlc says the graph uses something
    unsupported, else a CompileError (the graph is invalid)."""
    message = result.stderr.strip() or result.stdout.strip()
    code = result.returncode
    unsupported = code == 1 and "unsupported" in message.lower()
    if len(message) > 4000:
        message = message[:4000] + "\n  ... (truncated)"
    if code == _DDLC_INTERNAL_ERROR or code < 0:
        how = f"exit status {code}" if code > 0 else f"killed by signal {-code}"
        return InternalCompilerError(
            f"internal compiler error in ddlc ({how}): this is a bug in ddl, not in your program. "
            f"Please report it with the ddlc version ({_ddlc_version(command[0])}), the command\n"
            f"  {shlex.join(command)}\n"
            f"and the graph it compiled (kept at {graph_path}); adding --debug to the command "
            f"prints the IR.\n{message}"
        )
    cls = UnsupportedCompileError if unsupported else CompileError
    return cls(f"ddlc could not compile the captured graph (kept at {graph_path}):\n{message}")


def _ddlc_version(ddlc):
    try:
        result = subprocess.run([ddlc, "--version"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return "ddlc --version"
    lines = [line.strip() for line in result.stdout.splitlines() if line.strip()]
    if result.returncode != 0 or not lines:
        return "ddlc --version"
    return "; ".join(lines[:2])


class _PytreeSpec:
    """Rebuilds torch.export's output structure: the graph's flat outputs
    (`leaves`: tensors, and constants such as None) into its pytree."""

    def __init__(self, treespec, leaves):
        self.treespec = treespec
        self.leaves = leaves

    def unflatten(self, values):
        from torch.utils._pytree import tree_unflatten

        return tree_unflatten(list(unflatten(values, self.leaves)), self.treespec)


def _locate_overload(program, example_inputs, overload):
    """The user frame where eager execution first calls ATen `overload`."""
    try:
        from torch.utils._python_dispatch import TorchDispatchMode
    except ImportError:
        return None
    found = []

    class Find(TorchDispatchMode):
        def __torch_dispatch__(self, func, types, args=(), kwargs=None):
            if func is overload and not found:
                found.append(traceback.extract_stack())
            return func(*args, **(kwargs or {}))

    try:
        with torch.no_grad(), Find():
            program(*[t.clone() for t in example_inputs])
    except Exception:
        pass
    if not found:
        return None
    text = "".join(f'File "{f.filename}", line {f.lineno}, in {f.name}\n    {f.line}\n' for f in found[0])
    return user_frame(text, innermost_first=False)


def _has_attribute(root, qualified):
    value = root
    for part in qualified.split("."):
        if not hasattr(value, part):
            return False
        value = getattr(value, part)
    return isinstance(value, torch.Tensor)
