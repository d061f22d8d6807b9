"""Random PyTorch programs for differential testing of `ddl.compile`.

`generate(seed)` builds a straight-line `torch.nn.Module` of 3 to 24
statements from ~50 operator forms (torch functions, Tensor methods,
torch.nn.functional and nn layers with parameters: Linear, Conv1d/2d,
BatchNorm, LayerNorm, GroupNorm, pooling), as a `Program`: the statements
with their dependencies, rendered to Python source by `render`. Values are
tracked as in onnx_gen (shape, interval, exactness), so domains are
respected, nothing overflows, and discontinuous ops only see exact values.

Works with torch 1.13 (Debian) and 2.x; shares onnx_gen's value tracking.
"""

import math
import random

import numpy as np

from onnx_gen import Skip, Value, broadcast_shape

MAX_ELEMENTS = 1 << 15
MAX_MAGNITUDE = 1e3


class Val(Value):
    """A tensor of the program (onnx_gen's tracking: shape, interval,
    exactness, depth)."""

    def __init__(self, name, shape, lo, hi, exact, depth, dtype="float32"):
        super().__init__(name, dtype, shape, lo, hi, exact, False, depth)


class Stmt:
    """`name = expr` reading `deps` (value names)."""

    def __init__(self, name, expr, deps):
        self.name, self.expr, self.deps = name, expr, list(deps)


class Program:
    """inputs: [(name, shape, dtype)], layers: {attr: constructor source},
    stmts: [Stmt], outputs: [name], depth: {name: depth}."""

    def __init__(self):
        self.inputs, self.layers, self.stmts, self.outputs, self.depth = [], {}, [], [], {}


class Gen:
    def __init__(self, rng):
        self.rng = rng
        self.p = Program()
        self.pool = []
        self.used = set()
        self.n = 0

    def name(self, prefix="v"):
        self.n += 1
        return f"{prefix}{self.n}"

    def emit(self, expr, operands, shape, lo, hi, exact, dtype="float32"):
        if int(np.prod(shape, dtype=np.int64)) > MAX_ELEMENTS or any(d <= 0 for d in shape):
            raise Skip()
        v = Val(self.name(), shape, lo, hi, exact, 1 + max((o.depth for o in operands), default=0), dtype)
        self.p.stmts.append(Stmt(v.name, expr.format(*[o.name for o in operands]),
                                 [o.name for o in operands]))
        self.p.depth[v.name] = v.depth
        self.used.update(o.name for o in operands)
        self.pool.append(v)
        return v

    def layer(self, source):
        attr = self.name("layer")
        self.p.layers[attr] = source
        return f"self.{attr}"

    def new_input(self, shape):
        v = Val(self.name("x"), shape, -2, 2, True, 0)
        self.p.inputs.append((v.name, list(shape), "float32"))
        self.pool.append(v)
        return v

    def pick(self, min_rank=0, max_rank=5, exact=False, max_mag=MAX_MAGNITUDE, pred=lambda v: True):
        def ok(v):
            return (v.dtype == "float32" and min_rank <= v.rank <= max_rank and (v.exact or not exact)
                    and v.magnitude <= max_mag and pred(v))
        cands = [v for v in self.pool if ok(v)]
        if cands and self.rng.random() > 0.1:
            k = len(cands)
            return cands[min(k - 1, int(k * (1 - self.rng.random() ** 2.5)))]
        rank = self.rng.randint(max(min_rank, 1), max(min_rank, min(max_rank, 4)))
        return self.new_input([self.rng.randint(1, 6) for _ in range(rank)])

    def partner(self, x):
        """A broadcast partner: a value, a parameter, a fresh input, a scalar."""
        rng = self.rng
        shape = list(x.shape)
        r = rng.random()
        if r < 0.3 and shape:
            shape = shape[rng.randint(0, len(shape)):]
        elif r < 0.6:
            shape = [d if rng.random() < 0.5 else 1 for d in shape]
        same = [v for v in self.pool if v.dtype == "float32" and list(v.shape) == shape and v is not x
                and v.magnitude <= MAX_MAGNITUDE]
        r = rng.random()
        if same and r < 0.4:
            return rng.choice(same), None
        if r < 0.65:
            return self.new_input(shape), None
        if r < 0.85:
            attr = self.layer(f"torch.nn.Parameter(torch.rand({shape}) * 2 - 1)")
            return Val(attr, shape, -1, 1, True, 0), attr
        c = round(rng.uniform(-2, 2), 3)
        return Val(repr(c), (), c, c, True, 0), repr(c)

    def positive(self, x, floor=0.5):
        if x.lo >= floor:
            return x
        return self.emit(f"{{}}.abs() + {floor}", [x], x.shape, floor, x.magnitude + floor, False)


def _binary_operand(g, x):
    y, literal = g.partner(x)
    return y, literal


def op_unary(g):
    rng = g.rng
    forms = {
        "torch.relu({})": lambda v: (max(v.lo, 0), max(v.hi, 0), True),
        "torch.abs({})": lambda v: (0, v.magnitude, True),
        "-{}": lambda v: (-v.hi, -v.lo, True),
        "torch.tanh({})": lambda v: (-1, 1, False),
        "torch.sigmoid({})": lambda v: (0, 1, False),
        "torch.sin({})": lambda v: (-1, 1, False),
        "torch.cos({})": lambda v: (-1, 1, False),
        "torch.erf({})": lambda v: (-1, 1, False),
        "F.gelu({})": lambda v: (-0.2, max(v.hi, 0), False),
        "F.silu({})": lambda v: (-0.3, max(v.hi, 0), False),
        "F.softplus({})": lambda v: (0, max(v.hi, 0) + 1, False),
        "F.elu({})": lambda v: (-1, max(v.hi, 0), False),
        "F.leaky_relu({}, 0.1)": lambda v: (min(v.lo * 0.1, 0), max(v.hi, 0), False),
        "F.hardswish({})": lambda v: (-0.375, max(v.hi, 0), False),
        "F.hardsigmoid({})": lambda v: (0, 1, False),
        "F.mish({})": lambda v: (-0.31, max(v.hi, 0), False),
        "F.relu6({})": lambda v: (0, 6, False),
        "torch.exp({})": lambda v: (math.exp(v.lo), math.exp(v.hi), False),
        "torch.square({})": lambda v: (0, v.magnitude ** 2, False),
        "torch.clamp({}, -0.5, 0.75)": lambda v: (-0.5, 0.75, v.exact),
        "F.softsign({})": lambda v: (-1, 1, False),
        "torch.atan({})": lambda v: (-1.58, 1.58, False),
    }
    expr = rng.choice(list(forms))
    x = g.pick(max_mag=8.0 if "exp" in expr or "square" in expr else MAX_MAGNITUDE)
    lo, hi, exact = forms[expr](x)
    return g.emit(expr, [x], x.shape, lo, hi, exact and x.exact)


def op_domain(g):
    rng = g.rng
    expr = rng.choice(["torch.log({})", "torch.sqrt({})", "torch.rsqrt({})", "torch.reciprocal({})",
                       "torch.log1p({})"])
    x = g.positive(g.pick(), 0.25)
    if "log1p" in expr:
        lo, hi = math.log1p(x.lo), math.log1p(x.hi)
    elif "log" in expr:
        lo, hi = math.log(x.lo), math.log(x.hi)
    elif "rsqrt" in expr:
        lo, hi = 1 / math.sqrt(x.hi), 1 / math.sqrt(x.lo)
    elif "sqrt" in expr:
        lo, hi = math.sqrt(x.lo), math.sqrt(x.hi)
    else:
        lo, hi = 1 / x.hi, 1 / x.lo
    return g.emit(expr, [x], x.shape, lo, hi, False)


def op_rounding(g):
    x = g.pick(exact=True)
    expr = g.rng.choice(["torch.floor({})", "torch.ceil({})", "torch.round({})", "torch.sign({})",
                         "torch.trunc({})"])
    return g.emit(expr, [x], x.shape, math.floor(x.lo) - 1, math.ceil(x.hi) + 1, True)


def op_binary(g):
    rng = g.rng
    op = rng.choice(["+", "-", "*", "/", "torch.maximum", "torch.minimum", "torch.pow", "+", "*"])
    x = g.pick()
    y, literal = _binary_operand(g, x)
    if literal is not None and op in ("torch.maximum", "torch.minimum"):
        op = "+"
    shape = broadcast_shape(x.shape, y.shape)
    operands = [x] if literal is not None else [x, y]
    rhs = literal if literal is not None else "{}"
    if literal is not None and literal.startswith("self."):
        rhs = literal
    if op == "/":
        if literal is not None and not literal.startswith("self."):
            if abs(y.lo) < 0.25:
                raise Skip()
            lo = min(x.lo / y.lo, x.hi / y.lo)
            hi = max(x.lo / y.lo, x.hi / y.lo)
        else:
            if literal is None:
                y = g.positive(y, 0.5)
                operands = [x, y]
            else:
                rhs = f"({literal}.abs() + 0.5)"
                y = Val("", y.shape, 0.5, y.magnitude + 0.5, False, 0)
            lo, hi = -x.magnitude / 0.5, x.magnitude / 0.5
        return g.emit(f"{{}} / {rhs}", operands, shape, lo, hi, False)
    if op == "torch.pow":
        x = g.positive(x, 0.25)
        if x.hi > 16:
            raise Skip()
        e = rng.choice([2, 0.5, -1, 1.5, 3])
        vals = [x.lo ** e, x.hi ** e]
        return g.emit(f"torch.pow({{}}, {e})", [x], x.shape, min(vals), max(vals), False)
    if op in ("torch.maximum", "torch.minimum"):
        lo = max(x.lo, y.lo) if op == "torch.maximum" else min(x.lo, y.lo)
        hi = max(x.hi, y.hi) if op == "torch.maximum" else min(x.hi, y.hi)
        return g.emit(f"{op}({{}}, {rhs})", operands, shape, lo, hi, x.exact and y.exact)
    if op == "+":
        lo, hi = x.lo + y.lo, x.hi + y.hi
    elif op == "-":
        lo, hi = x.lo - y.hi, x.hi - y.lo
    else:
        ps = [x.lo * y.lo, x.lo * y.hi, x.hi * y.lo, x.hi * y.hi]
        lo, hi = min(ps), max(ps)
    return g.emit(f"{{}} {op} {rhs}", operands, shape, lo, hi, False)


def op_compare(g):
    rng = g.rng
    x = g.pick(exact=True)
    y, literal = _binary_operand(g, x)
    if not y.exact:
        raise Skip()
    cmp = rng.choice(["<", ">", "<=", ">=", "=="])
    rhs = literal if literal is not None else "{}"
    operands = [x] if literal is not None else [x, y]
    shape = broadcast_shape(x.shape, y.shape)
    if rng.random() < 0.5:
        a = g.pick(pred=lambda v: True)
        try:
            out = broadcast_shape(shape, a.shape)
        except Skip:
            a = g.new_input(list(shape))
            out = shape
        fill = round(rng.uniform(-1, 1), 2)
        return g.emit(f"torch.where({{}} {cmp} {rhs}, {{}}, torch.tensor({fill}))", operands + [a], out,
                      min(a.lo, fill), max(a.hi, fill), a.exact)
    return g.emit(f"({{}} {cmp} {rhs}).float()", operands, shape, 0, 1, True)


def op_linear(g):
    rng = g.rng
    x = g.pick(min_rank=1, max_rank=3)
    k = x.shape[-1]
    n = rng.choice([1, 4, 8, 16, 17, 32])
    bias = rng.random() < 0.7
    lin = g.layer(f"torch.nn.Linear({k}, {n}, bias={bias})")
    m = x.magnitude * math.sqrt(k) * 3 + 1
    return g.emit(f"{lin}({{}})", [x], x.shape[:-1] + (n,), -m, m, False)


def op_matmul(g):
    rng = g.rng
    x = g.pick(min_rank=2, max_rank=3)
    k = x.shape[-1]
    n = rng.randint(1, 9)
    wshape = list(x.shape[:-2]) + [k, n] if rng.random() < 0.5 else [k, n]
    y = g.new_input(wshape)
    m = x.magnitude * y.magnitude * k
    out = broadcast_shape(x.shape[:-2], tuple(wshape[:-2])) + (x.shape[-2], n)
    expr = rng.choice(["torch.matmul({}, {})", "{} @ {}"])
    return g.emit(expr, [x, y], out, -m, m, False)


def _image(g, rank=4):
    x = g.pick(min_rank=rank, max_rank=rank)
    if x.rank != rank:
        x = g.new_input([g.rng.randint(1, 3), g.rng.choice([1, 2, 3, 4, 8])]
                        + [g.rng.randint(3, 10) for _ in range(rank - 2)])
    return x


def op_conv(g):
    rng = g.rng
    rank = rng.choice([4, 4, 3])
    x = _image(g, rank)
    c = x.shape[1]
    groups = c if rng.random() < 0.25 else 1
    m = groups * rng.choice([1, 2]) if groups > 1 else rng.choice([1, 4, 8, 16])
    k = rng.choice([1, 3, 3, 5])
    stride = rng.choice([1, 1, 2])
    pad = rng.randint(0, k // 2)
    dil = rng.choice([1, 1, 2])
    spatial = x.shape[2:]
    out_sp = [(s + 2 * pad - dil * (k - 1) - 1) // stride + 1 for s in spatial]
    if min(out_sp) < 1:
        raise Skip()
    cls = "Conv2d" if rank == 4 else "Conv1d"
    conv = g.layer(f"torch.nn.{cls}({c}, {m}, {k}, stride={stride}, padding={pad}, dilation={dil}, "
                   f"groups={groups}, bias={rng.random() < 0.7})")
    bound = x.magnitude * math.sqrt(c // groups * k ** (rank - 2)) * 2 + 1
    return g.emit(f"{conv}({{}})", [x], (x.shape[0], m) + tuple(out_sp), -bound, bound, False)


def op_pool(g):
    rng = g.rng
    x = _image(g, 4)
    form = rng.choice(["max", "avg", "adaptive"])
    if form == "adaptive":
        o = rng.randint(1, 2)
        return g.emit(f"F.adaptive_avg_pool2d({{}}, {o})", [x], x.shape[:2] + (o, o), x.lo, x.hi, False)
    k = rng.randint(2, 3)
    s = rng.choice([1, 2])
    p = rng.randint(0, k // 2)
    out = [(d + 2 * p - k) // s + 1 for d in x.shape[2:]]
    if min(out) < 1:
        raise Skip()
    fn = "F.max_pool2d" if form == "max" else "F.avg_pool2d"
    return g.emit(f"{fn}({{}}, {k}, {s}, {p})", [x], x.shape[:2] + tuple(out), min(x.lo, 0),
                  max(x.hi, 0), x.exact and form == "max")


def op_norm(g):
    rng = g.rng
    form = rng.choice(["batch", "layer", "group"])
    if form == "layer":
        x = g.pick(min_rank=1)
        d = x.shape[-1]
        ln = g.layer(f"torch.nn.LayerNorm({d})")
        b = 1.5 * math.sqrt(d) + 1
        return g.emit(f"{ln}({{}})", [x], x.shape, -b, b, False)
    x = _image(g, 4)
    c = x.shape[1]
    if form == "batch":
        bn = g.layer(f"_batch_norm({c})")
        b = (x.magnitude + 1) * 2 + 1
        return g.emit(f"{bn}({{}})", [x], x.shape, -b, b, False)
    groups = rng.choice([d for d in (1, 2, c) if c % d == 0])
    if x.shape[0] * (c // groups) * x.shape[2] * x.shape[3] == 1:
        raise Skip()  # eager refuses one value per group
    gn = g.layer(f"torch.nn.GroupNorm({groups}, {c})")
    b = 1.5 * math.sqrt(c // groups * x.shape[2] * x.shape[3]) + 1
    return g.emit(f"{gn}({{}})", [x], x.shape, -b, b, False)


def op_softmax(g):
    x = g.pick(min_rank=1)
    dim = g.rng.randint(-x.rank, x.rank - 1)
    if g.rng.random() < 0.6:
        return g.emit(f"torch.softmax({{}}, {dim})", [x], x.shape, 0, 1, False)
    return g.emit(f"F.log_softmax({{}}, {dim})", [x], x.shape,
                  x.lo - x.hi - math.log(x.shape[dim]) - 1, 0, False)


def op_reduce(g):
    rng = g.rng
    x = g.pick(min_rank=1)
    dims = sorted(rng.sample(range(x.rank), rng.randint(1, x.rank)))
    keep = rng.choice([True, False])
    fn = rng.choice(["sum", "mean", "amax", "amin", "logsumexp"])
    count = int(np.prod([x.shape[d] for d in dims]))
    out = tuple(1 if i in dims else d for i, d in enumerate(x.shape) if keep or i not in dims)
    m = x.magnitude
    lo, hi = {"sum": (-m * count, m * count), "mean": (x.lo, x.hi), "amax": (x.lo, x.hi),
              "amin": (x.lo, x.hi), "logsumexp": (x.lo, x.hi + math.log(count))}[fn]
    return g.emit(f"torch.{fn}({{}}, dim={tuple(dims)}, keepdim={keep})", [x], out, lo, hi,
                  x.exact and fn in ("amax", "amin"))


def op_cumsum(g):
    x = g.pick(min_rank=1)
    d = g.rng.randint(0, x.rank - 1)
    m = x.magnitude * x.shape[d]
    return g.emit(f"torch.cumsum({{}}, {d})", [x], x.shape, -m, m, False)


def _same(x, shape):
    return dict(lo=x.lo, hi=x.hi, exact=x.exact)


def op_shape(g):
    rng = g.rng
    x = g.pick(min_rank=1)
    form = rng.choice(["permute", "transpose", "reshape", "flatten", "unsqueeze", "squeeze", "flip",
                       "slice", "expand", "repeat", "roll", "narrow", "t"])
    s = list(x.shape)
    if form == "permute" and x.rank >= 2:
        perm = list(range(x.rank))
        rng.shuffle(perm)
        return g.emit(f"{{}}.permute{tuple(perm)}", [x], [s[p] for p in perm], **_same(x, s))
    if form == "transpose" and x.rank >= 2:
        a, b = rng.sample(range(x.rank), 2)
        s[a], s[b] = s[b], s[a]
        return g.emit(f"torch.transpose({{}}, {a}, {b})", [x], s, **_same(x, s))
    if form == "t" and x.rank == 2:
        return g.emit("{}.t()", [x], s[::-1], **_same(x, s))
    if form == "reshape":
        total, dims = x.size, []
        while total > 1 and len(dims) < 3:
            d = rng.choice([d for d in range(2, total + 1) if total % d == 0])
            dims.append(d)
            total //= d
        if total > 1:
            dims.append(total)
        rng.shuffle(dims)
        shown = list(dims) or [1]
        if len(dims) > 1 and rng.random() < 0.4:
            shown[rng.randrange(len(dims))] = -1
        # view needs strides it can keep, which the generator does not
        # track (after a permute, say): it views a contiguous copy.
        method = rng.choice(["reshape", "contiguous().view"])
        return g.emit(f"{{}}.{method}{tuple(shown) if len(shown) > 1 else '(' + str(shown[0]) + ',)'}",
                      [x], dims or [1], **_same(x, s))
    if form == "flatten" and x.rank >= 2:
        start = rng.randint(0, x.rank - 2)
        out = s[:start] + [int(np.prod(s[start:]))]
        return g.emit(f"torch.flatten({{}}, {start})", [x], out, **_same(x, s))
    if form == "unsqueeze" and x.rank < 5:
        d = rng.randint(0, x.rank)
        return g.emit(f"{{}}.unsqueeze({d})", [x], s[:d] + [1] + s[d:], **_same(x, s))
    if form == "squeeze":
        ones = [i for i, d in enumerate(s) if d == 1]
        if not ones:
            raise Skip()
        d = rng.choice(ones)
        return g.emit(f"{{}}.squeeze({d})", [x], s[:d] + s[d + 1:], **_same(x, s))
    if form == "flip":
        dims = sorted(rng.sample(range(x.rank), rng.randint(1, x.rank)))
        return g.emit(f"torch.flip({{}}, {dims})", [x], s, **_same(x, s))
    if form == "slice":
        d = rng.randint(0, x.rank - 1)
        n = s[d]
        a = rng.randint(0, n - 1)
        b = rng.randint(a + 1, n)
        step = rng.choice([1, 1, 2])
        idx = ", ".join([":"] * d + [f"{a}:{b}:{step}"])
        s[d] = len(range(a, b, step))
        return g.emit(f"{{}}[{idx}]", [x], s, **_same(x, s))
    if form == "narrow":
        d = rng.randint(0, x.rank - 1)
        a = rng.randint(0, s[d] - 1)
        length = rng.randint(1, s[d] - a)
        s[d] = length
        return g.emit(f"torch.narrow({{}}, {d}, {a}, {length})", [x], s, **_same(x, s))
    if form == "expand":
        out = [rng.randint(2, 3) if d == 1 else d for d in s]
        return g.emit(f"{{}}.expand({', '.join(map(str, out))})", [x], out, **_same(x, s))
    if form == "repeat":
        reps = [rng.choice([1, 2]) for _ in s]
        return g.emit(f"{{}}.repeat({', '.join(map(str, reps))})", [x], [d * r for d, r in zip(s, reps)],
                      **_same(x, s))
    if form == "roll":
        d = rng.randint(0, x.rank - 1)
        return g.emit(f"torch.roll({{}}, {rng.randint(-3, 3)}, {d})", [x], s, **_same(x, s))
    raise Skip()


def op_cat(g):
    rng = g.rng
    x = g.pick(min_rank=1)
    d = rng.randint(0, x.rank - 1)
    parts = [x]
    for _ in range(rng.randint(1, 2)):
        s = list(x.shape)
        s[d] = rng.randint(1, 4)
        parts.append(g.new_input(s))
    out = list(x.shape)
    out[d] = sum(p.shape[d] for p in parts)
    return g.emit(f"torch.cat([{', '.join(['{}'] * len(parts))}], {d})", parts, out,
                  min(p.lo for p in parts), max(p.hi for p in parts), all(p.exact for p in parts))


def op_split(g):
    rng = g.rng
    x = g.pick(min_rank=1, pred=lambda v: max(v.shape) >= 2)
    d = max(range(x.rank), key=lambda i: x.shape[i]) if rng.random() < 0.5 else rng.randint(0, x.rank - 1)
    if x.shape[d] < 2:
        raise Skip()
    chunks = rng.randint(2, min(4, x.shape[d]))
    size = -(-x.shape[d] // chunks)
    pieces = [min(size, x.shape[d] - i) for i in range(0, x.shape[d], size)]
    which = rng.randrange(len(pieces))
    s = list(x.shape)
    s[d] = pieces[which]
    return g.emit(f"torch.chunk({{}}, {chunks}, {d})[{which}]", [x], s, **_same(x, s))


def op_argmax(g):
    x = g.pick(min_rank=1, exact=True)
    d = g.rng.randint(0, x.rank - 1)
    fn = g.rng.choice(["argmax", "argmin"])
    out = x.shape[:d] + x.shape[d + 1:]
    return g.emit(f"torch.{fn}({{}}, {d}).float()", [x], out, 0, x.shape[d], True)


def op_einsum(g):
    rng = g.rng
    form = rng.choice(["ij,jk->ik", "bij,bjk->bik", "bij->bji", "ij,ij->i"])
    lhs, out = form.split("->")
    sizes = {c: rng.randint(1, 7) for c in "bijk"}
    ins = [g.new_input([sizes[c] for c in t]) for t in lhs.split(",")]
    k = int(np.prod([sizes[c] for c in set(lhs) - set(out) - {","}])) or 1
    m = 4 * k
    return g.emit(f"torch.einsum('{form}', {', '.join(['{}'] * len(ins))})", ins,
                  [sizes[c] for c in out], -m, m, len(ins) == 1)


OPS = [(op_unary, 10), (op_domain, 3), (op_rounding, 2), (op_binary, 12), (op_compare, 3),
       (op_linear, 6), (op_matmul, 3), (op_conv, 5), (op_pool, 3), (op_norm, 3), (op_softmax, 3),
       (op_reduce, 4), (op_cumsum, 1), (op_shape, 10), (op_cat, 2), (op_split, 2), (op_argmax, 1),
       (op_einsum, 1)]


def generate(seed, min_stmts=3, max_stmts=24, max_outputs=4):
    rng = random.Random(seed)
    g = Gen(rng)
    target = rng.randint(min_stmts, max_stmts)
    forms, weights = zip(*OPS)
    attempts = 0
    while len(g.p.stmts) < target and attempts < target * 20:
        attempts += 1
        mark = (len(g.p.stmts), len(g.p.inputs), dict(g.p.layers), len(g.pool), set(g.used), g.n)
        try:
            rng.choices(forms, weights)[0](g)
        except Skip:
            del g.p.stmts[mark[0]:], g.p.inputs[mark[1]:], g.pool[mark[3]:]
            g.p.layers, g.used = mark[2], mark[4]
    leaves = [s.name for s in g.p.stmts if s.name not in g.used]
    g.p.outputs = (leaves or [g.p.stmts[-1].name])[-max_outputs:]
    prune(g.p)
    return g.p


def prune(p):
    """Drops statements, inputs and layers the outputs do not need."""
    needed = set(p.outputs)
    keep = []
    for s in reversed(p.stmts):
        if s.name in needed:
            keep.append(s)
            needed.update(s.deps)
    p.stmts = list(reversed(keep))
    text = " ".join(s.expr for s in p.stmts)
    p.inputs = [i for i in p.inputs if i[0] in needed]
    p.layers = {k: v for k, v in p.layers.items() if f"self.{k}" in text}
    return p


PRELUDE = '''import torch
import torch.nn.functional as F


def _batch_norm(c):
    bn = torch.nn.BatchNorm2d(c)
    bn.running_mean.uniform_(-1, 1)
    bn.running_var.uniform_(0.5, 2)
    bn.weight.data.uniform_(0.5, 1.5)
    bn.bias.data.uniform_(-1, 1)
    return bn
'''


def render(p, seed):
    """Python source of the program: a module class `Program` and
    `make()` returning (module in eval mode, example inputs)."""
    lines = [PRELUDE, "", "class Program(torch.nn.Module):", "    def __init__(self):",
             "        super().__init__()"]
    lines += [f"        self.{k} = {v}" for k, v in p.layers.items()]
    args = ", ".join(["self"] + [i[0] for i in p.inputs])
    lines += ["", f"    def forward({args}):"]
    lines += [f"        {s.name} = {s.expr}" for s in p.stmts]
    lines.append(f"        return ({', '.join(p.outputs)},)")
    lines += ["", "", "def make():", f"    torch.manual_seed({seed})", "    module = Program().eval()",
              "    inputs = ("]
    lines += [f"        torch.rand({shape}) * 4 - 2," for _, shape, _ in p.inputs]
    lines += ["    )", "    return module, inputs", ""]
    return "\n".join(lines)
