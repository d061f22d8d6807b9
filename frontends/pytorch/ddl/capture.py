"""Turns a PyTorch program into an FX graph whose every value has a type.

Two capture paths, one result (`Captured`):

* `torch.export` (torch 2.x): ATen-level graph; parameters and buffers are
  placeholders; shapes come from the exporter's symbolic shapes, whose
  symbols are the user's dynamic dimension names.
* concrete FX tracing (torch 1.x, and torch 2.x when asked): the program is
  traced with `torch.fx` at the torch-function level, while every traced
  op is also run on the example inputs. Static facts (ranks, dtypes, static
  sizes) are then plain Python values during tracing, so ordinary shape
  checks in `forward` (`if x.dim() == 3:`) trace; only sizes the user
  declared dynamic stay symbolic. When there are dynamic dimensions the
  program runs a second time with those sizes changed: a dimension whose
  size follows a declared one in both runs gets its name, one that changes
  otherwise is dynamic without a name, one that stays put is static.
"""

import builtins
import contextlib
import functools
import inspect
import operator
import re
import sys

import torch
import torch.fx as fx

from . import attention
from .errors import (
    CaptureError,
    DataDependentControlFlowError,
    DdlError,
    current_user_frame,
    describe_target,
    exception_user_frame,
    user_frame,
)
from .mlir import TensorType, valid_symbol


class SymInt:
    """Type of a traced integer (a size, or arithmetic on sizes): its value
    when static, else its dimension symbol (str) or None."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value

    def is_static(self):
        return isinstance(self.value, int)

    def __repr__(self):
        return f"SymInt({self.value!r})"


class Captured:
    """A captured program: `graph` (an fx.Graph), the user inputs
    (`inputs`: placeholder nodes in call order, with `input_names`), the
    parameters and buffers (`parameters`: node -> (qualified name, tensor),
    get_attr nodes or placeholders) and `node.meta["ddl_type"]` on every
    value node: a TensorType, a SymInt, a Python constant, or a
    tuple/list of those."""

    def __init__(self, graph, inputs, input_names, parameters, symbols, output_treespec=None):
        self.graph = graph
        self.inputs = inputs
        self.input_names = input_names
        self.parameters = parameters
        self.symbols = symbols  # symbol -> (input index, dim) of its first use
        # torch.export's pytree spec of the program's outputs (the graph
        # returns them flat), or None when the graph returns them as is.
        self.output_treespec = output_treespec


# --------------------------------------------------------------------------
# Dynamic dimension declarations


def normalize_dynamic(dynamic, example_inputs, input_names):
    """`dynamic` as {input index: {dim: symbol}}.

    Accepted forms: None; a dict keyed by input index or input name whose
    values map dims to symbol names ({"x": {0: "batch"}}); a list/tuple with
    one such {dim: symbol} dict (or None) per input."""
    if dynamic is None:
        return {}
    if isinstance(dynamic, (list, tuple)):
        if len(dynamic) != len(example_inputs):
            raise CaptureError(
                f"dynamic has {len(dynamic)} entries but there are {len(example_inputs)} example inputs"
            )
        dynamic = {i: d for i, d in enumerate(dynamic) if d}
    if not isinstance(dynamic, dict):
        raise CaptureError(
            "dynamic must be None, a dict {input: {dim: name}} or a list of {dim: name} per input, "
            f"not {type(dynamic).__name__}"
        )
    result = {}
    sizes = {}
    for key, dims in dynamic.items():
        if isinstance(key, str):
            if key not in input_names:
                raise CaptureError(f"dynamic names input '{key}'; the inputs are {input_names}")
            index = input_names.index(key)
        elif isinstance(key, int) and 0 <= key < len(example_inputs):
            index = key
        else:
            raise CaptureError(f"dynamic names input {key!r}, which does not exist")
        tensor = example_inputs[index]
        if not isinstance(dims, dict):
            raise CaptureError(f"dynamic[{key!r}] must be a dict {{dim: name}}, not {dims!r}")
        for dim, name in dims.items():
            if not isinstance(dim, int) or not -tensor.dim() <= dim < tensor.dim():
                raise CaptureError(
                    f"dynamic[{key!r}] names dim {dim!r}; input '{input_names[index]}' has rank {tensor.dim()}"
                )
            if not valid_symbol(name):
                raise CaptureError(f"dynamic dimension name {name!r} must be an identifier (like 'batch')")
            dim %= tensor.dim()
            size = tensor.shape[dim]
            if sizes.setdefault(name, size) != size:
                raise CaptureError(
                    f"dynamic dimension '{name}' has size {sizes[name]} in one example input and "
                    f"{size} in input '{input_names[index]}' (dim {dim}); equal names mean equal sizes"
                )
            result.setdefault(index, {})[dim] = name
    return result


def _perturbed_inputs(example_inputs, dynamic):
    """The example inputs with every dynamic size changed: symbol k (in
    order of appearance) grows by k + 1, by repeating the input's slices."""
    growth = {}
    for dims in dynamic.values():
        for name in dims.values():
            growth.setdefault(name, len(growth) + 1)
    result = []
    for i, t in enumerate(example_inputs):
        for dim, name in sorted(dynamic.get(i, {}).items()):
            size = t.shape[dim]
            if size == 0:
                raise CaptureError(f"dynamic dimension '{name}' has size 0 in the example input; use a size >= 1")
            index = torch.arange(size + growth[name], device=t.device) % size
            t = t.index_select(dim, index)
        result.append(t)
    return result


# --------------------------------------------------------------------------
# Concrete FX tracing

_STATIC_ATTRIBUTES = {
    "dtype", "device", "is_cuda", "is_nested", "is_sparse", "is_quantized", "is_meta",
    "layout", "requires_grad", "ndim", "is_mkldnn", "is_complex",
}


def _at():
    frame = current_user_frame()
    return f"\n  at {frame}" if frame else ""


_STATIC_METHODS = {
    "size", "dim", "numel", "nelement", "is_floating_point", "element_size", "is_contiguous", "ndimension",
}


def _same(values):
    first = values[0]
    return all(v == first for v in values[1:]) if not isinstance(first, torch.Tensor) else True


class _Proxy(fx.Proxy):
    """A traced value that answers static questions (rank, dtype, static
    sizes) with Python values, so that `forward`'s checks on them trace."""

    def _values(self):
        return self.tracer._values_of(self.node)

    def __getattr__(self, name):
        if name in _STATIC_ATTRIBUTES:
            return self.tracer._static(self, lambda v: getattr(v, name), name)
        if name == "shape":
            return self.tracer._size(self, None)
        if name in _STATIC_METHODS:
            tracer = self.tracer

            def method(*args):
                if name == "size":
                    return tracer._size(self, args[0] if args else None)
                if name in ("numel", "nelement"):
                    return tracer._numel(self)
                return tracer._static(self, lambda v: getattr(v, name)(*args), f"{name}()")

            return method
        return super().__getattr__(name)

    def __bool__(self):
        values = self._values()
        if isinstance(values[0], torch.Tensor):
            raise DataDependentControlFlowError(
                f"control flow depends on a tensor's value ({self.node.format_node()})"
                f"{_at()}\n"
                "A compiled graph cannot follow Python control flow on tensor values: "
                "use torch.where(cond, a, b) to select values, or compile the branches as "
                "separate functions and choose between them outside the compiled code."
            )
        if not _same(values) or self.node.meta.get("ddl_from_dynamic_size"):
            raise DataDependentControlFlowError(
                f"control flow depends on a dynamic dimension ({self.node.format_node()})"
                f"{_at()}\n"
                "A branch on a size declared dynamic would be fixed at compile time; make that "
                "dimension static (leave it out of `dynamic`) or compute both sides with tensor "
                "operations (torch.where)."
            )
        return builtins.bool(values[0])

    def __len__(self):
        value = self._values()[0]
        if isinstance(value, torch.Tensor):
            size = self.tracer._size(self, 0)
            if isinstance(size, int):
                return size
            raise DataDependentControlFlowError(
                f"len() of a tensor whose first dimension is dynamic{_at()}"
            )
        return len(value)

    def __iter__(self):
        return iter([self[i] for i in range(len(self))])

    def __setitem__(self, index, value):
        from .errors import UnsupportedOperatorError

        raise UnsupportedOperatorError(
            f"ddl cannot compile item assignment (x[...] = value) on a traced tensor{_at()}\n"
            "  Build the result out of place instead: torch.where(mask, value, x), "
            "torch.cat of the pieces, or x.index_put(...) outside the compiled code."
        )

    def __index__(self):
        values = self._values()
        if isinstance(values[0], int) and _same(values) and not self.node.meta.get("ddl_from_dynamic_size"):
            return values[0]
        raise DataDependentControlFlowError(
            f"a dynamic size is used as a Python int ({self.node.format_node()})\n"
            f"{_at()}\n"
            "Python code (range(), list sizes, indexing) cannot take a size that changes at "
            "run time; use tensor operations, or make that dimension static."
        )

    __int__ = __index__


def _inplace_operator(method, pure):
    def apply(self, other):
        if isinstance(self._values()[0], torch.Tensor):
            # `y += 1` updates y's tensor in place (aliases see it), unlike
            # on Python numbers: record the in-place method.
            return self.tracer.create_proxy("call_method", method, (self, other), {})
        return pure(self, other)

    return apply


for _name, _method, _pure in [
    ("__iadd__", "add_", operator.add),
    ("__isub__", "sub_", operator.sub),
    ("__imul__", "mul_", operator.mul),
    ("__itruediv__", "div_", operator.truediv),
]:
    setattr(_Proxy, _name, _inplace_operator(_method, _pure))


class _ConcreteTracer(fx.Tracer):
    def __init__(self, runs, root):
        # torch 2.x's flex_attention, where a module's globals name it,
        # records as one call (see create_proxy).
        torch_flex = attention.torch_flex_attention_function()
        super().__init__(autowrap_functions=(torch_flex,) if torch_flex else ())
        self.record_stack_traces = True
        self._runs = runs  # one list of example inputs per run
        self._placeholders = 0
        self._root = root
        self._external = []
        # The graph being recorded and its runs (see GraphContext); the
        # root context is made when FX creates the root graph.
        self._context = None
        self._contexts = {}  # id(graph) -> GraphContext
        self.symbol_sizes = {}

    def is_leaf_module(self, module, qualified_name):
        # Trace through every module: ops are converted at the function
        # level, which also covers modules written by users.
        return False

    def path_of_module(self, module):
        # A module the program uses without owning it (a closure's, or one
        # built in forward) becomes a submodule of the root, so that its
        # parameters get names like every other.
        try:
            return super().path_of_module(module)
        except NameError:
            name = f"_ddl_external{len(self._external)}"
            self._external.append(module)
            self._root.add_module(name, module)
            if getattr(self, "submodule_paths", None) is not None:
                self.submodule_paths[module] = name
            return name

    def proxy(self, node):
        return _Proxy(node, self)

    # -- graphs of control flow (see GraphContext) ------------------------------

    def context(self):
        """The context of the graph being recorded."""
        if self._context is None or self._context.graph is not self.graph:
            if self._context is not None:
                raise CaptureError("internal: the graph being recorded changed under a control-flow sub-graph")
            self._context = GraphContext(self.graph, len(self._runs), None, None, self.symbol_sizes)
            self._contexts[id(self.graph)] = self._context
        return self._context

    def root_context(self):
        context = self.context()
        while context.parent is not None:
            context = context.parent
        return context

    def context_of(self, node):
        return self._contexts[id(node.graph)]

    @contextlib.contextmanager
    def subgraph(self, run_map):
        """Records into a new graph (a branch or a loop body) whose run `r`
        is the current graph's run `run_map[r]` (or, with `run_map` None,
        whose runs the caller gives its placeholders)."""
        parent = self.context()
        graph = fx.Graph(tracer_cls=type(self))
        symbol_sizes = {
            name: [sizes[parent_run] for parent_run in run_map] for name, sizes in parent.symbol_sizes.items()
        }
        context = GraphContext(graph, len(run_map), run_map, parent, symbol_sizes)
        self._contexts[id(graph)] = context
        saved = self.graph
        self.graph, self._context = graph, context
        try:
            yield context
        finally:
            self.graph, self._context = saved, parent

    @contextlib.contextmanager
    def in_context(self, context):
        saved = (self.graph, self._context)
        self.graph, self._context = context.graph, context
        try:
            yield
        finally:
            self.graph, self._context = saved

    def lift(self, node):
        """`node` (of an enclosing graph) as a node of the graph being
        recorded: a placeholder that the control-flow node passes in."""
        context = self.context()
        if node.graph is context.graph:
            return node
        # A placeholder of another sub-graph (FX caches parameter proxies
        # across graphs) stands for the node it was lifted from.
        node = node.meta.get("ddl_origin", node)
        if node.graph is context.graph:
            return node
        if node in context.lifted:
            return context.lifted[node]
        if context.parent is None:
            raise CaptureError(f"internal: {node.format_node()} is used outside the sub-graph that computes it")
        with self.in_context(context.parent):
            outer = self.lift(node)
        placeholder = context.graph.placeholder(f"lifted_{outer.name}")
        values = self._values_of(outer)
        # Branches may update tensors in place; the enclosing graph's
        # example values stay as they are (parameters are only read).
        root_parameter = outer.op == "get_attr"
        placeholder.meta["ddl_values"] = [
            values[r].clone() if isinstance(values[r], torch.Tensor) and not root_parameter else values[r]
            for r in context.run_map
        ]
        placeholder.meta["ddl_from_dynamic_size"] = outer.meta.get("ddl_from_dynamic_size", False)
        placeholder.meta["ddl_origin"] = node
        context.lifted[node] = placeholder
        context.lifted[outer] = placeholder
        context.operands.append((outer, placeholder))
        return placeholder

    def _lift_args(self, arg):
        if isinstance(arg, fx.Proxy):
            if arg.node.graph is not self.graph:
                return self.proxy(self.lift(arg.node))
            return arg
        if isinstance(arg, (list, tuple)) and not isinstance(arg, torch.Size):
            lifted = [self._lift_args(a) for a in arg]
            if hasattr(arg, "_fields"):  # a named tuple
                return type(arg)(*lifted)
            return type(arg)(lifted)
        if isinstance(arg, dict):
            return {k: self._lift_args(v) for k, v in arg.items()}
        if isinstance(arg, slice):
            return slice(self._lift_args(arg.start), self._lift_args(arg.stop), self._lift_args(arg.step))
        return arg

    def create_proxy(self, kind, target, args, kwargs, name=None, type_expr=None, proxy_factory_fn=None):
        # Inside a flex attention mod being traced, ops on the mod's values
        # belong to the mod's graph, even when a program value comes first
        # (`table[h, kv_idx]`).
        inner = attention.redirect(self, kind, args, kwargs)
        if inner is not None:
            return inner.create_proxy(kind, target, args, kwargs, name, type_expr, proxy_factory_fn)
        context = self.context()
        if context.parent is not None:
            if kind == "get_attr":
                # Parameters live in the root graph (where capture finds
                # them) and come into sub-graphs as operands.
                with self.in_context(self.root_context()):
                    outer = self.create_proxy(kind, target, args, kwargs, name, type_expr, proxy_factory_fn)
                return self.proxy(self.lift(outer.node))
            args, kwargs = self._lift_args(args), self._lift_args(kwargs)
        if kind == "call_function" and target is attention.torch_flex_attention_function() is not None:
            return attention.trace_torch_flex(self, args, kwargs)
        proxy = super().create_proxy(kind, target, args, kwargs, name, type_expr, proxy_factory_fn)
        node = proxy.node
        if kind == "placeholder":
            i = self._placeholders
            self._placeholders += 1
            node.meta["ddl_values"] = [run[i] for run in self._runs]
        elif kind in ("call_function", "call_method", "call_module"):
            node.meta["ddl_values"] = [self._evaluate(node, r) for r in range(context.run_count)]
            if _data_dependent_count(node):
                # The count of indices is data: later nodes must see it vary
                # (a world where run 0 has one index fewer).
                values = node.meta["ddl_values"]
                first = values[0]
                rows = first if isinstance(first, tuple) else (first,)
                if rows[0].shape[0] > 0:
                    context.add_world()
                    world = tuple(r[:-1] for r in rows)
                    values.append(world if isinstance(first, tuple) else world[0])
            # Values computed from a dynamic size (x.size(0) when dim 0 is
            # dynamic) must not steer Python: the branch would be baked in.
            # (Tensors are never flagged: a tensor shaped by a dynamic size
            # still has a static dtype and rank.)
            node.meta["ddl_from_dynamic_size"] = not isinstance(node.meta["ddl_values"][0], torch.Tensor) and any(
                n.meta.get("ddl_from_dynamic_size") for n in node.all_input_nodes
            )
        return proxy

    def _values_of(self, node):
        """The node's example value in each run of its graph. Runs added to
        the graph after the node was recorded (worlds, see GraphContext)
        see the node's first value: the node does not depend on them."""
        if "ddl_values" not in node.meta:
            if node.op != "get_attr":
                raise CaptureError(f"internal: no value for {node.format_node()}")
            node.meta["ddl_values"] = [_raw_attribute(self._root, node.target)] * len(self._runs)
        values = node.meta["ddl_values"]
        count = self._contexts[id(node.graph)].run_count if id(node.graph) in self._contexts else len(values)
        if len(values) < count:
            values = node.meta["ddl_values"] = values + [values[0]] * (count - len(values))
        return values

    def _evaluate(self, node, run):
        args = fx.node.map_arg(node.args, lambda n: self._values_of(n)[run])
        kwargs = fx.node.map_arg(node.kwargs, lambda n: self._values_of(n)[run])
        return self.call(node, args, kwargs, run)

    def call(self, node, args, kwargs, run=0):
        """Runs `node`'s operation on example values."""
        try:
            if node.op == "call_function":
                return node.target(*args, **kwargs)
            if node.op == "call_method":
                if node.target == "item":
                    # A tensor's value as a Python number is data: it stays
                    # a 0-d tensor, so that branching on it is seen.
                    return args[0].reshape(())
                return getattr(args[0], node.target)(*args[1:], **kwargs)
            return self._root.get_submodule(node.target)(*args, **kwargs)
        except DataDependentControlFlowError:
            raise
        except Exception as e:
            which = "" if run == 0 else " with the dynamic sizes changed"
            raise CaptureError(
                f"running {describe_target(node.target)}{which} failed: {type(e).__name__}: {e}"
                f"{_at()}"
                + (
                    "\nThe program does not accept other sizes for a dimension declared dynamic."
                    if run
                    else ""
                )
            ) from e

    def _static(self, proxy, get, what):
        values = [get(v) for v in self._values_of(proxy.node)]
        if not _same(values):
            raise DataDependentControlFlowError(f"{what} changes with the dynamic sizes{_at()}")
        return values[0]

    def _size(self, proxy, dim):
        values = self._values_of(proxy.node)
        rank = values[0].dim()
        if dim is None:
            return torch.Size([self._size(proxy, d) for d in range(rank)]) if all(
                v.shape == values[0].shape for v in values
            ) else tuple(self._size(proxy, d) for d in range(rank))
        dim = dim.__index__() if not isinstance(dim, int) else dim
        sizes = [v.shape[dim] for v in values]
        if _same(sizes):
            return sizes[0]
        size = self.create_proxy("call_method", "size", (proxy, dim), {})
        size.node.meta["ddl_from_dynamic_size"] = True
        return size

    def _numel(self, proxy):
        values = self._values_of(proxy.node)
        counts = [v.numel() for v in values]
        if _same(counts):
            return counts[0]
        count = self.create_proxy("call_method", "numel", (proxy,), {})
        count.node.meta["ddl_from_dynamic_size"] = True
        return count


def _data_dependent_count(node):
    """Whether `node` returns indices whose count is data (nonzero,
    one-argument where)."""
    if node.op == "call_method":
        return node.target == "nonzero"
    if node.op != "call_function":
        return False
    if node.target in (torch.nonzero, torch.argwhere):
        return True
    return node.target is torch.where and len(node.args) + len(node.kwargs) == 1


class GraphContext:
    """A graph being recorded: the root graph, or a branch / loop body of a
    control-flow node (control_flow.py), with its example runs.

    A sub-graph's run `r` stands for run `run_map[r]` of the enclosing
    graph: a branch has the same runs as the graph around it; a loop body
    has one run per (enclosing run, sampled iteration). `lifted` maps the
    enclosing graphs' nodes the sub-graph uses to its placeholders, and
    `operands` lists (enclosing node, placeholder) in order: the
    control-flow node's operands.

    A graph gains runs (worlds) when a control-flow node's result has a
    shape that depends on the path taken: the world is run 0 with the other
    branch taken (or another number of iterations), so that every later
    node sees that its shape varies, exactly as it sees a size declared
    dynamic vary across runs."""

    def __init__(self, graph, run_count, run_map, parent, symbol_sizes):
        self.graph = graph
        self.run_count = run_count
        self.run_map = run_map
        self.parent = parent
        self.symbol_sizes = symbol_sizes
        self.lifted = {}
        self.operands = []

    def add_world(self):
        """A new run that starts as run 0; returns its index."""
        for sizes in self.symbol_sizes.values():
            sizes.append(sizes[0])
        self.run_count += 1
        return self.run_count - 1


def _raw_attribute(root, qualified):
    """`root.<qualified>` without nn.Module.__getattr__, which FX patches
    while tracing to hand out proxies for parameters."""
    value = root
    for part in qualified.split("."):
        if isinstance(value, torch.nn.Module):
            for store in (value._parameters, value._buffers, value._modules, value.__dict__):
                if part in store:
                    value = store[part]
                    break
            else:
                raise CaptureError(f"internal: no attribute {qualified}")
        else:
            value = getattr(value, part)
    return value


# Factory functions whose size arguments may be dynamic sizes (proxies).
# torch 1.x does not route them through __torch_function__ (torch 2.x
# does), so they are wrapped while tracing.
_FACTORIES = ("zeros", "ones", "full", "empty", "arange", "eye", "randn", "rand")


class _patched_factories:
    def __init__(self, tracer, program=None):
        self.tracer = tracer
        self.saved = {}
        # The compiled function's globals (a module's forward is handled by
        # FX's autowrap_functions).
        self.program_globals = getattr(program, "__globals__", None)

    def __enter__(self):
        tracer = self.tracer
        for name in _FACTORIES:
            original = getattr(torch, name)

            def wrapper(*args, _original=original, **kwargs):
                leaves = list(args) + list(kwargs.values())
                leaves += [x for a in leaves if isinstance(a, (list, tuple)) for x in a]
                if any(isinstance(a, fx.Proxy) for a in leaves):
                    return tracer.create_proxy("call_function", _original, args, kwargs)
                return _original(*args, **kwargs)

            self.saved[name] = original
            setattr(torch, name, wrapper)
        # torch 2.x's flex_attention called through its module.
        torch_flex = attention.torch_flex_attention_function()
        if torch_flex is not None:
            module = sys.modules[torch_flex.__module__]

            @functools.wraps(torch_flex)
            def flex_wrapper(*args, **kwargs):
                leaves = list(args) + list(kwargs.values())
                if any(isinstance(a, fx.Proxy) and a.tracer is tracer for a in leaves):
                    return attention.trace_torch_flex(tracer, args, kwargs)
                return torch_flex(*args, **kwargs)

            self.saved["flex_attention"] = (module, torch_flex)
            module.flex_attention = flex_wrapper
            names = self.program_globals or {}
            self.renamed = [n for n, v in names.items() if v is torch_flex]
            for n in self.renamed:
                names[n] = flex_wrapper
        # Its operator, as the graphs TorchDynamo hands the backend call it.
        hop = attention.flex_hop()
        if hop is not None:
            namespace = torch.ops.higher_order

            def hop_wrapper(*args, **kwargs):
                if any(isinstance(a, fx.Proxy) and a.tracer is tracer for a in args[:3]):
                    return attention.trace_flex_hop(tracer, args, kwargs)
                return hop(*args, **kwargs)

            self.saved["flex_hop"] = (namespace, namespace.__dict__.get("flex_attention"))
            namespace.flex_attention = hop_wrapper
        # torch 2.x's MultiheadAttention asks for a mask's dtype through a
        # helper that type-checks for torch.Tensor.
        helper = getattr(torch.nn.functional, "_none_or_dtype", None)
        if helper is not None:
            self.saved["_none_or_dtype"] = helper
            torch.nn.functional._none_or_dtype = lambda x: x.dtype if isinstance(x, fx.Proxy) else helper(x)
        return self

    def __exit__(self, *exc):
        for name, original in self.saved.items():
            if name == "_none_or_dtype":
                torch.nn.functional._none_or_dtype = original
            elif name == "flex_attention":
                original[0].flex_attention = original[1]
                for n in self.renamed:
                    self.program_globals[n] = original[1]
            elif name == "flex_hop":
                namespace, cached = original
                if cached is None:
                    del namespace.flex_attention
                else:
                    namespace.flex_attention = cached
            else:
                setattr(torch, name, original)
        return False


def _root_module(program, input_names):
    """Wraps `program` (a module or a function) in a module whose forward
    takes exactly the example inputs by name, so that tracing creates one
    placeholder per input and no others."""

    class Root(torch.nn.Module):
        pass

    root = Root()
    if isinstance(program, torch.nn.Module):
        root.add_module("model", program)
        call = "self.model"
    else:
        root._ddl_function = program
        call = "self._ddl_function"
    params = ", ".join(input_names)
    namespace = {}
    exec(f"def forward(self, {params}):\n    return {call}({params})\n", namespace)
    Root.forward = namespace["forward"]
    return root


def input_names_of(program, count):
    """Names for the example inputs, from `forward`'s (or the function's)
    positional parameters where they are identifiers."""
    fn = program.forward if isinstance(program, torch.nn.Module) else program
    names = []
    try:
        params = [
            p.name
            for p in inspect.signature(fn).parameters.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ]
    except (TypeError, ValueError):
        params = []
    for i in range(count):
        name = params[i] if i < len(params) else f"input{i}"
        if not valid_symbol(name) or name in names or name == "self":
            name = f"input{i}"
        names.append(name)
    return names


_VIEW_METHODS = {
    "view", "view_as", "reshape", "transpose", "permute", "select", "narrow", "expand", "expand_as",
    "squeeze", "unsqueeze", "t", "flatten", "unflatten", "diagonal", "as_strided", "split", "chunk",
    "unbind", "movedim", "swapaxes", "unfold", "__getitem__",
}
_VIEW_FUNCTIONS = {
    operator.getitem, torch.select, torch.narrow, torch.transpose, torch.permute, torch.reshape,
    torch.squeeze, torch.unsqueeze, torch.t, torch.flatten, torch.diagonal, torch.split, torch.chunk,
    torch.unbind, torch.movedim, getattr,
}


def _is_view(node):
    if node.op == "call_method":
        return node.target in _VIEW_METHODS
    return node.op == "call_function" and node.target in _VIEW_FUNCTIONS


def _functionalize_inplace(graph):
    """Uses after an in-place op (`x.add_(y)`, `relu(x, inplace=True)`) see
    its result, so that the graph reads as pure dataflow."""
    order = {n: i for i, n in enumerate(graph.nodes)}
    for node in graph.nodes:
        inplace = (
            node.op == "call_method" and node.target.endswith("_") and not node.target.endswith("__")
        ) or (node.op == "call_function" and node.kwargs.get("inplace") is True)
        if not inplace or not node.args or not isinstance(node.args[0], fx.Node):
            continue
        target = node.args[0]
        if _is_view(target):
            base = target.args[0] if target.args and isinstance(target.args[0], fx.Node) else None
            if base is not None and any(order[u] > order[node] for u in base.users if u is not target):
                from .errors import UnsupportedOperatorError

                raise UnsupportedOperatorError(
                    f"ddl cannot compile an in-place update of a view ({node.format_node()}) whose base "
                    "is used afterwards\n  Compute the updated tensor out of place (torch.where, torch.cat)."
                )
        for user in list(target.users):
            if user is not node and order[user] > order[node]:
                user.replace_input_with(target, node)


def _type_from_values(values, symbol_sizes):
    """The type of a traced value from its example values (one per run)."""
    first = values[0]
    if isinstance(first, torch.Tensor):
        dims = []
        for d in range(first.dim()):
            sizes = [v.shape[d] for v in values]
            dims.append(_dim_from_sizes(sizes, symbol_sizes))
        return TensorType(first.dtype, dims)
    if isinstance(first, (tuple, list)) and not isinstance(first, torch.Size):
        return type(first)(_type_from_values([v[i] for v in values], symbol_sizes) for i in range(len(first)))
    if isinstance(first, torch.Size) or (isinstance(first, (tuple, list))):
        return tuple(SymInt(_dim_from_sizes([v[i] for v in values], symbol_sizes)) for i in range(len(first)))
    if isinstance(first, builtins.bool):
        return first
    if isinstance(first, int):
        return SymInt(_dim_from_sizes(values, symbol_sizes))
    return first  # floats, None, dtypes, strings: constants


def _dim_from_sizes(sizes, symbol_sizes):
    if _same(sizes):
        return sizes[0]
    for name, per_run in symbol_sizes.items():
        if list(per_run) == list(sizes):
            return name
    return None


def trace(program, example_inputs, dynamic):
    """Concrete FX tracing (see the module comment)."""
    input_names = input_names_of(program, len(example_inputs))
    dynamic = normalize_dynamic(dynamic, example_inputs, input_names)
    runs = [[t.clone() if isinstance(t, torch.Tensor) else t for t in example_inputs]]
    symbol_sizes = {}
    symbols = {}
    if dynamic:
        perturbed = _perturbed_inputs(example_inputs, dynamic)
        runs.append(perturbed)
        for index, dims in dynamic.items():
            for dim, name in dims.items():
                symbol_sizes.setdefault(name, [run[index].shape[dim] for run in runs])
                symbols.setdefault(name, (index, dim))
    from .control_flow import rewritten_program

    tracer = None
    try:
        with rewritten_program(program) as rewritten:
            root = _root_module(rewritten, input_names)
            tracer = _ConcreteTracer(runs, root)
            tracer.symbol_sizes = symbol_sizes
            with torch.no_grad(), _patched_factories(tracer, rewritten):
                graph = tracer.trace(root)
    except DdlError:
        raise
    except Exception as e:
        # torch rejected a traced value somewhere Python code handles it
        # (e.g. a size proxy passed to a method of an untraced tensor).
        frame = exception_user_frame(e)
        raise CaptureError(
            f"tracing the program failed: {type(e).__name__}: {e}" + (f"\n  at {frame}" if frame else "")
        ) from e
    _functionalize_inplace(graph)
    inputs = [n for n in graph.nodes if n.op == "placeholder"]
    parameters = {}
    for node in graph.nodes:
        if node.op == "output":
            continue
        values = tracer._values_of(node)
        if "ddl_type" not in node.meta:  # control-flow results have theirs
            node.meta["ddl_type"] = _type_from_values(values, symbol_sizes)
        if node.op == "get_attr":
            parameters[node] = (node.target, values[0])
    # Inputs carry exactly the declared dims (a dim that happened to equal
    # a declared size elsewhere is not renamed).
    for i, node in enumerate(inputs):
        t = example_inputs[i]
        if not isinstance(t, torch.Tensor):
            raise CaptureError(f"example input {i} ('{input_names[i]}') is a {type(t).__name__}; ddl takes tensors")
        dims = [dynamic.get(i, {}).get(d, t.shape[d]) for d in range(t.dim())]
        node.meta["ddl_type"] = TensorType(t.dtype, dims)
    return Captured(graph, inputs, input_names, parameters, symbols)


# --------------------------------------------------------------------------
# torch.export


def has_export():
    return hasattr(torch, "export") and hasattr(torch.export, "export")


def export(program, example_inputs, dynamic):
    """Capture through torch.export (torch 2.x)."""
    # The wrapper's forward names every input (a forward(*args) would need
    # dynamic_shapes nested under "args"); parameters become "model.<name>".
    input_names = input_names_of(program, len(example_inputs))
    program = _root_module(program, input_names)
    dynamic = normalize_dynamic(dynamic, example_inputs, input_names)
    dims = {}
    dynamic_shapes = None
    if dynamic:
        dynamic_shapes = []
        for i in range(len(example_inputs)):
            spec = {}
            for dim, name in dynamic.get(i, {}).items():
                if name not in dims:
                    dims[name] = torch.export.Dim(name)
                spec[dim] = dims[name]
            dynamic_shapes.append(spec or None)
        dynamic_shapes = tuple(dynamic_shapes)
    try:
        with torch.no_grad():
            exported = torch.export.export(program, tuple(example_inputs), dynamic_shapes=dynamic_shapes, strict=False)
        exported = exported.run_decompositions({})
    except DataDependentControlFlowError:
        raise
    except Exception as e:
        text = str(e)
        # torch.export names the user's line in its message ("The following
        # call raised this error: File ..."); else the traceback has it.
        frame = user_frame(text, innermost_first=False) or exception_user_frame(e)
        at = f"\n  at {frame}" if frame else ""
        if "Constraints violated" in text:
            guard = next((line.strip() for line in text.splitlines() if "Not all values" in line), text.splitlines()[0])
            raise DataDependentControlFlowError(
                f"torch.export: the program's behaviour depends on a dynamic dimension: {guard}{at}\n"
                "It branches on (or specializes) a size declared dynamic; make that dimension static, "
                "or use capture='fx', whose converters handle such sizes at run time."
            ) from e
        if "data-dependent" in text.lower() or "GuardOnDataDependentSymNode" in type(e).__name__:
            call = re.search(r"\n\s*([\w.]+\(.*\))\s*$", text.split("The following call raised this error")[-1])
            raise DataDependentControlFlowError(
                f"torch.export: the program depends on a tensor's value: {text.splitlines()[0]}{at}\n"
                "If this is Python control flow, use torch.where(cond, a, b) to select values, or "
                "torch.cond for branches; if it is an operator whose output shape depends on the data"
                + (f" ({call.group(1)})" if call else "")
                + ", ddl cannot compile it."
            ) from e
        raise CaptureError(f"torch.export failed: {type(e).__name__}: {text}{at}") from e
    graph = exported.graph_module.graph
    from .flex import prune_block_masks

    prune_block_masks(graph)
    signature = exported.graph_signature
    state = dict(exported.state_dict)
    state.update(getattr(exported, "constants", {}) or {})
    parameter_names = {}
    for spec in signature.input_specs:
        target = getattr(spec, "target", None)
        if target is not None:
            parameter_names[spec.arg.name] = target
    placeholders = [n for n in graph.nodes if n.op == "placeholder"]
    inputs, parameters = [], {}
    for node in placeholders:
        if node.name in parameter_names:
            qualified = parameter_names[node.name]
            parameters[node] = (qualified, state[qualified])
        else:
            inputs.append(node)
    if len(inputs) != len(example_inputs):
        raise CaptureError(f"torch.export produced {len(inputs)} user inputs for {len(example_inputs)} example inputs")
    # The exporter's size symbols (s0, s1, ...) -> the user's names.
    symbol_names = {}
    for i, node in enumerate(inputs):
        val = node.meta.get("val")
        for dim, name in dynamic.get(i, {}).items():
            symbol_names[str(val.shape[dim])] = name
    for node in graph.nodes:
        if "val" in node.meta:
            node.meta["ddl_type"] = _type_from_fake(node.meta["val"], symbol_names)
    for i, node in enumerate(inputs):
        t = example_inputs[i]
        node.meta["ddl_type"] = TensorType(t.dtype, [dynamic.get(i, {}).get(d, t.shape[d]) for d in range(t.dim())])
    # get_attr nodes (lifted constants of older exporters) are parameters too.
    for node in graph.nodes:
        if node.op == "get_attr":
            value = exported.graph_module
            for part in node.target.split("."):
                value = getattr(value, part)
            parameters[node] = (node.target, value)
            if isinstance(value, torch.Tensor):
                node.meta["ddl_type"] = TensorType(value.dtype, value.shape)
    symbols = {}
    for i, dims_ in dynamic.items():
        for dim, name in dims_.items():
            symbols.setdefault(name, (i, dim))
    # The graph also returns mutated buffers; the program's outputs are the
    # USER_OUTPUT ones.
    output = next(n for n in graph.nodes if n.op == "output")
    kinds = [str(getattr(spec, "kind", "")) for spec in signature.output_specs]
    flat = list(output.args[0])
    if len(kinds) == len(flat):
        flat = [v for v, kind in zip(flat, kinds) if kind.endswith("USER_OUTPUT")]
    output.args = (tuple(flat),)
    treespec = getattr(getattr(exported, "call_spec", None), "out_spec", None)
    return Captured(graph, inputs, input_names, parameters, symbols, treespec)


def _sym_dim(size, symbol_names):
    """An exporter size (int or SymInt) as a dim: an int, a name, or None.
    (int() on a SymInt would add a guard, so its expression is read.)"""
    if isinstance(size, int):
        return size
    expr = getattr(getattr(size, "node", None), "expr", None)
    if expr is not None and getattr(expr, "is_number", False):
        return int(expr)
    return symbol_names.get(str(expr if expr is not None else size))


def _type_from_fake(value, symbol_names):
    if isinstance(value, torch.Tensor):
        return TensorType(value.dtype, [_sym_dim(s, symbol_names) for s in value.shape])
    if isinstance(value, (tuple, list)):
        return type(value)(_type_from_fake(v, symbol_names) for v in value)
    if isinstance(value, builtins.bool):
        return value
    if isinstance(value, int):
        return SymInt(value)
    if type(value).__name__ == "SymInt":
        return SymInt(_sym_dim(value, symbol_names))
    return value
