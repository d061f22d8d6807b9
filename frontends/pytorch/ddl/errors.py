"""The errors `ddl` raises. Each message says what went wrong, where in the
user's program (file and line, from the FX node's stack trace), and what to
do about it. None of them is a crash: the process keeps going."""

import os
import re

import torch


class DdlError(Exception):
    """Base class of every error ddl raises."""


class CaptureError(DdlError):
    """The program could not be captured as a graph (tracing failed)."""


class DataDependentControlFlowError(CaptureError):
    """Python control flow depends on a tensor's values (or on a dynamic
    size), which a compiled graph cannot follow."""


class UnsupportedOperatorError(DdlError):
    """An operator (or an argument of it) that ddl cannot compile."""


class UnsupportedDtypeError(UnsupportedOperatorError):
    """A tensor element type the compiled model cannot take or produce."""


class CompileError(DdlError):
    """`ddlc` rejected the graph (the message holds its diagnostics)."""


class UnsupportedCompileError(CompileError, UnsupportedOperatorError):
    """`ddlc` refused the graph because it uses something ddl does not
    support yet (ddlc said "unsupported"): both a CompileError and an
    UnsupportedOperatorError."""


class InternalCompilerError(CompileError):
    """`ddlc` itself failed (exit status 70, or a crash): a bug in ddl, not
    in the program being compiled."""


class RuntimeCallError(DdlError):
    """The compiled model refused its inputs or failed to run."""


# Frames inside these packages are the machinery, not the user's program.
_INTERNAL = re.compile(r"[/\\](torch|ddl|torchvision|_pytest|pluggy)[/\\]|^<")
_TRACER = re.compile(r"[/\\](torch[/\\]fx|ddl)[/\\]")
_FRAME = re.compile(r'File "([^"]+)", line (\d+), in (\S+)\n(?!\s*File ")\s*(.*)|File "([^"]+)", line (\d+), in (\S+)')


def _is_internal(path):
    return bool(_INTERNAL.search(path)) and "torchvision" not in path


def user_frame_parts(stack_trace, innermost_first=None):
    """(path, line, function, code) of the innermost frame of a captured
    stack trace that belongs to the user's program (torchvision counts as
    the user's, as its models are what users compile), or None. The path is
    relative to the working directory when it lies below it."""
    if not stack_trace:
        return None
    frames = [(m[0] or m[4], m[1] or m[5], m[2] or m[6], m[3]) for m in _FRAME.findall(stack_trace)]
    if not frames:
        return None
    # Traces list frames outermost first (tracebacks, torch 2.x) or
    # innermost first (torch 1.x FX, whose first frame is the tracer's).
    if innermost_first is None:
        innermost_first = bool(_TRACER.search(frames[0][0]))
    if not innermost_first:
        frames.reverse()
    best = next((f for f in frames if not _is_internal(f[0])), None)
    if best is None:
        return None
    path, line, func, code = best
    relative = os.path.relpath(path)
    location = path if relative.startswith("..") else relative
    return location, int(line), func, code.strip()


def user_frame(stack_trace, innermost_first=None):
    """`file:line in function: code` of the innermost user frame of a
    captured stack trace (see user_frame_parts), or None."""
    parts = user_frame_parts(stack_trace, innermost_first)
    if parts is None:
        return None
    location, line, func, code = parts
    return f"{location}:{line} in {func}: {code}" if code else f"{location}:{line} in {func}"


def exception_user_frame(exception):
    """The innermost user frame of where `exception` was raised."""
    import traceback

    summary = traceback.extract_tb(exception.__traceback__)
    text = "".join(f'File "{f.filename}", line {f.lineno}, in {f.name}\n    {f.line}\n' for f in summary)
    return user_frame(text, innermost_first=False)


def current_user_frame():
    """The innermost user frame of the current Python stack (for errors
    raised while tracing, before a node exists)."""
    import traceback

    summary = traceback.extract_stack()
    text = "".join(
        f'File "{f.filename}", line {f.lineno}, in {f.name}\n    {f.line}\n' for f in summary
    )
    return user_frame(text)


def describe_target(target):
    """A readable name for an FX node target: `aten::add.Tensor`,
    `torch.nn.functional.relu`, `Tensor.view`, ..."""
    if isinstance(target, str):
        return f"Tensor.{target}"
    if isinstance(target, torch._ops.OpOverload):
        return f"{target._schema.name}.{target._overloadname}"
    module = getattr(target, "__module__", None) or ""
    name = getattr(target, "__qualname__", None) or getattr(target, "__name__", repr(target))
    if "<locals>" in name:  # torch's boolean_dispatch wrappers
        name = getattr(target, "__name__", name)
    # Builtins: torch.relu is _VariableFunctionsClass.relu, Tensor methods
    # are _TensorBase.<name>.
    builtins = (("_VariableFunctionsClass.", "torch"), ("_TensorBase.", "Tensor"), ("TensorBase.", "Tensor"))
    for prefix, public in builtins:
        if name.startswith(prefix):
            return f"{public}.{name[len(prefix):]}"
    module = {"torch._C._nn": "torch.nn.functional", "torch._C._VariableFunctions": "torch",
              "_operator": "operator", "torch._C._fft": "torch.fft"}.get(module, module)
    return f"{module}.{name}" if module else name
