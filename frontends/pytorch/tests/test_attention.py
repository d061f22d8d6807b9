"""Attention as attn.flex: nn.MultiheadAttention / TransformerEncoder,
F.scaled_dot_product_attention and FlexAttention (torch 2.x), and
ddl.attention.flex_attention with its score_mod / mask_mod regions.

Graph tests check the emitted MLIR (and that ddl-opt accepts it); numerics
tests compile and compare with eager PyTorch."""

import subprocess

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

import ddl
from ddl import capture, convert
from ddl._tools import ddlc_path
from ddl.attention import and_masks, causal_mask, flex_attention, or_masks, sliding_window_mask

from test_ops import Apply

RTOL, ATOL = 1e-4, 1e-5
TORCH2 = hasattr(F, "scaled_dot_product_attention")


@pytest.fixture(autouse=True)
def seed():
    torch.manual_seed(0)


def graph_of(program, *inputs, dynamic=None):
    """The nn MLIR of `program` (concrete FX capture), checked by ddl-opt."""
    if isinstance(program, nn.Module):
        program.eval()
    captured = capture.trace(program, inputs, dynamic)
    text, _ = convert.Converter(captured).run()
    verify(text)
    return text


def verify(text):
    opt = ddlc_path().parent / "ddl-opt"
    result = subprocess.run([str(opt), "-"], input=text, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr + "\n" + text


def check(program, *inputs, dynamic=None, runs=(), capture="fx", flex=True):
    """Compiles `program` (with attn.flex in its graph, unless flex=False)
    and compares it with eager mode on `inputs` and on each tuple of
    `runs`; returns the compiled program. The capture is FX's unless said:
    the graphs the tests check are those of torch-level calls."""
    if isinstance(program, nn.Module):
        program.eval()
    compiled = ddl.compile(program, inputs, dynamic=dynamic, capture=capture)
    assert not flex or "attn.flex" in compiled.graph
    for args in (inputs, *runs):
        with torch.no_grad():
            expected = program(*args)
            actual = compiled(*args)
        if isinstance(expected, torch.Tensor):
            expected, actual = (expected,), (actual,)
        for a, e in zip(actual, expected):
            torch.testing.assert_close(a, e, rtol=RTOL, atol=ATOL)
    return compiled


def causal_bool(L, S=None):
    return torch.ones(L, S or L, dtype=torch.bool).triu(1)  # True = masked out


# --------------------------------------------------------------------------
# nn.MultiheadAttention and TransformerEncoder (any torch)


@pytest.mark.parametrize("batch_first", [True, False])
def test_mha_graph_is_flex_with_projections_as_matmuls(batch_first):
    mha = nn.MultiheadAttention(8, 2, batch_first=batch_first)
    program = Apply(mha, lambda m, x: m(x, x, x, need_weights=False)[0])
    text = graph_of(program, torch.randn(2, 5, 8))
    assert text.count("attn.flex") == 1
    assert "score_mod" not in text and "mask_mod" not in text
    # The q, k, v and out projections stay matmuls.
    assert "nn.softmax" not in text and text.count("nn.matmul") == 4
    assert "scale 5.00000000000000000e-01" in text  # 1 / sqrt(8 / 2)


def test_mha_constant_causal_masks_become_index_mask_mods():
    mha = nn.MultiheadAttention(8, 2, batch_first=True)

    def bool_mask(m, x):
        return m(x, x, x, attn_mask=causal_bool(x.size(1)), need_weights=False)[0]

    def float_mask(m, x):  # nn.Transformer's causal mask: 0 and -inf
        mask = torch.triu(torch.full((x.size(1), x.size(1)), float("-inf")), diagonal=1)
        return m(x, x, x, attn_mask=mask, need_weights=False)[0]

    for fn in (bool_mask, float_mask):
        text = graph_of(Apply(mha, fn), torch.randn(2, 5, 8))
        assert "captures(" not in text and "tensor.extract" not in text
        assert "arith.cmpi sge" in text and "mask_mod" in text and "score_mod" not in text


def test_mha_causal_mask_with_dynamic_length():
    mha = nn.MultiheadAttention(8, 2, batch_first=True)

    def fn(m, x):
        L = x.size(1)
        return m(x, x, x, attn_mask=x.new_ones(L, L).tril() == 0, need_weights=False)[0]

    text = graph_of(Apply(mha, fn), torch.randn(2, 5, 8), dynamic={0: {0: "batch", 1: "seq"}})
    assert "#nn.dims<batch, 2, seq, 4>" in text and "arith.cmpi sge" in text
    assert "captures(" not in text


def test_mha_offset_triangle_and_empty_masks():
    mha = nn.MultiheadAttention(8, 2, batch_first=True)
    almost = causal_bool(5)
    almost[3, 0] = True
    shifted = torch.ones(5, 5, dtype=torch.bool).triu(3)  # kv <= q + 2

    def with_mask(mask):
        return Apply(mha, lambda m, x: m(x, x, x, attn_mask=mask, need_weights=False)[0])

    text = graph_of(with_mask(almost), torch.randn(2, 5, 8))
    assert "captures(" in text  # not a triangle: read from the mask
    text = graph_of(with_mask(shifted), torch.randn(2, 5, 8))
    assert "arith.addi" in text and "arith.cmpi sge" in text and "captures(" not in text
    assert "mask_mod" not in graph_of(with_mask(torch.zeros(5, 5)), torch.randn(2, 5, 8))


def test_mha_data_masks_are_captured():
    mha = nn.MultiheadAttention(8, 2, batch_first=True)

    def fn(m, x, mask, kpm):
        return m(x, x, x, attn_mask=mask, key_padding_mask=kpm, need_weights=False)[0]

    kpm = torch.zeros(2, 5, dtype=torch.bool)
    text = graph_of(Apply(mha, fn), torch.randn(2, 5, 8), causal_bool(5), kpm)
    # The mask is an input: triangular in the example, but data.
    assert "captures(%arg1, %arg2 : tensor<5x5xi1>, tensor<2x5xi1>)" in text
    assert "[%f0mq, %f0mkv] : tensor<5x5xi1>" in text
    assert "[%f0mb, %f0mkv] : tensor<2x5xi1>" in text
    program = Apply(mha, lambda m, x, a: m(x, x, x, attn_mask=a)[0])
    text = graph_of(program, torch.randn(2, 5, 8), torch.randn(4, 5, 5))  # [N * H, L, S]
    assert "score_mod" in text and "[%f0sb, %f0sh, %f0sq, %f0skv] : tensor<2x2x5x5xf32>" in text


def test_mha_weights_decide_the_path():
    mha = nn.MultiheadAttention(8, 2)
    unused = graph_of(Apply(mha, lambda m, x: m(x, x, x)[0]), torch.randn(5, 2, 8))
    assert "attn.flex" in unused and "nn.softmax" not in unused
    used = graph_of(Apply(mha, lambda m, x: m(x, x, x)), torch.randn(5, 2, 8))
    assert "attn.flex" not in used and "nn.softmax" in used
    x64 = torch.randn(5, 2, 8).double()
    double = graph_of(Apply(mha.double(), lambda m, x: m(x, x, x)[0]), x64)
    assert "attn.flex" not in double  # float64 keeps its float64 decomposition


def test_transformer_encoder_graph():
    layer = nn.TransformerEncoderLayer(16, 2, 32, batch_first=True)
    model = nn.TransformerEncoder(layer, 2)
    mask = torch.triu(torch.full((6, 6), float("-inf")), diagonal=1)
    text = graph_of(Apply(model, lambda m, x: m(x, mask=mask)), torch.randn(2, 6, 16))
    assert text.count("attn.flex") == 2 and text.count("arith.cmpi sge") == 2
    assert "nn.softmax" not in text


MHA_CASES = {
    "plain": dict(),
    "causal_bool": dict(attn_mask="causal"),
    "causal_float": dict(attn_mask="causal_float"),
    "bool_mask": dict(attn_mask="bool"),
    "float_mask": dict(attn_mask="float"),
    "3d_mask": dict(attn_mask="3d"),
    "key_padding": dict(key_padding_mask=True),
    "float_key_padding": dict(key_padding_mask="float"),
    "causal_and_key_padding": dict(attn_mask="causal", key_padding_mask=True),
}


def _mha_masks(case, N=2, L=5, H=2):
    masks = {}
    if case.get("key_padding_mask"):
        kpm = torch.zeros(N, L, dtype=torch.bool)
        kpm[0, -2:] = True
        kpm[1, -1] = True
        if case["key_padding_mask"] == "float":
            kpm = torch.zeros(N, L).masked_fill(kpm, float("-inf"))
        masks["key_padding_mask"] = kpm
    kind = case.get("attn_mask")
    if kind == "causal":
        masks["attn_mask"] = causal_bool(L)
    elif kind == "causal_float":
        masks["attn_mask"] = torch.zeros(L, L).masked_fill(causal_bool(L), float("-inf"))
    elif kind == "bool":
        masks["attn_mask"] = (torch.rand(L, L) > 0.7).fill_diagonal_(False)
    elif kind == "float":
        masks["attn_mask"] = torch.randn(L, L)
    elif kind == "3d":
        masks["attn_mask"] = torch.randn(N * H, L, L)
    return masks


@pytest.mark.filterwarnings("ignore:Converting mask without torch.bool dtype")
@pytest.mark.parametrize("batch_first", [True, False])
@pytest.mark.parametrize("name", list(MHA_CASES))
def test_mha_numerics(name, batch_first):
    mha = nn.MultiheadAttention(8, 2, batch_first=batch_first)
    masks = _mha_masks(MHA_CASES[name])
    structural = MHA_CASES[name].get("attn_mask", "").startswith("causal")
    names = list(masks)

    given_names = [n for n in names if not (structural and n == "attn_mask")]

    def fn(m, x, *given):
        # Causal masks are made in forward (constants); others are inputs.
        kw = dict(zip(given_names, given))
        if structural:
            kw["attn_mask"] = masks["attn_mask"]
        return m(x, x, x, need_weights=False, **kw)[0]

    x = torch.randn(2, 5, 8) if batch_first else torch.randn(5, 2, 8)
    inputs = [masks[n] for n in given_names]
    compiled = check(Apply(mha, fn), x, *inputs)
    assert ("captures(" in compiled.graph) == bool(inputs)


def test_mha_default_need_weights_cross_attention():
    mha = nn.MultiheadAttention(8, 2, batch_first=True)
    check(Apply(mha, lambda m, q, kv: m(q, kv, kv)[0]), torch.randn(2, 3, 8), torch.randn(2, 6, 8))


def test_transformer_encoder_numerics_dynamic():
    layer = nn.TransformerEncoderLayer(16, 2, 32, batch_first=True)

    def fn(m, x, kpm):
        mask = nn.Transformer.generate_square_subsequent_mask(x.size(1))
        return m(x, mask=mask, src_key_padding_mask=kpm)

    kpm = torch.zeros(2, 6, dtype=torch.bool)
    kpm[1, -1] = True
    compiled = check(Apply(nn.TransformerEncoder(layer, 2), fn), torch.randn(2, 6, 16), kpm,
                     dynamic={0: {0: "batch"}, 1: {0: "batch"}},
                     runs=[(torch.randn(3, 6, 16), torch.zeros(3, 6, dtype=torch.bool))])
    assert compiled.graph.count("arith.cmpi sge") == 2


# --------------------------------------------------------------------------
# ddl.attention.flex_attention: score_mod / mask_mod regions

TABLE = torch.randn(2, 255)
DOCS = torch.tensor([0, 0, 0, 1, 1, 2, 2, 2])

SCORE_MODS = {
    "relative": lambda s, b, h, q, kv: s + (q - kv),
    "softcap": lambda s, b, h, q, kv: torch.tanh(s / 30) * 30,
    "causal_where": lambda s, b, h, q, kv: torch.where(q >= kv, s, -float("inf")),
    "bias_table": lambda s, b, h, q, kv: s + TABLE[h, kv - q + 127],
    "alibi_abs": lambda s, b, h, q, kv: s - (h + 1) * 0.25 * (q - kv).abs(),
    "exp2_sigmoid": lambda s, b, h, q, kv: torch.exp2(s) * torch.sigmoid(s) - s.pow(2),
    "int_arith": lambda s, b, h, q, kv: (
        s + (q // 3) * 0.5 - (kv % 3) + q / 4 + torch.clamp(kv - q, min=-2)),
    "casts": lambda s, b, h, q, kv: (
        s * (q > kv).float() + (s * 4).long() / 8 + kv.to(torch.float32) / 10),
    "math": lambda s, b, h, q, kv: (
        torch.sqrt(s.abs()) - torch.log1p(s * s) + torch.sin(s) * torch.erf(s)
        + torch.rsqrt(s * s + 1) + torch.log2(s * s + 1) + torch.pow(s.abs() + 1, 1.5)
        + 2 ** (s / 4)),
    "rounding": lambda s, b, h, q, kv: (
        torch.round(s * 3) + torch.floor(s) + torch.ceil(s / 2) + torch.trunc(s) + s % 0.7
        + torch.fmod(s, 0.3) + torch.sign(s) + torch.maximum(s, torch.tensor(0.5))
        + torch.minimum(s, (q - kv).float())),
}
MASK_MODS = {
    "causal": causal_mask,
    "documents": lambda b, h, q, kv: DOCS[q] == DOCS[kv],
    "logic": lambda b, h, q, kv: ((q >= kv) & ~(q - kv > 2)) | (kv == 0),
    "compare_ne": lambda b, h, q, kv: (q != kv + 1) ^ (h == 1),
    "sliding_window": sliding_window_mask(3),
    "and_or": or_masks(and_masks(causal_mask, lambda b, h, q, kv: (q - kv) < 4),
                       lambda b, h, q, kv: kv < 2),
}


def _qkv(B=2, Hq=2, Hkv=2, Sq=8, Skv=8, D=8, Dv=8, dtype=torch.float32):
    return (torch.randn(B, Hq, Sq, D, dtype=dtype), torch.randn(B, Hkv, Skv, D, dtype=dtype),
            torch.randn(B, Hkv, Skv, Dv, dtype=dtype))


def test_flex_attention_eager_matches_masked_softmax():
    q, k, v = _qkv(Hq=4, Hkv=2)
    kk, vv = k.repeat_interleave(2, 1), v.repeat_interleave(2, 1)
    keep = torch.ones(8, 8, dtype=torch.bool).tril()
    scores = (q @ kk.transpose(-2, -1)) * 0.3 + 1.0
    expected = torch.softmax(scores.masked_fill(~keep, float("-inf")), -1) @ vv
    out, lse = flex_attention(q, k, v, score_mod=lambda s, b, h, i, j: s + 1.0,
                              mask_mod=causal_mask, scale=0.3, return_lse=True)
    torch.testing.assert_close(out, expected)
    torch.testing.assert_close(lse, torch.logsumexp(scores.masked_fill(~keep, float("-inf")), -1))
    empty, lse = flex_attention(q, k, v, mask_mod=lambda b, h, i, j: j > i + 100, return_lse=True)
    assert torch.equal(empty, torch.zeros_like(empty)) and bool((lse == float("-inf")).all())


@pytest.mark.parametrize("name", list(SCORE_MODS))
def test_score_mod(name):
    mod = SCORE_MODS[name]
    text = graph_of(lambda q, k, v: flex_attention(q, k, v, score_mod=mod), *_qkv())
    assert "score_mod {" in text and "mask_mod" not in text
    check(lambda q, k, v: flex_attention(q, k, v, score_mod=mod), *_qkv())


@pytest.mark.parametrize("name", list(MASK_MODS))
def test_mask_mod(name):
    mod = MASK_MODS[name]
    text = graph_of(lambda q, k, v: flex_attention(q, k, v, mask_mod=mod), *_qkv())
    assert "mask_mod {" in text and "score_mod" not in text
    check(lambda q, k, v: flex_attention(q, k, v, mask_mod=mod), *_qkv())


def test_region_text():
    def fn(q, k, v):
        return flex_attention(q, k, v, score_mod=SCORE_MODS["bias_table"],
                              mask_mod=MASK_MODS["documents"])

    text = graph_of(fn, *_qkv())
    assert "captures(%0, %1 : tensor<2x255xf32>, tensor<8xi64>)" in text  # constants (nn.constant)
    for line in ("%f0s0 = arith.subi %f0skv, %f0sq : index",
                 "%f0s2 = arith.addi %f0s0, %f0s1 : index",
                 "%f0s3 = tensor.extract %f0sc0[%f0sh, %f0s2] : tensor<2x255xf32>",
                 "%f0s4 = arith.addf %f0sscore, %f0s3 : f32",
                 "attn.yield %f0s4 : f32",
                 "%f0m0 = tensor.extract %f0mc1[%f0mq] : tensor<8xi64>",
                 "%f0m1 = arith.index_cast %f0m0 : i64 to index",
                 "arith.cmpi eq, %f0m1, %f0m3 : index"):
        assert line in text, line


class DocumentAlibi(nn.Module):
    """Captures of every kind: a program input (document ids), a buffer,
    a parameter (stays an input of the compiled program) and a scalar."""

    def __init__(self):
        super().__init__()
        self.register_buffer("table", torch.randn(2, 15))
        self.slopes = nn.Parameter(torch.tensor([0.5, 0.25]))
        self.cap = torch.tensor(20.0)

    def forward(self, q, k, v, docs):
        def score_mod(s, b, h, qi, kv):
            capped = torch.tanh(s / self.cap) * self.cap
            return capped + self.table[h, kv - qi + 7] - self.slopes[h] * (qi - kv)

        def mask_mod(b, h, qi, kv):
            return (docs[b, qi] == docs[b, kv]) & (qi >= kv)

        return flex_attention(q, k, v, score_mod=score_mod, mask_mod=mask_mod, scale=0.5)


def test_captures_of_every_kind():
    docs = torch.tensor([[0, 0, 1, 1, 1, 2, 2, 2], [0, 1, 1, 1, 1, 1, 2, 2]])
    model = DocumentAlibi()
    text = graph_of(model, *_qkv(), docs)
    assert 'nn.name = "model.slopes"' in text and 'nn.name = "model.table"' in text
    types = "tensor<2x15xf32>, tensor<2xf32>, tensor<2x8xi64>"
    assert f"captures(%arg4, %arg5, %arg3 : {types})" in text
    assert "scale 5.00000000000000000e-01" in text and "2.000000000e+01" in text
    q, k, v = _qkv()
    compiled = check(model, q, k, v, docs)
    with torch.no_grad():  # parameters are read at each call
        model.slopes.mul_(-2)
        expected = model(q, k, v, docs)
        torch.testing.assert_close(compiled(q, k, v, docs), expected, rtol=RTOL, atol=ATOL)


def test_gqa_lse_and_dynamic_length():
    def fn(q, k, v):
        out, lse = flex_attention(q, k, v, score_mod=SCORE_MODS["relative"], mask_mod=causal_mask,
                                  return_lse=True)
        return out, lse

    q, k, v = _qkv(Hq=4, Hkv=2, Dv=4)
    compiled = check(fn, q, k, v, dynamic={0: {2: "seq"}, 1: {2: "seq"}, 2: {2: "seq"}},
                     runs=[_qkv(Hq=4, Hkv=2, Sq=13, Skv=13, Dv=4)])
    results = "tensor<2x4x?x4xf32, #nn.dims<2, 4, seq, 4>>, tensor<2x4x?xf32, #nn.dims<2, 4, seq>>"
    assert f"-> {results}" in compiled.graph


def test_cross_lengths_and_half_precision():
    q, k, v = _qkv(Sq=5, Skv=9)
    check(lambda q, k, v: flex_attention(q, k, v, mask_mod=lambda b, h, i, j: j <= i + 4), q, k, v)
    q16, k16, v16 = (t.to(torch.float16) for t in (q, k, v))
    compiled = ddl.compile(lambda q, k, v: flex_attention(q, k, v, score_mod=SCORE_MODS["softcap"]),
                           (q16, k16, v16), capture="fx")
    expected = flex_attention(q16, k16, v16, score_mod=SCORE_MODS["softcap"])
    torch.testing.assert_close(compiled(q16, k16, v16), expected, rtol=2e-3, atol=2e-3)


def test_aten_level_mods():
    """Mods recorded at the ATen level (what torch.export and make_fx
    produce) convert like torch-level ones."""
    from torch.fx.experimental.proxy_tensor import make_fx

    table = torch.randn(2, 255)

    def score_mod(s, b, h, q, kv):
        return torch.where(q >= kv, torch.tanh(s / 20) * 20 + table[h, kv - q + 127], -float("inf"))

    # One-element tensors (0-d int tensors would be read as Python ints).
    indices = [torch.zeros(1, dtype=torch.int64) for _ in range(4)]  # four distinct placeholders
    traced = make_fx(score_mod)(torch.zeros(1), *indices)
    assert any(isinstance(n.target, torch._ops.OpOverload) for n in traced.graph.nodes)
    fn = (lambda q, k, v: flex_attention(q, k, v, score_mod=traced))
    text = graph_of(fn, *_qkv())
    assert "math.tanh" in text and "arith.select" in text and "tensor.extract" in text
    check(fn, *_qkv())


def test_unsupported_mods_say_why():
    q, k, v = _qkv()

    def branch(s, b, h, qi, kv):
        return s if qi > kv else s * 2

    with pytest.raises(ddl.UnsupportedOperatorError, match="control flow"):
        graph_of(lambda q, k, v: flex_attention(q, k, v, score_mod=branch), q, k, v)

    def reduction(s, b, h, i, j):
        return s + s.sum()

    def whole_tensor(b, h, i, j):
        return (j < i) & DOCS.bool()

    with pytest.raises(ddl.UnsupportedOperatorError, match="score_mod uses .*sum"):
        graph_of(lambda q, k, v: flex_attention(q, k, v, score_mod=reduction), q, k, v)
    with pytest.raises(ddl.UnsupportedOperatorError, match="mask_mod .*rank 1 used as a scalar"):
        graph_of(lambda q, k, v: flex_attention(q, k, v, mask_mod=whole_tensor), q, k, v)


# --------------------------------------------------------------------------
# torch 2.x: scaled_dot_product_attention, MultiheadAttention through it,
# FlexAttention (under torch.export, ATen graphs; under FX capture, the
# torch-level calls)


def _torch_flex():
    try:
        from torch.nn.attention import flex_attention as tf
    except ImportError:
        return None
    return tf


need_torch2 = pytest.mark.skipif(
    not TORCH2, reason=f"torch {torch.__version__} has no F.scaled_dot_product_attention")
need_flex = pytest.mark.skipif(
    _torch_flex() is None, reason=f"torch {torch.__version__} has no FlexAttention")
CAPTURES = ["export", "fx"]


@need_torch2
@pytest.mark.parametrize("capture_mode", CAPTURES)
def test_sdpa(capture_mode):
    sdpa = F.scaled_dot_product_attention
    # Under torch.export the choice of SDPA kernel (flash or math) decides
    # whether the graph holds attention at all; FX capture always does.
    flex = capture_mode == "fx"
    q, k, v = _qkv(Sq=6, Skv=8)
    keep = torch.rand(6, 8) > 0.3
    keep[:, 0] = True

    def masks(q, k, v, m, f):
        return sdpa(q, k, v), sdpa(q, k, v, attn_mask=m), sdpa(q, k, v, attn_mask=f, scale=0.2)

    check(masks, q, k, v, keep, torch.randn(2, 1, 6, 8), capture=capture_mode, flex=flex)
    compiled = check(lambda q, k, v: sdpa(q, k, v, is_causal=True), *_qkv(), capture=capture_mode,
                     flex=flex)
    assert not flex or ("arith.cmpi sge" in compiled.graph and "captures(" not in compiled.graph)
    check(lambda q, k, v: sdpa(q, k, v, is_causal=True, enable_gqa=True), *_qkv(Hq=4, Hkv=2),
          capture=capture_mode, flex=flex)
    causal = torch.ones(8, 8, dtype=torch.bool).tril()
    compiled = check(lambda q, k, v: sdpa(q, k, v, attn_mask=causal), *_qkv(),
                     capture=capture_mode, flex=flex)
    assert not flex or ("arith.cmpi sge" in compiled.graph and "captures(" not in compiled.graph)


@need_torch2
@pytest.mark.parametrize("capture_mode", CAPTURES)
def test_mha_torch2(capture_mode):
    mha = nn.MultiheadAttention(8, 2, batch_first=True)
    flex = capture_mode == "fx"
    kpm = torch.zeros(2, 5, dtype=torch.bool)
    kpm[1, -1] = True

    def padded(m, x, p):
        return m(x, x, x, attn_mask=causal_bool(5), key_padding_mask=p, need_weights=False)[0]

    def hinted(m, x):
        return m(x, x, x, attn_mask=causal_bool(5), is_causal=True, need_weights=False)[0]

    check(Apply(mha, padded), torch.randn(2, 5, 8), kpm, capture=capture_mode, flex=flex)
    compiled = check(Apply(mha, hinted), torch.randn(2, 5, 8), capture=capture_mode, flex=flex)
    assert not flex or "arith.cmpi sge" in compiled.graph


def _torch_flex_call(tf, q, k, v, return_lse=False, **kwargs):
    """torch's flex_attention, asking for the log-sum-exp as this torch takes it."""
    from ddl.attention import torch_flex_lse

    return torch_flex_lse(lambda **extra: tf.flex_attention(q, k, v, **kwargs, **extra), return_lse)


@need_flex
@pytest.mark.parametrize("capture_mode", CAPTURES)
def test_torch_flex_attention(capture_mode):
    tf = _torch_flex()
    block_mask = tf.create_block_mask(causal_mask, None, None, 8, 8, device="cpu")
    table = torch.randn(2, 255)

    def bias(s, b, h, qi, kv):
        return s + table[h, kv - qi + 127]

    def fn(q, k, v):
        return _torch_flex_call(tf, q, k, v, return_lse=True, score_mod=bias, block_mask=block_mask)

    compiled = check(fn, *_qkv(), capture=capture_mode)
    assert "score_mod {" in compiled.graph and "mask_mod {" in compiled.graph

    def gqa(q, k, v):
        return _torch_flex_call(tf, q, k, v, score_mod=SCORE_MODS["softcap"], enable_gqa=True,
                                scale=0.4)

    check(gqa, *_qkv(Hq=4, Hkv=2), capture=capture_mode)


@need_flex
def test_ddl_flex_attention_under_export():
    docs = torch.tensor([[0, 0, 1, 1, 1, 2, 2, 2], [0, 1, 1, 1, 1, 1, 2, 2]])
    check(DocumentAlibi(), *_qkv(), docs, capture="export")


# --------------------------------------------------------------------------
# torch 2.x FlexAttention's operator, simulated on any torch with a
# stand-in operator (the real one is tested above where torch has it)


def _operator_mods():
    from torch.fx.experimental.proxy_tensor import make_fx

    table = torch.randn(2, 255)

    def score(s, b, h, q, kv, t):
        return torch.where(q >= kv, s + t[h, kv - q + 127], -float("inf"))

    def mask(b, h, q, kv):
        return (q - kv) < 5

    # The operator's mods are ATen graphs taking (score,) b, h, q_idx,
    # kv_idx and then the tensors they read.
    indices = [torch.zeros(1, dtype=torch.int64) for _ in range(4)]
    return table, make_fx(score)(torch.zeros(1), *indices, table), make_fx(mask)(*indices)


def _expected(q, k, v, table):
    return flex_attention(q, k, v, score_mod=lambda s, b, h, i, j: torch.where(
        i >= j, s + table[h, j - i + 127], -float("inf")), mask_mod=lambda b, h, i, j: (i - j) < 5,
        scale=0.5, return_lse=True)


def _run_graph(text, tmp_path, inputs):
    from ddl.compiler import ddlc_command
    from ddl.runtime import Model

    path, library = tmp_path / "graph.mlir", tmp_path / "model.so"
    path.write_text(text)
    command = ddlc_command(str(path), str(library), 3)
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return Model(str(library)).run(list(inputs))


def test_flex_operator_node_of_exported_graphs(monkeypatch, tmp_path):
    import math
    import operator

    import torch.fx as fx

    from ddl import flex
    from ddl.mlir import TensorType

    def hop(*args):
        raise AssertionError("not run")

    monkeypatch.setattr(flex, "FLEX_HOP", hop)
    monkeypatch.setitem(convert._CONVERTERS, hop, flex._hop_flex)
    table, score_graph, mask_graph = _operator_mods()
    f32 = torch.float32
    graph = fx.Graph()
    q, k, v = (graph.placeholder(n) for n in "qkv")
    t = graph.get_attr("_tensor_constant0")
    score_node, mask_node = graph.get_attr("score_mod_0"), graph.get_attr("mask_fn_0")
    ones = graph.call_function(torch.ones, ((1, 1, 1),), {"dtype": torch.int32})
    blocks = graph.call_function(torch.unique, (ones,))  # no converter: must be pruned
    block_mask = (8, 8, blocks, blocks, None, None, blocks, blocks, None, None, 128, 128, mask_node)
    node = graph.call_function(hop, (q, k, v, score_node, block_mask, 0.5, {}, (t,), ()))
    out = graph.call_function(operator.getitem, (node, 0))
    lse2 = graph.call_function(operator.getitem, (node, 1))  # base 2
    lse = graph.call_function(operator.mul, (lse2, math.log(2)))
    graph.output((out, lse))
    qkv_type, lse_type = TensorType(f32, [2, 2, 8, 8]), TensorType(f32, [2, 2, 8])
    for n in (q, k, v, out):
        n.meta["ddl_type"] = qkv_type
    for n in lse.all_input_nodes + [lse]:
        n.meta["ddl_type"] = lse_type
    node.meta["ddl_type"] = (qkv_type, lse_type, lse_type)
    t.meta["ddl_type"] = TensorType(f32, [2, 255])
    parameters = {t: ("_tensor_constant0", table), score_node: ("score_mod_0", score_graph),
                  mask_node: ("mask_fn_0", mask_graph)}
    flex.prune_block_masks(graph)
    assert not any(n.target in (torch.unique, torch.ones) for n in graph.nodes)
    captured = capture.Captured(graph, [q, k, v], ["q", "k", "v"], parameters, {})
    text, _ = convert.Converter(captured).run()
    verify(text)
    assert "score_mod {" in text and "mask_mod {" in text and "captures(" in text
    inputs = _qkv()
    actual = _run_graph(text, tmp_path, inputs)
    for a, e in zip(actual, _expected(*inputs, table)):
        torch.testing.assert_close(a, e, rtol=RTOL, atol=ATOL)


def test_flex_operator_in_dynamo_graphs(monkeypatch):
    """TorchDynamo's graphs call the operator with the mods as submodules;
    the backend's FX capture records it like flex_attention."""
    from ddl import attention

    def hop(*args):
        raise AssertionError("the stand-in operator runs only while tracing")

    monkeypatch.setattr(attention, "flex_hop", lambda: hop)
    table, score_graph, mask_graph = _operator_mods()

    class DynamoGraph(nn.Module):
        def __init__(self):
            super().__init__()
            self.score_mod_0, self.mask_fn_0 = score_graph, mask_graph
            self.register_buffer("table", table)

        def forward(self, q, k, v):
            blocks = torch.ones(1, 1, 1, dtype=torch.int32)
            block_mask = (8, 8, blocks, blocks, None, None, 128, 128, self.mask_fn_0)
            result = torch.ops.higher_order.flex_attention(
                q, k, v, self.score_mod_0, block_mask, 0.5, {}, (self.table,), ())
            return result[0], result[1] * 0.6931471805599453

    inputs = _qkv()
    compiled = ddl.compile(DynamoGraph(), inputs, capture="fx")
    assert "attn.flex" in compiled.graph
    assert "flex_attention" not in torch.ops.higher_order.__dict__  # restored after tracing
    for a, e in zip(compiled(*inputs), _expected(*inputs, table)):
        torch.testing.assert_close(a, e, rtol=RTOL, atol=ATOL)
