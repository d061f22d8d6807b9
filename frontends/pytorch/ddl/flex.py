"""Attention as `attn.flex`: the op's text, its score_mod / mask_mod regions
and the converters that emit it.

`attn.flex` (dialects/attn/AttnOps.td) is attention with the user's score
and mask functions as regions of scalar `arith` / `math` code that read
captured tensors with `tensor.extract`. Three kinds of callers build one:

* dense attention converters (`nn.MultiheadAttention` and
  `F.scaled_dot_product_attention`, in ops.py) through `dense_attention`:
  a causal mask becomes a mask_mod comparing indices, other masks are
  captured tensors read in mask_mod (boolean) or added in score_mod
  (float);
* `ddl.attention.flex_attention` (the node `attention._flex_call`) and
  torch 2.x's FlexAttention (the `flex_attention` higher-order operator of
  torch.export graphs): their score_mod / mask_mod are FX graphs, which
  `convert_mod_graph` turns into region text. It reads torch-level graphs
  (torch functions, Tensor methods, Python operators: what `torch.fx`
  traces) and ATen-level ones (what torch.export and make_fx record).

A region value is a scalar of one of three kinds: `f32` (scores and every
floating-point value), `index` (indices and every integer value: ints read
from a captured tensor are cast to index) and `i1` (booleans), following
torch's type promotion between them.
"""

import inspect
import math
import operator

import torch
import torch.fx as fx

from . import attention
from .convert import TensorType, Value, converts
from .errors import describe_target
from .mlir import element_type, float_literal

F32, INDEX, I1 = "f32", "index", "i1"


class Scalar:
    """An SSA value of a region: its name, kind (f32, index, i1) and, for
    constants, its Python value."""

    __slots__ = ("name", "type", "const")

    def __init__(self, name, type_, const=None):
        self.name = name
        self.type = type_
        self.const = const

    def __str__(self):
        return self.name


class TensorRef:
    """A captured tensor (its slot among the op's captures) and the indices
    applied to it so far (`t[h]` before `[kv_idx]`)."""

    __slots__ = ("slot", "type", "indices")

    def __init__(self, slot, type_, indices=()):
        self.slot = slot
        self.type = type_
        self.indices = tuple(indices)


class RegionError(Exception):
    """A mod the region converter cannot express (turned into an
    UnsupportedOperatorError naming the op by the caller)."""


def _kind_of_dtype(dtype):
    if dtype == torch.bool:
        return I1
    return F32 if dtype.is_floating_point else INDEX


def _kind_of_python(value):
    if isinstance(value, bool):
        return I1
    return INDEX if isinstance(value, int) else F32


class Region:
    """The body of one score_mod or mask_mod region being written."""

    def __init__(self, flex, kind):
        self.flex = flex
        self.kind = kind  # "score_mod" or "mask_mod"
        self.prefix = f"{flex.prefix}{'s' if kind == 'score_mod' else 'm'}"
        self.lines = []
        self._count = 0
        self._constants = {}
        self._extracts = {}
        p = self.prefix
        self.score = Scalar(f"%{p}score", F32) if kind == "score_mod" else None
        self.b, self.h, self.q, self.kv = (Scalar(f"%{p}{n}", INDEX) for n in ("b", "h", "q", "kv"))
        self.result = None

    # -- text -----------------------------------------------------------------

    def capture_name(self, slot):
        return f"%{self.prefix}c{slot}"

    def text(self, indent):
        """`{ ^bb0(...): ... attn.yield }` with the op's final captures."""
        args = [] if self.score is None else [f"{self.score}: f32"]
        args += [f"{v}: index" for v in (self.b, self.h, self.q, self.kv)]
        args += [f"{self.capture_name(i)}: {c.type}" for i, c in enumerate(self.flex.captures)]
        body = [f"{indent}^bb0({', '.join(args)}):"]
        body += [f"{indent}  {line}" for line in self.lines]
        body.append(f"{indent}  attn.yield {self.result} : {self.result.type}")
        return "{\n" + "\n".join(body) + f"\n{indent}}}"

    def _fresh(self):
        name = f"%{self.prefix}{self._count}"
        self._count += 1
        return name

    def emit(self, text, type_):
        value = Scalar(self._fresh(), type_)
        self.lines.append(f"{value.name} = {text}")
        return value

    def const(self, value, type_):
        if type_ == I1:
            value = bool(value)
            literal = "true" if value else "false"
        elif type_ == INDEX:
            value = int(value)
            literal = f"{value} : index"
        else:
            value = float(value)
            literal = float_literal(value, "f32")
        key = (type_, literal)
        if key not in self._constants:
            scalar = self.emit(f"arith.constant {literal}", type_)
            scalar.const = value
            self._constants[key] = scalar
        return self._constants[key]

    def finish(self, value):
        """Yields `value` as the region's result (f32 or i1)."""
        value = self.value(value)
        self.result = self.to_f32(value) if self.kind == "score_mod" else self.to_i1(value)

    def is_trivial(self):
        """Whether the region changes nothing (yields its score unchanged,
        or keeps every pair)."""
        if self.result is None:
            return True
        if self.kind == "score_mod":
            return self.result is self.score
        return self.result.const is True

    # -- values and conversions -------------------------------------------------

    def value(self, x):
        """A Scalar for a region value or a Python number; a captured tensor
        must be indexed down to one element first (a rank-0 one is read)."""
        if isinstance(x, Scalar):
            return x
        if isinstance(x, TensorRef):
            if len(x.indices) == x.type.rank:
                return self.extract(x)
            raise RegionError(f"a captured tensor of rank {x.type.rank} used as a scalar "
                              f"(index it down to one element: {len(x.indices)} indices so far)")
        if isinstance(x, (bool, int, float)):
            return self.const(x, _kind_of_python(x))
        if isinstance(x, torch.Tensor) and x.dim() == 0:
            return self.const(x.item(), _kind_of_dtype(x.dtype))
        raise RegionError(f"a {type(x).__name__} where a scalar is expected")

    def to_f32(self, x):
        if isinstance(x, (bool, int, float)):
            return self.const(x, F32)
        x = self.value(x)
        if x.type == F32:
            return x
        if x.const is not None:
            return self.const(float(x.const), F32)
        if x.type == I1:
            return self.emit(f"arith.uitofp {x} : i1 to f32", F32)
        wide = self.emit(f"arith.index_cast {x} : index to i64", "i64")
        return self.emit(f"arith.sitofp {wide} : i64 to f32", F32)

    def to_index(self, x):
        if isinstance(x, (bool, int, float)):
            return self.const(int(x), INDEX)
        x = self.value(x)
        if x.type == INDEX:
            return x
        if x.const is not None:
            return self.const(int(x.const), INDEX)
        if x.type == I1:
            wide = self.emit(f"arith.extui {x} : i1 to i64", "i64")
        else:  # toward zero, as torch's float -> int casts
            wide = self.emit(f"arith.fptosi {x} : f32 to i64", "i64")
        return self.emit(f"arith.index_cast {wide} : i64 to index", INDEX)

    def to_i1(self, x):
        if isinstance(x, (bool, int, float)):
            return self.const(bool(x), I1)
        x = self.value(x)
        if x.type == I1:
            return x
        if x.const is not None:
            return self.const(bool(x.const), I1)
        if x.type == INDEX:
            return self.emit(f"arith.cmpi ne, {x}, {self.const(0, INDEX)} : index", I1)
        return self.emit(f"arith.cmpf une, {x}, {self.const(0.0, F32)} : f32", I1)

    def to_kind(self, x, kind):
        return {F32: self.to_f32, INDEX: self.to_index, I1: self.to_i1}[kind](x)

    def _kind(self, x):
        if isinstance(x, Scalar):
            return x.type
        if isinstance(x, TensorRef):
            return _kind_of_dtype(x.type.dtype)
        if isinstance(x, torch.Tensor):
            return _kind_of_dtype(x.dtype)
        return _kind_of_python(x)

    def _common(self, *xs, allow_i1=False):
        """torch's promotion over region values and Python numbers: any
        float makes f32, else any integer makes index, else i1 (or index
        when booleans must be numbers)."""
        kinds = [self._kind(x) for x in xs]
        if F32 in kinds:
            return F32
        if INDEX in kinds or not allow_i1:
            return INDEX
        return I1

    def _fold(self, xs, fn, kind):
        values = [self.value(x) if not isinstance(x, (bool, int, float)) else x for x in xs]
        consts = [v if isinstance(v, (bool, int, float)) else v.const for v in values]
        if any(c is None for c in consts):
            return None
        try:
            result = fn(*consts)
        except (ArithmeticError, ValueError):
            return None
        if isinstance(result, float) and not math.isfinite(result) and kind != F32:
            return None
        return self.const(result, kind)

    # -- arithmetic -------------------------------------------------------------

    def arith(self, op, a, b):
        """add, sub, mul (torch's promotion; booleans count as integers)."""
        kind = self._common(a, b)
        fold = self._fold((a, b), getattr(operator, op), kind)
        if fold is not None:
            return fold
        a, b = self.to_kind(a, kind), self.to_kind(b, kind)
        suffix = "f" if kind == F32 else "i"
        return self.emit(f"arith.{op}{suffix} {a}, {b} : {kind}", kind)

    def truediv(self, a, b):
        fold = self._fold((a, b), lambda x, y: float(x) / float(y), F32)
        if fold is not None:
            return fold
        return self.emit(f"arith.divf {self.to_f32(a)}, {self.to_f32(b)} : f32", F32)

    def floordiv(self, a, b):
        kind = self._common(a, b)
        if kind == F32:
            return self.unary("floor", self.truediv(a, b))
        fold = self._fold((a, b), operator.floordiv, INDEX)
        if fold is not None:
            return fold
        return self.emit(f"arith.floordivsi {self.to_index(a)}, {self.to_index(b)} : index", INDEX)

    def truncdiv(self, a, b):
        kind = self._common(a, b)
        if kind == F32:
            return self.unary("trunc", self.truediv(a, b))
        return self.emit(f"arith.divsi {self.to_index(a)}, {self.to_index(b)} : index", INDEX)

    def remainder(self, a, b, python=True):
        """torch.remainder (the sign of the divisor, as Python's %) or, with
        python=False, torch.fmod (the sign of the dividend)."""
        kind = self._common(a, b)
        a, b = self.to_kind(a, kind), self.to_kind(b, kind)
        op = "arith.remf" if kind == F32 else "arith.remsi"
        r = self.emit(f"{op} {a}, {b} : {kind}", kind)
        if not python:
            return r
        zero = self.const(0, kind)
        nonzero = self.compare("ne", r, zero)
        differ = self.bitwise("xor", self.compare("lt", r, zero), self.compare("lt", b, zero))
        fix = self.bitwise("and", nonzero, differ)
        return self.select(fix, self.arith("add", r, b), r)

    def neg(self, a):
        a = self.value(a)
        if a.type == F32:
            if a.const is not None:
                return self.const(-a.const, F32)
            return self.emit(f"arith.negf {a} : f32", F32)
        return self.arith("sub", 0, a)

    def absolute(self, a):
        a = self.value(a)
        if a.type == F32:
            return self.unary("absf", a)
        a = self.to_index(a)
        return self.select(self.compare("lt", a, 0), self.neg(a), a)

    def power(self, a, b):
        if isinstance(b, Scalar) and b.const is not None:
            b = b.const
        small = isinstance(b, (int, float)) and not isinstance(b, bool) and float(b).is_integer()
        if small and 0 <= b <= 16:
            kind = self._common(a, b)
            result = self.const(1, kind)
            for _ in range(int(b)):
                result = self.arith("mul", result, a)
            return result
        if b == 0.5:
            return self.unary("sqrt", a)
        if isinstance(a, (int, float)) and a == 2:
            return self.unary("exp2", b)
        return self.emit(f"math.powf {self.to_f32(a)}, {self.to_f32(b)} : f32", F32)

    _FLOAT_PREDICATES = {
        "lt": "olt", "le": "ole", "gt": "ogt", "ge": "oge", "eq": "oeq", "ne": "une"}
    _INT_PREDICATES = {"lt": "slt", "le": "sle", "gt": "sgt", "ge": "sge", "eq": "eq", "ne": "ne"}

    def compare(self, pred, a, b):
        kind = self._common(a, b, allow_i1=pred in ("eq", "ne"))
        python = {"lt": operator.lt, "le": operator.le, "gt": operator.gt, "ge": operator.ge,
                  "eq": operator.eq, "ne": operator.ne}[pred]
        fold = self._fold((a, b), python, I1)
        if fold is not None:
            return fold
        a, b = self.to_kind(a, kind), self.to_kind(b, kind)
        if kind == F32:
            return self.emit(f"arith.cmpf {self._FLOAT_PREDICATES[pred]}, {a}, {b} : f32", I1)
        return self.emit(f"arith.cmpi {self._INT_PREDICATES[pred]}, {a}, {b} : {kind}", I1)

    def bitwise(self, op, a, b):
        """and / or / xor: of booleans, or of integers."""
        kind = self._common(a, b, allow_i1=True)
        if kind == F32:
            raise RegionError(f"bitwise {op} of floating-point values")
        python = {"and": operator.and_, "or": operator.or_, "xor": operator.xor}[op]
        fold = self._fold((a, b), python, kind)
        if fold is not None:
            return fold
        a, b = self.to_kind(a, kind), self.to_kind(b, kind)
        return self.emit(f"arith.{op}i {a}, {b} : {kind}", kind)

    def logical(self, op, a, b):
        return self.bitwise(op, self.to_i1(a), self.to_i1(b))

    def invert(self, a):
        a = self.value(a)
        if a.type == F32:
            raise RegionError("bitwise not of a floating-point value")
        if a.const is not None:
            return self.const(not a.const if a.type == I1 else ~a.const, a.type)
        ones = self.const(True, I1) if a.type == I1 else self.const(-1, INDEX)
        return self.emit(f"arith.xori {a}, {ones} : {a.type}", a.type)

    def logical_not(self, a):
        return self.invert(self.to_i1(a))

    def select(self, cond, a, b):
        cond = self.to_i1(cond)
        kind = self._common(a, b, allow_i1=True)
        a, b = self.to_kind(a, kind), self.to_kind(b, kind)
        if cond.const is not None:
            return a if cond.const else b
        return self.emit(f"arith.select {cond}, {a}, {b} : {kind}", kind)

    def extreme(self, which, a, b):
        """minimum / maximum (NaN-propagating on floats, as torch's)."""
        kind = self._common(a, b, allow_i1=True)
        a, b = self.to_kind(a, kind), self.to_kind(b, kind)
        if kind == F32:
            return self.emit(f"arith.{which}imumf {a}, {b} : f32", F32)
        if kind == I1:
            return self.bitwise("and" if which == "min" else "or", a, b)
        return self.emit(f"arith.{which}si {a}, {b} : index", INDEX)

    # math dialect ops of one f32 operand, by torch's name
    _MATH = {
        "tanh": "tanh", "exp": "exp", "exp2": "exp2", "log": "log", "log2": "log2",
        "log10": "log10", "log1p": "log1p", "expm1": "expm1", "sqrt": "sqrt", "rsqrt": "rsqrt",
        "sin": "sin", "cos": "cos", "tan": "tan", "atan": "atan", "erf": "erf", "floor": "floor",
        "ceil": "ceil", "round": "roundeven", "trunc": "trunc", "absf": "absf",
    }

    def unary(self, name, a):
        a = self.value(a)
        if name in ("floor", "ceil", "round", "trunc") and a.type != F32:
            return a
        if name == "sigmoid":
            e = self.unary("exp", self.neg(self.to_f32(a)))
            return self.truediv(1.0, self.arith("add", 1.0, e))
        if name == "sign":
            kind = F32 if a.type == F32 else INDEX
            pos = self.select(self.compare("gt", a, 0), self.const(1, kind), self.const(0, kind))
            return self.select(self.compare("lt", a, 0), self.const(-1, kind), pos)
        if name == "relu":
            return self.extreme("max", a, 0.0 if a.type == F32 else 0)
        if name == "square":
            return self.arith("mul", a, a)
        if name == "reciprocal":
            return self.truediv(1.0, a)
        a = self.to_f32(a)
        if a.const is not None and name in ("exp", "log", "sqrt", "tanh", "floor", "ceil", "trunc"):
            try:
                return self.const(getattr(math, name)(a.const), F32)
            except (ValueError, OverflowError):
                pass
        return self.emit(f"math.{self._MATH[name]} {a} : f32", F32)

    # -- captured tensors ---------------------------------------------------------

    def index(self, ref, items):
        """`ref[items...]`: indices of the next dimensions (ints or index
        values); the element is read once every dimension is indexed."""
        if not isinstance(ref, TensorRef):
            raise RegionError("indexing a value that is not a captured tensor")
        indices = list(ref.indices)
        for item in items:
            if item is None or item is Ellipsis or isinstance(item, slice):
                raise RegionError("slices, None and ... in an index (read one element: t[i, j])")
            if isinstance(item, TensorRef):
                item = self.value(item)
            indices.append(self.to_index(item))
        if len(indices) > ref.type.rank:
            raise RegionError(
                f"{len(indices)} indices into a captured tensor of rank {ref.type.rank}")
        ref = TensorRef(ref.slot, ref.type, indices)
        return self.extract(ref) if len(indices) == ref.type.rank else ref

    def extract(self, ref):
        """Reads one element of a captured tensor, as f32, index or i1."""
        t = ref.type
        indices = ", ".join(str(i) for i in ref.indices)
        key = (ref.slot, indices)
        if key in self._extracts:
            return self._extracts[key]
        element = element_type(t.dtype)
        raw = self.emit(f"tensor.extract {self.capture_name(ref.slot)}[{indices}] : {t}", element)
        if t.dtype == torch.bool:
            result = Scalar(raw.name, I1)
        elif t.dtype.is_floating_point:
            op = "arith.truncf" if element == "f64" else "arith.extf"
            result = raw if element == "f32" else self.emit(f"{op} {raw} : {element} to f32", F32)
        else:
            result = self.emit(f"arith.index_cast {raw} : {element} to index", INDEX)
        if result.type == F32 and element == "f32":
            result = Scalar(raw.name, F32)
        self._extracts[key] = result
        return result


# --------------------------------------------------------------------------
# FX graphs of score_mod / mask_mod -> region text


_ALIASES = {
    "truediv": "div", "true_divide": "div", "divide": "div", "floor_divide": "floordiv",
    "mod": "remainder", "subtract": "sub", "multiply": "mul", "negative": "neg", "absolute": "abs",
    "less": "lt", "less_equal": "le", "greater": "gt", "greater_equal": "ge", "not_equal": "ne",
    "and_": "bitwise_and", "or_": "bitwise_or", "xor": "bitwise_xor", "invert": "bitwise_not",
    "__and__": "bitwise_and", "__or__": "bitwise_or", "__xor__": "bitwise_xor",
    "__invert__": "bitwise_not",
    "__getitem__": "getitem", "clip": "clamp", "fmax": "maximum", "fmin": "minimum",
    "_to_copy": "to", "convert_element_type": "to", "type": "to",
    "clone": "identity", "detach": "identity", "contiguous": "identity", "alias": "identity",
    "lift_fresh_copy": "identity", "positive": "identity", "pos": "identity",
    "view": "scalar_view", "reshape": "scalar_view", "expand": "scalar_view",
    "squeeze": "scalar_view",
    "unsqueeze": "scalar_view", "flatten": "scalar_view", "item": "scalar_view",
    "_local_scalar_dense": "scalar_view",
}
_DTYPE_METHODS = {
    "float": torch.float32, "double": torch.float64, "half": torch.float16,
    "bfloat16": torch.bfloat16, "int": torch.int32, "long": torch.int64, "short": torch.int16,
    "char": torch.int8, "byte": torch.uint8,
    "bool": torch.bool,
}


def _target_name(node):
    """The canonical name of a node's operation: `add` for operator.add,
    torch.add, Tensor.add and aten.add.Tensor alike."""
    target = node.target
    if node.op == "call_method":
        name = target
    elif isinstance(target, torch._ops.OpOverload):
        name = target._schema.name.split("::")[-1]
    elif isinstance(target, torch._ops.OpOverloadPacket):
        name = target._qualified_op_name.split("::")[-1]
    else:
        name = getattr(target, "__name__", str(target))
    if name.endswith("_") and not name.endswith("__") and name not in ("and_", "or_"):
        name = name[:-1]  # in-place variants compute the same value
    return _ALIASES.get(name, name)


def _dtype_of(args, kwargs):
    dtype = kwargs.get("dtype")
    if dtype is None:
        dtype = next((a for a in args if isinstance(a, torch.dtype)), None)
    return dtype


def _apply(region, name, args, kwargs):
    """One node of a mod graph, in the region."""
    r = region
    if name.startswith("_assert"):  # metadata checks of export graphs
        return None
    if name in ("add", "sub", "mul"):
        a, b = args[0], args[1]
        alpha = kwargs.get("alpha", args[2] if len(args) > 2 else 1)
        if alpha != 1:
            b = r.arith("mul", b, alpha)
        return r.arith(name, a, b)
    if name == "rsub":
        alpha = kwargs.get("alpha", args[2] if len(args) > 2 else 1)
        b = args[0] if alpha == 1 else r.arith("mul", args[0], alpha)
        return r.arith("sub", args[1], b)
    if name == "div":
        mode = kwargs.get("rounding_mode", args[2] if len(args) > 2 else None)
        if mode == "floor":
            return r.floordiv(args[0], args[1])
        if mode == "trunc":
            return r.truncdiv(args[0], args[1])
        return r.truediv(args[0], args[1])
    if name == "floordiv":
        return r.floordiv(args[0], args[1])
    if name in ("remainder", "fmod"):
        return r.remainder(args[0], args[1], python=name == "remainder")
    if name == "neg":
        return r.neg(args[0])
    if name == "abs":
        return r.absolute(args[0])
    if name == "pow":
        return r.power(args[0], args[1])
    if name in ("lt", "le", "gt", "ge", "eq", "ne"):
        return r.compare(name, args[0], args[1])
    if name in ("bitwise_and", "bitwise_or", "bitwise_xor"):
        return r.bitwise(name[len("bitwise_"):], args[0], args[1])
    if name in ("logical_and", "logical_or", "logical_xor"):
        return r.logical(name[len("logical_"):], args[0], args[1])
    if name == "bitwise_not":
        return r.invert(args[0])
    if name == "logical_not":
        return r.logical_not(args[0])
    if name == "where":
        return r.select(args[0], args[1], args[2])
    if name in ("minimum", "maximum", "min", "max"):
        reduction = name in ("min", "max") and (
            len(args) != 2 or type(args[1]) is int or "dim" in kwargs)
        if reduction:
            raise RegionError(f"{name} over a dimension (a mod computes one element)")
        return r.extreme(name[:3], args[0], args[1])
    if name in ("clamp", "clamp_min", "clamp_max"):
        x = args[0]
        lo = kwargs.get("min", args[1] if len(args) > 1 else None) if name != "clamp_max" else None
        hi = kwargs.get("max", args[2] if len(args) > 2 else None) if name == "clamp" else None
        if name == "clamp_max":
            hi = kwargs.get("max", args[1] if len(args) > 1 else None)
        if lo is not None:
            x = r.extreme("max", x, lo)
        if hi is not None:
            x = r.extreme("min", x, hi)
        return x
    if name in Region._MATH or name in ("sigmoid", "sign", "relu", "square", "reciprocal"):
        return r.unary(name, args[0])
    if name in ("to", "type_as") or name in _DTYPE_METHODS:
        x = args[0]
        if name in _DTYPE_METHODS:
            dtype = _DTYPE_METHODS[name]
        elif name == "type_as":
            return r.to_kind(x, r._kind(args[1]))
        else:
            dtype = _dtype_of(args[1:], kwargs)
            other = next((a for a in args[1:] if isinstance(a, (Scalar, TensorRef))), None)
            if dtype is None and other is not None:
                return r.to_kind(x, r._kind(other))
        return r.value(x) if dtype is None else r.to_kind(x, _kind_of_dtype(dtype))
    if name == "identity":
        return args[0] if isinstance(args[0], TensorRef) else r.value(args[0])
    if name == "scalar_view":  # views of one element are the element
        return r.value(args[0])
    if name in ("ones_like", "zeros_like", "full_like", "new_ones", "new_zeros", "new_full", "full",
                "scalar_tensor"):
        if name == "full_like":
            value = kwargs.get("fill_value", args[1] if len(args) > 1 else None)
        elif name == "new_full":
            value = kwargs.get("fill_value", args[2] if len(args) > 2 else None)
        elif name == "full":
            value = kwargs.get("fill_value", args[1] if len(args) > 1 else None)
        elif name == "scalar_tensor":
            value = args[0]
        else:
            value = 1 if "ones" in name else 0
        size = None
        if name in ("new_ones", "new_zeros", "new_full"):
            size = kwargs.get("size", args[1] if len(args) > 1 else ())
        elif name == "full":
            size = args[0] if args else kwargs.get("size")
        if size is not None and list(size) not in ([], [1]):
            raise RegionError(f"{name} of size {list(size)} (a mod computes one element)")
        dtype = _dtype_of(args[2:] if name in ("full", "new_full") else args[1:], kwargs)
        if dtype is not None:
            kind = _kind_of_dtype(dtype)
        elif name in ("full", "scalar_tensor"):
            kind = _kind_of_python(value) if not isinstance(value, Scalar) else value.type
        else:
            kind = r._kind(args[0])
        if isinstance(value, Scalar):
            return r.to_kind(value, kind)
        return r.const(value, kind)
    if name == "getitem":
        index = args[1] if isinstance(args[1], (tuple, list)) else (args[1],)
        return r.index(args[0], index)
    if name == "index":
        return r.index(args[0], list(args[1]))
    if name == "select":
        ref, dim, i = args[0], args[1], args[2]
        if not isinstance(ref, TensorRef) or dim % ref.type.rank != len(ref.indices):
            raise RegionError("select of a dimension other than the next one to index")
        return r.index(ref, [i])
    if name == "getattr":
        if args[1] == "dtype":
            return {F32: torch.float32, INDEX: torch.int64, I1: torch.bool}[r._kind(args[0])]
        if args[1] == "device":
            return None
        raise RegionError(f"the attribute .{args[1]}")
    raise RegionError("not an operation a mod can use (scalar arithmetic, comparisons, where, "
                      "math functions and reads of captured tensors)")


def convert_mod_graph(cx, region, graph, captures, what):
    """Writes the mod FX `graph` (a GraphModule or a Graph) into `region`.
    Its placeholders are (score,) b, h, q_idx, kv_idx, then one per entry of
    `captures` (each a Value, added to the op's captures). Constant tensors
    the graph reads (get_attr) are captured too."""
    module = graph if isinstance(graph, fx.GraphModule) else None
    graph = graph.graph if module is not None else graph
    placeholders = [n for n in graph.nodes if n.op == "placeholder"]
    leading = [region.b, region.h, region.q, region.kv]
    if region.score is not None:
        leading.insert(0, region.score)
    if len(placeholders) != len(leading) + len(captures):
        raise cx.unsupported(
            f"{what} takes {len(placeholders)} arguments; expected {len(leading)} and "
            f"{len(captures)} captured tensors")
    env = {}
    for node, value in zip(placeholders, leading):
        env[node] = value
    for node, value in zip(placeholders[len(leading):], captures):
        env[node] = _capture_ref(cx, region, value)
    result = None
    for node in graph.nodes:
        if node.op == "placeholder":
            continue
        try:
            if node.op == "output":
                result = fx.node.map_arg(node.args[0], lambda n: env[n])
                while isinstance(result, (tuple, list)):
                    result = result[0]
                continue
            if node.op == "get_attr":
                value = module
                for part in node.target.split("."):
                    value = getattr(value, part)
                if isinstance(value, torch.Tensor) and value.dim() > 0:
                    value = _capture_ref(cx, region, cx.constant(value))
                env[node] = value
                continue
            if node.op not in ("call_function", "call_method"):
                raise RegionError(f"a {node.op} node")
            args = fx.node.map_arg(node.args, lambda n: env[n])
            kwargs = fx.node.map_arg(node.kwargs, lambda n: env[n])
            env[node] = _apply(region, _target_name(node), args, kwargs)
        except RegionError as e:
            target = describe_target(node.target) if node.op != "output" else "its result"
            raise cx.unsupported(
                f"{what} uses {target}: {e}",
                "a mod is compiled into the attention kernel as scalar code") from None
    region.finish(result)
    return region


def _capture_ref(cx, region, value):
    if not isinstance(value, Value):
        return value  # a Python number the program computed
    if value.is_dynamic_int:
        value = cx.tensor(value)  # a size: tensor<1xi64> -> tensor<i64>
    slot = region.flex.capture(value)
    return TensorRef(slot, region.flex.captures[slot].type)


# --------------------------------------------------------------------------
# The op


class Flex:
    """One attn.flex being built: its captured tensors and regions."""

    def __init__(self, cx):
        count = getattr(cx, "_flex_ops", 0)
        cx._flex_ops = count + 1
        self.cx = cx
        self.prefix = f"f{count}"
        self.captures = []
        self._slots = {}
        self.score_mod = Region(self, "score_mod")
        self.mask_mod = Region(self, "mask_mod")

    def capture(self, value):
        """The slot of captured tensor `value` (added once). Unsigned bytes
        are read as i32 (arith has no unsigned integers)."""
        key = id(value)
        if key not in self._slots:
            if value.type.dtype == torch.uint8:
                value = self.cx.cast(value, torch.int32)
            element_type(value.type.dtype)
            self._slots[key] = len(self.captures)
            self.captures.append(value)
        return self._slots[key]

    def emit(self, q, k, v, scale, out_type, lse_type=None):
        """Appends the op; returns the output Value, or (output, lse)."""
        cx = self.cx
        dtype = out_type.dtype
        if dtype not in LOWERED_DTYPES:
            q, k, v = (cx.cast(t, torch.float32) for t in (q, k, v))
            out_type = out_type.with_dtype(torch.float32)
        result = self._emit(q, k, v, scale, out_type, lse_type)
        if dtype not in LOWERED_DTYPES:
            if lse_type is None:
                return cx.cast(result, dtype)
            return (cx.cast(result[0], dtype), result[1])
        return result

    def _emit(self, q, k, v, scale, out_type, lse_type):
        cx = self.cx
        operands = f"{q.name}, {k.name}, {v.name}"
        if self.captures:
            names = ", ".join(c.name for c in self.captures)
            types = ", ".join(str(c.type) for c in self.captures)
            operands += f" captures({names} : {types})"
        results = f"{out_type}" + (f", {lse_type}" if lse_type is not None else "")
        text = (f"attn.flex {operands} scale {float(scale):.17e} : {q.type}, {k.type}, {v.type} "
                f"-> {results}")
        indent = "      "
        if not self.score_mod.is_trivial():
            text += " score_mod " + self.score_mod.text(indent)
        if not self.mask_mod.is_trivial():
            text += " mask_mod " + self.mask_mod.text(indent)
        if lse_type is None:
            return cx.builder.custom_op(out_type, text)
        return tuple(cx.builder.custom_op([out_type, lse_type], text))


# The element types dense attention (MultiheadAttention, SDPA) becomes
# attn.flex for (float64 keeps its decomposition, computed in float64).
FLEX_DTYPES = (torch.float32, torch.float16, torch.bfloat16)

# The element types attn.flex is emitted with: the CPU lowering takes f32
# only, so other inputs are cast to f32 around the op. For f16 and bf16 this
# is what a native kernel computes (scores, softmax and the weighted sum in
# f32, the output rounded once); widen this once the lowerings take them.
LOWERED_DTYPES = (torch.float32,)


def output_types(q, v, dtype=None):
    dims = list(q.type.dims[:3]) + [v.type.dims[3]]
    return TensorType(dtype or q.type.dtype, dims), TensorType(torch.float32, dims[:3])


def default_scale(cx, q):
    head_dim = q.type.dims[-1]
    if not isinstance(head_dim, int):
        raise cx.unsupported("attention with a dynamic head dimension and no scale")
    return 1.0 / math.sqrt(head_dim)


# --------------------------------------------------------------------------
# Dense attention (MultiheadAttention, scaled_dot_product_attention)


class Mask:
    """A mask operand of dense attention: `value` (a Value), the FX node
    it comes from (for the causal check; None when not known), whether a
    boolean True means `keep` (SDPA) or masked out (MultiheadAttention),
    and `axes`: which of b, h, q, kv each of its dimensions follows."""

    def __init__(self, value, node, true_keeps, axes):
        self.value = value
        self.node = node
        self.true_keeps = true_keeps
        self.axes = axes


def dense_attention(cx, q, k, v, scale, out_type, causal=False, masks=()):
    """attn.flex for softmax(scale * q @ k^T (+ masks)) @ v with q, k, v
    [B, H, L, D]: a causal flag or a causal mask becomes a mask_mod on the
    indices; other boolean masks are read in mask_mod, float masks added in
    score_mod."""
    flex = Flex(cx)
    keep = None
    score = flex.score_mod.score
    if causal:
        keep = _causal(flex.mask_mod, 0)
    for mask in masks:
        offset = causal_offset(cx, mask)
        if offset == "all":
            continue
        if offset is not None:
            c = _causal(flex.mask_mod, offset)
            keep = c if keep is None else flex.mask_mod.bitwise("and", keep, c)
            continue
        value = mask.value
        region = flex.mask_mod if value.type.dtype in (torch.bool, torch.uint8) else flex.score_mod
        if value.type.dtype == torch.uint8:
            value = cx.cast(value, torch.bool)
        ref = TensorRef(flex.capture(value), value.type)
        indices = []
        for dim, axis in zip(value.type.dims, mask.axes):
            if axis is None or dim == 1:
                indices.append(0)
            else:
                indices.append(getattr(region, axis))
        element = region.index(ref, indices) if indices else region.value(ref)
        if region is flex.score_mod:
            score = region.arith("add", score, element)
        else:
            element = element if mask.true_keeps else region.invert(element)
            keep = element if keep is None else region.bitwise("and", keep, element)
    if score is not flex.score_mod.score:
        flex.score_mod.finish(score)
    if keep is not None:
        flex.mask_mod.finish(keep)
    return flex.emit(q, k, v, scale, out_type)


def _causal(region, offset):
    """kv_idx <= q_idx + offset (offset 0: q_idx >= kv_idx)."""
    bound = region.q if offset == 0 else region.arith("add", region.q, offset)
    return region.compare("ge", bound, region.kv)


def mask_axes(rank, layout):
    """The axes of a mask of `rank` broadcast against `layout` (the
    attention's dims, e.g. ("b", "h", "q", "kv")), aligned right."""
    if rank > len(layout):
        return None
    return tuple(layout[len(layout) - rank:])


# -- is a mask a causal triangle? ------------------------------------------------

_SHAPE_ONLY = {
    "new_ones", "new_zeros", "new_full", "new_empty", "zeros_like", "ones_like", "full_like",
    "empty_like", "size", "dim", "numel", "sym_size", "sym_numel",
}
_RANDOM = {"rand", "randn", "rand_like", "randn_like", "randint", "bernoulli", "dropout", "normal",
           "uniform", "multinomial", "native_dropout"}


def _independent(cx, node, memo):
    """Whether `node`'s value depends on no input data and no trainable
    parameter (only on constants, buffers and sizes)."""
    if node in memo:
        return memo[node]
    memo[node] = False
    parameters = cx.captured.parameters
    if node.op in ("placeholder", "get_attr"):
        entry = parameters.get(node)
        ok = entry is not None and isinstance(entry[1], torch.Tensor) and not isinstance(
            entry[1], torch.nn.Parameter)
    elif node.op in ("call_function", "call_method"):
        name = _target_name(node)
        inputs = list(node.all_input_nodes)
        if name in _SHAPE_ONLY and node.args and isinstance(node.args[0], fx.Node):
            inputs = [n for n in inputs if n is not node.args[0]] + [
                n for a in node.args[1:] for n in _nodes_in(a)]
        ok = name not in _RANDOM and all(_independent(cx, n, memo) for n in inputs)
    else:
        ok = False
    memo[node] = ok
    return ok


def _nodes_in(arg):
    found = []
    fx.node.map_arg(arg, found.append)
    return found


def _values(cx, node):
    """The values of `node` in the capture's runs (one per run), when known."""
    if node is None:
        return None
    if "ddl_values" in node.meta:
        return node.meta["ddl_values"]
    entry = cx.captured.parameters.get(node)
    if entry is not None:
        return [entry[1]]
    return _evaluate(cx, node, {}, [0])


def _evaluate(cx, node, memo, budget):
    """Evaluates a small data-independent subgraph (torch.export graphs
    carry no example values) on static sizes; None when it cannot."""
    if node in memo:
        return memo[node]
    budget[0] += 1
    if budget[0] > 64:
        return None
    result = None
    entry = cx.captured.parameters.get(node)
    if entry is not None:
        result = [entry[1]]
    elif node.op == "placeholder":
        val = node.meta.get("val")
        if isinstance(val, torch.Tensor) and all(isinstance(s, int) for s in val.shape):
            result = [torch.zeros(tuple(val.shape), dtype=val.dtype)]  # read for its shape only
    elif node.op == "call_function":
        values = {}
        for n in node.all_input_nodes:
            v = _evaluate(cx, n, memo, budget)
            if v is None:
                memo[node] = None
                return None
            values[n] = v[0]
        try:
            args = fx.node.map_arg(node.args, lambda n: values[n])
            kwargs = dict(fx.node.map_arg(node.kwargs, lambda n: values[n]))
            if "device" in kwargs:
                kwargs["device"] = "cpu"
            result = [node.target(*args, **kwargs)]
        except Exception:
            result = None
    memo[node] = result
    return result


def causal_offset(cx, mask):
    """For a mask that depends on no data and is, in every run, a lower
    triangle `kv <= q + d` broadcast over its other dims: d. "all" for a
    mask that keeps everything; None otherwise."""
    node = mask.node
    if node is None or not _independent(cx, node, {}):
        return None
    values = _values(cx, node)
    if not values:
        return None
    offsets = set()
    for value in values:
        if not isinstance(value, torch.Tensor) or value.dim() < 2:
            return None
        keep = _keep_matrix(value, mask.true_keeps)
        if keep is None:
            return None
        rows, cols = keep.shape
        if bool(keep.all()):
            offsets.add("all")
            continue
        row0 = int(keep[0].sum()) - 1
        if not torch.equal(keep, torch.ones(rows, cols, dtype=torch.bool).tril(row0)):
            return None
        offsets.add(row0)
    return offsets.pop() if len(offsets) == 1 else None


def _keep_matrix(value, true_keeps):
    value = value.detach().cpu()
    flat = value.reshape(-1, value.shape[-2], value.shape[-1])
    if not all(torch.equal(flat[0], flat[i]) for i in range(1, flat.shape[0])):
        return None
    m = flat[0]
    if m.dtype == torch.bool or m.dtype == torch.uint8:
        m = m.bool()
        return m if true_keeps else ~m
    if not m.dtype.is_floating_point:
        return None
    if not bool(((m == 0) | (m == float("-inf"))).all()):
        return None
    return m == 0


# --------------------------------------------------------------------------
# ddl.attention.flex_attention


def arg_node(node, fn, name):
    """The FX node (or constant) passed as parameter `name` of Python
    function `fn` at `node`."""
    try:
        bound = inspect.signature(fn).bind(*node.args, **node.kwargs)
    except (TypeError, ValueError):
        return None
    value = bound.arguments.get(name)
    return value if isinstance(value, fx.Node) else None


def tuple_output_used(node, index=1):
    """Whether output `index` of a node returning a tuple is read."""
    for user in node.users:
        if user.op == "call_function" and user.target is operator.getitem and user.args[1] == index:
            if user.users:
                return True
        elif not (user.op == "call_function" and user.target is operator.getitem):
            return True
    return False


@converts(attention._flex_call)
def _flex_call(cx, node, q, k, v, score_mod, score_captures, mask_mod, mask_captures, scale,
               return_lse):
    for name, t in (("query", q), ("key", k), ("value", v)):
        if t.type.rank != 4:
            raise cx.unsupported(
                f"{name} of rank {t.type.rank} (flex attention takes [B, H, S, D])")
    dtype = q.type.dtype
    if not dtype.is_floating_point:
        raise cx.unsupported(f"flex attention on {dtype} (it takes floating-point tensors)")
    flex = Flex(cx)
    if score_mod is not None:
        convert_mod_graph(cx, flex.score_mod, score_mod, score_captures, "score_mod")
    if mask_mod is not None:
        convert_mod_graph(cx, flex.mask_mod, mask_mod, mask_captures, "mask_mod")
    out_type, lse_type = output_types(q, v)
    return flex.emit(q, k, v, scale, out_type, lse_type if return_lse else None)


# --------------------------------------------------------------------------
# torch 2.x FlexAttention (the higher-order operator of torch.export graphs)


FLEX_HOP = attention.flex_hop()

# torch's flex_attention returns the operator's log-sum-exp times ln 2: the
# operator's is in base 2.
_HOP_LSE_BASE2 = True


def _graph_module(value):
    return value if isinstance(value, (fx.GraphModule, fx.Graph)) else None


def _hop_flex(cx, node, query, key, value, score_mod, block_mask, scale, kernel_options=None,
              score_mod_other_buffers=(), mask_mod_other_buffers=(), *rest):
    for name, t in (("query", query), ("key", key), ("value", value)):
        if not isinstance(t, Value) or t.type.rank != 4:
            raise cx.unsupported(f"{name} must be a 4-D tensor")
    dtype = query.type.dtype
    if not dtype.is_floating_point:
        raise cx.unsupported(f"flex attention on {dtype} (it takes floating-point tensors)")
    flex = Flex(cx)
    score_graph = _graph_module(score_mod)
    if score_graph is not None:
        convert_mod_graph(cx, flex.score_mod, score_graph, list(score_mod_other_buffers),
                          "score_mod")
    mask_graph = None
    if isinstance(block_mask, (tuple, list)) and block_mask:
        mask_graph = _graph_module(block_mask[-1])
    if mask_graph is not None:
        convert_mod_graph(cx, flex.mask_mod, mask_graph, list(mask_mod_other_buffers), "mask_mod")
    types = cx.type_of(node)
    out_type, lse_type = output_types(query, value)
    if isinstance(types, (tuple, list)) and isinstance(types[0], TensorType):
        out_type = types[0]
    count = len(types) if isinstance(types, (tuple, list)) else 2
    if any(tuple_output_used(node, i) for i in range(2, count)):
        raise cx.unsupported("FlexAttention's max_scores output")
    want_lse = tuple_output_used(node, 1)
    result = flex.emit(query, key, value, scale, out_type, lse_type if want_lse else None)
    if not want_lse:
        return (result,) + (None,) * (count - 1)
    out, lse = result
    if _HOP_LSE_BASE2:
        lse = cx.op("nn.mul", [lse, cx.scalar(1.0 / math.log(2.0), torch.float32)], lse.type)
    return (out, lse) + (None,) * (count - 2)


if FLEX_HOP is not None:
    converts(FLEX_HOP)(_hop_flex)


def prune_block_masks(graph):
    """torch.export graphs compute FlexAttention's block masks (block
    counts and indices: sorts, scatters) only for the operator; attn.flex
    needs just the mask_mod graph, so the tensors are dropped from the
    operator's arguments and the code computing them removed."""
    if FLEX_HOP is None:
        return
    changed = False
    for node in graph.nodes:
        if node.op != "call_function" or node.target is not FLEX_HOP or len(node.args) < 5:
            continue
        block_mask = node.args[4]
        if not isinstance(block_mask, (tuple, list)) or not block_mask:
            continue
        kept = tuple(None if isinstance(a, fx.Node) and i != len(block_mask) - 1 else a
                     for i, a in enumerate(block_mask))
        node.args = node.args[:4] + (kept,) + node.args[5:]
        changed = True
    if changed:
        graph.eliminate_dead_code()
