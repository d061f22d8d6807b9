#!/usr/bin/env python3
"""nn.matmul with several dynamic leading dims, end to end: every shape
combination below is one matmul of a model compiled once with ddlc, run
with ddl-run at two sizes of every dynamic dim, and compared with
numpy.matmul.

These are the shapes a reshape-based lowering cannot take (collapsing two
dynamic sizes into one reassociation group crashes upstream
expand-strided-metadata in LLVM 22): transformer linear layers with a
dynamic batch and sequence (rank 3 and 4, as the PyTorch frontend emits
them), vector operands, a 2-D lhs times a batched rhs, both operands
batched (attention), broadcast batch dims, and f16/i32 elements. The model
is built twice: with plain `?` dims, and with #nn.dims symbols shared by
the operands (what the frontends produce).

    /usr/bin/python3 test/e2e/lowering/matmul_dynamic.py --ddlc build/bin/ddlc \
        --ddl-run build/bin/ddl-run --work /tmp/mm

Prints a line per variant, size set and case, then
"matmul dynamic: N passed, M failed".
"""

import argparse
import os
import subprocess
import sys

import numpy as np

# name: (lhs dims, rhs dims, element type); a str is a dynamic dim.
CASES = {
    "r3_w2": (["B", "S", 8], [8, 6], "f32"),
    "r3_w2_dyn_n": (["B", "S", 8], [8, "N"], "f32"),
    "r3_w2_dyn_k": (["B", "S", "K"], ["K", 6], "f32"),
    "r4_w2": (["B", "S", 4, 8], [8, 6], "f32"),
    "r4_w2_heads": (["B", 4, "S", 8], [8, 6], "f32"),
    "r4_w2_three": (["B", "S", "T", 8], [8, 6], "f32"),
    "r5_w2": (["A", "B", "S", 4, 8], [8, 6], "f32"),
    "r3_w2_f16": (["B", "S", 8], [8, 6], "f16"),
    "r3_w2_i32": (["B", "S", 8], [8, 6], "i32"),
    "r3_vec": (["B", "S", 8], [8], "f32"),
    "r4_vec": (["B", "S", 4, 8], [8], "f32"),
    "vec_r4": ([8], ["B", "S", 8, 6], "f32"),
    "m2_r4": ([4, 8], ["B", "S", 8, 6], "f32"),
    "m2_dyn_r4": (["M", 8], ["B", "S", 8, 6], "f32"),
    "r3_r3": (["B", "S", 8], ["B", 8, 6], "f32"),
    "r4_r4": (["B", "S", 4, 8], ["B", "S", 8, 6], "f32"),
    "attn_scores": (["B", 4, "S", 16], ["B", 4, 16, "S"], "f32"),
    "attn_values": (["B", 4, "S", "S"], ["B", 4, "S", 16], "f32"),
    "r4_r3_bcast": (["B", "S", 4, 8], ["S", 8, 6], "f32"),
    "r3_r4_bcast": (["S", 4, 8], ["B", "S", 8, 6], "f32"),
    "unit_bcast": (["B", 1, 4, 8], [1, "S", 8, 6], "f32"),
    "r5_r4": (["A", "B", "S", 4, 8], ["B", "S", 8, 6], "f32"),
}
# Every dynamic dim takes a different size in each set (1 included).
SIZES = [
    {"A": 2, "B": 2, "S": 3, "T": 2, "K": 5, "N": 3, "M": 4},
    {"A": 3, "B": 1, "S": 5, "T": 3, "K": 7, "N": 1, "M": 2},
]
NUMPY = {"f32": np.float32, "f16": np.float16, "i32": np.int32}
TOLERANCE = {"f32": (1e-5, 1e-5), "f16": (1e-2, 1e-2), "i32": (0, 0)}


def result_dims(lhs, rhs):
    """numpy.matmul's result dims (dims equal or 1 in broadcasts)."""
    lhs2 = [1] + lhs if len(lhs) == 1 else lhs
    rhs2 = rhs + [1] if len(rhs) == 1 else rhs
    lb, rb = lhs2[:-2], rhs2[:-2]
    n = max(len(lb), len(rb))
    lb = [1] * (n - len(lb)) + lb
    rb = [1] * (n - len(rb)) + rb
    dims = [b if a == 1 else a for a, b in zip(lb, rb)]
    dims += [lhs2[-2], rhs2[-1]]
    if len(lhs) == 1:
        dims.pop(-2)
    if len(rhs) == 1:
        dims.pop(-1)
    return dims


def tensor_type(dims, element, symbols):
    shape = "x".join("?" if isinstance(d, str) else str(d) for d in dims)
    if symbols and any(isinstance(d, str) for d in dims):
        names = ", ".join(str(d) for d in dims)
        return f"tensor<{shape}x{element}, #nn.dims<{names}>>"
    return f"tensor<{shape}x{element}>"


def model(symbols):
    args, results, body, returns = [], [], [], []
    for i, (name, (lhs, rhs, element)) in enumerate(CASES.items()):
        lt = tensor_type(lhs, element, symbols)
        rt = tensor_type(rhs, element, symbols)
        ot = tensor_type(result_dims(lhs, rhs), element, symbols)
        args.append(f'%x{i}: {lt} {{nn.name = "x_{name}"}}')
        args.append(f'%w{i}: {rt} {{nn.name = "w_{name}"}}')
        results.append(f'{ot} {{nn.name = "y_{name}"}}')
        body.append(f"  %y{i} = nn.matmul %x{i}, %w{i} : ({lt}, {rt}) -> {ot}")
        returns.append((f"%y{i}", ot))
    return (f"func.func @main({', '.join(args)}) -> ({', '.join(results)}) {{\n"
            + "\n".join(body) + "\n"
            + f"  return {', '.join(v for v, _ in returns)} : "
            + f"{', '.join(t for _, t in returns)}\n}}\n")


def random(rng, dims, sizes, element):
    shape = tuple(sizes[d] if isinstance(d, str) else d for d in dims)
    if element == "i32":
        return rng.randint(-5, 6, shape).astype(np.int32)
    return rng.randn(*shape).astype(NUMPY[element])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ddlc", required=True)
    parser.add_argument("--ddl-run", required=True)
    parser.add_argument("--work", required=True)
    args = parser.parse_args()
    passed = failed = 0
    for symbols in (False, True):
        variant = "symbolic" if symbols else "plain"
        work = os.path.join(args.work, variant)
        os.makedirs(work, exist_ok=True)
        source = os.path.join(work, "model.mlir")
        with open(source, "w") as f:
            f.write(model(symbols))
        so = os.path.join(work, "model.so")
        compiled = subprocess.run([args.ddlc, source, "-o", so],
                                  capture_output=True, text=True)
        if compiled.returncode != 0:
            print(f"{variant}: ddlc failed ({compiled.returncode}):\n"
                  f"{compiled.stderr[-2000:]}")
            failed += len(CASES) * len(SIZES)
            continue
        for s, sizes in enumerate(SIZES):
            rng = np.random.RandomState(s)
            run = [args.ddl_run, so, "--output-dir", os.path.join(work, f"out{s}")]
            expected = {}
            for name, (lhs, rhs, element) in CASES.items():
                x = random(rng, lhs, sizes, element)
                w = random(rng, rhs, sizes, element)
                for key, value in (("x", x), ("w", w)):
                    path = os.path.join(work, f"{key}_{name}_{s}.npy")
                    np.save(path, value)
                    run += ["--input", f"{key}_{name}={path}"]
                if element == "f16":
                    e = np.matmul(x.astype(np.float32), w.astype(np.float32))
                else:
                    e = np.matmul(x, w)
                expected[name] = e.astype(NUMPY[element])
            ran = subprocess.run(run, capture_output=True, text=True)
            if ran.returncode != 0:
                print(f"{variant} sizes {s}: ddl-run failed ({ran.returncode}):"
                      f"\n{ran.stderr[-2000:]}")
                failed += len(CASES)
                continue
            for name, e in expected.items():
                path = os.path.join(work, f"out{s}", f"y_{name}.npy")
                y = np.load(path)
                rtol, atol = TOLERANCE[CASES[name][2]]
                ok = (y.dtype == e.dtype and y.shape == e.shape and
                      np.allclose(y.astype(np.float64), e.astype(np.float64),
                                  rtol=rtol, atol=atol))
                detail = f"{y.dtype}{list(y.shape)}"
                if not ok:
                    detail += f" expected {e.dtype}{list(e.shape)}"
                    if y.shape == e.shape:
                        diff = np.abs(y.astype(np.float64) - e.astype(np.float64))
                        detail += f" max abs error {diff.max():g}"
                print(f"{variant} sizes {s}: {name} "
                      f"{'ok' if ok else 'MISMATCH'} {detail}")
                passed += ok
                failed += not ok
    print(f"matmul dynamic: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
