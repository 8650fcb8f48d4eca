"""Array-level pooling kernels on NCHW arrays (any memory layout; channels-last is kept).

Every window op is a short loop over the KH*KW kernel offsets, each touching one strided
slice of the (padded) input: no per-element scatter. Max-pool keeps the offset of the FIRST
maximum in each window (strict ``>``), as torch does, and routes the gradient only there.
"""
from __future__ import annotations

from ...backend import is_cupy_array, xp_of
from .im2col import ConvGeom, offsets


def channels_last(a) -> bool:
    """True when an NCHW array is stored NHWC (as conv outputs are): work on it in that order."""
    return a.ndim == 4 and a.shape[1] > 1 and not a.flags.c_contiguous and a.transpose(0, 2, 3, 1).flags.c_contiguous


def _empty_like_layout(xp, shape: tuple, dtype, like):
    """An NCHW array of ``shape``, channels-last in memory when ``like`` is (as conv outputs are)."""
    if channels_last(like):
        n, c, h, w = shape
        return xp.empty((n, h, w, c), dtype=dtype).transpose(0, 3, 1, 2)
    return xp.empty(shape, dtype=dtype)


def _dom(a, nhwc: bool):
    """The array in its memory order: NHWC for channels-last arrays, else NCHW as is."""
    return a.transpose(0, 2, 3, 1) if nhwc else a


def _undom(a, nhwc: bool):
    return a.transpose(0, 3, 1, 2) if nhwc else a


def _windows(a, geo: ConvGeom, oh: int, ow: int, nhwc: bool):
    """(k, view of the k-th kernel offset over all windows) in memory order; k = i*KW + j."""
    for i, j, hs, ws in offsets(geo.kh, geo.kw, geo.sh, geo.sw, geo.dh, geo.dw, oh, ow):
        yield i * geo.kw + j, (a[:, hs, ws] if nhwc else a[:, :, hs, ws])


def padded_extent(geo: ConvGeom, oh: int, ow: int, h: int, w: int) -> tuple:
    """(Hp, Wp): the padded input size the windows reach (ceil_mode windows may run past 2*pad)."""
    hp = max(h + geo.pt + geo.pb, (oh - 1) * geo.sh + geo.dh * (geo.kh - 1) + 1)
    wp = max(w + geo.pl + geo.pr, (ow - 1) * geo.sw + geo.dw * (geo.kw - 1) + 1)
    return hp, wp


def pad_nchw(x, geo: ConvGeom, hp: int, wp: int, value: float):
    """Pad an NCHW array to (Hp, Wp) with ``value`` (top/left by the geometry's pads); no copy if no pad."""
    n, c, h, w = x.shape
    if hp == h and wp == w:
        return x
    xp = xp_of(x)
    out = _empty_like_layout(xp, (n, c, hp, wp), x.dtype, x)
    out.fill(value)
    out[:, :, geo.pt:geo.pt + h, geo.pl:geo.pl + w] = x
    return out


def max_pool_forward(x, geo: ConvGeom, oh: int, ow: int):
    """(max over each window, offset index k = i*KW + j of the first maximum) for NCHW ``x``.

    Works in the input's memory order (channels-last stays channels-last). The max is a chain
    of ``maximum`` over the offset views (NaN propagates); the first maximum's offset is
    n0*(1 + n1*(1 + ... (1 + n_{K-2}))) with n_k = [v_k != max], a few int8 passes, no masks.
    A window holding NaN points at its last NaN, as torch's CPU kernel does.
    """
    xp = xp_of(x)
    n, c, h, w = x.shape
    hp, wp = padded_extent(geo, oh, ow, h, w)
    xpad = pad_nchw(x, geo, hp, wp, -xp.inf)
    nhwc = channels_last(xpad)
    views = [v for _, v in _windows(_dom(xpad, nhwc), geo, oh, ow, nhwc)]
    kk = len(views)
    kdtype = xp.int8 if kk <= 127 else xp.int32
    if kk == 1:
        return _undom(views[0].copy(), nhwc), xp.zeros(_undom(views[0], nhwc).shape, dtype=kdtype)
    best = xp.maximum(views[0], views[1])
    for v in views[2:]:
        xp.maximum(best, v, out=best)
    arg = xp.not_equal(views[kk - 2], best).astype(kdtype)
    for k in range(kk - 3, -1, -1):
        arg += 1
        arg *= xp.not_equal(views[k], best)
    # rare: route NaN windows to their last NaN (torch's choice); on the GPU always, as asking would sync
    if is_cupy_array(best) or bool(xp.isnan(best).any()):
        for k, v in enumerate(views):
            xp.copyto(arg, k, where=xp.isnan(v))
    return _undom(best, nhwc), _undom(arg, nhwc)


def flat_indices(arg, geo: ConvGeom, w: int):
    """Offset index -> torch's return_indices format: h * W + w in the unpadded input plane."""
    xp = xp_of(arg)
    oh, ow = arg.shape[-2:]
    i, j = arg // geo.kw, arg % geo.kw
    rows = xp.arange(oh, dtype=xp.int64).reshape(oh, 1) * geo.sh - geo.pt
    cols = xp.arange(ow, dtype=xp.int64) * geo.sw - geo.pl
    return (rows + i.astype(xp.int64) * geo.dh) * w + cols + j.astype(xp.int64) * geo.dw


def max_pool_scatter(g, arg, geo: ConvGeom, h: int, w: int):
    """Adjoint of the max-pool gather: each window's gradient goes to its (first) maximum.

    dx is laid out as the pooled input was (``arg`` remembers it), so the ops after it (relu's
    backward, conv's weight gradient) read matching layouts.
    """
    xp = xp_of(g)
    n, c, oh, ow = g.shape
    hp, wp = padded_extent(geo, oh, ow, h, w)
    nhwc = channels_last(arg)
    dx = _empty_like_layout(xp, (n, c, hp, wp), g.dtype, arg)
    gd, ad, dd = _dom(g, nhwc), _dom(arg, nhwc), _dom(dx, nhwc)
    eh, ew = geo.dh * (geo.kh - 1) + 1, geo.dw * (geo.kw - 1) + 1
    if geo.sh >= eh and geo.sw >= ew:  # disjoint windows: every pixel gets at most one value, assign
        if not (geo.kh == geo.sh and geo.kw == geo.sw and eh == geo.kh and ew == geo.kw
                and oh * geo.sh == hp and ow * geo.sw == wp):  # not an exact tiling: some pixels get none
            dx.fill(0)
        for k, dv in _windows(dd, geo, oh, ow, nhwc):
            xp.multiply(gd, ad == k, out=dv)
    else:
        dx.fill(0)
        for k, dv in _windows(dd, geo, oh, ow, nhwc):
            dv += gd * (ad == k)
    return dx[:, :, geo.pt:geo.pt + h, geo.pl:geo.pl + w]


def max_pool_gather(x, arg, geo: ConvGeom):
    """The value at each window's recorded maximum (the linear map max-pool applies locally)."""
    xp = xp_of(x)
    oh, ow = arg.shape[-2:]
    hp, wp = padded_extent(geo, oh, ow, x.shape[2], x.shape[3])
    xpad = pad_nchw(x, geo, hp, wp, 0)
    out = None
    for i, j, hs, ws in offsets(geo.kh, geo.kw, geo.sh, geo.sw, geo.dh, geo.dw, oh, ow):
        v = xpad[:, :, hs, ws]
        if out is None:
            out = v.copy(order="K")
        else:
            xp.copyto(out, v, where=arg == i * geo.kw + j)
    return out


def avg_divisor(xp, geo: ConvGeom, oh: int, ow: int, h: int, w: int, count_include_pad: bool,
                divisor_override, dtype):
    """The (OH, OW) divisor of each average-pool window, following torch's CPU kernel."""
    def counts(o, s, p, k, size):
        start = xp.arange(o) * s - p
        end = xp.minimum(start + k, size + p)
        full = end - start
        start, end = xp.maximum(start, 0), xp.minimum(end, size)
        return full, xp.maximum(end - start, 0)

    fh, ch = counts(oh, geo.sh, geo.pt, geo.kh, h)
    fw, cw = counts(ow, geo.sw, geo.pl, geo.kw, w)
    if divisor_override:
        div = xp.full((oh, ow), float(divisor_override))
    elif count_include_pad:
        div = (fh.reshape(-1, 1) * fw).astype(xp.float64)
    else:
        div = (ch.reshape(-1, 1) * cw).astype(xp.float64)
    return xp.maximum(div, 1).astype(dtype)  # an all-padding window counts 0 but sums to 0 anyway


def window_sum(x, geo: ConvGeom, oh: int, ow: int):
    """Sum of each window (zero padding) for NCHW ``x``."""
    h, w = x.shape[2:]
    hp, wp = padded_extent(geo, oh, ow, h, w)
    xpad = pad_nchw(x, geo, hp, wp, 0)
    out = None
    for _, _, hs, ws in offsets(geo.kh, geo.kw, geo.sh, geo.sw, geo.dh, geo.dw, oh, ow):
        v = xpad[:, :, hs, ws]
        if out is None:
            out = v.copy(order="K")
        else:
            out += v
    return out


def window_spread(g, geo: ConvGeom, h: int, w: int):
    """Adjoint of ``window_sum``: add each window's value to every input position it covers."""
    xp = xp_of(g)
    n, c, oh, ow = g.shape
    hp, wp = padded_extent(geo, oh, ow, h, w)
    dx = _empty_like_layout(xp, (n, c, hp, wp), g.dtype, g)
    dx.fill(0)
    for _, _, hs, ws in offsets(geo.kh, geo.kw, geo.sh, geo.sw, geo.dh, geo.dw, oh, ow):
        dx[:, :, hs, ws] += g
    return dx[:, :, geo.pt:geo.pt + h, geo.pl:geo.pl + w]


def plane_scatter(g, idx, hw: int):
    """Adjoint of gathering ``x.reshape(N, C, H*W)`` at flat ``idx``: sums duplicates (bincount)."""
    xp = xp_of(g)
    n, c = g.shape[:2]
    planes = xp.arange(n * c, dtype=xp.int64).reshape(n, c, *([1] * (idx.ndim - 2))) * hw
    out = xp.bincount((idx + planes).ravel(), weights=g.ravel(), minlength=n * c * hw)
    return out.astype(g.dtype).reshape(n, c, hw)


def plane_gather(x, idx):
    """x (N, C, H*W) at flat per-plane indices idx (N, C, ...)."""
    xp = xp_of(x)
    n, c = x.shape[:2]
    return xp.take_along_axis(x, idx.reshape(n, c, -1), axis=2).reshape(idx.shape)
