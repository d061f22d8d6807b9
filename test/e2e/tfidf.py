#!/usr/bin/env python3
"""ONNX TfIdfVectorizer beyond the node suite (which covers TF mode with
bigrams), against a NumPy implementation of ONNX Runtime's counting: per
row, for each skip distance d = 1 .. max_skip_count + 1 and each start
position, the n-grams of lengths [min, max] made of tokens d apart,
unigrams counted once; a pool n-gram's count goes to its ngram_indexes
column, as is (TF), as its weight where the count is non-zero (IDF) or as
count x weight (TFIDF).

  tf_1to3     1- to 3-grams, skips up to 2, rows of 40 tokens from 6 ids
  idf         the same pool, IDF with weights
  tfidf       the same pool, TFIDF with weights, a 1-D input
  min2        min_gram_length 2: the pool's unigrams stay 0
  symbolic    the row length a symbolic dimension (C), run at C = 23,
              and at C = 1 (shorter than any n-gram: all zeros)

Counts must match exactly (they are small integers in f32).

    tfidf.py --ddlc DDLC --ddl-run DDL_RUN --work DIR
"""

import sys

import numpy as np
from onnx import TensorProto, helper

from tool_args import compile_and_run, parse_tool_args

# Pool: 4 unigrams, 5 bigrams, 3 trigrams; output columns shuffled.
POOL = [1, 2, 3, 5,
        1, 2, 2, 1, 3, 3, 4, 5, 0, 0,
        1, 2, 3, 2, 2, 2, 5, 4, 3]
COUNTS = [0, 4, 14]
INDEXES = [11, 0, 5, 2, 9, 1, 7, 3, 10, 4, 8, 6]
WEIGHTS = [0.5, 1.5, 2.0, 0.25, 3.0, 1.0, 0.75, 2.5, 1.25, 0.125, 4.0, 0.5]


def pool_grams():
    grams, ends = [], COUNTS[1:] + [len(POOL)]
    for n, (begin, end) in enumerate(zip(COUNTS, ends), start=1):
        grams += [tuple(POOL[i:i + n]) for i in range(begin, end, n)]
    return grams


def reference(x, mode, min_gram, max_gram, max_skip, weights):
    grams = pool_grams()
    rows = x.reshape(-1, x.shape[-1])
    out = np.zeros((rows.shape[0], max(INDEXES) + 1), np.float32)
    for r, row in enumerate(rows):
        counts = np.zeros(len(grams))
        for g, gram in enumerate(grams):
            n = len(gram)
            if n < min_gram or n > max_gram:
                continue
            for d in range(1, (1 if n == 1 else max_skip + 1) + 1):
                for i in range(len(row)):
                    picks = [i + k * d for k in range(n)]
                    if picks[-1] < len(row) and tuple(row[picks]) == gram:
                        counts[g] += 1
        w = np.array(weights if weights else [1.0] * len(grams))
        values = {"TF": counts, "IDF": np.where(counts > 0, w, 0), "TFIDF": counts * w}[mode]
        for g, column in enumerate(INDEXES):
            out[r, column] += values[g]
    return out.reshape(x.shape[:-1] + (out.shape[1],))


def node(name, mode, min_gram=1, max_gram=3, max_skip=2, weights=None, inp="x"):
    attrs = dict(mode=mode, min_gram_length=min_gram, max_gram_length=max_gram,
                 max_skip_count=max_skip, ngram_counts=COUNTS, ngram_indexes=INDEXES,
                 pool_int64s=POOL)
    if weights:
        attrs["weights"] = weights
    return helper.make_node("TfIdfVectorizer", [inp], [name], **attrs)


def main():
    args = parse_tool_args(__doc__)
    rng = np.random.default_rng(3)
    v = helper.make_tensor_value_info
    cols = max(INDEXES) + 1
    x = rng.integers(0, 6, (3, 40)).astype(np.int64)
    flat = rng.integers(0, 6, (40,)).astype(np.int32)
    nodes = [node("tf", "TF"), node("idf", "IDF", weights=WEIGHTS),
             node("tfidf", "TFIDF", weights=WEIGHTS, inp="flat"),
             node("min2", "TF", min_gram=2)]
    graph = helper.make_graph(
        nodes, "tfidf", [v("x", TensorProto.INT64, [3, 40]), v("flat", TensorProto.INT32, [40])],
        [v(n, TensorProto.FLOAT, [cols] if n == "tfidf" else [3, cols])
         for n in ("tf", "idf", "tfidf", "min2")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    out = compile_and_run(args, model, {"x": x, "flat": flat}, "tfidf")
    want = {"tf": reference(x, "TF", 1, 3, 2, None),
            "idf": reference(x, "IDF", 1, 3, 2, WEIGHTS),
            "tfidf": reference(flat, "TFIDF", 1, 3, 2, WEIGHTS),
            "min2": reference(x, "TF", 2, 3, 2, None)}
    results = []
    for name, expected in want.items():
        ok = out[name].shape == expected.shape and np.array_equal(out[name], expected)
        print(f"{'PASS' if ok else 'FAIL'} {name}: {int(expected.sum())} counted")
        results.append(ok)

    graph = helper.make_graph([node("y", "TF", max_skip=1)], "sym",
                              [v("x", TensorProto.INT64, [2, "C"])],
                              [v("y", TensorProto.FLOAT, [2, cols])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    for c in (23, 1):
        xs = rng.integers(0, 6, (2, c)).astype(np.int64)
        got = compile_and_run(args, model, {"x": xs}, f"symbolic{c}")["y"]
        ok = np.array_equal(got, reference(xs, "TF", 1, 3, 1, None))
        print(f"{'PASS' if ok else 'FAIL'} symbolic C={c}")
        results.append(ok)
    passed = sum(results)
    print(f"tfidf: {passed} passed, {len(results) - passed} failed")
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
