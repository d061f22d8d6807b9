"""From a captured FX graph to nn-dialect MLIR: the conversion loop and the
helpers converters share. The converters themselves live in `ops.py`.

A converter is registered for one or more targets (torch functions,
`Tensor` method names, ATen overloads) and called as
`converter(cx, node, *node.args, **node.kwargs)`: it takes the same
arguments as the torch function and returns the node's value (a `Value`,
a Python constant, or a tuple/list of those)."""

import torch
import torch.fx as fx

from .capture import SymInt
from .errors import UnsupportedDtypeError, UnsupportedOperatorError, describe_target, user_frame, user_frame_parts
from .mlir import GraphBuilder, Raw, TensorType, Value, element_type, location

_CONVERTERS = {}

# Targets whose node is dropped (assertions already checked while tracing).
_IGNORED = set()


def converts(*targets):
    """Registers the decorated function for each of `targets`; targets that
    do not exist in the installed torch (None) are skipped."""

    def register(fn):
        for t in targets:
            if t is not None:
                _CONVERTERS[t] = fn
        return fn

    return register


def ignores(*targets):
    for t in targets:
        if t is not None:
            _IGNORED.add(t)


def lookup(target):
    fn = _CONVERTERS.get(target)
    if fn is None and isinstance(target, torch._ops.OpOverload):
        fn = _CONVERTERS.get(target.overloadpacket)
    return fn


class Converter:
    """State of one conversion: the builder, and the value of each node."""

    def __init__(self, captured, freeze=False):
        self.captured = captured
        self.builder = GraphBuilder()
        self.values = {}
        self.freeze = freeze
        self.parameter_order = []  # qualified names of parameters passed as inputs
        self.node = None

    # -- errors -------------------------------------------------------------

    def unsupported(self, what, hint=None):
        """An UnsupportedOperatorError naming the current node's op, its
        overload and the user's source line."""
        node = self.node
        target = describe_target(node.target) if node is not None else "?"
        overloads = _dispatched_overloads(node) if node is not None else []
        if overloads:
            target += f" (dispatches to {', '.join(overloads)})"
        message = f"ddl cannot compile {target}: {what}"
        if hint:
            message += f"\n  {hint}"
        frame = user_frame(node.stack_trace) if node is not None else None
        if frame:
            message += f"\n  at {frame}"
        elif node is not None and node.meta.get("nn_module_stack"):
            # torch.export records the module path even without a trace.
            path = list(node.meta["nn_module_stack"].values())[-1]
            module = path[0] if isinstance(path, tuple) else path
            if module:
                message += f"\n  in module {module}"
        error = UnsupportedOperatorError(message)
        error.located = bool(frame)
        error.overload = node.target if node is not None and isinstance(node.target, torch._ops.OpOverload) else None
        return error

    # -- types --------------------------------------------------------------

    def type_of(self, node):
        return node.meta.get("ddl_type")

    def result_type(self):
        """The current node's type (a TensorType)."""
        t = self.type_of(self.node)
        if not isinstance(t, TensorType):
            raise self.unsupported(f"its result is {t!r}, not a tensor")
        return t

    # -- values -------------------------------------------------------------

    def resolve(self, arg):
        """A node argument as what converters work with: Values for tensors
        (and dynamic ints, as tensor<1xi64>), Python values otherwise;
        containers element-wise."""
        if isinstance(arg, fx.Node):
            value = self.values.get(arg, _MISSING)
            if value is _MISSING:
                raise self.unsupported(f"its operand {arg.name} has no value")
            return value
        if isinstance(arg, (list, tuple)):
            return type(arg)(self.resolve(a) for a in arg)
        if isinstance(arg, dict):
            return {k: self.resolve(v) for k, v in arg.items()}
        return arg

    def op(self, name, operands, result_types, attrs=None, **kw):
        return self.builder.op(name, operands, result_types, attrs, **kw)

    def constant(self, tensor):
        return self.builder.constant(tensor)

    def scalar(self, value, dtype):
        """A rank-0 constant of `dtype` holding Python `value`."""
        return self.constant(torch.tensor(value, dtype=dtype))

    def i64(self, values):
        return self.constant(torch.tensor(values, dtype=torch.int64))

    def tensor(self, x, dtype=None):
        """`x` (a Value or a Python number) as a Value of `dtype` (when
        given): Python numbers become rank-0 constants, dynamic ints
        (tensor<1xi64>) rank-0 tensors, other Values are cast."""
        if isinstance(x, Value):
            if _is_dynamic_int(x):
                x = self.reshape(x, [], TensorType(torch.int64, []))
            return self.cast(x, dtype) if dtype is not None else x
        if isinstance(x, (bool, int, float)):
            if dtype is None:
                dtype = torch.bool if isinstance(x, bool) else torch.int64 if isinstance(x, int) else torch.float32
            return self.scalar(x, dtype)
        if type(x).__name__ in ("SymFloat", "SymInt", "SymBool"):
            raise self.unsupported(
                f"a Python number computed from a dynamic size ({type(x).__name__})",
                "compute it with tensor operations, or make the dimension static",
            )
        raise self.unsupported(f"expected a tensor or a number, got {type(x).__name__}")

    def cast(self, value, dtype):
        if value.type.dtype == dtype:
            return value
        return self.op("nn.cast", [value], value.type.with_dtype(dtype))

    def reshape(self, value, entries, result_type):
        """nn.reshape to `entries` (ints, -1, 0 = keep, or tensor<1xi64>
        Values for run-time sizes)."""
        shape = self.shape_tensor(entries)
        return self.op("nn.reshape", [value, shape], result_type)

    def shape_tensor(self, entries):
        """A 1-D i64 tensor from ints and tensor<1xi64> Values."""
        if all(isinstance(e, int) for e in entries):
            return self.i64(list(entries))
        pieces = []
        run = []
        for e in entries:
            if isinstance(e, int):
                run.append(e)
                continue
            if run:
                pieces.append(self.i64(run))
                run = []
            pieces.append(e)
        if run:
            pieces.append(self.i64(run))
        if len(pieces) == 1:
            return pieces[0]
        return self.op("nn.concat", pieces, TensorType(torch.int64, [len(entries)]), {"axis": 0})

    def dim_value(self, value, dim):
        """The run-time size of `value`'s dimension `dim`, as tensor<1xi64>."""
        dim %= max(value.type.rank, 1)
        return self.op("nn.shape_of", [value], TensorType(torch.int64, [1]), {"start": dim, "end": dim + 1})

    def size_entry(self, value, dim):
        """A static size as an int, a dynamic one as a tensor<1xi64> Value."""
        d = value.type.dims[dim]
        return d if isinstance(d, int) else self.dim_value(value, dim)

    def int_entries(self, items):
        """Converts a shape argument (ints and dynamic ints) to entries for
        shape_tensor()."""
        out = []
        for item in items:
            if isinstance(item, Value):
                if not _is_dynamic_int(item):
                    item = self.reshape(self.cast(item, torch.int64), [1], TensorType(torch.int64, [1]))
                out.append(item)
            elif isinstance(item, (int,)) and not isinstance(item, bool):
                out.append(int(item))
            else:
                raise self.unsupported(f"expected a size, got {item!r}")
        return out

    # -- the loop -------------------------------------------------------------

    def convert_graph(self, graph, env=None):
        """Converts the nodes of `graph` in order; returns the output node's
        argument (unresolved). `env` gives the values of placeholders (a
        control-flow sub-graph's operands); the root graph's are set by
        run()."""
        outputs = None
        for node, value in (env or {}).items():
            self.values[node] = value
        saved = self.node, self.builder.location
        for node in graph.nodes:
            self.node = node
            if node.op == "placeholder":
                continue
            if node.op == "get_attr":
                if node not in self.values:  # a constant a sub-graph made
                    self.values[node] = self.constant(node.meta["ddl_values"][0])
                continue
            if node.op == "output":
                outputs = node.args[0]
                continue
            self.convert_node(node)
        self.node, self.builder.location = saved
        return outputs

    def convert_node(self, node):
        b = self.builder
        b.location = node_location(node)
        if node.op == "call_function" and node.target in _IGNORED:
            return
        t = self.type_of(node)
        if node.meta.get("ddl_from_dynamic_size") and isinstance(t, (float, bool)):
            raise self.unsupported(
                f"a Python {type(t).__name__} computed from a dynamic size",
                "it would be fixed to its value at the example size; compute it with tensor "
                "operations, or make the dimension static",
            )
        if not _needs_converter(t):
            # A static Python value the program computed (a size, a
            # flag): converters see it as a plain value.
            self.values[node] = _python_value(t)
            return
        fn = lookup(node.target)
        if fn is None:
            raise self.unsupported(
                "no converter for this operator",
                "ddl supports the operators listed in docs/status.md; please file an issue "
                "with this message, or move the call out of the compiled code.",
            )
        args = self.resolve(node.args)
        kwargs = self.resolve(node.kwargs)
        try:
            result = fn(self, node, *args, **kwargs)
        except UnsupportedOperatorError:
            raise
        except TypeError as e:
            raise self.unsupported(f"unexpected arguments ({e})") from e
        self.values[node] = result

    def run(self):
        captured = self.captured
        b = self.builder
        for node, name in zip(captured.inputs, captured.input_names):
            input_type = node.meta["ddl_type"]
            try:
                element_type(input_type.dtype)
            except UnsupportedDtypeError as e:
                raise UnsupportedDtypeError(f"input '{name}': {e}") from None
            self.values[node] = b.add_input(input_type, name)
        for node, (qualified, tensor) in captured.parameters.items():
            if not isinstance(tensor, torch.Tensor):
                self.values[node] = tensor
            elif self.freeze or _is_constant_attr(qualified):
                b.location = location(qualified)
                self.values[node] = self.constant(tensor)
            else:
                self.values[node] = b.add_input(TensorType(tensor.dtype, tensor.shape), qualified)
                self.parameter_order.append(qualified)
        outputs = self.convert_graph(captured.graph)
        self.node = None
        b.location = location("output")
        # Outputs keep the program's structure; tensors are the compiled
        # function's results, other leaves (None, numbers) are constants.
        flat, spec = _flatten(self.resolve(outputs))
        out_values, out_names = [], []
        for i, value in enumerate(flat):
            if value.is_dynamic_int:
                value = self.reshape(value, [], TensorType(torch.int64, []))
            out_values.append(value)
            out_names.append(f"output{i}")
        b.set_outputs(out_values, out_names)
        return b.text(), spec


_MISSING = object()


def node_location(node):
    """The MLIR location of the ops converting `node`: its operator's
    readable name around the user's source line (column 0: traces have no
    columns), or the name alone when no user frame is known."""
    name = node.target if node.op == "call_module" else describe_target(node.target)
    frame = user_frame_parts(node.stack_trace)
    if frame is None:
        return location(name)
    path, line, _, _ = frame
    return location(name, path, line, 0)


def _dispatched_overloads(node):
    """The ATen overloads a torch-level node runs in eager mode (recorded
    by re-running it on its example values), to name the operator the way
    torch.export would. Empty when the node is an ATen overload already or
    has no example values."""
    if isinstance(node.target, torch._ops.OpOverload):
        return []
    values = node.meta.get("ddl_values")
    if values is None:
        return []
    try:
        from torch.utils._python_dispatch import TorchDispatchMode
    except ImportError:
        return []
    seen = []

    class Record(TorchDispatchMode):
        def __torch_dispatch__(self, func, types, args=(), kwargs=None):
            name = f"aten::{func._schema.name.split('::')[-1]}.{func._overloadname}"
            if name not in seen:
                seen.append(name)
            return func(*args, **(kwargs or {}))

    def example(n):
        v = n.meta.get("ddl_values")
        return v[0] if v else None

    args = fx.node.map_arg(node.args, example)
    kwargs = fx.node.map_arg(node.kwargs, example)
    try:
        with torch.no_grad(), Record():
            if node.op == "call_method":
                getattr(args[0], node.target)(*args[1:], **kwargs)
            elif node.op == "call_function":
                node.target(*args, **kwargs)
    except Exception:
        pass
    return seen[:3]


def _needs_converter(t):
    if isinstance(t, TensorType):
        return True
    if isinstance(t, SymInt):
        return not t.is_static()
    if isinstance(t, (tuple, list)):
        return any(_needs_converter(e) for e in t)
    return False


def _python_value(t):
    if isinstance(t, SymInt):
        return t.value
    if isinstance(t, (tuple, list)):
        return type(t)(_python_value(e) for e in t)
    return t


def _is_dynamic_int(value):
    return isinstance(value, Value) and value.is_dynamic_int


def mark_dynamic_int(value):
    value.is_dynamic_int = True
    return value


def _is_constant_attr(qualified):
    # FX names the tensors a program creates from literals _tensor_constantN.
    return qualified.rsplit(".", 1)[-1].startswith("_tensor_constant")


def _flatten(outputs):
    """(flat list of Values, spec) where spec rebuilds the structure."""
    if isinstance(outputs, (tuple, list)):
        flat, specs = [], []
        for o in outputs:
            f, s = _flatten(o)
            flat += f
            specs.append((len(f), s))
        return flat, (type(outputs), specs)
    if isinstance(outputs, dict):
        flat, specs = [], []
        for k, o in outputs.items():
            f, s = _flatten(o)
            flat += f
            specs.append((k, len(f), s))
        return flat, (dict, specs)
    if isinstance(outputs, Value):
        return [outputs], None
    return [], ("constant", outputs)


def unflatten(values, spec):
    if hasattr(spec, "unflatten"):
        return spec.unflatten(values)
    if spec is None:
        return values[0]
    kind, specs = spec
    if kind == "constant":
        return specs
    out, i = [], 0
    if kind is dict:
        result = {}
        for k, n, s in specs:
            result[k] = unflatten(values[i : i + n], s)
            i += n
        return result
    for n, s in specs:
        out.append(unflatten(values[i : i + n], s))
        i += n
    return kind(out)


__all__ = ["Converter", "converts", "ignores", "Raw", "TensorType", "Value", "mark_dynamic_int", "unflatten"]
