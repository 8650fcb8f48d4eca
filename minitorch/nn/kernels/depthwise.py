"""Depthwise 2-D convolution kernels (groups == in_channels, weight (C*M, 1, KH, KW), M the channel multiplier).

im2col + GEMM is a poor fit here: the GEMM per group is (N*OH*OW, KH*KW) @ (KH*KW, M), tiny and
memory-bound, after a gather KH*KW times the input. Instead every kernel is KH*KW multiply-adds of
shifted (strided, dilated) slices of the channels-last padded input with a per-channel weight vector:

- forward: y[n, oh, ow, c, m] = sum_{i,j} xpad[n, oh*sh + i*dh, ow*sw + j*dw, c] * w[c, m, i, j] (+ b);
- input grad: dxpad[n, oh*sh + i*dh, ow*sw + j*dw, c] += sum_m g[n, oh, ow, c, m] * w[c, m, i, j];
- weight grad: dw[c, m, i, j] = sum_{n, oh, ow} g[n, oh, ow, c, m] * xpad[n, oh*sh + i*dh, ow*sw + j*dw, c].

On the CPU the work goes a few output rows at a time (``CHUNK_ELEMS``), so each tap's slice, the
product and the accumulator stay in cache; on a GPU each pass covers the whole tensor.
Outputs are NCHW views of NHWC memory, as the other conv kernels return.
"""
from __future__ import annotations

import numpy as np

from ...backend import xp_of
from .im2col import ConvGeom, to_nhwc_padded

#: elements of one output chunk on the CPU (float32: 256 KB)
CHUNK_ELEMS = 1 << 16


def is_depthwise(geo: ConvGeom, w_shape: tuple) -> bool:
    """A grouped conv with one input channel per group (and more than one group)."""
    return geo.groups > 1 and w_shape[1] == 1


def _chunks(xp, n: int, rows: int, row_elems: int):
    """(image slice, first row, end row) blocks of about CHUNK_ELEMS output elements (one block on a GPU)."""
    if xp is not np:
        yield slice(0, n), 0, rows
        return
    per_image = rows * row_elems
    if per_image <= CHUNK_ELEMS:
        step = max(1, CHUNK_ELEMS // max(1, per_image))
        for s in range(0, n, step):
            yield slice(s, min(n, s + step)), 0, rows
        return
    rstep = max(1, CHUNK_ELEMS // max(1, row_elems))
    for s in range(n):
        for r in range(0, rows, rstep):
            yield slice(s, s + 1), r, min(rows, r + rstep)


def _tap_slices(geo: ConvGeom, i: int, j: int, r0: int, r1: int, ow: int):
    """The padded-input rows/columns that tap (i, j) reads for output rows [r0, r1) and all columns."""
    h0 = r0 * geo.sh + i * geo.dh
    w0 = j * geo.dw
    return slice(h0, h0 + geo.sh * (r1 - r0 - 1) + 1, geo.sh), slice(w0, w0 + geo.sw * (ow - 1) + 1, geo.sw)


def _weight_taps(w, c: int):
    """(C*M, 1, KH, KW) -> (KH, KW, C, M) contiguous."""
    o, _, kh, kw = w.shape
    return xp_of(w).ascontiguousarray(w.reshape(c, o // c, kh, kw).transpose(2, 3, 0, 1))


def _nhwc5(g, c: int):
    """Upstream (N, C*M, OH, OW) -> (N, OH, OW, C, M) contiguous (free when already channels-last)."""
    n, o, oh, ow = g.shape
    gl = g.transpose(0, 2, 3, 1)
    if not gl.flags.c_contiguous:
        gl = xp_of(g).ascontiguousarray(gl)
    return gl.reshape(n, oh, ow, c, o // c)


def depthwise_forward(x, w, b, geo: ConvGeom, keep: bool):
    """y = depthwise conv2d(x, w) + b: (N, C*M, OH, OW). Also returns the padded NHWC input (for dw)."""
    xp = xp_of(x)
    n, c, h, wd = x.shape
    o = w.shape[0]
    m = o // c
    oh, ow = geo.out_size(h, wd)
    xpad = to_nhwc_padded(x, geo, tag="xpad_keep" if keep else "xpad")
    wt = _weight_taps(w, c)
    bias = None if b is None else b.reshape(c, m)
    out = xp.empty((n, oh, ow, c, m), dtype=x.dtype)
    tmp = None
    for ns, r0, r1 in _chunks(xp, n, oh, ow * o):
        acc = out[ns, r0:r1]
        if tmp is None or tmp.shape != acc.shape:
            tmp = xp.empty(acc.shape, dtype=x.dtype)
        for i in range(geo.kh):
            for j in range(geo.kw):
                hs, ws = _tap_slices(geo, i, j, r0, r1, ow)
                xs = xpad[ns, hs, ws, :, None]
                if i == 0 and j == 0:
                    xp.multiply(xs, wt[0, 0], out=acc)
                else:
                    xp.multiply(xs, wt[i, j], out=tmp)
                    acc += tmp
        if bias is not None:
            acc += bias
    return out.reshape(n, oh, ow, o).transpose(0, 3, 1, 2), xpad


def depthwise_input_grad(g, w, geo: ConvGeom, h: int, wd: int):
    """dx of y = depthwise conv2d(x, w) for upstream g (N, C*M, OH, OW); x is (N, C, h, wd). Also the
    depthwise conv_transpose2d."""
    xp = xp_of(g)
    n, o, oh, ow = g.shape
    c = geo.groups
    m = o // c
    eh, ew = geo.dh * (geo.kh - 1), geo.dw * (geo.kw - 1)
    if (m == 1 and geo.sh == 1 and geo.sw == 1 and max(geo.pt, geo.pb) <= eh and max(geo.pl, geo.pr) <= ew
            and oh + eh - geo.pt - geo.pb == h and ow + ew - geo.pl - geo.pr == wd):
        # stride 1: dx is the depthwise conv of g with the flipped kernel (a gather, no scatter)
        flipped = ConvGeom(geo.kh, geo.kw, 1, 1, geo.dh, geo.dw, eh - geo.pt, eh - geo.pb, ew - geo.pl, ew - geo.pr, c)
        return depthwise_forward(g, w[:, :, ::-1, ::-1], None, flipped, False)[0]
    gl = _nhwc5(g, c)
    wt = _weight_taps(w, c)
    hp = max(h + geo.pt + geo.pb, (oh - 1) * geo.sh + geo.dh * (geo.kh - 1) + 1)
    wp = max(wd + geo.pl + geo.pr, (ow - 1) * geo.sw + geo.dw * (geo.kw - 1) + 1)
    dxpad = xp.zeros((n, hp, wp, c), dtype=g.dtype)
    tmp = None
    # images at a time (the taps of neighbouring row blocks overlap in dxpad)
    for ns, _, _ in _chunks(xp, n, 1, oh * ow * o):
        gs = gl[ns]
        if tmp is None or tmp.shape[0] != gs.shape[0]:
            tmp = xp.empty(gs.shape[:4], dtype=g.dtype)
        for i in range(geo.kh):
            for j in range(geo.kw):
                hs, ws = _tap_slices(geo, i, j, 0, oh, ow)
                if m == 1:
                    xp.multiply(gs[..., 0], wt[i, j, :, 0], out=tmp)
                else:
                    xp.einsum("nhwcm,cm->nhwc", gs, wt[i, j], out=tmp)
                dxpad[ns, hs, ws] += tmp
    out = xp.empty((n, h, wd, c), dtype=g.dtype)
    out[...] = dxpad[:, geo.pt:geo.pt + h, geo.pl:geo.pl + wd]
    return out.transpose(0, 3, 1, 2)


def depthwise_weight_grad(x, g, geo: ConvGeom, w_shape: tuple, xpad=None):
    """dw (C*M, 1, KH, KW) of y = depthwise conv2d(x, w) for upstream g; ``xpad``: forward's padded NHWC input."""
    xp = xp_of(g)
    n, o, oh, ow = g.shape
    c = geo.groups
    m = o // c
    if xpad is None:
        xpad = to_nhwc_padded(x, geo)
    gl = _nhwc5(g, c)
    acc_dtype = np.float64 if xp is np else g.dtype  # CPU: per-chunk sums added up in float64
    acc = xp.zeros((geo.kh, geo.kw, c, m), dtype=acc_dtype)
    for ns, r0, r1 in _chunks(xp, n, oh, ow * o):
        gs = gl[ns, r0:r1]
        for i in range(geo.kh):
            for j in range(geo.kw):
                hs, ws = _tap_slices(geo, i, j, r0, r1, ow)
                acc[i, j] += xp.einsum("nhwc,nhwcm->cm", xpad[ns, hs, ws], gs)  # no product temporary
    dw = acc.astype(g.dtype, copy=False).transpose(2, 3, 0, 1)  # (C, M, KH, KW)
    return dw.reshape(w_shape)
