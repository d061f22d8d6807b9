"""Attention with your own score and mask functions (FlexAttention's API),
compiled by ddl into one fused kernel.

    import ddl
    from ddl.attention import flex_attention, causal_mask

    def soft_cap(score, b, h, q_idx, kv_idx):
        return torch.tanh(score / 30) * 30

    out = flex_attention(q, k, v, score_mod=soft_cap, mask_mod=causal_mask)

`flex_attention` runs in eager PyTorch as plain math (it is the reference
the compiled code is checked against) on any torch, 1.13 included. When a
module calling it is compiled with `ddl.compile`, the call becomes one
`attn.flex` op: `score_mod` and `mask_mod` are traced with torch.fx and
compiled into the attention kernel as scalar code, the tensors they read
(a bias table, document ids; inputs, buffers, parameters or constants)
passed along, and no [Sq, Skv] score matrix is ever stored.

A mod is called with one (score and) index per (query, key) pair, so it
may use elementwise arithmetic, comparisons, `torch.where`, `&`, `|`, `~`,
math functions (`torch.tanh`, `exp`, `exp2`, `log`, `abs`, `sqrt`, ...),
casts, and reads of tensors at computed indices (`bias[h, kv_idx - q_idx]`,
`doc_ids[b, q_idx]`); not Python `if` on those values, reductions or
slices. Eager mode calls it once with broadcast index tensors
([B, 1, 1, 1], [1, H, 1, 1], [1, 1, Sq, 1], [1, 1, 1, Skv]).
"""

import math

import torch
import torch.fx as fx

from .errors import CaptureError, DdlError, UnsupportedOperatorError

__all__ = ["flex_attention", "causal_mask", "sliding_window_mask", "and_masks", "or_masks"]


def flex_attention(query, key, value, score_mod=None, mask_mod=None, scale=None, return_lse=False):
    """Attention with a score function and a mask function:

        s = scale * q[b, h] . k[b, h // G]        (G = Hq / Hkv)
        s = score_mod(s, b, h, q_idx, kv_idx)
        s = -inf where not mask_mod(b, h, q_idx, kv_idx)
        out[b, h, q_idx] = softmax over kv_idx of s, times v[b, h // G]

    query [B, Hq, Sq, D], key [B, Hkv, Skv, D], value [B, Hkv, Skv, Dv];
    Hq a multiple of Hkv (grouped-query attention when larger). Returns
    out [B, Hq, Sq, Dv] in query's dtype, and with return_lse=True also the
    log-sum-exp of each row's scores, [B, Hq, Sq] float32 (natural log).
    Scores are computed in float32; a row whose keys are all masked gets
    zeros (and a log-sum-exp of -inf). scale defaults to 1 / sqrt(D).

    score_mod(score, b, h, q_idx, kv_idx) -> score and mask_mod(b, h,
    q_idx, kv_idx) -> bool (True keeps the pair) take scalar-like tensors:
    see the module's documentation for what they may do."""
    tracer = _concrete_tracer(query, key, value)
    if tracer is not None:
        return _trace_call(tracer, query, key, value, score_mod, mask_mod, scale, return_lse)
    _check_shapes(query, key, value)
    if _exporting(query):
        return _torch_flex_attention(query, key, value, score_mod, mask_mod, scale, return_lse)
    return _reference(query, key, value, score_mod, mask_mod, scale, return_lse)


def causal_mask(b, h, q_idx, kv_idx):
    """mask_mod of causal attention: each query sees itself and the keys
    before it."""
    return q_idx >= kv_idx


def sliding_window_mask(window):
    """mask_mod of causal attention over the last `window` keys."""

    def mask_mod(b, h, q_idx, kv_idx):
        return (q_idx >= kv_idx) & (q_idx - kv_idx < window)

    return mask_mod


def and_masks(*mask_mods):
    """mask_mod keeping the pairs that every one of `mask_mods` keeps."""

    def mask_mod(b, h, q_idx, kv_idx):
        keep = mask_mods[0](b, h, q_idx, kv_idx)
        for m in mask_mods[1:]:
            keep = keep & m(b, h, q_idx, kv_idx)
        return keep

    return mask_mod


def or_masks(*mask_mods):
    """mask_mod keeping the pairs that any of `mask_mods` keeps."""

    def mask_mod(b, h, q_idx, kv_idx):
        keep = mask_mods[0](b, h, q_idx, kv_idx)
        for m in mask_mods[1:]:
            keep = keep | m(b, h, q_idx, kv_idx)
        return keep

    return mask_mod


# --------------------------------------------------------------------------
# Eager mode


def _check_shapes(query, key, value):
    for name, t in (("query", query), ("key", key), ("value", value)):
        if t.dim() != 4:
            raise ValueError(f"flex_attention: {name} must be 4-D [batch, heads, sequence, dim], "
                             f"got shape {tuple(t.shape)}")
    B, Hq, _, D = query.shape
    if key.shape[0] != B or value.shape[0] != B:
        raise ValueError("flex_attention: query, key and value must have one batch size")
    if key.shape[1] != value.shape[1] or key.shape[2] != value.shape[2]:
        raise ValueError("flex_attention: key and value must have the same heads and length")
    if key.shape[3] != D:
        raise ValueError("flex_attention: query and key must have one head dim")
    if key.shape[1] == 0 or Hq % key.shape[1] != 0:
        raise ValueError(f"flex_attention: query heads ({Hq}) must be a multiple of key/value "
                         f"heads ({key.shape[1]})")


def _reference(query, key, value, score_mod, mask_mod, scale, return_lse):
    """flex_attention in plain torch (float32 scores)."""
    B, Hq, Sq, D = query.shape
    Hkv, Skv = key.shape[1], key.shape[2]
    if scale is None:
        scale = 1.0 / math.sqrt(D)
    if Hq != Hkv:
        key = key.repeat_interleave(Hq // Hkv, dim=1)
        value = value.repeat_interleave(Hq // Hkv, dim=1)
    s = torch.matmul(query.float(), key.float().transpose(-2, -1)) * scale
    device = query.device
    b = torch.arange(B, device=device).view(B, 1, 1, 1)
    h = torch.arange(Hq, device=device).view(1, Hq, 1, 1)
    q_idx = torch.arange(Sq, device=device).view(1, 1, Sq, 1)
    kv_idx = torch.arange(Skv, device=device).view(1, 1, 1, Skv)
    if score_mod is not None:
        s = torch.as_tensor(score_mod(s, b, h, q_idx, kv_idx), device=device).float()
        s = s.expand(B, Hq, Sq, Skv)
    if mask_mod is not None:
        keep = torch.as_tensor(mask_mod(b, h, q_idx, kv_idx), device=device).bool()
        s = s.masked_fill(~keep.expand(B, Hq, Sq, Skv), float("-inf"))
    row_max = s.amax(dim=-1, keepdim=True)
    empty = row_max == float("-inf")
    row_max = row_max.masked_fill(empty, 0.0)
    p = torch.exp(s - row_max)
    total = p.sum(dim=-1, keepdim=True)
    out = torch.matmul(p / total.masked_fill(empty, 1.0), value.float()).to(query.dtype)
    if not return_lse:
        return out
    lse = (torch.log(total) + row_max).squeeze(-1)
    return out, lse


def _flex_call(query, key, value, score_mod, score_captures, mask_mod, mask_captures, scale,
               return_lse):
    """What ddl's capture records for one flex_attention call: the mods are
    traced graphs (GraphModules) taking the tensors they read after their
    usual arguments. ddl's converter turns it into attn.flex; this
    function is its eager meaning, which tracing runs on the examples."""
    score = None if score_mod is None else (lambda *a: score_mod(*a, *score_captures))
    mask = None if mask_mod is None else (lambda *a: mask_mod(*a, *mask_captures))
    return _reference(query, key, value, score, mask, scale, return_lse)


# Diagnostics name the node after the public function.
_flex_call.__qualname__ = _flex_call.__name__ = "flex_attention"


# --------------------------------------------------------------------------
# ddl.compile's concrete FX tracing


def _concrete_tracer(*values):
    from .capture import _ConcreteTracer

    for v in values:
        if isinstance(v, fx.Proxy) and isinstance(v.tracer, _ConcreteTracer):
            return v.tracer
    return None


def _trace_call(tracer, query, key, value, score_mod, mask_mod, scale, return_lse):
    """Records one attention call as a `_flex_call` node of `tracer`'s graph,
    with the mods traced into GraphModules held by the root module."""
    for name, t in (("query", query), ("key", key), ("value", value)):
        if not isinstance(t, fx.Proxy) or t.dim() != 4:
            raise UnsupportedOperatorError(
                f"flex attention: {name} must be a 4-D tensor computed by the program")
    if scale is None:
        head_dim = query.size(-1)
        if not isinstance(head_dim, int):
            raise UnsupportedOperatorError(
                "flex attention with a dynamic head dimension and no scale: pass scale=")
        scale = 1.0 / math.sqrt(head_dim)
    if isinstance(scale, fx.Proxy) or isinstance(return_lse, fx.Proxy):
        raise UnsupportedOperatorError("flex attention: scale and return_lse must be Python values")
    mods = []
    for kind, fn in (("score_mod", score_mod), ("mask_mod", mask_mod)):
        if fn is None or fn is _noop_of(kind):
            mods += [None, ()]
            continue
        module, captures = _trace_mod(tracer, fn, kind)
        count = getattr(tracer, "_ddl_flex_mods", 0)
        tracer._ddl_flex_mods = count + 1
        name = f"_ddl_flex_{kind}{count}"
        tracer.root.add_module(name, module)
        mods += [tracer.create_proxy("get_attr", name, (), {}), tuple(captures)]
    args = (query, key, value, mods[0], mods[1], mods[2], mods[3], float(scale), bool(return_lse))
    return tracer.create_proxy("call_function", _flex_call, args, {})


def _noop_of(kind):
    """torch's identity score_mod / keep-everything mask_mod, when present."""
    try:
        from torch.nn.attention import flex_attention as tf
    except ImportError:
        return None
    return getattr(tf, "_identity" if kind == "score_mod" else "noop_mask", None)


class _ModProxy(fx.Proxy):
    """A value inside a mod being traced. Torch functions mixing it with
    values of the enclosing program go to the mod's tracer, which captures
    the program's values."""

    @classmethod
    def __torch_function__(cls, orig_method, types, args=None, kwargs=None):
        args = args if args else ()
        kwargs = kwargs if kwargs else {}
        found = []

        def find(a):
            if isinstance(a, _ModProxy):
                found.append(a.tracer)

        fx.node.map_aggregate(args, find)
        fx.node.map_aggregate(kwargs, find)
        tracer = found[0]
        if torch.overrides.is_tensor_method_or_property(orig_method):
            return tracer.create_proxy("call_method", orig_method.__name__, args, kwargs)
        return tracer.create_proxy("call_function", orig_method, args, kwargs)


class _ModTracer(fx.Tracer):
    """Traces a score_mod / mask_mod. Tensors it reads from outside (the
    enclosing program's traced values, buffers, parameters, constants)
    become extra placeholders: its captures."""

    def __init__(self, outer, kind):
        super().__init__()
        self.outer = outer
        self.kind = kind
        self.captures = []
        self._capture_nodes = {}

    def proxy(self, node):
        return _ModProxy(node, self)

    def create_arg(self, a):
        if isinstance(a, fx.Proxy) and a.tracer is not self:
            return self._capture(a.node, a)
        if isinstance(a, torch.Tensor):
            if a.dim() == 0 and not isinstance(a, torch.nn.Parameter) and not self._is_buffer(a):
                # A constant scalar (torch.tensor(30.0)) stays in the mod's
                # module (get_attr); the region holds it as a literal.
                return super().create_arg(a)
            return self._capture(id(a), a)
        return super().create_arg(a)

    def is_leaf_module(self, module, qualified_name):
        return False  # a mod may be a module (a GraphModule): traced through

    def path_of_module(self, module):
        try:
            return super().path_of_module(module)
        except NameError:
            return type(module).__name__

    def _is_buffer(self, tensor):
        return any(tensor is b for b in self.outer.root.buffers())

    def _capture(self, key, value):
        node = self._capture_nodes.get(key)
        if node is None:
            last = [n for n in self.graph.nodes if n.op == "placeholder"][-1]
            with self.graph.inserting_after(last):
                node = self.graph.placeholder(f"capture{len(self.captures)}")
            self.captures.append(value)
            self._capture_nodes[key] = node
        return node

    def to_bool(self, obj):
        raise UnsupportedOperatorError(
            f"{self.kind} uses a traced value in Python control flow (if, and, or, not, or a "
            "chained comparison such as a < b < c): write it with torch.where, &, | and ~")

    def iter(self, obj):
        raise UnsupportedOperatorError(f"{self.kind} iterates over a traced value")

    def keys(self, obj):
        raise UnsupportedOperatorError(f"{self.kind} unpacks a traced value with **")


def _trace_mod(outer, fn, kind):
    """(GraphModule, captures) of mod `fn`; captures are values of `outer`
    (proxies), in the order of the module's extra placeholders."""
    tracer = _ModTracer(outer, kind)
    if kind == "score_mod":
        def mod(score, b, h, q_idx, kv_idx):
            return fn(score, b, h, q_idx, kv_idx)
    else:
        def mod(b, h, q_idx, kv_idx):
            return fn(b, h, q_idx, kv_idx)
    previous = getattr(outer, "_ddl_mod_tracer", None)
    outer._ddl_mod_tracer = tracer
    try:
        graph = tracer.trace(mod)
    except DdlError:
        raise
    except Exception as e:
        raise CaptureError(
            f"tracing the {kind} of flex attention failed: {type(e).__name__}: {e}") from e
    finally:
        outer._ddl_mod_tracer = previous
    module = fx.GraphModule(tracer.root, graph)
    captures = []
    for value in tracer.captures:
        if isinstance(value, fx.Proxy):
            captures.append(value)
            continue
        try:
            node = outer.create_arg(value)
        except NameError:  # a parameter of a module the program does not own
            node = outer.create_arg(value.detach())
        captures.append(outer.proxy(node))
    return module, captures


def redirect(outer, kind, args, kwargs):
    """The mod tracer that should record an op `outer` was asked to record:
    one mixing the program's values with a mod's (`table[h, kv_idx]` where
    `table` is the program's), or None."""
    inner = getattr(outer, "_ddl_mod_tracer", None)
    if inner is None or kind not in ("call_function", "call_method"):
        return None
    found = []

    def find(a):
        if isinstance(a, _ModProxy) and a.tracer is inner:
            found.append(a)

    fx.node.map_aggregate(args, find)
    fx.node.map_aggregate(kwargs, find)
    return inner if found else None


# --------------------------------------------------------------------------
# torch 2.x FlexAttention

_TORCH_FLEX = []


def torch_flex_attention_function():
    """torch.nn.attention.flex_attention.flex_attention, or None (torch 1.x)."""
    if not _TORCH_FLEX:
        try:
            from torch.nn.attention import flex_attention as tf
        except ImportError:
            tf = None
        _TORCH_FLEX.append(getattr(tf, "flex_attention", None))
    return _TORCH_FLEX[0]


def flex_hop():
    """torch's FlexAttention operator (torch.ops.higher_order.flex_attention),
    or None."""
    if torch_flex_attention_function() is None:  # (its import registers the operator)
        return None
    try:
        return getattr(torch.ops.higher_order, "flex_attention", None)
    except Exception:
        return None


def trace_torch_flex(tracer, args, kwargs):
    """torch's flex_attention called on traced values: recorded like ours,
    with the block mask's mask_mod as mask_mod (ddl derives the block
    sparsity from the mask_mod itself)."""
    import inspect

    fn = torch_flex_attention_function()
    try:
        bound = inspect.signature(fn).bind(*args, **kwargs)
    except TypeError as e:
        raise UnsupportedOperatorError(f"flex_attention: {e}") from None
    a = bound.arguments
    block_mask = a.get("block_mask")
    mask_mod = getattr(block_mask, "mask_mod", None) if block_mask is not None else None
    aux = a.get("return_aux")
    if aux is not None and getattr(aux, "max_scores", False):
        raise UnsupportedOperatorError("flex_attention's max_scores (return_aux) output")
    want_lse = bool(a.get("return_lse", False)) or bool(getattr(aux, "lse", False))
    query, key = a["query"], a["key"]
    if not a.get("enable_gqa", False) and query.size(1) != key.size(1):
        raise UnsupportedOperatorError("flex_attention with Hq != Hkv needs enable_gqa=True")
    result = _trace_call(tracer, query, key, a["value"], a.get("score_mod"), mask_mod,
                         a.get("scale"), want_lse)
    if aux is None:
        return result
    from torch.nn.attention import flex_attention as tf

    out, lse = (result[0], result[1]) if want_lse else (result, None)
    return out, tf.AuxOutput(lse=lse, max_scores=None)


def trace_flex_hop(tracer, args, kwargs):
    """torch's FlexAttention operator called on traced values (the graphs
    TorchDynamo hands the torch.compile backend): recorded like
    flex_attention. The operator's log-sum-exp is in base 2."""
    names = ("query", "key", "value", "score_mod", "block_mask", "scale", "kernel_options",
             "score_mod_other_buffers", "mask_mod_other_buffers")
    a = dict(zip(names, args))
    a.update(kwargs)
    score_graph, block_mask = a["score_mod"], a["block_mask"]
    score_buffers = tuple(a.get("score_mod_other_buffers") or ())
    mask_buffers = tuple(a.get("mask_mod_other_buffers") or ())
    mask_graph = block_mask[-1] if block_mask else None

    def score_mod(score, b, h, q_idx, kv_idx):
        return score_graph(score, b, h, q_idx, kv_idx, *score_buffers)

    def mask_mod(b, h, q_idx, kv_idx):
        return mask_graph(b, h, q_idx, kv_idx, *mask_buffers)

    out, lse = _trace_call(tracer, a["query"], a["key"], a["value"], score_mod,
                           mask_mod if mask_graph is not None else None, a["scale"], True)
    lse = lse * (1.0 / math.log(2.0))
    return out, lse, lse  # max_scores is not computed: reading it is refused


def _exporting(query):
    """Whether torch.export is tracing the program (torch 2.x): its tensors
    are fake, but TorchDynamo is not the one tracing."""
    compiler = getattr(torch, "compiler", None)
    if compiler is None or torch_flex_attention_function() is None:
        return False
    try:
        if compiler.is_dynamo_compiling():
            return False
        check = getattr(compiler, "is_exporting", None)
        if check is not None and check():
            return True
        from torch._guards import detect_fake_mode

        return detect_fake_mode([query]) is not None
    except Exception:
        return False


def torch_flex_lse(call, return_lse):
    """Calls torch's flex_attention through `call(**extra)` asking for the
    log-sum-exp the way this torch takes it (return_aux, or the older
    return_lse)."""
    import inspect

    if not return_lse:
        return call()
    if "return_aux" in inspect.signature(torch_flex_attention_function()).parameters:
        from torch.nn.attention import flex_attention as tf

        out, aux = call(return_aux=tf.AuxRequest(lse=True))
        return out, aux.lse
    return call(return_lse=True)


def _torch_flex_attention(query, key, value, score_mod, mask_mod, scale, return_lse):
    """Under torch.export, torch's FlexAttention: the exported graph then
    holds its operator, with the mods as graphs, which ddl converts."""
    from torch.nn.attention import flex_attention as tf

    fn = tf.flex_attention
    block_mask = None
    if mask_mod is not None:
        # One block spanning everything: the mask_mod decides every pair
        # (ddl computes its own block skipping from the mask_mod; the block
        # tensors are dropped from the exported graph).
        size = getattr(tf, "_LARGE_SPARSE_BLOCK_SIZE", 1 << 30)
        device = query.device
        block_mask = tf.BlockMask.from_kv_blocks(
            torch.ones(1, 1, 1, dtype=torch.int32, device=device),
            torch.zeros(1, 1, 1, 1, dtype=torch.int32, device=device),
            BLOCK_SIZE=size, mask_mod=mask_mod, seq_lengths=(query.shape[2], key.shape[2]))

    def call(**extra):
        return fn(query, key, value, score_mod=score_mod, block_mask=block_mask, scale=scale,
                  enable_gqa=query.shape[1] != key.shape[1], **extra)

    return torch_flex_lse(call, return_lse)
