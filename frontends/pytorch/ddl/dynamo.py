"""`torch.compile(model, backend="ddl")` (torch 2.x).

TorchDynamo hands the backend one FX graph per region of Python it could
capture (a graph break splits the program into several); each is compiled
with `ddl.compile` through concrete FX tracing, and the Python between
graphs runs as usual.

When dynamo treats shapes as dynamic (its "automatic dynamic" after a
second shape, or `dynamic=True`), the graph's tensors have symbolic sizes
(s0, s1, ...): ddl compiles it once with those dimensions dynamic, under
dynamo's names. A graph that also takes sizes as Python ints (or whose
sizes are expressions such as 2*s0) is compiled once per distinct set of
sizes it is called with, so every call still runs compiled code.

Graphs whose example inputs are CUDA tensors are compiled for that GPU
(`ddl.compile(..., device="cuda:N")`); others for the CPU.
"""

import torch

from .mlir import valid_symbol

# How many graphs the backend compiled (tests read it to see graph breaks
# and per-size compilations).
compiled_graphs = 0


def _device_of(tensors):
    """The CUDA device of the first CUDA tensor, else None (the CPU)."""
    for t in tensors:
        if isinstance(t, torch.Tensor) and t.device.type == "cuda":
            return t.device
    return None


def _compile(program, tensors, dynamic=None):
    global compiled_graphs
    from .compiler import compile as ddl_compile

    compiled = ddl_compile(
        program, tuple(tensors), dynamic=dynamic or None, capture="fx", device=_device_of(tensors)
    )
    compiled_graphs += 1
    return compiled


def _dynamic_dims(gm, count):
    """{input index: {dim: symbol}} from dynamo's example values, or None
    when a size is not a plain symbol (or not recorded)."""
    placeholders = [n for n in gm.graph.nodes if n.op == "placeholder"]
    if len(placeholders) != count:
        return None
    spec = {}
    for i, node in enumerate(placeholders):
        value = node.meta.get("example_value", node.meta.get("val"))
        if not isinstance(value, torch.Tensor):
            return None
        dims = {}
        for d, size in enumerate(value.shape):
            if not isinstance(size, int):
                if not valid_symbol(str(size)):
                    return None
                dims[d] = str(size)
        if dims:
            spec[i] = dims
    return spec


def ddl_backend(gm, example_inputs, **kwargs):
    if all(isinstance(t, torch.Tensor) for t in example_inputs):
        dynamic = _dynamic_dims(gm, len(example_inputs))
        if dynamic is not None:
            return _compile(gm, example_inputs, dynamic)

    # Size inputs (SymInts in dynamo's graph, ints at call time), or sizes
    # that are not plain symbols: compile per set of sizes.
    is_tensor = [isinstance(t, torch.Tensor) for t in example_inputs]
    cache = {}

    def run(*args):
        sizes = tuple(a for a, t in zip(args, is_tensor) if not t)
        tensors = [a for a, t in zip(args, is_tensor) if t]
        key = (sizes, tuple((tuple(x.shape), x.dtype) for x in tensors))
        compiled = cache.get(key)
        if compiled is None:

            def program(*inputs):
                it, fixed = iter(inputs), iter(sizes)
                return gm(*[next(it) if t else next(fixed) for t in is_tensor])

            compiled = cache[key] = _compile(program, tensors)
        return compiled(*tensors)

    return run


def register():
    """Registers the backend name "ddl" with TorchDynamo, if present."""
    try:
        from torch._dynamo import list_backends, register_backend
    except Exception:  # torch 1.x: no TorchDynamo
        return
    if "ddl" not in list_backends(exclude_tags=()):
        register_backend(name="ddl")(ddl_backend)
