"""One linear layer as an ONNX model, compiled with a quantization mode and
run, against what numpy says the mode computes: what the quantization
scripts (quantize_int4.py, quantize_ternary.py, quantize_fp8.py) share."""

import numpy as np
from onnx import TensorProto, helper, numpy_helper
from tool_args import compile_and_run


def layer_model(name, kind, x_shape, w, bias):
    """y = x @ w ("matmul"; "dynamic": the same with K symbolic) or
    0.5 x @ w + bias as a Gemm with transB ("gemm"), w being [K, N]."""
    n = w.shape[1]
    x_dims = list(x_shape[:-1]) + ["k"] if kind == "dynamic" else list(x_shape)
    x_info = helper.make_tensor_value_info("x", TensorProto.FLOAT, x_dims)
    if kind in ("matmul", "dynamic"):
        nodes = [helper.make_node("MatMul", ["x", "w"], ["y"])]
        initializers = [numpy_helper.from_array(w, "w")]
        y_shape = list(x_shape[:-1]) + [n]
    else:
        nodes = [helper.make_node("Gemm", ["x", "w", "b"], ["y"], transB=1, alpha=0.5)]
        initializers = [numpy_helper.from_array(np.ascontiguousarray(w.T), "w"),
                        numpy_helper.from_array(bias, "b")]
        y_shape = [x_shape[0], n]
    graph = helper.make_graph(nodes, name, [x_info],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, y_shape)],
                              initializers)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def layer_output(kind, product, bias):
    """The model's output given x @ w as the mode computes it."""
    return product if kind in ("matmul", "dynamic") else 0.5 * product + bias


def check_layer(args, name, onnx_model, x, expected, ddlc_flags, bound=1e-5):
    """Compiles `onnx_model` with ddlc (`ddlc_flags`, --target), runs it on x
    with ddl-run (under --runner), prints PASS / FAIL with the error
    relative to the output's magnitude and returns whether it is within
    `bound`."""
    got = compile_and_run(args, onnx_model, {"x": x}, name, ddlc_flags)["y"]
    error = float(np.abs(got - expected).max() / np.abs(expected).max())
    passed = got.shape == expected.shape and error <= bound
    print(f"{'PASS' if passed else 'FAIL'} {name}: relative error {error:.2e}")
    return passed
