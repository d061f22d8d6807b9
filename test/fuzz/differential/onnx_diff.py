#!/usr/bin/env python3
"""Differential testing of ddl against ONNX Runtime on random valid models.

    onnx_diff.py --ddlc ddlc --ddl-run ddl-run --seed 0 --count 200
    onnx_diff.py ... --replay test/fuzz/differential/regressions

Each model comes from onnx_gen.generate(seed) (3 to 30 nodes, opsets
13..17, symbolic batch dims, mixed element types, with its input data). ONNX
Runtime 1.30's CPU provider computes the reference outputs (onnxruntime-node
through ort_eval.js, or the Python package with `--ort python`); ddl
compiles the model with `ddlc -o model.so` and runs it with `ddl-run`.
Outputs must have the reference's dtype and shape, integers and bools must
be equal, floats close within tolerances that grow with the output's depth
(the longest chain of nodes behind it) and magnitude.

Outcomes: pass; refused (ddlc exits 1: a coverage gap, counted with its
reason); mismatch; crash (ddlc or ddl-run died, or an internal compiler
error); run-error (ddl-run refused valid inputs); peer-error (ONNX Runtime
could not run the model: not counted against ddl). Where ONNX Runtime
fails only with its graph optimizations on, its plain run is the reference
and the failure is counted (and saved, under DIR/peer) as an ORT optimizer
failure. A mismatch is re-run with ONNX Runtime's graph optimizations off,
to tell an ORT optimizer bug from a ddl bug.

Every mismatch, crash and run-error is minimized (delta debugging: keep one
output, then cut nodes from the input side, feeding their outputs with the
reference's intermediate values, while the failure persists) and, with
`--save DIR`, written there as a regression case (model.onnx, the inputs as
.npy, case.json). `--replay DIR` checks saved cases. Prints one summary
line, "differential: N models, P passed, ...", and exits 1 if any model
mismatched or crashed.
"""

import argparse
import collections
import concurrent.futures
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "..", "e2e"))
import numpy as np  # noqa: E402
import onnx  # noqa: E402
from onnx import helper, shape_inference  # noqa: E402
from node_results import run_and_compare  # noqa: E402
from onnx_gen import generate, referenced_names  # noqa: E402

FAILURES = ("mismatch", "crash", "run-error")
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))


# -- the reference ----------------------------------------------------------
class NodeORT:
    """onnxruntime-node, one process per batch (ort_eval.js)."""

    def __init__(self):
        self.node = shutil.which("node")
        binding = os.path.join(ROOT, "bench", "node_modules", "onnxruntime-node")
        if not self.node or not os.path.isdir(binding):
            sys.exit("onnx_diff: ONNX Runtime is missing: install node and run "
                     "`npm ci --ignore-scripts --prefix bench` (scripts/bootstrap.sh does)")

    def run(self, jobs, optimization="all"):
        """jobs: [(model path, {name: array}, out dir)] -> [(ok, outputs or
        error)], outputs a list of (name, array)."""
        if not jobs:
            return []
        with tempfile.TemporaryDirectory(prefix="ort-") as tmp:
            spec = {"optimization": optimization, "jobs": []}
            for j, (model, feeds, out) in enumerate(jobs):
                inputs = []
                for k, (name, array) in enumerate(feeds.items()):
                    f = os.path.join(tmp, f"{j}_{k}.bin")
                    np.ascontiguousarray(array).tofile(f)
                    inputs.append({"name": name, "dtype": str(array.dtype),
                                   "dims": list(array.shape), "file": f})
                spec["jobs"].append({"model": model, "out": out, "inputs": inputs})
            path = os.path.join(tmp, "jobs.json")
            with open(path, "w") as f:
                json.dump(spec, f)
            proc = subprocess.run([self.node, os.path.join(HERE, "ort_eval.js"), path],
                                  capture_output=True, text=True, timeout=600 + 10 * len(jobs))
        lines = proc.stdout.splitlines()
        if proc.returncode != 0 or len(lines) != len(jobs):
            raise RuntimeError(f"ort_eval.js failed: {proc.stderr.strip()[-500:]}")
        results = []
        for line in map(json.loads, lines):
            if not line["ok"]:
                results.append((False, line["error"]))
                continue
            outs = []
            for o in line["outputs"]:
                dtype = np.bool_ if o["dtype"] == "bool" else np.dtype(o["dtype"])
                outs.append((o["name"], np.fromfile(o["file"], dtype=dtype).reshape(o["dims"])))
            results.append((True, outs))
        return results


class PythonORT:
    """The onnxruntime Python package (where there is one: the H200 image)."""

    def __init__(self):
        import onnxruntime
        self.ort = onnxruntime

    def run(self, jobs, optimization="all"):
        results = []
        for model, feeds, _ in jobs:
            opts = self.ort.SessionOptions()
            opts.intra_op_num_threads = opts.inter_op_num_threads = 1
            opts.graph_optimization_level = (self.ort.GraphOptimizationLevel.ORT_ENABLE_ALL
                                             if optimization == "all"
                                             else self.ort.GraphOptimizationLevel.ORT_DISABLE_ALL)
            try:
                sess = self.ort.InferenceSession(model, opts, providers=["CPUExecutionProvider"])
                names = [o.name for o in sess.get_outputs()]
                values = sess.run(names, feeds)
                results.append((True, list(zip(names, values))))
            except Exception as e:  # the peer's refusal, whatever its type
                results.append((False, str(e).splitlines()[0] if str(e) else repr(e)))
        return results


# -- comparing ----------------------------------------------------------------
def output_depths(model):
    """{output name: longest chain of nodes from a graph input}."""
    depth = {}
    for node in model.graph.node:
        d = 1 + max((depth.get(i, 0) for i in referenced_names(node)), default=0)
        for o in node.output:
            depth[o] = d
    return {o.name: depth.get(o.name, 0) for o in model.graph.output}


def magnitude(arrays):
    """The largest finite |value| of the floating-point arrays, at least 1."""
    peak = 1.0
    for a in arrays:
        a = np.asarray(a)
        if a.dtype.kind == "f" and a.size:
            finite = np.abs(a[np.isfinite(a)])
            if finite.size:
                peak = max(peak, float(finite.max()))
    return peak


def tolerance(depth, expected, input_scale=1.0):
    """(rtol, atol) for an output `depth` nodes deep: float32 rounding
    compounds along the chain, and absolute error scales with the
    magnitudes flowing through the graph: the output's, and the inputs'
    (a normalization of a constant row is exactly its bias, which an
    implementation reaches only up to rounding of the row's values)."""
    scale = max(magnitude([expected]), input_scale)
    return 1e-3 * (1 + depth / 10), 1e-5 * (1 + depth) * scale


def run_ddl(args, model, feeds, work, expected):
    """Compiles and runs `model` with ddl on `feeds`, compares with
    `expected` [(name, array)]. (outcome, reason)."""
    os.makedirs(work, exist_ok=True)
    path = os.path.join(work, "model.onnx")
    onnx.save(model, path)
    so = os.path.join(work, "model.so")
    try:
        proc = subprocess.run([args.ddlc, path, "-o", so], capture_output=True, text=True,
                              errors="replace", timeout=args.timeout)
    except subprocess.TimeoutExpired:
        return "crash", f"ddlc ran over {args.timeout} s"
    if proc.returncode == 1:
        lines = [ln for ln in proc.stderr.splitlines() if "error:" in ln]
        return "refused", (lines[0] if lines else proc.stderr.strip()[:300]).split("error:", 1)[-1].strip()
    if proc.returncode != 0:
        return "crash", f"ddlc exit status {proc.returncode}: {proc.stderr.strip()[-300:]}"
    inputs = []
    for name, array in feeds.items():
        f = os.path.join(work, f"input_{len(inputs)}.npy")
        np.save(f, array)
        inputs.append(f"{name}={f}")
    depths = output_depths(model)
    names = [n for n, _ in expected]
    scale = magnitude(feeds.values())
    outcome, reason = run_and_compare(
        [args.ddl_run], so, inputs, [a for _, a in expected], os.path.join(work, "out"),
        args.timeout, tolerances=lambda i, e: tolerance(depths.get(names[i], 1), e, scale))
    return ("crash" if outcome == "timeout" else outcome), reason


def check(args, ref, model, feeds, work):
    """Runs one model on both sides. (outcome, reason)."""
    os.makedirs(work, exist_ok=True)
    path = os.path.join(work, "ref.onnx")
    onnx.save(model, path)
    ok, result = ref.run([(path, feeds, os.path.join(work, "ref"))])[0]
    if not ok:
        return "peer-error", result
    return run_ddl(args, model, feeds, work, result)


# -- minimizing ---------------------------------------------------------------
def prune(model):
    """Drops nodes, inputs and initializers nothing needed for the outputs
    reads (in place)."""
    g = model.graph
    needed = {o.name for o in g.output}
    keep = []
    for node in reversed(list(g.node)):
        if any(o in needed for o in node.output):
            keep.append(node)
            needed.update(referenced_names(node))
    del g.node[:]
    g.node.extend(reversed(keep))
    kept_inputs = [i for i in g.input if i.name in needed]
    del g.input[:]
    g.input.extend(kept_inputs)
    kept_inits = [t for t in g.initializer if t.name in needed]
    del g.initializer[:]
    g.initializer.extend(kept_inits)
    return model


def value_types(model):
    """{value name: a type with its rank (dims unnamed), for outputs}."""
    inferred = shape_inference.infer_shapes(model)
    types = {}
    for v in list(inferred.graph.value_info) + list(inferred.graph.input) + list(inferred.graph.output):
        t = v.type.tensor_type
        if t.HasField("shape"):
            types[v.name] = (t.elem_type, [None] * len(t.shape.dim))
    return types


def intermediates(ref, model, feeds, work):
    """{value name: the reference's array} for every node output."""
    types = value_types(model)
    wide = onnx.ModelProto()
    wide.CopyFrom(model)
    del wide.graph.output[:]
    names = [o for n in model.graph.node for o in n.output if o and o in types]
    wide.graph.output.extend(helper.make_tensor_value_info(n, *types[n]) for n in names)
    path = os.path.join(work, "wide.onnx")
    onnx.save(wide, path)
    ok, result = ref.run([(path, feeds, os.path.join(work, "wide"))])[0]
    return dict(result) if ok else {}


def with_outputs(model, names, types):
    m = onnx.ModelProto()
    m.CopyFrom(model)
    del m.graph.output[:]
    for n in names:
        m.graph.output.append(helper.make_tensor_value_info(n, *types[n]))
    return prune(m)


def tensor_dtype(dtype):
    """The TensorProto element type of a numpy dtype (onnx 1.12 and later)."""
    if hasattr(helper, "np_dtype_to_tensor_dtype"):
        return helper.np_dtype_to_tensor_dtype(dtype)
    return onnx.mapping.NP_TYPE_TO_TENSOR_TYPE[dtype]


def cut(model, feeds, node_index, values):
    """The model without node `node_index`, its outputs fed as graph
    inputs with the reference's values: (model, feeds) or None."""
    m = onnx.ModelProto()
    m.CopyFrom(model)
    node = m.graph.node[node_index]
    if any(o not in values for o in node.output if o):
        return None
    new_feeds = dict(feeds)
    del m.graph.node[node_index]
    for o in node.output:
        if not o or any(o == g.name for g in m.graph.output):
            if o:
                return None  # a graph output would become an input
            continue
        array = values[o]
        m.graph.input.append(helper.make_tensor_value_info(
            o, tensor_dtype(array.dtype), list(array.shape)))
        new_feeds[o] = array
    prune(m)
    used = {i.name for i in m.graph.input}
    return m, {k: v for k, v in new_feeds.items() if k in used}


def minimize(args, ref, model, feeds, kind, work, budget=150):
    """Delta debugging of a failing model: (model, feeds, outcome, reason, checks)."""
    checks = 0
    last = (kind, "")

    def fails(m, f):
        nonlocal checks, last
        checks += 1
        outcome, reason = check(args, ref, m, f, os.path.join(work, f"try{checks}"))
        shutil.rmtree(os.path.join(work, f"try{checks}"), ignore_errors=True)
        if outcome == kind:
            last = (outcome, reason)
            return True
        return False

    try:
        types = value_types(model)
    except Exception:  # noqa: BLE001 - a model shape inference rejects stays as it is
        return model, feeds, kind, "", 0
    os.makedirs(work, exist_ok=True)
    values = intermediates(ref, model, feeds, work)
    changed = True
    while changed and checks < budget:
        changed = False
        # One output: the graph's own first, then intermediates, the
        # earliest (smallest subgraph) first.
        candidates = [o.name for o in model.graph.output]
        if len(candidates) > 1 or len(model.graph.node) > 1:
            candidates += [o for n in model.graph.node for o in n.output
                           if o and o in types and o not in candidates]
        current = [o.name for o in model.graph.output]
        # Output sets to try: each one alone; where none fails alone (a TopK
        # whose bug needs both of its results, say), all but one.
        tries = [[name] for name in candidates if [name] != current]
        if len(current) > 1:
            tries += [[o for o in current if o != name] for name in current]
        for names in tries:
            if checks >= budget:
                break
            m = with_outputs(model, names, types)
            if len(names) == 1 and len(m.graph.node) >= len(model.graph.node) and len(current) == 1:
                continue
            used = {i.name for i in m.graph.input}
            f = {k: v for k, v in feeds.items() if k in used}
            if fails(m, f):
                model, feeds, changed = m, f, True
                break
        # Cut nodes from the input side.
        i = 0
        while i < len(model.graph.node) and checks < budget and len(model.graph.node) > 1:
            attempt = cut(model, feeds, i, values)
            if attempt and fails(*attempt):
                model, feeds = attempt
                changed = True
            else:
                i += 1
    return model, feeds, last[0], last[1], checks


def save_case(directory, name, model, feeds, outcome, reason, origin):
    case = os.path.join(directory, name)
    os.makedirs(case, exist_ok=True)
    onnx.save(model, os.path.join(case, "model.onnx"))
    files = {}
    for k, (n, array) in enumerate(feeds.items()):
        files[n] = f"input_{k}.npy"
        np.save(os.path.join(case, files[n]), array)
    with open(os.path.join(case, "case.json"), "w") as f:
        json.dump({"outcome": outcome, "reason": reason, "origin": origin, "inputs": files},
                  f, indent=1)
        f.write("\n")
    return case


def load_case(case):
    with open(os.path.join(case, "case.json")) as f:
        meta = json.load(f)
    model = onnx.load(os.path.join(case, "model.onnx"))
    feeds = {n: np.load(os.path.join(case, p)) for n, p in meta["inputs"].items()}
    return model, feeds, meta


# -- driving -----------------------------------------------------------------
def prepare_batch(ref, seeds, work):
    """Generates the models of `seeds` and runs the reference on them:
    (cases, reference results, {seed: ONNX Runtime optimizer failure})."""
    cases = []
    for seed in seeds:
        model, feeds, info = generate(seed)
        d = os.path.join(work, f"m{seed}")
        os.makedirs(d, exist_ok=True)
        path = os.path.join(d, "ref.onnx")
        onnx.save(model, path)
        cases.append((seed, model, feeds, info, d, path))
    refs = ref.run([(c[5], c[2], os.path.join(c[4], "ref")) for c in cases])
    # Where ONNX Runtime fails with its graph optimizations on, the model
    # is still compared against its plain run; the failure is counted as a
    # peer (optimizer) bug.
    failed = [k for k, (ok, _) in enumerate(refs) if not ok]
    plain = ref.run([(cases[k][5], cases[k][2], os.path.join(cases[k][4], "plain")) for k in failed],
                    "disabled")
    optimizer_bugs = {}
    for k, (ok, value) in zip(failed, plain):
        if ok:
            optimizer_bugs[cases[k][0]] = refs[k][1]
            refs[k] = (ok, value)
    return cases, refs, optimizer_bugs


def check_batch(args, cases, refs):
    """Compiles and runs the prepared models with ddl: [(seed, outcome, reason, info)]."""
    def one(case, result):
        seed, model, feeds, info, d, _ = case
        ok, value = result
        if not ok:
            return seed, "peer-error", value, info
        outcome, reason = run_ddl(args, model, feeds, d, value)
        if outcome == "pass" and not args.keep:
            shutil.rmtree(d, ignore_errors=True)
        return seed, outcome, reason, info

    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        return list(pool.map(one, cases, refs))


def report_failure(args, ref, seed, outcome, reason, work):
    """Minimizes a failing generated model, tells whether ORT's optimizer is
    involved, saves the case. Returns a one-line description."""
    model, feeds, _ = generate(seed)
    note = ""
    if outcome == "mismatch":
        path = os.path.join(work, f"m{seed}", "ref.onnx")
        ok, plain = ref.run([(path, feeds, os.path.join(work, f"m{seed}", "plain"))], "disabled")[0]
        if ok and run_ddl(args, model, feeds, os.path.join(work, f"m{seed}", "plain-ddl"), plain)[0] == "pass":
            note = " [ddl agrees with ONNX Runtime with optimizations off: an ORT optimizer difference]"
    line = f"seed {seed}: {outcome}: {reason}{note}"
    if args.minimize:
        small, small_feeds, kind, small_reason, checks = minimize(
            args, ref, model, feeds, outcome, os.path.join(work, f"min{seed}"))
        ops = [n.op_type for n in small.graph.node]
        line += f"\n    minimized in {checks} checks to {len(ops)} nodes: {' '.join(ops)}"
        if small_reason:
            line += f"\n    {kind}: {small_reason}"
        if args.save:
            case = save_case(args.save, f"seed{seed}", small, small_feeds, kind, small_reason or reason,
                             f"onnx_gen seed {seed}")
            line += f"\n    saved to {case}"
    return line


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--ddlc", default="ddlc")
    p.add_argument("--ddl-run", default="ddl-run")
    p.add_argument("--seed", type=int, default=0, help="first seed")
    p.add_argument("--count", type=int, default=0, help="models to generate")
    p.add_argument("--replay", help="check the saved cases in this folder")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    p.add_argument("--ort", choices=["node", "python"], default="node")
    p.add_argument("--timeout", type=int, default=120, help="seconds per ddlc / ddl-run call")
    p.add_argument("--no-minimize", dest="minimize", action="store_false")
    p.add_argument("--save", help="write minimized failures here")
    p.add_argument("--summary", help="write the counts and reasons here (JSON)")
    p.add_argument("--keep", action="store_true", help="keep the work folder of passing models")
    p.add_argument("--progress", action="store_true", help="print the counts after every 50 models")
    p.add_argument("--work", help="work folder (default: a temporary one)")
    p.add_argument("--minutes", type=float, help="start no new batch of models after this long "
                   "(campaigns on a machine lent for a fixed time); the summary says which seeds ran")
    args = p.parse_args()
    ref = NodeORT() if args.ort == "node" else PythonORT()
    work = args.work or tempfile.mkdtemp(prefix="ddl-diff-")
    start = time.time()
    counts = collections.Counter()
    reasons = {k: collections.Counter() for k in ("refused", "peer-error", "peer-optimizer-error")}
    lines = []

    if args.replay:
        for name in sorted(os.listdir(args.replay)) if os.path.isdir(args.replay) else []:
            case = os.path.join(args.replay, name)
            if not os.path.isfile(os.path.join(case, "case.json")):
                continue
            model, feeds, meta = load_case(case)
            outcome, reason = check(args, ref, model, feeds, os.path.join(work, name))
            counts[outcome] += 1
            counts["models"] += 1
            if outcome != "pass":
                lines.append(f"{name}: {outcome}: {reason} (was: {meta['outcome']}: {meta['reason']})")
    else:
        # The next batch is generated and run by the reference (Python, one
        # thread) while ddl compiles the current one (subprocesses), so
        # machines with many cores stay busy.
        batch = max(50, 8 * args.jobs)
        firsts = list(range(args.seed, args.seed + args.count, batch))

        def prepare(first):
            return prepare_batch(ref, range(first, min(first + batch, args.seed + args.count)), work)

        preparer = concurrent.futures.ThreadPoolExecutor(1)
        pending = preparer.submit(prepare, firsts[0]) if firsts else None
        for n, first in enumerate(firsts):
            if args.minutes is not None and time.time() - start > args.minutes * 60:
                print(f"differential: stopped after {args.minutes} minutes, before seed {first}", flush=True)
                break
            cases, refs, optimizer_bugs = pending.result()
            pending = preparer.submit(prepare, firsts[n + 1]) if n + 1 < len(firsts) else None
            seeds = [c[0] for c in cases]
            results = check_batch(args, cases, refs)
            for seed, why in optimizer_bugs.items():
                counts["peer-optimizer-error"] += 1
                reasons["peer-optimizer-error"][why[:300]] += 1
                if args.save:
                    model, feeds, _ = generate(seed)
                    save_case(os.path.join(args.save, "peer"), f"seed{seed}", model, feeds,
                              "peer-optimizer-error", why, f"onnx_gen seed {seed}")
            for seed, outcome, reason, info in results:
                counts[outcome] += 1
                counts["models"] += 1
                counts["nodes"] += info["nodes"]
                if outcome in reasons:
                    reasons[outcome][reason[:300]] += 1
                elif outcome in FAILURES:
                    lines.append(report_failure(args, ref, seed, outcome, reason, work))
                    print(lines[-1], flush=True)
            if args.progress:
                print(f"progress: seeds {args.seed}..{seeds[-1]}: " +
                      ", ".join(f"{k} {v}" for k, v in sorted(counts.items()) if k != "nodes"), flush=True)

        if pending is not None:
            pending.cancel()
        preparer.shutdown(wait=True)

    for line in lines if args.replay else []:
        print(line)
    for kind, counter in reasons.items():
        for reason, n in counter.most_common(12):
            print(f"{kind} x{n}: {reason}")
    elapsed = time.time() - start
    summary = (f"differential: {counts['models']} models, {counts['pass']} passed, "
               f"{counts['mismatch']} mismatches, {counts['crash']} crashes, "
               f"{counts['run-error']} run errors, {counts['refused']} refused, "
               f"{counts['peer-error']} peer errors, {counts['peer-optimizer-error']} "
               f"ONNX Runtime optimizer failures ({elapsed:.0f} s)")
    print(summary)
    if args.summary:
        with open(args.summary, "w") as f:
            json.dump({"counts": counts, "reasons": {k: dict(v) for k, v in reasons.items()},
                       "failures": lines, "seconds": elapsed,
                       "first_seed": args.seed,
                       "last_seed": args.seed + counts["models"] - 1},
                      f, indent=1)
    if not args.work and not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if any(counts[k] for k in FAILURES) else 0


if __name__ == "__main__":
    sys.exit(main())
