#!/usr/bin/env python3
"""GridSample in every mode, padding mode and corner alignment against
PyTorch's grid_sample (ONNX's reference for it).

One ONNX model (opset 16) holds a GridSample node per combination of mode
(bilinear, nearest, bicubic), padding_mode (zeros, border, reflection) and
align_corners (0, 1) on the same input and grid, the grid reaching past
[-1, 1] so that every padding mode is exercised; a second input of one
pixel column checks reflection over a single pixel. The model is compiled
with ddlc, run with ddl-run, and each output compared with
torch.nn.functional.grid_sample (atol 1e-5 + rtol 1e-4, fp32).

    grid_sample.py --ddlc DDLC --ddl-run DDL_RUN --work DIR
"""

import itertools
import sys

import numpy as np
import torch
from onnx import TensorProto, helper

from tool_args import compile_and_run, parse_tool_args

ATOL, RTOL = 1e-5, 1e-4
MODES = ("bilinear", "nearest", "bicubic")
PADDINGS = ("zeros", "border", "reflection")


def combinations():
    for mode, padding, align in itertools.product(MODES, PADDINGS, (0, 1)):
        yield f"{mode}_{padding}_{align}", mode, padding, align


def main():
    args = parse_tool_args(__doc__)

    rng = np.random.default_rng(0)
    feeds = {
        "x": rng.standard_normal((2, 3, 5, 7)).astype(np.float32),
        "grid": rng.uniform(-1.4, 1.4, (2, 4, 6, 2)).astype(np.float32),
        "column": rng.standard_normal((1, 2, 4, 1)).astype(np.float32),
        "column_grid": rng.uniform(-2.5, 2.5, (1, 3, 5, 2)).astype(np.float32),
    }
    nodes, outputs, want = [], [], {}
    cases = [(name, mode, padding, align, "x", "grid") for name, mode, padding, align in combinations()]
    cases += [("one_column_reflection_1", "bilinear", "reflection", 1, "column", "column_grid"),
              ("one_column_reflection_0", "bicubic", "reflection", 0, "column", "column_grid")]
    for name, mode, padding, align, x, grid in cases:
        nodes.append(helper.make_node("GridSample", [x, grid], [name], mode=mode,
                                      padding_mode=padding, align_corners=align))
        expected = torch.nn.functional.grid_sample(
            torch.from_numpy(feeds[x]), torch.from_numpy(feeds[grid]), mode=mode,
            padding_mode=padding, align_corners=bool(align)).numpy()
        want[name] = expected
        outputs.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, list(expected.shape)))
    inputs = [helper.make_tensor_value_info(k, TensorProto.FLOAT, list(v.shape)) for k, v in feeds.items()]
    model = helper.make_model(helper.make_graph(nodes, "grid_sample", inputs, outputs),
                              opset_imports=[helper.make_opsetid("", 16)])
    results = compile_and_run(args, model, feeds, "grid_sample")

    failed = 0
    for name, *_ in cases:
        got = results[name]
        err = float(np.abs(got - want[name]).max())
        ok = got.shape == want[name].shape and np.allclose(got, want[name], atol=ATOL, rtol=RTOL)
        failed += not ok
        print(f"{'PASS' if ok else 'FAIL'} {name}: max abs error {err:.1e}")
    print(f"grid_sample: {len(cases) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
