#!/usr/bin/env python3
"""Detection post-processing graphs end to end: NonMaxSuppression with the
gathers around it, compiled with ddlc and run with ddl-run.

  torchvision     a torchvision-style post-processing module exported with
                  torch.onnx.export (opset 17, a symbolic box count): a
                  score threshold (boolean indexing: NonZero + GatherND),
                  torchvision.ops.batched_nms (the per-class offset trick:
                  ReduceMax, Mul, Add, and NonMaxSuppression inside the If
                  the exporter emits for an empty input), the best 100
                  (Slice), then the kept boxes, scores and labels (Gather).
                  Against PyTorch eager (torchvision's NMS kernel) and an
                  independent NumPy greedy NMS: exact equality, order
                  included. Run at 600 boxes of 6 classes, at 45 boxes, and
                  with every score below the threshold (an empty result).
  ssd             an SSD-style graph written with onnx.helper: boxes
                  [B, N, 4], scores [B, C, N] -> NonMaxSuppression (IoU
                  0.5, score threshold 0.3, at most 140 a class: some classes
                  reach the limit, some do not) -> the
                  selected (batch, class, box) triples -> GatherND of the
                  boxes by (batch, box), GatherND of the scores by the
                  triple, the class column. Against a NumPy greedy NMS per
                  batch and class; exact equality.

    detection_postprocess.py --ddlc DDLC --ddl-run DDL_RUN --work DIR
"""

import os
import subprocess
import sys
import warnings

import numpy as np
import onnx
import torch
import torchvision
from onnx import TensorProto, helper

from tool_args import compile_and_run, parse_tool_args

SCORE_THRESHOLD, IOU, TOP = 0.05, 0.5, 100


class PostProcess(torch.nn.Module):
    """What torchvision's detection heads do after the box decoding."""

    def forward(self, boxes, scores, labels):
        keep = scores > SCORE_THRESHOLD
        boxes, scores, labels = boxes[keep], scores[keep], labels[keep]
        keep = torchvision.ops.batched_nms(boxes, scores, labels, IOU)[:TOP]
        return boxes[keep], scores[keep], labels[keep]


def iou(a, b):
    """IoU of two (x1, y1, x2, y2) boxes with x1 < x2 and y1 < y2, in
    float64."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    inter = w * h
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


def greedy_nms(boxes, scores, iou_threshold, limit=None):
    """Indices kept by greedy NMS: best score first, a box is dropped when
    its IoU with a kept box exceeds the threshold."""
    order = sorted(range(len(scores)), key=lambda i: (-scores[i], i))
    kept = []
    for i in order:
        if limit is not None and len(kept) >= limit:
            break
        if all(iou(boxes[k], boxes[i]) <= iou_threshold for k in kept):
            kept.append(i)
    return kept


def numpy_postprocess(boxes, scores, labels):
    """PostProcess in NumPy: NMS per class, merged best score first."""
    b64 = boxes.astype(np.float64)
    idx = np.nonzero(scores > SCORE_THRESHOLD)[0]
    kept = []
    for c in np.unique(labels[idx]):
        members = idx[labels[idx] == c]
        kept += [members[k] for k in greedy_nms(b64[members], scores[members], IOU)]
    kept.sort(key=lambda i: (-scores[i], i))
    kept = np.array(kept[:TOP], np.int64)
    return boxes[kept], scores[kept], labels[kept]


def random_detections(rng, n, classes):
    xy = rng.uniform(0, 300, (n, 2))
    wh = rng.uniform(8, 80, (n, 2))
    boxes = np.concatenate([xy, xy + wh], 1).astype(np.float32)
    scores = rng.uniform(0, 1, n).astype(np.float32)
    labels = rng.integers(0, classes, n).astype(np.int64)
    return boxes, scores, labels


def check(got, want):
    return all(g.shape == w.shape and g.dtype == w.dtype and np.array_equal(g, w)
               for g, w in zip(got, want))


def torchvision_case(args):
    path = os.path.join(args.work, "postprocess.onnx")
    so = os.path.join(args.work, "postprocess.so")
    rng = np.random.default_rng(0)
    example = random_detections(rng, 50, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the exporter's notes on If and NonZero
        torch.onnx.export(PostProcess(), tuple(torch.from_numpy(a) for a in example), path,
                          opset_version=17, input_names=["boxes", "scores", "labels"],
                          output_names=["det_boxes", "det_scores", "det_labels"],
                          dynamic_axes={"boxes": {0: "n"}, "scores": {0: "n"},
                                        "labels": {0: "n"}})
    ops = sorted({n.op_type for n in onnx.load(path).graph.node})
    assert "If" in ops, f"the export holds no If: {ops}"
    subprocess.run([args.ddlc, path, "-o", so], check=True)
    failed = 0
    runs = [("600 boxes", random_detections(rng, 600, 6)),
            ("45 boxes", random_detections(rng, 45, 2))]
    boxes, scores, labels = random_detections(rng, 80, 4)
    runs.append(("all below threshold", (boxes, scores * np.float32(SCORE_THRESHOLD), labels)))
    for label, (boxes, scores, labels) in runs:
        out = os.path.join(args.work, "postprocess_out")
        cmd = [args.ddl_run, so, "--output-dir", out]
        for n, v in (("boxes", boxes), ("scores", scores), ("labels", labels)):
            np.save(os.path.join(args.work, n + ".npy"), v)
            cmd += ["--input", f"{n}={os.path.join(args.work, n + '.npy')}"]
        subprocess.run(cmd, check=True, capture_output=True)
        got = [np.load(os.path.join(out, n + ".npy"))
               for n in ("det_boxes", "det_scores", "det_labels")]
        with torch.no_grad():
            eager = [t.numpy() for t in PostProcess()(*(torch.from_numpy(a) for a in
                                                        (boxes, scores, labels)))]
        ref = numpy_postprocess(boxes, scores, labels)
        ok_eager = check(got, eager)
        ok_numpy = check(got, ref)
        # The two references must agree too, or the test checks nothing.
        ok_refs = check(eager, ref)
        ok = ok_eager and ok_numpy and ok_refs
        failed += not ok
        print(f"{'PASS' if ok else 'FAIL'} torchvision {label}: {len(got[1])} detections "
              f"(eager {'=' if ok_eager else '!='}, numpy {'=' if ok_numpy else '!='}"
              f"{'' if ok_refs else ', references disagree'})")
    return len(runs), failed


def ssd_case(args):
    B, C, N, limit, score_threshold = 2, 4, 250, 140, 0.3
    rng = np.random.default_rng(1)
    xy = rng.uniform(0, 1, (B, N, 2))
    wh = rng.uniform(0.05, 0.4, (B, N, 2))
    # ONNX's default box format: (y1, x1, y2, x2).
    boxes = np.concatenate([xy, xy + wh], 2).astype(np.float32)
    scores = rng.uniform(0, 1, (B, C, N)).astype(np.float32)
    i64 = TensorProto.INT64
    nodes = [
        helper.make_node("NonMaxSuppression", ["boxes", "scores", "limit", "iou", "threshold"],
                         ["selected"]),
        helper.make_node("Gather", ["selected", "cols_bb"], ["batch_box"], axis=1),
        helper.make_node("GatherND", ["boxes", "batch_box"], ["det_boxes"]),
        helper.make_node("GatherND", ["scores", "selected"], ["det_scores"]),
        helper.make_node("Gather", ["selected", "col_class"], ["det_classes"], axis=1),
    ]
    inits = [helper.make_tensor("limit", i64, [1], [limit]),
             helper.make_tensor("iou", TensorProto.FLOAT, [1], [IOU]),
             helper.make_tensor("threshold", TensorProto.FLOAT, [1], [score_threshold]),
             helper.make_tensor("cols_bb", i64, [2], [0, 2]),
             helper.make_tensor("col_class", i64, [], [1])]
    graph = helper.make_graph(
        nodes, "ssd_postprocess",
        [helper.make_tensor_value_info("boxes", TensorProto.FLOAT, [B, N, 4]),
         helper.make_tensor_value_info("scores", TensorProto.FLOAT, [B, C, N])],
        [helper.make_tensor_value_info("det_boxes", TensorProto.FLOAT, ["k", 4]),
         helper.make_tensor_value_info("det_scores", TensorProto.FLOAT, ["k"]),
         helper.make_tensor_value_info("det_classes", i64, ["k"])],
        inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx.checker.check_model(model)
    got = compile_and_run(args, model, {"boxes": boxes, "scores": scores}, "ssd")
    rows = []
    b64 = boxes.astype(np.float64)[..., [1, 0, 3, 2]]  # to (x1, y1, x2, y2)
    for b in range(B):
        for c in range(C):
            cand = np.nonzero(scores[b, c] > score_threshold)[0]
            kept = greedy_nms(b64[b, cand], scores[b, c, cand], IOU, limit)
            rows += [(b, c, cand[k]) for k in kept]
    rows = np.array(rows, np.int64)
    want = [boxes[rows[:, 0], rows[:, 2]], scores[rows[:, 0], rows[:, 1], rows[:, 2]], rows[:, 1]]
    ok = check([got["det_boxes"], got["det_scores"], got["det_classes"]], want)
    full = sum(int(np.sum((rows[:, 0] == b) & (rows[:, 1] == c))) == limit
               for b in range(B) for c in range(C))
    print(f"{'PASS' if ok else 'FAIL'} ssd: {len(rows)} detections, {full} of {B * C} classes at the limit")
    return 1, 0 if ok else 1


def main():
    args = parse_tool_args(__doc__)
    total = failed = 0
    for case in (torchvision_case, ssd_case):
        n, f = case(args)
        total, failed = total + n, failed + f
    print(f"detection_postprocess: {total - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
