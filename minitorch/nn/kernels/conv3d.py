"""Array-level 3-D convolution kernels: forward, input-gradient (= transposed conv), weight-gradient.

The 2-D kernels' recipe (``im2col.py``) one dimension up: the padded input is taken channels-last
(N, Dp, Hp, Wp, C), an ``as_strided`` view lays every (kd, kh, kw) patch out as one row with the
channels innermost, one copy materialises the columns ``(G, N*OD*OH*OW, KD*KH*KW*Cg)``, and ONE
(batched-over-groups) GEMM does the arithmetic. col2im is its adjoint: a loop over the KD*KH*KW
kernel offsets, each adding one strided slice. Outputs are NCDHW views of NDHWC memory.
"""
from __future__ import annotations

from typing import NamedTuple

from ...backend import xp_of
from .im2col import as_strided


class Conv3dGeom(NamedTuple):
    """A 3-D conv window: kernel, stride, dilation per (D, H, W); padding before / after; groups."""

    k: tuple
    s: tuple
    d: tuple
    lo: tuple
    hi: tuple
    groups: int

    def out_size(self, size: tuple) -> tuple:
        return tuple((n + a + b - d * (k - 1) - 1) // s + 1
                     for n, a, b, d, k, s in zip(size, self.lo, self.hi, self.d, self.k, self.s))


def to_ndhwc_padded(x, geo: Conv3dGeom, size: tuple | None = None):
    """NCDHW array -> NDHWC array with zero padding (to ``size`` when the windows need more room)."""
    xp = xp_of(x)
    n, c = x.shape[:2]
    sp = x.shape[2:]
    full = tuple(m + a + b for m, a, b in zip(sp, geo.lo, geo.hi))
    if size is not None:
        full = tuple(max(f, z) for f, z in zip(full, size))
    last = x.transpose(0, 2, 3, 4, 1)
    if full == tuple(sp):
        return last
    out = xp.zeros((n, *full, c), dtype=x.dtype)
    out[:, geo.lo[0]:geo.lo[0] + sp[0], geo.lo[1]:geo.lo[1] + sp[1], geo.lo[2]:geo.lo[2] + sp[2]] = last
    return out


def im2col3d(xpad, geo: Conv3dGeom, osz: tuple):
    """NDHWC padded input -> columns (G, N*OD*OH*OW, KD*KH*KW*Cg), one contiguous copy."""
    xp = xp_of(xpad)
    n, c = xpad.shape[0], xpad.shape[4]
    g = geo.groups
    cg = c // g
    sn, sd, sh, sw, sc = xpad.strides
    st = (sd, sh, sw)
    view = as_strided(
        xp, xpad, (g, n, *osz, *geo.k, cg),
        (sc * cg, sn, *(a * b for a, b in zip(st, geo.s)), *(a * b for a, b in zip(st, geo.d)), sc),
    )
    cols = xp.empty(view.shape, dtype=xpad.dtype)
    cols[...] = view
    return cols.reshape(g, n * osz[0] * osz[1] * osz[2], -1)


def col2im3d(dcols, geo: Conv3dGeom, n: int, osz: tuple, c: int, psz: tuple):
    """Adjoint of ``im2col3d``: columns -> padded NDHWC (N, *psz, C), summing the kernel offsets."""
    xp = xp_of(dcols)
    g = geo.groups
    d = dcols.reshape(g, n, *osz, *geo.k, c // g)
    out = xp.zeros((n, *psz, g, c // g), dtype=dcols.dtype)
    for i in range(geo.k[0]):
        ds = slice(i * geo.d[0], i * geo.d[0] + geo.s[0] * (osz[0] - 1) + 1, geo.s[0])
        for j in range(geo.k[1]):
            hs = slice(j * geo.d[1], j * geo.d[1] + geo.s[1] * (osz[1] - 1) + 1, geo.s[1])
            for k in range(geo.k[2]):
                ws = slice(k * geo.d[2], k * geo.d[2] + geo.s[2] * (osz[2] - 1) + 1, geo.s[2])
                out[:, ds, hs, ws] += d[:, :, :, :, :, i, j, k].transpose(1, 2, 3, 4, 0, 5)
    return out.reshape(n, *psz, c)


def weight_matrix3d(w, groups: int):
    """(O, Cg, KD, KH, KW) -> (G, KD*KH*KW*Cg, Og): the GEMM operand matching the column layout."""
    o, cg = w.shape[:2]
    kk = w.shape[2:]
    return w.reshape(groups, o // groups, cg, *kk).transpose(0, 3, 4, 5, 2, 1).reshape(groups, -1, o // groups)


def weight_from_matrix3d(wm, shape: tuple):
    """Inverse of ``weight_matrix3d``: (G, KD*KH*KW*Cg, Og) -> (O, Cg, KD, KH, KW)."""
    o, cg, kd, kh, kw = shape
    g = wm.shape[0]
    return wm.reshape(g, kd, kh, kw, cg, o // g).transpose(0, 5, 4, 1, 2, 3).reshape(shape)


def gmat3d(gout, groups: int):
    """Output-shaped gradient (N, O, OD, OH, OW) -> (G, N*OD*OH*OW, Og) contiguous."""
    n, o = gout.shape[:2]
    v = gout.transpose(0, 2, 3, 4, 1).reshape(*gout.shape[:1], *gout.shape[2:], groups, o // groups)
    v = v.transpose(4, 0, 1, 2, 3, 5)
    out = xp_of(gout).empty(v.shape, dtype=gout.dtype)
    out[...] = v
    return out.reshape(groups, -1, o // groups)


def conv3d_forward(x, w, b, geo: Conv3dGeom):
    """y = conv3d(x, w) + b for NCDHW ``x``: im2col + one GEMM; y is NCDHW over NDHWC memory."""
    xp = xp_of(x)
    n = x.shape[0]
    o = w.shape[0]
    osz = geo.out_size(x.shape[2:])
    cols = im2col3d(to_ndhwc_padded(x, geo), geo, osz)
    out = xp.matmul(cols, weight_matrix3d(w, geo.groups))  # (G, M, Og)
    g = geo.groups
    y = out.reshape(g, n, *osz, o // g).transpose(1, 2, 3, 4, 0, 5).reshape(n, *osz, o)
    if b is not None:
        y += b
    return y.transpose(0, 4, 1, 2, 3)


def conv3d_input_grad(g, w, geo: Conv3dGeom, size: tuple):
    """dx (N, C, *size) of y = conv3d(x, w) for upstream g (N, O, OD, OH, OW); also conv_transpose3d."""
    xp = xp_of(g)
    n = g.shape[0]
    osz = g.shape[2:]
    c = w.shape[1] * geo.groups
    dcols = xp.matmul(gmat3d(g, geo.groups), weight_matrix3d(w, geo.groups).transpose(0, 2, 1))
    psz = tuple(max(m + a + b, (q - 1) * s + d * (k - 1) + 1)
                for m, a, b, q, s, d, k in zip(size, geo.lo, geo.hi, osz, geo.s, geo.d, geo.k))
    dxpad = col2im3d(dcols, geo, n, osz, c, psz)
    lo = geo.lo
    dx = xp.empty((n, *size, c), dtype=g.dtype)
    dx[...] = dxpad[:, lo[0]:lo[0] + size[0], lo[1]:lo[1] + size[1], lo[2]:lo[2] + size[2]]
    return dx.transpose(0, 4, 1, 2, 3)


def conv3d_weight_grad(x, g, geo: Conv3dGeom, w_shape: tuple):
    """dw of y = conv3d(x, w) for upstream g: cols(x)^T @ g per group."""
    xp = xp_of(g)
    osz = g.shape[2:]
    cols = im2col3d(to_ndhwc_padded(x, geo), geo, osz)
    return weight_from_matrix3d(xp.matmul(cols.transpose(0, 2, 1), gmat3d(g, geo.groups)), w_shape)


# ----------------------------------------------------------------------------- pooling windows
def pool_extent(geo: Conv3dGeom, osz: tuple, size: tuple) -> tuple:
    """The padded size the windows reach (ceil_mode windows may run past the padding)."""
    return tuple(max(m + a + b, (q - 1) * s + d * (k - 1) + 1)
                 for m, a, b, q, s, d, k in zip(size, geo.lo, geo.hi, osz, geo.s, geo.d, geo.k))


def pad_ncdhw(x, geo: Conv3dGeom, psz: tuple, value: float):
    """Pad an NCDHW array to ``psz`` with ``value`` (front by ``geo.lo``); no copy when nothing to pad."""
    sp = x.shape[2:]
    if tuple(psz) == tuple(sp):
        return x
    out = xp_of(x).full((*x.shape[:2], *psz), value, dtype=x.dtype)
    lo = geo.lo
    out[:, :, lo[0]:lo[0] + sp[0], lo[1]:lo[1] + sp[1], lo[2]:lo[2] + sp[2]] = x
    return out


def windows3d(geo: Conv3dGeom, osz: tuple):
    """For each kernel offset: (flat offset index, (i, j, k), strided slices of the padded input)."""
    sl = [[slice(i * d, i * d + s * (q - 1) + 1, s) for i in range(k)]
          for k, s, d, q in zip(geo.k, geo.s, geo.d, osz)]
    n = 0
    for i, ds in enumerate(sl[0]):
        for j, hs in enumerate(sl[1]):
            for k, ws in enumerate(sl[2]):
                yield n, (i, j, k), (slice(None), slice(None), ds, hs, ws)
                n += 1


def max_pool3d_forward(x, geo: Conv3dGeom, osz: tuple):
    """(max over each window, offset index of its FIRST maximum; a NaN window points at its last NaN)."""
    xp = xp_of(x)
    xpad = pad_ncdhw(x, geo, pool_extent(geo, osz, x.shape[2:]), -xp.inf)
    views = [xpad[sl] for _, _, sl in windows3d(geo, osz)]
    best = views[0].copy()
    for v in views[1:]:
        xp.maximum(best, v, out=best)
    arg = xp.zeros(best.shape, dtype=xp.int32)
    for k in range(len(views) - 1, 0, -1):  # the last write is the first maximum
        xp.copyto(arg, k, where=views[k] == best)
    xp.copyto(arg, 0, where=views[0] == best)
    for k, v in enumerate(views):  # no host check for NaN (it would sync on the GPU): always route them
        xp.copyto(arg, k, where=xp.isnan(v))
    return best, arg


def max_pool3d_indices(arg, geo: Conv3dGeom, size: tuple):
    """Offset index -> torch's return_indices: (d * H + h) * W + w in the unpadded input volume."""
    xp = xp_of(arg)
    kd, kh, kw = geo.k
    i, j, k = arg // (kh * kw), (arg // kw) % kh, arg % kw
    od, oh, ow = arg.shape[-3:]
    dd = xp.arange(od, dtype=xp.int64).reshape(od, 1, 1) * geo.s[0] - geo.lo[0] + i.astype(xp.int64) * geo.d[0]
    hh = xp.arange(oh, dtype=xp.int64).reshape(oh, 1) * geo.s[1] - geo.lo[1] + j.astype(xp.int64) * geo.d[1]
    ww = xp.arange(ow, dtype=xp.int64) * geo.s[2] - geo.lo[2] + k.astype(xp.int64) * geo.d[2]
    return (dd * size[1] + hh) * size[2] + ww


def _crop(a, geo: Conv3dGeom, size: tuple):
    lo = geo.lo
    return a[:, :, lo[0]:lo[0] + size[0], lo[1]:lo[1] + size[1], lo[2]:lo[2] + size[2]]


def max_pool3d_scatter(g, arg, geo: Conv3dGeom, size: tuple):
    """Adjoint of the gather at the recorded maxima: each window's gradient goes to its maximum."""
    xp = xp_of(g)
    osz = g.shape[2:]
    dx = xp.zeros((*g.shape[:2], *pool_extent(geo, osz, size)), dtype=g.dtype)
    for k, _, sl in windows3d(geo, osz):
        dx[sl] += g * (arg == k)
    return _crop(dx, geo, size)


def max_pool3d_gather(x, arg, geo: Conv3dGeom):
    """The value at each window's recorded maximum (the linear map max-pool applies locally)."""
    xp = xp_of(x)
    osz = arg.shape[2:]
    xpad = pad_ncdhw(x, geo, pool_extent(geo, osz, x.shape[2:]), 0)
    out = xp.zeros(arg.shape, dtype=x.dtype)
    for k, _, sl in windows3d(geo, osz):
        xp.copyto(out, xpad[sl], where=arg == k)
    return out


def window_sum3d(x, geo: Conv3dGeom, osz: tuple):
    """Sum of each window (zero padding) for an NCDHW ``x``."""
    xpad = pad_ncdhw(x, geo, pool_extent(geo, osz, x.shape[2:]), 0)
    out = None
    for _, _, sl in windows3d(geo, osz):
        out = xpad[sl].copy() if out is None else out + xpad[sl]
    return out


def window_spread3d(g, geo: Conv3dGeom, size: tuple):
    """Adjoint of ``window_sum3d``: add each window's value to every input voxel it covers."""
    xp = xp_of(g)
    osz = g.shape[2:]
    dx = xp.zeros((*g.shape[:2], *pool_extent(geo, osz, size)), dtype=g.dtype)
    for _, _, sl in windows3d(geo, osz):
        dx[sl] += g
    return _crop(dx, geo, size)


def avg_divisor3d(xp, geo: Conv3dGeom, osz: tuple, size: tuple, count_include_pad: bool, divisor_override,
                  dtype):
    """The (OD, OH, OW) divisor of each average-pool window, following torch's kernel."""
    div = None
    for q, s, p, k, m in zip(osz, geo.s, geo.lo, geo.k, size):
        start = xp.arange(q) * s - p
        end = xp.minimum(start + k, m + p)
        n = end - start if count_include_pad else xp.maximum(xp.minimum(end, m) - xp.maximum(start, 0), 0)
        n = n.astype(xp.float64)
        div = n if div is None else div[..., None] * n
    if divisor_override:
        div = xp.full(tuple(osz), float(divisor_override))
    return xp.maximum(div, 1).astype(dtype)
