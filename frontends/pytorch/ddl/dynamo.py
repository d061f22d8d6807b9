"""`torch.compile(model, backend="ddl")` (torch 2.x).

TorchDynamo hands the backend one FX graph per region of Python it could
capture (a graph break splits the program into several); each is compiled
with `ddl.compile` through concrete FX tracing, and the Python between
graphs runs as usual. Graphs that take non-tensor inputs (sizes, when
dynamo decided to treat shapes dynamically) run eagerly: pass
`dynamic=False` to torch.compile to avoid that.
"""

import warnings

import torch

from .errors import DdlError


# How many graphs the backend compiled (tests read it to see graph breaks).
compiled_graphs = 0


def ddl_backend(gm, example_inputs, **kwargs):
    global compiled_graphs
    from .compiler import compile as ddl_compile

    if not all(isinstance(t, torch.Tensor) for t in example_inputs):
        warnings.warn(
            "ddl: a graph with non-tensor (symbolic size) inputs runs eagerly; "
            "use torch.compile(..., dynamic=False) to compile it"
        )
        return gm.forward
    try:
        compiled = ddl_compile(gm, tuple(example_inputs), capture="fx")
        compiled_graphs += 1
    except DdlError as e:
        if kwargs.get("options", {}).get("fallback", False):
            warnings.warn(f"ddl: running a graph eagerly: {e}")
            return gm.forward
        raise

    return compiled


def register():
    """Registers the backend name "ddl" with TorchDynamo, if present."""
    try:
        from torch._dynamo import list_backends, register_backend
    except Exception:  # torch 1.x: no TorchDynamo
        return
    if "ddl" not in list_backends(exclude_tags=()):
        register_backend(name="ddl")(ddl_backend)
