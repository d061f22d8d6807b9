#!/usr/bin/env python3
"""attn.flex variants end to end on the CPU: each variant is one
`func.func @main` holding one attn.flex (FlexAttention-style score_mod and
mask_mod regions, captured tensors), compiled with `ddlc x.mlir -o x.so`,
run with `ddl-run` on seeded random inputs and compared with a float64
NumPy reference that materializes the whole score matrix:

    s[b,h,i,j] = scale * dot(q[b,h,i], k[b,h//G,j])          G = Hq / Hkv
    s'         = score_mod(s, b, h, i, j)                      (identity if absent)
    s''        = s' where mask_mod(b, h, i, j) else -inf       (all kept if absent)
    out[b,h,i] = sum_j softmax_j(s'')[j] * v[b,h//G,j]         (zeros if all masked)
    lse[b,h,i] = log sum_j exp(s''[j])                         (-inf if all masked)

Tolerance (fp32 inputs, fp32 kernel against float64 of the same fp32
inputs), elementwise:

    |ddl - ref| <= ATOL + RTOL * |ref|     ATOL 2e-5, RTOL 1e-4

for both the output and the log-sum-exp. Why these: an fp32 online softmax
over at most a few hundred keys, with exp/tanh as few-ulp polynomials
(ddl-approximate-math), lands around 1e-6 on outputs of magnitude ~1 (v is
N(0, 1)); the bound leaves ~10x headroom for accumulation order and the
fp32 rounding of the regions' own arithmetic (an ALiBi bias of up to 128
rounds to ~4e-6). A real mistake is far larger: dropping or adding one
key of 257 moves an output by ~1/257 * |v| ~ 4e-3 and the lse by ~4e-3,
two orders above the bound. A fully masked row must be exactly 0 with an
lse of exactly -inf; any NaN or inf elsewhere fails.

With --target cuda (the lent GPU machine) each variant is compiled with
`ddlc --target=cuda --precision=bf16 --cuda-attention-kernel`, which runs attn.flex as ddl's
fused tensor-core kernel (ddl-flex-to-gpu-kernel: Q, K, V rounded to bf16
when staged, P rounded to bf16 for P V, f32 accumulation and softmax), and
the reference takes Q, K and V rounded to bf16 first. The tolerances are
then those of bf16 probabilities: an output element is a convex
combination of V's values whose weights each carry a relative error of at
most 2^-9, so it moves by at most 2^-9 max|v| (~8e-3 for N(0, 1) values
over a few hundred keys; 1e-3 is typical):

    out: ATOL 1e-2, RTOL 2e-2        lse: ATOL 1e-3, RTOL 1e-4

The log-sum-exp does not go through bf16 (exact bf16 products, f32 sums,
ex2/lg2.approx at ~2^-22), so it keeps a bound that a dropped or extra key
(~4e-3 on a row of 257 keys) still breaks.

    /usr/bin/python3 test/e2e/attention_variants.py --ddlc build/bin/ddlc \\
        --ddl-run build/bin/ddl-run --work /tmp/attn [--variant NAME ...] \\
        [--list] [--ddl-opt build/bin/ddl-opt] [--verify-only] [--target cuda]

--list prints the variants; --variant (repeatable) picks some; --ddl-opt
also runs the verifier (`ddl-opt file.mlir`) on each generated file
before compiling it; --verify-only stops there (no ddlc, no ddl-run).
Prints one line per case (a variant, or one size of a symbolic-length
variant) with the max abs error of each checked result, then
"attention variants: N passed, M failed".

The variant table (VARIANTS) and the MLIR writer (flex_mlir) are also used
by bench/attention_cpu.py.
"""

import argparse
import math
import os
import subprocess
import sys
import time

import numpy as np

ATOL, RTOL = 2e-5, 1e-4
# --target cuda: bf16 compute (see the docstring).
BF16_TOLERANCES = {"out": (1e-2, 2e-2), "lse": (1e-3, 1e-4)}


# --- mask_mod and score_mod terms -------------------------------------------
#
# Each term is MLIR text for the region body (reading %b, %h, %i, %j and
# the captures by name) plus the same function on NumPy arrays broadcast
# over [B, H, Sq, Skv] in float64. `p` is a unique prefix for the term's
# SSA names; a score term also gets the SSA name `s` of its input score
# (the previous term's result), and each term returns (text, result name).

class Mask:
    def __init__(self, mlir, ref, desc):
        self.mlir, self.ref, self.desc = mlir, ref, desc


class Score:
    def __init__(self, mlir, ref, desc):
        self.mlir, self.ref, self.desc = mlir, ref, desc


def causal():
    return Mask(lambda p: (f"%{p} = arith.cmpi uge, %i, %j : index\n", f"%{p}"),
                lambda b, h, i, j, c: i >= j, "causal (q >= kv)")


def causal_offset(n):
    """Keeps kv <= q - n: the first n query rows have no key at all."""
    return Mask(lambda p: (f"%{p}_n = arith.constant {n} : index\n"
                           f"%{p}_jn = arith.addi %j, %{p}_n : index\n"
                           f"%{p} = arith.cmpi uge, %i, %{p}_jn : index\n", f"%{p}"),
                lambda b, h, i, j, c: i >= j + n, f"kv + {n} <= q (rows < {n} empty)")


def kv_cache_causal(n):
    """Keeps kv <= q + n: causal for queries that follow n cached keys
    (decoding)."""
    return Mask(lambda p: (f"%{p}_n = arith.constant {n} : index\n"
                           f"%{p}_in = arith.addi %i, %{p}_n : index\n"
                           f"%{p} = arith.cmpi uge, %{p}_in, %j : index\n", f"%{p}"),
                lambda b, h, i, j, c: i + n >= j, f"kv <= q + {n} (decoding after {n} keys)")


def window(w):
    """q - kv < w (signed, so kv > q is kept here; combine with causal)."""
    return Mask(lambda p: (f"%{p}_w = arith.constant {w} : index\n"
                           f"%{p}_d = arith.subi %i, %j : index\n"
                           f"%{p} = arith.cmpi slt, %{p}_d, %{p}_w : index\n", f"%{p}"),
                lambda b, h, i, j, c: i - j < w, f"q - kv < {w}")


def prefix_lm(n):
    return Mask(lambda p: (f"%{p}_n = arith.constant {n} : index\n"
                           f"%{p}_pre = arith.cmpi ult, %j, %{p}_n : index\n"
                           f"%{p}_cau = arith.cmpi uge, %i, %j : index\n"
                           f"%{p} = arith.ori %{p}_pre, %{p}_cau : i1\n", f"%{p}"),
                lambda b, h, i, j, c: (j < n) | (i >= j), f"kv < {n} or q >= kv")


def same_document():
    """Captured doc ids [B, S] (i64): keeps pairs in the same document."""
    return Mask(lambda p: (f"%{p}_di = tensor.extract %doc[%b, %i] : {{doc_type}}\n"
                           f"%{p}_dj = tensor.extract %doc[%b, %j] : {{doc_type}}\n"
                           f"%{p} = arith.cmpi eq, %{p}_di, %{p}_dj : i64\n", f"%{p}"),
                lambda b, h, i, j, c: c["doc"][b, i] == c["doc"][b, j],
                "same document (captured ids)")


def alibi(num_heads):
    """s + slope_h * (kv - q), slope_h = exp2(-8 (h + 1) / H) computed in the
    region from h."""
    def mlir(p, s):
        return (f"%{p}_h64 = arith.index_cast %h : index to i64\n"
                f"%{p}_hf = arith.sitofp %{p}_h64 : i64 to f32\n"
                f"%{p}_one = arith.constant 1.0 : f32\n"
                f"%{p}_h1 = arith.addf %{p}_hf, %{p}_one : f32\n"
                f"%{p}_k = arith.constant {-8.0 / num_heads!r} : f32\n"
                f"%{p}_e = arith.mulf %{p}_h1, %{p}_k : f32\n"
                f"%{p}_slope = math.exp2 %{p}_e : f32\n"
                f"%{p}_d = arith.subi %j, %i : index\n"
                f"%{p}_d64 = arith.index_cast %{p}_d : index to i64\n"
                f"%{p}_df = arith.sitofp %{p}_d64 : i64 to f32\n"
                f"%{p}_bias = arith.mulf %{p}_slope, %{p}_df : f32\n"
                f"%{p} = arith.addf {s}, %{p}_bias : f32\n", f"%{p}")

    def ref(s, b, h, i, j, c):
        return s + np.exp2(-8.0 * (h + 1) / num_heads) * (j - i)
    return Score(mlir, ref, f"ALiBi, slopes exp2(-8 (h+1) / {num_heads})")


def softcap(cap):
    def mlir(p, s):
        return (f"%{p}_cap = arith.constant {float(cap)!r} : f32\n"
                f"%{p}_x = arith.divf {s}, %{p}_cap : f32\n"
                f"%{p}_t = math.tanh %{p}_x : f32\n"
                f"%{p} = arith.mulf %{p}_t, %{p}_cap : f32\n", f"%{p}")
    return Score(mlir, lambda s, b, h, i, j, c: cap * np.tanh(s / cap),
                 f"softcap {cap} tanh(s / {cap})")


def relative_bias(seq):
    """s + table[h, kv - q + S - 1], table [H, 2S - 1] captured (f32)."""
    def mlir(p, s):
        return (f"%{p}_off = arith.constant {seq - 1} : index\n"
                f"%{p}_d = arith.subi %j, %i : index\n"
                f"%{p}_r = arith.addi %{p}_d, %{p}_off : index\n"
                f"%{p}_bias = tensor.extract %table[%h, %{p}_r] : {{table_type}}\n"
                f"%{p} = arith.addf {s}, %{p}_bias : f32\n", f"%{p}")
    return Score(mlir, lambda s, b, h, i, j, c: s + c["table"][h, j - i + seq - 1],
                 "relative position bias (captured table)")


# --- variants ---------------------------------------------------------------

class Variant:
    """One attn.flex instantiation. `runs` lists the sequence lengths
    (Sq, Skv) to run; more than one only with dynamic=True, where the
    sequence dims are `?` and one .so runs at each."""

    def __init__(self, name, desc, B=1, Hq=4, Hkv=None, Sq=128, Skv=None, D=64, Dv=None,
                 masks=(), scores=(), captures=(), lse=False, dynamic=False, runs=None,
                 q_gain=1.0, seed=0):
        self.name, self.desc = name, desc
        self.B, self.Hq, self.Hkv = B, Hq, Hkv or Hq
        self.Sq, self.Skv = Sq, Skv or Sq
        self.D, self.Dv = D, Dv or D
        self.masks, self.scores, self.captures = list(masks), list(scores), list(captures)
        self.lse, self.dynamic = lse, dynamic
        self.runs = runs or [(self.Sq, self.Skv)]
        self.q_gain, self.seed = q_gain, seed
        self.scale = 1.0 / math.sqrt(D)

    def shapes(self, sq, skv):
        return {"q": (self.B, self.Hq, sq, self.D), "k": (self.B, self.Hkv, skv, self.D),
                "v": (self.B, self.Hkv, skv, self.Dv)}

    def label(self, sq, skv):
        kv = f" Hkv{self.Hkv}" if self.Hkv != self.Hq else ""
        dyn = " (symbolic S)" if self.dynamic else ""
        return (f"{self.name} [B{self.B} H{self.Hq}{kv} Sq{sq} Skv{skv} D{self.D} "
                f"Dv{self.Dv}]{dyn}")


def doc_capture(B, S, docs, seed):
    """Doc ids [B, S] i64: `docs` contiguous documents of random lengths per
    batch row (a different split per row), or equal lengths if seed is None."""
    ids = np.zeros((B, S), np.int64)
    rng = np.random.default_rng(seed)
    for b in range(B):
        if seed is None:
            cuts = [S * d // docs for d in range(1, docs)]
        else:
            cuts = sorted(rng.choice(np.arange(1, S), docs - 1, replace=False))
        ids[b] = np.searchsorted(cuts, np.arange(S), side="right")
    return ids


def make_variants():
    v = []
    v.append(Variant("full", "no mods; Sq != Skv, Dv != D, B = 2",
                     B=2, Sq=100, Skv=257, Dv=48, lse=True))
    v.append(Variant("causal", "causal mask", Sq=257, masks=[causal()], lse=True))
    v.append(Variant("sliding", "causal sliding window of 64", Sq=200,
                     masks=[causal(), window(64)]))
    v.append(Variant("prefix-lm", "prefix-LM, prefix 50", Sq=200, masks=[prefix_lm(50)]))
    v.append(Variant("document", "document masking, captured doc ids [2, 200], B = 2",
                     B=2, Sq=200, masks=[same_document()],
                     captures=[("doc", lambda var: doc_capture(var.B, var.Sq, 5, 11))],
                     lse=True))
    v.append(Variant("alibi", "ALiBi bias, per-head slopes from h", Hq=8, Sq=200,
                     scores=[alibi(8)], lse=True))
    v.append(Variant("softcap", "soft-capping at 5 (q scaled x4)", Sq=100,
                     scores=[softcap(5.0)], q_gain=4.0))
    v.append(Variant("relbias", "relative position bias table [4, 199]", Sq=100,
                     scores=[relative_bias(100)],
                     captures=[("table", lambda var: np.random.default_rng(5).normal(
                         0.0, 1.0, (var.Hq, 2 * var.Sq - 1)).astype(np.float32))]))
    v.append(Variant("gqa", "grouped-query (Hq 8, Hkv 2), causal; Sq != Skv, Dv != D",
                     Hq=8, Hkv=2, Sq=128, Skv=200, Dv=32, masks=[causal()], lse=True))
    v.append(Variant("causal-d128", "causal, head dim 128 (wgmma's two 64-wide slices on sm_90a)",
                     Sq=200, D=128, masks=[causal()], lse=True))
    # Head dims of 64 and 128 mixed: which of wgmma's two products (Q K^T
    # over D, P V over Dv) a kernel change breaks.
    v.append(Variant("d128-dv64", "causal, D 128, Dv 64", Sq=200, D=128, Dv=64,
                     masks=[causal()], lse=True))
    v.append(Variant("d64-dv128", "causal, D 64, Dv 128", Sq=200, D=64, Dv=128,
                     masks=[causal()], lse=True))
    v.append(Variant("combo", "causal + sliding window 100 + softcap 5", Sq=257,
                     masks=[causal(), window(100)], scores=[softcap(5.0)], q_gain=4.0))
    v.append(Variant("empty-rows", "kv <= q - 16: 16 fully masked rows (zeros, lse -inf)",
                     Sq=100, masks=[causal_offset(16)], lse=True))
    v.append(Variant("dynamic", "tensor<1x4x?x64xf32>, causal, one .so at S = 77 and 200",
                     masks=[causal()], lse=True, dynamic=True, runs=[(77, 77), (200, 200)]))
    # Decoding shapes (GQA group x Sq <= 16: flash-decoding on the GPU,
    # the keys split across blocks).
    v.append(Variant("decode", "decoding: Sq 1, GQA Hq 8 / Hkv 2, Skv 1000, Dv != D, B = 2",
                     B=2, Hq=8, Hkv=2, Sq=1, Skv=1000, Dv=32, lse=True))
    v.append(Variant("decode-mask", "decoding 3 queries per head after 697 cached keys, "
                     "Hq 4 / Hkv 1, ALiBi", Hq=4, Hkv=1, Sq=3, Skv=700,
                     masks=[kv_cache_causal(697)], scores=[alibi(4)], lse=True))
    for i, var in enumerate(v):
        var.seed = 1000 + 17 * i
    return v


VARIANTS = {var.name: var for var in make_variants()}


# --- MLIR -------------------------------------------------------------------

def tensor_type(shape, elem="f32"):
    return "tensor<" + "x".join("?" if d is None else str(d) for d in shape) + f"x{elem}>"


def flex_mlir(var, capture_values=None, sq=None, skv=None, elem="f32"):
    """The .mlir text of `func.func @main` with one attn.flex. Inputs are
    named q, k, v, then the captures by name; outputs out (and lse).
    `capture_values` (name -> array) gives the captures' shapes and element
    types. A dynamic variant writes `?` for the sequence dims. `elem` is
    the element type of q, k, v and out (the log-sum-exp is f32)."""
    sq = None if var.dynamic else (sq or var.Sq)
    skv = None if var.dynamic else (skv or var.Skv)
    capture_values = capture_values or {}
    tq = tensor_type((var.B, var.Hq, sq, var.D), elem)
    tk = tensor_type((var.B, var.Hkv, skv, var.D), elem)
    tv = tensor_type((var.B, var.Hkv, skv, var.Dv), elem)
    to = tensor_type((var.B, var.Hq, sq, var.Dv), elem)
    tl = tensor_type((var.B, var.Hq, sq))
    cap_names = [name for name, _ in var.captures]
    cap_types = []
    for name in cap_names:
        value = capture_values[name]
        elem = {np.dtype(np.float32): "f32", np.dtype(np.int64): "i64"}[value.dtype]
        cap_types.append(tensor_type(value.shape, elem))
    types = {f"{n}_type": t for n, t in zip(cap_names, cap_types)}
    args = [f"%q: {tq} {{nn.name = \"q\"}}", f"%k: {tk} {{nn.name = \"k\"}}",
            f"%v: {tv} {{nn.name = \"v\"}}"]
    args += [f"%{n}_in: {t} {{nn.name = \"{n}\"}}" for n, t in zip(cap_names, cap_types)]
    results = [f"{to} {{nn.name = \"out\"}}"]
    if var.lse:
        results.append(f"{tl} {{nn.name = \"lse\"}}")
    cap_block_args = "".join(f", %{n}: {t}" for n, t in zip(cap_names, cap_types))
    ind = "      "
    lines = [f"// attn.flex variant '{var.name}': {var.desc}",
             "func.func @main(" + ", ".join(args) + ")",
             "    -> (" + ", ".join(results) + ") {"]
    outs = "%out, %lse" if var.lse else "%out"
    captures = ""
    if cap_names:
        captures = (" captures(" + ", ".join(f"%{n}_in" for n in cap_names) + " : "
                    + ", ".join(cap_types) + ")")
    lines.append(f"  {outs} = attn.flex %q, %k, %v{captures} scale {var.scale!r}")
    lines.append(f"      : {tq}, {tk}, {tv}")
    lines.append(f"      -> {to}" + (f", {tl}" if var.lse else ""))
    if var.scores:
        lines.append("      score_mod {")
        lines.append(f"      ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index"
                     f"{cap_block_args}):")
        cur = "%s"
        for n, term in enumerate(var.scores):
            body, cur_next = term.mlir(f"sc{n}", cur)
            lines += [ind + "  " + line for line in body.format(**types).splitlines()]
            cur = cur_next
        lines.append(f"{ind}  attn.yield {cur} : f32")
        lines.append("      }" if not var.masks else "      } mask_mod {")
    elif var.masks:
        lines.append("      mask_mod {")
    if var.masks:
        lines.append(f"      ^bb0(%b: index, %h: index, %i: index, %j: index{cap_block_args}):")
        keep = None
        for n, term in enumerate(var.masks):
            body, bit = term.mlir(f"m{n}")
            lines += [ind + "  " + line for line in body.format(**types).splitlines()]
            if keep is not None:
                lines.append(f"{ind}  %and{n} = arith.andi {keep}, {bit} : i1")
                bit = f"%and{n}"
            keep = bit
        lines.append(f"{ind}  attn.yield {keep} : i1")
        lines.append("      }")
    lines.append(f"  return {outs} : {to}" + (f", {tl}" if var.lse else ""))
    lines.append("}")
    return "\n".join(lines) + "\n"


# --- reference --------------------------------------------------------------

def keep_mask(var, captures, sq, skv):
    """Boolean [B, Hq, Sq, Skv] (broadcast) of the kept pairs."""
    b, h, i, j = np.ix_(np.arange(var.B), np.arange(var.Hq), np.arange(sq), np.arange(skv))
    keep = np.ones((1, 1, 1, 1), bool)
    for term in var.masks:
        keep = keep & term.ref(b, h, i, j, captures)
    return np.broadcast_to(keep, (var.B, var.Hq, sq, skv))


def reference(var, inputs, captures):
    """(out, lse) in float64, materialized."""
    q = inputs["q"].astype(np.float64)
    k = np.repeat(inputs["k"].astype(np.float64), var.Hq // var.Hkv, axis=1)
    v = np.repeat(inputs["v"].astype(np.float64), var.Hq // var.Hkv, axis=1)
    sq, skv = q.shape[2], k.shape[2]
    s = np.einsum("bhid,bhjd->bhij", q, k) * var.scale
    b, h, i, j = np.ix_(np.arange(var.B), np.arange(var.Hq), np.arange(sq), np.arange(skv))
    for term in var.scores:
        s = term.ref(s, b, h, i, j, captures)
    s = np.where(keep_mask(var, captures, sq, skv), s, -np.inf)
    m = s.max(axis=-1, keepdims=True)
    empty = np.isneginf(m)
    p = np.exp(s - np.where(empty, 0.0, m))
    denom = p.sum(axis=-1, keepdims=True)
    out = np.einsum("bhij,bhjd->bhid", p / np.where(empty, 1.0, denom), v)
    with np.errstate(divide="ignore"):
        lse = np.where(empty, -np.inf, m + np.log(np.where(empty, 1.0, denom)))[..., 0]
    return out, lse


def round_to_bf16(x):
    """float32 array rounded to the nearest bf16 (ties to even), as float32."""
    bits = np.ascontiguousarray(x, np.float32).view(np.uint32).astype(np.uint64)
    bits = (bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000
    return bits.astype(np.uint32).view(np.float32)


def make_inputs(var, sq, skv, seed):
    rng = np.random.default_rng(seed)
    shapes = var.shapes(sq, skv)
    x = {n: rng.standard_normal(shapes[n]).astype(np.float32) for n in ("q", "k", "v")}
    x["q"] *= np.float32(var.q_gain)
    return x


def make_captures(var):
    return {name: fn(var) for name, fn in var.captures}


# --- checking ---------------------------------------------------------------

def compare(got, want, what, atol=ATOL, rtol=RTOL):
    """(ok, max abs error over the finite reference, message)."""
    if got.shape != want.shape:
        return False, float("inf"), f"{what} shape {list(got.shape)}, expected {list(want.shape)}"
    if got.dtype != np.float32:
        return False, float("inf"), f"{what} dtype {got.dtype}, expected float32"
    g = got.astype(np.float64)
    fin = np.isfinite(want)
    # Non-finite references (lse of an empty row) must match exactly.
    if (g[~fin] != want[~fin]).any():
        n = int((g[~fin] != want[~fin]).sum())
        return False, float("inf"), f"{what}: {n} rows should be -inf and are not"
    if not np.isfinite(g[fin]).all():
        n = int((~np.isfinite(g[fin])).sum())
        return False, float("inf"), f"{what}: {n} non-finite values"
    diff = np.abs(g[fin] - want[fin])
    bad = diff > atol + rtol * np.abs(want[fin])
    err = float(diff.max()) if diff.size else 0.0
    if bad.any():
        idx = np.argwhere(fin)[np.argmax(diff / (atol + rtol * np.abs(want[fin])))]
        return False, err, (f"{what}: {int(bad.sum())}/{bad.size} outside the tolerance, "
                            f"worst at {tuple(int(x) for x in idx)}: got {g[tuple(idx)]:.7g}, "
                            f"expected {want[tuple(idx)]:.7g}")
    return True, err, ""


def empty_rows_ok(var, captures, got_out, sq, skv):
    """A row with no kept key must be exactly zero."""
    keep = keep_mask(var, captures, sq, skv).any(axis=-1)
    if keep.all():
        return True, ""
    rows = got_out[~keep]
    if (rows != 0).any():
        return False, f"{int((~keep).sum())} empty rows: output not all zero"
    return True, ""


def run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True, errors="replace")


def check_variant(var, args):
    """List of (ok, line)."""
    work = os.path.join(args.work, var.name)
    os.makedirs(work, exist_ok=True)
    captures = make_captures(var)
    source = os.path.join(work, "model.mlir")
    with open(source, "w") as f:
        f.write(flex_mlir(var, captures))
    if args.ddl_opt:
        proc = run([args.ddl_opt, source, "-o", os.devnull])
        if proc.returncode != 0:
            return [(False, f"FAIL {var.name}: ddl-opt rejects {source}\n"
                            f"{proc.stderr[-3000:]}")]
    if args.verify_only:
        return [(True, f"VERIFIED {var.name}: {source}")]
    so = os.path.join(work, "model.so")
    start = time.perf_counter()
    target = (["--target=cuda", "--precision=bf16", "--cuda-attention-kernel"]
              if args.target == "cuda" else [])
    proc = run([args.ddlc, source, "-o", so] + target)
    compile_s = time.perf_counter() - start
    if proc.returncode != 0:
        return [(False, f"FAIL {var.name}: ddlc exit {proc.returncode} after "
                        f"{compile_s:.1f} s\n{proc.stderr[-3000:]}")]
    results = []
    for n, (sq, skv) in enumerate(var.runs):
        label = var.label(sq, skv)
        inputs = make_inputs(var, sq, skv, var.seed + n)
        cmd = [args.ddl_run, so, "--threads", str(args.threads),
               "--output-dir", os.path.join(work, f"out{n}")]
        for name, value in list(inputs.items()) + list(captures.items()):
            path = os.path.join(work, f"{name}{n}.npy")
            np.save(path, value)
            cmd += ["--input", f"{name}={path}"]
        proc = run(cmd)
        if proc.returncode != 0:
            results.append((False, f"FAIL {label}: ddl-run exit {proc.returncode}\n"
                                   f"{proc.stderr[-3000:]}"))
            continue
        tolerances = {"out": (ATOL, RTOL), "lse": (ATOL, RTOL)}
        if args.target == "cuda":
            inputs = {name: round_to_bf16(x) for name, x in inputs.items()}
            tolerances = BF16_TOLERANCES
        want_out, want_lse = reference(var, inputs, captures)
        got_out = np.load(os.path.join(work, f"out{n}", "out.npy"))
        ok, err, msg = compare(got_out, want_out, "out", *tolerances["out"])
        problems = [msg] if msg else []
        parts = [f"out max abs {err:.2g}"]
        if ok:
            ok, msg = empty_rows_ok(var, captures, got_out, sq, skv)
            problems += [msg] if msg else []
        if var.lse:
            got_lse = np.load(os.path.join(work, f"out{n}", "lse.npy"))
            lse_ok, err, msg = compare(got_lse, want_lse, "lse", *tolerances["lse"])
            ok = ok and lse_ok
            problems += [msg] if msg else []
            parts.append(f"lse max abs {err:.2g}")
        line = (f"{'PASS' if ok else 'FAIL'} {label}: " + ", ".join(parts)
                + (f" (compile {compile_s:.1f} s)" if n == 0 else ""))
        if problems:
            line += "\n    " + "\n    ".join(problems)
        results.append((ok, line))
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ddlc", default="ddlc")
    parser.add_argument("--ddl-run", dest="ddl_run", default="ddl-run")
    parser.add_argument("--ddl-opt", dest="ddl_opt",
                        help="also verify each generated .mlir with this ddl-opt")
    parser.add_argument("--verify-only", dest="verify_only", action="store_true",
                        help="only write and verify the .mlir files (needs --ddl-opt)")
    parser.add_argument("--work", help="folder for the generated files (required unless --list)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--target", choices=["cpu", "cuda"], default="cpu",
                        help="cuda: compile for the GPU in bf16 (see above) and run there")
    parser.add_argument("--variant", action="append", default=[],
                        help="run only this variant (repeatable); see --list")
    parser.add_argument("--list", action="store_true", help="list the variants and exit")
    args = parser.parse_args()
    if args.list:
        for var in VARIANTS.values():
            sizes = ", ".join(var.label(sq, skv) for sq, skv in var.runs)
            print(f"{var.name:12} {var.desc}\n{'':12} {sizes}"
                  f"{'; lse checked' if var.lse else ''}")
        return 0
    if not args.work:
        parser.error("--work is required")
    if args.verify_only and not args.ddl_opt:
        parser.error("--verify-only needs --ddl-opt")
    unknown = [n for n in args.variant if n not in VARIANTS]
    if unknown:
        parser.error(f"unknown variants: {', '.join(unknown)} (see --list)")
    names = args.variant or list(VARIANTS)
    passed = failed = 0
    for name in names:
        for ok, line in check_variant(VARIANTS[name], args):
            print(line, flush=True)
            passed += ok
            failed += not ok
    print(f"attention variants: {passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
