"""Converters from PyTorch operators to nn ops.

Each converter is registered for the torch function, the `Tensor` method
name and the ATen overloads that share its meaning (FX tracing on torch 1.x
and TorchDynamo record torch functions and methods; torch.export records
ATen overloads), and takes that operator's arguments.
"""

import math
import operator

import torch
import torch.nn.functional as F

from . import flex
from .convert import Raw, TensorType, Value, converts, ignores, mark_dynamic_int

aten = torch.ops.aten


def _aten(*names):
    """ATen overloads by name ("add.Tensor"); None where this torch lacks
    one (converts() skips None)."""
    result = []
    for name in names:
        packet, _, overload = name.partition(".")
        try:
            p = getattr(aten, packet)
            result.append(getattr(p, overload or "default"))
        except AttributeError:
            result.append(None)
    return result


def _f(name):
    return getattr(F, name, None)


def _torch(name):
    return getattr(torch, name, None)


def _axis(dim, rank):
    if not -max(rank, 1) <= dim < max(rank, 1):
        raise IndexError(f"dim {dim} out of range for rank {rank}")
    return dim % max(rank, 1)


def _dims(args):
    """Varargs or one sequence: view(2, 3) and view((2, 3))."""
    if len(args) == 1 and isinstance(args[0], (list, tuple, torch.Size)):
        return list(args[0])
    return list(args)


_TRAINING_ADVICE = "call model.eval() before compiling: ddl compiles inference graphs"


def _bind(node, args, kwargs):
    """An ATen node's arguments by schema name, defaults filled in."""
    bound = {}
    arguments = node.target._schema.arguments
    for i, a in enumerate(arguments):
        if i < len(args) and not a.kwarg_only:
            bound[a.name] = args[i]
        elif a.name in kwargs:
            bound[a.name] = kwargs[a.name]
        elif a.has_default_value():
            bound[a.name] = a.default_value
        else:
            bound[a.name] = None
    return bound


# --------------------------------------------------------------------------
# Elementwise


def _promoted(cx, *operands):
    """torch's type promotion over Values and Python numbers."""
    reps = []
    for x in operands:
        if isinstance(x, Value):
            reps.append(torch.empty((1,) * min(x.type.rank, 1), dtype=x.type.dtype))
        else:
            reps.append(x)
    dtype = reps[0].dtype if isinstance(reps[0], torch.Tensor) else torch.tensor(reps[0]).dtype
    for r in reps[1:]:
        first = reps[0] if isinstance(reps[0], torch.Tensor) else torch.tensor(reps[0])
        dtype = torch.result_type(torch.empty(first.shape, dtype=dtype), r)
    return dtype


def _unary(name, compute_dtype=None):
    def convert(cx, node, x, *args, **kwargs):
        out = cx.result_type()
        dtype = compute_dtype or out.dtype
        return cx.cast(cx.op(name, [cx.tensor(x, dtype)], out.with_dtype(dtype)), out.dtype)

    return convert


for _name, _nn in [
    ("relu", "nn.relu"), ("sigmoid", "nn.sigmoid"), ("tanh", "nn.tanh"), ("exp", "nn.exp"),
    ("log", "nn.log"), ("sqrt", "nn.sqrt"), ("abs", "nn.abs"), ("neg", "nn.neg"), ("erf", "nn.erf"),
    ("sin", "nn.sin"), ("cos", "nn.cos"), ("tan", "nn.tan"), ("floor", "nn.floor"), ("ceil", "nn.ceil"),
    ("round", "nn.round"), ("reciprocal", "nn.reciprocal"), ("sign", "nn.sign"), ("silu", "nn.silu"),
    ("hardswish", "nn.hard_swish"), ("mish", "nn.mish"), ("softsign", "nn.softsign"),
    ("asin", "nn.asin"), ("acos", "nn.acos"), ("atan", "nn.atan"), ("sinh", "nn.sinh"), ("cosh", "nn.cosh"),
]:
    converts(_torch(_name), _f(_name), _name, _name + "_", getattr(torch.Tensor, _name, None),
             *_aten(_name, _name + "_"))(_unary(_nn))

converts(operator.neg, *_aten("neg"))(_unary("nn.neg"))
converts(torch.logical_not, "logical_not", *_aten("logical_not"))(_unary("nn.not"))
converts(torch.isnan, "isnan", *_aten("isnan"))(
    lambda cx, node, x: cx.op("nn.is_nan", [x], cx.result_type()))
converts(torch.bitwise_not, operator.invert, "bitwise_not", *_aten("bitwise_not"))(
    lambda cx, node, x: cx.op("nn.not" if x.type.dtype == torch.bool else "nn.bitwise_not", [x], cx.result_type()))


@converts(torch.rsqrt, "rsqrt", *_aten("rsqrt"))
def _rsqrt(cx, node, x):
    out = cx.result_type()
    root = cx.op("nn.sqrt", [cx.tensor(x, out.dtype)], out)
    return cx.op("nn.reciprocal", [root], out)


@converts(torch.square, "square", *_aten("square"))
def _square(cx, node, x):
    out = cx.result_type()
    x = cx.tensor(x, out.dtype)
    return cx.op("nn.mul", [x, x], out)


def _trunc(cx, x, out):
    if not out.dtype.is_floating_point:
        return x
    return cx.op("nn.mul", [cx.op("nn.sign", [x], out), cx.op("nn.floor", [cx.op("nn.abs", [x], out)], out)], out)


def _composite_unary(fn):
    """A unary op written with other nn ops: `fn(cx, x, out)`, x cast to
    the result's type."""

    def convert(cx, node, x, *args, **kwargs):
        out = cx.result_type()
        return fn(cx, cx.tensor(x, out.dtype), out)

    return convert


def _plus(cx, x, value, out):
    return cx.op("nn.add", [x, cx.scalar(value, out.dtype)], out)


def _times(cx, x, value, out):
    return cx.op("nn.mul", [x, cx.scalar(value, out.dtype)], out)


for _name, _fn in [
    ("log1p", lambda cx, x, out: cx.op("nn.log", [_plus(cx, x, 1.0, out)], out)),
    ("expm1", lambda cx, x, out: _plus(cx, cx.op("nn.exp", [x], out), -1.0, out)),
    ("log2", lambda cx, x, out: _times(cx, cx.op("nn.log", [x], out), 1.0 / math.log(2.0), out)),
    ("log10", lambda cx, x, out: _times(cx, cx.op("nn.log", [x], out), 1.0 / math.log(10.0), out)),
    ("exp2", lambda cx, x, out: cx.op("nn.exp", [_times(cx, x, math.log(2.0), out)], out)),
    ("trunc", _trunc), ("fix", _trunc),
]:
    converts(_torch(_name), _name, _name + "_", *_aten(_name))(_composite_unary(_fn))
converts(_f("logsigmoid"), *_aten("log_sigmoid"))(_composite_unary(
    lambda cx, x, out: cx.op("nn.neg", [cx.op("nn.softplus", [cx.op("nn.neg", [x], out)], out)], out)))
converts(_f("tanhshrink"))(_composite_unary(lambda cx, x, out: cx.op("nn.sub", [x, cx.op("nn.tanh", [x], out)], out)))


@converts(torch.isinf, "isinf", *_aten("isinf"))
def _isinf(cx, node, x):
    if not x.type.dtype.is_floating_point:
        x = cx.cast(x, torch.float32)  # never infinite
    return cx.op("nn.is_inf", [x], cx.result_type())


@converts(torch.nan_to_num, "nan_to_num", *_aten("nan_to_num"))
def _nan_to_num(cx, node, x, nan=0.0, posinf=None, neginf=None):
    out = cx.result_type()
    if not out.dtype.is_floating_point:
        return x
    info = torch.finfo(out.dtype)
    bool_type = out.with_dtype(torch.bool)
    inf = cx.scalar(float("inf"), out.dtype)
    result = cx.op("nn.where", [cx.op("nn.is_nan", [x], bool_type), cx.scalar(float(nan or 0.0), out.dtype), x], out)
    result = cx.op("nn.where", [cx.op("nn.equal", [x, inf], bool_type),
                                cx.scalar(info.max if posinf is None else float(posinf), out.dtype), result], out)
    return cx.op("nn.where", [cx.op("nn.equal", [x, cx.op("nn.neg", [inf], inf.type)], bool_type),
                              cx.scalar(info.min if neginf is None else float(neginf), out.dtype), result], out)


@converts(_f("gelu"), *_aten("gelu"))
def _gelu(cx, node, x, approximate="none"):
    if approximate not in ("none", "tanh"):
        raise cx.unsupported(f"approximate={approximate!r}")
    return cx.op("nn.gelu", [x], cx.result_type(), {"approximate": Raw(f"#nn.gelu_approximation<{approximate}>")})


@converts(_f("hardsigmoid"), *_aten("hardsigmoid"))
def _hardsigmoid(cx, node, x, inplace=False):
    return cx.op("nn.hard_sigmoid", [x], cx.result_type(), {"alpha": 1.0 / 6.0, "beta": 0.5})


@converts(_f("hardtanh"), *_aten("hardtanh", "hardtanh_"))
def _hardtanh(cx, node, x, min_val=-1.0, max_val=1.0, inplace=False):
    return _clip(cx, x, min_val, max_val)


@converts(_f("relu6"), *_aten("relu6"))
def _relu6(cx, node, x, inplace=False):
    return _clip(cx, x, 0.0, 6.0)


def _clip(cx, x, lo, hi):
    out = cx.result_type()
    x = cx.tensor(x, out.dtype)
    operands, syntax = [x], "{0}"
    if lo is not None:
        operands.append(cx.tensor(lo, out.dtype))
        syntax += " min {%d}" % (len(operands) - 1)
    if hi is not None:
        operands.append(cx.tensor(hi, out.dtype))
        syntax += " max {%d}" % (len(operands) - 1)
    if len(operands) == 1:
        return x
    if any(o.type.rank for o in operands[1:]):
        # Tensor bounds: elementwise max/min (clip takes scalars).
        result = x
        if lo is not None:
            result = cx.op("nn.max", [result, operands[1]], out)
        if hi is not None:
            result = cx.op("nn.min", [result, operands[-1]], out)
        return result
    return cx.op("nn.clip", operands, out, syntax=syntax)


@converts(torch.clamp, torch.clip, "clamp", "clip", "clamp_", *_aten("clamp", "clamp.Tensor", "clip"))
def _clamp(cx, node, x, min=None, max=None):
    return _clip(cx, x, min, max)


@converts(torch.clamp_min, "clamp_min", "clamp_min_", *_aten("clamp_min", "clamp_min.Tensor"))
def _clamp_min(cx, node, x, min):
    return _clip(cx, x, min, None)


@converts(torch.clamp_max, "clamp_max", "clamp_max_", *_aten("clamp_max", "clamp_max.Tensor"))
def _clamp_max(cx, node, x, max):
    return _clip(cx, x, None, max)


@converts(_f("leaky_relu"), *_aten("leaky_relu"))
def _leaky_relu(cx, node, x, negative_slope=0.01, inplace=False):
    return cx.op("nn.leaky_relu", [x], cx.result_type(), {"alpha": float(negative_slope)})


@converts(_f("elu"), *_aten("elu"))
def _elu(cx, node, x, alpha=1.0, inplace=False, *rest):
    return cx.op("nn.elu", [x], cx.result_type(), {"alpha": float(alpha)})


@converts(_f("softplus"), *_aten("softplus"))
def _softplus(cx, node, x, beta=1.0, threshold=20.0):
    # softplus(beta * x) / beta; torch's switch to x above `threshold`
    # matches log(1 + e^y) to float precision.
    out = cx.result_type()
    if beta == 1:
        return cx.op("nn.softplus", [x], out)
    scaled = cx.op("nn.mul", [x, cx.scalar(float(beta), out.dtype)], out)
    y = cx.op("nn.softplus", [scaled], out)
    return cx.op("nn.div", [y, cx.scalar(float(beta), out.dtype)], out)


@converts(_f("selu"), *_aten("selu"))
def _selu(cx, node, x, inplace=False):
    return cx.op("nn.selu", [x], cx.result_type(), {"alpha": 1.6732632423543772, "gamma": 1.0507009873554805})


@converts(_f("celu"), *_aten("celu"))
def _celu(cx, node, x, alpha=1.0, inplace=False):
    return cx.op("nn.celu", [x], cx.result_type(), {"alpha": float(alpha)})


@converts(torch.prelu, _f("prelu"), *_aten("prelu", "_prelu_kernel"))
def _prelu(cx, node, x, weight):
    # The slope runs along dim 1 (the channels).
    if x.type.rank > 2 and weight.type.rank == 1:
        dims = list(weight.type.dims) + [1] * (x.type.rank - 2)
        weight = cx.reshape(weight, dims, weight.type.with_dims(dims))
    return cx.op("nn.prelu", [x, weight], cx.result_type())


@converts(_f("threshold"), _f("_threshold"), *_aten("threshold"))
def _threshold(cx, node, x, threshold, value, inplace=False):
    out = cx.result_type()
    above = cx.op("nn.greater", [x, cx.scalar(threshold, out.dtype)], out.with_dtype(torch.bool))
    return cx.op("nn.where", [above, x, cx.scalar(value, out.dtype)], out)


@converts(_f("glu"), *_aten("glu"))
def _glu(cx, node, x, dim=-1):
    out = cx.result_type()
    axis = _axis(dim, x.type.rank)
    a, b = cx.op("nn.split", [x], [out, out], {"axis": axis, "num_outputs": 2})
    return cx.op("nn.mul", [a, cx.op("nn.sigmoid", [b], out)], out)


def _binary(name):
    def convert(cx, node, a, b, *args, alpha=1, rounding_mode=None, **kwargs):
        out = cx.result_type()
        if args:
            alpha = args[0]
        a, b = cx.tensor(a, out.dtype), cx.tensor(b, out.dtype)
        if alpha != 1:
            b = cx.op("nn.mul", [b, cx.scalar(alpha, out.dtype)], b.type)
        return cx.op(name, [a, b], out)

    return convert


for _names, _nn in [
    (("add", "__add__", "__radd__", "add_", "__iadd__"), "nn.add"),
    (("sub", "subtract", "__sub__", "sub_", "__isub__"), "nn.sub"),
    (("mul", "multiply", "__mul__", "__rmul__", "mul_", "__imul__"), "nn.mul"),
]:
    fn = _binary(_nn)
    converts(*[_torch(n) for n in _names], *_names, *_aten(*[f"{_names[0]}.{o}" for o in ("Tensor", "Scalar")]),
             *_aten(_names[0] + "_.Tensor"))(fn)
# torch.max(a, b) is recorded as torch.max (see _max_min) or aten max.other.
converts(torch.maximum, "maximum", *_aten("maximum", "max.other"))(_binary("nn.max"))
converts(torch.minimum, "minimum", *_aten("minimum", "min.other"))(_binary("nn.min"))
converts(operator.add, operator.iadd)(_binary("nn.add"))
converts(operator.sub, operator.isub)(_binary("nn.sub"))
converts(operator.mul, operator.imul)(_binary("nn.mul"))


@converts(torch.addcmul, torch.addcdiv, "addcmul", "addcdiv", *_aten("addcmul", "addcdiv"))
def _addcmul(cx, node, x, a, b, value=1):
    out = cx.result_type()
    kind = "nn.div" if node.target in (torch.addcdiv, "addcdiv") or "addcdiv" in str(node.target) else "nn.mul"
    product = cx.op(kind, [cx.tensor(a, out.dtype), cx.tensor(b, out.dtype)], out)
    if value != 1:
        product = cx.op("nn.mul", [product, cx.scalar(value, out.dtype)], out)
    return cx.op("nn.add", [cx.tensor(x, out.dtype), product], out)


@converts(torch.lerp, "lerp", *_aten("lerp.Scalar", "lerp.Tensor"))
def _lerp(cx, node, start, end, weight):
    out = cx.result_type()
    start, end = cx.tensor(start, out.dtype), cx.tensor(end, out.dtype)
    step = cx.op("nn.mul", [cx.op("nn.sub", [end, start], out), cx.tensor(weight, out.dtype)], out)
    return cx.op("nn.add", [start, step], out)


@converts(torch.rsub, "__rsub__", *_aten("rsub.Tensor", "rsub.Scalar"))
def _rsub(cx, node, a, b, alpha=1):
    return _binary("nn.sub")(cx, node, b, a, alpha=alpha)


@converts(torch.div, torch.true_divide, "div", "true_divide", "div_", "__truediv__", operator.truediv,
          operator.itruediv, *_aten("div.Tensor", "div.Scalar", "div.Tensor_mode", "div.Scalar_mode"))
def _div(cx, node, a, b, rounding_mode=None):
    if not isinstance(cx.type_of(node), TensorType):  # arithmetic on sizes
        return _int_arith(cx, "nn.div", a, b)
    out = cx.result_type()
    if rounding_mode is None or out.dtype.is_floating_point:
        q = cx.op("nn.div", [cx.tensor(a, out.dtype), cx.tensor(b, out.dtype)], out)
        if rounding_mode == "floor":
            q = cx.op("nn.floor", [q], out)
        elif rounding_mode == "trunc":
            sign = cx.op("nn.sign", [q], out)
            q = cx.op("nn.mul", [sign, cx.op("nn.floor", [cx.op("nn.abs", [q], out)], out)], out)
        return q
    return _int_divide(cx, a, b, out, rounding_mode)


def _int_divide(cx, a, b, out, rounding_mode):
    a, b = cx.tensor(a, out.dtype), cx.tensor(b, out.dtype)
    q = cx.op("nn.div", [a, b], out)  # truncates
    if rounding_mode == "trunc":
        return q
    # floor: subtract one where the remainder is non-zero and signs differ.
    r = cx.op("nn.mod", [a, b], out, {"fmod": True})
    zero = cx.scalar(0, out.dtype)
    nonzero = cx.op("nn.not", [cx.op("nn.equal", [r, zero], out.with_dtype(torch.bool))], out.with_dtype(torch.bool))
    negative = cx.op("nn.xor", [cx.op("nn.less", [r, zero], out.with_dtype(torch.bool)),
                                cx.op("nn.less", [b, zero], b.type.with_dtype(torch.bool))], out.with_dtype(torch.bool))
    adjust = cx.op("nn.and", [nonzero, negative], out.with_dtype(torch.bool))
    return cx.op("nn.sub", [q, cx.cast(adjust, out.dtype)], out)


@converts(torch.floor_divide, operator.floordiv, "floor_divide", "__floordiv__", *_aten("floor_divide"))
def _floordiv(cx, node, a, b):
    if not isinstance(cx.type_of(node), TensorType):  # arithmetic on sizes (never negative)
        return _int_arith(cx, "nn.div", a, b)
    out = cx.result_type()
    if out.dtype.is_floating_point:
        return cx.op("nn.floor", [cx.op("nn.div", [cx.tensor(a, out.dtype), cx.tensor(b, out.dtype)], out)], out)
    return _int_divide(cx, a, b, out, "floor")


@converts(torch.remainder, torch.fmod, operator.mod, "remainder", "fmod", "__mod__",
          *_aten("remainder.Tensor", "remainder.Scalar", "fmod.Tensor", "fmod.Scalar"))
def _remainder(cx, node, a, b):
    out = cx.result_type()
    fmod = node.target in (torch.fmod, "fmod") or "fmod" in str(node.target)
    return cx.op("nn.mod", [cx.tensor(a, out.dtype), cx.tensor(b, out.dtype)], out, {"fmod": bool(fmod)})


@converts(torch.pow, operator.pow, "pow", "__pow__", *_aten("pow.Tensor_Tensor", "pow.Tensor_Scalar", "pow.Scalar"))
def _pow(cx, node, a, b):
    out = cx.result_type()
    if isinstance(b, (int, float)) and b == 2:
        a = cx.tensor(a, out.dtype)
        return cx.op("nn.mul", [a, a], out)
    if isinstance(b, (int, float)) and b == 0.5:
        return cx.op("nn.sqrt", [cx.tensor(a, out.dtype)], out)
    return cx.op("nn.pow", [cx.tensor(a, out.dtype), cx.tensor(b, out.dtype)], out)


def _compare(name, negate=False):
    def convert(cx, node, a, b):
        out = cx.result_type()
        dtype = _promoted(cx, a, b)
        result = cx.op(name, [cx.tensor(a, dtype), cx.tensor(b, dtype)], out)
        return cx.op("nn.not", [result], out) if negate else result

    return convert


for _names, _nn, _neg in [
    (("eq", "__eq__"), "nn.equal", False), (("ne", "__ne__", "not_equal"), "nn.equal", True),
    (("lt", "__lt__", "less"), "nn.less", False), (("le", "__le__", "less_equal"), "nn.less_equal", False),
    (("gt", "__gt__", "greater"), "nn.greater", False), (("ge", "__ge__", "greater_equal"), "nn.greater_equal", False),
]:
    converts(*[_torch(n) for n in _names], *_names, getattr(operator, _names[0]),
             *_aten(f"{_names[0]}.Tensor", f"{_names[0]}.Scalar"))(_compare(_nn, _neg))


def _logical(name):
    def convert(cx, node, a, b):
        out = cx.result_type()
        if out.dtype != torch.bool:
            return cx.op(name.replace("nn.", "nn.bitwise_"), [cx.tensor(a, out.dtype), cx.tensor(b, out.dtype)], out)
        return cx.op(name, [cx.tensor(a, torch.bool), cx.tensor(b, torch.bool)], out)

    return convert


for _name, _nn in [("and", "nn.and"), ("or", "nn.or"), ("xor", "nn.xor")]:
    converts(_torch(f"logical_{_name}"), _torch(f"bitwise_{_name}"), getattr(operator, f"{_name}_", None),
             getattr(operator, _name, None), f"logical_{_name}", f"bitwise_{_name}", f"__{_name}__",
             f"__r{_name}__", f"__i{_name}__",
             *_aten(f"logical_{_name}", f"bitwise_{_name}.Tensor", f"bitwise_{_name}.Scalar",
                    f"bitwise_{_name}.Scalar_Tensor", f"__{_name}__.Tensor", f"__{_name}__.Scalar"))(_logical(_nn))


@converts(torch.where, "where", *_aten("where.self", "where.ScalarSelf", "where.ScalarOther", "where.Scalar"))
def _where(cx, node, condition, a=None, b=None):
    if node.op == "call_method":
        condition, a = a, condition
    if a is None:
        return _nonzero(cx, node, condition, as_tuple=True)
    out = cx.result_type()
    return cx.op("nn.where", [cx.tensor(condition, torch.bool), cx.tensor(a, out.dtype), cx.tensor(b, out.dtype)], out)


@converts(torch.nonzero, "nonzero", *_aten("nonzero"))
def _nonzero(cx, node, x, *, as_tuple=False):
    """Indices of the non-zero elements: [count, rank] (or one [count]
    tensor per dimension with as_tuple); the count is data, so it is a
    dynamic size whatever the example gave (see capture's worlds)."""
    rank = max(x.type.rank, 1)
    if x.type.rank == 0:
        x = cx.reshape(x, [1], x.type.with_dims([1]))
    columns = cx.op("nn.non_zero", [x], TensorType(torch.int64, [rank, None]))
    if not as_tuple:
        return cx.op("nn.transpose", [columns], TensorType(torch.int64, [None, rank]), {"perm": [1, 0]})
    if rank == 1:
        return (cx.reshape(columns, [-1], TensorType(torch.int64, [None])),)
    rows = cx.op("nn.split", [columns], [TensorType(torch.int64, [1, None])] * rank, {"axis": 0, "num_outputs": rank})
    return tuple(cx.reshape(r, [-1], TensorType(torch.int64, [None])) for r in rows)


@converts(torch.index_add, "index_add", *_aten("index_add"))
def _index_add(cx, node, x, dim, index, source, *, alpha=1):
    """x with source's slices added at `index` along `dim` (repeated
    indices accumulate): scatter_nd with add along dim 0."""
    out = cx.result_type()
    axis = _axis(dim, x.type.rank)
    if axis != 0:
        raise cx.unsupported("index_add along a dimension other than 0")
    source = cx.tensor(source, out.dtype)
    if alpha != 1:
        source = cx.op("nn.mul", [source, cx.scalar(alpha, out.dtype)], source.type)
    count = index.type.dims[0]
    indices = cx.reshape(index, [-1, 1], TensorType(torch.int64, [count, 1]))
    return cx.op("nn.scatter_nd", [x, indices, source], out, {"reduction": Raw("#nn.scatter_reduction<add>")})


@converts(torch.masked_fill, "masked_fill", "masked_fill_", *_aten("masked_fill.Scalar", "masked_fill.Tensor"))
def _masked_fill(cx, node, x, mask, value):
    out = cx.result_type()
    return cx.op("nn.where", [cx.tensor(mask, torch.bool), cx.tensor(value, out.dtype), cx.tensor(x, out.dtype)], out)


# --------------------------------------------------------------------------
# Dynamic ints (sizes of dimensions declared dynamic), as tensor<1xi64>


def _int_arith(cx, name, a, b):
    operands = []
    for x in (a, b):
        if isinstance(x, Value):
            if x.type.rank == 0:
                x = cx.reshape(cx.cast(x, torch.int64), [1], TensorType(torch.int64, [1]))
            operands.append(cx.cast(x, torch.int64))
        elif isinstance(x, int):
            operands.append(cx.i64([int(x)]))
        else:  # a float would be truncated: size * 1.5 is not size * 1
            raise cx.unsupported(f"integer arithmetic on a dynamic size with {x!r}",
                                 "compute it with tensor operations, or make the dimension static")
    return mark_dynamic_int(cx.op(name, operands, TensorType(torch.int64, [1])))


def _symint_binary(name, tensor_fn):
    def convert(cx, node, a, b, *args, **kwargs):
        t = cx.type_of(node)
        if not isinstance(t, TensorType):
            return _int_arith(cx, name, a, b)
        return tensor_fn(cx, node, a, b, *args, **kwargs)

    return convert


converts(operator.add, operator.iadd)(_symint_binary("nn.add", _binary("nn.add")))
converts(operator.sub, operator.isub)(_symint_binary("nn.sub", _binary("nn.sub")))
converts(operator.mul, operator.imul)(_symint_binary("nn.mul", _binary("nn.mul")))


@converts("size", *_aten("sym_size.int", "sym_size"))
def _size(cx, node, x, dim=None):
    if dim is None:
        raise cx.unsupported("size() of a tensor with dynamic dimensions as a whole; index it (x.size(0))")
    return mark_dynamic_int(cx.dim_value(x, _axis(dim, x.type.rank)))


@converts("numel", torch.numel, *_aten("sym_numel"))
def _numel(cx, node, x):
    n = cx.op("nn.size", [x], TensorType(torch.int64, []))
    return mark_dynamic_int(cx.reshape(n, [1], TensorType(torch.int64, [1])))


# --------------------------------------------------------------------------
# Casts and no-ops


def _identity(cx, node, x, *args, **kwargs):
    return x


converts(*_aten("alias", "clone", "detach", "lift_fresh_copy", "contiguous"),
         torch.clone, torch.detach, "clone", "detach", "contiguous", "cpu", "requires_grad_")(_identity)


@converts(_f("dropout"), _f("dropout1d"), _f("dropout2d"), _f("dropout3d"), _f("alpha_dropout"), *_aten("dropout"))
def _dropout(cx, node, x, p=0.5, training=True, inplace=False):
    if training and p > 0:
        raise cx.unsupported(
            "dropout in training mode", "call model.eval() before compiling: ddl compiles inference graphs"
        )
    return x


@converts(*_aten("native_dropout"))
def _native_dropout(cx, node, x, p, train):
    if train and p > 0:
        raise cx.unsupported("dropout in training mode", _TRAINING_ADVICE)
    if _indices_used(node):
        raise cx.unsupported("the dropout mask is used")
    return (x, None)


ignores(torch._assert, getattr(torch.fx._symbolic_trace, "_assert_is_none", None),
        *_aten("_assert_async.msg", "_assert_scalar"))


@converts("to", "type", *_aten("_to_copy", "to.dtype", "to.dtype_layout", "to.device", "_to_dim_order_copy"))
def _to(cx, node, x, *args, **kwargs):
    return cx.cast(x, cx.result_type().dtype)


for _method, _dtype in [("float", torch.float32), ("double", torch.float64), ("half", torch.float16),
                        ("bfloat16", torch.bfloat16), ("int", torch.int32), ("long", torch.int64),
                        ("bool", torch.bool), ("short", torch.int16), ("char", torch.int8), ("byte", torch.uint8)]:
    converts(_method)(lambda cx, node, x, *a, _d=_dtype, **k: cx.cast(x, _d))


@converts("type_as", *_aten("type_as"))
def _type_as(cx, node, x, other):
    return cx.cast(cx.tensor(x), cx.result_type().dtype)


# --------------------------------------------------------------------------
# Contractions


@converts(torch.matmul, operator.matmul, "matmul", "__matmul__", torch.mm, "mm", torch.bmm, "bmm",
          *_aten("matmul", "mm", "bmm"))
def _matmul(cx, node, a, b):
    return cx.op("nn.matmul", [a, b], cx.result_type())


def _transpose_last(cx, w):
    dims = list(w.type.dims)
    perm = list(range(len(dims)))
    perm[-1], perm[-2] = perm[-2], perm[-1]
    return cx.op("nn.transpose", [w], w.type.with_dims([dims[p] for p in perm]), {"perm": perm})


@converts(F.linear, *_aten("linear"))
def _linear(cx, node, x, weight, bias=None):
    out = cx.result_type()
    if x.type.rank == 2 and weight.type.rank == 2:
        operands = [x, weight] + ([bias] if bias is not None else [])
        return cx.op("nn.gemm", operands, out, {"trans_b": True})
    y = cx.op("nn.matmul", [x, _transpose_last(cx, weight)], out)
    return cx.op("nn.add", [y, bias], out) if bias is not None else y


# Recurrent cells (nn.RNNCell / GRUCell / LSTMCell): one step, from gemms
# and elementwise ops (whole sequences through nn.RNN / GRU / LSTM are
# Python loops over these, or ONNX's RNN ops).


def _cell_gates(cx, x, h, w_ih, w_hh, b_ih, b_hh):
    """(x W_ih^T + b_ih, h W_hh^T + b_hh), each [batch, gates * hidden]."""
    batch = x.type.dims[0]
    width = w_ih.type.dims[0]
    t = TensorType(x.type.dtype, [batch, width])
    gi = cx.op("nn.gemm", [x, w_ih] + ([b_ih] if b_ih is not None else []), t, {"trans_b": True})
    gh = cx.op("nn.gemm", [h, w_hh] + ([b_hh] if b_hh is not None else []), t, {"trans_b": True})
    return gi, gh


def _cell_split(cx, value, count):
    batch, width = value.type.dims
    piece = value.type.with_dims([batch, width // count])
    return cx.op("nn.split", [value], [piece] * count, {"axis": 1, "num_outputs": count})


@converts(torch.rnn_tanh_cell, torch.rnn_relu_cell, *_aten("rnn_tanh_cell", "rnn_relu_cell"))
def _rnn_cell(cx, node, x, h, w_ih, w_hh, b_ih=None, b_hh=None):
    gi, gh = _cell_gates(cx, x, h, w_ih, w_hh, b_ih, b_hh)
    total = cx.op("nn.add", [gi, gh], gi.type)
    kind = "nn.relu" if "relu" in str(getattr(node.target, "__name__", node.target)) else "nn.tanh"
    return cx.op(kind, [total], total.type)


@converts(torch.gru_cell, *_aten("gru_cell"))
def _gru_cell(cx, node, x, h, w_ih, w_hh, b_ih=None, b_hh=None):
    gi, gh = _cell_gates(cx, x, h, w_ih, w_hh, b_ih, b_hh)
    i_r, i_z, i_n = _cell_split(cx, gi, 3)
    h_r, h_z, h_n = _cell_split(cx, gh, 3)
    t = i_r.type
    r = cx.op("nn.sigmoid", [cx.op("nn.add", [i_r, h_r], t)], t)
    z = cx.op("nn.sigmoid", [cx.op("nn.add", [i_z, h_z], t)], t)
    n = cx.op("nn.tanh", [cx.op("nn.add", [i_n, cx.op("nn.mul", [r, h_n], t)], t)], t)
    # h' = n + z * (h - n)
    return cx.op("nn.add", [n, cx.op("nn.mul", [z, cx.op("nn.sub", [h, n], t)], t)], t)


@converts(torch.lstm_cell, *_aten("lstm_cell"))
def _lstm_cell(cx, node, x, state, w_ih, w_hh, b_ih=None, b_hh=None):
    h, c = state
    gi, gh = _cell_gates(cx, x, h, w_ih, w_hh, b_ih, b_hh)
    gates = cx.op("nn.add", [gi, gh], gi.type)
    i, f, g, o = _cell_split(cx, gates, 4)
    t = i.type
    i, f, o = (cx.op("nn.sigmoid", [v], t) for v in (i, f, o))
    g = cx.op("nn.tanh", [g], t)
    c = cx.op("nn.add", [cx.op("nn.mul", [f, c], t), cx.op("nn.mul", [i, g], t)], t)
    return cx.op("nn.mul", [o, cx.op("nn.tanh", [c], t)], t), c


@converts(torch.addmm, "addmm", *_aten("addmm"))
def _addmm(cx, node, bias, a, b, beta=1, alpha=1):
    return cx.op("nn.gemm", [a, b, bias], cx.result_type(), {"alpha": float(alpha), "beta": float(beta)})


@converts(torch.baddbmm, "baddbmm", *_aten("baddbmm"))
def _baddbmm(cx, node, x, a, b, beta=1, alpha=1):
    out = cx.result_type()
    product = cx.op("nn.matmul", [a, b], out)
    if alpha != 1:
        product = cx.op("nn.mul", [product, cx.scalar(alpha, out.dtype)], out)
    if beta == 0:
        return product
    if beta != 1:
        x = cx.op("nn.mul", [x, cx.scalar(beta, out.dtype)], x.type)
    return cx.op("nn.add", [x, product], out)


@converts(torch.einsum, *_aten("einsum"))
def _einsum(cx, node, equation, *operands, path=None):
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = operands[0]
    syntax = f'"{equation}" ' + ", ".join("{%d}" % i for i in range(len(operands)))
    return cx.op("nn.einsum", list(operands), cx.result_type(), syntax=syntax)


def _pairs(value, n):
    if isinstance(value, int):
        return [value] * n
    value = list(value)
    if len(value) == 1:
        return value * n
    return value


def _conv(cx, x, weight, bias, stride, padding, dilation, groups, transposed=False, output_padding=0):
    out = cx.result_type()
    n = weight.type.rank - 2
    stride, dilation = _pairs(stride, n), _pairs(dilation, n)
    attrs = {"strides": stride, "dilations": dilation, "group": int(groups)}
    if isinstance(padding, str):
        if padding == "valid":
            attrs["pads"] = [0] * (2 * n)
        elif padding == "same":
            kernel = [d for d in weight.type.dims[2:]]
            pads_begin, pads_end = [], []
            for k, d in zip(kernel, dilation):
                total = d * (k - 1)
                pads_begin.append(total // 2)
                pads_end.append(total - total // 2)
            attrs["pads"] = pads_begin + pads_end
        else:
            raise cx.unsupported(f"padding={padding!r}")
    else:
        p = _pairs(padding, n)
        attrs["pads"] = p + p
    operands = [x, weight] + ([bias] if bias is not None else [])
    if transposed:
        attrs["output_padding"] = _pairs(output_padding, n)
        return cx.op("nn.conv_transpose", operands, out, attrs)
    return cx.op("nn.conv", operands, out, attrs)


@converts(torch.conv1d, torch.conv2d, torch.conv3d, F.conv1d, F.conv2d, F.conv3d,
          *_aten("conv1d", "conv2d", "conv3d", "conv1d.padding", "conv2d.padding", "conv3d.padding"))
def _convnd(cx, node, x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return _conv(cx, x, weight, bias, stride, padding, dilation, groups)


@converts(torch.conv_transpose1d, torch.conv_transpose2d, torch.conv_transpose3d,
          *_aten("conv_transpose1d", "conv_transpose2d.input", "conv_transpose3d.input"))
def _conv_transpose(cx, node, x, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    return _conv(cx, x, weight, bias, stride, padding, dilation, groups, True, output_padding)


@converts(torch.convolution, *_aten("convolution", "_convolution"))
def _convolution(cx, node, x, weight, bias, stride, padding, dilation, transposed, output_padding, groups, *rest):
    return _conv(cx, x, weight, bias, stride, padding, dilation, groups, transposed, output_padding)


# --------------------------------------------------------------------------
# Normalization


def _ones(cx, n, dtype, value=1.0):
    return cx.constant(torch.full([n], value, dtype=dtype))


@converts(F.batch_norm, torch.batch_norm, *_aten("batch_norm"))
def _batch_norm(cx, node, x, *args, **kwargs):
    # F.batch_norm(x, running_mean, running_var, weight, bias, training, momentum, eps) and
    # torch.batch_norm / aten.batch_norm(x, weight, bias, running_mean, running_var, training, momentum, eps,
    # cudnn_enabled).
    if node.target is F.batch_norm:
        names = ["running_mean", "running_var", "weight", "bias", "training", "momentum", "eps"]
    else:
        names = ["weight", "bias", "running_mean", "running_var", "training", "momentum", "eps", "cudnn_enabled"]
    a = {"weight": None, "bias": None, "training": False, "eps": 1e-5}
    a.update(zip(names, args))
    a.update(kwargs)
    if a["training"] or a.get("running_mean") is None:
        raise cx.unsupported("batch norm with batch statistics (training mode)", _TRAINING_ADVICE)
    return _bn(cx, x, a["weight"], a["bias"], a["running_mean"], a["running_var"], a["eps"])


def _bn(cx, x, weight, bias, mean, var, eps):
    out = cx.result_type()
    channels = x.type.dims[1]
    if weight is None:
        weight = _ones(cx, channels, out.dtype)
    if bias is None:
        bias = _ones(cx, channels, out.dtype, 0.0)
    return cx.op("nn.batch_norm", [x, weight, bias, mean, var], out, {"epsilon": float(eps)})


@converts(*_aten("_native_batch_norm_legit_no_training"))
def _bn_no_training(cx, node, x, weight, bias, mean, var, momentum, eps):
    cx_type = cx.type_of(node)
    saved, cx.node.meta["ddl_type"] = cx_type, cx_type[0]
    try:
        y = _bn(cx, x, weight, bias, mean, var, eps)
    finally:
        cx.node.meta["ddl_type"] = saved
    return (y, None, None)


@converts(*_aten("native_batch_norm", "_native_batch_norm_legit", "_native_batch_norm_legit_functional"))
def _native_bn(cx, node, x, weight, bias, mean, var, training, momentum, eps):
    # _native_batch_norm_legit_functional is what torch.export records for
    # a BatchNorm module in training mode (it also returns the updated
    # running statistics).
    if training:
        raise cx.unsupported("batch norm in training mode", _TRAINING_ADVICE)
    y = _bn_no_training(cx, node, x, weight, bias, mean, var, momentum, eps)[0]
    return (y,) + (None,) * (len(cx.type_of(node)) - 1)


@converts(*_aten("_native_batch_norm_legit.no_stats"))
def _native_bn_no_stats(cx, node, x, weight, bias, training, momentum, eps):
    raise cx.unsupported("batch norm with batch statistics (training mode)", _TRAINING_ADVICE)


@converts(F.layer_norm, torch.layer_norm, *_aten("layer_norm"))
def _layer_norm(cx, node, x, normalized_shape, weight=None, bias=None, eps=1e-5, *rest):
    out = cx.result_type()
    if isinstance(out, tuple):
        out = out[0]
    normalized_shape = list(normalized_shape) if not isinstance(normalized_shape, int) else [normalized_shape]
    if weight is None:
        weight = cx.constant(torch.ones(normalized_shape, dtype=out.dtype))
    operands = [x, weight] + ([bias] if bias is not None else [])
    axis = x.type.rank - len(normalized_shape)
    return cx.op("nn.layer_norm", operands, out, {"axis": axis, "epsilon": float(eps)})


@converts(*_aten("native_layer_norm"))
def _native_layer_norm(cx, node, x, normalized_shape, weight, bias, eps):
    t = cx.type_of(node)
    saved, cx.node.meta["ddl_type"] = t, t[0]
    try:
        return (_layer_norm(cx, node, x, normalized_shape, weight, bias, eps), None, None)
    finally:
        cx.node.meta["ddl_type"] = saved


@converts(F.group_norm, torch.group_norm, *_aten("group_norm"))
def _group_norm(cx, node, x, num_groups, weight=None, bias=None, eps=1e-5, *rest):
    out = cx.result_type()
    channels = x.type.dims[1]
    weight = weight if weight is not None else _ones(cx, channels, out.dtype)
    bias = bias if bias is not None else _ones(cx, channels, out.dtype, 0.0)
    return cx.op("nn.group_norm", [x, weight, bias], out, {"num_groups": int(num_groups), "epsilon": float(eps)})


@converts(F.instance_norm, torch.instance_norm, *_aten("instance_norm"))
def _instance_norm(cx, node, x, *args, **kwargs):
    # F.instance_norm(x, running_mean, running_var, weight, bias, use_input_stats, momentum, eps) and
    # torch.instance_norm / aten.instance_norm(x, weight, bias, running_mean, running_var, use_input_stats,
    # momentum, eps, cudnn_enabled).
    if node.target is F.instance_norm:
        names = ["running_mean", "running_var", "weight", "bias", "use_input_stats", "momentum", "eps"]
    else:
        names = ["weight", "bias", "running_mean", "running_var", "use_input_stats", "momentum", "eps",
                 "cudnn_enabled"]
    a = {"running_mean": None, "running_var": None, "weight": None, "bias": None, "use_input_stats": True,
         "eps": 1e-5}
    a.update(zip(names, args))
    a.update(kwargs)
    out = cx.result_type()
    weight, bias, eps = a["weight"], a["bias"], a["eps"]
    if not a["use_input_stats"]:
        if a["running_mean"] is None or a["running_var"] is None:
            raise cx.unsupported("use_input_stats=False without running statistics")
        return _bn(cx, x, weight, bias, a["running_mean"], a["running_var"], eps)
    channels = x.type.dims[1]
    weight = weight if weight is not None else _ones(cx, channels, out.dtype)
    bias = bias if bias is not None else _ones(cx, channels, out.dtype, 0.0)
    return cx.op("nn.instance_norm", [x, weight, bias], out, {"epsilon": float(eps)})


@converts(*_aten("native_group_norm"))
def _native_group_norm(cx, node, x, weight, bias, n, channels, hw, group, eps):
    t = cx.type_of(node)
    saved, node.meta["ddl_type"] = t, t[0]
    try:
        return (_group_norm(cx, node, x, group, weight, bias, eps), None, None)
    finally:
        node.meta["ddl_type"] = saved


# --------------------------------------------------------------------------
# Softmax


@converts(torch.softmax, F.softmax, "softmax", *_aten("softmax.int", "_softmax"))
def _softmax(cx, node, x, dim=None, dtype=None, *rest, _stacklevel=3):
    out = cx.result_type()
    x = cx.cast(x, out.dtype)
    return cx.op("nn.softmax", [x], out, {"axis": _axis(dim, x.type.rank)})


@converts(torch.log_softmax, F.log_softmax, "log_softmax", *_aten("log_softmax.int", "_log_softmax"))
def _log_softmax(cx, node, x, dim=None, dtype=None, *rest, _stacklevel=3):
    out = cx.result_type()
    x = cx.cast(x, out.dtype)
    return cx.op("nn.log_softmax", [x], out, {"axis": _axis(dim, x.type.rank)})


# --------------------------------------------------------------------------
# Pooling


def _pool_attrs(n, kernel_size, stride, padding, dilation, ceil_mode):
    kernel = _pairs(kernel_size, n)
    stride = _pairs(stride if stride not in (None, []) else kernel, n)
    pad = _pairs(padding, n)
    attrs = {"kernel_shape": kernel, "strides": stride, "pads": pad + pad, "ceil_mode": bool(ceil_mode)}
    if dilation is not None:
        attrs["dilations"] = _pairs(dilation, n)
    return attrs


def _max_pool(cx, node, x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    if return_indices:
        raise cx.unsupported("return_indices=True (ddl's max pool has no indices output)")
    n = x.type.rank - 2
    out = cx.result_type()
    return cx.op("nn.max_pool", [x], out, _pool_attrs(n, kernel_size, stride, padding, dilation, ceil_mode))


converts(F.max_pool1d, F.max_pool2d, F.max_pool3d, _f("_max_pool1d"), _f("_max_pool2d"), _f("_max_pool3d"),
         torch.max_pool1d, torch.max_pool2d, torch.max_pool3d,
         *_aten("max_pool1d", "max_pool2d", "max_pool3d"))(_max_pool)


def _indices_used(node):
    """Whether anything but `node[0]` reads a (values, indices) result."""
    return any(not (u.target is operator.getitem and u.args[1] == 0) for u in node.users)


@converts(_f("max_pool1d_with_indices"), _f("max_pool2d_with_indices"), _f("max_pool3d_with_indices"),
          *_aten("max_pool2d_with_indices", "max_pool3d_with_indices"))
def _max_pool_with_indices(cx, node, x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                           return_indices=True):
    if _indices_used(node):
        raise cx.unsupported("return_indices=True: max pool indices are used (ddl's max pool has no indices output)")
    t = cx.type_of(node)
    saved, cx.node.meta["ddl_type"] = t, t[0]
    try:
        return (_max_pool(cx, node, x, kernel_size, stride, padding, dilation, ceil_mode), None)
    finally:
        cx.node.meta["ddl_type"] = saved


@converts(F.avg_pool1d, F.avg_pool2d, F.avg_pool3d, torch.avg_pool1d, *_aten("avg_pool1d", "avg_pool2d", "avg_pool3d"))
def _avg_pool(cx, node, x, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
              divisor_override=None):
    if divisor_override is not None:
        raise cx.unsupported("divisor_override")
    n = x.type.rank - 2
    attrs = _pool_attrs(n, kernel_size, stride, padding, None, ceil_mode)
    attrs["count_include_pad"] = bool(count_include_pad)
    return cx.op("nn.avg_pool", [x], cx.result_type(), attrs)


_MAX_ADAPTIVE_BINS = 64


def _adaptive_pool_dim(cx, x, axis, size, bins, reduce_kind):
    """Adaptive pooling of `x` along `axis` from `size` to `bins`, as
    PyTorch defines the bins: bin j covers [floor(j * size / bins),
    ceil((j + 1) * size / bins)). A slice and a reduction per bin."""
    if size == bins:
        return x
    pieces = []
    for j in range(bins):
        start, end = (j * size) // bins, -((-(j + 1) * size) // bins)
        dims = list(x.type.dims)
        dims[axis] = end - start
        piece = _slice(cx, x, axis, start, end, 1, x.type.with_dims(dims))
        dims[axis] = 1
        pieces.append(cx.op("nn.reduce", [piece], x.type.with_dims(dims), {"axes": [axis], "keepdims": True},
                            prefix=f"<{reduce_kind}>"))
    dims = list(x.type.dims)
    dims[axis] = bins
    return cx.op("nn.concat", pieces, x.type.with_dims(dims), {"axis": axis})


def _adaptive_pool(kind):
    def convert(cx, node, x, output_size, return_indices=False, *rest):
        if return_indices:
            raise cx.unsupported("return_indices=True (ddl's pooling has no indices output)")
        out = cx.result_type()
        n = x.type.rank - 2
        sizes = _pairs(output_size, n)
        in_sizes = x.type.dims[2:]
        sizes = [in_sizes[i] if s is None else s for i, s in enumerate(sizes)]
        if all(s == 1 for s in sizes):
            return cx.op(f"nn.global_{kind}_pool", [x], out)
        if not all(isinstance(d, int) for d in in_sizes):
            raise cx.unsupported(f"adaptive pooling of dynamic sizes {list(in_sizes)}")
        if not all(d % s == 0 for d, s in zip(in_sizes, sizes)):
            if max(sizes) > _MAX_ADAPTIVE_BINS:
                raise cx.unsupported(
                    f"adaptive pooling from {list(in_sizes)} to {sizes}: output sizes that do not divide "
                    f"the input's are decomposed per bin, up to {_MAX_ADAPTIVE_BINS} bins a dimension")
            # Bins of unequal (possibly overlapping) extents: the pool is
            # separable, one dimension at a time.
            for i, (d, s) in enumerate(zip(in_sizes, sizes)):
                x = _adaptive_pool_dim(cx, x, 2 + i, d, s, "mean" if kind == "avg" else "max")
            return x
        kernel = [d // s for d, s in zip(in_sizes, sizes)]
        attrs = {"kernel_shape": kernel, "strides": kernel, "pads": [0] * (2 * n)}
        return cx.op(f"nn.{kind}_pool", [x], out, attrs)

    return convert


converts(F.adaptive_avg_pool1d, F.adaptive_avg_pool2d, F.adaptive_avg_pool3d, torch.adaptive_avg_pool1d,
         *_aten("adaptive_avg_pool1d", "adaptive_avg_pool2d", "_adaptive_avg_pool2d", "adaptive_avg_pool3d",
                "_adaptive_avg_pool3d"))(_adaptive_pool("avg"))
converts(F.adaptive_max_pool1d, F.adaptive_max_pool2d, _f("adaptive_max_pool2d_with_indices"),
         _f("_adaptive_max_pool2d"))(_adaptive_pool("max"))


@converts(*_aten("adaptive_max_pool1d", "adaptive_max_pool2d", "adaptive_max_pool3d"))
def _aten_adaptive_max_pool(cx, node, x, output_size):
    # ATen's adaptive max pools return (values, indices).
    if _indices_used(node):
        raise cx.unsupported("return_indices=True: the indices are used (ddl's pooling has no indices output)")
    t = cx.type_of(node)
    saved, node.meta["ddl_type"] = t, t[0]
    try:
        return (_adaptive_pool("max")(cx, node, x, output_size), None)
    finally:
        node.meta["ddl_type"] = saved


# --------------------------------------------------------------------------
# Reductions


def _reduce_axes(dim, rank):
    if dim is None or dim == [] or dim == ():
        return list(range(rank))
    if isinstance(dim, int):
        dim = [dim]
    return [_axis(d, rank) for d in dim]


def _reduce(kind):
    def convert(cx, node, x, dim=None, keepdim=False, *rest, dtype=None, **kwargs):
        out = cx.result_type()
        if isinstance(dim, bool):  # sum(x, keepdim) is not a signature; guard anyway
            dim, keepdim = None, dim
        x = cx.cast(x, out.dtype) if out.dtype.is_floating_point or kind == "sum" else x
        axes = _reduce_axes(dim, x.type.rank)
        return cx.op("nn.reduce", [x], out, {"axes": axes, "keepdims": bool(keepdim)}, prefix=f"<{kind}>")

    return convert


converts(torch.mean, "mean", *_aten("mean.dim", "mean"))(_reduce("mean"))
converts(torch.sum, "sum", *_aten("sum.dim_IntList", "sum"))(_reduce("sum"))
converts(torch.prod, "prod", *_aten("prod.dim_int", "prod"))(_reduce("prod"))
converts(torch.amax, "amax", *_aten("amax"))(_reduce("max"))
converts(torch.amin, "amin", *_aten("amin"))(_reduce("min"))
converts(torch.logsumexp, "logsumexp", *_aten("logsumexp"))(_reduce("log_sum_exp"))


def _p_norm(cx, x, p, axes, keepdim, out):
    attrs = {"axes": axes, "keepdims": bool(keepdim)}
    if p in ("fro", 2, 2.0):
        return cx.op("nn.reduce", [x], out, attrs, prefix="<l2>")
    if p in (1, 1.0):
        return cx.op("nn.reduce", [x], out, attrs, prefix="<l1>")
    if p in (math.inf, -math.inf):
        return cx.op("nn.reduce", [cx.op("nn.abs", [x], x.type)], out, attrs, prefix="<max>" if p > 0 else "<min>")
    if isinstance(p, (int, float)) and p > 0:
        powered = cx.op("nn.pow", [cx.op("nn.abs", [x], x.type), cx.scalar(float(p), out.dtype)], x.type)
        total = cx.op("nn.reduce", [powered], out, attrs, prefix="<sum>")
        return cx.op("nn.pow", [total, cx.scalar(1.0 / p, out.dtype)], out)
    raise cx.unsupported(f"p={p!r}")


@converts(torch.norm, "norm", _torch("linalg") and torch.linalg.vector_norm,
          *_aten("norm.ScalarOpt_dim", "norm.Scalar", "linalg_vector_norm"))
def _norm(cx, node, x, p=2, dim=None, keepdim=False, dtype=None, **kwargs):
    out = cx.result_type()
    p = kwargs.get("ord", p)  # torch.linalg.vector_norm(x, ord, dim, keepdim)
    p = 2 if p is None else p
    if p == "fro" and dim is not None and len(_reduce_axes(dim, x.type.rank)) > 2:
        raise cx.unsupported("p='fro' over more than two dims")
    x = cx.tensor(x, out.dtype)
    return _p_norm(cx, x, p, _reduce_axes(dim, x.type.rank), keepdim, out)


@converts(_f("normalize"))
def _normalize(cx, node, x, p=2.0, dim=1, eps=1e-12, out=None):
    if out is not None:
        raise cx.unsupported("out=")
    axis = _axis(dim, x.type.rank)
    norm = _p_norm(cx, x, p, [axis], True, x.type.with_dims([1 if i == axis else d for i, d in enumerate(x.type.dims)]))
    norm = cx.op("nn.max", [norm, cx.scalar(float(eps), x.type.dtype)], norm.type)
    return cx.op("nn.div", [x, norm], cx.result_type())


def _all_any(kind):
    def convert(cx, node, x, dim=None, keepdim=False):
        out = cx.result_type()
        if x.type.dtype == torch.bool:
            x = cx.cast(x, torch.int32)
        else:  # x != 0
            x = cx.op("nn.not", [cx.op("nn.equal", [x, cx.scalar(0, x.type.dtype)], x.type.with_dtype(torch.bool))],
                      x.type.with_dtype(torch.bool))
            x = cx.cast(x, torch.int32)
        attrs = {"axes": _reduce_axes(dim, x.type.rank), "keepdims": bool(keepdim)}
        return cx.cast(cx.op("nn.reduce", [x], out.with_dtype(torch.int32), attrs, prefix=f"<{kind}>"), out.dtype)

    return convert


converts(torch.all, "all", *_aten("all", "all.dim"))(_all_any("min"))
converts(torch.any, "any", *_aten("any", "any.dim"))(_all_any("max"))


def _max_min(kind, elementwise):
    def convert(cx, node, x, dim=None, keepdim=False):
        if isinstance(dim, Value):
            return _binary(elementwise)(cx, node, x, dim)
        t = cx.type_of(node)
        if dim is None:
            return _reduce(kind)(cx, node, x)
        axis = _axis(dim, x.type.rank)
        values = cx.op("nn.reduce", [x], t[0], {"axes": [axis], "keepdims": bool(keepdim)}, prefix=f"<{kind}>")
        indices = cx.op(f"nn.arg{kind}", [x], t[1], {"axis": axis, "keepdims": bool(keepdim)})
        return (values, indices)

    return convert


converts(torch.max, "max", *_aten("max.dim", "max"))(_max_min("max", "nn.max"))
converts(torch.min, "min", *_aten("min.dim", "min"))(_max_min("min", "nn.min"))


@converts(torch.argmax, torch.argmin, "argmax", "argmin", *_aten("argmax", "argmin"))
def _argmax(cx, node, x, dim=None, keepdim=False):
    kind = "argmin" if "argmin" in str(getattr(node.target, "__name__", node.target)) else "argmax"
    if dim is None:
        x = cx.reshape(x, [-1], TensorType(x.type.dtype, [None]))
        dim = 0
    return cx.op(f"nn.{kind}", [x], cx.result_type(), {"axis": _axis(dim, x.type.rank), "keepdims": bool(keepdim)})


def _var(cx, node, x, dim=None, unbiased=None, keepdim=False, correction=None, take_sqrt=False):
    out = cx.result_type()
    if isinstance(dim, bool):
        dim, unbiased = None, dim
    if correction is None:
        correction = 1 if unbiased in (None, True) else 0
    axes = _reduce_axes(dim, x.type.rank)
    mean = cx.op("nn.reduce", [x], x.type.with_dims([1 if i in axes else d for i, d in enumerate(x.type.dims)]),
                 {"axes": axes, "keepdims": True}, prefix="<mean>")
    diff = cx.op("nn.sub", [x, mean], x.type)
    var = cx.op("nn.reduce", [cx.op("nn.mul", [diff, diff], x.type)], out, {"axes": axes, "keepdims": bool(keepdim)},
                prefix="<mean>")
    if correction:
        count = 1
        for a in axes:
            if not isinstance(x.type.dims[a], int):
                raise cx.unsupported("var/std over a dynamic dimension with a correction")
            count *= x.type.dims[a]
        var = cx.op("nn.mul", [var, cx.scalar(count / max(count - correction, 1), out.dtype)], out)
    return cx.op("nn.sqrt", [var], out) if take_sqrt else var


converts(torch.var, "var", *_aten("var.correction", "var.dim"))(_var)
converts(torch.std, "std", *_aten("std.correction", "std.dim"))(
    lambda cx, node, x, dim=None, unbiased=None, keepdim=False, correction=None:
    _var(cx, node, x, dim, unbiased, keepdim, correction, take_sqrt=True))


def _var_mean(take_sqrt):
    def convert(cx, node, x, dim=None, unbiased=None, keepdim=False, correction=None):
        t = cx.type_of(node)
        saved, node.meta["ddl_type"] = t, t[0]
        try:
            spread = _var(cx, node, x, dim, unbiased, keepdim, correction, take_sqrt)
        finally:
            node.meta["ddl_type"] = saved
        axes = _reduce_axes(None if isinstance(dim, bool) else dim, x.type.rank)
        mean = cx.op("nn.reduce", [x], t[1], {"axes": axes, "keepdims": bool(keepdim)}, prefix="<mean>")
        return (spread, mean)

    return convert


converts(torch.var_mean, *_aten("var_mean.correction", "var_mean.dim"))(_var_mean(False))
converts(torch.std_mean, *_aten("std_mean.correction", "std_mean.dim"))(_var_mean(True))


@converts(torch.topk, "topk", *_aten("topk"))
def _topk(cx, node, x, k, dim=-1, largest=True, sorted=True):
    axis = _axis(dim, x.type.rank)
    k = cx.shape_tensor(cx.int_entries([k]))
    attrs = {"axis": axis, "largest": bool(largest), "sorted": True}
    return tuple(cx.op("nn.top_k", [x, k], list(cx.type_of(node)), attrs))


def _sorted(cx, node, x, dim, descending, types):
    axis = _axis(dim, x.type.rank)
    k = cx.shape_tensor([cx.size_entry(x, axis)])
    return cx.op("nn.top_k", [x, k], types, {"axis": axis, "largest": bool(descending), "sorted": True})


@converts(torch.sort, "sort", *_aten("sort", "sort.stable"))
def _sort(cx, node, x, dim=-1, descending=False, stable=False):
    if isinstance(dim, bool):  # sort(stable=..., dim, descending) of aten sort.stable
        dim, descending = descending, stable
    return tuple(_sorted(cx, node, x, dim, descending, list(cx.type_of(node))))


@converts(torch.argsort, "argsort", *_aten("argsort"))
def _argsort(cx, node, x, dim=-1, descending=False, stable=False):
    out = cx.result_type()
    return _sorted(cx, node, x, dim, descending, [x.type, out])[1]


@converts(torch.cumsum, "cumsum", *_aten("cumsum"))
def _cumsum(cx, node, x, dim, dtype=None):
    out = cx.result_type()
    return cx.op("nn.cumsum", [cx.cast(x, out.dtype), cx.scalar(_axis(dim, x.type.rank), torch.int64)], out)


# --------------------------------------------------------------------------
# Shapes and data movement


@converts("view", "reshape", torch.reshape, *_aten("view", "reshape", "_unsafe_view", "view.default"))
def _reshape(cx, node, x, *shape):
    out = cx.result_type()
    entries = cx.int_entries(_dims(shape))
    # A known static size needs no run-time value.
    for i, e in enumerate(entries):
        if isinstance(e, Value) and isinstance(out.dims[i], int):
            entries[i] = out.dims[i]
    dynamic = [i for i, e in enumerate(entries) if not isinstance(e, int)]
    if len(dynamic) == 1 and -1 not in entries:
        entries[dynamic[0]] = -1  # inferred from the element count
    return cx.reshape(x, entries, out)


@converts("view_as", "reshape_as")
def _view_as(cx, node, x, other):
    return _reshape(cx, node, x, [other.type.dims[i] if isinstance(other.type.dims[i], int) else mark_dynamic_int(
        cx.dim_value(other, i)) for i in range(other.type.rank)])


@converts(torch.flatten, "flatten", *_aten("flatten.using_ints"))
def _flatten(cx, node, x, start_dim=0, end_dim=-1):
    out = cx.result_type()
    rank = x.type.rank
    if rank == 0:
        return cx.reshape(x, [1], out)
    start, end = _axis(start_dim, rank), _axis(end_dim, rank)
    if start == 1 and end == rank - 1 or start == 0 and end == rank - 1:
        if start == 0:
            return cx.reshape(x, [-1], out)
        return cx.op("nn.flatten", [x], out, {"axis": 1})
    entries = [0] * start + [-1] + [0] * (rank - 1 - end)
    # 0 copies the input's size at the same position: only before `start`.
    entries = [cx.size_entry(x, i) for i in range(start)] + [-1] + [cx.size_entry(x, i) for i in range(end + 1, rank)]
    return cx.reshape(x, entries, out)


@converts(torch.unflatten, "unflatten", *_aten("unflatten.int"))
def _unflatten(cx, node, x, dim, sizes):
    dim = _axis(dim, x.type.rank)
    entries = [cx.size_entry(x, i) for i in range(dim)] + list(sizes) + [
        cx.size_entry(x, i) for i in range(dim + 1, x.type.rank)]
    return _reshape(cx, node, x, entries)


@converts(torch.squeeze, "squeeze", *_aten("squeeze.dim", "squeeze.dims", "squeeze"))
def _squeeze(cx, node, x, dim=None):
    if dim is None:
        axes = [i for i, d in enumerate(x.type.dims) if d == 1]
    else:
        axes = [_axis(d, x.type.rank) for d in ([dim] if isinstance(dim, int) else dim)]
        axes = [a for a in axes if x.type.dims[a] == 1]
    if not axes:
        return x
    return cx.op("nn.squeeze", [x], cx.result_type(), {"axes": axes})


@converts(torch.unsqueeze, "unsqueeze", *_aten("unsqueeze"))
def _unsqueeze(cx, node, x, dim):
    return cx.op("nn.unsqueeze", [x], cx.result_type(), {"axes": [_axis(dim, x.type.rank + 1)]})


@converts(torch.permute, "permute", *_aten("permute"))
def _permute(cx, node, x, *dims):
    perm = [_axis(d, x.type.rank) for d in _dims(dims)]
    return cx.op("nn.transpose", [x], cx.result_type(), {"perm": perm})


@converts(torch.transpose, torch.swapaxes, "transpose", "swapaxes", *_aten("transpose.int"))
def _transpose(cx, node, x, dim0, dim1):
    perm = list(range(x.type.rank))
    a, b = _axis(dim0, x.type.rank), _axis(dim1, x.type.rank)
    perm[a], perm[b] = perm[b], perm[a]
    return cx.op("nn.transpose", [x], cx.result_type(), {"perm": perm})


@converts(torch.t, "t", *_aten("t"))
def _t(cx, node, x):
    if x.type.rank < 2:
        return x
    return cx.op("nn.transpose", [x], cx.result_type(), {"perm": [1, 0]})


@converts(getattr)
def _getattr(cx, node, x, name):
    if name in ("T", "mT"):
        rank = x.type.rank
        perm = list(reversed(range(rank))) if name == "T" else list(range(rank - 2)) + [rank - 1, rank - 2]
        return cx.op("nn.transpose", [x], cx.result_type(), {"perm": perm})
    if name == "data":
        return x
    if isinstance(x, (tuple, list)) and name in ("values", "indices"):
        return x[("values", "indices").index(name)]  # torch.return_types (max, min, ...)
    raise cx.unsupported(f"attribute .{name}")


@converts("expand", *_aten("expand"))
def _expand(cx, node, x, *sizes, implicit=False):
    out = cx.result_type()
    sizes = _dims(sizes)
    entries = []
    for i, s in enumerate(sizes):
        if isinstance(s, int) and s == -1:
            entries.append(1)  # nn.expand broadcasts: 1 keeps the input's size
        elif isinstance(s, int):
            entries.append(s)
        else:
            entries += cx.int_entries([s])
    return cx.op("nn.expand", [x, cx.shape_tensor(entries)], out)


@converts("expand_as", *_aten("expand_as"))
def _expand_as(cx, node, x, other):
    entries = [cx.size_entry(other, i) for i in range(other.type.rank)]
    return cx.op("nn.expand", [x, cx.shape_tensor(entries)], cx.result_type())


@converts(torch.movedim, torch.moveaxis, "movedim", "moveaxis", *_aten("movedim.int", "movedim.intlist"))
def _movedim(cx, node, x, source, destination):
    rank = x.type.rank
    source = [_axis(d, rank) for d in ([source] if isinstance(source, int) else source)]
    destination = [_axis(d, rank) for d in ([destination] if isinstance(destination, int) else destination)]
    perm = [None] * rank
    for s, d in zip(source, destination):
        perm[d] = s
    rest = iter(a for a in range(rank) if a not in source)
    perm = [p if p is not None else next(rest) for p in perm]
    return cx.op("nn.transpose", [x], cx.result_type(), {"perm": perm})


@converts(torch.flip, "flip", *_aten("flip"))
def _flip(cx, node, x, *dims):
    axes = [_axis(d, x.type.rank) for d in _dims(dims)]
    n = len(axes)
    operands = [x, cx.i64([-1] * n), cx.i64([-2**62] * n), cx.i64(axes), cx.i64([-1] * n)]
    return cx.op("nn.slice", operands, cx.result_type(), syntax="{0}, {1}, {2} axes {3} steps {4}")


@converts(torch.roll, "roll", *_aten("roll"))
def _roll(cx, node, x, shifts, dims=None):
    out = cx.result_type()
    shifts = [shifts] if isinstance(shifts, int) else list(shifts)
    if dims is None or dims == [] or dims == ():
        if not x.type.is_static():
            raise cx.unsupported("roll without dims of a tensor with dynamic dimensions")
        flat = cx.reshape(x, [-1], x.type.with_dims([math.prod(x.type.dims)]))
        return cx.reshape(_roll_axis(cx, flat, 0, shifts[0]), list(x.type.dims), out)
    for shift, dim in zip(shifts, [dims] if isinstance(dims, int) else dims):
        x = _roll_axis(cx, x, _axis(dim, x.type.rank), shift)
    return x


def _roll_axis(cx, x, axis, shift):
    size = x.type.dims[axis]
    if not isinstance(size, int):
        raise cx.unsupported("roll along a dynamic dimension")
    shift %= max(size, 1)
    if shift == 0:
        return x

    def piece(start, end):
        dims = list(x.type.dims)
        dims[axis] = end - start
        return _slice(cx, x, axis, start, end, 1, x.type.with_dims(dims))

    return cx.op("nn.concat", [piece(size - shift, size), piece(0, size - shift)], x.type, {"axis": axis})


@converts("tile", torch.tile, *_aten("tile"))
def _tile(cx, node, x, *reps):
    reps = _dims(reps)
    return _repeat(cx, node, x, [1] * (x.type.rank - len(reps)) + reps)


@converts("repeat", *_aten("repeat"))
def _repeat(cx, node, x, *repeats):
    repeats = _dims(repeats)
    out = cx.result_type()
    if len(repeats) > x.type.rank:
        extra = len(repeats) - x.type.rank
        x = cx.op("nn.unsqueeze", [x], x.type.with_dims([1] * extra + list(x.type.dims)),
                  {"axes": list(range(extra))})
    return cx.op("nn.tile", [x, cx.shape_tensor(cx.int_entries(repeats))], out)


@converts(torch.cat, torch.concat, *_aten("cat", "concat"))
def _cat(cx, node, tensors, dim=0):
    out = cx.result_type()
    tensors = [cx.cast(t, out.dtype) for t in tensors if not (t.type.rank == 1 and t.type.dims[0] == 0)]
    if len(tensors) == 1:
        return tensors[0]
    return cx.op("nn.concat", tensors, out, {"axis": _axis(dim, out.rank)})


@converts(torch.stack, *_aten("stack"))
def _stack(cx, node, tensors, dim=0):
    out = cx.result_type()
    axis = _axis(dim, out.rank)
    pieces = []
    for t in tensors:
        dims = list(t.type.dims)
        dims.insert(axis, 1)
        pieces.append(cx.op("nn.unsqueeze", [cx.cast(t, out.dtype)], t.type.with_dims(dims).with_dtype(out.dtype),
                            {"axes": [axis]}))
    return cx.op("nn.concat", pieces, out, {"axis": axis})


def _split_pieces(cx, node, x, sizes, dim):
    t = cx.type_of(node)
    axis = _axis(dim, x.type.rank)
    results = cx.op("nn.split", [x], list(t), {"axis": axis, "num_outputs": len(sizes), "sizes": sizes})
    return tuple(results)


@converts(torch.split, "split", *_aten("split.Tensor", "split_with_sizes", "split.sizes"))
def _split(cx, node, x, split_size_or_sections, dim=0):
    t = cx.type_of(node)
    axis = _axis(dim, x.type.rank)
    sizes = [p.dims[axis] for p in t]
    if not all(isinstance(s, int) for s in sizes):
        raise cx.unsupported("split along a dynamic dimension")
    if len(sizes) == 1:
        return (x,)
    return _split_pieces(cx, node, x, sizes, axis)


@converts(torch.chunk, "chunk", *_aten("chunk"))
def _chunk(cx, node, x, chunks, dim=0):
    return _split(cx, node, x, None, dim)


@converts(torch.unbind, "unbind", *_aten("unbind.int"))
def _unbind(cx, node, x, dim=0):
    t = cx.type_of(node)
    axis = _axis(dim, x.type.rank)
    pieces = (x,)
    if len(t) > 1:
        piece_types = [pt.with_dims(list(pt.dims[:axis]) + [1] + list(pt.dims[axis:])) for pt in t]
        pieces = cx.op("nn.split", [x], piece_types, {"axis": axis, "num_outputs": len(t), "sizes": [1] * len(t)})
    out = []
    for piece, pt in zip(pieces, t):
        out.append(cx.op("nn.squeeze", [piece], pt, {"axes": [axis]}))
    return tuple(out)


def _slice(cx, x, axis, start, end, step, out):
    size = x.type.dims[axis]
    start = 0 if start is None else start
    big = 2**62
    end = big if end is None else end
    if isinstance(start, int) and isinstance(end, int) and step == 1 and start in (0,) and (
            end >= big or isinstance(size, int) and end >= size):
        return x
    starts = cx.shape_tensor(cx.int_entries([start]))
    ends = cx.shape_tensor(cx.int_entries([min(end, big) if isinstance(end, int) else end]))
    axes = cx.i64([axis])
    steps = cx.i64([step])
    return cx.op("nn.slice", [x, starts, ends, axes, steps], out, syntax="{0}, {1}, {2} axes {3} steps {4}")


@converts(torch.narrow, "narrow", *_aten("narrow"))
def _narrow(cx, node, x, dim, start, length):
    axis = _axis(dim, x.type.rank)
    if isinstance(start, int) and isinstance(length, int):
        end = start + length
    else:
        end = _int_arith(cx, "nn.add", start, length)
    return _slice(cx, x, axis, start, end, 1, cx.result_type())


@converts(*_aten("slice.Tensor"))
def _aten_slice(cx, node, x, dim=0, start=None, end=None, step=1):
    return _slice(cx, x, _axis(dim, x.type.rank), start, end, step, cx.result_type())


@converts(torch.select, "select", *_aten("select.int"))
def _select(cx, node, x, dim, index):
    axis = _axis(dim, x.type.rank)
    return cx.op("nn.gather", [x, cx.tensor(index, torch.int64)], cx.result_type(), {"axis": axis})


@converts(torch.index_select, "index_select", *_aten("index_select"))
def _index_select(cx, node, x, dim, index):
    return cx.op("nn.gather", [x, index], cx.result_type(), {"axis": _axis(dim, x.type.rank)})


@converts(torch.gather, "gather", *_aten("gather"))
def _gather(cx, node, x, dim, index, sparse_grad=False):
    return cx.op("nn.gather_elements", [x, index], cx.result_type(), {"axis": _axis(dim, x.type.rank)})


@converts(F.embedding, *_aten("embedding"))
def _embedding(cx, node, a, b, padding_idx=None, max_norm=None, *rest, **kwargs):
    # F.embedding(input, weight, ...) and aten.embedding(weight, input, ...).
    if isinstance(node.target, torch._ops.OpOverload):
        weight, indices = a, b
    else:
        indices, weight = a, b
    if max_norm is not None and not isinstance(node.target, torch._ops.OpOverload):
        raise cx.unsupported("max_norm (it renormalizes the weight in place)")
    return cx.op("nn.gather", [weight, indices], cx.result_type(), {"axis": 0})


@converts(operator.getitem)
def _getitem(cx, node, x, index):
    if isinstance(x, (tuple, list)):
        return x[index]
    if not isinstance(x, Value):
        raise cx.unsupported(f"indexing a {type(x).__name__}")
    if x.is_dynamic_int:
        raise cx.unsupported("indexing a size")
    return _index(cx, node, x, index)


def _index(cx, node, x, index):
    """Tensor indexing: ints, slices, None, Ellipsis and at most one index
    tensor (x[:, 0], x[..., 1:3], x[None], x[idx])."""
    out = cx.result_type()
    if not isinstance(index, tuple):
        index = (index,)
    if sum(1 for i in index if i is Ellipsis) > 1:
        raise cx.unsupported("more than one Ellipsis")
    consumed = sum(1 for i in index if i is not None and i is not Ellipsis)
    expanded = []
    for i in index:
        if i is Ellipsis:
            expanded += [slice(None)] * (x.type.rank - consumed)
        else:
            expanded.append(i)
    tensor_indices = [i for i in expanded if isinstance(i, Value)]
    if len(tensor_indices) > 1:
        raise cx.unsupported("indexing with more than one index tensor")
    current = x
    axis = 0
    squeeze = []
    unsqueeze = []
    out_axis = 0
    for item in expanded:
        if item is None:
            unsqueeze.append(out_axis)
            out_axis += 1
            continue
        if isinstance(item, slice):
            step = 1 if item.step is None else item.step
            if step <= 0:
                raise cx.unsupported("slices with a step <= 0")
            dims = list(current.type.dims)
            sliced = _slice_dim(dims[axis], item)
            dims[axis] = sliced
            current = _slice(cx, current, axis, item.start, item.stop, step, current.type.with_dims(dims))
            axis += 1
            out_axis += 1
            continue
        if isinstance(item, Value) and item.type.dtype == torch.bool:
            raise cx.unsupported("boolean mask indexing (its result shape depends on the data)")
        if isinstance(item, Value) and item.type.rank > 0:
            dims = list(current.type.dims)
            dims[axis:axis + 1] = list(item.type.dims)
            current = cx.op("nn.gather", [current, cx.cast(item, torch.int64)], current.type.with_dims(dims),
                            {"axis": axis})
            axis += item.type.rank
            out_axis += item.type.rank
            continue
        # An int (or a rank-0 tensor) picks one element and drops the axis.
        dims = list(current.type.dims)
        dims[axis] = 1
        idx = cx.tensor(item, torch.int64)
        idx = cx.reshape(idx, [1], TensorType(torch.int64, [1]))
        current = cx.op("nn.gather", [current, idx], current.type.with_dims(dims), {"axis": axis})
        squeeze.append(axis)
        axis += 1
    if squeeze:
        dims = [d for i, d in enumerate(current.type.dims) if i not in squeeze]
        current = cx.op("nn.squeeze", [current], current.type.with_dims(dims), {"axes": squeeze})
    if unsqueeze:
        current = cx.op("nn.unsqueeze", [current], out, {"axes": unsqueeze})
    if str(current.type) != str(out):
        current = cx.op("nn.identity", [current], out)
    return current


def _slice_dim(size, item):
    if not isinstance(size, int):
        return None if (item.start, item.stop) != (None, None) else size
    return len(range(size)[item])


@converts(*_aten("index.Tensor"))
def _aten_index(cx, node, x, indices):
    index = tuple(slice(None) if i is None else i for i in indices)
    return _index(cx, node, x, index)


@converts(*_aten("unsafe_split.Tensor"))
def _aten_unsafe_split(cx, node, x, split_size, dim=0):
    return _split(cx, node, x, split_size, dim)


def _triangle(upper):
    def convert(cx, node, x, diagonal=0):
        out = cx.result_type()
        rank = x.type.rank
        rows, cols = x.type.dims[-2], x.type.dims[-1]
        if isinstance(rows, int) and isinstance(cols, int):
            keep = torch.ones(rows, cols, dtype=torch.bool)
            keep = cx.constant(keep.triu(diagonal) if upper else keep.tril(diagonal))
        else:
            i64 = torch.int64

            def index(dim, size):
                end = cx.scalar(size, i64) if isinstance(size, int) else cx.tensor(
                    mark_dynamic_int(cx.dim_value(x, dim)))
                return cx.op("nn.range", [cx.scalar(0, i64), end, cx.scalar(1, i64)], TensorType(i64, [size]))

            row = cx.reshape(index(rank - 2, rows), [-1, 1], TensorType(i64, [rows, 1]))
            offset = cx.op("nn.sub", [index(rank - 1, cols), row], TensorType(i64, [rows, cols]))  # col - row
            keep = cx.op("nn.greater_equal" if upper else "nn.less_equal", [offset, cx.scalar(int(diagonal), i64)],
                         TensorType(torch.bool, [rows, cols]))
        return cx.op("nn.where", [keep, x, cx.scalar(0, out.dtype)], out)

    return convert


converts(torch.tril, "tril", "tril_", *_aten("tril"))(_triangle(False))
converts(torch.triu, "triu", "triu_", *_aten("triu"))(_triangle(True))


# --------------------------------------------------------------------------
# Tensor creation


def _full_like_shape(cx, node, entries, value):
    out = cx.result_type()
    if out.is_static():
        return cx.constant(torch.full(out.dims, value, dtype=out.dtype))
    shape = cx.shape_tensor(entries)
    return cx.op("nn.constant_of_shape", [shape], out, syntax="{0}, " + _dense_text(value, out.dtype))


def _dense_text(value, dtype):
    if dtype == torch.bool:
        return f"dense<{'true' if value else 'false'}> : tensor<1xi1>"
    from .mlir import element_type, float_literal

    if dtype.is_floating_point:
        literal = float_literal(float(value), element_type(dtype)).split(" : ")[0]
        return f"dense<{literal}> : tensor<1x{element_type(dtype)}>"
    return f"dense<{int(value)}> : tensor<1x{element_type(dtype)}>"


def _creation(value_of):
    def convert(cx, node, *args, **kwargs):
        if node.op == "call_method" or "new_" in str(node.target):
            args = args[1:]  # x.new_zeros(size): the sizes follow the tensor
        size_args = [a for a in args if not isinstance(a, (float, bool)) or isinstance(a, int)]
        out = cx.result_type()
        entries = []
        for i, d in enumerate(out.dims):
            entries.append(d if isinstance(d, int) else None)
        if not out.is_static():
            sizes = _dims(size_args[:1] if size_args and isinstance(size_args[0], (list, tuple)) else size_args)
            entries = cx.int_entries([s for s in sizes][: out.rank])
        return _full_like_shape(cx, node, entries, value_of(args, kwargs))

    return convert


converts(torch.zeros, "new_zeros", *_aten("zeros", "new_zeros"))(_creation(lambda a, k: 0))
converts(torch.ones, "new_ones", *_aten("ones", "new_ones"))(_creation(lambda a, k: 1))


@converts(torch.full, "new_full", *_aten("full", "new_full"))
def _full(cx, node, *args, **kwargs):
    if node.op == "call_method" or "new_full" in str(node.target):
        _, size, value = args[:3]
    else:
        size, value = args[:2] if len(args) >= 2 else (args[0], kwargs.get("fill_value"))
    value = kwargs.get("fill_value", value)
    out = cx.result_type()
    if out.is_static():
        return cx.constant(torch.full(out.dims, value, dtype=out.dtype))
    return _full_like_shape(cx, node, cx.int_entries(_dims([size])), value)


def _like(value_of):
    def convert(cx, node, x, *args, **kwargs):
        out = cx.result_type()
        value = value_of(args, kwargs)
        if out.is_static():
            return cx.constant(torch.full(out.dims, value, dtype=out.dtype))
        entries = [cx.size_entry(x, i) for i in range(x.type.rank)]
        return _full_like_shape(cx, node, entries, value)

    return convert


converts(torch.zeros_like, *_aten("zeros_like"))(_like(lambda a, k: 0))
converts(torch.ones_like, *_aten("ones_like"))(_like(lambda a, k: 1))
converts(torch.full_like, *_aten("full_like"))(_like(lambda a, k: k.get("fill_value", a[0] if a else 0)))


@converts("new_tensor")
def _new_tensor(cx, node, x, data, **kwargs):
    return cx.constant(torch.tensor(data, dtype=cx.result_type().dtype))


@converts(_f("one_hot"), *_aten("one_hot"))
def _one_hot(cx, node, x, num_classes=-1):
    if num_classes < 0:
        raise cx.unsupported("num_classes=-1 (the number of classes depends on the data)", "pass num_classes")
    out = cx.result_type()
    classes = cx.constant(torch.arange(num_classes, dtype=x.type.dtype))
    column = cx.op("nn.unsqueeze", [x], x.type.with_dims(list(x.type.dims) + [1]), {"axes": [x.type.rank]})
    return cx.cast(cx.op("nn.equal", [column, classes], out.with_dtype(torch.bool)), out.dtype)


@converts(torch.arange, *_aten("arange", "arange.start", "arange.start_step"))
def _arange(cx, node, *args, **kwargs):
    out = cx.result_type()
    numbers = [a for a in args if isinstance(a, (int, float, Value))]
    if len(numbers) == 1:
        start, end, step = 0, numbers[0], 1
    elif len(numbers) == 2:
        (start, end), step = numbers, 1
    else:
        start, end, step = numbers[:3]
    start, end, step = kwargs.get("start", start), kwargs.get("end", end), kwargs.get("step", step)
    if not any(isinstance(v, Value) for v in (start, end, step)):
        return cx.constant(torch.arange(start, end, step, dtype=out.dtype))
    return cx.op("nn.range", [cx.tensor(start, out.dtype), cx.tensor(end, out.dtype), cx.tensor(step, out.dtype)], out)


@converts(torch.eye, *_aten("eye", "eye.m"))
def _eye(cx, node, n, m=None, **kwargs):
    out = cx.result_type()
    if out.is_static():
        return cx.constant(torch.eye(*out.dims, dtype=out.dtype))
    i64 = torch.int64
    rows, cols = out.dims

    def index(size, count):
        return cx.op("nn.range", [cx.scalar(0, i64), cx.tensor(count, i64), cx.scalar(1, i64)], TensorType(i64, [size]))

    row = cx.reshape(index(rows, n), [-1, 1], TensorType(i64, [rows, 1]))
    column = index(cols, n if m is None else m)
    return cx.cast(cx.op("nn.equal", [row, column], out.with_dtype(torch.bool)), out.dtype)


@converts(*_aten("scalar_tensor"))
def _scalar_tensor(cx, node, value, **kwargs):
    return cx.scalar(value, cx.result_type().dtype)


# --------------------------------------------------------------------------
# Attention


def _attention(cx, q, k, v, mask, is_causal, scale, out):
    """softmax(q @ k^T * scale + mask) @ v over the last two dims."""
    dtype = out.dtype
    head_dim = q.type.dims[-1]
    if scale is None:
        if not isinstance(head_dim, int):
            raise cx.unsupported("attention with a dynamic head dimension and no scale")
        scale = 1.0 / math.sqrt(head_dim)
    L, S = q.type.dims[-2], k.type.dims[-2]
    batch = list(q.type.dims[:-2])
    kt = _transpose_last(cx, k)
    scores_type = TensorType(dtype, batch + [L, S])
    q = cx.op("nn.mul", [q, cx.scalar(scale, dtype)], q.type)
    scores = cx.op("nn.matmul", [q, kt], scores_type)
    if is_causal:
        if not (isinstance(L, int) and isinstance(S, int)):
            raise cx.unsupported("is_causal with a dynamic sequence length")
        keep = torch.ones(L, S, dtype=torch.bool).tril()
        mask = cx.constant(keep)
    if mask is not None:
        if mask.type.dtype == torch.bool:
            neg = cx.scalar(float("-inf"), dtype)
            zero = cx.scalar(0.0, dtype)
            bias_type = mask.type.with_dtype(dtype)
            mask = cx.op("nn.where", [mask, zero, neg], bias_type)
        scores = cx.op("nn.add", [scores, cx.cast(mask, dtype)], scores_type)
    weights = cx.op("nn.softmax", [scores], scores_type, {"axis": len(batch) + 1})
    return cx.op("nn.matmul", [weights, v], out), weights


def _sdpa_flex(cx, node, q, k, v, attn_mask, mask_node, is_causal, scale, out):
    """scaled_dot_product_attention as attn.flex (None where it cannot be:
    float64, or ranks other than 3 and 4). A bool mask keeps where True."""
    rank = q.type.rank
    if out.dtype not in flex.FLEX_DTYPES or rank not in (3, 4) or k.type.rank != rank or v.type.rank != rank:
        return None
    layout = ("b", "h", "q", "kv") if rank == 4 else ("b", "q", "kv")
    masks = []
    if attn_mask is not None:
        axes = flex.mask_axes(attn_mask.type.rank, layout)
        if axes is None:
            return None
        masks.append(flex.Mask(attn_mask, mask_node, True, axes))
    if rank == 3:  # [N, L, E] -> [N, 1, L, E]
        q, k, v = (cx.op("nn.unsqueeze", [t], t.type.with_dims([t.type.dims[0], 1] + list(t.type.dims[1:])),
                         {"axes": [1]}) for t in (q, k, v))
    out_type, _ = flex.output_types(q, v, out.dtype)
    scale = flex.default_scale(cx, q) if scale is None else scale
    result = flex.dense_attention(cx, q, k, v, scale, out_type, causal=is_causal, masks=masks)
    if rank == 3:
        result = cx.op("nn.squeeze", [result], out, {"axes": [1]})
    return result


def _mask_node(node, index, name="attn_mask"):
    """The FX node passed as `name` (positional `index`; None: keyword-only)."""
    value = node.kwargs.get(name)
    if value is None and index is not None and len(node.args) > index:
        value = node.args[index]
    return value if isinstance(value, torch.fx.Node) else None


@converts(_f("scaled_dot_product_attention"), *_aten("scaled_dot_product_attention"))
def _sdpa(cx, node, q, k, v, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None, enable_gqa=False):
    if dropout_p:
        raise cx.unsupported("attention dropout", "call model.eval() before compiling")
    out = cx.result_type()
    result = _sdpa_flex(cx, node, q, k, v, attn_mask, _mask_node(node, 3), is_causal, scale, out)
    if result is not None:
        return result
    if enable_gqa:
        raise cx.unsupported("enable_gqa=True on float64 or on tensors of rank other than 3 or 4")
    return _attention(cx, q, k, v, attn_mask, is_causal, scale, out)[0]


@converts(*_aten("_scaled_dot_product_flash_attention_for_cpu", "_scaled_dot_product_flash_attention"))
def _sdpa_flash(cx, node, q, k, v, dropout_p=0.0, is_causal=False, *rest, attn_mask=None, scale=None, **kw):
    t = cx.type_of(node)
    out = _sdpa_flex(cx, node, q, k, v, attn_mask, _mask_node(node, None), is_causal, scale, t[0])
    if out is None:
        out, _ = _attention(cx, q, k, v, attn_mask, is_causal, scale, t[0])
    return (out,) + (None,) * (len(t) - 1)


@converts(F.multi_head_attention_forward)
def _mha(cx, node, query, key, value, embed_dim_to_check, num_heads, in_proj_weight, in_proj_bias, bias_k, bias_v,
         add_zero_attn, dropout_p, out_proj_weight, out_proj_bias, training=True, key_padding_mask=None,
         need_weights=True, attn_mask=None, use_separate_proj_weight=False, q_proj_weight=None, k_proj_weight=None,
         v_proj_weight=None, static_k=None, static_v=None, average_attn_weights=True, is_causal=False):
    """torch.nn.MultiheadAttention (sequence-first: [L, N, E])."""
    if training and dropout_p:
        raise cx.unsupported("attention dropout in training mode", "call model.eval() before compiling")
    if bias_k is not None or add_zero_attn or static_k is not None or static_v is not None:
        raise cx.unsupported("add_bias_kv / add_zero_attn / static_k / static_v")
    if query.type.rank != 3:
        raise cx.unsupported("unbatched (2-D) inputs")
    t = cx.type_of(node)
    out_type = t[0]
    dtype = out_type.dtype
    E = embed_dim_to_check
    H = num_heads
    D = E // H
    L, N = query.type.dims[0], query.type.dims[1]
    S = key.type.dims[0]

    def project(x, weight, bias, index):
        if weight is None:
            rows = [E * index, E * (index + 1)]
            weight = _slice(cx, in_proj_weight, 0, rows[0], rows[1], 1, TensorType(dtype, [E, E]))
            bias = None if in_proj_bias is None else _slice(cx, in_proj_bias, 0, rows[0], rows[1], 1,
                                                            TensorType(dtype, [E]))
        y = cx.op("nn.matmul", [x, _transpose_last(cx, weight)], TensorType(dtype, list(x.type.dims[:2]) + [E]))
        if bias is not None:
            y = cx.op("nn.add", [y, bias], y.type)
        return y

    if use_separate_proj_weight:
        biases = [None] * 3
        if in_proj_bias is not None:
            biases = [_slice(cx, in_proj_bias, 0, E * i, E * (i + 1), 1, TensorType(dtype, [E])) for i in range(3)]
        q = project(query, q_proj_weight, biases[0], 0)
        k = project(key, k_proj_weight, biases[1], 1)
        v = project(value, v_proj_weight, biases[2], 2)
    else:
        q = project(query, None, None, 0)
        k = project(key, None, None, 1)
        v = project(value, None, None, 2)

    def heads(x, length):
        # [len, N, E] -> [len, N, H, D] -> [N, H, len, D]
        split = cx.reshape(x, [0, 0, H, D], TensorType(dtype, [length, N, H, D]))
        return cx.op("nn.transpose", [split], TensorType(dtype, [N, H, length, D]), {"perm": [1, 2, 0, 3]})

    qh, kh, vh = heads(q, L), heads(k, S), heads(v, S)
    weights_used = need_weights and flex.tuple_output_used(node, 1)
    if dtype in flex.FLEX_DTYPES and not weights_used:
        attended = _mha_flex(cx, node, qh, kh, vh, attn_mask, key_padding_mask, is_causal, H,
                             TensorType(dtype, [N, H, L, D]))
        merged = cx.op("nn.transpose", [attended], TensorType(dtype, [L, N, H, D]), {"perm": [2, 0, 1, 3]})
        merged = cx.reshape(merged, [0, 0, E], TensorType(dtype, [L, N, E]))
        result = project(merged, out_proj_weight, out_proj_bias, None)
        if str(result.type) != str(out_type):
            result = cx.op("nn.identity", [result], out_type)
        return (result, None)
    mask = None
    if attn_mask is not None:
        if attn_mask.type.rank == 3:
            attn_mask = cx.reshape(attn_mask, [-1, H, attn_mask.type.dims[1], attn_mask.type.dims[2]],
                                   TensorType(attn_mask.type.dtype, [N, H, L, S]))
        mask = _mask_bias(cx, attn_mask, dtype)
    if key_padding_mask is not None:
        kpm = _mask_bias(cx, key_padding_mask, dtype, padding=True)
        kpm = cx.op("nn.unsqueeze", [kpm], TensorType(dtype, [N, 1, 1, S]), {"axes": [1, 2]})
        heads_dim = H if mask is not None and mask.type.rank == 4 else 1
        mask = kpm if mask is None else cx.op("nn.add", [mask, kpm], TensorType(dtype, [N, heads_dim, L, S]))
    if is_causal and mask is None:
        raise cx.unsupported("is_causal without an attn_mask")
    attended, weights = _attention(cx, qh, kh, vh, mask, False, None, TensorType(dtype, [N, H, L, D]))
    merged = cx.op("nn.transpose", [attended], TensorType(dtype, [L, N, H, D]), {"perm": [2, 0, 1, 3]})
    merged = cx.reshape(merged, [0, 0, E], TensorType(dtype, [L, N, E]))
    result = project(merged, out_proj_weight, out_proj_bias, None)
    if str(result.type) != str(out_type):
        result = cx.op("nn.identity", [result], out_type)
    if not need_weights:
        return (result, None)
    if average_attn_weights:
        weights = cx.op("nn.reduce", [weights], t[1], {"axes": [1], "keepdims": False}, prefix="<mean>")
    return (result, weights)


def _mha_flex(cx, node, q, k, v, attn_mask, key_padding_mask, is_causal, H, out):
    """MultiheadAttention's attention (q, k, v [N, H, L, D]) as attn.flex:
    bool masks are True where masked out; a 3-D attn_mask is [N * H, L, S]."""
    N, L = q.type.dims[0], q.type.dims[2]
    S = k.type.dims[2]
    masks = []
    # torch 2.x: is_causal is a hint that attn_mask is the causal mask;
    # MultiheadAttention then drops the mask unless key padding needs it.
    causal = bool(is_causal) and key_padding_mask is None
    if attn_mask is not None and not causal:
        mask_node = flex.arg_node(node, F.multi_head_attention_forward, "attn_mask")
        if attn_mask.type.rank == 3:
            attn_mask = cx.reshape(attn_mask, [-1, H, attn_mask.type.dims[1], attn_mask.type.dims[2]],
                                   TensorType(attn_mask.type.dtype, [N, H, L, S]))
            axes = ("b", "h", "q", "kv")
        else:
            axes = ("q", "kv")
        masks.append(flex.Mask(attn_mask, mask_node, False, axes))
    if key_padding_mask is not None:
        masks.append(flex.Mask(key_padding_mask, None, False, ("b", "kv")))
    scale = 1.0 / math.sqrt(q.type.dims[3])
    return flex.dense_attention(cx, q, k, v, scale, out, causal=causal, masks=masks)


def _mask_bias(cx, mask, dtype, padding=False):
    """A boolean mask (True = masked out for key_padding_mask and
    MultiheadAttention's attn_mask) as an additive bias of 0 / -inf."""
    if mask.type.dtype != torch.bool:
        return cx.cast(mask, dtype)
    neg = cx.scalar(float("-inf"), dtype)
    zero = cx.scalar(0.0, dtype)
    return cx.op("nn.where", [mask, neg, zero], mask.type.with_dtype(dtype))


# --------------------------------------------------------------------------
# Resampling and padding


@converts(F.pad, *_aten("constant_pad_nd", "pad"))
def _pad(cx, node, x, pad, mode="constant", value=None):
    if node.target in _aten("constant_pad_nd"):  # aten.constant_pad_nd(x, pad, value=0)
        value = mode if isinstance(mode, (int, float)) else value
        mode = "constant"
    out = cx.result_type()
    rank = x.type.rank
    begins, ends = [0] * rank, [0] * rank
    for i in range(len(pad) // 2):
        axis = rank - 1 - i
        begins[axis], ends[axis] = pad[2 * i], pad[2 * i + 1]
    if mode != "constant" and any(p < 0 for p in begins + ends):
        raise cx.unsupported(f"negative padding in mode {mode!r}")
    modes = {"constant": None, "reflect": "reflect", "replicate": "edge", "circular": "wrap"}
    if mode not in modes:
        raise cx.unsupported(f"mode={mode!r}")
    operands = [x, cx.i64(begins + ends)]
    if mode == "constant" and value:
        operands.append(cx.scalar(value, out.dtype))
    attrs = {"mode": Raw(f"#nn.pad_mode<{modes[mode]}>")} if modes[mode] else None
    return cx.op("nn.pad", operands, out, attrs)


for _mode, _names in [("reflect", ("reflection_pad1d", "reflection_pad2d", "reflection_pad3d")),
                      ("replicate", ("replication_pad1d", "replication_pad2d", "replication_pad3d")),
                      ("circular", ("_pad_circular",))]:
    converts(*_aten(*_names))(lambda cx, node, x, pad, _m=_mode: _pad(cx, node, x, pad, _m))


# torch's interpolation modes -> nn.resize modes.
_RESIZE_MODES = {"nearest": "nearest", "nearest-exact": "nearest", "linear": "linear", "bilinear": "linear",
                 "trilinear": "linear", "bicubic": "cubic"}


def _resize(cx, x, out, mode, align_corners, sizes, scales, map_with_scales=True):
    """nn.resize of `x`'s spatial dimensions (all but the first two) the
    way torch interpolates with `mode`, to `sizes` (ints and dynamic
    ints) or by `scales` (floats: the output size is floor(input * scale)).
    `map_with_scales`: torch maps output to input coordinates with the
    given scales (F.interpolate's scale_factor without
    recompute_scale_factor), not with input / output sizes; the two differ
    when a scale is not an integer."""
    if mode not in _RESIZE_MODES:
        raise cx.unsupported(f"mode={mode!r}")
    n = x.type.rank - 2
    if mode == "nearest":
        transform, rounding = "asymmetric", "floor"  # src = floor(dst / scale)
    elif mode == "nearest-exact":
        transform, rounding = "half_pixel", "round_prefer_ceil"  # src = floor((dst + 0.5) / scale)
    else:
        transform, rounding = ("align_corners" if align_corners else "half_pixel"), None
    attrs = {"mode": Raw(f"#nn.resize_mode<{_RESIZE_MODES[mode]}>"),
             "coordinate_transform": Raw(f"#nn.coordinate_transform<{transform}>")}
    if rounding:
        attrs["nearest_rounding"] = Raw(f"#nn.nearest_rounding<{rounding}>")
    if mode == "bicubic":
        attrs["cubic_coeff_a"] = -0.75
    if scales is not None:
        scales = [float(f) for f in scales]
        if len(scales) == 1:
            scales = scales * n
    if scales is not None and map_with_scales and transform != "align_corners":
        constant = cx.constant(torch.tensor([1.0, 1.0] + scales, dtype=torch.float32))
        return cx.op("nn.resize", [x, constant], out, attrs, syntax="{0} scales {1}")
    if sizes is None:
        if scales is None:
            raise cx.unsupported("interpolation without a size or a scale factor")
        # align_corners maps with input / output sizes: resize to floor(input * scale).
        sizes = [out.dims[2 + i] if isinstance(out.dims[2 + i], int) else _scaled_size(cx, x, 2 + i, scales[i])
                 for i in range(n)]
    spatial = cx.int_entries(list(sizes))
    shape = cx.shape_tensor([cx.size_entry(x, 0), cx.size_entry(x, 1)] + spatial)
    return cx.op("nn.resize", [x, shape], out, attrs, syntax="{0} sizes {1}")


def _scaled_size(cx, x, dim, scale):
    """floor(x.size(dim) * scale) at run time, as tensor<1xi64>."""
    f64 = TensorType(torch.float64, [1])
    size = cx.cast(cx.dim_value(x, dim), torch.float64)
    scaled = cx.op("nn.floor", [cx.op("nn.mul", [size, cx.scalar(float(scale), torch.float64)], f64)], f64)
    return mark_dynamic_int(cx.cast(scaled, torch.int64))


@converts(F.interpolate, _f("upsample"))
def _interpolate(cx, node, x, size=None, scale_factor=None, mode="nearest", align_corners=None,
                 recompute_scale_factor=None, antialias=False):
    if antialias:
        raise cx.unsupported("antialias=True")
    n = x.type.rank - 2
    sizes = None if size is None else list(size) if isinstance(size, (list, tuple)) else [size] * n
    scales = None
    if scale_factor is not None:
        scales = list(scale_factor) if isinstance(scale_factor, (list, tuple)) else [scale_factor] * n
    return _resize(cx, x, cx.result_type(), mode, align_corners, sizes, scales,
                   map_with_scales=not recompute_scale_factor)


def _aten_upsample(mode):
    """upsample_<mode><n>d.vec(input, output_size, [align_corners,] scale_factors) and
    upsample_<mode><n>d(self, output_size, [align_corners,] scales...)."""

    def convert(cx, node, *args, **kwargs):
        a = _bind(node, args, kwargs)
        x = a["input"] if "input" in a else a["self"]
        if "scale_factors" in a:
            scales = a["scale_factors"]
        else:
            scales = [a[k] for k in ("scales", "scales_d", "scales_h", "scales_w") if k in a]
            if any(s is None for s in scales):
                scales = None  # torch maps with input / output sizes
        return _resize(cx, x, cx.result_type(), mode, a.get("align_corners"), a["output_size"], scales)

    return convert


for _mode, _names in [
    ("nearest", ("upsample_nearest1d", "upsample_nearest2d", "upsample_nearest3d")),
    ("nearest-exact", ("_upsample_nearest_exact1d", "_upsample_nearest_exact2d", "_upsample_nearest_exact3d")),
    ("linear", ("upsample_linear1d", "upsample_bilinear2d", "upsample_trilinear3d")),
    ("bicubic", ("upsample_bicubic2d",)),
]:
    converts(*_aten(*_names, *[f"{n}.vec" for n in _names]))(_aten_upsample(_mode))


@converts(*_aten("_upsample_bilinear2d_aa", "_upsample_bilinear2d_aa.vec", "_upsample_bicubic2d_aa",
                 "_upsample_bicubic2d_aa.vec"))
def _upsample_antialias(cx, node, *args, **kwargs):
    raise cx.unsupported("antialias=True (F.interpolate with antialias)")
