#!/usr/bin/env python3
"""GPU attention variants: ddl's fused attn.flex kernel side by side with
PyTorch's FlexAttention (under torch.compile) and scaled_dot_product_attention
(cuDNN and FlashAttention backends, full and causal only), bf16, forward.

Variants (H = --heads query heads = key/value heads, self-attention of
length S, batch B = --tokens / S):

  full            no mask
  causal          q >= kv
  sliding-1024    q >= kv and q - kv < 1024
  document-8      same document, 8 equal documents (ids [B, S] int64: a
                  captured tensor in ddl's attn.flex, a closure in Flex)
  alibi-causal    causal + ALiBi, s + exp2(-8 (h+1) / H) * (kv - q)
  softcap-causal  causal + soft-capping 20 tanh(s / 20)

at each --seq and --head-dim. With --decode, decoding instead: Sq = 1
against --decode-kv keys (GQA, --decode-heads query heads over
--decode-kv-heads key/value heads, head dim 128) at batch --decode-batch,
no mask, in GB/s of K and V read (2 x B x Hkv x Skv x D x 2 bytes); ddl
runs it as flash-decoding (the keys split across one-warp blocks, then a
combining kernel), Flex with enable_gqa=True, SDPA with enable_gqa=True
and its default backend choice. Systems:

  ddl      one `func.func @main` with one attn.flex on bf16 tensors (the
           MLIR writer of test/e2e/attention_variants.py, static shapes),
           `ddlc --target=cuda --cuda-attention-kernel`, which runs it as
           ddl-flex-to-gpu-kernel's
           kernel; loaded with the PyTorch frontend's runtime (ddl.runtime.
           Model) and called on CUDA tensors (stream-ordered: calls queue
           without host synchronization)
  flex     torch.nn.attention.flex_attention.flex_attention under
           torch.compile (dynamic=False), the block mask from
           create_block_mask (built once, outside the timed loop);
           torch._dynamo's recompile limit is raised so that it never falls
           back to eager
  cudnn    F.scaled_dot_product_attention under sdpa_kernel(CUDNN_ATTENTION)
  flash    the same under sdpa_kernel(FLASH_ATTENTION)

Before timing, ddl's output is compared with Flex's on the same inputs
(|ddl - flex| <= 2e-2 + 2e-2 |flex| elementwise: two bf16 kernels whose
probabilities are each rounded to bf16); a mismatch marks the row
**wrong output** and the script exits 1. Times: --repeats medians of the
mean over --runs back-to-back calls between two CUDA events (after
--warmup calls), so that the ~0.05 ms of host work per ddl call overlaps
the GPU's work as it does in a model. TFLOP/s count only the unmasked work,
4 * B * H * D * kept_pairs (the same count for every system), and the
fraction of the H200's 989 TFLOP/s dense bf16 peak is printed with them.

ddlc runs on the GPU machine unless the .so files are already in --work
(`--compile-only` on the build machine writes them there: ptxas is in
/usr/local/cuda here too, and the GPU machine's time is the scarce one):

    /usr/bin/python3 bench/attention_gpu.py --compile-only --work .gpu/attn \\
        --ddlc build/bin/ddlc [--variants ...] [--seq ...] [--head-dim ...]
    python3 bench/attention_gpu.py --work .gpu/attn [--ddlc ...] \\
        [--variants full causal ...] [--seq 1024 4096 16384] [--head-dim 64 128]
        [--tokens 16384] [--heads 16] [--runs 10] [--repeats 5] [--json out.json]
"""

import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "test", "e2e"))
sys.path.insert(0, os.path.join(HERE, "..", "frontends", "pytorch"))
import attention_variants as av  # noqa: E402  (the variants' MLIR writer)

SOFTCAP = 20.0
WINDOW = 1024
DOCUMENTS = 8
PEAK_TFLOPS = 989.0
ATOL, RTOL = 2e-2, 2e-2

# name: (mask terms, ALiBi, softcap or None)
VARIANTS = {
    "full": ([], False, None),
    "causal": ([av.causal()], False, None),
    f"sliding-{WINDOW}": ([av.causal(), av.window(WINDOW)], False, None),
    f"document-{DOCUMENTS}": ([av.same_document()], False, None),
    "alibi-causal": ([av.causal()], True, None),
    "softcap-causal": ([av.causal()], False, SOFTCAP),
}
SDPA_VARIANTS = {"full": False, "causal": True}


def flex_variant(name, B, S, H, D):
    """The attention_variants.Variant of a bench variant."""
    masks, alibi, cap = VARIANTS[name]
    scores = ([av.alibi(H)] if alibi else []) + ([av.softcap(cap)] if cap else [])
    captures = []
    if name.startswith("document"):
        captures = [("doc", lambda var: av.doc_capture(var.B, var.Sq, DOCUMENTS, None))]
    return av.Variant(name, name, B=B, Hq=H, Sq=S, D=D, masks=list(masks), scores=scores,
                      captures=captures)


def kept_pairs(var, captures):
    """(q, kv) pairs mask_mod keeps, over every batch row and head."""
    if not var.masks:
        return var.B * var.Hq * var.Sq * var.Skv
    total = 0
    for b in range(var.B):
        # No bench mask depends on h; one batch row at a time, in chunks
        # of query rows, keeps the boolean matrix small at S = 16k.
        for q0 in range(0, var.Sq, 2048):
            i = np.arange(q0, min(q0 + 2048, var.Sq))[:, None]
            j = np.arange(var.Skv)[None, :]
            keep = np.ones((1, 1), bool)
            for term in var.masks:
                keep = keep & term.ref(b, 0, i, j, captures)
            total += int(np.broadcast_to(keep, (i.shape[0], var.Skv)).sum())
    return total * var.Hq


def compile_ddl(args, var, captures):
    """The .so of `var` in --work (compiled unless it is there for the same
    MLIR text)."""
    stem = f"{var.name}-B{var.B}-H{var.Hq}-S{var.Sq}-D{var.D}"
    source = os.path.join(args.work, stem + ".mlir")
    so = os.path.join(args.work, stem + ".so")
    text = av.flex_mlir(var, captures, elem="bf16")
    if os.path.exists(so) and os.path.exists(source) and open(source).read() == text:
        return so
    with open(source, "w") as f:
        f.write(text)
    proc = subprocess.run([args.ddlc, source, "-o", so, "--target=cuda", "--cuda-attention-kernel"],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"ddlc failed on {source}:\n{proc.stderr[-3000:]}")
    return so


def time_calls(torch, fn, runs, repeats, warmup):
    """Median over `repeats` of the mean milliseconds of `runs` back-to-back
    calls."""
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    means = []
    for _ in range(repeats):
        start = torch.cuda.Event(enable_timing=True)
        end = torch.cuda.Event(enable_timing=True)
        start.record()
        for _ in range(runs):
            fn()
        end.record()
        end.synchronize()
        means.append(start.elapsed_time(end) / runs)
    return statistics.median(means)


def torch_mods(torch, name, H, doc):
    """(score_mod or None, mask_mod or None) for FlexAttention."""
    masks, alibi, cap = VARIANTS[name]
    mask_mod = None
    if name == "causal" or name.endswith("-causal"):
        def mask_mod(b, h, q, kv):
            return q >= kv
    elif name.startswith("sliding"):
        def mask_mod(b, h, q, kv):
            return (q >= kv) & (q - kv < WINDOW)
    elif name.startswith("document"):
        def mask_mod(b, h, q, kv):
            return doc[b, q] == doc[b, kv]
    score_mod = None
    if alibi:
        def score_mod(score, b, h, q, kv):
            slope = torch.exp2(-8.0 * (h + 1).to(torch.float32) / H)
            return score + slope * (kv - q).to(torch.float32)
    elif cap:
        def score_mod(score, b, h, q, kv):
            return cap * torch.tanh(score / cap)
    return score_mod, mask_mod


def bench_decode(args, torch, B, S):
    """One decoding row: Sq = 1 against S keys."""
    Hq, Hkv, D = args.decode_heads, args.decode_kv_heads, 128
    var = av.Variant("decode", "decode", B=B, Hq=Hq, Hkv=Hkv, Sq=1, Skv=S, D=D)
    so = compile_ddl(args, var, {})
    if args.compile_only:
        return None
    import ddl.runtime as runtime
    import torch.nn.functional as F
    from torch.nn.attention.flex_attention import flex_attention
    device = torch.device("cuda:0")
    gen = torch.Generator(device=device).manual_seed(S * 7 + B)
    q = torch.randn(B, Hq, 1, D, device=device, dtype=torch.bfloat16, generator=gen)
    k, v = (torch.randn(B, Hkv, S, D, device=device, dtype=torch.bfloat16, generator=gen)
            for _ in range(2))
    model = runtime.Model(so, device=device)
    flex = torch.compile(flex_attention, dynamic=False)
    systems = {
        "ddl": lambda: model.run([q, k, v])[0],
        "flex": lambda: flex(q, k, v, enable_gqa=True),
        "sdpa": lambda: F.scaled_dot_product_attention(q, k, v, enable_gqa=True),
    }
    row = {"variant": "decode", "B": B, "Hq": Hq, "Hkv": Hkv, "S": S, "D": D}
    kv_bytes = 2.0 * B * Hkv * S * D * 2
    with torch.no_grad():
        want = systems["sdpa"]()
        got = systems["ddl"]()
        torch.cuda.synchronize()
        diff = (got.float() - want.float()).abs()
        row["max_abs_diff"] = float(diff.max())
        row["ok"] = (bool((diff <= ATOL + RTOL * want.float().abs()).all())
                     and bool(torch.isfinite(got).all()))
        for label, fn in systems.items():
            try:
                ms = time_calls(torch, fn, args.runs, args.repeats, args.warmup)
            except Exception as e:  # a peer that cannot run this shape
                row[f"{label}_error"] = str(e).splitlines()[0][:200]
                continue
            row[f"{label}_ms"] = ms
            row[f"{label}_gbs"] = kv_bytes / ms / 1e6
    return row


def markdown_decode(rows):
    systems = ["ddl", "flex", "sdpa"]
    head = ("| B | Skv | " + " | ".join(f"{s} ms (GB/s)" for s in systems)
            + " | sdpa / ddl | flex / ddl |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in rows:
        cells = [str(r["B"]) + ("" if r["ok"] else " **wrong output**"), str(r["S"])]
        cells += [f"{r[s + '_ms']:.3f} ({r[s + '_gbs']:.0f})" if s + "_ms" in r else "-"
                  for s in systems]
        for peer in ("sdpa", "flex"):
            cells.append(f"{r[peer + '_ms'] / r['ddl_ms']:.2f}"
                         if peer + "_ms" in r and "ddl_ms" in r else "-")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def bench_one(args, torch, name, S, D):
    B, H = max(1, args.tokens // S), args.heads
    var = flex_variant(name, B, S, H, D)
    captures = av.make_captures(var)
    so = compile_ddl(args, var, captures)
    if args.compile_only:
        return None
    # torch 2.x (the GPU machine's): not on the build machine.
    import ddl.runtime as runtime
    import torch.nn.functional as F
    from torch.nn.attention import SDPBackend, sdpa_kernel
    from torch.nn.attention.flex_attention import create_block_mask, flex_attention
    device = torch.device("cuda:0")
    gen = torch.Generator(device=device).manual_seed(S * 131 + D)
    q, k, v = (torch.randn(B, H, S, D, device=device, dtype=torch.bfloat16, generator=gen)
               for _ in range(3))
    doc = torch.from_numpy(captures["doc"]).to(device) if "doc" in captures else None
    feeds = [q, k, v] + ([doc] if doc is not None else [])
    model = runtime.Model(so, device=device)
    row = {"variant": name, "B": B, "H": H, "S": S, "D": D}
    pairs = kept_pairs(var, captures)
    row["kept_fraction"] = pairs / (B * H * S * S)
    flops = 4.0 * D * pairs

    score_mod, mask_mod = torch_mods(torch, name, H, doc)
    block_mask = None
    if mask_mod is not None:
        block_mask = create_block_mask(mask_mod, B if doc is not None else None, None, S, S,
                                       device=device)
    flex = torch.compile(flex_attention, dynamic=False)

    def run_flex():
        return flex(q, k, v, score_mod=score_mod, block_mask=block_mask)

    def run_ddl():
        return model.run(feeds)[0]

    with torch.no_grad():
        want = run_flex()
        got = run_ddl()
        torch.cuda.synchronize()
        diff = (got.float() - want.float()).abs()
        bound = ATOL + RTOL * want.float().abs()
        row["max_abs_diff"] = float(diff.max())
        row["ok"] = bool((diff <= bound).all()) and bool(torch.isfinite(got).all())
        systems = {"ddl": run_ddl, "flex": run_flex}
        if name in SDPA_VARIANTS:
            causal = SDPA_VARIANTS[name]
            for label, backend in (("cudnn", SDPBackend.CUDNN_ATTENTION),
                                   ("flash", SDPBackend.FLASH_ATTENTION)):
                def run_sdpa(backend=backend):
                    with sdpa_kernel(backend):
                        return F.scaled_dot_product_attention(q, k, v, is_causal=causal)
                try:
                    run_sdpa()
                    systems[label] = run_sdpa
                except RuntimeError as e:
                    row[f"{label}_error"] = str(e).splitlines()[0][:200]
        for label, fn in systems.items():
            ms = time_calls(torch, fn, args.runs, args.repeats, args.warmup)
            row[f"{label}_ms"] = ms
            row[f"{label}_tflops"] = flops / ms / 1e9
    return row


def markdown(rows):
    systems = ["ddl", "flex", "cudnn", "flash"]
    head = ("| variant | S | D | B | kept | " + " | ".join(f"{s} ms" for s in systems)
            + " | ddl TFLOP/s (% peak) | flex / ddl | cudnn / ddl |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in rows:
        cells = [r["variant"] + ("" if r["ok"] else " **wrong output**"), str(r["S"]),
                 str(r["D"]), str(r["B"]), f"{r['kept_fraction']:.2f}"]
        cells += [f"{r[s + '_ms']:.3f}" if s + "_ms" in r else "-" for s in systems]
        cells.append(f"{r['ddl_tflops']:.0f} ({100 * r['ddl_tflops'] / PEAK_TFLOPS:.0f}%)")
        cells.append(f"{r['flex_ms'] / r['ddl_ms']:.2f}")
        cells.append(f"{r['cudnn_ms'] / r['ddl_ms']:.2f}" if "cudnn_ms" in r else "-")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ddlc", default="ddlc")
    parser.add_argument("--work", required=True, help="folder for the .mlir and .so files")
    parser.add_argument("--compile-only", dest="compile_only", action="store_true",
                        help="only write the ddl .so files into --work")
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=list(VARIANTS))
    parser.add_argument("--seq", nargs="+", type=int, default=[1024, 4096, 16384])
    parser.add_argument("--head-dim", dest="head_dim", nargs="+", type=int, default=[64, 128])
    parser.add_argument("--tokens", type=int, default=16384, help="B x S")
    parser.add_argument("--heads", type=int, default=16)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--decode", action="store_true",
                        help="decoding rows (Sq = 1) instead of the variants")
    parser.add_argument("--decode-kv", dest="decode_kv", nargs="+", type=int,
                        default=[4096, 16384, 32768])
    parser.add_argument("--decode-batch", dest="decode_batch", nargs="+", type=int,
                        default=[1, 16])
    parser.add_argument("--decode-heads", dest="decode_heads", type=int, default=32)
    parser.add_argument("--decode-kv-heads", dest="decode_kv_heads", type=int, default=8)
    parser.add_argument("--json")
    args = parser.parse_args()
    os.makedirs(args.work, exist_ok=True)
    torch = None
    if not args.compile_only:
        import torch
        import torch._dynamo
        torch._dynamo.config.recompile_limit = 10_000
        torch._dynamo.config.accumulated_recompile_limit = 100_000
        print(f"# {torch.cuda.get_device_name(0)}, torch {torch.__version__}, "
              f"{datetime.date.today()}", flush=True)
    if args.decode:
        cases = [(lambda B=B, S=S: bench_decode(args, torch, B, S), f"decode B={B} S={S}")
                 for B in args.decode_batch for S in args.decode_kv]
        table = markdown_decode
    else:
        cases = [(lambda name=name, S=S, D=D: bench_one(args, torch, name, S, D),
                  f"{name} S={S} D={D}")
                 for D in args.head_dim for S in args.seq for name in args.variants]
        table = markdown
    rows = []
    failed = False
    for run, label in cases:
        row = run()
        if row is None:
            print(f"compiled {label}", flush=True)
            continue
        print(json.dumps(row), flush=True)
        failed |= not row["ok"]
        rows.append(row)
    if rows:
        print(table(rows))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"date": str(datetime.date.today()), "rows": rows}, f, indent=1)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
