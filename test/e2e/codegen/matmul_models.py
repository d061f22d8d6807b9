#!/usr/bin/env python3
"""ONNX models whose contractions take the data-tiled path (constant B)
or the in-place kernel (B computed at run time: a second input).

    matmul_models.py OUT_DIR

writes, for each case, CASE.onnx, CASE-input.npy (and CASE-input2.npy for
a second input) and CASE-expected.npy (numpy, float64 accumulation
rounded to float32). The sizes are chosen to hit the remainder paths: M
not a multiple of M0 (and dynamic), N not a multiple of N0, K odd, Gemm
with transB and a bias, a batched MatMul whose batch folds into M; with
two inputs, attention's shapes (scores then weights, softmax between),
a dynamic batch and a 4-D batch.
"""

import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def save(out, name, graph, x, expected):
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(out, name + ".onnx"))
    np.save(os.path.join(out, name + "-input.npy"), x)
    np.save(os.path.join(out, name + "-expected.npy"), expected.astype(np.float32))


def matmul(out, name, x_shape, k, n, dynamic=False):
    rng = np.random.default_rng(len(name))
    w = rng.standard_normal((k, n)).astype(np.float32)
    x = rng.standard_normal(x_shape).astype(np.float32)
    dims = ["batch"] + list(x_shape[1:]) if dynamic else list(x_shape)
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w"], ["y"])], name,
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, dims)],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT,
                                       dims[:-1] + [n])],
        [numpy_helper.from_array(w, "w")])
    save(out, name, graph, x, x.astype(np.float64) @ w.astype(np.float64))


def runtime(out, name, x_shape, y_shape, dynamic=False):
    """MatMul of two inputs; `dynamic` makes the leading dim symbolic."""
    rng = np.random.default_rng(len(name) + 3)
    x = rng.standard_normal(x_shape).astype(np.float32)
    y = rng.standard_normal(y_shape).astype(np.float32)
    z = x.astype(np.float64) @ y.astype(np.float64)

    def dims(shape):
        return ["batch"] + list(shape[1:]) if dynamic else list(shape)
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "y"], ["z"])], name,
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, dims(x_shape)),
         helper.make_tensor_value_info("y", TensorProto.FLOAT, dims(y_shape))],
        [helper.make_tensor_value_info("z", TensorProto.FLOAT, dims(z.shape))])
    save(out, name, graph, x, z)
    np.save(os.path.join(out, name + "-input2.npy"), y)


def attention(out, name, heads, seq, dim):
    """softmax(Q K^T) V with Q, K, V inputs of [heads, seq, dim]."""
    rng = np.random.default_rng(seq)
    q, k, v = (rng.standard_normal((heads, seq, dim)).astype(np.float32)
               for _ in range(3))
    scores = q.astype(np.float64) @ k.transpose(0, 2, 1).astype(np.float64)
    weights = np.exp(scores - scores.max(-1, keepdims=True))
    weights /= weights.sum(-1, keepdims=True)
    shape = [heads, seq, dim]
    graph = helper.make_graph(
        [helper.make_node("Transpose", ["k"], ["kt"], perm=[0, 2, 1]),
         helper.make_node("MatMul", ["q", "kt"], ["s"]),
         helper.make_node("Softmax", ["s"], ["p"], axis=-1),
         helper.make_node("MatMul", ["p", "v"], ["o"])], name,
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, shape)
         for n in ("q", "k", "v")],
        [helper.make_tensor_value_info("o", TensorProto.FLOAT, shape)])
    save(out, name, graph, q, weights @ v.astype(np.float64))
    np.save(os.path.join(out, name + "-input2.npy"), k)
    np.save(os.path.join(out, name + "-input3.npy"), v)


def gemm(out, name, m, k, n):
    rng = np.random.default_rng(len(name) + 7)
    w = rng.standard_normal((n, k)).astype(np.float32)
    bias = rng.standard_normal((n,)).astype(np.float32)
    x = rng.standard_normal((m, k)).astype(np.float32)
    graph = helper.make_graph(
        [helper.make_node("Gemm", ["x", "w", "b"], ["y"], transB=1),
         helper.make_node("Relu", ["y"], ["z"])], name,
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [m, k])],
        [helper.make_tensor_value_info("z", TensorProto.FLOAT, [m, n])],
        [numpy_helper.from_array(w, "w"), numpy_helper.from_array(bias, "b")])
    y = x.astype(np.float64) @ w.T.astype(np.float64) + bias
    save(out, name, graph, x, np.maximum(y, 0))


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    matmul(out, "square", (64, 64), 64, 64)
    matmul(out, "ragged", (37, 129), 129, 77)
    matmul(out, "dynamic", (13, 96), 96, 200, dynamic=True)
    matmul(out, "batched", (2, 9, 48), 48, 40)
    gemm(out, "gemm", 5, 70, 33)
    attention(out, "attention", 3, 37, 24)
    runtime(out, "runtime_2d", (45, 300), (300, 70))
    runtime(out, "runtime_dynamic", (2, 9, 33), (2, 33, 100), dynamic=True)
    runtime(out, "runtime_4d", (2, 3, 17, 5), (2, 3, 5, 40))


if __name__ == "__main__":
    main()
