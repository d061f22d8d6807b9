"""Writes nn-dialect MLIR as text (ddl needs no MLIR Python bindings).

A `GraphBuilder` collects one function: its inputs, the nn ops in order,
constants (large ones as `dense_resource` blobs) and the returned values.
Types carry ddl's symbolic dimensions: `tensor<?x3xf32, #nn.dims<batch, 3>>`.
Result types written here may be less precise than what ddl infers (`?`
for a size ddl can work out); ddlc refines them (nn-infer-shapes).

Every op carries the location of the PyTorch call it comes from, as an
alias defined at the top of the file:
`#loc3 = loc("torch.flip"("model.py":12:0))` (the operator's name around
the user's source line; just `loc("torch.flip")` when the line is unknown),
so ddlc's diagnostics name the user's line and operator.
"""

import contextlib
import math
import re
import struct

import torch

from .errors import UnsupportedDtypeError

ELEMENT_TYPES = {
    torch.float32: "f32",
    torch.float64: "f64",
    torch.float16: "f16",
    torch.bfloat16: "bf16",
    torch.int64: "i64",
    torch.int32: "i32",
    torch.int16: "i16",
    torch.int8: "i8",
    torch.uint8: "ui8",
    torch.bool: "i1",
}

_SYMBOL = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def element_type(dtype):
    try:
        return ELEMENT_TYPES[dtype]
    except KeyError:
        raise UnsupportedDtypeError(
            f"dtype {dtype} is not supported by ddl (supported: "
            f"{', '.join(str(d).replace('torch.', '') for d in ELEMENT_TYPES)}); "
            "cast the tensor (e.g. .float()) before it reaches the compiled code"
        ) from None


def valid_symbol(name):
    return isinstance(name, str) and bool(_SYMBOL.match(name))


class TensorType:
    """A ranked tensor type: dtype plus one entry per dimension, each an int
    (static), a str (a named dynamic dimension) or None (dynamic)."""

    __slots__ = ("dtype", "dims")

    def __init__(self, dtype, dims):
        self.dtype = dtype
        self.dims = tuple(dims)

    @property
    def rank(self):
        return len(self.dims)

    def with_dims(self, dims):
        return TensorType(self.dtype, dims)

    def with_dtype(self, dtype):
        return TensorType(dtype, self.dims)

    def is_static(self):
        return all(isinstance(d, int) for d in self.dims)

    def __str__(self):
        shape = "".join(f"{d if isinstance(d, int) else '?'}x" for d in self.dims)
        encoding = ""
        if any(isinstance(d, str) for d in self.dims):
            names = ", ".join(str(d) if d is not None else "?" for d in self.dims)
            encoding = f", #nn.dims<{names}>"
        return f"tensor<{shape}{element_type(self.dtype)}{encoding}>"

    def __repr__(self):
        return str(self)


class Value:
    """An SSA value of the function being built."""

    __slots__ = ("name", "type", "is_dynamic_int")

    def __init__(self, name, type_):
        self.name = name
        self.type = type_
        # A tensor<1xi64> holding an int the program computes from dynamic
        # sizes (x.size(0), products of sizes), rather than tensor data.
        self.is_dynamic_int = False

    def __str__(self):
        return self.name


class Raw(str):
    """Attribute text written as is (enums: `#nn.gelu_approximation<tanh>`)."""


def float_literal(value, type_="f32"):
    if math.isfinite(value):
        return f"{value:.9e} : {type_}"
    # Infinities and NaN have no decimal spelling in MLIR: use the bits.
    bits = struct.unpack("<I", struct.pack("<f", value))[0]
    return f"0x{bits:08X} : {type_}"


def attribute(value):
    if isinstance(value, Raw):
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return f"{value} : i64"
    if isinstance(value, float):
        return float_literal(value)
    if isinstance(value, (list, tuple)):
        return f"array<i64: {', '.join(str(int(v)) for v in value)}>"
    if isinstance(value, str):
        return string_literal(value)
    raise TypeError(f"no MLIR attribute for {value!r}")


def string_literal(text):
    """`text` as an MLIR string literal: quotes and backslashes escaped,
    control characters as two-digit hex escapes (UTF-8 stays as is)."""
    out = []
    for c in str(text):
        if c in '"\\':
            out.append("\\" + c)
        elif ord(c) < 0x20 or ord(c) == 0x7F:
            out.append(f"\\{ord(c):02X}")
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def location(name, path=None, line=None, col=0):
    """An MLIR location naming `name`, at `path`:`line`:`col` when the
    path is known: `loc("torch.flip"("model.py":12:0))`."""
    if path is None:
        return f"loc({string_literal(name)})"
    return f"loc({string_literal(name)}({string_literal(path)}:{int(line or 0)}:{int(col or 0)}))"


# Tensors with more elements than this become dense_resource blobs.
_INLINE_ELEMENTS = 64


class GraphBuilder:
    def __init__(self, function_name="main"):
        self.function_name = function_name
        self._inputs = []  # (Value, name)
        self._lines = []
        # Constants go first in the function, so that one made inside a
        # control-flow region can be reused after it.
        self._constant_lines = []
        self._resources = {}
        self._outputs = []  # (Value, name)
        self._counter = 0
        self._constants = {}  # dedup small constants by (type, bytes)
        # The location (text of a `loc(...)`) given to the ops appended
        # next; the converter sets it for each node. Each distinct one is
        # written once, as an alias: `#loc3 = loc(...)`.
        self.location = None
        self._locations = {}  # location text -> alias

    def _loc(self):
        if self.location is None:
            return ""
        alias = self._locations.get(self.location)
        if alias is None:
            alias = f"#loc{len(self._locations)}"
            self._locations[self.location] = alias
        return f" loc({alias})"

    def _fresh(self):
        name = f"%{self._counter}"
        self._counter += 1
        return name

    def add_input(self, type_, name):
        value = Value(f"%arg{len(self._inputs)}", type_)
        self._inputs.append((value, name))
        return value

    def op(self, name, operands, result_types, attrs=None, syntax=None, prefix=""):
        """Appends `name` and returns its result Value (or a list of them when
        `result_types` is a list). `syntax` formats the operand list (`{0}`
        is the first operand) for ops with keywords; `prefix` goes before it
        (`<sum>` of nn.reduce)."""
        single = not isinstance(result_types, list)
        types = [result_types] if single else result_types
        results = [Value(self._fresh(), t) for t in types]
        if syntax is None:
            operand_text = ", ".join(o.name for o in operands)
        else:
            operand_text = syntax.format(*[o.name for o in operands])
        attr_text = ""
        if attrs:
            items = ", ".join(f"{k} = {attribute(v)}" for k, v in attrs.items() if v is not None)
            attr_text = f" {{{items}}}" if items else ""
        lhs = ", ".join(r.name for r in results)
        if len(results) > 1:
            base = results[0].name
            for i, r in enumerate(results):
                r.name = f"{base}#{i}"
            lhs = f"{base}:{len(results)}"
        in_types = ", ".join(str(o.type) for o in operands)
        out_types = ", ".join(str(t) for t in types)
        if len(types) != 1:
            out_types = f"({out_types})"
        pre = f" {prefix}" if prefix else ""
        signature = f"({in_types}) -> {out_types}"
        self._lines.append(f"    {lhs} = {name}{pre} {operand_text}{attr_text} : {signature}{self._loc()}")
        return results[0] if single else results

    def custom_op(self, result_types, text):
        """Appends an op written in its own assembly syntax (ops with
        regions, such as attn.flex): `text` is everything after
        `<results> = ` and may span several lines (region bodies). Returns
        the result Value (or a list of them when `result_types` is a
        list)."""
        single = not isinstance(result_types, list)
        types = [result_types] if single else result_types
        base = self._fresh()
        if len(types) == 1:
            results, lhs = [Value(base, types[0])], base
        else:
            results = [Value(f"{base}#{i}", t) for i, t in enumerate(types)]
            lhs = f"{base}:{len(types)}"
        self._lines.append(f"    {lhs} = {text}{self._loc()}")
        return results[0] if single else results

    @contextlib.contextmanager
    def region(self):
        """Collects the ops appended inside into a list (a region's body,
        for `custom_op`) instead of the function."""
        saved, self._lines = self._lines, []
        lines = self._lines
        try:
            yield lines
        finally:
            self._lines = saved

    def value(self, type_):
        """A fresh SSA value of `type_` (a block argument)."""
        return Value(self._fresh(), type_)

    def constant(self, tensor):
        """An nn.constant holding `tensor`'s values (a CPU copy is taken)."""
        tensor = tensor.detach().cpu().contiguous()
        type_ = TensorType(tensor.dtype, tensor.shape)
        element_type(tensor.dtype)
        if tensor.dtype == torch.bool:
            flat = set(tensor.reshape(-1).tolist())
            if len(flat) == 1:
                body = f"dense<{_nested(flat.pop())}>"
            else:
                body = f"dense<{_nested(tensor.tolist())}>"
            data = None
        else:
            data = _raw_bytes(tensor)
            key = (str(type_), data)
            if key in self._constants:
                return self._constants[key]
            if tensor.numel() <= _INLINE_ELEMENTS:
                body = f'dense<"0x{data.hex().upper()}">'
            else:
                name = f"w{len(self._resources)}"
                # A resource blob starts with its alignment (little-endian u32).
                self._resources[name] = struct.pack("<I", 16) + data
                body = f"dense_resource<{name}>"
        value = Value(self._fresh(), type_)
        self._constant_lines.append(f"    {value.name} = nn.constant {body} : {type_}{self._loc()}")
        if data is not None:
            self._constants[(str(type_), data)] = value
        return value

    def set_outputs(self, values, names):
        self._outputs = list(zip(values, names))

    def text(self):
        def arg(v, name):
            return f"{v.name}: {v.type} {{nn.name = {attribute(name)}}}"

        args = ", ".join(arg(v, n) for v, n in self._inputs)
        results = ", ".join(f"{v.type} {{nn.name = {attribute(n)}}}" for v, n in self._outputs)
        out = [f"func.func @{self.function_name}({args}) -> ({results}) {{"]
        out += self._constant_lines
        out += self._lines
        out.append(
            f"    return {', '.join(v.name for v, _ in self._outputs)} : "
            f"{', '.join(str(v.type) for v, _ in self._outputs)}{self._loc()}"
        )
        out.append("}")
        aliases = "".join(f"{alias} = {loc}\n" for loc, alias in self._locations.items())
        text = aliases + "module {\n" + "\n".join("  " + line for line in out) + "\n}\n"
        if self._resources:
            blobs = ",\n".join(f'      {k}: "0x{v.hex().upper()}"' for k, v in self._resources.items())
            text += "\n{-#\n  dialect_resources: {\n    builtin: {\n" + blobs + "\n    }\n  }\n#-}\n"
        return text


def _raw_bytes(tensor):
    if tensor.dtype == torch.bfloat16:
        return tensor.view(torch.int16).numpy().tobytes()
    return tensor.numpy().tobytes()


def _nested(values):
    if isinstance(values, list):
        return "[" + ", ".join(_nested(v) for v in values) + "]"
    return "true" if values else "false"
