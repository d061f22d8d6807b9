#!/usr/bin/env python3
"""The op versions of ONNX opsets 18 to 21 (past libonnx 1.12's 17) against
NumPy implementations of the ONNX specification:

  reduce18     ReduceMax / ReduceL2 / ReduceLogSumExp / ReduceSumSquare with
               axes as an input, keepdims, noop_with_empty_axes; ReduceL1 /
               L2 / LogSum / LogSumExp / SumSquare over axes known at run
               time only; ReduceMax / ReduceMin on bool (20)
  split18      Split's num_outputs with an uneven last piece
  pad          Pad's axes input (18) in reflect and edge modes, and known
               at run time only; wrap (19)
  scatter18    ScatterElements and ScatterND reductions max and min
  norm         GroupNormalization 18 (per-group scale / bias) and 21
               (per-channel), Mish, Gelu (none and tanh)
  bitwise      BitwiseAnd / Or / Xor / Not on int32
  pool         LpPool 18 and AveragePool 19 with dilations (and ceil_mode)
  resize       Resize's axes, keep_aspect_ratio_policy and antialias (18,
               linear and cubic) and half_pixel_symmetric (19)
  crop         CenterCropPad cropping and padding, Col2Im (2-D, strides,
               dilations, pads)
  grid         AffineGrid (2-D and 3-D, both corner alignments), DFT 20 (axis
               as an input, and its default -2)
  deform       DeformConv (19) with groups, offset groups, a mask, strides,
               pads, dilations and offsets reaching outside the image
  blocked      QuantizeLinear / DequantizeLinear 21 with block_size

Each model is written in ONNX's text syntax (onnx.parser: ONNX 1.12's
helpers cannot check opset-18 nodes), compiled with ddlc and run with
ddl-run. Tolerance: |ddl - numpy| <= 1e-5 + 1e-4 |numpy| (fp32), exact for
integers and bools.

    newer_opsets.py --ddlc DDLC --ddl-run DDL_RUN --work DIR
"""

import math
import subprocess
import sys

import numpy as np
from onnx import parser

from tool_args import compile_and_run, parse_tool_args


def model(opset, signature, body):
    ir = 8 if opset == 18 else 9 if opset < 21 else 10
    return parser.parse_model(f'<ir_version: {ir}, opset_import: ["" : {opset}]>\n'
                              f"{signature}\n{{\n{body}\n}}")


def check(name, got, want):
    want = np.asarray(want)
    if got.shape != want.shape or got.dtype != want.dtype:
        print(f"FAIL {name}: got {got.dtype}{list(got.shape)}, want {want.dtype}{list(want.shape)}")
        return False
    if want.dtype.kind in "biu":
        ok = bool(np.array_equal(got, want))
        print(f"{'PASS' if ok else 'FAIL'} {name}: {'equal' if ok else 'differs'}")
        return ok
    err = np.abs(got.astype(np.float64) - want)
    bound = 1e-5 + 1e-4 * np.abs(want)
    ok = bool(np.all(err <= bound))
    print(f"{'PASS' if ok else 'FAIL'} {name}: max error {float(err.max()) if err.size else 0.0:.3g}")
    return ok


# --- NumPy references of the specification ---------------------------------

def erf(x):
    return np.vectorize(math.erf)(x)


def gelu(x, tanh):
    x = x.astype(np.float64)
    if tanh:
        return 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))
    return 0.5 * x * (1 + erf(x / math.sqrt(2)))


def group_norm(x, scale, bias, groups, eps):
    n, c = x.shape[:2]
    g = x.reshape(n, groups, -1).astype(np.float64)
    mean = g.mean(axis=2, keepdims=True)
    var = g.var(axis=2, keepdims=True)
    y = ((g - mean) / np.sqrt(var + eps)).reshape(x.shape)
    shape = (1, c) + (1,) * (x.ndim - 2)
    return y * scale.reshape(shape) + bias.reshape(shape)


def pool(x, kernel, strides, dilations, pads, ceil, reduce):
    """Windows of a [N, C, H, W] input; `reduce(values)` of the elements
    inside the input (padding excluded)."""
    n, c, h, w = x.shape
    out = []
    for d, size in enumerate((h, w)):
        span = dilations[d] * (kernel[d] - 1) + 1
        total = size + pads[d] + pads[d + 2] - span
        count = (-(-total // strides[d]) if ceil else total // strides[d]) + 1
        # A window must start inside the input or its begin padding.
        if ceil and (count - 1) * strides[d] >= size + pads[d]:
            count -= 1
        out.append(count)
    y = np.zeros((n, c, out[0], out[1]))
    for i in range(out[0]):
        for j in range(out[1]):
            rows = [i * strides[0] - pads[0] + k * dilations[0] for k in range(kernel[0])]
            cols = [j * strides[1] - pads[1] + k * dilations[1] for k in range(kernel[1])]
            rows = [r for r in rows if 0 <= r < h]
            cols = [q for q in cols if 0 <= q < w]
            y[:, :, i, j] = reduce(x[:, :, rows][:, :, :, cols].reshape(n, c, -1))
    return y


def resize_linear_1d(x, axis, out_size, scale, symmetric):
    """ONNX Resize, mode linear, half_pixel (or half_pixel_symmetric) along
    one axis."""
    size = x.shape[axis]
    coords = []
    for o in range(out_size):
        if symmetric:
            adjustment = out_size / (scale * size)
            offset = size / 2 * (1 - adjustment)
            coords.append(offset + (o + 0.5) / scale - 0.5)
        else:
            coords.append((o + 0.5) / scale - 0.5)
    coords = np.clip(np.array(coords), 0, size - 1)
    lo = np.floor(coords).astype(int)
    hi = np.minimum(lo + 1, size - 1)
    frac = coords - lo
    a, b = np.take(x, lo, axis=axis), np.take(x, hi, axis=axis)
    shape = [1] * x.ndim
    shape[axis] = out_size
    return a * (1 - frac.reshape(shape)) + b * frac.reshape(shape)


def antialias_coeffs(ratio, scale, cubic, a=-0.75):
    """ONNX's reference coefficients of an antialiased linear / cubic tap."""
    scale = min(scale, 1.0)
    if not cubic:
        start = int(np.floor(-1 / scale) + 1)
        args = (np.arange(start, 2 - start) - ratio) * scale
        coeffs = np.clip(1 - np.abs(args), 0, 1)
    else:
        def keys(t):
            t = abs(t)
            if t <= 1:
                return (a + 2) * t ** 3 - (a + 3) * t ** 2 + 1
            return a * t ** 3 - 5 * a * t ** 2 + 8 * a * t - 4 * a if t < 2 else 0.0
        start = int(np.floor(-2 / scale) + 1)
        coeffs = np.array([keys(scale * (i - ratio)) for i in range(start, 2 - start)])
    return coeffs / coeffs.sum()


def resize_antialias_1d(x, axis, out_size, scale, cubic):
    """ONNX's reference Resize (half_pixel) with antialias along one axis:
    the n nearest source positions of x_ori (ties to the smaller), the
    input edge-padded."""
    size = x.shape[axis]
    x = np.moveaxis(x, axis, -1)
    out = np.zeros(x.shape[:-1] + (out_size,))
    for o in range(out_size):
        x_ori = (o + 0.5) / scale - 0.5
        ratio = 1.0 if float(x_ori).is_integer() else x_ori - np.floor(x_ori)
        coeffs = antialias_coeffs(ratio, scale, cubic)
        n = len(coeffs)
        pad = int(np.ceil(n / 2))
        idx = sorted(sorted(range(size + 2 * pad), key=lambda i: (abs(x_ori + pad - i), i))[:n])
        src = np.clip(np.array(idx) - pad, 0, size - 1)
        out[..., o] = x[..., src] @ coeffs
    return np.moveaxis(out, -1, axis)


def center_crop_pad(x, shape, axes):
    y = x
    for size, axis in zip(shape, axes):
        dim = y.shape[axis]
        if size < dim:
            start = (dim - size) // 2
            y = np.take(y, range(start, start + size), axis=axis)
        elif size > dim:
            before = (size - dim) // 2
            widths = [(0, 0)] * y.ndim
            widths[axis] = (before, size - dim - before)
            y = np.pad(y, widths)
    return y


def col2im(cols, image, block, strides, dilations, pads):
    n, ck, _ = cols.shape
    k = block[0] * block[1]
    c = ck // k
    ph, pw = image[0] + pads[0] + pads[2], image[1] + pads[1] + pads[3]
    rows = (ph - (dilations[0] * (block[0] - 1) + 1)) // strides[0] + 1
    columns = (pw - (dilations[1] * (block[1] - 1) + 1)) // strides[1] + 1
    out = np.zeros((n, c, ph, pw))
    blocks = cols.reshape(n, c, block[0], block[1], rows, columns)
    for bi in range(block[0]):
        for bj in range(block[1]):
            for i in range(rows):
                for j in range(columns):
                    out[:, :, i * strides[0] + bi * dilations[0],
                        j * strides[1] + bj * dilations[1]] += blocks[:, :, bi, bj, i, j]
    return out[:, :, pads[0]:pads[0] + image[0], pads[1]:pads[1] + image[1]]


def affine_grid(theta, size, align):
    spatial = size[2:]

    def coords(s):
        if align:
            return np.array([-1.0]) if s == 1 else np.linspace(-1, 1, s)
        return (2 * np.arange(s) + 1) / s - 1

    axes = [coords(s) for s in spatial]
    mesh = np.meshgrid(*axes, indexing="ij")
    # (x, y[, z], 1): x along the last spatial axis.
    base = np.stack([m.ravel() for m in reversed(mesh)] + [np.ones(mesh[0].size)], axis=1)
    grid = np.einsum("pk,nik->npi", base, theta.astype(np.float64))
    return grid.reshape((size[0],) + tuple(spatial) + (len(spatial),))


def bilinear(image, y, x):
    """image [H, W] at float positions y, x (same shape), zero outside."""
    h, w = image.shape
    y0, x0 = np.floor(y).astype(int), np.floor(x).astype(int)
    out = np.zeros(y.shape)
    for dy in (0, 1):
        for dx in (0, 1):
            yy, xx = y0 + dy, x0 + dx
            weight = (1 - np.abs(y - yy)) * (1 - np.abs(x - xx))
            inside = (yy >= 0) & (yy < h) & (xx >= 0) & (xx < w)
            out += np.where(inside, weight * image[np.clip(yy, 0, h - 1), np.clip(xx, 0, w - 1)], 0)
    return out


def deform_conv(x, w, offset, bias, mask, strides, pads, dilations, group, offset_group):
    n, c, _, _ = x.shape
    oc, per_group, kh, kw = w.shape
    oh, ow = offset.shape[2:]
    offset = offset.reshape(n, offset_group, kh, kw, 2, oh, ow)
    mask = mask.reshape(n, offset_group, kh, kw, oh, ow)
    base_y = np.arange(oh)[:, None] * strides[0] - pads[0] + 0.0 * np.arange(ow)[None, :]
    base_x = np.arange(ow)[None, :] * strides[1] - pads[1] + 0.0 * np.arange(oh)[:, None]
    cols = np.zeros((n, c, kh, kw, oh, ow))
    for b in range(n):
        for ch in range(c):
            g = ch // (c // offset_group)
            for i in range(kh):
                for j in range(kw):
                    y = base_y + i * dilations[0] + offset[b, g, i, j, 0]
                    xx = base_x + j * dilations[1] + offset[b, g, i, j, 1]
                    cols[b, ch, i, j] = bilinear(x[b, ch].astype(np.float64), y, xx) * mask[b, g, i, j]
    out = np.zeros((n, oc, oh, ow))
    per_out = oc // group
    for o in range(oc):
        g = o // per_out
        out[:, o] = np.einsum("ckl,nckl...->n...", w[o].astype(np.float64),
                              cols[:, g * per_group:(g + 1) * per_group])
    return out + bias.reshape(1, -1, 1, 1)


def stacked(c):
    return np.stack((c.real, c.imag), axis=-1)


# --- Cases --------------------------------------------------------------------

def main():
    args = parse_tool_args(__doc__)
    rng = np.random.default_rng(18)
    f32 = np.float32
    results = []

    # Reductions with axes as an input.
    x = rng.standard_normal((3, 4, 5)).astype(f32)
    b = rng.random((3, 4)) > 0.3
    m = model(18, "g (float[3, 4, 5] x) => (float[3, 1, 5] mx, float[3] l2, "
                  "float[1, 1, 1] lse, float[3, 4, 5] noop, float[4] ssq)",
              """
  a1 = Constant <value = int64[1] {1}> ()
  a02 = Constant <value = int64[2] {0, -1}> ()
  a12 = Constant <value = int64[2] {-1, 1}> ()
  e = Constant <value = int64[0] {}> ()
  mx = ReduceMax (x, a1)
  l2 = ReduceL2 <keepdims = 0> (x, a12)
  lse = ReduceLogSumExp (x)
  noop = ReduceSumSquare <noop_with_empty_axes = 1> (x, e)
  ssq = ReduceSumSquare <keepdims = 0> (x, a02)""")
    out = compile_and_run(args, m, {"x": x}, "reduce18")
    xd = x.astype(np.float64)
    results.append(check("ReduceMax axes input", out["mx"], x.max(axis=1, keepdims=True)))
    results.append(check("ReduceL2 axes input", out["l2"], np.sqrt((xd ** 2).sum(axis=(1, 2))).astype(f32)))
    results.append(check("ReduceLogSumExp all", out["lse"],
                         np.log(np.exp(xd).sum()).reshape(1, 1, 1).astype(f32)))
    # No axes to reduce: the element-wise part alone (ONNX's reference).
    results.append(check("ReduceSumSquare noop", out["noop"], np.square(x)))
    results.append(check("ReduceSumSquare axes input", out["ssq"], (xd ** 2).sum(axis=(0, 2)).astype(f32)))
    # Axes known at run time only: per-axis Sums between element-wise steps.
    m = model(18, "g (float[3, 4, 5] x, int64[2] ax) => (float[?, ?, ?] l1, float[?] l2, float[?, ?, ?] ls, "
                  "float[?] lse, float[?, ?, ?] ssq)", """
  l1 = ReduceL1 (x, ax)
  l2 = ReduceL2 <keepdims = 0> (x, ax)
  magnitude = Abs (x)
  ls = ReduceLogSum (magnitude, ax)
  fifty = Constant <value = float {50.0}> ()
  big = Mul (x, fifty)
  lse = ReduceLogSumExp <keepdims = 0> (big, ax)
  ssq = ReduceSumSquare (x, ax)""")
    out = compile_and_run(args, m, {"x": x, "ax": np.array([2, -3], np.int64)}, "reduce18_runtime")
    big = 50 * xd
    top = big.max(axis=(0, 2), keepdims=True)
    results.append(check("ReduceL1 run-time axes", out["l1"], np.abs(xd).sum(axis=(0, 2), keepdims=True).astype(f32)))
    results.append(check("ReduceL2 run-time axes", out["l2"], np.sqrt((xd ** 2).sum(axis=(0, 2))).astype(f32)))
    results.append(check("ReduceLogSum run-time axes", out["ls"],
                         np.log(np.abs(xd).sum(axis=(0, 2), keepdims=True)).astype(f32)))
    results.append(check("ReduceLogSumExp run-time axes", out["lse"],
                         (np.log(np.exp(big - top).sum(axis=(0, 2), keepdims=True)) + top).reshape(4).astype(f32)))
    results.append(check("ReduceSumSquare run-time axes", out["ssq"],
                         (xd ** 2).sum(axis=(0, 2), keepdims=True).astype(f32)))

    m = model(20, "g (bool[3, 4] b) => (bool[3] any, bool[4] all)", """
  a1 = Constant <value = int64[1] {1}> ()
  a0 = Constant <value = int64[1] {0}> ()
  any = ReduceMax <keepdims = 0> (b, a1)
  all = ReduceMin <keepdims = 0> (b, a0)""")
    out = compile_and_run(args, m, {"b": b}, "reduce20")
    results.append(check("ReduceMax bool", out["any"], b.any(axis=1)))
    results.append(check("ReduceMin bool", out["all"], b.all(axis=0)))

    # Split, Pad, scatter reductions, bitwise ops: one model.
    i = rng.integers(-1000, 1000, (2, 10)).astype(np.int32)
    j = rng.integers(-1000, 1000, (2, 10)).astype(np.int32)
    p = rng.standard_normal((2, 3, 4)).astype(f32)
    data = rng.standard_normal((4, 5)).astype(f32)
    upd = rng.standard_normal((4, 3)).astype(f32)
    idx = np.array([[0, 2, 2], [1, 1, 4], [3, 0, 0], [4, 4, 4]], np.int64)
    nd_idx = np.array([[1], [3], [1]], np.int64)
    nd_upd = rng.standard_normal((3, 5)).astype(f32)
    m = model(19, "g (int32[2, 10] i, int32[2, 10] j, float[2, 3, 4] p, int64[2] pp, float[4, 5] d, "
                  "int64[4, 3] si, float[4, 3] su, int64[3, 1] ni, float[3, 5] nu, int64[2] ra, "
                  "int64[4] rp) => "
                  "(int32[2, 4] s0, int32[2, 4] s1, int32[2, 2] s2, float[2, ?, 4] reflect, "
                  "float[2, 3, ?] edge, float[?, ?, ?] wrap, float[4, 5] smax, float[4, 5] smin, "
                  "float[4, 5] ndmax, int32[2, 10] band, int32[2, 10] bor, int32[2, 10] bxor, "
                  "int32[2, 10] bnot, float[?, ?, ?] runtime)", """
  s0, s1, s2 = Split <axis = 1, num_outputs = 3> (i)
  a1 = Constant <value = int64[1] {1}> ()
  am1 = Constant <value = int64[1] {-1}> ()
  reflect = Pad <mode = "reflect"> (p, pp, , a1)
  edge = Pad <mode = "edge"> (p, pp, , am1)
  wp = Constant <value = int64[6] {0, 2, 3, 1, 1, 2}> ()
  wrap = Pad <mode = "wrap"> (p, wp)
  smax = ScatterElements <axis = 1, reduction = "max"> (d, si, su)
  smin = ScatterElements <axis = 1, reduction = "min"> (d, si, su)
  ndmax = ScatterND <reduction = "max"> (d, ni, nu)
  band = BitwiseAnd (i, j)
  bor = BitwiseOr (i, j)
  bxor = BitwiseXor (i, j)
  bnot = BitwiseNot (i)
  runtime = Pad (p, rp, , ra)""")
    pads = np.array([2, 1], np.int64)
    out = compile_and_run(args, m, {"i": i, "j": j, "p": p, "pp": pads, "d": data, "si": idx, "su": upd,
                                    "ni": nd_idx, "nu": nd_upd, "ra": np.array([2, -3], np.int64),
                                    "rp": np.array([1, 0, 2, 1], np.int64)}, "tensor")
    results.append(check("Split num_outputs 3 of 10", np.concatenate(
        [out["s0"].ravel(), out["s1"].ravel(), out["s2"].ravel()]),
        np.concatenate([i[:, :4].ravel(), i[:, 4:8].ravel(), i[:, 8:].ravel()])))
    results.append(check("Split uneven last piece", out["s2"], i[:, 8:]))
    results.append(check("Pad axes reflect", out["reflect"], np.pad(p, [(0, 0), (2, 1), (0, 0)], "reflect")))
    results.append(check("Pad axes edge", out["edge"], np.pad(p, [(0, 0), (0, 0), (2, 1)], "edge")))
    results.append(check("Pad run-time axes", out["runtime"], np.pad(p, [(0, 1), (0, 0), (1, 2)])))
    # An axis out of range at run time: the run is refused, naming the node.
    try:
        compile_and_run(args, m, {"i": i, "j": j, "p": p, "pp": pads, "d": data, "si": idx, "su": upd,
                                  "ni": nd_idx, "nu": nd_upd, "ra": np.array([2, 3], np.int64),
                                  "rp": np.array([1, 0, 2, 1], np.int64)}, "tensor_bad_axis")
        refused = False
    except subprocess.CalledProcessError as e:
        refused = b"out of range" in e.stderr and b"Pad, opset 19" in e.stderr
    print(f"{'PASS' if refused else 'FAIL'} Pad run-time axis out of range refused")
    results.append(refused)
    results.append(check("Pad wrap", out["wrap"], np.pad(p, [(0, 1), (2, 1), (3, 2)], "wrap")))
    smax, smin, ndmax = data.copy(), data.copy(), data.copy()
    for r in range(4):
        for c in range(3):
            smax[r, idx[r, c]] = max(smax[r, idx[r, c]], upd[r, c])
            smin[r, idx[r, c]] = min(smin[r, idx[r, c]], upd[r, c])
    for k, row in enumerate(nd_idx[:, 0]):
        ndmax[row] = np.maximum(ndmax[row], nd_upd[k])
    results.append(check("ScatterElements max", out["smax"], smax))
    results.append(check("ScatterElements min", out["smin"], smin))
    results.append(check("ScatterND max", out["ndmax"], ndmax))
    results.append(check("BitwiseAnd", out["band"], i & j))
    results.append(check("BitwiseOr", out["bor"], i | j))
    results.append(check("BitwiseXor", out["bxor"], i ^ j))
    results.append(check("BitwiseNot", out["bnot"], ~i))

    # Normalizations and activations.
    gx = rng.standard_normal((2, 6, 3, 4)).astype(f32)
    gs, gb = rng.standard_normal(3).astype(f32), rng.standard_normal(3).astype(f32)
    cs, cb = rng.standard_normal(6).astype(f32), rng.standard_normal(6).astype(f32)
    m18 = model(18, "g (float[2, 6, 3, 4] x, float[3] s, float[3] b) => (float[2, 6, 3, 4] y, "
                    "float[2, 6, 3, 4] mish)", """
  y = GroupNormalization <num_groups = 3, epsilon = 0.001> (x, s, b)
  mish = Mish (x)""")
    out = compile_and_run(args, m18, {"x": gx, "s": gs, "b": gb}, "norm18")
    results.append(check("GroupNormalization 18", out["y"],
                         group_norm(gx, np.repeat(gs, 2), np.repeat(gb, 2), 3, 1e-3).astype(f32)))
    gxd = gx.astype(np.float64)
    results.append(check("Mish", out["mish"], (gxd * np.tanh(np.log1p(np.exp(gxd)))).astype(f32)))
    m21 = model(21, "g (float[2, 6, 3, 4] x, float[6] s, float[6] b) => (float[2, 6, 3, 4] y, "
                    "float[2, 6, 3, 4] ge, float[2, 6, 3, 4] gt)", """
  y = GroupNormalization <num_groups = 2> (x, s, b)
  ge = Gelu (x)
  gt = Gelu <approximate = "tanh"> (x)""")
    out = compile_and_run(args, m21, {"x": gx, "s": cs, "b": cb}, "norm21")
    results.append(check("GroupNormalization 21", out["y"], group_norm(gx, cs, cb, 2, 1e-5).astype(f32)))
    results.append(check("Gelu", out["ge"], gelu(gx, False).astype(f32)))
    results.append(check("Gelu tanh", out["gt"], gelu(gx, True).astype(f32)))

    # Pooling with dilations.
    px = rng.standard_normal((1, 2, 9, 8)).astype(f32)
    m = model(19, "g (float[1, 2, 9, 8] x) => (float[1, 2, ?, ?] lp, float[1, 2, ?, ?] avg)", """
  lp = LpPool <kernel_shape = [2, 3], dilations = [3, 2], strides = [2, 2], ceil_mode = 1, p = 2> (x)
  avg = AveragePool <kernel_shape = [3, 2], dilations = [2, 3], pads = [1, 2, 1, 0]> (x)""")
    out = compile_and_run(args, m, {"x": px}, "pool")
    results.append(check("LpPool dilations ceil_mode", out["lp"], pool(
        px.astype(np.float64), (2, 3), (2, 2), (3, 2), (0, 0, 0, 0), True,
        lambda v: np.sqrt((v ** 2).sum(axis=-1))).astype(f32)))
    results.append(check("AveragePool dilations", out["avg"], pool(
        px.astype(np.float64), (3, 2), (1, 1), (2, 3), (1, 2, 1, 0), False,
        lambda v: v.mean(axis=-1)).astype(f32)))

    # Resize: axes (18) and half_pixel_symmetric (19).
    rx = rng.standard_normal((1, 2, 5, 6)).astype(f32)
    m = model(19, "g (float[1, 2, 5, 6] x) => (float[1, 2, 5, 9] ax, float[1, 2, 8, 6] sym)", """
  s = Constant <value = float[1] {1.5}> ()
  ax = Resize <axes = [3], mode = "linear"> (x, , s)
  s2 = Constant <value = float[2] {1.7, 1.0}> ()
  sym = Resize <axes = [2, 3], mode = "linear", coordinate_transformation_mode = "half_pixel_symmetric"> (x, , s2)""")
    out = compile_and_run(args, m, {"x": rx}, "resize")
    # keep_aspect_ratio_policy: one scale (7 / 5 or 5 / 6 of [5, 6]), output
    # sizes rounded half up (not_smaller: 6 * 1.4 = 8.4 -> 8); the scale, not
    # output / input, maps coordinates.
    m2 = model(18, "g (float[1, 2, 5, 6] x) => (float[1, 2, 4, 5] small, float[1, 2, 7, 8] big)", """
  sz = Constant <value = int64[2] {7, 5}> ()
  small = Resize <axes = [2, 3], mode = "linear", keep_aspect_ratio_policy = "not_larger"> (x, , , sz)
  big = Resize <axes = [2, 3], mode = "linear", keep_aspect_ratio_policy = "not_smaller"> (x, , , sz)""")
    out2 = compile_and_run(args, m2, {"x": rx}, "resize_aspect")
    for name, scale, h, w in (("small", 5 / 6, 4, 5), ("big", 7 / 5, 7, 8)):
        want = resize_linear_1d(rx.astype(np.float64), 2, h, scale, False)
        want = resize_linear_1d(want, 3, w, scale, False)
        results.append(check(f"Resize keep_aspect_ratio {name}", out2[name], want.astype(f32)))
    # antialias (18): linear and cubic shrinking by 0.4 and 0.5 (kernels of
    # 6 and 8 taps), growing an axis (no effect there).
    ax_in = rng.standard_normal((1, 2, 10, 7)).astype(f32)
    m3 = model(18, "g (float[1, 2, 10, 7] x) => (float[1, 2, 4, 14] lin, float[1, 2, 5, 3] cub)", """
  s1 = Constant <value = float[4] {1.0, 1.0, 0.4, 2.0}> ()
  lin = Resize <mode = "linear", antialias = 1> (x, , s1)
  s2 = Constant <value = int64[2] {5, 3}> ()
  cub = Resize <mode = "cubic", antialias = 1, axes = [2, 3]> (x, , , s2)""")
    out3 = compile_and_run(args, m3, {"x": ax_in}, "resize_antialias")
    xd3 = ax_in.astype(np.float64)
    want = resize_linear_1d(resize_antialias_1d(xd3, 2, 4, 0.4, False), 3, 14, 2.0, False)
    results.append(check("Resize antialias linear", out3["lin"], want.astype(f32)))
    want = resize_antialias_1d(resize_antialias_1d(xd3, 3, 3, 3 / 7, True), 2, 5, 0.5, True)
    results.append(check("Resize antialias cubic", out3["cub"], want.astype(f32)))
    results.append(check("Resize axes", out["ax"],
                         resize_linear_1d(rx.astype(np.float64), 3, 9, 1.5, False).astype(f32)))
    results.append(check("Resize half_pixel_symmetric", out["sym"],
                         resize_linear_1d(rx.astype(np.float64), 2, 8, 1.7, True).astype(f32)))

    # CenterCropPad and Col2Im.
    cx = rng.standard_normal((2, 5, 4)).astype(f32)
    cols = rng.standard_normal((2, 3 * 4, 15)).astype(f32)
    m = model(18, "g (float[2, 5, 4] x, float[2, 12, 15] c) => (float[2, 2, 7] ccp, float[3, 8, 4] all, "
                  "float[2, 3, 5, 6] col)", """
  sh = Constant <value = int64[2] {2, 7}> ()
  ccp = CenterCropPad <axes = [-2, 2]> (x, sh)
  sh3 = Constant <value = int64[3] {3, 8, 4}> ()
  all = CenterCropPad (x, sh3)
  im = Constant <value = int64[2] {5, 6}> ()
  bl = Constant <value = int64[2] {2, 2}> ()
  col = Col2Im <strides = [2, 1], dilations = [1, 2], pads = [1, 0, 0, 1]> (c, im, bl)""")
    out = compile_and_run(args, m, {"x": cx, "c": cols}, "crop")
    results.append(check("CenterCropPad crop and pad", out["ccp"], center_crop_pad(cx, (2, 7), (1, 2))))
    results.append(check("CenterCropPad all axes", out["all"], center_crop_pad(cx, (3, 8, 4), (0, 1, 2))))
    results.append(check("Col2Im", out["col"], col2im(cols.astype(np.float64), (5, 6), (2, 2), (2, 1),
                                                      (1, 2), (1, 0, 0, 1)).astype(f32)))

    # AffineGrid and DFT 20.
    t2 = rng.standard_normal((2, 2, 3)).astype(f32)
    t3 = rng.standard_normal((1, 3, 4)).astype(f32)
    sig = rng.standard_normal((2, 6, 10, 1)).astype(f32)
    m = model(20, "g (float[2, 2, 3] t2, float[1, 3, 4] t3, float[2, 6, 10, 1] s) => "
                  "(float[2, 4, 5, 2] g0, float[2, 4, 5, 2] g1, float[1, 2, 3, 4, 3] g3, "
                  "float[2, 6, 10, 2] fd, float[2, 6, 10, 2] f1)", """
  sz = Constant <value = int64[4] {2, 3, 4, 5}> ()
  g0 = AffineGrid (t2, sz)
  g1 = AffineGrid <align_corners = 1> (t2, sz)
  sz3 = Constant <value = int64[5] {1, 1, 2, 3, 4}> ()
  g3 = AffineGrid <align_corners = 1> (t3, sz3)
  fd = DFT (s)
  ax = Constant <value = int64 {1}> ()
  f1 = DFT <inverse = 1> (s, , ax)""")
    out = compile_and_run(args, m, {"t2": t2, "t3": t3, "s": sig}, "grid")
    results.append(check("AffineGrid 2-D", out["g0"], affine_grid(t2, (2, 3, 4, 5), False).astype(f32)))
    results.append(check("AffineGrid 2-D align_corners", out["g1"],
                         affine_grid(t2, (2, 3, 4, 5), True).astype(f32)))
    results.append(check("AffineGrid 3-D", out["g3"], affine_grid(t3, (1, 1, 2, 3, 4), True).astype(f32)))
    results.append(check("DFT default axis -2", out["fd"], stacked(np.fft.fft(sig[..., 0], axis=2)).astype(f32)))
    results.append(check("DFT axis input", out["f1"], stacked(np.fft.ifft(sig[..., 0], axis=1)).astype(f32)))

    # DeformConv: two groups, two offset groups, offsets reaching outside the
    # image, a mask, strides, pads and dilations.
    dx = rng.standard_normal((2, 4, 6, 5)).astype(f32)
    dw = rng.standard_normal((6, 2, 3, 2)).astype(f32)
    db = rng.standard_normal(6).astype(f32)
    doff = (1.5 * rng.standard_normal((2, 2 * 6 * 2, 4, 2))).astype(f32)
    dmask = rng.random((2, 2 * 6, 4, 2)).astype(f32)
    deform = "group = 2, offset_group = 2, strides = [1, 2], pads = [0, 1, 0, 0], dilations = [1, 2]"
    m = model(19, "g (float[2, 4, 6, 5] x, float[6, 2, 3, 2] w, float[2, 24, 4, 2] o, float[6] b, "
                  "float[2, 12, 4, 2] mk) => (float[2, 6, 4, 2] y, float[2, 6, 4, 2] plain)", f"""
  y = DeformConv <{deform}> (x, w, o, b, mk)
  plain = DeformConv <{deform}> (x, w, o)""")
    out = compile_and_run(args, m, {"x": dx, "w": dw, "o": doff, "b": db, "mk": dmask}, "deform")
    results.append(check("DeformConv", out["y"], deform_conv(dx, dw, doff, db, dmask, (1, 2), (0, 1, 0, 0),
                                                             (1, 2), 2, 2).astype(f32)))
    results.append(check("DeformConv no mask or bias", out["plain"], deform_conv(
        dx, dw, doff, np.zeros(6), np.ones_like(dmask), (1, 2), (0, 1, 0, 0), (1, 2), 2, 2).astype(f32)))

    # Blocked quantization (21): scales and zero points per block of 4 along
    # axis 1, the last block short.
    qx = (4 * rng.standard_normal((3, 10))).astype(f32)
    qs = rng.uniform(0.02, 0.1, (3, 3)).astype(f32)
    qz = rng.integers(-20, 20, (3, 3)).astype(np.int8)
    m = model(21, "g (float[3, 10] x, float[3, 3] s, int8[3, 3] z) => (int8[3, 10] q, float[3, 10] d)", """
  q = QuantizeLinear <axis = 1, block_size = 4> (x, s, z)
  d = DequantizeLinear <axis = 1, block_size = 4> (q, s, z)""")
    out = compile_and_run(args, m, {"x": qx, "s": qs, "z": qz}, "blocked")
    full_s = np.repeat(qs, 4, axis=1)[:, :10]
    full_z = np.repeat(qz, 4, axis=1)[:, :10].astype(np.float64)
    want_q = np.clip(np.round(qx / full_s) + full_z, -128, 127).astype(np.int8)
    results.append(check("QuantizeLinear blocked", out["q"], want_q))
    results.append(check("DequantizeLinear blocked", out["d"],
                         ((want_q.astype(np.float64) - full_z) * full_s).astype(f32)))

    passed = sum(results)
    print(f"newer_opsets: {passed} passed, {len(results) - passed} failed")
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
