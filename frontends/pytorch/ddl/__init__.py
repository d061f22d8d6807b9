"""ddl's PyTorch frontend.

    import ddl
    compiled = ddl.compile(model.eval(), (x,), dynamic={"x": {0: "batch"}})
    y = compiled(x)

and, on torch 2.x, `torch.compile(model, backend="ddl")`. See
frontends/pytorch/README.md.
"""

from . import attention  # noqa: F401  (ddl.attention.flex_attention)
from .compiler import CompiledModule, compile  # noqa: A004
from .errors import (
    CaptureError,
    CompileError,
    DataDependentControlFlowError,
    DdlError,
    InternalCompilerError,
    RuntimeCallError,
    UnsupportedCompileError,
    UnsupportedDtypeError,
    UnsupportedOperatorError,
)

__all__ = [
    "compile",
    "CompiledModule",
    "DdlError",
    "CaptureError",
    "DataDependentControlFlowError",
    "UnsupportedOperatorError",
    "UnsupportedDtypeError",
    "CompileError",
    "UnsupportedCompileError",
    "InternalCompilerError",
    "RuntimeCallError",
]

__version__ = "0.1.0"

from . import dynamo as _dynamo  # noqa: E402

_dynamo.register()
