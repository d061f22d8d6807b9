#!/usr/bin/env python3
"""ONNX's random ops, checked statistically (the node suite's references
come from numpy's generator, which ddl does not reproduce):

  uniform     RandomUniform [200000] in [-2, 3), seeded: bounds, mean and
              variance within 5 standard errors, and a flat histogram
  normal      RandomNormalLike (mean 1, scale 2) of a [400, 500] input:
              mean, standard deviation, P(|z| < 1)
  bernoulli   Bernoulli of probabilities 0, 1 and 0.3: exact 0 / 1 where
              certain, the rate within 5 standard errors
  dropout     Dropout with a run-time training_mode and ratio 0.25: kept
              elements are x / 0.75 exactly where the mask says, dropped ones
              0, the kept fraction within 5 standard errors; with
              training_mode false, the identity and an all-true mask
  multinomial Multinomial of log-probabilities [2, 4], 50000 samples a row:
              int32 indices in range, each class's frequency within 5
              standard errors of its probability
  seeded      two runs (two processes) of a seeded model give identical
              draws; the two ops of one model (distinct seeds) differ

    random_ops.py --ddlc DDLC --ddl-run DDL_RUN --work DIR
"""

import sys

import numpy as np
from onnx import TensorProto, helper

from tool_args import compile_and_run, parse_tool_args

F = TensorProto.FLOAT
PROBABILITIES = np.array([[0.1, 0.2, 0.3, 0.4], [0.7, 0.1, 0.1, 0.1]])


def within(value, expected, standard_error):
    return abs(value - expected) <= 5 * standard_error


def main():
    args = parse_tool_args(__doc__)
    v = helper.make_tensor_value_info
    n = 200000
    nodes = [
        helper.make_node("RandomUniform", [], ["u"], shape=[n], low=-2.0, high=3.0, seed=5.0),
        helper.make_node("RandomUniform", [], ["u2"], shape=[n], low=-2.0, high=3.0, seed=6.0),
        helper.make_node("RandomNormalLike", ["like"], ["z"], mean=1.0, scale=2.0),
        helper.make_node("Bernoulli", ["p"], ["b"]),
        helper.make_node("Dropout", ["x", "ratio", "training"], ["y", "mask"], seed=3),
        helper.make_node("Multinomial", ["logits"], ["m"], sample_size=50000, seed=9.0),
    ]
    graph = helper.make_graph(
        nodes, "random",
        [v("like", F, [400, 500]), v("p", F, [3, 100000]), v("x", F, [1000, 100]),
         v("ratio", F, []), v("training", TensorProto.BOOL, []), v("logits", F, [2, 4])],
        [v("u", F, [n]), v("u2", F, [n]), v("z", F, [400, 500]), v("b", F, [3, 100000]),
         v("y", F, [1000, 100]), v("mask", TensorProto.BOOL, [1000, 100]),
         v("m", TensorProto.INT32, [2, 50000])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 15)])
    rng = np.random.default_rng(0)
    p = np.stack([np.zeros(100000), np.ones(100000), np.full(100000, 0.3)]).astype(np.float32)
    x = rng.standard_normal((1000, 100)).astype(np.float32)
    feeds = {"like": np.zeros((400, 500), np.float32), "p": p, "x": x,
             "ratio": np.array(0.25, np.float32), "training": np.array(True),
             "logits": np.log(PROBABILITIES).astype(np.float32)}
    out = compile_and_run(args, model, feeds, "random")
    again = compile_and_run(args, model, feeds, "random_again")
    results = []

    def report(name, ok, detail):
        print(f"{'PASS' if ok else 'FAIL'} {name}: {detail}")
        results.append(bool(ok))

    u = out["u"].astype(np.float64)
    hist = np.histogram(u, bins=10, range=(-2, 3))[0]
    report("uniform", u.min() >= -2 and u.max() < 3
           and within(u.mean(), 0.5, np.sqrt(25 / 12 / n))
           and within(u.var(), 25 / 12, 25 / 12 * np.sqrt(0.8 / n))
           and np.all(np.abs(hist - n / 10) <= 5 * np.sqrt(n / 10)),
           f"mean {u.mean():.4f}, variance {u.var():.4f}")
    z = out["z"].astype(np.float64).ravel()
    report("normal", within(z.mean(), 1, 2 / np.sqrt(z.size))
           and within(z.std(), 2, 2 / np.sqrt(2 * z.size))
           and within(np.mean(np.abs(z - 1) < 2), 0.682689, np.sqrt(0.2166 / z.size)),
           f"mean {z.mean():.4f}, std {z.std():.4f}")
    b = out["b"]
    rate = b[2].mean()
    report("bernoulli", np.all(b[0] == 0) and np.all(b[1] == 1)
           and set(np.unique(b[2])) <= {0.0, 1.0}
           and within(rate, 0.3, np.sqrt(0.21 / 100000)), f"rate {rate:.4f}")
    y, mask = out["y"], out["mask"]
    kept = mask.mean()
    report("dropout", np.array_equal(y[mask], (x / np.float32(0.75))[mask])
           and np.all(y[~mask] == 0)
           and within(kept, 0.75, np.sqrt(0.1875 / mask.size)), f"kept {kept:.4f}")
    m = out["m"]
    freq = np.stack([np.bincount(row, minlength=4) / row.size for row in m]) if m.min() >= 0 \
        and m.max() < 4 else None
    report("multinomial", m.dtype == np.int32 and freq is not None
           and np.all(np.abs(freq - PROBABILITIES)
                      <= 5 * np.sqrt(PROBABILITIES * (1 - PROBABILITIES) / m.shape[1])),
           f"frequencies {np.round(freq, 3).tolist() if freq is not None else 'out of range'}")
    feeds["training"] = np.array(False)
    off = compile_and_run(args, model, feeds, "random_off")
    report("dropout off", np.array_equal(off["y"], x) and off["mask"].all(), "identity")
    report("seeded", np.array_equal(out["u"], again["u"]) and np.array_equal(out["y"], again["y"])
           and not np.array_equal(out["u"], out["u2"]), "reproducible across processes")
    passed = sum(results)
    print(f"random_ops: {passed} passed, {len(results) - passed} failed")
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
