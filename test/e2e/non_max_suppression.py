#!/usr/bin/env python3
"""ONNX NonMaxSuppression in the forms the node suite does not cover,
against a NumPy implementation of ONNX Runtime's algorithm (per batch and
class: candidates with a score above the threshold, best first, equal
scores by lower index; a candidate is kept unless its IoU with a kept box
of the class is above the IoU threshold; boxes of no area suppress
nothing; at most max_output_boxes_per_class a class):

  many_corners   2 batches x 3 classes x 300 random boxes (y1, x1, y2, x2
                 with the corners in either order), score threshold 0.2,
                 IoU 0.45, at most 25 a class
  many_centers   the same boxes as (x_center, y_center, w, h), no score
                 threshold, at most 1000 a class (more than there are boxes)
  ties           equal scores, duplicate boxes and boxes of zero area
  none           max_output_boxes_per_class 0: an empty [0, 3] result
  symbolic       the box count a symbolic dimension (N), run at N = 57

The rows must match exactly (order included). One model holds all nodes;
it is compiled with ddlc and run with ddl-run.

    non_max_suppression.py --ddlc DDLC --ddl-run DDL_RUN --work DIR
"""

import sys

import numpy as np
from onnx import TensorProto, helper

from tool_args import compile_and_run, parse_tool_args


def extent(box, center):
    """(x min, x max, y min, y max) in float32."""
    if center:
        xc, yc, w, h = box
        return (xc - w * np.float32(0.5), xc + w * np.float32(0.5),
                yc - h * np.float32(0.5), yc + h * np.float32(0.5))
    y1, x1, y2, x2 = box
    return min(x1, x2), max(x1, x2), min(y1, y2), max(y1, y2)


def suppresses(a, c, center, iou_threshold):
    p, q = extent(a, center), extent(c, center)
    width = min(p[1], q[1]) - max(p[0], q[0])
    height = min(p[3], q[3]) - max(p[2], q[2])
    inter = width * height
    area_p = (p[1] - p[0]) * (p[3] - p[2])
    area_q = (q[1] - q[0]) * (q[3] - q[2])
    union = area_p + area_q - inter
    if not (width > 0 and height > 0 and area_p > 0 and area_q > 0 and union > 0):
        return False
    return inter / union > iou_threshold


def reference(boxes, scores, max_out, iou, score_threshold, center):
    rows = []
    for b in range(boxes.shape[0]):
        for c in range(scores.shape[1]):
            s = scores[b, c]
            candidates = [i for i in range(len(s))
                          if score_threshold is None or s[i] > score_threshold]
            candidates.sort(key=lambda i: (-s[i], i))
            kept = []
            for i in candidates:
                if len(kept) >= max_out:
                    break
                if not any(suppresses(boxes[b, k], boxes[b, i], center, iou) for k in kept):
                    kept.append(i)
            rows += [(b, c, i) for i in kept]
    return np.array(rows, np.int64).reshape(-1, 3)


def random_boxes(rng, batches, n, center):
    if center:
        xy = rng.uniform(0, 10, (batches, n, 2))
        wh = rng.uniform(0.2, 3, (batches, n, 2))
        return np.concatenate([xy, wh], axis=2).astype(np.float32)
    a = rng.uniform(0, 10, (batches, n, 2))
    size = rng.uniform(-3, 3, (batches, n, 2))  # either corner order
    return np.concatenate([a, a + size], axis=2).astype(np.float32)


def main():
    args = parse_tool_args(__doc__)
    rng = np.random.default_rng(7)
    corners = random_boxes(rng, 2, 300, False)
    centers = random_boxes(rng, 2, 300, True)
    scores = rng.uniform(0, 1, (2, 3, 300)).astype(np.float32)
    ties_boxes = np.array([[[0, 0, 1, 1], [0, 0, 1, 1], [0, 0, 0, 1], [0.5, 0.5, 1.5, 1.5],
                            [2, 2, 3, 3], [2, 2, 3, 3.1]]], np.float32)
    ties_scores = np.array([[[0.5, 0.5, 0.9, 0.5, 0.7, 0.7]]], np.float32)
    sym_boxes = random_boxes(rng, 1, 57, False)
    sym_scores = rng.uniform(0, 1, (1, 2, 57)).astype(np.float32)

    cases = [  # name, boxes, scores, max, iou, score threshold, center, symbolic
        ("many_corners", "corners", "scores", 25, 0.45, 0.2, 0, False),
        ("many_centers", "centers", "scores", 1000, 0.45, None, 1, False),
        ("ties", "ties_boxes", "ties_scores", 10, 0.3, None, 0, False),
        ("none", "corners", "scores", 0, 0.5, None, 0, False),
        ("symbolic", "sym_boxes", "sym_scores", 5, 0.4, 0.1, 0, True),
    ]
    feeds = {"corners": corners, "centers": centers, "scores": scores,
             "ties_boxes": ties_boxes, "ties_scores": ties_scores,
             "sym_boxes": sym_boxes, "sym_scores": sym_scores}
    symbolic_inputs = {"sym_boxes": [1, "N", 4], "sym_scores": [1, 2, "N"]}
    inits, nodes, outputs, want = [], [], [], {}
    for name, boxes, score, max_out, iou, threshold, center, _ in cases:
        ins = [boxes, score, f"{name}_max", f"{name}_iou"]
        inits += [helper.make_tensor(f"{name}_max", TensorProto.INT64, [1], [max_out]),
                  helper.make_tensor(f"{name}_iou", TensorProto.FLOAT, [1], [iou])]
        if threshold is not None:
            ins.append(f"{name}_score")
            inits.append(helper.make_tensor(f"{name}_score", TensorProto.FLOAT, [1], [threshold]))
        nodes.append(helper.make_node("NonMaxSuppression", ins, [name], center_point_box=center))
        want[name] = reference(feeds[boxes], feeds[score], max_out, np.float32(iou),
                               None if threshold is None else np.float32(threshold), center)
        outputs.append(helper.make_tensor_value_info(name, TensorProto.INT64, ["K", 3]))
    inputs = [helper.make_tensor_value_info(k, TensorProto.FLOAT,
                                            symbolic_inputs.get(k, list(v.shape)))
              for k, v in feeds.items()]
    model = helper.make_model(helper.make_graph(nodes, "nms", inputs, outputs, inits),
                              opset_imports=[helper.make_opsetid("", 11)])
    results = compile_and_run(args, model, feeds, "nms")

    failed = 0
    for name, *_ in cases:
        got = results[name]
        ok = got.shape == want[name].shape and (got == want[name]).all()
        failed += not ok
        print(f"{'PASS' if ok else 'FAIL'} {name}: {got.shape[0]} rows"
              + ("" if ok else f", expected {want[name].shape[0]}:\n{got}\n{want[name]}"))
    print(f"non_max_suppression: {len(cases) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
