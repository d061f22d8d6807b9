#!/usr/bin/env python3
"""f32 GEMM: the ddl-generated kernel side by side with OpenBLAS and oneDNN.

For each shape M x N x K, ddl compiles an ONNX MatMul `y = x @ w` with w
a constant initializer (a linear layer: w is packed at compile time, x at
run time) and runs it with `ddl-run --benchmark`; the peers compute the same
product with `cblas_sgemm` (OpenBLAS, its default kernel and, with
OPENBLAS_CORETYPE=SkylakeX, its AVX-512 kernel) and `dnnl_sgemm` (oneDNN),
each in a subprocess of its own so that its thread settings hold.
Every peer runs `--rounds` rounds, interleaved; a round is one warm-up and
`--runs` timed calls (more for small shapes: about 0.2 s of work), and
reports the median; the table shows the median
over rounds in GFLOP/s (2*M*N*K / time) and ratios to ddl.

    /usr/bin/python3 bench/gemm.py --ddlc build/bin/ddlc \
        --ddl-run build/bin/ddl-run [--threads 1 2] [--shapes 1024x1024x1024 ...]
"""

import argparse
import ctypes
import datetime
import os
import re
import statistics
import subprocess
import sys
import tempfile

import numpy as np

OPENBLAS = "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0"
DNNL = "/usr/lib/x86_64-linux-gnu/libdnnl.so.2"
SQUARE = [f"{s}x{s}x{s}" for s in (128, 256, 512, 1024, 2048)]
DEFAULT_SHAPES = SQUARE + ["128x3072x768", "128x768x3072"]


def parse_shape(text):
    m, n, k = (int(v) for v in text.split("x"))
    return m, n, k


def peer_main(args):
    """Runs in a subprocess: times one library's sgemm, prints medians."""
    m, n, k = parse_shape(args.peer_shape)
    rng = np.random.default_rng(0)
    a = rng.standard_normal((m, k)).astype(np.float32)
    b = rng.standard_normal((k, n)).astype(np.float32)
    c = np.zeros((m, n), np.float32)
    fp = ctypes.POINTER(ctypes.c_float)
    pa, pb, pc = (x.ctypes.data_as(fp) for x in (a, b, c))
    if args.peer == "openblas":
        lib = ctypes.CDLL(OPENBLAS)
        lib.cblas_sgemm.argtypes = [ctypes.c_int] * 3 + [ctypes.c_int] * 3 + [
            ctypes.c_float, fp, ctypes.c_int, fp, ctypes.c_int, ctypes.c_float,
            fp, ctypes.c_int]
        lib.openblas_get_corename.restype = ctypes.c_char_p
        print("core", lib.openblas_get_corename().decode(), flush=True)

        def call():
            # CblasRowMajor=101, CblasNoTrans=111
            lib.cblas_sgemm(101, 111, 111, m, n, k, 1.0, pa, k, pb, n, 0.0,
                            pc, n)
    else:
        lib = ctypes.CDLL(DNNL)
        i64 = ctypes.c_int64
        lib.dnnl_sgemm.argtypes = [ctypes.c_char, ctypes.c_char, i64, i64, i64,
                                   ctypes.c_float, fp, i64, fp, i64,
                                   ctypes.c_float, fp, i64]

        def call():
            lib.dnnl_sgemm(b"N", b"N", m, n, k, 1.0, pa, k, pb, n, 0.0, pc, n)
    import time
    call()
    if not np.allclose(c, a @ b, rtol=1e-3, atol=1e-3):
        sys.exit(f"{args.peer}: wrong result")
    for _ in range(args.rounds):
        call()
        times = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            call()
            times.append(time.perf_counter() - t0)
        print("median_ms", statistics.median(times) * 1e3, flush=True)


def run_peer(peer, shape, threads, runs, coretype=None):
    env = dict(os.environ, OPENBLAS_NUM_THREADS=str(threads),
               OMP_NUM_THREADS=str(threads))
    env.pop("OPENBLAS_CORETYPE", None)
    if coretype:
        env["OPENBLAS_CORETYPE"] = coretype
    out = subprocess.run(
        [sys.executable, __file__, "--peer", peer, "--peer-shape", shape,
         "--runs", str(runs), "--rounds", "1"],
        env=env, check=True, capture_output=True, text=True).stdout
    core = re.search(r"^core (\S+)", out, re.M)
    ms = [float(v) for v in re.findall(r"^median_ms (\S+)", out, re.M)]
    return ms[0], core.group(1) if core else ""


def build_ddl(ddlc, shape, workdir):
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    m, n, k = parse_shape(shape)
    rng = np.random.default_rng(0)
    w = rng.standard_normal((k, n)).astype(np.float32)
    x = rng.standard_normal((m, k)).astype(np.float32)
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w"], ["y"])], "gemm",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [m, k])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [m, n])],
        [numpy_helper.from_array(w, "w")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    base = os.path.join(workdir, shape)
    onnx.save(model, base + ".onnx")
    np.save(base + "-x.npy", x)
    subprocess.run([ddlc, base + ".onnx", "-o", base + ".so"], check=True)
    # Correctness first: a fast wrong kernel is not a result.
    out = base + "-out"
    subprocess.run([args.ddl_run, base + ".so", "--input", base + "-x.npy",
                    "--output-dir", out], check=True, capture_output=True)
    y = np.load(os.path.join(out, "y.npy"))
    ref = x.astype(np.float64) @ w.astype(np.float64)
    if not np.allclose(y, ref, rtol=1e-3, atol=1e-3):
        sys.exit(f"ddl: wrong result for {shape}: {abs(y - ref).max()}")
    return base


def run_ddl(ddl_run, base, threads, runs):
    out = subprocess.run(
        [ddl_run, base + ".so", "--input", base + "-x.npy", "--benchmark",
         str(runs), "--threads", str(threads)],
        check=True, capture_output=True, text=True).stdout
    return float(re.search(r"p50 ([0-9.]+) ms", out).group(1))


def main():
    global args
    parser = argparse.ArgumentParser()
    parser.add_argument("--ddlc", default="build/bin/ddlc")
    parser.add_argument("--ddl-run", default="build/bin/ddl-run")
    parser.add_argument("--shapes", nargs="*", default=DEFAULT_SHAPES)
    parser.add_argument("--threads", nargs="*", type=int, default=[1, 2])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--no-dnnl", action="store_true")
    parser.add_argument("--peer", help=argparse.SUPPRESS)
    parser.add_argument("--peer-shape", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.peer:
        return peer_main(args)

    peers = [("openblas", None), ("openblas", "SkylakeX")]
    if not args.no_dnnl and os.path.exists(DNNL):
        peers.append(("dnnl", None))
    print(f"# bench/gemm.py, {datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC,"
          f" {args.rounds} rounds x {args.runs} runs, median GFLOP/s\n")
    header = ["M x N x K", "threads", "ddl"]
    names = []
    for peer, core in peers:
        names.append(peer + ("-" + core if core else "-default"))
    header += names + [f"ddl / {n}" for n in names]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    with tempfile.TemporaryDirectory() as work:
        for shape in args.shapes:
            m, n, k = parse_shape(shape)
            flops = 2.0 * m * n * k
            base = build_ddl(args.ddlc, shape, work)
            # Small shapes get more calls (about 0.2 s of work per round at
            # 100 GFLOP/s), so a round is not one scheduler hiccup.
            runs = max(args.runs, min(2000, int(2e10 / flops)))
            for threads in args.threads:
                times = {"ddl": []}
                cores = {}
                for _ in range(args.rounds):
                    times["ddl"].append(run_ddl(args.ddl_run, base, threads,
                                                runs))
                    for (peer, core), name in zip(peers, names):
                        ms, corename = run_peer(peer, shape, threads, runs,
                                                core)
                        times.setdefault(name, []).append(ms)
                        cores[name] = corename
                gf = {name: flops / (statistics.median(t) * 1e-3) / 1e9
                      for name, t in times.items()}
                row = [shape, str(threads), f"{gf['ddl']:.1f}"]
                row += [f"{gf[n]:.1f}" for n in names]
                row += [f"{gf['ddl'] / gf[n]:.2f}" for n in names]
                print("| " + " | ".join(row) + " |", flush=True)
    print("\nOpenBLAS kernels: " + ", ".join(
        f"{n}={c}" for n, c in cores.items() if c))


if __name__ == "__main__":
    main()
