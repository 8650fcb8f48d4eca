"""Array-level 2-D convolution kernels: forward, input-gradient (= transposed conv), weight-gradient.

All three are one im2col/col2im plus ONE GEMM over the channels-innermost column layout
(see ``im2col.py``). Inputs and outputs are NCHW arrays; outputs are NCHW *views* of NHWC
memory (channels-last), which the next conv/pool reads back without a copy.

On the CPU, big convolutions (groups == 1) gather and multiply their columns a few images at a
time (``im2col_chunks``), so the columns never leave the cache; forward then keeps the padded
NHWC input instead of the columns, and the weight gradient gathers them again chunk by chunk.
"""
from __future__ import annotations

import numpy as np

from ...backend import xp_of
from .depthwise import depthwise_forward, depthwise_input_grad, depthwise_weight_grad, is_depthwise
from .im2col import (
    ConvGeom,
    col2im,
    gemm,
    gmat_of,
    im2col,
    im2col_chunks,
    images_per_chunk,
    to_nhwc_padded,
    weight_from_matrix,
    weight_matrix,
)
from .scratch import scratch


def _half_on_cpu(a) -> bool:
    """NumPy has no float16 BLAS (its float16 matmul is ~100x slower): such convs run in float32."""
    return a.dtype == np.float16 and type(a) is np.ndarray


def _f32(a):
    return None if a is None else a.astype(np.float32)


def conv2d_forward(x, w, b, geo: ConvGeom, keep_cols: bool):
    """y = conv2d(x, w) + b. Returns (y, cache): with ``keep_cols``, what the weight gradient
    reuses (the im2col matrix, or the padded NHWC input when the columns were built in chunks)."""
    if _half_on_cpu(x):  # float16 in, float16 out, float32 GEMMs (the cache stays float32)
        y, cache = conv2d_forward(_f32(x), _f32(w), _f32(b), geo, keep_cols)
        return y.astype(np.float16), cache
    if is_depthwise(geo, w.shape):
        y, xpad = depthwise_forward(x, w, b, geo, keep_cols)
        return y, (("dwpad", xpad) if keep_cols else None)
    n, c, h, wd = x.shape
    o = w.shape[0]
    oh, ow = geo.out_size(h, wd)
    xpad = to_nhwc_padded(x, geo, tag="xpad_keep" if keep_cols else "xpad")
    wm = weight_matrix(w, geo.groups)
    k = wm.shape[1]
    step = images_per_chunk(xp_of(x), n, oh, ow, k, x.dtype.itemsize) if geo.groups == 1 else n
    if step < n:
        xp = xp_of(x)
        y = scratch(xp, (n * oh * ow, o), x.dtype, "conv_out")
        rows = oh * ow
        for s, m, cols in im2col_chunks(xpad, geo, oh, ow, step):
            part = y[s * rows:(s + m) * rows]
            xp.matmul(cols, wm[0], out=part)
            if b is not None:
                part += b  # while the chunk is in cache
        return y.reshape(n, oh, ow, o).transpose(0, 3, 1, 2), (("xpad", xpad) if keep_cols else None)
    cols = im2col(xpad, geo, oh, ow, tag="cols_keep" if keep_cols else "cols")
    del xpad
    out = gemm(cols, wm, tag="conv_out")  # (G, M, Og)
    if geo.groups == 1:
        y = out[0]
        if b is not None:
            y += b
        y = y.reshape(n, oh, ow, o).transpose(0, 3, 1, 2)
    else:
        y = out.reshape(geo.groups, n, oh, ow, o // geo.groups).transpose(1, 0, 4, 2, 3).reshape(n, o, oh, ow)
        if b is not None:
            y += b.reshape(1, o, 1, 1)
    return y, (("cols", cols) if keep_cols else None)


def conv2d_input_grad(g, w, geo: ConvGeom, h: int, wd: int):
    """dx of y = conv2d(x, w) for upstream g (N, O, OH, OW); x is (N, C, h, wd). Also conv_transpose2d."""
    if _half_on_cpu(g):
        return conv2d_input_grad(_f32(g), _f32(w), geo, h, wd).astype(np.float16)
    if is_depthwise(geo, w.shape):
        return depthwise_input_grad(g, w, geo, h, wd)
    n, o, oh, ow = g.shape
    c = w.shape[1] * geo.groups
    if _as_flipped_conv(geo, h, wd, oh, ow):
        return _input_grad_by_conv(g, w, geo, h, wd)
    gm = gmat_of(g, geo.groups)
    wm = weight_matrix(w, geo.groups)  # (G, K, Og)
    dcols = gemm(gm, wm.transpose(0, 2, 1), tag="dcols")  # (G, M, K)
    del gm
    hp, wp = h + geo.pt + geo.pb, wd + geo.pl + geo.pr
    hp = max(hp, (oh - 1) * geo.sh + geo.dh * (geo.kh - 1) + 1 + 0)
    wp = max(wp, (ow - 1) * geo.sw + geo.dw * (geo.kw - 1) + 1)
    dxpad = col2im(dcols, geo, n, oh, ow, c, hp, wp)
    del dcols
    dx = dxpad[:, geo.pt:geo.pt + h, geo.pl:geo.pl + wd]
    xp = xp_of(g)
    out = xp.empty((n, h, wd, c), dtype=g.dtype)
    out[...] = dx
    return out.transpose(0, 3, 1, 2)


def _as_flipped_conv(geo: ConvGeom, h: int, wd: int, oh: int, ow: int) -> bool:
    """Stride 1 with padding <= dilated kernel extent: dx is a plain conv (no col2im needed)."""
    eh, ew = geo.dh * (geo.kh - 1), geo.dw * (geo.kw - 1)
    return (geo.sh == 1 and geo.sw == 1 and max(geo.pt, geo.pb) <= eh and max(geo.pl, geo.pr) <= ew
            and oh + eh - geo.pt - geo.pb == h and ow + ew - geo.pl - geo.pr == wd)


def _input_grad_by_conv(g, w, geo: ConvGeom, h: int, wd: int):
    """dx = conv2d(g, flip(w)^T) with padding (dilated extent - pad): stride-1 transposed conv as a conv."""
    o, cg, kh, kw = w.shape
    grp = geo.groups
    wt = w[:, :, ::-1, ::-1].reshape(grp, o // grp, cg, kh, kw).transpose(0, 2, 1, 3, 4)
    wt = wt.reshape(grp * cg, o // grp, kh, kw)
    eh, ew = geo.dh * (kh - 1), geo.dw * (kw - 1)
    geo2 = ConvGeom(kh, kw, 1, 1, geo.dh, geo.dw, eh - geo.pt, eh - geo.pb, ew - geo.pl, ew - geo.pr, grp)
    y, _ = conv2d_forward(g, wt, None, geo2, False)
    return y


def conv2d_weight_grad(x, g, geo: ConvGeom, w_shape: tuple, cache=None):
    """dw of y = conv2d(x, w) for upstream g: cols^T @ g, reusing what forward cached when given."""
    if _half_on_cpu(g):
        return conv2d_weight_grad(_f32(x), _f32(g), geo, w_shape, cache).astype(np.float16)
    n, _, oh, ow = g.shape
    xp = xp_of(g)
    kind, arr = cache if cache is not None else (None, None)
    if is_depthwise(geo, w_shape):
        return depthwise_weight_grad(x, g, geo, w_shape, arr if kind == "dwpad" else None)
    if kind == "cols":
        cols = arr
    else:
        xpad = arr if kind == "xpad" else to_nhwc_padded(x, geo)
        k = geo.kh * geo.kw * (xpad.shape[3] // geo.groups)
        step = images_per_chunk(xp, n, oh, ow, k, g.dtype.itemsize) if geo.groups == 1 else n
        if step < n:
            return weight_from_matrix(_chunked_weight_grad(xpad, g, geo, oh, ow, step)[None], w_shape)
        cols = im2col(xpad, geo, oh, ow)
    gm = gmat_of(g, geo.groups)
    if geo.groups == 1:
        dwm = xp.matmul(cols[0].T, gm[0])[None]
    else:
        dwm = xp.matmul(cols.transpose(0, 2, 1), gm)
    return weight_from_matrix(dwm, w_shape)


def _chunked_weight_grad(xpad, g, geo: ConvGeom, oh: int, ow: int, step: int):
    """sum over chunks of cols_chunk^T @ g_chunk: (KH*KW*C, O), columns gathered a chunk at a time."""
    xp = xp_of(g)
    n, o = g.shape[:2]
    rows = oh * ow
    gl = g.transpose(0, 2, 3, 1)  # (N, OH, OW, O)
    flat = gl.reshape(n * rows, o) if gl.flags.c_contiguous else None
    acc = part = gbuf = None
    for s, m, cols in im2col_chunks(xpad, geo, oh, ow, step):
        if flat is not None:
            gm = flat[s * rows:(s + m) * rows]
        else:  # NCHW upstream: make this chunk's rows contiguous (in cache) for the GEMM
            if gbuf is None:
                gbuf = xp.empty((step, oh, ow, o), dtype=g.dtype)
            gbuf[:m] = gl[s:s + m]
            gm = gbuf[:m].reshape(m * rows, o)
        if acc is None:
            acc = xp.matmul(cols.T, gm)
            part = xp.empty_like(acc)
        else:
            xp.matmul(cols.T, gm, out=part)
            acc += part
    return acc


def as_channels_last(a):
    """An NCHW array stored channels-last (NHWC memory): ``a`` itself when it already is, else a copy."""
    if a.transpose(0, 2, 3, 1).flags.c_contiguous:
        return a
    n, c, h, w = a.shape
    out = xp_of(a).empty((n, h, w, c), dtype=a.dtype)
    out[...] = a.transpose(0, 2, 3, 1)
    return out.transpose(0, 3, 1, 2)


