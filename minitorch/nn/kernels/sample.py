"""Array-level kernels of grid_sample: weighted gathers of input pixels and their adjoints.

A sample is K taps (4 for bilinear, 1 for nearest): ``out[n, c, p] = sum_k wts[n, k, p] * x[n, c, idx[n, k, p]]``
with ``idx`` flattened over (N, H, W) (the batch offset included) and ``wts`` zero on out-of-bounds taps
(whose ``idx`` is clipped to any valid pixel). Three kernels, each the adjoint of the others in one argument:

- ``sample_forward(x, wts, idx)``: the sample (rows of the channels-last input gathered per tap);
- ``sample_adjoint(g, wts, idx, h, w)``: dx = S(wts)^T g, a scatter-add (``bincount`` per channel on the CPU,
  an atomic scatter-add on CuPy);
- ``gather_dot(x, g, idx)``: d/dwts = sum over channels of g[n, c, p] * x[n, c, idx[n, k, p]].
"""
from __future__ import annotations

import numpy as np

from ...backend import xp_of
from ...backend.arrays import add_at


def _rows(x):
    """(N, C, H, W) -> (N*H*W, C) contiguous: one row of channels per pixel (free if channels-last)."""
    n, c, h, w = x.shape
    nhwc = x.transpose(0, 2, 3, 1)
    if not nhwc.flags.c_contiguous:
        nhwc = xp_of(x).ascontiguousarray(nhwc)
    return nhwc.reshape(n * h * w, c)


def sample_forward(x, wts, idx):
    """out[n, c, p] = sum_k wts[n, k, p] x[n, c, idx[n, k, p]]: (N, C, OH, OW) (a view of NHWC memory)."""
    n, c = x.shape[:2]
    k, oh, ow = wts.shape[1:]
    rows = _rows(x)
    out = None
    for j in range(k):
        v = rows.take(idx[:, j].reshape(-1), axis=0)  # (N*P, C)
        v *= wts[:, j].reshape(-1, 1)
        if out is None:
            out = v
        else:
            out += v
    return out.reshape(n, oh, ow, c).transpose(0, 3, 1, 2)


def sample_adjoint(g, wts, idx, h: int, w: int):
    """dx[n, c, j] = sum over (k, p) with idx[n, k, p] = j of wts[n, k, p] g[n, c, p]: (N, C, H, W)."""
    xp = xp_of(g)
    n, c = g.shape[:2]
    k = wts.shape[1]
    p = wts.shape[2] * wts.shape[3]
    flat = idx.reshape(-1)
    if xp is np:
        out = np.empty((c, n * h * w), dtype=g.dtype)
        wr = wts.reshape(n, k, p)
        tmp = np.empty((n, k, p), dtype=g.dtype)
        for ch in range(c):  # one contiguous weighted bincount per channel (stays in cache)
            np.multiply(wr, g[:, ch].reshape(n, 1, p), out=tmp)
            out[ch] = np.bincount(flat, weights=tmp.reshape(-1), minlength=n * h * w)
        return out.reshape(c, n, h, w).transpose(1, 0, 2, 3)
    out = xp.zeros((n * h * w, c), dtype=g.dtype)
    src = wts.reshape(n, k, p, 1) * g.reshape(n, 1, c, p).transpose(0, 1, 3, 2)  # (N, K, P, C)
    add_at(out, flat, src.reshape(-1, c))
    return out.reshape(n, h, w, c).transpose(0, 3, 1, 2)


def gather_dot(x, g, idx):
    """k[n, j, p] = sum_c g[n, c, p] x[n, c, idx[n, j, p]]: (N, K, OH, OW)."""
    xp = xp_of(x)
    n = x.shape[0]
    k, oh, ow = idx.shape[1:]
    rows = _rows(x)
    grow = _rows(g)  # (N*P, C)
    out = xp.empty((n, k, oh * ow), dtype=x.dtype)
    for j in range(k):
        v = rows.take(idx[:, j].reshape(-1), axis=0)
        v *= grow
        out[:, j] = v.sum(axis=1).reshape(n, oh * ow)
    return out.reshape(n, k, oh, ow)
