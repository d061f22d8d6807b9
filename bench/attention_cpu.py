#!/usr/bin/env python3
"""CPU attention variants: ddl's fused attn.flex kernel side by side with
PyTorch eager and ONNX Runtime running the materialized attention.

Variants (B = 1, H = 8, D = Dv = 64, fp32, self-attention of length S):

  full            no mask
  causal          q >= kv
  sliding-256     q >= kv and q - kv < 256
  prefix-lm       kv < S/4 or q >= kv
  document-4      same document, 4 equal documents (ids captured by attn.flex)
  alibi-causal    causal + ALiBi, s + exp2(-8 (h+1) / H) * (kv - q)
  softcap-causal  causal + soft-capping 20 tanh(s / 20)

at each --seq (default 512 1024 2048), all peers with the same --threads
(default 2):

  ddl          one `func.func @main` with one attn.flex (the MLIR of
               test/e2e/attention_variants.py, static shapes), `ddlc x.mlir
               -o x.so`, timed with `ddl-run --benchmark N --threads T` (its
               p50 after one warm-up)
  PyTorch      1.13 eager, materialized: q @ k^T * scale, the score mod,
               masked_fill(-inf), softmax, @ v; torch.set_num_threads(T),
               no_grad. The boolean mask and the ALiBi bias [1, H, S, S] are
               built once, outside the timed loop; softcap's tanh is timed.
  ONNX Runtime 1.30 (CPU EP, all graph optimizations, intraOpNumThreads T)
               through bench/ort_latency.js (cpu_latency.py's time_ort): an
               ONNX graph built with onnx.helper, Transpose + MatMul, Mul by
               the scale, the mod as ops (ALiBi: Add of Mul(slopes [1,H,1,1],
               kv - q [1,1,S,S]); softcap: Div, Tanh, Mul), Add of a constant
               additive mask (0 / -inf), Softmax, MatMul. Inputs `input` (q),
               `key`, `value`, static shapes; ORT fills them itself.

Before timing, ddl's output is compared with PyTorch's on the same inputs
(elementwise |ddl - torch| <= 1e-4 + 1e-3 |torch|); a mismatch marks the row
**wrong output** and the script exits 1. The ONNX graph of each variant is
checked once at a small S by compiling it with ddlc and comparing with
PyTorch (the ORT binding here returns no outputs), so a wrongly wired
graph cannot be timed.

Prints a Markdown table: per variant and S the fraction of (q, kv) pairs
kept, the p50s, the ratios ORT / ddl and PyTorch / ddl (above 1: ddl is
faster) with their geometric means, and GFLOP/s counting only the unmasked
work, 4 * B * H * D * kept_pairs (the same count for every peer, so the
materialized peers' wasted work on masked pairs shows as lower GFLOP/s).

    cd bench && npm install --ignore-scripts     # once: onnxruntime-node 1.30.0
    /usr/bin/python3 bench/attention_cpu.py [--ddlc build/bin/ddlc] \\
        [--ddl-run build/bin/ddl-run] [--variants causal ...] [--seq 512 1024] \\
        [--heads 8] [--runs 10] [--ddl-runs N] [--threads 2] [--json out.json]
"""

import argparse
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

from cpu_latency import geomean, parse_ddl_benchmark, percentile, time_ort

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "test", "e2e"))
import attention_variants as av  # noqa: E402  (the variants' MLIR writer)

D = 64
SOFTCAP = 20.0
# ddl vs PyTorch, both fp32: elementwise |ddl - torch| <= ATOL + RTOL |torch|.
ATOL, RTOL = 1e-4, 1e-3
# S at which each variant's ONNX graph is checked (through ddlc).
ONNX_CHECK_S = 128

# name: (mask terms for S, ALiBi, softcap or None, description)
VARIANTS = {
    "full": (lambda S: [], False, None, "no mask"),
    "causal": (lambda S: [av.causal()], False, None, "q >= kv"),
    "sliding-256": (lambda S: [av.causal(), av.window(256)], False, None,
                    "q >= kv and q - kv < 256"),
    "prefix-lm": (lambda S: [av.prefix_lm(S // 4)], False, None, "kv < S/4 or q >= kv"),
    "document-4": (lambda S: [av.same_document()], False, None,
                   "same document, 4 equal documents"),
    "alibi-causal": (lambda S: [av.causal()], True, None, "causal + ALiBi"),
    "softcap-causal": (lambda S: [av.causal()], False, SOFTCAP,
                       f"causal + softcap {SOFTCAP:g}"),
}


def flex_variant(name, S, H):
    """The attention_variants.Variant of a bench variant at length S."""
    masks, alibi, cap, desc = VARIANTS[name]
    scores = ([av.alibi(H)] if alibi else []) + ([av.softcap(cap)] if cap else [])
    captures = []
    if name == "document-4":
        captures = [("doc", lambda var: av.doc_capture(var.B, var.Sq, 4, None))]
    return av.Variant(name, desc, B=1, Hq=H, Sq=S, D=D, masks=masks(S), scores=scores,
                      captures=captures)


def mods(var, captures, S, H):
    """(keep mask [1, 1|H, S, S] bool or None, additive bias [1, H, S, S]
    float32 or None, softcap or None) as NumPy arrays."""
    _, alibi, cap, _ = VARIANTS[var.name]
    keep = None
    if var.masks:
        keep = av.keep_mask(var, captures, S, S)[:, :1]  # no mask here depends on h
    bias = None
    if alibi:
        bias = alibi_bias(H, S)
    return keep, bias, cap


def alibi_bias(H, S):
    slopes = np.exp2(-8.0 * np.arange(1, H + 1) / H).astype(np.float32)
    rel = (np.arange(S)[None, :] - np.arange(S)[:, None]).astype(np.float32)
    return slopes[None, :, None, None] * rel[None, None]


def torch_attention(scale, keep, bias, cap):
    """The materialized PyTorch attention, mask and bias prepared."""
    masked = None if keep is None else torch.from_numpy(~keep)
    bias_t = None if bias is None else torch.from_numpy(bias)

    def attend(q, k, v):
        s = torch.matmul(q, k.transpose(-1, -2)) * scale
        if bias_t is not None:
            s = s + bias_t
        if cap is not None:
            s = torch.tanh(s / cap) * cap
        if masked is not None:
            s = s.masked_fill(masked, float("-inf"))
        return torch.matmul(torch.softmax(s, dim=-1), v)
    return attend


def onnx_model(var, keep, H, S, path):
    """Materialized attention as an ONNX graph (opset 14)."""
    _, alibi, cap, _ = VARIANTS[var.name]
    shape = [1, H, S, D]
    inits, nodes = [], []

    def const(name, array):
        inits.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    nodes.append(helper.make_node("Transpose", ["key"], ["kt"], perm=[0, 1, 3, 2]))
    nodes.append(helper.make_node("MatMul", ["input", "kt"], ["qk"]))
    nodes.append(helper.make_node("Mul", ["qk", const("scale", np.array(var.scale, np.float32))],
                                  ["s0"]))
    s = "s0"
    if alibi:
        slopes = np.exp2(-8.0 * np.arange(1, H + 1) / H).astype(np.float32)
        rel = (np.arange(S)[None, :] - np.arange(S)[:, None]).astype(np.float32)
        nodes.append(helper.make_node("Mul", [const("slopes", slopes.reshape(1, H, 1, 1)),
                                              const("rel", rel.reshape(1, 1, S, S))],
                                      ["alibi"]))
        nodes.append(helper.make_node("Add", [s, "alibi"], ["s_alibi"]))
        s = "s_alibi"
    if cap is not None:
        c = const("cap", np.array(cap, np.float32))
        nodes.append(helper.make_node("Div", [s, c], ["s_div"]))
        nodes.append(helper.make_node("Tanh", ["s_div"], ["s_tanh"]))
        nodes.append(helper.make_node("Mul", ["s_tanh", c], ["s_cap"]))
        s = "s_cap"
    if keep is not None:
        additive = np.where(keep, np.float32(0), np.float32(-np.inf)).astype(np.float32)
        nodes.append(helper.make_node("Add", [s, const("mask", additive)], ["s_mask"]))
        s = "s_mask"
    nodes.append(helper.make_node("Softmax", [s], ["p"], axis=-1))
    nodes.append(helper.make_node("MatMul", ["p", "value"], ["output"]))
    graph = helper.make_graph(
        nodes, f"attention_{var.name}",
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, shape)
         for n in ("input", "key", "value")],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, shape)], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)])
    onnx.checker.check_model(model)
    onnx.save(model, path)


def random_qkv(H, S, seed):
    gen = torch.Generator().manual_seed(seed)
    return [torch.randn(1, H, S, D, generator=gen) for _ in range(3)]


def mismatch(got, want):
    """(ok, max abs error)."""
    if got.shape != want.shape:
        return False, float("inf")
    diff = np.abs(got.astype(np.float64) - want.astype(np.float64))
    ok = bool((diff <= ATOL + RTOL * np.abs(want)).all()) and bool(np.isfinite(got).all())
    return ok, float(diff.max())


def run(cmd, what):
    proc = subprocess.run(cmd, capture_output=True, text=True, errors="replace")
    if proc.returncode != 0:
        raise RuntimeError(f"{what} failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
    return proc


def ddl_run_cmd(args, so, feeds, tmp, stem):
    cmd = [args.ddl_run, so, "--threads", str(args.threads)]
    for name, value in feeds.items():
        path = os.path.join(tmp, f"{stem}_{name}.npy")
        np.save(path, value)
        cmd += ["--input", f"{name}={path}"]
    return cmd


def check_onnx_graph(args, name, tmp):
    """Compiles the variant's ONNX graph at a small S with ddlc and compares
    it with PyTorch: the graph ORT times computes the same attention."""
    H, S = args.heads, ONNX_CHECK_S
    var = flex_variant(name, S, H)
    captures = av.make_captures(var)
    keep, bias, cap = mods(var, captures, S, H)
    path = os.path.join(tmp, f"check_{name}.onnx")
    onnx_model(var, keep, H, S, path)
    so = os.path.join(tmp, f"check_{name}.so")
    run([args.ddlc, path, "-o", so], f"ddlc on the ONNX graph of {name}")
    q, k, v = random_qkv(H, S, 7)
    out_dir = os.path.join(tmp, f"check_{name}_out")
    run(ddl_run_cmd(args, so, {"input": q.numpy(), "key": k.numpy(), "value": v.numpy()},
                    tmp, f"check_{name}") + ["--output-dir", out_dir],
        f"ddl-run on the ONNX graph of {name}")
    with torch.no_grad():
        want = torch_attention(var.scale, keep, bias, cap)(q, k, v).numpy()
    ok, err = mismatch(np.load(os.path.join(out_dir, "output.npy")), want)
    if not ok:
        raise RuntimeError(f"the ONNX graph of {name} differs from PyTorch at S={S} "
                           f"(max abs {err:.3g}): fix onnx_model before timing it")


def time_torch(args, fn, q, k, v):
    times = []
    with torch.no_grad():
        y = fn(q, k, v)  # warm-up
        for _ in range(args.runs):
            start = time.perf_counter()
            fn(q, k, v)
            times.append((time.perf_counter() - start) * 1000)
    return {"runs": args.runs, "p50_ms": percentile(times, 50),
            "p90_ms": percentile(times, 90), "output": y.numpy()}


def bench_one(args, name, S, tmp):
    H = args.heads
    var = flex_variant(name, S, H)
    stem = f"{name}_{S}"
    captures = av.make_captures(var)
    keep, bias, cap = mods(var, captures, S, H)
    # Kept (b, h, q, kv) pairs; no mask here depends on h.
    kept = H * (int(keep.sum()) if keep is not None else S * S)
    r = {"variant": name, "S": S, "B": 1, "H": H, "D": D,
         "kept_fraction": kept / (H * S * S), "gflop": 4.0 * D * kept / 1e9}
    q, k, v = random_qkv(H, S, 1000 + S)

    # ddl
    source = os.path.join(tmp, stem + ".mlir")
    with open(source, "w") as f:
        f.write(av.flex_mlir(var, captures))
    so = os.path.join(tmp, stem + ".so")
    start = time.perf_counter()
    run([args.ddlc, source, "-o", so] + args.ddlc_flag, f"ddlc on {stem}")
    compile_s = time.perf_counter() - start
    out_dir = os.path.join(tmp, stem + "_out")
    feeds = dict({"q": q.numpy(), "k": k.numpy(), "v": v.numpy()}, **captures)
    proc = run(ddl_run_cmd(args, so, feeds, tmp, stem)
               + ["--benchmark", str(args.ddl_runs or args.runs), "--output-dir", out_dir],
               f"ddl-run on {stem}")
    r["ddl"] = dict(parse_ddl_benchmark(proc.stdout), compile_s=compile_s)
    ddl_out = np.load(os.path.join(out_dir, "out.npy"))

    # PyTorch eager, and the check of ddl against it
    r["torch"] = time_torch(args, torch_attention(var.scale, keep, bias, cap), q, k, v)
    ok, err = mismatch(ddl_out, r["torch"].pop("output"))
    r["ok"], r["max_abs_err"] = ok, err
    if not ok:
        print(f"{name} S={S}: WRONG OUTPUT, ddl differs from PyTorch by up to {err:.3g} "
              f"(tolerance {ATOL:g} + {RTOL:g} |torch|); not timing ORT",
              file=sys.stderr, flush=True)
        return r

    # ONNX Runtime
    onnx_path = os.path.join(tmp, stem + ".onnx")
    onnx_model(var, keep, H, S, onnx_path)
    r["ort"] = time_ort(args, onnx_path, [1, H, S, D])
    os.remove(onnx_path)
    print(f"{name} S={S}: ddl {r['ddl']['p50_ms']:.2f} ms (compile {compile_s:.1f} s, "
          f"max abs err vs PyTorch {err:.1e}), PyTorch {r['torch']['p50_ms']:.2f} ms, "
          f"ORT {r['ort']['p50_ms']:.2f} ms", file=sys.stderr, flush=True)
    return r


def markdown(results):
    lines = ["| variant | S | kept | ddl p50 (ms) | PyTorch p50 (ms) | ORT p50 (ms) | "
             "ORT / ddl | PyTorch / ddl | ddl GFLOP/s | PyTorch GFLOP/s | ORT GFLOP/s |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    timed = [r for r in results if r["ok"]]
    for r in results:
        d, t = r["ddl"]["p50_ms"], r["torch"]["p50_ms"]
        if not r["ok"]:
            lines.append(f"| {r['variant']} | {r['S']} | {r['kept_fraction']:.1%} | "
                         f"**wrong output** (max abs err {r['max_abs_err']:.2g}) | "
                         f"{t:.2f} | | | | | | |")
            continue
        o = r["ort"]["p50_ms"]
        g = r["gflop"] * 1e3
        lines.append(f"| {r['variant']} | {r['S']} | {r['kept_fraction']:.1%} | {d:.2f} | "
                     f"{t:.2f} | {o:.2f} | {o / d:.2f}x | {t / d:.2f}x | {g / d:.1f} | "
                     f"{g / t:.1f} | {g / o:.1f} |")
    if timed:
        ort = geomean([r["ort"]["p50_ms"] / r["ddl"]["p50_ms"] for r in timed])
        pt = geomean([r["torch"]["p50_ms"] / r["ddl"]["p50_ms"] for r in timed])
        lines.append(f"| geometric mean ({len(timed)} rows) | | | | | | {ort:.2f}x | "
                     f"{pt:.2f}x | | | |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ddlc", default=os.path.join(HERE, "..", "build", "bin", "ddlc"))
    parser.add_argument("--ddl-run", dest="ddl_run",
                        default=os.path.join(HERE, "..", "build", "bin", "ddl-run"))
    parser.add_argument("--ddlc-flag", dest="ddlc_flag", action="append", default=[],
                        help="extra ddlc flag (repeatable), e.g. --ddlc-flag=-O3")
    parser.add_argument("--node", default=shutil.which("node") or "node")
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS),
                        help="variants to run (default: all; see --list)")
    parser.add_argument("--seq", type=int, nargs="+", default=[512, 1024, 2048],
                        help="sequence lengths (default 512 1024 2048)")
    parser.add_argument("--heads", type=int, default=8)
    parser.add_argument("--runs", type=int, default=10,
                        help="timed runs per peer after one warm-up (default 10)")
    parser.add_argument("--ddl-runs", dest="ddl_runs", type=int,
                        help="timed runs for ddl if it needs another count (default --runs)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--list", action="store_true", help="list the variants and exit")
    parser.add_argument("--json", help="also write the results as JSON to this file")
    args = parser.parse_args()
    if args.list:
        for name, (_, _, _, desc) in VARIANTS.items():
            print(f"{name:15} {desc}")
        return 0
    unknown = [n for n in args.variants if n not in VARIANTS]
    if unknown:
        parser.error(f"unknown variants: {', '.join(unknown)} (see --list)")
    if not os.path.isdir(os.path.join(HERE, "node_modules", "onnxruntime-node")):
        sys.exit("attention_cpu: onnxruntime-node is missing; run "
                 "`npm install --ignore-scripts` in bench/")
    torch.set_num_threads(args.threads)
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.variants:
            check_onnx_graph(args, name, tmp)
        for name in args.variants:
            for S in args.seq:
                results.append(bench_one(args, name, S, tmp))
    print(f"{datetime.date.today()}, {args.threads} threads, B 1, H {args.heads}, "
          f"D {D}, fp32; p50 of {args.runs} runs after one warm-up "
          f"(ddl: {args.ddl_runs or args.runs}); ratios above 1: ddl is faster\n")
    print(markdown(results))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"date": str(datetime.date.today()), "threads": args.threads,
                       "tolerance": {"atol": ATOL, "rtol": RTOL}, "results": results},
                      f, indent=2)
    wrong = [f"{r['variant']} S={r['S']}" for r in results if not r["ok"]]
    if wrong:
        print(f"attention_cpu: ddl's output differs from PyTorch's on {', '.join(wrong)}",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
