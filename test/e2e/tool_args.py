"""The command line the end-to-end scripts share: the tools under test and
a work directory."""

import argparse
import os
import shlex


def parse_tool_args(doc):
    """--ddlc DDLC --ddl-run DDL_RUN --work DIR (created), and optionally
    --target (ddlc's, e.g. aarch64) and --runner (a command ddl-run runs
    under, e.g. "qemu-aarch64 -L /usr/aarch64-linux-gnu"), with `doc` as
    the help text. Scripts that run models on other targets use the last
    two."""
    parser = argparse.ArgumentParser(description=doc,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ddlc", required=True)
    parser.add_argument("--ddl-run", dest="ddl_run", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--target", default="host")
    parser.add_argument("--runner", default="", help="command prefix for ddl-run")
    args = parser.parse_args()
    os.makedirs(args.work, exist_ok=True)
    return args


def compile_and_run(args, model, feeds, stem, ddlc_flags=()):
    """Saves `model` (an onnx.ModelProto) as STEM.onnx in --work, compiles
    it with ddlc (for --target, plus `ddlc_flags`), runs it with ddl-run
    (under --runner) on
    `feeds` (input name -> NumPy array) and returns {output name: array}. A failing tool raises
    subprocess.CalledProcessError."""
    import subprocess

    import numpy as np
    import onnx

    path = os.path.join(args.work, stem + ".onnx")
    onnx.save(model, path)
    so = os.path.join(args.work, stem + ".so")
    subprocess.run([args.ddlc, path, "-o", so, f"--target={args.target}"] + list(ddlc_flags),
                   check=True)
    out = os.path.join(args.work, stem + "_out")
    run = shlex.split(args.runner) + [args.ddl_run, so, "--output-dir", out]
    for name, value in feeds.items():
        npy = os.path.join(args.work, f"{stem}_{name}.npy")
        np.save(npy, value)
        run += ["--input", f"{name}={npy}"]
    subprocess.run(run, check=True, capture_output=True)
    return {o.name: np.load(os.path.join(out, o.name + ".npy")) for o in model.graph.output}
