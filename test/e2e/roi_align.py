#!/usr/bin/env python3
"""RoiAlign against torchvision's roi_align (avg, sampling_ratio 2, both
coordinate modes): two images of three channels, boxes inside, partly
outside, smaller than a pixel and mostly past the border, a spatial scale
of 0.9. atol 1e-5 (fp32).

    roi_align.py --ddlc DDLC --ddl-run DDL_RUN --work DIR
"""

import sys

import numpy as np
import torch
import torchvision
from onnx import TensorProto, helper

from tool_args import compile_and_run, parse_tool_args


def main():
    args = parse_tool_args(__doc__)
    torch.manual_seed(0)
    x = torch.randn(2, 3, 12, 10)
    boxes = torch.tensor([[0, 1.0, 2.0, 7.5, 9.0], [1, -2.0, 0.5, 4.0, 13.0],
                          [1, 3.3, 3.3, 3.9, 4.2], [0, 8.0, 9.0, 12.0, 14.0]])
    feeds = {"x": x.numpy(), "rois": boxes[:, 1:].numpy(), "b": boxes[:, 0].long().numpy()}
    failed = 0
    for aligned in (True, False):
        name = "half_pixel" if aligned else "output_half_pixel"
        want = torchvision.ops.roi_align(x, boxes, (3, 4), spatial_scale=0.9, sampling_ratio=2,
                                         aligned=aligned).numpy()
        node = helper.make_node("RoiAlign", ["x", "rois", "b"], ["y"], output_height=3, output_width=4,
                                sampling_ratio=2, spatial_scale=0.9, coordinate_transformation_mode=name)
        graph = helper.make_graph(
            [node], name,
            [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(x.shape)),
             helper.make_tensor_value_info("rois", TensorProto.FLOAT, [4, 4]),
             helper.make_tensor_value_info("b", TensorProto.INT64, [4])],
            [helper.make_tensor_value_info("y", TensorProto.FLOAT, list(want.shape))])
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 16)])
        got = compile_and_run(args, model, feeds, name)["y"]
        err = float(np.abs(got - want).max())
        ok = got.shape == want.shape and err < 1e-5
        failed += not ok
        print(f"{'PASS' if ok else 'FAIL'} {name}: max abs error {err:.1e}")
    print(f"roi_align: {2 - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
